// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: record framing. Three formats, chosen per log:
 *
 * lf:    PAYLOAD "\n"                 (PAYLOAD must not hold a newline)
 * octet: LEN " " PAYLOAD              (RFC 6587 octet counting; LEN decimal,
 *                                      no leading zero)
 * klf:   struct klf_klf_hdr PAYLOAD   (32-byte header with CRC32C)
 *
 * These functions neither allocate nor lock: they are called with the
 * log's lock held and must stay cheap and pure.
 */

#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <uapi/linux/klogfwd.h>

#include "kmod/framing.h"

/**
 * klf_frame_overhead() - bytes framing adds to a payload
 * @framing: KLOGFWD_FRAMING_*
 * @len: payload length
 *
 * Return: number of framing bytes around a payload of @len bytes.
 */
size_t klf_frame_overhead(int framing, size_t len)
{
	switch (framing) {
	case KLOGFWD_FRAMING_LF:
		return 1;
	case KLOGFWD_FRAMING_OCTET:
		return snprintf(NULL, 0, "%zu ", len);
	default:
		return KLF_KLF_HDR_LEN;
	}
}

static u32 klf_klf_crc(const struct klf_klf_hdr *hdr, const void *payload, size_t len)
{
	struct klf_klf_hdr h = *hdr;

	h.crc = 0;
	return __crc32c_le(__crc32c_le(~0U, (const u8 *)&h, sizeof(h)), payload, len);
}

/**
 * klf_frame_record() - frame one record
 * @framing: KLOGFWD_FRAMING_*
 * @payload: the record
 * @len: its length
 * @offset: the offset the record gets in its log
 * @timestamp: append time (ns since the epoch)
 * @frame: filled with the bytes to store before and after the payload
 *
 * Return: 0, or -EINVAL if the record cannot be framed (a newline in an lf
 * record, or an empty record).
 */
int klf_frame_record(int framing, const void *payload, size_t len, u64 offset,
		     u64 timestamp, struct klf_frame *frame)
{
	struct klf_klf_hdr *h = (struct klf_klf_hdr *)frame->hdr;

	if (!len)
		return -EINVAL;
	frame->hdr_len = 0;
	frame->trailer_len = 0;

	switch (framing) {
	case KLOGFWD_FRAMING_LF:
		if (memchr(payload, '\n', len))
			return -EINVAL;
		frame->trailer[0] = '\n';
		frame->trailer_len = 1;
		return 0;
	case KLOGFWD_FRAMING_OCTET:
		frame->hdr_len = snprintf(frame->hdr, sizeof(frame->hdr), "%zu ", len);
		return 0;
	case KLOGFWD_FRAMING_KLF:
		h->magic = cpu_to_le32(KLF_KLF_MAGIC);
		h->hdr_len = cpu_to_le16(KLF_KLF_HDR_LEN);
		h->flags = 0;
		h->len = cpu_to_le32(len);
		h->offset = cpu_to_le64(offset);
		h->timestamp = cpu_to_le64(timestamp);
		h->crc = cpu_to_le32(klf_klf_crc(h, payload, len));
		frame->hdr_len = KLF_KLF_HDR_LEN;
		return 0;
	}
	return -EINVAL;
}

static ssize_t klf_parse_lf(const u8 *buf, size_t avail, size_t max_payload,
			    size_t *poff, size_t *plen)
{
	const u8 *nl = memchr(buf, '\n', min(avail, max_payload + 1));

	if (!nl)
		return avail > max_payload ? -EBADMSG : -EAGAIN;
	if (nl == buf)
		return -EBADMSG;
	*poff = 0;
	*plen = nl - buf;
	return *plen + 1;
}

static ssize_t klf_parse_octet(const u8 *buf, size_t avail, size_t max_payload,
			       size_t *poff, size_t *plen)
{
	size_t i, len = 0;

	for (i = 0; i < avail && i < KLF_OCTET_MAX_PREFIX; i++) {
		if (buf[i] == ' ')
			break;
		if (buf[i] < '0' || buf[i] > '9' || (i == 0 && buf[i] == '0'))
			return -EBADMSG;
		len = len * 10 + buf[i] - '0';
	}
	if (i == avail)
		return -EAGAIN;
	if (i == 0 || i == KLF_OCTET_MAX_PREFIX || !len || len > max_payload)
		return -EBADMSG;
	*poff = i + 1;
	*plen = len;
	if (avail < *poff + len)
		return -EAGAIN;
	return *poff + len;
}

static ssize_t klf_parse_klf(const u8 *buf, size_t avail, u64 offset, size_t max_payload,
			     size_t *poff, size_t *plen)
{
	struct klf_klf_hdr h;
	size_t len;

	if (avail < KLF_KLF_HDR_LEN)
		return -EAGAIN;
	memcpy(&h, buf, sizeof(h));
	len = le32_to_cpu(h.len);
	if (le32_to_cpu(h.magic) != KLF_KLF_MAGIC ||
	    le16_to_cpu(h.hdr_len) != KLF_KLF_HDR_LEN || !len || len > max_payload ||
	    le64_to_cpu(h.offset) != offset)
		return -EBADMSG;
	if (avail < KLF_KLF_HDR_LEN + len)
		return -EAGAIN;
	if (le32_to_cpu(h.crc) != klf_klf_crc(&h, buf + KLF_KLF_HDR_LEN, len))
		return -EBADMSG;
	*poff = KLF_KLF_HDR_LEN;
	*plen = len;
	return KLF_KLF_HDR_LEN + len;
}

/**
 * klf_frame_parse() - parse the record at the start of @buf
 * @framing: KLOGFWD_FRAMING_*
 * @buf: stored bytes, starting at a record boundary
 * @avail: bytes available in @buf
 * @offset: the offset the record must have (checked by klf)
 * @max_payload: largest payload a valid record may have
 * @payload_off: set to where the payload starts in @buf
 * @payload_len: set to the payload's length
 *
 * Return: the record's length in @buf; -EAGAIN if @buf holds only part of
 * it; -EBADMSG if the bytes are not a valid record (corruption, or a torn
 * write that later bytes overwrote).
 */
ssize_t klf_frame_parse(int framing, const u8 *buf, size_t avail, u64 offset,
			size_t max_payload, size_t *payload_off, size_t *payload_len)
{
	if (!avail)
		return -EAGAIN;
	switch (framing) {
	case KLOGFWD_FRAMING_LF:
		return klf_parse_lf(buf, avail, max_payload, payload_off, payload_len);
	case KLOGFWD_FRAMING_OCTET:
		return klf_parse_octet(buf, avail, max_payload, payload_off, payload_len);
	case KLOGFWD_FRAMING_KLF:
		return klf_parse_klf(buf, avail, offset, max_payload, payload_off, payload_len);
	}
	return -EINVAL;
}
