#!/bin/bash
# LAN discovery (issue 13, DESIGN.md §6): two laptops of one team, neither
# knowing the other (no `peer add`), find each other by their beacons on
# 127.255.255.255 and sync directly. Beacons are hints, never trust: one of
# another team, one with a bad MAC, one too old, one naming a device that is
# not in the roster lead to nothing; one that names a teammate's device but
# points at a foreign CURVE server (tests/tools/foreign_peer.py) leads to a
# handshake that fails on the pinned id: that server receives nothing.
. ./lib.sh

beacon="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/beacon.py"
tool="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/foreign_peer.py"
py="$(python_zmq)"

new_team ann ann Shop
new_device bob bob
new_device stranger zed
new_team other olga Elsewhere
ann_id="$(rp_must ann id)"
bob_id="$(rp_must bob id)"
stranger_id="$(rp_must stranger id)"
rp_must ann member add bob "$bob_id" --role manager >/dev/null
team_id="$(status_of ann .team.id)"
other_team="$(status_of other .team.id)"
udp="$(free_udp_port)"
export SERVE_DISCOVER="127.255.255.255:$udp"

test_begin "two laptops find each other on the LAN"

start_serve ann "$(free_port)"
# bob joins once, ad hoc: no peer is configured on either side
rp_must bob sync "$(endpoint ann)" --peer "$ann_id" >/dev/null
start_serve bob "$(free_port)"
test_expect "neither has a peer configured" \
	expect_stdout '[0,0]' jq -n -c "[$(rp ann peer list --json | jq -s 'map(select(.name))|length'),
	                                $(rp bob peer list --json | jq -s 'map(select(.name))|length')]"
test_expect "the log says it discovers on the address given" \
	expect_match "$(cat "${SERVE_LOG[ann]}")" "rapport: discovering teammates with beacons on 127\\.255\\.255\\.255:$udp\$"
test_expect "ann's daemon finds bob's device, at its serve's endpoint" \
	eventually 15 grep -q "found bob's device ${bob_id:0:8} on the LAN at $(re_quote "$(endpoint bob)")\$" "${SERVE_LOG[ann]}"
test_expect "... and bob's finds ann's" \
	eventually 15 grep -q "found ann's device ${ann_id:0:8} on the LAN at $(re_quote "$(endpoint ann)")\$" "${SERVE_LOG[bob]}"
test_expect "an account ann adds reaches bob's laptop by itself" \
	eval 'rp ann account add "Bakery Blum" >/dev/null && eventually 15 rp bob show "Bakery Blum"'
test_expect "a visit bob logs reaches ann's" \
	eval 'rp bob log "Bakery Blum" visit "Met the owner" >/dev/null &&
	      eventually 15 eval "[ \"\$(rpq ann \".interactions[].text\" show \"Bakery Blum\" --json)\" = \"Met the owner\" ]"'
test_expect "the two converge to one digest" eventually 15 expect_same_digest ann bob
test_expect "peer list shows the device found, bob's, with the daemon's word: live" \
	eventually 10 eval "[ \"\$(rp ann peer list --json | jq -c -s 'map(select(.member == \"bob\") | .daemon.state)')\" = '[\"live\"]' ]"

test_begin "beacons that must lead to nothing"

if [ -z "$py" ]; then
	test_skip "hostile beacons" "no python3 with the zmq module (Debian: python3-zmq)"
else
	fport="$(free_port)"
	"$py" "$tool" serve "tcp://127.0.0.1:$fport" "$TMP/stranger/device.key" "team:$team_id" 14 \
		>"$TMP/foreign.out" 2>"$TMP/foreign.err" &
	fpid=$!
	_serve_pids+=("$fpid")
	for _ in $(seq 1 100); do
		grep -q '^listening ' "$TMP/foreign.out" 2>/dev/null && port_listening "$fport" && break
		sleep 0.05
	done
	before="$(grep -c 'found ' "${SERVE_LOG[ann]}")"
	test_expect "another team's beacon, pointing at the foreign server: sent" \
		expect_ok python3 "$beacon" 127.255.255.255 "$udp" "$other_team" "$stranger_id" "$fport"
	test_expect "our team's, with a bad MAC: sent" \
		expect_ok python3 "$beacon" 127.255.255.255 "$udp" "$team_id" "$stranger_id" "$fport" --bad-mac
	test_expect "our team's, an hour old: sent" \
		expect_ok python3 "$beacon" 127.255.255.255 "$udp" "$team_id" "$stranger_id" "$fport" \
		--stamp-ms "$(( $(date +%s) * 1000 - 3600 * 1000 ))"
	test_expect "our team's, good, naming a device no roster holds: sent" \
		expect_ok python3 "$beacon" 127.255.255.255 "$udp" "$team_id" "$stranger_id" "$fport"
	test_expect "not a word of 'found' for any of them" \
		eval 'sleep 2; [ "$(grep -c "found " "${SERVE_LOG[ann]}")" = "$before" ]'
	test_expect "our team's, good, naming bob's device but at the foreign server: sent" \
		expect_ok python3 "$beacon" 127.255.255.255 "$udp" "$team_id" "$bob_id" "$fport" --count 5
	wait "$fpid" 2>/dev/null
	report="$(cat "$TMP/foreign.out")"
	test_expect "the foreign server received not one op" expect_match "$report" '^received 0 ops; '
	test_expect "... and was sent nothing of the team's" expect_no_match "$report" '^op '
	test_expect "ann and bob still sync with each other afterwards" \
		eval 'rp ann log "Bakery Blum" call "After the forgery" >/dev/null &&
		      eventually 20 eval "rpq bob \"[.interactions[].text]|index(\\\"After the forgery\\\")\" show \"Bakery Blum\" --json | grep -q \"^[0-9]\""'
fi

test_begin "a network change: a beacon at once"

# Netlink tells the daemon; a change needs the right to make one: lo's MTU,
# one less and back (no address is added or taken).
mtu="$(cat /sys/class/net/lo/mtu 2>/dev/null)"
if [ -n "$mtu" ] && ip link set lo mtu "$mtu" 2>/dev/null; then
	test_expect "ann's serve: SIGTERM, exit 0" stop_serve ann
	SERVE_ARGS=--verbose start_serve ann "${SERVE_PORT[ann]}"
	test_expect "a change of lo: the daemon hears it and sends a beacon at once (--verbose says so)" \
		eval 'ip link set lo mtu $((mtu - 1)) && ip link set lo mtu "$mtu" &&
		      eventually 5 grep -q "the network changed: a beacon goes out in [0-9]* ms" "${SERVE_LOG[ann]}"'
	test_expect "... lo is as it was" expect_eq "$(cat /sys/class/net/lo/mtu)" "$mtu"
else
	test_skip "a change of lo: the daemon hears it and sends a beacon at once" "may not change lo here"
fi

test_begin "--no-discover"

test_expect "ann's serve: SIGTERM, exit 0" stop_serve ann
SERVE_DISCOVER= start_serve ann "${SERVE_PORT[ann]}"
test_expect "with --no-discover the log says nothing of beacons" \
	expect_no_match "$(tail -n 1 "${SERVE_LOG[ann]}")" 'discovering'
test_expect "a bad discovery address is a usage error" \
	expect_error 2 'discovery address' timeout 20 "$RAPPORT_BIN" --home "$TMP/stranger" serve \
	--listen "tcp://127.0.0.1:$(free_port)" --discover "nowhere"
for h in ann bob; do
	test_expect "$h: SIGTERM, exit 0" stop_serve "$h"
done
test_expect "nothing of it is left running" expect_nothing_left

test_done
