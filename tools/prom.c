// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd stats -o prometheus: the namespace's totals and every log's and
 * target's counters in the Prometheus text exposition format (version
 * 0.0.4), for node_exporter's textfile collector or any scraper of files.
 *
 *	klogfwd_NAME				stats-get
 *	klogfwd_log_NAME{log="L"}		log-get, each log
 *	klogfwd_target_NAME{target="T",log="L"}	target-get, each target
 *	klogfwd_target_state{target="T",log="L",state="S"}  1 for its state
 *
 * NAME is the counter's name in the spec (and in "stats", "log show",
 * "target show") with '-' as '_'; a total that only grows is a counter
 * named with "_total", a value now a gauge (the kinds come from the
 * tables gen-names writes). Counters newer than this program are left out:
 * their kind is not known. The three requests are not one snapshot.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/klogfwd.h>

#include "counters.h"
#include "nl.h"
#include "objects.h"
#include "subcommands.h"

static int totals_cb(const struct nl_reply *reply, void *priv)
{
	return counters_parse(priv, reply->tb);
}

/* HELP text: backslash and newline escaped */
static void put_help(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", stdout);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

/* a label value: backslash, double quote and newline escaped */
static void put_label(const char *key, const char *val)
{
	printf("%s=\"", key);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			printf("\\%c", *val);
		else if (*val == '\n')
			fputs("\\n", stdout);
		else
			putchar(*val);
	}
	putchar('"');
}

/* klogfwd_[KIND_]NAME[_total] */
static void put_name(const char *kind, const struct klf_metric *m)
{
	const char *p;

	printf("klogfwd_%s", kind);
	for (p = m->name; *p; p++)
		putchar(*p == '-' ? '_' : *p);
	if (!m->gauge)
		fputs("_total", stdout);
}

static void put_family(const char *kind, const struct klf_metric *m)
{
	fputs("# HELP ", stdout);
	put_name(kind, m);
	putchar(' ');
	put_help(m->help);
	fputs("\n# TYPE ", stdout);
	put_name(kind, m);
	printf(" %s\n", m->gauge ? "gauge" : "counter");
}

/* {target="T",log="L"} or {log="L"}, and state="S" if @state */
static void put_labels(const struct obj *o, bool target, const char *state)
{
	putchar('{');
	if (target) {
		put_label("target", o->name);
		putchar(',');
		put_label("log", o->log);
	} else {
		put_label("log", o->name);
	}
	if (state) {
		putchar(',');
		put_label("state", state);
	}
	putchar('}');
}

/* one family per counter type, one sample per object that has it */
static void put_objects(const struct obj_list *l, const char *kind, bool target,
			const struct klf_metric *tbl, unsigned int max)
{
	const struct obj *o;
	unsigned int type;
	bool any;
	size_t i;

	for (type = 1; type <= max; type++) {
		if (!tbl[type].name)
			continue;
		any = false;
		for (i = 0; i < l->n; i++) {
			o = &l->v[i];
			if (!counter_has(&o->c, type))
				continue;
			if (!any)
				put_family(kind, &tbl[type]);
			any = true;
			put_name(kind, &tbl[type]);
			put_labels(o, target, NULL);
			printf(" %" PRIu64 "\n", o->c.val[type]);
		}
	}
}

static void put_states(const struct obj_list *l)
{
	const size_t nstates = ARRAY_SIZE(klf_target_state_names);
	const struct obj *o;
	bool any = false;
	size_t i, s;

	for (i = 0; i < l->n; i++) {
		o = &l->v[i];
		if (!o->have_state)
			continue;
		if (!any)
			fputs("# HELP klogfwd_target_state State of the target's connection: 1 for the state it is in, 0 for the others.\n"
			      "# TYPE klogfwd_target_state gauge\n", stdout);
		any = true;
		for (s = 0; s < nstates; s++) {
			fputs("klogfwd_target_state", stdout);
			put_labels(o, true, klf_target_state_names[s]);
			printf(" %d\n", o->state == s);
		}
	}
}

/**
 * prom_print() - "klogfwd stats -o prometheus"
 * @cli: the invocation
 * @nl: its netlink context
 *
 * Return: an exit code (KF_EXIT_*).
 */
int prom_print(struct cli *cli, struct nl_ctx *nl)
{
	struct obj_list logs = { 0 }, targets = { 0 };
	struct counters totals;
	struct nl_req *req;
	int ret = KF_EXIT_ERROR;
	unsigned int type;

	counters_init(&totals, klf_stats_metrics, KLOGFWD_A_STATS_MAX);
	req = nl_req_start(nl, KLOGFWD_CMD_STATS_GET, 0);
	if (nl_request(nl, req, COUNTER_SLOTS - 1, totals_cb, &totals)) {
		cli_nl_error(cli, "stats");
		goto out;
	}
	if (objs_dump(cli, nl, &logs, &targets))
		goto out;

	for (type = 1; type <= KLOGFWD_A_STATS_MAX; type++) {
		if (!counter_has(&totals, type) || !klf_stats_metrics[type].name)
			continue;
		put_family("", &klf_stats_metrics[type]);
		put_name("", &klf_stats_metrics[type]);
		printf(" %" PRIu64 "\n", totals.val[type]);
	}
	put_objects(&logs, "log_", false, klf_log_stats_metrics,
		    KLOGFWD_A_LOG_STATS_MAX);
	put_objects(&targets, "target_", true, klf_target_stats_metrics,
		    KLOGFWD_A_TARGET_STATS_MAX);
	put_states(&targets);
	ret = fflush(stdout) || ferror(stdout) ? KF_EXIT_ERROR : KF_EXIT_OK;
	if (ret)
		errmsg("stats: writing the output: %s", strerror(errno));
out:
	objs_free(&logs);
	objs_free(&targets);
	return ret;
}
