// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: fault knobs for tests, under /sys/kernel/debug/klogfwd/fault/.
 *
 * The kernel's own fault injection (failslab, fail_page_alloc) reaches
 * allocations; these knobs reach what it cannot: a send that fails or
 * comes back short, a connect refused, a log page that cannot be read, a
 * segment file that cannot be cut, a log-set request made slow enough
 * for another to run inside it, a RELP session that starts near the
 * end of its transaction numbers, and the fsync of a sync always log's
 * group commit failing.
 * They are always built in and inert until a count is written:
 *
 *   echo "COUNT [ERRNO]" > fault/<knob>   the next COUNT hits fail
 *   cat fault/<knob>                      "COUNT ERRNO INJECTED"
 *
 * COUNT is how many faults remain, ERRNO the positive errno they return
 * (ignored by short_send; milliseconds for log_set_delay; for relp_txnr,
 * how many transaction numbers short of 999,999,999 a session's open
 * is) and INJECTED
 * how many were injected since load. Every knob acts on all targets
 * (truncate_error and sync_error on all dir logs, log_set_delay on all
 * logs). The files
 * are for root only (0600).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "kmod/klogfwd.h"

static const char * const klf_fault_names[__KLF_FAULT_MAX] = {
	[KLF_FAULT_CONNECT]	= "connect_error",
	[KLF_FAULT_SEND]	= "send_error",
	[KLF_FAULT_SHORT_SEND]	= "short_send",
	[KLF_FAULT_READ]	= "read_error",
	[KLF_FAULT_TRUNCATE]	= "truncate_error",
	[KLF_FAULT_SET_DELAY]	= "log_set_delay",
	[KLF_FAULT_RELP_TXNR]	= "relp_txnr",
	[KLF_FAULT_SYNC]	= "sync_error",
};

static const int klf_fault_default_errno[__KLF_FAULT_MAX] = {
	[KLF_FAULT_CONNECT]	= ECONNREFUSED,
	[KLF_FAULT_SEND]	= ECONNRESET,
	[KLF_FAULT_SHORT_SEND]	= 0,
	[KLF_FAULT_READ]	= EIO,
	[KLF_FAULT_TRUNCATE]	= EIO,
	[KLF_FAULT_SET_DELAY]	= 100,
	[KLF_FAULT_RELP_TXNR]	= 5,
	[KLF_FAULT_SYNC]	= EIO,
};

/**
 * struct klf_fault - one knob; lock-free: atomics only
 * @remaining: faults still to inject
 * @err: positive errno injected
 * @injected: faults injected since load
 */
struct klf_fault {
	atomic_t remaining;
	int err;
	atomic_long_t injected;
};

static struct klf_fault klf_faults[__KLF_FAULT_MAX];

/**
 * klf_fault_hit() - take one fault of a kind, if any is armed
 * @kind: which knob
 *
 * Context: any.
 * Return: 0 when no fault is armed; otherwise the negative errno to
 * inject (-1 for short_send, whose caller halves its send instead; minus
 * the milliseconds to sleep for log_set_delay; minus the distance from
 * the last transaction number for relp_txnr).
 */
int klf_fault_hit(enum klf_fault_kind kind)
{
	struct klf_fault *f = &klf_faults[kind];
	int err;

	if (likely(!atomic_read(&f->remaining)))
		return 0;
	if (atomic_dec_if_positive(&f->remaining) < 0)
		return 0;
	atomic_long_inc(&f->injected);
	if (kind == KLF_FAULT_SHORT_SEND)
		return -1;
	err = READ_ONCE(f->err);
	if (kind == KLF_FAULT_SET_DELAY || kind == KLF_FAULT_RELP_TXNR)
		return -err;
	pr_info_ratelimited("fault: %s: injected -%d\n", klf_fault_names[kind], err);
	return -err;
}

static int klf_fault_show(struct seq_file *m, void *v)
{
	struct klf_fault *f = m->private;

	seq_printf(m, "%d %d %ld\n", atomic_read(&f->remaining), READ_ONCE(f->err),
		   atomic_long_read(&f->injected));
	return 0;
}

static int klf_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, klf_fault_show, inode->i_private);
}

static ssize_t klf_fault_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct klf_fault *f = ((struct seq_file *)file->private_data)->private;
	int count, err = 0, n;
	char buf[32];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%d %d", &count, &err);
	if (n < 1 || count < 0 || err < 0 || err >= MAX_ERRNO)
		return -EINVAL;
	if (n == 2 && err)
		WRITE_ONCE(f->err, err);
	atomic_set(&f->remaining, count);
	return len;
}

static const struct file_operations klf_fault_fops = {
	.owner		= THIS_MODULE,
	.open		= klf_fault_open,
	.read		= seq_read,
	.write		= klf_fault_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/**
 * klf_fault_init() - create the fault/ directory under @root
 * @root: /sys/kernel/debug/klogfwd/
 *
 * Removed with @root by klf_debugfs_exit().
 */
void klf_fault_init(struct dentry *root)
{
	struct dentry *dir = debugfs_create_dir("fault", root);
	int i;

	for (i = 0; i < __KLF_FAULT_MAX; i++) {
		atomic_set(&klf_faults[i].remaining, 0);
		klf_faults[i].err = klf_fault_default_errno[i];
		debugfs_create_file(klf_fault_names[i], 0600, dir, &klf_faults[i],
				    &klf_fault_fops);
	}
}
