/* node/fsck.c — trust nothing stored: re-verify every op's signature and body
 * hash, rebuild every view from the log and compare it with the stored one.
 * Read-only: it reports, it never repairs behind the user's back. */
#include <string.h>

#include <sodium.h>

#include "fsck.h"
#include "node.h"
#include "store/view.h"
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

int rp_fsck(rp_node *n, json_t **report)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	MDB_stat ms;
	json_t *accts = json_object(), *problems = json_array();
	size_t ops = 0, bad = 0, mismatched = 0, accounts = 0;
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		goto out_fail;
	if ((rc = mdb_cursor_open(txn, n->store->ops, &c)))
		goto out_txn;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint8_t opid[RP_OPID_LEN];
		rp_op op;
		int e;
		ops++;
		e = rp_op_decode(v.mv_data, v.mv_size, &op);
		if (!e)
			e = rp_op_verify(&op);
		if (!e) {
			rp_op_id(&op, opid);
			if (k.mv_size != RP_OPID_LEN || memcmp(k.mv_data, opid, RP_OPID_LEN))
				e = RP_EFORMAT;
		}
		if (e) {
			char t[RP_DEVICE_TEXT + 1] = "?";
			bad++;
			if (k.mv_size == RP_OPID_LEN)
				rp_b32_encode(k.mv_data, RP_DEVICE_LEN, t, sizeof t);
			json_array_append_new(problems, json_sprintf("op %llu of device %s: %s",
			        k.mv_size == RP_OPID_LEN ? (unsigned long long)rp_opid_seq(k.mv_data) : 0ULL,
			        t, rp_strerror(e)));
			continue;
		}
		if (memcmp(op.account, zero, RP_ACCOUNT_LEN) != 0)
			s_seen(accts, op.account);
	}
	mdb_cursor_close(c);
	/* Purged ops leave their feed entries: the feed may be longer, never shorter. */
	if (mdb_stat(txn, n->store->arrival, &ms) == 0 && ms.ms_entries < ops)
		json_array_append_new(problems, json_sprintf("arrival feed holds %zu entries for %zu ops",
		                                             (size_t)ms.ms_entries, ops));
	/* Every stored view must be the fold of the log, and every account in the
	 * log must have its view. */
	if ((rc = mdb_cursor_open(txn, n->store->views, &c)))
		goto out_txn;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		json_t *view;
		char *text, t[RP_ACCOUNT_TEXT + 1];
		accounts++;
		if (k.mv_size != RP_ACCOUNT_LEN) {
			mismatched++;
			continue;
		}
		rp_b32_encode(k.mv_data, RP_ACCOUNT_LEN, t, sizeof t);
		json_object_del(accts, t);
		if (rp_view_build(n->store, txn, k.mv_data, &view, NULL)) {
			mismatched++;
			json_array_append_new(problems, json_sprintf("account %s: view without ops", t));
			continue;
		}
		text = rp_view_text(view);
		json_decref(view);
		/* A view a sync marked stale (it could not rebuild it: a kill, a
		 * full disk) differs by design until it is rebuilt: not damage. */
		{
			MDB_val sk = { RP_ACCOUNT_LEN, k.mv_data }, sv;
			if (mdb_get(txn, n->store->stale, &sk, &sv) == 0) {
				free(text);
				continue;
			}
		}
		if (!text || strlen(text) != v.mv_size || memcmp(text, v.mv_data, v.mv_size)) {
			mismatched++;
			json_array_append_new(problems, json_sprintf("account %s: stored view differs from the log", t));
		}
		free(text);
	}
	mdb_cursor_close(c);
	{
		const char *key;
		json_t *val;
		json_object_foreach(accts, key, val) {
			mismatched++;
			json_array_append_new(problems, json_sprintf("account %s: ops without a view", key));
		}
	}
	rc = 0;
out_txn:
	mdb_txn_abort(txn);
out_fail:
	json_decref(accts);
	if (rc) {
		json_decref(problems);
		return rp_fail(rp_store_err(rc), "cannot read the store");
	}
	*report = json_pack("{sIsIsIsIsbso}", "ops", (json_int_t)ops, "accounts", (json_int_t)accounts,
	        "bad_sigs", (json_int_t)bad, "mismatched_views", (json_int_t)mismatched,
	        "ok", bad == 0 && mismatched == 0 && json_array_size(problems) == 0, "problems", problems);
	/* A peer's recorded misbehaviour is reported, not damage: ok stays true. */
	{
		MDB_txn *rt;
		if (rp_store_begin(n->store, 0, &rt) == 0) {
			json_object_set_new(*report, "equivocating", rp_ingest_equivocations(n->store, rt));
			mdb_txn_abort(rt);
		}
	}
	if (bad)
		return rp_fail(RP_ESIG, "%zu of %zu ops fail verification", bad, ops);
	if (mismatched || json_array_size(json_object_get(*report, "problems")))
		return rp_fail(RP_EIO, "%zu views do not match the log", mismatched);
	return 0;
}
