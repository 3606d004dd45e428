// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: configure and observe the klogfwd in-kernel log forwarder.
 *
 * Global options, the command table and the helpers shared by the
 * commands; each command lives in its own cmd_*.c file.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/klogfwd.h>

#include "nl.h"
#include "subcommands.h"

static int cmd_help(struct cli *cli, int argc, char **argv);
static void usage_help(FILE *fp);

static const struct cmd commands[] = {
	{ "help",	cmd_help,	"show this help, or the help of a command",
	  usage_help },
	{ "log",	cmd_log,	"create, change, delete, show and append to logs",
	  usage_log },
	{ "monitor",	cmd_monitor,	"print the events of logs and targets as they happen",
	  usage_monitor },
	{ "save",	cmd_save,	"print the logs and targets as a batch file for -b",
	  usage_save },
	{ "stats",	cmd_stats,	"show the totals of logs and targets in this namespace",
	  usage_stats },
	{ "status",	cmd_status,	"one line per log and target, in human units",
	  usage_status },
	{ "target",	cmd_target,	"create, change, delete and show forwarding targets",
	  usage_target },
	{ "version",	cmd_version,	"show the versions of the CLI and of the kernel module",
	  usage_version },
};

static void usage(FILE *fp)
{
	size_t i;

	fputs("Usage: " PROG " [OPTIONS] COMMAND [ARGS...]\n"
	      "       " PROG " [OPTIONS] -b FILE\n"
	      "       " PROG " help [COMMAND]\n"
	      "\n"
	      "Configure and observe the klogfwd in-kernel log forwarder.\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json      print JSON instead of text\n"
	      "  -p, --pretty    print indented JSON (implies --json)\n"
	      "  -b, --batch FILE  run the commands in FILE ('-': standard input),\n"
	      "                  one per line, and stop at the first that fails; an\n"
	      "                  add of a log or target that exists as given does nothing\n"
	      "  -c, --check     with -b: check every line of FILE, apply none\n"
	      "  -v, --verbose   with -b: name the adds that change nothing\n"
	      "  -V, --version   print the version of this program and exit\n"
	      "  -h, --help      print this help and exit\n"
	      "\n"
	      "Commands:\n", fp);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(fp, "  %-14s  %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "A command can be abbreviated to any unique prefix of its name.\n"
	      "Run '" PROG " help COMMAND' for the usage of a command.\n", fp);
}

static void usage_help(FILE *fp)
{
	fputs("Usage: " PROG " help [COMMAND [SUBCOMMAND]]\n"
	      "\n"
	      "Show the list of commands and global options, or the usage of\n"
	      "COMMAND. '" PROG " help COMMAND' is the same as\n"
	      "'" PROG " COMMAND --help'.\n", fp);
}

/**
 * fmt_age() - a duration in seconds as people read it
 * @secs: the duration
 * @buf: where to write it
 * @size: the size of @buf
 *
 * "42s", "3m12s", "1h02m", "2d04h": the two largest units.
 *
 * Return: @buf.
 */
const char *fmt_age(uint64_t secs, char *buf, size_t size)
{
	if (secs < 60)
		snprintf(buf, size, "%" PRIu64 "s", secs);
	else if (secs < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", secs / 3600, secs / 60 % 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", secs / 86400, secs / 3600 % 24);
	return buf;
}

/* "FILE:LINE: " of the batch line being run, which errors start with */
static char batch_where[128];

/* Print PROG ": " and the message to stderr, after what stdout holds. */
static __printf(1, 0) void verrmsg(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs(PROG ": ", stderr);
	fputs(batch_where, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
}

/* the words of the command being run, for usage_error()'s hint */
static char *const *cmd_words;
static int n_cmd_words;

static void usage_hint(const char *group)
{
	int i;

	/* "klogfwd log show -j": say where the global options go */
	/* cli_output_opts() may have taken words out: the list ends at NULL */
	for (i = 0; i < n_cmd_words && cmd_words[i]; i++)
		if (!strcmp(cmd_words[i], "-j") || !strcmp(cmd_words[i], "--json") ||
		    !strcmp(cmd_words[i], "-p") || !strcmp(cmd_words[i], "--pretty")) {
			fprintf(stderr, "%s is an option of " PROG " itself: give it before the command, as in '" PROG " -j log show'.\n",
				cmd_words[i]);
			break;
		}
	fprintf(stderr, "Try '" PROG " help%s%s' for more information.\n",
		group ? " " : "", group ? group : "");
}

/*
 * Report a bad command line: one line naming the problem and a hint to the
 * help of the command group (NULL: top level). Returns KF_EXIT_USAGE.
 */
int usage_error(const char *group, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	usage_hint(group);
	return KF_EXIT_USAGE;
}

/**
 * cli_output_opts() - take -j, --json, -p and --pretty after the command
 * @cli: the invocation: json and pretty are set as the global options do
 * @argc: words of the command, the command's own name first
 * @argv: the words; those options are removed from them
 *
 * For the commands that only print ("log show", "target show", "stats",
 * "monitor", "version"), so that "klogfwd log show -j" works as
 * "klogfwd -j log show" does.
 *
 * Return: the number of words left.
 */
int cli_output_opts(struct cli *cli, int argc, char **argv)
{
	int i, n = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			cli->json = true;
		} else if (!strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty")) {
			cli->json = true;
			cli->pretty = true;
		} else {
			argv[n++] = argv[i];
		}
	}
	if (n < argc)
		argv[n] = NULL;
	return n;
}

bool is_help_arg(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

static void report_ambiguous(const struct cmd *table, size_t n,
			     const char *group, const char *word)
{
	size_t i, len = strlen(word);
	const char *sep = "";

	fflush(stdout);
	fprintf(stderr, PROG ": ambiguous command '%s%s%s': could be ",
		group ? group : "", group ? " " : "", word);
	for (i = 0; i < n; i++) {
		if (strncmp(table[i].name, word, len))
			continue;
		fprintf(stderr, "%s%s", sep, table[i].name);
		sep = ", ";
	}
	fputc('\n', stderr);
	usage_hint(group);
}

/*
 * Find the command named word, or the only one word is a prefix of. An
 * exact name always wins over prefixes. Reports a usage error and returns
 * NULL if there is no such command or more than one.
 */
static const struct cmd *cmd_lookup(const struct cmd *table, size_t n,
				    const char *group, const char *word)
{
	const struct cmd *found = NULL;
	size_t i, len = strlen(word), matches = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(table[i].name, word))
			return &table[i];
		if (len && !strncmp(table[i].name, word, len)) {
			found = &table[i];
			matches++;
		}
	}
	if (matches == 1)
		return found;
	if (matches > 1)
		report_ambiguous(table, n, group, word);
	else
		usage_error(group, "unknown command '%s%s%s'",
			    group ? group : "", group ? " " : "", word);
	return NULL;
}

/*
 * Run the command of table named (or abbreviated) by argv[0], or print its
 * usage if argv[1] asks for help. group names the parent command of the
 * table for messages, NULL for the top level.
 */
int cmd_dispatch(struct cli *cli, const struct cmd *table, size_t n,
		 const char *group, int argc, char **argv)
{
	const struct cmd *cmd;

	if (argc < 1)
		return usage_error(group, "missing command");
	cmd = cmd_lookup(table, n, group, argv[0]);
	if (!cmd)
		return KF_EXIT_USAGE;
	if (argc > 1 && is_help_arg(argv[1])) {
		cmd->usage(stdout);
		return KF_EXIT_OK;
	}
	return cmd->fn(cli, argc, argv);
}

/* "help CMD [SUB...]" runs "CMD [SUB...] --help". */
static int cmd_help(struct cli *cli, int argc, char **argv)
{
	char help_arg[] = "--help";
	char **args;
	int i, ret;

	if (argc < 2) {
		usage(stdout);
		return KF_EXIT_OK;
	}
	args = calloc(argc + 1, sizeof(*args));
	if (!args) {
		errmsg("help: %s", strerror(errno));
		return KF_EXIT_ERROR;
	}
	for (i = 1; i < argc; i++)
		args[i - 1] = argv[i];
	args[argc - 1] = help_arg;
	ret = cmd_dispatch(cli, commands, ARRAY_SIZE(commands), NULL,
			   argc, args);
	free(args);
	return ret;
}

struct nl_ctx *cli_nl(struct cli *cli)
{
	if (cli->check) {
		/* every command parses its line before this: the line is valid */
		cli->checked = true;
		return NULL;
	}
	if (!cli->nl) {
		cli->nl = nl_open(KLOGFWD_FAMILY_NAME, KLOGFWD_FAMILY_VERSION);
		if (!cli->nl)
			errmsg("cannot open a generic netlink socket: %s",
			       strerror(errno));
	}
	return cli->nl;
}

/* Report the failure of the last request of cli->nl, done for op. */
/* NL_ATTR_TYPE_UINT (Linux 6.8), which older uapi headers lack */
#define KF_NL_ATTR_TYPE_UINT	(NL_ATTR_TYPE_BITFIELD32 + 2)

/* "(1 to 1048576)", "(at most 32767)", "(at least 1)" */
static void policy_range(const struct nl_err_policy *p, char *buf, size_t size)
{
	unsigned int have = p->have;

	if ((have & NL_POL_MIN_U) && (have & NL_POL_MAX_U))
		snprintf(buf, size, "(%" PRIu64 " to %" PRIu64 ")", p->min_u, p->max_u);
	else if (have & NL_POL_MAX_U)
		snprintf(buf, size, "(at most %" PRIu64 ")", p->max_u);
	else if (have & NL_POL_MIN_U)
		snprintf(buf, size, "(at least %" PRIu64 ")", p->min_u);
	else if ((have & NL_POL_MIN_S) && (have & NL_POL_MAX_S))
		snprintf(buf, size, "(%" PRId64 " to %" PRId64 ")", p->min_s, p->max_s);
	else
		buf[0] = '\0';
}

/*
 * A refused attribute the kernel described with its policy: the setting's
 * name (from the spec), the value sent and the limit, e.g.
 * "value 2097152 for max-record is out of range (1 to 1048576)". False
 * if the error is not of that kind.
 */
static bool cli_policy_error(struct cli *cli, const char *op)
{
	const struct nl_err_policy *p = nl_err_policy(cli->nl);
	const struct nlattr *attr = nl_err_req_attr(cli->nl);
	int type = nl_err_attr(cli->nl);
	const char *name;
	char range[64];
	uint64_t v;
	size_t len;

	if (!p || !attr || type < 0 || !cli->attr_names ||
	    (size_t)type >= cli->n_attr_names || !cli->attr_names[type])
		return false;
	name = cli->attr_names[type];
	switch (p->type) {
	case NL_ATTR_TYPE_U8:
	case NL_ATTR_TYPE_U16:
	case NL_ATTR_TYPE_U32:
	case NL_ATTR_TYPE_U64:
	case KF_NL_ATTR_TYPE_UINT:
		if (!nl_attr_uint(attr, &v)) {
			uint8_t v8;
			uint16_t v16;

			if (nl_attr_u8(attr, &v8))
				v = v8;
			else if (nl_attr_u16(attr, &v16))
				v = v16;
			else
				return false;
		}
		policy_range(p, range, sizeof(range));
		if (!range[0])
			return false;
		errmsg("%s: value %" PRIu64 " for %s is out of range %s", op, v, name, range);
		return true;
	case NL_ATTR_TYPE_NUL_STRING:
	case NL_ATTR_TYPE_STRING:
		if (!(p->have & NL_POL_MAX_LEN) || !nl_attr_data(attr, &len))
			return false;
		/* a NUL-terminated string: the policy's length leaves the NUL out */
		if (p->type == NL_ATTR_TYPE_NUL_STRING && len)
			len--;
		if (len <= p->max_len)
			return false;
		errmsg("%s: %s is too long: %zu bytes (at most %u)", op, name, len, p->max_len);
		return true;
	}
	return false;
}

void cli_nl_error(struct cli *cli, const char *op)
{
	const struct nl_ctx *nl = cli->nl;
	const char *msg = nl_err_msg(nl);
	int err = nl_err(nl);

	if (!nl_err_no_family(nl) && cli_policy_error(cli, op))
		return;
	if (nl_err_no_family(nl))
		errmsg("the klogfwd kernel module is not loaded (generic netlink family \"%s\" not found); load it with 'modprobe klogfwd' or 'insmod klogfwd.ko'",
		       KLOGFWD_FAMILY_NAME);
	else if (msg)
		errmsg("%s: %s: %s", op, strerror(err), msg);
	else if (err == EPERM)
		errmsg("%s: %s (CAP_NET_ADMIN is required)", op, strerror(err));
	else
		errmsg("%s: %s", op, strerror(err));
}

/* Value of name in e, or -1. */
int enum_value(const struct enum_names *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->names[i] && !strcmp(e->names[i], name))
			return i;
	return -1;
}

/* Name of value v in e, or NULL if it has none. */
const char *enum_name(const struct enum_names *e, uint64_t v)
{
	return v < e->n ? e->names[v] : NULL;
}

/* "a, b or c" */
void enum_list(const struct enum_names *e, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < e->n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s",
				!i ? "" : i + 1 < e->n ? ", " : " or ",
				e->names[i]);
}

const struct unit size_units[] = {
	{ "", 1 },
	{ "k", 1ULL << 10 }, { "K", 1ULL << 10 },
	{ "m", 1ULL << 20 }, { "M", 1ULL << 20 },
	{ "g", 1ULL << 30 }, { "G", 1ULL << 30 },
	{ NULL, 0 },
};

const struct unit ms_units[] = {
	{ "", 1 },
	{ "ms", 1 },
	{ "s", 1000 },
	{ "m", 60 * 1000 },
	{ "h", 60 * 60 * 1000 },
	{ "d", 24 * 60 * 60 * 1000 },
	{ NULL, 0 },
};

const struct unit s_units[] = {
	{ "", 1 },
	{ "s", 1 },
	{ "m", 60 },
	{ "h", 60 * 60 },
	{ NULL, 0 },
};

const struct unit plain_units[] = {
	{ "", 1 },
	{ NULL, 0 },
};

/*
 * Parse a decimal number followed by one of units (no sign, no spaces).
 * Returns 0, -EINVAL if s is malformed or -ERANGE if it exceeds max.
 */
/*
 * Catch SIGINT and SIGTERM (struct cli_sigs); keep_ignored: a signal the
 * caller ignores (nohup, a background job) stays ignored. The caller
 * restores s->old_mask, s->old_int and s->old_term, in the order it needs.
 */
void cli_sigs_catch(struct cli_sigs *s, void (*handler)(int), bool keep_ignored)
{
	struct sigaction sa = { .sa_handler = handler };
	sigset_t block;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &s->old_mask);
	s->wait_mask = s->old_mask;
	sigdelset(&s->wait_mask, SIGINT);
	sigdelset(&s->wait_mask, SIGTERM);
	sigaction(SIGINT, &sa, &s->old_int);
	if (keep_ignored && s->old_int.sa_handler == SIG_IGN)
		sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &sa, &s->old_term);
	if (keep_ignored && s->old_term.sa_handler == SIG_IGN)
		sigaction(SIGTERM, &s->old_term, NULL);
}

int parse_scaled(const char *s, const struct unit *units, uint64_t max,
		 uint64_t *out)
{
	const struct unit *u;
	unsigned long long v;
	char *end;
	int err;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	err = errno;
	for (u = units; u->suffix; u++)
		if (!strcmp(end, u->suffix))
			break;
	if (!u->suffix)
		return -EINVAL;
	if (err == ERANGE || v > max / u->mult)
		return -ERANGE;
	*out = v * u->mult;
	return 0;
}

/* The largest of units (their order: growing) that divides v, else v. */
static const char *fmt_units(char *buf, size_t size, uint64_t v,
			     const struct unit *units, size_t n)
{
	size_t i;

	for (i = n; i-- > 0;)
		if (v && units[i].mult > 1 && !(v % units[i].mult)) {
			snprintf(buf, size, "%" PRIu64 "%s", v / units[i].mult,
				 units[i].suffix);
			return buf;
		}
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

const char *fmt_size(char *buf, size_t size, uint64_t v)
{
	static const struct unit u[] = {
		{ "k", 1ULL << 10 }, { "M", 1ULL << 20 }, { "G", 1ULL << 30 },
	};

	return fmt_units(buf, size, v, u, ARRAY_SIZE(u));
}

const char *fmt_ms(char *buf, size_t size, uint64_t v)
{
	static const struct unit u[] = {
		{ "s", 1000 }, { "m", 60 * 1000 }, { "h", 60 * 60 * 1000 },
		{ "d", 24 * 60 * 60 * 1000 },
	};

	return fmt_units(buf, size, v, u, ARRAY_SIZE(u));
}

/*
 * s as split_words() reads it back: as it is when it holds only characters
 * that need no quoting, else in single quotes, a quote inside as '\''.
 * NULL if it does not fit in buf or holds a control character (a newline
 * would end the line).
 */
const char *batch_quote(char *buf, size_t size, const char *s)
{
	size_t len = strlen(s);
	bool plain = len > 0;
	const char *p;

	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
		if (!isalnum((unsigned char)*p) && !strchr("/._-+,:=@%[]", *p))
			plain = false;
	}
	if (plain) {
		if (len >= size)
			return NULL;
		return memcpy(buf, s, len + 1);
	}
	len = 0;
	if (size < 3)
		return NULL;
	buf[len++] = '\'';
	for (p = s; *p; p++) {
		if (len + 5 >= size)
			return NULL;
		if (*p == '\'') {
			memcpy(buf + len, "'\\''", 4);
			len += 4;
		} else {
			buf[len++] = *p;
		}
	}
	buf[len++] = '\'';
	buf[len] = '\0';
	return buf;
}

/* As klf_name_ok() in the module, and KLOGFWD_NAME_LEN. */
int check_name(const char *op, const char *what, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	if (len > KLOGFWD_NAME_LEN)
		return usage_error(op, "%s: %s name '%s' is too long: %zu bytes (at most %d)",
				   op, what, name, len, KLOGFWD_NAME_LEN);
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			break;
	if (!len || *name == '.' || *p)
		return usage_error(op, "%s: invalid %s name '%s' (letters, digits, '.', '_' and '-', not starting with '.')",
				   op, what, name);
	return 0;
}

static const struct option long_options[] = {
	{ "json",	no_argument,	NULL,	'j' },
	{ "pretty",	no_argument,	NULL,	'p' },
	{ "batch",	required_argument, NULL, 'b' },
	{ "check",	no_argument,	NULL,	'c' },
	{ "verbose",	no_argument,	NULL,	'v' },
	{ "version",	no_argument,	NULL,	'V' },
	{ "help",	no_argument,	NULL,	'h' },
	{ NULL,		0,		NULL,	0 },
};

/*
 * Parse the global options, which stop at the command word. Returns -1 to
 * go on, or the exit status.
 */
static int parse_options(struct cli *cli, int argc, char **argv,
			 const char **batch)
{
	bool show_version = false;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jpVhcvb:", long_options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			*batch = optarg;
			break;
		case 'c':
			cli->check = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'p':
			cli->json = true;
			cli->pretty = true;
			break;
		case 'V':
			show_version = true;
			break;
		case 'h':
			usage(stdout);
			return KF_EXIT_OK;
		case ':':
			return usage_error(NULL, "option '%s' needs a file name",
					   argv[optind - 1]);
		default:
			if (optopt == 'b')
				return usage_error(NULL, "option '-b' needs a file name");
			if (optopt)
				return usage_error(NULL, "unknown option '-%c'", optopt);
			return usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (show_version)
		return cli_print_version(cli);
	if (cli->check && !*batch)
		return usage_error(NULL, "--check goes with -b FILE: it checks the lines of a batch file");
	if (*batch) {
		if (optind < argc)
			return usage_error(NULL, "-b takes its commands from the file, not from the command line ('%s')",
					   argv[optind]);
		return -1;
	}
	if (optind >= argc) {
		usage(stderr);
		return KF_EXIT_USAGE;
	}
	return -1;
}

/*
 * Split a batch line into words, in place: blanks separate words, '...'
 * and "..." quote, a backslash escapes the next character (outside single
 * quotes), '#' at the start of a word starts a comment. Returns the number
 * of words, or -1 for an unterminated quote or a line with too many words.
 */
static int split_words(char *line, char **words, int max)
{
	char *in = line, *out;
	int n = 0;
	char q;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == max)
			return -1;
		words[n++] = out = in;
		q = 0;
		while (*in) {
			if (q) {
				if (*in == q) {
					q = 0;
					in++;
					continue;
				}
				if (q == '"' && *in == '\\' && in[1])
					in++;
				*out++ = *in++;
				continue;
			}
			if (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
				break;
			if (*in == '\'' || *in == '"') {
				q = *in++;
				continue;
			}
			if (*in == '\\' && in[1])
				in++;
			*out++ = *in++;
		}
		if (q)
			return -1;
		if (*in)
			in++;
		*out = '\0';
	}
}

#define BATCH_MAX_WORDS	256

/* The lines of a batch file, read whole before any runs. */
struct batch {
	const char *name;	/* the path, or "<stdin>" */
	char **lines;
	unsigned long n;
};

static void batch_free(struct batch *b)
{
	unsigned long i;

	for (i = 0; i < b->n; i++)
		free(b->lines[i]);
	free(b->lines);
}

/* Returns 0 or the exit status, having said why. */
static int batch_read(struct batch *b, const char *path)
{
	FILE *fp = stdin;
	size_t size = 0, cap = 0;
	char *line = NULL, **p;
	int ret = KF_EXIT_OK;

	b->name = path;
	if (strcmp(path, "-")) {
		fp = fopen(path, "r");
		if (!fp) {
			errmsg("cannot open batch file '%s': %s", path, strerror(errno));
			return KF_EXIT_USAGE;
		}
	} else {
		b->name = "<stdin>";
	}
	while (getline(&line, &size, fp) >= 0) {
		if (b->n == cap) {
			cap = cap ? 2 * cap : 64;
			p = realloc(b->lines, cap * sizeof(*p));
			if (!p)
				break;
			b->lines = p;
		}
		b->lines[b->n++] = line;
		line = NULL;
		size = 0;
	}
	if (ferror(fp) || !feof(fp)) {
		errmsg("cannot read batch file '%s': %s", b->name, strerror(errno));
		ret = KF_EXIT_ERROR;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return ret;
}

/* "lines 1-3 were applied", "line 1 was applied", or what none is */
static const char *line_range(char *buf, size_t size, unsigned long first,
			      unsigned long last, const char *what,
			      const char *none)
{
	if (first > last)
		snprintf(buf, size, "%s", none);
	else if (first == last)
		snprintf(buf, size, "line %lu was %s", first, what);
	else
		snprintf(buf, size, "lines %lu-%lu were %s", first, last, what);
	return buf;
}

/*
 * The line lineno of b failed with ret: say what the file did, for the
 * person who has to fix it.
 */
static void batch_report(const struct batch *b, unsigned long lineno, int ret)
{
	char done[64], rest[64];

	line_range(done, sizeof(done), 1, lineno - 1, "applied",
		   "nothing was applied");
	line_range(rest, sizeof(rest), lineno + 1, b->n, "not run",
		   "it was the last line");
	errmsg("%s:%lu: failed (exit %d); %s, %s", b->name, lineno, ret,
	       done, rest);
}

/*
 * Run (or, with cli->check, only check) line lineno of b. Returns the exit
 * status; -1 for a line without a command.
 */
static int batch_line(struct cli *cli, const struct batch *b, unsigned long lineno)
{
	char *words[BATCH_MAX_WORDS + 1];
	int n, ret;

	n = split_words(b->lines[lineno - 1], words, BATCH_MAX_WORDS);
	if (n < 0) {
		errmsg("%s:%lu: unterminated quote or more than %d words",
		       b->name, lineno, BATCH_MAX_WORDS);
		return KF_EXIT_USAGE;
	}
	if (!n)
		return -1;
	words[n] = NULL;
	cmd_words = words;
	n_cmd_words = n;
	cli->checked = false;
	snprintf(batch_where, sizeof(batch_where), "%s:%lu: ", b->name, lineno);
	ret = cmd_dispatch(cli, commands, ARRAY_SIZE(commands), NULL, n, words);
	batch_where[0] = '\0';
	fflush(stdout);
	if (cli->check && cli->checked)
		ret = KF_EXIT_OK;
	return ret;
}

/*
 * -b FILE: run each line as a command, with the global options of the
 * command line, over one netlink socket. Stops at the first line that
 * fails, naming it and the lines applied and not run. An add of an object
 * that exists as the line gives it is a no-op (cli->batch). With --check,
 * every line is parsed and checked as far as the CLI can without the
 * module, and nothing is sent: all the bad lines are named.
 */
static int run_batch(struct cli *cli, const char *path)
{
	unsigned long i, bad = 0, cmds = 0;
	struct batch b = { 0 };
	int ret, out = -1, null = -1;

	ret = batch_read(&b, path);
	if (ret)
		goto out;
	cli->batch = true;
	if (cli->check) {
		/* what a command would print (help) is not for a check */
		fflush(stdout);
		out = dup(STDOUT_FILENO);
		null = open("/dev/null", O_WRONLY);
		if (out < 0 || null < 0 || dup2(null, STDOUT_FILENO) < 0) {
			errmsg("--check: %s", strerror(errno));
			ret = KF_EXIT_ERROR;
			goto out;
		}
	}
	for (i = 1; i <= b.n; i++) {
		ret = batch_line(cli, &b, i);
		if (ret < 0) {
			ret = KF_EXIT_OK;
			continue;
		}
		cmds++;
		if (ret == KF_EXIT_OK)
			continue;
		if (!cli->check) {
			batch_report(&b, i, ret);
			goto out;
		}
		bad++;
	}
	ret = KF_EXIT_OK;
	if (out >= 0) {
		fflush(stdout);
		dup2(out, STDOUT_FILENO);
	}
	if (cli->check && bad) {
		errmsg("%s: %lu of %lu command%s invalid; nothing was applied",
		       b.name, bad, cmds, cmds == 1 ? "" : "s");
		ret = KF_EXIT_USAGE;
	} else if (cli->check) {
		printf("%s: %lu command%s checked, no error; nothing was applied\n",
		       b.name, cmds, cmds == 1 ? "" : "s");
	}
out:
	if (out >= 0)
		close(out);
	if (null >= 0)
		close(null);
	batch_free(&b);
	return ret;
}

int main(int argc, char **argv)
{
	const char *batch = NULL;
	struct cli cli = { 0 };
	int ret;

	ret = parse_options(&cli, argc, argv, &batch);
	if (ret < 0 && batch)
		ret = run_batch(&cli, batch);
	else if (ret < 0) {
		cmd_words = argv + optind;
		n_cmd_words = argc - optind;
		ret = cmd_dispatch(&cli, commands, ARRAY_SIZE(commands), NULL,
				   argc - optind, argv + optind);
	}
	nl_close(cli.nl);
	if (fflush(stdout) || ferror(stdout)) {
		errmsg("write error: %s", strerror(errno));
		if (!ret)
			ret = KF_EXIT_ERROR;
	}
	return ret;
}
