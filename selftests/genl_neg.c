// SPDX-License-Identifier: GPL-2.0
/*
 * genl_neg: every bad input to the log and target operations, from a raw
 * netlink socket: missing required attributes, wrong lengths, values out of
 * range, unknown attributes, settings that do not fit together. Each must
 * fail with its documented errno and an extended ack message, and change
 * nothing: the logs and targets are exactly as before. Each row of the
 * table is a variant of the fixture, so each is a result of its own
 * ("neg.log_new_without_name.rejected_and_changes_nothing").
 */

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "klf_nl.h"

#define MAXA 8

struct attr {
	int type;
	int len;		/* -1: a NUL-terminated string in .s */
	const char *s;
	__u64 v;
};

#define S(t, str)	{ .type = (t), .len = -1, .s = (str) }
#define U8(t, x)	{ .type = (t), .len = 1, .v = (x) }
#define U16(t, x)	{ .type = (t), .len = 2, .v = (x) }
#define U32(t, x)	{ .type = (t), .len = 4, .v = (x) }
#define U64(t, x)	{ .type = (t), .len = 8, .v = (x) }
#define RAW(t, l)	{ .type = (t), .len = (l), .v = 0 }

#define LOG(x)		KLOGFWD_A_LOG_##x
#define TGT(x)		KLOGFWD_A_TARGET_##x
#define LNEW		KLOGFWD_CMD_LOG_NEW
#define LSET		KLOGFWD_CMD_LOG_SET
#define TNEW		KLOGFWD_CMD_TARGET_NEW
#define TSET		KLOGFWD_CMD_TARGET_SET
#define LO		0x7f000001

FIXTURE(neg) {
	int fd;
	int family;
};

/*
 * One row of the table: a request and how it must fail (cmd, attributes,
 * errno, bad_attr, alt), each a result of its own.
 */
FIXTURE_VARIANT(neg) {
	int cmd;
	struct attr a[MAXA];
	int err;
	int bad_attr;		/* the extack must point at an attribute */
	int alt;		/* another acceptable errno, if any */
};

static const char long_name[] = "n0123456789012345678901234567890123456789";

/* log-new */
FIXTURE_VARIANT_ADD(neg, log_new_without_name) {
	LNEW, { U32(LOG(FRAMING), 0) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_name_too_long) {
	LNEW, { S(LOG(NAME), long_name) }, -EINVAL, 1, -ERANGE,
};
FIXTURE_VARIANT_ADD(neg, log_new_name_with_a_slash) {
	LNEW, { S(LOG(NAME), "a/b") }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_name_starting_with_a_dot) {
	LNEW, { S(LOG(NAME), ".x") }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_unknown_storage) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 7) }, -ERANGE, 1, -EINVAL,
};
FIXTURE_VARIANT_ADD(neg, log_new_storage_of_the_wrong_length) {
	LNEW, { S(LOG(NAME), "neg"), U8(LOG(STORAGE), 0) }, -EINVAL, 1, -ERANGE,
};
FIXTURE_VARIANT_ADD(neg, log_new_unknown_framing) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(FRAMING), 3) }, -ERANGE, 1, -EINVAL,
};
FIXTURE_VARIANT_ADD(neg, log_new_dir_log_without_dir) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 1) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_relative_dir) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(STORAGE), 1), S(LOG(DIR), "tmp") }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_dir_that_does_not_exist) {
	LNEW,
	{ S(LOG(NAME), "neg"), U32(LOG(STORAGE), 1), S(LOG(DIR), "/nonexistent/klf") },
	-ENOENT, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_segment_bytes_below_4096) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 4095) }, -ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_segment_bytes_above_1_gib) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 0x40000001) }, -ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_max_record_0) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(MAX_RECORD), 0) }, -ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_max_record_above_1_mib) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(MAX_RECORD), 1048577) }, -ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_max_record_larger_than_a_segment) {
	LNEW,
	{ S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 4096), U32(LOG(MAX_RECORD), 4096) },
	-EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_retain_bytes_below_segment_bytes) {
	LNEW,
	{ S(LOG(NAME), "neg"), U32(LOG(SEGMENT_BYTES), 65536),
	  U64(LOG(RETAIN_BYTES), 4096) },
	-EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_retain_bytes_of_2_bytes) {
	LNEW, { S(LOG(NAME), "neg"), RAW(LOG(RETAIN_BYTES), 2) }, -EINVAL, 1, -ERANGE,
};
FIXTURE_VARIANT_ADD(neg, log_new_unknown_overflow) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(OVERFLOW), 2) }, -ERANGE, 1, -EINVAL,
};
FIXTURE_VARIANT_ADD(neg, log_new_unknown_sync) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(SYNC), 3) }, -ERANGE, 1, -EINVAL,
};
FIXTURE_VARIANT_ADD(neg, log_new_sync_on_a_memory_log) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(SYNC), 2) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_sync_interval_ms_0) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(SYNC_INTERVAL_MS), 0) }, -ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_mode_above_0777) {
	LNEW, { S(LOG(NAME), "neg"), U32(LOG(MODE), 01000) }, -ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_stats_in_a_request) {
	LNEW, { S(LOG(NAME), "neg"), RAW(LOG(STATS), 0) }, -EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, log_new_unknown_attribute) {
	LNEW, { S(LOG(NAME), "neg"), U32(200, 1) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_new_name_that_exists) {
	LNEW, { S(LOG(NAME), "neg-keep") }, -EEXIST, 0,
};
/* log-set, log-del, log-append */
FIXTURE_VARIANT_ADD(neg, log_set_on_a_missing_log) {
	LSET, { S(LOG(NAME), "neg-none") }, -ENOENT, 1,
};
FIXTURE_VARIANT_ADD(neg, log_set_segments_too_small_for_its_max_record) {
	LSET, { S(LOG(NAME), "neg-keep"), U32(LOG(SEGMENT_BYTES), 4096) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_del_without_name) {
	KLOGFWD_CMD_LOG_DEL, { U32(LOG(MODE), 0) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_append_without_records) {
	KLOGFWD_CMD_LOG_APPEND, { S(LOG(NAME), "neg-keep") }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, log_append_an_empty_record) {
	KLOGFWD_CMD_LOG_APPEND, { S(LOG(NAME), "neg-keep"), RAW(LOG(RECORD), 0) }, -EINVAL, 1,
};
/* target-new */
FIXTURE_VARIANT_ADD(neg, target_new_without_name) {
	TNEW, { S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO), U16(TGT(PORT), 9) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_without_log) {
	TNEW, { S(TGT(NAME), "negt"), U32(TGT(IPV4), LO), U16(TGT(PORT), 9) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_without_address) {
	TNEW, { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U16(TGT(PORT), 9) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_without_port) {
	TNEW, { S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_port_0) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 0) },
	-ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_ipv6_of_4_bytes) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV6), LO),
	  U16(TGT(PORT), 9) },
	-ERANGE, 1, -EINVAL,
};
FIXTURE_VARIANT_ADD(neg, target_new_both_ipv4_and_ipv6) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  RAW(TGT(IPV6), 16), U16(TGT(PORT), 9) },
	-EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_multicast_address) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), 0xe0000001),
	  U16(TGT(PORT), 9) },
	-EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_on_a_missing_log) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-none"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9) },
	-ENOENT, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_bad_name) {
	TNEW,
	{ S(TGT(NAME), "a b"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9) },
	-EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_unknown_start) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(START), 9) },
	-ERANGE, 1, -EINVAL,
};
FIXTURE_VARIANT_ADD(neg, target_new_start_offset_without_from_offset) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(START), 3) },
	-EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_from_offset_past_the_log) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(START), 3), U64(TGT(FROM_OFFSET), 1000) },
	-ERANGE, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_ack_app_on_an_lf_log) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(ACK), 1) },
	-EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_backoff_min_ms_below_10) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(BACKOFF_MIN_MS), 9) },
	-ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_backoff_min_above_max) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(BACKOFF_MIN_MS), 5000),
	  U32(TGT(BACKOFF_MAX_MS), 100) },
	-EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_new_nodelay_2) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U8(TGT(NODELAY), 2) },
	-ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_keepalive_above_32767) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(KEEPALIVE_S), 40000) },
	-ERANGE, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_state_in_a_request) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(STATE), 0) },
	-EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_name_that_exists) {
	TNEW,
	{ S(TGT(NAME), "negt-keep"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9) },
	-EEXIST, 0,
};
/*
 * TLS: a kernel without the handshake upcall (6.1) refuses tls itself
 * (EOPNOTSUPP) before it looks at the rest; the CLI refuses all of these
 * before netlink, so only these rows reach the module's own checks.
 */
FIXTURE_VARIANT_ADD(neg, target_new_peername_without_tls) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), S(TGT(TLS_PEERNAME), "logs.test") },
	-EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_rekey_without_tls) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U32(TGT(TLS_REKEY_S), 60) },
	-EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_new_tls_empty_peername) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U8(TGT(TLS), 1), S(TGT(TLS_PEERNAME), "") },
	-EINVAL, 1, -EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(neg, target_new_tls_cert_without_key) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U8(TGT(TLS), 1), U32(TGT(TLS_CERT), 1) },
	-EINVAL, 1, -EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(neg, target_new_tls_psk_and_cert) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U8(TGT(TLS), 1), U32(TGT(TLS_PSK), 1),
	  U32(TGT(TLS_CERT), 1), U32(TGT(TLS_KEY), 1) },
	-EINVAL, 1, -EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(neg, target_new_tls_psk_of_no_key) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U8(TGT(TLS), 1), U32(TGT(TLS_PSK), 0x7ffffffe) },
	-ENOKEY, 1, -EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(neg, target_new_tls_psk_serial_0) {
	TNEW,
	{ S(TGT(NAME), "negt"), S(TGT(LOG), "neg-keep"), U32(TGT(IPV4), LO),
	  U16(TGT(PORT), 9), U8(TGT(TLS), 1), U32(TGT(TLS_PSK), 0) },
	-ERANGE, 1,
};
/* target-set, -del, -get */
FIXTURE_VARIANT_ADD(neg, target_set_on_a_missing_target) {
	TSET, { S(TGT(NAME), "negt-none") }, -ENOENT, 1,
};
FIXTURE_VARIANT_ADD(neg, target_set_backoff_min_above_max) {
	TSET, { S(TGT(NAME), "negt-keep"), U32(TGT(BACKOFF_MIN_MS), 40000) }, -EINVAL, 0,
};
FIXTURE_VARIANT_ADD(neg, target_set_log_fixed_at_creation) {
	TSET, { S(TGT(NAME), "negt-keep"), S(TGT(LOG), "neg-keep") }, -EINVAL, 1,
};
FIXTURE_VARIANT_ADD(neg, target_del_on_a_missing_target) {
	KLOGFWD_CMD_TARGET_DEL, { S(TGT(NAME), "negt-none") }, -ENOENT, 1,
};
FIXTURE_VARIANT_ADD(neg, target_get_on_a_missing_target) {
	KLOGFWD_CMD_TARGET_GET, { S(TGT(NAME), "negt-none") }, -ENOENT, 1,
};

static int request(int fd, int family, int cmd, const struct attr *a, int n,
		   struct nl_reply *r)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	char zero[16] = { 0 };
	int i;

	nlh = msg_init(buf, family, cmd, 0, 0);
	for (i = 0; i < n && a[i].type; i++) {
		if (a[i].len < 0)
			put_attr(nlh, a[i].type, a[i].s, strlen(a[i].s) + 1);
		else if (a[i].v || a[i].len > 8)
			put_attr(nlh, a[i].type, &a[i].v, a[i].len);
		else
			put_attr(nlh, a[i].type, zero, a[i].len);
	}
	return nl_request(fd, nlh, r);
}

/* The IPv4 attribute is big endian; the table holds host order. */
static void fix_ipv4(struct attr *a)
{
	int i;

	for (i = 0; i < MAXA; i++)
		if (a[i].type == KLOGFWD_A_TARGET_IPV4 && a[i].len == 4)
			a[i].v = htonl((__u32)a[i].v);
}

/*
 * The log and the target the rows refer to (neg-keep, negt-keep) are made
 * once, before the harness runs the rows, and deleted after: each row runs
 * in processes of its own, and a log and a target per row would cost more
 * than the rows (seconds on the debug kernel).
 */
static char keep_error[sizeof(((struct nl_reply *)0)->extack) + 64];

static void __attribute__((constructor)) neg_keep_create(void)
{
	struct attr log[] = { S(LOG(NAME), "neg-keep") };
	struct attr tgt[] = { S(TGT(NAME), "negt-keep"), S(TGT(LOG), "neg-keep"),
			      U32(TGT(IPV4), LO), U16(TGT(PORT), 9), U8(TGT(PAUSED), 1) };
	struct nl_reply r;
	int fd, family;

	fd = nl_open();
	family = fd < 0 ? -1 : nl_family(fd, &r);
	if (family <= 0) {
		snprintf(keep_error, sizeof(keep_error), "no klogfwd family");
		goto out;
	}
	fix_ipv4(tgt);
	if (request(fd, family, LNEW, log, 1, &r) || r.error) {
		snprintf(keep_error, sizeof(keep_error), "log-new: %d %s", r.error, r.extack);
		goto out;
	}
	if (request(fd, family, TNEW, tgt, 5, &r) || r.error)
		snprintf(keep_error, sizeof(keep_error), "target-new: %d %s", r.error, r.extack);
out:
	if (fd >= 0)
		close(fd);
}

static void __attribute__((destructor)) neg_keep_delete(void)
{
	struct attr tgt[] = { S(TGT(NAME), "negt-keep") };
	struct attr log[] = { S(LOG(NAME), "neg-keep") };
	struct nl_reply r;
	int fd, family;

	fd = nl_open();
	if (fd < 0)
		return;
	family = nl_family(fd, &r);
	if (family > 0) {
		request(fd, family, KLOGFWD_CMD_TARGET_DEL, tgt, 1, &r);
		request(fd, family, KLOGFWD_CMD_LOG_DEL, log, 1, &r);
	}
	close(fd);
}

FIXTURE_SETUP(neg)
{
	struct nl_reply r;

	ASSERT_EQ(0, keep_error[0]) TH_LOG("%s", keep_error);
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	self->family = nl_family(self->fd, &r);
	ASSERT_LT(0, self->family);
}

FIXTURE_TEARDOWN(neg)
{
	close(self->fd);
}

/* Count the logs and targets the dumps report. */
static int count(int fd, int family, int cmd)
{
	char buf[BUF_SIZE], rbuf[BUF_SIZE];
	struct nlmsghdr *nlh;
	int n, total = 0;

	nlh = msg_init(buf, family, cmd, NLM_F_DUMP, 0);
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n < 0)
			return -1;
		for (nlh = (void *)rbuf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return total;
			total++;
		}
	}
}

TEST_F(neg, rejected_and_changes_nothing)
{
	struct attr a[MAXA];
	int logs, targets;
	struct nl_reply r;

	logs = count(self->fd, self->family, KLOGFWD_CMD_LOG_GET);
	targets = count(self->fd, self->family, KLOGFWD_CMD_TARGET_GET);
	ASSERT_LE(1, logs);
	ASSERT_LE(1, targets);

	memcpy(a, variant->a, sizeof(a));
	fix_ipv4(a);
	ASSERT_EQ(0, request(self->fd, self->family, variant->cmd, a, MAXA, &r));
	if (r.error != variant->err && (!variant->alt || r.error != variant->alt))
		TH_LOG("got %d (%s), extack \"%s\"; want %d", r.error,
		       strerror(-r.error), r.extack, variant->err);
	EXPECT_TRUE(r.error == variant->err || (variant->alt && r.error == variant->alt));
	/* an extended ack message, or the missing attribute */
	EXPECT_TRUE(r.extack[0] || r.has_miss);
	if (variant->bad_attr)
		EXPECT_TRUE(r.has_bad_attr) TH_LOG("no attribute in the extack \"%s\"", r.extack);
	EXPECT_EQ(logs, count(self->fd, self->family, KLOGFWD_CMD_LOG_GET));
	EXPECT_EQ(targets, count(self->fd, self->family, KLOGFWD_CMD_TARGET_GET));
}

TEST_HARNESS_MAIN
