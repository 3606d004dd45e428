#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test receiver and producer (klf_recv, klf_produce) checked on the
# host over loopback, without the module: streams built by klf_produce
# (--frame, --expect-file) are sent with socat and klf_recv must pass the
# good ones byte for byte and fail the broken ones for the right reason
# (gap, corrupt payload, bad CRC, bad framing, duplicate), count a record
# cut by a disconnect as partial, and send app acks with the right offset.
#
#   make selftests && bash selftests/framing_tools.sh
#
# Needs socat. Output is KTAP; exit 0 only if every case passed.

# shellcheck disable=SC2317 # the cases are called through check()
set -u
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "$0")/lib.sh"

B=${KLF_BUILD:-$KLF_TOP/build/selftests}
RECV=$B/klf_recv
PROD=$B/klf_produce

{ [ -x "$RECV" ] && [ -x "$PROD" ]; } || skip_all "$B/klf_recv or klf_produce missing (run 'make selftests')"
command -v socat >/dev/null || skip_all "socat is not installed"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# recv_start ARGS...: klf_recv on a free loopback port, once it listens.
# Sets port and rpid. Stats in $tmp/stats, output in $tmp/r.out, r.err.
recv_start()
{
	local _

	rm -f "$tmp/stats" "$tmp/recv.bin"
	for _ in 1 2 3 4 5; do
		# the last receiver's "listening" must not count for this one
		# before its shell has truncated r.out
		rm -f "$tmp/r.out"
		port=$((40000 + RANDOM % 20000))
		"$RECV" -l "127.0.0.1:$port" -s "$tmp/stats" -t 10 "$@" \
			> "$tmp/r.out" 2> "$tmp/r.err" &
		rpid=$!
		for _ in $(seq 200); do
			grep -q '^listening$' "$tmp/r.out" && return 0
			kill -0 "$rpid" 2>/dev/null || break
			sleep 0.01
		done
		kill "$rpid" 2>/dev/null
		wait "$rpid"
	done
	echo "klf_recv did not start: $(cat "$tmp/r.err")"
	return 1
}

# recv_wait: wait for klf_recv; sets rc to its exit status
recv_wait()
{
	wait "$rpid"
	rc=$?
}

# send FILE [SOCAT_OPTS...]: one connection carrying FILE
send()
{
	local f=$1

	shift
	socat "$@" -u "OPEN:$f" "TCP:127.0.0.1:$port"
}

stat_of()
{
	sed -n "s/^$1 //p" "$tmp/stats"
}

# expect KEY=VALUE...: stats (and rc=N: klf_recv's exit status) as given
expect()
{
	local kv k v got bad=0

	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		if [ "$k" = rc ]; then
			got=$rc
		else
			got=$(stat_of "$k")
		fi
		if [ "$got" != "$v" ]; then
			echo "$k is '$got', expected '$v'"
			bad=1
		fi
	done
	if [ "$bad" = 1 ]; then
		echo "klf_recv stderr:"
		cat "$tmp/r.err"
	fi
	return "$bad"
}

# flip FILE POS: replace the byte at POS with another printable one
flip()
{
	local c r=A

	c=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null)
	[ "$c" = A ] && r=B
	printf %s "$r" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# frames FRAMING FILE FIRST COUNT [ARGS...]: records FIRST.. (seq and klf
# offset) framed into FILE (new), timestamp 0 (none: reproducible bytes)
frames()
{
	local framing=$1 f=$2 first=$3 n=$4

	shift 4
	rm -f "$f"
	"$PROD" --frame "$framing" -o "$f" --seq-start "$first" --offset-start "$first" \
		-n "$n" --min 64 --max 300 --ts 0 "$@" > /dev/null
}

# good_stream FRAMING: 2000 records arrive byte for byte, nothing flagged
good_stream()
{
	local framing=$1

	if [ "$framing" = lf ]; then
		"$PROD" --expect-file "$tmp/exp" -n 2000 --min 16 --max 2000 --seed 7 > /dev/null
	else
		rm -f "$tmp/exp"
		"$PROD" --frame "$framing" -o "$tmp/exp" -n 2000 --min 16 --max 2000 --seed 7 > /dev/null
	fi
	recv_start -f "$framing" -c 1 -o "$tmp/recv.bin" || return 1
	send "$tmp/exp" || return 1
	recv_wait
	expect rc=0 records=2000 gaps=0 duplicates=0 corrupt=0 bad_crc=0 partial=0 \
		first_seq=0 last_seq=1999 connections=1 || return 1
	cmp "$tmp/exp" "$tmp/recv.bin" || return 1
	[ "$(stat_of lat_p50_us)" -gt 0 ] || { echo "no latency measured"; return 1; }
}

# small_writes: klf sent 13 bytes per write, records split across reads
small_writes()
{
	frames klf "$tmp/a" 0 200
	recv_start -f klf -c 1 || return 1
	send "$tmp/a" -b 13 || return 1
	recv_wait
	expect rc=0 records=200 first_offset=0 last_offset=199 lat_p50_us=0
}

# gap FRAMING: record 5 of 10 missing
gap()
{
	local framing=$1

	frames "$framing" "$tmp/a" 0 5
	frames "$framing" "$tmp/b" 6 4
	cat "$tmp/a" "$tmp/b" > "$tmp/s"
	recv_start -f "$framing" -c 1 || return 1
	send "$tmp/s" || return 1
	recv_wait
	if [ "$framing" = klf ]; then
		expect rc=1 records=9 gaps=1 offset_gaps=1
	else
		expect rc=1 records=9 gaps=1
	fi
}

# corrupt FRAMING POS KEY: a byte of record 0 flipped; KEY counts it
corrupt()
{
	local framing=$1 pos=$2 key=$3

	frames "$framing" "$tmp/s" 0 10
	flip "$tmp/s" "$pos"
	recv_start -f "$framing" -c 1 || return 1
	send "$tmp/s" || return 1
	recv_wait
	expect rc=1 "$key=1" gaps=0
}

# bad_magic: a klf stream whose first header is wrong is not parsed at all
bad_magic()
{
	frames klf "$tmp/s" 0 10
	flip "$tmp/s" 0
	recv_start -f klf -c 1 || return 1
	send "$tmp/s" || return 1
	recv_wait
	expect rc=1 bad_frame=1 records=0
}

# dup FRAMING DEDUP: record 4 sent twice
dup()
{
	local framing=$1 dedup=$2

	frames "$framing" "$tmp/a" 0 5
	frames "$framing" "$tmp/d" 4 1
	frames "$framing" "$tmp/b" 5 5
	cat "$tmp/a" "$tmp/d" "$tmp/b" > "$tmp/s"
	cat "$tmp/a" "$tmp/b" > "$tmp/clean"
	if [ "$dedup" = 1 ]; then
		recv_start -f "$framing" -c 1 -d -o "$tmp/recv.bin" || return 1
	else
		recv_start -f "$framing" -c 1 -o "$tmp/recv.bin" || return 1
	fi
	send "$tmp/s" || return 1
	recv_wait
	if [ "$dedup" = 1 ]; then
		expect rc=0 records=10 duplicates=1 gaps=0 || return 1
		# -d writes each record once, whole
		cmp "$tmp/clean" "$tmp/recv.bin"
	else
		expect rc=1 records=10 duplicates=1 gaps=0 || return 1
		# without -d, every byte as received
		cmp "$tmp/s" "$tmp/recv.bin"
	fi
}

# cut: connection 1 ends inside record 5, connection 2 resends from 5
cut()
{
	frames klf "$tmp/a" 0 5
	frames klf "$tmp/b" 5 5
	{ cat "$tmp/a"; head -c 40 "$tmp/b"; } > "$tmp/s"
	recv_start -f klf -c 2 || return 1
	send "$tmp/s" || return 1
	send "$tmp/b" || return 1
	recv_wait
	expect rc=0 records=10 partial=1 gaps=0 offset_gaps=0 duplicates=0 connections=2
}

# switch: a new connection arrives while the old one is still open and
# holds unread records (the receiver reads every 500 ms): those are taken,
# the cut record is partial, and the new connection continues from it
switch()
{
	local sp

	frames octet "$tmp/a" 0 600
	frames octet "$tmp/b" 600 100
	{ cat "$tmp/a"; head -c 10 "$tmp/b"; } > "$tmp/s"
	recv_start -f octet -n 700 -r 500 || return 1
	# connection 1 stays open as long as the fifo has a writer (fd 7)
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	socat -u "OPEN:$tmp/fifo" "TCP:127.0.0.1:$port" > /dev/null 2>&1 &
	sp=$!
	exec 7> "$tmp/fifo"
	cat "$tmp/s" >&7
	sleep 0.2
	send "$tmp/b" || return 1
	recv_wait
	exec 7>&-
	wait "$sp"
	expect rc=0 records=700 partial=1 gaps=0 duplicates=0 connections=2
}

# acks: the 8-byte little-endian acks are the next offset wanted
acks()
{
	local last

	frames klf "$tmp/s" 100 50
	recv_start -f klf -a -c 1 || return 1
	socat -t 5 - "TCP:127.0.0.1:$port" < "$tmp/s" > "$tmp/acks" || return 1
	recv_wait
	expect rc=0 records=50 first_offset=100 last_offset=149 || return 1
	{ [ -s "$tmp/acks" ] && [ $(($(stat -c %s "$tmp/acks") % 8)) = 0 ]; } ||
		{ echo "acks: $(stat -c %s "$tmp/acks") bytes"; return 1; }
	last=$(od -An -v -tu8 -w8 "$tmp/acks" | tr -d ' ' | tail -1)
	[ "$last" = 150 ] || { echo "last ack $last, expected 150"; return 1; }
	od -An -v -tu8 -w8 "$tmp/acks" | tr -d ' ' | sort -n -c ||
		{ echo "acks went backwards"; return 1; }
}

# resend: at-least-once after a reconnect, deduplicated by offset, acked
resend()
{
	local last

	frames klf "$tmp/a" 100 5
	frames klf "$tmp/b" 103 7
	{ cat "$tmp/a"; head -c 50 "$tmp/b"; } > "$tmp/s"
	recv_start -f klf -a -d -c 2 || return 1
	socat -t 5 - "TCP:127.0.0.1:$port" < "$tmp/s" > "$tmp/acks1" || return 1
	socat -t 5 - "TCP:127.0.0.1:$port" < "$tmp/b" > "$tmp/acks2" || return 1
	recv_wait
	expect rc=0 records=10 duplicates=2 partial=1 gaps=0 offset_gaps=0 || return 1
	last=$(od -An -v -tu8 -w8 "$tmp/acks1" | tr -d ' ' | tail -1)
	[ "$last" = 105 ] || { echo "last ack on connection 1: $last, expected 105"; return 1; }
	last=$(od -An -v -tu8 -w8 "$tmp/acks2" | tr -d ' ' | tail -1)
	[ "$last" = 110 ] || { echo "last ack on connection 2: $last, expected 110"; return 1; }
}

# slow: -r between reads still gets everything
slow()
{
	frames lf "$tmp/s" 0 300
	recv_start -f lf -c 1 -r 20 || return 1
	send "$tmp/s" || return 1
	recv_wait
	expect rc=0 records=300
}

# stall: --stall reads nothing, so a large stream cannot be sent
stall()
{
	local src

	"$PROD" -o "$tmp/s" -n 1000 --min 8000 --max 8000 > /dev/null
	recv_start -f lf --stall --rcvbuf 4096 || return 1
	timeout 1 socat -u "OPEN:$tmp/s" "TCP:127.0.0.1:$port"
	src=$?
	kill -TERM "$rpid"
	recv_wait
	[ "$src" = 124 ] || { echo "socat exited $src, expected a timeout (124)"; return 1; }
	expect rc=0 records=0 bytes=0 connections=1
}

# signals: SIGUSR1 writes the stats, SIGTERM ends cleanly with them
signals()
{
	frames lf "$tmp/s" 0 20
	recv_start -f lf || return 1
	send "$tmp/s" || return 1
	sleep 0.2
	kill -USR1 "$rpid"
	sleep 0.2
	expect records=20 || return 1
	kill -TERM "$rpid"
	recv_wait
	expect rc=0 records=20 || return 1
	grep -q '^records 20$' "$tmp/r.err" || { echo "no stats on stderr"; return 1; }
}

# timeout: -t ends a receiver that gets nothing
time_limit()
{
	local t0=$SECONDS

	recv_start -f klf -t 1 || return 1
	recv_wait
	expect rc=0 records=0 first_seq=-1 || return 1
	[ $((SECONDS - t0)) -le 3 ] || { echo "took $((SECONDS - t0)) s"; return 1; }
}

# usage: -a needs klf; bad framing name; no address
usage()
{
	fails "$RECV" -l 127.0.0.1:1 -f lf -a 2>/dev/null &&
	fails "$RECV" -l 127.0.0.1:1 -f xml 2>/dev/null &&
	fails "$RECV" -f lf 2>/dev/null &&
	fails "$PROD" -n 1 2>/dev/null &&
	fails "$PROD" -o "$tmp/x" --min 10 --max 5 2>/dev/null
}

# producer: sizes within [min, max], reproducible by seed, no newline
producer_sizes()
{
	local a b c

	"$PROD" --expect-file "$tmp/e1" -n 500 --min 100 --max 150 --seed 3 --ts 0 > /dev/null
	"$PROD" --expect-file "$tmp/e2" -n 500 --min 100 --max 150 --seed 3 --ts 0 > /dev/null
	"$PROD" --expect-file "$tmp/e3" -n 500 --min 100 --max 150 --seed 4 --ts 0 > /dev/null
	cmp -s "$tmp/e1" "$tmp/e2" || { echo "same seed, different records"; return 1; }
	cmp -s "$tmp/e1" "$tmp/e3" && { echo "different seeds, same records"; return 1; }
	a=$(wc -l < "$tmp/e1")
	b=$(awk 'length($0) < 100 || length($0) > 150' "$tmp/e1" | wc -l)
	c=$(awk '{ print length($0) }' "$tmp/e1" | sort -u | wc -l)
	{ [ "$a" = 500 ] && [ "$b" = 0 ] && [ "$c" -gt 20 ]; } ||
		{ echo "lines $a, out of range $b, distinct sizes $c"; return 1; }
	# raw records to stdout are the same payloads without the newlines
	"$PROD" -o - -n 500 --min 100 --max 150 --seed 3 --ts 0 2>/dev/null > "$tmp/raw"
	tr -d '\n' < "$tmp/e1" | cmp -s - "$tmp/raw" || { echo "stdout differs"; return 1; }
}

# producer_errors: a failing write exits 1 naming the errno; EAGAIN waits
producer_errors()
{
	local out

	out=$("$PROD" -o /dev/full -n 1 2>&1) && { echo "/dev/full accepted"; return 1; }
	echo "$out" | grep -q 'errno 28' || { echo "no errno in: $out"; return 1; }
	out=$("$PROD" -o - --nonblock -n 300 --min 4000 --max 4000 2>"$tmp/perr" |
	      { sleep 0.3; cat > /dev/null; }; cat "$tmp/perr")
	echo "$out" | grep -Eq '^produced 300 records, [0-9]+ bytes, [1-9][0-9]* eagain$' ||
		{ echo "expected EAGAINs: $out"; return 1; }
}

ktap_plan
check "good lf stream, byte for byte" good_stream lf
check "good octet stream, byte for byte" good_stream octet
check "good klf stream, byte for byte" good_stream klf
check "klf records split across reads" small_writes
check "lf: a missing record is a gap" gap lf
check "octet: a missing record is a gap" gap octet
check "klf: a missing record is a seq and offset gap" gap klf
check "lf: a flipped filler byte is corrupt" corrupt lf 20 corrupt
check "octet: a flipped filler byte is corrupt" corrupt octet 24 corrupt
check "klf: a flipped payload byte is a bad crc" corrupt klf 52 bad_crc
check "klf: a flipped offset is a bad crc" corrupt klf 16 bad_crc
check "klf: a bad magic is bad framing" bad_magic
check "klf: duplicate with -d is dropped, exit 0" dup klf 1
check "lf: duplicate with -d is dropped, exit 0" dup lf 1
check "klf: duplicate without -d fails" dup klf 0
check "record cut by a disconnect is partial, resent without gap" cut
check "a new connection replaces an open one" switch
check "app acks carry the next offset" acks
check "resend after reconnect: dedup by offset, acks" resend
check "slow receiver (-r) gets everything" slow
check "stalled receiver (--stall) takes nothing" stall
check "SIGUSR1 writes stats, SIGTERM exits with them" signals
check "-t ends an idle receiver" time_limit
check "usage errors" usage
check "producer: sizes, seeds, stdout" producer_sizes
check "producer: write errors and EAGAIN" producer_errors
ktap_finish
