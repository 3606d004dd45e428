#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "from resume" continues a dir log's target after rmmod/insmod where the
# peer's TCP stopped acknowledging: the acknowledged offset persisted in
# <dir>/<target>.cursor survives the module, and the new target neither
# skips nor repeats a record the receiver had.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
ko=$KLF_TOP/build/$(uname -r)/klogfwd.ko
dir=$DIRW/resume-dir
mkdir -p "$dir"
KLF_TEST_LOGS=res
trap 'cleanup_targets; rm -rf "$DIRW"; [ -e /sys/module/klogfwd ] || insmod "$ko"' EXIT

ktap_plan
n=2000
port=$(free_port)

first() {
	"$KLOGFWD" log add res dir "$dir" framing klf &&
	"$PRODUCE" -o /dev/klogfwd/res -n $n --min 50 --max 500 > /dev/null &&
	recv_start r1 -l "127.0.0.1:$port" -f klf -n $n -t 60 &&
	"$KLOGFWD" target add res log res to "127.0.0.1:$port" &&
	recv_wait r1 60 &&
	wait_for 10 tstat_is res acked_offset = $n
}
check "a dir log's target delivers $n records" first

persisted() {
	"$KLOGFWD" target del res && "$KLOGFWD" log del res && test -s "$dir/res.cursor"
}
check "target and log deleted; the cursor file stays" persisted

reload() {
	rmmod klogfwd && insmod "$ko" &&
	"$KLOGFWD" log add res dir "$dir" framing klf &&
	"$PRODUCE" -o /dev/klogfwd/res -n 500 --seq-start $n --min 50 --max 500 > /dev/null
}
check "module reloaded, log recovered, 500 more records appended" reload

resume() {
	recv_start r2 -l "127.0.0.1:$port" -f klf -n 500 -t 60 &&
	"$KLOGFWD" target add res log res to "127.0.0.1:$port" from resume &&
	recv_wait r2 60 &&
	[ "$(rstat r2 first_offset)" = $n ] && [ "$(rstat r2 first_seq)" = $n ]
}
check "from resume starts at offset $n: nothing skipped, nothing repeated" resume

fresh() {
	"$KLOGFWD" target del res
	rm -f "$dir/other.cursor"
	"$KLOGFWD" target add other log res to 127.0.0.1:9 from resume paused &&
	"$KLOGFWD" -j target show other | grep -q '"acked_offset": *0'
}
check "from resume without a cursor file starts at the oldest record" fresh

ktap_finish
