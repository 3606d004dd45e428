#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command line behaviour of "klogfwd monitor" that needs no kernel module:
# help, prefixes, and every usage error, each of which must exit 2 before
# any netlink traffic; without the module, valid command lines exit 1 at
# once instead of waiting for events. Runs on the host or in a VM, as any
# user; with the module loaded the tests that would wait for events are
# skipped.
#
#   bash selftests/cli_monitor_usage.sh (binary: $KLOGFWD, default
#                                        build/tools/klogfwd next to this dir)
#
# Output is KTAP (TAP version 13); the exit status is 0 only if no test
# failed.

set -u

# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "$0")/cli_lib.sh"


# The regex matching the string $1 literally.
re()
{
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# usage_err REGEX ARGS...: klogfwd ARGS is a usage error: exit 2, nothing
# on stdout, on stderr "klogfwd: " + a line matching REGEX and the hint to
# 'klogfwd help monitor'. Records every failure, returns 1 on any.
usage_err()
{
	local regex=$1 n=${#why[@]}

	shift
	run "$@"
	expect_rc 2
	expect_no_out
	expect_lines err 2
	[[ ${err%%$'\n'*} =~ ^klogfwd:\ $regex$ ]] ||
		fail "'$last_cmd': message '${err%%$'\n'*}' does not match /$regex/"
	[[ ${err#*$'\n'} == "Try 'klogfwd help monitor' for more information." ]] ||
		fail "'$last_cmd': no hint to 'klogfwd help monitor'"
	((${#why[@]} == n))
}

# Tests: print a skip reason via skip() and return 0 to skip.

test_monitor_listed()
{
	run help
	expect_rc 0 && expect_out '^  monitor  +print the events of logs and targets as they happen$'
}

test_monitor_help()
{
	local want args

	run monitor --help
	expect_rc 0 && expect_no_err &&
		expect_out '^Usage: klogfwd \[-j \[-p\]\] monitor \[time\] \[count N\]$' || return
	want=$out
	for args in "monitor -h" "monitor help" "help monitor" "mon --help" "m -h" \
		"-j monitor --help"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 && expect_no_err || return
		[[ $out == "$want" ]] || { fail "'klogfwd $args' differs from 'klogfwd monitor --help'"; return; }
	done
}

test_help_documents_output()
{
	local re

	run monitor --help
	expect_rc 0 || return
	for re in '^  log NAME EVENT \[count N\]$' '^  target NAME log LOG to ADDR:PORT state STATE' \
		'^  unknown event CMD$' 'segment-rolled' 'segment-deleted' 'records-dropped' \
		'recovered' '"type":"log"' '"type":"target"' '"type":"unknown"' 'CAP_NET_ADMIN' \
		'SIGINT' 'SIGTERM'; do
		expect_out "$re" || return
	done
}

test_unknown_keyword()
{
	usage_err "monitor: unknown keyword 'bogus'" monitor bogus
	usage_err "monitor: unknown keyword 'timeout'" monitor timeout 5
	usage_err "monitor: unknown keyword 'Count'" monitor Count 5
	usage_err "monitor: unknown keyword '5'" monitor 5
	usage_err "monitor: unknown keyword 'bogus'" monitor count 5 bogus
	usage_err "monitor: unknown keyword ''" monitor ""
	((${#why[@]} == 0))
}

test_bad_count()
{
	local v

	for v in x 0 -1 +1 1k 1.5 0x10 "" " 5" "5 " 99999999999999999999; do
		usage_err "monitor: invalid value '$(re "$v")' for count \\(expected a number of events from 1\\)" \
			monitor count "$v"
	done
	((${#why[@]} == 0))
}

test_missing_count()
{
	usage_err "monitor: missing value for count" monitor count
	usage_err "monitor: missing value for count" m count
}

test_count_twice()
{
	usage_err "monitor: count given twice" monitor count 1 count 2
	usage_err "monitor: count given twice" monitor count 1 count 1
	usage_err "monitor: time given twice" monitor time count 1 time
	usage_err "monitor: unknown keyword 'Time'" monitor Time
}

test_first_error_wins()
{
	usage_err "monitor: unknown keyword 'bogus'" monitor bogus count x
	usage_err "monitor: invalid value 'x' for count \\(.*\\)" monitor count x bogus
}

test_json_usage_error()
{
	usage_err "monitor: unknown keyword 'bogus'" -j monitor bogus
	usage_err "monitor: invalid value 'x' for count \\(.*\\)" -p monitor count x
}

test_valid_reaches_kernel()
{
	local line
	local -a args
	local lines=(
		"monitor"
		"monitor count 1"
		"monitor count 18446744073709551615"
		"mon count 5"
		"m"
		"-j monitor"
		"-p monitor count 2"
		"monitor time"
		"monitor count 3 time"
		"monitor time -j"
	)

	module_loaded && { skip "module loaded (would wait for events)"; return; }
	for line in "${lines[@]}"; do
		read -r -a args <<<"$line"
		run "${args[@]}"
		expect_rc 1 || continue
		expect_no_out
		[[ $err == "$NOT_LOADED_MSG" ]] || fail "'$last_cmd': unexpected error: $err"
	done
	((${#why[@]} == 0))
}

# No netlink socket is opened before the command line is parsed.
test_no_netlink_on_usage_error()
{
	local line
	local -a args
	local lines=(
		"monitor bogus"
		"monitor count"
		"monitor count x"
		"monitor count 0"
		"monitor count 1 count 2"
		"-j monitor count 1 x"
	)

	command -v strace >/dev/null || { skip "strace not available"; return; }
	module_loaded && { skip "module loaded (the control would wait for events)"; return; }
	# the control: a valid command does open one
	strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" monitor count 1 >/dev/null 2>&1
	grep -q 'AF_NETLINK' "$tmp/strace" ||
		{ skip "strace does not work here"; return; }
	for line in "${lines[@]}"; do
		read -r -a args <<<"$line"
		strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" "${args[@]}" \
			</dev/null >/dev/null 2>&1
		rc=$?
		[[ $rc == 2 ]] || fail "'klogfwd $line' under strace exited $rc, expected 2"
		! grep -q 'AF_NETLINK' "$tmp/strace" ||
			fail "'klogfwd $line' opened a netlink socket"
	done
	((${#why[@]} == 0))
}

test_completion()
{
	local got

	[[ -r $COMPLETION ]] || { skip "no $COMPLETION"; return; }
	got=$(complete_words "")
	[[ $got == *"monitor "* ]] || fail "'klogfwd <TAB>' offers '$got', not monitor"
	got=$(complete_words "m")
	[[ $got == "monitor " ]] || fail "'klogfwd m<TAB>' offers '$got'"
	got=$(complete_words "" -j)
	[[ $got == *"monitor "* ]] || fail "'klogfwd -j <TAB>' offers '$got', not monitor"
	got=$(complete_words "" monitor)
	[[ $got == "count help time " ]] || fail "'klogfwd monitor <TAB>' offers '$got'"
	got=$(complete_words "" monitor count 5)
	[[ $got == "time " ]] || fail "'klogfwd monitor count 5 <TAB>' offers '$got'"
	got=$(complete_words "" monitor time)
	[[ $got == "count " ]] || fail "'klogfwd monitor time <TAB>' offers '$got'"
	got=$(complete_words "" monitor time count 2)
	[[ -z $got ]] || fail "'klogfwd monitor time count 2 <TAB>' offers '$got'"
	got=$(complete_words "c" mon)
	[[ $got == "count " ]] || fail "'klogfwd mon c<TAB>' offers '$got'"
	got=$(complete_words "" monitor count)
	[[ -z $got ]] || fail "'klogfwd monitor count <TAB>' offers '$got'"
	got=$(complete_words "mo" help)
	[[ $got == "monitor " ]] || fail "'klogfwd help mo<TAB>' offers '$got'"
	((${#why[@]} == 0))
}

test_valgrind()
{
	local -a cmds=("monitor --help" "help monitor" "monitor bogus" "monitor count x"
		"monitor count 1 count 2" "-j monitor count")

	command -v valgrind >/dev/null || { skip "valgrind not available"; return; }
	# and through netlink, which fails at once without the module
	module_loaded || cmds+=("monitor" "-j monitor count 1")
	valgrind_clean "${cmds[@]}"
}

tests=(
	"test_monitor_listed:klogfwd help lists the monitor command"
	"test_monitor_help:monitor --help, -h, help, help monitor and prefixes agree"
	"test_help_documents_output:monitor --help documents the events, text and JSON"
	"test_unknown_keyword:an unknown keyword exits 2"
	"test_bad_count:a malformed, zero or too large count exits 2"
	"test_missing_count:count without its value exits 2"
	"test_count_twice:count given twice exits 2"
	"test_first_error_wins:the first error of the command line is reported"
	"test_json_usage_error:usage errors with -j and -p print nothing on stdout"
	"test_valid_reaches_kernel:valid command lines pass the parser (exit 1 without the module)"
	"test_no_netlink_on_usage_error:no netlink socket is opened on a usage error"
	"test_completion:bash completion of monitor and its keyword"
	"test_valgrind:no memory errors or leaks under valgrind"
)

run_tests cli_monitor_usage
