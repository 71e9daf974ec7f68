#!/bin/bash
# tests/bench/sync.sh — the sync benchmarks (issue 4), with real `rapport serve`
# and `rapport sync` processes on 127.0.0.1. Called by run.sh (which passes
# VERIFY_LIMIT, measured in the same run); runs alone as well:
#   RAPPORT_BIN=./rapport BENCH_SIGN=build/tests/bench_sign bash tests/bench/sync.sh
# Prints the BENCH lines on stdout; progress and the cost of the preparation
# (time, peak memory) as "# ..." lines on stderr.
#
#   sync_fresh_100k       s for a new device to receive ~100,000 ops (the whole sync process)
#   sync_fresh_ops_per_s  the same as a rate, limit=verify_limit (one core)
#   hub_100_devices       s for 100 devices, 10 new ops each, syncing with one hub at once
#   sync_rss_1m           peak RssAnon (MiB) of either node in a fresh sync of ~1,000,000 ops,
#                         sampled every 10 ms (VmHWM beside it: it counts LMDB's mapped pages)
#   sync_incr_1_at_1m     ms for a whole sync process with 1 new op, both sides at ~1,000,000
#                         ops (median of 5)
# BENCH_1M=0 skips the last two (their preparation takes a few minutes).
set -eu
: "${RAPPORT_BIN:?set RAPPORT_BIN}"
export TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
R=$RAPPORT_BIN
BENCH_1M=${BENCH_1M:-1}
procs() { perl "$here/procs.pl" "$@"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rapport-bench.XXXXXX")
servers=""

# Stop a server: SIGTERM, at most 10 s for it to exit, then SIGKILL.
stop_server() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	servers=$(echo "$servers" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ' || true)
}
cleanup() {
	local pid
	for pid in $servers; do stop_server "$pid"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "# $*" >&2; }
fail() { echo "sync.sh: $*" >&2; exit 1; }

# Start `rapport serve` on HOME on a free 127.0.0.1 port: sets srv_pid and
# srv_port once it logs that it is listening (at most 10 s; another port if
# the one picked was taken meanwhile).
serve() {
	local home=$1 log=$2 try i
	for try in 1 2 3 4 5; do
		srv_port=$(perl -MIO::Socket::INET -e \
			'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0", ReuseAddr => 1)->sockport')
		"$R" --home "$home" serve --listen "tcp://127.0.0.1:$srv_port" --no-discover >/dev/null 2>"$log" &
		srv_pid=$!
		servers="$servers $srv_pid"
		for i in $(seq 100); do
			grep -q "serving on" "$log" && return 0
			kill -0 "$srv_pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_server "$srv_pid"
	done
	cat "$log" >&2
	fail "rapport serve on $home did not start"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ops_of() { "$R" --home "$1" status --json | jq .ops; }

# procs.pl's report → shell variables: wall, failed, peak_<label>_anon/_hwm (kB).
parse_procs() {
	wall=$(awk '$1=="wall"{print $2}' "$1")
	failed=$(awk '$1=="procs"{print $4}' "$1")
	eval "$(awk '$1=="peak"{printf "peak_%s_anon=%s peak_%s_hwm=%s\n", $2, $3, $2, $4}' "$1")"
}

# Run one preparation step and note its wall time and peak memory.
prep() {
	local label=$1 res="$tmp/prep.res"
	shift
	procs --watch-cmd --timeout 3600 --out "$tmp" -- "$@" >"$res" ||
		{ cat "$tmp/0.err" >&2; fail "$label failed"; }
	parse_procs "$res"
	note "$(printf 'prep %s: %.1f s, peak RssAnon %s MiB, VmHWM %s MiB' "$label" "$wall" \
		"$(mib "$peak_cmd_anon")" "$(mib "$peak_cmd_hwm")")"
}

# A new device DEV (init without a team) that HUB's admin adds to the roster
# as a manager (a full-scope device: it receives every op, as the figures
# mean), with HUB as its peer "hub" at PORT.
new_device() {
	local hub=$1 dev=$2 name=$3 port=$4 id
	"$R" --home "$dev" init --name "$name" >/dev/null 2>&1
	id=$("$R" --home "$dev" id)
	"$R" --home "$hub" member add "$name" "$id" --role manager >/dev/null
	"$R" --home "$dev" peer add hub "tcp://127.0.0.1:$port" "$("$R" --home "$hub" id)" >/dev/null
}

if [ -z "${VERIFY_LIMIT:-}" ]; then
	: "${BENCH_SIGN:?set BENCH_SIGN (or VERIFY_LIMIT)}"
	limits=$("$BENCH_SIGN")
	echo "$limits"
	VERIFY_LIMIT=$(echo "$limits" | awk '$2=="verify_limit"{print $3}')
fi

# ---- sync_fresh_100k: 1,000 accounts x 96 interactions (+ the accounts, the
# roster) = ~100,000 ops at the hub; a new device receives them all.
note "sync_fresh_100k: preparing the hub"
perl "$here/gen_jsonl.pl" 1000 96 >"$tmp/100k.jsonl"
"$R" --home "$tmp/h100k" init --name ann --team Bench >/dev/null 2>&1
prep "import 100k at the hub" "$R" --home "$tmp/h100k" import "$tmp/100k.jsonl"
serve "$tmp/h100k" "$tmp/h100k.log"
new_device "$tmp/h100k" "$tmp/d100k" bob "$srv_port"
hub_ops=$(ops_of "$tmp/h100k")
procs --watch hub="$srv_pid" --watch-cmd --timeout 900 --out "$tmp" -- \
	"$R" --home "$tmp/d100k" sync hub --json >"$tmp/fresh100k.res" ||
	{ cat "$tmp/0.err" "$tmp/h100k.log" >&2; fail "fresh sync of 100k failed"; }
parse_procs "$tmp/fresh100k.res"
received=$(jq .received "$tmp/0.out")
secs=$(jq .seconds "$tmp/0.out")
dev_ops=$(ops_of "$tmp/d100k")
[ "$dev_ops" = "$hub_ops" ] || fail "sync_fresh_100k: the device holds $dev_ops ops, the hub $hub_ops"
printf 'BENCH sync_fresh_100k %.2f s (%d ops received; the sync reports %.2f s)\n' "$wall" "$received" "$secs"
awk -v n="$received" -v t="$wall" -v lim="$VERIFY_LIMIT" 'BEGIN {
	r = n / t; printf "BENCH sync_fresh_ops_per_s %.0f ops/s limit=%.0f ratio=%.2f\n", r, lim, r / lim }'
note "sync_fresh_100k: peak RssAnon hub $(mib "$peak_hub_anon") MiB, device $(mib "$peak_cmd_anon") MiB;" \
	"VmHWM hub $(mib "$peak_hub_hwm") MiB, device $(mib "$peak_cmd_hwm") MiB"
stop_server "$srv_pid"

# ---- hub_100_devices: 100 devices, each in the roster and synced once, each
# with 10 new ops (1 account + 9 interactions), all syncing at once.
note "hub_100_devices: preparing 100 devices"
t0=$(date +%s.%N)
"$R" --home "$tmp/hub" init --name ann --team Bench >/dev/null 2>&1
perl "$here/gen_jsonl.pl" 10 10 >"$tmp/hub.jsonl"
"$R" --home "$tmp/hub" import "$tmp/hub.jsonl" >/dev/null 2>&1
serve "$tmp/hub" "$tmp/hub.log"
hub_id=$("$R" --home "$tmp/hub" id)
: >"$tmp/devices"
for i in $(seq -w 1 100); do
	"$R" --home "$tmp/dev$i" init --name "rep$i" >/dev/null 2>&1
	"$R" --home "$tmp/dev$i" peer add hub "tcp://127.0.0.1:$srv_port" "$hub_id" >/dev/null
	echo "$tmp/dev$i" >>"$tmp/devices"
done
t1=$(date +%s.%N)
for i in $(seq -w 1 100); do     # the CLI adds one member per process
	"$R" --home "$tmp/hub" member add "rep$i" "$("$R" --home "$tmp/dev$i" id)" --role rep >/dev/null
done
t2=$(date +%s.%N)
mkdir -p "$tmp/first" "$tmp/ops" "$tmp/out"
procs --each "$tmp/devices" --timeout 600 --out "$tmp/first" -- "$R" --home {} sync hub --json >"$tmp/first.res" ||
	{ cat "$tmp/first.res" "$tmp"/first/*.err >&2; fail "hub_100_devices: a first sync failed"; }
t3=$(date +%s.%N)
for i in $(seq -w 1 100); do
	{ printf '{"name":"Device %s shop","interactions":[' "$i"
	  for j in 1 2 3 4 5 6 7 8 9; do
		[ "$j" = 1 ] || printf ','
		printf '{"type":"call","at":"2026-03-0%dT10:00:00Z","text":"call %d from device %s"}' "$j" "$j" "$i"
	  done
	  printf ']}\n'; } >"$tmp/dev$i.jsonl"
done
procs --each "$tmp/devices" --timeout 600 --out "$tmp/ops" -- "$R" --home {} import {}.jsonl >"$tmp/ops.res" ||
	{ cat "$tmp"/ops/*.err >&2; fail "hub_100_devices: a device's import failed"; }
t4=$(date +%s.%N)
note "$(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" 'BEGIN {
	printf "prep hub_100_devices: 100 inits + peer adds %.1f s, 100 member adds %.1f s, 100 first syncs at once %.1f s, 100 x 10 new ops %.1f s", b - a, c - b, d - c, e - d }')"
hub_before=$(ops_of "$tmp/hub")
procs --each "$tmp/devices" --watch hub="$srv_pid" --timeout 600 --out "$tmp/out" -- \
	"$R" --home {} sync hub --json >"$tmp/hub100.res" ||
	{ cat "$tmp/hub100.res" "$tmp"/out/*.err >&2; fail "hub_100_devices: a sync failed"; }
parse_procs "$tmp/hub100.res"
hub_after=$(ops_of "$tmp/hub")
sent=$(cat "$tmp"/out/*.out | jq -s 'map(.sent) | add')
received=$(cat "$tmp"/out/*.out | jq -s 'map(.received) | add')
arrived=$((hub_after - hub_before))
slowest=$(awk '$1=="each"{print $3}' "$tmp/hub100.res")
printf 'BENCH hub_100_devices %.2f s (%d of 1000 new ops arrived: hub %d -> %d ops, %d sent; the devices received %d of one another'"'"'s; slowest sync %.2f s)\n' \
	"$wall" "$arrived" "$hub_before" "$hub_after" "$sent" "$received" "$slowest"
note "hub_100_devices: hub peak RssAnon $(mib "$peak_hub_anon") MiB, VmHWM $(mib "$peak_hub_hwm") MiB"
[ "$arrived" = 1000 ] || fail "hub_100_devices: $arrived of 1000 ops arrived at the hub"
stop_server "$srv_pid"

if [ "$BENCH_1M" = 0 ]; then
	note "BENCH_1M=0: sync_rss_1m and sync_incr_1_at_1m skipped"
	exit 0
fi

# ---- the 1M pair: 10,000 accounts x 96 interactions (+ the accounts, the
# roster) = ~1,000,000 ops imported at the hub, then one fresh sync to a new
# device, sampling both nodes' memory: sync_rss_1m. Then 5 times: the hub logs
# 1 op, the device syncs: sync_incr_1_at_1m.
t0=$(date +%s.%N)
perl "$here/gen_jsonl.pl" 10000 96 >"$tmp/1m.jsonl"
note "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "prep generate the 1M JSONL: %.1f s", b - a }')"
"$R" --home "$tmp/h1m" init --name ann --team Bench >/dev/null 2>&1
note "1M: importing at the hub (about a minute)"
prep "import 1M at the hub" "$R" --home "$tmp/h1m" import "$tmp/1m.jsonl"
rm -f "$tmp/1m.jsonl"
serve "$tmp/h1m" "$tmp/h1m.log"
new_device "$tmp/h1m" "$tmp/d1m" bob "$srv_port"
hub_ops=$(ops_of "$tmp/h1m")
note "1M: fresh sync of $hub_ops ops to a new device (a minute or two)"
procs --watch hub="$srv_pid" --watch-cmd --timeout 3600 --out "$tmp" -- \
	"$R" --home "$tmp/d1m" sync hub --json >"$tmp/fresh1m.res" ||
	{ cat "$tmp/0.err" "$tmp/h1m.log" >&2; fail "fresh sync of 1M failed"; }
parse_procs "$tmp/fresh1m.res"
received=$(jq .received "$tmp/0.out")
dev_ops=$(ops_of "$tmp/d1m")
[ "$dev_ops" = "$hub_ops" ] || fail "1M: the device holds $dev_ops ops, the hub $hub_ops"
note "$(awk -v t="$wall" -v n="$received" 'BEGIN {
	printf "prep fresh sync of 1M: %.1f s, %d ops received (%.0f ops/s)", t, n, n / t }')"
samples=$(awk '$1=="peak" && $2=="cmd"{print $5}' "$tmp/fresh1m.res")
max_anon=$peak_hub_anon
if [ "$peak_cmd_anon" -gt "$max_anon" ]; then max_anon=$peak_cmd_anon; fi
printf 'BENCH sync_rss_1m %s MiB (RssAnon peak: hub %s MiB, device %s MiB; VmHWM peak: hub %s MiB, device %s MiB; %d samples every 10 ms)\n' \
	"$(mib "$max_anon")" "$(mib "$peak_hub_anon")" "$(mib "$peak_cmd_anon")" \
	"$(mib "$peak_hub_hwm")" "$(mib "$peak_cmd_hwm")" "$samples"

note "1M: 5 incremental syncs"
runs=""
for i in 1 2 3 4 5; do
	"$R" --home "$tmp/h1m" log "Account 00001" call "incremental $i" >/dev/null
	procs --timeout 60 --out "$tmp" -- "$R" --home "$tmp/d1m" sync hub --json >"$tmp/incr.res" ||
		{ cat "$tmp/0.err" >&2; fail "incremental sync $i failed"; }
	r=$(jq .received "$tmp/0.out")
	[ "$r" = 1 ] || fail "incremental sync $i received $r ops, not 1"
	runs="$runs $(awk '$1=="wall"{printf "%.1f", $2 * 1000}' "$tmp/incr.res")"
done
dev_ops=$(ops_of "$tmp/d1m")
median=$(echo $runs | tr ' ' '\n' | sort -n | sed -n 3p)
printf 'BENCH sync_incr_1_at_1m %s ms (median of 5:%s ms; 1 op each; the device then holds %d ops)\n' \
	"$median" "$runs" "$dev_ops"
stop_server "$srv_pid"
