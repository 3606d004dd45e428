#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# source kmsg: a log whose records are the kernel's printk records, each
# once and in order, as /dev/kmsg gives them (format raw: "PRI,SEQ,TS,-;"
# and the escaped text; rfc5424: the syslog header with the record's time),
# whatever the level, a record of several lines or one built with pr_cont;
# forwarded byte for byte; from boot counts what the ring no longer holds
# (dmesg -C) in kmsg-lost, exactly; nobody else may append, and only root
# of the initial network namespace with CAP_SYSLOG may create one; its own
# target's messages do not feed it; deleted while the kernel floods it;
# read by a kworker of the high-priority klogfwd_kmsg workqueue (nice -20).
# The records come from selftests/kmod/klf_printk.ko, "TAG i" at level i % 8.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
PKO=$KLF_TOP/build/$(uname -r)/selftests/kmod/klf_printk.ko
[ -r "$PKO" ] || skip_all "$PKO is not built (make module)"
command -v python3 > /dev/null || skip_all "python3 is not installed"
KLF_TEST_LOGS="km kb k5 kj kjl kjr kl kp kloc kr kmon kx kns kcap kcap-local kloop kflood kcount ku knospc"
KO=$KLF_TOP/build/$(uname -r)/klogfwd.ko
PTIME=/sys/module/printk/parameters/time
read -r ptime0 < "$PTIME"
trap 'thaw; cleanup_targets; [ -e /sys/module/klf_printk ] && rmmod klf_printk
      echo "$ptime0" > "$PTIME"; umount "$NOSPC" 2> /dev/null; rm -rf "$DIRW"
      [ -e /sys/module/klogfwd ] || insmod "$KO"' EXIT

# made here, not in a case: a case runs in a subshell, and the namespaces
# go with the test (NS_LIST)
setup_ns NSK > /dev/null 2>&1 || NSK=

ktap_plan
n=$((300 / KLF_SLOW))
tag=klfkm$$
CHK=$WORK/kmsg_check.py

# the checks of the records, in one python per case: a process costs
# seconds under TCG on the debug kernel
cat > "$CHK" <<'PY'
import datetime, json, os, re, sys, time

RAW = re.compile(r"(\d+),(\d+),(\d+),-;(.*)")
H5 = re.compile(r"<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})Z (\S+) kernel - - - (.*)")


def dev_bytes(log):
    """every byte of the log, read from its device"""
    # a read must have room for the next record (else EMSGSIZE)
    fd = os.open("/dev/klogfwd/" + log, os.O_RDONLY)
    chunks = []
    while True:
        b = os.read(fd, 4 << 20)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks)


def records(log):
    """a log of lf framing, one record a line"""
    text = dev_bytes(log).decode("ascii")  # the text is escaped: ASCII only
    assert text == "" or text.endswith("\n"), "a record without its newline"
    return text.split("\n")[:-1]


def raw(log):
    out = []
    for line in records(log):
        m = RAW.fullmatch(line)
        assert m, "not a raw kmsg record: %r" % line[:300]
        out.append((int(m[1]), int(m[2]), int(m[3]), m[4]))
    return out


def devkmsg():
    """what /dev/kmsg holds: {seq: (pri, seq, ts_usec, text)}"""
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    recs = {}
    while True:
        try:
            b = os.read(fd, 65536)
        except BlockingIOError:
            break
        except BrokenPipeError:
            continue  # overwritten since the last read
        head, _, rest = b.decode("ascii", "replace").partition(";")
        f = head.split(",")
        recs[int(f[1])] = (int(f[0]), int(f[1]), int(f[2]), rest.split("\n")[0])
    os.close(fd)
    return recs


def contiguous(recs):
    for a, b in zip(recs, recs[1:]):
        assert b[1] == a[1] + 1, "sequence gap: %d then %d" % (a[1], b[1])


def short(r):
    """a record for a message: a long text by its length and its end"""
    if len(r[3]) <= 200:
        return repr(r)
    return "%r: %d bytes of text, ending %r" % (r[:3], len(r[3]), r[3][-60:])


def as_devkmsg(recs, need):
    """each record equals /dev/kmsg's; those of need are all there"""
    k = devkmsg()
    for r in recs:
        if r[1] in k:
            assert r == k[r[1]], "log %s\n/dev/kmsg %s" % (short(r), short(k[r[1]]))
    missing = [r for r in need if r[1] not in k]
    assert not missing, "not in /dev/kmsg: %r" % missing[:3]


def want(tag, n, lvl=None):
    return [(i % 8 if lvl is None else lvl, "%s %d" % (tag, i)) for i in range(1, n + 1)] + \
           [(6, "%s multi first\\x0a%s multi second" % (tag, tag)), (6, "%s cont a b c" % tag)]


def same(got, exp):
    if got == exp:
        return
    for i, (g, e) in enumerate(zip(got, exp)):
        assert g == e, "record %d of the tag: %r, expected %r" % (i, g, e)
    assert False, "%d records of the tag, expected %d" % (len(got), len(exp))


def tagged(recs, tag):
    return [r for r in recs if r[3].startswith(tag + " ")]


cmd, log = sys.argv[1], sys.argv[2]
if cmd == "lines":
    # lines LOG TAG N: TAG 1..N at level i % 8, the two-line record, the
    # pr_cont one; every record of the log contiguous and as /dev/kmsg has it
    tag, n = sys.argv[3], int(sys.argv[4])
    recs = raw(log)
    contiguous(recs)
    mine = tagged(recs, tag)
    as_devkmsg(recs, [])
    same([(r[0], r[3]) for r in mine], want(tag, n))
    as_devkmsg(mine, mine)
    print(len(recs), recs[-1][1] + 1)
elif cmd == "notime":
    # notime LOG TAG N: as lines, but the records have no time (TS_USEC 0):
    # with printk.time off, kmsg_dump_get_line() gives none
    tag, n = sys.argv[3], int(sys.argv[4])
    mine = tagged(raw(log), tag)
    same([(r[0], r[3]) for r in mine], want(tag, n))
    assert all(r[2] == 0 for r in mine), "a time: %r" % [r for r in mine if r[2]][:1]
    k = devkmsg()
    for r in mine:
        if r[1] in k:
            d = k[r[1]]
            assert (r[0], r[1], r[3]) == (d[0], d[1], d[3]), "log %r\n/dev/kmsg %r" % (r, d)
elif cmd == "long":
    # long LOG COUNT: the record of COUNT lines, "x", empty ones, "x", whole
    count = int(sys.argv[3])
    exp = "x" + "\\x0a" * (count - 1) + "x"
    recs = raw(log)
    mine = [r for r in recs if r[3].startswith("x\\x0a\\x0a")]
    assert len(mine) == 1, "%d records of empty lines" % len(mine)
    as_devkmsg(mine, mine)
    assert mine[0][3] == exp, "%s, expected %d bytes" % (short(mine[0]), len(exp))
elif cmd == "user":
    # user LOG TAG: the record written to /dev/kmsg, escaped, facility user
    tag = sys.argv[3]
    recs = raw(log)
    mine = [r for r in recs if r[3].startswith(tag + " ")]
    assert len(mine) == 1, "%d records of the tag" % len(mine)
    as_devkmsg(mine, mine)
    exp = (14, tag + " tab\\x09here back\\x5cslash \\xc3\\xa9 end")
    assert (mine[0][0], mine[0][3]) == exp, "%r, expected %r" % (mine[0], exp)
elif cmd == "boot":
    # boot LOG LOST TAG: the first record is the LOST-th, then no gap
    lost, tag = int(sys.argv[3]), sys.argv[4]
    recs = raw(log)
    assert recs, "no record"
    assert recs[0][1] == lost, "first sequence number %d, kmsg_lost %d" % (recs[0][1], lost)
    contiguous(recs)
    same([(r[0], r[3]) for r in tagged(recs, tag)], want(tag, 8))
    print(recs[0][1])
elif cmd == "rfc5424":
    # rfc5424 LOG TAG N HOST: the header, the record's time within 60 s
    tag, n, host = sys.argv[3], int(sys.argv[4]), sys.argv[5]
    now = time.time()
    got = []
    for line in records(log):
        m = H5.fullmatch(line)
        assert m, "not an RFC 5424 kmsg record: %r" % line[:300]
        assert m[3] == host, "hostname %r" % m[3]
        t = datetime.datetime.strptime(m[2], "%Y-%m-%dT%H:%M:%S.%f")
        t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
        assert abs(t - now) < 60, "time %s, now %s" % (m[2], now)
        if m[4].startswith(tag + " "):
            got.append((int(m[1]), m[4]))
    same(got, want(tag, n))
elif cmd == "json":
    # json LOG RAWLOG TAG N HOST: each object as RAWLOG's record of its seq
    raw_log, tag, n, host = sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
    data = dev_bytes(log)
    assert data.endswith(b"\n"), "a record without its newline"
    byseq = {r[1]: r for r in raw(raw_log)}
    keys = ["time", "host", "app", "facility", "severity", "seq", "msg"]
    now = time.time()

    def expect(text):
        # /dev/kmsg's escapes undone, then our reading of the bytes:
        # UTF-8 kept, a byte of no valid sequence as U+00XX
        b = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), text.encode())
        return b.decode("utf-8", "klf")

    import codecs
    codecs.register_error("klf", lambda e: ("".join(chr(c) for c in e.object[e.start:e.end]), e.end))
    got = []
    for line in data.split(b"\n")[:-1]:
        o = json.loads(line.decode("utf-8"))  # strict: valid UTF-8 and JSON
        assert list(o) == keys, "members %r" % list(o)
        assert o["host"] == host and o["app"] == "kernel", "host %r app %r" % (o["host"], o["app"])
        t = datetime.datetime.strptime(o["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
        t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
        assert abs(t - now) < 60, "time %s, now %s" % (o["time"], now)
        r = byseq.get(o["seq"])
        if r is None:
            continue  # older than the raw log's records
        assert (o["facility"], o["severity"]) == (r[0] >> 3, r[0] & 7), "%r\nraw %r" % (o, r)
        assert o["msg"] == expect(r[3]), "%r\nraw %r" % (o, r)
        if o["msg"].startswith(tag):
            got.append(o)
    exp = [expect(t) for _, t in want(tag, n)] + \
        [tag + 'U q"b\\s\tt \u00e9 \u00ff\u00e2\u0082A \u00ed\u00a0\u0080 \u00c0\u00af '
         '\u00e0\u0080\u00af \u00f4\u0090\u0080\u0080 \u00f5 \u0080 \U0001f600 end x\u00e2\u0082']
    assert [o["msg"] for o in got] == exp, "%r\nexpected %r" % ([o["msg"] for o in got], exp)
    assert [o["severity"] for o in got[:n]] == [i % 8 for i in range(1, n + 1)]
    assert got[-1]["facility"] == 1 and got[-1]["severity"] == 6, got[-1]
elif cmd == "jsoncut":
    # jsoncut LOG TAG MAX: TAG's object valid, at most MAX bytes, its text
    # a prefix of whole characters
    tag, top = sys.argv[3], int(sys.argv[4])
    mine = [l for l in dev_bytes(log).split(b"\n") if tag.encode() in l]
    assert len(mine) == 1, "%d records of the tag" % len(mine)
    o = json.loads(mine[0].decode("utf-8"))
    full = tag + " " + "\u00e9" * 300
    assert len(mine[0]) <= top and len(mine[0]) > top - 8, "%d bytes" % len(mine[0])
    assert full.startswith(o["msg"]) and len(o["msg"]) < len(full), o["msg"]
elif cmd == "level":
    # level LOG TAG N MAX: the tag's records of level MAX or below, in order
    tag, n, top = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    recs = raw(log)
    mine = [(r[0] & 7, r[3]) for r in tagged(recs, tag)]
    same(mine, [w for w in want(tag, n) if w[0] <= top])
    assert all(r[0] & 7 <= top for r in recs), "a record above level %d" % top
elif cmd == "resume":
    # resume LOG TAG1 TAG2: every sequence number once, in order; both
    # tags' records whole
    recs = raw(log)
    contiguous(recs)
    for tag in sys.argv[3:]:
        same([(r[0], r[3]) for r in tagged(recs, tag)], want(tag, 8))
    print("%d records, sequence numbers %d to %d" % (len(recs), recs[0][1], recs[-1][1]))
elif cmd == "seqs":
    # seqs LOG TAG...: a raw or json log's sequence numbers contiguous;
    # each tag's records whole, once, in order
    got = []
    for line in dev_bytes(log).decode("utf-8").split("\n")[:-1]:
        if line.startswith("{"):
            o = json.loads(line)
            got.append((o["seq"], o["msg"].replace("\n", "\\x0a")))
        else:
            m = RAW.fullmatch(line)
            assert m, line[:200]
            got.append((int(m[2]), m[4]))
    for a, b in zip(got, got[1:]):
        assert b[0] == a[0] + 1, "sequence numbers %d then %d" % (a[0], b[0])
    for tag in sys.argv[3:]:
        mine = [t for _, t in got if t.startswith(tag + " ")]
        same(mine, [t for _, t in want(tag, 8)])
    print("%d records, sequence numbers %d to %d" % (len(got), got[0][0], got[-1][0]))
elif cmd == "after":
    # after LOG FILE: LOG starts with FILE's bytes; print the sequence
    # number of the first record after them
    old = open(sys.argv[3], "rb").read()
    data = dev_bytes(log)
    assert data.startswith(old), "the old records changed"
    rest = data[len(old):].decode("ascii").split("\n")[:-1]
    assert rest, "nothing after the old records"
    m = RAW.fullmatch(rest[0])
    assert m, rest[0][:200]
    print(int(m[2]))
elif cmd == "count":
    # count LOG TAG N: the flood's lines kept are in order (their text only)
    tag, n = sys.argv[3], int(sys.argv[4])
    recs = raw(log)
    contiguous_or_lost = [r[1] for r in recs]
    assert contiguous_or_lost == sorted(set(contiguous_or_lost)), "sequence numbers not increasing"
    nums = [int(r[3].split()[1]) for r in tagged(recs, tag) if r[3].split()[1].isdigit()]
    assert nums == sorted(set(nums)) and all(1 <= i <= n for i in nums), "lines out of order"
    print(len(recs), len(nums))
PY

# log_json NAME PYEXPR: "klogfwd -j log show NAME" as d, PYEXPR true of it
log_json() {
	"$KLOGFWD" -j log show "$1" > "$WORK/$1.json" || return 1
	python3 -c "import json, sys; d = json.load(open(sys.argv[1]))[0]; sys.exit(not ($2))" \
		"$WORK/$1.json" || { echo "# not $2:"; sed 's/^/#   /' "$WORK/$1.json"; return 1; }
}

# printed TAG ARGS...: klf_printk loaded with tag=TAG and ARGS, then unloaded
printed() {
	local t=$1
	shift
	insmod "$PKO" "tag=$t" "$@" && rmmod klf_printk
}

# printk_mark TEXT LEVEL: a record of the kernel's log, through /dev/kmsg
# (facility user)
printk_mark() {
	printf '<%d>%s\n' "$((8 + $2))" "$1" > /dev/kmsg
}

# holds LOG TEXT: a record of LOG has TEXT (the device reads to its end)
holds() {
	grep -qF -- "$2" "/dev/klogfwd/$1"
}

add() {
	"$KLOGFWD" log add km source kmsg from now framing lf || return 1
	"$KLOGFWD" log show km | grep -q " source kmsg from now" || { "$KLOGFWD" log show km; return 1; }
	"$KLOGFWD" log show km | grep -q " app-name kernel facility kern" || { "$KLOGFWD" log show km; return 1; }
	log_json km 'd["source"] == "kmsg" and d.get("kmsg_from", d.get("from")) == "now" and
		     d["stats"]["kmsg_lost"] == 0 and "kmsg_records" in d["stats"] and
		     d["stats"]["kmsg_next_seq"] > 0'
}
check "log add source kmsg from now: shown with source and from, counters, nothing lost" add

lines() {
	local out records lost
	printed "$tag" "n=$n" || return 1
	wait_for $((20 * KLF_SLOW)) holds km "$tag cont a b c" || { echo "# the last record never came"; return 1; }
	out=$(python3 "$CHK" lines km "$tag" $n) || { echo "$out"; return 1; }
	records=$(lstat km kmsg_records) lost=$(lstat km kmsg_lost)
	echo "# records, next: $out; kmsg_records $records, kmsg_lost $lost"
	[ "$lost" = 0 ] && [ "$records" -ge "${out% *}" ] && [ "$(lstat km kmsg_next_seq)" -ge "${out#* }" ]
}
check "$n lines at levels 0 to 7, a two-line record, a pr_cont record: each once, in order, as /dev/kmsg has it" lines

# 462 lines: 1846 bytes in /dev/kmsg (6.12 gives up to 2048), but 8780
# with the prefix kmsg_dump_get_line() puts on each
long() {
	printed "${tag}L" n=0 lines=462 &&
	wait_for $((20 * KLF_SLOW)) holds km "${tag}L cont a b c" &&
	wait_for 5 holds km 'x\x0a\x0a\x0a' &&
	python3 "$CHK" long km 462
}
check "a record of 462 lines, most of them empty, is one whole record, as /dev/kmsg has it" long

user() {
	printf '<14>%s tab\there back\\slash \xc3\xa9 end\n' "${tag}U" > /dev/kmsg &&
	wait_for $((20 * KLF_SLOW)) holds km "${tag}U tab" &&
	python3 "$CHK" user km "${tag}U"
}
check "a record written to /dev/kmsg (facility user, a tab, a backslash, UTF-8) escaped as /dev/kmsg does" user

forward() {
	local port
	port=$(free_port)
	recv_start rkm -l "127.0.0.1:$port" -f lf -o "$WORK/km.bin" -t 300 &&
	"$KLOGFWD" target add km log km to "127.0.0.1:$port" || return 1
	# its "connected" message is a record of the log, sent too
	wait_for $((30 * KLF_SLOW)) has_line "$WORK/km.bin" "target km (log km): connected to" &&
	wait_for $((30 * KLF_SLOW)) same_bytes km &&
	grep -qF "$tag multi first\\x0a$tag multi second" "$WORK/km.bin"
}
same_bytes() {
	dd if="/dev/klogfwd/$1" of="$WORK/$1.dev" bs=4M status=none 2> /dev/null &&
	cmp -s "$WORK/$1.dev" "$WORK/$1.bin"
}
check "a target sends the log to klf_recv: the bytes received are the log's" forward

# A few lines to a target with nothing else to send: the reader wakes the
# targets once every 32 records it appends and after the last of a run;
# without that last wake-up these would wait for the next line printed
idle_tail() {
	printed "${tag}I" n=5 &&
	wait_for $((20 * KLF_SLOW)) has_line "$WORK/km.bin" "${tag}I cont a b c" &&
	wait_for $((10 * KLF_SLOW)) same_bytes km
}
check "5 lines printed while the target is idle reach the receiver with nothing printed after them" idle_tail

# userspace stopped: every process but this test's own line (its
# ancestors) and the receiver gets SIGSTOP, among them a reader of
# /dev/kmsg standing for a userspace forwarder (imklog, journald). The
# lines printed meanwhile reach the receiver; the reader has none of them.
# The runner's output filter (selftests/run's sed) is stopped too: the
# case's output goes to check's command substitution meanwhile. The EXIT
# trap continues whatever is still stopped.
FROZEN=$WORK/frozen.pids
freeze() {
	local keep=" 1 " p stat rest pid
	p=$BASHPID
	while [ "$p" -gt 1 ]; do
		keep+="$p "
		read -r stat < "/proc/$p/stat" || return 1
		rest=${stat##*) }
		set -- $rest
		p=$2
	done
	keep+="$(cat "$WORK/rkm.pid") "
	: > "$FROZEN"
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		[[ $keep == *" $pid "* ]] && continue
		read -r stat < "$d/stat" 2> /dev/null || continue
		rest=${stat##*) }
		set -- $rest
		# kernel threads (PF_KTHREAD) do not stop; nor does a zombie;
		# one stopped already is not this test's to continue
		(($7 & 0x00200000)) || [ "$1" = Z ] || [ "$1" = T ] && continue
		kill -STOP "$pid" 2> /dev/null && echo "$pid" >> "$FROZEN"
	done
}
thaw() {
	[ -s "$FROZEN" ] && xargs kill -CONT < "$FROZEN" 2> /dev/null
	rm -f "$FROZEN"
}
stopped_all() {
	local pid stat rest
	while read -r pid; do
		read -r stat < "/proc/$pid/stat" 2> /dev/null || continue
		rest=${stat##*) }
		[ "${rest%% *}" = T ] || { echo "# process $pid not stopped: $stat"; return 1; }
	done < "$FROZEN"
}
userspace_stopped() {
	local rc=0 nfrozen kdev
	# never outside the test VM: it would stop a whole machine
	[ "${KLF_VM:-0}" = 1 ] || { echo "# only in the test VM (KLF_VM=1)"; return 1; }
	spawn kdev cat /dev/kmsg > "$WORK/kdev.txt"
	kdev=$SPAWNED
	printk_mark "${tag}R ready" 6 &&
	wait_for $((20 * KLF_SLOW)) grep -q "${tag}R ready" "$WORK/kdev.txt" || return 1
	freeze && stopped_all || { thaw; return 1; }
	nfrozen=$(wc -l < "$FROZEN")
	grep -qx "$kdev" "$FROZEN" || { thaw; echo "# the /dev/kmsg reader was not stopped"; return 1; }
	printed "${tag}S" n=$((200 / KLF_SLOW)) &&
	wait_for $((30 * KLF_SLOW)) has_line "$WORK/km.bin" "${tag}S cont a b c" &&
	wait_for $((30 * KLF_SLOW)) same_bytes km || rc=1
	# still stopped, and the reader saw none of it
	stopped_all && ! grep -q "${tag}S" "$WORK/kdev.txt" || rc=1
	thaw
	echo "# $nfrozen processes stopped, among them the /dev/kmsg reader"
	# the reader, running again, gets them late
	wait_for $((30 * KLF_SLOW)) grep -q "${tag}S cont a b c" "$WORK/kdev.txt" || rc=1
	stop kdev
	return $rc
}
check "userspace stopped (SIGSTOP to all but this test and the receiver): printk lines reach the receiver; a /dev/kmsg reader gets none" userspace_stopped

# printk.time=0: no "[time]" in the text kmsg_dump_get_line() gives, but
# the record still has its time, and its text may start with "["
notime() {
	echo N > "$PTIME" || { skip_case "cannot set $PTIME"; return; }
	printed "[$tag]" n=8
	echo "$ptime0" > "$PTIME"
	if ! wait_for $((20 * KLF_SLOW)) holds km "[$tag] cont a b c"; then
		echo "# no record \"[$tag] cont a b c\"; the last records of km:"
		dd if=/dev/klogfwd/km bs=4M status=none | tail -4 | cut -c1-200 | sed 's/^/# /'
		return 1
	fi
	python3 "$CHK" notime km "[$tag]" 8
}
check "with printk.time off: a text starting with \"[\" as /dev/kmsg has it, no time (TS_USEC 0)" notime

# what tools/vm/run looks for in the VM's dmesg at the end of the run
reports='WARNING:|BUG:|Oops|Call Trace:|KASAN:|UBSAN:|kfence:|KFENCE:|general protection fault'
reports+='|possible circular locking|possible recursive locking|inconsistent lock state'
reports+='|suspicious RCU usage|blocked for more than|soft lockup|hard LOCKUP|refcount_t:'
# the monitor, for the kmsg-lost events: a paused target of a local log is
# toggled until the monitor reports it (then it has joined the group)
kprobe_seen() {
	"$KLOGFWD" target set kprobe resume && "$KLOGFWD" target set kprobe pause &&
	grep -q "^target kprobe " "$WORK/kmon.txt"
}
mon_start() {
	"$KLOGFWD" log add kmon && "$KLOGFWD" target add kprobe log kmon to 127.0.0.1:9 paused || return 1
	spawn kmon "$KLOGFWD" monitor > "$WORK/kmon.txt" 2> "$WORK/kmon.err"
	wait_for $((10 * KLF_SLOW)) kprobe_seen && "$KLOGFWD" target del kprobe && "$KLOGFWD" log del kmon
}
check "klogfwd monitor joins the monitor group" mon_start

# ev_is LOG N: the monitor's kmsg-lost events of LOG add up to N
ev_is() {
	[ "$(awk -v l="$1" '$1 == "log" && $2 == l && $3 == "kmsg-lost" { n += $5 } END { print n + 0 }' \
		"$WORK/kmon.txt")" = "$2" ]
}

boot() {
	local lost first before
	# dmesg -C hides what came before from the VM's final dmesg scan
	# (tools/vm/run): look for kernel reports here first
	if dmesg | grep -aE "$reports"; then
		echo "# kernel reports in dmesg before dmesg -C"
		return 1
	fi
	before=$(lstat km kmsg_next_seq)
	dmesg -C && "$KLOGFWD" log add kb source kmsg framing lf || return 1
	"$KLOGFWD" log show kb | grep -q " source kmsg from boot" || { "$KLOGFWD" log show kb; return 1; }
	printed "${tag}B" n=8 &&
	wait_for $((20 * KLF_SLOW)) holds kb "${tag}B cont a b c" || return 1
	lost=$(lstat kb kmsg_lost)
	first=$(python3 "$CHK" boot kb "$lost" "${tag}B") || { echo "$first"; return 1; }
	echo "# first record $first, kmsg_lost $lost; km had read up to $before before dmesg -C"
	# everything before dmesg -C is lost: at least what km had read
	[ "$first" -ge "$before" ] && [ "$lost" -gt 0 ] || return 1
	wait_for $((10 * KLF_SLOW)) ev_is kb "$lost" ||
		{ echo "# monitor:"; grep " kb " "$WORK/kmon.txt" | sed 's/^/#   /'; return 1; }
}
check "from boot after dmesg -C: the first record's sequence number is kmsg_lost, then no gap, kmsg-lost events as many" boot

rfc5424() {
	"$KLOGFWD" log add k5 source kmsg from now format rfc5424 framing lf &&
	printed "${tag}R" n=16 &&
	wait_for $((20 * KLF_SLOW)) holds k5 "${tag}R cont a b c" &&
	python3 "$CHK" rfc5424 k5 "${tag}R" 16 "$(uname -n)"
}
check "format rfc5424: <PRI>1, the record's time (UTC, microseconds), host, app-name kernel" rfc5424

# format json: one object a record, each checked against km's raw record
# of the same sequence number; a /dev/kmsg record with a quote, a
# backslash, a tab, UTF-8 and bytes of no valid UTF-8; the host name's
# quote and backslash escaped
json() {
	"$KLOGFWD" log add kj source kmsg from now format json framing lf hostname 'h"q\z' &&
	printed "${tag}J" n=16 &&
	printf '<14>%s q"b\\s\tt \xc3\xa9 \xff\xe2\x82A \xed\xa0\x80 \xc0\xaf \xe0\x80\xaf \xf4\x90\x80\x80 \xf5 \x80 \xf0\x9f\x98\x80 end x\xe2\x82\n' \
		"${tag}JU" > /dev/kmsg &&
	wait_for $((20 * KLF_SLOW)) holds kj "${tag}JU" &&
	wait_for $((20 * KLF_SLOW)) holds km "${tag}JU" &&
	python3 "$CHK" json kj km "${tag}J" 16 'h"q\z' || return 1
	"$KLOGFWD" log show kj | grep -q " format json" || { "$KLOGFWD" log show kj; return 1; }
	# max-record 300: a 600-byte text is cut, the object stays whole;
	# below what the members take, refused
	"$KLOGFWD" log set kj max-record 100 2>&1 |
		grep -q "max-record 100 is too small for format json: its members take 1[0-9][0-9] bytes" ||
		return 1
	"$KLOGFWD" log set kj max-record 300 &&
	printk_mark "${tag}JL $(printf 'é%.0s' {1..300})" 6 &&
	wait_for $((20 * KLF_SLOW)) holds kj "${tag}JL" &&
	lstat_is kj lines_cut -ge 1 &&
	python3 "$CHK" jsoncut kj "${tag}JL" 300
}
check "format json: one object a record, as km's raw record of its seq has it; UTF-8 kept, other bytes \\u00XX; cut to max-record whole" json
refused "format json on a log of source local is refused" "format json is for logs with source kmsg" \
	"$KLOGFWD" log add kjl format json

# level warning: the records of levels 0 to 4 only, the others read and
# counted in kmsg_filtered (every sequence number is read, lost or
# filtered); level debug again lets all through, from the next record
level() {
	local s0 out
	"$KLOGFWD" log add kl source kmsg from now level warning framing lf || return 1
	"$KLOGFWD" log show kl | grep -q " source kmsg from now level warning poll 100" ||
		{ "$KLOGFWD" log show kl; return 1; }
	s0=$(lstat kl kmsg_next_seq)
	printed "${tag}V" n=16 && printk_mark "${tag}Vz end" 4 &&
	wait_for $((20 * KLF_SLOW)) holds kl "${tag}Vz end" || return 1
	out=$(python3 "$CHK" level kl "${tag}V" 16 4) || { echo "$out"; return 1; }
	log_json kl 'd["kmsg_level"] == 4 and d["stats"]["kmsg_filtered"] >= 8 and
		d["stats"]["kmsg_records"] + d["stats"]["kmsg_lost"] + d["stats"]["kmsg_filtered"] ==
		d["stats"]["kmsg_next_seq"] - '"$s0" || return 1
	"$KLOGFWD" log set kl level debug &&
	printed "${tag}W" n=16 &&
	wait_for $((20 * KLF_SLOW)) holds kl "${tag}W cont a b c" &&
	python3 "$CHK" level kl "${tag}W" 16 7
}
check "level warning: levels 0 to 4 kept, the others counted in kmsg_filtered; level debug: all again" level

# poll 60s: only the console tracepoint's probe can bring a record in the
# seconds it is given; set back to 100 ms, shown
poll() {
	"$KLOGFWD" log add kp source kmsg from now poll 60s framing lf &&
	"$KLOGFWD" log show kp | grep -q " poll 60000" || { "$KLOGFWD" log show kp; return 1; }
	nap 1
	printk_mark "${tag}P one" 6 &&
	wait_for $((10 * KLF_SLOW)) holds kp "${tag}P one" ||
		{ echo "# not read within $((10 * KLF_SLOW)) s: no wake-up by the tracepoint"; return 1; }
	"$KLOGFWD" log set kp poll 100ms &&
	"$KLOGFWD" log show kp | grep -qE " poll 100( |$)" &&
	log_json kp 'd["kmsg_poll_ms"] == 100'
}
check "poll 60s: a new record is read within seconds all the same (the tracepoint wakes the reader)" poll
# The readers run on klogfwd_kmsg, a high-priority workqueue (nice -20):
# a kworker that ran one is named after it ("kworker/u8:2H-klogfwd_kmsg" in
# /proc/PID/comm, the last workqueue it ran). On system_unbound_wq it would
# say "-events_unbound", at nice 0.
# reader_nice: print a line for kp's reader; true once a kworker so named
# is found, its nice (field 19 of its stat; the comm in field 2 has no
# space) in $WORK/kw_nice
reader_nice() {
	local f c st
	printk_mark "${tag}H $RANDOM" 6 || return 1
	for f in /proc/[0-9]*/comm; do
		{ read -r c < "$f"; } 2> /dev/null || continue
		[[ $c == kworker/*-klogfwd_kmsg ]] || continue
		{ read -r st < "${f%comm}stat"; } 2> /dev/null || continue
		read -r -a st <<< "$st"
		echo "${f%/comm} $c nice ${st[18]}" > "$WORK/kw_nice"
		return 0
	done
	return 1
}
reader_prio() {
	rm -f "$WORK/kw_nice"
	if ! wait_for $((10 * KLF_SLOW)) reader_nice; then
		grep -h kworker /proc/[0-9]*/comm | sort | uniq -c | sed 's/^/# /'
		return 1
	fi
	sed 's/^/# /' "$WORK/kw_nice"
	grep -q ' nice -20$' "$WORK/kw_nice"
}
check "the reader runs on klogfwd_kmsg, a high-priority workqueue: its kworker at nice -20" reader_prio
refused "poll 5 (below 10 ms) is refused, naming the setting and its range" \
	"value 5 for kmsg-poll-ms is out of range \(10 to 60000\)" "$KLOGFWD" log set kp poll 5
refused "level on a log of source local is refused" "from, level and poll are for logs with source kmsg" \
	"$KLOGFWD" log add kloc level err
refused "from on a log of source local is refused" "from, level and poll are for logs with source kmsg" \
	"$KLOGFWD" log add kloc from now

write_dev() {
	local out
	out=$(bash -c 'printf "x\n" > /dev/klogfwd/km' 2>&1) && { echo "# write succeeded"; return 1; }
	echo "# $out"
	[[ $out == *"Operation not permitted"* ]]
}
check "a write to /dev/klogfwd/km fails with EPERM" write_dev
refused "log append to it is refused" "only the kernel appends" "$KLOGFWD" log append km x

# log set SETTING: the CLI's usage error (2) or the kernel's refusal (1)
fixed() {
	local out rc
	out=$("$KLOGFWD" log set km "$@" 2>&1)
	rc=$?
	echo "# exit $rc: $out"
	[ $rc = 1 ] || [ $rc = 2 ] || return 1
	[[ $out == *fixed* ]] && "$KLOGFWD" log show km | grep -q " source kmsg from now"
}
check "log set km source local is refused: fixed at creation" fixed source local
check "log set km from boot is refused: fixed at creation" fixed from boot
refused "from resume on a memory log is refused" "from resume is for dir logs" \
	"$KLOGFWD" log add kx source kmsg from resume

# from resume: a dir log, deleted (its directory's kmsg-resume written),
# records printed meanwhile, added again: its records, the old and the new,
# have every sequence number once, in order (none twice, none skipped)
KR=$DIRW/kr
resume_add() {
	mkdir -p "$KR" && "$KLOGFWD" log add kr dir "$KR" source kmsg from resume framing lf
}
resume_del() {
	local out off
	resume_add && printed "${tag}D" n=8 &&
	wait_for $((20 * KLF_SLOW)) holds kr "${tag}D cont a b c" || return 1
	"$KLOGFWD" log show kr | grep -q " source kmsg from resume" || { "$KLOGFWD" log show kr; return 1; }
	off=$(lstat kr next_offset)
	"$KLOGFWD" log del kr && printed "${tag}E" n=8 || return 1
	echo "# $KR/kmsg-resume: $(cat "$KR/kmsg-resume"); next_offset was $off"
	grep -qxE "$(cat /proc/sys/kernel/random/boot_id) [0-9]+ $off" "$KR/kmsg-resume" || return 1
	resume_add && wait_for $((20 * KLF_SLOW)) holds kr "${tag}E cont a b c" || return 1
	out=$(python3 "$CHK" resume kr "${tag}D" "${tag}E") || { echo "$out"; return 1; }
	echo "# $out"
	lstat_is kr kmsg_lost = 0
}
check "from resume: deleted, 8 lines printed, added again: every sequence number once" resume_del

# a write of kmsg-resume that failed at log del: the file still holds the
# point written when the log was added, older than its records; the newest
# record's sequence number (raw, json) says where to go on
KJR=$DIRW/kjr
resume_stale() {
	local log=$1 dir=$2 out id seq off
	shift 2
	"$KLOGFWD" log show "$log" > /dev/null 2>&1 && { "$KLOGFWD" log del "$log" || return 1; }
	mkdir -p "$dir" && "$KLOGFWD" log add "$log" dir "$dir" source kmsg from resume framing lf "$@" &&
	cp "$dir/kmsg-resume" "$WORK/$log.start" && read -r id seq off < "$WORK/$log.start" || return 1
	# this boot's, at most where the log is now (it reads meanwhile)
	echo "# written at log add: $id $seq $off"
	[ "$id" = "$(cat /proc/sys/kernel/random/boot_id)" ] && [ "$off" -le "$(lstat "$log" next_offset)" ] &&
	printed "${tag}${log}P" n=8 &&
	wait_for $((20 * KLF_SLOW)) holds "$log" "${tag}${log}P cont a b c" &&
	"$KLOGFWD" log del "$log" && cp "$WORK/$log.start" "$dir/kmsg-resume" &&
	printed "${tag}${log}Q" n=8 &&
	"$KLOGFWD" log add "$log" dir "$dir" source kmsg from resume framing lf "$@" &&
	wait_for $((20 * KLF_SLOW)) holds "$log" "${tag}${log}Q cont a b c" || return 1
	dmesg | grep -qF "log $log: dir $dir: kmsg-resume is older than the log's records: going on after the newest record's" ||
		{ echo "# not in the kernel log"; return 1; }
	out=$(python3 "$CHK" seqs "$log" "${tag}${log}P" "${tag}${log}Q") || { echo "$out"; return 1; }
	echo "# $out"
}
check "from resume, kmsg-resume older than the records (a failed write at log del): none twice, none skipped" \
	resume_stale kr "$KR"
check "the same with format json" resume_stale kjr "$KJR" format json

# resume_other HOW: kmsg-resume replaced by one of another boot, garbage,
# one ahead of the kernel's log or of another offset than the log's next:
# the log reads from the boot's first record; what it held before stays
resume_other() {
	local first lost id seq off
	dd if=/dev/klogfwd/kr of="$WORK/kr.before" bs=4M status=none &&
	"$KLOGFWD" log del kr || return 1
	read -r id seq off < "$KR/kmsg-resume" || return 1
	case $1 in
	other) id=00000000-1111-2222-3333-444444444444 ;;
	garbage) id="not a resume point" seq= off= ;;
	ahead) seq=99999999999 ;;
	offset) off=$((off + 1)) ;;
	esac
	echo "$id${seq:+ $seq}${off:+ $off}" > "$KR/kmsg-resume"
	resume_add && printed "${tag}O" n=8 &&
	wait_for $((20 * KLF_SLOW)) holds kr "${tag}O cont a b c" || return 1
	first=$(python3 "$CHK" after kr "$WORK/kr.before") || { echo "$first"; return 1; }
	lost=$(lstat kr kmsg_lost)
	echo "# the first record read has sequence number $first; kmsg_lost $lost"
	[ "$first" = "$lost" ]
}
check "from resume, another boot's id in kmsg-resume: the old records kept, then the boot's first" \
	resume_other other
check "from resume, garbage in kmsg-resume: said, read from the boot's first record" \
	resume_other garbage
check "from resume, a sequence number ahead of the kernel's log: said, read from the boot's first" \
	resume_other ahead
check "from resume, another offset than the log's next: said, read from the boot's first" \
	resume_other offset
warned() {
	local why
	for why in "is not what klogfwd writes" "is ahead of the kernel's log" \
		   "does not match the log's records"; do
		dmesg | grep -qF "log kr: dir $KR: kmsg-resume $why: reading from the boot's first record" ||
			{ echo "# not in the kernel log: kmsg-resume $why"; return 1; }
	done
}
check "the kernel log says why kmsg-resume was not used" warned

in_ns() {
	local out
	[ -n "$NSK" ] || { skip_case "cannot make a network namespace"; return; }
	out=$(ip netns exec "$NSK" "$KLOGFWD" log add kns source kmsg 2>&1) && return 1
	echo "# $out"
	[[ $out == *"initial network namespace"* ]] &&
	! ip netns exec "$NSK" "$KLOGFWD" log show kns > /dev/null 2>&1
}
check "source kmsg in another network namespace is refused" in_ns

# root with CAP_NET_ADMIN alone (the bounding set): may add a log, not one
# of source kmsg
netadmin() {
	setpriv --bounding-set=-all,+net_admin --inh-caps=-all -- "$@"
}
nosyslog() {
	local out
	netadmin grep -q '^CapEff:.*00001000$' /proc/self/status ||
		{ netadmin grep Cap /proc/self/status; return 1; }
	netadmin "$KLOGFWD" log add kcap-local && "$KLOGFWD" log del kcap-local || return 1
	out=$(netadmin "$KLOGFWD" log add kcap source kmsg 2>&1) && return 1
	echo "# $out"
	[[ $out == *CAP_SYSLOG* ]]
}
check "source kmsg with CAP_NET_ADMIN but without CAP_SYSLOG is refused" nosyslog

# a kmsg log cannot be changed, deleted or forwarded without CAP_SYSLOG
# either: its device's mode would open the kernel's log to anybody
kmsg_perm() {
	local out what
	"$KLOGFWD" target add kperm log km to 127.0.0.1:9 paused || return 1
	for what in "log set km mode 0644" "target add kp log km to 127.0.0.1:9" \
		    "target set kperm resume" "target del kperm" "log del km force"; do
		# shellcheck disable=SC2086 # the words of the command
		out=$(netadmin "$KLOGFWD" $what 2>&1) && { echo "# $what: accepted"; return 1; }
		[[ $out == *CAP_SYSLOG* ]] || { echo "# $what: $out"; return 1; }
	done
	"$KLOGFWD" log show km | head -n 1 | grep -q " mode 0600 " &&
	! "$KLOGFWD" target show kp > /dev/null 2>&1 &&
	"$KLOGFWD" target show kperm | head -n 1 | grep -q " paused" &&
	"$KLOGFWD" target del kperm
}
check "without CAP_SYSLOG, a kmsg log's mode, deletion and targets (add, set, del) are refused" kmsg_perm

none() {
	local l
	for l in kx kns kcap; do
		! "$KLOGFWD" log show $l > /dev/null 2>&1 && [ ! -e "/dev/klogfwd/$l" ] || return 1
	done
	[ ! -e "$DIRW/kx" ] || [ -z "$(ls -A "$DIRW/kx")" ]
}
check "the refused commands created nothing" none

# a target that cannot connect says so once ("retrying quietly"): its own
# log must not grow from it
loop() {
	local r0 r1
	"$KLOGFWD" log add kloop source kmsg from now framing lf &&
	"$KLOGFWD" target add kloop log kloop to 127.0.0.1:9 || return 1
	wait_for $((20 * KLF_SLOW)) holds kloop "target kloop (log kloop): cannot connect" || return 1
	nap 1
	r0=$(lstat kloop kmsg_records)
	nap 3
	r1=$(lstat kloop kmsg_records)
	echo "# kmsg_records $r0, 3 s later $r1; target: $(tstat kloop state)"
	[ -n "$r0" ] && [ $((r1 - r0)) -le 3 ]
}
check "no feedback: a target of the log to a closed port adds at most 3 records in 3 s" loop

# the flood: level 7 (not on the serial console), more than the ring holds,
# for a few seconds (a 1 ms sleep each 100 lines); on the debug kernel,
# where a printk costs milliseconds, 6,250 (25,000 in make check-long):
# still more records than the ring's 4,096 descriptors (128 KiB)
fn=$(klf_long $((100000 / KLF_SLOW / KLF_SLOW)) $((100000 / KLF_SLOW)))
flood() {
	local s0 out t0 t1 nev
	t0=$(date +%s%N)
	"$KLOGFWD" log add kflood source kmsg from now framing lf &&
	"$KLOGFWD" log add kcount source kmsg from now framing lf || return 1
	s0=$(lstat kcount kmsg_next_seq)
	spawn flood insmod "$PKO" "tag=${tag}F" n=$fn level=7 rate=100
	wait_for $((20 * KLF_SLOW)) lstat_is kflood kmsg_records -gt 100 &&
	"$KLOGFWD" log del kflood || return 1
	wait_for $((120 * KLF_SLOW)) _pid_file_gone "$WORK/flood.bg" &&
	rmmod klf_printk &&
	wait_for $((20 * KLF_SLOW)) holds kcount "${tag}F cont a b c" || return 1
	! "$KLOGFWD" log show kflood > /dev/null 2>&1 && [ ! -e /dev/klogfwd/kflood ] || return 1
	out=$(python3 "$CHK" count kcount "${tag}F" $fn) || { echo "$out"; return 1; }
	echo "# kcount: records in the log, lines of the flood in it: $out"
	# exactly: every sequence number read or lost (one read of the three)
	log_json kcount 'print("# from %s: %s" % ('"$s0"', d["stats"])) or
		d["stats"]["kmsg_records"] + d["stats"]["kmsg_lost"] + d["stats"]["kmsg_filtered"] ==
		d["stats"]["kmsg_next_seq"] - '"$s0" || return 1
	# the monitor was told every loss
	wait_for $((10 * KLF_SLOW)) ev_is kcount "$(lstat kcount kmsg_lost)" ||
		{ echo "# kmsg_lost $(lstat kcount kmsg_lost), monitor:"; grep " kcount " "$WORK/kmon.txt" |
		  tail -n 5 | sed 's/^/#   /'; sed 's/^/#   /' "$WORK/kmon.err"; return 1; }
	t1=$(date +%s%N)
	# at most one event each 100 ms, and one when the log goes
	nev=$(grep -c "^log kcount kmsg-lost " "$WORK/kmon.txt")
	echo "# $nev kmsg-lost events of kcount in $(((t1 - t0) / 1000000)) ms"
	[ "$nev" -le $(((t1 - t0) / 100000000 + 2)) ] || return 1
	# and the monitor's receive buffer held them all
	! grep . "$WORK/kmon.err" || return 1
	stop kmon
}
check "log del while $fn lines flood the ring; another log counts records + lost exactly, as the monitor was told (one event per 100 ms at most)" flood

# a dir log of the kernel's log on a full disk (a tmpfs with 48 KiB left):
# the reader writes up to 32 records with one write, which keeps those it
# holds whole and cuts off the rest, lost and counted; the records in the
# log are those counted, the segment holds nothing more, and a recovery
# finds them all with nothing to cut
NOSPC=$WORK/nospc
nospc() {
	local s0 end n free
	mkdir -p "$NOSPC" && mount -t tmpfs -o size=1m tmpfs "$NOSPC" && mkdir "$NOSPC/log" ||
		return 1
	free=$(df -k --output=avail "$NOSPC" | tail -n1)
	dd if=/dev/zero of="$NOSPC/filler" bs=1k count=$((free - 48)) status=none
	"$KLOGFWD" log add knospc source kmsg from now dir "$NOSPC/log" framing klf || return 1
	s0=$(lstat knospc kmsg_next_seq)
	printed "${tag}N" n=1500 level=7 &&
	printk_mark "${tag}N end" 7 || return 1
	# the sequence number of the mark: the reader is done once past it
	end=$(dd if=/dev/kmsg iflag=nonblock bs=8k status=none 2> /dev/null |
	      sed -n "s/^[0-9]*,\([0-9]*\),.*;${tag}N end\$/\1/p")
	[ -n "$end" ] && wait_for $((20 * KLF_SLOW)) lstat_is knospc kmsg_next_seq -gt "$end" ||
		{ echo "# mark ${end:-not found}, next_seq $(lstat knospc kmsg_next_seq)"; return 1; }
	n=$(lstat knospc next_offset)
	echo "# $n records appended, rejected_io $(lstat knospc rejected_io)," \
		"$(cat "$NOSPC"/log/*.log | wc -c) bytes in the segment, $(lstat knospc bytes) committed"
	[ "$(lstat knospc rejected_io)" -ge 1 ] && [ "$(lstat knospc kmsg_lost)" -ge 1 ] &&
	[ "$(lstat knospc kmsg_records)" = "$n" ] &&
	[ "$(cat "$NOSPC"/log/*.log | wc -c)" = "$(lstat knospc bytes)" ] &&
	log_json knospc 'print("# from %s: %s" % ('"$s0"', d["stats"])) or
		d["stats"]["kmsg_records"] + d["stats"]["kmsg_lost"] + d["stats"]["kmsg_filtered"] ==
		d["stats"]["kmsg_next_seq"] - '"$s0" || return 1
	rm "$NOSPC/filler" && "$KLOGFWD" log del knospc &&
	"$KLOGFWD" log add knospc source kmsg from now dir "$NOSPC/log" framing klf &&
	[ "$(lstat knospc recovered_records)" = "$n" ] &&
	[ "$(lstat knospc truncated_bytes)" = 0 ] || return 1
	printk_mark "${tag}N after" 7 &&
	wait_for $((20 * KLF_SLOW)) holds knospc "${tag}N after" &&
	"$KLOGFWD" log del knospc && umount "$NOSPC"
}
check "a kmsg dir log on a full disk: records kept whole or lost and counted, none torn; recovered whole" nospc

cleanup() {
	local l
	for l in km kloop; do
		if "$KLOGFWD" target show $l > /dev/null 2>&1; then
			"$KLOGFWD" target del $l || return 1
		fi
	done
	for l in km kb k5 kj kjr kl kp kr kloop kcount; do
		"$KLOGFWD" log del $l || return 1
	done
	for l in $KLF_TEST_LOGS; do
		! "$KLOGFWD" log show "$l" > /dev/null 2>&1 || return 1
	done
}
check "all test logs and targets deleted" cleanup

# rmmod while a kmsg log is fed: its reader stops before the module goes
unload() {
	"$KLOGFWD" log add ku source kmsg from now || return 1
	printed "$tag-u" n=$((200 / KLF_SLOW)) &&
	wait_for $((20 * KLF_SLOW)) holds ku "$tag-u cont a b c" || return 1
	printed "$tag-v" n=$((200 / KLF_SLOW)) &&
	rmmod klogfwd && insmod "$KO" &&
	! "$KLOGFWD" log show ku > /dev/null 2>&1
}
check "rmmod while a kmsg log is fed, then insmod" unload

# rmmod writes kmsg-resume too: lines printed while no module is loaded
# are read when the log is added again
resume_unload() {
	local out
	rm -rf "$KR" && resume_add && "$KLOGFWD" log set kr poll 250 && printed "${tag}X" n=8 &&
	wait_for $((20 * KLF_SLOW)) holds kr "${tag}X cont a b c" &&
	rmmod klogfwd && printed "${tag}Y" n=8 && insmod "$KO" &&
	resume_add && wait_for $((20 * KLF_SLOW)) holds kr "${tag}Y cont a b c" || return 1
	out=$(python3 "$CHK" resume kr "${tag}X" "${tag}Y") || { echo "$out"; return 1; }
	echo "# $out"
	# poll, a saved setting of a kmsg dir log, restored from DIR/settings
	"$KLOGFWD" log show kr | grep -qE " poll 250( |$)" || { "$KLOGFWD" log show kr; return 1; }
	lstat_is kr kmsg_lost = 0 && "$KLOGFWD" log del kr
}
check "from resume across rmmod and insmod: every sequence number once, poll restored" resume_unload

ktap_finish
