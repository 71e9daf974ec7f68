#!/bin/bash
# The agenda (DESIGN.md §7, issue 14): each day, follow-ups due, open
# complaints older than 2 days, accounts due by their cadence, then the
# team's calls a workday (2 until `team calls` says otherwise), none on
# weekends and none where consent is no; --days plans ahead, --mine and
# --owner keep one member's work. Monday 2026-03-09 09:00 UTC.
. ./lib.sh
export RAPPORT_NOW=2026-03-09T09:00:00Z

new_team ann ann
new_device bobdev bob
rp_must ann member add bob "$(rp_must bobdev id)" >/dev/null

acct() { rp_must ann account add "$@" >/dev/null; }
acct "Alpha AG" --phone "+49 1"
acct "Beta Bau" --email beta@bau.example --prefer email --phone "+49 2"
acct "Gamma GmbH" --phone "+49 3"
acct "Delta Deli" --owner bob --phone "+49 4"
acct "Epsilon Eis"
acct "Zeta Zoo"
acct "Eta Eck"
acct "Theta Tee"
rp_must ann log alpha purchase "order" --amount 5000 --at 2026-01-08 >/dev/null
rp_must ann log beta purchase "order" --amount 3000 --at 2026-02-07 >/dev/null
rp_must ann log gamma purchase "order" --amount 10000 --at 2025-12-09 >/dev/null
rp_must ann account set gamma consent no >/dev/null
rp_must ann log delta purchase "order" --amount 4000 --at 2026-01-23 >/dev/null
rp_must ann log epsilon visit "hello" --at 2026-03-01 >/dev/null
rp_must ann account set epsilon cadence 1w >/dev/null
rp_must ann log zeta call "hello" --at 2026-03-02 >/dev/null
rp_must ann account set zeta cadence 2w >/dev/null
rp_must ann log "Eta Eck" complaint "cold coffee" --at 2026-03-08 >/dev/null
rp_must ann log theta complaint "broken cup" --at 2026-03-01 >/dev/null
fu_alpha="$(rp_must ann follow-up alpha "send the offer" --due 2026-03-06)"
fu_delta="$(rp_must ann follow-up delta "cover for bob" --due today --assignee ann)"

plan() { rpqs ann '[.[]|[.kind,.account,.reason]]' agenda --json "$@"; }

test_begin "Monday: follow-ups, complaints, cadence, then 2 calls"

test_expect "the order and the reasons" expect_stdout \
	'[["followup","Alpha AG","overdue 3 days"],["followup","Delta Deli","due today"],["complaint","Theta Tee","complaint open 8 days"],["cadence","Epsilon Eis","every 7 days; last contact 8 days ago"],["call","Beta Bau","3,000.00 EUR lifetime, last contact 30 days ago"],["call","Zeta Zoo","no purchases yet, last contact 7 days ago"]]' \
	plan
test_expect "Gamma (the most valuable, silent 90 days) is never suggested: consent is no" \
	expect_stdout 0 rpqs ann 'map(select(.account=="Gamma GmbH"))|length' agenda --json --calls 20
test_expect "Eta's complaint is a day old: not yet on the agenda" \
	expect_stdout 0 rpqs ann 'map(select(.account=="Eta Eck"))|length' agenda --json
test_expect "each row has the keys of DESIGN.md §7" expect_stdout \
	'["account","account_id","day","due","email","id","kind","last_contact","phone","prefer","reason","text"]' \
	rpqs ann '.[0]|keys' agenda --json
test_expect "the complaint row carries the complaint's id" expect_stdout_match '^[a-z2-7]{26}$' \
	rpqs ann '.[2].id' agenda --json
test_expect "Beta prefers email: the agenda gives its email" expect_stdout_match \
	'^Beta Bau +call: suggested call .* beta@bau\.example \(prefers email\) ' rp ann agenda
test_expect "Alpha is reached by phone" expect_stdout_match '^Alpha AG +follow-up: send the offer +overdue 3 days +\+49 1 ' \
	rp ann agenda
test_expect "--calls 1 overrides the team's" expect_stdout 1 \
	rpqs ann 'map(select(.kind=="call"))|length' agenda --json --calls 1
test_expect "team calls 1 sets it for everyone" expect_stdout "team: the agenda suggests 1 call a workday" rp ann team calls 1
test_expect "... one call" expect_stdout '["Beta Bau"]' rpqs ann 'map(select(.kind=="call"))|map(.account)' agenda --json
rp_must ann team calls 2 >/dev/null

test_begin "Saturday: the promises stay, no calls"

test_expect "no call rows on a Saturday" expect_stdout \
	'[["followup","Alpha AG","overdue 8 days"],["followup","Delta Deli","overdue 5 days"],["complaint","Theta Tee","complaint open 13 days"],["complaint","Eta Eck","complaint open 6 days"],["cadence","Epsilon Eis","every 7 days; last contact 13 days ago"]]' \
	at_time 2026-03-14T10:00:00Z plan

test_begin "--days: this week's plan"

test_expect "--days 8: calls on workdays only, 2 a day; Zeta's cadence next Monday" expect_stdout \
	'[["2026-03-09","followup","Alpha AG"],["2026-03-09","followup","Delta Deli"],["2026-03-09","complaint","Theta Tee"],["2026-03-09","cadence","Epsilon Eis"],["2026-03-09","call","Beta Bau"],["2026-03-10","complaint","Eta Eck"],["2026-03-16","cadence","Zeta Zoo"]]' \
	rpqs ann '[.[]|[.day,.kind,.account]]' agenda --json --days 8
test_expect "for people, a DAY column" expect_stdout_match '^2026-03-16 +Zeta Zoo +cadence: keep in touch ' \
	rp ann agenda --days 8
test_expect "--days 0 is refused" expect_error 2 "--days" rp ann agenda --days 0
test_expect "--days 32 is refused" expect_error 2 "--days" rp ann agenda --days 32

test_begin "--mine and --owner"

test_expect "--owner bob: bob's account, as a call (the follow-up there is ann's)" expect_stdout \
	'[["call","Delta Deli"]]' rpqs ann '[.[]|[.kind,.account]]' agenda --json --owner bob
test_expect "--mine (ann): the follow-up assigned to her on bob's account, not bob's call" expect_stdout \
	'[["followup","Alpha AG"],["followup","Delta Deli"],["complaint","Theta Tee"],["cadence","Epsilon Eis"],["call","Beta Bau"],["call","Zeta Zoo"]]' \
	rpqs ann '[.[]|[.kind,.account]]' agenda --json --mine
test_expect "--owner of someone not in the team" expect_error 1 "no member 'zed'" rp ann agenda --owner zed
test_expect "--mine and --owner exclude each other" expect_error 2 "exclude each other" rp ann agenda --mine --owner bob

test_begin "the agenda moves with the work"

test_expect "logging a call to Epsilon takes it off by cadence" expect_ok rp ann log epsilon call "caught up"
test_expect "... gone" expect_stdout 0 rpqs ann 'map(select(.account=="Epsilon Eis"))|length' agenda --json
test_expect "cadence 3d: due again in 3 days" expect_ok rp ann account set epsilon cadence 3d
test_expect "... on Thursday" expect_stdout '["2026-03-12"]' \
	rpqs ann 'map(select(.account=="Epsilon Eis" and .kind=="cadence"))|map(.day)' agenda --json --days 5
test_expect "a bad cadence is refused" expect_error 1 "bad cadence '1x'" rp ann account set epsilon cadence 1x
test_expect "... and one past a year" expect_error 1 "bad cadence '13m'" rp ann account set epsilon cadence 13m
test_expect "archiving Beta takes it off the agenda" expect_ok rp ann account archive beta
test_expect "... and the next best is called instead" expect_stdout '["Zeta Zoo"]' \
	rpqs ann 'map(select(.kind=="call"))|map(.account)' agenda --json
test_expect "resolving Theta's complaint takes it off" expect_ok rp ann resolve "$(rpqs ann 'map(select(.kind=="complaint"))|.[0].id' agenda --json)" "new cups"
test_expect "... gone" expect_stdout 0 rpqs ann 'map(select(.kind=="complaint"))|length' agenda --json
test_expect "done takes Alpha's follow-up off" expect_ok rp ann done "$fu_alpha"
test_expect "cancel takes Delta's off" expect_ok rp ann follow-up cancel "$fu_delta"
test_expect "only calls left: Alpha and Delta are called again, the most valuable first" \
	expect_stdout '[["call","Alpha AG"],["call","Delta Deli"]]' \
	rpqs ann '[.[]|[.kind,.account]]' agenda --json

test_begin "a handover gives the new owner an intro follow-up"

test_expect "handover Zeta to bob --no-intro" expect_ok rp ann handover "Zeta Zoo" --to bob --offline --no-intro
test_expect "... no follow-up" expect_stdout 0 rpq ann '.stats.open_followups' show "Zeta Zoo" --json
test_expect "handover Gamma to bob" expect_ok rp ann handover "Gamma GmbH" --to bob --offline
test_expect "... bob's intro, due the next workday (Tuesday)" expect_stdout \
	'[["introduce yourself to Gamma GmbH","bob","2026-03-10T00:00:00Z"]]' \
	rpq ann '[.followups[]|[.text,.assignee,.due]]' show "Gamma GmbH" --json
test_expect "... on bob's plan for Tuesday" expect_stdout '[["2026-03-10","followup","Gamma GmbH"]]' \
	rpqs ann '[.[]|select(.kind=="followup")|[.day,.kind,.account]]' agenda --json --days 2 --owner bob
test_expect "a Friday handover's intro is due on Monday" expect_ok \
	at_time 2026-03-13T16:00:00Z rp ann handover "Delta Deli" --to ann --offline
test_expect "... 2026-03-16" expect_stdout '"2026-03-16T00:00:00Z"' \
	rpq ann '[.followups[]|select(.text|startswith("introduce"))|.due][0]|tojson' show "Delta Deli" --json

test_begin "team holidays: no calls, campaign or intro follow-ups on them"

rp_must ann account archive beta --undo >/dev/null
test_expect "team holidays 2026-03-10 2026-03-11" expect_stdout_match '^team: 2 holidays .*: 2026-03-10, 2026-03-11$' \
	rp ann team holidays 2026-03-10 2026-03-11
test_expect "team shows them" expect_stdout_match '^holidays: 2026-03-10, 2026-03-11$' rp ann team
test_expect "--days 4: calls Monday and Thursday, none on the holidays" expect_stdout '["2026-03-09","2026-03-12"]' \
	rpqs ann '[.[]|select(.kind=="call")|.day]|unique' agenda --json --days 4
test_expect "a campaign from Monday skips them" expect_ok rp ann campaign "Easter order?" --top 3 --per-day 1 --from 2026-03-09
test_expect "... Monday, Thursday, Friday" expect_stdout '["2026-03-09","2026-03-12","2026-03-13"]' \
	rpqs ann '[.[]|select(.text=="Easter order?")|.day]' agenda --json --days 5 --calls 0
test_expect "a handover's intro skips them: due Thursday" expect_ok rp ann handover "Beta Bau" --to bob --offline
test_expect "... 2026-03-12" expect_stdout '"2026-03-12T00:00:00Z"' \
	rpq ann '[.followups[]|select(.text|startswith("introduce"))|.due][0]|tojson' show "Beta Bau" --json
test_expect "a date that is no day is refused" expect_error 2 "'2026-03-10T10:00' is not a day" \
	rp ann team holidays 2026-03-10T10:00
test_expect "team holidays none clears them" expect_stdout "team: no holidays" rp ann team holidays none
test_expect "... calls on Tuesday again" expect_stdout_match '2026-03-10' \
	rpqs ann '[.[]|select(.kind=="call")|.day]|unique' agenda --json --days 4

test_done
