#!/bin/bash
# Who may not sync, and what they are told: a stranger (a device no admin
# added) is refused and learns nothing; a client that pinned another device's
# id refuses the node it reached; a device of another team gets nothing; an
# unreachable or silent peer fails within 10 s naming the endpoint. Every
# failure is exit 1 with one clear line, quickly, and changes nothing.
. ./lib.sh

new_team hub ann Shop
new_device rep1 bob
new_device rep2 cat
new_device stranger zed
hub_id="$(rp_must hub id)"
rep1_id="$(rp_must rep1 id)"
rep2_id="$(rp_must rep2 id)"
stranger_id="$(rp_must stranger id)"
rp_must hub member add bob "$rep1_id" --role manager >/dev/null
rp_must hub member add cat "$rep2_id" --role rep >/dev/null
rp_must hub account add "Bakery Blum" --email blum@example.com >/dev/null
rp_must hub log "Bakery Blum" visit "Met the owner" >/dev/null
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
hub_digest="$(digest hub)"
hub_ops="$(status_of hub .ops)"

# The slow failures (10 s each) run in the background while the others are
# tested: an unreachable endpoint, and a peer that accepts but never speaks.
new_device lost1 lou
new_device lost2 lea
dead_port="$(free_port)"
silent_port="$(free_port)"
perl -MIO::Socket::INET -e '
	alarm 40;                                         # bounded, whatever happens
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $ARGV[0],
		Listen => 5, ReuseAddr => 1) or die "listen: $!";
	open(my $ready, ">", $ARGV[1]) and close($ready);
	my @held;
	while (my $c = $s->accept) { push @held, $c }     # accept, never answer
' "$silent_port" "$TMP/silent.ready" 2>"$TMP/listener.err" &
silent_pid=$!
_serve_pids+=("$silent_pid")
for _ in $(seq 1 100); do [ -e "$TMP/silent.ready" ] && break; sleep 0.05; done
slow_sync()    # NAME HOME ENDPOINT: sync in the background, timed, into $TMP/NAME.*
{
	local t0
	t0=$(date +%s%N)
	timeout -k 5 30 "$RAPPORT_BIN" --home "$TMP/$2" sync "$3" --peer "$hub_id" >"$TMP/$1.out" 2>"$TMP/$1.err"
	echo "$? $((($(date +%s%N) - t0) / 1000000))" >"$TMP/$1.rc"
}
slow_sync dead lost1 "tcp://127.0.0.1:$dead_port" &
dead_job=$!
slow_sync silent lost2 "tcp://127.0.0.1:$silent_port" &
silent_job=$!

test_begin "a stranger is refused and learns nothing"

test_expect "stranger: peer add hub" expect_ok rp stranger peer add hub "$hub_ep" "$hub_id"
test_expect "stranger: sync hub: exit 1, one line saying it was refused, not in the roster" \
	expect_error_line 1 'refused.*not in .*roster' timed rpt stranger sync hub
test_expect "... names the endpoint" expect_match "$ERR" "$(re_quote "$hub_ep")"
test_expect "... and tells the admin's command with this device's id" \
	expect_match "$ERR" "rapport member add NAME $stranger_id"
test_expect "... within 10 s" expect_within 10000
test_expect "the stranger learned nothing: no team, no ops, no members" \
	expect_stdout '[null,0,0,0]' rpq stranger '[.team,.ops,.accounts,.members]' status --json
test_expect "... and has nothing to export" expect_stdout "" rp stranger export
test_expect "the ad hoc form is refused the same way" \
	expect_error_line 1 'refused.*not in .*roster' rpt stranger sync "$hub_ep" --peer "$hub_id"
test_expect "the hub is unchanged" expect_unchanged hub "$hub_digest"
test_expect "... and does not list the stranger as a peer" \
	expect_stdout 0 rpq hub "[.peers[]|select(.device==\"$stranger_id\")]|length" status --json
test_expect "the hub's log names the refusal" expect_match "$(cat "${SERVE_LOG[hub]}")" 'refused a device that is not in the roster'
test_expect "the hub still serves its members" sync_ok rep1 "$hub_ep" --peer "$hub_id"
test_expect "... rep1 received the $hub_ops ops" expect_match "$OUT" "received $hub_ops ops"

test_begin "a stranger is refused by a rep's node too"

rep1_port="$(free_port)"
start_serve rep1 "$rep1_port"
test_expect "stranger: sync rep1 (serving): exit 1, refused" \
	expect_error_line 1 'refused.*not in .*roster' rpt stranger sync "$(endpoint rep1)" --peer "$rep1_id"
test_expect "... still nothing learned" expect_stdout '[null,0]' rpq stranger '[.team,.ops]' status --json

test_begin "a wrong pinned id is refused"

# rep2 is in the roster but has not joined yet: what it pins is all it trusts.
test_expect "rep2: peer add hub with rep1's id instead of the hub's" \
	expect_ok rp rep2 peer add hub "$hub_ep" "$rep1_id"
test_expect "rep2: sync hub: exit 1, one line: the node there is not the pinned peer id" \
	expect_error_line 1 'pinned' timed rpt rep2 sync hub
test_expect "... naming the endpoint" expect_match "$ERR" "$(re_quote "$hub_ep")"
test_expect "... within 10 s" expect_within 10000
test_expect "... and rep2 took nothing from that node: no team, no ops" \
	expect_stdout '[null,0]' rpq rep2 '[.team,.ops]' status --json
test_expect "a member pinning another member's id is refused the same way" \
	expect_error_line 1 'pinned' rpt rep1 sync "$hub_ep" --peer "$rep2_id"
test_expect "... rep1's store is as before" expect_eq "$(status_of rep1 .ops)" "$hub_ops"
test_expect "the hub is unchanged" expect_unchanged hub "$hub_digest"
test_expect "rep2 with the right id joins" \
	eval 'rp rep2 peer add hub "$hub_ep" "$hub_id" && sync_ok rep2 hub'
test_expect "... and is in the team" expect_eq "$(status_of rep2 .team.id)" "$(status_of hub .team.id)"
test_expect "syncing with this device's own id is a usage error" \
	expect_error 2 'own id' rpt rep1 sync "$hub_ep" --peer "$rep1_id"

test_begin "a device of another team gets nothing"

# bob's second device starts a team of its own, yet the shop's admin adds it.
new_team other bob Elsewhere
other_id="$(rp_must other id)"
rp_must hub member add bob "$other_id" >/dev/null
other_digest="$(digest other)"
hub_digest="$(digest hub)"
test_expect "other: sync with the hub: exit 1, one line: another team" \
	expect_error_line 1 'another team' rpt other sync "$hub_ep" --peer "$hub_id"
test_expect "... the other team's store is unchanged" expect_unchanged other "$other_digest"
test_expect "... it still is its own team" expect_stdout Elsewhere status_of other .team.name
test_expect "the hub is unchanged" expect_unchanged hub "$hub_digest"

test_begin "an unreachable or silent peer fails within 10 s, naming it"

test_expect "the background syncs ended (bounded by timeout 30)" eval 'wait_gone "$dead_job" 40 && wait_gone "$silent_job" 40'
wait "$dead_job" "$silent_job" 2>/dev/null
read -r dead_rc dead_ms <"$TMP/dead.rc" 2>/dev/null
read -r silent_rc silent_ms <"$TMP/silent.rc" 2>/dev/null
test_expect "nothing listening: exit 1" expect_eq "${dead_rc:-none}" 1
test_expect "... one line naming the endpoint: cannot reach it" \
	expect_match "$(cat "$TMP/dead.err")" "^rapport: .*(cannot reach|unreachable).*127\.0\.0\.1:$dead_port"
test_expect "... within 10 s (11 s with slack for the process)" eval '[ "${dead_ms:-99999}" -le 11000 ] || { echo "took ${dead_ms:-?} ms" >&2; false; }'
test_expect "a peer that accepts and never speaks: exit 1" expect_eq "${silent_rc:-none}" 1
test_expect "... one line naming the endpoint: no answer" \
	expect_match "$(cat "$TMP/silent.err")" "^rapport: .*(no answer|silent).*127\.0\.0\.1:$silent_port"
test_expect "... within 10 s (11 s with slack for the process)" eval '[ "${silent_ms:-99999}" -le 11000 ] || { echo "took ${silent_ms:-?} ms" >&2; false; }'
test_expect "... neither printed anything on stdout" expect_eq "$(cat "$TMP/dead.out" "$TMP/silent.out")" ""
test_expect "the failure is kept as the peer's last result" \
	expect_match "$(rpq lost1 '.peers[].last_result' status --json)" "127\.0\.0\.1:$dead_port"
test_expect "... and the device learned nothing" expect_stdout '[null,0]' rpq lost1 '[.team,.ops]' status --json
kill "$silent_pid" 2>/dev/null
wait "$silent_pid" 2>/dev/null

test_begin "the nodes stop cleanly"

test_expect "rep1's serve: SIGTERM, exit 0" stop_serve rep1
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub
test_expect "fsck passes on the hub" expect_fsck_ok hub

test_expect "no process of this test is left running" expect_nothing_left

test_done
