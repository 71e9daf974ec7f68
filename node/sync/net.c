/* node/sync/net.c — CURVE keys, ZAP and socket hygiene for ZeroMQ. A socket that
 * is not tuned here must never face a peer: limits and timeouts are what
 * keep a dead, slow or hostile peer from holding a node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "zmqlib.h"

#include "net.h"
#include "../store/roster.h"
#include "../store/txn.h"
#include "../../proto/error.h"

int rp_net_curve_public(const uint8_t dev[RP_DEVICE_LEN], uint8_t cpk[32])
{
	return crypto_sign_ed25519_pk_to_curve25519(cpk, dev) == 0 ? 0 : RP_EINVAL;
}

int rp_net_curve_pair(const rp_key *key, uint8_t cpk[32], uint8_t csk[32])
{
	if (crypto_sign_ed25519_pk_to_curve25519(cpk, key->pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(csk, key->sk) != 0)
		return RP_EINVAL;
	return 0;
}

int rp_net_tune(void *sock)
{
	int64_t max = RP_NET_MSG_MAX;
	int linger = 200, ivl = 2000, timeout = 6000, ttl = 6000, hs = RP_NET_TIMEOUT_MS;
	if (zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max) ||
	    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) ||
	    zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout) ||
	    zmq_setsockopt(sock, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl) ||
	    zmq_setsockopt(sock, ZMQ_HANDSHAKE_IVL, &hs, sizeof hs))
		return RP_EIO;
	return 0;
}

/* ---- ZAP ------------------------------------------------------------------ */

struct rp_zap {
	void    *sock;
	rp_node *node;
	/* CURVE key → device for every roster device: converting each key at
	 * every connection would cost O(devices) per handshake. Rebuilt when the
	 * devices table changes size (a device added). */
	uint8_t (*curve)[32], (*dev)[RP_DEVICE_LEN];
	size_t   ndev, cached_entries, cached_cap;
};

int rp_zap_open(void *ctx, rp_node *n, rp_zap **out)
{
	rp_zap *z = calloc(1, sizeof *z);
	int linger = 0;
	if (!z)
		return RP_ENOMEM;
	z->node = n;
	z->sock = zmq_socket(ctx, ZMQ_REP);
	if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_bind(z->sock, "inproc://zeromq.zap.01") != 0) {
		if (z->sock)
			zmq_close(z->sock);
		free(z);
		return RP_EIO;
	}
	*out = z;
	return 0;
}

void *rp_zap_socket(rp_zap *z)
{
	return z->sock;
}

void rp_zap_close(rp_zap **z)
{
	if (!z || !*z)
		return;
	zmq_close((*z)->sock);
	free((*z)->curve);
	free((*z)->dev);
	free(*z);
	*z = NULL;
}

static int s_rebuild_one(void *arg, const rp_val *k, const rp_val *v)
{
	rp_zap *z = arg;
	(void)v;
	if (z->ndev >= z->cached_cap)
		return RP_STORE_STOP;
	if (k->mv_size == RP_DEVICE_LEN && rp_net_curve_public(k->mv_data, z->curve[z->ndev]) == 0)
		memcpy(z->dev[z->ndev++], k->mv_data, RP_DEVICE_LEN);
	return 0;
}

static void s_rebuild(rp_zap *z, rp_txn *txn, size_t entries)
{
	void *a = realloc(z->curve, (entries + 1) * 32), *b = a ? realloc(z->dev, (entries + 1) * RP_DEVICE_LEN) : NULL;
	if (a)
		z->curve = a;
	if (!a || !b)
		return;
	z->dev = b;
	z->ndev = 0;
	z->cached_cap = entries;
	if (rp_store_scan(txn, z->node->store->devices, NULL, 0, s_rebuild_one, z) == 0)
		z->cached_entries = entries;
}

/* The roster device whose CURVE key is cpk: 1 when found, 2 when found
 * but revoked (admitted only to be told), 0 when unknown. */
static int s_device_of(rp_zap *z, const uint8_t cpk[32], uint8_t dev[RP_DEVICE_LEN])
{
	rp_node *n = z->node;
	rp_txn *txn;
	size_t entries;
	int found = 0;
	if (rp_store_begin(n->store, 0, &txn))
		return 0;
	if ((entries = rp_store_count(txn, n->store->devices)) != z->cached_entries)
		s_rebuild(z, txn, entries);
	for (size_t i = 0; i < z->ndev && !found; i++) {
		if (sodium_memcmp(z->curve[i], cpk, 32) != 0)
			continue;
		if (rp_roster_device(n->store, txn, z->dev[i], NULL, NULL) == 0) {
			memcpy(dev, z->dev[i], RP_DEVICE_LEN);
			found = rp_roster_revoked(n->store, txn, z->dev[i]) ? 2 : 1;
		}
	}
	rp_store_end(txn);
	return found;
}

/* Receive one frame into buf (cap); returns its size, or -1. *more says
 * whether more frames follow. */
static int s_frame(void *sock, char *buf, size_t cap, int *more)
{
	int n = zmq_recv(sock, buf, cap, 0);
	size_t sz = sizeof *more;
	*more = 0;
	zmq_getsockopt(sock, ZMQ_RCVMORE, more, &sz);
	return n < 0 || (size_t)n > cap ? -1 : n;
}

int rp_zap_handle(rp_zap *z, char *why, size_t cap)
{
	/* version, request id, domain, address, identity, mechanism, credentials */
	char f[7][256];
	int len[7], more = 1, nf = 0;
	uint8_t dev[RP_DEVICE_LEN];
	char user[RP_DEVICE_TEXT + 1] = "";
	const char *status = "400", *text = "not a member of this team";
	int found;
	while (more && nf < 7) {
		len[nf] = s_frame(z->sock, f[nf], sizeof f[nf], &more);
		if (len[nf] < 0)
			len[nf] = 0;
		nf++;
	}
	while (more) {                      /* drain anything unexpected */
		char junk[64];
		s_frame(z->sock, junk, sizeof junk, &more);
	}
	if (nf < 6 || len[0] != 3 || memcmp(f[0], "1.0", 3) != 0) {
		snprintf(why, cap, "malformed ZAP request");
		text = "malformed request";
	} else if (len[5] != 5 || memcmp(f[5], "CURVE", 5) != 0 || nf < 7 || len[6] != 32) {
		snprintf(why, cap, "refused a connection without CURVE");
		text = "CURVE required";
	} else if ((found = s_device_of(z, (uint8_t *)f[6], dev)) == 0) {
		char hex[65];
		sodium_bin2hex(hex, sizeof hex, (uint8_t *)f[6], 32);
		snprintf(why, cap, "refused a device that is not in the roster (curve key %.16s…)", hex);
	} else if (found == 2) {
		/* Admitted, to be told: its session gets the signed ops that revoked
		 * it and an error, nothing else (session.c), so that it can check
		 * them and wipe the team's data. A ZAP status is not signed: a
		 * device must not erase anything on its word. */
		rp_b32_encode(dev, RP_DEVICE_LEN, user, sizeof user);
		snprintf(why, cap, "admitted revoked device %s, to tell it so", user);
		status = "200";
		text = "OK";
	} else {
		rp_b32_encode(dev, RP_DEVICE_LEN, user, sizeof user);
		status = "200";
		text = "OK";
		snprintf(why, cap, "admitted %s", user);
	}
	zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(z->sock, f[1], nf > 1 ? (size_t)len[1] : 0, ZMQ_SNDMORE);
	zmq_send(z->sock, status, 3, ZMQ_SNDMORE);
	zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(z->sock, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(z->sock, "", 0, 0);
	return status[0] == '2' ? 0 : RP_EDENIED;
}

/* ---- monitor ---------------------------------------------------------------- */

void *rp_net_monitor(void *ctx, void *sock, const char *name)
{
	char ep[64];
	void *mon;
	int linger = 0;
	snprintf(ep, sizeof ep, "inproc://monitor-%s-%p", name, sock);
	if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_ALL) != 0)
		return NULL;
	mon = zmq_socket(ctx, ZMQ_PAIR);
	if (!mon)
		return NULL;
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
	if (zmq_connect(mon, ep) != 0) {
		zmq_close(mon);
		return NULL;
	}
	return mon;
}

int rp_net_monitor_event(void *mon, uint16_t *event, uint32_t *value)
{
	uint8_t buf[6];
	char addr[256];
	int more = 0;
	size_t sz = sizeof more;
	int n = zmq_recv(mon, buf, sizeof buf, ZMQ_DONTWAIT);
	if (n < 6)
		return 0;
	memcpy(event, buf, 2);
	memcpy(value, buf + 2, 4);
	zmq_getsockopt(mon, ZMQ_RCVMORE, &more, &sz);
	if (more)
		zmq_recv(mon, addr, sizeof addr, 0);      /* the endpoint: not needed */
	return 1;
}
