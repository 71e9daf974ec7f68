/* node/sync/feed.c — the port of a session over this node's store (see
 * feed.h, port.h). Every read runs in a read txn of its own, every write
 * through rp_store_run; nothing here holds a txn between calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "commit.h"
#include "scope.h"
#include "settle.h"
#include "../store/ingest.h"
#include "../store/roster.h"
#include "../store/view.h"
#include "../store/txn.h"
#include "../../proto/body.h"
#include "../../proto/error.h"

typedef struct s_feed {
	rp_node  *node;
	uint8_t   peer[RP_DEVICE_LEN];
	char      peer_text[RP_DEVICE_TEXT + 1];
	rp_scope  scope;
	int       scoped;          /* scope initialised */
	json_t   *withheld;        /* account text → true: to write down in `skipped` */
	/* A replan after the first looks only when an op that can change the
	 * peer's scope went by since the last (a live session's rounds would
	 * otherwise scan every withheld account at every write). */
	int       planned, rescope;
} s_feed;

/* Can this op move accounts into or out of someone's scope? */
static int s_rescopes(const uint8_t *bytes, size_t len)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	rp_op op;
	if (rp_op_decode(bytes, len, &op) != 0)
		return 0;
	return !memcmp(op.account, zero, RP_ACCOUNT_LEN) || !strcmp(op.kind, "acct.assign") ||
	       !strcmp(op.kind, "acct.follow") || !strcmp(op.kind, "acct.create") ||
	       !strcmp(op.kind, "purge.receipt");
}

static int s_info(void *ctx, rp_port_info *out)
{
	s_feed *f = ctx;
	rp_store *st = f->node->store;
	rp_txn *txn;
	rp_val v;
	int rc;
	memset(out, 0, sizeof *out);
	if ((rc = rp_store_begin(st, 0, &txn)))
		return rc;
	memcpy(out->device, f->node->key.pk, RP_DEVICE_LEN);
	if (rp_meta_get(st, txn, "team", &v) == 0 && v.mv_size == RP_TEAM_LEN)
		memcpy(out->team, v.mv_data, RP_TEAM_LEN);
	if (rp_meta_get(st, txn, "team_name", &v) == 0 && v.mv_size <= RP_NAME_MAX)
		snprintf(out->team_name, sizeof out->team_name, "%.*s", (int)v.mv_size, (char *)v.mv_data);
	rp_meta_get_u64(st, txn, "arrival_next", &out->head);
	rp_store_get_u64(txn, st->heads, f->peer, RP_DEVICE_LEN, &out->own_head);
	rp_store_get_u64(txn, st->cursors, f->peer, RP_DEVICE_LEN, &out->cursor);
	rp_store_end(txn);
	out->now_ms = rp_node_now(f->node);
	return 0;
}

/* ---- the plan: accounts withheld before, in the peer's scope now ---------- */

typedef struct s_plan {
	s_feed   *f;
	rp_txn  *txn;
	uint8_t  *accts;
	size_t    n, cap;
} s_plan;

static int s_plan_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_plan *p = arg;
	const uint8_t *acct = (const uint8_t *)k->mv_data + RP_DEVICE_LEN;
	(void)v;
	if (k->mv_size != RP_DEVICE_LEN + RP_ACCOUNT_LEN || memcmp(k->mv_data, p->f->peer, RP_DEVICE_LEN))
		return RP_STORE_STOP;
	/* In scope now, or its handovers are (the member owned it): either
	 * way ops were withheld that must be sent. */
	if (rp_scope_code(&p->f->scope, p->f->node->store, p->txn, acct) == 0)
		return 0;
	if (p->n == p->cap) {
		void *q = realloc(p->accts, (p->cap = p->cap ? p->cap * 2 : 16) * RP_ACCOUNT_LEN);
		if (!q)
			return RP_ENOMEM;
		p->accts = q;
	}
	memcpy(p->accts + p->n++ * RP_ACCOUNT_LEN, acct, RP_ACCOUNT_LEN);
	return 0;
}

static int s_plan_in(s_feed *f, rp_txn *txn, uint8_t **plan, size_t *n)
{
	s_plan p = { f, txn, NULL, 0, 0 };
	int rc = rp_store_scan(txn, f->node->store->skipped, f->peer, RP_DEVICE_LEN, s_plan_one, &p);
	if (rc) {
		free(p.accts);
		return rc;
	}
	*plan = p.accts;
	*n = p.n;
	return 0;
}

static int s_admit(void *ctx, rp_port_scope *scope, uint8_t **plan, size_t *n)
{
	s_feed *f = ctx;
	rp_store *st = f->node->store;
	char role[RP_ROLE_MAX + 1] = "";
	rp_txn *txn;
	int rc;
	*plan = NULL;
	*n = 0;
	if (f->scoped) {
		rp_scope_done(&f->scope);
		f->scoped = 0;
	}
	if (!f->withheld && !(f->withheld = json_object()))
		return RP_ENOMEM;
	if ((rc = rp_store_begin(st, 0, &txn)))
		return rc;
	scope->self_full = rp_roster_device(st, txn, f->node->key.pk, NULL, role) == 0 &&
	                   strcmp(role, "rep") != 0;
	if ((rc = rp_scope_init(&f->scope, st, txn, f->peer)) == 0) {
		f->scoped = 1;
		scope->full = f->scope.full;
		rc = s_plan_in(f, txn, plan, n);
	}
	rp_store_end(txn);
	return rc;
}

static int s_replan(void *ctx, uint8_t **plan, size_t *n)
{
	s_feed *f = ctx;
	rp_txn *txn;
	int rc;
	*plan = NULL;
	*n = 0;
	if (!f->scoped)
		return RP_EINVAL;
	if (f->planned && !f->rescope)
		return 0;                       /* nothing went by that could widen it */
	if ((rc = rp_view_refresh_stale(f->node->store, NULL)))
		return rc;
	json_object_clear(f->scope.accounts);     /* what it knew of the views is old */
	if ((rc = rp_store_begin(f->node->store, 0, &txn)))
		return rc;
	rc = s_plan_in(f, txn, plan, n);
	rp_store_end(txn);
	if (rc == 0)
		f->planned = 1, f->rescope = 0;
	return rc;
}

/* ---- the feed ------------------------------------------------------------- */

typedef struct s_read {
	s_feed           *f;
	rp_txn          *txn;
	rp_batch_builder *b;
	uint64_t          own_head, last;
	int               any;
} s_read;

static int s_read_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_read *r = arg;
	s_feed *f = r->f;
	rp_store *st = f->node->store;
	const uint8_t *opid = v->mv_data;
	uint8_t acct[RP_ACCOUNT_LEN];
	uint64_t seq;
	rp_val ov;
	if (k->mv_size != 8 || v->mv_size < RP_OPID_LEN)
		return 0;
	seq = rp_be64_get(k->mv_data);
	r->any = 1;
	/* Nothing goes back where it came from, nor the peer's own ops it
	 * told us it holds. */
	if ((v->mv_size == RP_OPID_LEN + RP_DEVICE_LEN &&
	     !memcmp((const uint8_t *)v->mv_data + RP_OPID_LEN, f->peer, RP_DEVICE_LEN)) ||
	    (!memcmp(opid, f->peer, RP_DEVICE_LEN) && rp_opid_seq(opid) <= r->own_head)) {
		r->last = seq;
		return 0;
	}
	if (rp_store_get(r->txn, st->ops, opid, RP_OPID_LEN, &ov)) {
		r->last = seq;                  /* purged here: nothing to send */
		return 0;
	}
	if (!f->rescope && f->planned && s_rescopes(ov.mv_data, ov.mv_size))
		f->rescope = 1;
	if (!rp_scope_allows(&f->scope, st, r->txn, ov.mv_data, ov.mv_size, acct)) {
		char t[RP_ACCOUNT_TEXT + 1];
		rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
		if (json_object_set_new(f->withheld, t, json_true()))
			return RP_ENOMEM;
		r->last = seq;
		return 0;
	}
	if (rp_batch_add(r->b, ov.mv_data, ov.mv_size) != 0)
		return RP_STORE_STOP;           /* full: the rest goes in the next batch */
	r->last = seq;
	return 0;
}

static int s_note_withheld_run(rp_store *st, rp_txn *txn, void *arg)
{
	s_feed *f = arg;
	const char *key;
	json_t *val;
	json_object_foreach(f->withheld, key, val) {
		uint8_t k[RP_DEVICE_LEN + RP_ACCOUNT_LEN];
		int rc;
		memcpy(k, f->peer, RP_DEVICE_LEN);
		if (rp_b32_decode(key, k + RP_DEVICE_LEN, RP_ACCOUNT_LEN))
			continue;
		if ((rc = rp_store_mark(txn, st->skipped, k, sizeof k)))
			return rc;
	}
	return 0;
}

static int s_feed_read(void *ctx, uint64_t after, uint64_t own_head, rp_batch_builder *b,
                       uint64_t *last, int *any)
{
	s_feed *f = ctx;
	s_read r = { f, NULL, b, own_head, after, 0 };
	uint8_t from[8];
	int rc;
	if (!f->scoped)
		return RP_EINVAL;
	if ((rc = rp_store_begin(f->node->store, 0, &r.txn)))
		return rc;
	rp_be64_put(from, after + 1);
	rc = rp_store_scan(r.txn, f->node->store->arrival, from, sizeof from, s_read_one, &r);
	rp_store_end(r.txn);
	if (rc)
		return rc;
	/* Withheld accounts are written down before the cursor can pass them. */
	if (json_object_size(f->withheld)) {
		if ((rc = rp_store_run(f->node->store, s_note_withheld_run, f)))
			return rc;
		json_object_clear(f->withheld);
	}
	*last = r.last;
	*any = r.any;
	return 0;
}

/* ---- backfill --------------------------------------------------------------- */

typedef struct s_fill {
	s_feed           *f;
	rp_txn          *txn;
	const uint8_t    *acct;
	uint8_t          *key;
	rp_batch_builder *b;
	uint64_t          added;
	int               assigns_only, full;
} s_fill;

static int s_fill_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_fill *fl = arg;
	rp_val ov;
	(void)v;
	if (k->mv_size != RP_ACCT_KEY_LEN || memcmp(k->mv_data, fl->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;
	if (rp_store_get(fl->txn, fl->f->node->store->ops, (const uint8_t *)k->mv_data + RP_ACCOUNT_LEN + 8,
	                 RP_OPID_LEN, &ov))
		return 0;
	if (fl->assigns_only) {
		rp_op op;
		if (rp_op_decode(ov.mv_data, ov.mv_size, &op) || strcmp(op.kind, "acct.assign"))
			return 0;
	}
	if (rp_batch_add(fl->b, ov.mv_data, ov.mv_size) != 0) {
		memcpy(fl->key, k->mv_data, RP_ACCT_KEY_LEN);      /* resume here */
		fl->full = 1;
		return RP_STORE_STOP;
	}
	fl->added++;
	return 0;
}

static int s_backfill(void *ctx, const uint8_t acct[RP_ACCOUNT_LEN], uint8_t *key,
                      rp_batch_builder *b, uint64_t *added, int *assigns_only)
{
	s_feed *f = ctx;
	s_fill fl = { f, NULL, acct, key, b, 0, 0, 0 };
	int rc;
	if (!f->scoped)
		return RP_EINVAL;
	if ((rc = rp_store_begin(f->node->store, 0, &fl.txn)))
		return rc;
	fl.assigns_only = rp_scope_code(&f->scope, f->node->store, fl.txn, acct) == 2;
	rc = rp_store_scan(fl.txn, f->node->store->acct_ops, key, RP_ACCT_KEY_LEN, s_fill_one, &fl);
	rp_store_end(fl.txn);
	*added = fl.added;
	*assigns_only = fl.assigns_only;
	return rc ? rc : fl.full;
}

/* ---- in: batches, and the end of the sync ----------------------------------- */

static int s_commit(void *ctx, uint64_t cursor, rp_op *ops, int *rcs, const uint8_t **raw,
                    const size_t *rawlen, size_t n, rp_batch_tally *tally)
{
	s_feed *f = ctx;
	for (size_t i = 0; i < n && f->planned && !f->rescope; i++)
		if (rcs[i] == 0 && s_rescopes(raw[i], rawlen[i]))
			f->rescope = 1;
	return rp_commit_batch(f->node->store, f->peer, cursor, ops, rcs, raw, rawlen, n,
	                       rp_node_now(f->node), tally);
}

static int s_settle(void *ctx, uint64_t acked, const uint8_t *haves, size_t nhaves,
                    const uint8_t *expect, size_t nexpect, int keep,
                    rp_port_settled *out, char *why, size_t cap)
{
	s_feed *f = ctx;
	return rp_settle(f->node, f->peer, acked, f->scoped && f->scope.full && !keep, haves, nhaves,
	                 expect, nexpect, out, why, cap);
}

/* ---- the revocation notice and the notes -------------------------------------- */

/* A member.revoke op that names the peer's device among its cutoffs goes
 * into the notice batch. */
typedef struct s_notice {
	rp_batch_builder *b;
	const uint8_t    *peer;
} s_notice;

static int s_notice_op(void *arg, const rp_op *op, const rp_body *body, const rp_val *bytes)
{
	s_notice *nt = arg;
	const msgpack_object *cuts = rp_body_get(body, "cutoffs");
	(void)op;
	for (uint32_t i = 0; cuts && cuts->type == MSGPACK_OBJECT_ARRAY && i < cuts->via.array.size; i++) {
		const msgpack_object *o = &cuts->via.array.ptr[i];
		if (o->type == MSGPACK_OBJECT_BIN && o->via.bin.size == RP_OPID_LEN &&
		    !memcmp(o->via.bin.ptr, nt->peer, RP_DEVICE_LEN)) {
			rp_batch_add(nt->b, bytes->mv_data, bytes->mv_size);
			break;
		}
	}
	return 0;
}

static int s_revocations(void *ctx, rp_batch_builder *b)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	s_feed *f = ctx;
	s_notice nt = { b, f->peer };
	rp_txn *txn;
	int rc;
	if ((rc = rp_store_begin(f->node->store, 0, &txn)))
		return rc;
	rc = rp_ingest_each_op(f->node->store, txn, zero, "member.revoke", s_notice_op, &nt);
	rp_store_end(txn);
	return rc;
}

static int s_count_refusal(rp_store *st, rp_txn *txn, void *last)
{
	uint64_t n = 0;
	int rc = rp_meta_get_u64(st, txn, "peers_refused", &n);
	if (rc == 0 && (rc = rp_meta_put_u64(st, txn, "peers_refused", n + 1)) == 0)
		rc = rp_meta_put(st, txn, "peers_refused_last", last, strlen(last));
	return rc;
}

static void s_note_refusal(void *ctx, const char *why)
{
	s_feed *f = ctx;
	char last[RP_DEVICE_TEXT + 300];
	snprintf(last, sizeof last, "%s: %s", f->peer_text, why);
	rp_store_run(f->node->store, s_count_refusal, last);   /* a count for status: best effort */
}

typedef struct s_clock_note {
	char    key[6 + RP_DEVICE_TEXT + 1];
	int64_t ahead;        /* 0: within bounds, the note goes */
} s_clock_note;

static int s_note_clock_run(rp_store *st, rp_txn *txn, void *arg)
{
	const s_clock_note *c = arg;
	if (c->ahead)
		return rp_meta_put_u64(st, txn, c->key, (uint64_t)c->ahead);
	return rp_store_del(txn, st->meta, c->key, strlen(c->key));
}

static void s_note_clock(void *ctx, int64_t ahead)
{
	s_feed *f = ctx;
	s_clock_note c = { "clock:", ahead };
	memcpy(c.key + 6, f->peer_text, RP_DEVICE_TEXT + 1);
	rp_store_run(f->node->store, s_note_clock_run, &c);    /* a note for status: best effort */
}

static void s_close(void *ctx)
{
	s_feed *f = ctx;
	if (f->scoped)
		rp_scope_done(&f->scope);
	json_decref(f->withheld);
	free(f);
}

int rp_session_open(rp_node *n, const uint8_t peer[RP_DEVICE_LEN], int initiator, rp_session **out)
{
	s_feed *f = calloc(1, sizeof *f);
	rp_port port = {
		.ctx = f, .home = n->home,
		.info = s_info, .admit = s_admit, .replan = s_replan, .feed = s_feed_read,
		.backfill = s_backfill, .commit = s_commit, .notice = s_revocations,
		.note_refusal = s_note_refusal, .note_clock = s_note_clock, .settle = s_settle,
		.close = s_close,
	};
	int rc;
	if (!f)
		return RP_ENOMEM;
	f->node = n;
	memcpy(f->peer, peer, RP_DEVICE_LEN);
	rp_b32_encode(peer, RP_DEVICE_LEN, f->peer_text, sizeof f->peer_text);
	if ((rc = rp_session_new(&port, peer, initiator, out)))
		s_close(f);
	return rc;
}
