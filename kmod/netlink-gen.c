// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/klogfwd.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/klogfwd.h>

/* Ops table for klogfwd */
static const struct genl_split_ops klogfwd_nl_ops[] = {
	{
		.cmd	= KLOGFWD_CMD_VERSION_GET,
		.doit	= klogfwd_nl_version_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group klogfwd_nl_mcgrps[] = {
	[KLOGFWD_NLGRP_MONITOR] = { "monitor", },
};

struct genl_family klogfwd_nl_family __ro_after_init = {
	.name		= KLOGFWD_FAMILY_NAME,
	.version	= KLOGFWD_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= klogfwd_nl_ops,
	.n_split_ops	= ARRAY_SIZE(klogfwd_nl_ops),
	.mcgrps		= klogfwd_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(klogfwd_nl_mcgrps),
};
