#!/bin/bash
# The indexes answer as the full scan does (issue 15): random histories
# (seeded, so a failure replays), and after each step of them (edits and
# interactions, corrections, a handover, an erasure, a sync to a second
# device) every daily question is asked twice, from the indexes and with
# RAPPORT_SCAN=1 (every account read, the reference), and the answers must
# be the same bytes. fsck then checks the indexes against a rebuild.
. ./lib.sh

export TZ=UTC RAPPORT_NOW=2026-06-10T09:00:00Z
SEEDS="${RP_INDEX_SEEDS:-11 23 42}"

# ask HOME: every question, from the indexes and from the scan; a diff names
# the first question whose answers differ.
QUESTIONS=(
	"agenda" "agenda --days 7" "agenda --days 14 --calls 5" "agenda --owner bob --days 3" "agenda --calls 0"
	"top" "top 3" "top --by recent" "at-risk" "at-risk --limit 2" "complaints --open" "complaints"
	"find acme" "find mull" "find order 1" "find cafe" "find zzz"
	"account list --tag key" "account list --tag t1 --limit 3" "account list --owner bob"
	"account list --archived" "account list --owner ann --limit 2"
)
same_answers() {
	local home=$1 q a b
	for q in "${QUESTIONS[@]}"; do
		# shellcheck disable=SC2086
		a="$(rp "$home" $q --json 2>&1)"
		# shellcheck disable=SC2086
		b="$(RAPPORT_SCAN=1 rp "$home" $q --json 2>&1)"
		if [ "$a" != "$b" ]; then
			printf '%s: index and scan differ\n' "$q" >&2
			diff <(printf '%s\n' "$b") <(printf '%s\n' "$a") | head -20 >&2
			return 1
		fi
	done
}
# limit_is_prefix HOME: at-risk --limit 2 answers the first two rows of
# at-risk (a mismatch shows both)
limit_is_prefix() {
	local all two
	all="$(rpqs "$1" ".[:2]" at-risk --json)" && two="$(rpqs "$1" . at-risk --limit 2 --json)" || return 1
	[ "$(rpqs "$1" length at-risk --json)" -ge 1 ] || { echo "at-risk is empty" >&2; return 1; }
	[ "$all" = "$two" ] || { printf 'first two: %s\n--limit 2:  %s\n' "$all" "$two" >&2; return 1; }
}
# nonempty HOME: the questions have something to say (a test that cannot fail is a defect)
nonempty() {
	expect_ne "$(rp "$1" agenda --days 14 --json)" "" &&
	expect_ne "$(rp "$1" top --json)" "[]" &&
	expect_ne "$(rp "$1" complaints --json)" "[]"
}

NAMES=("Acme Tools" "Bäckerei Müller" "Café Olé" "Mueller & Sons" "Nord Order GmbH" "Ελληνικά Πλοία"
       "Hotel Seeblick" "Deli Dora" "Eliot Electric" "Bakery Blum" "Łódź Steel" "Øster Fisk")
TYPES=(call visit email meeting purchase note complaint)
CURS=(EUR EUR EUR USD JPY)

for seed in $SEEDS; do
	RANDOM=$seed
	a=ann$seed m=meg$seed
	new_team "$a" ann
	new_device "bob$seed" bob
	new_device "$m" meg
	rp_must "$a" member add bob "$(rp_must "bob$seed" id)" --role rep >/dev/null
	rp_must "$a" member add meg "$(rp_must "$m" id)" --role manager >/dev/null

	test_begin "seed $seed: accounts, interactions, follow-ups"
	ids=()
	for i in $(seq 0 $((${#NAMES[@]} - 1))); do
		owner=ann
		[ $((RANDOM % 3)) -eq 0 ] && owner=bob
		ids+=("$(rp_must "$a" account add "${NAMES[$i]}" --owner "$owner")")
		rp_must "$a" account tag "${NAMES[$i]}" "t$((RANDOM % 3))" >/dev/null
		[ $((RANDOM % 2)) -eq 0 ] && rp_must "$a" account tag "${NAMES[$i]}" key >/dev/null
		[ $((RANDOM % 4)) -eq 0 ] && rp_must "$a" account set "${NAMES[$i]}" cadence "$((RANDOM % 6 + 1))w" >/dev/null
		[ $((RANDOM % 6)) -eq 0 ] && rp_must "$a" account set "${NAMES[$i]}" consent no >/dev/null
	done
	ixs=()
	for k in $(seq 1 60); do
		i=$((RANDOM % ${#NAMES[@]}))
		t=${TYPES[$((RANDOM % ${#TYPES[@]}))]}
		at="2026-0$((RANDOM % 5 + 1))-$(printf %02d $((RANDOM % 28 + 1)))T1$((RANDOM % 10)):00:00Z"
		extra=()
		[ "$t" = purchase ] && extra=(--amount "$((RANDOM % 900 + 100))" --currency "${CURS[$((RANDOM % 5))]}")
		ixs+=("$(rp_must "$a" log "${ids[$i]}" "$t" "order $k for ${NAMES[$i]}" --at "$at" "${extra[@]}")")
	done
	for k in $(seq 1 8); do
		i=$((RANDOM % ${#NAMES[@]}))
		rp_must "$a" follow-up "${ids[$i]}" "call back $k" --due "2026-06-$(printf %02d $((RANDOM % 20 + 1)))" >/dev/null
	done
	test_expect "the questions have answers" nonempty "$a"
	test_expect "at-risk --limit 2 is the first two of at-risk" limit_is_prefix "$a"
	test_expect "index and scan give the same answers" same_answers "$a"

	test_begin "seed $seed: retractions, amends, resolutions, an archive"
	for k in 1 2 3 4 5; do
		ix=${ixs[$((RANDOM % ${#ixs[@]}))]}
		case $((k % 3)) in
		0) rp "$a" retract "$ix" --reason "wrong account" >/dev/null 2>&1 ;;
		1) rp "$a" amend "$ix" at "2026-05-$(printf %02d $((RANDOM % 28 + 1)))T08:00:00Z" >/dev/null 2>&1 ;;
		2) rp "$a" amend "$ix" type complaint >/dev/null 2>&1 ;;
		esac
	done
	for c in $(rp "$a" complaints --open --json | jq -r '.id' | head -2); do
		rp_must "$a" resolve "$c" "replaced it" >/dev/null
	done
	rp_must "$a" account archive "${NAMES[3]}" >/dev/null
	rp_must "$a" account set "${NAMES[4]}" name "Nord Orders AG" >/dev/null
	test_expect "index and scan give the same answers" same_answers "$a"

	test_begin "seed $seed: a handover and an erasure"
	to=bob
	[ "$(rp "$a" show "${ids[0]}" --json | jq -r .owner)" = bob ] && to=ann
	rp_must "$a" handover "${ids[0]}" --to "$to" >/dev/null 2>&1
	rp_must "$a" forget "${ids[1]}" >/dev/null 2>&1
	test_expect "index and scan give the same answers" same_answers "$a"
	test_expect "fsck passes (indexes included)" expect_fsck_ok "$a"

	test_begin "seed $seed: the history synced to a manager's device"
	start_serve "$a" "$(free_port)"
	test_expect "meg syncs" sync_ok "$m" "$(endpoint "$a")" --peer "$(rp_must "$a" id)"
	test_expect "... and answers as the scan does" same_answers "$m"
	test_expect "... and as ann's device does" eval '[ "$(rp "$m" agenda --days 14 --json)" = "$(rp "$a" agenda --days 14 --json)" ]'
	rp_must "$m" log "${ids[2]}" complaint "meg: the oven broke again" >/dev/null
	test_expect "ann syncs meg's complaint back" sync_ok "$m" "$(endpoint "$a")" --peer "$(rp_must "$a" id)"
	test_expect "... and still answers as the scan does" same_answers "$a"
	test_expect "ann's serve stops" stop_serve "$a"
done

test_done
