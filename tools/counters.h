/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters of a reply (stats-get, and the stats nests of log-get and
 * target-get), read and printed in one place for "stats", "log show",
 * "target show" and "stats -o prometheus". Names, docs and kinds come from
 * the tables tools/gen-names writes from the YNL spec (names-gen.h).
 *
 *	struct counters c;
 *
 *	counters_init(&c, klf_log_stats_metrics, KLOGFWD_A_LOG_STATS_MAX);
 *	if (counters_parse_nest(&c, tb[KLOGFWD_A_LOG_STATS]) < 0)
 *		return -EPROTO;
 *	counters_print(p, "stats", &c, false, NULL);
 */
#ifndef KLOGFWD_COUNTERS_H
#define KLOGFWD_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names-gen.h"

/* attribute types read: room for counters a newer kernel may add */
#define COUNTER_SLOTS	64

struct nlattr;
struct pr;

struct counters {
	const struct klf_metric *tbl;	/* generated table, indexed by type */
	unsigned int max;		/* highest type this program knows */
	bool present;			/* the reply had the set */
	uint64_t have;			/* bit n: counter n is present */
	uint64_t val[COUNTER_SLOTS];
};

void counters_init(struct counters *c, const struct klf_metric *tbl,
		   unsigned int max);
int counters_parse(struct counters *c, const struct nlattr *const *tb);
int counters_parse_nest(struct counters *c, const struct nlattr *nest);
bool counter_has(const struct counters *c, unsigned int type);
const struct klf_metric *counter_metric(const struct counters *c,
					unsigned int type);
const char *counter_name(const struct counters *c, unsigned int type,
			 char *buf, size_t size);

/* text: the counters present, in lines or inline; JSON: an object */
void counters_print(struct pr *p, const char *key, const struct counters *c,
		    bool lines,
		    bool (*own_fn)(struct pr *p, unsigned int type, uint64_t v));

#endif /* KLOGFWD_COUNTERS_H */
