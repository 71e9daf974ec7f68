/* node/store/delivery.c — how far peers hold our feed, and the handovers
 * still queued here (delivery.h). */
#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "roster.h"
#include "../../proto/error.h"
#include "../../proto/limits.h"
#include "../../proto/id.h"

#define S_TO_MAX (RP_ACCOUNT_LEN + RP_NAME_MAX)

int rp_delivery_note(rp_store *st, MDB_txn *txn, const uint8_t peer[RP_DEVICE_LEN], uint64_t pos)
{
	uint64_t held = 0;
	rp_store_get_u64(txn, st->delivered, peer, RP_DEVICE_LEN, &held);
	return pos > held ? rp_store_err(rp_store_put_u64(txn, st->delivered, peer, RP_DEVICE_LEN, pos)) : 0;
}

uint64_t rp_delivery_held(rp_store *st, MDB_txn *txn, const uint8_t peer[RP_DEVICE_LEN])
{
	uint64_t held = 0;
	rp_store_get_u64(txn, st->delivered, peer, RP_DEVICE_LEN, &held);
	return held;
}

int rp_delivery_arrived(rp_store *st, MDB_txn *txn, uint64_t arrival, const rp_op *op,
                        const rp_body *body)
{
	uint8_t key[8], val[S_TO_MAX];
	const char *to;
	size_t n;
	if (strcmp(op->kind, "acct.assign") || !op->body || rp_body_str(body, "to", &to, &n) ||
	    n == 0 || n > RP_NAME_MAX)
		return 0;
	rp_be64_put(key, arrival);
	memcpy(val, op->account, RP_ACCOUNT_LEN);
	memcpy(val + RP_ACCOUNT_LEN, to, n);
	return rp_store_append(txn, st->handovers, key, sizeof key, val, RP_ACCOUNT_LEN + n);
}

/* ---- what is still queued ------------------------------------------------------ */

/* The peers that hold some of our feed, with their member and role. */
typedef struct s_peer {
	uint8_t  dev[RP_DEVICE_LEN];
	uint64_t held;
	char     member[RP_NAME_MAX + 1];
	int      full;
} s_peer;

typedef struct s_walk {
	rp_store       *st;
	MDB_txn        *txn;
	const uint8_t  *self;
	char            me[RP_NAME_MAX + 1];
	s_peer         *peers;
	size_t          npeers, cap;
	rp_delivery_fn  fn;
	void           *arg;
	int             rc;
} s_walk;

static int s_peer_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_walk *w = arg;
	char role[RP_ROLE_MAX + 1] = "";
	s_peer *p;
	if (k->mv_size != RP_DEVICE_LEN || v->mv_size != 8)
		return 0;
	if (w->npeers == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		s_peer *g = realloc(w->peers, cap * sizeof *g);
		if (!g)
			return RP_ENOMEM;
		w->peers = g;
		w->cap = cap;
	}
	p = &w->peers[w->npeers];
	memcpy(p->dev, k->mv_data, RP_DEVICE_LEN);
	p->held = rp_be64_get(v->mv_data);
	p->member[0] = '\0';
	if (rp_roster_device(w->st, w->txn, p->dev, p->member, role) != 0)
		return 0;                 /* no longer in the roster: passes nothing on */
	p->full = !strcmp(role, "admin") || !strcmp(role, "manager") || !strcmp(role, "hub");
	w->npeers++;
	return 0;
}

/* The handover at seq to `to`, written here or not: has it gone on from
 * here? Where a device of `to` syncs with us, once one of them holds it;
 * else, written here, once a full-scope peer holds it; else (it reached
 * us on its way elsewhere) it is not ours to pass on. */
static int s_passed(const s_walk *w, uint64_t seq, const char *to, int here)
{
	int conduit = 0, full = 0;
	for (size_t i = 0; i < w->npeers; i++) {
		const s_peer *p = &w->peers[i];
		if (!strcmp(p->member, to)) {
			conduit = 1;
			if (p->held >= seq)
				return 1;
		}
		full |= p->full && p->held >= seq;
	}
	return conduit ? 0 : !here || full;
}

/* An account handed to the same member twice (to bob, to cy, back to bob)
 * is queued once, by its latest handover: an entry is skipped when a later
 * one gives the same account to the same member. (One to another member
 * is left out by the owners check: only the handovers to the owner the
 * merge settled on count.) */
static int s_superseded(s_walk *w, const MDB_val *k, const MDB_val *entry)
{
	MDB_cursor *c;
	MDB_val ck = *k, cv;
	int rc, later = 0;
	if (mdb_cursor_open(w->txn, w->st->handovers, &c))
		return 0;
	rc = mdb_cursor_get(c, &ck, &cv, MDB_SET_KEY);
	while (rc == 0 && !later && (rc = mdb_cursor_get(c, &ck, &cv, MDB_NEXT)) == 0)
		later = cv.mv_size == entry->mv_size && !memcmp(cv.mv_data, entry->mv_data, cv.mv_size);
	mdb_cursor_close(c);
	return later;
}

static int s_handover_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_walk *w = arg;
	char to[RP_NAME_MAX + 1];
	uint8_t okey[RP_NAME_MAX + 1 + RP_ACCOUNT_LEN];
	const uint8_t *acct = v->mv_data;
	int here = 1;
	MDB_val av;
	uint64_t seq;
	size_t n;
	if (k->mv_size != 8 || v->mv_size <= RP_ACCOUNT_LEN || v->mv_size > S_TO_MAX)
		return 0;
	seq = rp_be64_get(k->mv_data);
	n = v->mv_size - RP_ACCOUNT_LEN;
	memcpy(to, acct + RP_ACCOUNT_LEN, n);
	to[n] = '\0';
	if (!strcmp(to, w->me))
		return 0;                 /* this device holds it for its member */
	/* still the owner the handover made? (the owners index, from the view) */
	memcpy(okey, to, n);
	okey[n] = 0;
	memcpy(okey + n + 1, acct, RP_ACCOUNT_LEN);
	if (rp_store_get(w->txn, w->st->owners, okey, n + 1 + RP_ACCOUNT_LEN, &av) != 0)
		return 0;
	if (rp_store_get(w->txn, w->st->arrival, k->mv_data, 8, &av) == 0 &&
	    av.mv_size == RP_OPID_LEN + RP_DEVICE_LEN)
		here = 0;                 /* its arrival names the peer it came from */
	if (s_passed(w, seq, to, here) || s_superseded(w, k, v))
		return 0;
	return w->fn(w->arg, acct, to, seq);
}

int rp_delivery_queued(rp_store *st, MDB_txn *txn, const uint8_t self[RP_DEVICE_LEN],
                       rp_delivery_fn fn, void *arg)
{
	s_walk w = { st, txn, self, "", NULL, 0, 0, fn, arg, 0 };
	int rc;
	rp_roster_device(st, txn, self, w.me, NULL);
	if ((rc = rp_store_scan(txn, st->delivered, NULL, 0, s_peer_one, &w)) == 0)
		rc = rp_store_scan(txn, st->handovers, NULL, 0, s_handover_one, &w);
	free(w.peers);
	return rc;
}

/* ---- rebuilding ---------------------------------------------------------------- */

static int s_rebuild_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	rp_store *st = ((void **)arg)[0];
	MDB_txn *txn = ((void **)arg)[1];
	rp_body body = { .map = NULL };
	MDB_val ov;
	rp_op op;
	int rc = 0;
	if (k->mv_size != 8 || v->mv_size < RP_OPID_LEN ||
	    rp_store_get(txn, st->ops, v->mv_data, RP_OPID_LEN, &ov) != 0 ||
	    rp_op_decode(ov.mv_data, ov.mv_size, &op) != 0 || strcmp(op.kind, "acct.assign") || !op.body)
		return 0;
	msgpack_unpacked_init(&body.up);
	if (rp_body_parse(&body, op.body, op.body_len) == 0)
		rc = rp_delivery_arrived(st, txn, rp_be64_get(k->mv_data), &op, &body);
	rp_body_done(&body);
	return rc;
}

int rp_delivery_rebuild(rp_store *st, MDB_txn *txn)
{
	void *arg[2] = { st, txn };
	int rc = rp_store_clear(txn, st->handovers);
	return rc ? rc : rp_store_scan(txn, st->arrival, NULL, 0, s_rebuild_one, arg);
}
