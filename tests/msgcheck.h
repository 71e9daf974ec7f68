/* tests/msgcheck.h — what a decoded sync message must satisfy, shared by
 * the unit test of the codec and its fuzz harness: the promises of msg.h,
 * field equality, and re-encoding through the public encoders. */
#ifndef RP_TEST_MSGCHECK_H
#define RP_TEST_MSGCHECK_H

#include <stdint.h>
#include <string.h>

#include "../proto/error.h"
#include "../proto/msg.h"

/* The decoded fields of a and b agree (ops compared by content). */
static inline int msgcheck_same(const rp_msg *a, const rp_msg *b)
{
	if (a->type != b->type || a->version != b->version)
		return 0;
	switch (a->type) {
	case RP_MSG_HELLO:
		return memcmp(a->team, b->team, RP_TEAM_LEN) == 0 &&
		       memcmp(a->device, b->device, RP_DEVICE_LEN) == 0 &&
		       a->cursor == b->cursor && a->own_head == b->own_head &&
		       a->credit == b->credit && a->feed_head == b->feed_head && a->wall_ms == b->wall_ms &&
		       a->live == b->live;
	case RP_MSG_BATCH:
		return a->first == b->first && a->last == b->last && a->nops == b->nops &&
		       a->ops_len == b->ops_len &&
		       (a->ops_len == 0 || memcmp(a->ops, b->ops, a->ops_len) == 0);
	case RP_MSG_ACK:
	case RP_MSG_DONE:
		return a->last == b->last;
	case RP_MSG_ERROR:
		return a->code == b->code && strcmp(a->text, b->text) == 0;
	case RP_MSG_HAVE:
		return memcmp(a->account, b->account, RP_ACCOUNT_LEN) == 0 && a->count == b->count;
	case RP_MSG_TICK:
		return 1;
	default:
		return 0;
	}
}

/* Every promise msg.h makes about a decoded message. */
static inline int msgcheck_valid(const rp_msg *m)
{
	if (m->version != RP_SYNC_VERSION)
		return 0;
	switch (m->type) {
	case RP_MSG_HELLO:
		return m->credit >= 1 && m->credit <= RP_CREDIT_MAX && (m->live == 0 || m->live == 1);
	case RP_MSG_BATCH:
		return (m->first < m->last || (m->first == m->last && m->nops > 0)) &&
		       m->nops <= RP_BATCH_OPS_MAX &&
		       m->ops_len <= RP_BATCH_MAX && (m->nops == 0) == (m->ops == NULL);
	case RP_MSG_ACK:
	case RP_MSG_DONE:
		return 1;
	case RP_MSG_ERROR:
		return m->code < 0 && strlen(m->text) <= RP_MSG_TEXT_MAX;
	case RP_MSG_HAVE:
	case RP_MSG_TICK:
		return 1;
	default:
		return 0;
	}
}

/* Re-encode a decoded message with the public encoders (a batch through the
 * builder, from its iterated ops) into out (cap bytes). RP_EFORMAT when the
 * iterated ops disagree with what the decoder measured. */
static inline int msgcheck_reencode(const rp_msg *m, uint8_t *out, size_t cap,
                                    const uint8_t **start, size_t *len)
{
	rp_batch_builder b;
	const uint8_t *op;
	size_t pos = 0, oplen, seen_len = 0;
	uint32_t seen = 0;
	int rc;

	*start = out;
	switch (m->type) {
	case RP_MSG_HELLO:
		return rp_msg_hello(out, cap, len, m->team, m->device, m->cursor, m->own_head,
		                    m->credit, m->feed_head, m->wall_ms, m->live);
	case RP_MSG_TICK:
		return rp_msg_tick(out, cap, len);
	case RP_MSG_ACK:
		return rp_msg_ack(out, cap, len, m->last);
	case RP_MSG_DONE:
		return rp_msg_done(out, cap, len, m->last);
	case RP_MSG_ERROR:
		return rp_msg_error(out, cap, len, m->code, m->text);
	case RP_MSG_HAVE:
		return rp_msg_have(out, cap, len, m->account, m->count);
	case RP_MSG_BATCH:
		rp_batch_begin(&b, out, cap);
		while (rp_msg_batch_next(m, &pos, &op, &oplen)) {
			/* Every op lies inside the array the decoder measured. */
			if (op < m->ops || oplen == 0 || oplen > RP_OP_MAX ||
			    (size_t)(op - m->ops) + oplen > m->ops_len)
				return RP_EFORMAT;
			if ((rc = rp_batch_add(&b, op, oplen)) != 0)
				return rc;
			seen++;
			seen_len = pos;
		}
		if (seen != m->nops || seen_len != m->ops_len)
			return RP_EFORMAT;
		return rp_batch_finish(&b, m->first, m->last, start, len);
	default:
		return RP_EINVAL;
	}
}

#endif
