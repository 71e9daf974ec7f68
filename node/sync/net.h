/* node/sync/net.h — the ZeroMQ transport: CURVE keys derived from device keys,
 * the ZAP handler that admits only roster devices, socket tuning (message
 * size limit, heartbeats, linger) and the monitor that tells a refused
 * handshake from a silent peer. No session logic: session.c owns that. */
#ifndef RP_NET_H
#define RP_NET_H

#include <stddef.h>
#include <stdint.h>
#include "../node.h"

#define RP_NET_MSG_MAX      (RP_BATCH_MAX + 64 * 1024)  /* ZMQ_MAXMSGSIZE */
#define RP_NET_TIMEOUT_MS   10000                       /* any wait on a peer */
/* A live session (session.h) says a tick after this long of saying nothing,
 * and is closed after this long of hearing nothing. */
#define RP_LIVE_TICK_MS     5000
#define RP_LIVE_SILENT_MS   (3 * RP_LIVE_TICK_MS)

/* The X25519 (CURVE) public key of a device id. Returns 0 or RP_EINVAL
 * (not a valid Ed25519 point). */
int rp_net_curve_public(const uint8_t dev[RP_DEVICE_LEN], uint8_t cpk[32]);

/* This device's CURVE key pair. The secret is wiped by the caller.
 * Returns 0 or RP_EINVAL. */
int rp_net_curve_pair(const rp_key *key, uint8_t cpk[32], uint8_t csk[32]);

/* Options every rapport socket gets: ZMQ_MAXMSGSIZE, heartbeats, linger.
 * Returns 0 or RP_EIO. */
int rp_net_tune(void *sock);

/* A ZAP handler (ZeroMQ authentication, RFC 27) bound in ctx. It must be
 * open before any CURVE server socket binds. rp_zap_open returns 0 with
 * *out owning the handler (free it with rp_zap_close, before ctx ends; it
 * borrows n, which must outlive it), RP_ENOMEM or RP_EIO. rp_zap_socket
 * is the handler's socket, to poll: it stays the handler's. */
typedef struct rp_zap rp_zap;
int   rp_zap_open(void *ctx, rp_node *n, rp_zap **out);
void *rp_zap_socket(rp_zap *z);
/* Answer one pending request: admit a CURVE key that belongs to a device of
 * the roster (its id becomes the connection's User-Id), refuse any other.
 * A revoked device is admitted, to be told so by its session. why (cap
 * bytes) gets a line for the log either way. Returns 0 (admitted) or
 * RP_EDENIED. */
int   rp_zap_handle(rp_zap *z, char *why, size_t cap);
void  rp_zap_close(rp_zap **z);

/* Watch sock's handshakes: returns the monitor's PAIR socket (the
 * caller's, to zmq_close), or NULL when it cannot be made. name makes its
 * inproc endpoint unique. */
void *rp_net_monitor(void *ctx, void *sock, const char *name);

/* Read one monitor event (non-blocking): *event, *value. Returns 1, or 0
 * when there is none. */
int rp_net_monitor_event(void *mon, uint16_t *event, uint32_t *value);

#endif
