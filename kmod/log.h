/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: logs and their segments.
 */
#ifndef _KLF_LOG_H
#define _KLF_LOG_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/seqlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/klogfwd.h>

struct cdev;
struct cred;
struct device;
struct dentry;
struct klf_kmsg;
struct file;
struct net;
struct netlink_ext_ack;

#define KLF_MAX_LOGS		256
#define KLF_INDEX_INTERVAL	4096
/* retain-ms at most 10 years: its nanoseconds fit an s64 with room */
#define KLF_RETAIN_MS_MAX	(10ULL * 365 * 24 * 3600 * 1000)
/* a reader copies at most this much per hold of log->lock */
#define KLF_READ_CHUNK		(64 * 1024)
/* a sender's spans end at a record boundary after about this many bytes */
#define KLF_SPAN_MAX		(256 * 1024)
/*
 * an append kicks at most this many consumers itself; a log with more has
 * its kick_work kick them, so that the producer wakes one worker
 */
#define KLF_KICK_DIRECT		4

/**
 * struct klf_log_config - the settings of a log (the YNL spec documents each)
 * @storage: KLOGFWD_STORAGE_*
 * @framing: KLOGFWD_FRAMING_*
 * @segment_bytes: roll segments before they exceed this
 * @retain_bytes: keep at most this many bytes (0: no limit)
 * @retain_ms: keep segments at most this long (0: no limit)
 * @max_record: largest payload accepted
 * @overflow: KLOGFWD_OVERFLOW_*
 * @sync: KLOGFWD_SYNC_*
 * @sync_interval_ms: writeback delay with KLOGFWD_SYNC_INTERVAL
 * @mode: permission bits of the device node
 * @owner: owner of the device node
 * @group: group of the device node
 * @input: KLOGFWD_INPUT_*
 * @format: KLOGFWD_FORMAT_*
 * @facility: default syslog facility
 * @severity: default syslog severity
 * @hostname: syslog HOSTNAME
 * @app_name: syslog APP-NAME; empty: the log's name
 * @source: KLOGFWD_SOURCE_*; fixed at creation
 * @kmsg_from: KLOGFWD_KMSG_FROM_*, with source kmsg; fixed at creation
 * @kmsg_level: with source kmsg, the least severe level forwarded (0 to 7)
 * @kmsg_poll_ms: with source kmsg, the reader's poll period
 */
struct klf_log_config {
	u32 storage;
	u32 framing;
	u32 segment_bytes;
	u64 retain_bytes;
	u64 retain_ms;
	u32 max_record;
	u32 overflow;
	u32 sync;
	u32 sync_interval_ms;
	umode_t mode;
	kuid_t owner;
	kgid_t group;
	u32 input;
	u32 format;
	u32 facility;
	u32 severity;
	char hostname[KLOGFWD_HOSTNAME_LEN + 1];
	char app_name[KLOGFWD_APP_NAME_LEN + 1];
	u32 source;
	u32 kmsg_from;
	u32 kmsg_level;
	u32 kmsg_poll_ms;
};

/**
 * struct klf_log_stats - counters of a log (the spec's log-stats documents each)
 * @appends: records appended
 * @append_bytes: bytes appended, framing included
 * @rejected_size: appends larger than max-record
 * @rejected_framing: appends that cannot be framed
 * @rejected_full: appends refused by overflow block
 * @rejected_io: appends that failed to write
 * @segments_rolled: segments sealed because full
 * @segments_deleted: segments deleted by retention
 * @dropped_records: records deleted before a consumer had them
 * @recoveries: 1 if recovered from a directory
 * @recovered_records: records found by the recovery
 * @truncated_bytes: bytes cut off by the recovery
 * @index_rebuilds: indexes rebuilt by the recovery
 * @lines_cut: lines longer than max-record cut (input lines)
 * @blocked: appends that waited for room (overflow block), each once
 * @syncs: group commits (sync always): the fsyncs appends made
 */
struct klf_log_stats {
	u64 appends;
	u64 append_bytes;
	u64 rejected_size;
	u64 rejected_framing;
	u64 rejected_full;
	u64 rejected_io;
	u64 segments_rolled;
	u64 segments_deleted;
	u64 dropped_records;
	u64 recoveries;
	u64 recovered_records;
	u64 truncated_bytes;
	u64 index_rebuilds;
	u64 lines_cut;
	u64 blocked;
	u64 syncs;
};

/**
 * struct klf_log_snap - what a log holds and its counters, at one moment
 * @records: records held
 * @bytes: bytes held
 * @first_offset: offset of the oldest record held (@next_offset if none)
 * @next_offset: offset the next append gets
 * @segments: segments held
 * @stats: counters
 */
struct klf_log_snap {
	u64 records;
	u64 bytes;
	u64 first_offset;
	u64 next_offset;
	u32 segments;
	struct klf_log_stats stats;
};

/**
 * struct klf_index_entry - one sparse index entry of a segment
 * @rel: record offset relative to the segment's base
 * @pos: byte position of that record in the segment file
 *
 * Stored little endian in <base>.index beside dir segments.
 */
struct klf_index_entry {
	__le32 rel;
	__le32 pos;
};

/**
 * struct klf_segment - one segment file of a log
 * @base: offset of its first record (its file name, in 20 digits)
 * @nrecords: records it holds
 * @size: bytes committed (whole records only)
 * @file: the segment file (shmem or in the log's directory)
 * @idx_file: the persisted index (dir logs), or NULL
 * @index: sparse index, one entry per KLF_INDEX_INTERVAL bytes
 * @nindex: entries used in @index
 * @index_cap: entries allocated in @index
 * @next_index_pos: size at which the next index entry is due
 * @last_append: boot-time clock (CLOCK_BOOTTIME, ns) of its newest record,
 *		 for retain-ms: it never steps. Recovered segments get it from
 *		 their file's mtime (it may be negative: older than the boot).
 * @cut_pending: a failed append left bytes after @size that could not be
 *		 cut yet; no append goes through until they are
 *
 * Owned by its log and protected by the log's lock. Only the newest segment
 * of a log is written; the others are sealed and never change.
 */
struct klf_segment {
	u64 base;
	u64 nrecords;
	loff_t size;
	struct file *file;
	struct file *idx_file;
	struct klf_index_entry *index;
	u32 nindex;
	u32 index_cap;
	loff_t next_index_pos;
	s64 last_append;
	bool cut_pending;
};

/**
 * struct klf_commit - what the active segment has committed, for readers
 * that do not take the log's lock
 * @file: the active segment's file
 * @base: its base offset
 * @size: its committed bytes (whole records)
 * @next: the offset the next record will get
 */
struct klf_commit {
	struct file *file;
	u64 base;
	loff_t size;
	u64 next;
};

/**
 * struct klf_consumer - what the log knows of something that reads it and
 * acknowledges what it read (a target embeds one)
 * @node: entry in the log's consumers: changed under the log's lock, also
 *	  walked under RCU by the log's kick_work
 * @acked: the offset before which every record is acknowledged (or was
 *	   deleted by retention); only moves forward, by cmpxchg
 *	   (klf_log_ack(), retention), without the log's lock
 * @dropped: records retention deleted before they were acknowledged, under
 *	     the log's lock
 * @kick: called after each append, under the log's lock or from the log's
 *	  kick_work; must not sleep
 *
 * Retention, overflow block and the drop counts see a log's readers only
 * through this.
 */
struct klf_consumer {
	struct list_head node;
	atomic64_t acked;
	u64 dropped;
	void (*kick)(struct klf_consumer *c);
};

/**
 * struct klf_log - an append-only log
 * @ref: references: the registry (until deleted), open devices, requests
 * @node: entry in klf_logs, under klf_logs_lock
 * @id: its place in klf_logs: larger than every log's before it (dumps
 *	resume after the last one sent)
 * @name: unique name, also the device's
 * @net: network namespace it belongs to (logs die with it; no reference)
 * @cred: credentials of its creator, used to create segment files
 * @dir: directory of a dir log
 * @dir_path: its path, as given at creation
 * @minor: minor number of its device
 * @cdev: its character device
 * @dev: its device (/dev/klogfwd/<name>)
 * @dfs: its debugfs directory
 * @kmsg: the reader of the printk ring buffer (source kmsg), or NULL; set
 *	  before the log is visible, freed with it
 * @lock: protects everything below, and serialises appends
 * @cfg: settings
 * @segs: segments, oldest first
 * @nsegs: number of segments
 * @segs_cap: entries allocated in @segs
 * @next_offset: offset of the next record
 * @largest: largest payload appended or recovered: records may be larger
 *	     than @cfg.max_record once log set lowered it
 * @bytes: bytes held in all segments
 * @stats: counters
 * @dead: deleted; every operation fails with -ENODEV
 * @wait: readers waiting for records (poll)
 * @consumers: what reads the log and acknowledges it (struct klf_consumer)
 * @nconsumers: entries in @consumers
 * @kick_work: kicks the consumers of a log with more than KLF_KICK_DIRECT
 *	       of them, so that an append wakes one worker, not all of theirs
 * @space_wait: producers waiting for room (overflow block)
 * @space_gen: bumped whenever room may have appeared, for @space_wait
 * @space_waiters: producers sleeping on @space_wait
 * @blocking: a blocking episode is on: its producer-blocked event was sent
 * @sync_work: delayed writeback for sync interval
 * @staged: records written after the active segment's committed size
 *	    whose fsync has not returned (struct klf_staged, oldest first):
 *	    not committed, so no reader sees them (group commit, sync always)
 * @nstaged: entries in @staged
 * @staged_bytes: their bytes, framing included
 * @flushing: a producer is flushing @staged with the lock dropped, or
 *	      gathering the records of the others before it does
 * @sync_wait: producers waiting for a flush to resolve their record
 * @flush_seq: flushes ended, for @sync_wait
 * @gather_wait: the flushing producer, waiting for the others to stage
 * @expect: records the next flush waits for: the last flush's batch and
 *	    those staged while it ran
 * @flush_ns: recent flush duration (moving average), the longest a
 *	      flush waits for the others to stage
 * @commit_seq: written under @lock by klf_log_publish() around @commit,
 *		read locklessly by klf_log_span()
 * @commit: the active segment's committed state, published after each
 *	    append and roll (the page-cache writes come first)
 */
struct klf_log {
	struct kref ref;
	struct list_head node;
	u64 id;
	char name[KLOGFWD_NAME_LEN + 1];
	struct net *net;
	const struct cred *cred;
	struct path dir;
	char *dir_path;
	int minor;
	struct cdev *cdev;
	struct device *dev;
	struct dentry *dfs;
	struct klf_kmsg *kmsg;

	struct mutex lock; /* protects the members below */
	struct klf_log_config cfg;
	struct klf_segment **segs;
	unsigned int nsegs;
	unsigned int segs_cap;
	u64 next_offset;
	u32 largest;
	u64 bytes;
	struct klf_log_stats stats;
	bool dead;
	wait_queue_head_t wait;
	struct list_head consumers;
	unsigned int nconsumers;
	struct work_struct kick_work;
	wait_queue_head_t space_wait;
	u64 space_gen;
	unsigned int space_waiters;
	bool blocking;
	struct delayed_work sync_work;
	struct list_head staged;
	unsigned int nstaged;
	loff_t staged_bytes;
	bool flushing;
	wait_queue_head_t sync_wait;
	unsigned long flush_seq;
	wait_queue_head_t gather_wait;
	unsigned int expect;
	u64 flush_ns;
	seqcount_mutex_t commit_seq;
	struct klf_commit commit;
};

/**
 * struct klf_span - committed bytes of one segment, for a sender
 * @file: the segment file, with a reference the sender drops (fput)
 * @shmem: the file is a shmem file (memory log)
 * @base: the segment's base offset
 * @pos: byte position of the first record of the span
 * @end: byte position after its last record
 * @offset: offset of the first record
 * @end_offset: offset of the record after the last one
 */
struct klf_span {
	struct file *file;
	bool shmem;
	u64 base;
	loff_t pos;
	loff_t end;
	u64 offset;
	u64 end_offset;
};

/**
 * struct klf_cursor - a reader's position in a log
 * @offset: offset of the next record to read
 * @base: base of the segment @pos refers to
 * @pos: byte position of @offset in that segment, or -1 if unknown
 */
struct klf_cursor {
	u64 offset;
	u64 base;
	loff_t pos;
};

/* the segment appends go to (the newest), or NULL; under the log's lock */
static inline struct klf_segment *klf_log_active(struct klf_log *log)
{
	return log->nsegs ? log->segs[log->nsegs - 1] : NULL;
}

extern struct mutex klf_logs_lock;
extern unsigned int klf_logs_gen;

const char *klf_framing_name(u32 framing);
void klf_log_config_default(struct klf_log_config *cfg);
int klf_log_config_check(const struct klf_log_config *cfg, struct netlink_ext_ack *extack);
struct klf_log *klf_log_create(struct net *net, const char *name, const char *dir,
			       const struct klf_log_config *cfg, u64 given, bool override,
			       struct netlink_ext_ack *extack);
int klf_log_delete(struct klf_log *log);
struct klf_log *klf_log_find(struct net *net, const char *name);
struct klf_log *klf_log_get_by_minor(int minor);
struct sk_buff;
struct netlink_callback;
int klf_logs_dump(struct net *net, struct sk_buff *skb, struct netlink_callback *cb,
		  int (*fill)(struct sk_buff *, struct klf_log *, struct netlink_callback *));
void klf_log_put(struct klf_log *log);
void klf_log_setup(struct klf_log *log);
void klf_log_publish(struct klf_log *log);
void klf_log_retain(struct klf_log *log);
void klf_log_kill(struct klf_log *log);
int klf_log_set_config(struct klf_log *log, const struct klf_log_config *cfg,
		       struct netlink_ext_ack *extack);
/* klf_log_append() flags */
#define KLF_APPEND_NONBLOCK	BIT(0)	/* overflow block: -EAGAIN, do not wait */
#define KLF_APPEND_CUT		BIT(1)	/* over max-record: cut and count, not -EMSGSIZE */
#define KLF_APPEND_WHOLE	BIT(2)	/* made whole by the caller: no syslog header */
#define KLF_APPEND_WAS_CUT	BIT(3)	/* the caller cut it to max-record: count it */
#define KLF_APPEND_FOR_FORMAT	BIT(4)	/* made for a format: -ESTALE if the log's differs */
#define KLF_APPEND_NOKICK	BIT(5)	/* kick no consumer: the caller calls klf_log_kick_all() */
#define KLF_APPEND_FORMAT(f)	(KLF_APPEND_FOR_FORMAT | (f) << 8)
int klf_log_append(struct klf_log *log, void *buf, size_t len, unsigned int flags);
int klf_log_append_at(struct klf_log *log, void *buf, size_t len, unsigned int flags,
		      u64 time);
void klf_log_kick_all(struct klf_log *log);
struct klf_batch;
struct klf_batch *klf_batch_alloc(void);
void klf_batch_free(struct klf_batch *b);
int klf_log_append_batched(struct klf_log *log, struct klf_batch *b, void *buf, size_t len,
			   unsigned int flags, u64 time);
unsigned int klf_log_batch_end(struct klf_log *log, struct klf_batch *b, unsigned int *lost);

/* source kmsg: the kernel's log read into a log (kmsg.c) */
int klf_kmsg_init(struct klf_log *log, u32 from, struct netlink_ext_ack *extack);
void klf_kmsg_resume_load(struct klf_log *log);
void klf_kmsg_start(struct klf_log *log);
void klf_kmsg_stop(struct klf_log *log);
void klf_kmsg_free(struct klf_log *log);
void klf_kmsg_kick(struct klf_log *log);
void klf_kmsg_stats(struct klf_log *log, u64 *records, u64 *lost, u64 *filtered,
		    u64 *next_seq);
int klf_kmsg_module_init(void);
void klf_kmsg_module_exit(void);

/* the longest syslog header, "<191>1 " + timestamp + names + " - - - " */
#define KLF_SYSLOG_HDR_MAX	(7 + 27 + 1 + KLOGFWD_HOSTNAME_LEN + 1 + KLOGFWD_APP_NAME_LEN + 8)
bool klf_syslog_name_ok(const char *s);
void klf_syslog_default_host(char *buf);
size_t klf_syslog_header(const struct klf_log_config *cfg, const char *app,
			 const u8 *payload, size_t len, u64 now, char *hdr, size_t *strip);
/* a character of a JSON string: at most "\u00XX" */
#define KLF_JSON_CHAR_MAX	6
/* the JSON object up to its text: each byte of the names at most two ("\\") */
#define KLF_JSON_HEAD_MAX	(160 + 2 * (KLOGFWD_HOSTNAME_LEN + KLOGFWD_APP_NAME_LEN))
#define KLF_JSON_TAIL		2	/* "} */
u8 *klf_json_put(u8 *o, const u8 **p, const u8 *end);
u8 *klf_json_head(const struct klf_log_config *cfg, unsigned int pri, u64 seq, u64 now, u8 *o);
size_t klf_json_min_record(const struct klf_log_config *cfg);
bool klf_log_writable(struct klf_log *log);
ssize_t klf_log_last_payload(struct klf_log *log, u8 **buf, size_t *poff);
int klf_log_span(struct klf_log *log, struct klf_cursor *cur, struct klf_span *span);
u64 klf_log_skip(struct klf_log *log, struct klf_cursor *cur, u64 *bytes);
void klf_log_space(struct klf_log *log);
void klf_log_ack(struct klf_log *log, struct klf_consumer *c, u64 offset);
void klf_log_attach(struct klf_log *log, struct klf_consumer *c, u64 offset, u64 lost);
void klf_log_detach(struct klf_log *log, struct klf_consumer *c);
u64 klf_log_dropped(struct klf_log *log, struct klf_consumer *c);
u64 klf_log_bytes_after(struct klf_log *log, const struct klf_cursor *cur);
bool klf_name_ok(const char *name);
struct file *klf_dir_open(struct klf_log *log, const char *name, int flags);
int klf_settings_load(struct klf_log *log, u64 given, bool override,
		      struct netlink_ext_ack *extack);
int klf_settings_save(struct klf_log *log, const struct klf_log_config *cfg);
int klf_dir_write_file(struct klf_log *log, const char *name, const char *tmp,
		       const void *buf, size_t len, struct netlink_ext_ack *extack);
struct file *klf_dir_open_ext(struct klf_log *log, const char *name, int flags,
			      struct netlink_ext_ack *extack);
struct super_block;
bool klf_fs_ok(const struct super_block *sb);
ssize_t klf_log_read(struct klf_log *log, struct klf_cursor *cur, char __user *ubuf,
		     size_t count);
int klf_log_seek(struct klf_log *log, struct klf_cursor *cur, u64 offset);
void klf_log_bounds(struct klf_log *log, u64 *first, u64 *next);
void klf_log_snapshot(struct klf_log *log, struct klf_log_snap *snap);
size_t klf_log_append_headroom(void);
void klf_logs_delete_net(struct net *net);
struct klf_totals;
void klf_logs_for_each(struct net *net, void (*fn)(struct klf_log *, struct klf_totals *),
		       struct klf_totals *arg);
int klf_log_init(void);
void klf_log_exit(void);

int klf_seg_create(struct klf_log *log, u64 base, struct klf_segment **segp);
void klf_seg_close(struct klf_log *log, struct klf_segment *seg);
int klf_seg_remove(struct klf_log *log, struct klf_segment *seg);
int klf_seg_add_index(struct klf_log *log, struct klf_segment *seg, u64 offset, loff_t pos);
void klf_seg_trim_index(struct klf_log *log, struct klf_segment *seg, loff_t end);
loff_t klf_seg_lookup(struct klf_log *log, struct klf_segment *seg, u64 offset, u64 *found);
ssize_t klf_seg_record_len(struct klf_log *log, struct klf_segment *seg, loff_t pos,
			   u64 offset, u8 *buf, size_t bufsize);
int klf_seg_truncate(struct klf_log *log, struct file *f, loff_t len);
kuid_t klf_dir_owner(struct klf_log *log, struct inode *inode);
int klf_seg_recover(struct klf_log *log, struct netlink_ext_ack *extack);
int klf_log_push_segment(struct klf_log *log, struct klf_segment *seg);

int klf_chardev_init(void);
void klf_chardev_exit(void);
int klf_chardev_add(struct klf_log *log);
void klf_chardev_del(struct klf_log *log);

void klf_debugfs_log_add(struct klf_log *log);
void klf_debugfs_log_del(struct klf_log *log);

#endif /* _KLF_LOG_H */
