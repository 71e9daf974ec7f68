#!/bin/bash
# Handover, scoped replication, backfill, purge and revocation (issue 5), end
# to end with real processes on 127.0.0.1: a hub (ann, the admin's device,
# serving), a manager (meg) and three reps (alice, bob, carol), each syncing
# with the hub. The story: accounts change hands by a manager, by their owner,
# all of a member's at once, while the manager is offline, twice at the same
# time, and when a rep leaves; a rep logs on an account it lost while offline.
#
# After every step the interactions of the accounts involved are counted on
# every device; after every sync a rep's device is checked to hold exactly the
# accounts its member owns (by the hub's view), each whole (its per-account
# digest equals the hub's), and nothing of another member's; the two
# full-scope devices (hub, manager) are compared by digest. "Holds" means as
# `export` and `account list` show it.
#
# A revoked device is told so, with the admin's signed revocation, and wipes
# the team's data from its home (DESIGN.md §5). Known bugs (reported) are
# TODO tests: an account that enters a rep's scope through what the rep itself
# sends in a sync (its purge receipt) arrives a sync late; a rep's own
# handover that arrives together with the account's history is refused on
# ingest (t3010 shows the worst of it); `show ID` of a purged account prints
# an empty view.
. ./lib.sh

DEVICES="hub meg alice bob carol"

# hsync HOME [ARGS...]: `rapport sync ARGS` (bounded) exits 0, nothing on
# stderr, one summary line. Like lib.sh's sync_ok, and the line may also say
# that accounts handed over were dropped here (a purge), that accounts arrived
# whole (a backfill) or are incomplete (holds_own catches that).
HSYNC_RE='^synced with .+: sent [0-9][0-9,]* ops?, received [0-9][0-9,]* ops? \([0-9,]+ accounts? changed(; [0-9,]+ refused)?(; [0-9,]+ pending)?(; [0-9,]+ accounts? handed over dropped here)?(; [0-9,]+ accounts? arrived whole)?(; [0-9,]+ accounts? incomplete: sync again)?\) in [0-9]+\.[0-9]+ s$'
hsync()
{
	local home="$1"
	shift
	expect_exit 0 rpt "$home" sync "$@" || return 1
	if [ -n "$ERR" ]; then
		printf 'expected nothing on stderr, got:\n%s\n' "$ERR" >&2
		return 1
	fi
	if [ "$(printf '%s\n' "$OUT" | wc -l)" -ne 1 ]; then
		printf 'expected one summary line, got:\n%s\n' "$OUT" >&2
		return 1
	fi
	expect_match "$OUT" "$HSYNC_RE"
}

# names IDS_JSON: the hub's names of a JSON array of account ids, for messages.
names()
{
	rp hub export | jq -r -s -c --argjson ids "$1" \
		'[.[]|select(.id as $i|$ids|index($i))|.name]|sort|join(", ")'
}

# holds_own HOME MEMBER: HOME holds exactly the accounts the hub says MEMBER
# owns (by id, as `export` and `account list` show them), each whole (its
# per-account digest equals the hub's), and each MEMBER's in HOME's own view.
holds_own()
{
	local home="$1" member="$2" held listed want owners id bad=""
	held="$(rp "$home" export | jq -r -s -c 'map(.id)|sort')" || return 1
	listed="$(rp "$home" account list --json | jq -r -s -c 'map(.id)|sort')"
	want="$(rp hub export | jq -r -s -c --arg m "$member" 'map(select(.owner==$m)|.id)|sort')"
	if [ "$held" != "$want" ] || [ "$listed" != "$want" ]; then
		printf '%s holds [%s] (export), [%s] (account list); the hub says %s owns [%s]\n' \
			"$home" "$(names "$held")" "$(names "$listed")" "$member" "$(names "$want")" >&2
		return 1
	fi
	owners="$(rp "$home" account list --json | jq -r -s -c '[.[].owner]|unique')"
	if [ "$owners" != "[]" ] && [ "$owners" != "[\"$member\"]" ]; then
		printf '%s lists accounts owned by %s\n' "$home" "$owners" >&2
		return 1
	fi
	for id in $(printf '%s' "$held" | jq -r '.[]'); do
		[ "$(rp "$home" digest "$id")" = "$(rp hub digest "$id")" ] || bad="$bad $id"
	done
	[ -z "$bad" ] && return 0
	# shellcheck disable=SC2086
	printf 'accounts on %s that differ from the hub (not whole?): %s\n' "$home" \
		"$(names "$(printf '%s\n' $bad | jq -R . | jq -s -c .)")" >&2
	return 1
}

# rep_sync HOME MEMBER [ARGS...]: two tests: HOME syncs with the hub, and then
# holds exactly MEMBER's accounts. SYNC_OUT keeps the summary line.
# HOLD_TODO=WHY marks the second a known bug.
rep_sync()
{
	local home="$1" member="$2"
	shift 2
	test_expect "$home: sync hub${*:+ $*}" hsync "$home" hub "$@"
	SYNC_OUT="$OUT"
	[ -n "${HOLD_TODO:-}" ] && test_todo "$HOLD_TODO"
	test_expect "... $home holds exactly $member's accounts, each whole, no one else's" \
		holds_own "$home" "$member"
}

# full_sync HOME: a full-scope device syncs with the hub; then both have the
# same digest.
full_sync()
{
	test_expect "$1: sync hub" hsync "$1" hub
	SYNC_OUT="$OUT"
	test_expect "... $1 and the hub have the same digest" expect_same_digest hub "$1"
}

# held HOME ACCOUNT_ID FILTER: FILTER (jq) on the account as HOME's export
# holds it; "-" when the export does not hold it.
held()
{
	local v
	v="$(rp "$1" export 2>/dev/null | jq -r -c --arg id "$2" "select(.id==\$id)|$3" 2>/dev/null)"
	printf '%s\n' "${v:--}"
}

# ix_counts ACCOUNT_ID: "hub=N meg=N alice=N bob=N carol=N", the interactions
# of the account on each device ("-" where the device does not hold it).
ix_counts()
{
	local h out=""
	for h in $DEVICES; do
		out="$out $h=$(held "$h" "$1" '.interactions|length')"
	done
	printf '%s\n' "${out# }"
}

# expect_counts ACCOUNT_ID WANT
expect_counts()
{
	expect_eq "$(ix_counts "$1")" "$2" "interactions per device"
}

# owner_on HOME ACCOUNT_ID: the owner on HOME ("-" when it does not hold it).
owner_on()
{
	held "$1" "$2" .owner
}

# bg_start NAME HOME ARGS...: `rapport --home HOME ARGS` (bounded by
# NET_TIMEOUT) in the background, in a process group of its own (killed on
# exit); its stdout, stderr, exit status and duration go to $TMP/NAME.*.
_bg_body()
{
	local name="$1" t0
	shift
	t0=$(date +%s%N)
	rpt "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	echo "$? $((($(date +%s%N) - t0) / 1000000))" >"$TMP/$name.rc"
}
bg_start()
{
	rm -f "$TMP/$1.rc"
	start_group _bg_body "$@"
	BG_JOB=$BG_PID
}

# bg_wait NAME PID: wait for it (NET_TIMEOUT + 10 s at most); RC, OUT, ERR
# and ELAPSED_MS as run and timed set them.
# bg_settle NAME: wait (bounded) for a background command to end, leaving
# its results for bg_wait.
bg_settle()
{
	local deadline=$((SECONDS + NET_TIMEOUT + 10))
	while [ ! -e "$TMP/$1.rc" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.1
	done
}

bg_wait()
{
	local deadline=$((SECONDS + NET_TIMEOUT + 10))
	while [ ! -e "$TMP/$1.rc" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.1
	done
	kill_group "$2"
	RC=124 ELAPSED_MS=$(((NET_TIMEOUT + 10) * 1000))
	[ -e "$TMP/$1.rc" ] && read -r RC ELAPSED_MS <"$TMP/$1.rc"
	OUT="$(cat "$TMP/$1.out" 2>/dev/null)"
	ERR="$(cat "$TMP/$1.err" 2>/dev/null)"
}

test_begin "a hub, a manager and three reps join"

new_team hub ann Shop
for m in meg alice bob carol; do
	new_device "$m" "$m"
done
hub_id="$(rp_must hub id)"
rp_must hub member add meg "$(rp_must meg id)" --role manager >/dev/null
for m in alice bob carol; do
	rp_must hub member add "$m" "$(rp_must "$m" id)" --role rep >/dev/null
done
carol_dev="$(rp_must carol id)"
alice_dev="$(rp_must alice id)"
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
for m in meg alice bob carol; do
	rp_must "$m" peer add hub "$hub_ep" "$hub_id" >/dev/null
done

full_sync meg
for m in alice bob carol; do
	rep_sync "$m" "$m"
done
test_expect "everyone knows the roles" \
	expect_eq "$(for h in $DEVICES; do status_of "$h" '.member+":"+.role'; done | tr '\n' ' ')" \
	"ann:admin meg:manager alice:rep bob:rep carol:rep "

test_begin "each rep works on its own accounts; the hub and the manager see them all"

acme="$(rp_must alice account add "ACME Tools" --email buyer@acme.example)"
rp_must alice log "$acme" visit "ACME: met the buyer" >/dev/null
rp_must alice log "$acme" call "ACME: prices for the drills" >/dev/null
rp_must alice log "$acme" purchase "ACME: 40 drills" --amount 1200.00 --currency EUR >/dev/null
rp_must alice follow-up "$acme" "ACME: send the quote" --due +3d >/dev/null
deli="$(rp_must alice account add "Deli Dora")"
rp_must alice log "$deli" email "Deli: sent the catalogue" >/dev/null
bakery="$(rp_must bob account add "Bakery Blum")"
rp_must bob log "$bakery" visit "Bakery: met the owner" >/dev/null
rp_must bob log "$bakery" call "Bakery: oven prices" >/dev/null
eliot="$(rp_must bob account add "Eliot Electric")"
rp_must bob log "$eliot" note "Eliot: wants a demo" >/dev/null
cafe="$(rp_must carol account add "Cafe Corner")"
rp_must carol log "$cafe" call "Cafe: asked for prices" >/dev/null
rp_must carol log "$cafe" visit "Cafe: showed the grinder" >/dev/null
hotel="$(rp_must hub account add "Hotel Seeblick")"
rp_must hub log "$hotel" meeting "Hotel: met the manager" >/dev/null

for m in alice bob carol; do
	rep_sync "$m" "$m"
done
full_sync meg
for m in alice bob carol; do
	rep_sync "$m" "$m"
done
test_expect "ACME Tools: 3 interactions on the hub, the manager and alice; nowhere else" \
	expect_counts "$acme" "hub=3 meg=3 alice=3 bob=- carol=-"
test_expect "Bakery Blum: on the hub, the manager and bob" \
	expect_counts "$bakery" "hub=2 meg=2 alice=- bob=2 carol=-"
test_expect "Cafe Corner: on the hub, the manager and carol" \
	expect_counts "$cafe" "hub=2 meg=2 alice=- bob=- carol=2"
test_expect "Hotel Seeblick (ann's): on the hub and the manager only" \
	expect_counts "$hotel" "hub=1 meg=1 alice=- bob=- carol=-"
test_expect "the hub and the manager hold all six accounts, with the same digest" \
	eval 'expect_eq "$(status_of hub .accounts) $(status_of meg .accounts)" "6 6" && expect_same_digest hub meg'
test_expect "alice: account list --mine lists ACME Tools and Deli Dora" \
	expect_stdout "$(printf 'ACME Tools\nDeli Dora')" \
	rpq alice .name account list --mine --json

test_begin "what a rep may not do, on its own device"

test_expect "alice cannot hand over all of bob's accounts" \
	expect_error 1 "only a manager can hand over bob's accounts" rp alice handover --from bob --to alice
test_expect "alice cannot revoke a member" \
	expect_error 1 "only an admin can revoke" rp alice member revoke carol --handover-to alice
test_expect "alice cannot add a member (the roster is an admin's)" \
	expect_exit 1 rp alice member add zed "$(rp hub id)" --role rep
test_expect "... nothing was written on alice's device" \
	expect_eq "$(status_of alice .members)" 5

test_begin "handover --dry-run says what would move and writes nothing"

meg_digest="$(digest meg)"
meg_ops="$(status_of meg .ops)"
test_expect "meg: handover \"ACME Tools\" --to bob --dry-run: exit 0" \
	expect_exit 0 rp meg handover "ACME Tools" --to bob --dry-run
test_expect "... one row: ACME Tools, alice → bob, 3 interactions, 1 open follow-up, its ops and size" \
	expect_match "$OUT" '^ACME Tools +alice +bob +3 +1 +[1-9][0-9]* +[0-9]+\.[0-9] KiB$'
test_expect "... and says nothing was written" \
	expect_eq "$(printf '%s\n' "$OUT" | tail -n 1)" "dry run: nothing was written"
test_expect "... --json: the same figures" \
	expect_stdout "[\"$acme\",\"ACME Tools\",\"alice\",\"bob\",3,1]" \
	rpq meg '[.id,.name,.from,.to,.interactions,.open_followups]' handover "ACME Tools" --to bob --dry-run --json
test_expect "meg: handover --from alice --to bob --dry-run lists both of alice's accounts" \
	expect_stdout '["ACME Tools","Deli Dora"]' \
	rpqs meg 'map(.name)|sort' handover --from alice --to bob --dry-run --json
test_expect "... the manager's digest and op count are unchanged" \
	eval 'expect_unchanged meg "$meg_digest" && expect_eq "$(status_of meg .ops)" "$meg_ops" ops'
test_expect "... ACME Tools is still alice's everywhere" \
	eval 'expect_eq "$(owner_on hub "$acme") $(owner_on meg "$acme") $(owner_on alice "$acme")" "alice alice alice"'

test_begin "the manager hands ACME Tools to bob: confirmed by the hub at once"

test_expect "meg: handover \"ACME Tools\" --to bob --note \"alice moves north\"" \
	expect_stdout "ACME Tools → bob: confirmed by hub" \
	rpt meg handover "ACME Tools" --to bob --note "alice moves north"
test_expect "... the hub shows bob as the owner, alice before him, and the note" \
	expect_stdout '["bob",["alice"],"alice moves north"]' \
	rpq hub '[.owner,[.previous_owners[].member],.handover_note]' show "$acme" --json
test_expect "... show (for people) says who had it and the note" \
	expect_stdout_match '^ +previously: +alice, until .*alice moves north' rp meg show "ACME Tools"
test_expect "... the hub and the manager agree" expect_same_digest hub meg
test_expect "ACME Tools: bob has not synced, alice still holds it" \
	expect_counts "$acme" "hub=3 meg=3 alice=3 bob=- carol=-"
test_expect "meg: no handover queued (the hub holds it)" \
	expect_stdout '[]' rpq meg '[.handovers_queued[]]' status --json
test_expect "hub: ACME Tools to bob is queued there (bob has not synced)" \
	expect_stdout '[["ACME Tools","bob"]]' rpq hub '[.handovers_queued[]|[.account,.to]]' status --json
test_expect "... status says so in words" \
	expect_stdout_match '^handovers_queued: +ACME Tools to bob \(since 2026-[0-9-]+ [0-9:]+\)$' rp hub status
test_expect "... team counts it for bob, none for the others" \
	expect_stdout '[["alice",0],["ann",0],["bob",1],["carol",0],["meg",0]]' \
	rpq hub '[.members[]|[.name,.handovers_queued]]|sort' team --json
test_expect "... in the QUEUED column" \
	expect_stdout_match '^bob +rep +[0-9]+ +1 ' rp hub team

rep_sync bob bob
test_expect "... bob received ACME Tools' whole history (ops older than his cursor)" \
	expect_match "$SYNC_OUT" 'received [1-9][0-9]* ops? \(1 account changed; 1 account arrived whole\)'
test_expect "... the hub queues no handover now" \
	expect_stdout '[]' rpq hub '[.handovers_queued[]]' status --json
test_expect "... and says none" expect_stdout_match '^handovers_queued: +none$' rp hub status
test_expect "ACME Tools: 3 interactions on bob's device now" \
	expect_counts "$acme" "hub=3 meg=3 alice=3 bob=3 carol=-"
test_expect "bob: account list --mine: ACME Tools, Bakery Blum, Eliot Electric" \
	expect_stdout "$(printf 'ACME Tools\nBakery Blum\nEliot Electric')" rpq bob .name account list --mine --json
test_expect "bob's device shows the open follow-up, his intro follow-up and the purchase" \
	expect_stdout '[["ACME: send the quote","introduce yourself to ACME Tools"],[{"cents":120000,"currency":"EUR"}]]' \
	rpq bob '[([.followups[]|select(.done|not)|.text]|sort),.value]' show "$acme" --json
test_expect "... the intro is bob's, due the next workday" \
	expect_stdout '["bob","2026-03-11T00:00:00Z"]' \
	rpq bob '.followups[]|select(.text|startswith("introduce"))|[.assignee,.due]' show "$acme" --json
test_expect "both are on bob's agenda when due" \
	expect_stdout '["ACME: send the quote","introduce yourself to ACME Tools"]' \
	at_time 2026-03-16T09:00:00Z rpqs bob '[.[]|select(.kind=="followup")|.text]|sort' agenda --json

rep_sync alice alice
test_expect "... alice's sync says the account handed over was dropped here" \
	expect_match "$SYNC_OUT" '\(1 account changed; 1 account handed over dropped here\)'
test_expect "ACME Tools: gone from alice's device" \
	expect_counts "$acme" "hub=3 meg=3 alice=- bob=3 carol=-"
test_expect "alice's export holds no trace of ACME Tools (name, id, interactions, follow-up)" \
	eval 'rp alice export >"$TMP/alice.jsonl" &&
	      expect_eq "$(jq -r .name "$TMP/alice.jsonl")" "Deli Dora" &&
	      expect_no_match "$(cat "$TMP/alice.jsonl")" "ACME|$acme|drills|quote"'
test_expect "... nor does her csv export" \
	expect_no_match "$(rp alice export --format csv)" "ACME|$acme"
test_expect "alice: show \"ACME Tools\" fails: no such account here" \
	expect_error 1 "ACME Tools" rp alice show "ACME Tools"
test_expect "alice: show ACME Tools' id fails too" expect_exit 1 rp alice show "$acme"
test_expect "alice: find drills finds nothing" expect_no_match "$(rp alice find drills 2>&1)" 'ACME'
test_expect "the follow-up is no longer on alice's agenda" \
	expect_no_match "$(at_time 2026-03-14T09:00:00Z rp alice agenda --json)" "send the quote"
test_expect "alice: account list --mine: Deli Dora only" \
	expect_stdout "Deli Dora" rpq alice .name account list --mine --json
test_expect "alice's device records its purge receipt" \
	expect_stdout "[\"$alice_dev\",\"alice\",\"$acme\",\"bob\"]" \
	rpq alice '.purged[]|[.device,.member,.account_id,.owner]' status --json
test_expect "fsck passes on alice's device after the purge" expect_fsck_ok alice

rep_sync alice alice
test_expect "... alice's next sync sends the receipt" expect_match "$SYNC_OUT" ': sent 1 op, '
full_sync meg
test_expect "meg: status --json lists alice's device dropping ACME Tools, now bob's" \
	expect_stdout "[[\"$alice_dev\",\"alice\",\"ACME Tools\",\"bob\",true]]" \
	rpq meg '[.purged[]|[.device,.member,.account,.owner,(.ops>0)]]' status --json
test_expect "meg: status says so in words" \
	expect_stdout_match "^purged: +alice's device dropped ACME Tools \\(now bob's\\)$" rp meg status

test_begin "the manager goes offline and hands Bakery Blum to carol; meanwhile a rep hands over its own account"

# meg's laptop is on a train: the hub it knows is unreachable (a port nothing
# listens on), while the hub goes on serving the others. Her handover tries
# the hub for up to 10 s: that runs in the background while bob works.
rp_must meg peer add hub "tcp://127.0.0.1:$(free_port)" "$hub_id" >/dev/null
bg_start meg-offline meg handover "Bakery Blum" --to carol --note "carol takes the bakeries"
meg_job=$BG_JOB

test_expect "bob: handover \"Eliot Electric\" --to alice: confirmed by the hub" \
	expect_stdout "Eliot Electric → alice: confirmed by hub" rpt bob handover "Eliot Electric" --to alice
test_expect "... bob's device dropped it at once (the hub holds it)" \
	expect_counts "$eliot" "hub=1 meg=1 alice=- bob=- carol=-"
test_expect "... bob holds exactly his accounts" holds_own bob bob
rep_sync alice alice
test_expect "... alice's sync refused nothing" expect_no_match "$SYNC_OUT" 'refused'
test_expect "Eliot Electric: alice has it now, whole" \
	expect_counts "$eliot" "hub=1 meg=1 alice=1 bob=- carol=-"
test_expect "... owned by alice, bob before her" \
	expect_stdout '["alice",["bob"]]' rpq alice '[.owner,[.previous_owners[].member]]' show "$eliot" --json

bg_wait meg-offline "$meg_job"
test_expect "meg (offline): handover \"Bakery Blum\" --to carol: queued" \
	expect_eq "$OUT" "Bakery Blum → carol: queued: will reach carol at the next sync"
test_expect "... exit 0, nothing on stderr, within $NET_TIMEOUT s" \
	eval 'expect_eq "$RC:$ERR" "0:" && expect_within $((NET_TIMEOUT * 1000))'
test_expect "... meg's device shows carol as the owner" expect_eq "$(owner_on meg "$bakery")" carol
test_expect "... the hub still says bob" expect_eq "$(owner_on hub "$bakery")" bob
rep_sync carol carol
rep_sync bob bob
test_expect "Bakery Blum: still bob's, on his device only" \
	expect_counts "$bakery" "hub=2 meg=2 alice=- bob=2 carol=-"

test_begin "concurrent handovers: the hub and the offline manager give Hotel Seeblick to different reps"

test_expect "hub (ann): handover \"Hotel Seeblick\" --to alice (the hub has no peer to confirm with: queued)" \
	expect_stdout "Hotel Seeblick → alice: queued: will reach alice at the next sync" \
	rpt hub handover "Hotel Seeblick" --to alice
test_expect "meg (offline): handover \"Hotel Seeblick\" --to bob --offline: queued" \
	expect_stdout "Hotel Seeblick → bob: queued: will reach bob at the next sync" \
	rpt meg handover "Hotel Seeblick" --to bob --offline
test_expect "the hub and meg now differ" expect_ne "$(digest hub)" "$(digest meg)"
test_expect "meg: both handovers are queued on her laptop" \
	expect_stdout '[["Bakery Blum","carol"],["Hotel Seeblick","bob"]]' \
	rpq meg '[.handovers_queued[]|[.account,.to]]' status --json
test_expect "hub: Hotel Seeblick to alice is queued there" \
	expect_stdout '[["Hotel Seeblick","alice"]]' rpq hub '[.handovers_queued[]|[.account,.to]]' status --json

rp_must meg peer add hub "$hub_ep" "$hub_id" >/dev/null
full_sync meg
test_expect "... meg, back online, sent its two handovers (each with its intro follow-up)" \
	expect_match "$SYNC_OUT" ': sent 4 ops, received [1-9][0-9]* ops? '
test_expect "Bakery Blum is carol's on the hub now" expect_eq "$(owner_on hub "$bakery")" carol
test_expect "meg: nothing queued on her laptop now (the hub holds both)" \
	expect_stdout '[]' rpq meg '[.handovers_queued[]]' status --json
hotel_owner="$(owner_on hub "$hotel")"
test_expect "hub: Bakery Blum to carol and Hotel Seeblick to its winner are queued there (the loser is not)" \
	expect_stdout "[[\"Bakery Blum\",\"carol\"],[\"Hotel Seeblick\",\"$hotel_owner\"]]" \
	rpq hub '[.handovers_queued[]|[.account,.to]]|sort' status --json
test_expect "Hotel Seeblick: one owner on the hub and meg, alice or bob ($hotel_owner)" \
	eval 'expect_match "$hotel_owner" "^(alice|bob)$" && expect_eq "$(owner_on meg "$hotel")" "$hotel_owner"'
test_expect "... the hub shows the conflict: both intended owners, and the winner" \
	expect_stdout "[[\"alice\",\"bob\"],\"$hotel_owner\"]" \
	rpq hub '.conflicts[]|[(.owners|sort),.winner]' show "$hotel" --json
test_expect "... and so does meg" \
	expect_stdout "[[\"alice\",\"bob\"],\"$hotel_owner\"]" \
	rpq meg '.conflicts[]|[(.owners|sort),.winner]' show "$hotel" --json

rep_sync carol carol
test_expect "... carol received Bakery Blum whole" \
	expect_match "$SYNC_OUT" 'received [1-9][0-9]* ops? \(1 account changed; 1 account arrived whole\)'
rep_sync bob bob
test_expect "... bob's device dropped Bakery Blum" expect_match "$SYNC_OUT" '1 account handed over dropped here'
rep_sync alice alice
test_expect "Bakery Blum: carol's device now, not bob's" \
	expect_counts "$bakery" "hub=2 meg=2 alice=- bob=- carol=2"
test_expect "... with the note, and bob as previous owner, on carol's device" \
	expect_stdout '["carol",["bob"],"carol takes the bakeries"]' \
	rpq carol '[.owner,[.previous_owners[].member],.handover_note]' show "$bakery" --json
test_expect "Hotel Seeblick: on $hotel_owner's device only, among the reps" \
	expect_counts "$hotel" "$(for h in $DEVICES; do
		case $h in hub | meg | "$hotel_owner") printf '%s=1 ' "$h" ;; *) printf '%s=- ' "$h" ;; esac
	done | sed 's/ $//')"
test_expect "hub: every handover reached its new owner: none queued" \
	expect_stdout '[]' rpq hub '[.handovers_queued[]]' status --json
test_expect "... which shows the conflict too" \
	expect_stdout "[[\"alice\",\"bob\"],\"$hotel_owner\"]" \
	rpq "$hotel_owner" '.conflicts[]|[(.owners|sort),.winner]' show "$hotel" --json

test_begin "a rep logs on an account it lost, offline: the op reaches the new owner"

test_expect "meg: handover \"Cafe Corner\" --to alice: confirmed" \
	expect_stdout "Cafe Corner → alice: confirmed by hub" rpt meg handover "Cafe Corner" --to alice
test_expect "carol (offline, not synced yet) logs a visit on Cafe Corner" \
	expect_ok rp carol log "Cafe Corner" visit "Cafe: delivered the grinder"
test_expect "Cafe Corner: 3 interactions on carol's device, 2 elsewhere" \
	expect_counts "$cafe" "hub=2 meg=2 alice=- bob=- carol=3"
rep_sync carol carol
test_expect "... carol sent the visit and dropped the account" \
	expect_match "$SYNC_OUT" ': sent 1 op, .*1 account handed over dropped here\)'
rep_sync alice alice
test_expect "... alice received Cafe Corner whole, with carol's visit" \
	expect_stdout '["alice",3,["carol"]]' \
	rpq alice '[.owner,(.interactions|length),[.interactions[]|select(.text=="Cafe: delivered the grinder")|.author]]' show "$cafe" --json
full_sync meg
test_expect "Cafe Corner: 3 interactions on the hub, meg and alice; gone from carol's device" \
	expect_counts "$cafe" "hub=3 meg=3 alice=3 bob=- carol=-"

test_begin "handover --from: every account of a member at once"

alice_accounts="$(rp hub account list --owner alice --json | jq -r -s 'length')"
test_expect "meg: handover --from alice --to carol: $alice_accounts accounts, confirmed" \
	expect_stdout "$alice_accounts accounts of alice → carol: confirmed by hub" \
	rpt meg handover --from alice --to carol --note "alice is on leave"
test_expect "... the hub says alice owns nothing" \
	expect_stdout "" rpq hub .name account list --owner alice --json
rep_sync alice alice
test_expect "... alice's device dropped them all" \
	expect_match "$SYNC_OUT" "; $alice_accounts accounts handed over dropped here\\)"
test_expect "alice: account list --mine is empty" expect_stdout "" rp alice account list --mine --json
test_expect "alice: export is empty" expect_stdout "" rp alice export
# Cafe Corner comes back to carol, whose receipt for it has not reached the hub yet.
rep_sync carol carol
# ... and Eliot Electric, which bob handed to alice himself, arrives with bob's
# assign refused (see t3010).
rep_sync carol carol
test_expect "Deli Dora: carol's device now" \
	expect_counts "$deli" "hub=1 meg=1 alice=- bob=- carol=1"
test_expect "Cafe Corner: back on carol's device, with her visit" \
	expect_counts "$cafe" "hub=3 meg=3 alice=- bob=- carol=3"
test_expect "Eliot Electric: carol's device now" \
	expect_counts "$eliot" "hub=1 meg=1 alice=- bob=- carol=1"
test_expect "meg: handover --from alice again: nothing to hand over, exit 0" \
	eval 'expect_stderr_match "^nothing to hand over: alice owns no accounts$" rpt meg handover --from alice --to bob &&
	      expect_eq "$RC" 0 exit'

test_begin "carol leaves: revoked, her accounts go to bob, her device is refused"

carol_accounts="$(rp hub account list --owner carol --json | jq -r -s 'length')"
test_expect "carol (offline) logs on Deli Dora before she learns of it" \
	expect_ok rp carol log "$deli" note "Deli: after the revoke"
test_expect "hub (ann): member revoke carol --handover-to bob" \
	expect_stdout "revoked carol: its devices are cut off; $carol_accounts accounts handed to bob" \
	rp hub member revoke carol --handover-to bob
test_expect "... the roster shows carol's device revoked" \
	expect_stdout "[\"$carol_dev\",true]" \
	rpqs hub '.[]|select(.name=="carol")|.devices[]|[.id,.revoked]' member list --json
# carol's attempt runs in the background (it takes up to 10 s) while the others go on.
bg_start carol-revoked carol sync hub
carol_job=$BG_JOB
rep_sync bob bob
test_expect "... bob received carol's $carol_accounts accounts" \
	expect_match "$SYNC_OUT" "\\($carol_accounts accounts changed"
rep_sync bob bob
test_expect "Bakery Blum, Cafe Corner, Deli Dora, Eliot Electric: bob's, on his device" \
	eval 'expect_eq "$(for a in "$bakery" "$cafe" "$deli" "$eliot"; do owner_on bob "$a"; done | tr "\n" " ")" "bob bob bob bob "'
full_sync meg
bg_settle carol-revoked          # told she was revoked, carol's device wiped itself
test_expect "Cafe Corner: on bob's device, with carol's visit (carol's device holds nothing now)" \
	expect_counts "$cafe" "hub=3 meg=3 alice=- bob=3 carol=-"
test_expect "nothing refused, pending or equivocating on the hub or meg" \
	expect_eq "$(for h in hub meg; do status_of $h '[.refused,.pending,.equivocations]|tostring'; done | sort -u)" '[0,0,0]'

test_begin "a rep cannot hand over what it does not own; --keep keeps what it lost"

test_expect "meg: handover \"ACME Tools\" --to alice" \
	expect_stdout "ACME Tools → alice: confirmed by hub" rpt meg handover "ACME Tools" --to alice
test_expect "bob: sync hub --keep: exit 0, nothing dropped" hsync bob hub --keep
test_expect "... the line says nothing was dropped" expect_no_match "$OUT" 'dropped'
test_expect "... bob's device still holds ACME Tools, now alice's" \
	expect_eq "$(owner_on bob "$acme")" alice
test_expect "bob: handover \"ACME Tools\" --to meg is refused: exit 1, not his to give" \
	expect_error_line 1 "only alice \\(its owner\\) or a manager can hand over 'ACME Tools' \\(you are bob, a rep\\)" \
	rpt bob handover "ACME Tools" --to meg
test_expect "... and wrote nothing" expect_eq "$(owner_on bob "$acme")" alice
rep_sync bob bob
test_expect "... without --keep, bob's next sync drops ACME Tools" \
	expect_match "$SYNC_OUT" '1 account handed over dropped here'
rep_sync alice alice
test_expect "ACME Tools: alice's device again, with all 3 interactions" \
	expect_counts "$acme" "hub=3 meg=3 alice=3 bob=- carol=-"

test_begin "the team setting keep: rep devices keep what they lose"

test_expect "bob cannot change the team's settings" expect_exit 1 rp bob team keep on
test_expect "hub (ann): team keep on" expect_ok rp hub team keep on
test_expect "meg: handover \"Deli Dora\" --to alice" \
	expect_stdout "Deli Dora → alice: confirmed by hub" rpt meg handover "Deli Dora" --to alice
test_expect "bob: sync hub: nothing dropped" hsync bob hub
test_expect "... the line says nothing was dropped" expect_no_match "$OUT" 'dropped'
test_expect "... bob's device kept Deli Dora, now alice's, as the team asked" \
	expect_eq "$(owner_on bob "$deli")" alice
test_expect "hub (ann): team keep off" expect_ok rp hub team keep off
rep_sync bob bob
test_expect "... now bob's device drops Deli Dora" expect_match "$SYNC_OUT" '1 account handed over dropped here'
rep_sync alice alice
test_expect "Deli Dora: alice's device, whole" \
	expect_counts "$deli" "hub=1 meg=1 alice=1 bob=- carol=-"

test_begin "carol's attempt to sync, started when she was revoked"

bg_wait carol-revoked "$carol_job"
test_expect "carol: sync hub fails: exit 1" expect_eq "$RC" 1 exit
test_expect "... within 15 s" expect_within 15000
test_expect "... with one line saying her device was revoked" \
	expect_match "$ERR" '^rapport: .*revoked'
test_expect "the hub's log says it refused a revoked device, having told it" \
	expect_match "$(cat "${SERVE_LOG[hub]}")" "carol \\([a-z2-7]{8}\\): refused: that device was revoked from Shop"
test_expect "... and carol's device wiped the team's data, keeping its key and a note" \
	eval 'expect_match "$ERR" "erased the team.s data" && test -s "$TMP/carol/device.key" && test -s "$TMP/carol/revoked.txt"'
test_expect "Deli Dora: carol's note did not reach the hub (nor anyone)" \
	expect_counts "$deli" "hub=1 meg=1 alice=1 bob=- carol=-"

test_begin "at the end"

full_sync meg
for h in $DEVICES; do
	test_expect "fsck passes on $h" expect_fsck_ok "$h"
done
test_expect "no device refused an op (status .refused)" \
	expect_eq "$(for h in $DEVICES; do printf '%s=%s ' "$h" "$(status_of "$h" .refused)"; done)" \
	"hub=0 meg=0 alice=0 bob=0 carol=0 "

test_begin "team: the hub's view of the members"

test_expect "team --json: five members with their roles, carol revoked" expect_stdout \
	'[["alice","rep",false],["ann","admin",false],["bob","rep",false],["carol","rep",true],["meg","manager",false]]' \
	rpq hub '[.members[]|[.name,.role,.revoked]]|sort' team --json
test_expect "the accounts each holds add up to the hub's accounts" expect_eq \
	"$(rpq hub '[.members[].accounts]|add' team --json)" "$(rpq hub 'length' account list --json | wc -l)"
test_expect "carol holds none now" expect_stdout 0 rpq hub '.members[]|select(.name=="carol")|.accounts' team --json
test_expect "the hub synced with meg: a last sync for her device" expect_stdout_match '^"20[0-9-]+T' \
	rpq hub '.members[]|select(.name=="meg")|.devices[0].last_sync|tojson' team --json
test_expect "for people: carol's device reads revoked, the hub's own device this device" \
	expect_stdout_match '^carol +rep \(revoked\) +0 +0 +[a-z2-7]{10} +.*\(revoked\)$' rp hub team
test_expect "... and ann's" expect_stdout_match '^ann +admin +[0-9]+ +0 +[a-z2-7]{10} +this device$' rp hub team
test_expect "peer list on the hub: carol's device is revoked, whatever its last sync said" \
	expect_stdout true rpq hub 'select(.member=="carol")|.revoked' peer list --json
test_expect "... for people: MEMBER carol (revoked), DAEMON revoked" \
	expect_stdout_match ' carol \(revoked\) +revoked ' rp hub peer list
test_expect "status on the hub names each device that synced with it by its member" \
	expect_stdout_match "^  meg's device [a-z2-7]{10} " rp hub status
test_expect "... and says carol's was revoked since" \
	expect_stdout_match "^  carol's device [a-z2-7]{10} .*\(revoked since\)$" rp hub status
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_done
