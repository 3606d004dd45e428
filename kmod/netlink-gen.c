// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/klogfwd.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/klogfwd.h>

/* Integer value ranges */
static const struct netlink_range_validation klogfwd_a_log_segment_bytes_range = {
	.min	= 4096ULL,
	.max	= 1073741824ULL,
};

static const struct netlink_range_validation klogfwd_a_log_max_record_range = {
	.min	= 1ULL,
	.max	= KLOGFWD_MAX_RECORD_LIMIT,
};

static const struct netlink_range_validation klogfwd_a_log_sync_interval_ms_range = {
	.min	= 1ULL,
	.max	= 3600000ULL,
};

static const struct netlink_range_validation klogfwd_a_log_kmsg_poll_ms_range = {
	.min	= 10ULL,
	.max	= 60000ULL,
};

static const struct netlink_range_validation klogfwd_a_target_backoff_min_ms_range = {
	.min	= 10ULL,
	.max	= 3600000ULL,
};

static const struct netlink_range_validation klogfwd_a_target_backoff_max_ms_range = {
	.min	= 10ULL,
	.max	= 3600000ULL,
};

static const struct netlink_range_validation klogfwd_a_target_user_timeout_ms_range = {
	.max	= 2147483647ULL,
};

static const struct netlink_range_validation klogfwd_a_target_sndbuf_range = {
	.max	= 268435456ULL,
};

static const struct netlink_range_validation klogfwd_a_target_relp_max_frame_range = {
	.min	= 16ULL,
	.max	= 1048576ULL,
};

static const struct netlink_range_validation klogfwd_a_target_relp_timeout_s_range = {
	.max	= 86400ULL,
};

static const struct netlink_range_validation klogfwd_a_target_tls_cert_range = {
	.min	= 1ULL,
	.max	= 2147483647ULL,
};

static const struct netlink_range_validation klogfwd_a_target_tls_key_range = {
	.min	= 1ULL,
	.max	= 2147483647ULL,
};

static const struct netlink_range_validation klogfwd_a_target_tls_rekey_s_range = {
	.max	= 2592000ULL,
};

static const struct netlink_range_validation klogfwd_a_target_tls_psk_range = {
	.min	= 1ULL,
	.max	= 2147483647ULL,
};

static const struct netlink_range_validation klogfwd_a_target_tls_handshake_alert_range = {
	.min	= 256ULL,
	.max	= 131071ULL,
};

/* KLOGFWD_CMD_LOG_NEW - do */
static const struct nla_policy klogfwd_log_new_nl_policy[KLOGFWD_A_LOG_KMSG_POLL_MS + 1] = {
	[KLOGFWD_A_LOG_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
	[KLOGFWD_A_LOG_STORAGE] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_DIR] = { .type = NLA_NUL_STRING, .len = KLOGFWD_PATH_LEN, },
	[KLOGFWD_A_LOG_FRAMING] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_LOG_SEGMENT_BYTES] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_segment_bytes_range),
	[KLOGFWD_A_LOG_RETAIN_BYTES] = { .type = NLA_UINT, },
	[KLOGFWD_A_LOG_RETAIN_MS] = { .type = NLA_UINT, },
	[KLOGFWD_A_LOG_MAX_RECORD] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_max_record_range),
	[KLOGFWD_A_LOG_OVERFLOW] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_SYNC] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_LOG_SYNC_INTERVAL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_sync_interval_ms_range),
	[KLOGFWD_A_LOG_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
	[KLOGFWD_A_LOG_OWNER] = { .type = NLA_U32, },
	[KLOGFWD_A_LOG_GROUP] = { .type = NLA_U32, },
	[KLOGFWD_A_LOG_INPUT] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_FORMAT] = NLA_POLICY_MAX(NLA_U32, 3),
	[KLOGFWD_A_LOG_HOSTNAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_HOSTNAME_LEN, },
	[KLOGFWD_A_LOG_APP_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_APP_NAME_LEN, },
	[KLOGFWD_A_LOG_FACILITY] = NLA_POLICY_MAX(NLA_U32, 23),
	[KLOGFWD_A_LOG_SEVERITY] = NLA_POLICY_MAX(NLA_U32, 7),
	[KLOGFWD_A_LOG_OVERRIDE] = { .type = NLA_FLAG, },
	[KLOGFWD_A_LOG_SOURCE] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_KMSG_FROM] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_LOG_KMSG_LEVEL] = NLA_POLICY_MAX(NLA_U32, 7),
	[KLOGFWD_A_LOG_KMSG_POLL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_kmsg_poll_ms_range),
};

/* KLOGFWD_CMD_LOG_DEL - do */
static const struct nla_policy klogfwd_log_del_nl_policy[KLOGFWD_A_LOG_NAME + 1] = {
	[KLOGFWD_A_LOG_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
};

/* KLOGFWD_CMD_LOG_GET - do */
static const struct nla_policy klogfwd_log_get_nl_policy[KLOGFWD_A_LOG_NAME + 1] = {
	[KLOGFWD_A_LOG_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
};

/* KLOGFWD_CMD_LOG_SET - do */
static const struct nla_policy klogfwd_log_set_nl_policy[KLOGFWD_A_LOG_KMSG_POLL_MS + 1] = {
	[KLOGFWD_A_LOG_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
	[KLOGFWD_A_LOG_STORAGE] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_DIR] = { .type = NLA_NUL_STRING, .len = KLOGFWD_PATH_LEN, },
	[KLOGFWD_A_LOG_FRAMING] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_LOG_SEGMENT_BYTES] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_segment_bytes_range),
	[KLOGFWD_A_LOG_RETAIN_BYTES] = { .type = NLA_UINT, },
	[KLOGFWD_A_LOG_RETAIN_MS] = { .type = NLA_UINT, },
	[KLOGFWD_A_LOG_MAX_RECORD] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_max_record_range),
	[KLOGFWD_A_LOG_OVERFLOW] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_SYNC] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_LOG_SYNC_INTERVAL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_sync_interval_ms_range),
	[KLOGFWD_A_LOG_MODE] = NLA_POLICY_MAX(NLA_U32, 511),
	[KLOGFWD_A_LOG_OWNER] = { .type = NLA_U32, },
	[KLOGFWD_A_LOG_GROUP] = { .type = NLA_U32, },
	[KLOGFWD_A_LOG_INPUT] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_FORMAT] = NLA_POLICY_MAX(NLA_U32, 3),
	[KLOGFWD_A_LOG_HOSTNAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_HOSTNAME_LEN, },
	[KLOGFWD_A_LOG_APP_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_APP_NAME_LEN, },
	[KLOGFWD_A_LOG_FACILITY] = NLA_POLICY_MAX(NLA_U32, 23),
	[KLOGFWD_A_LOG_SEVERITY] = NLA_POLICY_MAX(NLA_U32, 7),
	[KLOGFWD_A_LOG_OVERRIDE] = { .type = NLA_FLAG, },
	[KLOGFWD_A_LOG_SOURCE] = NLA_POLICY_MAX(NLA_U32, 1),
	[KLOGFWD_A_LOG_KMSG_FROM] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_LOG_KMSG_LEVEL] = NLA_POLICY_MAX(NLA_U32, 7),
	[KLOGFWD_A_LOG_KMSG_POLL_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_log_kmsg_poll_ms_range),
};

/* KLOGFWD_CMD_LOG_APPEND - do */
static const struct nla_policy klogfwd_log_append_nl_policy[KLOGFWD_A_LOG_RECORD + 1] = {
	[KLOGFWD_A_LOG_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
	[KLOGFWD_A_LOG_RECORD] = { .type = NLA_BINARY, },
};

/* KLOGFWD_CMD_TARGET_NEW - do */
static const struct nla_policy klogfwd_target_new_nl_policy[KLOGFWD_A_TARGET_TLS_PSK + 1] = {
	[KLOGFWD_A_TARGET_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
	[KLOGFWD_A_TARGET_LOG] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
	[KLOGFWD_A_TARGET_IPV4] = { .type = NLA_U32, },
	[KLOGFWD_A_TARGET_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KLOGFWD_A_TARGET_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[KLOGFWD_A_TARGET_START] = NLA_POLICY_MAX(NLA_U32, 3),
	[KLOGFWD_A_TARGET_FROM_OFFSET] = { .type = NLA_UINT, },
	[KLOGFWD_A_TARGET_ACK] = NLA_POLICY_MAX(NLA_U32, 2),
	[KLOGFWD_A_TARGET_BACKOFF_MIN_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_backoff_min_ms_range),
	[KLOGFWD_A_TARGET_BACKOFF_MAX_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_backoff_max_ms_range),
	[KLOGFWD_A_TARGET_KEEPALIVE_S] = NLA_POLICY_MAX(NLA_U32, 32767),
	[KLOGFWD_A_TARGET_USER_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_user_timeout_ms_range),
	[KLOGFWD_A_TARGET_NODELAY] = NLA_POLICY_MAX(NLA_U8, 1),
	[KLOGFWD_A_TARGET_SNDBUF] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_sndbuf_range),
	[KLOGFWD_A_TARGET_RELP_WINDOW] = NLA_POLICY_RANGE(NLA_U32, 1, 1024),
	[KLOGFWD_A_TARGET_RELP_MAX_FRAME] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_relp_max_frame_range),
	[KLOGFWD_A_TARGET_RELP_TIMEOUT_S] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_relp_timeout_s_range),
	[KLOGFWD_A_TARGET_TLS] = NLA_POLICY_MAX(NLA_U8, 1),
	[KLOGFWD_A_TARGET_TLS_PEERNAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_HOSTNAME_LEN, },
	[KLOGFWD_A_TARGET_TLS_CERT] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_tls_cert_range),
	[KLOGFWD_A_TARGET_TLS_KEY] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_tls_key_range),
	[KLOGFWD_A_TARGET_TLS_REKEY_S] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_tls_rekey_s_range),
	[KLOGFWD_A_TARGET_TLS_REKEY_BYTES] = { .type = NLA_UINT, },
	[KLOGFWD_A_TARGET_TLS_PSK] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_tls_psk_range),
	[KLOGFWD_A_TARGET_PAUSED] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* KLOGFWD_CMD_TARGET_DEL - do */
static const struct nla_policy klogfwd_target_del_nl_policy[KLOGFWD_A_TARGET_NAME + 1] = {
	[KLOGFWD_A_TARGET_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
};

/* KLOGFWD_CMD_TARGET_GET - do */
static const struct nla_policy klogfwd_target_get_nl_policy[KLOGFWD_A_TARGET_NAME + 1] = {
	[KLOGFWD_A_TARGET_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
};

/* KLOGFWD_CMD_TARGET_SET - do */
static const struct nla_policy klogfwd_target_set_nl_policy[KLOGFWD_A_TARGET_TLS_REKEY_BYTES + 1] = {
	[KLOGFWD_A_TARGET_NAME] = { .type = NLA_NUL_STRING, .len = KLOGFWD_NAME_LEN, },
	[KLOGFWD_A_TARGET_BACKOFF_MIN_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_backoff_min_ms_range),
	[KLOGFWD_A_TARGET_BACKOFF_MAX_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_backoff_max_ms_range),
	[KLOGFWD_A_TARGET_KEEPALIVE_S] = NLA_POLICY_MAX(NLA_U32, 32767),
	[KLOGFWD_A_TARGET_USER_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_user_timeout_ms_range),
	[KLOGFWD_A_TARGET_NODELAY] = NLA_POLICY_MAX(NLA_U8, 1),
	[KLOGFWD_A_TARGET_SNDBUF] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_sndbuf_range),
	[KLOGFWD_A_TARGET_RELP_WINDOW] = NLA_POLICY_RANGE(NLA_U32, 1, 1024),
	[KLOGFWD_A_TARGET_RELP_MAX_FRAME] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_relp_max_frame_range),
	[KLOGFWD_A_TARGET_RELP_TIMEOUT_S] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_relp_timeout_s_range),
	[KLOGFWD_A_TARGET_TLS_REKEY_S] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_tls_rekey_s_range),
	[KLOGFWD_A_TARGET_TLS_REKEY_BYTES] = { .type = NLA_UINT, },
	[KLOGFWD_A_TARGET_PAUSED] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* KLOGFWD_CMD_TLS_REPORT - do */
static const struct nla_policy klogfwd_tls_report_nl_policy[KLOGFWD_A_TARGET_TLS_SOCKFD + 1] = {
	[KLOGFWD_A_TARGET_TLS_SOCKFD] = { .type = NLA_U32, },
	[KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT] = NLA_POLICY_FULL_RANGE(NLA_U32, &klogfwd_a_target_tls_handshake_alert_range),
};

/* Ops table for klogfwd */
static const struct genl_split_ops klogfwd_nl_ops[] = {
	{
		.cmd	= KLOGFWD_CMD_VERSION_GET,
		.doit	= klogfwd_nl_version_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_LOG_NEW,
		.doit		= klogfwd_nl_log_new_doit,
		.policy		= klogfwd_log_new_nl_policy,
		.maxattr	= KLOGFWD_A_LOG_KMSG_POLL_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_LOG_DEL,
		.doit		= klogfwd_nl_log_del_doit,
		.policy		= klogfwd_log_del_nl_policy,
		.maxattr	= KLOGFWD_A_LOG_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_LOG_GET,
		.doit		= klogfwd_nl_log_get_doit,
		.policy		= klogfwd_log_get_nl_policy,
		.maxattr	= KLOGFWD_A_LOG_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KLOGFWD_CMD_LOG_GET,
		.dumpit	= klogfwd_nl_log_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= KLOGFWD_CMD_LOG_SET,
		.doit		= klogfwd_nl_log_set_doit,
		.policy		= klogfwd_log_set_nl_policy,
		.maxattr	= KLOGFWD_A_LOG_KMSG_POLL_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_LOG_APPEND,
		.doit		= klogfwd_nl_log_append_doit,
		.policy		= klogfwd_log_append_nl_policy,
		.maxattr	= KLOGFWD_A_LOG_RECORD,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_TARGET_NEW,
		.doit		= klogfwd_nl_target_new_doit,
		.policy		= klogfwd_target_new_nl_policy,
		.maxattr	= KLOGFWD_A_TARGET_TLS_PSK,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_TARGET_DEL,
		.doit		= klogfwd_nl_target_del_doit,
		.policy		= klogfwd_target_del_nl_policy,
		.maxattr	= KLOGFWD_A_TARGET_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_TARGET_GET,
		.doit		= klogfwd_nl_target_get_doit,
		.policy		= klogfwd_target_get_nl_policy,
		.maxattr	= KLOGFWD_A_TARGET_NAME,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KLOGFWD_CMD_TARGET_GET,
		.dumpit	= klogfwd_nl_target_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= KLOGFWD_CMD_TARGET_SET,
		.doit		= klogfwd_nl_target_set_doit,
		.policy		= klogfwd_target_set_nl_policy,
		.maxattr	= KLOGFWD_A_TARGET_TLS_REKEY_BYTES,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= KLOGFWD_CMD_STATS_GET,
		.doit	= klogfwd_nl_stats_get_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KLOGFWD_CMD_TLS_REPORT,
		.doit		= klogfwd_nl_tls_report_doit,
		.policy		= klogfwd_tls_report_nl_policy,
		.maxattr	= KLOGFWD_A_TARGET_TLS_SOCKFD,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
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
