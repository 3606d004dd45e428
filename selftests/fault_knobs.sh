#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# The module's own fault knobs (debugfs fault/): sends that fail, connects
# refused, log pages that cannot be read and sends that come back short,
# injected mid-stream. A failed send or read ends the connection and the
# target resumes exactly (ack tcp: every record once, no gap, no
# duplicate); short sends keep the stream byte-exact (klf framing: CRC32C
# and offsets checked by klf_recv).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="fke fks"
F=$KLF_DFS/fault
# every knob the module has: the checks below apply to each
ALL_KNOBS="connect_error send_error short_send read_error truncate_error log_set_delay relp_txnr sync_error"
trap 'for k in $ALL_KNOBS; do echo 0 > $F/$k; done 2>/dev/null; cleanup_targets' EXIT

# figures, printed at the end whether the cases pass or not
note() {
	echo "# $*"
	echo "$*" >> "$WORK/notes"
}
: > "$WORK/notes"

ktap_plan

# fval KNOB FIELD: 1 remaining, 2 errno, 3 injected (read without
# starting a process: fval_is runs in polls)
fval() {
	local v
	read -r -a v < "$F/$1" || return
	echo "${v[$2 - 1]}"
}

fval_is() {
	local v
	read -r -a v < "$F/$1" || return
	test "${v[$2 - 1]}" "$3" "$4"
}

# put FILE VALUE: write VALUE to FILE from this shell (a process less than
# sh -c: on the debug kernel each costs 0.2 to 0.4 s); fails if the write does
put() {
	{ echo "$2" > "$1"; } 2> /dev/null
}

knobs() {
	local k
	# a knob added to the module and not here fails this case
	[ "$(ls "$F" | sort | tr '\n' ' ')" = "$(tr ' ' '\n' <<< "$ALL_KNOBS" | sort | tr '\n' ' ')" ] ||
		{ echo "# knobs: $(ls "$F" | tr '\n' ' '); this test knows: $ALL_KNOBS"; return 1; }
	for k in $ALL_KNOBS; do
		[ "$(stat -c %a "$F/$k")" = 600 ] || { echo "# $k: mode $(stat -c %a "$F/$k")"; return 1; }
		[ "$(fval "$k" 1)" = 0 ] || { echo "# $k armed at load"; return 1; }
		as_nobody sh -c "echo 1 > $F/$k" 2>/dev/null && { echo "# nobody armed $k"; return 1; }
		fails put "$F/$k" -1 || { echo "# $k took -1"; return 1; }
		fails put "$F/$k" x || { echo "# $k took x"; return 1; }
		fails put "$F/$k" "1 4095" || { echo "# $k took 4095"; return 1; }
	done
	echo "3 113" > "$F/send_error" && [ "$(fval send_error 1)" = 3 ] &&
	[ "$(fval send_error 2)" = 113 ] && echo "0 104" > "$F/send_error"
}
check "fault knobs: 0600, inert at load, refused to nobody, bad values refused" knobs

# arm KNOB "COUNT [ERRNO]" after the target sent more, and wait until taken
arm_when_sending() {
	local t=$1 knob=$2 val=$3 sent before
	sent=$(tstat "$t" bytes_sent)
	before=$(fval "$knob" 3)
	wait_for $((20 * KLF_SLOW)) tstat_is "$t" bytes_sent -gt "$sent" || return 1
	echo "$val" > "$F/$knob" || return 1
	wait_for $((30 * KLF_SLOW)) fval_is "$knob" 1 = 0 ||
		{ echo "# $knob: $(cat "$F/$knob") not taken"; return 1; }
	echo $(($(fval "$knob" 3) - before)) >> "$WORK/$knob.n"
}

# feed LOG RATE MIN: records (seq 0, 1, ...) at RATE a second, in chunks
# of a second's worth, until $WORK/LOG.stop exists and at least MIN were
# written; the count goes to $WORK/LOG.fed. The stream outlasts the knobs
# however slow the kernel is: a knob armed is taken by a send or read of
# this stream. (Chunks of a tenth of a second cost a klf_produce start
# each, about 0.1 s on a stock kernel and 0.4 s on the debug kernel under
# TCG: there the case took 85 s for its 20 s of stream.)
feed() {
	local seq=0 c=$2
	while [ ! -e "$WORK/$1.stop" ] || [ $seq -lt "$3" ]; do
		"$PRODUCE" -o "/dev/klogfwd/$1" -n "$c" --seq-start $seq --seed $((seq + 1)) \
			--min 100 --max 2000 --rate "$2" > /dev/null 2>&1 || return 1
		seq=$((seq + c))
	done
	echo $seq > "$WORK/$1.fed"
}

errors() {
	local port prod i n=$((20000 / KLF_SLOW)) e c r rc=0 k=$((KLF_SLOW > 1 ? 1 : 3)) fed
	# at least 10 s of stream (three rounds of knobs) on stock kernels,
	# 20 s (one round) on the debug kernel, longer if the knobs take longer
	local rate=$((2000 / KLF_SLOW / (KLF_SLOW > 1 ? 2 : 1)))
	port=$(free_port)
	rm -f "$WORK"/*.n "$WORK/fke.stop" "$WORK/fke.fed"
	"$KLOGFWD" log add fke framing klf segment-bytes 1048576 || return 1
	recv_start fke -l "127.0.0.1:$port" -f klf -d -t $((300 * KLF_SLOW)) || return 1
	"$KLOGFWD" target add fke log fke to "127.0.0.1:$port" backoff 20-100 || return 1
	feed fke $rate $n &
	prod=$!
	for i in $(seq $k); do
		arm_when_sending fke send_error "1 104" || rc=1
		arm_when_sending fke read_error "1 5" || rc=1
		# the reconnect after the next failure is refused twice
		echo "2 111" > "$F/connect_error"
		arm_when_sending fke send_error "1 32" || rc=1
	done
	touch "$WORK/fke.stop"
	wait $prod || rc=1
	fed=$(cat "$WORK/fke.fed" 2>/dev/null)
	[ -n "$fed" ] || { echo "# the producer failed"; fed=-1; rc=1; }
	# everything acknowledged, and read by the receiver
	wait_for $((120 * KLF_SLOW)) tstat_is fke acked_offset = "$fed" || rc=1
	wait_for $((10 * KLF_SLOW)) recv_has fke records "$fed" || rc=1
	kill "$(cat "$WORK/fke.pid")"
	# a knob not taken must not fire in the next case
	for i in send_error read_error connect_error; do echo 0 > "$F/$i"; done
	e=$(cat "$WORK/send_error.n" | paste -sd+ | bc)
	r=$(cat "$WORK/read_error.n" | paste -sd+ | bc)
	c=$(fval connect_error 3)
	note "injected: send_error $e read_error $r connect_error $c;" \
	     "reconnects $(tstat fke reconnects) connections $(rstat fke connections)" \
	     "resent_bytes $(tstat fke resent_bytes)"
	note "receiver: records $(rstat fke records) of $fed, bytes $(rstat fke bytes)" \
	     "gaps $(rstat fke gaps) duplicates $(rstat fke duplicates)" \
	     "offset_gaps $(rstat fke offset_gaps) corrupt $(rstat fke corrupt)" \
	     "bad_crc $(rstat fke bad_crc) bad_frame $(rstat fke bad_frame)"
	[ $rc = 0 ] && [ "$e" = $((2 * k)) ] && [ "$r" = $k ] && [ "$c" -ge $((2 * k)) ] &&
	[ "$(tstat fke reconnects)" -ge $((5 * k)) ] &&
	[ "$(rstat fke records)" = "$fed" ] && [ "$(rstat fke gaps)" = 0 ] &&
	[ "$(rstat fke offset_gaps)" = 0 ] && [ "$(rstat fke corrupt)" = 0 ] &&
	[ "$(rstat fke bad_crc)" = 0 ] && [ "$(rstat fke bad_frame)" = 0 ]
}

check "send, read and connect errors mid-stream: reconnect, no record lost" errors

rstat_is() {
	test "$(rstat "$1" "$2")" "$3" "$4"
}

short() {
	local port prod n=$((20000 / KLF_SLOW)) s rc=0 rec
	port=$(free_port)
	rm -f "$WORK/short_send.n"
	"$KLOGFWD" log add fks framing klf segment-bytes 1048576 || return 1
	# no -n: the receiver stays, so that a reconnect is the sender's doing
	recv_start fks -l "127.0.0.1:$port" -f klf -t $((120 * KLF_SLOW)) || return 1
	"$KLOGFWD" target add fks log fks to "127.0.0.1:$port" || return 1
	"$PRODUCE" -o /dev/klogfwd/fks -n $n --min 1 --max 5000 \
		--rate $((2000 / KLF_SLOW)) > /dev/null 2>&1 &
	prod=$!
	arm_when_sending fks short_send 100 || rc=1
	arm_when_sending fks short_send 100 || rc=1
	wait $prod || rc=1
	wait_for $((60 * KLF_SLOW)) tstat_is fks acked_offset = $n || rc=1
	rec=$(tstat fks reconnects)
	kill -USR1 "$(cat "$WORK/fks.pid")"
	wait_for 10 rstat_is fks records = $n || rc=1
	kill "$(cat "$WORK/fks.pid")"
	s=$(cat "$WORK/short_send.n" | paste -sd+ | bc)
	note "injected: short_send $s; send_calls $(tstat fks send_calls)" \
	     "reconnects $rec eagain $(tstat fks eagain)"
	note "receiver: records $(rstat fks records) bytes $(rstat fks bytes)" \
	     "gaps $(rstat fks gaps) duplicates $(rstat fks duplicates) corrupt $(rstat fks corrupt)" \
	     "bad_crc $(rstat fks bad_crc) offset_gaps $(rstat fks offset_gaps)"
	[ $rc = 0 ] && [ "$s" = 200 ] && [ "$rec" = 0 ] &&
	[ "$(rstat fks records)" = $n ] && [ "$(rstat fks gaps)" = 0 ] &&
	[ "$(rstat fks duplicates)" = 0 ] && [ "$(rstat fks corrupt)" = 0 ] &&
	[ "$(rstat fks bad_crc)" = 0 ] && [ "$(rstat fks offset_gaps)" = 0 ] &&
	[ "$(rstat fks bad_frame)" = 0 ]
}
check "200 short sends: the stream stays byte-exact, no reconnect" short

check "objects: none left after the targets and logs are deleted" bash -c '
	for t in fke fks; do "$0" target del $t || exit 1; done
	for l in fke fks; do "$0" log del $l || exit 1; done
	! grep -v " 0$" '"$KLF_DFS"'/objects' "$KLOGFWD"

sed "s/^/# figures: /" "$WORK/notes"
ktap_finish
