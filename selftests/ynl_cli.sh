#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12
#
# A second, independent client: the kernel's own YNL CLI (tools/net/ynl/
# cli.py from the installed linux-source, driven by the project's spec)
# creates and reads logs and targets, and what it sees matches klogfwd's
# JSON output. Spec, kernel and CLI agree.
source "$(dirname "$0")/lib.sh"
require_module
ynl=$KLF_TOP/build/ksrc/tools/net/ynl/cli.py
spec=$KLF_TOP/Documentation/netlink/specs/klogfwd.yaml
schema=$KLF_TOP/build/ksrc/Documentation/netlink/genetlink.yaml
[ -f "$ynl" ] || skip_all "the kernel's YNL CLI is not extracted (make ksrc)"
/usr/bin/python3 -c 'import yaml, jsonschema' 2>/dev/null || skip_all "python3-yaml or jsonschema missing"
Y() { /usr/bin/python3 "$ynl" --spec "$spec" --schema "$schema" --output-json "$@"; }
W=${KLF_WORK_BASE:-${KLF_RUN:-/tmp}}/ynl.$$
mkdir -p "$W"
trap '"$KLOGFWD" target del ynl-t 2>/dev/null; "$KLOGFWD" log del ynl-a 2>/dev/null; "$KLOGFWD" log del ynl-b 2>/dev/null' EXIT

ktap_plan

check "YNL creates a log" Y --do log-new --json '{"name": "ynl-a", "framing": "octet", "segment-bytes": 65536, "max-record": 1000}'
check "klogfwd creates another, and a paused target" bash -c \
	"'$KLOGFWD' log add ynl-b framing klf retain-ms 60000 && '$KLOGFWD' log append ynl-b one two &&
	 '$KLOGFWD' target add ynl-t log ynl-b to '[::1]:9' backoff 100-5000 paused"

# compare: every attribute YNL reports equals klogfwd's JSON value
compare() {
	Y --dump "$1" > "$W/ynl.json" || return 1
	"$KLOGFWD" -j "$2" show > "$W/cli.json" || return 1
	/usr/bin/python3 - "$W/ynl.json" "$W/cli.json" <<'PY'
import json, sys
ynl = {o["name"]: o for o in json.load(open(sys.argv[1]))}
cli = {o["name"]: o for o in json.load(open(sys.argv[2]))}
bad = 0
aliases = {"ipv4": "address", "ipv6": "address"}
enums = {"storage", "framing", "overflow", "sync", "state", "ack"}
if set(ynl) != set(cli):
    print("# names differ:", sorted(ynl), sorted(cli)); sys.exit(1)
for name, y in ynl.items():
    c = cli[name]
    def walk(y, c, where):
        global bad
        for k, v in y.items():
            ck = aliases.get(k, k.replace("-", "_"))
            if ck not in c:
                print(f"# {where}{k}: not in klogfwd's JSON"); bad += 1; continue
            cv = c[ck]
            if isinstance(v, dict):
                walk(v, cv, where + k + ".")
                continue
            if isinstance(cv, bool):
                cv = int(cv)
            if ck == "mode" and isinstance(cv, str):
                cv = int(cv, 8)
            if str(v) != str(cv):
                print(f"# {where}{k}: ynl {v!r} klogfwd {cv!r}"); bad += 1
    walk(y, c, name + ": ")
sys.exit(1 if bad else 0)
PY
}
check "log-get dump: YNL and klogfwd -j log show agree on every attribute" compare log-get log
check "target-get dump: YNL and klogfwd -j target show agree" compare target-get target
stats() {
	Y --do stats-get > "$W/ynl.json" && "$KLOGFWD" -j stats > "$W/cli.json" || return 1
	/usr/bin/python3 - "$W/ynl.json" "$W/cli.json" <<'PY'
import json, sys
y, c = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
# counters may move between the two requests (the paused target does not
# send, nothing appends): compare the names, and the values that cannot
volatile = set()
yk = {k.replace("-", "_") for k in y}
if yk != set(c):
    print("# keys differ:", sorted(yk ^ set(c))); sys.exit(1)
bad = [k for k, v in y.items() if c[k.replace("-", "_")] != v]
for k in bad:
    print(f"# {k}: ynl {y[k]!r} klogfwd {c[k.replace('-', '_')]!r}")
sys.exit(1 if bad else 0)
PY
}
check "stats-get: YNL and klogfwd -j stats agree" stats
bad_request() {
	Y --do log-new --json '{"name": "ynl-c", "segment-bytes": 100}' 2>&1 | grep -q "bad-attr"
}
check "YNL's extack for a bad request names the attribute" bad_request

# tls-report is the handshake agent's (klogfwd-tlsd): YNL's library plays a
# bad one, in one process (a YNL CLI start costs seconds on the debug
# kernel). Each request is refused with the extack message that says why.
tls_report() {
	/usr/bin/python3 - "$(dirname "$ynl")" "$spec" "$schema" <<'PY'
import os, socket, sys
sys.path.insert(0, sys.argv[1])
from lib import YnlFamily, NlError
ynl = YnlFamily(sys.argv[2], sys.argv[3])
a, b = socket.socketpair()
null = os.open("/dev/null", os.O_RDONLY)
cases = [
    (a.fileno(), 554, "tls-sockfd is not the socket of a target of this namespace in handshake"),
    (a.fileno(), 810, "level 3 is neither warning (1) nor fatal (2)"),
    (null, 554, "tls-sockfd is not a socket descriptor of the caller"),
]
bad = 0
for fd, alert, want in cases:
    try:
        ynl.do("tls-report", {"tls-sockfd": fd, "tls-handshake-alert": alert})
        print(f"# fd {fd} alert {alert}: taken"); bad += 1
    except NlError as e:
        if want not in str(e):
            print(f"# fd {fd} alert {alert}: {e}".replace("\n", " ")); bad += 1
sys.exit(1 if bad else 0)
PY
}
check "tls-report from a process without the handshake's socket: refused, naming why" tls_report

ktap_finish
