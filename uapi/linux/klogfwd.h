/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/klogfwd.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_KLOGFWD_H
#define _UAPI_LINUX_KLOGFWD_H

#define KLOGFWD_FAMILY_NAME	"klogfwd"
#define KLOGFWD_FAMILY_VERSION	1

#define KLOGFWD_VERSION_LEN	64

enum {
	KLOGFWD_A_VERSION_MODULE_VERSION = 1,
	KLOGFWD_A_VERSION_KERNEL_RELEASE,
	KLOGFWD_A_VERSION_GENL_VERSION,

	__KLOGFWD_A_VERSION_MAX,
	KLOGFWD_A_VERSION_MAX = (__KLOGFWD_A_VERSION_MAX - 1)
};

enum {
	KLOGFWD_CMD_VERSION_GET = 1,

	__KLOGFWD_CMD_MAX,
	KLOGFWD_CMD_MAX = (__KLOGFWD_CMD_MAX - 1)
};

#define KLOGFWD_MCGRP_MONITOR	"monitor"

#endif /* _UAPI_LINUX_KLOGFWD_H */
