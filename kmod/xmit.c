// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: transmission, page cache to TCP by reference. A span's pages
 * are taken from its file's page cache (klf_span_pages()) and queued on
 * the target's socket without copying (klf_send_pages()):
 * kernel_sendpage() on kernels that have it, sock_sendmsg() with
 * MSG_SPLICE_PAGES on the others (kernel_sendpage() is gone since 6.5,
 * and 6.1's TCP ignores MSG_SPLICE_PAGES: compat.mk probes the headers).
 * Pages that must not be spliced (sendpage_ok() false) are copied
 * instead, and counted.
 */

#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/shmem_fs.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/xmit.h"

static struct page *klf_span_page(struct klf_span *s, pgoff_t index)
{
	struct address_space *m = s->file->f_mapping;

	/* tmpfs has no read_folio: a dir log there is shmem too */
	if (s->shmem || shmem_mapping(m))
		return shmem_read_mapping_page(m, index);
	return read_mapping_page(m, index, s->file);
}

/**
 * klf_span_pages() - take references on pages of a span's file
 * @s: the span
 * @first: index of the first page
 * @n: pages wanted
 * @pages: where to put them
 *
 * Those in the page cache and up to date are taken in one walk of it, the
 * rest (a page swapped out or evicted, a walk stopped inside a large
 * folio) one by one, read in if need be.
 *
 * Return: 0, or a negative errno with no reference left.
 */
int klf_span_pages(struct klf_span *s, pgoff_t first, unsigned int n, struct page **pages)
{
	struct folio_batch fbatch;
	unsigned int i, j, nr;
	pgoff_t start;
	int ret;

	/* fault knobs (fault.c): a failed page read, one chance per page */
	for (i = 0; i < n; i++) {
		ret = klf_fault_hit(KLF_FAULT_READ);
		if (ret)
			return ret;
	}
	/*
	 * A batch holds 15 folios on 6.1, 31 on 6.12: walk again while it
	 * helps. (Before 6.1.135 this walk could return a sibling entry:
	 * Documentation/klogfwd.rst, Kernel compatibility.)
	 */
	i = 0;
	for (start = first; i < n; start = first + i) {
		folio_batch_init(&fbatch);
		nr = filemap_get_folios_contig(s->file->f_mapping, &start, first + n - 1,
					       &fbatch);
		for (j = 0; j < nr; j++) {
			struct folio *folio = fbatch.folios[j];

			if (!folio_test_uptodate(folio) || folio->index > first + i)
				break;
			for (; i < n && first + i < folio_next_index(folio); i++) {
				pages[i] = folio_page(folio, first + i - folio->index);
				get_page(pages[i]);
			}
		}
		folio_batch_release(&fbatch);
		/* an empty batch, or one used only in part: the rest one by one */
		if (!nr || j < nr)
			break;
	}
	for (; i < n; i++) {
		pages[i] = klf_span_page(s, first + i);
		if (IS_ERR(pages[i])) {
			ret = PTR_ERR(pages[i]);
			while (i--)
				put_page(pages[i]);
			return ret;
		}
	}
	return 0;
}

#ifdef KLF_HAVE_KERNEL_SENDPAGE
/**
 * klf_send_pages() - queue page fragments on a TCP socket, by reference
 * @sock: a connected TCP socket
 * @pages: consecutive pages of a file, with references
 * @npages: number of pages (at most KLF_SEND_PAGES)
 * @off: offset of the first byte in @pages[0]
 * @len: bytes to send, from @off on
 * @more: more data follows at once (MSG_MORE on the last page too)
 * @spliced: incremented per page fragment queued by reference
 * @copied: incremented by the bytes queued by copying
 *
 * Never sleeps waiting for room (MSG_DONTWAIT). TCP takes its own page
 * references, so the caller may drop its own when this returns. This is
 * the kernel_sendpage() variant, one call per page: MSG_SENDPAGE_NOTLAST
 * and MSG_MORE keep TCP from pushing a segment between them.
 *
 * Return: bytes queued, possibly short; or -EAGAIN if none could be, or
 * another negative errno.
 */
int klf_send_pages(struct socket *sock, struct page **pages, unsigned int npages,
		   unsigned int off, size_t len, bool more, u64 *spliced, u64 *copied)
{
	size_t done = 0;
	unsigned int i;
	int ret;

	for (i = 0; i < npages && done < len; i++) {
		unsigned int po = i ? 0 : off;
		size_t pl = min_t(size_t, PAGE_SIZE - po, len - done);
		int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

		if (more || done + pl < len)
			flags |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
		if (sendpage_ok(pages[i])) {
			ret = kernel_sendpage(sock, pages[i], po, pl, flags);
			if (ret > 0)
				(*spliced)++;
		} else {
			ret = sock_no_sendpage(sock, pages[i], po, pl, flags);
			if (ret > 0)
				*copied += ret;
		}
		if (ret <= 0)
			return done ? done : (ret ? ret : -EAGAIN);
		done += ret;
		if (ret < pl)
			break;
	}
	return done;
}
#else
/* see the kernel_sendpage() variant above for the documentation */
int klf_send_pages(struct socket *sock, struct page **pages, unsigned int npages,
		   unsigned int off, size_t len, bool more, u64 *spliced, u64 *copied)
{
	struct bio_vec bv[KLF_SEND_PAGES];
	unsigned int i = 0, j, n, k;
	size_t done = 0, run;
	bool ok;
	int ret;

	while (i < npages && done < len) {
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };

		/* a run of pages that may all be spliced, or all not */
		ok = sendpage_ok(pages[i]);
		for (j = i, n = 0, run = 0; j < npages && done + run < len &&
		     sendpage_ok(pages[j]) == ok; j++, n++) {
			unsigned int po = j ? 0 : off;
			size_t pl = min_t(size_t, PAGE_SIZE - po, len - done - run);

			bvec_set_page(&bv[n], pages[j], pl, po);
			run += pl;
		}
		if (ok)
			msg.msg_flags |= MSG_SPLICE_PAGES;
		if (more || done + run < len)
			msg.msg_flags |= MSG_MORE;
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, run);
		ret = sock_sendmsg(sock, &msg);
		if (ret <= 0)
			return done ? done : (ret ? ret : -EAGAIN);
		if (ok) {
			size_t sum = 0;

			for (k = 0; k < n && sum < ret; k++) {
				sum += bv[k].bv_len;
				(*spliced)++;
			}
		} else {
			*copied += ret;
		}
		done += ret;
		if (ret < run)
			break;
		i = j;
	}
	return done;
}
#endif
