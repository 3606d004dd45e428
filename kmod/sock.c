// SPDX-License-Identifier: GPL-2.0
/*
 * klogfwd: a target's kernel TCP socket. Created in the target's network
 * namespace with the target's options, its callbacks replaced by ones
 * that only kick the target's worker, and put back before release.
 *
 * The callbacks run in softirq context (or in process context, from
 * release_sock() or from within the worker's own send), under
 * sk_callback_lock held for reading: sk_user_data is the target while
 * the socket is installed, NULL once klf_sock_close() has begun.
 */

#include <linux/net.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/sock.h"
#include "kmod/target.h"

static void klf_sk_kick(struct sock *sk)
{
	struct klf_target *t;

	read_lock_bh(&sk->sk_callback_lock);
	t = sk->sk_user_data;
	if (t)
		klf_target_kick(t);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void klf_sk_write_space(struct sock *sk)
{
	struct klf_target *t;

	/*
	 * TCP calls this on ACKs while SOCK_NOSPACE is set, writeable or not:
	 * the worker has nothing to do until there is room (the ACKs it
	 * counts are picked up then, or by its poll).
	 */
	if (!sk_stream_is_writeable(sk))
		return;
	read_lock_bh(&sk->sk_callback_lock);
	t = sk->sk_user_data;
	if (t) {
		if (sk->sk_socket)
			clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		klf_target_kick(t);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/*
 * A kernel TCP socket has no ULP, so the callbacks replaced here need not
 * be chained to; they are saved to be put back before release.
 */
static void klf_sock_install(struct klf_target *t, struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	t->saved_state_change = sk->sk_state_change;
	t->saved_write_space = sk->sk_write_space;
	t->saved_data_ready = sk->sk_data_ready;
	sk->sk_user_data = t;
	WRITE_ONCE(sk->sk_state_change, klf_sk_kick);
	WRITE_ONCE(sk->sk_write_space, klf_sk_write_space);
	if (t->ack == KLOGFWD_ACK_APP || t->ack == KLOGFWD_ACK_RELP)
		WRITE_ONCE(sk->sk_data_ready, klf_sk_kick);
	write_unlock_bh(&sk->sk_callback_lock);
}

/* Restore the callbacks before release: an orphan may outlive the module. */
static void klf_sock_restore(struct klf_target *t, struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	WRITE_ONCE(sk->sk_state_change, t->saved_state_change);
	WRITE_ONCE(sk->sk_write_space, t->saved_write_space);
	WRITE_ONCE(sk->sk_data_ready, t->saved_data_ready);
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * klf_sock_open() - create a target's socket, not yet connected
 * @t: the target, locked, without a socket
 *
 * A kernel TCP socket in the target's namespace, with its options
 * (nodelay, keepalive, user-timeout, sndbuf) and klogfwd's callbacks;
 * it becomes @t->sock.
 *
 * Return: 0 or a negative errno from sock_create_kern().
 */
int klf_sock_open(struct klf_target *t)
{
	struct socket *sock;
	struct sock *sk;
	int ret, ka;

	lockdep_assert_held(&t->lock);
	ret = sock_create_kern(t->net, t->addr.ss_family, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (ret)
		return ret;
	klf_obj_inc(KLF_OBJ_SOCKET);
	sk = sock->sk;
	sk->sk_allocation = GFP_NOFS;
	sk->sk_use_task_frag = false;
	if (t->cfg.nodelay)
		tcp_sock_set_nodelay(sk);
	if (t->cfg.keepalive_s) {
		ka = t->cfg.keepalive_s;
		sock_set_keepalive(sk);
		tcp_sock_set_keepidle(sk, ka);
		tcp_sock_set_keepintvl(sk, max(ka / 3, 1));
		tcp_sock_set_keepcnt(sk, 3);
	}
	/* an int since 6.7, a u32 before: the setting's range fits both */
	if (t->cfg.user_timeout_ms)
		tcp_sock_set_user_timeout(sk, t->cfg.user_timeout_ms);
	if (t->cfg.sndbuf) {
		lock_sock(sk);
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, max_t(int, t->cfg.sndbuf * 2, SOCK_MIN_SNDBUF));
		release_sock(sk);
	}
	klf_sock_install(t, sk);
	t->sock = sock;
	return 0;
}

/**
 * klf_sock_close() - reset a target's connection and release its socket
 * @t: the target, locked, with a socket
 *
 * The callbacks are put back first, then the connection is reset (RST,
 * queue purged: what was not acknowledged is sent again on the next
 * connection) and the socket released; @t->sock becomes NULL.
 */
void klf_sock_close(struct klf_target *t)
{
	struct socket *sock = t->sock;

	lockdep_assert_held(&t->lock);
	klf_sock_restore(t, sock->sk);
	sock_no_linger(sock->sk);
	sock_release(sock);
	t->sock = NULL;
	klf_obj_dec(KLF_OBJ_SOCKET);
}
