// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd target: create, change, delete and show forwarding targets
 * (KLOGFWD_CMD_TARGET_NEW, _SET, _DEL and _GET).
 *
 * As for logs, the command line is parsed completely before any netlink
 * traffic, so that every usage error exits 2 whether or not the module is
 * loaded. Only the settings given are sent: the kernel applies the defaults
 * and checks the ranges and the names, and its extended ack explains what
 * it refuses.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/klogfwd.h>

#include "counters.h"
#include "kw.h"
#include "nl.h"
#include "print.h"
#include "subcommands.h"
#include "tlskey.h"

#define TARGET_HOST_MAX		253	/* a DNS name, without the final dot */

static int target_add(struct cli *cli, int argc, char **argv);
static int target_set(struct cli *cli, int argc, char **argv);
static int target_del(struct cli *cli, int argc, char **argv);
static int target_show(struct cli *cli, int argc, char **argv);
static void usage_target_add(FILE *fp);
static void usage_target_set(FILE *fp);
static void usage_target_del(FILE *fp);
static void usage_target_show(FILE *fp);

static const struct cmd target_cmds[] = {
	{ "add",	target_add,	"create a target",	usage_target_add },
	{ "set",	target_set,	"change the settings of a target, pause or resume it",
	  usage_target_set },
	{ "del",	target_del,	"delete a target",	usage_target_del },
	{ "show",	target_show,	"show targets, their settings, state and counters",
	  usage_target_show },
};

/* "from": the values of enum start given by name */
static const char *const from_names[] = {
	[KLOGFWD_START_EARLIEST]	= "earliest",
	[KLOGFWD_START_LATEST]		= "latest",
	[KLOGFWD_START_RESUME]		= "resume",
};

static const char *const onoff_names[] = { "off", "on" };

static const struct enum_names from_enum = ENUM_NAMES(from_names);
static const struct enum_names onoff_enum = ENUM_NAMES(onoff_names);

/* Command line settings */

/* The settings of a target add or target set command line. */
struct target_conf {
	struct kw_conf kc;
	struct in_addr v4;		/* network byte order */
	struct in6_addr v6;
	char host[TARGET_HOST_MAX + 1];	/* "to" HOST:PORT: the name, or "" */
	const char *cert;		/* "cert" FILE or key:SERIAL, or NULL */
	const char *key;		/* "key" FILE or key:SERIAL, or NULL */
	const char *psk;		/* "psk" FILE or key:SERIAL, or NULL */
};

static int parse_to(struct kw_conf *kc, const struct kw *kw, const char *val);
static int cmp_to(struct kw_cmp *d, const struct kw *kw);
static int print_to(struct kw_print *p, const struct kw *kw);
static int print_from(struct kw_print *p, const struct kw *kw);
static void json_to(struct pr *p, const struct kw_conf *c, const struct kw *kw);
static int parse_keyfile(struct kw_conf *kc, const struct kw *kw, const char *val);
static int cmp_keyfile(struct kw_cmp *d, const struct kw *kw);
static int print_keyfile(struct kw_print *p, const struct kw *kw);
static void json_keyfile(struct pr *p, const struct kw_conf *c, const struct kw *kw);

static const struct kw target_kws[] = {
	{ KW_KEY("log", KW_NAME, KW_ADD | KW_REQUIRED, KLOGFWD_A_TARGET_LOG, KW_W_STR),
	  .metavar = "LOG", .expect = "expected a log name", .arg = "LOG",
	  .help = "the log to forward" },
	{ KW_KEY("to", KW_CUSTOM, KW_ADD | KW_REQUIRED, KLOGFWD_A_TARGET_PORT, KW_W_U16),
	  .max = UINT16_MAX, .metavar = "HOST:PORT", .parse = parse_to,
	  .cmp = cmp_to, .print = print_to, .json = json_to, .arg = "HOST:PORT",
	  .help = "the receiver: a numeric IPv4 address such as\n"
		  "127.0.0.1:9000, an IPv6 one in brackets such\n"
		  "as [::1]:9000, or a host name such as\n"
		  "logs.example.com:514. A name is resolved once,\n"
		  "here: the first address getaddrinfo() returns\n"
		  "is used and named on stderr" },
	{ KW_KEY("from", KW_NUM, KW_ADD | KW_NOCMP | KW_NOJSON, KLOGFWD_A_TARGET_START, KW_W_U32),
	  .attr2 = KLOGFWD_A_TARGET_FROM_OFFSET, .wire2 = KW_W_UINT,
	  .max = UINT64_MAX, .val = KLOGFWD_START_OFFSET, .e = &from_enum,
	  .expect = "expected earliest, latest, resume or a record offset",
	  .print = print_from, .arg = "earliest|latest|resume|OFFSET",
	  .help = "where to start: the oldest record held (the\n"
		  "default), the next one appended, where a target\n"
		  "of this name on this dir log stopped, or the\n"
		  "record OFFSET" },
	{ KW_KEY("ack", KW_ENUM, KW_ADD, KLOGFWD_A_TARGET_ACK, KW_W_U32),
	  .e = &klf_ack_enum, .arg = "tcp|app|relp",
	  .help = "what counts as delivered: acknowledged by the\n"
		  "peer's TCP (default), offsets returned by the\n"
		  "receiving application (klf framing only), or\n"
		  "answered 200 OK by a RELP receiver such as\n"
		  "rsyslog's imrelp (lf framing only)" },
	{ KW_KEY("tls", KW_FLAG, KW_ADD, KLOGFWD_A_TARGET_TLS, KW_W_U8),
	  .val = 1,
	  .help = "TLS: once TCP connects, the handshake agent of\n"
		  "the target's network namespace (klogfwd-tlsd,\n"
		  "or tlshd) does the handshake and kernel TLS\n"
		  "encrypts; needs Linux 6.5 or newer" },
	{ KW_KEY("peername", KW_NAME, KW_ADD | KW_ABSENT_OK, KLOGFWD_A_TARGET_TLS_PEERNAME, KW_W_STR),
	  .expect = "expected a DNS name or an IP address", .arg = "NAME",
	  .help = "tls: the name the receiver's certificate must\n"
		  "carry, a DNS name (also sent as SNI) or an IP\n"
		  "address (default: the HOST of to)" },
	{ KW_KEY("cert", KW_CUSTOM, KW_ADD | KW_ABSENT_OK, KLOGFWD_A_TARGET_TLS_CERT, KW_W_U32),
	  .parse = parse_keyfile, .cmp = cmp_keyfile, .print = print_keyfile,
	  .json = json_keyfile, .arg = "FILE",
	  .help = "tls: the client certificate (PEM or DER; of a\n"
		  "PEM chain, the first) for a receiver that asks\n"
		  "for one; with key. It goes as DER in a key of\n"
		  "type user of the user keyring, not through\n"
		  "netlink" },
	{ KW_KEY("key", KW_CUSTOM, KW_ADD | KW_ABSENT_OK, KLOGFWD_A_TARGET_TLS_KEY, KW_W_U32),
	  .parse = parse_keyfile, .cmp = cmp_keyfile, .print = print_keyfile,
	  .json = json_keyfile, .arg = "FILE",
	  .help = "tls: the private key of cert (PEM or DER, not\n"
		  "encrypted), kept the same way" },
	{ KW_KEY("psk", KW_CUSTOM, KW_ADD | KW_ABSENT_OK, KLOGFWD_A_TARGET_TLS_PSK, KW_W_U32),
	  .parse = parse_keyfile, .cmp = cmp_keyfile, .print = print_keyfile,
	  .json = json_keyfile, .arg = "FILE",
	  .help = "tls: a pre-shared key instead of certificates\n"
		  "(TLS 1.3 PSK), from a line IDENTITY:HEXKEY as\n"
		  "psktool(1) writes (16 to 64 bytes); kept in a key\n"
		  "of the user keyring like cert" },
	{ KW_KEY("rekey-after", KW_SECS, KW_ADD | KW_SET | KW_ABSENT_OK, KLOGFWD_A_TARGET_TLS_REKEY_S, KW_W_U32),
	  .max = 2592000,
	  .expect = "expected seconds such as 3600, or a time such as 1h or 24h (at most 720h, 30 days); 0 for never",
	  .arg = "TIME",
	  .help = "tls: a new session (new keys: a new connection\n"
		  "and handshake) once the session is this old,\n"
		  "after what it carried is acknowledged; 0 for\n"
		  "never (the default)" },
	{ KW_KEY("rekey-bytes", KW_SIZE, KW_ADD | KW_SET | KW_ABSENT_OK, KLOGFWD_A_TARGET_TLS_REKEY_BYTES, KW_W_UINT),
	  .max = UINT64_MAX, .expect = "expected a size such as 1G or 512M; 0 for never",
	  .arg = "SIZE",
	  .help = "tls: the same once the session carried this\n"
		  "many bytes (at least 1M); 0 for never (the\n"
		  "default)" },
	{ KW_KEY("backoff", KW_MS_RANGE, KW_ADD | KW_SET, KLOGFWD_A_TARGET_BACKOFF_MIN_MS, KW_W_U32),
	  .attr2 = KLOGFWD_A_TARGET_BACKOFF_MAX_MS, .wire2 = KW_W_U32,
	  .max = UINT32_MAX,
	  .expect = "expected MIN-MAX, each milliseconds or a time such as 200ms, 30s or 5m: 200-30000, 200ms-30s",
	  .arg = "MIN-MAX",
	  .help = "delays before reconnecting: MIN after a failure,\n"
		  "doubling up to MAX (default 200-30000); each a\n"
		  "TIME, MIN at most MAX" },
	{ KW_KEY("keepalive", KW_SECS, KW_ADD | KW_SET, KLOGFWD_A_TARGET_KEEPALIVE_S, KW_W_U32),
	  .max = UINT32_MAX,
	  .expect = "expected seconds such as 30, or a time such as 30s, 5m or 1h; 0 to disable keepalive",
	  .arg = "SECS",
	  .help = "TCP keepalive idle time (30, 30s, 5m, 1h), 0 to disable\n"
		  "(default 30)" },
	{ KW_KEY("user-timeout", KW_MS, KW_ADD | KW_SET, KLOGFWD_A_TARGET_USER_TIMEOUT_MS, KW_W_U32),
	  .max = UINT32_MAX,
	  .expect = "expected milliseconds such as 30000, or a time such as 30s or 2m",
	  .arg = "TIME",
	  .help = "drop the connection when sent data stays\n"
		  "unacknowledged this long, 0 for the kernel's\n"
		  "default (default 30s)" },
	{ KW_KEY("nodelay", KW_ENUM, KW_ADD | KW_SET, KLOGFWD_A_TARGET_NODELAY, KW_W_U8),
	  .e = &onoff_enum, .arg = "on|off",
	  .help = "disable Nagle's algorithm (default on)" },
	{ KW_KEY("sndbuf", KW_SIZE, KW_ADD | KW_SET, KLOGFWD_A_TARGET_SNDBUF, KW_W_U32),
	  .max = UINT32_MAX, .expect = "expected a size such as 4096, 64k or 16M",
	  .arg = "SIZE", .help = "socket send buffer, 0 for autotuning (the default)" },
	{ KW_KEY("window", KW_NUM, KW_ADD | KW_SET | KW_ABSENT_OK, KLOGFWD_A_TARGET_RELP_WINDOW, KW_W_U32),
	  .min = 1, .max = 1024, .expect = "expected a number from 1 to 1024",
	  .arg = "N",
	  .help = "ack relp: the most RELP frames sent and not yet\n"
		  "answered (default 128)" },
	{ KW_KEY("max-frame", KW_SIZE, KW_ADD | KW_SET | KW_ABSENT_OK, KLOGFWD_A_TARGET_RELP_MAX_FRAME, KW_W_U32),
	  .min = 16, .max = 1048576, .expect = "expected a size such as 8096, 64k or 1M",
	  .arg = "SIZE",
	  .help = "ack relp: the longest record sent (default 8096);\n"
		  "a longer one is skipped, counted in relp-skipped" },
	{ KW_KEY("timeout", KW_SECS, KW_ADD | KW_SET | KW_ABSENT_OK, KLOGFWD_A_TARGET_RELP_TIMEOUT_S, KW_W_U32),
	  .max = 86400,
	  .expect = "expected seconds such as 90, or a time such as 90s, 5m or 1h (at most 24h); 0 for no limit",
	  .arg = "SECS",
	  .help = "ack relp: break the session when no response\n"
		  "came for this long while one is awaited (90,\n"
		  "90s, 5m; default 90), 0 for no limit" },
	{ KW_KEY("paused", KW_FLAG, KW_ADD, KLOGFWD_A_TARGET_PAUSED, KW_W_U8),
	  .val = 1, .excl = 1,
	  .wrong_op = "is for target add; give pause or resume",
	  .help = "create the target paused, without connecting" },
	{ KW_KEY("pause", KW_FLAG, KW_SET, KLOGFWD_A_TARGET_PAUSED, KW_W_U8),
	  .val = 1, .excl = 1,
	  .wrong_op = "is for target set; give paused to create a paused target",
	  .help = "close the connection and stop sending, keeping\n"
		  "the position in the log" },
	{ KW_KEY("resume", KW_FLAG, KW_SET, KLOGFWD_A_TARGET_PAUSED, KW_W_U8),
	  .val = 0, .excl = 1,
	  .wrong_op = "is for target set; give paused to create a paused target",
	  .help = "connect again and go on from that position" },
};

/* a struct kw_conf holds attributes as bits of an unsigned int */
_Static_assert(KLOGFWD_A_TARGET_MAX <= KW_ATTR_MAX, "target attributes do not fit a kw_conf");

static const struct kw_table target_kw_table = {
	.kws = target_kws,
	.n = ARRAY_SIZE(target_kws),
	.what = "target",
	.cmd_get = KLOGFWD_CMD_TARGET_GET,
	.name_attr = KLOGFWD_A_TARGET_NAME,
	.attr_max = KLOGFWD_A_TARGET_MAX,
	.names = klf_target_attr_names,
	.fixed = "log, to, ack, tls, peername, cert, key and psk",
};

/*
 * Whether host (not numeric) may be looked up as a host name: letters,
 * digits, '-', '_' and '.', and not a number that inet_aton() would take
 * (127.1, 0x7f000001) or a dotted number that is not an address
 * (256.1.1.1, 1.2.3.4.5): a host name's last label is not all digits.
 */
static bool host_name_ok(const char *host)
{
	const char *last = strrchr(host, '.');
	struct in_addr a;
	const char *p;
	bool digits = true;

	for (p = host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return false;
	last = last ? last + 1 : host;
	for (p = last; *p; p++)
		if (!isdigit((unsigned char)*p))
			digits = false;
	return !digits && inet_aton(host, &a) == 0;
}

/*
 * "to": 192.0.2.1:9000, [2001:db8::1]:9000 or HOST:PORT. A host name is
 * only kept in c->host here: target_resolve() looks it up once the whole
 * command line is known to be valid. Returns 0 or the exit status.
 */
static int parse_to(struct kw_conf *kc, const struct kw *kw, const char *val)
{
	struct target_conf *c = container_of(kc, struct target_conf, kc);
	const char *colon, *port, *close;
	char host[TARGET_HOST_MAX + 1];
	bool v6 = val[0] == '[';
	uint64_t p;
	size_t len;
	int ret;

	if (v6) {
		close = strchr(val, ']');
		if (!close || close[1] != ':')
			return kw_bad_value_why(kc, kw, val,
						"expected [IPV6]:PORT, such as [::1]:9000");
		len = close - val - 1;
		port = close + 2;
		if (len > INET6_ADDRSTRLEN || !len)
			return kw_bad_value_why(kc, kw, val,
						"expected a numeric IPv6 address in brackets, such as [::1]:9000");
		memcpy(host, val + 1, len);
		host[len] = '\0';
		if (inet_pton(AF_INET6, host, &c->v6) != 1)
			return kw_bad_value_why(kc, kw, val,
						"expected a numeric IPv6 address in brackets, such as [::1]:9000");
	} else {
		colon = strrchr(val, ':');
		if (!colon)
			return kw_bad_value_why(kc, kw, val,
						"expected HOST:PORT, such as 127.0.0.1:9000, [::1]:9000 or logs.example.com:514");
		if (memchr(val, ':', colon - val))
			return kw_bad_value_why(kc, kw, val,
						"an IPv6 address goes in brackets, such as [::1]:9000");
		len = colon - val;
		port = colon + 1;
		if (len > TARGET_HOST_MAX || !len)
			return kw_bad_value_why(kc, kw, val,
						"expected a numeric IPv4 address, an [IPv6] one or a host name");
		memcpy(host, val, len);
		host[len] = '\0';
		if (inet_pton(AF_INET, host, &c->v4) != 1) {
			if (!host_name_ok(host))
				return kw_bad_value_why(kc, kw, val,
							"expected a numeric IPv4 address, an [IPv6] one or a host name");
			memcpy(c->host, host, len + 1);
		}
	}
	ret = parse_scaled(port, plain_units, kw->max, &p);
	if (ret || !p)
		return kw_bad_value_why(kc, kw, val, "expected a port from 1 to 65535");
	if (!c->host[0] && v6)
		kw_set_ptr(kc, KLOGFWD_A_TARGET_IPV6, KW_W_BIN, &c->v6, sizeof(c->v6));
	else if (!c->host[0])
		kw_set_ptr(kc, KLOGFWD_A_TARGET_IPV4, KW_W_BIN, &c->v4, sizeof(c->v4));
	kw_set(kc, kw->attr, kw->wire, p);
	return 0;
}

/*
 * Look up the host name of "to", if it was one: the first address
 * getaddrinfo() returns (AF_UNSPEC, SOCK_STREAM: in the order of
 * gai.conf(5)) is the one sent, and is named on stderr. The kernel keeps
 * the address; the name is not looked up again. Returns 0 or the exit
 * status.
 */
static int target_resolve(struct target_conf *c)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	const char *op = c->kc.op;
	char addr[INET6_ADDRSTRLEN];
	struct addrinfo *res, *ai;
	unsigned int n = 0;
	int ret;

	if (!c->host[0])
		return 0;
	ret = getaddrinfo(c->host, NULL, &hints, &res);
	if (ret) {
		errmsg("%s: cannot resolve host name '%s': %s", op, c->host,
		       ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
		return KF_EXIT_ERROR;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
			n++;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			c->v4 = ((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			kw_set_ptr(&c->kc, KLOGFWD_A_TARGET_IPV4, KW_W_BIN,
				   &c->v4, sizeof(c->v4));
			inet_ntop(AF_INET, &c->v4, addr, sizeof(addr));
			break;
		}
		if (ai->ai_family == AF_INET6) {
			c->v6 = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			kw_set_ptr(&c->kc, KLOGFWD_A_TARGET_IPV6, KW_W_BIN,
				   &c->v6, sizeof(c->v6));
			inet_ntop(AF_INET6, &c->v6, addr, sizeof(addr));
			break;
		}
	}
	freeaddrinfo(res);
	if (!ai) {
		errmsg("%s: host name '%s' has no IPv4 or IPv6 address", op,
		       c->host);
		return KF_EXIT_ERROR;
	}
	if (n > 1)
		errmsg("%s: %s resolved to %s (the first of %u addresses)",
		       op, c->host, addr, n);
	else
		errmsg("%s: %s resolved to %s", op, c->host, addr);
	return 0;
}

/* "ADDR:PORT", "[ADDR6]:PORT" */
static const char *fmt_to(char *buf, size_t size, int family, const void *addr,
			  uint64_t port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, size, family == AF_INET6 ? "[%s]:%" PRIu64 : "%s:%" PRIu64,
		 a, port);
	return buf;
}

/*
 * The address of a reply: family AF_INET6 or AF_INET and the address in
 * addr, or family 0 if it has none. Returns 0 or -EPROTO.
 */
static int reply_addr(const struct nlattr *const *tb, int *family,
		      unsigned char addr[16])
{
	const void *data;
	size_t len;

	if (tb[KLOGFWD_A_TARGET_IPV6]) {
		data = nl_attr_data(tb[KLOGFWD_A_TARGET_IPV6], &len);
		if (len != sizeof(struct in6_addr))
			return -EPROTO;
		memcpy(addr, data, len);
		*family = AF_INET6;
	} else if (tb[KLOGFWD_A_TARGET_IPV4]) {
		data = nl_attr_data(tb[KLOGFWD_A_TARGET_IPV4], &len);
		if (len != sizeof(struct in_addr))
			return -EPROTO;
		memcpy(addr, data, len);
		*family = AF_INET;
	}
	return 0;
}

/* A batch target add: "to" against the address and port of the target. */
static int cmp_to(struct kw_cmp *d, const struct kw *kw)
{
	const struct target_conf *c = container_of(d->c, struct target_conf, kc);
	const uint16_t port = KLOGFWD_A_TARGET_PORT;
	bool v6 = kw_has(d->c, KLOGFWD_A_TARGET_IPV6);
	const void *addr = v6 ? (const void *)&c->v6 : (const void *)&c->v4;
	size_t size = v6 ? sizeof(c->v6) : sizeof(c->v4);
	unsigned char old[16];
	char b1[96], b2[96];
	int family = 0;

	if (reply_addr(d->reply->tb, &family, old))
		return -EPROTO;
	if (family == (v6 ? AF_INET6 : AF_INET) && !memcmp(old, addr, size) &&
	    d->old.val[port] == d->c->val[port])
		return 0;
	kw_cmp_add(d, kw->name,
		   family ? fmt_to(b1, sizeof(b1), family, old, d->old.val[port]) : "none",
		   fmt_to(b2, sizeof(b2), v6 ? AF_INET6 : AF_INET, addr, d->c->val[port]),
		   true);
	return 0;
}

/* " to ADDR:PORT", an IPv6 address in brackets */
static int print_to(struct kw_print *p, const struct kw *kw)
{
	const struct nlattr *const *tb = p->tb;
	char addr[INET6_ADDRSTRLEN];
	const void *data;
	size_t len = 0;
	bool v6 = false;

	data = nl_attr_data(tb[KLOGFWD_A_TARGET_IPV6], &len);
	if (data && len == sizeof(struct in6_addr)) {
		v6 = true;
	} else {
		data = nl_attr_data(tb[KLOGFWD_A_TARGET_IPV4], &len);
		if (!data || len != sizeof(struct in_addr))
			return -EPROTO;
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, data, addr, sizeof(addr)) ||
	    kw_print_read(p, kw))
		return -EPROTO;
	fprintf(p->out, " %s %s%s%s:%" PRIu64, kw->name, v6 ? "[" : "", addr,
		v6 ? "]" : "", p->c.val[kw->attr]);
	return 0;
}

/* " from WHERE" when save asks for it: a reply does not hold where it began */
static int print_from(struct kw_print *p, const struct kw *kw)
{
	if (p->from)
		fprintf(p->out, " %s %s", kw->name, p->from);
	return 0;
}

/*
 * "cert", "key" and "psk": FILE, or key:SERIAL for a key that exists. The
 * file is only kept here: target_keys() puts it in a key once the whole
 * command line is known to be valid.
 */
static int parse_keyfile(struct kw_conf *kc, const struct kw *kw, const char *val)
{
	struct target_conf *c = container_of(kc, struct target_conf, kc);

	if (!*val || tls_key_check(val) == EINVAL)
		return kw_bad_value_why(kc, kw, val,
					"expected a file, or key:SERIAL with a key serial from 1 to 2147483647");
	if (kw->attr == KLOGFWD_A_TARGET_TLS_CERT)
		c->cert = val;
	else if (kw->attr == KLOGFWD_A_TARGET_TLS_PSK)
		c->psk = val;
	else
		c->key = val;
	kw_set(kc, kw->attr, kw->wire, 0);
	return 0;
}

/* A batch target add: the key made of the file against the target's. */
static int cmp_keyfile(struct kw_cmp *d, const struct kw *kw)
{
	char b1[PATH_MAX + 16], b2[PATH_MAX + 16];
	uint16_t a = kw->attr;

	if (kw_has(&d->old, a) == kw_has(d->c, a) &&
	    (!kw_has(d->c, a) || d->old.val[a] == d->c->val[a]))
		return 0;
	kw_cmp_add(d, kw->name,
		   kw_has(&d->old, a) ? tls_key_name(d->old.val[a], b1, sizeof(b1)) : "none",
		   kw_has(d->c, a) ? tls_key_name(d->c->val[a], b2, sizeof(b2)) : "none", true);
	return 0;
}

/* " cert FILE": the file its key was made of, or key:SERIAL */
static int print_keyfile(struct kw_print *p, const struct kw *kw)
{
	char buf[PATH_MAX + 16];

	if (!p->tb[kw->attr])
		return 0;
	if (kw_print_read(p, kw))
		return -EPROTO;
	kw_print_str(p, kw->name, tls_key_name(p->c.val[kw->attr], buf, sizeof(buf)));
	return 0;
}

/* "cert", JSON: tls_cert, the file or key:SERIAL, or null */
static void json_keyfile(struct pr *p, const struct kw_conf *c, const struct kw *kw)
{
	const char *key = klf_target_attr_names[kw->attr];
	char buf[PATH_MAX + 16];

	if (!kw_has(c, kw->attr)) {
		pr_null(p, PRINT_JSON, key, NULL);
		return;
	}
	pr_str(p, PRINT_JSON, key, NULL, tls_key_name(c->val[kw->attr], buf, sizeof(buf)));
}

/*
 * The client certificate and key, or the pre-shared key, of a TLS target
 * into keys, their serials into the request. Returns 0 or the exit status.
 */
static int target_keys(struct target_conf *c)
{
	uint32_t serial;
	int ret;

	if (c->psk) {
		ret = tls_key_check(c->psk);
		if (ret) {
			errmsg("%s: psk %s: %s", c->kc.op, c->psk, strerror(ret));
			return KF_EXIT_ERROR;
		}
		ret = tls_psk_load(c->kc.op, c->psk, &serial);
		if (ret)
			return ret;
		kw_set(&c->kc, KLOGFWD_A_TARGET_TLS_PSK, KW_W_U32, serial);
		return 0;
	}
	if (!c->cert)
		return 0;
	/* neither file is put in a key unless both can be read */
	ret = tls_key_check(c->cert);
	if (ret) {
		errmsg("%s: cert %s: %s", c->kc.op, c->cert, strerror(ret));
		return KF_EXIT_ERROR;
	}
	ret = tls_key_check(c->key);
	if (ret) {
		errmsg("%s: key %s: %s", c->kc.op, c->key, strerror(ret));
		return KF_EXIT_ERROR;
	}
	ret = tls_key_load(c->kc.op, "cert", c->cert, &serial);
	if (ret)
		return ret;
	kw_set(&c->kc, KLOGFWD_A_TARGET_TLS_CERT, KW_W_U32, serial);
	ret = tls_key_load(c->kc.op, "key", c->key, &serial);
	if (ret)
		return ret;
	kw_set(&c->kc, KLOGFWD_A_TARGET_TLS_KEY, KW_W_U32, serial);
	return 0;
}

/**
 * target_conf_print() - a target as "target add NAME" takes it
 * @out: where to print it
 * @tb: the attributes of a target-get reply
 * @from: the word after "from", or NULL for none
 *
 * The rows of target_kws[] that add takes, in their order (kw_print()):
 * " log LOG to ADDR:PORT", " from FROM" if @from, then ack, backoff,
 * keepalive, user-timeout, nodelay, sndbuf, window, max-frame and timeout
 * for an ack relp target, and " paused" for a paused target. No name, no
 * newline.
 *
 * Return: 0, or -EPROTO if the reply lacks one of them (nothing is printed).
 */
int target_conf_print(FILE *out, const struct nlattr *const *tb,
		      const char *from)
{
	return kw_print(out, &target_kw_table, tb, NULL, from);
}

/*
 * Send cmd for the target argv[1] with the settings that follow. Returns
 * the exit status.
 */
static int target_configure(struct cli *cli, const char *op, uint8_t cmd,
			    int argc, char **argv)
{
	struct target_conf c = { .kc.op = op };
	bool create = cmd == KLOGFWD_CMD_TARGET_NEW;
	struct nl_req *req;
	struct nl_ctx *nl;
	int ret;

	if (argc < 2)
		return usage_error(op, "%s: missing target name", op);
	ret = kw_parse(&c.kc, &target_kw_table, create ? KW_ADD : KW_SET,
		       argc - 2, argv + 2);
	if (!ret && cli->check) {
		/* --check: no name is looked up */
		ret = check_name(op, "target", argv[1]);
		if (!ret && kw_has(&c.kc, KLOGFWD_A_TARGET_LOG))
			ret = check_name(op, "log", c.kc.ptr[KLOGFWD_A_TARGET_LOG]);
	}
	if (!ret && kw_has(&c.kc, KLOGFWD_A_TARGET_TLS_PEERNAME) &&
	    !kw_has(&c.kc, KLOGFWD_A_TARGET_TLS))
		ret = usage_error(op, "%s: peername goes with tls", op);
	if (!ret && create && !kw_has(&c.kc, KLOGFWD_A_TARGET_TLS) &&
	    (kw_has(&c.kc, KLOGFWD_A_TARGET_TLS_REKEY_S) ||
	     kw_has(&c.kc, KLOGFWD_A_TARGET_TLS_REKEY_BYTES)))
		ret = usage_error(op, "%s: %s goes with tls", op,
				  kw_has(&c.kc, KLOGFWD_A_TARGET_TLS_REKEY_S) ? "rekey-after" :
				  "rekey-bytes");
	if (!ret && (c.cert || c.key || c.psk) && !kw_has(&c.kc, KLOGFWD_A_TARGET_TLS))
		ret = usage_error(op, "%s: %s goes with tls", op,
				  c.cert ? "cert" : c.key ? "key" : "psk");
	if (!ret && c.psk && (c.cert || c.key))
		ret = usage_error(op, "%s: psk or %s: a session is authenticated by a pre-shared key or by certificates, not both",
				  op, c.cert ? "cert" : "key");
	if (!ret && !c.cert != !c.key)
		ret = usage_error(op, "%s: %s goes with %s: a client certificate needs its private key",
				  op, c.cert ? "cert" : "key", c.cert ? "key" : "cert");
	/* tls to a host name: its certificate must carry that name */
	if (!ret && kw_has(&c.kc, KLOGFWD_A_TARGET_TLS) && c.host[0] &&
	    !kw_has(&c.kc, KLOGFWD_A_TARGET_TLS_PEERNAME))
		kw_set_ptr(&c.kc, KLOGFWD_A_TARGET_TLS_PEERNAME, KW_W_STR, c.host, 0);
	if (!ret && !cli->check)
		ret = target_resolve(&c);
	if (!ret && !cli->check)
		ret = target_keys(&c);
	if (ret)
		return ret;

	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	req = nl_req_start(nl, cmd, 0);
	nl_req_put_str(req, KLOGFWD_A_TARGET_NAME, argv[1]);
	kw_put(req, &c.kc);
	if (nl_request(nl, req, KLOGFWD_A_TARGET_MAX, NULL, NULL) < 0) {
		if (create && cli->batch && nl_err(nl) == EEXIST)
			return kw_exists(cli, nl, &target_kw_table, &c.kc, argv[1]);
		cli_nl_error(cli, op);
		return KF_EXIT_ERROR;
	}
	return KF_EXIT_OK;
}

static int target_add(struct cli *cli, int argc, char **argv)
{
	return target_configure(cli, "target add", KLOGFWD_CMD_TARGET_NEW,
				argc, argv);
}

static int target_set(struct cli *cli, int argc, char **argv)
{
	return target_configure(cli, "target set", KLOGFWD_CMD_TARGET_SET,
				argc, argv);
}

static int target_del(struct cli *cli, int argc, char **argv)
{
	struct nl_req *req;
	struct nl_ctx *nl;

	if (argc < 2)
		return usage_error("target del", "target del: missing target name");
	if (argc > 2)
		return usage_error("target del", "target del: unexpected argument '%s'",
				   argv[2]);
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	req = nl_req_start(nl, KLOGFWD_CMD_TARGET_DEL, 0);
	nl_req_put_str(req, KLOGFWD_A_TARGET_NAME, argv[1]);
	if (nl_request(nl, req, KLOGFWD_A_TARGET_MAX, NULL, NULL) < 0) {
		cli_nl_error(cli, "target del");
		return KF_EXIT_ERROR;
	}
	return KF_EXIT_OK;
}

/* target show */

/* Names of the errno values a connection may end with. */
struct errno_name {
	int err;
	const char *name;
};

#define ERRNO_NAME(e)	{ e, #e }
static const struct errno_name errno_names[] = {
	ERRNO_NAME(EPERM), ERRNO_NAME(ENOENT), ERRNO_NAME(EINTR),
	ERRNO_NAME(EIO), ERRNO_NAME(ENXIO), ERRNO_NAME(EBADF),
	ERRNO_NAME(EAGAIN), ERRNO_NAME(ENOMEM), ERRNO_NAME(EACCES),
	ERRNO_NAME(EFAULT), ERRNO_NAME(EBUSY), ERRNO_NAME(EEXIST),
	ERRNO_NAME(ENODEV), ERRNO_NAME(EINVAL), ERRNO_NAME(ENFILE),
	ERRNO_NAME(EMFILE), ERRNO_NAME(ENOSPC), ERRNO_NAME(EPIPE),
	ERRNO_NAME(ERANGE), ERRNO_NAME(ENOLINK), ERRNO_NAME(EPROTO),
	ERRNO_NAME(EBADMSG), ERRNO_NAME(ENOTSOCK), ERRNO_NAME(EDESTADDRREQ),
	ERRNO_NAME(EMSGSIZE), ERRNO_NAME(EPROTOTYPE), ERRNO_NAME(ENOPROTOOPT),
	ERRNO_NAME(EPROTONOSUPPORT), ERRNO_NAME(EOPNOTSUPP),
	ERRNO_NAME(EAFNOSUPPORT), ERRNO_NAME(EADDRINUSE),
	ERRNO_NAME(EADDRNOTAVAIL), ERRNO_NAME(ENETDOWN),
	ERRNO_NAME(ENETUNREACH), ERRNO_NAME(ENETRESET),
	ERRNO_NAME(ECONNABORTED), ERRNO_NAME(ECONNRESET), ERRNO_NAME(ENOBUFS),
	ERRNO_NAME(EISCONN), ERRNO_NAME(ENOTCONN), ERRNO_NAME(ESHUTDOWN),
	ERRNO_NAME(ETIMEDOUT), ERRNO_NAME(ECONNREFUSED), ERRNO_NAME(EHOSTDOWN),
	ERRNO_NAME(EHOSTUNREACH), ERRNO_NAME(EALREADY), ERRNO_NAME(EINPROGRESS),
	ERRNO_NAME(ECANCELED), ERRNO_NAME(EKEYREJECTED), ERRNO_NAME(ESRCH),
	ERRNO_NAME(ENOKEY),
};

/*
 * One target of a reply. Absent attributes are left out of the text and
 * null in JSON, where every known member is always present.
 */
struct target_info {
	const char *name;
	int family;			/* AF_INET, AF_INET6 or 0: no address */
	unsigned char addr[16];
	struct kw_conf set;		/* the settings (kw_json_read()), state */
	struct counters stats;		/* the stats nest */
};

static int target_info_parse(const struct nl_reply *reply,
			     struct target_info *ti)
{
	const struct nlattr *const *tb = reply->tb;
	int ret;

	memset(ti, 0, sizeof(*ti));
	ti->name = nl_attr_str(tb[KLOGFWD_A_TARGET_NAME]);
	if (!ti->name)
		return -EPROTO;
	ret = reply_addr(tb, &ti->family, ti->addr);
	if (!ret)
		ret = kw_json_read(&ti->set, &target_kw_table, tb);
	if (!ret)
		ret = kw_read(&ti->set, tb, KLOGFWD_A_TARGET_STATE, KW_W_U32);
	if (!ret)
		ret = kw_read(&ti->set, tb, KLOGFWD_A_TARGET_TLS_VERSION, KW_W_U16);
	if (!ret)
		ret = kw_read(&ti->set, tb, KLOGFWD_A_TARGET_TLS_CIPHER, KW_W_U16);
	if (!ret)
		ret = kw_read(&ti->set, tb, KLOGFWD_A_TARGET_TLS_ALERT, KW_W_U16);
	if (!ret)
		ret = kw_read(&ti->set, tb, KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT, KW_W_U32);
	if (!ret)
		ret = kw_read(&ti->set, tb, KLOGFWD_A_TARGET_TLS_PEER, KW_W_STR);
	if (ret)
		return ret;
	/* last-error is a u32, the others uint: both 4 or 8 bytes */
	counters_init(&ti->stats, klf_target_stats_metrics, KLOGFWD_A_TARGET_STATS_MAX);
	return counters_parse_nest(&ti->stats, tb[KLOGFWD_A_TARGET_STATS]);
}

/* The address without brackets, or NULL if the reply had none. */
static const char *target_addr(const struct target_info *ti, char *buf,
			       size_t size)
{
	if (!ti->family)
		return NULL;
	return inet_ntop(ti->family, ti->addr, buf, size);
}

/* "to", JSON: the address, without brackets, and the port */
static void json_to(struct pr *p, const struct kw_conf *c, const struct kw *kw)
{
	const struct target_info *ti = container_of(c, struct target_info, set);
	char addr[INET6_ADDRSTRLEN];

	pr_str(p, PRINT_JSON, "address", NULL, target_addr(ti, addr, sizeof(addr)));
	kw_json_attr(p, klf_target_attr_names[kw->attr], c, kw->attr, NULL);
}

static bool have(const struct target_info *ti, uint16_t type)
{
	return kw_has(&ti->set, type);
}

/* text: " KW NAME", or " KW N" for a value without a name */
static void print_enum(struct pr *p, const struct target_info *ti,
		       const char *kw, uint16_t type, const struct enum_names *e)
{
	const char *name;

	if (!have(ti, type))
		return;
	name = enum_name(e, ti->set.val[type]);
	if (name)
		pr_fp(p, " %s %s", kw, name);
	else
		pr_fp(p, " %s %" PRIu64, kw, ti->set.val[type]);
}

/**
 * errno_name() - the symbolic name of an errno value a connection may end with
 * @err: the errno value (positive)
 *
 * Return: "ECONNREFUSED" and the like, or NULL if not in the table.
 */
const char *errno_name(uint64_t err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if ((uint64_t)errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

/* " KW N (ENAME: message)", the message if N is not 0; JSON: KW N */
static void print_errno(struct pr *p, const char *kw, uint64_t err)
{
	const char *name;

	pr_fp(p, " %s ", kw);
	pr_u64(p, PRINT_ANY, kw, "%" PRIu64, err);
	if (!err || err > INT32_MAX)
		return;
	name = errno_name(err);
	if (name)
		pr_fp(p, " (%s: %s)", name, strerror(err));
	else
		pr_fp(p, " (%s)", strerror(err));
}

/* " KW T (AGE ago)": a Unix time and its age, as 1h02m or 3m12s; JSON: KW T */
static void print_time(struct pr *p, const char *kw, uint64_t t)
{
	time_t now = time(NULL);
	char age[32];

	pr_fp(p, " %s ", kw);
	pr_u64(p, PRINT_ANY, kw, "%" PRIu64, t);
	if (!t || now < 0)
		return;
	if (t > (uint64_t)now)
		pr_fp(p, " (in the future)");
	else
		pr_fp(p, " (%s ago)", fmt_age((uint64_t)now - t, age, sizeof(age)));
}

/* "1.3" for 0x0304 */
static const char *tls_version_name(uint64_t v, char *buf, size_t size)
{
	if (v >> 8 == 3 && (v & 0xff) >= 1)
		snprintf(buf, size, "1.%u", (unsigned int)(v & 0xff) - 1);
	else
		snprintf(buf, size, "%#" PRIx64, v);
	return buf;
}

/* kernel TLS's cipher numbers (uapi linux/tls.h TLS_CIPHER_*) */
static const char *tls_cipher_name(uint64_t c, char *buf, size_t size)
{
	static const char *const names[] = {
		[51] = "aes-128-gcm", [52] = "aes-256-gcm", [53] = "aes-128-ccm",
		[54] = "chacha20-poly1305", [55] = "sm4-gcm", [56] = "sm4-ccm",
		[57] = "aria-128-gcm", [58] = "aria-256-gcm",
	};

	if (c < ARRAY_SIZE(names) && names[c])
		return names[c];
	snprintf(buf, size, "%" PRIu64, c);
	return buf;
}

/* "fatal/bad_record_mac" for 0x0214: the alert's level and description (RFC 8446) */
static const char *tls_alert_name(uint64_t a, char *buf, size_t size)
{
	static const char *const names[] = {
		[0] = "close_notify", [10] = "unexpected_message", [20] = "bad_record_mac",
		[22] = "record_overflow", [40] = "handshake_failure", [42] = "bad_certificate",
		[43] = "unsupported_certificate", [44] = "certificate_revoked",
		[45] = "certificate_expired", [46] = "certificate_unknown",
		[47] = "illegal_parameter", [48] = "unknown_ca", [49] = "access_denied",
		[50] = "decode_error", [51] = "decrypt_error", [70] = "protocol_version",
		[71] = "insufficient_security", [80] = "internal_error",
		[86] = "inappropriate_fallback", [90] = "user_canceled",
		[109] = "missing_extension", [110] = "unsupported_extension",
		[112] = "unrecognized_name", [113] = "bad_certificate_status_response",
		[115] = "unknown_psk_identity", [116] = "certificate_required",
		[120] = "no_application_protocol",
	};
	unsigned int level = a >> 8 & 0xff, desc = a & 0xff;
	const char *l = level == 1 ? "warning" : level == 2 ? "fatal" : NULL;

	if (l && desc < ARRAY_SIZE(names) && names[desc])
		snprintf(buf, size, "%s/%s", l, names[desc]);
	else
		snprintf(buf, size, "%u/%u", level, desc);
	return buf;
}

/*
 * text (not for an @event): " tls-version 1.3 tls-cipher aes-128-gcm
 * tls-peer \"CN=logs.test\"" while a TLS session is up (tls-peer if the
 * agent named the receiver), " tls-alert fatal/bad_record_mac" once the
 * receiver sent an alert, " tls-handshake-alert sent fatal/unknown_ca" (or
 * "received ...") when one ended the last handshake; JSON: tls_version,
 * tls_cipher, tls_peer, tls_alert and tls_handshake_alert, null without.
 */
static void print_tls(struct pr *p, const struct target_info *ti, bool event)
{
	enum pr_mode mode = event ? PRINT_JSON : PRINT_ANY;
	uint64_t v = ti->set.val[KLOGFWD_A_TARGET_TLS_VERSION];
	uint64_t c = ti->set.val[KLOGFWD_A_TARGET_TLS_CIPHER];
	uint64_t a = ti->set.val[KLOGFWD_A_TARGET_TLS_ALERT];
	uint64_t h = ti->set.val[KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT];
	char vb[24], cb[24], ab[48], hb[64];

	if (have(ti, KLOGFWD_A_TARGET_TLS_VERSION) && v) {
		pr_str(p, mode, "tls_version", " tls-version %s",
		       tls_version_name(v, vb, sizeof(vb)));
		pr_str(p, mode, "tls_cipher", " tls-cipher %s", tls_cipher_name(c, cb, sizeof(cb)));
	} else {
		pr_null(p, PRINT_JSON, "tls_version", NULL);
		pr_null(p, PRINT_JSON, "tls_cipher", NULL);
	}
	if (have(ti, KLOGFWD_A_TARGET_TLS_PEER))
		pr_str(p, mode, "tls_peer", " tls-peer \"%s\"",
		       (const char *)ti->set.ptr[KLOGFWD_A_TARGET_TLS_PEER]);
	else
		pr_null(p, PRINT_JSON, "tls_peer", NULL);
	if (have(ti, KLOGFWD_A_TARGET_TLS_ALERT) && a)
		pr_str(p, mode, "tls_alert", " tls-alert %s", tls_alert_name(a, ab, sizeof(ab)));
	else
		pr_null(p, PRINT_JSON, "tls_alert", NULL);
	if (have(ti, KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT) && h) {
		tls_alert_name(h & 0xffff, ab, sizeof(ab));
		snprintf(hb, sizeof(hb), "%s %s",
			 h & KLOGFWD_TLS_ALERT_SENT ? "sent" : "received", ab);
		pr_str(p, mode, "tls_handshake_alert", " tls-handshake-alert %s", hb);
	} else {
		pr_null(p, PRINT_JSON, "tls_handshake_alert", NULL);
	}
}

/* The counters text shows with more than a number (counters_print()) */
static bool print_stat(struct pr *p, unsigned int type, uint64_t v)
{
	switch (type) {
	case KLOGFWD_A_TARGET_STATS_LAST_ERROR:
		print_errno(p, "last-error", v);
		return true;
	case KLOGFWD_A_TARGET_STATS_LAST_DISCONNECT:
		print_errno(p, "last-disconnect", v);
		return true;
	case KLOGFWD_A_TARGET_STATS_LAST_ERROR_TIME:
		print_time(p, "last-error-time", v);
		return true;
	case KLOGFWD_A_TARGET_STATS_LAST_DISCONNECT_TIME:
		print_time(p, "last-disconnect-time", v);
		return true;
	case KLOGFWD_A_TARGET_STATS_LAST_CONNECT_TIME:
		print_time(p, "last-connect-time", v);
		return true;
	}
	return false;
}

/* text: " log LOG to ADDR:PORT", of what the reply had */
static void print_head(struct pr *p, const struct target_info *ti)
{
	char addr[INET6_ADDRSTRLEN];
	const char *a = target_addr(ti, addr, sizeof(addr));
	bool port = have(ti, KLOGFWD_A_TARGET_PORT);

	if (have(ti, KLOGFWD_A_TARGET_LOG))
		pr_fp(p, " log %s", (const char *)ti->set.ptr[KLOGFWD_A_TARGET_LOG]);
	if (a || port) {
		pr_fp(p, " to ");
		if (a)
			pr_fp(p, ti->family == AF_INET6 ? "[%s]" : "%s", a);
		if (port)
			pr_fp(p, ":%" PRIu64, ti->set.val[KLOGFWD_A_TARGET_PORT]);
	}
}

/*
 * One target, the members of its object in JSON: name, the settings of
 * target_kws[] (kw_json(): log, address, port, ack, ...), state and the
 * stats; for target show and for an event alike. Text, for target show:
 * target NAME log LOG to ADDR:PORT ack tcp backoff 100-30s keepalive 0 ...
 *     state STATE next-offset N acked-offset N ... last-error N (ENAME: message) ...
 * the first line, but for "target NAME", what "target add NAME" takes; for
 * an event (monitor): "target NAME log LOG to ADDR:PORT state STATE", with
 * " last-error N (ENAME: message)" if the last error is not 0. Returns 0 or
 * -EPROTO.
 */
static int target_print(struct pr *p, const struct nl_reply *reply,
			const struct target_info *ti, bool event)
{
	const unsigned int last_error = KLOGFWD_A_TARGET_STATS_LAST_ERROR;
	int ret;

	pr_str(p, PRINT_ANY, "name", "target %s", ti->name);
	if (event) {
		print_head(p, ti);
	} else if (!pr_is_json(p)) {
		ret = target_conf_print(p->fp, reply->tb, NULL);
		if (ret)
			return ret;
		pr_fp(p, "\n   ");
	}
	kw_json(p, &target_kw_table, &ti->set);
	kw_json_attr(p, "state", &ti->set, KLOGFWD_A_TARGET_STATE,
		     &klf_target_state_enum);
	print_enum(p, ti, "state", KLOGFWD_A_TARGET_STATE, &klf_target_state_enum);
	print_tls(p, ti, event);
	if (pr_is_json(p) || (!event && ti->stats.have))
		counters_print(p, "stats", &ti->stats, false, print_stat);
	else if (event && counter_has(&ti->stats, last_error) &&
		 ti->stats.val[last_error])
		print_errno(p, "last-error", ti->stats.val[last_error]);
	pr_fp(p, "\n");
	return 0;
}

/**
 * target_print_event() - a target-state-ntf, for klogfwd monitor
 * @p: the printer
 * @reply: the notification, laid out as a target-get reply
 * @time: the time it came, or NULL
 *
 * Text: "[TIME ]target NAME log LOG to ADDR:PORT state STATE", with
 * " last-error N (ENAME: message)" if the last error is not 0. JSON: an
 * object with "type": "target", "time" if @time, and the members of one
 * target of target show -j.
 *
 * Return: 0, or -EPROTO for a malformed message, of which nothing is
 * printed.
 */
int target_print_event(struct pr *p, const struct nl_reply *reply,
		       const char *time)
{
	struct target_info ti;
	int ret;

	ret = target_info_parse(reply, &ti);
	if (ret)
		return ret;
	pr_obj_open(p, NULL);
	pr_str(p, PRINT_JSON, "type", NULL, "target");
	if (time)
		pr_str(p, PRINT_ANY, "time", "%s ", time);
	ret = target_print(p, reply, &ti, true);
	pr_obj_close(p);
	return ret;
}

static int show_cb(const struct nl_reply *reply, void *priv)
{
	struct target_info ti;
	struct pr *p = priv;
	int ret;

	ret = target_info_parse(reply, &ti);
	if (ret)
		return ret;
	pr_obj_open(p, NULL);
	ret = target_print(p, reply, &ti, false);
	pr_obj_close(p);
	return ret;
}

static int target_show(struct cli *cli, int argc, char **argv)
{
	int ret = KF_EXIT_OK;
	struct nl_req *req;
	struct nl_ctx *nl;
	struct pr p;

	argc = cli_output_opts(cli, argc, argv);
	if (argc > 2)
		return usage_error("target show", "target show: unexpected argument '%s'",
				   argv[2]);
	nl = cli_nl(cli);
	if (!nl)
		return KF_EXIT_ERROR;
	req = nl_req_start(nl, KLOGFWD_CMD_TARGET_GET,
			   argc > 1 ? 0 : NL_REQ_DUMP);
	if (argc > 1)
		nl_req_put_str(req, KLOGFWD_A_TARGET_NAME, argv[1]);
	/* JSON: always a whole array, of the targets received before any error */
	pr_init(&p, stdout, cli->json, cli->pretty);
	pr_arr_open(&p, NULL);
	if (nl_request(nl, req, KLOGFWD_A_TARGET_MAX, show_cb, &p) < 0) {
		cli_nl_error(cli, "target show");
		ret = KF_EXIT_ERROR;
	}
	pr_arr_close(&p);
	if (pr_finish(&p) < 0)
		ret = KF_EXIT_ERROR;
	return ret;
}

/* Usage */

#define TARGET_UNITS_HELP \
	"\n" \
	"TIME is milliseconds, or a number with a suffix ms, s, m, h or d: 200,\n" \
	"500ms, 30s. SIZE is bytes with an optional suffix k, m or g (KiB, MiB,\n" \
	"GiB): 4096, 256k, 4M. The kernel checks the ranges.\n"

/* the settings of target add and target set, then what SIZE and TIME are */
static void usage_target_settings(FILE *fp)
{
	kw_usage(fp, &target_kw_table, KW_ADD | KW_SET, KW_ADD | KW_SET);
	fputs(TARGET_UNITS_HELP, fp);
}

void usage_target(FILE *fp)
{
	size_t i;

	fputs("Usage: " PROG " target add NAME log LOG to HOST:PORT [from WHERE] [ack tcp|app|relp]\n"
	      "                          [window N] [max-frame SIZE] [timeout SECS] [SETTING...]\n"
	      "                          [paused]\n"
	      "       " PROG " target set NAME [pause | resume] [SETTING...]\n"
	      "       " PROG " target del NAME\n"
	      "       " PROG " [-j [-p]] target show [NAME]\n"
	      "\n"
	      "Create, change, delete and show targets: TCP receivers that a log\n"
	      "is forwarded to, each over its own connection.\n"
	      "\n"
	      "Commands:\n", fp);
	for (i = 0; i < ARRAY_SIZE(target_cmds); i++)
		fprintf(fp, "  %-8s  %s\n", target_cmds[i].name,
			target_cmds[i].summary);
	fputs("\n"
	      "A command can be abbreviated to any unique prefix of its name\n"
	      "('" PROG " target sh'). Run '" PROG " help target COMMAND' for the\n"
	      "settings and details of a command. All target commands need\n"
	      "CAP_NET_ADMIN.\n", fp);
}

static void usage_target_add(FILE *fp)
{
	fputs("Usage: " PROG " target add NAME log LOG to HOST:PORT [from WHERE] [ack tcp|app|relp]\n"
	      "                          [window N] [max-frame SIZE] [timeout SECS] [SETTING...]\n"
	      "                          [paused]\n"
	      "\n"
	      "Create the target NAME, which forwards the log LOG to a TCP receiver.\n"
	      "NAME follows the rules of log names. Keywords may come in any order,\n"
	      "each at most once.\n"
	      "\n"
	      "Required, fixed at creation:\n", fp);
	kw_usage(fp, &target_kw_table, KW_REQUIRED, KW_REQUIRED);
	fputs("\n"
	      "Optional, fixed at creation:\n", fp);
	kw_usage(fp, &target_kw_table, KW_SET | KW_REQUIRED, 0);
	fputs("\n"
	      "SETTING, each at most once; unset ones get the default shown:\n", fp);
	usage_target_settings(fp);
}

static void usage_target_set(FILE *fp)
{
	fputs("Usage: " PROG " target set NAME [pause | resume] [SETTING...]\n"
	      "\n"
	      "Change settings of the target NAME; the others stay as they are.\n"
	      "Connection settings apply from the next connection; pause and resume\n"
	      "at once. log, to, from and ack are fixed at creation.\n"
	      "\n"
	      "At least one of, each at most once:\n", fp);
	kw_usage(fp, &target_kw_table, KW_ADD | KW_SET, KW_SET);
	usage_target_settings(fp);
}

static void usage_target_del(FILE *fp)
{
	fputs("Usage: " PROG " target del NAME\n"
	      "\n"
	      "Delete the target NAME; its connection is reset at once. For a dir\n"
	      "log, the acknowledged position is kept for a later\n"
	      "'target add NAME ... from resume'.\n", fp);
}

static void usage_target_show(FILE *fp)
{
	fputs("Usage: " PROG " [-j [-p]] target show [NAME]\n"
	      "\n"
	      "Show the target NAME, or every target of the network namespace, with\n"
	      "its settings, state and counters: for each target a line of its\n"
	      "settings, in the units and words 'target add' takes (so that\n"
	      "'target add NAME' and the rest of the line recreates the target)\n"
	      "  target NAME log LOG to ADDR:PORT ack tcp backoff 100-30s ... [paused]\n"
	      "(window, max-frame and timeout, before paused, for ack relp targets\n"
	      "only) and\n"
	      "an indented line of its state and counters\n"
	      "      state STATE next-offset N acked-offset N lag-records N ...\n"
	      "(with ack relp also relp-sessions, relp-window-full, relp-resent,\n"
	      "relp-skipped, relp-last-code and relp-timeouts).\n"
	      "IPv6 addresses are printed in brackets, last-error (the last failure,\n"
	      "an attempt or a lost connection) and last-disconnect (the last lost\n"
	      "connection) with the name and description of the error, and\n"
	      "last-error-time, last-disconnect-time and last-connect-time (Unix\n"
	      "times in seconds, 0: never) with their age, as (3m12s ago).\n"
	      "\n"
	      "With -j, an array with one object per target, with the members name,\n"
	      "log, address (without brackets), port, ack, backoff_min_ms,\n"
	      "backoff_max_ms, keepalive_s, user_timeout_ms, nodelay (a boolean),\n"
	      "sndbuf, relp_window, relp_max_frame, relp_timeout_s, paused (a\n"
	      "boolean), state and stats (an object: next_offset, acked_offset,\n"
	      "..., last_error, ..., relp_sessions, ...), null where the kernel\n"
	      "reported nothing (the relp_ settings but for ack relp targets).\n"
	      "Enumerations are strings, the rest numbers.\n", fp);
}

int cmd_target(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("target", "target: missing command (add, set, del or show)");
	cli->attr_names = klf_target_attr_names;
	cli->n_attr_names = ARRAY_SIZE(klf_target_attr_names);
	return cmd_dispatch(cli, target_cmds, ARRAY_SIZE(target_cmds), "target",
			    argc - 1, argv + 1);
}
