# tests/bench/lib.sh — what the daemon benchmarks share (erase.sh, flood.sh, live.sh):
# a temp dir and the processes started in it, both gone on exit; fail, note
# and a free port of 127.0.0.1 (BENCH_KEEP=1 keeps the temp dir). Source it
# after setting BENCH_NAME.
: "${RAPPORT_BIN:?set RAPPORT_BIN}" "${BENCH_NAME:?set BENCH_NAME}"
export TZ=UTC RAPPORT_NOW=2026-03-10T09:00:00Z
R=$RAPPORT_BIN
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rapport-bench-$BENCH_NAME.XXXXXX")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${BENCH_KEEP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "$BENCH_NAME.sh: $*" >&2; exit 1; }
note() { echo "# $*" >&2; }
port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0", ReuseAddr => 1)->sockport'; }
