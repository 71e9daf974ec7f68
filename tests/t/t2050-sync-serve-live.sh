#!/bin/bash
# `rapport serve` as a user runs it: CLI commands keep working on the home
# while it serves, and what they write is served at the next sync; SIGTERM
# and SIGINT stop it with exit 0 (also in the middle of a sync, which the
# next sync then resumes); it refuses to start where it cannot serve.
. ./lib.sh

new_team hub ann Shop
new_device rep1 bob
hub_id="$(rp_must hub id)"
rp_must hub member add bob "$(rp_must rep1 id)" --role manager >/dev/null
port="$(free_port)"
start_serve hub "$port"
hub_ep="$(endpoint hub)"
rp_must rep1 peer add hub "$hub_ep" "$hub_id"

test_begin "CLI writes while serve runs"

test_expect "the hub's log says it serves on the endpoint as ann, with its id" \
	expect_match "$(cat "${SERVE_LOG[hub]}")" "rapport: serving on $(re_quote "$hub_ep") as ann \\($hub_id\\)\$"
test_expect "rep1 joins" sync_ok rep1 hub
test_expect "account add on the hub's home while it serves: exit 0, within 5 s" \
	eval 'expect_stdout_match "^[a-z2-7]{26}\$" timed timeout 20 "$RAPPORT_BIN" --home "$TMP/hub" account add "Bakery Blum" --email blum@example.com && expect_within 5000'
blum="$OUT"
test_expect "log and follow-up on it too" \
	eval 'rp hub log blum visit "Met the owner" >/dev/null && rp hub follow-up blum "Send the quote" --due +3d >/dev/null'
test_expect "the hub's CLI reads its own writes at once" \
	expect_stdout '["Bakery Blum",["Met the owner"],["Send the quote"]]' \
	rpq hub '[.name,[.interactions[].text],[.followups[].text]]' show "$blum" --json
test_expect "rep1: sync hub serves them: 4 ops, 1 account changed" sync_ok rep1 hub
test_expect "... sent 0 ops, received 4 ops" \
	expect_match "$OUT" '^synced with hub: sent 0 ops, received 4 ops \(1 account changed\)'
test_expect "... rep1 shows the account as the hub does" \
	expect_stdout '["Bakery Blum","ann",["Met the owner"],["Send the quote"]]' \
	rpq rep1 '[.name,.owner,[.interactions[].text],[.followups[].text]]' show "$blum" --json
test_expect "rep1 writes and syncs: the serving hub takes it" \
	eval 'rp rep1 account add "Cafe Corner" >/dev/null && sync_ok rep1 hub'
test_expect "... sent 1 op" expect_match "$OUT" '^synced with hub: sent 1 op, received 0 ops '
test_expect "... and the hub's CLI sees it while serve still runs" \
	expect_stdout '["Bakery Blum","Cafe Corner"]' rpqs hub '[.[].name]|sort' export
test_expect "a write made between two syncs is served by the same serve process" \
	eval 'rp hub log blum call "Called back" >/dev/null && sync_ok rep1 hub'
test_expect "... received 1 op" expect_match "$OUT" '^synced with hub: sent 0 ops, received 1 op '
test_expect "the digests are equal" expect_same_digest hub rep1
test_expect "the serve process is the one started at first" \
	expect_eq "$(grep -c 'serving on' "${SERVE_LOG[hub]}")" 1

test_begin "SIGTERM and SIGINT stop serve cleanly"

test_expect "SIGTERM: exit 0 within 15 s" stop_serve hub
test_expect "... its log ends with 'stopped'" expect_match "$(tail -n 1 "${SERVE_LOG[hub]}")" 'rapport: stopped$'
test_expect "... the port is free" expect_not port_listening "$port"
test_expect "... fsck passes on the hub" expect_fsck_ok hub
start_serve hub "$port"
test_expect "serve starts again on the same port and serves" sync_ok rep1 hub
test_expect "SIGINT: exit 0 within 15 s" eval '
	pid=${SERVE_PID[hub]}; SERVE_PID[hub]=
	kill -INT "$pid" && wait_gone "$pid" 15 && wait "$pid"'

test_begin "SIGTERM in the middle of a sync"

# 2,000 interactions of 4 KB each: 8 MB, 32 batches, four times what one
# side may have in flight (credit), so a stop does cut the sync short.
fat_jsonl "$TMP/fat.jsonl"
rp_must hub import "$TMP/fat.jsonl" >/dev/null
hub_ops="$(status_of hub .ops)"
start_serve hub "$port"
new_device rep2 cat
rp_must hub member add cat "$(rp_must rep2 id)" --role manager >/dev/null
hub_ops=$((hub_ops + 2))
rp_must rep2 peer add hub "$hub_ep" "$hub_id"
"$RAPPORT_BIN" --home "$TMP/rep2" sync hub >"$TMP/mid.out" 2>"$TMP/mid.err" &
sync_pid=$!
_serve_pids+=("$sync_pid")
for _ in $(seq 1 500); do
	[ "$(status_of rep2 .ops)" -ge 50 ] 2>/dev/null && break
	_alive "$sync_pid" || break
	sleep 0.02
done
test_expect "SIGTERM while rep2 receives $hub_ops ops: serve exits 0" stop_serve hub
test_expect "... rep2's sync ends within 15 s" wait_gone "$sync_pid" 15
wait "$sync_pid"
mid_rc=$?
held="$(status_of rep2 .ops)"
if [ "$held" -lt "$hub_ops" ]; then
	test_expect "... and, cut off after $held of $hub_ops ops, exits 1 naming the endpoint" \
		eval '[ "$mid_rc" -eq 1 ] && expect_match "$(cat "$TMP/mid.err")" "^rapport: .*$(re_quote "$hub_ep")"'
else
	test_expect "... and, having finished before the stop, exits 0" expect_eq "$mid_rc" 0
fi
start_serve hub "$port"
test_expect "the next sync completes what is left: $((hub_ops - held)) ops" \
	expect_exit 0 rpt rep2 sync hub --json
printf '%s\n' "$OUT" >"$TMP/resume.json"
test_expect "... no duplicates" expect_json "$TMP/resume.json" '[.received,.duplicates]' "[$((hub_ops - held)),0]"
test_expect "... the digests are equal" expect_same_digest hub rep2
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_begin "serve refuses to start where it cannot serve"

new_device lone lou
test_expect "on a device not in a team: exit 1, one line saying so" \
	expect_error_line 1 'team' timeout 20 "$RAPPORT_BIN" --home "$TMP/lone" serve --listen "tcp://127.0.0.1:$(free_port)" --no-discover
start_serve hub "$port"
test_expect "on a port already in use: exit 1, naming the endpoint" \
	expect_error_line 1 "$(re_quote "$hub_ep")" timeout 20 "$RAPPORT_BIN" --home "$TMP/rep1" serve --listen "$hub_ep" --no-discover
test_expect "... the first serve still runs" serve_alive hub
test_expect "a bad endpoint is a usage error" \
	expect_error 2 'endpoint' timeout 20 "$RAPPORT_BIN" --home "$TMP/hub" serve --listen "udp://127.0.0.1:$port"
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_expect "no process of this test is left running" expect_nothing_left

test_done
