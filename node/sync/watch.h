/* node/sync/watch.h — what tells the daemon and a live sync that the store
 * may have grown: inotify on the home. Any process's commit (a CLI write,
 * a session of the server, a sync child, this process itself) writes
 * data.mdb, and so wakes whoever watches. A commit writes its meta page
 * (the event) before it makes the new txn the one readers begin from, so
 * after the last event the store is looked at again for RP_WATCH_SETTLE_MS.
 * Best effort: without inotify, every turn counts as a change. */
#ifndef RP_WATCH_H
#define RP_WATCH_H

#include <stdint.h>

#define RP_WATCH_SETTLE_MS 20

typedef struct rp_watch {
	int      fd;                /* inotify, or -1 */
	uint64_t settle_until;      /* the store is read again until then */
} rp_watch;

/* Another file of the home changed (a name that is not data.mdb). */
typedef void (*rp_watch_other_fn)(void *arg, const char *name);

/* Watch home. Returns 0; w->fd is -1 when inotify cannot be had. */
int  rp_watch_open(rp_watch *w, const char *home);
/* Take what happened (non-blocking): 1 if the store may have changed (an
 * event on data.mdb now, or within the settle time of the last), else 0;
 * other (may be NULL) hears of the other files. */
int  rp_watch_read(rp_watch *w, uint64_t now_ms, rp_watch_other_fn other, void *arg);
/* How long the caller may sleep before it must look again (the settle
 * time's next reading, every 2 ms), or UINT64_MAX. */
uint64_t rp_watch_wait(const rp_watch *w, uint64_t now_ms);
void rp_watch_close(rp_watch *w);

#endif
