#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# format rfc5424 and rfc3164: the header is put before each record when it
# is appended (stored = sent), and a real rsyslogd (imtcp) parses from it
# the hostname, app-name, facility, severity and timestamp, on lf and
# octet framing; "<N>" at the start of a payload sets the priority and is
# removed; names and values are checked when the log is configured.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
command -v rsyslogd > /dev/null || skip_all "rsyslogd is not installed"
KLF_TEST_LOGS="s5l s5o s3l s3o sraw"
trap 'cleanup_targets; [ -s "$WORK/rsyslog.pid" ] && kill "$(cat "$WORK/rsyslog.pid")"' EXIT

ktap_plan 7
port=$(free_port)
mkdir -p "$WORK/rsyslog"
cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog")
module(load="imtcp")
template(name="fields" type="string"
	 string="%hostname%|%app-name%|%syslogfacility%|%syslogseverity%|%timereported:::date-unixtimestamp%|%msg%\n")
ruleset(name="klf") {
	action(type="omfile" file="$WORK/rsyslog.out" template="fields")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="klf")
CONF

start() {
	rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" > "$WORK/rsyslogd.log" 2>&1 &&
	wait_for 10 eval "ss -Hltn 'sport = :$port' | grep -q ."
}
check "rsyslogd listens with imtcp" start

# four logs: rfc5424 and rfc3164, lf and octet; s3o keeps the default
# hostname (the node name) and app-name (the log's name)
setup() {
	"$KLOGFWD" log add s5l format rfc5424 hostname klf-host app-name app5l \
		facility local3 severity warning input lines &&
	"$KLOGFWD" log add s5o framing octet format rfc5424 hostname klf-host app-name app5o \
		facility 19 severity 4 &&
	"$KLOGFWD" log add s3l format rfc3164 hostname klf-host app-name app3l \
		facility local3 severity warning input lines &&
	"$KLOGFWD" log add s3o framing octet format rfc3164 facility local3 severity warning &&
	"$KLOGFWD" log show s3o | grep -q " format rfc3164 hostname $(uname -n) app-name s3o facility 19 severity 4"
}
check "log add with format, hostname, app-name, facility and severity; defaults shown" setup

t0=$(date +%s)
produce() {
	local l
	for l in s5l s5o s3l s3o; do
		printf 'plain message from %s\n' "$l" > "/dev/klogfwd/$l" &&
		printf '<11>with a priority from %s\n' "$l" > "/dev/klogfwd/$l" &&
		printf '<3>facility 0 means the default, %s\n' "$l" > "/dev/klogfwd/$l" &&
		"$KLOGFWD" log append "$l" "<191>from netlink, $l" || return 1
	done
}
check "appends through the device (lines and record input) and netlink" produce

stored() {
	python3 - <<-'PY'
	import re
	h5 = r"<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z klf-host app5l - - - "
	got = open("/dev/klogfwd/s5l", "rb").read().decode().splitlines()
	want = ["156", "plain message from s5l"], ["11", "with a priority from s5l"], \
	       ["155", "facility 0 means the default, s5l"], ["191", "from netlink, s5l"]
	assert len(got) == 4, got
	for g, (pri, msg) in zip(got, want):
	    m = re.fullmatch(h5 + "(.*)", g)
	    assert m and m.group(1) == pri and m.group(2) == msg, (g, pri, msg)
	h3 = r"<156>[A-Z][a-z][a-z] [ 1-3]\d \d\d:\d\d:\d\d klf-host app3l: plain message from s3l"
	first = open("/dev/klogfwd/s3l", "rb").read().decode().splitlines()[0]
	assert re.fullmatch(h3, first), first
	PY
}
check "stored records: the RFC 5424 and RFC 3164 headers, <N> replaced by the header" stored

forward() {
	local l
	for l in s5l s5o s3l s3o; do
		"$KLOGFWD" target add "$l" log "$l" to "127.0.0.1:$port" || return 1
	done
	wait_for 60 eval '[ -f "$WORK/rsyslog.out" ] && [ "$(wc -l < "$WORK/rsyslog.out")" -ge 16 ]'
}
check "16 records forwarded to rsyslogd" forward

parsed() {
	python3 - "$WORK/rsyslog.out" "$t0" "$(date +%s)" "$(uname -n)" <<-'PY'
	import sys
	out, t0, t1, node = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	rows = [l.rstrip("\n").split("|", 5) for l in open(out)]
	assert len(rows) == 16, rows
	apps = {"s5l": "app5l", "s5o": "app5o", "s3l": "app3l", "s3o": "s3o"}
	for log, app in apps.items():
	    mine = [r for r in rows if r[1] == app]
	    assert len(mine) == 4, (app, rows)
	    host = node if log == "s3o" else "klf-host"
	    want = [("19", "4", "plain message from " + log),
	            ("1", "3", "with a priority from " + log),
	            ("19", "3", "facility 0 means the default, " + log),
	            ("23", "7", "from netlink, " + log)]
	    for r, (fac, sev, msg) in zip(mine, want):
	        assert r[0] == host, ("hostname", r)
	        assert (r[2], r[3]) == (fac, sev), ("facility/severity", r, fac, sev)
	        # RFC 3164 has no year and no fraction: a minute either way
	        assert t0 - 60 <= int(r[4]) <= t1 + 60, ("timestamp", r, t0, t1)
	        assert r[5].lstrip(" ") == msg, ("message", r, msg)
	PY
}
check "rsyslogd parsed hostname, app-name, facility, severity, timestamp and message of each" parsed

refusals() {
	"$KLOGFWD" log add sraw &&
	"$KLOGFWD" log set sraw hostname "two words" 2>&1 | grep -q "hostname must be printable ASCII without spaces" &&
	"$KLOGFWD" log set sraw facility 24 2>&1 | grep -q "facility.*out of range (0 to 23)" &&
	"$KLOGFWD" log set sraw severity bogus 2>&1 | grep -q "severity" &&
	"$KLOGFWD" log set sraw app-name "$(printf 'a%.0s' $(seq 49))" 2>&1 | grep -q "app-name is too long: 49 bytes (at most 48)" &&
	"$KLOGFWD" log set sraw format rfc5424 max-record 40 &&
	printf 'raw\n' > /dev/klogfwd/sraw 2> /dev/null && return 1
	"$KLOGFWD" log show sraw | grep -q "rejected-size 1"
}
check "bad names and values refused with the setting named; max-record counts the header" refusals

ktap_finish
