#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12
#
# The CLI and the module agree on who they are: "klogfwd version" reports
# the loaded module's version (= VERSION), the running kernel's release and
# the family version, in text and in JSON.

. "$(dirname "$0")/lib.sh"
require_module

want=$(cat "$KLF_TOP/VERSION")
rel=$(uname -r)
ktap_plan

out=$("$KLOGFWD" version 2>&1)
echo "$out" | sed 's/^/# /'
check "version exits 0" "$KLOGFWD" version
check "text output names the module version and kernel" \
	grep -qF "klogfwd module $want (kernel $rel, genl family version 1)" <<< "$out"
check "sysfs module version matches VERSION" \
	test "$(cat /sys/module/klogfwd/version)" = "$want"

json=$("$KLOGFWD" -j version)
check "JSON output parses" python3 -c 'import json,sys; json.loads(sys.argv[1])' "$json"
check "JSON carries module version, kernel release and family version" python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert j["module_version"] == sys.argv[2], j
assert j["kernel_release"] == sys.argv[3], j
assert j["genl_version"] == 1, j
assert j["cli_version"].startswith(sys.argv[2]), j
' "$json" "$want" "$rel"
check "an unprivileged user may ask for the version" as_nobody "$KLOGFWD" version
# the reply-parsing path under valgrind (slow under TCG: one kernel only)
valgrind_reply() {
	[ "${KLF_KERNEL:-}" = 6.12 ] && command -v valgrind > /dev/null ||
		{ skip_case "runs on 6.12, with valgrind"; return; }
	valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 \
		"$KLOGFWD" -p version
}
check "no memory errors or leaks parsing the module's reply (valgrind)" valgrind_reply
ktap_finish
