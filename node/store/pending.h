/* node/store/pending.h — ops held until their author or account is known.
 *
 * A sync may bring an op before the roster op that makes its author a
 * member, or before its account's create: such an op is held here, not
 * refused, and taken when what it waits for arrives. The table is a door a
 * hostile member could stuff with ops signed by keys of its own making, so
 * it is bounded by ops and bytes, in all and per sender (the device that
 * gave us the ops), and what waits longer than RP_PENDING_TTL_MS goes. An
 * op is verified once, before it is held, never again; the table is
 * walked only when an op that could release some (a roster op, an account
 * create) was taken since the last walk, not at every batch.
 *
 * Layout: pending  op id (40) → sender (32) ‖ held at, wall ms (8) ‖ op bytes
 *         meta "pending:" ‖ sender text → ops (8) ‖ bytes (8), per sender
 *         meta "pending_ops", "pending_bytes": the totals
 *         meta "pending_expiry": when the oldest op held expires (0: unknown)
 *         meta "pending_format" = 2 (1: no time, no counters; upgraded on open)
 *         meta "unblock_gen": bumped by ingest (ingest.h) for each op that
 *         may release some; "pending_tried": its value at the last walk. */
#ifndef RP_PENDING_H
#define RP_PENDING_H

#include <stdint.h>
#include <jansson.h>
#include "store.h"
#include "../../proto/id.h"
#include "dirty.h"

typedef struct rp_pending_tally {
	uint64_t taken;      /* held ops now in the log */
	uint64_t refused;    /* held ops judged and refused (counted like any refusal) */
} rp_pending_tally;

/* Hold op (its id and encoded bytes, verified) from sender at wall ms.
 * Returns 0 (held, or held already), RP_ELIMIT when the table or the
 * sender's share is full (after dropping what has expired): the caller must
 * not move the sender's cursor past the op. Or a store error. */
int rp_pending_hold(rp_store *st, MDB_txn *txn, const uint8_t sender[RP_DEVICE_LEN],
                    const uint8_t opid[RP_OPID_LEN], const uint8_t *bytes, size_t len,
                    uint64_t wall_ms);

/* Take what the roster or the accounts now allow, if anything that could
 * release an op arrived since the last walk (cheap otherwise). Taken ops
 * mark their accounts in dirty and advance *clock, as rp_ingest_from does. */
int rp_pending_retry(rp_store *st, MDB_txn *txn, rp_dirty *dirty, uint64_t *clock,
                     uint64_t wall_ms, rp_pending_tally *tally);

/* Drop held ops older than RP_PENDING_TTL_MS at wall ms; *dropped (may be
 * NULL) receives how many. */
int rp_pending_expire(rp_store *st, MDB_txn *txn, uint64_t wall_ms, uint64_t *dropped);

/* The same in its own write txn, for the serve loop. */
int rp_pending_sweep(rp_store *st, uint64_t now_ms, uint64_t *dropped);

/* A table from before format 2: stamp its ops as held now and count them.
 * rp_node_open calls it when the table is not empty and the format older. */
int rp_pending_upgrade(rp_store *st, MDB_txn *txn, uint64_t wall_ms);
int rp_pending_needs_upgrade(rp_store *st, MDB_txn *txn);

/* The totals (either may be NULL) and who sent what: a new array of
 * {device, member, ops, bytes} ("?" for a device not in the roster). */
void    rp_pending_totals(rp_store *st, MDB_txn *txn, uint64_t *ops, uint64_t *bytes);
json_t *rp_pending_senders(rp_store *st, MDB_txn *txn);

#endif
