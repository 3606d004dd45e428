// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: the sender. Each target has one worker, a work item on
 * klf_wq, that owns its socket: it connects, queues the log's committed
 * page-cache pages on the socket by reference (zero-copy), follows what the
 * peer acknowledges, and reconnects with jittered exponential backoff.
 *
 * The socket (sock.c) has callbacks that only kick the worker, and a
 * producer's append kicks it too, so nothing polls in the live path; a
 * slow timer only backs up acknowledgment tracking while data is in
 * flight. Pages go to TCP by reference through xmit.c.
 *
 * Locking: the worker runs with the target's lock held. Keeping up with
 * the producers, it does not take the log's lock: spans in the active
 * segment come from its published commit, and acknowledgments are
 * published by cmpxchg (klf_log_span(), klf_log_ack()). It takes the lock
 * briefly for anything else (a new segment, klf_log_skip(), waking
 * producers under overflow block), never across a send, and never sends
 * under lock_sock.
 *
 * Acknowledgments: with ack tcp, a ring of checkpoints maps the bytes
 * queued on the connection to record boundaries; tcp_sock.bytes_acked
 * (minus its value at connection time: the SYN counts one) tells which
 * checkpoints the peer's TCP has passed. When the connection breaks, the
 * records after the last checkpoint passed are walked to find the first one
 * not acknowledged in full: that is where the next connection resumes.
 * With ack app, the receiver writes back offsets and those are used.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/net.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/tcp.h>
#include <linux/timekeeping.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/sock.h"
#include "kmod/target.h"
#include "kmod/tls.h"
#include "kmod/xmit.h"

/* bytes queued per worker run before it yields to other work */
#define KLF_SEND_BUDGET		SZ_1M
/* acknowledgment tracking while data is in flight, besides write_space */
#define KLF_ACK_POLL		(HZ / 4)
/* retry after a send failed for lack of memory, not of socket space */
#define KLF_NOMEM_RETRY		(HZ / 10)

#define KLF_CURSOR_MAGIC	0x43464c4bU	/* "KLFC" */

/**
 * struct klf_cursor_rec - content of <dir>/<target>.cursor, little endian
 * @magic: KLF_CURSOR_MAGIC
 * @crc: CRC32C of the record with @crc zero
 * @offset: first record not acknowledged
 */
struct klf_cursor_rec {
	__le32 magic;
	__le32 crc;
	__le64 offset;
};

/**
 * klf_target_kick() - run a target's worker now
 * @t: the target
 *
 * Callable from any context. Does nothing while the target waits out a
 * backoff or is paused: a producer must not make a dead receiver be
 * retried sooner.
 */
void klf_target_kick(struct klf_target *t)
{
	u32 state = READ_ONCE(t->state);

	if (state == KLOGFWD_TARGET_STATE_ESTABLISHED ||
	    state == KLOGFWD_TARGET_STATE_CONNECTING)
		queue_work(klf_wq, &t->work);
}

/**
 * klf_target_timer() - a target's timer: its worker is due
 * @tl: the target's timer
 */
void klf_target_timer(struct timer_list *tl)
{
	struct klf_target *t = from_timer(t, tl, timer);

	queue_work(klf_wq, &t->work);
}

static void klf_target_put_span(struct klf_target *t)
{
	if (t->span.file)
		fput(t->span.file);
	t->span.file = NULL;
}

/* Reset the connection (RST, queue purged) and forget the socket. */
static void klf_target_close(struct klf_target *t)
{
	lockdep_assert_held(&t->lock);
	if (!t->sock)
		return;
	klf_sock_close(t);
	klf_target_put_span(t);
}

/* Tell the log how far this target got: retention and blocked producers. */
static void klf_target_publish(struct klf_target *t)
{
	klf_log_ack(t->log, &t->consumer, t->acked.cur.offset);
}

/*
 * Read from the connection without waiting: through TLS on a TLS target.
 *
 * Return: bytes read, 0 at the end of the stream, or a negative errno
 * (-EAGAIN when there is nothing to read).
 */
static int klf_target_recv(struct klf_target *t, void *buf, size_t len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	if (t->tls)
		return klf_tls_recv(t, buf, len);
	return kernel_recvmsg(t->sock, &msg, &iov, 1, len, MSG_DONTWAIT);
}

/*
 * Read the receiver's acknowledgments (ack app): 8-byte LE offsets.
 *
 * Return: 0 once nothing more is to be read, -EPIPE at the end of the
 * receiver's stream (EOF, TLS close_notify), or the read's error that
 * ends the connection (a TLS alert, a record that does not decrypt): a
 * receiver that will send no more acknowledgments is not waited for.
 */
static int klf_target_app_acks(struct klf_target *t)
{
	u8 buf[256];
	__le64 le;
	int n, i;
	u64 v;

	for (;;) {
		n = klf_target_recv(t, buf, sizeof(buf));
		if (n == -EAGAIN)
			return 0;
		if (n <= 0)
			return n ?: -EPIPE;
		for (i = 0; i < n; i++) {
			t->ackbuf[t->ackbuf_len++] = buf[i];
			if (t->ackbuf_len < sizeof(t->ackbuf))
				continue;
			t->ackbuf_len = 0;
			memcpy(&le, t->ackbuf, sizeof(le));
			v = le64_to_cpu(le);
			/*
			 * never past the records queued in full: a receiver
			 * cannot make us skip what was not sent
			 */
			v = min(v, t->cur.offset);
			if (v > t->acked.cur.offset)
				t->acked.cur = (struct klf_cursor){ .offset = v, .pos = -1 };
		}
	}
}

static int klf_target_relp_recv(struct klf_target *t);

/*
 * Follow what the peer acknowledged on the current connection.
 *
 * Return: 0, or a negative errno when the receiver broke the RELP session
 * or ended its stream of application acknowledgments.
 */
static int klf_target_acks(struct klf_target *t)
{
	struct sock *sk = t->sock->sk;
	u64 acked, prev = t->acked.cur.offset;
	bool slow;
	int ret = 0;

	slow = lock_sock_fast(sk);
	acked = tcp_sk(sk)->bytes_acked - t->acked_base;
	unlock_sock_fast(sk, slow);
	/* TLS: the plaintext of the TLS records acknowledged in full */
	if (t->tls && t->ack == KLOGFWD_ACK_TCP)
		acked = klf_tls_acked(t, acked);
	/* our FIN would count one more (we never send one: connections are reset) */
	acked = min(acked, t->queued);
	if (acked > t->conn_acked) {
		t->stats.bytes_acked += acked - t->conn_acked;
		t->conn_acked = acked;
		/* a receiver that takes data resets the backoff (RELP: its 200s) */
		if (t->ack != KLOGFWD_ACK_RELP)
			t->backoff_ms = t->cfg.backoff_min_ms;
	}
	if (t->ack == KLOGFWD_ACK_TCP) {
		while (t->ring_len && t->ring[t->ring_head].stream <= acked) {
			t->acked = t->ring[t->ring_head];
			t->ring_head = (t->ring_head + 1) % KLF_CKPT_RING;
			t->ring_len--;
		}
	} else if (t->ack == KLOGFWD_ACK_RELP) {
		ret = klf_target_relp_recv(t);
	} else {
		ret = klf_target_app_acks(t);
	}
	if (t->acked.cur.offset != prev) {
		t->stats.records_acked += t->acked.cur.offset - prev;
		klf_target_publish(t);
	}
	return ret;
}

/*
 * The connection broke: move the acknowledged cursor over the records past
 * the last checkpoint that the peer's TCP acknowledged in full.
 */
static void klf_target_exact(struct klf_target *t)
{
	u64 rest = t->conn_acked - t->acked.stream;
	struct klf_cursor c = t->acked.cur;
	u64 n;

	if (t->ack != KLOGFWD_ACK_TCP || !rest)
		return;
	n = klf_log_skip(t->log, &c, &rest);
	if (!n)
		return;
	t->acked.cur = c;
	t->acked.stream = t->conn_acked - rest;
	t->stats.records_acked += n;
	klf_target_publish(t);
}

/* Wait before the next attempt: full jitter over the upper half. */
static void klf_target_backoff(struct klf_target *t)
{
	u32 d = t->backoff_ms;

	d = d / 2 + get_random_u32_below(d / 2 + 1);
	t->backoff_ms = min(t->backoff_ms * 2, t->cfg.backoff_max_ms);
	t->retry_at = jiffies + msecs_to_jiffies(d);
	WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_BACKOFF);
	mod_timer(&t->timer, t->retry_at);
}

/**
 * klf_target_say_ok() - may the target write a line to the kernel log now?
 * @t: the target, locked
 *
 * KLF_SAY_BURST lines per KLF_SAY_INTERVAL. The first line allowed after
 * some were suppressed says how many, naming the target (the ratelimit's
 * own message would name a function).
 *
 * Return: true if the line may be written.
 */
bool klf_target_say_ok(struct klf_target *t)
{
	lockdep_assert_held(&t->lock);
	if (!__ratelimit(&t->say_rs))
		return false;
	if (t->say_rs.missed) {
		pr_info("target %s (log %s): %d lines suppressed\n", t->name, t->log->name,
			t->say_rs.missed);
		t->say_rs.missed = 0;
	}
	return true;
}

/*
 * The RELP session broke (@err): tell why, once per failure as the other
 * connection lines, and parse nothing more on it.
 */
static int klf_relp_broken(struct klf_target *t, int err, const char *why, u32 txnr,
			   const char *text)
{
	t->relp.broken = true;
	if (klf_target_say_ok(t))
		pr_info("target %s (log %s): RELP session with %pISpc broken: %s (txnr %u%s%.*s)\n",
			t->name, t->log->name, &t->addr, why, txnr, text ? ": " : "",
			text ? (int)strcspn(text, "\n") : 0, text ? text : "");
	return err;
}

/*
 * The oldest frames were skipped records (too long to send): they are
 * done once everything before them is.
 */
static void klf_relp_pop_skipped(struct klf_target *t)
{
	struct klf_relp_slot *slot;

	while ((slot = klf_relp_oldest(&t->relp)) && !slot->txnr) {
		t->acked.cur = slot->cur;
		klf_relp_pop(&t->relp);
	}
}

/* A response: to open, or to the oldest frame not answered. */
static int klf_target_relp_rsp(struct klf_target *t, const struct klf_relp_rsp *rsp)
{
	struct klf_relp *r = &t->relp;
	struct klf_relp_slot *slot;

	t->stats.relp_last_code = rsp->code;
	r->heard_at = jiffies;
	if (!r->opened) {
		if (rsp->code != 200)
			return klf_relp_broken(t, -EREMOTEIO, "open refused", rsp->txnr,
					       rsp->text);
		if (klf_relp_check_open(r, rsp))
			return klf_relp_broken(t, -EPROTO,
					       "open accepted without the syslog command of RELP version 0",
					       rsp->txnr, NULL);
		r->opened = true;
		t->stats.relp_sessions++;
		return 0;
	}
	slot = klf_relp_oldest(r);
	if (!slot || slot->txnr != rsp->txnr)
		return klf_relp_broken(t, -EPROTO, "response out of order", rsp->txnr, NULL);
	if (rsp->code != 200)
		return klf_relp_broken(t, -EREMOTEIO, "receiver refused a message", rsp->txnr,
				       rsp->text);
	t->acked.cur = slot->cur;
	klf_relp_pop(r);
	klf_relp_pop_skipped(t);
	/* a receiver that takes messages resets the backoff */
	t->backoff_ms = t->cfg.backoff_min_ms;
	return 0;
}

/*
 * Read the receiver's RELP responses (ack relp).
 *
 * Return: 0, or a negative errno that ends the connection: the receiver
 * closed it, refused a frame, said serverclose or sent what is not RELP.
 */
static int klf_target_relp_recv(struct klf_target *t)
{
	struct klf_relp *r = &t->relp;
	struct klf_relp_rsp rsp;
	size_t off, used;
	u8 buf[256];
	int n, ret;

	if (r->broken)
		return -EPROTO;
	for (;;) {
		n = klf_target_recv(t, buf, sizeof(buf));
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return n;
		if (!n)
			return -EPIPE;
		for (off = 0; off < n; off += used) {
			ret = klf_relp_parse(r, buf + off, n - off, &used, &rsp);
			if (ret == -ECONNRESET)
				return klf_relp_broken(t, ret, "serverclose", 0, NULL);
			if (ret < 0)
				return klf_relp_broken(t, ret, "not a RELP response", r->p_txnr,
						       NULL);
			if (!ret)
				break;
			ret = klf_target_relp_rsp(t, &rsp);
			if (ret)
				return ret;
		}
	}
}

/* Record a failure: last-error and its time. */
static void klf_target_error(struct klf_target *t, int err)
{
	lockdep_assert_held(&t->lock);
	t->last_error = -err;
	t->last_error_time = ktime_get_real_seconds();
	t->stats.reconnects++;
}

/* A connection failed or broke with @err: keep what was acked, back off. */
static void klf_target_fail(struct klf_target *t, int err)
{
	bool lost = t->sock && t->state == KLOGFWD_TARGET_STATE_ESTABLISHED;

	lockdep_assert_held(&t->lock);
	if (lost) {
		klf_target_acks(t);
		klf_target_exact(t);
	}
	klf_target_close(t);
	klf_target_error(t, err);
	if (lost) {
		t->last_disconnect = -err;
		t->last_disconnect_time = t->last_error_time;
		if (klf_target_say_ok(t))
			pr_info("target %s (log %s): connection to %pISpc lost: %pe\n",
				t->name, t->log->name, &t->addr, ERR_PTR(err));
	} else if (!t->fail_said) {
		/* once until connected: a target in backoff retries quietly */
		t->fail_said = true;
		if (klf_target_say_ok(t))
			pr_info("target %s (log %s): cannot connect to %pISpc: %pe; retrying quietly\n",
				t->name, t->log->name, &t->addr, ERR_PTR(err));
	}
	klf_target_persist(t, true);
	klf_target_backoff(t);
}

/**
 * klf_target_stop() - close the connection for good (pause, delete)
 * @t: the target, locked
 *
 * What the peer acknowledged is kept, to the record, for a later resume.
 */
void klf_target_stop(struct klf_target *t)
{
	lockdep_assert_held(&t->lock);
	if (t->sock && t->state == KLOGFWD_TARGET_STATE_ESTABLISHED) {
		klf_target_acks(t);
		klf_target_exact(t);
	}
	klf_target_close(t);
	klf_target_persist(t, true);
}

static void klf_target_connect(struct klf_target *t)
{
	int ret;

	ret = klf_sock_open(t);
	if (ret) {
		klf_target_error(t, ret);
		klf_target_backoff(t);
		return;
	}
	WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_CONNECTING);
	ret = klf_fault_hit(KLF_FAULT_CONNECT);
	if (!ret)
		ret = kernel_connect(t->sock, (struct sockaddr *)&t->addr, t->addrlen,
				     O_NONBLOCK);
	if (ret && ret != -EINPROGRESS) {
		klf_target_fail(t, ret);
		return;
	}
	/* the handshake may be over already; the state callback may have run */
	queue_work(klf_wq, &t->work);
}

/* Everything queued on the connection is acknowledged, in whole records. */
static bool klf_target_drained(struct klf_target *t)
{
	if (t->span.file && t->span.pos != t->span.end)
		return false;
	switch (t->ack) {
	case KLOGFWD_ACK_RELP:
		return t->relp.rec_end < 0 && !klf_relp_oldest(&t->relp);
	case KLOGFWD_ACK_APP:
		return t->acked.cur.offset >= t->cur.offset;
	default:
		return t->conn_acked >= t->queued;
	}
}

/*
 * The RELP session used its last transaction number and every frame was
 * answered: a new connection at once, without an error or a backoff.
 */
static void klf_target_relp_renew(struct klf_target *t)
{
	lockdep_assert_held(&t->lock);
	if (klf_target_say_ok(t))
		pr_info("target %s (log %s): RELP session with %pISpc used its last txnr (%u): starting a new one\n",
			t->name, t->log->name, &t->addr, KLF_RELP_TXNR_MAX);
	klf_target_stop(t);
	klf_target_connect(t);
}

static void klf_target_established(struct klf_target *t)
{
	struct sock *sk = t->sock->sk;
	bool slow;
	int near;

	slow = lock_sock_fast(sk);
	t->acked_base = tcp_sk(sk)->bytes_acked;
	unlock_sock_fast(sk, slow);
	t->queued = 0;
	t->conn_acked = 0;
	t->ring_len = 0;
	t->ackbuf_len = 0;
	t->acked.stream = 0;
	t->cur = t->acked.cur;
	klf_target_put_span(t);
	if (t->tls)
		klf_tls_established(t);
	if (t->ack == KLOGFWD_ACK_RELP) {
		klf_relp_reset(&t->relp);
		/* fault knob relp_txnr: the open that many short of the last txnr */
		near = klf_fault_hit(KLF_FAULT_RELP_TXNR);
		if (near)
			t->relp.txnr = KLF_RELP_TXNR_MAX + near;
	}
	t->stats.connects++;
	t->last_connect_time = ktime_get_real_seconds();
	t->fail_said = false;
	WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_ESTABLISHED);
	if (!klf_target_say_ok(t))
		return;
	if (t->tls)
		pr_info("target %s (log %s): connected to %pISpc, TLS version %#x cipher %u\n",
			t->name, t->log->name, &t->addr, t->tls->version, t->tls->cipher);
	else
		pr_info("target %s (log %s): connected to %pISpc\n", t->name, t->log->name,
			&t->addr);
}

/*
 * A span was queued in full: the next record starts a checkpoint. The
 * span keeps its file: klf_log_span() continues in that segment without
 * the log's lock while it is the active one.
 */
static void klf_target_span_done(struct klf_target *t)
{
	struct klf_span *s = &t->span;
	unsigned int i;

	t->stats.records_sent += s->end_offset - s->offset;
	t->sent_hwm = max(t->sent_hwm, s->end_offset);
	t->cur = (struct klf_cursor){ .offset = s->end_offset, .base = s->base, .pos = s->end };
	if (t->ack == KLOGFWD_ACK_TCP) {
		if (t->ring_len == KLF_CKPT_RING) {
			/* full: the newest checkpoint grows instead */
			i = (t->ring_head + t->ring_len - 1) % KLF_CKPT_RING;
		} else {
			i = (t->ring_head + t->ring_len) % KLF_CKPT_RING;
			t->ring_len++;
		}
		t->ring[i] = (struct klf_ckpt){ .stream = t->queued, .cur = t->cur };
	}
}

/*
 * Queue @len bytes of the span's file from @pos on, by reference: one call
 * into TCP, at most KLF_SEND_PAGES pages. MSG_MORE with @more.
 *
 * Return: the bytes queued (possibly short), 0 if the socket had no room,
 * or a negative errno that ends the connection.
 */
static int klf_target_queue(struct klf_target *t, loff_t pos, size_t len, bool more)
{
	unsigned int off = offset_in_page(pos), npages, i;
	struct page *pages[KLF_SEND_PAGES];
	struct sock *sk = t->sock->sk;
	size_t slen = len;
	int ret;

	npages = DIV_ROUND_UP(off + len, PAGE_SIZE);
	ret = klf_span_pages(&t->span, pos >> PAGE_SHIFT, npages, pages);
	if (ret)
		return ret;
	/* fault knobs (fault.c): a failed send; a short one, as if full */
	ret = klf_fault_hit(KLF_FAULT_SEND);
	if (!ret) {
		slen = klf_fault_hit(KLF_FAULT_SHORT_SEND) ? (len + 1) / 2 : len;
		ret = klf_send_pages(t->sock, pages, npages, off, slen, more,
				     &t->stats.pages_spliced, &t->stats.bytes_copied);
	}
	for (i = 0; i < npages; i++)
		put_page(pages[i]);
	if (ret == -EAGAIN) {
		t->stats.eagain++;
		/* room but no memory: no write_space will come */
		if (sk_stream_memory_free(sk))
			timer_reduce(&t->timer, jiffies + KLF_NOMEM_RETRY);
		return 0;
	}
	if (ret < 0)
		return ret;
	t->stats.send_calls++;
	t->stats.bytes_sent += ret;
	t->queued += ret;
	if (t->tls && t->ack == KLOGFWD_ACK_TCP) {
		/*
		 * ack tcp sends one TLS record at a time: TLS takes all of it
		 * or nothing, so a short send is a surprise, and what the
		 * receiver has could not be told from it. The other acks
		 * need no record ends.
		 */
		if (ret != slen)
			return -EPROTO;
		ret = klf_tls_sent(t, ret) ?: ret;
	}
	return ret;
}

/*
 * Take the next span of the log once the span is used up. @idle: nothing
 * sent on this connection waits for its acknowledgment, so a span that
 * starts past the acknowledged record (retention deleted records this
 * target never had) moves the acknowledged cursor to it.
 *
 * Return: 0, -ENODATA when the log holds nothing more, or a negative errno.
 */
static int klf_target_refill(struct klf_target *t, bool idle)
{
	struct klf_span *s = &t->span;
	int ret;

	if (s->file && s->pos != s->end)
		return 0;
	/* a TLS session due for replacement takes no new record */
	if (klf_tls_rekeying(t->tls))
		return -ENODATA;
	ret = klf_log_span(t->log, &t->cur, s);
	if (ret)
		return ret;
	if (idle && s->offset > t->acked.cur.offset) {
		t->acked.cur = t->cur;
		klf_target_publish(t);
	}
	return 0;
}

/*
 * Queue committed records, many pages per call, until the log has no more,
 * the socket is full or the budget is spent.
 *
 * Return: 0 or a negative errno that ends the connection.
 */
static int klf_target_send(struct klf_target *t)
{
	size_t budget = KLF_SEND_BUDGET;
	struct klf_span *s = &t->span;
	size_t len;
	bool more;
	int ret;

	for (;;) {
		ret = klf_target_refill(t, !t->queued);
		if (ret)
			return ret == -ENODATA ? 0 : ret;
		if (!budget) {
			queue_work(klf_wq, &t->work);
			return 0;
		}
		len = min_t(size_t, s->end - s->pos,
			    KLF_SEND_PAGES * PAGE_SIZE - offset_in_page(s->pos));
		len = min(len, budget);
		more = s->pos + len < s->end;
		if (t->tls && t->ack == KLOGFWD_ACK_TCP) {
			/* one TLS record per send: its end is known (tls.c) */
			if (!klf_tls_room(t->tls))
				return 0;
			len = min_t(size_t, len, KLF_TLS_SEND_MAX);
			more = false;
		}
		ret = klf_target_queue(t, s->pos, len, more);
		if (ret <= 0)
			return ret;
		if (s->offset < t->sent_hwm)
			t->stats.resent_bytes += ret;
		s->pos += ret;
		budget -= min_t(size_t, ret, budget);
		if (s->pos == s->end) {
			klf_target_span_done(t);
		} else if (ret < len) {
			/* the socket is full; write_space brings us back */
			t->stats.eagain++;
			return 0;
		}
	}
}

/*
 * The length of the record at the span's position, its newline included
 * (an lf record holds no other).
 *
 * Return: the length, or a negative errno.
 */
static ssize_t klf_relp_reclen(struct klf_span *s)
{
	loff_t pos = s->pos;
	struct page *page;
	size_t n, off;
	const u8 *p;
	u8 *nl;
	int ret;

	while (pos < s->end) {
		off = offset_in_page(pos);
		n = min_t(size_t, PAGE_SIZE - off, s->end - pos);
		ret = klf_span_pages(s, pos >> PAGE_SHIFT, 1, &page);
		if (ret)
			return ret;
		p = kmap_local_page(page);
		nl = memchr(p + off, '\n', n);
		if (nl)
			pos += nl - (p + off) + 1;
		else
			pos += n;
		kunmap_local(p);
		put_page(page);
		if (nl)
			return pos - s->pos;
	}
	/* committed lf records all end with a newline */
	return -EIO;
}

/*
 * Queue the rest of the RELP header (or open frame), copied: a few bytes,
 * and a small record's with them.
 *
 * Return: 0 when it is all queued, 1 when the socket is full, or a
 * negative errno.
 */
static int klf_relp_send_hdr(struct klf_target *t)
{
	struct klf_relp *r = &t->relp;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov;
	int ret;

	/* a syslog header: its record follows at once; open waits for an answer */
	if (r->opened)
		msg.msg_flags |= MSG_MORE;
	while (r->hdr_off < r->hdr_len) {
		iov.iov_base = r->hdr + r->hdr_off;
		iov.iov_len = r->hdr_len - r->hdr_off;
		ret = kernel_sendmsg(t->sock, &msg, &iov, 1, iov.iov_len);
		if (ret == -EAGAIN) {
			t->stats.eagain++;
			return 1;
		}
		if (ret < 0)
			return ret;
		r->hdr_off += ret;
		t->queued += ret;
		t->stats.bytes_sent += ret;
		t->stats.bytes_copied += ret;
		/* TCP holds what went with MSG_MORE until more follows or a push */
		r->unpushed = msg.msg_flags & MSG_MORE;
	}
	return 0;
}

/*
 * Copy the record at the span's position, @len bytes, behind its frame's
 * header (KLF_RELP_COPY_MAX); the span moves past it.
 *
 * Return: 0 or a negative errno.
 */
static int klf_relp_copy_record(struct klf_target *t, size_t len)
{
	struct klf_relp *r = &t->relp;
	struct klf_span *s = &t->span;
	loff_t pos = s->pos;
	struct page *page;
	size_t n, off;
	int ret;

	if (WARN_ON_ONCE(r->hdr_len + len > sizeof(r->hdr)))
		return -EINVAL;
	while (pos < s->pos + len) {
		off = offset_in_page(pos);
		n = min_t(size_t, PAGE_SIZE - off, s->pos + len - pos);
		ret = klf_span_pages(s, pos >> PAGE_SHIFT, 1, &page);
		if (ret)
			return ret;
		memcpy_from_page(r->hdr + r->hdr_len, page, off, n);
		put_page(page);
		r->hdr_len += n;
		pos += n;
	}
	r->copied = len;
	s->pos = pos;
	return 0;
}

/*
 * Queue the rest of the record whose header went out, by reference (none
 * is left of a record copied with it).
 *
 * Return: 0 when it is all queued (the frame is then in the window), 1
 * when the socket is full, or a negative errno.
 */
static int klf_relp_send_record(struct klf_target *t, size_t *budget)
{
	struct klf_relp *r = &t->relp;
	struct klf_span *s = &t->span;
	size_t len;
	bool more;
	int ret;

	while (s->pos < r->rec_end) {
		len = min_t(size_t, r->rec_end - s->pos,
			    KLF_SEND_PAGES * PAGE_SIZE - offset_in_page(s->pos));
		/* the frame ends the data queued so far: push it unless more follows */
		more = s->pos + len < r->rec_end || r->rec_end < s->end;
		ret = klf_target_queue(t, s->pos, len, more);
		if (ret <= 0)
			return ret ? ret : 1;
		r->unpushed = more;
		if (t->cur.offset < t->sent_hwm)
			t->stats.resent_bytes += ret;
		s->pos += ret;
		*budget -= min_t(size_t, ret, *budget);
		if (ret < len) {
			t->stats.eagain++;
			return 1;
		}
	}
	if (r->copied) {
		if (t->cur.offset < t->sent_hwm)
			t->stats.resent_bytes += r->copied;
		*budget -= min_t(size_t, r->copied, *budget);
		r->copied = 0;
	}
	t->cur = (struct klf_cursor){ .offset = t->cur.offset + 1, .base = s->base, .pos = s->pos };
	t->stats.records_sent++;
	t->sent_hwm = max(t->sent_hwm, t->cur.offset);
	klf_relp_push(r, r->txnr++, &t->cur);
	r->rec_end = -1;
	return 0;
}

/*
 * A record longer than relp-max-frame: imrelp would end the session on
 * it, every time it was sent again. It is skipped, counted and told, and
 * is done once the frames before it are answered.
 */
static void klf_relp_skip(struct klf_target *t, size_t len)
{
	struct klf_span *s = &t->span;
	u64 offset = t->cur.offset;

	s->pos += len;
	t->cur = (struct klf_cursor){ .offset = offset + 1, .base = s->base, .pos = s->pos };
	/* skipped again after a reconnect (not yet done): counted once */
	if (offset >= t->sent_hwm) {
		t->stats.relp_skipped++;
		t->relp_skipped_untold++;
		if (klf_target_say_ok(t))
			pr_warn("target %s (log %s): record %llu not sent: its %zu bytes are over max-frame %u\n",
				t->name, t->log->name, offset, len - 1, t->cfg.relp_max_frame);
	}
	t->sent_hwm = max(t->sent_hwm, t->cur.offset);
	if (klf_relp_oldest(&t->relp)) {
		klf_relp_push(&t->relp, 0, &t->cur);
		return;
	}
	t->acked.cur = t->cur;
	t->stats.records_acked++;
	klf_target_publish(t);
}

/*
 * ack relp: open the session, then queue each committed record as a RELP
 * syslog frame (its header copied, its bytes by reference, or copied too
 * if they are few), while the window has room, until the log has no more,
 * the socket is full or the budget is spent.
 *
 * Return: 0, a negative errno that ends the connection, or KLF_RELP_RENEW
 * when the session used its last txnr and every frame was answered.
 */
static int __klf_target_send_relp(struct klf_target *t)
{
	size_t budget = KLF_SEND_BUDGET;
	struct klf_relp *r = &t->relp;
	struct klf_span *s = &t->span;
	ssize_t len;
	int ret;

	if (!r->open_sent)
		klf_relp_open_frame(r);
	for (;;) {
		ret = klf_relp_send_hdr(t);
		if (ret)
			return ret > 0 ? 0 : ret;
		/* nothing but open until the receiver accepts it */
		if (!r->opened)
			return 0;
		if (r->rec_end >= 0) {
			ret = klf_relp_send_record(t, &budget);
			if (ret)
				return ret > 0 ? 0 : ret;
			continue;
		}
		ret = klf_target_refill(t, !klf_relp_oldest(r));
		if (ret)
			return ret == -ENODATA ? 0 : ret;
		if (!budget) {
			queue_work(klf_wq, &t->work);
			return 0;
		}
		if (r->frames >= t->cfg.relp_window || r->len == KLF_RELP_WINDOW_MAX) {
			/* the answers bring the worker back (data_ready) */
			if (!r->blocked)
				t->stats.relp_window_full++;
			r->blocked = true;
			return 0;
		}
		r->blocked = false;
		/* a session ends before its txnr needs a tenth digit */
		if (r->txnr > KLF_RELP_TXNR_MAX)
			return klf_relp_oldest(r) ? 0 : KLF_RELP_RENEW;
		len = klf_relp_reclen(s);
		if (len < 0)
			return len;
		if (len - 1 > t->cfg.relp_max_frame) {
			klf_relp_skip(t, len);
			continue;
		}
		if (t->cur.offset < t->sent_hwm)
			t->stats.relp_resent++;
		klf_relp_syslog_frame(r, len - 1);
		r->rec_end = s->pos + len;
		if (len <= KLF_RELP_COPY_MAX) {
			ret = klf_relp_copy_record(t, len);
			if (ret)
				return ret;
		}
	}
}

/*
 * A receiver whose TCP takes the frames but which never answers them
 * (hung, or its queue stuck) is not seen by TCP keepalive or user-timeout:
 * break the session once nothing was heard for relp-timeout-s while the
 * open or a frame waits for its answer, and have the worker back by then
 * otherwise.
 */
static int klf_target_relp_deadline(struct klf_target *t)
{
	struct klf_relp *r = &t->relp;
	unsigned long due;
	char why[40];

	if (!t->cfg.relp_timeout_s || (r->opened && !r->frames))
		return 0;
	due = r->heard_at + (unsigned long)t->cfg.relp_timeout_s * HZ;
	if (time_before(jiffies, due)) {
		timer_reduce(&t->timer, due);
		return 0;
	}
	t->stats.relp_timeouts++;
	snprintf(why, sizeof(why), "no response in %u s", t->cfg.relp_timeout_s);
	/* skipped records never lead the window: the oldest is a frame */
	return klf_relp_broken(t, -ETIMEDOUT, why, r->opened ? klf_relp_oldest(r)->txnr : 1,
			       NULL);
}

static int klf_target_send_relp(struct klf_target *t)
{
	int ret = __klf_target_send_relp(t);

	/*
	 * A frame queued with MSG_MORE, for a next one that did not follow
	 * (a full window, no record yet): push it, or the receiver may never
	 * see it whole and never answer. Over TLS, out of kernel TLS's open
	 * record first.
	 */
	if (t->relp.unpushed && !ret) {
		if (t->tls)
			klf_tls_push(t);
		tcp_sock_set_cork(t->sock->sk, false);
		t->relp.unpushed = false;
	}
	return ret ?: klf_target_relp_deadline(t);
}

/**
 * klf_target_persist() - write the acknowledged offset beside a dir log
 * @t: the target, locked
 * @force: now, rather than at most once a second
 *
 * The file lags the truth by up to a second: a resume after a crash may
 * send records again, never skip one. Unless the log says "sync none", the
 * file is also synced, so that this holds after a power failure too.
 */
void klf_target_persist(struct klf_target *t, bool force)
{
	struct klf_cursor_rec rec;
	u64 off = t->acked.cur.offset;
	loff_t pos = 0;
	bool sync;

	lockdep_assert_held(&t->lock);
	if (!t->cursor_file)
		return;
	/*
	 * Retention may have moved the target past records it dropped. Most
	 * runs have nothing new to write, or wrote less than a second ago.
	 */
	off = max_t(u64, off, atomic64_read(&t->consumer.acked));
	if (off == t->persisted)
		return;
	if (!force && time_before(jiffies, t->persisted_at + HZ)) {
		if (!t->dead)
			timer_reduce(&t->timer, t->persisted_at + HZ);
		return;
	}
	/* log set may change it meanwhile: either value is right */
	sync = READ_ONCE(t->log->cfg.sync) != KLOGFWD_SYNC_NONE;
	rec.magic = cpu_to_le32(KLF_CURSOR_MAGIC);
	rec.crc = 0;
	rec.offset = cpu_to_le64(off);
	rec.crc = cpu_to_le32(__crc32c_le(~0U, (const u8 *)&rec, sizeof(rec)));
	if (kernel_write(t->cursor_file, &rec, sizeof(rec), &pos) == sizeof(rec) &&
	    (!sync || !vfs_fsync(t->cursor_file, 1))) {
		t->persisted = off;
		t->persisted_at = jiffies;
	}
}

/**
 * klf_target_read_cursor() - the offset persisted for a target, if any
 * @f: <dir>/<target>.cursor
 * @offset: set to the offset
 *
 * Return: 0, or -ENOENT if the file is empty, short or corrupt.
 */
int klf_target_read_cursor(struct file *f, u64 *offset)
{
	struct klf_cursor_rec rec;
	loff_t pos = 0;
	u32 crc;

	if (kernel_read(f, &rec, sizeof(rec), &pos) != sizeof(rec))
		return -ENOENT;
	crc = le32_to_cpu(rec.crc);
	rec.crc = 0;
	if (le32_to_cpu(rec.magic) != KLF_CURSOR_MAGIC ||
	    crc != __crc32c_le(~0U, (const u8 *)&rec, sizeof(rec)))
		return -ENOENT;
	*offset = le64_to_cpu(rec.offset);
	return 0;
}

/*
 * The records skipped and not told yet, if an event is due (at most one
 * each KLF_EVENT_INTERVAL; the worker is brought back for the rest), else
 * 0. A paused target tells the rest at once.
 */
static u32 klf_target_skipped_due(struct klf_target *t)
{
	unsigned long due = t->skipped_told_at + KLF_EVENT_INTERVAL;
	u32 n = t->relp_skipped_untold;

	lockdep_assert_held(&t->lock);
	if (!n || t->dead)
		return 0;
	if (!t->paused && time_before(jiffies, due)) {
		timer_reduce(&t->timer, due);
		return 0;
	}
	t->relp_skipped_untold = 0;
	t->skipped_told_at = jiffies;
	return n;
}

/**
 * klf_target_work() - a target's worker
 * @work: the target's work item
 *
 * Context: klf_wq; takes the target's lock.
 */
void klf_target_work(struct work_struct *work)
{
	struct klf_target *t = container_of(work, struct klf_target, work);
	u32 state, skipped;
	struct sock *sk;
	int ret, st;

	mutex_lock(&t->lock);
	state = t->state;
	if (t->dead)
		goto out;
	if (t->paused) {
		klf_target_stop(t);
		WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_PAUSED);
		goto out;
	}
	if (!t->sock) {
		/* a kick that raced with the backoff must not cut it short */
		if (time_before(jiffies, t->retry_at)) {
			mod_timer(&t->timer, t->retry_at);
			goto out;
		}
		klf_target_connect(t);
		goto out;
	}
	sk = t->sock->sk;
	st = READ_ONCE(sk->sk_state);
	if (t->state == KLOGFWD_TARGET_STATE_CONNECTING) {
		if (st == TCP_SYN_SENT)
			goto out;
		if (st != TCP_ESTABLISHED) {
			ret = sock_error(sk);
			klf_target_fail(t, ret ? ret : -ECONNREFUSED);
			goto out;
		}
		if (t->tls) {
			ret = klf_tls_start(t);
			if (ret)
				klf_target_fail(t, ret);
			goto out;
		}
		klf_target_established(t);
	} else if (t->state == KLOGFWD_TARGET_STATE_HANDSHAKE) {
		ret = klf_tls_poll(t);
		if (ret < 0)
			klf_target_fail(t, ret);
		if (ret <= 0)
			goto out;
		st = READ_ONCE(sk->sk_state);
		klf_target_established(t);
	}
	if (st != TCP_ESTABLISHED) {
		ret = sock_error(sk);
		/* CLOSE_WAIT: the receiver closed its side */
		klf_target_fail(t, ret ? ret : -EPIPE);
		goto out;
	}
	/* ask TCP for a write_space call on each ACK that frees room */
	set_bit(SOCK_NOSPACE, &t->sock->flags);
	ret = klf_target_acks(t);
	if (!ret)
		ret = t->ack == KLOGFWD_ACK_RELP ? klf_target_send_relp(t) : klf_target_send(t);
	if (ret == KLF_RELP_RENEW) {
		klf_target_relp_renew(t);
		goto out;
	}
	if (ret) {
		klf_target_fail(t, ret);
		goto out;
	}
	klf_target_persist(t, false);
	/* TLS: a new session (new keys) when this one is old enough */
	if (t->tls && klf_tls_rekey(t, klf_target_drained(t))) {
		klf_target_stop(t);
		klf_target_connect(t);
		goto out;
	}
	if (t->conn_acked < t->queued)
		timer_reduce(&t->timer, jiffies + KLF_ACK_POLL);
out:
	skipped = klf_target_skipped_due(t);
	mutex_unlock(&t->lock);
	/*
	 * Deletion cancels this work synchronously: @t is still there. The
	 * module's exit deletes targets after the family is gone; the
	 * notification then finds the family down and sends nothing.
	 */
	if (READ_ONCE(t->dead))
		return;
	if (READ_ONCE(t->state) != state)
		klf_nl_target_notify(t);
	if (skipped)
		klf_nl_target_event(t, KLOGFWD_TARGET_EVENT_RELP_SKIPPED, skipped);
}
