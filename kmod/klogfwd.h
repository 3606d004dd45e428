/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: declarations shared between the module's files.
 */
#ifndef _KLF_KLOGFWD_H
#define _KLF_KLOGFWD_H

#include <linux/atomic.h>
#include <linux/gfp.h>

/*
 * Buffers (records, scans, indexes) whose allocation may fail without
 * harm: the caller gets -ENOMEM, a target backs off and retries, and the
 * failure is counted or reported there. They can be large enough for
 * kvmalloc() to fall back to vmalloc, whose failure would otherwise print a
 * stack trace; under memory pressure or fault injection that is noise.
 */
#define KLF_GFP_BUF	(GFP_KERNEL | __GFP_NOWARN)

/**
 * enum klf_obj - kinds of module objects whose live instances are counted
 * @KLF_OBJ_LOG: log objects
 * @KLF_OBJ_SEGMENT: open segment files
 * @KLF_OBJ_TARGET: forwarding targets
 * @KLF_OBJ_SOCKET: kernel sockets
 * @__KLF_OBJ_MAX: number of kinds
 *
 * The counts are shown in debugfs (objects) and must all be zero before the
 * module can be unloaded cleanly; the selftests check this after every run.
 */
enum klf_obj {
	KLF_OBJ_LOG,
	KLF_OBJ_SEGMENT,
	KLF_OBJ_TARGET,
	KLF_OBJ_SOCKET,
	__KLF_OBJ_MAX,
};

extern atomic_long_t klf_objects[__KLF_OBJ_MAX];

/**
 * klf_obj_inc() - count a new live object
 * @kind: kind of object
 */
static inline void klf_obj_inc(enum klf_obj kind)
{
	atomic_long_inc(&klf_objects[kind]);
}

/**
 * klf_obj_dec() - count a freed object
 * @kind: kind of object
 */
static inline void klf_obj_dec(enum klf_obj kind)
{
	atomic_long_dec(&klf_objects[kind]);
}

int klf_debugfs_init(void);
void klf_debugfs_exit(void);

/**
 * enum klf_fault_kind - the fault knobs under debugfs fault/ (fault.c)
 * @KLF_FAULT_CONNECT: a target's connect fails
 * @KLF_FAULT_SEND: a target's send fails
 * @KLF_FAULT_SHORT_SEND: a target's send takes half of what was asked
 * @KLF_FAULT_READ: reading a log page for a send fails
 * @KLF_FAULT_TRUNCATE: cutting a dir log's segment file fails
 * @KLF_FAULT_SET_DELAY: a log-set request sleeps between reading the
 *	log's settings and writing them (its "errno" is the milliseconds)
 * @KLF_FAULT_RELP_TXNR: a RELP session opens that many transaction
 *	numbers (its "errno") short of the limit, so that a test reaches the
 *	planned reconnect at 999,999,999
 * @KLF_FAULT_SYNC: the fsync of a sync always log's group commit fails
 * @__KLF_FAULT_MAX: number of knobs
 */
enum klf_fault_kind {
	KLF_FAULT_CONNECT,
	KLF_FAULT_SEND,
	KLF_FAULT_SHORT_SEND,
	KLF_FAULT_READ,
	KLF_FAULT_TRUNCATE,
	KLF_FAULT_SET_DELAY,
	KLF_FAULT_RELP_TXNR,
	KLF_FAULT_SYNC,
	__KLF_FAULT_MAX,
};

struct dentry;
int klf_fault_hit(enum klf_fault_kind kind);
void klf_fault_init(struct dentry *root);

struct nlattr;
struct sk_buff;
u64 klf_nla_get_uint(const struct nlattr *nla);
int klf_nla_put_uint(struct sk_buff *skb, int type, u64 v);

struct klf_log;
struct klf_target;
struct net;
void klf_nl_notify(struct net *net, struct sk_buff *msg);
void klf_nl_log_event(struct klf_log *log, u32 event, u64 count);
void klf_nl_target_notify(struct klf_target *t);
void klf_nl_target_event(struct klf_target *t, u32 event, u64 count);
struct genl_info;
int klf_nl_kmsg_perm(struct sk_buff *skb, struct genl_info *info, struct klf_log *log);
/* a log's or a namespace's targets go before it does */
void klf_targets_delete_log(struct klf_log *log);
void klf_targets_delete_net(struct net *net);
/*
 * the senders' workqueue (target.c: unbound, WQ_MEM_RECLAIM, WQ_SYSFS):
 * the targets' workers and the logs' kick work
 */
struct workqueue_struct;
extern struct workqueue_struct *klf_wq;

int klf_netlink_init(void);
void klf_netlink_exit(void);

#endif /* _KLF_KLOGFWD_H */
