/* tests/tools/drive.h — one sync session of a home with a node, like
 * `rapport sync ENDPOINT --peer ID`, for the test-only clients that lie
 * (rp_tamper, rp_forge). Hooks see every message each way and may change,
 * add or swallow one; nothing else differs from the real client. Never
 * built into rapport. */
#ifndef RP_TOOL_DRIVE_H
#define RP_TOOL_DRIVE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <zmq.h>

#include "../../node/node.h"
#include "../../node/sync/net.h"
#include "../../node/sync/feed.h"
#include "../../proto/msg.h"
#include "../../proto/op.h"

typedef struct drive_hooks {
	/* A message the session is about to send: return 1 with *msg, *len
	 * replaced, 0 to send it as it is, -1 to fail. May be NULL. */
	int (*out)(void *arg, const uint8_t **msg, size_t *len);
	/* A message from the peer, before the session sees it: return 0 to pass
	 * it on, 1 to swallow it, -1 to fail; drive_send() may answer first.
	 * May be NULL. */
	int (*in)(void *arg, void *sock, const uint8_t *msg, size_t len);
	void *arg;
} drive_hooks;

static inline uint64_t drive_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline int drive_send(void *sock, const uint8_t *msg, size_t len)
{
	if (zmq_send(sock, msg, len, 0) < 0) {
		fprintf(stderr, "send: %s\n", zmq_strerror(zmq_errno()));
		return -1;
	}
	return 0;
}

static inline int drive_flush(rp_session *s, void *sock, const drive_hooks *h)
{
	const uint8_t *msg;
	size_t len;
	int rc;
	while ((rc = rp_session_output(s, &msg, &len)) == 1) {
		if (h->out && h->out(h->arg, &msg, &len) < 0)
			return -1;
		if (drive_send(sock, msg, len))
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* Open home (RAPPORT_NOW honoured) and sync it with the node at endpoint
 * whose device id is peer_id. Prints the session's counters on stdout.
 * Returns 0 (complete), 1 (the sync failed: says why on stderr), 2 (usage:
 * a bad peer id). */
static inline int drive_sync(const char *tool, const char *home, const char *endpoint,
                             const char *peer_id, const drive_hooks *h)
{
	uint8_t dev[RP_DEVICE_LEN], spk[32], cpk[32], csk[32];
	const char *now_text = getenv("RAPPORT_NOW");
	rp_node *n = NULL;
	rp_session *s = NULL;
	void *ctx = NULL, *sock = NULL;
	uint64_t deadline, now_ms;
	int linger = 2000, timeo = RP_NET_TIMEOUT_MS, rc = 1;

	if (rp_b32_decode(peer_id, dev, sizeof dev) != 0 || rp_net_curve_public(dev, spk) != 0) {
		fprintf(stderr, "%s: bad peer id '%s'\n", tool, peer_id);
		return 2;
	}
	if (rp_node_open(home, &n) != 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", tool, home, rp_errmsg());
		return 1;
	}
	if (now_text && rp_when_parse_iso(now_text, &now_ms) == 0)
		rp_node_set_now(n, now_ms);
	if (!(ctx = zmq_ctx_new()) || !(sock = zmq_socket(ctx, ZMQ_DEALER)) ||
	    rp_net_curve_pair(&n->key, cpk, csk) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, spk, 32) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, cpk, 32) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, csk, 32) != 0 ||
	    rp_net_tune(sock) != 0 ||
	    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
	    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeo, sizeof timeo) != 0 ||
	    zmq_connect(sock, endpoint) != 0) {
		sodium_memzero(csk, sizeof csk);
		fprintf(stderr, "%s: cannot set up the socket: %s\n", tool, zmq_strerror(zmq_errno()));
		goto out;
	}
	sodium_memzero(csk, sizeof csk);
	if (rp_session_open(n, dev, 1, &s) != 0 || drive_flush(s, sock, h) != 0)
		goto out;
	deadline = drive_mono_ms() + RP_NET_TIMEOUT_MS;
	while (rp_session_state(s) == RP_SESSION_HELLO || rp_session_state(s) == RP_SESSION_STREAM) {
		zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
		uint64_t t = drive_mono_ms();
		zmq_msg_t m;
		int hook = 0;

		if (t >= deadline) {
			fprintf(stderr, "%s: no answer from %s within %d s\n", tool, endpoint,
			        RP_NET_TIMEOUT_MS / 1000);
			goto out;
		}
		if (zmq_poll(&item, 1, (long)(deadline - t)) < 0 || !(item.revents & ZMQ_POLLIN))
			continue;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			continue;
		}
		deadline = drive_mono_ms() + RP_NET_TIMEOUT_MS;
		if (h->in && (hook = h->in(h->arg, sock, zmq_msg_data(&m), zmq_msg_size(&m))) < 0) {
			zmq_msg_close(&m);
			goto out;
		}
		if (hook == 0 && rp_session_input(s, zmq_msg_data(&m), zmq_msg_size(&m)) != 0) {
			zmq_msg_close(&m);
			drive_flush(s, sock, h);
			fprintf(stderr, "%s: sync failed: %s\n", tool, rp_session_error(s));
			goto out;
		}
		zmq_msg_close(&m);
		if (drive_flush(s, sock, h) != 0)
			goto out;
	}
	if (rp_session_state(s) != RP_SESSION_COMPLETE) {
		fprintf(stderr, "%s: sync failed: %s\n", tool, rp_session_error(s));
		goto out;
	}
	{
		rp_session_stats st;
		rp_session_stats_get(s, &st);
		printf("sent %llu, received %llu, refused %llu\n", (unsigned long long)st.sent,
		       (unsigned long long)st.received, (unsigned long long)st.refused);
	}
	rc = 0;
out:
	rp_session_free(&s);
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	rp_node_close(&n);
	return rc;
}

#endif
