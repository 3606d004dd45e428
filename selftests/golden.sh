#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12
#
# The CLI's JSON against golden files (selftests/golden/): "log show",
# "target show", "stats", "version" and "monitor", after a fixed scenario.
# Every key, its position, its type and every deterministic value must match;
# only values that differ between runs and kernels (a receiver's port,
# counters of send calls, spliced pages and copied bytes, versions, and the
# counters carried by monitor events) are replaced by "<uint>"/"<str>"
# after their type is checked (golden_norm.py). The totals counted since
# the module was loaded ("stats") are compared as their change during the
# scenario, so that the tests run before this one do not matter.
#
# A change of the JSON output is a change of the CLI's interface: update the
# golden files in the same commit, from a run of this test with
# KLF_GOLDEN_UPDATE=1, which writes what it got to $KLF_RUN/golden/:
#   tools/vm/run --load -- env KLF_GOLDEN_UPDATE=1 selftests/run golden.sh
#   cp build/vm/last/golden/*.json selftests/golden/
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="g-mem g-dir"
trap 'cleanup_targets; rm -rf "$D"' EXIT

G=$KLF_TOP/selftests/golden
NORM=$KLF_TOP/selftests/golden_norm.py
OUT=$WORK/golden
D=/tmp/klf-golden	# tmpfs: a dir log must be on a page-cache filesystem
M=$WORK/monitor.json
mkdir -p "$OUT"
rm -rf "$D"
mkdir -p "$D"

ktap_plan

# same NAME: the normalized output $OUT/NAME.json matches the golden file
same() {
	if [ "${KLF_GOLDEN_UPDATE:-0}" = 1 ]; then
		mkdir -p "$KLF_RUN/golden"
		cp "$OUT/$1.json" "$KLF_RUN/golden/"
		echo "# wrote $KLF_RUN/golden/$1.json"
	fi
	[ -s "$OUT/$1.json" ] || { echo "# no output for $1"; return 1; }
	diff -u "$G/$1.json" "$OUT/$1.json" > "$OUT/$1.diff" && return 0
	sed 's/^/# /' "$OUT/$1.diff" | head -60
	return 1
}

# the monitor has joined the group once it reports the probe's changes
probe_seen() {
	"$KLOGFWD" target set probe resume && "$KLOGFWD" target set probe pause &&
	grep -q '"name": *"probe"' "$1"
}

scenario() {
	local i recs=()

	"$KLOGFWD" log add g-mem &&
	"$KLOGFWD" target add probe log g-mem to 127.0.0.1:9 paused || return 1
	spawn monitor "$KLOGFWD" -j monitor > "$M" 2> "$WORK/monitor.err"
	wait_for $((10 * KLF_SLOW)) probe_seen "$M" && "$KLOGFWD" target del probe || return 1
	# the baseline of the counters since load: after the probe, whose
	# connection attempts depend on how fast the monitor joined
	"$KLOGFWD" -j stats > "$WORK/stats0.json" || return 1

	# a dir log with every setting away from its default; 60 records of
	# 200 bytes (204 framed) in 4 KiB segments, 8 KiB kept: segments
	# roll and the oldest are deleted, with their records
	"$KLOGFWD" log add g-dir dir "$D" framing octet segment-bytes 4096 \
		retain-bytes 8192 retain-ms 3600000 max-record 1000 \
		overflow drop sync always mode 0640 owner 0 group 0 || return 1
	for i in $(seq -w 1 60); do
		recs+=("$i$(printf '%*s' 198 '' | tr ' ' x)")
	done
	"$KLOGFWD" log append g-dir "${recs[@]}" &&
	"$KLOGFWD" log append g-mem a bb ccc || return 1

	# a paused target with every setting given, and one that delivers
	port=$(free_port)
	"$KLOGFWD" target add g-p log g-dir to 127.0.0.1:9 from earliest ack tcp \
		backoff 30000-60000 keepalive 10 user-timeout 20000 nodelay off \
		sndbuf 65536 paused &&
	recv_start g -l "127.0.0.1:$port" -f lf -o "$WORK/g.bin" -t 300 &&
	"$KLOGFWD" target add g-t log g-mem to "127.0.0.1:$port" &&
	wait_for $((20 * KLF_SLOW)) tstat_is g-t records_acked -eq 3 || return 1
	printf 'a\nbb\nccc\n' | cmp - "$WORK/g.bin"
}
check "the scenario: two logs, two targets, 3 records delivered" scenario

log_show() {
	"$KLOGFWD" -j log show | python3 "$NORM" > "$OUT/log-show.json" && same log-show
}
check "log show -j matches selftests/golden/log-show.json" log_show

target_show() {
	"$KLOGFWD" -j target show |
		python3 "$NORM" --volatile port,send_calls,pages_spliced,bytes_copied,eagain,last_connect_time \
		> "$OUT/target-show.json" && same target-show
}
check "target show -j matches selftests/golden/target-show.json" target_show

stats_version() {
	local rc=0

	# the counters since load, as their change during the scenario
	"$KLOGFWD" -j stats | python3 "$NORM" --minus "$WORK/stats0.json" \
		--delta appends,append_bytes,rejected,dropped_records,bytes_sent,records_sent,bytes_acked,records_acked,pages_spliced,bytes_copied,resent_bytes,connects,reconnects,blocked \
		--volatile pages_spliced,bytes_copied > "$OUT/stats.json" || rc=1
	"$KLOGFWD" -j version | python3 "$NORM" --volatile cli_version,kernel_release \
		> "$OUT/version.json" || rc=1
	same stats || rc=1
	same version || rc=1
	return $rc
}
check "stats -j and version -j match their golden files" stats_version

# then state changes, deletions and a recovery, seen by the monitor
events() {
	local n

	"$KLOGFWD" target set g-t pause &&
	wait_for 10 grep -q '"name": *"g-t".*"state": *"paused"' "$M" &&
	"$KLOGFWD" target set g-p resume &&
	wait_for $((20 * KLF_SLOW)) grep -q '"name": *"g-p".*"state": *"backoff"' "$M" &&
	"$KLOGFWD" target set g-p pause &&
	wait_for 10 grep -q '"name": *"g-p".*"state": *"paused"' "$M" &&
	"$KLOGFWD" target del g-t && "$KLOGFWD" target del g-p &&
	"$KLOGFWD" log del g-dir && "$KLOGFWD" log add g-dir dir "$D" framing octet \
		segment-bytes 4096 max-record 1000 &&
	wait_for 10 grep -q '"name": *"g-dir".*"event": *"recovered"' "$M" || return 1
	# a barrier, not a pause: the monitor prints events in the order the
	# kernel sent them, so once it prints a new probe event, every event
	# of the scenario (and any stray one) is in the file
	n=$(grep -c '"name": *"probe"' "$M")
	"$KLOGFWD" target add probe log g-dir to 127.0.0.1:9 paused &&
	"$KLOGFWD" target set probe resume && "$KLOGFWD" target set probe pause &&
	wait_for $((10 * KLF_SLOW)) eval '[ "$(grep -c "\"name\": *\"probe\"" "$M")" -gt "$n" ]' &&
	"$KLOGFWD" target del probe || return 1
	stop monitor INT || return 1
	[ ! -s "$WORK/monitor.err" ] || { sed 's/^/# /' "$WORK/monitor.err"; return 1; }
	# events of different objects may interleave: compare each object's
	# events, in their order
	python3 "$NORM" --lines --group --stats --drop-name probe --volatile port \
		< "$M" > "$OUT/monitor.json"
}
check "monitor -j: the events of the scenario" events
check "monitor -j matches selftests/golden/monitor.json" same monitor

ktap_finish
