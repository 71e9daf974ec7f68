/* node/sync/client.h — one sync with a peer, both directions, over ZeroMQ
 * with CURVE (public API, node/rapport.h). */
#ifndef RP_CLIENT_H
#define RP_CLIENT_H

#include "../rapport.h"

typedef struct rp_sync_progress {
	uint64_t sent, received;     /* ops so far */
	uint64_t cursor, peer_head;  /* how far into the peer's feed, of how much */
} rp_sync_progress;
typedef void (*rp_progress_fn)(void *arg, const rp_sync_progress *p);

/* Sync with the peer called peer, or (peer NULL) with endpoint, pinning
 * device. progress (may be NULL) is called as batches move. *summary (may
 * be NULL): {peer, endpoint, sent, received, accounts, refused, pending,
 * duplicates, seconds}. Fails within 10 s when the peer is unreachable or
 * silent, with rp_errmsg naming the endpoint: RP_EIO (unreachable, silent,
 * died), RP_EDENIED (refused us: not in its roster or revoked), RP_ESIG
 * (its key is not the pinned id), RP_EVERSION, RP_ENOTMEMBER (another team). */
int rp_sync(rp_node *n, const char *peer, const char *endpoint, const uint8_t *device,
            rp_progress_fn progress, void *arg, json_t **summary);

/* The same sync kept live (session.h): once both feeds are exchanged the
 * connection stays open and each side streams what is committed to it as
 * it comes, this side woken by every commit to its home (watch.h), until
 * *stop becomes non-zero (returns 0) or the connection fails (as rp_sync's
 * failures; a peer heard nothing from for RP_LIVE_SILENT_MS is one). round
 * (may be NULL) hears of the first exchange with rp_sync's summary, and
 * then of each later round with that round's counts and "live": true.
 * Never beside a daemon that dials the peer: run by it, or by hand. */
typedef void (*rp_round_fn)(void *arg, const json_t *summary);
int rp_sync_live(rp_node *n, const char *peer, const char *endpoint, const uint8_t *device,
                 volatile sig_atomic_t *stop, rp_round_fn round, void *arg);

#endif
