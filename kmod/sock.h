/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: a target's kernel TCP socket (sock.c).
 */

#ifndef _KLF_SOCK_H
#define _KLF_SOCK_H

struct klf_target;

int klf_sock_open(struct klf_target *t);
void klf_sock_close(struct klf_target *t);
int klf_sock_detach(struct klf_target *t);
void klf_sock_attach_tls(struct klf_target *t);
void klf_sock_flush(void);

#endif /* _KLF_SOCK_H */
