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
 * record whatever the framing. With format json the record is one JSON
 * object (klf_json_head()), TEXT a JSON string: escaped as JSON escapes,
 * UTF-8 kept.
 *
 * The sequence numbers of the records read tell exactly what the ring lost
 * before the worker came to them (overwritten, or cleared by dmesg -C):
 * counted in kmsg-lost, and told to the monitor group (a kmsg-lost event
 * at most every 100 ms per log, and one when the log goes). The ring
 * cannot wait: under overflow block a record the log has no room for
 * stays in the ring, and is read again at the next poll if it is still
 * there, counted as lost if not. The worker never prints per record, so
 * its own work cannot feed the ring it reads.
 *
 * The reader polls every kmsg-poll-ms, and new records wake it at once:
 * a probe on the console tracepoint, which printk calls for every record
 * as it stores it (with interrupts off, in any context, NMI included),
 * queues the CPU's irq_work, which runs once they are back on and the
 * record is committed, and queues the readers. A record without its
 * newline is not final, and no reader of the ring sees it (/dev/kmsg
 * neither), until the next record or a continuation ends it: the next
 * record's wake-up reads both. The tracepoint is found by name
 * (for_each_kernel_tracepoint(): its symbol is exported on 6.12 only);
 * without it the poll alone reads the ring.
 *
 * A dir log resumes (from resume): when it is deleted or the module
 * unloaded, the file kmsg-resume of its directory gets the boot id, the
 * sequence number of the next record to read and the log's next offset
 * (which the recovered log must have again); added again in the same
 * boot, it reads from there: no record twice, none skipped (what the ring
 * lost meanwhile is counted). In another boot the sequence numbers start
 * again at 0: it reads from the first record of the boot.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kmsg_dump.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"

/* the boot id, as /proc/sys/kernel/random/boot_id gives it (a UUID) */
#define KLF_KMSG_BOOT_ID	"/proc/sys/kernel/random/boot_id"
#define KLF_KMSG_BOOT_ID_LEN	36
#define KLF_KMSG_RESUME_FILE	"kmsg-resume"
#define KLF_KMSG_RESUME_TMP	".kmsg-resume.tmp"
#define KLF_KMSG_RESUME_MAX	128
#define KLF_KMSG_BATCH		256	/* records per run before yielding */
/*
 * Records appended as one batch (one write, one commit) before the targets
 * are kicked: in a burst a kick per record woke a sender for each, to send
 * one line; at most the batch's KLF_BATCH_RECS
 */
#define KLF_KMSG_KICK_EVERY	32
/* at most one kmsg-lost event per log per this period: a flood loses often */
#define KLF_KMSG_EVENT_GAP	(HZ / 10)
/*
 * A record's text is at most 1024 bytes in the ring (6.1 and 6.12);
 * kmsg_dump_get_line() puts a prefix of up to 48 bytes before each of its
 * lines, and drops the lines that do not fit.
 */
#define KLF_KMSG_TEXT_MAX	2048
#define KLF_KMSG_LINE_MAX	(KLF_KMSG_TEXT_MAX * 32)
/*
 * "PRI,SEQ,TS_USEC,-;" or "<PRI>", then the text, each byte at most \xNN;
 * or the JSON object, each byte of the text at most \u00XX
 */
#define KLF_KMSG_REC_MAX	(KLF_JSON_HEAD_MAX + KLF_JSON_CHAR_MAX * KLF_KMSG_TEXT_MAX + \
				 KLF_JSON_TAIL)

/**
 * struct klf_kmsg - the reader of a log with source kmsg
 * @log: the log; klf_kmsg_stop() runs before it is torn down
 * @node: in klf_kmsg_readers while the reader runs
 * @work: the reader, every kmsg-poll-ms, at once while records remain or
 *	  when new ones wake it; on klf_kmsg_wq (klf_kmsg_stop() cancels it
 *	  when its log goes)
 * @iter: its own iterator over the printk ring buffer (@work only)
 * @next_seq: sequence number of the next record to read
 * @records: records read and appended
 * @lost: records the ring no longer held, or that could not be appended
 * @filtered: records read and left out by kmsg-level
 * @ev_lost: records lost and not yet told in a kmsg-lost event (@work,
 *	     then klf_kmsg_stop())
 * @ev_next: jiffies before which no kmsg-lost event goes (@work only)
 * @stopping: klf_kmsg_stop() waits: end the run at the next record
 * @boot_id: this boot's id, for the file kmsg-resume of a dir log, or
 *	     empty (a memory log, or the id could not be read)
 * @line: what kmsg_dump_get_line() gives (@work only)
 * @buf: klf_log_append_headroom() bytes, then the record (@work only)
 * @batch: the records appended under one hold of the log's lock (@work only)
 */
struct klf_kmsg {
	struct klf_log *log;
	struct list_head node;
	struct delayed_work work;
	struct kmsg_dump_iter iter;
	atomic64_t next_seq;
	atomic64_t records;
	atomic64_t lost;
	atomic64_t filtered;
	u64 ev_lost;
	unsigned long ev_next;
	bool stopping;
	char boot_id[KLF_KMSG_BOOT_ID_LEN + 1];
	char *line;
	u8 *buf;
	struct klf_batch *batch;
};

/*
 * protects klf_kmsg_readers; taken in the irq_work (hard interrupt
 * context, or the irq_work thread on PREEMPT_RT)
 */
static DEFINE_SPINLOCK(klf_kmsg_lock);
/* the running readers (struct klf_kmsg.node), which new records wake */
static LIST_HEAD(klf_kmsg_readers);
/* the console tracepoint our probe is on, or NULL: the poll alone reads */
static struct tracepoint *klf_kmsg_tp;

/*
 * The readers' workqueue: unbound and high priority (nice -20), since the
 * printk ring cannot wait: a reader that shares the CPUs at the priority
 * of what it competes with (the printk flood, the targets' senders, the
 * receivers) falls behind a burst and loses what the ring overwrites,
 * while what it has appended waits in the log for the senders. Not
 * klf_wq, which goes before the logs at unload; this one goes after them.
 */
static struct workqueue_struct *klf_kmsg_wq;

/* Queue every running reader now: new records are in the ring. */
static void klf_kmsg_wake(struct irq_work *w)
{
	struct klf_kmsg *k;
	unsigned long flags;

	spin_lock_irqsave(&klf_kmsg_lock, flags);
	list_for_each_entry(k, &klf_kmsg_readers, node)
		mod_delayed_work(klf_kmsg_wq, &k->work, 0);
	spin_unlock_irqrestore(&klf_kmsg_lock, flags);
}

/*
 * One irq_work per CPU: an irq_work is queued on the CPU that queues it,
 * and runs there once interrupts are on again, so after that CPU's record
 * is committed. A single one, pending for another CPU, would let this
 * CPU's record wait for the poll.
 */
static DEFINE_PER_CPU(struct irq_work, klf_kmsg_irq_work);

/*
 * The console tracepoint's probe: printk is storing a record. Any context,
 * interrupts off: only queue this CPU's irq_work (a no-op while it is
 * pending).
 */
static void klf_kmsg_probe(void *data, const char *text, size_t len)
{
	if (!list_empty(&klf_kmsg_readers))
		irq_work_queue(this_cpu_ptr(&klf_kmsg_irq_work));
}

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
 * Return: its length (0, and nothing made, if kmsg-level leaves it out);
 * *@wall: its time, nanoseconds since the epoch; *@format: the format it
 * was made for; *@cut: its text was cut to fit max-record (format json,
 * whose object is made to fit).
 */
static size_t klf_kmsg_record(struct klf_kmsg *k, u64 seq, size_t len, u64 *wall,
			      u32 *format, bool *cut)
{
	u8 *out = k->buf + klf_log_append_headroom(), *o = out;
	const u8 *lim = out + KLF_KMSG_REC_MAX - 4;	/* room for one \xNN */
	const char *p = k->line, *end = p + len, *nl;
	unsigned int pri;
	u64 ts_usec = 0;
	size_t plen, pri_len, skip, cap;
	bool have_ts, json, trunc = false;
	const u8 *q;

	plen = klf_kmsg_prefix(p, len, &pri, &pri_len, &ts_usec, &have_ts);
	*format = READ_ONCE(k->log->cfg.format);
	json = *format == KLOGFWD_FORMAT_JSON;
	*cut = false;
	/* left out by kmsg-level: nothing to make */
	if ((pri & 7) > READ_ONCE(k->log->cfg.kmsg_level))
		return 0;
	*wall = have_ts ? klf_kmsg_wall(ts_usec * NSEC_PER_USEC) : ktime_get_real_ns();
	if (json) {
		/* the text is cut to fit max-record, and the object stays whole */
		cap = clamp_t(size_t, READ_ONCE(k->log->cfg.max_record),
			      KLF_JSON_TAIL + KLF_JSON_CHAR_MAX, KLF_KMSG_REC_MAX);
		lim = out + cap - KLF_JSON_TAIL - KLF_JSON_CHAR_MAX;
		/* the names, which log set changes under the lock */
		lockdep_assert_held(&k->log->lock);
		o = klf_json_head(&k->log->cfg, pri, seq, *wall, o);
	} else if (*format == KLOGFWD_FORMAT_RAW) {
		o += sprintf((char *)o, "%u,%llu,%llu,-;", pri, seq, ts_usec);
	} else {
		o += sprintf((char *)o, "<%u>", pri);
	}
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (p != k->line && o > lim) {
			trunc = true;
		} else if (p != k->line && json) {
			*o++ = '\\';
			*o++ = 'n';
		} else if (p != k->line) {
			o = klf_kmsg_put(o, '\n');
		}
		/*
		 * Every line carries the record's prefix. A later line that
		 * does not start with the first line's has its "<PRI>" only:
		 * the first line's text merely looked like a time (printk.time
		 * off), and its lost bytes are not cut from the others.
		 */
		skip = plen;
		if (p != k->line && ((size_t)(nl - p) < plen || memcmp(p, k->line, plen)))
			skip = pri_len;
		p += min_t(size_t, skip, nl - p);
		while (p < nl && o <= lim) {
			if (json) {
				q = (const u8 *)p;
				o = klf_json_put(o, &q, (const u8 *)nl);
				p = (const char *)q;
			} else {
				o = klf_kmsg_put(o, *p++);
			}
		}
		trunc |= p < nl;
		p = nl + 1;
	}
	*cut = trunc;
	if (json) {
		*o++ = '"';
		*o++ = '}';
	}
	return o - out;
}

/*
 * Tell the monitor group the records lost since the last kmsg-lost event:
 * one event per KLF_KMSG_EVENT_GAP at most, so that a flood, which loses
 * at every read, does not flood the monitors' sockets too.
 */
static void klf_kmsg_event(struct klf_kmsg *k)
{
	klf_nl_log_event(k->log, KLOGFWD_LOG_EVENT_KMSG_LOST, k->ev_lost);
	k->ev_lost = 0;
	k->ev_next = jiffies + KLF_KMSG_EVENT_GAP;
}

/*
 * Write the reader's batch and kick the targets; count what was appended
 * and what its write lost (in @lost too, for the kmsg-lost event).
 */
static void klf_kmsg_batch_end(struct klf_kmsg *k, u64 *lost)
{
	unsigned int failed;

	atomic64_add(klf_log_batch_end(k->log, k->batch, &failed), &k->records);
	if (failed) {
		atomic64_add(failed, &k->lost);
		*lost += failed;
	}
}

static void klf_kmsg_work(struct work_struct *work)
{
	struct klf_kmsg *k = container_of(to_delayed_work(work), struct klf_kmsg, work);
	u64 want = atomic64_read(&k->next_seq), seq, wall, lost = 0;
	unsigned long delay = msecs_to_jiffies(READ_ONCE(k->log->cfg.kmsg_poll_ms)), now;
	unsigned int unkicked = 0;
	size_t len, n;
	u32 format;
	bool cut;
	int i, ret = 0;

	/*
	 * The records of a run are made and appended under the log's lock,
	 * KLF_KMSG_KICK_EVERY of them in one batch: one page-cache write, one
	 * commit and one kick for each batch.
	 */
	mutex_lock(&k->log->lock);
	for (i = 0; i < KLF_KMSG_BATCH && !READ_ONCE(k->stopping); i++) {
		if (!kmsg_dump_get_line(&k->iter, true, k->line, KLF_KMSG_LINE_MAX, &len))
			break;
		/* the record read is the one before the iterator's position */
		seq = k->iter.cur_seq - 1;
		if (seq > want) {
			atomic64_add(seq - want, &k->lost);
			lost += seq - want;
		}
		n = klf_kmsg_record(k, seq, len, &wall, &format, &cut);
		if (!n) {
			want = seq + 1;
			atomic64_inc(&k->filtered);
			continue;
		}
		/* a JSON object is never cut: made to fit, or refused and lost */
		ret = klf_log_append_batched(k->log, k->batch, k->buf, n,
					     KLF_APPEND_NONBLOCK | KLF_APPEND_NOKICK |
					     KLF_APPEND_FORMAT(format) |
					     (cut ? KLF_APPEND_WAS_CUT : 0) |
					     (format == KLOGFWD_FORMAT_JSON ? KLF_APPEND_WHOLE :
					      KLF_APPEND_CUT), wall);
		if (ret == -ESTALE) {
			/* log set changed the format meanwhile: make it again */
			k->iter.cur_seq = seq;
			want = seq;
			continue;
		}
		if (ret == -EAGAIN) {
			/* overflow block and no room: leave it in the ring */
			k->iter.cur_seq = seq;
			want = seq;
			break;
		}
		if (ret == -ENODEV)
			break;		/* deleted: klf_kmsg_stop() follows */
		want = seq + 1;
		if (ret) {
			atomic64_inc(&k->lost);
			lost++;
		}
		if (!ret && ++unkicked == KLF_KMSG_KICK_EVERY) {
			/* written, kicked, and the lock let go a moment */
			klf_kmsg_batch_end(k, &lost);
			mutex_unlock(&k->log->lock);
			unkicked = 0;
			mutex_lock(&k->log->lock);
		}
	}
	klf_kmsg_batch_end(k, &lost);
	mutex_unlock(&k->log->lock);
	if (ret == -ENODEV) {
		k->ev_lost += lost;	/* told by klf_kmsg_stop() */
		return;
	}
	atomic64_set(&k->next_seq, want);
	k->ev_lost += lost;
	now = jiffies;
	/* ev_next far ahead: jiffies wrapped past it (32 bits) */
	if (k->ev_lost && (time_after_eq(now, k->ev_next) ||
			   k->ev_next - now > KLF_KMSG_EVENT_GAP))
		klf_kmsg_event(k);
	if (READ_ONCE(k->stopping))
		return;
	if (i == KLF_KMSG_BATCH)
		delay = 0;
	else if (k->ev_lost)	/* the event held back goes at its time */
		delay = min(delay, k->ev_next - now);
	queue_delayed_work(klf_kmsg_wq, &k->work, delay);
}

/* s is a boot id: 36 characters, lowercase hex digits and '-' */
static bool klf_kmsg_boot_id_ok(const char *s)
{
	int i;

	for (i = 0; i < KLF_KMSG_BOOT_ID_LEN; i++)
		if (!isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f') && s[i] != '-')
			return false;
	return true;
}

/*
 * This boot's id, from procfs as the requester sees it (the kernel keeps
 * it to itself): a dir log's resume point is only good in its boot.
 */
static int klf_kmsg_boot_id(char *id)
{
	char buf[KLF_KMSG_BOOT_ID_LEN + 2];
	loff_t pos = 0;
	struct file *f;
	ssize_t n;

	f = filp_open(KLF_KMSG_BOOT_ID, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf), &pos);
	fput(f);
	if (n < 0)
		return n;
	if (n != KLF_KMSG_BOOT_ID_LEN + 1 || buf[KLF_KMSG_BOOT_ID_LEN] != '\n' ||
	    !klf_kmsg_boot_id_ok(buf))
		return -EINVAL;
	memcpy(id, buf, KLF_KMSG_BOOT_ID_LEN);
	id[KLF_KMSG_BOOT_ID_LEN] = 0;
	return 0;
}

/**
 * klf_kmsg_init() - give a log with source kmsg its reader, not started
 * @log: the log, not yet visible
 * @from: KLOGFWD_KMSG_FROM_*
 * @extack: for errors
 *
 * A dir log reads the boot id now, in the requester's context; from
 * resume then needs it.
 *
 * Return: 0, -ENOMEM, or the error reading the boot id (from resume).
 */
int klf_kmsg_init(struct klf_log *log, u32 from, struct netlink_ext_ack *extack)
{
	struct klf_kmsg *k;
	int ret;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	k->line = kvmalloc(KLF_KMSG_LINE_MAX, GFP_KERNEL);
	k->buf = kvmalloc(klf_log_append_headroom() + KLF_KMSG_REC_MAX + 1, GFP_KERNEL);
	k->batch = klf_batch_alloc();
	if (!k->line || !k->buf || !k->batch) {
		kvfree(k->line);
		kvfree(k->buf);
		klf_batch_free(k->batch);
		kfree(k);
		return -ENOMEM;
	}
	k->log = log;
	k->ev_next = jiffies;	/* not 0: jiffies start at INITIAL_JIFFIES */
	INIT_LIST_HEAD(&k->node);
	INIT_DELAYED_WORK(&k->work, klf_kmsg_work);
	log->kmsg = k;
	if (log->cfg.storage == KLOGFWD_STORAGE_DIR) {
		ret = klf_kmsg_boot_id(k->boot_id);
		if (ret && from == KLOGFWD_KMSG_FROM_RESUME) {
			NL_SET_ERR_MSG_FMT(extack,
					   "from resume: cannot read the boot id from %s (%d)",
					   KLF_KMSG_BOOT_ID, ret);
			return ret;
		}
		if (ret) {
			pr_warn("log %s: cannot read the boot id (%d): it will not resume\n",
				log->name, ret);
			k->boot_id[0] = 0;
		}
	}
	/*
	 * next_seq: the first record of the ring (boot; resume until
	 * klf_kmsg_resume_load() says more) or the next one (now)
	 */
	kmsg_dump_rewind(&k->iter);
	if (from == KLOGFWD_KMSG_FROM_NOW)
		k->iter.cur_seq = k->iter.next_seq;
	else
		k->iter.cur_seq = 0;
	atomic64_set(&k->next_seq, k->iter.cur_seq);
	return 0;
}

/*
 * The sequence number in a record's payload, as format raw
 * ("PRI,SEQ,TS_USEC,-;") or json ("{"time":..., "seq":N,"msg":...) put
 * it; false if the payload is not such a record (another format).
 */
static bool klf_kmsg_seq_of(u32 format, const u8 *p, size_t len, u64 *seq)
{
	const char *s = (const char *)p, *e = s + len, *d;
	char num[21];
	int field;

	if (format == KLOGFWD_FORMAT_RAW) {
		/* three numbers, then ",-;" */
		for (field = 0; field < 3; field++) {
			for (d = s; d < e && isdigit(*d); d++)
				;
			if (d == s || d == e || *d != ',' || d - s >= sizeof(num))
				return false;
			if (field == 1) {
				memcpy(num, s, d - s);
				num[d - s] = 0;
			}
			s = d + 1;
		}
		return e - s >= 2 && s[0] == '-' && s[1] == ';' && !kstrtou64(num, 10, seq);
	}
	if (format != KLOGFWD_FORMAT_JSON || len < 9 || memcmp(s, "{\"time\":\"", 9))
		return false;
	/* a name's quote is escaped: the first unescaped ,"seq": is the member */
	s = strnstr(s, ",\"seq\":", len);
	if (!s)
		return false;
	s += 7;
	for (d = s; d < e && isdigit(*d); d++)
		;
	if (d == s || d - s >= sizeof(num) || e - d < 8 || memcmp(d, ",\"msg\":\"", 8))
		return false;
	memcpy(num, s, d - s);
	num[d - s] = 0;
	return !kstrtou64(num, 10, seq);
}

/*
 * kmsg-resume of this boot is older than the log's records: a later write
 * failed. Every record after it was read in this boot, by this log: the
 * newest one's sequence number (formats raw and json carry it) says where
 * to go on. Return: the sequence number to read from.
 */
static u64 klf_kmsg_after_newest(struct klf_log *log, u64 seq, u64 off)
{
	struct klf_kmsg *k = log->kmsg;
	size_t poff;
	ssize_t len;
	u64 last;
	u8 *buf;

	lockdep_assert_held(&log->lock);
	len = klf_log_last_payload(log, &buf, &poff);
	if (len > 0 && klf_kmsg_seq_of(log->cfg.format, buf + poff, len, &last) &&
	    last >= seq && last < k->iter.next_seq) {
		kvfree(buf);
		pr_info("log %s: dir %s: %s is older than the log's records: going on after the newest record's, %llu\n",
			log->name, log->dir_path, KLF_KMSG_RESUME_FILE, last);
		return last + 1;
	}
	kvfree(buf);
	pr_warn("log %s: dir %s: %s is older than the log's records, and the newest record gives no sequence number: reading from the file's point (up to %llu records twice)\n",
		log->name, log->dir_path, KLF_KMSG_RESUME_FILE, log->next_offset - off);
	return seq;
}

/* Write where the reader is, this boot's id and the log's next offset. */
static int klf_kmsg_resume_write(struct klf_log *log)
{
	struct klf_kmsg *k = log->kmsg;
	char buf[KLF_KMSG_RESUME_MAX];
	int len;

	lockdep_assert_held(&log->lock);
	len = scnprintf(buf, sizeof(buf), "%s %llu %llu\n", k->boot_id,
			(u64)atomic64_read(&k->next_seq), log->next_offset);
	return klf_dir_write_file(log, KLF_KMSG_RESUME_FILE, KLF_KMSG_RESUME_TMP, buf, len, NULL);
}

/*
 * From resume: start where kmsg-resume says. The file is untrusted input
 * like the rest of the directory: anything but "BOOT_ID SEQ OFFSET\n"
 * with this boot's id, a SEQ the kernel's log has reached and an OFFSET
 * the log has is said and ignored, and the log reads from the first record
 * of the boot (records may come twice; none is skipped). An OFFSET below
 * the log's next: klf_kmsg_after_newest().
 */
static void klf_kmsg_resume_read(struct klf_log *log)
{
	struct klf_kmsg *k = log->kmsg;
	char buf[KLF_KMSG_RESUME_MAX + 1];
	const char *why = NULL;
	loff_t pos = 0;
	struct file *f;
	char *p;
	ssize_t n;
	u64 seq, off;

	lockdep_assert_held(&log->lock);
	f = klf_dir_open_ext(log, KLF_KMSG_RESUME_FILE, 0, NULL);
	if (IS_ERR(f)) {
		if (PTR_ERR(f) != -ENOENT)
			pr_warn("log %s: dir %s: %s cannot be opened (%ld): reading from the boot's first record\n",
				log->name, log->dir_path, KLF_KMSG_RESUME_FILE, PTR_ERR(f));
		return;
	}
	n = kernel_read(f, buf, KLF_KMSG_RESUME_MAX, &pos);
	fput(f);
	if (n < KLF_KMSG_BOOT_ID_LEN + 3 || buf[KLF_KMSG_BOOT_ID_LEN] != ' ' ||
	    buf[n - 1] != '\n' || !klf_kmsg_boot_id_ok(buf)) {
		why = n < 0 ? "cannot be read" : "is not what klogfwd writes";
	} else {
		buf[n - 1] = 0;
		p = strchr(buf + KLF_KMSG_BOOT_ID_LEN + 1, ' ');
		if (p)
			*p++ = 0;
		if (!p || kstrtou64(buf + KLF_KMSG_BOOT_ID_LEN + 1, 10, &seq) ||
		    kstrtou64(p, 10, &off))
			why = "is not what klogfwd writes";
		else if (memcmp(buf, k->boot_id, KLF_KMSG_BOOT_ID_LEN))
			return;	/* another boot: from its first record */
		else if (seq > k->iter.next_seq)
			why = "is ahead of the kernel's log";
		else if (off > log->next_offset)
			why = "does not match the log's records";
	}
	if (why) {
		pr_warn("log %s: dir %s: %s %s: reading from the boot's first record\n",
			log->name, log->dir_path, KLF_KMSG_RESUME_FILE, why);
		return;
	}
	if (off < log->next_offset)
		seq = klf_kmsg_after_newest(log, seq, off);
	k->iter.cur_seq = seq;
	atomic64_set(&k->next_seq, seq);
}

/**
 * klf_kmsg_resume_load() - where a dir log starts; its first resume point
 * @log: a dir log with source kmsg, locked, recovered, not started
 *
 * With from resume, the log starts where kmsg-resume says
 * (klf_kmsg_resume_read()). Then the file gets where it starts, so that
 * even if no later write succeeds it names a point of this boot before
 * the log's next records.
 */
void klf_kmsg_resume_load(struct klf_log *log)
{
	int ret;

	lockdep_assert_held(&log->lock);
	if (!log->kmsg->boot_id[0])
		return;
	if (log->cfg.kmsg_from == KLOGFWD_KMSG_FROM_RESUME)
		klf_kmsg_resume_read(log);
	ret = klf_kmsg_resume_write(log);
	if (ret)
		pr_warn("log %s: dir %s: cannot write %s (%d)\n",
			log->name, log->dir_path, KLF_KMSG_RESUME_FILE, ret);
}

/*
 * Write the resume point of a dir log when its reader has stopped. If that
 * fails, the file still holds an earlier point of this boot (the one
 * written at the start at least): klf_kmsg_after_newest() then finds where
 * to go on.
 */
static void klf_kmsg_resume_save(struct klf_log *log)
{
	int ret;

	if (log->cfg.storage != KLOGFWD_STORAGE_DIR || !log->kmsg->boot_id[0])
		return;
	mutex_lock(&log->lock);
	ret = klf_kmsg_resume_write(log);
	mutex_unlock(&log->lock);
	if (ret)
		pr_warn("log %s: dir %s: cannot write %s (%d): added again, it goes on from an earlier point of this boot\n",
			log->name, log->dir_path, KLF_KMSG_RESUME_FILE, ret);
}

/**
 * klf_kmsg_start() - start reading the ring, once the log is registered
 * @log: the log
 */
void klf_kmsg_start(struct klf_log *log)
{
	unsigned long flags;

	if (!log->kmsg)
		return;
	spin_lock_irqsave(&klf_kmsg_lock, flags);
	list_add_tail(&log->kmsg->node, &klf_kmsg_readers);
	spin_unlock_irqrestore(&klf_kmsg_lock, flags);
	queue_delayed_work(klf_kmsg_wq, &log->kmsg->work, 0);
}

/**
 * klf_kmsg_kick() - read the ring now, with the log's new settings
 * @log: a log, not deleted (the caller holds klf_logs_lock)
 */
void klf_kmsg_kick(struct klf_log *log)
{
	lockdep_assert_held(&klf_logs_lock);
	if (log->kmsg && !READ_ONCE(log->kmsg->stopping))
		mod_delayed_work(klf_kmsg_wq, &log->kmsg->work, 0);
}

/**
 * klf_kmsg_stop() - stop the reader for good
 * @log: the log, being deleted
 *
 * Waits for a read in progress; the reader does not run again. A dir log
 * then writes where it stopped (klf_kmsg_resume_save()).
 */
void klf_kmsg_stop(struct klf_log *log)
{
	unsigned long flags;

	if (!log->kmsg)
		return;
	/* a run in progress ends at its next record, not after its batch */
	WRITE_ONCE(log->kmsg->stopping, true);
	/* then no wake-up queues it again: only one queued before goes */
	spin_lock_irqsave(&klf_kmsg_lock, flags);
	list_del_init(&log->kmsg->node);
	spin_unlock_irqrestore(&klf_kmsg_lock, flags);
	cancel_delayed_work_sync(&log->kmsg->work);
	if (log->kmsg->ev_lost)
		klf_kmsg_event(log->kmsg);
	klf_kmsg_resume_save(log);
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
	klf_batch_free(k->batch);
	kfree(k);
	log->kmsg = NULL;
}

/**
 * klf_kmsg_stats() - the reader's counters
 * @log: a log with source kmsg
 * @records: records appended
 * @lost: records lost
 * @filtered: records left out by kmsg-level
 * @next_seq: sequence number of the next record to read
 */
void klf_kmsg_stats(struct klf_log *log, u64 *records, u64 *lost, u64 *filtered,
		    u64 *next_seq)
{
	struct klf_kmsg *k = log->kmsg;

	*records = atomic64_read(&k->records);
	*lost = atomic64_read(&k->lost);
	*filtered = atomic64_read(&k->filtered);
	*next_seq = atomic64_read(&k->next_seq);
}

static void klf_kmsg_tp_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "console"))
		*(struct tracepoint **)priv = tp;
}

/**
 * klf_kmsg_module_init() - the readers' workqueue, and the wake-up probe on
 * the console tracepoint
 *
 * Without the tracepoint, or if the probe cannot be registered, the
 * readers poll only; that is said once.
 *
 * Return: 0 or -ENOMEM.
 */
int klf_kmsg_module_init(void)
{
	struct tracepoint *tp = NULL;
	int cpu, ret;

	klf_kmsg_wq = alloc_workqueue("klogfwd_kmsg", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!klf_kmsg_wq)
		return -ENOMEM;

	/*
	 * At run time: the loader copies a module's per-CPU initial data
	 * without relocating it (it skips the relocations of .data..percpu,
	 * a section it does not allocate), so a function pointer set there
	 * would be NULL (6.12: an oops in irq_work_single()).
	 */
	for_each_possible_cpu(cpu)
		init_irq_work(per_cpu_ptr(&klf_kmsg_irq_work, cpu), klf_kmsg_wake);
	for_each_kernel_tracepoint(klf_kmsg_tp_find, &tp);
	ret = tp ? tracepoint_probe_register(tp, (void *)klf_kmsg_probe, NULL) : -ENOENT;
	if (ret) {
		pr_info("source kmsg: no console tracepoint (%d): the ring is read at each poll only\n",
			ret);
		return 0;
	}
	klf_kmsg_tp = tp;
	return 0;
}

/**
 * klf_kmsg_module_exit() - take the probe off and free the workqueue, once
 * every log is gone
 */
void klf_kmsg_module_exit(void)
{
	int cpu;

	if (klf_kmsg_tp) {
		tracepoint_probe_unregister(klf_kmsg_tp, (void *)klf_kmsg_probe, NULL);
		/* no probe runs any more; then no irq_work is pending or running */
		tracepoint_synchronize_unregister();
		for_each_possible_cpu(cpu)
			irq_work_sync(per_cpu_ptr(&klf_kmsg_irq_work, cpu));
		klf_kmsg_tp = NULL;
	}
	/* every reader was cancelled with its log */
	destroy_workqueue(klf_kmsg_wq);
}
