/* node/sync/served.h — the daemon's files in the home: <home>/serve.lock,
 * held (flock) by the one daemon serving the home for as long as it runs,
 * with its pid; and <home>/serve.state, what it says of the peers it dials,
 * for `peer list` and `status` to show. */
#ifndef RP_SERVED_H
#define RP_SERVED_H

#include <jansson.h>

#include "../node.h"

/* Take the home for this daemon: the fd of serve.lock (keep it open while
 * serving), or -1 with *rc and rp_errmsg set: RP_EBUSY ("HOME is already
 * served by pid N"), RP_EIO. */
int rp_served_lock(rp_node *n, int *rc);

/* The pid of the daemon serving n's home, or 0 when none does. */
long rp_served_pid(rp_node *n);

/* Say state (a JSON array, see rp_served_says): written whole, then
 * renamed over the old; NULL: say nothing (the file goes). Best effort. */
void rp_served_say(rp_node *n, const json_t *state);

/* What the daemon serving n's home last said of its peers: [{name,
 * endpoint, found, device, state: "live" | "syncing" | "ok" | "retrying" |
 * "refused" (refusal: "revoked" or "not a member"), retry_at
 * (ISO or null), failures, last, answered (the id of the last ask a sync
 * was for, "" for none), answer (that sync's summary, or null)}], or NULL
 * when no daemon serves the home (or it said nothing yet). */
json_t *rp_served_says(rp_node *n);

/* The daemon's live sessions (session.h), as it last said: the ones it
 * serves say <home>/serve.live (rp_served_live_say, a JSON array), the ones
 * it dials are its peers whose state is "live". rp_served_live gives them
 * together: [{direction: "in" | "out", member, device, peer (the name it
 * dials, or null), endpoint (or null), since (ISO, or null), sent,
 * received, behind (ops of our feed not yet sent to it, a hint)}], or an
 * empty array. */
void    rp_served_live_say(rp_node *n, const json_t *live);
json_t *rp_served_live(rp_node *n);

/* Ask the daemon serving n's home to sync with the peer called name now
 * (`rapport sync` beside a running daemon: no second connection), and wait
 * for a sync that began after the ask: 0 and *summary (rp_sync's), or
 * RP_EIO with rp_errmsg saying why that sync failed. RP_ENOTAVAIL when no
 * daemon dials that peer here (none runs, --no-dial, this is its own sync)
 * or it did not answer within RP_SERVED_ASK_MS: the caller syncs itself. */
#define RP_SERVED_ASK_MS 30000
int rp_served_ask(rp_node *n, const char *name, json_t **summary);

#endif
