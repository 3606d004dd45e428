// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: reading a log by offset. A cursor (struct klf_cursor) names a
 * record by offset and, once resolved, by byte position in its segment;
 * device reads and seeks, a target's spans (what its sender hands to TCP)
 * and skips move it. Readers see only committed records: under the log's
 * lock, or for a span in the active segment without it, from the commit
 * the appender published (log->commit, under log->commit_seq).
 *
 * Under the lock, every one of them moves the cursor with the same walk,
 * klf_cursor_walk(): resolve the byte position (index, then a scan of a
 * few records), step over torn tails and the ends of sealed segments.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "kmod/framing.h"
#include "kmod/klogfwd.h"
#include "kmod/log.h"

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

/**
 * klf_log_snapshot() - what a log holds and its counters, at one moment
 * @log: the log
 * @snap: filled in
 *
 * The one walk of the segment array for the netlink fill, debugfs and the
 * namespace's totals.
 */
void klf_log_snapshot(struct klf_log *log, struct klf_log_snap *snap)
{
	unsigned int i;

	mutex_lock(&log->lock);
	snap->records = 0;
	for (i = 0; i < log->nsegs; i++)
		snap->records += log->segs[i]->nrecords;
	snap->bytes = log->bytes;
	snap->first_offset = log->nsegs ? log->segs[0]->base : log->next_offset;
	snap->next_offset = log->next_offset;
	snap->segments = log->nsegs;
	snap->stats = log->stats;
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

/*
 * The buffer a walk parses records in, allocated the first time one is
 * needed (a cursor whose position is known needs none), or the caller's.
 */
struct klf_scan {
	u8 *buf;
	size_t size;
};

/* Make @scan large enough for any record held; the log's lock is held. */
static int klf_scan_get(struct klf_log *log, struct klf_scan *scan)
{
	size_t need = klf_log_bufsize(log);

	if (scan->size >= need)
		return 0;
	kvfree(scan->buf);
	scan->buf = kvmalloc(need, KLF_GFP_BUF);
	scan->size = scan->buf ? need : 0;
	return scan->buf ? 0 : -ENOMEM;
}

/* Resolve the cursor's byte position: index lookup, then a short scan. */
static int klf_cursor_resolve(struct klf_log *log, struct klf_cursor *cur,
			      struct klf_scan *scan)
{
	struct klf_segment *seg;
	unsigned int i;
	ssize_t len;
	loff_t pos;
	u64 off;
	int ret;

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
	if (off < cur->offset) {
		ret = klf_scan_get(log, scan);
		if (ret)
			return ret;
	}
	while (off < cur->offset && pos < seg->size) {
		len = klf_seg_record_len(log, seg, pos, off, scan->buf, scan->size);
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

/*
 * The one walk of reads, spans and skips, under the log's lock: resolve
 * @cur and step over the ends of sealed segments (and their torn tails)
 * to the segment holding the record at @cur. A cursor before the oldest
 * record held (retention deleted it) is not moved: callers decide.
 *
 * Return: 1 with *@segp the segment holding the record at @cur, @cur's
 * position in it known; 0 at the end of the log (@cur at the next offset),
 * *@segp the segment @cur ends in if its position is known, else NULL;
 * -ENODATA if @cur is past the end, -ENOENT if it is before the oldest
 * record, -ENODEV if the log was deleted, or another negative errno.
 */
static int klf_cursor_walk(struct klf_log *log, struct klf_cursor *cur,
			   struct klf_scan *scan, struct klf_segment **segp)
{
	struct klf_segment *seg;
	int ret;

	lockdep_assert_held(&log->lock);
	*segp = NULL;
	if (log->dead)
		return -ENODEV;
	if (cur->offset > log->next_offset)
		return -ENODATA;
	for (;;) {
		ret = klf_cursor_resolve(log, cur, scan);
		if (ret)
			return cur->offset == log->next_offset ? 0 : ret;
		seg = klf_log_seg_of(log, cur->offset);
		if (cur->pos < seg->size || cur->offset == log->next_offset) {
			*segp = seg;
			return cur->pos < seg->size;
		}
		/* the end of a sealed segment: the next one starts here */
		cur->pos = -1;
	}
}

/* Move a cursor that retention left behind to the oldest record held. */
static void klf_cursor_clamp(struct klf_log *log, struct klf_cursor *cur)
{
	lockdep_assert_held(&log->lock);
	if (log->nsegs && cur->offset < log->segs[0]->base)
		*cur = (struct klf_cursor){ .offset = log->segs[0]->base, .pos = -1 };
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
	struct klf_scan scan = {};
	struct klf_cursor cur;
	struct klf_segment *seg;
	size_t plen;
	ssize_t len;
	int ret;

	lockdep_assert_held(&log->lock);
	*buf = NULL;
	if (!log->nsegs || log->next_offset == log->segs[0]->base)
		return -ENOENT;
	ret = klf_scan_get(log, &scan);
	if (ret)
		return ret;
	cur = (struct klf_cursor){ .offset = log->next_offset - 1, .pos = -1 };
	ret = klf_cursor_walk(log, &cur, &scan, &seg);
	*buf = scan.buf;
	if (ret <= 0)
		return ret ? ret : -ENOENT;
	len = klf_seg_record_len(log, seg, cur.pos, cur.offset, scan.buf, scan.size);
	if (len < 0)
		return len;
	len = klf_frame_parse(log->cfg.framing, scan.buf, len, cur.offset,
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

static int klf_log_read_range(struct klf_log *log, struct klf_cursor *cur,
			      struct klf_scan *scan, struct klf_read_range *range)
{
	struct klf_segment *seg;
	int ret;

	lockdep_assert_held(&log->lock);
	/* retention may have run since the last call */
	klf_cursor_clamp(log, cur);
	ret = klf_cursor_walk(log, cur, scan, &seg);
	if (ret <= 0)
		return ret == -ENODATA ? 0 : ret;
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
	struct klf_scan scan;
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
		scan = (struct klf_scan){ .buf = buf, .size = bufsize };
		ret = klf_log_read_range(log, cur, &scan, &r);
		mutex_unlock(&log->lock);
		/* large enough already: the walk did not replace it */
		buf = scan.buf;
		bufsize = scan.size;
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
	struct klf_scan scan = {};
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
	klf_cursor_clamp(log, cur);
	ret = klf_cursor_walk(log, cur, &scan, &seg);
	if (ret < 0)
		goto out;
	/*
	 * Caught up (0): an empty span holds the active segment for the next
	 * call, if the cursor's position in it is known (else the next call
	 * resolves it)
	 */
	if (seg)
		*span = (struct klf_span){
			.file = get_file(seg->file),
			.shmem = log->cfg.storage == KLOGFWD_STORAGE_MEMORY,
			.base = seg->base,
			.pos = cur->pos,
			.end = ret ? seg->size : cur->pos,
			.offset = cur->offset,
			.end_offset = ret ? seg->base + seg->nrecords : cur->offset,
		};
	if (ret) {
		klf_span_cap(seg, span);
		ret = 0;
	} else {
		ret = -ENODATA;
	}
out:
	mutex_unlock(&log->lock);
	kvfree(scan.buf);
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
	struct klf_scan scan = {};
	struct klf_segment *seg;
	u64 skipped = 0;
	ssize_t len;

	mutex_lock(&log->lock);
	/* every record skipped is parsed: the buffer is needed at once */
	if (klf_scan_get(log, &scan))
		goto out;
	/* a cursor before the oldest record held (retention) is not moved */
	while (*bytes && klf_cursor_walk(log, cur, &scan, &seg) > 0) {
		len = klf_seg_record_len(log, seg, cur->pos, cur->offset, scan.buf, scan.size);
		if (len < 0 || len > *bytes)
			break;
		*bytes -= len;
		cur->pos += len;
		cur->offset++;
		skipped++;
	}
out:
	mutex_unlock(&log->lock);
	kvfree(scan.buf);
	return skipped;
}
