/* tests/unit/test_append.c — a write that only logs interactions folds them
 * into the stored view (view.h, tally.h) instead of refolding the account:
 * the view, items, tally and index entries it leaves are byte for byte what
 * a refold gives (fsck compares them), for interactions logged in the past
 * as well as now, for purchases whose sum saturates (the refold takes over),
 * and after a retraction (a refold) the appending goes on; an interaction
 * that arrives after a change naming it (a skewed clock, a hostile device)
 * is refolded, not appended. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "forge.h"
#include "../../node/node.h"
#include "../../node/fsck.h"
#include "../../node/store/view.h"
#include "../../node/store/ingest.h"
#include "../../proto/limits.h"

#define DAY (86400000ULL)

static rp_node *n;

static int s_fsck_ok(void)
{
	json_t *rep = NULL;
	int ok_ = rp_fsck(n, &rep) == 0 && json_is_true(json_object_get(rep, "ok")) &&
	          json_integer_value(json_object_get(rep, "mismatched_views")) == 0;
	if (!ok_) {
		char *t = rep ? json_dumps(rep, 0) : NULL;
		diag("fsck: %s", t ? t : rp_errmsg());
		free(t);
	}
	json_decref(rep);
	return ok_;
}

/* One interaction in a write of its own. */
static int s_log(const uint8_t acct[RP_ACCOUNT_LEN], const rp_ix_spec *ix, uint8_t ref[RP_REF_LEN])
{
	rp_write *w = NULL;
	int rc = rp_write_begin(n, &w);
	if (rc == 0 && (rc = rp_ix_log(w, acct, ix, ref)) != 0)
		rp_write_abort(&w);
	return rc ? rc : rp_write_commit(&w);
}

/* Ingest one op and refresh what it dirtied as a write does. */
static int s_ingest(rp_store *st, const forged_op *o)
{
	MDB_txn *txn;
	rp_dirty dirty = { 0 };
	uint64_t clock = 0;
	int rc = rp_store_begin(st, 1, &txn);
	if (rc == 0 && (rc = rp_ingest(st, txn, o->bytes, o->len, 0, &dirty, &clock, 0)) == 0)
		rc = rp_view_refresh_many(st, txn, (const uint8_t (*)[RP_ACCOUNT_LEN])dirty.accts, dirty.refold, dirty.n);
	if (rc == 0)
		rc = mdb_txn_commit(txn) ? RP_EIO : 0;
	else
		mdb_txn_abort(txn);
	rp_dirty_free(&dirty);
	return rc;
}

/* A retraction with a stamp before its interaction's, folded first (it
 * names nothing yet); then the interaction, after the account's last op. */
static void test_orphan(void)
{
	static const char *const names[] = { "ann" }, *const roles[] = { "admin" };
	char dir[] = "/tmp/rapport-append-orphan-XXXXXX";
	forged_op roster[4], create, retract, ix, cancel, fu;
	rp_body_builder b;
	uint8_t acct[RP_ACCOUNT_LEN], ixid[RP_OPID_LEN], fuid[RP_OPID_LEN];
	size_t nr;
	rp_store *st;
	MDB_txn *txn;
	json_t *view = NULL;
	unsigned long before;
	int bad = 0;

	forge_keys();
	nr = forge_roster(roster, 1, names, roles);
	randombytes_buf(acct, RP_ACCOUNT_LEN);
	rp_body_init(&b);
	rp_body_put_str(&b, "name", "Orphan Ltd");
	rp_body_put_str(&b, "owner", "ann");
	create = forge_op(0, acct, "acct.create", RP_HLC_MAKE(2000, 0), &b);
	rp_body_init(&b);
	rp_body_put_str(&b, "type", "call");
	rp_body_put_str(&b, "text", "talked");
	ix = forge_op(0, acct, "ix.log", RP_HLC_MAKE(5000, 0), &b);
	forge_opid(&ix, ixid);
	rp_body_init(&b);
	rp_body_put_bin(&b, "ix", ixid, RP_OPID_LEN);
	rp_body_put_str(&b, "reason", "twice");
	retract = forge_op(0, acct, "ix.retract", RP_HLC_MAKE(3000, 0), &b);
	rp_body_init(&b);
	rp_body_put_str(&b, "text", "call back");
	rp_body_put_int(&b, "due", 1773100800000LL);
	fu = forge_op(0, acct, "fu.add", RP_HLC_MAKE(6000, 0), &b);
	forge_opid(&fu, fuid);
	rp_body_init(&b);
	rp_body_put_bin(&b, "fu", fuid, RP_OPID_LEN);
	cancel = forge_op(0, acct, "fu.cancel", RP_HLC_MAKE(3100, 0), &b);

	if (!mkdtemp(dir) || rp_store_open(dir, &st)) {
		ok(0, "a store");
		return;
	}
	for (size_t i = 0; i < nr; i++)
		bad |= s_ingest(st, &roster[i]);
	bad |= s_ingest(st, &create);
	bad |= s_ingest(st, &retract);
	before = rp_view_appends;
	bad |= s_ingest(st, &ix);
	is_int(bad, 0, "the roster, the account, the retraction, then its interaction");
	is_int((int)(rp_view_appends - before), 0, "the interaction a change named before is refolded");
	bad |= s_ingest(st, &cancel);
	before = rp_view_appends;
	bad |= s_ingest(st, &fu);
	is_int(bad, 0, "a cancel, then its follow-up");
	is_int((int)(rp_view_appends - before), 0, "the follow-up a change named before is refolded");
	is_int(rp_store_begin(st, 0, &txn), 0, "a read");
	is_int(rp_view_differs(st, txn, acct, &view), 0, "the stored view is the refold's");
	ok(view && json_is_true(json_object_get(json_array_get(json_object_get(view, "interactions"), 0), "retracted")),
	   "and the interaction is retracted in it");
	ok(view && json_is_true(json_object_get(json_array_get(json_object_get(view, "followups"), 0), "cancelled")),
	   "and the follow-up cancelled");
	json_decref(view);
	rp_store_end(txn);
	rp_store_close(&st);
	rm_tree(dir);
	for (size_t i = 0; i < nr; i++)
		free(roster[i].bytes);
	free(create.bytes);
	free(ix.bytes);
	free(retract.bytes);
	free(fu.bytes);
	free(cancel.bytes);
}

int main(void)
{
	char home[64];
	rp_write *w = NULL;
	uint8_t acct[RP_ACCOUNT_LEN], ref[RP_REF_LEN], first[RP_REF_LEN];
	uint64_t now = 1773100800000ULL;       /* 2026-03-10 */
	static const char *types[] = { "call", "visit", "purchase", "complaint", "note", "email" };
	unsigned long before;
	int bad = 0;
	json_t *view = NULL;

	snprintf(home, sizeof home, "/tmp/rapport-append-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", now - 400 * DAY), 0, "a team starts");
	is_int(rp_node_open(home, &n), 0, "its node opens");
	rp_node_set_now(n, now);
	is_int(rp_write_begin(n, &w), 0, "begin a write");
	is_int(rp_account_add(w, "Bakery Blum", NULL, acct), 0, "an account");
	is_int(rp_write_commit(&w), 0, "committed");

	before = rp_view_appends;
	for (int i = 0; i < 60; i++) {
		/* some logged when they happened, some days later, one far back */
		rp_ix_spec ix = { .type = types[i % 6], .text = i % 4 ? "Oven" : "flour sacks",
		                  .at_ms = i == 30 ? now - 300 * DAY : now - (uint64_t)(60 - i) * DAY + (i % 3) * DAY,
		                  .has_amount = i % 6 == 2, .cents = 1000 + i, .currency = i % 12 == 2 ? "CHF" : "EUR" };
		bad |= s_log(acct, &ix, i ? ref : first);
	}
	is_int(bad, 0, "sixty interactions, a write each (%s)", rp_errmsg());
	ok(rp_view_appends - before >= 59, "each after the first folded into the stored view (%lu)",
	   rp_view_appends - before);
	ok(s_fsck_ok(), "and the stored view, items, tally and indexes are the refold's");

	{
		rp_write *wr = NULL;
		is_int(rp_write_begin(n, &wr), 0, "a retraction");
		is_int(rp_ix_retract(wr, first, "wrong account"), 0, "retracted (%s)", rp_errmsg());
		is_int(rp_write_commit(&wr), 0, "committed: a refold");
	}
	before = rp_view_appends;
	{
		rp_ix_spec ix = { .type = "complaint", .text = "the oven is late", .at_ms = now };
		is_int(s_log(acct, &ix, ref), 0, "a complaint after it");
	}
	is_int((int)(rp_view_appends - before), 1, "folded in again");
	ok(s_fsck_ok(), "still the refold's");

	/* follow-ups: each in its place among the others (due, then id), some
	 * due at the same moment, some a few ms apart within one second (the
	 * view shows seconds; the order is the exact time's) */
	before = rp_view_appends;
	for (int i = 0; i < 24 && !bad; i++) {
		rp_write *wf = NULL;
		uint64_t due = now + (uint64_t)((i * 7) % 5) * DAY + (uint64_t)(i % 3) * 7;
		bad |= rp_write_begin(n, &wf) || rp_fu_add(wf, acct, i % 2 ? "call back" : "send the offer", due,
		                                           NULL, i == 5 ? first : ref) || rp_write_commit(&wf);
	}
	is_int(bad, 0, "24 follow-ups, a write each (%s)", rp_errmsg());
	ok(rp_view_appends - before >= 24, "each folded into the stored view (%lu)", rp_view_appends - before);
	ok(s_fsck_ok(), "in the refold's order, with its next due and open count");
	{
		rp_write *wd = NULL;
		rp_ix_spec ix = { .type = "call", .text = "after the follow-ups", .at_ms = now };
		is_int(rp_write_begin(n, &wd), 0, "a follow-up done");
		is_int(rp_fu_done(wd, first, "sent"), 0, "done (%s)", rp_errmsg());
		is_int(rp_write_commit(&wd), 0, "committed: a refold");
		before = rp_view_appends;
		is_int(s_log(acct, &ix, ref), 0, "an interaction after it");
		is_int((int)(rp_view_appends - before), 1, "folded in");
		ok(s_fsck_ok(), "still the refold's");
	}

	/* sums near the limit: once a currency's amounts could saturate in
	 * some order, the refold decides */
	for (int i = 0; i < 95 && !bad; i++) {
		rp_ix_spec ix = { .type = "purchase", .text = "gold", .at_ms = now - (uint64_t)i * 1000,
		                  .has_amount = 1, .cents = RP_CENTS_MAX, .currency = "JPY" };
		bad |= s_log(acct, &ix, ref);
	}
	is_int(bad, 0, "95 purchases of the largest amount");
	ok(s_fsck_ok(), "the saturated sum is the refold's");
	{
		MDB_txn *txn;
		is_int(rp_node_read(n, &txn), 0, "a read");
		is_int(rp_view_load(n->store, txn, acct, &view), 0, "the view puts its parts together");
		rp_store_end(txn);
		is_int((int)json_array_size(json_object_get(view, "interactions")), 60 + 1 + 1 + 95,
		       "every interaction in it, the retracted one too");
		ok(json_integer_value(json_object_get(json_object_get(view, "stats"), "interactions")) == 60 - 1 + 1 + 1 + 95,
		   "the live ones counted");
		ok(json_integer_value(json_object_get(json_object_get(view, "stats"), "open_followups")) == 23,
		   "the open follow-ups counted");
		json_decref(view);
	}
	rp_node_close(&n);
	rm_tree(home);
	test_orphan();
	return done_testing();
}
