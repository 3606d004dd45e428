// SPDX-License-Identifier: GPL-2.0
/*
 * What the keyword tables print. The settings of a reply, read with the
 * width of each attribute: for the comparison of a batch add (kw_cmp.c);
 * as the members of the JSON of "log show" and "target show" (kw_json());
 * and as the words "log add" and "target add" take them (kw_print(): the
 * first line of show, and save). Both from the rows of the keyword table,
 * as is the help of the keywords.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/klogfwd.h>

#include "kw.h"
#include "nl.h"
#include "print.h"
#include "subcommands.h"

/**
 * kw_read() - read an attribute of a reply into settings
 * @c: the settings
 * @tb: the attributes of the reply, by type
 * @type: the attribute type; 0 reads nothing
 * @wire: its width, enum kw_wire; KW_W_FLAG and KW_W_BIN are not read
 *
 * Return: 0, also if the reply does not have it, or -EPROTO if it is
 * malformed.
 */
int kw_read(struct kw_conf *c, const struct nlattr *const *tb, uint16_t type,
	    uint8_t wire)
{
	const struct nlattr *attr = tb[type];
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	if (!type || !attr)
		return 0;
	switch (wire) {
	case KW_W_U8:
		if (!nl_attr_u8(attr, &v8))
			return -EPROTO;
		kw_set(c, type, wire, v8);
		break;
	case KW_W_U16:
		if (!nl_attr_u16(attr, &v16))
			return -EPROTO;
		kw_set(c, type, wire, v16);
		break;
	case KW_W_U32:
		if (!nl_attr_u32(attr, &v32))
			return -EPROTO;
		kw_set(c, type, wire, v32);
		break;
	case KW_W_UINT:
		if (!nl_attr_uint(attr, &c->val[type]))
			return -EPROTO;
		kw_set(c, type, wire, c->val[type]);
		break;
	case KW_W_STR:
		c->ptr[type] = nl_attr_str(attr);
		if (!c->ptr[type])
			return -EPROTO;
		kw_set(c, type, wire, 0);
		break;
	}
	return 0;
}

/* a row of the JSON of show: one kw_print() prints, but KW_NOJSON */
static bool kw_json_row(const struct kw *kw)
{
	return (kw->ops & KW_ADD) && !(kw->ops & (KW_NOSHOW | KW_NOJSON));
}

/**
 * kw_json_read() - read the settings the JSON of show prints from a reply
 * @c: the settings to fill
 * @t: the keyword table
 * @tb: the attributes of the reply, by type
 *
 * Reads kw->attr, and kw->attr2 if it has one, of each row kw_json()
 * prints. A setting the reply lacks is left out of @c.
 *
 * Return: 0 or -EPROTO.
 */
int kw_json_read(struct kw_conf *c, const struct kw_table *t,
		 const struct nlattr *const *tb)
{
	size_t i;
	int ret;

	for (i = 0; i < t->n; i++) {
		const struct kw *kw = &t->kws[i];

		if (!kw_json_row(kw))
			continue;
		ret = kw_read(c, tb, kw->attr, kw->wire);
		if (!ret)
			ret = kw_read(c, tb, kw->attr2, kw->wire2);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * kw_json_attr() - JSON: an attribute of settings as a member
 * @p: the printer, in an open object
 * @key: the member, '-' printed as '_'
 * @c: the settings
 * @type: the attribute
 * @e: the names of its values, or NULL for a number
 *
 * Prints null if @c does not have it, a boolean for a KW_W_U8, a string
 * for a KW_W_STR and for a value with a name in @e, else a number. Text:
 * nothing.
 */
void kw_json_attr(struct pr *p, const char *key, const struct kw_conf *c,
		  uint16_t type, const struct enum_names *e)
{
	const char *name;

	if (!kw_has(c, type)) {
		pr_null(p, PRINT_JSON, key, NULL);
		return;
	}
	if (c->wire[type] == KW_W_STR) {
		pr_str(p, PRINT_JSON, key, NULL, c->ptr[type]);
		return;
	}
	if (c->wire[type] == KW_W_U8) {
		pr_bool(p, PRINT_JSON, key, NULL, c->val[type]);
		return;
	}
	name = e ? enum_name(e, c->val[type]) : NULL;
	if (name)
		pr_str(p, PRINT_JSON, key, NULL, name);
	else
		pr_u64(p, PRINT_JSON, key, NULL, c->val[type]);
}

/**
 * kw_json() - JSON: the settings of a reply as members of an object
 * @p: the printer, in an open object
 * @t: the keyword table
 * @c: the settings, from kw_json_read()
 *
 * For each row that kw_print() prints, in the order of the table, but
 * those of the text only (KW_NOJSON): the row's json function if it has
 * one, else kw->attr (kw_json_attr()), by the name of its value for a
 * row with names but KW_NUM, and then kw->attr2, if the row has one, as a
 * number. The members are the names of the attributes in @t. A setting
 * the reply lacked is null, where kw_print() fails. Text: nothing.
 */
void kw_json(struct pr *p, const struct kw_table *t, const struct kw_conf *c)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct kw *kw = &t->kws[i];

		if (!kw_json_row(kw))
			continue;
		if (kw->json) {
			kw->json(p, c, kw);
			continue;
		}
		kw_json_attr(p, t->names[kw->attr], c, kw->attr,
			     kw->type == KW_NUM ? NULL : kw->e);
		if (kw->attr2)
			kw_json_attr(p, t->names[kw->attr2], c, kw->attr2, NULL);
	}
}

/**
 * kw_print_read() - read a row's attributes from the reply being printed
 * @p: the printer
 * @kw: the row
 *
 * Reads kw->attr, and kw->attr2 if the row has one, into p->c.
 *
 * Return: 0, or -EPROTO if the reply lacks one or it is malformed.
 */
int kw_print_read(struct kw_print *p, const struct kw *kw)
{
	if (kw_read(&p->c, p->tb, kw->attr, kw->wire) || !kw_has(&p->c, kw->attr))
		return -EPROTO;
	if (kw->attr2 &&
	    (kw_read(&p->c, p->tb, kw->attr2, kw->wire2) || !kw_has(&p->c, kw->attr2)))
		return -EPROTO;
	return 0;
}

/**
 * kw_print_str() - print " KW WORD", WORD quoted as a batch line reads it
 * @p: the printer
 * @kw: the keyword
 * @s: the string
 *
 * A string holding a control character cannot be given on a batch line:
 * it is printed with those as \xNN (for people) and p->unquotable is set.
 */
void kw_print_str(struct kw_print *p, const char *kw, const char *s)
{
	char buf[2 * KLOGFWD_PATH_LEN + 8];
	const char *c;

	if (batch_quote(buf, sizeof(buf), s)) {
		fprintf(p->out, " %s %s", kw, buf);
		return;
	}
	p->unquotable = true;
	fprintf(p->out, " %s ", kw);
	for (c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			fprintf(p->out, "\\x%02x", (unsigned char)*c);
		else
			fputc(*c, p->out);
	}
}

static void print_enum(FILE *out, const char *kw, const struct enum_names *e,
		       uint64_t v)
{
	const char *name = e ? enum_name(e, v) : NULL;

	if (name)
		fprintf(out, " %s %s", kw, name);
	else
		fprintf(out, " %s %" PRIu64, kw, v);
}

/* one row, by its type; the custom ones print themselves */
static int kw_print_row(struct kw_print *p, const struct kw *kw)
{
	const uint64_t *val = p->c.val;
	char b1[32], b2[32];
	uint64_t v;
	int ret;

	if (kw->print)
		return kw->print(p, kw);
	/* a setting of some targets only (ack relp's): nothing for the others */
	if ((kw->ops & KW_ABSENT_OK) && !p->tb[kw->attr])
		return 0;
	ret = kw_print_read(p, kw);
	if (ret)
		return ret;
	v = val[kw->attr];
	switch (kw->type) {
	case KW_FLAG:
		if (v == kw->val)
			fprintf(p->out, " %s", kw->name);
		break;
	case KW_STR:
		kw_print_str(p, kw->name, p->c.ptr[kw->attr]);
		break;
	case KW_NAME:
		fprintf(p->out, " %s %s", kw->name, (const char *)p->c.ptr[kw->attr]);
		break;
	case KW_ENUM:
	case KW_NUM:
		print_enum(p->out, kw->name, kw->e, v);
		break;
	case KW_SIZE:
		fprintf(p->out, " %s %s", kw->name, fmt_size(b1, sizeof(b1), v));
		break;
	case KW_MS:
		/* a name, or a time: the value of attr2 ("sync 5s") */
		if (kw->e && v != kw->val)
			print_enum(p->out, kw->name, kw->e, v);
		else
			fprintf(p->out, " %s %s", kw->name,
				fmt_ms(b1, sizeof(b1), kw->e ? val[kw->attr2] : v));
		break;
	case KW_MS_RANGE:
		fprintf(p->out, " %s %s-%s", kw->name, fmt_ms(b1, sizeof(b1), v),
			fmt_ms(b2, sizeof(b2), val[kw->attr2]));
		break;
	case KW_MODE:
		fprintf(p->out, " %s %04" PRIo64, kw->name, v);
		break;
	case KW_SECS:
	case KW_USER:
	case KW_GROUP:
		fprintf(p->out, " %s %" PRIu64, kw->name, v);
		break;
	case KW_CUSTOM:
		return -EPROTO;	/* a custom row prints itself */
	}
	return 0;
}

/**
 * kw_print() - the settings of a reply as the add command takes them
 * @out: where to print them
 * @t: the keyword table
 * @tb: the attributes of a get reply
 * @node: log: a hostname to leave out (the default one), or NULL
 * @from: target: the word after "from", or NULL for none
 *
 * Prints, in the order of the table, each row that add takes and that is
 * a setting (not KW_NOSHOW), a space before each: sizes and durations with
 * the largest unit that divides them, enum values by name, flags by their
 * name when set. A KW_ABSENT_OK row the reply lacks is left out. No name,
 * no newline.
 *
 * Return: 0; -EPROTO if the reply lacks a setting (nothing is printed);
 * -EINVAL if a string holds a control character, which no batch line can
 * give (it is printed with \xNN).
 */
int kw_print(FILE *out, const struct kw_table *t, const struct nlattr *const *tb,
	     const char *node, const char *from)
{
	struct kw_print p = { .tb = tb, .node = node, .from = from };
	char *buf = NULL;
	size_t len = 0, i;
	int ret = 0;

	p.out = open_memstream(&buf, &len);
	if (!p.out)
		return -ENOMEM;
	for (i = 0; i < t->n && !ret; i++) {
		const struct kw *kw = &t->kws[i];

		if ((kw->ops & KW_ADD) && !(kw->ops & KW_NOSHOW))
			ret = kw_print_row(&p, kw);
	}
	if (fclose(p.out))
		ret = ret ?: -ENOMEM;
	if (!ret) {
		fwrite(buf, 1, len, out);
		if (p.unquotable)
			ret = -EINVAL;
	}
	free(buf);
	return ret;
}

/* the column of a keyword's help text, as in "  segment-bytes SIZE  roll" */
#define KW_HELP_COL	22

/**
 * kw_usage() - the help of a table's keywords
 * @fp: where to print it
 * @t: the keyword table
 * @mask: the bits of kw.ops that select the rows
 * @match: their value in the rows printed
 *
 * Prints "  NAME ARG", then the row's help at column 22 (on the next line
 * if NAME ARG reaches that column), each further line of the help at
 * column 22, for each row with help whose ops & @mask is @match.
 */
void kw_usage(FILE *fp, const struct kw_table *t, unsigned int mask,
	      unsigned int match)
{
	const char *h, *nl;
	size_t i;
	int len;

	for (i = 0; i < t->n; i++) {
		const struct kw *kw = &t->kws[i];

		if (!kw->help || (kw->ops & mask) != match)
			continue;
		len = fprintf(fp, "  %s%s%s", kw->name, kw->arg ? " " : "",
			      kw->arg ? kw->arg : "");
		if (len < KW_HELP_COL)
			fprintf(fp, "%*s", KW_HELP_COL - len, "");
		else
			fprintf(fp, "\n%*s", KW_HELP_COL, "");
		for (h = kw->help; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(fp, "%.*s\n%*s", (int)(nl - h), h, KW_HELP_COL, "");
		fprintf(fp, "%s\n", h);
	}
}
