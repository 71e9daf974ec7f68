#!/bin/bash
# A device that signs two different ops with one seq (a cloned laptop, a
# restored backup, a hostile member) is named: `status` and `fsck` say which
# device and which seq; the first op is kept, the twin is evidence; fsck
# still exits 0, since a peer's recorded misbehaviour is not damage here.
. ./lib.sh

new_team hub ann Acme
new_device alice alice
new_device meg meg
rp_must hub member add alice "$(rp_must alice id)" --role manager >/dev/null
rp_must hub member add meg "$(rp_must meg id)" --role manager >/dev/null
alice_id="$(rp_must alice id)"
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
hub_id="$(rp_must hub id)"
for h in alice meg; do
	rp_must "$h" peer add hub "$hub_ep" "$hub_id" >/dev/null
	rp_must "$h" sync hub >/dev/null
done
# meg only serves: were its daemon live with the hub, Alpha would be on meg
# before the clone comes, and the clone would not send its twin at all.
SERVE_ARGS=--no-dial start_serve meg "$(free_port)"
meg_ep="$(endpoint meg)"
meg_id="$(rp_must meg id)"
cp -a "$TMP/alice" "$TMP/clone"          # the same key, the same seq
rp_must alice account add "Alpha Tools" >/dev/null
rp_must clone account add "Bravo Bakery" >/dev/null
seq="$(rp alice history "$(rp alice account list --json | jq -r '.id' | head -1)" --json | jq -r .seq)"

test_begin "the hub meets both twins"

test_expect "alice syncs Alpha to the hub" sync_ok alice hub
test_expect "the clone syncs Bravo, its twin op, to meg" sync_ok clone "$meg_ep" --peer "$meg_id"
test_expect "meg syncs with the hub" expect_exit 0 rpt meg sync hub
test_expect "the twin is not stored on the hub: the first op is kept" \
	expect_no_match "$(rp hub account list)" Bravo
test_expect "status counts one equivocation" expect_stdout 1 status_of hub .equivocations
test_expect "... and names alice's device and the seq" \
	expect_eq "$(status_of hub '.equivocating[] | "\(.member) \(.device) \(.seq)"')" "alice $alice_id $seq"
test_expect "... for people too" \
	expect_match "$(rp hub status)" "equivocating: +alice's device ${alice_id:0:10} signed two different ops as its seq $seq"
run rp hub fsck
test_expect "fsck exits 0 (recorded misbehaviour is not damage)" expect_eq "$RC" 0
test_expect "... says ok" expect_match "$OUT" ': 0 bad signatures, 0 mismatched views: ok$'
test_expect "... and names the device and seq" \
	expect_match "$OUT" "^equivocation: alice's device $alice_id signed two different ops as its seq $seq"
test_expect "fsck --help says what its exit status means" \
	expect_match "$(rp hub fsck --help 2>&1)" 'exit 1 only for damage'
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub
test_expect "meg's serve: SIGTERM, exit 0" stop_serve meg
test_expect "no process of this test is left running" expect_nothing_left

test_done
