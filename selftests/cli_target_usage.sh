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
SETTINGS="backoff keepalive user-timeout nodelay sndbuf window max-frame timeout rekey-after rekey-bytes"
FIXED="log to from ack peername cert key"
# a valid "target add t" command line, to which the rows add keywords
# shellcheck disable=SC2034 # it expands in the table rows
ADD="target add t log app to 127.0.0.1:9000"
GROUP=target

# Tests: print a skip reason via skip() and return 0 to skip. The usage
# errors are rows of check_rows (cli_lib.sh): command line | exit | message
# [| values for %].

test_target_listed()
{
	run help
	expect_rc 0 && expect_out '^  target  +create, change, delete and show forwarding targets$'
}

test_target_help()
{
	group_help target '^Usage: klogfwd target add NAME log LOG to HOST:PORT' "ta --help" "t -h"
}

test_verb_help()
{
	verb_help target
}

test_help_lists_keywords()
{
	help_keywords "target add --help" "$FIXED tls paused $SETTINGS" &&
		help_keywords "target set --help" "pause resume $SETTINGS" "$FIXED tls paused"
}

test_verb_prefixes()
{
	verb_prefixes target t 6 || return
	# and not only for --help
	check_rows <<'ROWS'
	t a      | 2 | target add: missing target name
	ta d t u | 2 | target del: unexpected argument 'u'
ROWS
}

test_verb_ambiguous()
{
	check_rows <<'ROWS'
	target s    | 2 | ambiguous command 'target s': could be set, show
	t s --help  | 2 | ambiguous command 'target s': could be set, show
ROWS
}

test_verb_missing_unknown()
{
	check_rows <<'ROWS'
	target            | 2 | target: missing command \(add, set, del or show\)
	target frob       | 2 | unknown command 'target frob'
	target append t x | 2 | unknown command 'target append'
	target addx t     | 2 | unknown command 'target addx'
	target ""         | 2 | unknown command 'target '
ROWS
}

test_missing_name()
{
	check_rows <<'ROWS'
	target % | 2 | target %: missing target name | add set del
ROWS
}

test_extra_args()
{
	check_rows <<'ROWS'
	target del t u  | 2 | target del: unexpected argument 'u'
	target show t u | 2 | target show: unexpected argument 'u'
ROWS
}

test_missing_required()
{
	check_rows <<'ROWS'
	target add t                       | 2 | target add: missing log LOG
	target add t to 127.0.0.1:9000     | 2 | target add: missing log LOG
	target add t log app               | 2 | target add: missing to HOST:PORT
	target add t log app nodelay on    | 2 | target add: missing to HOST:PORT
	target add t log ""                | 2 | target add: invalid value '' for log \(expected a log name\)
ROWS
}

# neither a numeric address nor a host name: numbers that inet_aton() would
# take, a last label of digits, characters outside names; a host name with a
# bad port is a usage error, not looked up; IPv6 only in brackets
test_bad_address()
{
	check_rows <<'ROWS'
	target add t to % | 2 | target add: invalid value '%' for to \(expected a numeric IPv4 address, an \[IPv6\] one or a host name\) | 1.2.3:9000 256.1.1.1:9000 1.2.3.4.5:9000 " 1.2.3.4:9000" 0x7f000001:1 :9000 1.2.3.4/8:9000 127.1:80 2130706433:80 "a b:1" "host/x:1" "h\$:1" "$(printf 'a%.0s' {1..254}):1"
	target add t to % | 2 | target add: invalid value '%' for to \(expected a port from 1 to 65535\) | localhost:0 localhost:65536 localhost:x localhost:
	target add t to % | 2 | target add: invalid value '%' for to \(an IPv6 address goes in brackets, such as \[::1\]:9000\) | ::1:9000 2001:db8::1:443 fe80::1:1
	target add t to % | 2 | target add: invalid value '%' for to \(expected \[IPV6\]:PORT, such as \[::1\]:9000\) | "[::1]" "[::1]9000" "[::1" "[::1]-9000"
	target add t to % | 2 | target add: invalid value '%' for to \(expected a numeric IPv6 address in brackets, such as \[::1\]:9000\) | "[]:9000" "[1.2.3.4]:9000" "[::g]:9000" "[fe80::1%eth0]:9000" "[localhost]:80" "[1::2::3]:1"
	target add t to % | 2 | target add: invalid value '%' for to \(expected HOST:PORT, such as 127.0.0.1:9000, \[::1\]:9000 or logs\.example\.com:514\) | 127.0.0.1 "" localhost x
ROWS
}

test_bad_port()
{
	check_rows <<'ROWS'
	target add t to 127.0.0.1:% | 2 | target add: invalid value '127\.0\.0\.1:%' for to \(expected a port from 1 to 65535\) | 0 65536 99999999999999999999 -1 +1 x 9000x 1k "" " 80" 0x50
	target add t to [::1]:%     | 2 | target add: invalid value '\[::1\]:%' for to \(expected a port from 1 to 65535\) | 0 65536 99999999999999999999 -1 +1 x 9000x 1k "" " 80" 0x50
ROWS
}

test_bad_from()
{
	check_rows <<'ROWS'
	$ADD from % | 2 | target add: invalid value '%' for from \(expected earliest, latest, resume or a record offset\) | offset Earliest first -1 +5 1k 0x10 "" " 5" 5s
	$ADD from 18446744073709551616 | 2 | target add: value '18446744073709551616' for from is out of range \(at most [0-9]+\)
ROWS
}

test_bad_enums()
{
	check_rows <<'ROWS'
	$ADD ack %             | 2 | target add: invalid value '%' for ack \(expected tcp, app or relp\) | TCP App RELP rel relp2 none "" 1 2 "tcp "
	$ADD nodelay %         | 2 | target add: invalid value '%' for nodelay \(expected off or on\) | yes true 1 ON "" "on "
	target set t nodelay % | 2 | target set: invalid value '%' for nodelay \(expected off or on\) | yes true 1 ON "" "on "
ROWS
}

test_bad_backoff()
{
	check_rows <<'ROWS'
	$ADD backoff %         | 2 | target add: invalid value '%' for backoff \(expected MIN-MAX, .*\) | 100 100- -100 100-200-300 "100 - 200" 1.5s-2s 100ms-1y x-y 100_200 "" - 100-200x 0x10-0x20 +1-2 100--200
	target set t backoff % | 2 | target set: invalid value '%' for backoff \(expected MIN-MAX, .*\) | 100 100- -100 100-200-300 "100 - 200" 1.5s-2s 100ms-1y x-y 100_200 "" - 100-200x 0x10-0x20 +1-2 100--200
	$ADD backoff %         | 2 | target add: invalid value '%' for backoff \(MIN is above MAX\) | 200-100 30s-1s 1m-59999 1-0
	target set t backoff % | 2 | target set: invalid value '%' for backoff \(MIN is above MAX\) | 200-100 30s-1s 1m-59999 1-0
	$ADD backoff 1-4294967296 | 2 | target add: value '1-4294967296' for backoff is out of range \(at most [0-9]+\)
	target set t backoff % | 2 | target set: value '%' for backoff is out of range \(at most [0-9]+\) | 4294967296-4294967297 100-50d
ROWS
}

test_bad_numbers()
{
	check_rows <<'ROWS'
	$ADD keepalive %            | 2 | target add: invalid value '%' for keepalive \(expected seconds such as 30, or a time such as 30s, 5m or 1h; 0 to disable keepalive\) | 30ms 1d 30S -1 x "" 1.5 0x10 " 3"
	target set t keepalive %    | 2 | target set: invalid value '%' for keepalive \(expected seconds such as 30, or a time such as 30s, 5m or 1h; 0 to disable keepalive\) | 30ms 1d 30S -1 x "" 1.5 0x10 " 3"
	target set t keepalive 4294967296 | 2 | target set: value '4294967296' for keepalive is out of range \(at most [0-9]+\)
	$ADD user-timeout %         | 2 | target add: invalid value '%' for user-timeout \(expected milliseconds such as 30000, or a time such as 30s or 2m\) | 5y 1.5s -5 ms "" 5S 0x10 "10 s"
	target set t user-timeout % | 2 | target set: invalid value '%' for user-timeout \(expected milliseconds such as 30000, or a time such as 30s or 2m\) | 5y 1.5s -5 ms "" 5S 0x10 "10 s"
	target set t user-timeout 50d | 2 | target set: value '50d' for user-timeout is out of range \(at most [0-9]+\)
	$ADD sndbuf %               | 2 | target add: invalid value '%' for sndbuf \(expected a size such as 4096, 64k or 16M\) | x 12q -1 4KiB 1.5M "" 16MB
	target set t sndbuf %       | 2 | target set: invalid value '%' for sndbuf \(expected a size such as 4096, 64k or 16M\) | x 12q -1 4KiB 1.5M "" 16MB
	target set t sndbuf 4G      | 2 | target set: value '4G' for sndbuf is out of range \(at most [0-9]+\)
	$ADD sndbuf 4294967296      | 2 | target add: value '4294967296' for sndbuf is out of range \(at most [0-9]+\)
	$ADD window %               | 2 | target add: invalid value '%' for window \(expected a number from 1 to 1024\) | x 1k 1K -1 +1 1.5 0x10 "" " 5" 5s 128x
	target set t window %       | 2 | target set: invalid value '%' for window \(expected a number from 1 to 1024\) | x 1k 1K -1 +1 1.5 0x10 "" " 5" 5s 128x
	$ADD window %               | 2 | target add: value '%' for window is out of range \(1 to 1024\) | 0 00 1025 4096 4294967297 99999999999999999999
	target set t window %       | 2 | target set: value '%' for window is out of range \(1 to 1024\) | 0 00 1025 4096 4294967297 99999999999999999999
	$ADD max-frame %            | 2 | target add: invalid value '%' for max-frame \(expected a size such as 8096, 64k or 1M\) | x 12q -1 8KiB 1.5M "" 16MB 0x100 " 64"
	target set t max-frame %    | 2 | target set: invalid value '%' for max-frame \(expected a size such as 8096, 64k or 1M\) | x 12q -1 8KiB 1.5M "" 16MB 0x100 " 64"
	$ADD max-frame %            | 2 | target add: value '%' for max-frame is out of range \(16 to 1048576\) | 0 15 1048577 1025k 2M 1G 4294967312 99999999999999999999
	target set t max-frame %    | 2 | target set: value '%' for max-frame is out of range \(16 to 1048576\) | 0 15 1048577 1025k 2M 1G 4294967312 99999999999999999999
	$ADD timeout %              | 2 | target add: invalid value '%' for timeout \(expected seconds such as 90, or a time such as 90s, 5m or 1h \(at most 24h\); 0 for no limit\) | 90ms 90S -1 x "" 1.5 0x10 " 3" 5y
	target set t timeout %      | 2 | target set: invalid value '%' for timeout \(expected seconds such as 90, or a time such as 90s, 5m or 1h \(at most 24h\); 0 for no limit\) | 90ms 90S -1 x "" 1.5 0x10 " 3" 5y
	target set t timeout %      | 2 | target set: value '%' for timeout is out of range \(at most 86400\) | 86401 1441m 25h 4294967296
ROWS
}

test_missing_value()
{
	check_rows <<'ROWS'
	target add t %          | 2 | target add: missing value for % | $FIXED $SETTINGS
	target add t paused %   | 2 | target add: missing value for % | $FIXED $SETTINGS
	target set t %          | 2 | target set: missing value for % | $SETTINGS
	target set t pause %    | 2 | target set: missing value for % | $SETTINGS
ROWS
}

test_unknown_keyword()
{
	check_rows <<'ROWS'
	$ADD % 1         | 2 | target add: unknown keyword '%' | foo user_timeout --nodelay Log -h port address 9000 ""
	target set t % 1 | 2 | target set: unknown keyword '%' | foo user_timeout --nodelay Log -h port address 9000 ""
	$ADD nodelay on x | 2 | target add: unknown keyword 'x'
ROWS
}

test_twice()
{
	check_rows <<'ROWS'
	target add t log a log b              | 2 | target add: log given twice
	target add t to 1.2.3.4:1 to 1.2.3.4:1 | 2 | target add: to given twice
	$ADD from latest from 5               | 2 | target add: from given twice
	$ADD ack tcp ack app                  | 2 | target add: ack given twice
	$ADD paused paused                    | 2 | target add: paused given twice
	target set t pause pause              | 2 | target set: pause given twice
	target set t resume resume            | 2 | target set: resume given twice
	$ADD % 16 % 32                        | 2 | target add: % given twice | keepalive user-timeout sndbuf window max-frame
	target set t % 16 pause % 32          | 2 | target set: % given twice | keepalive user-timeout sndbuf window max-frame
	$ADD backoff 1-2 backoff 1-2          | 2 | target add: backoff given twice
	target set t nodelay on nodelay off   | 2 | target set: nodelay given twice
ROWS
}

test_wrong_command()
{
	check_rows <<'ROWS'
	target set t % x           | 2 | target set: % is fixed at creation and cannot be changed | $FIXED tls
	target set t nodelay on %  | 2 | target set: % is fixed at creation and cannot be changed | $FIXED tls
	target set t paused        | 2 | target set: paused is for target add; give pause or resume
	$ADD %                     | 2 | target add: % is for target set; give paused to create a paused target | pause resume
	$ADD peername logs.test    | 2 | target add: peername goes with tls
	$ADD cert c.pem key k.pem  | 2 | target add: cert goes with tls
	$ADD key k.pem             | 2 | target add: key goes with tls
	$ADD psk p.txt             | 2 | target add: psk goes with tls
	$ADD tls psk p.txt cert c.pem key k.pem | 2 | target add: psk or cert: a session is authenticated by a pre-shared key or by certificates, not both
	$ADD tls key k.pem psk p.txt | 2 | target add: psk or key: a session is authenticated by a pre-shared key or by certificates, not both
	$ADD rekey-after 1h        | 2 | target add: rekey-after goes with tls
	$ADD rekey-bytes 1G        | 2 | target add: rekey-bytes goes with tls
	$ADD tls cert c.pem        | 2 | target add: cert goes with key: a client certificate needs its private key
	$ADD tls key k.pem         | 2 | target add: key goes with cert: a client certificate needs its private key
	$ADD tls cert % key k.pem  | 2 | target add: invalid value '%' for cert \(expected a file, or key:SERIAL with a key serial from 1 to 2147483647\) | key:0 key:-1 key:x key:2147483648
ROWS
}

# a certificate or key file that cannot be read: exit 1 before any key
# is made or netlink used, the file and the reason named
test_keyfile_unreadable()
{
	run target add t log app to 127.0.0.1:9000 tls cert /nonexistent/c.pem key /nonexistent/k.pem
	expect_rc 1 && expect_no_out && expect_lines err 1 || return
	[[ $err == "klogfwd: target add: cert /nonexistent/c.pem: No such file or directory" ]] ||
		fail "'$last_cmd': unexpected error: $err"
	command -v strace >/dev/null || return 0
	strace -f -qq -e trace=socket,add_key -o "$tmp/strace" "$KLOGFWD" target add t log app \
		to 127.0.0.1:9000 tls cert /nonexistent/c.pem key /nonexistent/k.pem \
		</dev/null >/dev/null 2>&1
	! grep -q 'AF_NETLINK.*NETLINK_GENERIC\|add_key' "$tmp/strace" ||
		fail "'target add ... cert /nonexistent/c.pem' made a key or opened a generic netlink socket"
	# a file that is neither PEM nor DER: named, with the reason, no key
	echo hello > "$tmp/notpem"
	run target add t log app to 127.0.0.1:9000 tls cert "$tmp/notpem" key "$tmp/notpem"
	expect_rc 1 && expect_no_out && expect_lines err 1 || return
	[[ $err == "klogfwd: target add: cert $tmp/notpem: neither PEM nor DER" ]] ||
		fail "'$last_cmd': unexpected error: $err"
	((${#why[@]} == 0))
}

# a psk file that is not IDENTITY:HEXKEY as psktool writes it: exit 1
# naming the file and what is wrong, before any key is made
test_psk_file()
{
	local k32=00112233445566778899aabbccddeeff f reason
	local -a cases=(
		"|no line IDENTITY:HEXKEY"
		"# only a comment|no line IDENTITY:HEXKEY"
		"just a line|its first line is not IDENTITY:HEXKEY"
		":$k32|its first line is not IDENTITY:HEXKEY"
		"web1:0011223|a key that is not an even number of hexadecimal digits"
		"web1:00112g33445566778899aabbccddeeff|a key that is not an even number of hexadecimal digits"
		"web1:0011223344556677|a key shorter than 16 bytes (128 bits)"
		"web1:$k32$k32$k32$k32$k32|a key longer than 64 bytes"
		"web 1:$k32|an identity with a space, a ';' or a character that is not printable ASCII"
		"web;1:$k32|an identity with a space, a ';' or a character that is not printable ASCII"
	)

	for f in "${cases[@]}"; do
		printf '%s\n' "${f%%|*}" > "$tmp/psk"
		reason=${f#*|}
		run target add t log app to 127.0.0.1:9000 tls psk "$tmp/psk"
		expect_rc 1 && expect_no_out && expect_lines err 1 || return
		[[ $err == "klogfwd: target add: psk $tmp/psk: $reason" ]] ||
			fail "psk file '${f%%|*}': unexpected error: $err"
	done
	command -v strace >/dev/null || return 0
	printf 'web1:0011\n' > "$tmp/psk"
	strace -f -qq -e trace=socket,add_key -o "$tmp/strace" "$KLOGFWD" target add t log app \
		to 127.0.0.1:9000 tls psk "$tmp/psk" </dev/null >/dev/null 2>&1
	! grep -q 'AF_NETLINK.*NETLINK_GENERIC\|add_key' "$tmp/strace" ||
		fail "'target add ... psk' of a bad file made a key or opened a generic netlink socket"
}

test_pause_and_resume()
{
	check_rows <<'ROWS'
	target set t pause resume            | 2 | target set: pause and resume exclude each other
	target set t resume nodelay on pause | 2 | target set: pause and resume exclude each other
ROWS
}

test_set_nothing()
{
	check_rows <<'ROWS'
	target set t    | 2 | target set: nothing to change: give at least one setting
	-j target set t | 2 | target set: nothing to change: give at least one setting
ROWS
}

# a bad value is reported before the missing required keywords
test_first_error_wins()
{
	check_rows <<'ROWS'
	target add t sndbuf x bogus | 2 | target add: invalid value 'x' for sndbuf \(expected a size such as 4096, 64k or 16M\)
	target add t bogus sndbuf x | 2 | target add: unknown keyword 'bogus'
	target add t ack x          | 2 | target add: invalid value 'x' for ack \(expected tcp, app or relp\)
	target add t window 0 log   | 2 | target add: value '0' for window is out of range \(1 to 1024\)
ROWS
}

# With no module, a valid command line gets past the parser and fails with
# exit 1 on the missing family: the values above were rejected by the parser
# and not merely by the absent kernel.
test_valid_reaches_kernel()
{
	module_loaded && { skip "module loaded (would change state)"; return; }
	check_rows <<'ROWS'
	target add t log app to 127.0.0.1:9000 | 1 | NOT_LOADED
	target add t to 127.0.0.1:9000 log app | 1 | NOT_LOADED
	target add t log app to [::1]:9000     | 1 | NOT_LOADED
	target add t log app to [2001:db8::1]:65535 from earliest ack tcp | 1 | NOT_LOADED
	target add t log app to [::ffff:192.0.2.1]:1 from latest ack app  | 1 | NOT_LOADED
	target add t log app to 192.0.2.1:514 from resume                 | 1 | NOT_LOADED
	target add t log app to 10.0.0.1:1 from 0                         | 1 | NOT_LOADED
	target add t log app to 10.0.0.1:1 from 18446744073709551615      | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:9000 from 5 ack app backoff 100-30000 keepalive 0 user-timeout 2s nodelay off sndbuf 4M paused | 1 | NOT_LOADED
	target add t paused sndbuf 0 nodelay on user-timeout 0 keepalive 32767 backoff 100ms-30s ack tcp from latest to 127.0.0.1:9000 log app | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:9000 backoff 10-10 | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:9000 backoff 1s-1h user-timeout 4294967295 sndbuf 4294967295 keepalive 4294967295 | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:514 ack relp         | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:514 ack relp window 1 max-frame 16 | 1 | NOT_LOADED
	target add t max-frame 1M window 1024 ack relp paused to 127.0.0.1:514 log app | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:6514 tls | 1 | NOT_LOADED
	target add t tls peername logs.example.com to [::1]:6514 log app ack relp | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:6514 tls cert key:5 key key:6 | 1 | NOT_LOADED
	target add t log app to 127.0.0.1:6514 tls rekey-after 24h rekey-bytes 1G | 1 | NOT_LOADED
	target set t rekey-after %              | 1 | NOT_LOADED | 0 1 3600 1h 720h 2592000
	target set t rekey-bytes %              | 1 | NOT_LOADED | 0 1M 512M 1G 18446744073709551615
	target add t log app to 127.0.0.1:514 ack relp window 128 max-frame % | 1 | NOT_LOADED | 8096 8k 64K 1m 1048576
	target set t pause                     | 1 | NOT_LOADED
	target set t resume                    | 1 | NOT_LOADED
	target set t backoff 200-30000         | 1 | NOT_LOADED
	target set t keepalive 30 user-timeout 30000 nodelay on sndbuf 256k | 1 | NOT_LOADED
	target set t window %                  | 1 | NOT_LOADED | 1 64 128 1024
	target set t max-frame 16 window 1     | 1 | NOT_LOADED
	target set t pause window 256 max-frame 64k | 1 | NOT_LOADED
	target set t keepalive %               | 1 | NOT_LOADED | 30s 5m 1h
	target set t pause backoff 1s-2s       | 1 | NOT_LOADED
	target del t                           | 1 | NOT_LOADED
	target show                            | 1 | NOT_LOADED
	target show t                          | 1 | NOT_LOADED
	t a t log app to 127.0.0.1:9000        | 1 | NOT_LOADED
	t sh                                   | 1 | NOT_LOADED
	ta se t pause                          | 1 | NOT_LOADED
	t d t                                  | 1 | NOT_LOADED
ROWS
	run -j target show
	expect_rc 1 && expect_out '^\[\]$'
	run -p target show t
	expect_rc 1 && expect_out '^\[\]$'
}

# No netlink socket is opened before the command line is parsed.
test_no_netlink_on_usage_error()
{
	check_no_netlink "target show" <<'ROWS'
	target add t log app to localhost:0
	target add t log app to nosuch.invalid:9000 sndbuf
	target add t log app to ::1:9000
	target add t log app
	target add t log app to 127.0.0.1:9000 backoff 2-1
	target add t log app to 127.0.0.1:9000 sndbuf
	target add t log app to 127.0.0.1:9000 ack relp window 0
	target add t log app to 127.0.0.1:9000 ack relp max-frame 2M
	target add t log app to 127.0.0.1:9000 ack relp timeout 25h
	target set t window 1025
	target set t
	target set t pause resume
	target set t log x
	target del t u
	target show t u
	t s
ROWS
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
	check_rows <<'ROWS'
	-j $ADD nodelay x | 2 | target add: invalid value 'x' for nodelay \(expected off or on\)
	-p target show t u | 2 | target show: unexpected argument 'u'
ROWS
}

# words before the cursor | the word at the cursor | what is offered
test_completion()
{
	check_completion <<'ROWS'
	                     |   | +target
	                     | t | target
	target               |   | add del help set show
	t                    | s | set show
	help target          |   | add del set show
	target add t         |   | ack backoff cert from keepalive key log max-frame nodelay paused peername psk rekey-after rekey-bytes sndbuf timeout tls to user-timeout window
	target set t         |   | backoff keepalive max-frame nodelay pause rekey-after rekey-bytes resume sndbuf timeout user-timeout window
	target add t from    |   | earliest latest resume
	t a t ack            |   | app relp tcp
	t a t ack            | r | relp
	target set t window  |   |
	target set t max-frame 8k | m |
	target add t ack relp window 64 |  | !window !ack +max-frame +sndbuf
	target set t nodelay |   | off on
	target add t paused log app to 127.0.0.1:1 | | !*paused* !*log* !to +*backoff*
	target set t pause sndbuf 4k               | | !*pause* !*resume* !*sndbuf* +*keepalive*
	target add t keepalive |  |
ROWS
}

test_valgrind()
{
	check_valgrind <<'ROWS'
	target --help
	help target add
	t s
	target add t sndbuf x
	target add t log app to [::1]:9000 ack relp window 0
	target set t max-frame 1G
	target add t log app to [::1]:9000 backoff 1s-2s bogus
	target set t
	target set t pause resume
	target add t log app to localhost:1
	target del
	target show t u
	# and through netlink, where that changes nothing
	target add t log app to 127.0.0.1:9000 from 5 backoff 1-2 paused | no module
	target add t log app to 127.0.0.1:9000 ack relp window 64 max-frame 16k | no module
	target show                                                        | no module
	-j target show t                                                   | no module
	target set t pause                                                 | no module
ROWS
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
	"test_bad_numbers:malformed or out of range keepalive, user-timeout, sndbuf, window and max-frame exit 2"
	"test_missing_value:a keyword without its value exits 2"
	"test_unknown_keyword:an unknown keyword exits 2"
	"test_twice:a keyword given twice exits 2"
	"test_wrong_command:target set refuses log, to, from, ack and paused; add refuses pause and resume"
	"test_keyfile_unreadable:a cert file that cannot be read, or is neither PEM nor DER, exits 1 naming it and the reason"
	"test_psk_file:a psk file that is not IDENTITY:HEXKEY exits 1 naming it and what is wrong, no key made"
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
