// SPDX-License-Identifier: GPL-2.0
/*
 * log_dev: logs seen through /dev/klogfwd/<log>. Every test computes the
 * framing itself (lf, octet, and klf with its own CRC32C) and checks what
 * the device returns byte for byte: round trips over many segments, seeks
 * through the offset index, concurrent producers, retention, and the
 * errors for records that are too large or cannot be framed.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "klf_nl.h"
#include "klf_crc.h"

#define MAX_RECORD	4096
#define NREC		1500

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Payload of record @off: its offset, then pseudo-random printable bytes. */
static size_t make_payload(char *buf, uint64_t off, unsigned int seed)
{
	size_t len = 12 + (seed * 2654435761U % (MAX_RECORD - 12)), i;

	snprintf(buf, 13, "%011llu:", (unsigned long long)off);
	for (i = 12; i < len; i++)
		buf[i] = 'a' + (seed + i * 7) % 26;
	return len;
}

/*
 * Check that @rec (length @avail) starts with record @off framed as
 * @framing around @payload; return the framed length, or -1.
 */
static ssize_t check_record(int framing, const char *rec, size_t avail, uint64_t off,
			    const char *payload, size_t len, uint64_t t0, uint64_t t1)
{
	char hdr[32];
	uint32_t crc;
	uint64_t ts;
	int n;

	switch (framing) {
	case KLOGFWD_FRAMING_LF:
		if (avail < len + 1 || memcmp(rec, payload, len) || rec[len] != '\n')
			return -1;
		return len + 1;
	case KLOGFWD_FRAMING_OCTET:
		n = snprintf(hdr, sizeof(hdr), "%zu ", len);
		if (avail < n + len || memcmp(rec, hdr, n) || memcmp(rec + n, payload, len))
			return -1;
		return n + len;
	default:
		if (avail < 32 + len)
			return -1;
		memcpy(hdr, rec, 32);
		memcpy(&ts, hdr + 24, 8);
		if (memcmp(hdr, "KLF1", 4) || *(uint16_t *)(hdr + 4) != 32 ||
		    *(uint16_t *)(hdr + 6) != 0 || *(uint32_t *)(hdr + 8) != len ||
		    *(uint64_t *)(hdr + 16) != off || ts < t0 || ts > t1 ||
		    memcmp(rec + 32, payload, len))
			return -1;
		memcpy(&crc, hdr + 12, 4);
		memset(hdr + 12, 0, 4);
		if (crc != crc32c(crc32c(~0U, hdr, 32), payload, len))
			return -1;
		return 32 + len;
	}
}

/* Create a log; returns 0 or -errno (with the extack in r). */
static int log_new(int fd, int family, const char *name, int framing, uint32_t seg,
		   uint64_t retain, struct nl_reply *r)
{
	uint32_t max = MAX_RECORD;
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;

	nlh = msg_init(buf, family, KLOGFWD_CMD_LOG_NEW, 0, 0);
	put_attr(nlh, KLOGFWD_A_LOG_NAME, name, strlen(name) + 1);
	put_attr(nlh, KLOGFWD_A_LOG_FRAMING, &framing, 4);
	put_attr(nlh, KLOGFWD_A_LOG_SEGMENT_BYTES, &seg, 4);
	put_attr(nlh, KLOGFWD_A_LOG_RETAIN_BYTES, &retain, 8);
	put_attr(nlh, KLOGFWD_A_LOG_MAX_RECORD, &max, 4);
	if (nl_request(fd, nlh, r))
		return -EIO;
	return r->error;
}

static int log_del(int fd, int family, const char *name)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nl_reply r;

	nlh = msg_init(buf, family, KLOGFWD_CMD_LOG_DEL, 0, 0);
	put_attr(nlh, KLOGFWD_A_LOG_NAME, name, strlen(name) + 1);
	if (nl_request(fd, nlh, &r))
		return -EIO;
	return r.error;
}

/* A counter from the log's stats nest (log-get); -1 if absent. */
static int64_t log_stat(int fd, int family, const char *name, int type)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *st, *a;
	struct nl_reply r;

	nlh = msg_init(buf, family, KLOGFWD_CMD_LOG_GET, 0, 0);
	put_attr(nlh, KLOGFWD_A_LOG_NAME, name, strlen(name) + 1);
	if (nl_request(fd, nlh, &r) || r.error || !r.len)
		return -1;
	st = get_attr((void *)r.buf, KLOGFWD_A_LOG_STATS);
	if (!st)
		return -1;
	for (a = NLA_DATA(st); (char *)a < (char *)st + st->nla_len;
	     a = (void *)a + NLA_ALIGN(a->nla_len))
		if (a->nla_type == type)
			return a->nla_len == 8 ? *(uint32_t *)NLA_DATA(a) :
			       (int64_t)*(uint64_t *)NLA_DATA(a);
	return -1;
}

FIXTURE(logdev) {
	int nl, family, dev;
	char name[32];
	char path[64];
	uint64_t t0;
	char *big;
};

FIXTURE_VARIANT(logdev) {
	int framing;
};

FIXTURE_VARIANT_ADD(logdev, lf) { .framing = KLOGFWD_FRAMING_LF };
FIXTURE_VARIANT_ADD(logdev, octet) { .framing = KLOGFWD_FRAMING_OCTET };
FIXTURE_VARIANT_ADD(logdev, klf) { .framing = KLOGFWD_FRAMING_KLF };

FIXTURE_SETUP(logdev)
{
	struct nl_reply r;

	self->nl = nl_open();
	ASSERT_LE(0, self->nl);
	self->family = nl_family(self->nl, &r);
	ASSERT_LT(0, self->family);
	snprintf(self->name, sizeof(self->name), "logdev-%d", getpid());
	ASSERT_EQ(0, log_new(self->nl, self->family, self->name, variant->framing, 65536, 0, &r))
		TH_LOG("log-new: %s", r.extack);
	snprintf(self->path, sizeof(self->path), "/dev/klogfwd/%s", self->name);
	self->dev = open(self->path, O_RDWR);
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", self->path, strerror(errno));
	self->t0 = now_ns();
	self->big = malloc(1 << 20);
	ASSERT_NE(NULL, self->big);
}

FIXTURE_TEARDOWN(logdev)
{
	close(self->dev);
	EXPECT_EQ(0, log_del(self->nl, self->family, self->name));
	close(self->nl);
	free(self->big);
}

static void write_records(struct __test_metadata *_metadata, int dev, int n)
{
	char payload[MAX_RECORD];
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		len = make_payload(payload, i, i);
		ASSERT_EQ((ssize_t)len, write(dev, payload, len)) TH_LOG("record %d: %s", i, strerror(errno));
	}
}

/* N records of random sizes over ~40 segments read back byte for byte. */
TEST_F(logdev, roundtrip)
{
	char payload[MAX_RECORD];
	uint64_t off = 0, t1;
	size_t len, pos, got;
	ssize_t n, rl;

	write_records(_metadata, self->dev, NREC);
	t1 = now_ns();
	ASSERT_EQ(0, lseek(self->dev, 0, SEEK_SET));
	while ((n = read(self->dev, self->big, 1 << 20)) > 0) {
		for (pos = 0; pos < (size_t)n; off++) {
			len = make_payload(payload, off, off);
			rl = check_record(variant->framing, self->big + pos, n - pos, off,
					  payload, len, self->t0, t1);
			ASSERT_LT(0, rl) TH_LOG("record %llu differs or is cut", (unsigned long long)off);
			pos += rl;
		}
	}
	ASSERT_EQ(0, n) TH_LOG("read: %s", strerror(errno));
	EXPECT_EQ(NREC, off);
	got = log_stat(self->nl, self->family, self->name, KLOGFWD_A_LOG_STATS_SEGMENTS);
	EXPECT_LT(10, got) TH_LOG("only %zu segments: rolling not exercised", got);
	EXPECT_EQ(NREC, log_stat(self->nl, self->family, self->name, KLOGFWD_A_LOG_STATS_RECORDS));
	EXPECT_EQ(NREC, log_stat(self->nl, self->family, self->name, KLOGFWD_A_LOG_STATS_NEXT_OFFSET));
}

/* lseek to any offset lands on that exact record (index + short scan). */
TEST_F(logdev, seek)
{
	char payload[MAX_RECORD];
	uint64_t off;
	size_t len;
	ssize_t n;
	int i;

	write_records(_metadata, self->dev, NREC);
	for (i = 0; i < 300; i++) {
		off = (i * 7919ULL) % NREC;
		ASSERT_EQ((off_t)off, lseek(self->dev, off, SEEK_SET));
		len = make_payload(payload, off, off);
		n = read(self->dev, self->big, 1 << 20);
		ASSERT_LT(0, n);
		ASSERT_LT(0, check_record(variant->framing, self->big, n, off, payload, len,
					  self->t0, now_ns()))
			TH_LOG("record at offset %llu", (unsigned long long)off);
	}
	EXPECT_EQ(NREC, lseek(self->dev, 0, SEEK_END));
	EXPECT_EQ(0, read(self->dev, self->big, 1 << 20));
	EXPECT_EQ(NREC - 10, lseek(self->dev, -10, SEEK_END));
	EXPECT_EQ(-1, lseek(self->dev, NREC + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
}

/* One write is one record: writev gathers, too large fails, lf rejects '\n'. */
TEST_F(logdev, write_rules)
{
	struct iovec iov[3] = {
		{ .iov_base = "abc", .iov_len = 3 },
		{ .iov_base = "def", .iov_len = 3 },
		{ .iov_base = "ghi", .iov_len = 3 },
	};
	char rec[MAX_RECORD + 1];
	ssize_t n;

	memset(rec, 'x', sizeof(rec));
	EXPECT_EQ(-1, write(self->dev, rec, MAX_RECORD + 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(MAX_RECORD, write(self->dev, rec, MAX_RECORD));
	EXPECT_EQ(9, writev(self->dev, iov, 3));
	n = write(self->dev, "a\nb", 3);
	if (variant->framing == KLOGFWD_FRAMING_LF) {
		EXPECT_EQ(-1, n);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(1, log_stat(self->nl, self->family, self->name,
				      KLOGFWD_A_LOG_STATS_REJECTED_FRAMING));
	} else {
		EXPECT_EQ(3, n);
	}
	EXPECT_EQ(0, write(self->dev, rec, 0));
	/* a lone newline would be an empty record */
	EXPECT_EQ(-1, write(self->dev, "\n", 1));
	EXPECT_EQ(EINVAL, errno);
	/* one trailing newline ends the record (as echo writes it) */
	ASSERT_EQ(4, write(self->dev, "xyz\n", 4));
	ASSERT_EQ(variant->framing == KLOGFWD_FRAMING_LF ? 2 : 3, lseek(self->dev, -1, SEEK_END));
	n = read(self->dev, self->big, 1 << 20);
	ASSERT_LT(0, n);
	EXPECT_LT(0, check_record(variant->framing, self->big, n,
				  variant->framing == KLOGFWD_FRAMING_LF ? 2 : 3, "xyz", 3,
				  self->t0, now_ns()));
	EXPECT_EQ(1, log_stat(self->nl, self->family, self->name, KLOGFWD_A_LOG_STATS_REJECTED_SIZE));

	/* the writev record reads back as one record "abcdefghi" */
	ASSERT_EQ(1, lseek(self->dev, 1, SEEK_SET));
	n = read(self->dev, self->big, 1 << 20);
	ASSERT_LT(0, n);
	EXPECT_LT(0, check_record(variant->framing, self->big, n, 1, "abcdefghi", 9,
				  self->t0, now_ns()));
	/* a buffer too small for the next record */
	ASSERT_EQ(0, lseek(self->dev, 0, SEEK_SET));
	EXPECT_EQ(-1, read(self->dev, self->big, MAX_RECORD));
	EXPECT_EQ(EMSGSIZE, errno);
}

/*
 * read() of 0 bytes returns 0, on an empty log and on one with records,
 * and does not move the cursor.
 */
TEST_F(logdev, read_zero)
{
	char payload[MAX_RECORD];
	size_t len;
	ssize_t n;

	EXPECT_EQ(0, read(self->dev, self->big, 0)) TH_LOG("empty log: %s", strerror(errno));
	write_records(_metadata, self->dev, 3);
	ASSERT_EQ(0, lseek(self->dev, 0, SEEK_SET));
	EXPECT_EQ(0, read(self->dev, self->big, 0)) TH_LOG("3 records: %s", strerror(errno));
	EXPECT_EQ(0, read(self->dev, NULL, 0)) TH_LOG("NULL buffer: %s", strerror(errno));
	/* the cursor stayed at record 0 */
	EXPECT_EQ(0, lseek(self->dev, 0, SEEK_CUR));
	n = read(self->dev, self->big, 1 << 20);
	ASSERT_LT(0, n);
	len = make_payload(payload, 0, 0);
	EXPECT_LT(0, check_record(variant->framing, self->big, n, 0, payload, len,
				  self->t0, now_ns()));
	/* at the end of the log, too */
	EXPECT_EQ(0, read(self->dev, self->big, 0));
}

/* The device is a stream of records: pread and pwrite fail with ESPIPE. */
TEST_F(logdev, pread_pwrite)
{
	write_records(_metadata, self->dev, 3);
	errno = 0;
	EXPECT_EQ(-1, pread(self->dev, self->big, 1 << 20, 0));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, pread(self->dev, self->big, 1 << 20, 1));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(self->dev, "pwritten", 8, 0));
	EXPECT_EQ(ESPIPE, errno);
	errno = 0;
	EXPECT_EQ(-1, pwrite(self->dev, "pwritten", 8, 3));
	EXPECT_EQ(ESPIPE, errno);
	/* nothing was appended; read and write still work */
	EXPECT_EQ(3, log_stat(self->nl, self->family, self->name, KLOGFWD_A_LOG_STATS_RECORDS));
	EXPECT_EQ(8, write(self->dev, "written.", 8));
	EXPECT_EQ(0, lseek(self->dev, 0, SEEK_SET));
	EXPECT_LT(0, read(self->dev, self->big, 1 << 20));
	EXPECT_EQ(4, log_stat(self->nl, self->family, self->name, KLOGFWD_A_LOG_STATS_RECORDS));
}

/* Concurrent producers: every record arrives whole, none interleaved. */
TEST_F(logdev, concurrent_producers)
{
	enum { PROCS = 4, EACH = 400 };
	int seen[PROCS][EACH] = {}, p, i, status, total = 0;
	char payload[MAX_RECORD];
	size_t pos, len;
	ssize_t n;

	for (p = 0; p < PROCS; p++) {
		if (fork() == 0) {
			int fd = open(self->path, O_WRONLY);

			for (i = 0; i < EACH; i++) {
				len = 16 + (p * 131 + i * 17) % 2000;
				memset(payload, 'A' + p, len);
				snprintf(payload, 16, "P%d-%05d", p, i);
				payload[strlen(payload)] = '.';
				if (write(fd, payload, len) != (ssize_t)len)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (p = 0; p < PROCS; p++) {
		ASSERT_LT(0, wait(&status));
		ASSERT_EQ(0, WEXITSTATUS(status));
	}
	ASSERT_EQ(0, lseek(self->dev, 0, SEEK_SET));
	while ((n = read(self->dev, self->big, 1 << 20)) > 0) {
		for (pos = 0; pos < (size_t)n; total++) {
			const char *rec = self->big + pos;
			size_t hdr = variant->framing == KLOGFWD_FRAMING_KLF ? 32 :
				     variant->framing == KLOGFWD_FRAMING_OCTET ?
				     strchr(rec, ' ') - rec + 1 : 0;

			int fields = sscanf(rec + hdr, "P%d-%d.", &p, &i);

			ASSERT_EQ(2, fields);
			ASSERT_TRUE(p >= 0 && p < PROCS && i >= 0 && i < EACH);
			len = 16 + (p * 131 + i * 17) % 2000;
			memset(payload, 'A' + p, len);
			snprintf(payload, 16, "P%d-%05d", p, i);
			payload[strlen(payload)] = '.';
			ASSERT_LT(0, check_record(variant->framing, rec, n - pos, total, payload,
						  len, self->t0, now_ns()))
				TH_LOG("record %d (P%d-%d) torn or interleaved", total, p, i);
			ASSERT_EQ(0, seen[p][i]++);
			pos += hdr + len + (variant->framing == KLOGFWD_FRAMING_LF);
		}
	}
	EXPECT_EQ(PROCS * EACH, total);
}

/* Retention deletes whole old segments; readers continue at the oldest. */
TEST(retention)
{
	char name[32], path[64], payload[MAX_RECORD], buf[8192];
	int nl, family, dev, i;
	int64_t first, segs;
	struct nl_reply r;
	size_t len;
	ssize_t n;

	nl = nl_open();
	family = nl_family(nl, &r);
	ASSERT_LT(0, family);
	snprintf(name, sizeof(name), "retain-%d", getpid());
	ASSERT_EQ(0, log_new(nl, family, name, KLOGFWD_FRAMING_LF, 8192, 16384, &r))
		TH_LOG("%s", r.extack);
	snprintf(path, sizeof(path), "/dev/klogfwd/%s", name);
	dev = open(path, O_RDWR);
	ASSERT_LE(0, dev);
	for (i = 0; i < 400; i++) {
		len = make_payload(payload, i, 7) % 200 + 12;
		make_payload(payload, i, 7);
		ASSERT_EQ((ssize_t)len, write(dev, payload, len));
	}
	first = log_stat(nl, family, name, KLOGFWD_A_LOG_STATS_FIRST_OFFSET);
	segs = log_stat(nl, family, name, KLOGFWD_A_LOG_STATS_SEGMENTS);
	EXPECT_LT(0, first);
	EXPECT_GE(3, segs);
	EXPECT_LE(16384, log_stat(nl, family, name, KLOGFWD_A_LOG_STATS_BYTES) + 8192);
	EXPECT_LT(0, log_stat(nl, family, name, KLOGFWD_A_LOG_STATS_SEGMENTS_DELETED));
	/* this reader was at offset 0, which is gone: it continues at first */
	n = read(dev, buf, sizeof(buf));
	ASSERT_LT(0, n);
	EXPECT_EQ(first, strtoll(buf, NULL, 10));
	EXPECT_EQ(-1, lseek(dev, 0, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	close(dev);
	EXPECT_EQ(0, log_del(nl, family, name));
	close(nl);
}

TEST_HARNESS_MAIN
