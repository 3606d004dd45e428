#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-kernels: 6.1 rt debug
#
# The second half of lifecycle.sh: logs and targets deleted under
# producers, and memory pressure (drop_caches, a memory-limited cgroup)
# while a memory log and a dir log are forwarded.
KLF_LIFECYCLE=pressure exec "$(dirname "$0")/lifecycle.sh"
