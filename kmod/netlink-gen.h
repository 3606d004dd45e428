/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/klogfwd.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_KLOGFWD_GEN_H
#define _LINUX_KLOGFWD_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/klogfwd.h>

int klogfwd_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_log_new_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_log_del_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_log_get_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_log_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int klogfwd_nl_log_set_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_log_append_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_target_new_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_target_del_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_target_get_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_target_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int klogfwd_nl_target_set_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int klogfwd_nl_tls_report_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	KLOGFWD_NLGRP_MONITOR,
};

extern struct genl_family klogfwd_nl_family;

#endif /* _LINUX_KLOGFWD_GEN_H */
