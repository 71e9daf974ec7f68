#!/bin/sh
# tests/demo.sh — the story `make demo` tells: a team, its customers, a week
# of visits and sales, what to do today, a teammate joining and syncing over
# CURVE on 127.0.0.1, the data going out and back in. Real commands, real
# output, in a temp dir it deletes.
# POSIX sh (make runs it with sh). RAPPORT_BIN: the binary to show (default ./rapport).
set -eu

RAPPORT_BIN=${RAPPORT_BIN:-./rapport}
if [ ! -x "$RAPPORT_BIN" ]; then
	echo "demo: no rapport binary at $RAPPORT_BIN (run 'make' first)" >&2
	exit 1
fi
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/rapport-demo.XXXXXX")
trap 'rm -rf "$DEMO"' EXIT
trap 'exit 130' INT TERM

# One home for Ann's laptop; dates and times in UTC; the clock set per scene
# so the story reads the same every time.
export RAPPORT_HOME="$DEMO/ann-laptop" TZ=UTC
unset XDG_DATA_HOME

# scene TITLE WHEN: a heading, and the clock from then on.
scene()
{
	RAPPORT_NOW=$2
	export RAPPORT_NOW
	printf '\n\n=== %s (%s)\n' "$1" "$2"
}

say()
{
	printf '\n# %s\n' "$*"
}

# show_cmd ARGS...: print "$ rapport ARGS" the way one would type it.
show_cmd()
{
	printf '$ rapport'
	for a in "$@"; do
		case $a in
		'' | *[!A-Za-z0-9_./:@+,=-]*) printf ' "%s"' "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '\n'
}

# rapport ARGS...: show the command, run it; its output follows.
rapport()
{
	show_cmd "$@"
	"$RAPPORT_BIN" "$@"
}

# keep VAR ARGS...: the same, and keep its one line of output in VAR.
keep()
{
	_var=$1
	shift
	show_cmd "$@"
	_out=$("$RAPPORT_BIN" "$@" 2>"$DEMO/.notes")
	printf '%s\n' "$_out"
	cat "$DEMO/.notes" >&2
	eval "$_var=\$_out"
}

case $RAPPORT_BIN in
/*) ;;
*) RAPPORT_BIN=$(pwd)/$RAPPORT_BIN ;;
esac
cd "$DEMO"
printf 'rapport demo: %s, in %s (each laptop is a directory here)\n' "$("$RAPPORT_BIN" --version)" "$DEMO"

scene "Monday: Ann starts the team's CRM on her laptop" 2026-03-02T08:30:00Z
say "A device key and a new team, with Ann as its admin. The line printed is this device's id."
rapport init --name ann --team "Acme Ovens"

say "Three customers. Each 'account add' prints the new account's id."
rapport account add "Bakery Blum" --email blum@example.com --phone "+49 30 1234 567" --prefer call --tag retail
rapport account add "Cafe Corner" --phone "+49 30 7654 321" --tag retail --tag cafe
rapport account add "Hotel Seeblick" --email einkauf@seeblick.example --prefer email --tag hotel

say "What happened today: a visit, a call, and a big order."
rapport log "Bakery Blum" visit "Met the owner, wants an oven quote" --at 2026-03-02T09:15
rapport log corner call "Asked about a second espresso grinder" --at 2026-03-02T11:00
rapport log seeblick purchase "Two combi steamers" --amount 12,800.00 --currency EUR --at 2026-03-02T14:30

say "Things to do, by a date: 'follow-up' prints the follow-up's id."
keep quote follow-up "Bakery Blum" "Send the oven quote" --due +3d
rapport follow-up seeblick "Check the installation went well" --due 2026-03-09

scene "Wednesday" 2026-03-04T16:00:00Z
say "Ann is on the road. 'blum' is enough: any unique part of a name finds the account."
rapport log blum purchase "Oven X200" --amount 4200.50 --currency EUR
rapport log seeblick complaint "Door seal of one steamer leaks"
rapport done "$(printf '%s' "$quote" | cut -c1-6)" "quote sent, accepted on the spot"

scene "Tuesday, a week on: who do I call today?" 2026-03-10T08:00:00Z
say "Due follow-ups first (overdue ones say so), then valuable customers not heard from for a while."
rapport agenda
say "The best customers by lifetime value."
rapport top
say "One customer, whole: profile, value, follow-ups, interactions (newest first)."
rapport show "Bakery Blum"
say "And its signed audit trail: who did what, when, from which device."
rapport history "Bakery Blum"

scene "Bob joins the team" 2026-03-10T09:00:00Z
say "Bob makes a key on his laptop and tells Ann its id."
keep bob_id --home bob-laptop init --name bob
rapport member add bob "$bob_id" --role rep
rapport member list

scene "Back at the shop: Bob's laptop syncs with Ann's" 2026-03-10T09:30:00Z
say "Ann's laptop serves syncs (here on 127.0.0.1, a free port; normally tcp://0.0.0.0:7300)."
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
keep ann_id id
printf '$ rapport serve --listen tcp://127.0.0.1:%s --no-discover &\n' "$port"
"$RAPPORT_BIN" serve --listen "tcp://127.0.0.1:$port" --no-discover 2>"$DEMO/serve.log" &
serve_pid=$!
# (under set -e a failing command in the trap would become the exit status)
trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$DEMO"' EXIT
i=0
until perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(PeerAddr => "127.0.0.1:'"$port"'")' 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 50 ] || { echo "demo: serve did not start" >&2; exit 1; }
	sleep 0.1
done
say "Bob names the peer, pinning its device id, and syncs: CURVE-encrypted, both directions."
say "He is a rep: he receives the team, and only the accounts that are his (none yet)."
rapport --home bob-laptop peer add ann "tcp://127.0.0.1:$port" "$ann_id"
rapport --home bob-laptop sync ann
say "Ann hands the bakery over to Bob, with a note."
rapport handover "Bakery Blum" --to bob --note "Bob covers the bakeries from now on" --offline
say "Bob's next sync brings the account with its whole history."
rapport --home bob-laptop sync ann
rapport --home bob-laptop account list --mine
say "Bob logs a visit offline, then syncs again: only the new op travels."
rapport --home bob-laptop log "Bakery Blum" visit "Dropped off the oven brochure"
rapport --home bob-laptop sync ann
say "Bob's laptop runs the node too, left running: it syncs by itself, nobody types sync."
port2=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
printf '$ rapport --home bob-laptop serve --listen tcp://127.0.0.1:%s --no-discover &\n' "$port2"
"$RAPPORT_BIN" --home bob-laptop serve --listen "tcp://127.0.0.1:$port2" --no-discover 2>"$DEMO/bob-serve.log" &
bob_pid=$!
trap 'kill $serve_pid $bob_pid 2>/dev/null || true; rm -rf "$DEMO"' EXIT
rapport --home bob-laptop log "Bakery Blum" call "Confirmed the delivery date"
i=0
until "$RAPPORT_BIN" history "Bakery Blum" 2>/dev/null | grep -q "Confirmed the delivery date"; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: bob's call did not reach ann by itself" >&2; exit 1; }
	sleep 0.1
done
printf '(on Ann'"'"'s laptop %s s later, with no sync typed)\n' "$(awk -v i="$i" 'BEGIN { printf "%.1f", i / 10 }')"
say "Ann sees Bob's visit and call; both laptops print the same digest for the account."
rapport history "Bakery Blum"
rapport digest "Bakery Blum"
rapport --home bob-laptop digest "Bakery Blum"
kill $serve_pid $bob_pid
wait $serve_pid 2>/dev/null || true
wait $bob_pid 2>/dev/null || true
trap 'rm -rf "$DEMO"' EXIT

scene "Data out, and back in elsewhere" 2026-03-10T10:00:00Z
say "CSV for spreadsheets: one customer a row (cells a spreadsheet would run as formulas are neutralised)."
rapport export --format csv
say "JSONL keeps everything: one 'show --json' document a line. Into a file, then into a fresh home."
printf '$ rapport export --format jsonl > all.jsonl\n'
"$RAPPORT_BIN" export --format jsonl >all.jsonl
printf '(%s lines, %s bytes)\n' "$(wc -l <all.jsonl | tr -d ' ')" "$(wc -c <all.jsonl | tr -d ' ')"
rapport --home spare-laptop init --name ann --team "Spare"
rapport --home spare-laptop import all.jsonl
rapport --home spare-laptop account list

scene "Is everything sound?" 2026-03-10T10:05:00Z
say "fsck re-verifies every signature and rebuilds every view from the log."
rapport fsck
say "The digest of the merged view: two devices holding the same ops print the same line."
rapport digest

cd /
printf '\n\ndemo done; %s removed.\n' "$DEMO"
