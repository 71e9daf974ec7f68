/* proto/msg.h — the sync messages two nodes exchange, one per ZeroMQ frame.
 * Pure: bytes in, struct out, no allocation proportional to anything a peer
 * claims, no I/O. Each message is a msgpack array whose first element is the
 * message type (a small uint) and second the sync protocol version:
 *
 *   hello  [1, ver, team bin32, device bin32, cursor uint, own_head uint, credit uint, feed_head uint,
 *           wall uint, live uint]
 *   batch  [2, ver, first uint, last uint, [op bin, op bin, ...]]
 *   ack    [3, ver, last uint]
 *   done   [4, ver, last uint]
 *   error  [5, ver, code int, message str]
 *   have   [6, ver, account bin16, ops uint]
 *   tick   [7, ver]
 *
 * hello: team is all-zero when the sender is not in a team yet (joining);
 *   cursor is the highest arrival seq of the RECEIVER's feed the sender
 *   already holds (the receiver streams from cursor + 1); own_head is the
 *   highest seq of the receiver's own ops the sender holds (the receiver may
 *   skip its own ops at or below it); credit is how many batches the sender
 *   accepts unacknowledged; feed_head is the sender's arrival head (a
 *   progress hint, never trusted); wall is the sender's wall clock in ms
 *   since the epoch when it said hello (version 2): each side tells the
 *   other when their clocks differ by more than RP_SKEW_MAX_MS. Never
 *   trusted for anything else.
 *   live is 1 when the sender wants the session to stay open once both
 *   feeds are exchanged (version 3): it goes live when both said 1, and
 *   each side then streams what is newly committed to it as it comes, in
 *   rounds of batches ended by a done, as at first (session.h).
 * batch: ops of the sender's feed in arrival order, covering the feed from
 *   first + 1 to last (first is the previous batch's last, so a receiver
 *   detects a lost, repeated or reordered batch); after ingesting them the
 *   receiver holds the sender's feed up to last. first == last is a
 *   backfill batch: ops of an account that entered the receiver's scope,
 *   from outside the feed order; it must carry ops and moves no cursor.
 * ack: the receiver committed the sender's feed up to last; one per batch
 *   received, in order (last is the receiver's cursor when it writes the
 *   ack, so it may run ahead of the batch it answers, never behind it).
 * done: the sender has streamed its whole feed up to last.
 * error: code is an RP_E* value, message a short human text (<= RP_MSG_TEXT_MAX).
 * tick: a live session's heartbeat, sent by a side that has sent nothing
 *   for a while; it moves nothing.
 * have: after backfilling an account, how many of its ops the sender sent:
 *   the receiver checks it now holds at least that many (the account arrived
 *   whole) and says so.
 *
 * The encoding is canonical, one byte string per message: a fixarray, uints
 * and the negative error code in their smallest msgpack form, ids as bin8,
 * ops as bin8/16/32 by length, the ops array as fixarray/array16 by count,
 * the text as fixstr/str8. Decode accepts that form only.
 */
#ifndef RP_MSG_H
#define RP_MSG_H

#include <stddef.h>
#include <stdint.h>
#include "id.h"
#include "limits.h"

#define RP_SYNC_VERSION   3        /* 2: hello carries the wall clock; 3: live sessions */
#define RP_MSG_TEXT_MAX   200        /* error message text */
#define RP_CREDIT_MAX     64         /* batches in flight one side may grant */

enum rp_msg_type {
	RP_MSG_HELLO = 1,
	RP_MSG_BATCH = 2,
	RP_MSG_ACK   = 3,
	RP_MSG_DONE  = 4,
	RP_MSG_ERROR = 5,
	RP_MSG_HAVE  = 6,
	RP_MSG_TICK  = 7,
};

typedef struct rp_msg {
	int      type;                   /* enum rp_msg_type */
	uint32_t version;
	/* hello */
	uint8_t  team[RP_TEAM_LEN];
	uint8_t  device[RP_DEVICE_LEN];
	uint64_t cursor, own_head, feed_head;
	uint32_t credit;                 /* 1..RP_CREDIT_MAX */
	uint64_t wall_ms;                /* the sender's wall clock (a hint) */
	int      live;                   /* 0 or 1: stay open once both feeds are exchanged */
	/* batch, ack, done */
	uint64_t first;                  /* batch only */
	uint64_t last;
	/* batch: the ops array, borrowed from the decoded buffer */
	const uint8_t *ops;              /* first byte of the first op's bin header */
	size_t   ops_len;                /* bytes from ops to the end of the array */
	uint32_t nops;                   /* 0..RP_BATCH_OPS_MAX; ops is NULL when 0 */
	/* have */
	uint8_t  account[RP_ACCOUNT_LEN];
	uint64_t count;
	/* error */
	int32_t  code;                   /* < 0: never reads as success */
	char     text[RP_MSG_TEXT_MAX + 1]; /* NUL-terminated UTF-8, no control chars */
} rp_msg;

/* Decode one message. msg->ops borrows buf: buf must outlive msg.
 * Checks structure, types, the version (RP_EVERSION when newer), every
 * limit (RP_ELIMIT: message over RP_BATCH_MAX + 1 KiB, more than
 * RP_BATCH_OPS_MAX ops, an op over RP_OP_MAX, ops (bin headers included,
 * i.e. ops_len) over RP_BATCH_MAX, credit 0 or over RP_CREDIT_MAX, text
 * over RP_MSG_TEXT_MAX bytes), trailing bytes (RP_EFORMAT). The version is
 * read first: any array [uint, uint != RP_SYNC_VERSION, ...] is RP_EVERSION
 * whatever follows (older peers too: both sides must run one protocol);
 * version 0 and unknown types are RP_EFORMAT. Also
 * RP_EFORMAT: a non-canonical form, a batch with first > last, or with
 * first == last and no ops (zero ops is fine otherwise: a range whose ops
 * were all filtered out), an empty op, a hello live flag other than 0 or 1, a code
 * >= 0, text that is not UTF-8 or holds a control character (C0, DEL, C1)
 * or NUL. Does not decode the ops themselves (rp_op_decode does, one by
 * one). Allocates nothing. On failure *msg is zeroed.
 * Returns 0, RP_EFORMAT, RP_ELIMIT or RP_EVERSION (RP_EINVAL: msg NULL). */
int rp_msg_decode(const uint8_t *buf, size_t len, rp_msg *msg);

/* Iterate a decoded batch's ops: *pos starts at 0; each call yields the
 * next op's bytes (borrowed from the decoded buffer). Returns 1 with
 * *op and *len set, 0 at the end (*op NULL, *len 0), also for a message
 * that is not a batch. */
int rp_msg_batch_next(const rp_msg *msg, size_t *pos, const uint8_t **op, size_t *len);

/* Encoders write into out (capacity cap), *len receives the size (0 on
 * failure, and out is then untouched). They never write what
 * rp_msg_decode would refuse. Return 0, RP_ELIMIT (cap too small or a
 * limit exceeded: credit 0 or over RP_CREDIT_MAX, text over
 * RP_MSG_TEXT_MAX bytes) or RP_EINVAL (a NULL pointer, code >= 0, text
 * not UTF-8 or holding a control character). team is never NULL: pass
 * RP_TEAM_LEN zero bytes when not in a team. */
int rp_msg_hello(uint8_t *out, size_t cap, size_t *len, const uint8_t team[RP_TEAM_LEN],
                 const uint8_t device[RP_DEVICE_LEN], uint64_t cursor, uint64_t own_head,
                 uint32_t credit, uint64_t feed_head, uint64_t wall_ms, int live);
int rp_msg_tick(uint8_t *out, size_t cap, size_t *len);
int rp_msg_ack(uint8_t *out, size_t cap, size_t *len, uint64_t last);
int rp_msg_done(uint8_t *out, size_t cap, size_t *len, uint64_t last);
int rp_msg_error(uint8_t *out, size_t cap, size_t *len, int32_t code, const char *text);
int rp_msg_have(uint8_t *out, size_t cap, size_t *len, const uint8_t account[RP_ACCOUNT_LEN],
                uint64_t count);

/* Batches are built incrementally: begin reserves room for the header,
 * add appends one encoded op (RP_ELIMIT when it would not fit in cap or in
 * RP_BATCH_MAX, or the batch holds RP_BATCH_OPS_MAX ops: send, then start a
 * new one), finish writes the header with first, last and the op count
 * and gives the final bytes (which may start after out: use *start), or
 * RP_EINVAL when first > last or (first == last with no ops): a range
 * (first < last) is fine with zero
 * ops (every op of the range filtered out by scope). A refused add
 * changes nothing: the batch so far stays valid. add copies the op (not
 * checked: rp_op_decode is the receiver's job) and refuses an empty op or
 * NULL with RP_EINVAL. Ops take their size plus a 2..5 byte bin header
 * against RP_BATCH_MAX; the header needs 24 bytes of cap, so a cap of
 * RP_BATCH_MAX + 24 never runs out before RP_BATCH_MAX does. finish may be
 * called again after more adds. Returns 0, RP_ELIMIT or RP_EINVAL. */
typedef struct rp_batch_builder {
	uint8_t *out;
	size_t   cap, len;
	uint32_t nops;
} rp_batch_builder;

void rp_batch_begin(rp_batch_builder *b, uint8_t *out, size_t cap);
int  rp_batch_add(rp_batch_builder *b, const uint8_t *op, size_t len);
int  rp_batch_finish(rp_batch_builder *b, uint64_t first, uint64_t last,
                     const uint8_t **start, size_t *len);   /* RP_EINVAL: see above */

#endif
