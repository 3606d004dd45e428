/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: per network namespace totals (the stats-get operation).
 */
#ifndef _KLF_STATS_H
#define _KLF_STATS_H

#include <linux/stddef.h>
#include <linux/types.h>

struct net;
struct klf_log;
struct klf_target;

/**
 * struct klf_totals - what stats-get reports (the spec's stats set documents each)
 * @logs: logs that exist
 * @targets: targets that exist
 * @established: targets with an established connection
 * @records: records the logs hold
 * @bytes: bytes the logs hold
 * @lag_bytes: bytes not yet acknowledged, summed over the targets
 * @appends: records appended
 * @append_bytes: bytes appended
 * @rejected: appends refused
 * @dropped_records: records deleted before a target had them acknowledged
 * @blocked: appends that waited for room under overflow block
 * @bytes_sent: bytes queued to TCP
 * @records_sent: records queued in full
 * @bytes_acked: bytes acknowledged by the receivers' TCP
 * @records_acked: records acknowledged in full
 * @pages_spliced: page fragments queued by reference
 * @bytes_copied: bytes sent by the copy fallback
 * @resent_bytes: bytes queued again after reconnects
 * @connects: connections established
 * @reconnects: connections lost or failed
 */
struct klf_totals {
	u32 logs;
	u32 targets;
	u32 established;
	u64 records;
	u64 bytes;
	u64 lag_bytes;
	u64 appends;
	u64 append_bytes;
	u64 rejected;
	u64 dropped_records;
	u64 blocked;
	u64 bytes_sent;
	u64 records_sent;
	u64 bytes_acked;
	u64 records_acked;
	u64 pages_spliced;
	u64 bytes_copied;
	u64 resent_bytes;
	u64 connects;
	u64 reconnects;
};

/**
 * struct klf_net - klogfwd's per network namespace data
 * @logs_retired: counters of the namespace's deleted logs, under klf_logs_lock
 * @targets_retired: counters of its deleted targets, under klf_targets_lock
 */
struct klf_net {
	struct klf_totals logs_retired;
	struct klf_totals targets_retired;
};

/**
 * struct klf_counter - a u64 counter of a stats struct, described once
 * @attr: its attribute in the netlink stats nest
 * @name: its name in debugfs (the field's name)
 * @off: its offset in the stats struct
 *
 * The tables below drive the netlink fill and the debugfs files: a new
 * counter is a field, a spec attribute and a line in a table.
 */
struct klf_counter {
	u16 attr;
	const char *name;
	size_t off;
};

#define KLF_COUNTER(type, attr, field) { attr, #field, offsetof(type, field) }

static inline u64 klf_counter_get(const void *stats, const struct klf_counter *c)
{
	return *(const u64 *)((const u8 *)stats + c->off);
}

/* struct klf_log_stats, every field */
extern const struct klf_counter klf_log_counters[];
extern const unsigned int klf_log_ncounters;
/* struct klf_target_stats, those every target has (bytes_sent to resent_bytes) */
extern const struct klf_counter klf_target_counters[];
extern const unsigned int klf_target_ncounters;
/* struct klf_target_stats, those of ack relp targets (relp_last_code aside) */
extern const struct klf_counter klf_relp_counters[];
extern const unsigned int klf_relp_ncounters;
extern const struct klf_counter klf_tls_counters[];
extern const unsigned int klf_tls_ncounters;

extern unsigned int klf_net_id;

void klf_stats_retire_log(struct klf_log *log);
void klf_stats_retire_target(struct klf_target *t);
void klf_stats_get(struct net *net, struct klf_totals *tot);

#endif /* _KLF_STATS_H */
