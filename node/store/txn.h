/* node/store/txn.h — a store transaction as the layers above node/store
 * hold it: a handle they get from rp_store_begin, pass to store calls and
 * end through them, and the values those calls hand out. Above node/store
 * nothing opens, reads, commits or ends a txn but through store calls, and
 * nothing needs LMDB's names for them. Also the write txn held open across
 * calls (rp_write's), which the store grows and runs again when it fills. */
#ifndef RP_TXN_H
#define RP_TXN_H

#include "store.h"

/* A transaction: LMDB's own, under the store's name (the store's headers
 * still spell it MDB_txn; it is the same type). Opaque: begun by
 * rp_store_begin, ended by rp_store_end (a read txn, or a write given up)
 * or rp_txn_commit. One thread at a time. */
typedef struct MDB_txn rp_txn;

/* A value a store call hands out (rp_store_get, rp_meta_get, a visitor of
 * rp_store_scan): .mv_size bytes at .mv_data, in the txn's pages, valid
 * until the txn writes or ends. Never freed by the caller. */
typedef struct MDB_val rp_val;

/* Commit *txn, a write txn; *txn is NULL afterwards, whatever happened.
 * Returns 0; MDB_MAP_FULL or MDB_TXN_FULL, kept as they are (rp_store_full:
 * nothing was written; the caller grows and reruns, rp_txn_rerun); or
 * the RP_E* code of the failure as rp_store_write_err maps it (RP_ENOSPC
 * for a full disk). */
int rp_txn_commit(rp_store *st, rp_txn **txn);

/* The map filled in *txn, a write txn its owner keeps open across calls
 * (rp_write's): end it, double the map, begin a fresh write txn and run
 * job in it, again while the map fills, up to 8 times. The job redoes,
 * from its own inputs, what the owner wrote in the txn so far (rp_write
 * replays its log). On 0, *txn is the fresh txn, open, holding what job
 * wrote; the caller goes on in it. Otherwise *txn is NULL and the code is
 * job's (as rp_store_write_err maps it) or RP_EIO (the map cannot grow).
 * rp_store_run (store.h) is the same loop with a commit at its end. No
 * other txn of this process may be open. */
int rp_txn_rerun(rp_store *st, rp_txn **txn, rp_store_job job, void *arg);

#endif
