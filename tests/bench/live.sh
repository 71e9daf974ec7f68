#!/bin/bash
# tests/bench/live.sh — hub_200_live (issue 13): a hub holding 200 live
# sessions (`rapport sync hub --live`, 200 processes, each a rep's device
# of its own) while 20 of them write. Called by run.sh; runs alone as well:
#   RAPPORT_BIN=./rapport bash tests/bench/live.sh
#
#   hub_200_live      the hub's peak RssAnon (sampled every 50 ms from
#                     /proc) while it holds the 200 sessions and the writes
#                     go through, against 64 MiB; beside it the p99 and
#                     median delivery time: from the end of a writer's
#                     `rapport log` to the op being at an observer, a
#                     manager's device live with the same hub (5 waves of
#                     20 writers at once; the observer's JSONL rounds say
#                     when its ops came, the k-th op to end is matched with
#                     the k-th to arrive).
# LIVE_N (default 200) and LIVE_WRITERS (20) change the sizes.
set -eu
BENCH_NAME=live
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
N=${LIVE_N:-200}
W=${LIVE_WRITERS:-20}
WAVES=5
ulimit -n 4096 2>/dev/null || true

"$R" --home "$tmp/hub" init --name hub --team Bench >/dev/null
hub_id=$("$R" --home "$tmp/hub" id)
p=$(port)
ep="tcp://127.0.0.1:$p"
for i in $(seq "$N"); do
	"$R" --home "$tmp/r$i" init --name "rep$i" >/dev/null 2>&1
	"$R" --home "$tmp/hub" member add "rep$i" "$("$R" --home "$tmp/r$i" id)" --role rep >/dev/null
	"$R" --home "$tmp/r$i" peer add hub "$ep" "$hub_id" >/dev/null
done
"$R" --home "$tmp/obs" init --name obs >/dev/null 2>&1
"$R" --home "$tmp/hub" member add obs "$("$R" --home "$tmp/obs" id)" --role manager >/dev/null
"$R" --home "$tmp/obs" peer add hub "$ep" "$hub_id" >/dev/null
# each writer owns an account, so its writes are its own to make
for i in $(seq "$W"); do
	"$R" --home "$tmp/hub" account add "Shop $i" --owner "rep$i" >/dev/null
done

"$R" --home "$tmp/hub" serve --listen "$ep" --no-discover --no-dial 2>"$tmp/hub.log" &
hub_pid=$!
pids+=("$hub_pid")
for i in $(seq 100); do grep -q "serving on" "$tmp/hub.log" && break; sleep 0.05; done
( while kill -0 "$hub_pid" 2>/dev/null; do
	awk '/^RssAnon:/ { print $2 }' "/proc/$hub_pid/status" 2>/dev/null
	sleep 0.05
  done ) >"$tmp/rss" &
pids+=($!)

# the observer: one JSONL line per round, stamped as it is read
( "$R" --home "$tmp/obs" sync hub --live --json 2>"$tmp/obs.err" | while IFS= read -r line; do
	printf '%s %s\n' "$(date +%s%N)" "$(jq -r .received <<<"$line")"
  done ) >"$tmp/obs.rounds" &
pids+=($!)
for i in $(seq "$N"); do
	"$R" --home "$tmp/r$i" sync hub --live --json >"$tmp/r$i.out" 2>"$tmp/r$i.err" &
	pids+=($!)
done
deadline=$((SECONDS + 120))
until [ "$(grep -c ': live session:' "$tmp/hub.log")" -ge $((N + 1)) ]; do
	[ "$SECONDS" -lt "$deadline" ] || fail "only $(grep -c ': live session:' "$tmp/hub.log") of $((N + 1)) sessions went live in 120 s"
	sleep 0.2
done
note "$((N + 1)) live sessions on the hub"
sleep 2
# the writers must hold their accounts before they write
for i in $(seq "$W"); do
	for k in $(seq 200); do "$R" --home "$tmp/r$i" show "Shop $i" >/dev/null 2>&1 && break; sleep 0.05; done
done
base=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/obs.rounds")

: >"$tmp/ends"
for wave in $(seq "$WAVES"); do
	for i in $(seq "$W"); do
		( "$R" --home "$tmp/r$i" log "Shop $i" call "wave $wave" >/dev/null && date +%s%N >>"$tmp/ends" ) &
	done
	wait_for=$((wave * W))
	deadline=$((SECONDS + 30))
	until [ "$(wc -l <"$tmp/ends")" -ge "$wait_for" ] &&
	      [ "$(awk '{ s += $2 } END { print s + 0 }' "$tmp/obs.rounds")" -ge $((base + wait_for)) ]; do
		[ "$SECONDS" -lt "$deadline" ] || { note "ends: $(wc -l <"$tmp/ends"), observer: $(cat "$tmp/obs.rounds" | tr "\n" " "), base $base"; cat "$tmp/obs.err" "$tmp/r1.err" >&2; fail "wave $wave did not reach the observer in 30 s"; }
		sleep 0.01
	done
	sleep 0.5
done
sleep 1
total=$((WAVES * W))
# arrival times of ops base+1 .. base+total, one per op
awk -v base="$base" '{ for (k = 0; k < $2; k++) { n++; if (n > base) print $1 } }' "$tmp/obs.rounds" |
	head -n "$total" >"$tmp/arrive"
sort -n "$tmp/ends" >"$tmp/ends.sorted"
paste "$tmp/ends.sorted" "$tmp/arrive" | awk '{ d = ($2 - $1) / 1e6; print (d < 0 ? 0 : d) }' | sort -n >"$tmp/delays"
rss=$(sort -n "$tmp/rss" | tail -n 1)
awk -v rss="$rss" -v n="$N" -v w="$W" '{ v[NR] = $1 } END {
	p99 = v[int(NR * 0.99) > 0 ? int(NR * 0.99) : 1]; med = v[int(NR / 2) + 1];
	printf "BENCH hub_200_live %.1f MiB (peak RssAnon of the hub, %d live sessions, %d writing) limit=64 ratio=%.2f\n",
	       rss / 1024, n + 1, w, 64 / (rss / 1024);
	printf "BENCH hub_200_live_delivery_p99 %.0f ms (median %.0f ms, %d writes, writer to observer through the hub)\n",
	       p99, med, NR }' "$tmp/delays"
