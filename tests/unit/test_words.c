/* tests/unit/test_words.c — deferred words (node/store/words.h): the
 * accounts of a write that defers its words are found before the merge,
 * a write that does not defer puts a marked account's words at once, a
 * deferred account changed twice leaves no stale word, the merge puts each
 * word once and leaves the index as a fresh build would, and a store a
 * deferring writer left behind (it died) is settled when it is next opened,
 * while one a live writer is deferring into is left to it. Real LMDB. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "deferred.h"
#include "rmtree.h"
#include "../../node/rapport.h"
#include "../../node/node.h"
#include "../../node/crm/insight.h"
#include "../../node/store/index.h"
#include "../../node/store/view.h"
#include "../../node/store/words.h"
#include "../../node/store/txn.h"

#define N_ACCTS 40

static char home[64];

static size_t count(rp_node *n, MDB_dbi dbi)
{
	rp_txn *txn;
	size_t c = 0;
	if (rp_node_read(n, &txn) == 0)
		c = rp_store_count(txn, dbi);
	rp_store_end(txn);
	return c;
}

static int s_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                 const MDB_val *val)
{
	(void)body, (void)blen, (void)acct, (void)val;
	++*(size_t *)arg;
	return 0;
}

/* How many 'W' entries ix holds. */
static size_t words_in_ix(rp_node *n)
{
	rp_txn *txn;
	size_t c = 0;
	if (rp_node_read(n, &txn) == 0)
		rp_index_walk(n->store, txn, 'W', NULL, 0, s_one, &c);
	rp_store_end(txn);
	return c;
}

static int has_word(rp_node *n, const char *word, const uint8_t acct[RP_ACCOUNT_LEN])
{
	rp_txn *txn;
	int has = 0;
	if (rp_node_read(n, &txn) == 0)
		has = rp_index_has(n->store, txn, 'W', word, strlen(word) + 1, acct) == 1;
	rp_store_end(txn);
	return has;
}

/* How many rows rp_find gives for text. */
static int found(rp_node *n, const char *text)
{
	json_t *rows = NULL;
	int c = rp_find(n, text, &rows) == 0 ? (int)json_array_size(rows) : -1;
	json_decref(rows);
	return c;
}

/* 1 when every account's stored entries are those its view gives. */
static int index_true(rp_node *n, uint8_t (*accts)[RP_ACCOUNT_LEN], int k)
{
	rp_txn *txn;
	int same = 1;
	if (rp_node_read(n, &txn))
		return 0;
	for (int i = 0; i < k && same; i++) {
		json_t *view = NULL;
		size_t entries = 0;
		same = rp_view_load(n->store, txn, accts[i], &view) == 0 &&
		       rp_index_differs(n->store, txn, view, accts[i], &entries) == 0;
		json_decref(view);
	}
	rp_store_end(txn);
	return same;
}

static int add_accounts(rp_node *n, int from, int k, uint8_t (*accts)[RP_ACCOUNT_LEN])
{
	rp_write *w = NULL;
	char name[64];
	int rc = rp_write_begin(n, &w);
	for (int i = from; rc == 0 && i < from + k; i++) {
		snprintf(name, sizeof name, "Bakery %c%c Blum", 'a' + i / 26, 'a' + i % 26);
		if ((rc = rp_account_add(w, name, NULL, accts[i])) == 0)
			rc = rp_account_set(w, accts[i], "notes", i % 2 ? "sourdough" : "rye");
	}
	if (rc) {
		rp_write_abort(&w);
		return rc;
	}
	return rp_write_commit(&w);
}

static int set_field(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], const char *field, const char *value)
{
	rp_write *w = NULL;
	int rc = rp_write_begin(n, &w);
	if (rc == 0 && (rc = rp_account_set(w, acct, field, value)) != 0)
		rp_write_abort(&w);
	return rc ? rc : rp_write_commit(&w);
}

int main(void)
{
	static uint8_t accts[N_ACCTS + 4][RP_ACCOUNT_LEN];
	rp_node *n = NULL;
	uint64_t added = 0;
	size_t fresh;
	int rc = 0;

	setenv("TZ", "UTC", 1);
	snprintf(home, sizeof home, "/tmp/rapport-words-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", 1767225600000ULL), 0, "init a team");
	is_int(rp_node_open(home, &n), 0, "open the node");

	/* Not deferred: the words are in ix at once. */
	is_int(add_accounts(n, 0, 2, accts), 0, "two accounts, not deferred");
	fresh = words_in_ix(n);
	ok(fresh > 0, "their words are in the index as they are written");
	is_int((int)count(n, n->store->ix_due), 0, "... and none is due");

	/* Deferred, over two writes, one of them renaming an account. */
	rp_words_defer(n->store, 1);
	rc = add_accounts(n, 2, N_ACCTS / 2, accts);
	if (rc == 0)
		rc = add_accounts(n, 2 + N_ACCTS / 2, N_ACCTS - 2 - N_ACCTS / 2, accts);
	if (rc == 0)
		rc = set_field(n, accts[3], "name", "Konditorei Zucker");
	rp_words_defer(n->store, 0);
	is_int(rc, 0, "38 accounts in two deferred writes, and a rename in a third");
	is_int((int)words_in_ix(n), (int)fresh, "a deferring writer puts no word in the index");
	is_int((int)count(n, n->store->ix_due), N_ACCTS - 2, "... and marks its 38 accounts due");
	is_int(found(n, "sourdough"), N_ACCTS / 2, "find sees the due accounts before the merge");
	is_int(found(n, "konditorei"), 1, "... by their latest words");
	is_int(found(n, "bakery ad"), 0, "... and not by a name they no longer have");

	/* A writer that does not defer, on a due account: its words go in now. */
	is_int(set_field(n, accts[5], "notes", "pretzel"), 0, "a write that does not defer, on a due account");
	ok(has_word(n, "pretzel", accts[5]) && has_word(n, "bakery", accts[5]), "... puts all its words");
	is_int((int)count(n, n->store->ix_due), N_ACCTS - 3, "... and unmarks it");

	is_int(rp_words_settle(n->store, &added), 0, "the merge runs");
	ok(added > 0, "... and puts words");
	is_int((int)count(n, n->store->ix_due), 0, "nothing is due any more");
	ok(!has_word(n, "ad", accts[3]) && has_word(n, "zucker", accts[3]),
	   "the renamed account has its new words, not its old");
	ok(index_true(n, accts, N_ACCTS), "every account's index is what its view gives");
	is_int(found(n, "sourdough"), N_ACCTS / 2 - 1, "find gives the same after the merge (one is pretzel now)");
	is_int(found(n, "pretzel"), 1, "... the word put at once too");
	is_int(rp_words_settle(n->store, &added), 0, "a merge with nothing due");
	is_int((int)added, 0, "... puts nothing");

	/* A writer that dies before its merge: the next open settles. */
	{
		pid_t pid = gone_pid();
		rp_words_defer(n->store, 1);
		rc = add_accounts(n, N_ACCTS, 2, accts);
		rp_words_defer(n->store, 0);
		is_int(rc, 0, "two more accounts, deferred");
		ok(note_deferrer(n, "words_by", pid), "... noted as deferred by a process that is gone");
		rp_node_close(&n);
		is_int(rp_node_open(home, &n), 0, "the home opens again");
		is_int((int)count(n, n->store->ix_due), 0, "... and its open merged what the dead writer deferred");
		ok(index_true(n, accts, N_ACCTS + 2), "... into the index");
	}

	/* A writer still running (a child standing in for it): an open leaves its words. */
	{
		pid_t pid = live_pid();
		rp_words_defer(n->store, 1);
		is_int(add_accounts(n, N_ACCTS + 2, 2, accts), 0, "two more, deferred");
		rp_words_defer(n->store, 0);
		ok(note_deferrer(n, "words_by", pid), "... noted as deferred by a live process");
		is_int(rp_words_recover(n->store), 0, "recovery at open");
		is_int((int)count(n, n->store->ix_due), 2, "... leaves a live writer's words to it");
		end_pid(pid);
		is_int(rp_words_recover(n->store), 0, "once that writer is gone, recovery");
		is_int((int)count(n, n->store->ix_due), 0, "... merges them");
		ok(index_true(n, accts, N_ACCTS + 4), "... into the index");
	}

	rp_node_close(&n);
	rm_tree(home);
	return done_testing();
}
