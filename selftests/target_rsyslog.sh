#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 6.12
#
# An octet-framed log forwarded to a real rsyslogd (imtcp, RFC 6587 octet
# counting): every record arrives as its own message, in order, unchanged.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
command -v rsyslogd > /dev/null || skip_all "rsyslogd is not installed"
KLF_TEST_LOGS=rs
trap 'cleanup_targets; [ -s "$WORK/rsyslog.pid" ] && kill "$(cat "$WORK/rsyslog.pid")"' EXIT

ktap_plan
n=$((2000 / KLF_SLOW))
port=$(free_port)
mkdir -p "$WORK/rsyslog"
cat > "$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK/rsyslog" maxMessageSize="8k")
module(load="imtcp")
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="klf") {
	action(type="omfile" file="$WORK/rsyslog.out" template="raw")
}
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="klf")
CONF

start() {
	rsyslogd -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" > "$WORK/rsyslogd.log" 2>&1 &&
	wait_for 10 eval "ss -Hltn 'sport = :$port' | grep -q ."
}
check "rsyslogd listens with imtcp" start

lines() {
	[ -f "$WORK/rsyslog.out" ] && [ "$(wc -l < "$WORK/rsyslog.out")" -ge "$1" ]
}

forward() {
	"$KLOGFWD" log add rs framing octet &&
	"$PRODUCE" -o /dev/klogfwd/rs -n $n --min 20 --max 2000 --seed 11 --ts 1 > /dev/null &&
	"$KLOGFWD" target add rs log rs to "127.0.0.1:$port" &&
	wait_for 120 lines $n
}
check "$n records forwarded to rsyslogd" forward

same() {
	"$PRODUCE" --expect-file "$WORK/rsyslog.expect" -n $n --min 20 --max 2000 --seed 11 \
		--ts 1 > /dev/null &&
	cmp "$WORK/rsyslog.expect" "$WORK/rsyslog.out"
}
check "rsyslogd wrote each record as one message, unchanged, in order" same

ktap_finish
