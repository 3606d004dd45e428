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

#include <linux/file.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "kmod/klogfwd.h"
#include "kmod/log.h"
#include "kmod/sock.h"
#include "kmod/target.h"
#include "kmod/tls.h"

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
 * A TLS socket: TLS's own callbacks (saved in @t when klogfwd's are
 * installed over them) must run first, then the worker is kicked. They are
 * called outside sk_callback_lock, as the socket calls them. NULL once the
 * callbacks are being put back.
 */
typedef void (*klf_sk_cb)(struct sock *sk);

static klf_sk_cb klf_sk_saved(struct sock *sk, bool write_space)
{
	struct klf_target *t;
	klf_sk_cb saved = NULL;

	read_lock_bh(&sk->sk_callback_lock);
	t = sk->sk_user_data;
	if (t)
		saved = write_space ? t->saved_write_space : t->saved_data_ready;
	read_unlock_bh(&sk->sk_callback_lock);
	return saved;
}

static void klf_sk_tls_write_space(struct sock *sk)
{
	klf_sk_cb saved = klf_sk_saved(sk, true);

	if (saved)
		saved(sk);
	klf_sk_write_space(sk);
}

static void klf_sk_tls_data_ready(struct sock *sk)
{
	klf_sk_cb saved = klf_sk_saved(sk, false);

	if (saved)
		saved(sk);
	klf_sk_kick(sk);
}

/*
 * Install klogfwd's callbacks, saving the socket's. A plain kernel TCP
 * socket has no ULP: the callbacks replaced need not be chained to, only
 * put back before release. On a TLS socket (@tls) they are TLS's, and
 * klogfwd's call them.
 */
static void klf_sock_install(struct klf_target *t, struct sock *sk, bool tls)
{
	bool reads = t->ack == KLOGFWD_ACK_APP || t->ack == KLOGFWD_ACK_RELP;

	write_lock_bh(&sk->sk_callback_lock);
	t->saved_state_change = sk->sk_state_change;
	t->saved_write_space = sk->sk_write_space;
	t->saved_data_ready = sk->sk_data_ready;
	sk->sk_user_data = t;
	WRITE_ONCE(sk->sk_state_change, klf_sk_kick);
	WRITE_ONCE(sk->sk_write_space, tls ? klf_sk_tls_write_space : klf_sk_write_space);
	if (reads)
		WRITE_ONCE(sk->sk_data_ready, tls ? klf_sk_tls_data_ready : klf_sk_kick);
	write_unlock_bh(&sk->sk_callback_lock);
}

/*
 * Put the saved callbacks back: before release (an orphan may outlive the
 * module), and before a TLS handshake (TLS saves what it finds, and writes
 * it back at close).
 */
static void klf_sock_restore(struct klf_target *t, struct sock *sk)
{
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	WRITE_ONCE(sk->sk_state_change, t->saved_state_change);
	WRITE_ONCE(sk->sk_write_space, t->saved_write_space);
	WRITE_ONCE(sk->sk_data_ready, t->saved_data_ready);
	t->saved_state_change = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
}

/**
 * klf_sock_detach() - prepare a connected socket for a TLS handshake
 * @t: the target, locked, its socket connected
 *
 * Puts the socket's own callbacks back and gives it a file, which the
 * handshake upcall passes to the agent. The socket is released through
 * the file from now on.
 *
 * Return: 0, or a negative errno from sock_alloc_file() (the socket is
 * then released and @t->sock NULL).
 */
int klf_sock_detach(struct klf_target *t)
{
	struct file *file;

	lockdep_assert_held(&t->lock);
	klf_sock_restore(t, t->sock->sk);
	file = sock_alloc_file(t->sock, O_NONBLOCK, NULL);
	if (IS_ERR(file)) {
		t->sock = NULL;
		klf_obj_dec(KLF_OBJ_SOCKET);
		return PTR_ERR(file);
	}
	return 0;
}

/**
 * klf_sock_attach_tls() - install klogfwd's callbacks on a TLS socket
 * @t: the target, locked, after a successful handshake
 */
void klf_sock_attach_tls(struct klf_target *t)
{
	lockdep_assert_held(&t->lock);
	klf_sock_install(t, t->sock->sk, true);
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
	klf_sock_install(t, sk, false);
	t->sock = sock;
	return 0;
}

/**
 * klf_sock_close() - reset a target's connection and release its socket
 * @t: the target, locked, with a socket
 *
 * A pending TLS handshake is withdrawn first, the callbacks are put back,
 * then the connection is reset (RST, queue purged: what was not
 * acknowledged is sent again on the next connection) and the socket
 * released (a TLS socket a little later); @t->sock becomes NULL.
 */
void klf_sock_close(struct klf_target *t)
{
	struct socket *sock = t->sock;

	lockdep_assert_held(&t->lock);
	klf_tls_abort(t);
	if (t->saved_state_change)
		klf_sock_restore(t, sock->sk);
	sock_no_linger(sock->sk);
	/*
	 * A socket with a file (TLS) goes with the file's last reference (the
	 * agent may hold one), and later: its release takes the socket
	 * inode's lock, whose class netlink's release takes under genl's
	 * cb_lock, so it must not run under @t->lock or klf_targets_lock.
	 * fput() leaves it to the task's return to userspace, or to the
	 * delayed fput work for a worker; klf_sock_flush() waits for that.
	 */
	if (sock->file)
		fput(sock->file);
	else
		sock_release(sock);
	t->sock = NULL;
	klf_obj_dec(KLF_OBJ_SOCKET);
}

/**
 * klf_sock_flush() - finish the releases klf_sock_close() left to later
 *
 * Context: process context, without klogfwd's locks (a namespace's exit,
 * the module's).
 */
void klf_sock_flush(void)
{
	flush_delayed_fput();
}
