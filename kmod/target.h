/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: targets, the TCP receivers a log is forwarded to.
 */
#ifndef _KLF_TARGET_H
#define _KLF_TARGET_H

#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/socket.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <uapi/linux/klogfwd.h>

#include "kmod/log.h"
#include "kmod/relp.h"
#include "kmod/tls.h"

struct dentry;
struct net;
struct netlink_ext_ack;
struct sock;

#define KLF_MAX_TARGETS		4096
#define KLF_CKPT_RING		64
/*
 * Kernel log lines of one target (connected, lost, cannot connect): at most
 * KLF_SAY_BURST per KLF_SAY_INTERVAL, so that a flapping peer cannot flood
 * the log; three flaps a minute are still told in full.
 */
#define KLF_SAY_INTERVAL	(60 * HZ)
#define KLF_SAY_BURST		6
/* at most one event of a kind (relp-skipped) per target per interval */
#define KLF_EVENT_INTERVAL	(HZ / 10)

/**
 * struct klf_target_config - settings of a target (the spec documents each)
 * @backoff_min_ms: first reconnect delay
 * @backoff_max_ms: largest reconnect delay
 * @keepalive_s: TCP keepalive idle time, 0 for none
 * @user_timeout_ms: TCP_USER_TIMEOUT, 0 for the kernel's default
 * @sndbuf: SO_SNDBUF, 0 for autotuning
 * @nodelay: TCP_NODELAY
 * @relp_window: ack relp: frames sent and not answered, at most
 * @relp_max_frame: ack relp: longest payload sent
 * @relp_timeout_s: ack relp: seconds without a response, while one is
 *		    awaited, after which the session is broken; 0 for no limit
 * @tls_rekey_s: tls: seconds after which a session is replaced, 0 never
 * @tls_rekey_bytes: tls: bytes after which a session is replaced, 0 never
 */
struct klf_target_config {
	u32 backoff_min_ms;
	u32 backoff_max_ms;
	u32 keepalive_s;
	u32 user_timeout_ms;
	u32 sndbuf;
	u32 relp_window;
	u32 relp_max_frame;
	u32 relp_timeout_s;
	u32 tls_rekey_s;
	u64 tls_rekey_bytes;
	bool nodelay;
};

/**
 * struct klf_target_stats - counters of a target (the spec documents each)
 * @bytes_sent: bytes queued to TCP
 * @records_sent: records queued in full
 * @bytes_acked: bytes acknowledged by the peer's TCP
 * @records_acked: records acknowledged in full
 * @send_calls: calls into TCP that queued data
 * @pages_spliced: page fragments queued by reference
 * @bytes_copied: bytes sent by the copy fallback
 * @eagain: sends that found the socket buffer full
 * @connects: connections established
 * @reconnects: connections lost or failed
 * @resent_bytes: bytes queued again after a reconnect
 * @tls_handshakes: TLS handshakes that succeeded
 * @tls_failures: TLS handshakes that failed or timed out
 * @tls_rekeys: TLS sessions replaced by tls_rekey_s or tls_rekey_bytes
 * @relp_sessions: RELP sessions opened
 * @relp_window_full: times sending stopped on a full RELP window
 * @relp_resent: records sent again in a new RELP session
 * @relp_skipped: records longer than relp_max_frame, not sent
 * @relp_timeouts: RELP sessions broken for want of a response
 * @relp_last_code: code of the last RELP response, 0 if none
 */
struct klf_target_stats {
	u64 bytes_sent;
	u64 records_sent;
	u64 bytes_acked;
	u64 records_acked;
	u64 send_calls;
	u64 pages_spliced;
	u64 bytes_copied;
	u64 eagain;
	u64 connects;
	u64 reconnects;
	u64 resent_bytes;
	u64 tls_handshakes;
	u64 tls_failures;
	u64 tls_rekeys;
	u64 relp_sessions;
	u64 relp_window_full;
	u64 relp_resent;
	u64 relp_skipped;
	u64 relp_timeouts;
	u32 relp_last_code;
};

/**
 * struct klf_ckpt - a record boundary in the byte stream of a connection
 * @stream: bytes queued on the connection before the boundary
 * @cur: position of the record after the boundary
 */
struct klf_ckpt {
	u64 stream;
	struct klf_cursor cur;
};

/**
 * struct klf_target - a TCP receiver fed from a log
 * @node: entry in klf_targets, under klf_targets_lock
 * @id: its place in klf_targets: larger than every target's before it
 *	(dumps resume after the last one sent)
 * @name: unique name
 * @net: network namespace it was created in and connects from (no
 *	 reference: the namespace's pre_exit deletes its targets)
 * @log: the log it forwards, with a reference
 * @addr: receiver address
 * @addrlen: its length
 * @ack: KLOGFWD_ACK_*
 * @tls_peername: the name the receiver's certificate must carry (tls)
 * @dfs: its debugfs directory
 * @lock: protects the members below, up to @skipped_told_at
 * @cfg: settings
 * @sock: the socket of the current connection attempt, or NULL
 * @saved_state_change: @sock's callback before klogfwd's
 * @saved_write_space: same
 * @saved_data_ready: same
 * @state: KLOGFWD_TARGET_STATE_*
 * @paused: stopped by the user
 * @dead: being deleted; the worker does nothing
 * @last_error: errno of the last failure (positive)
 * @last_error_time: Unix time (s) of @last_error, 0 if none
 * @last_disconnect: errno with which the last established connection was
 *		     lost, 0 if none
 * @last_disconnect_time: Unix time (s) of @last_disconnect, 0 if none
 * @last_connect_time: Unix time (s) the last connection was established,
 *		       0 if none
 * @fail_said: a failed attempt was told in the kernel log since the last
 *	       connection (the next ones are not)
 * @say_rs: limits this target's lines in the kernel log; its lock is not
 *	    relied on: every caller holds @lock
 * @backoff_ms: next reconnect delay before jitter
 * @retry_at: jiffies before which no connection is attempted
 * @work: the worker: connects, sends, tracks acknowledgments; queued at
 *	  once by klf_target_kick() (a test-and-set when already queued), later
 *	  by @timer
 * @timer: queues @work when a backoff, an acknowledgment poll or a retry
 *	   is due
 * @cur: position of the next record to queue
 * @span: the span being queued; @span.file is NULL when none
 * @queued: bytes queued on the current connection
 * @acked_base: tcp bytes_acked when the connection was established
 * @conn_acked: bytes of the current connection acknowledged so far
 * @acked: first record not fully acknowledged, and its stream position
 * @ring: checkpoints of the connection not yet acknowledged, oldest first
 * @ring_head: index of the oldest checkpoint
 * @ring_len: checkpoints held
 * @sent_hwm: highest record offset ever queued in full (for resent_bytes)
 * @ackbuf: partial application acknowledgment (ack app)
 * @ackbuf_len: bytes in @ackbuf
 * @cursor_file: <dir>/<name>.cursor of a dir log, or NULL
 * @persisted: offset last written to @cursor_file
 * @persisted_at: jiffies of that write
 * @stats: counters
 * @relp: the RELP session (ack relp)
 * @tls: the TLS state, NULL for a target without TLS; set at creation
 * @relp_skipped_untold: records skipped since the last relp-skipped event
 * @skipped_told_at: jiffies of that event
 * @consumer: what the log knows of this target: the acknowledged offset
 *	      (@acked.cur.offset, or past it if retention deleted records)
 *	      and the records dropped
 */
struct klf_target {
	struct list_head node;
	u64 id;
	char name[KLOGFWD_NAME_LEN + 1];
	struct net *net;
	struct klf_log *log;
	struct sockaddr_storage addr;
	int addrlen;
	u32 ack;
	char tls_peername[KLOGFWD_HOSTNAME_LEN + 1];
	struct dentry *dfs;

	struct mutex lock; /* protects the members below, up to @skipped_told_at */
	struct klf_target_config cfg;
	struct socket *sock;
	void (*saved_state_change)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_data_ready)(struct sock *sk);
	u32 state;
	bool paused;
	bool dead;
	int last_error;
	time64_t last_error_time;
	int last_disconnect;
	time64_t last_disconnect_time;
	time64_t last_connect_time;
	bool fail_said;
	struct ratelimit_state say_rs;
	u32 backoff_ms;
	unsigned long retry_at;
	struct work_struct work;
	struct timer_list timer;
	struct klf_cursor cur;
	struct klf_span span;
	u64 queued;
	u64 acked_base;
	u64 conn_acked;
	struct klf_ckpt acked;
	struct klf_ckpt ring[KLF_CKPT_RING];
	unsigned int ring_head;
	unsigned int ring_len;
	u64 sent_hwm;
	u8 ackbuf[8];
	unsigned int ackbuf_len;
	struct file *cursor_file;
	u64 persisted;
	unsigned long persisted_at;
	struct klf_target_stats stats;
	struct klf_relp relp;
	struct klf_tls *tls;
	u32 relp_skipped_untold;
	unsigned long skipped_told_at;

	struct klf_consumer consumer;
};

/**
 * struct klf_target_snap - a consistent copy of a target's numbers
 * @cfg: settings
 * @stats: counters
 * @state: KLOGFWD_TARGET_STATE_*
 * @paused: paused by the user
 * @last_error: errno of the last failure
 * @last_error_time: its Unix time (s), 0 if none
 * @last_disconnect: errno of the last established connection lost
 * @last_disconnect_time: its Unix time (s), 0 if none
 * @last_connect_time: Unix time (s) of the last connection, 0 if none
 * @next_offset: next record to queue
 * @acked_offset: first record not acknowledged
 * @lag_records: records appended and not acknowledged
 * @lag_bytes: their bytes
 * @dropped: records deleted before acknowledged
 * @tls_version: TLS version of the connection, 0 if none
 * @tls_cipher: its kernel TLS cipher, 0 if none
 * @tls_alert: the last TLS alert received (struct klf_tls), 0 if none
 * @tls_hs_alert: the alert that ended the last handshake (struct klf_tls),
 *		  0 if none
 * @tls_peer: who the receiver proved to be in the session, "" if none
 */
struct klf_target_snap {
	struct klf_target_config cfg;
	struct klf_target_stats stats;
	u32 state;
	bool paused;
	int last_error;
	time64_t last_error_time;
	int last_disconnect;
	time64_t last_disconnect_time;
	time64_t last_connect_time;
	u64 next_offset;
	u64 acked_offset;
	u64 lag_records;
	u64 lag_bytes;
	u64 dropped;
	u16 tls_version;
	u16 tls_cipher;
	u16 tls_alert;
	u32 tls_hs_alert;
	char tls_peer[KLF_TLS_PEER_LEN];
};

extern struct mutex klf_targets_lock;
extern unsigned int klf_targets_gen;

void klf_target_config_default(struct klf_target_config *cfg);
int klf_target_config_check(const struct klf_target_config *cfg,
			    struct netlink_ext_ack *extack);
struct klf_target *klf_target_create(struct net *net, const char *name, struct klf_log *log,
				     const struct sockaddr_storage *addr, int addrlen, u32 ack,
				     u32 start, u64 from, const struct klf_target_config *cfg,
				     const struct klf_tls_params *tls, bool paused,
				     struct netlink_ext_ack *extack);
int klf_target_delete(struct net *net, const char *name, bool syslog);
void klf_target_set(struct klf_target *t, const struct klf_target_config *cfg, int paused);
struct klf_target *klf_target_find(struct net *net, const char *name);
struct socket;
int klf_targets_tls_report(struct net *net, const struct socket *sock, u32 alert);
struct sk_buff;
struct netlink_callback;
int klf_targets_dump(struct net *net, struct sk_buff *skb, struct netlink_callback *cb,
		     int (*fill)(struct sk_buff *, struct klf_target *, struct netlink_callback *));
void klf_target_snapshot(struct klf_target *t, struct klf_target_snap *snap);
struct klf_totals;
void klf_targets_for_each(struct net *net,
			  void (*fn)(struct klf_target *, struct klf_totals *),
			  struct klf_totals *arg);
int klf_target_init(void);
void klf_target_exit(void);

void klf_target_kick(struct klf_target *t);
void klf_target_work(struct work_struct *work);
void klf_target_timer(struct timer_list *tl);
void klf_target_stop(struct klf_target *t);
void klf_target_persist(struct klf_target *t, bool force);
bool klf_target_say_ok(struct klf_target *t);
int klf_target_read_cursor(struct file *f, u64 *offset);

void klf_debugfs_target_add(struct klf_target *t);
void klf_debugfs_target_del(struct klf_target *t);

#endif /* _KLF_TARGET_H */
