/* node/sync/discover.h — LAN discovery (DESIGN.md §6): the daemon says where
 * it serves with a beacon (proto/beacon.h) every RP_DISCOVER_EVERY_MS to a
 * broadcast address, and hears its teammates' beacons on the same port. When
 * the machine's links or IPv4 addresses change (a laptop back on the shop's
 * network: netlink tells), the next beacon goes RP_DISCOVER_SETTLE_MS later,
 * not at its time.
 *
 * What it hears is a hint, never trust: a beacon of another team, with a
 * bad MAC or an old stamp, or naming a device that is not in our roster
 * (or revoked, or ourselves) is dropped; one that passes only makes the
 * daemon dial the device it names at the address it came from, pinning
 * the device's id, so the CURVE handshake and the roster decide as for any
 * peer. Datagrams are read a bounded number per turn, and a device already
 * heard within the second costs no look at the roster. */
#ifndef RP_DISCOVER_H
#define RP_DISCOVER_H

#include <stdint.h>
#include <netinet/in.h>

#include "../node.h"
#include "serve.h"       /* RP_DISCOVER_DEFAULT */

#define RP_DISCOVER_EVERY_MS  3000     /* a beacon this often */
#define RP_DISCOVER_TTL_MS    15000    /* a device not heard for this long is forgotten */
#define RP_DISCOVER_READS     64       /* datagrams read per turn, at most */
#define RP_DISCOVER_SETTLE_MS 300      /* a network change: the beacon after this */

/* A teammate's device heard on the LAN: it serves syncs at endpoint. */
typedef void (*rp_discover_found)(void *arg, const uint8_t device[RP_DEVICE_LEN], const char *member,
                                  const char *endpoint, uint64_t now_ms);

typedef struct rp_discover {
	rp_node *node;
	int      fd;              /* the UDP socket, or -1 */
	int      nl;              /* netlink (links, IPv4 addresses), or -1: best effort */
	uint64_t changes;         /* network changes heard (each burst once) */
	struct sockaddr_in to;    /* where beacons go */
	uint16_t serve_port;      /* what our beacons say */
	uint64_t next_send;
	struct { uint8_t device[RP_DEVICE_LEN]; uint64_t at; } heard[64];   /* recently, round robin */
	size_t   nheard, next_heard;
	uint64_t dropped;         /* datagrams dropped since the last line about it */
	rp_discover_found found;
	void    *arg;
} rp_discover;

/* Listen and announce on addr ("IPv4:PORT", e.g. RP_DISCOVER_DEFAULT), saying
 * we serve on serve_port. Returns 0, RP_EINVAL (a bad addr, rp_errmsg says
 * so) or RP_EIO (no socket: rp_errmsg says why). */
int rp_discover_open(rp_discover *d, rp_node *n, const char *addr, uint16_t serve_port,
                     rp_discover_found found, void *arg);

/* The socket to poll for reading, or -1. */
int rp_discover_fd(const rp_discover *d);

/* One turn: the beacons heard, ours when due. Returns ms until the next is due. */
uint64_t rp_discover_turn(rp_discover *d, uint64_t now_ms);

void rp_discover_close(rp_discover *d);

#endif
