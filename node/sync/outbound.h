/* node/sync/outbound.h — the daemon's own syncs: it dials the peers
 * configured on its home (`peer add`) when dial.h says so, each sync in a
 * process of its own (this binary's `rapport sync --json --live`, spawned
 * afresh, which stays live with the peer (session.h) until it fails or is
 * told to stop, a summary line per round on its pipe;
 * the daemon has threads, and a fork of it could inherit a lock one of them
 * held), so that a slow or dead peer never delays the server's loop or the
 * other peers, and a sync that dies takes nothing else with it. So rp_serve
 * dials only in the rapport binary (/proc/self/exe).
 *
 * Whatever commits to the store, a CLI write on the same home, a session of
 * the server or a child's sync, wakes it (inotify on the home): when the
 * feed grew, the peers that have not been given it yet are dialled at once,
 * which is also how ops travel on along a chain of hubs. */
#ifndef RP_OUTBOUND_H
#define RP_OUTBOUND_H

#include <zmq.h>

#include "../node.h"
#include "dial.h"
#include "watch.h"

#define RP_OUTBOUND_MAX 16          /* syncs running at once ... */
#define RP_OUTBOUND_FOUND_MAX 4     /* ... of them with devices found on the LAN */

typedef void (*rp_outbound_log)(void *arg, const char *line);

typedef struct rp_outbound_child {
	pid_t         pid;
	int           fd;             /* its report, read end */
	char          name[RP_NAME_MAX + 1];
	char          endpoint[RP_DIAL_ENDPOINT];
	uint8_t       device[RP_DEVICE_LEN];
	char          line[1536];     /* the line it is writing */
	size_t        got;
	char          why[RP_DIAL_WHY];   /* its last "rapport: ..." complaint */
	uint64_t      rounds;         /* summary lines it wrote */
	/* its live session, for `status`: since (wall ms), ops moved, behind */
	uint64_t      live_since, sent, received, behind;
} rp_outbound_child;

typedef struct rp_outbound {
	rp_node          *node;
	rp_dial           dial;
	rp_outbound_child kids[RP_OUTBOUND_MAX];
	size_t            nkids;
	rp_watch          watch;      /* the home (watch.h) */
	uint64_t          head;       /* the feed's last arrival seq */
	uint64_t          loaded;     /* when the peers were last read */
	int               changed;    /* the store changed since head was read */
	rp_outbound_log   log;
	void             *arg;
	int               verbose;    /* a line per live round too */
	uint64_t          now;        /* the time of the turn being taken */
} rp_outbound;

/* Start: watch the home, read the peers. Returns 0 (the watch is best
 * effort: without it the feed is looked at every poll). */
int rp_outbound_open(rp_outbound *o, rp_node *n, rp_outbound_log log, void *arg, int verbose);

/* The poll items it waits on (the watch, the children's reports) into
 * items (room for RP_OUTBOUND_MAX + 1); returns how many. */
int rp_outbound_items(const rp_outbound *o, zmq_pollitem_t *items);

/* One turn: what woke it, children that ended, syncs that are due. Returns
 * how long (ms) the caller may sleep before the next turn. */
uint64_t rp_outbound_turn(rp_outbound *o, uint64_t now_ms);

/* A teammate's device heard on the LAN (rp_discover_found, arg the
 * rp_outbound): dialled like a configured peer, as MEMBER@DEVICE8, while
 * it is heard. */
void rp_outbound_found(void *arg, const uint8_t device[RP_DEVICE_LEN], const char *member,
                       const char *endpoint, uint64_t now_ms);

/* Stop: the children are told to stop (SIGTERM: a sync's txn commits or
 * not) and waited for. */
void rp_outbound_close(rp_outbound *o);

#endif
