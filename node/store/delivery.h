/* node/store/delivery.h — what this node has passed on: how far each peer
 * holds our arrival feed (written when a sync with it settles), and the
 * handovers that feed carries, so that `team` and `status` can say which
 * handovers are still queued here.
 *
 *  delivered  peer device (32) → the position of our feed it holds (8)
 *  handovers  arrival seq (8)  → account (16) ‖ new owner (member name)
 *
 * A handover is queued here while it has not gone on from here: where a
 * device of its new owner syncs with this node, until one of them holds
 * it from us; else, when it was written here, until a hub, manager or
 * admin device holds it (it goes on from there); one that only passed
 * through on its way elsewhere is not ours to pass on. One for this
 * device's own member is where it belongs, and one overtaken by a later
 * handover of the same account is moot: neither is queued. */
#ifndef RP_DELIVERY_H
#define RP_DELIVERY_H

#include <lmdb.h>
#include <stdint.h>

#include "store.h"
#include "../../proto/body.h"
#include "../../proto/op.h"

/* The peer holds our feed up to pos (an ack's cursor at a settled sync).
 * Never lowers what was noted. Returns 0 or an RP_E* / LMDB code. */
int rp_delivery_note(rp_store *st, MDB_txn *txn, const uint8_t peer[RP_DEVICE_LEN], uint64_t pos);

/* How far the peer holds our feed: 0 when it never synced with us. */
uint64_t rp_delivery_held(rp_store *st, MDB_txn *txn, const uint8_t peer[RP_DEVICE_LEN]);

/* At ingest: op arrived at arrival; an acct.assign goes into handovers. */
int rp_delivery_arrived(rp_store *st, MDB_txn *txn, uint64_t arrival, const rp_op *op,
                        const rp_body *body);

/* Each handover queued here (see above), oldest first. fn returns 0 to go
 * on or an RP_E* code, which ends the walk and is returned. */
typedef int (*rp_delivery_fn)(void *arg, const uint8_t acct[RP_ACCOUNT_LEN], const char *to,
                              uint64_t arrival);
int rp_delivery_queued(rp_store *st, MDB_txn *txn, const uint8_t self[RP_DEVICE_LEN],
                       rp_delivery_fn fn, void *arg);

/* Derive handovers again from the feed (a store from before it was kept,
 * fsck --rebuild). Returns 0 or an RP_E* code. */
int rp_delivery_rebuild(rp_store *st, MDB_txn *txn);

#endif
