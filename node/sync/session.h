/* node/sync/session.h — one sync between this node and one peer, as a pure state
 * machine: messages in (rp_session_input), messages out (rp_session_output),
 * the node's store behind a port (port.h) in between. It reads no clock,
 * starts no thread and opens no txn: the port does what touches the node.
 * No sockets: node/sync/net.c drives it in production (over the port of
 * feed.h) and the tests drive it directly, over that port or an in-memory
 * one.
 *
 * A node gives nothing to a device that is not a current member (DESIGN.md
 * §2): before the first op goes out, the peer's key (from the client's pin
 * or the server's ZAP handler, never from its hello) must name a device of
 * our roster, not revoked, whose member is admin, manager, hub or rep; its
 * scope is that member's. A revoked device, a device of another team, or an
 * unknown one that says it is joining is refused at its hello. An unknown
 * one that claims our team may give us its feed (a hub added since we last
 * synced): we send it nothing, and at its done either the roster it gave
 * makes it a member (we then stream in its scope) or we refuse it.
 *
 * Both sides run the same machine. The initiator (client) says hello first;
 * each side then streams its arrival feed from the cursor the other sent,
 * in batches of at most RP_BATCH_MAX bytes, no more than the other's credit
 * unacknowledged. Each batch gets exactly one ack, in order, carrying the
 * receiver's cursor then (never behind that batch's last, nor behind the
 * ack before); an ack that breaks this, or comes with no batch in flight,
 * fails the session, so no ack buys credit. A received batch is handed to
 * the port's commit (verified, ingested and its cursor stored in ONE txn),
 * then acked: a crash anywhere loses nothing and applies nothing twice.
 * When both feeds are exchanged the port settles the sync (views rebuilt,
 * backfills checked, lost accounts purged) and the session completes.
 *
 * A live session (both hellos asked for it: rp_session_live) does not
 * complete there: it goes RP_SESSION_LIVE and stays open. From then on each
 * side streams, in rounds, what was newly committed to it: the driver calls
 * rp_session_wake when its store may have grown, the session reads its feed
 * from where it stopped and sends batches (backfills too, when the feed
 * moved an account into the peer's scope) ended by a done; each round is
 * acknowledged and settled as the first exchange was. A round with nothing
 * for the peer sends nothing. The driver keeps the time: it asks for a
 * heartbeat (rp_session_tick) when it has sent nothing for a while and
 * closes a live session it has heard nothing from for longer. */
#ifndef RP_SESSION_H
#define RP_SESSION_H

#include <stdint.h>
#include "port.h"
#include "../../proto/msg.h"

typedef struct rp_session rp_session;

enum rp_session_state {
	RP_SESSION_HELLO = 1,     /* waiting for the peer's hello */
	RP_SESSION_STREAM,        /* exchanging batches */
	RP_SESSION_COMPLETE,      /* both feeds exchanged and acknowledged */
	RP_SESSION_FAILED,        /* see rp_session_error */
	RP_SESSION_LIVE,          /* live: both feeds exchanged, streaming what comes */
};

typedef struct rp_session_stats {
	uint64_t sent;            /* ops sent in batches */
	uint64_t received;        /* ops received that were new here */
	uint64_t duplicates;      /* ops received that were already here */
	uint64_t refused;         /* ops refused (bad signature, role, ...) */
	uint64_t pending;         /* ops held until their author is known */
	uint64_t accounts;        /* accounts whose view changed */
	uint64_t peer_head;       /* the peer's feed head (progress hint) */
	uint64_t cursor;          /* how much of the peer's feed we hold */
	uint64_t acked;           /* how much of our feed the peer acknowledged */
	uint64_t purged;          /* accounts dropped here: they changed hands */
	uint64_t whole;           /* accounts backfilled here and checked whole */
	uint64_t incomplete;      /* accounts backfilled here with ops missing */
	int64_t  clock_ahead_ms;  /* our wall clock minus the peer's, at hello (0: not told) */
} rp_session_stats;

/* A session over port with peer (its device id, from the client's pin or
 * the server's ZAP handler). The session copies the table; on success it
 * owns port->ctx and calls port->close on it when freed (on failure the
 * caller still owns it). Returns 0, RP_ENOMEM or the port's info error.
 * feed.h's rp_session_open makes one over a node. */
int  rp_session_new(const rp_port *port, const uint8_t peer[RP_DEVICE_LEN], int initiator,
                    rp_session **out);
void rp_session_free(rp_session **s);

/* Feed one message from the peer. Returns 0, or a negative RP_E* when the
 * session failed (rp_session_error says why; an error message for the
 * peer is queued). A malformed or hostile message fails the session, never
 * the node. */
int rp_session_input(rp_session *s, const uint8_t *msg, size_t len);

/* The next message to send, if any: returns 1 with *msg and *len valid until
 * the next call on s, 0 when there is nothing to send now, or a negative
 * RP_E* on a store error. */
int rp_session_output(rp_session *s, const uint8_t **msg, size_t *len);

/* want != 0: ask the peer, in our hello, to stay live (before the first
 * rp_session_output). A server asks whenever it may hold the session; the
 * session goes live only when both asked (rp_session_is_live, from the
 * peer's hello on). */
void rp_session_live(rp_session *s, int want);
int  rp_session_is_live(const rp_session *s);
/* Live: our store may have grown; the next rp_session_output reads the
 * feed on. Does nothing in another state. */
void rp_session_wake(rp_session *s);
/* Live: queue a heartbeat (tick), sent when nothing else is to be sent. */
void rp_session_tick(rp_session *s);
/* Live: how many rounds were settled after the first exchange. */
uint64_t rp_session_rounds(const rp_session *s);

/* keep != 0: do not purge accounts this member lost when the session
 * completes (a device or team setting, or `sync --keep`): passed to the
 * port's settle. */
void rp_session_keep(rp_session *s, int keep);

int  rp_session_state(const rp_session *s);
/* 1 if this session refused the peer (not a member of our team, revoked):
 * rp_session_error says which, in words for our user. */
int  rp_session_refused(const rp_session *s);
/* 1 while the peer is a stranger (no roster entry we hold names its key):
 * we take its feed and send it nothing, waiting for its done. */
int  rp_session_stranger(const rp_session *s);
const char *rp_session_error(const rp_session *s);
void rp_session_stats_get(const rp_session *s, rp_session_stats *st);

/* How many times the sync moved forward: the peer's hello, each new batch
 * taken, each ack, its done. A driver closes a session whose count stops
 * moving, whatever else the peer sends (a trickle of announcements or
 * repeated batches never keeps a session alive). */
uint64_t rp_session_progress(const rp_session *s);

/* The driver's bound on our batches in flight (0: the peer's credit alone):
 * a server shares its memory for data in flight among its sessions. The
 * session never has more than min(the peer's credit, batches) unacked. */
void rp_session_limit(rp_session *s, uint32_t batches);


#endif
