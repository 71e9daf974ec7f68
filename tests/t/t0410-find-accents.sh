#!/bin/bash
# DESIGN.md §7 text rules: find and the name part of an account reference
# match case- and accent-insensitively, and the German spellings meet
# (muller, mueller, MÜLLER all find "Müller"; cafe finds "Café").
. ./lib.sh

new_team ann ann
mueller="$(rp_must ann account add "Bäckerei Müller")"
cafe="$(rp_must ann account add "Café Olé")"
blum="$(rp_must ann account add "Bakery Blum")"
ix="$(rp_must ann log "Bakery Blum" call "Jürgen Weiß asked for the Łódź prices")"

test_begin "find: accents and case aside"
for q in müller muller MUELLER mueller MÜLLER baeckerei backerei bäckerei "bäckerei muller"; do
	test_expect "find $q finds Bäckerei Müller" expect_stdout "[\"$mueller\"]" \
		rpqs ann 'map(select(.type=="account")|.id)' find $q --json
done
test_expect "find cafe finds Café Olé" expect_stdout "[\"$cafe\"]" \
	rpqs ann 'map(select(.type=="account")|.id)' find cafe --json
for q in jurgen weiss WEISS lodz "weiß lodz"; do
	test_expect "find $q finds the call's text" expect_stdout "[\"$ix\"]" \
		rpqs ann 'map(select(.type=="interaction")|.id)' find $q --json
done
test_expect "find blüm finds Bakery Blum (the query folds too)" expect_stdout "[\"$blum\"]" \
	rpqs ann 'map(select(.type=="account")|.id)' find blüm --json
test_expect "find mullerx finds nothing" expect_stdout "[]" rpqs ann '.' find mullerx --json

test_begin "an account by part of its name, accents aside"
test_expect "show muller shows Bäckerei Müller" expect_stdout "$mueller" rpq ann '.id' show muller --json
test_expect "show cafe shows Café Olé" expect_stdout "$cafe" rpq ann '.id' show cafe --json
test_expect "show baeckerei shows Bäckerei Müller" expect_stdout "$mueller" rpq ann '.id' show baeckerei --json
test_expect "show bä is ambiguous (ba: Bäckerei, Bakery) and names both" expect_stderr_match "matches 2 accounts: .*Bakery Blum" rp ann show bä

test_begin "names are unique accents and case aside"
d="$(digest ann)"
test_expect "account add \"Cafe Ole\" is refused: it is Café Olé's name" \
	expect_error 1 "'Cafe Ole' is the name of account $cafe, accents and case aside" rp ann account add "Cafe Ole"
test_expect "... and \"MUELLER\" spellings too" expect_error 1 "accents and case aside" \
	rp ann account add "BAECKEREI MUELLER"
test_expect "a rename onto it is refused" expect_error 1 "accents and case aside" \
	rp ann account set "Bakery Blum" name "Café Ole"
test_expect "... nothing written" expect_unchanged ann "$d"
test_expect "renaming an account to its own name without accents is fine" expect_ok \
	rp ann account set "$cafe" name "Cafe Ole"
test_expect "... and back" expect_ok rp ann account set "$cafe" name "Café Olé"

test_begin "Greek and Cyrillic: case and marks aside"
taverna="$(rp_must ann account add "Ταβέρνα Αθήνα")"
kafe="$(rp_must ann account add "Кафе Ёлка")"
rp_must ann log "$taverna" visit "Ο κύριος Παπαδόπουλος θέλει τιμές" >/dev/null
for q in αθηνα ΑΘΗΝΑ αθήνα "ταβερνα"; do
	test_expect "find $q finds Ταβέρνα Αθήνα" expect_stdout "[\"$taverna\"]" \
		rpqs ann 'map(select(.type=="account")|.id)' find "$q" --json
done
test_expect "find παπαδοπουλος finds the visit's text" expect_stdout 1 \
	rpqs ann 'map(select(.type=="interaction"))|length' find παπαδοπουλος --json
for q in елка ЁЛКА ёлка кафе; do
	test_expect "find $q finds Кафе Ёлка" expect_stdout "[\"$kafe\"]" \
		rpqs ann 'map(select(.type=="account")|.id)' find "$q" --json
done
test_expect "show ΑΘΗΝΑ shows Ταβέρνα Αθήνα" expect_stdout "$taverna" rpq ann '.id' show ΑΘΗΝΑ --json
test_expect "show елка shows Кафе Ёлка" expect_stdout "$kafe" rpq ann '.id' show елка --json
test_expect "the exact name, in capitals, finds it too" expect_stdout "$taverna" rpq ann '.id' show "ΤΑΒΈΡΝΑ ΑΘΉΝΑ" --json

test_begin "an import keeps names unique accents and case aside"
printf '{"name":"Cafe Ole","tags":["x"]}\n' >"$TMP/ole.jsonl"
d="$(digest ann)"
test_expect "importing \"Cafe Ole\" beside Café Olé is refused, naming both" \
	expect_error 1 "ole.jsonl:1: account 'Cafe Ole' is 'Café Olé' here, accents and case aside" \
	rp ann import "$TMP/ole.jsonl"
test_expect "... and changes nothing" expect_unchanged ann "$d"
printf '{"name":"Nord Süd"}\n{"name":"NORD SUED"}\n' >"$TMP/twice.jsonl"
test_expect "a file naming one account twice, accents aside, is refused" \
	expect_error 1 "twice.jsonl:2: account 'NORD SUED' is also on line 1 .account names are unique, accents and case aside." \
	rp ann import "$TMP/twice.jsonl"
test_expect "... and changes nothing" expect_unchanged ann "$d"
printf '{"name":"café olé","tags":["x"]}\n' >"$TMP/same.jsonl"
test_expect "the same name in another case updates Café Olé" \
	eval 'rp ann import "$TMP/same.jsonl" >/dev/null 2>&1 &&
	      expect_eq "$(rp ann show "$cafe" --json | jq -c .tags)" "[\"x\"]"'

test_done
