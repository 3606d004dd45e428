#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Targets deliver every record, byte for byte, in each framing, to real
# receivers: klf_recv (which checks sequence numbers, payloads, and for klf
# CRCs and offsets) over IPv4 and IPv6, and socat for lf. Records already in
# the log (catch-up) and appended while connected (live) both arrive; what
# arrives is exactly what the device reads back. A host name in "to" is
# resolved by the CLI.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="d_lf d_octet d_klf s_lf"
trap cleanup_targets EXIT

ktap_plan

# deliver FRAMING ADDR: 1500 records before, 1500 while connected
deliver() {
	local framing=$1 addr=$2 port log=d_$1 n=3000
	port=$(free_port)
	"$KLOGFWD" log add "$log" framing "$framing" segment-bytes 262144 || return 1
	"$PRODUCE" -o "/dev/klogfwd/$log" -n 1500 --min 1 --max 3000 --seed 7 > /dev/null || return 1
	recv_start "r_$framing" -l "$addr:$port" -f "$framing" -o "$WORK/$framing.bin" -n $n -t 120 || return 1
	"$KLOGFWD" target add "t_$framing" log "$log" to "$addr:$port" || return 1
	"$PRODUCE" -o "/dev/klogfwd/$log" -n 1500 --seq-start 1500 --min 1 --max 3000 --seed 8 > /dev/null || return 1
	recv_wait "r_$framing" 120 || return 1
	[ "$(rstat "r_$framing" records)" = $n ] || { echo "# records $(rstat "r_$framing" records)"; return 1; }
	[ "$(rstat "r_$framing" gaps)" = 0 ] && [ "$(rstat "r_$framing" duplicates)" = 0 ]
}

# exact FRAMING: the receiver got exactly what the device reads back
exact() {
	dd if="/dev/klogfwd/d_$1" of="$WORK/$1.dev" bs=4M status=none 2>/dev/null
	cmp "$WORK/$1.dev" "$WORK/$1.bin"
}

check "lf: 3000 records of 1..3000 bytes to klf_recv over IPv4, no gap" deliver lf 127.0.0.1
check "lf: received bytes equal the log's bytes" exact lf
check "octet: 3000 records to klf_recv over IPv4, no gap" deliver octet 127.0.0.1
check "octet: received bytes equal the log's bytes" exact octet
check "klf: 3000 records to klf_recv over IPv6 (CRCs and offsets checked)" deliver klf '[::1]'
check "klf: received bytes equal the log's bytes" exact klf

counters() {
	local t=t_klf
	"$KLOGFWD" target show $t | sed 's/^/# /'
	# the receiver left after 3000 records: the target is reconnecting
	[ "$(tstat $t records_sent)" = 3000 ] &&
	wait_for 10 tstat_is $t records_acked = 3000 &&
	[ "$(tstat $t lag_records)" = 0 ] &&
	[ "$(tstat $t connects)" = 1 ] &&
	[ "$(tstat $t bytes_copied)" = 0 ] &&
	[ "$(tstat $t pages_spliced)" -gt 0 ]
}
check "counters: 3000 sent and acked, lag 0, one connect, nothing copied" counters

show() {
	"$KLOGFWD" target show t_klf | grep -q "^target t_klf log d_klf to \[::1\]:" &&
	"$KLOGFWD" -j target show t_klf | grep -q '"records_acked": *3000'
}
check "target show and -j report the same counters" show

socat_lf() {
	local port
	port=$(free_port)
	"$KLOGFWD" log add s_lf || return 1
	"$PRODUCE" -o /dev/klogfwd/s_lf -n 500 > /dev/null || return 1
	socat -u "TCP-LISTEN:$port,reuseaddr" "OPEN:$WORK/socat.bin,creat,trunc" \
		> /dev/null 2>&1 < /dev/null &
	wait_for 5 eval "ss -Hltn 'sport = :$port' | grep -q ."
	"$KLOGFWD" target add s1 log s_lf to "127.0.0.1:$port" || return 1
	dd if=/dev/klogfwd/s_lf of="$WORK/socat.dev" bs=4M status=none
	wait_for 30 cmp -s "$WORK/socat.dev" "$WORK/socat.bin"
}
check "lf to socat: byte-exact" socat_lf

from_latest() {
	local port
	port=$(free_port)
	recv_start r_latest -l "127.0.0.1:$port" -f lf -n 10 -t 60 || return 1
	"$KLOGFWD" target add latest log d_lf to "127.0.0.1:$port" from latest || return 1
	wait_for 10 tstat_is latest state = established || return 1
	"$PRODUCE" -o /dev/klogfwd/d_lf -n 10 --seq-start 5000 > /dev/null || return 1
	recv_wait r_latest 60 && [ "$(rstat r_latest first_seq)" = 5000 ]
}
check "from latest: only records appended afterwards" from_latest

from_offset() {
	local port
	port=$(free_port)
	recv_start r_off -l "127.0.0.1:$port" -f klf -n 1000 -t 60 || return 1
	"$KLOGFWD" target add off log d_klf to "127.0.0.1:$port" from 2000 || return 1
	recv_wait r_off 60 && [ "$(rstat r_off first_offset)" = 2000 ] &&
	[ "$(rstat r_off last_offset)" = 2999 ]
}
check "from OFFSET: starts at that record" from_offset

# to HOST:PORT with a host name: the CLI resolves it (the VM's /etc/hosts),
# names the address on stderr, and the target connects to that address
host_name() {
	local port addr bracket err
	port=$(free_port)
	addr=$(getent ahosts localhost | awk '$2 == "STREAM" { print $1; exit }')
	[ -n "$addr" ] || { echo "# localhost does not resolve"; return 1; }
	bracket=$addr
	case $addr in *:*) bracket="[$addr]" ;; esac
	recv_start r_name -l "$bracket:$port" -f lf -n 10 -t 60 || return 1
	err=$("$KLOGFWD" target add by_name log d_lf to "localhost:$port" from latest 2>&1 >/dev/null) ||
		{ echo "# $err"; return 1; }
	[ "$err" = "klogfwd: target add: localhost resolved to $addr" ] ||
		{ echo "# stderr: $err"; return 1; }
	"$KLOGFWD" target show by_name | grep -qF "target by_name log d_lf to $bracket:$port " || return 1
	wait_for 10 tstat_is by_name state = established || return 1
	"$PRODUCE" -o /dev/klogfwd/d_lf -n 10 --seq-start 7000 > /dev/null || return 1
	recv_wait r_name 60 && [ "$(rstat r_name first_seq)" = 7000 ]
}
check "to localhost:PORT: resolved by the CLI, named on stderr, delivers" host_name

del_all() {
	cleanup_targets
	[ -z "$(ls "$KLF_DFS/logs")" ] &&
	grep -q '^targets 0' "$KLF_DFS/objects" && grep -q '^sockets 0' "$KLF_DFS/objects"
}
check "targets and logs deleted: no target or socket left" del_all

ktap_finish
