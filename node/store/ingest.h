/* node/store/ingest.h — the one door into the log: decode, check limits, verify,
 * check the author's role, dedupe by (author, seq), keep equivocation
 * evidence, append, index. Local writes and (later) sync batches both come
 * through here, inside the caller's write txn. */
#ifndef RP_INGEST_H
#define RP_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"
#include "../../proto/body.h"
#include "dirty.h"
#include "../../proto/op.h"
#include <jansson.h>

enum {
	RP_INGEST_VERIFIED = 1,   /* signature already checked (or signed here) */
};

/* Ingest one encoded op in txn. Accounts whose view must be rebuilt are added
 * to dirty. A roster op or an account create bumps meta "unblock_gen": ops
 * held for their author or account may go in now (pending.h). *clock (the local HLC) is advanced past the op, capped by
 * RP_SKEW_MAX_MS beyond wall_ms. Returns 0 (appended), RP_EDUP (the same op
 * is held already: nothing changed, not a failure; a sync counts it as a
 * duplicate), or RP_EFORMAT / RP_ELIMIT / RP_EVERSION / RP_EHASH /
 * RP_ESIG / RP_ENOTMEMBER / RP_EDENIED / RP_EEQUIV (evidence stored) /
 * RP_EINVAL (another team), or an LMDB code (MDB_MAP_FULL: grow and replay). */
int rp_ingest(rp_store *st, MDB_txn *txn, const uint8_t *bytes, size_t len,
              int flags, rp_dirty *dirty, uint64_t *clock, uint64_t wall_ms);

/* Ingest an op received from device source (decoded from bytes, signature
 * checked by the caller): the feed records the source so the op is never
 * streamed back to it. Same results as rp_ingest. */
int rp_ingest_from(rp_store *st, MDB_txn *txn, const rp_op *op, const uint8_t *bytes,
                   size_t len, const uint8_t source[RP_DEVICE_LEN], rp_dirty *dirty,
                   uint64_t *clock, uint64_t wall_ms);

/* Ingest an op this node just composed and signed: op is its decoded form
 * (it was never encoded elsewhere), bytes its encoding. Same results. */
int rp_ingest_local(rp_store *st, MDB_txn *txn, const rp_op *op, const uint8_t *bytes,
                    size_t len, rp_dirty *dirty, uint64_t *clock, uint64_t wall_ms);

/* Count a refused op (decoded: its author and kind are what it claims;
 * the caller verified its signature) for `status`: meta "refused:" ‖
 * author text ‖ ":" ‖ kind → count (8) ‖ the last reason code (4). */
int rp_ingest_note_refused(rp_store *st, MDB_txn *txn, const rp_op *op, int why);

/* Note that a device's ops were dated ahead of our clock by ahead ms
 * (the most seen is kept, meta "skew:" ‖ author text): `status` names it. */
int rp_ingest_note_skew(rp_store *st, MDB_txn *txn, const uint8_t author[RP_DEVICE_LEN], uint64_t ahead);

/* What peers did that ingest refused or recorded, for `status` and
 * `fsck`, each a new JSON array the caller owns (NULL on no memory):
 * equivocations [{device, member, seq}] (member "?" when unknown), one per
 * (author, seq) with a twin; refusals [{device, member, kind, count,
 * reason}] one per (author, kind). */
json_t *rp_ingest_equivocations(rp_store *st, MDB_txn *txn);
json_t *rp_ingest_refusals(rp_store *st, MDB_txn *txn);

/* Replace the stored body of op id with nil (redaction) in txn. */
int rp_ingest_redact(rp_store *st, MDB_txn *txn, const uint8_t opid[RP_OPID_LEN],
                     rp_dirty *dirty);

/* Call fn for each stored op of kind on account acct (all-zero: the team's
 * ops), in merge order, that still holds a body: op and body point into
 * the txn's pages and live until fn returns. fn returns 0 to go on; any
 * other value stops the walk and is returned. Returns 0, fn's value, or a
 * store error. */
int rp_ingest_each_op(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], const char *kind,
                      int (*fn)(void *arg, const rp_op *op, const rp_body *body, const MDB_val *bytes),
                      void *arg);


#endif
