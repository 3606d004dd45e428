// SPDX-License-Identifier: GPL-2.0
/*
 * Counters of a reply: parsing, names and the one printer, of text and
 * JSON, shared by "stats", "log show" and "target show" (see counters.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "nl.h"
#include "print.h"

/**
 * counters_init() - empty counters of one attribute set
 * @c: the counters
 * @tbl: the set's generated table (klf_*_metrics)
 * @max: the set's highest attribute type this program knows
 */
void counters_init(struct counters *c, const struct klf_metric *tbl,
		   unsigned int max)
{
	memset(c, 0, sizeof(*c));
	c->tbl = tbl;
	c->max = max;
}

/**
 * counters_parse() - read the counters of a parsed attribute table
 * @c: counters from counters_init()
 * @tb: attributes indexed by type, COUNTER_SLOTS entries
 *
 * A known counter that is not 4 or 8 bytes is a protocol error; an unknown
 * one (a newer kernel's) that is not is skipped.
 *
 * Return: 0, or -EPROTO.
 */
int counters_parse(struct counters *c, const struct nlattr *const *tb)
{
	unsigned int type;

	c->present = true;
	for (type = 1; type < COUNTER_SLOTS; type++) {
		if (!tb[type])
			continue;
		if (!nl_attr_uint(tb[type], &c->val[type])) {
			/* skip what a newer kernel may mean differently */
			if (type <= c->max)
				return -EPROTO;
			continue;
		}
		c->have |= 1ULL << type;
	}
	return 0;
}

/**
 * counters_parse_nest() - read the counters of a nested attribute
 * @c: counters from counters_init()
 * @nest: the nest, or NULL if the reply had none (left absent)
 *
 * Return: 0, or -EPROTO.
 */
int counters_parse_nest(struct counters *c, const struct nlattr *nest)
{
	const struct nlattr *tb[COUNTER_SLOTS];

	if (!nest)
		return 0;
	if (nl_attr_parse_nested(nest, tb, COUNTER_SLOTS - 1) < 0)
		return -EPROTO;
	return counters_parse(c, tb);
}

/**
 * counter_has() - whether the reply had a counter
 * @c: the counters
 * @type: its attribute type
 *
 * Return: true if present.
 */
bool counter_has(const struct counters *c, unsigned int type)
{
	return type < COUNTER_SLOTS && (c->have & (1ULL << type));
}

/**
 * counter_metric() - the generated entry of a counter
 * @c: the counters
 * @type: its attribute type
 *
 * Return: the entry, or NULL for a counter newer than this program.
 */
const struct klf_metric *counter_metric(const struct counters *c,
					unsigned int type)
{
	if (type > c->max || !c->tbl[type].name)
		return NULL;
	return &c->tbl[type];
}

/**
 * counter_name() - name of a counter as the CLI prints it
 * @c: the counters
 * @type: its attribute type
 * @buf: room for "counter-N", the name of a counter newer than this program
 * @size: size of @buf
 *
 * Return: the name.
 */
const char *counter_name(const struct counters *c, unsigned int type,
			 char *buf, size_t size)
{
	const struct klf_metric *m = counter_metric(c, type);

	if (m)
		return m->name;
	snprintf(buf, size, "counter-%u", type);
	return buf;
}

/**
 * counters_print() - the counters, as text or as a JSON object
 * @p: the printer
 * @key: JSON: the member the object is, or NULL for a value
 * @c: the counters
 * @lines: text: a "NAME VALUE" line per counter, the name padded to a
 *	   column; else " NAME VALUE" each, on one line
 * @own_fn: a printer tried first for each counter present (NULL: none); it
 *	    returns true if it printed the counter, false to leave it to this
 *	    one
 *
 * Text: the counters present. JSON: every counter this program knows is a
 * member (null if the reply lacked it), followed by any newer one present;
 * null if the set was absent.
 */
void counters_print(struct pr *p, const char *key, const struct counters *c,
		    bool lines,
		    bool (*own_fn)(struct pr *p, unsigned int type, uint64_t v))
{
	const char *name;
	unsigned int type;
	char buf[32];

	if (!c->present) {
		pr_null(p, PRINT_JSON, key, NULL);
		return;
	}
	pr_obj_open(p, key);
	for (type = 1; type < COUNTER_SLOTS; type++) {
		if (type > c->max && !counter_has(c, type))
			continue;
		name = counter_name(c, type, buf, sizeof(buf));
		if (!counter_has(c, type)) {
			pr_null(p, PRINT_JSON, name, NULL);
			continue;
		}
		if (own_fn && type <= c->max && own_fn(p, type, c->val[type]))
			continue;
		pr_fp(p, lines ? "%-20s " : " %s ", name);
		pr_u64(p, PRINT_ANY, name, lines ? "%" PRIu64 "\n" : "%" PRIu64,
		       c->val[type]);
	}
	pr_obj_close(p);
}
