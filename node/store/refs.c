/* node/store/refs.c — the refs index, and its deferred part (see refs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refs.h"
#include "../../proto/error.h"

/* The kinds that get a ref, by the letter their merge records keep. */
static const char *const s_kinds[] = { "ix.log", "fu.add", "contact.add" };
#define S_NKINDS (sizeof s_kinds / sizeof s_kinds[0])

/* Refs merged per txn: a slice of the ref space, so each txn touches its
 * own share of the index's pages. */
#define S_SLICE 131072

static int s_kind_index(const char *kind)
{
	for (size_t i = 0; i < S_NKINDS; i++)
		if (!strcmp(kind, s_kinds[i]))
			return (int)i;
	return -1;
}

int rp_refs_kind(const char *kind)
{
	return s_kind_index(kind) >= 0;
}

/* The index's value: op id ‖ account ‖ kind. */
static size_t s_value(uint8_t *val, const uint8_t opid[RP_OPID_LEN], const uint8_t acct[RP_ACCOUNT_LEN],
                      const char *kind)
{
	size_t kl = strlen(kind);
	memcpy(val, opid, RP_OPID_LEN);
	memcpy(val + RP_OPID_LEN, acct, RP_ACCOUNT_LEN);
	memcpy(val + RP_OPID_LEN + RP_ACCOUNT_LEN, kind, kl);
	return RP_OPID_LEN + RP_ACCOUNT_LEN + kl;
}

/* A value of the index as a hit: 0, or RP_EFORMAT for a malformed one. */
static int s_hit_of(const uint8_t ref[RP_REF_LEN], const MDB_val *v, rp_ref_hit *hit)
{
	size_t kl;
	if (v->mv_size < RP_OPID_LEN + RP_ACCOUNT_LEN ||
	    (kl = v->mv_size - RP_OPID_LEN - RP_ACCOUNT_LEN) > RP_KIND_MAX)
		return RP_EFORMAT;
	memcpy(hit->ref, ref, RP_REF_LEN);
	memcpy(hit->opid, v->mv_data, RP_OPID_LEN);
	memcpy(hit->account, (const uint8_t *)v->mv_data + RP_OPID_LEN, RP_ACCOUNT_LEN);
	memcpy(hit->kind, (const uint8_t *)v->mv_data + RP_OPID_LEN + RP_ACCOUNT_LEN, kl);
	hit->kind[kl] = 0;
	return 0;
}


/* A record of refq, the deferred refs: arrival seq (8) → ref ‖ op id ‖
 * account ‖ the kind's index in s_kinds. */
#define S_REC_LEN (RP_REF_LEN + RP_OPID_LEN + RP_ACCOUNT_LEN + 1)

static int s_rec_hit(const MDB_val *v, rp_ref_hit *hit)
{
	const uint8_t *p = v->mv_data;
	if (v->mv_size != S_REC_LEN || p[S_REC_LEN - 1] >= S_NKINDS)
		return RP_EFORMAT;
	memcpy(hit->ref, p, RP_REF_LEN);
	memcpy(hit->opid, p + RP_REF_LEN, RP_OPID_LEN);
	memcpy(hit->account, p + RP_REF_LEN + RP_OPID_LEN, RP_ACCOUNT_LEN);
	snprintf(hit->kind, sizeof hit->kind, "%s", s_kinds[p[S_REC_LEN - 1]]);
	return 0;
}

int rp_refs_due(rp_store *st, MDB_txn *txn)
{
	return rp_store_count(txn, st->refq) > 0;
}

int rp_refs_add(rp_store *st, MDB_txn *txn, const rp_op *op, const uint8_t opid[RP_OPID_LEN],
                uint64_t arrival)
{
	uint8_t rec[S_REC_LEN], key[8], val[RP_OPID_LEN + RP_ACCOUNT_LEN + RP_KIND_MAX];
	int kind = s_kind_index(op->kind), rc;
	if (kind < 0)
		return 0;
	rp_ref_of(rec, opid);
	if (!st->refs_defer)
		return rp_store_put(txn, st->refs, rec, RP_REF_LEN, val,
		                    s_value(val, opid, op->account, op->kind));
	/* a writer still running settles its own (rp_refs_recover) */
	if ((rc = rp_store_note_deferrer(st, txn, "refs_by", &st->refs_marked_gen)))
		return rc;
	memcpy(rec + RP_REF_LEN, opid, RP_OPID_LEN);
	memcpy(rec + RP_REF_LEN + RP_OPID_LEN, op->account, RP_ACCOUNT_LEN);
	rec[S_REC_LEN - 1] = (uint8_t)kind;
	rp_be64_put(key, arrival);
	return rp_store_put(txn, st->refq, key, sizeof key, rec, sizeof rec);
}

int rp_refs_del(MDB_txn *txn, rp_store *st, const uint8_t opid[RP_OPID_LEN])
{
	uint8_t ref[RP_REF_LEN];
	rp_ref_of(ref, opid);
	return rp_store_del(txn, st->refs, ref, RP_REF_LEN);
}

void rp_refs_defer(rp_store *st, int on)
{
	st->refs_defer = on;
	st->refs_marked_gen = 0;
}

/* ---- the deferred refs ------------------------------------------------------ */

typedef int (*s_due_fn)(void *arg, const rp_ref_hit *hit, uint64_t arrival);

typedef struct s_due_walk {
	s_due_fn  fn;
	void     *arg;
} s_due_walk;

static int s_due_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_due_walk *w = arg;
	rp_ref_hit hit;
	if (k->mv_size != 8 || s_rec_hit(v, &hit))
		return 0;
	return w->fn(w->arg, &hit, rp_be64_get(k->mv_data));
}

/* fn for every deferred ref, in the order their ops arrived. */
static int s_due_walk_all(rp_store *st, MDB_txn *txn, s_due_fn fn, void *arg)
{
	s_due_walk w = { fn, arg };
	return rp_store_scan(txn, st->refq, NULL, 0, s_due_one, &w);
}

/* ---- reading -------------------------------------------------------------- */

typedef struct s_find {
	const uint8_t *ref;
	rp_ref_hit    *hit;
} s_find;

static int s_find_due(void *arg, const rp_ref_hit *hit, uint64_t arrival)
{
	s_find *f = arg;
	(void)arrival;
	if (memcmp(hit->ref, f->ref, RP_REF_LEN))
		return 0;
	*f->hit = *hit;
	return RP_STORE_STOP;
}

int rp_refs_find(rp_store *st, MDB_txn *txn, const uint8_t ref[RP_REF_LEN], rp_ref_hit *hit)
{
	s_find f = { ref, hit };
	MDB_val v;
	int rc = rp_store_get(txn, st->refs, ref, RP_REF_LEN, &v);
	if (rc == 0)
		return s_hit_of(ref, &v, hit);
	if (rc != RP_ENOTFOUND || !rp_refs_due(st, txn))
		return rc;
	hit->kind[0] = 0;
	if ((rc = s_due_walk_all(st, txn, s_find_due, &f)))
		return rc;
	return hit->kind[0] ? 0 : RP_ENOTFOUND;
}

typedef struct s_scan {
	rp_store      *st;
	MDB_txn       *txn;
	const uint8_t *lo, *hi;
	rp_refs_visit  fn;
	void          *arg;
} s_scan;

static int s_scan_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_scan *s = arg;
	rp_ref_hit hit;
	if (k->mv_size != RP_REF_LEN || memcmp(k->mv_data, s->hi, RP_REF_LEN) > 0)
		return RP_STORE_STOP;
	if (s_hit_of(k->mv_data, v, &hit))
		return 0;
	return s->fn(s->arg, &hit);
}

/* A deferred ref in range, unless the index has it already (a merge cut
 * short, or the same op deferred by two writers). */
static int s_scan_due(void *arg, const rp_ref_hit *hit, uint64_t arrival)
{
	s_scan *s = arg;
	MDB_val v;
	(void)arrival;
	if (memcmp(hit->ref, s->lo, RP_REF_LEN) < 0 || memcmp(hit->ref, s->hi, RP_REF_LEN) > 0 ||
	    rp_store_get(s->txn, s->st->refs, hit->ref, RP_REF_LEN, &v) == 0)
		return 0;
	return s->fn(s->arg, hit);
}

int rp_refs_scan(rp_store *st, MDB_txn *txn, const uint8_t lo[RP_REF_LEN],
                 const uint8_t hi[RP_REF_LEN], rp_refs_visit fn, void *arg)
{
	s_scan s = { st, txn, lo, hi, fn, arg };
	int rc = rp_store_scan(txn, st->refs, lo, RP_REF_LEN, s_scan_one, &s);
	if (rc == 0 && rp_refs_due(st, txn))
		rc = s_due_walk_all(st, txn, s_scan_due, &s);
	return rc == RP_STORE_STOP ? 0 : rc;
}

/* ---- the merge ------------------------------------------------------------ */

/* The records of refq, as they are (a million refs: 73 MB), sorted by ref. */
typedef struct s_merge {
	uint8_t *recs;
	size_t   n, cap;
	uint64_t last;           /* the last arrival collected */
	size_t   at, upto;       /* the slice a txn writes */
} s_merge;

static int s_collect(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_merge *m = arg;
	if (k->mv_size != 8 || v->mv_size != S_REC_LEN)
		return 0;
	if (m->n == m->cap)
		return RP_STORE_STOP;   /* deferred since the count: the next round's */
	memcpy(m->recs + m->n++ * S_REC_LEN, v->mv_data, S_REC_LEN);
	m->last = rp_be64_get(k->mv_data);
	return 0;
}

static int s_rec_cmp(const void *a, const void *b)
{
	return memcmp(a, b, RP_REF_LEN);
}

/* One slice, in ref order (appended where the index ends before it). An
 * op purged since it was deferred gets no ref: only the ops of an account
 * a purge went through (the purged table keeps each) are looked up. */
static int s_slice_job(rp_store *st, MDB_txn *txn, void *arg)
{
	s_merge *m = arg;
	int rc = 0;
	for (size_t i = m->at; i < m->upto && rc == 0; i++) {
		MDB_val rec = { S_REC_LEN, m->recs + i * S_REC_LEN }, v;
		rp_ref_hit hit;
		if (s_rec_hit(&rec, &hit))
			continue;
		if (rp_store_get(txn, st->purged, hit.account, RP_ACCOUNT_LEN, &v) == 0 &&
		    (rc = rp_store_get(txn, st->ops, hit.opid, RP_OPID_LEN, &v)) == RP_ENOTFOUND) {
			rc = 0;
			continue;
		}
		if (rc == 0) {
			uint8_t val[RP_OPID_LEN + RP_ACCOUNT_LEN + RP_KIND_MAX];
			rc = rp_store_append(txn, st->refs, hit.ref, RP_REF_LEN, val,
			                     s_value(val, hit.opid, hit.account, hit.kind));
		}
	}
	return rc;
}

/* What was collected is merged: its records go (those deferred since stay). */
static int s_done_job(rp_store *st, MDB_txn *txn, void *arg)
{
	s_merge *m = arg;
	uint8_t last[8];
	int rc;
	if ((rc = rp_store_last_key(txn, st->refq, last, sizeof last)) == RP_ENOTFOUND)
		return 0;
	if (rc == 0 && rp_be64_get(last) <= m->last)
		return rp_store_clear(txn, st->refq);
	while (rc == 0 && (rc = rp_store_first_key(txn, st->refq, last, sizeof last)) == 0 &&
	       rp_be64_get(last) <= m->last)
		rc = rp_store_del(txn, st->refq, last, sizeof last);
	return rc == RP_ENOTFOUND ? 0 : rc;
}

int rp_refs_settle(rp_store *st, uint64_t *added)
{
	s_merge m = { 0 };
	uint64_t total = 0;
	int rc = 0;
	if (added)
		*added = 0;
	/* a few rounds: what another writer deferred during one is the next's */
	for (int round = 0; round < 4 && rc == 0; round++) {
		MDB_txn *txn;
		size_t count;
		if ((rc = rp_store_begin(st, 0, &txn)))
			break;
		m.n = 0;
		if ((count = rp_store_count(txn, st->refq)) > m.cap) {
			free(m.recs);
			if (!(m.recs = malloc(count * S_REC_LEN))) {
				rp_store_end(txn);
				m.cap = 0;
				rc = RP_ENOMEM;
				break;
			}
			m.cap = count;
		}
		rc = rp_store_scan(txn, st->refq, NULL, 0, s_collect, &m);
		rp_store_end(txn);
		if (rc || m.n == 0)
			break;
		qsort(m.recs, m.n, S_REC_LEN, s_rec_cmp);
		for (m.at = 0; m.at < m.n && rc == 0; m.at = m.upto) {
			m.upto = m.n - m.at < S_SLICE ? m.n : m.at + S_SLICE;
			rc = rp_store_run(st, s_slice_job, &m);
		}
		if (rc == 0 && (rc = rp_store_run(st, s_done_job, &m)) == 0)
			total += m.n;
	}
	free(m.recs);
	if (added)
		*added = total;
	return rc;
}

int rp_refs_recover(rp_store *st)
{
	MDB_txn *txn;
	int due;
	if (rp_store_begin(st, 0, &txn))
		return 0;
	/* a writer still deferring settles its own refs once it is done */
	due = rp_refs_due(st, txn) && !rp_store_other_alive(st, txn, "refs_by");
	rp_store_end(txn);
	return due ? rp_refs_settle(st, NULL) : 0;
}
