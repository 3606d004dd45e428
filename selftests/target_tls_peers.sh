#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12 rt
#
# TLS targets against TLS servers nobody here wrote, and against what goes
# wrong around a handshake. One octet-framed log goes through kernel TLS to
# rsyslogd (imtcp with the gtls stream driver), syslog-ng (syslog(),
# transport("tls")) and OpenSSL's s_server (TLS 1.2, ChaCha20-Poly1305):
# each writes every record byte-exact and in order. With a pre-shared key
# (psk FILE, TLS 1.3 PSK) s_server gets the same stream without any
# certificate; one with another key refuses the handshake and nothing is
# sent; the module refuses a key of fewer than 16 bytes, and the agent a key
# updated to fewer since, and a server of TLS 1.2 only. A server that sends,
# mid-stream, what kernel TLS cannot decrypt breaks the connection
# (EBADMSG), and the target then delivers everything (ack app). One that
# sends close_notify or an alert on an idle ack app connection ends it
# too (target show keeps the last alert it read: tls-alert), and the
# target then delivers everything. A KeyUpdate from the server: an ack tcp
# target goes on, an ack app or ack relp one loses its connection
# (EBADMSG) and connects again, and the RELP records not answered go again. The agent SIGKILLed mid-handshake, with
# a request it took and one still queued: the module cancels both at 10 s
# (ETIMEDOUT), nothing leaves in clear, and a new agent serves the retry.
# The agent stopped while a target delivers: it retries with ESRCH and
# loses nothing once an agent runs again. rmmod with handshakes pending
# (one queued, one held by the agent) unloads at once, and the module loads
# again. On 6.1 (no handshake upcall) there is nothing to test here:
# target_tls.sh tests that tls is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
TLSD=${TLSD:-$KLF_TOP/build/tools/klogfwd-tlsd}
ko=$KLF_TOP/build/$(uname -r)/klogfwd.ko
KLF_TEST_LOGS="po pk pa pu pr"
trap 'agent_cont; cleanup_targets; peers_stop; [ -e /sys/module/klogfwd ] || insmod "$ko"' EXIT

# agent_cont: let a stopped agent go on
agent_cont() {
	local pid
	pid=$(_pid_file_alive "$WORK/tlsd.bg") && kill -CONT "$pid" 2> /dev/null
	return 0
}

peers_stop() {
	[ -s "$WORK/rsyslog.pid" ] && kill "$(cat "$WORK/rsyslog.pid")" 2> /dev/null
	[ -s "$DIRW/syslog-ng/pid" ] && kill "$(cat "$DIRW/syslog-ng/pid")" 2> /dev/null
	rm -rf "$DIRW"
	return 0
}

grep -qw tls_client_hello_anon /proc/kallsyms ||
	skip_all "no TLS handshake upcall on this kernel (target_tls.sh tests the refusal)"
[ -x "$TLSD" ] || skip_all "klogfwd-tlsd not built (make -C tools)"
for c in socat openssl python3; do
	command -v $c > /dev/null || skip_all "$c is not installed"
done

# rsyslogd's TLS is in rsyslog-gnutls (lmnsd_gtls.so)
rs_skip="rsyslogd is not installed"
if command -v rsyslogd > /dev/null; then
	rs_skip="rsyslogd has no gtls stream driver (install rsyslog-gnutls)"
	for d in /usr/lib/*/rsyslog /usr/lib/rsyslog; do
		[ -e "$d/lmnsd_gtls.so" ] && rs_skip=
	done
fi
# syslog-ng: SNG_ROOT, sng_skip and sng_run from target_lib.sh

ktap_plan
n=$((1000 / KLF_SLOW))
C=$WORK/tls
mkdir -p "$C" "$DIRW"
PEER=(/usr/bin/python3 -S "$KLF_TOP/selftests/tls_peer.py")
# the records' own arguments: the receivers' expected output is made
# from them
PROD=(-n $n --min 20 --max 2000 --seed 21 --ts 1)

# A CA and a certificate from it for logs.test and 127.0.0.1
certs() {
	echo 'subjectAltName=DNS:logs.test,IP:127.0.0.1' > "$C/san.ext"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$C/ca.key" -out "$C/ca.pem" -days 2 \
		-subj "/CN=klogfwd test ca" 2> /dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$C/srv.key" -out "$C/srv.csr" -subj /CN=logs.test 2> /dev/null &&
	openssl x509 -req -in "$C/srv.csr" -CA "$C/ca.pem" -CAkey "$C/ca.key" \
		-CAcreateserial -days 2 -out "$C/srv.pem" -extfile "$C/san.ext" 2> /dev/null
}

# agent_start: klogfwd-tlsd, verbose (each request it takes is logged:
# "PEERNAME: request: ..."), its output appended to tlsd.out (of every
# agent of the test), once it says it is ready
agent_start() {
	local k
	k=$(_readies)
	spawn tlsd "$TLSD" --ca "$C/ca.pem" -v >> "$WORK/tlsd.out" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) eval '[ "$(_readies)" -gt "$k" ]'
}
# the agents' "ready" lines so far
_readies() {
	local l k=0
	{ mapfile -t _klf_tl < "$WORK/tlsd.out"; } 2> /dev/null
	for l in "${_klf_tl[@]}"; do
		[[ $l == *": ready" ]] && k=$((k + 1))
	done
	echo $k
}
# agent_up: the agent runs (a case that failed may have left it stopped
# or killed)
agent_up() {
	agent_cont
	_pid_file_alive "$WORK/tlsd.bg" > /dev/null || agent_start
}

# tls_socat NAME PORT TO: socat's TLS server on PORT, each connection
# forwarded in clear to 127.0.0.1:TO
tls_socat() {
	spawn "$1" socat OPENSSL-LISTEN:"$2",reuseaddr,fork,cert="$C/srv.pem",key="$C/srv.key",verify=0 \
		TCP:127.0.0.1:"$3" > "$WORK/$1.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$2"
}

setup() {
	certs && agent_start &&
	"$KLOGFWD" log add po framing octet &&
	"$PRODUCE" -o /dev/klogfwd/po "${PROD[@]}" > /dev/null &&
	"$PRODUCE" --expect-file "$WORK/po.lines" "${PROD[@]}" > /dev/null &&
	"$PRODUCE" -o "$WORK/po.octet" --frame octet "${PROD[@]}" > /dev/null &&
	"$KLOGFWD" log add pk framing klf &&
	"$PRODUCE" -o /dev/klogfwd/pk -n $n --min 20 --max 3000 --seed 22 > /dev/null
}
check "certificates, the agent, an octet log and a klf log of $n records each" setup

# lines FILE N: FILE has N lines or more; size_ge FILE N: N bytes or more
lines() {
	[ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]
}
size_ge() {
	[ -f "$1" ] && [ "$(stat -c %s "$1")" -ge "$2" ]
}

# tls_shown TARGET VERSION-RE: the target is established with a TLS version
# that matches, its handshake succeeded and none failed
tls_shown() {
	"$KLOGFWD" target show "$1" | grep -q "state established tls-version $2 " &&
	tstat_is "$1" tls_handshakes -ge 1 && tstat_is "$1" tls_failures = 0
}

rsyslog_gtls() {
	local port
	[ -z "$rs_skip" ] || { skip_case "$rs_skip"; return; }
	port=$(free_port)
	mkdir -p "$WORK/rsyslog"
	cat > "$WORK/rsyslog.conf" <<-CONF
	global(workDirectory="$WORK/rsyslog" maxMessageSize="8k"
	       defaultNetstreamDriverCAFile="$C/ca.pem"
	       defaultNetstreamDriverCertFile="$C/srv.pem"
	       defaultNetstreamDriverKeyFile="$C/srv.key")
	module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1"
	       streamDriver.authMode="anon")
	template(name="raw" type="string" string="%rawmsg%\n")
	ruleset(name="klf") {
		action(type="omfile" file="$WORK/rsyslog.out" template="raw")
	}
	input(type="imtcp" address="127.0.0.1" port="$port" ruleset="klf")
	CONF
	rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" > "$WORK/rsyslogd.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$port" &&
	"$KLOGFWD" target add prs log po to "127.0.0.1:$port" tls peername logs.test &&
	wait_for $((60 * KLF_SLOW)) lines "$WORK/rsyslog.out" $n &&
	tls_shown prs '1\.[23]' || { cat "$WORK/rsyslogd.log"; return 1; }
	cmp "$WORK/po.lines" "$WORK/rsyslog.out"
}
check "$n records through kernel TLS to rsyslogd (imtcp, gtls): each one message, exact, in order" \
	rsyslog_gtls

syslog_ng_tls() {
	local port
	[ -z "$sng_skip" ] || { skip_case "$sng_skip"; return; }
	port=$(free_port)
	mkdir -p "$DIRW/syslog-ng"
	# syslog(): octet framing; no-parse: the whole record is the message
	cat > "$WORK/syslog-ng.conf" <<-CONF
	@version: ${sng_mod##*/}
	options { use-dns(no); dns-cache(no); };
	source s_tls { syslog(ip("127.0.0.1") port($port) transport("tls") flags(no-parse)
		tls(key-file("$C/srv.key") cert-file("$C/srv.pem") peer-verify(optional-untrusted))); };
	destination d_raw { file("$WORK/syslog-ng.out" template("\$MSG\n")); };
	log { source(s_tls); destination(d_raw); };
	CONF
	sng_run --syntax-only -f "$WORK/syslog-ng.conf" > "$WORK/syslog-ng.log" 2>&1 ||
		{ skip_case "syslog-ng takes no transport(\"tls\"): $(head -1 "$WORK/syslog-ng.log")"; return; }
	# its persist file, control socket and pid file on tmpfs
	sng_run -F -f "$WORK/syslog-ng.conf" -R "$DIRW/syslog-ng/persist" \
		-p "$DIRW/syslog-ng/pid" -c "$DIRW/syslog-ng/ctl" > "$WORK/syslog-ng.log" 2>&1 &
	# it loads glib and its plugins first: more than 10 s on the debug
	# kernel under TCG
	wait_for $((15 * KLF_SLOW)) port_used "$port" &&
	"$KLOGFWD" target add psn log po to "127.0.0.1:$port" tls peername logs.test &&
	wait_for $((60 * KLF_SLOW)) lines "$WORK/syslog-ng.out" $n &&
	tls_shown psn '1\.[23]' || { cat "$WORK/syslog-ng.log"; return 1; }
	cmp "$WORK/po.lines" "$WORK/syslog-ng.out"
}
check "the same records to syslog-ng (syslog(), transport tls): exact, in order" syslog_ng_tls

# s_server writes what it reads to its standard output, raw: the octet
# stream itself. ChaCha20-Poly1305 where the kernel has it (a module on
# Debian's kernels, loaded on demand by kernel TLS; the debug kernel has
# none, and kernel TLS refuses its keys: AES-256-GCM there). It must have an open standard input (at its end it
# stops): a FIFO opened for reading and writing, which never ends (not
# through spawn: bash gives a background command /dev/null as standard
# input, unless the command itself redirects it).
s_server() {
	local port cipher=ECDHE-ECDSA-CHACHA20-POLY1305 name=chacha20-poly1305
	modprobe -q chacha20poly1305 2> /dev/null ||
		grep -q 'rfc7539(chacha20,poly1305)' /proc/crypto ||
		{ cipher=ECDHE-ECDSA-AES256-GCM-SHA384 name=aes-256-gcm; }
	echo "# cipher $cipher"
	port=$(free_port)
	mkfifo "$WORK/ossl.in" || return 1
	openssl s_server -quiet -naccept 1 -accept "127.0.0.1:$port" \
		-cert "$C/srv.pem" -key "$C/srv.key" -tls1_2 -cipher "$cipher" \
		<> "$WORK/ossl.in" > "$WORK/ossl.out" 2> "$WORK/ossl.err" &
	echo "$! $(_pid_start $!)" > "$WORK/ossl.bg"
	wait_for $((10 * KLF_SLOW)) port_used "$port" &&
	"$KLOGFWD" target add pos log po to "127.0.0.1:$port" tls peername 127.0.0.1 || return 1
	wait_for $((60 * KLF_SLOW)) size_ge "$WORK/ossl.out" "$(stat -c %s "$WORK/po.octet")" &&
	tls_shown pos '1\.2' &&
	"$KLOGFWD" target show pos | grep -q "tls-cipher $name " ||
		{ "$KLOGFWD" target show pos; cat "$WORK/ossl.err"; return 1; }
	cmp "$WORK/po.octet" "$WORK/ossl.out"
}
check "the same records to openssl s_server over TLS 1.2 (ChaCha20-Poly1305): the exact octet stream" \
	s_server

# Pre-shared keys (TLS 1.3 PSK): no CA, no certificate on either side.
# s_server knows the identity web1 and its key; "psk FILE" takes the
# line psktool writes, the CLI puts the key in a user key described
# klogfwd-psk:PATH;IDENTITY, the agent does a PSK handshake from it.
# o_server PORT PSKHEX NAME [VERSION]: s_server with only a PSK (TLS 1.3
# unless VERSION is given, e.g. -tls1_2), output in NAME.out
o_server() {
	mkfifo "$WORK/$3.in" || return 1
	openssl s_server -quiet -accept "127.0.0.1:$1" -nocert "${4:--tls1_3}" \
		-psk_identity web1 -psk "$2" \
		<> "$WORK/$3.in" > "$WORK/$3.out" 2> "$WORK/$3.err" &
	echo "$! $(_pid_start $!)" > "$WORK/$3.bg"
	wait_for $((10 * KLF_SLOW)) port_used "$1"
}
psk_key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

psk() {
	local port out save
	port=$(free_port)
	printf '# keys of the test\nweb1:%s\nother:%s\n' "$psk_key" "${psk_key/00/ff}" \
		> "$C/psk.txt"
	o_server "$port" "$psk_key" opsk &&
	"$KLOGFWD" target add pps log po to "127.0.0.1:$port" tls psk "$C/psk.txt" \
		2> "$WORK/psk.err" || return 1
	# the file has two keys: the CLI says which it took
	grep -q 'more than one key in the file: the first, "web1", is used' "$WORK/psk.err" ||
		{ cat "$WORK/psk.err"; return 1; }
	wait_for $((60 * KLF_SLOW)) size_ge "$WORK/opsk.out" "$(stat -c %s "$WORK/po.octet")" &&
	tls_shown pps '1\.3' || { "$KLOGFWD" target show pps; cat "$WORK/opsk.err"; return 1; }
	cmp "$WORK/po.octet" "$WORK/opsk.out" || return 1
	grep -q "klogfwd-psk:$C/psk.txt;web1: 32\$" /proc/keys &&
	grep -q 'TLS1.3 .*, pre-shared key "web1"' "$WORK/tlsd.out" &&
	out=$("$KLOGFWD" target show pps) && save=$("$KLOGFWD" save) &&
	grep -q "tls peername 127.0.0.1 psk $C/psk.txt " <<< "$out" &&
	grep -q 'state established tls-version 1.3 .* tls-peer "web1"' <<< "$out" &&
	grep -q "^target add pps .* psk $C/psk.txt " <<< "$save" ||
		{ printf '# %s\n' "$out" "$save"; grep klogfwd-psk /proc/keys; return 1; }
}
check "psk: TLS 1.3 with a pre-shared key to openssl s_server (no certificate): the exact octet stream" psk

# the same identity with another key: the server refuses the handshake
# (an alert); the target retries, sends nothing
psk_wrong() {
	local port
	port=$(free_port)
	printf 'web1:%s\n' "${psk_key/00/ff}" > "$C/psk-other.txt"
	o_server "$port" "$psk_key" opsk2 &&
	"$KLOGFWD" target add ppw log po to "127.0.0.1:$port" tls psk "$C/psk-other.txt" &&
	wait_for $((20 * KLF_SLOW)) tstat_is ppw tls_failures -ge 2 &&
	tstat_is ppw tls_handshakes = 0 && tstat_is ppw bytes_sent = 0 &&
	tstat_is ppw last_error = 111 && [ ! -s "$WORK/opsk2.out" ] &&
	grep -q '127.0.0.1: the server sent the TLS alert' "$WORK/tlsd.out" &&
	# OpenSSL 3.0 (bookworm) says illegal_parameter, later ones decrypt_error
	"$KLOGFWD" target show ppw |
		grep -Eq ' tls-handshake-alert received fatal/(illegal_parameter|decrypt_error)' ||
		{ "$KLOGFWD" target show ppw; tail -n 5 "$WORK/tlsd.out"; return 1; }
	"$KLOGFWD" target del ppw
}
check "psk: a receiver with another key refuses the handshake: tls-failures, ECONNREFUSED, its alert, nothing sent" \
	psk_wrong

# add_key(2) of a user key of 8 bytes (python: no keyutils in the VM)
short_key() {
	python3 -c 'import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long
r = libc.syscall(248, ctypes.c_char_p(b"user"), ctypes.c_char_p(b"klogfwd-test;short"),
                 ctypes.c_char_p(b"12345678"), L(8), L(-4))
print(r) if r > 0 else exit(1)'
}
refused "target-new refuses a pre-shared key of fewer than 16 bytes, naming its size" \
	"psk key [0-9]+ holds 8 bytes: a pre-shared key needs at least 16" \
	"$KLOGFWD" target add pps2 log po to 127.0.0.1:9 tls psk "key:$(short_key)"

# user_key DESC HEX: add_key(2) of a user key in the user keyring, or the
# payload of the one of that description replaced (its serial stays)
user_key() {
	python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
L = ctypes.c_long
b = bytes.fromhex(sys.argv[2])
r = libc.syscall(248, ctypes.c_char_p(b"user"), ctypes.c_char_p(sys.argv[1].encode()),
                 ctypes.c_char_p(b), L(len(b)), L(-4))
print(r) if r > 0 else exit(1)' "$1" "$2"
}

# The agent offers TLS 1.3 only with a pre-shared key: a server of TLS 1.2
# PSK alone fails the handshake, nothing sent. A key updated to 8 bytes
# after target-new checked it: the agent refuses it at the next handshake
# (ENOKEY), nothing sent with it.
psk_agent_checks() {
	local p1 p2 k
	p1=$(free_port)
	p2=$(free_port)
	o_server "$p1" "$psk_key" opsk3 -tls1_2 &&
	"$KLOGFWD" target add pp12 log po to "127.0.0.1:$p1" tls psk "$C/psk.txt" &&
	wait_for $((20 * KLF_SLOW)) tstat_is pp12 tls_failures -ge 1 &&
	tstat_is pp12 tls_handshakes = 0 && tstat_is pp12 bytes_sent = 0 &&
	[ ! -s "$WORK/opsk3.out" ] ||
		{ "$KLOGFWD" target show pp12; tail -n 3 "$WORK/tlsd.out"; return 1; }
	"$KLOGFWD" target del pp12 &&
	k=$(user_key "klogfwd-test;web1" "$psk_key") &&
	o_server "$p2" "$psk_key" opsk4 &&
	"$KLOGFWD" target add ppu log po to "127.0.0.1:$p2" tls psk "key:$k" backoff 50-200 &&
	wait_for $((30 * KLF_SLOW)) tstat_is ppu tls_handshakes = 1 &&
	[ "$(user_key "klogfwd-test;web1" 0102030405060708)" = "$k" ] &&
	wait_for $((10 * KLF_SLOW)) reset_conn dst 127.0.0.1 dport = ":$p2" &&
	wait_for $((20 * KLF_SLOW)) tstat_is ppu tls_failures -ge 1 &&
	tstat_is ppu last_error = 126 && tstat_is ppu tls_handshakes = 1 &&
	grep -q "the pre-shared key (key $k) holds 8 bytes: at least 16 are needed" \
		"$WORK/tlsd.out" ||
		{ "$KLOGFWD" target show ppu; tail -n 3 "$WORK/tlsd.out"; return 1; }
	"$KLOGFWD" target del ppu
}
check "psk: TLS 1.3 only (a TLS 1.2 server fails); a key updated to 8 bytes is refused by the agent (ENOKEY)" \
	psk_agent_checks

del_po() {
	local t
	for t in prs psn pos pps pp12 ppu; do
		"$KLOGFWD" target del "$t" 2> /dev/null
	done
	peers_stop
	stop ossl
	stop opsk
	stop opsk2
	stop opsk3
	stop opsk4
}
del_po

# A server that sends, mid-stream, a record kernel TLS cannot decrypt:
# kernel TLS fails the read and marks the socket (EBADMSG), the target's
# next send fails with it and the connection is lost; the target reconnects
# and, the server then forwarding to klf_recv, every record of the klf log
# arrives, in order, acknowledged by the receiver (ack app). The raw bytes
# the server read after the garbage hold no record in clear. sndbuf: the
# target still has records to send when the garbage comes (see alert_idle
# for a connection that has none).
garbage() {
	local port rport mark
	agent_up || return 1
	mark=$(dmesg_mark) || return 1
	port=$(free_port)
	rport=$(free_port)
	recv_start rg -l "127.0.0.1:$rport" -f klf -a -d -n $n -t $((60 * KLF_SLOW)) &&
	spawn pg "${PEER[@]}" "$port" "$C/srv.pem" "$C/srv.key" "$rport" garbage \
		> "$WORK/pg.out" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/pg.out" listening &&
	"$KLOGFWD" target add pg log pk to "127.0.0.1:$port" tls peername logs.test ack app \
		sndbuf 65536 backoff 50-200 &&
	recv_wait rg $((60 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is pg acked_offset = $n || { cat "$WORK/pg.out"; return 1; }
	sed 's/^/# peer: /' "$WORK/pg.out"
	# the first connection's loss (the later ones: the receiver's exit)
	# (-74 on the debug kernel, without CONFIG_SYMBOLIC_ERRNAME)
	dmesg_since "$mark" | grep -qE "target pg \(log pk\): connection to 127.0.0.1:$port lost: -(EBADMSG|74)\$" ||
		{ dmesg_since "$mark" | grep 'target pg' | sed 's/^/# /'; return 1; }
	tstat_is pg reconnects -ge 1 &&
	tstat_is pg tls_handshakes -ge 2 && has_line "$WORK/pg.out" "1 garbage sent" &&
	has_line "$WORK/pg.out" "none in clear" && ! has_line "$WORK/pg.out" "some in clear" &&
	"$KLOGFWD" target del pg && stop pg
}
check "a record that does not decrypt breaks the connection (EBADMSG); then all delivered (ack app)" \
	garbage

# An ack app connection on which everything was sent and the receiver
# then sends close_notify, or an alert kernel TLS rejects (EBADMSG), and
# keeps its TCP connection open: no acknowledgment can come any more, the
# connection must end (Documentation: "an alert ends the connection") and
# the target reconnect (klf_target_app_acks() gives the end of the stream
# as EPIPE, a failed TLS read as its error; before that fix the targets
# stayed established, waiting, until TCP itself failed).
alert_idle() {
	local p1 p2 r1 r2
	agent_up || return 1
	p1=$(free_port)
	p2=$(free_port)
	r1=$(free_port)
	r2=$(free_port)
	recv_start ra1 -l "127.0.0.1:$r1" -f klf -a -d -n $n -t $((60 * KLF_SLOW)) &&
	recv_start ra2 -l "127.0.0.1:$r2" -f klf -a -d -n $n -t $((60 * KLF_SLOW)) &&
	spawn pn "${PEER[@]}" "$p1" "$C/srv.pem" "$C/srv.key" "$r1" idle-notify \
		> "$WORK/pn.out" 2>&1 &&
	spawn pl "${PEER[@]}" "$p2" "$C/srv.pem" "$C/srv.key" "$r2" idle-alert \
		> "$WORK/pl.out" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/pn.out" listening &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/pl.out" listening &&
	"$KLOGFWD" target add pn log pk to "127.0.0.1:$p1" tls peername logs.test ack app \
		backoff 50-200 &&
	"$KLOGFWD" target add pl log pk to "127.0.0.1:$p2" tls peername logs.test ack app \
		backoff 50-200 &&
	wait_for $((30 * KLF_SLOW)) has_line "$WORK/pn.out" "idle-notify sent" &&
	wait_for $((30 * KLF_SLOW)) has_line "$WORK/pl.out" "idle-alert sent" || return 1
	if ! wait_for $((3 * KLF_SLOW)) eval 'tstat_is pn reconnects -ge 1 && tstat_is pl reconnects -ge 1'; then
		echo "# pn: $("$KLOGFWD" target show pn | tail -1)"
		echo "# pl: $("$KLOGFWD" target show pl | tail -1)"
		return 1
	fi
	sed 's/^/# peer pn: /' "$WORK/pn.out"
	sed 's/^/# peer pl: /' "$WORK/pl.out"
	# target show keeps the last alert read through kernel TLS: pn's
	# close_notify; pl's alert came unprotected, which kernel TLS cannot
	# decrypt (EBADMSG): no alert
	"$KLOGFWD" target show pn | grep -q ' tls-alert warning/close_notify' &&
	"$KLOGFWD" -j target show pn | grep -q '"tls_alert": *"warning/close_notify"' &&
	! "$KLOGFWD" target show pl | grep -q tls-alert &&
	"$KLOGFWD" -j target show pl | grep -q '"tls_alert": *null' ||
		{ "$KLOGFWD" target show pn; "$KLOGFWD" target show pl; return 1; }
	recv_wait ra1 $((60 * KLF_SLOW)) && recv_wait ra2 $((60 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is pn acked_offset = $n &&
	wait_for $((10 * KLF_SLOW)) tstat_is pl acked_offset = $n &&
	! has_line "$WORK/pn.out" "some in clear" && ! has_line "$WORK/pl.out" "some in clear" &&
	"$KLOGFWD" target del pn && "$KLOGFWD" target del pl && stop pn && stop pl
}
check "close_notify or an alert on an idle ack app connection ends it; then all delivered" alert_idle

# A KeyUpdate from the server (s_server's "k" and "K" commands). Kernel
# TLS in 6.12 cannot take new keys for receiving. An ack tcp target never
# reads its connection: it goes on, and the server, whose keys for reading
# did not change, gets every record after it too (its request that we
# update ours, "K", goes unanswered: OpenSSL does not insist). An ack app
# target reads: the KeyUpdate is not data and is dropped, and the server's
# next record, under its new keys, does not decrypt (EBADMSG): the
# connection ends and the target connects again (Documentation/security.rst).
# s_server answers each command with "SSL_do_handshake -> 1".
# file_has FILE TEXT: FILE (binary: s_server's output) holds TEXT
file_has() {
	grep -aqF -- "$2" "$1"
}
# ku_server NAME: s_server (TLS 1.3) on a free port, its port on stdout;
# its commands go to $WORK/NAME.in (see s_server above); its messages
# are written to its standard output through stdio, unbuffered with stdbuf
ku_server() {
	local port
	port=$(free_port)
	mkfifo "$WORK/$1.in" || return 1
	stdbuf -o0 openssl s_server -naccept 2 -accept "127.0.0.1:$port" -tls1_3 \
		-cert "$C/srv.pem" -key "$C/srv.key" \
		<> "$WORK/$1.in" > "$WORK/$1.out" 2> "$WORK/$1.err" &
	echo "$! $(_pid_start $!)" > "$WORK/$1.bg"
	wait_for $((10 * KLF_SLOW)) port_used "$port" && echo "$port"
}
# ku_show [TARGET... SERVER...]: what the targets and servers of a KeyUpdate
# case show (kut, kua, kt and ka by default)
ku_show() {
	local f t
	[ $# -gt 0 ] || set -- kut kua kt ka
	for t in "$@"; do
		[[ $t == ku* ]] || continue
		"$KLOGFWD" target show "$t" | sed 's/^/# /'
	done
	for f in "$@"; do
		[[ $f != ku* ]] || continue
		grep -aoE 'ACCEPT|CIPHER is .*|SSL_do_handshake -> .*|ERROR|seq=[0-9]+ |^[0-9]+ (open|syslog) .*' \
			"$WORK/$f.out" | tail -n 4 | sed "s/^/# $f.out: /"
		tail -n 3 "$WORK/$f.err" | sed "s/^/# $f.err: /"
	done
}
key_update() {
	local pt pa mark k=$((200 / KLF_SLOW))
	agent_up || return 1
	mark=$(dmesg_mark) || return 1
	"$KLOGFWD" log add pu framing klf &&
	"$PRODUCE" -o /dev/klogfwd/pu -n $k --min 20 --max 500 --seed 31 > /dev/null &&
	pt=$(ku_server kt) && pa=$(ku_server ka) &&
	"$KLOGFWD" target add kut log pu to "127.0.0.1:$pt" tls peername logs.test &&
	"$KLOGFWD" target add kua log pu to "127.0.0.1:$pa" tls peername logs.test ack app \
		backoff 50-200 &&
	if ! { wait_for $((30 * KLF_SLOW)) file_has "$WORK/kt.out" "seq=$((k - 1)) " &&
	       wait_for $((30 * KLF_SLOW)) file_has "$WORK/ka.out" "seq=$((k - 1)) " &&
	       echo K > "$WORK/kt.in" && echo k > "$WORK/ka.in" &&
	       wait_for $((10 * KLF_SLOW)) file_has "$WORK/kt.out" "SSL_do_handshake -> 1" &&
	       wait_for $((10 * KLF_SLOW)) file_has "$WORK/ka.out" "SSL_do_handshake -> 1"; }; then
		ku_show
		return 1
	fi
	echo "after the update" > "$WORK/ka.in" &&
	"$PRODUCE" -o /dev/klogfwd/pu -n $k --seq-start $k --min 20 --max 500 --seed 32 \
		> /dev/null || return 1
	# ack tcp: the same connection carries the later records
	if ! { wait_for $((30 * KLF_SLOW)) file_has "$WORK/kt.out" "seq=$((2 * k - 1)) " &&
	       wait_for $((10 * KLF_SLOW)) tstat_is kut acked_offset = $((2 * k)) &&
	       tstat_is kut tls_handshakes = 1 && tstat_is kut reconnects = 0; }; then
		ku_show
		return 1
	fi
	# ack app: the connection ends on the record that does not decrypt
	# (-74 on the debug kernel, without CONFIG_SYMBOLIC_ERRNAME)
	if ! { wait_for $((20 * KLF_SLOW)) eval 'dmesg_since "$mark" |
		grep -qE "target kua \(log pu\): connection to 127.0.0.1:$pa lost: -(EBADMSG|74)\$"' &&
	       wait_for $((20 * KLF_SLOW)) tstat_is kua tls_handshakes -ge 2; }; then
		dmesg_since "$mark" | grep 'target ku' | sed 's/^/# /'
		"$KLOGFWD" target show kua | sed 's/^/# /'
		return 1
	fi
	"$KLOGFWD" target del kut && "$KLOGFWD" target del kua && "$KLOGFWD" log del pu &&
	stop kt KILL && stop ka KILL
}
check "a KeyUpdate from the server: ack tcp goes on; ack app ends the connection (EBADMSG), connects again" \
	key_update

# The same KeyUpdate on an ack relp connection, which reads the server's
# answers: s_server stands in for a RELP server, the test writing its
# answers through s_server's input. The KeyUpdate is dropped, the next
# answer (under the server's new keys) does not decrypt: EBADMSG, a new
# connection and RELP session, in which the five records not answered
# before are sent again, in order, and answered: every record answered once.
# relp_frames NAME SESSION: the syslog frames of s_server NAME's SESSION-th
# connection (its sessions begin with "1 open")
relp_frames() {
	awk -v s="$2" '/^1 open /{n++} n == s && /^[0-9]+ syslog /' "$WORK/$1.out"
}
# relp_open NAME: answer the open of s_server NAME's client
relp_open() {
	local d=$'200 OK\nrelp_version=0\ncommands=syslog'
	printf '1 rsp %d %s\n' "${#d}" "$d" > "$WORK/$1.in"
}
# relp_ok NAME TXNR...: answer these frames "200 OK", in one write
relp_ok() {
	local f=$1
	shift
	printf '%d rsp 6 200 OK\n' "$@" > "$WORK/$f.in"
}
# relp_expect FIRST-TXNR FIRST-RECORD COUNT: the frames of those records
relp_expect() {
	local i r
	for ((i = 0; i < $3; i++)); do
		r="ku relp $(($2 + i))"
		printf '%d syslog %d %s\n' $(($1 + i)) ${#r} "$r"
	done
}
key_update_relp() {
	local p mark i
	agent_up || return 1
	mark=$(dmesg_mark) || return 1
	p=$(ku_server kr) && "$KLOGFWD" log add pr framing lf || return 1
	for i in 1 2 3 4 5; do
		echo "ku relp $i" > /dev/klogfwd/pr || return 1
	done
	"$KLOGFWD" target add kur log pr to "127.0.0.1:$p" tls peername logs.test ack relp \
		backoff 50-200 || return 1
	if ! { wait_for $((30 * KLF_SLOW)) file_has "$WORK/kr.out" "1 open " && relp_open kr &&
	       wait_for $((10 * KLF_SLOW)) file_has "$WORK/kr.out" "ku relp 5" && relp_ok kr 2 3 4 5 6 &&
	       wait_for $((10 * KLF_SLOW)) tstat_is kur acked_offset = 5 &&
	       echo k > "$WORK/kr.in" &&
	       wait_for $((10 * KLF_SLOW)) file_has "$WORK/kr.out" "SSL_do_handshake -> 1"; }; then
		ku_show kur kr
		return 1
	fi
	for i in 6 7 8 9 10; do
		echo "ku relp $i" > /dev/klogfwd/pr || return 1
	done
	# the answers, under the server's new keys, break the connection
	if ! { wait_for $((10 * KLF_SLOW)) file_has "$WORK/kr.out" "ku relp 10" &&
	       relp_ok kr 7 8 9 10 11 &&
	       wait_for $((20 * KLF_SLOW)) eval 'dmesg_since "$mark" |
		grep -qE "target kur \(log pr\): connection to 127.0.0.1:$p lost: -(EBADMSG|74)\$"' &&
	       wait_for $((20 * KLF_SLOW)) eval '[ "$(grep -ac "^1 open " "$WORK/kr.out")" -ge 2 ]' &&
	       relp_open kr &&
	       wait_for $((10 * KLF_SLOW)) eval '[ "$(relp_frames kr 2 | wc -l)" -ge 5 ]' &&
	       relp_ok kr 2 3 4 5 6 &&
	       wait_for $((10 * KLF_SLOW)) tstat_is kur acked_offset = 10 &&
	       tstat_is kur tls_handshakes = 2; }; then
		dmesg_since "$mark" | grep 'target kur' | sed 's/^/# /'
		ku_show kur kr
		return 1
	fi
	# byte-exact: 1-10 in the first session, 6-10 again in the second
	{ relp_expect 2 1 5; relp_expect 7 6 5; } > "$WORK/kr.want1" &&
	relp_expect 2 6 5 > "$WORK/kr.want2" &&
	relp_frames kr 1 > "$WORK/kr.got1" && relp_frames kr 2 > "$WORK/kr.got2" &&
	diff "$WORK/kr.want1" "$WORK/kr.got1" && diff "$WORK/kr.want2" "$WORK/kr.got2" &&
	"$KLOGFWD" target del kur && "$KLOGFWD" log del pr && stop kr KILL
}
check "the KeyUpdate on an ack relp connection: EBADMSG, a new session sends the records not answered" \
	key_update_relp

# The agent SIGKILLed mid-handshake, in both places a request can be: ps1
# to a server that never answers, whose request the agent's child took and
# holds (its ClientHello sent); then, the agent stopped, ps2 to socat's TLS
# server, whose request waits in the kernel's queue. With the agent and its
# child killed, the module cancels both at 10 s: ETIMEDOUT, nothing sent,
# the silent server got the ClientHello and no record. A new agent serves
# ps2's retry: every record arrives, in order.
agent_killed() {
	local sport port rport pid child
	agent_up || return 1
	sport=$(free_port)
	port=$(free_port)
	rport=$(free_port)
	spawn silent socat -u TCP-LISTEN:"$sport",reuseaddr,fork OPEN:"$WORK/silent.bytes",creat,append \
		> "$WORK/silent.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$sport" &&
	recv_start rk -l "127.0.0.1:$rport" -f klf -d -n $n -t $((90 * KLF_SLOW)) &&
	tls_socat sk "$port" "$rport" || return 1
	pid=$(_pid_file_alive "$WORK/tlsd.bg") || return 1
	"$KLOGFWD" target add ps1 log pk to "127.0.0.1:$sport" tls peername silent.test \
		backoff 30s-60s &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/tlsd.out" "silent.test: request:" &&
	kill -STOP "$pid" &&
	"$KLOGFWD" target add ps2 log pk to "127.0.0.1:$port" tls peername logs.test \
		backoff 2s-4s &&
	wait_for $((10 * KLF_SLOW)) tstat_is ps2 state = handshake &&
	tstat_is ps1 state = handshake || return 1
	child=$(ps -o pid= --ppid "$pid")
	[ -n "$child" ] || { echo "# the agent has no child holding the request"; return 1; }
	# shellcheck disable=SC2086 # the children's pids, one word each
	kill -KILL "$pid" $child &&
	# ps2 first: it retries 1 to 2 s after its failure (then ESRCH)
	wait_for $((20 * KLF_SLOW)) tstat_is ps2 last_error = 110 &&
	tstat_is ps1 last_error = 110 || return 1
	tstat_is ps1 bytes_sent = 0 && tstat_is ps2 bytes_sent = 0 &&
	tstat_is ps1 tls_failures -ge 1 && tstat_is ps2 tls_failures -ge 1 &&
	"$KLOGFWD" target del ps1 || return 1
	[ "$(od -An -tx1 -N1 "$WORK/silent.bytes")" = " 16" ] &&
	! grep -qa 'seq=' "$WORK/silent.bytes" ||
		{ echo "# the silent server got: $(od -An -c -N64 "$WORK/silent.bytes")"; return 1; }
	agent_start &&
	recv_wait rk $((90 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is ps2 acked_offset = $n &&
	tstat_is ps2 tls_handshakes = 1 &&
	"$KLOGFWD" target del ps2 && stop silent && stop sk
}
check "agent SIGKILLed with a request held and one queued: ETIMEDOUT, nothing sent; a new agent delivers all" \
	agent_killed

# The agent stops (SIGTERM) while a target delivers, and the connection is
# reset (ECONNABORTED): the target retries with ESRCH, the records
# appended meanwhile waiting; an agent again, and every record arrives, in
# order, none lost.
agent_restart() {
	local port rport m=$((2 * n))
	agent_up || return 1
	port=$(free_port)
	rport=$(free_port)
	"$KLOGFWD" log add pa framing klf &&
	"$PRODUCE" -o /dev/klogfwd/pa -n $n --min 20 --max 3000 --seed 23 > /dev/null &&
	recv_start rr -l "127.0.0.1:$rport" -f klf -d -n $m -t $((90 * KLF_SLOW)) &&
	tls_socat sr "$port" "$rport" &&
	"$KLOGFWD" target add pr log pa to "127.0.0.1:$port" tls peername logs.test backoff 50-200 &&
	wait_for $((30 * KLF_SLOW)) tstat_is pr acked_offset = $n &&
	stop tlsd &&
	wait_for $((10 * KLF_SLOW)) reset_conn dst 127.0.0.1 dport = ":$port" &&
	"$PRODUCE" -o /dev/klogfwd/pa -n $n --seq-start $n --min 20 --max 3000 --seed 24 \
		> /dev/null &&
	# ss -K aborts the target's own socket: ECONNABORTED
	wait_for $((10 * KLF_SLOW)) tstat_is pr last_error = 3 &&
	tstat_is pr last_disconnect = 103 && tstat_is pr acked_offset = $n &&
	tstat_is pr tls_handshakes = 1 &&
	agent_start &&
	recv_wait rr $((90 * KLF_SLOW)) &&
	wait_for $((10 * KLF_SLOW)) tstat_is pr acked_offset = $m &&
	tstat_is pr tls_handshakes = 2 || return 1
	echo "# duplicates $(rstat rr duplicates) resent_bytes $(tstat pr resent_bytes)"
	[ "$(rstat rr records)" = $m ] && [ "$(rstat rr gaps)" = 0 ] &&
	"$KLOGFWD" target del pr && stop sr
}
check "agent gone, connection reset: retries with ESRCH; an agent again: no record lost" agent_restart

# Last: rmmod while a handshake is queued (the agent stopped) and another
# is held by the agent's child (a server that never answers). The module
# cancels both and unloads within a few seconds, without an oops (the VM
# checks the console); the child fails on the shut-down socket and its
# late DONE, after the unload, calls nothing of the module. Then it loads
# again and works.
rmmod_pending() {
	local sport port t0 pid
	agent_up || return 1
	sport=$(free_port)
	port=$(free_port)
	spawn silent2 socat -u TCP-LISTEN:"$sport",reuseaddr,fork OPEN:/dev/null \
		> "$WORK/silent2.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) port_used "$sport" &&
	tls_socat su "$port" 9 &&
	"$KLOGFWD" target add pu1 log pk to "127.0.0.1:$sport" tls peername silent2.test &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/tlsd.out" "silent2.test: request:" &&
	pid=$(_pid_file_alive "$WORK/tlsd.bg") && kill -STOP "$pid" &&
	"$KLOGFWD" target add pu2 log pk to "127.0.0.1:$port" tls peername logs.test &&
	wait_for $((10 * KLF_SLOW)) tstat_is pu2 state = handshake &&
	tstat_is pu1 state = handshake || return 1
	t0=$SECONDS
	rmmod klogfwd || { echo "# rmmod failed"; return 1; }
	echo "# rmmod took $((SECONDS - t0)) s"
	[ $((SECONDS - t0)) -le $((5 * KLF_SLOW)) ] && [ ! -e /sys/module/klogfwd ] &&
	kill -CONT "$pid" &&
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/tlsd.out" "silent2.test: DONE" &&
	_pid_file_alive "$WORK/tlsd.bg" > /dev/null &&
	insmod "$ko" && "$KLOGFWD" version > /dev/null &&
	"$KLOGFWD" log add pk framing klf && "$KLOGFWD" log del pk &&
	stop silent2 && stop su && stop tlsd
}
check "rmmod with a handshake queued and one held by the agent: unloads at once; loads again" \
	rmmod_pending

ktap_finish
