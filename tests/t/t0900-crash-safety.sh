#!/bin/bash
# kill -9 at any moment loses no acknowledged write: a loop of `rapport log`
# is killed with SIGKILL at random moments, 20 times; after each, fsck passes
# and every interaction whose id the loop saw printed is in the store, once.
. ./lib.sh

ROUNDS="${CRASH_ROUNDS:-20}"

new_team crash ann
acct="$(rp_must crash account add "Bakery Blum")"
: >"$TMP/acked"

# log_loop FIRST: log interactions "nFIRST", "nFIRST+1"...; after each
# `rapport log` returns with an id, append "ID nN" to $TMP/acked.
log_loop()
{
	local i="$1" id
	while :; do
		if id="$("$RAPPORT_BIN" --home "$TMP/crash" log "$acct" call "n$i")"; then
			printf '%s n%s\n' "$id" "$i" >>"$TMP/acked"
		fi
		i=$((i + 1))
	done
}

# check_round: fsck passes; every acked id is present with its text; no
# interaction is there twice.
check_round()
{
	local show="$TMP/show.json" missing dups
	expect_exit 0 rp crash fsck || return 1
	expect_match "$OUT" ': ok$' || return 1
	rp crash show "$acct" --json >"$show" || { echo "show --json failed" >&2; return 1; }
	missing="$(jq -r '.interactions[]|"\(.id) \(.text)"' "$show" | sort >"$TMP/have"
		sort "$TMP/acked" | comm -23 - "$TMP/have")"
	if [ -n "$missing" ]; then
		printf 'acknowledged but missing after kill -9:\n%s\n' "$missing" >&2
		return 1
	fi
	dups="$(jq -r '.interactions[].text' "$show" | sort | uniq -d)"
	if [ -n "$dups" ]; then
		printf 'logged once, stored twice:\n%s\n' "$dups" >&2
		return 1
	fi
	return 0
}

test_begin "kill -9 a loop of rapport log, $ROUNDS times"

for round in $(seq 1 "$ROUNDS"); do
	start_group log_loop $((round * 100000))
	ms=$((50 + RANDOM % 251))
	sleep "$(printf '0.%03d' "$ms")"
	kill_group "$BG_PID"
	test_expect "round $round (killed after $ms ms): fsck passes, $(wc -l <"$TMP/acked") acknowledged writes all there" \
		check_round
done

test_expect "the loops got writes acknowledged at all" expect_ne "$(wc -l <"$TMP/acked")" 0
test_expect "the store takes a write after the last kill" expect_stdout_match '^[a-z2-7]{26}$' rp crash log "$acct" note "after"
test_expect "... and it is there" expect_stdout after rpq crash '.interactions[]|select(.type=="note")|.text' show "$acct" --json
test_expect "no rapport process is left behind" \
	expect_eq "$(pgrep -f -- "--home $TMP/crash" || true)" ""

test_begin "two writers at once lose nothing"

new_team duo ann
rp_must duo account add "Cafe Corner" >/dev/null
writer()
{
	local w="$1" i
	for i in $(seq 1 40); do
		"$RAPPORT_BIN" --home "$TMP/duo" log corner call "w$w-$i" >/dev/null || echo "w$w-$i failed" >>"$TMP/duo.err"
	done
}
writer 1 & p1=$!
writer 2 & p2=$!
wait "$p1" "$p2"
test_expect "no write failed" expect_eq "$(cat "$TMP/duo.err" 2>/dev/null)" ""
test_expect "all 80 interactions are there, once each" expect_stdout '[80,80]' \
	rpq duo '[(.interactions|length),([.interactions[].text]|unique|length)]' show corner --json
test_expect "fsck passes" expect_stdout_match ': ok$' rp duo fsck

test_done
