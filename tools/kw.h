/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keyword engine of "log add/set" and "target add/set": one table row
 * per keyword (its value type, attribute, wire width, range, the commands
 * that take it, the text of its errors, its help), one parse loop that
 * fills a struct kw_conf, one writer that puts it in a request, and the
 * comparison of a batch add with what exists (kw_cmp.c). The same rows
 * print the help of the settings (kw_usage()) and the settings of a reply
 * as add takes them, the first line of "log show" and "target show" and
 * the lines of "save" (kw_print()), and the members of the settings in
 * "log show -j" and "target show -j" (kw_json()): of a setting a reply
 * lacks, the text fails (or, for a KW_ABSENT_OK row, leaves it out), the
 * JSON is null. A new setting is a row: its parse, help, text and JSON
 * come from it.
 *
 *	struct kw_conf c = { .op = "log add" };
 *
 *	ret = kw_parse(&c, &log_kw_table, KW_ADD, argc, argv);
 *	...
 *	kw_put(req, &c);
 *
 * What a row cannot say (target "to" HOST:PORT, log "dir" PATH) is a
 * KW_CUSTOM row with its own parse and compare functions.
 */
#ifndef KLOGFWD_KW_H
#define KLOGFWD_KW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cli;
struct enum_names;
struct nlattr;
struct nl_ctx;
struct nl_reply;
struct nl_req;
struct pr;

#define BIT(n)			(1U << (n))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

#define BIT_ULL(n)		(1ULL << (n))

/* attribute types a struct kw_conf holds: bits of a uint64_t */
#define KW_ATTR_MAX	63

/* The value of a keyword on the command line. */
enum kw_type {
	KW_FLAG,	/* no value: attr gets kw->val */
	KW_STR,		/* a string, maybe empty */
	KW_NAME,	/* a string, not empty */
	KW_ENUM,	/* one of kw->e */
	KW_NUM,		/* a number; or one of kw->e, if set */
	KW_SIZE,	/* bytes, with an optional k, m or g suffix */
	KW_MS,		/* milliseconds, or a time with a ms, s, m, h or d suffix */
	KW_SECS,	/* seconds, or a time with a s, m or h suffix */
	KW_MS_RANGE,	/* MIN-MAX, two KW_MS: MIN in attr, MAX in attr2 */
	KW_MODE,	/* octal */
	KW_USER,	/* a user name or a uid */
	KW_GROUP,	/* a group name or a gid */
	KW_CUSTOM,	/* kw->parse parses it, kw->cmp compares it */
};

/* How an attribute goes in a request and comes in a reply. */
enum kw_wire {
	KW_W_NONE,
	KW_W_U8,
	KW_W_U16,
	KW_W_U32,
	KW_W_UINT,	/* sent as 8 bytes, read as 4 or 8 */
	KW_W_STR,
	KW_W_FLAG,	/* present or not */
	KW_W_BIN,	/* kw_conf.ptr, kw_conf.val bytes: an address */
};

/* kw.ops: which commands take the keyword, and how */
enum {
	KW_ADD		= 1 << 0,	/* add takes it */
	KW_SET		= 1 << 1,	/* set takes it */
	KW_REQUIRED	= 1 << 2,	/* add needs it: "missing NAME METAVAR" */
	KW_NOCMP	= 1 << 3,	/* not compared by a batch add */
	KW_NOSHOW	= 1 << 4,	/* not a setting show and save print */
	KW_NOJSON	= 1 << 5,	/* a setting show prints in text only */
	KW_ABSENT_OK	= 1 << 6,	/* a reply may lack it: show, save leave it out */
};

struct kw;
struct kw_cmp;
struct kw_print;

/* The settings of an add or set command line, or of a reply. */
struct kw_conf {
	const char *op;			/* "log add", "target set", ... */
	unsigned int kws;		/* bit n: row n of the table was given */
	uint64_t attrs;			/* bit n: attribute n is to be sent */
	uint64_t val[KW_ATTR_MAX + 1];	/* numbers; KW_W_BIN: the length */
	const void *ptr[KW_ATTR_MAX + 1];	/* KW_W_STR, KW_W_BIN */
	uint8_t wire[KW_ATTR_MAX + 1];	/* enum kw_wire */
};

struct kw {
	const char *name;
	enum kw_type type;
	unsigned int ops;		/* KW_ADD, KW_SET, ... */
	uint16_t attr;
	uint8_t wire;			/* enum kw_wire of attr */
	/*
	 * KW_MS_RANGE: the attribute of MAX. A KW_NUM or KW_MS with names
	 * (e): the attribute of a number given instead of a name, attr
	 * then getting val ("sync 5s": sync interval, sync-interval-ms 5000).
	 */
	uint16_t attr2;
	uint8_t wire2;
	uint64_t min;			/* smallest number (KW_NUM, KW_SIZE, ...) */
	uint64_t max;			/* largest number */
	uint64_t val;			/* see type and attr2 */
	const struct enum_names *e;
	uint8_t excl;			/* not 0: excludes the rows of the same */
	const char *metavar;		/* KW_REQUIRED: in "missing ..." */
	const char *expect;		/* "expected ...", of an invalid value */
	const char *wrong_op;		/* given to the other command; NULL: fixed */
	/* help: NAME ARG, then HELP, its lines split by newlines (kw_usage()) */
	const char *arg;
	const char *help;
	int (*parse)(struct kw_conf *c, const struct kw *kw, const char *val);
	int (*cmp)(struct kw_cmp *d, const struct kw *kw);
	/* show: prints " NAME VALUE" from p->tb; NULL: by type (kw_print()) */
	int (*print)(struct kw_print *p, const struct kw *kw);
	/* show -j: prints the members of the row from c; NULL: kw_json() */
	void (*json)(struct pr *p, const struct kw_conf *c, const struct kw *kw);
};

/* The first fields of a row: { KW_KEY(...), .max = ..., ... } */
#define KW_KEY(_name, _type, _ops, _attr, _wire) \
	.name = (_name), .type = (_type), .ops = (_ops), .attr = (_attr), \
	.wire = (_wire)

struct kw_table {
	const struct kw *kws;
	size_t n;
	const char *what;		/* "log", "target" */
	uint8_t cmd_get;		/* KLOGFWD_CMD_*_GET */
	uint16_t name_attr;		/* KLOGFWD_A_*_NAME */
	uint16_t attr_max;		/* KLOGFWD_A_*_MAX */
	const char *const *names;	/* of the attributes: the JSON members */
	const char *fixed;		/* "log, to and ack", of kw_exists() */
	/* kw_exists(): compare first what no row does */
	int (*cmp)(struct kw_cmp *d);
};

/* A batch add of what exists: how it differs from the command line. */
struct kw_cmp {
	const struct kw_table *t;
	const struct kw_conf *c;	/* the command line */
	struct kw_conf old;		/* what exists */
	const struct nl_reply *reply;
	char diff[1024];
	size_t len;
	bool fixed;			/* a setting fixed at creation differs */
};

int kw_parse(struct kw_conf *c, const struct kw_table *t, unsigned int op,
	     int argc, char **argv);
void kw_set(struct kw_conf *c, uint16_t attr, uint8_t wire, uint64_t v);
void kw_set_ptr(struct kw_conf *c, uint16_t attr, uint8_t wire,
		const void *p, size_t len);
bool kw_has(const struct kw_conf *c, uint16_t attr);
int kw_bad_value(const struct kw_conf *c, const struct kw *kw,
		 const char *val, int err);
int kw_bad_value_why(const struct kw_conf *c, const struct kw *kw,
		     const char *val, const char *why);
void kw_put(struct nl_req *req, const struct kw_conf *c);

int kw_read(struct kw_conf *c, const struct nlattr *const *tb, uint16_t type,
	    uint8_t wire);
int kw_json_read(struct kw_conf *c, const struct kw_table *t,
		 const struct nlattr *const *tb);
void kw_json_attr(struct pr *p, const char *key, const struct kw_conf *c,
		  uint16_t type, const struct enum_names *e);
void kw_json(struct pr *p, const struct kw_table *t, const struct kw_conf *c);

/*
 * The settings of a reply as the add command takes them (kw_print()), and
 * what a row's print function gets.
 */
struct kw_print {
	FILE *out;
	const struct nlattr *const *tb;	/* the reply's attributes */
	struct kw_conf c;		/* what the rows read from tb */
	const char *node;		/* log: a hostname equal to it is left out */
	const char *from;		/* target: the word after "from", or NULL */
	bool unquotable;		/* a string is not given back as it is */
};

int kw_print(FILE *out, const struct kw_table *t, const struct nlattr *const *tb,
	     const char *node, const char *from);
int kw_print_read(struct kw_print *p, const struct kw *kw);
void kw_print_str(struct kw_print *p, const char *kw, const char *s);
void kw_usage(FILE *fp, const struct kw_table *t, unsigned int mask,
	      unsigned int match);

void kw_cmp_add(struct kw_cmp *d, const char *kw, const char *old,
		const char *new, bool fixed);
int kw_exists(struct cli *cli, struct nl_ctx *nl, const struct kw_table *t,
	      const struct kw_conf *c, const char *name);

#endif /* KLOGFWD_KW_H */
