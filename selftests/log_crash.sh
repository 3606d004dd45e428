#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Power failures under a dir log and its target, run on the host. One ext4
# disk image goes through a chain of boots of the test VM; each boot
#
#   1. recovers the "sync always" log left by the previous boot's power
#      failure and checks it (log_crash_check.py): whole records 0..n-1 in
#      order, every record whose write() the previous boot saw return among
#      them, a torn tail cut off and counted;
#   2. checks what the receivers of all earlier boots kept on the same disk
#      (klf_recv -a --fsync: a record is fdatasync'ed before the receiver
#      acknowledges it, "ack app"): byte for byte the log's records, with
#      no hole;
#   3. starts a new receiver and the target again "from resume", which must
#      start at or before the first record no receiver kept;
#   4. appends records (klf_produce --ack prints "ACK n" once write()
#      returned) while the target forwards, until the plug is pulled
#      (tools/vm/run --kill-from) at a random moment of this phase.
#
# Beside it a "lazy" dir log on the same disk (sync none on even boots,
# sync 200 ms on odd ones) gets 200 records/s; it may lose what it had not
# synced, under sync none even from the middle (a segment whose data never
# reached the disk while a later segment's file did: a hole in its offsets,
# which readers and targets skip), under sync 200 ms only from its end; each
# boot must recover it to whole records, offsets increasing, each its own
# payload, and still holding every record the previous check saw (that was
# on the disk).
#
# Each boot also adds a dir log of the kernel's log (source kmsg, from
# resume, sync always) on the same disk and reads it back once its marker
# ("klf-crash-boot N", written to /dev/kmsg) is in: the records of the
# earlier boots must be as an earlier boot read them, and this boot's start
# from its first record (its sequence number is kmsg_lost).
#
# On odd boots both logs' framing files are removed before the logs are
# added again (a framing file lost to a power failure): recovery must use
# the framing given, recover the same records and write the files again.
#
# Every fourth power failure (the 3rd, 7th, 11th, ...) comes early instead:
# 0-0.9 s after the disk is mounted, so while the logs are added (their
# recovery: a torn tail cut, the index rebuilt; about 0.4 s each on 6.12
# under TCG) or read back; the next boot then recovers from that, and
# makes the checks this one could not finish.
#
# N power failures cost N + 1 boots: the last boot only checks, forwards the
# rest, and requires the receivers together to hold every record from 0 to
# the last one (duplicates allowed: delivery is at-least-once), then forwards
# the whole log once more to a strict klf_recv (CRC, payload, no gap).
#
# usage: selftests/log_crash.sh [KERNEL [CRASHES]]
#   KLF_CRASH_SEED=S replays the kill delays and record sizes of a run.

. "$(dirname "$0")/lib.sh"
kernel=${1:-6.12}
crashes=${2:-20}
seed=${KLF_CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
run=$KLF_TOP/tools/vm/run
work=$KLF_TOP/build/crash-$kernel	# one per kernel: make check runs two at once
rm -rf "$work"
mkdir -p "$work"
img=$work/disk.img
t_start=$(date +%s)

# 5 results per power failure, 1 for an early one (its boot's checks were
# cut short), 2 at the end
early_n=0
for boot in $(seq 0 $((crashes - 1))); do
	[ $((boot % 4)) = 2 ] && early_n=$((early_n + 1))
done
plan=$((crashes * 5 + 2 - early_n * 4))
ktap_plan $plan
echo "# seed $seed (KLF_CRASH_SEED=$seed $0 $kernel $crashes replays it)"
truncate -s 64M "$img"
mkfs.ext4 -q -F "$img" || exit 1
mkdir -p "$work/recv"

# One boot: BOOT is its number; FINAL 1 for the last one, which checks and
# forwards but does not append; SEED seeds the record sizes.
cat > "$work/boot.sh" <<'EOS'
boot=$1 final=$2 seed=$3
. "$KLF_TOP/selftests/lib.sh"
. "$KLF_TOP/selftests/target_lib.sh"
out=$KLF_RUN
t() { echo "T $1 $(cut -d' ' -f1 /proc/uptime)"; }
t start
modprobe virtio_blk 2>/dev/null; modprobe ext4 2>/dev/null
mkdir -p /tmp/disk && mount /dev/vda /tmp/disk || exit 1
t mounted
mkdir -p /tmp/disk/log /tmp/disk/lazy /tmp/disk/recv
ip link set lo up
# odd boots: both logs' framing files lost, as a power failure may leave a
# framing file that never reached the disk: the logs are recovered with
# the framing given, and the files written again
if [ $((boot % 2)) = 1 ]; then
	rm -f /tmp/disk/log/framing /tmp/disk/lazy/framing
	echo "FRAMING-REMOVED yes"
fi
"$KLOGFWD" log add crash dir /tmp/disk/log framing klf sync always \
	segment-bytes 65536 max-record 1024 || exit 1
t added
# the lazy log: sync none on even boots, every 200 ms on odd ones
lazy_sync=none
[ $((boot % 2)) = 1 ] && lazy_sync=200
"$KLOGFWD" log add lazy dir /tmp/disk/lazy framing klf sync $lazy_sync \
	segment-bytes 65536 max-record 1024 || exit 1
t lazy
fr_log=none fr_lazy=none
read -r fr_log < /tmp/disk/log/framing
read -r fr_lazy < /tmp/disk/lazy/framing
echo "FRAMING-LOG $fr_log"
echo "FRAMING-LAZY $fr_lazy"
cat /dev/klogfwd/lazy > "$out/lazy.bin" || exit 1
ln=$(lstat lazy next_offset)
echo "LAZY $ln sync $lazy_sync"
"$KLOGFWD" -j log show crash > "$out/log.json"
# checked on the host: the log as read back, the receivers' files as they
# survived the power failures (all of them: a boot whose power failed
# early got no copy out)
cat /dev/klogfwd/crash > "$out/log.bin" || exit 1
mkdir -p "$out/recv"
if ls /tmp/disk/recv/*.klf > /dev/null 2>&1; then
	cp /tmp/disk/recv/*.klf "$out/recv/" || exit 1
fi
n=$(lstat crash next_offset)
echo "RECORDS $n"
t checked
# the kernel's log, resumed: this boot's records after the old boots'
mkdir -p /tmp/disk/kern
"$KLOGFWD" log add kern dir /tmp/disk/kern source kmsg from resume framing lf sync always ||
	exit 1
printf '<14>klf-crash-boot %s\n' "$boot" > /dev/kmsg
wait_for 30 grep -qF "klf-crash-boot $boot" /dev/klogfwd/kern || exit 1
cat /dev/klogfwd/kern > "$out/kern.bin" || exit 1
echo "KMSG-LOST $(lstat kern kmsg_lost)"
t kmsg

recv_start r -l 127.0.0.1:7000 -f klf -a -d --fsync -o "/tmp/disk/recv/$boot.klf" || exit 1
"$KLOGFWD" target add fwd log crash to 127.0.0.1:7000 from resume ack app paused || exit 1
echo "RESUME $(tstat fwd acked_offset)"
"$KLOGFWD" target set fwd resume || exit 1
t resumed
if [ "$final" = 0 ]; then
	"$PRODUCE" -o /dev/klogfwd/lazy --seq-start "$ln" -n 1000000000 --rate 200 \
		--min 1 --max 1000 --seed "$seed" > /dev/null 2>&1 &
	echo "KLF-CRASH-GO $n"
	exec "$PRODUCE" -o /dev/klogfwd/crash --seq-start "$n" -n 1000000000 \
		--min 1 --max 1000 --seed "$seed" --ack
fi

# the last boot: forward the rest, then check the receivers' union
wait_for 120 tstat_is fwd acked_offset = "$n" || { echo "# fwd: $("$KLOGFWD" target show fwd)"; exit 1; }
"$KLOGFWD" target del fwd
kill "$PID_r"
recv_wait r 20 || exit 1
cp "/tmp/disk/recv/$boot.klf" "$out/final.klf" || exit 1

# the recovered log, forwarded once more from its start, checked strictly
recv_start all -l 127.0.0.1:7001 -f klf -n "$n" -t 120 || exit 1
"$KLOGFWD" target add all log crash to 127.0.0.1:7001 from earliest || exit 1
recv_wait all 130
rc=$?
echo "STRICT rc $rc records $(rstat all records) bytes $(rstat all bytes)"
"$KLOGFWD" target del all
"$KLOGFWD" log del crash
"$KLOGFWD" log del lazy
"$KLOGFWD" log del kern
umount /tmp/disk
exit $rc
EOS

# value KEY FILE: the numbers after KEY on the line starting with KEY
field() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}

# recv_files: recvs=(the receivers' files kept so far), maybe none
recv_files() {
	local had
	had=$(shopt -p nullglob)
	shopt -s nullglob
	recvs=("$work"/recv/*.klf)
	$had
}

# the last boot's run directory (our own link: make check runs other VMs
# from this checkout at the same time, which move build/vm/last)
export KLF_VM_LAST=$work/last
last() {
	readlink -f "$KLF_VM_LAST"
}

# boot_failed DESCRIPTION: the boot's VM did not end as it should have
boot_failed() {
	echo "# boot $boot: vm exit $rc"
	grep -a 'vm/run\|^#\|klf_recv\|klf_produce\|klogfwd' "$con" | tail -n 8 | sed 's/^/# /'
	ktap_result 1 "crash $((boot + 1)): $1"
	failed_at=$((boot + 1))
}

acked=-1 n=-1 torn=0 torn_bytes=0 r=0 failed_at= lost=0 dups= early=0 framing_lost=0
lazy_prev= lazy_mode=none lazy_n=0 lazy_holes=0 lazy_start= kern_prev= kern_boots=0
for boot in $(seq 0 "$crashes"); do
	final=0 mode=append
	[ "$boot" = "$crashes" ] && final=1 mode=final
	[ $final = 0 ] && [ $((boot % 4)) = 2 ] && mode=early
	delay=$(printf '0.%03d' $((RANDOM % 1000)))
	if [ $mode = early ]; then
		delay=$(printf '0.%03d' $((RANDOM % 900)))
	else
		delay=$(( RANDOM % 4 )).${delay#0.}
	fi
	args=(--quiet --kernel "$kernel" --load --disk "$img")
	[ $mode = append ] && args+=(--kill-after "$delay" --kill-from KLF-CRASH-GO)
	[ $mode = early ] && args+=(--kill-after "$delay" --kill-from "T mounted")
	t0=$(date +%s)
	"$run" "${args[@]}" -- bash "$work/boot.sh" "$boot" "$final" "$RANDOM"
	rc=$?
	echo "# boot $boot: $(( $(date +%s) - t0 ))s"
	out=$(last)
	con=$out/console.log
	tr -d '\r' < "$con" > "$out/console.txt"

	# what this boot found after the previous power failure (a boot whose
	# power failed before it was through its checks left them half done:
	# the next boot makes them)
	if [ "$boot" -gt 0 ] && [ $mode = early ]; then
		r=$boot
		echo "# boot $boot: its checks were cut short: the next boot makes them"
	elif [ "$boot" -gt 0 ]; then
		r=$boot
		cp "$out"/recv/*.klf "$work/recv/" 2>/dev/null
		# a boot whose power failed before its receiver synced a record
		# may leave no file at all: none is zero files, not a bad name
		recv_files
		[ -r "$out/log.bin" ] &&
			/usr/bin/python3 "$KLF_TOP/selftests/log_crash_check.py" "$out/log.bin" \
				"${recvs[@]}" > "$out/check.txt" 2>&1
		sed -n 's/^# /#   /p' "$out/check.txt"
		n=$(field "$out/check.txt" RECORDS)
		[ "$n" = "$(field "$out/console.txt" RECORDS)" ] || n=
		trunc=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["stats"]["truncated_bytes"])' "$out/log.json" 2>/dev/null)
		resume=$(field "$out/console.txt" RESUME)
		# the framing files, if this boot removed them: written again
		fr_note='' fr_bad=''
		if [ "$(field "$out/console.txt" FRAMING-REMOVED)" = yes ]; then
			fr_log=$(field "$out/console.txt" FRAMING-LOG)
			fr_lazy=$(field "$out/console.txt" FRAMING-LAZY)
			fr_note="; its framing file removed before the re-add: rewritten as ${fr_log:-?}"
			[ "$fr_log" = klf ] || fr_bad="the log's framing file says ${fr_log:-nothing}, not klf"
			[ "$fr_lazy" = klf ] || fr_bad="the lazy log's framing file says ${fr_lazy:-nothing}, not klf"
			framing_lost=$((framing_lost + 1))
		fi
		covered=$(field "$out/check.txt" covered)
		unique=$(field "$out/check.txt" unique)
		grep -q '^# ' "$out/check.txt" && unique=bad
		[ -n "$n" ] && [ "$n" -le "$acked" ] && lost=$((lost + acked + 1 - n))
		if [ -n "$n" ] && [ -n "$trunc" ] && [ "$n" -gt "$acked" ] && [ -z "$fr_bad" ]; then
			[ "$trunc" -gt 0 ] && torn=$((torn + 1)) && torn_bytes=$((torn_bytes + trunc))
			ktap_result 0 "crash $r: recovered records 0..$((n - 1)), whole and in order; acknowledged up to $acked; torn tail cut: $trunc bytes$fr_note"
		else
			grep -a '^#\|Traceback\|Error\|klogfwd:' "$out/console.txt" | head -8 | sed 's/^/# /'
			[ -n "$fr_bad" ] && echo "# $fr_bad"
			ktap_result 1 "crash $r: recovered log holds every acknowledged record (acked up to $acked, found ${n:-none})${fr_note:+; framing file removed before the re-add}"
			failed_at=${failed_at:-$r}
		fi
		# the lazy log: whole records, each its own, and every one the
		# previous check saw (it was on the disk then)
		lazy=$(field "$out/console.txt" LAZY)
		# under sync 200 ms a power failure may cut the end of what the
		# boot appended, never a hole in it (a sealed segment is written
		# back when the next one starts)
		from=()
		[ "$lazy_mode" = "200 ms" ] && [ -n "$lazy_start" ] && from=(--from "$lazy_start")
		/usr/bin/python3 "$KLF_TOP/selftests/log_crash_check.py" --lazy "$out/lazy.bin" \
			$lazy_prev "${from[@]}" > "$out/lazy.txt" 2>&1
		lrc=$?
		m=$(field "$out/lazy.txt" records)
		holes=$(field "$out/lazy.txt" holes)
		end=$(field "$out/lazy.txt" end)
		if [ $lrc = 0 ] && [ -n "$m" ] && [ -n "$lazy" ] && [ "$end" -le "$lazy" ]; then
			ktap_result 0 "crash $r: the lazy log (appended under sync $lazy_mode) recovered $m whole records, offsets up to $((end - 1)) ($holes lost before them), every record it held before"
			lazy_prev=$out/lazy.bin lazy_n=$m lazy_holes=$holes
		else
			sed -n 's/^# /#   /p' "$out/lazy.txt"
			ktap_result 1 "crash $r: the lazy log recovered whole records, every record it held before (found ${m:-none}, next offset ${lazy:-?})"
			failed_at=${failed_at:-$r}
		fi
		if [ -n "$covered" ] && [ "$covered" = "$unique" ] && [ -n "$resume" ] &&
		   [ "$resume" -le "$covered" ]; then
			ktap_result 0 "crash $r: receivers kept records 0..$((covered - 1)) with no hole; the target resumed at $resume"
		else
			grep -a '^RECV\|^RESUME\|^# ' "$out/console.txt" | head -5 | sed 's/^/# /'
			grep -q '^RECV' "$out/check.txt" || tail -n 3 "$out/check.txt" | sed 's/^/# check: /'
			ktap_result 1 "crash $r: receivers kept a prefix with no hole (records ${covered:-?} of ${unique:-?}) and the target resumed at or before it (${resume:-?})"
			failed_at=${failed_at:-$r}
		fi
		# the kernel's log: the old boots' records, then this boot's
		klost=$(field "$out/console.txt" KMSG-LOST)
		if [ -r "$out/kern.bin" ] && [ -n "$klost" ] &&
		   /usr/bin/python3 "$KLF_TOP/selftests/log_crash_check.py" --kmsg "$out/kern.bin" \
			"$boot" "$klost" $kern_prev > "$out/kern.txt" 2>&1; then
			kern_boots=$(field "$out/kern.txt" boots)
			ktap_result 0 "crash $r: the kernel's log (from resume) kept the $((kern_boots - 1)) earlier boots' records and read this boot's from its first ($(cut -d' ' -f2- "$out/kern.txt"), kmsg_lost $klost)"
		else
			sed -n 's/^# /#   /p' "$out/kern.txt" 2> /dev/null
			ktap_result 1 "crash $r: the kernel's log kept the earlier boots' records and read this boot's from its first (kmsg_lost ${klost:-?})"
			failed_at=${failed_at:-$r}
		fi
	fi
	[ -r "$out/kern.bin" ] && kern_prev=$out/kern.bin
	[ -n "$failed_at" ] && break

	if [ $mode = early ]; then
		# cut early: where the boot was, and what it appended if it got there
		a=$(grep -a '^ACK ' "$out/console.txt" | tail -n1 | cut -d' ' -f2)
		phase=$(grep -a '^T ' "$out/console.txt" | tail -n1 | cut -d' ' -f2)
		case $phase in
		start) phase="mounting the disk" ;;
		mounted) phase="adding the log (its recovery)" ;;
		added) phase="adding the lazy log (its recovery)" ;;
		lazy) phase="reading the logs back" ;;
		checked) phase="adding the kernel's log" ;;
		kmsg) phase="starting the receiver and target" ;;
		resumed) phase="appending" ;;
		*) phase="booting" ;;
		esac
		if [ $rc = 0 ]; then
			[ -n "$a" ] && acked=$a
			early=$((early + 1))
			echo "# boot $boot: plug pulled ${delay}s after the mount, while $phase"
			ktap_result 0 "crash $((boot + 1)): power failed early, while $phase (${delay}s after the mount; last acknowledged $acked)"
		else
			boot_failed "power failed early"
			break
		fi
	elif [ $final = 0 ]; then
		lazy_mode=none
		[ $((boot % 2)) = 1 ] && lazy_mode="200 ms"
		lazy_start=$(field "$out/console.txt" LAZY)
		# what this boot appended until its power failure
		start=$(field "$out/console.txt" KLF-CRASH-GO)
		a=$(grep -a '^ACK ' "$out/console.txt" | tail -n1 | cut -d' ' -f2)
		if [ $rc = 0 ] && [ -n "$start" ]; then
			[ -n "$a" ] && acked=$a
			echo "# boot $boot: plug pulled ${delay}s into the append phase; records $start..${a:-none} acknowledged"
			ktap_result 0 "crash $((boot + 1)): appends acknowledged until the plug was pulled (${delay}s in, last $acked)"
		else
			boot_failed "appends acknowledged until the plug was pulled"
			break
		fi
	fi
done

if [ -z "$failed_at" ] && [ $rc = 0 ]; then
	cp "$out/final.klf" "$work/recv/$crashes.klf"
	recv_files
	/usr/bin/python3 "$KLF_TOP/selftests/log_crash_check.py" "$out/log.bin" \
		"${recvs[@]}" > "$out/final.txt" 2>&1
	sed -n 's/^# /#   /p' "$out/final.txt"
	grep -q '^# ' "$out/final.txt" && echo "# receivers' records differ from the log's" && n=-1
	dups=$(field "$out/final.txt" dups)
	covered=$(field "$out/final.txt" covered)
	unique=$(field "$out/final.txt" unique)
	received=$(field "$out/final.txt" records)
	if [ -n "$covered" ] && [ "$covered" = "$n" ] && [ "$unique" = "$n" ] && [ "$n" -gt "$acked" ]; then
		ktap_result 0 "receivers got every record 0..$((n - 1)) across $crashes power failures: $received received, $dups duplicates"
	else
		[ -n "$covered" ] && lost=$((lost + n - covered))
		ktap_result 1 "receivers got every record 0..$((n - 1)) (${covered:-?} with no hole, ${unique:-?} distinct)"
	fi
	if grep -aq '^STRICT rc 0 ' "$out/console.txt"; then
		ktap_result 0 "the recovered log forwards again from its start: $(grep -a '^STRICT' "$out/console.txt" | cut -d' ' -f4-)"
	else
		grep -a '^STRICT\|klf_recv' "$out/console.txt" | head -5 | sed 's/^/# /'
		ktap_result 1 "the recovered log forwards again from its start"
	fi
else
	echo "# stopped after a failure at crash ${failed_at:-final}; console: $out/console.log"
	grep -a 'vm/run\|FINAL\|STRICT\|klf_recv' "$out/console.txt" | tail -n 8 | sed 's/^/# /'
	lost=?
	while [ $((KTAP_TESTNO - 1)) -lt "$plan" ]; do
		ktap_result 1 "not run: an earlier step failed"
	done
fi
echo "# summary: $r power failures ($early of them early: recovery, checks;" \
	"$framing_lost recovered with the framing files removed)," \
	"$((acked + 1)) records acknowledged, $n recovered; lazy log (sync none/200 ms): $lazy_n records, $lazy_holes lost;" \
	"$torn torn tails ($torn_bytes bytes cut), ${dups:-?} duplicates at the receivers," \
	"kernel's log over $kern_boots boots," \
	"$lost lost; $(( $(date +%s) - t_start ))s on $kernel, seed $seed"
ktap_finish
