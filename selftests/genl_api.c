// SPDX-License-Identifier: GPL-2.0
/*
 * genl_api: the klogfwd generic netlink family seen from a raw netlink
 * socket, without the CLI: registration, ops and groups as the kernel's
 * controller reports them, replies, and strict rejection of bad requests
 * (with extended ack messages).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "klf_nl.h"

FIXTURE(genl) {
	int fd;
	int family;
	struct nl_reply fam;	/* CTRL_CMD_GETFAMILY reply */
};

FIXTURE_SETUP(genl)
{
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	self->family = nl_family(self->fd, &self->fam);
	ASSERT_LT(0, self->family) TH_LOG("family lookup: %s (module not loaded?)",
					  strerror(-self->family));
}

FIXTURE_TEARDOWN(genl)
{
	close(self->fd);
}

/* The controller lists version-get as a do-only op, and the monitor group. */
TEST_F(genl, family_registered)
{
	struct nlmsghdr *fam = (void *)self->fam.buf;
	struct nlattr *ops, *op, *grps, *grp, *a;
	int found_op = 0, found_grp = 0;
	__u32 flags = 0;

	a = get_attr(fam, CTRL_ATTR_VERSION);
	ASSERT_NE(NULL, a);
	EXPECT_EQ((__u32)KLOGFWD_FAMILY_VERSION, *(__u32 *)NLA_DATA(a));

	ops = get_attr(fam, CTRL_ATTR_OPS);
	ASSERT_NE(NULL, ops);
	for (op = NLA_DATA(ops); (char *)op < (char *)ops + ops->nla_len;
	     op = (void *)op + NLA_ALIGN(op->nla_len)) {
		__u32 id = 0, f = 0;

		for (a = NLA_DATA(op); (char *)a < (char *)op + op->nla_len;
		     a = (void *)a + NLA_ALIGN(a->nla_len)) {
			if (a->nla_type == CTRL_ATTR_OP_ID)
				id = *(__u32 *)NLA_DATA(a);
			if (a->nla_type == CTRL_ATTR_OP_FLAGS)
				f = *(__u32 *)NLA_DATA(a);
		}
		if (id == KLOGFWD_CMD_VERSION_GET) {
			found_op = 1;
			flags = f;
		}
	}
	EXPECT_TRUE(found_op);
	EXPECT_TRUE(!!(flags & GENL_CMD_CAP_DO));
	EXPECT_FALSE(!!(flags & GENL_CMD_CAP_DUMP));
	EXPECT_FALSE(!!(flags & GENL_ADMIN_PERM));

	grps = get_attr(fam, CTRL_ATTR_MCAST_GROUPS);
	ASSERT_NE(NULL, grps);
	for (grp = NLA_DATA(grps); (char *)grp < (char *)grps + grps->nla_len;
	     grp = (void *)grp + NLA_ALIGN(grp->nla_len))
		for (a = NLA_DATA(grp); (char *)a < (char *)grp + grp->nla_len;
		     a = (void *)a + NLA_ALIGN(a->nla_len))
			if (a->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
			    !strcmp(NLA_DATA(a), KLOGFWD_MCGRP_MONITOR))
				found_grp = 1;
	EXPECT_TRUE(found_grp);
}

/* version-get reports the module's version, the running kernel, the family version. */
TEST_F(genl, version_get)
{
	char buf[BUF_SIZE], want[64] = "";
	struct nl_reply r;
	struct utsname u;
	struct nlattr *a;
	const char *top = getenv("KLF_TOP");
	FILE *f;

	if (top) {
		snprintf(buf, sizeof(buf), "%s/VERSION", top);
		f = fopen(buf, "r");
		if (f) {
			if (fgets(want, sizeof(want), f))
				want[strcspn(want, "\n")] = 0;
			fclose(f);
		}
	}
	ASSERT_EQ(0, nl_request(self->fd, msg_init(buf, self->family, KLOGFWD_CMD_VERSION_GET, 0, 0), &r));
	ASSERT_EQ(0, r.error);
	ASSERT_NE(0, r.len);
	a = get_attr((void *)r.buf, KLOGFWD_A_VERSION_MODULE_VERSION);
	ASSERT_NE(NULL, a);
	if (want[0])
		EXPECT_STREQ(want, (char *)NLA_DATA(a));
	a = get_attr((void *)r.buf, KLOGFWD_A_VERSION_KERNEL_RELEASE);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, (char *)NLA_DATA(a));
	a = get_attr((void *)r.buf, KLOGFWD_A_VERSION_GENL_VERSION);
	ASSERT_NE(NULL, a);
	EXPECT_EQ((__u32)KLOGFWD_FAMILY_VERSION, *(__u32 *)NLA_DATA(a));
}

/* An attribute the operation does not take is rejected, with an extack. */
TEST_F(genl, unknown_attribute_rejected)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nl_reply r;

	nlh = msg_init(buf, self->family, KLOGFWD_CMD_VERSION_GET, 0, 0);
	put_attr(nlh, KLOGFWD_A_VERSION_MODULE_VERSION, "x", 2);
	ASSERT_EQ(0, nl_request(self->fd, nlh, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(0, r.extack[0]);
	EXPECT_TRUE(r.has_bad_attr);
	TH_LOG("extack: %s", r.extack);
}

/* An attribute type beyond the family's range is rejected too. */
TEST_F(genl, out_of_range_attribute_rejected)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nl_reply r;
	__u32 v = 1;

	nlh = msg_init(buf, self->family, KLOGFWD_CMD_VERSION_GET, 0, 0);
	put_attr(nlh, 1000, &v, sizeof(v));
	ASSERT_EQ(0, nl_request(self->fd, nlh, &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(0, r.extack[0]);
}

TEST_F(genl, unknown_command_rejected)
{
	char buf[BUF_SIZE];
	struct nl_reply r;

	ASSERT_EQ(0, nl_request(self->fd, msg_init(buf, self->family, 200, 0, 0), &r));
	EXPECT_EQ(-EOPNOTSUPP, r.error);
}

TEST_F(genl, dump_of_do_only_op_rejected)
{
	char buf[BUF_SIZE];
	struct nl_reply r;

	ASSERT_EQ(0, nl_request(self->fd, msg_init(buf, self->family, KLOGFWD_CMD_VERSION_GET,
						    NLM_F_DUMP, 0), &r));
	EXPECT_EQ(-EOPNOTSUPP, r.error);
}

/* New families validate the genl header's reserved byte. */
TEST_F(genl, reserved_header_byte_rejected)
{
	char buf[BUF_SIZE];
	struct nl_reply r;

	ASSERT_EQ(0, nl_request(self->fd, msg_init(buf, self->family, KLOGFWD_CMD_VERSION_GET,
						    0, 1), &r));
	EXPECT_EQ(-EINVAL, r.error);
	EXPECT_NE(NULL, strstr(r.extack, "reserved"));
}

/* version-get needs no privilege. */
TEST_F(genl, unprivileged_version_get)
{
	char buf[BUF_SIZE];
	struct nl_reply r;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (nl_request(self->fd, msg_init(buf, self->family, KLOGFWD_CMD_VERSION_GET,
						  0, 0), &r))
			_exit(3);
		_exit(r.error ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* log-set/log-get/log-new/log-del of the log "genl_set" with one u32/u64 */
static int log_cmd(int fd, int family, int cmd, int type, __u64 val, int width,
		   struct nl_reply *r)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	__u32 v32 = val;

	nlh = msg_init(buf, family, cmd, 0, 0);
	put_attr(nlh, KLOGFWD_A_LOG_NAME, "genl_set", sizeof("genl_set"));
	if (width)
		put_attr(nlh, type, width == 4 ? (void *)&v32 : (void *)&val, width);
	if (nl_request(fd, nlh, r))
		return -EIO;
	return r->error;
}

/* A log setting from a log-get reply (NLA_UINT: 4 or 8 bytes), or ~0 */
static __u64 log_setting(struct nl_reply *r, int type)
{
	struct nlattr *a = get_attr((void *)r->buf, type);

	if (!a)
		return ~0ULL;
	if (a->nla_len == NLA_HDRLEN + 8)
		return *(__u64 *)NLA_DATA(a);
	return *(__u32 *)NLA_DATA(a);
}

/* "COUNT MS INJECTED" of fault/log_set_delay; -1 if it cannot be read */
static int delay_knob(long *count, long *injected)
{
	FILE *f = fopen("/sys/kernel/debug/klogfwd/fault/log_set_delay", "r");
	long ms;
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%ld %ld %ld", count, &ms, injected);
	fclose(f);
	return n == 3 ? 0 : -1;
}

/*
 * Each log-set request reads the log's settings, changes its own and
 * writes them all back: two at once, each changing a different setting,
 * must not undo each other's (klf_nl_set_lock). fault/log_set_delay holds
 * the first request 500 ms between its read and its write; the second,
 * sent once the first is inside that window, sets max-record. Without the
 * lock the first writes the old max-record back over the new one.
 */
TEST_F(genl, log_set_no_lost_update)
{
	long count, injected, injected0;
	int status, tries;
	struct nl_reply r;
	FILE *knob;
	pid_t pid;

	if (delay_knob(&count, &injected0))
		SKIP(return, "no /sys/kernel/debug/klogfwd/fault/log_set_delay");
	log_cmd(self->fd, self->family, KLOGFWD_CMD_LOG_DEL, 0, 0, 0, &r);
	ASSERT_EQ(0, log_cmd(self->fd, self->family, KLOGFWD_CMD_LOG_NEW,
			     KLOGFWD_A_LOG_STORAGE, KLOGFWD_STORAGE_MEMORY, 4, &r))
		TH_LOG("log new: %s", r.extack);
	ASSERT_EQ(0, log_cmd(self->fd, self->family, KLOGFWD_CMD_LOG_SET,
			     KLOGFWD_A_LOG_MAX_RECORD, 1000, 4, &r));
	knob = fopen("/sys/kernel/debug/klogfwd/fault/log_set_delay", "w");
	ASSERT_NE(NULL, knob);
	fprintf(knob, "1 500\n");
	ASSERT_EQ(0, fclose(knob));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* the first request, held inside its read-modify-write */
		int fd = nl_open();

		_exit(fd < 0 || log_cmd(fd, self->family, KLOGFWD_CMD_LOG_SET,
					KLOGFWD_A_LOG_RETAIN_MS, 7777, 8, &r) ? 1 : 0);
	}
	for (tries = 0; tries < 1000; tries++) {
		if (delay_knob(&count, &injected) || injected > injected0)
			break;
		usleep(10000);
	}
	ASSERT_EQ(injected0 + 1, injected) TH_LOG("the delayed log-set never started");
	EXPECT_EQ(0, log_cmd(self->fd, self->family, KLOGFWD_CMD_LOG_SET,
			     KLOGFWD_A_LOG_MAX_RECORD, 2000, 4, &r));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, log_cmd(self->fd, self->family, KLOGFWD_CMD_LOG_GET, 0, 0, 0, &r));
	EXPECT_EQ(7777, log_setting(&r, KLOGFWD_A_LOG_RETAIN_MS));
	EXPECT_EQ(2000, log_setting(&r, KLOGFWD_A_LOG_MAX_RECORD));
	EXPECT_EQ(0, log_cmd(self->fd, self->family, KLOGFWD_CMD_LOG_DEL, 0, 0, 0, &r));
}

TEST_HARNESS_MAIN
