#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# stats-get ("klogfwd stats"): the totals of the caller's network
# namespace. Checked against what the producers wrote, what the receiver
# got and what log/target show report; counters survive the deletion of
# their logs and targets (they never go backwards); another namespace sees
# only its own; an unprivileged user gets EPERM. "stats -o prometheus"
# passes promtool and says what -j says.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
require_tools
KLF_TEST_LOGS="st-a st-b"
trap cleanup_targets EXIT
setup_ns NST || skip_all "cannot make a network namespace"
command -v jq > /dev/null || skip_all "jq is not installed"

ktap_plan

S=$WORK/stats.json
# snap: "klogfwd -j stats" into $S, and its top-level values into SV (one
# jq for all of them: a process costs a third of a second under TCG)
# (cases run in subshells: a case reads what an earlier one left in $S with
# load)
declare -A SV
snap() {
	"$KLOGFWD" -j stats > "$S" && load
}
load() {
	local k v
	SV=()
	while read -r k v; do
		SV[$k]=$v
	done <<< "$(jq -r 'to_entries[] | "\(.key) \(.value)"' "$S")"
	[ ${#SV[@]} -gt 0 ]
}
# sv KEY: a value of the last snap
sv() { echo "${SV[$1]}"; }

# the numbers before this test: other tests ran in this module instance
snap || exit 1
base_appends=$(sv appends) base_bytes=$(sv append_bytes) base_acked=$(sv bytes_acked)
base_connects=$(sv connects)

shape() {
	local bad
	bad=$(jq -r '["logs", "max_logs", "targets", "max_targets", "targets_established",
		"records", "bytes", "lag_bytes", "appends", "append_bytes", "rejected",
		"dropped_records", "bytes_sent", "records_sent", "bytes_acked", "records_acked",
		"pages_spliced", "bytes_copied", "resent_bytes", "connects", "reconnects"][] as $k |
		select((.[$k] | type) != "number") | $k' "$S") &&
	[ -z "$bad" ] || { echo "# missing or not a number: ${bad:-(jq failed)}"; return 1; }
	[ "$(sv max_logs)" = 256 ] && [ "$(sv max_targets)" = 4096 ] &&
	[ "$(sv logs)" = 0 ] && [ "$(sv targets)" = 0 ] ||
		{ echo "# $(cat "$S")"; return 1; }
	"$KLOGFWD" stats | grep -qE '^max-targets +4096$'
}
check "every counter present, limits reported, nothing exists yet" shape

port=$(free_port)
N=$((2000 / KLF_SLOW))
# the receiver exits after N records: count the connection while it lives
established_is() { [ "$("$KLOGFWD" -j stats | jq .targets_established)" = "$1" ]; }
live() {
	"$KLOGFWD" log add st-a framing klf &&
	"$KLOGFWD" log add st-b framing lf max-record 100 &&
	recv_start st -l "127.0.0.1:$port" -f klf -n "$N" -t 120 &&
	"$KLOGFWD" target add st-t log st-a to "127.0.0.1:$port" &&
	wait_for 20 established_is 1 &&
	# status: how long it has been established
	"$KLOGFWD" status | grep -qE "^  st-t -> 127\.0\.0\.1:$port: established [0-9]+s, lag " &&
	"$PRODUCE" -o /dev/klogfwd/st-a -n "$N" --min 10 --max 300 > /dev/null &&
	"$KLOGFWD" log append st-b one two three &&
	! "$KLOGFWD" log append st-b "$(head -c 200 /dev/zero | tr '\0' x)" 2>/dev/null &&
	recv_wait st 120 &&
	wait_for 20 tstat_is st-t lag_bytes = 0 || return 1
	snap || return 1
	local a_bytes b_bytes t_acked
	a_bytes=$("$KLOGFWD" -j log show st-a | jq '.[0].stats.append_bytes')
	b_bytes=$("$KLOGFWD" -j log show st-b | jq '.[0].stats.append_bytes')
	t_acked=$("$KLOGFWD" -j target show st-t | jq '.[0].stats.bytes_acked')
	echo "# appends $(sv appends) (base $base_appends) bytes_acked $(sv bytes_acked) rejected $(sv rejected)"
	[ "$(sv logs)" = 2 ] && [ "$(sv targets)" = 1 ] &&
	[ "$(sv appends)" = $((base_appends + N + 3)) ] &&
	[ "$(sv append_bytes)" = $((base_bytes + a_bytes + b_bytes)) ] &&
	[ "$(sv records)" = $((N + 3)) ] &&
	[ "$(sv bytes_acked)" = $((base_acked + t_acked)) ] &&
	[ "$(sv bytes_acked)" -ge $((base_acked + $(rstat st bytes))) ] &&
	[ "$(sv connects)" -ge $((base_connects + 1)) ] &&
	[ "$(sv lag_bytes)" = 0 ] && [ "$(sv rejected)" -ge 1 ] ||
		{ echo "# $(cat "$S")"; return 1; }
}
check "live totals match the producer, the receiver, log show and target show" live

# stats -o prometheus, with the target paused (its receiver is gone: it
# would retry, and its counters move): Prometheus' own
# parser and linter (promtool, which make deps takes out of Debian's
# prometheus package) accepts it, and prom_check.py finds every sample
# equal to what -j stats, log show and target show report, and nothing else
PROMTOOL=${KLF_PROMTOOL:-$(command -v promtool || echo /var/cache/klogfwd/promtool/promtool)}
prom() {
	local m=$WORK/metrics.prom
	[ -x "$PROMTOOL" ] || { echo "# no promtool at $PROMTOOL: run make deps"; return 1; }
	"$KLOGFWD" target set st-t pause && wait_for 20 tstat_is st-t state = paused || return 1
	"$KLOGFWD" stats -o prometheus > "$m" &&
	"$KLOGFWD" -j stats > "$WORK/p-stats.json" &&
	"$KLOGFWD" -j log show > "$WORK/p-logs.json" &&
	"$KLOGFWD" -j target show > "$WORK/p-targets.json" || return 1
	echo "# $(wc -l < "$m") lines, e.g. $(grep -m1 '^klogfwd_target_bytes_sent_total' "$m")"
	"$PROMTOOL" check metrics < "$m" 2>&1 | sed 's/^/# promtool: /'
	[ "${PIPESTATUS[0]}" = 0 ] || return 1
	python3 "$(dirname "$0")/prom_check.py" "$m" "$WORK/p-stats.json" \
		"$WORK/p-logs.json" "$WORK/p-targets.json"
}
check "stats -o prometheus: promtool accepts it, every sample is what -j reports" prom

# klogfwd status: a line per log, a line per target under it, in human
# units, the problems named: st-b's refused append, and the connection
# error of a target whose port has no listener (st-t is paused above)
status() {
	local out p2
	p2=$(free_port)
	"$KLOGFWD" target add st-u log st-b to "127.0.0.1:$p2" &&
	wait_for 20 tstat_is st-u last_error = 111 || return 1
	out=$("$KLOGFWD" status)
	# st-u goes whatever the output: the cases after count st-b's targets
	"$KLOGFWD" target del st-u || return 1
	printf '%s\n' "$out" | sed 's/^/# /'
	[ "$(printf '%s\n' "$out" | wc -l)" = 4 ] &&
	printf '%s\n' "$out" | sed -n 1p | grep -qE "^log st-a: memory, klf: $N records, [0-9]+(\.[0-9])? (KiB|MiB) in [0-9]+ segments?$" &&
	printf '%s\n' "$out" | sed -n 2p | grep -qxF "  st-t -> 127.0.0.1:$port: paused, lag 0" &&
	printf '%s\n' "$out" | sed -n 3p | grep -qE '^log st-b: memory, lf: 3 records, [0-9]+ B in 1 segment, 1 append refused \(too long 1\)$' &&
	printf '%s\n' "$out" | sed -n 4p | grep -qE "^  st-u -> 127\.0\.0\.1:$p2: (backoff|connecting), lag 3 records \([0-9]+ B\), last error ECONNREFUSED \(Connection refused\) [0-9]+s ago$" || return 1
	# the output first: grep -q may exit before the hint is written,
	# and klogfwd would die of SIGPIPE
	out=$("$KLOGFWD" -j status 2>&1)
	[ $? = 2 ] && [[ $out == *"status prints text only"* ]] ||
		{ echo "-j status: $out"; return 1; }
}
check "status: a line per log and target, human units, problems named" status

monotonic() {
	local -A before=()
	local k
	load || return 1
	for k in "${!SV[@]}"; do before[$k]=${SV[$k]}; done
	"$KLOGFWD" target del st-t && "$KLOGFWD" log del st-a && "$KLOGFWD" log del st-b &&
	snap || return 1
	[ "$(sv logs)" = 0 ] && [ "$(sv targets)" = 0 ] && [ "$(sv records)" = 0 ] &&
	[ "$(sv bytes)" = 0 ] || { echo "# $(cat "$S")"; return 1; }
	for k in appends append_bytes rejected bytes_sent records_sent bytes_acked \
		records_acked pages_spliced connects; do
		[ -n "${SV[$k]}" ] && [ "${SV[$k]}" = "${before[$k]}" ] ||
			{ echo "# $k: ${before[$k]} before the deletion, ${SV[$k]} after"; return 1; }
	done
}
check "counters of deleted logs and targets are kept (never go backwards)" monotonic

netns() {
	local out
	out=$(ip netns exec "$NST" "$KLOGFWD" -j stats) || return 1
	[ "$(jq .appends <<< "$out")" = 0 ] && [ "$(jq .connects <<< "$out")" = 0 ] &&
	ip netns exec "$NST" "$KLOGFWD" log add st-a &&
	ip netns exec "$NST" "$KLOGFWD" log append st-a x &&
	out=$(ip netns exec "$NST" "$KLOGFWD" -j stats) &&
	[ "$(jq .logs <<< "$out")" = 1 ] && [ "$(jq .appends <<< "$out")" = 1 ] &&
	snap && [ "$(sv logs)" = 0 ] || { echo "# in $NST: $out; here: $(cat "$S")"; return 1; }
	# its log and target go with it, their counters with its klf_net
	ip netns exec "$NST" "$KLOGFWD" target add st-n log st-a to 127.0.0.1:9 paused &&
	ip netns del "$NST" &&
	wait_for 20 test ! -e "$KLF_DFS/logs/st-a"
}
check "another network namespace sees only its own totals" netns

unpriv() {
	local out rc
	out=$(as_nobody "$KLOGFWD" stats 2>&1)
	rc=$?
	[ $rc = 1 ] && grep -qi 'not permitted' <<< "$out" ||
		{ echo "# exit $rc: $out"; return 1; }
}
check "an unprivileged user gets EPERM (exit 1)" unpriv

extra() {
	! "$KLOGFWD" stats foo 2>/dev/null
	[ $? = 0 ] && { "$KLOGFWD" stats foo 2>/dev/null; [ $? = 2 ]; }
}
check "stats takes no argument (usage error, exit 2)" extra

ktap_finish
