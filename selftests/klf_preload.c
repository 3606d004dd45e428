// SPDX-License-Identifier: GPL-2.0
/*
 * klf_preload.so: run a command in the middle of a program's netlink dump.
 *
 * LD_PRELOAD=klf_preload.so KLF_AFTER_FIRST="CMD" klogfwd target show
 *
 * When a recvmsg() of the program first returns a part of a dump (a message
 * flagged NLM_F_MULTI), CMD runs (system(3)) and is waited for before that
 * recvmsg() returns. With a dump that needs several messages, CMD thus runs
 * while the dump's later parts are still to be made: dump_split.sh deletes
 * a target there to see what the CLI does with a dump flagged
 * NLM_F_DUMP_INTR. CMD runs without LD_PRELOAD and KLF_AFTER_FIRST.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	const struct nlmsghdr *nlh;
	const char *cmd;
	char *copy;
	ssize_t n;

	if (!real)
		real = (ssize_t (*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	n = real(fd, msg, flags);
	cmd = getenv("KLF_AFTER_FIRST");
	if (n < (ssize_t)sizeof(*nlh) || !cmd || msg->msg_iovlen < 1)
		return n;
	nlh = msg->msg_iov[0].iov_base;
	if (!(nlh->nlmsg_flags & NLM_F_MULTI))
		return n;
	copy = strdup(cmd);
	unsetenv("KLF_AFTER_FIRST");
	unsetenv("LD_PRELOAD");
	if (!copy || system(copy) != 0)
		fprintf(stderr, "klf_preload: '%s' failed\n", cmd);
	free(copy);
	return n;
}
