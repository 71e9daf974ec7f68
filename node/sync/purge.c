/* node/sync/purge.c — see purge.h. Deletes only what a full-scope peer has
 * acknowledged holding; never an assign op, never an account still owned
 * or followed here; and never on an admin's or manager's device. */
#include <stdlib.h>
#include <string.h>

#include "purge.h"
#include "../../proto/body.h"
#include "../store/ingest.h"
#include "../store/refs.h"
#include "../store/roster.h"
#include "../store/summary.h"
#include "../../proto/error.h"

/* The acct_ops keys of an account's ops that are not assigns: what a
 * purge deletes. Collected first, deleted after the walk. */
typedef struct s_doomed {
	rp_store      *st;
	MDB_txn       *txn;
	const uint8_t *acct;
	uint8_t       *keys;        /* n keys of RP_ACCT_KEY_LEN bytes, malloc'd */
	size_t         n, cap;
} s_doomed;

static int s_doomed_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_doomed *d = arg;
	const uint8_t *opid = (const uint8_t *)k->mv_data + RP_ACCOUNT_LEN + 8;
	MDB_val ov;
	rp_op op;
	(void)v;
	if (k->mv_size != RP_ACCT_KEY_LEN || memcmp(k->mv_data, d->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;
	if (rp_store_get(d->txn, d->st->ops, opid, RP_OPID_LEN, &ov) == 0 &&
	    rp_op_decode(ov.mv_data, ov.mv_size, &op) == 0 && !strcmp(op.kind, "acct.assign"))
		return 0;                    /* the assigns stay: who holds it now */
	if (d->n == d->cap) {
		size_t ncap = d->cap ? 2 * d->cap : 64;
		uint8_t *p = realloc(d->keys, ncap * RP_ACCT_KEY_LEN);
		if (!p)
			return RP_ENOMEM;
		d->keys = p;
		d->cap = ncap;
	}
	memcpy(d->keys + d->n++ * RP_ACCT_KEY_LEN, k->mv_data, RP_ACCT_KEY_LEN);
	return 0;
}

/* Delete every op of acct but its assigns (from the log, its account
 * index and the refs); *n counts them. */
static int s_purge_account(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], size_t *n)
{
	s_doomed d = { st, txn, acct, NULL, 0, 0 };
	int rc;
	*n = 0;
	rc = rp_store_scan(txn, st->acct_ops, acct, RP_ACCOUNT_LEN, s_doomed_one, &d);
	for (size_t i = 0; i < d.n && rc == 0; i++) {
		const uint8_t *key = d.keys + i * RP_ACCT_KEY_LEN, *opid = key + RP_ACCOUNT_LEN + 8;
		if ((rc = rp_refs_del(txn, st, opid)) == 0 &&
		    (rc = rp_store_del(txn, st->ops, opid, RP_OPID_LEN)) == 0 &&
		    (rc = rp_store_del(txn, st->acct_ops, key, RP_ACCT_KEY_LEN)) == 0)
			(*n)++;
	}
	free(d.keys);
	return rc;
}

/* The accounts this device holds and its member no longer owns nor
 * follows: what a purge drops. */
typedef struct s_lost {
	const char *member;
	uint8_t    *accts;          /* n accounts, malloc'd */
	size_t      n, cap;
} s_lost;

static int s_lost_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_lost *l = arg;
	rp_summary *sum;
	int rc, lost;
	if (k->mv_size != RP_ACCOUNT_LEN)
		return 0;
	if ((rc = rp_summary_decode(v->mv_data, v->mv_size, &sum)))
		return rc == RP_ENOMEM ? rc : 0;      /* unreadable: kept, for fsck to say */
	/* no name: purged already; no owner: nobody to have lost it to */
	lost = sum->name && sum->owner && !rp_summary_held_by(sum, l->member);
	rp_summary_free(&sum);
	if (!lost)
		return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? 2 * l->cap : 16;
		uint8_t *p = realloc(l->accts, ncap * RP_ACCOUNT_LEN);
		if (!p)
			return RP_ENOMEM;
		l->accts = p;
		l->cap = ncap;
	}
	memcpy(l->accts + l->n++ * RP_ACCOUNT_LEN, k->mv_data, RP_ACCOUNT_LEN);
	return 0;
}

int rp_purge_lost(rp_node *n, uint64_t *count)
{
	rp_write *w = NULL;
	s_lost lost = { NULL, NULL, 0, 0 };
	int rc, revoked;

	*count = 0;
	if (n->keep)
		return 0;
	if ((rc = rp_write_begin(n, &w)))
		return rc;
	if (!w->has_team || strcmp(w->role, "rep") != 0 || rp_roster_team_keep(n->store, w->txn))
		goto out;                       /* managers and admins keep everything; so may the team */
	revoked = rp_roster_revoked(n->store, w->txn, n->key.pk);
	lost.member = w->member;
	if ((rc = rp_store_scan(w->txn, n->store->summaries, NULL, 0, s_lost_one, &lost)))
		goto out;
	for (size_t i = 0; i < lost.n && rc == 0; i++) {
		const uint8_t *acct = lost.accts + i * RP_ACCOUNT_LEN;
		rp_body_builder b;
		const uint8_t *body;
		size_t blen, removed = 0;
		rp_summary *sum;
		json_t *rec;
		char *text;
		/* Read before the purge: its new owner goes into the record. */
		if ((rc = rp_summary_load(n->store, w->txn, acct, &sum)) ||
		    (rc = s_purge_account(n->store, w->txn, acct, &removed)) ||
		    (rc = rp_dirty_add(&w->dirty, acct))) {
			rp_summary_free(&sum);
			break;
		}
		/* The record names the account by its id and new owner only: no
		 * customer data stays behind (DESIGN.md §5). */
		rec = json_pack("{sosI}", "owner", sum->owner ? json_string(sum->owner) : json_null(),
		                "ops", (json_int_t)removed);
		rp_summary_free(&sum);
		text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
		json_decref(rec);
		if (!text) {
			rc = RP_ENOMEM;
			break;
		}
		rc = rp_store_put(w->txn, n->store->purged, acct, RP_ACCOUNT_LEN, text, strlen(text));
		free(text);
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
	if (rc == 0 && lost.n) {
		free(lost.accts);
		/* What was deleted sits in free pages until the home is compacted:
		 * marked before the commit, erased by it (erase.h). */
		if ((rc = rp_store_mark_erase(n->store))) {
			rp_write_abort(&w);
			return rc;
		}
		return rp_write_commit(&w);
	}
out:
	free(lost.accts);
	rp_write_abort(&w);
	return rc;
}
