#!/bin/bash
# fsck (and that it catches a tampered op), digest, backup/restore, forget.
. ./lib.sh

new_team ann ann
blum="$(rp_must ann account add "Bakery Blum" --email secret-blum@example.com --tag retail)"
rp_must ann log blum visit "confidential visit notes" --at 2026-03-01 >/dev/null
rp_must ann log blum purchase "Oven X200" --amount 4200.50 >/dev/null
rp_must ann follow-up blum "Send the quote" --due +3d >/dev/null
corner="$(rp_must ann account add "Cafe Corner")"
rp_must ann log corner call "hello" >/dev/null

test_begin "fsck"

test_expect "fsck passes on a sound store" expect_exit 0 rp ann fsck
test_expect "... and says how much it checked" \
	expect_eq "$OUT" "9 ops, 2 accounts: 0 bad signatures, 0 mismatched views: ok"
test_expect "fsck --json" expect_stdout '{"accounts":2,"bad_sigs":0,"mismatched_views":0,"ok":true,"ops":9}' \
	rpq ann '{ops,accounts,bad_sigs,mismatched_views,ok}' fsck --json

# Tamper with the stored log behind rapport's back (mdb_dump / mdb_load, from
# lmdb-utils): fsck must notice, name the op, and exit 1.
# tamper HOME CMD...: copy ann to HOME, pass its ops table (mdb_dump's text)
# through CMD, load it back.
tamper()
{
	local home="$1"
	shift
	cp -r "$TMP/ann" "$TMP/$home" || return 1
	mdb_dump -s ops "$TMP/$home" >"$TMP/$home.dump" || return 1
	"$@" <"$TMP/$home.dump" >"$TMP/$home.bad"
	cmp -s "$TMP/$home.dump" "$TMP/$home.bad" && { echo "the edit changed nothing" >&2; return 1; }
	mdb_load -s ops "$TMP/$home" <"$TMP/$home.bad" 2>/dev/null
}
# The value lines of the dump are hex; the last one is the newest op, whose
# last byte is the last byte of its signature: flip its lowest bit.
flip_last_sig_bit()
{
	awk '{ line[NR] = $0; if ($0 ~ /^ /) last = NR }
	     END { for (i = 1; i <= NR; i++) {
	             if (i == last) {
	               c = substr(line[i], length(line[i]));
	               d = index("0123456789abcdef", c) - 1;
	               d = d - d % 2 + (1 - d % 2);
	               line[i] = substr(line[i], 1, length(line[i]) - 1) substr("0123456789abcdef", d + 1, 1)
	             }
	             print line[i] } }'
}
if command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null; then
	# "hello" → "jello" in the body of the last op
	# "hello" → "jello" in the body of the newest op (seq 9)
	test_expect "setup: change a word in a stored op's body" \
		tamper t1 sed '/^HEADER=END/,$ s/68656c6c6f/6a656c6c6f/'
	test_expect "fsck fails on it" expect_exit 1 rp t1 fsck
	test_expect "... and counts the bad op" expect_match "$OUT" '1 bad signature.*NOT OK$'
	test_expect "... and says so on stderr" expect_error_line 1 '(verif|not sound)' eval 'rp t1 fsck >/dev/null'
	test_expect "fsck --json lists the problem" expect_exit 1 rp t1 fsck --json
	test_expect "... naming the op (author and seq 9) and what is wrong" \
		expect_match "$(jq -r '.problems[]' <<<"$OUT")" '(0{15}9|[^0-9]9)\b.*(hash|signature)'
	test_expect "setup: flip a bit of a stored op's signature" tamper t2 flip_last_sig_bit
	test_expect "fsck fails on it" expect_exit 1 rp t2 fsck
	test_expect "... one bad signature" expect_match "$OUT" '1 bad signature'
	test_expect "the untouched original still passes" expect_exit 0 rp ann fsck
else
	test_expect "lmdb-utils (mdb_dump, mdb_load) are installed ('make deps')" false
fi

test_begin "digest"

test_expect "digest is 64 hex digits, one line" expect_stdout_match '^[0-9a-f]{64}$' rp ann digest
d1="$OUT"
test_expect "the same twice" expect_stdout "$d1" rp ann digest
test_expect "the same at another time of day (it hashes the view, not the clock)" \
	expect_stdout "$d1" at_time 2027-01-01T00:00:00Z rp ann digest
test_expect "digest ACCOUNT is the account's" expect_stdout_match '^[0-9a-f]{64}$' rp ann digest blum
db="$OUT"
test_expect "... another account has another" expect_ne "$(rp ann digest corner)" "$db"
test_expect "... neither is the whole store's" expect_ne "$db" "$d1"
rp_must ann log corner call "again" >/dev/null
test_expect "a write changes the digest" expect_ne "$(digest ann)" "$d1"
test_expect "... but not the digest of an account it did not touch" expect_stdout "$db" rp ann digest blum
test_expect "a read does not change it" eval 'd="$(digest ann)"; rp ann show blum >/dev/null; rp ann export >/dev/null; expect_unchanged ann "$d"'

test_begin "backup and restore"

d2="$(digest ann)"
test_expect "backup FILE" expect_ok rp ann backup "$TMP/ann.bak"
test_expect "the backup holds the device key: it is 0600" expect_eq "$(stat -c %a "$TMP/ann.bak")" 600
test_expect "backup does not overwrite a file, naming it" expect_error_line 1 "ann\\.bak" rp ann backup "$TMP/ann.bak"
test_expect "restore into a fresh home" expect_ok rp copy restore "$TMP/ann.bak"
test_expect "... gives the same digest" expect_stdout "$d2" rp copy digest
test_expect "... the same device" expect_stdout "$(rp ann id)" rp copy id
test_expect "... the same account" expect_stdout "$(rp ann show blum --json)" rp copy show blum --json
test_expect "... a sound store" expect_stdout_match ': ok$' rp copy fsck
test_expect "... that takes new writes" expect_stdout_match '^[a-z2-7]{26}$' rp copy log blum call "after the restore"
test_expect "restore refuses a home that holds a device, naming it" \
	expect_error_line 1 "$(re_quote "$TMP/ann")" rp ann restore "$TMP/ann.bak"
test_expect "... and the home is untouched" expect_stdout "$d2" rp ann digest
printf 'not a backup\n' >"$TMP/junk.bak"
test_expect "restore refuses a file that is not a backup, naming it" \
	expect_error_line 1 "junk\\.bak" rp junk restore "$TMP/junk.bak"
test_expect "... and leaves no half-made home" test ! -e "$TMP/junk/device.key"
test_expect "restore of a missing file names it" expect_error_line 1 "nothing\\.bak" rp junk2 restore "$TMP/nothing.bak"

test_begin "forget: erase an account's personal data, keep a log that verifies"

test_expect "forget ACCOUNT" expect_exit 0 rp ann forget blum --reason "customer asked (GDPR art. 17)"
test_expect "... says it on stderr" expect_match "$ERR" 'forgot account'
rp ann show "$blum" --json >"$TMP/forgotten.json"
test_expect "the name is gone" expect_json "$TMP/forgotten.json" .name null
test_expect "the fields, tags, interactions and follow-ups are gone" expect_json "$TMP/forgotten.json" \
	'[(.fields|length),(.tags|length),(.interactions|length),(.followups|length)]' '[0,0,0,0]'
test_expect "the name no longer finds it" expect_error_line 1 "'Bakery Blum'" rp ann show "Bakery Blum"
test_expect "it is off the account list" expect_stdout '["Cafe Corner"]' rpqs ann 'map(.name)' account list --json
test_expect "it is off the agenda" expect_stdout 0 rpqs ann "map(select(.account_id==\"$blum\"))|length" agenda --json
test_expect "it is off top" expect_stdout 0 rpqs ann "map(select(.id==\"$blum\"))|length" top --json
test_expect "the history keeps every op, erased, saying by whom and why" \
	expect_stdout '["(erased by ann: customer asked (GDPR art. 17))"]' \
	rpqs ann 'map(select(.kind!="redact")|.summary)|unique' history "$blum" --json
test_expect "... and the redact op itself" expect_stdout 1 rpqs ann 'map(select(.kind=="redact"))|length' history "$blum" --json
test_expect "fsck still passes: the signatures verify without the bodies" expect_stdout_match ': ok$' rp ann fsck
test_expect "export has none of it" expect_no_match "$(rp ann export; rp ann export --format csv; rp ann export --format vcard)" \
	'secret-blum|confidential visit|Bakery Blum|Oven X200'
test_expect "a new backup has none of it" eval 'rp ann backup "$TMP/after.bak" && ! grep -a -q -e secret-blum -e "confidential visit" "$TMP/after.bak"'
test_expect "the home's files have none of it (the store was rewritten without it)" eval '! grep -a -q -r -e secret-blum -e "confidential visit" "$TMP/ann"'
test_expect "the other account is untouched" expect_stdout '["Cafe Corner",2]' \
	rpq ann '[.name,(.interactions|length)]' show corner --json

test_begin "forget CONTACT_ID: only that person"

cx="$(rp_must ann contact add corner "Hans Secretperson" --role owner --email hans@example.com)"
rp_must ann contact add corner "Greta Keep" --role buyer >/dev/null
test_expect "forget the contact by id" expect_exit 0 rp ann forget "$cx"
test_expect "... it is gone, the other contact stays" expect_stdout '["Greta Keep"]' \
	rpq ann '[.contacts[].name]' show corner --json
test_expect "... the account keeps its name and interactions" expect_stdout '["Cafe Corner",2]' \
	rpq ann '[.name,(.interactions|length)]' show corner --json
test_expect "fsck passes" expect_stdout_match ': ok$' rp ann fsck

test_begin "the indexes: fsck catches one out of step, --rebuild mends it, an older store is upgraded"
derived="$(tool_bin rp_derived)"
if [ -z "$derived" ]; then
	test_skip "the indexes against fsck" "no rp_derived (make, or set RP_TOOLS)"
else
	new_team ix ann
	rp_must ix account add "Bäckerei Müller" --tag retail >/dev/null
	rp_must ix log "Bäckerei Müller" complaint "the oven smokes" >/dev/null
	rp_must ix account add "Café Olé" >/dev/null
	test_expect "fsck passes with the indexes in step" expect_stdout_match ': ok$' rp ix fsck
	"$derived" "$TMP/ix" damage
	test_expect "one index entry deleted: fsck fails and says the indexes are out of step" \
		eval 'run rp ix fsck && expect_eq "$RC" 1 exit && expect_match "$ERR" "the indexes are out of step with the views: .rapport fsck --rebuild. rebuilds them" &&
		      expect_match "$OUT" "indexes out of step: NOT OK" &&
		      expect_match "$OUT" "problem: .*its index entries differ from its log .*fsck --rebuild"'
	test_expect "fsck --json counts it (the account, and the count of entries)" \
		eval 'run rp ix fsck --json && expect_eq "$RC" 1 exit &&
		      expect_eq "$(printf "%s" "$OUT" | jq -c "[.ok,.mismatched_indexes]")" "[false,2]"' 
	test_expect "fsck --rebuild says what it does and passes" \
		eval 'expect_exit 0 rp ix fsck --rebuild && expect_match "$ERR" "^rebuilding the views and indexes of .*ix from the log" &&
		      expect_match "$ERR" "rebuilt 2 accounts; checking" && expect_match "$OUT" ": ok$"'
	test_expect "... find finds by the mended index" expect_stdout '["Bäckerei Müller"]' \
		rpqs ix 'map(.account)' find mull --json
	"$derived" "$TMP/ix" old
	test_expect "opening a store from before the indexes rebuilds them, and says so" \
		eval 'run rp ix complaints --open --json && expect_eq "$RC" 0 exit &&
		      expect_match "$ERR" "^upgraded the store in .*ix .written by an older rapport.: rebuilt the views and indexes of 2 accounts in [0-9.]* s$" &&
		      expect_eq "$(printf "%s" "$OUT" | jq -r .text)" "the oven smokes"'
	test_expect "... once: the next command says nothing of it" \
		eval 'run rp ix complaints --open --json && expect_eq "$ERR" ""'
	"$derived" "$TMP/ix" old
	test_expect "... and the scan, the reference, reads the same store" \
		eval '[ "$(RAPPORT_SCAN=1 rp ix complaints --open --json 2>/dev/null | jq -r .text)" = "the oven smokes" ]'
	test_expect "... as the rebuilt indexes do" \
		expect_stdout "the oven smokes" rpq ix .text complaints --open --json
	test_expect "... and fsck passes" expect_stdout_match ': ok$' rp ix fsck
fi

test_done
