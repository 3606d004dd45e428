// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: the debugfs tree under /sys/kernel/debug/klogfwd/.
 *
 * Everything here is for people and tests, not an ABI: what a program needs
 * is in the generic netlink family. Every file is readable by root only.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/stats.h"
#include "kmod/target.h"

atomic_long_t klf_objects[__KLF_OBJ_MAX];

static const char * const klf_obj_names[__KLF_OBJ_MAX] = {
	[KLF_OBJ_LOG]		= "logs",
	[KLF_OBJ_SEGMENT]	= "segments",
	[KLF_OBJ_TARGET]	= "targets",
	[KLF_OBJ_SOCKET]	= "sockets",
};

static struct dentry *klf_debugfs_root;
static struct dentry *klf_debugfs_logs;
static struct dentry *klf_debugfs_targets;

static const char * const klf_state_names[] = {
	[KLOGFWD_TARGET_STATE_CONNECTING]	= "connecting",
	[KLOGFWD_TARGET_STATE_ESTABLISHED]	= "established",
	[KLOGFWD_TARGET_STATE_BACKOFF]		= "backoff",
	[KLOGFWD_TARGET_STATE_PAUSED]		= "paused",
};

static int objects_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < __KLF_OBJ_MAX; i++)
		seq_printf(m, "%s %ld\n", klf_obj_names[i],
			   atomic_long_read(&klf_objects[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static int log_stats_show(struct seq_file *m, void *v)
{
	struct klf_log *log = m->private;
	struct klf_log_snap snap;
	unsigned int i;

	klf_log_snapshot(log, &snap);
	seq_printf(m, "records %llu\n", snap.records);
	seq_printf(m, "bytes %llu\n", snap.bytes);
	seq_printf(m, "first_offset %llu\n", snap.first_offset);
	seq_printf(m, "next_offset %llu\n", snap.next_offset);
	seq_printf(m, "segments %u\n", snap.segments);
	for (i = 0; i < klf_log_ncounters; i++)
		seq_printf(m, "%s %llu\n", klf_log_counters[i].name,
			   klf_counter_get(&snap.stats, &klf_log_counters[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(log_stats);

static int log_segments_show(struct seq_file *m, void *v)
{
	struct klf_log *log = m->private;
	unsigned int i;

	mutex_lock(&log->lock);
	for (i = 0; i < log->nsegs; i++)
		seq_printf(m, "%020llu records %llu bytes %lld index %u\n",
			   log->segs[i]->base, log->segs[i]->nrecords,
			   log->segs[i]->size, log->segs[i]->nindex);
	mutex_unlock(&log->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(log_segments);

/**
 * klf_debugfs_log_add() - create logs/<name>/ for a new log
 * @log: the log
 *
 * The files reference @log without a reference of their own: they are
 * removed (klf_debugfs_log_del(), which waits for readers) before the
 * registry drops its reference.
 */
void klf_debugfs_log_add(struct klf_log *log)
{
	log->dfs = debugfs_create_dir(log->name, klf_debugfs_logs);
	debugfs_create_file("stats", 0400, log->dfs, log, &log_stats_fops);
	debugfs_create_file("segments", 0400, log->dfs, log, &log_segments_fops);
}

/**
 * klf_debugfs_log_del() - remove logs/<name>/
 * @log: the log
 */
void klf_debugfs_log_del(struct klf_log *log)
{
	debugfs_remove_recursive(log->dfs);
	log->dfs = NULL;
}

static int target_stats_show(struct seq_file *m, void *v)
{
	struct klf_target *t = m->private;
	struct klf_target_snap s;
	unsigned int i;

	klf_target_snapshot(t, &s);
	seq_printf(m, "log %s\n", t->log->name);
	seq_printf(m, "state %s\n", s.state < ARRAY_SIZE(klf_state_names) ?
		   klf_state_names[s.state] : "?");
	seq_printf(m, "next_offset %llu\n", s.next_offset);
	seq_printf(m, "acked_offset %llu\n", s.acked_offset);
	seq_printf(m, "lag_records %llu\n", s.lag_records);
	seq_printf(m, "lag_bytes %llu\n", s.lag_bytes);
	for (i = 0; i < klf_target_ncounters; i++)
		seq_printf(m, "%s %llu\n", klf_target_counters[i].name,
			   klf_counter_get(&s.stats, &klf_target_counters[i]));
	seq_printf(m, "last_error %d\n", s.last_error);
	seq_printf(m, "dropped_records %llu\n", s.dropped);
	seq_printf(m, "last_error_time %lld\n", s.last_error_time);
	seq_printf(m, "last_disconnect %d\n", s.last_disconnect);
	seq_printf(m, "last_disconnect_time %lld\n", s.last_disconnect_time);
	seq_printf(m, "last_connect_time %lld\n", s.last_connect_time);
	if (t->ack == KLOGFWD_ACK_RELP) {
		for (i = 0; i < klf_relp_ncounters; i++)
			seq_printf(m, "%s %llu\n", klf_relp_counters[i].name,
				   klf_counter_get(&s.stats, &klf_relp_counters[i]));
		seq_printf(m, "relp_last_code %u\n", s.stats.relp_last_code);
	}
	for (i = 0; t->tls && i < klf_tls_ncounters; i++)
		seq_printf(m, "%s %llu\n", klf_tls_counters[i].name,
			   klf_counter_get(&s.stats, &klf_tls_counters[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(target_stats);

/**
 * klf_debugfs_target_add() - create targets/<name>/
 * @t: the target
 *
 * As for logs, the files hold no reference: they are removed before the
 * target is freed.
 */
void klf_debugfs_target_add(struct klf_target *t)
{
	t->dfs = debugfs_create_dir(t->name, klf_debugfs_targets);
	debugfs_create_file("stats", 0400, t->dfs, t, &target_stats_fops);
}

/**
 * klf_debugfs_target_del() - remove targets/<name>/
 * @t: the target
 */
void klf_debugfs_target_del(struct klf_target *t)
{
	debugfs_remove_recursive(t->dfs);
	t->dfs = NULL;
}

/**
 * klf_debugfs_init() - create /sys/kernel/debug/klogfwd/
 *
 * debugfs may be absent or disabled; the module works without it, so
 * failures to create entries are not errors (as everywhere in the kernel).
 *
 * Return: 0.
 */
int klf_debugfs_init(void)
{
	klf_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("objects", 0400, klf_debugfs_root, NULL,
			    &objects_fops);
	klf_debugfs_logs = debugfs_create_dir("logs", klf_debugfs_root);
	klf_debugfs_targets = debugfs_create_dir("targets", klf_debugfs_root);
	klf_fault_init(klf_debugfs_root);
	return 0;
}

/**
 * klf_debugfs_exit() - remove the whole debugfs tree
 */
void klf_debugfs_exit(void)
{
	debugfs_remove_recursive(klf_debugfs_root);
	klf_debugfs_root = NULL;
}
