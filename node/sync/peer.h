/* node/sync/peer.h — the peers a node knows by name, and the record of the last
 * sync with each (the public calls are in rapport.h). */
#ifndef RP_PEER_H
#define RP_PEER_H

#include "../node.h"

/* 1 if ep is tcp://HOST:PORT (a predicate: 1 or 0). */
int rp_endpoint_ok(const char *ep);

/* The endpoint (into endpoint, cap bytes) and device of the peer called
 * name. Returns 0, RP_ENOTFOUND (rp_errmsg says so) or a store error. */
int rp_peer_find(rp_node *n, const char *name, char *endpoint, size_t cap,
                 uint8_t device[RP_DEVICE_LEN]);

/* rp_peer_list as the store holds it, without asking what a daemon says
 * of each (daemon: null): for the daemon itself, which reads its peers
 * every few seconds and knows its own word. */
int rp_peer_list_stored(rp_node *n, json_t **out);

/* A sync that moved nothing is written down at most this often. */
#define RP_PEER_QUIET_MS 60000

/* Remember what a sync with device did (result: "ok" or the error), with
 * endpoint when none is known for it yet (may be NULL); an "ok" that moved
 * nothing, within RP_PEER_QUIET_MS of the last "ok", is not written.
 * Returns 0 or a store error (RP_ENOSPC, RP_EIO). */
int rp_peer_record(rp_node *n, const uint8_t device[RP_DEVICE_LEN], const char *endpoint,
                   uint64_t sent, uint64_t received, const char *result);

#endif
