/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink transport for klogfwd. nl.c is the only user of libmnl:
 * everything else builds requests and reads replies through this interface.
 *
 * Usage:
 *	ctx = nl_open(KLOGFWD_FAMILY_NAME, KLOGFWD_FAMILY_VERSION);
 *	req = nl_req_start(ctx, KLOGFWD_CMD_X, NL_REQ_DUMP);
 *	nl_req_put_str(req, KLOGFWD_A_X_NAME, name);
 *	if (nl_request(ctx, req, KLOGFWD_A_X_MAX, reply_cb, priv) < 0)
 *		report errno, nl_err_msg(ctx), nl_err_no_family(ctx);
 *
 * The family id is resolved with CTRL_CMD_GETFAMILY on first use and cached.
 *
 * Notifications:
 *	if (nl_mcast_join(ctx, KLOGFWD_MCGRP_MONITOR) < 0)
 *		report as for a request;
 *	while (nl_recv_ntf(ctx, attr_max, &wait_mask, ntf_cb, priv) == 0)
 *		;
 */
#ifndef KLOGFWD_NL_H
#define KLOGFWD_NL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct nl_ctx;
struct nl_req;

enum nl_req_flags {
	NL_REQ_DUMP = 1 << 0,	/* NLM_F_DUMP: callback runs once per object */
};

/* One reply message, attributes indexed by type (tb[0..attr_max]). */
struct nl_reply {
	uint8_t cmd;
	uint8_t version;
	unsigned int attr_max;
	const struct nlattr *const *tb;
};

/* Return 0 to go on, or a negative errno to fail the request. */
typedef int (*nl_reply_cb)(const struct nl_reply *reply, void *priv);

struct nl_ctx *nl_open(const char *family, uint8_t version);
void nl_close(struct nl_ctx *ctx);

int nl_family_resolve(struct nl_ctx *ctx);
uint32_t nl_family_version(const struct nl_ctx *ctx);
int nl_mcast_group_id(struct nl_ctx *ctx, const char *name);

/* Requests: the buffer belongs to ctx; starting one discards the last. */
struct nl_req *nl_req_start(struct nl_ctx *ctx, uint8_t cmd, unsigned int flags);
void nl_req_put(struct nl_req *req, uint16_t type, size_t len, const void *data);
void nl_req_put_str(struct nl_req *req, uint16_t type, const char *s);
void nl_req_put_u32(struct nl_req *req, uint16_t type, uint32_t v);
void nl_req_put_u64(struct nl_req *req, uint16_t type, uint64_t v);
void nl_req_put_flag(struct nl_req *req, uint16_t type);
struct nlattr *nl_req_nest_start(struct nl_req *req, uint16_t type);
void nl_req_nest_end(struct nl_req *req, struct nlattr *nest);

int nl_request(struct nl_ctx *ctx, struct nl_req *req, unsigned int attr_max,
	       nl_reply_cb cb, void *priv);

/*
 * Join the multicast group of the family named group (resolved from the
 * family's CTRL_ATTR_MCAST_GROUPS). Fails like a request, with ENOENT and
 * a message if the family has no such group.
 */
int nl_mcast_join(struct nl_ctx *ctx, const char *group);

/*
 * Wait for and receive one datagram of notifications, running cb for each
 * message of the family in it (reply->cmd tells which). While waiting, the
 * signal mask is wait_mask (NULL: unchanged): with the signals to watch
 * blocked otherwise, a signal interrupts the wait with EINTR and cannot be
 * missed between a check and the wait. Returns 0, or -1 with errno (and
 * nl_err()) set: EINTR, ENOBUFS when the socket overran and notifications
 * were lost, the negative errno a callback returned, or another socket
 * error.
 */
int nl_recv_ntf(struct nl_ctx *ctx, unsigned int attr_max,
		const sigset_t *wait_mask, nl_reply_cb cb, void *priv);

/*
 * The policy of the attribute a request failed on, as the kernel reports
 * it (NLMSGERR_ATTR_POLICY, Linux 5.10+): its type and its limits.
 */
enum nl_pol_have {
	NL_POL_TYPE	= 1 << 0,
	NL_POL_MIN_U	= 1 << 1,
	NL_POL_MAX_U	= 1 << 2,
	NL_POL_MIN_S	= 1 << 3,
	NL_POL_MAX_S	= 1 << 4,
	NL_POL_MIN_LEN	= 1 << 5,
	NL_POL_MAX_LEN	= 1 << 6,
};

struct nl_err_policy {
	unsigned int have;	/* NL_POL_*: what the kernel reported */
	uint32_t type;		/* NL_ATTR_TYPE_* */
	uint64_t min_u, max_u;
	int64_t min_s, max_s;
	uint32_t min_len, max_len;
};

/* Details of the last failed request (errno holds the error itself). */
int nl_err(const struct nl_ctx *ctx);
bool nl_err_no_family(const struct nl_ctx *ctx);
const char *nl_err_msg(const struct nl_ctx *ctx);
long nl_err_offset(const struct nl_ctx *ctx);
int nl_err_attr(const struct nl_ctx *ctx);
int nl_err_missing_attr(const struct nl_ctx *ctx);
/* the attribute of the request the kernel pointed at (NULL: none); valid
 * until the next request is started
 */
const struct nlattr *nl_err_req_attr(const struct nl_ctx *ctx);
const struct nl_err_policy *nl_err_policy(const struct nl_ctx *ctx);

/* Reply attribute accessors: false/NULL if absent or malformed. */
const char *nl_attr_str(const struct nlattr *attr);
bool nl_attr_u8(const struct nlattr *attr, uint8_t *v);
bool nl_attr_u16(const struct nlattr *attr, uint16_t *v);
bool nl_attr_u32(const struct nlattr *attr, uint32_t *v);
bool nl_attr_u64(const struct nlattr *attr, uint64_t *v);
bool nl_attr_uint(const struct nlattr *attr, uint64_t *v);	/* 4 or 8 bytes */
const void *nl_attr_data(const struct nlattr *attr, size_t *len);
int nl_attr_parse_nested(const struct nlattr *nest,
			 const struct nlattr **tb, unsigned int attr_max);

#endif /* KLOGFWD_NL_H */
