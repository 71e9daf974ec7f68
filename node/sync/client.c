/* node/sync/client.c — `rapport sync`: one session with one peer over a CURVE
 * DEALER socket, driven until both feeds are exchanged. Every wait is
 * bounded; a refused handshake is told apart from an unreachable or silent
 * peer, and the endpoint is named in every failure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include "zmqlib.h"

#include "client.h"
#include "../node.h"
#include "net.h"
#include "peer.h"
#include "feed.h"
#include "../erase.h"
#include "../store/view.h"
#include "../store/roster.h"
#include "../store/txn.h"
#include "served.h"
#include "watch.h"
#include "../../proto/error.h"

static uint64_t s_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

typedef struct s_client {
	void *ctx, *sock, *mon;
	rp_session *session;
	int handshake, refused_conn;
	uint64_t said;              /* when we last sent */
} s_client;

static void s_close(s_client *c, int failed)
{
	int zero = 0;
	/* A failed sync has nothing worth delivering: do not linger on close
	 * (and let ZeroMQ reconnect meanwhile). */
	if (failed && c->sock)
		zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero);
	if (c->mon)
		zmq_close(c->mon);
	if (c->sock)
		zmq_close(c->sock);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	rp_session_free(&c->session);
}

static int s_open(s_client *c, rp_node *n, const char *endpoint, const uint8_t device[RP_DEVICE_LEN])
{
	uint8_t spk[32], cpk[32], csk[32];
	int linger = 2000, sndtimeo = RP_NET_TIMEOUT_MS, rc = RP_EIO;
	if (rp_net_curve_public(device, spk))
		return rp_fail(RP_EINVAL, "the peer id is not a valid device id");
	if ((rc = rp_zmq_load()))
		return rc;
	rc = RP_EIO;
	if (!(c->ctx = zmq_ctx_new()) || !(c->sock = zmq_socket(c->ctx, ZMQ_DEALER)))
		return rp_fail(RP_EIO, "cannot create a ZeroMQ socket: %s", zmq_strerror(zmq_errno()));
	if (rp_net_curve_pair(&n->key, cpk, csk) == 0 &&
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, spk, 32) == 0 &&
	    zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, cpk, 32) == 0 &&
	    zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, csk, 32) == 0 &&
	    rp_net_tune(c->sock) == 0 &&
	    zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger) == 0 &&
	    zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &sndtimeo, sizeof sndtimeo) == 0)
		rc = 0;
	sodium_memzero(csk, sizeof csk);
	if (rc)
		return rp_fail(rc, "cannot set up CURVE on the socket");
	/* Our own deadline, not the handshake timer, decides a silent peer. */
	{
		int hs = 2 * RP_NET_TIMEOUT_MS;
		zmq_setsockopt(c->sock, ZMQ_HANDSHAKE_IVL, &hs, sizeof hs);
	}
	if (!(c->mon = rp_net_monitor(c->ctx, c->sock, "sync")))
		return rp_fail(RP_EIO, "cannot monitor the socket");
	if (zmq_connect(c->sock, endpoint) != 0)
		return rp_fail(RP_EINVAL, "bad endpoint '%s': %s", endpoint, zmq_strerror(zmq_errno()));
	return 0;
}

/* Hand every message the session has ready to the socket. */
static int s_flush(s_client *c, const char *endpoint)
{
	const uint8_t *msg;
	size_t len;
	int rc;
	while ((rc = rp_session_output(c->session, &msg, &len)) == 1) {
		if (zmq_send(c->sock, msg, len, 0) < 0)
			return rp_fail(RP_EIO, "cannot send to %s: %s", endpoint, zmq_strerror(zmq_errno()));
		c->said = s_mono_ms();
	}
	if (rc == 0 && rp_session_state(c->session) == RP_SESSION_FAILED)
		return rp_fail(RP_EIO, "sync with %s failed: %s", endpoint, rp_session_error(c->session));
	return rc < 0 ? rp_fail(rc, "cannot read the local feed: %s", rp_strerror(rc)) : 0;
}

/* What a monitor event means for us; 0 to go on. */
static int s_event(s_client *c, uint16_t ev, uint32_t value, const char *endpoint, const char *id)
{
	switch (ev) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		c->handshake = 1;
		return 0;
	case ZMQ_EVENT_CONNECT_RETRIED:
		c->refused_conn = 1;
		return 0;
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		if (value == 500)
			return rp_fail(RP_EREVOKED, "%s refused this device: it was revoked from the team",
			               endpoint);
		return rp_fail(RP_EDENIED, "%s refused this device (ZAP %u): it is not in that node's "
		               "roster; an admin adds it with 'rapport member add NAME %s'",
		               endpoint, value, id);
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		return rp_fail(RP_ESIG, "handshake with %s failed: the node there is not the pinned "
		               "peer id, or not a rapport node", endpoint);
	case ZMQ_EVENT_DISCONNECTED:
		if (!c->handshake)
			return rp_fail(RP_ESIG, "%s closed the connection during the handshake: the node "
			               "there is not the pinned peer id, or not a rapport node", endpoint);
		if (rp_session_state(c->session) == RP_SESSION_LIVE)
			return rp_fail(RP_EIO, "%s closed the live session", endpoint);
		if (rp_session_state(c->session) != RP_SESSION_COMPLETE)
			return rp_fail(RP_EIO, "%s closed the connection mid-sync; the next sync resumes "
			               "where this one stopped", endpoint);
		return 0;
	default:
		return 0;
	}
}

static void s_progress(s_client *c, rp_progress_fn fn, void *arg)
{
	rp_session_stats st;
	rp_sync_progress p;
	if (!fn)
		return;
	rp_session_stats_get(c->session, &st);
	p.sent = st.sent;
	p.received = st.received;
	p.cursor = st.cursor;
	p.peer_head = st.peer_head;
	fn(arg, &p);
}

/* The summary of what moved between two readings of the session's stats
 * (from is all zero for the whole sync). */
static json_t *s_summary(const char *label, const char *ep, const rp_session_stats *st,
                         const rp_session_stats *from, double seconds, int live)
{
	json_t *j = json_pack("{sssssIsIsIsIsIsIsIsIsIsIsf}", "peer", label, "endpoint", ep,
	        "sent", (json_int_t)(st->sent - from->sent),
	        "received", (json_int_t)(st->received - from->received),
	        "accounts", (json_int_t)(st->accounts - from->accounts),
	        "refused", (json_int_t)(st->refused - from->refused),
	        "pending", (json_int_t)st->pending,
	        "duplicates", (json_int_t)(st->duplicates - from->duplicates),
	        "purged", (json_int_t)(st->purged - from->purged),
	        "backfilled", (json_int_t)(st->whole - from->whole),
	        "incomplete", (json_int_t)(st->incomplete - from->incomplete),
	        "clock_ahead_ms", (json_int_t)(st->clock_ahead_ms > (int64_t)RP_SKEW_MAX_MS ||
	                st->clock_ahead_ms < -(int64_t)RP_SKEW_MAX_MS ? st->clock_ahead_ms : 0),
	        "seconds", seconds);
	if (j && live)
		json_object_set_new(j, "live", json_true());
	return j;
}

/* A live sync after its first exchange: the socket, the home's commits and
 * the clock drive the session until *stop or a failure. */
static int s_live(s_client *c, rp_node *n, const uint8_t dev[RP_DEVICE_LEN], const char *label,
                  const char *ep, volatile sig_atomic_t *stop, rp_round_fn round, void *arg)
{
	rp_watch w;
	rp_session_stats before, now_st;
	uint64_t heard = s_mono_ms(), rounds = rp_session_rounds(c->session), began = 0, erase_at = 0;
	char self[RP_DEVICE_TEXT + 1];
	/* Started by a daemon (outbound.h), it goes with it, even killed -9. */
	const char *by = getenv("RAPPORT_SERVED_BY");
	long daemon = by ? strtol(by, NULL, 10) : 0;
	int rc = 0;

	rp_node_device_text(n, self);
	rp_watch_open(&w, n->home);
	rp_session_stats_get(c->session, &before);
	while (!*stop) {
		zmq_pollitem_t items[3] = { { c->sock, 0, ZMQ_POLLIN, 0 }, { c->mon, 0, ZMQ_POLLIN, 0 },
		                            { NULL, w.fd, ZMQ_POLLIN, 0 } };
		uint64_t now = s_mono_ms(), wait = 250, sw = rp_watch_wait(&w, now);
		uint16_t ev;
		uint32_t val;
		if (sw < wait)
			wait = sw;
		if (zmq_poll(items, w.fd >= 0 ? 3 : 2, (long)wait) < 0) {
			if (zmq_errno() == EINTR)
				continue;
			rc = rp_fail(RP_EIO, "poll: %s", zmq_strerror(zmq_errno()));
			break;
		}
		now = s_mono_ms();
		while (rp_net_monitor_event(c->mon, &ev, &val))
			if ((rc = s_event(c, ev, val, ep, self)))
				goto out;
		if (rp_watch_read(&w, now, NULL, NULL)) {
			if (!began)
				began = now;
			rp_session_wake(c->session);
		}
		while (items[0].revents & ZMQ_POLLIN) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				break;
			}
			heard = s_mono_ms();
			if (!began)
				began = heard;
			rc = rp_session_input(c->session, zmq_msg_data(&m), zmq_msg_size(&m));
			zmq_msg_close(&m);
			if (rc) {
				s_flush(c, ep);      /* tell the peer why, then stop */
				if (rp_session_refused(c->session))
					rp_fail(rc, "refused %s: %s", ep, rp_session_error(c->session));
				else if (!*rp_errmsg())
					rp_fail(rc, "live sync with %s failed: %s", ep, rp_session_error(c->session));
				goto out;
			}
		}
		if (now - c->said >= RP_LIVE_TICK_MS)
			rp_session_tick(c->session);
		if ((rc = s_flush(c, ep)))
			goto out;
		if (rp_session_rounds(c->session) != rounds) {
			rounds = rp_session_rounds(c->session);
			rp_session_stats_get(c->session, &now_st);
			if (round) {
				json_t *j = s_summary(label, ep, &now_st, &before,
				                      (double)(s_mono_ms() - (began ? began : now)) / 1000.0, 1);
				uint64_t head = rp_store_feed_head(n->store);
				if (j) {
					/* how much of our feed the peer has not acknowledged (a hint) */
					json_object_set_new(j, "behind", json_integer((json_int_t)(head > now_st.acked
					                    ? head - now_st.acked : 0)));
					round(arg, j);
				}
				json_decref(j);
			}
			rp_peer_record(n, dev, ep, now_st.sent - before.sent, now_st.received - before.received, "ok");
			before = now_st;
			began = 0;
		}
		/* What a round dropped (a purge, a redaction) leaves the disk now:
		 * done here when this process can hold the home alone; a daemon's
		 * child steps aside instead (exit 0: the daemon erases, then dials
		 * again), for it holds the home as long as the daemon does. */
		if (now >= erase_at && rp_erase_pending(n)) {
			int er = rp_erase_now(n, 0);
			if (er == RP_EBUSY && daemon > 0)
				break;
			erase_at = now + 1000;       /* not done: tried again in a second */
		}
		if (daemon > 0 && (long)getppid() != daemon) {
			rc = rp_fail(RP_EIO, "the daemon that started this live sync is gone");
			break;
		}
		if (s_mono_ms() - heard >= RP_LIVE_SILENT_MS) {
			rc = rp_fail(RP_EIO, "%s went silent for %d s: the live session is closed",
			             ep, RP_LIVE_SILENT_MS / 1000);
			break;
		}
	}
out:
	rp_watch_close(&w);
	return rc;
}

static int s_sync(rp_node *n, const char *peer, const char *endpoint, const uint8_t *device,
                  rp_progress_fn progress, void *arg, json_t **summary,
                  volatile sig_atomic_t *stop, rp_round_fn round, void *round_arg)
{
	char ep[300], id[RP_DEVICE_TEXT + 1], self[RP_DEVICE_TEXT + 1];
	uint8_t dev[RP_DEVICE_LEN];
	uint64_t t0 = s_mono_ms(), deadline, stale = 0;
	s_client c = { 0 };
	rp_session_stats st;
	static const rp_session_stats zero;
	int rc, live = stop != NULL;

	rp_errclear();
	/* Beside a daemon that dials this peer, it syncs for us (served.h). */
	if (!live && peer && !n->keep && summary && (rc = rp_served_ask(n, peer, summary)) != RP_ENOTAVAIL)
		return rc;
	if (peer) {
		if ((rc = rp_peer_find(n, peer, ep, sizeof ep, dev)))
			return rc;
	} else {
		if (!endpoint || !rp_endpoint_ok(endpoint))
			return rp_fail(RP_EINVAL, "bad endpoint '%s': use tcp://HOST:PORT", endpoint ? endpoint : "");
		if (!device)
			return rp_fail(RP_EINVAL, "syncing with an endpoint needs --peer DEVICE_ID");
		snprintf(ep, sizeof ep, "%s", endpoint);
		memcpy(dev, device, RP_DEVICE_LEN);
	}
	if (!memcmp(dev, n->key.pk, RP_DEVICE_LEN))
		return rp_fail(RP_EINVAL, "that is this device's own id");
	rp_b32_encode(dev, RP_DEVICE_LEN, id, sizeof id);
	rp_node_device_text(n, self);
	/* Views an interrupted sync left stale are brought up to date first. */
	if ((rc = rp_view_refresh_stale(n->store, &stale)))
		return rp_fail(rc, "cannot rebuild views: %s", rp_strerror(rc));
	if ((rc = s_open(&c, n, ep, dev)))
		goto out;
	if ((rc = rp_session_open(n, dev, 1, &c.session))) {
		rc = rp_fail(rc, "cannot start a session: %s", rp_strerror(rc));
		goto out;
	}
	rp_session_live(c.session, live);
	if ((rc = s_flush(&c, ep)))
		goto out;
	deadline = t0 + RP_NET_TIMEOUT_MS;
	while (rp_session_state(c.session) != RP_SESSION_COMPLETE &&
	       rp_session_state(c.session) != RP_SESSION_LIVE) {
		zmq_pollitem_t items[2] = { { c.sock, 0, ZMQ_POLLIN, 0 }, { c.mon, 0, ZMQ_POLLIN, 0 } };
		uint64_t now = s_mono_ms();
		uint16_t ev;
		uint32_t val;
		/* Refused again and again for 3 s: nobody listens there. */
		if (!c.handshake && c.refused_conn >= 1 && now - t0 >= 3000)
			deadline = now;
		if (now >= deadline) {
			if (!c.handshake && c.refused_conn)
				rc = rp_fail(RP_EIO, "cannot reach %s: connection refused (is 'rapport serve' "
				             "running there?)", ep);
			else if (!c.handshake)
				rc = rp_fail(RP_EIO, "no answer from %s within %d s", ep, RP_NET_TIMEOUT_MS / 1000);
			else if (rp_session_stranger(c.session))
				rc = rp_fail(RP_ENOTMEMBER, "refused %s: that device is not a member of the team "
				             "as this device knows it, and in %d s it sent nothing that made it one",
				             ep, RP_NET_TIMEOUT_MS / 1000);
			else
				rc = rp_fail(RP_EIO, "%s went silent for %d s; the next sync resumes where this "
				             "one stopped", ep, RP_NET_TIMEOUT_MS / 1000);
			goto out;
		}
		if (zmq_poll(items, 2, (long)(deadline - now)) < 0) {
			rc = rp_fail(RP_EIO, "poll: %s", zmq_strerror(zmq_errno()));
			goto out;
		}
		while (rp_net_monitor_event(c.mon, &ev, &val))
			if ((rc = s_event(&c, ev, val, ep, self)))
				goto out;
		while (items[0].revents & ZMQ_POLLIN) {
			zmq_msg_t m;
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, c.sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&m);
				break;
			}
			deadline = s_mono_ms() + RP_NET_TIMEOUT_MS;
			rc = rp_session_input(c.session, zmq_msg_data(&m), zmq_msg_size(&m));
			zmq_msg_close(&m);
			if (rc == 0)
				rc = s_flush(&c, ep);
			else
				s_flush(&c, ep);    /* tell the peer why, then stop */
			if (rc) {
				if (rp_session_refused(c.session))
					rp_fail(rc, "refused %s: %s", ep, rp_session_error(c.session));
				else if (!*rp_errmsg())
					rp_fail(rc, "sync with %s failed: %s", ep, rp_session_error(c.session));
				goto out;
			}
			s_progress(&c, progress, arg);
			if (rp_session_state(c.session) == RP_SESSION_COMPLETE ||
			    rp_session_state(c.session) == RP_SESSION_LIVE)
				break;
		}
	}
	rc = 0;
	if (live && !rp_session_is_live(c.session)) {
		rc = rp_fail(RP_EVERSION, "%s does not hold live sessions: it is not 'rapport serve' of "
		             "this version", ep);
		goto out;
	}
	if (live) {
		rp_session_stats_get(c.session, &st);
		rp_peer_record(n, dev, ep, st.sent, st.received, "ok");
		if (round) {
			json_t *j = s_summary(peer ? peer : id, ep, &st, &zero, (double)(s_mono_ms() - t0) / 1000.0, 0);
			if (j)
				round(round_arg, j);
			json_decref(j);
		}
		rc = s_live(&c, n, dev, peer ? peer : id, ep, stop, round, round_arg);
	}
out:
	if (c.session) {
		rp_session_stats_get(c.session, &st);
		if (!live || rc)
			rp_peer_record(n, dev, ep, st.sent, st.received, rc ? rp_errmsg() : "ok");
		if (rc == 0 && summary)
			*summary = s_summary(peer ? peer : id, ep, &st, &zero, (double)(s_mono_ms() - t0) / 1000.0, 0);
	}
	s_close(&c, rc != 0);
	/* Told, with an admin's signed op now in our own roster, that this
	 * device was revoked: the team's data leaves this home (erase.h). */
	{
		rp_txn *txn;
		int revoked = 0;
		if (rp_store_begin(n->store, 0, &txn) == 0) {
			revoked = rp_roster_revoked(n->store, txn, n->key.pk);
			rp_store_end(txn);
		}
		if (revoked) {
			uint64_t na = 0, no = 0;
			char msg[512];
			int wr = rp_erase_wipe(n, rp_node_now(n), &na, &no);
			snprintf(msg, sizeof msg, "%s", rp_errmsg());
			if (wr == 0)
				rc = rp_fail(RP_EREVOKED, "%s; so this device erased the team's data from %s "
				             "(%llu accounts, %llu ops) and keeps only its key (see %s/revoked.txt)",
				             *msg ? msg : "this device was revoked from the team", n->home,
				             (unsigned long long)na, (unsigned long long)no, n->home);
			else
				rc = rp_fail(RP_EREVOKED, "%s; the team's data will be erased from %s as soon as "
				             "no other process holds it", *msg ? msg : "this device was revoked", n->home);
			return rc;
		}
	}
	/* What the sync dropped (a purge, a redaction it received) leaves the
	 * disk before the command returns, or the daemon on this home does it. */
	if (rp_erase_pending(n)) {
		int er = rp_erase_now(n, 200);
		if (er && er != RP_EBUSY && rc == 0)
			rc = rp_fail(er, "synced, but cannot erase the dropped data from %s yet: %s",
			             n->home, rp_strerror(er));
	}
	return rc;
}

int rp_sync(rp_node *n, const char *peer, const char *endpoint, const uint8_t *device,
            rp_progress_fn progress, void *arg, json_t **summary)
{
	return s_sync(n, peer, endpoint, device, progress, arg, summary, NULL, NULL, NULL);
}

int rp_sync_live(rp_node *n, const char *peer, const char *endpoint, const uint8_t *device,
                 volatile sig_atomic_t *stop, rp_round_fn round, void *arg)
{
	return s_sync(n, peer, endpoint, device, NULL, NULL, NULL, stop, round, arg);
}
