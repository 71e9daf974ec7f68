#!/bin/bash
# One wrong clock does not date a device's ops in the future for good
# (proto/hlc.h): after a write with the date at 9999-12-31, the next write
# with the right date is dated now; the future-dated op is flagged in
# history and status; and a sync between two devices whose clocks differ by
# more than the skew limit warns the one that is ahead, in the sync line and
# in status, on both sides.
. ./lib.sh

new_team shop ann Acme
alpha="$(rp_must shop account add "Alpha Tools")"

test_begin "a clock that ran far ahead once"

test_expect "with the date at 9999-12-31, a write" \
	expect_ok at_time 9999-12-31T00:00:00Z rp shop account set "$alpha" email future@alpha.example
test_expect "with the date right again, a call is logged" expect_ok rp shop log "$alpha" call "Back in 2026"
last_at="$(rp shop history "$alpha" --json | jq -r 'select(.kind == "ix.log") | .at')"
test_expect "the call is dated now, not in 9999" expect_match "$last_at" '^2026-03-10T09:00'
test_expect "history flags the future-dated op" \
	expect_eq "$(rp shop history "$alpha" --json | jq -r 'select(.future) | .kind')" acct.set
test_expect "... for people too" expect_match "$(rp shop history "$alpha")" '9999-12-31 .*\(future!\).*acct\.set'
test_expect "... and only it" expect_eq "$(rp shop history "$alpha" --json | jq -s '[.[] | select(.future)] | length')" 1
test_expect "status names this device's clock as having run ahead" \
	expect_match "$(status_of shop '.clock_skew[] | "\(.member) \(.ahead_ms)"')" '^ann [0-9]{12,}$'
test_expect "... for people too" expect_match "$(rp shop status)" "clock_skew: +ann's clock ran [0-9]+ s ahead"
test_expect "a later write keeps its own order by seq" \
	expect_ok rp shop account set "$alpha" phone "+49 30 1"
test_expect "... and is dated now" \
	expect_match "$(rp shop history "$alpha" --json | jq -rs 'map(select(.kind == "acct.set")) | max_by(.seq) | .at')" '^2026-03-10'
test_expect "the far-future email keeps winning until set after that date (documented in hlc.h)" \
	expect_eq "$(rp shop show "$alpha" --json | jq -r .fields.email)" future@alpha.example

test_begin "a sync between clocks three hours apart warns"

new_device bob bob
rp_must shop member add bob "$(rp_must bob id)" --role manager >/dev/null
start_serve shop "$(free_port)"
hub_ep="$(endpoint shop)"
hub_id="$(rp_must shop id)"
run at_time 2026-03-10T12:00:00Z rpt bob sync "$hub_ep" --peer "$hub_id"
test_expect "bob (3 h ahead) syncs: exit 0" expect_eq "$RC" 0
test_expect "... the sync line warns that his clock is ahead" \
	expect_match "$OUT" "warning: this device's clock is 3 h 0 min ahead of the peer's"
test_expect "bob's status says the hub's clock was behind his" \
	expect_match "$(at_time 2026-03-10T12:00:00Z rp bob status)" "peer_clocks: +ann's clock was 10800 s behind ours"
test_expect "the hub's status says bob's was ahead" \
	expect_match "$(rp shop status)" "peer_clocks: +bob's clock was 10800 s ahead of ours"
run rpt bob sync "$hub_ep" --peer "$hub_id"
test_expect "with bob's clock right again, no warning" expect_no_match "$OUT" warning
test_expect "... and the hub's status says they are in step" expect_match "$(rp shop status)" 'peer_clocks: +in step'
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve shop
test_expect "no process of this test is left running" expect_nothing_left

test_done
