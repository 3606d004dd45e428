// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: the debugfs tree under /sys/kernel/debug/klogfwd/.
 *
 * Everything here is for people and tests, not an ABI: what a program needs
 * is in the generic netlink family. Every file is readable by root only.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "kmod/klogfwd.h"

atomic_long_t klf_objects[__KLF_OBJ_MAX];

static const char * const klf_obj_names[__KLF_OBJ_MAX] = {
	[KLF_OBJ_LOG]		= "logs",
	[KLF_OBJ_SEGMENT]	= "segments",
	[KLF_OBJ_TARGET]	= "targets",
	[KLF_OBJ_SOCKET]	= "sockets",
};

static struct dentry *klf_debugfs_root;

static int objects_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < __KLF_OBJ_MAX; i++)
		seq_printf(m, "%s %ld\n", klf_obj_names[i],
			   atomic_long_read(&klf_objects[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

/**
 * klf_debugfs_init() - create /sys/kernel/debug/klogfwd/
 *
 * debugfs may be absent or disabled; the module works without it, so
 * failures to create entries are not errors (as everywhere in the kernel).
 *
 * Return: 0.
 */
int klf_debugfs_init(void)
{
	klf_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("objects", 0400, klf_debugfs_root, NULL,
			    &objects_fops);
	return 0;
}

/**
 * klf_debugfs_exit() - remove the whole debugfs tree
 */
void klf_debugfs_exit(void)
{
	debugfs_remove_recursive(klf_debugfs_root);
	klf_debugfs_root = NULL;
}
