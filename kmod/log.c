// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: the writer side of a log. A log is an append-only sequence of
 * records, numbered by offset from 0, stored framed in segment files in
 * the page cache. This file holds its settings, the append path (with the
 * group commit of sync always), segment rolls, retention, overflow block,
 * durability, and what the log knows of its consumers. The registry of
 * logs is in registry.c, reading by offset in cursor.c, segment files and
 * recovery in segment.c.
 *
 * Locking:
 *   klf_logs_lock (mutex)  the registry (registry.c)
 *   log->lock (mutex)      one log: segments, counters, settings, appends,
 *                          its staged records, its consumers and their
 *                          dropped counts; taken after klf_logs_lock,
 *                          klf_targets_lock and a target's lock, never
 *                          before
 * Appends and reads sleep (page cache I/O), so both locks are mutexes.
 *
 * Two things go without the log's lock, so that a sender keeping up with
 * the producers never waits for them (the live path):
 *   - what the active segment has committed (log->commit): the appender
 *     publishes it under log->commit_seq after its page-cache write, and
 *     a sender whose cursor is in that segment reads it there
 *     (klf_log_span());
 *   - what a consumer (a target) has acknowledged: only moved forward, by
 *     cmpxchg (klf_log_ack(), retention); the lock is taken for it only
 *     under overflow block, to wake the producers waiting for room.
 * And the fsync of a group commit: one producer at a time (log->flushing)
 * drops the lock for it, so that the others stage their records meanwhile.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/netlink.h>

#include "kmod/framing.h"
#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/stats.h"

/**
 * klf_log_config_default() - the documented defaults
 * @cfg: filled in
 */
void klf_log_config_default(struct klf_log_config *cfg)
{
	*cfg = (struct klf_log_config) {
		.storage = KLOGFWD_STORAGE_MEMORY,
		.framing = KLOGFWD_FRAMING_LF,
		.segment_bytes = 16 << 20,
		.retain_bytes = 256ULL << 20,
		.retain_ms = 0,
		.max_record = 64 << 10,
		.overflow = KLOGFWD_OVERFLOW_DROP,
		.sync = KLOGFWD_SYNC_NONE,
		.sync_interval_ms = 1000,
		.mode = 0600,
		.owner = GLOBAL_ROOT_UID,
		.group = GLOBAL_ROOT_GID,
		.input = KLOGFWD_INPUT_RECORD,
		.format = KLOGFWD_FORMAT_RAW,
		.facility = 1,	/* user */
		.severity = 5,	/* notice */
		.kmsg_level = 7,	/* debug: every record */
		.kmsg_poll_ms = 100,
	};
	klf_syslog_default_host(cfg->hostname);
}

/**
 * klf_log_config_check() - reject settings that do not fit together
 * @cfg: settings
 * @extack: for the message
 *
 * Single values are range-checked by the netlink policy already.
 *
 * Return: 0 or -EINVAL / -EOPNOTSUPP.
 */
int klf_log_config_check(const struct klf_log_config *cfg, struct netlink_ext_ack *extack)
{
	size_t biggest = cfg->max_record + klf_frame_overhead(cfg->framing, cfg->max_record);

	if (biggest > cfg->segment_bytes) {
		NL_SET_ERR_MSG_FMT(extack,
				   "max-record %u does not fit in segment-bytes %u with its framing",
				   cfg->max_record, cfg->segment_bytes);
		return -EINVAL;
	}
	if (cfg->retain_bytes && cfg->retain_bytes < cfg->segment_bytes) {
		NL_SET_ERR_MSG_FMT(extack,
				   "retain-bytes %llu is below segment-bytes %u (whole segments are deleted)",
				   cfg->retain_bytes, cfg->segment_bytes);
		return -EINVAL;
	}
	if (cfg->retain_ms > KLF_RETAIN_MS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "retain-ms %llu is above its maximum %llu (10 years)",
				   cfg->retain_ms, KLF_RETAIN_MS_MAX);
		return -ERANGE;
	}
	if (!klf_syslog_name_ok(cfg->hostname)) {
		NL_SET_ERR_MSG(extack, "hostname must be printable ASCII without spaces");
		return -EINVAL;
	}
	if (cfg->app_name[0] && !klf_syslog_name_ok(cfg->app_name)) {
		NL_SET_ERR_MSG(extack, "app-name must be printable ASCII without spaces");
		return -EINVAL;
	}
	if (cfg->storage == KLOGFWD_STORAGE_MEMORY && cfg->sync != KLOGFWD_SYNC_NONE) {
		NL_SET_ERR_MSG(extack, "sync applies to dir logs only; memory logs have no disk");
		return -EINVAL;
	}
	if (cfg->source == KLOGFWD_SOURCE_KMSG && cfg->kmsg_from == KLOGFWD_KMSG_FROM_RESUME &&
	    cfg->storage != KLOGFWD_STORAGE_DIR) {
		NL_SET_ERR_MSG(extack,
			       "from resume is for dir logs: a memory log has no resume point");
		return -EINVAL;
	}
	if (cfg->format == KLOGFWD_FORMAT_JSON && cfg->source != KLOGFWD_SOURCE_KMSG) {
		NL_SET_ERR_MSG(extack, "format json is for logs with source kmsg");
		return -EINVAL;
	}
	if (cfg->format == KLOGFWD_FORMAT_JSON && cfg->max_record < klf_json_min_record(cfg)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "max-record %u is too small for format json: its members take %zu bytes",
				   cfg->max_record, klf_json_min_record(cfg));
		return -EINVAL;
	}
	return 0;
}

/**
 * klf_log_push_segment() - append a segment to the log's array
 * @log: the log, locked
 * @seg: the new newest segment
 *
 * Return: 0 or -ENOMEM.
 */
int klf_log_push_segment(struct klf_log *log, struct klf_segment *seg)
{
	struct klf_segment **segs;

	lockdep_assert_held(&log->lock);
	if (log->nsegs == log->segs_cap) {
		unsigned int cap = max(8U, log->segs_cap * 2);

		segs = krealloc_array(log->segs, cap, sizeof(*segs), GFP_KERNEL);
		if (!segs)
			return -ENOMEM;
		log->segs = segs;
		log->segs_cap = cap;
	}
	log->segs[log->nsegs++] = seg;
	return 0;
}

/* Have all consumers of the log acknowledged every record of @seg? */
static bool klf_seg_consumed(struct klf_log *log, struct klf_segment *seg)
{
	struct klf_consumer *c;

	lockdep_assert_held(&log->lock);
	list_for_each_entry(c, &log->consumers, node)
		if ((u64)atomic64_read(&c->acked) < seg->base + seg->nrecords)
			return false;
	return true;
}

/*
 * Remove the oldest segment (never the active one). Targets that had not
 * acknowledged all of it count the rest as dropped and move past it.
 */
static void klf_log_pop_oldest(struct klf_log *log)
{
	struct klf_segment *seg = log->segs[0];
	u64 end = seg->base + seg->nrecords;
	struct klf_consumer *c;
	u64 lost, dropped = 0;
	s64 acked;

	lockdep_assert_held(&log->lock);
	list_for_each_entry(c, &log->consumers, node) {
		/* it may acknowledge meanwhile: count only what it had not */
		acked = atomic64_read(&c->acked);
		do {
			if ((u64)acked >= end)
				break;
		} while (!atomic64_try_cmpxchg(&c->acked, &acked, end));
		if ((u64)acked >= end)
			continue;
		lost = end - max_t(u64, acked, seg->base);
		c->dropped += lost;
		dropped += lost;
	}
	log->stats.dropped_records += dropped;
	if (dropped)
		klf_nl_log_event(log, KLOGFWD_LOG_EVENT_RECORDS_DROPPED, dropped);
	klf_nl_log_event(log, KLOGFWD_LOG_EVENT_SEGMENT_DELETED, seg->base);
	log->bytes -= seg->size;
	memmove(&log->segs[0], &log->segs[1], (log->nsegs - 1) * sizeof(*log->segs));
	log->nsegs--;
	log->stats.segments_deleted++;
	if (klf_seg_remove(log, seg))
		pr_warn_ratelimited("log %s: could not delete an old segment file\n", log->name);
}

/*
 * Does retention want the oldest segment gone, with @extra more bytes
 * about to be appended?
 */
static bool klf_log_over(struct klf_log *log, u64 bytes, size_t extra, s64 now)
{
	struct klf_segment *old = log->segs[0];

	if (log->cfg.retain_bytes && bytes + extra > log->cfg.retain_bytes)
		return true;
	/* boot-time clock, and retain-ms <= KLF_RETAIN_MS_MAX: no step, no overflow */
	return log->cfg.retain_ms &&
	       now - old->last_append > (s64)(log->cfg.retain_ms * NSEC_PER_MSEC);
}

/**
 * klf_log_retain() - delete what retention wants deleted
 * @log: the log, locked
 *
 * Deletes whole segments beyond retain-bytes and retain-ms, never the
 * active one. With overflow block, only segments every target has
 * acknowledged.
 */
void klf_log_retain(struct klf_log *log)
{
	s64 now = ktime_get_boottime_ns();

	lockdep_assert_held(&log->lock);
	while (log->nsegs > 1 && klf_log_over(log, log->bytes, 0, now)) {
		if (log->cfg.overflow == KLOGFWD_OVERFLOW_BLOCK &&
		    !klf_seg_consumed(log, log->segs[0]))
			break;
		klf_log_pop_oldest(log);
	}
}

/*
 * Overflow block: would appending @len bytes need retention to delete a
 * segment some target has not acknowledged?
 */
static bool klf_log_full(struct klf_log *log, size_t len)
{
	u64 bytes = log->bytes + log->staged_bytes;
	unsigned int i;

	lockdep_assert_held(&log->lock);
	if (log->cfg.overflow != KLOGFWD_OVERFLOW_BLOCK || !log->cfg.retain_bytes)
		return false;
	/*
	 * Consumers publish acknowledgments without the lock, then look at
	 * overflow to know whether to wake us (klf_log_ack()): with this
	 * barrier, either we see their acknowledged offset or they see
	 * overflow block, even right after log set switched to it.
	 */
	smp_mb();
	for (i = 0; i + 1 < log->nsegs; i++) {
		if (bytes + len <= log->cfg.retain_bytes)
			return false;
		if (!klf_seg_consumed(log, log->segs[i]))
			return true;
		bytes -= log->segs[i]->size;
	}
	/* only the active segment is left, and it fits by construction */
	return false;
}

/**
 * klf_log_writable() - would a small append go through now (for poll)?
 * @log: the log
 *
 * Return: false if overflow block would make a write wait.
 */
bool klf_log_writable(struct klf_log *log)
{
	bool ok;

	mutex_lock(&log->lock);
	ok = log->dead || !klf_log_full(log, log->cfg.max_record);
	mutex_unlock(&log->lock);
	return ok;
}

/**
 * klf_log_space() - room may have appeared (a target acknowledged records)
 * @log: the log, locked
 *
 * Deletes what retention may now delete and wakes blocked producers.
 */
void klf_log_space(struct klf_log *log)
{
	lockdep_assert_held(&log->lock);
	if (log->cfg.overflow != KLOGFWD_OVERFLOW_BLOCK)
		return;
	klf_log_retain(log);
	/* room for any record and nobody waiting: the episode is over */
	if (!log->space_waiters && !klf_log_full(log, log->cfg.max_record))
		log->blocking = false;
	WRITE_ONCE(log->space_gen, log->space_gen + 1);
	wake_up_interruptible_all(&log->space_wait);
}

/**
 * klf_log_attach() - add a consumer to a log
 * @log: the log
 * @c: the consumer, with its @kick set
 * @offset: the first record it has not acknowledged
 * @lost: records before @offset it will never have (counted as dropped)
 */
void klf_log_attach(struct klf_log *log, struct klf_consumer *c, u64 offset, u64 lost)
{
	mutex_lock(&log->lock);
	/* retention may have deleted records since @offset was chosen */
	if (log->nsegs && offset < log->segs[0]->base) {
		lost += log->segs[0]->base - offset;
		offset = log->segs[0]->base;
	}
	atomic64_set(&c->acked, offset);
	c->dropped = lost;
	log->stats.dropped_records += lost;
	list_add_tail_rcu(&c->node, &log->consumers);
	log->nconsumers++;
	mutex_unlock(&log->lock);
}

/**
 * klf_log_detach() - remove a consumer from a log
 * @log: the log
 * @c: the consumer
 *
 * After this no append kicks it, and it no longer holds producers back.
 * Context: process; may sleep (waits for a kick_work that may see @c).
 */
void klf_log_detach(struct klf_log *log, struct klf_consumer *c)
{
	mutex_lock(&log->lock);
	list_del_rcu(&c->node);
	log->nconsumers--;
	klf_log_space(log);
	mutex_unlock(&log->lock);
	/*
	 * A kick_work queued or running may still see @c; one queued later
	 * walks the list without it. Waiting for the first kind is the grace
	 * period: nothing else walks the list outside the lock.
	 */
	flush_work(&log->kick_work);
}

/**
 * klf_log_dropped() - records retention deleted before @c acknowledged them
 * @log: the log
 * @c: one of its consumers
 *
 * Return: the count.
 */
u64 klf_log_dropped(struct klf_log *log, struct klf_consumer *c)
{
	u64 n;

	mutex_lock(&log->lock);
	n = c->dropped;
	mutex_unlock(&log->lock);
	return n;
}

/**
 * klf_log_ack() - a consumer acknowledged every record before @offset
 * @log: the log
 * @c: the consumer
 * @offset: the new value; a smaller one (retention went past it) is ignored
 *
 * Moves @c's acknowledged offset forward without the log's lock. Only
 * under overflow block, where room for waiting producers depends on it, is
 * the lock taken, to delete what retention now may and to wake them.
 *
 * Context: process context; may take the log's lock.
 */
void klf_log_ack(struct klf_log *log, struct klf_consumer *c, u64 offset)
{
	s64 old = atomic64_read(&c->acked);

	do {
		if ((u64)old >= offset)
			return;
	} while (!atomic64_try_cmpxchg(&c->acked, &old, offset));
	/* fully ordered after the store: pairs with klf_log_full()'s barrier */
	if (READ_ONCE(log->cfg.overflow) != KLOGFWD_OVERFLOW_BLOCK)
		return;
	mutex_lock(&log->lock);
	klf_log_space(log);
	mutex_unlock(&log->lock);
}

/**
 * klf_log_publish() - publish the active segment's committed state
 * @log: the log, locked
 *
 * For lockless senders (klf_log_span()): after the page-cache write of
 * every commit, when a new segment becomes the active one, and once a
 * recovered log is set up.
 */
void klf_log_publish(struct klf_log *log)
{
	struct klf_segment *seg = klf_log_active(log);

	lockdep_assert_held(&log->lock);
	write_seqcount_begin(&log->commit_seq);
	log->commit = (struct klf_commit){
		.file = seg ? seg->file : NULL,
		.base = seg ? seg->base : 0,
		.size = seg ? seg->size : 0,
		.next = log->next_offset,
	};
	write_seqcount_end(&log->commit_seq);
}

static void klf_log_sync_work(struct work_struct *work)
{
	struct klf_log *log = container_of(to_delayed_work(work), struct klf_log, sync_work);
	struct file *f = NULL;

	mutex_lock(&log->lock);
	if (!log->dead && klf_log_active(log))
		f = get_file(klf_log_active(log)->file);
	mutex_unlock(&log->lock);
	if (f) {
		vfs_fsync(f, 1);
		fput(f);
	}
}

/* A log with many consumers: kick them from here, not from the append. */
static void klf_log_kick_work(struct work_struct *work)
{
	struct klf_log *log = container_of(work, struct klf_log, kick_work);
	struct klf_consumer *c;

	/* klf_log_detach() waits for this before its consumer goes */
	rcu_read_lock();
	list_for_each_entry_rcu(c, &log->consumers, node)
		c->kick(c);
	rcu_read_unlock();
}

/*
 * Kick the consumers after an append: directly when they are few. Each
 * kick may wake a worker, and on a busy machine 64 wake-ups per append
 * are what the producer's latency pays; with more than KLF_KICK_DIRECT,
 * the append queues the log's kick_work (one bit test when it is already
 * queued), which kicks them all. It runs on klf_wq, like the senders: the
 * same forward progress under memory pressure (WQ_MEM_RECLAIM) and nice.
 * Every detach flushes it, so once a log has no consumer nothing queues it,
 * and klf_wq, which goes before the logs at unload, holds none of it.
 */
static void klf_log_kick(struct klf_log *log)
{
	struct klf_consumer *c;

	lockdep_assert_held(&log->lock);
	if (log->nconsumers > KLF_KICK_DIRECT) {
		queue_work(klf_wq, &log->kick_work);
		return;
	}
	list_for_each_entry(c, &log->consumers, node)
		c->kick(c);
}

/**
 * klf_log_kick_all() - kick a log's consumers after appends that did not
 * @log: the log
 *
 * For a producer that appends many records at once with KLF_APPEND_NOKICK
 * (the kernel's log in a burst): one kick for all of them, rather than a
 * sender woken for each record.
 */
void klf_log_kick_all(struct klf_log *log)
{
	mutex_lock(&log->lock);
	if (!log->dead)
		klf_log_kick(log);
	mutex_unlock(&log->lock);
}

/**
 * klf_log_setup() - set up the locks, queues and lists of a new log
 * @log: the log, zeroed
 */
void klf_log_setup(struct klf_log *log)
{
	mutex_init(&log->lock);
	seqcount_mutex_init(&log->commit_seq, &log->lock);
	init_waitqueue_head(&log->wait);
	init_waitqueue_head(&log->space_wait);
	init_waitqueue_head(&log->sync_wait);
	init_waitqueue_head(&log->gather_wait);
	INIT_LIST_HEAD(&log->staged);
	INIT_LIST_HEAD(&log->consumers);
	INIT_WORK(&log->kick_work, klf_log_kick_work);
	INIT_DELAYED_WORK(&log->sync_work, klf_log_sync_work);
}

/**
 * struct klf_staged - a record written to the active segment and not yet
 * committed: with sync always, until an fsync covering it returns
 * @node: entry in the log's staged list, or in a flush's batch
 * @total: its bytes, framing included
 * @len: its payload length
 * @cut: it was cut to max-record (counted in lines-cut once committed)
 * @ret: set with @done: 0 (committed) or the error that discarded it
 * @done: the record was committed or discarded; set last, with release
 *
 * It lives on its producer's stack. Only the producer and a flush, each
 * under the log's lock, touch it, and its producer waits for @done before
 * returning: under the lock, or without it (acquire) once woken by the
 * flush that set it, which touches the record no more.
 */
struct klf_staged {
	struct list_head node;
	size_t total;
	u32 len;
	bool cut;
	int ret;
	bool done;
};

/* the records and bytes of a batch: the kmsg reader's kick interval */
#define KLF_BATCH_RECS		32
#define KLF_BATCH_BYTES		(32 * 1024)

/**
 * struct klf_batch - records a producer appends under one hold of the
 * log's lock, written with one page-cache write (klf_log_append_batched())
 * @buf: the framed records, back to back (KLF_BATCH_BYTES)
 * @len: bytes in @buf
 * @n: records in @buf, described in @recs: staged in the log (nstaged,
 *     staged_bytes, an index entry each) until klf_log_batch_write()
 * @kick: records were committed and the consumers not kicked yet
 * @committed: records committed since klf_log_batch_end()
 * @lost: records whose write failed since klf_log_batch_end()
 * @recs: the records of @buf
 *
 * Owned by one producer and used under the log's lock only.
 */
struct klf_batch {
	u8 *buf;
	size_t len;
	unsigned int n;
	bool kick;
	unsigned int committed;
	unsigned int lost;
	struct klf_staged recs[KLF_BATCH_RECS];
};

/*
 * Cut the active segment back to @end after a failed append or flush, and
 * the index with it; a cut that fails is retried by the next append.
 */
static void klf_log_cut(struct klf_log *log, struct klf_segment *seg, loff_t end)
{
	lockdep_assert_held(&log->lock);
	klf_seg_trim_index(log, seg, end);
	if (log->cfg.storage == KLOGFWD_STORAGE_DIR &&
	    i_size_read(file_inode(seg->file)) > end)
		seg->cut_pending = klf_seg_truncate(log, seg->file, end) != 0;
}

/*
 * Commit the staged records of @batch, the oldest staged ones: readers
 * and targets see them from now on; with @kick, the targets are woken.
 */
static void klf_log_commit(struct klf_log *log, struct list_head *batch, bool kick)
{
	struct klf_segment *seg = klf_log_active(log);
	struct klf_staged *rec, *tmp;

	lockdep_assert_held(&log->lock);
	list_for_each_entry_safe(rec, tmp, batch, node) {
		list_del(&rec->node);
		seg->size += rec->total;
		seg->nrecords++;
		log->largest = max_t(u32, log->largest, rec->len);
		log->next_offset++;
		log->bytes += rec->total;
		log->stats.appends++;
		log->stats.append_bytes += rec->total;
		/* counted once appended: a record refused, or retried, is not cut */
		log->stats.lines_cut += rec->cut;
		log->nstaged--;
		log->staged_bytes -= rec->total;
		rec->ret = 0;
		/*
		 * Pairs with klf_log_wait_staged(): @ret before @done; its
		 * producer may return at once, @rec is not touched again.
		 */
		smp_store_release(&rec->done, true);
	}
	seg->last_append = ktime_get_boottime_ns();
	klf_log_publish(log);
	if (log->cfg.sync == KLOGFWD_SYNC_INTERVAL)
		schedule_delayed_work(&log->sync_work,
				      msecs_to_jiffies(log->cfg.sync_interval_ms));
	klf_log_retain(log);
	if (kick)
		klf_log_kick(log);
}

/* The longest a flush waits for other producers' records: ext4's max_batch_time */
#define KLF_GATHER_MAX_NS	(15 * NSEC_PER_MSEC)

/*
 * Group commit (sync always): write back every record staged so far with
 * one fsync, the lock dropped meanwhile so that other producers stage
 * theirs for the next flush. On success the batch is committed; on failure
 * every staged record is discarded (the later ones sit behind the failed
 * bytes) and cut off again, and each producer gets the error.
 *
 * With @gather, and fewer records staged than log->expect (other producers
 * are writing), wait first, at most about one flush's time, until as many
 * are staged: the producers of the last batch come back one by one after
 * it, and without the wait the first one would flush alone (jbd2 batches
 * synchronous handles the same way). log->expect counts the last batch and
 * the records staged while it was flushed: expecting only the last batch
 * would let producers settle in groups that take turns.
 *
 * Called and returns with the lock held; one flush at a time (@flushing).
 */
static void klf_log_flush(struct klf_log *log, bool gather)
{
	struct klf_segment *seg = klf_log_active(log);
	unsigned int failed = 0, want = log->expect;
	struct klf_staged *rec, *tmp;
	loff_t from, to;
	struct file *f;
	LIST_HEAD(batch);
	u64 t0;
	int ret;

	lockdep_assert_held(&log->lock);
	log->flushing = true;
	if (gather && log->nstaged < want) {
		mutex_unlock(&log->lock);
		wait_event_hrtimeout(log->gather_wait,
				     READ_ONCE(log->nstaged) >= want || READ_ONCE(log->dead),
				     ns_to_ktime(min_t(u64, log->flush_ns, KLF_GATHER_MAX_NS)));
		mutex_lock(&log->lock);
	}
	/* no commit and no roll while flushing: still the same segment and size */
	from = seg->size;
	to = seg->size + log->staged_bytes;
	list_splice_init(&log->staged, &batch);
	f = get_file(seg->file);
	log->stats.syncs++;
	mutex_unlock(&log->lock);
	t0 = ktime_get_ns();
	ret = klf_fault_hit(KLF_FAULT_SYNC);
	if (!ret)
		ret = vfs_fsync_range(f, from, to - 1, 1);
	t0 = ktime_get_ns() - t0;
	fput(f);
	mutex_lock(&log->lock);
	log->flushing = false;
	WRITE_ONCE(log->flush_seq, log->flush_seq + 1);
	log->flush_ns = (3 * log->flush_ns + t0) / 4;
	/* the batch and the records staged during its fsync */
	log->expect = log->nstaged;
	if (!ret) {
		klf_log_commit(log, &batch, true);
	} else {
		list_splice_tail_init(&log->staged, &batch);
		list_for_each_entry_safe(rec, tmp, &batch, node) {
			list_del(&rec->node);
			log->stats.rejected_io++;
			failed++;
			rec->ret = ret;
			/* pairs with klf_log_wait_staged(): @ret before @done */
			smp_store_release(&rec->done, true);
		}
		log->nstaged = 0;
		log->staged_bytes = 0;
		/* the producer is told it failed: do not keep the record */
		klf_log_cut(log, seg, seg->size);
		pr_warn_ratelimited("log %s: cannot write segment %020llu to disk (%d): %u appends failed\n",
				    log->name, seg->base, ret, failed);
	}
	wake_up_all(&log->sync_wait);
}

/* Sleep until the flush under way ends; called with the lock held, returns without it. */
static void klf_log_sleep_flush(struct klf_log *log)
{
	unsigned long seq = log->flush_seq;

	lockdep_assert_held(&log->lock);
	mutex_unlock(&log->lock);
	wait_event(log->sync_wait, READ_ONCE(log->flush_seq) != seq);
}

/*
 * Wait until the flush under way ends; called and returns with the lock
 * held. Not until no flush runs: by the time a producer whose record the
 * flush committed runs again, the next flush may be gathering, and waiting
 * for that one too would keep it out of the batch it waits for.
 */
static void klf_log_wait_flush(struct klf_log *log)
{
	klf_log_sleep_flush(log);
	mutex_lock(&log->lock);
}

/* Commit or discard every staged record; called and returns with the lock held. */
static void klf_log_drain(struct klf_log *log)
{
	lockdep_assert_held(&log->lock);
	while (log->nstaged) {
		if (log->flushing)
			klf_log_wait_flush(log);
		else
			klf_log_flush(log, false);
	}
}

/*
 * Wait until the staged record @rec is committed or failed, flushing when
 * no one else does; called with the lock held, returns without it. A
 * producer woken at the end of the flush that resolved its record returns
 * without taking the lock again: the next flush is gathering the others'
 * records under it.
 *
 * Return: 0 (committed) or the flush's error.
 */
static int klf_log_wait_staged(struct klf_log *log, struct klf_staged *rec)
{
	lockdep_assert_held(&log->lock);
	for (;;) {
		if (rec->done)
			break;
		if (!log->flushing) {
			klf_log_flush(log, true);
			continue;
		}
		klf_log_sleep_flush(log);
		/* pairs with the flush's release: @ret is read after @done */
		if (smp_load_acquire(&rec->done))
			return rec->ret;
		mutex_lock(&log->lock);
	}
	mutex_unlock(&log->lock);
	return rec->ret;
}

/**
 * klf_log_kill() - make every operation on a log fail with -ENODEV
 * @log: the log, being deleted
 *
 * The appends in flight end as they would have: committed, or failed with
 * their own error (a group commit under way finishes).
 */
void klf_log_kill(struct klf_log *log)
{
	mutex_lock(&log->lock);
	WRITE_ONCE(log->dead, true);
	/* a flush gathering records stops waiting for them */
	wake_up(&log->gather_wait);
	klf_log_drain(log);
	mutex_unlock(&log->lock);
}

/* Would a record of @len bytes, framing included, roll the active segment? */
static bool klf_log_must_roll(struct klf_log *log, size_t len)
{
	struct klf_segment *seg = klf_log_active(log);

	return seg->size + log->staged_bytes + len > log->cfg.segment_bytes &&
	       (seg->nrecords || log->nstaged);
}

/**
 * klf_log_append_headroom() - bytes an append buffer needs before the payload
 *
 * Return: the headroom klf_log_append() frames into.
 */
size_t klf_log_append_headroom(void)
{
	return KLF_KLF_HDR_LEN + KLF_SYSLOG_HDR_MAX;
}

/* Roll to a new segment if a record of @len bytes does not fit. */
static int klf_log_roll(struct klf_log *log, size_t len)
{
	struct klf_segment *seg = klf_log_active(log);
	int ret;

	if (seg->size + len <= log->cfg.segment_bytes || !seg->nrecords)
		return 0;
	/* klf_log_append_at() drained them: the sealed segment is whole */
	if (WARN_ON_ONCE(log->nstaged))
		return -EIO;
	/*
	 * The sync work writes back the active segment only: the one being
	 * sealed goes now, or its last records could stay unwritten long
	 * after the interval and a power failure would cut a hole in the
	 * log. (sync always wrote them already; sync none leaves it to the
	 * kernel.)
	 */
	if (log->cfg.sync == KLOGFWD_SYNC_INTERVAL) {
		ret = vfs_fsync(seg->file, 1);
		if (ret)
			pr_warn_ratelimited("log %s: cannot write back segment %020llu (%d)\n",
					    log->name, seg->base, ret);
	}
	ret = klf_seg_create(log, log->next_offset, &seg);
	if (ret)
		return ret;
	ret = klf_log_push_segment(log, seg);
	if (ret) {
		klf_seg_remove(log, seg);
		return ret;
	}
	log->stats.segments_rolled++;
	klf_log_publish(log);
	klf_nl_log_event(log, KLOGFWD_LOG_EVENT_SEGMENT_ROLLED, seg->base);
	return 0;
}

/*
 * Wait for room under overflow block; called and returns with the lock held.
 * An append that waits is counted once in stats blocked. The first one of
 * a blocking episode sends producer-blocked; the episode ends when an
 * append finds room without waiting, or when room appears while nobody
 * waits (klf_log_space()), so that a producer held back append after
 * append, or many producers woken together, send one event, not one each.
 */
static int klf_log_wait_room(struct klf_log *log, size_t len, bool nonblock)
{
	bool waited = false;
	u64 gen;
	int ret;

	lockdep_assert_held(&log->lock);
	while (klf_log_full(log, len)) {
		if (nonblock)
			return -EAGAIN;
		if (!waited) {
			waited = true;
			log->stats.blocked++;
			if (!log->blocking) {
				log->blocking = true;
				klf_nl_log_event(log, KLOGFWD_LOG_EVENT_PRODUCER_BLOCKED,
						 log->stats.blocked);
			}
		}
		gen = log->space_gen;
		log->space_waiters++;
		mutex_unlock(&log->lock);
		ret = wait_event_interruptible(log->space_wait,
					       READ_ONCE(log->space_gen) != gen ||
					       READ_ONCE(log->dead));
		mutex_lock(&log->lock);
		log->space_waiters--;
		if (ret)
			return ret;
		if (log->dead)
			return -ENODEV;
	}
	if (!waited)
		log->blocking = false;
	return 0;
}

/**
 * klf_log_append() - append one record
 * @log: the log
 * @buf: klf_log_append_headroom() bytes, then the payload, then one spare
 *	 byte; the syslog header and the framing are written around the
 *	 payload in place, and the payload itself is left as it was
 * @len: payload length
 * @flags: KLF_APPEND_NONBLOCK: with overflow block, fail with -EAGAIN
 *	   instead of waiting; KLF_APPEND_CUT: cut a record over max-record
 *	   to max-record (counted in lines-cut) instead of failing;
 *	   KLF_APPEND_WHOLE: no syslog header (the caller made the record
 *	   whole); KLF_APPEND_WAS_CUT: the caller cut it (counted in lines-cut
 *	   once appended); KLF_APPEND_FORMAT(f): the record was made for
 *	   format f, and is refused with -ESTALE if log set changed it since;
 *	   KLF_APPEND_NOKICK: do not wake the targets (without sync always:
 *	   the caller calls klf_log_kick_all() after its last append)
 *
 * The record is written with one write at the end of the active segment,
 * under the log's lock, and only then published as committed (readers
 * learn the committed size under the same lock, senders from
 * klf_log_publish()): nobody sees part of it. The log's targets are woken
 * at once, but for KLF_APPEND_NOKICK. With sync always the record is committed only once an fsync
 * covering it returned: concurrent producers share one (group commit,
 * klf_log_flush()), each still returning only after its record is on
 * disk.
 *
 * Return: 0 or a negative errno: -EMSGSIZE (larger than max-record),
 * -EINVAL (cannot be framed), -EAGAIN (overflow block, @nonblock),
 * -ESTALE (KLF_APPEND_FORMAT of another format),
 * -ERESTARTSYS (interrupted while waiting), -ENODEV (log deleted), I/O
 * errors.
 */
int klf_log_append(struct klf_log *log, void *buf, size_t len, unsigned int flags)
{
	return klf_log_append_at(log, buf, len, flags, 0);
}

/*
 * Write a batch's staged records to the active segment with one write and
 * commit them (not kicked: klf_log_batch_end() does). A short write (a
 * full disk) commits the records it holds whole and cuts off the rest;
 * those are lost, each counted in rejected-io.
 */
static void klf_log_batch_write(struct klf_log *log, struct klf_batch *b)
{
	struct klf_segment *seg = klf_log_active(log);
	size_t done = 0;
	unsigned int i;
	LIST_HEAD(list);
	loff_t from, pos;
	ssize_t n, m;

	lockdep_assert_held(&log->lock);
	if (!b->n)
		return;
	/* the batch's are the only staged records (klf_log_append_batched()) */
	WARN_ON_ONCE(log->nstaged != b->n);
	from = seg->size + log->staged_bytes - b->len;
	pos = from;
	n = kernel_write(seg->file, b->buf, b->len, &pos);
	if (n > 0 && n < b->len) {
		/* as in klf_log_append_one(): writing the rest tells why */
		m = kernel_write(seg->file, b->buf + n, b->len - n, &pos);
		n = m > 0 ? n + m : n;
	}
	for (i = 0; i < b->n && n > 0 && done + b->recs[i].total <= n; i++) {
		done += b->recs[i].total;
		list_add_tail(&b->recs[i].node, &list);
	}
	if (i < b->n) {
		/* the records not written whole: no longer staged, and cut off */
		log->nstaged -= b->n - i;
		log->staged_bytes -= b->len - done;
		klf_log_cut(log, seg, from + done);
		log->stats.rejected_io += b->n - i;
		b->lost += b->n - i;
	}
	if (i) {
		klf_log_commit(log, &list, false);
		b->committed += i;
		b->kick = true;
	}
	b->n = 0;
	b->len = 0;
}

/*
 * Append one record: klf_log_append_at(), or with @b, klf_log_append_batched()
 * (the lock held throughout, the record staged in @b and written with the
 * batch; never sync always or beside another producer's staged records).
 */
static int klf_log_append_one(struct klf_log *log, void *buf, size_t len, unsigned int flags,
			      u64 time, struct klf_batch *batch)
{
	struct klf_batch *b = batch;
	size_t head = klf_log_append_headroom(), hlen, strip = 0;
	bool nonblock = flags & KLF_APPEND_NONBLOCK, cut = flags & KLF_APPEND_WAS_CUT;
	char shdr[KLF_SYSLOG_HDR_MAX];
	struct klf_staged rec;
	struct klf_segment *seg;
	struct klf_frame frame;
	u8 *start, *payload = (u8 *)buf + head;
	u8 *trailer = NULL, saved = 0, pri[5];
	loff_t pos, end;
	size_t total;
	ssize_t n, m;
	u64 now;
	size_t need;
	int ret;

	if (batch)
		lockdep_assert_held(&log->lock);
	else
		mutex_lock(&log->lock);
	if (log->dead) {
		ret = -ENODEV;
		goto out;
	}
	if ((flags & KLF_APPEND_FOR_FORMAT) && flags >> 8 != log->cfg.format) {
		ret = -ESTALE;
		goto out;
	}
	/* the syslog header, if any, replaces a leading "<N>" (max-record counts it) */
	now = time ?: ktime_get_real_ns();
	hlen = 0;
	if (!(flags & KLF_APPEND_WHOLE))
		hlen = klf_syslog_header(&log->cfg,
					 log->cfg.app_name[0] ? log->cfg.app_name : log->name,
					 payload, len, now, shdr, &strip);
	/* the header covers the "<N>": put it back on failure */
	memcpy(pri, payload, strip);
	payload += strip;
	len -= strip;
	if (hlen && !len) {
		/* as in every framing, no empty record: not a bare header either */
		log->stats.rejected_framing++;
		ret = -EINVAL;
		goto out;
	}
	payload -= hlen;
	memcpy(payload, shdr, hlen);
	len += hlen;
	if (len > log->cfg.max_record && (flags & KLF_APPEND_CUT) &&
	    hlen < log->cfg.max_record) {
		len = log->cfg.max_record;
		cut = true;
	}
	if (len > log->cfg.max_record) {
		log->stats.rejected_size++;
		ret = -EMSGSIZE;
		goto out;
	}
	need = len + klf_frame_overhead(log->cfg.framing, len);
	/*
	 * A batch is written before a record that would not fit in it, or
	 * that rolls the segment (which must hold no staged record); one too
	 * big for any batch is written on its own, under the same lock.
	 */
	if (b && b->n && (b->n == KLF_BATCH_RECS || b->len + need > KLF_BATCH_BYTES ||
			  klf_log_must_roll(log, need)))
		klf_log_batch_write(log, b);
	if (b && need > KLF_BATCH_BYTES)
		b = NULL;
	/*
	 * Wait first, frame after: the lock is dropped while waiting, and the
	 * framing carries the offset the record gets.
	 */
	for (;;) {
		ret = klf_log_wait_room(log, need, nonblock);
		if (ret) {
			if (ret == -EAGAIN)
				log->stats.rejected_full++;
			goto out;
		}
		/* a roll seals the active segment: what is staged in it goes first */
		if (!log->nstaged || !klf_log_must_roll(log, need))
			break;
		klf_log_drain(log);
		if (log->dead) {
			ret = -ENODEV;
			goto out;
		}
	}
	if (len > log->cfg.max_record) {
		/* log set lowered it while we waited */
		log->stats.rejected_size++;
		ret = -EMSGSIZE;
		goto out;
	}
	ret = klf_frame_record(log->cfg.framing, payload, len, log->next_offset + log->nstaged,
			       now, &frame);
	if (ret) {
		log->stats.rejected_framing++;
		goto out;
	}
	start = payload - frame.hdr_len;
	memcpy(start, frame.hdr, frame.hdr_len);
	if (frame.trailer_len) {
		/* a cut record's trailer lands on the caller's payload: put it back on failure */
		trailer = payload + len;
		saved = *trailer;
		memcpy(trailer, frame.trailer, frame.trailer_len);
	}
	total = frame.hdr_len + len + frame.trailer_len;

	/*
	 * A failed append whose bytes could not be cut: cut them now or fail,
	 * never seal them behind newer records (recovery would find them).
	 */
	seg = klf_log_active(log);
	if (seg->cut_pending) {
		ret = klf_seg_truncate(log, seg->file, seg->size + log->staged_bytes);
		if (ret)
			goto out_io;
		seg->cut_pending = false;
	}
	ret = klf_log_roll(log, total);
	if (ret)
		goto out_io;
	seg = klf_log_active(log);
	/* after the records staged before it, if any */
	end = seg->size + log->staged_bytes;
	ret = klf_seg_add_index(log, seg, log->next_offset + log->nstaged, end);
	if (ret)
		goto out_io;
	if (b) {
		/* need is total (exact overhead): checked before staging */
		if (WARN_ON_ONCE(b->len + total > KLF_BATCH_BYTES)) {
			ret = -EIO;
			goto out_io;
		}
		memcpy(b->buf + b->len, start, total);
		b->recs[b->n++] = (struct klf_staged){ .total = total, .len = len, .cut = cut };
		b->len += total;
		log->nstaged++;
		log->staged_bytes += total;
		return 0;
	}
	pos = end;
	n = kernel_write(seg->file, start, total, &pos);
	if (n > 0 && n < total) {
		/* a short write (a full disk): writing the rest tells why */
		m = kernel_write(seg->file, start + n, total - n, &pos);
		if (m > 0)
			n += m;
		else
			n = m;
	}
	if (n != total) {
		ret = n < 0 ? n : -EIO;
		goto out_cut;
	}
	rec = (struct klf_staged){ .total = total, .len = len, .cut = cut };
	log->nstaged++;
	log->staged_bytes += total;
	if (log->cfg.sync == KLOGFWD_SYNC_ALWAYS || log->nstaged > 1) {
		/*
		 * Group commit: committed once an fsync covering it returns.
		 * One producer flushes everything staged while the others
		 * stage theirs for the next flush, or wait for this one.
		 */
		list_add_tail(&rec.node, &log->staged);
		/* a flusher gathering: wq_has_sleeper() orders nstaged first */
		if (log->flushing && wq_has_sleeper(&log->gather_wait))
			wake_up(&log->gather_wait);
		ret = klf_log_wait_staged(log, &rec);
		if (ret)
			goto out_unlocked;
	} else {
		LIST_HEAD(one);

		list_add(&rec.node, &one);
		klf_log_commit(log, &one, !(flags & KLF_APPEND_NOKICK));
		if (batch) {
			batch->committed++;
			batch->kick |= !!(flags & KLF_APPEND_NOKICK);
			return 0;
		}
		mutex_unlock(&log->lock);
	}
	/* most appends have no reader waiting: a barrier, not the queue's lock */
	if (wq_has_sleeper(&log->wait))
		wake_up_interruptible(&log->wait);
	return 0;

out_cut:
	/* cut off what was written, so that the segment ends on a record */
	klf_log_cut(log, seg, end);
out_io:
	log->stats.rejected_io++;
out:
	if (!batch)
		mutex_unlock(&log->lock);
out_unlocked:
	if (trailer)
		*trailer = saved;
	memcpy((u8 *)buf + head, pri, strip);
	return ret;
}

/**
 * klf_log_append_at() - append one record, stamped with a given time
 * @log: the log
 * @buf: as for klf_log_append()
 * @len: payload length
 * @flags: as for klf_log_append()
 * @time: the record's time for its syslog header and klf framing,
 *	  nanoseconds since the epoch; 0: now
 *
 * Return: as klf_log_append().
 */
int klf_log_append_at(struct klf_log *log, void *buf, size_t len, unsigned int flags,
		      u64 time)
{
	return klf_log_append_one(log, buf, len, flags, time, NULL);
}

/**
 * klf_batch_alloc() - a batch for klf_log_append_batched()
 *
 * Return: the batch, or NULL (no memory).
 */
struct klf_batch *klf_batch_alloc(void)
{
	struct klf_batch *b;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return NULL;
	b->buf = kvmalloc(KLF_BATCH_BYTES, GFP_KERNEL);
	if (!b->buf) {
		kfree(b);
		return NULL;
	}
	return b;
}

/**
 * klf_batch_free() - free a batch
 * @b: the batch (klf_log_batch_end() wrote its records), or NULL
 */
void klf_batch_free(struct klf_batch *b)
{
	if (!b)
		return;
	WARN_ON_ONCE(b->n);
	kvfree(b->buf);
	kfree(b);
}

/**
 * klf_log_append_batched() - append one record of a batch
 * @log: the log, locked by the caller until klf_log_batch_end()
 * @b: the caller's batch
 * @buf: as for klf_log_append()
 * @len: payload length
 * @flags: as for klf_log_append(), KLF_APPEND_NONBLOCK included
 * @time: as for klf_log_append_at()
 *
 * The record is framed and staged in @b, and written to the page cache
 * with the batch's other records in one write, when @b is full, before a
 * roll, or by klf_log_batch_end(): a producer with many records at once
 * (the kernel's log in a burst) pays one write, one commit and one kick
 * for up to KLF_BATCH_RECS of them instead of one each. No reader sees a
 * record before its batch is written. A record too big for a batch is
 * written on its own. With sync always, or while another producer's
 * records are staged (a flush in progress), the record is appended
 * alone with klf_log_append_at(): the lock is dropped and taken again
 * around it.
 *
 * Return: as klf_log_append(); 0 means staged (or written): whether it
 * was committed, klf_log_batch_end() tells.
 */
int klf_log_append_batched(struct klf_log *log, struct klf_batch *b, void *buf, size_t len,
			   unsigned int flags, u64 time)
{
	int ret;

	lockdep_assert_held(&log->lock);
	if (WARN_ON_ONCE(!(flags & KLF_APPEND_NONBLOCK)))
		return -EINVAL;
	if (log->cfg.sync != KLOGFWD_SYNC_ALWAYS && log->nstaged == b->n)
		return klf_log_append_one(log, buf, len, flags, time, b);
	klf_log_batch_write(log, b);
	mutex_unlock(&log->lock);
	ret = klf_log_append_at(log, buf, len, flags, time);
	mutex_lock(&log->lock);
	if (!ret)
		b->committed++;
	b->kick |= !ret && (flags & KLF_APPEND_NOKICK);
	return ret;
}

/**
 * klf_log_batch_end() - write a batch's records and kick the consumers
 * @log: the log, locked
 * @b: the batch
 * @lost: records of the batch whose write failed since the last call
 *	  (counted in the log's rejected-io)
 *
 * Return: records committed since the last call.
 */
unsigned int klf_log_batch_end(struct klf_log *log, struct klf_batch *b, unsigned int *lost)
{
	unsigned int committed;

	lockdep_assert_held(&log->lock);
	klf_log_batch_write(log, b);
	if (b->kick && !log->dead)
		klf_log_kick(log);
	b->kick = false;
	if (wq_has_sleeper(&log->wait))
		wake_up_interruptible(&log->wait);
	committed = b->committed;
	*lost = b->lost;
	b->committed = 0;
	b->lost = 0;
	return committed;
}
