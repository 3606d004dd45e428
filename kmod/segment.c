// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: segments. A log is a sequence of segment files, each named by
 * the offset of its first record (20 digits, as Kafka does). Memory logs
 * keep them in shmem files, dir logs in a directory; both live in the page
 * cache, which is what lets targets send the pages themselves.
 *
 * Beside each dir segment, <base>.index holds its sparse index: one entry
 * (relative offset, byte position) per KLF_INDEX_INTERVAL bytes. Finding a
 * record is a binary search over the segments, one over the index, and a
 * scan of at most one interval.
 *
 * Everything here runs with the log's lock held.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/netlink.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "kmod/framing.h"
#include "kmod/klogfwd.h"
#include "kmod/log.h"

#define KLF_SEG_NAME_LEN	32

static void klf_seg_name(char *buf, u64 base, const char *ext)
{
	snprintf(buf, KLF_SEG_NAME_LEN, "%020llu.%s", base, ext);
}

/**
 * klf_dir_open() - open a file in a dir log's directory, as its creator
 * @log: the log
 * @name: file name
 * @flags: extra open flags (O_CREAT...); always read-write, no symlinks
 *
 * Return: the file or an ERR_PTR.
 */
struct file *klf_dir_open(struct klf_log *log, const char *name, int flags)
{
	const struct cred *old = override_creds(log->cred);
	struct file *f;

	f = file_open_root(&log->dir, name, flags | O_RDWR | O_LARGEFILE | O_NOFOLLOW, 0600);
	revert_creds(old);
	return f;
}

static int klf_dir_unlink(struct klf_log *log, const char *name)
{
	struct inode *dir = d_inode(log->dir.dentry);
	const struct cred *old;
	struct dentry *d;
	int ret;

	ret = mnt_want_write(log->dir.mnt);
	if (ret)
		return ret;
	old = override_creds(log->cred);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	d = lookup_one_len(name, log->dir.dentry, strlen(name));
	if (IS_ERR(d)) {
		ret = PTR_ERR(d);
	} else {
		ret = d_really_is_positive(d) ?
		      vfs_unlink(klf_mnt_idmap(log->dir.mnt), dir, d, NULL) : 0;
		dput(d);
	}
	inode_unlock(dir);
	revert_creds(old);
	mnt_drop_write(log->dir.mnt);
	return ret;
}

static struct klf_segment *klf_seg_alloc(u64 base)
{
	struct klf_segment *seg = kzalloc(sizeof(*seg), GFP_KERNEL);

	if (!seg)
		return NULL;
	seg->base = base;
	seg->last_append = ktime_get_real_ns();
	return seg;
}

static void klf_seg_free(struct klf_segment *seg)
{
	if (seg->file)
		fput(seg->file);
	if (seg->idx_file)
		fput(seg->idx_file);
	kvfree(seg->index);
	kfree(seg);
	klf_obj_dec(KLF_OBJ_SEGMENT);
}

/**
 * klf_seg_create() - create an empty segment starting at @base
 * @log: the log, locked
 * @base: offset of its first record
 * @segp: set to the new segment
 *
 * Return: 0 or a negative errno.
 */
int klf_seg_create(struct klf_log *log, u64 base, struct klf_segment **segp)
{
	char name[KLF_SEG_NAME_LEN];
	struct klf_segment *seg;
	struct file *f;
	int ret;

	lockdep_assert_held(&log->lock);
	seg = klf_seg_alloc(base);
	if (!seg)
		return -ENOMEM;
	klf_obj_inc(KLF_OBJ_SEGMENT);

	if (log->cfg.storage == KLOGFWD_STORAGE_MEMORY) {
		snprintf(name, sizeof(name), "klogfwd:%llu", base);
		f = shmem_file_setup(name, 0, VM_NORESERVE);
	} else {
		klf_seg_name(name, base, "log");
		f = klf_dir_open(log, name, O_CREAT | O_EXCL);
	}
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto err;
	}
	seg->file = f;

	if (log->cfg.storage == KLOGFWD_STORAGE_DIR) {
		klf_seg_name(name, base, "index");
		f = klf_dir_open(log, name, O_CREAT | O_TRUNC);
		if (IS_ERR(f)) {
			ret = PTR_ERR(f);
			goto err_unlink;
		}
		seg->idx_file = f;
		if (log->cfg.sync != KLOGFWD_SYNC_NONE)
			vfs_fsync(seg->file, 0);
	}
	*segp = seg;
	return 0;

err_unlink:
	/* a full disk: leave no empty segment behind for the next try to trip on */
	klf_seg_name(name, base, "log");
	klf_dir_unlink(log, name);
err:
	klf_seg_free(seg);
	return ret;
}

/**
 * klf_seg_close() - drop a segment from memory, leaving its files
 * @log: the log, locked
 * @seg: the segment
 */
void klf_seg_close(struct klf_log *log, struct klf_segment *seg)
{
	lockdep_assert_held(&log->lock);
	klf_seg_free(seg);
}

/**
 * klf_seg_remove() - delete a segment and its files
 * @log: the log, locked
 * @seg: the segment, no longer in the log's array
 *
 * Pages still referenced elsewhere (a socket, a reader) stay valid until
 * those references go: unlinking or dropping a shmem file never changes
 * them in place.
 *
 * Return: 0 or the errno of a failed unlink (the segment is freed anyway).
 */
int klf_seg_remove(struct klf_log *log, struct klf_segment *seg)
{
	char name[KLF_SEG_NAME_LEN];
	int ret = 0;

	lockdep_assert_held(&log->lock);
	if (log->cfg.storage == KLOGFWD_STORAGE_DIR) {
		klf_seg_name(name, seg->base, "log");
		ret = klf_dir_unlink(log, name);
		klf_seg_name(name, seg->base, "index");
		klf_dir_unlink(log, name);
	}
	klf_seg_free(seg);
	return ret;
}

/**
 * klf_seg_add_index() - index the record about to be written at seg->size
 * @log: the log, locked
 * @seg: the segment
 * @offset: the record's offset
 *
 * Return: 0 or -ENOMEM.
 */
int klf_seg_add_index(struct klf_log *log, struct klf_segment *seg, u64 offset)
{
	struct klf_index_entry *e;
	loff_t pos;

	lockdep_assert_held(&log->lock);
	if (seg->size < seg->next_index_pos)
		return 0;
	if (seg->nindex == seg->index_cap) {
		u32 cap = max(16U, seg->index_cap * 2);

		e = kvmalloc_array(cap, sizeof(*e), KLF_GFP_BUF);
		if (!e)
			return -ENOMEM;
		if (seg->nindex)
			memcpy(e, seg->index, seg->nindex * sizeof(*e));
		kvfree(seg->index);
		seg->index = e;
		seg->index_cap = cap;
	}
	e = &seg->index[seg->nindex++];
	e->rel = cpu_to_le32(offset - seg->base);
	e->pos = cpu_to_le32(seg->size);
	seg->next_index_pos = seg->size + KLF_INDEX_INTERVAL;
	if (seg->idx_file) {
		/* the index is rebuilt on recovery; a failed write costs nothing */
		pos = (loff_t)(seg->nindex - 1) * sizeof(*e);
		kernel_write(seg->idx_file, e, sizeof(*e), &pos);
	}
	return 0;
}

/**
 * klf_seg_lookup() - position of the indexed record at or before @offset
 * @log: the log, locked
 * @seg: the segment holding @offset
 * @offset: a record offset in [seg->base, seg->base + seg->nrecords]
 * @found: set to the offset of the record at the returned position
 *
 * Binary search of the sparse index; the caller scans forward from the
 * returned position (at most KLF_INDEX_INTERVAL bytes plus one record).
 *
 * Return: the position of the last indexed record at or before @offset;
 * its offset is stored in *@found.
 */
loff_t klf_seg_lookup(struct klf_log *log, struct klf_segment *seg, u64 offset, u64 *found)
{
	u32 lo = 0, hi = seg->nindex, rel = offset - seg->base;

	lockdep_assert_held(&log->lock);
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (le32_to_cpu(seg->index[mid].rel) <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		*found = seg->base;
		return 0;
	}
	*found = seg->base + le32_to_cpu(seg->index[lo - 1].rel);
	return le32_to_cpu(seg->index[lo - 1].pos);
}

/**
 * klf_seg_record_len() - length of the record at @pos
 * @log: the log, locked
 * @seg: the segment
 * @pos: a record boundary below seg->size
 * @offset: the record's offset
 * @buf: scratch buffer; holds the whole record on success
 * @bufsize: its size, at least the largest framed record
 *
 * Return: the record's framed length, or a negative errno (-EBADMSG if the
 * committed bytes are not a record: that cannot happen unless the file was
 * changed behind the log's back).
 */
ssize_t klf_seg_record_len(struct klf_log *log, struct klf_segment *seg, loff_t pos,
			   u64 offset, u8 *buf, size_t bufsize)
{
	size_t avail = seg->size - pos, want = min_t(size_t, bufsize, 512), n, poff, plen;
	loff_t p;
	ssize_t ret;

	lockdep_assert_held(&log->lock);
	/* most records are small: read a little, more only when needed */
	for (;;) {
		n = min(want, avail);
		p = pos;
		ret = kernel_read(seg->file, buf, n, &p);
		if (ret < 0)
			return ret;
		ret = klf_frame_parse(log->cfg.framing, buf, ret, offset,
				      KLOGFWD_MAX_RECORD_LIMIT, &poff, &plen);
		if (ret != -EAGAIN)
			return ret;
		if (n == avail || n == bufsize)
			return -EBADMSG;
		want = min(want * 16, bufsize);
	}
}

/* --- recovery ------------------------------------------------------------ */

struct klf_scan_ctx {
	struct dir_context ctx;
	u64 *bases;
	unsigned int n;
	unsigned int cap;
	int err;
};

static bool klf_scan_actor(struct dir_context *ctx, const char *name, int len,
			   loff_t off, u64 ino, unsigned int type)
{
	struct klf_scan_ctx *s = container_of(ctx, struct klf_scan_ctx, ctx);
	char num[21];
	u64 base;
	int i;

	if (len != 24 || strcmp(name + 20, ".log") != 0)
		return true;
	for (i = 0; i < 20; i++)
		if (name[i] < '0' || name[i] > '9')
			return true;
	memcpy(num, name, 20);
	num[20] = 0;
	if (kstrtou64(num, 10, &base))
		return true;
	if (s->n == s->cap) {
		u64 *b = krealloc_array(s->bases, max(16U, s->cap * 2), sizeof(u64), GFP_KERNEL);

		if (!b) {
			s->err = -ENOMEM;
			return false;
		}
		s->bases = b;
		s->cap = max(16U, s->cap * 2);
	}
	s->bases[s->n++] = base;
	return true;
}

static int klf_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * klf_seg_truncate() - truncate a segment file, with the log's credentials
 * @log: the log, locked
 * @f: a file of the log's directory
 * @len: new length
 *
 * Only ever cuts bytes that no reader or target has been given: a torn tail
 * during recovery, or the partial bytes of a failed append.
 *
 * Return: 0 or a negative errno.
 */
int klf_seg_truncate(struct klf_log *log, struct file *f, loff_t len)
{
	const struct cred *old = override_creds(log->cred);
	int ret = vfs_truncate(&f->f_path, len);

	revert_creds(old);
	return ret;
}

/*
 * Scan one segment file: count its records, rebuild its index, and cut off
 * whatever follows the last valid record (a torn write, or corruption).
 */
static int klf_seg_scan(struct klf_log *log, struct klf_segment *seg, u8 *buf, size_t bufsize)
{
	loff_t fsize = i_size_read(file_inode(seg->file)), pos = 0, p;
	size_t poff, plen, avail;
	ssize_t n, len;
	int ret;

	while (pos < fsize) {
		avail = min_t(loff_t, bufsize, fsize - pos);
		p = pos;
		n = kernel_read(seg->file, buf, avail, &p);
		if (n < 0)
			return n;
		len = klf_frame_parse(log->cfg.framing, buf, n, seg->base + seg->nrecords,
				      KLOGFWD_MAX_RECORD_LIMIT, &poff, &plen);
		if (len < 0)
			break;
		seg->size = pos;
		ret = klf_seg_add_index(log, seg, seg->base + seg->nrecords);
		if (ret)
			return ret;
		pos += len;
		seg->size = pos;
		seg->nrecords++;
		log->largest = max_t(u32, log->largest, plen);
	}
	seg->size = pos;
	if (pos < fsize) {
		pr_warn("log %s: segment %020llu: cutting %lld bytes after the last valid record\n",
			log->name, seg->base, fsize - pos);
		ret = klf_seg_truncate(log, seg->file, pos);
		if (ret)
			return ret;
		log->stats.truncated_bytes += fsize - pos;
	}
	return 0;
}

/*
 * Open <base>.index and rewrite it if it differs from the index the scan
 * rebuilt (it was opened only now, so the scan did not write to it).
 */
static int klf_seg_check_index(struct klf_log *log, struct klf_segment *seg)
{
	size_t want = seg->nindex * sizeof(*seg->index);
	char name[KLF_SEG_NAME_LEN];
	void *old = NULL;
	loff_t size, pos = 0;
	struct file *f;
	ssize_t n;
	int ret = 0;

	klf_seg_name(name, seg->base, "index");
	f = klf_dir_open(log, name, O_CREAT);
	if (IS_ERR(f))
		return PTR_ERR(f);
	seg->idx_file = f;
	size = i_size_read(file_inode(f));

	if (size == want) {
		old = kvmalloc(max_t(size_t, want, 1), KLF_GFP_BUF);
		if (!old)
			return -ENOMEM;
		n = kernel_read(seg->idx_file, old, want, &pos);
		if (n == want && !memcmp(old, seg->index, want))
			goto out;
	}
	log->stats.index_rebuilds++;
	/*
	 * The log runs on the index in memory; the file only saves a scan.
	 * Failing to rewrite it (a full disk) must not stop the recovery.
	 */
	pos = 0;
	if (klf_seg_truncate(log, seg->idx_file, 0) ||
	    kernel_write(seg->idx_file, seg->index, want, &pos) != want)
		pr_warn_ratelimited("log %s: segment %020llu: cannot rewrite its index\n",
				    log->name, seg->base);
out:
	kvfree(old);
	return ret;
}

static int klf_seg_open_existing(struct klf_log *log, u64 base, struct klf_segment **segp)
{
	char name[KLF_SEG_NAME_LEN];
	struct klf_segment *seg;
	struct file *f;
	int ret;

	seg = klf_seg_alloc(base);
	if (!seg)
		return -ENOMEM;
	klf_obj_inc(KLF_OBJ_SEGMENT);
	klf_seg_name(name, base, "log");
	f = klf_dir_open(log, name, 0);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto err;
	}
	seg->file = f;
	*segp = seg;
	return 0;
err:
	klf_seg_free(seg);
	return ret;
}

/*
 * The framing a dir log's records were written with, kept in <dir>/framing
 * ("lf", "octet" or "klf" and a newline). Scanning segments with another
 * framing would find no valid record in them and cut them off: a log added
 * again with the wrong framing must be refused, never "recovered".
 */
#define KLF_FRAMING_FILE	"framing"

static const char *const klf_framing_names[] = {
	[KLOGFWD_FRAMING_LF]	= "lf",
	[KLOGFWD_FRAMING_OCTET]	= "octet",
	[KLOGFWD_FRAMING_KLF]	= "klf",
};

static const char *klf_framing_name(u32 framing)
{
	return framing < ARRAY_SIZE(klf_framing_names) ? klf_framing_names[framing] : "?";
}

/* Return: 0 with *@framing set, -ENOENT if there is no file, -ENODATA if
 * it is empty or all zeros (written by a version that did not sync it, and
 * a power failure came before writeback), -EINVAL if it does not name a
 * framing, or another negative errno.
 */
static int klf_framing_read(struct klf_log *log, u32 *framing)
{
	loff_t pos = 0;
	struct file *f;
	char buf[16];
	ssize_t n;
	u32 i;

	f = klf_dir_open(log, KLF_FRAMING_FILE, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	fput(f);
	if (n < 0)
		return n;
	if (!memchr_inv(buf, 0, n))
		return -ENODATA;
	buf[n] = 0;
	if (buf[n - 1] == '\n')
		buf[n - 1] = 0;
	for (i = 0; i < ARRAY_SIZE(klf_framing_names); i++) {
		if (!strcmp(buf, klf_framing_names[i])) {
			*framing = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int klf_framing_write(struct klf_log *log)
{
	const char *name = klf_framing_name(log->cfg.framing);
	char buf[16];
	loff_t pos = 0;
	struct file *f;
	ssize_t n;
	int len, ret = 0;

	len = snprintf(buf, sizeof(buf), "%s\n", name);
	f = klf_dir_open(log, KLF_FRAMING_FILE, O_CREAT | O_TRUNC);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, buf, len, &pos);
	if (n != len)
		ret = n < 0 ? n : -EIO;
	/*
	 * Whatever the log's sync mode: the file is written once, before the
	 * directory's first segment, so that a segment on the disk implies it
	 */
	if (!ret)
		ret = vfs_fsync(f, 0);
	fput(f);
	return ret;
}

/*
 * Check the directory's framing file against the log's framing, and write
 * it if it is missing or the directory holds no segment. Segments without
 * the file (a directory from before it existed), or with an empty one (it
 * was not always synced before, and a power failure lost it), are
 * recovered with the framing given, which is then kept.
 */
static int klf_framing_check(struct klf_log *log, unsigned int nsegs,
			     struct netlink_ext_ack *extack)
{
	u32 framing;
	int ret;

	ret = klf_framing_read(log, &framing);
	if (!ret && framing == log->cfg.framing)
		return 0;
	if (nsegs && !ret) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the directory holds a log with framing %s, not %s: add it with framing %s",
				   klf_framing_name(framing), klf_framing_name(log->cfg.framing),
				   klf_framing_name(framing));
		return -EINVAL;
	}
	if (nsegs && ret == -ENODATA) {
		pr_warn("log %s: its framing file is empty (a power failure before it reached the disk?): recovered as %s\n",
			log->name, klf_framing_name(log->cfg.framing));
	} else if (nsegs && ret != -ENOENT) {
		NL_SET_ERR_MSG_FMT(extack,
				   "cannot read the directory's file \"%s\" (%d): it must hold lf, octet or klf",
				   KLF_FRAMING_FILE, ret);
		return ret;
	}
	ret = klf_framing_write(log);
	if (ret && !nsegs) {
		NL_SET_ERR_MSG_FMT(extack, "cannot write the directory's file \"%s\" (%d)",
				   KLF_FRAMING_FILE, ret);
		return ret;
	}
	/* recovery on a full disk goes on: the segments hold the records */
	if (ret)
		pr_warn_ratelimited("log %s: cannot write its framing file (%d)\n",
				    log->name, ret);
	return 0;
}

/**
 * klf_seg_recover() - load the segments found in a dir log's directory
 * @log: the new log, locked, with no segments yet
 * @extack: for errors
 *
 * Every segment is scanned: records counted, a torn or corrupt tail cut off
 * and counted, the index rebuilt and rewritten if missing or wrong. A
 * corrupt tail never makes recovery fail. Segments written with another
 * framing than the log's (the directory's framing file says) are refused.
 *
 * Return: 0 or a negative errno (I/O errors, memory, -EINVAL for another
 * framing, with an extack message).
 */
int klf_seg_recover(struct klf_log *log, struct netlink_ext_ack *extack)
{
	struct klf_scan_ctx s = { .ctx.actor = klf_scan_actor };
	size_t bufsize = KLOGFWD_MAX_RECORD_LIMIT + KLF_KLF_HDR_LEN + 16;
	struct klf_segment *seg;
	struct file *dir;
	unsigned int i;
	u8 *buf = NULL;
	int ret;

	lockdep_assert_held(&log->lock);
	dir = dentry_open(&log->dir, O_RDONLY | O_DIRECTORY, log->cred);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	ret = iterate_dir(dir, &s.ctx);
	fput(dir);
	if (!ret)
		ret = s.err;
	if (!ret)
		ret = klf_framing_check(log, s.n, extack);
	if (ret || !s.n)
		goto out;

	sort(s.bases, s.n, sizeof(u64), klf_u64_cmp, NULL);
	buf = kvmalloc(bufsize, KLF_GFP_BUF);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	log->stats.recoveries = 1;
	for (i = 0; i < s.n; i++) {
		if (log->nsegs && s.bases[i] < log->next_offset) {
			pr_warn("log %s: segment %020llu overlaps the previous one; ignored\n",
				log->name, s.bases[i]);
			continue;
		}
		ret = klf_seg_open_existing(log, s.bases[i], &seg);
		if (ret)
			goto out;
		ret = klf_seg_scan(log, seg, buf, bufsize);
		if (!ret)
			ret = klf_seg_check_index(log, seg);
		if (!ret)
			ret = klf_log_push_segment(log, seg);
		if (ret) {
			klf_seg_close(log, seg);
			goto out;
		}
		log->next_offset = seg->base + seg->nrecords;
		log->bytes += seg->size;
		log->stats.recovered_records += seg->nrecords;
	}
	if (s.n)
		klf_nl_log_event(log, KLOGFWD_LOG_EVENT_RECOVERED,
				 log->stats.recovered_records);
out:
	kvfree(buf);
	kfree(s.bases);
	return ret;
}
