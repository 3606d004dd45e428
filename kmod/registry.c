// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: the registry of logs. Names, device minors and directories are
 * unique; a log is created here (its directory opened and recovered, its
 * device and debugfs entries made), found by name or minor, changed by
 * log set, and deleted, with its namespace or at unload. The retention
 * timer walks the registry for retain-ms.
 *
 * Locking: klf_logs_lock (below) protects the registry; it is taken before
 * a log's own lock (log.c), never after it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

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
/* the last log's id (struct klf_log); under klf_logs_lock */
static u64 klf_logs_last_id;
static DEFINE_IDR(klf_log_minors);
static struct delayed_work klf_retain_work;

#define KLF_RETAIN_PERIOD	HZ

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
	klf_log_setup(log);
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
	log->id = ++klf_logs_last_id;
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

	klf_log_kill(log);
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
	cancel_work_sync(&log->kick_work);
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
 * klf_logs_dump() - one part of a dump of the logs of a namespace
 * @net: the namespace
 * @skb: the part
 * @cb: the dump; cb->args[0] is the id of the last log sent (0 at first)
 * @fill: puts one log's message in @skb
 *
 * One pass over the list: a part resumes after the last log the one before
 * sent, found by its id, however many logs were created or deleted since.
 *
 * Return: the part's length, 0 at the end, or @fill's error if a log does
 * not fit in an empty part.
 */
int klf_logs_dump(struct net *net, struct sk_buff *skb, struct netlink_callback *cb,
		  int (*fill)(struct sk_buff *, struct klf_log *, struct netlink_callback *))
{
	struct klf_log *log;
	int ret = 0;

	mutex_lock(&klf_logs_lock);
	cb->seq = klf_logs_gen;
	list_for_each_entry(log, &klf_logs, node) {
		if (log->id <= cb->args[0] || !net_eq(log->net, net))
			continue;
		ret = fill(skb, log, cb);
		if (ret)
			break;
		cb->args[0] = log->id;
	}
	mutex_unlock(&klf_logs_lock);
	if (ret && !skb->len)
		return ret;
	return skb->len;
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
