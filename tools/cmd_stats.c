// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd stats: the totals of the caller's network namespace
 * (KLOGFWD_CMD_STATS_GET).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/klogfwd.h>

#include "json.h"
#include "nl.h"
#include "subcommands.h"

/* room for counters a newer kernel may add */
#define STATS_SLOTS	64

static const char *const stats_names[] = {
	[KLOGFWD_A_STATS_LOGS]			= "logs",
	[KLOGFWD_A_STATS_MAX_LOGS]		= "max-logs",
	[KLOGFWD_A_STATS_TARGETS]		= "targets",
	[KLOGFWD_A_STATS_MAX_TARGETS]		= "max-targets",
	[KLOGFWD_A_STATS_TARGETS_ESTABLISHED]	= "targets-established",
	[KLOGFWD_A_STATS_RECORDS]		= "records",
	[KLOGFWD_A_STATS_BYTES]			= "bytes",
	[KLOGFWD_A_STATS_LAG_BYTES]		= "lag-bytes",
	[KLOGFWD_A_STATS_APPENDS]		= "appends",
	[KLOGFWD_A_STATS_APPEND_BYTES]		= "append-bytes",
	[KLOGFWD_A_STATS_REJECTED]		= "rejected",
	[KLOGFWD_A_STATS_DROPPED_RECORDS]	= "dropped-records",
	[KLOGFWD_A_STATS_BYTES_SENT]		= "bytes-sent",
	[KLOGFWD_A_STATS_RECORDS_SENT]		= "records-sent",
	[KLOGFWD_A_STATS_BYTES_ACKED]		= "bytes-acked",
	[KLOGFWD_A_STATS_RECORDS_ACKED]		= "records-acked",
	[KLOGFWD_A_STATS_PAGES_SPLICED]		= "pages-spliced",
	[KLOGFWD_A_STATS_BYTES_COPIED]		= "bytes-copied",
	[KLOGFWD_A_STATS_RESENT_BYTES]		= "resent-bytes",
	[KLOGFWD_A_STATS_CONNECTS]		= "connects",
	[KLOGFWD_A_STATS_RECONNECTS]		= "reconnects",
};

struct stats_reply {
	uint64_t have;			/* bit n: attribute n is present */
	uint64_t val[STATS_SLOTS];
};

void usage_stats(FILE *fp)
{
	fputs("Usage: " PROG " [-j [-p]] stats\n"
	      "\n"
	      "Show the totals of this network namespace: logs and targets\n"
	      "(and the module's limits), the records and bytes the logs hold,\n"
	      "the bytes not yet acknowledged, and counters of appends and of\n"
	      "forwarding since the module was loaded, deleted logs and targets\n"
	      "included. Needs CAP_NET_ADMIN.\n", fp);
}

static const char *stats_name(unsigned int type, char *buf, size_t size)
{
	if (type < ARRAY_SIZE(stats_names) && stats_names[type])
		return stats_names[type];
	snprintf(buf, size, "counter-%u", type);
	return buf;
}

static int stats_cb(const struct nl_reply *reply, void *priv)
{
	const struct nlattr *const *tb = reply->tb;
	struct stats_reply *sr = priv;
	unsigned int type;

	for (type = 1; type < STATS_SLOTS; type++) {
		if (!tb[type])
			continue;
		if (!nl_attr_uint(tb[type], &sr->val[type])) {
			/* skip what a newer kernel may mean differently */
			if (type <= KLOGFWD_A_STATS_MAX)
				return -EPROTO;
			continue;
		}
		sr->have |= 1ULL << type;
	}
	return 0;
}

static void stats_print_text(const struct stats_reply *sr)
{
	unsigned int type;
	char buf[32];

	for (type = 1; type < STATS_SLOTS; type++)
		if (sr->have & (1ULL << type))
			printf("%-20s %" PRIu64 "\n",
			       stats_name(type, buf, sizeof(buf)), sr->val[type]);
}

static int stats_print_json(struct cli *cli, const struct stats_reply *sr)
{
	unsigned int type;
	struct json j;
	char buf[32];

	json_init(&j, stdout, cli->pretty);
	json_obj_open(&j);
	for (type = 1; type < STATS_SLOTS; type++) {
		if (type > KLOGFWD_A_STATS_MAX && !(sr->have & (1ULL << type)))
			continue;
		json_key_attr(&j, stats_name(type, buf, sizeof(buf)));
		if (sr->have & (1ULL << type))
			json_u64(&j, sr->val[type]);
		else
			json_null(&j);
	}
	json_obj_close(&j);
	return json_finish(&j);
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	struct stats_reply sr = { 0 };
	struct nl_ctx *nl;
	struct nl_req *req;

	if (argc > 1)
		return usage_error("stats", "stats: unexpected argument '%s'", argv[1]);
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	req = nl_req_start(nl, KLOGFWD_CMD_STATS_GET, 0);
	if (nl_request(nl, req, STATS_SLOTS - 1, stats_cb, &sr)) {
		cli_nl_error(cli, "stats");
		return KF_EXIT_ERROR;
	}
	if (cli->json)
		return stats_print_json(cli, &sr) < 0 ? KF_EXIT_ERROR : KF_EXIT_OK;
	stats_print_text(&sr);
	return KF_EXIT_OK;
}
