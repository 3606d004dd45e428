#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12
#
# klogfwd log append streams standard input: a line written to a pipe that
# stays open is in the log before the writer's next line; empty lines are
# skipped and counted; SIGTERM and SIGINT append what was read, an unended
# last line included, and end by the signal; an overlong line and a full
# log (overflow block, EAGAIN) stop the import naming the line and how many
# records were appended; rsyslogd's omprog feeding it delivers each message
# at once, not when rsyslogd stops.
source "$(dirname "$0")/lib.sh"
require_module
# on tmpfs: the run directory is 9p, no place for a FIFO
W=/tmp/klf-append.$$
mkdir -p "$W"
LOGS="ap1 ap2 apTERM apINT ap4 ap5 ap6 ap7"
cleanup() {
	exec 3>&- 2> /dev/null
	[ -s "$W/rsyslog.pid" ] && kill "$(cat "$W/rsyslog.pid")" 2> /dev/null
	"$KLOGFWD" target del ap5 2> /dev/null
	for l in $LOGS; do "$KLOGFWD" log del "$l" 2> /dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT


# has LOG N: the lf log LOG holds N records (read through its device)
has() {
	[ "$(wc -l < "/dev/klogfwd/$1")" = "$2" ]
}

ktap_plan

stream() {
	local i pid
	"$KLOGFWD" log add ap1 || return 1
	mkfifo "$W/fifo1" || return 1
	"$KLOGFWD" log append ap1 < "$W/fifo1" 2> "$W/ap1.err" &
	pid=$!
	exec 3> "$W/fifo1"
	for i in 1 2 3 4 5; do
		echo "line $i" >&3
		if ! wait_for $((10 * KLF_SLOW)) has ap1 "$i"; then
			echo "line $i is not in the log $((10 * KLF_SLOW)) s after it was written (the pipe is open)"
			exec 3>&-
			wait "$pid"
			return 1
		fi
	done
	exec 3>&-
	wait "$pid" || { cat "$W/ap1.err"; return 1; }
	[ ! -s "$W/ap1.err" ] || { cat "$W/ap1.err"; return 1; }
	printf 'line %s\n' 1 2 3 4 5 | cmp - /dev/klogfwd/ap1
}
check "each line is in the log before the writer's next, the pipe open" stream

blank() {
	"$KLOGFWD" log add ap2 || return 1
	printf '\nfirst\n\n\nsecond\n\nthird' | "$KLOGFWD" log append ap2 2> "$W/ap2.err" ||
		{ cat "$W/ap2.err"; return 1; }
	cat "$W/ap2.err"
	grep -q '^klogfwd: log append: 3 records appended, the last line 7; 4 empty lines skipped$' \
		"$W/ap2.err" &&
	printf 'first\nsecond\nthird\n' | cmp - /dev/klogfwd/ap2
}
check "empty lines are skipped and counted, the lines after them appended" blank

# sigflush INT|TERM: the signal appends the lines read, the unended last
# one too, and ends the process by the signal
sigflush() {
	local sig=$1 log=ap$1 pid rc want
	"$KLOGFWD" log add "$log" || return 1
	mkfifo "$W/fifo$sig" || return 1
	# a background job of a script ignores SIGINT: undo that
	env --default-signal=INT,TERM "$KLOGFWD" log append "$log" < "$W/fifo$sig" \
		2> "$W/$log.err" &
	pid=$!
	exec 3> "$W/fifo$sig"
	printf 'one\n\ntwo\nthree, no newline yet' >&3
	wait_for $((10 * KLF_SLOW)) has "$log" 2 || { echo "lines 1-3 not appended"; return 1; }
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	exec 3>&-
	cat "$W/$log.err"
	want=$((128 + $(kill -l "$sig")))
	[ "$rc" = "$want" ] || { echo "exit status $rc, not $want"; return 1; }
	grep -q "^klogfwd: log append: 3 records appended, the last line 4; 1 empty line skipped; stopped by SIG$sig after line 4\$" \
		"$W/$log.err" &&
	printf 'one\ntwo\nthree, no newline yet\n' | cmp - "/dev/klogfwd/$log"
}
check "SIGTERM appends what was read, an unended line too, and ends by SIGTERM" sigflush TERM
check "SIGINT appends what was read, an unended line too, and ends by SIGINT" sigflush INT

toolong() {
	local rc
	"$KLOGFWD" log add ap4 max-record 100 || return 1
	{ echo ok; head -c 300 /dev/zero | tr '\0' x; printf '\nafter\n'; } |
		"$KLOGFWD" log append ap4 2> "$W/ap4.err"
	rc=$?
	cat "$W/ap4.err"
	[ "$rc" = 1 ] &&
	grep -qE '^klogfwd: log append: line 2: Message too long \((more than )?[0-9]+ bytes; max-record of log ap4 is 100\)$' \
		"$W/ap4.err" &&
	grep -q '^klogfwd: log append: 1 record appended, the last line 1; nothing from line 2 on was appended$' \
		"$W/ap4.err" &&
	[ "$(cat /dev/klogfwd/ap4)" = ok ] || return 1

	# a RECORD argument goes to the kernel, which refuses (and counts) it
	"$KLOGFWD" log append ap4 "$(head -c 200 /dev/zero | tr '\0' x)" 2> "$W/ap4-arg.err"
	rc=$?
	cat "$W/ap4-arg.err"
	[ "$rc" = 1 ] &&
	grep -q '^klogfwd: log append: record 1: Message too long: record is larger than max-record$' \
		"$W/ap4-arg.err" || return 1

	# past what one netlink message carries (max-record 1M): not split either
	"$KLOGFWD" log set ap4 max-record 1M || return 1
	{ echo ok2; head -c 70000 /dev/zero | tr '\0' y; echo; } |
		"$KLOGFWD" log append ap4 2> "$W/ap4-net.err"
	rc=$?
	cat "$W/ap4-net.err"
	[ "$rc" = 1 ] &&
	grep -qE '^klogfwd: log append: line 2: Message too long \((more than )?[0-9]+ bytes; at most [0-9]+ fit in a netlink message, max-record of log ap4 is 1048576' \
		"$W/ap4-net.err" &&
	printf 'ok\nok2\n' | cmp - /dev/klogfwd/ap4
}
check "an overlong line stops the import, naming the line and max-record" toolong

full() {
	local rc n line
	"$KLOGFWD" log add ap5 segment-bytes 65536 retain-bytes 131072 max-record 1024 \
		overflow block || return 1
	"$KLOGFWD" target add ap5 log ap5 to 127.0.0.1:9 backoff 1000-1000 || return 1
	{ echo; for line in $(seq 2 5000); do printf '%0150d\n' "$line"; done; } |
		"$KLOGFWD" log append ap5 2> "$W/ap5.err"
	rc=$?
	cat "$W/ap5.err"
	n=$(wc -l < /dev/klogfwd/ap5)
	[ "$rc" = 1 ] &&
	grep -q "^klogfwd: log append: line $((n + 2)): Resource temporarily unavailable: log is full" \
		"$W/ap5.err" &&
	grep -q "^klogfwd: log append: $n records appended, the last line $((n + 1)); 1 empty line skipped; nothing from line $((n + 2)) on was appended\$" \
		"$W/ap5.err" &&
	[ "$(tail -n 1 /dev/klogfwd/ap5)" = "$(printf '%0150d' $((n + 1)))" ]
}
check "a full log (overflow block, EAGAIN) names the line and the records appended" full

# an error the kernel pins on no record: the log deleted between two lines
deleted() {
	local pid rc
	"$KLOGFWD" log add ap7 || return 1
	mkfifo "$W/fifo7" || return 1
	"$KLOGFWD" log append ap7 < "$W/fifo7" 2> "$W/ap7.err" &
	pid=$!
	exec 3> "$W/fifo7"
	printf 'kept\n\n' >&3
	wait_for $((10 * KLF_SLOW)) has ap7 1 || { echo "line 1 not appended"; return 1; }
	"$KLOGFWD" log del ap7 || return 1
	# the CLI may end at "lost", before "lost too" is written (two writes
	# when the shell flushes by line): EPIPE, not a SIGPIPE ending the case
	(trap '' PIPE; printf 'lost\nlost too\n' >&3) 2> /dev/null
	wait "$pid"
	rc=$?
	exec 3>&-
	cat "$W/ap7.err"
	[ "$rc" = 1 ] &&
	grep -q '^klogfwd: log append: line 3: No such file or directory' "$W/ap7.err" &&
	grep -q '^klogfwd: log append: 1 record appended, the last line 1; 1 empty line skipped; nothing from line 3 on was appended$' \
		"$W/ap7.err"
}
check "a log deleted under it: the error names the line and the records appended" deleted

omprog() {
	local port i pid
	command -v rsyslogd > /dev/null || { echo "rsyslogd is not installed"; return 4; }
	ip link set lo up && "$KLOGFWD" log add ap6 || return 1
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$W/rsyslog"
	cat > "$W/rsyslog.conf" <<-CONF
	global(workDirectory="$W/rsyslog")
	module(load="imtcp")
	module(load="omprog")
	template(name="msg" type="string" string="%msg:2:\$%\n")
	ruleset(name="app") {
		action(type="omprog" binary="$KLOGFWD log append ap6" template="msg"
		       output="$W/omprog.out")
	}
	input(type="imtcp" address="127.0.0.1" port="$port" ruleset="app")
	CONF
	rsyslogd -f "$W/rsyslog.conf" -i "$W/rsyslog.pid" > "$W/rsyslogd.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) eval "ss -Hltn 'sport = :$port' | grep -q ." ||
		{ cat "$W/rsyslogd.log"; return 1; }
	for i in 1 2 3 4 5; do
		printf '<13>Dec  4 12:00:00 host app: message %s\n' $i > "/dev/tcp/127.0.0.1/$port" ||
			return 1
		if ! wait_for $((10 * KLF_SLOW)) has ap6 "$i"; then
			echo "message $i is not in the log $((10 * KLF_SLOW)) s after rsyslogd got it"
			cat /dev/klogfwd/ap6 "$W/omprog.out" 2> /dev/null
			return 1
		fi
	done
	pid=$(cat "$W/rsyslog.pid")
	kill "$pid" && wait_for $((10 * KLF_SLOW)) fails kill -0 "$pid" || return 1
	printf 'message %s\n' 1 2 3 4 5 | cmp - /dev/klogfwd/ap6
}
check "rsyslogd's omprog: each message is in the log at once" omprog

# what the operator saw
for f in "$W"/*.err; do
	sed "s|^|# ${f##*/}: |" "$f"
done
ktap_finish
