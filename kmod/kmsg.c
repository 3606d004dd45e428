// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: the kernel's own log as the source of a log (source kmsg).
 *
 * A worker reads the printk ring buffer with an iterator of its own
 * (kmsg_dump_get_line(), exported and lockless on 6.1 and 6.12, as kdb
 * uses it outside a dump) and appends each printk record as one record of
 * the log, which its targets forward like any other. The record is the
 * printk record as /dev/kmsg gives it: with format raw
 * "PRI,SEQ,TS_USEC,-;TEXT", with rfc5424 or rfc3164 the log's syslog header
 * (timestamp: the record's time, see klf_kmsg_wall()) before "TEXT"; TEXT
 * escaped as /dev/kmsg escapes it (a control character, a byte above 126
 * and a backslash as \xNN), so that a record of several lines stays one
 * record whatever the framing.
 *
 * The sequence numbers of the records read tell exactly what the ring lost
 * before the worker came to them (overwritten, or cleared by dmesg -C):
 * counted in kmsg-lost. The ring cannot wait: under overflow block a
 * record the log has no room for stays in the ring, and is read again at
 * the next poll if it is still there, counted as lost if not. The worker
 * never prints per record, so its own work cannot feed the ring it reads.
 */

#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/kmsg_dump.h>
#include <linux/mm.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"

#define KLF_KMSG_POLL_MS	100	/* between two reads of the ring */
#define KLF_KMSG_BATCH		256	/* records per run before yielding */
/*
 * A record's text is at most 1024 bytes in the ring (6.1 and 6.12);
 * kmsg_dump_get_line() puts a prefix of up to 48 bytes before each of its
 * lines, and drops the lines that do not fit.
 */
#define KLF_KMSG_TEXT_MAX	2048
#define KLF_KMSG_LINE_MAX	(KLF_KMSG_TEXT_MAX * 32)
/* "PRI,SEQ,TS_USEC,-;" or "<PRI>", then the text, each byte at most \xNN */
#define KLF_KMSG_REC_MAX	(64 + 4 * KLF_KMSG_TEXT_MAX)

/**
 * struct klf_kmsg - the reader of a log with source kmsg
 * @log: the log; klf_kmsg_stop() runs before it is torn down
 * @work: the reader, every KLF_KMSG_POLL_MS, at once while records remain;
 *	  on system_unbound_wq, not klf_wq, which goes before the logs at
 *	  unload (klf_kmsg_stop() cancels it when its log goes)
 * @iter: its own iterator over the printk ring buffer (@work only)
 * @next_seq: sequence number of the next record to read
 * @records: records read and appended
 * @lost: records the ring no longer held, or that could not be appended
 * @stopping: klf_kmsg_stop() waits: end the run at the next record
 * @line: what kmsg_dump_get_line() gives (@work only)
 * @buf: klf_log_append_headroom() bytes, then the record (@work only)
 */
struct klf_kmsg {
	struct klf_log *log;
	struct delayed_work work;
	struct kmsg_dump_iter iter;
	atomic64_t next_seq;
	atomic64_t records;
	atomic64_t lost;
	bool stopping;
	char *line;
	u8 *buf;
};

/*
 * The record's time as wall time: the printk clock (local_clock(), which
 * stamps the record) gives its age now, subtracted from the wall clock now.
 * A step of the wall clock since the record shifts it by the step.
 */
static u64 klf_kmsg_wall(u64 ts_nsec)
{
	u64 real = ktime_get_real_ns(), mono = local_clock();

	if (ts_nsec > mono || mono - ts_nsec > real)
		return real;
	return real - (mono - ts_nsec);
}

/*
 * The prefix kmsg_dump_get_line() puts before each line of a record
 * (info_print_prefix()): "<PRI>"; "[%5lu.%06lu]" with printk.time on;
 * "[%6s]" (T or C and a number) with CONFIG_PRINTK_CALLER; then a space if
 * either of the last two is there. printk.time changes at run time and is
 * not exported, so a time is recognised by its exact format, followed by
 * the space: with printk.time off, only a text that itself starts with
 * such a time and a space would be taken for one.
 */
static size_t klf_kmsg_prefix(const char *p, size_t len, unsigned int *pri, size_t *pri_len,
			      u64 *ts_usec, bool *have_ts)
{
	bool space = IS_ENABLED(CONFIG_PRINTK_CALLER);
	unsigned long secs = 0, usecs = 0;
	size_t i = 0, j, k;

	*pri = 0;
	*have_ts = false;
	if (i < len && p[i] == '<') {
		for (i++; i < len && isdigit(p[i]); i++)
			*pri = min(*pri * 10 + (p[i] - '0'), 1023U);
		if (i < len && p[i] == '>')
			i++;
	}
	*pri_len = i;
	if (i < len && p[i] == '[') {
		for (j = i + 1; j < len && p[j] == ' '; j++)
			;
		for (k = j; j < len && isdigit(p[j]); j++)
			secs = secs * 10 + (p[j] - '0');
		if (j > k && j - i - 1 >= 5 && j < len && p[j] == '.') {
			for (k = ++j; j < len && j - k < 6 && isdigit(p[j]); j++)
				usecs = usecs * 10 + (p[j] - '0');
			if (j - k == 6 && j + 1 < len && p[j] == ']' &&
			    (IS_ENABLED(CONFIG_PRINTK_CALLER) || p[j + 1] == ' ')) {
				*ts_usec = (u64)secs * USEC_PER_SEC + usecs;
				*have_ts = true;
				space = true;
				i = j + 1;
			}
		}
	}
	if (IS_ENABLED(CONFIG_PRINTK_CALLER) && i < len && p[i] == '[') {
		const char *e = memchr(p + i, ']', len - i);

		if (e)
			i = e - p + 1;
	}
	if (space && i < len && p[i] == ' ')
		i++;
	return i;
}

/* @c escaped as /dev/kmsg escapes the text of a record */
static u8 *klf_kmsg_put(u8 *o, u8 c)
{
	if (c < ' ' || c >= 127 || c == '\\')
		return o + sprintf((char *)o, "\\x%02x", c);
	*o++ = c;
	return o;
}

/*
 * The record of what kmsg_dump_get_line() gave for the record @seq (@len
 * bytes in k->line: each line with the same prefix, each ending with a
 * newline), after klf_log_append_headroom() bytes of k->buf.
 *
 * Return: its length; *@wall: its time, nanoseconds since the epoch.
 */
static size_t klf_kmsg_record(struct klf_kmsg *k, u64 seq, size_t len, u64 *wall)
{
	u8 *out = k->buf + klf_log_append_headroom(), *o = out;
	const u8 *lim = out + KLF_KMSG_REC_MAX - 4;	/* room for one \xNN */
	const char *p = k->line, *end = p + len, *nl;
	unsigned int pri;
	u64 ts_usec = 0;
	size_t plen, pri_len, skip;
	bool have_ts;

	plen = klf_kmsg_prefix(p, len, &pri, &pri_len, &ts_usec, &have_ts);
	*wall = have_ts ? klf_kmsg_wall(ts_usec * NSEC_PER_USEC) : ktime_get_real_ns();
	if (READ_ONCE(k->log->cfg.format) == KLOGFWD_FORMAT_RAW)
		o += sprintf((char *)o, "%u,%llu,%llu,-;", pri, seq, ts_usec);
	else
		o += sprintf((char *)o, "<%u>", pri);
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (p != k->line && o <= lim)
			o = klf_kmsg_put(o, '\n');
		/*
		 * Every line carries the record's prefix. A later line that
		 * does not start with the first line's has its "<PRI>" only:
		 * the first line's text merely looked like a time (printk.time
		 * off), and its lost bytes are not cut from the others.
		 */
		skip = plen;
		if (p != k->line && ((size_t)(nl - p) < plen || memcmp(p, k->line, plen)))
			skip = pri_len;
		for (p += min_t(size_t, skip, nl - p); p < nl && o <= lim; p++)
			o = klf_kmsg_put(o, *p);
		p = nl + 1;
	}
	return o - out;
}

static void klf_kmsg_work(struct work_struct *work)
{
	struct klf_kmsg *k = container_of(to_delayed_work(work), struct klf_kmsg, work);
	u64 want = atomic64_read(&k->next_seq), seq, wall;
	unsigned long delay = msecs_to_jiffies(KLF_KMSG_POLL_MS);
	size_t len, n;
	int i, ret;

	for (i = 0; i < KLF_KMSG_BATCH && !READ_ONCE(k->stopping); i++) {
		if (!kmsg_dump_get_line(&k->iter, true, k->line, KLF_KMSG_LINE_MAX, &len))
			break;
		/* the record read is the one before the iterator's position */
		seq = k->iter.cur_seq - 1;
		if (seq > want)
			atomic64_add(seq - want, &k->lost);
		n = klf_kmsg_record(k, seq, len, &wall);
		ret = klf_log_append_at(k->log, k->buf, n,
					KLF_APPEND_NONBLOCK | KLF_APPEND_CUT, wall);
		if (ret == -EAGAIN) {
			/* overflow block and no room: leave it in the ring */
			k->iter.cur_seq = seq;
			want = seq;
			break;
		}
		if (ret == -ENODEV)
			return;		/* deleted: klf_kmsg_stop() follows */
		want = seq + 1;
		atomic64_inc(ret ? &k->lost : &k->records);
	}
	atomic64_set(&k->next_seq, want);
	if (READ_ONCE(k->stopping))
		return;
	if (i == KLF_KMSG_BATCH)
		delay = 0;
	queue_delayed_work(system_unbound_wq, &k->work, delay);
}

/**
 * klf_kmsg_init() - give a log with source kmsg its reader, not started
 * @log: the log, not yet visible
 * @from: KLOGFWD_KMSG_FROM_*
 *
 * Return: 0 or -ENOMEM.
 */
int klf_kmsg_init(struct klf_log *log, u32 from)
{
	struct klf_kmsg *k;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->line = kvmalloc(KLF_KMSG_LINE_MAX, GFP_KERNEL);
	k->buf = kvmalloc(klf_log_append_headroom() + KLF_KMSG_REC_MAX + 1, GFP_KERNEL);
	if (!k->line || !k->buf) {
		kvfree(k->line);
		kvfree(k->buf);
		kfree(k);
		return -ENOMEM;
	}
	k->log = log;
	INIT_DELAYED_WORK(&k->work, klf_kmsg_work);
	/* next_seq: the first record of the ring (boot) or the next one (now) */
	kmsg_dump_rewind(&k->iter);
	if (from == KLOGFWD_KMSG_FROM_NOW)
		k->iter.cur_seq = k->iter.next_seq;
	else
		k->iter.cur_seq = 0;
	atomic64_set(&k->next_seq, k->iter.cur_seq);
	log->kmsg = k;
	return 0;
}

/**
 * klf_kmsg_start() - start reading the ring, once the log is registered
 * @log: the log
 */
void klf_kmsg_start(struct klf_log *log)
{
	if (log->kmsg)
		queue_delayed_work(system_unbound_wq, &log->kmsg->work, 0);
}

/**
 * klf_kmsg_stop() - stop the reader for good
 * @log: the log, being deleted
 *
 * Waits for a read in progress; the reader does not run again.
 */
void klf_kmsg_stop(struct klf_log *log)
{
	if (!log->kmsg)
		return;
	/* a run in progress ends at its next record, not after its batch */
	WRITE_ONCE(log->kmsg->stopping, true);
	cancel_delayed_work_sync(&log->kmsg->work);
}

/**
 * klf_kmsg_free() - free the reader of a log
 * @log: the log, being freed (klf_kmsg_stop() ran, or it never started)
 */
void klf_kmsg_free(struct klf_log *log)
{
	struct klf_kmsg *k = log->kmsg;

	if (!k)
		return;
	kvfree(k->line);
	kvfree(k->buf);
	kfree(k);
	log->kmsg = NULL;
}

/**
 * klf_kmsg_stats() - the reader's counters
 * @log: a log with source kmsg
 * @records: records appended
 * @lost: records lost
 * @next_seq: sequence number of the next record to read
 */
void klf_kmsg_stats(struct klf_log *log, u64 *records, u64 *lost, u64 *next_seq)
{
	struct klf_kmsg *k = log->kmsg;

	*records = atomic64_read(&k->records);
	*lost = atomic64_read(&k->lost);
	*next_seq = atomic64_read(&k->next_seq);
}
