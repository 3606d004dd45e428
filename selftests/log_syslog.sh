#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# format rfc5424 and rfc3164: the header is put before each record when it
# is appended (stored = sent), and two real receivers parse from it the
# hostname, app-name, facility, severity and timestamp, on lf and octet
# framing: rsyslogd (imtcp) and syslog-ng (network() and syslog()); "<N>"
# at the start of a payload sets the priority and is removed; names and
# values are checked when the log is configured. The kernel's own log
# (source kmsg, format rfc5424): both receivers read facility kern, each
# record's level as its severity, hostname, app-name kernel, its time and
# its text.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
command -v rsyslogd > /dev/null || skip_all "rsyslogd is not installed"
KLF_TEST_LOGS="s5l s5o s3l s3o sraw skm"
trap 'cleanup_targets; [ -s "$WORK/rsyslog.pid" ] && kill "$(cat "$WORK/rsyslog.pid")"
      [ -s "$DIRW/syslog-ng/pid" ] && kill "$(cat "$DIRW/syslog-ng/pid")"; rm -rf "$DIRW"' EXIT

# syslog-ng: SNG_ROOT, sng_mod, sng_skip and sng_run from target_lib.sh
# sng CMD...: a case of check that needs syslog-ng: a skip without it
sng() {
	[ -z "$sng_skip" ] || { skip_case "$sng_skip"; return; }
	"$@"
}

ktap_plan
port=$(free_port)
kport=$(free_port)
while [ "$kport" = "$port" ]; do kport=$(free_port); done
PKO=$KLF_TOP/build/$(uname -r)/selftests/kmod/klf_printk.ko
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
ruleset(name="kmsg") {
	action(type="omfile" file="$WORK/rsyslog-kmsg.out" template="fields")
}
input(type="imtcp" address="127.0.0.1" port="$kport" ruleset="kmsg")
CONF

start() {
	rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" > "$WORK/rsyslogd.log" 2>&1 &&
	wait_for $((10 * KLF_SLOW)) eval "ss -Hltn 'sport = :$port' | grep -q ." &&
	wait_for $((10 * KLF_SLOW)) eval "ss -Hltn 'sport = :$kport' | grep -q ."
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
	"$KLOGFWD" log show s3o | grep -q " format rfc3164 hostname $(uname -n) app-name s3o facility local3 severity warning"
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

# parsed FILE SLACK: FILE has the fields of the 16 records, "host|app|
# facility|severity|unix time|message" a line, each time within SLACK
# seconds of the appends
parsed() {
	python3 - "$1" "$t0" "$(date +%s)" "$(uname -n)" "$2" <<-'PY'
	import sys
	out, t0, t1, node = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
	slack = int(sys.argv[5])
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
	        assert t0 - slack <= int(r[4]) <= t1 + slack, ("timestamp", r, t0, t1)
	        assert r[5].lstrip(" ") == msg, ("message", r, msg)
	PY
}
# rsyslogd reads RFC 3164's time (no year, no fraction, no zone) as its
# local time: a minute either way
check "rsyslogd parsed hostname, app-name, facility, severity, timestamp and message of each" \
	parsed "$WORK/rsyslog.out" 60

# syslog-ng: network() reads lf framing only (octet framing's "LEN " would
# be part of the message, and records without a newline run together),
# RFC 3164 by default and RFC 5424 with flags(syslog-protocol); syslog()
# reads octet framing only (lf: "Invalid frame header", the connection is
# closed), RFC 5424, and RFC 3164 where there is no version after <N>. So
# each of the four logs has the driver made for its framing and format.
# time-zone("+00:00"): RFC 3164's time is the kernel's UTC, read exactly.
sng_ports=()
while [ -z "$sng_skip" ] && [ ${#sng_ports[@]} -lt 4 ]; do
	p=$(free_port)
	case " $port $kport ${sng_ports[*]} " in *" $p "*) ;; *) sng_ports+=("$p") ;; esac
done
sng_listens() {
	[ "$(ss -Hltn "sport = :${sng_ports[0]} or sport = :${sng_ports[1]} or sport = :${sng_ports[2]} or sport = :${sng_ports[3]}" |
		wc -l)" = 4 ]
}
sng_start() {
	mkdir -p "$DIRW/syslog-ng"
	cat > "$WORK/syslog-ng.conf" <<-CONF
	@version: ${sng_mod##*/}
	options { keep-hostname(yes); use-dns(no); dns-cache(no); };
	template t_fields {
		template("\$HOST|\$PROGRAM|\$FACILITY_NUM|\$LEVEL_NUM|\$S_UNIXTIME|\$MSG\n");
	};
	source s_lf3164 { network(ip("127.0.0.1") port(${sng_ports[0]}) transport("tcp")
			  time-zone("+00:00")); };
	source s_lf5424 { network(ip("127.0.0.1") port(${sng_ports[1]}) transport("tcp")
			  flags(syslog-protocol)); };
	source s_octet { syslog(ip("127.0.0.1") port(${sng_ports[2]}) transport("tcp")
			 time-zone("+00:00")); };
	source s_kmsg { network(ip("127.0.0.1") port(${sng_ports[3]}) transport("tcp")
			flags(syslog-protocol)); };
	destination d_fields { file("$WORK/syslog-ng.out" template(t_fields)); };
	destination d_kmsg { file("$WORK/syslog-ng-kmsg.out" template(t_fields)); };
	log { source(s_lf3164); source(s_lf5424); source(s_octet); destination(d_fields); };
	log { source(s_kmsg); destination(d_kmsg); };
	CONF
	# no system sources (no /dev/log, no /proc/kmsg); its persist file
	# (mmapped), control socket and pid file on tmpfs, not on the 9p $WORK
	sng_run -F -f "$WORK/syslog-ng.conf" -R "$DIRW/syslog-ng/persist" \
		-p "$DIRW/syslog-ng/pid" -c "$DIRW/syslog-ng/ctl" > "$WORK/syslog-ng.log" 2>&1 &
	# it loads glib and its plugins first: more than 10 s on the debug
	# kernel under TCG (seen in make check)
	wait_for $((15 * KLF_SLOW)) sng_listens ||
		{ cat "$WORK/syslog-ng.log"; return 1; }
}
check "syslog-ng listens with network() (lf, 3164 and 5424) and syslog() (octet)" sng sng_start

sng_forward() {
	"$KLOGFWD" target add s3l-ng log s3l to "127.0.0.1:${sng_ports[0]}" &&
	"$KLOGFWD" target add s5l-ng log s5l to "127.0.0.1:${sng_ports[1]}" &&
	"$KLOGFWD" target add s5o-ng log s5o to "127.0.0.1:${sng_ports[2]}" &&
	"$KLOGFWD" target add s3o-ng log s3o to "127.0.0.1:${sng_ports[2]}" || return 1
	wait_for 60 eval '[ -f "$WORK/syslog-ng.out" ] && [ "$(wc -l < "$WORK/syslog-ng.out")" -ge 16 ]' ||
		{ cat "$WORK/syslog-ng.log"; return 1; }
}
check "the same 16 records forwarded to syslog-ng by a second target of each log" sng sng_forward

# RFC 3164's time has no fraction: within a second
check "syslog-ng parsed hostname, app-name, facility, severity, timestamp and message of each" sng \
	parsed "$WORK/syslog-ng.out" 1

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

# the kernel's log: klf_printk's "TAG i" at level i % 8 (i = 1 to 8), a
# record of two lines and one built with pr_cont (level info), then a
# record written to /dev/kmsg (facility user, level info)
ktag=klfsys$$
kt0=$(date +%s)
kmsg_forward() {
	[ -r "$PKO" ] || { skip_case "$PKO is not built (make module)"; return; }
	"$KLOGFWD" log add skm source kmsg from now format rfc5424 hostname klf-host &&
	"$KLOGFWD" target add skm log skm to "127.0.0.1:$kport" || return 1
	if [ -z "$sng_skip" ]; then
		"$KLOGFWD" target add skm-ng log skm to "127.0.0.1:${sng_ports[3]}" || return 1
	fi
	insmod "$PKO" "tag=$ktag" n=8 && rmmod klf_printk &&
	printf '<14>%s user\n' "$ktag" > /dev/kmsg || return 1
	wait_for $((60 * KLF_SLOW)) grep -qF "$ktag user" "$WORK/rsyslog-kmsg.out" 2> /dev/null ||
		{ echo "# rsyslogd did not get the last record"; return 1; }
	[ -n "$sng_skip" ] ||
	wait_for $((60 * KLF_SLOW)) grep -qF "$ktag user" "$WORK/syslog-ng-kmsg.out" 2> /dev/null ||
		{ echo "# syslog-ng did not get the last record"; return 1; }
}
check "source kmsg, format rfc5424: the kernel's records forwarded to rsyslogd and syslog-ng" kmsg_forward

# kparsed FILE: every record host klf-host, app-name kernel, a time within
# 60 s; the tag's: facility kern (user for the last), severity its level,
# the text (escaped as /dev/kmsg escapes it)
kparsed() {
	[ -r "$PKO" ] || { skip_case "$PKO is not built (make module)"; return; }
	python3 - "$1" "$ktag" "$kt0" "$(date +%s)" <<-'PY'
	import sys
	out, tag, t0, t1 = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
	rows = [l.rstrip("\n").split("|", 5) for l in open(out)]
	assert rows, "no record"
	for r in rows:
	    assert len(r) == 6 and r[0] == "klf-host" and r[1] == "kernel", ("host/app", r)
	    assert t0 - 60 <= int(r[4]) <= t1 + 60, ("timestamp", r, t0, t1)
	mine = [(r[2], r[3], r[5].lstrip(" ")) for r in rows if r[5].lstrip(" ").startswith(tag + " ")]
	want = [("0", str(i % 8), "%s %d" % (tag, i)) for i in range(1, 9)] + \
	       [("0", "6", "%s multi first\\x0a%s multi second" % (tag, tag)),
	        ("0", "6", "%s cont a b c" % tag), ("1", "6", "%s user" % tag)]
	assert mine == want, "got %r\nwant %r" % (mine, want)
	PY
}
check "rsyslogd parsed facility kern, each level as severity, host, app-name, time and text" \
	kparsed "$WORK/rsyslog-kmsg.out"
check "syslog-ng parsed facility kern, each level as severity, host, app-name, time and text" \
	sng kparsed "$WORK/syslog-ng-kmsg.out"

ktap_finish
