#!/bin/bash
# tests/bench/erase.sh — erasure reaching the disk (issue 9), with real
# `rapport serve` processes holding the homes. Called by run.sh; runs alone:
#   RAPPORT_BIN=./rapport bash tests/bench/erase.sh
#
#   erase_100k  s from the start of `rapport forget ACCOUNT` on a home of
#               100,000 ops whose daemon is serving, to no file of the home
#               holding the account's email (grep -a, polled every 20 ms).
#   purge_10k   s from the start of a rep's `rapport sync` that drops the
#               10,000 ops of the accounts handed away from it, its own
#               daemon serving, to none of their emails left in its home.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=erase
. "$here/lib.sh"
now() { date +%s.%N; }

# serve HOME: a daemon on HOME; SERVED is its port once it listens.
serve() {
	local i
	SERVED=$(port)
	"$R" --home "$1" serve --listen "tcp://127.0.0.1:$SERVED" --no-discover >/dev/null 2>"$1.log" &
	pids+=("$!")
	for i in $(seq 100); do
		grep -q "serving on" "$1.log" && return 0
		sleep 0.1
	done
	fail "rapport serve on $1 did not start"
}

# gone_after T0 HOME STRING: wait until no file of HOME holds STRING; print
# the seconds since T0.
gone_after() {
	local t0=$1 home=$2 s=$3 i
	for i in $(seq 1500); do
		grep -rqaF -- "$s" "$home" || { awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; return 0; }
		sleep 0.02
	done
	fail "$s still in $home after 30 s"
}

# ---- erase_100k
big=$tmp/big
"$R" --home "$big" init --name ann --team Bench >/dev/null 2>&1
perl "$here/gen_jsonl.pl" 1000 100 >"$tmp/100k.jsonl"
"$R" --home "$big" import "$tmp/100k.jsonl" >/dev/null 2>&1 || fail "import failed"
ops=$("$R" --home "$big" status --json | jq .ops)
serve "$big"
grep -rqaF "buyer7@example.com" "$big" || fail "the email is not in the store to begin with"
t0=$(now)
"$R" --home "$big" forget "Account 00007" --reason bench >/dev/null 2>&1 || fail "forget failed"
t1=$(now)
secs=$(gone_after "$t0" "$big" "buyer7@example.com")
awk -v s="$secs" -v ops="$ops" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "BENCH erase_100k %s s (store of %d ops, its daemon serving; forget itself %.2f s, then the daemon)\n", s, ops, b - a }'

# ---- purge_10k: alice's device holds 100 accounts x 100 interactions; the
# hub hands them all to bob; alice's sync, her daemon serving, drops them.
hub=$tmp/hub alice=$tmp/alice bob=$tmp/bob
"$R" --home "$hub" init --name ann --team Bench >/dev/null 2>&1
"$R" --home "$alice" init --name alice >/dev/null 2>&1
"$R" --home "$bob" init --name bob >/dev/null 2>&1
"$R" --home "$hub" member add alice "$("$R" --home "$alice" id)" --role rep >/dev/null
"$R" --home "$hub" member add bob "$("$R" --home "$bob" id)" --role rep >/dev/null
perl "$here/gen_jsonl.pl" 100 100 | sed 's/^{"name":/{"owner":"alice","name":/' >"$tmp/10k.jsonl"
"$R" --home "$hub" import "$tmp/10k.jsonl" >/dev/null 2>&1 || fail "import at the hub failed"
serve "$hub"
"$R" --home "$alice" peer add hub "tcp://127.0.0.1:$SERVED" "$("$R" --home "$hub" id)" >/dev/null
"$R" --home "$alice" sync hub >/dev/null 2>&1 || fail "alice could not join"
held=$("$R" --home "$alice" status --json | jq .ops)
serve "$alice"
"$R" --home "$hub" handover --from alice --to bob --offline >/dev/null 2>&1 || fail "handover failed"
t0=$(now)
"$R" --home "$alice" sync hub >/dev/null 2>"$tmp/purge.err" || { cat "$tmp/purge.err" >&2; fail "alice's sync failed"; }
t1=$(now)
secs=$(gone_after "$t0" "$alice" "buyer42@example.com")
awk -v s="$secs" -v ops="$held" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "BENCH purge_10k %s s (a rep device of %d ops, its daemon serving; the sync itself %.2f s)\n", s, ops, b - a }'
