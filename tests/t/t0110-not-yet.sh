#!/bin/bash
# The commands of the handover issue (handover, member revoke) say they are
# not available yet, exit 1, and change nothing. (serve, peer and sync have
# arrived: tests/t/t2000-*.)
. ./lib.sh

test_begin "network commands are not available yet"

new_team ann ann
acct="$(rp_must ann account add "Bakery Blum")"
bob_id="$(new_device bob bob; rp_must bob id)"
rp_must ann member add bob "$bob_id" --role rep
before="$(digest ann)"

not_yet()
{
	local what="$1"
	shift
	expect_error_line 1 "^$what: .*not (yet available|available yet)" rp ann "$@"
}

test_expect "handover ACCOUNT --to" not_yet handover handover "Bakery Blum" --to bob
test_expect "handover --from --to" not_yet handover handover --from ann --to bob
test_expect "member revoke" not_yet "member revoke" member revoke bob
test_expect "none of them changed anything" expect_unchanged ann "$before"
test_expect "bob is still an active member" \
	expect_stdout_match "^bob +rep +$bob_id +active$" rp ann member list
test_expect "the account is still ann's" expect_stdout_match '^  owner: +ann$' rp ann show "$acct"

test_done
