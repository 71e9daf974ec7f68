#!/bin/bash
# A shop hub (the admin's device, serving) and two field devices that join
# it, work offline on all three, then sync in a ring — each with the hub, and
# directly with each other, one of them serving — until nothing moves: every
# node holds the same ops and the same merged view, fsck passes, and each
# sync prints its one summary line. The two field devices are managers:
# with scoped replication (issue 5) a rep holds only its own accounts, so
# "every digest equal" holds for full-scope roles only; a rep's own account
# is checked at the end (its per-account digest equals the hub's).
. ./lib.sh

test_begin "a hub and two reps join one team"

new_team hub ann Shop
new_device rep1 bob
new_device rep2 cat
hub_id="$(rp_must hub id)"
rep1_id="$(rp_must rep1 id)"
rep2_id="$(rp_must rep2 id)"
rp_must hub member add bob "$rep1_id" --role manager >/dev/null
rp_must hub member add cat "$rep2_id" --role manager >/dev/null
hub_port="$(free_port)"
start_serve hub "$hub_port"
hub_ep="$(endpoint hub)"
team_id="$(status_of hub .team.id)"
hub_ops="$(status_of hub .ops)"

test_expect "rep1: peer add hub $hub_ep HUB_ID" expect_ok rp rep1 peer add hub "$hub_ep" "$hub_id"
test_expect "rep1: sync hub joins: exit 0, one summary line" sync_ok rep1 hub
test_expect "... it received the hub's $hub_ops roster ops and sent none" \
	expect_match "$OUT" "^synced with hub: sent 0 ops, received $hub_ops ops? "
test_expect "... rep1 is now in the hub's team, as bob, a manager" \
	expect_stdout "[\"$team_id\",\"bob\",\"manager\",3]" rpq rep1 '[.team.id,.member,.role,.members]' status --json
test_expect "rep2 joins with an ad hoc endpoint and --peer" \
	sync_ok rep2 "$hub_ep" --peer "$hub_id"
test_expect "... the summary names the endpoint" \
	expect_match "$OUT" "^synced with $(re_quote "$hub_ep"): sent 0 ops, received $hub_ops ops? "
test_expect "... rep2 is in the team too" expect_stdout "$team_id" status_of rep2 .team.id
test_expect "the hub's log tells of both syncs" \
	expect_eq "$(grep -cE "rapport: (bob \(${rep1_id:0:8}\)|cat \(${rep2_id:0:8}\)): synced: " "${SERVE_LOG[hub]}")" 2

test_begin "offline edits on all three"

blum="$(rp_must hub account add "Bakery Blum" --email blum@example.com)"
rp_must hub log "Bakery Blum" visit "Met the owner" >/dev/null
rp_must hub follow-up "Bakery Blum" "Send the quote" --due +3d >/dev/null
corner="$(rp_must rep1 account add "Cafe Corner" --tag coffee)"
rp_must rep1 log "Cafe Corner" call "Asked for prices" >/dev/null
rp_must rep1 log "Cafe Corner" purchase "Grinder" --amount 310.00 --currency EUR >/dev/null
dora="$(rp_must rep2 account add "Deli Dora")"
rp_must rep2 log "Deli Dora" email "Sent the catalogue" >/dev/null
rp_must rep2 follow-up "Deli Dora" "Call back" --due +1d >/dev/null
test_expect "three different digests before syncing" \
	expect_eq "$( (digest hub; digest rep1; digest rep2) | sort -u | wc -l)" 3

test_begin "sync in a ring until quiet"

# rep1 answers syncs only (--no-dial): the ring below is of one-shot syncs,
# each counted; its daemon must not sync with the hub by itself meanwhile.
rep1_port="$(free_port)"
SERVE_ARGS=--no-dial start_serve rep1 "$rep1_port"
rep1_ep="$(endpoint rep1)"
test_expect "rep2: peer add hub" expect_ok rp rep2 peer add hub "$hub_ep" "$hub_id"
test_expect "rep2: peer add bob (rep1, serving)" expect_ok rp rep2 peer add bob "$rep1_ep" "$rep1_id"

test_expect "rep2 syncs with rep1 directly (no hub in between)" sync_ok rep2 bob
test_expect "... it sent Deli Dora's ops and received Cafe Corner's" \
	expect_match "$OUT" '^synced with bob: sent [1-9][0-9]* ops?, received [1-9][0-9]* ops? \(1 account changed\)'
test_expect "... rep2 now shows bob's Cafe Corner, with its purchase" \
	expect_stdout '["Cafe Corner","bob",["Asked for prices","Grinder"]]' \
	rpq rep2 '[.name,.owner,([.interactions[].text]|sort)]' show "$corner" --json
test_expect "... and rep1 shows cat's Deli Dora and its follow-up" \
	expect_stdout '["Deli Dora","cat",["Call back"]]' \
	rpq rep1 '[.name,.owner,[.followups[].text]]' show "$dora" --json
test_expect "... while the hub has seen neither" \
	expect_stdout '["Bakery Blum"]' rpqs hub '[.[].name]' export

# ring_round: rep1 <-> hub, rep2 <-> hub, rep2 <-> rep1; each must succeed.
# Sets MOVED to the number of syncs that moved any op.
ring_round()
{
	local who
	MOVED=0
	for who in "rep1 hub" "rep2 hub" "rep2 bob"; do
		# shellcheck disable=SC2086
		sync_ok $who || { echo "sync $who failed" >&2; return 1; }
		expect_match "$OUT" ': sent 0 ops, received 0 ops ' 2>/dev/null || MOVED=$((MOVED + 1))
	done
	return 0
}

quiet=
for round in 1 2 3 4; do
	test_expect "ring round $round: every sync exits 0 with its summary line" ring_round
	if [ "$MOVED" -eq 0 ]; then
		quiet=$round
		break
	fi
done
test_expect "the ring falls quiet (a round where nothing moves) within 4 rounds" expect_ne "$quiet" ""
test_expect "... and needs at most 3 rounds to" expect_match "${quiet:-9}" '^[1-3]$'

test_expect "all three digests are equal" expect_same_digest hub rep1 rep2
test_expect "all three hold the same number of ops" \
	expect_eq "$(status_of rep1 .ops) $(status_of rep2 .ops)" "$(status_of hub .ops) $(status_of hub .ops)"
test_expect "... three accounts each" \
	expect_eq "$(status_of hub .accounts)$(status_of rep1 .accounts)$(status_of rep2 .accounts)" 333
test_expect "the hub shows all three accounts with their owners" \
	expect_stdout '[["Bakery Blum","ann"],["Cafe Corner","bob"],["Deli Dora","cat"]]' \
	rpqs hub 'map([.name,.owner])|sort' export
test_expect "fsck passes on the hub" expect_fsck_ok hub
test_expect "fsck passes on rep1" expect_fsck_ok rep1
test_expect "fsck passes on rep2" expect_fsck_ok rep2
test_expect "nothing refused, pending or equivocating anywhere" \
	expect_eq "$(for h in hub rep1 rep2; do status_of $h '[.refused,.pending,.equivocations]|tostring'; done | sort -u)" '[0,0,0]'

test_begin "a second sync moves nothing"

test_expect "rep1: sync hub again" sync_ok rep1 hub
test_expect '... "sent 0 ops, received 0 ops (0 accounts changed)"' \
	expect_match "$OUT" '^synced with hub: sent 0 ops, received 0 ops \(0 accounts changed\) in '
test_expect "rep2: sync bob again" sync_ok rep2 bob
test_expect '... "sent 0 ops, received 0 ops"' expect_match "$OUT" '^synced with bob: sent 0 ops, received 0 ops '
test_expect "rep2: sync --json" expect_exit 0 rpt rep2 sync hub --json
printf '%s\n' "$OUT" >"$TMP/sync.json"
test_expect "... the summary: peer, endpoint, nothing moved, refused, pending or duplicated" \
	expect_json "$TMP/sync.json" '[.peer,.endpoint,.sent,.received,.accounts,.refused,.pending,.duplicates,(.seconds|type)]' \
	"[\"hub\",\"$hub_ep\",0,0,0,0,0,0,\"number\"]"
test_expect "rep2: sync (every named peer): two summary lines, exit 0" expect_exit 0 rpt rep2 sync
test_expect "... one for hub and one for bob, nothing moved" \
	expect_eq "$(printf '%s\n' "$OUT" | sed -E 's/ in [0-9.]+ s$//' | sort)" \
	"$(printf '%s\n' "synced with bob: sent 0 ops, received 0 ops (0 accounts changed)" \
		"synced with hub: sent 0 ops, received 0 ops (0 accounts changed)")"
test_expect "the digests are still equal" expect_same_digest hub rep1 rep2

test_begin "a rep joins and its account reaches the hub"

new_device rep3 dan
rp_must hub member add dan "$(rp_must rep3 id)" --role rep >/dev/null
test_expect "rep3 (a rep) joins" sync_ok rep3 "$hub_ep" --peer "$hub_id"
test_expect "... and is in the team, as dan, a rep" \
	expect_stdout "[\"$team_id\",\"dan\",\"rep\"]" rpq rep3 '[.team.id,.member,.role]' status --json
eliot="$(rp_must rep3 account add "Eliot Electric")"
rp_must rep3 log "Eliot Electric" visit "Showed the catalogue" >/dev/null
test_expect "rep3: sync: sent its 2 ops" sync_ok rep3 "$hub_ep" --peer "$hub_id"
test_expect "... sent 2 ops" expect_match "$OUT" ': sent 2 ops, received [0-9]+ ops? '
test_expect "... the hub holds dan's account with the same digest" \
	expect_eq "$(rp hub digest "$eliot" 2>&1)" "$(rp rep3 digest "$eliot" 2>&1)"
test_expect "... and shows it owned by dan" expect_stdout '["Eliot Electric","dan"]' \
	rpq hub '[.name,.owner]' show "$eliot" --json
test_expect "rep3 syncs again: nothing moves" sync_ok rep3 "$hub_ep" --peer "$hub_id"
test_expect '... "sent 0 ops, received 0 ops"' expect_match "$OUT" ': sent 0 ops, received 0 ops '
test_expect "fsck passes on rep3" expect_fsck_ok rep3

test_begin "status tells of the peers"

test_expect "rep2's status --json lists hub and bob, last result ok" \
	expect_stdout "[[\"bob\",\"$rep1_ep\",\"$rep1_id\",\"ok\"],[\"hub\",\"$hub_ep\",\"$hub_id\",\"ok\"]]" \
	rpq rep2 '[.peers[]|select(.name!=null)|[.name,.endpoint,.device,.last_result]]|sort' status --json
test_expect "the hub's status lists the three devices that synced with it" \
	expect_stdout "$(printf '%s\n' "$rep1_id" "$rep2_id" "$(rp rep3 id)" | sort | jq -R . | jq -s -c .)" \
	rpq hub '[.peers[].device]|sort' status --json

test_begin "serve stops cleanly"

hub_digest="$(digest hub)"
rep1_digest="$(digest rep1)"

test_expect "rep1's serve: SIGTERM, exit 0" stop_serve rep1
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub
test_expect "... its log ends with 'stopped'" expect_match "$(tail -n 1 "${SERVE_LOG[hub]}")" 'rapport: stopped$'
test_expect "... and nothing listens on its port any more" expect_not port_listening "$hub_port"
test_expect "the stores are as they were before the stop" \
	eval 'expect_unchanged hub "$hub_digest" && expect_unchanged rep1 "$rep1_digest"'

test_expect "no process of this test is left running" expect_nothing_left

test_done
