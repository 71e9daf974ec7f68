/* tests/unit/test_pending.c — the table of ops held for their author or
 * account (node/store/pending.h), on a real store: a sender's share and the
 * whole table are bounded by ops and bytes; a full share refuses (the
 * caller then keeps its cursor); the counters match the table after holds,
 * expiry and an upgrade from the format before; what is held expires after
 * RP_PENDING_TTL_MS and not before; the walk is skipped until something
 * that could release an op arrived, and drops what cannot be decoded. (Release itself: test_session §12.) */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../node/store/store.h"
#include "../node/store/pending.h"
#include "../node/store/ingest.h"
#include "../proto/error.h"

static char home[64];
static rp_store *st;
static const uint64_t t0 = 1767225600000ULL;   /* 2026-01-01 */

/* Hold n fake ops of len bytes from sender, ids numbered from *next. */
static int hold_n(const uint8_t *sender, int n, size_t len, uint64_t wall, uint64_t *next, int *last_rc)
{
	static uint8_t bytes[RP_OP_MAX];
	MDB_txn *txn;
	int held = 0;
	*last_rc = 0;
	rp_store_begin(st, 1, &txn);
	for (int i = 0; i < n; i++) {
		uint8_t id[RP_OPID_LEN] = { 0 };
		rp_be64_put(id + RP_OPID_LEN - 8, (*next)++);
		if ((*last_rc = rp_pending_hold(st, txn, sender, id, bytes, len, wall)) != 0)
			break;
		held++;
	}
	mdb_txn_commit(txn);
	return held;
}

static uint64_t entries(void)
{
	MDB_txn *txn;
	MDB_stat ms;
	rp_store_begin(st, 0, &txn);
	mdb_stat(txn, st->pending, &ms);
	mdb_txn_abort(txn);
	return ms.ms_entries;
}

static void totals(uint64_t *ops, uint64_t *bytes)
{
	MDB_txn *txn;
	rp_store_begin(st, 0, &txn);
	rp_pending_totals(st, txn, ops, bytes);
	mdb_txn_abort(txn);
}

int main(void)
{
	uint8_t jay[RP_DEVICE_LEN], kim[RP_DEVICE_LEN];
	uint64_t next = 1, ops, bytes;
	int rc, held;
	MDB_txn *txn;

	memset(jay, 'j', sizeof jay);
	memset(kim, 'k', sizeof kim);
	snprintf(home, sizeof home, "/tmp/rapport-pending.XXXXXX");
	if (!mkdtemp(home) || rp_store_open(home, &st)) {
		printf("Bail out! no store\n");
		return 1;
	}

	/* 1. A sender's share, by ops. */
	held = hold_n(jay, RP_PENDING_SENDER_OPS_MAX + 10, 100, t0, &next, &rc);
	is_int(held, RP_PENDING_SENDER_OPS_MAX, "one sender may have %d ops held", RP_PENDING_SENDER_OPS_MAX);
	is_int(rc, RP_ELIMIT, "the next is refused (RP_ELIMIT): the caller keeps its cursor");
	totals(&ops, &bytes);
	ok(ops == entries() && ops == RP_PENDING_SENDER_OPS_MAX && bytes == 100ULL * RP_PENDING_SENDER_OPS_MAX,
	   "the counters match the table (%llu ops, %llu bytes)", (unsigned long long)ops, (unsigned long long)bytes);

	/* 2. Another sender is not held back by the first one's flood. */
	held = hold_n(kim, 10, 100, t0, &next, &rc);
	is_int(held, 10, "another sender's ops are still held");

	/* 3. A sender's share, by bytes. */
	{
		uint8_t lee[RP_DEVICE_LEN];
		memset(lee, 'l', sizeof lee);
		held = hold_n(lee, 1000, 60000, t0, &next, &rc);
		is_int(held, RP_PENDING_SENDER_BYTES_MAX / 60000, "and by bytes: %d ops of 60,000 bytes",
		       RP_PENDING_SENDER_BYTES_MAX / 60000);
		is_int(rc, RP_ELIMIT, "then refused");
	}

	/* 4. status: who gave what. */
	rp_store_begin(st, 0, &txn);
	{
		json_t *who = rp_pending_senders(st, txn);
		ok(json_array_size(who) == 3, "three senders listed");
		json_decref(who);
	}
	/* 5. An op already held is held once. */
	{
		uint8_t id[RP_OPID_LEN] = { 0 }, b[10] = { 0 };
		MDB_txn *w;
		uint64_t before;
		mdb_txn_abort(txn);
		totals(&before, NULL);
		rp_be64_put(id + RP_OPID_LEN - 8, 1);
		rp_store_begin(st, 1, &w);
		is_int(rp_pending_hold(st, w, kim, id, b, sizeof b, t0), 0, "holding an op held already is fine");
		mdb_txn_commit(w);
		totals(&ops, NULL);
		is_int((long long)ops, (long long)before, "and counts nothing twice");
	}

	/* 7. Expiry: not a moment before RP_PENDING_TTL_MS, everything after. */
	{
		uint64_t dropped = 0, before;
		totals(&before, NULL);
		rp_store_begin(st, 1, &txn);
		rp_pending_expire(st, txn, t0 + RP_PENDING_TTL_MS - 1, &dropped);
		mdb_txn_commit(txn);
		is_int((long long)dropped, 0, "nothing expires before 7 days");
		rp_store_begin(st, 1, &txn);
		rp_pending_expire(st, txn, t0 + RP_PENDING_TTL_MS, &dropped);
		mdb_txn_commit(txn);
		is_int((long long)dropped, (long long)before, "after 7 days every op held goes (%llu)",
		       (unsigned long long)before);
		totals(&ops, &bytes);
		ok(ops == 0 && bytes == 0 && entries() == 0, "the table and its counters are empty");
		held = hold_n(jay, 5, 100, t0 + RP_PENDING_TTL_MS, &next, &rc);
		is_int(held, 5, "and jay's share is free again");
	}

	/* 8. A table of the format before (sender ‖ op bytes, no counters) is
	 * stamped and counted by the upgrade. */
	{
		uint8_t v[RP_DEVICE_LEN + 50];
		rp_store_begin(st, 1, &txn);
		rp_pending_expire(st, txn, UINT64_MAX / 2, NULL);
		rp_meta_put_u64(st, txn, "pending_format", 1);
		memcpy(v, kim, RP_DEVICE_LEN);
		memset(v + RP_DEVICE_LEN, 'x', 50);
		for (int i = 0; i < 3; i++) {
			uint8_t id[RP_OPID_LEN] = { 9 };
			MDB_val k = { RP_OPID_LEN, id }, val = { sizeof v, v };
			id[1] = (uint8_t)i;
			mdb_put(txn, st->pending, &k, &val, 0);
		}
		mdb_txn_commit(txn);
		rp_store_begin(st, 1, &txn);
		ok(rp_pending_needs_upgrade(st, txn), "an old table needs the upgrade");
		is_int(rp_pending_upgrade(st, txn, t0), 0, "which succeeds");
		ok(!rp_pending_needs_upgrade(st, txn), "and is not needed again");
		mdb_txn_commit(txn);
		totals(&ops, &bytes);
		ok(ops == 3 && bytes == 150, "its ops are counted: %llu ops, %llu bytes",
		   (unsigned long long)ops, (unsigned long long)bytes);
		rp_store_begin(st, 1, &txn);
		{
			uint64_t dropped = 0;
			rp_pending_expire(st, txn, t0 + RP_PENDING_TTL_MS, &dropped);
			is_int((long long)dropped, 3, "and stamped as held at the upgrade: they expire 7 days on");
		}
		mdb_txn_commit(txn);
	}

	/* 9. The walk is skipped until something that could release an op came. */
	{
		rp_pending_tally t = { 0 };
		uint64_t clock = 0, tried = 7;
		rp_dirty d = { 0 };
		hold_n(kim, 3, 100, t0, &next, &rc);
		rp_store_begin(st, 1, &txn);
		rp_meta_put_u64(st, txn, "unblock_gen", 5);
		rp_meta_put_u64(st, txn, "pending_tried", 5);
		is_int(rp_pending_retry(st, txn, &d, &clock, t0, &t), 0, "no roster op since the last walk: no walk");
		rp_meta_put_u64(st, txn, "unblock_gen", 6);
		is_int(rp_pending_retry(st, txn, &d, &clock, t0, &t), 0, "a roster op came: the walk runs");
		rp_meta_get_u64(st, txn, "pending_tried", &tried);
		is_int((long long)tried, 6, "and notes how far it looked");
		ok(t.taken == 0 && t.refused == 3, "what cannot be decoded is dropped by it, as refused");
		mdb_txn_commit(txn);
		totals(&ops, NULL);
		is_int((long long)ops, 0, "and uncounted");
		rp_dirty_free(&d);
	}

	rp_store_close(&st);
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf %s", home);
		if (system(cmd) != 0)
			diag("could not remove %s", home);
	}
	return done_testing();
}
