#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# A dir log's settings survive: saved in DIR/settings when the log is
# created and on every log set, restored by log add NAME dir DIR; settings
# given then replace the saved ones, but lower the durability only with
# override. The file is untrusted input: bad values, unknown keys, a
# symlink and an oversized file are handled without losing the segments.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="ps"
D=/tmp/klf-settings	# tmpfs: a dir log must be on a page-cache filesystem
trap 'cleanup_targets; rm -rf "$D"' EXIT
rm -rf "$D" && mkdir -p "$D"

ktap_plan

add_again() { # add_again [SETTING...]: delete the log and add it again on $D
	"$KLOGFWD" log del ps 2> /dev/null
	"$KLOGFWD" log add ps dir "$D" "$@"
}

saved() {
	"$KLOGFWD" log add ps dir "$D" segment-bytes 1M retain-ms 1d sync always mode 0640 \
		input lines format rfc5424 hostname h1 facility local2 &&
	grep -qx "segment-bytes 1048576" "$D/settings" && grep -qx "sync always" "$D/settings" &&
	grep -qx "mode 0640" "$D/settings" && grep -qx "retain-ms 86400000" "$D/settings" &&
	printf 'kept\n' > /dev/klogfwd/ps
}
check "log add of a dir log writes DIR/settings" saved

want="segment-bytes 1M .*retain-ms 1d .*sync always .*mode 0640 .*input lines format rfc5424 hostname h1 .*facility local2 "
restored() {
	add_again && "$KLOGFWD" log show ps | grep -q "$want" &&
	"$KLOGFWD" log show ps | grep -q "records 1 "
}
check "log del, then log add NAME dir DIR: every setting restored, records recovered" restored

set_saved() {
	"$KLOGFWD" log set ps max-record 2k sync 250 && add_again &&
	"$KLOGFWD" log show ps | grep -q "max-record 2k .*sync 250 .*input lines"
}
check "log set is saved: restored after del and add" set_saved

lower() {
	"$KLOGFWD" log set ps sync always || return 1
	add_again sync none 2>&1 | grep -q "sync is lower than the saved settings: give override to lower it" ||
		return 1
	add_again retain-bytes 64M 2>&1 | grep -q "retain-bytes is lower than the saved settings" || return 1
	add_again sync none override && "$KLOGFWD" log show ps | grep -q "sync none .*segment-bytes\|segment-bytes .*sync none" &&
	grep -qx "sync none" "$D/settings" &&
	add_again sync always mode 0600 && "$KLOGFWD" log show ps | grep -q "sync always .*mode 0600"
}
check "a lower sync or retention given needs override; a higher one does not" lower

refused_set() {
	"$KLOGFWD" log set ps override 2>&1 | grep -q "override"
}
check "log set refuses override" refused_set

# hostile settings files: the log is refused with the line named, or the
# key skipped; the segments are untouched either way
hostile() {
	local seg sum
	"$KLOGFWD" log del ps
	seg=$(ls "$D"/*.log) && sum=$(cat "$D"/*.log | md5sum)
	cp "$D/settings" "$WORK/settings.good"
	printf 'sync always\nsegment-bytes 12\n' > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "settings line 2: bad value for segment-bytes" ||
		return 1
	printf 'mode 99999\n' > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "bad value for mode" || return 1
	printf 'hostname two words\n' > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "bad value for hostname" || return 1
	printf 'sync\n' > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "bad value for sync" || return 1
	printf 'format json\n' > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "format json is for logs with source kmsg" ||
		return 1
	head -c 5000 /dev/urandom > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "larger than 4096 bytes" || return 1
	printf 'sync always\n\001\377\033[2J binary\n' > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2>&1 | grep -q "settings line 2: not a setting" || return 1
	ln -sf "$WORK/settings.good" "$D/settings"
	"$KLOGFWD" log add ps dir "$D" 2> /dev/null && { echo "a symlinked settings file was read"; return 1; }
	rm -f "$D/settings"
	test "$(cat "$D"/*.log | md5sum)" = "$sum" && test "$(ls "$D"/*.log)" = "$seg"
}
check "bad values, no value, format json on a local log, binary bytes, over 4096 bytes, a symlink: refused, segments untouched" hostile

unknown() {
	{ cat "$WORK/settings.good"; echo "future-setting 42"; } > "$D/settings"
	"$KLOGFWD" log add ps dir "$D" &&
	dmesg | grep -q 'settings line [0-9]*: unknown key "future-setting" skipped' &&
	"$KLOGFWD" log show ps | grep -q "sync always" && ! grep -q future-setting "$D/settings"
}
check "an unknown key (a newer version's) is skipped with a warning; the file is rewritten" unknown

missing() {
	"$KLOGFWD" log del ps && rm "$D/settings" && "$KLOGFWD" log add ps dir "$D" &&
	"$KLOGFWD" log show ps | grep -q "sync none .*records 1 \|records 1 " &&
	grep -qx "sync none" "$D/settings"
}
check "no settings file (a directory from an older version): defaults, records recovered, file written" missing

check "the kernel log has no warning about log ps but the unknown key" \
	eval '! dmesg | grep "log ps:" | grep -v "unknown key" | grep -qi "warn\|cannot\|not saved"'

ktap_finish
