/* tests/syncpair.h — two (or more) real nodes in one process, synced by
 * carrying session messages by hand: the in-process harness of the sync
 * tests (no sockets; node/sync/net.c is exercised by the scenarios). */
#ifndef RP_TEST_SYNCPAIR_H
#define RP_TEST_SYNCPAIR_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../node/node.h"
#include "../node/sync/feed.h"
#include "../proto/msg.h"

typedef struct { uint8_t *data; size_t len; } msg_t;

static uint64_t now = 1767225600000ULL;   /* 2026-01-01 */

static char *home(const char *tag)
{
	static char buf[8][64];
	static int i;
	char *h = buf[i++ % 8];
	snprintf(h, 64, "/tmp/rapport-session-%s-XXXXXX", tag);
	if (!mkdtemp(h))
		abort();
	rmdir(h);
	return h;
}

static inline void rmhome(const char *h)
{
	char p[128];
	snprintf(p, sizeof p, "rm -rf '%s'", h);
	if (system(p) != 0)
		diag("cannot remove %s", h);
}

/* Take every message a has ready. */
static inline size_t drain(rp_session *a, msg_t *out, size_t cap)
{
	const uint8_t *m;
	size_t len, n = 0;
	while (n < cap && rp_session_output(a, &m, &len) == 1) {
		out[n].data = malloc(len);
		memcpy(out[n].data, m, len);
		out[n].len = len;
		n++;
	}
	return n;
}

static inline void free_msgs(msg_t *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
}

/* Carry messages both ways until neither side has anything to say. */
static inline int pump(rp_session *a, rp_session *b)
{
	msg_t box[64];
	int rounds = 0, moved = 1;
	while (moved && rounds++ < 100000) {
		size_t n;
		moved = 0;
		n = drain(a, box, 64);
		for (size_t i = 0; i < n; i++)
			rp_session_input(b, box[i].data, box[i].len);
		moved += (int)n;
		free_msgs(box, n);
		n = drain(b, box, 64);
		for (size_t i = 0; i < n; i++)
			rp_session_input(a, box[i].data, box[i].len);
		moved += (int)n;
		free_msgs(box, n);
	}
	return rp_session_state(a) == RP_SESSION_COMPLETE && rp_session_state(b) == RP_SESSION_COMPLETE;
}

static rp_session_stats last;      /* the client's figures of the last sync_once */

static inline int sync_once(rp_node *client, rp_node *server)
{
	rp_session *c, *s;
	int ok;
	rp_session_open(client, server->key.pk, 1, &c);
	rp_session_open(server, client->key.pk, 0, &s);
	ok = pump(c, s);
	if (!ok)
		diag("sync failed: client '%s', server '%s'", rp_session_error(c), rp_session_error(s));
	rp_session_stats_get(c, &last);
	rp_session_free(&c);
	rp_session_free(&s);
	return ok;
}

static inline int same_digest(rp_node *a, rp_node *b)
{
	char x[65], y[65];
	rp_digest(a, NULL, x);
	rp_digest(b, NULL, y);
	return strcmp(x, y) == 0;
}

static inline json_int_t status_int(rp_node *n, const char *key)
{
	json_t *st;
	json_int_t v;
	rp_status(n, &st);
	v = json_integer_value(json_object_get(st, key));
	json_decref(st);
	return v;
}

static inline void log_many(rp_node *n, const char *account, int count)
{
	rp_write *w;
	uint8_t a[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	char text[300];
	rp_write_begin(n, &w);
	if (rp_account_find(n, account, a) != 0)
		rp_account_add(w, account, NULL, a);
	for (int i = 0; i < count; i++) {
		rp_ix_spec ix = { .type = "visit", .text = text, .at_ms = now };
		snprintf(text, sizeof text, "visit %d: %0200d", i, i);
		rp_ix_log(w, a, &ix, ref);
	}
	rp_write_commit(&w);
}

/* How many interactions account (a name) holds on n: -1 when n does not
 * hold it. */
static inline int holds(rp_node *n, const char *account)
{
	uint8_t a[RP_ACCOUNT_LEN];
	json_t *v = NULL;
	int count = -1;
	if (rp_account_find(n, account, a) == 0 && rp_account_show(n, a, &v) == 0)
		count = (int)json_array_size(json_object_get(v, "interactions"));
	json_decref(v);
	return count;            /* -1: not held here */
}

/* A new account on n owned by owner, with interactions calls logged. */
static inline void account(rp_node *n, const char *name, const char *owner, int interactions)
{
	rp_write *w;
	uint8_t a[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	rp_write_begin(n, &w);
	rp_account_add(w, name, owner, a);
	for (int i = 0; i < interactions; i++) {
		rp_ix_spec ix = { .type = "call", .text = "called", .at_ms = now };
		rp_ix_log(w, a, &ix, ref);
	}
	rp_write_commit(&w);
}

/* Hand account (a name) on n to member to. Returns 0 or the RP_E* of the
 * lookup, the handover or the commit. */
static inline int handover(rp_node *n, const char *name, const char *to)
{
	rp_write *w;
	uint8_t a[RP_ACCOUNT_LEN];
	int rc;
	if (rp_account_find(n, name, a))
		return RP_ENOTFOUND;
	rp_write_begin(n, &w);
	rc = rp_handover(w, a, to, "moving");
	if (rc) {
		rp_write_abort(&w);
		return rc;
	}
	return rp_write_commit(&w);
}

#endif
