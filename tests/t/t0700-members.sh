#!/bin/bash
# member add and member list: the roster of a team, kept as signed ops.
. ./lib.sh

new_team ann ann
ann_id="$(rp ann id)"
bob_id="$(new_device bob bob; rp_must bob id)"
bob2_id="$(new_device bob2 bob; rp_must bob2 id)"
cat_id="$(new_device cat cat; rp_must cat id)"
dan_id="$(new_device dan dan; rp_must dan id)"

test_begin "the founder is the team's first admin"

test_expect "member list shows ann, admin, this device, active" \
	expect_stdout "$(printf 'NAME  ROLE   DEVICE%*sSTATUS\nann   admin  %s  active' 48 '' "$ann_id")" rp ann member list
test_expect "member list --json" expect_stdout "[{\"devices\":[{\"id\":\"$ann_id\",\"revoked\":false}],\"name\":\"ann\",\"role\":\"admin\"}]" \
	rpqs ann 'map({name,role,devices})' member list --json

test_begin "member add NAME DEVICE_ID --role"

test_expect "member add bob <the device id of a second home> --role rep" expect_ok rp ann member add bob "$bob_id" --role rep
test_expect "... bob is a rep with that device, active" \
	expect_stdout_match "^bob +rep +$bob_id +active\$" rp ann member list
test_expect "a second device for bob" expect_ok rp ann member add bob "$bob2_id"
test_expect "... bob has both devices, still a rep" \
	expect_stdout "[\"rep\",$(printf '%s\n' "$bob_id" "$bob2_id" | sort | jq -R . | jq -s -c .)]" \
	rpq ann "select(.name==\"bob\")|[.role,(.devices|map(.id)|sort)]" member list --json
test_expect "the default role is rep" expect_ok rp ann member add cat "$cat_id"
test_expect "... cat is a rep" expect_stdout rep rpq ann 'select(.name=="cat")|.role' member list --json
test_expect "--role manager" expect_ok rp ann member add dan "$dan_id" --role manager
test_expect "... dan is a manager" expect_stdout manager rpq ann 'select(.name=="dan")|.role' member list --json
test_expect "an id given in upper case is the same id" \
	expect_error_line 1 "${bob_id:0:12}.*bob|bob.*${bob_id:0:12}" rp ann member add eve "${bob_id^^}"
test_expect "the roster: four members, five devices" expect_stdout '[4,5]' \
	rpqs ann '[length, (map(.devices|length)|add)]' member list --json
test_expect "the roster for people: one row per device" expect_eq "$(rp ann member list | tail -n +2 | awk '{print $1, $2, $4}')" \
	"$(printf '%s\n' "ann admin active" "bob rep active" "bob rep active" "cat rep active" "dan manager active")"
test_expect "a member can own accounts" expect_stdout_match '^[a-z2-7]{26}$' rp ann account add "Bakery Blum" --owner bob
test_expect "... bob owns it" expect_stdout bob rpq ann .owner show blum --json
test_expect "... and account list --owner bob finds it" expect_stdout "Bakery Blum" rpq ann .name account list --owner bob --json

test_begin "what member add refuses"

before="$(rp ann member list --json)"
D="$(digest ann)"
test_expect "a device that already belongs to someone, naming both" \
	expect_error_line 1 "${bob_id:0:12}.*bob" rp ann member add eve "$bob_id"
test_expect "this device, for another member" expect_error_line 1 "${ann_id:0:12}.*ann" rp ann member add eve "$ann_id"
test_expect "a malformed device id, naming it" \
	expect_error_line "$EXIT_BADVALUE" "'not-a-device-id'" rp ann member add eve not-a-device-id
test_expect "a device id one character short" \
	expect_error_line "$EXIT_BADVALUE" "'${cat_id:0:51}'" rp ann member add eve "${cat_id:0:51}"
test_expect "an unknown role, naming it" \
	expect_error_line "$EXIT_BADVALUE" "'boss'" rp ann member add eve "$cat_id" --role boss
test_expect "a member name with a space, naming it" \
	expect_error_line 1 "'eve smith'" rp ann member add "eve smith" "$(new_device eve eve; rp eve id)"
test_expect "an empty member name" expect_error 1 "name" rp ann member add "" "$(rp eve id)"
test_expect "the roster is as it was" expect_stdout "$before" rp ann member list --json
test_expect "... and the digest" expect_unchanged ann "$D"
test_expect "a device outside any team cannot add members" \
	expect_error 1 "not in a team" rp bob member add cat "$cat_id"
test_expect "member add without a subcommand's arguments is a usage error" \
	expect_error 2 "member add: missing NAME" rp ann member add
test_expect "member alone is a usage error" expect_error 2 "member: missing" rp ann member

test_begin "the roster is in the signed log"

test_expect "fsck verifies the roster ops" expect_stdout_match ': ok$' rp ann fsck
test_expect "a backup restored elsewhere has the same roster" \
	eval 'rp ann backup "$TMP/ann.bak" && rp restored restore "$TMP/ann.bak"'
test_expect "... the same member list" expect_stdout "$(rp ann member list --json)" rp restored member list --json

test_done
