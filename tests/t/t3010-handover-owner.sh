#!/bin/bash
# A rep hands over its own account to another rep whose device has never seen
# it, while the manager has not synced since the account was made: both then
# receive the account's history and the rep's assign in one sync. Every
# device must end up with the new owner and the whole account, as the hub
# has it; the new owner's device must go on syncing. Real processes on
# 127.0.0.1 (a hub, a manager, two reps).
. ./lib.sh


new_team hub ann Shop
for m in meg alice bob; do
	new_device "$m" "$m"
done
hub_id="$(rp_must hub id)"
alice_dev="$(rp_must alice id)"
rp_must hub member add meg "$(rp_must meg id)" --role manager >/dev/null
for m in alice bob; do
	rp_must hub member add "$m" "$(rp_must "$m" id)" --role rep >/dev/null
done
start_serve hub "$(free_port)"
for m in meg alice bob; do
	rp_must "$m" peer add hub "$(endpoint hub)" "$hub_id" >/dev/null
	rpt "$m" sync hub >/dev/null 2>&1 || echo "setup failed: $m: sync hub" >>"$TMP/.setup.failures"
done

test_begin "bob makes Eliot Electric and hands it to alice himself"

eliot="$(rp_must bob account add "Eliot Electric")"
rp_must bob log "$eliot" note "Eliot: wants a demo" >/dev/null
rp_must bob log "$eliot" visit "Eliot: showed the meter" >/dev/null
test_expect "bob: sync hub" expect_stdout_match '^synced with hub: sent 3 ops, ' rpt bob sync hub
test_expect "bob: handover \"Eliot Electric\" --to alice: confirmed by the hub" \
	expect_stdout "Eliot Electric → alice: confirmed by hub" rpt bob handover "Eliot Electric" --to alice
test_expect "... the hub: alice owns it, bob before her, 2 interactions" \
	expect_stdout '["alice",["bob"],2]' \
	rpq hub '[.owner,[.previous_owners[].member],(.interactions|length)]' show "$eliot" --json
test_expect "... bob's device no longer holds it" expect_stdout "" rp bob export

test_begin "alice, who never saw it, syncs: the account arrives whole, hers"

# In the background (a failure takes 10 s) while the manager syncs.
start_group bash -c 'timeout -k 5 "$1" "$2" --home "$3" sync hub >"$4.out" 2>"$4.err"; echo $? >"$4.rc"' \
	_ "$NET_TIMEOUT" "$RAPPORT_BIN" "$TMP/alice" "$TMP/alice-sync"
alice_job=$BG_PID

test_begin "the manager, who has not synced since, syncs"

test_expect "meg: sync hub: exit 0" expect_exit 0 rpt meg sync hub
test_expect "... nothing refused" expect_no_match "$OUT" 'refused'
test_expect "... meg shows alice as the owner, bob before her" \
	expect_stdout '["alice",["bob"],2]' \
	rpq meg '[.owner,[.previous_owners[].member],(.interactions|length)]' show "$eliot" --json
test_expect "... meg and the hub have the same digest" expect_same_digest hub meg
test_expect "meg: sync hub again: nothing moves" \
	expect_stdout_match '^synced with hub: sent 0 ops, received 0 ops ' rpt meg sync hub
test_expect "... after which meg and the hub have the same digest" expect_same_digest hub meg

for _ in $(seq 1 $((NET_TIMEOUT * 10 + 100))); do
	[ -e "$TMP/alice-sync.rc" ] && break
	sleep 0.1
done
kill_group "$alice_job"
RC="$(cat "$TMP/alice-sync.rc" 2>/dev/null || echo 124)"
OUT="$(cat "$TMP/alice-sync.out" 2>/dev/null)"
ERR="$(cat "$TMP/alice-sync.err" 2>/dev/null)"
test_expect "alice: sync hub: exit 0, one summary line, nothing on stderr" \
	eval 'expect_eq "$RC:$ERR" "0:" "exit:stderr" && expect_match "$OUT" "^synced with hub: "'
test_expect "... the hub's log shows no failed sync of alice's device" \
	expect_eq "$(grep -E "alice \\(${alice_dev:0:8}\\): sync failed" "${SERVE_LOG[hub]}")" "" "failed syncs in the hub's log"
test_expect "alice's device holds Eliot Electric, hers, whole" \
	eval 'expect_stdout "[\"alice\",2]" rpq alice "[.owner,(.interactions|length)]" export &&
	      expect_eq "$(rp alice digest "$eliot")" "$(rp hub digest "$eliot")" "per-account digest"'
test_expect "bob's device still holds nothing of it" expect_stdout "" rp bob export

test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_done
