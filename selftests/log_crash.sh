#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Durability of dir logs across power failures, run on the host: a VM
# appends numbered records to a "sync always" log on an ext4 disk image and
# prints "ACK n" after each write() returned; the plug is pulled at a random
# moment (tools/vm/run --kill-after); a second boot recovers the log from
# the same image and must find every acknowledged record, in order, with no
# gap, and only whole records (a torn tail cut off and counted).
#
# usage: selftests/log_crash.sh [KERNEL [ROUNDS]]

. "$(dirname "$0")/lib.sh"
kernel=${1:-6.12}
rounds=${2:-3}
run=$KLF_TOP/tools/vm/run
work=$KLF_TOP/build/crash
rm -rf "$work"
mkdir -p "$work"
img=$work/disk.img

ktap_plan $((rounds * 3))
truncate -s 64M "$img"
mkfs.ext4 -q -F "$img" || exit 1

cat > "$work/produce.sh" <<'EOS'
modprobe virtio_blk 2>/dev/null; modprobe ext4 2>/dev/null
mkdir -p /tmp/disk && mount /dev/vda /tmp/disk || exit 1
mkdir -p /tmp/disk/log
klogfwd log add crash dir /tmp/disk/log framing klf sync always segment-bytes 65536 max-record 1024 || exit 1
i=$(klogfwd log show crash | awk '{ for (f = 1; f < NF; f++) if ($f == "next-offset") print $(f + 1) }')
echo "START $i"
while :; do
	printf 'seq %08d' "$i" > /dev/klogfwd/crash || exit 1
	echo "ACK $i"
	i=$((i + 1))
done
EOS

cat > "$work/verify.sh" <<'EOS'
modprobe virtio_blk 2>/dev/null; modprobe ext4 2>/dev/null
mkdir -p /tmp/disk && mount /dev/vda /tmp/disk || exit 1
klogfwd log add crash dir /tmp/disk/log framing klf sync always segment-bytes 65536 max-record 1024 || exit 1
klogfwd -j log show crash > "$KLF_RUN/stats.json"
python3 - "$KLF_RUN" <<'EOP'
import os, struct, sys
out = sys.argv[1]
# whole records per read(): a buffer that cannot hold the next one gets
# EMSGSIZE, so read with a large one (as cat does)
fd = os.open("/dev/klogfwd/crash", os.O_RDONLY)
chunks = []
while True:
	b = os.read(fd, 1 << 20)
	if not b:
		break
	chunks.append(b)
data = b"".join(chunks)
pos = n = 0
with open(out + "/seqs", "w") as f:
	while pos < len(data):
		magic, hl, fl, ln, crc, off, ts = struct.unpack_from("<4sHHIIQQ", data, pos)
		assert magic == b"KLF1" and off == n, (pos, magic, off, n)
		payload = data[pos + 32:pos + 32 + ln]
		assert payload == b"seq %08d" % n, (n, payload)
		f.write("%d\n" % n)
		pos += 32 + ln
		n += 1
print("RECORDS", n)
EOP
rc=$?
klogfwd log del crash
umount /tmp/disk
exit $rc
EOS

acked=-1
for r in $(seq "$rounds"); do
	# boot and set-up take 10-15 s under TCG; then 5-15 s of appends
	kill_at=$((25 + RANDOM % 10))
	"$run" --quiet --kernel "$kernel" --load --disk "$img" --kill-after "$kill_at" -- \
		bash "$work/produce.sh"
	rc=$?
	log=$KLF_TOP/build/vm/last/console.log
	last=$(grep -a '^ACK ' "$log" | tail -n1 | cut -d' ' -f2 | tr -d '\r')
	start=$(grep -a '^START ' "$log" | tail -n1 | cut -d' ' -f2 | tr -d '\r')
	if [ $rc = 0 ] && [ -n "$last" ]; then
		echo "# round $r: plug pulled after ${kill_at}s; records $start..$last acknowledged"
		acked=$last
		ktap_result 0 "round $r: appends acknowledged until the power failure"
	else
		echo "# round $r: vm exit $rc, last ACK '${last}'"
		ktap_result 1 "round $r: appends acknowledged until the power failure"
	fi

	"$run" --quiet --kernel "$kernel" --load --disk "$img" -- bash "$work/verify.sh"
	rc=$?
	out=$(readlink -f "$KLF_TOP/build/vm/last")
	n=$(grep -a '^RECORDS ' "$out/console.log" | cut -d' ' -f2 | tr -d '\r')
	if [ $rc = 0 ] && [ -n "$n" ]; then
		ktap_result 0 "round $r: the log recovers and reads back whole records 0..$((n - 1)) in order"
	else
		grep -a 'Error\|assert\|klogfwd:' "$out/console.log" | head -5 | sed 's/^/# /'
		ktap_result 1 "round $r: the log recovers and reads back whole records in order"
		n=0
	fi
	trunc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["stats"]["truncated_bytes"])' "$out/stats.json" 2>/dev/null)
	echo "# round $r: $n records recovered, last acknowledged $acked, torn tail cut: ${trunc:-?} bytes"
	if [ "$acked" -ge 0 ] && [ -n "$n" ] && [ "$n" -gt "$acked" ]; then
		ktap_result 0 "round $r: every acknowledged record survived (acked up to $acked, found $n)"
	else
		ktap_result 1 "round $r: every acknowledged record survived (acked up to $acked, found ${n:-none})"
	fi
done
ktap_finish
