/* proto/beacon.h — the LAN beacon (DESIGN.md §6): a UDP datagram a daemon
 * sends to say "a device of this team serves syncs on this port":
 *
 *   magic "RPB1" (4) ‖ version (1) ‖ team id (32) ‖ device id (32) ‖
 *   port (2, big-endian) ‖ stamp (8, ms since the epoch, big-endian) ‖
 *   MAC (16): BLAKE2b-128 of all before it, keyed by BLAKE2b-256 of the
 *   team id under "rapport beacon v1".
 *
 * A beacon is a hint, never trust: anyone who saw the team's ops can make
 * one. Whoever acts on it dials the device it names, pinning its id: the
 * CURVE handshake and the roster decide, as for any peer. Pure: no I/O. */
#ifndef RP_BEACON_H
#define RP_BEACON_H

#include <stddef.h>
#include <stdint.h>

#include "id.h"

#define RP_BEACON_LEN      95
#define RP_BEACON_VERSION  1
#define RP_BEACON_SKEW_MS  (10 * 60 * 1000)   /* a stamp further than this from ours is stale */

typedef struct rp_beacon {
	uint8_t  team[RP_TEAM_LEN];
	uint8_t  device[RP_DEVICE_LEN];
	uint16_t port;
	uint64_t stamp_ms;
} rp_beacon;

/* The beacon b into out. */
void rp_beacon_encode(const rp_beacon *b, uint8_t out[RP_BEACON_LEN]);

/* Check a datagram against our team: 0 and *b when it is a beacon of team
 * (its MAC good, its stamp within RP_BEACON_SKEW_MS of now_ms, a port);
 * RP_EFORMAT when it is not a beacon of this format, RP_ENOTMEMBER when it
 * is another team's (or its MAC is bad), RP_ELIMIT when its stamp is too old
 * or too new. */
int rp_beacon_decode(const uint8_t *buf, size_t len, const uint8_t team[RP_TEAM_LEN],
                     uint64_t now_ms, rp_beacon *b);

#endif
