# SPDX-License-Identifier: GPL-2.0
# bash completion for klogfwd(8)
#
# _klogfwd_commands follows the command table in tools/klogfwd.c, the
# _klogfwd_log_* lists tools/cmd_log.c, the _klogfwd_target_* lists
# tools/cmd_target.c and the values of each keyword their enums:
# selftests/cli_tables.py fails when they disagree.

_klogfwd_commands="help log monitor save stats status target version"
_klogfwd_global_opts="-j --json -p --pretty -b --batch -c --check -v --verbose -V --version -h --help"
_klogfwd_log_verbs="add set del show append"
_klogfwd_log_fixed="memory dir framing source from override"
_klogfwd_log_settings="segment-bytes retain-bytes retain-ms max-record overflow sync mode owner group input format hostname app-name facility severity level poll"
_klogfwd_target_verbs="add set del show"
_klogfwd_target_fixed="log to from ack tls peername cert key psk paused"
_klogfwd_target_settings="backoff keepalive user-timeout nodelay sndbuf window max-frame timeout rekey-after rekey-bytes"

# _klogfwd_resolve WORD NAME...: the NAME that WORD is, or abbreviates as
# the prefix of no other NAME.
_klogfwd_resolve()
{
	local word=$1 c match=
	shift
	for c in "$@"; do
		[[ $c == "$word" ]] && { echo "$c"; return; }
		if [[ $c == "$word"* ]]; then
			[[ -n $match ]] && return
			match=$c
		fi
	done
	echo "$match"
}

# Names of the existing logs (needs the module and CAP_NET_ADMIN).
_klogfwd_log_names()
{
	"${COMP_WORDS[0]}" log show 2>/dev/null | sed -n 's/^log \([^ ]*\).*/\1/p'
}

# The values of the log setting $1.
_klogfwd_log_value()
{
	local cur=${COMP_WORDS[COMP_CWORD]}

	case $1 in
	framing)
		mapfile -t COMPREPLY < <(compgen -W "lf octet klf" -- "$cur")
		;;
	overflow)
		mapfile -t COMPREPLY < <(compgen -W "drop block" -- "$cur")
		;;
	input)
		mapfile -t COMPREPLY < <(compgen -W "record lines" -- "$cur")
		;;
	format)
		mapfile -t COMPREPLY < <(compgen -W "raw rfc5424 rfc3164 json" -- "$cur")
		;;
	source)
		mapfile -t COMPREPLY < <(compgen -W "local kmsg" -- "$cur")
		;;
	from)
		mapfile -t COMPREPLY < <(compgen -W "boot now resume" -- "$cur")
		;;
	facility)
		mapfile -t COMPREPLY < <(compgen -W "kern user mail daemon auth syslog lpr news uucp cron authpriv ftp ntp security console solaris-cron local0 local1 local2 local3 local4 local5 local6 local7" -- "$cur")
		;;
	severity|level)
		mapfile -t COMPREPLY < <(compgen -W "emerg alert crit err warning notice info debug" -- "$cur")
		;;
	sync)
		mapfile -t COMPREPLY < <(compgen -W "none interval always" -- "$cur")
		;;
	dir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	owner)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		;;
	group)
		mapfile -t COMPREPLY < <(compgen -g -- "$cur")
		;;
	esac
}

# "klogfwd log VERB NAME SETTING...", the word "log" at index $1.
_klogfwd_log()
{
	local idx=$1 cur=${COMP_WORDS[COMP_CWORD]}
	local verb kw i words w offer=
	local -A given=()

	if ((COMP_CWORD == idx + 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_log_verbs help" -- "$cur")
		return
	fi
	# shellcheck disable=SC2086
	verb=$(_klogfwd_resolve "${COMP_WORDS[idx + 1]}" $_klogfwd_log_verbs)
	if ((COMP_CWORD == idx + 2)); then
		case $verb in
		set|del|show|append)
			mapfile -t COMPREPLY < <(compgen -W "$(_klogfwd_log_names)" -- "$cur")
			;;
		esac
		return
	fi
	case $verb in
	add)
		words="$_klogfwd_log_fixed $_klogfwd_log_settings"
		;;
	set)
		words=$_klogfwd_log_settings
		;;
	del)
		# log del NAME [force]
		((COMP_CWORD == idx + 3)) &&
			mapfile -t COMPREPLY < <(compgen -W "force" -- "$cur")
		return
		;;
	*)
		return
		;;
	esac
	# Keyword and value pairs after NAME; memory and override take no value.
	for ((i = idx + 3; i < COMP_CWORD; i++)); do
		kw=${COMP_WORDS[i]}
		given[$kw]=1
		case $kw in
		memory)
			given[dir]=1
			continue
			;;
		override)
			continue
			;;
		dir)
			given[memory]=1
			;;
		esac
		if ((i + 1 == COMP_CWORD)); then
			_klogfwd_log_value "$kw"
			return
		fi
		((i++))
	done
	for w in $words; do
		[[ -n ${given[$w]-} ]] || offer+=" $w"
	done
	mapfile -t COMPREPLY < <(compgen -W "$offer" -- "$cur")
}

# Names of the existing targets (needs the module and CAP_NET_ADMIN).
_klogfwd_target_names()
{
	"${COMP_WORDS[0]}" target show 2>/dev/null | sed -n 's/^target \([^ ]*\).*/\1/p'
}

# The values of the target keyword $1.
_klogfwd_target_value()
{
	local cur=${COMP_WORDS[COMP_CWORD]}

	case $1 in
	log)
		mapfile -t COMPREPLY < <(compgen -W "$(_klogfwd_log_names)" -- "$cur")
		;;
	from)
		mapfile -t COMPREPLY < <(compgen -W "earliest latest resume" -- "$cur")
		;;
	ack)
		mapfile -t COMPREPLY < <(compgen -W "tcp app relp" -- "$cur")
		;;
	nodelay)
		mapfile -t COMPREPLY < <(compgen -W "on off" -- "$cur")
		;;
	cert|key|psk)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	esac
}

# "klogfwd target VERB NAME KEYWORD...", the word "target" at index $1.
_klogfwd_target()
{
	local idx=$1 cur=${COMP_WORDS[COMP_CWORD]}
	local verb kw i words w offer=
	local -A given=()

	if ((COMP_CWORD == idx + 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_target_verbs help" -- "$cur")
		return
	fi
	# shellcheck disable=SC2086
	verb=$(_klogfwd_resolve "${COMP_WORDS[idx + 1]}" $_klogfwd_target_verbs)
	if ((COMP_CWORD == idx + 2)); then
		case $verb in
		set|del|show)
			mapfile -t COMPREPLY < <(compgen -W "$(_klogfwd_target_names)" -- "$cur")
			;;
		esac
		return
	fi
	case $verb in
	add)
		words="$_klogfwd_target_fixed $_klogfwd_target_settings"
		;;
	set)
		words="pause resume $_klogfwd_target_settings"
		;;
	*)
		return
		;;
	esac
	# Keyword and value pairs after NAME; paused, pause and resume take no
	# value, and pause and resume exclude each other.
	for ((i = idx + 3; i < COMP_CWORD; i++)); do
		kw=${COMP_WORDS[i]}
		given[$kw]=1
		case $kw in
		paused)
			continue
			;;
		pause|resume)
			given[pause]=1
			given[resume]=1
			continue
			;;
		esac
		if ((i + 1 == COMP_CWORD)); then
			_klogfwd_target_value "$kw"
			return
		fi
		((i++))
	done
	for w in $words; do
		[[ -n ${given[$w]-} ]] || offer+=" $w"
	done
	mapfile -t COMPREPLY < <(compgen -W "$offer" -- "$cur")
}

# "klogfwd monitor [count N]", the word "monitor" at index $1: only the
# keyword, N is a number.
_klogfwd_monitor()
{
	local idx=$1 cur=${COMP_WORDS[COMP_CWORD]}

	case ${COMP_WORDS[COMP_CWORD - 1]} in
	count)
		return
		;;
	esac
	# the keywords not given yet; help only as the first word
	local w words="" given=" ${COMP_WORDS[*]:idx+1:COMP_CWORD-idx-1} "
	((COMP_CWORD == idx + 1)) && words="help"
	for w in count time; do
		[[ $given == *" $w "* ]] || words="$words $w"
	done
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
}

_klogfwd()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local i cmd_idx=0 cmd

	COMPREPLY=()
	# -b FILE: a file name; no command follows
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	-b|--batch)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	esac
	# Global options come before the command word.
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-b|--batch)
			# -b FILE takes no command; --check may follow
			[[ $cur == -* ]] &&
				mapfile -t COMPREPLY < <(compgen -W "-c --check -v --verbose" -- "$cur")
			return 0
			;;
		esac
		if [[ ${COMP_WORDS[i]} != -* ]]; then
			cmd_idx=$i
			break
		fi
	done

	if ((cmd_idx == 0)); then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_global_opts" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_commands" -- "$cur")
		fi
		return 0
	fi

	# shellcheck disable=SC2086
	cmd=$(_klogfwd_resolve "${COMP_WORDS[cmd_idx]}" $_klogfwd_commands)
	if [[ $cmd == log ]]; then
		_klogfwd_log "$cmd_idx"
		return 0
	fi
	if [[ $cmd == target ]]; then
		_klogfwd_target "$cmd_idx"
		return 0
	fi
	if [[ $cmd == monitor ]]; then
		_klogfwd_monitor "$cmd_idx"
		return 0
	fi
	if [[ $cmd == help ]] && ((COMP_CWORD == cmd_idx + 2)); then
		# shellcheck disable=SC2086
		case $(_klogfwd_resolve "${COMP_WORDS[cmd_idx + 1]}" $_klogfwd_commands) in
		log)
			mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_log_verbs" -- "$cur")
			;;
		target)
			mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_target_verbs" -- "$cur")
			;;
		esac
		return 0
	fi

	if [[ $cmd == stats ]]; then
		case ${COMP_WORDS[COMP_CWORD - 1]} in
		-o|--output)
			mapfile -t COMPREPLY < <(compgen -W "text json prometheus" -- "$cur")
			;;
		*)
			((COMP_CWORD == cmd_idx + 1)) &&
				mapfile -t COMPREPLY < <(compgen -W "-o --output help --help" -- "$cur")
			;;
		esac
		return 0
	fi

	# Otherwise only the first argument of a command is completed.
	((COMP_CWORD == cmd_idx + 1)) || return 0
	case $cmd in
	help)
		mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_commands" -- "$cur")
		;;
	version|status)
		mapfile -t COMPREPLY < <(compgen -W "help --help" -- "$cur")
		;;
	save)
		# save [FILE]
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	esac
	return 0
}

complete -F _klogfwd klogfwd
