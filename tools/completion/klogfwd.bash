# SPDX-License-Identifier: GPL-2.0
# bash completion for klogfwd(8)
#
# Keep _klogfwd_commands in sync with the command table in tools/klogfwd.c.

_klogfwd_commands="help version"
_klogfwd_global_opts="-j --json -p --pretty -V --version -h --help"

# The command the word names, or abbreviates as its only prefix.
_klogfwd_resolve()
{
	local word=$1 c match=
	for c in $_klogfwd_commands; do
		[[ $c == "$word" ]] && { echo "$c"; return; }
		if [[ $c == "$word"* ]]; then
			[[ -n $match ]] && return
			match=$c
		fi
	done
	echo "$match"
}

_klogfwd()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local i cmd_idx=0 cmd

	COMPREPLY=()
	# Global options come before the command word.
	for ((i = 1; i < COMP_CWORD; i++)); do
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

	# Only the first argument of a command is completed for now.
	((COMP_CWORD == cmd_idx + 1)) || return 0
	cmd=$(_klogfwd_resolve "${COMP_WORDS[cmd_idx]}")
	case $cmd in
	help)
		mapfile -t COMPREPLY < <(compgen -W "$_klogfwd_commands" -- "$cur")
		;;
	version)
		mapfile -t COMPREPLY < <(compgen -W "help --help" -- "$cur")
		;;
	esac
	return 0
}

complete -F _klogfwd klogfwd
