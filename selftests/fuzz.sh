#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzzing (klf_fuzz): the generic netlink family as root over several seeds
# and as nobody (where nothing but version-get may succeed), then the
# character devices. Every message must be answered with an expected errno;
# afterwards no fz* object is left and the module's object counters are
# what they were. The VM harness then checks the console, rmmod and (debug
# kernel) kmemleak.
#
# KLF_FUZZ_COUNT: netlink messages in all (default 100000 on the debug
# kernel, 40000 elsewhere); KLF_FUZZ_SEEDS: seeds of the root runs;
# KLF_FUZZ_DEV_COUNT: device operations.
source "$(dirname "$0")/lib.sh"
require_module
FUZZ=${KLF_BIN:-$KLF_TOP/build/selftests}/klf_fuzz
[ -x "$FUZZ" ] || skip_all "klf_fuzz not built (make selftests)"
ip link set lo up

case $(uname -r) in
*klfdebug*) count=${KLF_FUZZ_COUNT:-100000} dev_count=${KLF_FUZZ_DEV_COUNT:-4000} ;;
*) count=${KLF_FUZZ_COUNT:-40000} dev_count=${KLF_FUZZ_DEV_COUNT:-8000} ;;
esac
read -r -a seeds <<< "${KLF_FUZZ_SEEDS:-1 2 3}"
# four fifths as root, split over the seeds; one fifth as nobody
per_seed=$(( count * 4 / 5 / ${#seeds[@]} ))
unpriv=$(( count - per_seed * ${#seeds[@]} ))
work=$(mktemp -d /tmp/klf_fuzz.XXXXXX)
k=$KLOGFWD

cleanup() {
	"$k" target del fzt0 2>/dev/null
	"$k" log del fz0 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

ktap_plan $(( ${#seeds[@]} + 5 ))

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
		"$FUZZ" --seed "$s" --count "$per_seed" --dir "$work"
done

# as nobody, beside a log and a target that must come out unchanged
setup() {
	"$k" log add fz0 && "$k" log append fz0 keep &&
	"$k" target add fzt0 log fz0 to 127.0.0.1:9 paused
}
check "a log and a paused target for the unprivileged run" setup
fuzz "netlink, nobody, seed 101, $unpriv messages" \
	"$FUZZ" --unpriv --seed 101 --count "$unpriv"
unchanged() {
	"$k" -j log show fz0 | grep -q '"records": *1,' &&
	"$k" -j target show fzt0 | grep -q '"paused": *true'
}
check "nothing changed by nobody: one record, target still paused" unchanged
"$k" target del fzt0 && "$k" log del fz0

fuzz "devices, seed 1, $dev_count operations" "$FUZZ" --dev --seed 1 --count "$dev_count" --dir "$work"

# sockets and segments go asynchronously: wait (at most 30 s) for them
n=0
while [ "$(objects)" != "$before" ] && [ $n -lt 150 ]; do
	sleep 0.2
	n=$((n + 1))
done
if [ "$(objects)" != "$before" ]; then
	echo "# objects before:"; echo "$before" | sed 's/^/#   /'
	echo "# objects after:"; objects | sed 's/^/#   /'
	false
fi
ktap_result $? "object counters are back to what they were"

ktap_finish
