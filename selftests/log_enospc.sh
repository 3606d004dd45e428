#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A dir log on a full filesystem: a tmpfs with size= (every kernel), and an
# ext4 image on a loop device where the kernel has the loop driver (every
# kernel of make check has it). A filler file takes most of the space;
# the log, forwarded by a target, is filled until appends fail:
#
#   - write(2) and netlink appends fail with ENOSPC, the failing record is
#     the first one missing and nothing after it went in; the failure is
#     counted (rejected-io);
#   - what was committed stays readable through the device, the target
#     delivers all of it byte for byte, and a recovery (log del, log add)
#     finds exactly those records, with nothing to cut: no half record was
#     left in a segment;
#   - a full disk does not make retention delete segments (overflow drop
#     deletes by retain-bytes and retain-ms only); lowering retain-bytes
#     does, and appends work again; so they do once the filler is deleted,
#     and the target forwards the new records too, with no gap;
#   - (tmpfs) when cutting a failed append's partial bytes fails too
#     (fault/truncate_error), the next append cuts them before it writes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/target_lib.sh"
. "$(dirname "$0")/fs_lib.sh"
require_module
require_tools
KLF_TEST_LOGS=nospc
mnt=/tmp/klf-nospc.$$
cleanup() {
	echo 0 > "$KLF_DFS/fault/truncate_error" 2>/dev/null
	cleanup_targets
	fs_cleanup
	rm -rf "$mnt"
}
trap cleanup EXIT

fss=(tmpfs)
modprobe loop 2>/dev/null
modprobe ext4 2>/dev/null
[ -e /dev/loop-control ] && grep -qw ext4 /proc/filesystems && fss+=(ext4)
ktap_plan $((${#fss[@]} * 8 + 1))

# step DESCRIPTION CMD...: a KTAP case from CMD run in this shell (the
# steps share variables); CMD explains its failures on "# " lines
step() {
	local desc=$1
	shift
	"$@"
	ktap_result $? "$desc"
}


# mount_fs tmpfs|ext4: a small filesystem at $mnt, mostly taken by $mnt/filler
mount_fs() {
	if [ "$1" = tmpfs ]; then
		fs_mount tmpfs 1m "$mnt" || return 1
	else
		fs_mount ext4 4M "$mnt" -F -b 1024 || return 1
	fi
	mkdir "$mnt/log" &&
	# leave about 256 KiB for the log
	free=$(df -k --output=avail "$mnt" | tail -n1) &&
	dd if=/dev/zero of="$mnt/filler" bs=1k count=$((free - 256)) status=none
}

for fs in "${fss[@]}"; do
	port=$(free_port)
	cleanup_targets
	rm -f "$WORK/nospc.err" "$WORK/dev.bin" "$WORK/recv.bin"
	step "$fs: a small filesystem, mostly filled by a filler file" mount_fs "$fs"

	# records of 100..3000 bytes, so that many straddle a page: the last one
	# may be written in part before the disk is full
	fill() {
		"$KLOGFWD" log add nospc dir "$mnt/log" framing klf segment-bytes 65536 \
			max-record 4000 &&
		recv_start r -l "127.0.0.1:$port" -f klf -o "$WORK/recv.bin" &&
		"$KLOGFWD" target add nospc log nospc to "127.0.0.1:$port" from resume || return 1
		# one record acknowledged first, so that the target's cursor file
		# has its block before the disk is full
		"$PRODUCE" -o /dev/klogfwd/nospc -n 1 > /dev/null &&
		wait_for $((20 * KLF_SLOW)) tstat_is nospc acked_offset = 1 || return 1
		if "$PRODUCE" -o /dev/klogfwd/nospc -n 100000 --seq-start 1 --min 100 --max 3000 \
			> /dev/null 2> "$WORK/nospc.err"; then
			echo "# 100000 records went into a small filesystem"
			return 1
		fi
		n=$(lstat nospc next_offset)
		echo "# $fs: $n records appended, then: $(cat "$WORK/nospc.err")"
		grep -q '(errno 28)' "$WORK/nospc.err" && grep -q "record seq=$n " "$WORK/nospc.err" &&
		[ "$(lstat nospc rejected_io)" -ge 1 ]
	}
	step "$fs: write(2) fails with ENOSPC at the first record that did not fit" fill

	nl_append() {
		local out
		out=$("$KLOGFWD" log append nospc "$(head -c 3000 /dev/zero | tr '\0' x)" 2>&1)
		[ $? != 0 ] && echo "# $out" && [[ $out == *"No space left on device"* ]] &&
		[ "$(lstat nospc next_offset)" = "$n" ] && [ "$(lstat nospc rejected_io)" -ge 2 ]
	}
	step "$fs: netlink appends fail with ENOSPC, nothing appended" nl_append

	no_retention() {
		[ "$(lstat nospc segments_deleted)" = 0 ] && [ "$(lstat nospc first_offset)" = 0 ] ||
		{ echo "# $("$KLOGFWD" log show nospc | tail -n 1)"; false; }
	}
	step "$fs: a full disk does not make retention delete segments (overflow drop)" no_retention

	readable() {
		wait_for $((30 * KLF_SLOW)) tstat_is nospc acked_offset = "$n" &&
		cat /dev/klogfwd/nospc > "$WORK/dev.bin" &&
		[ "$(lstat nospc bytes)" = "$(stat -c %s "$WORK/dev.bin")" ] &&
		wait_for 10 test "$(stat -c %s "$WORK/recv.bin")" -ge "$(stat -c %s "$WORK/dev.bin")" &&
		cmp "$WORK/dev.bin" "$WORK/recv.bin"
	}
	step "$fs: the log reads back whole, and the target delivered all of it byte for byte" readable

	recovered() {
		"$KLOGFWD" target del nospc && "$KLOGFWD" log del nospc &&
		"$KLOGFWD" log add nospc dir "$mnt/log" framing klf segment-bytes 65536 \
			max-record 4000 &&
		[ "$(lstat nospc recovered_records)" = "$n" ] && [ "$(lstat nospc truncated_bytes)" = 0 ] &&
		"$KLOGFWD" target add nospc log nospc to "127.0.0.1:$port" from resume
	}
	step "$fs: recovered on the full disk: $n records, no torn record to cut" recovered

	retention() {
		"$KLOGFWD" log set nospc retain-bytes 131072 &&
		[ "$(lstat nospc segments_deleted)" -ge 1 ] &&
		echo "# $fs: $(lstat nospc segments_deleted) segments deleted, the log starts at $(lstat nospc first_offset)" &&
		"$PRODUCE" -o /dev/klogfwd/nospc -n 10 --seq-start "$n" --min 100 --max 3000 > /dev/null
	}
	step "$fs: lowering retain-bytes deletes old segments and appends work again" retention

	# no retention from here on: nothing is deleted before the target has it
	space_back() {
		"$KLOGFWD" log set nospc retain-bytes 0 && rm "$mnt/filler" &&
		"$PRODUCE" -o /dev/klogfwd/nospc -n 300 --seq-start $((n + 10)) --min 100 \
			--max 3000 > /dev/null &&
		# a target that failed to write its cursor file while the disk
		# was full may be in backoff: give it time
		wait_for $((90 * KLF_SLOW)) tstat_is nospc acked_offset = $((n + 310)) &&
		wait_for $((20 * KLF_SLOW)) recv_has r records $((n + 310)) &&
		kill "$PID_r" && recv_wait r 10 &&
		[ "$(rstat r records)" = $((n + 310)) ] && [ "$(rstat r last_offset)" = $((n + 309)) ] &&
		[ "$(lstat nospc dropped_records)" = 0 ] || {
			echo "# acked_offset $(tstat nospc acked_offset) state $(tstat nospc state) receiver: $(tr '\n' ' ' < "$WORK/r.stats" 2>/dev/null)"
			false
		}
	}
	step "$fs: with the filler deleted appends work; all $((n + 310)) records forwarded, no gap, no duplicate" space_back

	# tmpfs: the disk full again, and the cut of the failed append's
	# partial bytes fails too (fault/truncate_error): the next append must
	# cut them before it writes, or a short record would land before the
	# leftover bytes. A new log, so that no segment rolls: its records of
	# 3001 bytes (an odd size with the header) never start on a page
	# boundary, so the one that fails is written in part (on tmpfs a page
	# already there takes the first part; ext4 may fail the first part).
	cut_retry() {
		local f=$KLF_DFS/fault/truncate_error inj held free
		"$KLOGFWD" target del nospc && "$KLOGFWD" log del nospc && rm -rf "$mnt/log" &&
		mkdir "$mnt/log" &&
		"$KLOGFWD" log add nospc dir "$mnt/log" framing klf segment-bytes 1048576 \
			max-record 4000 || return 1
		free=$(df -k --output=avail "$mnt" | tail -n1)
		dd if=/dev/zero of="$mnt/filler" bs=1k count=$((free - 64)) status=none
		inj=$(awk '{ print $3 }' "$f")
		echo 1 > "$f"
		if "$PRODUCE" -o /dev/klogfwd/nospc -n 100000 --min 3001 --max 3001 \
			> /dev/null 2> "$WORK/nospc.err"; then
			echo "# 100000 records went into a full filesystem"
			return 1
		fi
		held=$(cat "$mnt"/log/*.log | wc -c)
		echo "# cut failed: $(cat "$f") (count errno injected), $held bytes in the" \
			"segment, $(lstat nospc bytes) committed"
		[ "$(awk '{ print $1 " " $3 }' "$f")" = "0 $((inj + 1))" ] &&
		[ "$held" -gt "$(lstat nospc bytes)" ] || return 1
		rm "$mnt/filler" && "$KLOGFWD" log append nospc x &&
		held=$(cat "$mnt"/log/*.log | wc -c) &&
		echo "# after the next append: $held bytes in the segment, $(lstat nospc bytes) committed" &&
		[ "$held" = "$(lstat nospc bytes)" ] &&
		n=$(lstat nospc records) && "$KLOGFWD" log del nospc &&
		"$KLOGFWD" log add nospc dir "$mnt/log" framing klf segment-bytes 1048576 \
			max-record 4000 &&
		[ "$(lstat nospc recovered_records)" = "$n" ] && [ "$(lstat nospc truncated_bytes)" = 0 ]
	}
	if [ "$fs" = tmpfs ]; then
		step "$fs: a failed cut is redone by the next append, before it writes" cut_retry
	fi
	cleanup
done
ktap_finish
