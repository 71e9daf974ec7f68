/* node/fsck.c — trust nothing stored: re-verify every op's signature and body
 * hash, rebuild every view from the log and compare it with the stored one.
 * Read-only: it reports, it never repairs behind the user's back. */
#include <string.h>

#include <sodium.h>

#include "fsck.h"
#include "node.h"
#include "store/view.h"
#include "store/index.h"
#include "store/words.h"
#include "store/delivery.h"
#include "store/ingest.h"
#include "../proto/error.h"

static int s_seen(json_t *set, const uint8_t acct[RP_ACCOUNT_LEN])
{
	char t[RP_ACCOUNT_TEXT + 1];
	rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
	if (json_object_get(set, t))
		return 1;
	json_object_set_new(set, t, json_true());
	return 0;
}

/* What a walk of the store found so far. */
typedef struct s_check {
	rp_node *node;
	rp_txn  *txn;
	json_t  *accts;            /* accounts of the log still without a view */
	json_t  *problems;
	size_t   ops, bad, mismatched, accounts;
	size_t   entries, indexes;     /* index entries the views give; accounts whose differ */
} s_check;

/* Each stored op: decodes, verifies, and is stored under its own id. */
static int s_check_op(void *arg, const rp_val *k, const rp_val *v)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	s_check *c = arg;
	uint8_t opid[RP_OPID_LEN];
	rp_op op;
	int e;
	c->ops++;
	e = rp_op_decode(v->mv_data, v->mv_size, &op);
	if (!e)
		e = rp_op_verify(&op);
	if (!e) {
		rp_op_id(&op, opid);
		if (k->mv_size != RP_OPID_LEN || memcmp(k->mv_data, opid, RP_OPID_LEN))
			e = RP_EFORMAT;
	}
	if (e) {
		char t[RP_DEVICE_TEXT + 1] = "?";
		c->bad++;
		if (k->mv_size == RP_OPID_LEN)
			rp_b32_encode(k->mv_data, RP_DEVICE_LEN, t, sizeof t);
		json_array_append_new(c->problems, json_sprintf("op %llu of device %s: %s",
		        k->mv_size == RP_OPID_LEN ? (unsigned long long)rp_opid_seq(k->mv_data) : 0ULL,
		        t, rp_strerror(e)));
		return 0;
	}
	if (memcmp(op.account, zero, RP_ACCOUNT_LEN) != 0)
		s_seen(c->accts, op.account);
	return 0;
}

/* Each stored view: the fold of its account's log. */
static int s_check_view(void *arg, const rp_val *k, const rp_val *v)
{
	s_check *c = arg;
	json_t *view;
	char t[RP_ACCOUNT_TEXT + 1];
	rp_val stale;
	int differs;
	(void)v;
	c->accounts++;
	if (k->mv_size != RP_ACCOUNT_LEN) {
		c->mismatched++;
		return 0;
	}
	rp_b32_encode(k->mv_data, RP_ACCOUNT_LEN, t, sizeof t);
	json_object_del(c->accts, t);
	if ((differs = rp_view_differs(c->node->store, c->txn, k->mv_data, &view)) < 0) {
		c->mismatched++;
		json_array_append_new(c->problems, json_sprintf("account %s: view without ops", t));
		return 0;
	}
	{
		int d = rp_index_differs(c->node->store, c->txn, view, k->mv_data, &c->entries);
		if (d > 0 && rp_store_get(c->txn, c->node->store->stale, k->mv_data, RP_ACCOUNT_LEN, &stale) != 0) {
			c->indexes++;
			json_array_append_new(c->problems, json_sprintf("account %s: its index entries differ from "
			                      "its log ('rapport fsck --rebuild' rebuilds them)", t));
		}
	}
	json_decref(view);
	/* A view a sync marked stale (it could not rebuild it: a kill, a
	 * full disk) differs by design until it is rebuilt: not damage. */
	if (rp_store_get(c->txn, c->node->store->stale, k->mv_data, RP_ACCOUNT_LEN, &stale) == 0)
		return 0;
	if (differs) {
		c->mismatched++;
		json_array_append_new(c->problems, json_sprintf("account %s: stored view differs from the log", t));
	}
	return 0;
}

int rp_fsck(rp_node *n, json_t **report)
{
	s_check c = { n, NULL, json_object(), json_array(), 0, 0, 0, 0, 0, 0 };
	size_t arrivals;
	int rc;
	rp_errclear();
	/* words a bulk write has not put yet (words.h) are put first: the
	 * index is then compared whole */
	if ((rc = rp_words_settle(n->store, NULL)) && rc != RP_ENOSPC)
		goto out_fail;
	if ((rc = rp_node_read(n, &c.txn)))
		goto out_fail;
	if ((rc = rp_store_scan(c.txn, n->store->ops, NULL, 0, s_check_op, &c)))
		goto out_txn;
	/* Purged ops leave their feed entries: the feed may be longer, never shorter. */
	if ((arrivals = rp_store_count(c.txn, n->store->arrival)) < c.ops)
		json_array_append_new(c.problems, json_sprintf("arrival feed holds %zu entries for %zu ops",
		                                               arrivals, c.ops));
	/* Every stored view must be the fold of the log, and every account in the
	 * log must have its view. */
	if ((rc = rp_store_scan(c.txn, n->store->views, NULL, 0, s_check_view, &c)))
		goto out_txn;
	if (rp_store_count(c.txn, n->store->ix) != c.entries) {
		c.indexes++;
		json_array_append_new(c.problems, json_sprintf("the indexes hold %zu entries, the views give %zu "
		                      "('rapport fsck --rebuild' rebuilds them)",
		                      rp_store_count(c.txn, n->store->ix), c.entries));
	}
	{
		const char *key;
		json_t *val;
		json_object_foreach(c.accts, key, val) {
			c.mismatched++;
			json_array_append_new(c.problems, json_sprintf("account %s: ops without a view", key));
		}
	}
out_txn:
	rp_store_end(c.txn);
out_fail:
	json_decref(c.accts);
	if (rc) {
		json_decref(c.problems);
		return rp_fail(rc, "cannot read the store");
	}
	*report = json_pack("{sIsIsIsIsIsbso}", "ops", (json_int_t)c.ops, "accounts", (json_int_t)c.accounts,
	        "bad_sigs", (json_int_t)c.bad, "mismatched_views", (json_int_t)c.mismatched,
	        "mismatched_indexes", (json_int_t)c.indexes,
	        "ok", c.bad == 0 && c.mismatched == 0 && json_array_size(c.problems) == 0,
	        "problems", c.problems);
	/* A peer's recorded misbehaviour is reported, not damage: ok stays true. */
	{
		rp_txn *rt;
		if (rp_store_begin(n->store, 0, &rt) == 0) {
			json_object_set_new(*report, "equivocating", rp_ingest_equivocations(n->store, rt));
			rp_store_end(rt);
		}
	}
	if (c.bad)
		return rp_fail(RP_ESIG, "%zu of %zu ops fail verification", c.bad, c.ops);
	if (c.mismatched)
		return rp_fail(RP_EIO, "%zu views do not match the log", c.mismatched);
	if (c.indexes)
		return rp_fail(RP_EIO, "the indexes are out of step with the views: 'rapport fsck --rebuild' rebuilds them");
	if (json_array_size(json_object_get(*report, "problems")))
		return rp_fail(RP_EIO, "%s", json_string_value(json_array_get(json_object_get(*report, "problems"), 0)));
	return 0;
}

/* ---- rebuilding what is derived --------------------------------------------- */

static int s_drop_derived(rp_store *st, rp_txn *txn, void *arg)
{
	int rc;
	(void)arg;
	if ((rc = rp_index_clear(st, txn)) || (rc = rp_delivery_rebuild(st, txn)))
		return rc;
	return rp_view_mark_all_stale(st, txn);
}

int rp_fsck_rebuild(rp_node *n, uint64_t *accounts)
{
	int rc;
	rp_errclear();
	*accounts = 0;
	/* One txn drops the indexes and marks every view stale; the views are
	 * then folded again from the log a thousand accounts a txn, each with
	 * its indexes. Killed half way, the next open finishes the job. */
	if ((rc = rp_store_run(n->store, s_drop_derived, NULL)))
		return rp_fail(rc, "cannot drop the indexes: %s", rp_strerror(rc));
	if ((rc = rp_view_refresh_stale(n->store, accounts)))
		return rp_fail(rc, "cannot rebuild the views: %s", rp_strerror(rc));
	return 0;
}
