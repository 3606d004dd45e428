// SPDX-License-Identifier: GPL-2.0
/*
 * The keyword engine of "log add/set" and "target add/set": the parse loop
 * over a table of keywords, the checks and messages of their values, and
 * the writing of the values into a request with the width of each
 * attribute. See kw.h.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kw.h"
#include "nl.h"
#include "subcommands.h"

/**
 * kw_set() - give an attribute a number
 * @c: the settings
 * @attr: the attribute type, at most KW_ATTR_MAX
 * @wire: how it is sent, enum kw_wire
 * @v: the value
 */
void kw_set(struct kw_conf *c, uint16_t attr, uint8_t wire, uint64_t v)
{
	c->attrs |= BIT_ULL(attr);
	c->val[attr] = v;
	c->wire[attr] = wire;
}

/**
 * kw_set_ptr() - give an attribute a string or bytes
 * @c: the settings
 * @attr: the attribute type, at most KW_ATTR_MAX
 * @wire: KW_W_STR or KW_W_BIN
 * @p: the string or the bytes, which must outlive c
 * @len: KW_W_BIN: the number of bytes
 */
void kw_set_ptr(struct kw_conf *c, uint16_t attr, uint8_t wire,
		const void *p, size_t len)
{
	kw_set(c, attr, wire, len);
	c->ptr[attr] = p;
}

/**
 * kw_has() - whether an attribute is set
 * @c: the settings
 * @attr: the attribute type
 *
 * Return: true if @c sends (or the reply had) @attr.
 */
bool kw_has(const struct kw_conf *c, uint16_t attr)
{
	return c->attrs & BIT_ULL(attr);
}

/**
 * kw_bad_value_why() - report an invalid value of a keyword
 * @c: the settings, for the name of the command
 * @kw: the keyword
 * @val: the value given
 * @why: what was expected
 *
 * Return: the exit status of a usage error.
 */
int kw_bad_value_why(const struct kw_conf *c, const struct kw *kw,
		     const char *val, const char *why)
{
	return usage_error(c->op, "%s: invalid value '%s' for %s (%s)",
			   c->op, val, kw->name, why);
}

/**
 * kw_bad_value() - report a value of a keyword that does not parse
 * @c: the settings, for the name of the command
 * @kw: the keyword
 * @val: the value given
 * @err: -ERANGE: below kw->min or above kw->max; -ENOENT: no such user or
 *	 group; else invalid, with the names of kw->e for a KW_ENUM, else
 *	 kw->expect
 *
 * Return: the exit status of a usage error.
 */
int kw_bad_value(const struct kw_conf *c, const struct kw *kw,
		 const char *val, int err)
{
	char names[64];

	if (err == -ERANGE && kw->min)
		return usage_error(c->op, "%s: value '%s' for %s is out of range (%" PRIu64 " to %" PRIu64 ")",
				   c->op, val, kw->name, kw->min, kw->max);
	if (err == -ERANGE)
		return usage_error(c->op, "%s: value '%s' for %s is out of range (at most %" PRIu64 ")",
				   c->op, val, kw->name, kw->max);
	if (err == -ENOENT)
		return kw_bad_value_why(c, kw, val, kw->type == KW_USER ?
					"no such user" : "no such group");
	if (kw->type == KW_ENUM) {
		enum_list(kw->e, names, sizeof(names));
		return usage_error(c->op, "%s: invalid value '%s' for %s (expected %s)",
				   c->op, val, kw->name, names);
	}
	return kw_bad_value_why(c, kw, val, kw->expect ?: "");
}

static int parse_octal(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || strspn(s, "01234567") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 8);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* A uid or gid: a number, or a name looked up with getpwnam or getgrnam. */
static int parse_id(const char *s, bool user, uint64_t max, uint64_t *out)
{
	struct passwd *pw;
	struct group *gr;
	int ret;

	ret = parse_scaled(s, plain_units, max, out);
	if (ret != -EINVAL || !*s)
		return ret;
	if (user) {
		pw = getpwnam(s);
		if (!pw)
			return -ENOENT;
		*out = pw->pw_uid;
	} else {
		gr = getgrnam(s);
		if (!gr)
			return -ENOENT;
		*out = gr->gr_gid;
	}
	return 0;
}

/* "MIN-MAX" of a KW_MS_RANGE. Returns 0 or the exit status. */
static int parse_ms_range(struct kw_conf *c, const struct kw *kw,
			  const char *val)
{
	const char *dash = strchr(val, '-');
	uint64_t min, max;
	char buf[32];
	size_t len;
	int ret;

	if (!dash || (size_t)(dash - val) >= sizeof(buf))
		return kw_bad_value(c, kw, val, -EINVAL);
	len = dash - val;
	memcpy(buf, val, len);
	buf[len] = '\0';
	ret = parse_scaled(buf, ms_units, kw->max, &min);
	if (ret == -EINVAL)
		return kw_bad_value(c, kw, val, ret);
	if (!ret)
		ret = parse_scaled(dash + 1, ms_units, kw->max, &max);
	if (ret)
		return kw_bad_value(c, kw, val, ret);
	if (min > max)
		return kw_bad_value_why(c, kw, val, "MIN is above MAX");
	kw_set(c, kw->attr, kw->wire, min);
	kw_set(c, kw->attr2, kw->wire2, max);
	return 0;
}

static const struct unit *kw_units(const struct kw *kw)
{
	switch (kw->type) {
	case KW_SIZE:
		return size_units;
	case KW_MS:
		return ms_units;
	case KW_SECS:
		return s_units;
	default:
		return plain_units;
	}
}

/*
 * A number from kw->min to kw->max, or a name of kw->e if it has one: the
 * name's value goes in attr; the number too, or, if the row has an attr2,
 * goes there and attr gets kw->val. Returns 0 or the exit status.
 */
static int parse_number(struct kw_conf *c, const struct kw *kw,
			const char *val)
{
	uint64_t v;
	int ret;

	ret = kw->e ? enum_value(kw->e, val) : -1;
	if (ret >= 0) {
		kw_set(c, kw->attr, kw->wire, ret);
		return 0;
	}
	ret = parse_scaled(val, kw_units(kw), kw->max, &v);
	if (!ret && v < kw->min)
		ret = -ERANGE;
	if (ret)
		return kw_bad_value(c, kw, val, ret);
	if (kw->attr2) {
		kw_set(c, kw->attr, kw->wire, kw->val);
		kw_set(c, kw->attr2, kw->wire2, v);
	} else {
		kw_set(c, kw->attr, kw->wire, v);
	}
	return 0;
}

/* Parse the value of keyword kw. Returns 0 or the exit status. */
static int kw_parse_value(struct kw_conf *c, const struct kw *kw,
			  const char *val)
{
	uint64_t v = 0;
	int ret = 0;

	switch (kw->type) {
	case KW_FLAG:
		v = kw->val;
		break;
	case KW_NAME:
		if (!*val)
			return kw_bad_value(c, kw, val, -EINVAL);
		/* fall through */
	case KW_STR:
		kw_set_ptr(c, kw->attr, kw->wire, val, 0);
		return 0;
	case KW_ENUM:
		ret = enum_value(kw->e, val);
		if (ret < 0)
			return kw_bad_value(c, kw, val, -EINVAL);
		v = ret;
		ret = 0;
		break;
	case KW_NUM:
	case KW_SIZE:
	case KW_MS:
	case KW_SECS:
		return parse_number(c, kw, val);
	case KW_MS_RANGE:
		return parse_ms_range(c, kw, val);
	case KW_MODE:
		ret = parse_octal(val, kw->max, &v);
		break;
	case KW_USER:
	case KW_GROUP:
		ret = parse_id(val, kw->type == KW_USER, kw->max, &v);
		break;
	case KW_CUSTOM:
		return kw->parse(c, kw, val);
	}
	if (ret)
		return kw_bad_value(c, kw, val, ret);
	kw_set(c, kw->attr, kw->wire, v);
	return 0;
}

static const struct kw *kw_find(const struct kw_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->kws[i].name, name))
			return &t->kws[i];
	return NULL;
}

/* The row given before kw that excludes it, or NULL. */
static const struct kw *kw_excluded(const struct kw_conf *c,
				    const struct kw_table *t,
				    const struct kw *kw)
{
	size_t i;

	if (!kw->excl)
		return NULL;
	for (i = 0; i < t->n; i++)
		if ((c->kws & BIT(i)) && t->kws[i].excl == kw->excl)
			return &t->kws[i];
	return NULL;
}

/* Whether the rows given leave out one that op needs. Returns 0 or the exit status. */
static int kw_check_given(const struct kw_conf *c, const struct kw_table *t,
			  unsigned int op)
{
	const struct kw *kw;
	size_t i;

	for (i = 0; i < t->n && op == KW_ADD; i++) {
		kw = &t->kws[i];
		if ((kw->ops & KW_REQUIRED) && !(c->kws & BIT(i)))
			return usage_error(c->op, "%s: missing %s %s",
					   c->op, kw->name, kw->metavar);
	}
	if (op == KW_SET && !c->attrs)
		return usage_error(c->op, "%s: nothing to change: give at least one setting",
				   c->op);
	return 0;
}

/**
 * kw_parse() - parse the keywords and values of an add or set command line
 * @c: the settings to fill, with c->op set
 * @t: the keywords
 * @op: KW_ADD or KW_SET
 * @argc: the number of words, after NAME
 * @argv: the words
 *
 * Every keyword at most once, each of those excluding each other alone;
 * add needs its KW_REQUIRED ones, set at least one setting.
 *
 * Return: 0, or the exit status of the error reported.
 */
int kw_parse(struct kw_conf *c, const struct kw_table *t, unsigned int op,
	     int argc, char **argv)
{
	const struct kw *kw, *other;
	unsigned int bit;
	int i, ret;

	for (i = 0; i < argc; i++) {
		kw = kw_find(t, argv[i]);
		if (!kw)
			return usage_error(c->op, "%s: unknown keyword '%s'",
					   c->op, argv[i]);
		if (!(kw->ops & op))
			return usage_error(c->op, "%s: %s %s", c->op, kw->name,
					   kw->wrong_op ?: "is fixed at creation and cannot be changed");
		bit = BIT(kw - t->kws);
		if (c->kws & bit)
			return usage_error(c->op, "%s: %s given twice",
					   c->op, kw->name);
		other = kw_excluded(c, t, kw);
		if (other)
			return usage_error(c->op, "%s: %s and %s exclude each other",
					   c->op, (other < kw ? other : kw)->name,
					   (other < kw ? kw : other)->name);
		c->kws |= bit;
		if (kw->type == KW_FLAG) {
			kw_parse_value(c, kw, NULL);
			continue;
		}
		if (i + 1 >= argc)
			return usage_error(c->op, "%s: missing value for %s",
					   c->op, kw->name);
		i++;
		ret = kw_parse_value(c, kw, argv[i]);
		if (ret)
			return ret;
	}
	return kw_check_given(c, t, op);
}

/**
 * kw_put() - put the attributes of settings in a request
 * @req: the request
 * @c: the settings
 *
 * In the order of their types, each with the width it was set with.
 */
void kw_put(struct nl_req *req, const struct kw_conf *c)
{
	uint16_t type, v16;
	uint8_t v8;

	for (type = 0; type <= KW_ATTR_MAX; type++) {
		if (!(c->attrs & BIT_ULL(type)))
			continue;
		switch (c->wire[type]) {
		case KW_W_U8:
			v8 = c->val[type];
			nl_req_put(req, type, sizeof(v8), &v8);
			break;
		case KW_W_U16:
			v16 = c->val[type];
			nl_req_put(req, type, sizeof(v16), &v16);
			break;
		case KW_W_U32:
			nl_req_put_u32(req, type, c->val[type]);
			break;
		case KW_W_UINT:
			/* uint: 8 bytes are valid whatever the value */
			nl_req_put_u64(req, type, c->val[type]);
			break;
		case KW_W_STR:
			nl_req_put_str(req, type, c->ptr[type]);
			break;
		case KW_W_FLAG:
			nl_req_put_flag(req, type);
			break;
		case KW_W_BIN:
			nl_req_put(req, type, c->val[type], c->ptr[type]);
			break;
		}
	}
}
