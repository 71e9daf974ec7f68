#!/bin/bash
# tests/bench/handover.sh — the handover benchmark (issue 5), with real
# `rapport serve`, `rapport handover` and `rapport sync` processes on
# 127.0.0.1. Called by run.sh (which passes VERIFY_LIMIT, measured in the same
# run); runs alone as well:
#   RAPPORT_BIN=./rapport BENCH_SIGN=build/tests/bench_sign bash tests/bench/handover.sh
# Prints the BENCH line on stdout; progress and the preparation as "# ..."
# lines on stderr.
#
#   handover_10k  s from `rapport handover --from alice --to bob` (1,000
#                 accounts, 10,000 interactions, run at the hub, which holds
#                 them) to bob's device holding all of them after one
#                 `rapport sync` (the whole handover and sync processes).
#                 limit = the ops bob's device receives / verify_limit: the
#                 time one core needs to verify their signatures.
set -eu
: "${RAPPORT_BIN:?set RAPPORT_BIN}"
export TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
R=$RAPPORT_BIN
ACCOUNTS=${HANDOVER_ACCOUNTS:-1000}
PER=${HANDOVER_PER:-10}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rapport-bench-handover.XXXXXX")
srv_pid=""

stop_server() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	[ -z "$srv_pid" ] || stop_server "$srv_pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "# $*" >&2; }
fail() { echo "handover.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
ops_of() { "$R" --home "$1" status --json | jq .ops; }

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
		for i in $(seq 100); do
			grep -q "serving on" "$log" && return 0
			kill -0 "$srv_pid" 2>/dev/null || break
			sleep 0.1
		done
		stop_server "$srv_pid"
		srv_pid=""
	done
	cat "$log" >&2
	fail "rapport serve on $home did not start"
}

if [ -z "${VERIFY_LIMIT:-}" ]; then
	: "${BENCH_SIGN:?set BENCH_SIGN (or VERIFY_LIMIT)}"
	VERIFY_LIMIT=$("$BENCH_SIGN" | awk '$2=="verify_limit"{print $3}')
fi

# ---- the team: ann's hub (admin), alice and bob (reps). The hub imports
# 1,000 accounts x 10 interactions owned by alice (import honours "owner"
# when it names a member); bob's device has joined and holds none of them.
t0=$(now)
hub=$tmp/hub bob=$tmp/bob alice=$tmp/alice
"$R" --home "$hub" init --name ann --team Bench >/dev/null 2>&1
"$R" --home "$alice" init --name alice >/dev/null 2>&1
"$R" --home "$bob" init --name bob >/dev/null 2>&1
"$R" --home "$hub" member add alice "$("$R" --home "$alice" id)" --role rep >/dev/null
"$R" --home "$hub" member add bob "$("$R" --home "$bob" id)" --role rep >/dev/null
perl "$here/gen_jsonl.pl" "$ACCOUNTS" "$PER" | sed 's/^{"name":/{"owner":"alice","name":/' >"$tmp/10k.jsonl"
"$R" --home "$hub" import "$tmp/10k.jsonl" >/dev/null 2>"$tmp/import.err" ||
	{ cat "$tmp/import.err" >&2; fail "import at the hub failed"; }
owned=$("$R" --home "$hub" account list --owner alice --json | jq -s length)
[ "$owned" = "$ACCOUNTS" ] || fail "alice owns $owned accounts at the hub, not $ACCOUNTS"
serve "$hub" "$tmp/hub.log"
"$R" --home "$bob" peer add hub "tcp://127.0.0.1:$srv_port" "$("$R" --home "$hub" id)" >/dev/null
"$R" --home "$bob" sync hub >/dev/null 2>"$tmp/join.err" || { cat "$tmp/join.err" >&2; fail "bob could not join"; }
before=$("$R" --home "$bob" export | jq -s length)
[ "$before" = 0 ] || fail "bob's device holds $before accounts before the handover"
note "$(awk -v a="$t0" -v b="$(now)" -v ops="$(ops_of "$hub")" 'BEGIN {
	printf "prep handover_10k: team, import and join %.1f s (%d ops at the hub)", b - a, ops }')"

# ---- the figure: the handover process, then bob's one sync.
t1=$(now)
"$R" --home "$hub" handover --from alice --to bob --note "bench" >"$tmp/handover.out" 2>"$tmp/handover.err" ||
	{ cat "$tmp/handover.err" >&2; fail "handover failed"; }
t2=$(now)
timeout 600 "$R" --home "$bob" sync hub --json >"$tmp/sync.json" 2>"$tmp/sync.err" ||
	{ cat "$tmp/sync.err" "$tmp/hub.log" >&2; fail "bob's sync failed"; }
t3=$(now)

"$R" --home "$bob" export >"$tmp/bob.jsonl"
held=$(jq -s 'map(select(.owner == "bob")) | length' "$tmp/bob.jsonl")
ix=$(jq -s 'map(.interactions | length) | add // 0' "$tmp/bob.jsonl")
received=$(jq .received "$tmp/sync.json")
incomplete=$(jq '.incomplete // 0' "$tmp/sync.json")
[ "$held" = "$ACCOUNTS" ] && [ "$ix" = $((ACCOUNTS * PER)) ] ||
	fail "after one sync bob's device holds $held of $ACCOUNTS accounts, $ix of $((ACCOUNTS * PER)) interactions ($incomplete incomplete); $(head -c 300 "$tmp/handover.out")"
awk -v a="$t1" -v b="$t2" -v c="$t3" -v n="$held" -v ix="$ix" -v r="$received" -v lim="$VERIFY_LIMIT" 'BEGIN {
	t = c - a; l = r / lim;
	printf "BENCH handover_%dk %.2f s (%d accounts, %d interactions, %d ops received; handover %.2f s, sync %.2f s) limit=%.2f ratio=%.2f\n",
		ix / 1000, t, n, ix, r, b - a, c - b, l, l / t }'
note "handover_10k: $(cat "$tmp/handover.out")"
