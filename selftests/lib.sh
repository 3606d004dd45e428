# SPDX-License-Identifier: GPL-2.0
#
# Helpers for klogfwd's shell selftests, on the kernel's own: KTAP output
# from kselftest's ktap_helpers.sh, network namespaces and waits from the
# network selftests' net/lib.sh (setup_ns, cleanup_ns, busywait, slowwait).
# "make selftests" installs both from the kernel source (build/ksrc) into
# build/selftests; nothing of them is copied into this repository.
#
# A test sources this file, then target_lib.sh if it talks to targets:
#
#	source "$(dirname "$0")/lib.sh"
#	require_module
#	ktap_plan		# the plan: one case per top-level check line
#	first() { ...; }
#	check "what the first case proves" first
#	...
#	ktap_finish
#
# Counters are read through netlink (tstat, lstat in target_lib.sh), the
# ABI a program would use; debugfs only by debugfs.sh and for what only
# debugfs has (object counts, fault knobs).

KLF_TOP=${KLF_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KLOGFWD=${KLOGFWD:-$KLF_TOP/build/tools/klogfwd}
KLF_DFS=/sys/kernel/debug/klogfwd
KLF_KSFT=${KLF_KSFT:-$KLF_TOP/build/selftests}

# installed by make selftests; else (make -C tools check) from the source
_klf_ktap_sh=$KLF_KSFT/ktap_helpers.sh _klf_net_sh=$KLF_KSFT/net_lib.sh
if [ ! -r "$_klf_ktap_sh" ]; then
	_klf_ktap_sh=$KLF_TOP/build/ksrc/tools/testing/selftests/kselftest/ktap_helpers.sh
	_klf_net_sh=$KLF_TOP/build/ksrc/tools/testing/selftests/net/lib.sh
fi
if [ ! -r "$_klf_ktap_sh" ] || [ ! -r "$_klf_net_sh" ]; then
	echo "TAP version 13"
	echo "Bail out! the kernel's ktap_helpers.sh and net/lib.sh are not in $KLF_KSFT (make selftests)"
	exit 1
fi
# shellcheck source=/dev/null
source "$_klf_ktap_sh"
# shellcheck source=/dev/null
source "$_klf_net_sh"
# the namespaces setup_ns made (NS_LIST) go with the test: tests that set
# their own EXIT trap call cleanup_all_ns in it (klf_cleanup)
trap cleanup_all_ns EXIT

# KLF_LONG=1 (make check-long) runs the long form of a test: more rounds,
# messages, power failures, soak time; make check runs the short form,
# which proves the same things with fewer repetitions.
# klf_long SHORT LONG: the value for this run
KLF_LONG=${KLF_LONG:-0}
klf_long() {
	if [ "$KLF_LONG" = 1 ]; then echo "$2"; else echo "$1"; fi
}

# ktap_plan [N]: the KTAP header and plan. Without N the plan is derived
# from the test itself: one case per line of it that starts, at column 0,
# with check, refused or ktap_result (a case run once, unconditionally).
# A test whose cases come from loops or conditions gives N, computed from
# what it iterates over. ktap_finish fails a test that ran another number.
ktap_plan() {
	local n=${1:-} l
	if [ -z "$n" ]; then
		n=0
		mapfile -t _klf_src < "$0"
		for l in "${_klf_src[@]}"; do
			case $l in check\ *|refused\ *|ktap_result\ *) n=$((n + 1)) ;; esac
		done
	fi
	ktap_print_header
	ktap_set_plan "$n"
}

# the kernel's helpers echo the description unquoted: no globbing of it
_klf_ktap() {
	local -
	set -f
	"$@"
}

# ktap_result STATUS DESCRIPTION [REASON]: STATUS 0 = pass, 4 = skip (for
# REASON), else fail
ktap_result() {
	case $1 in
	0) _klf_ktap ktap_test_pass "$2" ;;
	4) _klf_ktap ktap_test_skip "$2${3:+: $3}" ;;
	*) _klf_ktap ktap_test_fail "$2" ;;
	esac
}

# skip_case REASON: in a case of check, end the case as skipped for REASON
# ("return" after it: { skip_case "no jq"; return; })
skip_case() {
	echo "klf-skip: $*"
	return 4
}

# check DESCRIPTION CMD...: one KTAP case from a command's exit status; a
# case that ran skip_case is a skip. KLF_CASE_TIMES=1 prints the seconds
# each case took (where time goes)
check() {
	local desc=$1 out rc t0=$SECONDS
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ "${KLF_CASE_TIMES:-0}" = 1 ] && echo "# time: $((SECONDS - t0))s: $desc"
	if [ $rc = 4 ] && [[ $out == *"klf-skip: "* ]]; then
		ktap_result 4 "$desc" "${out##*klf-skip: }"
		return
	fi
	if [ $rc != 0 ]; then
		echo "# $desc: '$*' exited $rc"
		[ -n "$out" ] && printf '%s\n' "$out" | head -20 | sed 's/^/#   /'
		rc=1
	fi
	ktap_result $rc "$desc"
}

# refused DESC EXPECT-RE CMD...: one KTAP case: CMD exits 1 and prints a
# message matching EXPECT-RE (grep -E)
refused() {
	local desc=$1 re=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -qE "$re" <<< "$out"; then
		ktap_result 0 "$desc"
	else
		echo "# $desc: exit $rc, output: $out"
		ktap_result 1 "$desc"
	fi
}

ktap_finish() {
	# a test that ran fewer cases than it planned (or more) did not test
	# what it says
	local ran=$((KTAP_TESTNO - 1))
	if [ "$ran" != "$KSFT_NUM_TESTS" ]; then
		echo "# planned $KSFT_NUM_TESTS cases, ran $ran"
		ktap_print_totals
		exit "$KSFT_FAIL"
	fi
	ktap_finished
}

skip_all() {
	ktap_print_header
	_klf_ktap ktap_skip_all "$*"
	exit "$KSFT_SKIP"
}

require_module() {
	[ -e /sys/module/klogfwd ] || skip_all "klogfwd is not loaded (run in the VM with --load)"
}

# run a command as an unprivileged user (nobody, no capabilities)
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- "$@"
}

# nap SECS: sleep without starting a process: a read that times out on a
# FIFO nobody writes to (opened here, its name removed at once; the VM has
# no /dev/fd for a process substitution). Under TCG a process costs about
# 0.05 s on a stock kernel and 0.2 to 0.4 s on the debug kernel, which adds
# up in polls.
_klf_fifo=${TMPDIR:-/tmp}/klf-nap.$$.$RANDOM
if mkfifo -m 600 "$_klf_fifo" 2> /dev/null; then
	exec {_klf_nap}<> "$_klf_fifo"
	rm -f "$_klf_fifo"
fi
nap() {
	if [ -n "${_klf_nap:-}" ]; then
		read -r -t "$1" -u "$_klf_nap" _
	else
		sleep "$1"
	fi
	return 0
}

# kv FILE KEY: the value of FILE's first line "KEY value" in $KV (empty if
# there is none), read without starting a process; like sed -n 's/^KEY //p'
# it fails (2) only when FILE cannot be read
# shellcheck disable=SC2034 # KV is the result, for the caller
kv() {
	local l
	KV=
	{ mapfile -t _klf_kv < "$1"; } 2> /dev/null ||
		{ echo "kv: cannot read $1" >&2; return 2; }
	for l in "${_klf_kv[@]}"; do
		[[ $l == "$2 "* ]] && { KV=${l#"$2 "}; return 0; }
	done
	return 0
}

# the debug kernel (KASAN, lockdep, kmemleak under TCG) is several times
# slower: tests divide their record counts by this
KLF_SLOW=1
case $(uname -r) in *klfdebug*) KLF_SLOW=4 ;; esac

# dmesg_mark: write a marker line to the kernel log and print it, for
# dmesg_since. Counting dmesg's lines instead fails once the ring is full
# (a printk flood earlier in the boot): old lines go as new ones come.
dmesg_mark() {
	local m="klf-mark-$$-$RANDOM-$SECONDS"

	printf '<14>%s\n' "$m" > /dev/kmsg && echo "$m"
}

# dmesg_since MARK: the kernel log's lines after MARK's (none if MARK has
# left the ring)
dmesg_since() {
	dmesg | sed -n "/ $1\$/,\$p" | tail -n +2
}

# wait_for SECS CMD...: poll CMD every 0.2 s until it succeeds; CMD is run
# again each time, so it must read what it tests itself (tstat_is, not
# test "$(tstat ...)", whose value the shell expands once)
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ $SECONDS -ge $end ] && return 1
		nap 0.2
	done
	# (a loop's status is its body's last: a test's own nap may not be 0)
	return 0
}

# fails CMD...: succeeds when CMD fails (for "must be refused" checks)
fails() {
	! "$@"
}

# counter log|target NAME KEY: in KV, the counter KEY of a log or a target
# as "klogfwd -j log|target show NAME" gives it (its stats object first,
# then the object: acked_offset, next_offset, state, ...), read through
# netlink in the namespace $KLF_NS if set, else in this one. KV is empty
# if there is no such object, or it has no such member, or it is null.
# One CLI call: about 0.05 s under TCG on a stock kernel, 0.2 to 0.4 s on
# the debug kernel.
counter() {
	local out s re='^"?([^",}]*)'
	KV=
	if [ -n "${KLF_NS:-}" ]; then
		out=$(ip netns exec "$KLF_NS" "$KLOGFWD" -j "$1" show "$2" 2> /dev/null)
	else
		out=$("$KLOGFWD" -j "$1" show "$2" 2> /dev/null)
	fi || return 1
	for s in "${out#*\"stats\":\{}" "$out"; do
		[[ $s == *"\"$3\":"* ]] || continue
		s=${s#*\"$3\":}
		[[ $s =~ $re ]] && KV=${BASH_REMATCH[1]}
		[ "$KV" = null ] && KV=
		return 0
	done
	return 0
}

# tstat TARGET KEY, lstat LOG KEY: print a counter (nothing if absent)
tstat() {
	counter target "$1" "$2" || return
	[ -z "$KV" ] || echo "$KV"
}
lstat() {
	counter log "$1" "$2" || return
	[ -z "$KV" ] || echo "$KV"
}

# tstat_is TARGET KEY OP VALUE, lstat_is LOG KEY OP VALUE: compare a
# counter, read anew at each call (for wait_for)
tstat_is() {
	counter target "$1" "$2"
	test "$KV" "$3" "$4"
}
lstat_is() {
	counter log "$1" "$2"
	test "$KV" "$3" "$4"
}
