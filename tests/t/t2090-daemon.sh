#!/bin/bash
# The daemon syncs by itself (issue 13): `rapport serve` dials the peers
# configured on its home, at once when something was written there (a CLI
# write, a sync it served) and every few seconds to hear what they have, so
# writes travel with no `sync` typed: between two laptops through their hub,
# and along a chain of hubs (shop A ⇄ region ⇄ shop B) to a rep behind the
# far one. A device not in a team yet joins through its configured peer by
# itself. One daemon per home; SIGTERM stops it and its syncs.
. ./lib.sh

# has_texts HOME ACCOUNT JSON: the account's interaction texts, sorted, are JSON.
has_texts()
{
	[ "$(rpq "$1" '[.interactions[].text]|sort' show "$2" --json)" = "$3" ]
}


# in_team HOME MEMBER: HOME knows it is MEMBER's device in the team.
in_team() { rp "$1" member list --json | jq -e -s --arg m "$2" 'map(.name)|index($m)' >/dev/null; }

test_begin "two laptops and their hub, no sync typed"

new_team hub ann Shop
new_device lap1 bob
new_device lap2 cat
hub_id="$(rp_must hub id)"
rp_must hub member add bob "$(rp_must lap1 id)" --role manager >/dev/null
rp_must hub member add cat "$(rp_must lap2 id)" --role manager >/dev/null
start_serve hub "$(free_port)"
for h in lap1 lap2; do
	rp_must "$h" peer add hub "$(endpoint hub)" "$hub_id" >/dev/null
	start_serve "$h" "$(free_port)"
done

test_expect "a laptop not in the team yet serves anyway, to join through its peer" \
	expect_match "$(head -n 1 "${SERVE_LOG[lap1]}")" 'not in a team yet: syncing with the peers configured here'
test_expect "both laptops join by themselves: each knows its member" \
	eventually 10 eval 'in_team lap1 bob && in_team lap2 cat'
test_expect "an account added on lap1 reaches lap2 within a few seconds" \
	eval 'rp lap1 account add "Bakery Blum" >/dev/null && eventually 10 rp lap2 show "Bakery Blum"'
diag "lap1 → hub → lap2: $ELAPSED_MS ms"
test_expect "a visit logged on lap2 reaches lap1" \
	eval 'rp lap2 log "Bakery Blum" visit "Met the owner" >/dev/null &&
	      eventually 10 has_texts lap1 "Bakery Blum" "[\"Met the owner\"]"'
test_expect "a call logged on the hub's home reaches both laptops" \
	eval 'rp hub log "Bakery Blum" call "Called back" >/dev/null &&
	      eventually 10 has_texts lap1 "Bakery Blum" "[\"Called back\",\"Met the owner\"]" &&
	      eventually 10 has_texts lap2 "Bakery Blum" "[\"Called back\",\"Met the owner\"]"'
test_expect "the three homes converge to one digest" eventually 10 same_digest hub lap1 lap2
test_expect "lap1's log: one line for its live session with the hub" \
	expect_match "$(cat "${SERVE_LOG[lap1]}")" 'rapport: synced with hub, live: sent 0 ops, received [0-9]+ ops'
test_expect "... and no line per write after it (that is --verbose)" \
	expect_eq "$(grep -c 'rapport: synced with hub' "${SERVE_LOG[lap1]}")" 1
test_expect "the hub's log: one line for each laptop's live session" \
	expect_eq "$(grep -c ': live session: sent' "${SERVE_LOG[hub]}")" 2
test_expect "status: the daemon's live sessions, by member" \
	expect_stdout '["hub"]' rpq lap1 '[.daemon.live[].peer]' status --json
test_expect "status on the hub: its live sessions, by member" \
	expect_stdout '["bob","cat"]' rpq hub '[.daemon.live[].member]|sort' status --json
hub_lines=$(wc -l <"${SERVE_LOG[hub]}")
test_expect "sync beside the daemon: exit 0, its one summary line" sync_ok lap1 hub
test_expect "... the live session answered it: no second connection, no new session on the hub" \
	expect_eq "$(wc -l <"${SERVE_LOG[hub]}")" "$hub_lines"
test_expect "... and left no ask behind" expect_eq "$(ls "$TMP/lap1" | grep -c '^serve\.\(ask\|tmp\)')" 0
test_expect "sync with no peer named (every peer) asks it too" \
	eval 'run rp lap1 sync && expect_match "$OUT" "^synced with hub: sent 0 ops, received 0 ops"'
test_expect "status says the daemon runs, with its pid" \
	expect_stdout "[true,${SERVE_PID[lap1]}]" rpq lap1 '[.daemon.running,.daemon.pid]' status --json
test_expect "peer list says what the daemon says of the hub: live" \
	expect_stdout 'live' rpq lap1 '.daemon.state' peer list --json
test_expect "... in its table too" eval 'run rp lap1 peer list && expect_match "$OUT" "^hub .* live "'
test_expect "... and whose device the hub is: ann's" \
	expect_stdout '["ann","live"]' rpq lap1 '[.member,.daemon.state]' peer list --json

test_begin "one daemon per home"

test_expect "a second serve on the hub's home: exit 1, naming the pid that serves it" \
	expect_error_line 1 "already served by pid ${SERVE_PID[hub]}\$" \
	timeout 20 "$RAPPORT_BIN" --home "$TMP/hub" serve --listen "tcp://127.0.0.1:$(free_port)" --no-discover
test_expect "... the first still serves" serve_alive hub

test_begin "a dead peer is retried with backoff, and the rest goes on"

test_expect "the hub stops" stop_serve hub
test_expect "lap1 says once that it cannot sync, and when it retries" \
	eventually 10 grep -q 'rapport: cannot sync with hub: .*; retrying in [0-9]* s$' "${SERVE_LOG[lap1]}"
sleep 4
test_expect "... once: not a line per retry" \
	expect_eq "$(grep -c 'cannot sync with hub' "${SERVE_LOG[lap1]}")" 1
# (between two retries: a retry itself shows as "syncing")
test_expect "peer list: the daemon is retrying, and says when" \
	eventually 10 eval 'run rp lap1 peer list && expect_match "$OUT" "^hub .* retrying in [0-9]+ s .*connection refused" 2>/dev/null'
test_expect "... --json: state, retry_at, retry_in_s, failures, why" \
	eventually 10 eval '[ "$(rpq lap1 ".daemon|[.state,(.retry_at|type),(.retry_in_s|type),.failures>0,(.last|test(\"cannot reach\"))]" peer list --json)" = "[\"retrying\",\"string\",\"number\",true,true]" ]'
test_expect "lap1 still writes meanwhile" eval 'rp lap1 log "Bakery Blum" note "Offline note" >/dev/null'
start_serve hub "${SERVE_PORT[hub]}"
test_expect "the hub back: the note reaches lap2 without a command" \
	eventually 70 has_texts lap2 "Bakery Blum" '["Called back","Met the owner","Offline note"]'
test_expect "lap1 says it synced again" \
	eventually 10 grep -q 'rapport: synced with hub' <(tail -n 3 "${SERVE_LOG[lap1]}")

test_begin "peer remove: the daemon lets go of the peer"

test_expect "lap2: peer remove hub" expect_ok rp lap2 peer remove hub
test_expect "... the hub is no peer of lap2's by that name any more" \
	expect_stdout '[]' rpqs lap2 'map(select(.name=="hub"))' peer list --json
test_expect "... removing it again: exit 1, naming it" \
	expect_error_line 1 "no peer named 'hub'" rp lap2 peer remove hub
test_expect "... the daemon forgets it: it says nothing of it within seconds" \
	eventually 10 eval '[ "$(jq -c "map(.name)" "$TMP/lap2/serve.state")" = "[]" ]'
rp_must lap1 log "Bakery Blum" note "Only lap1 and the hub" >/dev/null
sleep 5
test_expect "... and syncs with it no more: a note lap1 writes stays off lap2" \
	expect_stdout '["Called back","Met the owner","Offline note"]' \
	rpq lap2 '[.interactions[].text]|sort' show "Bakery Blum" --json

test_begin "SIGTERM stops a daemon and its syncs"

for h in lap1 lap2 hub; do
	test_expect "$h: SIGTERM, exit 0" stop_serve "$h"
done
test_expect "nothing of it is left running" expect_nothing_left
test_expect "status: no daemon" expect_stdout '[false,null]' rpq lap1 '[.daemon.running,.daemon.pid]' status --json
test_expect "peer list: - for the daemon's word, none serving" \
	eval 'run rp lap1 peer list && expect_match "$OUT" "^hub +tcp://[^ ]+ +[a-z2-7]+ +ann +- "'

test_begin "SIGTERM and kill -9 of a daemon in the middle of its sync"

# 2,000 interactions of 4 KB each on the hub: a laptop's first sync of them
# takes a while, long enough to stop its daemon in the middle.
fat_jsonl "$TMP/fat.jsonl"
rp_must hub import "$TMP/fat.jsonl" >/dev/null
start_serve hub "${SERVE_PORT[hub]}"
hub_ops="$(status_of hub .ops)"
for h in lap3 lap4; do
	new_device "$h" "dan$h"
	rp_must hub member add "dan$h" "$(rp_must "$h" id)" --role manager >/dev/null
	rp_must "$h" peer add hub "$(endpoint hub)" "$hub_id" >/dev/null
done
hub_ops=$((hub_ops + 2))
# partway: some ops in, not all
partway() { local n; n="$(status_of "$1" .ops)"; [ "${n:-0}" -ge 50 ] && [ "$n" -lt "$hub_ops" ]; }
start_serve lap3 "$(free_port)"
test_expect "lap3's daemon is partway through its first sync" eventually 20 partway lap3
test_expect "... SIGTERM then: exit 0" stop_serve lap3
test_expect "... what it holds passes fsck" expect_fsck_ok lap3
start_serve lap3 "${SERVE_PORT[lap3]}"
test_expect "started again, it completes by itself: every op of the hub" \
	eventually 60 eval '[ "$(status_of lap3 .ops)" = "$(status_of hub .ops)" ]'
test_expect "... nothing applied twice: the hub's digest, fsck passes" \
	eval 'eventually 20 same_digest hub lap3 && expect_fsck_ok lap3'
start_serve lap4 "$(free_port)"
test_expect "lap4's daemon is partway through its first sync" eventually 20 partway lap4
test_expect "... kill -9 then" kill9_serve lap4
test_expect "... its sync (a process of its own) ends by itself: nothing of lap4 runs after 15 s" \
	eventually 15 eval '! pgrep -f -- "$TMP/lap4" >/dev/null'
start_serve lap4 "${SERVE_PORT[lap4]}"
test_expect "started again, it completes: the hub's digest, fsck passes" \
	eval 'eventually 60 same_digest hub lap4 && expect_fsck_ok lap4'
for h in lap3 lap4 hub; do
	test_expect "$h: SIGTERM, exit 0" stop_serve "$h"
done
test_expect "nothing of it is left running" expect_nothing_left

test_begin "a handover travels a chain of hubs: shop A ⇄ region ⇄ shop B"

# The region's hub starts the team. Shop A's machine is the manager meg's,
# shop B's a hub device; each knows only the region. Rep bob's laptop knows
# only shop A, rep cat's only shop B.
new_team region rita Chain
new_device shopa meg
new_device shopb hubb
new_device bob bob
new_device cat cat
region_id="$(rp_must region id)"
rp_must region member add meg "$(rp_must shopa id)" --role manager >/dev/null
rp_must region member add hubb "$(rp_must shopb id)" --role hub >/dev/null
rp_must region member add bob "$(rp_must bob id)" --role rep >/dev/null
rp_must region member add cat "$(rp_must cat id)" --role rep >/dev/null
start_serve region "$(free_port)"
for h in shopa shopb; do
	rp_must "$h" peer add region "$(endpoint region)" "$region_id" >/dev/null
	start_serve "$h" "$(free_port)"
done
rp_must bob peer add shopa "$(endpoint shopa)" "$(rp_must shopa id)" >/dev/null
rp_must cat peer add shopb "$(endpoint shopb)" "$(rp_must shopb id)" >/dev/null
start_serve bob "$(free_port)"
start_serve cat "$(free_port)"

test_expect "everyone joins through their one peer" \
	eventually 20 eval 'in_team shopa meg && in_team shopb hubb && in_team bob bob && in_team cat cat'
test_expect "bob's account, a visit and an open follow-up reach shop B through the region" \
	eval 'rp bob account add "Bakery Blum" >/dev/null &&
	      rp bob log "Bakery Blum" visit "Met the owner" >/dev/null &&
	      rp bob follow-up "Bakery Blum" "Send the quote" --due +3d >/dev/null &&
	      eventually 20 has_texts shopb "Bakery Blum" "[\"Met the owner\"]"'
test_expect "cat, a rep of shop B, does not hold it: not hers" \
	expect_not rp cat show "Bakery Blum"
test_expect "meg hands it over to cat at shop A" \
	eval 'rp shopa handover "Bakery Blum" --to cat >/dev/null'
test_expect "cat's laptop, behind shop B, holds it within seconds, owned by her" \
	eventually 20 eval '[ "$(rpq cat .owner show "Bakery Blum" --json)" = cat ]'
diag "shop A → region → shop B → cat: $ELAPSED_MS ms"
test_expect "... whole: the visit, the open follow-up and her intro follow-up" \
	expect_stdout '[["Met the owner"],["Send the quote","introduce yourself to Bakery Blum"]]' \
	rpq cat '[[.interactions[].text],[.followups[]|select(.done|not)|.text]|sort]' show "Bakery Blum" --json
test_expect "bob's laptop drops it by itself" \
	eventually 20 eval '! rp bob account list --json | jq -e -s "map(.name)|index(\"Bakery Blum\")" >/dev/null'
test_expect "the three hubs end with one digest" eventually 20 same_digest region shopa shopb
for h in bob cat shopa shopb region; do
	test_expect "$h: SIGTERM, exit 0" stop_serve "$h"
done
test_expect "nothing of it is left running" expect_nothing_left

test_done
