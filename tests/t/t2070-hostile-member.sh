#!/bin/bash
# No member takes what is not theirs (DESIGN.md §8, node/store/authz.h). A rep in
# good standing signs ops with its own key about an account it does not own
# and pushes them to the hub in a sync session (tests/tools/rp_forge): a
# second acct.create naming itself owner, renames, archives, tags, contact
# edits, retracts, follow-up changes, a follow and a handover to itself.
# Each is refused and counted; the same ops from the owner and from a
# manager are accepted; a rep's offline work on an account it owned stays
# valid after a handover it had not seen yet.
. ./lib.sh

forge="$(tool_bin rp_forge)"
if [ -z "$forge" ]; then
	test_skip "a hostile member's ops are refused" "no rp_forge (make, or set RP_TOOLS)"
	test_done
	exit 0
fi

new_team hub ann Acme
new_device meg meg
new_device alice alice
new_device bob bob
hub_id="$(rp_must hub id)"
bob_id="$(rp_must bob id)"
rp_must hub member add meg "$(rp_must meg id)" --role manager >/dev/null
rp_must hub member add alice "$(rp_must alice id)" --role rep >/dev/null
rp_must hub member add bob "$bob_id" --role rep >/dev/null
alpha="$(rp_must hub account add "Alpha Tools" --owner alice --email buyer@alpha.example)"
bravo="$(rp_must hub account add "Bravo Bakery" --owner bob)"
rp_must hub contact add "$alpha" "Jana Buyer" --email jana@alpha.example >/dev/null
rp_must hub log "$alpha" visit "Met Jana: price 4.20 per unit" >/dev/null
rp_must hub follow-up "$alpha" "Send the quote" --due +3d >/dev/null
rp_must hub log "$bravo" call "Bob's own customer" >/dev/null
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
for h in meg alice bob; do rp_must "$h" peer add hub "$hub_ep" "$hub_id" >/dev/null; done
for h in meg alice bob; do rp_must "$h" sync hub >/dev/null; done

# The op ids a hostile member would need: device:seq of each target, as the
# hub's history shows them.
opid_of()   # KIND: the op id of Alpha's first op of that kind
{
	rp hub history "$alpha" --json |
		jq -r --arg k "$1" 'select(.kind == $k) | "opid:\(.author_device):\(.seq)"' | head -n 1
}
create="$(opid_of acct.create)"
contact="$(opid_of contact.add)"
ix="$(opid_of ix.log)"
fu="$(opid_of fu.add)"
due=$(( $(date -d 2026-03-20 +%s) * 1000 ))

# write_ops FILE WHO: the ops a member pushes about Alpha, signed as WHO.
write_ops()
{
	{
		[ "$2" = bob ] && printf '{"kind":"acct.create","account":"%s","body":{"name":"Alpha Tools","owner":"bob"}}\n' "$alpha"
		printf '{"kind":"acct.set","account":"%s","body":{"field":"name","value":"Alpha by %s"}}\n' "$alpha" "$2"
		printf '{"kind":"acct.set","account":"%s","body":{"field":"email","value":"%s@example.com"}}\n' "$alpha" "$2"
		printf '{"kind":"acct.archive","account":"%s","body":{"archived":true}}\n' "$alpha"
		printf '{"kind":"acct.archive","account":"%s","body":{"archived":false}}\n' "$alpha"
		printf '{"kind":"acct.tag","account":"%s","body":{"add":"by-%s"}}\n' "$alpha" "$2"
		printf '{"kind":"contact.add","account":"%s","body":{"name":"Contact of %s"}}\n' "$alpha" "$2"
		printf '{"kind":"contact.set","account":"%s","body":{"contact":"%s","field":"phone","value":"+49 %s"}}\n' "$alpha" "$contact" "$2"
		printf '{"kind":"ix.log","account":"%s","body":{"type":"call","at":%s,"text":"%s called"}}\n' "$alpha" "$due" "$2"
		printf '{"kind":"ix.amend","account":"%s","body":{"ix":"%s","field":"text","value":"amended by %s"}}\n' "$alpha" "$ix" "$2"
		printf '{"kind":"fu.add","account":"%s","body":{"text":"%s will call","due":%s}}\n' "$alpha" "$2" "$due"
		printf '{"kind":"fu.move","account":"%s","body":{"fu":"%s","due":%s}}\n' "$alpha" "$fu" "$due"
		printf '{"kind":"fu.done","account":"%s","body":{"fu":"%s","text":"done by %s"}}\n' "$alpha" "$fu" "$2"
		printf '{"kind":"fu.cancel","account":"%s","body":{"fu":"%s"}}\n' "$alpha" "$fu"
		printf '{"kind":"ix.retract","account":"%s","body":{"ix":"%s","reason":"by %s"}}\n' "$alpha" "$ix" "$2"
		printf '{"kind":"acct.follow","account":"%s","body":{"member":"bob","follow":true}}\n' "$alpha"
		[ "$2" != alice ] && printf '{"kind":"acct.assign","account":"%s","body":{"to":"alice","prev":"%s","note":"by %s"}}\n' "$alpha" "$create" "$2"
	} >"$1"
}

test_begin "a rep pushes ops about an account it does not own"

write_ops "$TMP/bob.jsonl" bob
nbob="$(wc -l <"$TMP/bob.jsonl")"
digest_before="$(digest hub)"
ops_before="$(status_of hub .ops)"
test_expect "rp_forge signs $nbob ops as bob and the session completes" \
	expect_exit 0 timeout 60 "$forge" "$TMP/bob" "$hub_ep" "$hub_id" "$TMP/bob.jsonl"
test_expect "... it forged every one" expect_eq "$(grep -c '^forged: ' <<<"$OUT")" "$nbob"
test_expect "the hub stored none of them" expect_stdout "$ops_before" status_of hub .ops
test_expect "... and its digest is unchanged" expect_unchanged hub "$digest_before"
refused_bob()   # KIND: how many of bob's ops of that kind the hub refused
{
	rp hub status --json | jq -r --arg d "$bob_id" --arg k "$1" \
		'[.refused_ops[] | select(.device == $d and .kind == $k) | .count] | add // 0'
}
for kind in acct.create acct.set acct.archive acct.tag contact.add contact.set ix.log ix.amend \
	fu.add fu.move fu.done fu.cancel ix.retract acct.follow acct.assign; do
	want="$(jq -r --arg k "$kind" 'select(.kind == $k) | .kind' "$TMP/bob.jsonl" | wc -l)"
	test_expect "status counts bob's refused $kind ($want)" expect_stdout "$want" refused_bob "$kind"
done
test_expect "the second acct.create was refused as such" \
	expect_match "$(rp hub status --json | jq -r '.refused_ops[] | select(.kind == "acct.create") | .reason')" 'already exists'
test_expect "status names bob's device for people too" \
	expect_match "$(rp hub status)" "bob's device ${bob_id:0:10}: 1 acct.create \\(already exists\\)"
test_expect "alice still owns Alpha, name and email as they were" \
	expect_eq "$(rp hub show "$alpha" --json | jq -r '[.owner, .name, .fields.email] | join(" ")')" "alice Alpha Tools buyer@alpha.example"
test_expect "bob's next sync brings him nothing of Alpha" sync_ok bob hub
test_expect "... he cannot show it" expect_not rp bob show "$alpha"

test_begin "the owner and a manager may write the same"

write_ops "$TMP/alice.jsonl" alice
nalice="$(wc -l <"$TMP/alice.jsonl")"
refused_before="$(status_of hub '[.refused_ops[].count] | add')"
test_expect "alice (the owner) pushes $nalice such ops" \
	expect_exit 0 timeout 60 "$forge" "$TMP/alice" "$hub_ep" "$hub_id" "$TMP/alice.jsonl"
test_expect "the hub took every one" expect_stdout "$((ops_before + nalice))" status_of hub .ops
test_expect "... none refused" expect_stdout "$refused_before" status_of hub '[.refused_ops[].count] | add'
test_expect "... and shows alice's rename" expect_eq "$(rp hub show "$alpha" --json | jq -r .name)" "Alpha by alice"
write_ops "$TMP/meg.jsonl" meg
nmeg="$(wc -l <"$TMP/meg.jsonl")"
test_expect "meg (a manager) pushes $nmeg such ops" \
	expect_exit 0 timeout 60 "$forge" "$TMP/meg" "$hub_ep" "$hub_id" "$TMP/meg.jsonl"
test_expect "the hub took every one" expect_stdout "$((ops_before + nalice + nmeg))" status_of hub .ops
test_expect "... none refused" expect_stdout "$refused_before" status_of hub '[.refused_ops[].count] | add'
test_expect "fsck passes on the hub" expect_fsck_ok hub

test_begin "a rep's offline work survives a handover it had not seen"

# (alice's device wrote her accepted forged ops with seqs it does not know it
# used: its next honest op would be their twin. cy is a fresh rep.)
new_device cy cy
rp_must hub member add cy "$(rp_must cy id)" --role rep >/dev/null
charlie="$(rp_must hub account add "Charlie Cafe" --owner cy)"
rp_must cy peer add hub "$hub_ep" "$hub_id" >/dev/null
test_expect "cy syncs Charlie" expect_exit 0 rpt cy sync hub
test_expect "cy, offline, logs a visit on Charlie" \
	expect_ok rp cy log "$charlie" visit "Offline visit before she knew"
test_expect "meanwhile ann hands Charlie to bob" expect_ok rp hub handover "$charlie" --to bob
test_expect "cy syncs (and drops Charlie: it is bob's)" expect_exit 0 rpt cy sync hub
test_expect "the hub holds her offline visit" \
	expect_match "$(rp hub show "$charlie" --json | jq -r '.interactions[].text')" '^Offline visit before she knew$'
test_expect "... nothing of cy's was refused" \
	expect_stdout 0 status_of hub "[.refused_ops[] | select(.member == \"cy\") | .count] | add // 0"
test_expect "bob's sync brings Charlie whole, with cy's visit" expect_exit 0 rpt bob sync hub
test_expect "... bob shows it" \
	expect_match "$(rp bob show "$charlie" --json | jq -r '.interactions[].text')" '^Offline visit before she knew$'
test_expect "cy's device can no longer write on Charlie" expect_not rp cy log "$charlie" call "after"
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub
test_expect "no process of this test is left running" expect_nothing_left

test_done
