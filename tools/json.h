/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny streaming JSON writer.
 *
 * Values are written as they are produced; the writer only tracks where it
 * is in the nesting so that it can place separators and indentation. In an
 * object every value must be preceded by json_key(). Strings are escaped so
 * that the output is always valid JSON: quotes, backslashes and control
 * characters are escaped and bytes that are not part of valid UTF-8 are
 * written as \u00XX. The CLI prints through print.h, which writes text or
 * JSON from the same calls.
 */
#ifndef KLOGFWD_JSON_H
#define KLOGFWD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	64

struct json {
	FILE *fp;
	bool pretty;		/* newlines and four-space indentation */
	bool after_key;		/* a key was written, its value comes next */
	bool error;		/* nesting misuse or too deep */
	unsigned int depth;
	uint64_t nonempty;	/* bit n: the container at depth n has members */
};

void json_init(struct json *j, FILE *fp, bool pretty);
int json_finish(struct json *j);

void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);

void json_key(struct json *j, const char *key);
void json_key_attr(struct json *j, const char *name);
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t len);
void json_u64(struct json *j, uint64_t v);
void json_s64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

#endif /* KLOGFWD_JSON_H */
