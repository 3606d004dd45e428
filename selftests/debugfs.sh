#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# The debugfs tree exists, lists every object kind, and is for root only.
# A log's and a target's stats files say what the netlink reply says, line
# for line (the same snapshot, the same names): an operator reading one
# and a program the other must not see two stories.

. "$(dirname "$0")/lib.sh"
require_module
[ -d /sys/kernel/debug/tracing ] || [ -d /sys/kernel/debug ] || skip_all "debugfs is not mounted"

ktap_plan
check "debugfs root exists" test -d "$KLF_DFS"
kinds() { [ "$(awk '{print $1}' "$KLF_DFS/objects" | tr '\n' ' ')" = "logs segments targets sockets " ]; }
check "objects lists logs, segments, targets and sockets" kinds
check "every object count is a number" \
	awk 'NF != 2 || $2 !~ /^[0-9]+$/ { exit 1 }' "$KLF_DFS/objects"
check "objects is mode 0400" test "$(stat -c %a "$KLF_DFS/objects")" = 400
check "nobody cannot read the counters" fails as_nobody cat "$KLF_DFS/objects"

# every line "KEY VALUE" of KIND NAME's stats file is KEY in the stats
# object of "klogfwd -j KIND show NAME", or else in the object (log,
# state); at least MIN lines
same_as_cli() { # same_as_cli KIND NAME MIN
	local j rc
	j=$(mktemp) || return 1
	"$KLOGFWD" -j "$1" show "$2" > "$j" &&
	python3 - "$KLF_DFS/${1}s/$2/stats" "$j" "$3" <<'EOF'
import json, sys
obj = json.load(open(sys.argv[2]))
if isinstance(obj, list):
    obj = obj[0]
n, bad = 0, 0
for line in open(sys.argv[1]):
    key, val = line.split(None, 1)
    val = val.strip()
    want = obj["stats"].get(key, obj.get(key, "(absent)"))
    n += 1
    if str(want) != val:
        print(f"# {key}: debugfs {val}, netlink {want}")
        bad += 1
print(f"# {sys.argv[1]}: {n} lines, {bad} differ")
sys.exit(1 if bad or n < int(sys.argv[3]) else 0)
EOF
	rc=$?
	rm -f "$j"
	return $rc
}

# a log with records, and a paused relp target of it that tried to connect
# (nothing changes between the two reads)
stats_match() {
	local rc
	"$KLOGFWD" log del dfs 2> /dev/null
	"$KLOGFWD" log add dfs && "$KLOGFWD" log append dfs a bb ccc &&
	"$KLOGFWD" target add dfs log dfs to 127.0.0.1:9 ack relp backoff 50-100 || return 1
	wait_for 20 tstat_is dfs reconnects -gt 0 || return 1
	"$KLOGFWD" target set dfs pause && wait_for 20 tstat_is dfs state = paused || return 1
	same_as_cli log dfs 20 && same_as_cli target dfs 28
	rc=$?
	"$KLOGFWD" target del dfs && "$KLOGFWD" log del dfs && return $rc
}
check "a log's and a relp target's stats files equal the CLI's show, line for line" stats_match
ktap_finish
