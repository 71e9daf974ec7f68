#!/bin/bash
# tests/bench/daemon.sh — the daemon benchmarks (issue 13), with real
# `rapport serve` processes on 127.0.0.1 syncing by themselves (no `sync`
# typed). Called by run.sh; runs alone as well:
#   RAPPORT_BIN=./rapport bash tests/bench/daemon.sh
#
#   live_write_ms    from the end of a `rapport log` process on a laptop
#                    whose daemon dials the hub, to the op being in the
#                    hub's store (median and p90 of 20, 0.3 s apart; the
#                    hub's feed is read every 2 ms with mdb_stat).
#   mesh_handover_s  from the end of `rapport handover` at shop A's hub to
#                    the account being on the laptop of its new owner, a
#                    rep whose daemon knows only shop B's hub: shop A ⇄
#                    region ⇄ shop B ⇄ laptop, no command typed between.
# (jq -e -s: jq 1.6 -e exits 0 on empty input, as when show finds nothing)
set -eu
BENCH_NAME=daemon
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# serve HOME: its daemon on a free port, no beacons; waits until it listens.
serve() {
	local p i
	p=$(port)
	"$R" --home "$tmp/$1" serve --listen "tcp://127.0.0.1:$p" --no-discover 2>"$tmp/$1.log" &
	pids+=($!)
	for i in $(seq 100); do
		grep -q "serving on" "$tmp/$1.log" && { eval "ep_$1=tcp://127.0.0.1:$p"; return 0; }
		sleep 0.05
	done
	fail "serve on $1 did not start"
}
ops() { "$R" --home "$tmp/$1" status --json | jq .ops; }
# The hub's feed length, read straight from its store (mdb_stat, lmdb-utils:
# a few ms, where a rapport process and jq take some 40 ms).
feed() { mdb_stat -s arrival "$tmp/$1" | awk '/Entries:/ { print $2 }'; }
until_true() {   # SECS CMD...: CMD succeeds within SECS (polled every 2 ms)
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.002
	done
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ---- live_write_ms --------------------------------------------------------
"$R" --home "$tmp/hub" init --name ann --team Bench >/dev/null
"$R" --home "$tmp/lap" init --name bob >/dev/null
"$R" --home "$tmp/hub" member add bob "$("$R" --home "$tmp/lap" id)" --role manager >/dev/null
"$R" --home "$tmp/hub" account add "Bakery Blum" >/dev/null
serve hub
"$R" --home "$tmp/lap" peer add hub "$ep_hub" "$("$R" --home "$tmp/hub" id)"
serve lap
until_true 20 eval '"$R" --home "$tmp/lap" show "Bakery Blum" >/dev/null 2>&1' || fail "the laptop did not join"
sleep 3
times=()
for i in $(seq 20); do
	want=$(( $(feed hub) + 1 ))
	"$R" --home "$tmp/lap" log "Bakery Blum" call "call $i" >/dev/null
	t0=$(date +%s%N)
	until_true 10 eval '[ "$(feed hub)" -ge "$want" ]' || fail "write $i did not reach the hub"
	times+=("$(ms_since "$t0")")
	sleep 0.3
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
	printf "BENCH live_write_ms %d ms (p90 %d ms, 20 writes) limit=50 ratio=%.2f\n",
	       v[int(NR / 2) + 1], v[int(NR * 0.9)], 50 / (v[int(NR / 2) + 1] > 0 ? v[int(NR / 2) + 1] : 1) }'

# ---- mesh_handover_s ------------------------------------------------------
"$R" --home "$tmp/region" init --name rita --team Chain >/dev/null
for h in shopa:meg:manager shopb:hubb:hub bobl:bobby:rep catl:cat:rep; do
	IFS=: read -r home member role <<<"$h"
	"$R" --home "$tmp/$home" init --name "$member" >/dev/null
	"$R" --home "$tmp/region" member add "$member" "$("$R" --home "$tmp/$home" id)" --role "$role" >/dev/null
done
serve region
for h in shopa shopb; do
	"$R" --home "$tmp/$h" peer add region "$ep_region" "$("$R" --home "$tmp/region" id)"
	serve "$h"
done
"$R" --home "$tmp/bobl" peer add shopa "$ep_shopa" "$("$R" --home "$tmp/shopa" id)"
"$R" --home "$tmp/catl" peer add shopb "$ep_shopb" "$("$R" --home "$tmp/shopb" id)"
serve bobl
serve catl
until_true 30 eval '"$R" --home "$tmp/catl" status --json | jq -e -s "length == 1 and .[0].member == \"cat\"" >/dev/null' || fail "cat did not join"
"$R" --home "$tmp/bobl" account add "Deli Dora" >/dev/null
for i in $(seq 10); do "$R" --home "$tmp/bobl" log "Deli Dora" visit "visit $i" >/dev/null; done
"$R" --home "$tmp/bobl" follow-up "Deli Dora" "Send the quote" --due +3d >/dev/null
until_true 30 eval '"$R" --home "$tmp/shopa" show "Deli Dora" --json 2>/dev/null | jq -e -s "length == 1 and (.[0].interactions|length) == 10" >/dev/null' ||
	fail "bob's account did not reach shop A"
"$R" --home "$tmp/shopa" handover "Deli Dora" --to cat >/dev/null
t0=$(date +%s%N)
until_true 30 eval '"$R" --home "$tmp/catl" show "Deli Dora" --json 2>/dev/null |
	jq -e -s "length == 1 and (.[0] | .owner == \"cat\" and (.interactions|length) == 10 and (.followups|length) == 1)" >/dev/null' ||
	fail "the handover did not reach cat's laptop"
ms=$(ms_since "$t0")
awk -v ms="$ms" 'BEGIN { printf "BENCH mesh_handover_s %.2f s (shop A, region, shop B, laptop: 3 hops) limit=3 ratio=%.2f\n", ms / 1000, 3 / (ms / 1000) }'
