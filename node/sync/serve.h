/* node/sync/serve.h — the daemon: syncs served on an endpoint until told to
 * stop (public API, node/rapport.h). */
#ifndef RP_SERVE_H
#define RP_SERVE_H

#include "../rapport.h"

/* Serve syncs on endpoint until *stop becomes non-zero (set it from a
 * signal handler). log (may be NULL) receives one line per event. Tells
 * systemd READY=1 / STOPPING=1 when $NOTIFY_SOCKET is set.
 * Returns 0 after a clean stop, RP_EIO when endpoint cannot be bound. */
typedef void (*rp_log_fn)(void *arg, const char *line);
int rp_serve(rp_node *n, const char *endpoint, volatile sig_atomic_t *stop,
             rp_log_fn log, void *arg);

#endif
