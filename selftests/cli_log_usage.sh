#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command line behaviour of "klogfwd log" that needs no kernel module: help,
# verb prefixes, and every usage error of log add/set/del/show/append, each
# of which must exit 2 with a message naming the offending keyword and value
# before any netlink traffic. Runs on the host or in a VM, as any user; with
# the module loaded the tests that would change state are skipped.
#
#   bash selftests/cli_log_usage.sh    (binary: $KLOGFWD, default
#                                       build/tools/klogfwd next to this dir)
#
# Output is KTAP (TAP version 13); the exit status is 0 only if no test
# failed.

set -u

# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "$0")/cli_lib.sh"

VERBS="add set del show append"
SETTINGS="segment-bytes retain-bytes retain-ms max-record overflow sync mode owner group"
FIXED="memory dir framing"

GROUP=log
# the group of root, by name where it has one; it expands in the table rows
# shellcheck disable=SC2034
{ ROOT_GROUP=root; getent group root >/dev/null || ROOT_GROUP=0; }

# Tests: print a skip reason via skip() and return 0 to skip. The usage
# errors are rows of check_rows (cli_lib.sh): command line | exit | message
# [| values for %].

test_log_listed()
{
	run help
	expect_rc 0 && expect_out '^  log  +create, change, delete, show and append to logs$'
}

test_log_help()
{
	group_help log '^Usage: klogfwd log add NAME' "lo --help" "l -h"
}

test_verb_help()
{
	verb_help log
}

test_help_lists_settings()
{
	help_keywords "log add --help" "$FIXED $SETTINGS" &&
		help_keywords "log set --help" "$SETTINGS" "$FIXED"
}

test_verb_prefixes()
{
	local p

	verb_prefixes log l 10 || return
	# the examples of the documentation
	for p in ad se d sh ap; do
		run l "$p" --help
		expect_rc 0 && expect_out '^Usage: ' || return
	done
	# and not only for --help
	check_rows <<'ROWS'
	l ad | 2 | log add: missing log name
ROWS
}

test_verb_ambiguous()
{
	check_rows <<'ROWS'
	l a --help | 2 | ambiguous command 'log a': could be add, append
	log s      | 2 | ambiguous command 'log s': could be set, show
ROWS
}

test_verb_missing_unknown()
{
	check_rows <<'ROWS'
	log        | 2 | log: missing command \(add, set, del, show or append\)
	log frob   | 2 | unknown command 'log frob'
	log addx t | 2 | unknown command 'log addx'
	log ""     | 2 | unknown command 'log '
ROWS
}

test_missing_name()
{
	check_rows <<'ROWS'
	log % | 2 | log %: missing log name | add set del append
ROWS
}

test_extra_args()
{
	check_rows <<'ROWS'
	log del t u           | 2 | log del: unexpected argument 'u'
	log del t forc        | 2 | log del: unexpected argument 'forc'
	log del t force u     | 2 | log del: unexpected argument 'u'
	log del t force force | 2 | log del: unexpected argument 'force'
	log show t u          | 2 | log show: unexpected argument 'u'
ROWS
}

test_bad_sizes()
{
	check_rows <<'ROWS'
	log add t segment-bytes % | 2 | log add: invalid value '%' for segment-bytes \((expected|no such) .+\) | x 12q -1 +4 " 4" 4k5 1.5k 0x10 16MB 4KiB k "" 4kk
	log add t retain-bytes %  | 2 | log add: invalid value '%' for retain-bytes \((expected|no such) .+\) | x 12q -1 +4 " 4" 4k5 1.5k 0x10 16MB 4KiB k "" 4kk
	log add t max-record %    | 2 | log add: invalid value '%' for max-record \((expected|no such) .+\) | x 12q -1 +4 " 4" 4k5 1.5k 0x10 16MB 4KiB k "" 4kk
	log set t % 10X           | 2 | log set: invalid value '10X' for % \((expected|no such) .+\) | segment-bytes retain-bytes max-record
	log add t segment-bytes % | 2 | log add: value '%' for segment-bytes is out of range \(at most [0-9]+\) | 4G 4294967296
	log add t max-record 99999999999 | 2 | log add: value '99999999999' for max-record is out of range \(at most [0-9]+\)
	log add t retain-bytes %  | 2 | log add: value '%' for retain-bytes is out of range \(at most [0-9]+\) | 18446744073709551616 17179869184G
	log set t segment-bytes 8g | 2 | log set: value '8g' for segment-bytes is out of range \(at most [0-9]+\)
ROWS
}

test_bad_times()
{
	check_rows <<'ROWS'
	log add t retain-ms %  | 2 | log add: invalid value '%' for retain-ms \((expected|no such) .+\) | 5y 1.5h -5 ms "10 s" "" 5S 3w 1e3 0x10 7dd
	log set t retain-ms 1y | 2 | log set: invalid value '1y' for retain-ms \((expected|no such) .+\)
	log add t retain-ms %  | 2 | log add: value '%' for retain-ms is out of range \(at most [0-9]+\) | 18446744073709551616 213503982335d
ROWS
}

test_bad_enums()
{
	check_rows <<'ROWS'
	log add t framing %   | 2 | log add: invalid value '%' for framing \((expected|no such) .+\) | foo LF Lf "" octets "lf "
	log add t framing foo | 2 | log add: invalid value 'foo' for framing \(expected lf, octet or klf\)
	log add t overflow %  | 2 | log add: invalid value '%' for overflow \((expected|no such) .+\) | wait Drop "" 1
	log set t overflow %  | 2 | log set: invalid value '%' for overflow \((expected|no such) .+\) | wait Drop "" 1
	log set t overflow x  | 2 | log set: invalid value 'x' for overflow \(expected drop or block\)
	log add t facility %  | 2 | log add: invalid value '%' for facility \(expected 0 to 23, or a name such as daemon, auth or local0 to local7\) | local8 Local0 kernel "" -1
	log set t severity %  | 2 | log set: invalid value '%' for severity \(expected 0 to 7, or emerg, alert, crit, err, warning, notice, info or debug\) | warn error 1x ""
ROWS
}

test_bad_sync()
{
	check_rows <<'ROWS'
	log add t sync % | 2 | log add: invalid value '%' for sync \((expected|no such) .+\) | sometimes NONE -1 5y "" 1.5s " 5"
	log set t sync % | 2 | log set: invalid value '%' for sync \((expected|no such) .+\) | sometimes NONE -1 5y "" 1.5s " 5"
	log add t sync % | 2 | log add: value '%' for sync is out of range \(at most [0-9]+\) | 4294967296 50d
ROWS
}

test_bad_mode_owner_group()
{
	check_rows <<'ROWS'
	log add t mode %  | 2 | log add: invalid value '%' for mode \((expected|no such) .+\) | 9 0x1ff 8 rwx -0640 +640 "" 06a0 "0640 "
	log set t mode %  | 2 | log set: invalid value '%' for mode \((expected|no such) .+\) | 9 0x1ff 8 rwx -0640 +640 "" 06a0 "0640 "
	log add t mode 77777777777777777777777 | 2 | log add: value '77777777777777777777777' for mode is out of range \(at most [0-9]+\)
	log add t owner % | 2 | log add: invalid value '%' for owner \((expected|no such) .+\) | no-such-user-klf "" -1 " 0"
	log set t group % | 2 | log set: invalid value '%' for group \((expected|no such) .+\) | no-such-group-klf "" -1
	log add t owner no-such-user-klf  | 2 | log add: invalid value 'no-such-user-klf' for owner \(no such user\)
	log set t group no-such-group-klf | 2 | log set: invalid value 'no-such-group-klf' for group \(no such group\)
	log add t owner 4294967296  | 2 | log add: value '4294967296' for owner is out of range \(at most [0-9]+\)
	log add t group 99999999999 | 2 | log add: value '99999999999' for group is out of range \(at most [0-9]+\)
ROWS
}

test_bad_dir()
{
	check_rows <<'ROWS'
	log add t dir "" | 2 | log add: invalid value '' for dir \((expected|no such) .+\)
ROWS
}

test_missing_value()
{
	check_rows <<'ROWS'
	log add t %               | 2 | log add: missing value for % | dir framing $SETTINGS
	log add t owner 0 %       | 2 | log add: missing value for % | dir framing ${SETTINGS/ owner/}
	log add t mode 0600 owner | 2 | log add: missing value for owner
	log set t %               | 2 | log set: missing value for % | $SETTINGS
	log set t owner 0 %       | 2 | log set: missing value for % | ${SETTINGS/ owner/}
	log set t mode 0600 owner | 2 | log set: missing value for owner
ROWS
}

test_unknown_keyword()
{
	check_rows <<'ROWS'
	log add t % 1 | 2 | log add: unknown keyword '%' | foo segment_bytes --segment-bytes Memory -h retain 4096 ""
	log set t % 1 | 2 | log set: unknown keyword '%' | foo segment_bytes --segment-bytes Memory -h retain 4096 ""
	log add t segment-bytes 4k x | 2 | log add: unknown keyword 'x'
ROWS
}

test_twice()
{
	check_rows <<'ROWS'
	log add t memory memory                | 2 | log add: memory given twice
	log add t dir /a dir /b                | 2 | log add: dir given twice
	log add t framing lf framing lf        | 2 | log add: framing given twice
	log add t % 4096 % 8192                | 2 | log add: % given twice | segment-bytes retain-bytes retain-ms max-record
	log set t % 4096 mode 0 % 8192         | 2 | log set: % given twice | segment-bytes retain-bytes retain-ms max-record
	log add t overflow drop overflow block | 2 | log add: overflow given twice
	log add t sync none sync 5s            | 2 | log add: sync given twice
	log set t sync 5s sync always          | 2 | log set: sync given twice
	log add t mode 0600 mode 0600          | 2 | log add: mode given twice
	log add t owner 0 owner 1              | 2 | log add: owner given twice
	log set t group 0 group 0              | 2 | log set: group given twice
ROWS
}

test_memory_and_dir()
{
	check_rows <<'ROWS'
	log add t memory dir /tmp | 2 | log add: memory and dir exclude each other
	log add t dir /tmp memory | 2 | log add: memory and dir exclude each other
ROWS
}

test_set_fixed()
{
	check_rows <<'ROWS'
	log set t % x         | 2 | log set: % is fixed at creation and cannot be changed | $FIXED
	log set t mode 0600 % | 2 | log set: % is fixed at creation and cannot be changed | $FIXED
ROWS
}

test_set_nothing()
{
	check_rows <<'ROWS'
	log set t    | 2 | log set: nothing to change: give at least one setting
	-j log set t | 2 | log set: nothing to change: give at least one setting
ROWS
}

test_first_error_wins()
{
	check_rows <<'ROWS'
	log add t segment-bytes x bogus | 2 | log add: invalid value 'x' for segment-bytes \(expected a size such as 4096, 64k or 16M\)
	log add t bogus segment-bytes x | 2 | log add: unknown keyword 'bogus'
ROWS
}

# With no module, a valid command line gets past the parser and fails with
# exit 1 on the missing family: the values above were rejected by the parser
# and not merely by the absent kernel.
test_valid_reaches_kernel()
{
	module_loaded && { skip "module loaded (would change state)"; return; }
	check_rows <<'ROWS'
	log add t | 1 | NOT_LOADED
	log add t memory framing klf segment-bytes 64k retain-bytes 1G retain-ms 7d max-record 1M overflow block sync 5s mode 0640 owner 0 group 0 | 1 | NOT_LOADED
	log add t dir relative/dir framing octet sync always | 1 | NOT_LOADED
	log add t dir / framing lf sync none retain-ms 0 retain-bytes 0 | 1 | NOT_LOADED
	log add t segment-bytes 4096 retain-bytes 18446744073709551615 retain-ms 18446744073709551615 max-record 4294967295 | 1 | NOT_LOADED
	log add t segment-bytes 4M retain-ms 90s max-record 64K sync 1000 mode 600 owner 4294967295 group 65534 | 1 | NOT_LOADED
	log add t retain-ms 30m sync 500ms mode 0 retain-bytes 16g | 1 | NOT_LOADED
	log add t retain-ms 12h sync interval overflow drop mode 07777 | 1 | NOT_LOADED
	log set t sync none        | 1 | NOT_LOADED
	log set t retain-ms 1d     | 1 | NOT_LOADED
	log set t segment-bytes 1m | 1 | NOT_LOADED
	log set t owner root group $ROOT_GROUP | 1 | NOT_LOADED
	log del t                  | 1 | NOT_LOADED
	log del t force            | 1 | NOT_LOADED
	log show                   | 1 | NOT_LOADED
	log show t                 | 1 | NOT_LOADED
	log append t one two       | 1 | NOT_LOADED
	log append t               | 1 | NOT_LOADED
	l ad t                     | 1 | NOT_LOADED
	l sh                       | 1 | NOT_LOADED
	l ap t x                   | 1 | NOT_LOADED
	l se t mode 0644           | 1 | NOT_LOADED
	l d t                      | 1 | NOT_LOADED
ROWS
	run -j log show
	expect_rc 1 && expect_out '^\[\]$'
}

# No netlink socket is opened before the command line is parsed.
test_no_netlink_on_usage_error()
{
	check_no_netlink "log show" <<'ROWS'
	log add t segment-bytes x
	log add t sync
	log add t framing lf framing lf
	log set t
	log set t dir /x
	log add t owner no-such-user-klf
	log append
	log del t u
	l a t
ROWS
}

test_json_usage_error()
{
	check_rows <<'ROWS'
	-j log add t mode x | 2 | log add: invalid value 'x' for mode \(expected an octal mode such as 0640\)
	-p log show t u     | 2 | log show: unexpected argument 'u'
ROWS
}

# log append documents that it streams, and fails before it reads
# standard input: a pipe that never ends does not hold it
test_append_stdin()
{
	local t0

	run help log append
	expect_rc 0 && expect_out 'as soon as reading more would wait' &&
		expect_out 'Empty lines are skipped and counted' &&
		expect_out 'End of input, SIGINT and SIGTERM end it' || return
	module_loaded && { skip "module loaded (would change state)"; return; }
	t0=$SECONDS
	"${TIMEOUT[@]}" "$KLOGFWD" log append t < <(sleep 20) >"$tmp/out" 2>"$tmp/err"
	rc=$?
	err=$(cat "$tmp/err")
	last_cmd="klogfwd log append t < <(sleep 20)"
	expect_rc 1 || return
	[[ $err == "$NOT_LOADED_MSG" ]] || { fail "'$last_cmd': unexpected error: $err"; return; }
	((SECONDS - t0 < 10)) || fail "'$last_cmd' took $((SECONDS - t0)) s: it read standard input first"
}

# words before the cursor | the word at the cursor | what is offered
test_completion()
{
	check_completion <<'ROWS'
	                          |        | +log
	log                       |        | add append del help set show
	l                         | a      | add append
	log add t                 | f      | facility format framing from
	log add t source          |        | kmsg local
	log add t source kmsg from |       | boot now resume
	log set t                 | s      | segment-bytes severity sync
	log add t input           |        | lines record
	log set t format          |        | json raw rfc3164 rfc5424
	log set t severity        | w      | warning
	log add t facility        | local7 | local7
	log ad t framing          |        | klf lf octet
	log set t overflow        |        | block drop
	log add t sync            |        | always interval none
	log set t                 | m      | max-record mode
	log add t memory segment-bytes 4k | | !*memory* !*segment-bytes* +*retain-ms* !dir
	log del t                 |        | force
	log del t force           |        |
	log add t segment-bytes   |        |
ROWS
}

test_valgrind()
{
	check_valgrind <<'ROWS'
	log --help
	help log add
	l a
	log add t segment-bytes x
	log add t dir rel/x framing klf sync 5s bogus
	log set t
	log set t mode 0600 framing lf
	log add t dir /tmp memory
	log append
	log show t u
	log add t mode 0640 owner 0 group 0 retain-ms 7d retain-bytes 1G sync 1s x
	# and through netlink, where that changes nothing
	log add t dir rel/x segment-bytes 64k | no module
	log show                              | no module
	-j log show t                         | no module
	log append t a b                      | no module
ROWS
}

tests=(
	"test_log_listed:klogfwd help lists the log command"
	"test_log_help:log --help, log -h, log help, help log and prefixes agree"
	"test_verb_help:each log command has --help, -h, help and help log VERB"
	"test_help_lists_settings:log add and log set --help list their keywords"
	"test_verb_prefixes:unique prefixes of log commands work (l ad, l sh, ...)"
	"test_verb_ambiguous:l a and log s are ambiguous and exit 2"
	"test_verb_missing_unknown:missing or unknown log command exits 2"
	"test_missing_name:log add/set/del/append without NAME exit 2"
	"test_extra_args:log del (but for force) and log show reject extra arguments"
	"test_bad_sizes:malformed or too large sizes exit 2 naming keyword and value"
	"test_bad_times:malformed or too large times exit 2 naming keyword and value"
	"test_bad_enums:unknown framing, overflow, facility and severity values exit 2 listing the choices"
	"test_bad_sync:malformed sync values exit 2"
	"test_bad_mode_owner_group:malformed mode, unknown user and group exit 2"
	"test_bad_dir:an empty dir exits 2"
	"test_missing_value:a keyword without its value exits 2"
	"test_unknown_keyword:an unknown keyword exits 2"
	"test_twice:a keyword given twice exits 2"
	"test_memory_and_dir:memory and dir together exit 2"
	"test_set_fixed:log set refuses memory, dir and framing"
	"test_set_nothing:log set without a setting exits 2"
	"test_first_error_wins:the first error of the command line is reported"
	"test_valid_reaches_kernel:valid command lines pass the parser (exit 1 without the module)"
	"test_no_netlink_on_usage_error:no netlink socket is opened on a usage error"
	"test_json_usage_error:usage errors with -j print nothing on stdout"
	"test_append_stdin:log append documents streaming and fails before reading stdin"
	"test_completion:bash completion of log commands, keywords and values"
	"test_valgrind:no memory errors or leaks under valgrind"
)

run_tests cli_log_usage
