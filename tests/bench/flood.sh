#!/bin/bash
# tests/bench/flood.sh — hub_under_flood (issue 10): one member's devices
# flooding a hub of ~50,000 ops (tests/tools/rp_flood), and an honest rep's
# `rapport sync` (one new op each) beside it. Called by run.sh; runs alone:
#   RAPPORT_BIN=./rapport RP_FLOOD=build/tests/tools/rp_flood bash tests/bench/flood.sh
#
#   hub_under_flood_<attack>_p50 / _p99   ms of 20 honest syncs during the attack
#   hub_under_flood_<attack>_rss          MiB, the hub's peak VmRSS (sampled each 0.1 s)
# for attack = none (the same figures with nothing going on), slots (1,100
# sessions from one key, the honest syncs starting with the flood, its
# handshake storm included), greedy (200 sessions asking for the whole feed,
# from 51 keys), stale (acks that try to buy credit, in a loop), junk
# (60,000 ops signed by keys no roster names) and loris (300 trickling
# sessions). limit= is the bound DESIGN.md §8 sets: 2,000 ms, 256 MiB.
set -eu
: "${RP_FLOOD:?set RP_FLOOD}"
here=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=flood
. "$here/lib.sh"
F=$RP_FLOOD

note "hub_under_flood: preparing a hub of ~50,000 ops"
perl "$here/gen_jsonl.pl" 500 99 >"$tmp/hub.jsonl"
"$R" --home "$tmp/hub" init --name ann --team Bench >/dev/null 2>&1
"$R" --home "$tmp/hub" import "$tmp/hub.jsonl" >/dev/null 2>&1
for m in rita mal jay; do
	"$R" --home "$tmp/$m" init --name "$m" >/dev/null 2>&1
	"$R" --home "$tmp/hub" member add "$m" "$("$R" --home "$tmp/$m" id)" --role rep >/dev/null
done
greedy="$tmp/mal"
for i in $(seq 50); do
	"$R" --home "$tmp/g$i" init --name "g$i" >/dev/null 2>&1
	"$R" --home "$tmp/hub" member add "g$i" "$("$R" --home "$tmp/g$i" id)" --role manager >/dev/null
	greedy="$greedy,$tmp/g$i"
done
"$R" --home "$tmp/hub" account add "Rita's Bakery" --owner rita >/dev/null
hub_id=$("$R" --home "$tmp/hub" id)
p=$(port)
"$R" --home "$tmp/hub" serve --listen "tcp://127.0.0.1:$p" --no-discover 2>"$tmp/hub.log" &
hub_pid=$!
pids+=("$hub_pid")
for i in $(seq 100); do grep -q "serving on" "$tmp/hub.log" && break; sleep 0.1; done
ep="tcp://127.0.0.1:$p"
for m in rita mal jay; do
	"$R" --home "$tmp/$m" peer add hub "$ep" "$hub_id" >/dev/null
	"$R" --home "$tmp/$m" sync hub >/dev/null || fail "$m's first sync failed"
done

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$hub_pid/status"; }

# measure NAME DELAY [FLOOD ARGS...]: 20 honest syncs, DELAY s after the
# flood (if any) started; the flood runs until they are done.
measure() {
	local name=$1 delay=$2 fpid="" spid i t0 ms=() sorted peak
	shift 2
	if [ $# -gt 0 ]; then
		"$F" "$@" >"$tmp/$name.out" 2>&1 &
		fpid=$!
		pids+=("$fpid")
	fi
	(while :; do rss; sleep 0.1; done >"$tmp/$name.rss") &
	spid=$!
	sleep "$delay"
	for i in $(seq 20); do
		"$R" --home "$tmp/rita" log "Rita's Bakery" call "$name $i" >/dev/null
		t0=$(date +%s%N)
		"$R" --home "$tmp/rita" sync hub >/dev/null 2>"$tmp/$name.err" || note "$name: honest sync $i failed: $(cat "$tmp/$name.err")"
		ms+=($((($(date +%s%N) - t0) / 1000000)))
		sleep 0.1
	done
	[ -n "$fpid" ] && { wait "$fpid" || true; }
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	sorted=$(printf '%s\n' "${ms[@]}" | sort -n)
	peak=$(sort -n "$tmp/$name.rss" | tail -n 1)
	echo "BENCH hub_under_flood_${name}_p50 $(echo "$sorted" | sed -n 10p) ms limit=2000"
	echo "BENCH hub_under_flood_${name}_p99 $(echo "$sorted" | tail -n 1) ms limit=2000"
	awk -v k="$peak" 'BEGIN { printf "BENCH hub_under_flood_'"$name"'_rss %.0f MiB limit=256 ratio=%.2f\n", k / 1024, k / 1024 / 256 }'
}

measure none 0
measure slots 0 "$tmp/mal" "$ep" "$hub_id" hold 1100 12 20000
measure greedy 0 "$greedy" "$ep" "$hub_id" greedy 200 12
measure stale 0 "$tmp/mal" "$ep" "$hub_id" stale 12
measure junk 1.5 "$tmp/jay" "$ep" "$hub_id" junk 60000
measure loris 1.5 "$tmp/mal" "$ep" "$hub_id" hold 300 12 1000
