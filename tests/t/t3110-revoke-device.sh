#!/bin/bash
# A lost laptop is cut off alone: `rapport member revoke NAME --device ID`
# revokes one device of a member with two; the other keeps syncing and
# writing; the revoked one is refused by every node, and what it writes
# after its cutoff is refused if it ever reaches one.
. ./lib.sh

new_team hub ann Acme
new_device laptop alice
new_device phone alice
new_device meg meg
laptop_id="$(rp_must laptop id)"
phone_id="$(rp_must phone id)"
rp_must hub member add alice "$laptop_id" --role rep >/dev/null
rp_must hub member add alice "$phone_id" >/dev/null
rp_must hub member add meg "$(rp_must meg id)" --role manager >/dev/null
acct="$(rp_must hub account add "Alpha Tools" --owner alice)"
start_serve hub "$(free_port)"
hub_ep="$(endpoint hub)"
hub_id="$(rp_must hub id)"
for h in laptop phone meg; do
	rp_must "$h" peer add hub "$hub_ep" "$hub_id" >/dev/null
	rp_must "$h" sync hub >/dev/null
done

test_begin "revoke one device"

test_expect "--device with --handover-to is a usage error" \
	expect_exit 2 rp hub member revoke alice --device "${phone_id:0:8}" --handover-to meg
test_expect "a device of another member: refused, naming it" \
	expect_error 1 "meg has no device ${laptop_id:0:8}" rp hub member revoke meg --device "${laptop_id:0:8}"
test_expect "a manager may not" expect_error 1 'only an admin' rp meg member revoke alice --device "${phone_id:0:8}"
run rp hub member revoke alice --device "${phone_id:0:8}"
test_expect "ann revokes alice's phone by an id prefix: exit 0" expect_eq "$RC" 0
test_expect "... says so" expect_match "$OUT" "^revoked alice's device $phone_id: it is cut off; alice and its other devices stay$"
test_expect "member list: the phone revoked, the laptop active, alice still a member" \
	expect_eq "$(rp hub member list --json | jq -r 'select(.name == "alice") | [.devices[] | "\(.id) \(.revoked)"] | sort | join(",")')" \
	"$(printf '%s\n' "$laptop_id false" "$phone_id true" | sort | paste -sd,)"

test_begin "the laptop goes on; the phone is refused"

test_expect "alice's laptop logs a visit" expect_ok rp laptop log "$acct" visit "Still at work"
test_expect "... and syncs" sync_ok laptop hub
test_expect "the hub holds the visit" \
	expect_match "$(rp hub show "$acct" --json | jq -r '.interactions[].text')" '^Still at work$'
test_expect "the phone, offline, logs a call" expect_ok rp phone log "$acct" call "From the lost phone"
test_expect "the phone holds Alpha before it learns" expect_ok grep -rqaF "Alpha Tools" "$TMP/phone"
test_expect "the phone's sync is refused: revoked, and it erased the team's data" \
	expect_error 1 "this device was revoked from Acme; so this device erased the team's data" rpt phone sync hub
test_expect "... no file of the phone's home holds a customer (grep)" \
	expect_not grep -rlaF -e "Alpha Tools" -e "From the lost phone" "$TMP/phone"
test_expect "... its key remains" expect_ok test -s "$TMP/phone/device.key"
test_expect "... and a note of what it erased and why" \
	expect_match "$(cat "$TMP/phone/revoked.txt")" "^This device \\($phone_id\\) was revoked from Acme\\. .* it erased the team's data from this home: [0-9]+ accounts, [0-9]+ ops\\."
test_expect "... which status shows" expect_match "$(status_of phone .wiped)" '^This device .* was revoked'
test_expect "... the phone is in no team now, and shows no account" expect_stdout null status_of phone .team
test_expect "... none at all" expect_error 1 'no account matches' rp phone show "$acct"
test_expect "the hub's log: admitted to be told, then refused" \
	expect_match "$(cat "${SERVE_LOG[hub]}")" "refused: that device was revoked from Acme"
test_expect "the hub holds nothing from it" \
	expect_no_match "$(rp hub show "$acct" --json | jq -r '.interactions[].text')" 'lost phone'
test_expect "meg syncs" sync_ok meg hub
test_expect "... her roster shows the phone revoked" \
	expect_eq "$(rp meg member list --json | jq -r --arg d "$phone_id" '.devices[] | select(.id == $d) | .revoked')" true
test_expect "the laptop still syncs after all that" sync_ok laptop hub
test_expect "fsck passes on the hub" expect_fsck_ok hub
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub
test_expect "no process of this test is left running" expect_nothing_left

test_done
