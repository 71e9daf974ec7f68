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
# -v (bash tNNNN-x.sh -v, or RP_VERBOSE=1): every rapport command is echoed
# with its exit status as a TAP comment, and the temp dir is kept.
for _a in "$@"; do
	[ "$_a" = -v ] && RP_VERBOSE=1
done
[ -n "${RP_VERBOSE:-}" ] && RP_KEEP=1 && exec 7>&2   # fd 7: the script's own stderr
# Nothing may land in the real user's data or config directories.
export XDG_DATA_HOME="$TMP/xdg-data" XDG_CONFIG_HOME="$TMP/xdg-config"

# Background process groups a test started (crash loops); killed on exit.
_bg_groups=()

# Every `rapport serve` a test started (start_serve): killed on exit too.
_serve_pids=()

_cleanup()
{
	local rc=$? g
	for g in "${_bg_groups[@]}"; do
		kill -9 -- "-$g" 2>/dev/null
	done
	for g in "${_serve_pids[@]}"; do
		kill -9 "$g" 2>/dev/null
	done
	wait 2>/dev/null
	# A failing script keeps its homes and logs to look at, and says where.
	if [ "$rc" -ne 0 ] || [ "${_test_failed:-0}" -gt 0 ] || [ -s "$TMP/.setup.failures" ] ||
	   [ -n "${RP_KEEP:-}" ]; then
		echo "# kept for inspection: $TMP" >&2
		return
	fi
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

# test_skip DESC WHY: a test that cannot run here: "ok N - DESC # SKIP WHY".
test_skip()
{
	_test_n=$((_test_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_test_n" "$1" "$2"
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
	if [ -z "${RP_VERBOSE:-}" ]; then
		"$RAPPORT_BIN" --home "$TMP/$home" "$@"
		return
	fi
	local rc
	"$RAPPORT_BIN" --home "$TMP/$home" "$@"
	rc=$?
	printf '# rapport --home %s %s: exit %d\n' "$home" "$*" "$rc" >&7
	return "$rc"
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

# python_zmq: the path of a python3 that has pyzmq (Debian: python3-zmq), or
# nothing. Foreign and hostile peers (tests/tools/*.py) need it.
python_zmq()
{
	local p
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import zmq' 2>/dev/null; then
			command -v "$p"
			return 0
		fi
	done
	return 1
}

# tool_bin NAME: the path of a test-only C tool (tests/tools/NAME.c), built
# in $RP_TOOLS (the Makefile sets it) or the default build; nothing if absent.
tool_bin()
{
	local t
	for t in "${RP_TOOLS:-/nonexistent}/$1" "$(dirname "$RAPPORT_BIN")/build/tests/tools/$1" \
		"$(dirname "$RAPPORT_BIN")/tests/tools/$1"; do
		if [ -x "$t" ]; then
			echo "$t"
			return 0
		fi
	done
	return 1
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

# ---- nodes on the network (127.0.0.1 only) ---------------------------------------------
# Every wait is bounded: network commands run under `timeout`, and waits for a
# background process poll with a deadline. Nothing listens beyond 127.0.0.1.

# Seconds a network command may take before the test calls it a hang
# (generous: the suite also runs under ASan on 2 cores).
NET_TIMEOUT="${NET_TIMEOUT:-60}"

# port_listening PORT: something listens on 127.0.0.1:PORT.
port_listening()
{
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
	else
		timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
	fi
}

# fat_jsonl FILE: 100 accounts of 20 interactions of 4 KB each (8 MB, 2,000
# ops): a sync of them takes long enough to be cut in the middle.
fat_jsonl()
{
	perl -e 'my $t = "x" x 4000; for my $a (1..100) {
		print qq({"name":"Fat $a","fields":{},"tags":[],"interactions":[),
			join(",", map { qq({"type":"note","at":"2026-01-01T10:00:00Z","text":"$_ $t","amount":null}) } 1..20),
			qq(],"followups":[]}\n) }' >"$1"
}

# eventually SECS CMD ARGS...: CMD succeeds within SECS seconds (tried every
# 0.1 s); ELAPSED_MS says when. Its last output is explained otherwise.
eventually()
{
	local secs="$1" t0 deadline
	shift
	t0=$(date +%s%N)
	deadline=$((SECONDS + secs))
	while :; do
		if "$@" >"$TMP/.ev.out" 2>"$TMP/.ev.err"; then
			ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			printf 'not within %s s: %s\n' "$secs" "$*" >&2
			tail -n 5 "$TMP/.ev.out" "$TMP/.ev.err" >&2
			return 1
		fi
		sleep 0.1
	done
}

# same_digest HOME...: expect_same_digest, quietly (for eventually).
same_digest() { expect_same_digest "$@" 2>/dev/null; }

# free_udp_port: print a UDP port of this machine nothing is bound to (for
# beacons), not handed out before in this test.
free_udp_port()
{
	local p i
	for i in $(seq 1 500); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		grep -qx "$p" "$TMP/.ports" 2>/dev/null && continue
		ss -Hlun "sport = :$p" 2>/dev/null | grep -q . && continue
		echo "$p" >>"$TMP/.ports"
		echo "$p"
		return 0
	done
	echo "free_udp_port: no free port found" >&2
	return 1
}

# free_port: print a TCP port of 127.0.0.1 that nothing listens on and this
# script has not handed out before. Ports come from 20000-31999, below the
# kernel's ephemeral range, so no outgoing connection holds one by chance.
free_port()
{
	local p i
	for i in $(seq 1 500); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		grep -qx "$p" "$TMP/.ports" 2>/dev/null && continue
		port_listening "$p" && continue
		echo "$p" >>"$TMP/.ports"
		echo "$p"
		return 0
	done
	echo "free_port: no free port found" >&2
	return 1
}

# _alive PID: the process exists and is not a zombie.
_alive()
{
	[ -r "/proc/$1/stat" ] || return 1
	! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# wait_gone PID SECS: wait (polling) up to SECS for PID to end; 1 if it did not.
wait_gone()
{
	local pid="$1" deadline=$((SECONDS + $2))
	while _alive "$pid"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# start_serve HOME PORT: `rapport serve --listen tcp://127.0.0.1:PORT` on
# HOME in the background, logging to $TMP/serve-HOME.log (appended); returns
# once it listens (at most 15 s). SERVE_PID[HOME] holds its pid, SERVE_LOG[HOME]
# its log, SERVE_PORT[HOME] its port. A failure is a setup failure (test_done
# reports it) and returns 1. SERVE_ARGS (e.g. --no-dial) are added to the command;
# SERVE_DISCOVER=ADDRESS:PORT turns beacons on (else --no-discover).
declare -gA SERVE_PID SERVE_LOG SERVE_PORT
start_serve()
{
	local home="$1" port="$2" log="$TMP/serve-$1.log" pid deadline=$((SECONDS + 15)) from
	touch "$log"
	from=$(($(wc -l <"$log") + 1))
	# Beacons only where a test asks (SERVE_DISCOVER=127.255.255.255:PORT):
	# never the default broadcast address.
	# shellcheck disable=SC2086 # SERVE_ARGS: extra words for serve, as given
	local beacons=(--no-discover)
	[ -n "${SERVE_DISCOVER:-}" ] && beacons=(--discover "$SERVE_DISCOVER")
	"$RAPPORT_BIN" --home "$TMP/$home" serve --listen "tcp://127.0.0.1:$port" \
		"${beacons[@]}" ${SERVE_ARGS:-} 2>>"$log" &
	pid=$!
	_serve_pids+=("$pid")
	SERVE_PID[$home]=$pid SERVE_LOG[$home]=$log SERVE_PORT[$home]=$port
	while :; do
		if tail -n "+$from" "$log" | grep -q "serving on tcp://127\.0\.0\.1:$port " &&
		   port_listening "$port"; then
			return 0
		fi
		if ! _alive "$pid" || [ "$SECONDS" -ge "$deadline" ]; then
			kill -9 "$pid" 2>/dev/null
			{
				printf 'setup failed: rapport --home %s serve --listen tcp://127.0.0.1:%s did not come up\n' \
					"$home" "$port"
				tail -n "+$from" "$log" | head -n 20 | sed 's/^/  /'
			} >>"$TMP/.setup.failures"
			return 1
		fi
		sleep 0.05
	done
}

# stop_serve HOME: SIGTERM the serve of HOME; it must end within 15 s with
# exit 0 and no sanitizer report in its log. Explains on stderr otherwise.
stop_serve()
{
	local home="$1" pid="${SERVE_PID[$1]:-}" rc
	if [ -z "$pid" ]; then
		echo "stop_serve: no serve running on $home" >&2
		return 1
	fi
	SERVE_PID[$home]=
	kill -TERM "$pid" 2>/dev/null
	if ! wait_gone "$pid" 15; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "serve on $home did not stop within 15 s of SIGTERM" >&2
		return 1
	fi
	wait "$pid"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		printf 'serve on %s exited %s after SIGTERM; its log:\n' "$home" "$rc" >&2
		tail -n 20 "${SERVE_LOG[$home]}" >&2
		return 1
	fi
	expect_no_match "$(cat "${SERVE_LOG[$home]}")" 'Sanitizer|runtime error|LeakSanitizer'
}

# kill9_serve HOME: SIGKILL the serve of HOME and reap it.
kill9_serve()
{
	local pid="${SERVE_PID[$1]:-}"
	[ -n "$pid" ] || return 0
	SERVE_PID[$1]=
	kill -9 "$pid" 2>/dev/null
	wait_gone "$pid" 15
	wait "$pid" 2>/dev/null
	return 0
}

# serve_alive HOME: the serve of HOME is still running.
serve_alive()
{
	local pid="${SERVE_PID[$1]:-}"
	if [ -n "$pid" ] && _alive "$pid"; then
		return 0
	fi
	echo "the serve on $1 is not running any more; its log:" >&2
	tail -n 20 "${SERVE_LOG[$1]:-/dev/null}" >&2
	return 1
}

# endpoint HOME: the endpoint the serve of HOME listens on.
endpoint()
{
	echo "tcp://127.0.0.1:${SERVE_PORT[$1]}"
}

# rpt HOME ARGS...: rp under `timeout` (NET_TIMEOUT s): for sync and anything
# that talks to a peer. A hang exits 124 (137 if it ignored SIGTERM).
rpt()
{
	local home="$1"
	shift
	timeout -k 5 "$NET_TIMEOUT" "$RAPPORT_BIN" --home "$TMP/$home" "$@"
}

# run_timed CMD ARGS...: run, and ELAPSED_MS is how long CMD took.
run_timed()
{
	local t0 t1
	t0=$(date +%s%N)
	run "$@"
	t1=$(date +%s%N)
	ELAPSED_MS=$(((t1 - t0) / 1000000))
}

# expect_within MS: the last run_timed took at most MS milliseconds.
expect_within()
{
	[ "$ELAPSED_MS" -le "$1" ] && return 0
	printf 'took %s ms, more than %s ms\n' "$ELAPSED_MS" "$1" >&2
	return 1
}

# sync_ok HOME ARGS...: `rapport sync ARGS` (bounded) exits 0 and prints one
# summary line "synced with ...: sent N ops, received M ops (...)"; stdout
# in OUT. Explains otherwise.
SYNC_LINE_RE='^synced with .+: sent [0-9][0-9,]* ops?, received [0-9][0-9,]* ops? \([0-9,]+ accounts? changed(; [0-9,]+ refused)?(; [0-9,]+ pending)?\) in [0-9]+\.[0-9]+ s$'
sync_ok()
{
	local home="$1"
	shift
	expect_exit 0 rpt "$home" sync "$@" || return 1
	expect_no_match "$ERR" 'Sanitizer|runtime error|rapport: ' || return 1
	if [ "$(printf '%s\n' "$OUT" | wc -l)" -ne 1 ]; then
		printf 'expected one summary line, got:\n%s\n' "$OUT" >&2
		return 1
	fi
	expect_match "$OUT" "$SYNC_LINE_RE"
}

# status_of HOME FIELD: one field of `rapport status --json` (jq path, e.g.
# .ops); empty on failure.
status_of()
{
	rp "$1" status --json 2>/dev/null | jq -r "$2" 2>/dev/null
}

# expect_same_digest HOME HOME...: every home has the same non-empty digest.
expect_same_digest()
{
	local first h d want=""
	first="$(digest "$1")"
	if [ -z "$first" ]; then
		echo "no digest for $1" >&2
		return 1
	fi
	for h in "$@"; do
		d="$(digest "$h")"
		[ "$d" = "$first" ] || want="$want$(printf '\n  %-8s %s' "$h" "${d:-(none)}")"
	done
	[ -z "$want" ] && return 0
	printf 'digests differ from %s (%s):%s\n' "$1" "$first" "$want" >&2
	return 1
}

# expect_fsck_ok HOME: fsck exits 0 and says ok.
expect_fsck_ok()
{
	expect_exit 0 rp "$1" fsck || return 1
	expect_match "$OUT" ': 0 bad signatures, 0 mismatched views: ok$'
}

# expect_not CMD ARGS...: CMD fails (its own output is dropped).
expect_not()
{
	if "$@" >/dev/null 2>&1; then
		printf 'expected this to fail: %s\n' "$*" >&2
		return 1
	fi
	return 0
}

# timed CMD ARGS...: run CMD as it is (for expect_* helpers); ELAPSED_MS is
# how long it took.
timed()
{
	local t0 rc
	t0=$(date +%s%N)
	"$@"
	rc=$?
	ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
	return "$rc"
}

# expect_nothing_left: no process of this test (one whose command line
# names a path under $TMP, e.g. a serve or a sync) is still running.
expect_nothing_left()
{
	local left
	left="$(pgrep -af -- "$TMP/" | grep -v "^$$ " || true)"
	[ -z "$left" ] && return 0
	printf 'still running:\n%s\n' "$left" >&2
	return 1
}
