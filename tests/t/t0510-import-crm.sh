#!/bin/bash
# Real CRM exports import (issue 11): files laid out as HubSpot (companies),
# Salesforce (Data Loader, Account), Pipedrive (organizations) and Zoho CRM
# (accounts) write them — a BOM, CRLF line ends, quoted fields holding CRLF,
# ';' separators. Each account's fields, owner and custom fields are checked
# one by one; the summary says what each column became and which owners are
# nobody here; a re-import updates by source_id instead of duplicating; a
# malformed row anywhere is named by line and imports nothing; --dry-run
# changes nothing.
. ./lib.sh

new_team ann ann
new_device bob bob
rp_must ann member add bob "$(rp_must bob id)" --role rep >/dev/null

# field HOME ACCOUNT FIELD: one field of the account, as show --json has it.
field() { rp "$1" show "$2" --json 2>/dev/null | jq -r --arg f "$3" '.fields[$f] // "(none)"'; }
owner() { rp "$1" show "$2" --json 2>/dev/null | jq -r '.owner'; }
accounts() { rp "$1" account list --json 2>/dev/null | jq -s length; }

test_begin "HubSpot companies: a BOM, CRLF, a quoted Description holding CRLF"

printf '\xef\xbb\xbfRecord ID,Company name,Company owner,Create Date,Phone Number,City,Country/Region,Industry,Company Domain Name,Description,Lifecycle Stage\r\n' >"$TMP/hubspot.csv"
printf '5801234567,Bakery Blum,Ann Admin,2024-01-10 09:00,+49 30 1111,Berlin,Germany,Food,blum.example,"Family bakery.\r\nOrders on Mondays.",customer\r\n' >>"$TMP/hubspot.csv"
printf '5801234568,Caf\xc3\xa9 Central,Nobody Here,2024-02-11 10:00,+43 1 2222,Wien,Austria,Hospitality,central.example,Coffee house,lead\r\n' >>"$TMP/hubspot.csv"

before="$(digest ann)"
run rp ann import "$TMP/hubspot.csv" --dry-run
test_expect "--dry-run exits 0" expect_eq "$RC" 0
test_expect "... says what would happen" expect_match "$ERR" "would import 2 accounts"
test_expect "... and changes nothing" expect_unchanged ann "$before"
test_expect "... and maps the columns: Company name→name, Company Domain Name→website, City→address.city, Description→notes, Record ID→source_id" \
	expect_match "$ERR" "columns: Record ID→source_id, Company name→name, Company owner→owner, Phone Number→phone, City→address.city, Country/Region→address.country, Company Domain Name→website, Description→notes"
test_expect "... keeps Industry and Lifecycle Stage as custom fields" \
	expect_match "$ERR" "kept as custom fields: Industry, Lifecycle Stage"
test_expect "... says Create Date is ignored" expect_match "$ERR" "ignored: Create Date"
test_expect "... and names the owners that are no member" \
	expect_match "$ERR" "owner 'Ann Admin' is not a member \(1 account\)"

run rp ann import "$TMP/hubspot.csv" --owner-map "Ann Admin=ann"
test_expect "the HubSpot file imports" expect_eq "$RC" 0
test_expect "Company Domain Name reaches website" expect_eq "$(field ann 'Bakery Blum' website)" blum.example
test_expect "Phone Number reaches phone" expect_eq "$(field ann 'Bakery Blum' phone)" "+49 30 1111"
test_expect "City reaches address.city" expect_eq "$(field ann 'Bakery Blum' address.city)" Berlin
test_expect "Country/Region reaches address.country" expect_eq "$(field ann 'Bakery Blum' address.country)" Germany
test_expect "the quoted CRLF is a line break in notes" \
	expect_eq "$(field ann 'Bakery Blum' notes)" "Family bakery.
Orders on Mondays."
test_expect "Record ID is the source_id" expect_eq "$(field ann 'Bakery Blum' source_id)" 5801234567
test_expect "Industry is a custom field" expect_eq "$(field ann 'Bakery Blum' industry)" Food
test_expect "Lifecycle Stage is a custom field" expect_eq "$(field ann 'Café Central' lifecycle_stage)" lead
test_expect "Create Date is nowhere" expect_eq "$(field ann 'Bakery Blum' create_date)" "(none)"
test_expect "--owner-map made ann the owner" expect_eq "$(owner ann 'Bakery Blum')" ann
test_expect "an owner that maps to nobody leaves the account with the importer" \
	expect_eq "$(owner ann 'Café Central')" ann

test_begin "a re-import updates by source_id, never duplicates"

n="$(accounts ann)"
run rp ann import "$TMP/hubspot.csv" --owner-map "Ann Admin=ann"
test_expect "the same file again imports" expect_eq "$RC" 0
test_expect "... and says both accounts were updated" expect_match "$ERR" "accounts: 0 new, 2 updated"
test_expect "... and makes no duplicate" expect_eq "$(accounts ann)" "$n"
sed 's/Bakery Blum/Blum Backwaren/; s/+49 30 1111/+49 30 9999/' "$TMP/hubspot.csv" >"$TMP/hubspot2.csv"
run rp ann import "$TMP/hubspot2.csv"
test_expect "a week later, renamed in HubSpot: the source_id finds the account" \
	expect_eq "$(accounts ann)" "$n"
test_expect "... and its new phone is taken" expect_eq "$(field ann 'Bakery Blum' phone)" "+49 30 9999"

test_begin "Salesforce Data Loader: Account objects, owners by id"

cat >"$TMP/salesforce.csv" <<'EOF'
"Id","IsDeleted","Name","Type","BillingStreet","BillingCity","BillingState","BillingPostalCode","BillingCountry","Phone","Website","Industry","Description","OwnerId","CreatedDate"
"0015g00000AbCdEAAV","false","Acme Tools","Customer - Direct","Main St 1
Building B","Springfield","IL","62701","USA","(217) 555-0100","acme.example","Manufacturing","Key account","0055g00000XyZ12AAA","2023-05-01T10:00:00.000Z"
"0015g00000AbCdFAAV","false","Globex","Prospect","","Shelbyville","IL","62565","USA","","globex.example","Energy","","0055g00000XyZ99AAA","2023-06-01T10:00:00.000Z"
EOF
run rp ann import "$TMP/salesforce.csv" --owner-map 0055g00000XyZ12AAA=bob
test_expect "the Salesforce file imports" expect_eq "$RC" 0
test_expect "Id is the source_id, not dropped" expect_eq "$(field ann 'Acme Tools' source_id)" 0015g00000AbCdEAAV
test_expect "BillingStreet is the address, its line break kept" \
	expect_eq "$(field ann 'Acme Tools' address)" "Main St 1
Building B"
test_expect "BillingCity, BillingState, BillingPostalCode, BillingCountry: address.*" \
	expect_eq "$(for f in city region postal_code country; do field ann 'Acme Tools' "address.$f"; done | tr '\n' ' ')" \
	"Springfield IL 62701 USA "
test_expect "Type and Industry are custom fields" \
	expect_eq "$(field ann 'Acme Tools' type)/$(field ann 'Acme Tools' industry)" "Customer - Direct/Manufacturing"
test_expect "the OwnerId --owner-map names is bob" expect_eq "$(owner ann 'Acme Tools')" bob
test_expect "an OwnerId nobody maps is reported with its count" \
	expect_match "$ERR" "owner '0055g00000XyZ99AAA' is not a member \(1 account\)"
test_expect "IsDeleted and CreatedDate are ignored, and said so" \
	expect_match "$ERR" "ignored: IsDeleted, CreatedDate"

test_begin "Pipedrive organizations and Zoho accounts (';'-separated)"

cat >"$TMP/pipedrive.csv" <<'EOF'
Organization - ID,Organization - Name,Organization - Owner,Organization - Address,Organization - Label,Organization - People
12,Müller GmbH,bob,"Hauptstr. 5, 10115 Berlin",hot,2
EOF
run rp ann import "$TMP/pipedrive.csv"
test_expect "the Pipedrive file imports" expect_eq "$RC" 0
test_expect "Organization - Name/Owner/Address/ID reach name, owner, address, source_id" \
	expect_eq "$(owner ann 'Müller GmbH') $(field ann 'Müller GmbH' address) $(field ann 'Müller GmbH' source_id)" \
	"bob Hauptstr. 5, 10115 Berlin 12"
test_expect "Organization - Label is a tag" \
	expect_eq "$(rp ann show 'Müller GmbH' --json | jq -r '.tags | join(",")')" hot

printf 'Record Id;Account Owner;Account Name;Phone;Website;Account Type;Industry;Billing Street;Billing City;Billing Code;Billing Country;Description\r\n' >"$TMP/zoho.csv"
printf 'zcrm_4000000001;bob;Zeta AG;+41 44 1234;zeta.example;Customer;Retail;Bahnhofstr. 1;Z\xc3\xbcrich;8001;Switzerland;"Sells; buys, often"\r\n' >>"$TMP/zoho.csv"
run rp ann import "$TMP/zoho.csv"
test_expect "the ';'-separated Zoho file imports" expect_eq "$RC" 0
test_expect "its cells are split on ';', a quoted ';' kept" \
	expect_eq "$(field ann 'Zeta AG' notes)" "Sells; buys, often"
test_expect "Billing City and Billing Code reach address.city and address.postal_code" \
	expect_eq "$(field ann 'Zeta AG' address.city) $(field ann 'Zeta AG' address.postal_code)" "Zürich 8001"
test_expect "Account Owner names bob" expect_eq "$(owner ann 'Zeta AG')" bob

test_begin "interactions and contacts exports, recognised by their header"

cat >"$TMP/calls.csv" <<'EOF'
Account,Type,Date,Subject,Amount,Currency
Acme Tools,Phone Call,2026-03-01 10:00,"Asked about spare parts, again",,
Acme Tools,Order,2026-03-02,Ordered 3 gearboxes,1200.50,USD
Zeta AG,Email,2026-03-03T08:30:00Z,Sent the catalogue,,
EOF
run rp ann import "$TMP/calls.csv"
test_expect "a calls export imports as interactions" expect_match "$ERR" "imported 2 accounts, 3 interactions"
test_expect "... its columns named in the summary" \
	expect_match "$ERR" "columns: Account→account, Type→type, Date→at, Subject→text, Amount→amount, Currency→currency"
test_expect "... CRM types become ours (Phone Call → call, Order → purchase), dates with a space are read" \
	expect_eq "$(rp ann show 'Acme Tools' --json | jq -c '[.interactions[] | [.type, .at, .amount.cents, .amount.currency]] | sort')" \
	'[["call","2026-03-01T10:00:00Z",null,null],["purchase","2026-03-02T00:00:00Z",120050,"USD"]]'
run rp ann import "$TMP/calls.csv"
test_expect "the same calls again add nothing" expect_match "$ERR" "imported 2 accounts, 0 interactions"
printf 'Account,Type,Date,Subject\nAcme Tools,Fax,2026-03-01,old habits\n' >"$TMP/fax.csv"
run rp ann import "$TMP/fax.csv"
test_expect "an unknown type is named with its line" expect_match "$ERR" "fax.csv:2: 'Fax' is not an interaction type"

cat >"$TMP/people.csv" <<'EOF'
Company Name,First Name,Last Name,Email,Phone Number,Job Title
Acme Tools,Jana,Novak,jana@acme.example,+1 217 555 0101,Buyer
Zeta AG,Urs,Meier,urs@zeta.example,,CEO
EOF
run rp ann import "$TMP/people.csv"
test_expect "a contacts export imports as contacts" expect_match "$ERR" "contacts: 2 added"
test_expect "... first and last name joined, the job title as the role" \
	expect_eq "$(rp ann show 'Acme Tools' --json | jq -c '[.contacts[] | [.name, .role, .email, .phone]]')" \
	'[["Jana Novak","Buyer","jana@acme.example","+1 217 555 0101"]]'
printf 'Person - Name,Person - Organization,Person - Email,Person - Phone\nLena Roth,Zeta AG,lena@zeta.example,+41 44 5555\n' >"$TMP/pd-people.csv"
run rp ann import "$TMP/pd-people.csv"
test_expect "a Pipedrive people export imports as contacts" \
	expect_eq "$(rp ann show 'Zeta AG' --json | jq -c '[.contacts[] | select(.name == "Lena Roth") | [.email, .phone]]')" \
	'[["lena@zeta.example","+41 44 5555"]]'
printf 'Company Name,First Name,Last Name,Email,Job Title\nNowhere Inc,A,B,a@b.example,x\n' >"$TMP/stray.csv"
run rp ann import "$TMP/stray.csv"
test_expect "a contact of an account not held here is refused, naming it and the line" \
	expect_match "$ERR" "stray.csv:2: no account 'Nowhere Inc' here: import the accounts first"
run rp ann import "$TMP/stray.csv" --map "Company Name=name"
test_expect "with --map it is a list of accounts after all" expect_eq "$(owner ann 'Nowhere Inc')" ann

test_begin "Salesforce Contact and Task, HubSpot contacts: onto the accounts by their ids"

# Data Loader exports quote every cell and end lines with CRLF; the Task's
# Description holds a CRLF of its own; WhatId may name an opportunity,
# AccountId names the account.
printf '"Id","AccountId","LastName","FirstName","Salutation","Name","Title","Phone","MobilePhone","Email","OwnerId"\r\n' >"$TMP/sf-contacts.csv"
printf '"0035g00000QwErTAAZ","0015g00000AbCdEAAV","Novak","Petr","Mr.","Petr Novak","Plant manager","(217) 555-0102","","petr@acme.example","0055g00000XyZ12AAA"\r\n' >>"$TMP/sf-contacts.csv"
run rp ann import "$TMP/sf-contacts.csv"
test_expect "a Salesforce Contact export imports as contacts" expect_match "$ERR" "contacts: 1 added"
test_expect "... onto the account its AccountId names, Title as the role" \
	expect_eq "$(rp ann show 'Acme Tools' --json | jq -c '[.contacts[] | select(.name == "Petr Novak") | [.role, .email, .phone]]')" \
	'[["Plant manager","petr@acme.example","(217) 555-0102"]]'
test_expect "... and what it does not use is said" expect_match "$ERR" "ignored: Id, Salutation, MobilePhone, OwnerId"
printf '"Id","WhoId","WhatId","Subject","ActivityDate","Status","Priority","OwnerId","Description","Type","TaskSubtype","AccountId","CallDisposition"\r\n' >"$TMP/sf-tasks.csv"
printf '"00T5g00000AbCdEAAV","0035g00000QwErTAAZ","0065g00000OppOrAAA","Called about the lathe","2026-03-02","Completed","Normal","0055g00000XyZ12AAA","Petr wants a quote.\r\nCall back in May.","Call","Call","0015g00000AbCdEAAV","Interested"\r\n' >>"$TMP/sf-tasks.csv"
printf '"00T5g00000AbCdFAAV","","0015g00000AbCdFAAV","Sent the catalogue","2026-03-03","Completed","Normal","0055g00000XyZ12AAA","","","Email","0015g00000AbCdFAAV",""\r\n' >>"$TMP/sf-tasks.csv"
run rp ann import "$TMP/sf-tasks.csv"
test_expect "a Salesforce Task export imports as interactions" expect_match "$ERR" " 2 interactions"
test_expect "... the call on the AccountId's account, not the WhatId's opportunity, Subject and Description as its text" \
	expect_eq "$(rp ann show 'Acme Tools' --json | jq -c '[.interactions[] | select(.outcome == "Interested") | [.type, .text, .outcome]]')" \
	'[["call","Called about the lathe\nPetr wants a quote.\nCall back in May.","Interested"]]'
test_expect "... an empty Type falls back to TaskSubtype" \
	expect_eq "$(rp ann show 'Globex' --json | jq -c '[.interactions[] | [.type, .text]]')" '[["email","Sent the catalogue"]]'
run rp ann import "$TMP/sf-tasks.csv"
test_expect "the same Task file again adds nothing" expect_match "$ERR" " 0 interactions"
printf '\xef\xbb\xbfRecord ID,First Name,Last Name,Email,Phone Number,Job Title,Associated Company\r\n' >"$TMP/hs-contacts.csv"
printf '501,Mia,Wolf,mia@globex.example,+1 555 0199,"Buyer,\r\nenergy",Globex\r\n' >>"$TMP/hs-contacts.csv"
before="$(digest ann)"
run rp ann import "$TMP/hs-contacts.csv"
test_expect "a contact's role holding a line break is refused, naming the line" \
	expect_match "$ERR" "hs-contacts.csv:2: .*role"
test_expect "... and nothing is imported" expect_unchanged ann "$before"
printf '\xef\xbb\xbfRecord ID,First Name,Last Name,Email,Phone Number,Job Title,Associated Company\r\n' >"$TMP/hs-contacts.csv"
printf '501,Mia,Wolf,mia@globex.example,+1 555 0199,"Buyer, energy",Globex\r\n' >>"$TMP/hs-contacts.csv"
run rp ann import "$TMP/hs-contacts.csv"
test_expect "a HubSpot contacts export (BOM, CRLF) imports onto its Associated Company" \
	expect_eq "$(rp ann show 'Globex' --json | jq -c '[.contacts[] | [.name, .role, .email, .phone]]')" \
	'[["Mia Wolf","Buyer, energy","mia@globex.example","+1 555 0199"]]'

rp ann export --format csv --what interactions >"$TMP/ours-ix.csv"
run rp ann import "$TMP/ours-ix.csv"
test_expect "our own interactions export imports back onto the same accounts, adding nothing" \
	expect_match "$ERR" " 0 interactions"

test_begin "a JSONL round trip keeps who did what"

rp_must ann log "Acme Tools" visit "Walked the plant" --at 2026-03-04 >/dev/null
rp ann export --format jsonl >"$TMP/acme.jsonl"
new_team rita rita Elsewhere
rp_must rita import "$TMP/acme.jsonl" 2>/dev/null
test_expect "the imported visit names ann as its author and rita as who imported it" \
	expect_eq "$(rp rita show 'Acme Tools' --json | jq -c '[.interactions[] | select(.text == "Walked the plant") | [.author, .imported_by, .at]]')" \
	'[["ann","rita","2026-03-04T00:00:00Z"]]'
test_expect "show says so" expect_match "$(rp rita show 'Acme Tools')" "visit +ann, imported by rita .*Walked the plant"
test_expect "history says so" expect_match "$(rp rita history 'Acme Tools')" "visit by ann \(imported\): Walked the plant"
test_expect "what rita logs herself is hers alone" \
	expect_eq "$(rp_must rita log 'Acme Tools' call 'mine' >/dev/null; rp rita show 'Acme Tools' --json | jq -c '[.interactions[] | select(.text == "mine") | [.author, .imported_by]]')" \
	'[["rita",null]]'

test_begin "bad files change nothing"

before="$(digest ann)"
{ head -n 3 "$TMP/salesforce.csv"; printf '"0015X","false","Broken Inc,"x"\n'; } >"$TMP/bad.csv"
run rp ann import "$TMP/bad.csv"
test_expect "a malformed row fails the import, naming the file and line" \
	expect_match "$ERR" "bad.csv:4: "
test_expect "... and nothing of the file is imported" expect_unchanged ann "$before"
run rp ann import "$TMP/hubspot.csv" --map "No Such Column=notes"
test_expect "--map of a column the file does not have is named" \
	expect_match "$ERR" "--map No Such Column=notes: the header has no column 'No Such Column'"
run rp ann import "$TMP/hubspot.csv" --owner-map "Ann Admin=zoe"
test_expect "--owner-map to someone who is no member is refused" \
	expect_match "$ERR" "'zoe' is not a member of the team"
run rp ann import "$TMP/hubspot.csv" --map "Industry=Bad Name!"
test_expect "--map to an impossible field name is refused" expect_match "$ERR" "cannot be a field name"
test_expect "... and none of them changed anything" expect_unchanged ann "$before"

test_begin "--map says what a column is"

printf 'Kundenname,Ort,Umsatz\nB\xc3\xa4ckerei Kraus,M\xc3\xbcnchen,1200\n' >"$TMP/de.csv"
run rp ann import "$TMP/de.csv" --map Kundenname=name --map Ort=address.city --map Umsatz=-
test_expect "a header no CRM writes imports with --map" expect_eq "$RC" 0
test_expect "... each column where --map put it" \
	expect_eq "$(field ann 'Bäckerei Kraus' address.city)/$(field ann 'Bäckerei Kraus' umsatz)" "München/(none)"
test_expect "... and the summary says Umsatz was ignored" expect_match "$ERR" "ignored: Umsatz"
run rp ann import "$TMP/de.csv" --map Kundenname=name --json
test_expect "--json reports every column's fate" \
	expect_eq "$(printf '%s' "$OUT" | jq -c '[.columns[].to]')" '["name","custom:ort","custom:umsatz"]'
test_expect "the store is sound" expect_fsck_ok ann
test_done
