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

#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/netlink-gen.h"
#include "kmod/stats.h"
#include "kmod/target.h"

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
 * klogfwd_nl_stats_get_doit() - report the totals of the caller's namespace
 * @skb: request
 * @info: request attributes and addressing
 *
 * Context: process context, no locks held.
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct klf_totals tot;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = klf_nl_no_attrs(info);
	if (ret)
		return ret;

	klf_stats_get(genl_info_net(info), &tot);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &klogfwd_nl_family, 0, info->genlhdr->cmd);
	if (!hdr)
		goto err_free;
	if (nla_put_u32(msg, KLOGFWD_A_STATS_LOGS, tot.logs) ||
	    nla_put_u32(msg, KLOGFWD_A_STATS_MAX_LOGS, KLF_MAX_LOGS) ||
	    nla_put_u32(msg, KLOGFWD_A_STATS_TARGETS, tot.targets) ||
	    nla_put_u32(msg, KLOGFWD_A_STATS_MAX_TARGETS, KLF_MAX_TARGETS) ||
	    nla_put_u32(msg, KLOGFWD_A_STATS_TARGETS_ESTABLISHED, tot.established) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_RECORDS, tot.records) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_BYTES, tot.bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_LAG_BYTES, tot.lag_bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_APPENDS, tot.appends) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_APPEND_BYTES, tot.append_bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_REJECTED, tot.rejected) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_DROPPED_RECORDS, tot.dropped_records) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_BYTES_SENT, tot.bytes_sent) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_RECORDS_SENT, tot.records_sent) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_BYTES_ACKED, tot.bytes_acked) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_RECORDS_ACKED, tot.records_acked) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_PAGES_SPLICED, tot.pages_spliced) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_BYTES_COPIED, tot.bytes_copied) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_RESENT_BYTES, tot.resent_bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_CONNECTS, tot.connects) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_RECONNECTS, tot.reconnects) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_STATS_BLOCKED, tot.blocked))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/**
 * klf_nla_get_uint() - read a YNL "uint" attribute: 4 or 8 bytes
 * @nla: the attribute, validated by the policy
 *
 * Return: its value.
 */
u64 klf_nla_get_uint(const struct nlattr *nla)
{
	return nla_len(nla) == sizeof(u32) ? nla_get_u32(nla) : nla_get_u64(nla);
}

/**
 * klf_nla_put_uint() - put a YNL "uint": 4 bytes when the value fits, else 8
 * @skb: message
 * @type: attribute type
 * @v: value
 *
 * Return: 0 or -EMSGSIZE.
 */
int klf_nla_put_uint(struct sk_buff *skb, int type, u64 v)
{
	u32 v32 = v;

	if (v == v32)
		return nla_put_u32(skb, type, v32);
	return nla_put(skb, type, sizeof(v), &v);
}

/*
 * Fill @cfg from the request's attributes; absent ones keep the value
 * @cfg holds. @fixed: storage, dir, framing, source and kmsg-from may not
 * be given (log-set).
 */
static int klf_nl_parse_config(struct genl_info *info, struct klf_log_config *cfg,
			       bool fixed)
{
	struct nlattr **tb = info->attrs;
	struct user_namespace *ns = current_user_ns();
	static const int immutable[] = {
		KLOGFWD_A_LOG_STORAGE, KLOGFWD_A_LOG_DIR, KLOGFWD_A_LOG_FRAMING,
		KLOGFWD_A_LOG_SOURCE, KLOGFWD_A_LOG_KMSG_FROM,
	};
	static const int kmsg_only[] = {
		KLOGFWD_A_LOG_KMSG_FROM, KLOGFWD_A_LOG_KMSG_LEVEL, KLOGFWD_A_LOG_KMSG_POLL_MS,
	};
	int i;

	if (fixed && tb[KLOGFWD_A_LOG_OVERRIDE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_OVERRIDE],
				    "override is for log-new of a dir log with saved settings");
		return -EINVAL;
	}
	if (fixed) {
		for (i = 0; i < ARRAY_SIZE(immutable); i++) {
			if (tb[immutable[i]]) {
				NL_SET_ERR_MSG_ATTR(info->extack, tb[immutable[i]],
						    "storage, dir, framing, source and from are fixed at creation");
				return -EINVAL;
			}
		}
	}
	if (tb[KLOGFWD_A_LOG_STORAGE])
		cfg->storage = nla_get_u32(tb[KLOGFWD_A_LOG_STORAGE]);
	if (tb[KLOGFWD_A_LOG_FRAMING])
		cfg->framing = nla_get_u32(tb[KLOGFWD_A_LOG_FRAMING]);
	if (tb[KLOGFWD_A_LOG_SOURCE])
		cfg->source = nla_get_u32(tb[KLOGFWD_A_LOG_SOURCE]);
	for (i = 0; i < ARRAY_SIZE(kmsg_only); i++) {
		if (tb[kmsg_only[i]] && cfg->source != KLOGFWD_SOURCE_KMSG) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[kmsg_only[i]],
					    "from, level and poll are for logs with source kmsg");
			return -EINVAL;
		}
	}
	if (tb[KLOGFWD_A_LOG_KMSG_FROM])
		cfg->kmsg_from = nla_get_u32(tb[KLOGFWD_A_LOG_KMSG_FROM]);
	if (tb[KLOGFWD_A_LOG_KMSG_LEVEL])
		cfg->kmsg_level = nla_get_u32(tb[KLOGFWD_A_LOG_KMSG_LEVEL]);
	if (tb[KLOGFWD_A_LOG_KMSG_POLL_MS])
		cfg->kmsg_poll_ms = nla_get_u32(tb[KLOGFWD_A_LOG_KMSG_POLL_MS]);
	if (!fixed && cfg->source == KLOGFWD_SOURCE_KMSG) {
		/* the kernel's messages: facility kern, APP-NAME "kernel" */
		if (!tb[KLOGFWD_A_LOG_FACILITY])
			cfg->facility = 0;
		if (!tb[KLOGFWD_A_LOG_APP_NAME])
			strscpy(cfg->app_name, "kernel", sizeof(cfg->app_name));
	}
	if (tb[KLOGFWD_A_LOG_SEGMENT_BYTES])
		cfg->segment_bytes = nla_get_u32(tb[KLOGFWD_A_LOG_SEGMENT_BYTES]);
	if (tb[KLOGFWD_A_LOG_RETAIN_BYTES])
		cfg->retain_bytes = klf_nla_get_uint(tb[KLOGFWD_A_LOG_RETAIN_BYTES]);
	if (tb[KLOGFWD_A_LOG_RETAIN_MS])
		cfg->retain_ms = klf_nla_get_uint(tb[KLOGFWD_A_LOG_RETAIN_MS]);
	if (tb[KLOGFWD_A_LOG_MAX_RECORD])
		cfg->max_record = nla_get_u32(tb[KLOGFWD_A_LOG_MAX_RECORD]);
	if (tb[KLOGFWD_A_LOG_OVERFLOW])
		cfg->overflow = nla_get_u32(tb[KLOGFWD_A_LOG_OVERFLOW]);
	if (tb[KLOGFWD_A_LOG_SYNC])
		cfg->sync = nla_get_u32(tb[KLOGFWD_A_LOG_SYNC]);
	if (tb[KLOGFWD_A_LOG_SYNC_INTERVAL_MS])
		cfg->sync_interval_ms = nla_get_u32(tb[KLOGFWD_A_LOG_SYNC_INTERVAL_MS]);
	if (tb[KLOGFWD_A_LOG_INPUT])
		cfg->input = nla_get_u32(tb[KLOGFWD_A_LOG_INPUT]);
	if (tb[KLOGFWD_A_LOG_FORMAT]) {
		cfg->format = nla_get_u32(tb[KLOGFWD_A_LOG_FORMAT]);
		if (cfg->format == KLOGFWD_FORMAT_JSON && cfg->source != KLOGFWD_SOURCE_KMSG) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_FORMAT],
					    "format json is for logs with source kmsg");
			return -EINVAL;
		}
	}
	if (tb[KLOGFWD_A_LOG_FACILITY])
		cfg->facility = nla_get_u32(tb[KLOGFWD_A_LOG_FACILITY]);
	if (tb[KLOGFWD_A_LOG_SEVERITY])
		cfg->severity = nla_get_u32(tb[KLOGFWD_A_LOG_SEVERITY]);
	if (tb[KLOGFWD_A_LOG_HOSTNAME]) {
		nla_strscpy(cfg->hostname, tb[KLOGFWD_A_LOG_HOSTNAME], sizeof(cfg->hostname));
		if (!klf_syslog_name_ok(cfg->hostname)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_HOSTNAME],
					    "hostname must be printable ASCII without spaces");
			return -EINVAL;
		}
	}
	if (tb[KLOGFWD_A_LOG_APP_NAME]) {
		nla_strscpy(cfg->app_name, tb[KLOGFWD_A_LOG_APP_NAME], sizeof(cfg->app_name));
		if (!klf_syslog_name_ok(cfg->app_name)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_APP_NAME],
					    "app-name must be printable ASCII without spaces");
			return -EINVAL;
		}
	}
	if (tb[KLOGFWD_A_LOG_MODE])
		cfg->mode = nla_get_u32(tb[KLOGFWD_A_LOG_MODE]);
	if (tb[KLOGFWD_A_LOG_OWNER]) {
		cfg->owner = make_kuid(ns, nla_get_u32(tb[KLOGFWD_A_LOG_OWNER]));
		if (!uid_valid(cfg->owner)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_OWNER],
					    "owner is not a valid uid in the caller's user namespace");
			return -EINVAL;
		}
	}
	if (tb[KLOGFWD_A_LOG_GROUP]) {
		cfg->group = make_kgid(ns, nla_get_u32(tb[KLOGFWD_A_LOG_GROUP]));
		if (!gid_valid(cfg->group)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_GROUP],
					    "group is not a valid gid in the caller's user namespace");
			return -EINVAL;
		}
	}
	if (cfg->storage == KLOGFWD_STORAGE_DIR && !fixed && !tb[KLOGFWD_A_LOG_DIR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_STORAGE],
				    "a dir log needs a dir");
		return -EINVAL;
	}
	if (cfg->storage != KLOGFWD_STORAGE_DIR && tb[KLOGFWD_A_LOG_DIR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_LOG_DIR],
				    "dir is only for dir logs");
		return -EINVAL;
	}
	return 0;
}

/**
 * klf_nl_kmsg_perm() - may the requester change or forward a log?
 * @skb: the request
 * @info: its attributes, for the extack
 * @log: the log
 *
 * A log with source kmsg holds the kernel's log: changing it (its device's
 * permissions, deleting it) or adding a target to it takes CAP_SYSLOG, as
 * creating it did.
 *
 * Return: 0 or -EPERM.
 */
int klf_nl_kmsg_perm(struct sk_buff *skb, struct genl_info *info, struct klf_log *log)
{
	if (log->cfg.source != KLOGFWD_SOURCE_KMSG || netlink_capable(skb, CAP_SYSLOG))
		return 0;
	NL_SET_ERR_MSG(info->extack,
		       "source kmsg: changing or forwarding this log needs CAP_SYSLOG");
	return -EPERM;
}

/* The log named in the request, in the requester's namespace. */
static struct klf_log *klf_nl_log(struct genl_info *info)
{
	struct klf_log *log;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_LOG_NAME))
		return ERR_PTR(-EINVAL);
	log = klf_log_find(genl_info_net(info), nla_data(info->attrs[KLOGFWD_A_LOG_NAME]));
	if (!log) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_LOG_NAME],
				    "no such log");
		return ERR_PTR(-ENOENT);
	}
	return log;
}

/**
 * klogfwd_nl_log_new_doit() - create a log
 * @skb: request
 * @info: request attributes
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int klogfwd_nl_log_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct klf_log_config cfg;
	struct klf_log *log;
	const char *dir = NULL;
	u64 given = 0;
	int i, ret;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_LOG_NAME))
		return -EINVAL;
	klf_log_config_default(&cfg);
	ret = klf_nl_parse_config(info, &cfg, false);
	if (ret)
		return ret;
	if (cfg.source == KLOGFWD_SOURCE_KMSG) {
		/* the kernel's log is the machine's: as dmesg_restrict has it */
		if (!net_eq(genl_info_net(info), &init_net)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_LOG_SOURCE],
					    "source kmsg only in the initial network namespace");
			return -EPERM;
		}
		if (!netlink_capable(skb, CAP_SYSLOG)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_LOG_SOURCE],
					    "source kmsg needs CAP_SYSLOG");
			return -EPERM;
		}
	}
	ret = klf_log_config_check(&cfg, info->extack);
	if (ret)
		return ret;
	if (info->attrs[KLOGFWD_A_LOG_DIR])
		dir = nla_data(info->attrs[KLOGFWD_A_LOG_DIR]);
	for (i = 1; i <= KLOGFWD_A_LOG_MAX; i++)
		if (info->attrs[i])
			given |= BIT_ULL(i);
	log = klf_log_create(genl_info_net(info), nla_data(info->attrs[KLOGFWD_A_LOG_NAME]),
			     dir, &cfg, given, nla_get_flag(info->attrs[KLOGFWD_A_LOG_OVERRIDE]),
			     info->extack);
	if (IS_ERR(log))
		return PTR_ERR(log);
	klf_log_put(log);
	return 0;
}

/**
 * klogfwd_nl_log_del_doit() - delete a log
 * @skb: request
 * @info: request attributes
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_log_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct klf_log *log = klf_nl_log(info);
	int ret;

	if (IS_ERR(log))
		return PTR_ERR(log);
	ret = klf_nl_kmsg_perm(skb, info, log);
	if (!ret)
		ret = klf_log_delete(log);
	klf_log_put(log);
	return ret;
}

/* serialises log-set requests: each reads a log's settings, then writes them */
static DEFINE_MUTEX(klf_nl_set_lock);

/**
 * klogfwd_nl_log_set_doit() - change a log's settings
 * @skb: request
 * @info: request attributes
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_log_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct klf_log_config cfg;
	struct klf_log *log = klf_nl_log(info);
	int delay, ret;

	if (IS_ERR(log))
		return PTR_ERR(log);
	ret = klf_nl_kmsg_perm(skb, info, log);
	if (ret) {
		klf_log_put(log);
		return ret;
	}
	/* read, change, write: two log-set requests must not interleave */
	mutex_lock(&klf_nl_set_lock);
	mutex_lock(&log->lock);
	cfg = log->cfg;
	mutex_unlock(&log->lock);
	delay = klf_fault_hit(KLF_FAULT_SET_DELAY);
	if (delay)
		msleep(-delay);
	ret = klf_nl_parse_config(info, &cfg, true);
	if (!ret)
		ret = klf_log_set_config(log, &cfg, info->extack);
	mutex_unlock(&klf_nl_set_lock);
	klf_log_put(log);
	return ret;
}

/* the counters of a log with source kmsg */
static int klf_nl_put_kmsg_stats(struct sk_buff *msg, struct klf_log *log)
{
	u64 records, lost, filtered, next_seq;

	klf_kmsg_stats(log, &records, &lost, &filtered, &next_seq);
	if (klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_KMSG_RECORDS, records) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_KMSG_LOST, lost) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_KMSG_FILTERED, filtered) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_KMSG_NEXT_SEQ, next_seq))
		return -EMSGSIZE;
	return 0;
}

static int klf_nl_log_fill(struct sk_buff *msg, struct klf_log *log, u32 portid, u32 seq,
			   int flags, struct netlink_callback *cb)
{
	struct user_namespace *ns = current_user_ns();
	struct klf_log_snap snap;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &klogfwd_nl_family, flags, KLOGFWD_CMD_LOG_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);

	klf_log_snapshot(log, &snap);
	/* the settings: log set changes them under the lock */
	mutex_lock(&log->lock);
	if (nla_put_string(msg, KLOGFWD_A_LOG_NAME, log->name) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_STORAGE, log->cfg.storage) ||
	    (log->dir_path && nla_put_string(msg, KLOGFWD_A_LOG_DIR, log->dir_path)) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_FRAMING, log->cfg.framing) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_SEGMENT_BYTES, log->cfg.segment_bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_RETAIN_BYTES, log->cfg.retain_bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_RETAIN_MS, log->cfg.retain_ms) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_MAX_RECORD, log->cfg.max_record) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_OVERFLOW, log->cfg.overflow) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_SYNC, log->cfg.sync) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_SYNC_INTERVAL_MS, log->cfg.sync_interval_ms) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_MODE, log->cfg.mode) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_OWNER, from_kuid_munged(ns, log->cfg.owner)) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_GROUP, from_kgid_munged(ns, log->cfg.group)) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_INPUT, log->cfg.input) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_FORMAT, log->cfg.format) ||
	    nla_put_string(msg, KLOGFWD_A_LOG_HOSTNAME, log->cfg.hostname) ||
	    nla_put_string(msg, KLOGFWD_A_LOG_APP_NAME,
			   log->cfg.app_name[0] ? log->cfg.app_name : log->name) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_FACILITY, log->cfg.facility) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_SEVERITY, log->cfg.severity) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_SOURCE, log->cfg.source) ||
	    (log->kmsg && (nla_put_u32(msg, KLOGFWD_A_LOG_KMSG_FROM, log->cfg.kmsg_from) ||
			   nla_put_u32(msg, KLOGFWD_A_LOG_KMSG_LEVEL, log->cfg.kmsg_level) ||
			   nla_put_u32(msg, KLOGFWD_A_LOG_KMSG_POLL_MS, log->cfg.kmsg_poll_ms)))) {
		mutex_unlock(&log->lock);
		goto err;
	}
	mutex_unlock(&log->lock);

	nest = nla_nest_start(msg, KLOGFWD_A_LOG_STATS);
	if (!nest ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_RECORDS, snap.records) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_BYTES, snap.bytes) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_FIRST_OFFSET, snap.first_offset) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_NEXT_OFFSET, snap.next_offset) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_STATS_SEGMENTS, snap.segments) ||
	    (log->kmsg && klf_nl_put_kmsg_stats(msg, log)))
		goto err;
	for (i = 0; i < klf_log_ncounters; i++)
		if (klf_nla_put_uint(msg, klf_log_counters[i].attr,
				     klf_counter_get(&snap.stats, &klf_log_counters[i])))
			goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;

err:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/**
 * klogfwd_nl_log_get_doit() - report one log
 * @skb: request
 * @info: request attributes
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_log_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct klf_log *log = klf_nl_log(info);
	struct sk_buff *msg;
	int ret;

	if (IS_ERR(log))
		return PTR_ERR(log);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = klf_nl_log_fill(msg, log, info->snd_portid, info->snd_seq, 0, NULL);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	klf_log_put(log);
	return ret;
}

static int klf_nl_log_dump_one(struct sk_buff *skb, struct klf_log *log,
			       struct netlink_callback *cb)
{
	return klf_nl_log_fill(skb, log, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			       NLM_F_MULTI, cb);
}

/**
 * klogfwd_nl_log_get_dumpit() - report every log of the caller's namespace
 * @skb: reply buffer
 * @cb: dump state (klf_logs_dump())
 *
 * A log created or deleted between two parts of the dump makes the
 * messages after it carry NLM_F_DUMP_INTR; none is sent twice or skipped
 * that existed throughout.
 *
 * Return: the reply length, 0 at the end, or a negative errno.
 */
int klogfwd_nl_log_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	if (nlmsg_len(cb->nlh) > GENL_HDRLEN) {
		NL_SET_ERR_MSG(cb->extack, "the log-get dump takes no attributes");
		return -EINVAL;
	}
	return klf_logs_dump(sock_net(skb->sk), skb, cb, klf_nl_log_dump_one);
}

/**
 * klogfwd_nl_log_append_doit() - append records
 * @skb: request
 * @info: request attributes: the log's name and one record attribute each
 *
 * Return: 0, or the errno of the first record that failed (the records
 * before it are appended; the extack points at the failing one).
 */
int klogfwd_nl_log_append_doit(struct sk_buff *skb, struct genl_info *info)
{
	size_t head = klf_log_append_headroom(), size = 0;
	struct klf_log *log = klf_nl_log(info);
	struct nlattr *nla;
	u8 *buf = NULL;
	int rem, ret = 0, n = 0;

	if (IS_ERR(log))
		return PTR_ERR(log);
	if (log->cfg.source == KLOGFWD_SOURCE_KMSG) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_LOG_NAME],
				    "only the kernel appends to a log with source kmsg");
		klf_log_put(log);
		return -EPERM;
	}
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		size_t len = nla_len(nla);

		if (nla_type(nla) != KLOGFWD_A_LOG_RECORD)
			continue;
		n++;
		if (head + len + 1 > size) {
			kvfree(buf);
			size = max_t(size_t, head + len + 1, 4096);
			buf = kvmalloc(size, KLF_GFP_BUF);
			if (!buf) {
				ret = -ENOMEM;
				break;
			}
		}
		memcpy(buf + head, nla_data(nla), len);
		ret = klf_log_append(log, buf, len, KLF_APPEND_NONBLOCK);
		if (ret) {
			/* the attribute offset tells which record */
			if (ret == -EMSGSIZE)
				NL_SET_ERR_MSG_ATTR(info->extack, nla,
						    "record is larger than max-record");
			else if (ret == -EINVAL)
				NL_SET_ERR_MSG_ATTR(info->extack, nla,
						    "record cannot be framed (empty, or a newline in lf)");
			else if (ret == -EAGAIN)
				NL_SET_ERR_MSG_ATTR(info->extack, nla,
						    "log is full: overflow block and a target has not acknowledged the oldest segment");
			else
				NL_SET_ERR_MSG_ATTR(info->extack, nla,
						    "record could not be appended");
			break;
		}
	}
	if (!ret && !n)
		NL_SET_ERR_MSG(info->extack, "no record to append");
	if (!ret && !n)
		ret = -EINVAL;
	kvfree(buf);
	klf_log_put(log);
	return ret;
}

/* Notifications stop, and wait for those in flight, before the family goes. */
static DECLARE_RWSEM(klf_nl_notify_sem);	/* protects klf_nl_down */
static bool klf_nl_down;

/**
 * klf_nl_notify() - send a notification to the monitor group of @net
 * @net: the namespace it is about
 * @msg: the message, consumed
 *
 * Build the message first, with whatever locks that takes; this only takes
 * klf_nl_notify_sem (after a log's lock, never before).
 */
void klf_nl_notify(struct net *net, struct sk_buff *msg)
{
	down_read(&klf_nl_notify_sem);
	if (klf_nl_down)
		nlmsg_free(msg);
	else
		genlmsg_multicast_netns(&klogfwd_nl_family, net, msg, 0,
					KLOGFWD_NLGRP_MONITOR, GFP_KERNEL);
	up_read(&klf_nl_notify_sem);
}

/**
 * klf_nl_log_event() - tell the monitor group what happened to a log
 * @log: the log (its lock may be held)
 * @event: KLOGFWD_LOG_EVENT_*
 * @count: records dropped, or the segment's base offset
 *
 * Context: process context. Costs nothing without listeners.
 */
void klf_nl_log_event(struct klf_log *log, u32 event, u64 count)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&klogfwd_nl_family, log->net, KLOGFWD_NLGRP_MONITOR))
		return;
	/*
	 * Its own size, not NLMSG_GOODSIZE: a listener's receive buffer is
	 * charged an skb's true size, and holds ten times as many of these.
	 */
	msg = genlmsg_new(nla_total_size(strlen(log->name) + 1) + nla_total_size(sizeof(u32)) +
			  nla_total_size(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &klogfwd_nl_family, 0, KLOGFWD_CMD_LOG_EVENT_NTF);
	if (!hdr ||
	    nla_put_string(msg, KLOGFWD_A_LOG_NAME, log->name) ||
	    nla_put_u32(msg, KLOGFWD_A_LOG_EVENT, event) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_LOG_COUNT, count)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	klf_nl_notify(log->net, msg);
}

/*
 * The monitor group tells log names and target states, which only
 * CAP_NET_ADMIN may read: joining it needs the same. The 6.12 YNL
 * generator drops group flags, so the table is replaced here.
 */
static const struct genl_multicast_group klf_nl_mcgrps[] = {
	[KLOGFWD_NLGRP_MONITOR] = {
		.name = "monitor",
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/**
 * klf_netlink_init() - register the klogfwd generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int klf_netlink_init(void)
{
	BUILD_BUG_ON(ARRAY_SIZE(klf_nl_mcgrps) != KLOGFWD_NLGRP_MONITOR + 1);
	klogfwd_nl_family.mcgrps = klf_nl_mcgrps;
	klogfwd_nl_family.n_mcgrps = ARRAY_SIZE(klf_nl_mcgrps);
	return klf_genl_register_family(&klogfwd_nl_family);
}

/**
 * klf_netlink_exit() - unregister the family
 *
 * Returns once no handler runs any more (genetlink takes care of it).
 */
void klf_netlink_exit(void)
{
	down_write(&klf_nl_notify_sem);
	klf_nl_down = true;
	up_write(&klf_nl_notify_sem);
	klf_genl_unregister_family(&klogfwd_nl_family);
	/* no request in flight: no ack can read a kept message */
	klf_extack_exit();
}

MODULE_ALIAS_GENL_FAMILY(KLOGFWD_FAMILY_NAME);
