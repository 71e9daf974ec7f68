#!/bin/bash
# account add, set, tag, list; finding an account by id, prefix, name or part of it.
. ./lib.sh

new_team ann ann
bob_id="$(new_device bob bob; rp_must bob id)"
rp_must ann member add bob "$bob_id" --role rep

test_begin "account add prints an id and records the fields and tags given"

test_expect "account add prints one account id" \
	expect_stdout_match '^[a-z2-7]{26}$' rp ann account add "Bakery Blum" \
	--email blum@example.com --phone "+49 30 1234" --prefer call --tag retail --tag bakery
blum="$OUT"
rp ann show "$blum" --json >"$TMP/blum.json"
test_expect "name" expect_json "$TMP/blum.json" .name "Bakery Blum"
test_expect "id" expect_json "$TMP/blum.json" .id "$blum"
test_expect "owner defaults to this device's member" expect_json "$TMP/blum.json" .owner ann
test_expect "fields email, phone, prefer" expect_json "$TMP/blum.json" .fields \
	'{"email":"blum@example.com","phone":"+49 30 1234","prefer":"call"}'
test_expect "tags" expect_json "$TMP/blum.json" '.tags|sort' '["bakery","retail"]'
test_expect "no interactions, follow-ups, value or conflicts yet" expect_json "$TMP/blum.json" \
	'[.interactions, .followups, .value, .conflicts]|map(length)' '[0,0,0,0]'

test_expect "--owner gives the account to another member" \
	expect_stdout_match '^[a-z2-7]{26}$' rp ann account add "Cafe Corner" --owner bob
corner="$OUT"
test_expect "... whom show names" expect_stdout bob rpq ann .owner show "$corner" --json
test_expect "a repeated --tag is one tag" \
	expect_stdout_match '^[a-z2-7]{26}$' rp ann account add "Deli Dora" --tag food --tag food
test_expect "... once" expect_stdout '["food"]' rpq ann .tags show "Deli Dora" --json

before="$(digest ann)"
test_expect "a second account with the same name (any case) is refused, naming it" \
	expect_error_line 1 "'bakery BLUM'.*$blum|$blum.*'bakery BLUM'" rp ann account add "bakery BLUM"
test_expect "--owner must be a member, and is named" \
	expect_error_line 1 "'nobody'" rp ann account add "Eel House" --owner nobody
test_expect "an empty name is refused" expect_error 1 "name" rp ann account add ""
test_expect "--prefer takes call, email, visit, sms or none, naming the bad one" \
	expect_error_line "$EXIT_BADVALUE" "account add: --prefer: .*'fax'" \
	rp ann account add "Eel House" --prefer fax
test_expect "none of that changed anything" expect_unchanged ann "$before"
test_expect "... nor made an account" expect_stdout 3 rpqs ann length account list --json

test_begin "account set: fields, custom fields, clearing, renaming"

test_expect "set website" expect_ok rp ann account set blum website https://blum.example
test_expect "set a custom field" expect_ok rp ann account set blum opening_hours "7-18"
test_expect "an empty value clears a field" expect_ok rp ann account set blum phone ""
test_expect "set prefer to another valid way" expect_ok rp ann account set blum prefer visit
rp ann show "$blum" --json >"$TMP/blum.json"
test_expect "show has the new fields, not the cleared one" expect_json "$TMP/blum.json" .fields \
	'{"email":"blum@example.com","opening_hours":"7-18","prefer":"visit","website":"https://blum.example"}'
test_expect "the last write wins: set email twice" \
	eval 'rp ann account set blum email a@example.com && rp ann account set blum email b@example.com'
test_expect "... b@ is the email" expect_stdout b@example.com rpq ann .fields.email show blum --json
before="$(digest ann)"
test_expect "set prefer to a bad way fails, naming it" \
	expect_error_line "$EXIT_BADVALUE" "'fax'" rp ann account set blum prefer fax
test_expect "set on an unknown account fails, naming it" \
	expect_error_line 1 "'Nowhere Inc'" rp ann account set "Nowhere Inc" email x@example.com
test_expect "set with a missing VALUE is a usage error" \
	expect_error 2 "account set: missing VALUE" rp ann account set blum email
test_expect "a field name with a space is refused, naming it" \
	expect_error_line 1 "'shoe size'" rp ann account set blum "shoe size" 42
test_expect "nothing changed" expect_unchanged ann "$before"
test_expect "rename with set name" expect_ok rp ann account set blum name "Blum & Sons Bakery"
test_expect "the new name finds it" expect_stdout "$blum" rpq ann .id show "blum & sons BAKERY" --json
test_expect "the old full name no longer does" \
	expect_error_line 1 "'Bakery Blum'" rp ann show "Bakery Blum"
rp_must ann account set blum name "Bakery Blum" >/dev/null

test_begin "account tag adds and removes tags"

test_expect "tag several at once" expect_ok rp ann account tag blum vip north
test_expect "... all there" expect_stdout '["bakery","north","retail","vip"]' \
	rpq ann '.tags|sort' show blum --json
test_expect "--remove removes" expect_ok rp ann account tag blum north --remove
test_expect "... gone" expect_stdout '["bakery","retail","vip"]' rpq ann '.tags|sort' show blum --json
before="$(digest ann)"
test_expect "removing a tag it does not carry fails, naming the tag" \
	expect_error_line 1 "'north'" rp ann account tag blum north --remove
test_expect "tag without a TAG is a usage error" expect_error 2 "account tag: missing TAG" rp ann account tag blum
test_expect "an empty tag is refused" expect_error 2 "empty TAG" rp ann account tag blum ""
test_expect "nothing changed" expect_unchanged ann "$before"

test_begin "ACCOUNT: id, id prefix of 6 or more, unique name, unique part of a name"

rp_must ann account add "Bakery Brot" >/dev/null
test_expect "the whole id" expect_stdout "Bakery Blum" rpq ann .name show "$blum" --json
test_expect "a 6-character prefix of the id" \
	expect_stdout "Bakery Blum" rpq ann .name show "${blum:0:6}" --json
test_expect "an upper-case id" \
	expect_stdout "Bakery Blum" rpq ann .name show "${blum^^}" --json
test_expect "the name in another case" \
	expect_stdout "$blum" rpq ann .id show "BAKERY blum" --json
test_expect "a unique part of the name" expect_stdout "$blum" rpq ann .id show blum --json
new_team uni uni
mueller="$(rp_must uni account add "Bäckerei Müller")"
test_expect "a non-ASCII name, as typed" expect_stdout "$mueller" rpq uni .id show "Bäckerei Müller" --json
test_expect "a non-ASCII part of it" expect_stdout "$mueller" rpq uni .id show "müller" --json
test_expect "a non-ASCII name in another case" expect_stdout "$mueller" rpq uni .id show "BÄCKEREI MÜLLER" --json
test_expect "... so a second 'BÄCKEREI MÜLLER' is refused" expect_error_line 1 "BÄCKEREI MÜLLER" rp uni account add "BÄCKEREI MÜLLER"
test_expect "a 5-character prefix is too short" expect_error_line 1 "'${blum:0:5}'" rp ann show "${blum:0:5}"
test_expect "an ambiguous part names the candidates" \
	expect_error_line 1 "'bakery'.*Bakery Blum.*Bakery Brot|'bakery'.*Bakery Brot.*Bakery Blum" \
	rp ann show bakery
test_expect "an unknown account is named" expect_error_line 1 "'Nowhere Inc'" rp ann show "Nowhere Inc"

test_begin "account list: sorted by name, filtered by tag or owner, as a table or JSONL"

test_expect "list prints a header and one row per account" \
	expect_exit 0 rp ann account list
test_expect "... in name order" expect_eq "$(printf '%s\n' "$OUT" | awk 'NR>1{print $2, $3}')" \
	"$(printf '%s\n' "Bakery Blum" "Bakery Brot" "Cafe Corner" "Deli Dora")"
test_expect "... with owner and tags" expect_match "$OUT" "^${blum:0:10} +Bakery Blum +ann +bakery, retail, vip "
test_expect "--tag retail lists only Blum" \
	expect_stdout "Bakery Blum" rpq ann .name account list --tag retail --json
test_expect "--owner bob lists only Cafe Corner" \
	expect_stdout "Cafe Corner" rpq ann .name account list --owner bob --json
test_expect "--mine lists ann's three" \
	expect_stdout "$(printf '%s\n' "Bakery Blum" "Bakery Brot" "Deli Dora")" \
	rpq ann .name account list --mine --json
test_expect "--mine and --owner together are a usage error" \
	expect_error 2 "--mine.*--owner" rp ann account list --mine --owner bob
test_expect "a tag no account carries lists nothing" \
	expect_stdout "" rp ann account list --tag nothing-here --json
test_expect "--json is JSONL with id, name, owner, tags, value" \
	expect_stdout 4 rpqs ann 'map(select(has("id") and has("name") and has("owner") and has("tags") and has("value")))|length' \
	account list --json
test_expect "an unknown subcommand is a usage error naming it" \
	expect_error 2 "'frob'" rp ann account frob
test_expect "account alone is a usage error" expect_error 2 "account: missing" rp ann account

test_done
