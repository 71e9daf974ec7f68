/* tests/tools/rp_derived.c — damages or ages what a store derives from its
 * log, for the tests of fsck and of the upgrade on open. Never built into
 * rapport; tests/t/t0800-fsck-digest-backup-forget.sh drives it.
 *
 *   rp_derived HOME damage   delete one index entry (a word of find): the
 *                            indexes are out of step with the views
 *   rp_derived HOME old      make the store one from before the indexes:
 *                            no ix, acct_ix or handovers, view layout 2
 *
 * Exit 0, or 1 with a message; 2: usage. */
#include <stdio.h>
#include <string.h>

#include "../../node/node.h"
#include "../../node/store/store.h"
#include "../../node/store/txn.h"

static int s_damage(rp_store *st, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k = { 1, "W" }, v;
	int rc = mdb_cursor_open(txn, st->ix, &c);
	if (rc == 0 && (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE)) == 0)
		rc = mdb_cursor_del(c, 0);
	if (rc == 0)
		mdb_cursor_close(c);
	return rc;
}

static int s_old(rp_store *st, MDB_txn *txn)
{
	MDB_val k = { 9, "handovers" };
	int rc;
	if ((rc = mdb_drop(txn, st->ix, 0)) || (rc = mdb_drop(txn, st->acct_ix, 0)) ||
	    (rc = mdb_drop(txn, st->handovers, 0)))
		return rc;
	if ((rc = mdb_del(txn, st->meta, &k, NULL)) && rc != MDB_NOTFOUND)
		return rc;
	return rp_meta_put_u64(st, txn, "view_layout", 2);
}

int main(int argc, char **argv)
{
	rp_node *n;
	MDB_txn *txn;
	int rc;
	if (argc != 3 || (strcmp(argv[2], "damage") && strcmp(argv[2], "old"))) {
		fprintf(stderr, "usage: rp_derived HOME damage|old\n");
		return 2;
	}
	if (rp_node_open(argv[1], &n) || rp_store_begin(n->store, 1, &txn)) {
		fprintf(stderr, "rp_derived: %s: %s\n", argv[1], rp_errmsg());
		return 1;
	}
	rc = !strcmp(argv[2], "damage") ? s_damage(n->store, txn) : s_old(n->store, txn);
	if (rc)
		mdb_txn_abort(txn);
	if (rc || (rc = mdb_txn_commit(txn))) {
		if (rc)
			fprintf(stderr, "rp_derived: %s: %s\n", argv[1], mdb_strerror(rc));
		rp_node_close(&n);
		return 1;
	}
	rp_node_close(&n);
	return 0;
}
