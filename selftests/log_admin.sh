#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Logs managed through the CLI: create/show/set/delete with defaults (log del
# refusing a log with targets unless forced), every
# bad input rejected with a message and no change, dir logs recovered after
# deletion (a torn tail cut and counted, a lost index rebuilt), directories
# in use refused, device permissions, and network namespace isolation.

. "$(dirname "$0")/lib.sh"
require_module

k=$KLOGFWD
tmp=$(mktemp -d)
cleanup() {
	for l in $("$k" -j log show 2>/dev/null | python3 -c 'import json,sys; [print(l["name"]) for l in json.load(sys.stdin)]' 2>/dev/null); do
		case $l in adm-*) "$k" log del "$l" force ;; esac
	done
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

# field LOG KEY: a value from "log show -j" (stats keys as stats.KEY)
field() {
	"$k" -j log show "$1" | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]
for p in sys.argv[1].split("."):
	v = v[p]
print(v)' "$2"
}

ktap_plan

check "log add with defaults" "$k" log add adm-a
check "defaults: memory, lf, 16 MiB segments, 256 MiB retention, 64 KiB records" \
	test "$(field adm-a storage) $(field adm-a framing) $(field adm-a segment_bytes) $(field adm-a retain_bytes) $(field adm-a max_record) $(field adm-a overflow) $(field adm-a mode)" = \
	"memory lf 16777216 268435456 65536 drop 384"
check "the device exists, root-only" test "$(stat -c '%a %u %g' /dev/klogfwd/adm-a)" = "600 0 0"
check "log append from arguments" "$k" log append adm-a one two three
check "log append from stdin" bash -c "printf 'four\nfive\n' | '$k' log append adm-a"
check "records read back through the device, in order" \
	test "$(cat /dev/klogfwd/adm-a | tr '\n' ' ')" = "one two three four five "
check "counters: 5 records, next offset 5, 1 segment" \
	test "$(field adm-a stats.records) $(field adm-a stats.next_offset) $(field adm-a stats.segments)" = "5 5 1"

# messages with values are formatted on every kernel (6.1 through compat.c)
refused "a duplicate name is refused" ": a log named adm-a exists$" "$k" log add adm-a
refused "a bad name is refused" "invalid log name" "$k" log add .adm-bad
# a value outside the policy's range: the message names the setting, the
# value and the limits (decoded from the kernel's NLMSGERR_ATTR_POLICY)
refused "segment-bytes below 4096 is refused, naming the setting and its range" \
	"^klogfwd: log add: value 100 for segment-bytes is out of range \(4096 to 1073741824\)$" \
	"$k" log add adm-b segment-bytes 100
refused "max-record beyond its limit is refused, naming the setting and its range" \
	"^klogfwd: log add: value 2097152 for max-record is out of range \(1 to 1048576\)$" \
	"$k" log add adm-b max-record 2M
refused "backoff below 10 ms is refused, naming the setting and its range" \
	"^klogfwd: target add: value 1 for backoff-min-ms is out of range \(10 to 3600000\)$" \
	"$k" target add adm-t log adm-a to 127.0.0.1:9 backoff 1ms-5ms
refused "keepalive above 32767 s is refused, naming the setting and its range" \
	"^klogfwd: target set: value 40000 for keepalive-s is out of range \(0 to 32767\)$" \
	"$k" target set adm-nope keepalive 40000
refused "max-record that does not fit a segment is refused" \
	": max-record 8192 does not fit in segment-bytes 4096 with its framing$" \
	"$k" log add adm-b segment-bytes 4096 max-record 8192
refused "retain-bytes below segment-bytes is refused" "retain-bytes" "$k" log add adm-b retain-bytes 1000
refused "a relative dir is refused" "absolute|No such|dir" "$k" log add adm-b dir ../x
refused "a missing dir is refused" "cannot open" "$k" log add adm-b dir /nonexistent/klf
refused "sync on a memory log is refused" "memory logs" "$k" log add adm-b sync always
check "keepalive takes a time: 2m is sent as 120 s" bash -c '
	"$0" target add adm-t2 log adm-a to 127.0.0.1:9 keepalive 2m paused || exit 1
	v=$("$0" -j target show adm-t2 | python3 -c "import json,sys; print(json.load(sys.stdin)[0][\"keepalive_s\"])")
	"$0" target del adm-t2
	[ "$v" = 120 ] || { echo "# keepalive_s $v"; exit 1; }' "$k"
refused "a name longer than 31 characters is refused, saying the limit" \
	"^klogfwd: log add: name is too long: 36 bytes \(at most 31\)$" \
	"$k" log add adm-b0123456789012345678901234567890
check "nothing was created by the refused requests" fails "$k" log show adm-b
refused "an lf record with a newline is refused" "cannot be framed" "$k" log append adm-a $'x\ny'
refused "a missing log is reported" "no such log" "$k" log del adm-nope

# log del refuses a log with targets, naming them (not those of other logs)
"$k" log add adm-f && "$k" target add adm-ft1 log adm-f to 127.0.0.1:9 paused &&
	"$k" target add adm-ft2 log adm-f to 127.0.0.1:9 paused &&
	"$k" target add adm-ft3 log adm-a to 127.0.0.1:9 paused
refused "log del of a log with targets exits 1 naming them and force" \
	"^klogfwd: log del: log adm-f has 2 targets: adm-ft1, adm-ft2; not deleted\. .*'klogfwd log del adm-f force'" \
	"$k" log del adm-f
check "the refused log and its targets are still there" bash -c \
	'"$0" log show adm-f >/dev/null && "$0" target show adm-ft1 >/dev/null && "$0" target show adm-ft2 >/dev/null' "$k"
check "log del force deletes the log and its targets, not the others" bash -c \
	'"$0" log del adm-f force && ! "$0" log show adm-f 2>/dev/null &&
	[ "$("$0" target show | grep -c "^target adm-ft")" = 1 ] && "$0" target show adm-ft3 >/dev/null' "$k"
check "with its last target deleted, log del needs no force" bash -c \
	'"$0" log add adm-f && "$0" target add adm-ft1 log adm-f to 127.0.0.1:9 paused &&
	! "$0" log del adm-f 2>/dev/null && "$0" target del adm-ft1 && "$0" log del adm-f &&
	"$0" target del adm-ft3' "$k"

mkdir "$tmp/d"
check "dir log with klf framing and small segments" \
	"$k" log add adm-d dir "$tmp/d" framing klf segment-bytes 4096 max-record 512
seq 1 300 | sed 's/^/record /' | "$k" log append adm-d
refused "a directory in use is refused" "in use" "$k" log add adm-e dir "$tmp/d"
check "dir log deleted (files stay)" "$k" log del adm-d
last=$(ls "$tmp/d"/*.log | sort | tail -n1)
printf 'KLF1-torn' >> "$last"
rm -f "$(ls "$tmp/d"/*.index | sort | head -n1)"
check "re-created on the same directory" "$k" log add adm-d dir "$tmp/d" framing klf segment-bytes 4096 max-record 512
check "recovered all 300 records, counted the torn tail and the rebuilt index" \
	test "$(field adm-d stats.recovered_records) $(field adm-d stats.truncated_bytes) $(field adm-d stats.index_rebuilds) $(field adm-d stats.next_offset)" = "300 9 1 300"
check "appends continue at offset 300" "$k" log append adm-d "record 301"
check "the directory's framing file says klf" test "$(cat "$tmp/d/framing")" = klf
check "log del" "$k" log del adm-d
# scanned as lf, klf records have no valid record: the old behaviour cut
# every segment to nothing
sum=$(cat "$tmp"/d/*.log | md5sum)
refused "added again without its framing: refused, naming the framing to give" \
	"holds a log with framing (klf, not lf: add it with framing klf|%s)" \
	"$k" log add adm-d dir "$tmp/d" segment-bytes 4096 max-record 512
check "and no segment was cut or changed" test "$(cat "$tmp"/d/*.log | md5sum)" = "$sum"
printf 'bogus\n' > "$tmp/d/framing"
refused "a framing file naming no framing is refused" "must hold lf, octet or klf" \
	"$k" log add adm-d dir "$tmp/d" framing klf segment-bytes 4096 max-record 512
rm "$tmp/d/framing"
check "without the file (an older directory) the framing given is used and kept" \
	bash -c "'$k' log add adm-d dir '$tmp/d' framing klf segment-bytes 4096 max-record 512 &&
		test \"\$(cat '$tmp/d/framing')\" = klf"
check "all 301 records are back" test "$(field adm-d stats.next_offset)" = 301
check "log del" "$k" log del adm-d
# what a power failure left of a framing file that was never synced
: > "$tmp/d/framing"
check "an empty framing file (lost to a power failure) is rewritten, records kept" \
	bash -c "'$k' log add adm-d dir '$tmp/d' framing klf segment-bytes 4096 max-record 512 &&
		test \"\$(cat '$tmp/d/framing')\" = klf &&
		dmesg | grep -q 'log adm-d: its framing file is empty'"
check "all 301 records are back again" test "$(field adm-d stats.next_offset)" = 301
check "log del" "$k" log del adm-d

check "log set mode 0666 re-creates the node" "$k" log set adm-a mode 0666
check "nobody may now write to it" as_nobody bash -c 'printf six > /dev/klogfwd/adm-a'
check "nobody may not configure logs (EPERM)" fails as_nobody "$k" log add adm-x

setup_ns NSA
check "a log in another netns" ip netns exec "$NSA" "$k" log add adm-ns
check "is invisible from here" bash -c "! '$k' -j log show | grep -q adm-ns"
ip netns del "$NSA"
check "and goes away with its netns" slowwait 10 test ! -e /dev/klogfwd/adm-ns
ktap_finish
