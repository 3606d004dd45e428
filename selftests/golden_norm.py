#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Normalize the CLI's JSON for comparison with a golden file (golden.sh).

Reads one JSON document from stdin, or with --lines one document per line
(the output of "klogfwd -j monitor"), and prints it indented, keys in the
order the CLI printed them. Values that legitimately differ between runs
and kernels are replaced by a placeholder naming their type, after checking
that type: an unsigned integer becomes "<uint>", a string "<str>". So the
golden file still pins every key, its position, its type, and every value
that is deterministic.

  --volatile K1,K2  keys whose values vary (anywhere in the document)
  --stats           every value inside a "stats" object varies, but null
                    (a counter the kernel does not report for that object,
                    such as the relp ones of a target that is not ack relp)
  --lines           one document per input line; prints a JSON array
  --drop-name N     with --lines, drop the events of the object named N
  --minus FILE      subtract FILE's values (JSON, the same command's output
                    before the scenario) from the --delta keys
  --delta K1,K2     counters since the module was loaded: compared as the
                    change during the scenario
  --group           with --lines, order the events by object (type, name),
                    keeping the order of each object's own events
"""

import argparse
import json
import sys


def placeholder(key, val):
    if isinstance(val, bool) or val is None:
        raise ValueError(f'"{key}": {val!r} is not a number or string')
    if isinstance(val, int):
        if val < 0:
            raise ValueError(f'"{key}": {val} is negative')
        return '<uint>'
    if isinstance(val, str):
        return '<str>'
    raise ValueError(f'"{key}": {val!r} is not a number or string')


def norm(obj, volatile, stats, in_stats=False):
    if isinstance(obj, list):
        return [norm(v, volatile, stats, in_stats) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {}
    for key, val in obj.items():
        if stats and in_stats and val is None and key not in volatile:
            out[key] = None
        elif key in volatile or (stats and in_stats):
            out[key] = placeholder(key, val)
        else:
            out[key] = norm(val, volatile, stats, in_stats or key == 'stats')
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--volatile', default='')
    ap.add_argument('--stats', action='store_true')
    ap.add_argument('--lines', action='store_true')
    ap.add_argument('--drop-name', default=None)
    ap.add_argument('--group', action='store_true')
    ap.add_argument('--minus', default=None)
    ap.add_argument('--delta', default='')
    args = ap.parse_args()
    volatile = set(k for k in args.volatile.split(',') if k)

    if args.lines:
        doc = []
        for n, line in enumerate(sys.stdin, 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f'line {n}: not one JSON document: {e}: {line!r}')
            if args.drop_name and ev.get('name') == args.drop_name:
                continue
            doc.append(ev)
        if args.group:
            doc.sort(key=lambda ev: (ev.get('type', ''), ev.get('name', '')))
    else:
        doc = json.load(sys.stdin)
    if args.minus:
        with open(args.minus) as f:
            base = json.load(f)
        for key in (k for k in args.delta.split(',') if k):
            if not isinstance(doc.get(key), int) or not isinstance(base.get(key), int):
                sys.exit(f'--delta {key}: not a number in both documents')
            if doc[key] < base[key]:
                sys.exit(f'{key} went backwards: {base[key]} -> {doc[key]}')
            doc[key] -= base[key]
    try:
        doc = norm(doc, volatile, args.stats)
    except ValueError as e:
        sys.exit(f'unexpected value: {e}')
    json.dump(doc, sys.stdout, indent=4)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
