// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd monitor: print the notifications of the "monitor" multicast
 * group as they arrive (KLOGFWD_CMD_LOG_EVENT_NTF,
 * KLOGFWD_CMD_TARGET_STATE_NTF and KLOGFWD_CMD_TARGET_EVENT_NTF), one line
 * each, until interrupted or, with count N, after N of them.
 *
 * SIGINT and SIGTERM are blocked except while waiting for the socket, so
 * that one arriving while a line is printed ends the command after it
 * rather than in the middle of it, and one arriving before the wait is not
 * missed.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/klogfwd.h>

#include "names-gen.h"
#include "nl.h"
#include "print.h"
#include "subcommands.h"

/* Attributes parsed from a notification: the larger of the two sets. */
#define MONITOR_ATTR_MAX	((int)KLOGFWD_A_LOG_MAX > (int)KLOGFWD_A_TARGET_MAX ? \
				 (int)KLOGFWD_A_LOG_MAX : (int)KLOGFWD_A_TARGET_MAX)

static const struct enum_names log_event_enum = ENUM_NAMES(klf_log_event_names);
static const struct enum_names target_event_enum = ENUM_NAMES(klf_target_event_names);

struct monitor {
	struct cli *cli;
	uint64_t count;		/* stop after this many events; 0: never */
	uint64_t seen;		/* events printed */
	bool time;		/* "time": each event with the time it came */
};

/* "2026-12-04T11:15:10.123456+00:00": local time, ISO 8601, microseconds */
static void monitor_time(char *buf, size_t size)
{
	struct timespec ts;
	char zone[8];
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!strftime(zone, sizeof(zone), "%z", &tm) || strlen(zone) != 5)
		snprintf(zone, sizeof(zone), "+0000");
	/* +hhmm as +hh:mm */
	snprintf(buf + n, size - n, ".%06ld%.3s:%s", ts.tv_nsec / 1000, zone, zone + 3);
}

/* set by the handler of SIGINT and SIGTERM; lock-free, so signal safe */
static atomic_int monitor_stop;

static void monitor_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

void usage_monitor(FILE *fp)
{
	fputs("Usage: " PROG " [-j [-p]] monitor [time] [count N]\n"
	      "\n"
	      "Print the events of the logs and targets of the network namespace\n"
	      "as they happen, one line each, until interrupted (SIGINT or SIGTERM,\n"
	      "which end it with exit status 0) or, with count N, after N events.\n"
	      "With time, each line starts with the local time the event came,\n"
	      "as 2026-12-04T11:15:10.123456+01:00 (in JSON: a \"time\" member).\n"
	      "\n"
	      "  log NAME EVENT [count N]\n"
	      "      EVENT: segment-rolled or segment-deleted, count the base\n"
	      "      offset of the segment; records-dropped, count the number of\n"
	      "      records dropped; recovered; producer-blocked, a producer\n"
	      "      started to wait under overflow block (once per episode), count\n"
	      "      the log's stats blocked; kmsg-lost, a log of source kmsg lost\n"
	      "      count records of the kernel's log (added to its kmsg-lost)\n"
	      "  target NAME log LOG to ADDR:PORT state STATE [last-error N (ENAME: message)]\n"
	      "      the target's connection changed state; last-error if not 0\n"
	      "  target NAME log LOG EVENT count N\n"
	      "      EVENT: relp-skipped, an ack relp target did not send count\n"
	      "      records over its max-frame (at most one event each 100 ms)\n"
	      "  unknown event CMD\n"
	      "      a notification newer than this program\n"
	      "\n"
	      "With -j, one JSON object per event and line (-p indents it):\n"
	      "  {\"type\":\"log\",\"name\":NAME,\"event\":EVENT,\"count\":N}\n"
	      "  {\"type\":\"target\",\"name\":NAME,...}    the members of one target\n"
	      "                                         of 'target show -j'\n"
	      "  {\"type\":\"target-event\",\"name\":NAME,\"log\":LOG,\"event\":EVENT,\"count\":N}\n"
	      "  {\"type\":\"unknown\",\"cmd\":CMD}\n"
	      "EVENT is a string as above, or a number for an event newer than this\n"
	      "program; count is null if the kernel sent none.\n"
	      "\n"
	      "Joining the \"" KLOGFWD_MCGRP_MONITOR "\" multicast group needs CAP_NET_ADMIN.\n", fp);
}

/* An event's object opened: its type (JSON), and its time if @time. */
static void monitor_open(struct pr *p, const char *type, const char *time)
{
	pr_obj_open(p, NULL);
	pr_str(p, PRINT_JSON, "type", NULL, type);
	if (time)
		pr_str(p, PRINT_ANY, "time", "%s ", time);
}

/*
 * " EVENT" (the name of @ev in @e, its number for an event newer than
 * this program, null when @have is false), then " count N" (null when
 * @have_count is false), a newline, and the object closed.
 */
static void monitor_close(struct pr *p, const struct enum_names *e, bool have, uint32_t ev,
			  bool have_count, uint64_t count)
{
	const char *name = have ? enum_name(e, ev) : NULL;

	if (name || !have)
		pr_str(p, PRINT_ANY, "event", " %s", name);
	else
		pr_u64(p, PRINT_ANY, "event", " event-%" PRIu64, ev);
	if (have_count)
		pr_u64(p, PRINT_ANY, "count", " count %" PRIu64, count);
	else
		pr_null(p, PRINT_JSON, "count", NULL);
	pr_fp(p, "\n");
	pr_obj_close(p);
}

/*
 * A log-event-ntf. Text: "[TIME ]log NAME EVENT[ count N]"; JSON: an
 * object of type, time (if @time), name, event and count. Returns 0 or
 * -EPROTO if it is malformed, of which nothing is printed.
 */
static int monitor_log_event(struct pr *p, const struct nl_reply *reply,
			     const char *time)
{
	const struct nlattr *const *tb = reply->tb;
	bool have_event, have_count;
	const char *name;
	uint32_t ev = 0;
	uint64_t count = 0;

	name = nl_attr_str(tb[KLOGFWD_A_LOG_NAME]);
	if (!name)
		return -EPROTO;
	have_event = tb[KLOGFWD_A_LOG_EVENT] != NULL;
	if (have_event && !nl_attr_u32(tb[KLOGFWD_A_LOG_EVENT], &ev))
		return -EPROTO;
	have_count = tb[KLOGFWD_A_LOG_COUNT] != NULL;
	if (have_count && !nl_attr_uint(tb[KLOGFWD_A_LOG_COUNT], &count))
		return -EPROTO;

	monitor_open(p, "log", time);
	pr_str(p, PRINT_ANY, "name", "log %s", name);
	monitor_close(p, &log_event_enum, have_event, ev, have_count, count);
	return 0;
}

/*
 * A target-event-ntf: "target NAME log LOG EVENT count N"; JSON: "type":
 * "target-event", name, log, event, count. -EPROTO for a malformed one,
 * of which nothing is printed.
 */
static int monitor_target_event(struct pr *p, const struct nl_reply *reply,
				const char *time)
{
	const struct nlattr *const *tb = reply->tb;
	const char *name, *log;
	uint64_t count;
	uint32_t ev;

	name = nl_attr_str(tb[KLOGFWD_A_TARGET_NAME]);
	log = nl_attr_str(tb[KLOGFWD_A_TARGET_LOG]);
	if (!name || !log || !tb[KLOGFWD_A_TARGET_EVENT] ||
	    !nl_attr_u32(tb[KLOGFWD_A_TARGET_EVENT], &ev) || !tb[KLOGFWD_A_TARGET_COUNT] ||
	    !nl_attr_uint(tb[KLOGFWD_A_TARGET_COUNT], &count))
		return -EPROTO;

	monitor_open(p, "target-event", time);
	pr_str(p, PRINT_ANY, "name", "target %s", name);
	pr_str(p, PRINT_ANY, "log", " log %s", log);
	monitor_close(p, &target_event_enum, true, ev, true, count);
	return 0;
}

/* A notification newer than this program. */
static void monitor_unknown(struct pr *p, const struct nl_reply *reply,
			    const char *time)
{
	monitor_open(p, "unknown", time);
	pr_u64(p, PRINT_ANY, "cmd", "unknown event %" PRIu64 "\n", reply->cmd);
	pr_obj_close(p);
}

static int monitor_cb(const struct nl_reply *reply, void *priv)
{
	struct monitor *m = priv;
	char buf[48], *time = NULL;
	struct pr p;
	int ret;

	if (m->count && m->seen >= m->count)
		return 0;	/* more in the same datagram */
	pr_init(&p, stdout, m->cli->json, m->cli->pretty);
	if (m->time) {
		monitor_time(buf, sizeof(buf));
		time = buf;
	}
	switch (reply->cmd) {
	case KLOGFWD_CMD_LOG_EVENT_NTF:
		ret = monitor_log_event(&p, reply, time);
		break;
	case KLOGFWD_CMD_TARGET_STATE_NTF:
		ret = target_print_event(&p, reply, time);
		break;
	case KLOGFWD_CMD_TARGET_EVENT_NTF:
		ret = monitor_target_event(&p, reply, time);
		break;
	default:
		monitor_unknown(&p, reply, time);
		ret = 0;
		break;
	}
	if (ret) {
		/* nothing was printed: say so and go on */
		errmsg("monitor: ignoring a malformed notification (command %u)",
		       reply->cmd);
		return 0;
	}
	m->seen++;
	/* each event as it comes */
	if (pr_finish(&p) || fflush(stdout) || ferror(stdout))
		return -EIO;
	return 0;
}

/* "[time] [count N]". Returns 0 or the exit status. */
static int monitor_parse(struct monitor *m, int argc, char **argv)
{
	bool have_count = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "time")) {
			if (m->time)
				return usage_error("monitor", "monitor: time given twice");
			m->time = true;
			continue;
		}
		if (strcmp(argv[i], "count"))
			return usage_error("monitor", "monitor: unknown keyword '%s'",
					   argv[i]);
		if (have_count)
			return usage_error("monitor", "monitor: count given twice");
		if (i + 1 >= argc)
			return usage_error("monitor", "monitor: missing value for count");
		i++;
		if (parse_scaled(argv[i], plain_units, UINT64_MAX, &m->count) ||
		    !m->count)
			return usage_error("monitor", "monitor: invalid value '%s' for count (expected a number of events from 1)",
					   argv[i]);
		have_count = true;
	}
	return 0;
}

int cmd_monitor(struct cli *cli, int argc, char **argv)
{
	struct monitor m = { .cli = cli };
	struct cli_sigs sigs;
	int ret = KF_EXIT_OK;
	struct nl_ctx *nl;

	argc = cli_output_opts(cli, argc, argv);
	ret = monitor_parse(&m, argc, argv);
	if (ret)
		return ret;
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;

	monitor_stop = 0;
	cli_sigs_catch(&sigs, monitor_signal, false);

	if (nl_mcast_join(nl, KLOGFWD_MCGRP_MONITOR) < 0) {
		cli_nl_error(cli, "monitor");
		ret = KF_EXIT_ERROR;
		goto out;
	}
	while (!monitor_stop && (!m.count || m.seen < m.count)) {
		if (!nl_recv_ntf(nl, MONITOR_ATTR_MAX, &sigs.wait_mask, monitor_cb, &m))
			continue;
		if (errno == EINTR)
			continue;
		if (ferror(stdout)) {
			ret = KF_EXIT_ERROR;	/* main() reports it */
			break;
		}
		if (errno == ENOBUFS) {
			errmsg("monitor: events were lost (the socket receive buffer overflowed)");
			continue;
		}
		cli_nl_error(cli, "monitor");
		ret = KF_EXIT_ERROR;
		break;
	}
out:
	/* a signal still pending is delivered to monitor_signal() */
	sigprocmask(SIG_SETMASK, &sigs.old_mask, NULL);
	sigaction(SIGINT, &sigs.old_int, NULL);
	sigaction(SIGTERM, &sigs.old_term, NULL);
	return ret;
}
