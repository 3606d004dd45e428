// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny streaming JSON writer, see json.h.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *fp, bool pretty)
{
	j->fp = fp;
	j->pretty = pretty;
	j->after_key = false;
	j->error = false;
	j->depth = 0;
	j->nonempty = 0;
}

static void json_indent(struct json *j, unsigned int depth)
{
	unsigned int i;

	if (!j->pretty)
		return;
	fputc('\n', j->fp);
	for (i = 0; i < depth; i++)
		fputs("    ", j->fp);
}

/* Called before every key and every value: writes the separator. */
static void json_sep(struct json *j)
{
	uint64_t bit;

	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->depth)
		return;
	bit = UINT64_C(1) << (j->depth - 1);
	if (j->nonempty & bit)
		fputc(',', j->fp);
	j->nonempty |= bit;
	json_indent(j, j->depth);
}

static void json_open(struct json *j, char c)
{
	json_sep(j);
	fputc(c, j->fp);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	j->depth++;
	j->nonempty &= ~(UINT64_C(1) << (j->depth - 1));
}

static void json_close(struct json *j, char c)
{
	uint64_t bit;

	if (!j->depth || j->after_key) {
		j->error = true;
		return;
	}
	bit = UINT64_C(1) << (j->depth - 1);
	j->depth--;
	if (j->nonempty & bit)
		json_indent(j, j->depth);
	fputc(c, j->fp);
}

void json_obj_open(struct json *j)
{
	json_open(j, '{');
}

void json_obj_close(struct json *j)
{
	json_close(j, '}');
}

void json_arr_open(struct json *j)
{
	json_open(j, '[');
}

void json_arr_close(struct json *j)
{
	json_close(j, ']');
}

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0 if
 * s does not start one: overlong forms, surrogates and code points above
 * U+10FFFF are rejected as RFC 3629 requires.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n <= need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

static void json_escape_byte(FILE *fp, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", fp);
		break;
	case '\\':
		fputs("\\\\", fp);
		break;
	case '\b':
		fputs("\\b", fp);
		break;
	case '\f':
		fputs("\\f", fp);
		break;
	case '\n':
		fputs("\\n", fp);
		break;
	case '\r':
		fputs("\\r", fp);
		break;
	case '\t':
		fputs("\\t", fp);
		break;
	default:
		if (c < 0x20 || c >= 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
}

static void json_write_string(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	fputc('"', fp);
	while (i < len) {
		n = p[i] < 0x80 ? 1 : utf8_len(p + i, len - i);
		if (n > 1) {
			fwrite(p + i, 1, n, fp);
			i += n;
		} else {
			json_escape_byte(fp, p[i]);
			i++;
		}
	}
	fputc('"', fp);
}

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_write_string(j->fp, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->fp);
	j->after_key = true;
}

/* A key from a netlink spec attribute name: '-' becomes '_'. */
void json_key_attr(struct json *j, const char *name)
{
	char key[32];
	size_t i;

	for (i = 0; name[i] && i < sizeof(key) - 1; i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
	json_key(j, key);
}

void json_strn(struct json *j, const char *s, size_t len)
{
	json_sep(j);
	json_write_string(j->fp, s, len);
}

void json_str(struct json *j, const char *s)
{
	json_strn(j, s, strlen(s));
}

void json_u64(struct json *j, uint64_t v)
{
	json_sep(j);
	fprintf(j->fp, "%" PRIu64, v);
}

void json_s64(struct json *j, int64_t v)
{
	json_sep(j);
	fprintf(j->fp, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->fp);
}

void json_null(struct json *j)
{
	json_sep(j);
	fputs("null", j->fp);
}

/*
 * End the top-level value with a newline and flush. Returns 0, or -1 if the
 * document was not well nested or could not be written.
 */
int json_finish(struct json *j)
{
	if (j->depth || j->after_key)
		j->error = true;
	fputc('\n', j->fp);
	if (fflush(j->fp) || ferror(j->fp))
		return -1;
	return j->error ? -1 : 0;
}
