#!/bin/bash
# The harness itself: every assertion the other scripts lean on must be able
# to fail, or a green suite would mean nothing.
. ./lib.sh

test_begin "lib.sh: assertions pass and fail when they should"

say() { printf '%s\n' "$@"; }
say_err() { printf '%s\n' "$@" >&2; }
fail_with() { printf '%s\n' "$2" >&2; return "$1"; }

test_expect "expect_eq accepts equal strings" expect_eq "a b" "a b"
test_expect_fail "expect_eq rejects different strings" expect_eq "a" "a "
test_expect "expect_match finds a line" expect_match "$(say one two)" '^two$'
test_expect_fail "expect_match misses" expect_match "one" '^two$'
test_expect_fail "expect_no_match sees the line" expect_no_match "$(say x rapport: y)" '^rapport:'
test_expect "expect_exit sees the code" expect_exit 3 fail_with 3 ""
test_expect_fail "expect_exit rejects another code" expect_exit 1 fail_with 2 ""
test_expect "expect_stdout compares the whole output" expect_stdout "$(say a b)" say a b
test_expect_fail "expect_stdout rejects extra output" expect_stdout "a" say a b
test_expect "expect_error takes one rapport: line" \
	expect_error 1 "^no account matches 'x'" fail_with 1 "rapport: no account matches 'x'"
test_expect "expect_error allows usage and hint lines on a usage error" \
	expect_error 2 "^log: missing TEXT" fail_with 2 "$(say 'rapport: log: missing TEXT' \
	'usage: rapport log ACCOUNT TYPE TEXT' '       rapport log --help' 'hint: quote TEXT')"
test_expect_fail "expect_error rejects a second rapport: line" \
	expect_error 1 "boom" fail_with 1 "$(say 'rapport: boom' 'rapport: again')"
test_expect_fail "expect_error rejects stray lines" \
	expect_error 1 "boom" fail_with 1 "$(say 'rapport: boom' 'Segmentation fault')"
test_expect_fail "expect_error rejects a message without the culprit" \
	expect_error 1 "'blum'" fail_with 1 "rapport: no such account"
test_expect_fail "expect_error rejects output on stdout" \
	expect_error 0 "x" say "rapport: x"
test_expect_fail "expect_error rejects a message without the prefix" \
	expect_error 1 "boom" fail_with 1 "boom"
test_expect_fail "expect_error_line rejects a usage line" \
	expect_error_line 2 "bad" fail_with 2 "$(say 'rapport: bad' 'usage: rapport x')"

printf '{"a":[1,2],"b":"x"}\n' >"$TMP/doc.json"
test_expect "expect_json compares a filter's result" expect_json "$TMP/doc.json" '.a' '[1,2]'
test_expect_fail "expect_json rejects another value" expect_json "$TMP/doc.json" '.b' 'y'
test_expect_fail "expect_json rejects a broken document" expect_json "$TMP/nonexistent.json" '.b' 'x'

test_expect "the temp dir is private and exists" test -d "$TMP" -a -w "$TMP"
test_expect "RAPPORT_NOW and TZ are fixed" expect_eq "$RAPPORT_NOW $TZ" "2026-03-10T09:00:00Z UTC"
test_expect "rp runs the binary under test" expect_stdout_match '^rapport [0-9]+\.[0-9]+\.[0-9]+$' rp x --version

# A script whose test fails must say "not ok", explain, and exit non-zero;
# a known bug marked TODO must not fail the script.
cat >"$TMP/inner.sh" <<'EOF2'
. ./lib.sh
test_expect "one" expect_eq 1 2
test_todo "known bug"
test_expect "two" expect_eq 1 2
test_done
EOF2
cat >"$TMP/inner-todo.sh" <<'EOF2'
. ./lib.sh
test_expect "one" expect_eq 1 1
test_todo "known bug"
test_expect "two" expect_eq 1 2
test_done
EOF2
test_expect "a failing test makes the script fail and report it" \
	expect_exit 1 bash "$TMP/inner.sh"
test_expect "... with 'not ok', the plan, the reason on stderr (the TODO's on stdout)" \
	expect_eq "$(printf '%s\n' "$OUT" | grep -c -e '^not ok 1 - one$' -e '^not ok 2 - two # TODO known bug$' -e '^1\.\.2$')/$(printf '%s\n' "$ERR" | grep -c '^# .*expected')/$(printf '%s\n' "$OUT" | grep -c '^# .*expected')" "3/1/1"
test_expect "a TODO failure alone does not fail the script" expect_exit 0 bash "$TMP/inner-todo.sh"
cat >"$TMP/inner-setup.sh" <<'EOF2'
. ./lib.sh
x="$(rp_must nowhere account add "Bakery Blum")"
test_expect "one" expect_eq 1 1
test_done
EOF2
test_expect "a failed setup step (even in \$(...)) fails the script" expect_exit 1 bash "$TMP/inner-setup.sh"
test_expect "... naming the step" expect_match "$OUT" '^not ok 2 - every setup step succeeded$'

test_done
