/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The klf framing's CRC32C, for the test programs that build or check klf
 * records (klf_produce, klf_recv, klf_fuzz, log_dev).
 */
#ifndef KLF_CRC_H
#define KLF_CRC_H

#include <stddef.h>
#include <stdint.h>

/* CRC32C as the kernel's __crc32c_le(): no inversion in or out */
static inline uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78U & -(crc & 1));
	}
	return crc;
}

#endif /* KLF_CRC_H */
