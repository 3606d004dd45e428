// SPDX-License-Identifier: GPL-2.0
/*
 * The logs and targets of the caller's namespace in arrays (objects.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/klogfwd.h>

#include "nl.h"
#include "objects.h"
#include "subcommands.h"

static struct obj *obj_add(struct obj_list *l)
{
	struct obj *v;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? 2 * l->cap : 16;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	return &l->v[l->n++];
}

/**
 * objs_free() - free the objects of a list and the list's array
 * @l: the list, left empty
 */
void objs_free(struct obj_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].log);
		free(l->v[i].dir);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* a copy of string attribute @a into *@to, if present */
static int dup_str(const struct nlattr *a, char **to)
{
	const char *s;

	if (!a)
		return 0;
	s = nl_attr_str(a);
	if (!s)
		return -EPROTO;
	*to = strdup(s);
	return *to ? 0 : -ENOMEM;
}

/* u32 attribute @a into *@to, if present */
static int get_u32(const struct nlattr *a, uint32_t *to)
{
	if (a && !nl_attr_u32(a, to))
		return -EPROTO;
	return 0;
}

static int log_cb(const struct nl_reply *reply, void *priv)
{
	const struct nlattr *const *tb = reply->tb;
	struct obj *o;
	int ret;

	if (!tb[KLOGFWD_A_LOG_NAME])
		return -EPROTO;
	o = obj_add(priv);
	if (!o)
		return -ENOMEM;
	ret = dup_str(tb[KLOGFWD_A_LOG_NAME], &o->name);
	if (!ret)
		ret = dup_str(tb[KLOGFWD_A_LOG_DIR], &o->dir);
	if (!ret)
		ret = get_u32(tb[KLOGFWD_A_LOG_STORAGE], &o->storage);
	if (!ret)
		ret = get_u32(tb[KLOGFWD_A_LOG_FRAMING], &o->framing);
	if (ret)
		return ret;
	counters_init(&o->c, klf_log_stats_metrics, KLOGFWD_A_LOG_STATS_MAX);
	return counters_parse_nest(&o->c, tb[KLOGFWD_A_LOG_STATS]);
}

static int target_addr_parse(const struct nlattr *const *tb, struct obj *o)
{
	const struct nlattr *a = tb[KLOGFWD_A_TARGET_IPV6];
	size_t want = sizeof(struct in6_addr), len;
	const void *data;

	o->family = AF_INET6;
	if (!a) {
		a = tb[KLOGFWD_A_TARGET_IPV4];
		want = sizeof(struct in_addr);
		o->family = AF_INET;
	}
	if (!a) {
		o->family = 0;
		return 0;
	}
	data = nl_attr_data(a, &len);
	if (len != want)
		return -EPROTO;
	memcpy(o->addr, data, len);
	return 0;
}

static int target_cb(const struct nl_reply *reply, void *priv)
{
	const struct nlattr *const *tb = reply->tb;
	struct obj *o;
	uint8_t paused;
	int ret;

	if (!tb[KLOGFWD_A_TARGET_NAME] || !tb[KLOGFWD_A_TARGET_LOG])
		return -EPROTO;
	o = obj_add(priv);
	if (!o)
		return -ENOMEM;
	ret = dup_str(tb[KLOGFWD_A_TARGET_NAME], &o->name);
	if (!ret)
		ret = dup_str(tb[KLOGFWD_A_TARGET_LOG], &o->log);
	if (!ret)
		ret = target_addr_parse(tb, o);
	if (ret)
		return ret;
	if (tb[KLOGFWD_A_TARGET_PORT] &&
	    !nl_attr_u16(tb[KLOGFWD_A_TARGET_PORT], &o->port))
		return -EPROTO;
	if (tb[KLOGFWD_A_TARGET_PAUSED]) {
		if (!nl_attr_u8(tb[KLOGFWD_A_TARGET_PAUSED], &paused))
			return -EPROTO;
		o->paused = paused;
	}
	if (tb[KLOGFWD_A_TARGET_STATE]) {
		if (!nl_attr_u32(tb[KLOGFWD_A_TARGET_STATE], &o->state))
			return -EPROTO;
		o->have_state = true;
	}
	counters_init(&o->c, klf_target_stats_metrics, KLOGFWD_A_TARGET_STATS_MAX);
	return counters_parse_nest(&o->c, tb[KLOGFWD_A_TARGET_STATS]);
}

/**
 * objs_dump() - read every log and every target of the caller's namespace
 * @cli: the invocation, for the error message
 * @nl: its netlink context
 * @logs: filled with the logs (NULL: not read)
 * @targets: filled with the targets (NULL: not read)
 *
 * The two dumps are not one snapshot. On failure the error has been
 * printed; the lists hold what was read and must still be freed.
 *
 * Return: 0 or -1.
 */
int objs_dump(struct cli *cli, struct nl_ctx *nl, struct obj_list *logs,
	      struct obj_list *targets)
{
	struct nl_req *req;

	if (logs) {
		req = nl_req_start(nl, KLOGFWD_CMD_LOG_GET, NL_REQ_DUMP);
		if (nl_request(nl, req, KLOGFWD_A_LOG_MAX, log_cb, logs)) {
			cli_nl_error(cli, "log show");
			return -1;
		}
	}
	if (targets) {
		req = nl_req_start(nl, KLOGFWD_CMD_TARGET_GET, NL_REQ_DUMP);
		if (nl_request(nl, req, KLOGFWD_A_TARGET_MAX, target_cb, targets)) {
			cli_nl_error(cli, "target show");
			return -1;
		}
	}
	return 0;
}
