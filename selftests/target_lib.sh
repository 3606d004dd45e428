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

require_tools() {
	[ -x "$RECV" ] && [ -x "$PRODUCE" ] || skip_all "klf_recv/klf_produce not built (make selftests)"
	ip link set lo up
}

# tstat TARGET KEY: a counter from debugfs
tstat() {
	sed -n "s/^$2 //p" "$KLF_DFS/targets/$1/stats"
}

# wait_for SECS CMD...: poll CMD every 0.2 s until it succeeds
wait_for() {
	local end=$(( $(date +%s) + $1 ))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.2
	done
}

# recv_start NAME ARGS...: start klf_recv in the background, wait until it listens
recv_start() {
	local name=$1
	shift
	"$RECV" "$@" -s "$WORK/$name.stats" > "$WORK/$name.out" 2> "$WORK/$name.err" &
	eval "PID_$name=$!"
	wait_for 10 grep -q listening "$WORK/$name.out"
}

# recv_wait NAME SECS: wait for a receiver to exit; its exit status
recv_wait() {
	local pid
	eval "pid=\$PID_$1"
	local end=$(( $(date +%s) + $2 ))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge $end ]; then
			echo "# receiver $1 did not finish in $2 s"
			kill -USR1 "$pid"; sleep 0.3
			sed 's/^/#   /' "$WORK/$1.stats" 2>/dev/null
			kill "$pid"
			wait "$pid"
			return 1
		fi
		sleep 0.2
	done
	wait "$pid"
}

# rstat NAME KEY: a value from a receiver's stats file
rstat() {
	sed -n "s/^$2 //p" "$WORK/$1.stats"
}

# free_port: a TCP port nobody listens on
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		ss -Hltn "sport = :$p" | grep -q . || { echo $p; return; }
	done
}

cleanup_targets() {
	local t
	for t in $(ls "$KLF_DFS/targets" 2>/dev/null); do
		"$KLOGFWD" target del "$t" 2>/dev/null
	done
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
}
