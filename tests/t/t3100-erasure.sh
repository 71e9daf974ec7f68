#!/bin/bash
# Erasure reaches the disk (DESIGN.md §5, node/erase.h). After a purge on a
# rep's device and a `forget` on the hub, with `rapport serve` running on the
# affected homes, no file of any home holds the erased strings (grep -a):
# the command erases when it holds the home alone, else the daemon does
# within seconds. kill -9 at random moments of erasures on a store of 50k ops
# loses no committed op, and the erasure completes on the next start.
. ./lib.sh

new_team hub ann Acme
new_device alice alice
new_device bob bob
rp_must hub member add alice "$(rp_must alice id)" --role rep >/dev/null
rp_must hub member add bob "$(rp_must bob id)" --role rep >/dev/null
zebra="$(rp_must hub account add "Zebra Secret GmbH" --owner alice --email zebra@secret.example)"
rp_must hub log "$zebra" visit "Zebra pays 4.20 a unit, keep it quiet" >/dev/null
zora="$(rp_must hub contact add "$zebra" "Zora Zebrowska" --email zora@zebra.example --phone "+49 30 999888")"
rp_must hub log "$zebra" call "Zora whispered the margin is 31 percent" --contact "Zora Zebrowska" >/dev/null
rp_must hub account add "Yak Yarns" --owner bob --email yak@yarns.example >/dev/null
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
hub_id="$(rp_must hub id)"
for h in alice bob; do rp_must "$h" peer add hub "$hub_ep" "$hub_id" >/dev/null; done

# holds HOME STRING...: some file of HOME holds one of the strings.
holds()
{
	local home="$1"
	shift
	for s in "$@"; do
		grep -rlaF -- "$s" "$TMP/$home" >/dev/null 2>&1 && return 0
	done
	return 1
}

# erased_within SECONDS HOME STRING...: within SECONDS no file of HOME holds
# any of the strings (polled); explains otherwise.
erased_within()
{
	local until=$((SECONDS + $1)) home="$2"
	shift 2
	while holds "$home" "$@"; do
		if [ "$SECONDS" -ge "$until" ]; then
			echo "still on disk in $home:" >&2
			grep -rlaF -e "$1" "$TMP/$home" >&2
			return 1
		fi
		sleep 0.1
	done
	return 0
}

zebra_strings=("Zebra Secret" "zebra@secret" "4.20 a unit" "Zora Zebrowska" "zora@zebra" "999888" "margin is 31")

test_begin "a purge on a rep's device, its daemon running"

test_expect "alice syncs Zebra" sync_ok alice hub
test_expect "... her home holds it" holds alice "Zebra Secret"
start_serve alice "$(free_port)"
test_expect "ann hands Zebra to bob" expect_ok rp hub handover "$zebra" --to bob --offline
test_expect "alice syncs while her daemon runs: the account leaves her device" \
	expect_exit 0 rpt alice sync hub
test_expect "... and within 5 s no file of her home holds its name, email, texts or contact" \
	erased_within 5 alice "${zebra_strings[@]}"
test_expect "... her daemon said so" expect_match "$(cat "${SERVE_LOG[alice]}")" 'erased dropped data from the disk'
test_expect "... status: no erasure pending" expect_stdout false status_of alice .erase_pending
test_expect "... show names it by id and new owner only" \
	expect_error 1 "account $zebra was handed over to bob: its history left this device" rp alice show "$zebra"
test_expect "... status's purge record too" \
	expect_match "$(status_of alice '.purged[] | "\(.account) \(.owner)"')" "^$zebra bob$"
test_expect "fsck passes on alice's home" expect_fsck_ok alice
test_expect "her other account data is intact: her key, the roster" expect_ok rp alice member list
test_expect "alice's daemon: SIGTERM, exit 0" stop_serve alice

test_begin "forget on the hub while it serves, then on every node at its sync"

test_expect "bob syncs Zebra (now his)" sync_ok bob hub
test_expect "... bob's home holds Zora" holds bob "Zora Zebrowska"
test_expect "ann forgets Zora on the hub (its daemon running)" expect_ok rp hub forget "$zora" --reason "asked to be forgotten"
test_expect "within 5 s no file of the hub's home holds Zora's name, email, phone, or the call logged with her" \
	erased_within 5 hub "Zora Zebrowska" "zora@zebra" "999888" "margin is 31"
test_expect "bob syncs" expect_exit 0 rpt bob sync hub
test_expect "... and no file of his home holds Zora or her call (erased before sync returned)" \
	erased_within 0 bob "Zora Zebrowska" "zora@zebra" "999888" "margin is 31"
test_expect "... but the account and its visit are still his" holds bob "4.20 a unit"
test_expect "history says what was erased, by whom and why" \
	expect_match "$(rp bob history "$zebra")" 'contact\.add +\(erased by ann: asked to be forgotten\)'
test_expect "... the call logged with her too" \
	expect_match "$(rp bob history "$zebra")" 'ix\.log +\(erased by ann: asked to be forgotten\)'
test_expect "fsck passes on the hub and on bob's" expect_fsck_ok hub
test_expect "... bob's" expect_fsck_ok bob
test_expect "the hub and bob agree on the account" \
	expect_eq "$(rp bob digest "$zebra")" "$(rp hub digest "$zebra")"
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_begin "kill -9 during erasures of a 50k-op store, 20 times"

new_team big ann Big
perl "$(dirname "${BASH_SOURCE[0]}")/../bench/gen_jsonl.pl" 500 100 >"$TMP/50k.jsonl"
rp_must big import "$TMP/50k.jsonl" 2>/dev/null
lost=0 unsound=0 left=0 forgotten=0 kept=0 midway=0
for i in $(seq 1 20); do
	name="$(printf 'Account %05d' "$i")"
	before="$(status_of big .ops)"
	"$RAPPORT_BIN" --home "$TMP/big" forget "$name" --reason "test $i" >"$TMP/forget.out" 2>&1 &
	pid=$!
	sleep "$(printf "0.%03d" $((RANDOM % 200)))"   # the forget and its erasure take about 0.2 s
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ -e "$TMP/big/erase.pending" ] && midway=$((midway + 1))   # killed mid-erasure
	after="$(status_of big .ops)"               # this open finishes an erasure left undone
	[ -n "$after" ] && [ "$after" -ge "$before" ] || lost=$((lost + 1))
	[ -e "$TMP/big/erase.pending" ] && left=$((left + 1))
	if [ "$after" -gt "$before" ]; then           # the forget committed: it must be off the disk
		forgotten=$((forgotten + 1))
		holds big "buyer$i@example.com" && kept=$((kept + 1))
	fi
	if [ $((i % 5)) -eq 0 ]; then                 # fsck re-verifies 50k signatures: every 5th
		rp big fsck >/dev/null 2>&1 || unsound=$((unsound + 1))
	fi
done
test_expect "no committed op was lost ($forgotten of 20 forgets committed before the kill)" expect_eq "$lost" 0
test_expect "fsck passed after every 5th kill" expect_eq "$unsound" 0
test_expect "the next start finished every erasure left undone ($midway killed midway)" expect_eq "$left" 0
test_expect "no forgotten account's email is left in any file of the home" expect_eq "$kept" 0
test_expect "no temporary copy is left behind" expect_not test -e "$TMP/big/data.mdb.erase"
test_begin "erasures while other commands read the home, its daemon serving"

start_serve big "$(free_port)"
readers_failed=0
reader()    # N: status over and over for 3 s; counts its failures
{
	local until=$((SECONDS + 3)) bad=0
	while [ "$SECONDS" -lt "$until" ]; do
		"$RAPPORT_BIN" --home "$TMP/big" status --json >/dev/null 2>>"$TMP/reader$1.err" || bad=$((bad + 1))
	done
	echo "$bad" >"$TMP/reader$1.bad"
}
for r in 1 2 3; do reader "$r" & done
for i in 21 22 23 24 25; do
	rp big forget "$(printf 'Account %05d' "$i")" --reason "busy $i" >/dev/null 2>&1
done
wait_readers()
{
	local r
	for r in 1 2 3; do
		while [ ! -e "$TMP/reader$r.bad" ]; do sleep 0.1; done
		readers_failed=$((readers_failed + $(cat "$TMP/reader$r.bad")))
	done
}
wait_readers
test_expect "no reader failed or crashed while the store was swapped under the daemon" \
	eval '[ "$readers_failed" -eq 0 ] || { cat "$TMP"/reader*.err >&2; false; }'
test_expect "the daemon finished every erasure" erased_within 5 big "buyer21@example.com" "buyer25@example.com"
test_expect "... nothing pending" expect_stdout false status_of big .erase_pending
test_expect "fsck passes" expect_fsck_ok big
test_expect "big's serve: SIGTERM, exit 0" stop_serve big
test_expect "no process of this test is left running" expect_nothing_left

test_done
