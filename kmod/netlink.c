// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: generic netlink request handlers.
 *
 * The family, its policies and its ops table are generated from
 * Documentation/netlink/specs/klogfwd.yaml into netlink-gen.[ch]; this file
 * holds the handlers the generated table points at. Handlers take
 * attributes in, call into the parts of the module, and build replies: they
 * never touch pages or sockets themselves.
 */

#include <linux/utsname.h>
#include <net/genetlink.h>

#include "kmod/klogfwd.h"
#include "kmod/netlink-gen.h"

/*
 * Operations without request attributes get no policy from the generator,
 * and on kernels with split ops the core then ignores whatever attributes
 * came along. Reject them, so that every operation is strict.
 */
static int klf_nl_no_attrs(struct genl_info *info)
{
	if (!genlmsg_len(info->genlhdr))
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, genlmsg_data(info->genlhdr),
			    "this operation takes no attributes");
	return -EINVAL;
}

/**
 * klogfwd_nl_version_get_doit() - report module, kernel and family versions
 * @skb: request
 * @info: request attributes and addressing
 *
 * Context: process context, no locks held.
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = klf_nl_no_attrs(info);
	if (ret)
		return ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &klogfwd_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr)
		goto err_free;

	if (nla_put_string(msg, KLOGFWD_A_VERSION_MODULE_VERSION, KLF_VERSION) ||
	    nla_put_string(msg, KLOGFWD_A_VERSION_KERNEL_RELEASE,
			   init_utsname()->release) ||
	    nla_put_u32(msg, KLOGFWD_A_VERSION_GENL_VERSION,
			KLOGFWD_FAMILY_VERSION))
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * klf_netlink_init() - register the klogfwd generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int klf_netlink_init(void)
{
	return klf_genl_register_family(&klogfwd_nl_family);
}

/**
 * klf_netlink_exit() - unregister the family
 *
 * Returns once no handler runs any more (genetlink takes care of it).
 */
void klf_netlink_exit(void)
{
	klf_genl_unregister_family(&klogfwd_nl_family);
}

MODULE_ALIAS_GENL_FAMILY(KLOGFWD_FAMILY_NAME);
