// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of a reply, read with the width of each attribute: for the
 * comparison of a batch add (kw_cmp.c) and for "log show" and "target
 * show", whose JSON members come from one table of attributes each.
 */
#include <errno.h>
#include <stdint.h>

#include "json.h"
#include "kw.h"
#include "nl.h"
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

/**
 * kw_attrs_read() - read the attributes of a table from a reply
 * @c: the settings to fill
 * @tb: the attributes of the reply, by type
 * @a: the table
 * @n: its number of rows
 *
 * Return: 0 or -EPROTO.
 */
int kw_attrs_read(struct kw_conf *c, const struct nlattr *const *tb,
		  const struct kw_attr *a, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = kw_read(c, tb, a[i].type, a[i].wire);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * kw_attrs_json() - the attributes of a table as members of a JSON object
 * @j: the JSON output, in an open object
 * @c: the values, from kw_attrs_read()
 * @a: the table
 * @n: its number of rows
 *
 * Every row is a member: null if the reply did not have it, a boolean for
 * a KW_W_U8, a string for a KW_W_STR and a value of the row's enum, else a
 * number.
 */
void kw_attrs_json(struct json *j, const struct kw_conf *c,
		   const struct kw_attr *a, size_t n)
{
	const char *name;
	uint16_t type;
	size_t i;

	for (i = 0; i < n; i++) {
		type = a[i].type;
		json_key_attr(j, a[i].name);
		if (!kw_has(c, type)) {
			json_null(j);
			continue;
		}
		if (a[i].wire == KW_W_STR) {
			json_str(j, c->ptr[type]);
			continue;
		}
		if (a[i].wire == KW_W_U8) {
			json_bool(j, c->val[type]);
			continue;
		}
		name = a[i].e ? enum_name(a[i].e, c->val[type]) : NULL;
		if (name)
			json_str(j, name);
		else
			json_u64(j, c->val[type]);
	}
}
