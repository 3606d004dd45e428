/* SPDX-License-Identifier: GPL-2.0 */
/* The client certificate and key, or pre-shared key, of TLS targets, as keys (tlskey.c). */
#ifndef KLOGFWD_TLSKEY_H
#define KLOGFWD_TLSKEY_H

#include <stddef.h>
#include <stdint.h>

int tls_key_check(const char *val);
int tls_key_load(const char *op, const char *kw, const char *val, uint32_t *serial);
int tls_psk_load(const char *op, const char *val, uint32_t *serial);
const char *tls_key_name(uint32_t serial, char *buf, size_t size);

#endif /* KLOGFWD_TLSKEY_H */
