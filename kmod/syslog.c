// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: syslog headers put before each record at append time (log
 * setting format: raw, rfc3164, rfc5424), and the JSON object a kmsg log
 * makes of each record (format json). Pure functions but for the default
 * host name: a header is built under the log's lock from its settings and
 * the append time, and stored with the record (stored = sent).
 */

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time.h>
#include <linux/utsname.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"

/**
 * klf_syslog_name_ok() - a valid HOSTNAME or APP-NAME
 * @s: NUL-terminated name
 *
 * RFC 5424 allows printable US-ASCII without spaces (33 to 126), at least
 * one character.
 *
 * Return: true if @s is one.
 */
bool klf_syslog_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < 33 || *s > 126)
			return false;
	return true;
}

/**
 * klf_syslog_default_host() - the default HOSTNAME of a new log
 * @buf: KLOGFWD_HOSTNAME_LEN + 1 bytes
 *
 * The node name of the caller's UTS namespace, or "-" (the syslog NILVALUE)
 * if it is not a valid HOSTNAME.
 */
void klf_syslog_default_host(char *buf)
{
	/* uts_sem is not exported: a concurrent sethostname() may tear it */
	strscpy(buf, utsname()->nodename, KLOGFWD_HOSTNAME_LEN + 1);
	if (!klf_syslog_name_ok(buf))
		strscpy(buf, "-", KLOGFWD_HOSTNAME_LEN + 1);
}

/*
 * A leading "<N>", N from 0 to 191 without leading zeros (as /dev/kmsg
 * takes it): its length, or 0 if there is none.
 */
static size_t klf_syslog_pri(const u8 *p, size_t len, unsigned int *pri)
{
	unsigned int v = 0;
	size_t i;

	if (len < 3 || p[0] != '<')
		return 0;
	for (i = 1; i < len && i <= 4 && isdigit(p[i]); i++)
		v = v * 10 + p[i] - '0';
	if (i == 1 || i > 4 || i >= len || p[i] != '>' || v > 191 ||
	    (p[1] == '0' && i > 2))
		return 0;
	*pri = v;
	return i + 1;
}

static const char * const klf_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/**
 * klf_syslog_header() - the header of one record
 * @cfg: the log's settings (format, hostname, facility, severity)
 * @app: the APP-NAME
 * @payload: the producer's payload
 * @len: its length
 * @now: append time, nanoseconds since the epoch
 * @hdr: KLF_SYSLOG_HDR_MAX bytes for the header
 * @strip: set to the length of a leading "<N>" to remove from @payload
 *
 * Return: the header's length (0 with format raw, which strips nothing).
 */
size_t klf_syslog_header(const struct klf_log_config *cfg, const char *app,
			 const u8 *payload, size_t len, u64 now, char *hdr, size_t *strip)
{
	unsigned int pri = cfg->facility * 8 + cfg->severity;
	time64_t secs = div_u64(now, NSEC_PER_SEC);
	u32 usec = div_u64(now - secs * NSEC_PER_SEC, NSEC_PER_USEC);
	struct tm tm;

	*strip = 0;
	if (cfg->format == KLOGFWD_FORMAT_RAW || cfg->format == KLOGFWD_FORMAT_JSON)
		return 0;
	*strip = klf_syslog_pri(payload, len, &pri);
	/* userspace does not log as the kernel: facility 0 is the default */
	if (pri < 8)
		pri += cfg->facility * 8;
	time64_to_tm(secs, 0, &tm);
	if (cfg->format == KLOGFWD_FORMAT_RFC3164)
		return scnprintf(hdr, KLF_SYSLOG_HDR_MAX, "<%u>%s %2d %02d:%02d:%02d %s %s: ",
				 pri, klf_months[tm.tm_mon], tm.tm_mday, tm.tm_hour,
				 tm.tm_min, tm.tm_sec, cfg->hostname, app);
	return scnprintf(hdr, KLF_SYSLOG_HDR_MAX,
			 "<%u>1 %04ld-%02d-%02dT%02d:%02d:%02d.%06uZ %s %s - - - ",
			 pri, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, usec, cfg->hostname, app);
}

/*
 * The length of the valid UTF-8 sequence at @p (at most @avail bytes): 2
 * to 4, or 0 (an overlong form, a surrogate, past U+10FFFF, cut short).
 */
static size_t klf_utf8_len(const u8 *p, size_t avail)
{
	u8 lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > avail)
		return 0;
	/* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/**
 * klf_json_put() - the next character of a JSON string
 * @o: where to write, with room for KLF_JSON_CHAR_MAX bytes
 * @p: the text; advanced past what was written
 * @end: the text's end (> *@p)
 *
 * A valid UTF-8 sequence is copied; '"', '\\' and the control characters
 * are escaped (\n, \t, or \u00XX), as are DEL and a byte of no valid UTF-8
 * sequence (\u00XX, the byte's value): the string is valid JSON whatever
 * the text.
 *
 * Return: @o past what was written.
 */
u8 *klf_json_put(u8 *o, const u8 **p, const u8 *end)
{
	u8 c = **p;
	size_t n = c >= 0x80 ? klf_utf8_len(*p, end - *p) : 0;

	if (n) {
		memcpy(o, *p, n);
		*p += n;
		return o + n;
	}
	(*p)++;
	if (c == '"' || c == '\\') {
		*o++ = '\\';
		*o++ = c;
	} else if (c == '\n') {
		*o++ = '\\';
		*o++ = 'n';
	} else if (c == '\t') {
		*o++ = '\\';
		*o++ = 't';
	} else if (c < ' ' || c >= 0x7f) {
		o += sprintf((char *)o, "\\u%04x", c);
	} else {
		*o++ = c;
	}
	return o;
}

/* @s as a JSON string, quoted: @s is printable ASCII (klf_syslog_name_ok()) */
static u8 *klf_json_name(u8 *o, const char *s)
{
	const u8 *p = (const u8 *)s, *end = p + strlen(s);

	*o++ = '"';
	while (p < end)
		o = klf_json_put(o, &p, end);
	*o++ = '"';
	return o;
}

/**
 * klf_json_head() - the start of a record as a JSON object (format json)
 * @cfg: the log's settings (hostname, app-name)
 * @pri: the record's priority (facility * 8 + severity)
 * @seq: its sequence number in the kernel's log
 * @now: its time, nanoseconds since the epoch
 * @o: KLF_JSON_HEAD_MAX bytes
 *
 * {"time":"YYYY-MM-DDThh:mm:ss.uuuuuuZ","host":H,"app":A,"facility":F,
 * "severity":S,"seq":N,"msg":" and the caller goes on with the text
 * (klf_json_put()), then "}.
 *
 * Return: @o past what was written.
 */
u8 *klf_json_head(const struct klf_log_config *cfg, unsigned int pri, u64 seq, u64 now, u8 *o)
{
	time64_t secs = div_u64(now, NSEC_PER_SEC);
	u32 usec = div_u64(now - secs * NSEC_PER_SEC, NSEC_PER_USEC);
	struct tm tm;

	time64_to_tm(secs, 0, &tm);
	o += sprintf((char *)o, "{\"time\":\"%04ld-%02d-%02dT%02d:%02d:%02d.%06uZ\",\"host\":",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		     tm.tm_sec, usec);
	o = klf_json_name(o, cfg->hostname);
	o += sprintf((char *)o, ",\"app\":");
	o = klf_json_name(o, cfg->app_name[0] ? cfg->app_name : "kernel");
	o += sprintf((char *)o, ",\"facility\":%u,\"severity\":%u,\"seq\":%llu,\"msg\":\"",
		     pri >> 3, pri & 7, seq);
	return o;
}

/* the length of @s as klf_json_name() writes it */
static size_t klf_json_name_len(const char *s)
{
	size_t n = 2 + strlen(s);

	for (; *s; s++)
		n += *s == '"' || *s == '\\';
	return n;
}

/**
 * klf_json_min_record() - the smallest max-record for format json
 * @cfg: the log's settings (hostname, app-name)
 *
 * The longest object klf_json_head() and its end make without any text:
 * every record of a json log fits, its text cut if need be.
 *
 * Return: its length in bytes.
 */
size_t klf_json_min_record(const struct klf_log_config *cfg)
{
	return sizeof("{\"time\":\"0000-00-00T00:00:00.000000Z\",\"host\":") - 1 +
	       klf_json_name_len(cfg->hostname) + sizeof(",\"app\":") - 1 +
	       klf_json_name_len(cfg->app_name[0] ? cfg->app_name : "kernel") +
	       sizeof(",\"facility\":127,\"severity\":7,\"seq\":") - 1 +
	       sizeof("18446744073709551615,\"msg\":\"") - 1 + KLF_JSON_TAIL;
}
