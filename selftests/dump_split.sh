#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# Dumps that do not fit in one message: hundreds of logs and thousands of
# targets (4096, the module's limit; fewer on the debug kernel), created
# and deleted through "klogfwd -b", listed with a tiny socket receive buffer
# and small parts. Every entry must come exactly once, over many parts;
# the CLI must list the same; a dump during which the list changes must be
# flagged NLM_F_DUMP_INTR, and the CLI then fails saying the list changed;
# another network namespace sees none of them.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/target_lib.sh"
require_module
DUMP=$KLF_BIN/klf_dump
[ -x "$DUMP" ] || skip_all "klf_dump not built (make selftests)"
command -v jq > /dev/null || skip_all "jq is not installed"
W=$WORK/dump
mkdir -p "$W"

NLOGS=250 NTARGETS=4096
case $(uname -r) in *klfdebug*) NLOGS=100 NTARGETS=1000 ;; esac

# delete what exists, in one batch (deleting a log deletes its targets)
cleanup() {
	ls "$KLF_DFS/logs" 2>/dev/null | sed -n 's/^\(dl[0-9]*\)$/log del \1 force/p' > "$W/del"
	"$KLOGFWD" -b "$W/del"
	cleanup_all_ns
}
trap 'cleanup' EXIT
setup_ns NSD || skip_all "cannot make a network namespace"

ktap_plan

create() {
	local t0=$SECONDS i
	{
		for ((i = 0; i < NLOGS; i++)); do echo "log add dl$i"; done
		for ((i = 0; i < NTARGETS; i++)); do
			echo "target add dt$i log dl$((i % NLOGS)) to 127.0.0.1:9 paused"
		done
	} > "$W/add"
	"$KLOGFWD" -b "$W/add" || return 1
	echo "# $NLOGS logs and $NTARGETS targets created by one batch in $((SECONDS - t0)) s"
	[ "$(ls "$KLF_DFS/logs" | grep -c '^dl')" = "$NLOGS" ] &&
	[ "$(ls "$KLF_DFS/targets" | grep -c '^dt')" = "$NTARGETS" ]
}
check "klogfwd -b creates $NLOGS logs and $NTARGETS targets" create

# split KIND N MIN: a dump with SO_RCVBUF 1 holds the N
# expected names exactly once, in at least MIN parts
split() {
	local kind=$1 want=$2 prefix=$3 min=$4 last parts
	"$DUMP" --rcvbuf 1 --bufsize 32768 "$kind" > "$W/$kind" || return 1
	last=$(tail -n1 "$W/$kind")
	echo "# $kind dump: $last"
	parts=$(awk '{print $2}' <<< "$last")
	grep "^$prefix" "$W/$kind" | sort > "$W/$kind.got"
	for ((i = 0; i < want; i++)); do echo "$prefix$i"; done | sort > "$W/$kind.want"
	cmp -s "$W/$kind.got" "$W/$kind.want" || { diff "$W/$kind.want" "$W/$kind.got" | head -5; return 1; }
	[ "$parts" -ge "$min" ] && grep -q 'duplicates 0 intr 0$' <<< "$last"
}
check "log-get dump in several parts: every log once" split log "$NLOGS" dl 2
check "target-get dump in many parts: every target once" split target "$NTARGETS" dt $((NTARGETS / 200))

cli() {
	"$KLOGFWD" -j target show > "$W/cli.json" || return 1
	jq -r '.[].name' "$W/cli.json" | grep '^dt' | sort > "$W/cli.got"
	cmp -s "$W/cli.got" "$W/target.want" &&
	[ "$("$KLOGFWD" -j log show | jq '[.[] | select(.name | startswith("dl"))] | length')" = "$NLOGS" ]
}
check "klogfwd log show and target show list them all" cli

intr() {
	local last
	"$DUMP" --rcvbuf 1 --bufsize 32768 --after-first "$KLOGFWD target del dt0" target > "$W/intr" ||
		return 1
	last=$(tail -n1 "$W/intr")
	echo "# target dump with a deletion after its first part: $last"
	grep -q 'intr 1$' <<< "$last"
}
check "a target deleted in the middle of a dump: NLM_F_DUMP_INTR" intr

# The CLI given such a dump: it must not pass off what it printed as the
# list; it says so and exits 1. klf_preload.so runs the deletion when the
# CLI has received the first part, while the later parts are still to be
# made.
cli_intr() {
	local rc
	LD_PRELOAD=$KLF_BIN/klf_preload.so KLF_AFTER_FIRST="$KLOGFWD target del dt1" \
		"$KLOGFWD" target show > "$W/cli_intr.out" 2> "$W/cli_intr.err"
	rc=$?
	echo "# klogfwd target show exited $rc, printed $(grep -c "^target " "$W/cli_intr.out") targets"
	sed 's/^/# stderr: /' "$W/cli_intr.err"
	[ ! -e "$KLF_DFS/targets/dt1" ] || { echo "# the deletion did not run"; return 1; }
	[ $rc = 1 ] &&
	grep -q '^klogfwd: .*the list changed while it was read.*run the command again' \
		"$W/cli_intr.err" || return 1
	# and without a change, the same command succeeds
	"$KLOGFWD" target show > /dev/null
}
check "the CLI on a dump flagged NLM_F_DUMP_INTR: exit 1, says the list changed" cli_intr

netns() {
	local last
	last=$(ip netns exec "$NSD" "$DUMP" target | tail -n1)
	[ "$last" = "parts 0 entries 0 duplicates 0 intr 0" ] &&
	[ "$(ip netns exec "$NSD" "$KLOGFWD" -j log show | jq 'length')" = 0 ]
}
check "another network namespace dumps none of them" netns

ktap_finish
