# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the RELP target tests (target_relp.sh, target_relp_tls.sh;
# source after target_lib.sh): a target's counters read once per case,
# rsyslogd started and waited for. $RD is the test's scratch directory.

# snap TARGET: the target's JSON now, in SNAP, for has (one CLI call for
# all the counters a case checks)
snap() {
	SNAP=$("$KLOGFWD" -j target show "$1" 2> /dev/null)
	SNAP_T=$1
}

# has KEY OP VALUE: SNAP's KEY (as counter reads it, also left in KV)
# compares so (test OP), else say what it is
has() {
	local s v='' re='^"?([^",}]*)'
	for s in "${SNAP#*\"stats\":\{}" "$SNAP"; do
		[[ $s == *"\"$1\":"* ]] || continue
		s=${s#*\""$1"\":}
		s=${s#"${s%%[! ]*}"}
		[[ $s =~ $re ]] && v=${BASH_REMATCH[1]}
		break
	done
	[ "$v" = null ] && v=
	KV=$v
	test "$v" "$2" "$3" && return 0
	echo "# target $SNAP_T: $1 is '$v', expected $2 $3"
	return 1
}

# show TARGET: the target as target show gives it (a diagnostic)
show() {
	"$KLOGFWD" target show "$1" | sed 's/^/# /'
}

# listening PORT: a TCP socket listens on PORT (state 0A in /proc/net/tcp),
# read without starting a process
listening() {
	local hex l a st
	printf -v hex '%04X' "$1"
	{ mapfile -t _klf_ls < /proc/net/tcp; } 2> /dev/null || return 1
	for l in "${_klf_ls[@]:1}"; do
		read -r _ a _ st _ <<< "$l"
		[ "${a##*:}" = "$hex" ] && [ "$st" = 0A ] && return 0
	done
	return 1
}

# rs_start NAME PORT: start the rsyslogd NAME in the foreground (-n), so
# that its pid is the one spawn keeps, and wait until it listens (polled
# every 50 ms: it costs no process, and the kill loop starts it ten times)
rs_start() {
	local i
	rm -f "$RD/$1.pid"
	spawn "$1" rsyslogd -n -f "$RD/$1.conf" -i "$RD/$1.pid" >> "$RD/$1.log" 2>&1
	for ((i = 0; i < 200 * KLF_SLOW; i++)); do
		listening "$2" && return 0
		nap 0.05
	done
	echo "# rsyslogd $1 does not listen on $2"
	sed 's/^/#   /' "$RD/$1.log"
	return 1
}

# behind TARGET SENT: the target sent more than SENT records, or has
# records appended and not acknowledged
behind() {
	snap "$1"
	has records_sent -gt "$2" > /dev/null || has lag_records -gt 0 > /dev/null
}

# reset_loop TARGET PORT RESETS STEP: the connection of TARGET to PORT
# reset (ss -K) RESETS times, from the receiver's end and from the
# sender's in turn, each once the session has had STEP more records
# acknowledged and seen to end in a reconnect; then STEP more acknowledged
reset_loop() {
	local i at=0 rc side filter
	for ((i = 1; i <= $3 + 1; i++)); do
		wait_for $((30 * KLF_SLOW)) tstat_is "$1" records_acked -ge $((at + $4)) ||
			{ echo "# session $i delivers nothing"; show "$1"; return 1; }
		[ $i = $(($3 + 1)) ] && break
		counter target "$1" reconnects
		rc=$KV
		if ((i % 2)); then
			side=receiver filter="src 127.0.0.1 sport = :$2"
		else
			side=sender filter="dst 127.0.0.1 dport = :$2"
		fi
		# shellcheck disable=SC2086 # the filter is words
		wait_for $((10 * KLF_SLOW)) reset_conn $filter ||
			{ echo "# reset $i ($side): no connection was reset"; show "$1"; return 1; }
		wait_for $((10 * KLF_SLOW)) tstat_is "$1" reconnects -gt "$rc" ||
			{ echo "# reset $i ($side): reconnects stayed $rc"; return 1; }
		counter target "$1" records_acked
		at=$KV
	done
}
