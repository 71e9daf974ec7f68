#!/bin/bash
# The tour of issue 3, end to end, as a new user types it (with RAPPORT_HOME
# set once, as the README suggests), checking what each step must produce.
. ./lib.sh

export RAPPORT_HOME="$TMP/ann"
r() { "$RAPPORT_BIN" "$@"; }

test_begin "the tour"

test_expect "rapport init --name ann --team Acme" expect_stdout_match '^[a-z2-7]{52}$' r init --name ann --team Acme
ann_dev="$OUT"
test_expect 'rapport account add "Bakery Blum" --email blum@example.com --prefer call --tag retail' \
	expect_stdout_match '^[a-z2-7]{26}$' r account add "Bakery Blum" --email blum@example.com --prefer call --tag retail
blum="$OUT"
test_expect 'rapport log "Bakery Blum" visit "Met the owner, wants an oven quote" --at 2026-03-01' \
	expect_stdout_match '^[a-z2-7]{26}$' r log "Bakery Blum" visit "Met the owner, wants an oven quote" --at 2026-03-01
visit="$OUT"
test_expect 'rapport log blum purchase "Oven X200" --amount 4200.50 --currency EUR' \
	expect_stdout_match '^[a-z2-7]{26}$' r log blum purchase "Oven X200" --amount 4200.50 --currency EUR
buy="$OUT"
test_expect 'rapport follow-up "Bakery Blum" "Send the quote" --due +3d' \
	expect_stdout_match '^[a-z2-7]{26}$' r follow-up "Bakery Blum" "Send the quote" --due +3d
fu="$OUT"

test_expect 'rapport show "Bakery Blum": profile, owner, value, interactions, open follow-ups' \
	expect_exit 0 r show "Bakery Blum"
test_expect "... name" expect_eq "$(head -n 1 <<<"$OUT")" "Bakery Blum"
test_expect "... owner ann" expect_match "$OUT" '^  owner: +ann$'
test_expect "... email and prefer" expect_eq "$(grep -cE '^  (email: +blum@example\.com|prefer: +call)$' <<<"$OUT")" 2
test_expect "... value 4,200.50 EUR" expect_match "$OUT" '^  value: +4,200\.50 EUR$'
test_expect "... the open follow-up" expect_match "$OUT" "^  ${fu:0:10} +2026-03-13 09:00 .*Send the quote\$"
test_expect "... both interactions" expect_eq "$(grep -cE "^  (${visit:0:10}|${buy:0:10}) " <<<"$OUT")" 2

test_expect 'rapport show "Bakery Blum" --json' expect_exit 0 r show "Bakery Blum" --json
printf '%s\n' "$OUT" >"$TMP/blum.json"
test_expect "... id, name, owner" expect_json "$TMP/blum.json" '[.id,.name,.owner]' "[\"$blum\",\"Bakery Blum\",\"ann\"]"
test_expect "... fields and tags" expect_json "$TMP/blum.json" '[.fields,.tags]' \
	'[{"email":"blum@example.com","prefer":"call"},["retail"]]'
test_expect "... interactions, each with id, type, at, text, author, author_device, amount" \
	expect_json "$TMP/blum.json" '.interactions|map([.id,.type,.at,.text,.author,.author_device,.amount])|sort_by(.[2])' \
	"[[\"$visit\",\"visit\",\"2026-03-01T00:00:00Z\",\"Met the owner, wants an oven quote\",\"ann\",\"$ann_dev\",null],[\"$buy\",\"purchase\",\"$RAPPORT_NOW\",\"Oven X200\",\"ann\",\"$ann_dev\",{\"cents\":420050,\"currency\":\"EUR\"}]]"
test_expect "... followups with id, text, due, done" expect_json "$TMP/blum.json" '.followups|map([.id,.text,.due,.done])' \
	"[[\"$fu\",\"Send the quote\",\"2026-03-13T09:00:00Z\",false]]"
test_expect "... value and conflicts" expect_json "$TMP/blum.json" '[.value,.conflicts]' '[[{"cents":420050,"currency":"EUR"}],[]]'

test_expect "rapport account list --tag retail" expect_exit 0 r account list --tag retail
test_expect "... one row: Blum" expect_eq "$(tail -n +2 <<<"$OUT" | awk '{print $2, $3, $4}')" "Bakery Blum ann"

test_expect "rapport done <follow-up id>" expect_ok r done "$fu"
test_expect "... it is done" expect_stdout true rpq ann ".followups[]|select(.id==\"$fu\")|.done" show blum --json
test_expect "... and show has no open follow-up left" expect_stdout_match '^Follow-ups \(0 open, 1 closed\)$' r show blum

test_expect 'rapport history "Bakery Blum"' expect_exit 0 r history "Bakery Blum"
test_expect "... who did what, in order" expect_eq "$(tail -n +2 <<<"$OUT" | awk '{print $3, $6}')" \
	"$(printf '%s\n' "ann acct.create" "ann acct.set" "ann acct.set" "ann acct.tag" "ann ix.log" "ann ix.log" "ann fu.add" "ann fu.done")"

new_device bob bob
bob_dev="$(rp bob id)"
test_expect "rapport member add bob <device id> --role rep" expect_ok r member add bob "$bob_dev" --role rep
test_expect "rapport member list" expect_exit 0 r member list
test_expect "... ann and bob" expect_eq "$(tail -n +2 <<<"$OUT" | awk '{print $1, $2, $3, $4}')" \
	"$(printf '%s\n' "ann admin $ann_dev active" "bob rep $bob_dev active")"

test_expect "rapport export --format jsonl > all.jsonl" eval 'r export --format jsonl >"$TMP/all.jsonl"'
test_expect "... one account a line, as show --json" expect_eq "$(jq -S -c . "$TMP/all.jsonl")" \
	"$(r show blum --json | jq -S -c .)"
test_expect "rapport export --format csv > accounts.csv" eval 'r export --format csv >"$TMP/accounts.csv"'
test_expect "... a header and one row" expect_eq "$(wc -l <"$TMP/accounts.csv")" 2

new_team other zoe Elsewhere
new_team other2 zoe Elsewhere
test_expect "rapport import all.jsonl into another home" expect_ok rp other import "$TMP/all.jsonl"
test_expect "... the same account, fields, tags, interactions and follow-ups" \
	expect_eq "$(rp other export | jq -S -c "$(cat <<'EOF'
del(.id,.ops,.owner)
	| .interactions |= (map(del(.id,.author,.author_device,.imported_by))|sort_by(.at))
	| .followups |= map(del(.id,.author,.author_device))
EOF
)")" "$(jq -S -c "$(cat <<'EOF'
del(.id,.ops,.owner)
	| .interactions |= (map(del(.id,.author,.author_device,.imported_by))|sort_by(.at))
	| .followups |= map(del(.id,.author,.author_device))
EOF
)" "$TMP/all.jsonl")"
test_expect "rapport import accounts.csv into another home" expect_ok rp other2 import "$TMP/accounts.csv"
test_expect "... the same account, fields and tags" expect_stdout '["Bakery Blum",{"email":"blum@example.com","prefer":"call"},["retail"]]' \
	rpq other2 '[.name,.fields,.tags]' show blum --json

test_expect "rapport fsck: genesis, 8 ops on Blum, bob's member and device ops" \
	expect_stdout_match '^11 ops, 1 accounts?: 0 bad signatures, 0 mismatched views: ok$' r fsck
test_expect "rapport digest" expect_stdout_match '^[0-9a-f]{64}$' r digest
test_expect "... the same digest the next time" expect_stdout "$OUT" r digest

test_done
