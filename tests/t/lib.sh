#!/bin/bash
# tests/t/lib.sh — what every scenario script shares: a private temp dir, the
# rapport binary with a fixed clock, TAP output and assertions that say why they failed.
# Sourced by tests/t/tNNNN-*.sh (". ./lib.sh"); prove runs them from tests/t.
#
# A test is one line: test_expect "what the user cares about" CMD ARGS...
# CMD is usually one of the expect_* helpers below; it prints its reasons on
# stderr, which test_expect shows only when the test fails.

# ---- environment -----------------------------------------------------------

export TZ=UTC LC_ALL=C NO_COLOR=1 TERM=dumb
# One fixed clock for every test (whatever the caller has set); at_time moves it.
export RAPPORT_NOW=2026-03-10T09:00:00Z
unset RAPPORT_HOME

# Exit status of a malformed value (bad WHEN, amount, type, --prefer, role):
# rapport.1 (EXIT STATUS) documents 2, like any usage error; one place to
# change if that is decided otherwise. A failure that needs the store (no such
# account, not available yet) is 1 everywhere.
EXIT_BADVALUE=2

if [ -z "${RAPPORT_BIN:-}" ]; then
	RAPPORT_BIN="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/rapport"
fi
if [ ! -x "$RAPPORT_BIN" ]; then
	echo "Bail out! no rapport binary at $RAPPORT_BIN (run 'make' or set RAPPORT_BIN)"
	exit 1
fi
export RAPPORT_BIN

TMP="$(mktemp -d "${TMPDIR:-/tmp}/rapport-t.XXXXXX")" || {
	echo "Bail out! mktemp failed"
	exit 1
}
export TMP
# Nothing may land in the real user's data or config directories.
export XDG_DATA_HOME="$TMP/xdg-data" XDG_CONFIG_HOME="$TMP/xdg-config"

# Background process groups a test started (crash loops); killed on exit.
_bg_groups=()

_cleanup()
{
	local g
	for g in "${_bg_groups[@]}"; do
		kill -9 -- "-$g" 2>/dev/null
	done
	wait 2>/dev/null
	case "$TMP" in
	*/rapport-t.*) rm -rf "$TMP" ;;
	esac
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# ---- TAP --------------------------------------------------------------------

_test_n=0
_test_failed=0
_test_todo=

# Print a diagnostic line (or several) as TAP comments on stderr.
diag()
{
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /' >&2
	done
}

# Print a file (at most 20 lines) as indented TAP comments, with a label.
_diag_file()
{
	local label="$1" file="$2"
	[ -s "$file" ] || return 0
	printf '#   %s:\n' "$label"
	head -n 20 "$file" | sed 's/^/#     /'
}

test_begin()
{
	printf '# %s\n' "$*"
}

# The next test_expect is a known bug (reported): "not ok ... # TODO why".
test_todo()
{
	_test_todo="$*"
}

# test_expect DESC CMD ARGS...: ok when CMD exits 0.
test_expect()
{
	local desc="$1" rc
	shift
	_test_n=$((_test_n + 1))
	_last_cmd=
	: >"$TMP/.test.err"
	"$@" >"$TMP/.test.out" 2>>"$TMP/.test.err"
	rc=$?
	_test_report "$desc" "$rc" "$@"
}

# test_expect_fail DESC CMD ARGS...: ok when CMD exits non-zero.
test_expect_fail()
{
	local desc="$1" rc
	shift
	_test_n=$((_test_n + 1))
	_last_cmd=
	: >"$TMP/.test.err"
	"$@" >"$TMP/.test.out" 2>>"$TMP/.test.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "expected a failure, the command succeeded" >>"$TMP/.test.err"
		rc=1
	else
		rc=0
	fi
	_test_report "$desc" "$rc" "$@"
}

_test_report()
{
	local desc="$1" rc="$2" todo=""
	shift 2
	[ -n "$_test_todo" ] && todo=" # TODO $_test_todo"
	_test_todo=
	if [ "$rc" -eq 0 ]; then
		printf 'ok %d - %s%s\n' "$_test_n" "$desc" "$todo"
		return 0
	fi
	printf 'not ok %d - %s%s\n' "$_test_n" "$desc" "$todo"
	if [ -z "$todo" ]; then
		_test_failed=$((_test_failed + 1))
		_test_why "$@" >&2
	else
		_test_why "$@"      # a known bug: explain on stdout, like Test::More
	fi
	return 1
}

_test_why()
{
	printf '#   failed:'
	printf ' %q' "$@"
	printf '\n'
	_diag_file "why" "$TMP/.test.err"
	_diag_file "output" "$TMP/.test.out"
	if [ -n "$_last_cmd" ]; then
		printf '#   last command: %s (exit %s)\n' "$_last_cmd" "$RC"
		_diag_file "its stdout" "$TMP/.run.out"
		_diag_file "its stderr" "$TMP/.run.err"
	fi
}

test_done()
{
	# A setup step that failed (rp_must, perhaps in a subshell) fails the script.
	if [ -s "$TMP/.setup.failures" ]; then
		_test_n=$((_test_n + 1))
		_test_failed=$((_test_failed + 1))
		printf 'not ok %d - every setup step succeeded\n' "$_test_n"
		sed 's/^/#   /' "$TMP/.setup.failures" >&2
	fi
	printf '1..%d\n' "$_test_n"
	if [ "$_test_failed" -gt 0 ]; then
		printf '# %d of %d tests failed\n' "$_test_failed" "$_test_n" >&2
		exit 1
	fi
	exit 0
}

# ---- running rapport ----------------------------------------------------------

# rp HOME ARGS...: rapport with --home $TMP/HOME (RAPPORT_NOW as exported;
# override with RAPPORT_NOW=... rp ...).
rp()
{
	local home="$1"
	shift
	"$RAPPORT_BIN" --home "$TMP/$home" "$@"
}

# at_time WHEN CMD ARGS...: run CMD (rp, rpq, a helper...) with the clock at WHEN.
at_time()
{
	local -x RAPPORT_NOW="$1"
	shift
	"$@"
}

# rp_must HOME ARGS...: rp for setup steps. A failure is recorded (test_done
# then fails the script with it, even from inside $(...)), and the exit
# status returned.
rp_must()
{
	local rc
	rp "$@" 2>"$TMP/.must.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		{
			printf 'setup failed (exit %d): rapport --home %s\n' "$rc" "$*"
			sed 's/^/  /' "$TMP/.must.err"
		} >>"$TMP/.setup.failures"
	fi
	return "$rc"
}

# run CMD ARGS...: run CMD, keep RC, OUT and ERR (also in $TMP/.run.{out,err}).
run()
{
	_last_cmd="$*"
	"$@" >"$TMP/.run.out" 2>"$TMP/.run.err"
	RC=$?
	OUT="$(cat "$TMP/.run.out")"
	ERR="$(cat "$TMP/.run.err")"
	return 0
}

# new_team HOME MEMBER [TEAM]: a device that starts a team; prints nothing.
new_team()
{
	rp_must "$1" init --name "$2" --team "${3:-Acme}" >/dev/null
}

# new_device HOME MEMBER: a device not in a team yet; prints nothing.
new_device()
{
	rp_must "$1" init --name "$2" >/dev/null
}

# ---- assertions (each returns 0 or explains on stderr and returns 1) ----------

# expect_eq GOT WANT [WHAT]
expect_eq()
{
	[ "$1" = "$2" ] && return 0
	printf '%s: expected\n  [%s]\ngot\n  [%s]\n' "${3:-value}" "$2" "$1" >&2
	return 1
}

# expect_ne GOT UNWANTED [WHAT]
expect_ne()
{
	[ "$1" != "$2" ] && return 0
	printf '%s: expected anything but [%s]\n' "${3:-value}" "$2" >&2
	return 1
}

# expect_match TEXT REGEX (extended, multi-line text: any line may match)
expect_match()
{
	printf '%s\n' "$1" | grep -Eq -- "$2" && return 0
	printf 'expected a line matching /%s/ in:\n%s\n' "$2" "$1" >&2
	return 1
}

expect_no_match()
{
	printf '%s\n' "$1" | grep -Eq -- "$2" || return 0
	printf 'expected no line matching /%s/ in:\n%s\n' "$2" "$1" >&2
	return 1
}

# re_quote TEXT: TEXT as an extended regex that matches it literally.
re_quote()
{
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g'
}

# expect_exit CODE CMD ARGS...
expect_exit()
{
	local want="$1"
	shift
	run "$@"
	[ "$RC" -eq "$want" ] && return 0
	printf 'expected exit %s, got %s\n' "$want" "$RC" >&2
	return 1
}

# expect_ok CMD ARGS...: exit 0 and nothing alarming on stderr (no sanitizer report).
expect_ok()
{
	expect_exit 0 "$@" || return 1
	expect_no_match "$ERR" 'Sanitizer|runtime error|rapport: '
}

# expect_stdout WANT CMD ARGS...: exit 0 and exactly this stdout.
expect_stdout()
{
	local want="$1"
	shift
	expect_exit 0 "$@" || return 1
	expect_eq "$OUT" "$want" "stdout"
}

# expect_stdout_match REGEX CMD ARGS...: exit 0 and a stdout line matching.
expect_stdout_match()
{
	local re="$1"
	shift
	expect_exit 0 "$@" || return 1
	expect_match "$OUT" "$re"
}

# expect_stderr_match REGEX CMD ARGS...: any exit; a stderr line matching.
expect_stderr_match()
{
	local re="$1"
	shift
	run "$@"
	expect_match "$ERR" "$re"
}

# expect_error CODE REGEX CMD ARGS...: exit CODE, nothing on stdout, and the
# error is one line "rapport: ..." matching REGEX (after "rapport: "). A usage
# error may follow it with "usage:"/"hint:" lines (and their indented
# continuations), nothing else.
expect_error()
{
	local code="$1" re="$2" first nrp bad
	shift 2
	expect_exit "$code" "$@" || return 1
	if [ -n "$OUT" ]; then
		printf 'expected nothing on stdout, got:\n%s\n' "$OUT" >&2
		return 1
	fi
	first="$(printf '%s\n' "$ERR" | head -n 1)"
	case "$first" in
	"rapport: "*) ;;
	*)	printf 'stderr should start with "rapport: ", got:\n%s\n' "$ERR" >&2
		return 1 ;;
	esac
	if ! printf '%s\n' "${first#rapport: }" | grep -Eq -- "$re"; then
		printf 'the error line should match /%s/, got:\n%s\n' "$re" "$first" >&2
		return 1
	fi
	nrp="$(printf '%s\n' "$ERR" | grep -c '^rapport:')"
	if [ "$nrp" -ne 1 ]; then
		printf 'expected one "rapport:" line, got %s:\n%s\n' "$nrp" "$ERR" >&2
		return 1
	fi
	bad="$(printf '%s\n' "$ERR" | tail -n +2 | grep -Ev '^(usage:|hint:|[[:space:]])' )"
	if [ -n "$bad" ]; then
		printf 'unexpected stderr lines after the error:\n%s\n' "$bad" >&2
		return 1
	fi
	return 0
}

# expect_error_line CODE REGEX CMD ARGS...: expect_error, and stderr is that
# one line only.
expect_error_line()
{
	local n
	expect_error "$@" || return 1
	n="$(printf '%s\n' "$ERR" | wc -l)"
	[ "$n" -eq 1 ] && return 0
	printf 'expected exactly one line on stderr, got %s:\n%s\n' "$n" "$ERR" >&2
	return 1
}

# ---- JSON -------------------------------------------------------------------------

# jqf FILE FILTER [jq options...]: jq -r on a file, one result per line.
jqf()
{
	local f="$1" filter="$2"
	shift 2
	jq -r "$@" "$filter" "$f"
}

# rpq HOME FILTER ARGS...: rp HOME ARGS... piped through jq -r -c -S FILTER
# (JSONL: one result per document). Keys come out sorted: JSON objects are
# compared as sets of keys, not by the order rapport happens to print them. Fails when either fails; rapport's
# stderr stays on stderr.
rpq()
{
	local home="$1" filter="$2" rc
	shift 2
	rp "$home" "$@" >"$TMP/.rpq.json" || {
		rc=$?
		printf 'rapport --home %s %s: exit %d\n' "$home" "$*" "$rc" >&2
		return "$rc"
	}
	jq -r -c -S "$filter" "$TMP/.rpq.json"
}

# rpqs HOME FILTER ARGS...: rpq, with the JSONL documents slurped into one array.
rpqs()
{
	local home="$1" filter="$2" rc
	shift 2
	rp "$home" "$@" >"$TMP/.rpq.json" || {
		rc=$?
		printf 'rapport --home %s %s: exit %d\n' "$home" "$*" "$rc" >&2
		return "$rc"
	}
	jq -r -c -S -s "$filter" "$TMP/.rpq.json"
}

# show_json HOME ACCOUNT > file: the account's show --json document (setup).
show_json()
{
	rp_must "$1" show "$2" --json
}

# expect_json FILE FILTER WANT: jq -r FILTER on FILE prints exactly WANT
# (jq's compact output with sorted keys, -c -S, for objects and arrays).
expect_json()
{
	local f="$1" filter="$2" want="$3" got
	if ! got="$(jq -r -c -S "$filter" "$f" 2>&1)"; then
		printf 'jq %s failed on %s: %s\n' "$filter" "$f" "$got" >&2
		head -c 2000 "$f" >&2
		return 1
	fi
	expect_eq "$got" "$want" "jq '$filter'"
}

# expect_json_true FILE FILTER: the filter yields true.
expect_json_true()
{
	expect_json "$1" "$2" true
}

# ---- digests: "changes nothing" ----------------------------------------------------

# digest HOME: the home's merged-view digest (empty on failure).
digest()
{
	rp "$1" digest 2>/dev/null
}

# expect_unchanged HOME DIGEST: the home's digest is still DIGEST.
expect_unchanged()
{
	local now
	now="$(digest "$1")"
	if [ -z "$2" ]; then
		echo "no digest to compare with (setup failed?)" >&2
		return 1
	fi
	expect_eq "$now" "$2" "digest of $1"
}

# ---- background process groups -------------------------------------------------------

# start_group CMD ARGS...: run CMD in the background in a process group of
# its own (so kill_group reaches its children too); sets BG_PID.
start_group()
{
	set -m
	"$@" &
	BG_PID=$!
	set +m
	_bg_groups+=("$BG_PID")
}

# kill_group PID: SIGKILL the whole group and reap it.
kill_group()
{
	kill -9 -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
