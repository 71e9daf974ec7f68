/* node/sync/session.c — the sync state machine (see session.h). It must never
 * trust the peer: every message is decoded strictly, every op verified and
 * checked against the roster before it is stored, and a misbehaving peer
 * fails its session, never the node. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "commit.h"
#include "../store/ingest.h"
#include "../../proto/body.h"
#include "../store/roster.h"
#include "../store/view.h"
#include "scope.h"
#include "purge.h"
#include "../store/pending.h"
#include "../../proto/error.h"
#include "../../proto/hlc.h"

#define S_CREDIT        8                          /* batches we accept in flight */
#define S_OUT_CAP       (RP_BATCH_MAX + 4096)

struct rp_session {
	rp_node *node;
	uint8_t  peer[RP_DEVICE_LEN];
	char     peer_text[RP_DEVICE_TEXT + 1];
	int      initiator, state;
	char     error[256];

	/* what we owe the peer */
	int      hello_sent, hello_received, error_queued;
	int32_t  error_code;
	uint32_t acks_due;          /* one ack per batch received, each with our cursor */

	/* our feed, going out */
	uint64_t send_from, peer_own_head, sent_last, acked, done_last;
	uint32_t credit;            /* the peer's grant */
	uint32_t credit_cap;        /* the driver's bound (0: none), see rp_session_limit */
	int      done_sent;
	uint32_t ninflight;         /* batches sent and not yet acknowledged */
	/* The least ack each batch in flight can get, oldest first: its last
	 * (a backfill batch's: the cursor it was sent at). An ack carries the
	 * receiver's cursor when it is written, so it may be ahead of its own
	 * batch, never behind it nor behind the ack before: a stale, repeated
	 * or unasked-for ack is a protocol error, so acks never buy credit. */
	uint64_t inflight[RP_CREDIT_MAX];
	uint32_t inflight_head;

	/* the peer's feed, coming in */
	uint64_t cursor;
	int      peer_done;
	uint64_t peer_done_last;

	/* scope: what the peer may see of our feed, and what we withheld */
	rp_scope scope;
	int      scoped;            /* scope initialised */
	json_t  *withheld;          /* account text → 1: to record in `skipped` */
	uint8_t *backfill;          /* accounts that entered the peer's scope */
	size_t   nbackfill, backfill_at;
	uint8_t  backfill_key[RP_ACCT_KEY_LEN];   /* resume point in acct_ops */
	int      backfill_started;
	uint64_t backfill_count;    /* ops sent so far of the account being backfilled */
	uint8_t (*haves)[RP_ACCOUNT_LEN + 8];   /* (account, ops) to announce after backfills */
	size_t   nhaves, haves_sent;
	/* what the peer announced it backfilled: checked when we complete */
	uint8_t (*expect)[RP_ACCOUNT_LEN + 8];
	size_t   nexpect;
	int      keep;              /* never purge after this session */
	int      replanned;         /* backfill looked at again after the peer's feed */
	int      self_full;         /* this device sees everything (admin, manager, hub) */
	/* Who the peer is: decided from its authenticated key and our roster,
	 * never from its hello. A stranger (a key no roster entry we hold
	 * names) may still give us its feed (a hub added since we last
	 * synced); we send it nothing until the roster it gave makes it a
	 * member, and refuse it at its done if it did not. */
	int      stranger;
	int      refused;           /* we refused the peer: not a member, revoked */
	char     wire_error[RP_MSG_TEXT_MAX + 1];  /* what the peer is told, when not s->error */
	/* A revoked peer is told so with the signed ops that revoked it, in one
	 * batch before the error, so that it can check them and wipe itself. */
	uint8_t *notice;
	size_t   notice_len;
	uint64_t peer_cursor;       /* from its hello: where a batch to it starts */
	char     team_name[RP_NAME_MAX + 1];

	rp_session_stats stats;
	uint64_t progress;          /* steps that moved the sync forward */
	uint8_t *out;               /* the message handed to the driver */
};

static int s_fail(rp_session *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int s_fail(rp_session *s, int code, const char *fmt, ...)
{
	va_list ap;
	if (s->state == RP_SESSION_FAILED)
		return code;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
	s->state = RP_SESSION_FAILED;
	s->error_queued = 1;
	s->error_code = code;
	return code;
}

/* Refuse the peer: fail the session, tell the peer why (in its own
 * words: "you are ..."), and count the refusal for `status`. */
static int s_count_refusal(rp_store *st, MDB_txn *txn, void *last)
{
	uint64_t n = 0;
	int rc = rp_meta_get_u64(st, txn, "peers_refused", &n);
	if (rc == 0 && (rc = rp_meta_put_u64(st, txn, "peers_refused", n + 1)) == 0)
		rc = rp_meta_put(st, txn, "peers_refused_last", last, strlen(last));
	return rc;
}

static int s_refuse(rp_session *s, int code, const char *local, const char *wire)
{
	char last[RP_DEVICE_TEXT + 300];
	s_fail(s, code, "%s", local);
	snprintf(s->wire_error, sizeof s->wire_error, "%s", wire);
	s->refused = 1;
	snprintf(last, sizeof last, "%s: %s", s->peer_text, local);
	rp_store_run(s->node->store, s_count_refusal, last);   /* a count for status: best effort */
	return code;
}

int rp_session_new(rp_node *n, const uint8_t peer[RP_DEVICE_LEN], int initiator, rp_session **out)
{
	rp_session *s = calloc(1, sizeof *s);
	MDB_txn *txn;
	int rc;
	if (!s || !(s->out = malloc(S_OUT_CAP))) {
		free(s);
		return RP_ENOMEM;
	}
	s->node = n;
	memcpy(s->peer, peer, RP_DEVICE_LEN);
	rp_b32_encode(peer, RP_DEVICE_LEN, s->peer_text, sizeof s->peer_text);
	s->initiator = initiator;
	s->state = RP_SESSION_HELLO;
	if ((rc = rp_store_begin(n->store, 0, &txn))) {
		free(s->out);
		free(s);
		return rc;
	}
	rp_store_get_u64(txn, n->store->cursors, peer, RP_DEVICE_LEN, &s->cursor);
	mdb_txn_abort(txn);
	s->stats.cursor = s->cursor;
	*out = s;
	return 0;
}

void rp_session_free(rp_session **s)
{
	if (!s || !*s)
		return;
	if ((*s)->scoped)
		rp_scope_done(&(*s)->scope);
	json_decref((*s)->withheld);
	free((*s)->notice);
	free((*s)->backfill);
	free((*s)->haves);
	free((*s)->expect);
	free((*s)->out);
	free(*s);
	*s = NULL;
}

int rp_session_refused(const rp_session *s)
{
	return s->refused;
}

int rp_session_stranger(const rp_session *s)
{
	return s->state == RP_SESSION_STREAM && s->stranger;
}

int rp_session_state(const rp_session *s)
{
	return s->state;
}

const char *rp_session_error(const rp_session *s)
{
	return s->error;
}

void rp_session_keep(rp_session *s, int keep)
{
	s->keep = keep;
}

void rp_session_stats_get(const rp_session *s, rp_session_stats *st)
{
	*st = s->stats;
}

uint64_t rp_session_progress(const rp_session *s)
{
	return s->progress;
}

void rp_session_limit(rp_session *s, uint32_t batches)
{
	s->credit_cap = batches;
}

/* ---- a batch in ------------------------------------------------------------ */

static int s_ingest_batch(rp_session *s, const rp_msg *m, rp_op *ops, int *rcs,
                          const uint8_t **raw, size_t *rawlen, size_t n)
{
	rp_batch_tally t;
	int rc = rp_commit_batch(s->node->store, s->peer, m->last, ops, rcs, raw, rawlen, n,
	                         rp_node_now(s->node), &t);
	if (rc)
		return rc;
	s->stats.received += t.received;
	s->stats.duplicates += t.duplicates;
	s->stats.refused += t.refused;
	s->stats.pending += t.held;
	s->stats.pending -= s->stats.pending < t.released ? s->stats.pending : t.released;
	s->cursor = m->last;
	s->stats.cursor = m->last;
	return 0;
}

static int s_stranger_check(rp_session *s);

static int s_batch(rp_session *s, const rp_msg *m)
{
	rp_op *ops = NULL;
	int *rcs = NULL;
	const uint8_t **raw = NULL;
	size_t *rawlen = NULL, pos = 0, n = 0, len;
	const uint8_t *p;
	int rc;

	if (s->state != RP_SESSION_STREAM)
		return s_fail(s, RP_EFORMAT, "batch before hello");
	/* What a batch claims must be possible: a range holds at most one op
	 * per feed position, and no feed runs past RP_SEQ_MAX. */
	if (m->last > RP_SEQ_MAX || (m->first < m->last && m->last - m->first < m->nops))
		return s_fail(s, RP_EFORMAT, "impossible batch: %u ops in feed positions %llu..%llu",
		              m->nops, (unsigned long long)m->first, (unsigned long long)m->last);
	if (m->first < m->last && m->last <= s->cursor)     /* a batch we already hold: nothing to do */
		return 0;      /* (an ack would be one too many: the sender counts them) */
	if (m->first != s->cursor)   /* a backfill (first == last) comes at our cursor too */
		return s_fail(s, RP_EFORMAT, "batch out of order: it starts after %llu, we hold up to %llu",
		              (unsigned long long)m->first, (unsigned long long)s->cursor);
	if (s->peer_done)
		return s_fail(s, RP_EFORMAT, "batch after done");
	ops = calloc(m->nops + 1, sizeof *ops);
	rcs = calloc(m->nops + 1, sizeof *rcs);
	raw = calloc(m->nops + 1, sizeof *raw);
	rawlen = calloc(m->nops + 1, sizeof *rawlen);
	if (!ops || !rcs || !raw || !rawlen) {
		rc = s_fail(s, RP_ENOMEM, "out of memory");
		goto out;
	}
	while (n < m->nops && rp_msg_batch_next(m, &pos, &p, &len) == 1) {
		raw[n] = p;
		rawlen[n] = len;
		rcs[n] = rp_op_decode(p, len, &ops[n]);
		n++;
	}
	if ((rc = s_ingest_batch(s, m, ops, rcs, raw, rawlen, n)) != 0) {
		rc = rc == RP_ENOSPC
		   ? s_fail(s, rc, "the disk holding %s is full: the batch was not stored (free some space; "
		            "the next sync resumes here)", s->node->home)
		   : rc == RP_ELIMIT
		   ? s_fail(s, rc, "the table of ops waiting for their author or account is full (for ops "
		            "from this device, or in all): the batch was not taken; the next sync asks for it again")
		   : s_fail(s, rc, "cannot store the batch: %s", rp_strerror(rc));
	} else {
		s->acks_due++;
		s->progress++;
	}
	if (rc == 0 && s->stranger)
		rc = s_stranger_check(s);
out:
	free(ops);
	free(rcs);
	free(raw);
	free(rawlen);
	return rc;
}

/* ---- scope: withheld accounts and backfill ------------------------------------ */

static int s_note_withheld_run(rp_store *st, MDB_txn *txn, void *arg)
{
	rp_session *s = arg;
	const char *key;
	json_t *val;
	json_object_foreach(s->withheld, key, val) {
		uint8_t k[RP_DEVICE_LEN + RP_ACCOUNT_LEN];
		int rc;
		memcpy(k, s->peer, RP_DEVICE_LEN);
		if (rp_b32_decode(key, k + RP_DEVICE_LEN, RP_ACCOUNT_LEN))
			continue;
		if ((rc = rp_store_mark(txn, st->skipped, k, sizeof k)))
			return rc;
	}
	return 0;
}

static int s_note_withheld(rp_session *s)
{
	int rc = rp_store_run(s->node->store, s_note_withheld_run, s);
	if (rc == 0)
		json_object_clear(s->withheld);
	return rc;
}

/* Accounts withheld from the peer before that are in its scope now. */
static int s_plan_backfill(rp_session *s, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k = { RP_DEVICE_LEN, s->peer }, v;
	size_t cap = 0;
	int rc;
	if ((rc = mdb_cursor_open(txn, s->node->store->skipped, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *acct = (uint8_t *)k.mv_data + RP_DEVICE_LEN;
		if (k.mv_size != RP_DEVICE_LEN + RP_ACCOUNT_LEN || memcmp(k.mv_data, s->peer, RP_DEVICE_LEN))
			break;
		/* In scope now, or its handovers are (the member owned it): either
		 * way ops were withheld that must be sent. */
		if (rp_scope_code(&s->scope, s->node->store, txn, acct) == 0)
			continue;
		if (s->nbackfill == cap) {
			void *p = realloc(s->backfill, (cap = cap ? cap * 2 : 16) * RP_ACCOUNT_LEN);
			if (!p) {
				mdb_cursor_close(c);
				return RP_ENOMEM;
			}
			s->backfill = p;
		}
		memcpy(s->backfill + s->nbackfill++ * RP_ACCOUNT_LEN, acct, RP_ACCOUNT_LEN);
	}
	mdb_cursor_close(c);
	return 0;
}

/* Look again, with views brought up to date, for accounts that entered the
 * peer's scope during this session; add those not backfilled yet. */
static int s_replan(rp_session *s)
{
	size_t before = s->nbackfill;
	uint8_t *had = NULL;
	MDB_txn *txn;
	int rc;
	s->replanned = 1;
	if ((rc = rp_view_refresh_stale(s->node->store, NULL)))
		return rc;
	json_object_clear(s->scope.accounts);
	if (before && !(had = malloc(before * RP_ACCOUNT_LEN)))
		return RP_ENOMEM;
	if (before)
		memcpy(had, s->backfill, before * RP_ACCOUNT_LEN);
	s->nbackfill = 0;
	if ((rc = rp_store_begin(s->node->store, 0, &txn)) == 0) {
		rc = s_plan_backfill(s, txn);
		mdb_txn_abort(txn);
	}
	/* Keep the ones already sent in front; queue only the new ones after. */
	if (rc == 0) {
		size_t n = s->nbackfill, k = 0;
		uint8_t *fresh = n ? malloc(n * RP_ACCOUNT_LEN) : NULL;
		if (n && !fresh)
			rc = RP_ENOMEM;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			int seen = 0;
			for (size_t j = 0; j < before && !seen; j++)
				seen = !memcmp(had + j * RP_ACCOUNT_LEN, s->backfill + i * RP_ACCOUNT_LEN, RP_ACCOUNT_LEN);
			if (!seen)
				memcpy(fresh + k++ * RP_ACCOUNT_LEN, s->backfill + i * RP_ACCOUNT_LEN, RP_ACCOUNT_LEN);
		}
		if (rc == 0) {
			void *p = realloc(s->backfill, (before + k + 1) * RP_ACCOUNT_LEN);
			if (!p)
				rc = RP_ENOMEM;
			else {
				s->backfill = p;
				if (before)
					memcpy(s->backfill, had, before * RP_ACCOUNT_LEN);
				if (k)
					memcpy(s->backfill + before * RP_ACCOUNT_LEN, fresh, k * RP_ACCOUNT_LEN);
				s->nbackfill = before + k;
				s->backfill_at = before;
				s->backfill_started = 0;
			}
		}
		free(fresh);
	}
	free(had);
	return rc;
}

/* The peer acknowledged every backfill: the accounts sent whole are no
 * longer withheld. (Those of which only the handovers went stay recorded:
 * should one come back into the peer's scope, all of it must follow.) */
static int s_backfill_done_run(rp_store *st, MDB_txn *txn, void *arg)
{
	rp_session *s = arg;
	for (size_t i = 0; i < s->nhaves; i++) {
		uint8_t k[RP_DEVICE_LEN + RP_ACCOUNT_LEN];
		MDB_val mk = { sizeof k, k };
		int rc;
		memcpy(k, s->peer, RP_DEVICE_LEN);
		memcpy(k + RP_DEVICE_LEN, s->haves[i], RP_ACCOUNT_LEN);
		if ((rc = mdb_del(txn, st->skipped, &mk, NULL)) && rc != MDB_NOTFOUND)
			return rc;
	}
	return 0;
}

static int s_backfill_done(rp_session *s)
{
	return s->nhaves ? rp_store_run(s->node->store, s_backfill_done_run, s) : 0;
}

/* Did each account the peer backfilled arrive whole? At least as many of
 * its ops must be here as the peer sent. */
static void s_check_backfilled(rp_session *s)
{
	MDB_txn *txn;
	MDB_cursor *c;
	if (!s->nexpect || rp_store_begin(s->node->store, 0, &txn))
		return;
	if (mdb_cursor_open(txn, s->node->store->acct_ops, &c) == 0) {
		for (size_t i = 0; i < s->nexpect; i++) {
			uint64_t want = rp_be64_get(s->expect[i] + RP_ACCOUNT_LEN), have = 0;
			MDB_val k = { RP_ACCOUNT_LEN, s->expect[i] }, v;
			for (int r = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); r == 0 && k.mv_size == RP_ACCT_KEY_LEN &&
			     !memcmp(k.mv_data, s->expect[i], RP_ACCOUNT_LEN); r = mdb_cursor_get(c, &k, &v, MDB_NEXT))
				have++;
			if (have >= want)
				s->stats.whole++;
			else
				s->stats.incomplete++;
		}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
}

/* ---- the machine ---------------------------------------------------------- */

/* Both feeds exchanged and acknowledged: bring the views up to date. */
static void s_check_complete(rp_session *s)
{
	int rc;
	if (s->state != RP_SESSION_STREAM || !s->hello_sent || !s->done_sent || s->ninflight ||
	    s->acked < s->done_last || !s->peer_done || s->cursor < s->peer_done_last || s->acks_due)
		return;
	if ((rc = rp_view_refresh_stale(s->node->store, &s->stats.accounts))) {
		if (rc == RP_ENOSPC)
			s_fail(s, rc, "the disk holding %s is full: the ops arrived, their views are rebuilt "
			       "once there is room", s->node->home);
		else
			s_fail(s, rc, "cannot rebuild views: %s", rp_strerror(rc));
		return;
	}
	s_check_backfilled(s);
	if ((rc = s_backfill_done(s))) {
		s_fail(s, rc, "cannot record the backfill: %s", rp_strerror(rc));
		return;
	}
	/* The peer sees everything and holds all we had: what is no longer ours
	 * can go (rp_purge keeps the assigns and leaves a receipt). */
	if (s->scope.full && !s->keep && (rc = rp_purge_lost(s->node, &s->stats.purged))) {
		s_fail(s, rc, "cannot purge handed-over accounts: %s", rp_strerror(rc));
		return;
	}
	s->state = RP_SESSION_COMPLETE;
}

/* Place the peer by its key in our roster: 0 admitted (its scope is set
 * and the backfill planned), 1 a stranger (nothing may be sent to it), or
 * RP_EREVOKED / RP_ENOTMEMBER (refuse it) or another RP_E* (fail). */
static int s_admit(rp_session *s)
{
	MDB_txn *txn;
	char role[RP_ROLE_MAX + 1] = "";
	int rc;
	if (s->scoped) {
		rp_scope_done(&s->scope);
		s->scoped = 0;
	}
	if ((rc = rp_store_begin(s->node->store, 0, &txn)))
		return rc;
	s->self_full = rp_roster_device(s->node->store, txn, s->node->key.pk, NULL, role) == 0 &&
	               strcmp(role, "rep") != 0;
	rc = rp_scope_init(&s->scope, s->node->store, txn, s->peer);
	if (rc == 0) {
		s->scoped = 1;
		if (!s->withheld && !(s->withheld = json_object()))
			rc = RP_ENOMEM;
		if (rc == 0) {
			s->nbackfill = s->backfill_at = 0;
			s->backfill_started = 0;
			rc = s_plan_backfill(s, txn);
		}
	}
	mdb_txn_abort(txn);
	if (rc == RP_ENOTMEMBER && !s->refused)
		return 1;
	return rc;
}

static int s_refuse_stranger(rp_session *s)
{
	char local[RP_NAME_MAX + 100], wire[100];
	snprintf(local, sizeof local, "that device is not a member of %s", s->team_name);
	/* The stranger learns nothing, not even the team's name. */
	snprintf(wire, sizeof wire, "you are not a member of this node's team");
	return s_refuse(s, RP_ENOTMEMBER, local, wire);
}

/* A member.revoke op that names the peer's device among its cutoffs goes
 * into the notice batch. */
typedef struct s_notice {
	rp_batch_builder *b;
	const uint8_t    *peer;
} s_notice;

static int s_notice_op(void *arg, const rp_op *op, const rp_body *body, const MDB_val *bytes)
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

/* The member.revoke ops that name the peer's device among their cutoffs,
 * as one batch at its cursor (first == last): verifiable by the peer with
 * the roster it holds, and nothing else of the team. */
static void s_revocation_notice(rp_session *s)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	rp_batch_builder b;
	const uint8_t *start;
	MDB_txn *txn;
	uint8_t *buf = malloc(S_OUT_CAP);
	s_notice nt = { &b, s->peer };
	if (!buf || rp_store_begin(s->node->store, 0, &txn)) {
		free(buf);
		return;
	}
	rp_batch_begin(&b, buf, S_OUT_CAP);
	rp_ingest_each_op(s->node->store, txn, zero, "member.revoke", s_notice_op, &nt);
	mdb_txn_abort(txn);
	if (b.nops && rp_batch_finish(&b, s->peer_cursor, s->peer_cursor, &start, &s->notice_len) == 0) {
		memmove(buf, start, s->notice_len);
		s->notice = buf;
		return;
	}
	s->notice_len = 0;
	free(buf);
}

static int s_refuse_revoked(rp_session *s)
{
	char local[RP_NAME_MAX + 100], wire[RP_NAME_MAX + 100];
	s_revocation_notice(s);
	snprintf(local, sizeof local, "that device was revoked from %s", s->team_name);
	snprintf(wire, sizeof wire, "this device was revoked from %s", s->team_name);
	return s_refuse(s, RP_EREVOKED, local, wire);
}

/* The peer's wall clock against ours: told on both sides when they differ
 * by more than the skew limit (the sync line, and `status` until a sync
 * finds them in step again). */
typedef struct s_clock_note {
	char    key[6 + RP_DEVICE_TEXT + 1];
	int64_t ahead;        /* 0: within bounds, the note goes */
} s_clock_note;

static int s_note_clock_run(rp_store *st, MDB_txn *txn, void *arg)
{
	const s_clock_note *c = arg;
	MDB_val k = { strlen(c->key), (void *)c->key };
	int rc;
	if (c->ahead)
		return rp_meta_put_u64(st, txn, c->key, (uint64_t)c->ahead);
	rc = mdb_del(txn, st->meta, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static void s_note_clock(rp_session *s, uint64_t peer_wall)
{
	/* Both within 48 bits (the HLC's range), so the difference cannot
	 * overflow whatever the peer claims. */
	uint64_t ours = rp_node_now(s->node), theirs = peer_wall;
	int64_t ahead;
	if (ours > RP_HLC_MS_MAX)
		ours = RP_HLC_MS_MAX;
	if (theirs > RP_HLC_MS_MAX)
		theirs = RP_HLC_MS_MAX;
	ahead = peer_wall ? (int64_t)ours - (int64_t)theirs : 0;
	s_clock_note c = { "clock:", 0 };
	s->stats.clock_ahead_ms = ahead;
	memcpy(c.key + 6, s->peer_text, RP_DEVICE_TEXT + 1);
	if (ahead > (int64_t)RP_SKEW_MAX_MS || ahead < -(int64_t)RP_SKEW_MAX_MS)
		c.ahead = ahead;
	rp_store_run(s->node->store, s_note_clock_run, &c);    /* a note for status: best effort */
}

static int s_hello(rp_session *s, const rp_msg *m)
{
	static const uint8_t zero[RP_TEAM_LEN];
	uint8_t team[RP_TEAM_LEN];
	MDB_txn *txn;
	MDB_val v;
	uint64_t head;
	int ours, rc;

	if (s->hello_received)
		return s_fail(s, RP_EFORMAT, "second hello");
	if (memcmp(m->device, s->peer, RP_DEVICE_LEN) != 0)
		return s_fail(s, RP_EDENIED, "the peer's hello names another device than its key");
	if (rp_store_begin(s->node->store, 0, &txn))
		return s_fail(s, RP_EIO, "cannot read the store");
	ours = rp_meta_get(s->node->store, txn, "team", &v) == 0 && v.mv_size == RP_TEAM_LEN;
	if (ours)
		memcpy(team, v.mv_data, RP_TEAM_LEN);
	if (rp_meta_get(s->node->store, txn, "team_name", &v) == 0 && v.mv_size <= RP_NAME_MAX)
		snprintf(s->team_name, sizeof s->team_name, "%.*s", (int)v.mv_size, (char *)v.mv_data);
	else
		snprintf(s->team_name, sizeof s->team_name, "%s", ours ? "this team" : "any team here");
	rp_meta_get_u64(s->node->store, txn, "arrival_next", &head);
	mdb_txn_abort(txn);
	s->hello_received = 1;
	s->peer_cursor = m->cursor < head ? m->cursor : head;
	s_note_clock(s, m->wall_ms);
	if (!ours && !memcmp(m->team, zero, RP_TEAM_LEN))
		return s_fail(s, RP_ENOTEAM, "neither side is in a team yet");
	if (ours && memcmp(m->team, zero, RP_TEAM_LEN) && memcmp(m->team, team, RP_TEAM_LEN)) {
		char local[RP_NAME_MAX + 100], wire[RP_NAME_MAX + 100];
		snprintf(local, sizeof local, "that device belongs to another team than %s", s->team_name);
		snprintf(wire, sizeof wire, "you belong to another team than this node's");
		return s_refuse(s, RP_ENOTMEMBER, local, wire);
	}
	/* Nothing the hello claims counts here: only the key and our roster. */
	rc = s_admit(s);
	if (rc == RP_EREVOKED)
		return s_refuse_revoked(s);
	if (rc == 1 && ours && !memcmp(m->team, zero, RP_TEAM_LEN))
		return s_refuse_stranger(s);    /* joining, and unknown: nothing to take or give */
	if (rc < 0)
		return s_fail(s, rc, "cannot work out the peer's scope: %s", rp_strerror(rc));
	s->stranger = rc == 1;
	if (s->stranger && m->feed_head <= s->cursor)
		return s_refuse_stranger(s);    /* it has nothing that could make it a member */
	s->send_from = m->cursor < head ? m->cursor : head;   /* a peer may claim more than we have */
	s->sent_last = s->send_from;
	s->acked = s->send_from;
	s->peer_own_head = m->own_head;
	s->credit = m->credit;
	s->stats.peer_head = m->feed_head;
	s->state = RP_SESSION_STREAM;
	s->progress++;
	return 0;
}

/* A stranger gave us more of its feed: did the roster in it make the peer a
 * member? Admitted, we start streaming in its scope. Still a stranger at
 * its done, or once we hold all of the feed it said it had (it may wait
 * for our done before sending its own), it is refused. */
static int s_stranger_check(rp_session *s)
{
	int rc = s_admit(s);
	if (rc == 0) {
		s->stranger = 0;
		return 0;
	}
	if (rc == RP_EREVOKED)
		return s_refuse_revoked(s);
	if (rc < 0)
		return s_fail(s, rc, "cannot work out the peer's scope: %s", rp_strerror(rc));
	if (s->peer_done || s->cursor >= s->stats.peer_head)
		return s_refuse_stranger(s);
	return 0;
}

int rp_session_input(rp_session *s, const uint8_t *buf, size_t len)
{
	rp_msg m;
	int rc;

	if (s->state == RP_SESSION_FAILED)
		return RP_EINVAL;
	if ((rc = rp_msg_decode(buf, len, &m)))
		return s_fail(s, rc, rc == RP_EVERSION ? "the peer speaks another sync protocol version: run the same rapport on both"
		                                       : "malformed message from the peer (%s)", rp_strerror(rc));
	if (m.type != RP_MSG_HELLO && m.type != RP_MSG_ERROR && !s->hello_received)
		return s_fail(s, RP_EFORMAT, "the peer did not start with hello");
	switch (m.type) {
	case RP_MSG_HELLO:
		if (s->initiator && !s->hello_sent)
			return s_fail(s, RP_EFORMAT, "hello before ours");
		rc = s_hello(s, &m);
		break;
	case RP_MSG_BATCH:
		rc = s_batch(s, &m);
		break;
	case RP_MSG_ACK:
		if (m.last > s->sent_last)
			return s_fail(s, RP_EFORMAT, "ack for data never sent");
		/* One ack per batch, in order: the oldest batch in flight is done. */
		if (!s->ninflight)
			return s_fail(s, RP_EFORMAT, "ack with no batch in flight");
		if (m.last < s->inflight[s->inflight_head] || m.last < s->acked)
			return s_fail(s, RP_EFORMAT, "stale ack of %llu: the batch in flight ends at %llu",
			              (unsigned long long)m.last,
			              (unsigned long long)s->inflight[s->inflight_head]);
		s->inflight_head = (s->inflight_head + 1) % RP_CREDIT_MAX;
		s->ninflight--;
		s->acked = m.last;
		s->progress++;
		rc = 0;
		break;
	case RP_MSG_DONE:
		if (s->peer_done)
			return s_fail(s, RP_EFORMAT, "second done");
		if (m.last != s->cursor)
			return s_fail(s, RP_EFORMAT, "the peer finished at %llu but sent up to %llu",
			              (unsigned long long)m.last, (unsigned long long)s->cursor);
		s->peer_done = 1;
		s->peer_done_last = m.last;
		s->progress++;
		rc = s->stranger ? s_stranger_check(s) : 0;
		break;
	case RP_MSG_HAVE: {
		void *p;
		if (s->nexpect >= 1000000)
			return s_fail(s, RP_ELIMIT, "too many backfill announcements");
		if (!(p = realloc(s->expect, (s->nexpect + 1) * sizeof *s->expect)))
			return s_fail(s, RP_ENOMEM, "out of memory");
		s->expect = p;
		memcpy(s->expect[s->nexpect], m.account, RP_ACCOUNT_LEN);
		rp_be64_put(s->expect[s->nexpect] + RP_ACCOUNT_LEN, m.count);
		s->nexpect++;
		rc = 0;
		break;
	}
	case RP_MSG_ERROR:
		snprintf(s->error, sizeof s->error, "the peer refused: %s", m.text);
		s->state = RP_SESSION_FAILED;
		return m.code < 0 && m.code >= RP_ELAST ? m.code : RP_EINVAL;
	default:
		return s_fail(s, RP_EFORMAT, "unknown message");
	}
	if (rc == 0)
		s_check_complete(s);
	/* completing may fail (a full disk): the driver must hear of it */
	return rc == 0 && s->state == RP_SESSION_FAILED ? (s->error_code < 0 ? s->error_code : RP_EIO) : rc;
}

static int s_next_backfill(rp_session *s, const uint8_t **msg, size_t *len);

/* The next batch of our feed after sent_last, or done when there is none. */
static int s_next_batch(rp_session *s, const uint8_t **msg, size_t *len)
{
	rp_store *st = s->node->store;
	rp_batch_builder b;
	MDB_txn *txn;
	MDB_cursor *c;
	uint8_t key[8], acct[RP_ACCOUNT_LEN];
	MDB_val k = { 8, key }, v;
	uint64_t last = s->sent_last;
	int rc, any = 0;

	if ((rc = rp_store_begin(st, 0, &txn)))
		return rc;
	if ((rc = mdb_cursor_open(txn, st->arrival, &c))) {
		mdb_txn_abort(txn);
		return rp_store_err(rc);
	}
	rp_batch_begin(&b, s->out, S_OUT_CAP);
	rp_be64_put(key, s->sent_last + 1);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *opid = v.mv_data;
		MDB_val ok = { RP_OPID_LEN, (void *)opid }, ov;
		uint64_t seq;
		if (k.mv_size != 8 || v.mv_size < RP_OPID_LEN)
			continue;
		seq = rp_be64_get(k.mv_data);
		any = 1;
		/* Nothing goes back where it came from, nor the peer's own ops it
		 * told us it holds. */
		if ((v.mv_size == RP_OPID_LEN + RP_DEVICE_LEN &&
		     !memcmp((const uint8_t *)v.mv_data + RP_OPID_LEN, s->peer, RP_DEVICE_LEN)) ||
		    (!memcmp(opid, s->peer, RP_DEVICE_LEN) && rp_opid_seq(opid) <= s->peer_own_head)) {
			last = seq;
			continue;
		}
		if (mdb_get(txn, st->ops, &ok, &ov)) {
			last = seq;                 /* purged here: nothing to send */
			continue;
		}
		if (!rp_scope_allows(&s->scope, st, txn, ov.mv_data, ov.mv_size, acct)) {
			char t[RP_ACCOUNT_TEXT + 1];
			rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
			json_object_set_new(s->withheld, t, json_true());
			last = seq;
			continue;
		}
		if (rp_batch_add(&b, ov.mv_data, ov.mv_size) != 0)
			break;                      /* full: the rest goes in the next batch */
		last = seq;
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (!any || last == s->sent_last) {
		if (any && b.nops == 0 && last == s->sent_last)
			return RP_EIO;              /* one op larger than a batch: cannot happen within limits */
		/* A rep's sync may bring what changes its scope: a handover it wrote,
		 * a purge receipt. The serving side holds its done until it has the
		 * rep's whole feed, then looks again for accounts to backfill. (A
		 * full-scope side waits for a rep; between two reps the server does:
		 * never both, so never a deadlock.) */
		if (!s->scope.full && !s->replanned && (s->self_full || !s->initiator)) {
			if (!s->peer_done)
				return 0;
			if ((rc = s_replan(s)))
				return rc;
			if (s->backfill_at < s->nbackfill)
				return s_next_backfill(s, msg, len);
		}
		s->done_sent = 1;
		s->done_last = s->sent_last;
		if ((rc = rp_msg_done(s->out, S_OUT_CAP, len, s->sent_last)))
			return rc;
		*msg = s->out;
		return 1;
	}
	/* Withheld accounts are written down before the cursor can pass them. */
	if (json_object_size(s->withheld) && (rc = s_note_withheld(s)))
		return rc;
	s->stats.sent += b.nops;
	if ((rc = rp_batch_finish(&b, s->sent_last, last, msg, len)))
		return rc;
	s->sent_last = last;
	s->inflight[(s->inflight_head + s->ninflight) % RP_CREDIT_MAX] = last;
	s->ninflight++;
	return 1;
}

/* The next backfill batch: whole histories of accounts that entered the
 * peer's scope, before any of the feed. Returns 1 with a batch, 0 when the
 * backfill is over. */
static int s_next_backfill(rp_session *s, const uint8_t **msg, size_t *len)
{
	rp_store *st = s->node->store;
	rp_batch_builder b;
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, full = 0;

	if (s->backfill_at >= s->nbackfill)
		return 0;
	if ((rc = rp_store_begin(st, 0, &txn)))
		return rc;
	if ((rc = mdb_cursor_open(txn, st->acct_ops, &c))) {
		mdb_txn_abort(txn);
		return rp_store_err(rc);
	}
	rp_batch_begin(&b, s->out, S_OUT_CAP);
	while (!full && s->backfill_at < s->nbackfill) {
		const uint8_t *acct = s->backfill + s->backfill_at * RP_ACCOUNT_LEN;
		int only_assigns = rp_scope_code(&s->scope, st, txn, acct) == 2;
		if (!s->backfill_started) {
			memset(s->backfill_key, 0, sizeof s->backfill_key);
			memcpy(s->backfill_key, acct, RP_ACCOUNT_LEN);
			s->backfill_started = 1;
		}
		k = (MDB_val){ sizeof s->backfill_key, s->backfill_key };
		for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			MDB_val ok, ov;
			if (k.mv_size != RP_ACCT_KEY_LEN || memcmp(k.mv_data, acct, RP_ACCOUNT_LEN))
				break;
			ok = (MDB_val){ RP_OPID_LEN, (uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8 };
			if (mdb_get(txn, st->ops, &ok, &ov))
				continue;
			if (only_assigns) {
				rp_op op;
				if (rp_op_decode(ov.mv_data, ov.mv_size, &op) || strcmp(op.kind, "acct.assign"))
					continue;
			}
			if (rp_batch_add(&b, ov.mv_data, ov.mv_size) != 0) {
				memcpy(s->backfill_key, k.mv_data, RP_ACCT_KEY_LEN);   /* resume here */
				full = 1;
				break;
			}
			s->backfill_count++;
		}
		if (!full && only_assigns) {
			s->backfill_count = 0;     /* its handovers only: nothing to check whole */
			s->backfill_at++;
			s->backfill_started = 0;
		} else if (!full) {
			/* Whole: announce how many ops, once this batch has gone. */
			void *p = realloc(s->haves, (s->nhaves + 1) * sizeof *s->haves);
			if (!p) {
				rc = RP_ENOMEM;
				break;
			}
			s->haves = p;
			memcpy(s->haves[s->nhaves], acct, RP_ACCOUNT_LEN);
			rp_be64_put(s->haves[s->nhaves] + RP_ACCOUNT_LEN, s->backfill_count);
			s->nhaves++;
			s->backfill_count = 0;
			s->backfill_at++;
			s->backfill_started = 0;
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	if (rc == RP_ENOMEM)
		return rc;
	if (b.nops == 0)
		return 0;
	s->stats.sent += b.nops;
	if ((rc = rp_batch_finish(&b, s->sent_last, s->sent_last, msg, len)))
		return rc;
	s->inflight[(s->inflight_head + s->ninflight) % RP_CREDIT_MAX] = s->sent_last;
	s->ninflight++;
	return 1;
}

static int s_hello_msg(rp_session *s, const uint8_t **msg, size_t *len)
{
	uint8_t team[RP_TEAM_LEN] = { 0 };
	uint64_t own_head, head;
	MDB_txn *txn;
	MDB_val v;
	int rc;
	if ((rc = rp_store_begin(s->node->store, 0, &txn)))
		return rc;
	if (rp_meta_get(s->node->store, txn, "team", &v) == 0 && v.mv_size == RP_TEAM_LEN)
		memcpy(team, v.mv_data, RP_TEAM_LEN);
	rp_store_get_u64(txn, s->node->store->heads, s->peer, RP_DEVICE_LEN, &own_head);
	rp_meta_get_u64(s->node->store, txn, "arrival_next", &head);
	mdb_txn_abort(txn);
	if ((rc = rp_msg_hello(s->out, S_OUT_CAP, len, team, s->node->key.pk, s->cursor, own_head,
	                       S_CREDIT, head, rp_node_now(s->node))))
		return rc;
	s->hello_sent = 1;
	*msg = s->out;
	return 1;
}

int rp_session_output(rp_session *s, const uint8_t **msg, size_t *len)
{
	int rc;
	if (s->notice_len) {
		/* our hello, the revocation notice, then the error */
		if (!s->hello_sent)
			return s_hello_msg(s, msg, len);
		memcpy(s->out, s->notice, s->notice_len);
		*msg = s->out;
		*len = s->notice_len;
		s->notice_len = 0;
		return 1;
	}
	if (s->error_queued) {
		char text[RP_MSG_TEXT_MAX + 1];
		size_t n = 0;
		s->error_queued = 0;
		/* The wire takes short, printable UTF-8: whole characters only. */
		for (const unsigned char *p = (const unsigned char *)(s->wire_error[0] ? s->wire_error : s->error); *p; ) {
			size_t cl = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
			if (n + cl > RP_MSG_TEXT_MAX || strnlen((const char *)p, cl) < cl)
				break;
			for (size_t i = 0; i < cl; i++)
				text[n++] = cl == 1 && (p[i] < 0x20 || p[i] == 0x7f) ? ' ' : (char)p[i];
			p += cl;
		}
		text[n] = 0;
		if (rp_msg_error(s->out, S_OUT_CAP, len, s->error_code < 0 ? s->error_code : RP_EINVAL, text))
			return 0;
		*msg = s->out;
		return 1;
	}
	if (s->state == RP_SESSION_FAILED || s->state == RP_SESSION_COMPLETE)
		return 0;
	if (!s->hello_sent && (s->initiator || s->hello_received))
		return s_hello_msg(s, msg, len);
	if (s->acks_due) {
		rc = rp_msg_ack(s->out, S_OUT_CAP, len, s->cursor);
		s->acks_due--;
		if (rc)
			return rc;
		*msg = s->out;
		s_check_complete(s);
		return 1;
	}
	if (s->state != RP_SESSION_STREAM || s->stranger || !s->scoped || s->done_sent ||
	    s->ninflight >= s->credit || (s->credit_cap && s->ninflight >= s->credit_cap))
		return 0;
	if (s->haves_sent < s->nhaves) {
		const uint8_t *h = s->haves[s->haves_sent++];
		if ((rc = rp_msg_have(s->out, S_OUT_CAP, len, h, rp_be64_get(h + RP_ACCOUNT_LEN))))
			return rc;
		*msg = s->out;
		return 1;
	}
	if ((rc = s_next_backfill(s, msg, len)) != 0)
		return rc;
	rc = s_next_batch(s, msg, len);
	if (rc == 1)
		s_check_complete(s);
	return rc;
}

