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
# device_type.devnode takes a const struct device since 6.2.
ccflags-y += $(call klf-probe,include/linux/device.h,devnode..const struct device,KLF_HAVE_CONST_DEVNODE)
# class_create() lost its owner argument in 6.4.
ccflags-y += $(call klf-probe,include/linux/device/class.h,class_create.const char,KLF_HAVE_CLASS_CREATE_NAME)
# VFS calls take a struct mnt_idmap instead of a user namespace since 6.3.
ccflags-y += $(call klf-probe,include/linux/fs.h,int vfs_unlink.struct mnt_idmap,KLF_HAVE_MNT_IDMAP)
# NLA_UINT (variable-width unsigned, the YNL "uint" type) arrived in 6.8.
ccflags-y += $(call klf-probe,include/net/netlink.h,NLA_UINT,KLF_HAVE_NLA_UINT)
# Formatted extack messages arrived in 6.2.
ccflags-y += $(call klf-probe,include/linux/netlink.h,define NL_SET_ERR_MSG_FMT,KLF_HAVE_EXTACK_FMT)
# nla_policy.range points to const data since 6.2; the generated policies
# declare their ranges const, which 6.1's member type would warn about (the
# netlink core only reads them).
ifeq ($(call klf-probe,include/net/netlink.h,const struct netlink_range_validation \*range;,X),)
CFLAGS_kmod/netlink-gen.o += -Wno-discarded-qualifiers
endif
# kernel_sendpage() went away in 6.5, replaced by sock_sendmsg() with
# MSG_SPLICE_PAGES. Probe the function, never the flag: Debian's 6.1.192
# defines MSG_SPLICE_PAGES, but its TCP ignores it and copies.
ccflags-y += $(call klf-probe,include/linux/net.h,int kernel_sendpage,KLF_HAVE_KERNEL_SENDPAGE)
# The TLS handshake upcall (net/handshake) arrived in 6.5: TLS targets
# need it (and CONFIG_NET_HANDSHAKE: compat.h).
ccflags-y += $(call klf-probe,include/net/handshake.h,int tls_client_hello_anon,KLF_HAVE_HANDSHAKE_H)
