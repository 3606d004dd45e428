// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: RELP, the Reliable Event Logging Protocol of rsyslog's imrelp
 * (librelp's doc/relp.md). Every frame is
 *
 *	TXNR SP COMMAND SP DATALEN [SP DATA] LF
 *
 * A session opens with "1 open ..." and the receiver's "1 rsp ... 200 OK";
 * then each record of an lf log goes as "TXNR syslog LEN PAYLOAD LF", whose
 * "PAYLOAD LF" are the record's own page-cache bytes: only the header is
 * built here. The receiver answers every frame in order; "200" means it
 * has the message. Anything else breaks the session, and the records not
 * answered are sent again in the next one, with new transaction numbers.
 *
 * This file holds the state and the pure parts (headers, the response
 * parser, the window of frames not answered); sender.c sends and reads.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "kmod/relp.h"

enum {
	KLF_RELP_P_TXNR,
	KLF_RELP_P_CMD,
	KLF_RELP_P_LEN,
	KLF_RELP_P_DATA,
	KLF_RELP_P_LF,
};

/* librelp: TXNR and DATALEN have at most 9 digits, a command 32 letters */
#define KLF_RELP_DIGITS		9
#define KLF_RELP_CMD_MAX	32

/**
 * klf_relp_alloc() - allocate a session's window
 * @r: the session state, zeroed
 *
 * Return: 0 or -ENOMEM.
 */
int klf_relp_alloc(struct klf_relp *r)
{
	r->slots = kvcalloc(KLF_RELP_WINDOW_MAX, sizeof(*r->slots), GFP_KERNEL);
	if (!r->slots)
		return -ENOMEM;
	klf_relp_reset(r);
	return 0;
}

/**
 * klf_relp_free() - free a session's window
 * @r: the session state
 */
void klf_relp_free(struct klf_relp *r)
{
	kvfree(r->slots);
	r->slots = NULL;
}

/**
 * klf_relp_reset() - forget the session: a new connection starts afresh
 * @r: the session state
 */
void klf_relp_reset(struct klf_relp *r)
{
	r->head = 0;
	r->len = 0;
	r->frames = 0;
	r->txnr = 1;
	r->open_txnr = 0;
	r->heard_at = jiffies;
	r->opened = false;
	r->open_sent = false;
	r->blocked = false;
	r->broken = false;
	r->unpushed = false;
	r->hdr_len = 0;
	r->hdr_off = 0;
	r->copied = 0;
	r->rec_end = -1;
	r->p_state = KLF_RELP_P_TXNR;
	r->p_txnr = 0;
	r->p_cmdlen = 0;
	r->p_digits = 0;
	r->p_len = 0;
	r->p_got = 0;
}

/**
 * klf_relp_open_frame() - put the open frame (txnr 1) in the header buffer
 * @r: the session state, just reset
 *
 * imrelp requires the syslog command; relp_software is informational.
 */
void klf_relp_open_frame(struct klf_relp *r)
{
	static const char offers[] =
		"relp_version=0\nrelp_software=klogfwd\ncommands=syslog";

	/* the offers are the data; the frame's own newline ends them */
	r->hdr_len = scnprintf(r->hdr, sizeof(r->hdr), "%u open %zu %s\n", r->txnr,
			       sizeof(offers) - 1, offers);
	r->hdr_off = 0;
	r->open_txnr = r->txnr++;
	r->open_sent = true;
}

/**
 * klf_relp_syslog_frame() - put a syslog frame's header in the buffer
 * @r: the session state
 * @datalen: the record's payload length (its newline ends the frame)
 *
 * The caller has checked that the transaction number is within
 * KLF_RELP_TXNR_MAX.
 */
void klf_relp_syslog_frame(struct klf_relp *r, size_t datalen)
{
	r->hdr_len = scnprintf(r->hdr, sizeof(r->hdr), "%u syslog %zu ", r->txnr, datalen);
	r->hdr_off = 0;
}

/* A complete frame: only rsp is expected; serverclose ends the session. */
static int klf_relp_frame(struct klf_relp *r, struct klf_relp_rsp *rsp)
{
	const char *d = r->p_data;

	r->p_cmd[min_t(unsigned int, r->p_cmdlen, sizeof(r->p_cmd) - 1)] = '\0';
	r->p_data[min_t(u32, r->p_got, sizeof(r->p_data) - 1)] = '\0';
	if (!strcmp(r->p_cmd, "serverclose"))
		return -ECONNRESET;
	if (strcmp(r->p_cmd, "rsp") || r->p_got < 3 || !isdigit(d[0]) || !isdigit(d[1]) ||
	    !isdigit(d[2]) || (r->p_got > 3 && d[3] != ' ' && d[3] != '\n'))
		return -EPROTO;
	rsp->txnr = r->p_txnr;
	rsp->code = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
	rsp->text = d;
	return 1;
}

/**
 * klf_relp_parse() - feed the receiver's bytes to the response parser
 * @r: the session state
 * @buf: bytes received
 * @n: their number
 * @used: set to the bytes consumed
 * @rsp: filled in when a response is complete (valid until the next call)
 *
 * Return: 1 with a response in @rsp (*@used may be less than @n: call
 * again with the rest), 0 when all @n bytes were consumed without ending
 * one, -ECONNRESET for the receiver's serverclose, -EPROTO for anything
 * that is not a well-formed rsp frame, or whose data is longer than
 * KLF_RELP_RSP_MAX.
 */
int klf_relp_parse(struct klf_relp *r, const u8 *buf, size_t n, size_t *used,
		   struct klf_relp_rsp *rsp)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		u8 c = buf[i];

		switch (r->p_state) {
		case KLF_RELP_P_TXNR:
		case KLF_RELP_P_LEN:
			if (isdigit(c)) {
				u32 *v = r->p_state == KLF_RELP_P_TXNR ? &r->p_txnr : &r->p_len;

				if (++r->p_digits > KLF_RELP_DIGITS)
					return -EPROTO;
				*v = *v * 10 + (c - '0');
				break;
			}
			if (!r->p_digits)
				return -EPROTO;
			if (r->p_state == KLF_RELP_P_TXNR && c == ' ') {
				r->p_state = KLF_RELP_P_CMD;
				r->p_cmdlen = 0;
				break;
			}
			if (r->p_state == KLF_RELP_P_LEN && c == ' ' && r->p_len) {
				if (r->p_len > KLF_RELP_RSP_MAX)
					return -EPROTO;
				r->p_state = KLF_RELP_P_DATA;
				r->p_got = 0;
				break;
			}
			if (r->p_state == KLF_RELP_P_LEN && c == '\n' && !r->p_len) {
				r->p_got = 0;
				goto frame;
			}
			return -EPROTO;
		case KLF_RELP_P_CMD:
			if (isalpha(c) && r->p_cmdlen < KLF_RELP_CMD_MAX) {
				if (r->p_cmdlen < sizeof(r->p_cmd) - 1)
					r->p_cmd[r->p_cmdlen] = c;
				r->p_cmdlen++;
				break;
			}
			if (c != ' ' || !r->p_cmdlen)
				return -EPROTO;
			r->p_state = KLF_RELP_P_LEN;
			r->p_digits = 0;
			r->p_len = 0;
			break;
		case KLF_RELP_P_DATA:
			if (r->p_got < sizeof(r->p_data) - 1)
				r->p_data[r->p_got] = c;
			if (++r->p_got == r->p_len)
				r->p_state = KLF_RELP_P_LF;
			break;
		case KLF_RELP_P_LF:
			if (c != '\n')
				return -EPROTO;
			goto frame;
		}
	}
	*used = n;
	return 0;
frame:
	*used = i + 1;
	ret = klf_relp_frame(r, rsp);
	r->p_state = KLF_RELP_P_TXNR;
	r->p_txnr = 0;
	r->p_digits = 0;
	return ret;
}

/**
 * klf_relp_check_open() - is the answer to open one to send syslog frames on?
 * @r: the session state, its open sent
 * @rsp: the first response
 *
 * Return: 0, or -EPROTO if it does not answer the open, is not 200 OK or
 * does not offer the syslog command in protocol version 0.
 */
int klf_relp_check_open(const struct klf_relp *r, const struct klf_relp_rsp *rsp)
{
	const char *v;

	if (rsp->txnr != r->open_txnr || rsp->code != 200 ||
	    !strstr(rsp->text, "\ncommands=syslog"))
		return -EPROTO;
	v = strstr(rsp->text, "\nrelp_version=");
	if (v && strncmp(v, "\nrelp_version=0\n", 16))
		return -EPROTO;
	return 0;
}

/**
 * klf_relp_push() - note a frame sent, or a record skipped (@txnr 0)
 * @r: the session state
 * @txnr: the frame's transaction number, 0 for a skipped record
 * @cur: position of the record after it
 *
 * Return: false if the window has no slot left (nothing noted).
 */
bool klf_relp_push(struct klf_relp *r, u32 txnr, const struct klf_cursor *cur)
{
	struct klf_relp_slot *s;

	if (r->len == KLF_RELP_WINDOW_MAX)
		return false;
	s = &r->slots[(r->head + r->len) % KLF_RELP_WINDOW_MAX];
	s->txnr = txnr;
	s->cur = *cur;
	r->len++;
	if (txnr && !r->frames++)
		r->heard_at = jiffies;
	return true;
}

/**
 * klf_relp_oldest() - the oldest frame not answered
 * @r: the session state
 *
 * Return: its slot, or NULL if none is waiting.
 */
struct klf_relp_slot *klf_relp_oldest(struct klf_relp *r)
{
	return r->len ? &r->slots[r->head] : NULL;
}

/**
 * klf_relp_pop() - forget the oldest slot (answered, or skipped)
 * @r: the session state, with a slot in use
 */
void klf_relp_pop(struct klf_relp *r)
{
	if (r->slots[r->head].txnr)
		r->frames--;
	r->head = (r->head + 1) % KLF_RELP_WINDOW_MAX;
	r->len--;
}
