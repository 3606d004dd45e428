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
#include <linux/dax.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/netlink.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <uapi/linux/magic.h>
#include <linux/sort.h>
#include <linux/stat.h>
#include <linux/vmalloc.h>

#include "kmod/framing.h"
#include "kmod/klogfwd.h"
#include "kmod/log.h"

#define KLF_SEG_NAME_LEN	32

static void klf_seg_name(char *buf, u64 base, const char *ext)
{
	snprintf(buf, KLF_SEG_NAME_LEN, "%020llu.%s", base, ext);
}

/*
 * A dir log's directory is untrusted input: anyone who could write to it
 * before the log was added may have planted anything under the names the
 * log uses. Every file is looked up first and opened only if it is a
 * regular file with one link, owned by the log's creator, on a filesystem
 * whose pages the sender can read from the page cache; new files are
 * created with O_EXCL. Nothing is opened by a path that may cross a
 * symlink, and nothing is read before it passed these checks, so no FIFO,
 * device or foreign file can block, feed or redirect the log.
 */

/**
 * klf_fs_ok() - can a dir log live on this filesystem?
 * @sb: the filesystem
 *
 * The sender reads segment pages with read_mapping_page() (shmem's own
 * reader on tmpfs): only local page-cache filesystems that have one and
 * whose pages stay put are allowed. overlayfs, FUSE, 9p, NFS and the
 * others are refused, and DAX is checked per file (klf_file_ok()).
 *
 * Return: true if dir logs may be created there.
 */
bool klf_fs_ok(const struct super_block *sb)
{
	switch (sb->s_magic) {
	case TMPFS_MAGIC:
	case EXT4_SUPER_MAGIC:	/* also ext2 and ext3 */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
		return true;
	}
	return false;
}

/**
 * klf_dir_owner() - the owner of a file of a log's directory, as its mount
 *	shows it
 * @log: the log, whose dir is set
 * @inode: the directory or a file in it
 *
 * On an idmapped mount the VFS checks permissions with the uid mapped
 * through the mount's idmapping, and creates files with the creator's
 * fsuid mapped back: the owner rules compare that uid too.
 *
 * Return: the owner as seen through the log's mount.
 */
kuid_t klf_dir_owner(struct klf_log *log, struct inode *inode)
{
	return vfsuid_into_kuid(i_uid_into_vfsuid(klf_mnt_idmap(log->dir.mnt), inode));
}

/*
 * Is the inode something the log may open? Return 0 or -EPERM, with the
 * reason in @extack (and, shorter, in the kernel log).
 */
static int klf_inode_ok(struct klf_log *log, struct inode *inode, const char *name,
			struct netlink_ext_ack *extack)
{
	/* one literal format per reason: 6.1's extack keeps only the format */
	if (!S_ISREG(inode->i_mode)) {
		NL_SET_ERR_MSG_FMT(extack, "%s is not a regular file: move it away", name);
	} else if (inode->i_nlink != 1) {
		NL_SET_ERR_MSG_FMT(extack, "%s has %u links: move it away", name,
				   inode->i_nlink);
	} else if (!uid_eq(klf_dir_owner(log, inode), log->cred->fsuid)) {
		NL_SET_ERR_MSG_FMT(extack, "%s is owned by uid %u, not the log's creator", name,
				   from_kuid_munged(&init_user_ns, klf_dir_owner(log, inode)));
	} else if (IS_DAX(inode)) {
		NL_SET_ERR_MSG_FMT(extack, "%s is a DAX file, no page cache: mount without dax",
				   name);
	} else if (!(shmem_mapping(inode->i_mapping) || inode->i_mapping->a_ops->read_folio)) {
		NL_SET_ERR_MSG_FMT(extack, "%s cannot be read from the page cache", name);
	} else {
		return 0;
	}
	pr_warn_ratelimited("log %s: dir %s: %s is not a regular file of the log's creator with one link, readable from the page cache: not opened\n",
			    log->name, log->dir_path, name);
	return -EPERM;
}

static int klf_dir_unlink_dentry(struct klf_log *log, struct dentry *d);

/**
 * klf_dir_open_ext() - open a file in a dir log's directory, as its creator
 * @log: the log
 * @name: file name (no '/')
 * @flags: O_CREAT: create it if it does not exist (with O_EXCL: it must
 *	   not exist); O_TRUNC: empty it. Always read-write.
 * @extack: for errors, or NULL
 *
 * An existing file is looked up and checked before it is opened (see the
 * comment above klf_fs_ok()), so opening it cannot block or have side
 * effects; a missing one is created with O_EXCL|O_NOFOLLOW.
 *
 * Return: the file or an ERR_PTR (-ENOENT without O_CREAT, -EPERM for a
 * file the log must not trust, -EEXIST with O_EXCL).
 */
struct file *klf_dir_open_ext(struct klf_log *log, const char *name, int flags,
			      struct netlink_ext_ack *extack)
{
	int oflags = O_RDWR | O_LARGEFILE | O_NOFOLLOW | O_NONBLOCK;
	const struct cred *old = override_creds(log->cred);
	struct path path = { .mnt = log->dir.mnt };
	struct file *f;
	int ret;

	path.dentry = lookup_one_len_unlocked(name, log->dir.dentry, strlen(name));
	if (IS_ERR(path.dentry)) {
		f = ERR_CAST(path.dentry);
		goto out;
	}
	if (d_really_is_negative(path.dentry)) {
		dput(path.dentry);
		f = ERR_PTR(-ENOENT);
		if (flags & O_CREAT)
			f = file_open_root(&log->dir, name, oflags | O_CREAT | O_EXCL, 0600);
		if (!IS_ERR(f)) {
			/* created by us; only the filesystem checks apply */
			ret = klf_inode_ok(log, file_inode(f), name, extack);
			if (ret) {
				/* a file the log cannot use (DAX): not left behind */
				klf_dir_unlink_dentry(log, f->f_path.dentry);
				fput(f);
				f = ERR_PTR(ret);
			}
		}
		goto out;
	}
	if (flags & O_EXCL) {
		dput(path.dentry);
		f = ERR_PTR(-EEXIST);
		goto out;
	}
	ret = klf_inode_ok(log, d_inode(path.dentry), name, extack);
	if (ret) {
		dput(path.dentry);
		f = ERR_PTR(ret);
		goto out;
	}
	f = dentry_open(&path, oflags, log->cred);
	dput(path.dentry);
	if (!IS_ERR(f) && (flags & O_TRUNC)) {
		ret = vfs_truncate(&f->f_path, 0);
		if (ret) {
			fput(f);
			f = ERR_PTR(ret);
		}
	}
out:
	revert_creds(old);
	return f;
}

/**
 * klf_dir_open() - klf_dir_open_ext() without an extack
 * @log: the log
 * @name: file name
 * @flags: O_CREAT, O_EXCL, O_TRUNC
 *
 * Return: the file or an ERR_PTR.
 */
struct file *klf_dir_open(struct klf_log *log, const char *name, int flags)
{
	return klf_dir_open_ext(log, name, flags, NULL);
}

/*
 * Begin and end a change of the log's directory: write access to its mount
 * and the credentials of the log's creator, as unlink and rename need.
 */
static int klf_dir_write_begin(struct klf_log *log, const struct cred **old)
{
	int ret = mnt_want_write(log->dir.mnt);

	if (!ret)
		*old = override_creds(log->cred);
	return ret;
}

static void klf_dir_write_end(struct klf_log *log, const struct cred *old)
{
	revert_creds(old);
	mnt_drop_write(log->dir.mnt);
}

/*
 * Unlink a file of the log's directory: the dentry the log holds, never
 * whatever has the name now. Nothing to do if it was moved away.
 */
static int klf_dir_unlink_dentry(struct klf_log *log, struct dentry *d)
{
	struct inode *dir = d_inode(log->dir.dentry);
	const struct cred *old;
	int ret;

	ret = klf_dir_write_begin(log, &old);
	if (ret)
		return ret;
	/*
	 * A reference of our own, as a lookup would give: vfs_unlink() turns
	 * a dentry nobody else holds negative, under the file that holds it.
	 */
	dget(d);
	inode_lock_nested(dir, I_MUTEX_PARENT);
	if (d->d_parent == log->dir.dentry && !d_unhashed(d) && d_really_is_positive(d))
		ret = vfs_unlink(klf_mnt_idmap(log->dir.mnt), dir, d, NULL);
	inode_unlock(dir);
	dput(d);
	klf_dir_write_end(log, old);
	return ret;
}

/* Unlink by name: only for the log's own temporary file. */
static int klf_dir_unlink(struct klf_log *log, const char *name)
{
	struct dentry *d;
	int ret;

	d = lookup_one_len_unlocked(name, log->dir.dentry, strlen(name));
	if (IS_ERR(d))
		return PTR_ERR(d);
	ret = klf_dir_unlink_dentry(log, d);
	dput(d);
	return ret;
}

/* Rename @from to @to in the log's directory, replacing @to. */
static int klf_dir_rename(struct klf_log *log, const char *from, const char *to)
{
	struct inode *dir = d_inode(log->dir.dentry);
	struct renamedata rd = { .old_dir = dir, .new_dir = dir };
	const struct cred *old;
	int ret;

	ret = klf_dir_write_begin(log, &old);
	if (ret)
		return ret;
	lock_rename(log->dir.dentry, log->dir.dentry);
	rd.old_dentry = lookup_one_len(from, log->dir.dentry, strlen(from));
	if (IS_ERR(rd.old_dentry)) {
		ret = PTR_ERR(rd.old_dentry);
		goto out_unlock;
	}
	rd.new_dentry = lookup_one_len(to, log->dir.dentry, strlen(to));
	if (IS_ERR(rd.new_dentry)) {
		ret = PTR_ERR(rd.new_dentry);
		goto out_old;
	}
	ret = -ENOENT;
	if (d_really_is_positive(rd.old_dentry)) {
		klf_renamedata_set_idmap(&rd, log->dir.mnt);
		ret = vfs_rename(&rd);
	}
	dput(rd.new_dentry);
out_old:
	dput(rd.old_dentry);
out_unlock:
	unlock_rename(log->dir.dentry, log->dir.dentry);
	klf_dir_write_end(log, old);
	return ret;
}

static struct klf_segment *klf_seg_alloc(u64 base)
{
	struct klf_segment *seg = kzalloc(sizeof(*seg), GFP_KERNEL);

	if (!seg)
		return NULL;
	seg->base = base;
	seg->last_append = ktime_get_boottime_ns();
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
	klf_dir_unlink_dentry(log, seg->file->f_path.dentry);
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
	int ret = 0;

	lockdep_assert_held(&log->lock);
	if (log->cfg.storage == KLOGFWD_STORAGE_DIR) {
		ret = klf_dir_unlink_dentry(log, seg->file->f_path.dentry);
		if (seg->idx_file)
			klf_dir_unlink_dentry(log, seg->idx_file->f_path.dentry);
	}
	klf_seg_free(seg);
	return ret;
}

/**
 * klf_seg_add_index() - index the record about to be written at @pos
 * @log: the log, locked
 * @seg: the segment
 * @offset: the record's offset
 * @pos: its byte position: seg->size, or after the records staged before
 *	 it (group commit)
 *
 * Return: 0 or -ENOMEM.
 */
int klf_seg_add_index(struct klf_log *log, struct klf_segment *seg, u64 offset, loff_t pos)
{
	struct klf_index_entry *e;
	loff_t ipos;

	lockdep_assert_held(&log->lock);
	if (pos < seg->next_index_pos)
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
	e->pos = cpu_to_le32(pos);
	seg->next_index_pos = pos + KLF_INDEX_INTERVAL;
	if (seg->idx_file) {
		/* the index is rebuilt on recovery; a failed write costs nothing */
		ipos = (loff_t)(seg->nindex - 1) * sizeof(*e);
		kernel_write(seg->idx_file, e, sizeof(*e), &ipos);
	}
	return 0;
}

/**
 * klf_seg_trim_index() - forget the index entries of records cut off
 * @log: the log, locked
 * @seg: the segment
 * @end: its new end: entries after it go (one at @end still names the
 *	 record the next append writes there)
 */
void klf_seg_trim_index(struct klf_log *log, struct klf_segment *seg, loff_t end)
{
	lockdep_assert_held(&log->lock);
	while (seg->nindex && le32_to_cpu(seg->index[seg->nindex - 1].pos) > end)
		seg->nindex--;
	seg->next_index_pos = seg->nindex ?
		le32_to_cpu(seg->index[seg->nindex - 1].pos) + KLF_INDEX_INTERVAL : 0;
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

/*
 * Bounds on what a directory may hold: offsets far from wrapping, a number
 * of segments recovery can hold in memory, and segment files whose byte
 * positions fit the 32-bit index.
 */
#define KLF_MAX_BASE		BIT_ULL(62)
#define KLF_MAX_SEGMENTS	65536
#define KLF_MAX_SEG_FILE	((loff_t)U32_MAX)

struct klf_scan_ctx {
	struct dir_context ctx;
	u64 *bases;
	unsigned int n;
	unsigned int cap;
	u64 bad_base;
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
	if (kstrtou64(num, 10, &base) || base > KLF_MAX_BASE) {
		/* 20 digits that overflow u64, or near it: refused, not skipped */
		s->bad_base = 1;
		s->err = -EINVAL;
		return false;
	}
	if (s->n == KLF_MAX_SEGMENTS) {
		s->err = -E2BIG;
		return false;
	}
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
	const struct cred *old;
	int ret;

	ret = klf_fault_hit(KLF_FAULT_TRUNCATE);
	if (ret)
		return ret;
	old = override_creds(log->cred);
	ret = vfs_truncate(&f->f_path, len);
	revert_creds(old);
	return ret;
}

/*
 * Scan one segment file in one pass: read it a buffer at a time, parse
 * every record of each buffer, count them and rebuild the index. Stops at
 * the first bytes that are not a record; nothing is changed here.
 *
 * Return: 0 with seg->size at the end of the last whole record (what
 * follows, up to @fsize, is for klf_seg_check_tail()), or a negative errno
 * (I/O, memory).
 */
static int klf_seg_scan(struct klf_log *log, struct klf_segment *seg, u8 *buf, size_t bufsize,
			loff_t fsize)
{
	loff_t pos = 0, p;		/* file position of buf[0] */
	size_t have = 0, off, poff, plen;
	ssize_t n, len = 0;
	int ret;

	for (;;) {
		if (have < bufsize && pos + have < fsize) {
			p = pos + have;
			n = kernel_read(seg->file, buf + have,
					min_t(loff_t, bufsize - have, fsize - p), &p);
			if (n < 0)
				return n;
			if (!n)		/* the file shrank under us */
				fsize = pos + have;
			have += n;
		}
		for (off = 0; off < have; off += len) {
			len = klf_frame_parse(log->cfg.framing, buf + off, have - off,
					      seg->base + seg->nrecords,
					      KLOGFWD_MAX_RECORD_LIMIT, &poff, &plen);
			if (len < 0)
				break;
			seg->size = pos + off;
			ret = klf_seg_add_index(log, seg, seg->base + seg->nrecords, seg->size);
			if (ret)
				return ret;
			seg->nrecords++;
			log->largest = max_t(u32, log->largest, plen);
		}
		seg->size = pos + off;
		if (off == have && pos + have >= fsize)
			return 0;
		/* not a record, an incomplete one at the end, or one too large */
		if (off < have &&
		    (len != -EAGAIN || pos + have >= fsize || (!off && have == bufsize)))
			return 0;
		memmove(buf, buf + off, have - off);
		pos += off;
		have -= off;
		cond_resched();
	}
}

/* Are the bytes of @f from @pos to @end all zero (what a crash may leave)? */
static int klf_seg_zero_tail(struct file *f, loff_t pos, loff_t end, u8 *buf, size_t bufsize)
{
	ssize_t n;

	while (pos < end) {
		n = kernel_read(f, buf, min_t(loff_t, bufsize, end - pos), &pos);
		if (n <= 0)
			return n < 0 ? n : 0;
		if (memchr_inv(buf, 0, n))
			return 0;
		cond_resched();
	}
	return 1;
}

/*
 * Open <base>.index and rewrite it if it differs from the index the scan
 * rebuilt (it was opened only now, so the scan did not write to it).
 */
static int klf_seg_check_index(struct klf_log *log, struct klf_segment *seg,
			       struct netlink_ext_ack *extack)
{
	size_t want = seg->nindex * sizeof(*seg->index);
	char name[KLF_SEG_NAME_LEN];
	void *old = NULL;
	loff_t size, pos = 0;
	struct file *f;
	ssize_t n;

	klf_seg_name(name, seg->base, "index");
	f = klf_dir_open_ext(log, name, O_CREAT, extack);
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
	return 0;
}

static int klf_seg_open_existing(struct klf_log *log, u64 base, struct klf_segment **segp,
				 struct netlink_ext_ack *extack)
{
	char name[KLF_SEG_NAME_LEN];
	struct klf_segment *seg;
	struct kstat st;
	struct file *f;
	s64 age;
	int ret;

	seg = klf_seg_alloc(base);
	if (!seg)
		return -ENOMEM;
	klf_obj_inc(KLF_OBJ_SEGMENT);
	klf_seg_name(name, base, "log");
	f = klf_dir_open_ext(log, name, 0, extack);
	if (IS_ERR(f)) {
		ret = PTR_ERR(f);
		goto err;
	}
	seg->file = f;
	if (i_size_read(file_inode(f)) > KLF_MAX_SEG_FILE) {
		NL_SET_ERR_MSG_FMT(extack, "%s is larger than 4 GiB: move it aside", name);
		ret = -EFBIG;
		goto err;
	}
	/*
	 * Its age for retain-ms: from its mtime (the wall clock of its last
	 * append), never in the future, then kept on the boot-time clock.
	 */
	ret = vfs_getattr(&f->f_path, &st, STATX_MTIME, AT_STATX_SYNC_AS_STAT);
	if (!ret) {
		age = ktime_get_real_ns() - timespec64_to_ns(&st.mtime);
		seg->last_append -= max_t(s64, age, 0);
	}
	*segp = seg;
	return 0;
err:
	klf_seg_free(seg);
	return ret;
}

/*
 * The framing a dir log's records were written with, kept in <dir>/framing
 * ("lf", "octet" or "klf" and a newline). Scanning segments with another
 * framing would find no valid record in them: a log added again with the
 * wrong framing must be refused, never "recovered".
 */
#define KLF_FRAMING_FILE	"framing"
#define KLF_FRAMING_TMP		".framing.tmp"

static const char *const klf_framing_names[] = {
	[KLOGFWD_FRAMING_LF]	= "lf",
	[KLOGFWD_FRAMING_OCTET]	= "octet",
	[KLOGFWD_FRAMING_KLF]	= "klf",
};

/**
 * klf_framing_name() - a framing's name, as the CLI and <dir>/framing give it
 * @framing: KLOGFWD_FRAMING_*
 *
 * Return: "lf", "octet", "klf", or "?" for another value.
 */
const char *klf_framing_name(u32 framing)
{
	return framing < ARRAY_SIZE(klf_framing_names) ? klf_framing_names[framing] : "?";
}

/* Return: 0 with *@framing set, -ENOENT if there is no file, -ENODATA if
 * it is empty or all zeros (written by a version that did not sync it, and
 * a power failure came before writeback), -EINVAL if it does not name a
 * framing, -EPERM if it is not a file to trust, or another negative errno.
 */
static int klf_framing_read(struct klf_log *log, u32 *framing, struct netlink_ext_ack *extack)
{
	loff_t pos = 0;
	struct file *f;
	char buf[16];
	ssize_t n;
	u32 i;

	f = klf_dir_open_ext(log, KLF_FRAMING_FILE, 0, extack);
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

/**
 * klf_dir_write_file() - replace a small file of a dir log's directory atomically
 * @log: the log
 * @name: the file
 * @tmp: the temporary name it is written under first
 * @buf: the new content
 * @len: its length
 * @extack: for the reason a file the log cannot use is refused, or NULL
 *
 * A temporary file, synced, renamed over the name, so that the name holds
 * the old content or the new one, never a part, whatever the log's sync
 * mode.
 *
 * Return: 0 or a negative errno (-EPERM, with the reason in @extack, on a
 * filesystem whose files the log cannot use: DAX).
 */
int klf_dir_write_file(struct klf_log *log, const char *name, const char *tmp,
		       const void *buf, size_t len, struct netlink_ext_ack *extack)
{
	loff_t pos = 0;
	struct file *f;
	ssize_t n;
	int ret = 0;

	klf_dir_unlink(log, tmp);
	f = klf_dir_open_ext(log, tmp, O_CREAT | O_EXCL, extack);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, buf, len, &pos);
	if (n != len)
		ret = n < 0 ? n : -EIO;
	if (!ret)
		ret = vfs_fsync(f, 0);
	if (!ret)
		ret = klf_dir_rename(log, tmp, name);
	if (ret)
		klf_dir_unlink_dentry(log, f->f_path.dentry);
	fput(f);
	return ret;
}

/*
 * Write the framing file (klf_dir_write_file()): it is written before the
 * directory's first segment, so that a segment on the disk implies it.
 */
static int klf_framing_write(struct klf_log *log, struct netlink_ext_ack *extack)
{
	char buf[16];
	int len;

	len = snprintf(buf, sizeof(buf), "%s\n", klf_framing_name(log->cfg.framing));
	return klf_dir_write_file(log, KLF_FRAMING_FILE, KLF_FRAMING_TMP, buf, len, extack);
}

/*
 * Check the directory's framing file against the log's framing. Sets
 * *@unknown if segments exist without a readable framing file (a directory
 * from before it existed, or a power failure lost it): their content must
 * then confirm the framing given (klf_seg_recover()).
 */
static int klf_framing_check(struct klf_log *log, unsigned int nsegs, bool *unknown,
			     struct netlink_ext_ack *extack)
{
	u32 framing;
	int ret;

	*unknown = false;
	ret = klf_framing_read(log, &framing, extack);
	if (!ret && framing == log->cfg.framing)
		return 0;
	if (ret == -EPERM)
		return ret;
	if (nsegs && !ret) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the directory holds a log with framing %s, not %s: add it with framing %s",
				   klf_framing_name(framing), klf_framing_name(log->cfg.framing),
				   klf_framing_name(framing));
		return -EINVAL;
	}
	if (nsegs && ret != -ENOENT && ret != -ENODATA) {
		NL_SET_ERR_MSG_FMT(extack,
				   "cannot read the directory's file \"%s\" (%d): it must hold lf, octet or klf",
				   KLF_FRAMING_FILE, ret);
		return ret;
	}
	*unknown = nsegs;
	if (nsegs && ret == -ENODATA)
		pr_warn("log %s: its framing file is empty (a power failure before it reached the disk?): the segments must parse as %s\n",
			log->name, klf_framing_name(log->cfg.framing));
	else if (nsegs)
		pr_warn("log %s: its directory has no framing file: the segments must parse as %s\n",
			log->name, klf_framing_name(log->cfg.framing));
	return 0;
}

/* Write the framing file after a recovery or for a new directory. */
static int klf_framing_save(struct klf_log *log, unsigned int nsegs,
			    struct netlink_ext_ack *extack)
{
	u32 framing;
	int ret;

	if (!klf_framing_read(log, &framing, NULL) && framing == log->cfg.framing)
		return 0;
	ret = klf_framing_write(log, extack);
	if (ret && !nsegs) {
		/* a file refused (DAX) came with its reason */
		if (!extack || !extack->_msg)
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

/*
 * Without a framing file, the first bytes of the first segment must be a
 * record of the framing given; klf's magic is refused for the others (lf
 * would take a klf record for a line).
 */
static int klf_framing_sniff(struct klf_log *log, struct klf_segment *seg, u8 *buf,
			     struct netlink_ext_ack *extack)
{
	loff_t pos = 0;
	__le32 magic;
	ssize_t n;

	n = kernel_read(seg->file, buf, sizeof(magic), &pos);
	if (n < 0)
		return n;
	memcpy(&magic, buf, sizeof(magic));
	if (n == sizeof(magic) && log->cfg.framing != KLOGFWD_FRAMING_KLF &&
	    le32_to_cpu(magic) == KLF_KLF_MAGIC) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the framing file is missing or empty and %020llu.log holds klf",
				   seg->base);
		return -EINVAL;
	}
	return 0;
}

/*
 * What follows the last record of a segment may be cut only if it is a
 * torn tail: at most one record's worth at the end of the file (and,
 * without a framing file, after at least one record), or zeros. Sealed
 * segments can have one too: with sync none, a power failure may keep a
 * newer segment and lose the end of an older one's last page. Anything
 * longer is corruption. Return 0 if the tail may go, else a negative errno
 * with an extack message saying what to do.
 */
static int klf_seg_check_tail(struct klf_log *log, struct klf_segment *seg, bool unknown,
			      loff_t fsize, u8 *buf, size_t bufsize,
			      struct netlink_ext_ack *extack)
{
	loff_t one = log->cfg.max_record + KLF_KLF_HDR_LEN + 16, tail = fsize - seg->size;
	int zero;

	if (tail <= one && (seg->nrecords || !unknown))
		return 0;
	zero = klf_seg_zero_tail(seg->file, seg->size, fsize, buf, bufsize);
	if (zero)
		return zero < 0 ? zero : 0;
	if (unknown) {
		NL_SET_ERR_MSG_FMT(extack,
				   "the framing file is missing or empty and %020llu.log is not %s",
				   seg->base, klf_framing_name(log->cfg.framing));
		pr_warn("log %s: dir %s: no framing file, and segment %020llu does not parse as %s: add the log with the framing it was written with\n",
			log->name, log->dir_path, seg->base, klf_framing_name(log->cfg.framing));
		return -EINVAL;
	}
	NL_SET_ERR_MSG_FMT(extack, "%020llu.log does not parse at %lld: move the file aside",
			   seg->base, seg->size);
	pr_warn("log %s: dir %s: segment %020llu: %lld bytes after position %lld are not %s records: move the file aside (nothing was changed)\n",
		log->name, log->dir_path, seg->base, tail, seg->size,
		klf_framing_name(log->cfg.framing));
	return -EUCLEAN;
}

/**
 * klf_seg_recover() - load the segments found in a dir log's directory
 * @log: the new log, locked, with no segments yet
 * @extack: for errors
 *
 * Every segment is scanned in one pass, its records counted and its index
 * rebuilt (and rewritten if missing or wrong). Recovery never destroys a
 * record: a segment may lose only a torn tail (at most one record's worth
 * at its end, or zeros), and only once every segment passed. Anything else
 * (bytes that do not parse followed by more, segments that contradict the
 * framing given when the framing file is lost) refuses the log with an
 * extack message, and changes nothing.
 *
 * Return: 0 or a negative errno (I/O errors, memory, -EINVAL for another
 * framing, -EUCLEAN for a segment that does not parse, -EPERM for a file
 * not to be trusted, with an extack message).
 */
int klf_seg_recover(struct klf_log *log, struct netlink_ext_ack *extack)
{
	struct klf_scan_ctx s = { .ctx.actor = klf_scan_actor };
	size_t bufsize = KLOGFWD_MAX_RECORD_LIMIT + KLF_KLF_HDR_LEN + 16;
	struct klf_segment *seg = NULL;
	bool unknown = false;
	loff_t fsize, tail;
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
	if (s.bad_base)
		NL_SET_ERR_MSG(extack,
			       "a segment's base offset is too large (above 2^62): move it aside");
	else if (ret == -E2BIG)
		NL_SET_ERR_MSG_FMT(extack, "the directory holds more than %u segments",
				   KLF_MAX_SEGMENTS);
	if (!ret)
		ret = klf_framing_check(log, s.n, &unknown, extack);
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
		ret = klf_seg_open_existing(log, s.bases[i], &seg, extack);
		if (ret)
			goto out;
		fsize = i_size_read(file_inode(seg->file));
		ret = unknown && !log->nsegs ? klf_framing_sniff(log, seg, buf, extack) : 0;
		if (!ret)
			ret = klf_seg_scan(log, seg, buf, bufsize, fsize);
		tail = fsize - seg->size;
		if (!ret && tail)
			ret = klf_seg_check_tail(log, seg, unknown, fsize, buf, bufsize, extack);
		if (!ret)
			ret = klf_seg_check_index(log, seg, extack);
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
	/* every segment passed: only now cut the torn tails */
	for (i = 0; i < log->nsegs; i++) {
		seg = log->segs[i];
		tail = i_size_read(file_inode(seg->file)) - seg->size;
		if (tail <= 0)
			continue;
		pr_warn("log %s: segment %020llu: cutting a torn tail of %lld bytes after the last record\n",
			log->name, seg->base, tail);
		ret = klf_seg_truncate(log, seg->file, seg->size);
		if (ret) {
			NL_SET_ERR_MSG_FMT(extack, "cannot cut the torn tail of %020llu.log (%d)",
					   seg->base, ret);
			goto out;
		}
		log->stats.truncated_bytes += tail;
	}
	klf_nl_log_event(log, KLOGFWD_LOG_EVENT_RECOVERED, log->stats.recovered_records);
out:
	if (!ret && log->cfg.storage == KLOGFWD_STORAGE_DIR)
		ret = klf_framing_save(log, s.n, extack);
	kvfree(buf);
	kfree(s.bases);
	return ret;
}
