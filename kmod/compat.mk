# SPDX-License-Identifier: GPL-2.0
#
# Feature probes, WireGuard-style: grep the target kernel's own headers and
# turn what is found into -DKLF_HAVE_* flags for kmod/compat.h. Never probe
# by version number where a header can answer: Debian backports make version
# numbers wrong in both directions (e.g. 6.1.192 defines MSG_SPLICE_PAGES but
# its TCP ignores the flag).
#
# Note for editors: a '(' inside $(shell ...) breaks make's parenthesis
# matching, so the patterns below avoid parentheses.

klf-probe = $(shell grep -qsE '$(2)' $(srctree)/$(1) && echo -D$(3))

# genl_split_ops and genl_family.split_ops arrived in 6.2.
ccflags-y += $(call klf-probe,include/net/genetlink.h,struct genl_split_ops,KLF_HAVE_GENL_SPLIT_OPS)
