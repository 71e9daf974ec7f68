/* node/sync/purge.c — see purge.h. Deletes only what a full-scope peer has
 * acknowledged holding; never an assign op, never an account still owned
 * or followed here; and never on an admin's or manager's device. */
#include <string.h>

#include "purge.h"
#include "../../proto/body.h"
#include "../store/ingest.h"
#include "../store/roster.h"
#include "../store/view.h"
#include "../../proto/error.h"

/* Delete every op of acct but its assigns; *n counts them. */
static int s_purge_account(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], size_t *n)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	int rc;
	*n = 0;
	if ((rc = mdb_cursor_open(txn, st->acct_ops, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; ) {
		uint8_t opid[RP_OPID_LEN], ref[RP_REF_LEN];
		MDB_val ok, ov, rk;
		rp_op op;
		if (k.mv_size != RP_ACCT_KEY_LEN || memcmp(k.mv_data, acct, RP_ACCOUNT_LEN))
			break;
		memcpy(opid, (uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8, RP_OPID_LEN);
		ok = (MDB_val){ RP_OPID_LEN, opid };
		if (mdb_get(txn, st->ops, &ok, &ov) == 0 && rp_op_decode(ov.mv_data, ov.mv_size, &op) == 0 &&
		    !strcmp(op.kind, "acct.assign")) {
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
			continue;
		}
		rp_ref_of(ref, opid);
		rk = (MDB_val){ RP_REF_LEN, ref };
		mdb_del(txn, st->refs, &rk, NULL);
		if ((rc = mdb_del(txn, st->ops, &ok, NULL)) && rc != MDB_NOTFOUND)
			break;
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		(*n)++;
		rc = mdb_cursor_get(c, &k, &v, MDB_GET_CURRENT);
		if (rc == 0 && k.mv_size == RP_ACCT_KEY_LEN && !memcmp(k.mv_data, acct, RP_ACCOUNT_LEN) &&
		    !memcmp((uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8, opid, RP_OPID_LEN))
			rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);   /* (LMDB may not move on del) */
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

int rp_purge_lost(rp_node *n, uint64_t *count)
{
	rp_write *w = NULL;
	MDB_cursor *c;
	MDB_val k, v;
	uint8_t *lost = NULL;
	size_t nlost = 0, cap = 0;
	int rc, revoked;

	*count = 0;
	if (n->keep)
		return 0;
	if ((rc = rp_write_begin(n, &w)))
		return rc;
	if (!w->has_team || strcmp(w->role, "rep") != 0 || rp_roster_team_keep(n->store, w->txn))
		goto out;                       /* managers and admins keep everything; so may the team */
	revoked = rp_roster_revoked(n->store, w->txn, n->key.pk);
	if ((rc = mdb_cursor_open(w->txn, n->store->summaries, &c))) {
		rc = rp_store_err(rc);
		goto out;
	}
	for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		json_t *sum = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		const char *owner = json_string_value(json_object_get(sum, "owner"));
		int mine = (owner && !strcmp(owner, w->member)) ||
		           rp_view_lists(json_object_get(sum, "followers"), w->member);
		int gone = !json_is_string(json_object_get(sum, "name"));   /* purged already */
		json_decref(sum);
		if (mine || gone || k.mv_size != RP_ACCOUNT_LEN || !owner)
			continue;
		if (nlost == cap) {
			void *p = realloc(lost, (cap = cap ? cap * 2 : 16) * RP_ACCOUNT_LEN);
			if (!p) {
				mdb_cursor_close(c);
				rc = RP_ENOMEM;
				goto out;
			}
			lost = p;
		}
		memcpy(lost + nlost++ * RP_ACCOUNT_LEN, k.mv_data, RP_ACCOUNT_LEN);
	}
	mdb_cursor_close(c);
	for (size_t i = 0; i < nlost && rc == 0; i++) {
		const uint8_t *acct = lost + i * RP_ACCOUNT_LEN;
		rp_body_builder b;
		const uint8_t *body;
		size_t blen, removed = 0;
		json_t *sum = NULL, *rec;
		char *text;
		rp_view_load_summary(n->store, w->txn, acct, &sum);
		if ((rc = s_purge_account(n->store, w->txn, acct, &removed)) ||
		    (rc = rp_dirty_add(&w->dirty, acct)))
			break;
		/* The record names the account by its id and new owner only: no
		 * customer data stays behind (DESIGN.md §5). */
		rec = json_pack("{sOsI}", "owner", json_object_get(sum, "owner") ? json_object_get(sum, "owner") : json_null(),
		                "ops", (json_int_t)removed);
		json_decref(sum);
		text = json_dumps(rec, JSON_COMPACT);
		json_decref(rec);
		if (text) {
			MDB_val pk = { RP_ACCOUNT_LEN, (void *)acct }, pv = { strlen(text), text };
			rc = rp_store_err(mdb_put(w->txn, n->store->purged, &pk, &pv, 0));
			free(text);
		}
		if (rc)
			break;
		/* The receipt goes to the team: "this device no longer holds it"
		 * (a revoked device drops it without a word: nobody takes its ops). */
		if (revoked) {
			(*count)++;
			continue;
		}
		rp_body_init(&b);
		rp_body_put_bin(&b, "account", acct, RP_ACCOUNT_LEN);
		rp_body_put_int(&b, "ops", (int64_t)removed);
		if ((rc = rp_body_finish(&b, &body, &blen)) == 0)
			rc = rp_write_op(w, NULL, "purge.receipt", body, blen, NULL);
		rp_body_free(&b);

		if (rc == 0)
			(*count)++;
	}
	if (rc == 0 && nlost) {
		free(lost);
		/* What was deleted sits in free pages until the home is compacted:
		 * marked before the commit, erased by it (erase.h). */
		if ((rc = rp_store_mark_erase(n->store))) {
			rp_write_abort(&w);
			return rc;
		}
		return rp_write_commit(&w);
	}
out:
	free(lost);
	rp_write_abort(&w);
	return rc;
}
