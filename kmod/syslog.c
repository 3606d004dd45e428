// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: syslog headers put before each record at append time (log
 * setting format: raw, rfc3164, rfc5424). Pure functions but for the
 * default host name: the header is built under the log's lock from its
 * settings and the append time, and stored with the record (stored = sent).
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
	if (cfg->format == KLOGFWD_FORMAT_RAW)
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
