// SPDX-License-Identifier: GPL-2.0
/*
 * klf_dump: dump the logs or the targets of the klogfwd family the way a
 * careful client must, and report how the dump was split.
 *
 *   klf_dump [--rcvbuf BYTES] [--bufsize BYTES] [--after-first CMD] log|target
 *
 * Prints the name of every entry, one per line, then a last line
 *   "parts P entries N duplicates D intr I"
 * where P counts the recv() calls that returned entries and I is 1 if a
 * part carried NLM_F_DUMP_INTR. --rcvbuf sets SO_RCVBUF (tiny values make
 * the kernel stop after every part until the reader catches up); --bufsize
 * is the buffer given to recv() (default 32768, the largest part the kernel
 * builds); --after-first runs a shell command after
 * the first part arrived, to change the list in the middle of the dump.
 * Exits 1 on any error, a truncated part or a duplicate name.
 */
#include <getopt.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "klf_nl.h"

struct name {
	char s[KLOGFWD_NAME_LEN + 2];
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name *)a)->s, ((const struct name *)b)->s);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "bufsize", required_argument, NULL, 'b' },
		{ "after-first", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int rcvbuf = 0, bufsize = 32768, fd, family, cmd, name_attr, c;
	int parts = 0, intr = 0, dups = 0, done = 0, ret = 0;
	const char *after = NULL;
	struct name *names = NULL;
	size_t n = 0, cap = 0, i;
	struct nl_reply r;
	char req[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct msghdr msg = { 0 };
	struct iovec iov;
	char *buf;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rcvbuf = atoi(optarg);
			break;
		case 'b':
			bufsize = atoi(optarg);
			break;
		case 'a':
			after = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return 2;
	if (!strcmp(argv[optind], "log")) {
		cmd = KLOGFWD_CMD_LOG_GET;
		name_attr = KLOGFWD_A_LOG_NAME;
	} else if (!strcmp(argv[optind], "target")) {
		cmd = KLOGFWD_CMD_TARGET_GET;
		name_attr = KLOGFWD_A_TARGET_NAME;
	} else {
		return 2;
	}
	buf = malloc(bufsize);
	fd = nl_open();
	if (!buf || fd < 0) {
		perror("klf_dump");
		return 1;
	}
	family = nl_family(fd, &r);
	if (family < 0) {
		fprintf(stderr, "klf_dump: family: %s\n", strerror(-family));
		return 1;
	}
	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf))) {
		perror("klf_dump: SO_RCVBUF");
		return 1;
	}
	nlh = msg_init(req, family, cmd, NLM_F_DUMP, 0);
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0) {
		perror("klf_dump: send");
		return 1;
	}
	iov.iov_base = buf;
	iov.iov_len = bufsize;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	while (!done) {
		int len = recvmsg(fd, &msg, 0);
		int entries = 0;

		if (len < 0) {
			perror("klf_dump: recv");
			return 1;
		}
		if (msg.msg_flags & MSG_TRUNC) {
			fprintf(stderr, "klf_dump: a part did not fit in %d bytes\n", bufsize);
			return 1;
		}
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct nlattr *a;

			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				if (err) {
					fprintf(stderr, "klf_dump: error %s\n", strerror(-err));
					return 1;
				}
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = 1;
			a = get_attr(h, name_attr);
			if (!a) {
				fprintf(stderr, "klf_dump: an entry without a name\n");
				return 1;
			}
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				names = realloc(names, cap * sizeof(*names));
				if (!names)
					return 1;
			}
			snprintf(names[n++].s, sizeof(names->s), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), (char *)NLA_DATA(a));
			entries++;
		}
		if (entries)
			parts++;
		if (entries && parts == 1 && after && system(after)) {
			fprintf(stderr, "klf_dump: '%s' failed\n", after);
			return 1;
		}
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		if (i && !strcmp(names[i].s, names[i - 1].s)) {
			fprintf(stderr, "klf_dump: %s twice\n", names[i].s);
			dups++;
			ret = 1;
		}
		printf("%s\n", names[i].s);
	}
	printf("parts %d entries %zu duplicates %d intr %d\n", parts, n, dups, intr);
	return ret;
}
