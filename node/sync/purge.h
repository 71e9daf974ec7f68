/* node/sync/purge.h — a rep's device letting go of accounts that changed hands:
 * once a full-scope peer (hub, manager, admin) holds everything this device
 * had, the history of an account its member no longer owns or follows is
 * deleted here (its assign ops stay, so the device knows where it went),
 * and a purge receipt op tells the team. */
#ifndef RP_PURGE_H
#define RP_PURGE_H

#include "../node.h"

/* Purge every account this device's member (a rep) has lost, unless the
 * node is set to keep. *count receives how many. Returns 0 or RP_E*. */
int rp_purge_lost(rp_node *n, uint64_t *count);

#endif
