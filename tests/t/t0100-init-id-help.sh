#!/bin/bash
# init, id, the home (--home, RAPPORT_HOME, XDG_DATA_HOME), --version, --help.
. ./lib.sh

test_begin "start-up: libzmq is loaded by the commands that talk to peers, not linked"
# (its dependencies cost every command milliseconds of dynamic linking;
# the sync scenarios show the commands that need it load it)
test_expect "rapport does not link libzmq" eval '! ldd "$RAPPORT_BIN" | grep -q libzmq'
test_expect "... but links what every command needs" eval 'ldd "$RAPPORT_BIN" | grep -q liblmdb'

test_begin "init makes a device key and a team; id prints the device id"

ID_RE='^[a-z2-7]{52}$'

test_expect "init --team prints one device id" \
	expect_stdout_match "$ID_RE" rp ann init --name ann --team Acme
ann_id="$OUT"
test_expect "... and only that line on stdout" expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1
test_expect "... and says on stderr that the team started, naming it and the admin" \
	expect_match "$ERR" "team 'Acme'.*ann"
test_expect "the home is private (0700)" expect_eq "$(stat -c %a "$TMP/ann")" 700
test_expect "device.key is 0600" expect_eq "$(stat -c %a "$TMP/ann/device.key")" 600
test_expect "id prints the same id" expect_stdout "$ann_id" rp ann id

test_expect "a second init on the same home is refused" \
	expect_error_line 1 "$TMP/ann.*(already|device key)" rp ann init --name zed --team Other
test_expect "... and the device keeps its id" expect_stdout "$ann_id" rp ann id
test_expect "... and its team" expect_stdout_match 'ann +admin' rp ann member list

test_expect "init without --team makes a device that waits for a team" \
	expect_stdout_match "$ID_RE" rp bob init --name bob
bob_id="$OUT"
test_expect "... and tells the user how to be added, with its id" \
	expect_match "$ERR" "member add bob $bob_id"
test_expect "two devices have different ids" expect_ne "$bob_id" "$ann_id"
test_expect "a device outside any team cannot write" \
	expect_error 1 "not in a team" rp bob account add "Bakery Blum"
test_expect "init needs --name (usage error)" \
	expect_error 2 "init: missing --name" rp carol init --team Acme
test_expect "... and creates nothing" test ! -e "$TMP/carol/device.key"
test_expect "init refuses an empty --team" \
	expect_error 2 "init: --team" rp carol init --name carol --team ""
test_expect "a command in an uninitialised home fails, naming the home and init" \
	expect_error 1 "$TMP/nowhere.*init" rp nowhere show Blum
test_expect "... without creating that home" test ! -e "$TMP/nowhere/device.key"

test_begin "where the home is: --home, else RAPPORT_HOME, else XDG_DATA_HOME/rapport"

test_expect "RAPPORT_HOME works like --home" \
	expect_stdout "$ann_id" env RAPPORT_HOME="$TMP/ann" "$RAPPORT_BIN" id
test_expect "--home wins over RAPPORT_HOME" \
	expect_stdout "$bob_id" env RAPPORT_HOME="$TMP/ann" "$RAPPORT_BIN" --home "$TMP/bob" id
test_expect "without either, the home is \$XDG_DATA_HOME/rapport" \
	expect_stdout_match "$ID_RE" env -u RAPPORT_HOME XDG_DATA_HOME="$TMP/xdg" \
	"$RAPPORT_BIN" init --name dan --team Acme
test_expect "... and it is that directory" test -f "$TMP/xdg/rapport/device.key"
test_expect "... with mode 0700" expect_eq "$(stat -c %a "$TMP/xdg/rapport")" 700
test_expect "RAPPORT_HOME=dir init, then --home dir id, agree" \
	expect_stdout_match "$ID_RE" env RAPPORT_HOME="$TMP/erin" "$RAPPORT_BIN" init --name erin
erin_id="$OUT"
test_expect "... on the device id" expect_stdout "$erin_id" rp erin id
test_expect "an empty --home is refused" expect_error 1 "--home" "$RAPPORT_BIN" --home "" id
test_expect "--home without a value is a usage error" \
	expect_error 2 "--home" "$RAPPORT_BIN" --home

test_begin "RAPPORT_NOW sets the clock; a bad one is refused"

test_expect "a bad RAPPORT_NOW is a usage error naming it" \
	expect_error 2 "RAPPORT_NOW.*'2026-13-01'" env RAPPORT_NOW=2026-13-01 "$RAPPORT_BIN" --home "$TMP/ann" id

test_begin "--version and --help"

test_expect "--version prints 'rapport X.Y.Z'" \
	expect_stdout_match '^rapport [0-9]+\.[0-9]+\.[0-9]+$' "$RAPPORT_BIN" --version
test_expect "... one line" expect_eq "$(printf '%s\n' "$OUT" | wc -l)" 1
test_expect "--help exits 0 and lists the commands" \
	expect_stdout_match '^ +log ' "$RAPPORT_BIN" --help
test_expect "-h too" expect_stdout_match '^ +follow-up ' "$RAPPORT_BIN" -h
test_expect "help too" expect_stdout_match '^ +digest ' "$RAPPORT_BIN" help
test_expect "no command at all is a usage error, with the usage on stderr" \
	expect_exit 2 "$RAPPORT_BIN"
test_expect "... and nothing on stdout" expect_eq "$OUT" ""
test_expect "... the usage" expect_match "$ERR" '^usage: rapport'

# Every command of DESIGN.md section 7 answers --help and help COMMAND with its
# usage, exits 0, and opens no store (the home below does not exist).
commands="init id member account contact show log follow-up done agenda top at-risk
complaints resolve find history handover serve peer sync status export import fsck
forget backup restore digest"
for c in $commands; do
	test_expect "rapport $c --help prints its usage" \
		expect_stdout_match "^usage: rapport $c( |\$)" rp nohome "$c" --help
	test_expect "rapport help $c too" \
		expect_stdout_match "^usage: rapport $c( |\$)" rp nohome help "$c"
done
test_expect "help opened no store" test ! -e "$TMP/nohome"
test_expect "--help after other arguments still helps" \
	expect_stdout_match '^usage: rapport log ' rp nohome log Blum call --help
test_expect "--help lists every command it has help for" \
	expect_eq "$(for c in $commands; do "$RAPPORT_BIN" --help | grep -qE "^ +$c " || echo "$c"; done)" ""
test_expect "help for an unknown command fails, naming it" \
	expect_error 2 "'frobnicate'" "$RAPPORT_BIN" help frobnicate

test_done
