// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of a log or a target, from a log-get or target-get reply,
 * as the words "log add" and "target add" take them: sizes and durations
 * with the largest unit that divides them, enum values by name. Used by
 * klogfwd save (the batch lines) and by log show and target show (their
 * first line), so that what show prints can be given back as input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/klogfwd.h>

#include "counters.h"
#include "nl.h"
#include "subcommands.h"

static bool get_u32(const struct nlattr *const *tb, uint16_t type, uint64_t *v)
{
	uint32_t v32;

	if (!nl_attr_u32(tb[type], &v32))
		return false;
	*v = v32;
	return true;
}

static void put_enum(FILE *out, const char *kw, const struct enum_names *e,
		     uint64_t v)
{
	const char *name = enum_name(e, v);

	if (name)
		fprintf(out, " %s %s", kw, name);
	else
		fprintf(out, " %s %" PRIu64, kw, v);
}

/*
 * " KW WORD", WORD quoted as a batch line reads it back. A string holding
 * a control character cannot be given on a batch line: it is printed with
 * those as \xNN (for people) and the result is false.
 */
static bool put_str(FILE *out, const char *kw, const char *s)
{
	char buf[2 * KLOGFWD_PATH_LEN + 8];
	const char *p;

	if (batch_quote(buf, sizeof(buf), s)) {
		fprintf(out, " %s %s", kw, buf);
		return true;
	}
	fprintf(out, " %s ", kw);
	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, out);
	}
	return false;
}

enum {
	L_STORAGE, L_FRAMING, L_SEGMENT_BYTES, L_RETAIN_BYTES, L_RETAIN_MS,
	L_MAX_RECORD, L_OVERFLOW, L_SYNC, L_SYNC_MS, L_MODE, L_OWNER, L_GROUP,
	L_INPUT, L_FORMAT, L_FACILITY, L_SEVERITY, L_N,
};

static const uint16_t log_u32[L_N] = {
	[L_STORAGE] = KLOGFWD_A_LOG_STORAGE,
	[L_FRAMING] = KLOGFWD_A_LOG_FRAMING,
	[L_SEGMENT_BYTES] = KLOGFWD_A_LOG_SEGMENT_BYTES,
	[L_MAX_RECORD] = KLOGFWD_A_LOG_MAX_RECORD,
	[L_OVERFLOW] = KLOGFWD_A_LOG_OVERFLOW,
	[L_SYNC] = KLOGFWD_A_LOG_SYNC,
	[L_SYNC_MS] = KLOGFWD_A_LOG_SYNC_INTERVAL_MS,
	[L_MODE] = KLOGFWD_A_LOG_MODE,
	[L_OWNER] = KLOGFWD_A_LOG_OWNER,
	[L_GROUP] = KLOGFWD_A_LOG_GROUP,
	[L_INPUT] = KLOGFWD_A_LOG_INPUT,
	[L_FORMAT] = KLOGFWD_A_LOG_FORMAT,
	[L_FACILITY] = KLOGFWD_A_LOG_FACILITY,
	[L_SEVERITY] = KLOGFWD_A_LOG_SEVERITY,
};

/**
 * log_conf_print() - the settings of a log as "log add NAME" takes them
 * @out: where to print them
 * @tb: the attributes of a log-get reply
 * @node: a hostname to leave out (the default one), or NULL
 *
 * Prints " memory" or " dir PATH", then every other setting: framing,
 * segment-bytes, retain-bytes, retain-ms, max-record, overflow, sync, mode,
 * owner, group, input, format, hostname (unless it is @node), app-name,
 * facility and severity, each a space before it. Nothing else: no name,
 * no newline.
 *
 * Return: 0; -EPROTO if the reply lacks a setting (nothing is printed);
 * -EINVAL if the directory holds a control character, which no batch line
 * can give (it is printed with \xNN).
 */
int log_conf_print(FILE *out, const struct nlattr *const *tb, const char *node)
{
	const char *dir, *host, *app;
	char b1[32], b2[32];
	uint64_t v[L_N];
	int ret = 0;
	int i;

	dir = nl_attr_str(tb[KLOGFWD_A_LOG_DIR]);
	host = nl_attr_str(tb[KLOGFWD_A_LOG_HOSTNAME]);
	app = nl_attr_str(tb[KLOGFWD_A_LOG_APP_NAME]);
	if (!host || !app ||
	    !nl_attr_uint(tb[KLOGFWD_A_LOG_RETAIN_BYTES], &v[L_RETAIN_BYTES]) ||
	    !nl_attr_uint(tb[KLOGFWD_A_LOG_RETAIN_MS], &v[L_RETAIN_MS]))
		return -EPROTO;
	for (i = 0; i < L_N; i++)
		if (log_u32[i] && !get_u32(tb, log_u32[i], &v[i]))
			return -EPROTO;
	if (v[L_STORAGE] == KLOGFWD_STORAGE_DIR && !dir)
		return -EPROTO;

	if (v[L_STORAGE] == KLOGFWD_STORAGE_DIR) {
		if (!put_str(out, "dir", dir))
			ret = -EINVAL;
	} else {
		fputs(" memory", out);
	}
	put_enum(out, "framing", &klf_framing_enum, v[L_FRAMING]);
	fprintf(out, " segment-bytes %s retain-bytes %s",
		fmt_size(b1, sizeof(b1), v[L_SEGMENT_BYTES]),
		fmt_size(b2, sizeof(b2), v[L_RETAIN_BYTES]));
	fprintf(out, " retain-ms %s max-record %s",
		fmt_ms(b1, sizeof(b1), v[L_RETAIN_MS]),
		fmt_size(b2, sizeof(b2), v[L_MAX_RECORD]));
	put_enum(out, "overflow", &klf_overflow_enum, v[L_OVERFLOW]);
	if (v[L_SYNC] == KLOGFWD_SYNC_INTERVAL)
		fprintf(out, " sync %s", fmt_ms(b1, sizeof(b1), v[L_SYNC_MS]));
	else
		put_enum(out, "sync", &klf_sync_enum, v[L_SYNC]);
	fprintf(out, " mode %04" PRIo64 " owner %" PRIu64 " group %" PRIu64,
		v[L_MODE], v[L_OWNER], v[L_GROUP]);
	put_enum(out, "input", &klf_input_enum, v[L_INPUT]);
	put_enum(out, "format", &klf_format_enum, v[L_FORMAT]);
	/* printable ASCII without blanks (the kernel's rule): always quotable */
	if (!node || strcmp(host, node))
		put_str(out, "hostname", host);
	put_str(out, "app-name", app);
	put_enum(out, "facility", &syslog_facility_enum, v[L_FACILITY]);
	put_enum(out, "severity", &syslog_severity_enum, v[L_SEVERITY]);
	return ret;
}

/**
 * target_conf_print() - a target as "target add NAME" takes it
 * @out: where to print it
 * @tb: the attributes of a target-get reply
 * @from: the word after "from", or NULL for none
 *
 * Prints " log LOG to ADDR:PORT", " from FROM" if @from, then ack,
 * backoff, keepalive, user-timeout, nodelay, sndbuf and, for a paused
 * target, " paused", each a space before it. No name, no newline.
 *
 * Return: 0, or -EPROTO if the reply lacks one of them (nothing is printed).
 */
int target_conf_print(FILE *out, const struct nlattr *const *tb,
		      const char *from)
{
	char addr[INET6_ADDRSTRLEN], b1[32], b2[32];
	uint64_t ack, bmin, bmax, ka, uto, sndbuf;
	const void *data;
	const char *log;
	uint8_t nodelay, paused;
	uint16_t port;
	size_t len = 0;
	bool v6 = false;

	log = nl_attr_str(tb[KLOGFWD_A_TARGET_LOG]);
	data = nl_attr_data(tb[KLOGFWD_A_TARGET_IPV6], &len);
	if (data && len == sizeof(struct in6_addr)) {
		v6 = true;
	} else {
		data = nl_attr_data(tb[KLOGFWD_A_TARGET_IPV4], &len);
		if (!data || len != sizeof(struct in_addr))
			return -EPROTO;
	}
	if (!log ||
	    !inet_ntop(v6 ? AF_INET6 : AF_INET, data, addr, sizeof(addr)) ||
	    !nl_attr_u16(tb[KLOGFWD_A_TARGET_PORT], &port) ||
	    !get_u32(tb, KLOGFWD_A_TARGET_ACK, &ack) ||
	    !get_u32(tb, KLOGFWD_A_TARGET_BACKOFF_MIN_MS, &bmin) ||
	    !get_u32(tb, KLOGFWD_A_TARGET_BACKOFF_MAX_MS, &bmax) ||
	    !get_u32(tb, KLOGFWD_A_TARGET_KEEPALIVE_S, &ka) ||
	    !get_u32(tb, KLOGFWD_A_TARGET_USER_TIMEOUT_MS, &uto) ||
	    !get_u32(tb, KLOGFWD_A_TARGET_SNDBUF, &sndbuf) ||
	    !nl_attr_u8(tb[KLOGFWD_A_TARGET_NODELAY], &nodelay) ||
	    !nl_attr_u8(tb[KLOGFWD_A_TARGET_PAUSED], &paused))
		return -EPROTO;

	fprintf(out, " log %s to %s%s%s:%u", log, v6 ? "[" : "", addr,
		v6 ? "]" : "", port);
	if (from)
		fprintf(out, " from %s", from);
	put_enum(out, "ack", &klf_ack_enum, ack);
	fprintf(out, " backoff %s-%s", fmt_ms(b1, sizeof(b1), bmin),
		fmt_ms(b2, sizeof(b2), bmax));
	fprintf(out, " keepalive %" PRIu64 " user-timeout %s nodelay %s sndbuf %s",
		ka, fmt_ms(b1, sizeof(b1), uto), nodelay ? "on" : "off",
		fmt_size(b2, sizeof(b2), sndbuf));
	if (paused)
		fputs(" paused", out);
	return 0;
}
