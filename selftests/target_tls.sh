#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# TLS targets: the handshake agent (klogfwd-tlsd) does the handshake through
# the kernel's upcall, kernel TLS encrypts, and a receiver nobody here wrote
# (socat's OpenSSL server, in front of klf_recv) gets every record, byte-
# exact and in order, also across connection resets: resume over TLS loses
# nothing, and repeats only records sent again, as over plain TCP
# (target_faults.sh). What the agent refuses (no agent, a
# certificate from another CA, the wrong name, an expired one, a plaintext
# server, an agent that does not answer) gives its error and counter, and
# no record leaves in clear. On 6.1 (no handshake upcall) tls is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
TLSD=${TLSD:-$KLF_TOP/build/tools/klogfwd-tlsd}
KLF_TEST_LOGS=tl
T=/sys/kernel/tracing
trap 'agent_cont; srv_signal srvr CONT; cleanup_targets; probes_off' EXIT

probes_off() {
	echo 0 > $T/events/kprobes/enable 2> /dev/null
	echo > $T/kprobe_events 2> /dev/null
	return 0
}

# agent_cont: let a stopped agent go on
agent_cont() {
	local pid
	pid=$(_pid_file_alive "$WORK/tlsd.bg") && kill -CONT "$pid" 2> /dev/null
	return 0
}

if ! grep -qw tls_client_hello_anon /proc/kallsyms; then
	ktap_plan 1
	"$KLOGFWD" log add tl framing lf > /dev/null
	refused "tls is refused without the kernel's handshake upcall (EOPNOTSUPP)" \
		"tls needs Linux 6.5 or newer" \
		"$KLOGFWD" target add t0 log tl to 127.0.0.1:9 tls
	ktap_finish
fi
[ -x "$TLSD" ] || skip_all "klogfwd-tlsd not built (make -C tools)"
for c in socat openssl certtool; do
	command -v $c > /dev/null || skip_all "$c is not installed"
done

ktap_plan 23
n=$((3000 / KLF_SLOW))
# the resets of case 7: 5, or 3 on the debug kernel in make check (each
# costs about 12 s there; 5 in the long form, KLF_LONG=1)
n_resets=5
[ "$KLF_SLOW" -gt 1 ] && n_resets=$(klf_long 3 5)
# the records in the log after the resets: n_resets times 250, and a tail
logged=$((n + n_resets * 250 + 200 / KLF_SLOW))
C=$WORK/tls
mkdir -p "$C"

# A CA and a server certificate for logs.test and 127.0.0.1; another CA
# with a certificate for the same names; an expired one from the first CA.
certs() {
	local ca
	echo 'subjectAltName=DNS:logs.test,IP:127.0.0.1' > "$C/san.ext"
	for ca in ca other; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$C/$ca.key" -out "$C/$ca.pem" -days 2 \
			-subj "/CN=klogfwd test $ca" 2> /dev/null || return 1
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$C/$ca-srv.key" -out "$C/$ca-srv.csr" \
			-subj /CN=logs.test 2> /dev/null || return 1
		openssl x509 -req -in "$C/$ca-srv.csr" -CA "$C/$ca.pem" -CAkey "$C/$ca.key" \
			-CAcreateserial -days 2 -out "$C/$ca-srv.pem" \
			-extfile "$C/san.ext" 2> /dev/null || return 1
	done
	cat > "$C/expired.tmpl" <<-TMPL
	cn = logs.test
	dns_name = logs.test
	ip_address = 127.0.0.1
	activation_date = "2020-01-01 00:00:00 UTC"
	expiration_date = "2020-02-01 00:00:00 UTC"
	tls_www_server
	TMPL
	certtool --generate-certificate --load-privkey "$C/ca-srv.key" \
		--load-ca-certificate "$C/ca.pem" --load-ca-privkey "$C/ca.key" \
		--template "$C/expired.tmpl" --outfile "$C/expired.pem" > /dev/null 2>&1
}

# tls_server NAME PORT CERT KEY TO [OPTS]: socat's TLS server on PORT,
# each connection forwarded in clear to 127.0.0.1:TO; OPTS more of socat's
# options of the listening address
tls_server() {
	spawn "$1" socat OPENSSL-LISTEN:"$2",reuseaddr,fork,cert="$3",key="$4",verify=0${6:+,$6} \
		TCP:127.0.0.1:"$5" > "$WORK/$1.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$2"
}

agent_start() {
	spawn tlsd "$TLSD" --ca "$C/ca.pem" > "$WORK/tlsd.out" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/tlsd.out" ready
}

setup() {
	certs && "$KLOGFWD" log add tl framing klf
}
check "certificates made with openssl and certtool, a klf log" setup

port=$(free_port)
rport=$(free_port)

no_agent() {
	tls_server srv "$port" "$C/ca-srv.pem" "$C/ca-srv.key" "$rport" &&
	"$KLOGFWD" target add t1 log tl to "127.0.0.1:$port" tls &&
	wait_for $((10 * KLF_SLOW)) tstat_is t1 last_error = 3 &&
	tstat_is t1 tls_failures -ge 1 && tstat_is t1 bytes_sent = 0 &&
	"$KLOGFWD" target show t1 | grep -q 'last-error 3 (ESRCH' &&
	"$KLOGFWD" target del t1
}
check "no agent: the target retries with last-error ESRCH, nothing sent" no_agent

# Zero-copy at the TLS layer, not by the module's counters: kernel TLS
# copies plaintext into a record only through sk_msg_memcopy_from_iter();
# pages spliced into it go by reference. tls_push_record() counts the
# records, so that a run that sent nothing through TLS cannot pass.
probes() {
	local rec=tls_push_record
	[ -d $T/events ] || mount -t tracefs nodev $T 2> /dev/null
	# a module on Debian's kernels, built in on the debug kernel
	grep -qw tls_push_record /proc/kallsyms || modprobe tls || return 1
	grep -q " tls_push_record	\[tls\]" /proc/kallsyms && rec=tls:tls_push_record
	echo > $T/trace &&
	echo 'p:klf_tcopy sk_msg_memcopy_from_iter' > $T/kprobe_events &&
	echo "p:klf_trec $rec" >> $T/kprobe_events &&
	echo 1 > $T/events/kprobes/enable
}
check "kprobes on kernel TLS's plaintext copy and on its records" probes

deliver() {
	agent_start &&
	"$PRODUCE" -o /dev/klogfwd/tl -n $n --min 20 --max 3000 --seed 5 > /dev/null &&
	recv_start r1 -l "127.0.0.1:$rport" -f klf -n $n --linger 2500 -t $((120 * KLF_SLOW)) &&
	"$KLOGFWD" target add t1 log tl to "127.0.0.1:$port" tls peername logs.test &&
	recv_wait r1 $((120 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is t1 acked_offset = $n &&
	tstat_is t1 tls_handshakes = 1 && tstat_is t1 tls_failures = 0
}
check "$n records through kernel TLS to socat's OpenSSL server, byte-exact, in order" deliver

shown() {
	local out js save
	out=$("$KLOGFWD" target show t1) && js=$("$KLOGFWD" -j target show t1) &&
	save=$("$KLOGFWD" save) || return 1
	grep -q 'tls peername logs.test' <<< "$out" &&
	grep -q 'state established tls-version 1.3 tls-cipher [a-z0-9-]* tls-peer "CN=logs.test"' \
		<<< "$out" &&
	grep -q '"tls_peer": *"CN=logs.test"' <<< "$js" &&
	grep -q '"tls_version": *"1.3"' <<< "$js" && grep -q '"tls": *true' <<< "$js" &&
	grep -q '"tls_handshake_alert": *null' <<< "$js" && ! grep -q tls-handshake-alert <<< "$out" &&
	grep -q "^target add t1 log tl to 127.0.0.1:$port .*ack tcp tls peername logs.test" \
		<<< "$save" ||
		{ printf '# %s\n' "$out" "$js" "$save"; return 1; }
}
check "target show and save tell tls, the peer name, version, cipher and the certificate's subject" shown

zerocopy() {
	local copies recs
	echo 0 > $T/events/kprobes/enable || return 1
	copies=$(grep -ac 'klf_tcopy:' $T/trace)
	recs=$(grep -ac 'klf_trec:' $T/trace)
	echo "# kernel TLS: $recs records, $copies plaintext copies;" \
	     "module: pages_spliced $(tstat t1 pages_spliced), bytes_copied $(tstat t1 bytes_copied)"
	[ "$recs" -gt 0 ] && [ "$copies" = 0 ] &&
	tstat_is t1 bytes_copied = 0 && tstat_is t1 pages_spliced -gt 0
}
check "kernel TLS made records of the page-cache pages by reference: no plaintext copy" zerocopy

# srv_signal NAME SIGNAL: to the socat that spawn NAME started and the
# children it forked
srv_signal() {
	local pid
	pid=$(_pid_file_alive "$WORK/$1.bg") || return 1
	kill "-$2" "$pid" $(pgrep -P "$pid") 2> /dev/null
}

# in_flight PORT: the connection to PORT holds bytes its peer has not
# acknowledged (the kernel's count, not the module's)
in_flight() {
	ss -H -tni state established dst 127.0.0.1 dport = ":$1" |
		grep -Eq 'notsent:[1-9]|unacked:[1-9]'
}

# Each reset hits a TLS session with bytes in flight: the server stops,
# 250 records of 1-3 KB (about 500 KB) go to the log, and the connection
# is reset once the kernel holds bytes the server has not acknowledged.
# Those go again on the next connection. The server's receive buffer is
# fixed at 64 KiB (the kernel would grow it while socat reads), so that
# its window cannot take all of them.
resets() {
	local i m=$logged c=250 tail=$((200 / KLF_SLOW)) sp
	sp=$(free_port)
	tls_server srvr "$sp" "$C/ca-srv.pem" "$C/ca-srv.key" "$rport" rcvbuf=65536 &&
	"$KLOGFWD" target del t1 &&
	recv_start r2 -l "127.0.0.1:$rport" -f klf -d -n $m --linger 5000 -t $((180 * KLF_SLOW)) &&
	"$KLOGFWD" target add t1 log tl to "127.0.0.1:$sp" tls peername logs.test \
		backoff 50-200 || return 1
	for ((i = 0; i < n_resets; i++)); do
		# TCP is established before the handshake: a reset then would
		# fail the handshake, not a session
		wait_for $((20 * KLF_SLOW)) tstat_is t1 tls_handshakes -gt $i &&
		srv_signal srvr STOP || { echo "# reset $i: no TLS session to reset"; return 1; }
		"$PRODUCE" -o /dev/klogfwd/tl -n $c --seq-start $((n + i * c)) \
			--min 1000 --max 3000 --seed $((6 + i)) > /dev/null ||
			{ echo "# the producer failed"; return 1; }
		wait_for $((20 * KLF_SLOW)) in_flight "$sp" &&
		reset_conn dst 127.0.0.1 dport = ":$sp" ||
			{ echo "# reset $i: nothing in flight to reset"; return 1; }
		srv_signal srvr CONT
	done
	# the last records after the last reset: the receiver, which stops
	# taking connections once it has them all, gets them on a connection
	# that lives on to acknowledge them
	"$PRODUCE" -o /dev/klogfwd/tl -n $tail --seq-start $((m - tail)) --min 20 --max 3000 \
		--seed 11 > /dev/null || { echo "# the producer failed"; return 1; }
	recv_wait r2 $((180 * KLF_SLOW)) || return 1
	wait_for $((10 * KLF_SLOW)) tstat_is t1 acked_offset = $m &&
	tstat_is t1 tls_handshakes -ge $((n_resets + 1)) && tstat_is t1 reconnects -ge $n_resets ||
		{ "$KLOGFWD" target show t1 | sed 's/^/# /'; return 1; }
	echo "# duplicates $(rstat r2 duplicates) resent_bytes $(tstat t1 resent_bytes)"
	# records went again, and, as over plain TCP (target_faults.sh), a
	# record comes twice only if it was sent again (ACKs lost with the
	# connection), each at least 52 bytes framed
	tstat_is t1 resent_bytes -gt 0 &&
	[ "$(rstat r2 records)" = $m ] && [ "$(rstat r2 gaps)" = 0 ] &&
	[ "$(rstat r2 offset_gaps)" = 0 ] &&
	[ $(($(rstat r2 duplicates) * 52)) -le "$(tstat t1 resent_bytes)" ]
}
check "$n_resets resets mid-stream: no record lost, repeats only of records resent" resets

# ack app: the receiver's offsets come back through socat's OpenSSL and
# are read through kernel TLS, past the server's TLS 1.3 session tickets
# (records that are not data: without a control buffer they fail the read)
app_acks() {
	local m=$logged
	"$KLOGFWD" target del t1 &&
	recv_start r3 -l "127.0.0.1:$rport" -f klf -a -d -n $m -t $((120 * KLF_SLOW)) &&
	"$KLOGFWD" target add t7 log tl to "127.0.0.1:$port" tls peername logs.test ack app &&
	wait_for $((60 * KLF_SLOW)) tstat_is t7 acked_offset = $m &&
	recv_wait r3 $((60 * KLF_SLOW)) &&
	tstat_is t7 tls_failures = 0 && tstat_is t7 tls_handshakes -ge 1 &&
	"$KLOGFWD" target del t7
}
check "ack app over TLS: the receiver's offsets read through kernel TLS" app_acks

# keyctl_read DESCRIPTION: the payload of the user key of the user keyring
# with that description (KEYCTL_SEARCH, KEYCTL_READ), on stdout
keyctl_read() {
	python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long
k = libc.syscall(250, L(10), L(-4), ctypes.c_char_p(b"user"),
                 ctypes.c_char_p(sys.argv[1].encode()), L(0))
if k < 0:
    sys.exit("no key %s" % sys.argv[1])
buf = ctypes.create_string_buffer(65536)
n = libc.syscall(250, L(11), L(k), buf, L(len(buf)))
if n < 0:
    sys.exit("cannot read key %d" % k)
sys.stdout.buffer.write(buf.raw[:n])' "$1"
}

# Client certificates: a receiver that asks for one (socat with verify=1
# and the CA) refuses a target without; with "cert FILE key FILE" the files
# go to keys of the user keyring, the agent reads them at the handshake,
# and show and save give the files back. A key revoked under a target
# leaves the agent nothing to read: ENOKEY, nothing sent; target-new
# refuses a key the caller cannot read.
client_cert() {
	local p m out save js
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$C/client.key" -out "$C/client.csr" -subj /CN=klogfwd-client \
		2> /dev/null &&
	openssl x509 -req -in "$C/client.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -out "$C/client.pem" 2> /dev/null || return 1
	p=$(free_port)
	spawn srv-cc socat OPENSSL-LISTEN:"$p",reuseaddr,fork,cert="$C/ca-srv.pem",key="$C/ca-srv.key",cafile="$C/ca.pem",verify=1 \
		TCP:127.0.0.1:"$rport" > "$WORK/srv-cc.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$p" || return 1
	echo "$p" > "$WORK/cc.port"
	m=$logged
	recv_start r4 -l "127.0.0.1:$rport" -f klf -n $m --linger 2500 -t $((180 * KLF_SLOW)) &&
	"$KLOGFWD" target add t8 log tl to "127.0.0.1:$p" tls peername logs.test || return 1
	# TLS 1.3: the agent's handshake ends before the server checks; the
	# server's refusal then breaks the connection, and nothing the
	# server's TCP acknowledged counts as delivered
	if ! { wait_for $((20 * KLF_SLOW)) tstat_is t8 last_error -gt 0 &&
	       nap 2 && tstat_is t8 acked_offset = 0 && tstat_is t8 bytes_acked = 0 &&
	       recv_stats r4 && [ "$(rstat r4 records)" = 0 ]; }; then
		echo "# without a client certificate: $("$KLOGFWD" target show t8)"
		return 1
	fi
	echo "# without a client certificate: last-error $(tstat t8 last_error)," \
	     "handshakes $(tstat t8 tls_handshakes), failures $(tstat t8 tls_failures)," \
	     "bytes sent $(tstat t8 bytes_sent)"
	"$KLOGFWD" target del t8 &&
	"$KLOGFWD" target add t8 log tl to "127.0.0.1:$p" tls peername logs.test \
		cert "$C/client.pem" key "$C/client.key" &&
	recv_wait r4 $((180 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is t8 acked_offset = $m &&
	tstat_is t8 tls_handshakes -ge 1 || { echo "# with a client certificate"; return 1; }
	out=$("$KLOGFWD" target show t8) && save=$("$KLOGFWD" save) &&
	js=$("$KLOGFWD" -j target show t8) || return 1
	grep -q "tls peername logs.test cert $C/client.pem key $C/client.key" <<< "$out" &&
	grep -q "^target add t8 .* cert $C/client.pem key $C/client.key" <<< "$save" &&
	grep -q "\"tls_cert\": *\"$C/client.pem\"" <<< "$js" ||
		{ printf '# %s\n' "$out" "$save" "$js"; return 1; }
	# the key holds the certificate's DER, as the upcall's convention is
	openssl x509 -in "$C/client.pem" -outform DER -out "$C/client.der" &&
	keyctl_read "klogfwd:$C/client.pem" > "$C/client.key-payload" &&
	cmp -s "$C/client.der" "$C/client.key-payload" ||
		{ echo "# the key of client.pem does not hold its DER"; return 1; }
	# the saved line applied again: the files go to the same keys, so the
	# target exists as given
	grep "^target add t8 " <<< "$save" > "$WORK/cc.batch" &&
	"$KLOGFWD" -b "$WORK/cc.batch" ||
		{ echo "# the saved line of t8 applied again failed"; return 1; }
}
check "a receiver asking for a client certificate: refused without, delivered with cert and key" \
	client_cert

# keyctl OP ARG...: keyctl(2) from python (no keyutils in the VM); prints
# what it returns; a string argument is passed as bytes
keyctl() {
	python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
args = []
for a in sys.argv[1:]:
    try:
        args.append(ctypes.c_long(int(a)))
    except ValueError:
        args.append(ctypes.c_char_p(a.encode()))
r = libc.syscall(250, *args)
if r < 0:
    sys.exit("keyctl: errno %d" % ctypes.get_errno())
print(r)' "$@"
}

# A key revoked under a target: the agent cannot read it (ENOKEY)
revoked() {
	local p serial
	p=$(cat "$WORK/cc.port") &&
	"$KLOGFWD" target del t8 &&
	"$KLOGFWD" target add t9 log tl to "127.0.0.1:$p" tls peername logs.test \
		cert "$C/client.pem" key "$C/client.key" paused || return 1
	# KEYCTL_SEARCH (10) of the user keyring (-4), then KEYCTL_REVOKE (3)
	serial=$(keyctl 10 -4 user "klogfwd:$C/client.pem" 0) &&
	echo "$serial" > "$WORK/cc.serial" && keyctl 3 "$serial" > /dev/null || return 1
	"$KLOGFWD" target set t9 resume &&
	wait_for $((20 * KLF_SLOW)) tstat_is t9 tls_failures -ge 1 &&
	tstat_is t9 last_error = 126 && tstat_is t9 bytes_sent = 0 &&
	"$KLOGFWD" target show t9 | grep -q 'last-error 126 (ENOKEY' &&
	"$KLOGFWD" target del t9
}
check "the client certificate's key revoked: the agent cannot read it, ENOKEY, nothing sent" revoked

refused "target-new refuses a key the caller cannot read (revoked)" \
	"key [0-9]+: no such key that the caller may read" \
	"$KLOGFWD" target add t10 log tl to "127.0.0.1:$(cat "$WORK/cc.port")" tls \
	cert "key:$(cat "$WORK/cc.serial")" key "key:$(cat "$WORK/cc.serial")"

# rekey-after and rekey-bytes: kernel TLS has no KeyUpdate, so a session
# due for new keys stops at a record boundary and, once all it carried is
# acknowledged, is replaced by a new connection and handshake; nothing is
# lost and nothing sent twice (the receiver takes no duplicate), with a
# producer appending throughout. Each connection reaches the receiver
# through a socat process of its own, which may still be forwarding the
# last records of the old one when the new one arrives (acknowledged by
# socat's TCP, all the target knows): the receiver reads the old one to
# its end first (--drain), or the case would see a gap socat made
rekey_time() {
	local m0=$logged k=$((1200 / KLF_SLOW)) pid
	recv_start r5 -l "127.0.0.1:$rport" -f klf -n $((m0 + k)) --linger 2500 \
		--drain $((2000 * KLF_SLOW)) -t $((120 * KLF_SLOW)) &&
	"$KLOGFWD" target add t11 log tl to "127.0.0.1:$port" tls peername logs.test \
		rekey-after 2 || return 1
	"$PRODUCE" -o /dev/klogfwd/tl -n $k --seq-start "$m0" --min 20 --max 3000 \
		--seed 8 --rate $((200 / KLF_SLOW)) > /dev/null &
	pid=$!
	wait $pid || { echo "# the producer failed"; return 1; }
	recv_wait r5 $((120 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is t11 acked_offset = $((m0 + k)) &&
	tstat_is t11 tls_rekeys -ge 2 && tstat_is t11 tls_handshakes -ge 3 &&
	[ "$(rstat r5 duplicates)" = 0 ] && [ "$(rstat r5 records)" = $((m0 + k)) ] || {
		echo "# $("$KLOGFWD" target show t11 | tr '\n' ' ')"
		# not left to send to the next case's receiver
		"$KLOGFWD" target del t11
		return 1
	}
	"$KLOGFWD" target show t11 | grep -q 'rekey-after 2 rekey-bytes 0' &&
	"$KLOGFWD" save | grep -q '^target add t11 .* rekey-after 2 rekey-bytes 0' &&
	"$KLOGFWD" target del t11
}
check "rekey-after 2: a new session every 2 s or so, each record once, in order" rekey_time

rekey_bytes() {
	local m=$((logged + 1200 / KLF_SLOW))
	recv_start r6 -l "127.0.0.1:$rport" -f klf -n $m --linger 2500 --drain $((2000 * KLF_SLOW)) \
		-t $((120 * KLF_SLOW)) &&
	"$KLOGFWD" target add t12 log tl to "127.0.0.1:$port" tls peername logs.test \
		rekey-bytes 1M &&
	recv_wait r6 $((120 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is t12 acked_offset = $m &&
	tstat_is t12 tls_rekeys -ge 2 && [ "$(rstat r6 duplicates)" = 0 ] &&
	[ "$(rstat r6 records)" = $m ] ||
		{ echo "# $("$KLOGFWD" target show t12 | tr '\n' ' ')"; return 1; }
	echo "# $(tstat t12 bytes_sent) bytes in $(tstat t12 tls_handshakes) sessions"
}
check "rekey-bytes 1M: a new session after each MiB, each record once, in order" rekey_bytes

refused "rekey-bytes below 1 MiB is refused, naming the setting (ERANGE)" \
	"rekey-bytes 1000 is below 1 MiB" "$KLOGFWD" target set t12 rekey-bytes 1000

rekey_plain() {
	local out
	"$KLOGFWD" target add t13 log tl to 127.0.0.1:9 paused || return 1
	out=$("$KLOGFWD" target set t13 rekey-after 1h 2>&1)
	"$KLOGFWD" target del t13
	grep -q 'rekey-after and rekey-bytes apply to tls targets only' <<< "$out" ||
		{ echo "# $out"; return 1; }
}
check "rekey-after on a target without tls is refused" rekey_plain

# A subject DN of more than 255 bytes (three OUs of UTF-8 "é", the first
# with an "a" before, so that byte 255 falls inside an "é"): tls-peer is
# its first 254 bytes, cut before the split character (valid UTF-8, read
# back through the CLI's JSON), not 255 bytes ending in half of one.
long_dn() {
	local p e1 e2 dn js
	e1=a$(printf 'é%.0s' {1..59}) e2=$(printf 'é%.0s' {1..60})
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
		-keyout "$C/long.key" -out "$C/long.csr" \
		-subj "/CN=logs.test/OU=$e2/OU=$e2/OU=$e1" 2> /dev/null &&
	openssl x509 -req -in "$C/long.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -out "$C/long.pem" -extfile "$C/san.ext" 2> /dev/null ||
		return 1
	# GnuTLS gives the DN in RFC 4514's order, the last RDN first
	dn="OU=$e1,OU=$e2,OU=$e2,CN=logs.test"
	p=$(free_port)
	spawn srvl socat -u OPENSSL-LISTEN:"$p",reuseaddr,fork,cert="$C/long.pem",key="$C/long.key",verify=0 \
		OPEN:/dev/null > "$WORK/srvl.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$p" &&
	"$KLOGFWD" target add t14 log tl to "127.0.0.1:$p" tls peername logs.test &&
	wait_for $((20 * KLF_SLOW)) tstat_is t14 tls_handshakes -ge 1 &&
	js=$("$KLOGFWD" -j target show t14) || return 1
	python3 -c 'import json, sys
def find(o):
    if isinstance(o, dict):
        if "tls_peer" in o:
            return o["tls_peer"]
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None:
                return r
got = find(json.loads(sys.stdin.buffer.read()))
want = sys.argv[1].encode()[:254].decode()
if got != want:
    sys.exit("# tls_peer %r (%d bytes), want its first 254 bytes" %
             (got, len(got.encode()) if got else 0))' "$dn" <<< "$js" || return 1
	"$KLOGFWD" target del t14 && stop srvl
}
check "a subject DN over 255 bytes: tls-peer its first 254, cut at a character's start" long_dn

# refuse NAME PORT CERT KEY ERRNO ALERT [PEERNAME]: a target to a server the
# agent must refuse fails with ERRNO, counts the failure and sends nothing;
# the agent sent the fatal ALERT, which the server's OpenSSL logs and
# target show gives as tls-handshake-alert
refuse() {
	local name=$1 p=$2 err=$5 alert=$6 pn=${7:-logs.test}
	tls_server "srv-$name" "$p" "$3" "$4" "$rport" &&
	"$KLOGFWD" target add "$name" log tl to "127.0.0.1:$p" tls peername "$pn" &&
	wait_for $((20 * KLF_SLOW)) tstat_is "$name" tls_failures -ge 1 &&
	tstat_is "$name" last_error = "$err" && tstat_is "$name" bytes_sent = 0 &&
	tstat_is "$name" tls_handshakes = 0 || return 1
	"$KLOGFWD" target show "$name" | grep -q " tls-handshake-alert sent fatal/$alert\( \|$\)" &&
	"$KLOGFWD" -j target show "$name" |
		grep -q "\"tls_handshake_alert\": *\"sent fatal/$alert\"" &&
	wait_for $((5 * KLF_SLOW)) grep -q "alert ${alert//_/ }" "$WORK/srv-$name.log" ||
		{ "$KLOGFWD" target show "$name"; tail -n 3 "$WORK/srv-$name.log"; return 1; }
	"$KLOGFWD" target del "$name" && stop "srv-$name"
}
check "a certificate from another CA: EACCES, nothing sent, alert unknown_ca" \
	refuse t2 "$(free_port)" "$C/other-srv.pem" "$C/other-srv.key" 13 unknown_ca
check "a certificate for another name: EACCES, nothing sent, alert bad_certificate" \
	refuse t3 "$(free_port)" "$C/ca-srv.pem" "$C/ca-srv.key" 13 bad_certificate other.test
check "an expired certificate: EACCES, nothing sent, alert certificate_expired" \
	refuse t4 "$(free_port)" "$C/expired.pem" "$C/ca-srv.key" 13 certificate_expired

plaintext() {
	local p
	p=$(free_port)
	spawn plain socat TCP-LISTEN:"$p",reuseaddr,fork SYSTEM:'echo hello; sleep 1' \
		> "$WORK/plain.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$p" &&
	"$KLOGFWD" target add t5 log tl to "127.0.0.1:$p" tls &&
	wait_for $((20 * KLF_SLOW)) tstat_is t5 tls_failures -ge 1 &&
	tstat_is t5 last_error -gt 0 && tstat_is t5 bytes_sent = 0 &&
	"$KLOGFWD" target show t5 | grep -q ' tls-handshake-alert sent fatal/[a-z]' ||
		{ "$KLOGFWD" target show t5; return 1; }
	"$KLOGFWD" target del t5 && stop plain
}
check "a plaintext server: the handshake fails, the agent's alert shown, nothing sent" plaintext

# An agent that does not answer (stopped): the module cancels at 10 s
stalled() {
	local pid
	pid=$(_pid_file_alive "$WORK/tlsd.bg") && kill -STOP "$pid" &&
	"$KLOGFWD" target add t6 log tl to "127.0.0.1:$port" tls peername logs.test &&
	wait_for $((10 * KLF_SLOW)) tstat_is t6 state = handshake &&
	wait_for $((30 * KLF_SLOW)) tstat_is t6 last_error = 110 &&
	tstat_is t6 tls_failures -ge 1 && tstat_is t6 bytes_sent = 0
}
check "an agent that does not answer: cancelled after 10 s, ETIMEDOUT" stalled

# target del while the agent holds the request: it returns at once
del_pending() {
	local t0=$SECONDS
	wait_for $((20 * KLF_SLOW)) tstat_is t6 state = handshake &&
	"$KLOGFWD" target del t6 && [ $((SECONDS - t0)) -lt $((20 * KLF_SLOW)) ] &&
	agent_cont && _pid_file_alive "$WORK/tlsd.bg" > /dev/null
}
check "target del during a handshake cancels it; the agent goes on" del_pending

# A namespace with a TLS target dies: its pre_exit deletes the target, and
# the socket, released through its file, goes before the namespace does
# (a kernel socket holds no reference to it)
netns_exit() {
	local p pids=()
	setup_ns NST || return 1
	p=$(free_port)
	ip netns exec "$NST" "$TLSD" --ca "$C/ca.pem" > "$WORK/tlsd-ns.out" 2>&1 &
	pids+=($!)
	ip netns exec "$NST" socat \
		OPENSSL-LISTEN:"$p",reuseaddr,fork,cert="$C/ca-srv.pem",key="$C/ca-srv.key",verify=0 \
		SYSTEM:'cat > /dev/null' > "$WORK/srv-ns.log" 2>&1 &
	pids+=($!)
	if ! { wait_for $((10 * KLF_SLOW)) has_line "$WORK/tlsd-ns.out" ready &&
	       ip netns exec "$NST" "$KLOGFWD" log add tns &&
	       ip netns exec "$NST" "$PRODUCE" -o /dev/klogfwd/tns -n 200 --min 20 --max 500 \
			> /dev/null &&
	       ip netns exec "$NST" "$KLOGFWD" target add tn log tns to "127.0.0.1:$p" tls \
			peername logs.test backoff 50-200 &&
	       KLF_NS=$NST wait_for $((20 * KLF_SLOW)) tstat_is tn acked_offset = 200 &&
	       KLF_NS=$NST tstat_is tn tls_handshakes -ge 1; }; then
		echo "# target: $(ip netns exec "$NST" "$KLOGFWD" target show tn 2>&1)"
		sed 's/^/# /' "$WORK/tlsd-ns.out" "$WORK/srv-ns.log"
		ip netns pids "$NST" | xargs -r kill
		return 1
	fi
	# every process of the namespace (socat's children too), or it lives on
	ip netns pids "$NST" | xargs -r kill
	wait "${pids[@]}" 2> /dev/null
	ip netns del "$NST"
	wait_for $((20 * KLF_SLOW)) test ! -d "$KLF_DFS/targets/tn" ||
		{ echo "# target tn still there"; return 1; }
}
check "a namespace with a TLS target dies: target and socket go with it" netns_exit

ktap_finish
