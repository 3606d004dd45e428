// SPDX-License-Identifier: GPL-2.0
/*
 * klf_limits: fill the module up to its limit on logs or targets from one
 * process (spawning the CLI thousands of times is too slow under TCG).
 *
 *   klf_limits logs PREFIX      create logs PREFIX-N until one is refused
 *   klf_limits targets LOG      create paused targets LOG-N on LOG until one
 *                               is refused
 *
 * Prints "created N", then "refused ERRNO EXTACK" for the first refusal,
 * then deletes everything it created ("deleted N"). Exit 0 if a refusal
 * came and every delete succeeded, 1 otherwise, 2 on setup errors.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "klf_nl.h"

#define MAX_OBJECTS 10000

static int fd, family;

static int request(int cmd, int name_attr, const char *name, const char *log, struct nl_reply *r)
{
	static char buf[BUF_SIZE];
	struct nlmsghdr *nlh = msg_init(buf, family, cmd, 0, 0);
	__u32 addr = htonl(0x7f000001);
	__u16 port = 9;
	__u8 paused = 1;

	put_attr(nlh, name_attr, name, strlen(name) + 1);
	if (log) {
		put_attr(nlh, KLOGFWD_A_TARGET_LOG, log, strlen(log) + 1);
		put_attr(nlh, KLOGFWD_A_TARGET_IPV4, &addr, sizeof(addr));
		put_attr(nlh, KLOGFWD_A_TARGET_PORT, &port, sizeof(port));
		put_attr(nlh, KLOGFWD_A_TARGET_PAUSED, &paused, sizeof(paused));
	}
	if (nl_request(fd, nlh, r))
		return -EIO;
	return r->error;
}

int main(int argc, char **argv)
{
	static struct nl_reply r;
	int targets, n, i, err, deleted = 0, refused = 0;
	char name[64];

	if (argc != 3 || (strcmp(argv[1], "logs") && strcmp(argv[1], "targets"))) {
		fprintf(stderr, "usage: klf_limits logs PREFIX | targets LOG\n");
		return 2;
	}
	targets = !strcmp(argv[1], "targets");
	fd = nl_open();
	if (fd < 0)
		return 2;
	family = nl_family(fd, &r);
	if (family < 0) {
		fprintf(stderr, "klf_limits: no klogfwd family\n");
		return 2;
	}
	for (n = 0; n < MAX_OBJECTS; n++) {
		snprintf(name, sizeof(name), "%s-%d", argv[2], n);
		if (targets)
			err = request(KLOGFWD_CMD_TARGET_NEW, KLOGFWD_A_TARGET_NAME, name, argv[2], &r);
		else
			err = request(KLOGFWD_CMD_LOG_NEW, KLOGFWD_A_LOG_NAME, name, NULL, &r);
		if (err) {
			printf("created %d\nrefused %d %s\n", n, -err, r.extack);
			refused = 1;
			break;
		}
	}
	if (!refused)
		printf("created %d\nnever refused\n", n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s-%d", argv[2], i);
		if (targets)
			err = request(KLOGFWD_CMD_TARGET_DEL, KLOGFWD_A_TARGET_NAME, name, NULL, &r);
		else
			err = request(KLOGFWD_CMD_LOG_DEL, KLOGFWD_A_LOG_NAME, name, NULL, &r);
		if (!err)
			deleted++;
		else
			printf("delete %s: %s\n", name, strerror(-err));
	}
	printf("deleted %d\n", deleted);
	return refused && deleted == n ? 0 : 1;
}
