/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: record framing (lf, octet, klf). Pure functions: no locks, no
 * allocation. What they produce is stored in the segment and sent to
 * targets byte for byte.
 */
#ifndef _KLF_FRAMING_H
#define _KLF_FRAMING_H

#include <linux/types.h>

#define KLF_KLF_MAGIC		0x31464c4bU	/* "KLF1" in little endian */
#define KLF_KLF_HDR_LEN		32
#define KLF_OCTET_MAX_PREFIX	8		/* "1048576 " */

/**
 * struct klf_klf_hdr - header before each payload of a klf-framed log
 * @magic: KLF_KLF_MAGIC
 * @hdr_len: KLF_KLF_HDR_LEN (lets the header grow)
 * @flags: 0
 * @len: payload length in bytes
 * @crc: CRC32C of the header (with @crc zero) and the payload
 * @offset: the record's offset in its log
 * @timestamp: append time, nanoseconds since the epoch (CLOCK_REALTIME)
 *
 * All fields little endian; the payload follows at @hdr_len.
 */
struct klf_klf_hdr {
	__le32 magic;
	__le16 hdr_len;
	__le16 flags;
	__le32 len;
	__le32 crc;
	__le64 offset;
	__le64 timestamp;
} __packed;

/**
 * struct klf_frame - one framed record, as produced or parsed
 * @hdr: the bytes before the payload (octet prefix or klf header)
 * @hdr_len: number of bytes used in @hdr
 * @trailer: the bytes after the payload (the newline of lf)
 * @trailer_len: number of bytes used in @trailer
 */
struct klf_frame {
	u8 hdr[KLF_KLF_HDR_LEN];
	unsigned int hdr_len;
	u8 trailer[1];
	unsigned int trailer_len;
};

int klf_frame_record(int framing, const void *payload, size_t len, u64 offset,
		     u64 timestamp, struct klf_frame *frame);
ssize_t klf_frame_parse(int framing, const u8 *buf, size_t avail, u64 offset,
			size_t max_payload, size_t *payload_off, size_t *payload_len);
size_t klf_frame_overhead(int framing, size_t len);

#endif /* _KLF_FRAMING_H */
