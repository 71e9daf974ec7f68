#!/bin/bash
# A node gives nothing to a device that is not a current member (DESIGN.md
# §2). A foreign CURVE server (tests/tools/foreign_peer.py: python3-zmq, no
# ZAP, it admits anyone) claims in turn to be joining, to be of our team with
# a key no roster names, to hold a revoked manager's key, and to hold a rep
# in good standing's key: a member syncing with it sends nothing, nothing,
# only the admin's signed revocation naming that device (so that a real
# revoked device can check it and wipe itself, DESIGN.md §5), and exactly
# that rep's scope. The same four as clients of our hub.
. ./lib.sh

py="$(python_zmq)"
tool="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/foreign_peer.py"
if [ -z "$py" ]; then
	test_skip "foreign peers get nothing" "no python3 with the zmq module (Debian: python3-zmq)"
	test_done
	exit 0
fi

new_team hub ann Acme
new_device meg meg
new_device alice alice
new_device bob bob
new_device stranger zed
hub_id="$(rp_must hub id)"
meg_id="$(rp_must meg id)"
alice_id="$(rp_must alice id)"
stranger_id="$(rp_must stranger id)"
rp_must hub member add meg "$meg_id" --role manager >/dev/null
rp_must hub member add alice "$alice_id" --role rep >/dev/null
rp_must hub member add bob "$(rp_must bob id)" --role rep >/dev/null
alpha="$(rp_must hub account add "Alpha Tools" --owner alice --email buyer@alpha.example)"
bravo="$(rp_must hub account add "Bravo Bakery" --owner bob --phone +4930123456)"
hotel="$(rp_must hub account add "Hotel Seeblick" --email desk@hotel.example)"
for i in 1 2 3; do rp_must hub log "$alpha" visit "Alpha visit $i" >/dev/null; done
rp_must hub log "$bravo" call "Bravo secret price 4.20" >/dev/null
rp_must hub log "$hotel" call "Hotel secret terms" >/dev/null
rp_must hub member revoke meg >/dev/null
team_id="$(status_of hub .team.id)"
alpha_ops="$(rp hub history "$alpha" --json | wc -l)"
hub_digest="$(digest hub)"

# serve_foreign NAME KEY CLAIM: a foreign server in the background on a free
# port; FPORT is its port once it listens; its report lands in $TMP/NAME.out.
serve_foreign()
{
	local i
	FPORT="$(free_port)"
	"$py" "$tool" serve "tcp://127.0.0.1:$FPORT" "$2" "$3" 12 >"$TMP/$1.out" 2>"$TMP/$1.err" &
	FPID=$!
	_serve_pids+=("$FPID")
	for i in $(seq 1 100); do
		grep -q '^listening ' "$TMP/$1.out" 2>/dev/null && port_listening "$FPORT" && return 0
		sleep 0.05
	done
	echo "the foreign server $1 did not come up" >>"$TMP/.setup.failures"
	return 1
}

# foreign_report NAME: wait for the foreign server to end; REPORT is its report.
foreign_report()
{
	wait "$FPID" 2>/dev/null
	REPORT="$(cat "$TMP/$1.out")"
}

test_begin "a member's sync with a foreign server that claims to be joining"

serve_foreign joining "$TMP/stranger/device.key" joining
test_expect "sync: exit 1, refused: that device is not a member of Acme" \
	expect_error_line 1 "^refused tcp://127\.0\.0\.1:$FPORT: that device is not a member of Acme" \
	rpt hub sync "tcp://127.0.0.1:$FPORT" --peer "$stranger_id"
foreign_report joining
test_expect "the foreign server received no op" expect_match "$REPORT" '^received 0 ops; '
test_expect "... and was told why, without the team's name" expect_match "$REPORT" "error you are not a member of this node's team$"

test_begin "a foreign server that claims our team with a key no roster names"

serve_foreign claim "$TMP/stranger/device.key" "team:$team_id"
test_expect "sync: exit 1, refused: not a member of Acme" \
	expect_error_line 1 "^refused tcp://127\.0\.0\.1:$FPORT: that device is not a member of Acme" \
	rpt hub sync "tcp://127.0.0.1:$FPORT" --peer "$stranger_id"
foreign_report claim
test_expect "the foreign server received no op" expect_match "$REPORT" '^received 0 ops; '

test_begin "a foreign server holding a revoked manager's key"

serve_foreign revoked "$TMP/meg/device.key" "team:$team_id"
test_expect "sync: exit 1, refused: that device was revoked from Acme" \
	expect_error_line 1 "^refused tcp://127\.0\.0\.1:$FPORT: that device was revoked from Acme" \
	rpt hub sync "tcp://127.0.0.1:$FPORT" --peer "$meg_id"
foreign_report revoked
test_expect "the foreign server received nothing but the signed revocation that names it (so a real device can wipe itself)" \
	expect_eq "$(grep '^op ' <<<"$REPORT" | awk '{print $2, $3}' | tr '\n' ' ')" "member.revoke - "
test_expect "... and was told why" expect_match "$REPORT" 'error this device was revoked from Acme'
test_expect "status counts the three refusals" expect_stdout 3 status_of hub .peers_refused
test_expect "... and names the last" expect_match "$(status_of hub .peer_refused_last)" \
	"^$meg_id: that device was revoked from Acme"

test_begin "a foreign server holding a rep in good standing's key"

serve_foreign rep "$TMP/alice/device.key" "team:$team_id"
test_expect "sync: exit 0" expect_exit 0 rpt hub sync "tcp://127.0.0.1:$FPORT" --peer "$alice_id"
foreign_report rep
test_expect "it received every op of alice's account ($alpha_ops)" \
	expect_eq "$(grep -c "^op [a-z.]* $alpha " <<<"$REPORT")" "$alpha_ops"
test_expect "... and not one of bob's account or the hotel" \
	expect_no_match "$REPORT" " ($bravo|$hotel) "
test_expect "... only team ops besides (the roster)" \
	expect_eq "$(grep '^op ' <<<"$REPORT" | grep -v " $alpha " | grep -cv '^op [a-z.]* - ')" 0

test_begin "the same four as clients of our hub"

start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
run timeout 30 "$py" "$tool" connect "$hub_ep" "$hub_id" random joining
test_expect "a random key claiming to join gets no answer" expect_match "$OUT" '^received 0 ops; error no answer$'
run timeout 30 "$py" "$tool" connect "$hub_ep" "$hub_id" "$TMP/stranger/device.key" "team:$team_id"
test_expect "a key no roster names, claiming our team, gets no answer" \
	expect_match "$OUT" '^received 0 ops; error no answer$'
run timeout 30 "$py" "$tool" connect "$hub_ep" "$hub_id" "$TMP/meg/device.key" "team:$team_id"
test_expect "the revoked manager's key gets only its revocation" \
	expect_eq "$(grep '^op ' <<<"$OUT" | awk '{print $2, $3}' | tr '\n' ' ')" "member.revoke - "
test_expect "... and is told it was revoked" expect_match "$OUT" 'error this device was revoked from Acme'
run timeout 30 "$py" "$tool" connect "$hub_ep" "$hub_id" "$TMP/alice/device.key" "team:$team_id"
test_expect "alice's key gets every op of her account ($alpha_ops)" \
	expect_eq "$(grep -c "^op [a-z.]* $alpha " <<<"$OUT")" "$alpha_ops"
test_expect "... and none of bob's or the hotel's" expect_no_match "$OUT" " ($bravo|$hotel) "
test_expect "... and the session ended cleanly" expect_match "$OUT" '^received [0-9]+ ops; error -$'
test_expect "the hub's log names the refused devices" \
	expect_match "$(cat "${SERVE_LOG[hub]}")" 'refused (a device that is not in the roster|revoked device)'

test_begin "the honest node lost nothing"

test_expect "the hub's digest is unchanged" expect_unchanged hub "$hub_digest"
test_expect "fsck passes on the hub" expect_fsck_ok hub
test_expect "alice's own device still syncs and gets her account" sync_ok alice "$hub_ep" --peer "$hub_id"
test_expect "... all of it" expect_eq "$(rp alice history "$alpha" --json | wc -l)" "$alpha_ops"
test_expect "... and nothing of bob's" expect_not rp alice show "$bravo"
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub
test_expect "no process of this test is left running" expect_nothing_left

test_done
