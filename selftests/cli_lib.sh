# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers of the klogfwd CLI selftests that need no kernel module
# (cli_usage.sh, cli_log_usage.sh, cli_target_usage.sh,
# cli_monitor_usage.sh): the binary and a scratch directory, run (klogfwd
# under a timeout, output captured), the expect_* checks that record why they
# fail, skip, run_tests, which runs the tests listed in the array "tests" and
# prints KTAP (TAP version 13), and the table drivers: check_rows (command
# line | exit | message), check_completion, check_no_netlink and
# check_valgrind, each of which reads one check a row from standard input.
#
# Source it as: source "$(dirname "$0")/cli_lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
KLOGFWD=${KLOGFWD:-$here/../build/tools/klogfwd}
# KTAP output from the kernel's ktap_helpers.sh, as every test
# shellcheck source=SCRIPTDIR/lib.sh
source "$here/lib.sh"
COMPLETION=$here/../tools/completion/klogfwd.bash

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2034 # used by the scripts that source this file
NOT_LOADED_MSG="klogfwd: the klogfwd kernel module is not loaded (generic netlink family \"klogfwd\" not found); load it with 'modprobe klogfwd' or 'insmod klogfwd.ko'"

if command -v timeout >/dev/null; then
	TIMEOUT=(timeout 30)
else
	TIMEOUT=()
fi

# run ARGS...: run klogfwd with stdin from /dev/null; sets rc, out, err.
run()
{
	"${TIMEOUT[@]}" "$KLOGFWD" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	slurp out "$tmp/out"
	slurp err "$tmp/err"
	last_cmd="klogfwd $*"
}

# slurp VAR FILE: VAR is FILE's text as $(cat FILE) gives it (trailing
# newlines dropped), read without starting a process: the CLI tests run
# the CLI about 2,000 times, and processes were most of their time
slurp()
{
	local -n _slurp_var=$1

	IFS= read -r -d '' _slurp_var <"$2"
	while [[ $_slurp_var == *$'\n' ]]; do
		_slurp_var=${_slurp_var%$'\n'}
	done
	return 0
}

# Checks: each returns 1 and records why on failure.
fail()
{
	why+=("$*")
	return 1
}

expect_rc()
{
	[[ $rc == "$1" ]] || fail "'$last_cmd' exited $rc, expected $1${err:+ (stderr: ${err%%$'\n'*})}"
}

expect_out()
{
	grep -qE -- "$1" <<<"$out" || fail "stdout of '$last_cmd' does not match /$1/"
}

expect_err()
{
	grep -qE -- "$1" <<<"$err" || fail "stderr of '$last_cmd' does not match /$1/ (got: $err)"
}

expect_no_out()
{
	[[ -z $out ]] || fail "'$last_cmd' wrote to stdout"
}

expect_no_err()
{
	[[ -z $err ]] || fail "'$last_cmd' wrote to stderr: $err"
}

# expect_lines out|err N: the raw stream is exactly N newline-terminated,
# non-empty lines.
expect_lines()
{
	local file=$tmp/$1 n=$2 text nl

	IFS= read -r -d '' text <"$file"
	nl=${text//[!$'\n']/}
	[[ ${#nl} == "$n" && $text == *$'\n' ]] ||
		fail "std$1 of '$last_cmd' is not exactly $n line(s): $text"
	[[ $text != $'\n'* && $text != *$'\n\n'* ]] || fail "std$1 of '$last_cmd' has an empty line"
}

# list_commands ARGS...: the commands listed under "Commands:" by klogfwd ARGS
# (help, log --help, ...).
list_commands()
{
	"$KLOGFWD" "$@" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# unique_prefixes WORD "WORDS": the proper prefixes of WORD, shortest first,
# that no other word of WORDS starts with.
unique_prefixes()
{
	local word=$1 other p n

	for ((n = 1; n < ${#word}; n++)); do
		p=${word:0:n}
		for other in $2; do
			[[ $other != "$word" && $other == "$p"* ]] && continue 2
		done
		echo "$p"
	done
}

# The regex matching the string $1 literally.
re()
{
	local s=$1 c o= i specials='][\.*^$+?(){}|/'

	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		[[ $specials == *"$c"* ]] && o+=\\
		o+=$c
	done
	printf '%s\n' "$o"
}

module_loaded()
{
	[[ -e /sys/module/klogfwd ]]
}

# valgrind_clean CMDLINE...: klogfwd runs each CMDLINE (its words split on
# blanks) under valgrind with no memory errors or leaks.
valgrind_clean()
{
	local args

	for args in "$@"; do
		# shellcheck disable=SC2086
		valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=99 "$KLOGFWD" $args </dev/null >/dev/null 2>"$tmp/vg"
		[[ $? != 99 ]] || { fail "valgrind errors for 'klogfwd $args': $(grep '==' "$tmp/vg" | head -n 5)"; return; }
	done
}

# skip REASON: called by a test that then returns 0, to be reported as skipped.
skip()
{
	skip_reason=$*
}

# run_tests NAME: run the tests listed in the array "tests" as
# "function:description" and print KTAP; NAME heads the summary line. Returns
# 0 only if no test failed.
run_tests()
{
	local name=$1 t fn desc w t0 rc

	ktap_print_header
	# shellcheck disable=SC2154 # "tests" is set by the sourcing script
	ktap_set_plan "${#tests[@]}"

	if [[ ! -x $KLOGFWD ]]; then
		echo "Bail out! klogfwd binary not found: $KLOGFWD (build it with make -C tools)"
		exit 1
	fi
	echo "# binary: $KLOGFWD"

	for t in "${tests[@]}"; do
		fn=${t%%:*}
		desc=${t#*:}
		why=()
		skip_reason=
		t0=$EPOCHREALTIME
		"$fn"
		rc=$?
		[ "${KLF_CASE_TIMES:-0}" = 1 ] && echo "# time: $(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 )) ms: $desc"
		if ((rc == 0 && ${#why[@]} == 0)); then
			if [[ -n $skip_reason ]]; then
				ktap_result 4 "$desc" "$skip_reason"
			else
				ktap_result 0 "$desc"
			fi
		else
			ktap_result 1 "$desc"
			for w in "${why[@]:0:20}"; do
				echo "# $w"
			done
			((${#why[@]} <= 20)) || echo "# ... and $((${#why[@]} - 20)) more"
			[[ ${#why[@]} -gt 0 ]] || echo "# (no reason recorded)"
		fi
	done

	ktap_print_totals
	echo "$name: $KTAP_CNT_PASS passed, $KTAP_CNT_FAIL failed, $KTAP_CNT_SKIP skipped"
	((KTAP_CNT_FAIL == 0))
}

# bash completion: words offered after "klogfwd WORDS... CUR"
complete_words()
{
	local cur=$1

	shift
	bash -c '
		source "$1" || exit 1
		shift
		cur=$1
		shift
		COMP_WORDS=(klogfwd "$@" "$cur")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_klogfwd
		((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$COMPLETION" "$cur" "$@" 2>&1 | sort | tr '\n' ' '
}

# The tables. Each driver below reads its table from standard input (a
# here-document), one check a row, columns separated by "|"; blanks around a
# column are ignored, and so are empty rows and rows starting with "#". A
# column of command words is shell syntax, read with globbing off: quote an
# empty or blank word ("", " 5"); $ADD, $ROOT_GROUP and such expand. Adding a
# check is adding a row.

# trim VAR: strip the blanks around the value of the variable VAR.
trim()
{
	local -n s=$1

	s=${s#"${s%%[![:space:]]*}"}
	s=${s%"${s##*[![:space:]]}"}
}

# split_words TEXT: set the array "words" to the shell words of TEXT,
# unglobbed.
split_words()
{
	set -f
	eval "words=($1)"
	set +f
}

# usage_err GROUP REGEX ARGS...: klogfwd ARGS is a usage error: exit 2,
# nothing on stdout, on stderr "klogfwd: " + a line matching REGEX and the
# hint to 'klogfwd help GROUP' (to 'klogfwd help' if GROUP is empty).
# Records every failure, returns 1 on any.
usage_err()
{
	local group=$1 regex=$2 n=${#why[@]}

	shift 2
	run "$@"
	expect_rc 2
	expect_no_out
	expect_lines err 2
	[[ ${err%%$'\n'*} =~ ^klogfwd:\ $regex$ ]] ||
		fail "'$last_cmd': message '${err%%$'\n'*}' does not match /$regex/"
	[[ ${err#*$'\n'} == "Try 'klogfwd help${group:+ $group}' for more information." ]] ||
		fail "'$last_cmd': no hint to 'klogfwd help${group:+ $group}'"
	((${#why[@]} == n))
}

# check_row EXIT MESSAGE ARGS...: one row of check_rows, its values put in.
check_row()
{
	local code=$1 msg=$2 group

	shift 2
	case $code in
	2)
		# the hint names the command that the message starts with
		# ("log add: ..."), else the script's GROUP ("unknown command")
		# shellcheck disable=SC2153 # GROUP is set by the sourcing script
		group=${GROUP-}
		[[ $msg =~ ^([a-z]+( [a-z]+)?):\  ]] && group=${BASH_REMATCH[1]}
		usage_err "$group" "$msg" "$@"
		;;
	1)
		run "$@"
		expect_rc 1 || return
		expect_no_out
		[[ $msg == NOT_LOADED ]] ||
			{ fail "table: exit 1 rows expect NOT_LOADED, not '$msg'"; return; }
		[[ $err == "$NOT_LOADED_MSG" ]] || fail "'$last_cmd': unexpected error: $err"
		;;
	*)
		fail "table: unknown exit '$code' for '$*'"
		;;
	esac
}

# check_rows: the rows "ARGS | EXIT | MESSAGE [| VALUES]": klogfwd ARGS
# exits EXIT with nothing on stdout, and
#   EXIT 2 (a usage error): on stderr "klogfwd: " + a line matching the
#     extended regex MESSAGE (anchored at both ends), then the hint to
#     'klogfwd help CMD', CMD the one or two words MESSAGE starts with
#     ("log add: ...") or else $GROUP (the script's command group);
#   EXIT 1 (MESSAGE NOT_LOADED): the line passes the parser and fails on the
#     missing module: stderr is exactly $NOT_LOADED_MSG.
# With VALUES (shell words), the row is run once for each value, put in for
# "%" in ARGS and, as a literal regex, in MESSAGE. Records every failure,
# returns 1 on any.
check_rows()
{
	local line args code msg vals v n=${#why[@]}
	local -a words cmd values

	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		IFS='|' read -r args code msg <<<"$line"
		vals=
		if [[ $msg == *' | '* ]]; then
			vals=${msg#* | }
			msg=${msg%% | *}
		fi
		trim args
		trim code
		trim msg
		split_words "$args"
		if [[ -z $vals ]]; then
			check_row "$code" "$msg" "${words[@]}"
			continue
		fi
		set -f
		eval "values=($vals)"
		set +f
		for v in "${values[@]}"; do
			cmd=("${words[@]//'%'/"$v"}")
			check_row "$code" "${msg//'%'/"$(re "$v")"}" "${cmd[@]}"
		done
	done
	((${#why[@]} == n))
}

# check_completion: the rows "WORDS | CUR | OFFERED": the bash completion of
# "klogfwd WORDS CUR<TAB>" offers
#   exactly the words OFFERED (nothing if OFFERED is empty), or, if each word
#   of OFFERED starts with + or !,
#   for +GLOB a word matching GLOB, for !GLOB no word matching GLOB.
check_completion()
{
	local line wtext cur offered got w g v ok n=${#why[@]}
	local -a words cmdwords want gotw

	[[ -r $COMPLETION ]] || { skip "no $COMPLETION"; return 0; }
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		IFS='|' read -r wtext cur offered <<<"$line"
		trim wtext
		trim cur
		trim offered
		split_words "$wtext"
		cmdwords=("${words[@]}")
		split_words "$cur"
		cur=${words[0]-}
		split_words "$offered"
		want=("${words[@]}")
		got=$(complete_words "$cur" "${cmdwords[@]}")
		read -r -a gotw <<<"$got"
		w="'klogfwd ${cmdwords[*]}${cmdwords[*]:+ }$cur<TAB>'"
		if [[ ${want[*]} != [+!]* ]]; then
			[[ $got == "${want[*]}${want[*]:+ }" ]] || fail "$w offers '$got', not '${want[*]}'"
			continue
		fi
		for g in "${want[@]}"; do
			ok=0
			for v in "${gotw[@]}"; do
				# shellcheck disable=SC2053 # a glob, on purpose
				[[ $v == ${g:1} ]] && ok=1
			done
			case $g$ok in
			+*0) fail "$w offers '$got', no word like ${g:1}" ;;
			!*1) fail "$w offers '$got', a word like ${g:1}" ;;
			esac
		done
	done
	((${#why[@]} == n))
}

# check_no_netlink CONTROL: the rows "ARGS": klogfwd ARGS exits 2 without
# opening a netlink socket (strace), while "klogfwd CONTROL" (a valid command
# line) opens one. Skips without strace.
check_no_netlink()
{
	local control=$1 line n=${#why[@]}
	local -a words

	command -v strace >/dev/null || { skip "strace not available"; return 0; }
	split_words "$control"
	strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" "${words[@]}" >/dev/null 2>&1
	grep -q 'AF_NETLINK' "$tmp/strace" ||
		{ skip "strace does not work here"; return 0; }
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		trim line
		split_words "$line"
		strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" "${words[@]}" \
			</dev/null >/dev/null 2>&1
		rc=$?
		[[ $rc == 2 ]] || fail "'klogfwd $line' under strace exited $rc, expected 2"
		! grep -q 'AF_NETLINK' "$tmp/strace" ||
			fail "'klogfwd $line' opened a netlink socket"
	done
	((${#why[@]} == n))
}

# check_valgrind: the rows "ARGS [| no module]": klogfwd ARGS runs under
# valgrind with no memory errors or leaks; the rows marked "no module" (they
# go through netlink) only while the module is not loaded. Skips without
# valgrind.
check_valgrind()
{
	local line args when
	local -a cmds=()

	command -v valgrind >/dev/null || { skip "valgrind not available"; return 0; }
	while IFS= read -r line; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		IFS='|' read -r args when <<<"$line"
		trim args
		trim when
		[[ $when == "no module" ]] && module_loaded && continue
		cmds+=("$args")
	done
	valgrind_clean "${cmds[@]}"
}

# same_help REF REGEX ARGS...: "klogfwd REF" exits 0, nothing on stderr, its
# output matching REGEX, and each of ARGS (words split on blanks) prints the
# same.
same_help()
{
	local ref=$1 regex=$2 args want

	shift 2
	# shellcheck disable=SC2086
	run $ref
	expect_rc 0 && expect_no_err && expect_out "$regex" || return
	want=$out
	for args; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 && expect_no_err || return
		[[ $out == "$want" ]] || { fail "'klogfwd $args' differs from 'klogfwd $ref'"; return; }
	done
}

# group_help GROUP REGEX ALIASES...: GROUP --help matches REGEX, and "GROUP
# -h", "GROUP help", "help GROUP" and each of ALIASES print the same; the
# commands it lists are $VERBS.
group_help()
{
	local group=$1 regex=$2 cmds

	shift 2
	same_help "$group --help" "$regex" "$group -h" "$group help" "help $group" "$@" || return
	[[ -z ${VERBS-} ]] && return
	cmds=$(list_commands "$group" --help | tr '\n' ' ')
	[[ $cmds == "$VERBS " ]] || fail "'$group --help' lists the commands '$cmds', not '$VERBS'"
}

# verb_help GROUP: each verb of $VERBS has --help, -h, help and help GROUP VERB.
verb_help()
{
	local group=$1 verb

	for verb in $VERBS; do
		same_help "$group $verb --help" "^Usage: klogfwd (\\[-j \\[-p\\]\\] )?$group $verb( |\$)" \
			"$group $verb -h" "$group $verb help" "help $group $verb" || return
	done
}

# verb_prefixes GROUP SHORT MIN: "SHORT P --help" for each unique prefix P
# of each verb of $VERBS is "GROUP VERB --help"; at least MIN tried.
verb_prefixes()
{
	local group=$1 short=$2 min=$3 verb p want tried=0

	for verb in $VERBS; do
		run "$group" "$verb" --help
		want=$out
		for p in $(unique_prefixes "$verb" "$VERBS"); do
			run "$short" "$p" --help
			tried=$((tried + 1))
			expect_rc 0 && expect_no_err || return
			[[ $out == "$want" ]] ||
				{ fail "'klogfwd $short $p --help' is not '$group $verb --help'"; return; }
		done
	done
	((tried >= min)) || fail "only $tried unique prefixes tried"
}

# help_keywords ARGS "LISTED" ["NOT LISTED"]: "klogfwd ARGS" lists each
# keyword of LISTED as "  KEYWORD ..." and none of NOT LISTED.
help_keywords()
{
	local kw

	# shellcheck disable=SC2086
	run $1
	expect_rc 0 || return
	for kw in $2; do
		expect_out "^  $kw( |\$)" || return
	done
	for kw in ${3-}; do
		! grep -qE "^  $kw( |\$)" <<<"$out" || fail "'$1' offers $kw"
	done
}
