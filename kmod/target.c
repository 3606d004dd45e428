// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: targets. A target forwards one log to one TCP receiver from the
 * network namespace it was created in; sender.c does the forwarding. This
 * file holds the registry, creation and deletion, and the namespace and
 * module teardown.
 *
 * Locking (outermost first):
 *   klf_logs_lock      (registry.c) held around target creation, so that a log
 *                      being deleted cannot gain a target
 *   klf_targets_lock   the registry: klf_targets, names; held while a
 *                      target is torn down, so lookups under it may use
 *                      a target without a reference
 *   target->lock       one target: socket, state, cursors, counters
 *   log->lock          (log.c) the log, its consumers (the targets'
 *                      struct klf_consumer)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/key.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/stats.h"
#include "kmod/sock.h"
#include "kmod/target.h"

/* protects klf_targets, klf_ntargets and target names */
DEFINE_MUTEX(klf_targets_lock);
static LIST_HEAD(klf_targets);
static unsigned int klf_ntargets;
/* changes whenever a target comes or goes (dumps flag NLM_F_DUMP_INTR); under klf_targets_lock */
unsigned int klf_targets_gen = 1;
/* the last target's id (struct klf_target); under klf_targets_lock */
static u64 klf_targets_last_id;

/* runs every target's worker */
struct workqueue_struct *klf_wq;

/**
 * klf_target_config_default() - the documented defaults
 * @cfg: filled in
 */
void klf_target_config_default(struct klf_target_config *cfg)
{
	*cfg = (struct klf_target_config){
		.backoff_min_ms = 200,
		.backoff_max_ms = 30000,
		.keepalive_s = 30,
		.user_timeout_ms = 30000,
		.sndbuf = 0,
		.relp_window = KLF_RELP_WINDOW_DEFAULT,
		.relp_max_frame = KLF_RELP_MAX_FRAME_DEFAULT,
		.relp_timeout_s = KLF_RELP_TIMEOUT_DEFAULT,
		.nodelay = true,
	};
}

/**
 * klf_target_config_check() - reject settings that do not fit together
 * @cfg: settings (single values were range-checked by the policy)
 * @extack: for the message
 *
 * Return: 0 or -EINVAL.
 */
int klf_target_config_check(const struct klf_target_config *cfg,
			    struct netlink_ext_ack *extack)
{
	if (cfg->backoff_min_ms > cfg->backoff_max_ms) {
		NL_SET_ERR_MSG_FMT(extack, "backoff-min-ms %u is above backoff-max-ms %u",
				   cfg->backoff_min_ms, cfg->backoff_max_ms);
		return -EINVAL;
	}
	if (cfg->tls_rekey_bytes && cfg->tls_rekey_bytes < KLF_TLS_REKEY_BYTES_MIN) {
		NL_SET_ERR_MSG_FMT(extack,
				   "rekey-bytes %llu is below 1 MiB (%u): give 0 for never, or at least that",
				   cfg->tls_rekey_bytes, KLF_TLS_REKEY_BYTES_MIN);
		return -ERANGE;
	}
	return 0;
}

static struct klf_target *klf_target_find_any(const char *name)
{
	struct klf_target *t;

	lockdep_assert_held(&klf_targets_lock);
	list_for_each_entry(t, &klf_targets, node)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/**
 * klf_target_find() - look a target up in a network namespace
 * @net: the namespace
 * @name: its name
 *
 * Context: klf_targets_lock held; the target stays valid while it is.
 * Return: the target or NULL.
 */
struct klf_target *klf_target_find(struct net *net, const char *name)
{
	struct klf_target *t = klf_target_find_any(name);

	return t && net_eq(t->net, net) ? t : NULL;
}

/* An append happened (struct klf_consumer's kick). */
static void klf_target_consumer_kick(struct klf_consumer *c)
{
	klf_target_kick(container_of(c, struct klf_target, consumer));
}

/*
 * Where a new target starts, by its start setting; *@lost is set to the
 * records it should have had that were deleted meanwhile (from resume).
 */
static int klf_target_start(struct klf_target *t, u32 start, u64 from, u64 *lost,
			    struct netlink_ext_ack *extack)
{
	u64 first, next, off;

	klf_log_bounds(t->log, &first, &next);
	switch (start) {
	case KLOGFWD_START_LATEST:
		off = next;
		break;
	case KLOGFWD_START_OFFSET:
		if (from < first || from > next) {
			NL_SET_ERR_MSG_FMT(extack,
					   "from-offset %llu is outside the log (%llu to %llu)",
					   from, first, next);
			return -ERANGE;
		}
		off = from;
		break;
	case KLOGFWD_START_RESUME:
		if (!t->cursor_file || klf_target_read_cursor(t->cursor_file, &off))
			off = first;
		/* deleted meanwhile: those are lost to this target */
		if (off < first) {
			*lost = first - off;
			off = first;
		}
		off = min(off, next);
		t->persisted = off;
		break;
	default:
		off = first;
		break;
	}
	t->acked.cur = (struct klf_cursor){ .offset = off, .pos = -1 };
	t->cur = t->acked.cur;
	t->sent_hwm = off;
	return 0;
}

static void klf_target_free(struct klf_target *t)
{
	klf_relp_free(&t->relp);
	if (t->tls) {
		key_put(t->tls->cert);
		key_put(t->tls->privkey);
		key_put(t->tls->psk);
	}
	kfree(t->tls);
	if (t->cursor_file)
		fput(t->cursor_file);
	klf_log_put(t->log);
	mutex_destroy(&t->lock);
	kfree(t);
	klf_obj_dec(KLF_OBJ_TARGET);
}

/**
 * klf_target_create() - create a target and start connecting
 * @net: network namespace it connects from
 * @name: its name
 * @log: the log to forward (the caller keeps its own reference)
 * @addr: receiver address
 * @addrlen: its length
 * @ack: KLOGFWD_ACK_*
 * @start: KLOGFWD_START_*
 * @from: offset with KLOGFWD_START_OFFSET
 * @cfg: settings, checked with klf_target_config_check()
 * @tls: NULL for a target without TLS; with TLS, the peer name and the
 *	 client certificate (the target takes its own key references)
 * @paused: create it paused
 * @extack: for errors
 *
 * Return: the target (owned by the registry), or an ERR_PTR.
 */
struct klf_target *klf_target_create(struct net *net, const char *name, struct klf_log *log,
				     const struct sockaddr_storage *addr, int addrlen, u32 ack,
				     u32 start, u64 from, const struct klf_target_config *cfg,
				     const struct klf_tls_params *tls, bool paused,
				     struct netlink_ext_ack *extack)
{
	char fname[KLOGFWD_NAME_LEN + 8];
	struct klf_target *t;
	struct file *f;
	u64 lost = 0;
	int ret;

	if (!klf_name_ok(name)) {
		NL_SET_ERR_MSG(extack,
			       "invalid target name: use letters, digits, '.', '_' and '-', not starting with '.'");
		return ERR_PTR(-EINVAL);
	}
	if (ack == KLOGFWD_ACK_APP && log->cfg.framing != KLOGFWD_FRAMING_KLF) {
		NL_SET_ERR_MSG(extack, "ack app needs a log with klf framing (offsets in records)");
		return ERR_PTR(-EINVAL);
	}
	if (ack == KLOGFWD_ACK_RELP && log->cfg.framing != KLOGFWD_FRAMING_LF) {
		NL_SET_ERR_MSG_FMT(extack, "ack relp needs a log with lf framing, not %s",
				   klf_framing_name(log->cfg.framing));
		return ERR_PTR(-EINVAL);
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	klf_obj_inc(KLF_OBJ_TARGET);
	mutex_init(&t->lock);
	INIT_WORK(&t->work, klf_target_work);
	timer_setup(&t->timer, klf_target_timer, 0);
	t->skipped_told_at = jiffies - KLF_EVENT_INTERVAL;
	INIT_LIST_HEAD(&t->node);
	INIT_LIST_HEAD(&t->consumer.node);
	t->consumer.kick = klf_target_consumer_kick;
	strscpy(t->name, name, sizeof(t->name));
	t->net = net;
	kref_get(&log->ref);
	t->log = log;
	t->addr = *addr;
	t->addrlen = addrlen;
	t->ack = ack;
	t->cfg = *cfg;
	t->paused = paused;
	t->backoff_ms = cfg->backoff_min_ms;
	t->retry_at = jiffies;
	t->state = paused ? KLOGFWD_TARGET_STATE_PAUSED : KLOGFWD_TARGET_STATE_BACKOFF;
	if (ack == KLOGFWD_ACK_RELP) {
		ret = klf_relp_alloc(&t->relp);
		if (ret)
			goto err_free;
	}
	if (tls) {
		ret = -ENOMEM;
		t->tls = kzalloc(sizeof(*t->tls), GFP_KERNEL);
		if (!t->tls)
			goto err_free;
		init_completion(&t->tls->done);
		if (tls->cert && tls->privkey) {
			t->tls->cert = key_get(tls->cert);
			t->tls->privkey = key_get(tls->privkey);
		}
		if (tls->psk)
			t->tls->psk = key_get(tls->psk);
		if (*tls->peername)
			strscpy(t->tls_peername, tls->peername, sizeof(t->tls_peername));
		else
			snprintf(t->tls_peername, sizeof(t->tls_peername), "%pISc", &t->addr);
	}
	/* its own "N lines suppressed" names the target (klf_target_say_ok()) */
	ratelimit_state_init(&t->say_rs, KLF_SAY_INTERVAL, KLF_SAY_BURST);
	ratelimit_set_flags(&t->say_rs, RATELIMIT_MSG_ON_RELEASE);

	if (log->cfg.storage == KLOGFWD_STORAGE_DIR) {
		snprintf(fname, sizeof(fname), "%s.cursor", name);
		f = klf_dir_open_ext(log, fname, O_CREAT, extack);
		if (IS_ERR(f)) {
			if (!extack || !extack->_msg)
				NL_SET_ERR_MSG_FMT(extack, "cannot open %s in the log's directory",
						   fname);
			ret = PTR_ERR(f);
			goto err_free;
		}
		t->cursor_file = f;
	}

	mutex_lock(&klf_logs_lock);
	mutex_lock(&klf_targets_lock);
	if (list_empty(&log->node)) {
		NL_SET_ERR_MSG(extack, "the log was deleted");
		ret = -ENODEV;
		goto err_unlock;
	}
	if (klf_ntargets >= KLF_MAX_TARGETS) {
		NL_SET_ERR_MSG_FMT(extack, "too many targets (at most %d)", KLF_MAX_TARGETS);
		ret = -ENOSPC;
		goto err_unlock;
	}
	if (klf_target_find_any(name)) {
		NL_SET_ERR_MSG_FMT(extack, "a target named %s exists", name);
		ret = -EEXIST;
		goto err_unlock;
	}
	ret = klf_target_start(t, start, from, &lost, extack);
	if (ret)
		goto err_unlock;
	klf_log_attach(log, &t->consumer, t->acked.cur.offset, lost);
	t->id = ++klf_targets_last_id;
	list_add_tail(&t->node, &klf_targets);
	klf_ntargets++;
	WRITE_ONCE(klf_targets_gen, klf_targets_gen + 1);
	klf_debugfs_target_add(t);
	if (!paused)
		queue_work(klf_wq, &t->work);
	mutex_unlock(&klf_targets_lock);
	mutex_unlock(&klf_logs_lock);
	return t;

err_unlock:
	mutex_unlock(&klf_targets_lock);
	mutex_unlock(&klf_logs_lock);
err_free:
	klf_target_free(t);
	return ERR_PTR(ret);
}

/*
 * Module unload: tell what @t had not had acknowledged. A memory log loses
 * it with the module; a dir log keeps it, and a target added again "from
 * resume" sends it.
 */
static void klf_target_tell_unsent(struct klf_target *t)
{
	struct klf_target_snap s;

	lockdep_assert_held(&klf_targets_lock);
	klf_target_snapshot(t, &s);
	if (!s.lag_records)
		return;
	if (t->log->cfg.storage == KLOGFWD_STORAGE_MEMORY)
		pr_warn("unload: memory log %s loses %llu records (%llu bytes) not acknowledged by target %s\n",
			t->log->name, s.lag_records, s.lag_bytes, t->name);
	else
		pr_info("unload: dir log %s keeps %llu records (%llu bytes) not acknowledged by target %s; from resume sends them\n",
			t->log->name, s.lag_records, s.lag_bytes, t->name);
}

/* Tear a target down; caller holds klf_targets_lock. */
static void klf_target_destroy(struct klf_target *t, bool unloading)
{
	struct klf_log *log = t->log;

	lockdep_assert_held(&klf_targets_lock);
	list_del_init(&t->node);
	klf_ntargets--;
	WRITE_ONCE(klf_targets_gen, klf_targets_gen + 1);
	klf_debugfs_target_del(t);

	/* no append kicks it any more, and it no longer holds producers */
	klf_log_detach(log, &t->consumer);

	mutex_lock(&t->lock);
	WRITE_ONCE(t->dead, true);
	klf_target_stop(t);
	WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_PAUSED);
	mutex_unlock(&t->lock);
	/* the timer first: it queues the work, the work re-arms it no more */
	timer_shutdown_sync(&t->timer);
	cancel_work_sync(&t->work);
	if (unloading)
		klf_target_tell_unsent(t);
	klf_stats_retire_target(t);
	klf_target_free(t);
}

/**
 * klf_targets_for_each() - call a function for each target of a namespace
 * @net: the namespace
 * @fn: called with each target and @arg
 * @arg: passed on
 *
 * Context: klf_targets_lock held; @fn may take the target's and its log's locks.
 */
void klf_targets_for_each(struct net *net,
			  void (*fn)(struct klf_target *, struct klf_totals *),
			  struct klf_totals *arg)
{
	struct klf_target *t;

	lockdep_assert_held(&klf_targets_lock);
	list_for_each_entry(t, &klf_targets, node)
		if (net_eq(t->net, net))
			fn(t, arg);
}

/**
 * klf_targets_tls_report() - give the alert that ended a handshake to its target
 * @net: the agent's network namespace
 * @sock: the socket of the handshake, from the agent's descriptor
 * @alert: as klf_tls_report() takes it
 *
 * Context: klf_targets_lock held; takes each TLS target's lock in turn.
 * Return: 0, or -ENOENT if no target of @net waits for a handshake on @sock.
 */
int klf_targets_tls_report(struct net *net, const struct socket *sock, u32 alert)
{
	struct klf_target *t;
	int ret;

	lockdep_assert_held(&klf_targets_lock);
	list_for_each_entry(t, &klf_targets, node) {
		if (!t->tls || !net_eq(t->net, net))
			continue;
		mutex_lock(&t->lock);
		ret = klf_tls_report(t, sock, alert);
		mutex_unlock(&t->lock);
		if (!ret)
			return 0;
	}
	return -ENOENT;
}

/**
 * klf_target_delete() - delete a target by name
 * @net: the caller's network namespace
 * @name: the name
 * @syslog: the caller has CAP_SYSLOG, which a target of a log with source
 *	    kmsg needs
 *
 * Return: 0, -ENOENT or -EPERM.
 */
int klf_target_delete(struct net *net, const char *name, bool syslog)
{
	struct klf_target *t;
	int ret = -ENOENT;

	mutex_lock(&klf_targets_lock);
	t = klf_target_find(net, name);
	if (t && !syslog && t->log->cfg.source == KLOGFWD_SOURCE_KMSG) {
		ret = -EPERM;
	} else if (t) {
		klf_target_destroy(t, false);
		ret = 0;
	}
	mutex_unlock(&klf_targets_lock);
	return ret;
}

/**
 * klf_target_set() - change a target's settings and pause or resume it
 * @t: the target (klf_targets_lock held)
 * @cfg: new settings, checked
 * @paused: 1 to pause, 0 to resume (a target in backoff connects now), -1
 *	to leave
 */
void klf_target_set(struct klf_target *t, const struct klf_target_config *cfg, int paused)
{
	lockdep_assert_held(&klf_targets_lock);
	mutex_lock(&t->lock);
	t->cfg = *cfg;
	t->backoff_ms = clamp(t->backoff_ms, cfg->backoff_min_ms, cfg->backoff_max_ms);
	if (paused == 1 && !t->paused) {
		t->paused = true;
		queue_work(klf_wq, &t->work);
	} else if (paused == 0 && t->paused) {
		t->paused = false;
		t->backoff_ms = cfg->backoff_min_ms;
		t->retry_at = jiffies;
		/* still connected if the worker has not seen the pause yet */
		if (!t->sock)
			WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_BACKOFF);
		queue_work(klf_wq, &t->work);
	} else if (paused == 0 && !t->sock) {
		/* resume of a target waiting out a backoff: connect now */
		t->backoff_ms = cfg->backoff_min_ms;
		t->retry_at = jiffies;
		queue_work(klf_wq, &t->work);
	} else if (t->ack == KLOGFWD_ACK_RELP) {
		/* a new relp-timeout-s moves the session's deadline */
		klf_target_kick(t);
	}
	mutex_unlock(&t->lock);
}

/**
 * klf_targets_dump() - one part of a dump of the targets of a namespace
 * @net: the namespace
 * @skb: the part
 * @cb: the dump; cb->args[0] is the id of the last target sent (0 at first)
 * @fill: puts one target's message in @skb
 *
 * One pass over the list: a part resumes after the last target the one
 * before sent, found by its id, however many targets came or went since.
 *
 * Return: the part's length, 0 at the end, or @fill's error if a target
 * does not fit in an empty part.
 */
int klf_targets_dump(struct net *net, struct sk_buff *skb, struct netlink_callback *cb,
		     int (*fill)(struct sk_buff *, struct klf_target *, struct netlink_callback *))
{
	struct klf_target *t;
	int ret = 0;

	mutex_lock(&klf_targets_lock);
	cb->seq = klf_targets_gen;
	list_for_each_entry(t, &klf_targets, node) {
		if (t->id <= cb->args[0] || !net_eq(t->net, net))
			continue;
		ret = fill(skb, t, cb);
		if (ret)
			break;
		cb->args[0] = t->id;
	}
	mutex_unlock(&klf_targets_lock);
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

/**
 * klf_target_snapshot() - a consistent copy of a target's numbers
 * @t: the target (klf_targets_lock held)
 * @snap: filled in
 */
void klf_target_snapshot(struct klf_target *t, struct klf_target_snap *snap)
{
	struct klf_log *log = t->log;
	struct klf_cursor acked;
	u64 first, next;

	mutex_lock(&t->lock);
	snap->cfg = t->cfg;
	snap->stats = t->stats;
	snap->state = t->state;
	snap->paused = t->paused;
	snap->last_error = t->last_error;
	snap->last_error_time = t->last_error_time;
	snap->last_disconnect = t->last_disconnect;
	snap->last_disconnect_time = t->last_disconnect_time;
	snap->last_connect_time = t->last_connect_time;
	snap->next_offset = t->cur.offset;
	snap->tls_version = 0;
	snap->tls_cipher = 0;
	snap->tls_alert = t->tls ? t->tls->alert : 0;
	snap->tls_hs_alert = t->tls ? t->tls->hs_alert : 0;
	snap->tls_peer[0] = '\0';
	if (t->tls && t->state == KLOGFWD_TARGET_STATE_ESTABLISHED) {
		snap->tls_version = t->tls->version;
		snap->tls_cipher = t->tls->cipher;
		strscpy(snap->tls_peer, t->tls->peer, sizeof(snap->tls_peer));
	}
	acked = t->acked.cur;
	mutex_unlock(&t->lock);

	klf_log_bounds(log, &first, &next);
	snap->dropped = klf_log_dropped(log, &t->consumer);
	acked.offset = max_t(u64, acked.offset, atomic64_read(&t->consumer.acked));
	snap->acked_offset = acked.offset;
	snap->lag_records = next > acked.offset ? next - acked.offset : 0;
	snap->lag_bytes = klf_log_bytes_after(log, &acked);
}

/**
 * klf_targets_delete_log() - delete the targets of a log being deleted
 * @log: the log
 */
void klf_targets_delete_log(struct klf_log *log)
{
	struct klf_target *t, *tmp;

	mutex_lock(&klf_targets_lock);
	list_for_each_entry_safe(t, tmp, &klf_targets, node)
		if (t->log == log)
			klf_target_destroy(t, false);
	mutex_unlock(&klf_targets_lock);
}

/**
 * klf_targets_delete_net() - delete the targets of a dying namespace
 * @net: the namespace
 *
 * Called from the namespace's pre_exit, before its devices go: the sockets
 * are reset and released, so none holds a route to a vanishing device.
 */
void klf_targets_delete_net(struct net *net)
{
	struct klf_target *t, *tmp;

	mutex_lock(&klf_targets_lock);
	list_for_each_entry_safe(t, tmp, &klf_targets, node)
		if (net_eq(t->net, net))
			klf_target_destroy(t, false);
	mutex_unlock(&klf_targets_lock);
	/* no socket of the namespace may outlive it (kernel sockets hold no reference) */
	klf_sock_flush();
}

/**
 * klf_target_init() - create the workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int klf_target_init(void)
{
	/*
	 * WQ_SYSFS: /sys/devices/virtual/workqueue/klogfwd/ gives the
	 * operator the senders' nice and cpumask (a module cannot set them:
	 * apply_workqueue_attrs() is not exported). The udev rule that make
	 * install puts in place sets nice 10, so that producers come first.
	 *
	 * At most one worker per CPU runs senders (max_active, there too):
	 * the others wait in the queue instead of each taking a kworker that
	 * preempts the producers. A worker sends up to 1 MiB and requeues
	 * itself, so the targets still take turns, and an idle one takes no
	 * slot. With 64 targets and the default (256), an append's p99 was
	 * 1.4 to 2.8 times that with no target; with one per CPU, 1.0 to 1.2
	 * (Documentation/performance.rst, "The senders' concurrency").
	 */
	klf_wq = alloc_workqueue("klogfwd", WQ_UNBOUND | WQ_MEM_RECLAIM | WQ_SYSFS,
				 max(num_online_cpus(), 2U));
	return klf_wq ? 0 : -ENOMEM;
}

/**
 * klf_target_exit() - delete every target
 *
 * Called after the netlink family is gone. The sockets' callbacks are
 * restored before release, and one RCU grace period covers a callback
 * still finishing on another CPU.
 */
void klf_target_exit(void)
{
	struct klf_target *t, *tmp;

	mutex_lock(&klf_targets_lock);
	list_for_each_entry_safe(t, tmp, &klf_targets, node)
		klf_target_destroy(t, true);
	mutex_unlock(&klf_targets_lock);
	klf_sock_flush();
	destroy_workqueue(klf_wq);
	synchronize_net();
}
