// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink transport for klogfwd, see nl.h. The only user of libmnl.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "nl.h"

/* Largest skb the kernel builds for a dump (SKB_WITH_OVERHEAD(32768)). */
#define NL_RECV_SIZE	32768
#define NL_MCAST_RCVBUF	(1 << 20)	/* bytes, for a multicast listener */
#define NL_REQ_SIZE	65536
#define NL_MAX_GROUPS	8
#define NL_ERR_MSG_LEN	256

struct nl_req {
	struct nlmsghdr *nlh;
	size_t size;
	unsigned int flags;
	bool overflow;
};

struct nl_group {
	char name[GENL_NAMSIZ];
	uint32_t id;
};

struct nl_ctx {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	void *rbuf;
	void *req_buf;
	struct nl_req req;

	char family[GENL_NAMSIZ];
	uint8_t version;
	uint16_t family_id;		/* 0 until resolved */
	uint32_t family_version;
	unsigned int n_groups;
	struct nl_group groups[NL_MAX_GROUPS];

	/* last error */
	int err;
	bool no_family;
	char err_msg[NL_ERR_MSG_LEN];
	long err_offs;
	int err_attr;
	const struct nlattr *err_req_attr;	/* in req_buf, until the next request */
	struct nl_err_policy err_pol;
	int miss_type;
};

/* State of one request while its replies are processed. */
struct nl_run {
	struct nl_ctx *ctx;
	uint32_t seq;
	unsigned int attr_max;
	const struct nlattr **tb;
	nl_reply_cb cb;
	void *priv;
	int cb_err;
	bool dump_intr;		/* a part of the dump had NLM_F_DUMP_INTR */
};

struct nl_tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int nl_tb_store_cb(const struct nlattr *attr, void *data)
{
	struct nl_tb *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Newer kernels may send attributes we do not know: skip them. */
	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_attr_parse_nested(const struct nlattr *nest,
			 const struct nlattr **tb, unsigned int attr_max)
{
	struct nl_tb t = { .tb = tb, .max = attr_max };

	memset(tb, 0, (attr_max + 1) * sizeof(*tb));
	if (!nest)
		return -1;
	return mnl_attr_parse_nested(nest, nl_tb_store_cb, &t) < 0 ? -1 : 0;
}

const char *nl_attr_str(const struct nlattr *attr)
{
	if (!attr || mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(attr);
}

static bool nl_attr_copy(const struct nlattr *attr, void *v, size_t len)
{
	if (!attr || mnl_attr_get_payload_len(attr) != len)
		return false;
	memcpy(v, mnl_attr_get_payload(attr), len);
	return true;
}

bool nl_attr_u8(const struct nlattr *attr, uint8_t *v)
{
	return nl_attr_copy(attr, v, sizeof(*v));
}

bool nl_attr_u16(const struct nlattr *attr, uint16_t *v)
{
	return nl_attr_copy(attr, v, sizeof(*v));
}

bool nl_attr_u32(const struct nlattr *attr, uint32_t *v)
{
	return nl_attr_copy(attr, v, sizeof(*v));
}

bool nl_attr_u64(const struct nlattr *attr, uint64_t *v)
{
	return nl_attr_copy(attr, v, sizeof(*v));
}

/* A "uint" attribute: 4 or 8 bytes. */
bool nl_attr_uint(const struct nlattr *attr, uint64_t *v)
{
	uint32_t v32;

	if (nl_attr_u64(attr, v))
		return true;
	if (!nl_attr_u32(attr, &v32))
		return false;
	*v = v32;
	return true;
}

const void *nl_attr_data(const struct nlattr *attr, size_t *len)
{
	if (!attr)
		return NULL;
	*len = mnl_attr_get_payload_len(attr);
	return mnl_attr_get_payload(attr);
}

/* Requests */

static void nl_req_init(struct nl_req *req, void *buf, size_t size,
			uint8_t cmd, unsigned int flags)
{
	struct genlmsghdr *genl;

	/* libmnl before 1.0.5 leaves attribute padding uninitialised. */
	memset(buf, 0, size);
	req->nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(req->nlh, sizeof(*genl));
	genl->cmd = cmd;
	req->size = size;
	req->flags = flags;
	req->overflow = false;
}

struct nl_req *nl_req_start(struct nl_ctx *ctx, uint8_t cmd, unsigned int flags)
{
	nl_req_init(&ctx->req, ctx->req_buf, NL_REQ_SIZE, cmd, flags);
	return &ctx->req;
}

void nl_req_put(struct nl_req *req, uint16_t type, size_t len, const void *data)
{
	if (!mnl_attr_put_check(req->nlh, req->size, type, len, data))
		req->overflow = true;
}

void nl_req_put_str(struct nl_req *req, uint16_t type, const char *s)
{
	nl_req_put(req, type, strlen(s) + 1, s);
}

void nl_req_put_u32(struct nl_req *req, uint16_t type, uint32_t v)
{
	nl_req_put(req, type, sizeof(v), &v);
}

void nl_req_put_u64(struct nl_req *req, uint16_t type, uint64_t v)
{
	nl_req_put(req, type, sizeof(v), &v);
}

void nl_req_put_flag(struct nl_req *req, uint16_t type)
{
	nl_req_put(req, type, 0, NULL);
}

/* Nests carry NLA_F_NESTED, which strict kernel validation requires. */
struct nlattr *nl_req_nest_start(struct nl_req *req, uint16_t type)
{
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(req->nlh, req->size, type);
	if (!nest)
		req->overflow = true;
	else
		nest->nla_type |= NLA_F_NESTED;
	return nest;
}

void nl_req_nest_end(struct nl_req *req, struct nlattr *nest)
{
	if (nest)
		mnl_attr_nest_end(req->nlh, nest);
}

/* Errors */

static void nl_err_reset(struct nl_ctx *ctx)
{
	ctx->err = 0;
	ctx->no_family = false;
	ctx->err_msg[0] = '\0';
	ctx->err_offs = -1;
	ctx->err_attr = -1;
	ctx->err_req_attr = NULL;
	memset(&ctx->err_pol, 0, sizeof(ctx->err_pol));
	ctx->miss_type = -1;
}

/* NLMSGERR_ATTR_POLICY: the policy of the attribute the kernel refused */
static int nl_policy_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_err_policy *p = data;
	uint64_t v;
	uint32_t v32;

	switch (mnl_attr_get_type(attr)) {
	case NL_POLICY_TYPE_ATTR_TYPE:
		if (nl_attr_u32(attr, &v32)) {
			p->type = v32;
			p->have |= NL_POL_TYPE;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		if (nl_attr_u64(attr, &v)) {
			p->min_u = v;
			p->have |= NL_POL_MIN_U;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		if (nl_attr_u64(attr, &v)) {
			p->max_u = v;
			p->have |= NL_POL_MAX_U;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
		if (nl_attr_u64(attr, &v)) {
			p->min_s = (int64_t)v;
			p->have |= NL_POL_MIN_S;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
		if (nl_attr_u64(attr, &v)) {
			p->max_s = (int64_t)v;
			p->have |= NL_POL_MAX_S;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
		if (nl_attr_u32(attr, &v32)) {
			p->min_len = v32;
			p->have |= NL_POL_MIN_LEN;
		}
		break;
	case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
		if (nl_attr_u32(attr, &v32)) {
			p->max_len = v32;
			p->have |= NL_POL_MAX_LEN;
		}
		break;
	}
	return MNL_CB_OK;
}

static int nl_extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl_ctx *ctx = data;
	uint32_t v;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (nl_attr_str(attr))
			snprintf(ctx->err_msg, sizeof(ctx->err_msg), "%s",
				 nl_attr_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (nl_attr_u32(attr, &v))
			ctx->err_offs = v;
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (nl_attr_u32(attr, &v))
			ctx->miss_type = v;
		break;
	case NLMSGERR_ATTR_POLICY:
		mnl_attr_parse_nested(attr, nl_policy_attr_cb, &ctx->err_pol);
		break;
	}
	return MNL_CB_OK;
}

/* Extended ack TLVs start at byte offs of the payload of nlh. */
static void nl_parse_extack(struct nl_ctx *ctx, const struct nlmsghdr *nlh,
			    size_t offs)
{
	size_t len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	len = mnl_nlmsg_get_payload_len(nlh);
	if (offs > len)
		return;
	mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(nlh) + offs,
			       len - offs, nl_extack_attr_cb, ctx);
	len = strlen(ctx->err_msg);
	while (len && (ctx->err_msg[len - 1] == '\n' || ctx->err_msg[len - 1] == ' '))
		ctx->err_msg[--len] = '\0';
}

/* Reply handling; messages of an earlier, abandoned request are skipped. */

/* Parse the generic netlink message nlh and pass it to run->cb. */
static int nl_run_cb(struct nl_run *run, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl;
	struct nl_tb t = { .tb = run->tb, .max = run->attr_max };
	struct nl_reply reply;
	int ret;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN) {
		run->cb_err = -EBADMSG;
		return MNL_CB_OK;
	}
	genl = mnl_nlmsg_get_payload(nlh);
	memset(run->tb, 0, (run->attr_max + 1) * sizeof(*run->tb));
	mnl_attr_parse(nlh, GENL_HDRLEN, nl_tb_store_cb, &t);

	reply.cmd = genl->cmd;
	reply.version = genl->version;
	reply.attr_max = run->attr_max;
	reply.tb = run->tb;
	ret = run->cb(&reply, run->priv);
	if (ret < 0)
		run->cb_err = ret;
	return MNL_CB_OK;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_run *run = data;

	if (nlh->nlmsg_seq != run->seq || run->cb_err || !run->cb)
		return MNL_CB_OK;
	return nl_run_cb(run, nlh);
}

/*
 * libmnl fails a whole receive on a part flagged NLM_F_DUMP_INTR (EINTR),
 * leaving the rest of the dump in the socket, where the next command of a
 * batch would trip on it. Note the flag and clear it instead: the dump is
 * read to its end, and the command then fails saying the list changed.
 */
static void nl_take_dump_intr(void *buf, size_t len, struct nl_run *run)
{
	struct nlmsghdr *nlh = buf;
	int rem = len;

	while (mnl_nlmsg_ok(nlh, rem)) {
		if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) && nlh->nlmsg_seq == run->seq) {
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
			run->dump_intr = true;
		}
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
}

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_run *run = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offs = sizeof(*err);

	if (nlh->nlmsg_seq != run->seq)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offs += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nl_parse_extack(run->ctx, nlh, offs);
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE ends a dump; a negative int payload is the dump's error. */
static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_run *run = data;
	int err = 0;

	if (nlh->nlmsg_seq != run->seq)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	nl_parse_extack(run->ctx, nlh, sizeof(err));
	errno = -err;
	return MNL_CB_ERROR;
}

/* Control messages: errors, acks and the end of dumps; the rest is noise. */
static int nl_ctl_cb(const struct nlmsghdr *nlh, void *data)
{
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		return nl_error_cb(nlh, data);
	case NLMSG_DONE:
		return nl_done_cb(nlh, data);
	default:
		return MNL_CB_OK;
	}
}

/* Returns 0 or a negative errno. */
static int nl_recv(struct nl_ctx *ctx, struct nl_run *run)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = nl_ctl_cb,
		[NLMSG_ERROR] = nl_ctl_cb,
		[NLMSG_DONE] = nl_ctl_cb,
		[NLMSG_OVERRUN] = nl_ctl_cb,
	};
	ssize_t len;
	int ret;

	do {
		len = mnl_socket_recvfrom(ctx->sock, ctx->rbuf, NL_RECV_SIZE);
		if (len < 0) {
			if (errno != EINTR)
				return -errno;
			ret = MNL_CB_OK;
			continue;
		}
		nl_take_dump_intr(ctx->rbuf, len, run);
		ret = mnl_cb_run2(ctx->rbuf, len, 0, ctx->portid, nl_data_cb,
				  run, ctl, MNL_ARRAY_SIZE(ctl));
	} while (ret > 0);
	if (ret < 0)
		return -errno;
	return run->cb_err;
}

/* The innermost request attribute that starts at byte offs, or NULL. */
static const struct nlattr *nl_find_attr(const struct nlmsghdr *nlh,
					 const void *payload, size_t len, long offs)
{
	const struct nlattr *attr;
	long pos;

	mnl_attr_for_each_payload(payload, len) {
		pos = (const char *)attr - (const char *)nlh;
		if (pos == offs)
			return attr;
		if (offs > pos && offs < pos + attr->nla_len &&
		    (attr->nla_type & NLA_F_NESTED))
			return nl_find_attr(nlh, mnl_attr_get_payload(attr),
					    mnl_attr_get_payload_len(attr), offs);
	}
	return NULL;
}

static int nl_fail(struct nl_ctx *ctx, const struct nl_req *req, int err)
{
	const struct nlmsghdr *nlh = req->nlh;
	size_t hdr = MNL_ALIGN(sizeof(*nlh)) + GENL_HDRLEN;

	ctx->err = err;
	if (ctx->err_offs >= 0 && nlh->nlmsg_len > hdr)
		ctx->err_req_attr = nl_find_attr(nlh, (const char *)nlh + hdr,
						 nlh->nlmsg_len - hdr, ctx->err_offs);
	if (ctx->err_req_attr)
		ctx->err_attr = mnl_attr_get_type(ctx->err_req_attr);
	if (!ctx->err_msg[0] && ctx->miss_type >= 0)
		snprintf(ctx->err_msg, sizeof(ctx->err_msg),
			 "missing attribute %d", ctx->miss_type);
	errno = err;
	return -1;
}

static int nl_transact(struct nl_ctx *ctx, struct nl_req *req, uint16_t type,
		       uint8_t version, unsigned int attr_max,
		       nl_reply_cb cb, void *priv)
{
	struct genlmsghdr *genl = mnl_nlmsg_get_payload(req->nlh);
	struct nl_run run = {
		.ctx = ctx,
		.attr_max = attr_max,
		.cb = cb,
		.priv = priv,
	};
	int ret;

	nl_err_reset(ctx);
	if (req->overflow)
		return nl_fail(ctx, req, EMSGSIZE);
	run.tb = calloc(attr_max + 1, sizeof(*run.tb));
	if (!run.tb)
		return nl_fail(ctx, req, ENOMEM);

	run.seq = ++ctx->seq;
	req->nlh->nlmsg_type = type;
	req->nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (req->flags & NL_REQ_DUMP)
		req->nlh->nlmsg_flags |= NLM_F_DUMP;
	req->nlh->nlmsg_seq = run.seq;
	genl->version = version;

	if (mnl_socket_sendto(ctx->sock, req->nlh, req->nlh->nlmsg_len) < 0)
		ret = -errno;
	else
		ret = nl_recv(ctx, &run);
	free(run.tb);
	if (!ret && run.dump_intr) {
		/* what was printed may miss or repeat an entry */
		snprintf(ctx->err_msg, sizeof(ctx->err_msg),
			 "the list changed while it was read, so it may miss or repeat an entry; run the command again");
		ret = -EAGAIN;
	}
	return ret < 0 ? nl_fail(ctx, req, -ret) : 0;
}

/* Family resolution */

static void nl_ctrl_groups(struct nl_ctx *ctx, const struct nlattr *groups)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *grp;
	struct nl_group *g;
	const char *name;

	mnl_attr_for_each_nested(grp, groups) {
		if (ctx->n_groups >= NL_MAX_GROUPS)
			break;
		g = &ctx->groups[ctx->n_groups];
		if (nl_attr_parse_nested(grp, tb, CTRL_ATTR_MCAST_GRP_MAX) < 0)
			continue;
		name = nl_attr_str(tb[CTRL_ATTR_MCAST_GRP_NAME]);
		if (!name || strlen(name) >= sizeof(g->name) ||
		    !nl_attr_u32(tb[CTRL_ATTR_MCAST_GRP_ID], &g->id))
			continue;
		snprintf(g->name, sizeof(g->name), "%s", name);
		ctx->n_groups++;
	}
}

static int nl_ctrl_cb(const struct nl_reply *reply, void *priv)
{
	struct nl_ctx *ctx = priv;
	uint16_t id;

	if (!nl_attr_u16(reply->tb[CTRL_ATTR_FAMILY_ID], &id) || !id)
		return -EPROTO;
	ctx->family_id = id;
	if (!nl_attr_u32(reply->tb[CTRL_ATTR_VERSION], &ctx->family_version))
		ctx->family_version = 0;
	ctx->n_groups = 0;
	if (reply->tb[CTRL_ATTR_MCAST_GROUPS])
		nl_ctrl_groups(ctx, reply->tb[CTRL_ATTR_MCAST_GROUPS]);
	return 0;
}

int nl_family_resolve(struct nl_ctx *ctx)
{
	uint32_t buf[64];	/* aligned for struct nlmsghdr */
	struct nl_req req;
	int ret;

	if (ctx->family_id)
		return 0;
	nl_req_init(&req, buf, sizeof(buf), CTRL_CMD_GETFAMILY, 0);
	nl_req_put_str(&req, CTRL_ATTR_FAMILY_NAME, ctx->family);
	ret = nl_transact(ctx, &req, GENL_ID_CTRL, 1, CTRL_ATTR_MAX,
			  nl_ctrl_cb, ctx);
	if (!ret && !ctx->family_id)
		ret = nl_fail(ctx, &req, EPROTO);
	if (ret < 0 && ctx->err == ENOENT)
		ctx->no_family = true;
	return ret;
}

uint32_t nl_family_version(const struct nl_ctx *ctx)
{
	return ctx->family_version;
}

int nl_mcast_group_id(struct nl_ctx *ctx, const char *name)
{
	unsigned int i;

	if (nl_family_resolve(ctx) < 0)
		return -1;
	for (i = 0; i < ctx->n_groups; i++)
		if (!strcmp(ctx->groups[i].name, name))
			return ctx->groups[i].id;
	errno = ENOENT;
	return -1;
}

/* Notifications */

/*
 * A listener's receive buffer must hold a burst of events while it prints
 * the ones before (1 MiB, as iproute2's monitors ask). SO_RCVBUFFORCE goes
 * past net.core.rmem_max with CAP_NET_ADMIN, which the group needs anyway;
 * without it, SO_RCVBUF gets what rmem_max allows. The default stays if
 * both fail: ENOBUFS then says events were lost.
 */
static void nl_mcast_rcvbuf(struct nl_ctx *ctx)
{
	int fd = mnl_socket_get_fd(ctx->sock), size = NL_MCAST_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

int nl_mcast_join(struct nl_ctx *ctx, const char *group)
{
	int id;

	nl_err_reset(ctx);
	id = nl_mcast_group_id(ctx, group);
	if (id < 0) {
		if (!ctx->err) {
			/* the family is there, the group is not */
			ctx->err = ENOENT;
			snprintf(ctx->err_msg, sizeof(ctx->err_msg),
				 "family \"%s\" has no multicast group \"%s\"",
				 ctx->family, group);
		}
		errno = ctx->err;
		return -1;
	}
	nl_mcast_rcvbuf(ctx);
	if (mnl_socket_setsockopt(ctx->sock, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0) {
		ctx->err = errno;
		return -1;
	}
	return 0;
}

/* Only messages of the family: the rest, control messages included, is noise. */
static int nl_ntf_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_run *run = data;

	if (nlh->nlmsg_type != run->ctx->family_id || run->cb_err)
		return MNL_CB_OK;
	return nl_run_cb(run, nlh);
}

static int nl_ntf_ctl_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

int nl_recv_ntf(struct nl_ctx *ctx, unsigned int attr_max,
		const sigset_t *wait_mask, nl_reply_cb cb, void *priv)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = nl_ntf_ctl_cb,
		[NLMSG_ERROR] = nl_ntf_ctl_cb,
		[NLMSG_DONE] = nl_ntf_ctl_cb,
		[NLMSG_OVERRUN] = nl_ntf_ctl_cb,
	};
	struct pollfd pfd = {
		.fd = mnl_socket_get_fd(ctx->sock),
		.events = POLLIN,
	};
	struct nl_run run = {
		.ctx = ctx,
		.attr_max = attr_max,
		.cb = cb,
		.priv = priv,
	};
	struct sockaddr_nl from;
	socklen_t from_len = sizeof(from);
	ssize_t len;
	int ret;

	nl_err_reset(ctx);
	if (ppoll(&pfd, 1, NULL, wait_mask) < 0)
		goto fail;
	len = recvfrom(pfd.fd, ctx->rbuf, NL_RECV_SIZE, MSG_DONTWAIT | MSG_TRUNC,
		       (struct sockaddr *)&from, &from_len);
	if (len < 0) {
		if (errno == EAGAIN)
			return 0;
		goto fail;
	}
	if (from_len != sizeof(from) || from.nl_pid)
		return 0;	/* not from the kernel */
	if (len > NL_RECV_SIZE) {
		errno = EMSGSIZE;
		goto fail;
	}
	run.tb = calloc(attr_max + 1, sizeof(*run.tb));
	if (!run.tb)
		goto fail;
	/* seq and portid 0: any; notifications come from the kernel only */
	ret = mnl_cb_run2(ctx->rbuf, len, 0, 0, nl_ntf_cb, &run, ctl,
			  MNL_ARRAY_SIZE(ctl));
	free(run.tb);
	if (ret < 0)
		goto fail;
	if (run.cb_err) {
		errno = -run.cb_err;
		goto fail;
	}
	return 0;

fail:
	ctx->err = errno;
	return -1;
}

int nl_request(struct nl_ctx *ctx, struct nl_req *req, unsigned int attr_max,
	       nl_reply_cb cb, void *priv)
{
	if (nl_family_resolve(ctx) < 0)
		return -1;
	return nl_transact(ctx, req, ctx->family_id, ctx->version, attr_max,
			   cb, priv);
}

int nl_err(const struct nl_ctx *ctx)
{
	return ctx->err;
}

bool nl_err_no_family(const struct nl_ctx *ctx)
{
	return ctx->no_family;
}

const char *nl_err_msg(const struct nl_ctx *ctx)
{
	return ctx->err_msg[0] ? ctx->err_msg : NULL;
}

long nl_err_offset(const struct nl_ctx *ctx)
{
	return ctx->err_offs;
}

int nl_err_attr(const struct nl_ctx *ctx)
{
	return ctx->err_attr;
}

int nl_err_missing_attr(const struct nl_ctx *ctx)
{
	return ctx->miss_type;
}

const struct nlattr *nl_err_req_attr(const struct nl_ctx *ctx)
{
	return ctx->err_req_attr;
}

const struct nl_err_policy *nl_err_policy(const struct nl_ctx *ctx)
{
	return ctx->err_pol.have ? &ctx->err_pol : NULL;
}

/* Socket */

static int nl_setsockopt_flag(struct mnl_socket *sock, int opt)
{
	int one = 1;

	if (mnl_socket_setsockopt(sock, opt, &one, sizeof(one)) < 0 &&
	    errno != ENOPROTOOPT)
		return -1;
	return 0;
}

void nl_close(struct nl_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->sock)
		mnl_socket_close(ctx->sock);
	free(ctx->rbuf);
	free(ctx->req_buf);
	free(ctx);
}

struct nl_ctx *nl_open(const char *family, uint8_t version)
{
	struct nl_ctx *ctx;
	int err;

	if (strlen(family) >= GENL_NAMSIZ) {
		errno = EINVAL;
		return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	snprintf(ctx->family, sizeof(ctx->family), "%s", family);
	ctx->version = version;
	nl_err_reset(ctx);
	ctx->rbuf = malloc(NL_RECV_SIZE);
	ctx->req_buf = malloc(NL_REQ_SIZE);
	if (!ctx->rbuf || !ctx->req_buf)
		goto fail;
	ctx->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!ctx->sock ||
	    nl_setsockopt_flag(ctx->sock, NETLINK_CAP_ACK) < 0 ||
	    nl_setsockopt_flag(ctx->sock, NETLINK_EXT_ACK) < 0 ||
	    mnl_socket_bind(ctx->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	ctx->portid = mnl_socket_get_portid(ctx->sock);
	ctx->seq = time(NULL);
	return ctx;

fail:
	err = errno;
	nl_close(ctx);
	errno = err;
	return NULL;
}
