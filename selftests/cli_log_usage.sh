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

# The regex matching the string $1 literally.
re()
{
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# usage_err GROUP REGEX ARGS...: klogfwd ARGS is a usage error: exit 2,
# nothing on stdout, on stderr "klogfwd: " + a line matching REGEX and the
# hint to 'klogfwd help GROUP'. Records every failure, returns 1 on any.
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
	[[ ${err#*$'\n'} == "Try 'klogfwd help $group' for more information." ]] ||
		fail "'$last_cmd': no hint to 'klogfwd help $group'"
	((${#why[@]} == n))
}

# bad_value VERB KEYWORD VALUE [WHAT]: "log VERB t KEYWORD VALUE" fails
# naming both; WHAT is "range" for an out-of-range number.
bad_value()
{
	local verb=$1 kw=$2 val=$3 what=${4:-} regex

	if [[ $what == range ]]; then
		regex="log $verb: value '$(re "$val")' for $kw is out of range \\(at most [0-9]+\\)"
	else
		regex="log $verb: invalid value '$(re "$val")' for $kw \\((expected|no such) .+\\)"
	fi
	usage_err "log $verb" "$regex" log "$verb" t "$kw" "$val"
}

# Tests: print a skip reason via skip() and return 0 to skip.

test_log_listed()
{
	run help
	expect_rc 0 && expect_out '^  log  +create, change, delete, show and append to logs$'
}

test_log_help()
{
	local want args

	run log --help
	expect_rc 0 && expect_no_err && expect_out '^Usage: klogfwd log add NAME' || return
	want=$out
	for args in "log -h" "log help" "help log" "lo --help" "l -h"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 && expect_no_err || return
		[[ $out == "$want" ]] || { fail "'klogfwd $args' differs from 'klogfwd log --help'"; return; }
	done
	[[ $(list_commands log --help | tr '\n' ' ') == "$VERBS " ]] ||
		fail "'log --help' lists the commands '$(list_commands log --help | tr '\n' ' ')', not '$VERBS'"
}

test_verb_help()
{
	local verb want args

	for verb in $VERBS; do
		run log "$verb" --help
		expect_rc 0 && expect_no_err &&
			expect_out "^Usage: klogfwd (\\[-j \\[-p\\]\\] )?log $verb( |$)" || return
		want=$out
		for args in "log $verb -h" "log $verb help" "help log $verb"; do
			# shellcheck disable=SC2086
			run $args
			expect_rc 0 && expect_no_err || return
			[[ $out == "$want" ]] || { fail "'klogfwd $args' differs from 'klogfwd log $verb --help'"; return; }
		done
	done
}

test_help_lists_settings()
{
	local kw

	run log add --help
	expect_rc 0 || return
	for kw in $FIXED $SETTINGS; do
		expect_out "^  $kw( |$)" || return
	done
	run log set --help
	expect_rc 0 || return
	for kw in $SETTINGS; do
		expect_out "^  $kw( |$)" || return
	done
	for kw in $FIXED; do
		! grep -qE "^  $kw( |$)" <<<"$out" || fail "'log set --help' offers $kw"
	done
}

test_verb_prefixes()
{
	local verb p want tried=0

	for verb in $VERBS; do
		run log "$verb" --help
		want=$out
		for p in $(unique_prefixes "$verb" "$VERBS"); do
			run l "$p" --help
			tried=$((tried + 1))
			expect_rc 0 && expect_no_err || return
			[[ $out == "$want" ]] ||
				{ fail "'klogfwd l $p --help' is not 'log $verb --help'"; return; }
		done
	done
	# the examples of the documentation
	for p in ad se d sh ap; do
		run l "$p" --help
		tried=$((tried + 1))
		expect_rc 0 && expect_out '^Usage: ' || return
	done
	((tried >= 10)) || fail "only $tried unique prefixes tried"
	# and not only for --help
	usage_err "log add" "log add: missing log name" l ad
}

test_verb_ambiguous()
{
	usage_err log "ambiguous command 'log a': could be add, append" l a --help
	usage_err log "ambiguous command 'log s': could be set, show" log s
}

test_verb_missing_unknown()
{
	usage_err log "log: missing command \\(add, set, del, show or append\\)" log
	usage_err log "unknown command 'log frob'" log frob
	usage_err log "unknown command 'log addx'" log addx t
	usage_err log "unknown command 'log '" log ""
}

test_missing_name()
{
	local verb

	for verb in add set del append; do
		usage_err "log $verb" "log $verb: missing log name" log "$verb"
	done
}

test_extra_args()
{
	usage_err "log del" "log del: unexpected argument 'u'" log del t u
	usage_err "log del" "log del: unexpected argument 'forc'" log del t forc
	usage_err "log del" "log del: unexpected argument 'u'" log del t force u
	usage_err "log del" "log del: unexpected argument 'force'" log del t force force
	usage_err "log show" "log show: unexpected argument 'u'" log show t u
}

test_bad_sizes()
{
	local kw v

	for kw in segment-bytes retain-bytes max-record; do
		for v in x 12q -1 +4 " 4" 4k5 1.5k 0x10 16MB 4KiB k "" 4kk; do
			bad_value add "$kw" "$v"
		done
		bad_value set "$kw" 10X
	done
	bad_value add segment-bytes 4G range
	bad_value add segment-bytes 4294967296 range
	bad_value add max-record 99999999999 range
	bad_value add retain-bytes 18446744073709551616 range
	bad_value add retain-bytes 17179869184G range
	bad_value set segment-bytes 8g range
}

test_bad_times()
{
	local v

	for v in 5y 1.5h -5 ms 10\ s "" 5S 3w 1e3 0x10 7dd; do
		bad_value add retain-ms "$v"
	done
	bad_value set retain-ms 1y
	bad_value add retain-ms 18446744073709551616 range
	bad_value add retain-ms 213503982335d range
}

test_bad_enums()
{
	local v

	for v in foo LF Lf "" octets "lf "; do
		bad_value add framing "$v"
	done
	usage_err "log add" "log add: invalid value 'foo' for framing \\(expected lf, octet or klf\\)" \
		log add t framing foo
	for v in wait Drop "" 1; do
		bad_value add overflow "$v"
		bad_value set overflow "$v"
	done
	usage_err "log set" "log set: invalid value 'x' for overflow \\(expected drop or block\\)" \
		log set t overflow x
}

test_bad_sync()
{
	local v

	for v in sometimes NONE -1 5y "" 1.5s " 5"; do
		bad_value add sync "$v"
		bad_value set sync "$v"
	done
	bad_value add sync 4294967296 range
	bad_value add sync 50d range
}

test_bad_mode_owner_group()
{
	local v

	for v in 9 0x1ff 8 rwx -0640 +640 "" 06a0 "0640 "; do
		bad_value add mode "$v"
		bad_value set mode "$v"
	done
	bad_value add mode 77777777777777777777777 range
	for v in no-such-user-klf "" -1 " 0"; do
		bad_value add owner "$v"
	done
	for v in no-such-group-klf "" -1; do
		bad_value set group "$v"
	done
	usage_err "log add" "log add: invalid value 'no-such-user-klf' for owner \\(no such user\\)" \
		log add t owner no-such-user-klf
	usage_err "log set" "log set: invalid value 'no-such-group-klf' for group \\(no such group\\)" \
		log set t group no-such-group-klf
	bad_value add owner 4294967296 range
	bad_value add group 99999999999 range
}

test_bad_dir()
{
	bad_value add dir ""
}

test_missing_value()
{
	local kw
	local -a other

	for kw in dir framing $SETTINGS; do
		other=(owner 0)
		[[ $kw == owner ]] && other=(mode 0600)
		usage_err "log add" "log add: missing value for $kw" log add t "$kw"
		usage_err "log add" "log add: missing value for $kw" log add t "${other[@]}" "$kw"
	done
	for kw in $SETTINGS; do
		other=(owner 0)
		[[ $kw == owner ]] && other=(mode 0600)
		usage_err "log set" "log set: missing value for $kw" log set t "$kw"
		usage_err "log set" "log set: missing value for $kw" log set t "${other[@]}" "$kw"
	done
}

test_unknown_keyword()
{
	local kw

	for kw in foo segment_bytes --segment-bytes Memory -h retain 4096 ""; do
		usage_err "log add" "log add: unknown keyword '$(re "$kw")'" log add t "$kw" 1
		usage_err "log set" "log set: unknown keyword '$(re "$kw")'" log set t "$kw" 1
	done
	usage_err "log add" "log add: unknown keyword 'x'" log add t segment-bytes 4k x
}

test_twice()
{
	local kw

	usage_err "log add" "log add: memory given twice" log add t memory memory
	usage_err "log add" "log add: dir given twice" log add t dir /a dir /b
	usage_err "log add" "log add: framing given twice" log add t framing lf framing lf
	for kw in segment-bytes retain-bytes retain-ms max-record; do
		usage_err "log add" "log add: $kw given twice" log add t "$kw" 4096 "$kw" 8192
		usage_err "log set" "log set: $kw given twice" log set t "$kw" 4096 mode 0 "$kw" 8192
	done
	usage_err "log add" "log add: overflow given twice" log add t overflow drop overflow block
	usage_err "log add" "log add: sync given twice" log add t sync none sync 5s
	usage_err "log set" "log set: sync given twice" log set t sync 5s sync always
	usage_err "log add" "log add: mode given twice" log add t mode 0600 mode 0600
	usage_err "log add" "log add: owner given twice" log add t owner 0 owner 1
	usage_err "log set" "log set: group given twice" log set t group 0 group 0
}

test_memory_and_dir()
{
	usage_err "log add" "log add: memory and dir exclude each other" log add t memory dir /tmp
	usage_err "log add" "log add: memory and dir exclude each other" log add t dir /tmp memory
}

test_set_fixed()
{
	local kw

	for kw in $FIXED; do
		usage_err "log set" "log set: $kw is fixed at creation and cannot be changed" \
			log set t "$kw" x
		usage_err "log set" "log set: $kw is fixed at creation and cannot be changed" \
			log set t mode 0600 "$kw"
	done
}

test_set_nothing()
{
	usage_err "log set" "log set: nothing to change: give at least one setting" log set t
	run -j log set t
	expect_rc 2 && expect_no_out
}

test_first_error_wins()
{
	usage_err "log add" "log add: invalid value 'x' for segment-bytes \\(expected a size such as 4096, 64k or 16M\\)" \
		log add t segment-bytes x bogus
	usage_err "log add" "log add: unknown keyword 'bogus'" log add t bogus segment-bytes x
}

# With no module, a valid command line gets past the parser and fails with
# exit 1 on the missing family: the values above were rejected by the parser
# and not merely by the absent kernel.
test_valid_reaches_kernel()
{
	local line
	local -a args
	local lines=(
		"log add t"
		"log add t memory framing klf segment-bytes 64k retain-bytes 1G retain-ms 7d max-record 1M overflow block sync 5s mode 0640 owner 0 group 0"
		"log add t dir relative/dir framing octet sync always"
		"log add t dir / framing lf sync none retain-ms 0 retain-bytes 0"
		"log add t segment-bytes 4096 retain-bytes 18446744073709551615 retain-ms 18446744073709551615 max-record 4294967295"
		"log add t segment-bytes 4M retain-ms 90s max-record 64K sync 1000 mode 600 owner 4294967295 group 65534"
		"log add t retain-ms 30m sync 500ms mode 0 retain-bytes 16g"
		"log add t retain-ms 12h sync interval overflow drop mode 07777"
		"log set t sync none"
		"log set t retain-ms 1d"
		"log set t segment-bytes 1m"
		"log set t owner root group root"
		"log del t"
		"log del t force"
		"log show"
		"log show t"
		"log append t one two"
		"log append t"
		"l ad t"
		"l sh"
		"l ap t x"
		"l se t mode 0644"
		"l d t"
	)

	module_loaded && { skip "module loaded (would change state)"; return; }
	getent group root >/dev/null || lines=("${lines[@]/group root/group 0}")
	for line in "${lines[@]}"; do
		read -r -a args <<<"$line"
		run "${args[@]}"
		expect_rc 1 || continue
		[[ $err == "$NOT_LOADED_MSG" ]] || fail "'$last_cmd': unexpected error: $err"
	done
	run -j log show
	expect_rc 1 && expect_out '^\[\]$'
	((${#why[@]} == 0))
}

# No netlink socket is opened before the command line is parsed.
test_no_netlink_on_usage_error()
{
	local line
	local -a args
	local lines=(
		"log add t segment-bytes x"
		"log add t sync"
		"log add t framing lf framing lf"
		"log set t"
		"log set t dir /x"
		"log add t owner no-such-user-klf"
		"log append"
		"log del t u"
		"l a t"
	)

	command -v strace >/dev/null || { skip "strace not available"; return; }
	# the control: a valid command does open one
	strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" log show >/dev/null 2>&1
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

test_json_usage_error()
{
	usage_err "log add" "log add: invalid value 'x' for mode \\(expected an octal mode such as 0640\\)" \
		-j log add t mode x
	usage_err "log show" "log show: unexpected argument 'u'" -p log show t u
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

test_completion()
{
	local got

	[[ -r $COMPLETION ]] || { skip "no $COMPLETION"; return; }
	got=$(complete_words "")
	[[ $got == *"log "* ]] || fail "'klogfwd <TAB>' offers '$got', not log"
	got=$(complete_words "" log)
	[[ $got == "add append del help set show " ]] || fail "'klogfwd log <TAB>' offers '$got'"
	got=$(complete_words "a" l)
	[[ $got == "add append " ]] || fail "'klogfwd l a<TAB>' offers '$got'"
	got=$(complete_words "f" log add t)
	[[ $got == "facility format framing " ]] || fail "'klogfwd log add t f<TAB>' offers '$got'"
	got=$(complete_words "" log add t input)
	[[ $got == "lines record " ]] || fail "'klogfwd log add t input <TAB>' offers '$got'"
	got=$(complete_words "" log set t format)
	[[ $got == "raw rfc3164 rfc5424 " ]] || fail "'klogfwd log set t format <TAB>' offers '$got'"
	got=$(complete_words "w" log set t severity)
	[[ $got == "warning " ]] || fail "'klogfwd log set t severity w<TAB>' offers '$got'"
	got=$(complete_words "local7" log add t facility)
	[[ $got == "local7 " ]] || fail "'klogfwd log add t facility local7<TAB>' offers '$got'"
	got=$(complete_words "" log ad t framing)
	[[ $got == "klf lf octet " ]] || fail "'klogfwd log ad t framing <TAB>' offers '$got'"
	got=$(complete_words "" log set t overflow)
	[[ $got == "block drop " ]] || fail "'klogfwd log set t overflow <TAB>' offers '$got'"
	got=$(complete_words "" log add t sync)
	[[ $got == "always interval none " ]] || fail "'klogfwd log add t sync <TAB>' offers '$got'"
	got=$(complete_words "m" log set t)
	[[ $got == "max-record mode " ]] || fail "'klogfwd log set t m<TAB>' offers '$got'"
	got=$(complete_words "" log add t memory segment-bytes 4k)
	[[ $got != *memory* && $got != *segment-bytes* && $got == *retain-ms* && $got != *" dir "* ]] ||
		fail "'klogfwd log add t memory segment-bytes 4k <TAB>' offers '$got'"
	got=$(complete_words "" log del t)
	[[ $got == "force " ]] || fail "'klogfwd log del t <TAB>' offers '$got'"
	got=$(complete_words "" log del t force)
	[[ -z $got ]] || fail "'klogfwd log del t force <TAB>' offers '$got'"
	got=$(complete_words "" log add t segment-bytes)
	[[ -z $got ]] || fail "'klogfwd log add t segment-bytes <TAB>' offers '$got'"
	((${#why[@]} == 0))
}

test_valgrind()
{
	local -a cmds=("log --help" "help log add" "l a" "log add t segment-bytes x"
		"log add t dir rel/x framing klf sync 5s bogus" "log set t"
		"log set t mode 0600 framing lf" "log add t dir /tmp memory"
		"log append" "log show t u"
		"log add t mode 0640 owner 0 group 0 retain-ms 7d retain-bytes 1G sync 1s x")

	command -v valgrind >/dev/null || { skip "valgrind not available"; return; }
	# and through netlink, where that changes nothing
	module_loaded || cmds+=("log add t dir rel/x segment-bytes 64k" "log show"
				"-j log show t" "log append t a b")
	valgrind_clean "${cmds[@]}"
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
	"test_bad_enums:unknown framing and overflow values exit 2 listing the choices"
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
