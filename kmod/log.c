// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: logs. A log is an append-only sequence of records, numbered by
 * offset from 0, stored framed in segment files in the page cache. This
 * file holds the registry of logs, their settings, the append path,
 * reading by offset, retention and durability.
 *
 * Locking:
 *   klf_logs_lock (mutex)  the registry: klf_logs, klf_log_minors, names
 *   log->lock (mutex)      one log: segments, counters, settings, appends,
 *                          its consumers and their dropped counts;
 *                          taken after klf_logs_lock, klf_targets_lock and
 *                          a target's lock, never before
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
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "kmod/framing.h"
#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/stats.h"

/* protects klf_logs, klf_logs_pending, klf_nlogs, klf_log_minors and log names */
DEFINE_MUTEX(klf_logs_lock);
static LIST_HEAD(klf_logs);
/*
 * Logs being created: their name and directory are taken while their
 * segments are recovered without klf_logs_lock, but nobody can find them.
 */
static LIST_HEAD(klf_logs_pending);
static unsigned int klf_nlogs;
/* changes whenever a log comes or goes (dumps flag NLM_F_DUMP_INTR); under klf_logs_lock */
unsigned int klf_logs_gen = 1;
static DEFINE_IDR(klf_log_minors);
static struct delayed_work klf_retain_work;

#define KLF_RETAIN_PERIOD	HZ

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

static void klf_log_free(struct kref *ref)
{
	struct klf_log *log = container_of(ref, struct klf_log, ref);

	WARN_ON(log->nsegs || log->nstaged);
	kfree(log->segs);
	kfree(log->dir_path);
	if (log->dir.mnt)
		path_put(&log->dir);
	put_cred(log->cred);
	klf_kmsg_free(log);
	mutex_destroy(&log->lock);
	kfree(log);
	klf_obj_dec(KLF_OBJ_LOG);
}

/**
 * klf_log_put() - drop a reference to a log
 * @log: the log
 */
void klf_log_put(struct klf_log *log)
{
	kref_put(&log->ref, klf_log_free);
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

static struct klf_segment *klf_log_active(struct klf_log *log)
{
	return log->nsegs ? log->segs[log->nsegs - 1] : NULL;
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

/*
 * Delete whole segments beyond retain-bytes and retain-ms. With overflow
 * block, only segments every target has acknowledged.
 */
static void klf_log_retain(struct klf_log *log)
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
	list_add_tail(&c->node, &log->consumers);
	mutex_unlock(&log->lock);
}

/**
 * klf_log_detach() - remove a consumer from a log
 * @log: the log
 * @c: the consumer
 *
 * After this no append kicks it, and it no longer holds producers back.
 */
void klf_log_detach(struct klf_log *log, struct klf_consumer *c)
{
	mutex_lock(&log->lock);
	list_del_init(&c->node);
	klf_log_space(log);
	mutex_unlock(&log->lock);
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

/*
 * Publish the active segment's committed state for lockless senders
 * (klf_log_span()): after the page-cache write of every append, and when a
 * new segment becomes the active one.
 */
static void klf_log_publish(struct klf_log *log)
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

/**
 * struct klf_staged - a record written to the active segment and not yet
 * committed: with sync always, until an fsync covering it returns
 * @node: entry in the log's staged list, or in a flush's batch
 * @total: its bytes, framing included
 * @len: its payload length
 * @cut: it was cut to max-record (counted in lines-cut once committed)
 * @ret: set with @done: 0 (committed) or the error that discarded it
 * @done: the record was committed or discarded
 *
 * It lives on its producer's stack. Only the producer and a flush, each
 * under the log's lock, touch it, and its producer waits for @done under
 * the same lock before returning.
 */
struct klf_staged {
	struct list_head node;
	size_t total;
	u32 len;
	bool cut;
	int ret;
	bool done;
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
 * and targets see them from now on.
 */
static void klf_log_commit(struct klf_log *log, struct list_head *batch)
{
	struct klf_segment *seg = klf_log_active(log);
	struct klf_staged *rec, *tmp;
	struct klf_consumer *c;

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
		rec->done = true;
	}
	seg->last_append = ktime_get_boottime_ns();
	klf_log_publish(log);
	if (log->cfg.sync == KLOGFWD_SYNC_INTERVAL)
		schedule_delayed_work(&log->sync_work,
				      msecs_to_jiffies(log->cfg.sync_interval_ms));
	klf_log_retain(log);
	list_for_each_entry(c, &log->consumers, node)
		c->kick(c);
}

/*
 * Group commit (sync always): write back every record staged so far with
 * one fsync, the lock dropped meanwhile so that other producers stage
 * theirs for the next flush. On success the batch is committed; on failure
 * every staged record is discarded (the later ones sit behind the failed
 * bytes) and cut off again, and each producer gets the error.
 * Called and returns with the lock held; one flush at a time (@flushing).
 */
static void klf_log_flush(struct klf_log *log)
{
	struct klf_segment *seg = klf_log_active(log);
	loff_t from = seg->size, to = seg->size + log->staged_bytes;
	struct klf_staged *rec, *tmp;
	unsigned int failed = 0;
	struct file *f;
	LIST_HEAD(batch);
	int ret;

	lockdep_assert_held(&log->lock);
	list_splice_init(&log->staged, &batch);
	log->flushing = true;
	f = get_file(seg->file);
	mutex_unlock(&log->lock);
	ret = klf_fault_hit(KLF_FAULT_SYNC);
	if (!ret)
		ret = vfs_fsync_range(f, from, to - 1, 1);
	fput(f);
	mutex_lock(&log->lock);
	log->flushing = false;
	/* no roll while records are staged: still the same active segment */
	seg = klf_log_active(log);
	if (!ret) {
		klf_log_commit(log, &batch);
	} else {
		list_splice_tail_init(&log->staged, &batch);
		list_for_each_entry_safe(rec, tmp, &batch, node) {
			list_del(&rec->node);
			log->stats.rejected_io++;
			failed++;
			rec->ret = ret;
			rec->done = true;
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

/* Wait until no flush runs; called and returns with the lock held. */
static void klf_log_wait_flush(struct klf_log *log)
{
	lockdep_assert_held(&log->lock);
	mutex_unlock(&log->lock);
	wait_event(log->sync_wait, !READ_ONCE(log->flushing));
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
			klf_log_flush(log);
	}
}

/* Would a record of @len bytes, framing included, roll the active segment? */
static bool klf_log_must_roll(struct klf_log *log, size_t len)
{
	struct klf_segment *seg = klf_log_active(log);

	return seg->size + log->staged_bytes + len > log->cfg.segment_bytes &&
	       (seg->nrecords || log->nstaged);
}

/**
 * klf_name_ok() - is @name a valid log or target name?
 * @name: NUL-terminated name
 *
 * Return: true for letters, digits, '.', '_' and '-', not starting with '.'.
 */
bool klf_name_ok(const char *name)
{
	const char *p;

	if (!*name || *name == '.')
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

/*
 * The live log whose directory is @path's inode, whatever the path or mount
 * (a bind mount, another name): caller holds klf_logs_lock.
 */
static struct klf_log *klf_dir_in_use(const struct path *path)
{
	struct klf_log *log;

	lockdep_assert_held(&klf_logs_lock);
	list_for_each_entry(log, &klf_logs, node)
		if (log->dir.dentry && d_inode(log->dir.dentry) == d_inode(path->dentry))
			return log;
	list_for_each_entry(log, &klf_logs_pending, node)
		if (log->dir.dentry && d_inode(log->dir.dentry) == d_inode(path->dentry))
			return log;
	return NULL;
}

static struct klf_log *klf_log_find_any(const char *name)
{
	struct klf_log *log;

	lockdep_assert_held(&klf_logs_lock);
	list_for_each_entry(log, &klf_logs, node)
		if (!strcmp(log->name, name))
			return log;
	list_for_each_entry(log, &klf_logs_pending, node)
		if (!strcmp(log->name, name))
			return log;
	return NULL;
}

/*
 * Resolve a dir log's directory: no symlink anywhere in the path, a local
 * page-cache filesystem, owned by the creator or root, and not writable by
 * others unless root owns it and it is sticky (as /tmp: then others cannot
 * remove or rename the log's files, and klf_dir_open_ext() refuses theirs).
 */
static int klf_log_open_dir(struct klf_log *log, const char *dir,
			    struct netlink_ext_ack *extack)
{
	struct super_block *sb;
	struct klf_log *other;
	struct inode *inode;
	kuid_t owner;
	int ret;

	if (dir[0] != '/') {
		NL_SET_ERR_MSG(extack, "dir must be an absolute path");
		return -EINVAL;
	}
	ret = kern_path(dir, LOOKUP_DIRECTORY | LOOKUP_NO_SYMLINKS, &log->dir);
	if (ret == -ELOOP) {
		NL_SET_ERR_MSG(extack,
			       "dir: cannot open it without following symlinks: give its real path");
		return ret;
	}
	if (ret) {
		NL_SET_ERR_MSG_FMT(extack, "dir %s: cannot open the directory", dir);
		return ret;
	}
	inode = d_inode(log->dir.dentry);
	owner = klf_dir_owner(log, inode);
	sb = log->dir.mnt->mnt_sb;
	if (!klf_fs_ok(sb)) {
		NL_SET_ERR_MSG_FMT(extack,
				   "%s filesystem cannot hold a dir log: use tmpfs, ext4, xfs or btrfs",
				   sb->s_type->name);
		ret = -EOPNOTSUPP;
	} else if (!uid_eq(owner, log->cred->fsuid) &&
		   !uid_eq(owner, GLOBAL_ROOT_UID)) {
		NL_SET_ERR_MSG_FMT(extack, "dir is owned by uid %u: it must be yours or root's",
				   from_kuid_munged(current_user_ns(), owner));
		ret = -EPERM;
	} else if ((inode->i_mode & 0022) &&
		   !(uid_eq(owner, GLOBAL_ROOT_UID) && (inode->i_mode & S_ISVTX))) {
		NL_SET_ERR_MSG(extack,
			       "dir is writable by group or others: chmod go-w (or root-owned, sticky)");
		ret = -EPERM;
	} else {
		other = klf_dir_in_use(&log->dir);
		if (other) {
			NL_SET_ERR_MSG_FMT(extack, "dir is in use by log %s", other->name);
			ret = -EBUSY;
		}
	}
	if (ret) {
		path_put(&log->dir);
		log->dir.mnt = NULL;
		log->dir.dentry = NULL;
	}
	return ret;
}

/**
 * klf_log_create() - create a log, recovering a dir log's segments
 * @net: network namespace the log belongs to
 * @name: its name
 * @dir: its directory (dir logs), or NULL
 * @cfg: its settings, checked by klf_log_config_check()
 * @given: bit n set: attribute n was given in the request (a dir log's
 *	   saved settings replace the others: klf_settings_load())
 * @override: the settings given may lower the saved durability
 * @extack: for errors
 *
 * Context: process context of the requester, whose credentials and mount
 * namespace resolve @dir and are kept to create segment files later.
 * Return: the log, with a reference for the caller, or an ERR_PTR.
 */
struct klf_log *klf_log_create(struct net *net, const char *name, const char *dir,
			       const struct klf_log_config *cfg, u64 given, bool override,
			       struct netlink_ext_ack *extack)
{
	struct klf_segment *seg;
	struct klf_log *log;
	int ret;

	if (!klf_name_ok(name)) {
		NL_SET_ERR_MSG(extack,
			       "invalid log name: use letters, digits, '.', '_' and '-', not starting with '.'");
		return ERR_PTR(-EINVAL);
	}
	log = kzalloc(sizeof(*log), GFP_KERNEL);
	if (!log)
		return ERR_PTR(-ENOMEM);
	klf_obj_inc(KLF_OBJ_LOG);
	kref_init(&log->ref);
	mutex_init(&log->lock);
	seqcount_mutex_init(&log->commit_seq, &log->lock);
	init_waitqueue_head(&log->wait);
	init_waitqueue_head(&log->space_wait);
	init_waitqueue_head(&log->sync_wait);
	INIT_LIST_HEAD(&log->staged);
	INIT_LIST_HEAD(&log->consumers);
	INIT_DELAYED_WORK(&log->sync_work, klf_log_sync_work);
	INIT_LIST_HEAD(&log->node);
	strscpy(log->name, name, sizeof(log->name));
	log->net = net;
	log->cfg = *cfg;
	log->cred = get_current_cred();
	log->minor = -1;
	if (cfg->source == KLOGFWD_SOURCE_KMSG) {
		ret = klf_kmsg_init(log, cfg->kmsg_from, extack);
		if (ret) {
			klf_log_put(log);
			return ERR_PTR(ret);
		}
	}

	mutex_lock(&klf_logs_lock);
	if (klf_nlogs >= KLF_MAX_LOGS) {
		NL_SET_ERR_MSG_FMT(extack, "too many logs (at most %d)", KLF_MAX_LOGS);
		ret = -ENOSPC;
		goto err_unlock;
	}
	if (klf_log_find_any(name)) {
		NL_SET_ERR_MSG_FMT(extack, "a log named %s exists", name);
		ret = -EEXIST;
		goto err_unlock;
	}
	if (cfg->storage == KLOGFWD_STORAGE_DIR) {
		ret = klf_log_open_dir(log, dir, extack);
		if (ret)
			goto err_unlock;
		log->dir_path = kstrdup(dir, GFP_KERNEL);
		if (!log->dir_path) {
			ret = -ENOMEM;
			goto err_unlock;
		}
	}

	/*
	 * Recover without klf_logs_lock: a big directory takes a while, and
	 * every other log stays usable meanwhile. The name, the directory
	 * and a slot are held by the pending entry.
	 */
	list_add_tail(&log->node, &klf_logs_pending);
	klf_nlogs++;
	mutex_unlock(&klf_logs_lock);

	mutex_lock(&log->lock);
	if (cfg->storage == KLOGFWD_STORAGE_DIR) {
		ret = klf_settings_load(log, given, override, extack);
		if (ret && extack && !extack->_msg)
			NL_SET_ERR_MSG_FMT(extack, "cannot read the file \"settings\" (%d)", ret);
		if (!ret)
			ret = klf_log_config_check(&log->cfg, extack);
		if (ret)
			goto err_segs;
		ret = klf_seg_recover(log, extack);
		if (ret) {
			if (extack && !extack->_msg)
				NL_SET_ERR_MSG_FMT(extack, "dir %s: recovering the log failed",
						   dir);
			goto err_segs;
		}
	}
	if (!log->nsegs) {
		ret = klf_seg_create(log, log->next_offset, &seg);
		if (!ret) {
			ret = klf_log_push_segment(log, seg);
			if (ret)
				klf_seg_close(log, seg);
		}
		if (ret) {
			NL_SET_ERR_MSG(extack, "cannot create the first segment");
			goto err_segs;
		}
	}
	if (cfg->storage == KLOGFWD_STORAGE_DIR) {
		ret = klf_settings_save(log, &log->cfg);
		/* a recovery on a full disk goes on: the segments hold the records */
		if (ret && !log->stats.recoveries) {
			NL_SET_ERR_MSG_FMT(extack, "cannot write the file \"settings\" (%d)",
					   ret);
			goto err_segs;
		}
		if (ret)
			pr_warn("log %s: cannot save its settings (%d)\n", log->name, ret);
	}
	if (log->kmsg && cfg->storage == KLOGFWD_STORAGE_DIR)
		klf_kmsg_resume_load(log);
	klf_log_publish(log);
	mutex_unlock(&log->lock);

	mutex_lock(&klf_logs_lock);
	ret = idr_alloc(&klf_log_minors, log, 0, KLF_MAX_LOGS, GFP_KERNEL);
	if (ret < 0)
		goto err_locked;
	log->minor = ret;
	ret = klf_chardev_add(log);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot create the log's device");
		goto err_minor;
	}
	list_move_tail(&log->node, &klf_logs);
	WRITE_ONCE(klf_logs_gen, klf_logs_gen + 1);
	klf_debugfs_log_add(log);
	kref_get(&log->ref);	/* the registry's */
	/* under the lock: a log-del that finds the log cancels its reader */
	klf_kmsg_start(log);
	mutex_unlock(&klf_logs_lock);
	return log;

err_minor:
	idr_remove(&klf_log_minors, log->minor);
err_locked:
	mutex_unlock(&klf_logs_lock);
	mutex_lock(&log->lock);
err_segs:
	while (log->nsegs)
		klf_seg_close(log, log->segs[--log->nsegs]);
	mutex_unlock(&log->lock);
	mutex_lock(&klf_logs_lock);
	list_del_init(&log->node);
	klf_nlogs--;
err_unlock:
	mutex_unlock(&klf_logs_lock);
	klf_log_put(log);
	return ERR_PTR(ret);
}

/* Unregister and tear down a log; caller holds klf_logs_lock. */
static void klf_log_unregister(struct klf_log *log)
{
	lockdep_assert_held(&klf_logs_lock);
	/* the kernel's log stops appending before anything goes */
	klf_kmsg_stop(log);
	klf_targets_delete_log(log);
	list_del_init(&log->node);
	klf_nlogs--;
	WRITE_ONCE(klf_logs_gen, klf_logs_gen + 1);
	idr_remove(&klf_log_minors, log->minor);
	klf_debugfs_log_del(log);
	klf_chardev_del(log);

	mutex_lock(&log->lock);
	WRITE_ONCE(log->dead, true);
	/* appends in flight end as they would have: committed or failed */
	klf_log_drain(log);
	mutex_unlock(&log->lock);
	klf_stats_retire_log(log);

	mutex_lock(&log->lock);
	while (log->nsegs) {
		struct klf_segment *seg = log->segs[--log->nsegs];

		/* memory segments go with their shmem file; dir ones stay */
		klf_seg_close(log, seg);
	}
	log->bytes = 0;
	mutex_unlock(&log->lock);
	wake_up_all(&log->wait);
	wake_up_all(&log->space_wait);
	cancel_delayed_work_sync(&log->sync_work);
	klf_log_put(log);	/* the registry's */
}

/**
 * klf_log_delete() - delete a log
 * @log: the log (the caller holds a reference)
 *
 * Its device disappears; descriptors still open get -ENODEV.
 *
 * Return: 0, or -ENOENT if it was deleted already.
 */
int klf_log_delete(struct klf_log *log)
{
	int ret = -ENOENT;

	mutex_lock(&klf_logs_lock);
	if (!list_empty(&log->node)) {
		klf_log_unregister(log);
		ret = 0;
	}
	mutex_unlock(&klf_logs_lock);
	return ret;
}

/**
 * klf_log_find() - look a log up by name in a network namespace
 * @net: the namespace
 * @name: the name
 *
 * Return: the log with a reference, or NULL.
 */
struct klf_log *klf_log_find(struct net *net, const char *name)
{
	struct klf_log *log;

	mutex_lock(&klf_logs_lock);
	log = klf_log_find_any(name);
	if (log && net_eq(log->net, net))
		kref_get(&log->ref);
	else
		log = NULL;
	mutex_unlock(&klf_logs_lock);
	return log;
}

/**
 * klf_log_get_by_minor() - the log behind a device minor
 * @minor: the minor
 *
 * Return: the log with a reference, or NULL.
 */
struct klf_log *klf_log_get_by_minor(int minor)
{
	struct klf_log *log;

	mutex_lock(&klf_logs_lock);
	log = idr_find(&klf_log_minors, minor);
	if (log)
		kref_get(&log->ref);
	mutex_unlock(&klf_logs_lock);
	return log;
}

/**
 * klf_log_next() - iterate over the logs of a namespace, for dumps
 * @net: the namespace
 * @prev: the previous log (its reference is dropped), or NULL to start
 *
 * Return: the next log with a reference, or NULL at the end.
 */
struct klf_log *klf_log_next(struct net *net, struct klf_log *prev)
{
	struct klf_log *log, *found = NULL;
	bool past = !prev;

	mutex_lock(&klf_logs_lock);
	list_for_each_entry(log, &klf_logs, node) {
		if (!past) {
			past = log == prev;
			continue;
		}
		if (net_eq(log->net, net)) {
			found = log;
			kref_get(&found->ref);
			break;
		}
	}
	mutex_unlock(&klf_logs_lock);
	if (prev)
		klf_log_put(prev);
	return found;
}

/**
 * klf_log_set_config() - change the settings that may change
 * @log: the log
 * @cfg: new settings (storage, dir and framing must be unchanged)
 * @extack: for errors
 *
 * Return: 0 or a negative errno.
 */
int klf_log_set_config(struct klf_log *log, const struct klf_log_config *cfg,
		       struct netlink_ext_ack *extack)
{
	bool node_changed;
	int ret;

	ret = klf_log_config_check(cfg, extack);
	if (ret)
		return ret;
	mutex_lock(&klf_logs_lock);
	mutex_lock(&log->lock);
	if (log->dead) {
		mutex_unlock(&log->lock);
		ret = -ENODEV;
		goto out;
	}
	/*
	 * Applied even if they cannot be saved: lowering retain-bytes is how
	 * a full disk is dealt with. The warning says they are not saved.
	 */
	if (log->cfg.storage == KLOGFWD_STORAGE_DIR) {
		ret = klf_settings_save(log, cfg);
		if (ret) {
			pr_warn_ratelimited("log %s: settings applied but not saved (%d)\n",
					    log->name, ret);
			NL_SET_ERR_MSG_FMT(extack, "applied, but not saved in DIR/settings (%d)",
					   ret);
			ret = 0;
		}
	}
	node_changed = cfg->mode != log->cfg.mode || !uid_eq(cfg->owner, log->cfg.owner) ||
		       !gid_eq(cfg->group, log->cfg.group);
	log->cfg = *cfg;
	klf_log_retain(log);
	WRITE_ONCE(log->space_gen, log->space_gen + 1);
	mutex_unlock(&log->lock);
	/* a new poll period or level applies now (not dead: klf_logs_lock) */
	klf_kmsg_kick(log);
	wake_up_interruptible_all(&log->space_wait);
	if (node_changed) {
		/* devtmpfs sets a node's owner and mode when it is created */
		klf_chardev_del(log);
		ret = klf_chardev_add(log);
		if (ret)
			NL_SET_ERR_MSG(extack, "cannot re-create the log's device");
	}
out:
	mutex_unlock(&klf_logs_lock);
	return ret;
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
 *	   format f, and is refused with -ESTALE if log set changed it since
 *
 * The record is written with one write at the end of the active segment,
 * under the log's lock, and only then published as committed (readers
 * learn the committed size under the same lock, senders from
 * klf_log_publish()): nobody sees part of it. The log's targets are woken
 * at once. With sync always the record is committed only once an fsync
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
	int ret;

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
	/*
	 * Wait first, frame after: the lock is dropped while waiting, and the
	 * framing carries the offset the record gets.
	 */
	for (;;) {
		ret = klf_log_wait_room(log, len + klf_frame_overhead(log->cfg.framing, len),
					nonblock);
		if (ret) {
			if (ret == -EAGAIN)
				log->stats.rejected_full++;
			goto out;
		}
		/* a roll seals the active segment: what is staged in it goes first */
		if (!log->nstaged ||
		    !klf_log_must_roll(log, len + klf_frame_overhead(log->cfg.framing, len)))
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
		while (!rec.done) {
			if (log->flushing)
				klf_log_wait_flush(log);
			else
				klf_log_flush(log);
		}
		ret = rec.ret;
		if (ret)
			goto out;
	} else {
		LIST_HEAD(one);

		list_add(&rec.node, &one);
		klf_log_commit(log, &one);
	}
	mutex_unlock(&log->lock);
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
	mutex_unlock(&log->lock);
	if (trailer)
		*trailer = saved;
	memcpy((u8 *)buf + head, pri, strip);
	return ret;
}

/**
 * klf_log_bounds() - the offsets of the oldest record and of the next one
 * @log: the log
 * @first: set to the oldest offset held
 * @next: set to the next offset to be appended
 */
void klf_log_bounds(struct klf_log *log, u64 *first, u64 *next)
{
	mutex_lock(&log->lock);
	*first = log->nsegs ? log->segs[0]->base : log->next_offset;
	*next = log->next_offset;
	mutex_unlock(&log->lock);
}

/* How many segments start at or before @offset (binary search). */
static unsigned int klf_log_segs_upto(struct klf_log *log, u64 offset)
{
	unsigned int lo = 0, hi = log->nsegs;

	lockdep_assert_held(&log->lock);
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (log->segs[mid]->base <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The segment holding @offset, or NULL. */
static struct klf_segment *klf_log_seg_of(struct klf_log *log, u64 offset)
{
	unsigned int i = klf_log_segs_upto(log, offset);

	return i ? log->segs[i - 1] : NULL;
}

/* A buffer for any record held, even one larger than max-record is now. */
static size_t klf_log_bufsize(struct klf_log *log)
{
	lockdep_assert_held(&log->lock);
	return max(log->cfg.max_record, log->largest) + KLF_KLF_HDR_LEN + 16;
}

/* Resolve the cursor's byte position: index lookup, then a short scan. */
static int klf_cursor_resolve(struct klf_log *log, struct klf_cursor *cur,
			      u8 *buf, size_t bufsize)
{
	struct klf_segment *seg;
	u64 off;
	loff_t pos;
	ssize_t len;

	unsigned int i;

	lockdep_assert_held(&log->lock);
	i = klf_log_segs_upto(log, cur->offset);
	if (!i)
		return -ENOENT;
	seg = log->segs[i - 1];
	/*
	 * Recovery may leave a sealed segment with fewer records than the
	 * offsets up to the next one (its tail was torn): those offsets do
	 * not exist, continue at the next segment.
	 */
	while (cur->offset >= seg->base + seg->nrecords && i < log->nsegs) {
		seg = log->segs[i++];
		*cur = (struct klf_cursor){ .offset = seg->base, .pos = -1 };
	}
	if (cur->pos >= 0 && cur->base == seg->base)
		return 0;
	pos = klf_seg_lookup(log, seg, cur->offset, &off);
	while (off < cur->offset && pos < seg->size) {
		len = klf_seg_record_len(log, seg, pos, off, buf, bufsize);
		if (len < 0)
			return len;
		pos += len;
		off++;
	}
	/*
	 * Fewer records than counted (the offset is not reached, or is at the
	 * segment's end though the segment should still hold it): the file
	 * changed behind the log's back. Fail rather than find the same
	 * position again forever.
	 */
	if (off < cur->offset ||
	    (pos >= seg->size && cur->offset < seg->base + seg->nrecords)) {
		pr_warn_ratelimited("log %s: segment %020llu holds fewer records than counted\n",
				    log->name, seg->base);
		return -EBADMSG;
	}
	cur->base = seg->base;
	cur->pos = pos;
	return 0;
}

/**
 * klf_log_last_payload() - the payload of the log's newest record
 * @log: the log, locked
 * @buf: set to a buffer holding the record (kvfree() it), or NULL
 * @poff: set to where the payload starts in *@buf
 *
 * Return: the payload's length, -ENOENT if the log holds no record, or
 * another negative errno.
 */
ssize_t klf_log_last_payload(struct klf_log *log, u8 **buf, size_t *poff)
{
	struct klf_cursor cur;
	struct klf_segment *seg;
	size_t bufsize, plen;
	ssize_t len;
	int ret;

	lockdep_assert_held(&log->lock);
	*buf = NULL;
	if (!log->nsegs || log->next_offset == log->segs[0]->base)
		return -ENOENT;
	bufsize = klf_log_bufsize(log);
	*buf = kvmalloc(bufsize, GFP_KERNEL);
	if (!*buf)
		return -ENOMEM;
	cur = (struct klf_cursor){ .offset = log->next_offset - 1, .pos = -1 };
	ret = klf_cursor_resolve(log, &cur, *buf, bufsize);
	if (ret)
		return ret;
	seg = klf_log_seg_of(log, cur.offset);
	len = klf_seg_record_len(log, seg, cur.pos, cur.offset, *buf, bufsize);
	if (len < 0)
		return len;
	len = klf_frame_parse(log->cfg.framing, *buf, len, cur.offset,
			      KLOGFWD_MAX_RECORD_LIMIT, poff, &plen);
	return len < 0 ? len : plen;
}

/**
 * klf_log_seek() - move a cursor to a record offset
 * @log: the log
 * @cur: the cursor
 * @offset: a record offset between the oldest held and the next one
 *
 * Return: 0, or -EINVAL if @offset is outside the log, -ENODEV if deleted.
 */
int klf_log_seek(struct klf_log *log, struct klf_cursor *cur, u64 offset)
{
	u64 first;
	int ret = 0;

	mutex_lock(&log->lock);
	first = log->nsegs ? log->segs[0]->base : log->next_offset;
	if (log->dead)
		ret = -ENODEV;
	else if (offset < first || offset > log->next_offset)
		ret = -EINVAL;
	else
		*cur = (struct klf_cursor){ .offset = offset, .pos = -1 };
	mutex_unlock(&log->lock);
	return ret;
}

/*
 * Under the log's lock: resolve the cursor and take what a read needs
 * from its segment (a file reference, the byte range committed after the
 * cursor). Return: 1 with @range set, 0 at the end of the log, or a
 * negative errno.
 */
struct klf_read_range {
	struct file *file;
	loff_t pos;
	loff_t end;
	u64 offset;
};

static int klf_log_read_range(struct klf_log *log, struct klf_cursor *cur, u8 *buf,
			      size_t bufsize, struct klf_read_range *range)
{
	struct klf_segment *seg;
	int ret;

	lockdep_assert_held(&log->lock);
	for (;;) {
		if (log->dead)
			return -ENODEV;
		if (cur->offset >= log->next_offset)
			return 0;
		/* retention may have run since the last call */
		if (log->nsegs && cur->offset < log->segs[0]->base)
			*cur = (struct klf_cursor){ .offset = log->segs[0]->base, .pos = -1 };
		ret = klf_cursor_resolve(log, cur, buf, bufsize);
		if (ret)
			return ret;
		seg = klf_log_seg_of(log, cur->offset);
		if (cur->pos < seg->size)
			break;
		/* end of a sealed segment: the next one starts here */
		cur->pos = -1;
		cur->base = 0;
		if (seg == klf_log_active(log))
			return 0;
	}
	*range = (struct klf_read_range){
		.file = get_file(seg->file),
		.pos = cur->pos,
		.end = seg->size,
		.offset = cur->offset,
	};
	return 1;
}

/**
 * klf_log_read() - copy whole framed records from a cursor to user space
 * @log: the log
 * @cur: the reader's cursor (its caller serialises calls on it), advanced
 *	 past what was copied
 * @ubuf: user buffer
 * @count: its size
 *
 * A reader whose next record was deleted by retention continues at the
 * oldest record held, in a read() of its own: the records one call returns
 * have consecutive offsets. The log's lock is held only to find where the next
 * records are: committed bytes never change, so they are read, parsed and
 * copied to user space without it, and a reader, however large its buffer
 * or slow its memory (FUSE, userfaultfd), never holds a producer.
 *
 * Return: bytes copied (whole records), 0 at the end of the log or for an
 * empty @ubuf, or -EMSGSIZE if the next record does not fit in @count,
 * -ENODEV, -EFAULT, -EBADMSG (a segment changed behind the log's back).
 */
ssize_t klf_log_read(struct klf_log *log, struct klf_cursor *cur, char __user *ubuf,
		     size_t count)
{
	size_t bufsize = 0, need, want, done = 0, used, poff, plen;
	struct klf_read_range r;
	ssize_t n, len = 0, ret = 0;
	u64 nrec;
	u8 *buf = NULL;
	loff_t p;

	if (!count)
		return 0;
	for (;;) {
		mutex_lock(&log->lock);
		/* sized under the lock: log set may raise max-record */
		need = max_t(size_t, klf_log_bufsize(log), KLF_READ_CHUNK);
		if (need > bufsize) {
			mutex_unlock(&log->lock);
			if (done)
				break;
			kvfree(buf);
			bufsize = need;
			buf = kvmalloc(bufsize, KLF_GFP_BUF);
			if (!buf) {
				ret = -ENOMEM;
				break;
			}
			continue;
		}
		/*
		 * Retention deleted the next records since the last chunk:
		 * this read() ends before the gap and the next one starts
		 * after it, so no read() holds records from both sides.
		 */
		if (done && log->nsegs && cur->offset < log->segs[0]->base) {
			mutex_unlock(&log->lock);
			break;
		}
		ret = klf_log_read_range(log, cur, buf, bufsize, &r);
		mutex_unlock(&log->lock);
		if (ret <= 0)
			break;

		p = r.pos;
		/* no more than fits: a record cut short by @count does not */
		want = min_t(loff_t, r.end - r.pos, min(bufsize, count - done));
		n = kernel_read(r.file, buf, want, &p);
		fput(r.file);
		if (n <= 0) {
			/* nothing where records were committed: changed behind our back */
			ret = n ? n : -EBADMSG;
			break;
		}
		for (used = 0, nrec = 0; used < n; used += len, nrec++) {
			len = klf_frame_parse(log->cfg.framing, buf + used, n - used,
					      r.offset + nrec, KLOGFWD_MAX_RECORD_LIMIT,
					      &poff, &plen);
			if (len < 0 || len > count - done - used)
				break;
		}
		if (!nrec) {
			if (len >= 0 || len == -EAGAIN)
				ret = done ? 0 : -EMSGSIZE;
			else
				ret = -EBADMSG;
			break;
		}
		if (copy_to_user(ubuf + done, buf, used)) {
			ret = -EFAULT;
			break;
		}
		done += used;
		cur->pos += used;
		cur->offset += nrec;
		if (done == count)
			break;
		cond_resched();
	}
	kvfree(buf);
	return done ? done : ret;
}

/* Resolve @cur, with a scan buffer only if it is needed. */
static int klf_cursor_resolve_alloc(struct klf_log *log, struct klf_cursor *cur)
{
	size_t bufsize = klf_log_bufsize(log);
	struct klf_segment *seg;
	u8 *buf;
	int ret;

	lockdep_assert_held(&log->lock);
	seg = klf_log_seg_of(log, cur->offset);
	if (!seg)
		return -ENOENT;
	if (cur->pos >= 0 && cur->base == seg->base)
		return 0;
	buf = kvmalloc(bufsize, KLF_GFP_BUF);
	if (!buf)
		return -ENOMEM;
	ret = klf_cursor_resolve(log, cur, buf, bufsize);
	kvfree(buf);
	return ret;
}

/**
 * klf_log_bytes_after() - bytes held after a cursor (an estimate if its
 * byte position is unknown)
 * @log: the log
 * @cur: the cursor
 *
 * Return: the number of bytes.
 */
u64 klf_log_bytes_after(struct klf_log *log, const struct klf_cursor *cur)
{
	u64 bytes = 0;
	unsigned int i;

	mutex_lock(&log->lock);
	for (i = log->nsegs; i > 0; i--) {
		struct klf_segment *seg = log->segs[i - 1];

		if (seg->base + seg->nrecords <= cur->offset)
			break;
		if (seg->base <= cur->offset && cur->base == seg->base && cur->pos >= 0) {
			bytes += seg->size - min(cur->pos, seg->size);
			break;
		}
		bytes += seg->size;
		if (seg->base <= cur->offset)
			break;
	}
	mutex_unlock(&log->lock);
	return bytes;
}

/*
 * End a long span early, at the last indexed record boundary within
 * KLF_SPAN_MAX bytes, so that a sender's checkpoints (and so what it
 * reports as acknowledged) stay fine-grained in big segments.
 */
static void klf_span_cap(struct klf_segment *seg, struct klf_span *span)
{
	loff_t limit = span->pos + KLF_SPAN_MAX;
	u32 lo = 0, hi = seg->nindex;

	if (span->end <= limit)
		return;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (le32_to_cpu(seg->index[mid].pos) <= limit)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || le32_to_cpu(seg->index[lo - 1].pos) <= span->pos) {
		/* a record longer than the cap: end after it */
		if (lo >= seg->nindex)
			return;
		lo++;
	}
	span->end = le32_to_cpu(seg->index[lo - 1].pos);
	span->end_offset = seg->base + le32_to_cpu(seg->index[lo - 1].rel);
}

/*
 * The lockless way of klf_log_span(): @span holds the file of the segment
 * @cur is in, and that segment is still the active one. The commit is read
 * under its sequence count: the page-cache writes it covers came before it.
 *
 * Return: as klf_log_span(), or -EAGAIN if the locked way must decide.
 */
static int klf_log_span_lockless(struct klf_log *log, struct klf_cursor *cur,
				 struct klf_span *span)
{
	struct klf_commit c;
	unsigned int seq;

	if (cur->pos < 0 || cur->base != span->base)
		return -EAGAIN;
	do {
		seq = read_seqcount_begin(&log->commit_seq);
		c = log->commit;
	} while (read_seqcount_retry(&log->commit_seq, seq));
	/* the file is held, so its address cannot be another file's */
	if (c.file != span->file || c.base != cur->base)
		return -EAGAIN;
	if (READ_ONCE(log->dead))
		return -ENODEV;
	if (cur->offset == c.next && cur->pos == c.size)
		return -ENODATA;
	/* a long span ends early at an indexed record: the locked way */
	if (cur->offset > c.next || cur->pos >= c.size || c.size - cur->pos > KLF_SPAN_MAX)
		return -EAGAIN;
	span->pos = cur->pos;
	span->end = c.size;
	span->offset = cur->offset;
	span->end_offset = c.next;
	return 0;
}

/**
 * klf_log_span() - the committed records after a cursor, in one segment
 * @log: the log
 * @cur: where the span starts; moved to the oldest record held if retention
 *	 deleted it, and to the next segment at the end of a sealed one
 * @span: the caller's previous span, whose file reference is kept, or one
 *	  with a NULL file; filled in, with a file reference the caller drops
 *	  (fput) when done with spans
 *
 * A span ends at the end of the segment's committed records, or earlier at
 * a record boundary, after at most about KLF_SPAN_MAX bytes. The bytes of
 * a span are whole records that never change again: appends
 * only write after them, and deleting their segment unlinks the file
 * without touching its pages.
 *
 * A sender that keeps up with the producers finds the records after its
 * cursor in the segment it already holds, the active one: those are read
 * from the published commit, without the log's lock, which the producers
 * hold while they write. Anything else (another segment, a cursor whose
 * position is unknown, retention, a span to cap) takes the lock.
 *
 * Return: 0, -ENODATA if there is nothing after @cur yet, -ENODEV if the
 * log was deleted, or another negative errno. With -ENODATA, @span may
 * hold the active segment's file (an empty span, @span->pos at its end),
 * for the next call to find the records there without the lock.
 */
int klf_log_span(struct klf_log *log, struct klf_cursor *cur, struct klf_span *span)
{
	struct klf_segment *seg;
	int ret;

	if (span->file) {
		ret = klf_log_span_lockless(log, cur, span);
		if (ret != -EAGAIN)
			return ret;
		fput(span->file);
		span->file = NULL;
	}
	mutex_lock(&log->lock);
	if (log->dead) {
		ret = -ENODEV;
		goto out;
	}
	if (log->nsegs && cur->offset < log->segs[0]->base)
		*cur = (struct klf_cursor){ .offset = log->segs[0]->base, .pos = -1 };
	for (;;) {
		if (cur->offset > log->next_offset) {
			ret = -ENODATA;
			goto out;
		}
		ret = klf_cursor_resolve_alloc(log, cur);
		if (cur->offset >= log->next_offset) {
			/*
			 * Caught up: hold the active segment for the next
			 * call, if the cursor's position is known (else the
			 * next call resolves it)
			 */
			seg = ret ? NULL : klf_log_seg_of(log, cur->offset);
			ret = -ENODATA;
			if (!seg)
				goto out;
			break;
		}
		if (ret)
			goto out;
		seg = klf_log_seg_of(log, cur->offset);
		if (cur->pos < seg->size)
			break;
		/* at the end of a sealed segment: the next one starts here */
		cur->pos = -1;
	}
	*span = (struct klf_span){
		.file = get_file(seg->file),
		.shmem = log->cfg.storage == KLOGFWD_STORAGE_MEMORY,
		.base = seg->base,
		.pos = cur->pos,
		.end = ret ? cur->pos : seg->size,
		.offset = cur->offset,
		.end_offset = ret ? cur->offset : seg->base + seg->nrecords,
	};
	if (!ret)
		klf_span_cap(seg, span);
out:
	mutex_unlock(&log->lock);
	return ret;
}

/**
 * klf_log_skip() - move a cursor over whole records totalling at most @bytes
 * @log: the log
 * @cur: the cursor
 * @bytes: budget; decreased by the bytes of the records skipped
 *
 * Used after a connection broke to find the first record the peer has not
 * acknowledged in full.
 *
 * Return: the number of records skipped.
 */
u64 klf_log_skip(struct klf_log *log, struct klf_cursor *cur, u64 *bytes)
{
	struct klf_segment *seg;
	u64 skipped = 0;
	size_t bufsize;
	ssize_t len;
	u8 *buf;

	mutex_lock(&log->lock);
	/* sized under the lock: log set may change max-record */
	bufsize = klf_log_bufsize(log);
	buf = kvmalloc(bufsize, KLF_GFP_BUF);
	if (!buf)
		goto out;
	while (!log->dead && *bytes && cur->offset < log->next_offset) {
		if (log->nsegs && cur->offset < log->segs[0]->base)
			break;
		if (klf_cursor_resolve(log, cur, buf, bufsize))
			break;
		seg = klf_log_seg_of(log, cur->offset);
		if (cur->pos >= seg->size) {
			cur->pos = -1;
			continue;
		}
		len = klf_seg_record_len(log, seg, cur->pos, cur->offset, buf, bufsize);
		if (len < 0 || len > *bytes)
			break;
		*bytes -= len;
		cur->pos += len;
		cur->offset++;
		skipped++;
	}
	kvfree(buf);
out:
	mutex_unlock(&log->lock);
	return skipped;
}

/**
 * klf_logs_delete_net() - delete every log of a dying network namespace
 * @net: the namespace
 */
void klf_logs_delete_net(struct net *net)
{
	struct klf_log *log, *tmp;

	mutex_lock(&klf_logs_lock);
	list_for_each_entry_safe(log, tmp, &klf_logs, node)
		if (net_eq(log->net, net))
			klf_log_unregister(log);
	mutex_unlock(&klf_logs_lock);
}

static void klf_retain_fn(struct work_struct *work)
{
	struct klf_log *log;

	mutex_lock(&klf_logs_lock);
	list_for_each_entry(log, &klf_logs, node) {
		if (!log->cfg.retain_ms)
			continue;
		mutex_lock(&log->lock);
		klf_log_retain(log);
		mutex_unlock(&log->lock);
	}
	mutex_unlock(&klf_logs_lock);
	schedule_delayed_work(&klf_retain_work, KLF_RETAIN_PERIOD);
}

/* Before the namespace's devices go, so no socket holds a route to one. */
static void __net_exit klf_net_pre_exit(struct net *net)
{
	klf_targets_delete_net(net);
}

static void __net_exit klf_net_exit(struct net *net)
{
	klf_logs_delete_net(net);
}

static struct pernet_operations klf_net_ops = {
	.pre_exit = klf_net_pre_exit,
	.exit = klf_net_exit,
	.id = &klf_net_id,
	.size = sizeof(struct klf_net),
};

/**
 * klf_logs_for_each() - call a function for each log of a namespace
 * @net: the namespace
 * @fn: called with each log and @arg
 * @arg: passed on
 *
 * Context: klf_logs_lock held; @fn may take the log's lock.
 */
void klf_logs_for_each(struct net *net, void (*fn)(struct klf_log *, struct klf_totals *),
		       struct klf_totals *arg)
{
	struct klf_log *log;

	lockdep_assert_held(&klf_logs_lock);
	list_for_each_entry(log, &klf_logs, node)
		if (net_eq(log->net, net))
			fn(log, arg);
}

/**
 * klf_log_init() - set up the log registry
 *
 * Return: 0 or a negative errno.
 */
int klf_log_init(void)
{
	int ret;

	ret = register_pernet_subsys(&klf_net_ops);
	if (ret)
		return ret;
	INIT_DELAYED_WORK(&klf_retain_work, klf_retain_fn);
	schedule_delayed_work(&klf_retain_work, KLF_RETAIN_PERIOD);
	return 0;
}

/**
 * klf_log_exit() - delete every log
 *
 * Called after the netlink family is gone, so no new log can appear; open
 * devices pin the module, so none is open.
 */
void klf_log_exit(void)
{
	struct klf_log *log, *tmp;

	cancel_delayed_work_sync(&klf_retain_work);
	/* before the namespaces' klf_net goes, which deleted logs update */
	mutex_lock(&klf_logs_lock);
	list_for_each_entry_safe(log, tmp, &klf_logs, node)
		klf_log_unregister(log);
	mutex_unlock(&klf_logs_lock);
	unregister_pernet_subsys(&klf_net_ops);
	idr_destroy(&klf_log_minors);
}
