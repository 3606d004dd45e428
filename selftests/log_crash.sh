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
work=$KLF_TOP/build/crash
rm -rf "$work"
mkdir -p "$work"
img=$work/disk.img
t_start=$(date +%s)

ktap_plan $((crashes * 3 + 2))
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
mkdir -p /tmp/disk/log /tmp/disk/recv
ip link set lo up
"$KLOGFWD" log add crash dir /tmp/disk/log framing klf sync always \
	segment-bytes 65536 max-record 1024 || exit 1
t added
"$KLOGFWD" -j log show crash > "$out/log.json"
# checked on the host: the log as read back, the last receiver's file as
# it survived the power failure
cat /dev/klogfwd/crash > "$out/log.bin" || exit 1
[ "$boot" = 0 ] || cp "/tmp/disk/recv/$((boot - 1)).klf" "$out/recv.klf" || exit 1
n=$(sed -n 's/^next_offset //p' "$KLF_DFS/logs/crash/stats")
echo "RECORDS $n"
t checked

recv_start r -l 127.0.0.1:7000 -f klf -a -d --fsync -o "/tmp/disk/recv/$boot.klf" || exit 1
"$KLOGFWD" target add fwd log crash to 127.0.0.1:7000 from resume ack app paused || exit 1
echo "RESUME $(tstat fwd acked_offset)"
"$KLOGFWD" target set fwd resume || exit 1
t resumed
if [ "$final" = 0 ]; then
	echo "KLF-CRASH-GO $n"
	exec "$PRODUCE" -o /dev/klogfwd/crash --seq-start "$n" -n 1000000000 \
		--min 1 --max 1000 --seed "$seed" --ack
fi

# the last boot: forward the rest, then check the receivers' union
wait_for 120 tstat_is fwd acked_offset = "$n" || { echo "# fwd: $(cat "$KLF_DFS/targets/fwd/stats")"; exit 1; }
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
umount /tmp/disk
exit $rc
EOS

# value KEY FILE: the numbers after KEY on the line starting with KEY
field() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}

# the last boot's run directory (our own link: make check runs other VMs
# from this checkout at the same time, which move build/vm/last)
export KLF_VM_LAST=$work/last
last() {
	readlink -f "$KLF_VM_LAST"
}

acked=-1 n=-1 torn=0 torn_bytes=0 r=0 failed_at= lost=0 dups=
for boot in $(seq 0 "$crashes"); do
	final=0
	[ "$boot" = "$crashes" ] && final=1
	delay=$(printf '0.%03d' $((RANDOM % 1000)))
	delay=$(( RANDOM % 4 )).${delay#0.}
	args=(--quiet --kernel "$kernel" --load --disk "$img")
	[ $final = 0 ] && args+=(--kill-after "$delay" --kill-from KLF-CRASH-GO)
	t0=$(date +%s)
	"$run" "${args[@]}" -- bash "$work/boot.sh" "$boot" "$final" "$RANDOM"
	rc=$?
	echo "# boot $boot: $(( $(date +%s) - t0 ))s"
	out=$(last)
	con=$out/console.log
	tr -d '\r' < "$con" > "$out/console.txt"

	# what this boot found after the previous power failure
	if [ "$boot" -gt 0 ]; then
		r=$boot
		[ -s "$out/recv.klf" ] && cp "$out/recv.klf" "$work/recv/$((boot - 1)).klf"
		[ -r "$out/log.bin" ] &&
			/usr/bin/python3 "$KLF_TOP/selftests/log_crash_check.py" "$out/log.bin" \
				"$work"/recv/*.klf > "$out/check.txt" 2>&1
		sed -n 's/^# /#   /p' "$out/check.txt"
		n=$(field "$out/check.txt" RECORDS)
		[ "$n" = "$(field "$out/console.txt" RECORDS)" ] || n=
		trunc=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["stats"]["truncated_bytes"])' "$out/log.json" 2>/dev/null)
		resume=$(field "$out/console.txt" RESUME)
		covered=$(field "$out/check.txt" covered)
		unique=$(field "$out/check.txt" unique)
		grep -q '^# ' "$out/check.txt" && unique=bad
		[ -n "$n" ] && [ "$n" -le "$acked" ] && lost=$((lost + acked + 1 - n))
		if [ -n "$n" ] && [ -n "$trunc" ] && [ "$n" -gt "$acked" ]; then
			[ "$trunc" -gt 0 ] && torn=$((torn + 1)) && torn_bytes=$((torn_bytes + trunc))
			ktap_result 0 "crash $r: recovered records 0..$((n - 1)), whole and in order; acknowledged up to $acked; torn tail cut: $trunc bytes"
		else
			grep -a '^#\|Traceback\|Error\|klogfwd:' "$out/console.txt" | head -8 | sed 's/^/# /'
			ktap_result 1 "crash $r: recovered log holds every acknowledged record (acked up to $acked, found ${n:-none})"
			failed_at=${failed_at:-$r}
		fi
		if [ -n "$covered" ] && [ "$covered" = "$unique" ] && [ -n "$resume" ] &&
		   [ "$resume" -le "$covered" ]; then
			ktap_result 0 "crash $r: receivers kept records 0..$((covered - 1)) with no hole; the target resumed at $resume"
		else
			grep -a '^RECV\|^RESUME\|^# ' "$out/console.txt" | head -5 | sed 's/^/# /'
			ktap_result 1 "crash $r: receivers kept a prefix with no hole (records ${covered:-?} of ${unique:-?}) and the target resumed at or before it (${resume:-?})"
			failed_at=${failed_at:-$r}
		fi
	fi
	[ -n "$failed_at" ] && break

	if [ $final = 0 ]; then
		# what this boot appended until its power failure
		start=$(field "$out/console.txt" KLF-CRASH-GO)
		a=$(grep -a '^ACK ' "$out/console.txt" | tail -n1 | cut -d' ' -f2)
		if [ $rc = 0 ] && [ -n "$start" ]; then
			[ -n "$a" ] && acked=$a
			echo "# boot $boot: plug pulled ${delay}s into the append phase; records $start..${a:-none} acknowledged"
			ktap_result 0 "crash $((boot + 1)): appends acknowledged until the plug was pulled (${delay}s in, last $acked)"
		else
			echo "# boot $boot: vm exit $rc"
			grep -a 'vm/run\|^#\|klf_recv\|klf_produce\|klogfwd' "$con" | tail -n 8 | sed 's/^/# /'
			ktap_result 1 "crash $((boot + 1)): appends acknowledged until the plug was pulled"
			failed_at=$((boot + 1))
			break
		fi
	fi
done

if [ -z "$failed_at" ] && [ $rc = 0 ]; then
	cp "$out/final.klf" "$work/recv/$crashes.klf"
	/usr/bin/python3 "$KLF_TOP/selftests/log_crash_check.py" "$out/log.bin" \
		"$work"/recv/*.klf > "$out/final.txt" 2>&1
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
	while [ "$_ktap_n" -lt $((crashes * 3 + 2)) ]; do
		ktap_result 1 "not run: an earlier step failed"
	done
fi
echo "# summary: $r power failures, $((acked + 1)) records acknowledged, $n recovered," \
	"$torn torn tails ($torn_bytes bytes cut), ${dups:-?} duplicates at the receivers," \
	"$lost lost; $(( $(date +%s) - t_start ))s on $kernel, seed $seed"
ktap_finish
