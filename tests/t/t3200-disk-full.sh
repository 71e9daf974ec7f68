#!/bin/bash
# A full disk is named as such (DESIGN.md §8): a home on a small tmpfs is
# filled by `log`, then met by an `import` and a `sync` that do not fit; each
# error says the disk is full and where; nothing acknowledged is lost;
# status, show, export, digest and fsck keep working on the full disk; once
# there is room again fsck passes and writes and syncs resume. Needs root
# (mount -t tmpfs); skipped otherwise.
. ./lib.sh

ann=annfs                                # ann's home is the small disk itself
full="$TMP/$ann"
mkdir -p "$full"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=1m tmpfs "$full" 2>/dev/null; then
	test_skip "a full disk is named" "cannot mount a small tmpfs here (needs root)"
	test_done
	exit 0
fi
trap 'umount "$full" 2>/dev/null; _cleanup' EXIT

new_team "$ann" ann Acme
new_device meg meg
rp_must "$ann" member add meg "$(rp_must meg id)" --role manager >/dev/null
acct="$(rp_must "$ann" account add "Alpha Tools")"
start_serve "$ann" "$(free_port)"
rp_must meg sync "$(endpoint "$ann")" --peer "$(rp_must "$ann" id)" >/dev/null
stop_serve "$ann" >/dev/null
filler="$(head -c 3000 /dev/zero | tr '\0' x)"

test_begin "log until the disk is full"

logged=0
while rp "$ann" log "$acct" call "$filler" >/dev/null 2>"$TMP/log.err"; do
	logged=$((logged + 1))
	[ "$logged" -lt 2000 ] || break
done
test_expect "the failing log names the full disk and the home" \
	expect_match "$(cat "$TMP/log.err")" "^rapport: the disk holding $TMP/$ann is full: nothing of this was written"
test_expect "every acknowledged log is there ($logged)" \
	expect_eq "$(rp "$ann" show "$acct" --json | jq '.interactions | length')" "$logged"
test_expect "status works on the full disk" expect_ok rp "$ann" status
test_expect "show works" expect_ok rp "$ann" show "$acct"
test_expect "export works" eval 'rp "$ann" export --format csv >/dev/null'
test_expect "digest works" expect_ok rp "$ann" digest
test_expect "the account list works, and lists the account" \
	expect_match "$(rp "$ann" account list 2>&1)" "Alpha Tools"
test_expect "the log of the account works" expect_ok rp "$ann" history "$acct"
test_expect "fsck works, and passes" expect_fsck_ok "$ann"

test_begin "an import and a sync that do not fit"

perl "$(dirname "${BASH_SOURCE[0]}")/../bench/gen_jsonl.pl" 50 20 >"$TMP/import.jsonl"
digest_before="$(digest "$ann")"
run rp "$ann" import "$TMP/import.jsonl"
test_expect "import fails, naming the full disk" expect_match "$ERR" "disk holding $TMP/$ann is full"
test_expect "... and writes nothing of the file" expect_unchanged "$ann" "$digest_before"
for i in $(seq 1 100); do
	rp meg log "$acct" visit "meg's visit $i: $filler" >/dev/null 2>&1
done
start_serve meg "$(free_port)"
run rpt "$ann" sync "$(endpoint meg)" --peer "$(rp_must meg id)"
test_expect "a sync that does not fit fails, naming the full disk" \
	expect_match "$ERR" "disk holding $TMP/$ann is full"
test_expect "... ann's own data is intact" \
	expect_eq "$(rp "$ann" show "$acct" --json | jq '[.interactions[] | select(.author == "ann")] | length')" "$logged"
test_expect "... and fsck passes" expect_fsck_ok "$ann"

test_begin "room again"

mount -o remount,size=32m "$full"
test_expect "a write resumes" expect_ok rp "$ann" log "$acct" visit "room again"
test_expect "the sync resumes and completes" sync_ok "$ann" "$(endpoint meg)" --peer "$(rp_must meg id)"
test_expect "nothing acknowledged was lost: ann's $((logged + 1)) and meg's 100 interactions" \
	expect_eq "$(rp "$ann" show "$acct" --json | jq '.interactions | length')" "$((logged + 101))"
test_expect "and the import goes through" expect_ok rp "$ann" import "$TMP/import.jsonl"
test_expect "fsck passes" expect_fsck_ok "$ann"
test_expect "meg's serve: SIGTERM, exit 0" stop_serve meg
test_expect "no process of this test is left running" expect_nothing_left

test_done
