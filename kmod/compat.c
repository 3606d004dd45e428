// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: implementations of the compatibility shims declared in compat.h.
 */

#include <linux/slab.h>
#include <net/genetlink.h>

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
