// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: generic netlink handlers of the target operations (target-new,
 * target-del, target-get, target-set, and tls-report from the handshake
 * agent). As in netlink.c, handlers parse, call into target.c and reply;
 * they never use a target's socket themselves (tls-report only looks up
 * the agent's descriptor, to compare).
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/key.h>
#include <linux/net.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/netlink-gen.h"
#include "kmod/stats.h"
#include "kmod/target.h"

/*
 * Settings present in the request; absent ones keep their value in @cfg.
 * The RELP ones are refused on a target whose @ack is not relp, the TLS
 * ones on a target without @tls.
 */
static int klf_nl_target_config(struct genl_info *info, struct klf_target_config *cfg,
				u32 ack, bool tls)
{
	struct nlattr **tb = info->attrs;
	static const struct {
		int type;
		const char *name;
	} relp[] = {
		{ KLOGFWD_A_TARGET_RELP_WINDOW, "window" },
		{ KLOGFWD_A_TARGET_RELP_MAX_FRAME, "max-frame" },
		{ KLOGFWD_A_TARGET_RELP_TIMEOUT_S, "timeout" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(relp) && ack != KLOGFWD_ACK_RELP; i++) {
		if (!tb[relp[i].type])
			continue;
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, tb[relp[i].type],
					"%s applies to ack relp targets only", relp[i].name);
		return -EINVAL;
	}
	if (!tls && (tb[KLOGFWD_A_TARGET_TLS_REKEY_S] || tb[KLOGFWD_A_TARGET_TLS_REKEY_BYTES])) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS_REKEY_S] ?:
				    tb[KLOGFWD_A_TARGET_TLS_REKEY_BYTES],
				    "rekey-after and rekey-bytes apply to tls targets only");
		return -EINVAL;
	}
	if (tb[KLOGFWD_A_TARGET_TLS_REKEY_S])
		cfg->tls_rekey_s = nla_get_u32(tb[KLOGFWD_A_TARGET_TLS_REKEY_S]);
	if (tb[KLOGFWD_A_TARGET_TLS_REKEY_BYTES])
		cfg->tls_rekey_bytes = klf_nla_get_uint(tb[KLOGFWD_A_TARGET_TLS_REKEY_BYTES]);
	if (tb[KLOGFWD_A_TARGET_RELP_WINDOW])
		cfg->relp_window = nla_get_u32(tb[KLOGFWD_A_TARGET_RELP_WINDOW]);
	if (tb[KLOGFWD_A_TARGET_RELP_MAX_FRAME])
		cfg->relp_max_frame = nla_get_u32(tb[KLOGFWD_A_TARGET_RELP_MAX_FRAME]);
	if (tb[KLOGFWD_A_TARGET_RELP_TIMEOUT_S])
		cfg->relp_timeout_s = nla_get_u32(tb[KLOGFWD_A_TARGET_RELP_TIMEOUT_S]);

	if (tb[KLOGFWD_A_TARGET_BACKOFF_MIN_MS])
		cfg->backoff_min_ms = nla_get_u32(tb[KLOGFWD_A_TARGET_BACKOFF_MIN_MS]);
	if (tb[KLOGFWD_A_TARGET_BACKOFF_MAX_MS])
		cfg->backoff_max_ms = nla_get_u32(tb[KLOGFWD_A_TARGET_BACKOFF_MAX_MS]);
	if (tb[KLOGFWD_A_TARGET_KEEPALIVE_S])
		cfg->keepalive_s = nla_get_u32(tb[KLOGFWD_A_TARGET_KEEPALIVE_S]);
	if (tb[KLOGFWD_A_TARGET_USER_TIMEOUT_MS])
		cfg->user_timeout_ms = nla_get_u32(tb[KLOGFWD_A_TARGET_USER_TIMEOUT_MS]);
	if (tb[KLOGFWD_A_TARGET_NODELAY])
		cfg->nodelay = nla_get_u8(tb[KLOGFWD_A_TARGET_NODELAY]);
	if (tb[KLOGFWD_A_TARGET_SNDBUF])
		cfg->sndbuf = nla_get_u32(tb[KLOGFWD_A_TARGET_SNDBUF]);
	return klf_target_config_check(cfg, info->extack);
}

/* The receiver's address: exactly one of ipv4 and ipv6, and a port. */
static int klf_nl_target_addr(struct genl_info *info, struct sockaddr_storage *ss, int *len)
{
	struct nlattr **tb = info->attrs;
	u16 port;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_PORT))
		return -EINVAL;
	port = nla_get_u16(tb[KLOGFWD_A_TARGET_PORT]);
	memset(ss, 0, sizeof(*ss));
	if (tb[KLOGFWD_A_TARGET_IPV4] && tb[KLOGFWD_A_TARGET_IPV6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_IPV6],
				    "give either ipv4 or ipv6, not both");
		return -EINVAL;
	}
	if (tb[KLOGFWD_A_TARGET_IPV4]) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = nla_get_in_addr(tb[KLOGFWD_A_TARGET_IPV4]);
		sin->sin_port = htons(port);
		if (ipv4_is_multicast(sin->sin_addr.s_addr) ||
		    ipv4_is_lbcast(sin->sin_addr.s_addr) ||
		    ipv4_is_zeronet(sin->sin_addr.s_addr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_IPV4],
					    "not a unicast address");
			return -EINVAL;
		}
		*len = sizeof(*sin);
	} else if (tb[KLOGFWD_A_TARGET_IPV6]) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = nla_get_in6_addr(tb[KLOGFWD_A_TARGET_IPV6]);
		sin6->sin6_port = htons(port);
		if (ipv6_addr_is_multicast(&sin6->sin6_addr) ||
		    ipv6_addr_any(&sin6->sin6_addr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_IPV6],
					    "not a unicast address");
			return -EINVAL;
		}
		*len = sizeof(*sin6);
	} else {
		NL_SET_ERR_MSG(info->extack, "missing the receiver's address (ipv4 or ipv6)");
		return -EINVAL;
	}
	return 0;
}

/* tls-cert, tls-key or tls-psk: the key at @attr, if any, into *@keyp */
static int klf_nl_tls_key(struct genl_info *info, int attr, struct key **keyp)
{
	struct nlattr *a = info->attrs[attr];
	u32 serial;
	int ret;

	if (!a)
		return 0;
	serial = nla_get_u32(a);
	ret = klf_tls_key_get(serial, keyp);
	if (ret == -EINVAL)
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, a,
					"key %u is not of type user: the agent could not read it",
					serial);
	else if (ret)
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, a,
					"key %u: no such key that the caller may read (%pe)",
					serial, ERR_PTR(ret));
	return ret;
}

/*
 * TLS: @tls->peername becomes NULL without, the peer name or "" (the
 * address) with; @tls->cert and @tls->privkey the client certificate's
 * keys, @tls->psk the pre-shared key's, with references the caller puts.
 * Refused where the kernel has no handshake upcall.
 */
static int klf_nl_target_tls(struct genl_info *info, struct klf_tls_params *tls)
{
	struct nlattr **tb = info->attrs;
	bool on = tb[KLOGFWD_A_TARGET_TLS] && nla_get_u8(tb[KLOGFWD_A_TARGET_TLS]);
	static const int only[] = {
		KLOGFWD_A_TARGET_TLS_PEERNAME, KLOGFWD_A_TARGET_TLS_CERT, KLOGFWD_A_TARGET_TLS_KEY,
		KLOGFWD_A_TARGET_TLS_PSK,
	};
	int i, ret;

	memset(tls, 0, sizeof(*tls));
	if (!on) {
		for (i = 0; i < ARRAY_SIZE(only); i++) {
			if (!tb[only[i]])
				continue;
			NL_SET_ERR_MSG_ATTR(info->extack, tb[only[i]],
					    "peername, cert, key and psk apply to tls targets only");
			return -EINVAL;
		}
		return 0;
	}
	if (!klf_have_tls()) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS],
				    "tls needs Linux 6.5 or newer: this kernel has no TLS handshake upcall (net/handshake)");
		return -EOPNOTSUPP;
	}
	if (!tb[KLOGFWD_A_TARGET_TLS_CERT] != !tb[KLOGFWD_A_TARGET_TLS_KEY]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS_CERT] ?:
				    tb[KLOGFWD_A_TARGET_TLS_KEY],
				    "tls-cert and tls-key go together: a client certificate needs its private key");
		return -EINVAL;
	}
	if (tb[KLOGFWD_A_TARGET_TLS_PSK] && tb[KLOGFWD_A_TARGET_TLS_CERT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS_PSK],
				    "tls-psk or tls-cert: a session is authenticated by a pre-shared key or by certificates, not both");
		return -EINVAL;
	}
	if (tb[KLOGFWD_A_TARGET_TLS_PEERNAME] &&
	    !*(char *)nla_data(tb[KLOGFWD_A_TARGET_TLS_PEERNAME])) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS_PEERNAME],
				    "empty peername: leave it out for the receiver's address");
		return -EINVAL;
	}
	tls->peername = tb[KLOGFWD_A_TARGET_TLS_PEERNAME] ?
			nla_data(tb[KLOGFWD_A_TARGET_TLS_PEERNAME]) : "";
	ret = klf_nl_tls_key(info, KLOGFWD_A_TARGET_TLS_CERT, &tls->cert);
	if (!ret)
		ret = klf_nl_tls_key(info, KLOGFWD_A_TARGET_TLS_KEY, &tls->privkey);
	if (!ret)
		ret = klf_nl_tls_key(info, KLOGFWD_A_TARGET_TLS_PSK, &tls->psk);
	if (!ret && tls->psk && tls->psk->datalen < KLOGFWD_TLS_PSK_MIN) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, tb[KLOGFWD_A_TARGET_TLS_PSK],
					"psk key %u holds %u bytes: a pre-shared key needs at least %u",
					key_serial(tls->psk), tls->psk->datalen,
					KLOGFWD_TLS_PSK_MIN);
		ret = -EINVAL;
	}
	if (ret) {
		key_put(tls->psk);
		key_put(tls->privkey);
		key_put(tls->cert);
		memset(tls, 0, sizeof(*tls));
	}
	return ret;
}

/**
 * klogfwd_nl_target_new_doit() - create a target
 * @skb: request
 * @info: request attributes and addressing
 *
 * Context: process context, no locks held.
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_target_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct klf_target_config cfg;
	struct sockaddr_storage ss;
	u32 start = KLOGFWD_START_EARLIEST, ack = KLOGFWD_ACK_TCP;
	struct klf_tls_params tls;
	struct klf_target *t;
	bool tls_on;
	struct klf_log *log;
	u64 from = 0;
	int ret, len;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_LOG))
		return -EINVAL;
	ret = klf_nl_target_addr(info, &ss, &len);
	if (ret)
		return ret;
	if (tb[KLOGFWD_A_TARGET_ACK])
		ack = nla_get_u32(tb[KLOGFWD_A_TARGET_ACK]);
	klf_target_config_default(&cfg);
	tls_on = tb[KLOGFWD_A_TARGET_TLS] && nla_get_u8(tb[KLOGFWD_A_TARGET_TLS]);
	ret = klf_nl_target_config(info, &cfg, ack, tls_on);
	if (ret)
		return ret;
	if (tb[KLOGFWD_A_TARGET_START])
		start = nla_get_u32(tb[KLOGFWD_A_TARGET_START]);
	if (tb[KLOGFWD_A_TARGET_FROM_OFFSET]) {
		if (start != KLOGFWD_START_OFFSET) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_FROM_OFFSET],
					    "from-offset goes with start offset");
			return -EINVAL;
		}
		from = klf_nla_get_uint(tb[KLOGFWD_A_TARGET_FROM_OFFSET]);
	} else if (start == KLOGFWD_START_OFFSET) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_START],
				    "start offset needs from-offset");
		return -EINVAL;
	}

	ret = klf_nl_target_tls(info, &tls);
	if (ret)
		return ret;

	log = klf_log_find(genl_info_net(info), nla_data(tb[KLOGFWD_A_TARGET_LOG]));
	if (!log) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_LOG], "no such log");
		ret = -ENOENT;
		goto out;
	}
	ret = klf_nl_kmsg_perm(skb, info, log);
	if (ret) {
		klf_log_put(log);
		goto out;
	}
	t = klf_target_create(genl_info_net(info), nla_data(tb[KLOGFWD_A_TARGET_NAME]), log,
			      &ss, len, ack, start, from, &cfg, tls.peername ? &tls : NULL,
			      tb[KLOGFWD_A_TARGET_PAUSED] &&
			      nla_get_u8(tb[KLOGFWD_A_TARGET_PAUSED]),
			      info->extack);
	klf_log_put(log);
	ret = PTR_ERR_OR_ZERO(t);
out:
	key_put(tls.psk);
	key_put(tls.privkey);
	key_put(tls.cert);
	return ret;
}

/**
 * klogfwd_nl_target_del_doit() - delete a target
 * @skb: request
 * @info: request attributes and addressing
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_target_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_NAME))
		return -EINVAL;
	ret = klf_target_delete(genl_info_net(info), nla_data(info->attrs[KLOGFWD_A_TARGET_NAME]),
				netlink_capable(skb, CAP_SYSLOG));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_TARGET_NAME],
				    "no such target");
	if (ret == -EPERM)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_TARGET_NAME],
				    "source kmsg: changing or forwarding this log needs CAP_SYSLOG");
	return ret;
}

/**
 * klogfwd_nl_target_set_doit() - change a target's settings
 * @skb: request
 * @info: request attributes and addressing
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_target_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct klf_target_config cfg;
	struct klf_target *t;
	int ret, paused = -1;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_NAME))
		return -EINVAL;
	if (tb[KLOGFWD_A_TARGET_PAUSED])
		paused = nla_get_u8(tb[KLOGFWD_A_TARGET_PAUSED]);
	mutex_lock(&klf_targets_lock);
	t = klf_target_find(genl_info_net(info), nla_data(tb[KLOGFWD_A_TARGET_NAME]));
	if (!t) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_NAME], "no such target");
		ret = -ENOENT;
		goto out;
	}
	ret = klf_nl_kmsg_perm(skb, info, t->log);
	if (ret)
		goto out;
	mutex_lock(&t->lock);
	cfg = t->cfg;
	mutex_unlock(&t->lock);
	ret = klf_nl_target_config(info, &cfg, t->ack, t->tls);
	if (!ret)
		klf_target_set(t, &cfg, paused);
out:
	mutex_unlock(&klf_targets_lock);
	return ret;
}

static int klf_nl_target_fill(struct sk_buff *msg, struct klf_target *t, u32 portid,
			      u32 seq, int flags, u8 cmd, struct netlink_callback *cb)
{
	struct klf_target_snap s;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	klf_target_snapshot(t, &s);
	hdr = genlmsg_put(msg, portid, seq, &klogfwd_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_string(msg, KLOGFWD_A_TARGET_NAME, t->name) ||
	    nla_put_string(msg, KLOGFWD_A_TARGET_LOG, t->log->name))
		goto err;
	if (t->addr.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;

		if (nla_put_in_addr(msg, KLOGFWD_A_TARGET_IPV4, sin->sin_addr.s_addr) ||
		    nla_put_u16(msg, KLOGFWD_A_TARGET_PORT, ntohs(sin->sin_port)))
			goto err;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;

		if (nla_put_in6_addr(msg, KLOGFWD_A_TARGET_IPV6, &sin6->sin6_addr) ||
		    nla_put_u16(msg, KLOGFWD_A_TARGET_PORT, ntohs(sin6->sin6_port)))
			goto err;
	}
	if (nla_put_u32(msg, KLOGFWD_A_TARGET_ACK, t->ack) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_BACKOFF_MIN_MS, s.cfg.backoff_min_ms) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_BACKOFF_MAX_MS, s.cfg.backoff_max_ms) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_KEEPALIVE_S, s.cfg.keepalive_s) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_USER_TIMEOUT_MS, s.cfg.user_timeout_ms) ||
	    nla_put_u8(msg, KLOGFWD_A_TARGET_NODELAY, s.cfg.nodelay) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_SNDBUF, s.cfg.sndbuf) ||
	    nla_put_u8(msg, KLOGFWD_A_TARGET_PAUSED, s.paused) ||
	    nla_put_u8(msg, KLOGFWD_A_TARGET_TLS, !!t->tls) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_STATE, s.state))
		goto err;
	if (t->ack == KLOGFWD_ACK_RELP &&
	    (nla_put_u32(msg, KLOGFWD_A_TARGET_RELP_WINDOW, s.cfg.relp_window) ||
	     nla_put_u32(msg, KLOGFWD_A_TARGET_RELP_MAX_FRAME, s.cfg.relp_max_frame) ||
	     nla_put_u32(msg, KLOGFWD_A_TARGET_RELP_TIMEOUT_S, s.cfg.relp_timeout_s)))
		goto err;
	if (t->tls &&
	    (nla_put_string(msg, KLOGFWD_A_TARGET_TLS_PEERNAME, t->tls_peername) ||
	     nla_put_u16(msg, KLOGFWD_A_TARGET_TLS_VERSION, s.tls_version) ||
	     nla_put_u16(msg, KLOGFWD_A_TARGET_TLS_CIPHER, s.tls_cipher)))
		goto err;
	if (t->tls &&
	    (nla_put_u32(msg, KLOGFWD_A_TARGET_TLS_REKEY_S, s.cfg.tls_rekey_s) ||
	     klf_nla_put_uint(msg, KLOGFWD_A_TARGET_TLS_REKEY_BYTES, s.cfg.tls_rekey_bytes)))
		goto err;
	if (t->tls && t->tls->cert &&
	    (nla_put_u32(msg, KLOGFWD_A_TARGET_TLS_CERT, key_serial(t->tls->cert)) ||
	     nla_put_u32(msg, KLOGFWD_A_TARGET_TLS_KEY, key_serial(t->tls->privkey))))
		goto err;
	if (t->tls && t->tls->psk &&
	    nla_put_u32(msg, KLOGFWD_A_TARGET_TLS_PSK, key_serial(t->tls->psk)))
		goto err;
	if (s.tls_alert && nla_put_u16(msg, KLOGFWD_A_TARGET_TLS_ALERT, s.tls_alert))
		goto err;
	if (s.tls_peer[0] && nla_put_string(msg, KLOGFWD_A_TARGET_TLS_PEER, s.tls_peer))
		goto err;
	if (s.tls_hs_alert &&
	    nla_put_u32(msg, KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT, s.tls_hs_alert))
		goto err;
	nest = nla_nest_start(msg, KLOGFWD_A_TARGET_STATS);
	if (!nest)
		goto err;
	if (klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_NEXT_OFFSET, s.next_offset) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_ACKED_OFFSET, s.acked_offset) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_LAG_RECORDS, s.lag_records) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_LAG_BYTES, s.lag_bytes) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_STATS_LAST_ERROR, s.last_error) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_DROPPED_RECORDS, s.dropped) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_LAST_ERROR_TIME, s.last_error_time) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_STATS_LAST_DISCONNECT, s.last_disconnect) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_LAST_DISCONNECT_TIME,
			     s.last_disconnect_time) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_STATS_LAST_CONNECT_TIME,
			     s.last_connect_time))
		goto err;
	for (i = 0; i < klf_target_ncounters; i++)
		if (klf_nla_put_uint(msg, klf_target_counters[i].attr,
				     klf_counter_get(&s.stats, &klf_target_counters[i])))
			goto err;
	if (t->ack == KLOGFWD_ACK_RELP) {
		for (i = 0; i < klf_relp_ncounters; i++)
			if (klf_nla_put_uint(msg, klf_relp_counters[i].attr,
					     klf_counter_get(&s.stats, &klf_relp_counters[i])))
				goto err;
		if (nla_put_u32(msg, KLOGFWD_A_TARGET_STATS_RELP_LAST_CODE,
				s.stats.relp_last_code))
			goto err;
	}
	for (i = 0; t->tls && i < klf_tls_ncounters; i++)
		if (klf_nla_put_uint(msg, klf_tls_counters[i].attr,
				     klf_counter_get(&s.stats, &klf_tls_counters[i])))
			goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return 0;
err:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/**
 * klogfwd_nl_target_get_doit() - report one target
 * @skb: request
 * @info: request attributes and addressing
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_target_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct klf_target *t;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_NAME))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&klf_targets_lock);
	t = klf_target_find(genl_info_net(info), nla_data(info->attrs[KLOGFWD_A_TARGET_NAME]));
	if (!t) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLOGFWD_A_TARGET_NAME],
				    "no such target");
		ret = -ENOENT;
	} else {
		ret = klf_nl_target_fill(msg, t, info->snd_portid, info->snd_seq, 0,
					 KLOGFWD_CMD_TARGET_GET, NULL);
	}
	mutex_unlock(&klf_targets_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int klf_nl_target_dump_one(struct sk_buff *skb, struct klf_target *t,
				  struct netlink_callback *cb)
{
	return klf_nl_target_fill(skb, t, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  NLM_F_MULTI, KLOGFWD_CMD_TARGET_GET, cb);
}

/**
 * klogfwd_nl_target_get_dumpit() - report every target of the namespace
 * @skb: reply buffer
 * @cb: dump state (klf_targets_dump())
 *
 * A target created or deleted between two parts of the dump makes the
 * messages after it carry NLM_F_DUMP_INTR; none is sent twice or skipped
 * that existed throughout.
 *
 * Return: the reply length, 0 at the end, or a negative errno.
 */
int klogfwd_nl_target_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	if (nlmsg_len(cb->nlh) > GENL_HDRLEN) {
		NL_SET_ERR_MSG(cb->extack, "the target-get dump takes no attributes");
		return -EINVAL;
	}
	return klf_targets_dump(sock_net(skb->sk), skb, cb, klf_nl_target_dump_one);
}

/**
 * klf_nl_target_notify() - tell the monitor group a target changed state
 * @t: the target, not locked (its lock and its log's are taken)
 *
 * Context: process context. Costs nothing without listeners.
 */
void klf_nl_target_notify(struct klf_target *t)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&klogfwd_nl_family, t->net, KLOGFWD_NLGRP_MONITOR))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (klf_nl_target_fill(msg, t, 0, 0, 0, KLOGFWD_CMD_TARGET_STATE_NTF, NULL)) {
		nlmsg_free(msg);
		return;
	}
	klf_nl_notify(t->net, msg);
}

/**
 * klf_nl_target_event() - tell the monitor group what happened to a target
 * @t: the target (its lock may be held)
 * @event: KLOGFWD_TARGET_EVENT_*
 * @count: the event's count
 *
 * Context: process context. Costs nothing without listeners.
 */
void klf_nl_target_event(struct klf_target *t, u32 event, u64 count)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&klogfwd_nl_family, t->net, KLOGFWD_NLGRP_MONITOR))
		return;
	/* its own size, as log events (a listener is charged the truesize) */
	msg = genlmsg_new(nla_total_size(strlen(t->name) + 1) +
			  nla_total_size(strlen(t->log->name) + 1) + nla_total_size(sizeof(u32)) +
			  nla_total_size(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &klogfwd_nl_family, 0, KLOGFWD_CMD_TARGET_EVENT_NTF);
	if (!hdr ||
	    nla_put_string(msg, KLOGFWD_A_TARGET_NAME, t->name) ||
	    nla_put_string(msg, KLOGFWD_A_TARGET_LOG, t->log->name) ||
	    nla_put_u32(msg, KLOGFWD_A_TARGET_EVENT, event) ||
	    klf_nla_put_uint(msg, KLOGFWD_A_TARGET_COUNT, count)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	klf_nl_notify(t->net, msg);
}

/**
 * klogfwd_nl_tls_report_doit() - the handshake agent tells how a handshake ended
 * @skb: request
 * @info: request attributes and addressing
 *
 * The agent sends it before the handshake family's done, naming the socket
 * by its own descriptor: holding that descriptor is what lets it speak for
 * the handshake.
 *
 * Return: 0 or a negative errno.
 */
int klogfwd_nl_tls_report_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct socket *sock;
	unsigned int level;
	u32 alert;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_TLS_SOCKFD) ||
	    GENL_REQ_ATTR_CHECK(info, KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT))
		return -EINVAL;
	alert = nla_get_u32(tb[KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT]);
	level = alert >> 8 & 0xff;
	if (level != 1 && level != 2) {
		NL_SET_ERR_MSG_ATTR_FMT(info->extack, tb[KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT],
					"tls-handshake-alert: level %u is neither warning (1) nor fatal (2)",
					level);
		return -EINVAL;
	}
	sock = sockfd_lookup(nla_get_u32(tb[KLOGFWD_A_TARGET_TLS_SOCKFD]), &ret);
	if (!sock) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS_SOCKFD],
				    "tls-sockfd is not a socket descriptor of the caller");
		return ret;
	}
	mutex_lock(&klf_targets_lock);
	ret = klf_targets_tls_report(genl_info_net(info), sock, alert);
	mutex_unlock(&klf_targets_lock);
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KLOGFWD_A_TARGET_TLS_SOCKFD],
				    "tls-sockfd is not the socket of a target of this namespace in handshake");
	sockfd_put(sock);
	return ret;
}
