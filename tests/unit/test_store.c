/* tests/unit/test_store.c — the store's write helper (rp_store_run): a job
 * that fills the map is run again, from its own inputs, in a grown map, and
 * commits once; a job that fails leaves nothing; a job whose map can never
 * hold it fails cleanly. Meta values and the acct_ops key layout too. Real
 * LMDB in a temp dir, with a tiny first map. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../node/store/store.h"
#include "../proto/error.h"

typedef struct job {
	int      calls;
	size_t   rows, size;       /* what to write: rows values of size bytes */
	int      fail_at;          /* return RP_EINVAL after this many rows (0: never) */
} job;

static int write_rows(rp_store *st, MDB_txn *txn, void *arg)
{
	job *j = arg;
	uint8_t *val = calloc(1, j->size);
	int rc = val ? 0 : RP_ENOMEM;
	j->calls++;
	for (size_t i = 0; rc == 0 && i < j->rows; i++) {
		char key[32];
		snprintf(key, sizeof key, "row:%06zu", i);
		memset(val, (int)(i & 0xff), j->size);
		if (j->fail_at && i == (size_t)j->fail_at)
			rc = RP_EINVAL;
		else
			rc = rp_meta_put(st, txn, key, val, j->size);
	}
	free(val);
	return rc;
}

/* A walk that counts the rows it sees, stops at stop_at (when set), and fails at fail_at. */
typedef struct walk {
	int    seen, stop_at, fail_at;
	char   first[32];
} walk;

static int visit(void *arg, const MDB_val *k, const MDB_val *v)
{
	walk *w = arg;
	(void)v;
	if (w->seen == 0)
		snprintf(w->first, sizeof w->first, "%.*s", (int)k->mv_size, (const char *)k->mv_data);
	w->seen++;
	if (w->stop_at && w->seen == w->stop_at)
		return RP_STORE_STOP;
	if (w->fail_at && w->seen == w->fail_at)
		return RP_EINVAL;
	return 0;
}

static long long rows_in(rp_store *st)
{
	MDB_txn *txn;
	MDB_stat ms;
	long long n = -1;
	if (rp_store_begin(st, 0, &txn) == 0) {
		if (mdb_stat(txn, st->meta, &ms) == 0)
			n = (long long)ms.ms_entries;
		mdb_txn_abort(txn);
	}
	return n;
}

int main(void)
{
	char dir[64];
	rp_store *st = NULL;
	MDB_txn *txn;
	MDB_envinfo info;
	size_t map0;
	long long base;
	uint64_t u = 0;

	snprintf(dir, sizeof dir, "/tmp/rapport-store-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	rp_store_map_initial = 64 * 4096;
	is_int(rp_store_open(dir, &st), 0, "a store opens in an empty dir");
	mdb_env_info(st->env, &info);
	map0 = info.me_mapsize;
	base = rows_in(st);
	ok(base >= 0, "its meta table reads (%lld rows)", base);

	/* A value round trip. */
	job small = { 0, 3, 100, 0 };
	is_int(rp_store_run(st, write_rows, &small), 0, "a small job commits");
	is_int(small.calls, 1, "run once");
	is_int(rows_in(st), base + 3, "its rows are there");
	ok(rp_store_begin(st, 0, &txn) == 0, "a read txn");
	is_int(rp_meta_get_u64(st, txn, "no such key", &u), 0, "an absent counter reads as 0");
	is_int(u, 0, "zero");
	mdb_txn_abort(txn);

	/* A job that fails halfway writes nothing. */
	job bad = { 0, 50, 100, 20 };
	is_int(rp_store_run(st, write_rows, &bad), RP_EINVAL, "a failing job returns its code");
	is_int(bad.calls, 1, "and is not run again");
	is_int(rows_in(st), base + 3, "none of its rows are there");

	/* 2 MiB into a 256 KiB map: full, grown, run again, committed once. */
	job big = { 0, 512, 4096, 0 };
	is_int(rp_store_run(st, write_rows, &big), 0, "a job bigger than the map commits");
	ok(big.calls > 1, "after being run again in a grown map (%d runs)", big.calls);
	mdb_env_info(st->env, &info);
	ok(info.me_mapsize > map0, "the map grew (%zu -> %zu bytes)", map0, (size_t)info.me_mapsize);
	is_int(rows_in(st), base + 512, "every row is there once (rows 0..2 written again)");

	/* A job that fills the map, then fails: its code, nothing written. */
	job bigbad = { 0, 4096, 4096, 4000 };
	is_int(rp_store_run(st, write_rows, &bigbad), RP_EINVAL, "a big job that fails late returns its code");
	is_int(rows_in(st), base + 512, "and leaves nothing of any of its tries");

	/* rp_store_scan walks in key order from a key, stops when asked, and
	 * passes a visitor's failure on. */
	ok(rp_store_begin(st, 0, &txn) == 0, "a read txn");
	{
		walk all = { 0 }, from = { 0 }, stop = { 0, 10, 0, "" }, fail = { 0, 0, 7, "" };
		MDB_val v;
		is_int(rp_store_scan(txn, st->meta, NULL, 0, visit, &all), 0, "a walk of the whole table");
		is_int(all.seen, base + 512, "sees every row");
		is_int(rp_store_scan(txn, st->meta, "row:000500", 10, visit, &from), 0, "a walk from row 500");
		is_str(from.first, "row:000500", "starts there");
		is_int(from.seen, 12, "and sees the twelve rows from it on");
		is_int(rp_store_scan(txn, st->meta, NULL, 0, visit, &stop), 0, "a walk its visitor stops");
		is_int(stop.seen, 10, "ends where it was told, with 0");
		is_int(rp_store_scan(txn, st->meta, NULL, 0, visit, &fail), RP_EINVAL, "a visitor's failure is returned");
		is_int(fail.seen, 7, "and ends the walk");
		is_int(rp_store_count(txn, st->meta), base + 512, "rp_store_count agrees");
		is_int(rp_store_get(txn, st->meta, "row:000007", 10, &v), 0, "rp_store_get finds a row");
		is_int(v.mv_size, 4096, "with its value");
		is_int(rp_store_get(txn, st->meta, "row:999999", 10, &v), RP_ENOTFOUND, "and says when one is absent");
	}
	rp_store_end(txn);

	/* The acct_ops key: account, then the HLC big-endian (so a cursor walks
	 * an account's ops in order), then the op id. */
	{
		uint8_t key[RP_ACCT_KEY_LEN], acct[RP_ACCOUNT_LEN], opid[RP_OPID_LEN];
		memset(acct, 0xa1, sizeof acct);
		memset(opid, 0x0f, sizeof opid);
		rp_acct_key(key, acct, 0x0102030405060708ULL, opid);
		ok(!memcmp(key, acct, RP_ACCOUNT_LEN), "acct_ops key: the account first");
		ok(key[RP_ACCOUNT_LEN] == 1 && key[RP_ACCOUNT_LEN + 7] == 8, "then the stamp, big-endian");
		ok(!memcmp(key + RP_ACCOUNT_LEN + 8, opid, RP_OPID_LEN), "then the op id");
	}
	rp_store_close(&st);
	ok(st == NULL, "close clears the pointer");
	rm_tree(dir);
	return done_testing();
}
