/* tests/unit/test_txn.c — a write txn held open across calls (rp_write's):
 * when the map fills in it, rp_txn_rerun grows the map and redoes the
 * job in a fresh txn that stays open for the caller to go on in; a job
 * that fails leaves no txn and nothing written; rp_txn_commit ends the
 * txn whatever happens, and a txn a full map broke commits nothing. Real
 * LMDB in a temp dir, with a tiny first map. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../node/store/txn.h"
#include "../proto/error.h"

typedef struct job {
	int      calls;
	size_t   from, rows, size;  /* rows values of size bytes, keys from 'from' on */
	int      fail_at;           /* return RP_EINVAL at this row (0: never) */
} job;

static int put_row(rp_store *st, rp_txn *txn, size_t i, size_t size)
{
	char key[32];
	uint8_t *val = malloc(size);
	int rc;
	if (!val)
		return RP_ENOMEM;
	snprintf(key, sizeof key, "row:%06zu", i);
	memset(val, (int)(i & 0xff), size);
	rc = rp_meta_put(st, txn, key, val, size);
	free(val);
	return rc;
}

static int write_rows(rp_store *st, rp_txn *txn, void *arg)
{
	job *j = arg;
	int rc = 0;
	j->calls++;
	for (size_t i = j->from; rc == 0 && i < j->from + j->rows; i++)
		rc = j->fail_at && i == (size_t)j->fail_at ? RP_EINVAL : put_row(st, txn, i, j->size);
	return rc;
}

static long long rows_in(rp_store *st)
{
	rp_txn *txn;
	long long n = -1;
	if (rp_store_begin(st, 0, &txn) == 0) {
		n = (long long)rp_store_count(txn, st->meta);
		rp_store_end(txn);
	}
	return n;
}

int main(void)
{
	char dir[64];
	rp_store *st = NULL;
	rp_txn *txn = NULL;
	MDB_envinfo info;
	size_t map0;
	long long base;
	rp_val v;
	int rc;

	snprintf(dir, sizeof dir, "/tmp/rapport-txn-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	rp_store_map_initial = 64 * 4096;
	is_int(rp_store_open(dir, &st), 0, "a store opens in an empty dir");
	mdb_env_info(st->env, &info);
	map0 = info.me_mapsize;
	base = rows_in(st);
	ok(base >= 0, "its meta table reads (%lld rows)", base);

	/* A held write txn fills the map: 2 MiB into 256 KiB. */
	job big = { 0, 0, 512, 4096, 0 };
	is_int(rp_store_begin(st, 1, &txn), 0, "a write txn, held open");
	rc = write_rows(st, txn, &big);
	ok(rp_store_full(rc), "the map fills in it (%d)", rc);
	is_int(rp_txn_rerun(st, &txn, write_rows, &big), 0, "rerun: the job is redone in a grown map");
	ok(txn != NULL, "and the fresh txn stays open");
	ok(big.calls > 2, "after as many tries as it took (%d runs)", big.calls);
	mdb_env_info(st->env, &info);
	ok(info.me_mapsize > map0, "the map grew (%zu -> %zu bytes)", map0, (size_t)info.me_mapsize);
	is_int(rows_in(st), base, "nothing is committed yet");
	is_int(put_row(st, txn, 900, 100), 0, "the caller goes on writing in the txn");
	is_int(rp_store_get(txn, st->meta, "row:000511", 10, &v), 0, "which holds the job's last row");
	is_int(v.mv_size, 4096, "whole");
	is_int(rp_txn_commit(st, &txn), 0, "it commits");
	ok(txn == NULL, "and the handle is cleared");
	is_int(rows_in(st), base + 513, "every row is there once, the caller's too");

	/* A rerun whose job fails: its code, no txn, nothing of any try. */
	job bad = { 0, 1000, 2048, 4096, 2000 };
	is_int(rp_store_begin(st, 1, &txn), 0, "another write txn");
	rc = write_rows(st, txn, &bad);
	if (!rp_store_full(rc)) {      /* the map may have room for the first rows: fill it */
		job more = { 0, 5000, 4096, 4096, 0 };
		rc = write_rows(st, txn, &more);
	}
	ok(rp_store_full(rc), "fills the map");
	is_int(rp_txn_rerun(st, &txn, write_rows, &bad), RP_EINVAL, "rerun of a job that fails returns its code");
	ok(txn == NULL, "and leaves no txn open");
	is_int(rows_in(st), base + 513, "nothing of it was written");

	/* A txn a full map broke cannot commit: the commit says so and ends it. */
	job huge = { 0, 10000, 1 << 16, 4096, 0 };
	is_int(rp_store_begin(st, 1, &txn), 0, "a write txn");
	ok(rp_store_full(write_rows(st, txn, &huge)), "the map fills in it");
	rc = rp_txn_commit(st, &txn);
	ok(rc < 0 && rc <= RP_EBASE && rc >= RP_ELAST, "its commit fails with an RP_E* code (%d)", rc);
	ok(txn == NULL, "and the handle is cleared");
	is_int(rows_in(st), base + 513, "nothing of it was written");

	/* rp_store_run, the same loop with a commit, still grows and commits once. */
	mdb_env_info(st->env, &info);
	job run = { 0, 100000, info.me_mapsize / 4096, 4096, 0 };   /* a map's worth: it fills */
	is_int(rp_store_run(st, write_rows, &run), 0, "a job run to its commit through a full map");
	ok(run.calls > 1, "in more than one try (%d)", run.calls);
	is_int(rows_in(st), base + 513 + (long long)run.rows, "its rows are there once");

	rp_store_close(&st);
	rm_tree(dir);
	return done_testing();
}
