/* node/sync/serve.h — the daemon: syncs served on an endpoint until told to
 * stop (public API, node/rapport.h). */
#ifndef RP_SERVE_H
#define RP_SERVE_H

#include "../rapport.h"
#include "served.h"      /* who serves a home */

/* Where beacons go and are heard by default (discover.h). */
#define RP_DISCOVER_DEFAULT "255.255.255.255:7301"

/* 1 if addr is a place for beacons: IPv4:PORT (discover.h). */
int rp_discover_addr_ok(const char *addr);

/* How the daemon runs; zero for the defaults. */
typedef struct rp_serve_opts {
	int no_dial;         /* answer syncs only: dial no peer (outbound.h) */
	int verbose;         /* a log line per round of a live session too */
	const char *discover;   /* beacons to and from this IPv4:PORT (discover.h), NULL: none */
} rp_serve_opts;

/* Serve syncs on endpoint until *stop becomes non-zero (set it from a
 * signal handler), and sync with the peers configured here by itself
 * (outbound.h). log (may be NULL) receives one line per event. Tells
 * systemd READY=1 / STOPPING=1 when $NOTIFY_SOCKET is set. One daemon per
 * home: <home>/serve.lock. opts may be NULL.
 * Returns 0 after a clean stop, RP_EIO when endpoint cannot be bound,
 * RP_EBUSY when another process serves the home (rp_errmsg names it),
 * RP_ENOTEAM on a device not in a team that has no peer to join by. */
typedef void (*rp_log_fn)(void *arg, const char *line);
int rp_serve(rp_node *n, const char *endpoint, const rp_serve_opts *opts,
             volatile sig_atomic_t *stop, rp_log_fn log, void *arg);

#endif
