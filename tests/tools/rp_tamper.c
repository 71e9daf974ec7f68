/* tests/tools/rp_tamper.c — a test-only sync client that lies once: it syncs
 * HOME with a node like `rapport sync ENDPOINT --peer ID`, but flips one byte
 * of the signature of the first outgoing op whose bytes contain MARKER.
 * Never built into rapport; tests/t/t2000-sync-tamper.sh drives it.
 *
 *   rp_tamper HOME ENDPOINT PEER_ID MARKER
 *
 * Prints "tampered: KIND seq SEQ" and the session's counters on stdout.
 * Exit 0: the exchange completed with exactly one op tampered; 1: the sync
 * failed; 2: usage, or no outgoing op held MARKER (nothing was tampered). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <zmq.h>

#include "../../node/node.h"
#include "../../node/net.h"
#include "../../node/session.h"
#include "../../proto/msg.h"
#include "../../proto/op.h"

#define S_OUT_CAP (RP_BATCH_MAX + 4096)

static uint64_t s_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *s_marker;
static int s_tampered;
static uint8_t s_out[S_OUT_CAP];

/* Whether hay holds needle (memmem is a GNU extension). */
static int s_contains(const uint8_t *hay, size_t len, const char *needle, size_t nlen)
{
	for (size_t i = 0; nlen && i + nlen <= len; i++)
		if (!memcmp(hay + i, needle, nlen))
			return 1;
	return 0;
}

/* If msg is a batch holding an op with the marker (and nothing was tampered
 * yet), rebuild it into s_out with that op's signature altered. Returns 1
 * with *msg and *len replaced, 0 to send msg as it is, -1 on failure. */
static int s_tamper(const uint8_t **msg, size_t *len)
{
	rp_batch_builder b;
	rp_msg m;
	size_t pos = 0, oplen, mlen = strlen(s_marker);
	const uint8_t *op;
	int hit = 0;

	if (s_tampered || rp_msg_decode(*msg, *len, &m) != 0 || m.type != RP_MSG_BATCH)
		return 0;
	rp_batch_begin(&b, s_out, sizeof s_out);
	while (rp_msg_batch_next(&m, &pos, &op, &oplen) == 1) {
		static uint8_t copy[RP_OP_MAX];
		rp_op decoded;

		if (oplen > sizeof copy)
			return -1;
		memcpy(copy, op, oplen);
		if (!hit && oplen >= RP_SIG_LEN && s_contains(op, oplen, s_marker, mlen)) {
			/* The signature is the op's last field: its last 64 bytes. */
			copy[oplen - 1 - RP_SIG_LEN / 2] ^= 0x01;
			if (rp_op_decode(copy, oplen, &decoded) != 0 || rp_op_verify(&decoded) != RP_ESIG) {
				fprintf(stderr, "rp_tamper: the altered op does not decode, or still verifies\n");
				return -1;
			}
			printf("tampered: %s seq %llu\n", decoded.kind, (unsigned long long)decoded.seq);
			hit = 1;
		}
		if (rp_batch_add(&b, copy, oplen) != 0)
			return -1;
	}
	if (!hit)
		return 0;
	if (rp_batch_finish(&b, m.first, m.last, msg, len) != 0)
		return -1;
	s_tampered = 1;
	return 1;
}

static int s_flush(rp_session *s, void *sock)
{
	const uint8_t *msg;
	size_t len;
	int rc;

	while ((rc = rp_session_output(s, &msg, &len)) == 1) {
		if (s_tamper(&msg, &len) < 0)
			return -1;
		if (zmq_send(sock, msg, len, 0) < 0) {
			fprintf(stderr, "rp_tamper: send: %s\n", zmq_strerror(zmq_errno()));
			return -1;
		}
	}
	return rc < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint8_t dev[RP_DEVICE_LEN], spk[32], cpk[32], csk[32];
	const char *now_text = getenv("RAPPORT_NOW");
	rp_node *n = NULL;
	rp_session *s = NULL;
	void *ctx = NULL, *sock = NULL;
	uint64_t deadline, now_ms;
	int linger = 2000, timeo = RP_NET_TIMEOUT_MS, rc = 1;

	if (argc != 5 || !*argv[4]) {
		fprintf(stderr, "usage: rp_tamper HOME ENDPOINT PEER_ID MARKER\n");
		return 2;
	}
	s_marker = argv[4];
	if (rp_b32_decode(argv[3], dev, sizeof dev) != 0 || rp_net_curve_public(dev, spk) != 0) {
		fprintf(stderr, "rp_tamper: bad peer id '%s'\n", argv[3]);
		return 2;
	}
	if (rp_node_open(argv[1], &n) != 0) {
		fprintf(stderr, "rp_tamper: cannot open %s: %s\n", argv[1], rp_errmsg());
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
	    zmq_connect(sock, argv[2]) != 0) {
		sodium_memzero(csk, sizeof csk);
		fprintf(stderr, "rp_tamper: cannot set up the socket: %s\n", zmq_strerror(zmq_errno()));
		goto out;
	}
	sodium_memzero(csk, sizeof csk);
	if (rp_session_new(n, dev, 1, &s) != 0 || s_flush(s, sock) != 0)
		goto out;
	deadline = s_mono_ms() + RP_NET_TIMEOUT_MS;
	while (rp_session_state(s) == RP_SESSION_HELLO || rp_session_state(s) == RP_SESSION_STREAM) {
		zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
		uint64_t t = s_mono_ms();
		zmq_msg_t m;

		if (t >= deadline) {
			fprintf(stderr, "rp_tamper: no answer from %s within %d s\n", argv[2],
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
		deadline = s_mono_ms() + RP_NET_TIMEOUT_MS;
		if (rp_session_input(s, zmq_msg_data(&m), zmq_msg_size(&m)) != 0) {
			zmq_msg_close(&m);
			s_flush(s, sock);
			fprintf(stderr, "rp_tamper: sync failed: %s\n", rp_session_error(s));
			goto out;
		}
		zmq_msg_close(&m);
		if (s_flush(s, sock) != 0)
			goto out;
	}
	if (rp_session_state(s) != RP_SESSION_COMPLETE) {
		fprintf(stderr, "rp_tamper: sync failed: %s\n", rp_session_error(s));
		goto out;
	}
	{
		rp_session_stats st;
		rp_session_stats_get(s, &st);
		printf("sent %llu, received %llu, refused %llu\n", (unsigned long long)st.sent,
		       (unsigned long long)st.received, (unsigned long long)st.refused);
	}
	rc = s_tampered ? 0 : 2;
	if (!s_tampered)
		fprintf(stderr, "rp_tamper: no outgoing op held '%s': nothing tampered\n", s_marker);
out:
	rp_session_free(&s);
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	rp_node_close(&n);
	return rc;
}
