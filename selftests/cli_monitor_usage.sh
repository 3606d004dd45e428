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



GROUP=monitor

# Tests: print a skip reason via skip() and return 0 to skip. The usage
# errors are rows of check_rows (cli_lib.sh): command line | exit | message
# [| values for %].

test_monitor_listed()
{
	run help
	expect_rc 0 && expect_out '^  monitor  +print the events of logs and targets as they happen$'
}

test_monitor_help()
{
	group_help monitor '^Usage: klogfwd \[-j \[-p\]\] monitor \[time\] \[count N\]$' \
		"mon --help" "m -h" "-j monitor --help"
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
	check_rows <<'ROWS'
	monitor %         | 2 | monitor: unknown keyword '%' | bogus 5 ""
	monitor timeout 5 | 2 | monitor: unknown keyword 'timeout'
	monitor Count 5   | 2 | monitor: unknown keyword 'Count'
	monitor count 5 bogus | 2 | monitor: unknown keyword 'bogus'
ROWS
}

test_bad_count()
{
	check_rows <<'ROWS'
	monitor count % | 2 | monitor: invalid value '%' for count \(expected a number of events from 1\) | x 0 -1 +1 1k 1.5 0x10 "" " 5" "5 " 99999999999999999999
ROWS
}

test_missing_count()
{
	check_rows <<'ROWS'
	monitor count | 2 | monitor: missing value for count
	m count       | 2 | monitor: missing value for count
ROWS
}

test_count_twice()
{
	check_rows <<'ROWS'
	monitor count 1 count 2     | 2 | monitor: count given twice
	monitor count 1 count 1     | 2 | monitor: count given twice
	monitor time count 1 time   | 2 | monitor: time given twice
	monitor Time                | 2 | monitor: unknown keyword 'Time'
ROWS
}

test_first_error_wins()
{
	check_rows <<'ROWS'
	monitor bogus count x | 2 | monitor: unknown keyword 'bogus'
	monitor count x bogus | 2 | monitor: invalid value 'x' for count \(.*\)
ROWS
}

test_json_usage_error()
{
	check_rows <<'ROWS'
	-j monitor bogus   | 2 | monitor: unknown keyword 'bogus'
	-p monitor count x | 2 | monitor: invalid value 'x' for count \(.*\)
ROWS
}

test_valid_reaches_kernel()
{
	module_loaded && { skip "module loaded (would wait for events)"; return; }
	check_rows <<'ROWS'
	monitor                             | 1 | NOT_LOADED
	monitor count 1                     | 1 | NOT_LOADED
	monitor count 18446744073709551615  | 1 | NOT_LOADED
	mon count 5                         | 1 | NOT_LOADED
	m                                   | 1 | NOT_LOADED
	-j monitor                          | 1 | NOT_LOADED
	-p monitor count 2                  | 1 | NOT_LOADED
	monitor time                        | 1 | NOT_LOADED
	monitor count 3 time                | 1 | NOT_LOADED
	monitor time -j                     | 1 | NOT_LOADED
ROWS
}

# No netlink socket is opened before the command line is parsed.
test_no_netlink_on_usage_error()
{
	module_loaded && { skip "module loaded (the control would wait for events)"; return; }
	check_no_netlink "monitor count 1" <<'ROWS'
	monitor bogus
	monitor count
	monitor count x
	monitor count 0
	monitor count 1 count 2
	-j monitor count 1 x
ROWS
}

# words before the cursor | the word at the cursor | what is offered
test_completion()
{
	check_completion <<'ROWS'
	                      |     | +monitor
	                      | m   | monitor
	-j                    |     | +monitor
	monitor               |     | count help time
	monitor count 5       |     | time
	monitor time          |     | count
	monitor time count 2  |     |
	mon                   | c   | count
	monitor count         |     |
	help                  | mo  | monitor
ROWS
}

test_valgrind()
{
	check_valgrind <<'ROWS'
	monitor --help
	help monitor
	monitor bogus
	monitor count x
	monitor count 1 count 2
	-j monitor count
	# through netlink, which fails at once without the module
	monitor            | no module
	-j monitor count 1 | no module
ROWS
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
