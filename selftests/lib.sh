# SPDX-License-Identifier: GPL-2.0
#
# Helpers for klogfwd's shell selftests: KTAP output, skips, debugfs access.
# Source it; then call ktap_plan N, and ok/fail per case, ktap_finish last.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

KLF_TOP=${KLF_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KLOGFWD=${KLOGFWD:-$KLF_TOP/build/tools/klogfwd}
KLF_DFS=/sys/kernel/debug/klogfwd

# KLF_LONG=1 (make check-long) runs the long form of a test: more rounds,
# messages, power failures, soak time; make check runs the short form,
# which proves the same things with fewer repetitions.
# klf_long SHORT LONG: the value for this run
KLF_LONG=${KLF_LONG:-0}
klf_long() {
	if [ "$KLF_LONG" = 1 ]; then echo "$2"; else echo "$1"; fi
}

_ktap_n=0
_ktap_failed=0

ktap_plan() {
	_ktap_plan=$1
	echo "TAP version 13"
	echo "1..$1"
}

# ktap_result STATUS DESCRIPTION [REASON]: STATUS 0 = pass, 4 = skip (for
# REASON), else fail
ktap_result() {
	_ktap_n=$((_ktap_n + 1))
	case $1 in
	0) echo "ok $_ktap_n $2" ;;
	4) echo "ok $_ktap_n $2 # SKIP${3:+ $3}" ;;
	*) echo "not ok $_ktap_n $2"; _ktap_failed=1 ;;
	esac
}

# check DESCRIPTION CMD...: one KTAP case from a command's exit status;
# KLF_CASE_TIMES=1 prints the seconds each case took (where time goes)
check() {
	local desc=$1 out rc t0=$SECONDS
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ "${KLF_CASE_TIMES:-0}" = 1 ] && echo "# time: $((SECONDS - t0))s: $desc"
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
	if [ -n "${_ktap_plan:-}" ] && [ "$_ktap_n" != "$_ktap_plan" ]; then
		echo "# planned $_ktap_plan cases, ran $_ktap_n"
		exit $KSFT_FAIL
	fi
	[ $_ktap_failed = 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
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

# fails CMD...: succeeds when CMD fails (for "must be refused" checks)
fails() {
	! "$@"
}
