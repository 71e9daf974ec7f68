/* tests/unit/test_write.c — a large write signs its ops in the background,
 * a batch ahead of their ingest: every op lands once, in order, signed and
 * in its account's view; a refused op anywhere, even while the next batch
 * is being signed, leaves the store as it was. The views of the accounts a
 * write is done with are rebuilt on the way, and again when it comes back
 * to one. Real LMDB in a temp dir. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../../node/rapport.h"
#include "../../node/node.h"
#include "../../node/store/view.h"

static char home[64];

static long long ops_of(rp_node *n)
{
	json_t *st = NULL;
	long long ops = -1;
	if (rp_status(n, &st) == 0)
		ops = json_integer_value(json_object_get(st, "ops"));
	json_decref(st);
	return ops;
}

/* count interactions into acct, all in one write; the bad'th (1-based, 0:
 * none) is an ix.log whose body no node accepts. */
/* One write: k accounts of calls calls each, then one more call into
 * each of the accounts again[] names (index < k); a refused op last when
 * bad. */
#define S_SHOPS 300
static int write_shops(rp_node *n, uint8_t (*shop)[RP_ACCOUNT_LEN], int k, int calls,
                       const int *again, int nagain, int bad)
{
	static const uint8_t empty[] = { 0x80 };
	rp_write *w = NULL;
	uint8_t ref[RP_REF_LEN];
	char text[64];
	int rc = rp_write_begin(n, &w);
	for (int i = 0; rc == 0 && i < k; i++) {
		snprintf(text, sizeof text, "Shop %d", i);
		rc = rp_account_add(w, text, NULL, shop[i]);
		for (int j = 0; rc == 0 && j < calls; j++) {
			rp_ix_spec s = { .type = "call", .at_ms = 1767225600000ULL + (uint64_t)j * 1000, .text = "call" };
			rc = rp_ix_log(w, shop[i], &s, ref);
		}
	}
	for (int i = 0; rc == 0 && i < nagain; i++) {
		rp_ix_spec s = { .type = "visit", .at_ms = 1767312000000ULL, .text = "again" };
		rc = rp_ix_log(w, shop[again[i]], &s, ref);
	}
	if (rc == 0 && bad)
		rc = rp_write_op(w, shop[0], "ix.log", empty, sizeof empty, NULL);
	if (rc) {
		rp_write_abort(&w);
		return rc;
	}
	return rp_write_commit(&w);
}

static int write_many(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], int count, int bad)
{
	static const uint8_t empty[] = { 0x80 };   /* an ix.log with no type */
	rp_write *w = NULL;
	uint8_t ref[RP_REF_LEN];
	char text[64];
	int rc = rp_write_begin(n, &w);
	for (int i = 1; rc == 0 && i <= count; i++) {
		rp_ix_spec s = { .type = "call", .at_ms = 1767225600000ULL + (uint64_t)i * 1000, .text = text };
		snprintf(text, sizeof text, "call %d", i);
		rc = i == bad ? rp_write_op(w, acct, "ix.log", empty, sizeof empty, NULL) : rp_ix_log(w, acct, &s, ref);
	}
	if (rc) {
		rp_write_abort(&w);
		return rc;
	}
	return rp_write_commit(&w);
}

int main(void)
{
	rp_node *n = NULL;
	rp_write *w = NULL;
	uint8_t acct[RP_ACCOUNT_LEN];
	char before[65], after[65];
	json_t *hist = NULL, *fsck = NULL;
	long long base;

	setenv("TZ", "UTC", 1);
	snprintf(home, sizeof home, "/tmp/rapport-write-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", 1767225600000ULL), 0, "init a team");
	is_int(rp_node_open(home, &n), 0, "open the node");
	is_int(rp_write_begin(n, &w), 0, "begin a write");
	is_int(rp_account_add(w, "Bakery Blum", NULL, acct), 0, "add an account");
	is_int(rp_write_commit(&w), 0, "it commits");
	base = ops_of(n);
	ok(base > 0, "the store counts %lld ops", base);

	/* Small writes sign on this thread, large ones in batches of 4,096 on
	 * two: 1, 63, 64, 4,096, 4,097 and 10,000 ops in one write. */
	int sizes[] = { 1, 63, 64, 4096, 4097, 10000 };
	long long want = base;
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		want += sizes[i];
		is_int(write_many(n, acct, sizes[i], 0), 0, "a write of %d ops commits", sizes[i]);
		is_int(ops_of(n), want, "and the store holds every one of them (%lld)", want);
	}
	is_int(rp_account_show(n, acct, &hist), 0, "the account reads");
	is_int(json_array_size(json_object_get(hist, "interactions")), 1 + 63 + 64 + 4096 + 4097 + 10000,
	       "its view holds every interaction");
	json_decref(hist);
	is_int(rp_fsck(n, &fsck), 0, "fsck checks every op's signature and the views (%s)", rp_errmsg());
	is_int(json_is_true(json_object_get(fsck, "ok")), 1, "and finds them sound");
	json_decref(fsck);

	/* A refused op in the first batch, in a batch ingested while the next is
	 * being signed, and in the last batch, signed at commit. */
	is_int(rp_digest(n, NULL, before), 0, "the digest before");
	int bads[] = { 1, 4096, 5000, 8193, 9999 };
	for (size_t i = 0; i < sizeof bads / sizeof *bads; i++) {
		int rc = write_many(n, acct, 10000, bads[i]);
		ok(rc != 0, "a write of 10,000 ops with op %d refused fails", bads[i]);
		ok(strstr(rp_errmsg(), "ix.log") != NULL, "naming the op's kind (%s)", rp_errmsg());
		is_int(ops_of(n), want, "and adds no op");
		is_int(rp_digest(n, NULL, after), 0, "the digest after");
		is_str(after, before, "is unchanged");
	}
	/* 300 accounts of 30 calls each in one write: batches rotate, the views
	 * of the accounts done with are rebuilt on the way; the write then
	 * comes back to the first, a middle and the last account. */
	{
		static uint8_t shop[S_SHOPS][RP_ACCOUNT_LEN];
		static const int again[] = { 0, 150, S_SHOPS - 1, 0 };
		int wrong = 0;
		is_int(write_shops(n, shop, S_SHOPS, 30, again, 4, 1), RP_EINVAL,
		       "a write of 300 accounts with a refused op last fails");
		is_int(rp_digest(n, NULL, after), 0, "the digest after");
		is_str(after, before, "is unchanged: no view rebuilt on the way stays");
		is_int(write_shops(n, shop, S_SHOPS, 30, again, 4, 0), 0, "the write without it commits");
		for (int i = 0; i < S_SHOPS; i++) {
			size_t want_ix = 30 + (i == 0 ? 2 : i == 150 || i == S_SHOPS - 1);
			if (rp_account_show(n, shop[i], &hist) != 0 ||
			    json_array_size(json_object_get(hist, "interactions")) != want_ix) {
				if (!wrong++)
					diag("Shop %d: %zu interactions, want %zu", i,
					     json_array_size(json_object_get(hist, "interactions")), want_ix);
			}
			json_decref(hist);
			hist = NULL;
		}
		is_int(wrong, 0, "every account's view holds each of its calls, those after its rebuild too");
		is_int(rp_fsck(n, &fsck), 0, "fsck reads every view");
		is_int(json_is_true(json_object_get(fsck, "ok")), 1, "and finds each one the fold of its ops");
		json_decref(fsck);
		is_int(rp_digest(n, NULL, before), 0, "the digest now");
	}
	/* A longer write in a small map (8 MiB): it fills after some views were
	 * rebuilt on the way (at the third rotation), and starts again bigger
	 * without them. */
	{
		static uint8_t shop[S_SHOPS][RP_ACCOUNT_LEN];
		static const int again[] = { 0, 150, S_SHOPS - 1, 0 };
		char tiny[64];
		rp_node *t = NULL;
		size_t saved = rp_store_map_initial;
		int wrong = 0;
		rp_store_map_initial = 2048 * 4096;
		snprintf(tiny, sizeof tiny, "/tmp/rapport-write-tiny-XXXXXX");
		if (!mkdtemp(tiny))
			return 1;
		rmdir(tiny);
		is_int(rp_init(tiny, "ann", "Acme", 1767225600000ULL), 0, "init in a tiny map");
		is_int(rp_node_open(tiny, &t), 0, "open it");
		is_int(write_shops(t, shop, S_SHOPS, 60, again, 4, 0), 0, "a 300-account write commits through MDB_MAP_FULL");
		for (int i = 0; i < S_SHOPS; i++) {
			size_t want_ix = 60 + (i == 0 ? 2 : i == 150 || i == S_SHOPS - 1);
			if (rp_account_show(t, shop[i], &hist) != 0 ||
			    json_array_size(json_object_get(hist, "interactions")) != want_ix)
				wrong++;
			json_decref(hist);
			hist = NULL;
		}
		is_int(wrong, 0, "every account's view holds each of its calls");
		{
			rp_txn *txn;
			size_t views = 0, sums = 0;
			if (rp_node_read(t, &txn) == 0) {
				views = rp_store_count(txn, t->store->views);
				sums = rp_store_count(txn, t->store->summaries);
			}
			rp_store_end(txn);
			is_int((int)views, S_SHOPS, "each account's view is stored");
			is_int((int)sums, S_SHOPS, "... and its summary");
		}
		is_int(rp_fsck(t, &fsck), 0, "fsck reads every view");
		is_int(json_is_true(json_object_get(fsck, "ok")), 1, "and finds each one the fold of its ops");
		json_decref(fsck);
		rp_node_close(&t);
		rm_tree(tiny);
		rp_store_map_initial = saved;
	}
	/* Out of memory at any allocation of the fold that rebuilds the view:
	 * the write fails whole, or succeeds whole; no partial view is stored. */
	{
		uint8_t small[RP_ACCOUNT_LEN];
		int failed = 0, succeeded = 0, bad = 0;
		long at;
		is_int(rp_write_begin(n, &w), 0, "begin a write");
		is_int(rp_account_add(w, "Cafe Roma", NULL, small), 0, "a small account");
		is_int(rp_write_commit(&w), 0, "commits");
		is_int(write_many(n, small, 5, 0), 0, "with five calls");
		for (at = 1; at < 2000 && succeeded < 3; at++) {
			char d1[65], d2[65];
			long long ops = ops_of(n);
			int rc;
			rp_digest(n, NULL, d1);
			rp_view_alloc_fail = at;
			rc = write_many(n, small, 1, 0);
			rp_view_alloc_fail = 0;
			rp_digest(n, NULL, d2);
			if (rc == RP_ENOMEM) {
				failed++;
				bad += ops_of(n) != ops || strcmp(d1, d2) != 0;
			} else if (rc == 0) {
				succeeded++;
			} else {
				bad++;
				diag("allocation %ld: %s", at, rp_errmsg());
			}
		}
		ok(failed > 20, "the fold's allocations failed one at a time (%d of them)", failed);
		is_int(bad, 0, "each failed write changed nothing, with RP_ENOMEM");
		ok(succeeded > 0, "beyond the fold's last allocation the write commits (at %ld)", at - 1);
		is_int(rp_fsck(n, &fsck), 0, "fsck reads every view");
		is_int(json_is_true(json_object_get(fsck, "ok")), 1, "and finds each one the fold of its ops");
		json_decref(fsck);
	}
	rp_node_close(&n);
	rm_tree(home);
	return done_testing();
}
