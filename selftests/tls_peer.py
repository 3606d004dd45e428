#!/usr/bin/python3 -S
# SPDX-License-Identifier: GPL-2.0
#
# tls_peer.py: a TLS server (Python's ssl, OpenSSL) for target_tls_peers.sh
# that misbehaves on purpose after the handshake, then behaves.
#
#   tls_peer.py PORT CERT KEY FORWARD-PORT MODE...
#
# Connection i (from 1) is handshaken, then does MODE i:
#   garbage     after the first read, a TLS record header for application
#               data followed by 32 random bytes, on the raw TCP socket:
#               the client's kernel TLS cannot decrypt it
#   idle-notify reads until the client has sent nothing for 1 s, then sends
#               close_notify (an alert) and keeps the TCP connection open
#   idle-alert  the same, then a fatal alert (handshake_failure) as an
#               unprotected record on the raw TCP socket
# then reads the raw TCP bytes until the client closes (at most 60 s) and
# says how many and whether a record's payload ("seq=") was in clear. Past
# the last MODE, each connection is forwarded in clear to
# 127.0.0.1:FORWARD-PORT, both ways (a klf_recv that checks the records and
# sends the acknowledgments back). One line on stdout per event; "listening"
# once it listens.
import os
import select
import socket
import ssl
import sys
import threading
import time

port, cert, key, fport = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
modes = sys.argv[5:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(8)
print("listening", flush=True)


def say(*a):
    print(*a, flush=True)


def drain(fd, secs):
    """Read raw bytes until EOF or an error: their count, whether "seq=" was seen."""
    end = time.time() + secs
    n, clear, tail = 0, False, b""
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        n += len(b)
        clear = clear or b"seq=" in tail + b
        tail = b[-3:]
    return n, clear


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


i = 0
while True:
    c, _ = ls.accept()
    i += 1
    mode = modes[i - 1] if i <= len(modes) else "forward"
    try:
        s = ctx.wrap_socket(c, server_side=True)
    except (OSError, ssl.SSLError) as e:
        say(i, "handshake failed:", e)
        continue
    say(i, mode, s.version())
    if mode == "forward":
        f = socket.create_connection(("127.0.0.1", fport))
        threading.Thread(target=pump, args=(s, f), daemon=True).start()
        threading.Thread(target=pump, args=(f, s), daemon=True).start()
        continue
    got = 0
    try:
        if mode == "garbage":
            got = len(s.recv(65536))
        else:
            s.settimeout(1)
            while True:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    break
                if not b:
                    break
                got += len(b)
    except (OSError, ssl.SSLError) as e:
        say(i, "read:", e)
    say(i, mode, "read", got, "bytes")
    if mode == "garbage":
        os.write(s.fileno(), b"\x17\x03\x03\x00\x20" + os.urandom(32))
    elif mode == "idle-notify":
        s.settimeout(1)
        try:
            s.unwrap()	# close_notify; its answer is not waited for long
        except (OSError, ssl.SSLError) as e:
            say(i, "unwrap:", e)
    elif mode == "idle-alert":
        os.write(s.fileno(), b"\x15\x03\x03\x00\x02\x02\x28")
    say(i, mode, "sent")
    n, clear = drain(s.fileno(), 60)
    say(i, mode, "then read", n, "bytes until the client closed,",
        "some in clear" if clear else "none in clear")
    s.close()
