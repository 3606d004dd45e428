/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: RELP (rsyslog's Reliable Event Logging Protocol) for targets
 * with ack relp: the session state, the frame headers and the parser of
 * the receiver's responses. The sender (sender.c) drives it.
 */
#ifndef _KLF_RELP_H
#define _KLF_RELP_H

#include <linux/types.h>

#include "kmod/log.h"

#define KLF_RELP_WINDOW_DEFAULT	128	/* librelp's RELP_DFLT_WINDOW_SIZE */
#define KLF_RELP_WINDOW_MAX	1024
#define KLF_RELP_MAX_FRAME_DEFAULT 8096	/* rsyslog's default maxMessageSize */
#define KLF_RELP_TIMEOUT_DEFAULT 90	/* seconds: omrelp's default timeout */
/* the parser takes 9 digits: a session ends before its txnr needs 10 */
#define KLF_RELP_TXNR_MAX	999999999U
/* the send loop's return when a session must end at its last txnr */
#define KLF_RELP_RENEW		1
/* "999999999 syslog 1048576 " */
#define KLF_RELP_HDR_MAX	80
/*
 * A record of at most this many bytes (its newline included) is copied
 * into the buffer behind its frame's header and queued with it, instead
 * of by page reference: TCP then packs such frames into full segments,
 * where by reference each takes two of an skb's 17 fragments (the header's
 * copy and the record's page), about 8 small records a segment
 * (Documentation/performance.rst, RELP).
 */
#define KLF_RELP_COPY_MAX	512
/*
 * The longest response data taken: a code, a text of at most 80 bytes and
 * the open's offers. A longer one is refused before it is read, so that a
 * peer cannot keep the worker reading one response without end.
 */
#define KLF_RELP_RSP_MAX	4096
/* the part of a response's data kept: code, text and the open's offers */
#define KLF_RELP_RSP_KEEP	256

/**
 * struct klf_relp_slot - a frame sent and not answered yet
 * @txnr: its transaction number; 0 for a record skipped (too long), which
 *	  is done once the frames before it are answered
 * @cur: position of the record after it
 */
struct klf_relp_slot {
	u32 txnr;
	struct klf_cursor cur;
};

/**
 * struct klf_relp - the RELP session of a target's current connection
 * @slots: frames sent and not answered, oldest first (KLF_RELP_WINDOW_MAX)
 * @head: index of the oldest
 * @len: slots in use
 * @frames: slots of real frames (not skipped records) in use
 * @txnr: transaction number of the next frame
 * @open_txnr: the open's (1, but for the fault knob relp_txnr)
 * @heard_at: jiffies of the last response, or of the start of the wait
 *	      for one (the open sent, a frame sent while none was waiting)
 * @opened: the receiver answered open with 200
 * @open_sent: open is queued
 * @blocked: sending stopped on a full window (counted once per stop)
 * @broken: the session failed; nothing more is parsed on it
 * @unpushed: the last bytes queued went with MSG_MORE (TCP holds them)
 * @hdr: bytes of a frame header (or of the open frame) not queued yet,
 *	 and the record behind it if it is copied (KLF_RELP_COPY_MAX)
 * @hdr_len: their length
 * @hdr_off: bytes of @hdr queued
 * @copied: bytes of the record in @hdr, 0 if it goes by reference
 * @rec_end: end, in the span, of the record whose bytes are being queued;
 *	     -1 if none
 * @p_state: parser state (KLF_RELP_P_*)
 * @p_txnr: transaction number being parsed
 * @p_cmd: command being parsed (rsp or serverclose are understood)
 * @p_cmdlen: its length
 * @p_digits: digits of the current number
 * @p_len: data length being parsed
 * @p_got: data bytes seen
 * @p_data: the first KLF_RELP_RSP_KEEP - 1 data bytes, NUL-terminated
 */
struct klf_relp {
	struct klf_relp_slot *slots;
	unsigned int head;
	unsigned int len;
	unsigned int frames;
	u32 txnr;
	u32 open_txnr;
	unsigned long heard_at;
	bool opened;
	bool open_sent;
	bool blocked;
	bool broken;
	bool unpushed;
	char hdr[KLF_RELP_HDR_MAX + KLF_RELP_COPY_MAX];
	unsigned int hdr_len;
	unsigned int hdr_off;
	unsigned int copied;
	loff_t rec_end;
	u8 p_state;
	u32 p_txnr;
	char p_cmd[16];
	unsigned int p_cmdlen;
	unsigned int p_digits;
	u32 p_len;
	u32 p_got;
	char p_data[KLF_RELP_RSP_KEEP];
};

/**
 * struct klf_relp_rsp - a complete response frame
 * @txnr: its transaction number
 * @code: the response code (200 for OK)
 * @text: the data: code, text and, for open, the offers
 */
struct klf_relp_rsp {
	u32 txnr;
	u32 code;
	const char *text;
};

int klf_relp_alloc(struct klf_relp *r);
void klf_relp_free(struct klf_relp *r);
void klf_relp_reset(struct klf_relp *r);
void klf_relp_open_frame(struct klf_relp *r);
void klf_relp_syslog_frame(struct klf_relp *r, size_t datalen);
int klf_relp_parse(struct klf_relp *r, const u8 *buf, size_t n, size_t *used,
		   struct klf_relp_rsp *rsp);
int klf_relp_check_open(const struct klf_relp *r, const struct klf_relp_rsp *rsp);
bool klf_relp_push(struct klf_relp *r, u32 txnr, const struct klf_cursor *cur);
struct klf_relp_slot *klf_relp_oldest(struct klf_relp *r);
void klf_relp_pop(struct klf_relp *r);

#endif /* _KLF_RELP_H */
