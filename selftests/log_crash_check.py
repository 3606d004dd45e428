#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Helper of log_crash.sh, run on the host after each boot of the VM: checks
# a recovered klf log as read back through its device (cat
# /dev/klogfwd/LOG > LOGFILE), and what the receivers of all earlier boots
# had kept on disk.
#
# usage: log_crash_check.py LOGFILE [RECVFILE...]
#        log_crash_check.py --lazy LOGFILE [PREVFILE] [--from S]
#        log_crash_check.py --kmsg LOGFILE BOOT LOST [PREVFILE]
#
# The log must hold records 0..n-1, whole, in order, each with the payload
# klf_produce wrote for that sequence number ("seq=N ts=..."); the kernel's
# recovery checked every CRC. Every file in RECVDIR is what one receiver
# (klf_recv -d -o FILE --fsync) kept: klf records back to back, maybe with
# a torn tail after its last fdatasync() (a record with zeros where a page
# never reached the disk, say). A file counts up to its first record that
# is not byte for byte the log's record at that offset; what follows is its
# torn tail. A receiver that acknowledged a record it did not keep, or a
# target that skipped one, leaves a hole; a corrupt record, a short prefix.
#
# Prints "RECORDS n" and "RECV files F records R unique U dups D covered C
# torn T", where C is the first offset no receiver has (every record below
# it was received) and T the files with a torn tail. Exits 1 if the log is
# not what it must be.
#
# --lazy checks a log that was not synced (sync none or every MS): it may
# have lost any record not yet written back, so its offsets may have holes
# (a segment whose data never reached the disk, while the file of a later
# one did), but what it holds must be whole records, offsets increasing,
# each the payload written for it, and every record PREVFILE (the same log
# as read back by an earlier boot, hence on the disk then) held must still
# be there, byte for byte; with --from S, no offset from S up to its last
# record may be missing (a log synced at an interval loses its end only).
# Prints "LAZY records R holes H end E".

import re
import struct
import sys

HDR = 32


def records(data):
    """(offset, bytes) of the whole klf records at the start of data, and
    the number of bytes after them"""
    pos = 0
    out = []
    while pos + HDR <= len(data):
        magic, hlen, flags, plen, _crc, off, _ts = struct.unpack_from("<4sHHIIQQ", data, pos)
        if magic != b"KLF1" or hlen != HDR or flags or not plen or pos + HDR + plen > len(data):
            break
        out.append((off, data[pos:pos + HDR + plen]))
        pos += HDR + plen
    return out, len(data) - pos


def lazy():
    args = sys.argv[2:]
    start = None
    if "--from" in args:
        i = args.index("--from")
        start = int(args[i + 1])
        del args[i:i + 2]
    with open(args[0], "rb") as f:
        log, rest = records(f.read())
    if rest:
        print("# the device returned %d bytes that are not a whole record" % rest)
        return 1
    last = -1
    for off, rec in log:
        if off <= last or not rec[HDR:].startswith(b"seq=%d ts=" % off):
            print("# record at offset %d after %d: payload %r" % (off, last, rec[HDR:HDR + 40]))
            return 1
        last = off
    held = dict(log)
    if start is not None:
        missing = [o for o in range(start, last + 1) if o not in held]
        if missing:
            print("# %d offsets missing from %d to %d, the first %d"
                  % (len(missing), start, last, missing[0]))
            return 1
    if len(args) > 1:
        with open(args[1], "rb") as f:
            prev, _ = records(f.read())
        for off, rec in prev:
            if held.get(off) != rec:
                print("# record %d, held by the log at an earlier boot, is gone" % off)
                return 1
    print("LAZY records %d holes %d end %d" % (len(log), last + 1 - len(log), last + 1))
    return 0


def kmsg():
    """--kmsg: a log of source kmsg, from resume, format raw, framing lf,
    as boot BOOT read it back: it starts with PREVFILE (what an earlier boot
    read back: the old boots' records stay), its last boot's records (the
    sequence numbers start again at each boot) hold the marker
    "klf-crash-boot BOOT" once, and their first sequence number plus their
    gaps is LOST (kmsg_lost: from the boot's first record, nothing lost
    silently); no marker twice"""
    name, boot, lost = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(name, "rb") as f:
        data = f.read()
    if len(sys.argv) > 5:
        with open(sys.argv[5], "rb") as f:
            prev = f.read()
        if not data.startswith(prev):
            print("# the records of the earlier boots changed (%d bytes before, %d now)"
                  % (len(prev), len(data)))
            return 1
    else:
        prev = b""
    if not data.endswith(b"\n"):
        print("# the log does not end with a whole record")
        return 1
    runs, pos, last = [], 0, None
    for line in data.split(b"\n")[:-1]:
        m = re.fullmatch(rb"(\d+),(\d+),(\d+),-;(.*)", line)
        if not m:
            print("# not a raw kmsg record: %r" % line[:200])
            return 1
        seq = int(m[2])
        if last is None or seq <= last:
            runs.append((pos, []))     # a new boot: its sequence numbers again
        runs[-1][1].append((seq, m[4]))
        last = seq
        pos += len(line) + 1
    marks = [t for _, run in runs for _, t in run if t.startswith(b"klf-crash-boot ")]
    nums = [int(t.split()[1]) for t in marks]
    if nums != sorted(set(nums)):
        print("# boot markers out of order or twice: %r" % nums)
        return 1
    start, run = runs[-1]
    mine = b"klf-crash-boot %d" % boot
    if [t for _, t in run].count(mine) != 1 or start < len(prev):
        print("# the last boot's records (from byte %d, %d before) lack its marker once"
              % (start, len(prev)))
        return 1
    gaps = sum(b[0] - a[0] - 1 for a, b in zip(run, run[1:]))
    if run[0][0] + gaps != lost:
        print("# this boot's first record has sequence number %d and %d more were skipped,"
              " kmsg_lost is %d" % (run[0][0], gaps, lost))
        return 1
    print("KMSG boots %d records %d first %d" % (len(runs), len(run), run[0][0]))
    return 0


def main():
    if sys.argv[1] == "--lazy":
        return lazy()
    if sys.argv[1] == "--kmsg":
        return kmsg()
    bad = 0
    with open(sys.argv[1], "rb") as f:
        log, rest = records(f.read())
    if rest:
        print("# the device returned %d bytes that are not a whole record" % rest)
        bad = 1
    for i, (off, rec) in enumerate(log):
        if off != i or not rec[HDR:].startswith(b"seq=%d ts=" % i):
            print("# record %d: offset %d, payload %r" % (i, off, rec[HDR:HDR + 40]))
            bad = 1
            break
    n = len(log)
    print("RECORDS %d" % n)

    seen = {}
    total = torn = nfiles = 0
    for name in sys.argv[2:]:
        with open(name, "rb") as f:
            got, rest = records(f.read())
        nfiles += 1
        # only what the receiver had synced is sure to be whole: past the
        # first record that is not the log's (zeros where a page of it was
        # never written), the file is a torn tail and does not count
        for i, (off, rec) in enumerate(got):
            if off >= n or rec != log[off][1]:
                rest += 1
                got = got[:i]
                break
        torn += rest > 0
        for off, rec in got:
            total += 1
            seen[off] = seen.get(off, 0) + 1
    covered = 0
    while covered in seen:
        covered += 1
    print("RECV files %d records %d unique %d dups %d covered %d torn %d"
          % (nfiles, total, len(seen), total - len(seen), covered, torn))
    return bad


if __name__ == "__main__":
    sys.exit(main())
