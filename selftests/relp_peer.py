#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# Helper of target_relp.sh: scripted RELP servers, for the answers rsyslog's
# imrelp never gives on demand (slow ones, a 500, a malformed one, a
# serverclose, a refused open), and a checker of what rsyslog wrote.
# Python's standard library only; talks to loopback.
#
# usage: relp_peer.py serve --dir DIR [--addr ADDR] SERVER...
#        relp_peer.py dedup EXPECT GOT
#
# serve runs every SERVER, NAME:PORT:MODE[:KEY=VALUE...], in one process
# (one Python start under TCG costs a second or more), each listening on
# ADDR (127.0.0.1):PORT; it prints "listening" once all listen, then
# serves until SIGTERM. MODE says how a server answers:
#   ok           open with 200 and commands=syslog, each syslog frame with
#                200 OK at once
#   slow         as ok, but the syslog frames are answered one at a time,
#                delay=SECS (0.05) apart
#   fail         the at=K-th (1) syslog frame of the first session gets
#                "500 error", the later ones of that session no answer
#   junk         as fail, but with a malformed answer (no LF after its data)
#   serverclose  after answering at=K syslog frames of the first session
#                with 200, "0 serverclose 0", then no answer
#   badopen      every open answered with 500
#   nocmd        every open answered with 200 but without commands=syslog
#   huge         every open answered with a DATALEN of 999999999, then
#                64 KiB of its data and nothing more
#   mute         the first session's open answered as ok, its syslog frames
#                never (a hung receiver whose TCP still takes them)
#   muteopen     the first session's open never answered
# After the answer that ends a session (fail, junk, serverclose), or the
# frame left unanswered that does (mute: the first syslog frame, muteopen:
# the open), the server
# reads on and waits for the client to close (10 s, else an error). Later
# sessions are served as ok; with hold=1, their open is answered only once
# DIR/NAME.hold exists (so that a test sees the client between sessions).
#
# Each server checks the client's side of the protocol, and counts each
# violation in "errors" (each told on stderr, after the server's name):
# frames well formed (TXNR SP COMMAND SP DATALEN [SP DATA] LF); open first,
# with txnr 1 (first=N: N in the first session), offering relp_version=0 and commands=syslog; txnrs
# consecutive; only open, syslog and close; no syslog frame before the open
# was answered with 200 and syslog offered; no more than window=N frames
# unanswered; no DATALEN over max-frame=BYTES; no newline in a payload (lf
# records); a session the server ended closed by the client; and the order
# of the records: after a broken session, the records sent and not
# answered 200 come first, again and in their order, then new ones.
#
# DIR/NAME.stats holds a server's counters as "KEY VALUE" lines, rewritten
# (atomically) at most every 50 ms while they change: connections, opens,
# sessions (opens answered 200 with syslog offered), refused (opens
# answered otherwise), frames (syslog frames received), ok (answered 200),
# failed (answered 500), junk (answered malformed), serverclose (sent),
# closes (close commands received), records (distinct payloads answered
# 200), resent (frames of a payload received before and not answered 200),
# dup_acked (frames of a payload already answered 200), gaps (a klf_produce
# payload "seq=N ..." that is not the one after the last new one),
# max_outstanding, max_datalen, last_first_txnr (the txnr of the first
# syslog frame of the last session), max_txnr, errors and last_error. DIR/NAME.out
# gets each payload answered 200, and a newline, in the order answered.
#
# dedup checks what a receiver wrote across crashes and restarts (GOT)
# against the records it must have (EXPECT, one per line, from klf_produce
# --expect-file): every expected record at least once, and in order once
# duplicates are removed. A line that is no expected record but ends with
# one is a torn write (the receiver killed in the middle of a write(), the
# next one appending after it): its end counts, the line is reported.
# Prints "records N lines L duplicates D torn T"; exits 1 if a record is
# missing or out of order.

import argparse
import os
import selectors
import signal
import socket
import sys
import time

MAX_TXNR = 999999999
MODES = ('ok', 'slow', 'fail', 'junk', 'serverclose', 'badopen', 'nocmd', 'huge', 'mute',
         'muteopen')


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Server:
    """One listening port, its mode, its counters and its record order."""

    def __init__(self, loop, spec, d, addr):
        f = spec.split(':')
        if len(f) < 3 or f[2] not in MODES:
            raise SystemExit('relp_peer: bad server %r' % spec)
        self.loop = loop
        self.name, self.port, self.mode = f[0], int(f[1]), f[2]
        opt = dict(kv.split('=', 1) for kv in f[3:])
        self.at = int(opt.pop('at', 1))
        self.delay = float(opt.pop('delay', 0.05))
        self.window = int(opt.pop('window', 0))
        self.max_frame = int(opt.pop('max-frame', 0))
        # the txnr the first session's open must have (later ones: 1)
        self.first = int(opt.pop('first', 1))
        self.hold = os.path.join(d, self.name + '.hold') if opt.pop('hold', '0') == '1' else None
        if opt:
            raise SystemExit('relp_peer: %s: unknown %s' % (self.name, ', '.join(opt)))
        self.stats = os.path.join(d, self.name + '.stats')
        self.out = open(os.path.join(d, self.name + '.out'), 'wb')
        self.st = dict(connections=0, opens=0, sessions=0, refused=0, frames=0, ok=0,
                       failed=0, junk=0, serverclose=0, closes=0, records=0, resent=0,
                       dup_acked=0, gaps=0, max_outstanding=0, max_datalen=0,
                       last_first_txnr=0, max_txnr=0, errors=0, last_error='-')
        # every payload seen: 'sent' or 'acked'; the payloads in the order
        # first received; the index of the oldest not acked
        self.state = {}
        self.order = []
        self.first_unacked = 0
        self.last_seq = None
        self.special_done = False   # the session fail/junk/serverclose ended
        self.dirty = True
        self.save()
        family = socket.AF_INET6 if ':' in addr else socket.AF_INET
        self.ls = socket.socket(family, socket.SOCK_STREAM)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((addr, self.port))
        self.ls.listen(16)
        self.ls.setblocking(False)
        loop.sel.register(self.ls, selectors.EVENT_READ, self)

    def error(self, c, msg):
        self.st['errors'] += 1
        self.st['last_error'] = msg.replace('\n', ' ')
        log('%s: error: %s%s' % (self.name, 'conn %d: ' % c.id if c else '', msg))
        self.dirty = True

    def save(self):
        if not self.dirty:
            return
        tmp = self.stats + '.tmp'
        with open(tmp, 'w') as f:
            for k, v in self.st.items():
                f.write('%s %s\n' % (k, v))
        os.replace(tmp, self.stats)
        self.dirty = False

    def accept(self):
        s, _ = self.ls.accept()
        s.setblocking(False)
        self.st['connections'] += 1
        self.dirty = True
        c = Conn(self, s, self.st['connections'])
        self.loop.sel.register(s, selectors.EVENT_READ, c)
        self.loop.conns.add(c)

    def received(self, c, payload):
        """A syslog frame arrived: check its place in the record order."""
        st = self.state.get(payload)
        if st == 'acked':
            self.st['dup_acked'] += 1
            return
        if st == 'sent':
            self.st['resent'] += 1
            # resent: must be the next record of the order not acked
            if c.resend_pos < len(self.order) and self.order[c.resend_pos] == payload:
                c.resend_pos += 1
            else:
                self.error(c, 'record resent out of order: %r' % payload[:40])
            return
        # a new record: the records sent before and not acked must have
        # been resent in this session first
        pending = [p for p in self.order[c.resend_pos:] if self.state[p] != 'acked']
        if pending:
            self.error(c, 'new record %r before %d unanswered ones were resent (first %r)'
                       % (payload[:40], len(pending), pending[0][:40]))
        self.state[payload] = 'sent'
        self.order.append(payload)
        c.resend_pos = len(self.order)
        if payload.startswith(b'seq='):
            try:
                seq = int(payload[4:].split(b' ', 1)[0])
            except ValueError:
                return
            if self.last_seq is not None and seq != self.last_seq + 1:
                self.st['gaps'] += 1
                log('%s: gap: seq %d after %d' % (self.name, seq, self.last_seq))
            self.last_seq = seq

    def acked(self, payload):
        if self.state.get(payload) != 'acked':
            self.state[payload] = 'acked'
            self.st['records'] += 1
            while (self.first_unacked < len(self.order) and
                   self.state[self.order[self.first_unacked]] == 'acked'):
                self.first_unacked += 1
        self.out.write(payload + b'\n')
        self.out.flush()


class Conn:
    """One connection: its session state and the answers it owes."""

    def __init__(self, srv, s, cid):
        self.srv = srv
        self.s = s
        self.id = cid
        self.buf = b''
        self.txnr = 0           # the last txnr received
        self.opened = False     # open answered 200 with syslog offered
        self.refused = False
        self.held_open = None   # hold: the txnr of an open not answered yet
        self.ending = None      # why the server ended the session
        self.ending_since = 0
        self.pending = []       # (txnr, payload) not answered yet
        self.next_answer = 0    # slow: when the next answer may go
        self.data_frames = 0
        self.answered = 0       # syslog frames answered 200
        self.resend_pos = srv.first_unacked
        self.mode = 'ok' if srv.special_done else srv.mode

    def send(self, b):
        try:
            self.s.setblocking(True)
            self.s.sendall(b)
            self.s.setblocking(False)
        except OSError as e:
            log('%s: conn %d: send: %s' % (self.srv.name, self.id, e))

    def rsp(self, txnr, text):
        d = text.encode()
        self.send(b'%d rsp %d %s\n' % (txnr, len(d), d))

    def close(self, why=None):
        loop = self.srv.loop
        try:
            loop.sel.unregister(self.s)
        except (KeyError, ValueError):
            pass
        loop.conns.discard(self)
        self.s.close()
        if why:
            log('%s: conn %d: %s' % (self.srv.name, self.id, why))

    def end_session(self, why):
        """The server ended the session: no more answers; the client must close."""
        self.ending = why
        self.ending_since = time.monotonic()
        self.srv.special_done = True
        self.pending = []

    def tick(self, now):
        """Answer what is due; when something next will be (or None)."""
        if self.ending:
            if now - self.ending_since > 10:
                self.srv.error(self, 'the client did not close the session in 10 s after %s'
                               % self.ending)
                self.close()
                return None
            return self.ending_since + 10.5
        if self.held_open is not None:
            if not os.path.exists(self.srv.hold):
                return now + 0.05
            txnr, self.held_open = self.held_open, None
            self.answer_open(txnr)
        while self.pending:
            if self.mode == 'slow':
                if now < self.next_answer:
                    return self.next_answer
                self.next_answer = now + self.srv.delay
            txnr, payload = self.pending.pop(0)
            self.answer(txnr, payload)
            if self.ending:
                return None
        return None

    def answer(self, txnr, payload):
        srv = self.srv
        srv.dirty = True
        if self.mode in ('fail', 'junk') and self.answered + 1 == srv.at:
            if self.mode == 'fail':
                self.rsp(txnr, '500 error')
                srv.st['failed'] += 1
            else:
                # DATALEN 6, then no LF after "200 OK"
                self.send(b'%d rsp 6 200 OKjunk\n' % txnr)
                srv.st['junk'] += 1
            self.end_session(self.mode)
            return
        self.rsp(txnr, '200 OK')
        srv.st['ok'] += 1
        self.answered += 1
        srv.acked(payload)
        if self.mode == 'serverclose' and self.answered == srv.at:
            self.send(b'0 serverclose 0\n')
            srv.st['serverclose'] += 1
            self.end_session('serverclose')

    def answer_open(self, txnr):
        srv = self.srv
        srv.dirty = True
        if self.mode == 'badopen':
            self.rsp(txnr, '500 not today')
            self.refused = True
            srv.st['refused'] += 1
        elif self.mode == 'huge':
            self.send(b'%d rsp 999999999 200 OK\n' % txnr + b'x' * 65536)
            self.refused = True
            srv.st['refused'] += 1
        elif self.mode == 'nocmd':
            self.rsp(txnr, '200 OK\nrelp_version=0\nrelp_software=relp_peer')
            self.refused = True
            srv.st['refused'] += 1
        else:
            self.rsp(txnr, '200 OK\nrelp_version=0\nrelp_software=relp_peer\ncommands=syslog')
            self.opened = True
            srv.st['sessions'] += 1

    def readable(self):
        try:
            d = self.s.recv(1 << 16)
        except OSError as e:
            d = b''
            log('%s: conn %d: recv: %s' % (self.srv.name, self.id, e))
        if not d:
            self.close('closed by the client after txnr %d' % self.txnr)
            return
        self.buf += d
        while self.s.fileno() >= 0:
            f = self.parse()
            if f is None:
                return
            self.frame(*f)

    def parse(self):
        """The next whole frame of buf, or None; a malformed one closes."""
        b = self.buf
        i = 0
        fields = []
        for _ in range(2):
            j = b.find(b' ', i)
            if j < 0:
                if len(b) - i > 40:
                    return self.bad('no space in %r' % b[:40])
                return None
            fields.append(b[i:j])
            i = j + 1
        j = i
        while j < len(b) and b[j:j + 1].isdigit():
            j += 1
        if j == len(b):
            return None if j - i < 10 else self.bad('DATALEN too long')
        txnr, cmd, ln = fields[0], fields[1], b[i:j]
        if (not txnr.isdigit() or len(txnr) > 9 or not cmd.isalpha() or len(cmd) > 32
                or not ln or len(ln) > 9):
            return self.bad('malformed header %r' % b[:60])
        n = int(ln)
        if n:
            if b[j:j + 1] != b' ':
                return self.bad('no space after DATALEN %d' % n)
            end = j + 1 + n
        else:
            end = j
        if len(b) < end + 1:
            return None
        if b[end:end + 1] != b'\n':
            return self.bad('frame %s %s %d: no LF after the data: %r' %
                            (txnr.decode(), cmd.decode(), n, b[end:end + 10]))
        self.buf = b[end + 1:]
        return int(txnr), cmd.decode(), b[j + 1:end] if n else b''

    def bad(self, msg):
        self.srv.error(self, msg)
        self.close()
        return None

    def frame(self, txnr, cmd, data):
        srv = self.srv
        srv.dirty = True
        first = srv.first if srv.st['opens'] == 0 else 1
        if self.txnr == 0 and txnr != first:
            srv.error(self, 'first frame has txnr %d, not %d' % (txnr, first))
        elif self.txnr and txnr != self.txnr % MAX_TXNR + 1:
            srv.error(self, 'txnr %d after %d' % (txnr, self.txnr))
        self.txnr = txnr
        srv.st['max_txnr'] = max(srv.st['max_txnr'], txnr)
        if cmd == 'open':
            srv.st['opens'] += 1
            if self.opened or self.refused or self.held_open is not None:
                srv.error(self, 'a second open')
            offers = data.split(b'\n')
            if b'relp_version=0' not in offers:
                srv.error(self, 'open without relp_version=0: %r' % data)
            if not any(o.startswith(b'commands=') and b'syslog' in o[9:].split(b',')
                       for o in offers):
                srv.error(self, 'open without commands=syslog: %r' % data)
            if self.mode == 'muteopen':
                self.end_session('muteopen')
            elif srv.hold and srv.special_done and not os.path.exists(srv.hold):
                self.held_open = txnr
            else:
                self.answer_open(txnr)
        elif cmd == 'syslog':
            srv.st['frames'] += 1
            self.data_frames += 1
            if not self.opened:
                # never answered, not a record
                srv.error(self, 'syslog frame %d in a session not opened' % txnr)
                return
            if self.data_frames == 1:
                srv.st['last_first_txnr'] = txnr
            srv.st['max_datalen'] = max(srv.st['max_datalen'], len(data))
            if srv.max_frame and len(data) > srv.max_frame:
                srv.error(self, 'syslog frame %d: DATALEN %d over %d' %
                          (txnr, len(data), srv.max_frame))
            if b'\n' in data:
                srv.error(self, 'syslog frame %d: a newline in the payload' % txnr)
            srv.received(self, data)
            if self.mode == 'mute' and not self.ending:
                self.end_session('mute')
            if self.ending:
                return
            self.pending.append((txnr, data))
            out = len(self.pending)
            srv.st['max_outstanding'] = max(srv.st['max_outstanding'], out)
            if srv.window and out > srv.window:
                srv.error(self, '%d frames unanswered, over the window %d' % (out, srv.window))
            if self.mode != 'slow':
                self.tick(time.monotonic())
            elif out == 1 and self.next_answer < time.monotonic():
                self.next_answer = time.monotonic() + srv.delay
        elif cmd == 'close':
            srv.st['closes'] += 1
            self.rsp(txnr, '200 OK')
            self.send(b'0 serverclose 0\n')
        else:
            srv.error(self, 'unknown command %r' % cmd)


class Loop:
    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.conns = set()
        self.servers = []

    def run(self):
        last_save = 0
        while True:
            now = time.monotonic()
            timeout = None
            for c in list(self.conns):
                t = c.tick(now)
                if t is not None and (timeout is None or t < timeout):
                    timeout = t
            dirty = any(s.dirty for s in self.servers)
            if dirty and now - last_save >= 0.05:
                for s in self.servers:
                    s.save()
                last_save = now
            elif dirty:
                timeout = min(timeout or now + 1, last_save + 0.05)
            wait = None if timeout is None else max(0, timeout - now)
            for key, _ in self.sel.select(wait):
                if isinstance(key.data, Server):
                    key.data.accept()
                else:
                    key.data.readable()


def dedup(expect, got):
    with open(expect, 'rb') as f:
        exp = f.read().split(b'\n')
    if exp and exp[-1] == b'':
        exp.pop()
    index = {r: i for i, r in enumerate(exp)}
    with open(got, 'rb') as f:
        lines = f.read().split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    nxt = 0         # records 0..nxt-1 seen, in order
    dups = torn = bad = 0
    for ln, line in enumerate(lines, 1):
        i = index.get(line)
        if i is None:
            # torn: the start of a record, then a whole one
            k = line.find(b'seq=', 1)
            while k > 0:
                i = index.get(line[k:])
                if i is not None:
                    break
                k = line.find(b'seq=', k + 1)
            if i is None:
                print('line %d: not an expected record: %r' % (ln, line[:60]))
                bad += 1
                continue
            torn += 1
            print('line %d: torn: %d bytes, then record %d' % (ln, k, i))
        if i < nxt:
            dups += 1
        elif i == nxt:
            nxt += 1
        else:
            print('line %d: record %d where %d is missing' % (ln, i, nxt))
            bad += 1
            nxt = i + 1
    if nxt != len(exp):
        print('only records 0..%d arrived, of %d' % (nxt - 1, len(exp)))
        bad += 1
    print('records %d lines %d duplicates %d torn %d' % (len(exp), len(lines), dups, torn))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(prog='relp_peer.py')
    sub = ap.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('serve')
    s.add_argument('--dir', required=True)
    s.add_argument('--addr', default='127.0.0.1')
    s.add_argument('server', nargs='+')
    d = sub.add_parser('dedup')
    d.add_argument('expect')
    d.add_argument('got')
    a = ap.parse_args()
    if a.cmd == 'dedup':
        return dedup(a.expect, a.got)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    loop = Loop()
    for spec in a.server:
        loop.servers.append(Server(loop, spec, a.dir, a.addr.strip('[]')))
    print('listening', flush=True)
    try:
        loop.run()
    finally:
        for srv in loop.servers:
            srv.save()
    return 0


if __name__ == '__main__':
    sys.exit(main())
