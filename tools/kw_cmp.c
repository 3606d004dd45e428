// SPDX-License-Identifier: GPL-2.0
/*
 * A batch "log add" or "target add" of what exists: a no-op if it has the
 * settings given, else an error naming, in the words of the command line,
 * what differs. The rows of the keyword table (kw.h) say how each value is
 * read from the reply, compared and written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kw.h"
#include "nl.h"
#include "subcommands.h"

/**
 * kw_cmp_add() - add a difference to those of a batch add
 * @d: the comparison
 * @kw: the keyword
 * @old: its value in what exists
 * @new: its value on the command line
 * @fixed: the setting is fixed at creation
 */
void kw_cmp_add(struct kw_cmp *d, const char *kw, const char *old,
		const char *new, bool fixed)
{
	d->len += snprintf(d->diff + d->len, d->len < sizeof(d->diff) ?
			   sizeof(d->diff) - d->len : 0, "%s%s %s, not %s",
			   d->len ? "; " : "", kw, old, new);
	if (d->len >= sizeof(d->diff))
		d->len = sizeof(d->diff) - 1;
	d->fixed |= fixed;
}

/* A number of keyword kw as the command line gives it. */
static const char *kw_value(char *buf, size_t size, const struct kw *kw,
			    uint64_t v)
{
	const char *name;

	switch (kw->type) {
	case KW_SIZE:
		return fmt_size(buf, size, v);
	case KW_MS:
	case KW_MS_RANGE:
		return fmt_ms(buf, size, v);
	case KW_MODE:
		snprintf(buf, size, "%04" PRIo64, v);
		return buf;
	default:
		break;
	}
	name = kw->e ? enum_name(kw->e, v) : NULL;
	if (name)
		return name;
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

/*
 * The value of a row with an attr2 (sync): the number in attr2 if attr is
 * kw->val and num, else the name of attr.
 */
static const char *kw_value2(char *buf, size_t size, const struct kw *kw,
			     const struct kw_conf *c, bool num)
{
	if (c->val[kw->attr] == kw->val && num)
		return kw_value(buf, size, kw, c->val[kw->attr2]);
	return enum_name(kw->e, c->val[kw->attr]) ?: "?";
}

/* Compare the value of row kw. Returns 0 or -EPROTO. */
static int kw_cmp_row(struct kw_cmp *d, const struct kw *kw)
{
	const struct kw_conf *c = d->c, *o = &d->old;
	bool fixed = !(kw->ops & KW_SET);
	uint16_t a = kw->attr, a2 = kw->attr2;
	char b1[96], b2[96], m1[32], m2[32];
	const char *old;
	bool num;

	switch (kw->type) {
	case KW_FLAG:
		break;
	case KW_CUSTOM:
		return kw->cmp ? kw->cmp(d, kw) : 0;
	case KW_NAME:
		if (!o->ptr[a] || strcmp(o->ptr[a], c->ptr[a]))
			kw_cmp_add(d, kw->name, o->ptr[a] ?: "none", c->ptr[a],
				   fixed);
		break;
	case KW_STR:
		old = o->ptr[a] ?: "";
		if (strcmp(old, c->ptr[a]))
			kw_cmp_add(d, kw->name, old, c->ptr[a], fixed);
		break;
	case KW_MS_RANGE:
		if (o->val[a] == c->val[a] && o->val[a2] == c->val[a2])
			break;
		snprintf(b1, sizeof(b1), "%s-%s",
			 fmt_ms(m1, sizeof(m1), o->val[a]),
			 fmt_ms(m2, sizeof(m2), o->val[a2]));
		snprintf(b2, sizeof(b2), "%s-%s",
			 fmt_ms(m1, sizeof(m1), c->val[a]),
			 fmt_ms(m2, sizeof(m2), c->val[a2]));
		kw_cmp_add(d, kw->name, b1, b2, fixed);
		break;
	default:
		if (a2) {
			num = kw_has(c, a2);
			if (o->val[a] != c->val[a] ||
			    (num && o->val[a2] != c->val[a2]))
				kw_cmp_add(d, kw->name,
					   kw_value2(b1, sizeof(b1), kw, o, true),
					   kw_value2(b2, sizeof(b2), kw, c, num),
					   fixed);
			break;
		}
		/* a setting only some have (window of an ack tcp target): "none" */
		if (!kw_has(o, a) || o->val[a] != c->val[a])
			kw_cmp_add(d, kw->name,
				   kw_has(o, a) ? kw_value(b1, sizeof(b1), kw, o->val[a]) : "none",
				   kw_value(b2, sizeof(b2), kw, c->val[a]),
				   fixed);
		break;
	}
	return 0;
}

static int kw_cmp_cb(const struct nl_reply *reply, void *priv)
{
	struct kw_cmp *d = priv;
	const struct kw_table *t = d->t;
	const struct kw *kw;
	size_t i;
	int ret;

	if (!nl_attr_str(reply->tb[t->name_attr]))
		return -EPROTO;
	d->reply = reply;
	for (i = 0; i < t->n; i++) {
		kw = &t->kws[i];
		if (kw->ops & KW_NOCMP)
			continue;
		ret = kw_read(&d->old, reply->tb, kw->attr, kw->wire);
		if (!ret)
			ret = kw_read(&d->old, reply->tb, kw->attr2, kw->wire2);
		if (ret)
			return ret;
	}
	ret = t->cmp ? t->cmp(d) : 0;
	for (i = 0; i < t->n && !ret; i++)
		if ((d->c->kws & BIT(i)) && !(t->kws[i].ops & KW_NOCMP))
			ret = kw_cmp_row(d, &t->kws[i]);
	return ret;
}

/**
 * kw_exists() - a batch add of what exists
 * @cli: the invocation
 * @nl: its netlink context
 * @t: the keywords
 * @c: the settings of the command line
 * @name: the name of the log or target
 *
 * A no-op if it has the settings given (those of KW_NOCMP rows and flags
 * only matter at creation and are not compared), else an error naming what
 * differs.
 *
 * Return: the exit status.
 */
int kw_exists(struct cli *cli, struct nl_ctx *nl, const struct kw_table *t,
	      const struct kw_conf *c, const char *name)
{
	struct kw_cmp d = { .t = t, .c = c };
	struct nl_req *req;

	req = nl_req_start(nl, t->cmd_get, 0);
	nl_req_put_str(req, t->name_attr, name);
	if (nl_request(nl, req, t->attr_max, kw_cmp_cb, &d) < 0) {
		cli_nl_error(cli, c->op);
		return KF_EXIT_ERROR;
	}
	if (!d.len) {
		if (cli->verbose)
			errmsg("%s: %s %s exists as given: nothing to do",
			       c->op, t->what, name);
		return KF_EXIT_OK;
	}
	if (d.fixed)
		errmsg("%s: %s %s exists with %s: %s are fixed at creation: delete the %s first ('" PROG " %s del %s')",
		       c->op, t->what, name, d.diff, t->fixed, t->what,
		       t->what, name);
	else
		errmsg("%s: %s %s exists with %s: change it with '" PROG " %s set %s ...', or delete it first",
		       c->op, t->what, name, d.diff, t->what, name);
	return KF_EXIT_ERROR;
}
