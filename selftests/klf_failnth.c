// SPDX-License-Identifier: GPL-2.0
/*
 * klf_failnth: make every allocation of one request fail in turn. For
 * N = 1, 2, ...: the N-th allocation the kernel makes for this thread
 * (/proc/thread-self/fail-nth; failslab and fail_page_alloc count them,
 * with their filters) fails while the request runs. Each attempt must
 * either succeed or fail with an error and leave nothing behind (a get of
 * the name finds nothing); what succeeded is deleted. Ends when an
 * attempt runs without consuming its fault: every allocation has failed
 * once.
 *
 *   klf_failnth log NAME [DIR]                a memory log, or a dir log in DIR
 *   klf_failnth target NAME LOG PORT          a paused target to 127.0.0.1:PORT
 *
 * Prints "nth N: error E (extack)" for each failed attempt and a last line
 * "faults F, created C, refused R" on stdout. Exit status 0, or 1 with the
 * reason on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>

#include "klf_nl.h"

#define MAX_NTH 2000

static int fam, nl_fd, nth_fd;
static char buf[BUF_SIZE];

static int set_nth(unsigned int n)
{
	char s[16];
	int len = snprintf(s, sizeof(s), "%u", n);

	return pwrite(nth_fd, s, len, 0) == len ? 0 : -1;
}

/* the fail-nth left: 0 once the fault was injected */
static unsigned int get_nth(void)
{
	char s[16] = "";

	if (pread(nth_fd, s, sizeof(s) - 1, 0) <= 0)
		return 0;
	return strtoul(s, NULL, 10);
}

static struct nlmsghdr *request(const char *what, int cmd, char **argv)
{
	struct nlmsghdr *nlh = msg_init(buf, fam, cmd, 0, 0);
	bool log = !strcmp(what, "log");
	__u32 v;

	put_attr(nlh, log ? KLOGFWD_A_LOG_NAME : KLOGFWD_A_TARGET_NAME, argv[0],
		 strlen(argv[0]) + 1);
	if (cmd != (log ? KLOGFWD_CMD_LOG_NEW : KLOGFWD_CMD_TARGET_NEW))
		return nlh;
	if (log && argv[1]) {
		v = KLOGFWD_STORAGE_DIR;
		put_attr(nlh, KLOGFWD_A_LOG_STORAGE, &v, sizeof(v));
		put_attr(nlh, KLOGFWD_A_LOG_DIR, argv[1], strlen(argv[1]) + 1);
	} else if (!log) {
		struct in_addr a = { htonl(INADDR_LOOPBACK) };
		__u16 port = atoi(argv[2]);
		__u8 paused = 1;

		put_attr(nlh, KLOGFWD_A_TARGET_LOG, argv[1], strlen(argv[1]) + 1);
		put_attr(nlh, KLOGFWD_A_TARGET_IPV4, &a, sizeof(a));
		put_attr(nlh, KLOGFWD_A_TARGET_PORT, &port, sizeof(port));
		put_attr(nlh, KLOGFWD_A_TARGET_PAUSED, &paused, sizeof(paused));
	}
	return nlh;
}

int main(int argc, char **argv)
{
	unsigned int n, faults = 0, created = 0, refused = 0;
	struct nl_reply r;
	const char *what;
	int new, get, del;
	bool log;

	if (argc < 3 || (strcmp(argv[1], "log") && strcmp(argv[1], "target")) ||
	    (!strcmp(argv[1], "log") && argc > 4) ||
	    (!strcmp(argv[1], "target") && argc != 5)) {
		fprintf(stderr, "usage: klf_failnth log NAME [DIR] | target NAME LOG PORT\n");
		return 2;
	}
	what = argv[1];
	log = !strcmp(what, "log");
	new = log ? KLOGFWD_CMD_LOG_NEW : KLOGFWD_CMD_TARGET_NEW;
	get = log ? KLOGFWD_CMD_LOG_GET : KLOGFWD_CMD_TARGET_GET;
	del = log ? KLOGFWD_CMD_LOG_DEL : KLOGFWD_CMD_TARGET_DEL;
	nl_fd = nl_open();
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nl_fd < 0 || nth_fd < 0) {
		perror("klf_failnth: netlink socket or /proc/thread-self/fail-nth");
		return 1;
	}
	fam = nl_family(nl_fd, &r);
	if (fam < 0) {
		fprintf(stderr, "klf_failnth: no klogfwd family (%d)\n", fam);
		return 1;
	}
	for (n = 1; n <= MAX_NTH; n++) {
		struct nlmsghdr *req = request(what, new, argv + 2);
		int ret;

		if (set_nth(n)) {
			perror("klf_failnth: write fail-nth");
			return 1;
		}
		ret = nl_request(nl_fd, req, &r);
		if (get_nth()) {
			/* no allocation was left to fail: all were tried */
			set_nth(0);
			if (ret || r.error) {
				fprintf(stderr, "klf_failnth: nth %u: no fault, yet error %d %d (%s)\n",
					n, ret, r.error, r.extack);
				return 1;
			}
			created++;
			nl_request(nl_fd, request(what, del, argv + 2), &r);
			printf("faults %u, created %u, refused %u\n", faults, created, refused);
			return r.error ? 1 : 0;
		}
		faults++;
		if (ret) {
			/* the request itself could not be sent or read */
			refused++;
			printf("nth %u: send/recv error %d\n", n, ret);
			continue;
		}
		if (!r.error) {
			created++;
			ret = nl_request(nl_fd, request(what, del, argv + 2), &r);
			if (ret || r.error) {
				fprintf(stderr, "klf_failnth: nth %u: created, delete failed %d %d (%s)\n",
					n, ret, r.error, r.extack);
				return 1;
			}
			continue;
		}
		refused++;
		printf("nth %u: error %d (%s)\n", n, r.error, r.extack);
		/* a refused create leaves nothing behind */
		ret = nl_request(nl_fd, request(what, get, argv + 2), &r);
		if (ret || r.error != -ENOENT) {
			fprintf(stderr, "klf_failnth: nth %u: refused, yet a get finds it (%d %d)\n",
				n, ret, r.error);
			return 1;
		}
	}
	fprintf(stderr, "klf_failnth: still failing after %u faults\n", MAX_NTH);
	return 1;
}
