/* node/store/words.c — the word entries of a bulk write, deferred (see words.h). */
#include <stdlib.h>
#include <string.h>

#include "words.h"
#include "index.h"
#include "../../proto/error.h"
#include "../../proto/id.h"

/* Words put per txn: a slice of the word space, so each txn touches its
 * own share of the index's pages. */
#define S_SLICE 262144
#define S_TOKEN_LEN RP_INDEX_TOKEN_LEN

void rp_words_defer(rp_store *st, int on)
{
	st->words_defer = on;
	st->words_marked_gen = 0;
}

typedef struct s_walk {
	int  (*fn)(void *arg, const uint8_t acct[RP_ACCOUNT_LEN]);
	void  *arg;
} s_walk;

static int s_walk_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_walk *w = arg;
	(void)v;
	return k->mv_size == RP_ACCOUNT_LEN ? w->fn(w->arg, k->mv_data) : 0;
}

int rp_words_walk_due(rp_store *st, MDB_txn *txn, int (*fn)(void *arg, const uint8_t acct[RP_ACCOUNT_LEN]),
                      void *arg)
{
	s_walk w = { fn, arg };
	return rp_store_scan(txn, st->ix_due, NULL, 0, s_walk_one, &w);
}

int rp_words_due(rp_store *st, MDB_txn *txn)
{
	return rp_store_count(txn, st->ix_due) > 0;
}

/* ---- the merge ---------------------------------------------------------------- */

/* A marked account as collected: its id and the token it had; and
 * whether it still has that token, as the slice txn gen found it. */
typedef struct s_due {
	uint8_t  acct[RP_ACCOUNT_LEN];
	uint8_t  token[S_TOKEN_LEN];
	uint32_t gen;
	int      still;
} s_due;

/* One word entry to put: its key (kind ‖ body) in the arena, its account. */
typedef struct s_rec {
	uint32_t off;          /* klen (2) ‖ key, in arena */
	uint32_t due;          /* index into dues */
} s_rec;

typedef struct s_merge {
	s_due   *dues;
	size_t   ndue, capdue;
	s_rec   *recs;
	size_t   nrec, caprec;
	uint8_t *arena;
	size_t   len, cap;
	size_t   at, upto;     /* the slice being put */
	uint32_t gen;          /* of the slice's txn (a rerun is another) */
	uint64_t put;
	int      nomem;
	MDB_txn *txn;          /* the read txn collecting */
	rp_store *st;
} s_merge;

static _Thread_local const s_merge *s_sorting;

static void *s_grow(void *p, size_t *cap, size_t need, size_t size, int *nomem)
{
	size_t c = *cap ? *cap : 1024;
	void *q;
	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	if (!(q = realloc(p, c * size))) {
		*nomem = 1;
		return NULL;
	}
	*cap = c;
	return q;
}

static int s_collect_word(void *arg, const uint8_t *key, size_t klen)
{
	s_merge *m = arg;
	void *p;
	if (!(p = s_grow(m->arena, &m->cap, m->len + 2 + klen, 1, &m->nomem)))
		return RP_ENOMEM;
	m->arena = p;
	if (!(p = s_grow(m->recs, &m->caprec, m->nrec + 1, sizeof *m->recs, &m->nomem)))
		return RP_ENOMEM;
	m->recs = p;
	m->recs[m->nrec++] = (s_rec){ (uint32_t)m->len, (uint32_t)(m->ndue - 1) };
	m->arena[m->len] = (uint8_t)(klen >> 8);
	m->arena[m->len + 1] = (uint8_t)klen;
	memcpy(m->arena + m->len + 2, key, klen);
	m->len += 2 + klen;
	return 0;
}

static int s_collect(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_merge *m = arg;
	void *p;
	if (k->mv_size != RP_ACCOUNT_LEN || v->mv_size != S_TOKEN_LEN)
		return 0;
	if (m->len > UINT32_MAX / 2 || m->ndue >= UINT32_MAX)
		return RP_STORE_STOP;        /* the rest in the next round */
	if (!(p = s_grow(m->dues, &m->capdue, m->ndue + 1, sizeof *m->dues, &m->nomem)))
		return RP_ENOMEM;
	m->dues = p;
	memset(&m->dues[m->ndue], 0, sizeof m->dues[m->ndue]);
	memcpy(m->dues[m->ndue].acct, k->mv_data, RP_ACCOUNT_LEN);
	memcpy(m->dues[m->ndue].token, v->mv_data, S_TOKEN_LEN);
	m->ndue++;
	return rp_index_stored(m->st, m->txn, k->mv_data, 'W', s_collect_word, m);
}

static int s_rec_cmp(const void *a, const void *b)
{
	const s_merge *m = s_sorting;
	const s_rec *x = a, *y = b;
	const uint8_t *kx = m->arena + x->off, *ky = m->arena + y->off;
	size_t lx = (size_t)kx[0] << 8 | kx[1], ly = (size_t)ky[0] << 8 | ky[1];
	int c = memcmp(kx + 2, ky + 2, lx < ly ? lx : ly);
	if (c == 0 && lx != ly)
		return lx < ly ? -1 : 1;
	return c ? c : memcmp(m->dues[x->due].acct, m->dues[y->due].acct, RP_ACCOUNT_LEN);
}

/* 1 while acct is marked with the token it was collected with. */
static int s_still_due(rp_store *st, MDB_txn *txn, const s_due *d)
{
	MDB_val v;
	return rp_store_get(txn, st->ix_due, d->acct, RP_ACCOUNT_LEN, &v) == 0 &&
	       v.mv_size == S_TOKEN_LEN && !memcmp(v.mv_data, d->token, S_TOKEN_LEN);
}

/* One slice, in key order. An account changed since it was collected is
 * left out: whoever changed it put its words, or marked it again. */
static int s_slice_job(rp_store *st, MDB_txn *txn, void *arg)
{
	s_merge *m = arg;
	int rc = 0;
	m->gen++;                  /* each account is looked up once a txn, not once a word */
	for (size_t i = m->at; i < m->upto && rc == 0; i++) {
		const s_rec *r = &m->recs[i];
		s_due *d = &m->dues[r->due];
		const uint8_t *k = m->arena + r->off;
		size_t klen = (size_t)k[0] << 8 | k[1];
		uint8_t key[512];
		if (d->gen != m->gen) {
			d->still = s_still_due(st, txn, d);
			d->gen = m->gen;
		}
		if (klen + RP_ACCOUNT_LEN > sizeof key || !d->still)
			continue;
		memcpy(key, k + 2, klen);
		memcpy(key + klen, d->acct, RP_ACCOUNT_LEN);
		rc = rp_store_append(txn, st->ix, key, klen + RP_ACCOUNT_LEN, "", 0);
	}
	return rc;
}

/* Every collected account whose words are all in goes off the list. */
static int s_done_job(rp_store *st, MDB_txn *txn, void *arg)
{
	s_merge *m = arg;
	int rc = 0;
	for (size_t i = 0; i < m->ndue && rc == 0; i++)
		if (s_still_due(st, txn, &m->dues[i]))
			rc = rp_store_del(txn, st->ix_due, m->dues[i].acct, RP_ACCOUNT_LEN);
	return rc;
}

int rp_words_settle(rp_store *st, uint64_t *added)
{
	s_merge m = { .st = st };
	int rc = 0;
	if (added)
		*added = 0;
	/* a few rounds: what another writer deferred during one is the next's */
	for (int round = 0; round < 4 && rc == 0; round++) {
		if ((rc = rp_store_begin(st, 0, &m.txn)))
			break;
		m.ndue = m.nrec = m.len = 0;
		rc = rp_store_scan(m.txn, st->ix_due, NULL, 0, s_collect, &m);
		rp_store_end(m.txn);
		m.txn = NULL;
		if (rc || m.ndue == 0)
			break;
		s_sorting = &m;
		if (m.nrec)
			qsort(m.recs, m.nrec, sizeof *m.recs, s_rec_cmp);
		s_sorting = NULL;
		for (m.at = 0; m.at < m.nrec && rc == 0; m.at = m.upto) {
			m.upto = m.nrec - m.at < S_SLICE ? m.nrec : m.at + S_SLICE;
			rc = rp_store_run(st, s_slice_job, &m);
		}
		if (rc == 0 && (rc = rp_store_run(st, s_done_job, &m)) == 0)
			m.put += m.nrec;
	}
	free(m.dues);
	free(m.recs);
	free(m.arena);
	if (added)
		*added = m.put;
	return rc;
}

int rp_words_recover(rp_store *st)
{
	MDB_txn *txn;
	int due;
	if (rp_store_begin(st, 0, &txn))
		return 0;
	/* a writer still deferring settles its own words once it is done */
	due = rp_words_due(st, txn) && !rp_store_other_alive(st, txn, "words_by");
	rp_store_end(txn);
	return due ? rp_words_settle(st, NULL) : 0;
}
