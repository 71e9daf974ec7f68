/* node/sync/settle.h — the work after a complete sync, on this node's store:
 * the views the sync marked stale are rebuilt, the accounts the peer
 * backfilled are checked whole, the ones we backfilled to it are no longer
 * withheld, how far the peer holds our feed is written down (delivery.h), and a rep's device lets go of the accounts that changed hands
 * (purge.h) once a full-scope peer holds everything it had. */
#ifndef RP_SETTLE_H
#define RP_SETTLE_H

#include "port.h"
#include "../node.h"

/* Settle a sync with peer on node n, which holds our feed up to acked. purge != 0: the peer sees everything
 * and the node is not set to keep, so lost accounts go. haves: what we
 * backfilled whole to the peer; expect: what it announced it backfilled
 * (n × RP_HAVE_LEN bytes each: account ‖ count). *out counts what was done, also on failure; then why
 * (cap bytes) says what failed, in words for the user. Returns 0,
 * RP_ENOSPC, RP_ENOMEM or RP_EIO. */
int rp_settle(rp_node *n, const uint8_t peer[RP_DEVICE_LEN], uint64_t acked, int purge,
              const uint8_t *haves, size_t nhaves,
              const uint8_t *expect, size_t nexpect,
              rp_port_settled *out, char *why, size_t cap);

#endif
