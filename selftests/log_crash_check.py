#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Helper of log_crash.sh, run on the host after each boot of the VM: checks
# a recovered klf log as read back through its device (cat
# /dev/klogfwd/LOG > LOGFILE), and what the receivers of all earlier boots
# had kept on disk.
#
# usage: log_crash_check.py LOGFILE [RECVFILE...]
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


def main():
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
