#!/bin/bash
# tests/bench/query.sh — the daily questions on a large team's history
# (issue 15): a team from gen_team.pl (ACCOUNTS accounts, about 10
# interactions each, ten reps, tags, follow-ups and complaints around now),
# imported, then each question asked by whole `rapport` processes: the
# median wall time of 5 runs and the peak RSS of any of them.
#
#   BENCH <question>_<size> <ms> ms (peak <MiB> MiB) limit=<target ms> ratio=<target/ms>
#
# at_risk prints the first screen (--limit 50); at_risk_all every row, a
# list as long as the accounts at risk (no target: its printing time).
#
# QUERY_SIZES (default "10000 100000") picks the team sizes; the suffix is
# 10k, 100k, or 1m for the interaction-count figures (find, show, log).
set -eu
: "${RAPPORT_BIN:?set RAPPORT_BIN}"
R=$RAPPORT_BIN
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rapport-bench-query.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC RAPPORT_NOW=2026-12-01T09:00:00Z

# median ms of 5 runs of the command (spawn.pl), and its peak MiB (one more run)
measure() {
	local t m
	t=$(perl "$here/spawn.pl" 5 "$@" | awk '{ print $1 }')
	/usr/bin/time -f '%M' -o "$tmp/t" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
	m=$(awk '{ printf "%.0f", $1 / 1024 }' "$tmp/t")
	echo "$t $m"
}

report() {    # name limit_ms cmd...
	local name=$1 limit=$2 r
	shift 2
	r=$(measure "$@")
	set -- $r
	awk -v n="$name" -v t="$1" -v m="$2" -v l="$limit" 'BEGIN {
		printf "BENCH %s %.1f ms (peak %d MiB)", n, t, m
		if (l > 0) printf " limit=%d ratio=%.2f", l, (t > 0 ? l / t : l)
		printf "\n" }'
}

for size in ${QUERY_SIZES:-10000 100000}; do
	case $size in 10000) s=10k; si=100k ;; 100000) s=100k; si=1m ;; *) s=$size; si=${size}x10 ;; esac
	h=$tmp/h$size
	"$R" --home "$h" init --name ann --team Bench >/dev/null 2>&1
	for i in 0 1 2 3 4 5 6 7 8 9; do
		# the reps' devices, made once for every size
		[ -e "$tmp/rep$i" ] || "$R" --home "$tmp/rep$i" init --name "rep$i" >/dev/null 2>&1
		"$R" --home "$h" member add "rep$i" "$("$R" --home "$tmp/rep$i" id)" --role rep >/dev/null
	done
	perl "$here/gen_team.pl" "$size" 10 10 > "$tmp/team.jsonl"
	start=$(date +%s.%N)
	"$R" --home "$h" import "$tmp/team.jsonl" >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" -v n="import_team_$s" 'BEGIN { printf "BENCH %s %.2f s\n", n, e - s }'
	acct="Café Müller 00002"
	report "agenda_$s" 10 "$R" --home "$h" agenda
	report "top_$s" 50 "$R" --home "$h" top 100
	report "at_risk_$s" 50 "$R" --home "$h" at-risk --limit 50
	report "at_risk_all_$s" 0 "$R" --home "$h" at-risk
	report "find_$si" 50 "$R" --home "$h" find "müller 0004"
	report "complaints_$s" 50 "$R" --home "$h" complaints --open
	report "list_tag_$s" 50 "$R" --home "$h" account list --tag t3 --limit 50
	report "show_$si" 15 "$R" --home "$h" show "$acct"
	report "log_$si" 15 "$R" --home "$h" log "$acct" call "called about the order"
	rm -rf "$h"
done

# One account with years of history (2,000 interactions): a new one is
# folded into its stored view, so logging costs what it costs on a new
# account (issue 15: O(1) in the history); show prints all of it.
h=$tmp/hlong
"$R" --home "$h" init --name ann --team Bench >/dev/null 2>&1
perl "$here/gen_jsonl.pl" 1 2000 > "$tmp/long.jsonl"
"$R" --home "$h" import "$tmp/long.jsonl" >/dev/null 2>&1
report "log_history_2000" 15 "$R" --home "$h" log "Account 00001" call "called about the order"
report "show_history_2000" 0 "$R" --home "$h" show "Account 00001"
rm -rf "$h"
