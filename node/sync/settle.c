/* node/sync/settle.c — the work after a complete sync (see settle.h). */
#include <stdio.h>
#include <string.h>

#include "settle.h"
#include "purge.h"
#include "../store/delivery.h"
#include "../store/view.h"
#include "../store/txn.h"
#include "../../proto/error.h"

/* How many ops of account acct are here, counting up to want. */
typedef struct s_count {
	const uint8_t *acct;
	uint64_t       have, want;
} s_count;

static int s_count_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_count *c = arg;
	(void)v;
	if (k->mv_size != RP_ACCT_KEY_LEN || memcmp(k->mv_data, c->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;
	return ++c->have >= c->want ? RP_STORE_STOP : 0;
}

/* Did each account the peer backfilled arrive whole? At least as many of
 * its ops must be here as the peer sent. */
static void s_check_backfilled(rp_store *st, const uint8_t *expect, size_t nexpect,
                               rp_port_settled *out)
{
	rp_txn *txn;
	if (!nexpect || rp_store_begin(st, 0, &txn))
		return;
	for (size_t i = 0; i < nexpect; i++) {
		s_count c = { expect + i * RP_HAVE_LEN, 0, rp_be64_get(expect + i * RP_HAVE_LEN + RP_ACCOUNT_LEN) };
		if (c.want)
			rp_store_scan(txn, st->acct_ops, c.acct, RP_ACCOUNT_LEN, s_count_one, &c);
		if (c.have >= c.want)
			out->whole++;
		else
			out->incomplete++;
	}
	rp_store_end(txn);
}

/* The peer acknowledged every backfill: the accounts sent whole are no
 * longer withheld. (Those of which only the handovers went stay recorded:
 * should one come back into the peer's scope, all of it must follow.) */
typedef struct s_sent {
	const uint8_t      *peer;
	const uint8_t *haves;
	size_t              n;
	uint64_t            acked;
} s_sent;

static int s_backfill_done_run(rp_store *st, rp_txn *txn, void *arg)
{
	const s_sent *s = arg;
	for (size_t i = 0; i < s->n; i++) {
		uint8_t k[RP_DEVICE_LEN + RP_ACCOUNT_LEN];
		int rc;
		memcpy(k, s->peer, RP_DEVICE_LEN);
		memcpy(k + RP_DEVICE_LEN, s->haves + i * RP_HAVE_LEN, RP_ACCOUNT_LEN);
		if ((rc = rp_store_del(txn, st->skipped, k, sizeof k)))
			return rc;
	}
	return rp_delivery_note(st, txn, s->peer, s->acked);
}

/* Does the peer hold more of our feed than was written down? (a sync with
 * nothing new writes nothing) */
static int s_news(rp_node *n, const uint8_t peer[RP_DEVICE_LEN], uint64_t acked)
{
	rp_txn *txn;
	uint64_t held = 0;
	if (rp_store_begin(n->store, 0, &txn))
		return 1;
	held = rp_delivery_held(n->store, txn, peer);
	rp_store_end(txn);
	return acked > held;
}

int rp_settle(rp_node *n, const uint8_t peer[RP_DEVICE_LEN], uint64_t acked, int purge,
              const uint8_t *haves, size_t nhaves,
              const uint8_t *expect, size_t nexpect,
              rp_port_settled *out, char *why, size_t cap)
{
	s_sent sent = { peer, haves, nhaves, acked };
	int rc;
	if ((rc = rp_view_refresh_stale(n->store, &out->accounts))) {
		if (rc == RP_ENOSPC)
			snprintf(why, cap, "the disk holding %s is full: the ops arrived, their views are rebuilt "
			         "once there is room", n->home);
		else
			snprintf(why, cap, "cannot rebuild views: %s", rp_strerror(rc));
		return rc;
	}
	s_check_backfilled(n->store, expect, nexpect, out);
	if ((nhaves || s_news(n, peer, acked)) && (rc = rp_store_run(n->store, s_backfill_done_run, &sent))) {
		snprintf(why, cap, "cannot record what the peer holds: %s", rp_strerror(rc));
		return rc;
	}
	/* The peer sees everything and holds all we had: what is no longer ours
	 * can go (rp_purge keeps the assigns and leaves a receipt). */
	if (purge && (rc = rp_purge_lost(n, &out->purged))) {
		snprintf(why, cap, "cannot purge handed-over accounts: %s", rp_strerror(rc));
		return rc;
	}
	return 0;
}
