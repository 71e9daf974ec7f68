/* node/store/txn.c — write txns that grow the map when it fills: one loop
 * for a job run to its commit (rp_store_run) and for a txn its owner holds
 * open (rp_txn_rerun). Must never lose a write: a try that filled the map
 * is aborted whole and the job run again from its inputs. */
#include "txn.h"
#include "../../proto/error.h"

#define S_TRIES 8

int rp_txn_commit(rp_store *st, rp_txn **txn)
{
	int rc = mdb_txn_commit(*txn);
	*txn = NULL;                  /* a failed commit ends the txn too */
	return rc ? rp_store_write_err(st, rc) : 0;
}

/* End *txn (if any), grow the map when grow, begin a fresh write txn, run
 * job in it and commit when commit: again, in a map grown each time, while
 * the map fills. */
static int s_try(rp_store *st, rp_txn **txn, rp_store_job job, void *arg, int grow, int commit)
{
	int rc;
	for (int tries = 0; tries < S_TRIES; tries++, grow = 1) {
		rp_store_end(*txn);
		*txn = NULL;
		if (grow && (rc = rp_store_grow(st)))
			return rc;
		if ((rc = rp_store_begin(st, 1, txn)))
			return rc;
		rc = job(st, *txn, arg);
		if (rc == 0 && commit)
			rc = rp_txn_commit(st, txn);
		if (rc == 0)
			return 0;
		if (!rp_store_full(rc)) {
			rp_store_end(*txn);
			*txn = NULL;
			return rp_store_write_err(st, rc);
		}
	}
	rp_store_end(*txn);
	*txn = NULL;
	return RP_EIO;
}

int rp_store_run(rp_store *st, rp_store_job job, void *arg)
{
	rp_txn *txn = NULL;
	return s_try(st, &txn, job, arg, 0, 1);
}

int rp_txn_rerun(rp_store *st, rp_txn **txn, rp_store_job job, void *arg)
{
	return s_try(st, txn, job, arg, 1, 0);
}
