# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers of the klogfwd CLI selftests that need no kernel module
# (cli_usage.sh, cli_log_usage.sh, cli_target_usage.sh): the binary and a
# scratch directory, run (klogfwd under a timeout, output captured), the
# expect_* checks that record why they fail, skip, and run_tests, which runs
# the tests listed in the array "tests" and prints KTAP (TAP version 13).
#
# Source it as: source "$(dirname "$0")/cli_lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
KLOGFWD=${KLOGFWD:-$here/../build/tools/klogfwd}
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
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	last_cmd="klogfwd $*"
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
	local file=$tmp/$1 n=$2

	[[ $(wc -l <"$file") == "$n" && $(tail -c 1 "$file" | od -An -c) == *'\n'* ]] ||
		fail "std$1 of '$last_cmd' is not exactly $n line(s): $(cat "$file")"
	! grep -q '^$' "$file" || fail "std$1 of '$last_cmd' has an empty line"
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
	local name=$1 pass=0 failed=0 skipped=0 n=0 t fn desc w

	echo "TAP version 13"
	# shellcheck disable=SC2154 # "tests" is set by the sourcing script
	echo "1..${#tests[@]}"

	if [[ ! -x $KLOGFWD ]]; then
		echo "Bail out! klogfwd binary not found: $KLOGFWD (build it with make -C tools)"
		exit 1
	fi
	echo "# binary: $KLOGFWD"

	for t in "${tests[@]}"; do
		n=$((n + 1))
		fn=${t%%:*}
		desc=${t#*:}
		why=()
		skip_reason=
		if "$fn" && ((${#why[@]} == 0)); then
			if [[ -n $skip_reason ]]; then
				echo "ok $n - $desc # SKIP $skip_reason"
				skipped=$((skipped + 1))
			else
				echo "ok $n - $desc"
				pass=$((pass + 1))
			fi
		else
			echo "not ok $n - $desc"
			for w in "${why[@]:0:20}"; do
				echo "# $w"
			done
			((${#why[@]} <= 20)) || echo "# ... and $((${#why[@]} - 20)) more"
			[[ ${#why[@]} -gt 0 ]] || echo "# (no reason recorded)"
			failed=$((failed + 1))
		fi
	done

	echo "# Totals: pass:$pass fail:$failed skip:$skipped"
	echo "$name: $pass passed, $failed failed, $skipped skipped"
	((failed == 0))
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
