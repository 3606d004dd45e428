#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12 rt
#
# ack relp over tls: RELP to a real rsyslogd whose imrelp speaks TLS
# (librelp with GnuTLS, tls.authMode "name": it asks for a client
# certificate and takes only the name it permits), the handshake done by
# klogfwd-tlsd through the kernel's upcall, the RELP responses read through
# kernel TLS. Every record arrives byte for byte and in order and counts as
# acknowledged only once written (ruleset queue Direct, as in
# target_relp.sh), a last record of 100 bytes and a log of short lines
# too; a target without a client certificate is refused by imrelp (its
# alert ends each connection): no session, nothing written; the connection
# reset 3 times mid-stream, and rsyslogd SIGKILLed and restarted
# mid-stream, lose nothing (duplicates only of resent records), each
# connection a new TLS handshake. On 6.1 (no handshake upcall) there is
# no tls target to test (target_tls.sh checks the refusal).
#
# A frame queued with MSG_MORE and nothing after it (a record of at most
# KLF_RELP_COPY_MAX bytes goes so, copied behind its header) sits in
# kernel TLS's open record, which pushing TCP (tcp_sock_set_cork) does not
# send: the cases of a last short record and of short lines failed every
# time before the sender closed that record too (klf_tls_push()), and the
# streams below end on a short record.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
source "$(dirname "$0")/relp_lib.sh"
require_module
require_tools
grep -qw tls_client_hello_anon /proc/kallsyms ||
	skip_all "no TLS handshake upcall in this kernel (tls needs 6.5 or newer)"
TLSD=${TLSD:-$KLF_TOP/build/tools/klogfwd-tlsd}
[ -x "$TLSD" ] || skip_all "klogfwd-tlsd not built (make -C tools)"
for c in rsyslogd openssl; do
	command -v $c > /dev/null || skip_all "$c is not installed"
done
imrelp=
for d in /usr/lib/*/rsyslog /usr/lib/rsyslog; do
	[ -e "$d/imrelp.so" ] && imrelp=$d/imrelp.so
done
[ -n "$imrelp" ] || skip_all "rsyslogd has no imrelp (install rsyslog-relp)"

PEER=(/usr/bin/python3 -S "$KLF_TOP/selftests/relp_peer.py")
# rsyslogd's files and the certificates, on tmpfs (as in target_relp.sh);
# copied to $WORK when a case failed
RD=/tmp/klf-relptls.$$
C=$RD/tls
mkdir -p "$C"
KLF_TEST_LOGS="r1 r2 r3 r4"
relp_cleanup() {
	cleanup_targets
	[ "$KTAP_CNT_FAIL" = 0 ] || cp -r "$RD" "$WORK/relptls" 2> /dev/null
	rm -rf "$RD"
}
trap relp_cleanup EXIT

# shellcheck disable=SC2119 # the plan is derived from this file
ktap_plan

# val KEY: SNAP's KEY, printed (a diagnostic)
val() {
	has "$1" = '' > /dev/null
	echo "$KV"
}

# diag N PORT: the TCP connections of PORT (both ends, their queues, the
# process of each) and the log of rsyslogd rsN (a diagnostic)
diag() {
	ss -tanpi "( sport = :$2 or dport = :$2 )" | sed 's/^/# ss: /'
	sed 's/^/# rs$1.log: /' "$RD/rs$1.log" | tail -8
}

# A CA, a server certificate for logs.test and 127.0.0.1, and a client
# certificate for klogfwd-client, all from that CA
certs() {
	local name
	echo 'subjectAltName=DNS:logs.test,IP:127.0.0.1' > "$C/san.ext"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$C/ca.key" -out "$C/ca.pem" -days 2 \
		-subj "/CN=klogfwd test ca" 2> /dev/null || return 1
	for name in srv client; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$C/$name.key" -out "$C/$name.csr" -subj "/CN=klogfwd-$name" \
			2> /dev/null || return 1
	done
	openssl x509 -req -in "$C/srv.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -out "$C/srv.pem" -extfile "$C/san.ext" 2> /dev/null &&
	openssl x509 -req -in "$C/client.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -out "$C/client.pem" 2> /dev/null
}

# what an ack relp tls target to rsyslogd gives
TLS=(ack relp tls peername logs.test cert "$C/client.pem" key "$C/client.key")

# rs_conf NAME PORT: the rsyslogd NAME: imrelp with TLS on 127.0.0.1:PORT
# (GnuTLS; the server certificate; a client certificate from the CA, for
# the name klogfwd-client, required), each message's raw text and a
# newline to $RD/NAME.out; its 200 OK means written (target_relp.sh's
# rs_conf says why)
rs_conf() {
	mkdir -p "$RD/$1.wd"
	cat > "$RD/$1.conf" <<-CONF
	global(workDirectory="$RD/$1.wd")
	module(load="imrelp" tls.tlslib="gnutls")
	template(name="raw" type="string" string="%rawmsg%\n")
	ruleset(name="klf" queue.type="Direct") {
		action(type="omfile" file="$RD/$1.out" template="raw"
		       asyncWriting="off" flushOnTXEnd="on")
	}
	input(type="imrelp" address="127.0.0.1" port="$2" ruleset="klf" tls="on"
	      tls.cacert="$C/ca.pem" tls.mycert="$C/srv.pem" tls.myprivkey="$C/srv.key"
	      tls.authMode="name" tls.permittedPeer="klogfwd-client")
	CONF
}

agent_start() {
	spawn tlsd "$TLSD" --ca "$C/ca.pem" > "$RD/tlsd.out" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) has_line "$RD/tlsd.out" ready ||
		{ echo "# the agent is not ready"; sed 's/^/#   /' "$RD/tlsd.out"; return 1; }
}

# 1. rsyslogd's imrelp with TLS: every record delivered, byte for byte, in
# order, and acknowledged only once written

n1=$((1500 / KLF_SLOW))
port1=$(free_port)

start() {
	certs || { echo "# the certificates could not be made"; return 1; }
	rs_conf rs1 "$port1"
	agent_start && rs_start rs1 "$port1"
}
check "rsyslogd listens with imrelp over TLS (GnuTLS, client certificates by name); the agent ready" start

deliver() {
	"$KLOGFWD" log add r1 &&
	"$PRODUCE" -o /dev/klogfwd/r1 -n $n1 --min 20 --max 4000 --seed 41 --ts 1 > /dev/null &&
	"$KLOGFWD" target add r1 log r1 to "127.0.0.1:$port1" "${TLS[@]}" backoff 100-1s || return 1
	wait_for $((60 * KLF_SLOW)) tstat_is r1 records_acked = $n1 || { show r1; return 1; }
	snap r1
	has tls_handshakes -ge 1 && has relp_sessions -ge 1
}
check "$n1 records of 20..4000 bytes over ack relp tls answered 200 by rsyslogd (records_acked $n1)" deliver

# read as soon as records_acked was n1: rsyslogd wrote each before answering
same() {
	"$PRODUCE" --expect-file "$RD/r1.expect" -n $n1 --min 20 --max 4000 --seed 41 \
		--ts 1 > /dev/null &&
	cmp "$RD/r1.expect" "$RD/rs1.out"
}
check "rsyslogd had written each record once, byte for byte, in order" same

counters1() {
	snap r1
	has tls_handshakes = 1 && has tls_failures = 0 && has relp_sessions = 1 &&
	has reconnects = 0 && has relp_last_code = 200 && has relp_resent = 0 &&
	has records_sent = $n1 && has acked_offset = $n1 && has state = established &&
	has tls_version = 1.3 ||
		{ show r1; return 1; }
	"$KLOGFWD" target show r1 | grep -q ' ack relp .*tls peername logs.test cert ' ||
		{ show r1; return 1; }
}
check "counters: one TLS 1.3 handshake, one RELP session, last code 200, nothing resent" counters1

# A record of at most KLF_RELP_COPY_MAX (512) bytes goes copied behind its
# frame's header, with MSG_MORE; when nothing follows, the sender must
# push it out of kernel TLS's open record too, not only out of TCP, or
# rsyslogd never sees the frame and never answers it
small_last() {
	"$PRODUCE" -o /dev/klogfwd/r1 -n 1 --seq-start $n1 --min 100 --max 100 --ts 1 \
		> /dev/null &&
	"$PRODUCE" --expect-file "$RD/r1.last" -n 1 --seq-start $n1 --min 100 --max 100 \
		--ts 1 > /dev/null || return 1
	if ! wait_for $((10 * KLF_SLOW)) tstat_is r1 records_acked = $((n1 + 1)); then
		show r1
		diag 1 "$port1"
		echo "# rsyslogd wrote $(wc -l < "$RD/rs1.out") records"
		return 1
	fi
	cat "$RD/r1.expect" "$RD/r1.last" | cmp - "$RD/rs1.out"
}
check "a last record of 100 bytes (copied behind its header) is answered and written too" small_last
"$KLOGFWD" target del r1 2> /dev/null

# Short lines, as syslog's mostly are: 300 records of 60..120 bytes, all
# there when the target connects. A full window of their frames (128)
# fits one TLS record: the frames must still leave then, or none is ever
# answered
short_lines() {
	local size0 want
	size0=$(stat -c %s "$RD/rs1.out") &&
	"$KLOGFWD" log add r4 &&
	"$PRODUCE" -o /dev/klogfwd/r4 -n 300 --min 60 --max 120 --seed 44 --ts 1 > /dev/null &&
	"$PRODUCE" --expect-file "$RD/r4.expect" -n 300 --min 60 --max 120 --seed 44 --ts 1 \
		> /dev/null &&
	"$KLOGFWD" target add r4 log r4 to "127.0.0.1:$port1" "${TLS[@]}" backoff 100-1s || return 1
	if ! wait_for $((10 * KLF_SLOW)) tstat_is r4 records_acked = 300; then
		show r4
		echo "# rsyslogd wrote $((($(stat -c %s "$RD/rs1.out") - size0))) bytes of them"
		return 1
	fi
	want=$(stat -c %s "$RD/r4.expect")
	[ "$(stat -c %s "$RD/rs1.out")" = $((size0 + want)) ] &&
	tail -c "$want" "$RD/rs1.out" | cmp - "$RD/r4.expect"
}
check "300 records of 60..120 bytes (a full window in one TLS record) all answered and written" short_lines
"$KLOGFWD" target del r4 2> /dev/null

# A target without a client certificate: imrelp's handshake fails once it
# sees none, and its alert ends the connection (in TLS 1.3 the client is
# done with the handshake before the server checks, so the target may
# have sent its open): no session opened, nothing acknowledged, nothing
# written, and the target tries again
nocert() {
	local size
	size=$(stat -c %s "$RD/rs1.out") || return 1
	"$KLOGFWD" target add r0 log r1 to "127.0.0.1:$port1" ack relp tls peername logs.test \
		backoff 100-500 || return 1
	wait_for $((20 * KLF_SLOW)) tstat_is r0 reconnects -ge 2 || { show r0; return 1; }
	snap r0
	echo "# without a client certificate: last_error $(val last_error)," \
	     "tls_handshakes $(val tls_handshakes), tls_failures $(val tls_failures)," \
	     "records_sent $(val records_sent), bytes_sent $(val bytes_sent)"
	has relp_sessions = 0 && has records_acked = 0 && has acked_offset = 0 &&
	has last_error -gt 0 && [ "$(stat -c %s "$RD/rs1.out")" = "$size" ] &&
	grep -q "peer did not provide a certificate" "$RD/rs1.log" ||
		{ show r0; sed 's/^/#   /' "$RD/rs1.log" | tail -5; return 1; }
	"$KLOGFWD" target del r0
}
check "no client certificate: imrelp refuses it, no RELP session, nothing acknowledged or written, the target retries" nocert
"$KLOGFWD" target del r0 2> /dev/null
stop rs1

# 2. the connection reset, and rsyslogd SIGKILLed, while a producer appends
# at a steady rate; each session delivers step records before the next
# fault. The log then holds N records (one write() each), the first N of
# the seeded stream.

rate=$((100 / KLF_SLOW))
step=$((25 / KLF_SLOW))

# rs_stream N PORT: rsyslogd rsN on PORT, the log rN with an ack relp tls
# target rN to it, and a producer prodN appending the records of seed 4N
# to rN at rate
rs_stream() {
	rs_conf "rs$1" "$2"
	rs_start "rs$1" "$2" || return 1
	"$KLOGFWD" log add "r$1" &&
	"$KLOGFWD" target add "r$1" log "r$1" to "127.0.0.1:$2" "${TLS[@]}" backoff 100-500 ||
		return 1
	spawn "prod$1" "$PRODUCE" -o "/dev/klogfwd/r$1" -n 1000000 --min 20 --max 2000 \
		--seed "4$1" --ts 1 --rate $rate > /dev/null 2>&1
}

# rs_drained N PORT: the producer prodN stopped, a last record of 50
# bytes appended (copied behind its header and queued with MSG_MORE: it
# must still leave kernel TLS's open record), every record of rN
# acknowledged and checked in rsN's file: each at least once, in order
# once duplicates are removed; the count of records in RS_N, of duplicates
# in RS_DUPS, and the target's counters in SNAP (snap rN)
rs_drained() {
	local n
	stop "prod$1" || return 1
	counter log "r$1" next_offset
	n=$KV
	"$PRODUCE" -o "/dev/klogfwd/r$1" -n 1 --seq-start "$n" --min 50 --max 50 --ts 1 \
		> /dev/null || return 1
	RS_N=$((n + 1))
	wait_for $((30 * KLF_SLOW)) tstat_is "r$1" records_acked = "$RS_N" ||
		{ show "r$1"; diag "$1" "$2"; return 1; }
	"$PRODUCE" --expect-file "$RD/r$1.expect" -n "$n" --min 20 --max 2000 --seed "4$1" \
		--ts 1 > /dev/null &&
	"$PRODUCE" --expect-file "$RD/r$1.last" -n 1 --seq-start "$n" --min 50 --max 50 \
		--ts 1 > /dev/null &&
	cat "$RD/r$1.last" >> "$RD/r$1.expect" &&
	"${PEER[@]}" dedup "$RD/r$1.expect" "$RD/rs$1.out" > "$RD/r$1.dedup" ||
		{ sed 's/^/# dedup: /' "$RD/r$1.dedup" | tail -5; return 1; }
	sed 's/^/# rsyslogd wrote: /' "$RD/r$1.dedup" | tail -3
	read -r _ _ _ _ _ RS_DUPS _ <<< "$(tail -1 "$RD/r$1.dedup")"
	snap "r$1"
	echo "# target r$1: records $RS_N, relp_sessions $(val relp_sessions)," \
	     "tls_handshakes $(val tls_handshakes), relp_resent $(val relp_resent)"
}

# the connection reset (ss -K) 3 times, from the receiver's end, the
# sender's, and the receiver's again; rsyslogd stays up
port3=$(free_port)

resets() {
	rs_stream 3 "$port3" &&
	reset_loop r3 "$port3" 3 "$step" || return 1
	rs_drained 3 "$port3" &&
	has records_acked = "$RS_N" && has acked_offset = "$RS_N" &&
	has relp_sessions -ge 4 && has reconnects -ge 3 && has tls_handshakes -ge 4 &&
	has relp_resent -ge "$RS_DUPS"
}
check "the connection reset 3 times (2 from the receiver's end, 1 from the sender's): each record written, in order (duplicates aside, only of resent records), >= 4 handshakes" resets
"$KLOGFWD" target del r3 2> /dev/null
stop rs3

# rsyslogd stopped (SIGSTOP) wherever it is once the session has delivered
# step records, SIGKILLed once the target is behind, and started again
port2=$(free_port)

kill_once() {
	local pid at sent
	rs_stream 2 "$port2" || return 1
	wait_for $((30 * KLF_SLOW)) tstat_is r2 records_acked -ge $step ||
		{ echo "# the first session delivers nothing"; show r2; return 1; }
	pid=$(_pid_file_alive "$WORK/rs2.bg") || { echo "# rsyslogd rs2 is gone"; return 1; }
	kill -STOP "$pid"
	counter target r2 records_sent
	sent=$KV
	if ! wait_for $((10 * KLF_SLOW)) behind r2 "$sent"; then
		echo "# the target is not behind"
		show r2
		kill -CONT "$pid"
		return 1
	fi
	has records_acked -ge 0 > /dev/null
	at=$KV
	stop rs2 KILL && rs_start rs2 "$port2" || return 1
	wait_for $((30 * KLF_SLOW)) tstat_is r2 records_acked -ge $((at + step)) ||
		{ echo "# the session after the restart delivers nothing"; show r2; diag 2 "$port2"; return 1; }
	rs_drained 2 "$port2" &&
	has records_acked = "$RS_N" && has acked_offset = "$RS_N" &&
	has relp_sessions -ge 2 && has tls_handshakes -ge 2 && has relp_resent -ge "$RS_DUPS" &&
	{ has relp_resent -gt 0 || [ "$RS_DUPS" = 0 ]; }
}
check "rsyslogd SIGKILLed and restarted mid-stream: each record written, in order (duplicates aside, only of resent records), all acknowledged" kill_once
"$KLOGFWD" target del r2 2> /dev/null
stop rs2

ktap_finish
