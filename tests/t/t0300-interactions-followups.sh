#!/bin/bash
# log (types, --at, --amount, --currency, --contact, --outcome), follow-up
# (--due forms), done (whole id, prefix, twice), resolve, and the derived stats.
. ./lib.sh

new_team ann ann
blum="$(rp_must ann account add "Bakery Blum")"
IX_RE='^[a-z2-7]{26}$'

test_begin "log records every interaction type and prints its id"

types="call email visit meeting note purchase complaint gift feedback"
for ty in $types; do
	test_expect "log $ty" expect_stdout_match "$IX_RE" rp ann log blum "$ty" "a $ty"
	eval "ix_$ty=\$OUT"
done
rp ann show blum --json >"$TMP/s.json"
test_expect "show has the nine, each with its type and text" expect_json "$TMP/s.json" \
	'[.interactions[]|"\(.type)=\(.text)"]|sort|join(" ")' \
	"$(for ty in $types; do echo "$ty=a $ty"; done | sort | tr '\n' ' ' | sed 's/ $//')"
test_expect "the ids printed are the ids shown" expect_json "$TMP/s.json" \
	"[.interactions[]|select(.type==\"visit\")|.id]|.[0]" "$ix_visit"
test_expect "each was logged now (RAPPORT_NOW), by ann from this device" expect_json "$TMP/s.json" \
	"[.interactions[]|select(.at==\"$RAPPORT_NOW\" and .author==\"ann\" and .author_device==\"$(rp ann id)\")]|length" 9
test_expect "stats count 9 interactions, 1 purchase, last contact now" expect_json "$TMP/s.json" \
	'[.stats.interactions, .stats.purchases, .stats.last_contact]' "[9,1,\"$RAPPORT_NOW\"]"
test_expect "the ids are all different" expect_json "$TMP/s.json" '[.interactions[].id]|unique|length' 9

test_begin "--at takes every WHEN form and stores UTC"

rp_must ann account add "Cafe Corner" >/dev/null
at_is()
{
	local when="$1" want="$2" id
	id="$(rp ann log corner note "at $when" --at "$when")" || { echo "log --at $when failed" >&2; return 1; }
	expect_eq "$(rpq ann ".interactions[]|select(.id==\"$id\")|.at" show corner --json)" "$want" "--at $when"
}
test_expect "YYYY-MM-DD is midnight" at_is 2026-03-01 2026-03-01T00:00:00Z
test_expect "YYYY-MM-DDTHH:MM" at_is 2026-03-01T14:30 2026-03-01T14:30:00Z
test_expect "YYYY-MM-DDTHH:MM:SSZ" at_is 2026-03-01T14:30:15Z 2026-03-01T14:30:15Z
test_expect "an offset is converted to UTC" at_is 2026-03-01T10:30+02:00 2026-03-01T08:30:00Z
test_expect "today" at_is today 2026-03-10T00:00:00Z
test_expect "-3d is three days ago, at now's time of day" at_is -3d 2026-03-07T09:00:00Z
test_expect "-2w is two weeks ago" at_is -2w 2026-02-24T09:00:00Z
test_expect "29 February of a leap year" at_is 2024-02-29 2024-02-29T00:00:00Z
d="$(digest ann)"
test_expect "--at +3d is refused: what happened is not in the future" \
	expect_error 2 "--at \+3d is in the future" rp ann log corner note "later" --at +3d
test_expect "--at tomorrow too" expect_error 2 "--at tomorrow is in the future" rp ann log corner call "x" --at tomorrow
test_expect "... a later date too" expect_error 2 "--at 2026-03-11 is in the future" rp ann log corner call "x" --at 2026-03-11
test_expect "... and nothing was written" expect_unchanged ann "$d"
test_expect "a time ahead says so on purpose: accepted" at_is 2026-03-11T10:00 2026-03-11T10:00:00Z
test_expect "notes are not contacts: no last contact yet" \
	expect_stdout null rpq ann .stats.last_contact show corner --json
rp_must ann log corner call "rang" --at 2026-03-02T08:00 >/dev/null
rp_must ann log corner visit "went" --at 2026-03-04 >/dev/null
test_expect "the last contact is the latest interaction's time, not the log time" \
	expect_stdout 2026-03-04T00:00:00Z rpq ann .stats.last_contact show corner --json
test_expect "interactions are listed newest first" expect_stdout \
	'["2026-03-11T10:00:00Z","2026-03-10T00:00:00Z","2026-03-07T09:00:00Z","2026-03-04T00:00:00Z","2026-03-02T08:00:00Z","2026-03-01T14:30:15Z","2026-03-01T14:30:00Z","2026-03-01T08:30:00Z","2026-03-01T00:00:00Z","2026-02-24T09:00:00Z","2024-02-29T00:00:00Z"]' \
	rpq ann '[.interactions[].at]' show corner --json

test_begin "amounts and currencies"

rp_must ann account add "Deli Dora" >/dev/null
amount_is()
{
	local want="$1" id
	shift
	id="$(rp ann log dora purchase "p" "$@")" || { echo "log $* failed" >&2; return 1; }
	expect_eq "$(rpq ann ".interactions[]|select(.id==\"$id\")|.amount" show dora --json)" "$want" "$*"
}
test_expect "--amount 4200.50 --currency EUR is 420050 cents EUR" \
	amount_is '{"cents":420050,"currency":"EUR"}' --amount 4200.50 --currency EUR
test_expect "EUR is the default currency" amount_is '{"cents":1250,"currency":"EUR"}' --amount 12.50
test_expect "whole units" amount_is '{"cents":1200,"currency":"EUR"}' --amount 12
test_expect "one decimal" amount_is '{"cents":1250,"currency":"EUR"}' --amount 12.5
test_expect "a thousands separator" amount_is '{"cents":123450,"currency":"EUR"}' --amount 1,234.50
test_expect "another currency" amount_is '{"cents":999,"currency":"USD"}' --amount 9.99 --currency USD
test_expect "no --amount, no amount" amount_is 'null'
test_expect "value sums per currency" expect_stdout '[{"cents":547200,"currency":"EUR"},{"cents":999,"currency":"USD"}]' \
	rpq ann '.value|sort_by(.currency)' show dora --json
test_expect "stats count the purchases" expect_stdout 7 rpq ann .stats.purchases show dora --json
before="$(digest ann)"
test_expect "--currency without --amount is a usage error" \
	expect_error 2 "log: --currency needs --amount" rp ann log dora purchase p --currency EUR
test_expect "a currency in lower case is refused, naming it" \
	expect_error_line "$EXIT_BADVALUE" "'usd'" rp ann log dora purchase p --amount 1 --currency usd
test_expect "nothing was written" expect_unchanged ann "$before"

# 1,000 purchases of the largest amount log accepts, through import: the
# lifetime value must not wrap around (it did: -84467440737095526.16 EUR).
{
	printf '{"name":"Huge Orders","interactions":['
	for i in $(seq 1 1000); do
		[ "$i" -gt 1 ] && printf ','
		printf '{"type":"purchase","at":"2026-03-01T00:00:00Z","text":"big %d","amount":{"cents":9999999999999999,"currency":"EUR"}}' "$i"
	done
	printf ']}\n'
} >"$TMP/huge.jsonl"
huge_value_sane()
{
	local before
	before="$(digest ann)"
	run rp ann import "$TMP/huge.jsonl"
	if [ "$RC" -ne 0 ]; then     # refusing the overflow is fine: one line, nothing written
		expect_error_line 1 "huge\\.jsonl" rp ann import "$TMP/huge.jsonl" || return 1
		expect_unchanged ann "$before"
		return
	fi
	expect_stdout_match '^  value: +[0-9]' rp ann show "Huge Orders"
}
test_expect "a lifetime value beyond 64 bits is refused or kept, never wrapped" huge_value_sane

test_begin "--contact and --outcome"

test_expect "log --contact --outcome" expect_stdout_match "$IX_RE" \
	rp ann log blum call "asked for a quote" --contact "Mrs Blum" --outcome "quote by Friday"
ix="$OUT"
test_expect "are shown in --json" expect_stdout '["Mrs Blum","quote by Friday"]' \
	rpq ann ".interactions[]|select(.id==\"$ix\")|[.contact,.outcome]" show blum --json
test_expect "and to people" expect_stdout_match 'asked for a quote \[with Mrs Blum\] \[outcome: quote by Friday\]' \
	rp ann show blum

test_begin "follow-up --due and done"

fu_due()
{
	local when="$1" want="$2" id
	id="$(rp ann follow-up corner "due $when" --due "$when")" || { echo "follow-up --due $when failed" >&2; return 1; }
	expect_eq "$(rpq ann ".followups[]|select(.id==\"$id\")|[.due,.done]" show corner --json)" "[\"$want\",false]" "--due $when"
}
test_expect "--due +3d" fu_due +3d 2026-03-13T09:00:00Z
test_expect "--due +2w" fu_due +2w 2026-03-24T09:00:00Z
test_expect "--due tomorrow" fu_due tomorrow 2026-03-11T00:00:00Z
test_expect "--due YYYY-MM-DD" fu_due 2026-04-01 2026-04-01T00:00:00Z
test_expect "--due YYYY-MM-DDTHH:MM" fu_due 2026-03-12T14:30 2026-03-12T14:30:00Z
test_expect "followups are listed by due date" expect_stdout \
	'["2026-03-11T00:00:00Z","2026-03-12T14:30:00Z","2026-03-13T09:00:00Z","2026-03-24T09:00:00Z","2026-04-01T00:00:00Z"]' \
	rpq ann '[.followups[].due]' show corner --json
test_expect "next due is the earliest open one" expect_stdout '["2026-03-11T00:00:00Z",5]' \
	rpq ann '[.stats.next_due,.stats.open_followups]' show corner --json

test_expect "follow-up prints its id" expect_stdout_match "$IX_RE" \
	rp ann follow-up "Bakery Blum" "Send the quote" --due +3d
fu1="$OUT"
fu2="$(rp_must ann follow-up blum "Call back" --due +1d)"
fu3="$(rp_must ann follow-up blum "Bring samples" --due +2w)"
test_expect "done with the whole id" expect_ok rp ann done "$fu1"
test_expect "done with a 6-character prefix, and a note" expect_ok rp ann done "${fu2:0:6}" "called, all good"
test_expect "done with an upper-case prefix" expect_ok rp ann done "${fu3:0:8}"
rp ann show blum --json >"$TMP/b.json"
test_expect "all three are done" expect_json "$TMP/b.json" \
	"[.followups[]|select(.id==\"$fu1\" or .id==\"$fu2\" or .id==\"$fu3\")|.done]" '[true,true,true]'
test_expect "the note is kept" expect_json "$TMP/b.json" ".followups[]|select(.id==\"$fu2\")|.done_text" "called, all good"
test_expect "no follow-up is open" expect_json "$TMP/b.json" '[.stats.open_followups,.stats.next_due]' '[0,null]'
test_expect "show says 3 closed" expect_stdout_match '^Follow-ups \(0 open, 3 closed\)' rp ann show blum

before="$(digest ann)"
test_expect "done twice fails, naming the follow-up" \
	expect_error_line 1 "${fu1:0:6}.*already done" rp ann done "${fu1}"
test_expect "done on an interaction id fails, naming it" \
	expect_error_line 1 "'$ix_visit'" rp ann done "$ix_visit"
test_expect "done on an unknown id fails, naming it" \
	expect_error_line 1 "'aaaaaaaaaa'" rp ann done aaaaaaaaaa
test_expect "done with a 5-character prefix fails, naming it" \
	expect_error_line 1 "'${fu1:0:5}'" rp ann done "${fu1:0:5}"
test_expect "follow-up without --due is a usage error" \
	expect_error 2 "follow-up: missing --due" rp ann follow-up blum "Call"
test_expect "follow-up TEXT in two words is a usage error naming the extra one" \
	expect_error 2 "follow-up: unexpected argument 'back'" rp ann follow-up blum call back --due +1d
test_expect "nothing changed" expect_unchanged ann "$before"

test_begin "complaints and resolve"

test_expect "log a complaint" expect_stdout_match "$IX_RE" rp ann log blum complaint "oven arrived broken"
cx="$OUT"
test_expect "it is open (with the one logged above)" expect_stdout '[false,2]' \
	rpq ann "[(.interactions[]|select(.id==\"$cx\")|.resolved), .stats.open_complaints]" show blum --json
test_expect "resolve it by prefix" expect_ok rp ann resolve "${cx:0:7}" "replaced the oven"
test_expect "it is resolved, with the text" expect_stdout '[true,"replaced the oven",1]' \
	rpq ann "[(.interactions[]|select(.id==\"$cx\")|.resolved,.resolution), .stats.open_complaints]" show blum --json
test_expect "resolving again fails, naming it" expect_error_line 1 "${cx:0:6}" rp ann resolve "$cx" again
test_expect "resolve on a call fails, naming it" expect_error_line 1 "${ix_call:0:6}.*(not a complaint|call)" rp ann resolve "$ix_call" "no"

test_done
