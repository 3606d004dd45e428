#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Group commit of "sync always" dir logs: concurrent producers share one
# fsync, and each write() still returns only once its record is on disk,
# or fails and leaves nothing. On ext4 on a slow null_blk disk (the debug
# kernel: on a loop device; tmpfs where the kernel has neither: there every
# fsync is free and nothing is counted):
#
#   - 8 producers append 250 records each at once (62 on the debug
#     kernel): every write() returns, the log holds every record once,
#     whole (klf framing: CRC32C, offsets 0..n-1), in each producer's own
#     order (log_sync_check.py); a kprobe
#     on vfs_fsync_range() counts the fsyncs the producers made: fewer
#     than appends (one each before group commit), on null_blk at most a
#     third of them, and as many as the log's syncs counter;
#   - a recovery (log del, log add) finds the same records, nothing to cut;
#   - the fsync fails 3 times (fault/sync_error): the producers whose
#     records were staged then (written, waiting for a flush) get EIO,
#     those records are not in the log and were cut off the segment (a
#     recovery finds nothing to cut), every other record is, and
#     rejected-io counts each failed append;
#   - log del while 8 producers append: the appends in flight end committed
#     or failed, and the log added again from its directory holds exactly
#     the records whose write() returned.
#
# check-kernels: 6.1 debug
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/target_lib.sh"
. "$(dirname "$0")/fs_lib.sh"
require_module
require_tools
T=/sys/kernel/tracing
KLF_TEST_LOGS="gc gcf gcd"
mnt=/tmp/klf-sync.$$
W=${KLF_WORK_BASE:-/tmp}/klf-sync-work.$$
cleanup() {
	echo 0 > "$KLF_DFS/fault/sync_error" 2>/dev/null
	echo 0 > $T/events/kprobes/enable 2>/dev/null
	echo > $T/kprobe_events 2>/dev/null
	for l in $KLF_TEST_LOGS; do "$KLOGFWD" log del "$l" 2>/dev/null; done
	fs_cleanup
	[ -n "$nullb" ] && rmmod null_blk
	rm -rf "$mnt" "$W"
}
trap cleanup EXIT
mkdir -p "$W"
# records per producer: 250, a quarter on the debug kernel (KLF_SLOW)
per=$((250 / KLF_SLOW))
total=$((8 * per))
ktap_plan 6

# step DESCRIPTION CMD...: a KTAP case from CMD run in this shell (the
# steps share variables); CMD explains its failures on "# " lines
step() {
	local desc=$1 rc t0=$SECONDS
	shift
	"$@"
	rc=$?
	[ "${KLF_CASE_TIMES:-0}" = 1 ] && echo "# time: $((SECONDS - t0))s: $desc"
	ktap_result $rc "$desc"
}

# The disk: a memory-backed null_blk device with a volatile write cache,
# every request (writes and cache flushes) completing after 1 ms, as a fast
# disk would: the CPU is idle during an fsync, and other producers stage
# their records meanwhile. The debug kernel has no null_blk: ext4 on a loop
# device over a file on tmpfs, whose fsync is CPU work under TCG (fewer
# producers get to stage during it). Neither: tmpfs.
fs=tmpfs nullb=
modprobe loop 2>/dev/null
modprobe ext4 2>/dev/null
if grep -qw ext4 /proc/filesystems && [ ! -e /sys/module/null_blk ] &&
   modprobe null_blk nr_devices=1 gb=1 memory_backed=1 cache_size=64 irqmode=2 \
	completion_nsec=1000000 2>/dev/null && [ -b /dev/nullb0 ]; then
	fs=ext4 nullb=/dev/nullb0
elif [ -e /dev/loop-control ] && grep -qw ext4 /proc/filesystems; then
	fs=ext4
fi
mount_fs() {
	if [ -n "$nullb" ]; then
		mkdir -p "$mnt" && mkfs.ext4 -q -F "$nullb" > /dev/null &&
		mount "$nullb" "$mnt" && fs_track "$mnt"
	elif [ $fs = ext4 ]; then
		fs_mount ext4 16M "$mnt" -F
	else
		fs_mount tmpfs 16m "$mnt"
	fi
}
step "a $fs filesystem for the logs (${nullb:-no null_blk})" mount_fs

# produce LOG TAG [N]: 8 producers, N ($per) records each (seq TAG*100000 +
# p*1000 + i), --ack --keep-going, standard errors in $W/TAG.P, all
# writing from the same moment (--go); returns when all are done
produce() {
	local p pids=()
	for p in 0 1 2 3 4 5 6 7; do
		"$PRODUCE" -o "/dev/klogfwd/$1" -n "${3:-$per}" --seq-start $(($2 * 100000 + p * 1000)) \
			--min 40 --max 600 --seed $((p + 1)) --ack --keep-going --go "$W/$2.go" \
			> /dev/null 2> "$W/$2.$p" &
		pids+=($!)
	done
	wait_for $((30 * KLF_SLOW)) all_have "$2" READY
	touch "$W/$2.go"
	wait "${pids[@]}"
}

# all_have TAG WORD: each of the 8 producers' first line starts with WORD
# (READY comes first), read without starting a process. With a grep of
# each file a poll, the debug kernel took 52 s instead of 2 s to see its 8
# producers ready (2026-12-07), each grep starting beside 8 producers that
# look for the go file every millisecond
all_have() {
	local p l
	for p in 0 1 2 3 4 5 6 7; do
		l=
		read -r l 2> /dev/null < "$W/$1.$p"
		[[ $l == "$2"* ]] || return 1
	done
}

# check_log LOG TAG: the log read back against what its producers were told
check_log() {
	cat "/dev/klogfwd/$1" > "$W/$1.bin" &&
	python3 "$KLF_TOP/selftests/log_sync_check.py" "$W/$1.bin" "$W/$2".[0-7] |
		sed 's/^/# /'
	return "${PIPESTATUS[1]}"
}

fsync_probe() {
	[ -d $T/events ] || mount -t tracefs nodev $T 2> /dev/null
	echo > $T/trace &&
	echo 4096 > $T/buffer_size_kb &&
	echo "p:klf_fs vfs_fsync_range" > $T/kprobe_events &&
	echo 1 > $T/events/kprobes/klf_fs/enable
}

together() {
	local fsyncs fails
	mkdir -p "$mnt/gc" &&
	"$KLOGFWD" log add gc dir "$mnt/gc" framing klf sync always segment-bytes 4194304 &&
	fsync_probe || return 1
	produce gc 1
	echo 0 > $T/events/kprobes/klf_fs/enable
	fails=$(cat "$W"/1.[0-7] | grep -c '^FAIL')
	fsyncs=$(grep -a 'klf_fs:' $T/trace | grep -c 'klf_produce')
	echo "# $fs${nullb:+ on null_blk}: $total appends by 8 producers, $fails failed," \
		"$fsyncs fsyncs by the producers, counter syncs $(lstat gc syncs)"
	[ "$fails" = 0 ] && [ "$(lstat gc appends)" = $total ] && [ "$(lstat gc rejected_io)" = 0 ] &&
	check_log gc 1 || return 1
	# the log's own count of its group commits is what the kernel saw
	[ "$(lstat gc syncs)" = "$fsyncs" ] || return 1
	# one fsync per append before group commit: fewer means some were
	# shared (on tmpfs an fsync is free and may never be). On null_blk,
	# where the CPU is idle during an fsync, at least 3 appends per fsync:
	# 1.4 to 1.6 when a producer whose record was committed then waited
	# for the next fsync as well (fixed: it waits for the one under way)
	[ "$fsyncs" -ge 1 ] || return 1
	[ $fs = tmpfs ] && return 0
	[ "$fsyncs" -lt $total ] || return 1
	[ -z "$nullb" ] || [ $((fsyncs * 3)) -le $total ]
}
step "8 producers at once: each record committed once, whole, in its producer's order; fewer fsyncs than appends" together

recover() { # recover LOG: log del, log add, nothing to cut, the same records
	local n
	n=$(lstat "$1" next_offset)
	[ "$n" -gt 0 ] && "$KLOGFWD" log del "$1" &&
	"$KLOGFWD" log add "$1" dir "$mnt/$1" framing klf sync always segment-bytes 4194304 &&
	echo "# $1: $(lstat "$1" recovered_records) records recovered of $n," \
		"$(lstat "$1" truncated_bytes) bytes cut" &&
	[ "$(lstat "$1" recovered_records)" = "$n" ] && [ "$(lstat "$1" truncated_bytes)" = 0 ] &&
	check_log "$1" "$2"
}
step "recovered: the same records, nothing to cut" recover gc 1

failing() {
	local f=$KLF_DFS/fault/sync_error inj fails rej
	mkdir -p "$mnt/gcf" &&
	"$KLOGFWD" log add gcf dir "$mnt/gcf" framing klf sync always segment-bytes 4194304 ||
		return 1
	inj=$(awk '{ print $3 }' "$f")
	echo "3 5" > "$f"
	produce gcf 2
	fails=$(cat "$W"/2.[0-7] | grep -c '^FAIL')
	rej=$(lstat gcf rejected_io)
	echo "# fault: $(cat "$f") (count errno injected); $fails appends failed," \
		"rejected-io $rej, $(lstat gcf appends) committed"
	[ "$(awk '{ print $1 " " $3 }' "$f")" = "0 $((inj + 3))" ] &&
	[ "$fails" -ge 3 ] && [ "$rej" = "$fails" ] &&
	[ "$(cat "$W"/2.[0-7] | grep '^FAIL' | grep -vc ' 5$')" = 0 ] &&
	[ "$(lstat gcf appends)" = $((total - fails)) ] && check_log gcf 2
}
step "fsync fails 3 times: the records staged then fail with EIO and are not kept, the rest are committed" failing
step "recovered after the failures: the same records, the failed ones cut off" recover gcf 2

deleted() {
	local pids=() p n fails
	mkdir -p "$mnt/gcd" &&
	"$KLOGFWD" log add gcd dir "$mnt/gcd" framing klf sync always segment-bytes 4194304 ||
		return 1
	# 250 each on every kernel: most are still to come at the log del
	produce gcd 3 250 &
	p=$!
	# all have the device open (READY, in produce) and appends went in
	wait_for $((20 * KLF_SLOW)) lstat_is gcd appends -ge 8 || return 1
	"$KLOGFWD" log del gcd || return 1
	wait "$p"
	fails=$(cat "$W"/3.[0-7] | grep -c '^FAIL')
	"$KLOGFWD" log add gcd dir "$mnt/gcd" framing klf sync always segment-bytes 4194304 ||
		return 1
	n=$(lstat gcd recovered_records)
	echo "# deleted after 8 appends or more: $n records recovered, $fails appends failed" \
		"($(cat "$W"/3.[0-7] | grep '^FAIL' | grep -vc ' 19$') of them not with ENODEV)," \
		"$(lstat gcd truncated_bytes) bytes cut"
	[ "$fails" -ge 1 ] && [ $((n + fails)) = 2000 ] && check_log gcd 3
}
step "log del while 8 producers append: the log added again holds exactly the acknowledged records" deleted

ktap_finish
