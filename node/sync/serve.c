/* node/sync/serve.c — `rapport serve`: a ROUTER socket with CURVE, the ZAP
 * handler, and one session per connected device, all on one thread driven
 * by zmq_poll. A peer that misbehaves, stalls or vanishes loses its session;
 * nothing a peer sends can stop the loop. The same loop drives the daemon's
 * own syncs with its peers (outbound.h) and its beacons (discover.h). */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "zmqlib.h"

#include "serve.h"
#include "../node.h"
#include "net.h"
#include "peer.h"
#include "../store/roster.h"
#include "feed.h"
#include "../store/view.h"
#include "../erase.h"
#include "../store/pending.h"
#include "../store/txn.h"
#include "../../proto/error.h"
#include "outbound.h"
#include "discover.h"
#include "served.h"
#include "watch.h"

/* What one member's device, broken or hostile, can take of the hub
 * (DESIGN.md §8): a few sessions, a fair share of the memory for data in
 * flight, one batch's time of the loop per turn. */
#define S_SESSIONS_MAX  1024            /* all sessions at once */
#define S_PER_DEVICE    4               /* one device's sessions: a fifth replaces its oldest */
#define S_FLIGHT_BYTES  (64u << 20)     /* our batches in flight, all sessions together */
#define S_TURN_MSGS     2               /* messages one session sends per turn */
#define S_ROUND_MS      20              /* a round's input, or its turns, stop after this */
#define S_IDLE_MS       (3 * RP_NET_TIMEOUT_MS)   /* no progress for this long: closed */
#define S_STARTS_BURST  16              /* sessions one device may start at once ... */
#define S_STARTS_MS     250             /* ... and one more per this many ms */
#define S_ROUTING_MAX   256

typedef struct s_conn {
	uint8_t     routing[S_ROUTING_MAX];
	size_t      routing_len;
	rp_session *session;
	uint8_t     device[RP_DEVICE_LEN];
	char        who[RP_NAME_MAX + 24];
	uint64_t    started, last;      /* last: when the sync last moved forward */
	uint64_t    progress;           /* rp_session_progress at `last` */
	int         busy;               /* has more to send: gets the next turn */
	/* live (session.h): kept by what is heard, not by progress */
	uint64_t    heard, said;        /* when a message last came, went */
	uint64_t    rounds;             /* rp_session_rounds last logged */
	int         live;               /* its first exchange is over and it stays */
	uint64_t    live_since;         /* when it went live, wall clock ms */
	rp_session_stats at_round;      /* the stats when its last round was logged */
} s_conn;

/* How many sessions a device may still start: a token bucket, so that a
 * device opening hundreds at once costs the loop a hello's decoding each,
 * not a session's setup (its scope, its backfill plan). */
typedef struct s_starts {
	uint8_t  device[RP_DEVICE_LEN];
	uint64_t at;             /* when tokens was last brought up to date */
	uint32_t tokens;
} s_starts;

/* A line said once per burst of its kind, with how many it stood for. */
typedef struct s_burst {
	uint64_t quiet_until, count;
} s_burst;

typedef struct s_server {
	rp_node   *node;
	void      *ctx, *sock, *mon;
	rp_zap    *zap;
	s_conn    *conns;
	size_t     nconns;
	size_t     next_turn;           /* where the next round of turns starts */
	s_starts  *starts;              /* S_SESSIONS_MAX devices seen last */
	size_t     nstarts;
	rp_log_fn  log;
	void      *arg;
	int        verbose;             /* a line per live round too */
	uint64_t   live_said;           /* when serve.live was last written (0: it must be) */
	uint64_t   head;                /* the feed's head the live sessions were woken at */
	s_burst    replaced, evicted, idle, unstarted, throttled, unsent, handshake, refusals;
	uint64_t   dropped;             /* sessions closed since memory was last handed back */
} s_server;

static uint64_t s_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void s_log(s_server *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_log(s_server *sv, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	if (!sv->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	sv->log(sv->arg, line);
}

/* systemd's readiness protocol: one datagram to $NOTIFY_SOCKET. */
static void s_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd;
	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof sa.sun_path)
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = 0;                 /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

/* Say a line of a kind that comes in floods at most once per 10 s; the
 * sweep says how many were held back (s_burst_end). */
static void s_log_burst(s_server *sv, s_burst *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Would s_log_burst say its line now? (To skip working out its words.) */
static int s_burst_due(const s_burst *b)
{
	return s_mono_ms() >= b->quiet_until;
}

static void s_log_burst(s_server *sv, s_burst *b, const char *fmt, ...)
{
	char line[400];
	uint64_t now = s_mono_ms();
	va_list ap;
	if (now < b->quiet_until) {
		b->count++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	s_log(sv, "%s", line);
	b->quiet_until = now + 10000;
}

/* A burst that went quiet: say how many more there were. */
static void s_burst_end(s_server *sv, s_burst *b, const char *what)
{
	if (b->count && s_mono_ms() >= b->quiet_until) {
		s_log(sv, "(%llu more %s in the last 10 s)", (unsigned long long)b->count, what);
		b->count = 0;
	}
}

static void s_drop(s_server *sv, size_t i)
{
	if (sv->conns[i].live)
		sv->live_said = 0;          /* one live session fewer to tell of */
	rp_session_free(&sv->conns[i].session);
	sv->conns[i] = sv->conns[--sv->nconns];
	sv->dropped++;
}

static int s_send(s_server *sv, s_conn *c, const uint8_t *msg, size_t len)
{
	if (zmq_send(sv->sock, c->routing, c->routing_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(sv->sock, msg, len, ZMQ_DONTWAIT) < 0)
		return -1;
	c->said = s_mono_ms();
	return 0;
}

/* Tell the peer of connection c why we will not go on (an error message). */
static void s_tell(s_server *sv, s_conn *c, int code, const char *why)
{
	uint8_t msg[RP_MSG_TEXT_MAX + 64];
	size_t len;
	if (rp_msg_error(msg, sizeof msg, &len, code, why) == 0)
		s_send(sv, c, msg, len);
}

/* Close conn i's session, telling the peer why (its next sync resumes). */
static void s_close(s_server *sv, size_t i, const char *why)
{
	s_tell(sv, &sv->conns[i], RP_EBUSY, why);
	s_drop(sv, i);
}

static void s_who(s_server *sv, s_conn *c)
{
	char member[RP_NAME_MAX + 1] = "?", id[RP_DEVICE_TEXT + 1];
	rp_txn *txn;
	if (rp_store_begin(sv->node->store, 0, &txn) == 0) {
		rp_roster_device(sv->node->store, txn, c->device, member, NULL);
		rp_store_end(txn);
	}
	rp_b32_encode(c->device, RP_DEVICE_LEN, id, sizeof id);
	snprintf(c->who, sizeof c->who, "%s (%.8s)", member, id);
}

/* Room for a new session of device dev: a device holding S_PER_DEVICE
 * loses its oldest, a full table the one whose sync moved last longest
 * ago. One member's flood can never keep another device out. */
static void s_make_room(s_server *sv, const uint8_t dev[RP_DEVICE_LEN])
{
	size_t mine = 0, oldest = 0, stalest = 0;
	for (size_t i = 0; i < sv->nconns; i++) {
		if (!memcmp(sv->conns[i].device, dev, RP_DEVICE_LEN) &&
		    (mine++ == 0 || sv->conns[i].started < sv->conns[oldest].started))
			oldest = i;
		if (sv->conns[i].last < sv->conns[stalest].last)
			stalest = i;
	}
	if (mine >= S_PER_DEVICE) {
		s_log_burst(sv, &sv->replaced, "%s: more than %d sessions at once: its oldest closed",
		            sv->conns[oldest].who, S_PER_DEVICE);
		s_close(sv, oldest, "session closed: a newer session of this device took its place");
	} else if (sv->nconns == S_SESSIONS_MAX) {
		s_log_burst(sv, &sv->evicted, "%d sessions at once: %s, the one idle longest, closed",
		            S_SESSIONS_MAX, sv->conns[stalest].who);
		s_close(sv, stalest, "session closed: the node is serving as many sessions as it can "
		        "and this one was idle longest");
	}
}

/* May device dev start a session now? Takes a token if so. */
static int s_may_start(s_server *sv, const uint8_t dev[RP_DEVICE_LEN])
{
	uint64_t now = s_mono_ms();
	s_starts *e = NULL, *oldest = NULL;
	for (size_t i = 0; i < sv->nstarts; i++) {
		if (!memcmp(sv->starts[i].device, dev, RP_DEVICE_LEN)) {
			e = &sv->starts[i];
			break;
		}
		if (!oldest || sv->starts[i].at < oldest->at)
			oldest = &sv->starts[i];
	}
	if (!e) {
		e = sv->nstarts < S_SESSIONS_MAX ? &sv->starts[sv->nstarts++] : oldest;
		memcpy(e->device, dev, RP_DEVICE_LEN);
		e->at = now;
		e->tokens = S_STARTS_BURST;
	}
	if (now - e->at >= S_STARTS_MS) {
		uint64_t more = (now - e->at) / S_STARTS_MS;
		e->tokens = e->tokens + more >= S_STARTS_BURST ? S_STARTS_BURST : e->tokens + (uint32_t)more;
		e->at += more * S_STARTS_MS;
	}
	if (!e->tokens)
		return 0;
	e->tokens--;
	return 1;
}

/* The session of the connection rid, or a new one if msg is a hello. A
 * connection whose session was closed here that goes on talking (or one
 * that never said hello) gets no new session, only the word to start
 * again: a session is a slot another device may need. */
static s_conn *s_conn_find(s_server *sv, const uint8_t *rid, size_t rlen, const char *user,
                           const uint8_t *msg, size_t len)
{
	uint8_t dev[RP_DEVICE_LEN];
	rp_msg m;
	s_conn *c;
	int rc;
	for (size_t i = 0; i < sv->nconns; i++)
		if (sv->conns[i].routing_len == rlen && !memcmp(sv->conns[i].routing, rid, rlen))
			return &sv->conns[i];
	if (!user || rp_b32_decode(user, dev, RP_DEVICE_LEN) != 0 || rlen > S_ROUTING_MAX)
		return NULL;                 /* not through our ZAP: cannot happen, never trusted */
	c = &sv->conns[sv->nconns];          /* a free slot, to answer through */
	memset(c, 0, sizeof *c);
	memcpy(c->routing, rid, rlen);
	c->routing_len = rlen;
	memcpy(c->device, dev, RP_DEVICE_LEN);
	rc = rp_msg_decode(msg, len, &m);
	if (rc != RP_EVERSION && (rc != 0 || m.type != RP_MSG_HELLO)) {
		/* (a version we do not speak gets its session: it says so) */
		if (rc != 0 || m.type != RP_MSG_ERROR)          /* an error is never answered */
			s_tell(sv, c, RP_EFORMAT, "no session here: start again with hello");
		if (s_burst_due(&sv->unstarted))
			s_who(sv, c);
		s_log_burst(sv, &sv->unstarted, "%s: sync failed: %s with no session (told to start again "
		            "with hello)", c->who, rc ? "malformed message" : "a message other than hello");
		return NULL;
	}
	if (!s_may_start(sv, dev)) {
		s_tell(sv, c, RP_EBUSY, "too many new sessions from this device: try again in a few seconds");
		if (s_burst_due(&sv->throttled))
			s_who(sv, c);
		s_log_burst(sv, &sv->throttled, "%s: started more than %d sessions at once: the others told "
		            "to wait", c->who, S_STARTS_BURST);
		return NULL;
	}
	s_make_room(sv, dev);
	c = &sv->conns[sv->nconns];
	memset(c, 0, sizeof *c);
	memcpy(c->routing, rid, rlen);
	c->routing_len = rlen;
	memcpy(c->device, dev, RP_DEVICE_LEN);
	if (rp_session_open(sv->node, dev, 0, &c->session))
		return NULL;
	rp_session_live(c->session, 1);     /* if the peer asks for it */
	sv->nconns++;
	c->started = c->last = c->heard = s_mono_ms();
	s_who(sv, c);
	return c;
}

/* Our batches in flight are shared out: each session may have its fair
 * share of S_FLIGHT_BYTES unacked, at least one batch. */
static uint32_t s_share(const s_server *sv)
{
	size_t per = S_FLIGHT_BYTES / RP_BATCH_MAX / (sv->nconns ? sv->nconns : 1);
	return per < 1 ? 1 : per > RP_CREDIT_MAX ? RP_CREDIT_MAX : (uint32_t)per;
}

/* "ann (4fk2q7ab): WHAT: sent 2 ops, received 1 op (1 account changed)[ in 0.02 s]"
 * (secs < 0: no time). */
static void s_log_moved(s_server *sv, const s_conn *c, const char *what, uint64_t sent,
                        uint64_t got, uint64_t accounts, double secs)
{
	char in[32] = "";
	if (secs >= 0)
		snprintf(in, sizeof in, " in %.2f s", secs);
	s_log(sv, "%s: %s: sent %llu op%s, received %llu op%s (%llu account%s changed)%s", c->who, what,
	      (unsigned long long)sent, sent == 1 ? "" : "s", (unsigned long long)got, got == 1 ? "" : "s",
	      (unsigned long long)accounts, accounts == 1 ? "" : "s", in);
}

/* The session of conn i ended (complete or failed): say so and close it. */
static void s_finish(s_server *sv, size_t i)
{
	s_conn *c = &sv->conns[i];
	rp_session *ss = c->session;
	if (c->live) {
		s_log(sv, "%s: live session ended: %s", c->who, rp_session_error(ss));
		rp_peer_record(sv->node, c->device, NULL, 0, 0, rp_session_error(ss));
	} else if (rp_session_state(ss) == RP_SESSION_COMPLETE) {
		rp_session_stats st;
		rp_session_stats_get(ss, &st);
		/* the daemons' syncs that find nothing new are not worth a line */
		if (st.sent || st.received || st.refused || st.purged)
			s_log_moved(sv, c, "synced", st.sent, st.received, st.accounts,
			            (double)(s_mono_ms() - c->started) / 1000.0);
		rp_peer_record(sv->node, c->device, NULL, st.sent, st.received, "ok");
	} else if (!rp_session_progress(ss) && !rp_session_refused(ss)) {
		/* Never started (the tail of a session closed here, or junk):
		 * worth a line per burst, not a write to the store. */
		s_log_burst(sv, &sv->unstarted, "%s: sync failed: %s", c->who, rp_session_error(ss));
	} else {
		s_log(sv, "%s: %s: %s", c->who, rp_session_refused(ss) ? "refused" : "sync failed",
		      rp_session_error(ss));
		rp_peer_record(sv->node, c->device, NULL, 0, 0, rp_session_error(ss));
	}
	s_drop(sv, i);
}

/* A live session's first exchange, then each later round: a line for the
 * first (its start), one per round only when verbose. */
static void s_live_rounds(s_server *sv, s_conn *c)
{
	rp_session_stats st;
	uint64_t r = rp_session_rounds(c->session);
	if (c->live && r == c->rounds)
		return;
	rp_session_stats_get(c->session, &st);
	if (!c->live) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		c->live_since = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		c->live = 1;
		sv->live_said = 0;
		s_log_moved(sv, c, "live session", st.sent, st.received, st.accounts,
		            (double)(s_mono_ms() - c->started) / 1000.0);
		rp_peer_record(sv->node, c->device, NULL, st.sent, st.received, "ok");
	} else {
		uint64_t sent = st.sent - c->at_round.sent, got = st.received - c->at_round.received;
		if (sv->verbose)
			s_log_moved(sv, c, "live round", sent, got, st.accounts - c->at_round.accounts, -1);
		rp_peer_record(sv->node, c->device, NULL, sent, got, "ok");
	}
	c->rounds = r;
	c->at_round = st;
}

/* Conn i's turn: send at most S_TURN_MSGS of what its session has for the
 * peer (one batch's work at most), then close it if it ended. */
static void s_turn(s_server *sv, size_t i)
{
	s_conn *c = &sv->conns[i];
	const uint8_t *out;
	size_t olen;
	int sent = 0, rc = 0;

	rp_session_limit(c->session, s_share(sv));
	c->busy = 0;
	while (sent < S_TURN_MSGS && (rc = rp_session_output(c->session, &out, &olen)) == 1) {
		if (s_send(sv, c, out, olen) != 0) {
			if (c->live)
				s_log(sv, "%s: live session ended: its connection is gone", c->who);
			else
				s_log_burst(sv, &sv->unsent, "%s: cannot send (%s): session dropped", c->who,
				            zmq_strerror(zmq_errno()));
			s_drop(sv, i);
			return;
		}
		sent++;
	}
	if (rc < 0) {
		s_log(sv, "%s: sync failed: cannot read our feed: %s", c->who, rp_strerror(rc));
		s_drop(sv, i);
		return;
	}
	if (rp_session_state(c->session) == RP_SESSION_LIVE)
		s_live_rounds(sv, c);
	if (sent == S_TURN_MSGS)
		c->busy = 1;                 /* maybe more: next round */
	else if (rp_session_state(c->session) == RP_SESSION_FAILED ||
	         rp_session_state(c->session) == RP_SESSION_COMPLETE)
		s_finish(sv, i);
}

/* Feed one message to its connection's session and give it a turn. */
static void s_message(s_server *sv, const uint8_t *rid, size_t rlen, zmq_msg_t *m)
{
	s_conn *c = s_conn_find(sv, rid, rlen, zmq_msg_gets(m, "User-Id"), zmq_msg_data(m), zmq_msg_size(m));
	uint64_t p;
	if (!c)
		return;
	c->heard = s_mono_ms();
	rp_session_input(c->session, zmq_msg_data(m), zmq_msg_size(m));
	if ((p = rp_session_progress(c->session)) != c->progress) {
		c->progress = p;
		c->last = s_mono_ms();
	}
	s_turn(sv, (size_t)(c - sv->conns));
}

/* Take messages for S_ROUND_MS at most (the one that runs over is one
 * batch's work): handshakes and other sessions wait no longer. Returns 1 if
 * more may be waiting. */
static int s_router(s_server *sv)
{
	for (uint64_t until = s_mono_ms() + S_ROUND_MS; s_mono_ms() < until; ) {
		uint8_t rid[S_ROUTING_MAX];
		int more = 0, n;
		size_t sz = sizeof more;
		zmq_msg_t m;
		n = zmq_recv(sv->sock, rid, sizeof rid, ZMQ_DONTWAIT);
		if (n < 0)
			return 0;
		zmq_getsockopt(sv->sock, ZMQ_RCVMORE, &more, &sz);
		if (!more)
			continue;                    /* a bare routing id: nothing to do */
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sv->sock, 0) < 0) {
			zmq_msg_close(&m);
			return 0;
		}
		zmq_getsockopt(sv->sock, ZMQ_RCVMORE, &more, &sz);
		if (!more && n > 0 && (size_t)n <= sizeof rid)
			s_message(sv, rid, (size_t)n, &m);
		zmq_msg_close(&m);
		while (more) {                   /* a DEALER sends one frame: drop extras */
			zmq_msg_t x;
			zmq_msg_init(&x);
			zmq_msg_recv(&x, sv->sock, 0);
			zmq_msg_close(&x);
			zmq_getsockopt(sv->sock, ZMQ_RCVMORE, &more, &sz);
		}
	}
	return 1;
}

/* One turn for every session with more to send. Returns 1 if any still has. */
static int s_round(s_server *sv)
{
	uint64_t until = s_mono_ms() + S_ROUND_MS;
	int any = 0;
	/* From where the last round stopped, for S_ROUND_MS at most: every
	 * busy session gets its turn in order, however many there are. */
	for (size_t k = 0; k < sv->nconns; k++) {
		size_t i = (sv->next_turn + k) % sv->nconns;
		if (s_mono_ms() >= until) {
			sv->next_turn = i;
			return 1;
		}
		if (sv->conns[i].busy) {
			s_turn(sv, i);
			if (i < sv->nconns && sv->conns[i].busy)
				any = 1;
		}
	}
	sv->next_turn = 0;
	return any;
}

/* Handshake failures come in bursts (a client reconnects): one line per burst. */
static void s_events(s_server *sv)
{
	uint16_t ev;
	uint32_t val;
	while (rp_net_monitor_event(sv->mon, &ev, &val))
		if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL || ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
			s_log_burst(sv, &sv->handshake, "a connection failed the CURVE handshake (not a "
			            "rapport peer, or it pinned another node's id)");
	/* ZAP refusals are logged by the ZAP handler, naming the key */
}

/* Close the sessions whose sync has not moved for S_IDLE_MS: a peer that
 * trickles announcements or repeats itself is as idle as a silent one. */
static void s_sweep(s_server *sv)
{
	uint64_t now = s_mono_ms();
	for (size_t i = sv->nconns; i > 0; i--) {
		s_conn *c = &sv->conns[i - 1];
		if (rp_session_state(c->session) != RP_SESSION_LIVE)
			continue;
		if (now - c->heard > RP_LIVE_SILENT_MS) {
			s_log(sv, "%s: live session ended: nothing heard for %d s", c->who, RP_LIVE_SILENT_MS / 1000);
			rp_peer_record(sv->node, c->device, NULL, 0, 0, "the live session went silent");
			s_close(sv, i - 1, "session closed: nothing heard from this device for too long");
		} else if (now - c->said >= RP_LIVE_TICK_MS) {
			rp_session_tick(c->session);
			c->busy = 1;
		}
	}
	for (size_t i = sv->nconns; i > 0; i--)
		if (rp_session_state(sv->conns[i - 1].session) != RP_SESSION_LIVE &&
		    now - sv->conns[i - 1].last > S_IDLE_MS) {
			s_log_burst(sv, &sv->idle, "%s: no progress for %d s: session closed (its next "
			            "sync resumes)", sv->conns[i - 1].who, S_IDLE_MS / 1000);
			s_close(sv, i - 1, "session closed: the sync made no progress for too long");
		}
	s_burst_end(sv, &sv->replaced, "sessions replaced by a newer one of their device");
	s_burst_end(sv, &sv->evicted, "sessions closed to make room");
	s_burst_end(sv, &sv->idle, "sessions closed for making no progress");
	s_burst_end(sv, &sv->unstarted, "sessions that failed before they started");
	s_burst_end(sv, &sv->throttled, "sessions refused: their device started too many");
	s_burst_end(sv, &sv->unsent, "sessions dropped for a failed send");
	s_burst_end(sv, &sv->handshake, "failed CURVE handshakes");
	s_burst_end(sv, &sv->refusals, "refused connections");
	/* After a flood, hand the freed memory back (glibc keeps it otherwise). */
	if (sv->dropped && (sv->nconns == 0 || sv->dropped >= 64)) {
		malloc_trim(0);
		sv->dropped = 0;
	}
}

/* The live sessions served, for `status` (served.h): when one starts or
 * ends, and every few seconds for their counts. */
static void s_live_say(s_server *sv)
{
	json_t *list;
	rp_txn *txn;
	uint64_t now = s_mono_ms();
	int any = sv->live_said == 0;
	if (sv->live_said && now - sv->live_said < 5000)
		return;
	list = json_array();
	if (rp_store_begin(sv->node->store, 0, &txn) != 0)
		txn = NULL;                  /* members unknown this time */
	for (size_t i = 0; list && i < sv->nconns; i++) {
		s_conn *c = &sv->conns[i];
		rp_session_stats st;
		char member[RP_NAME_MAX + 1] = "", id[RP_DEVICE_TEXT + 1], when[32];
		if (!c->live)
			continue;
		any = 1;
		rp_session_stats_get(c->session, &st);
		if (txn)
			rp_roster_device(sv->node->store, txn, c->device, member, NULL);
		rp_b32_encode(c->device, RP_DEVICE_LEN, id, sizeof id);
		json_array_append_new(list, json_pack("{s:s, s:s?, s:s, s:n, s:n, s:s, s:I, s:I, s:I}", "direction", "in",
		        "member", *member ? member : NULL, "device", id, "peer", "endpoint",
		        "since", rp_when_iso(c->live_since, when, sizeof when),
		        "sent", (json_int_t)st.sent, "received", (json_int_t)st.received,
		        "behind", (json_int_t)(sv->head > st.acked ? sv->head - st.acked : 0)));
	}
	if (txn)
		rp_store_end(txn);
	if (list && any)
		rp_served_live_say(sv->node, json_array_size(list) ? list : NULL);
	json_decref(list);
	sv->live_said = now;
}

/* The store grew (a command, a session, a sync of ours committed): every
 * live session reads its feed on. Returns 1 if any was woken. */
static int s_wake(s_server *sv)
{
	uint64_t head = rp_store_feed_head(sv->node->store);
	int any = 0;
	if (head == sv->head)
		return 0;
	sv->head = head;
	for (size_t i = 0; i < sv->nconns; i++)
		if (rp_session_state(sv->conns[i].session) == RP_SESSION_LIVE) {
			rp_session_wake(sv->conns[i].session);
			sv->conns[i].busy = any = 1;
		}
	return any;
}

/* Answer the ZAP requests waiting, at most 32; returns 1 if more may wait. */
static int s_zap(s_server *sv)
{
	for (int i = 0; i < 32; i++) {
		char why[200];
		int ev = 0;
		size_t sz = sizeof ev;
		if (rp_zap_handle(sv->zap, why, sizeof why) != 0)
			s_log_burst(sv, &sv->refusals, "%s", why);
		if (zmq_getsockopt(rp_zap_socket(sv->zap), ZMQ_EVENTS, &ev, &sz) || !(ev & ZMQ_POLLIN))
			return 0;
	}
	return 1;
}

/* 1 if a peer is configured here (a name and an endpoint to dial). */
static int s_has_peers(rp_node *n)
{
	json_t *list = NULL, *e;
	size_t i;
	int has = 0;
	if (rp_peer_list_stored(n, &list) == 0)
		json_array_foreach(list, i, e)
			has |= json_is_string(json_object_get(e, "endpoint")) && json_is_string(json_object_get(e, "name"));
	json_decref(list);
	return has;
}

/* Every session needs a descriptor: take what the hard limit allows. */
static void s_raise_files(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int rp_serve(rp_node *n, const char *endpoint, const rp_serve_opts *opts,
             volatile sig_atomic_t *stop, rp_log_fn log, void *arg)
{
	static const rp_serve_opts defaults;
	s_server sv = { .node = n, .log = log, .arg = arg };
	rp_watch watch = { .fd = -1 };
	uint8_t cpk[32], csk[32];
	char id[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1] = "";
	int one = 1, rc = RP_EIO;
	uint64_t stale = 0, erase_checked = 0, pending_checked = 0, dial_wait = 0;
	int busy = 0, lock_fd = -1;
	rp_outbound ob = { .watch = { .fd = -1 } };
	rp_discover disc = { .fd = -1, .nl = -1 };
	uint64_t disc_wait = UINT64_MAX;

	rp_errclear();
	if (!endpoint || !rp_endpoint_ok(endpoint))
		return rp_fail(RP_EINVAL, "bad endpoint '%s': use tcp://HOST:PORT", endpoint ? endpoint : "");
	/* A device not in a team yet serves nobody, but it may join by itself
	 * through a peer it was told of (`peer add`): it runs for that. */
	if (!opts)
		opts = &defaults;
	sv.verbose = opts->verbose;
	if (rp_node_member(n, member, sizeof member)) {
		char why[256];
		snprintf(why, sizeof why, "%s", rp_errmsg());
		if (opts->no_dial || !s_has_peers(n))
			return rp_fail(RP_ENOTEAM, "%s", why);
	}
	rp_errclear();
	if ((rc = rp_zmq_load()))
		return rc;
	if ((lock_fd = rp_served_lock(n, &rc)) < 0)
		return rc;
	rp_served_say(n, NULL);          /* a state an earlier daemon left says nothing of this one */
	rp_served_live_say(n, NULL);
	if ((rc = rp_view_refresh_stale(n->store, &stale))) {
		close(lock_fd);
		return rp_fail(rc, "cannot rebuild views: %s", rp_strerror(rc));
	}
	s_raise_files();
	/* one more than the sessions: a spare to answer a connection through */
	if (!(sv.conns = calloc(S_SESSIONS_MAX + 1, sizeof *sv.conns)) ||
	    !(sv.starts = calloc(S_SESSIONS_MAX, sizeof *sv.starts))) {
		free(sv.conns);
		close(lock_fd);
		return RP_ENOMEM;
	}
	rc = RP_EIO;
	if (!(sv.ctx = zmq_ctx_new()))
		goto out;
	/* Two I/O threads: CURVE handshakes and crypto of a flood of
	 * connections must not queue an honest one behind them all. */
	zmq_ctx_set(sv.ctx, ZMQ_IO_THREADS, 2);
	/* The ZAP handler first: a CURVE server without one would admit anyone. */
	if (rp_zap_open(sv.ctx, n, &sv.zap)) {
		rc = rp_fail(RP_EIO, "cannot start the ZAP handler");
		goto out;
	}
	if (!(sv.sock = zmq_socket(sv.ctx, ZMQ_ROUTER)) || rp_net_curve_pair(&n->key, cpk, csk) ||
	    zmq_setsockopt(sv.sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
	    zmq_setsockopt(sv.sock, ZMQ_CURVE_SECRETKEY, csk, 32) ||
	    zmq_setsockopt(sv.sock, ZMQ_ZAP_DOMAIN, "rapport", 7) ||
	    zmq_setsockopt(sv.sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
	    rp_net_tune(sv.sock) || !(sv.mon = rp_net_monitor(sv.ctx, sv.sock, "serve"))) {
		sodium_memzero(csk, sizeof csk);
		rc = rp_fail(RP_EIO, "cannot set up the server socket: %s", zmq_strerror(zmq_errno()));
		goto out;
	}
	sodium_memzero(csk, sizeof csk);
	if (zmq_bind(sv.sock, endpoint) != 0) {
		rc = rp_fail(RP_EIO, "cannot listen on %s: %s", endpoint, zmq_strerror(zmq_errno()));
		goto out;
	}
	rp_node_device_text(n, id);
	if (*member)
		s_log(&sv, "serving on %s as %s (%s)", endpoint, member, id);
	else
		s_log(&sv, "serving on %s as %s, not in a team yet: syncing with the peers configured here "
		      "until an admin adds this device", endpoint, id);
	s_notify("READY=1\nSTATUS=serving");
	/* ... and it dials the peers configured here by itself (outbound.h) */
	if (!opts->no_dial)
		rp_outbound_open(&ob, n, log, arg, opts->verbose);
	rp_watch_open(&watch, n->home);
	sv.head = rp_store_feed_head(n->store);
	if (opts->discover) {
		const char *port = strrchr(endpoint, ':');
		if (rp_discover_open(&disc, n, opts->discover, (uint16_t)atoi(port ? port + 1 : "0"),
		                     opts->no_dial ? NULL : rp_outbound_found, &ob) != 0) {
			rc = RP_EIO;
			goto out;
		}
		s_log(&sv, "discovering teammates with beacons on %s", opts->discover);
	}
	erase_checked = 0;
	while (!*stop) {
		zmq_pollitem_t items[3 + RP_OUTBOUND_MAX + 3] = {
			{ rp_zap_socket(sv.zap), 0, ZMQ_POLLIN, 0 },
			{ sv.sock, 0, ZMQ_POLLIN, 0 },
			{ sv.mon, 0, ZMQ_POLLIN, 0 },
		};
		int nitems = 3 + rp_outbound_items(&ob, items + 3);
		if (rp_discover_fd(&disc) >= 0)
			items[nitems++] = (zmq_pollitem_t){ NULL, rp_discover_fd(&disc), ZMQ_POLLIN, 0 };
		if (watch.fd >= 0)
			items[nitems++] = (zmq_pollitem_t){ NULL, watch.fd, ZMQ_POLLIN, 0 };
		/* 250 ms: pending erasures are looked at this often; 0 while a
		 * session has more to send or messages wait; sooner when a peer
		 * is due a sync. */
		uint64_t wait = dial_wait < disc_wait ? dial_wait : disc_wait;
		if (rp_watch_wait(&watch, s_mono_ms()) < wait)
			wait = rp_watch_wait(&watch, s_mono_ms());
		long timeout = busy ? 0 : wait < 250 ? (long)wait : 250;
		if (zmq_poll(items, nitems, timeout) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			rc = rp_fail(RP_EIO, "poll: %s", zmq_strerror(zmq_errno()));
			goto out;
		}
		busy = 0;
		if (items[0].revents & ZMQ_POLLIN)
			busy |= s_zap(&sv);
		if (items[1].revents & ZMQ_POLLIN)
			busy |= s_router(&sv);
		if (items[2].revents & ZMQ_POLLIN)
			s_events(&sv);
		if (rp_watch_read(&watch, s_mono_ms(), NULL, NULL))
			busy |= s_wake(&sv);
		busy |= s_round(&sv);
		s_sweep(&sv);
		s_live_say(&sv);
		{
			uint64_t changes = disc.changes;
			disc_wait = rp_discover_turn(&disc, s_mono_ms());
			if (disc.changes != changes && sv.verbose)
				s_log(&sv, "the network changed: a beacon goes out in %d ms", RP_DISCOVER_SETTLE_MS);
		}
		dial_wait = opts->no_dial ? UINT64_MAX : rp_outbound_turn(&ob, s_mono_ms());
		/* Ops held for an author that never became a member: gone after
		 * RP_PENDING_TTL_MS (pending.h). Looked at once a minute. */
		if (s_mono_ms() - pending_checked >= 60000) {
			uint64_t dropped = 0;
			pending_checked = s_mono_ms();
			if (rp_pending_sweep(n->store, rp_node_now(n), &dropped) == 0 && dropped)
				s_log(&sv, "dropped %llu op%s held too long for an author or account that never came",
				      (unsigned long long)dropped, dropped == 1 ? "" : "s");
		}
		/* Data a purge or redaction dropped, here or by a command on this
		 * home that could not have it alone: off the disk now (erase.h). */
		if (s_mono_ms() - erase_checked >= 250) {
			erase_checked = s_mono_ms();
			if (rp_erase_pending(n)) {
				int er = rp_erase_now(n, 0);
				if (er == 0)
					s_log(&sv, "erased dropped data from the disk");
				else if (er != RP_EBUSY)
					s_log(&sv, "cannot erase dropped data yet: %s", rp_strerror(er));
			}
		}
	}
	rp_served_live_say(n, NULL);
	s_notify("STOPPING=1");
	s_log(&sv, "stopped");
	rc = 0;
out:
	rp_discover_close(&disc);
	rp_outbound_close(&ob);
	rp_watch_close(&watch);
	while (sv.nconns)
		s_drop(&sv, sv.nconns - 1);
	free(sv.conns);
	free(sv.starts);
	if (sv.mon)
		zmq_close(sv.mon);
	if (sv.sock)
		zmq_close(sv.sock);
	rp_zap_close(&sv.zap);
	if (sv.ctx)
		zmq_ctx_term(sv.ctx);
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}
