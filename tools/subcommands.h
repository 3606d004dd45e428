/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared declarations of the klogfwd CLI: the command table type, the
 * per-invocation state and the helpers every cmd_*.c file uses.
 *
 * Adding a command: write cmd_<name>.c with an int cmd_<name>(struct cli *,
 * int argc, char **argv) (argv[0] is the command word) and a
 * void usage_<name>(FILE *), declare both below, add a row to the table in
 * klogfwd.c and the object to OBJS in the Makefile. Commands with verbs
 * ("log add") keep their own table and call cmd_dispatch() with it.
 */
#ifndef KLOGFWD_SUBCOMMANDS_H
#define KLOGFWD_SUBCOMMANDS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROG	"klogfwd"

#define __printf(a, b)	__attribute__((__format__(__printf__, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum {
	KF_EXIT_OK	= 0,	/* success */
	KF_EXIT_ERROR	= 1,	/* kernel or runtime error */
	KF_EXIT_USAGE	= 2,	/* bad command line */
};

struct nl_ctx;
struct nl_reply;
struct pr;

/* State of one invocation: output options and the netlink context. */
struct cli {
	bool json;		/* -j: JSON output */
	bool pretty;		/* -p: indented JSON */
	struct nl_ctx *nl;	/* opened by cli_nl() on first use */
	bool batch;		/* -b: an add of what exists as given is a no-op */
	bool verbose;		/* -v: say so when it is */
	bool check;		/* -b --check: parse only; cli_nl() opens nothing */
	bool checked;		/* --check: the command got as far as cli_nl() */
	/* names of the attributes of the command's requests, by type, for
	 * the messages of cli_nl_error() (the spec's, from names-gen.h)
	 */
	const char *const *attr_names;
	size_t n_attr_names;
};

struct cmd {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *summary;
	void (*usage)(FILE *fp);
};

/* Names of enum values, indexed by value. */
struct enum_names {
	const char *const *names;
	size_t n;
};

#define ENUM_NAMES(a)	{ .names = (a), .n = ARRAY_SIZE(a) }

/* A suffix of a number and what it multiplies it by. */
struct unit {
	const char *suffix;
	uint64_t mult;
};

/* klogfwd.c */
int cmd_dispatch(struct cli *cli, const struct cmd *table, size_t n,
		 const char *group, int argc, char **argv);
bool is_help_arg(const char *arg);
int cli_output_opts(struct cli *cli, int argc, char **argv);
void errmsg(const char *fmt, ...) __printf(1, 2);
int usage_error(const char *group, const char *fmt, ...) __printf(2, 3);
struct nl_ctx *cli_nl(struct cli *cli);
void cli_nl_error(struct cli *cli, const char *op);

int enum_value(const struct enum_names *e, const char *name);
const char *enum_name(const struct enum_names *e, uint64_t v);
void enum_list(const struct enum_names *e, char *buf, size_t size);

extern const struct unit size_units[];	/* k, m, g: KiB, MiB, GiB */
extern const struct unit ms_units[];	/* ms, s, m, h, d */
extern const struct unit s_units[];	/* s, m, h */
extern const struct unit plain_units[];	/* none */
int parse_scaled(const char *s, const struct unit *units, uint64_t max,
		 uint64_t *out);
/* v as parse_scaled() reads it back: the largest suffix that divides it */
const char *fmt_size(char *buf, size_t size, uint64_t v);
const char *fmt_ms(char *buf, size_t size, uint64_t v);
/* s as one word of a batch line: quoted if it must be; NULL if it cannot */
const char *batch_quote(char *buf, size_t size, const char *s);
/* --check: a log or target name the kernel would refuse. Returns 0 or the exit status. */
int check_name(const char *op, const char *what, const char *name);
const char *fmt_age(uint64_t secs, char *buf, size_t size);

/*
 * SIGINT and SIGTERM for a command that waits (monitor, log append): both
 * blocked except during the wait (ppoll() or nl_recv_ntf() with wait_mask),
 * caught by handler without SA_RESTART so that the wait ends with EINTR.
 */
struct cli_sigs {
	sigset_t old_mask;		/* the mask before */
	sigset_t wait_mask;		/* old_mask without SIGINT and SIGTERM */
	struct sigaction old_int;	/* the handlers before */
	struct sigaction old_term;
};
void cli_sigs_catch(struct cli_sigs *s, void (*handler)(int), bool keep_ignored);

/* enums.c: the names of the settings' enum values */
extern const struct enum_names klf_storage_enum;
extern const struct enum_names klf_framing_enum;
extern const struct enum_names klf_overflow_enum;
extern const struct enum_names klf_sync_enum;
extern const struct enum_names klf_input_enum;
extern const struct enum_names klf_source_enum;
extern const struct enum_names klf_kmsg_from_enum;
extern const struct enum_names klf_format_enum;
extern const struct enum_names klf_ack_enum;
extern const struct enum_names klf_target_state_enum;
extern const struct enum_names syslog_facility_enum;
extern const struct enum_names syslog_severity_enum;
#define SYSLOG_FACILITY_MAX	23	/* local7 */
#define SYSLOG_SEVERITY_MAX	7	/* debug */

/* cmd_log.c */
int cmd_log(struct cli *cli, int argc, char **argv);
void usage_log(FILE *fp);

/* cmd_target.c */
int cmd_target(struct cli *cli, int argc, char **argv);
void usage_target(FILE *fp);
int target_print_event(struct pr *p, const struct nl_reply *reply,
		       const char *time);
const char *errno_name(uint64_t err);

/* the settings of a reply as add takes them: cmd_log.c, cmd_target.c */
struct nlattr;
int log_conf_print(FILE *out, const struct nlattr *const *tb, const char *node);
int target_conf_print(FILE *out, const struct nlattr *const *tb,
		      const char *from);

/* cmd_monitor.c */
int cmd_monitor(struct cli *cli, int argc, char **argv);
void usage_monitor(FILE *fp);

/* cmd_stats.c */
int cmd_stats(struct cli *cli, int argc, char **argv);
void usage_stats(FILE *fp);

/* cmd_status.c */
int cmd_status(struct cli *cli, int argc, char **argv);
void usage_status(FILE *fp);

/* prom.c */
int prom_print(struct cli *cli, struct nl_ctx *nl);

/* cmd_save.c */
int cmd_save(struct cli *cli, int argc, char **argv);
void usage_save(FILE *fp);

/* cmd_version.c */
extern const char klogfwd_cli_version[];
int cli_print_version(struct cli *cli);
int cmd_version(struct cli *cli, int argc, char **argv);
void usage_version(FILE *fp);

#endif /* KLOGFWD_SUBCOMMANDS_H */
