// SPDX-License-Identifier: GPL-2.0
/*
 * One print layer for text and JSON, see print.h.
 */
#include <stdarg.h>
#include <string.h>

#include "print.h"

/**
 * pr_init() - a printer
 * @p: the printer
 * @fp: where it writes
 * @json: JSON rather than text
 * @pretty: JSON: indented
 */
void pr_init(struct pr *p, FILE *fp, bool json, bool pretty)
{
	p->fp = fp;
	p->json = json;
	json_init(&p->j, fp, pretty);
}

/**
 * pr_finish() - end what a printer printed
 * @p: the printer
 *
 * JSON: ends the top-level value with a newline and flushes (json_finish()).
 * Text: nothing; main() checks standard output when the command ends.
 *
 * Return: 0, or -1 if the JSON was not well nested or not written.
 */
int pr_finish(struct pr *p)
{
	return p->json ? json_finish(&p->j) : 0;
}

/* the key of a member, if there is one: '-' written as '_' */
static void pr_key(struct pr *p, const char *key)
{
	if (!key)
		return;
	if (strchr(key, '-'))
		json_key_attr(&p->j, key);
	else
		json_key(&p->j, key);
}

/* whether a call of mode writes JSON; text then has the format, if any */
static bool pr_to_json(const struct pr *p, enum pr_mode mode)
{
	return p->json && (mode & PRINT_JSON);
}

static bool pr_to_fp(const struct pr *p, enum pr_mode mode, const char *fmt)
{
	return !p->json && (mode & PRINT_FP) && fmt;
}

/**
 * pr_obj_open() - JSON: open an object
 * @p: the printer
 * @key: the member it is, or NULL for a value (in an array, or top level)
 */
void pr_obj_open(struct pr *p, const char *key)
{
	if (!p->json)
		return;
	pr_key(p, key);
	json_obj_open(&p->j);
}

/**
 * pr_obj_close() - JSON: close an object
 * @p: the printer
 */
void pr_obj_close(struct pr *p)
{
	if (p->json)
		json_obj_close(&p->j);
}

/**
 * pr_arr_open() - JSON: open an array
 * @p: the printer
 * @key: the member it is, or NULL for a value
 */
void pr_arr_open(struct pr *p, const char *key)
{
	if (!p->json)
		return;
	pr_key(p, key);
	json_arr_open(&p->j);
}

/**
 * pr_arr_close() - JSON: close an array
 * @p: the printer
 */
void pr_arr_close(struct pr *p)
{
	if (p->json)
		json_arr_close(&p->j);
}

/**
 * pr_fp() - text only: printf()
 * @p: the printer
 * @fmt: the format, and its arguments
 */
void pr_fp(struct pr *p, const char *fmt, ...)
{
	va_list ap;

	if (p->json)
		return;
	va_start(ap, fmt);
	vfprintf(p->fp, fmt, ap);
	va_end(ap);
}

/**
 * pr_str() - a string
 * @p: the printer
 * @mode: PRINT_ANY, PRINT_JSON or PRINT_FP
 * @key: JSON: the member, or NULL for a value
 * @fmt: text: the format of @s (one %s), or NULL for nothing
 * @s: the string; NULL: null in JSON, nothing in text
 */
void pr_str(struct pr *p, enum pr_mode mode, const char *key, const char *fmt,
	    const char *s)
{
	if (pr_to_json(p, mode)) {
		pr_key(p, key);
		if (s)
			json_str(&p->j, s);
		else
			json_null(&p->j);
	} else if (pr_to_fp(p, mode, fmt) && s) {
		fprintf(p->fp, fmt, s);
	}
}

/**
 * pr_u64() - a number
 * @p: the printer
 * @mode: PRINT_ANY, PRINT_JSON or PRINT_FP
 * @key: JSON: the member, or NULL for a value
 * @fmt: text: the format of @v (one %" PRIu64 "), or NULL for nothing
 * @v: the number
 */
void pr_u64(struct pr *p, enum pr_mode mode, const char *key, const char *fmt,
	    uint64_t v)
{
	if (pr_to_json(p, mode)) {
		pr_key(p, key);
		json_u64(&p->j, v);
	} else if (pr_to_fp(p, mode, fmt)) {
		fprintf(p->fp, fmt, v);
	}
}

/**
 * pr_bool() - a boolean
 * @p: the printer
 * @mode: PRINT_ANY, PRINT_JSON or PRINT_FP
 * @key: JSON: the member, or NULL for a value
 * @fmt: text: the format of "true" or "false" (one %s), or NULL for nothing
 * @v: the boolean
 */
void pr_bool(struct pr *p, enum pr_mode mode, const char *key, const char *fmt,
	     bool v)
{
	if (pr_to_json(p, mode)) {
		pr_key(p, key);
		json_bool(&p->j, v);
	} else if (pr_to_fp(p, mode, fmt)) {
		fprintf(p->fp, fmt, v ? "true" : "false");
	}
}

/**
 * pr_null() - JSON: null; text: a fixed string
 * @p: the printer
 * @mode: PRINT_ANY, PRINT_JSON or PRINT_FP
 * @key: JSON: the member, or NULL for a value
 * @fmt: text: printed as it is (no conversion), or NULL for nothing
 */
void pr_null(struct pr *p, enum pr_mode mode, const char *key, const char *fmt)
{
	if (pr_to_json(p, mode)) {
		pr_key(p, key);
		json_null(&p->j);
	} else if (pr_to_fp(p, mode, fmt)) {
		fputs(fmt, p->fp);
	}
}
