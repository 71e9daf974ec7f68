# cli/rapport.bash — bash completion for rapport(1): commands, sub-verbs,
# each command's options and the values they take. Never runs rapport itself.

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

	local commands="init id member team account contact show log follow-up done agenda
		top at-risk complaints resolve find history handover serve peer sync status
		export import fsck forget backup restore digest help"
	local types="call email visit meeting note purchase complaint gift feedback"
	local prefer="call email visit sms none"
	local when="today tomorrow yesterday +1d +3d +1w +2w"

	# Find the command and (for member, account, contact, peer) its sub-verb,
	# skipping the global options.
	local i cmd="" sub="" cmdi=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--home) ((i++)) ;;
		--home=*|--version|--help|-h) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${words[i]}; cmdi=$i
			elif [[ -z $sub && ${words[i]} != -* ]]; then
				case $cmd in member|account|contact|peer) sub=${words[i]} ;; esac
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
	--at|--due)
		COMPREPLY=($(compgen -W "$when" -- "$cur")); return ;;
	--currency)
		COMPREPLY=($(compgen -W "EUR USD GBP CHF" -- "$cur")); return ;;
	--email|--phone|--tag|--owner|--assignee|--contact|--outcome|--amount|--calls|\
	--name|--team|--note|--to|--from|--reason|--listen|--peer|--handover-to)
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

	local opts=""
	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
	member|account|contact|peer)
		if [[ -z $sub ]]; then
			case $cmd in
			member)  COMPREPLY=($(compgen -W "add list revoke" -- "$cur")) ;;
			account) COMPREPLY=($(compgen -W "add set tag list" -- "$cur")) ;;
			contact) COMPREPLY=($(compgen -W "add" -- "$cur")) ;;
			peer)    COMPREPLY=($(compgen -W "add list" -- "$cur")) ;;
			esac
			return
		fi
		case $cmd/$sub in
		member/add)    opts="--role" ;;
		member/list)   opts="--json" ;;
		member/revoke) opts="--handover-to --device" ;;
		account/add)   opts="--email --phone --prefer --tag --owner" ;;
		account/set)
			# ACCOUNT FIELD VALUE: offer the known fields in FIELD's place.
			local n=0
			for ((i = cmdi + 2; i < cword; i++)); do [[ ${words[i]} != -* ]] && ((n++)); done
			if ((n == 1)); then
				COMPREPLY=($(compgen -W "name email phone address website prefer consent notes" -- "$cur"))
			elif ((n == 2)) && [[ ${words[cword-1]} == prefer ]]; then
				COMPREPLY=($(compgen -W "$prefer" -- "$cur"))
			fi
			return ;;
		account/tag)   opts="--remove" ;;
		account/list)  opts="--mine --owner --tag --json" ;;
		contact/add)   opts="--role --email --phone --prefer" ;;
		peer/list)     opts="--json" ;;
		esac
		;;
	init)       opts="--name --team" ;;
	show)       opts="--json" ;;
	log)
		opts="--at --amount --currency --contact --outcome"
		if [[ $cur != -* ]]; then
			# ACCOUNT TYPE TEXT: offer the types in TYPE's place.
			local n=0
			for ((i = cmdi + 1; i < cword; i++)); do
				case ${words[i]} in
				--at|--amount|--currency|--contact|--outcome) ((i++)) ;;
				-*) ;;
				*) ((n++)) ;;
				esac
			done
			if ((n == 1)); then
				COMPREPLY=($(compgen -W "$types" -- "$cur"))
				return
			fi
		fi
		;;
	follow-up)  opts="--due --assignee" ;;
	agenda)     opts="--calls --json" ;;
	top)        opts="--by --json" ;;
	at-risk|status|history|find|fsck) opts="--json" ;;
	complaints) opts="--open --json" ;;
	handover)   opts="--to --from --note --dry-run --offline --json" ;;
	serve)      opts="--listen" ;;
	sync)       opts="--peer --json --keep" ;;
	export)     opts="--format --what --tag --bom" ;;
	forget)     opts="--reason" ;;
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
