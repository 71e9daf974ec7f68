#!/bin/bash
# Text a store holds from before ingest checked it (tests/tools/rp_legacy:
# invalid UTF-8, ESC, C1 and DEL in names, fields, notes and interactions)
# still shows everywhere, and never raw: tables and errors make control
# characters visible (\x1b, \u009b), CSV and vCard carry no raw control
# byte, JSON escapes C0 and C1. An account whose name is not UTF-8 is in
# every list, agenda and export. New text with control characters is refused.
. ./lib.sh

legacy="$(tool_bin rp_legacy)"
if [ -z "$legacy" ]; then
	test_skip "legacy text shows, never raw" "no rp_legacy (make, or set RP_TOOLS)"
	test_done
	exit 0
fi

new_team shop ann Acme
"$legacy" "$TMP/shop" >"$TMP/legacy.out" 2>"$TMP/legacy.err" ||
	echo "setup failed: rp_legacy: $(cat "$TMP/legacy.err")" >>"$TMP/.setup.failures"
bad="$(awk '$3 == "badutf8" {print $2}' "$TMP/legacy.out")"
esc="$(awk '$3 == "escapes" {print $2}' "$TMP/legacy.out")"

# no_raw_controls FILE KEEP: FILE holds no C0 byte but those in KEEP (e.g.
# "\r\n"), no DEL, no C1 (U+0080..U+009F), and is valid UTF-8.
no_raw_controls()
{
	python3 - "$1" "$2" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
keep = sys.argv[2].encode().decode("unicode_escape").encode()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not valid UTF-8: %s" % e)
bad = [(i, hex(ord(c))) for i, c in enumerate(text)
       if (ord(c) < 0x20 and c.encode() not in [bytes([k]) for k in keep])
       or ord(c) == 0x7f or 0x80 <= ord(c) <= 0x9f]
if bad:
    sys.exit("raw control characters at %s" % bad[:5])
EOF
}

# out_to FILE HOME ARGS: rapport's stdout into FILE (exit status kept in RC).
out_to()
{
	local f="$1"
	shift
	rp "$@" >"$f" 2>"$TMP/.out_to.err"
	RC=$?
}

test_begin "an account whose name is not UTF-8 is still everywhere"

out_to "$TMP/list" shop account list
test_expect "account list: exit 0" expect_eq "$RC" 0
test_expect "... shows it, the bad byte as U+FFFD" expect_match "$(cat "$TMP/list")" "^${bad:0:10} +Caf� Legacy"
test_expect "agenda shows its due follow-up" expect_match "$(rp shop agenda)" 'Call Caf� back'
test_expect "find finds it" expect_match "$(rp shop find legacy)" 'Caf� Legacy'
test_expect "show finds it by id" expect_match "$(rp shop show "$bad")" 'Caf� Legacy'
test_expect "every export holds it: jsonl" expect_match "$(rp shop export --format jsonl)" "\"id\":\"$bad\""
test_expect "... csv" expect_match "$(rp shop export --format csv)" "^$bad,Caf� Legacy,"
test_expect "... vcard" expect_match "$(rp shop export --format vcard)" '^FN:Caf� Legacy'

test_begin "control characters are shown, never sent to the terminal or a file raw"

test_expect "account list: no raw control character" no_raw_controls "$TMP/list" '\n'
test_expect "... the escapes are visible" expect_match "$(cat "$TMP/list")" 'Esc \\x1b\[31mRed\\x1b\[0m \\u009b2J Shop'
out_to "$TMP/show" shop show "$esc"
test_expect "show: no raw control character" no_raw_controls "$TMP/show" '\n'
test_expect "... the interaction's type and text visible" expect_match "$(cat "$TMP/show")" 'call\\x1b\[5m'
out_to "$TMP/history" shop history "$esc"
test_expect "history: no raw control character" no_raw_controls "$TMP/history" '\n'
out_to "$TMP/csv" shop export --format csv
test_expect "export csv: no raw control byte but the line breaks" no_raw_controls "$TMP/csv" '\r\n'
test_expect "... Python's csv reads the escape account back, visibly" \
	expect_eq "$(python3 -c 'import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")) if x["id"]==sys.argv[2]]; print(r[0]["email"])' "$TMP/csv" "$esc")" \
	'evil\x1b]0;owned\x07@example.com'
out_to "$TMP/vcf" shop export --format vcard
test_expect "export vcard: no raw control byte but CRLF" no_raw_controls "$TMP/vcf" '\r\n'
out_to "$TMP/jsonl" shop export --format jsonl
test_expect "export jsonl: no raw control byte but the line ends (C0 and C1 escaped)" \
	no_raw_controls "$TMP/jsonl" '\n'
test_expect "... and the JSON keeps the text itself: ESC and U+009B decode back" \
	expect_eq "$(python3 -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(l)
    if d["id"] == sys.argv[2]: print(repr(d["name"]))' "$TMP/jsonl" "$esc")" "'Esc \\x1b[31mRed\\x1b[0m \\x9b2J Shop'"
out_to "$TMP/json" shop show "$esc" --json
test_expect "show --json: no raw control byte" no_raw_controls "$TMP/json" '\n'
test_expect "... jq reads the name back, ESC and all" \
	expect_ok jq -e '.name == "Esc \u001b[31mRed\u001b[0m \u009b2J Shop"' "$TMP/json"
test_expect "fsck passes on the legacy store" expect_fsck_ok shop

test_begin "error messages show what the user typed, visibly"

run rp shop log "$esc" call "hi" --amount 5 --currency $'E\e[31m'
test_expect "a bad currency: refused" expect_ne "$RC" 0
test_expect "... the message shows \\x1b, not ESC" expect_match "$ERR" "'E\\\\x1b\\[31m'"
printf '%s' "$ERR" >"$TMP/err1"
test_expect "... no raw control character on stderr" no_raw_controls "$TMP/err1" '\n'
run rp shop show $'no\e]0;pwned\aone'
test_expect "an unknown account with escapes: refused" expect_ne "$RC" 0
printf '%s' "$ERR" >"$TMP/err2"
test_expect "... no raw control character on stderr" no_raw_controls "$TMP/err2" '\n'
test_expect "... it names what was typed" expect_match "$ERR" 'no\\x1b\]0;pwned\\x07one'

test_begin "new text with control characters is refused"

digest_before="$(digest shop)"
run rp shop account add $'New \e[31mShop'
test_expect "account add with ESC: refused" expect_ne "$RC" 0
run rp shop log "$bad" call $'text with \xc2\x9b C1'
test_expect "log with a C1 control: refused" expect_ne "$RC" 0
run rp shop account set "$bad" email $'x@\x7fexample.com'
test_expect "a field with DEL: refused" expect_ne "$RC" 0
test_expect "nothing changed" expect_unchanged shop "$digest_before"

test_done
