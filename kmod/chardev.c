// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: /dev/klogfwd/<log>, a character device per log.
 *
 * With input record (the default), write() and writev() append exactly one
 * record each, atomically; one trailing newline ends the record and is not
 * part of it. With input lines, each line is a record: the open file keeps
 * the partial line after the last newline of a write until the newline
 * comes, or until close(). read()
 * returns whole framed records (as stored and as sent to targets) from a
 * per-open cursor that starts at the oldest record; lseek() moves the
 * cursor to a record offset (SEEK_SET, SEEK_CUR, SEEK_END: from the next
 * offset). poll() reports records to read; once the log is deleted every
 * call fails with ENODEV.
 */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"

static dev_t klf_devt;
static struct class *klf_class;

/**
 * struct klf_reader - an open file of a log's device
 * @log: the log
 * @lock: protects @cur against concurrent calls on one file
 * @cur: the read cursor
 * @wlock: protects @line, @llen, @lcap and @ldiscard: writes on one file
 *	   are taken one at a time
 * @line: input lines: klf_log_append_headroom() bytes, then the partial
 *	  line (@llen bytes), then room up to @lcap bytes; NULL until the
 *	  first write of lines
 * @llen: bytes of the partial line
 * @lcap: payload room of @line: max-record + 1, so a line one byte over
 *	  max-record is seen without its newline
 * @ldiscard: a line was cut: drop its bytes up to its newline
 */
struct klf_reader {
	struct klf_log *log;
	struct mutex lock; /* protects cur */
	struct klf_cursor cur;
	struct mutex wlock; /* protects line, llen, lcap, ldiscard */
	u8 *line;
	size_t llen;
	size_t lcap;
	bool ldiscard;
};

static int klf_dev_open(struct inode *inode, struct file *file)
{
	struct klf_reader *r;
	struct klf_log *log;
	u64 first, next;

	log = klf_log_get_by_minor(iminor(inode) - MINOR(klf_devt));
	if (!log)
		return -ENODEV;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		klf_log_put(log);
		return -ENOMEM;
	}
	r->log = log;
	mutex_init(&r->lock);
	mutex_init(&r->wlock);
	klf_log_bounds(log, &first, &next);
	r->cur = (struct klf_cursor){ .offset = first, .pos = -1 };
	file->f_pos = first;
	/*
	 * The position is a record offset moved by read() and lseek() only:
	 * pread() and pwrite() would ignore theirs, so they fail (ESPIPE)
	 */
	file->f_mode &= ~(FMODE_PREAD | FMODE_PWRITE);
	file->private_data = r;
	return 0;
}

/* Append the partial line, if any: at close() and before a record write. */
static int klf_dev_flush_line(struct klf_reader *r, unsigned int flags)
{
	int ret;

	lockdep_assert_held(&r->wlock);
	if (!r->llen)
		return 0;
	ret = klf_log_append(r->log, r->line, r->llen, flags | KLF_APPEND_CUT);
	if (!ret)
		r->llen = 0;
	return ret;
}

static int klf_dev_flush(struct file *file, fl_owner_t id)
{
	struct klf_reader *r = file->private_data;
	int ret;

	/*
	 * close() of the last descriptor only: a shell's "printf x >&3"
	 * closes a duplicate, which must not end the line
	 */
	if (!(file->f_mode & FMODE_WRITE) || file_count(file) > 1)
		return 0;
	mutex_lock(&r->wlock);
	ret = klf_dev_flush_line(r, file->f_flags & O_NONBLOCK ? KLF_APPEND_NONBLOCK : 0);
	mutex_unlock(&r->wlock);
	return ret;
}

static int klf_dev_release(struct inode *inode, struct file *file)
{
	struct klf_reader *r = file->private_data;
	size_t lost = r->llen;
	int ret;

	/* flush() failed or was not called (the last reference was not a close()) */
	if (lost) {
		mutex_lock(&r->wlock);
		ret = klf_dev_flush_line(r, KLF_APPEND_NONBLOCK);
		mutex_unlock(&r->wlock);
		if (ret)
			pr_warn_ratelimited("log %s: a partial line of %zu bytes could not be appended at close (%d)\n",
					    r->log->name, lost, ret);
	}
	klf_log_put(r->log);
	kvfree(r->line);
	mutex_destroy(&r->wlock);
	mutex_destroy(&r->lock);
	kfree(r);
	return 0;
}

/*
 * Size the line buffer for max-record @max, keeping the partial line. A
 * partial line longer than a lowered max-record is cut as if it had
 * grown past it.
 */
static int klf_dev_line_buf(struct klf_reader *r, size_t max, unsigned int flags)
{
	size_t head = klf_log_append_headroom();
	u8 *line;
	int ret;

	lockdep_assert_held(&r->wlock);
	if (r->line && r->lcap == max + 1)
		return 0;
	if (r->llen > max) {
		ret = klf_log_append(r->log, r->line, r->llen, flags);
		if (ret)
			return ret;
		r->llen = 0;
		r->ldiscard = true;
	}
	line = kvmalloc(head + max + 1, KLF_GFP_BUF);
	if (!line)
		return -ENOMEM;
	if (r->llen)
		memcpy(line + head, r->line + head, r->llen);
	kvfree(r->line);
	r->line = line;
	r->lcap = max + 1;
	return 0;
}

/*
 * input lines: append each complete line of @from, keep the rest. The
 * lines are framed in place: the bytes before a line are headroom or
 * earlier lines already appended, and lf's trailing newline overwrites
 * the line's own. Return: the bytes taken (a short count if an append
 * failed after some were), or a negative errno if none were.
 */
static ssize_t klf_dev_write_lines(struct klf_reader *r, struct iov_iter *from,
				   unsigned int flags)
{
	size_t head = klf_log_append_headroom(), done = 0, carried, end, start, len, n;
	size_t max = READ_ONCE(r->log->cfg.max_record);
	u8 *payload, *nl;
	int ret;

	lockdep_assert_held(&r->wlock);
	ret = klf_dev_line_buf(r, max, flags);
	if (ret)
		return ret;
	payload = r->line + head;
	while (iov_iter_count(from)) {
		carried = r->llen;
		n = copy_from_iter(payload + carried, r->lcap - carried, from);
		if (!n) {
			ret = -EFAULT;
			break;
		}
		end = carried + n;
		start = 0;
		while ((nl = memchr(payload + start, '\n', end - start))) {
			len = nl - payload - start;
			if (r->ldiscard) {
				r->ldiscard = false;
			} else if (len) {
				ret = klf_log_append(r->log, payload + start - head, len, flags);
				if (ret)
					goto fail;
			}
			start += len + 1;
		}
		len = end - start;
		if (r->ldiscard) {
			len = 0;
		} else if (len > max) {
			/* no newline in max-record + 1 bytes: cut (start is 0) */
			ret = klf_log_append(r->log, payload - head, len, flags);
			if (ret)
				goto fail;
			r->ldiscard = true;
			len = 0;
		} else if (start) {
			memmove(payload, payload + start, len);
		}
		r->llen = len;
		done += n;
	}
	return done ? done : ret;

fail:
	/* the failed line and what follows it are not taken */
	if (start) {
		done += start - carried;
		r->llen = 0;
	} else {
		r->llen = carried;
	}
	return done ? done : ret;
}

static ssize_t klf_dev_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct klf_reader *r = iocb->ki_filp->private_data;
	size_t count = iov_iter_count(from), len = count, head = klf_log_append_headroom();
	unsigned int flags = (iocb->ki_flags & IOCB_NOWAIT) ||
			     (iocb->ki_filp->f_flags & O_NONBLOCK) ? KLF_APPEND_NONBLOCK : 0;
	ssize_t n;
	u8 *buf;
	int ret;

	if (!len)
		return 0;
	/* fixed at creation: only the kernel appends to it */
	if (r->log->cfg.source == KLOGFWD_SOURCE_KMSG)
		return -EPERM;
	mutex_lock(&r->wlock);
	if (READ_ONCE(r->log->cfg.input) == KLOGFWD_INPUT_LINES) {
		n = klf_dev_write_lines(r, from, flags | KLF_APPEND_CUT);
		mutex_unlock(&r->wlock);
		return n;
	}
	/* switched from lines to record: the partial line goes first */
	r->ldiscard = false;
	ret = klf_dev_flush_line(r, flags);
	mutex_unlock(&r->wlock);
	if (ret)
		return ret;
	if (len > KLOGFWD_MAX_RECORD_LIMIT)
		return -EMSGSIZE;
	buf = kvmalloc(head + len + 1, KLF_GFP_BUF);
	if (!buf)
		return -ENOMEM;
	if (copy_from_iter(buf + head, len, from) != len) {
		ret = -EFAULT;
		goto out;
	}
	/* as with /dev/kmsg, one trailing newline ends the record */
	if (buf[head + len - 1] == '\n')
		len--;
	ret = klf_log_append(r->log, buf, len, flags);
out:
	kvfree(buf);
	return ret ? ret : count;
}

static ssize_t klf_dev_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct klf_reader *r = file->private_data;
	ssize_t ret;

	mutex_lock(&r->lock);
	ret = klf_log_read(r->log, &r->cur, ubuf, count);
	*ppos = r->cur.offset;
	mutex_unlock(&r->lock);
	return ret;
}

static loff_t klf_dev_llseek(struct file *file, loff_t off, int whence)
{
	struct klf_reader *r = file->private_data;
	u64 first, next, to;
	int ret;

	klf_log_bounds(r->log, &first, &next);
	mutex_lock(&r->lock);
	switch (whence) {
	case SEEK_SET:
		to = off;
		break;
	case SEEK_CUR:
		to = r->cur.offset + off;
		break;
	case SEEK_END:
		to = next + off;
		break;
	default:
		ret = -EINVAL;
		goto out;
	}
	if (off < 0 && whence == SEEK_SET) {
		ret = -EINVAL;
		goto out;
	}
	ret = klf_log_seek(r->log, &r->cur, to);
	if (!ret)
		file->f_pos = to;
out:
	mutex_unlock(&r->lock);
	return ret ? ret : (loff_t)to;
}

static __poll_t klf_dev_poll(struct file *file, poll_table *wait)
{
	struct klf_reader *r = file->private_data;
	__poll_t mask = 0;
	u64 first, next;

	poll_wait(file, &r->log->wait, wait);
	poll_wait(file, &r->log->space_wait, wait);
	if (READ_ONCE(r->log->dead))
		return EPOLLERR | EPOLLHUP;
	if (klf_log_writable(r->log))
		mask |= EPOLLOUT | EPOLLWRNORM;
	klf_log_bounds(r->log, &first, &next);
	if (r->cur.offset < next)
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static const struct file_operations klf_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= klf_dev_open,
	.flush		= klf_dev_flush,
	.release	= klf_dev_release,
	.read		= klf_dev_read,
	.write_iter	= klf_dev_write_iter,
	.llseek		= klf_dev_llseek,
	.poll		= klf_dev_poll,
};

static char *klf_devnode(KLF_DEVNODE_CONST struct device *dev, umode_t *mode,
			 kuid_t *uid, kgid_t *gid)
{
	struct klf_log *log = dev_get_drvdata(dev);

	if (mode)
		*mode = log->cfg.mode;
	if (uid)
		*uid = log->cfg.owner;
	if (gid)
		*gid = log->cfg.group;
	return kasprintf(GFP_KERNEL, "klogfwd/%s", dev_name(dev));
}

static const struct device_type klf_dev_type = {
	.name		= "klogfwd_log",
	.devnode	= klf_devnode,
};

/*
 * Devices whose release has not run yet. A device's last reference can be
 * dropped after its log is gone (an open file's cdev holds it; with
 * CONFIG_DEBUG_KOBJECT_RELEASE every release is deferred by seconds), and
 * the release function is module code: klf_chardev_exit() waits for them.
 */
static atomic_t klf_ndevs = ATOMIC_INIT(0);

static void klf_dev_free(struct device *dev)
{
	kfree(dev);
	if (atomic_dec_and_test(&klf_ndevs))
		wake_up_var(&klf_ndevs);
}

/**
 * klf_chardev_add() - create /dev/klogfwd/<name> for a log
 * @log: the log, with its minor allocated
 *
 * Return: 0 or a negative errno.
 */
int klf_chardev_add(struct klf_log *log)
{
	struct device *dev;
	int ret;

	log->cdev = cdev_alloc();
	if (!log->cdev)
		return -ENOMEM;
	log->cdev->owner = THIS_MODULE;
	log->cdev->ops = &klf_dev_fops;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		ret = -ENOMEM;
		goto err_cdev;
	}
	device_initialize(dev);
	atomic_inc(&klf_ndevs);
	dev->devt = MKDEV(MAJOR(klf_devt), MINOR(klf_devt) + log->minor);
	dev->class = klf_class;
	dev->type = &klf_dev_type;
	dev->release = klf_dev_free;
	dev_set_drvdata(dev, log);
	ret = dev_set_name(dev, "%s", log->name);
	if (ret)
		goto err_dev;
	/*
	 * As cdev_device_add(): the cdev holds the device, so an open file
	 * keeps both, and its last close drops the device's last reference
	 * before the module reference the cdev holds
	 */
	cdev_set_parent(log->cdev, &dev->kobj);
	ret = cdev_add(log->cdev, dev->devt, 1);
	if (ret) {
		/*
		 * cdev_add() takes its reference on the parent only when it
		 * succeeds, but the cdev's release below drops one: without
		 * this, it would drop the device's last reference a second
		 * time (a use after free when the allocation in kobj_map()
		 * fails)
		 */
		get_device(dev);
		goto err_dev;
	}
	ret = device_add(dev);
	if (ret)
		goto err_cdev_add;
	log->dev = dev;
	return 0;

err_cdev_add:
	cdev_del(log->cdev);
	log->cdev = NULL;
err_dev:
	put_device(dev);
err_cdev:
	if (log->cdev)
		kobject_put(&log->cdev->kobj);
	log->cdev = NULL;
	return ret;
}

/**
 * klf_chardev_del() - remove a log's device
 * @log: the log
 *
 * Descriptors already open keep their reference to the log and fail with
 * ENODEV once it is deleted.
 */
void klf_chardev_del(struct klf_log *log)
{
	if (!log->dev)
		return;
	cdev_device_del(log->cdev, log->dev);
	put_device(log->dev);
	log->dev = NULL;
	log->cdev = NULL;
}

/**
 * klf_chardev_init() - reserve the device numbers and the class
 *
 * Return: 0 or a negative errno.
 */
int klf_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&klf_devt, 0, KLF_MAX_LOGS, KBUILD_MODNAME);
	if (ret)
		return ret;
	klf_class = klf_class_create(KBUILD_MODNAME);
	if (IS_ERR(klf_class)) {
		ret = PTR_ERR(klf_class);
		unregister_chrdev_region(klf_devt, KLF_MAX_LOGS);
		return ret;
	}
	return 0;
}

/**
 * klf_chardev_exit() - release the class and the device numbers
 */
void klf_chardev_exit(void)
{
	wait_var_event(&klf_ndevs, !atomic_read(&klf_ndevs));
	class_destroy(klf_class);
	unregister_chrdev_region(klf_devt, KLF_MAX_LOGS);
}
