// SPDX-License-Identifier: GPL-2.0
/*
 * klf_produce: test producer for klogfwd logs. Writes records, one write()
 * each, to a file: /dev/klogfwd/<log> in the VM, any file (or "-" for
 * stdout) elsewhere.
 *
 * Payload of record SEQ: "seq=SEQ ts=NS " then filler up to a size drawn
 * from [--min, --max] (seeded, so sizes are reproducible; a size shorter
 * than the prefix gives just the prefix). NS is CLOCK_REALTIME at produce
 * time (--ts fixes it; 0 means "no timestamp" to klf_recv). The filler is
 * printable ASCII without space or newline derived from SEQ alone (see
 * filler_byte(); klf_recv carries the same generator and checks it).
 *
 * --frame lf|octet|klf writes the records framed exactly as the kernel
 * stores and sends them (klf: 32-byte header with CRC32C, offsets from
 * --offset-start, header timestamp = NS), so a test can build a receiver's
 * expected byte stream, or a broken one, without the module.
 * --ack prints "ACK SEQ" on standard error after each write() of record
 * SEQ returned, for tests that must know which records were acknowledged
 * when the machine stopped.
 * --go FILE prints "READY" on standard error once the output is open, then
 * waits until FILE exists before the first write(), so that a test can
 * start several producers at the same moment.
 * --keep-going goes on after a failed write() of record SEQ, printing
 * "FAIL SEQ ERRNO" on standard error, and exits 3 if any failed (for tests
 * of failures that only some appends get).
 * --lat prints the write() latency, "write_ns p50 N p99 N max N", and the
 * appends per second, after the last record (for benchmarks).
 * --expect-file FILE writes the payloads one per line to FILE (truncated)
 * instead: the lf stream a receiver must get.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "klf_crc.h"

#define KLF_MAGIC	0x31464c4bU
#define KLF_HDR_LEN	32
#define MAX_PAYLOAD	(16U << 20)

enum { FRAME_NONE, FRAME_LF, FRAME_OCTET, FRAME_KLF };

static uint64_t lcg(uint64_t x)
{
	return x * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* filler byte i (0 = first byte after the prefix) of record seq */
static void fill(char *p, size_t n, uint64_t seq)
{
	uint64_t s = lcg(seq ^ 0x9e3779b97f4a7c15ULL);
	size_t i;

	for (i = 0; i < n; i++) {
		s = lcg(s);
		p[i] = '!' + (s >> 33) % 94;	/* '!'..'~' */
	}
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = v >> (8 * i);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: klf_produce -o PATH [-n RECORDS] [--seq-start N] [--min SIZE] [--max SIZE]\n"
		"                   [--rate RECORDS_PER_SEC] [--seed S] [--nonblock] [--ts NS] [--ack] [--lat]\n"
		"                   [--keep-going] [--go FILE]\n"
		"                   [--frame lf|octet|klf [--offset-start N]]\n"
		"       klf_produce --expect-file FILE [-n RECORDS] [--seq-start N] [--min SIZE]\n"
		"                   [--max SIZE] [--seed S] [--ts NS]\n"
		"PATH \"-\" is stdout; PATH is opened O_APPEND (O_CREAT unless a device).\n");
	exit(rc);
}

static uint64_t num(const char *s, const char *what)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "klf_produce: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* write all of buf; a device must take a record in one write() */
static int write_record(int fd, const void *buf, size_t len, int is_dev, uint64_t *eagain)
{
	const char *p = buf;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			(*eagain)++;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		if (is_dev && (size_t)n != len) {
			errno = EIO;
			fprintf(stderr, "klf_produce: short write %zd of %zu to a device\n", n, len);
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	enum { OPT_SEQ = 256, OPT_MIN, OPT_MAX, OPT_RATE, OPT_SEED, OPT_NONBLOCK, OPT_EXPECT, OPT_FRAME,
	       OPT_OFFSET, OPT_TS, OPT_ACK, OPT_LAT, OPT_KEEP, OPT_GO };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "records", required_argument, NULL, 'n' },
		{ "seq-start", required_argument, NULL, OPT_SEQ },
		{ "min", required_argument, NULL, OPT_MIN },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "nonblock", no_argument, NULL, OPT_NONBLOCK },
		{ "expect-file", required_argument, NULL, OPT_EXPECT },
		{ "frame", required_argument, NULL, OPT_FRAME },
		{ "offset-start", required_argument, NULL, OPT_OFFSET },
		{ "ts", required_argument, NULL, OPT_TS },
		{ "ack", no_argument, NULL, OPT_ACK },
		{ "lat", no_argument, NULL, OPT_LAT },
		{ "keep-going", no_argument, NULL, OPT_KEEP },
		{ "go", required_argument, NULL, OPT_GO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL, *expect = NULL, *go = NULL;
	uint64_t n = 1000, seq = 0, min = 16, max = 512, rate = 0, seed = 1, off = 0;
	uint64_t fixed_ts = 0, i, bytes = 0, eagain = 0, rng, start = 0;
	int nonblock = 0, framing = FRAME_NONE, have_ts = 0, fd, c, is_dev = 0, ack = 0, lat = 0;
	int keep = 0, failed = 0;
	uint64_t *lat_ns = NULL, t_write, t_first = 0;
	size_t hlen, plen, size;
	uint8_t *buf;
	struct stat st;

	while ((c = getopt_long(argc, argv, "o:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'n':
			n = num(optarg, "record count");
			break;
		case OPT_SEQ:
			seq = num(optarg, "--seq-start");
			break;
		case OPT_MIN:
			min = num(optarg, "--min");
			break;
		case OPT_MAX:
			max = num(optarg, "--max");
			break;
		case OPT_RATE:
			rate = num(optarg, "--rate");
			break;
		case OPT_SEED:
			seed = num(optarg, "--seed");
			break;
		case OPT_NONBLOCK:
			nonblock = 1;
			break;
		case OPT_EXPECT:
			expect = optarg;
			break;
		case OPT_OFFSET:
			off = num(optarg, "--offset-start");
			break;
		case OPT_ACK:
			ack = 1;
			break;
		case OPT_LAT:
			lat = 1;
			break;
		case OPT_KEEP:
			keep = 1;
			break;
		case OPT_GO:
			go = optarg;
			break;
		case OPT_TS:
			fixed_ts = num(optarg, "--ts");
			have_ts = 1;
			break;
		case OPT_FRAME:
			if (!strcmp(optarg, "lf"))
				framing = FRAME_LF;
			else if (!strcmp(optarg, "octet"))
				framing = FRAME_OCTET;
			else if (!strcmp(optarg, "klf"))
				framing = FRAME_KLF;
			else
				usage(2);
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || (!path && !expect) || (path && expect) ||
	    (expect && framing != FRAME_NONE))
		usage(2);
	if (min < 1 || max < min || max > MAX_PAYLOAD) {
		fprintf(stderr, "klf_produce: need 1 <= --min <= --max <= %u\n", MAX_PAYLOAD);
		return 2;
	}
	if (expect) {
		framing = FRAME_LF;
		fd = open(expect, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	} else if (!strcmp(path, "-")) {
		fd = STDOUT_FILENO;
		if (nonblock)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	} else {
		is_dev = !stat(path, &st) && S_ISCHR(st.st_mode);
		fd = open(path, O_WRONLY | O_APPEND | (is_dev ? 0 : O_CREAT) |
			  (nonblock ? O_NONBLOCK : 0), 0644);
	}
	if (fd < 0) {
		fprintf(stderr, "klf_produce: %s: %s (errno %d)\n", expect ?: path,
			strerror(errno), errno);
		return 1;
	}
	buf = malloc(KLF_HDR_LEN + max + 64);
	if (!buf)
		return 1;
	if (lat) {
		lat_ns = calloc(n ? n : 1, sizeof(*lat_ns));
		if (!lat_ns)
			return 1;
		t_first = now_ns(CLOCK_MONOTONIC);
	}
	if (go) {
		fprintf(stderr, "READY\n");
		while (access(go, F_OK))
			usleep(1000);
	}
	rng = seed;
	if (rate)
		start = now_ns(CLOCK_MONOTONIC);

	for (i = 0; i < n; i++, seq++, off++) {
		uint64_t ts = have_ts ? fixed_ts : now_ns(CLOCK_REALTIME);
		char prefix[64], *p;
		int pl;

		if (rate) {
			uint64_t due = start + i * 1000000000ULL / rate;
			struct timespec t = { due / 1000000000ULL, due % 1000000000ULL };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
				;
		}
		rng = lcg(rng);
		size = min + (rng >> 33) % (max - min + 1);
		pl = snprintf(prefix, sizeof(prefix), "seq=%" PRIu64 " ts=%" PRIu64 " ", seq, ts);
		plen = size > (size_t)pl ? size : (size_t)pl;
		if (framing == FRAME_OCTET)
			hlen = sprintf((char *)buf, "%zu ", plen);
		else if (framing == FRAME_KLF)
			hlen = KLF_HDR_LEN;
		else
			hlen = 0;
		p = (char *)buf + hlen;
		memcpy(p, prefix, pl);
		fill(p + pl, plen - pl, seq);
		size = hlen + plen;
		if (framing == FRAME_LF)
			buf[size++] = '\n';
		if (framing == FRAME_KLF) {
			put_le(buf, KLF_MAGIC, 4);
			put_le(buf + 4, KLF_HDR_LEN, 2);
			put_le(buf + 6, 0, 2);
			put_le(buf + 8, plen, 4);
			put_le(buf + 12, 0, 4);
			put_le(buf + 16, off, 8);
			put_le(buf + 24, ts, 8);
			put_le(buf + 12, crc32c(crc32c(~0U, buf, KLF_HDR_LEN), p, plen), 4);
		}
		t_write = lat ? now_ns(CLOCK_MONOTONIC) : 0;
		if (write_record(fd, buf, size, is_dev, &eagain)) {
			if (keep) {
				fprintf(stderr, "FAIL %" PRIu64 " %d\n", seq, errno);
				failed = 1;
				continue;
			}
			fprintf(stderr, "klf_produce: write of record seq=%" PRIu64 " (%zu bytes): %s (errno %d)\n",
				seq, size, strerror(errno), errno);
			return 1;
		}
		if (lat)
			lat_ns[i] = now_ns(CLOCK_MONOTONIC) - t_write;
		bytes += size;
		if (ack)
			fprintf(stderr, "ACK %" PRIu64 "\n", seq);
	}
	if (fd != STDOUT_FILENO && close(fd)) {
		fprintf(stderr, "klf_produce: close: %s (errno %d)\n", strerror(errno), errno);
		return 1;
	}
	if (lat && n) {
		double secs = (now_ns(CLOCK_MONOTONIC) - t_first) / 1e9;

		qsort(lat_ns, n, sizeof(*lat_ns), cmp_u64);
		fprintf(fd == STDOUT_FILENO ? stderr : stdout,
			"write_ns p50 %" PRIu64 " p99 %" PRIu64 " max %" PRIu64 " appends_per_s %.0f\n",
			lat_ns[(n - 1) / 2], lat_ns[(n - 1) * 99 / 100], lat_ns[n - 1], n / secs);
	}
	fprintf(fd == STDOUT_FILENO ? stderr : stdout, "produced %" PRIu64 " records, %" PRIu64 " bytes, %" PRIu64 " eagain\n",
		n, bytes, eagain);
	return failed ? 3 : 0;
}
