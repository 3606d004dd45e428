# SPDX-License-Identifier: GPL-2.0
#
# Message counts of fuzz.sh and fuzz_unpriv.sh (sourced by both).
# KLF_FUZZ_COUNT: netlink messages of both together (default 100000 on the
# debug kernel, 60000 elsewhere; in make check's short form, 20000 and
# 60000); KLF_FUZZ_SEEDS: seeds of the root runs; KLF_FUZZ_DEV_COUNT: device
# operations (3000 and 8000; 1000 on the debug kernel in the short form).
#
# The debug kernel answers ~200-450 messages/s under TCG (one vCPU, KASAN,
# lockdep), root messages being the slow ones (they create logs, devices
# and targets): there messages go 128 to a sendmsg() and more than half are
# sent as nobody, so that each script stays well within the 300 s timeout.
case $(uname -r) in
*klfdebug*) count=${KLF_FUZZ_COUNT:-$(klf_long 20000 100000)}
	dev_count=${KLF_FUZZ_DEV_COUNT:-$(klf_long 1000 3000)}
	batch=128 root_pct=42 ;;
*) count=${KLF_FUZZ_COUNT:-60000} dev_count=${KLF_FUZZ_DEV_COUNT:-8000}
	batch=64 root_pct=80 ;;
esac
read -r -a seeds <<< "${KLF_FUZZ_SEEDS:-1 2 3}"
per_seed=$(( count * root_pct / 100 / ${#seeds[@]} ))
unpriv=$(( count - per_seed * ${#seeds[@]} ))
