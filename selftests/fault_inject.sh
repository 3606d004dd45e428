#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel fault injection (failslab, fail_page_alloc; debug kernel) aimed at
# the module: only allocations with a klogfwd function on the stack fail
# (require-start/require-end = the module's text, from /proc/kallsyms),
# sleeping ones included. Under faults: log creation (memory and dir; at
# random, and with every allocation of one create failing in turn through
# fail-nth, klf_failnth), appends through the device and through netlink with segments rolling,
# target creation, and a target connecting and sending. Every operation
# must succeed or fail with an errno; an append that failed is retried
# with the same record. Once the faults stop, every record acknowledged to
# a producer is delivered (klf_recv: no gap, CRC32C and payload checked),
# the log holds exactly the records acknowledged, and no object is left
# (the VM checks kmemleak and the console afterwards). The faults actually
# injected are counted from each attribute's "times".
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
D=/sys/kernel/debug
[ -d $D/failslab ] && [ -d $D/fail_page_alloc ] ||
	skip_all "no failslab/fail_page_alloc (the debug kernel has them)"
KLF_TEST_LOGS="fi fid fia"
TIMES=1000000
# dir logs on tmpfs: $WORK may be on 9p, whose client the faults also reach
# (it allocates on the module's stack when a dir log opens its files)
TMPD=/tmp/klf_fi.$$
mkdir -p $TMPD
trap 'fi_off; cleanup_targets; rm -rf $TMPD' EXIT

# the module's text: its lowest and highest function, plus one page
text_range() {
	local lo hi
	lo=$(awk '$4 == "[klogfwd]" && tolower($2) == "t" { print $1 }' /proc/kallsyms | sort | head -1)
	hi=$(awk '$4 == "[klogfwd]" && tolower($2) == "t" { print $1 }' /proc/kallsyms | sort | tail -1)
	[ -n "$lo" ] && [ "$lo" != 0000000000000000 ] || return 1
	echo "0x$lo $(printf '0x%x' $((16#$hi + 4096)))"
}
read -r TEXT_LO TEXT_HI <<< "$(text_range)"
[ -n "$TEXT_HI" ] || skip_all "no klogfwd symbols in /proc/kallsyms"

# fi_on PERCENT: fail that share of the allocations made on the module's behalf
fi_on() {
	local a
	for a in failslab fail_page_alloc; do
		echo 0 > $D/$a/probability
		echo 1 > $D/$a/interval
		echo $TIMES > $D/$a/times
		echo 0 > $D/$a/space
		echo 1 > $D/$a/verbose
		echo N > $D/$a/task-filter
		echo 32 > $D/$a/stacktrace-depth
		echo "$TEXT_LO" > $D/$a/require-start
		echo "$TEXT_HI" > $D/$a/require-end
		echo N > $D/$a/ignore-gfp-wait
	done
	echo N > $D/failslab/cache-filter
	echo 0 > $D/fail_page_alloc/min-order
	echo N > $D/fail_page_alloc/ignore-gfp-highmem
	echo "$1" > $D/failslab/probability
	echo "$1" > $D/fail_page_alloc/probability
}

fi_off() {
	echo 0 > $D/failslab/probability
	echo 0 > $D/fail_page_alloc/probability
}

# injected: faults since the last fi_on, "slab+page"
injected() {
	echo "$((TIMES - $(cat $D/failslab/times)))+$((TIMES - $(cat $D/fail_page_alloc/times)))"
}

objects_zero() {
	! grep -v ' 0$' "$KLF_DFS/objects"
}

# figures, printed at the end whether the cases pass or not
note() {
	echo "# $*"
	echo "$*" >> "$WORK/notes"
}
: > "$WORK/notes"

ktap_plan

# log creation: each attempt makes the log or fails with an error; a log
# that failed leaves nothing behind
creates() {
	local i ok=0 failed=0 stale=0 dir
	fi_on 3
	for i in $(seq 10); do
		dir=$TMPD/fc.$i
		if [ $((i % 2)) = 0 ]; then
			mkdir -p "$dir"
			set -- dir "$dir"
		else
			set --
		fi
		if "$KLOGFWD" log add fi "$@" segment-bytes 65536 max-record 16384 2> "$WORK/fc.err"; then
			ok=$((ok + 1))
			echo x > /dev/klogfwd/fi 2>/dev/null
			"$KLOGFWD" log del fi 2>> "$WORK/fc.err" ||
				{ fi_off; "$KLOGFWD" log del fi || return 1; }
		else
			failed=$((failed + 1))
			grep -q . "$WORK/fc.err" || { echo "# log add failed without a message"; return 1; }
			# the module's device object (sysfs) must be gone
			[ ! -e /sys/class/klogfwd/fi ] || { fi_off; echo "# failed log add left a device"; return 1; }
		fi
		# A node in /dev with no device behind it is devtmpfs's: when the
		# allocation for the node's name fails in device_del() (our
		# devnode callback is on the stack, so the faults reach it),
		# devtmpfs_delete_node() gives up and the node stays. Count it.
		if [ -e /dev/klogfwd/fi ] && [ ! -e /sys/class/klogfwd/fi ]; then
			stale=$((stale + 1))
			rm -f /dev/klogfwd/fi
		fi
	done
	note "log add: $ok made, $failed refused; injected (slab+page) $(injected); stale devtmpfs nodes removed: $stale"
	fi_off
	sort "$WORK/fc.err" | uniq -c | sort -rn | head -5 | sed 's/^/#   /'
	wait_for 10 objects_zero || { sed 's/^/#   /' "$KLF_DFS/objects"; return 1; }
	"$KLOGFWD" log add fi && "$KLOGFWD" log del fi
}
check "log creation (memory and dir) under allocation faults" creates

# every allocation made for one create fails in turn (fail-nth, with the
# same filters): a memory log, a dir log (made and deleted in the same
# directory each time it succeeds) and a paused target
failnth() {
	local rc=0
	mkdir -p "$TMPD/fn" || return 1
	"$KLOGFWD" log add fnt || return 1
	fi_on 0
	{ "$KLF_BIN/klf_failnth" log fn &&
	  "$KLF_BIN/klf_failnth" log fnd "$TMPD/fn" &&
	  "$KLF_BIN/klf_failnth" target fnt1 fnt 9; } > "$WORK/fn.out" 2>&1 || rc=1
	fi_off
	grep -c '^nth ' "$WORK/fn.out" | sed 's/^/# refused attempts: /'
	grep '^nth ' "$WORK/fn.out" | sed 's/^nth [0-9]*: //' | sort | uniq -c | sort -rn | head -5 |
		sed 's/^/#   /'
	grep -v '^nth ' "$WORK/fn.out" | sed 's/^/# /'
	note "fail-nth: $(grep '^faults' "$WORK/fn.out" | tr '\n' ';')"
	rm -f /dev/klogfwd/fn /dev/klogfwd/fnd	# stale devtmpfs nodes, as above
	"$KLOGFWD" log del fnt || return 1
	wait_for 10 objects_zero || { sed 's/^/#   /' "$KLF_DFS/objects"; return 1; }
	return $rc
}
check "every allocation of log add (memory, dir) and target add fails in turn: an error or success, nothing left" failnth

# produce_all LOG N: records 0..N-1 through the device; a write that failed
# is retried with the same record, so the log must hold each record once
produce_all() {
	local seq=0 fails=0 f
	while [ $seq -lt "$2" ]; do
		"$PRODUCE" -o "/dev/klogfwd/$1" -n $(($2 - seq)) --seq-start $seq \
			--min 100 --max 3000 > /dev/null 2> "$WORK/pa.err" && break
		f=$(sed -n 's/.*seq=\([0-9]*\) .*(errno \([0-9]*\)).*/\1 \2/p' "$WORK/pa.err")
		if [ -z "$f" ]; then
			# open() failed: nothing written, same record again
			f=$(sed -n "s|^klf_produce: /dev/klogfwd/$1: .*(errno \([0-9]*\))\$|$seq \1|p" "$WORK/pa.err")
			[ -n "$f" ] || { echo "# producer: $(cat "$WORK/pa.err")"; return 1; }
		fi
		echo "${f#* }" >> "$WORK/pa.errno"
		seq=${f% *}
		fails=$((fails + 1))
	done
	echo "$fails" > "$WORK/pa.fails"
}

# nl_append_all LOG FROM TO: records FROM..TO-1 through netlink (log append)
nl_append_all() {
	local seq=$2 fails=0 rec
	while [ $seq -lt "$3" ]; do
		rec=$("$PRODUCE" -o - -n 1 --seq-start $seq --min 100 --max 3000) || return 1
		if "$KLOGFWD" log append "$1" "$rec" 2>> "$WORK/na.err"; then
			seq=$((seq + 1))
		else
			fails=$((fails + 1))
		fi
	done
	echo "$fails" > "$WORK/na.fails"
}

appends() {
	local n=400 m=10 port inj lstat
	port=$(free_port)
	rm -f "$WORK"/pa.* "$WORK"/na.*
	"$KLOGFWD" log add fia framing klf segment-bytes 65536 max-record 16384 || return 1
	fi_on 2
	produce_all fia $n || { fi_off; return 1; }
	nl_append_all fia $n $((n + m)) || { fi_off; return 1; }
	inj=$(injected)
	fi_off
	note "device: $n records, $(cat "$WORK/pa.fails") writes refused" \
	     "(errno: $(sort "$WORK/pa.errno" 2>/dev/null | uniq -c | tr '\n' ' '));" \
	     "netlink: $m records, $(cat "$WORK/na.fails") refused"
	note "injected (slab+page) $inj; segments rolled $(lstat fia segments_rolled)," \
	     "rejected_io $(lstat fia rejected_io)"
	sort "$WORK/na.err" 2>/dev/null | uniq -c | sort -rn | head -3 | sed 's/^/#   /'
	[ "$(lstat fia next_offset)" = $((n + m)) ] ||
		{ echo "# the log holds $(lstat fia next_offset) records"; return 1; }
	# every acknowledged record, once, byte-exact (no fault from here on)
	recv_start fia -l "127.0.0.1:$port" -f klf -n $((n + m)) -t $((60 * KLF_SLOW)) || return 1
	"$KLOGFWD" target add fia log fia to "127.0.0.1:$port" || return 1
	recv_wait fia $((60 * KLF_SLOW)) || return 1
	note "delivered: records $(rstat fia records) bytes $(rstat fia bytes)"
	"$KLOGFWD" target del fia && "$KLOGFWD" log del fia
}
check "appends (device, netlink) and segment rolls under faults: acknowledged records kept" appends

# target creation under faults
targets() {
	local i ok=0 failed=0
	"$KLOGFWD" log add fi || return 1
	fi_on 10
	for i in $(seq 8); do
		if "$KLOGFWD" target add fit log fi to 127.0.0.1:9 paused 2> "$WORK/ft.err"; then
			ok=$((ok + 1))
			"$KLOGFWD" target del fit 2>> "$WORK/ft.err" ||
				{ fi_off; "$KLOGFWD" target del fit || return 1; }
		else
			failed=$((failed + 1))
			grep -q . "$WORK/ft.err" || { echo "# target add failed without a message"; return 1; }
		fi
	done
	note "target add: $ok made, $failed refused; injected (slab+page) $(injected)"
	fi_off
	sort "$WORK/ft.err" | uniq -c | sort -rn | head -5 | sed 's/^/#   /'
	"$KLOGFWD" log del fi
	wait_for 10 objects_zero || { sed 's/^/#   /' "$KLF_DFS/objects"; return 1; }
}
check "target creation under allocation faults" targets

# a target connects and sends with faults on (the sender is a worker: the
# text range, not the task filter, aims the faults at it)
sends() {
	local n=1000 port
	port=$(free_port)
	mkdir -p "$TMPD/fid"
	"$KLOGFWD" log add fid dir "$TMPD/fid" framing klf segment-bytes 262144 || return 1
	"$PRODUCE" -o /dev/klogfwd/fid -n $n --min 100 --max 3000 > /dev/null || return 1
	recv_start fid -l "127.0.0.1:$port" -f klf -d -n $n -t $((90 * KLF_SLOW)) || return 1
	fi_on 25
	"$KLOGFWD" target add fid log fid to "127.0.0.1:$port" backoff 20-100 ||
		{ fi_off; "$KLOGFWD" target add fid log fid to "127.0.0.1:$port" backoff 20-100 || return 1; }
	# faults for a while, then none: everything must get through
	wait_for $((10 * KLF_SLOW)) tstat_is fid records_acked -gt $((n / 3))
	note "injected while connecting and sending (slab+page) $(injected);" \
	     "reconnects $(tstat fid reconnects) (last_error $(tstat fid last_error)) eagain $(tstat fid eagain)"
	fi_off
	recv_wait fid $((90 * KLF_SLOW)) || return 1
	note "delivered: records $(rstat fid records) bytes $(rstat fid bytes)" \
	     "duplicates $(rstat fid duplicates) connections $(rstat fid connections)"
	[ "$(rstat fid gaps)" = 0 ] && [ "$(rstat fid offset_gaps)" = 0 ] &&
	[ "$(rstat fid bad_crc)" = 0 ] && [ "$(rstat fid corrupt)" = 0 ]
}
check "target connect and send under allocation faults: every record delivered" sends

check "no object left" bash -c "cleanup() { :; }; for t in fid; do '$KLOGFWD' target del \$t; done;
	'$KLOGFWD' log del fid && ! grep -v ' 0$' $KLF_DFS/objects"

sed "s/^/# figures: /" "$WORK/notes"
ktap_finish
