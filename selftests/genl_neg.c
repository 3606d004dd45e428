// SPDX-License-Identifier: GPL-2.0
/*
 * genl_neg: every bad input to the log and target operations, from a raw
 * netlink socket: missing required attributes, wrong lengths, values out of
 * range, unknown attributes, settings that do not fit together. Each must
 * fail with its documented errno and an extended ack message, and change
 * nothing: after the table, the logs and targets are exactly as before.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "klf_nl.h"

#define MAXA 6

struct attr {
	int type;
	int len;		/* -1: a NUL-terminated string in .s */
	const char *s;
	__u64 v;
};

struct neg_case {
	const char *what;
	int cmd;
	struct attr a[MAXA];
	int err;
	int bad_attr;		/* the extack must point at an attribute */
	int alt;		/* another acceptable errno, if any */
};

#define S(t, str)	{ .type = (t), .len = -1, .s = (str) }
#define U8(t, x)	{ .type = (t), .len = 1, .v = (x) }
#define U16(t, x)	{ .type = (t), .len = 2, .v = (x) }
#define U32(t, x)	{ .type = (t), .len = 4, .v = (x) }
#define U64(t, x)	{ .type = (t), .len = 8, .v = (x) }
#define RAW(t, l)	{ .type = (t), .len = (l), .v = 0 }

#define LOG(x)		KLOGFWD_A_LOG_##x
#define TGT(x)		KLOGFWD_A_TARGET_##x
#define LNEW		KLOGFWD_CMD_LOG_NEW
#define LSET		KLOGFWD_CMD_LOG_SET
#define TNEW		KLOGFWD_CMD_TARGET_NEW
#define TSET		KLOGFWD_CMD_TARGET_SET
#define LO		0x7f000001

static const char long_name[] = "n0123456789012345678901234567890123456789";

static const struct neg_case cases[] = {
	/* log-new */
	{ "log-new without name", LNEW, { U32(LOG(FRAMING), 0) }, -EINVAL, 0 },
	{ "log-new name too long", LNEW, { S(LOG(NAME), long_name) }, -EINVAL, 1, -ERANGE },
	{ "log-new name with a slash", LNEW, { S(LOG(NAME), "a/b") }, -EINVAL, 0 },
	{ "log-new name starting with a dot", LNEW, { S(LOG(NAME), ".x") }, -EINVAL, 0 },
	{ "log-new unknown storage", LNEW, { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 7) },
	  -ERANGE, 1, -EINVAL },
	{ "log-new storage of the wrong length", LNEW,
	  { S(LOG(NAME), "neg"), U8(LOG(STORAGE), 0) }, -EINVAL, 1, -ERANGE },
	{ "log-new unknown framing", LNEW, { S(LOG(NAME), "neg"), U32(LOG(FRAMING), 3) },
	  -ERANGE, 1, -EINVAL },
	{ "log-new dir log without dir", LNEW, { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 1) },
	  -EINVAL, 0 },
	{ "log-new relative dir", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 1), S(LOG(DIR), "tmp") }, -EINVAL, 0 },
	{ "log-new dir that does not exist", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 1), S(LOG(DIR), "/nonexistent/klf") },
	  -ENOENT, 0 },
	{ "log-new segment-bytes below 4096", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 4095) }, -ERANGE, 1 },
	{ "log-new segment-bytes above 1 GiB", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 0x40000001) }, -ERANGE, 1 },
	{ "log-new max-record 0", LNEW, { S(LOG(NAME), "neg"), U32(LOG(MAX_RECORD), 0) },
	  -ERANGE, 1 },
	{ "log-new max-record above 1 MiB", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(MAX_RECORD), 1048577) }, -ERANGE, 1 },
	{ "log-new max-record larger than a segment", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 4096), U32(LOG(MAX_RECORD), 4096) },
	  -EINVAL, 0 },
	{ "log-new retain-bytes below segment-bytes", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 65536), U64(LOG(RETAIN_BYTES), 4096) },
	  -EINVAL, 0 },
	{ "log-new retain-bytes of 2 bytes", LNEW,
	  { S(LOG(NAME), "neg"), RAW(LOG(RETAIN_BYTES), 2) }, -EINVAL, 1, -ERANGE },
	{ "log-new unknown overflow", LNEW, { S(LOG(NAME), "neg"), U32(LOG(OVERFLOW), 2) },
	  -ERANGE, 1, -EINVAL },
	{ "log-new unknown sync", LNEW, { S(LOG(NAME), "neg"), U32(LOG(SYNC), 3) },
	  -ERANGE, 1, -EINVAL },
	{ "log-new sync on a memory log", LNEW, { S(LOG(NAME), "neg"), U32(LOG(SYNC), 2) },
	  -EINVAL, 0 },
	{ "log-new sync-interval-ms 0", LNEW,
	  { S(LOG(NAME), "neg"), U32(LOG(SYNC_INTERVAL_MS), 0) }, -ERANGE, 1 },
	{ "log-new mode above 0777", LNEW, { S(LOG(NAME), "neg"), U32(LOG(MODE), 01000) },
	  -ERANGE, 1 },
	{ "log-new stats in a request", LNEW, { S(LOG(NAME), "neg"), RAW(LOG(STATS), 0) },
	  -EINVAL, 1 },
	{ "log-new unknown attribute", LNEW, { S(LOG(NAME), "neg"), U32(200, 1) }, -EINVAL, 0 },
	{ "log-new name that exists", LNEW, { S(LOG(NAME), "neg-keep") }, -EEXIST, 0 },
	/* log-set, log-del, log-append */
	{ "log-set on a missing log", LSET, { S(LOG(NAME), "neg-none") }, -ENOENT, 1 },
	{ "log-set segments too small for its max-record", LSET,
	  { S(LOG(NAME), "neg-keep"), U32(LOG(SEGMENT_BYTES), 4096) }, -EINVAL, 0 },
	{ "log-del without name", KLOGFWD_CMD_LOG_DEL, { U32(LOG(MODE), 0) }, -EINVAL, 0 },
	{ "log-append without records", KLOGFWD_CMD_LOG_APPEND, { S(LOG(NAME), "neg-keep") },
	  -EINVAL, 0 },
	{ "log-append an empty record", KLOGFWD_CMD_LOG_APPEND,
	  { S(LOG(NAME), "neg-keep"), RAW(LOG(RECORD), 0) }, -EINVAL, 1 },
	/* target-new */
	{ "target-new without name", TNEW,
	  { S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO), U16(TGT(PORT), 9) }, -EINVAL, 0 },
	{ "target-new without log", TNEW,
	  { S(TGT(NAME), "negt"), U32(TGT(IPV4), LO), U16(TGT(PORT), 9) }, -EINVAL, 0 },
	{ "target-new without address", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U16(TGT(PORT), 9) }, -EINVAL, 0 },
	{ "target-new without port", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO) }, -EINVAL, 0 },
	{ "target-new port 0", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 0) }, -ERANGE, 1 },
	{ "target-new ipv6 of 4 bytes", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV6), LO),
	    U16(TGT(PORT), 9) }, -ERANGE, 1, -EINVAL },
	{ "target-new both ipv4 and ipv6", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    RAW(TGT(IPV6), 16), U16(TGT(PORT), 9) }, -EINVAL, 1 },
	{ "target-new multicast address", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), 0xe0000001),
	    U16(TGT(PORT), 9) }, -EINVAL, 1 },
	{ "target-new on a missing log", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-none"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9) }, -ENOENT, 1 },
	{ "target-new bad name", TNEW,
	  { S(TGT(NAME), "a b"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9) }, -EINVAL, 0 },
	{ "target-new unknown start", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(START), 9) }, -ERANGE, 1, -EINVAL },
	{ "target-new start offset without from-offset", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(START), 3) }, -EINVAL, 1 },
	{ "target-new from-offset past the log", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(START), 3), U64(TGT(FROM_OFFSET), 1000) }, -ERANGE, 0 },
	{ "target-new ack app on an lf log", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(ACK), 1) }, -EINVAL, 0 },
	{ "target-new backoff-min-ms below 10", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(BACKOFF_MIN_MS), 9) }, -ERANGE, 1 },
	{ "target-new backoff min above max", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(BACKOFF_MIN_MS), 5000), U32(TGT(BACKOFF_MAX_MS), 100) },
	  -EINVAL, 0 },
	{ "target-new nodelay 2", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U8(TGT(NODELAY), 2) }, -ERANGE, 1 },
	{ "target-new keepalive above 32767", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(KEEPALIVE_S), 40000) }, -ERANGE, 1 },
	{ "target-new state in a request", TNEW,
	  { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9), U32(TGT(STATE), 0) }, -EINVAL, 1 },
	{ "target-new name that exists", TNEW,
	  { S(TGT(NAME), "negt-keep"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	    U16(TGT(PORT), 9) }, -EEXIST, 0 },
	/* target-set, -del, -get */
	{ "target-set on a missing target", TSET, { S(TGT(NAME), "negt-none") }, -ENOENT, 1 },
	{ "target-set backoff min above max", TSET,
	  { S(TGT(NAME), "negt-keep"), U32(TGT(BACKOFF_MIN_MS), 40000) }, -EINVAL, 0 },
	{ "target-set log (fixed at creation)", TSET,
	  { S(TGT(NAME), "negt-keep"), S(TGT(LOG), "neg-keep") }, -EINVAL, 1 },
	{ "target-del on a missing target", KLOGFWD_CMD_TARGET_DEL, { S(TGT(NAME), "negt-none") },
	  -ENOENT, 1 },
	{ "target-get on a missing target", KLOGFWD_CMD_TARGET_GET, { S(TGT(NAME), "negt-none") },
	  -ENOENT, 1 },
};

FIXTURE(neg) {
	int fd;
	int family;
};

static int request(int fd, int family, int cmd, const struct attr *a, int n,
		   struct nl_reply *r)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	char zero[16] = { 0 };
	int i;

	nlh = msg_init(buf, family, cmd, 0, 0);
	for (i = 0; i < n && a[i].type; i++) {
		if (a[i].len < 0)
			put_attr(nlh, a[i].type, a[i].s, strlen(a[i].s) + 1);
		else if (a[i].v || a[i].len > 8)
			put_attr(nlh, a[i].type, &a[i].v, a[i].len);
		else
			put_attr(nlh, a[i].type, zero, a[i].len);
	}
	return nl_request(fd, nlh, r);
}

/* The IPv4 attribute is big endian; the table holds host order. */
static void fix_ipv4(struct attr *a)
{
	int i;

	for (i = 0; i < MAXA; i++)
		if (a[i].type == KLOGFWD_A_TARGET_IPV4 && a[i].len == 4)
			a[i].v = htonl((__u32)a[i].v);
}

FIXTURE_SETUP(neg)
{
	struct attr log[] = { S(LOG(NAME), "neg-keep") };
	struct attr tgt[] = { S(TGT(NAME), "negt-keep"), S(TGT(LOG), "neg-keep"),
			      U32(TGT(IPV4), LO), U16(TGT(PORT), 9), U8(TGT(PAUSED), 1) };
	struct nl_reply r;

	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	self->family = nl_family(self->fd, &r);
	ASSERT_LT(0, self->family);
	fix_ipv4(tgt);
	ASSERT_EQ(0, request(self->fd, self->family, LNEW, log, 1, &r));
	ASSERT_EQ(0, r.error) TH_LOG("log-new: %s", r.extack);
	ASSERT_EQ(0, request(self->fd, self->family, TNEW, tgt, 5, &r));
	ASSERT_EQ(0, r.error) TH_LOG("target-new: %s", r.extack);
}

FIXTURE_TEARDOWN(neg)
{
	struct attr tgt[] = { S(TGT(NAME), "negt-keep") };
	struct attr log[] = { S(LOG(NAME), "neg-keep") };
	struct nl_reply r;

	request(self->fd, self->family, KLOGFWD_CMD_TARGET_DEL, tgt, 1, &r);
	request(self->fd, self->family, KLOGFWD_CMD_LOG_DEL, log, 1, &r);
	close(self->fd);
}

/* Count the logs and targets the dumps report. */
static int count(int fd, int family, int cmd)
{
	char buf[BUF_SIZE], rbuf[BUF_SIZE];
	struct nlmsghdr *nlh;
	int n, total = 0;

	nlh = msg_init(buf, family, cmd, NLM_F_DUMP, 0);
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			return -1;
		for (nlh = (void *)rbuf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return total;
			total++;
		}
	}
}

TEST_F(neg, every_bad_request_rejected_and_changes_nothing)
{
	int logs, targets, failures = 0;
	struct nl_reply r;
	size_t i;

	logs = count(self->fd, self->family, KLOGFWD_CMD_LOG_GET);
	targets = count(self->fd, self->family, KLOGFWD_CMD_TARGET_GET);
	ASSERT_LE(1, logs);
	ASSERT_LE(1, targets);

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct attr a[MAXA];

		memcpy(a, cases[i].a, sizeof(a));
		fix_ipv4(a);
		ASSERT_EQ(0, request(self->fd, self->family, cases[i].cmd, a, MAXA, &r));
		if ((r.error != cases[i].err && (!cases[i].alt || r.error != cases[i].alt)) ||
		    (!r.extack[0] && !r.has_miss) ||
		    (cases[i].bad_attr && !r.has_bad_attr)) {
			const char *where = "";

			if (r.has_bad_attr)
				where = " with attribute";
			TH_LOG("%s: got %d (%s), extack \"%s\"%s; want %d", cases[i].what,
			       r.error, strerror(-r.error), r.extack, where, cases[i].err);
			failures++;
		}
	}
	EXPECT_EQ(0, failures);
	EXPECT_EQ(logs, count(self->fd, self->family, KLOGFWD_CMD_LOG_GET));
	EXPECT_EQ(targets, count(self->fd, self->family, KLOGFWD_CMD_TARGET_GET));
}

TEST_HARNESS_MAIN
