#!/bin/bash
# A tampered op: a member's client (tests/tools/rp_tamper, a test-only
# helper that syncs like `rapport sync` does) flips one byte inside one op's
# signature in one outgoing batch and completes the exchange. The hub must
# refuse that op, count it in `status`, and take every other op of the batch.
. ./lib.sh

if [ -z "${RP_TAMPER_BIN:-}" ]; then
	bindir="$(dirname "$RAPPORT_BIN")"
	for RP_TAMPER_BIN in "$bindir/build/tests/tools/rp_tamper" "$bindir/tests/tools/rp_tamper"; do
		[ -x "$RP_TAMPER_BIN" ] && break
	done
fi

test_begin "one byte flipped in one op's signature"

if [ ! -x "$RP_TAMPER_BIN" ]; then
	test_skip "the hub refuses the tampered op and counts it" \
		"no rp_tamper at $RP_TAMPER_BIN (make build/tests/tools/rp_tamper, or set RP_TAMPER_BIN)"
	test_done
fi

new_team hub ann Shop
new_device rep1 bob
hub_id="$(rp_must hub id)"
rp_must hub member add bob "$(rp_must rep1 id)" --role rep >/dev/null
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
rp_must rep1 peer add hub "$hub_ep" "$hub_id"
rpt rep1 sync hub >/dev/null 2>"$TMP/join.err" ||
	{ echo "setup failed: rep1 sync hub:"; cat "$TMP/join.err"; } >>"$TMP/.setup.failures"

acct="$(rp_must rep1 account add "Cafe Corner" --email corner@example.com)"
for text in "first call" "second call" "TAMPER-ME quote sent" "fourth call" "fifth call"; do
	rp_must rep1 log "Cafe Corner" call "$text" >/dev/null
done
rep1_ops="$(status_of rep1 .ops)"
hub_ops="$(status_of hub .ops)"
refused_before="$(status_of hub .refused)"

test_expect "rp_tamper syncs rep1 with the hub, flipping a signature byte of the TAMPER-ME op" \
	expect_exit 0 timeout -k 5 "$NET_TIMEOUT" "$RP_TAMPER_BIN" "$TMP/rep1" "$hub_ep" "$hub_id" TAMPER-ME
test_expect "... it tampered exactly one op, an ix.log" expect_eq "$(grep -c '^tampered: ix\.log seq [0-9]' <<<"$OUT")" 1
test_expect "... and sent the 7 ops rep1 wrote" expect_match "$OUT" '^sent 7, '

test_expect "the hub's status --json counts one more refused op" \
	expect_stdout $((refused_before + 1)) status_of hub .refused
test_expect "... and rapport status says so" expect_stdout_match "^refused: +$((refused_before + 1))\$" rp hub status
test_expect "the hub holds every other op: $((hub_ops + 6))" expect_stdout $((hub_ops + 6)) status_of hub .ops
test_expect "... none pending" expect_stdout 0 status_of hub .pending
test_expect "the tampered interaction is absent from the hub; the four others arrived" \
	expect_stdout '["fifth call","first call","fourth call","second call"]' \
	rpq hub '[.interactions[].text]|sort' show "$acct" --json
test_expect "... with the account's name, owner and email" \
	expect_stdout '["Cafe Corner","bob",{"email":"corner@example.com"}]' \
	rpq hub '[.name,.owner,.fields]' show "$acct" --json
test_expect "rep1 still holds its five interactions" expect_stdout 5 rpq rep1 '.interactions|length' show "$acct" --json
test_expect "fsck passes on the hub (the refused op was never stored)" expect_fsck_ok hub
test_expect "fsck passes on rep1" expect_fsck_ok rep1
test_expect "the hub's serve is still running" serve_alive hub

test_begin "the next honest sync"

rp_must rep1 log "Cafe Corner" visit "after the tampering" >/dev/null
test_expect "rep1: sync hub: exit 0" sync_ok rep1 hub
test_expect "... the new op arrives" expect_match "$(rpq hub '[.interactions[].text]' show "$acct" --json)" 'after the tampering'
test_expect "... and nothing more is refused" expect_stdout $((refused_before + 1)) status_of hub .refused
test_expect "fsck passes on the hub" expect_fsck_ok hub
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_expect "no process of this test is left running" expect_nothing_left

test_done
