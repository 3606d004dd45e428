/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print layer for text and JSON, after iproute2's print_*() and
 * PRINT_ANY: an object is printed by one function, whose calls write text
 * or JSON depending on the printer. Each call names the JSON member (the
 * key) and the text format of the value; the mode says in which output
 * the value appears:
 *
 *	PRINT_ANY	both: the key in JSON, the format in text
 *	PRINT_JSON	JSON only (a member text leaves out or shows otherwise)
 *	PRINT_FP	text only (the key is ignored)
 *
 *	struct pr p;
 *
 *	pr_init(&p, stdout, cli->json, cli->pretty);
 *	pr_obj_open(&p, NULL);
 *	pr_str(&p, PRINT_ANY, "name", "log %s", name);
 *	pr_str(&p, PRINT_JSON, "dir", NULL, dir);	(NULL: null)
 *	pr_u64(&p, PRINT_ANY, "segment-bytes", " segment-bytes %" PRIu64, v);
 *	pr_fp(&p, "\n");
 *	pr_obj_close(&p);
 *	return pr_finish(&p);
 *
 * Keys are JSON member names; a '-' in one is written as '_', so that the
 * names of the netlink spec can be given as they are. Objects and arrays
 * exist in JSON only. A NULL format prints nothing in text; a NULL string
 * is null in JSON and nothing in text: an attribute a reply lacks is left
 * out of the text and null in JSON.
 */
#ifndef KLOGFWD_PRINT_H
#define KLOGFWD_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

enum pr_mode {
	PRINT_FP	= 1 << 0,	/* text only */
	PRINT_JSON	= 1 << 1,	/* JSON only */
	PRINT_ANY	= PRINT_FP | PRINT_JSON,
};

struct pr {
	FILE *fp;		/* text */
	bool json;		/* JSON, written by j */
	struct json j;
};

void pr_init(struct pr *p, FILE *fp, bool json, bool pretty);
int pr_finish(struct pr *p);

/* whether the printer writes JSON */
static inline bool pr_is_json(const struct pr *p)
{
	return p->json;
}

void pr_obj_open(struct pr *p, const char *key);
void pr_obj_close(struct pr *p);
void pr_arr_open(struct pr *p, const char *key);
void pr_arr_close(struct pr *p);

void pr_fp(struct pr *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pr_str(struct pr *p, enum pr_mode mode, const char *key, const char *fmt,
	    const char *s);
void pr_u64(struct pr *p, enum pr_mode mode, const char *key, const char *fmt,
	    uint64_t v);
void pr_bool(struct pr *p, enum pr_mode mode, const char *key, const char *fmt,
	     bool v);
void pr_null(struct pr *p, enum pr_mode mode, const char *key, const char *fmt);

#endif /* KLOGFWD_PRINT_H */
