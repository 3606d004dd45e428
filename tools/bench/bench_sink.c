// SPDX-License-Identifier: GPL-2.0
/*
 * bench_sink: a TCP receiver for benchmarks. Accepts any number of
 * connections on one address and discards what they send with
 * recv(MSG_TRUNC) (nothing is copied to userspace).
 *
 *   bench_sink -l ADDR:PORT [-c CONNS] [-b BYTES] [-w] [-t SECONDS] [-s STATSFILE]
 *
 * Done when CONNS connections (default 1) have each received BYTES bytes
 * (with -b), or have each been closed by the sender (without -b), or
 * after SECONDS. With -w, nothing is read until all CONNS connections are
 * accepted (senders set up one after another then start together; each
 * can only fill its socket buffers before that).
 *
 * The measurement window opens at the first accept (-w: the last) and
 * closes when the last connection is done. Busy CPU time of the whole
 * machine in the window is taken from /proc/stat (user, nice, system, irq,
 * softirq of all CPUs), so that it counts the senders, TCP on both ends
 * and this receiver, but nothing that set the senders up.
 *
 * Prints "listening" on stdout once listening. At the end it writes
 * "key value" lines to STATSFILE (default stdout): conns, conns_done,
 * bytes (total), elapsed_s, mb_per_s (10^6 bytes per second), cpu_s, then
 * one "conn I bytes B done_s T" line per connection. Exit status 0 if
 * every connection was done, 1 otherwise.
 */
#include "bench.h"
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/epoll.h>

#define RECV_LEN (1 << 20)

static const char *prog = "bench_sink";

struct conn {
	int fd;
	uint64_t bytes;
	uint64_t done_ns;	/* 0 until done */
};

static char discard[RECV_LEN];

/* busy clock ticks of all CPUs, from the first line of /proc/stat */
static unsigned long long busy_ticks(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		v[0] = v[1] = v[2] = v[5] = v[6] = 0;
	fclose(f);
	return v[0] + v[1] + v[2] + v[5] + v[6];
}

static void watch(int efd, struct conn *cn, long i)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = i };

	epoll_ctl(efd, EPOLL_CTL_ADD, cn->fd, &ev);
}

int main(int argc, char **argv)
{
	const char *addr = NULL, *stats = NULL;
	long nconns = 1, secs = 0, tck = sysconf(_SC_CLK_TCK);
	unsigned long long c0 = 0, c1;
	int wait_all = 0;
	uint64_t want = 0, t0 = 0, tend = 0, deadline = 0, total = 0;
	struct conn *conns;
	long accepted = 0, ndone = 0, i;
	struct epoll_event ev, evs[64];
	struct addrinfo *ai;
	int c, lfd, efd, one = 1;
	FILE *out = stdout;

	while ((c = getopt(argc, argv, "l:c:b:wt:s:h")) != -1) {
		switch (c) {
		case 'l':
			addr = optarg;
			break;
		case 'c':
			nconns = strtol(optarg, NULL, 10);
			break;
		case 'b':
			want = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			wait_all = 1;
			break;
		case 't':
			secs = strtol(optarg, NULL, 10);
			break;
		case 's':
			stats = optarg;
			break;
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: %s -l ADDR:PORT [-c CONNS] [-b BYTES] [-w] [-t SECONDS] [-s STATSFILE]\n",
				prog);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!addr || nconns < 1 || optind != argc) {
		fprintf(stderr, "usage: %s -l ADDR:PORT [-c CONNS] [-b BYTES] [-w] [-t SECONDS] [-s STATSFILE]\n",
			prog);
		return 2;
	}
	conns = calloc(nconns, sizeof(*conns));
	if (!conns)
		die(prog, "calloc");
	signal(SIGPIPE, SIG_IGN);

	ai = parse_addr(prog, addr, 1);
	lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		die(prog, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0)
		die(prog, addr);
	if (listen(lfd, 1024) < 0)
		die(prog, "listen");
	freeaddrinfo(ai);
	efd = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0)
		die(prog, "epoll_create1");
	ev.events = EPOLLIN;
	ev.data.u64 = UINT64_MAX;
	epoll_ctl(efd, EPOLL_CTL_ADD, lfd, &ev);
	printf("listening\n");
	fflush(stdout);
	if (secs)
		deadline = now_ns() + secs * 1000000000ULL;

	while (ndone < nconns) {
		int timeout = -1, n, k;

		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline)
				break;
			timeout = (deadline - now) / 1000000 + 1;
		}
		n = epoll_wait(efd, evs, 64, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "epoll_wait");
		}
		for (k = 0; k < n; k++) {
			struct conn *cn;

			if (evs[k].data.u64 == UINT64_MAX) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL,
						     SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
					if (accepted == nconns) {
						close(fd);	/* more than asked for */
						continue;
					}
					conns[accepted++].fd = fd;
					if (!wait_all) {
						if (!t0) {
							t0 = now_ns();
							c0 = busy_ticks();
						}
						watch(efd, &conns[accepted - 1], accepted - 1);
					} else if (accepted == nconns) {
						t0 = now_ns();
						c0 = busy_ticks();
						for (i = 0; i < nconns; i++)
							watch(efd, &conns[i], i);
					}
				}
				continue;
			}
			cn = &conns[evs[k].data.u64];
			for (;;) {
				ssize_t r = recv(cn->fd, discard, RECV_LEN, MSG_TRUNC | MSG_DONTWAIT);

				if (r > 0) {
					cn->bytes += r;
					total += r;
					if (want && !cn->done_ns && cn->bytes >= want) {
						cn->done_ns = now_ns();
						ndone++;
					}
					continue;
				}
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0 && errno == EAGAIN)
					break;
				/* closed or failed */
				if (!cn->done_ns) {
					cn->done_ns = now_ns();
					if (!want)
						ndone++;
				}
				epoll_ctl(efd, EPOLL_CTL_DEL, cn->fd, NULL);
				close(cn->fd);
				cn->fd = -1;
				break;
			}
		}
	}
	c1 = busy_ticks();
	for (i = 0; i < accepted; i++)
		if (conns[i].done_ns > tend)
			tend = conns[i].done_ns;
	if (!tend)
		tend = now_ns();
	if (stats) {
		out = fopen(stats, "w");
		if (!out)
			die(prog, stats);
	}
	if (want) {
		/* closed before BYTES: not done */
		ndone = 0;
		for (i = 0; i < accepted; i++)
			ndone += conns[i].bytes >= want;
	}
	fprintf(out, "conns %ld\nconns_done %ld\nbytes %" PRIu64 "\n", accepted, ndone, total);
	fprintf(out, "elapsed_s %.6f\n", t0 ? (tend - t0) / 1e9 : 0.0);
	fprintf(out, "mb_per_s %.2f\n", t0 && tend > t0 ? total * 1e3 / (tend - t0) : 0.0);
	fprintf(out, "cpu_s %.2f\n", t0 ? (double)(c1 - c0) / tck : 0.0);
	for (i = 0; i < accepted; i++)
		fprintf(out, "conn %ld bytes %" PRIu64 " done_s %.6f\n", i, conns[i].bytes,
			conns[i].done_ns ? (conns[i].done_ns - t0) / 1e9 : -1.0);
	if (out != stdout)
		fclose(out);
	return ndone == nconns ? 0 : 1;
}
