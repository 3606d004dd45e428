#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# The module unloads and loads again cleanly, many times, and the family is
# usable after each load (a stale registration or a leaked reference would
# make rmmod, insmod or the request fail). 20 rounds, 80 in the long form
# (KLF_LONG=1); a quarter of that on the debug kernel, where a round costs
# about 1.5 s.

. "$(dirname "$0")/lib.sh"
require_module

ko=$KLF_TOP/build/$(uname -r)/klogfwd.ko
n=${KLF_RELOADS:-$(( $(klf_long 20 80) / KLF_SLOW ))}
ktap_plan

reload() {
	local i
	for i in $(seq "$n"); do
		rmmod klogfwd || { echo "rmmod failed at round $i"; return 1; }
		[ ! -e /sys/module/klogfwd ] || { echo "still loaded after rmmod at round $i"; return 1; }
		insmod "$ko" || { echo "insmod failed at round $i"; return 1; }
		"$KLOGFWD" version > /dev/null || { echo "version failed at round $i"; return 1; }
	done
}
check "$n rmmod/insmod rounds, the family answers after each" reload
check "module is loaded at the end" test -e /sys/module/klogfwd
check "refcount is zero when idle" test "$(cat /sys/module/klogfwd/refcnt)" = 0
ktap_finish
