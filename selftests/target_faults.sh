#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# Faults while forwarding: connections reset from either end (exact resume:
# no gap with ack tcp, and a record sent twice only if the sender resent
# it), receivers killed and restarted (no
# gap with ack app), a receiver that never reads does not hold back another
# target, and targets, logs and namespaces deleted while sending.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="fr fa fs fd fb fl flap fk"
trap cleanup_targets EXIT
modprobe veth 2>/dev/null
# the namespaces of netns_del and link_flap, named uniquely
setup_ns NSF NSRX || skip_all "cannot make network namespaces"

ktap_plan

# Repetitions: 10 resets from each end and 8 receivers killed; on the debug
# kernel 3 and 3 (each kind of fault still proven, one after another), the
# full counts in the long form (KLF_LONG=1, make check-long)
n_resets=10 n_kills=8
[ "$KLF_SLOW" -gt 1 ] && n_resets=$(klf_long 3 10) n_kills=$(klf_long 3 8)

# the receiver stays up; a connection is reset n_resets times while records
# flow (the producer is paced, so that the stream lasts the resets), from
# the receiver's end or the sender's. Each reset must take effect: a
# connection is reset (the target may be between two: wait for the next)
# and the target reconnects. The kernel log tells connections and losses,
# at most 6 lines a minute for the target (KLF_SAY_BURST): at least 3 resets
# make 7 events.
resets() {
	local side=$1 port i prod rc filter n=$((10000 / KLF_SLOW)) dm0 said
	port=$(free_port)
	if [ "$side" = receiver ]; then
		filter="src 127.0.0.1 sport = :$port"
	else
		filter="dst 127.0.0.1 dport = :$port"
	fi
	"$KLOGFWD" target del fr 2>/dev/null
	"$KLOGFWD" log del fr 2>/dev/null
	"$KLOGFWD" log add fr framing klf || return 1
	dm0=$(dmesg_mark) || return 1
	recv_start fr -l "127.0.0.1:$port" -f klf -d -t 240 || return 1
	"$KLOGFWD" target add fr log fr to "127.0.0.1:$port" backoff 20-100 || return 1
	"$PRODUCE" -o /dev/klogfwd/fr -n $n --min 100 --max 2000 --rate $((1000 / KLF_SLOW)) \
		> /dev/null 2>&1 &
	prod=$!
	for ((i = 1; i <= n_resets; i++)); do
		nap 0.3
		counter target fr reconnects
		rc=$KV
		# shellcheck disable=SC2086 # the filter is words
		wait_for $((10 * KLF_SLOW)) reset_conn $filter ||
			{ echo "# reset $i: no connection ($filter) was reset;" \
			       "target: $("$KLOGFWD" target show fr | tail -n 1)"; return 1; }
		wait_for $((10 * KLF_SLOW)) tstat_is fr reconnects -gt "$rc" ||
			{ echo "# reset $i: the target's reconnects stayed $rc"; return 1; }
	done
	echo "# $n_resets resets done at record $(tstat fr acked_offset) of $n"
	said=$(dmesg_since "$dm0" | grep -F "klogfwd: target fr (log fr): ")
	echo "$said" | sed 's/^/# dmesg: /'
	[ "$(echo "$said" | grep -c ": connected to 127.0.0.1:$port$")" -ge 1 ] &&
	echo "$said" | grep -qE ": connection to 127\.0\.0\.1:$port lost: -(E[A-Z]+|[0-9]+)$" &&
	[ "$(echo "$said" | wc -l)" -le 6 ] ||
		{ echo "# the kernel log did not tell the connections, or told more than 6"; return 1; }
	wait $prod
	wait_for $((60 * KLF_SLOW)) recv_has fr records $n
	kill "$PID_fr" && recv_wait fr 30 || return 1
	echo "# reconnects $(tstat fr reconnects) connections $(rstat fr connections)" \
	     "duplicates $(rstat fr duplicates) resent_bytes $(tstat fr resent_bytes)"
	[ "$(rstat fr records)" = $n ] && [ "$(rstat fr last_offset)" = $((n - 1)) ] &&
	[ "$(rstat fr gaps)" = 0 ] && [ "$(rstat fr offset_gaps)" = 0 ] &&
	[ "$(tstat fr reconnects)" -ge "$n_resets" ] &&
	[ "$(rstat fr connections)" -ge $((n_resets + 1)) ] &&
	# a record comes twice only if the sender sent it again (each is at
	# least 132 bytes framed)
	[ $(($(rstat fr duplicates) * 132)) -le "$(tstat fr resent_bytes)" ] &&
	"$KLOGFWD" target del fr && "$KLOGFWD" log del fr
}
# an abort loses the acknowledgments not yet sent (a delayed ACK) or not
# yet received: the records they covered are sent again (klogfwd.rst,
# "Delivery guarantee"), none is skipped
check "ack tcp: $n_resets resets from the receiver's end, no record lost, repeats resent" \
	resets receiver
check "ack tcp: $n_resets resets of the sender's end, no record lost, repeats resent" \
	resets sender

# receiver NAME has closed K connections, or has finished
recv_closed() {
	[ -s "$WORK/$1.rc" ] || recv_has "$1" closed "$2"
}

# receivers killed with SIGKILL and restarted; ack app keeps what they lost.
# Each receiver keeps its own file: one killed in the middle of a write may
# leave a torn record at the end of its file (never acknowledged, so sent
# again to the next one), which must not land in the middle of another's.
restarts() {
	local port i k prod n=$((6000 / KLF_SLOW))
	port=$(free_port)
	"$KLOGFWD" log add fa framing klf || return 1
	recv_start fa0 -l "127.0.0.1:$port" -f klf -a -d -o "$WORK/fa0.bin" -t 120 || return 1
	"$KLOGFWD" target add fa log fa to "127.0.0.1:$port" ack app backoff 20-100 || return 1
	"$PRODUCE" -o /dev/klogfwd/fa -n $n --min 100 --max 1500 --rate $((3000 / KLF_SLOW)) > /dev/null 2>&1 &
	prod=$!
	for ((i = 1; i <= n_kills; i++)); do
		nap 0.4
		read -r k < "$WORK/fa$((i - 1)).pid"
		kill -9 "$k"
		recv_start "fa$i" -l "127.0.0.1:$port" -f klf -a -d -o "$WORK/fa$i.bin" -t 120 ||
			{ echo "# receiver $i did not start"; cat "$WORK/fa$i.err"; return 1; }
	done
	wait $prod
	if ! wait_for 120 tstat_is fa acked_offset = $n; then
		echo "# acked_offset $(tstat fa acked_offset) of $n"
		"$KLOGFWD" target show fa | sed 's/^/#   /'
		return 1
	fi
	read -r k < "$WORK/fa$n_kills.pid"
	kill "$k"
	# replay everything the receivers kept through one deduplicating
	# receiver, one connection per file (a torn tail ends its connection)
	port=$(free_port)
	recv_start fall -l "127.0.0.1:$port" -f klf -d -n $n -t 60 || return 1
	k=0
	for ((i = 0; i <= n_kills; i++)); do
		[ -s "$WORK/fa$i.bin" ] || continue
		socat -u "OPEN:$WORK/fa$i.bin" "TCP:127.0.0.1:$port" < /dev/null > /dev/null 2>&1
		k=$((k + 1))
		wait_for 30 recv_closed fall $k ||
			{ echo "# fa$i.bin: $(stat -c %s "$WORK/fa$i.bin") bytes, closed $(rstat fall closed)"; break; }
	done
	recv_wait fall 60
	echo "# records $(rstat fall records) duplicates $(rstat fall duplicates)" \
	     "gaps $(rstat fall gaps) torn tails $(rstat fall partial) files $k"
	[ "$(rstat fall records)" = $n ] && [ "$(rstat fall gaps)" = 0 ]
}
check "ack app: $n_kills receivers killed (SIGKILL) mid-stream, no record lost" restarts

# a receiver with a zero window does not hold back another target
stall() {
	local p1 p2 n=$((8000 / KLF_SLOW))
	p1=$(free_port)
	p2=$(free_port)
	"$KLOGFWD" log add fs segment-bytes 1048576 || return 1
	recv_start stalled -l "127.0.0.1:$p1" -f lf --stall --rcvbuf 4096 -t 120 || return 1
	recv_start live -l "127.0.0.1:$p2" -f lf -n $n -t 120 || return 1
	"$KLOGFWD" target add stalled log fs to "127.0.0.1:$p1" sndbuf 65536 || return 1
	"$KLOGFWD" target add live log fs to "127.0.0.1:$p2" || return 1
	"$PRODUCE" -o /dev/klogfwd/fs -n $n --min 500 --max 1500 > /dev/null || return 1
	recv_wait live 120 || return 1
	echo "# stalled target: acked $(tstat stalled acked_offset) of $n, lag $(tstat stalled lag_bytes) bytes"
	[ "$(rstat live gaps)" = 0 ] && [ "$(tstat stalled acked_offset)" -lt $n ]
}
check "a receiver that never reads does not stall another target" stall

drops() {
	local d
	"$KLOGFWD" log add fd segment-bytes 65536 retain-bytes 131072 max-record 1024 || return 1
	"$KLOGFWD" target add nobody log fd to 127.0.0.1:9 backoff 1000-1000 || return 1
	"$PRODUCE" -o /dev/klogfwd/fd -n 2000 --min 100 --max 200 > /dev/null || return 1
	d=$(tstat nobody dropped_records)
	echo "# dropped_records $d, log dropped $(lstat fd dropped_records)"
	[ "$d" -gt 0 ]
}
check "overflow drop: records deleted before a dead target had them are counted" drops

block() {
	"$KLOGFWD" log add fb segment-bytes 65536 retain-bytes 131072 max-record 1024 overflow block || return 1
	"$KLOGFWD" target add fb log fb to 127.0.0.1:9 backoff 1000-1000 || return 1
	python3 - <<'PY'
import os, errno
fd = os.open("/dev/klogfwd/fb", os.O_WRONLY | os.O_NONBLOCK)
try:
    for i in range(5000):
        os.write(fd, b"x" * 150)
    raise SystemExit("5000 appends went through a full blocking log")
except BlockingIOError:
    pass
PY
}
check "overflow block: a full log refuses appends (EAGAIN) while a target lags" block

block_release() {
	local port
	port=$(free_port)
	recv_start fb -l "127.0.0.1:$port" -f lf -t 60 || return 1
	"$KLOGFWD" target del fb && "$KLOGFWD" target add fb2 log fb to "127.0.0.1:$port" from earliest || return 1
	wait_for 30 tstat_is fb2 lag_records = 0 || return 1
	echo x > /dev/klogfwd/fb
}
check "overflow block: appends go through again once the target caught up" block_release

# blocked producers woken together each get their own offset (klf framing
# carries it): the log stays readable and the offsets contiguous
block_wake() {
	local port i pids=
	"$KLOGFWD" log add fk framing klf segment-bytes 65536 retain-bytes 131072 \
		max-record 1024 overflow block || return 1
	"$KLOGFWD" target add fk log fk to 127.0.0.1:9 backoff 60000-60000 || return 1
	"$PRODUCE" -o /dev/klogfwd/fk -n 2000 --min 100 --max 200 --nonblock \
		> /dev/null 2>&1 &
	i=$!
	nap 2
	kill $i 2>/dev/null
	for i in 1 2 3 4; do
		"$PRODUCE" -o /dev/klogfwd/fk -n 50 --seq-start $((10000 * i)) \
			--min 100 --max 200 > /dev/null 2>&1 &
		pids="$pids $!"
	done
	nap 1
	port=$(free_port)
	recv_start fk -l "127.0.0.1:$port" -f klf -d -t 60 || return 1
	"$KLOGFWD" target del fk &&
	"$KLOGFWD" target add fk2 log fk to "127.0.0.1:$port" from earliest || return 1
	wait $pids || { echo "# a blocked producer failed"; return 1; }
	wait_for 30 tstat_is fk2 lag_records = 0 || return 1
	recv_stats fk
	echo "# offset_gaps $(rstat fk offset_gaps) bad_crc $(rstat fk bad_crc) records $(rstat fk records)"
	dd if=/dev/klogfwd/fk of=/dev/null bs=4M status=none &&
	[ "$(rstat fk offset_gaps)" = 0 ] && [ "$(rstat fk bad_crc)" = 0 ] &&
	[ "$(rstat fk bad_frame)" = 0 ]
}
check "overflow block: producers woken together get their own offsets" block_wake

del_under_load() {
	local port prod
	port=$(free_port)
	"$KLOGFWD" log add fl || return 1
	recv_start fl -l "127.0.0.1:$port" -f lf -t 60 -r 5 || return 1
	"$KLOGFWD" target add fl1 log fl to "127.0.0.1:$port" || return 1
	"$KLOGFWD" target add fl2 log fl to "127.0.0.1:$port" || return 1
	"$PRODUCE" -o /dev/klogfwd/fl -n $((3000 / KLF_SLOW)) --min 500 --max 1500 > /dev/null 2>&1 &
	prod=$!
	nap 1
	"$KLOGFWD" target del fl1 || return 1
	nap 0.5
	"$KLOGFWD" log del fl force || return 1
	wait $prod
	[ ! -d "$KLF_DFS/targets/fl2" ]
}
check "target and log deleted while sending" del_under_load

netns_del() {
	local port
	port=$(free_port)
	veth_ns "$NSF" klfa klfb 10.201.0 || return 1
	recv_start ns -l "10.201.0.1:$port" -f lf -t 60 -r 5 || return 1
	ip netns exec "$NSF" "$KLOGFWD" log add nslog || return 1
	ip netns exec "$NSF" "$KLOGFWD" target add nst log nslog to "10.201.0.1:$port" || return 1
	ip netns exec "$NSF" "$PRODUCE" -o /dev/klogfwd/nslog -n $((2000 / KLF_SLOW)) --min 500 --max 1500 > /dev/null
	KLF_NS=$NSF wait_for 10 tstat_is nst state = established || return 1
	ip netns del "$NSF"
	wait_for 10 test ! -d "$KLF_DFS/targets/nst"
}
check "network namespace deleted while its target sends" netns_del

# the path to the receiver goes down for 2 s mid-stream, then comes back
link_flap() {
	local port prod n=$((4000 / KLF_SLOW))
	port=$(free_port)
	veth_ns "$NSRX" klfc klfd 10.202.0 || return 1
	(ip netns exec "$NSRX" "$RECV" -l "10.202.0.2:$port" -f lf -n $n -t 120 \
		-s "$WORK/flap.stats" > "$WORK/flap.out" 2>&1; echo $? > "$WORK/flap.rc") &
	wait_for 10 has_line "$WORK/flap.out" listening || return 1
	"$KLOGFWD" log add flap || return 1
	"$KLOGFWD" target add flap log flap to "10.202.0.2:$port" || return 1
	"$PRODUCE" -o /dev/klogfwd/flap -n $n --min 200 --max 1500 --rate $((2000 / KLF_SLOW)) \
		> /dev/null 2>&1 &
	prod=$!
	nap 0.7
	ip link set klfc down
	nap 2
	ip link set klfc up
	wait $prod
	wait_for 120 test -s "$WORK/flap.rc" || { echo "# receiver did not finish"; return 1; }
	echo "# flap: records $(rstat flap records), reconnects $(tstat flap reconnects)"
	[ "$(cat "$WORK/flap.rc")" = 0 ] && [ "$(rstat flap gaps)" = 0 ] &&
	[ "$(rstat flap records)" = $n ]
}
check "veth link down for 2 s and up again: every record delivered" link_flap

objects() {
	cleanup_targets
	for l in fr fa fs fd fb; do "$KLOGFWD" log del $l; done
	wait_for 10 grep -q '^sockets 0' "$KLF_DFS/objects" &&
	grep -q '^targets 0' "$KLF_DFS/objects"
}
check "no target or socket left" objects

ktap_finish
