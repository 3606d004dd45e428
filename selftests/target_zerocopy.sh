#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12 rt
#
# Zero-copy, proved at the TCP layer and not by the module's counters: a
# kretprobe on the kernel's by-reference transmit path counts the bytes TCP
# took as page references while a 16 MiB log is forwarded: do_tcp_sendpages()
# on kernels with sendpage (6.1), skb_splice_from_iter() on the others. Those
# bytes must cover everything the receiver got. A build that copies (for
# instance MSG_SPLICE_PAGES on 6.1, whose TCP ignores it) fails here. The
# same for an ack relp target (each lf record one RELP syslog frame, to
# relp_peer.py): TCP takes every record byte by reference, and what the
# target copies is the frame headers alone; but records of at most
# KLF_RELP_COPY_MAX (512) bytes go copied with their headers, and TCP takes
# none of their bytes by reference.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
T=/sys/kernel/tracing
KLF_TEST_LOGS="zc zr zs"
RD=/tmp/klf-zc.$$

ktap_plan

cleanup() {
	echo 0 > $T/events/kprobes/enable 2>/dev/null
	echo > $T/kprobe_events 2>/dev/null
	cleanup_targets
	rm -rf "$RD"
}
trap cleanup EXIT

[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
if grep -qw do_tcp_sendpages /proc/kallsyms; then
	fn=do_tcp_sendpages
elif grep -qw skb_splice_from_iter /proc/kallsyms; then
	fn=skb_splice_from_iter
else
	fn=
fi
check "a by-reference TCP transmit function to probe ($fn)" test -n "$fn"

n=16384
"$KLOGFWD" log add zc segment-bytes 4194304 retain-bytes 67108864
"$PRODUCE" -o /dev/klogfwd/zc -n $n --min 900 --max 1148 --seed 3 > /dev/null
port=$(free_port)
recv_start zc -l "127.0.0.1:$port" -f lf -n $n -t 300

probe() {
	echo > $T/trace
	echo 16384 > $T/buffer_size_kb
	echo "r:klf_zc $fn ret=\$retval:s64" > $T/kprobe_events &&
	echo 1 > $T/events/kprobes/klf_zc/enable
}
check "kretprobe on $fn" probe

forward() {
	"$KLOGFWD" target add zc log zc to "127.0.0.1:$port" sndbuf 4194304 &&
	recv_wait zc 300 && [ "$(rstat zc gaps)" = 0 ] && [ "$(rstat zc records)" = $n ]
}
check "16384 records (about 16 MiB) forwarded, no gap" forward

spliced() {
	local got zc
	echo 0 > $T/events/kprobes/klf_zc/enable
	got=$(rstat zc bytes)
	zc=$(grep -a 'klf_zc:' $T/trace | sed -n 's/.*ret=\(-\?[0-9]*\).*/\1/p' |
	     awk '$1 > 0 { s += $1 } END { printf "%d", s }')
	echo "# receiver got $got bytes; TCP took $zc bytes by page reference ($fn);" \
	     "module: pages_spliced $(tstat zc pages_spliced), bytes_copied $(tstat zc bytes_copied)"
	[ "$got" -gt 16000000 ] && [ "$zc" -ge "$got" ]
}
check "TCP took every byte by page reference, none by copy" spliced

# ack relp: 2048 records of about 1 KiB to a RELP peer that answers each
nr=$((2048 / KLF_SLOW))
mkdir -p "$RD"
"$KLOGFWD" log add zr segment-bytes 4194304 &&
"$PRODUCE" -o /dev/klogfwd/zr -n $nr --min 900 --max 1148 --seed 5 --ts 1 > /dev/null &&
"$PRODUCE" --expect-file "$RD/zr.expect" -n $nr --min 900 --max 1148 --seed 5 --ts 1 \
	> /dev/null || echo "# the log zr could not be made"
# and 2048 records of 40 to 500 bytes (their newline included: at most 501)
"$KLOGFWD" log add zs &&
"$PRODUCE" -o /dev/klogfwd/zs -n $nr --min 40 --max 500 --seed 6 --ts 1 > /dev/null &&
"$PRODUCE" --expect-file "$RD/zs.expect" -n $nr --min 40 --max 500 --seed 6 --ts 1 \
	> /dev/null || echo "# the log zs could not be made"
rport=$(free_port)
sport=$(free_port)
spawn peer /usr/bin/python3 -S "$KLF_TOP/selftests/relp_peer.py" serve --dir "$RD" \
	"zr:$rport:ok" "zs:$sport:ok" > "$RD/peer.log" 2> "$RD/peer.err"
wait_for $((10 * KLF_SLOW)) has_line "$RD/peer.log" listening ||
	{ echo "# relp_peer.py did not start:"; sed 's/^/#   /' "$RD/peer.err"; }

relp() {
	local want zc sent copied
	echo > $T/trace
	echo 1 > $T/events/kprobes/klf_zc/enable &&
	"$KLOGFWD" target add zr log zr to "127.0.0.1:$rport" ack relp sndbuf 4194304 &&
	wait_for $((60 * KLF_SLOW)) tstat_is zr records_acked = $nr || return 1
	echo 0 > $T/events/kprobes/klf_zc/enable
	want=$(stat -c %s "$RD/zr.expect")
	zc=$(grep -a 'klf_zc:' $T/trace | sed -n 's/.*ret=\(-\?[0-9]*\).*/\1/p' |
	     awk '$1 > 0 { s += $1 } END { printf "%d", s }')
	sent=$(tstat zr bytes_sent)
	copied=$(tstat zr bytes_copied)
	echo "# records $want bytes; TCP took $zc bytes by page reference ($fn);" \
	     "target: bytes_sent $sent, bytes_copied $copied (headers)," \
	     "pages_spliced $(tstat zr pages_spliced), send_calls $(tstat zr send_calls)"
	kv "$RD/zr.stats" errors
	[ "$KV" = 0 ] || { echo "# relp_peer.py: $KV errors"; grep '^zr: ' "$RD/peer.err" | head -5; }
	cmp "$RD/zr.expect" "$RD/zr.out" && [ "$KV" = 0 ] &&
	[ "$zc" -ge "$want" ] && [ "$copied" = $((sent - want)) ] &&
	[ "$copied" -le $((nr * 27 + 80)) ]
}
check "ack relp: every record byte by page reference, only the frame headers copied" relp

small() {
	local zc sent copied
	echo > $T/trace
	echo 1 > $T/events/kprobes/klf_zc/enable &&
	"$KLOGFWD" target add zs log zs to "127.0.0.1:$sport" ack relp &&
	wait_for $((60 * KLF_SLOW)) tstat_is zs records_acked = $nr || return 1
	echo 0 > $T/events/kprobes/klf_zc/enable
	zc=$(grep -a 'klf_zc:' $T/trace | sed -n 's/.*ret=\(-\?[0-9]*\).*/\1/p' |
	     awk '$1 > 0 { s += $1 } END { printf "%d", s }')
	sent=$(tstat zs bytes_sent)
	copied=$(tstat zs bytes_copied)
	echo "# records $(stat -c %s "$RD/zs.expect") bytes; TCP took $zc bytes by page reference;" \
	     "target: bytes_sent $sent, bytes_copied $copied, pages_spliced $(tstat zs pages_spliced)," \
	     "send_calls $(tstat zs send_calls)"
	kv "$RD/zs.stats" errors
	[ "$KV" = 0 ] || { echo "# relp_peer.py: $KV errors"; grep '^zs: ' "$RD/peer.err" | head -5; }
	cmp "$RD/zs.expect" "$RD/zs.out" && [ "$KV" = 0 ] &&
	[ "$zc" = 0 ] && [ "$copied" = "$sent" ] && [ "$(tstat zs pages_spliced)" = 0 ]
}
check "ack relp, records of at most 512 bytes: copied with their headers, none by page reference" small
stop peer

ktap_finish
