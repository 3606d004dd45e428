#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Security claims of Documentation/security.rst that no other test proves:
# the log and target limits fail cleanly with ENOSPC, oversized records are refused,
# a hostile "ack app" receiver (huge, garbage and backwards offsets, never
# reading) cannot make a target acknowledge records it did not queue and
# holds at most its send buffer, no kernel address in any debugfs file or
# netlink reply, and a reader whose buffer faults forever does not stall
# the producers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="sec-rec sec-ack sec-uffd"
KLF_TEST_LOGS="$KLF_TEST_LOGS sec-tgt"
trap cleanup_targets EXIT

ktap_plan

# at most 256 logs and 4096 targets: the next one fails with ENOSPC and
# its message, leaves nothing behind, and deleting frees the slot again
limit() { # limit logs|targets PREFIX MAX
	local out n0 kind=$1 max=$3
	n0=$(ls "$KLF_DFS/$kind" | wc -l)
	out=$("$KLF_BIN/klf_limits" "$kind" "$2") || { echo "$out"; return 1; }
	echo "$out"
	grep -qx "created $((max - n0))" <<< "$out" &&
	grep -q "^refused 28 too many $kind" <<< "$out" &&
	[ "$(ls "$KLF_DFS/$kind" | wc -l)" = "$n0" ]
}
check "log limit: the 257th log fails with ENOSPC (too many logs), all deleted after" \
	limit logs sec-max 256
"$KLOGFWD" log add sec-tgt || true
check "target limit: the 4097th target fails with ENOSPC (too many targets), all deleted after" \
	limit targets sec-tgt 4096
"$KLOGFWD" log del sec-tgt

# records above max-record, or above the 1 MiB ceiling, fail with EMSGSIZE
records() {
	"$KLOGFWD" log add sec-rec max-record 1024 || return 1
	/usr/bin/python3 - <<'PY'
import errno, os
fd = os.open("/dev/klogfwd/sec-rec", os.O_WRONLY)
for size in (1025, (1 << 20) + 1, 64 << 20):
    try:
        os.write(fd, b"x" * size)
        raise SystemExit(f"a {size}-byte record was accepted")
    except OSError as e:
        if e.errno != errno.EMSGSIZE:
            raise SystemExit(f"{size} bytes: {e}")
os.write(fd, b"x" * 1024)
PY
	[ "$(lstat sec-rec records)" = 1 ]
}
check "records over max-record or 1 MiB fail with EMSGSIZE; the log holds only the good one" records

# A hostile ack app receiver: a tiny receive window, reads nothing, and
# writes, again and again, a huge offset, 7 garbage bytes, offset 0, 2^63.
hostile_ack() {
	local port n=3000 sent bytes acked acked_bytes hpid
	port=$(free_port)
	# 64 KiB segments: spans end (records count as queued) within sndbuf
	"$KLOGFWD" log add sec-ack framing klf segment-bytes 65536 max-record 1024 || return 1
	"$PRODUCE" -o /dev/klogfwd/sec-ack -n $n --min 900 --max 1000 > /dev/null || return 1
	/usr/bin/python3 - "$port" > "$WORK/hostile.out" 2>&1 <<'PY' &
import socket, struct, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
for i in range(3000):
    c.sendall(struct.pack("<Q", 2**64 - 1) + b"garbage" + struct.pack("<Q", 0) +
              struct.pack("<Q", 2**63))
    if i == 10:
        print("sent", flush=True)
    time.sleep(0.2)
PY
	hpid=$!
	wait_for 10 grep -q listening "$WORK/hostile.out" || return 1
	"$KLOGFWD" target add sec-ack log sec-ack to "127.0.0.1:$port" ack app sndbuf 65536 || return 1
	wait_for $((20 * KLF_SLOW)) grep -q sent "$WORK/hostile.out" || return 1
	# the window is full and the acks were read: the acknowledged offset
	# reached the records queued in full, and stays there
	wait_for $((20 * KLF_SLOW)) tstat_is sec-ack acked_offset -gt 0 || true
	sent=$(tstat sec-ack records_sent)
	bytes=$(tstat sec-ack bytes_sent)
	acked=$(tstat sec-ack acked_offset)
	acked_bytes=$(tstat sec-ack bytes_acked)
	# what the socket holds (sent, not acknowledged by the peer's TCP) is
	# what the target pins: within its send buffer (2 x sndbuf)
	echo "# acked_offset $acked, records_sent $sent, bytes_sent $bytes," \
	     "bytes_acked $acked_bytes, of $n records; state $(tstat sec-ack state)"
	kill $hpid 2>/dev/null
	# a record is at least 932 bytes framed: acked records were all sent
	[ "$acked" -gt 0 ] && [ "$acked" -le "$sent" ] && [ "$sent" -lt $n ] &&
	[ $((acked * 932)) -le "$bytes" ] && [ $((bytes - acked_bytes)) -le 131072 ]
}
check "ack app: garbage/huge/backwards acks never ack past what was queued; a non-reader pins <= sndbuf" hostile_ack

# no kernel pointer anywhere a user could read it
no_pointers() {
	local port f bad=0
	port=$(free_port)
	"$KLOGFWD" target add sec-p log sec-rec to "127.0.0.1:$port" paused || return 1
	for f in $(find "$KLF_DFS" -type f); do
		if grep -qiE '0x[0-9a-f]*ffff[0-9a-f]{8}|\bffff[0-9a-f]{12}\b' "$f"; then
			echo "# $f: $(grep -iE 'ffff[0-9a-f]{12}' "$f" | head -1)"
			bad=1
		fi
	done
	for c in "log show" "target show" "-j log show" "-j target show" "version"; do
		# shellcheck disable=SC2086
		if "$KLOGFWD" $c | grep -qiE 'ffff[0-9a-f]{12}'; then
			echo "# klogfwd $c prints a kernel address"
			bad=1
		fi
	done
	echo "# checked $(find "$KLF_DFS" -type f | wc -l) debugfs files and 5 netlink replies"
	[ $bad = 0 ]
}
check "no kernel address in any debugfs file or netlink reply" no_pointers

# a reader whose buffer faults forever (userfaultfd) must not hold the log
read_stall() {
	local rc
	"$KLOGFWD" log add sec-uffd || return 1
	echo "seq=0 ts=0 first" > /dev/klogfwd/sec-uffd
	"$KLF_BIN/read_stall" /dev/klogfwd/sec-uffd $((10 * KLF_SLOW))
	rc=$?
	[ $rc = 4 ] && { skip_case "no userfaultfd"; return; }
	[ $rc = 0 ] && [ "$(lstat sec-uffd records)" = 2 ]
}
check "reader stalled in a page fault does not block appends" read_stall

objects() {
	cleanup_targets
	wait_for 10 grep -q '^sockets 0' "$KLF_DFS/objects" &&
	grep -q '^targets 0' "$KLF_DFS/objects" && grep -q '^logs 0' "$KLF_DFS/objects"
}
check "no log, target or socket left" objects

ktap_finish
