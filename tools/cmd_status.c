// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd status: what an operator wants to see first, one line per log
 * and one per target under its log, in human units, problems named and
 * nothing else:
 *
 *	log app: dir /var/log/app, lf: 1203 records, 3.4 KiB in 1 segment
 *	  rx -> 127.0.0.1:9000: established 2m13s, lag 0
 *	  bk -> [::1]:9001: backoff, lag 12 records (1.1 KiB), last error
 *	        ECONNREFUSED (Connection refused) 3m ago		(one line)
 *
 * The exact numbers are "log show" and "target show" (and their -j); the
 * configuration as commands is "save".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <linux/klogfwd.h>

#include "counters.h"
#include "nl.h"
#include "objects.h"
#include "subcommands.h"

void usage_status(FILE *fp)
{
	fputs("Usage: " PROG " status\n"
	      "\n"
	      "One line per log: its storage and framing, the records and bytes\n"
	      "it holds, and what went wrong (appends refused, appends that waited\n"
	      "under overflow block, records dropped by retention, lines cut, a\n"
	      "recovery). Under it, one line per target:\n"
	      "where it sends, its state (established: for how long), the records\n"
	      "and bytes not yet acknowledged (lag), and the last connection error\n"
	      "and how long ago if the target is not established. Sizes are in B,\n"
	      "KiB, MiB, GiB; ages as 42s, 3m12s, 1h02m, 2d04h.\n"
	      "\n"
	      "For the exact numbers use 'log show' and 'target show' (or -j);\n"
	      "status prints text only.\n", fp);
}

/* "512 B", "3.4 KiB", "16 MiB", "1.2 GiB" */
static const char *human_bytes(uint64_t v, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = v;
	size_t u = 0;

	if (v < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", v);
		return buf;
	}
	d /= 1024;
	while (d >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		d /= 1024;
		u++;
	}
	/* one decimal below 10, none above: 3.4 KiB, 16 MiB */
	if (d < 10 && (uint64_t)(d * 10 + 0.5) % 10)
		snprintf(buf, size, "%.1f %s", d, units[u]);
	else
		snprintf(buf, size, "%.0f %s", d, units[u]);
	return buf;
}

static uint64_t val(const struct obj *o, unsigned int type)
{
	return counter_has(&o->c, type) ? o->c.val[type] : 0;
}

/* "s" unless @n is 1 */
static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* ", N NOUN[s] WHAT" if N is not 0 */
static void problem(uint64_t n, const char *noun, const char *what)
{
	if (n)
		printf(", %" PRIu64 " %s%s %s", n, noun, plural(n), what);
}

/* the counters of appends refused, and why */
static const struct {
	unsigned int type;
	const char *why;
} refusals[] = {
	{ KLOGFWD_A_LOG_STATS_REJECTED_SIZE,	"too long" },
	{ KLOGFWD_A_LOG_STATS_REJECTED_FRAMING,	"cannot be framed" },
	{ KLOGFWD_A_LOG_STATS_REJECTED_FULL,	"log full" },
	{ KLOGFWD_A_LOG_STATS_REJECTED_IO,	"write error" },
};

static void log_line(const struct obj *o)
{
	const struct enum_names framings = ENUM_NAMES(klf_framing_names);
	const char *framing = enum_name(&framings, o->framing);
	uint64_t segs = val(o, KLOGFWD_A_LOG_STATS_SEGMENTS);
	uint64_t refused = 0;
	const char *sep;
	char b[32];
	size_t i;

	printf("log %s: ", o->name);
	if (o->storage == KLOGFWD_STORAGE_DIR && o->dir)
		printf("dir %s", o->dir);
	else
		fputs("memory", stdout);
	printf(", %s: %" PRIu64 " record%s, %s in %" PRIu64 " segment%s",
	       framing ? framing : "?", val(o, KLOGFWD_A_LOG_STATS_RECORDS),
	       plural(val(o, KLOGFWD_A_LOG_STATS_RECORDS)),
	       human_bytes(val(o, KLOGFWD_A_LOG_STATS_BYTES), b, sizeof(b)),
	       segs, plural(segs));
	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		refused += val(o, refusals[i].type);
	if (refused) {
		printf(", %" PRIu64 " append%s refused (", refused, plural(refused));
		sep = "";
		for (i = 0; i < ARRAY_SIZE(refusals); i++) {
			if (!val(o, refusals[i].type))
				continue;
			printf("%s%s %" PRIu64, sep, refusals[i].why,
			       val(o, refusals[i].type));
			sep = ", ";
		}
		putchar(')');
	}
	problem(val(o, KLOGFWD_A_LOG_STATS_DROPPED_RECORDS), "record",
		"dropped by retention before a target had them");
	problem(val(o, KLOGFWD_A_LOG_STATS_LINES_CUT), "line", "cut to max-record");
	problem(val(o, KLOGFWD_A_LOG_STATS_BLOCKED), "append", "waited for room (overflow block)");
	if (val(o, KLOGFWD_A_LOG_STATS_RECOVERIES)) {
		printf(", recovered %" PRIu64 " record%s",
		       val(o, KLOGFWD_A_LOG_STATS_RECOVERED_RECORDS),
		       plural(val(o, KLOGFWD_A_LOG_STATS_RECOVERED_RECORDS)));
		if (val(o, KLOGFWD_A_LOG_STATS_TRUNCATED_BYTES))
			printf(" (torn tail of %s cut)",
			       human_bytes(val(o, KLOGFWD_A_LOG_STATS_TRUNCATED_BYTES),
					   b, sizeof(b)));
	}
	putchar('\n');
}

/* PRE AGE POST: the age of Unix time @t, if it is known and past */
static void print_age(const char *pre, uint64_t t, const char *post)
{
	time_t now = time(NULL);
	char b[32];

	if (t && now >= 0 && t <= (uint64_t)now)
		printf("%s%s%s", pre, fmt_age((uint64_t)now - t, b, sizeof(b)), post);
}

static void target_line(const struct obj *o)
{
	const struct enum_names states = ENUM_NAMES(klf_target_state_names);
	uint64_t lag = val(o, KLOGFWD_A_TARGET_STATS_LAG_RECORDS);
	uint64_t err = val(o, KLOGFWD_A_TARGET_STATS_LAST_ERROR);
	char addr[INET6_ADDRSTRLEN], b[32];
	const char *state, *ename;

	printf("  %s -> ", o->name);
	if (o->family && inet_ntop(o->family, o->addr, addr, sizeof(addr)))
		printf(o->family == AF_INET6 ? "[%s]" : "%s", addr);
	else
		fputs("?", stdout);
	printf(":%u: ", o->port);
	state = o->have_state ? enum_name(&states, o->state) : NULL;
	fputs(state ? state : "?", stdout);
	if (o->have_state && o->state == KLOGFWD_TARGET_STATE_ESTABLISHED)
		print_age(" ", val(o, KLOGFWD_A_TARGET_STATS_LAST_CONNECT_TIME), "");
	if (lag)
		printf(", lag %" PRIu64 " record%s (%s)", lag, plural(lag),
		       human_bytes(val(o, KLOGFWD_A_TARGET_STATS_LAG_BYTES), b, sizeof(b)));
	else
		fputs(", lag 0", stdout);
	problem(val(o, KLOGFWD_A_TARGET_STATS_DROPPED_RECORDS), "record",
		"dropped by retention before delivery");
	/* the error explains a state that is not established; once a
	 * connection is up again it is history (target show keeps it)
	 */
	if (err && o->have_state && o->state != KLOGFWD_TARGET_STATE_ESTABLISHED &&
	    o->state != KLOGFWD_TARGET_STATE_PAUSED) {
		ename = errno_name(err);
		if (ename)
			printf(", last error %s (%s)", ename, strerror((int)err));
		else
			printf(", last error %" PRIu64, err);
		print_age(" ", val(o, KLOGFWD_A_TARGET_STATS_LAST_ERROR_TIME), " ago");
	}
	putchar('\n');
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct obj_list logs = { 0 }, targets = { 0 };
	int ret = KF_EXIT_ERROR;
	struct nl_ctx *nl;
	size_t i, t;

	argc = cli_output_opts(cli, argc, argv);
	if (cli->json)
		return usage_error("status", "status prints text only: use '" PROG
				   " -j log show' and '" PROG " -j target show'");
	if (argc > 1)
		return usage_error("status", "status: unexpected argument '%s'", argv[1]);
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	if (objs_dump(cli, nl, &logs, &targets))
		goto out;
	if (!logs.n)
		puts("no logs");
	for (i = 0; i < logs.n; i++) {
		log_line(&logs.v[i]);
		for (t = 0; t < targets.n; t++)
			if (targets.v[t].log && !strcmp(targets.v[t].log, logs.v[i].name))
				target_line(&targets.v[t]);
	}
	ret = fflush(stdout) || ferror(stdout) ? KF_EXIT_ERROR : KF_EXIT_OK;
	if (ret)
		errmsg("status: writing the output: %s", strerror(errno));
out:
	objs_free(&logs);
	objs_free(&targets);
	return ret;
}
