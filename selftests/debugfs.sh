#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# The debugfs tree exists, lists every object kind, and is for root only.

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
ktap_finish
