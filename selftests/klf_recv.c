// SPDX-License-Identifier: GPL-2.0
/*
 * klf_recv: test receiver for klogfwd targets. Listens on one TCP address,
 * takes connections one after another (a new one replaces the current
 * one, as when a sender reconnects before its old connection's close is
 * seen; with --drain MS the current one is read to its end first, or
 * until it has been silent for MS ms, as behind a proxy that forwards
 * each connection on its own and may still hold what the sender was
 * told was received), parses the byte stream by framing (lf, octet,
 * klf) across segment and connection boundaries, and checks the records klf_produce wrote:
 * sequence (gaps, duplicates, order), payload integrity, klf magic, header
 * length, CRC32C and offsets, and latency from the producer's timestamp.
 *
 * With -o OUTFILE the bytes received (with -d: each new record once) are
 * appended to OUTFILE; --fsync makes them durable (fdatasync) before the
 * records are acknowledged (-a), so that what a sender was told is kept
 * survives a crash of the machine.
 *
 * Stats ("key value" lines) go to -s STATSFILE at exit and on SIGUSR1, and
 * to stderr at exit; the file's "writes" line counts its rewrites, so that
 * a test can wait for the one its SIGUSR1 asked for. Exit status: 0 if no record was missing, corrupt,
 * out of order, badly framed or (without -d) duplicated; 1 otherwise; 2 on
 * usage or setup errors.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "klf_crc.h"

#define KLF_MAGIC	0x31464c4bU
#define KLF_HDR_LEN	32
#define MAX_PAYLOAD	(16U << 20)
#define READ_SIZE	65536
#define MAX_TRACK	(1ULL << 28)	/* seqs/offsets tracked past the first */
#define MAX_DIAG	20

enum { FRAME_LF, FRAME_OCTET, FRAME_KLF };

/* set of seen numbers (seqs or klf offsets): a bitmap from the first one */
struct seen {
	int any;
	uint64_t base;		/* first number received */
	uint64_t next;		/* highest received + 1 */
	uint8_t *bits;
	uint64_t nbits;
};

struct stats {
	uint64_t records, bytes, duplicates, gaps, out_of_order, corrupt, bad_crc;
	uint64_t bad_frame, offset_gaps, partial, connections, closed, acks;
};

static struct stats st;
static struct seen seqs, offs;
static uint64_t *lat;
static size_t nlat, lat_cap;
static int framing = -1, dedup, do_ack, do_fsync, diags;
static int out_fd = -1;
static const char *stats_path;
static uint64_t stats_writes;	/* times the stats file was written */

/* the current connection */
static int cfd = -1;
static uint8_t *conn_buf;
static size_t conn_len, conn_cap;
static uint8_t ack_buf[8];
static size_t ack_left;		/* bytes of ack_buf still to send */
static uint64_t ack_pending;	/* 0, or next offset to ack + 1 */

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;

	if (diags++ >= MAX_DIAG) {
		if (diags == MAX_DIAG + 1)
			fprintf(stderr, "klf_recv: (further problems not shown)\n");
		return;
	}
	va_start(ap, fmt);
	fprintf(stderr, "klf_recv: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t lcg(uint64_t x)
{
	return x * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* klf_produce's filler for record seq; returns 0 if p[0..n) matches it */
static int check_fill(const uint8_t *p, size_t n, uint64_t seq)
{
	uint64_t s = lcg(seq ^ 0x9e3779b97f4a7c15ULL);
	size_t i;

	for (i = 0; i < n; i++) {
		s = lcg(s);
		if (p[i] != '!' + (s >> 33) % 94)
			return -1;
	}
	return 0;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

enum { SEEN_NEW, SEEN_DUP, SEEN_LATE, SEEN_FAR };

/*
 * Record number v in set s: SEEN_DUP if already there, SEEN_LATE if new but
 * below the highest (it fills a hole, or precedes the first), SEEN_FAR if
 * too far from the first to track; *skipped gets the numbers jumped over.
 */
static int seen_add(struct seen *s, uint64_t v, uint64_t *skipped)
{
	uint64_t i;

	*skipped = 0;
	if (!s->any) {
		s->any = 1;
		s->base = v;
		s->next = v;
	}
	if (v < s->base)
		return SEEN_LATE;
	i = v - s->base;
	if (i >= MAX_TRACK)
		return SEEN_FAR;
	if (i >= s->nbits) {
		uint64_t n = s->nbits ? s->nbits : 4096;
		uint8_t *b;

		while (n <= i)
			n *= 2;
		b = realloc(s->bits, n / 8);
		if (!b) {
			perror("klf_recv: realloc");
			exit(2);
		}
		memset(b + s->nbits / 8, 0, (n - s->nbits) / 8);
		s->bits = b;
		s->nbits = n;
	}
	if (s->bits[i / 8] & (1 << (i % 8)))
		return SEEN_DUP;
	s->bits[i / 8] |= 1 << (i % 8);
	if (v >= s->next) {
		*skipped = v - s->next;
		s->next = v + 1;
		return SEEN_NEW;
	}
	return SEEN_LATE;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print_stats(FILE *f)
{
	uint64_t p50 = 0, p99 = 0, *sorted;

	if (nlat) {
		sorted = malloc(nlat * sizeof(*sorted));
		if (sorted) {
			memcpy(sorted, lat, nlat * sizeof(*sorted));
			qsort(sorted, nlat, sizeof(*sorted), cmp_u64);
			p50 = sorted[(nlat - 1) * 50 / 100] / 1000;
			p99 = sorted[(nlat - 1) * 99 / 100] / 1000;
			free(sorted);
		}
	}
	fprintf(f, "records %" PRIu64 "\n", st.records);
	fprintf(f, "bytes %" PRIu64 "\n", st.bytes);
	fprintf(f, "duplicates %" PRIu64 "\n", st.duplicates);
	fprintf(f, "gaps %" PRIu64 "\n", st.gaps);
	fprintf(f, "out_of_order %" PRIu64 "\n", st.out_of_order);
	fprintf(f, "corrupt %" PRIu64 "\n", st.corrupt);
	fprintf(f, "bad_crc %" PRIu64 "\n", st.bad_crc);
	fprintf(f, "bad_frame %" PRIu64 "\n", st.bad_frame);
	fprintf(f, "offset_gaps %" PRIu64 "\n", st.offset_gaps);
	fprintf(f, "partial %" PRIu64 "\n", st.partial);
	fprintf(f, "connections %" PRIu64 "\n", st.connections);
	fprintf(f, "closed %" PRIu64 "\n", st.closed);
	fprintf(f, "acks %" PRIu64 "\n", st.acks);
	if (seqs.any) {
		fprintf(f, "first_seq %" PRIu64 "\n", seqs.base);
		fprintf(f, "last_seq %" PRIu64 "\n", seqs.next - 1);
	} else {
		fprintf(f, "first_seq -1\nlast_seq -1\n");
	}
	if (offs.any) {
		fprintf(f, "first_offset %" PRIu64 "\n", offs.base);
		fprintf(f, "last_offset %" PRIu64 "\n", offs.next - 1);
	} else {
		fprintf(f, "first_offset -1\nlast_offset -1\n");
	}
	fprintf(f, "lat_p50_us %" PRIu64 "\n", p50);
	fprintf(f, "lat_p99_us %" PRIu64 "\n", p99);
	if (f != stderr)
		fprintf(f, "writes %" PRIu64 "\n", stats_writes);
}

/* rewrite the stats file atomically (a reader never sees half of it) */
static void write_stats(void)
{
	char tmp[4096];
	FILE *f;

	if (!stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", stats_path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "klf_recv: %s: %s\n", tmp, strerror(errno));
		return;
	}
	stats_writes++;
	print_stats(f);
	if (fclose(f) || rename(tmp, stats_path))
		fprintf(stderr, "klf_recv: %s: %s\n", stats_path, strerror(errno));
}

static int failed(void)
{
	return st.gaps || st.corrupt || st.bad_crc || st.out_of_order || st.bad_frame ||
	       st.offset_gaps || (!dedup && st.duplicates);
}

static void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("klf_recv: write to output file");
			exit(2);
		}
		p += n;
		len -= n;
	}
}

/*
 * Payload from klf_produce: "seq=SEQ ts=NS " then filler. Returns 0 and
 * sets *seq and *ts, or -1 if the payload is not one klf_produce wrote.
 */
static int parse_payload(const uint8_t *p, size_t len, uint64_t *seq, uint64_t *ts,
			 size_t *fill_off)
{
	size_t i = 4, d;

	if (len < 4 || memcmp(p, "seq=", 4))
		return -1;
	*seq = 0;
	for (d = 0; i < len && p[i] >= '0' && p[i] <= '9' && d < 20; i++, d++)
		*seq = *seq * 10 + (p[i] - '0');
	if (!d || len - i < 4 || memcmp(p + i, " ts=", 4))
		return -1;
	i += 4;
	*ts = 0;
	for (d = 0; i < len && p[i] >= '0' && p[i] <= '9' && d < 20; i++, d++)
		*ts = *ts * 10 + (p[i] - '0');
	if (!d || i >= len || p[i] != ' ')
		return -1;
	*fill_off = i + 1;
	return 0;
}

static void add_latency(uint64_t ns)
{
	if (nlat == lat_cap) {
		size_t cap = lat_cap ? lat_cap * 2 : 65536;
		uint64_t *l = realloc(lat, cap * sizeof(*l));

		if (!l)
			return;
		lat = l;
		lat_cap = cap;
	}
	lat[nlat++] = ns;
}

/* one complete framed record: rec[0..len), payload at rec + poff */
static void record(const uint8_t *rec, size_t len, size_t poff, size_t plen, uint64_t rx_ns)
{
	const uint8_t *p = rec + poff;
	uint64_t seq, ts, off = 0, skipped;
	size_t fill_off;
	int r;

	if (framing == FRAME_KLF) {
		uint8_t h[KLF_HDR_LEN];
		uint32_t crc = get_le(rec + 12, 4);

		memcpy(h, rec, KLF_HDR_LEN);
		memset(h + 12, 0, 4);
		if (crc != crc32c(crc32c(~0U, h, KLF_HDR_LEN), p, plen)) {
			st.bad_crc++;
			diag("bad crc in record at offset %" PRIu64, get_le(rec + 16, 8));
			return;
		}
		off = get_le(rec + 16, 8);
		r = seen_add(&offs, off, &skipped);
		if (r == SEEN_DUP) {
			st.duplicates++;
			if (!dedup)
				diag("duplicate offset %" PRIu64, off);
			return;
		}
		if (skipped) {
			st.offset_gaps += skipped;
			diag("offset gap: %" PRIu64 " missing before offset %" PRIu64, skipped, off);
		}
		if (r == SEEN_LATE) {
			st.out_of_order++;
			if (off >= offs.base && st.offset_gaps)
				st.offset_gaps--;
			diag("offset %" PRIu64 " out of order (highest %" PRIu64 ")", off, offs.next - 1);
		}
		if (r == SEEN_FAR) {
			st.corrupt++;
			diag("offset %" PRIu64 " too far from the first", off);
			return;
		}
	}

	if (parse_payload(p, plen, &seq, &ts, &fill_off) || check_fill(p + fill_off, plen - fill_off, seq)) {
		st.corrupt++;
		diag("corrupt payload (%zu bytes) %.*s", plen, (int)(plen < 40 ? plen : 40), p);
		return;
	}
	r = seen_add(&seqs, seq, &skipped);
	if (r == SEEN_DUP) {
		st.duplicates++;
		if (!dedup)
			diag("duplicate seq %" PRIu64, seq);
		return;
	}
	if (r == SEEN_FAR) {
		st.corrupt++;
		diag("seq %" PRIu64 " too far from the first", seq);
		return;
	}
	if (skipped) {
		st.gaps += skipped;
		diag("gap: %" PRIu64 " missing before seq %" PRIu64, skipped, seq);
	}
	if (r == SEEN_LATE) {
		st.out_of_order++;
		if (seq >= seqs.base && st.gaps)
			st.gaps--;
		diag("seq %" PRIu64 " out of order (highest %" PRIu64 ")", seq, seqs.next - 1);
	}
	st.records++;
	if (ts)
		add_latency(rx_ns > ts ? rx_ns - ts : 0);
	if (dedup && out_fd >= 0)
		write_all(out_fd, rec, len);
}

/*
 * The framed record at the start of b: its length, 0 if incomplete, -1 if
 * the bytes cannot be a record (the stream is lost until the next
 * connection).
 */
static ssize_t frame_len(const uint8_t *b, size_t avail, size_t *poff, size_t *plen)
{
	const uint8_t *nl;
	size_t i, len = 0;

	switch (framing) {
	case FRAME_LF:
		nl = memchr(b, '\n', avail < MAX_PAYLOAD + 1 ? avail : MAX_PAYLOAD + 1);
		if (!nl)
			return avail > MAX_PAYLOAD ? -1 : 0;
		if (nl == b)
			return -1;
		*poff = 0;
		*plen = nl - b;
		return *plen + 1;
	case FRAME_OCTET:
		for (i = 0; i < avail && i < 9; i++) {
			if (b[i] == ' ')
				break;
			if (b[i] < '0' || b[i] > '9' || (i == 0 && b[i] == '0'))
				return -1;
			len = len * 10 + b[i] - '0';
		}
		if (i == avail)
			return 0;
		if (i == 0 || i == 9 || len > MAX_PAYLOAD)
			return -1;
		*poff = i + 1;
		*plen = len;
		return avail < *poff + len ? 0 : (ssize_t)(*poff + len);
	default:
		if (avail < KLF_HDR_LEN)
			return 0;
		len = get_le(b + 8, 4);
		if (get_le(b, 4) != KLF_MAGIC || get_le(b + 4, 2) != KLF_HDR_LEN ||
		    get_le(b + 6, 2) != 0 || !len || len > MAX_PAYLOAD)
			return -1;
		*poff = KLF_HDR_LEN;
		*plen = len;
		return avail < KLF_HDR_LEN + len ? 0 : (ssize_t)(KLF_HDR_LEN + len);
	}
}

static void close_conn(const char *why)
{
	if (cfd < 0)
		return;
	if (conn_len) {
		st.partial++;
		diag("%s with %zu bytes of a partial record", why, conn_len);
	}
	close(cfd);
	cfd = -1;
	conn_len = 0;
	ack_left = 0;
	ack_pending = 0;
	st.closed++;
}

static void send_ack(void)
{
	ssize_t n;

	if (!ack_left && ack_pending) {
		uint64_t v = ack_pending - 1;
		int i;

		for (i = 0; i < 8; i++)
			ack_buf[i] = v >> (8 * i);
		ack_left = 8;
		ack_pending = 0;
		st.acks++;
	}
	while (ack_left) {
		n = send(cfd, ack_buf + 8 - ack_left, ack_left, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				diag("ack: %s", strerror(errno));
			return;
		}
		ack_left -= n;
		if (!ack_left && ack_pending)
			send_ack();
	}
}

/* read once from the current connection: 1 data, 0 it ended, -1 nothing */
static int read_conn(void)
{
	size_t poff, plen, pos = 0;
	uint64_t rx;
	ssize_t n, f;

	if (conn_cap - conn_len < READ_SIZE) {
		uint8_t *b = realloc(conn_buf, conn_len + READ_SIZE);

		if (!b) {
			perror("klf_recv: realloc");
			exit(2);
		}
		conn_buf = b;
		conn_cap = conn_len + READ_SIZE;
	}
	n = read(cfd, conn_buf + conn_len, READ_SIZE);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return -1;
	if (n <= 0) {
		close_conn(n ? "connection error" : "connection closed");
		return 0;
	}
	rx = now_ns(CLOCK_REALTIME);
	st.bytes += n;
	if (out_fd >= 0 && !dedup)
		write_all(out_fd, conn_buf + conn_len, n);
	conn_len += n;
	while ((f = frame_len(conn_buf + pos, conn_len - pos, &poff, &plen)) > 0) {
		record(conn_buf + pos, f, poff, plen, rx);
		pos += f;
	}
	memmove(conn_buf, conn_buf + pos, conn_len - pos);
	conn_len -= pos;
	if (f < 0) {
		st.bad_frame++;
		diag("bad framing; dropping the rest of the connection");
		conn_len = 0;
		close_conn("bad framing");
		return 0;
	}
	/* what is acknowledged must be on disk first */
	if (do_fsync && out_fd >= 0 && pos && fdatasync(out_fd)) {
		perror("klf_recv: fdatasync of the output file");
		exit(2);
	}
	/* ack after every read that completed records (reads are <= 64 KiB) */
	if (do_ack && pos && offs.any) {
		ack_pending = offs.next + 1;
		send_ack();
	}
	return 1;
}

static int listen_on(const char *addr, int rcvbuf)
{
	struct addrinfo hints = {
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai;
	char host[256], *port;
	int fd, one = 1, err;

	if (addr[0] == '[') {
		snprintf(host, sizeof(host), "%s", addr + 1);
		port = strstr(host, "]:");
		if (!port)
			return -1;
		*port = 0;
		port += 2;
	} else {
		snprintf(host, sizeof(host), "%s", addr);
		port = strrchr(host, ':');
		if (!port)
			return -1;
		*port++ = 0;
	}
	err = getaddrinfo(host, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "klf_recv: %s: %s\n", addr, gai_strerror(err));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (rcvbuf)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
			fprintf(stderr, "klf_recv: %s: %s\n", addr, strerror(errno));
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: klf_recv -l ADDR:PORT -f lf|octet|klf [-o OUTFILE] [-s STATSFILE] [-a]\n"
		"                [-n RECORDS] [-t SECONDS] [-c CONNS] [-d] [-r DELAY_MS] [--stall]\n"
		"                [--rcvbuf BYTES] [--fsync] [--linger MS] [--drain MS]\n"
		"ADDR is IPv4 (127.0.0.1:9000) or IPv6 in brackets ([::1]:9000).\n");
	exit(rc);
}

static long num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "klf_recv: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	enum { OPT_STALL = 256, OPT_RCVBUF, OPT_FSYNC, OPT_LINGER, OPT_DRAIN };
	static const struct option opts[] = {
		{ "stall", no_argument, NULL, OPT_STALL },
		{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
		{ "fsync", no_argument, NULL, OPT_FSYNC },
		{ "linger", required_argument, NULL, OPT_LINGER },
		{ "drain", required_argument, NULL, OPT_DRAIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *addr = NULL, *out = NULL;
	long nrec = 0, secs = 0, conns = 0, delay = 0, rcvbuf = 0, linger = 0, drain = 0;
	/*
	 * --drain: connections accepted while one is read, oldest first,
	 * and when the one read must give way (silent for drain ms)
	 */
	int pend[16], npend = 0;
	uint64_t drain_at = 0;
	int lingering = 0;
	int stall = 0, lfd, c, *stalled = NULL, nstalled = 0;
	uint64_t deadline = 0;
	int sfd, stop = 0;
	sigset_t sigs;

	while ((c = getopt_long(argc, argv, "l:f:o:s:an:t:c:dr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			addr = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "lf"))
				framing = FRAME_LF;
			else if (!strcmp(optarg, "octet"))
				framing = FRAME_OCTET;
			else if (!strcmp(optarg, "klf"))
				framing = FRAME_KLF;
			else
				usage(2);
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			stats_path = optarg;
			break;
		case 'a':
			do_ack = 1;
			break;
		case 'n':
			nrec = num(optarg, "-n");
			break;
		case 't':
			secs = num(optarg, "-t");
			break;
		case 'c':
			conns = num(optarg, "-c");
			break;
		case 'd':
			dedup = 1;
			break;
		case 'r':
			delay = num(optarg, "-r");
			break;
		case OPT_STALL:
			stall = 1;
			break;
		case OPT_RCVBUF:
			rcvbuf = num(optarg, "--rcvbuf");
			break;
		case OPT_FSYNC:
			do_fsync = 1;
			break;
		case OPT_DRAIN:
			drain = num(optarg, "--drain");
			break;
		case OPT_LINGER:
			linger = num(optarg, "--linger");
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || !addr || framing < 0)
		usage(2);
	if (do_ack && framing != FRAME_KLF) {
		fprintf(stderr, "klf_recv: -a needs -f klf\n");
		return 2;
	}
	if (out) {
		out_fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (out_fd < 0) {
			fprintf(stderr, "klf_recv: %s: %s\n", out, strerror(errno));
			return 2;
		}
	}
	/* signals arrive through a signalfd polled with the sockets */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("klf_recv: signalfd");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	lfd = listen_on(addr, rcvbuf);
	if (lfd < 0) {
		if (!strchr(addr, ':'))
			usage(2);
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	if (secs)
		deadline = now_ns(CLOCK_MONOTONIC) + secs * 1000000000ULL;

	while (!stop) {
		struct pollfd pfd[3] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int npfd = 2, timeout = -1;

		if ((nrec && st.records >= (uint64_t)nrec) || (conns && st.closed >= (uint64_t)conns)) {
			/*
			 * --linger: keep the connection open and read on a
			 * while, as a receiver that stays up does (a sender may
			 * count delivery only some time after the last record)
			 */
			if (!linger)
				break;
			if (!lingering) {
				lingering = 1;
				deadline = now_ns(CLOCK_MONOTONIC) + linger * 1000000ULL;
			}
		}
		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= deadline)
				break;
			timeout = (deadline - now) / 1000000 + 1;
		}
		if (npend) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			/* the connection read was silent for --drain ms: the next one */
			if (cfd >= 0 && now >= drain_at)
				close_conn("connection replaced");
			if (cfd < 0) {
				cfd = pend[0];
				memmove(pend, pend + 1, --npend * sizeof(*pend));
				drain_at = now + drain * 1000000ULL;
			}
			/* more waiting: wake up when this one's time is up */
			if (npend && (timeout < 0 ||
				      (drain_at - now) / 1000000 + 1 < (uint64_t)timeout))
				timeout = (drain_at - now) / 1000000 + 1;
		}
		if (cfd >= 0) {
			pfd[2].fd = cfd;
			pfd[2].events = POLLIN | (ack_left ? POLLOUT : 0);
			npfd = 3;
		}
		if (poll(pfd, npfd, timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("klf_recv: poll");
			return 2;
		}
		if ((pfd[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGUSR1)
				write_stats();
			else
				stop = 1;
			continue;
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd < 0)
				continue;
			st.connections++;
			if (stall) {
				int *s = realloc(stalled, (nstalled + 1) * sizeof(*s));

				if (s) {
					stalled = s;
					stalled[nstalled++] = fd;
				}
				continue;
			}
			if (drain && cfd >= 0 && npend < (int)(sizeof(pend) / sizeof(*pend))) {
				/*
				 * read the old connection to its end first (a proxy
				 * in front may still be forwarding what it holds)
				 */
				if (!npend)
					drain_at = now_ns(CLOCK_MONOTONIC) + drain * 1000000ULL;
				pend[npend++] = fd;
				continue;
			}
			if (cfd >= 0) {
				/* take what the old connection still holds, then switch */
				int i;

				fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK);
				for (i = 0; i < 1024 && cfd >= 0 && read_conn() > 0; i++)
					;
				close_conn("connection replaced");
			}
			cfd = fd;
			continue;
		}
		if (npfd == 3 && (pfd[2].revents & POLLOUT))
			send_ack();
		if (npfd == 3 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (delay) {
				struct timespec t = { delay / 1000, delay % 1000 * 1000000 };

				nanosleep(&t, NULL);
			}
			if (read_conn() > 0 && npend)
				drain_at = now_ns(CLOCK_MONOTONIC) + drain * 1000000ULL;
		}
	}
	for (; npend; npend--)
		close(pend[npend - 1]);
	write_stats();
	print_stats(stderr);
	return failed();
}
