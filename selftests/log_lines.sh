#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# input lines: everyday producers (cat, sed, tail -F, Python's print(),
# rsyslog's omfile) write to /dev/klogfwd/NAME unmodified, and each line
# becomes one record whatever their buffering; a partial line waits for its
# newline or close(); empty lines are skipped; an overlong line is cut to
# max-record and counted, never split; input record (the default) keeps one
# write() = one record.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="ll llo llr lld"
trap 'cleanup_targets; [ -s "$WORK/rsyslog.pid" ] && kill "$(cat "$WORK/rsyslog.pid")"
      [ -n "${tailpid:-}" ] && kill "$tailpid" 2> /dev/null' EXIT

ktap_plan
dev=/dev/klogfwd/ll


# records LOG: the log's records, one per line (lf framing: as stored)
records() {
	cat "/dev/klogfwd/$1"
}

# fresh: empty the lf log ll (delete and add it again) with SETTINGS
fresh() {
	"$KLOGFWD" log del ll 2> /dev/null
	"$KLOGFWD" log add ll input lines "$@"
}

# same LOG FILE: the log's records are exactly the lines of FILE
same() {
	records "$1" > "$WORK/got" && cmp "$WORK/got" "$2"
}

show_input() {
	"$KLOGFWD" log add llr &&
	"$KLOGFWD" log show llr | grep -q ' input record' &&
	fresh && "$KLOGFWD" log show ll | grep -q ' input lines' &&
	test "$("$KLOGFWD" -j log show ll | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["input"])')" = lines
}
check "input record is the default; log show and -j report input lines" show_input

sed_pipe() {
	fresh &&
	seq 1 3000 | sed 's/^/line /' > "$dev" &&
	seq 1 3000 | sed 's/^/line /' > "$WORK/want" &&
	same ll "$WORK/want" && test "$(lstat ll appends)" = 3000
}
check "seq | sed > device: 3000 lines, 3000 records (stdio writes 4 KiB blocks)" sed_pipe

cat_file() {
	fresh &&
	printf 'first\n\n\nsecond line\n\nthird\n' > "$WORK/in" &&
	cat "$WORK/in" > "$dev" &&
	printf 'first\nsecond line\nthird\n' > "$WORK/want" &&
	same ll "$WORK/want" && test "$(lstat ll appends)" = 3
}
check "cat FILE > device: empty lines skipped, the others one record each" cat_file

python_print() {
	fresh &&
	python3 -c 'for i in range(500): print("buffered", i, "x" * (i % 97))' > "$dev" &&
	python3 -u -c 'for i in range(500): print("unbuffered", i, "y" * (i % 89))' > "$dev" &&
	{ python3 -c 'for i in range(500): print("buffered", i, "x" * (i % 97))'
	  python3 -c 'for i in range(500): print("unbuffered", i, "y" * (i % 89))'; } > "$WORK/want" &&
	same ll "$WORK/want" && test "$(lstat ll appends)" = 1000
}
check "python3 print(), buffered and -u: one record per line" python_print

partial() {
	fresh || return 1
	exec 3> "$dev"
	printf 'abc' >&3
	[ "$(lstat ll appends)" = 0 ] || { echo "a partial line was appended"; exec 3>&-; return 1; }
	printf 'def\nghi' >&3
	[ "$(records ll)" = abcdef ] || { echo "got '$(records ll)'"; exec 3>&-; return 1; }
	printf 'jkl' >&3
	exec 3>&-
	printf 'abcdef\nghijkl\n' > "$WORK/want" && same ll "$WORK/want"
}
check "a line spans writes; the partial line is appended at its newline or at close()" partial

tail_follow() {
	fresh && : > "$WORK/src" || return 1
	tail -n +1 -F "$WORK/src" > "$dev" 2> /dev/null &
	tailpid=$!
	for i in $(seq 1 20); do
		echo "tailed $i" >> "$WORK/src"
		wait_for 10 eval '[ "$(lstat ll appends)" = '"$i"' ]' || { echo "line $i not appended"; return 1; }
	done
	kill $tailpid; wait $tailpid 2> /dev/null; tailpid=
	same ll "$WORK/src"
}
check "tail -F > device: each line is a record as soon as it is written" tail_follow

long_line() {
	fresh max-record 128k &&
	head -c 70000 /dev/zero | tr '\0' 'a' > "$WORK/want" && echo >> "$WORK/want" &&
	tr 'b' 'a' < "$WORK/want" > "$dev" &&
	same ll "$WORK/want" && test "$(lstat ll appends)" = 1
}
check "a 70000-byte line through tr is one record, not split by pipe writes" long_line

cut_line() {
	fresh max-record 1k &&
	{ echo before; head -c 3000 /dev/zero | tr '\0' 'c'; echo; echo after; } > "$WORK/in" &&
	cat "$WORK/in" > "$dev" &&
	{ echo before; head -c 1024 /dev/zero | tr '\0' 'c'; echo; echo after; } > "$WORK/want" &&
	same ll "$WORK/want" && test "$(lstat ll lines_cut)" = 1 && test "$(lstat ll appends)" = 3
}
check "a line over max-record: cut to max-record, counted (lines_cut), the rest dropped" cut_line

octet_lines() {
	"$KLOGFWD" log add llo framing octet input lines &&
	seq 3 > /dev/klogfwd/llo &&
	test "$(cat /dev/klogfwd/llo)" = "1 11 21 3"
}
check "framing octet, input lines: seq 3 > device is 3 records" octet_lines

record_mode() {
	# input record (llr): one write is one record, a held newline included
	python3 - <<-'PY' || return 1
	import errno, os
	fd = os.open("/dev/klogfwd/llr", os.O_WRONLY)
	try:
	    os.write(fd, b"one\ntwo")
	    raise SystemExit("a write holding a newline was taken")
	except OSError as e:
	    assert e.errno == errno.EINVAL, e
	os.write(fd, b"one\n")
	os.write(fd, b"tw")
	os.write(fd, b"o")
	PY
	test "$(records llr | tr '\n' ,)" = one,tw,o,
}
check "input record: a write holding a newline is refused (lf), one write one record" record_mode

switch_mode() {
	fresh || return 1
	exec 3> "$dev"
	printf 'part' >&3
	"$KLOGFWD" log set ll input record
	printf 'rec\n' >&3
	exec 3>&-
	printf 'part\nrec\n' > "$WORK/want" && same ll "$WORK/want"
}
check "log set input record: an open file's partial line is appended before the next record" switch_mode

# rsyslog writing to the device with omfile: it buffers and writes a batch
# of messages at the end of each transaction, many lines in one write()
n=$((1000 / KLF_SLOW))
port=$(free_port)
rsyslog_omfile() {
	command -v rsyslogd > /dev/null || { echo "rsyslogd is not installed"; return 1; }
	fresh && mkdir -p "$WORK/rsyslog" && cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog")
module(load="imtcp")
template(name="raw" type="string" string="%msg:2:\$%\n")
ruleset(name="klf") {
	action(type="omfile" file="$dev" template="raw" ioBufferSize="64k")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="klf")
CONF
	rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" > "$WORK/rsyslogd.log" 2>&1 &&
	wait_for 10 eval "ss -Hltn 'sport = :$port' | grep -q ." || return 1
	for i in $(seq 1 $n); do echo "<13>Dec  4 10:00:00 host app: omfile message $i"; done \
		> "/dev/tcp/127.0.0.1/$port"
	for i in $(seq 1 $n); do echo "omfile message $i"; done > "$WORK/want"
	wait_for 60 eval '[ "$(lstat ll appends)" -ge '"$n"' ]' && kill "$(cat "$WORK/rsyslog.pid")" &&
	wait_for 10 eval '! [ -e /proc/$(cat "$WORK/rsyslog.pid") ]'
	rm -f "$WORK/rsyslog.pid"
	same ll "$WORK/want"
}
check "rsyslogd omfile writes to the device: $n messages, one record each" rsyslog_omfile

# a full disk in the middle of a write: the write returns the bytes of the
# lines appended, ending at a newline; the failed line is not taken, so a
# retry loses and duplicates nothing
enospc() {
	mkdir -p "$WORK/small" && mount -t tmpfs -o size=256k tmpfs "$WORK/small" || return 1
	"$KLOGFWD" log add lld dir "$WORK/small" input lines segment-bytes 64k max-record 4k retain-bytes 0 ||
		return 1
	python3 - "$WORK/taken" <<-'PY' || return 1
	import errno, os, sys
	data = b"".join(b"disk line %d %s\n" % (i, b"z" * (i % 300)) for i in range(4000))
	fd = os.open("/dev/klogfwd/lld", os.O_WRONLY)
	n = os.write(fd, data)
	assert 0 < n < len(data), n
	assert data[n - 1:n] == b"\n", "a short write ends at a newline"
	try:
	    os.write(fd, data[n:])
	    raise SystemExit("the write after the short one succeeded")
	except OSError as e:
	    assert e.errno == errno.ENOSPC, e
	os.close(fd)
	open(sys.argv[1], "wb").write(data[:n])
	PY
	cat /dev/klogfwd/lld > "$WORK/got"
	"$KLOGFWD" log del lld && umount "$WORK/small" && cmp "$WORK/got" "$WORK/taken"
}
check "a full disk mid-write: a short count ending at a newline, the log holds exactly those lines" enospc

# hostile producer: random bytes in random write sizes, on a log that adds
# a syslog header and cuts at 1 KiB; every record read back is whole, has
# no newline and fits max-record, and nothing is appended but lines
random_bytes() {
	fresh max-record 1k format rfc5424 hostname h app-name a || return 1
	python3 - <<-'PY'
	import os, random
	rnd = random.Random(7)
	fd = os.open("/dev/klogfwd/ll", os.O_WRONLY)
	data = bytes(rnd.getrandbits(8) for _ in range(200000))
	data = data.replace(b"\x00", b"\n")  # lines, some empty
	data = data[:150000] + data[150000:].replace(b"\n", b"\r") + b"\n"  # one of 50 KB
	i = 0
	while i < len(data):
	    n = rnd.choice([1, 2, 7, 100, 1023, 1024, 1025, 4096, 65536])
	    i += os.write(fd, data[i:i + n])
	os.close(fd)
	PY
	python3 - <<-'PY'
	import os
	fd, got = os.open("/dev/klogfwd/ll", os.O_RDONLY), b""
	while True:  # whole records per read: a 64 KiB buffer (Python's read() shrinks its own)
	    b = os.read(fd, 65536)
	    if not b:
	        break
	    got += b
	recs = got.split(b"\n")
	assert recs[-1] == b"", "the last record ends with its newline"
	assert len(recs) > 100, len(recs)
	for r in recs[:-1]:
	    assert len(r) <= 1024 and r.startswith(b"<13>1 "), r[:40]
	PY
	[ "$(lstat ll lines_cut)" -ge 1 ]
}
check "random bytes in random write sizes (format rfc5424, max-record 1k): whole records only" random_bytes

check "no partial line was lost at close (kernel log)" \
	eval '! dmesg | grep -q "partial line of .* could not be appended"'

ktap_finish
