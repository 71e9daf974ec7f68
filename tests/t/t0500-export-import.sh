#!/bin/bash
# export (jsonl, csv, vcard) and import: a round trip into a fresh home gives
# the same accounts, fields, tags, interactions and follow-ups; CSV from other
# CRMs imports; a bad line is named and nothing of its file is imported.
. ./lib.sh

# What an account is, without what a new home must make anew: ids, the device
# and member that signed, op counts. Arrays in a stable order.
NORM='del(.id, .ops)
	| .interactions |= (map(del(.id, .author_device, .author, .imported_by)) | sort_by(.at, .type, .text))
	| .followups |= (map(del(.id, .author_device, .author)) | sort_by(.due, .text))
	| .contacts |= (map(del(.id)) | sort_by(.name))'

# normalised FILE: one normalised account a line, sorted by name.
normalised()
{
	jq -S -c "$NORM" "$1" | sort
}

new_team ann ann
rp_must ann account add "Bakery Blum" --email blum@example.com --phone "+49 30 1234" \
	--prefer call --tag retail --tag b2b >/dev/null
rp_must ann account set blum opening_hours "7-18" >/dev/null &&
rp_must ann account set blum address "Hauptstr. 1
10115 Berlin" >/dev/null &&
rp_must ann log "Bakery Blum" visit "Met the owner, wants an oven quote" --at 2026-03-01 >/dev/null &&
rp_must ann log blum purchase "Oven X200" --amount 4200.50 --currency EUR >/dev/null &&
rp_must ann log blum call "asked about delivery" --contact "Mrs Blum" --outcome "next week" --at 2026-03-05T10:15 >/dev/null &&
rp_must ann log blum purchase "Refund, one tray" --amount -19.99 --at 2026-03-06 >/dev/null &&
rp_must ann log blum gift "Calendar" --at 2026-01-02 >/dev/null
open_fu="$(rp_must ann follow-up "Bakery Blum" "Send the quote" --due +3d)"
done_fu="$(rp_must ann follow-up blum "Ring back" --due 2026-03-04)"
rp_must ann done "$done_fu" "rang, all fine" >/dev/null
rp_must ann account add 'Cafe, "Corner"' --tag cafe >/dev/null
rp_must ann log corner purchase beans --amount 300 --currency USD --at 2026-02-10 >/dev/null
rp_must ann account add "=HYPERLINK(\"http://evil\")" >/dev/null
rp_must ann account add "Deli Dora" --email dora@example.com >/dev/null

test_begin "export --format jsonl: one show --json document a line"

test_expect "export exits 0" expect_exit 0 rp ann export --format jsonl
printf '%s\n' "$OUT" >"$TMP/ann.jsonl"
test_expect "four lines, each a JSON object" expect_stdout '4 ["object"]' \
	sh -c 'echo "$(wc -l <"$0") $(jq -s -c "map(type)|unique" "$0")"' "$TMP/ann.jsonl"
test_expect "the default format is jsonl" expect_stdout "$(cat "$TMP/ann.jsonl")" rp ann export
test_expect "each line is the account's show --json" \
	expect_eq "$(jq -S -c 'select(.name=="Bakery Blum")' "$TMP/ann.jsonl")" "$(rp ann show blum --json | jq -S -c .)"
test_expect "Blum carries its 5 interactions and 2 follow-ups" \
	expect_json "$TMP/ann.jsonl" 'select(.name=="Bakery Blum")|[(.interactions|length),(.followups|length)]' '[5,2]'

test_begin "export | import into a fresh home | export: the same accounts"

new_team zoe zoe Other
test_expect "import the JSONL into a fresh home" expect_exit 0 rp zoe import "$TMP/ann.jsonl"
test_expect "... says what it imported, on stderr" \
	expect_match "$ERR" "imported 4 accounts, 6 interactions, 2 follow-ups from .*ann\.jsonl"
rp zoe export >"$TMP/zoe.jsonl"
test_expect "the same four accounts by name" expect_eq "$(jq -r .name "$TMP/zoe.jsonl" | sort)" \
	"$(jq -r .name "$TMP/ann.jsonl" | sort)"
test_expect "the same fields" expect_eq "$(jq -S -c '[.name,.fields]' "$TMP/zoe.jsonl" | sort)" \
	"$(jq -S -c '[.name,.fields]' "$TMP/ann.jsonl" | sort)"
test_expect "the same tags" expect_eq "$(jq -S -c '[.name,(.tags|sort)]' "$TMP/zoe.jsonl" | sort)" \
	"$(jq -S -c '[.name,(.tags|sort)]' "$TMP/ann.jsonl" | sort)"
test_expect "the same interactions (type, at, text, amount, contact, outcome)" \
	expect_eq "$(jq -S -c '[.name,(.interactions|map({type,at,text,amount,contact,outcome})|sort_by(.at,.text))]' "$TMP/zoe.jsonl" | sort)" \
	"$(jq -S -c '[.name,(.interactions|map({type,at,text,amount,contact,outcome})|sort_by(.at,.text))]' "$TMP/ann.jsonl" | sort)"
test_expect "the same follow-ups (text, due, done, note)" \
	expect_eq "$(jq -S -c '[.name,(.followups|map({text,due,done,done_text})|sort_by(.due))]' "$TMP/zoe.jsonl" | sort)" \
	"$(jq -S -c '[.name,(.followups|map({text,due,done,done_text})|sort_by(.due))]' "$TMP/ann.jsonl" | sort)"
test_expect "everything else the same too, but ids, devices and authors" \
	expect_eq "$(normalised "$TMP/zoe.jsonl" | sed 's/"owner":"zoe"/"owner":"ann"/g')" "$(normalised "$TMP/ann.jsonl")"
test_expect "the imported accounts are the importer's" expect_stdout '["zoe"]' jq -s -c 'map(.owner)|unique' "$TMP/zoe.jsonl"
test_expect "the imported history is signed by the importing device" \
	expect_stdout "[\"$(rp zoe id)\"]" jq -s -c '[.[].interactions[].author_device]|unique' "$TMP/zoe.jsonl"
test_expect "fsck is happy with the imported store" expect_stdout_match ': ok$' rp zoe fsck

before="$(digest zoe)"
ops_before="$(rpq zoe .ops show blum --json)"
test_expect "importing the same file again succeeds" expect_exit 0 rp zoe import "$TMP/ann.jsonl"
test_expect "... and adds nothing: same digest" expect_unchanged zoe "$before"
test_expect "... and no new op" expect_stdout "$ops_before" rpq zoe .ops show blum --json

test_begin "export --format csv: one account a row, safe for spreadsheets"

test_expect "export --format csv" expect_exit 0 rp ann export --format csv
printf '%s\n' "$OUT" >"$TMP/ann.csv"
test_expect "a header row first" expect_eq "$(head -n 1 "$TMP/ann.csv" | tr -d '\r' | cut -d, -f1-4)" "id,name,owner,email"
test_expect "a custom field gets a column" expect_match "$(head -n 1 "$TMP/ann.csv")" 'opening_hours'
test_expect "a header and one row per account (the address's newline is quoted)" \
	expect_eq "$(grep -c $'\r$' "$TMP/ann.csv")" 5
test_expect "rows end with CRLF (RFC 4180)" expect_eq "$(head -n 1 "$TMP/ann.csv" | od -An -c | tr -d ' \n' | tail -c 4)" '\r\n'
test_expect "a name with a comma and quotes is quoted" expect_match "$(cat "$TMP/ann.csv")" '"Cafe, ""Corner"""'
test_expect "a cell starting with = is neutralised" expect_match "$(cat "$TMP/ann.csv")" "^[a-z2-7]{26},\"?'=HYPERLINK"
test_expect "... and so is one starting with +" expect_match "$(cat "$TMP/ann.csv")" "'\\+49 30 1234"

new_team carl carl Third
test_expect "import the CSV into a fresh home" expect_exit 0 rp carl import "$TMP/ann.csv"
test_expect "... 4 accounts" expect_match "$ERR" "imported 4 accounts"
rp carl export >"$TMP/carl.jsonl"
test_expect "the same names" expect_eq "$(jq -r .name "$TMP/carl.jsonl" | sort)" "$(jq -r .name "$TMP/ann.jsonl" | sort)"
test_expect "the same fields (neutralised cells read back as they were)" \
	expect_eq "$(jq -S -c '[.name,.fields]' "$TMP/carl.jsonl" | sort)" "$(jq -S -c '[.name,.fields]' "$TMP/ann.jsonl" | sort)"
test_expect "the same tags" expect_eq "$(jq -S -c '[.name,(.tags|sort)]' "$TMP/carl.jsonl" | sort)" \
	"$(jq -S -c '[.name,(.tags|sort)]' "$TMP/ann.jsonl" | sort)"

test_begin "CSV from another CRM: its own header names, in its own order"

printf '%s\r\n' \
	'Tags,E-Mail Address,Company,Phone Number,Contact Name,Website,Annual Revenue (EUR)' \
	'retail;vip,info@acme.example,Acme GmbH,030 555,Hans Acme,https://acme.example,120000' \
	'"food, drinks",,Beta AG,,,,' \
	'"",hello@gamma.example,"Gamma ""G"" Ltd",,Greta,,' >"$TMP/other.csv"
new_team olga olga Fourth
test_expect "it imports" expect_exit 0 rp olga import "$TMP/other.csv"
test_expect "... 3 accounts" expect_match "$ERR" "imported 3 accounts, 0 interactions, 0 follow-ups"
rp olga export >"$TMP/olga.jsonl"
test_expect "Company is the account name" expect_stdout "$(printf '%s\n' "Acme GmbH" "Beta AG" 'Gamma "G" Ltd')" \
	jq -r .name "$TMP/olga.jsonl"
test_expect "E-Mail Address, Phone Number and Website are the fields" \
	expect_json "$TMP/olga.jsonl" 'select(.name=="Acme GmbH")|.fields|[.email,.phone,.website]' \
	'["info@acme.example","030 555","https://acme.example"]'
test_expect "other columns become custom fields" \
	expect_json "$TMP/olga.jsonl" 'select(.name=="Acme GmbH")|.fields|[.contact_name,.annual_revenue_eur]' \
	'["Hans Acme","120000"]'
test_expect "tags split on ; and ," expect_json "$TMP/olga.jsonl" '[.name,(.tags|sort)]|tostring' \
	"$(printf '%s\n' '["Acme GmbH",["retail","vip"]]' '["Beta AG",["drinks","food"]]' '["Gamma \"G\" Ltd",[]]')"
test_expect "an empty cell sets nothing" expect_json "$TMP/olga.jsonl" 'select(.name=="Beta AG")|.fields' '{}'

test_begin "a malformed CSV row: named by line, and nothing of the file imported"

bad_import()
{
	local file="$1" re="$2" before
	before="$(digest olga)"
	expect_error_line 1 "$re" rp olga import "$file" || return 1
	expect_unchanged olga "$before"
}
printf '%s\n' 'name,email' 'Good One,a@example.com' '"Broken, quote,b@example.com' 'Good Two,c@example.com' >"$TMP/q.csv"
test_expect "an unterminated quote on line 3" bad_import "$TMP/q.csv" 'q\.csv:3: .*quote'
printf '%s\n' 'name,email' 'Good One,a@example.com' 'Good Two,c@example.com' 'Too,many,cells' >"$TMP/n.csv"
test_expect "too many cells on line 4" bad_import "$TMP/n.csv" 'n\.csv:4: .*cells'
printf '%s\n' 'name,prefer' 'Good One,call' 'Good Two,fax' >"$TMP/p.csv"
test_expect "a bad prefer on line 3, naming it" bad_import "$TMP/p.csv" "p\\.csv:3: .*'fax'"
printf '%s\n' 'name,email' 'Good One,a@example.com' ',b@example.com' >"$TMP/e.csv"
test_expect "an empty name on line 3" bad_import "$TMP/e.csv" 'e\.csv:3: .*name.*empty'
printf '%s\n' 'name' 'Good One' 'GOOD ONE' >"$TMP/d.csv"
test_expect "the same account twice, lines 2 and 3" bad_import "$TMP/d.csv" 'd\.csv:3: .*line 2'
printf '%s\n' 'email,phone' 'a@example.com,1' >"$TMP/h.csv"
test_expect "no name column in the header" bad_import "$TMP/h.csv" 'h\.csv.*name'
test_expect "none of these made an account" expect_stdout 3 rpqs olga length account list --json

test_begin "a CSV row for an account the home has updates it"

printf '%s\n' 'Company,Email,Tags' 'ACME GMBH,sales@acme.example,wholesale' >"$TMP/x.csv"
test_expect "it imports" expect_exit 0 rp olga import "$TMP/x.csv"
test_expect "no new account" expect_stdout 3 rpqs olga length account list --json
test_expect "the field is updated, the others kept" expect_stdout '["sales@acme.example","030 555"]' \
	rpq olga '.fields|[.email,.phone]' show acme --json
test_expect "the tag is added" expect_stdout '["retail","vip","wholesale"]' rpq olga '.tags|sort' show acme --json

test_begin "a malformed JSONL line: named, nothing imported"

jq -c 'select(.name=="Deli Dora")' "$TMP/ann.jsonl" >"$TMP/good.jsonl"
new_team jim jim Fifth
bad_jsonl()
{
	local file="$1" re="$2" before
	before="$(digest jim)"
	expect_error_line 1 "$re" rp jim import "$file" || return 1
	expect_unchanged jim "$before"
}
{ cat "$TMP/good.jsonl"; jq -c 'select(.name=="Bakery Blum")|.interactions[0].type="dance"' "$TMP/ann.jsonl"; } >"$TMP/t.jsonl"
test_expect "an unknown interaction type on line 2" bad_jsonl "$TMP/t.jsonl" "t\\.jsonl:2: .*'dance'"
{ cat "$TMP/good.jsonl"; jq -c 'select(.name=="Bakery Blum")|.interactions[1].amount={"cents":"12.5","currency":"EUR"}' "$TMP/ann.jsonl"; } >"$TMP/a.jsonl"
test_expect "a malformed amount on line 2" bad_jsonl "$TMP/a.jsonl" 't?a\.jsonl:2: .*amount'
{ cat "$TMP/good.jsonl"; jq -c 'select(.name=="Bakery Blum")|.followups[0].due="2026-02-30T00:00:00Z"' "$TMP/ann.jsonl"; } >"$TMP/w.jsonl"
test_expect "an impossible date on line 2" bad_jsonl "$TMP/w.jsonl" 'w\.jsonl:2: .*due'
{ cat "$TMP/good.jsonl"; head -c 100 "$TMP/ann.jsonl"; echo; } >"$TMP/c.jsonl"
test_expect "a cut line 2" bad_jsonl "$TMP/c.jsonl" 'c\.jsonl:2'
test_expect "a file that is not there is named" bad_jsonl "$TMP/missing.jsonl" 'missing\.jsonl'
test_expect "none of these made an account" expect_stdout 0 rpqs jim length account list --json
test_expect "the good line alone imports" expect_exit 0 rp jim import "$TMP/good.jsonl"
test_expect "... with its fields" expect_stdout '{"email":"dora@example.com"}' rpq jim .fields show dora --json

test_begin "export: vcard, and bad formats"

test_expect "export --format vcard" expect_exit 0 rp ann export --format vcard
test_expect "one card per account" expect_eq "$(printf '%s\n' "$OUT" | grep -c '^BEGIN:VCARD')" 4
test_expect "vCard 4.0" expect_match "$OUT" '^VERSION:4\.0'
test_expect "with the organisation's name, escaped" expect_match "$OUT" '^FN:Cafe\\, "Corner"'
test_expect "an unknown format is refused, naming it" \
	expect_error_line "$EXIT_BADVALUE" "'xlsx'" rp ann export --format xlsx
test_expect "export takes no arguments" expect_error 2 "export: unexpected argument 'file.csv'" rp ann export file.csv
test_expect "import without FILE is a usage error" expect_error 2 "import: missing FILE" rp ann import

test_done
