# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the target selftests (source after lib.sh): receivers,
# producers and waiting on counters. Everything talks to loopback or to
# namespaces the tests create.

KLF_BIN=${KLF_BIN:-$KLF_TOP/build/selftests}
RECV=$KLF_BIN/klf_recv
PRODUCE=$KLF_BIN/klf_produce
WORK=${KLF_RUN:-/tmp}/targets.$$
mkdir -p "$WORK"
# Dir logs go here, on tmpfs (the VM's /tmp), never in $WORK: the run
# directory is 9p with cache=none, whose writes bypass the page cache the
# sender reads (Documentation/security.rst). Tests remove what they made.
DIRW=/tmp/klf-dirs.$$
mkdir -p "$DIRW"

# the debug kernel (KASAN, lockdep, kmemleak under TCG) is several times
# slower: tests divide their record counts by this
KLF_SLOW=1
case $(uname -r) in *klfdebug*) KLF_SLOW=4 ;; esac

require_tools() {
	[ -x "$RECV" ] && [ -x "$PRODUCE" ] || skip_all "klf_recv/klf_produce not built (make selftests)"
	ip link set lo up
}

# veth_ns NS DEV PEER NET: a network namespace NS behind a veth pair, DEV
# here with NET.1/24, PEER in NS with NET.2/24, both up, and NS's loopback
veth_ns() {
	local ns=$1 dev=$2 peer=$3 net=$4
	ip netns add "$ns" || return 1
	ip link add "$dev" type veth peer name "$peer" || return 1
	ip link set "$peer" netns "$ns" || return 1
	ip addr add "$net.1/24" dev "$dev" && ip link set "$dev" up || return 1
	ip netns exec "$ns" ip addr add "$net.2/24" dev "$peer" || return 1
	ip netns exec "$ns" ip link set "$peer" up || return 1
	ip netns exec "$ns" ip link set lo up
}

# tstat TARGET KEY: a counter from debugfs
tstat() {
	sed -n "s/^$2 //p" "$KLF_DFS/targets/$1/stats"
}

# tstat_is TARGET KEY OP VALUE: compare a counter (read anew at each call,
# for wait_for)
tstat_is() {
	test "$(tstat "$1" "$2")" "$3" "$4"
}

# wait_for SECS CMD...: poll CMD every 0.2 s until it succeeds; CMD is run
# again each time, so it must read what it tests itself (tstat_is, not
# test "$(tstat ...)", whose value the shell expands once)
wait_for() {
	local end=$(( $(date +%s) + $1 ))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.2
	done
}

# recv_start NAME ARGS...: start klf_recv in the background and wait until
# it listens. Its pid goes to PID_<NAME>, its exit status to $WORK/NAME.rc,
# so that any (sub)shell can wait for it.
recv_start() {
	local name=$1
	shift
	rm -f "$WORK/$name.rc" "$WORK/$name.pid"
	(
		"$RECV" "$@" -s "$WORK/$name.stats" > "$WORK/$name.out" 2> "$WORK/$name.err" &
		echo $! > "$WORK/$name.pid"
		wait $!
		echo $? > "$WORK/$name.rc"
	) > /dev/null 2>&1 &
	# the debug kernel on a loaded machine can take longer than 10 s
	wait_for $((10 * KLF_SLOW)) test -s "$WORK/$name.pid" || return 1
	eval "PID_$name=$(cat "$WORK/$name.pid")"
	wait_for $((10 * KLF_SLOW)) grep -q listening "$WORK/$name.out"
}

# recv_wait NAME SECS: wait for a receiver to exit; its exit status
recv_wait() {
	if ! wait_for "$2" test -s "$WORK/$1.rc"; then
		echo "# receiver $1 did not finish in $2 s"
		kill -USR1 "$(cat "$WORK/$1.pid")"
		sleep 0.3
		sed 's/^/#   /' "$WORK/$1.stats" 2>/dev/null
		kill "$(cat "$WORK/$1.pid")"
		return 1
	fi
	[ "$(cat "$WORK/$1.rc")" = 0 ] && return 0
	echo "# receiver $1 exited $(cat "$WORK/$1.rc")"
	sed 's/^/#   /' "$WORK/$1.stats" "$WORK/$1.err" 2>/dev/null | head -30
	return 1
}

# rstat NAME KEY: a value from a receiver's stats file
rstat() {
	sed -n "s/^$2 //p" "$WORK/$1.stats"
}

# recv_has NAME KEY VALUE: the receiver's KEY is VALUE now (it writes its
# stats on SIGUSR1); for wait_for. A TCP acknowledgment (ack tcp) comes
# from the receiver's kernel, before the receiver has read the data: wait
# for this before stopping a receiver whose count is checked.
recv_has() {
	kill -USR1 "$(cat "$WORK/$1.pid")" 2>/dev/null || return 1
	sleep 0.3
	[ "$(rstat "$1" "$2")" = "$3" ]
}

# free_port: a TCP port nothing uses, below the ephemeral range, so that no
# outgoing connection can take it before the receiver binds it (one did:
# "Address already in use" from a port a listener check called free)
free_port() {
	local p lo
	read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range
	[ "${lo:-0}" -gt 11000 ] || lo=32768
	while :; do
		p=$((10000 + RANDOM % (lo - 10000)))
		ss -Htan "sport = :$p" | grep -q . || { echo $p; return; }
	done
}

# reset_conn FILTER...: reset the established TCP connections that the ss
# FILTER selects (ss -K: SOCK_DESTROY, which aborts each with an RST to
# its peer), e.g. "dst 127.0.0.1 dport = :PORT" (the sender's end) or "src
# 127.0.0.1 sport = :PORT" (the receiver's); succeed only if there was one
# and it is gone. ss without sock_diag in the kernel (or its modules not
# loaded) reads /proc/net/tcp: it prints the connections and kills none.
reset_conn() {
	local killed now l
	# each connection as "local peer"
	killed=$(ss -K -H -tn state established "$@" 2>/dev/null | awk '{ print $3 "-" $4 }')
	[ -n "$killed" ] || return 1
	now=$(ss -H -tn state established "$@" | awk '{ print $3 "-" $4 }')
	for l in $killed; do
		if grep -qxF "$l" <<< "$now"; then
			echo "# ss -K did not reset the connection $l ($*)"
			return 1
		fi
	done
}

cleanup_targets() {
	local t
	for t in $(ls "$KLF_DFS/targets" 2>/dev/null); do
		"$KLOGFWD" target del "$t" 2>/dev/null
	done
	pkill -f "$RECV" 2>/dev/null
	pkill socat 2>/dev/null
	for l in $KLF_TEST_LOGS; do
		"$KLOGFWD" log del "$l" 2>/dev/null
	done
}
