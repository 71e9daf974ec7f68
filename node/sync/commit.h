/* node/sync/commit.h — the incoming batch committer. A batch of ops from a
 * peer is verified on two threads outside the write txn (proto/work.h),
 * then ingested with the stale marks of the accounts it touched, the
 * refused counter, the clock and the peer's cursor in one txn, run again
 * in a grown map when the map fills (rp_store_run). An op whose author or
 * account is not known yet is held (store/pending.h), and held ops that
 * can go in now are retried. The views are rebuilt later, from the stale
 * marks (rp_view_refresh_stale), so a batch costs no fold. */
#ifndef RP_COMMIT_H
#define RP_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"
#include "../store/store.h"
#include "../../proto/op.h"


/* Commit the n ops of a batch from peer that ends at feed position cursor.
 * ops[i] is decoded from raw[i] (rawlen[i] bytes) with result rcs[i] (0, or
 * the decode error: the op is refused); its signature is checked here and
 * rcs[i] updated. On success the peer's cursor is stored and *tally filled.
 * Returns 0, RP_ENOSPC (the disk is full: nothing stored), RP_ELIMIT (the
 * pending table is full: nothing stored, the next sync asks again),
 * RP_ENOMEM or RP_EIO. The pointers are the caller's throughout. */
int rp_commit_batch(rp_store *st, const uint8_t peer[RP_DEVICE_LEN], uint64_t cursor,
                    rp_op *ops, int *rcs, const uint8_t **raw, const size_t *rawlen, size_t n,
                    uint64_t wall_ms, rp_batch_tally *tally);

#endif
