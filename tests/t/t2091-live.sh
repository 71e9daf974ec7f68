#!/bin/bash
# Live sessions (DESIGN.md §6, issue 13): once two nodes are in step the
# session stays open and each side streams what it commits, in rounds. By
# hand (`sync --live`) and by the daemon; heartbeats keep it, silence ends
# it; kill -9 while it streams loses nothing and applies nothing twice.
. ./lib.sh

ops_of() { status_of "$1" .ops; }

test_begin "sync --live by hand"

new_team hub ann Shop
new_device lap bob
hub_id="$(rp_must hub id)"
rp_must hub member add bob "$(rp_must lap id)" --role manager >/dev/null
start_serve hub "$(free_port)"
rp_must lap peer add hub "$(endpoint hub)" "$hub_id" >/dev/null
# A rep who owns nothing: its live session stays quiet but for heartbeats
# (checked at the end, after more than the silence timeout of 15 s).
new_device quiet quinn
rp_must hub member add quinn "$(rp_must quiet id)" --role rep >/dev/null
rp_must quiet peer add hub "$(endpoint hub)" "$hub_id" >/dev/null
"$RAPPORT_BIN" --home "$TMP/quiet" sync hub --live --json >"$TMP/quiet.out" 2>"$TMP/quiet.err" &
quiet_pid=$!
"$RAPPORT_BIN" --home "$TMP/lap" sync hub --live --json >"$TMP/live.out" 2>"$TMP/live.err" &
live_pid=$!
test_expect "its first line: the first exchange's summary, as sync --json prints it" \
	eventually 10 eval 'head -n 1 "$TMP/live.out" | jq -e "select(.peer == \"hub\" and .received > 0 and (has(\"live\") | not))" >/dev/null'
test_expect "it stays connected" eval 'sleep 1; kill -0 $live_pid'
test_expect "the hub holds it: its log says so" \
	eventually 10 grep -q 'bob (.*): live session: sent' "${SERVE_LOG[hub]}"
test_expect "an account added on the laptop is on the hub within a few seconds, no sync typed" \
	eval 'rp lap account add "Bakery Blum" >/dev/null && eventually 5 rp hub show "Bakery Blum"'
diag "laptop → hub: $ELAPSED_MS ms"
test_expect "a visit logged on the hub is on the laptop within a few seconds" \
	eval 'rp hub log "Bakery Blum" visit "Met the owner" >/dev/null &&
	      eventually 5 eval "rp lap show \"Bakery Blum\" | grep -q \"Met the owner\""'
diag "hub → laptop: $ELAPSED_MS ms"
test_expect "a JSONL line per round after the first, each marked live" \
	eventually 5 eval '[ "$(jq -s "[.[1:][] | select(.live == true)] | length" "$TMP/live.out")" -ge 1 ] &&
	                   [ "$(jq -s "[.[1:][] | select(.live != true)] | length" "$TMP/live.out")" = 0 ]'
test_expect "... together they say what went each way: 1 op sent, 1 received" \
	expect_eq "$(jq -s -c '[([.[1:][] | .sent] | add), ([.[1:][] | .received] | add)]' "$TMP/live.out")" '[1,1]'
test_expect "status: no daemon here, so no live session either" \
	expect_stdout 'false' rpq lap '.daemon.running' status --json
test_expect "on the hub: the live session, by member" \
	expect_stdout '["bob","quinn"]' rpq hub '[.daemon.live[].member]|sort' status --json
test_expect "SIGTERM: exit 0" eval 'kill -TERM $live_pid; wait $live_pid'
test_expect "... and nothing on stderr" expect_eq "$(cat "$TMP/live.err")" ""
test_expect "both homes hold the same" same_digest hub lap
quiet_since=$SECONDS

test_begin "sync --live: refused and bad uses"

test_expect "--live without a peer is a usage error (exit 2)" \
	eval 'run rp lap sync --live; [ "$RC" = 2 ] && expect_match "$ERR" "^rapport: sync: --live needs a PEER or an ENDPOINT"'
nobody="tcp://127.0.0.1:$(free_port)"
test_expect "--live with a peer that is not there: exit 1, naming the endpoint" \
	expect_error_line 1 "cannot reach $nobody" rp lap sync "$nobody" --peer "$hub_id" --live
new_device stranger eve
rp_must stranger peer add hub "$(endpoint hub)" "$hub_id" >/dev/null
test_expect "a device the hub does not know: refused, exit 1, nothing given" \
	eval 'run rp stranger sync hub --live --json; [ "$RC" = 1 ] && [ -z "$OUT" ] && [ "$(status_of stranger .ops)" = 0 ]'
start_serve stranger "$(free_port)"
test_expect "... its daemon says so: peer list, refused: not a member, and when it retries" \
	eventually 10 eval 'run rp stranger peer list && expect_match "$OUT" "^hub .* refused: not a member \(retrying in [0-9]+ s\) "'
test_expect "... --json: state refused, refusal" \
	expect_stdout '["refused","not a member"]' rpq stranger '.daemon|[.state,.refusal]' peer list --json
test_expect "... and it was given nothing" expect_eq "$(status_of stranger .ops)" 0
test_expect "stranger: SIGTERM, exit 0" stop_serve stranger

test_begin "the daemon's live sessions under kill -9"

start_serve lap "$(free_port)"
test_expect "the laptop's daemon goes live with the hub" \
	eventually 10 eval '[ "$(rpq lap ".daemon.state" peer list --json)" = live ]'
test_expect "... one line in its log for it" \
	eventually 5 grep -q 'rapport: synced with hub, live: ' "${SERVE_LOG[lap]}"
test_expect "status: its live session, by peer" expect_stdout '["hub"]' rpq lap '[.daemon.live[].peer]' status --json
test_expect "... for people too" expect_match "$(rp lap status)" 'daemon.live: +hub \(out\)'
# Writes stream while the daemon is killed: 40 calls, one every 50 ms.
( for i in $(seq 40); do rp lap log "Bakery Blum" call "call $i" >/dev/null; sleep 0.05; done ) &
writer=$!
sleep 0.8
test_expect "kill -9 of the daemon while writes stream" kill9_serve lap
test_expect "... its live sync (a process of its own) goes with it within seconds" \
	eventually 5 eval '! pgrep -f -- "--home $TMP/lap sync" >/dev/null'
wait $writer
test_expect "the laptop wrote on meanwhile: its 40 calls are there" \
	expect_eq "$(rp lap show "Bakery Blum" --json | jq '[.interactions[] | select(.text | startswith("call "))] | length')" 40
start_serve lap "${SERVE_PORT[lap]}"
test_expect "started again: every call reaches the hub, no sync typed" \
	eventually 20 eval '[ "$(rp hub show "Bakery Blum" --json | jq "[.interactions[] | select(.text | startswith(\"call \"))] | length")" = 40 ]'
test_expect "status: the live session since when, what it sent, how far behind the hub is" \
	eventually 10 eval '[ "$(rpq lap ".daemon.live[0] | [(.since|type), .sent > 0, (.behind|type)]" status --json)" = "[\"string\",true,\"number\"]" ]'
test_expect "nothing lost, nothing applied twice: one digest, the same op count, fsck passes" \
	eval 'eventually 10 same_digest hub lap && [ "$(ops_of hub)" = "$(ops_of lap)" ] && expect_fsck_ok hub && expect_fsck_ok lap'
test_begin "heartbeats and silence"

test_expect "the hub let bob's session by hand go: its connection gone, or nothing heard for 15 s" \
	eventually 20 grep -q 'bob (.*): live session ended: \(its connection is gone\|nothing heard for 15 s\)$' "${SERVE_LOG[hub]}"
test_expect "heartbeats kept a quiet session through more than 15 s of nothing" \
	eval 'sleep $((quiet_since + 16 - SECONDS > 0 ? quiet_since + 16 - SECONDS : 0)); kill -0 $quiet_pid &&
	      ! grep -q "quinn.*live session ended" "${SERVE_LOG[hub]}" && [ "$(wc -l <"$TMP/quiet.out")" = 1 ]'
test_expect "... it SIGTERM: exit 0" eval 'kill -TERM $quiet_pid; wait $quiet_pid'

test_begin "the hub under kill -9"

test_expect "kill -9 of the hub while the laptop is live with it" kill9_serve hub
test_expect "the laptop says its live session ended, and dials again" \
	eventually 25 grep -q 'rapport: live session with hub ended: .*; dialling again in [0-9]* s$' "${SERVE_LOG[lap]}"
rp_must lap log "Bakery Blum" note "While the hub was down" >/dev/null
start_serve hub "${SERVE_PORT[hub]}"
test_expect "the hub back: the note reaches it, no command typed" \
	eventually 70 eval 'rp hub show "Bakery Blum" | grep -q "While the hub was down"'
test_expect "... and the laptop is live again" \
	eventually 10 eval '[ "$(rpq lap ".daemon.state" peer list --json)" = live ]'
test_expect "peer remove ends the live session" \
	eval 'rp lap peer remove hub && eventually 10 eval "! pgrep -f -- \"--home $TMP/lap sync\" >/dev/null"'

for h in lap hub; do
	test_expect "$h: SIGTERM, exit 0" stop_serve "$h"
done
test_expect "nothing of it is left running" expect_nothing_left

test_done
