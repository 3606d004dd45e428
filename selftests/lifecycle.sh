#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# Lifecycle under load: rmmod while producers write through the device and
# targets send (memory and dir logs, segments rolling); a network namespace
# deleted under a sending target just before rmmod; logs and targets
# deleted while producers write; and memory pressure (drop_caches in a
# loop, a producer in a memory-limited cgroup) while a memory log and a dir
# log on ext4 are forwarded: their pages are read back and klf_recv checks
# every record, byte for byte (klf framing: CRC32C, offsets, payload).
#
# Rounds: KLF_UNLOADS (default 20, 6 on the debug kernel; 50 and 14 in the
# long form, KLF_LONG=1). The first two
# cases run by default, the last two with KLF_LIFECYCLE=pressure
# (lifecycle_pressure.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
ko=$KLF_TOP/build/$(uname -r)/klogfwd.ko
n_unload=${KLF_UNLOADS:-$(( $(klf_long 18 48) / KLF_SLOW + 2))}
KLF_TEST_LOGS="lc lcns lcd lcm"
loopdev=
cg=/sys/fs/cgroup/klf_lifecycle
mnt=/tmp/klf_lc_mnt
cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	stop_all
	[ -e /sys/module/klogfwd ] || insmod "$ko"
	cleanup_targets
	ip link del klflca 2>/dev/null
	umount "$mnt" 2>/dev/null
	[ -n "$loopdev" ] && losetup -d "$loopdev" 2>/dev/null
	rmdir "$cg" 2>/dev/null
	rm -rf "$DIRW"
}
trap cleanup EXIT
modprobe veth 2>/dev/null
# the namespace of netns_unload, named uniquely (cleanup_targets deletes it)
setup_ns NSLC || skip_all "cannot make network namespaces"

# figures, printed at the end whether the cases pass or not
note() {
	echo "# $*"
	echo "$*" >> "$WORK/notes"
}
: > "$WORK/notes"

# lifecycle_pressure.sh runs the second half (KLF_LIFECYCLE=pressure), so
# that each stays within the kselftest timeout on a loaded machine
part=${KLF_LIFECYCLE:-unload}
ktap_plan 3

# rmmod KO: retry while the device is held open (EBUSY is the clean answer
# then); the number of refusals goes to $busy
busy=0
rmmod_retry() {
	local end=$(( $(date +%s) + 10 * KLF_SLOW ))
	until rmmod klogfwd 2> "$WORK/rmmod.err"; do
		grep -q "in use" "$WORK/rmmod.err" ||
			{ echo "# rmmod: $(cat "$WORK/rmmod.err")"; return 1; }
		busy=$((busy + 1))
		[ "$(date +%s)" -ge $end ] && { echo "# rmmod refused for 10 s"; return 1; }
		sleep 0.05
	done
}

# producer LOG SEQ: a batch of records through the device, in the background
producer() {
	"$PRODUCE" -o "/dev/klogfwd/$1" -n 300 --seq-start "$2" --min 100 --max 1500 \
		> /dev/null 2> "$WORK/prod.err"
}

# Each round: a log (memory or dir, 64 KiB segments rolling), two targets
# sending to a slow receiver, a producer writing. rmmod while it writes is
# refused (EBUSY: the open device holds the module); once its batch is
# written, rmmod goes through while the targets are still sending.
unloads() {
	local i port prod
	port=$(free_port)
	# one slow receiver for every round; the targets replace each other's
	# connections there, so what it gets is not checked, only the module
	recv_start lc -l "127.0.0.1:$port" -f lf -d -r 5 -t 3600 || return 1
	for i in $(seq "$n_unload"); do
		[ -e /sys/module/klogfwd ] || insmod "$ko" || { echo "# insmod failed at round $i"; return 1; }
		if [ $((i % 2)) = 0 ]; then
			rm -rf "$DIRW/lc" && mkdir "$DIRW/lc" &&
			"$KLOGFWD" log add lc dir "$DIRW/lc" segment-bytes 65536 max-record 16384 || return 1
		else
			"$KLOGFWD" log add lc segment-bytes 65536 max-record 16384 || return 1
		fi
		"$KLOGFWD" target add lc1 log lc to "127.0.0.1:$port" backoff 20-100 || return 1
		"$KLOGFWD" target add lc2 log lc to "127.0.0.1:$port" ack tcp backoff 20-100 || return 1
		producer lc $((i * 1000000)) &
		prod=$!
		wait_for $((10 * KLF_SLOW)) lstat_is lc appends -gt 0 ||
			{ echo "# round $i: nothing appended"; return 1; }
		if ! rmmod klogfwd 2> "$WORK/rmmod.err"; then
			grep -q "in use" "$WORK/rmmod.err" ||
				{ echo "# rmmod: $(cat "$WORK/rmmod.err")"; return 1; }
			busy=$((busy + 1))
			wait $prod || { echo "# round $i: producer: $(cat "$WORK/prod.err")"; return 1; }
			rmmod klogfwd || { echo "# round $i: rmmod failed with targets sending"; return 1; }
		else
			# the producer was done already: all its records went in
			wait $prod || { echo "# round $i: producer: $(cat "$WORK/prod.err")"; return 1; }
		fi
	done
	# its wrapper holds the test's output until it ends: stopped by pid
	kill "$PID_lc" && wait_for 10 test -s "$WORK/lc.rc" || return 1
	rm -rf "$WORK"/lc.*
	note "$n_unload unloads under load; rmmod refused while a producer wrote (EBUSY) $busy times"
}
busy=0

[ "$part" = unload ] &&
check "$n_unload rounds of rmmod while producers write and two targets send" unloads

# the namespace of a sending target is deleted, and the module unloaded at once
netns_unload() {
	local i port prod
	for i in 1 2; do
		[ -e /sys/module/klogfwd ] || insmod "$ko" || return 1
		port=$(free_port)
		setup_ns NSLC || return 1
		veth_ns "$NSLC" klflca klflcb 10.203.0 || return 1
		recv_start ns$i -l "10.203.0.1:$port" -f lf -d -r 5 -t 120 || return 1
		ip netns exec "$NSLC" "$KLOGFWD" log add lcns segment-bytes 65536 max-record 16384 ||
			return 1
		ip netns exec "$NSLC" "$KLOGFWD" target add lcns log lcns to "10.203.0.1:$port" || return 1
		producer lcns 0 &
		prod=$!
		KLF_NS=$NSLC wait_for $((10 * KLF_SLOW)) tstat_is lcns bytes_sent -gt 0 || return 1
		ip netns del "$NSLC"
		rmmod_retry || return 1
		wait $prod
		kill "$(cat "$WORK/ns$i.pid")" 2>/dev/null
		ip link del klflca 2>/dev/null
	done
	insmod "$ko"
}
[ "$part" = unload ] &&
check "network namespace deleted under a sending target, then rmmod (2 rounds)" netns_unload

# logs and targets deleted while producers write: writes on the open
# descriptor then fail with ENODEV, and no object is left
deletes() {
	local i port prod pids err
	port=$(free_port)
	recv_start ld -l "127.0.0.1:$port" -f lf -d -r 2 -t 3600 || return 1
	for i in $(seq $((8 / KLF_SLOW + 1))); do
		if [ $((i % 2)) = 0 ]; then
			rm -rf "$DIRW/lcd" && mkdir "$DIRW/lcd"
			"$KLOGFWD" log add lc dir "$DIRW/lcd" segment-bytes 65536 max-record 16384 || return 1
		else
			"$KLOGFWD" log add lc segment-bytes 65536 max-record 16384 || return 1
		fi
		"$KLOGFWD" target add ld1 log lc to "127.0.0.1:$port" || return 1
		"$KLOGFWD" target add ld2 log lc to "127.0.0.1:$port" || return 1
		"$PRODUCE" -o /dev/klogfwd/lc -n 100000000 --min 100 --max 1500 \
			> /dev/null 2> "$WORK/del.err" &
		prod=$!
		wait_for $((10 * KLF_SLOW)) tstat_is ld1 bytes_sent -gt 0 || return 1
		# targets first, then the log; or the log while a target sends
		if [ $((i % 3)) = 0 ]; then
			"$KLOGFWD" target del ld1 || return 1
			"$KLOGFWD" target del ld2 || return 1
			"$KLOGFWD" log del lc || return 1
		else
			# ld2 goes with its log
			"$KLOGFWD" target del ld1 || return 1
			"$KLOGFWD" log del lc force || return 1
		fi
		wait $prod && { echo "# round $i: the producer was not stopped"; return 1; }
		err=$(tail -1 "$WORK/del.err")
		case $err in
		*"errno 19"*) ;;
		*) echo "# round $i: producer ended with: $err"; return 1 ;;
		esac
		wait_for 10 bash -c "! grep -v ' 0$' $KLF_DFS/objects" ||
			{ sed 's/^/#   /' "$KLF_DFS/objects"; return 1; }
	done
}
[ "$part" = pressure ] &&
check "logs and targets deleted while producers write: ENODEV, no object left" deletes

# memory pressure while a memory log and a dir log are forwarded; a second
# target of the dir log, added once the producers are done and the page
# cache was dropped, reads the log's last pages back
pressure() {
	# the debug kernel (no memory cgroup) gets a quarter of its usual
	# share, so the case fits the per-test timeout
	local n=$((10000 / KLF_SLOW / KLF_SLOW)) pd pm dc p1 p2 p3 r disk=0 rd0=0 rd1=0 inc= high= peak=
	local dir=/tmp/lcdp.$$
	loopdev=
	# a dir log on ext4 (a loop device over a file in the run
	# directory), whose page cache
	# drop_caches and the cgroup's limit can evict. The debug kernel keeps
	# it on tmpfs, as before it had a loop driver (reading it back from a
	# loop device there is not measured yet), as does a kernel without
	# one: /tmp in the VM, never the run directory (9p with cache=none,
	# which bypasses the page cache the sender reads: security.rst)
	if [ "$KLF_SLOW" = 1 ] && modprobe loop 2>/dev/null && modprobe ext4 2>/dev/null; then
		truncate -s 256M "$WORK/lc.img" && mkfs.ext4 -q -F "$WORK/lc.img" &&
		loopdev=$(losetup -f --show "$WORK/lc.img") && mkdir -p "$mnt" &&
		mount "$loopdev" "$mnt" && dir=$mnt/log && disk=1 || return 1
		mkdir "$dir"
		rd0=$(awk '{ print $3 }' "/sys/block/${loopdev#/dev/}/stat")
	fi
	mkdir -p "$dir"
	p1=$(free_port)
	p2=$(free_port)
	p3=$(free_port)
	recv_start pd -l "127.0.0.1:$p1" -f klf -n $n -t $((120 * KLF_SLOW)) || return 1
	recv_start pm -l "127.0.0.1:$p2" -f klf -n $n -t $((120 * KLF_SLOW)) || return 1
	recv_start pr -l "127.0.0.1:$p3" -f klf -n $((n / 20)) -t $((120 * KLF_SLOW)) || return 1
	"$KLOGFWD" log add lcd dir "$dir" framing klf segment-bytes 1048576 || return 1
	"$KLOGFWD" log add lcm framing klf segment-bytes 1048576 || return 1
	"$KLOGFWD" target add lcd log lcd to "127.0.0.1:$p1" || return 1
	"$KLOGFWD" target add lcm log lcm to "127.0.0.1:$p2" || return 1
	# drop_caches every second: often enough that the senders read pages
	# back, seldom enough that the cgroup below reaches its limit between two
	(while :; do echo 3 > /proc/sys/vm/drop_caches; sleep 1; done) &
	dc=$!
	# the dir log's producer in a cgroup whose memory.high is 2 MiB, for
	# ~20 MB of records: the log's page cache is charged to it (the module
	# appends with kernel_write() in the producer's context), so the cgroup
	# reclaims pages of the log that its target has yet to send. memory.high
	# throttles and reclaims; memory.max that low would OOM-kill the
	# producer while its dirty pages wait for the loop device's writeback.
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		echo +memory > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		mkdir -p "$cg" && echo 2M > "$cg/memory.high" || return 1
		inc="echo \$\$ > $cg/cgroup.procs &&"
	fi
	bash -c "$inc exec \"\$0\" \"\$@\"" "$PRODUCE" -o /dev/klogfwd/lcd -n $n --min 100 --max 4000 \
		--rate $((5000 / KLF_SLOW)) > /dev/null 2> "$WORK/pd.err" &
	pd=$!
	"$PRODUCE" -o /dev/klogfwd/lcm -n $n --min 100 --max 4000 --rate $((5000 / KLF_SLOW)) \
		> /dev/null 2> "$WORK/pm.err" &
	pm=$!
	wait $pd || { echo "# dir producer: $(cat "$WORK/pd.err")"; kill $dc; return 1; }
	wait $pm || { echo "# memory producer: $(cat "$WORK/pm.err")"; kill $dc; return 1; }
	kill $dc
	wait $dc 2>/dev/null
	sync
	echo 3 > /proc/sys/vm/drop_caches
	"$KLOGFWD" target add lcr log lcd to "127.0.0.1:$p3" from $((n - n / 20)) || return 1
	for r in pd pm pr; do
		recv_wait $r $((120 * KLF_SLOW)) || return 1
	done
	[ $disk = 1 ] && rd1=$(awk '{ print $3 }' "/sys/block/${loopdev#/dev/}/stat")
	note "dir log ($dir): records $(rstat pd records) bytes $(rstat pd bytes)," \
	     "read back after drop_caches: records $(rstat pr records) bytes $(rstat pr bytes)," \
	     "disk sectors read $((rd1 - rd0))"
	[ -n "$inc" ] && high=$(sed -n 's/^high //p' "$cg/memory.events") &&
		peak=$(cat "$cg/memory.peak" 2>/dev/null || echo ?)
	note "memory log: records $(rstat pm records) bytes $(rstat pm bytes);" \
	     "cgroup: ${inc:+memory.high 2M, peak $peak bytes, went over it $high times}"
	"$KLOGFWD" target del lcd && "$KLOGFWD" target del lcr && "$KLOGFWD" target del lcm &&
	"$KLOGFWD" log del lcd && "$KLOGFWD" log del lcm || return 1
	if [ $disk = 1 ]; then
		umount "$mnt" && losetup -d "$loopdev" && loopdev= || return 1
		[ $((rd1 - rd0)) -gt 0 ] || { echo "# nothing was read back from the disk"; return 1; }
	fi
	# the limit must have been reached, or the case tested nothing
	[ -z "$inc" ] || [ "$high" -gt 0 ] ||
		{ echo "# the producer's cgroup never went over memory.high (peak $peak)"; return 1; }
	[ "$(rstat pr records)" = $((n / 20)) ] || { echo "# read back: $(rstat pr records)"; return 1; }
	for r in pd pm pr; do
		[ "$(rstat $r records)" = $n ] || [ $r = pr ] && [ "$(rstat $r gaps)" = 0 ] &&
		[ "$(rstat $r bad_crc)" = 0 ] && [ "$(rstat $r corrupt)" = 0 ] &&
		[ "$(rstat $r offset_gaps)" = 0 ] || { echo "# receiver $r"; return 1; }
	done
}
[ "$part" = pressure ] &&
check "drop_caches and a memory-limited producer: both logs delivered byte-exact" pressure

check "no object left, module still loaded" bash -c \
	"[ -e /sys/module/klogfwd ] && ! grep -v ' 0$' $KLF_DFS/objects"

sed "s/^/# figures: /" "$WORK/notes"
ktap_finish
