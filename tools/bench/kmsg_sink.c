// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg_sink: the receiver of the kernel-log benchmark (tools/bench/run,
 * section (f)). Accepts any number of connections on one address, splits
 * what they send into lines, and looks in each line for "TAG I NS": line
 * I (1 to N) of klf_printk's flood, printed at NS (CLOCK_REALTIME,
 * klf_printk stamp=1). Whatever the forwarder puts around it (a /dev/kmsg
 * prefix, a syslog header) is ignored.
 *
 *   kmsg_sink -l ADDR:PORT -t TAG -n N [-w WARM] [-i IDLE] [-T SECONDS] [-s STATSFILE]
 *
 * Prints "listening" on stdout once listening, and "warm" once a line
 * holds WARM (the forwarder is set up and forwarding). Done when lines 1
 * to N have all arrived, when IDLE seconds (5) pass without a new one
 * after the first, or after SECONDS (300). The latency of a line is its
 * arrival (the read() that brought its end) minus NS.
 *
 * Writes "key value" lines to STATSFILE (default stdout): lines (TAG
 * lines received), unique, duplicates, lost (N - unique), out_of_order,
 * span_s (first printk to last arrival), lat_p50_us, lat_p99_us,
 * lat_max_us. Exit status 0 if nothing was lost or duplicated, 1
 * otherwise, 2 on usage or setup errors.
 */
#include "bench.h"
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>

#define MAX_CONNS	16
#define LINE_MAX_LEN	8192

static const char *prog = "kmsg_sink";

struct conn {
	int fd;
	size_t len;
	char buf[LINE_MAX_LEN];
};

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static const char *tag, *warm;
static size_t taglen;
static unsigned long n;
static unsigned char *seen;
static uint64_t *lat, first_ns, last_ns, lines, unique, dups, ooo, highest;
static int warmed;

static void line(const char *s, size_t len, uint64_t rx)
{
	char tmp[LINE_MAX_LEN + 1], *p, *end;
	unsigned long i;
	uint64_t ns;

	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (!warmed && warm && strstr(tmp, warm)) {
		warmed = 1;
		printf("warm\n");
		fflush(stdout);
	}
	for (p = strstr(tmp, tag); p; p = strstr(p + 1, tag)) {
		if (p[taglen] == ' ' && (p == tmp || p[-1] == ' ' || p[-1] == ';' || p[-1] == ']'))
			break;
	}
	if (!p)
		return;
	p += taglen + 1;
	i = strtoul(p, &end, 10);
	if (end == p || *end != ' ' || i < 1 || i > n)
		return;
	p = end + 1;
	ns = strtoull(p, &end, 10);
	if (end == p)
		return;
	lines++;
	if (seen[i - 1]) {
		dups++;
		return;
	}
	seen[i - 1] = 1;
	if (i < highest)
		ooo++;
	else
		highest = i;
	lat[unique++] = rx > ns ? rx - ns : 0;
	if (!first_ns || ns < first_ns)
		first_ns = ns;
	last_ns = rx;
}

/* the complete lines of @c, then the rest kept; 0 at EOF or error */
static int feed(struct conn *c, uint64_t *last_new)
{
	uint64_t before = unique, rx;
	ssize_t r;
	char *nl, *s;

	r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (r <= 0)
		return 0;
	rx = wall_ns();
	c->len += r;
	s = c->buf;
	while ((nl = memchr(s, '\n', c->buf + c->len - s))) {
		line(s, nl - s, rx);
		s = nl + 1;
	}
	c->len -= s - c->buf;
	memmove(c->buf, s, c->len);
	if (c->len == sizeof(c->buf)) {	/* a line too long: skip it */
		line(c->buf, c->len, rx);
		c->len = 0;
	}
	if (unique != before)
		*last_new = now_ns();
	return 1;
}

int main(int argc, char **argv)
{
	const char *listen_addr = NULL, *stats = NULL;
	struct pollfd pfd[MAX_CONNS + 1];
	struct conn *conns[MAX_CONNS + 1] = { NULL };
	uint64_t start, last_new = 0, p50 = 0, p99 = 0, pmax = 0;
	int idle = 5, total = 300, one = 1, lfd, nc = 0, c, k;
	struct addrinfo *ai;
	FILE *f;

	while ((c = getopt(argc, argv, "l:t:n:w:i:T:s:")) != -1) {
		switch (c) {
		case 'l':
			listen_addr = optarg;
			break;
		case 't':
			tag = optarg;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			warm = optarg;
			break;
		case 'i':
			idle = atoi(optarg);
			break;
		case 'T':
			total = atoi(optarg);
			break;
		case 's':
			stats = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (!listen_addr || !tag || !*tag || !n || optind != argc)
		goto usage;
	taglen = strlen(tag);
	seen = calloc(n, 1);
	lat = calloc(n, sizeof(*lat));
	if (!seen || !lat)
		die(prog, "calloc");
	ai = parse_addr(prog, listen_addr, 1);
	lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die(prog, "socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(lfd, 16) < 0)
		die(prog, "bind/listen");
	printf("listening\n");
	fflush(stdout);
	start = now_ns();
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	while (unique < n) {
		uint64_t t = now_ns();

		if (t - start > (uint64_t)total * 1000000000ULL)
			break;
		if (last_new && t - last_new > (uint64_t)idle * 1000000000ULL)
			break;
		for (k = 0; k < nc; k++) {
			pfd[k + 1].fd = conns[k]->fd;
			pfd[k + 1].events = POLLIN;
		}
		if (poll(pfd, nc + 1, 200) < 0) {
			if (errno == EINTR)
				continue;
			die(prog, "poll");
		}
		if ((pfd[0].revents & POLLIN) && nc < MAX_CONNS) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd >= 0) {
				conns[nc] = calloc(1, sizeof(struct conn));
				if (!conns[nc])
					die(prog, "calloc");
				conns[nc++]->fd = fd;
				continue;
			}
		}
		for (k = 0; k < nc; k++) {
			if (!(pfd[k + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!feed(conns[k], &last_new)) {
				close(conns[k]->fd);
				free(conns[k]);
				conns[k] = conns[--nc];
				pfd[k + 1] = pfd[nc + 1];
				k--;
			}
		}
	}
	if (unique) {
		qsort(lat, unique, sizeof(*lat), cmp_u64);
		p50 = lat[(unique - 1) * 50 / 100] / 1000;
		p99 = lat[(unique - 1) * 99 / 100] / 1000;
		pmax = lat[unique - 1] / 1000;
	}
	f = stats ? fopen(stats, "w") : stdout;
	if (!f)
		die(prog, stats);
	fprintf(f, "lines %" PRIu64 "\nunique %" PRIu64 "\nduplicates %" PRIu64 "\n",
		lines, unique, dups);
	fprintf(f, "lost %" PRIu64 "\nout_of_order %" PRIu64 "\n", (uint64_t)n - unique, ooo);
	fprintf(f, "span_s %.3f\n", unique ? (double)(last_ns - first_ns) / 1e9 : 0.0);
	fprintf(f, "lat_p50_us %" PRIu64 "\nlat_p99_us %" PRIu64 "\nlat_max_us %" PRIu64 "\n",
		p50, p99, pmax);
	if (f != stdout)
		fclose(f);
	return unique == n && !dups ? 0 : 1;
usage:
	fprintf(stderr, "usage: %s -l ADDR:PORT -t TAG -n N [-w WARM] [-i IDLE] [-T SECONDS]"
		" [-s STATSFILE]\n", prog);
	return 2;
}
