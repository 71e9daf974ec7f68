#!/bin/bash
# Fixing mistakes (DESIGN.md §7, second round): retract and amend an
# interaction, move and cancel a follow-up, archive an account, set a
# contact's field; each with its effect on last contact, value, at-risk,
# the agenda and the history, and the line each write prints. The clock is
# RAPPORT_NOW=2026-03-10T09:00:00Z (lib.sh), a Tuesday.
. ./lib.sh

new_team ann ann
rp_must ann account add "Beta Ltd" --phone "+44 20 1" >/dev/null
rp_must ann account add "Gamma GmbH" >/dev/null
# Beta buys every 30 days, 100.00 EUR each time; its last purchase was 69 days ago.
for d in 2025-11-01 2025-12-01 2025-12-31; do
	rp_must ann log beta purchase "monthly order" --amount 100 --at "$d" >/dev/null
done

test_begin "retract: a purchase logged on the wrong account"

test_expect "before: Beta is at risk (no purchase for 69 days, usually every 30)" \
	expect_stdout '["Beta Ltd"]' rpqs ann '[.[].name]' at-risk --json
wrong="$(rp_must ann log beta purchase "meant for Gamma" --amount 50)"
test_expect "the wrong purchase counts: value 350.00, last contact now" expect_stdout \
	'[[{"cents":35000,"currency":"EUR"}],"2026-03-10T09:00:00Z"]' \
	rpq ann '[.value, .stats.last_contact]' show beta --json
test_expect "... and hides Beta from at-risk" expect_stdout '[]' rpqs ann '[.[].name]' at-risk --json
test_expect "retract says what it did, on stdout" \
	expect_stdout "retracted purchase ${wrong:0:10} on Beta Ltd" rp ann retract "${wrong:0:8}" --reason "wrong account"
test_expect "value is back to 300.00, last contact to 2025-12-31" expect_stdout \
	'[[{"cents":30000,"currency":"EUR"}],"2025-12-31T00:00:00Z",3,3]' \
	rpq ann '[.value, .stats.last_contact, .stats.interactions, .stats.purchases]' show beta --json
test_expect "Beta is at risk again" expect_stdout '["Beta Ltd"]' rpqs ann '[.[].name]' at-risk --json
test_expect "show --json keeps it, retracted, with who and why" expect_stdout \
	'[true,{"author_device":"'"$(rp ann id)"'","by":"ann","reason":"wrong account"}]' \
	rpq ann ".interactions[]|select(.id==\"$wrong\")|[.retracted, .retraction]" show beta --json
test_expect "show says it beside the text" expect_stdout_match \
	'meant for Gamma \[retracted by ann: wrong account\]' rp ann show beta
test_expect "history keeps the purchase, marked retracted, and the retract" expect_stdout \
	'["purchase: meant for Gamma (retracted by ann: wrong account)","retracted '"${wrong:0:10}"': wrong account"]' \
	rpqs ann "[.[]|select(.op==\"$wrong\" or .kind==\"ix.retract\")|.summary]" history beta --json
ring="$(rp_must ann follow-up beta "ring" --due +1d)"
d="$(digest ann)"
test_expect "retracting it again is refused" \
	expect_error 1 "interaction $wrong is retracted already" rp ann retract "$wrong"
test_expect "a follow-up id is not an interaction" \
	expect_error 1 "no interaction with id" rp ann retract "$ring"
test_expect "an id that is no id" expect_error 1 "not a interaction id|not an interaction id" rp ann retract "no!"
test_expect "... and none of that changed anything" expect_unchanged ann "$d"

test_begin "amend: one field at a time, the last amend wins"

call="$(rp_must ann log gamma call "talked about prices" --at 2026-03-02T10:00 --contact "Jo")"
buy="$(rp_must ann log gamma purchase "first order" --amount 1000 --at 2026-03-03)"
test_expect "amend text" expect_stdout "amended call ${call:0:10} on Gamma GmbH: text = met the owner" \
	rp ann amend "$call" text "met the owner"
test_expect "amend at takes a WHEN; the last contact follows the purchase" expect_ok \
	rp ann amend "$call" at 2026-03-05T11:00
test_expect "last contact is the amended call's time" expect_stdout 2026-03-05T11:00:00Z \
	rpq ann .stats.last_contact show gamma --json
test_expect "an empty value clears the contact" expect_stdout "amended call ${call:0:10} on Gamma GmbH: contact cleared" \
	rp ann amend "$call" contact ""
test_expect "amend amount in the interaction's currency" expect_ok rp ann amend "$buy" amount 1,200.50
test_expect "value follows: 1200.50 EUR" expect_stdout '[{"cents":120050,"currency":"EUR"}]' \
	rpq ann .value show gamma --json
test_expect "amend currency keeps the figure" expect_ok rp ann amend "$buy" currency USD
test_expect "value is now in USD, no EUR left" expect_stdout '[{"cents":120050,"currency":"USD"}]' \
	rpq ann .value show gamma --json
test_expect "amend type: the purchase was a visit" expect_ok rp ann amend "$buy" type visit
test_expect "no purchase left, no value, the amount kept on the visit" expect_stdout \
	'[[],0,{"cents":120050,"currency":"USD"},"visit"]' \
	rpq ann "[.value, .stats.purchases, (.interactions[]|select(.id==\"$buy\")|.amount, .type)]" show gamma --json
test_expect "the call reads as amended in show --json" expect_stdout \
	'["met the owner","2026-03-05T11:00:00Z",null]' \
	rpq ann ".interactions[]|select(.id==\"$call\")|[.text,.at,.contact]" show gamma --json
test_expect "history says what each amend did" expect_stdout \
	'["amended '"${call:0:10}"': text = met the owner","amended '"${call:0:10}"': at = 2026-03-05T11:00:00Z","amended '"${call:0:10}"': contact cleared","amended '"${buy:0:10}"': amount = 1,200.50 EUR","amended '"${buy:0:10}"': amount = 1,200.50 USD","amended '"${buy:0:10}"': type = visit"]' \
	rpqs ann '[.[]|select(.kind=="ix.amend")|.summary]' history gamma --json
d="$(digest ann)"
test_expect "an unknown field is a usage error naming the fields" \
	expect_error 2 "unknown FIELD 'colour' \(one of text, type, at, amount, currency, contact, outcome\)" \
	rp ann amend "$call" colour red
test_expect "an unknown type" expect_error 1 "unknown interaction type 'sale'" rp ann amend "$call" type sale
test_expect "a date that is no date" expect_error 1 "bad date '2026-02-30'" rp ann amend "$call" at 2026-02-30
test_expect "an amount that is no amount" expect_error 1 "bad amount '12,5'" rp ann amend "$buy" amount 12,5
test_expect "a currency that is no code" expect_error 1 "'euro' is not an ISO 4217 currency code" rp ann amend "$buy" currency euro
test_expect "the type cannot be cleared" expect_error 1 "type cannot be cleared" rp ann amend "$call" type ""
test_expect "the same value again changes nothing and says so" \
	expect_error 1 "already has that text" rp ann amend "$call" text "met the owner"
test_expect "a retracted interaction is not amended" \
	expect_error 1 "retracted already" rp ann amend "$wrong" text "x"
test_expect "a value that starts with - is a value, not an option" expect_ok rp ann amend "$call" at -1d
test_expect "... and the refused ones changed nothing" expect_stdout 2026-03-09T09:00:00Z \
	rpq ann ".interactions[]|select(.id==\"$call\")|.at" show gamma --json

test_begin "follow-up move and cancel"

fu="$(rp_must ann follow-up gamma "send the offer" --due today)"
test_expect "due today: on the agenda" expect_stdout '["send the offer"]' \
	rpqs ann '[.[]|select(.kind=="followup")|.text]' agenda --json
test_expect "move says where to" expect_stdout "moved follow-up ${fu:0:10} on Gamma GmbH to 2026-03-17 09:00" \
	rp ann follow-up move "${fu:0:7}" --due +1w
test_expect "moved a week on: off today's agenda" expect_stdout '[]' \
	rpqs ann '[.[]|select(.kind=="followup")|.text]' agenda --json
test_expect "... and the next due moved with it" expect_stdout 2026-03-17T09:00:00Z \
	rpq ann .stats.next_due show gamma --json
test_expect "a day alone is said as a day" expect_stdout "moved follow-up ${fu:0:10} on Gamma GmbH to 2026-03-18" \
	rp ann follow-up move "$fu" --due 2026-03-18
test_expect "... and back" expect_ok rp ann follow-up move "$fu" --due +1w
test_expect "move needs --due" expect_error 2 "missing --due WHEN" rp ann follow-up move "$fu"
test_expect "cancel says what it did" expect_stdout "cancelled follow-up ${fu:0:10} on Gamma GmbH" \
	rp ann follow-up cancel "$fu"
test_expect "no open follow-up, no next due; it is kept, cancelled" expect_stdout '[0,null,true]' \
	rpq ann "[.stats.open_followups, .stats.next_due, (.followups[]|select(.id==\"$fu\")|.cancelled)]" show gamma --json
test_expect "cancelling it again is refused" expect_error 1 "is cancelled already" rp ann follow-up cancel "$fu"
test_expect "a cancelled one is not moved" expect_error 1 "is cancelled already" rp ann follow-up move "$fu" --due +2d
fu2="$(rp_must ann follow-up gamma "ring" --due +1d)"
test_expect "done prints what it closed" expect_stdout "done: follow-up ${fu2:0:10} on Gamma GmbH" rp ann done "$fu2"
test_expect "a done one is not cancelled" expect_error 1 "is done already" rp ann follow-up cancel "$fu2"
test_expect "the plain form still sets a follow-up" expect_stdout_match '^[a-z2-7]{26}$' \
	rp ann follow-up gamma "visit in spring" --due 2026-04-01

test_begin "account archive"

test_expect "archive says what it did, and the open follow-up it takes along" expect_ok \
	rp ann account archive gamma
test_expect "... on stdout" expect_eq "$OUT" "archived Gamma GmbH: out of lists, the agenda and top"
test_expect "... the note on stderr" expect_match "$ERR" "its 1 open follow-up leaves the agenda"
test_expect "out of account list" expect_stdout '["Beta Ltd"]' rpqs ann '[.[].name]' account list --json
test_expect "out of top" expect_stdout '["Beta Ltd"]' rpqs ann '[.[].name]' top --json
test_expect "in account list --archived" expect_stdout '["Gamma GmbH"]' rpqs ann '[.[].name]' account list --archived --json
test_expect "show still finds it, archived" expect_stdout true rpq ann .archived show gamma --json
test_expect "archiving it again is refused" expect_error 1 "Gamma GmbH is archived already" rp ann account archive gamma
test_expect "--undo brings it back" expect_stdout "Gamma GmbH is back in lists, the agenda and top" \
	rp ann account archive gamma --undo
test_expect "back in account list" expect_stdout '["Beta Ltd","Gamma GmbH"]' rpqs ann '[.[].name]' account list --json
test_expect "--undo of one not archived is refused" expect_error 1 "is not archived" rp ann account archive beta --undo
test_expect "account list --limit 1: the first by name" expect_stdout '["Beta Ltd"]' \
	rpqs ann '[.[].name]' account list --limit 1 --json
test_expect "--limit 0 is a usage error" expect_error 2 "limit" rp ann account list --limit 0
test_expect "history says archived, then brought back" expect_stdout \
	'["archived","brought back from the archive"]' \
	rpqs ann '[.[]|select(.kind=="acct.archive")|.summary]' history gamma --json

test_begin "contact set and list; account set and tag say what they did"

jo="$(rp_must ann contact add beta "Jo Smith" --email jo@beta.example)"
test_expect "contact set" expect_stdout "set phone of contact Jo Smith ${jo:0:10} on Beta Ltd" \
	rp ann contact set "$jo" phone "+44 20 2"
test_expect "contact set prefer" expect_ok rp ann contact set "$jo" prefer email
test_expect "an empty value clears a field" expect_ok rp ann contact set "$jo" email ""
test_expect "contact list --json" expect_stdout \
	'{"email":null,"id":"'"$jo"'","name":"Jo Smith","phone":"+44 20 2","prefer":"email","role":null}' \
	rpq ann . contact list beta --json
test_expect "contact list for people" expect_stdout_match 'Jo Smith +- +- +\+44 20 2 +email' \
	rp ann contact list beta
d="$(digest ann)"
test_expect "an unknown field" expect_error 2 "unknown FIELD 'age'" rp ann contact set "$jo" age 40
test_expect "a bad email" expect_error 1 "'jo' is not an email address" rp ann contact set "$jo" email jo
test_expect "a bad way to reach" expect_error 2 "prefer: unknown way 'fax'" rp ann contact set "$jo" prefer fax
test_expect "the name cannot be cleared" expect_error 1 "name cannot be cleared" rp ann contact set "$jo" name ""
test_expect "an interaction id is no contact" expect_error 1 "no contact with id" rp ann contact set "$call" name X
test_expect "... and nothing changed" expect_unchanged ann "$d"
test_expect "account set says what it did" expect_stdout "set website of Beta Ltd" \
	rp ann account set beta website beta.example
test_expect "account set '' says it cleared" expect_stdout "cleared website of Beta Ltd" \
	rp ann account set beta website ""
test_expect "account tag says which tags" expect_stdout "tagged Beta Ltd: retail vip" rp ann account tag beta retail vip
test_expect "account tag --remove" expect_stdout "untagged Beta Ltd: vip" rp ann account tag beta vip --remove
c="$(rp_must ann log beta complaint "late delivery")"
test_expect "resolve says what it resolved" expect_stdout "resolved complaint ${c:0:10} on Beta Ltd" \
	rp ann resolve "$c" "sent a voucher"

test_begin "the store stays whole"

test_expect "fsck rebuilds every view from the log and finds them equal" expect_fsck_ok ann

test_done
