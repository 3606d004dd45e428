/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/klogfwd.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_KLOGFWD_H
#define _UAPI_LINUX_KLOGFWD_H

#define KLOGFWD_FAMILY_NAME	"klogfwd"
#define KLOGFWD_FAMILY_VERSION	1

#define KLOGFWD_VERSION_LEN		64
#define KLOGFWD_NAME_LEN		31
#define KLOGFWD_PATH_LEN		4095
#define KLOGFWD_HOSTNAME_LEN		255
#define KLOGFWD_APP_NAME_LEN		48
#define KLOGFWD_MAX_RECORD_LIMIT	1048576
#define KLOGFWD_TLS_PSK_MIN		16
#define KLOGFWD_TLS_ALERT_SENT		65536

/**
 * enum klogfwd_storage - Where a log's segments live. Both keep the data in
 *   the page cache.
 * @KLOGFWD_STORAGE_MEMORY: Segments are shmem files; nothing reaches a disk.
 * @KLOGFWD_STORAGE_DIR: Segments are files in a directory, written back by the
 *   kernel like any file; the log survives module reload and reboot.
 */
enum klogfwd_storage {
	KLOGFWD_STORAGE_MEMORY,
	KLOGFWD_STORAGE_DIR,
};

/**
 * enum klogfwd_framing - How records are framed, in storage and on the wire
 *   (stored = sent).
 * @KLOGFWD_FRAMING_LF: Newline-terminated records. A record holding a newline
 *   is rejected.
 * @KLOGFWD_FRAMING_OCTET: RFC 6587 octet counting, "LEN SP MSG".
 * @KLOGFWD_FRAMING_KLF: klogfwd's binary framing: a 32-byte little-endian
 *   header (magic "KLF1", header length, flags, payload length, CRC32C, record
 *   offset, timestamp) before each payload.
 */
enum klogfwd_framing {
	KLOGFWD_FRAMING_LF,
	KLOGFWD_FRAMING_OCTET,
	KLOGFWD_FRAMING_KLF,
};

/**
 * enum klogfwd_overflow - What an append does when retention would delete
 *   unconsumed data.
 * @KLOGFWD_OVERFLOW_DROP: Delete the oldest data anyway and count what was
 *   dropped.
 * @KLOGFWD_OVERFLOW_BLOCK: Refuse the append (a blocking write waits, EAGAIN
 *   otherwise).
 */
enum klogfwd_overflow {
	KLOGFWD_OVERFLOW_DROP,
	KLOGFWD_OVERFLOW_BLOCK,
};

/**
 * enum klogfwd_sync - When appends to a dir log reach stable storage.
 * @KLOGFWD_SYNC_NONE: Left to the kernel's writeback.
 * @KLOGFWD_SYNC_INTERVAL: Written back at most sync-interval-ms after the
 *   append.
 * @KLOGFWD_SYNC_ALWAYS: Every append is fsync'ed before it returns.
 */
enum klogfwd_sync {
	KLOGFWD_SYNC_NONE,
	KLOGFWD_SYNC_INTERVAL,
	KLOGFWD_SYNC_ALWAYS,
};

/**
 * enum klogfwd_input - How a write() to the log's character device becomes
 *   records (appends over netlink carry their records explicitly and are not
 *   affected).
 * @KLOGFWD_INPUT_RECORD: Each write() (or writev()) is one record; one
 *   trailing newline ends it and is not part of it. For producers that write
 *   whole records: the default, as with /dev/kmsg.
 * @KLOGFWD_INPUT_LINES: Each newline-terminated line is one record, whatever
 *   the writes: a write may hold many lines and a line may span writes. The
 *   open file keeps a partial line until its newline, or until the close() of
 *   its last descriptor, which appends it and reports the error if that fails.
 *   Empty lines are skipped. A line longer than max-record is cut to its first
 *   max-record bytes, appended, and counted in lines-cut; the rest of it up to
 *   its newline is discarded. For ordinary programs: cat, sed, tail -F,
 *   print().
 */
enum klogfwd_input {
	KLOGFWD_INPUT_RECORD,
	KLOGFWD_INPUT_LINES,
};

/**
 * enum klogfwd_source - What appends a log's records.
 * @KLOGFWD_SOURCE_LOCAL: Producers on the machine: writes to the log's
 *   character device and log-append over netlink (the default).
 * @KLOGFWD_SOURCE_KMSG: The kernel's own log: a kernel worker reads every
 *   record of the printk ring buffer, with its own iterator, and appends it;
 *   nothing else may append. Only in the initial network namespace, with
 *   CAP_SYSLOG in the initial user namespace.
 */
enum klogfwd_source {
	KLOGFWD_SOURCE_LOCAL,
	KLOGFWD_SOURCE_KMSG,
};

/**
 * enum klogfwd_kmsg_from - Where a log with source kmsg starts reading the
 *   printk ring buffer.
 * @KLOGFWD_KMSG_FROM_BOOT: The first record of the boot (sequence number 0):
 *   what the ring no longer holds, or dmesg -C cleared, is counted in
 *   kmsg-lost.
 * @KLOGFWD_KMSG_FROM_NOW: The first record printed after the log was created.
 * @KLOGFWD_KMSG_FROM_RESUME: Dir logs: the record after the last one the log
 *   read in this boot (its directory's file kmsg-resume, written when the log
 *   is deleted or the module unloaded); after a reboot, or without the file,
 *   the first record of the boot, as with boot.
 */
enum klogfwd_kmsg_from {
	KLOGFWD_KMSG_FROM_BOOT,
	KLOGFWD_KMSG_FROM_NOW,
	KLOGFWD_KMSG_FROM_RESUME,
};

/**
 * enum klogfwd_format - The header an append puts before each record's payload
 *   (stored = sent). A payload starting with "<N>" (N from 0 to 191, as
 *   written to /dev/kmsg) sets the record's priority, and the prefix is
 *   removed; a facility of 0 (kern) there means the log's default facility.
 *   The timestamp is the append time. max-record counts the header.
 * @KLOGFWD_FORMAT_RAW: No header; the payload is stored as given (the
 *   default).
 * @KLOGFWD_FORMAT_RFC3164: "<PRI>Mmm dd hh:mm:ss HOSTNAME APP-NAME: ", the BSD
 *   syslog header (RFC 3164), the timestamp in UTC (the kernel has no time
 *   zone).
 * @KLOGFWD_FORMAT_RFC5424: "<PRI>1 YYYY-MM-DDThh:mm:ss.uuuuuuZ HOSTNAME
 *   APP-NAME - - - ", the syslog protocol header (RFC 5424), the timestamp in
 *   UTC with microseconds, no PROCID, MSGID or structured data.
 * @KLOGFWD_FORMAT_JSON: Logs of source kmsg only: each record one JSON object,
 *   {"time":"YYYY-MM-DDThh:mm:ss.uuuuuuZ","host":HOSTNAME,
 *   "app":APP-NAME,"facility":N,"severity":N,"seq":N,"msg":TEXT}, seq the
 *   record's sequence number in the kernel's log, TEXT its lines joined by
 *   "\n", escaped as JSON escapes (UTF-8 kept, a byte of no valid UTF-8 as
 *   \u00XX). A TEXT too long for max-record is cut, and the object stays
 *   whole; a max-record below what the members take is refused.
 */
enum klogfwd_format {
	KLOGFWD_FORMAT_RAW,
	KLOGFWD_FORMAT_RFC3164,
	KLOGFWD_FORMAT_RFC5424,
	KLOGFWD_FORMAT_JSON,
};

/**
 * enum klogfwd_log_event - What happened to a log (log-event-ntf).
 * @KLOGFWD_LOG_EVENT_SEGMENT_ROLLED: The active segment was sealed and a new
 *   one started.
 * @KLOGFWD_LOG_EVENT_SEGMENT_DELETED: Retention deleted the oldest segment.
 * @KLOGFWD_LOG_EVENT_RECORDS_DROPPED: Retention deleted records a target had
 *   not had acknowledged (overflow drop); count says how many, over all
 *   targets.
 * @KLOGFWD_LOG_EVENT_RECOVERED: The log was recovered from an existing
 *   directory.
 * @KLOGFWD_LOG_EVENT_PRODUCER_BLOCKED: A producer started to wait for room
 *   under overflow block: a target has not acknowledged the oldest segment
 *   retention would delete. Sent once per episode: again only after an append
 *   found room without waiting, or after room appeared while no producer
 *   waited. count is the log's stats blocked at that moment.
 * @KLOGFWD_LOG_EVENT_KMSG_LOST: Source kmsg: reads of the printk ring buffer
 *   lost records (the ring no longer held them, or they could not be
 *   appended); count says how many since the last such event, and they are in
 *   the log's stats kmsg-lost. At most one each 100 ms per log; a loss is told
 *   within 100 ms, or when the log is deleted.
 */
enum klogfwd_log_event {
	KLOGFWD_LOG_EVENT_SEGMENT_ROLLED,
	KLOGFWD_LOG_EVENT_SEGMENT_DELETED,
	KLOGFWD_LOG_EVENT_RECORDS_DROPPED,
	KLOGFWD_LOG_EVENT_RECOVERED,
	KLOGFWD_LOG_EVENT_PRODUCER_BLOCKED,
	KLOGFWD_LOG_EVENT_KMSG_LOST,
};

/**
 * enum klogfwd_target_event - What happened to a target, other than a change
 *   of state (target-event-ntf).
 * @KLOGFWD_TARGET_EVENT_RELP_SKIPPED: ack relp: records longer than
 *   relp-max-frame were not sent; count says how many since the last such
 *   event (the kernel log names each one's offset), and they are in the
 *   target's stats relp-skipped. At most one each 100 ms per target; a target
 *   paused meanwhile tells the rest then, one deleted does not.
 */
enum klogfwd_target_event {
	KLOGFWD_TARGET_EVENT_RELP_SKIPPED = 1,
};

/**
 * enum klogfwd_start - Where a new target starts reading its log.
 * @KLOGFWD_START_EARLIEST: The oldest record held (the default).
 * @KLOGFWD_START_LATEST: The next record appended; nothing already in the log
 *   is sent.
 * @KLOGFWD_START_RESUME: The first record not acknowledged by the peer's TCP
 *   when a target of the same name on the same dir log was last stopped (the
 *   offset is kept in <dir>/<target>.cursor); earliest if there is none, or
 *   for memory logs.
 * @KLOGFWD_START_OFFSET: The record given by from-offset.
 */
enum klogfwd_start {
	KLOGFWD_START_EARLIEST,
	KLOGFWD_START_LATEST,
	KLOGFWD_START_RESUME,
	KLOGFWD_START_OFFSET,
};

/**
 * enum klogfwd_ack - What counts as delivered, for resume and for retention.
 * @KLOGFWD_ACK_TCP: Bytes acknowledged by the peer's TCP (the default; works
 *   with any receiver). The peer's kernel has them; a receiver that dies
 *   before reading them loses them.
 * @KLOGFWD_ACK_APP: Offsets the receiving application returns on the
 *   connection: after handling records it writes the offset of the next record
 *   it wants as 8 bytes, little endian (klf framing only). At-least-once even
 *   when the receiver is killed.
 * @KLOGFWD_ACK_RELP: RELP (the Reliable Event Logging Protocol of rsyslog's
 *   imrelp): each record goes as one RELP syslog frame, and counts as
 *   delivered when the receiver answers it with 200 OK (lf framing only).
 *   At-least-once even when the receiver is killed; after a broken session the
 *   records not answered are sent again.
 */
enum klogfwd_ack {
	KLOGFWD_ACK_TCP,
	KLOGFWD_ACK_APP,
	KLOGFWD_ACK_RELP,
};

/**
 * enum klogfwd_target_state - State of a target's connection.
 * @KLOGFWD_TARGET_STATE_CONNECTING: A TCP connection is being set up.
 * @KLOGFWD_TARGET_STATE_ESTABLISHED: Connected; records are sent as they are
 *   appended.
 * @KLOGFWD_TARGET_STATE_BACKOFF: Disconnected; waiting before the next
 *   attempt.
 * @KLOGFWD_TARGET_STATE_PAUSED: Stopped by target-set pause; no connection.
 * @KLOGFWD_TARGET_STATE_HANDSHAKE: TCP connected; the TLS handshake runs in
 *   the handshake agent (tls targets only).
 */
enum klogfwd_target_state {
	KLOGFWD_TARGET_STATE_CONNECTING,
	KLOGFWD_TARGET_STATE_ESTABLISHED,
	KLOGFWD_TARGET_STATE_BACKOFF,
	KLOGFWD_TARGET_STATE_PAUSED,
	KLOGFWD_TARGET_STATE_HANDSHAKE,
};

enum {
	KLOGFWD_A_VERSION_MODULE_VERSION = 1,
	KLOGFWD_A_VERSION_KERNEL_RELEASE,
	KLOGFWD_A_VERSION_GENL_VERSION,

	__KLOGFWD_A_VERSION_MAX,
	KLOGFWD_A_VERSION_MAX = (__KLOGFWD_A_VERSION_MAX - 1)
};

enum {
	KLOGFWD_A_LOG_NAME = 1,
	KLOGFWD_A_LOG_STORAGE,
	KLOGFWD_A_LOG_DIR,
	KLOGFWD_A_LOG_FRAMING,
	KLOGFWD_A_LOG_SEGMENT_BYTES,
	KLOGFWD_A_LOG_RETAIN_BYTES,
	KLOGFWD_A_LOG_RETAIN_MS,
	KLOGFWD_A_LOG_MAX_RECORD,
	KLOGFWD_A_LOG_OVERFLOW,
	KLOGFWD_A_LOG_SYNC,
	KLOGFWD_A_LOG_SYNC_INTERVAL_MS,
	KLOGFWD_A_LOG_MODE,
	KLOGFWD_A_LOG_OWNER,
	KLOGFWD_A_LOG_GROUP,
	KLOGFWD_A_LOG_RECORD,
	KLOGFWD_A_LOG_STATS,
	KLOGFWD_A_LOG_EVENT,
	KLOGFWD_A_LOG_COUNT,
	KLOGFWD_A_LOG_INPUT,
	KLOGFWD_A_LOG_FORMAT,
	KLOGFWD_A_LOG_HOSTNAME,
	KLOGFWD_A_LOG_APP_NAME,
	KLOGFWD_A_LOG_FACILITY,
	KLOGFWD_A_LOG_SEVERITY,
	KLOGFWD_A_LOG_OVERRIDE,
	KLOGFWD_A_LOG_SOURCE,
	KLOGFWD_A_LOG_KMSG_FROM,
	KLOGFWD_A_LOG_KMSG_LEVEL,
	KLOGFWD_A_LOG_KMSG_POLL_MS,

	__KLOGFWD_A_LOG_MAX,
	KLOGFWD_A_LOG_MAX = (__KLOGFWD_A_LOG_MAX - 1)
};

enum {
	KLOGFWD_A_LOG_STATS_RECORDS = 1,
	KLOGFWD_A_LOG_STATS_BYTES,
	KLOGFWD_A_LOG_STATS_FIRST_OFFSET,
	KLOGFWD_A_LOG_STATS_NEXT_OFFSET,
	KLOGFWD_A_LOG_STATS_SEGMENTS,
	KLOGFWD_A_LOG_STATS_APPENDS,
	KLOGFWD_A_LOG_STATS_APPEND_BYTES,
	KLOGFWD_A_LOG_STATS_REJECTED_SIZE,
	KLOGFWD_A_LOG_STATS_REJECTED_FRAMING,
	KLOGFWD_A_LOG_STATS_REJECTED_FULL,
	KLOGFWD_A_LOG_STATS_REJECTED_IO,
	KLOGFWD_A_LOG_STATS_SEGMENTS_ROLLED,
	KLOGFWD_A_LOG_STATS_SEGMENTS_DELETED,
	KLOGFWD_A_LOG_STATS_DROPPED_RECORDS,
	KLOGFWD_A_LOG_STATS_RECOVERIES,
	KLOGFWD_A_LOG_STATS_RECOVERED_RECORDS,
	KLOGFWD_A_LOG_STATS_TRUNCATED_BYTES,
	KLOGFWD_A_LOG_STATS_INDEX_REBUILDS,
	KLOGFWD_A_LOG_STATS_LINES_CUT,
	KLOGFWD_A_LOG_STATS_BLOCKED,
	KLOGFWD_A_LOG_STATS_KMSG_RECORDS,
	KLOGFWD_A_LOG_STATS_KMSG_LOST,
	KLOGFWD_A_LOG_STATS_KMSG_NEXT_SEQ,
	KLOGFWD_A_LOG_STATS_KMSG_FILTERED,
	KLOGFWD_A_LOG_STATS_SYNCS,

	__KLOGFWD_A_LOG_STATS_MAX,
	KLOGFWD_A_LOG_STATS_MAX = (__KLOGFWD_A_LOG_STATS_MAX - 1)
};

enum {
	KLOGFWD_A_TARGET_NAME = 1,
	KLOGFWD_A_TARGET_LOG,
	KLOGFWD_A_TARGET_IPV4,
	KLOGFWD_A_TARGET_IPV6,
	KLOGFWD_A_TARGET_PORT,
	KLOGFWD_A_TARGET_START,
	KLOGFWD_A_TARGET_FROM_OFFSET,
	KLOGFWD_A_TARGET_ACK,
	KLOGFWD_A_TARGET_BACKOFF_MIN_MS,
	KLOGFWD_A_TARGET_BACKOFF_MAX_MS,
	KLOGFWD_A_TARGET_KEEPALIVE_S,
	KLOGFWD_A_TARGET_USER_TIMEOUT_MS,
	KLOGFWD_A_TARGET_NODELAY,
	KLOGFWD_A_TARGET_SNDBUF,
	KLOGFWD_A_TARGET_PAUSED,
	KLOGFWD_A_TARGET_STATE,
	KLOGFWD_A_TARGET_STATS,
	KLOGFWD_A_TARGET_RELP_WINDOW,
	KLOGFWD_A_TARGET_RELP_MAX_FRAME,
	KLOGFWD_A_TARGET_RELP_TIMEOUT_S,
	KLOGFWD_A_TARGET_EVENT,
	KLOGFWD_A_TARGET_COUNT,
	KLOGFWD_A_TARGET_TLS,
	KLOGFWD_A_TARGET_TLS_PEERNAME,
	KLOGFWD_A_TARGET_TLS_VERSION,
	KLOGFWD_A_TARGET_TLS_CIPHER,
	KLOGFWD_A_TARGET_TLS_CERT,
	KLOGFWD_A_TARGET_TLS_KEY,
	KLOGFWD_A_TARGET_TLS_REKEY_S,
	KLOGFWD_A_TARGET_TLS_REKEY_BYTES,
	KLOGFWD_A_TARGET_TLS_PSK,
	KLOGFWD_A_TARGET_TLS_ALERT,
	KLOGFWD_A_TARGET_TLS_PEER,
	KLOGFWD_A_TARGET_TLS_HANDSHAKE_ALERT,
	KLOGFWD_A_TARGET_TLS_SOCKFD,

	__KLOGFWD_A_TARGET_MAX,
	KLOGFWD_A_TARGET_MAX = (__KLOGFWD_A_TARGET_MAX - 1)
};

enum {
	KLOGFWD_A_TARGET_STATS_NEXT_OFFSET = 1,
	KLOGFWD_A_TARGET_STATS_ACKED_OFFSET,
	KLOGFWD_A_TARGET_STATS_LAG_RECORDS,
	KLOGFWD_A_TARGET_STATS_LAG_BYTES,
	KLOGFWD_A_TARGET_STATS_BYTES_SENT,
	KLOGFWD_A_TARGET_STATS_RECORDS_SENT,
	KLOGFWD_A_TARGET_STATS_BYTES_ACKED,
	KLOGFWD_A_TARGET_STATS_RECORDS_ACKED,
	KLOGFWD_A_TARGET_STATS_SEND_CALLS,
	KLOGFWD_A_TARGET_STATS_PAGES_SPLICED,
	KLOGFWD_A_TARGET_STATS_BYTES_COPIED,
	KLOGFWD_A_TARGET_STATS_EAGAIN,
	KLOGFWD_A_TARGET_STATS_CONNECTS,
	KLOGFWD_A_TARGET_STATS_RECONNECTS,
	KLOGFWD_A_TARGET_STATS_LAST_ERROR,
	KLOGFWD_A_TARGET_STATS_DROPPED_RECORDS,
	KLOGFWD_A_TARGET_STATS_RESENT_BYTES,
	KLOGFWD_A_TARGET_STATS_LAST_ERROR_TIME,
	KLOGFWD_A_TARGET_STATS_LAST_DISCONNECT,
	KLOGFWD_A_TARGET_STATS_LAST_DISCONNECT_TIME,
	KLOGFWD_A_TARGET_STATS_LAST_CONNECT_TIME,
	KLOGFWD_A_TARGET_STATS_RELP_SESSIONS,
	KLOGFWD_A_TARGET_STATS_RELP_WINDOW_FULL,
	KLOGFWD_A_TARGET_STATS_RELP_RESENT,
	KLOGFWD_A_TARGET_STATS_RELP_SKIPPED,
	KLOGFWD_A_TARGET_STATS_RELP_LAST_CODE,
	KLOGFWD_A_TARGET_STATS_RELP_TIMEOUTS,
	KLOGFWD_A_TARGET_STATS_TLS_HANDSHAKES,
	KLOGFWD_A_TARGET_STATS_TLS_FAILURES,
	KLOGFWD_A_TARGET_STATS_TLS_REKEYS,

	__KLOGFWD_A_TARGET_STATS_MAX,
	KLOGFWD_A_TARGET_STATS_MAX = (__KLOGFWD_A_TARGET_STATS_MAX - 1)
};

enum {
	KLOGFWD_A_STATS_LOGS = 1,
	KLOGFWD_A_STATS_MAX_LOGS,
	KLOGFWD_A_STATS_TARGETS,
	KLOGFWD_A_STATS_MAX_TARGETS,
	KLOGFWD_A_STATS_TARGETS_ESTABLISHED,
	KLOGFWD_A_STATS_RECORDS,
	KLOGFWD_A_STATS_BYTES,
	KLOGFWD_A_STATS_LAG_BYTES,
	KLOGFWD_A_STATS_APPENDS,
	KLOGFWD_A_STATS_APPEND_BYTES,
	KLOGFWD_A_STATS_REJECTED,
	KLOGFWD_A_STATS_DROPPED_RECORDS,
	KLOGFWD_A_STATS_BYTES_SENT,
	KLOGFWD_A_STATS_RECORDS_SENT,
	KLOGFWD_A_STATS_BYTES_ACKED,
	KLOGFWD_A_STATS_RECORDS_ACKED,
	KLOGFWD_A_STATS_PAGES_SPLICED,
	KLOGFWD_A_STATS_BYTES_COPIED,
	KLOGFWD_A_STATS_RESENT_BYTES,
	KLOGFWD_A_STATS_CONNECTS,
	KLOGFWD_A_STATS_RECONNECTS,
	KLOGFWD_A_STATS_BLOCKED,

	__KLOGFWD_A_STATS_MAX,
	KLOGFWD_A_STATS_MAX = (__KLOGFWD_A_STATS_MAX - 1)
};

enum {
	KLOGFWD_CMD_VERSION_GET = 1,
	KLOGFWD_CMD_LOG_NEW,
	KLOGFWD_CMD_LOG_DEL,
	KLOGFWD_CMD_LOG_GET,
	KLOGFWD_CMD_LOG_SET,
	KLOGFWD_CMD_LOG_APPEND,
	KLOGFWD_CMD_TARGET_NEW,
	KLOGFWD_CMD_TARGET_DEL,
	KLOGFWD_CMD_TARGET_GET,
	KLOGFWD_CMD_TARGET_SET,
	KLOGFWD_CMD_LOG_EVENT_NTF,
	KLOGFWD_CMD_TARGET_STATE_NTF,
	KLOGFWD_CMD_STATS_GET,
	KLOGFWD_CMD_TARGET_EVENT_NTF,
	KLOGFWD_CMD_TLS_REPORT,

	__KLOGFWD_CMD_MAX,
	KLOGFWD_CMD_MAX = (__KLOGFWD_CMD_MAX - 1)
};

#define KLOGFWD_MCGRP_MONITOR	"monitor"

#endif /* _UAPI_LINUX_KLOGFWD_H */
