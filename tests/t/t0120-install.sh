#!/bin/bash
# make install and make uninstall: the binary, the man page, the bash completion
# and the systemd user unit land where man, bash-completion and systemd --user
# look (a prefix in the home, and a system prefix under DESTDIR); the unit
# verifies, the page renders clean, the completion offers commands and the
# home's names; uninstall takes back exactly that. Installs $RAPPORT_BIN as it is.
. ./lib.sh

top="$(cd ../.. && pwd)"
# A home of the test's own: the Makefile chooses the unit's directory by it,
# and nothing the tools below write may land in the real one.
export HOME="$TMP/home"
mkdir -p "$HOME"
unset MANPATH

# mk ARGS...: the repository's Makefile, installing $RAPPORT_BIN (nothing is
# built but the man page, in $TMP/build), with nothing the make running this
# test passed down to it (make check's BUILD, -j, ...).
mk()
{
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -s -C "$top" BUILD="$TMP/build" INSTALL_RAPPORT="$RAPPORT_BIN" "$@"
}

# expect_files ROOT PATH...: each PATH is a file under ROOT.
expect_files()
{
	local root="$1" f bad=0
	shift
	for f in "$@"; do
		[ -f "$root/$f" ] || { echo "missing: $root/$f" >&2; bad=1; }
	done
	return "$bad"
}

# expect_only_dirs DIR [FILE...]: nothing but directories is left under DIR,
# and the FILEs (which were there before the install).
expect_only_dirs()
{
	local dir="$1" left
	shift
	left="$(find "$dir" ! -type d | sort)"
	expect_eq "$left" "$(printf '%s\n' "$@" | sed '/^$/d' | sort)" "files left under $dir"
}

P="$HOME/.local"
unit="$P/share/systemd/user/rapport.service"
comp="$P/share/bash-completion/completions/rapport"
page="$P/share/man/man1/rapport.1"

test_begin "make install PREFIX=~/.local: each file where its reader looks"

mkdir -p "$P/bin" && : >"$P/bin/other-tool"      # someone else's, to be left alone
test_expect "make install PREFIX=\$HOME/.local succeeds" expect_exit 0 mk install PREFIX="$P"
test_expect "... the binary, the man page, the completion, the unit (in \$XDG_DATA_HOME's systemd/user)" \
	expect_files "$P" bin/rapport share/man/man1/rapport.1 \
	share/bash-completion/completions/rapport share/systemd/user/rapport.service
test_expect "... and no unit in lib/systemd/user, which systemd --user does not read in a home" \
	test ! -e "$P/lib/systemd/user/rapport.service"
test_expect "the installed binary is executable and runs" \
	expect_stdout "$("$RAPPORT_BIN" --version)" "$P/bin/rapport" --version
test_expect "the unit's ExecStart names the installed binary" \
	expect_eq "$(grep '^ExecStart=' "$unit")" "ExecStart=$P/bin/rapport serve"
test_expect "... and no line of it names /usr/local/bin any more" \
	expect_no_match "$(cat "$unit")" '/usr/local/bin'
test_expect "the unit is Type=notify" expect_match "$(cat "$unit")" '^Type=notify$'

if command -v man >/dev/null 2>&1; then
	test_expect "man finds the page next to the bin/ on the PATH" \
		expect_stdout "$page" env PATH="$P/bin:$PATH" man -w rapport
else
	test_skip "man finds the page next to the bin/ on the PATH" "no man here"
fi

# bash-completion and systemd --user read ~/.local/share when XDG_DATA_HOME
# is not set (lib.sh sets it, to keep tests out of the real home).
if [ -f /usr/share/bash-completion/bash_completion ]; then
	test_expect "bash-completion loads the completion from ~/.local/share" \
		expect_stdout "complete -F _rapport rapport" env -u XDG_DATA_HOME PATH="$P/bin:$PATH" bash -c \
		'. /usr/share/bash-completion/bash_completion; __load_completion rapport && complete -p rapport'
else
	test_skip "bash-completion loads the completion from ~/.local/share" "no bash-completion here"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -m 0700 "$TMP/run"
	test_expect "systemd --user looks for units in the unit's directory" \
		expect_stdout_match "^$(re_quote "$P/share/systemd/user")\$" \
		env -u XDG_DATA_HOME XDG_RUNTIME_DIR="$TMP/run" systemd-analyze --user unit-paths
	man_check=
	command -v man >/dev/null 2>&1 || man_check=--man=no
	test_expect "systemd-analyze --user verify passes on the installed unit" \
		expect_exit 0 env XDG_RUNTIME_DIR="$TMP/run" PATH="$P/bin:$PATH" \
		systemd-analyze --user verify $man_check "$unit"
	test_expect "... and says nothing of it" expect_no_match "$ERR" 'rapport'
else
	test_skip "systemd-analyze --user verify passes on the installed unit" "no systemd-analyze here"
fi

if command -v groff >/dev/null 2>&1; then
	test_expect "the man page renders with groff -man -Tutf8 -ww" \
		expect_exit 0 groff -man -Tutf8 -ww "$page"
	test_expect "... without a warning" expect_eq "$ERR" ""
else
	test_skip "the man page renders with groff -man -Tutf8 -ww" "no groff here"
fi
if command -v man >/dev/null 2>&1; then
	test_expect "man -l renders it without a warning" expect_exit 0 man -l "$page"
	test_expect "... nothing on stderr" expect_eq "$ERR" ""
	test_expect "... and it is rapport's page, serve's options and all" \
		expect_match "$OUT" 'serve \[--listen ENDPOINT\] \[--discover'
else
	test_skip "man -l renders it without a warning" "no man here"
fi

test_begin "the completion: commands, and the names in the home the line names"

# complete WORD...: what the installed completion offers for the last WORD of
# the line "WORD...", as the line holds them (quoted as typed), one a line.
complete_line()
{
	# shellcheck disable=SC2016   # expanded by the inner bash
	env PATH="$P/bin:$PATH" bash -c '. "$0" || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_rapport
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$@"
}

complete_sorted()
{
	complete_line "$@" | sort
}

# reads_back REPLY NAME: the shell reads the completion REPLY as the one word NAME.
reads_back()
{
	local words
	eval "words=($1)"
	expect_eq "${#words[@]}:${words[0]}" "1:$2" "words the shell reads in [$1]"
}

new_team h ann T
new_device bobdev bob
bob_id="$(rp bobdev id)"
rp_must h member add bob "$bob_id" >/dev/null
rp_must h account add "Bakery Blum" >/dev/null
rp_must h account add "ACME Tools" >/dev/null
rp_must h account add 'Quo"te \ & co' >/dev/null
rp_must h peer add shop tcp://127.0.0.1:7399 "$bob_id" >/dev/null
H="$(printf %q "$TMP/h")"     # the home as a user types it

# shellcheck disable=SC2016
test_expect "the completion loads in bash" expect_exit 0 bash -c '. "$0"' "$comp"
test_expect "... quietly" expect_eq "$ERR" ""
test_expect "rapport sh<TAB> completes the command show" expect_stdout "show" complete_line rapport sh
test_expect "rapport peer r<TAB> completes remove" expect_stdout "remove" complete_line rapport peer r
test_expect "rapport --home H show Bak<TAB> completes the account, escaped" \
	expect_stdout 'Bakery\ Blum' complete_line rapport --home "$H" show Bak
test_expect "... which the shell reads back as the name" reads_back "$OUT" "Bakery Blum"
test_expect "... also with --home=H" \
	expect_stdout 'Bakery\ Blum' complete_line rapport --home="$H" show Bak
test_expect "... and after an opening quote, as it is inside it" \
	expect_stdout 'Bakery Blum' complete_line rapport --home "$H" show '"Bak'
test_expect "... and after an escaped space" \
	expect_stdout 'Bakery\ Blum' complete_line rapport --home "$H" show 'Bakery\ B'
test_expect "a name with a quote, a backslash and an & reads back whole" \
	expect_exit 0 complete_line rapport --home "$H" show Quo
test_expect "... as that name" reads_back "$OUT" 'Quo"te \ & co'
test_expect "rapport log <TAB>: every account" \
	expect_stdout "$(printf '%s\n' 'ACME\ Tools' 'Bakery\ Blum' 'Quo\"te\ \\\ \&\ co' | sort)" \
	complete_sorted rapport --home "$H" log ""
test_expect "rapport log ACCOUNT c<TAB>: the interaction types" \
	expect_stdout "$(printf '%s\n' call complaint)" complete_line rapport --home "$H" log Bakery c
test_expect "rapport handover X --to <TAB>: the members" \
	expect_stdout "$(printf '%s\n' ann bob)" complete_sorted rapport --home "$H" handover Bakery --to ""
test_expect "rapport member revoke b<TAB>: bob" \
	expect_stdout "bob" complete_line rapport --home "$H" member revoke b
test_expect "rapport sync <TAB>: the peers" expect_stdout "shop" complete_line rapport --home "$H" sync ""
test_expect "rapport peer remove <TAB>: the peers" \
	expect_stdout "shop" complete_line rapport --home "$H" peer remove ""
test_expect "rapport serve --no-d<TAB>: its options" \
	expect_stdout "$(printf '%s\n' --no-dial --no-discover)" complete_sorted rapport serve --no-d
test_expect "a home that does not exist offers no names" \
	expect_stdout "" complete_line rapport --home "$TMP/nohome" show ""
test_expect "... and is not made" test ! -e "$TMP/nohome"

test_begin "make install DESTDIR=... PREFIX=/usr/local: a system prefix"

D="$TMP/d"
test_expect "make install DESTDIR=\$TMP/d PREFIX=/usr/local succeeds" \
	expect_exit 0 mk install DESTDIR="$D" PREFIX=/usr/local
test_expect "... the four files, the unit in lib/systemd/user" \
	expect_files "$D/usr/local" bin/rapport share/man/man1/rapport.1 \
	share/bash-completion/completions/rapport lib/systemd/user/rapport.service
test_expect "... and no unit in share/systemd/user" test ! -e "$D/usr/local/share/systemd/user/rapport.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	test_expect "systemd --user looks for units in /usr/local/lib/systemd/user" \
		expect_stdout_match '^/usr/local/lib/systemd/user$' \
		env XDG_RUNTIME_DIR="$TMP/run" systemd-analyze --user unit-paths
else
	test_skip "systemd --user looks for units in /usr/local/lib/systemd/user" "no systemd-analyze here"
fi
test_expect "the unit's ExecStart names /usr/local/bin/rapport (not DESTDIR)" \
	expect_eq "$(grep '^ExecStart=' "$D/usr/local/lib/systemd/user/rapport.service")" \
	"ExecStart=/usr/local/bin/rapport serve"
test_expect "... and it is the home's unit but for the binary's path" \
	expect_eq "$(sed "s|$P/bin/|/usr/local/bin/|" "$unit" | diff - "$D/usr/local/lib/systemd/user/rapport.service")" ""

test_begin "make uninstall removes exactly what install put there"

test_expect "make uninstall PREFIX=\$HOME/.local succeeds" expect_exit 0 mk uninstall PREFIX="$P"
test_expect "... and leaves only the directories, and someone else's file" \
	expect_only_dirs "$P" "$P/bin/other-tool"
test_expect "make uninstall DESTDIR=\$TMP/d PREFIX=/usr/local succeeds" \
	expect_exit 0 mk uninstall DESTDIR="$D" PREFIX=/usr/local
test_expect "... and leaves only the directories" expect_only_dirs "$D"
test_expect "a second uninstall finds nothing to remove, and succeeds" \
	expect_exit 0 mk uninstall PREFIX="$P"

test_done
