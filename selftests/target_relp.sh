#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# ack relp: acknowledged delivery to a RELP receiver (issue 17). Against a
# real rsyslogd (imrelp), configured so that its "200 OK" means the record
# is already written: every record arrives byte for byte and in order, and
# counts as acknowledged only then; rsyslogd SIGKILLed and restarted ten
# times mid-stream, the connection reset 6 times or the link down 3 times
# loses nothing (duplicates allowed, each of a resent record). Against relp_peer.py, scripted RELP servers that also check the
# client's side of the protocol: a slow one fills the window and never sees
# more unanswered frames than it allows; a 500, a malformed answer and a
# serverclose each end the session, and the records not answered are sent
# again, first, in a new session whose txnrs start again at 2 (the same
# when the connection is reset from either end under rsyslogd); an open
# refused (500, or without commands=syslog) gets no syslog frame and the
# target retries. A peer that never answers (a frame, or the open) breaks
# the session after timeout. max-frame skips a longer record: counted,
# logged, done.
# Framings and settings that ack relp does not take are refused, naming
# what is wrong.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
source "$(dirname "$0")/relp_lib.sh"
require_module
require_tools
command -v rsyslogd > /dev/null || skip_all "rsyslogd is not installed"
imrelp=
for d in /usr/lib/*/rsyslog /usr/lib/rsyslog; do
	[ -e "$d/imrelp.so" ] && imrelp=$d/imrelp.so
done
[ -n "$imrelp" ] || skip_all "rsyslogd has no imrelp (install rsyslog-relp)"

# python3 -S: the peer needs no site packages, and starting without them
# saves most of a second under TCG
PEER=(/usr/bin/python3 -S "$KLF_TOP/selftests/relp_peer.py")
# what rsyslogd and the peer write, on tmpfs (the run directory is 9p,
# where each small write is a round trip to the host); copied to $WORK
# when a case failed
RD=/tmp/klf-relp.$$
mkdir -p "$RD"
KLF_TEST_LOGS="r1 r2 r3 r4 pl mf ro rk rp"
relp_cleanup() {
	cleanup_targets
	[ "$KTAP_CNT_FAIL" = 0 ] || cp -r "$RD" "$WORK/relp" 2> /dev/null
	rm -rf "$RD"
}
trap relp_cleanup EXIT
# rsyslogd behind a veth pair for the link flaps (made here, not in a
# case: a case runs in a subshell, and the namespaces go with the test)
setup_ns NSR > /dev/null 2>&1 || NSR=

# shellcheck disable=SC2119 # the plan is derived from this file
ktap_plan

# rs_conf NAME PORT: the configuration of the rsyslogd NAME: imrelp on
# 127.0.0.1:PORT, each message's raw text and a newline to $RD/NAME.out. Its
# 200 OK means the message is written: the ruleset's queue is Direct, so
# imrelp's thread runs the action before it answers (with the default main
# queue, FixedArray, imrelp answers once the message is queued: on the
# host, a client that SIGKILLed rsyslogd right after a 200 OK found
# answered messages missing in 7 rounds of 15), and omfile writes at the
# end of each transaction (flushOnTXEnd on; off, 2 rounds of 8 lost
# messages), from that thread (asyncWriting off); with these settings, 0
# rounds of 30 lost one. maxMessageSize keeps its default, 8096, the
# default max-frame.
rs_conf() {
	local addr=${3:-127.0.0.1}
	mkdir -p "$RD/$1.wd"
	cat > "$RD/$1.conf" <<-CONF
	global(workDirectory="$RD/$1.wd")
	module(load="imrelp")
	template(name="raw" type="string" string="%rawmsg%\n")
	ruleset(name="klf" queue.type="Direct") {
		action(type="omfile" file="$RD/$1.out" template="raw"
		       asyncWriting="off" flushOnTXEnd="on")
	}
	input(type="imrelp" address="$addr" port="$2" ruleset="klf")
	CONF
}

# ns_listening NS PORT: a TCP socket listens on PORT in the namespace NS
ns_listening() {
	ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# 1. rsyslogd: every record delivered, byte for byte, in order, and
# acknowledged only once written

n1=$((1000 / KLF_SLOW))
port1=$(free_port)
rs_conf rs1 "$port1"
check "rsyslogd listens with imrelp, its ruleset's queue Direct" rs_start rs1 "$port1"

deliver() {
	"$KLOGFWD" log add r1 &&
	"$PRODUCE" -o /dev/klogfwd/r1 -n $n1 --min 20 --max 8000 --seed 21 --ts 1 > /dev/null &&
	"$KLOGFWD" target add r1 log r1 to "127.0.0.1:$port1" ack relp backoff 100-1s || return 1
	wait_for $((60 * KLF_SLOW)) tstat_is r1 records_acked = $n1 || { show r1; return 1; }
}
check "$n1 records of 20..8000 bytes answered 200 by rsyslogd (records_acked $n1)" deliver

# read as soon as records_acked was n1: rsyslogd wrote each before answering
same() {
	"$PRODUCE" --expect-file "$RD/r1.expect" -n $n1 --min 20 --max 8000 --seed 21 \
		--ts 1 > /dev/null &&
	cmp "$RD/r1.expect" "$RD/rs1.out"
}
check "rsyslogd had written each record once, byte for byte, in order" same

counters1() {
	snap r1
	has relp_sessions = 1 && has relp_last_code = 200 && has relp_resent = 0 &&
	has relp_skipped = 0 && has records_sent = $n1 && has state = established &&
	has acked_offset = $n1 && has relp_window = 128 && has relp_max_frame = 8096
}
check "counters: one session, last code 200, nothing resent or skipped; window 128, max-frame 8096" counters1
"$KLOGFWD" target del r1 2> /dev/null
stop rs1

# 2. rsyslogd SIGKILLed and restarted 10 times (4 on the debug kernel in
# make check, where each kill costs about 6 s; 10 in the long form,
# KLF_LONG=1) while a producer appends at a steady rate. Each time the
# session has delivered step2 records, rsyslogd is stopped (SIGSTOP) wherever it is, maybe between writing a
# record and answering it; once the target is behind (records appended,
# not acknowledged: sent and waiting for an answer, or waiting for room in
# the window), rsyslogd is SIGKILLed and started again. The producer is
# stopped after the last session has delivered step2 records too; the
# log then holds N records (one write() each), the first N of the seeded
# stream.

rate2=$((100 / KLF_SLOW))
step2=$((25 / KLF_SLOW))
n_kills=10
[ "$KLF_SLOW" -gt 1 ] && n_kills=$(klf_long 4 10)
port2=$(free_port)
rs_conf rs2 "$port2"

# rs_stream N PORT: rsyslogd rsN on PORT, the log rN with an ack relp
# target rN to it, and a producer prodN appending the records of seed 2N
# to rN at rate2
rs_stream() {
	rs_start "rs$1" "$2" || return 1
	"$KLOGFWD" log add "r$1" &&
	"$KLOGFWD" target add "r$1" log "r$1" to "127.0.0.1:$2" ack relp backoff 100-500 || return 1
	spawn "prod$1" "$PRODUCE" -o "/dev/klogfwd/r$1" -n 1000000 --min 20 --max 2000 \
		--seed "2$1" --ts 1 --rate $rate2 > /dev/null 2>&1
}

# rs_drained N: the producer prodN stopped, every record of rN acknowledged
# and checked in rsN's file: each at least once, in order once duplicates
# are removed (relp_peer.py dedup's line in $RD/rN.dedup, its last lines
# told); the count of records in RS_N, of duplicates in RS_DUPS, and the
# target's counters in SNAP (snap rN)
rs_drained() {
	stop "prod$1" || return 1
	counter log "r$1" next_offset
	RS_N=$KV
	wait_for $((60 * KLF_SLOW)) tstat_is "r$1" records_acked = "$RS_N" || { show "r$1"; return 1; }
	"$PRODUCE" --expect-file "$RD/r$1.expect" -n "$RS_N" --min 20 --max 2000 --seed "2$1" \
		--ts 1 > /dev/null &&
	"${PEER[@]}" dedup "$RD/r$1.expect" "$RD/rs$1.out" > "$RD/r$1.dedup" || return 1
	sed 's/^/# rsyslogd wrote: /' "$RD/r$1.dedup" | tail -3
	read -r _ _ _ _ _ RS_DUPS _ <<< "$(tail -1 "$RD/r$1.dedup")"
	snap "r$1"
}

kills() {
	local i pid at=0 sent
	rs_stream 2 "$port2" || return 1
	for ((i = 1; i <= n_kills + 1; i++)); do
		if ! wait_for $((30 * KLF_SLOW)) tstat_is r2 records_acked -ge $((at + step2)); then
			echo "# session $i delivers nothing"
			show r2
			return 1
		fi
		[ $i = $((n_kills + 1)) ] && break
		pid=$(_pid_file_alive "$WORK/rs2.bg") || { echo "# rsyslogd rs2 is gone"; return 1; }
		kill -STOP "$pid"
		counter target r2 records_sent
		sent=$KV
		if ! wait_for $((10 * KLF_SLOW)) behind r2 "$sent"; then
			echo "# kill $i: the target is not behind"
			show r2
			kill -CONT "$pid"
			return 1
		fi
		has records_acked -ge 0 > /dev/null
		at=$KV
		stop rs2 KILL || return 1
		rs_start rs2 "$port2" || return 1
	done
	rs_drained 2 || return 1
	echo "$RS_N" > "$RD/r2.n"
}
check "rsyslogd SIGKILLed $n_kills times mid-stream: each record written, in order (duplicates aside)" kills
# the duplicates (records written, SIGKILLed before answering them)
if [ -s "$RD/r2.dedup" ]; then
	sed 's/^/# rsyslogd wrote: /' "$RD/r2.dedup" | tail -5
	snap r2
	has relp_sessions -ge 0 > /dev/null && echo "# target r2: relp_sessions $KV" &&
	has relp_resent -ge 0 > /dev/null && echo "# target r2: relp_resent $KV"
fi

after_kills() {
	local dups n2
	read -r n2 < "$RD/r2.n" || return 1
	# "records N lines L duplicates D torn T"
	read -r _ _ _ _ _ dups _ <<< "$(tail -1 "$RD/r2.dedup")"
	snap r2
	has records_acked = "$n2" && has acked_offset = "$n2" && has relp_sessions -ge $((n_kills + 1)) &&
	has relp_resent -ge "$dups" && { has relp_resent -gt 0 || [ "$dups" = 0 ]; }
}
check "after the kills: all acknowledged, relp_sessions >= $((n_kills + 1)), duplicates only of resent records" after_kills
"$KLOGFWD" target del r2 2> /dev/null
stop rs2

# 2b. the connection reset (ss -K) 6 times while a producer appends, from
# the receiver's end and from the sender's in turn; rsyslogd stays up

port3=$(free_port)
rs_conf rs3 "$port3"

resets() {
	rs_stream 3 "$port3" &&
	reset_loop r3 "$port3" 6 "$step2" || return 1
	rs_drained 3 &&
	has relp_sessions -ge 7 && has reconnects -ge 6 && has relp_resent -ge "$RS_DUPS"
}
check "the connection reset 6 times (3 from each end): each record written, in order (duplicates aside), duplicates only of resent records" resets
"$KLOGFWD" target del r3 2> /dev/null
stop rs3

# 2c. the link down for 2 s, 3 times, while a producer appends, rsyslogd
# in a network namespace behind a veth pair: nothing is acknowledged while
# the link is down (the flap took effect), TCP retransmits across it, and
# every record is written, in order

port4=$(free_port)
rs_conf rs4 "$port4" 10.203.0.2

flaps() {
	local i at=0 a1
	[ -n "$NSR" ] || { skip_case "cannot make a network namespace"; return; }
	modprobe veth 2> /dev/null
	veth_ns "$NSR" klfr0 klfr1 10.203.0 || return 1
	spawn rs4 ip netns exec "$NSR" rsyslogd -n -f "$RD/rs4.conf" -i "$RD/rs4.pid" \
		>> "$RD/rs4.log" 2>&1
	wait_for $((10 * KLF_SLOW)) ns_listening "$NSR" "$port4" ||
		{ echo "# rsyslogd rs4 does not listen"; sed 's/^/#   /' "$RD/rs4.log"; return 1; }
	"$KLOGFWD" log add r4 &&
	"$KLOGFWD" target add r4 log r4 to "10.203.0.2:$port4" ack relp backoff 100-500 || return 1
	spawn prod4 "$PRODUCE" -o /dev/klogfwd/r4 -n 1000000 --min 20 --max 2000 --seed 24 \
		--ts 1 --rate $rate2 > /dev/null 2>&1
	for ((i = 1; i <= 4; i++)); do
		wait_for $((30 * KLF_SLOW)) tstat_is r4 records_acked -ge $((at + step2)) ||
			{ echo "# after flap $((i - 1)): nothing delivered"; show r4; return 1; }
		[ $i = 4 ] && break
		ip link set klfr0 down && nap 0.5 || return 1
		counter target r4 records_acked
		a1=$KV
		nap 1.5
		counter target r4 records_acked
		ip link set klfr0 up || return 1
		[ "$KV" = "$a1" ] || { echo "# flap $i: records acked while the link was down"; return 1; }
		counter target r4 records_acked
		at=$KV
	done
	rs_drained 4 &&
	has records_acked = "$RS_N" && has relp_resent -ge "$RS_DUPS"
}
check "the link down for 2 s 3 times (rsyslogd behind veth): each record written, in order (duplicates aside), duplicates only of resent records" flaps
"$KLOGFWD" target del r4 2> /dev/null
stop rs4

# 3. relp_peer.py: the answers rsyslogd does not give on demand, a server
# each, all in one process. The log pl holds 40 records, all there when
# each target connects, so that a target pipelines them up to its window.

np=40
{ "$KLOGFWD" log add pl && "$KLOGFWD" log add mf &&
  "$PRODUCE" -o /dev/klogfwd/pl -n $np --min 20 --max 200 --seed 31 --ts 1 > /dev/null; } ||
	echo "# the logs pl and mf could not be made"
declare -A pp
for s in ps p500 pjunk psc pbad pnocmd phuge pmute pmo pmf ptx; do
	until p=$(free_port) && [[ " ${pp[*]} " != *" $p "* ]]; do :; done
	pp[$s]=$p
done
# the slow server answers every 50 ms (200 on the debug kernel)
delay=0.05
[ "$KLF_SLOW" = 1 ] || delay=0.2
spawn peer "${PEER[@]}" serve --dir "$RD" "ps:${pp[ps]}:slow:delay=$delay:window=4" \
	"p500:${pp[p500]}:fail:at=5:hold=1" "pjunk:${pp[pjunk]}:junk:at=5:hold=1" \
	"psc:${pp[psc]}:serverclose:at=5:hold=1" "pbad:${pp[pbad]}:badopen" \
	"pnocmd:${pp[pnocmd]}:nocmd" "phuge:${pp[phuge]}:huge" \
	"pmute:${pp[pmute]}:mute:hold=1" "pmo:${pp[pmo]}:muteopen:hold=1" \
	"pmf:${pp[pmf]}:ok:max-frame=100" "ptx:${pp[ptx]}:ok:first=999999994" \
	> "$RD/peer.log" 2> "$RD/peer.err"
wait_for $((10 * KLF_SLOW)) has_line "$RD/peer.log" listening ||
	{ echo "# relp_peer.py did not start:"; sed 's/^/#   /' "$RD/peer.err"; }

# peer_is NAME KEY OP VALUE: a server's counter compares so (for wait_for)
peer_is() {
	kv "$RD/$1.stats" "$2"
	test "$KV" "$3" "$4"
}

# peer NAME KEY VALUE: a server's counter is VALUE, else say what it is
peer() {
	kv "$RD/$1.stats" "$2"
	[ "$KV" = "$3" ] && return 0
	echo "# peer $1: $2 is '$KV', expected $3"
	return 1
}

# peer_show NAME: a server's counters and complaints (a diagnostic)
peer_show() {
	local l s=
	mapfile -t _relp_ps < "$RD/$1.stats"
	for l in "${_relp_ps[@]}"; do
		[[ $l == *" 0" ]] || s+=" $l,"
	done
	echo "# peer $1:$s"
	grep "^$1: " "$RD/peer.err" | head -20 | sed 's/^/# /'
}

slow() {
	"$KLOGFWD" target add ps log pl to "127.0.0.1:${pp[ps]}" ack relp window 4 backoff 100-1s ||
		return 1
	wait_for $((30 * KLF_SLOW)) tstat_is ps records_acked = $np || { peer_show ps; show ps; return 1; }
	peer_show ps
	snap ps
	peer ps errors 0 && peer ps max_outstanding 4 && peer ps records $np && peer ps frames $np &&
	peer ps sessions 1 && peer ps gaps 0 && peer ps last_first_txnr 2 &&
	has relp_window_full -gt 0 && has relp_resent = 0 && has relp_sessions = 1
}
check "slow peer, window 4: 4 frames unanswered at most, and at times; txnrs consecutive; relp_window_full > 0" slow
"$KLOGFWD" target del ps 2> /dev/null

# the planned reconnect at the last txnr: the fault knob relp_txnr has the
# first session open at 999999994, so that its syslog frames are
# 999999995 to 999999999; the target waits for their answers, and the next
# session opens at txnr 1 (the server checks both) with the 6th record.
# Not a failure: no error, no reconnect counted, no backoff; the kernel
# log says why.
txnr_limit() {
	local dm0 left taken said
	echo "1 5" > "$KLF_DFS/fault/relp_txnr" || return 1
	dm0=$(dmesg_mark) || return 1
	"$KLOGFWD" target add ptx log pl to "127.0.0.1:${pp[ptx]}" ack relp backoff 100-1s || return 1
	wait_for $((20 * KLF_SLOW)) tstat_is ptx records_acked = $np ||
		{ peer_show ptx; show ptx; return 1; }
	peer_show ptx
	said=$(dmesg_since "$dm0" | grep -F "klogfwd: target ptx (log pl): ")
	echo "$said" | sed 's/^/# dmesg: /'
	read -r left _ taken < "$KLF_DFS/fault/relp_txnr"
	snap ptx
	[ "$left" = 0 ] && [ "$taken" -ge 1 ] && has reconnects = 0 && has last_error = 0 &&
	grep -q "RELP session with 127.0.0.1:${pp[ptx]} used its last txnr (999999999): starting a new one$" \
		<<< "$said" && ! grep -q "lost\|broken" <<< "$said" &&
	peer ptx errors 0 && peer ptx opens 2 && peer ptx sessions 2 && peer ptx max_txnr 999999999 &&
	peer ptx last_first_txnr 2 && peer ptx records $np && peer ptx dup_acked 0 &&
	peer ptx resent 0 && peer ptx gaps 0 && has relp_sessions = 2 && has relp_resent = 0
}
check "a session opened at txnr 999999994 ends after 999999999, the next opens at 1 at once, no error: none lost, none sent twice" txnr_limit
echo 0 > "$KLF_DFS/fault/relp_txnr"
"$KLOGFWD" target del ptx 2> /dev/null

# broken MODE NAME: the server NAME ends the first session at the 5th
# syslog frame (fail: a 500 for it; junk: a malformed answer to it;
# serverclose: after answering it). The target opens a new session, in
# which it sends the records not answered again, first and in order (the
# server checks), with txnrs from 2. The server answers the new open only
# once the test has seen the target between the two sessions.
broken() {
	local mode=$1 t=$2 code=200 acked=4 resent
	case $mode in
	fail) code=500 ;;
	serverclose) acked=5 ;;
	esac
	"$KLOGFWD" target add "$t" log pl to "127.0.0.1:${pp[$t]}" ack relp backoff 100-1s || return 1
	wait_for $((20 * KLF_SLOW)) peer_is "$t" opens -ge 2 ||
		{ echo "# no second open"; peer_show "$t"; show "$t"; return 1; }
	# between the two sessions: the break counted, nothing more acked
	snap "$t"
	has relp_last_code = $code && has records_acked = $acked && has relp_sessions = 1 || return 1
	touch "$RD/$t.hold"
	wait_for $((20 * KLF_SLOW)) tstat_is "$t" records_acked = $np ||
		{ peer_show "$t"; show "$t"; return 1; }
	peer_show "$t"
	dmesg | grep -F "klogfwd: target $t (log pl): " | tail -3 | sed 's/^/# dmesg: /'
	kv "$RD/$t.stats" resent
	resent=$KV
	snap "$t"
	peer "$t" errors 0 && peer "$t" sessions 2 && peer "$t" records $np &&
	peer "$t" last_first_txnr 2 && peer "$t" dup_acked 0 && peer "$t" gaps 0 &&
	[ "$resent" -ge 1 ] && has relp_resent = "$resent" && has relp_sessions = 2 &&
	has relp_last_code = 200 && has reconnects -ge 1
}
check "peer answers a frame 500: session broken (relp_last_code 500), records not answered resent first, txnrs from 2" broken fail p500
"$KLOGFWD" target del p500 2> /dev/null
check "peer answers a frame with a malformed response: session broken, records not answered resent first" broken junk pjunk
"$KLOGFWD" target del pjunk 2> /dev/null
check "peer sends serverclose: a new session, records not answered resent first, txnrs from 2" broken serverclose psc
"$KLOGFWD" target del psc 2> /dev/null

# refused NAME CODE: the server NAME refuses every open (pbad: 500;
# pnocmd: 200 without commands=syslog; phuge: a response too long to
# take); the target sends no syslog frame,
# opens no session, and tries again
refused_open() {
	local t=$1 code=$2
	"$KLOGFWD" target add "$t" log pl to "127.0.0.1:${pp[$t]}" ack relp backoff 100-200 || return 1
	wait_for $((20 * KLF_SLOW)) peer_is "$t" opens -ge 3 ||
		{ echo "# fewer than 3 opens"; peer_show "$t"; show "$t"; return 1; }
	peer_show "$t"
	dmesg | grep -F "klogfwd: target $t (log pl): " | tail -2 | sed 's/^/# dmesg: /'
	snap "$t"
	peer "$t" errors 0 && peer "$t" frames 0 && peer "$t" sessions 0 &&
	has relp_sessions = 0 && has records_acked = 0 && has records_sent = 0 &&
	has relp_last_code = "$code" && has reconnects -ge 2 &&
	wait_for 5 fails tstat_is "$t" state = established
}
check "peer refuses the open with 500: no syslog frame sent, no session, the target retries" refused_open pbad 500
"$KLOGFWD" target del pbad 2> /dev/null
check "peer's open reply lacks commands=syslog: no syslog frame sent, no session, the target retries" refused_open pnocmd 200
"$KLOGFWD" target del pnocmd 2> /dev/null
# phuge: the open's answer announces 999,999,999 bytes of data and
# streams some: refused at its header (no code parsed), not read on
check "peer answers the open with a 999999999-byte response: the session breaks at its header, the target retries" refused_open phuge 0
"$KLOGFWD" target del phuge 2> /dev/null

# timed_out NAME SECS TXNR SESSIONS: the session with the server NAME
# broke for want of a response to TXNR in SECS (its kernel log line,
# relp_timeouts, ETIMEDOUT, SESSIONS opened); the server holds the next
# opens (each may time out too) until the test has seen this, then answers
# a new session, in which every record arrives, those sent before first
# (the server checks)
timed_out() {
	local t=$1 secs=$2 txnr=$3 sessions=$4 said
	snap "$t"
	has relp_timeouts -ge 1 && has records_acked = 0 && has last_error = 110 &&
	has relp_sessions = "$sessions" || return 1
	said=$(dmesg | grep -F "klogfwd: target $t (log pl): RELP session")
	echo "${said%%$'\n'*}" | sed 's/^/# dmesg: /'
	grep -qE "broken: no response in $secs s \(txnr $txnr\)$" <<< "$said" || return 1
	touch "$RD/$t.hold"
	wait_for $((20 * KLF_SLOW)) tstat_is "$t" records_acked = $np ||
		{ peer_show "$t"; show "$t"; return 1; }
	peer_show "$t"
	snap "$t"
	peer "$t" errors 0 && peer "$t" records $np && peer "$t" gaps 0 && peer "$t" dup_acked 0 &&
	has relp_sessions = $((sessions + 1)) && has relp_last_code = 200
}

# the peer takes the frames and never answers: the session breaks after
# timeout, not before (the kernel log's times of the connection and of the
# break at least 2 s apart)
mute() {
	local t=pmute took
	"$KLOGFWD" target add $t log pl to "127.0.0.1:${pp[$t]}" ack relp timeout 2 backoff 100-1s ||
		return 1
	wait_for $((20 * KLF_SLOW)) tstat_is $t relp_timeouts -ge 1 ||
		{ peer_show $t; show $t; return 1; }
	took=$(dmesg | awk -v p="klogfwd: target $t (log pl): " '
		!index($0, p) { next }
		{ ts = $0; sub(/^\[ */, "", ts); sub(/\].*/, "", ts) }
		/ connected to / { c = ts }
		/ broken: / { printf "%.3f\n", ts - c; exit }')
	echo "# first session broken ${took}s after it connected"
	awk -v s="$took" 'BEGIN { exit !(s >= 2) }' && timed_out $t 2 2 1 &&
	has relp_timeout_s = 2
}
check "peer takes the frames, never answers: the session breaks after timeout 2, ETIMEDOUT; all delivered in the next" mute
"$KLOGFWD" target del pmute 2> /dev/null

# the peer never answers the open; a timeout set meanwhile applies at once
mute_open() {
	local t=pmo
	"$KLOGFWD" target add $t log pl to "127.0.0.1:${pp[$t]}" ack relp timeout 1h backoff 100-1s ||
		return 1
	wait_for $((10 * KLF_SLOW)) peer_is $t opens -ge 1 || { peer_show $t; return 1; }
	nap 1
	snap $t
	has relp_timeouts = 0 && has state = established && has relp_timeout_s = 3600 || return 1
	"$KLOGFWD" target set $t timeout 1 || return 1
	wait_for $((10 * KLF_SLOW)) tstat_is $t relp_timeouts -ge 1 ||
		{ peer_show $t; show $t; return 1; }
	timed_out $t 1 1 0
}
check "peer never answers the open (timeout 1h): target set timeout 1 breaks the session at once; all delivered in the next" mute_open
"$KLOGFWD" target del pmo 2> /dev/null

# 4. max-frame: a record whose payload is longer is skipped, counted, told
# in the kernel log, and done with the records around it
# mon_seen: the monitor has joined (it reports the paused target mfm toggled)
mon_seen() {
	"$KLOGFWD" target set mfm resume && "$KLOGFWD" target set mfm pause &&
	grep -q "^target mfm " "$RD/mon.txt"
}

# skipped_told N: the monitor's relp-skipped events of the target mf add up to N
skipped_told() {
	[ "$(awk '/^target mf .* relp-skipped count [0-9]+$/ { s += $NF } END { print s + 0 }' \
		"$RD/mon.txt")" = "$1" ]
}

max_frame() {
	local dm0 said
	"$KLOGFWD" target add mfm log mf to 127.0.0.1:9 paused || return 1
	spawn mfmon "$KLOGFWD" monitor > "$RD/mon.txt" 2>&1
	wait_for $((10 * KLF_SLOW)) mon_seen && "$KLOGFWD" target del mfm ||
		{ echo "# the monitor did not join"; return 1; }
	dm0=$(dmesg_mark) || return 1
	"$PRODUCE" -o /dev/klogfwd/mf -n 1 --seq-start 0 --min 50 --max 50 --ts 1 > /dev/null &&
	"$PRODUCE" -o /dev/klogfwd/mf -n 1 --seq-start 1 --min 150 --max 150 --ts 1 > /dev/null &&
	"$PRODUCE" -o /dev/klogfwd/mf -n 1 --seq-start 2 --min 60 --max 60 --ts 1 > /dev/null &&
	"$PRODUCE" --expect-file "$RD/mf.0" -n 1 --seq-start 0 --min 50 --max 50 --ts 1 &&
	"$PRODUCE" --expect-file "$RD/mf.2" -n 1 --seq-start 2 --min 60 --max 60 --ts 1 &&
	cat "$RD/mf.0" "$RD/mf.2" > "$RD/mf.expect" || return 1
	"$KLOGFWD" target add mf log mf to "127.0.0.1:${pp[pmf]}" ack relp max-frame 100 \
		backoff 100-1s || return 1
	wait_for $((20 * KLF_SLOW)) tstat_is mf records_acked = 3 || { peer_show pmf; show mf; return 1; }
	said=$(dmesg_since "$dm0" | grep -F "klogfwd: target mf (log mf): ")
	[ -z "$said" ] || echo "# dmesg: ${said//$'\n'/$'\n'# dmesg: }"
	snap mf
	cmp "$RD/mf.expect" "$RD/pmf.out" && peer pmf errors 0 && peer pmf records 2 &&
	peer pmf max_datalen 60 && has relp_skipped = 1 && has records_sent = 2 &&
	has acked_offset = 3 && grep -q "record 1 .*max-frame 100" <<< "$said" &&
	wait_for $((5 * KLF_SLOW)) skipped_told 1 ||
		{ echo "# monitor:"; sed 's/^/#   /' "$RD/mon.txt"; return 1; }
	# the last record too long: done, with nothing after it to answer
	"$PRODUCE" -o /dev/klogfwd/mf -n 1 --seq-start 3 --min 300 --max 300 --ts 1 > /dev/null ||
		return 1
	wait_for $((20 * KLF_SLOW)) tstat_is mf records_acked = 4 || { peer_show pmf; show mf; return 1; }
	snap mf
	has relp_skipped = 2 && has acked_offset = 4 && peer pmf frames 2 &&
	wait_for $((5 * KLF_SLOW)) skipped_told 2 ||
		{ echo "# monitor:"; sed 's/^/#   /' "$RD/mon.txt"; return 1; }
}
check "max-frame 100: the 50- and 60-byte records delivered, the 150-byte one skipped, logged, told to the monitor, done" max_frame
"$KLOGFWD" target del mf 2> /dev/null
stop mfmon
stop peer

# 5. what ack relp refuses (paused targets: no connection is made)

{ "$KLOGFWD" log add ro framing octet && "$KLOGFWD" log add rk framing klf &&
  "$KLOGFWD" log add rp; } || echo "# the logs ro, rk and rp could not be made"
refused "ack relp on an octet-framed log: refused, naming the framing" 'octet' \
	"$KLOGFWD" target add x log ro to 127.0.0.1:9 ack relp paused
refused "ack relp on a klf-framed log: refused, naming the framing" 'klf' \
	"$KLOGFWD" target add x log rk to 127.0.0.1:9 ack relp paused

# no_target CMD...: CMD fails (1: the kernel refused, 2: the CLI) with a
# message matching $re, and there is no target x
no_target() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if { [ $rc != 1 ] && [ $rc != 2 ]; } || ! grep -qE "$re" <<< "$out"; then
		echo "# '$*': exit $rc: $out"
		return 1
	fi
	! "$KLOGFWD" target show x > /dev/null 2>&1 || { echo "# target x exists"; return 1; }
}

# set_refused TARGET SETTING...: target set fails (1 or 2) with a message
# matching $re, and the target's settings stay as they were
set_refused() {
	local out rc before
	before=$("$KLOGFWD" target show "$1")
	out=$("$KLOGFWD" target set "$@" 2>&1)
	rc=$?
	if { [ $rc != 1 ] && [ $rc != 2 ]; } || ! grep -qE "$re" <<< "$out"; then
		echo "# 'target set $*': exit $rc: $out"
		return 1
	fi
	[ "$("$KLOGFWD" target show "$1")" = "$before" ] ||
		{ echo "# target set $*: settings changed"; return 1; }
}

out_of_range() {
	local add=("$KLOGFWD" target add x log rp to 127.0.0.1:9 ack relp) re
	re='window' no_target "${add[@]}" window 0 paused &&
	re='window' no_target "${add[@]}" window 1025 paused &&
	re='max-frame' no_target "${add[@]}" max-frame 15 paused &&
	re='max-frame' no_target "${add[@]}" max-frame 1048577 paused &&
	re='timeout' no_target "${add[@]}" timeout 86401 paused &&
	"${add[@]}" window 1024 max-frame 1M timeout 24h paused &&
	re='window' set_refused x window 0 &&
	re='max-frame' set_refused x max-frame 15 &&
	re='timeout' set_refused x timeout 25h || return 1
	snap x
	has relp_timeout_s = 86400 || return 1
	"$KLOGFWD" target set x window 1 max-frame 16 timeout 0 || return 1
	snap x
	has relp_window = 1 && has relp_max_frame = 16 && has relp_timeout_s = 0 &&
	"$KLOGFWD" target show x | grep -q ' window 1 max-frame 16 timeout 0 ' &&
	"$KLOGFWD" target del x
}
check "window 0 and 1025, max-frame 15 and 1048577, timeout over 24h refused naming the setting; 1..1024, 16..1M, 0..24h taken" out_of_range

# the same values through the kernel's YNL library, in one process: the
# kernel's policy refuses them, not only klogfwd's parser (the spec is not
# validated against the schema: ynl_cli.sh does, and it costs seconds
# under TCG)
ynl_range() {
	local ynl=$KLF_TOP/build/ksrc/tools/net/ynl
	[ -f "$ynl/lib/ynl.py" ] || { skip_case "the kernel's YNL library is not extracted (make ksrc)"; return; }
	# (a skip as skip_case says it: python3-yaml missing)
	/usr/bin/python3 - "$ynl" "$KLF_TOP/Documentation/netlink/specs/klogfwd.yaml" <<-'PY'
	import sys
	try:
	    import yaml
	except ImportError:
	    print('klf-skip: python3-yaml missing')
	    sys.exit(4)
	sys.path.insert(0, sys.argv[1])
	from lib import YnlFamily, NlError
	# libyaml's parser, where there is one: seconds less under TCG
	if hasattr(yaml, 'CSafeLoader'):
	    yaml.safe_load = lambda s: yaml.load(s, Loader=yaml.CSafeLoader)
	ynl = YnlFamily(sys.argv[2], '')
	base = {'name': 'x', 'log': 'rp', 'ipv4': 0x7f000001, 'port': 9, 'ack': 'relp', 'paused': 1}
	bad = 0
	for attr, v in (('relp-window', 0), ('relp-window', 1025),
	                ('relp-max-frame', 15), ('relp-max-frame', 1048577),
	                ('relp-timeout-s', 86401)):
	    try:
	        ynl.do('target-new', dict(base, **{attr: v}))
	        print('# %s %d: taken' % (attr, v))
	        ynl.do('target-del', {'name': 'x'})
	        bad += 1
	    except NlError as e:
	        if attr not in str(e):
	            print('# %s %d: refused, but not naming it: %s' % (attr, v, e))
	            bad += 1
	ynl.do('target-new', dict(base, **{'relp-window': 1024, 'relp-max-frame': 1048576,
	                                   'relp-timeout-s': 86400}))
	ynl.do('target-del', {'name': 'x'})
	sys.exit(bad)
	PY
}
check "the kernel refuses relp-window 0 and 1025, relp-max-frame 15 and 1048577, relp-timeout-s 86401; takes 1024, 1048576, 86400 (YNL)" ynl_range

not_tcp() {
	local add=("$KLOGFWD" target add x log rp to 127.0.0.1:9) re
	re='window' no_target "${add[@]}" window 8 paused &&
	re='window' no_target "${add[@]}" ack tcp window 8 paused &&
	re='max-frame' no_target "${add[@]}" ack tcp max-frame 100 paused &&
	re='timeout' no_target "${add[@]}" ack tcp timeout 5 paused &&
	"${add[@]}" ack tcp paused &&
	re='window' set_refused x window 8 &&
	re='max-frame' set_refused x max-frame 100 &&
	re='timeout' set_refused x timeout 5 &&
	"$KLOGFWD" target del x
}
check "window, max-frame and timeout refused on an ack tcp target (add and set)" not_tcp

ktap_finish
