#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Notifications on the monitor group, seen by "klogfwd monitor": segments
# rolled and deleted, records dropped, a dir log recovered, producers
# blocked by overflow block (and stats blocked), and a target's state
# changes (backoff with its error, established, lost with its reason kept
# apart from the retry error, paused), with the lines the kernel log gets
# for them. Joining the group needs CAP_NET_ADMIN.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="mon mondir monb"
trap 'cleanup_targets; rm -rf "$DIRW"' EXIT
M=$WORK/monitor.json

ktap_plan

# toggle a paused probe target until the monitor reports it: then it has
# joined the group, and no later event can be missed
probe_seen() {
	"$KLOGFWD" target set probe resume && "$KLOGFWD" target set probe pause &&
	grep -q '"name": *"probe"' "$1"
}

start() {
	"$KLOGFWD" log add mon segment-bytes 4096 retain-bytes 8192 max-record 1000 &&
	"$KLOGFWD" target add probe log mon to 127.0.0.1:9 paused || return 1
	spawn monitor "$KLOGFWD" -j monitor > "$M" 2> "$WORK/monitor.err"
	wait_for 10 probe_seen "$M" && "$KLOGFWD" target del probe
}
check "klogfwd -j monitor subscribes" start

has() { # has JSON-REGEX...: each pattern on some line of the monitor's output
	local re
	for re in "$@"; do
		wait_for 10 grep -qE "$re" "$M" || { echo "# no event matching $re"; sed 's/^/#   /' "$M" | tail -20; return 1; }
	done
}

segments() {
	"$KLOGFWD" target add mont log mon to 127.0.0.1:9 backoff 5000-5000 &&
	"$PRODUCE" -o /dev/klogfwd/mon -n 200 --min 100 --max 200 > /dev/null &&
	has '"type": *"log".*"name": *"mon".*"event": *"segment-rolled"' \
	    '"name": *"mon".*"event": *"segment-deleted"' \
	    '"name": *"mon".*"event": *"records-dropped".*"count": *[1-9]'
}
check "segment-rolled, segment-deleted and records-dropped events" segments

refused() {
	has '"type": *"target".*"name": *"mont".*"state": *"backoff".*"last_error": *111'
}
check "a refused connection: target event with state backoff and ECONNREFUSED" refused

# a target waiting out a backoff (30 to 60 s here) connects at once when
# resumed; without that, resume waited the backoff out
resume_now() {
	"$KLOGFWD" target add monr log mon to 127.0.0.1:9 backoff 60s-60s &&
	wait_for $((10 * KLF_SLOW)) tstat_is monr reconnects = 1 || return 1
	"$KLOGFWD" target set monr resume || return 1
	wait_for $((5 * KLF_SLOW)) tstat_is monr reconnects = 2 ||
		{ echo "# reconnects $(tstat monr reconnects), $((5 * KLF_SLOW)) s after resume"; return 1; }
	"$KLOGFWD" target del monr
}
check "resume of a target in backoff connects now" resume_now

# dmesg_count TEXT: lines of the kernel log holding TEXT
dmesg_count() {
	dmesg | grep -cF -- "$1"
}

# the receiver goes: the lost connection's reason stays in last-disconnect
# while the refused retries set last-error; the kernel log tells the
# connection, its loss and the first failed retry (refused, or reset while
# the receiver exits), not the next ones
established() {
	local port out err='-(E[A-Z]+|[0-9]+)'
	port=$(free_port)
	recv_start mon -l "127.0.0.1:$port" -f lf -t 60 &&
	"$KLOGFWD" target add mon2 log mon to "127.0.0.1:$port" backoff 20-40 &&
	has '"name": *"mon2".*"state": *"established"' || return 1
	kill "$PID_mon"
	# last-error 111 (ECONNREFUSED), last-disconnect another errno
	has '"name": *"mon2".*"state": *"backoff".*"last_error": *111,.*"last_error_time": *[1-9][0-9]*,"last_disconnect": *([1-9]|[1-9][0-9]|10[0-9]|11[02-9]|1[2-9][0-9]),"last_disconnect_time": *[1-9]' &&
	wait_for $((10 * KLF_SLOW)) tstat_is mon2 reconnects -ge 5 || return 1
	"$KLOGFWD" target set mon2 pause &&
	has '"name": *"mon2".*"state": *"paused"' || return 1
	out=$("$KLOGFWD" target show mon2) || return 1
	echo "$out" | grep -qE " last-error 111 \(ECONNREFUSED: [^)]*\) .* last-error-time [1-9][0-9]* \([0-9ms]+ ago\)" &&
	echo "$out" | grep -qE " last-disconnect [1-9][0-9]* \(E[A-Z]+: [^)]*\) last-disconnect-time [1-9][0-9]* \([0-9ms]+ ago\)" ||
		{ echo "$out" | sed 's/^/# show: /'; return 1; }
	dmesg | grep -E "klogfwd: target mon2 " | sed 's/^/# dmesg: /'
	# each connection with its loss: usually one, but a retry 20-40 ms
	# after the loss can still reach the dying receiver's listener (its
	# socket is released after the connection's): a second connection,
	# reset when the listener goes, and told as such
	local conn lost
	conn=$(dmesg_count "klogfwd: target mon2 (log mon): connected to 127.0.0.1:$port")
	lost=$(dmesg | grep -cE "klogfwd: target mon2 \(log mon\): connection to 127\.0\.0\.1:$port lost: $err\$")
	[ "$conn" -ge 1 ] && [ "$conn" -le 2 ] && [ "$lost" = "$conn" ] &&
	[ "$(dmesg | grep -cE "klogfwd: target mon2 \(log mon\): cannot connect to 127\.0\.0\.1:$port: $err; retrying quietly\$")" = 1 ]
}
check "established, lost (last-disconnect apart from last-error, dmesg), paused" established
# after a failure too: its 20-40 ms retries would fill the later cases' events
"$KLOGFWD" target set mon2 pause 2>/dev/null


# the namespace's total of a counter, from "klogfwd -j stats"
nstat() {
	"$KLOGFWD" -j stats | jq -e ".$1"
}

# two producers held back by overflow block: one producer-blocked event
# for the episode, however many writers wait and wake (a log set wakes
# them all); stats blocked counts each append that waited, in the log and
# in the namespace's total, which keeps it after the log is deleted; once
# the producers went through without waiting, the next wait is a new
# episode
blocked() {
	local p1 p2 n ns
	ns=$(nstat blocked) || return 1
	"$KLOGFWD" log add monb segment-bytes 4096 retain-bytes 8192 max-record 1000 overflow block &&
	"$KLOGFWD" target add monbt log monb to 127.0.0.1:9 backoff 60s-60s || return 1
	spawn monb1 "$PRODUCE" -o /dev/klogfwd/monb -n 100 --min 200 --max 300 > /dev/null 2>&1
	p1=$SPAWNED
	spawn monb2 "$PRODUCE" -o /dev/klogfwd/monb -n 100 --min 200 --max 300 > /dev/null 2>&1
	p2=$SPAWNED
	has '"name": *"monb".*"event": *"producer-blocked".*"count": *1' || return 1
	wait_for 10 lstat_is monb blocked = 2 || { echo "# blocked $(lstat monb blocked)"; return 1; }
	"$KLOGFWD" log set monb sync none && "$KLOGFWD" log set monb sync none || return 1
	nap 0.5
	n=$(grep -c '"producer-blocked"' "$M")
	[ "$n" = 1 ] || { echo "# $n producer-blocked events for one episode"; return 1; }
	[ "$(lstat monb blocked)" = 2 ] && [ "$(lstat monb rejected_full)" = 0 ] || return 1
	"$KLOGFWD" log show monb | grep -qE "^    .* blocked 2( |\$)" ||
		{ "$KLOGFWD" log show monb | sed 's/^/# /'; return 1; }
	n=$(nstat blocked) && [ "$n" = $((ns + 2)) ] ||
		{ echo "# stats blocked $n, $ns before"; return 1; }
	# the target goes: the producers go through; another comes: a new episode
	"$KLOGFWD" target del monbt && wait $p1 && wait $p2 || return 1
	"$KLOGFWD" target add monbt log monb to 127.0.0.1:9 backoff 60s-60s || return 1
	spawn monb3 "$PRODUCE" -o /dev/klogfwd/monb -n 100 --min 200 --max 300 > /dev/null 2>&1
	p1=$SPAWNED
	has '"name": *"monb".*"event": *"producer-blocked".*"count": *3' || return 1
	kill $p1
	"$KLOGFWD" target del monbt || return 1
	wait $p1
	"$KLOGFWD" log del monb && n=$(nstat blocked) && [ "$n" = $((ns + 3)) ] ||
		{ echo "# stats blocked $n after log del, $ns before"; return 1; }
}
check "overflow block: one producer-blocked event per episode, stats blocked" blocked
"$KLOGFWD" target del monbt 2>/dev/null
stop monb1; stop monb2; stop monb3

recovered() {
	mkdir -p "$DIRW/mondir" &&
	"$KLOGFWD" log add mondir dir "$DIRW/mondir" && "$KLOGFWD" log append mondir a b c &&
	"$KLOGFWD" log del mondir && "$KLOGFWD" log add mondir dir "$DIRW/mondir" &&
	has '"name": *"mondir".*"event": *"recovered".*"count": *3'
}
check "a recovered dir log: recovered event with its record count" recovered

# append until the monitor, which may still be joining, has seen an event
produce_until_exit() {
	"$PRODUCE" -o /dev/klogfwd/mon -n 40 --min 150 --max 200 > /dev/null
	! kill -0 "$1" 2>/dev/null
}

text() {
	local pid
	# mont, refused every 5 s, would report its backoff: only log events
	# may come now
	"$KLOGFWD" target del mont || return 1
	timeout $((20 * KLF_SLOW)) "$KLOGFWD" monitor count 1 > "$WORK/mon.txt" &
	pid=$!
	wait_for $((20 * KLF_SLOW)) produce_until_exit $pid || return 1
	wait $pid &&
	grep -qE '^log mon (segment-rolled|segment-deleted|records-dropped) count [0-9]+$' "$WORK/mon.txt" && return 0
	sed 's/^/# got: /' "$WORK/mon.txt"
	return 1
}
check "text output: one line per event, count N exits" text

# "time": each event with the local time it came, ISO 8601 to the
# microsecond, within a few seconds of the clock; in JSON a "time" member
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}[+-][0-9]{2}:[0-9]{2}'
timed() {
	local pid ts age
	timeout $((20 * KLF_SLOW)) "$KLOGFWD" monitor time count 1 > "$WORK/mon-t.txt" &
	pid=$!
	wait_for $((20 * KLF_SLOW)) produce_until_exit $pid || return 1
	wait $pid &&
	grep -qE "^$TS log mon (segment-rolled|segment-deleted|records-dropped) count [0-9]+$" \
		"$WORK/mon-t.txt" || { sed 's/^/# got: /' "$WORK/mon-t.txt"; return 1; }
	ts=$(cut -d' ' -f1 "$WORK/mon-t.txt")
	age=$(( $(date +%s) - $(date -d "$ts" +%s) ))
	[ $age -ge 0 ] && [ $age -le $((10 * KLF_SLOW)) ] || { echo "# $ts is $age s old"; return 1; }
	timeout $((20 * KLF_SLOW)) "$KLOGFWD" -j monitor count 1 time > "$WORK/mon-t.json" &
	pid=$!
	wait_for $((20 * KLF_SLOW)) produce_until_exit $pid || return 1
	wait $pid &&
	grep -qE "^\{\"type\":\"log\",\"time\":\"$TS\",\"name\":\"mon\"," "$WORK/mon-t.json" ||
		{ sed 's/^/# got: /' "$WORK/mon-t.json"; return 1; }
}
check "monitor time: each event with its local time (text and JSON)" timed

nobody() {
	local rc
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all -- "$KLOGFWD" monitor count 1 > "$WORK/nobody.out" 2>&1
	rc=$?
	cat "$WORK/nobody.out"
	[ $rc = 1 ] && grep -q "not permitted" "$WORK/nobody.out"
}
check "nobody cannot join the monitor group (EPERM)" nobody

ktap_finish
