// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: in-kernel log forwarder.
 *
 * Module init and exit only: each part is brought up in order and torn
 * down in reverse, through one goto-unwind path.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/target.h"

static int __init klf_init(void)
{
	int ret;

	ret = klf_debugfs_init();
	if (ret)
		goto err;
	ret = klf_chardev_init();
	if (ret)
		goto err_debugfs;
	ret = klf_kmsg_module_init();
	if (ret)
		goto err_chardev;
	ret = klf_log_init();
	if (ret)
		goto err_kmsg;
	ret = klf_target_init();
	if (ret)
		goto err_log;

	/* Last: once the family is registered, requests can arrive. */
	ret = klf_netlink_init();
	if (ret)
		goto err_target;

	pr_info("version %s loaded\n", KLF_VERSION);
	return 0;

err_target:
	klf_target_exit();
err_log:
	klf_log_exit();
err_kmsg:
	klf_kmsg_module_exit();
err_chardev:
	klf_chardev_exit();
err_debugfs:
	klf_debugfs_exit();
err:
	return ret;
}

static void __exit klf_exit(void)
{
	/* First: no new requests once the family is gone. */
	klf_netlink_exit();
	klf_target_exit();
	klf_log_exit();
	klf_kmsg_module_exit();
	klf_chardev_exit();
	klf_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(klf_init);
module_exit(klf_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("klogfwd developers");
MODULE_DESCRIPTION("In-kernel log forwarder: page-cache logs sent zero-copy to TCP targets");
MODULE_VERSION(KLF_VERSION);
