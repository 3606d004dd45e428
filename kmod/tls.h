/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klogfwd: TLS targets. The handshake is done by an agent in userspace
 * through the kernel's handshake upcall (net/handshake, 6.5 and later);
 * the keys go to kernel TLS, and records still leave the page cache by
 * reference.
 */
#ifndef _KLF_TLS_H
#define _KLF_TLS_H

#include <linux/completion.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct key;
struct klf_target;
struct socket;

/* TLS records of an ack tcp connection whose acknowledgment is awaited */
#define KLF_TLS_RECS		512
/* how long the agent has for a handshake */
#define KLF_TLS_TIMEOUT_MS	10000
/* plaintext per send on an ack tcp connection: one TLS record */
#define KLF_TLS_SEND_MAX	16384
/* how long TCP's acknowledgments of a new TLS connection do not count */
#define KLF_TLS_HOLD_MS		1000
/* the least tls_rekey_bytes but 0 (never) */
#define KLF_TLS_REKEY_BYTES_MIN	SZ_1M
/* how long a session due for replacement waits for its acknowledgments */
#define KLF_TLS_DRAIN_MS	30000
/* how klogfwd-tlsd describes the key of a receiver's certificate */
#define KLF_TLS_PEER_DESC	"klogfwd-peer:"
/*
 * the room for who the receiver proved to be (a DN or a PSK identity, of
 * at most 128 bytes): 255 bytes and the NUL; a longer DN is cut at a
 * character's start
 */
#define KLF_TLS_PEER_LEN	256
/**
 * struct klf_tls_rec - the end of a TLS record sent on the connection
 * @wire: ciphertext bytes on the connection up to the record's end
 * @plain: plaintext bytes (klf_target.queued) up to the record's end
 */
struct klf_tls_rec {
	u64 wire;
	u64 plain;
};

/**
 * struct klf_tls - the TLS state of a target (tls targets only)
 * @done: completed by the handshake's callback; waited for by a
 *	  cancellation that lost the race with it
 * @answered: the callback ran (release; read with acquire)
 * @status: its status, 0 or a negative errno, written before @answered
 * @pending: a handshake request is with the agent (under the target's lock)
 * @deadline: jiffies when a pending handshake is cancelled
 * @version: TLS version of the connection, 0 if none (e.g. 0x0304)
 * @cipher: its kernel TLS cipher type (TLS_CIPHER_*)
 * @overhead: bytes the TLS layer adds to each record
 * @hold: TCP's acknowledgments do not count yet (klf_tls_established())
 * @hold_until: jiffies when they start to
 * @since: jiffies when the session was established
 * @rekey: the session is due for replacement: no new record is sent
 * @rekey_by: jiffies when it is replaced, acknowledged in full or not
 * @seq: the TLS layer's transmit record sequence after the last send
 * @wire: ciphertext bytes queued on the connection
 * @head: oldest entry of @ring
 * @len: entries in @ring
 * @ring: record ends not yet acknowledged (ack tcp), oldest first
 * @cert: the client certificate, a user key with a reference, or NULL;
 *	  set at creation
 * @privkey: its private key, or NULL; set at creation
 * @psk: the pre-shared key, a user key with a reference, or NULL (then
 *	 certificates); set at creation
 * @alert: the last alert the receiver sent after a handshake, level << 8
 *	   | description, 0 if none
 * @hs_alert: the alert that ended the last handshake, as the agent reported
 *	      it: KLOGFWD_TLS_ALERT_SENT if the agent sent it, | level << 8 |
 *	      description; 0 if it ended without one
 * @hs_alert_new: the same for the pending handshake (klf_tls_report())
 * @peer_new: who the receiver proved to be, as the agent's answer said
 *	      (written by klf_tls_done() before @answered)
 * @peer: the same for the session established, "" if none
 *
 * All but @done, @answered, @status, @peer_new, @cert, @privkey and @psk
 * are under the target's lock. @status and @peer_new are written by the
 * agent's answer (klf_tls_done()) before @answered, and read under the
 * lock after it; @cert, @privkey and @psk do not change after creation.
 */
struct klf_tls {
	struct completion done;
	bool answered;
	int status;
	bool pending;
	unsigned long deadline;
	u16 version;
	u16 cipher;
	u16 overhead;
	u16 alert;
	u32 hs_alert;
	u32 hs_alert_new;
	bool hold;
	unsigned long hold_until;
	unsigned long since;
	bool rekey;
	unsigned long rekey_by;
	u64 seq;
	u64 wire;
	unsigned int head;
	unsigned int len;
	struct klf_tls_rec ring[KLF_TLS_RECS];
	struct key *cert;
	struct key *privkey;
	struct key *psk;
	char peer_new[KLF_TLS_PEER_LEN];
	char peer[KLF_TLS_PEER_LEN];
};

/**
 * struct klf_tls_params - a TLS target as target-new asks for it
 * @peername: the name the receiver's certificate must carry, "" for its
 *	      address
 * @cert: the client certificate's key (klf_tls_key_get()), or NULL
 * @privkey: its private key's, or NULL
 * @psk: the pre-shared key's (klf_tls_key_get()), or NULL
 */
struct klf_tls_params {
	const char *peername;
	struct key *cert;
	struct key *privkey;
	struct key *psk;
};

#if KLF_TLS_TARGETS
int klf_tls_start(struct klf_target *t);
int klf_tls_poll(struct klf_target *t);
void klf_tls_abort(struct klf_target *t);
void klf_tls_established(struct klf_target *t);
int klf_tls_sent(struct klf_target *t, size_t len);
u64 klf_tls_acked(struct klf_target *t, u64 wire);
int klf_tls_recv(struct klf_target *t, void *buf, size_t len);
int klf_tls_key_get(u32 serial, struct key **keyp);
bool klf_tls_rekey(struct klf_target *t, bool drained);
void klf_tls_push(struct klf_target *t);
int klf_tls_report(struct klf_target *t, const struct socket *sock, u32 alert);
#else
static inline int klf_tls_start(struct klf_target *t) { return -EOPNOTSUPP; }
static inline int klf_tls_poll(struct klf_target *t) { return -EOPNOTSUPP; }
static inline void klf_tls_abort(struct klf_target *t) { }
static inline void klf_tls_established(struct klf_target *t) { }
static inline int klf_tls_sent(struct klf_target *t, size_t len) { return -EOPNOTSUPP; }
static inline u64 klf_tls_acked(struct klf_target *t, u64 wire) { return 0; }
static inline int klf_tls_key_get(u32 serial, struct key **keyp) { return -EOPNOTSUPP; }
static inline bool klf_tls_rekey(struct klf_target *t, bool drained) { return false; }
static inline void klf_tls_push(struct klf_target *t) { }
static inline int klf_tls_recv(struct klf_target *t, void *buf, size_t len)
{
	return -EOPNOTSUPP;
}

static inline int klf_tls_report(struct klf_target *t, const struct socket *sock, u32 alert)
{
	return -ENOENT;
}
#endif

/* the kernel has the TLS handshake upcall */
static inline bool klf_have_tls(void)
{
#if KLF_TLS_TARGETS
	return true;
#else
	return false;
#endif
}

/* no new record goes on a session due for replacement */
static inline bool klf_tls_rekeying(const struct klf_tls *tls)
{
	return tls && tls->rekey;
}

/* there is room for another record on an ack tcp connection */
static inline bool klf_tls_room(const struct klf_tls *tls)
{
	return tls->len < KLF_TLS_RECS;
}

#endif /* _KLF_TLS_H */
