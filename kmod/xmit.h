/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: transmission, page cache to TCP by reference (xmit.c).
 */

#ifndef _KLF_XMIT_H
#define _KLF_XMIT_H

#include <linux/types.h>

struct klf_span;
struct page;
struct socket;

/* pages per call into TCP */
#define KLF_SEND_PAGES	64

int klf_span_pages(struct klf_span *s, pgoff_t first, unsigned int n, struct page **pages);
int klf_send_pages(struct socket *sock, struct page **pages, unsigned int npages,
		   unsigned int off, size_t len, bool more, u64 *spliced, u64 *copied);

#endif /* _KLF_XMIT_H */
