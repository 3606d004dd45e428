// SPDX-License-Identifier: GPL-2.0
/*
 * read_latency: a big read() of /dev/klogfwd/<log> must not hold up the
 * log's producers for the length of the read.
 *
 * Fills the log with MIB MiB of records (through the device, records of
 * 60,000 bytes: the log's max-record must allow them), then times 1-byte
 * appends alone (SOLO of them: their median) and while a thread does one
 * read() of MIB MiB from the start of the log: the largest of the appends
 * made during that read must be within FACTOR times the solo median plus
 * SLACK milliseconds, or an eighth of the read's own time if that is more.
 * A log whose read holds its lock throughout makes one append wait for the
 * whole read (under TCG about 0.1 s for 16 MiB on a quiet host, and up to
 * 1.3 s seen on a loaded one, where TCG's vCPUs also stall appends now and
 * then for tens of milliseconds: the eighth scales the bound with that).
 *
 * -c DEV2 (control): the thread reads DEV2, another log filled the same
 * way, instead: the same load without sharing a lock with the appends,
 * which shows the noise of the machine (e.g. TCG's vCPU scheduling).
 *
 * Exit 0 within the bound, 1 beyond it, 2 on errors; the measurements are
 * printed.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REC	60000
#define SOLO	50
#define MAXS	(1 << 20)

static const char *rdev;
static size_t rsize;
static char *rbuf;
static atomic_int started, done;
static double r0, r1;
static ssize_t nread;
static int read_errno;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int fill(const char *dev, size_t bytes)
{
	static char rec[REC];
	size_t total = 0;
	int fd = open(dev, O_WRONLY);

	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", dev, strerror(errno));
		return -1;
	}
	memset(rec, 'r', sizeof(rec));
	/* one record more than the read takes: it ends within the log */
	while (total <= bytes) {
		if (write(fd, rec, REC) != REC) {
			fprintf(stderr, "fill %s: %s\n", dev, strerror(errno));
			close(fd);
			return -1;
		}
		total += REC;
	}
	close(fd);
	return 0;
}

/* one 1-byte append; its latency in seconds, or -1 */
static double append(int fd)
{
	double t = now();

	if (write(fd, "x", 1) != 1)
		return -1;
	return now() - t;
}

static void *reader(void *arg)
{
	int fd = open(rdev, O_RDONLY);

	if (fd < 0) {
		read_errno = errno;
		nread = -1;
		atomic_store(&started, 1);
		atomic_store(&done, 1);
		return NULL;
	}
	atomic_store(&started, 1);
	r0 = now();
	nread = read(fd, rbuf, rsize);
	r1 = now();
	read_errno = errno;
	atomic_store(&done, 1);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	static double solo[SOLO], during[MAXS];
	double factor = 20, slack = 5, median, bound, lat, max = 0;
	const char *dev, *ctl = NULL;
	int fd, i, n = 0, kept, opt;
	pthread_t th;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c')
			goto usage;
		ctl = optarg;
	}
	if (argc - optind < 2 || argc - optind > 4)
		goto usage;
	dev = argv[optind];
	rsize = (size_t)atoi(argv[optind + 1]) << 20;
	if (argc - optind > 2)
		factor = atof(argv[optind + 2]);
	if (argc - optind > 3)
		slack = atof(argv[optind + 3]);
	rdev = ctl ? ctl : dev;

	rbuf = malloc(rsize);
	if (!rbuf || fill(dev, rsize) || (ctl && fill(ctl, rsize)))
		return 2;
	memset(rbuf, 0, rsize);		/* no page faults during the read */
	fd = open(dev, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", dev, strerror(errno));
		return 2;
	}

	for (i = 0; i < SOLO; i++) {
		solo[i] = append(fd);
		if (solo[i] < 0) {
			fprintf(stderr, "append: %s\n", strerror(errno));
			return 2;
		}
	}
	qsort(solo, SOLO, sizeof(*solo), cmp);
	median = solo[SOLO / 2];

	if (pthread_create(&th, NULL, reader, NULL))
		return 2;
	while (!atomic_load(&started))
		usleep(100);
	/*
	 * appends until the read is over: the one the read holds up, if any
	 * (the first MAXS kept for the median and p99, all for the max)
	 */
	while (!atomic_load(&done)) {
		lat = append(fd);
		if (lat < 0) {
			fprintf(stderr, "append during the read: %s\n", strerror(errno));
			return 2;
		}
		if (n < MAXS)
			during[n] = lat;
		if (lat > max)
			max = lat;
		n++;
	}
	pthread_join(th, NULL);
	close(fd);
	if (nread < 0) {
		fprintf(stderr, "read %s: %s\n", rdev, strerror(read_errno));
		return 2;
	}
	kept = n < MAXS ? n : MAXS;
	qsort(during, kept, sizeof(*during), cmp);
	bound = factor * median + slack / 1e3;
	if ((r1 - r0) / 8 > bound)
		bound = (r1 - r0) / 8;
	printf("%s: read of %zu bytes took %.1f ms; 1-byte appends alone: median %.3f ms, max %.3f ms\n",
	       ctl ? "control (reading another log)" : "reading the same log",
	       (size_t)nread, (r1 - r0) * 1e3, median * 1e3, solo[SOLO - 1] * 1e3);
	if (!n) {
		printf("no append during the read\n");
		return 2;
	}
	printf("%d appends during the read: median %.3f ms, p99 %.3f ms, max %.3f ms (bound: the larger of %.0f x %.3f + %.0f and an eighth of the read, %.3f ms)\n",
	       n, during[kept / 2] * 1e3, during[kept * 99 / 100] * 1e3, max * 1e3,
	       factor, median * 1e3, slack, bound * 1e3);
	if ((size_t)nread < rsize - REC) {
		printf("the read returned only %zd bytes\n", nread);
		return 2;
	}
	return max <= bound ? 0 : 1;

usage:
	fprintf(stderr, "usage: read_latency [-c DEV2] /dev/klogfwd/LOG MIB [FACTOR [SLACK-MS]]\n");
	return 2;
}
