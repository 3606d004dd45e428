#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the test VM itself, run on the host: tools/vm/run must fail a run
# in which the kernel warned, got a new taint bit, leaked memory (kmemleak,
# debug kernel) or hung, even though the command itself succeeded, and must
# pass a clean run. Uses the deliberately misbehaving selftests/kmod module.
#
# usage: selftests/vm_harness.sh [KERNEL...]   (default: 6.12; "debug" adds
#        the kmemleak case)

. "$(dirname "$0")/lib.sh"
run=$KLF_TOP/tools/vm/run
kernels=("$@")
[ ${#kernels[@]} = 0 ] && kernels=(6.12)

# the debug kernel (4x slower) runs only what needs it: a clean run and the
# kmemleak case; warnings, taint and hangs are caught the same way there
n=0
for k in "${kernels[@]}"; do
	[ "$k" = debug ] && n=$((n + 2)) || n=$((n + 5))
done
ktap_plan $n

# expect_fail DESC PATTERN VM-ARGS...: the run fails and says PATTERN
expect_fail() {
	local desc=$1 pattern=$2 out rc
	shift 2
	out=$("$run" --quiet "$@" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		echo "# $desc: tools/vm/run $* passed, it must fail"
		ktap_result 1 "$desc"
	elif ! grep -qE "$pattern" <<< "$out"; then
		echo "# $desc: failed (exit $rc) without saying /$pattern/:"
		printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
		ktap_result 1 "$desc"
	else
		printf '%s\n' "$out" | grep -E "$pattern" | head -2 | sed 's/^/#   /'
		ktap_result 0 "$desc"
	fi
}

for k in "${kernels[@]}"; do
	rel=$("$KLF_TOP/tools/vm/kernels" release "$k") || exit 1
	mod=$KLF_TOP/build/$rel/selftests/kmod/klf_vmcheck.ko
	[ -e "$mod" ] || { echo "# $mod missing: run 'make module KVER=$k'"; exit 1; }

	if [ "$k" = debug ]; then
		check "$k: a clean run passes" "$run" --quiet --kernel "$k" -- insmod "$mod" fault=none
		expect_fail "$k: a kmemleak report fails the run" "kmemleak" \
			--kernel "$k" -- insmod "$mod" fault=leak
		continue
	fi
	# one boot: the run is clean (no FAILED verdict) and exits with the
	# command's status
	exit3() {
		local out rc
		out=$("$run" --quiet --kernel "$1" -- bash -c "insmod $mod fault=none && exit 3" 2>&1)
		rc=$?
		[ $rc = 3 ] && [[ $out != *FAILED* ]] && return 0
		echo "exit $rc, expected 3 and a clean verdict:"
		printf '%s\n' "$out" | tail -5
		return 1
	}
	check "$k: a clean run passes and returns the command's exit status" exit3 "$k"
	expect_fail "$k: a kernel WARNING fails the run" "WARNING:" \
		--kernel "$k" -- insmod "$mod" fault=warn
	expect_fail "$k: a new taint bit fails the run" "new kernel taint" \
		--kernel "$k" -- insmod "$mod" fault=taint
	expect_fail "$k: a hung guest fails the run" "did not finish" \
		--kernel "$k" --timeout 15 -- sleep 600
	# a guest whose uptime at its banner is beyond what the host saw pass
	# (a clock running fast) is booted again, three times in all
	clock_fast() {
		local out rc
		out=$(KLF_VM_APPEND="klf.test_up=1000" "$run" --quiet --kernel "$1" -- true 2>&1)
		rc=$?
		[ $rc != 0 ] && [ "$(grep -c 'clock ran too fast: .*booting again' <<< "$out")" = 2 ] &&
		grep -q "clock ran too fast in 3 boots: its uptime at the banner, 10[0-9][0-9] s" <<< "$out" &&
			return 0
		echo "exit $rc, expected two boots again and a failure:"
		printf '%s\n' "$out" | tail -8
		return 1
	}
	check "$k: a guest clock running fast: booted again, the run fails after 3 boots" clock_fast "$k"
done
ktap_finish
