/* tests/memport.h — an in-memory port (node/sync/port.h) for driving the pure
 * session without LMDB: a log of signed op bytes in arrival order, the
 * peer's cursor, a peer that is a member of full scope unless told
 * otherwise. Ops are verified at commit like the real committer does and
 * kept once (by op id); there is no roster, no pending table and no views.
 * Knobs let a test refuse the peer, fail a commit or a settle, and count
 * what the session asked for. */
#ifndef RP_TEST_MEMPORT_H
#define RP_TEST_MEMPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../node/sync/port.h"
#include "../proto/error.h"

typedef struct memop {
	uint8_t *bytes;
	size_t   len;
	uint8_t  opid[RP_OPID_LEN];
	uint8_t  from[RP_DEVICE_LEN];   /* the peer it came from, zero: written here */
} memop;

typedef struct memport {
	uint8_t  device[RP_DEVICE_LEN], peer[RP_DEVICE_LEN], team[RP_TEAM_LEN];
	memop   *log;                   /* arrival feed: position i + 1 is log[i] */
	size_t   n, cap;
	uint64_t cursor;                /* how much of the peer's feed we hold */
	uint64_t now_ms;
	/* knobs */
	int      admit_rc;              /* 0 member, RP_ENOTMEMBER, RP_EREVOKED */
	int      commit_rc, settle_rc;  /* non-zero: that call fails, storing nothing */
	int      closed;
	/* what the session did */
	uint64_t commits, settles, refusals, feeds;
	uint64_t acked;             /* what the last settle said the peer holds of our feed */
	int64_t  clock_ahead;
} memport;

static int memport_find(const memport *m, const uint8_t opid[RP_OPID_LEN])
{
	for (size_t i = 0; i < m->n; i++)
		if (!memcmp(m->log[i].opid, opid, RP_OPID_LEN))
			return 1;
	return 0;
}

/* Append op bytes (already known to decode) from peer `from` (NULL: ours). */
static int memport_add(memport *m, const uint8_t *bytes, size_t len, const uint8_t *from)
{
	rp_op op;
	memop *e;
	if (rp_op_decode(bytes, len, &op))
		return RP_EFORMAT;
	if (m->n == m->cap) {
		void *p = realloc(m->log, (m->cap = m->cap ? m->cap * 2 : 64) * sizeof *m->log);
		if (!p)
			return RP_ENOMEM;
		m->log = p;
	}
	e = &m->log[m->n];
	memset(e, 0, sizeof *e);
	if (!(e->bytes = malloc(len)))
		return RP_ENOMEM;
	memcpy(e->bytes, bytes, len);
	e->len = len;
	rp_op_id(&op, e->opid);
	if (from)
		memcpy(e->from, from, RP_DEVICE_LEN);
	m->n++;
	return 0;
}

static void memport_free(memport *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->log[i].bytes);
	free(m->log);
	memset(m, 0, sizeof *m);
}

static int memport_info(void *ctx, rp_port_info *out)
{
	memport *m = ctx;
	memset(out, 0, sizeof *out);
	memcpy(out->device, m->device, RP_DEVICE_LEN);
	memcpy(out->team, m->team, RP_TEAM_LEN);
	snprintf(out->team_name, sizeof out->team_name, "Memory");
	out->head = m->n + 1;
	for (size_t i = 0; i < m->n; i++)
		if (!memcmp(m->log[i].opid, m->peer, RP_DEVICE_LEN) && rp_opid_seq(m->log[i].opid) > out->own_head)
			out->own_head = rp_opid_seq(m->log[i].opid);
	out->cursor = m->cursor;
	out->now_ms = m->now_ms;
	return 0;
}

static int memport_admit(void *ctx, rp_port_scope *scope, uint8_t **plan, size_t *n)
{
	memport *m = ctx;
	*plan = NULL;
	*n = 0;
	scope->full = scope->self_full = 1;
	return m->admit_rc;
}

static int memport_replan(void *ctx, uint8_t **plan, size_t *n)
{
	(void)ctx;
	*plan = NULL;
	*n = 0;
	return 0;
}

static int memport_feed(void *ctx, uint64_t after, uint64_t own_head, rp_batch_builder *b,
                        uint64_t *last, int *any)
{
	memport *m = ctx;
	*last = after;
	*any = after < m->n;
	m->feeds++;
	for (size_t i = after; i < m->n; i++) {
		const memop *e = &m->log[i];
		int back = !memcmp(e->from, m->peer, RP_DEVICE_LEN) ||
		           (!memcmp(e->opid, m->peer, RP_DEVICE_LEN) && rp_opid_seq(e->opid) <= own_head);
		if (!back && rp_batch_add(b, e->bytes, e->len) != 0)
			break;
		*last = i + 1;
	}
	return 0;
}

static int memport_backfill(void *ctx, const uint8_t acct[RP_ACCOUNT_LEN], uint8_t *key,
                            rp_batch_builder *b, uint64_t *added, int *assigns_only)
{
	(void)ctx, (void)acct, (void)key, (void)b;
	*added = 0;
	*assigns_only = 0;
	return 0;
}

static int memport_commit(void *ctx, uint64_t cursor, rp_op *ops, int *rcs, const uint8_t **raw,
                          const size_t *rawlen, size_t n, rp_batch_tally *t)
{
	memport *m = ctx;
	size_t had = m->n;
	memset(t, 0, sizeof *t);
	m->commits++;
	if (m->commit_rc)
		return m->commit_rc;
	for (size_t i = 0; i < n; i++) {
		uint8_t opid[RP_OPID_LEN];
		if (rcs[i] == 0)
			rcs[i] = rp_op_verify(&ops[i]);
		if (rcs[i]) {
			t->refused++;
			continue;
		}
		rp_op_id(&ops[i], opid);
		if (memport_find(m, opid)) {
			t->duplicates++;
			continue;
		}
		if (memport_add(m, raw[i], rawlen[i], m->peer)) {
			while (m->n > had)               /* all or nothing, like one txn */
				free(m->log[--m->n].bytes);
			return RP_ENOMEM;
		}
		t->received++;
	}
	m->cursor = cursor;
	return 0;
}

static int memport_notice(void *ctx, rp_batch_builder *b)
{
	(void)ctx, (void)b;
	return 0;
}

static void memport_note_refusal(void *ctx, const char *why)
{
	(void)why;
	((memport *)ctx)->refusals++;
}

static void memport_note_clock(void *ctx, int64_t ahead)
{
	((memport *)ctx)->clock_ahead = ahead;
}

static int memport_settle(void *ctx, uint64_t acked, const uint8_t *haves, size_t nhaves,
                          const uint8_t *expect, size_t nexpect, int keep, rp_port_settled *out,
                          char *why, size_t cap)
{
	memport *m = ctx;
	m->acked = acked;
	(void)haves, (void)nhaves, (void)expect, (void)nexpect, (void)keep, (void)out;
	m->settles++;
	if (m->settle_rc)
		snprintf(why, cap, "the memory port was told to fail");
	return m->settle_rc;
}

static void memport_close(void *ctx)
{
	((memport *)ctx)->closed++;
}

/* The port table over m (which the caller keeps and frees). */
static rp_port memport_port(memport *m)
{
	rp_port p = {
		.ctx = m, .home = "memory",
		.info = memport_info, .admit = memport_admit, .replan = memport_replan,
		.feed = memport_feed, .backfill = memport_backfill, .commit = memport_commit,
		.notice = memport_notice, .note_refusal = memport_note_refusal,
		.note_clock = memport_note_clock, .settle = memport_settle, .close = memport_close,
	};
	return p;
}

#endif
