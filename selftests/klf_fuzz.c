// SPDX-License-Identifier: GPL-2.0
/*
 * klf_fuzz: a deterministic fuzzer for klogfwd's generic netlink family and
 * for its character devices.
 *
 * Netlink mode (default): generates messages for every command of the uapi
 * enum and for unknown command numbers, valid ones (so that logs and
 * targets really get created, changed, appended to and deleted) and
 * mutated ones (missing, duplicated, retyped and resized attributes, bad
 * nla_len, nests where flat values are expected and the other way round,
 * boundary values, bad strings, random bytes, wrong flags, bad genl
 * headers). Messages go out in batches; every one must be answered (an
 * NLMSG_ERROR, or a dump ending in NLMSG_DONE) within the timeout, with an
 * errno from the expected set. Unprivileged (--unpriv), any success of a
 * klogfwd command other than version-get is a permission bug.
 *
 * Device mode (--dev): exact checks of write/writev/read/lseek edge cases
 * on logs of each framing, then threads writing, reading (every read must
 * be whole, valid records), seeking, polling and reopening while another
 * thread deletes, re-creates and reconfigures the logs over netlink.
 *
 * The sequence of messages and operations depends on --seed only.
 * Everything it creates is deleted at the end; what existed before is kept.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <grp.h>

#include "klf_nl.h"
#include "klf_crc.h"

#define NLOGS		6
#define NTARGETS	6
#define MAXATTRS	48
#define ARENA		(256 * 1024)
#define BATCH_BUF	(1024 * 1024)
#define NCMD		16	/* counters: commands 0..14, 15 = any larger */
#define KLF_NAMES_MAX	300
#define SEND_MAX	(160 * 1024)

static int fail_count;
static int verbose;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stdout, "FAIL: ");
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, "\n");
	va_end(ap);
	fflush(stdout);
	fail_count++;
}

/* --- deterministic randomness ------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(struct rng *r, uint32_t n)
{
	return n ? rnd(r) % n : 0;
}

static int chance(struct rng *r, int pct)
{
	return rn(r, 100) < (uint32_t)pct;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* --- the family's attributes, from the spec ------------------------------ */

enum kind { K_STR, K_U8, K_U16, K_U32, K_UINT, K_BIN, K_NEST, K_IN4, K_IN6 };

struct adesc {
	int type;
	enum kind kind;
	uint64_t min, max;
};

static const struct adesc version_attrs[] = {
	{ KLOGFWD_A_VERSION_MODULE_VERSION, K_STR, 0, 64 },
	{ KLOGFWD_A_VERSION_KERNEL_RELEASE, K_STR, 0, 64 },
	{ KLOGFWD_A_VERSION_GENL_VERSION, K_U32, 0, UINT32_MAX },
};

static const struct adesc log_attrs[] = {
	{ KLOGFWD_A_LOG_NAME, K_STR, 0, KLOGFWD_NAME_LEN },
	{ KLOGFWD_A_LOG_STORAGE, K_U32, 0, 1 },
	{ KLOGFWD_A_LOG_DIR, K_STR, 0, KLOGFWD_PATH_LEN },
	{ KLOGFWD_A_LOG_FRAMING, K_U32, 0, 2 },
	{ KLOGFWD_A_LOG_SEGMENT_BYTES, K_U32, 4096, 1 << 30 },
	{ KLOGFWD_A_LOG_RETAIN_BYTES, K_UINT, 0, UINT64_MAX },
	{ KLOGFWD_A_LOG_RETAIN_MS, K_UINT, 0, UINT64_MAX },
	{ KLOGFWD_A_LOG_MAX_RECORD, K_U32, 1, KLOGFWD_MAX_RECORD_LIMIT },
	{ KLOGFWD_A_LOG_OVERFLOW, K_U32, 0, 1 },
	{ KLOGFWD_A_LOG_SYNC, K_U32, 0, 2 },
	{ KLOGFWD_A_LOG_SYNC_INTERVAL_MS, K_U32, 1, 3600000 },
	{ KLOGFWD_A_LOG_MODE, K_U32, 0, 511 },
	{ KLOGFWD_A_LOG_OWNER, K_U32, 0, UINT32_MAX },
	{ KLOGFWD_A_LOG_GROUP, K_U32, 0, UINT32_MAX },
	{ KLOGFWD_A_LOG_RECORD, K_BIN, 0, 65536 },
	{ KLOGFWD_A_LOG_STATS, K_NEST, KLOGFWD_A_LOG_STATS_RECORDS, KLOGFWD_A_LOG_STATS_MAX },
	{ KLOGFWD_A_LOG_EVENT, K_U32, 0, 3 },
	{ KLOGFWD_A_LOG_COUNT, K_UINT, 0, UINT64_MAX },
};

static const struct adesc target_attrs[] = {
	{ KLOGFWD_A_TARGET_NAME, K_STR, 0, KLOGFWD_NAME_LEN },
	{ KLOGFWD_A_TARGET_LOG, K_STR, 0, KLOGFWD_NAME_LEN },
	{ KLOGFWD_A_TARGET_IPV4, K_IN4, 0, UINT32_MAX },
	{ KLOGFWD_A_TARGET_IPV6, K_IN6, 16, 16 },
	{ KLOGFWD_A_TARGET_PORT, K_U16, 1, 65535 },
	{ KLOGFWD_A_TARGET_START, K_U32, 0, 3 },
	{ KLOGFWD_A_TARGET_FROM_OFFSET, K_UINT, 0, UINT64_MAX },
	{ KLOGFWD_A_TARGET_ACK, K_U32, 0, 1 },
	{ KLOGFWD_A_TARGET_BACKOFF_MIN_MS, K_U32, 10, 3600000 },
	{ KLOGFWD_A_TARGET_BACKOFF_MAX_MS, K_U32, 10, 3600000 },
	{ KLOGFWD_A_TARGET_KEEPALIVE_S, K_U32, 0, 32767 },
	{ KLOGFWD_A_TARGET_USER_TIMEOUT_MS, K_U32, 0, 2147483647 },
	{ KLOGFWD_A_TARGET_NODELAY, K_U8, 0, 1 },
	{ KLOGFWD_A_TARGET_SNDBUF, K_U32, 0, 268435456 },
	{ KLOGFWD_A_TARGET_PAUSED, K_U8, 0, 1 },
	{ KLOGFWD_A_TARGET_STATE, K_U32, 0, 4 },
	{ KLOGFWD_A_TARGET_STATS, K_NEST, KLOGFWD_A_TARGET_STATS_NEXT_OFFSET,
	  KLOGFWD_A_TARGET_STATS_MAX },
	{ KLOGFWD_A_TARGET_TLS, K_U8, 0, 1 },
	{ KLOGFWD_A_TARGET_TLS_PEERNAME, K_STR, 0, KLOGFWD_HOSTNAME_LEN },
	{ KLOGFWD_A_TARGET_TLS_CERT, K_U32, 1, INT32_MAX },
	{ KLOGFWD_A_TARGET_TLS_KEY, K_U32, 1, INT32_MAX },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct adesc *attr_set(int cmd, int *n)
{
	switch (cmd) {
	case KLOGFWD_CMD_VERSION_GET:
		*n = NELEM(version_attrs);
		return version_attrs;
	case KLOGFWD_CMD_TARGET_NEW:
	case KLOGFWD_CMD_TARGET_DEL:
	case KLOGFWD_CMD_TARGET_GET:
	case KLOGFWD_CMD_TARGET_SET:
	case KLOGFWD_CMD_TARGET_STATE_NTF:
		*n = NELEM(target_attrs);
		return target_attrs;
	default:
		*n = NELEM(log_attrs);
		return log_attrs;
	}
}

static const struct adesc *attr_desc(int cmd, int type)
{
	const struct adesc *set;
	int n, i;

	set = attr_set(cmd, &n);
	for (i = 0; i < n; i++)
		if (set[i].type == type)
			return &set[i];
	return NULL;
}

/* --- a message under construction ---------------------------------------- */

struct fattr {
	uint16_t type;
	uint32_t len;
	uint8_t *data;
	int nla_len;		/* >= 0: written as nla_len instead of the real one */
};

struct fmsg {
	uint16_t type;
	uint16_t flags;
	uint8_t cmd, version;
	uint16_t reserved;
	int genl_len;		/* bytes of the genl header to send (4 = whole) */
	int n;
	struct fattr a[MAXATTRS];
	int tail;		/* unaligned garbage bytes after the attributes */
	int raw;		/* random payload bytes instead of attributes */
	uint8_t arena[ARENA];
	size_t used;
};

static uint8_t *arena_get(struct fmsg *m, size_t len)
{
	uint8_t *p;

	if (m->used + len > ARENA)
		return NULL;
	p = m->arena + m->used;
	m->used += (len + 3) & ~3UL;
	return p;
}

static struct fattr *add_raw(struct fmsg *m, int type, const void *data, size_t len)
{
	struct fattr *a;
	uint8_t *p;

	if (m->n >= MAXATTRS)
		return NULL;
	p = arena_get(m, len);
	if (!p)
		return NULL;
	if (data && len)
		memcpy(p, data, len);
	else if (len)
		memset(p, 0, len);
	a = &m->a[m->n++];
	*a = (struct fattr){ .type = type, .len = len, .data = p, .nla_len = -1 };
	return a;
}

static void add_u8(struct fmsg *m, int type, uint8_t v)
{
	add_raw(m, type, &v, 1);
}

static void add_u16(struct fmsg *m, int type, uint16_t v)
{
	add_raw(m, type, &v, 2);
}

static void add_u32(struct fmsg *m, int type, uint32_t v)
{
	add_raw(m, type, &v, 4);
}

static void add_u64(struct fmsg *m, int type, uint64_t v)
{
	add_raw(m, type, &v, 8);
}

static void add_uint(struct rng *r, struct fmsg *m, int type, uint64_t v)
{
	if (v <= UINT32_MAX && chance(r, 70))
		add_u32(m, type, v);
	else
		add_u64(m, type, v);
}

static void add_str(struct fmsg *m, int type, const char *s)
{
	add_raw(m, type, s, strlen(s) + 1);
}

static void add_random(struct rng *r, struct fmsg *m, int type, size_t len)
{
	struct fattr *a = add_raw(m, type, NULL, len);
	size_t i;

	if (!a)
		return;
	/* eight bytes a draw: big attributes cost little to make */
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v = rnd(r);

		memcpy(a->data + i, &v, 8);
	}
	for (; i < len; i++)
		a->data[i] = rnd(r);
}

static void fmsg_init(struct fmsg *m, int family, int cmd)
{
	m->type = family;
	m->flags = NLM_F_REQUEST | NLM_F_ACK;
	m->cmd = cmd;
	m->version = KLOGFWD_FAMILY_VERSION;
	m->reserved = 0;
	m->genl_len = GENL_HDRLEN;
	m->n = 0;
	m->tail = 0;
	m->raw = 0;
	m->used = 0;
}

/* Serialize into @out (at most @cap bytes); return the length. */
static size_t msg_put(struct fmsg *m, struct rng *r, uint8_t *out, size_t cap, uint32_t seq)
{
	struct nlmsghdr *nlh = (void *)out;
	struct genlmsghdr g = { .cmd = m->cmd, .version = m->version, .reserved = m->reserved };
	size_t len = NLMSG_HDRLEN, i;
	int k;

	memcpy(out + len, &g, m->genl_len);
	len += m->genl_len;
	if (m->genl_len == GENL_HDRLEN) {
		for (k = 0; k < m->n; k++) {
			struct fattr *a = &m->a[k];
			struct nlattr nla;
			size_t alen = NLA_HDRLEN + a->len;

			if (len + NLA_ALIGN(alen) > cap - 64)
				break;
			nla.nla_type = a->type;
			nla.nla_len = a->nla_len >= 0 ? a->nla_len : alen;
			memcpy(out + len, &nla, sizeof(nla));
			memcpy(out + len + NLA_HDRLEN, a->data, a->len);
			memset(out + len + alen, 0, NLA_ALIGN(alen) - alen);
			len += NLA_ALIGN(alen);
		}
		for (k = 0; k < m->raw && len < cap - 64; k++)
			out[len++] = rnd(r);
		for (k = 0; k < m->tail; k++)
			out[len++] = rnd(r);
	}
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = m->type;
	nlh->nlmsg_flags = m->flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	i = NLMSG_ALIGN(len);
	memset(out + len, 0, i - len);
	return i;
}

/* --- valid messages ------------------------------------------------------- */

struct fuzz {
	struct rng r;
	int fd;
	int family;
	int unpriv;
	const char *dir;
	uint16_t ports[3];	/* two with a listener, one without */
	/* counters */
	uint64_t sent, answered, replies, dones, enobufs, strays, hdr_corrupt, noreq;
	uint64_t sent_cmd[NCMD], ok_cmd[NCMD], err_cmd[NCMD];
	uint64_t errno_hist[600];
	uint64_t valid, mutated, random;
};

static const char *log_name(struct rng *r)
{
	static char name[16];

	snprintf(name, sizeof(name), "fz%u", rn(r, NLOGS));
	return name;
}

static const char *target_name(struct rng *r)
{
	static char name[16];

	snprintf(name, sizeof(name), "fzt%u", rn(r, NTARGETS));
	return name;
}

static size_t overhead(int framing, size_t len)
{
	char tmp[32];

	if (framing == KLOGFWD_FRAMING_LF)
		return 1;
	if (framing == KLOGFWD_FRAMING_OCTET)
		return snprintf(tmp, sizeof(tmp), "%zu ", len);
	return 32;
}

static void gen_log_config(struct fuzz *f, struct fmsg *m, int create)
{
	static const uint32_t segs[] = { 4096, 8192, 65536, 1 << 20 };
	struct rng *r = &f->r;
	uint32_t seg = segs[rn(r, 4)], maxrec;
	int framing = rn(r, 3), dir = create && f->dir && chance(r, 25);

	if (create) {
		if (chance(r, 70))
			add_u32(m, KLOGFWD_A_LOG_FRAMING, framing);
		else
			framing = KLOGFWD_FRAMING_LF;
		if (dir) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s/d%u", f->dir, rn(r, 4));
			add_u32(m, KLOGFWD_A_LOG_STORAGE, KLOGFWD_STORAGE_DIR);
			add_str(m, KLOGFWD_A_LOG_DIR, path);
			if (chance(r, 50))
				add_u32(m, KLOGFWD_A_LOG_SYNC, rn(r, 3));
		}
	}
	maxrec = 1 + rn(r, seg - 40);
	if (chance(r, 30))
		maxrec = seg - overhead(framing, seg);
	if (chance(r, 70))
		add_u32(m, KLOGFWD_A_LOG_SEGMENT_BYTES, seg);
	if (chance(r, 70))
		add_u32(m, KLOGFWD_A_LOG_MAX_RECORD, maxrec);
	if (chance(r, 40))
		add_uint(r, m, KLOGFWD_A_LOG_RETAIN_BYTES, chance(r, 20) ? 0 : (uint64_t)seg * (1 + rn(r, 8)));
	if (chance(r, 20))
		add_uint(r, m, KLOGFWD_A_LOG_RETAIN_MS, rn(r, 2) ? 0 : 1 + rn(r, 100000));
	if (chance(r, 30))
		add_u32(m, KLOGFWD_A_LOG_OVERFLOW, rn(r, 2));
	if (chance(r, 20))
		add_u32(m, KLOGFWD_A_LOG_SYNC_INTERVAL_MS, 1 + rn(r, 5000));
	if (chance(r, 30))
		add_u32(m, KLOGFWD_A_LOG_MODE, rn(r, 512));
	if (chance(r, 20))
		add_u32(m, KLOGFWD_A_LOG_OWNER, rn(r, 2) ? 0 : 65534);
	if (chance(r, 20))
		add_u32(m, KLOGFWD_A_LOG_GROUP, rn(r, 2) ? 0 : 65534);
}

static void gen_target_config(struct fuzz *f, struct fmsg *m)
{
	struct rng *r = &f->r;
	/* not too short: reconnect storms would eat the (emulated) CPU */
	uint32_t bmin = 200 + rn(r, 1000);

	if (chance(r, 40))
		add_u32(m, KLOGFWD_A_TARGET_BACKOFF_MIN_MS, bmin);
	if (chance(r, 40))
		add_u32(m, KLOGFWD_A_TARGET_BACKOFF_MAX_MS, bmin + rn(r, 5000));
	if (chance(r, 20))
		add_u32(m, KLOGFWD_A_TARGET_KEEPALIVE_S, rn(r, 100));
	if (chance(r, 20))
		add_u32(m, KLOGFWD_A_TARGET_USER_TIMEOUT_MS, rn(r, 60000));
	if (chance(r, 20))
		add_u8(m, KLOGFWD_A_TARGET_NODELAY, rn(r, 2));
	if (chance(r, 20))
		add_u32(m, KLOGFWD_A_TARGET_SNDBUF, rn(r, 2) ? 0 : 4096 << rn(r, 6));
	if (chance(r, 30))
		add_u8(m, KLOGFWD_A_TARGET_PAUSED, rn(r, 2));
}

static void gen_payload(struct rng *r, uint8_t *p, size_t len, int newline)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = 'a' + rn(r, 26);
	if (newline && len > 1)
		p[rn(r, len)] = '\n';
}

static void gen_valid(struct fuzz *f, struct fmsg *m, int cmd)
{
	struct rng *r = &f->r;
	int i, n;

	fmsg_init(m, f->family, cmd);
	switch (cmd) {
	case KLOGFWD_CMD_LOG_NEW:
		add_str(m, KLOGFWD_A_LOG_NAME, log_name(r));
		gen_log_config(f, m, 1);
		break;
	case KLOGFWD_CMD_LOG_SET:
		add_str(m, KLOGFWD_A_LOG_NAME, log_name(r));
		gen_log_config(f, m, 0);
		break;
	case KLOGFWD_CMD_LOG_DEL:
		add_str(m, KLOGFWD_A_LOG_NAME, log_name(r));
		break;
	case KLOGFWD_CMD_LOG_GET:
	case KLOGFWD_CMD_TARGET_GET:
		if (chance(r, 50))
			m->flags |= NLM_F_DUMP;
		else if (cmd == KLOGFWD_CMD_LOG_GET)
			add_str(m, KLOGFWD_A_LOG_NAME, log_name(r));
		else
			add_str(m, KLOGFWD_A_TARGET_NAME, target_name(r));
		break;
	case KLOGFWD_CMD_LOG_APPEND:
		add_str(m, KLOGFWD_A_LOG_NAME, log_name(r));
		n = 1 + rn(r, 8);
		for (i = 0; i < n; i++) {
			size_t len = chance(r, 90) ? 1 + rn(r, 300) : 1 + rn(r, 9000);
			struct fattr *a = add_raw(m, KLOGFWD_A_LOG_RECORD, NULL, len);

			if (a)
				gen_payload(r, a->data, len, chance(r, 5));
		}
		break;
	case KLOGFWD_CMD_TARGET_NEW: {
		uint8_t lo6[16] = { [15] = 1 };

		add_str(m, KLOGFWD_A_TARGET_NAME, target_name(r));
		add_str(m, KLOGFWD_A_TARGET_LOG, log_name(r));
		if (chance(r, 80))
			add_u32(m, KLOGFWD_A_TARGET_IPV4, htonl(INADDR_LOOPBACK));
		else
			add_raw(m, KLOGFWD_A_TARGET_IPV6, lo6, 16);
		add_u16(m, KLOGFWD_A_TARGET_PORT, f->ports[rn(r, 3)]);
		if (chance(r, 40)) {
			uint32_t start = rn(r, 4);

			add_u32(m, KLOGFWD_A_TARGET_START, start);
			if (start == KLOGFWD_START_OFFSET)
				add_uint(r, m, KLOGFWD_A_TARGET_FROM_OFFSET, rn(r, 20));
		}
		if (chance(r, 20))
			add_u32(m, KLOGFWD_A_TARGET_ACK, rn(r, 2));
		gen_target_config(f, m);
		break;
	}
	case KLOGFWD_CMD_TARGET_SET:
		add_str(m, KLOGFWD_A_TARGET_NAME, target_name(r));
		gen_target_config(f, m);
		break;
	case KLOGFWD_CMD_TARGET_DEL:
		add_str(m, KLOGFWD_A_TARGET_NAME, target_name(r));
		break;
	case KLOGFWD_CMD_VERSION_GET:
		break;
	default: {
		/* notifications and unknown commands: attributes of the set */
		const struct adesc *set = attr_set(cmd, &n);

		for (i = rn(r, 4); i > 0; i--) {
			const struct adesc *d = &set[rn(r, n)];

			if (d->kind == K_STR)
				add_str(m, d->type, log_name(r));
			else
				add_u32(m, d->type, rn(r, 4));
		}
	}
	}
}

/* --- mutations ------------------------------------------------------------ */

static uint64_t boundary(struct rng *r, const struct adesc *d)
{
	uint64_t v[] = { 0, 1, UINT32_MAX, UINT64_MAX, 0x80000000ULL, 0xffff, 0x100,
			 (uint64_t)UINT32_MAX + 1, 0, 0, 0, 0 };
	int n = 8;

	if (d) {
		v[n++] = d->min;
		v[n++] = d->min - 1;
		v[n++] = d->max;
		v[n++] = d->max + 1;
	}
	return v[rn(r, n)];
}

static void set_int(struct rng *r, struct fattr *a, uint64_t v, int width, struct fmsg *m)
{
	uint8_t *p = arena_get(m, 8);

	if (!p)
		return;
	memcpy(p, &v, 8);
	a->data = p;
	a->len = width;
}

static const char * const bad_names[] = {
	"", ".", "..", ".x", "a/b", "a b", "a\tb", "\xc3\xa9t\xc3\xa9", "-", "_", "fz0\n",
	"0123456789012345678901234567890", "01234567890123456789012345678901",
	"fz0/../fz1", "%s%n",
};

static void mutate_one(struct fuzz *f, struct fmsg *m)
{
	struct rng *r = &f->r;
	struct fattr *a = m->n ? &m->a[rn(r, m->n)] : NULL;
	const struct adesc *d = a ? attr_desc(m->cmd, a->type) : NULL;
	static const int widths[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17 };
	static const uint32_t lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33,
					 255, 4095, 4096, 4097, 8192 };
	int which = rn(r, 16), i, k;

	switch (which) {
	case 0:		/* missing attribute */
		if (a) {
			*a = m->a[m->n - 1];
			m->n--;
		}
		break;
	case 1:		/* duplicated attribute */
		if (a && m->n < MAXATTRS)
			m->a[m->n++] = *a;
		break;
	case 2: {	/* another type */
		/* 0, past the end, any, the largest, nested and byte-order flags */
		const uint16_t types[] = { 0, 20 + rn(r, 3), rn(r, 20), 0x3fff,
					   a ? a->type | NLA_F_NESTED : 0,
					   a ? a->type | NLA_F_NET_BYTEORDER : 0, rnd(r) };

		if (a)
			a->type = types[rn(r, NELEM(types))];
		break;
	}
	case 3: {	/* another length */
		uint32_t len = chance(r, 70) ? lens[rn(r, NELEM(lens))] : rn(r, 300);
		uint8_t *p;

		if (!a)
			break;
		p = arena_get(m, len);
		if (!p)
			break;
		for (i = 0; i < (int)len; i++)
			p[i] = i < (int)a->len ? a->data[i] : (uint8_t)rnd(r);
		a->data = p;
		a->len = len;
		break;
	}
	case 4:		/* boundary value, natural or other width */
		if (a) {
			int w = d && d->kind == K_U8 ? 1 : d && d->kind == K_U16 ? 2 :
				d && (d->kind == K_UINT || chance(r, 30)) ? 8 : 4;

			if (chance(r, 25))
				w = widths[rn(r, NELEM(widths))];
			if (w > 8)
				w = 8;
			set_int(r, a, boundary(r, d), w, m);
		}
		break;
	case 5:		/* bad nla_len */
		if (a) {
			static const int bad[] = { 0, 1, 2, 3, 5, 0xffff, 0x8000 };

			a->nla_len = chance(r, 50) ? bad[rn(r, NELEM(bad))] :
				     NLA_HDRLEN + a->len + 1 + rn(r, 200);
		}
		break;
	case 6: {	/* nested where flat is expected */
		uint8_t *p;
		size_t len = 0;
		int k;

		if (!a)
			break;
		p = arena_get(m, 64);
		if (!p)
			break;
		for (k = 0; k < 1 + (int)rn(r, 4); k++) {
			struct nlattr nla = { .nla_len = 8, .nla_type = 1 + rn(r, 20) };
			uint32_t v = boundary(r, NULL);

			memcpy(p + len, &nla, 4);
			memcpy(p + len + 4, &v, 4);
			len += 8;
		}
		a->type |= NLA_F_NESTED;
		a->data = p;
		a->len = len;
		break;
	}
	case 7:		/* stats: a nest in a request, or flat */
		if (m->cmd <= KLOGFWD_CMD_LOG_APPEND || m->cmd == KLOGFWD_CMD_LOG_EVENT_NTF) {
			if (chance(r, 50))
				add_u32(m, KLOGFWD_A_LOG_STATS, rnd(r));
			else
				add_random(r, m, KLOGFWD_A_LOG_STATS | NLA_F_NESTED, 8 * rn(r, 4));
		} else {
			if (chance(r, 50))
				add_u64(m, KLOGFWD_A_TARGET_STATS, rnd(r));
			else
				add_random(r, m, KLOGFWD_A_TARGET_STATS | NLA_F_NESTED, 8 * rn(r, 4));
		}
		break;
	case 8: {	/* strings: unterminated, long, empty, odd names */
		uint32_t len;
		uint8_t *p;

		if (!a)
			break;
		switch (rn(r, 4)) {
		case 0:
			if (a->len)
				a->data[a->len - 1] = 'x';
			break;
		case 1:
			len = lens[rn(r, NELEM(lens))];
			p = arena_get(m, len + 1);
			if (!p)
				break;
			memset(p, 'a' + rn(r, 26), len);
			p[len] = 0;
			a->data = p;
			a->len = len + (chance(r, 80) ? 1 : 0);
			break;
		case 2: {
			const char *s = bad_names[rn(r, NELEM(bad_names))];

			p = arena_get(m, strlen(s) + 1);
			if (!p)
				break;
			memcpy(p, s, strlen(s) + 1);
			a->data = p;
			a->len = strlen(s) + 1;
			break;
		}
		default:
			if (a->len > 2)
				a->data[rn(r, a->len - 1)] = 0;
		}
		break;
	}
	case 9:		/* an extra attribute of any type, random bytes */
		add_random(r, m, rn(r, 24), rn(r, 3) ? rn(r, 12) : rn(r, 600));
		break;
	case 10: {	/* flags */
		static const uint16_t fl[] = { NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
					       NLM_F_ECHO, NLM_F_REPLACE, NLM_F_EXCL,
					       NLM_F_CREATE, NLM_F_APPEND, NLM_F_MULTI };

		if (chance(r, 10))
			m->flags &= ~NLM_F_REQUEST;
		else if (m->flags & NLM_F_DUMP && chance(r, 50))
			m->flags &= ~NLM_F_DUMP;
		else
			m->flags ^= fl[rn(r, NELEM(fl))];
		break;
	}
	case 11:	/* genl header */
		k = rn(r, 3);
		if (k == 0)
			m->version = rnd(r);
		else if (k == 1)
			m->reserved = 1 + rn(r, 0xfffe);
		else
			m->cmd = rn(r, 20);
		break;
	case 12:	/* truncated genl header */
		m->genl_len = rn(r, GENL_HDRLEN);
		break;
	case 13:	/* unaligned garbage after the attributes */
		m->tail = 1 + rn(r, 3);
		break;
	case 14:	/* the attributes of another command */
		m->cmd = 1 + rn(r, KLOGFWD_CMD_MAX);
		break;
	default:	/* huge attribute */
		add_random(r, m, a ? a->type : 1 + rn(r, 18), 16384 + rn(r, 40000));
		break;
	}
}

static const int unknown_cmds[] = { 0, KLOGFWD_CMD_MAX + 1, KLOGFWD_CMD_MAX + 2, 100, 255 };

static void gen_message(struct fuzz *f, struct fmsg *m)
{
	struct rng *r = &f->r;
	int cmd, k;

	/* every command, and unknown ones (0, past the end, 255) */
	if (chance(r, 92))
		cmd = 1 + rn(r, KLOGFWD_CMD_MAX);
	else
		cmd = unknown_cmds[rn(r, NELEM(unknown_cmds))];
	/* the creating commands more often, so that objects exist */
	if (cmd == KLOGFWD_CMD_LOG_EVENT_NTF && chance(r, 60))
		cmd = KLOGFWD_CMD_LOG_NEW;
	if (cmd == KLOGFWD_CMD_TARGET_STATE_NTF && chance(r, 60))
		cmd = KLOGFWD_CMD_TARGET_NEW;
	gen_valid(f, m, cmd);
	k = rn(r, 100);
	if (k < 40) {
		f->valid++;
	} else if (k < 92) {
		f->mutated++;
		for (k = 1 + rn(r, 3); k > 0; k--)
			mutate_one(f, m);
	} else {
		f->random++;
		m->n = 0;
		if (chance(r, 50))
			m->raw = rn(r, 600);
		else
			for (k = rn(r, 10); k > 0; k--)
				add_random(r, m, rnd(r), rn(r, 40));
	}
}

/* --- sending and checking answers ----------------------------------------- */

struct pending {
	uint32_t seq;
	uint8_t cmd;
	uint16_t type, flags;
	int done;
	uint64_t index;		/* message number, for reproduction */
};

static int errno_expected(int e)
{
	switch (e) {
	case 0: case EINVAL: case ERANGE: case ENOENT: case EEXIST: case EPERM:
	case EOPNOTSUPP: case EMSGSIZE: case EBUSY: case ENOSPC: case EAGAIN:
	case ENODEV: case ENOTDIR: case EACCES: case E2BIG:
	case ENAMETOOLONG: case ELOOP:
		return 1;
	}
	return 0;
}

static int cmd_slot(int cmd)
{
	return cmd < NCMD - 1 ? cmd : NCMD - 1;
}

static void account(struct fuzz *f, struct pending *p, int err, const char *what)
{
	int e = -err;

	f->answered++;
	if (err > 0 || e >= (int)NELEM(f->errno_hist)) {
		fail("message %" PRIu64 " (cmd %u): %s with a positive or huge error %d",
		     p->index, p->cmd, what, err);
		return;
	}
	f->errno_hist[e]++;
	if (p->type == f->family && !(p->flags & NLM_F_REQUEST)) {
		f->noreq++;
	} else if (p->type == f->family) {
		if (err)
			f->err_cmd[cmd_slot(p->cmd)]++;
		else
			f->ok_cmd[cmd_slot(p->cmd)]++;
	}
	if (!errno_expected(e))
		fail("message %" PRIu64 " (cmd %u flags %#x): unexpected errno %d (%s)",
		     p->index, p->cmd, p->flags, e, strerror(e));
	if (f->unpriv && !err && p->type == f->family && (p->flags & NLM_F_REQUEST) &&
	    p->cmd != KLOGFWD_CMD_VERSION_GET && p->cmd >= 1 && p->cmd <= KLOGFWD_CMD_MAX)
		fail("message %" PRIu64 ": cmd %u succeeded without privilege", p->index, p->cmd);
}

static struct pending *find_pending(struct pending *p, int n, uint32_t seq)
{
	int i;

	for (i = 0; i < n; i++)
		if (p[i].seq == seq)
			return &p[i];
	return NULL;
}

/*
 * Read answers until every pending message is done. Return 0, or -1 on
 * timeout or socket error; ENOBUFS (answers lost) returns 1.
 */
static int collect(struct fuzz *f, struct pending *p, int n, int timeout_ms)
{
	static uint8_t buf[BATCH_BUF];
	uint64_t end = now_ms() + timeout_ms;
	int left = 0, i;

	for (i = 0; i < n; i++)
		left += !p[i].done;
	while (left) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		int64_t wait = end - now_ms();
		struct nlmsghdr *nlh;
		ssize_t len;

		if (wait <= 0 || poll(&pfd, 1, wait) <= 0) {
			for (i = 0; i < n; i++)
				if (!p[i].done)
					fail("message %" PRIu64 " (cmd %u flags %#x seq %u): no answer in %d ms",
					     p[i].index, p[i].cmd, p[i].flags, p[i].seq, timeout_ms);
			return -1;
		}
		len = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				f->enobufs++;
				return 1;
			}
			fail("recv: %s", strerror(errno));
			return -1;
		}
		if (len > (ssize_t)sizeof(buf)) {
			fail("answer of %zd bytes truncated", len);
			return -1;
		}
		for (nlh = (void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			struct pending *q = find_pending(p, n, nlh->nlmsg_seq);
			int err = 0;

			if (!q || q->done) {
				f->strays++;
				if (verbose)
					printf("# stray answer type %u seq %u\n", nlh->nlmsg_type,
					       nlh->nlmsg_seq);
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				err = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
				account(f, q, err, "ack");
				if (err && verbose > 1) {
					struct nl_reply rep = { 0 };

					parse_extack(nlh, &rep);
					printf("# %" PRIu64 " cmd %u: %d %s\n", q->index, q->cmd, err,
					       rep.extack);
				}
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					err = *(int *)NLMSG_DATA(nlh);
				f->dones++;
				account(f, q, err, "dump");
			} else {
				f->replies++;
				if (nlh->nlmsg_type != f->family)
					fail("message %" PRIu64 ": reply of type %u", q->index,
					     nlh->nlmsg_type);
				if (f->unpriv && q->cmd != KLOGFWD_CMD_VERSION_GET)
					fail("message %" PRIu64 ": cmd %u replied without privilege",
					     q->index, q->cmd);
				continue;
			}
			q->done = 1;
			left--;
		}
	}
	return 0;
}

static int nl_setup(struct fuzz *f)
{
	struct nl_reply rep;
	int one = 1, size = 8 << 20;

	f->fd = nl_open();
	if (f->fd < 0) {
		fail("netlink socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(f->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(f->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(f->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	f->family = nl_family(f->fd, &rep);
	if (f->family < 0) {
		fail("family klogfwd: %s", strerror(-f->family));
		return -1;
	}
	return 0;
}

/* Send one message and wait for its answer; its error, or -ETIMEDOUT. */
static int nl_sync(struct fuzz *f, struct fmsg *m, struct rng *r)
{
	static uint32_t seq = 0x80000000U;
	static uint8_t out[BATCH_BUF];
	struct pending p = { .seq = ++seq, .cmd = m->cmd, .type = m->type, .flags = m->flags };
	size_t len = msg_put(m, r, out, sizeof(out), p.seq);
	uint64_t end = now_ms() + 30000;

	if (send(f->fd, out, len, 0) < 0)
		return -errno;
	while (now_ms() < end) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		ssize_t n;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = recv(f->fd, out, sizeof(out), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
				continue;
			return -errno;
		}
		for (nlh = (void *)out; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != p.seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
		}
	}
	return -ETIMEDOUT;
}

/* logs and targets that existed before the run: cleanup() keeps them */
static char keep[2][KLF_NAMES_MAX][KLOGFWD_NAME_LEN + 1];
static int nkeep[2] = { -1, -1 };

static int kept(int cmd, const char *name)
{
	int k = cmd == KLOGFWD_CMD_LOG_GET, i;

	for (i = 0; i < nkeep[k]; i++)
		if (!strcmp(keep[k][i], name))
			return 1;
	return 0;
}

/* Names of the logs or targets the run created (all but the kept ones). */
static int dump_names(struct fuzz *f, int cmd, char names[][KLOGFWD_NAME_LEN + 1], int max)
{
	static uint8_t buf[BATCH_BUF];
	struct fmsg *m = calloc(1, sizeof(*m));
	struct rng r = { 1 };
	uint32_t seq = 0x7fff0000U + cmd;
	int n = 0, done = 0;
	size_t len;

	fmsg_init(m, f->family, cmd);
	m->flags |= NLM_F_DUMP;
	len = msg_put(m, &r, buf, sizeof(buf), seq);
	free(m);
	if (send(f->fd, buf, len, 0) < 0)
		return -1;
	while (!done) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		struct nlmsghdr *nlh;
		ssize_t rl;

		if (poll(&pfd, 1, 30000) <= 0)
			return -1;
		rl = recv(f->fd, buf, sizeof(buf), 0);
		if (rl < 0)
			return errno == ENOBUFS ? -2 : -1;
		for (nlh = (void *)buf; NLMSG_OK(nlh, rl); nlh = NLMSG_NEXT(nlh, rl)) {
			struct nlattr *nla;

			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			nla = get_attr(nlh, 1);	/* name, in both sets */
			if (nla && n < max && !kept(cmd, NLA_DATA(nla)))
				snprintf(names[n++], KLOGFWD_NAME_LEN + 1, "%s",
					 (char *)NLA_DATA(nla));
		}
	}
	return n;
}

/* Remember what exists before the run. */
static int remember(struct fuzz *f)
{
	nkeep[0] = nkeep[1] = 0;
	nkeep[0] = dump_names(f, KLOGFWD_CMD_TARGET_GET, keep[0], KLF_NAMES_MAX);
	nkeep[1] = dump_names(f, KLOGFWD_CMD_LOG_GET, keep[1], KLF_NAMES_MAX);
	return nkeep[0] < 0 || nkeep[1] < 0 ? -1 : 0;
}

/* Delete every target and log the run created; return how many are left. */
static int cleanup(struct fuzz *f)
{
	char names[KLF_NAMES_MAX][KLOGFWD_NAME_LEN + 1];
	struct fmsg *m = calloc(1, sizeof(*m));
	struct rng r = { 2 };
	int pass, i, n, err, left = -1;

	for (pass = 0; pass < 5; pass++) {
		left = 0;
		n = dump_names(f, KLOGFWD_CMD_TARGET_GET, names, KLF_NAMES_MAX);
		if (n < 0)
			continue;
		for (i = 0; i < n; i++) {
			fmsg_init(m, f->family, KLOGFWD_CMD_TARGET_DEL);
			add_str(m, KLOGFWD_A_TARGET_NAME, names[i]);
			err = nl_sync(f, m, &r);
			if (err && err != -ENOENT)
				fail("target-del %s: %s", names[i], strerror(-err));
		}
		n = dump_names(f, KLOGFWD_CMD_LOG_GET, names, KLF_NAMES_MAX);
		if (n < 0)
			continue;
		for (i = 0; i < n; i++) {
			fmsg_init(m, f->family, KLOGFWD_CMD_LOG_DEL);
			add_str(m, KLOGFWD_A_LOG_NAME, names[i]);
			err = nl_sync(f, m, &r);
			if (err && err != -ENOENT)
				fail("log-del %s: %s", names[i], strerror(-err));
		}
		left = dump_names(f, KLOGFWD_CMD_TARGET_GET, names, KLF_NAMES_MAX);
		n = dump_names(f, KLOGFWD_CMD_LOG_GET, names, KLF_NAMES_MAX);
		if (left < 0 || n < 0)
			continue;
		left += n;
		if (!left)
			break;
	}
	free(m);
	return left;
}

/* --- receivers for targets: two listeners and a closed port -------------- */

static int sink_stop;	/* read with __atomic_load_n */

struct sink {
	int lfd[2];
	int conns[128];
	int kind[128];
	int n;
};

static int listen_any(uint16_t *port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a6);
	int fd, zero = 0;

	/* IPv6 with v4-mapped addresses takes both 127.0.0.1 and ::1 */
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (!bind(fd, (void *)&a6, sizeof(a6)) && !listen(fd, 64) &&
		    !getsockname(fd, (void *)&a6, &len)) {
			*port = ntohs(a6.sin6_port);
			return fd;
		}
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	len = sizeof(a4);
	if (fd < 0 || bind(fd, (void *)&a4, sizeof(a4)) || listen(fd, 64) ||
	    getsockname(fd, (void *)&a4, &len))
		return -1;
	*port = ntohs(a4.sin_port);
	return fd;
}

static void *sink_thread(void *arg)
{
	struct sink *s = arg;
	static char buf[65536];

	while (!__atomic_load_n(&sink_stop, __ATOMIC_RELAXED)) {
		struct pollfd pfd[130];
		int i, n = 0;

		for (i = 0; i < 2; i++)
			pfd[n++] = (struct pollfd){ .fd = s->lfd[i], .events = POLLIN };
		for (i = 0; i < s->n; i++)
			pfd[n++] = (struct pollfd){ .fd = s->conns[i], .events = POLLIN };
		if (poll(pfd, n, 100) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			int c;

			if (!(pfd[i].revents & POLLIN))
				continue;
			c = accept4(s->lfd[i], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (s->n == 128) {
				close(c);
				continue;
			}
			s->kind[s->n] = i;
			s->conns[s->n++] = c;
		}
		for (i = s->n - 1; i >= 0; i--) {
			ssize_t r;

			if (!pfd[2 + i].revents)
				continue;
			r = read(s->conns[i], buf, sizeof(buf));
			/* the second listener hangs up after the first read */
			if (r == 0 || (r < 0 && errno != EAGAIN) || s->kind[i] == 1) {
				close(s->conns[i]);
				s->conns[i] = s->conns[--s->n];
				s->kind[i] = s->kind[s->n];
			}
		}
	}
	while (s->n)
		close(s->conns[--s->n]);
	return NULL;
}

static uint16_t closed_port(void)
{
	uint16_t port = 0;
	int fd = listen_any(&port);

	close(fd);
	return port;
}

/* --- the netlink fuzzer ----------------------------------------------------- */

static const char *cmd_names[NCMD] = {
	"cmd-0", "version-get", "log-new", "log-del", "log-get", "log-set", "log-append",
	"target-new", "target-del", "target-get", "target-set", "log-event-ntf",
	"target-state-ntf", "stats-get", "target-event-ntf", "cmd-15+",
};

static int resync(struct fuzz *f)
{
	struct fmsg *m = malloc(sizeof(*m));
	struct rng r = { 3 };
	int err;

	fmsg_init(m, f->family, KLOGFWD_CMD_VERSION_GET);
	err = nl_sync(f, m, &r);
	free(m);
	if (err)
		fail("version-get after a resync: %s", strerror(-err));
	return err;
}

static void print_msg(uint64_t idx, struct fmsg *m)
{
	int k, j;

	printf("# msg %" PRIu64 ": type %u flags %#x cmd %u ver %u res %u genl %d tail %d raw %d:",
	       idx, m->type, m->flags, m->cmd, m->version, m->reserved, m->genl_len, m->tail, m->raw);
	for (k = 0; k < m->n; k++) {
		printf(" [%#x len %u", m->a[k].type, m->a[k].len);
		if (m->a[k].nla_len >= 0)
			printf(" nla_len %d", m->a[k].nla_len);
		printf(" ");
		for (j = 0; j < (int)m->a[k].len && j < 24; j++)
			printf(m->a[k].data[j] >= 32 && m->a[k].data[j] < 127 ? "%c" : "\\x%02x",
			       m->a[k].data[j]);
		printf("]");
	}
	printf("\n");
}

static void run_netlink(struct fuzz *f, uint64_t count, int batch, int timeout_ms)
{
	static uint8_t out[SEND_MAX + 4096];
	struct fmsg *m = malloc(sizeof(*m));
	struct pending *p = calloc(batch + 1, sizeof(*p));
	uint32_t seq = 1;
	uint64_t idx = 0;

	while (idx < count && !fail_count) {
		int nb = 1 + rn(&f->r, batch), np = 0, corrupt = 0, rc;
		size_t len = 0;

		while (np < nb && idx < count) {
			size_t room = SEND_MAX - len;

			if (room < 70000 && np)
				break;
			gen_message(f, m);
			p[np] = (struct pending){ .seq = seq, .cmd = m->cmd, .type = m->type,
						  .flags = m->flags, .index = idx };
			len += msg_put(m, &f->r, out + len, room, seq);
			if (verbose > 2)
				print_msg(idx, m);
			f->sent++;
			f->sent_cmd[cmd_slot(m->cmd)]++;
			seq++;
			np++;
			idx++;
		}
		/* a broken netlink header ends the batch: the kernel stops there */
		if (idx < count && chance(&f->r, 3) && SEND_MAX - len > 70000) {
			struct nlmsghdr *nlh = (void *)(out + len);
			size_t mlen;
			static const int lens[] = { 0, 1, 4, 15, 16, 17, 19, 20 };

			gen_message(f, m);
			mlen = msg_put(m, &f->r, out + len, SEND_MAX - len, seq++);
			if (chance(&f->r, 50))
				nlh->nlmsg_len = lens[rn(&f->r, NELEM(lens))];
			else
				nlh->nlmsg_len = mlen + 1 + rn(&f->r, 5000);
			len += mlen;
			f->sent++;
			f->hdr_corrupt++;
			f->sent_cmd[cmd_slot(m->cmd)]++;
			idx++;
			corrupt = 1;
		}
		if (send(f->fd, out, len, 0) < 0) {
			fail("send of %zu bytes: %s", len, strerror(errno));
			break;
		}
		rc = collect(f, p, np, timeout_ms);
		if (rc < 0)
			break;
		if (rc > 0 || corrupt)
			resync(f);
	}
	free(p);
	free(m);
}

static void print_summary(struct fuzz *f, const char *what, double secs)
{
	int i;

	printf("# %s: %" PRIu64 " messages in %.1f s (%.0f/s): %" PRIu64 " valid, %" PRIu64
	       " mutated, %" PRIu64 " random, %" PRIu64 " broken headers\n",
	       what, f->sent, secs, secs > 0 ? f->sent / secs : 0.0, f->valid, f->mutated,
	       f->random, f->hdr_corrupt);
	printf("# answers %" PRIu64 ", replies %" PRIu64 ", dumps done %" PRIu64
	       ", acked without NLM_F_REQUEST %" PRIu64 ", ENOBUFS %" PRIu64 ", strays %" PRIu64 "\n",
	       f->answered, f->replies, f->dones, f->noreq, f->enobufs, f->strays);
	printf("# per op (sent/ok/error):");
	for (i = 0; i < NCMD; i++)
		if (f->sent_cmd[i])
			printf(" %s %" PRIu64 "/%" PRIu64 "/%" PRIu64, cmd_names[i], f->sent_cmd[i],
			       f->ok_cmd[i], f->err_cmd[i]);
	printf("\n# errno histogram:");
	for (i = 0; i < (int)NELEM(f->errno_hist); i++)
		if (f->errno_hist[i])
			printf(" %s %" PRIu64, i ? strerrorname_np(i) ?: "?" : "0", f->errno_hist[i]);
	printf("\n");
}

/* --- the device fuzzer ------------------------------------------------------ */

struct dlog {
	const char *name;
	int framing;
	uint32_t segment, max_record;
	uint64_t retain;
};

static struct dlog dlogs[] = {
	{ "fzd-lf", KLOGFWD_FRAMING_LF, 4096, 200, 16384 },
	{ "fzd-octet", KLOGFWD_FRAMING_OCTET, 65536, 3000, 262144 },
	{ "fzd-klf", KLOGFWD_FRAMING_KLF, 1 << 20, 65536, 4 << 20 },
};

#define NDLOGS ((int)NELEM(dlogs))

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Payload: "%08x:" with a sequence number, then filler derived from it. */
static void make_payload(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i = 0;
	char tmp[16];

	if (len >= 10) {
		snprintf(tmp, sizeof(tmp), "%08x:", seq);
		memcpy(p, tmp, 9);
		i = 9;
	} else {
		seq = 0;
	}
	for (; i < len; i++)
		p[i] = 'a' + ((seq * 2654435761U + i * 40503U) >> 9) % 26;
}

/* -1 if bad, else the payload's sequence number (0 for short ones) */
static int64_t check_payload(const uint8_t *p, size_t len)
{
	static __thread uint8_t *want;
	uint32_t seq = 0;
	char tmp[16];

	if (!want)
		want = malloc(KLOGFWD_MAX_RECORD_LIMIT + 16);
	if (len >= 10) {
		memcpy(tmp, p, 9);
		tmp[9] = 0;
		if (tmp[8] != ':' || sscanf(tmp, "%8x", &seq) != 1)
			return -1;
	}
	make_payload(want, len, seq);
	return memcmp(want, p, len) ? -1 : seq;
}

struct rec {
	uint32_t len;
	int64_t seq;
	uint64_t offset;	/* klf only */
};

/*
 * Parse @len bytes of @framing as whole records into @recs (at most @max);
 * return how many, or -1 with @why set.
 */
static int parse_records(int framing, const uint8_t *buf, size_t len, struct rec *recs,
			 int max, const char **why)
{
	size_t pos = 0;
	int n = 0;

	while (pos < len) {
		size_t plen, poff;

		if (framing == KLOGFWD_FRAMING_LF) {
			const uint8_t *nl = memchr(buf + pos, '\n', len - pos);

			if (!nl) {
				*why = "lf: a partial record";
				return -1;
			}
			poff = pos;
			plen = nl - (buf + pos);
			pos += plen + 1;
		} else if (framing == KLOGFWD_FRAMING_OCTET) {
			size_t i = pos;

			plen = 0;
			while (i < len && buf[i] >= '0' && buf[i] <= '9' && i - pos < 8)
				plen = plen * 10 + buf[i++] - '0';
			if (i == pos || i >= len || buf[i] != ' ' || buf[pos] == '0') {
				*why = "octet: a bad length prefix";
				return -1;
			}
			poff = i + 1;
			if (poff + plen > len) {
				*why = "octet: a partial record";
				return -1;
			}
			pos = poff + plen;
		} else {
			const uint8_t *h = buf + pos;
			uint8_t hdr[32];

			if (len - pos < 32 || le(h, 4) != 0x31464c4bU || le(h + 4, 2) != 32) {
				*why = "klf: a bad or partial header";
				return -1;
			}
			plen = le(h + 8, 4);
			poff = pos + 32;
			if (poff + plen > len) {
				*why = "klf: a partial record";
				return -1;
			}
			memcpy(hdr, h, 32);
			memset(hdr + 12, 0, 4);
			if (le(h + 12, 4) != crc32c(crc32c(~0U, hdr, 32), h + 32, plen)) {
				*why = "klf: bad CRC32C";
				return -1;
			}
			if (n < max)
				recs[n].offset = le(h + 16, 8);
			if (n && n <= max && recs[n - 1].offset + 1 != le(h + 16, 8)) {
				*why = "klf: offsets not consecutive within a read";
				return -1;
			}
			pos = poff + plen;
		}
		if (!plen) {
			*why = "an empty record";
			return -1;
		}
		if (n < max) {
			recs[n].len = plen;
			recs[n].seq = check_payload(buf + poff, plen);
			if (recs[n].seq < 0) {
				*why = "a corrupt payload";
				return -1;
			}
		}
		n++;
	}
	return n;
}

static int dlog_create(struct fuzz *f, struct dlog *d)
{
	struct fmsg *m = malloc(sizeof(*m));
	struct rng r = { 4 };
	int err;

	fmsg_init(m, f->family, KLOGFWD_CMD_LOG_NEW);
	add_str(m, KLOGFWD_A_LOG_NAME, d->name);
	add_u32(m, KLOGFWD_A_LOG_FRAMING, d->framing);
	add_u32(m, KLOGFWD_A_LOG_SEGMENT_BYTES, d->segment);
	add_u32(m, KLOGFWD_A_LOG_MAX_RECORD, d->max_record);
	add_u64(m, KLOGFWD_A_LOG_RETAIN_BYTES, d->retain);
	err = nl_sync(f, m, &r);
	free(m);
	return err;
}

static int dlog_simple(struct fuzz *f, int cmd, struct dlog *d, int attr, uint32_t v)
{
	struct fmsg *m = malloc(sizeof(*m));
	struct rng r = { 5 };
	int err;

	fmsg_init(m, f->family, cmd);
	add_str(m, KLOGFWD_A_LOG_NAME, d->name);
	if (attr)
		add_u32(m, attr, v);
	err = nl_sync(f, m, &r);
	free(m);
	return err;
}

static int dev_open(struct dlog *d, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/klogfwd/%s", d->name);
	return open(path, flags | O_CLOEXEC);
}

#define EXPECT(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

/* Returns what write/writev returned, or -errno. */
static ssize_t ret_of(ssize_t r)
{
	return r < 0 ? -errno : r;
}

/* Single-threaded edge cases with exact results; then read back exactly. */
static void dev_exact(struct fuzz *f, struct dlog *d)
{
	static uint8_t buf[3 << 20];
	static struct iovec iov[IOV_MAX + 1];
	struct rec want[64], got[64];
	uint32_t M = d->max_record, seq = 1;
	int fd, nw = 0, i, n;
	const char *why = "";
	struct pollfd pfd;
	ssize_t r;
	off_t o;

#define WRITE_OK(wl, rl) do {							\
	make_payload(buf, (rl), seq);						\
	r = ret_of(write(fd, buf, (wl)));					\
	EXPECT(r == (ssize_t)(wl), "%s: write(%zu) = %zd, want %zu", d->name,	\
	       (size_t)(wl), r, (size_t)(wl));					\
	if (r == (ssize_t)(wl))							\
		want[nw++] = (struct rec){ .len = (rl), .seq = (rl) >= 10 ? seq : 0 }; \
	seq++;									\
} while (0)

	fd = dev_open(d, O_RDWR);
	if (fd < 0) {
		fail("open %s: %s", d->name, strerror(errno));
		return;
	}
	r = ret_of(write(fd, buf, 0));
	EXPECT(r == 0, "%s: write(0) = %zd, want 0", d->name, r);
	WRITE_OK(1, 1);
	WRITE_OK(M - 1, M - 1);
	WRITE_OK(M, M);
	make_payload(buf, M + 1, seq);
	r = ret_of(write(fd, buf, M + 1));
	EXPECT(r == -EMSGSIZE, "%s: write(max-record + 1) = %zd, want -EMSGSIZE", d->name, r);
	make_payload(buf, M, seq);
	buf[M] = '\n';
	r = ret_of(write(fd, buf, M + 1));
	EXPECT(r == M + 1, "%s: write(max-record + newline) = %zd, want %u", d->name, r, M + 1);
	if (r == M + 1)
		want[nw++] = (struct rec){ .len = M, .seq = seq };
	seq++;
	r = ret_of(write(fd, buf, 2 << 20));
	EXPECT(r == -EMSGSIZE, "%s: write(2 MiB) = %zd, want -EMSGSIZE", d->name, r);
	r = ret_of(write(fd, "\n", 1));
	EXPECT(r == -EINVAL, "%s: write(\"\\n\") = %zd, want -EINVAL", d->name, r);
	if (d->framing == KLOGFWD_FRAMING_LF) {
		make_payload(buf, 20, seq);
		buf[12] = '\n';
		r = ret_of(write(fd, buf, 20));
		EXPECT(r == -EINVAL, "%s: a newline inside an lf record = %zd, want -EINVAL",
		       d->name, r);
	}
	/* writev: 1024 one-byte iovecs */
	make_payload(buf, 1024, seq);
	for (i = 0; i < 1024; i++)
		iov[i] = (struct iovec){ buf + i, 1 };
	r = ret_of(writev(fd, iov, 1024));
	if (M >= 1024) {
		EXPECT(r == 1024, "%s: writev(1024 x 1 byte) = %zd", d->name, r);
		if (r == 1024)
			want[nw++] = (struct rec){ .len = 1024, .seq = seq };
	} else {
		EXPECT(r == -EMSGSIZE, "%s: writev(1024 x 1 byte) = %zd, want -EMSGSIZE", d->name, r);
	}
	seq++;
	/* too many iovecs */
	for (i = 0; i <= IOV_MAX; i++)
		iov[i] = (struct iovec){ buf, 0 };
	iov[0].iov_len = 1;
	r = ret_of(writev(fd, iov, IOV_MAX + 1));
	EXPECT(r == -EINVAL, "%s: writev(IOV_MAX + 1) = %zd, want -EINVAL", d->name, r);
	/* zero-length iovecs between the others */
	make_payload(buf, 12, seq);
	iov[0] = (struct iovec){ buf, 0 };
	iov[1] = (struct iovec){ buf, 5 };
	iov[2] = (struct iovec){ buf, 0 };
	iov[3] = (struct iovec){ NULL, 0 };
	iov[4] = (struct iovec){ buf + 5, 7 };
	iov[5] = (struct iovec){ buf, 0 };
	r = ret_of(writev(fd, iov, 6));
	EXPECT(r == 12, "%s: writev with empty iovecs = %zd, want 12", d->name, r);
	if (r == 12)
		want[nw++] = (struct rec){ .len = 12, .seq = seq };
	seq++;
	/* all empty */
	r = ret_of(writev(fd, iov, 1));
	EXPECT(r == 0, "%s: writev of one empty iovec = %zd, want 0", d->name, r);
	/* three iovecs summing to max-record + 1 */
	make_payload(buf, M + 1, seq);
	iov[0] = (struct iovec){ buf, 1 };
	iov[1] = (struct iovec){ buf + 1, M - 1 };
	iov[2] = (struct iovec){ buf + M, 1 };
	r = ret_of(writev(fd, iov, 3));
	EXPECT(r == -EMSGSIZE, "%s: writev summing to max-record + 1 = %zd", d->name, r);
	seq++;
	close(fd);

	/* read back: exactly the records written, in order */
	fd = dev_open(d, O_RDWR);
	if (fd < 0) {
		fail("open %s: %s", d->name, strerror(errno));
		return;
	}
	r = ret_of(read(fd, buf, 1));
	EXPECT(r == -EMSGSIZE, "%s: read(1 byte) = %zd, want -EMSGSIZE", d->name, r);
	r = ret_of(read(fd, buf, sizeof(buf)));
	n = r > 0 ? parse_records(d->framing, buf, r, got, 64, &why) : -1;
	EXPECT(n == nw, "%s: read back %d records (%zd bytes, %s), want %d", d->name, n, r,
	       n < 0 ? why : "", nw);
	for (i = 0; i < n && i < nw; i++)
		EXPECT(got[i].len == want[i].len && got[i].seq == want[i].seq,
		       "%s: record %d: %u bytes seq %" PRId64 ", want %u bytes seq %" PRId64,
		       d->name, i, got[i].len, got[i].seq, want[i].len, want[i].seq);
	r = ret_of(read(fd, buf, sizeof(buf)));
	EXPECT(r == 0, "%s: read at the end = %zd, want 0", d->name, r);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	EXPECT(poll(&pfd, 1, 0) == 1 && !(pfd.revents & POLLIN) && (pfd.revents & POLLOUT),
	       "%s: poll at the end: revents %#x", d->name, pfd.revents);

	/* lseek: in range, out of range, unsupported */
	o = lseek(fd, 0, SEEK_END);
	EXPECT(o == nw, "%s: SEEK_END = %lld, want %d", d->name, (long long)o, nw);
	EXPECT(lseek(fd, nw + 1, SEEK_SET) < 0 && errno == EINVAL, "%s: SEEK_SET past the end", d->name);
	EXPECT(lseek(fd, -1, SEEK_SET) < 0 && errno == EINVAL, "%s: SEEK_SET -1", d->name);
	EXPECT(lseek(fd, -(nw + 1), SEEK_CUR) < 0 && errno == EINVAL, "%s: SEEK_CUR before 0", d->name);
	EXPECT(lseek(fd, LLONG_MAX, SEEK_SET) < 0 && errno == EINVAL, "%s: SEEK_SET LLONG_MAX", d->name);
	EXPECT(lseek(fd, LLONG_MIN, SEEK_END) < 0 && errno == EINVAL, "%s: SEEK_END LLONG_MIN", d->name);
	EXPECT(lseek(fd, LLONG_MAX, SEEK_CUR) < 0 && errno == EINVAL, "%s: SEEK_CUR LLONG_MAX", d->name);
	EXPECT(lseek(fd, 0, SEEK_DATA) < 0 && errno == EINVAL, "%s: SEEK_DATA", d->name);
	EXPECT(lseek(fd, 0, SEEK_HOLE) < 0 && errno == EINVAL, "%s: SEEK_HOLE", d->name);
	EXPECT(lseek(fd, 0, 77) < 0 && errno == EINVAL, "%s: whence 77", d->name);
	for (i = nw - 1; i >= 0; i--) {
		o = lseek(fd, i, SEEK_SET);
		r = ret_of(read(fd, buf, sizeof(buf)));
		n = r > 0 ? parse_records(d->framing, buf, r, got, 64, &why) : -1;
		EXPECT(o == i && n == nw - i && got[0].seq == want[i].seq,
		       "%s: seek to %d and read: %d records (%s)", d->name, i, n, n < 0 ? why : "");
	}
	o = lseek(fd, 1, SEEK_SET);
	o = lseek(fd, 1, SEEK_CUR);
	EXPECT(o == 2, "%s: SEEK_CUR 1 from 1 = %lld", d->name, (long long)o);
	o = lseek(fd, -1, SEEK_END);
	EXPECT(o == nw - 1, "%s: SEEK_END -1 = %lld", d->name, (long long)o);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "%s: poll before the last record",
	       d->name);
	/*
	 * Records larger than a lowered max-record still read back whole
	 * (the kernel sized its read buffer by max-record: EBADMSG).
	 */
	EXPECT(!dlog_simple(f, KLOGFWD_CMD_LOG_SET, d, KLOGFWD_A_LOG_MAX_RECORD, 1),
	       "%s: log-set max-record 1", d->name);
	o = lseek(fd, 0, SEEK_SET);
	r = ret_of(read(fd, buf, sizeof(buf)));
	n = r > 0 ? parse_records(d->framing, buf, r, got, 64, &why) : -1;
	EXPECT(n == nw, "%s: read after lowering max-record: %zd (%d records), want %d records",
	       d->name, r, n, nw);
	r = ret_of(write(fd, "xy", 2));
	EXPECT(r == -EMSGSIZE, "%s: write(2) with max-record 1 = %zd", d->name, r);
	EXPECT(!dlog_simple(f, KLOGFWD_CMD_LOG_SET, d, KLOGFWD_A_LOG_MAX_RECORD, M),
	       "%s: log-set max-record back", d->name);

	/* deleted under an open descriptor: ENODEV, POLLERR|POLLHUP */
	EXPECT(!dlog_simple(f, KLOGFWD_CMD_LOG_DEL, d, 0, 0), "%s: log-del", d->name);
	r = ret_of(read(fd, buf, sizeof(buf)));
	EXPECT(r == -ENODEV, "%s: read after log-del = %zd, want -ENODEV", d->name, r);
	r = ret_of(write(fd, "x", 1));
	EXPECT(r == -ENODEV, "%s: write after log-del = %zd, want -ENODEV", d->name, r);
	o = lseek(fd, 0, SEEK_SET);
	EXPECT(o < 0 && errno == ENODEV, "%s: lseek after log-del = %lld", d->name, (long long)o);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	EXPECT(poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)),
	       "%s: poll after log-del: %#x", d->name, pfd.revents);
	close(fd);
	EXPECT(!dlog_create(f, d), "%s: log-new again", d->name);
#undef WRITE_OK
}

/*
 * A dir log whose sealed segment lost its tail (a torn write that reached
 * the disk after the next segment did): recovery cuts the torn record,
 * leaving an offset that no segment holds. Readers and targets must step
 * over it (the kernel looped forever under the log's lock).
 */
static void dev_gap(struct fuzz *f, const char *dir)
{
	static uint8_t buf[1 << 16];
	struct dlog d = { "fzd-gap", KLOGFWD_FRAMING_LF, 4096, 1000, 0 };
	struct fmsg *m = malloc(sizeof(*m));
	char path[PATH_MAX], seg0[PATH_MAX + 32];
	struct rng r = { 6 };
	struct rec got[16];
	const char *why = "";
	int fd, i, n, err;
	ssize_t ret;

	snprintf(path, sizeof(path), "%s/gap", dir);
	snprintf(seg0, sizeof(seg0), "%s/%020d.log", path, 0);
	mkdir(path, 0700);
	for (i = 0; i < 2; i++) {
		fmsg_init(m, f->family, KLOGFWD_CMD_LOG_NEW);
		add_str(m, KLOGFWD_A_LOG_NAME, d.name);
		add_u32(m, KLOGFWD_A_LOG_STORAGE, KLOGFWD_STORAGE_DIR);
		add_str(m, KLOGFWD_A_LOG_DIR, path);
		add_u32(m, KLOGFWD_A_LOG_SEGMENT_BYTES, d.segment);
		add_u32(m, KLOGFWD_A_LOG_MAX_RECORD, d.max_record);
		err = nl_sync(f, m, &r);
		if (err) {
			fail("gap: log-new on %s: %s", path, strerror(-err));
			goto out;
		}
		if (i)
			break;
		/* 12 records of 900 bytes: 4 per segment, bases 0, 4 and 8 */
		fd = dev_open(&d, O_WRONLY);
		for (n = 0; n < 12 && fd >= 0; n++) {
			make_payload(buf, 900, n);
			if (write(fd, buf, 900) != 900)
				fail("gap: write: %s", strerror(errno));
		}
		close(fd);
		dlog_simple(f, KLOGFWD_CMD_LOG_DEL, &d, 0, 0);
		if (truncate(seg0, 4 * 901 - 10))
			fail("gap: truncate %s: %s", seg0, strerror(errno));
	}
	fd = dev_open(&d, O_RDONLY);
	ret = fd < 0 ? -errno : ret_of(read(fd, buf, sizeof(buf)));
	n = ret > 0 ? parse_records(d.framing, buf, ret, got, 16, &why) : -1;
	EXPECT(n == 11, "gap: read %zd bytes, %d records (%s), want 11", ret, n, why);
	for (i = 0; i < n && i < 16; i++)
		EXPECT(got[i].seq == (i < 3 ? i : i + 1), "gap: record %d has seq %" PRId64, i,
		       got[i].seq);
	if (fd >= 0)
		close(fd);
	EXPECT(!dlog_simple(f, KLOGFWD_CMD_LOG_DEL, &d, 0, 0), "gap: log-del");
out:
	free(m);
}

/* --- concurrent phase ------------------------------------------------------- */

struct dstats {
	uint64_t ops, writes, write_err, reads, read_bytes, records, read_err, seeks, polls, opens,
		 open_err, enodev;
};

struct dthread {
	pthread_t tid;
	struct rng r;
	int id;
	uint64_t ops;
	struct dstats st;
};

static int dev_stop;	/* read with __atomic_load_n */

static void dev_errno(const char *op, struct dlog *d, int e, const int *ok)
{
	for (; *ok; ok++)
		if (e == *ok)
			return;
	fail("%s on %s: unexpected errno %d (%s)", op, d->name, e, strerror(e));
}

static void *dev_worker(void *arg)
{
	static const int open_ok[] = { ENOENT, ENXIO, ENODEV, 0 };
	static const int write_ok[] = { EMSGSIZE, EINVAL, ENODEV, EAGAIN, 0 };
	static const int read_ok[] = { EMSGSIZE, ENODEV, EAGAIN, 0 };
	static const int seek_ok[] = { EINVAL, ENODEV, 0 };
	struct dthread *t = arg;
	struct rng *r = &t->r;
	int fds[NDLOGS], i;
	uint8_t *buf = malloc(3 << 20);
	struct rec *recs = malloc(sizeof(*recs) * 4096);
	struct iovec iov[64];

	for (i = 0; i < NDLOGS; i++)
		fds[i] = -1;
	for (t->st.ops = 0; t->st.ops < t->ops && !fail_count; t->st.ops++) {
		int k = rn(r, NDLOGS), op = rn(r, 100);
		struct dlog *d = &dlogs[k];
		const char *why = "";
		ssize_t ret;

		if (fds[k] < 0 || chance(r, 3)) {
			if (fds[k] >= 0)
				close(fds[k]);
			t->st.opens++;
			fds[k] = dev_open(d, O_RDWR | (chance(r, 30) ? O_NONBLOCK : 0));
			if (fds[k] < 0) {
				t->st.open_err++;
				dev_errno("open", d, errno, open_ok);
				continue;
			}
		}
		if (op < 40) {		/* write or writev */
			uint32_t len = chance(r, 90) ? 1 + rn(r, d->max_record) :
				       d->max_record + rn(r, 3);
			uint32_t seq = rnd(r);

			make_payload(buf, len, seq);
			if (chance(r, 50)) {
				ret = write(fds[k], buf, len);
			} else {
				int n = 1 + rn(r, 64), j;
				uint32_t pos = 0;

				for (j = 0; j < n; j++) {
					uint32_t l = j == n - 1 ? len - pos : rn(r, len - pos + 1);

					iov[j] = (struct iovec){ buf + pos, chance(r, 10) ? 0 : l };
					pos += iov[j].iov_len;
				}
				ret = writev(fds[k], iov, n);
			}
			t->st.writes++;
			if (ret < 0) {
				t->st.write_err++;
				t->st.enodev += errno == ENODEV;
				dev_errno("write", d, errno, write_ok);
			}
		} else if (op < 75) {	/* read, whole records */
			size_t size = chance(r, 80) ? 1 + rn(r, 3 << 20) : 1 + rn(r, 100);
			int n;

			ret = read(fds[k], buf, size);
			t->st.reads++;
			if (ret < 0) {
				t->st.read_err++;
				t->st.enodev += errno == ENODEV;
				dev_errno("read", d, errno, read_ok);
				continue;
			}
			n = parse_records(d->framing, buf, ret, recs, 4096, &why);
			if (n < 0) {
				fail("read of %zd bytes from %s: %s", ret, d->name, why);
				continue;
			}
			t->st.read_bytes += ret;
			t->st.records += n;
		} else if (op < 90) {	/* seek anywhere */
			static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE, 9 };
			static const off_t wild[] = { 0, 1, -1, LLONG_MAX, LLONG_MIN, 1LL << 40,
						      -(1LL << 40) };
			off_t off = chance(r, 70) ? (off_t)rn(r, 200) - 100 : wild[rn(r, NELEM(wild))];

			t->st.seeks++;
			if (lseek(fds[k], off, wh[rn(r, NELEM(wh))]) < 0) {
				t->st.enodev += errno == ENODEV;
				dev_errno("lseek", d, errno, seek_ok);
			}
		} else if (op < 97) {	/* poll */
			struct pollfd pfd = { .fd = fds[k], .events = POLLIN | POLLOUT };

			t->st.polls++;
			if (poll(&pfd, 1, rn(r, 3)) < 0)
				fail("poll on %s: %s", d->name, strerror(errno));
		} else {		/* close */
			close(fds[k]);
			fds[k] = -1;
		}
	}
	for (i = 0; i < NDLOGS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(buf);
	free(recs);
	return NULL;
}

struct chaos {
	struct fuzz f;
	struct rng r;
	uint64_t recreated, sets, appends;
};

/* Delete and re-create logs, change max-record and mode, append. */
static void *dev_chaos(void *arg)
{
	struct chaos *c = arg;
	struct fmsg *m = malloc(sizeof(*m));

	while (!__atomic_load_n(&dev_stop, __ATOMIC_RELAXED) && !fail_count) {
		struct dlog *d = &dlogs[rn(&c->r, NDLOGS)];
		int op = rn(&c->r, 10), err;

		if (op < 3) {
			err = dlog_simple(&c->f, KLOGFWD_CMD_LOG_DEL, d, 0, 0);
			if (err && err != -ENOENT)
				fail("chaos: log-del %s: %s", d->name, strerror(-err));
			err = dlog_create(&c->f, d);
			if (err)
				fail("chaos: log-new %s: %s", d->name, strerror(-err));
			c->recreated++;
		} else if (op < 6) {
			/* lower max-record for a moment, then restore it */
			uint32_t lower = 1 + rn(&c->r, d->max_record);

			err = dlog_simple(&c->f, KLOGFWD_CMD_LOG_SET, d, KLOGFWD_A_LOG_MAX_RECORD, lower);
			if (!err)
				err = dlog_simple(&c->f, KLOGFWD_CMD_LOG_SET, d,
						  KLOGFWD_A_LOG_MAX_RECORD, d->max_record);
			if (err && err != -ENOENT)
				fail("chaos: log-set max-record %s: %s", d->name, strerror(-err));
			c->sets++;
		} else if (op < 7) {
			/* a new mode re-creates the device node */
			err = dlog_simple(&c->f, KLOGFWD_CMD_LOG_SET, d, KLOGFWD_A_LOG_MODE,
					  rn(&c->r, 2) ? 0600 : 0640);
			if (err && err != -ENOENT)
				fail("chaos: log-set mode %s: %s", d->name, strerror(-err));
			c->sets++;
		} else {
			int n = 1 + rn(&c->r, 4), i;

			fmsg_init(m, c->f.family, KLOGFWD_CMD_LOG_APPEND);
			add_str(m, KLOGFWD_A_LOG_NAME, d->name);
			for (i = 0; i < n; i++) {
				uint32_t len = 1 + rn(&c->r, d->max_record < 2000 ? d->max_record : 2000);
				struct fattr *a = add_raw(m, KLOGFWD_A_LOG_RECORD, NULL, len);

				if (a)
					make_payload(a->data, len, rnd(&c->r));
			}
			err = nl_sync(&c->f, m, &c->r);
			if (err && err != -ENOENT && err != -EMSGSIZE && err != -ENODEV)
				fail("chaos: log-append %s: %s", d->name, strerror(-err));
			c->appends++;
		}
		usleep(1000 * rn(&c->r, 20));
	}
	free(m);
	return NULL;
}

static void run_dev(struct fuzz *f, uint64_t seed, uint64_t count, int nthreads)
{
	struct dthread *t = calloc(nthreads, sizeof(*t));
	struct chaos *c = calloc(1, sizeof(*c));
	pthread_t ctid;
	struct dstats sum = { 0 };
	uint64_t start = now_ms();
	int i, err;

	for (i = 0; i < NDLOGS; i++) {
		err = dlog_create(f, &dlogs[i]);
		if (err) {
			fail("log-new %s: %s", dlogs[i].name, strerror(-err));
			return;
		}
	}
	for (i = 0; i < NDLOGS; i++)
		dev_exact(f, &dlogs[i]);
	if (f->dir)
		dev_gap(f, f->dir);
	printf("# device edge cases: %s\n", fail_count ? "FAILED" : "ok");
	if (fail_count)
		return;

	c->f = *f;
	c->r.s = seed ^ 0xc4a05;
	if (nl_setup(&c->f))
		return;
	pthread_create(&ctid, NULL, dev_chaos, c);
	for (i = 0; i < nthreads; i++) {
		t[i].r.s = seed * 1000003 + i;
		t[i].ops = count / nthreads;
		pthread_create(&t[i].tid, NULL, dev_worker, &t[i]);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(t[i].tid, NULL);
		sum.ops += t[i].st.ops;
		sum.writes += t[i].st.writes;
		sum.write_err += t[i].st.write_err;
		sum.reads += t[i].st.reads;
		sum.read_err += t[i].st.read_err;
		sum.read_bytes += t[i].st.read_bytes;
		sum.records += t[i].st.records;
		sum.seeks += t[i].st.seeks;
		sum.polls += t[i].st.polls;
		sum.opens += t[i].st.opens;
		sum.open_err += t[i].st.open_err;
		sum.enodev += t[i].st.enodev;
	}
	__atomic_store_n(&dev_stop, 1, __ATOMIC_RELAXED);
	pthread_join(ctid, NULL);
	close(c->f.fd);
	printf("# device: %" PRIu64 " ops by %d threads in %.1f s: %" PRIu64 " writes (%" PRIu64
	       " failed), %" PRIu64 " reads (%" PRIu64 " failed, %" PRIu64 " records, %" PRIu64
	       " bytes checked), %" PRIu64 " seeks, %" PRIu64 " polls, %" PRIu64 " opens (%" PRIu64
	       " failed), %" PRIu64 " ENODEV; netlink: %" PRIu64 " re-created, %" PRIu64
	       " set, %" PRIu64 " appends\n",
	       sum.ops, nthreads, (now_ms() - start) / 1000.0, sum.writes, sum.write_err,
	       sum.reads, sum.read_err, sum.records, sum.read_bytes, sum.seeks, sum.polls,
	       sum.opens, sum.open_err, sum.enodev, c->recreated, c->sets, c->appends);
	free(t);
	free(c);
}

/* --- main ------------------------------------------------------------------- */

static int drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct cd[2] = { 0 };

	if (setgroups(0, NULL) && errno != EPERM)
		return -1;
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -1;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_capget, &h, cd))
		return -1;
	if (cd[0].effective || cd[0].permitted || cd[1].effective || cd[1].permitted) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: klf_fuzz [--seed S] [--count N] [--batch B (64)] [--timeout MS] [--dir DIR]\n"
		"                [--unpriv] [--no-cleanup] [-v]\n"
		"       klf_fuzz --dev [--seed S] [--count OPS] [--threads N] [--dir DIR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fuzz f;
	uint64_t seed = 1, count = 10000, start;
	int batch = 64, timeout_ms = 20000, dev = 0, nthreads = 4, do_cleanup = 1, i;
	int gen_only = 0;
	struct sink sink = { .n = 0 };
	pthread_t stid;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seed") && v)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--count") && v)
			count = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--batch") && v)
			batch = atoi(argv[++i]);
		else if (!strcmp(a, "--timeout") && v)
			timeout_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--threads") && v)
			nthreads = atoi(argv[++i]);
		else if (!strcmp(a, "--dir") && v)
			f.dir = argv[++i];
		else if (!strcmp(a, "--unpriv"))
			f.unpriv = 1;
		else if (!strcmp(a, "--dev"))
			dev = 1;
		else if (!strcmp(a, "--gen-only"))
			gen_only = 1;
		else if (!strcmp(a, "--no-cleanup"))
			do_cleanup = 0;
		else if (!strcmp(a, "-v"))
			verbose++;
		else
			usage();
	}
	if (batch < 1 || batch > 256 || nthreads < 1 || nthreads > 64)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	f.r.s = seed;
	if (f.unpriv && drop_privileges()) {
		printf("FAIL: cannot drop privileges: %s\n", strerror(errno));
		return 1;
	}
	if (gen_only) {
		/* generate and serialize only, for debugging the generator */
		static uint8_t out[SEND_MAX];
		struct fmsg *m = malloc(sizeof(*m));
		uint64_t k;

		f.family = 0x20;
		for (k = 0; k < count; k++) {
			gen_message(&f, m);
			msg_put(m, &f.r, out, sizeof(out), k);
		}
		printf("%" PRIu64 " messages, next random %" PRIx64 "\n", count, rnd(&f.r));
		return 0;
	}
	if (f.dir)
		for (i = 0; i < 4; i++) {
			char path[PATH_MAX];

			snprintf(path, sizeof(path), "%s/d%d", f.dir, i);
			mkdir(path, 0700);
		}
	if (nl_setup(&f))
		return 1;
	if (!f.unpriv && remember(&f)) {
		printf("FAIL: cannot list the logs and targets there are\n");
		return 1;
	}
	printf("# klf_fuzz %s seed %" PRIu64 " count %" PRIu64 "%s\n", dev ? "--dev" : "netlink",
	       seed, count, f.unpriv ? " unprivileged" : "");

	start = now_ms();
	if (dev) {
		run_dev(&f, seed, count, nthreads);
	} else {
		sink.lfd[0] = listen_any(&f.ports[0]);
		sink.lfd[1] = listen_any(&f.ports[1]);
		f.ports[2] = closed_port();
		if (sink.lfd[0] < 0 || sink.lfd[1] < 0) {
			printf("FAIL: cannot listen on loopback\n");
			return 1;
		}
		pthread_create(&stid, NULL, sink_thread, &sink);
		run_netlink(&f, count, batch, timeout_ms);
		print_summary(&f, "netlink", (now_ms() - start) / 1000.0);
	}
	if (do_cleanup && !f.unpriv) {
		int left = cleanup(&f);

		if (left)
			fail("%d logs or targets left after cleanup", left);
	}
	if (!dev) {
		__atomic_store_n(&sink_stop, 1, __ATOMIC_RELAXED);
		pthread_join(stid, NULL);
	}
	if (fail_count) {
		printf("# FAIL: %d failures (reproduce with --seed %" PRIu64 " --count %" PRIu64
		       "%s%s)\n", fail_count, seed, count, dev ? " --dev" : "",
		       f.unpriv ? " --unpriv" : "");
		return 1;
	}
	printf("# PASS\n");
	return 0;
}
