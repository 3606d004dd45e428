// SPDX-License-Identifier: GPL-2.0
/*
 * fwd_tail: live tail of a dir log, the userspace equivalent of a klogfwd
 * target's live path. Watches the directory with inotify (IN_MODIFY on the
 * segment files in it, IN_CREATE for a new segment) and sends the bytes
 * appended since the last send with sendfile(). Starts at the first byte
 * of the oldest segment (or of the first one created). When a newer
 * segment exists, the current one is complete (klogfwd rolls before
 * writing the next record), so the tail sends what is left of it and moves
 * on.
 *
 *   fwd_tail -d DIR -c ADDR:PORT [-b BYTES] [-t SECONDS]
 *
 * Stops after BYTES bytes were sent, after SECONDS, or on SIGTERM/SIGINT;
 * then prints "bytes N", "elapsed_s S" (from the first byte sent) and
 * "wakeups N" (inotify reads) on stdout. Prints "watching" once the
 * watch is in place.
 */
#include "bench.h"
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

static const char *prog = "fwd_tail";
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* the name of the oldest segment after CUR ("" for the oldest), or 0 */
static int next_segment(const char *dir, const char *cur, char *out)
{
	struct dirent **names;
	int i, n = list_segments(prog, dir, &names), found = 0;

	for (i = 0; i < n; i++) {
		if (!found && strcmp(names[i]->d_name, cur) > 0) {
			strcpy(out, names[i]->d_name);
			found = 1;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *addr = NULL;
	uint64_t limit = 0, total = 0, t0 = 0, wakeups = 0, deadline = 0;
	char cur[32] = "", next[32];
	long secs = 0;
	int c, ifd, sock, fd = -1, rescan = 1;
	off_t pos = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	union {
		struct inotify_event ev;
		char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
	} ib;

	while ((c = getopt(argc, argv, "d:c:b:t:h")) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			addr = optarg;
			break;
		case 'b':
			limit = strtoull(optarg, NULL, 10);
			break;
		case 't':
			secs = strtol(optarg, NULL, 10);
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: %s -d DIR -c ADDR:PORT [-b BYTES] [-t SECONDS]\n", prog);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!dir || !addr || optind != argc) {
		fprintf(stderr, "usage: %s -d DIR -c ADDR:PORT [-b BYTES] [-t SECONDS]\n", prog);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd < 0)
		die(prog, "inotify_init1");
	if (inotify_add_watch(ifd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
		die(prog, dir);
	sock = connect_to(prog, addr);
	printf("watching\n");
	fflush(stdout);
	if (secs)
		deadline = now_ns() + secs * 1000000000ULL;

	while (!stop && !(limit && total >= limit)) {
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		struct stat sb;
		int timeout = -1, more = 0;
		ssize_t r;

		/* a newer segment means the current one is complete */
		if (rescan) {
			rescan = 0;
			more = next_segment(dir, cur, next);
		}
		if (fd >= 0) {
			if (fstat(fd, &sb) < 0)
				die(prog, "fstat");
			while (pos < sb.st_size) {
				ssize_t w = sendfile(sock, fd, &pos, sb.st_size - pos);

				if (w < 0) {
					if (errno == EINTR)
						continue;
					die(prog, "sendfile");
				}
				if (!t0)
					t0 = now_ns();
				total += w;
			}
		}
		if (more) {
			if (fd >= 0)
				close(fd);
			fd = open_segment(prog, dir, next);
			strcpy(cur, next);
			pos = 0;
			rescan = 1;	/* it may be complete already */
			continue;
		}
		if (limit && total >= limit)
			break;
		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline)
				break;
			timeout = (deadline - now) / 1000000 + 1;
		}
		if (poll(&pfd, 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "poll");
		}
		while ((r = read(ifd, &ib, sizeof(ib))) > 0) {
			char *p = ib.buf;

			wakeups++;
			while (p < ib.buf + r) {
				struct inotify_event *ev = (struct inotify_event *)p;

				if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len &&
				    is_segment(ev->name))
					rescan = 1;
				if (ev->mask & IN_Q_OVERFLOW)
					rescan = 1;
				p += sizeof(*ev) + ev->len;
			}
		}
	}
	close(sock);
	printf("bytes %" PRIu64 "\nelapsed_s %.6f\nwakeups %" PRIu64 "\n", total,
	       t0 ? (now_ns() - t0) / 1e9 : 0.0, wakeups);
	return 0;
}
