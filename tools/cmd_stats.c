// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd stats: the totals of the caller's network namespace
 * (KLOGFWD_CMD_STATS_GET); with -o prometheus, those and every log's and
 * target's counters for monitoring systems (prom.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/klogfwd.h>

#include "counters.h"
#include "nl.h"
#include "print.h"
#include "subcommands.h"

enum stats_format { FMT_TEXT, FMT_JSON, FMT_PROMETHEUS };

static const char *const format_names[] = {
	[FMT_TEXT]		= "text",
	[FMT_JSON]		= "json",
	[FMT_PROMETHEUS]	= "prometheus",
};

static const struct enum_names format_enum = ENUM_NAMES(format_names);

void usage_stats(FILE *fp)
{
	fputs("Usage: " PROG " [-j [-p]] stats [-o text|json|prometheus]\n"
	      "\n"
	      "Show the totals of this network namespace: logs and targets\n"
	      "(and the module's limits), the records and bytes the logs hold,\n"
	      "the bytes not yet acknowledged, and counters of appends and of\n"
	      "forwarding since the module was loaded, deleted logs and targets\n"
	      "included. Needs CAP_NET_ADMIN.\n"
	      "\n"
	      "-o json is -j. -o prometheus prints the totals and the counters\n"
	      "of every log and target in the Prometheus text format, for\n"
	      "node_exporter's textfile collector: klogfwd_NAME,\n"
	      "klogfwd_log_NAME{log=\"L\"}, klogfwd_target_NAME{target=\"T\",log=\"L\"}\n"
	      "and klogfwd_target_state{...,state=\"S\"}; NAME as above with '_'\n"
	      "for '-', and \"_total\" after the name of a counter that only grows.\n",
	      fp);
}

static int stats_cb(const struct nl_reply *reply, void *priv)
{
	return counters_parse(priv, reply->tb);
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	enum stats_format fmt;
	struct counters c;
	struct pr p;
	struct nl_ctx *nl;
	struct nl_req *req;
	char list[64];
	int i, v;

	argc = cli_output_opts(cli, argc, argv);
	fmt = cli->json ? FMT_JSON : FMT_TEXT;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") && strcmp(argv[i], "--output"))
			return usage_error("stats", "stats: unexpected argument '%s'", argv[i]);
		enum_list(&format_enum, list, sizeof(list));
		if (++i == argc)
			return usage_error("stats", "stats: %s needs a format: %s",
					   argv[i - 1], list);
		v = enum_value(&format_enum, argv[i]);
		if (v < 0)
			return usage_error("stats", "stats: unknown output format '%s' (expected %s)",
					   argv[i], list);
		if (cli->json && v != FMT_JSON)
			return usage_error("stats", "stats: -j and -o %s conflict", argv[i]);
		fmt = v;
	}
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	if (fmt == FMT_PROMETHEUS)
		return prom_print(cli, nl);
	counters_init(&c, klf_stats_metrics, KLOGFWD_A_STATS_MAX);
	req = nl_req_start(nl, KLOGFWD_CMD_STATS_GET, 0);
	if (nl_request(nl, req, COUNTER_SLOTS - 1, stats_cb, &c)) {
		cli_nl_error(cli, "stats");
		return KF_EXIT_ERROR;
	}
	/* text: a "NAME VALUE" line per counter; JSON: an object */
	pr_init(&p, stdout, fmt == FMT_JSON, cli->pretty);
	counters_print(&p, NULL, &c, true, NULL);
	return pr_finish(&p) < 0 ? KF_EXIT_ERROR : KF_EXIT_OK;
}
