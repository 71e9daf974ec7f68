#!/bin/bash
# Money (DESIGN.md §7): amounts in their currency's own minor units (JPY 0,
# EUR 2, BHD 3), unknown codes refused, no figure adds two currencies, value
# ranks in the team currency (EUR until `team currency` sets another) with
# the others shown beside it; tables group thousands.
. ./lib.sh

new_team ann ann
for a in "Euro Shop" "Yen Shop" "Dollar Shop" "Mixed Shop"; do
	rp_must ann account add "$a" >/dev/null
done
rp_must ann log euro purchase "oven" --amount 500 >/dev/null
yen="$(rp_must ann log yen purchase "knives" --amount 1000 --currency JPY)"
rp_must ann log dollar purchase "mixer" --amount 600 --currency USD >/dev/null
rp_must ann log mixed purchase "flour" --amount 100 --currency EUR >/dev/null
rp_must ann log mixed purchase "tea" --amount 90,000 --currency JPY >/dev/null

test_begin "each currency in its own minor units"

test_expect "1000 JPY is stored as 1000 units" expect_stdout '{"cents":1000,"currency":"JPY"}' \
	rpq ann ".interactions[]|select(.id==\"$yen\")|.amount" show yen --json
test_expect "and shown without decimals" expect_stdout_match '^  value: +1,000 JPY$' rp ann show yen
test_expect "BHD has three decimals" expect_stdout_match '^[a-z2-7]{26}$' \
	rp ann log dollar purchase "dates" --amount 1.25 --currency BHD
test_expect "... 1.250 BHD is 1250 units" expect_stdout '{"cents":1250,"currency":"BHD"}' \
	rpq ann '.interactions[]|select(.text=="dates")|.amount' show dollar --json
d="$(digest ann)"
test_expect "a code that is no ISO 4217 currency is refused" \
	expect_error 2 "--currency: 'ABC' is not an ISO 4217 currency code" rp ann log euro purchase x --amount 1 --currency ABC
test_expect "a metal is no currency either" \
	expect_error 2 "'XAU' is not an ISO 4217" rp ann log euro purchase x --amount 1 --currency XAU
test_expect "12.5 JPY is refused: JPY has no decimals" \
	expect_error 1 "bad amount '12\.5': JPY has no decimals" rp ann log yen purchase x --amount 12.5 --currency JPY
test_expect "... and nothing changed" expect_unchanged ann "$d"
test_expect "export CSV writes each amount with its currency's decimals" expect_stdout \
	'1000,JPY' bash -c "'$RAPPORT_BIN' --home '$TMP/ann' export --format csv --what interactions | grep knives | grep -o '1000,JPY'"

test_begin "value ranks in the team currency, others beside it"

test_expect "EUR by default: Euro 500, Mixed 100, then the rest by name" expect_stdout \
	'[["Euro Shop",500,"EUR"],["Mixed Shop",100,"EUR"],["Dollar Shop",0,"EUR"],["Yen Shop",0,"EUR"]]' \
	rpqs ann '[.[]|[.name,.score,.currency]]' top --json
test_expect "no figure adds two currencies: Mixed keeps two values" expect_stdout \
	'[{"cents":10000,"currency":"EUR"},{"cents":90000,"currency":"JPY"}]' rpq ann .value show mixed --json
test_expect "top for people: the team currency first, the others beside it" expect_stdout_match \
	'^2 +Mixed Shop +ann +100\.00 EUR, 90,000 JPY ' rp ann top
test_expect "team currency JPY" expect_stdout "team: value ranks in JPY; amounts without a currency are in JPY" \
	rp ann team currency JPY
test_expect "now Mixed (90,000 JPY) leads Yen (1,000 JPY)" expect_stdout \
	'[["Mixed Shop",90000],["Yen Shop",1000],["Dollar Shop",0],["Euro Shop",0]]' \
	rpqs ann '[.[]|[.name,.score]]' top --json
test_expect "... and shows the JPY first" expect_stdout_match '^1 +Mixed Shop +ann +90,000 JPY, 100\.00 EUR ' rp ann top
test_expect "an amount without --currency is in the team currency" expect_ok rp ann log yen purchase "bowls" --amount 2500
test_expect "... 2500 JPY" expect_stdout '{"cents":2500,"currency":"JPY"}' \
	rpq ann '.interactions[]|select(.text=="bowls")|.amount' show yen --json
test_expect "... with the team currency's decimals" \
	expect_error 1 "bad amount '2\.5': JPY has no decimals" rp ann log yen purchase x --amount 2.5
test_expect "team currency USD: Dollar Shop leads" expect_ok rp ann team currency USD
test_expect "... 600 USD" expect_stdout '["Dollar Shop",600,"USD"]' rpqs ann '.[0]|[.name,.score,.currency]' top --json
test_expect "an unknown team currency is refused" expect_error 2 "'EURO' is not an ISO 4217 currency code" \
	rp ann team currency EURO
test_expect "... lower case too" expect_error 2 "'usd' is not an ISO 4217" rp ann team currency usd

test_begin "the team currency reaches every device"

new_device meg meg
rp_must ann member add meg "$(rp_must meg id)" --role manager >/dev/null
start_serve ann "$(free_port)"
test_expect "meg syncs with ann" sync_ok meg "$(endpoint ann)" --peer "$(rp_must ann id)"
test_expect "meg's top ranks in USD too" expect_stdout '["Dollar Shop",600,"USD"]' \
	rpqs meg '.[0]|[.name,.score,.currency]' top --json
test_expect "a manager may not change it" expect_error 1 "only an admin can change the team's settings" \
	rp meg team currency EUR
test_expect "ann's serve stops cleanly" stop_serve ann

test_begin "what each buys: the most frequent purchases"

for t in tea tea TEA flour cups cups cups; do rp_must ann log mixed purchase "$t" --amount 1 --currency USD >/dev/null; done
test_expect "show --json stats.buys: tea (4, spelled two ways), cups (3), flour (2): the three most frequent" \
	expect_stdout '["tea","cups","flour"]' rpq ann '.stats.buys|map(ascii_downcase)' show mixed --json
test_expect "show says it" expect_stdout_match '^  buys: +(tea|TEA), cups, flour$' rp ann show mixed
test_expect "top has it" expect_stdout '["tea","cups","flour"]' \
	rpqs ann 'map(select(.name=="Mixed Shop"))|.[0].buys|map(ascii_downcase)' top --json

test_begin "referrals: what the customers an account brought are worth"

test_expect "account set Euro Shop referred-by Yen Shop (by any ACCOUNT form)" \
	expect_stdout "set referred-by of Euro Shop" rp ann account set euro referred-by "yen shop"
test_expect "Dollar Shop too" expect_ok rp ann account set dollar referred-by "$(rpq ann .id show yen --json)"
test_expect "show Yen Shop: 2 customers, worth their values, each currency its own" expect_stdout \
	'{"count":2,"value":[{"cents":1250,"currency":"BHD"},{"cents":50000,"currency":"EUR"},{"cents":60000,"currency":"USD"}]}' \
	rpq ann .referrals show yen --json
test_expect "... for people" expect_stdout_match '^  referrals: +2 customers worth 1\.250 BHD, 500\.00 EUR, 600\.00 USD$' rp ann show yen
test_expect "Euro Shop says who brought it, by name" expect_stdout '"Yen Shop"' rpq ann '.referred_by.name|tojson' show euro --json
test_expect "a rename keeps the link" expect_ok rp ann account set yen name "Yen Store"
test_expect "... Euro Shop: referred by Yen Store" expect_stdout_match '^  referred by: +Yen Store$' rp ann show euro
test_expect "top shows the referrals beside the value" expect_stdout_match \
	'Yen Store +ann .*; referred 2 customers worth ' rp ann top
d="$(digest ann)"
test_expect "an account is not its own referrer" expect_error 1 "cannot be referred by itself" \
	rp ann account set euro referred-by euro
test_expect "an account that is not there" expect_error 1 "no account matches 'nowhere'" \
	rp ann account set euro referred-by nowhere
test_expect "... nothing changed" expect_unchanged ann "$d"
test_expect "an empty value clears it" expect_ok rp ann account set dollar referred-by ""
test_expect "... one customer left" expect_stdout 1 rpq ann .referrals.count show "Yen Store" --json

test_begin "thousands grouped in every table"

rp_must ann log euro purchase "line" --amount 1,234,397.29 --currency EUR >/dev/null
test_expect "show" expect_stdout_match '^  value: +1,234,897\.29 EUR$' rp ann show euro
test_expect "account list" expect_stdout_match 'Euro Shop +ann +- +1,234,897\.29 EUR' rp ann account list
test_expect "JSON keeps plain minor units" expect_stdout '[{"cents":123489729,"currency":"EUR"}]' \
	rpq ann .value show euro --json

test_done
