// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: TLS targets.
 *
 * Handshake. Once TCP is connected, the worker puts the socket's own
 * callbacks back (TLS saves the callbacks it finds and writes them back
 * when the socket closes, so none of klogfwd's may be among them), gives
 * the socket a file (the upcall passes the socket to the agent as a file
 * descriptor) and asks the kernel's handshake upcall for a ClientHello:
 * an agent in the target's network namespace (klogfwd-tlsd, or
 * ktls-utils' tlshd) does the handshake and sets the session keys on the
 * socket (kernel TLS), then answers. The kernel never times a request
 * out: the worker cancels it after KLF_TLS_TIMEOUT_MS, and waits for the
 * answer if the cancellation loses the race with it. Only then are
 * klogfwd's callbacks installed again, on top of TLS's and calling them.
 *
 * Sending is unchanged: the page-cache pages are handed to TLS by
 * reference (0 copies, 1 encryption pass into TLS's own buffer).
 *
 * Acknowledgments (ack tcp). TCP acknowledges ciphertext, and a receiver
 * has a record only once it has the whole TLS record that holds it. So on
 * such a connection each send is one TLS record: at most
 * KLF_TLS_SEND_MAX bytes, never MSG_MORE. After each send the TLS layer's
 * record sequence number says how many records it closed; with their
 * overhead it gives the ciphertext end of the send, kept with the
 * plaintext end in a ring. TCP's acknowledged bytes, looked up in the
 * ring, give the plaintext of the whole records the receiver has: the
 * sender's checkpoints and exact resume then work on plaintext as
 * without TLS.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#if KLF_TLS_TARGETS

#include <keys/user-type.h>
#include <linux/file.h>
#include <linux/key.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/unaligned.h>
#include <net/handshake.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>
#include <net/tls_prot.h>

#include "kmod/klogfwd.h"
#include "kmod/sock.h"
#include "kmod/target.h"
#include "kmod/tls.h"

/*
 * Who the receiver proved to be: the description of the key @peerid that
 * the agent's answer named (HANDSHAKE_A_DONE_REMOTE_AUTH), looked up with
 * the agent's rights, as it runs in the agent's context. klogfwd-tlsd
 * describes a peer certificate's key "klogfwd-peer:" and its subject DN;
 * for a PSK it names the PSK's key, whose identity follows the last ';'
 * (the upcall's convention). "" if there is none to see.
 */
static void klf_tls_peer(struct klf_tls *tls, key_serial_t peerid)
{
	const char *d, *semi;
	struct key *key;
	key_ref_t ref;

	tls->peer_new[0] = '\0';
	if (peerid == TLS_NO_PEERID)
		return;
	ref = lookup_user_key(peerid, 0, KEY_NEED_VIEW);
	if (IS_ERR(ref))
		return;
	key = key_ref_to_ptr(ref);
	d = key->description;
	semi = d ? strrchr(d, ';') : NULL;
	if (d && str_has_prefix(d, KLF_TLS_PEER_DESC))
		d += strlen(KLF_TLS_PEER_DESC);
	else if (semi)
		d = semi + 1;
	if (d && strscpy(tls->peer_new, d, sizeof(tls->peer_new)) < 0) {
		/* cut: not in the middle of a UTF-8 sequence */
		size_t n = sizeof(tls->peer_new) - 1;

		while (n && (tls->peer_new[n - 1] & 0xc0) == 0x80)
			n--;
		if (n && (tls->peer_new[n - 1] & 0xc0) == 0xc0)
			n--;
		tls->peer_new[n] = '\0';
	}
	key_ref_put(ref);
}

/*
 * The agent's answer. Called once per request that was queued, in the
 * agent's process context (or the namespace's exit, @peerid then
 * TLS_NO_PEERID), never with the target's lock held by this thread.
 */
static void klf_tls_done(void *data, int status, key_serial_t peerid)
{
	struct klf_target *t = data;
	struct klf_tls *tls = t->tls;

	if (!status)
		klf_tls_peer(tls, peerid);
	WRITE_ONCE(tls->status, status);
	/* pairs with klf_tls_poll()'s acquire: @status is read after */
	smp_store_release(&tls->answered, true);
	queue_work(klf_wq, &t->work);
	/*
	 * last: klf_tls_poll() and a cancellation that lost the race wait
	 * for it, then may free @t
	 */
	complete(&tls->done);
}

static const char *klf_tls_why(const struct klf_tls *tls, int err)
{
	switch (err) {
	case -ESRCH:
		return ": no handshake agent (klogfwd-tlsd) runs in the target's network namespace";
	case -EACCES:
		if (tls->psk)
			return ": the pre-shared key did not authenticate the session";
		return ": the agent did not accept the receiver's certificate";
	case -ETIMEDOUT:
		return ": no answer from the handshake agent in time";
	case -EKEYREJECTED:
		return ": kernel TLS was not set up on the connection";
	case -ENOKEY:
		if (tls->psk)
			return ": the agent could not read or use the pre-shared key";
		return ": the agent could not read or use the client certificate or its key";
	default:
		return "";
	}
}

/* A handshake failed with @err: count it and tell it, once until connected. */
static int klf_tls_failed(struct klf_target *t, int err)
{
	t->stats.tls_failures++;
	if (!t->fail_said) {
		t->fail_said = true;
		if (klf_target_say_ok(t))
			pr_info("target %s (log %s): TLS handshake with %pISpc failed: %pe%s; retrying quietly\n",
				t->name, t->log->name, &t->addr, ERR_PTR(err),
				klf_tls_why(t->tls, err));
	}
	return err;
}

/**
 * klf_tls_start() - ask the handshake agent for a TLS session
 * @t: the target, locked, its TCP connection established
 *
 * Return: 0 with the request queued (state handshake, the timer set for
 * its deadline), or a negative errno: -ESRCH when no agent listens in the
 * target's namespace.
 */
int klf_tls_start(struct klf_target *t)
{
	struct tls_handshake_args args = {};
	struct klf_tls *tls = t->tls;
	int ret;

	lockdep_assert_held(&t->lock);
	ret = klf_sock_detach(t);
	if (ret)
		goto fail;
	args.ta_sock = t->sock;
	args.ta_done = klf_tls_done;
	args.ta_data = t;
	args.ta_peername = t->tls_peername;
	args.ta_timeout_ms = KLF_TLS_TIMEOUT_MS;
	reinit_completion(&tls->done);
	tls->answered = false;
	tls->version = 0;
	tls->cipher = 0;
	tls->peer[0] = '\0';
	tls->peer_new[0] = '\0';
	tls->hs_alert_new = 0;
	if (tls->psk) {
		args.ta_my_peerids[0] = key_serial(tls->psk);
		args.ta_num_peerids = 1;
		ret = tls_client_hello_psk(&args, GFP_KERNEL);
	} else if (tls->cert) {
		args.ta_my_cert = key_serial(tls->cert);
		args.ta_my_privkey = key_serial(tls->privkey);
		ret = tls_client_hello_x509(&args, GFP_KERNEL);
	} else {
		ret = tls_client_hello_anon(&args, GFP_KERNEL);
	}
	if (ret)
		goto fail;
	tls->pending = true;
	tls->deadline = jiffies + msecs_to_jiffies(KLF_TLS_TIMEOUT_MS);
	WRITE_ONCE(t->state, KLOGFWD_TARGET_STATE_HANDSHAKE);
	mod_timer(&t->timer, tls->deadline);
	return 0;
fail:
	/* a handshake that could not start ended without an alert */
	tls->hs_alert = 0;
	return klf_tls_failed(t, ret);
}

/*
 * The agent said the session is set up: check that kernel TLS really
 * encrypts what is sent (and decrypts what is read, where the target
 * reads), before anything is sent.
 */
static int klf_tls_ready(struct klf_target *t)
{
	struct sock *sk = t->sock->sk;
	const struct tcp_ulp_ops *ulp;
	struct klf_tls *tls = t->tls;
	struct tls_context *ctx;
	int ret = -EKEYREJECTED;

	lock_sock(sk);
	ulp = inet_csk(sk)->icsk_ulp_ops;
	if (!ulp || strcmp(ulp->name, "tls"))
		goto out;
	ctx = tls_get_ctx(sk);
	if (!ctx || ctx->tx_conf == TLS_BASE || ctx->prot_info.rec_seq_size != 8)
		goto out;
	if (t->ack != KLOGFWD_ACK_TCP && ctx->rx_conf == TLS_BASE)
		goto out;
	tls->version = ctx->prot_info.version;
	tls->cipher = ctx->prot_info.cipher_type;
	tls->overhead = ctx->prot_info.overhead_size;
	tls->seq = get_unaligned_be64(ctx->tx.rec_seq);
	ret = 0;
out:
	release_sock(sk);
	return ret;
}

/**
 * klf_tls_poll() - follow the handshake of a target in state handshake
 * @t: the target, locked
 *
 * Cancels the request at its deadline, waiting for the agent's answer if
 * it is already being given.
 *
 * Return: 1 when the session is set up (klogfwd's callbacks installed),
 * 0 while the agent works, or a negative errno: the attempt failed.
 */
int klf_tls_poll(struct klf_target *t)
{
	struct klf_tls *tls = t->tls;
	int ret;

	lockdep_assert_held(&t->lock);
	/* pairs with klf_tls_done()'s release: @status is written before */
	if (!smp_load_acquire(&tls->answered)) {
		if (time_before(jiffies, tls->deadline)) {
			mod_timer(&t->timer, tls->deadline);
			return 0;
		}
		if (tls_handshake_cancel(t->sock->sk)) {
			tls->pending = false;
			tls->hs_alert = 0;
			kernel_sock_shutdown(t->sock, SHUT_RDWR);
			return klf_tls_failed(t, -ETIMEDOUT);
		}
	}
	/*
	 * The answer came, or is being given: klf_tls_done() may still be
	 * between @answered and complete(). Once this returns it no longer
	 * touches @t, which a target del may then free.
	 */
	wait_for_completion(&tls->done);
	tls->pending = false;
	tls->hs_alert = tls->hs_alert_new;
	ret = READ_ONCE(tls->status);
	if (!ret)
		ret = klf_tls_ready(t);
	if (ret)
		return klf_tls_failed(t, ret);
	klf_sock_attach_tls(t);
	t->stats.tls_handshakes++;
	strscpy(tls->peer, tls->peer_new, sizeof(tls->peer));
	return 1;
}

/**
 * klf_tls_report() - the agent tells the alert that ended a handshake
 * @t: the target, locked
 * @sock: the socket of the handshake, from the agent's descriptor
 * @alert: KLOGFWD_TLS_ALERT_SENT if the agent sent it, | level << 8 |
 *	   description
 *
 * The agent reports before it answers, so the request is still pending
 * on the target's socket, and not answered.
 *
 * Return: 0 if @sock is @t's, with a handshake pending; else -ENOENT.
 */
int klf_tls_report(struct klf_target *t, const struct socket *sock, u32 alert)
{
	lockdep_assert_held(&t->lock);
	/* answered: DONE came first; nothing it wrote is read here */
	if (!t->tls || !t->tls->pending || t->sock != sock || READ_ONCE(t->tls->answered))
		return -ENOENT;
	t->tls->hs_alert_new = alert;
	return 0;
}

/**
 * klf_tls_abort() - withdraw a pending handshake request
 * @t: the target, locked, with a socket
 *
 * On return the agent's answer will not come, or has come: the socket may
 * be released.
 */
void klf_tls_abort(struct klf_target *t)
{
	struct klf_tls *tls = t->tls;

	lockdep_assert_held(&t->lock);
	if (!tls || !tls->pending)
		return;
	if (!tls_handshake_cancel(t->sock->sk))
		wait_for_completion(&tls->done);
	tls->pending = false;
	/* an agent holding the socket fails at once */
	kernel_sock_shutdown(t->sock, SHUT_RDWR);
}

/**
 * klf_tls_established() - a new TLS connection starts
 * @t: the target, locked
 */
void klf_tls_established(struct klf_target *t)
{
	struct klf_tls *tls = t->tls;

	lockdep_assert_held(&t->lock);
	tls->wire = 0;
	tls->head = 0;
	tls->len = 0;
	/*
	 * In TLS 1.3 the client's handshake ends before the server has
	 * checked the client's certificate (or seen that it has none, where
	 * it wants one). A server that refuses it sends an alert and
	 * closes, resetting what it had not read, which its TCP may already
	 * have acknowledged. So TCP's acknowledgments count only once the
	 * connection has lived KLF_TLS_HOLD_MS: a refusal has broken it by
	 * then, and the records go again on the next one.
	 */
	tls->hold = true;
	tls->hold_until = jiffies + msecs_to_jiffies(KLF_TLS_HOLD_MS);
	tls->since = jiffies;
	tls->rekey = false;
}

/**
 * klf_tls_push() - send the TLS record kernel TLS holds open
 * @t: the target, locked, its session set up
 *
 * A send with MSG_MORE leaves its plaintext in kernel TLS's open record,
 * which uncorking TCP does not reach: a RELP frame that no other followed
 * would wait there, unanswered, for as long as no longer record comes.
 * This closes the record and sends it, as a send without MSG_MORE would
 * (TLS's splice_eof, what splice(2) calls when its input ends).
 */
void klf_tls_push(struct klf_target *t)
{
	const struct proto_ops *ops = READ_ONCE(t->sock->ops);

	lockdep_assert_held(&t->lock);
	if (ops->splice_eof)
		ops->splice_eof(t->sock);
}

/**
 * klf_tls_rekey() - is it time to replace the TLS session?
 * @t: the target, locked, its session established
 * @drained: everything queued on the connection is acknowledged
 *
 * Kernel TLS has no KeyUpdate: new keys take a new connection and
 * handshake. Once the session is tls_rekey_s old or has carried
 * tls_rekey_bytes, it is due: no new record is queued (sending stops at
 * a record boundary), and it is replaced once @drained, so that nothing
 * goes twice, or after KLF_TLS_DRAIN_MS all the same (what was not
 * acknowledged then goes again, as after a reset).
 *
 * Return: true when the caller must replace the connection now.
 */
bool klf_tls_rekey(struct klf_target *t, bool drained)
{
	struct klf_tls *tls = t->tls;
	unsigned long due = tls->since + (unsigned long)t->cfg.tls_rekey_s * HZ;

	lockdep_assert_held(&t->lock);
	if (!tls->rekey) {
		if (!(t->cfg.tls_rekey_s && time_after_eq(jiffies, due)) &&
		    !(t->cfg.tls_rekey_bytes && t->queued >= t->cfg.tls_rekey_bytes)) {
			if (t->cfg.tls_rekey_s)
				timer_reduce(&t->timer, due);
			return false;
		}
		tls->rekey = true;
		tls->rekey_by = jiffies + msecs_to_jiffies(KLF_TLS_DRAIN_MS);
	}
	if (!drained && time_before(jiffies, tls->rekey_by)) {
		timer_reduce(&t->timer, tls->rekey_by);
		return false;
	}
	t->stats.tls_rekeys++;
	if (klf_target_say_ok(t))
		pr_info("target %s (log %s): new TLS session with %pISpc after %u s and %llu bytes%s\n",
			t->name, t->log->name, &t->addr,
			jiffies_to_msecs(jiffies - tls->since) / 1000, t->queued, drained ? "" :
			": not all acknowledged in time, the rest goes again");
	return true;
}

/**
 * klf_tls_sent() - account for a send on an ack tcp TLS connection
 * @t: the target, locked, ack tcp; @t->queued includes the send
 * @len: the bytes it queued, all it was given, without MSG_MORE
 *
 * Return: 0, or -EPROTO if the send left its record open (an ack tcp
 * connection could not tell what the receiver has).
 */
int klf_tls_sent(struct klf_target *t, size_t len)
{
	struct sock *sk = t->sock->sk;
	struct klf_tls *tls = t->tls;
	unsigned int i;
	bool slow;
	u64 seq;

	lockdep_assert_held(&t->lock);
	slow = lock_sock_fast(sk);
	seq = get_unaligned_be64(tls_get_ctx(sk)->tx.rec_seq);
	unlock_sock_fast(sk, slow);
	tls->wire += len + (seq - tls->seq) * tls->overhead;
	if (seq == tls->seq || tls->len == KLF_TLS_RECS)
		return -EPROTO;
	tls->seq = seq;
	i = (tls->head + tls->len) % KLF_TLS_RECS;
	tls->ring[i] = (struct klf_tls_rec){ .wire = tls->wire, .plain = t->queued };
	tls->len++;
	return 0;
}

/**
 * klf_tls_acked() - the plaintext a receiver has, from what TCP acknowledged
 * @t: the target, locked, ack tcp
 * @wire: ciphertext bytes of the connection acknowledged
 *
 * Return: plaintext bytes of the connection in TLS records acknowledged
 * in full; none in the connection's first KLF_TLS_HOLD_MS.
 */
u64 klf_tls_acked(struct klf_target *t, u64 wire)
{
	struct klf_tls *tls = t->tls;
	u64 plain = t->conn_acked;

	lockdep_assert_held(&t->lock);
	if (tls->hold) {
		/* the ack poll comes back while anything is unacknowledged */
		if (time_before(jiffies, tls->hold_until))
			return plain;
		tls->hold = false;
	}
	while (tls->len && tls->ring[tls->head].wire <= wire) {
		plain = tls->ring[tls->head].plain;
		tls->head = (tls->head + 1) % KLF_TLS_RECS;
		tls->len--;
	}
	return plain;
}

/**
 * klf_tls_recv() - read application data from a TLS connection
 * @t: the target, locked, its session set up
 * @buf: where to
 * @len: its size
 *
 * Records other than application data are consumed here: a TLS 1.3
 * NewSessionTicket is dropped, an alert ends the connection.
 *
 * Return: bytes read, 0 at the end of the stream (EOF or close_notify),
 * or a negative errno (-EAGAIN when there is nothing to read).
 */
int klf_tls_recv(struct klf_target *t, void *buf, size_t len)
{
	union {
		struct cmsghdr cmsg;
		u8 space[CMSG_SPACE(sizeof(u8))];
	} u;
	struct kvec iov;
	u8 *p = buf;
	int n;

	lockdep_assert_held(&t->lock);
	for (;;) {
		struct msghdr msg = {
			.msg_control = &u,
			.msg_controllen = sizeof(u),
		};

		memset(&u, 0, sizeof(u));
		iov.iov_base = buf;
		iov.iov_len = len;
		n = kernel_recvmsg(t->sock, &msg, &iov, 1, len, MSG_DONTWAIT);
		if (n <= 0)
			return n;
		switch (tls_get_record_type(t->sock->sk, &u.cmsg)) {
		case TLS_RECORD_TYPE_DATA:
			return n;
		case TLS_RECORD_TYPE_ALERT:
			if (n >= 2)
				t->tls->alert = p[0] << 8 | p[1];
			if (n >= 2 && p[1] == 0)	/* close_notify */
				return 0;
			if (klf_target_say_ok(t))
				pr_info("target %s (log %s): TLS alert from %pISpc: level %u description %u\n",
					t->name, t->log->name, &t->addr, n >= 1 ? p[0] : 0,
					n >= 2 ? p[1] : 0);
			return -ECONNABORTED;
		default:
			/* a handshake record: TLS 1.3's NewSessionTicket */
			break;
		}
	}
}

/**
 * klf_tls_key_get() - take a client certificate or private key
 * @serial: its key serial, from target-new
 * @keyp: set to the key, with a reference
 *
 * The caller (target-new, in the requester's context) must be allowed to
 * read the key: the agent, which reads it for the handshake, reads for
 * the caller, so this is checked here, not left to the agent's rights.
 * Only keys of type user hold what the agent can read back.
 *
 * Context: process context of the netlink request.
 * Return: 0, -EINVAL for a key of another type, or the errno of the
 * lookup (-ENOKEY, -EKEYREVOKED, -EKEYEXPIRED, -EACCES).
 */
int klf_tls_key_get(u32 serial, struct key **keyp)
{
	key_ref_t ref;
	struct key *key;

	ref = lookup_user_key(serial, 0, KEY_NEED_READ);
	if (IS_ERR(ref))
		return PTR_ERR(ref);
	key = key_ref_to_ptr(ref);
	if (key->type != &key_type_user) {
		key_put(key);
		return -EINVAL;
	}
	*keyp = key;
	return 0;
}

#endif /* KLF_TLS_TARGETS */
