#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klogfwd -b FILE with the module: the lines run in order over one socket,
# quoted records keep their blanks, the first line the kernel refuses stops
# the batch with its line number and the kernel's message, and nothing
# after it runs.
source "$(dirname "$0")/lib.sh"
require_module
command -v jq > /dev/null || skip_all "jq is not installed"
W=${KLF_RUN:-/tmp}/batch.$$
mkdir -p "$W"
trap '"$KLOGFWD" target del bt 2>/dev/null; for l in b1 b2 b3; do "$KLOGFWD" log del $l 2>/dev/null; done' EXIT

ktap_plan 3

good() {
	cat > "$W/ok" <<'B'
# two logs, records with blanks and quotes, a target, then show them
log add b1 framing lf
log add b2 framing octet max-record 100
log append b1 "first record" 'second "quoted" record' third\ one
target add bt log b1 to 127.0.0.1:9 paused
log show b1
target show bt
B
	"$KLOGFWD" -j -b "$W/ok" > "$W/ok.out" 2> "$W/ok.err" || { cat "$W/ok.err"; return 1; }
	# one JSON document per show, in order
	[ "$(jq -s 'length' "$W/ok.out")" = 2 ] &&
	[ "$(jq -rs '.[0][0].name, .[0][0].stats.records, .[1][0].name' "$W/ok.out" | tr '\n' ' ')" = "b1 3 bt " ] ||
		{ cat "$W/ok.out"; return 1; }
	printf 'first record\nsecond "quoted" record\nthird one\n' | cmp - /dev/klogfwd/b1
}
check "a batch creates, appends (quoted records byte for byte) and shows" good

stops() {
	cat > "$W/bad" <<'B'
log append b2 one
log add b3
log add b1
log append b2 two
B
	local rc
	"$KLOGFWD" -b "$W/bad" > "$W/bad.out" 2> "$W/bad.err"
	rc=$?
	sed 's/^/# /' "$W/bad.err"
	[ $rc = 1 ] &&
	grep -q "^klogfwd: log add: .*exists" "$W/bad.err" &&
	grep -q "^klogfwd: $W/bad:3: command failed (exit 1); the lines after it were not run" "$W/bad.err" &&
	[ -e /dev/klogfwd/b3 ] &&
	[ "$("$KLOGFWD" -j log show b2 | jq '.[0].stats.records')" = 1 ]
}
check "a kernel error stops the batch at its line, with the extack; later lines do not run" stops

stdin() {
	printf 'log del b3\nlog show b3\nlog del b2\n' | "$KLOGFWD" -b - 2> "$W/in.err"
	[ $? = 1 ] && grep -q '^klogfwd: <stdin>:2: command failed' "$W/in.err" &&
	[ ! -e /dev/klogfwd/b3 ] && [ -e /dev/klogfwd/b2 ]
}
check "-b - reads standard input" stdin

ktap_finish
