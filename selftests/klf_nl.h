/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal generic netlink helpers for klogfwd's C selftests: raw sockets,
 * so that tests can build any message, valid or not, and see the kernel's
 * error and extended ack exactly.
 */
#ifndef _KLF_SELFTEST_NL_H
#define _KLF_SELFTEST_NL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/klogfwd.h>

#define BUF_SIZE 16384
#define NLA_DATA(nla) ((void *)(nla) + NLA_HDRLEN)

struct nl_reply {
	int error;			/* 0 or -errno from NLMSG_ERROR */
	char extack[256];		/* NLMSGERR_ATTR_MSG, if any */
	int has_bad_attr;
	int has_miss;		/* names a missing attribute */		/* NLMSGERR_ATTR_OFFS present */
	char buf[BUF_SIZE];		/* first data message, if any */
	int len;
};

static inline int nl_open(void)
{
	int fd, one = 1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

static inline struct nlattr *put_attr(struct nlmsghdr *nlh, int type, const void *data, int len)
{
	struct nlattr *nla = (void *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(nla->nla_len);
	return nla;
}

static inline struct nlmsghdr *msg_init(char *buf, int family, int cmd, int flags, int reserved)
{
	struct nlmsghdr *nlh = (void *)buf;
	struct genlmsghdr *g;

	memset(buf, 0, BUF_SIZE);
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = 1;
	g = NLMSG_DATA(nlh);
	g->cmd = cmd;
	g->version = 1;
	g->reserved = reserved;
	return nlh;
}

static inline void parse_extack(struct nlmsghdr *nlh, struct nl_reply *r)
{
	struct nlmsgerr *err = NLMSG_DATA(nlh);
	struct nlattr *nla;
	int off, len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - NLMSG_HDRLEN;
	for (nla = (void *)nlh + off; (char *)nla < (char *)nlh + nlh->nlmsg_len;
	     nla = (void *)nla + NLA_ALIGN(nla->nla_len)) {
		if (nla->nla_len < NLA_HDRLEN)
			break;
		len = nla->nla_len - NLA_HDRLEN;
		if (nla->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(r->extack, sizeof(r->extack), "%.*s", len,
				 (char *)nla + NLA_HDRLEN);
		if (nla->nla_type == NLMSGERR_ATTR_OFFS)
			r->has_bad_attr = 1;
		if (nla->nla_type == NLMSGERR_ATTR_MISS_TYPE)
			r->has_miss = 1;
	}
}

/* Send one request; collect the first data message and the final ack. */
static inline int nl_request(int fd, struct nlmsghdr *req, struct nl_reply *r)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	int n, done = 0;

	memset(r, 0, sizeof(*r));
	if (send(fd, req, req->nlmsg_len, 0) < 0)
		return -errno;
	while (!done) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				r->error = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
				parse_extack(nlh, r);
				done = 1;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (!r->len) {
				r->len = nlh->nlmsg_len;
				memcpy(r->buf, nlh, nlh->nlmsg_len);
			}
		}
	}
	return 0;
}

/* Find attribute @type in the payload of a genl message. */
static inline struct nlattr *get_attr(struct nlmsghdr *nlh, int type)
{
	struct nlattr *nla;
	int rem = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (nla = (void *)NLMSG_DATA(nlh) + GENL_HDRLEN; rem >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN &&
	     nla->nla_len <= rem; rem -= NLA_ALIGN(nla->nla_len), nla = (void *)nla + NLA_ALIGN(nla->nla_len))
		if ((nla->nla_type & NLA_TYPE_MASK) == type)
			return nla;
	return NULL;
}

/* Resolve the klogfwd family id; -errno on failure. */
static inline int nl_family(int fd, struct nl_reply *r)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *id;

	nlh = msg_init(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 0);
	put_attr(nlh, CTRL_ATTR_FAMILY_NAME, KLOGFWD_FAMILY_NAME, sizeof(KLOGFWD_FAMILY_NAME));
	if (nl_request(fd, nlh, r))
		return -EIO;
	if (r->error)
		return r->error;
	id = get_attr((void *)r->buf, CTRL_ATTR_FAMILY_ID);
	return id ? *(__u16 *)NLA_DATA(id) : -ENOENT;
}

#endif /* _KLF_SELFTEST_NL_H */
