/* node/sync/commit.c — the incoming batch committer (see commit.h). */
#include <string.h>

#include "commit.h"
#include "../store/dirty.h"
#include "../store/ingest.h"
#include "../store/pending.h"
#include "../store/txn.h"
#include "../../proto/error.h"
#include "../../proto/id.h"
#include "../../proto/work.h"

typedef struct s_verify_ctx {
	rp_op *ops;
	int   *rcs;
} s_verify_ctx;

static void s_verify_one(void *arg, size_t i)
{
	s_verify_ctx *c = arg;
	if (c->rcs[i] == 0)
		c->rcs[i] = rp_op_verify(&c->ops[i]);
}

typedef struct s_batch_job {
	const uint8_t     *peer;
	uint64_t           cursor;
	rp_op             *ops;
	const int         *rcs;
	const uint8_t    **raw;
	const size_t      *rawlen;
	size_t             n;
	uint64_t           wall;
	rp_dirty           dirty;
	rp_batch_tally     t;
} s_batch_job;

/* One try, from the job's inputs alone: a try that filled the map counted nothing. */
static int s_batch_run(rp_store *st, rp_txn *txn, void *arg)
{
	s_batch_job *j = arg;
	rp_pending_tally held = { 0 };
	uint64_t clock = 0, refused = 0;
	int rc;

	j->t = (rp_batch_tally){ 0 };
	rp_dirty_clear(&j->dirty);
	rp_meta_get_u64(st, txn, "hlc", &clock);
	rp_meta_get_u64(st, txn, "refused", &refused);
	for (size_t i = 0; i < j->n; i++) {
		int r = j->rcs[i];
		if (r == 0)
			r = rp_ingest_from(st, txn, &j->ops[i], j->raw[i], j->rawlen[i], j->peer, &j->dirty,
			                   &clock, j->wall);
		if (rp_store_full(r))
			return r;
		if (r == 0) {
			j->t.received++;
		} else if (r == RP_EDUP) {
			j->t.duplicates++;
		} else if (r == RP_ENOTMEMBER || r == RP_ENOTFOUND) {
			/* author or account not known yet: held until they are. A full
			 * table (or this sender's full share) refuses the batch: refusing
			 * the op would move the cursor past it for good; the next sync
			 * asks again. */
			uint8_t opid[RP_OPID_LEN];
			rp_op_id(&j->ops[i], opid);
			if ((rc = rp_pending_hold(st, txn, j->peer, opid, j->raw[i], j->rawlen[i], j->wall)))
				return rc;
			j->t.held++;
		} else {
			j->t.refused++;
			refused++;
			if (j->rcs[i] == 0 && (rc = rp_ingest_note_refused(st, txn, &j->ops[i], r)))
				return rc;
		}
	}
	if ((rc = rp_pending_retry(st, txn, &j->dirty, &clock, j->wall, &held)))
		return rc;
	j->t.received += held.taken;
	j->t.refused += held.refused;
	j->t.released = held.taken + held.refused;
	for (size_t i = 0; i < j->dirty.n; i++)
		if ((rc = rp_store_mark(txn, st->stale, j->dirty.accts[i], RP_ACCOUNT_LEN)))
			return rc;
	if ((rc = rp_meta_put_u64(st, txn, "hlc", clock)) ||
	    (rc = rp_meta_put_u64(st, txn, "refused", refused)))
		return rc;
	return rp_store_put_u64(txn, st->cursors, j->peer, RP_DEVICE_LEN, j->cursor);
}

int rp_commit_batch(rp_store *st, const uint8_t peer[RP_DEVICE_LEN], uint64_t cursor,
                    rp_op *ops, int *rcs, const uint8_t **raw, const size_t *rawlen, size_t n,
                    uint64_t wall_ms, rp_batch_tally *tally)
{
	s_verify_ctx v = { ops, rcs };
	s_batch_job j = { peer, cursor, ops, rcs, raw, rawlen, n, wall_ms, { 0 }, { 0 } };
	int rc;
	/* Verification is the bottleneck of a sync: outside the write txn, on every core. */
	rp_work_run(s_verify_one, &v, n);
	rc = rp_store_run(st, s_batch_run, &j);
	rp_dirty_free(&j.dirty);
	*tally = j.t;
	return rc < 0 ? rc : rc ? RP_EIO : 0;
}
