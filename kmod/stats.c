// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: per network namespace totals.
 *
 * stats-get reports, for the caller's namespace, what its logs and targets
 * hold now and counters that never go backwards: the counters of live
 * objects plus those of the objects deleted since the module was loaded.
 * A deleted object's counters move to its namespace's klf_net under the
 * registry lock that also covers the walk over the live ones, so a reader
 * sees each object either live or retired, never both or neither.
 */

#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/stats.h"
#include "kmod/target.h"

unsigned int klf_net_id;

#define KLF_LOG_COUNTER(attr, field) \
	KLF_COUNTER(struct klf_log_stats, KLOGFWD_A_LOG_STATS_##attr, field)

const struct klf_counter klf_log_counters[] = {
	KLF_LOG_COUNTER(APPENDS, appends),
	KLF_LOG_COUNTER(APPEND_BYTES, append_bytes),
	KLF_LOG_COUNTER(REJECTED_SIZE, rejected_size),
	KLF_LOG_COUNTER(REJECTED_FRAMING, rejected_framing),
	KLF_LOG_COUNTER(REJECTED_FULL, rejected_full),
	KLF_LOG_COUNTER(REJECTED_IO, rejected_io),
	KLF_LOG_COUNTER(SEGMENTS_ROLLED, segments_rolled),
	KLF_LOG_COUNTER(SEGMENTS_DELETED, segments_deleted),
	KLF_LOG_COUNTER(DROPPED_RECORDS, dropped_records),
	KLF_LOG_COUNTER(RECOVERIES, recoveries),
	KLF_LOG_COUNTER(RECOVERED_RECORDS, recovered_records),
	KLF_LOG_COUNTER(TRUNCATED_BYTES, truncated_bytes),
	KLF_LOG_COUNTER(INDEX_REBUILDS, index_rebuilds),
	KLF_LOG_COUNTER(LINES_CUT, lines_cut),
	KLF_LOG_COUNTER(BLOCKED, blocked),
	KLF_LOG_COUNTER(SYNCS, syncs),
};

const unsigned int klf_log_ncounters = ARRAY_SIZE(klf_log_counters);
/* every field of struct klf_log_stats is a u64 in the table */
static_assert(sizeof(struct klf_log_stats) == sizeof(u64) * ARRAY_SIZE(klf_log_counters));

#define KLF_TARGET_COUNTER(attr, field) \
	KLF_COUNTER(struct klf_target_stats, KLOGFWD_A_TARGET_STATS_##attr, field)

const struct klf_counter klf_target_counters[] = {
	KLF_TARGET_COUNTER(BYTES_SENT, bytes_sent),
	KLF_TARGET_COUNTER(RECORDS_SENT, records_sent),
	KLF_TARGET_COUNTER(BYTES_ACKED, bytes_acked),
	KLF_TARGET_COUNTER(RECORDS_ACKED, records_acked),
	KLF_TARGET_COUNTER(SEND_CALLS, send_calls),
	KLF_TARGET_COUNTER(PAGES_SPLICED, pages_spliced),
	KLF_TARGET_COUNTER(BYTES_COPIED, bytes_copied),
	KLF_TARGET_COUNTER(EAGAIN, eagain),
	KLF_TARGET_COUNTER(CONNECTS, connects),
	KLF_TARGET_COUNTER(RECONNECTS, reconnects),
	KLF_TARGET_COUNTER(RESENT_BYTES, resent_bytes),
};

const unsigned int klf_target_ncounters = ARRAY_SIZE(klf_target_counters);

const struct klf_counter klf_relp_counters[] = {
	KLF_TARGET_COUNTER(RELP_SESSIONS, relp_sessions),
	KLF_TARGET_COUNTER(RELP_WINDOW_FULL, relp_window_full),
	KLF_TARGET_COUNTER(RELP_RESENT, relp_resent),
	KLF_TARGET_COUNTER(RELP_SKIPPED, relp_skipped),
	KLF_TARGET_COUNTER(RELP_TIMEOUTS, relp_timeouts),
};

const unsigned int klf_relp_ncounters = ARRAY_SIZE(klf_relp_counters);

const struct klf_counter klf_tls_counters[] = {
	KLF_TARGET_COUNTER(TLS_HANDSHAKES, tls_handshakes),
	KLF_TARGET_COUNTER(TLS_FAILURES, tls_failures),
	KLF_TARGET_COUNTER(TLS_REKEYS, tls_rekeys),
};

const unsigned int klf_tls_ncounters = ARRAY_SIZE(klf_tls_counters);
/* every u64 of struct klf_target_stats is in one of the three tables */
static_assert(offsetof(struct klf_target_stats, relp_last_code) ==
	      sizeof(u64) * (ARRAY_SIZE(klf_target_counters) + ARRAY_SIZE(klf_relp_counters) +
			     ARRAY_SIZE(klf_tls_counters)));

static void klf_totals_add_log(struct klf_totals *tot, const struct klf_log_stats *st)
{
	tot->appends += st->appends;
	tot->append_bytes += st->append_bytes;
	tot->rejected += st->rejected_size + st->rejected_framing +
			 st->rejected_full + st->rejected_io;
	tot->dropped_records += st->dropped_records;
	tot->blocked += st->blocked;
}

static void klf_totals_add_target(struct klf_totals *tot, const struct klf_target_stats *st)
{
	tot->bytes_sent += st->bytes_sent;
	tot->records_sent += st->records_sent;
	tot->bytes_acked += st->bytes_acked;
	tot->records_acked += st->records_acked;
	tot->pages_spliced += st->pages_spliced;
	tot->bytes_copied += st->bytes_copied;
	tot->resent_bytes += st->resent_bytes;
	tot->connects += st->connects;
	tot->reconnects += st->reconnects;
}

static void klf_totals_add(struct klf_totals *tot, const struct klf_totals *from)
{
	tot->appends += from->appends;
	tot->append_bytes += from->append_bytes;
	tot->rejected += from->rejected;
	tot->dropped_records += from->dropped_records;
	tot->blocked += from->blocked;
	tot->bytes_sent += from->bytes_sent;
	tot->records_sent += from->records_sent;
	tot->bytes_acked += from->bytes_acked;
	tot->records_acked += from->records_acked;
	tot->pages_spliced += from->pages_spliced;
	tot->bytes_copied += from->bytes_copied;
	tot->resent_bytes += from->resent_bytes;
	tot->connects += from->connects;
	tot->reconnects += from->reconnects;
}

/**
 * klf_stats_retire_log() - keep a deleted log's counters in its namespace
 * @log: the log, being unregistered, no longer accepting appends
 *
 * Context: klf_logs_lock held, the log's namespace not yet freed.
 */
void klf_stats_retire_log(struct klf_log *log)
{
	struct klf_net *kn = net_generic(log->net, klf_net_id);

	lockdep_assert_held(&klf_logs_lock);
	mutex_lock(&log->lock);
	klf_totals_add_log(&kn->logs_retired, &log->stats);
	mutex_unlock(&log->lock);
}

/**
 * klf_stats_retire_target() - keep a deleted target's counters in its namespace
 * @t: the target, stopped, its worker cancelled
 *
 * Context: klf_targets_lock held, the target's namespace not yet freed.
 */
void klf_stats_retire_target(struct klf_target *t)
{
	struct klf_net *kn = net_generic(t->net, klf_net_id);

	lockdep_assert_held(&klf_targets_lock);
	mutex_lock(&t->lock);
	klf_totals_add_target(&kn->targets_retired, &t->stats);
	mutex_unlock(&t->lock);
}

static void klf_stats_log(struct klf_log *log, struct klf_totals *tot)
{
	struct klf_log_snap snap;

	klf_log_snapshot(log, &snap);
	tot->logs++;
	tot->records += snap.records;
	tot->bytes += snap.bytes;
	klf_totals_add_log(tot, &snap.stats);
}

static void klf_stats_target(struct klf_target *t, struct klf_totals *tot)
{
	struct klf_target_snap snap;

	klf_target_snapshot(t, &snap);
	tot->targets++;
	if (snap.state == KLOGFWD_TARGET_STATE_ESTABLISHED)
		tot->established++;
	tot->lag_bytes += snap.lag_bytes;
	klf_totals_add_target(tot, &snap.stats);
}

/**
 * klf_stats_get() - the totals of a network namespace
 * @net: the namespace
 * @tot: filled in
 *
 * Context: process context, no klogfwd lock held.
 */
void klf_stats_get(struct net *net, struct klf_totals *tot)
{
	struct klf_net *kn = net_generic(net, klf_net_id);

	memset(tot, 0, sizeof(*tot));

	mutex_lock(&klf_logs_lock);
	klf_logs_for_each(net, klf_stats_log, tot);
	klf_totals_add(tot, &kn->logs_retired);
	mutex_unlock(&klf_logs_lock);

	mutex_lock(&klf_targets_lock);
	klf_targets_for_each(net, klf_stats_target, tot);
	klf_totals_add(tot, &kn->targets_retired);
	mutex_unlock(&klf_targets_lock);
}
