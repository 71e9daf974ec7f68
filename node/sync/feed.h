/* node/sync/feed.h — a sync session over this node's store: the port of
 * port.h built on LMDB. The outgoing feed lives here: the peer's scope
 * (scope.h), the accounts withheld from it and written down in `skipped`,
 * the backfill plan, the feed and backfill reads, the revocation notice,
 * and the notes for `status`. Incoming batches go to commit.h; the work
 * after a complete sync to settle.h. */
#ifndef RP_FEED_H
#define RP_FEED_H

#include "session.h"
#include "../node.h"

/* A session over node n (borrowed: it must outlive the session) with
 * peer, as rp_session_new. Returns 0, RP_ENOMEM or RP_EIO. */
int rp_session_open(rp_node *n, const uint8_t peer[RP_DEVICE_LEN], int initiator,
                    rp_session **out);

#endif
