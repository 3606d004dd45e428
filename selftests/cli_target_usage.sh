#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command line behaviour of "klogfwd target" that needs no kernel module:
# help, verb prefixes, and every usage error of target add/set/del/show,
# each of which must exit 2 with a message naming the offending keyword and
# value before any netlink traffic. Runs on the host or in a VM, as any
# user; with the module loaded the tests that would change state are
# skipped.
#
#   bash selftests/cli_target_usage.sh (binary: $KLOGFWD, default
#                                       build/tools/klogfwd next to this dir)
#
# Output is KTAP (TAP version 13); the exit status is 0 only if no test
# failed.

set -u

# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "$0")/cli_lib.sh"

VERBS="add set del show"
SETTINGS="backoff keepalive user-timeout nodelay sndbuf"
FIXED="log to from ack"
# a valid "target add t" command line, to which the tests add keywords
ADD=(target add t log app to 127.0.0.1:9000)

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

# bad_value VERB KEYWORD VALUE [WHAT]: "target VERB t KEYWORD VALUE" (with
# the required log and to for add) fails naming both; WHAT is "range" for an
# out-of-range number, else a regex of the explanation (default: any).
bad_value()
{
	local verb=$1 kw=$2 val=$3 what=${4:-.+} regex
	local -a args=(target set t)

	[[ $verb == add ]] && args=("${ADD[@]}")
	[[ $verb == add && ($kw == log || $kw == to) ]] && args=(target add t)
	if [[ $what == range ]]; then
		regex="target $verb: value '$(re "$val")' for $kw is out of range \\(at most [0-9]+\\)"
	else
		regex="target $verb: invalid value '$(re "$val")' for $kw \\($what\\)"
	fi
	usage_err "target $verb" "$regex" "${args[@]}" "$kw" "$val"
}

# Tests: print a skip reason via skip() and return 0 to skip.

test_target_listed()
{
	run help
	expect_rc 0 && expect_out '^  target  +create, change, delete and show forwarding targets$'
}

test_target_help()
{
	local want args

	run target --help
	expect_rc 0 && expect_no_err && expect_out '^Usage: klogfwd target add NAME log LOG to HOST:PORT' || return
	want=$out
	for args in "target -h" "target help" "help target" "ta --help" "t -h"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 0 && expect_no_err || return
		[[ $out == "$want" ]] || { fail "'klogfwd $args' differs from 'klogfwd target --help'"; return; }
	done
	[[ $(list_commands target --help | tr '\n' ' ') == "$VERBS " ]] ||
		fail "'target --help' lists the commands '$(list_commands target --help | tr '\n' ' ')', not '$VERBS'"
}

test_verb_help()
{
	local verb want args

	for verb in $VERBS; do
		run target "$verb" --help
		expect_rc 0 && expect_no_err &&
			expect_out "^Usage: klogfwd (\\[-j \\[-p\\]\\] )?target $verb( |$)" || return
		want=$out
		for args in "target $verb -h" "target $verb help" "help target $verb"; do
			# shellcheck disable=SC2086
			run $args
			expect_rc 0 && expect_no_err || return
			[[ $out == "$want" ]] || { fail "'klogfwd $args' differs from 'klogfwd target $verb --help'"; return; }
		done
	done
}

test_help_lists_keywords()
{
	local kw

	run target add --help
	expect_rc 0 || return
	for kw in $FIXED paused $SETTINGS; do
		expect_out "^  $kw( |$)" || return
	done
	run target set --help
	expect_rc 0 || return
	for kw in pause resume $SETTINGS; do
		expect_out "^  $kw( |$)" || return
	done
	for kw in $FIXED paused; do
		! grep -qE "^  $kw( |$)" <<<"$out" || fail "'target set --help' offers $kw"
	done
}

test_verb_prefixes()
{
	local verb p want tried=0

	for verb in $VERBS; do
		run target "$verb" --help
		want=$out
		for p in $(unique_prefixes "$verb" "$VERBS"); do
			run t "$p" --help
			tried=$((tried + 1))
			expect_rc 0 && expect_no_err || return
			[[ $out == "$want" ]] ||
				{ fail "'klogfwd t $p --help' is not 'target $verb --help'"; return; }
		done
	done
	((tried >= 6)) || fail "only $tried unique prefixes tried"
	# and not only for --help
	usage_err "target add" "target add: missing target name" t a
	usage_err "target del" "target del: unexpected argument 'u'" ta d t u
}

test_verb_ambiguous()
{
	usage_err target "ambiguous command 'target s': could be set, show" target s
	usage_err target "ambiguous command 'target s': could be set, show" t s --help
}

test_verb_missing_unknown()
{
	usage_err target "target: missing command \\(add, set, del or show\\)" target
	usage_err target "unknown command 'target frob'" target frob
	usage_err target "unknown command 'target append'" target append t x
	usage_err target "unknown command 'target addx'" target addx t
	usage_err target "unknown command 'target '" target ""
}

test_missing_name()
{
	local verb

	for verb in add set del; do
		usage_err "target $verb" "target $verb: missing target name" target "$verb"
	done
}

test_extra_args()
{
	usage_err "target del" "target del: unexpected argument 'u'" target del t u
	usage_err "target show" "target show: unexpected argument 'u'" target show t u
}

test_missing_required()
{
	usage_err "target add" "target add: missing log LOG" target add t
	usage_err "target add" "target add: missing log LOG" target add t to 127.0.0.1:9000
	usage_err "target add" "target add: missing to HOST:PORT" target add t log app
	usage_err "target add" "target add: missing to HOST:PORT" target add t log app nodelay on
	bad_value add log "" "expected a log name"
}

test_bad_address()
{
	local v

	# neither a numeric address nor a host name: numbers that inet_aton()
	# would take, a last label of digits, characters outside names
	for v in 1.2.3:9000 256.1.1.1:9000 1.2.3.4.5:9000 " 1.2.3.4:9000" 0x7f000001:1 :9000 \
		1.2.3.4/8:9000 127.1:80 2130706433:80 "a b:1" "host/x:1" "h\$:1" \
		"$(printf 'a%.0s' {1..254}):1"; do
		bad_value add to "$v" "expected a numeric IPv4 address, an \\[IPv6\\] one or a host name"
	done
	# a host name with a bad port is a usage error, not looked up
	for v in localhost:0 localhost:65536 localhost:x localhost:; do
		bad_value add to "$v" "expected a port from 1 to 65535"
	done
	# IPv6 only in brackets
	for v in ::1:9000 2001:db8::1:443 fe80::1:1; do
		bad_value add to "$v" "an IPv6 address goes in brackets, such as \\[::1\\]:9000"
	done
	for v in "[::1]" "[::1]9000" "[::1" "[::1]-9000"; do
		bad_value add to "$v" "expected \\[IPV6\\]:PORT, such as \\[::1\\]:9000"
	done
	for v in "[]:9000" "[1.2.3.4]:9000" "[::g]:9000" "[fe80::1%eth0]:9000" "[localhost]:80" \
		"[1::2::3]:1"; do
		bad_value add to "$v" "expected a numeric IPv6 address in brackets, such as \\[::1\\]:9000"
	done
	# no port
	for v in 127.0.0.1 "" localhost x; do
		bad_value add to "$v" "expected HOST:PORT, such as 127.0.0.1:9000, \\[::1\\]:9000 or logs\\.example\\.com:514"
	done
}

test_bad_port()
{
	local v

	for v in 0 65536 99999999999999999999 -1 +1 x 9000x 1k "" " 80" 0x50; do
		bad_value add to "127.0.0.1:$v" "expected a port from 1 to 65535"
		bad_value add to "[::1]:$v" "expected a port from 1 to 65535"
	done
}

test_bad_from()
{
	local v

	for v in offset Earliest first -1 +5 1k 0x10 "" " 5" 5s; do
		bad_value add from "$v" "expected earliest, latest, resume or a record offset"
	done
	bad_value add from 18446744073709551616 range
}

test_bad_enums()
{
	local v

	for v in TCP App none "" 1 "tcp "; do
		bad_value add ack "$v" "expected tcp or app"
	done
	for v in yes true 1 ON "" "on "; do
		bad_value add nodelay "$v" "expected off or on"
		bad_value set nodelay "$v" "expected off or on"
	done
}

test_bad_backoff()
{
	local v

	for v in 100 100- -100 100-200-300 "100 - 200" 1.5s-2s 100ms-1y x-y 100_200 "" - \
		100-200x 0x10-0x20 +1-2 100--200; do
		bad_value add backoff "$v" "expected MIN-MAX, .*"
		bad_value set backoff "$v" "expected MIN-MAX, .*"
	done
	for v in 200-100 30s-1s 1m-59999 1-0; do
		bad_value add backoff "$v" "MIN is above MAX"
		bad_value set backoff "$v" "MIN is above MAX"
	done
	bad_value add backoff 1-4294967296 range
	bad_value set backoff 4294967296-4294967297 range
	bad_value set backoff 100-50d range
}

test_bad_numbers()
{
	local v

	for v in 30ms 1d 30S -1 x "" 1.5 0x10 " 3"; do
		bad_value add keepalive "$v" "expected seconds such as 30, or a time such as 30s, 5m or 1h; 0 to disable keepalive"
		bad_value set keepalive "$v" "expected seconds such as 30, or a time such as 30s, 5m or 1h; 0 to disable keepalive"
	done
	bad_value set keepalive 4294967296 range
	for v in 5y 1.5s -5 ms "" 5S 0x10 "10 s"; do
		bad_value add user-timeout "$v" "expected milliseconds such as 30000, or a time such as 30s or 2m"
		bad_value set user-timeout "$v" "expected milliseconds such as 30000, or a time such as 30s or 2m"
	done
	bad_value set user-timeout 50d range
	for v in x 12q -1 4KiB 1.5M "" 16MB; do
		bad_value add sndbuf "$v" "expected a size such as 4096, 64k or 16M"
		bad_value set sndbuf "$v" "expected a size such as 4096, 64k or 16M"
	done
	bad_value set sndbuf 4G range
	bad_value add sndbuf 4294967296 range
}

test_missing_value()
{
	local kw

	for kw in $FIXED $SETTINGS; do
		usage_err "target add" "target add: missing value for $kw" target add t "$kw"
		usage_err "target add" "target add: missing value for $kw" target add t paused "$kw"
	done
	for kw in $SETTINGS; do
		usage_err "target set" "target set: missing value for $kw" target set t "$kw"
		usage_err "target set" "target set: missing value for $kw" target set t pause "$kw"
	done
}

test_unknown_keyword()
{
	local kw

	for kw in foo user_timeout --nodelay Log -h port address 9000 ""; do
		usage_err "target add" "target add: unknown keyword '$(re "$kw")'" "${ADD[@]}" "$kw" 1
		usage_err "target set" "target set: unknown keyword '$(re "$kw")'" target set t "$kw" 1
	done
	usage_err "target add" "target add: unknown keyword 'x'" "${ADD[@]}" nodelay on x
}

test_twice()
{
	local kw

	usage_err "target add" "target add: log given twice" target add t log a log b
	usage_err "target add" "target add: to given twice" target add t to 1.2.3.4:1 to 1.2.3.4:1
	usage_err "target add" "target add: from given twice" "${ADD[@]}" from latest from 5
	usage_err "target add" "target add: ack given twice" "${ADD[@]}" ack tcp ack app
	usage_err "target add" "target add: paused given twice" "${ADD[@]}" paused paused
	usage_err "target set" "target set: pause given twice" target set t pause pause
	usage_err "target set" "target set: resume given twice" target set t resume resume
	for kw in keepalive user-timeout sndbuf; do
		usage_err "target add" "target add: $kw given twice" "${ADD[@]}" "$kw" 1 "$kw" 2
		usage_err "target set" "target set: $kw given twice" target set t "$kw" 1 pause "$kw" 2
	done
	usage_err "target add" "target add: backoff given twice" "${ADD[@]}" backoff 1-2 backoff 1-2
	usage_err "target set" "target set: nodelay given twice" target set t nodelay on nodelay off
}

test_wrong_command()
{
	local kw

	for kw in $FIXED; do
		usage_err "target set" "target set: $kw is fixed at creation and cannot be changed" \
			target set t "$kw" x
		usage_err "target set" "target set: $kw is fixed at creation and cannot be changed" \
			target set t nodelay on "$kw"
	done
	usage_err "target set" "target set: paused is for target add; give pause or resume" \
		target set t paused
	for kw in pause resume; do
		usage_err "target add" "target add: $kw is for target set; give paused to create a paused target" \
			"${ADD[@]}" "$kw"
	done
}

test_pause_and_resume()
{
	usage_err "target set" "target set: pause and resume exclude each other" target set t pause resume
	usage_err "target set" "target set: pause and resume exclude each other" \
		target set t resume nodelay on pause
}

test_set_nothing()
{
	usage_err "target set" "target set: nothing to change: give at least one setting" target set t
	run -j target set t
	expect_rc 2 && expect_no_out
}

test_first_error_wins()
{
	usage_err "target add" "target add: invalid value 'x' for sndbuf \\(expected a size such as 4096, 64k or 16M\\)" \
		target add t sndbuf x bogus
	usage_err "target add" "target add: unknown keyword 'bogus'" target add t bogus sndbuf x
	# a bad value is reported before the missing required keywords
	usage_err "target add" "target add: invalid value 'x' for ack \\(expected tcp or app\\)" \
		target add t ack x
}

# With no module, a valid command line gets past the parser and fails with
# exit 1 on the missing family: the values above were rejected by the parser
# and not merely by the absent kernel.
test_valid_reaches_kernel()
{
	local line
	local -a args
	local lines=(
		"target add t log app to 127.0.0.1:9000"
		"target add t to 127.0.0.1:9000 log app"
		"target add t log app to [::1]:9000"
		"target add t log app to [2001:db8::1]:65535 from earliest ack tcp"
		"target add t log app to [::ffff:192.0.2.1]:1 from latest ack app"
		"target add t log app to 192.0.2.1:514 from resume"
		"target add t log app to 10.0.0.1:1 from 0"
		"target add t log app to 10.0.0.1:1 from 18446744073709551615"
		"target add t log app to 127.0.0.1:9000 from 5 ack app backoff 100-30000 keepalive 0 user-timeout 2s nodelay off sndbuf 4M paused"
		"target add t paused sndbuf 0 nodelay on user-timeout 0 keepalive 32767 backoff 100ms-30s ack tcp from latest to 127.0.0.1:9000 log app"
		"target add t log app to 127.0.0.1:9000 backoff 10-10"
		"target add t log app to 127.0.0.1:9000 backoff 1s-1h user-timeout 4294967295 sndbuf 4294967295 keepalive 4294967295"
		"target set t pause"
		"target set t resume"
		"target set t backoff 200-30000"
		"target set t keepalive 30 user-timeout 30000 nodelay on sndbuf 256k"
		"target set t keepalive 30s" "target set t keepalive 5m" "target set t keepalive 1h"
		"target set t pause backoff 1s-2s"
		"target del t"
		"target show"
		"target show t"
		"t a t log app to 127.0.0.1:9000"
		"t sh"
		"ta se t pause"
		"t d t"
	)

	module_loaded && { skip "module loaded (would change state)"; return; }
	for line in "${lines[@]}"; do
		read -r -a args <<<"$line"
		run "${args[@]}"
		expect_rc 1 || continue
		[[ $err == "$NOT_LOADED_MSG" ]] || fail "'$last_cmd': unexpected error: $err"
	done
	run -j target show
	expect_rc 1 && expect_out '^\[\]$'
	run -p target show t
	expect_rc 1 && expect_out '^\[\]$'
	((${#why[@]} == 0))
}

# No netlink socket is opened before the command line is parsed.
test_no_netlink_on_usage_error()
{
	local line
	local -a args
	local lines=(
		"target add t log app to localhost:0"
		"target add t log app to nosuch.invalid:9000 sndbuf"
		"target add t log app to ::1:9000"
		"target add t log app"
		"target add t log app to 127.0.0.1:9000 backoff 2-1"
		"target add t log app to 127.0.0.1:9000 sndbuf"
		"target set t"
		"target set t pause resume"
		"target set t log x"
		"target del t u"
		"target show t u"
		"t s"
	)

	command -v strace >/dev/null || { skip "strace not available"; return; }
	# the control: a valid command does open one
	strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" target show >/dev/null 2>&1
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

# A host name is resolved after the command line is parsed and before any
# netlink traffic: the address chosen is named on stderr; with no module the
# command then fails on the missing family.
test_host_name_resolves()
{
	local addr

	module_loaded && { skip "module loaded (would change state)"; return; }
	addr=$(getent ahosts localhost | awk '$2 == "STREAM" { print $1; exit }')
	[[ $addr ]] || { skip "localhost does not resolve here"; return; }
	run target add t log app to localhost:9000
	expect_rc 1 && expect_no_out || return
	[[ $err == "klogfwd: target add: localhost resolved to $addr"*$'\n'"$NOT_LOADED_MSG" ]] ||
		fail "'$last_cmd': unexpected error: $err"
	# numeric addresses are not named
	run target add t log app to 127.0.0.1:9000
	expect_rc 1 && [[ $err == "$NOT_LOADED_MSG" ]] ||
		fail "'$last_cmd': unexpected error: $err"
	((${#why[@]} == 0))
}

# A name that does not resolve: exit 1 with getaddrinfo's reason, no
# netlink socket opened.
test_host_name_unresolvable()
{
	local name=no-such-host.invalid

	run target add t log app to $name:9000
	expect_rc 1 && expect_no_out && expect_lines err 1 || return
	[[ $err =~ ^klogfwd:\ target\ add:\ cannot\ resolve\ host\ name\ \'$name\':\ .+$ ]] ||
		fail "'$last_cmd': unexpected error: $err"
	command -v strace >/dev/null || return 0
	strace -f -qq -e trace=socket -o "$tmp/strace" "$KLOGFWD" target add t log app \
		to $name:9000 </dev/null >/dev/null 2>&1
	! grep -q 'AF_NETLINK.*NETLINK_GENERIC' "$tmp/strace" ||
		fail "'target add ... to $name:9000' opened a generic netlink socket"
	((${#why[@]} == 0))
}

test_json_usage_error()
{
	usage_err "target add" "target add: invalid value 'x' for nodelay \\(expected off or on\\)" \
		-j "${ADD[@]}" nodelay x
	usage_err "target show" "target show: unexpected argument 'u'" -p target show t u
}

test_completion()
{
	local got

	[[ -r $COMPLETION ]] || { skip "no $COMPLETION"; return; }
	got=$(complete_words "")
	[[ $got == *"target "* ]] || fail "'klogfwd <TAB>' offers '$got', not target"
	got=$(complete_words "t")
	[[ $got == "target " ]] || fail "'klogfwd t<TAB>' offers '$got'"
	got=$(complete_words "" target)
	[[ $got == "add del help set show " ]] || fail "'klogfwd target <TAB>' offers '$got'"
	got=$(complete_words "s" t)
	[[ $got == "set show " ]] || fail "'klogfwd t s<TAB>' offers '$got'"
	got=$(complete_words "" help target)
	[[ $got == "add del set show " ]] || fail "'klogfwd help target <TAB>' offers '$got'"
	got=$(complete_words "" target add t)
	[[ $got == "ack backoff from keepalive log nodelay paused sndbuf to user-timeout " ]] ||
		fail "'klogfwd target add t <TAB>' offers '$got'"
	got=$(complete_words "" target set t)
	[[ $got == "backoff keepalive nodelay pause resume sndbuf user-timeout " ]] ||
		fail "'klogfwd target set t <TAB>' offers '$got'"
	got=$(complete_words "" target add t from)
	[[ $got == "earliest latest resume " ]] || fail "'klogfwd target add t from <TAB>' offers '$got'"
	got=$(complete_words "" t a t ack)
	[[ $got == "app tcp " ]] || fail "'klogfwd t a t ack <TAB>' offers '$got'"
	got=$(complete_words "" target set t nodelay)
	[[ $got == "off on " ]] || fail "'klogfwd target set t nodelay <TAB>' offers '$got'"
	got=$(complete_words "" target add t paused log app to 127.0.0.1:1)
	[[ $got != *paused* && $got != *log* && $got != *" to "* && $got == *backoff* ]] ||
		fail "'klogfwd target add t paused log app to 127.0.0.1:1 <TAB>' offers '$got'"
	got=$(complete_words "" target set t pause sndbuf 4k)
	[[ $got != *pause* && $got != *resume* && $got != *sndbuf* && $got == *keepalive* ]] ||
		fail "'klogfwd target set t pause sndbuf 4k <TAB>' offers '$got'"
	got=$(complete_words "" target add t keepalive)
	[[ -z $got ]] || fail "'klogfwd target add t keepalive <TAB>' offers '$got'"
	((${#why[@]} == 0))
}

test_valgrind()
{
	local -a cmds=("target --help" "help target add" "t s" "target add t sndbuf x"
		"target add t log app to [::1]:9000 backoff 1s-2s bogus" "target set t"
		"target set t pause resume" "target add t log app to localhost:1"
		"target del" "target show t u")

	command -v valgrind >/dev/null || { skip "valgrind not available"; return; }
	# and through netlink, where that changes nothing
	module_loaded || cmds+=("target add t log app to 127.0.0.1:9000 from 5 backoff 1-2 paused"
				"target show" "-j target show t" "target set t pause")
	valgrind_clean "${cmds[@]}"
}

tests=(
	"test_target_listed:klogfwd help lists the target command"
	"test_target_help:target --help, target -h, target help, help target and prefixes agree"
	"test_verb_help:each target command has --help, -h, help and help target VERB"
	"test_help_lists_keywords:target add and target set --help list their keywords"
	"test_verb_prefixes:unique prefixes of target commands work (t a, t sh, ...)"
	"test_verb_ambiguous:target s is ambiguous and exits 2"
	"test_verb_missing_unknown:missing or unknown target command exits 2"
	"test_missing_name:target add/set/del without NAME exit 2"
	"test_extra_args:target del and target show reject extra arguments"
	"test_missing_required:target add without log or to exits 2"
	"test_bad_address:malformed host names and addresses, unbracketed IPv6 addresses exit 2"
	"test_bad_port:a missing, zero or too large port exits 2"
	"test_bad_from:malformed from values exit 2"
	"test_bad_enums:unknown ack and nodelay values exit 2 listing the choices"
	"test_bad_backoff:malformed, too large or inverted backoff exits 2"
	"test_bad_numbers:malformed or too large keepalive, user-timeout and sndbuf exit 2"
	"test_missing_value:a keyword without its value exits 2"
	"test_unknown_keyword:an unknown keyword exits 2"
	"test_twice:a keyword given twice exits 2"
	"test_wrong_command:target set refuses log, to, from, ack and paused; add refuses pause and resume"
	"test_pause_and_resume:pause and resume together exit 2"
	"test_set_nothing:target set without a setting exits 2"
	"test_first_error_wins:the first error of the command line is reported"
	"test_valid_reaches_kernel:valid command lines pass the parser (exit 1 without the module)"
	"test_no_netlink_on_usage_error:no netlink socket is opened on a usage error"
	"test_host_name_resolves:a host name is resolved and the address used named on stderr"
	"test_host_name_unresolvable:a host name that does not resolve exits 1 with the reason"
	"test_json_usage_error:usage errors with -j print nothing on stdout"
	"test_completion:bash completion of target commands, keywords and values"
	"test_valgrind:no memory errors or leaks under valgrind"
)

run_tests cli_target_usage
