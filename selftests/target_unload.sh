#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# rmmod while targets are sending to slow receivers, repeatedly: the module
# tears its targets down (sockets reset, callbacks restored, workers
# cancelled) and unloads every time; the VM harness then checks the console
# for warnings, the taint flags and (debug kernel) kmemleak. 6 rounds (12 in
# the long form), a quarter of that on the debug kernel. In the first, the
# kernel log must tell what the unload loses: a paused target of the memory
# log, which never had a record, loses all of them, records and bytes; a
# dir log's are kept, and said so. (u1 and u2 may have had everything
# acknowledged: the receiver's socket buffer takes it.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
ko=$KLF_TOP/build/$(uname -r)/klogfwd.ko
n=$(( $(klf_long 6 12) / KLF_SLOW ))
[ "$n" -gt 0 ] || n=1
trap 'stop_all; [ -e /sys/module/klogfwd ] || insmod "$ko"; rm -rf "$DIRW"' EXIT

ktap_plan

# what the first round's unload must report
expect=$WORK/unload.expect

rounds() {
	local i port
	for i in $(seq $n); do
		[ -e /sys/module/klogfwd ] || insmod "$ko" || { echo "insmod failed at round $i"; return 1; }
		port=$(free_port)
		recv_start "u$i" -l "127.0.0.1:$port" -f lf -r 20 -t 60 || return 1
		"$KLOGFWD" log add unload segment-bytes 1048576 || return 1
		"$PRODUCE" -o /dev/klogfwd/unload -n 3000 --min 500 --max 1500 > /dev/null || return 1
		"$KLOGFWD" target add u1 log unload to "127.0.0.1:$port" || return 1
		"$KLOGFWD" target add u2 log unload to "127.0.0.1:$port" ack tcp || return 1
		wait_for 10 tstat_is u1 bytes_sent -gt 0 || return 1
		sleep 0.$((RANDOM % 5))
		if [ "$i" = 1 ]; then
			"$KLOGFWD" target add u0 log unload to 127.0.0.1:9 paused &&
			mkdir -p "$DIRW/ud" && "$KLOGFWD" log add ud dir "$DIRW/ud" &&
			"$KLOGFWD" log append ud a bb ccc &&
			"$KLOGFWD" target add ud log ud to 127.0.0.1:9 paused || return 1
			counter log unload bytes
			echo "$KV $(dmesg_mark)" > "$expect"
		fi
		rmmod klogfwd || { echo "rmmod failed at round $i"; return 1; }
		kill "$(cat "$WORK/u$i.pid")" 2>/dev/null
	done
}
check "$n rounds of rmmod while two targets send to a slow receiver" rounds

told() {
	local said bytes dm0
	read -r bytes dm0 < "$expect" || return 1
	said=$(dmesg_since "$dm0" | grep -F "klogfwd: unload: ")
	echo "$said" | sed 's/^/# dmesg: /'
	[ "$bytes" -gt 0 ] &&
	echo "$said" | grep -qxE ".*klogfwd: unload: memory log unload loses 3000 records \($bytes bytes\) not acknowledged by target u0" &&
	echo "$said" | grep -qxE ".*klogfwd: unload: dir log ud keeps 3 records \(9 bytes\) not acknowledged by target ud; from resume sends them" &&
	! echo "$said" | grep -q "memory log ud"
}
check "the first unload told what each target of the memory log loses (records, bytes)" told
check "loads again afterwards" bash -c "insmod '$ko' && '$KLOGFWD' version > /dev/null"

ktap_finish
