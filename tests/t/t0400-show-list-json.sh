#!/bin/bash
# What people and scripts read: show (profile and --json keys), account and
# member lists, history, agenda, top, find, status; every --json parses.
. ./lib.sh

new_team ann ann
dev="$(rp ann id)"
blum="$(rp_must ann account add "Bakery Blum" --email blum@example.com --phone "+49 30 1234" --prefer call --tag retail)"
corner="$(rp_must ann account add "Cafe Corner" --tag retail --tag cafe)"
dora="$(rp_must ann account add "Deli Dora")"
visit="$(rp_must ann log "Bakery Blum" visit "Met the owner, wants an oven quote" --at 2026-03-01)"
buy="$(rp_must ann log blum purchase "Oven X200" --amount 4200.50 --currency EUR --at 2026-01-10)"
fu="$(rp_must ann follow-up "Bakery Blum" "Send the quote" --due +3d)"
rp_must ann log corner purchase beans --amount 300 --at 2026-03-09 >/dev/null
rp_must ann log dora purchase cheese --amount 1000 --at 2026-02-01 >/dev/null
rp_must ann log dora call hello --at 2026-03-08 >/dev/null
rp_must ann log dora call "about the order" --at 2026-03-05 >/dev/null
late="$(rp_must ann follow-up corner "Ring about the grinder" --due 2026-03-09)"

test_begin "show: the profile for people"

test_expect "show exits 0" expect_exit 0 rp ann show "Bakery Blum"
show="$OUT"
test_expect "the first line is the name" expect_eq "$(printf '%s\n' "$show" | head -n 1)" "Bakery Blum"
test_expect "id" expect_match "$show" "^  id: +$blum\$"
test_expect "owner" expect_match "$show" '^  owner: +ann$'
test_expect "fields" expect_match "$show" '^  email: +blum@example\.com$'
test_expect "prefer" expect_match "$show" '^  prefer: +call$'
test_expect "tags" expect_match "$show" '^  tags: +retail$'
test_expect "value" expect_match "$show" '^  value: +4,200\.50 EUR$'
test_expect "activity" expect_match "$show" '^  activity: +2 interactions, 1 purchase'
test_expect "next due" expect_match "$show" '^  next due: +2026-03-13 09:00$'
test_expect "open follow-ups with a short id, due date and text" \
	expect_match "$show" "^  ${fu:0:10} +2026-03-13 09:00 +.*Send the quote\$"
test_expect "interactions, counted" expect_match "$show" '^Interactions \(2\)$'
test_expect "the purchase with its amount, by ann" \
	expect_match "$show" "^  ${buy:0:10} +2026-01-10 +purchase +ann +4,200\.50 EUR +Oven X200\$"
test_expect "the visit, newest first" \
	expect_eq "$(printf '%s\n' "$show" | grep -oE "${visit:0:10}|${buy:0:10}" | tr '\n' ' ')" \
	"${visit:0:10} ${buy:0:10} "
test_expect "no escape sequences when stdout is not a terminal" expect_no_match "$show" $'\033'
test_expect "an overdue follow-up says so" \
	expect_stdout_match "Ring about the grinder \(overdue\)" rp ann show corner

test_begin "show --json: the stable keys of DESIGN.md section 7"

rp ann show blum --json >"$TMP/blum.json"
test_expect "one JSON document" expect_json "$TMP/blum.json" 'type' object
test_expect "top-level keys" expect_json "$TMP/blum.json" \
	'[has("id","name","owner","fields","tags","interactions","followups","value","conflicts")]|all' true
test_expect "id, name, owner" expect_json "$TMP/blum.json" '[.id,.name,.owner]' "[\"$blum\",\"Bakery Blum\",\"ann\"]"
test_expect "fields" expect_json "$TMP/blum.json" .fields \
	'{"email":"blum@example.com","phone":"+49 30 1234","prefer":"call"}'
test_expect "tags" expect_json "$TMP/blum.json" .tags '["retail"]'
test_expect "each interaction has id, type, at, text, author, author_device, amount" \
	expect_json "$TMP/blum.json" \
	'[.interactions[]|has("id","type","at","text","author","author_device","amount")]|all' true
test_expect "the purchase, whole" expect_json "$TMP/blum.json" \
	".interactions[]|select(.id==\"$buy\")|[.type,.at,.text,.author,.author_device,.amount]" \
	"[\"purchase\",\"2026-01-10T00:00:00Z\",\"Oven X200\",\"ann\",\"$dev\",{\"cents\":420050,\"currency\":\"EUR\"}]"
test_expect "the visit, whole (amount null)" expect_json "$TMP/blum.json" \
	".interactions[]|select(.id==\"$visit\")|[.type,.at,.text,.author,.amount]" \
	'["visit","2026-03-01T00:00:00Z","Met the owner, wants an oven quote","ann",null]'
test_expect "each follow-up has id, text, due, done" expect_json "$TMP/blum.json" \
	'[.followups[]|has("id","text","due","done")]|all' true
test_expect "the follow-up, whole" expect_json "$TMP/blum.json" '.followups|map([.id,.text,.due,.done])' \
	"[[\"$fu\",\"Send the quote\",\"2026-03-13T09:00:00Z\",false]]"
test_expect "value per currency" expect_json "$TMP/blum.json" .value '[{"cents":420050,"currency":"EUR"}]'
test_expect "no conflicts" expect_json "$TMP/blum.json" .conflicts '[]'
test_expect "ids are printed whole" expect_json "$TMP/blum.json" '[.id, .interactions[].id, .followups[].id]|map(length)' '[26,26,26,26]'

test_begin "account list and member list"

test_expect "account list has the columns" \
	expect_stdout_match '^ID +NAME +OWNER +TAGS +VALUE +LAST CONTACT +NEXT DUE$' rp ann account list
test_expect "... and Blum's row" expect_match "$OUT" \
	"^${blum:0:10} +Bakery Blum +ann +retail +4,200\.50 EUR +2026-03-01 +2026-03-13\$"
test_expect "--tag retail: Blum and Corner" expect_stdout "$(printf '%s\n' "Bakery Blum" "Cafe Corner")" \
	rpq ann .name account list --tag retail --json
test_expect "--tag cafe: Corner" expect_stdout "Cafe Corner" rpq ann .name account list --tag cafe --json
test_expect "member list: ann, admin, this device, active" \
	expect_stdout_match "^ann +admin +$dev +active\$" rp ann member list
test_expect "member list --json" expect_stdout "{\"devices\":[{\"id\":\"$dev\",\"revoked\":false}],\"name\":\"ann\",\"role\":\"admin\"}" \
	rpq ann '{name,role,devices}' member list --json

test_begin "history: the signed audit trail"

rp ann history blum --json >"$TMP/h.jsonl"
test_expect "history --json is one row per op of the account" \
	expect_json "$TMP/h.jsonl" '.kind' "$(printf '%s\n' acct.create acct.set acct.set acct.set acct.tag ix.log ix.log fu.add)"
test_expect "each row is by ann, from this device" expect_stdout "[[\"ann\",\"$dev\"]]" \
	jq -c -s 'map([.author,.author_device])|unique' "$TMP/h.jsonl"
test_expect "seqs increase" expect_stdout true jq -s '[.[].seq] as $s | $s == ($s|sort) and ($s|unique|length) == ($s|length)' "$TMP/h.jsonl"
test_expect "the ix.log op is the interaction's id" \
	expect_stdout "$(printf '%s\n' "$visit" "$buy")" jq -r 'select(.kind=="ix.log")|.op' "$TMP/h.jsonl"
test_expect "summaries say what happened" expect_stdout "created 'Bakery Blum' for ann" \
	jq -r 'select(.kind=="acct.create")|.summary' "$TMP/h.jsonl"
test_expect "history for people: a header and the rows" \
	expect_stdout_match '^AT +AUTHOR +DEVICE +SEQ +KIND +WHAT +OP$' rp ann history "Bakery Blum"
test_expect "... with the purchase" expect_match "$OUT" "ann +${dev:0:10} +[0-9]+ +ix\.log +purchase: Oven X200 +${buy:0:10}\$"
test_expect "... 8 rows" expect_eq "$(printf '%s\n' "$OUT" | tail -n +2 | wc -l)" 8

test_begin "agenda: due follow-ups first, then calls"

rp ann agenda --json >"$TMP/agenda.jsonl"
test_expect "agenda --json: the overdue follow-up first" expect_json "$TMP/agenda.jsonl" \
	'select(.kind=="followup")|[.id,.account,.text,.due]' \
	"[\"$late\",\"Cafe Corner\",\"Ring about the grinder\",\"2026-03-09T00:00:00Z\"]"
test_expect "... is the first row" expect_stdout followup jq -r -s '.[0].kind' "$TMP/agenda.jsonl"
test_expect "a follow-up not yet due is not on it" expect_stdout 0 \
	jq -s "map(select(.id==\"$fu\"))|length" "$TMP/agenda.jsonl"
test_expect "Blum, valuable and not contacted for 9 days, is a suggested call" expect_stdout '"Bakery Blum"' \
	jq -s -c 'map(select(.kind=="call"))|.[0].account' "$TMP/agenda.jsonl"
test_expect "agenda for people shows the follow-up's id" \
	expect_stdout_match "^Cafe Corner +follow-up: Ring about the grinder +overdue 1 day .*${late:0:10}\$" rp ann agenda
test_expect "done takes it off the agenda" expect_ok rp ann done "${late:0:6}"
test_expect "... gone" expect_stdout 0 rpqs ann "map(select(.id==\"$late\"))|length" agenda --json
test_expect "--calls 0: no suggested calls" expect_stdout 0 rpqs ann 'map(select(.kind=="call"))|length' agenda --calls 0 --json
test_expect "--calls abc is refused, naming it" expect_error_line "$EXIT_BADVALUE" "'abc'" rp ann agenda --calls abc
test_expect "on the due day, the follow-up comes up" expect_stdout "[\"$fu\"]" \
	at_time 2026-03-13T10:00:00Z rpqs ann 'map(select(.kind=="followup")|.id)' agenda --json

today="$(rp_must ann follow-up dora "Taste the new cheese" --due today)"
test_expect "a follow-up due today is on the agenda as 'due today'" \
	expect_stdout 'due today' rpq ann "select(.id==\"$today\")|.reason" agenda --json
test_expect "... and agenda does not call it overdue" \
	expect_stdout_match "^Deli Dora +follow-up: Taste the new cheese +due today " rp ann agenda
test_expect "... nor does show" expect_stdout_match "Taste the new cheese\$" rp ann show dora
rp_must ann done "$today" >/dev/null

test_begin "top: by value, recency, frequency"

test_expect "top --json by value" expect_stdout '["Bakery Blum","Deli Dora","Cafe Corner"]' \
	rpqs ann 'map(.name)' top --json
test_expect "ranks are 1, 2, 3" expect_stdout '[1,2,3]' rpqs ann 'map(.rank)' top --json
test_expect "top 2 --by recent" expect_stdout '["Cafe Corner","Deli Dora"]' rpqs ann 'map(.name)' top 2 --by recent --json
test_expect "top 1 --by frequency" expect_stdout '["Deli Dora"]' rpqs ann 'map(.name)' top 1 --by frequency --json
test_expect "top for people, with what each buys" expect_stdout_match "^1 +Bakery Blum +ann +4,200\.50 EUR +2026-03-01 +2 +Oven X200 +${blum:0:10}\$" rp ann top
test_expect "top --json: buys" expect_stdout '["Oven X200"]' rpqs ann '.[0].buys' top --json
test_expect "--by size is refused, naming it" expect_error_line "$EXIT_BADVALUE" "'size'" rp ann top --by size
test_expect "N 0 is refused" expect_error_line "$EXIT_BADVALUE" "'0'" rp ann top 0

test_begin "find and status"

test_expect "find oven finds the purchase and the visit" expect_stdout "$(printf '%s\n' "$buy" "$visit" | sort | jq -R . | jq -s -c .)" \
	rpqs ann 'map(select(.type=="interaction")|.id)|sort' find oven --json
test_expect "find oven quote finds only the visit (every word)" expect_stdout "[\"$visit\"]" \
	rpqs ann 'map(select(.type=="interaction")|.id)' find oven quote --json
test_expect "find blum finds the account" expect_stdout "[\"$blum\"]" rpqs ann 'map(select(.type=="account")|.id)' find blum --json
test_expect "find nothing-like-it finds nothing" expect_stdout "[]" rpqs ann '.' find zzzqqq --json
test_expect "status --json: team, member, device, counts" expect_stdout "[\"Acme\",\"ann\",\"admin\",\"$dev\",3]" \
	rpq ann '[.team.name,.member,.role,.device,.accounts]' status --json

test_begin "every --json is JSON"

for cmd in "show blum" "account list" "member list" "history blum" "agenda" "top" "at-risk" \
	"find oven" "complaints" "status" "fsck"; do
	# shellcheck disable=SC2086
	test_expect "$cmd --json parses" sh -c '"$@" >"$0" && jq -e . "$0" >/dev/null' "$TMP/j.out" \
		"$RAPPORT_BIN" --home "$TMP/ann" $cmd --json
done

test_done
