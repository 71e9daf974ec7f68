#!/bin/bash
# Campaigns (DESIGN.md §7): one follow-up with the same text on each of the
# top N accounts (or a tag's), K a workday from the next workday; campaign
# list says how far each got. Friday 2026-03-06, 10:00 UTC.
. ./lib.sh
export RAPPORT_NOW=2026-03-06T10:00:00Z

new_team ann ann
for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
	rp_must ann account add "Shop $i" >/dev/null
	rp_must ann log "Shop $i" purchase "order" --amount "${i}00" --at 2026-01-02 >/dev/null
done
rp_must ann account tag "Shop 01" spring >/dev/null
rp_must ann account tag "Shop 02" spring >/dev/null
rp_must ann account archive "Shop 03" >/dev/null
rp_must ann account tag "Shop 03" spring >/dev/null

test_begin "a campaign of 10 over 5 workdays"

test_expect "campaign TEXT --top 10: prints its id" expect_stdout_match '^[a-z2-7]{16}$' \
	rp ann campaign "Why do you buy from us?" --top 10
cid="$OUT"
test_expect "... and says what it planned, on stderr" expect_match "$ERR" \
	"^campaign $cid: 10 follow-ups, 2 a workday, 2026-03-09 to 2026-03-13 "
test_expect "the 10 most valuable (Shop 12 down to Shop 04, the archived Shop 03 left out), 2 a day from Monday" \
	expect_stdout '[["2026-03-09","Shop 11"],["2026-03-09","Shop 12"],["2026-03-10","Shop 09"],["2026-03-10","Shop 10"],["2026-03-11","Shop 07"],["2026-03-11","Shop 08"],["2026-03-12","Shop 05"],["2026-03-12","Shop 06"],["2026-03-13","Shop 02"],["2026-03-13","Shop 04"]]' \
	rpqs ann '[.[]|select(.kind=="followup")|[.day,.account]]' agenda --json --days 10 --calls 0
test_expect "nothing on the weekend" expect_stdout 0 \
	rpqs ann 'map(select(.day=="2026-03-07" or .day=="2026-03-08"))|length' agenda --json --days 3
test_expect "campaign list: 0 of 10 done" expect_stdout \
	"[\"$cid\",\"Why do you buy from us?\",10,0,10,0,0,\"2026-03-09T00:00:00Z\",\"2026-03-13T00:00:00Z\"]" \
	rpq ann '[.id,.text,.followups,.done,.open,.overdue,.due_today,.first_due,.last_due]' campaign list --json
test_expect "campaign list for people" expect_stdout_match "^$cid +Why do you buy from us\\? +0 of 10 +10 +0 +0 +2026-03-09 +2026-03-13\$" \
	rp ann campaign list

test_begin "progress through the week"

mon="$(at_time 2026-03-09T09:00:00Z rpqs ann '[.[]|select(.kind=="followup")|.id]|.[0]' agenda --json)"
test_expect "Monday: two due today, none overdue" expect_stdout '[2,0]' \
	at_time 2026-03-09T09:00:00Z rpq ann '[.due_today,.overdue]' campaign list --json
test_expect "done with one on Monday" expect_ok at_time 2026-03-09T12:00:00Z rp ann done "$mon" "they like our delivery"
test_expect "Wednesday: 1 of 10 done, 1 overdue from Monday, 2 from Tuesday, 2 due today" expect_stdout '[1,9,3,2]' \
	at_time 2026-03-11T09:00:00Z rpq ann '[.done,.open,.overdue,.due_today]' campaign list --json
test_expect "a cancelled one is counted so" expect_ok rp ann follow-up cancel \
	"$(rpqs ann '[.[]|select(.kind=="followup" and .day=="2026-03-13")|.id]|.[0]' agenda --json --days 10 --calls 0)"
test_expect "... 1 cancelled, 8 open" expect_stdout '[1,1,8]' rpq ann '[.done,.cancelled,.open]' campaign list --json

test_begin "by tag, from a date, K a day"

test_expect "--tag spring --from 2026-03-14 (a Saturday) --per-day 1" expect_ok \
	rp ann campaign "Spring offer: 10% on ovens" --tag spring --from 2026-03-14 --per-day 1
test_expect "... starts the Monday after, one a day; archived Shop 03 left out" expect_stdout \
	'[["2026-03-16","Shop 01"],["2026-03-17","Shop 02"]]' \
	rpqs ann '[.[]|select(.kind=="followup" and (.text|startswith("Spring")))|[.day,.account]]' agenda --json --days 14 --calls 0
test_expect "campaign list: the newest first" expect_stdout '["Spring offer: 10% on ovens","Why do you buy from us?"]' \
	rpqs ann 'map(.text)' campaign list --json
test_expect "--by recent ranks the top by last contact" expect_ok rp ann campaign "Quick check" --top 1 --by recent
d="$(digest ann)"
test_expect "--top and --tag exclude each other" expect_error 2 "give --top N or --tag T" \
	rp ann campaign x --top 3 --tag spring
test_expect "one of them is needed" expect_error 2 "give --top N or --tag T" rp ann campaign x
test_expect "--by without --top" expect_error 2 "--by ranks the --top accounts" rp ann campaign x --tag spring --by value
test_expect "--per-day 0" expect_error 2 "--per-day" rp ann campaign x --top 3 --per-day 0
test_expect "a tag nobody has" expect_error 1 "no account in use is tagged 'autumn'" rp ann campaign x --tag autumn
test_expect "a text that is empty" expect_error 1 "campaign text is empty" rp ann campaign "" --top 3
test_expect "... none of that wrote anything" expect_unchanged ann "$d"
test_expect "a campaign called 'list' after --" expect_stdout_match '^[a-z2-7]{16}$' rp ann campaign --top 1 -- list

test_done
