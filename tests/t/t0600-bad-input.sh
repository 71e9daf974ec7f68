#!/bin/bash
# Bad input on the command line: each one exits non-zero (2 for usage, 1 for
# a failure), says so in one "rapport: " line naming the culprit, prints
# nothing on stdout, and leaves the digest unchanged.
. ./lib.sh

new_team ann ann
blum="$(rp_must ann account add "Bakery Blum" --tag retail)"
ix="$(rp_must ann log blum visit "Met the owner" --at 2026-03-01)"
fu="$(rp_must ann follow-up blum "Send the quote" --due +3d)"
D="$(digest ann)"
test_expect "setup: a digest to compare with" expect_match "$D" '^[0-9a-f]{64}$'

# refused CODE REGEX ARGS...: rapport ARGS fails with CODE, one error line
# matching REGEX (usage lines allowed after it for usage errors), and the
# store is unchanged.
refused()
{
	local code="$1" re="$2"
	shift 2
	expect_error "$code" "$re" rp ann "$@" || return 1
	expect_unchanged ann "$D"
}
# refused_line: the same, and stderr is that one line only.
refused_line()
{
	local code="$1" re="$2"
	shift 2
	expect_error_line "$code" "$re" rp ann "$@" || return 1
	expect_unchanged ann "$D"
}

test_begin "unknown account"

test_expect "log" refused_line 1 "'Nowhere Inc'" log "Nowhere Inc" call "hello"
test_expect "follow-up" refused_line 1 "'Nowhere Inc'" follow-up "Nowhere Inc" "call" --due +1d
test_expect "show" refused_line 1 "'Nowhere Inc'" show "Nowhere Inc"
test_expect "history" refused_line 1 "'Nowhere Inc'" history "Nowhere Inc"
test_expect "account set" refused_line 1 "'Nowhere Inc'" account set "Nowhere Inc" email a@example.com
test_expect "account tag" refused_line 1 "'Nowhere Inc'" account tag "Nowhere Inc" vip
test_expect "digest ACCOUNT" refused_line 1 "'Nowhere Inc'" digest "Nowhere Inc"
test_expect "contact add" refused_line 1 "'Nowhere Inc'" contact add "Nowhere Inc" "Hans"
test_expect "forget" refused_line 1 "'Nowhere Inc'" forget "Nowhere Inc"
test_expect "an id prefix that matches nothing" refused_line 1 "'zzzzzzzz'" show zzzzzzzz
test_expect "an unknown follow-up id" refused_line 1 "'aaaaaaaa'" done aaaaaaaa
test_expect "an interaction id given to done" refused_line 1 "'$ix'" done "$ix"
test_expect "a follow-up id given to resolve" refused_line 1 "${fu:0:6}" resolve "$fu" fixed

test_begin "unknown interaction type"

test_expect "log blum dance" refused_line "$EXIT_BADVALUE" "log: unknown type 'dance'" log blum dance "hello"
test_expect "... the message lists the types" expect_match "$ERR" 'call, email, visit, meeting, note, purchase, complaint, gift, feedback'
test_expect "types are lower case" refused_line "$EXIT_BADVALUE" "'Call'" log blum Call "hello"

test_begin "malformed amount"

for a in 12.34567 abc 12, 12. .5 1e3 12,5 "1 000" "" +5 0x10 "12.50 " 99999999999999999; do
	test_expect "--amount '$a'" refused_line "$EXIT_BADVALUE" "log: --amount: .*'$(re_quote "$a")'" log blum purchase oven --amount "$a"
done
test_expect "more decimals than the currency has" \
	refused_line 1 "bad amount '12\.345': EUR has 2 decimals" log blum purchase oven --amount 12.345
test_expect "JPY has none" \
	refused_line 1 "bad amount '12\.5': JPY has no decimals" log blum purchase oven --amount 12.5 --currency JPY
test_expect "a bad currency" refused_line "$EXIT_BADVALUE" "--currency: .*'EURO'" log blum purchase oven --amount 1 --currency EURO

test_begin "impossible or malformed dates"

for d in 2026-02-30 2026-02-29 2026-13-01 2026-00-10 2026-04-31 2026-03-10T24:01 2026-03-10T12:60 \
	2026-3-1 10.03.2026 +3x next-week ""; do
	test_expect "--at '$d'" refused_line "$EXIT_BADVALUE" "log: --at: .*'$(re_quote "$d")'" log blum call hello --at "$d"
done
test_expect "follow-up --due 2026-02-30" refused_line "$EXIT_BADVALUE" "follow-up: --due: .*'2026-02-30'" \
	follow-up blum "call" --due 2026-02-30

test_begin "missing arguments"

test_expect "log ACCOUNT TYPE (no TEXT)" refused 2 "log: missing TEXT" log blum call
test_expect "log ACCOUNT (no TYPE)" refused 2 "log: missing TYPE" log blum
test_expect "log alone" refused 2 "log: missing ACCOUNT" log
test_expect "follow-up ACCOUNT (no TEXT)" refused 2 "follow-up: missing TEXT" follow-up blum --due +1d
test_expect "follow-up without --due" refused 2 "follow-up: missing --due" follow-up blum "call"
test_expect "account add (no NAME)" refused 2 "account add: missing NAME" account add
test_expect "account set ACCOUNT FIELD (no VALUE)" refused 2 "account set: missing VALUE" account set blum email
test_expect "member add NAME (no DEVICE_ID)" refused 2 "member add: missing DEVICE_ID" member add bob
test_expect "done (no ID)" refused 2 "done: missing ID" done
test_expect "show (no ACCOUNT)" refused 2 "show: missing ACCOUNT" show
test_expect "history (no ACCOUNT)" refused 2 "history: missing ACCOUNT" history
test_expect "import (no FILE)" refused 2 "import: missing FILE" import
test_expect "an option without its value" refused 2 "log: option '--at' needs a value" log blum call hello --at
test_expect "... the usage follows" expect_match "$ERR" '^usage: rapport log ACCOUNT TYPE TEXT'

test_begin "extra arguments"

test_expect "log TEXT in two words" refused 2 "log: unexpected argument 'quote'" log blum call wants quote
test_expect "... with a hint to quote it" expect_match "$ERR" '^hint: .*quote'
test_expect "show with two accounts" refused 2 "show: unexpected argument 'Brot'" show Blum Brot
test_expect "id with an argument" refused 2 "id: unexpected argument 'x'" id x

test_begin "unknown command or option"

test_expect "an unknown command" refused 2 "unknown command 'frobnicate'" frobnicate
test_expect "a typo gets a suggestion" refused 2 "unknown command 'lgo'" lgo blum call hi
test_expect "... 'did you mean log'" expect_match "$ERR" "^hint: did you mean 'rapport log'\\?"
test_expect "an unknown option of a command" refused 2 "log: unknown option '--bogus'" log blum call hello --bogus
test_expect "an unknown option of show" refused 2 "show: unknown option '--xml'" show blum --xml
test_expect "an unknown global option" refused 2 "unknown option '--bogus'" --bogus id
test_expect "a flag given a value" refused 2 "show: option '--json=yes' takes no value" show blum --json=yes
test_expect "an unknown subcommand" refused 2 "account: unknown subcommand 'delete'" account delete blum
test_expect "an unknown member subcommand" refused 2 "member: unknown subcommand 'kick'" member kick bob

test_begin "bad values for options"

test_expect "account add --prefer fax" refused_line "$EXIT_BADVALUE" "account add: --prefer: .*'fax'" \
	account add "Cafe Corner" --prefer fax
test_expect "... the message lists the ways" expect_match "$ERR" 'call, email, visit, sms, none'
test_expect "account set prefer fax" refused_line "$EXIT_BADVALUE" "'fax'" account set blum prefer fax
test_expect "member add --role boss" refused_line "$EXIT_BADVALUE" "member add: unknown role 'boss'" \
	member add bob aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --role boss
test_expect "member add with a bad device id" refused_line "$EXIT_BADVALUE" "'not-a-device'" \
	member add bob not-a-device
test_expect "export --format xlsx" refused_line "$EXIT_BADVALUE" "'xlsx'" export --format xlsx
test_expect "top --by size" refused_line "$EXIT_BADVALUE" "'size'" top --by size
test_expect "agenda --calls -1" refused_line "$EXIT_BADVALUE" "'-1'" agenda --calls -1
test_expect "text with a control character" refused_line 1 "control character" log blum note $'evil\033[31mred'
test_expect "a second account of the same name" refused_line 1 "'BAKERY BLUM'" account add "BAKERY BLUM"

test_begin "files that cannot be read, output that cannot be written"

test_expect "import of a directory names it" refused_line 1 "$(re_quote "$TMP")" import "$TMP"
printf 'name,notes\nA,\001\000\002\n' >"$TMP/binary.csv"
test_expect "import of a binary file names file and line" refused_line 1 'binary\.csv:2' import "$TMP/binary.csv"
printf 'name,email\nLatin,\351t\351\n' >"$TMP/latin1.csv"
test_expect "import of Latin-1 text names file, line and the problem" \
	refused_line 1 'latin1\.csv:2: .*UTF-8' import "$TMP/latin1.csv"
if [ -w /dev/full ]; then
	test_expect "show --json to a full disk fails, in one line" \
		expect_error_line 1 "cannot write" eval 'rp ann show blum --json >/dev/full'
	test_expect "export to a full disk fails, in one line" \
		expect_error_line 1 "cannot write" eval 'rp ann export >/dev/full'
fi

test_begin "after all that, the store is sound and unchanged"

test_expect "fsck passes" expect_stdout_match ': ok$' rp ann fsck
test_expect "the digest is the one we started with" expect_unchanged ann "$D"
test_expect "Blum still has its one interaction and one follow-up" expect_stdout '[1,1]' \
	rpq ann '[(.interactions|length),(.followups|length)]' show blum --json

test_done
