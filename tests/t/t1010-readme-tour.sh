#!/bin/bash
# The README's tour works when pasted into bash (issue 11): the fenced
# blocks of "A five-minute tour" and "Syncing a team" are taken from
# README.md itself and run, line by line as bash would, in a fresh
# directory holding ./rapport; every command must exit 0. The ports are the
# only thing changed: free ones instead of 7300 (the hub), 7302 (alice's
# daemon) and 7301 (the beacons, on 127.255.255.255).
. ./lib.sh

readme="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/README.md"
# block SECTION: the first ```sh block after the heading SECTION.
block()
{
	awk -v h="$1" '
		$0 == h { inside = 1; next }
		inside && /^```sh$/ { grab = 1; next }
		grab && /^```$/ { exit }
		grab { print }' "$readme"
}

dir="$TMP/repo"
mkdir -p "$dir"
ln -s "$RAPPORT_BIN" "$dir/rapport"
port="$(free_port)"
port2="$(free_port)"
udp="$(free_udp_port)"
{
	echo "set -e"          # a failing command stops the paste and names itself
	echo "trap 'echo \"tour failed at line \$LINENO: \$BASH_COMMAND\" >&2' ERR"
	block "## A five-minute tour"
	block "### Syncing a team" | sed "s/7300/$port/g; s/7302/$port2/g; s/7301/$udp/g"
} >"$TMP/tour.sh"

test_expect "the README has the tour and the sync walk-through as sh blocks" \
	expect_match "$(cat "$TMP/tour.sh")" 'rapport init --name ann.*'
test_expect "neither block has a placeholder bash cannot take (<...>)" \
	expect_no_match "$(cat "$TMP/tour.sh")" '<[a-z][^>]*>'
unset RAPPORT_NOW RAPPORT_HOME
run timeout -k 5 120 env -u RAPPORT_HOME bash -c "cd '$dir' && . '$TMP/tour.sh'"
test_expect "pasted into bash, every command of the tour exits 0" expect_eq "$RC" 0
[ "$RC" -eq 0 ] || diag "$(printf '%s\n' "$ERR" | tail -n 5)"
test_expect "the call alice logged reached the hub (its show prints it)" \
	expect_match "$OUT" 'Asked about spare parts'
for i in $(seq 50); do pgrep -f -- "$TMP/" >/dev/null || break; sleep 0.1; done
test_expect "the hub it started is gone after its kill" expect_nothing_left
test_done
