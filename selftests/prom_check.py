#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# prom_check.py METRICS STATS_JSON LOGS_JSON TARGETS_JSON: check the output
# of "klogfwd stats -o prometheus" (METRICS) against "klogfwd -j stats",
# "-j log show" and "-j target show" taken at the same quiet moment.
#
# The format is parsed strictly here (promtool, run beside this, is the
# Prometheus project's own parser and linter): every line a HELP, a TYPE or
# a sample; a family's HELP and TYPE before its samples, its samples
# together; names and labels well formed; no sample twice. Then every
# sample must be a counter of the JSON with the same value, and every
# counter of the JSON must be a sample: klogfwd_NAME for the totals,
# klogfwd_log_NAME{log} and klogfwd_target_NAME{target,log} ('-' as '_',
# "_total" for a counter, none for a gauge), and klogfwd_target_state 1
# for the target's state, 0 for the three others.
# Prints what differs; exit status 0 if nothing does.
import json
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')

# what may go down (a gauge); everything else is a counter that only grows
GAUGES = {
    "": {"logs", "max_logs", "targets", "max_targets", "targets_established",
         "records", "bytes", "lag_bytes"},
    "log_": {"records", "bytes", "first_offset", "next_offset", "segments"},
    "target_": {"next_offset", "acked_offset", "lag_records", "lag_bytes",
                "last_error", "last_error_time", "last_disconnect",
                "last_disconnect_time", "last_connect_time"},
}
STATES = ("connecting", "established", "backoff", "paused", "handshake")

errors = []


def err(msg):
    errors.append(msg)


def parse(path):
    """{(name, frozenset(labels)): value}, {name: type}"""
    samples, types, helps, done = {}, {}, set(), set()
    current = None
    with open(path) as f:
        text = f.read()
    if not text.endswith("\n"):
        err("the output does not end with a newline")
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not NAME.match(parts[2]):
                err("line %d: bad %s line: %r" % (n, parts[1], line))
                continue
            name = parts[2]
            if name != current:
                if current is not None:
                    done.add(current)
                if name in done:
                    err("line %d: family %s comes back after another" % (n, name))
                current = name
            if parts[1] == "HELP":
                if name in helps:
                    err("line %d: second HELP for %s" % (n, name))
                helps.add(name)
            else:
                if name in types:
                    err("line %d: second TYPE for %s" % (n, name))
                if parts[3] not in ("counter", "gauge"):
                    err("line %d: type %r" % (n, parts[3]))
                types[name] = parts[3]
            continue
        if line.startswith("#") or not line:
            err("line %d: unexpected %r" % (n, line))
            continue
        m = SAMPLE.match(line)
        if not m:
            err("line %d: not a sample: %r" % (n, line))
            continue
        name, labels = m.group(1), {}
        if name != current or name not in types or name not in helps:
            err("line %d: sample of %s without its HELP and TYPE just before" % (n, name))
        rest = m.group(3) or ""
        while rest:
            lm = LABEL.match(rest)
            if not lm:
                err("line %d: bad labels %r" % (n, m.group(3)))
                break
            labels[lm.group(1)] = lm.group(2).replace('\\"', '"').replace("\\n", "\n") \
                .replace("\\\\", "\\")
            rest = rest[lm.end():]
        if not re.match(r"[0-9]+$", m.group(4)):
            err("line %d: value %r is not an integer" % (n, m.group(4)))
            continue
        key = (name, frozenset(labels.items()))
        if key in samples:
            err("line %d: sample %s%s twice" % (n, name, labels))
        samples[key] = int(m.group(4))
    return samples, types


def metric(kind, key):
    gauge = key in GAUGES[kind]
    return "klogfwd_" + kind + key + ("" if gauge else "_total"), \
        "gauge" if gauge else "counter"


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: prom_check.py METRICS STATS_JSON LOGS_JSON TARGETS_JSON")
    samples, types = parse(sys.argv[1])
    with open(sys.argv[2]) as f:
        totals = json.load(f)
    with open(sys.argv[3]) as f:
        logs = json.load(f)
    with open(sys.argv[4]) as f:
        targets = json.load(f)

    want = {}
    for key, val in totals.items():
        want[metric("", key) + (frozenset(),)] = val
    for log in logs:
        for key, val in (log["stats"] or {}).items():
            want[metric("log_", key) + (frozenset({("log", log["name"])}),)] = val
    for t in targets:
        labels = {("target", t["name"]), ("log", t["log"])}
        for key, val in (t["stats"] or {}).items():
            want[metric("target_", key) + (frozenset(labels),)] = val
        for s in STATES:
            want[("klogfwd_target_state", "gauge",
                  frozenset(labels | {("state", s)}))] = int(t["state"] == s)

    seen = set()
    for (name, kind, labels), val in sorted(want.items(), key=str):
        if val is None:
            continue
        seen.add((name, labels))
        if (name, labels) not in samples:
            err("missing: %s%s (%s %d)" % (name, dict(labels), kind, val))
            continue
        if types.get(name) != kind:
            err("%s is a %s, not a %s" % (name, types.get(name), kind))
        if samples[(name, labels)] != val:
            err("%s%s is %d, the JSON says %d"
                % (name, dict(labels), samples[(name, labels)], val))
    for name, labels in samples:
        if (name, labels) not in seen:
            err("extra: %s%s" % (name, dict(labels)))
    for e in errors[:30]:
        print("# prom_check: " + e)
    print("# prom_check: %d samples, %d families, %d errors"
          % (len(samples), len(types), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
