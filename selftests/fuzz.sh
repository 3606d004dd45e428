#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Fuzzing (klf_fuzz): the generic netlink family as root over several seeds,
# then the character devices (fuzz_unpriv.sh does the part as nobody).
# Every message must be answered with an expected errno; afterwards nothing
# the fuzzer created is left and the module's object counters are what
# they were. The VM harness then checks the console, rmmod and (debug
# kernel) kmemleak.
#
# Counts: see fuzz_counts.sh.
source "$(dirname "$0")/lib.sh"
require_module
FUZZ=${KLF_BIN:-$KLF_TOP/build/selftests}/klf_fuzz
[ -x "$FUZZ" ] || skip_all "klf_fuzz not built (make selftests)"
ip link set lo up

. "$(dirname "$0")/fuzz_counts.sh"
work=$(mktemp -d /tmp/klf_fuzz.XXXXXX)
k=$KLOGFWD

cleanup() {
	rm -rf "$work"
}
trap cleanup EXIT

ktap_plan $(( ${#seeds[@]} + 2 ))

objects() { cat "$KLF_DFS/objects"; }
before=$(objects)

# fuzz DESC ARGS...: one KTAP case; the fuzzer's summary is always shown
fuzz() {
	local desc=$1 rc
	shift
	"$@" > "$work/out" 2>&1
	rc=$?
	sed 's/^#* \{0,1\}/# /' "$work/out" | grep -v '^# $' | tail -25
	ktap_result $rc "$desc"
}

for s in "${seeds[@]}"; do
	fuzz "netlink, root, seed $s, $per_seed messages" \
		"$FUZZ" --seed "$s" --count "$per_seed" --batch $batch --dir "$work"
done

fuzz "devices, seed 1, $dev_count operations" "$FUZZ" --dev --seed 1 --count "$dev_count" --dir "$work"

# sockets and segments go asynchronously: wait (at most 30 s) for them
objects_are() { [ "$(objects)" = "$1" ]; }
if ! wait_for 30 objects_are "$before"; then
	echo "# objects before:"; echo "$before" | sed 's/^/#   /'
	echo "# objects after:"; objects | sed 's/^/#   /'
	false
fi
ktap_result $? "object counters are back to what they were"

ktap_finish
