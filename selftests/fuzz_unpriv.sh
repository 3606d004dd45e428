#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Fuzzing as nobody (klf_fuzz --unpriv): every generated and mutated
# netlink message must be refused (only version-get may succeed), beside a
# log and a target that must come out unchanged. Counts: fuzz_counts.sh.
source "$(dirname "$0")/lib.sh"
require_module
FUZZ=${KLF_BIN:-$KLF_TOP/build/selftests}/klf_fuzz
[ -x "$FUZZ" ] || skip_all "klf_fuzz not built (make selftests)"
. "$(dirname "$0")/fuzz_counts.sh"
k=$KLOGFWD
out=$(mktemp /tmp/klf_fuzz.XXXXXX)

cleanup() {
	"$k" target del fzt0 2>/dev/null
	"$k" log del fz0 2>/dev/null
	rm -f "$out"
}
trap cleanup EXIT

ktap_plan

setup() {
	"$k" log add fz0 && "$k" log append fz0 keep &&
	"$k" target add fzt0 log fz0 to 127.0.0.1:9 paused
}
check "a log and a paused target" setup
"$FUZZ" --unpriv --seed 101 --count "$unpriv" --batch $batch > "$out" 2>&1
rc=$?
sed 's/^#* \{0,1\}/# /' "$out" | grep -v '^# $' | tail -25
ktap_result $rc "netlink, nobody, seed 101, $unpriv messages"
unchanged() {
	"$k" -j log show fz0 | grep -q '"records": *1,' &&
	"$k" -j target show fzt0 | grep -q '"paused": *true'
}
check "nothing changed by nobody: one record, target still paused" unchanged

ktap_finish
