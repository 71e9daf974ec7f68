#!/bin/bash
# Dates (DESIGN.md §7): a date without a time is that calendar day for every
# reader, whatever their time zone; a time is an instant, read in each
# reader's zone; a contact dated in the future is refused unless --at gives
# a time. One home, written in New York and read in Tokyo (TZ per command).
. ./lib.sh

if [ ! -e /usr/share/zoneinfo/America/New_York ] || [ ! -e /usr/share/zoneinfo/Asia/Tokyo ]; then
	test_skip "dates across time zones" "no tzdata here"
	test_done
fi
ny() { TZ=America/New_York "$@"; }
tokyo() { TZ=Asia/Tokyo "$@"; }
# 2026-07-02T03:00Z: 23:00 on July 1 in New York, 12:00 on July 2 in Tokyo.
export RAPPORT_NOW=2026-07-02T03:00:00Z

new_team ann ann
rp_must ann account add "Harbor Deli" >/dev/null

test_begin "a date without a time is the same day everywhere"

visit="$(ny rp_must ann log harbor visit "walked the floor" --at 2026-07-01)"
test_expect "stored as the day (its UTC midnight)" expect_stdout 2026-07-01T00:00:00Z \
	ny rpq ann ".interactions[]|select(.id==\"$visit\")|.at" show harbor --json
test_expect "New York reads 2026-07-01 (not 2026-06-30 20:00)" \
	expect_stdout_match "^  ${visit:0:10} +2026-07-01 +visit " ny rp ann show harbor
test_expect "Tokyo reads 2026-07-01 too" expect_stdout_match "^  ${visit:0:10} +2026-07-01 +visit " tokyo rp ann show harbor
test_expect "the last contact is that day in both" expect_stdout_match '^  last contact: +2026-07-01$' \
	tokyo rp ann show harbor

test_begin "a time is an instant, each reader sees it in their zone"

call="$(ny rp_must ann log harbor call "ordered rye" --at 2026-07-01T20:00)"
test_expect "20:00 in New York is 2026-07-02T00:00Z: an instant, kept apart from a day" expect_stdout \
	2026-07-02T00:00:00.001Z ny rpq ann ".interactions[]|select(.id==\"$call\")|.at" show harbor --json
test_expect "New York reads 2026-07-01 20:00" expect_stdout_match "^  ${call:0:10} +2026-07-01 20:00 +call " \
	ny rp ann show harbor
test_expect "Tokyo reads 2026-07-02 09:00" expect_stdout_match "^  ${call:0:10} +2026-07-02 09:00 +call " \
	tokyo rp ann show harbor
tcall="$(tokyo rp_must ann log harbor call "from Tokyo" --at 2026-07-02T09:00)"
test_expect "09:00 in Tokyo, also 00:00Z, is an instant too" expect_stdout_match "^  ${tcall:0:10} +2026-07-02 09:00 +call " \
	tokyo rp ann show harbor

test_begin "follow-ups: due on a calendar day, overdue once it ended for the reader"

fu="$(ny rp_must ann follow-up harbor "send the rye price list" --due 2026-07-02)"
test_expect "in New York (still July 1) it is not due yet" expect_stdout '[]' \
	ny rpqs ann '[.[]|select(.kind=="followup")|.text]' agenda --json
test_expect "in Tokyo (July 2) it is due today" expect_stdout '["due today"]' \
	tokyo rpqs ann '[.[]|select(.kind=="followup")|.reason]' agenda --json
test_expect "a day later New York has it due today" expect_stdout '["due today"]' \
	at_time 2026-07-03T03:00:00Z ny rpqs ann '[.[]|select(.kind=="followup")|.reason]' agenda --json
test_expect "... and Tokyo has it overdue by a day" expect_stdout '["overdue 1 day"]' \
	at_time 2026-07-03T03:00:00Z tokyo rpqs ann '[.[]|select(.kind=="followup")|.reason]' agenda --json
test_expect "show marks it overdue in Tokyo only" expect_stdout_match "2026-07-02 \(overdue\)" \
	at_time 2026-07-03T03:00:00Z tokyo rp ann show harbor
test_expect "... not in New York" expect_no_match "$(at_time 2026-07-03T03:00:00Z ny rp ann show harbor)" "overdue"
test_expect "--due today in New York is New York's day" expect_ok ny rp ann follow-up move "$fu" --due today
test_expect "... 2026-07-01" expect_stdout 2026-07-01T00:00:00Z \
	ny rpq ann ".followups[]|select(.id==\"$fu\")|.due" show harbor --json

test_begin "what happened is not in the future"

d="$(digest ann)"
test_expect "New York: --at 2026-07-02 is tomorrow there: refused" \
	expect_error 2 "--at 2026-07-02 is in the future" ny rp ann log harbor call "x" --at 2026-07-02
test_expect "Tokyo: --at 2026-07-02 is today there: fine" expect_ok tokyo rp ann log harbor note "today" --at 2026-07-02
d="$(digest ann)"
test_expect "--at +3d is refused" expect_error 2 "--at \+3d is in the future" tokyo rp ann log harbor call "x" --at +3d
test_expect "amend at to a later day is refused" expect_error 1 "2026-07-09 is in the future" \
	tokyo rp ann amend "$call" at 2026-07-09
test_expect "... and nothing was written" expect_unchanged ann "$d"
test_expect "a time ahead, given on purpose, is taken" expect_ok tokyo rp ann log harbor visit "booked" --at 2026-07-09T10:00

test_done
