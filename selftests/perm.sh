#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 debug
#
# The permission model from outside: configuration needs CAP_NET_ADMIN in
# the initial user namespace; an unprivileged user, and "root" of a
# container (its own user and network namespace, mapped to an unprivileged
# uid), can neither see, read, change nor delete logs and targets, and
# nothing they try changes anything.
source "$(dirname "$0")/lib.sh"
require_module
k=$KLOGFWD

ktap_plan

cleanup() {
	"$k" target del pt 2>/dev/null
	"$k" log del perm 2>/dev/null
}
trap cleanup EXIT

# a container: nobody creates user and network namespaces and is root there
container() {
	as_nobody unshare -Urn "$@"
}

setup() {
	"$k" log add perm &&
	"$k" log append perm secret &&
	"$k" target add pt log perm to 127.0.0.1:9 paused
}
check "a log with a record and a paused target" setup
check "container root is root in its namespace" container bash -c '[ "$(id -u)" = 0 ]'
check "nobody cannot list logs (EPERM)" fails as_nobody "$k" log show
no_list() { ! container "$k" log show && ! container "$k" target show; }
check "container root cannot list logs or targets" no_list
check "container root cannot read the log's device" fails container cat /dev/klogfwd/perm
check "container root cannot write to it" fails container bash -c 'echo x > /dev/klogfwd/perm'
no_del() { ! container "$k" log del perm && ! container "$k" target del pt; }
check "container root cannot delete the log or the target" no_del
no_targets() {
	! as_nobody "$k" target add x log perm to 127.0.0.1:9 &&
	! as_nobody "$k" target set pt resume && ! as_nobody "$k" target del pt
}
check "nobody cannot add, change or delete targets" no_targets
unchanged() {
	"$k" -j log show perm | grep -q '"records": *1' &&
	"$k" -j target show pt | grep -q '"paused": *true'
}
check "nothing changed: one record, target still paused" unchanged
check "debugfs is root-only" fails as_nobody cat "$KLF_DFS/targets/pt/stats"

ktap_finish
