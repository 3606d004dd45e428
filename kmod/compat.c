// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: implementations of the compatibility shims declared in compat.h.
 */

#include <linux/bvec.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/genetlink.h>
#include <net/sock.h>

#ifndef KLF_HAVE_EXTACK_FMT

/*
 * Formatted extack messages before 6.2. The kernel keeps a pointer to the
 * message and reads it when it builds the ack, after the handler returned.
 * The text goes to a buffer of the calling task, freed when that task
 * formats its next message (a task is in one request at a time, so the
 * ack of its last one has been built by then), after the task has exited
 * (swept at anyone's next message), or when the module unloads (the
 * family is unregistered then: no request is in flight).
 */
struct klf_extack_msg {
	struct list_head node;
	struct task_struct *task;	/* a reference is held */
	char text[KLF_EXTACK_FMT_LEN];
};

/* Protects klf_extack_msgs, the list of klf_extack_msg. */
static DEFINE_SPINLOCK(klf_extack_lock);
static LIST_HEAD(klf_extack_msgs);

static void klf_extack_free(struct list_head *list)
{
	struct klf_extack_msg *m, *tmp;

	list_for_each_entry_safe(m, tmp, list, node) {
		list_del(&m->node);
		put_task_struct(m->task);
		kfree(m);
	}
}

/**
 * klf_extack_fmt() - format an extack message (kernels before 6.2)
 * @fmt: printf format
 *
 * Callable in any context (the buffer is allocated GFP_ATOMIC); the
 * result must go to the extack of the caller's current request at once,
 * and only in a doit handler: the ack of a dump may be built later, by
 * another task (the dumps use constant messages).
 *
 * Return: the message, or @fmt itself if no memory was left.
 */
const char *klf_extack_fmt(const char *fmt, ...)
{
	struct klf_extack_msg *new, *m, *tmp;
	unsigned long flags;
	LIST_HEAD(done);
	va_list args;

	new = kmalloc(sizeof(*new), GFP_ATOMIC | __GFP_NOWARN);
	if (!new)
		return fmt;
	va_start(args, fmt);
	vsnprintf(new->text, sizeof(new->text), fmt, args);
	va_end(args);
	new->task = get_task_struct(current);

	spin_lock_irqsave(&klf_extack_lock, flags);
	list_for_each_entry_safe(m, tmp, &klf_extack_msgs, node)
		if (m->task == current || !pid_alive(m->task))
			list_move(&m->node, &done);
	list_add(&new->node, &klf_extack_msgs);
	spin_unlock_irqrestore(&klf_extack_lock, flags);

	klf_extack_free(&done);
	return new->text;
}

/**
 * klf_extack_exit() - free every message kept (the family is unregistered)
 */
void klf_extack_exit(void)
{
	LIST_HEAD(done);

	spin_lock_irq(&klf_extack_lock);
	list_splice_init(&klf_extack_msgs, &done);
	spin_unlock_irq(&klf_extack_lock);
	klf_extack_free(&done);
}

#endif /* !KLF_HAVE_EXTACK_FMT */

#ifdef KLF_HAVE_GENL_SPLIT_OPS

int klf_genl_register_family(struct genl_family *family)
{
	return genl_register_family(family);
}

void klf_genl_unregister_family(struct genl_family *family)
{
	genl_unregister_family(family);
}

#else /* !KLF_HAVE_GENL_SPLIT_OPS */

/* The merged ops table registered on kernels without split ops. */
static struct genl_ops *klf_merged_ops;

static struct genl_ops *klf_find_op(struct genl_ops *ops, int n, u8 cmd)
{
	int i;

	for (i = 0; i < n; i++)
		if (ops[i].cmd == cmd)
			return &ops[i];
	return NULL;
}

/*
 * The generated table has up to two entries per command (do, dump), each
 * with its own policy. A merged genl_ops has one policy: the do policy is
 * kept and the dump uses it too, so on these kernels a dump accepts the
 * attributes its do accepts. Permission flags are OR-ed (the stricter wins)
 * and the GENL_CMD_CAP_* bits, which genl_ops computes itself, are dropped.
 */
int klf_genl_register_family(struct genl_family *family)
{
	const struct genl_ops *src = family->ops;
	struct genl_ops *ops, *op;
	int i, n = 0, ret;

	ops = kcalloc(family->n_ops, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;

	for (i = 0; i < family->n_ops; i++) {
		op = klf_find_op(ops, n, src[i].cmd);
		if (!op) {
			op = &ops[n++];
			op->cmd = src[i].cmd;
		}
		if (src[i].doit) {
			op->doit = src[i].doit;
			op->policy = src[i].policy;
			op->maxattr = src[i].maxattr;
		}
		if (src[i].dumpit) {
			op->start = src[i].start;
			op->dumpit = src[i].dumpit;
			op->done = src[i].done;
			if (!op->policy) {
				op->policy = src[i].policy;
				op->maxattr = src[i].maxattr;
			}
		}
		op->flags |= src[i].flags & (GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM);
	}

	family->ops = ops;
	family->n_ops = n;
	ret = genl_register_family(family);
	if (ret) {
		kfree(ops);
		return ret;
	}
	klf_merged_ops = ops;
	return 0;
}

void klf_genl_unregister_family(struct genl_family *family)
{
	genl_unregister_family(family);
	kfree(klf_merged_ops);
	klf_merged_ops = NULL;
}

#endif /* KLF_HAVE_GENL_SPLIT_OPS */
