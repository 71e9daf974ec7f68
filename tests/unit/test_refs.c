/* tests/unit/test_refs.c — deferred refs (node/store/refs.h): the ids of a
 * write that defers them are found before the merge (by whole id and by
 * prefix), the merge indexes each once and leaves nothing deferred, and a
 * store a deferring writer left behind (it died) is settled when it is next
 * opened, while one a live writer is deferring into is left to it. Real LMDB. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "deferred.h"
#include "rmtree.h"
#include "../../node/rapport.h"
#include "../../node/node.h"
#include "../../node/crm/lookup.h"
#include "../../node/store/refs.h"
#include "../../node/store/txn.h"

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

/* count calls into acct in one write; their refs into refs[] */
static int log_calls(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], int k, uint8_t (*refs)[RP_REF_LEN])
{
	rp_write *w = NULL;
	char text[32];
	int rc = rp_write_begin(n, &w);
	for (int i = 0; rc == 0 && i < k; i++) {
		rp_ix_spec s = { .type = "call", .at_ms = 1767225600000ULL + (uint64_t)i * 1000, .text = text };
		snprintf(text, sizeof text, "call %d", i);
		rc = rp_ix_log(w, acct, &s, refs[i]);
	}
	if (rc) {
		rp_write_abort(&w);
		return rc;
	}
	return rp_write_commit(&w);
}

static int found(rp_node *n, const uint8_t ref[RP_REF_LEN], size_t prefix)
{
	char t[RP_REF_TEXT + 1];
	uint8_t got[RP_REF_LEN], acct[RP_ACCOUNT_LEN];
	int kind = 0;
	rp_b32_encode(ref, RP_REF_LEN, t, sizeof t);
	t[prefix] = 0;
	return rp_ref_find(n, t, RP_REF_IX, got, acct, &kind) == 0 && !memcmp(got, ref, RP_REF_LEN) &&
	       kind == RP_REF_IX;
}

int main(void)
{
	static uint8_t refs[320][RP_REF_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	uint8_t acct[RP_ACCOUNT_LEN];
	rp_ref_hit hit;
	rp_txn *txn;
	uint64_t added = 0;
	int all = 1, rc = 0;

	setenv("TZ", "UTC", 1);
	snprintf(home, sizeof home, "/tmp/rapport-refs-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", 1767225600000ULL), 0, "init a team");
	is_int(rp_node_open(home, &n), 0, "open the node");
	is_int(rp_write_begin(n, &w), 0, "begin a write");
	is_int(rp_account_add(w, "Bakery Blum", NULL, acct), 0, "add an account");
	is_int(rp_write_commit(&w), 0, "it commits");

	/* Not deferred: indexed at once, nothing due. */
	is_int(log_calls(n, acct, 10, refs), 0, "ten calls, not deferred");
	is_int((int)count(n, n->store->refs), 10, "their ten refs are indexed as they are written");
	is_int((int)count(n, n->store->refq), 0, "... and none is due");

	/* Deferred, over three writes. */
	rp_refs_defer(n->store, 1);
	for (int k = 0; k < 3 && rc == 0; k++)
		rc = log_calls(n, acct, 100, refs + 10 + k * 100);
	rp_refs_defer(n->store, 0);
	is_int(rc, 0, "300 calls in three deferred writes");
	is_int((int)count(n, n->store->refs), 10, "a deferring writer adds no ref to the index");
	is_int((int)count(n, n->store->refq), 300, "... and notes its 300 as due");
	for (int i = 0; i < 310 && all; i++)
		all = found(n, refs[i], RP_REF_TEXT) && found(n, refs[i], 8);
	ok(all, "every id is found before the merge, whole and by an 8-character prefix");
	ok(rp_node_read(n, &txn) == 0 && rp_refs_find(n->store, txn, refs[200], &hit) == 0 &&
	   !memcmp(hit.account, acct, RP_ACCOUNT_LEN) && !strcmp(hit.kind, "ix.log"),
	   "rp_refs_find gives a deferred ref's account and kind");
	rp_store_end(txn);

	is_int(rp_refs_settle(n->store, &added), 0, "the merge runs");
	is_int((int)added, 300, "... and merges 300 refs");
	is_int((int)count(n, n->store->refs), 310, "the index holds every ref once");
	is_int((int)count(n, n->store->refq), 0, "nothing is due any more");
	all = 1;
	for (int i = 0; i < 310 && all; i++)
		all = found(n, refs[i], 8);
	ok(all, "every id is found after the merge");
	is_int(rp_refs_settle(n->store, &added), 0, "a merge with nothing due");
	is_int((int)added, 0, "... merges nothing");

	/* A writer that dies before its merge: the next open settles. */
	{
		pid_t pid = gone_pid();
		rp_refs_defer(n->store, 1);
		rc = log_calls(n, acct, 20, refs);
		rp_refs_defer(n->store, 0);
		is_int(rc, 0, "twenty more calls, deferred");
		ok(note_deferrer(n, "refs_by", pid), "... noted as deferred by a process that is gone");
		rp_node_close(&n);
		is_int(rp_node_open(home, &n), 0, "the home opens again");
		is_int((int)count(n, n->store->refq), 0, "... and its open merged what the dead writer deferred");
		is_int((int)count(n, n->store->refs), 330, "... into the index");
	}

	/* A writer still running (a child standing in for it): an open leaves its refs. */
	{
		pid_t pid = live_pid();
		rp_refs_defer(n->store, 1);
		is_int(log_calls(n, acct, 5, refs), 0, "five calls, deferred");
		rp_refs_defer(n->store, 0);
		ok(note_deferrer(n, "refs_by", pid), "... noted as deferred by a live process");
		is_int(rp_refs_recover(n->store), 0, "recovery at open");
		is_int((int)count(n, n->store->refq), 5, "... leaves a live writer's refs to it");
		end_pid(pid);
		is_int(rp_refs_recover(n->store), 0, "once that writer is gone, recovery");
		is_int((int)count(n, n->store->refq), 0, "... merges them");
		is_int((int)count(n, n->store->refs), 335, "... into the index");
	}

	rp_node_close(&n);
	rm_tree(home);
	return done_testing();
}
