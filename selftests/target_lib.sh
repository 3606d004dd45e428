# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the target selftests (source after lib.sh): receivers,
# producers and waiting on counters. Everything talks to loopback or to
# namespaces the tests create.

KLF_BIN=${KLF_BIN:-$KLF_TOP/build/selftests}
RECV=$KLF_BIN/klf_recv
PRODUCE=$KLF_BIN/klf_produce
# the receivers' files and the tests' scratch: in the VM, the runner's
# KLF_WORK_BASE on tmpfs (kept in the run directory if the test fails);
# the run directory itself is 9p with cache=none, where a receiver that
# writes a record at a time took 13 ms a record on the debug kernel
WORK=${KLF_WORK_BASE:-${KLF_RUN:-/tmp}}/targets.$$
mkdir -p "$WORK"
# Dir logs go here, on tmpfs (the VM's /tmp), never in the run directory:
# 9p with cache=none, whose writes bypass the page cache the sender reads
# (Documentation/security.rst). Tests remove what they made.
DIRW=/tmp/klf-dirs.$$
mkdir -p "$DIRW"

# syslog-ng cannot be installed beside rsyslog (Debian's syslog-ng-core
# conflicts with it): make deps takes it out of the package into its own
# tree, run from there (log_syslog.sh, target_tls_peers.sh); without it
# their syslog-ng cases are skipped with $sng_skip. Its plugins
# (network() and syslog() are in libafsocket.so) are in
# usr/lib/syslog-ng/VERSION/, and VERSION is the configuration's
SNG_ROOT=${KLF_SYSLOG_NG:-/var/cache/klogfwd/syslog-ng}
sng_glob=("$SNG_ROOT"/usr/lib/syslog-ng/*/libafsocket.so)
sng_mod=${sng_glob[0]%/*}
sng_skip=
[ -x "$SNG_ROOT/usr/sbin/syslog-ng" ] && [ -d "$sng_mod" ] ||
	sng_skip="no syslog-ng in $SNG_ROOT (make deps extracts it from syslog-ng-core)"

# sng_run ARG...: that syslog-ng, with its libraries and plugins
sng_run() {
	LD_LIBRARY_PATH="$SNG_ROOT/usr/lib/syslog-ng:$SNG_ROOT/usr/lib/$(uname -m)-linux-gnu" \
		"$SNG_ROOT/usr/sbin/syslog-ng" --module-path="$sng_mod" --no-caps "$@"
}

require_tools() {
	[ -x "$RECV" ] && [ -x "$PRODUCE" ] || skip_all "klf_recv/klf_produce not built (make selftests)"
	ip link set lo up
}

# veth_ns NS DEV PEER NET: a veth pair to the namespace NS (made by
# setup_ns, with its loopback up): DEV here with NET.1/24, PEER in NS with
# NET.2/24, both up
veth_ns() {
	local ns=$1 dev=$2 peer=$3 net=$4
	ip link add "$dev" type veth peer name "$peer" netns "$ns" || return 1
	ip addr add "$net.1/24" dev "$dev" && ip link set "$dev" up || return 1
	ip -n "$ns" addr add "$net.2/24" dev "$peer" || return 1
	ip -n "$ns" link set "$peer" up
}


# has_line FILE TEXT: a line of FILE contains TEXT (grep -qF, no process)
has_line() {
	local l
	{ mapfile -t _klf_hl < "$1"; } 2> /dev/null || return 1
	for l in "${_klf_hl[@]}"; do
		[[ $l == *"$2"* ]] && return 0
	done
	return 1
}

# Background processes are tracked by pid, never found by name (pkill -f
# would also hit a namesake of another test or of the host). Their pids go
# to files in $WORK, as "PID STARTTIME" (field 22 of /proc/PID/stat: the
# pid of a process that has exited may be reused), so that what a case run
# in a subshell by check() starts is still found by the cleanup. The
# receivers' NAME.pid files hold the pid alone (tests read them), and a
# receiver has ended once its NAME.rc exists.

# _pid_start PID: the process's start time, in clock ticks since boot;
# fails if it has gone (a zombie has: an orphan waits for init to reap it)
_pid_start() {
	local stat
	read -r stat 2> /dev/null < "/proc/$1/stat" || return 1
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split into the fields after the name
	set -- $stat
	[ "$1" != Z ] && echo "${20}"
}

# _pid_file_alive FILE: the pid FILE names, if that process still runs
_pid_file_alive() {
	local pid start now
	read -r pid start 2> /dev/null < "$1" || return 1
	now=$(_pid_start "$pid") || return 1
	[ -z "$start" ] || [ "$start" = "$now" ] || return 1
	echo "$pid"
}

# spawn NAME CMD...: run CMD in the background (the caller's redirections
# apply to it); its pid in SPAWNED and in $WORK/NAME.bg for stop and
# stop_all
spawn() {
	local name=$1
	shift
	"$@" &
	SPAWNED=$!
	echo "$SPAWNED $(_pid_start "$SPAWNED")" > "$WORK/$name.bg"
}

# stop NAME [SIGNAL]: send SIGNAL (TERM) to what spawn NAME started, if it
# still runs, and wait until it has gone (10 s, 40 on the debug kernel)
stop() {
	local pid
	pid=$(_pid_file_alive "$WORK/$1.bg") || return 0
	kill "-${2:-TERM}" "$pid" 2> /dev/null
	wait_for $((10 * KLF_SLOW)) _pid_file_gone "$WORK/$1.bg"
}

_pid_file_gone() {
	! _pid_file_alive "$1" > /dev/null
}

# stop_all: stop every process spawn and recv_start started that still
# runs (a receiver whose exit status is in $WORK/NAME.rc has ended)
stop_all() {
	local f pid
	for f in "$WORK"/*.bg "$WORK"/*.pid; do
		[ -e "$f" ] || continue
		[ "${f%.pid}" = "$f" ] || [ ! -e "${f%.pid}.rc" ] || continue
		pid=$(_pid_file_alive "$f") && kill "$pid" 2> /dev/null
	done
	return 0
}

# recv_start NAME ARGS...: start klf_recv in the background and wait until
# it listens. Its pid goes to PID_<NAME>, its exit status to $WORK/NAME.rc,
# so that any (sub)shell can wait for it.
recv_start() {
	local name=$1
	shift
	rm -f "$WORK/$name.rc" "$WORK/$name.pid" "$WORK/$name.stats"
	(
		"$RECV" "$@" -s "$WORK/$name.stats" > "$WORK/$name.out" 2> "$WORK/$name.err" &
		echo $! > "$WORK/$name.pid"
		wait $!
		echo $? > "$WORK/$name.rc"
	) > /dev/null 2>&1 &
	# the debug kernel on a loaded machine can take longer than 10 s
	wait_for $((10 * KLF_SLOW)) test -s "$WORK/$name.pid" || return 1
	read -r "PID_$name" < "$WORK/$name.pid"
	wait_for $((10 * KLF_SLOW)) has_line "$WORK/$name.out" listening
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
	kv "$WORK/$1.stats" "$2" || return
	[ -z "$KV" ] || echo "$KV"
}

# recv_stats NAME: make a receiver write its stats now (SIGUSR1) and wait
# until it has (its "writes" count changes: the file may be an earlier
# receiver's), at most 5 s (20 on the debug kernel); fails if it is not
# running
recv_stats() {
	local pid w i
	read -r pid < "$WORK/$1.pid" 2> /dev/null || return 1
	kv "$WORK/$1.stats" writes 2> /dev/null
	w=${KV:-0}
	kill -USR1 "$pid" 2> /dev/null || return 1
	for ((i = 0; i < 250 * KLF_SLOW; i++)); do
		kv "$WORK/$1.stats" writes 2> /dev/null
		[ "${KV:-0}" != "$w" ] && return 0
		nap 0.02
	done
	return 0
}

# recv_has NAME KEY VALUE: the receiver's KEY is VALUE now (it writes its
# stats on SIGUSR1); for wait_for. A TCP acknowledgment (ack tcp) comes
# from the receiver's kernel, before the receiver has read the data: wait
# for this before stopping a receiver whose count is checked.
recv_has() {
	recv_stats "$1" || return 1
	kv "$WORK/$1.stats" "$2"
	[ "$KV" = "$3" ]
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
		port_used $p || { echo $p; return; }
	done
}

# port_used PORT: a TCP socket of this namespace (any state, IPv4 or IPv6)
# has PORT as its local port: what ss -Htan "sport = :PORT" lists, read
# from /proc/net/tcp{,6} without starting a process
port_used() {
	local hex f l a
	printf -v hex '%04X' "$1"
	for f in /proc/net/tcp /proc/net/tcp6; do
		# one pass to the end (read would seek back after each line,
		# and a seq_file regenerates from there)
		{ mapfile -t _klf_pu < $f; } 2> /dev/null || continue
		for l in "${_klf_pu[@]:1}"; do
			read -r _ a _ <<< "$l"
			[ "${a##*:}" = "$hex" ] && return 0
		done
	done
	return 1
}

# reset_conn FILTER...: reset the established TCP connections that the ss
# FILTER selects (ss -K: SOCK_DESTROY, which aborts each with an RST to
# its peer), e.g. "dst 127.0.0.1 dport = :PORT" (the sender's end) or "src
# 127.0.0.1 sport = :PORT" (the receiver's); succeed only if there was one
# and it is gone. ss without sock_diag in the kernel (or its modules not
# loaded) reads /proc/net/tcp: it prints the connections and kills none.
reset_conn() {
	local killed=() now=() l loc peer c out
	# each connection as "local-peer" (two ss, nothing else spawned)
	out=$(ss -K -H -tn state established "$@" 2>/dev/null)
	while read -r _ _ loc peer _; do
		[ -n "$peer" ] && killed+=("$loc-$peer")
	done <<< "$out"
	[ ${#killed[@]} -gt 0 ] || return 1
	out=$(ss -H -tn state established "$@")
	while read -r _ _ loc peer _; do
		[ -n "$peer" ] && now+=("$loc-$peer")
	done <<< "$out"
	for l in "${killed[@]}"; do
		for c in "${now[@]}"; do
			if [ "$c" = "$l" ]; then
				echo "# ss -K did not reset the connection $l ($*)"
				return 1
			fi
		done
	done
}

cleanup_targets() {
	local t
	for t in $(ls "$KLF_DFS/targets" 2>/dev/null); do
		"$KLOGFWD" target del "$t" 2>/dev/null
	done
	stop_all
	cleanup_all_ns
	for l in $KLF_TEST_LOGS; do
		"$KLOGFWD" log del "$l" 2>/dev/null
	done
}
