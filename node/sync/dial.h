/* node/sync/dial.h — when the daemon syncs with each peer it dials (the
 * peers configured with `peer add`): at once when this node's feed grew
 * past what the peer was last given, every RP_DIAL_PULL_MS to hear what the
 * peer has, and after a failure again with backoff (1 s, doubling to 60 s,
 * with ±25 % jitter so that a hub coming back is not met by every device at
 * the same instant). A peer is never dialled twice at once.
 *
 * Pure: the caller says what time it is and how far the feed goes, runs the
 * syncs and reports how they went; nothing here touches a socket or the
 * store. */
#ifndef RP_DIAL_H
#define RP_DIAL_H

#include <stddef.h>
#include <stdint.h>

#include "../../proto/id.h"
#include "../../proto/limits.h"

#define RP_DIAL_PULL_MS     2000      /* a quiet peer is asked this often */
#define RP_DIAL_BACKOFF_MS  1000      /* the first retry after a failure ... */
#define RP_DIAL_BACKOFF_MAX 60000     /* ... doubling up to this */
#define RP_DIAL_ENDPOINT    256
#define RP_DIAL_WHY         160
#define RP_DIAL_ASK         17        /* an ask's id: 16 hex digits */

typedef struct rp_dial_peer {
	char     name[RP_NAME_MAX + 1];
	char     endpoint[RP_DIAL_ENDPOINT];
	uint8_t  device[RP_DEVICE_LEN];
	uint64_t next_ms;        /* not dialled before this */
	uint64_t given;          /* the feed's head when the last good sync began */
	uint64_t running_head;   /* the feed's head when the sync running began */
	uint32_t failures;       /* in a row */
	int      running;
	int      live;           /* the sync running is live (rp_dial_live) */
	int      seen;           /* still configured (rp_dial_sweep) */
	int      found;          /* heard on the LAN, not configured: forgotten at expires_ms */
	uint64_t expires_ms;
	char     last[RP_DIAL_WHY];   /* "" before the first sync, "ok" or why it failed */
	/* A command asked for a sync now (`rapport sync` beside the daemon):
	 * asked is due at once; asking, the sync running for it; answered,
	 * the ask the last sync that ended was for. Ids, "" for none. */
	char     asked[RP_DIAL_ASK], asking[RP_DIAL_ASK], answered[RP_DIAL_ASK];
	char     answer[1024];   /* the caller's word on the last sync (outbound: its summary) */
} rp_dial_peer;

typedef struct rp_dial {
	rp_dial_peer *p;
	size_t        n, cap;
	uint32_t      rand;      /* the jitter's state (xorshift32); any non-zero seed */
	/* At most this many found peers running at once (0: no bound): a
	 * sync now stays live, and a busy LAN must not take every slot from
	 * the peers configured here. */
	size_t        found_max;
} rp_dial;

/* A peer configured now (name, endpoint, device): added, due at once, or
 * brought up to date (a new endpoint or device is dialled at once). Marks
 * it seen. Returns 0 or RP_ENOMEM; RP_EINVAL for a name or endpoint too
 * long. */
int rp_dial_set(rp_dial *d, const char *name, const char *endpoint,
                const uint8_t device[RP_DEVICE_LEN], uint64_t now);

/* A device heard on the LAN (discover.h), called name, at endpoint: added,
 * due at once, or its endpoint brought up to date; forgotten ttl_ms after
 * it was last heard. A device that is a configured peer is not added (its
 * configuration says where it is). Returns 0, RP_ENOMEM or RP_EINVAL. */
int rp_dial_found(rp_dial *d, const char *name, const char *endpoint,
                  const uint8_t device[RP_DEVICE_LEN], uint64_t now, uint64_t ttl_ms);

/* Before a new round of rp_dial_set: no configured peer is seen. After it,
 * rp_dial_sweep drops the configured peers not seen (removed) and the
 * found ones not heard by now, except those running, which go once they
 * are done. */
void rp_dial_unsee(rp_dial *d);
void rp_dial_sweep(rp_dial *d, uint64_t now);

/* A peer to dial now, given the feed's head, marked running; NULL if none. */
rp_dial_peer *rp_dial_next(rp_dial *d, uint64_t now, uint64_t head);

/* How long until rp_dial_next may return one (0: now; UINT64_MAX: never,
 * all running or none). */
uint64_t rp_dial_wait(const rp_dial *d, uint64_t now, uint64_t head);

/* A command asks for a sync with p now, as id (RP_DIAL_ASK - 1 characters
 * at most): it is due at once, backoff or not, and answered by a sync that
 * starts after the ask; a live sync answers it at once. */
void rp_dial_ask(rp_dial_peer *p, const char *id);

/* The sync running for p went live (session.h: its first exchange is
 * over and it stays open): a good sync, which stays running and answers
 * every ask at once, the one it was started for too. */
void rp_dial_live(rp_dial_peer *p);

/* The sync of p ended: ok, or failed with why. */
void rp_dial_done(rp_dial *d, rp_dial_peer *p, int ok, const char *why, uint64_t now);

/* The retry delay after failures failures in a row, before the jitter. */
uint64_t rp_dial_backoff(uint32_t failures);

void rp_dial_free(rp_dial *d);

#endif
