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

TEST_HARNESS_MAIN
