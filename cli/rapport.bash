# cli/rapport.bash — bash completion for rapport(1): commands, sub-verbs,
# each command's options and the values they take, and the names of the
# accounts, members and peers of the home the line names (--home, else
# RAPPORT_HOME, else the default), which it asks that rapport for
# (`list --json`). It never writes, and works without the bash-completion package.

# The words compgen -W offers hold no space or glob: its output may be split.
# shellcheck disable=SC2207

# The value of a JSON string, $1 without its quotes, in REPLY.
_rapport_json_unescape()
{
	local s=$1 c hex
	REPLY=
	while [[ $s == *\\* ]]; do
		REPLY+=${s%%\\*}
		s=${s#*\\}
		c=${s:0:1}
		s=${s:1}
		case $c in
		n) REPLY+=$'\n' ;;
		t) REPLY+=$'\t' ;;
		r) REPLY+=$'\r' ;;
		b) REPLY+=$'\b' ;;
		f) REPLY+=$'\f' ;;
		u)
			hex=${s:0:4}
			s=${s:4}
			printf -v c %b "\\u$hex"
			REPLY+=$c ;;
		*) REPLY+=$c ;;   # \" \\ \/
		esac
	done
	REPLY+=$s
}

# A word as the shell will read it (quotes and backslashes removed, a leading
# ~/ made $HOME), in REPLY; the quote left open at its end, if any, in
# _rapport_open_quote.
_rapport_dequote()
{
	local w=$1 c q=
	REPLY=
	while [[ -n $w ]]; do
		c=${w:0:1}
		w=${w:1}
		if [[ $q == "'" ]]; then
			if [[ $c == "'" ]]; then q=; else REPLY+=$c; fi
		elif [[ $q == '"' ]]; then
			if [[ $c == '"' ]]; then
				q=
			elif [[ $c == \\ && $w == [\"\\\$\`]* ]]; then
				REPLY+=${w:0:1}
				w=${w:1}
			else
				REPLY+=$c
			fi
		else
			case $c in
			\'|\") q=$c ;;
			\\) REPLY+=${w:0:1}; w=${w:1} ;;
			*) REPLY+=$c ;;
			esac
		fi
	done
	_rapport_open_quote=$q
	[[ $1 == \~/* ]] && REPLY=$HOME/${REPLY#\~/}
}

# COMPREPLY: the names of $1 (account, member or peer) that start with the
# word being completed, quoted so that the line reads them back whole: escaped
# (Bakery\ Blum), or as they are inside the quote the word opened ("Bakery Blum).
# The names come from `rapport [--home H] $1 list --json`, a "name" per line.
_rapport_names()
{
	local kind=$1 line name q
	local re='[{,]"name":"(([^"\\]|\\.)*)"'
	local -a ask=("$_rapport_bin")

	_rapport_dequote "$cur"
	local want=$REPLY quote=$_rapport_open_quote
	[[ -n $_rapport_home ]] && ask+=(--home "$_rapport_home")
	COMPREPLY=()
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		_rapport_json_unescape "${BASH_REMATCH[1]}"
		name=$REPLY
		[[ $name == "$want"* ]] || continue
		case $quote in
		\') q=$name ;;
		\") q=${name//\\/\\\\}; q=${q//\"/\\\"}; q=${q//\$/\\\$}; q=${q//\`/\\\`} ;;
		*) printf -v q %q "$name" ;;
		esac
		COMPREPLY+=("$q")
	done < <("${ask[@]}" "$kind" list --json 2>/dev/null </dev/null)
}

# In REPLY, how many arguments (not options, nor the values of those in
# $valued) the line holds from word $1 to the one being completed; words,
# cword and valued are _rapport's.
_rapport_npos()
{
	local j
	REPLY=0
	for ((j = $1; j < cword; j++)); do
		if [[ " $valued " == *[[:space:]]"${words[j]}"[[:space:]]* ]]; then
			((j++))
		elif [[ ${words[j]} != -* ]]; then
			((REPLY++))
		fi
	done
}

_rapport()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="init id member team account contact show log follow-up done amend
		retract agenda campaign top at-risk complaints resolve find history handover serve peer sync status
		export import fsck forget backup restore digest help"
	local types="call email visit meeting note purchase complaint gift feedback"
	local prefer="call email visit sms none"
	local when="today tomorrow yesterday +1d +3d +1w +2w"
	# The options that take a value: the word after one is not an argument.
	local valued="--home --prefer --role --by --format --at --due --currency --email --phone
		--tag --owner --assignee --contact --outcome --amount --calls --name --team --note
		--to --from --reason --listen --discover --peer --handover-to --device --what --map
		--owner-map --limit --days --top --per-day"

	# The rapport of the line and its home, to ask for names.
	local _rapport_bin _rapport_home="" _rapport_open_quote
	_rapport_dequote "${words[0]}"
	_rapport_bin=$REPLY
	[[ $_rapport_bin == */* && -x $_rapport_bin ]] || _rapport_bin=rapport

	# Find the command and (for member, team, account, contact, peer) its
	# sub-verb, skipping the global options.
	local i cmd="" sub="" cmdi=0 subi=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--home)
			_rapport_dequote "${words[i+1]}"
			_rapport_home=$REPLY
			((i++)) ;;
		--home=*)
			_rapport_dequote "${words[i]#--home=}"
			_rapport_home=$REPLY ;;
		--version|--help|-h) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}; cmdi=$i
			elif [[ -z $sub && ${words[i]} != -* ]]; then
				case $cmd in member|team|account|contact|peer) sub=${words[i]}; subi=$i ;; esac
				break
			fi
			;;
		esac
	done

	# Values of options.
	case $prev in
	--home)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--prefer)
		COMPREPLY=($(compgen -W "$prefer" -- "$cur")); return ;;
	--role)
		if [[ $cmd == member ]]; then
			COMPREPLY=($(compgen -W "admin manager rep hub" -- "$cur"))
		fi
		return ;;
	--by)
		COMPREPLY=($(compgen -W "value recent frequency" -- "$cur")); return ;;
	--format)
		COMPREPLY=($(compgen -W "jsonl csv vcard" -- "$cur")); return ;;
	--what)
		COMPREPLY=($(compgen -W "accounts interactions contacts" -- "$cur")); return ;;
	--at|--due)
		COMPREPLY=($(compgen -W "$when" -- "$cur")); return ;;
	--currency)
		COMPREPLY=($(compgen -W "EUR USD GBP CHF" -- "$cur")); return ;;
	--owner|--assignee|--to|--from|--handover-to)
		if [[ $cmd == campaign && $prev == --from ]]; then
			COMPREPLY=($(compgen -W "$when" -- "$cur"))
		else
			_rapport_names member
		fi
		return ;;
	--email|--phone|--tag|--contact|--outcome|--amount|--calls|--name|--team|--note|\
	--reason|--listen|--discover|--peer|--device|--map|--owner-map|--limit|--days|--top|--per-day)
		return ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	local opts="" n
	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	member|team|account|contact|peer)
		if [[ -z $sub ]]; then
			case $cmd in
			member)  COMPREPLY=($(compgen -W "add list revoke" -- "$cur")) ;;
			team)    COMPREPLY=($(compgen -W "currency calls holidays keep" -- "$cur")) ;;
			account) COMPREPLY=($(compgen -W "add set tag archive list" -- "$cur")) ;;
			contact) COMPREPLY=($(compgen -W "add set list" -- "$cur")) ;;
			peer)    COMPREPLY=($(compgen -W "add remove list" -- "$cur")) ;;
			esac
			return
		fi
		_rapport_npos $((subi + 1))
		n=$REPLY
		case $cmd/$sub in
		member/add)
			opts="--role"
			if [[ $n == 0 ]]; then _rapport_names member; return; fi ;;
		member/list)   opts="--json" ;;
		member/revoke)
			opts="--handover-to --device"
			if [[ $n == 0 ]]; then _rapport_names member; return; fi ;;
		team/keep)
			if [[ $n == 0 ]]; then COMPREPLY=($(compgen -W "on off" -- "$cur")); fi
			return ;;
		team/currency)
			if [[ $n == 0 ]]; then COMPREPLY=($(compgen -W "EUR USD GBP CHF JPY" -- "$cur")); fi
			return ;;
		team/calls|team/holidays)
			return ;;
		account/add)   opts="--email --phone --prefer --tag --owner" ;;
		account/set)
			# ACCOUNT FIELD VALUE: the accounts, then the known fields.
			if [[ $n == 0 ]]; then
				_rapport_names account
			elif [[ $n == 1 ]]; then
				COMPREPLY=($(compgen -W "name email phone address website prefer consent cadence referred-by notes" -- "$cur"))
			elif [[ $n == 2 && $prev == prefer ]]; then
				COMPREPLY=($(compgen -W "$prefer" -- "$cur"))
			fi
			return ;;
		account/tag)
			opts="--remove"
			if [[ $n == 0 ]]; then _rapport_names account; return; fi ;;
		account/archive)
			opts="--undo"
			if [[ $n == 0 ]]; then _rapport_names account; return; fi ;;
		account/list)  opts="--mine --owner --tag --archived --limit --json" ;;
		contact/add)
			opts="--role --email --phone --prefer"
			if [[ $n == 0 ]]; then _rapport_names account; return; fi ;;
		contact/set)
			# CONTACT_ID FIELD VALUE: the fields after the id.
			if [[ $n == 1 ]]; then
				COMPREPLY=($(compgen -W "name role email phone prefer" -- "$cur"))
			elif [[ $n == 2 && $prev == prefer ]]; then
				COMPREPLY=($(compgen -W "$prefer" -- "$cur"))
			fi
			return ;;
		contact/list)
			opts="--json"
			if [[ $n == 0 ]]; then _rapport_names account; return; fi ;;
		peer/remove)
			if [[ $n == 0 ]]; then _rapport_names peer; fi
			return ;;
		peer/list)     opts="--json" ;;
		esac
		;;
	init)       opts="--name --team" ;;
	show|history|digest|forget|log|follow-up|handover)
		case $cmd in
		show|history) opts="--json" ;;
		forget)       opts="--reason" ;;
		log)          opts="--at --amount --currency --contact --outcome" ;;
		follow-up)    opts="--due --assignee" ;;
		handover)     opts="--to --from --note --no-intro --dry-run --offline --json" ;;
		esac
		if [[ $cur != -* ]]; then
			# ACCOUNT first; for log, TYPE after it.
			_rapport_npos $((cmdi + 1))
			n=$REPLY
			if [[ $n == 0 && ! ( $cmd == handover && " ${words[*]} " == *" --from "* ) ]]; then
				_rapport_names account
				[[ $cmd == follow-up ]] && COMPREPLY+=($(compgen -W "move cancel" -- "$cur"))
				return
			elif [[ $n == 1 && $cmd == log ]]; then
				COMPREPLY=($(compgen -W "$types" -- "$cur"))
				return
			fi
		fi
		;;
	amend)
		# IX_ID FIELD VALUE: the fields after the id.
		_rapport_npos $((cmdi + 1))
		if [[ $REPLY == 1 ]]; then
			COMPREPLY=($(compgen -W "text type at amount currency contact outcome" -- "$cur"))
		elif [[ $REPLY == 2 && $prev == type ]]; then
			COMPREPLY=($(compgen -W "$types" -- "$cur"))
		fi
		return ;;
	retract)    opts="--reason" ;;
	campaign)   opts="--top --by --tag --per-day --from --json"
		[[ $cur != -* ]] && _rapport_npos $((cmdi + 1)) && [[ $REPLY == 0 ]] &&
			COMPREPLY=($(compgen -W "list" -- "$cur")) && return ;;
	agenda)     opts="--calls --days --mine --owner --json" ;;
	top)        opts="--by --json" ;;
	at-risk|status|find|fsck) opts="--json" ;;
	complaints) opts="--open --json" ;;
	serve)      opts="--listen --discover --no-discover --no-dial --verbose" ;;
	sync)
		opts="--peer --json --keep --live"
		_rapport_npos $((cmdi + 1))
		if [[ $cur != -* && $cur != tcp:* && $REPLY == 0 ]]; then
			_rapport_names peer
			return
		fi
		;;
	export)     opts="--format --what --tag --bom" ;;
	import)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--dry-run --map --owner-map --json --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return ;;
	backup|restore)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
	fi
}

complete -F _rapport rapport
