#!/bin/bash
# The exports are read by real readers (issue 11): the vCard by Debian's
# python3-vobject (the cards, their ADR parts and CATEGORIES), the CSVs by
# Python's csv module back into the same values; --what interactions puts
# an amount's value and currency in two columns, --what contacts one contact
# a row; --bom starts a CSV with a UTF-8 BOM; --tag keeps the tagged accounts.
. ./lib.sh

py=/usr/bin/python3
if ! "$py" -c 'import vobject' 2>/dev/null; then
	test_skip "the exports parse with real readers" "no python3-vobject (make deps installs it)"
	test_done
	exit 0
fi

new_team ann ann
printf 'Record ID,Company name,Street Address,City,Postal Code,Country/Region,Phone Number\n' >"$TMP/in.csv"
printf '1,Bakery Blum,"Hauptstr. 1",Berlin,10115,Germany,+49 30 1111\n' >>"$TMP/in.csv"
rp_must ann import "$TMP/in.csv" 2>/dev/null
rp_must ann account set blum email blum@example.com >/dev/null
rp_must ann account tag blum retail >/dev/null
rp_must ann account add "Café, \"Corner\"" --tag cafe --email corner@example.com >/dev/null
rp_must ann contact add blum "Hans Blum" --role buyer --email hans@blum.example >/dev/null
rp_must ann log blum purchase "Oven X200" --amount 4200.50 --currency EUR --at 2026-03-01 >/dev/null
rp_must ann log blum call "Asked, about \"delivery\"
on two lines" --at 2026-03-02 >/dev/null
rp_must ann log corner purchase "Beans" --amount 300 --currency USD --at 2026-03-03 >/dev/null

test_begin "vCard: python3-vobject reads every card"

rp ann export --format vcard >"$TMP/all.vcf"
cards="$("$py" - "$TMP/all.vcf" <<'PY'
import sys, vobject
for card in vobject.readComponents(open(sys.argv[1], encoding="utf-8").read()):
    adr = card.contents.get("adr")
    a = adr[0].value if adr else None
    print("|".join([
        card.fn.value,
        card.contents["kind"][0].value if "kind" in card.contents else "",
        card.email.value if "email" in card.contents else "",
        (a.street + "/" + a.city + "/" + a.code + "/" + a.country) if a else "",
        ",".join(card.categories.value) if "categories" in card.contents else "",
    ]))
PY
)"
test_expect "the export parses as vCards" expect_match "$cards" "Bakery Blum"
test_expect "the account's card: org, email, ADR with street, city, code and country" \
	expect_match "$cards" "^Bakery Blum\|org\|blum@example.com\|Hauptstr. 1/Berlin/10115/Germany\|"
test_expect "the contact's card" expect_match "$cards" "^Hans Blum\|individual\|hans@blum.example\|"
test_expect "a name with a comma and quotes survives" expect_match "$cards" '^Café, "Corner"\|org\|corner@example.com\|\|cafe$'
rp ann export --format vcard --tag cafe >"$TMP/cafe.vcf"
test_expect "--tag cafe: only the tagged account's card" \
	expect_eq "$(grep -c '^BEGIN:VCARD' "$TMP/cafe.vcf")" 1

test_begin "CSV: Python's csv module reads the same values back"

rp ann export --format csv --what interactions >"$TMP/ix.csv"
rows="$("$py" - "$TMP/ix.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")):
    print(repr((r["account"], r["type"], r["text"], r["amount"], r["currency"])))
PY
)"
test_expect "an interaction a row, value and currency in their own columns" \
	expect_match "$rows" "\('Bakery Blum', 'purchase', 'Oven X200', '4200.50', 'EUR'\)"
test_expect "another currency stays its own" \
	expect_match "$rows" "\('Café, \"Corner\"', 'purchase', 'Beans', '300.00', 'USD'\)"
test_expect "a text with a comma, quotes and a line break reads back whole" \
	expect_match "$rows" "'Asked, about \"delivery\"\\\\non two lines', '', ''\)"
rp ann export --format csv --what contacts >"$TMP/contacts.csv"
test_expect "--what contacts: one contact a row, with its account" \
	expect_eq "$("$py" -c 'import csv,sys; print([(r["account"], r["name"], r["role"], r["email"]) for r in csv.DictReader(open(sys.argv[1], newline=""))])' "$TMP/contacts.csv")" \
	"[('Bakery Blum', 'Hans Blum', 'buyer', 'hans@blum.example')]"
rp ann export --format csv >"$TMP/accounts.csv"
test_expect "the accounts CSV reads back, custom fields and all" \
	expect_eq "$("$py" -c 'import csv,sys; print(sorted((r["name"], r["address.city"], r["source_id"]) for r in csv.DictReader(open(sys.argv[1], newline=""))))' "$TMP/accounts.csv")" \
	"[('Bakery Blum', 'Berlin', '1'), ('Café, \"Corner\"', '', '')]"
rp ann export --format csv --bom >"$TMP/excel.csv"
test_expect "--bom: the file starts with a UTF-8 BOM" expect_eq "$(head -c 3 "$TMP/excel.csv" | od -An -tx1 | tr -d ' ')" efbbbf
test_expect "... and the rest is the same export" expect_eq "$(tail -c +4 "$TMP/excel.csv" | md5sum)" "$(md5sum <"$TMP/accounts.csv")"
test_expect "a CSV with a BOM imports back" expect_ok rp ann import "$TMP/excel.csv"
rp ann export --format jsonl --what interactions --tag retail >"$TMP/ix.jsonl"
test_expect "--what interactions as JSONL, --tag retail: Bakery Blum's two" \
	expect_eq "$(jq -s -c 'map(.account) | unique' "$TMP/ix.jsonl")" '["Bakery Blum"]'
test_expect "bad combinations are usage errors" expect_exit 2 rp ann export --format vcard --what interactions
test_expect "--bom without csv too" expect_exit 2 rp ann export --bom
test_done
