/* node/serve.c — `rapport serve`: a ROUTER socket with CURVE, the ZAP
 * handler, and one session per connected device, all on one thread driven
 * by zmq_poll. A peer that misbehaves, stalls or vanishes loses its session;
 * nothing a peer sends can stop the loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <zmq.h>

#include "node.h"
#include "net.h"
#include "peer.h"
#include "roster.h"
#include "session.h"
#include "erase.h"
#include "../proto/error.h"

#define S_SESSIONS_MAX  1024
#define S_IDLE_MS       (3 * RP_NET_TIMEOUT_MS)
#define S_ROUTING_MAX   256

typedef struct s_conn {
	uint8_t     routing[S_ROUTING_MAX];
	size_t      routing_len;
	rp_session *session;
	uint8_t     device[RP_DEVICE_LEN];
	char        who[RP_NAME_MAX + 24];
	uint64_t    started, last;
} s_conn;

typedef struct s_server {
	rp_node   *node;
	void      *ctx, *sock, *mon;
	rp_zap    *zap;
	s_conn    *conns;
	size_t     nconns;
	rp_log_fn  log;
	void      *arg;
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

static void s_drop(s_server *sv, size_t i)
{
	rp_session_free(&sv->conns[i].session);
	sv->conns[i] = sv->conns[--sv->nconns];
}

static int s_send(s_server *sv, s_conn *c, const uint8_t *msg, size_t len)
{
	if (zmq_send(sv->sock, c->routing, c->routing_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(sv->sock, msg, len, ZMQ_DONTWAIT) < 0)
		return -1;
	return 0;
}

static void s_who(s_server *sv, s_conn *c)
{
	char member[RP_NAME_MAX + 1] = "?", id[RP_DEVICE_TEXT + 1];
	MDB_txn *txn;
	if (rp_store_begin(sv->node->store, 0, &txn) == 0) {
		rp_roster_device(sv->node->store, txn, c->device, member, NULL);
		mdb_txn_abort(txn);
	}
	rp_b32_encode(c->device, RP_DEVICE_LEN, id, sizeof id);
	snprintf(c->who, sizeof c->who, "%s (%.8s)", member, id);
}

/* Feed one message to its connection's session and send what it answers. */
static void s_message(s_server *sv, const uint8_t *rid, size_t rlen, zmq_msg_t *m)
{
	const char *user = zmq_msg_gets(m, "User-Id");
	s_conn *c = NULL;
	size_t i;
	const uint8_t *out;
	size_t olen;
	int rc;

	for (i = 0; i < sv->nconns; i++)
		if (sv->conns[i].routing_len == rlen && !memcmp(sv->conns[i].routing, rid, rlen)) {
			c = &sv->conns[i];
			break;
		}
	if (!c) {
		uint8_t dev[RP_DEVICE_LEN];
		if (!user || rp_b32_decode(user, dev, RP_DEVICE_LEN) != 0 || rlen > S_ROUTING_MAX)
			return;                      /* not through our ZAP: cannot happen, never trusted */
		if (sv->nconns == S_SESSIONS_MAX) {
			s_log(sv, "too many sessions: refused a connection");
			return;
		}
		c = &sv->conns[sv->nconns];
		memset(c, 0, sizeof *c);
		memcpy(c->routing, rid, rlen);
		c->routing_len = rlen;
		memcpy(c->device, dev, RP_DEVICE_LEN);
		if (rp_session_new(sv->node, dev, 0, &c->session))
			return;
		sv->nconns++;
		c->started = s_mono_ms();
		s_who(sv, c);
	}
	i = (size_t)(c - sv->conns);
	c->last = s_mono_ms();
	rc = rp_session_input(c->session, zmq_msg_data(m), zmq_msg_size(m));
	while (rp_session_output(c->session, &out, &olen) == 1)
		if (s_send(sv, c, out, olen) != 0) {
			s_log(sv, "%s: cannot send (%s): dropped", c->who, zmq_strerror(zmq_errno()));
			s_drop(sv, i);
			return;
		}
	if (rc || rp_session_state(c->session) == RP_SESSION_FAILED) {
		s_log(sv, "%s: %s: %s", c->who, rp_session_refused(c->session) ? "refused" : "sync failed",
		      rp_session_error(c->session));
		rp_peer_record(sv->node, c->device, NULL, 0, 0, rp_session_error(c->session));
		s_drop(sv, i);
	} else if (rp_session_state(c->session) == RP_SESSION_COMPLETE) {
		rp_session_stats st;
		rp_session_stats_get(c->session, &st);
		s_log(sv, "%s: synced: sent %llu op%s, received %llu op%s (%llu account%s changed) in %.2f s",
		      c->who, (unsigned long long)st.sent, st.sent == 1 ? "" : "s",
		      (unsigned long long)st.received, st.received == 1 ? "" : "s",
		      (unsigned long long)st.accounts, st.accounts == 1 ? "" : "s",
		      (double)(s_mono_ms() - c->started) / 1000.0);
		rp_peer_record(sv->node, c->device, NULL, st.sent, st.received, "ok");
		s_drop(sv, i);
	}
}

static void s_router(s_server *sv)
{
	for (;;) {
		uint8_t rid[S_ROUTING_MAX];
		int more = 0, n;
		size_t sz = sizeof more;
		zmq_msg_t m;
		n = zmq_recv(sv->sock, rid, sizeof rid, ZMQ_DONTWAIT);
		if (n < 0)
			return;
		zmq_getsockopt(sv->sock, ZMQ_RCVMORE, &more, &sz);
		if (!more)
			continue;                    /* a bare routing id: nothing to do */
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sv->sock, 0) < 0) {
			zmq_msg_close(&m);
			return;
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
}

/* Handshake failures come in bursts (a client reconnects): one line per
 * burst, with how many there were. */
static void s_events(s_server *sv)
{
	static uint64_t quiet_until, burst;
	uint16_t ev;
	uint32_t val;
	while (rp_net_monitor_event(sv->mon, &ev, &val)) {
		uint64_t now = s_mono_ms();
		if (ev != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && ev != ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
			continue;   /* ZAP refusals are logged by the ZAP handler, naming the key */
		if (now < quiet_until) {
			burst++;
			continue;
		}
		s_log(sv, "a connection failed the CURVE handshake (not a rapport peer, or it pinned "
		      "another node's id)%s", burst ? " (and earlier ones)" : "");
		burst = 0;
		quiet_until = now + 10000;
	}
}

static void s_sweep(s_server *sv)
{
	uint64_t now = s_mono_ms();
	for (size_t i = sv->nconns; i > 0; i--)
		if (now - sv->conns[i - 1].last > S_IDLE_MS) {
			s_log(sv, "%s: silent for %d s: session dropped (its next sync resumes)",
			      sv->conns[i - 1].who, S_IDLE_MS / 1000);
			s_drop(sv, i - 1);
		}
}

int rp_serve(rp_node *n, const char *endpoint, volatile sig_atomic_t *stop,
             rp_log_fn log, void *arg)
{
	s_server sv = { .node = n, .log = log, .arg = arg };
	uint8_t cpk[32], csk[32];
	char id[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1] = "";
	int one = 1, rc = RP_EIO;
	uint64_t stale = 0, erase_checked = 0;

	rp_errclear();
	if (!endpoint || !rp_endpoint_ok(endpoint))
		return rp_fail(RP_EINVAL, "bad endpoint '%s': use tcp://HOST:PORT", endpoint ? endpoint : "");
	if (rp_node_member(n, member, sizeof member))
		return RP_ENOTEAM;
	if ((rc = rp_session_refresh_stale(n, &stale)))
		return rp_fail(rc, "cannot rebuild views: %s", rp_strerror(rc));
	if (!(sv.conns = calloc(S_SESSIONS_MAX, sizeof *sv.conns)))
		return RP_ENOMEM;
	rc = RP_EIO;
	if (!(sv.ctx = zmq_ctx_new()))
		goto out;
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
	s_log(&sv, "serving on %s as %s (%s)", endpoint, member, id);
	s_notify("READY=1\nSTATUS=serving");
	erase_checked = 0;
	while (!*stop) {
		zmq_pollitem_t items[3] = {
			{ rp_zap_socket(sv.zap), 0, ZMQ_POLLIN, 0 },
			{ sv.sock, 0, ZMQ_POLLIN, 0 },
			{ sv.mon, 0, ZMQ_POLLIN, 0 },
		};
		if (zmq_poll(items, 3, 250) < 0) {   /* 250 ms: pending erasures are looked at this often */
			if (zmq_errno() == EINTR)
				continue;
			rc = rp_fail(RP_EIO, "poll: %s", zmq_strerror(zmq_errno()));
			goto out;
		}
		if (items[0].revents & ZMQ_POLLIN) {
			char why[200];
			if (rp_zap_handle(sv.zap, why, sizeof why) != 0)
				s_log(&sv, "%s", why);
		}
		if (items[1].revents & ZMQ_POLLIN)
			s_router(&sv);
		if (items[2].revents & ZMQ_POLLIN)
			s_events(&sv);
		s_sweep(&sv);
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
	s_notify("STOPPING=1");
	s_log(&sv, "stopped");
	rc = 0;
out:
	while (sv.nconns)
		s_drop(&sv, sv.nconns - 1);
	free(sv.conns);
	if (sv.mon)
		zmq_close(sv.mon);
	if (sv.sock)
		zmq_close(sv.sock);
	rp_zap_close(&sv.zap);
	if (sv.ctx)
		zmq_ctx_term(sv.ctx);
	return rc;
}
