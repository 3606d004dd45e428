#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12
#
# klogfwd -b FILE with the module: the lines run in order over one socket,
# quoted records keep their blanks, the first line the kernel refuses stops
# the batch with its line number and the kernel's message, naming the lines
# applied and those not run. klogfwd save prints a batch file that recreates
# the logs and targets (every setting, a dir with blanks and a quote, a
# paused target, an ack relp target with its window, max-frame and timeout), that
# applies again as a no-op; an add that differs names the setting and both
# values; --check applies nothing. The first line of log show and target
# show, with "add" put in, is such a batch too.
source "$(dirname "$0")/lib.sh"
require_module
command -v jq > /dev/null || skip_all "jq is not installed"
W=${KLF_WORK_BASE:-${KLF_RUN:-/tmp}}/batch.$$
mkdir -p "$W"
D=$(mktemp -d /tmp/klf-save.XXXXXX)
cleanup() {
	for t in bt sv-t1 sv-t2 sv-t3 sv-t4; do "$KLOGFWD" target del $t 2>/dev/null; done
	for l in b1 b2 b3 sv-m sv-d sv-l f1 f2 f3 ck; do "$KLOGFWD" log del $l force 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT

ktap_plan

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
log add b1 framing octet
log append b2 two
B
	local rc
	"$KLOGFWD" -b "$W/bad" > "$W/bad.out" 2> "$W/bad.err"
	rc=$?
	sed 's/^/# /' "$W/bad.err"
	[ $rc = 1 ] &&
	grep -q "^klogfwd: $W/bad:3: log add: log b1 exists with framing lf, not octet: .*fixed" "$W/bad.err" &&
	grep -q "^klogfwd: $W/bad:3: failed (exit 1); lines 1-2 were applied, line 4 was not run$" "$W/bad.err" &&
	[ -e /dev/klogfwd/b3 ] &&
	[ "$("$KLOGFWD" -j log show b2 | jq '.[0].stats.records')" = 1 ]
}
check "a kernel error stops the batch at its line, with the extack; later lines do not run" stops

stdin() {
	printf 'log del b3\nlog show b3\nlog del b2\n' | "$KLOGFWD" -b - 2> "$W/in.err"
	[ $? = 1 ] && grep -q '^klogfwd: <stdin>:2: failed (exit 1); line 1 was applied, line 3 was not run$' "$W/in.err" &&
	[ ! -e /dev/klogfwd/b3 ] && [ -e /dev/klogfwd/b2 ]
}
check "-b - reads standard input" stdin

# settings only: the counters and a target's connection state change
# (one jq: each costs a fraction of a second under TCG)
settings() {
	{ "$KLOGFWD" -j log show && "$KLOGFWD" -j target show; } |
		jq -S -s '(.[0] | map(del(.stats))) + (.[1] | map(del(.stats, .state))) |
			  map(select(.name | startswith("sv-"))) | sort_by(.name)'
}

sdir="$D/it's a dir"
save_restore() {
	mkdir -p "$sdir" || return 1
	"$KLOGFWD" log add sv-m framing octet segment-bytes 1M retain-bytes 4M retain-ms 1d \
		max-record 1000 overflow block mode 0640 owner 1 group 2 input lines \
		format rfc5424 hostname h-1 app-name my-app facility local3 severity info &&
	"$KLOGFWD" log add sv-d dir "$sdir" framing klf sync 5s segment-bytes 256k retain-bytes 0 &&
	"$KLOGFWD" log add sv-l &&
	"$KLOGFWD" target add sv-t1 log sv-d to 127.0.0.1:9 ack app backoff 1s-1m keepalive 60 \
		user-timeout 10s nodelay off sndbuf 64k paused &&
	"$KLOGFWD" target add sv-t2 log sv-m to '[::1]:9' backoff 100-200 &&
	"$KLOGFWD" target add sv-t3 log sv-m to 127.0.0.1:9 paused &&
	"$KLOGFWD" target add sv-t4 log sv-l to 127.0.0.1:9 ack relp window 64 max-frame 16k timeout 2m paused ||
		return 1
	settings > "$W/before" || return 1
	"$KLOGFWD" save > "$W/saved" && "$KLOGFWD" save "$W/saved.file" || return 1
	sed 's/^/# /' "$W/saved"
	# the same lines both ways; every setting, quoted where needed
	grep -v '^#' "$W/saved" > "$W/saved.lines" && grep -v '^#' "$W/saved.file" > "$W/file.lines" &&
	cmp "$W/saved.lines" "$W/file.lines" &&
	grep -q "^# klogfwd configuration, written by 'klogfwd save' at 20" "$W/saved" &&
	grep -qF "log add sv-d dir '$D/it'\\''s a dir' framing klf segment-bytes 256k retain-bytes 0 retain-ms 0 max-record 64k overflow drop sync 5s mode 0600 owner 0 group 0 input record format raw app-name sv-d facility user severity notice" "$W/saved" &&
	grep -qF "log add sv-m memory framing octet segment-bytes 1M retain-bytes 4M retain-ms 1d max-record 1000 overflow block sync none mode 0640 owner 1 group 2 input lines format rfc5424 hostname h-1 app-name my-app facility local3 severity info" "$W/saved" &&
	grep -qF "target add sv-t1 log sv-d to 127.0.0.1:9 from resume ack app backoff 1s-1m keepalive 60 user-timeout 10s nodelay off sndbuf 64k paused" "$W/saved" &&
	grep -qF "target add sv-t2 log sv-m to [::1]:9 from earliest ack tcp backoff 100-200 " "$W/saved" &&
	grep -qF "target add sv-t4 log sv-l to 127.0.0.1:9 from earliest ack relp backoff 200-30s keepalive 30 user-timeout 30s nodelay on sndbuf 0 window 64 max-frame 16k timeout 120 paused" "$W/saved" || return 1
	# window, max-frame and timeout for the ack relp target only
	[ "$(grep -c ' window ' "$W/saved")" = 1 ] && [ "$(grep -c ' max-frame ' "$W/saved")" = 1 ] &&
	[ "$(grep -c ' timeout ' "$W/saved")" = 1 ] || return 1
	# delete everything, apply the file: the same settings
	for t in sv-t1 sv-t2 sv-t3 sv-t4; do "$KLOGFWD" target del $t || return 1; done
	"$KLOGFWD" log del sv-m && "$KLOGFWD" log del sv-d && "$KLOGFWD" log del sv-l || return 1
	[ ! -e /dev/klogfwd/sv-m ] && [ ! -e /dev/klogfwd/sv-d ] && [ ! -e /dev/klogfwd/sv-l ] ||
		return 1
	"$KLOGFWD" -b "$W/saved" 2>&1 | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" = 0 ] || return 1
	settings > "$W/after" && diff "$W/before" "$W/after"
}
check "save prints a batch file that recreates every log and target setting" save_restore

again() {
	[ "$(grep -c '^log add sv-' "$W/saved")" = 3 ] &&
	[ "$(grep -c '^target add sv-' "$W/saved")" = 4 ] || return 1
	"$KLOGFWD" -b "$W/saved" > "$W/again.out" 2> "$W/again.err" ||
		{ sed 's/^/# /' "$W/again.err"; return 1; }
	[ ! -s "$W/again.out" ] && [ ! -s "$W/again.err" ] &&
	settings > "$W/again" && diff "$W/before" "$W/again" || return 1
	# -v names each add that changed nothing
	"$KLOGFWD" -v -b "$W/saved" 2> "$W/again.err" || return 1
	[ "$(grep -c "^klogfwd: $W/saved:[0-9]*: \(log\|target\) add: \(log\|target\) [a-z0-9-]* exists as given: nothing to do$" "$W/again.err")" = \
	  "$(grep -c '^\(log\|target\) add ' "$W/saved")" ] || { sed 's/^/# /' "$W/again.err"; return 1; }
}
check "the saved file applied again succeeds, prints nothing (-v: a note per add) and changes nothing" again

# the first line of log show and target show is what log add and target
# add take: with "add" after the first word, the lines are a batch that is
# a no-op on the module that printed them (an add that differs in one
# setting fails) and recreates the logs and targets after they are deleted
show_input() {
	"$KLOGFWD" log show > "$W/show.log" && "$KLOGFWD" target show > "$W/show.target" ||
		return 1
	sed 's/^/# /' "$W/show.log" "$W/show.target"
	grep -q "^log sv-m memory framing octet segment-bytes 1M retain-bytes 4M retain-ms 1d max-record 1000 overflow block " "$W/show.log" &&
	grep -q "^target sv-t1 log sv-d to 127.0.0.1:9 ack app backoff 1s-1m keepalive 60 user-timeout 10s nodelay off sndbuf 64k paused$" "$W/show.target" &&
	grep -q "^target sv-t4 log sv-l to 127.0.0.1:9 ack relp backoff 200-30s keepalive 30 user-timeout 30s nodelay on sndbuf 0 window 64 max-frame 16k timeout 120 paused$" "$W/show.target" &&
	grep -q "^    state paused next-offset " "$W/show.target" || return 1
	{ sed -n 's/^log \(sv-[^ ]*\) /log add \1 /p' "$W/show.log"
	  sed -n 's/^target \(sv-[^ ]*\) /target add \1 /p' "$W/show.target"; } > "$W/show.batch"
	[ "$(wc -l < "$W/show.batch")" = 7 ] || return 1
	"$KLOGFWD" -v -b "$W/show.batch" 2> "$W/show.err" || { sed 's/^/# /' "$W/show.err"; return 1; }
	[ "$(grep -c "exists as given: nothing to do$" "$W/show.err")" = 7 ] || return 1
	for t in sv-t1 sv-t2 sv-t3 sv-t4; do "$KLOGFWD" target del $t || return 1; done
	"$KLOGFWD" log del sv-m && "$KLOGFWD" log del sv-d && "$KLOGFWD" log del sv-l &&
	"$KLOGFWD" -b "$W/show.batch" && settings > "$W/show.after" && diff "$W/before" "$W/show.after"
}
check "log show and target show print settings that log add and target add take back" show_input

conflict() {
	printf 'log add sv-m memory framing octet segment-bytes 2M sync none overflow block\n' > "$W/c1"
	printf 'target add sv-t1 log sv-d to 127.0.0.1:10 backoff 1s-1m\n' > "$W/c2"
	printf 'target add sv-t4 log sv-l to 127.0.0.1:9 ack relp window 32 max-frame 16384\n' > "$W/c3"
	"$KLOGFWD" -b "$W/c1" 2> "$W/c1.err"
	[ $? = 1 ] || return 1
	"$KLOGFWD" -b "$W/c2" 2> "$W/c2.err"
	[ $? = 1 ] || return 1
	"$KLOGFWD" -b "$W/c3" 2> "$W/c3.err"
	[ $? = 1 ] || return 1
	sed 's/^/# /' "$W/c1.err" "$W/c2.err" "$W/c3.err"
	grep -q "^klogfwd: $W/c1:1: log add: log sv-m exists with segment-bytes 1M, not 2M: change it with 'klogfwd log set sv-m \.\.\.', or delete it first$" "$W/c1.err" &&
	grep -q "^klogfwd: $W/c2:1: target add: target sv-t1 exists with to 127.0.0.1:9, not 127.0.0.1:10: log, to, ack, tls, peername, cert, key and psk are fixed" "$W/c2.err" &&
	grep -q "^klogfwd: $W/c3:1: target add: target sv-t4 exists with window 64, not 32: change it with 'klogfwd target set sv-t4 \.\.\.', or delete it first$" "$W/c3.err" &&
	settings > "$W/conflict" && diff "$W/before" "$W/conflict"
}
check "an add that differs from what exists names the setting and both values, changes nothing" conflict

check_only() {
	cat > "$W/chk" <<'B'
log add ck memory framing octet
log add ck2 segment-bytes 1Q
target add ck-t log ck to 127.0.0.1:9
target add ck-t2 log ck to 127.0.0.1:9 backof 1s-2s
log del sv-m force
B
	"$KLOGFWD" -b "$W/chk" --check > "$W/chk.out" 2> "$W/chk.err"
	[ $? = 2 ] || return 1
	sed 's/^/# /' "$W/chk.err"
	grep -q "^klogfwd: $W/chk:2: log add: invalid value '1Q' for segment-bytes" "$W/chk.err" &&
	grep -q "^klogfwd: $W/chk:4: target add: unknown keyword 'backof'" "$W/chk.err" &&
	grep -q "^klogfwd: $W/chk: 2 of 5 commands invalid; nothing was applied$" "$W/chk.err" &&
	[ ! -e /dev/klogfwd/ck ] && [ -e /dev/klogfwd/sv-m ]
}
check "--check names both bad lines and applies none of the file" check_only

applied() {
	cat > "$W/part" <<'B'
log add f1
# a comment
log add f2
log add f1 framing klf
log add f3
B
	"$KLOGFWD" -b "$W/part" 2> "$W/part.err"
	[ $? = 1 ] || return 1
	sed 's/^/# /' "$W/part.err"
	grep -q "^klogfwd: $W/part:4: failed (exit 1); lines 1-3 were applied, line 5 was not run$" "$W/part.err" &&
	[ -e /dev/klogfwd/f1 ] && [ -e /dev/klogfwd/f2 ] && [ ! -e /dev/klogfwd/f3 ]
}
check "a failing batch names the lines applied and those not run" applied

ktap_finish
