#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Helper of log_sync.sh: checks a klf log read back through its device
# (cat /dev/klogfwd/LOG > LOGFILE) against what its producers were told.
#
# usage: log_sync_check.py LOGFILE ERRFILE...
#
# Each ERRFILE is the standard error of one klf_produce --ack --keep-going:
# "ACK SEQ" for a write() that returned, "FAIL SEQ ERRNO" for one that
# failed. The log must hold whole klf records (magic, header, CRC32C),
# offsets 0..n-1 in order, each payload exactly what klf_produce wrote for
# its sequence number ("seq=N ts=T " and the filler derived from N); every
# acknowledged record exactly once, no failed one, and each producer's
# records in the order it wrote them.
#
# Prints "RECORDS n acked A failed F producers P"; exits 1 if the log is
# not what it must be.

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from log_crash_check import HDR, records  # noqa: E402

M64 = (1 << 64) - 1


def crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


TABLE = crc32c_table()


def crc32c(crc, data):
    """the kernel's __crc32c_le(crc, data): no final inversion"""
    for b in data:
        crc = TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def lcg(x):
    return (x * 6364136223846793005 + 1442695040888963407) & M64


def filler(seq, n):
    """klf_produce's fill(): the bytes after the "seq=N ts=T " prefix"""
    s = lcg(seq ^ 0x9E3779B97F4A7C15)
    out = bytearray(n)
    for i in range(n):
        s = lcg(s)
        out[i] = 33 + (s >> 33) % 94
    return bytes(out)


def main():
    if len(sys.argv) < 3:
        print("usage: log_sync_check.py LOGFILE ERRFILE...", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        log, rest = records(f.read())
    bad = 0
    if rest:
        print("# the device returned %d bytes that are not a whole record" % rest)
        bad = 1
    acked, failed, owner = set(), set(), {}
    for i, name in enumerate(sys.argv[2:]):
        with open(name) as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] in ("ACK", "FAIL"):
                    (acked if w[0] == "ACK" else failed).add(int(w[1]))
                    owner[int(w[1])] = i
    last = {}
    seen = set()
    for want, (off, rec) in enumerate(log):
        hdr, payload = rec[:HDR], rec[HDR:]
        crc = int.from_bytes(hdr[12:16], "little")
        zeroed = hdr[:12] + b"\0\0\0\0" + hdr[16:]
        m = re.match(rb"seq=(\d+) ts=\d+ ", payload)
        err = None
        if off != want:
            err = "offset %d where %d was due" % (off, want)
        elif crc32c(crc32c(0xFFFFFFFF, zeroed), payload) != crc:
            err = "bad CRC"
        elif not m:
            err = "payload %r" % payload[:40]
        else:
            seq = int(m.group(1))
            if payload[m.end():] != filler(seq, len(payload) - m.end()):
                err = "seq %d: filler differs" % seq
            elif seq in seen:
                err = "seq %d twice" % seq
            elif seq not in acked:
                err = "seq %d %s" % (seq, "failed" if seq in failed else "never acknowledged")
            elif last.get(owner[seq], -1) > seq:
                err = "seq %d after %d of the same producer" % (seq, last[owner[seq]])
            else:
                seen.add(seq)
                last[owner[seq]] = seq
        if err:
            print("# record at offset %d: %s" % (off, err))
            bad = 1
            break
    missing = acked - seen
    if not bad and missing:
        print("# %d acknowledged records missing, e.g. seq %d" % (len(missing), min(missing)))
        bad = 1
    print("RECORDS %d acked %d failed %d producers %d"
          % (len(log), len(acked), len(failed), len(sys.argv) - 2))
    return bad


if __name__ == "__main__":
    sys.exit(main())
