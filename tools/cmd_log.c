// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd log: create, change, delete, show and append to logs
 * (KLOGFWD_CMD_LOG_NEW, _SET, _DEL, _GET and _APPEND).
 *
 * The command line is parsed completely before any netlink traffic, so that
 * every usage error exits 2 whether or not the module is loaded. Only the
 * settings given are sent: the kernel applies the defaults and checks the
 * ranges, and its extended ack explains what it refuses.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/klogfwd.h>
#include <linux/netlink.h>

#include "counters.h"
#include "kw.h"
#include "nl.h"
#include "print.h"
#include "subcommands.h"

/*
 * log append fills a request up to APPEND_BATCH bytes before sending it; a
 * single record may take a request of up to APPEND_MSG_MAX bytes, the size
 * of the request buffer of nl.c.
 */
#define APPEND_BATCH		(60 * 1024)
#define APPEND_MSG_MAX		65536
#define APPEND_HDRLEN		(NLMSG_HDRLEN + GENL_HDRLEN)

static int log_add(struct cli *cli, int argc, char **argv);
static int log_set(struct cli *cli, int argc, char **argv);
static int log_del(struct cli *cli, int argc, char **argv);
static int log_show(struct cli *cli, int argc, char **argv);
static int log_append(struct cli *cli, int argc, char **argv);
static void usage_log_add(FILE *fp);
static void usage_log_set(FILE *fp);
static void usage_log_del(FILE *fp);
static void usage_log_show(FILE *fp);
static void usage_log_append(FILE *fp);

static const struct cmd log_cmds[] = {
	{ "add",	log_add,	"create a log",		usage_log_add },
	{ "set",	log_set,	"change the settings of a log",
	  usage_log_set },
	{ "del",	log_del,	"delete a log",		usage_log_del },
	{ "show",	log_show,	"show logs, their settings and counters",
	  usage_log_show },
	{ "append",	log_append,	"append records to a log",
	  usage_log_append },
};

/* Command line settings */

/* The settings of a log add or log set command line. */
struct log_conf {
	struct kw_conf kc;
	char *dir;			/* absolute, allocated */
};

static int parse_dir(struct kw_conf *kc, const struct kw *kw, const char *val);
static int log_cmp_storage(struct kw_cmp *d);
static int print_dir(struct kw_print *p, const struct kw *kw);
static int print_hostname(struct kw_print *p, const struct kw *kw);
static int print_kmsg(struct kw_print *p, const struct kw *kw);
static void json_storage(struct pr *p, const struct kw_conf *c,
			 const struct kw *kw);

#define SIZE_EXPECT	"expected a size such as 4096, 64k or 16M"

static const struct kw log_kws[] = {
	{ KW_KEY("memory", KW_FLAG, KW_ADD, KLOGFWD_A_LOG_STORAGE, KW_W_U32),
	  .val = KLOGFWD_STORAGE_MEMORY, .excl = 1, .json = json_storage,
	  .help = "keep the segments in memory only (the default)" },
	{ KW_KEY("dir", KW_CUSTOM, KW_ADD, KLOGFWD_A_LOG_DIR, KW_W_STR),
	  .excl = 1, .expect = "expected a directory path", .parse = parse_dir,
	  .print = print_dir, .arg = "PATH",
	  .help = "keep the segments as files in the directory\n"
		  "PATH (made absolute); an earlier log there is\n"
		  "recovered" },
	{ KW_KEY("framing", KW_ENUM, KW_ADD, KLOGFWD_A_LOG_FRAMING, KW_W_U32),
	  .e = &klf_framing_enum, .arg = "lf|octet|klf",
	  .help = "newline-terminated records (default), RFC 6587\n"
		  "octet counting, or klogfwd's binary headers" },
	{ KW_KEY("segment-bytes", KW_SIZE, KW_ADD | KW_SET, KLOGFWD_A_LOG_SEGMENT_BYTES, KW_W_U32),
	  .max = UINT32_MAX, .expect = SIZE_EXPECT, .arg = "SIZE",
	  .help = "roll a segment before it exceeds SIZE (default 16M)" },
	{ KW_KEY("retain-bytes", KW_SIZE, KW_ADD | KW_SET, KLOGFWD_A_LOG_RETAIN_BYTES, KW_W_UINT),
	  .max = UINT64_MAX, .expect = SIZE_EXPECT, .arg = "SIZE",
	  .help = "delete the oldest segments while the log holds more\n"
		  "(0: no limit; default 256M)" },
	{ KW_KEY("retain-ms", KW_MS, KW_ADD | KW_SET, KLOGFWD_A_LOG_RETAIN_MS, KW_W_UINT),
	  .max = UINT64_MAX,
	  .expect = "expected milliseconds such as 5000, or a time such as 90s, 30m, 12h or 7d",
	  .arg = "TIME",
	  .help = "delete segments whose newest record is older\n"
		  "(0: no limit, the default)" },
	{ KW_KEY("max-record", KW_SIZE, KW_ADD | KW_SET, KLOGFWD_A_LOG_MAX_RECORD, KW_W_U32),
	  .max = UINT32_MAX, .expect = SIZE_EXPECT, .arg = "SIZE",
	  .help = "largest record accepted (default 64k)" },
	{ KW_KEY("overflow", KW_ENUM, KW_ADD | KW_SET, KLOGFWD_A_LOG_OVERFLOW, KW_W_U32),
	  .e = &klf_overflow_enum, .arg = "drop|block",
	  .help = "when retention would delete unconsumed data:\n"
		  "delete it anyway (default) or refuse the append" },
	{ KW_KEY("sync", KW_MS, KW_ADD | KW_SET, KLOGFWD_A_LOG_SYNC, KW_W_U32),
	  .attr2 = KLOGFWD_A_LOG_SYNC_INTERVAL_MS, .wire2 = KW_W_U32,
	  .max = UINT32_MAX, .val = KLOGFWD_SYNC_INTERVAL, .e = &klf_sync_enum,
	  .expect = "expected none, always, interval or an interval in milliseconds such as 1000 or 5s",
	  .arg = "none|TIME|always",
	  .help = "durability of appends to a dir log: writeback\n"
		  "(default), within TIME, or fsync on every append" },
	{ KW_KEY("mode", KW_MODE, KW_ADD | KW_SET, KLOGFWD_A_LOG_MODE, KW_W_U32),
	  .max = UINT32_MAX, .expect = "expected an octal mode such as 0640", .arg = "OCTAL",
	  .help = "permissions of /dev/klogfwd/NAME (default 0600)" },
	{ KW_KEY("owner", KW_USER, KW_ADD | KW_SET, KLOGFWD_A_LOG_OWNER, KW_W_U32),
	  .max = UINT32_MAX, .expect = "expected a user name or a uid", .arg = "USER",
	  .help = "owner of the device, a name or a uid (default 0)" },
	{ KW_KEY("group", KW_GROUP, KW_ADD | KW_SET, KLOGFWD_A_LOG_GROUP, KW_W_U32),
	  .max = UINT32_MAX, .expect = "expected a group name or a gid", .arg = "GROUP",
	  .help = "group of the device, a name or a gid (default 0)" },
	{ KW_KEY("input", KW_ENUM, KW_ADD | KW_SET, KLOGFWD_A_LOG_INPUT, KW_W_U32),
	  .e = &klf_input_enum, .arg = "record|lines",
	  .help = "what a write() to the device appends: one record\n"
		  "(default), or one record per line, a partial\n"
		  "line kept until its newline or close(); use\n"
		  "lines for cat, sed, tail -F, print()" },
	{ KW_KEY("format", KW_ENUM, KW_ADD | KW_SET, KLOGFWD_A_LOG_FORMAT, KW_W_U32),
	  .e = &klf_format_enum, .arg = "raw|rfc5424|rfc3164|json",
	  .help = "the syslog header put before each record when it\n"
		  "is appended: none (default), or RFC 5424 or RFC\n"
		  "3164 with the append time; a leading <N> in a\n"
		  "record sets its priority; json (source kmsg): each\n"
		  "record one JSON object" },
	{ KW_KEY("hostname", KW_STR, KW_ADD | KW_SET, KLOGFWD_A_LOG_HOSTNAME, KW_W_STR),
	  .print = print_hostname, .arg = "NAME",
	  .help = "HOSTNAME of the header (default: the node name)" },
	{ KW_KEY("app-name", KW_STR, KW_ADD | KW_SET, KLOGFWD_A_LOG_APP_NAME, KW_W_STR),
	  .arg = "NAME", .help = "APP-NAME of the header (default: the log's name)" },
	{ KW_KEY("facility", KW_NUM, KW_ADD | KW_SET, KLOGFWD_A_LOG_FACILITY, KW_W_U32),
	  .max = UINT32_MAX, .e = &syslog_facility_enum,
	  .expect = "expected 0 to 23, or a name such as daemon, auth or local0 to local7",
	  .arg = "F",
	  .help = "default facility, a name (user, daemon, local0..\n"
		  "local7, ...) or 0 to 23 (default user)" },
	{ KW_KEY("severity", KW_NUM, KW_ADD | KW_SET, KLOGFWD_A_LOG_SEVERITY, KW_W_U32),
	  .max = UINT32_MAX, .e = &syslog_severity_enum,
	  .expect = "expected 0 to 7, or emerg, alert, crit, err, warning, notice, info or debug",
	  .arg = "S",
	  .help = "default severity, a name (emerg, alert, crit, err,\n"
		  "warning, notice, info, debug) or 0 to 7 (default\n"
		  "notice)" },
	{ KW_KEY("source", KW_ENUM, KW_ADD, KLOGFWD_A_LOG_SOURCE, KW_W_U32),
	  .e = &klf_source_enum, .arg = "local|kmsg", .print = print_kmsg,
	  .help = "what appends: local producers (the default), or\n"
		  "kmsg: the kernel's own log, every printk record\n"
		  "(initial network namespace, CAP_SYSLOG);\n"
		  "facility kern, app-name kernel" },
	{ KW_KEY("from", KW_ENUM, KW_ADD, KLOGFWD_A_LOG_KMSG_FROM, KW_W_U32),
	  .e = &klf_kmsg_from_enum, .arg = "boot|now|resume", .print = print_kmsg,
	  .help = "source kmsg: read from the first record of the\n"
		  "boot (default), from the next one printed, or\n"
		  "(dir logs) from where the log stopped in this\n"
		  "boot, else from the boot's first" },
	{ KW_KEY("level", KW_NUM, KW_ADD | KW_SET, KLOGFWD_A_LOG_KMSG_LEVEL, KW_W_U32),
	  .max = 7, .e = &syslog_severity_enum, .print = print_kmsg,
	  .expect = "expected 0 to 7, or emerg, alert, crit, err, warning, notice, info or debug",
	  .arg = "S",
	  .help = "source kmsg: forward the records of this level\n"
		  "and the more severe ones (default debug: all);\n"
		  "the others are counted in kmsg_filtered" },
	{ KW_KEY("poll", KW_MS, KW_ADD | KW_SET, KLOGFWD_A_LOG_KMSG_POLL_MS, KW_W_U32),
	  .max = 60000, .print = print_kmsg,
	  .expect = "expected 10 to 60000 milliseconds, or a time such as 500ms or 5s",
	  .arg = "TIME",
	  .help = "source kmsg: read the kernel's log at least this\n"
		  "often (default 100ms); new records wake the\n"
		  "reader at once" },
	{ KW_KEY("override", KW_FLAG, KW_ADD | KW_NOSHOW, KLOGFWD_A_LOG_OVERRIDE, KW_W_FLAG),
	  .help = "let the settings given lower the durability a dir\n"
		  "log's saved settings ask for (sync, retain-bytes,\n"
		  "retain-ms, overflow)" },
};

/* a struct kw_conf holds attributes as bits of an unsigned int */
_Static_assert(KLOGFWD_A_LOG_MAX <= KW_ATTR_MAX, "log attributes do not fit a kw_conf");

static const struct kw_table log_kw_table = {
	.kws = log_kws,
	.n = ARRAY_SIZE(log_kws),
	.what = "log",
	.cmd_get = KLOGFWD_CMD_LOG_GET,
	.name_attr = KLOGFWD_A_LOG_NAME,
	.attr_max = KLOGFWD_A_LOG_MAX,
	.names = klf_log_attr_names,
	.fixed = "storage, dir, framing, source and from",
	.cmp = log_cmp_storage,
};

/* Drop empty and "." components of the absolute path p, in place. */
static void path_clean(char *p)
{
	char *r = p, *w = p;
	size_t len;

	while (*r) {
		while (*r == '/')
			r++;
		if (!*r)
			break;
		len = strcspn(r, "/");
		if (len == 1 && r[0] == '.') {
			r++;
			continue;
		}
		*w++ = '/';
		memmove(w, r, len);
		w += len;
		r += len;
	}
	if (w == p)
		*w++ = '/';
	*w = '\0';
}

/*
 * The absolute form of path: relative to the current directory, with empty
 * and "." components dropped, and nothing resolved. Symlinks are left for
 * the kernel to refuse: a dir log's path must not cross one (a link planted
 * by whoever can write a parent would redirect the log). Allocated; NULL
 * with errno set on failure.
 */
static char *abs_path(const char *path)
{
	char *full, *cwd;

	if (path[0] == '/') {
		full = strdup(path);
	} else {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		full = malloc(strlen(cwd) + strlen(path) + 2);
		if (full)
			sprintf(full, "%s/%s", cwd, path);
		free(cwd);
	}
	if (full)
		path_clean(full);
	return full;
}

/* "dir PATH": made absolute. Returns 0 or the exit status. */
static int parse_dir(struct kw_conf *kc, const struct kw *kw, const char *val)
{
	struct log_conf *c = container_of(kc, struct log_conf, kc);

	if (!*val)
		return kw_bad_value(kc, kw, val, -EINVAL);
	c->dir = abs_path(val);
	if (!c->dir) {
		errmsg("%s: cannot make '%s' absolute: %s", kc->op, val,
		       strerror(errno));
		return KF_EXIT_ERROR;
	}
	kw_set(kc, KLOGFWD_A_LOG_STORAGE, KW_W_U32, KLOGFWD_STORAGE_DIR);
	kw_set_ptr(kc, kw->attr, kw->wire, c->dir, 0);
	return 0;
}

/*
 * A batch log add: memory unless dir is given, and the dir, both fixed.
 * Returns 0.
 */
static int log_cmp_storage(struct kw_cmp *d)
{
	const struct log_conf *c = container_of(d->c, struct log_conf, kc);
	const uint64_t *val = d->c->val, *old = d->old.val;
	const char *dir = d->old.ptr[KLOGFWD_A_LOG_DIR];
	uint64_t storage;

	storage = kw_has(d->c, KLOGFWD_A_LOG_STORAGE) ?
		  val[KLOGFWD_A_LOG_STORAGE] : KLOGFWD_STORAGE_MEMORY;
	if (old[KLOGFWD_A_LOG_STORAGE] != storage)
		kw_cmp_add(d, "storage",
			   old[KLOGFWD_A_LOG_STORAGE] == KLOGFWD_STORAGE_DIR ? "dir" : "memory",
			   storage == KLOGFWD_STORAGE_DIR ? "dir" : "memory", true);
	else if (c->dir && (!dir || strcmp(dir, c->dir)))
		kw_cmp_add(d, "dir", dir ?: "none", c->dir, true);
	return 0;
}

/* " dir PATH" for a dir log; the memory row prints " memory" */
static int print_dir(struct kw_print *p, const struct kw *kw)
{
	const struct kw_conf *c = &p->c;

	if (!kw_has(c, KLOGFWD_A_LOG_STORAGE) ||
	    c->val[KLOGFWD_A_LOG_STORAGE] != KLOGFWD_STORAGE_DIR)
		return 0;
	if (kw_print_read(p, kw))
		return -EPROTO;
	kw_print_str(p, kw->name, c->ptr[kw->attr]);
	return 0;
}

/* JSON: the storage of the memory row, memory or dir, by name */
static void json_storage(struct pr *p, const struct kw_conf *c,
			 const struct kw *kw)
{
	kw_json_attr(p, klf_log_attr_names[kw->attr], c, kw->attr,
		     &klf_storage_enum);
}

/*
 * source, from, level and poll: only for a log with source kmsg (" source kmsg from
 * boot"); nothing for the default source, or from a kernel without them
 */
static int print_kmsg(struct kw_print *p, const struct kw *kw)
{
	const char *name;

	if (kw_read(&p->c, p->tb, KLOGFWD_A_LOG_SOURCE, KW_W_U32) ||
	    kw_read(&p->c, p->tb, kw->attr, kw->wire))
		return -EPROTO;
	if (!kw_has(&p->c, KLOGFWD_A_LOG_SOURCE) || !kw_has(&p->c, kw->attr) ||
	    p->c.val[KLOGFWD_A_LOG_SOURCE] != KLOGFWD_SOURCE_KMSG)
		return 0;
	name = kw->e ? enum_name(kw->e, p->c.val[kw->attr]) : NULL;
	if (name)
		fprintf(p->out, " %s %s", kw->name, name);
	else
		fprintf(p->out, " %s %" PRIu64, kw->name, p->c.val[kw->attr]);
	return 0;
}

/* the hostname, unless it is the node name that save leaves out */
static int print_hostname(struct kw_print *p, const struct kw *kw)
{
	const char *host;

	if (kw_print_read(p, kw))
		return -EPROTO;
	host = p->c.ptr[kw->attr];
	if (!p->node || strcmp(host, p->node))
		kw_print_str(p, kw->name, host);
	return 0;
}

/**
 * log_conf_print() - the settings of a log as "log add NAME" takes them
 * @out: where to print them
 * @tb: the attributes of a log-get reply
 * @node: a hostname to leave out (the default one), or NULL
 *
 * The rows of log_kws[] that are settings, in their order (kw_print()):
 * " memory" or " dir PATH", then framing, segment-bytes, retain-bytes,
 * retain-ms, max-record, overflow, sync, mode, owner, group, input, format,
 * hostname (unless it is @node), app-name, facility and severity. No name,
 * no newline.
 *
 * Return: 0; -EPROTO if the reply lacks a setting (nothing is printed);
 * -EINVAL if the directory holds a control character, which no batch line
 * can give (it is printed with \xNN).
 */
int log_conf_print(FILE *out, const struct nlattr *const *tb, const char *node)
{
	return kw_print(out, &log_kw_table, tb, node, NULL);
}

/*
 * --check: what the CLI knows of the kernel's limits beyond the parsing:
 * the name, the lengths of strings, the syslog ranges. Returns 0 or the
 * exit status.
 */
static int log_check(const struct log_conf *lc, const char *name)
{
	static const struct {
		uint16_t attr;
		uint64_t max;
	} limits[] = {
		{ KLOGFWD_A_LOG_MAX_RECORD, KLOGFWD_MAX_RECORD_LIMIT },
		{ KLOGFWD_A_LOG_FACILITY, SYSLOG_FACILITY_MAX },
		{ KLOGFWD_A_LOG_SEVERITY, SYSLOG_SEVERITY_MAX },
	};
	static const struct {
		uint16_t attr;
		size_t max;
	} lens[] = {
		{ KLOGFWD_A_LOG_HOSTNAME, KLOGFWD_HOSTNAME_LEN },
		{ KLOGFWD_A_LOG_APP_NAME, KLOGFWD_APP_NAME_LEN },
	};
	const struct kw_conf *c = &lc->kc;
	const char *s, *p, *kw;
	size_t i;
	int ret;

	ret = check_name(c->op, "log", name);
	if (ret)
		return ret;
	if (lc->dir && strlen(lc->dir) > KLOGFWD_PATH_LEN)
		return usage_error(c->op, "%s: dir is too long: %zu bytes (at most %d)",
				   c->op, strlen(lc->dir), KLOGFWD_PATH_LEN);
	for (i = 0; i < ARRAY_SIZE(limits); i++)
		if (kw_has(c, limits[i].attr) &&
		    c->val[limits[i].attr] > limits[i].max)
			return usage_error(c->op, "%s: value %" PRIu64 " for %s is out of range (at most %" PRIu64 ")",
					   c->op, c->val[limits[i].attr],
					   klf_log_attr_names[limits[i].attr], limits[i].max);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		s = kw_has(c, lens[i].attr) ? c->ptr[lens[i].attr] : NULL;
		kw = klf_log_attr_names[lens[i].attr];
		if (!s)
			continue;
		if (strlen(s) > lens[i].max)
			return usage_error(c->op, "%s: %s is too long: %zu bytes (at most %zu)",
					   c->op, kw, strlen(s), lens[i].max);
		for (p = s; *p; p++)
			if (*p < 33 || *p > 126)
				break;
		if (*p || !*s)
			return usage_error(c->op, "%s: %s must be printable ASCII without spaces",
					   c->op, kw);
	}
	return 0;
}

/*
 * Send cmd for the log argv[1] with the settings that follow. Returns the
 * exit status.
 */
static int log_configure(struct cli *cli, const char *op, uint8_t cmd,
			 int argc, char **argv)
{
	struct log_conf c = { .kc.op = op };
	bool create = cmd == KLOGFWD_CMD_LOG_NEW;
	struct nl_req *req;
	struct nl_ctx *nl;
	int ret;

	if (argc < 2)
		return usage_error(op, "%s: missing log name", op);
	ret = kw_parse(&c.kc, &log_kw_table, create ? KW_ADD : KW_SET,
		       argc - 2, argv + 2);
	if (!ret && cli->check)
		ret = log_check(&c, argv[1]);
	if (ret)
		goto out;

	nl = cli_nl(cli);
	if (!nl) {
		ret = KF_EXIT_ERROR;
		goto out;
	}
	req = nl_req_start(nl, cmd, 0);
	nl_req_put_str(req, KLOGFWD_A_LOG_NAME, argv[1]);
	kw_put(req, &c.kc);
	if (nl_request(nl, req, KLOGFWD_A_LOG_MAX, NULL, NULL) < 0) {
		if (create && cli->batch && nl_err(nl) == EEXIST) {
			ret = kw_exists(cli, nl, &log_kw_table, &c.kc, argv[1]);
			goto out;
		}
		cli_nl_error(cli, op);
		ret = KF_EXIT_ERROR;
	}
out:
	free(c.dir);
	return ret;
}

static int log_add(struct cli *cli, int argc, char **argv)
{
	return log_configure(cli, "log add", KLOGFWD_CMD_LOG_NEW, argc, argv);
}

static int log_set(struct cli *cli, int argc, char **argv)
{
	return log_configure(cli, "log set", KLOGFWD_CMD_LOG_SET, argc, argv);
}

/* The targets of one log, collected from a target dump for log del. */
struct log_targets {
	const char *log;
	char *names;		/* ", "-separated, or NULL */
	size_t len;
	unsigned int n;
};

static int log_targets_cb(const struct nl_reply *reply, void *priv)
{
	struct log_targets *lt = priv;
	const char *name = nl_attr_str(reply->tb[KLOGFWD_A_TARGET_NAME]);
	const char *log = nl_attr_str(reply->tb[KLOGFWD_A_TARGET_LOG]);
	size_t nlen;
	char *p;

	if (!name || !log || strcmp(log, lt->log))
		return 0;
	nlen = strlen(name);
	p = realloc(lt->names, lt->len + nlen + 3);
	if (!p)
		return -ENOMEM;
	lt->names = p;
	if (lt->n++) {
		memcpy(p + lt->len, ", ", 2);
		lt->len += 2;
	}
	memcpy(p + lt->len, name, nlen + 1);
	lt->len += nlen;
	return 0;
}

/*
 * Refuse to delete the log NAME while it has targets, naming them. Returns
 * 0 if it has none, else the exit status.
 */
static int log_del_check_targets(struct cli *cli, struct nl_ctx *nl,
				 const char *name)
{
	struct log_targets lt = { .log = name };
	const char *const *names = cli->attr_names;
	size_t n_names = cli->n_attr_names;
	struct nl_req *req;
	int ret;

	req = nl_req_start(nl, KLOGFWD_CMD_TARGET_GET, NL_REQ_DUMP);
	cli->attr_names = klf_target_attr_names;
	cli->n_attr_names = ARRAY_SIZE(klf_target_attr_names);
	ret = nl_request(nl, req, KLOGFWD_A_TARGET_MAX, log_targets_cb, &lt);
	if (ret < 0)
		cli_nl_error(cli, "log del");
	cli->attr_names = names;
	cli->n_attr_names = n_names;
	if (ret < 0) {
		free(lt.names);
		return KF_EXIT_ERROR;
	}
	if (!lt.n)
		return 0;
	errmsg("log del: log %s has %u target%s: %s; not deleted. Delete %s first ('" PROG " target del NAME'), or run '" PROG " log del %s force' to delete the log with %s",
	       name, lt.n, lt.n > 1 ? "s" : "", lt.names,
	       lt.n > 1 ? "them" : "it", name, lt.n > 1 ? "its targets" : "its target");
	free(lt.names);
	return KF_EXIT_ERROR;
}

static int log_del(struct cli *cli, int argc, char **argv)
{
	struct nl_req *req;
	struct nl_ctx *nl;
	bool force = false;
	int ret;

	if (argc < 2)
		return usage_error("log del", "log del: missing log name");
	if (argc > 2 && !strcmp(argv[2], "force"))
		force = true;
	if (argc > 2 + force)
		return usage_error("log del", "log del: unexpected argument '%s'",
				   argv[2 + force]);
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	if (!force) {
		ret = log_del_check_targets(cli, nl, argv[1]);
		if (ret)
			return ret;
	}
	req = nl_req_start(nl, KLOGFWD_CMD_LOG_DEL, 0);
	nl_req_put_str(req, KLOGFWD_A_LOG_NAME, argv[1]);
	if (nl_request(nl, req, KLOGFWD_A_LOG_MAX, NULL, NULL) < 0) {
		cli_nl_error(cli, "log del");
		return KF_EXIT_ERROR;
	}
	return KF_EXIT_OK;
}

/* log show */

/*
 * One log of a reply. Absent attributes are left out of the text and null
 * in JSON, where every known member is always present.
 */
struct log_info {
	const char *name;
	struct kw_conf set;		/* the settings, of kw_json_read() */
	struct counters stats;		/* the stats nest */
};

static int log_info_parse(const struct nl_reply *reply, struct log_info *li)
{
	const struct nlattr *const *tb = reply->tb;
	int ret;

	memset(li, 0, sizeof(*li));
	li->name = nl_attr_str(tb[KLOGFWD_A_LOG_NAME]);
	if (!li->name)
		return -EPROTO;
	ret = kw_json_read(&li->set, &log_kw_table, tb);
	if (ret)
		return ret;
	counters_init(&li->stats, klf_log_stats_metrics, KLOGFWD_A_LOG_STATS_MAX);
	return counters_parse_nest(&li->stats, tb[KLOGFWD_A_LOG_STATS]);
}

/*
 * One log. Text:
 * log NAME memory|dir PATH framing lf segment-bytes 16M ...
 *     records N bytes N first-offset N next-offset N ...
 * The first line, but for "log NAME", is what "log add NAME" takes. JSON:
 * an object of the name, the settings of log_kws[] (kw_json()) and the
 * stats.
 */
static int log_print(struct pr *p, const struct nl_reply *reply,
		     const struct log_info *li)
{
	int ret;

	pr_obj_open(p, NULL);
	pr_str(p, PRINT_ANY, "name", "log %s", li->name);
	if (!pr_is_json(p)) {
		ret = log_conf_print(p->fp, reply->tb, NULL);
		if (ret && ret != -EINVAL)	/* a control character is shown as \xNN */
			return ret;
		pr_fp(p, "\n");
	}
	kw_json(p, &log_kw_table, &li->set);
	if (li->stats.have)
		pr_fp(p, "   ");
	counters_print(p, "stats", &li->stats, false, NULL);
	if (li->stats.have)
		pr_fp(p, "\n");
	pr_obj_close(p);
	return 0;
}

static int show_cb(const struct nl_reply *reply, void *priv)
{
	struct log_info li;
	int ret;

	ret = log_info_parse(reply, &li);
	if (ret)
		return ret;
	return log_print(priv, reply, &li);
}

static int log_show(struct cli *cli, int argc, char **argv)
{
	int ret = KF_EXIT_OK;
	struct nl_req *req;
	struct nl_ctx *nl;
	struct pr p;

	argc = cli_output_opts(cli, argc, argv);
	if (argc > 2)
		return usage_error("log show", "log show: unexpected argument '%s'",
				   argv[2]);
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	req = nl_req_start(nl, KLOGFWD_CMD_LOG_GET, argc > 1 ? 0 : NL_REQ_DUMP);
	if (argc > 1)
		nl_req_put_str(req, KLOGFWD_A_LOG_NAME, argv[1]);
	/* JSON: always a whole array, of the logs received before any error */
	pr_init(&p, stdout, cli->json, cli->pretty);
	pr_arr_open(&p, NULL);
	if (nl_request(nl, req, KLOGFWD_A_LOG_MAX, show_cb, &p) < 0) {
		cli_nl_error(cli, "log show");
		ret = KF_EXIT_ERROR;
	}
	pr_arr_close(&p);
	if (pr_finish(&p) < 0)
		ret = KF_EXIT_ERROR;
	return ret;
}

/* log append */

/*
 * Standard input is read in chunks of APPEND_READ bytes, into a buffer that
 * also holds the longest line the log accepts.
 */
#define APPEND_READ		65536

/* the signal (SIGINT or SIGTERM) that stopped log append; signal safe */
static atomic_int append_sig;

static void append_signal(int sig)
{
	append_sig = sig;
}

struct append_ctx {
	struct cli *cli;
	struct nl_ctx *nl;
	struct nl_req *req;
	const char *name;
	const char *what;	/* "line" or "record" */
	uint32_t max_record;	/* the log's max-record (0: not reported) */
	size_t fit;		/* longest record a request carries */
	size_t max;		/* longest record sent: fit, or max-record */
	size_t base;		/* request length without records */
	size_t len;		/* length of the request being built */
	unsigned int n;		/* records in it */
	uint32_t *offs;		/* offset of each record attribute in it */
	unsigned long *nums;	/* line (or argument) number of each */
	unsigned long appended;	/* records the kernel acknowledged */
	unsigned long last;	/* number of the last of them */
	unsigned long lines;	/* lines read */
	unsigned long blank;	/* empty lines skipped */
};

/*
 * After an error, a signal or skipped lines: what was appended, on standard
 * error, followed by tail.
 */
static void append_report(const struct append_ctx *a, const char *tail)
{
	char blank[64] = "";

	if (a->blank)
		snprintf(blank, sizeof(blank), "; %lu empty line%s skipped",
			 a->blank, a->blank == 1 ? "" : "s");
	if (a->appended)
		errmsg("log append: %lu record%s appended, the last %s %lu%s%s",
		       a->appended, a->appended == 1 ? "" : "s", a->what,
		       a->last, blank, tail);
	else
		errmsg("log append: no record appended%s%s", blank, tail);
}

/* Send the records of the request being built. Returns the exit status. */
static int append_flush(struct append_ctx *a)
{
	char op[96], tail[128];
	unsigned int i, n = a->n;
	long offs;

	if (!n)
		return KF_EXIT_OK;
	a->n = 0;
	if (!nl_request(a->nl, a->req, KLOGFWD_A_LOG_MAX, NULL, NULL)) {
		a->appended += n;
		a->last = a->nums[n - 1];
		return KF_EXIT_OK;
	}

	/* The extack points at the failing record, if it is one. */
	offs = nl_err_offset(a->nl);
	for (i = n; i > 0 && offs >= 0; i--)
		if (offs >= a->offs[i - 1])
			break;
	if (i > 0 && offs >= 0 && (size_t)offs < a->len) {
		/* the records before it are appended */
		a->appended += i - 1;
		if (i > 1)
			a->last = a->nums[i - 2];
		n = 1;
	} else {
		/*
		 * The kernel points at every record that fails; other errors
		 * (no such log, EPERM) come before any record, but ENOMEM may
		 * come after some.
		 */
		i = 1;
		if (nl_err(a->nl) != ENOMEM)
			n = 1;
	}
	if (n == 1) {
		snprintf(op, sizeof(op), "log append: %s %lu", a->what,
			 a->nums[i - 1]);
		snprintf(tail, sizeof(tail), "; nothing from %s %lu on was appended",
			 a->what, a->nums[i - 1]);
	} else {
		/* not known which: the kernel did not point at a record */
		snprintf(op, sizeof(op), "log append: %ss %lu-%lu", a->what,
			 a->nums[0], a->nums[n - 1]);
		snprintf(tail, sizeof(tail), "; of %ss %lu-%lu, the first ones may be appended; nothing after them was",
			 a->what, a->nums[0], a->nums[n - 1]);
	}
	cli_nl_error(a->cli, op);
	append_report(a, tail);
	return KF_EXIT_ERROR;
}

/*
 * Record num is longer than a->max: len bytes, or more than len (at_least)
 * when its end was not read. Nothing is split: the import stops.
 */
static int append_too_long(struct append_ctx *a, unsigned long num, size_t len,
			   bool at_least)
{
	char tail[96];
	int ret;

	ret = append_flush(a);
	if (ret)
		return ret;
	if (a->max_record && a->max_record <= a->fit)
		errmsg("log append: %s %lu: %s (%s%zu bytes; max-record of log %s is %u)",
		       a->what, num, strerror(EMSGSIZE),
		       at_least ? "more than " : "", len, a->name, a->max_record);
	else
		errmsg("log append: %s %lu: %s (%s%zu bytes; at most %zu fit in a netlink message, max-record of log %s is %u: write longer records to /dev/klogfwd/%s)",
		       a->what, num, strerror(EMSGSIZE),
		       at_least ? "more than " : "", len, a->max, a->name,
		       a->max_record, a->name);
	snprintf(tail, sizeof(tail), "; nothing from %s %lu on was appended",
		 a->what, num);
	append_report(a, tail);
	return KF_EXIT_ERROR;
}

/* Add record number num to the request, sending it first if it is full. */
static int append_record(struct append_ctx *a, const char *data, size_t len,
			 unsigned long num)
{
	size_t need = NLA_HDRLEN + NLA_ALIGN(len);
	int ret;

	if (len > a->max)
		return append_too_long(a, num, len, false);
	if (a->n && a->len + need > APPEND_BATCH) {
		ret = append_flush(a);
		if (ret)
			return ret;
	}
	if (!a->n) {
		a->req = nl_req_start(a->nl, KLOGFWD_CMD_LOG_APPEND, 0);
		nl_req_put_str(a->req, KLOGFWD_A_LOG_NAME, a->name);
		a->len = a->base;
	}
	a->offs[a->n] = a->len;
	a->nums[a->n++] = num;
	nl_req_put(a->req, KLOGFWD_A_LOG_RECORD, len, data);
	a->len += need;
	return KF_EXIT_OK;
}

/* Line number a->lines + 1, without its "\n": empty lines are skipped. */
static int append_line(struct append_ctx *a, const char *data, size_t len)
{
	a->lines++;
	if (!len) {
		a->blank++;
		return KF_EXIT_OK;
	}
	return append_record(a, data, len, a->lines);
}

/*
 * One record per line of standard input. The records read are sent as soon
 * as the next read would block, at the end of the input, and when SIGINT or
 * SIGTERM (unblocked only while waiting, with wait_mask) stops the reading;
 * a last line without "\n" is a record too.
 */
static int append_stdin(struct append_ctx *a, const sigset_t *wait_mask)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	const struct timespec now = { 0, 0 };
	size_t size = a->max + 1 + APPEND_READ, start = 0, end = 0;
	int ret = KF_EXIT_OK, err;
	bool eof = false;
	char *buf, *lf;
	ssize_t r;

	buf = malloc(size);
	if (!buf) {
		errmsg("log append: %s", strerror(errno));
		return KF_EXIT_ERROR;
	}
	for (;;) {
		while ((lf = memchr(buf + start, '\n', end - start))) {
			ret = append_line(a, buf + start, lf - (buf + start));
			if (ret)
				goto out;
			start = lf + 1 - buf;
		}
		if (end - start > a->max) {
			ret = append_too_long(a, a->lines + 1, a->max, true);
			goto out;
		}
		if (eof || append_sig)
			break;
		if (start) {
			memmove(buf, buf + start, end - start);
			end -= start;
			start = 0;
		}
		/* holding records, only look: never wait with them */
		r = ppoll(&pfd, 1, a->n ? &now : NULL, wait_mask);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			ret = append_flush(a);
			if (ret)
				goto out;
			continue;
		}
		r = r < 0 ? -1 : read(STDIN_FILENO, buf + end, size - end);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			err = errno;
			ret = append_flush(a);
			if (ret)
				goto out;
			errmsg("log append: reading standard input after line %lu: %s",
			       a->lines, strerror(err));
			append_report(a, "");
			ret = KF_EXIT_ERROR;
			goto out;
		}
		if (r == 0)
			eof = true;
		end += r;
	}
	if (end > start)
		ret = append_line(a, buf + start, end - start);
	if (!ret)
		ret = append_flush(a);
out:
	free(buf);
	return ret;
}

/* The log's max-record, which bounds the lines read. */
static int append_info_cb(const struct nl_reply *reply, void *priv)
{
	const struct nlattr *attr = reply->tb[KLOGFWD_A_LOG_MAX_RECORD];

	if (attr && !nl_attr_u32(attr, priv))
		return -EPROTO;
	return 0;
}

static int log_append(struct cli *cli, int argc, char **argv)
{
	struct append_ctx a = { .cli = cli };
	struct cli_sigs sigs;
	int i, sig, ret = KF_EXIT_OK;
	struct nl_req *req;
	char tail[64];

	if (argc < 2)
		return usage_error("log append", "log append: missing log name");
	a.name = argv[1];
	a.base = APPEND_HDRLEN + NLA_HDRLEN + NLA_ALIGN(strlen(a.name) + 1);
	a.what = argc > 2 ? "record" : "line";
	a.nl = cli_nl(cli);
	if (!a.nl)
		return KF_EXIT_ERROR;
	/*
	 * Fail before reading standard input if the module or the log is not
	 * there, and learn how long a record may be.
	 */
	req = nl_req_start(a.nl, KLOGFWD_CMD_LOG_GET, 0);
	nl_req_put_str(req, KLOGFWD_A_LOG_NAME, a.name);
	if (nl_request(a.nl, req, KLOGFWD_A_LOG_MAX, append_info_cb,
		       &a.max_record) < 0) {
		cli_nl_error(cli, "log append");
		return KF_EXIT_ERROR;
	}
	a.fit = a.base + NLA_HDRLEN < APPEND_MSG_MAX ?
		APPEND_MSG_MAX - a.base - NLA_HDRLEN : 0;
	/*
	 * A line over max-record is refused here, without waiting for its
	 * end; a RECORD goes to the kernel, which refuses and counts it.
	 */
	a.max = argc == 2 && a.max_record && a.max_record < a.fit ?
		a.max_record : a.fit;
	a.offs = calloc(APPEND_MSG_MAX / NLA_HDRLEN, sizeof(*a.offs));
	a.nums = calloc(APPEND_MSG_MAX / NLA_HDRLEN, sizeof(*a.nums));
	if (!a.offs || !a.nums) {
		errmsg("log append: %s", strerror(errno));
		ret = KF_EXIT_ERROR;
		goto out;
	}
	if (argc > 2) {
		for (i = 2; i < argc && !ret; i++)
			ret = append_record(&a, argv[i], strlen(argv[i]), i - 1);
		if (!ret)
			ret = append_flush(&a);
		goto out;
	}

	append_sig = 0;
	cli_sigs_catch(&sigs, append_signal, true);
	ret = append_stdin(&a, &sigs.wait_mask);
	sig = append_sig;
	if (!ret && sig) {
		snprintf(tail, sizeof(tail), "; stopped by %s after line %lu",
			 sig == SIGINT ? "SIGINT" : "SIGTERM", a.lines);
		append_report(&a, tail);
	} else if (!ret && a.blank) {
		append_report(&a, "");
	}
	sigaction(SIGINT, &sigs.old_int, NULL);
	sigaction(SIGTERM, &sigs.old_term, NULL);
	sigprocmask(SIG_SETMASK, &sigs.old_mask, NULL);
	if (!ret && sig) {
		/* everything read is appended: end as the signal asked */
		signal(sig, SIG_DFL);
		raise(sig);
	}
out:
	free(a.offs);
	free(a.nums);
	return ret;
}

/* Usage */

/* the settings of log add and log set, then what SIZE and TIME are */
static void usage_log_settings(FILE *fp)
{
	kw_usage(fp, &log_kw_table, KW_ADD | KW_SET, KW_ADD | KW_SET);
	fputs("\n"
	      "SIZE is a number of bytes with an optional suffix k, m or g (KiB, MiB,\n"
	      "GiB): 4096, 64k, 16M. TIME is milliseconds, or a number with a suffix\n"
	      "ms, s, m, h or d: 5000, 90s, 30m, 7d. The kernel checks the ranges.\n", fp);
}

void usage_log(FILE *fp)
{
	size_t i;

	fputs("Usage: " PROG " log add NAME [memory | dir PATH] [framing lf|octet|klf] [SETTING...]\n"
	      "       " PROG " log set NAME SETTING...\n"
	      "       " PROG " log del NAME [force]\n"
	      "       " PROG " [-j [-p]] log show [NAME]\n"
	      "       " PROG " log append NAME [RECORD...]\n"
	      "\n"
	      "Create, change, delete, show and append to logs: append-only\n"
	      "sequences of records kept in segments in the page cache, written\n"
	      "through /dev/klogfwd/NAME.\n"
	      "\n"
	      "Commands:\n", fp);
	for (i = 0; i < ARRAY_SIZE(log_cmds); i++)
		fprintf(fp, "  %-8s  %s\n", log_cmds[i].name, log_cmds[i].summary);
	fputs("\n"
	      "A command can be abbreviated to any unique prefix of its name\n"
	      "('" PROG " log sh'). Run '" PROG " help log COMMAND' for the\n"
	      "settings and details of a command. All log commands need\n"
	      "CAP_NET_ADMIN.\n", fp);
}

static void usage_log_add(FILE *fp)
{
	fputs("Usage: " PROG " log add NAME [memory | dir PATH] [framing lf|octet|klf] [SETTING...]\n"
	      "\n"
	      "Create the log NAME and its device /dev/klogfwd/NAME. NAME uses\n"
	      "letters, digits, '.', '_' and '-' and does not start with '.'.\n"
	      "\n"
	      "Fixed at creation:\n", fp);
	kw_usage(fp, &log_kw_table, KW_SET, 0);
	fputs("\n"
	      "A dir log saves its settings in PATH/settings: adding it again\n"
	      "restores them, and the settings given replace the saved ones.\n"
	      "\n"
	      "SETTING, each at most once; unset ones get the default shown:\n", fp);
	usage_log_settings(fp);
}

static void usage_log_set(FILE *fp)
{
	fputs("Usage: " PROG " log set NAME SETTING...\n"
	      "\n"
	      "Change settings of the log NAME; the others stay as they are.\n"
	      "memory, dir and framing are fixed at creation.\n"
	      "\n"
	      "SETTING, at least one, each at most once:\n", fp);
	usage_log_settings(fp);
}

static void usage_log_del(FILE *fp)
{
	fputs("Usage: " PROG " log del NAME [force]\n"
	      "\n"
	      "Delete the log NAME. Its device goes away at once; open descriptors\n"
	      "get ENODEV. The segments of a memory log are freed, those of a dir\n"
	      "log stay on disk and are recovered by a later 'log add NAME dir PATH'.\n"
	      "\n"
	      "A log that has targets is not deleted: the command names them and\n"
	      "exits 1. Delete them first with 'target del', or give force to\n"
	      "delete the log and its targets together.\n",
	      fp);
}

static void usage_log_show(FILE *fp)
{
	fputs("Usage: " PROG " [-j [-p]] log show [NAME]\n"
	      "\n"
	      "Show the log NAME, or every log of the network namespace, with its\n"
	      "settings and counters: for each log a line of every setting, in\n"
	      "the units and words 'log add' takes (so that 'log add NAME' and the\n"
	      "rest of the line recreates the log)\n"
	      "  log NAME memory|dir PATH framing lf segment-bytes 16M ...\n"
	      "followed by an indented line of counters, exact numbers\n"
	      "  records N bytes N first-offset N next-offset N segments N ...\n"
	      "\n"
	      "With -j, an array with one object per log, with the members name,\n"
	      "storage, dir, framing, segment_bytes, retain_bytes, retain_ms,\n"
	      "max_record, overflow, sync, sync_interval_ms, mode, owner, group,\n"
	      "input, format, hostname, app_name, facility, severity, source,\n"
	      "kmsg_from and stats (an object: records, bytes, first_offset,\n"
	      "next_offset, ...), null where the kernel reported nothing (dir of a\n"
	      "memory log, kmsg_from and the kmsg counters of a log of another\n"
	      "source).\n"
	      "Enumerations are strings, the rest numbers.\n", fp);
}

static void usage_log_append(FILE *fp)
{
	fputs("Usage: " PROG " log append NAME [RECORD...]\n"
	      "\n"
	      "Append each RECORD to the log NAME, in order; the log adds its\n"
	      "framing. Empty records are refused by the kernel.\n"
	      "\n"
	      "Without RECORD, append each line of standard input, without its\n"
	      "newline, as it comes: the lines read are sent (in requests of up to\n"
	      "60 KiB) as soon as reading more would wait, so a pipe that stays\n"
	      "open (tail -F, rsyslog's omprog) gets each line into the log at\n"
	      "once. Empty lines are skipped and counted; a last line without a\n"
	      "newline is a record too. End of input, SIGINT and SIGTERM end it;\n"
	      "after a signal the lines read are appended (an unfinished last one\n"
	      "too) and " PROG " ends by that signal.\n"
	      "\n"
	      "If a record fails, the error names it (record N, or line N of\n"
	      "standard input) and says how many records were appended: those\n"
	      "before it are, the rest are not. A record longer than the log's\n"
	      "max-record, or than one netlink message carries (about 64 KiB),\n"
	      "stops it the same way; nothing is split. Nothing is printed on\n"
	      "success unless empty lines were skipped.\n", fp);
}

int cmd_log(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("log", "log: missing command (add, set, del, show or append)");
	cli->attr_names = klf_log_attr_names;
	cli->n_attr_names = ARRAY_SIZE(klf_log_attr_names);
	return cmd_dispatch(cli, log_cmds, ARRAY_SIZE(log_cmds), "log",
			    argc - 1, argv + 1);
}
