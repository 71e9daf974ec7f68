/* node/handover.c — accounts changing hands: the assign op (who may write
 * it, what it names as the previous owner), the dry-run report of what
 * would move, handing over every account of a member, and revoking a
 * member. The history itself moves by sync (session.c's scope and backfill). */
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "handover.h"
#include "node.h"
#include "../proto/body.h"
#include "edit.h"
#include "store/roster.h"
#include "store/view.h"
#include "../proto/error.h"

static int s_may_hand_over(const rp_write *w, const char *owner)
{
	return !strcmp(w->role, "admin") || !strcmp(w->role, "manager") ||
	       (owner && !strcmp(owner, w->member));
}

int rp_handover(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *to, const char *note)
{
	char t[RP_ACCOUNT_TEXT + 1];
	uint8_t prev[RP_OPID_LEN];
	rp_body_builder b;
	json_t *view = NULL;
	const char *owner, *prev_hex, *name;
	int rc;

	if ((rc = rp_edit_account(w, acct)) || (rc = rp_edit_member(w, to)) ||
	    (note && (rc = rp_edit_text("note", note, RP_STR_MAX, 1))))
		return rc;
	rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
	if ((rc = rp_edit_view(w, acct, &view)))
		return rp_fail(rc, "cannot read account %s", t);
	owner = json_string_value(json_object_get(view, "owner"));
	name = json_string_value(json_object_get(view, "name"));
	prev_hex = json_string_value(json_object_get(view, "owner_op"));
	if (!s_may_hand_over(w, owner))
		rc = rp_fail(RP_EDENIED, "only %s (its owner) or a manager can hand over '%s' (you are %s, a %s)",
		             owner ? owner : "its owner", name ? name : t, w->member, w->role);
	else if (owner && !strcmp(owner, to))
		rc = rp_fail(RP_EEXIST, "'%s' already belongs to %s", name ? name : t, to);
	else if (!prev_hex || sodium_hex2bin(prev, sizeof prev, prev_hex, strlen(prev_hex),
	                                     NULL, NULL, NULL) != 0)
		rc = rp_fail(RP_EIO, "account %s has no owner op", t);
	else {
		rp_body_init(&b);
		rp_body_put_str(&b, "to", to);
		rp_body_put_bin(&b, "prev", prev, RP_OPID_LEN);
		if (note)
			rp_body_put_str(&b, "note", note);
		{
			const uint8_t *body;
			size_t len;
			rc = rp_body_finish(&b, &body, &len);
			if (!rc)
				rc = rp_write_op(w, acct, "acct.assign", body, len, NULL);
		}
		rp_body_free(&b);
	}
	json_decref(view);
	return rc;
}

/* Accounts owned by member, from the owners index. */
static int s_owned(rp_store *st, MDB_txn *txn, const char *member, uint8_t **accts, size_t *n)
{
	size_t ml = strlen(member), cap = 16;
	uint8_t key[RP_NAME_MAX + 1];
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	*n = 0;
	if (ml > RP_NAME_MAX || !(*accts = malloc(cap * RP_ACCOUNT_LEN)))
		return RP_ENOMEM;
	memcpy(key, member, ml);
	key[ml] = 0;
	if ((rc = mdb_cursor_open(txn, st->owners, &c)))
		return rp_store_err(rc);
	k = (MDB_val){ ml + 1, key };
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != ml + 1 + RP_ACCOUNT_LEN || memcmp(k.mv_data, key, ml + 1))
			break;
		if (*n == cap) {
			void *p = realloc(*accts, (cap *= 2) * RP_ACCOUNT_LEN);
			if (!p) {
				mdb_cursor_close(c);
				return RP_ENOMEM;
			}
			*accts = p;
		}
		memcpy(*accts + (*n)++ * RP_ACCOUNT_LEN, (uint8_t *)k.mv_data + ml + 1, RP_ACCOUNT_LEN);
	}
	mdb_cursor_close(c);
	return 0;
}

int rp_handover_from(rp_write *w, const char *from, const char *to, const char *note, size_t *moved)
{
	uint8_t *accts = NULL;
	size_t n = 0;
	int rc;
	*moved = 0;
	if ((rc = rp_edit_member(w, from)) || (rc = rp_edit_member(w, to)))
		return rc;
	if (!strcmp(from, to))
		return rp_fail(RP_EINVAL, "--from and --to name the same member");
	if (strcmp(w->role, "admin") && strcmp(w->role, "manager") && strcmp(w->member, from))
		return rp_fail(RP_EDENIED, "only a manager can hand over %s's accounts (you are %s, a %s)",
		               from, w->member, w->role);
	if ((rc = rp_write_flush(w)) || (rc = s_owned(w->node->store, w->txn, from, &accts, &n)))
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = rp_handover(w, accts + i * RP_ACCOUNT_LEN, to, note)) == 0)
			(*moved)++;
out:
	free(accts);
	return rc;
}

/* What a handover of one account would move. */
static json_t *s_plan_row(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], const char *to)
{
	json_t *view, *row;
	MDB_cursor *c;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	size_t bytes = 0;
	if (rp_view_load(st, txn, acct, &view))
		return NULL;
	/* The size of its history as it travels: every op of the account. */
	if (mdb_cursor_open(txn, st->acct_ops, &c) == 0) {
		for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			MDB_val ok, ov;
			if (k.mv_size < RP_ACCOUNT_LEN + 8 + RP_OPID_LEN || memcmp(k.mv_data, acct, RP_ACCOUNT_LEN))
				break;
			ok = (MDB_val){ RP_OPID_LEN, (uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8 };
			if (mdb_get(txn, st->ops, &ok, &ov) == 0)
				bytes += ov.mv_size;
		}
		mdb_cursor_close(c);
	}
	row = json_pack("{sOsOsOsssOsOsIsI}", "id", json_object_get(view, "id"),
	        "name", json_object_get(view, "name"), "from", json_object_get(view, "owner"),
	        "to", to,
	        "interactions", json_object_get(json_object_get(view, "stats"), "interactions"),
	        "open_followups", json_object_get(json_object_get(view, "stats"), "open_followups"),
	        "ops", json_object_get(view, "ops") ? json_integer_value(json_object_get(view, "ops")) : 0,
	        "bytes", (json_int_t)bytes);
	json_decref(view);
	return row;
}

int rp_handover_plan(rp_node *n, const uint8_t *acct, const char *from, const char *to, json_t **out)
{
	MDB_txn *txn;
	uint8_t *accts = NULL;
	size_t cnt = 0;
	json_t *list = json_array();
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn))) {
		json_decref(list);
		return rc;
	}
	if (rp_roster_member(n->store, txn, to, NULL)) {
		rc = rp_fail(RP_ENOTFOUND, "no member '%s' in the team (see 'rapport member list')", to);
		goto out;
	}
	if (acct) {
		json_t *row = s_plan_row(n->store, txn, acct, to);
		if (row)
			json_array_append_new(list, row);
	} else {
		if (rp_roster_member(n->store, txn, from, NULL)) {
			rc = rp_fail(RP_ENOTFOUND, "no member '%s' in the team (see 'rapport member list')", from);
			goto out;
		}
		if ((rc = s_owned(n->store, txn, from, &accts, &cnt)))
			goto out;
		for (size_t i = 0; i < cnt; i++) {
			json_t *row = s_plan_row(n->store, txn, accts + i * RP_ACCOUNT_LEN, to);
			if (row)
				json_array_append_new(list, row);
		}
	}
out:
	free(accts);
	mdb_txn_abort(txn);
	if (rc) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

int rp_member_revoke(rp_write *w, const char *name, const char *handover_to, size_t *moved)
{
	uint8_t *accts = NULL, *cuts = NULL;
	size_t n = 0, ncut = 0, cap = 8;
	rp_body_builder b;
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	*moved = 0;
	if ((rc = rp_write_flush(w)))
		return rc;
	if (strcmp(w->role, "admin") != 0)
		return rp_fail(RP_EDENIED, "only an admin can revoke members (you are %s)", w->role);
	if ((rc = rp_edit_member(w, name)) || (handover_to && (rc = rp_edit_member(w, handover_to))))
		return rc;
	if (!strcmp(name, w->member))
		return rp_fail(RP_EINVAL, "you cannot revoke yourself");
	if (handover_to && !strcmp(name, handover_to))
		return rp_fail(RP_EINVAL, "--handover-to names the member being revoked");
	if ((rc = s_owned(w->node->store, w->txn, name, &accts, &n)))
		goto out;
	if (n && !handover_to) {
		rc = rp_fail(RP_EINVAL, "%s owns %zu account%s: say who gets them with --handover-to MEMBER",
		             name, n, n == 1 ? "" : "s");
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = rp_handover(w, accts + i * RP_ACCOUNT_LEN, handover_to, "revoked")) == 0)
			(*moved)++;
	if (rc || (rc = rp_write_flush(w)))
		goto out;
	/* Every device of the member, cut off at the last op this node holds. */
	if (!(cuts = malloc(cap * RP_OPID_LEN))) {
		rc = RP_ENOMEM;
		goto out;
	}
	if ((rc = mdb_cursor_open(w->txn, w->node->store->devices, &c))) {
		rc = rp_store_err(rc);
		goto out;
	}
	for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char m[RP_NAME_MAX + 1];
		MDB_val hk, hv;
		uint64_t head = 0;
		if (k.mv_size != RP_DEVICE_LEN || rp_roster_device(w->node->store, w->txn, k.mv_data, m, NULL) ||
		    strcmp(m, name))
			continue;
		hk = (MDB_val){ RP_DEVICE_LEN, k.mv_data };
		if (mdb_get(w->txn, w->node->store->heads, &hk, &hv) == 0 && hv.mv_size == 8)
			head = rp_be64_get(hv.mv_data);
		if (ncut == cap) {
			void *p = realloc(cuts, (cap *= 2) * RP_OPID_LEN);
			if (!p) {
				mdb_cursor_close(c);
				rc = RP_ENOMEM;
				goto out;
			}
			cuts = p;
		}
		rp_opid_make(cuts + ncut++ * RP_OPID_LEN, k.mv_data, head);
	}
	mdb_cursor_close(c);
	rp_body_init(&b);
	rp_body_put_str(&b, "name", name);
	rp_body_put_bins(&b, "cutoffs", cuts, RP_OPID_LEN, ncut);
	{
		const uint8_t *body;
		size_t len;
		rc = rp_body_finish(&b, &body, &len);
		if (!rc)
			rc = rp_write_op(w, NULL, "member.revoke", body, len, NULL);
	}
	rp_body_free(&b);
out:
	free(accts);
	free(cuts);
	return rc;
}

int rp_member_revoke_device(rp_write *w, const char *name, const char *device,
                            uint8_t cut[RP_DEVICE_LEN])
{
	uint8_t opid[RP_OPID_LEN];
	char text[RP_DEVICE_TEXT + 1];
	rp_body_builder b;
	const uint8_t *body;
	size_t len, plen = device ? strlen(device) : 0;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, hits = 0;
	if ((rc = rp_write_flush(w)))
		return rc;
	if (strcmp(w->role, "admin") != 0)
		return rp_fail(RP_EDENIED, "only an admin can revoke devices (you are %s)", w->role);
	if ((rc = rp_edit_member(w, name)))
		return rc;
	if (plen < 6 || plen > RP_DEVICE_TEXT || !rp_b32_is_prefix(device))
		return rp_fail(RP_EINVAL, "bad device id '%s': give the id (or 6 or more of its first "
		               "characters) that 'rapport member list' shows", device ? device : "");
	if ((rc = mdb_cursor_open(w->txn, w->node->store->devices, &c)))
		return rp_store_err(rc);
	for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char m[RP_NAME_MAX + 1];
		if (k.mv_size != RP_DEVICE_LEN || rp_roster_device(w->node->store, w->txn, k.mv_data, m, NULL) ||
		    strcmp(m, name))
			continue;
		rp_b32_encode(k.mv_data, RP_DEVICE_LEN, text, sizeof text);
		if (strncasecmp(text, device, plen) == 0) {
			memcpy(cut, k.mv_data, RP_DEVICE_LEN);
			hits++;
		}
	}
	mdb_cursor_close(c);
	if (hits == 0)
		return rp_fail(RP_ENOTFOUND, "%s has no device %s (see 'rapport member list')", name, device);
	if (hits > 1)
		return rp_fail(RP_EAMBIG, "%s matches more than one of %s's devices: give more of it", device, name);
	if (!memcmp(cut, w->node->key.pk, RP_DEVICE_LEN))
		return rp_fail(RP_EINVAL, "that is this device: revoke it from another admin's device");
	{
		MDB_val hk = { RP_DEVICE_LEN, cut }, hv;
		uint64_t head = 0;
		if (mdb_get(w->txn, w->node->store->heads, &hk, &hv) == 0 && hv.mv_size == 8)
			head = rp_be64_get(hv.mv_data);
		rp_opid_make(opid, cut, head);
	}
	rp_body_init(&b);
	rp_body_put_str(&b, "name", name);
	rp_body_put_bins(&b, "cutoffs", opid, RP_OPID_LEN, 1);
	rp_body_put_bool(&b, "device_only", 1);      /* the member and its other devices stay */
	if ((rc = rp_body_finish(&b, &body, &len)) == 0)
		rc = rp_write_op(w, NULL, "member.revoke", body, len, NULL);
	rp_body_free(&b);
	return rc;
}

int rp_team_set_keep(rp_write *w, int keep)
{
	rp_body_builder b;
	const uint8_t *body;
	size_t len;
	int rc;
	if ((rc = rp_write_flush(w)))
		return rc;
	if (!w->has_team)
		return rp_write_op(w, NULL, "team.set", NULL, 0, NULL);   /* names the problem */
	if (strcmp(w->role, "admin") != 0)
		return rp_fail(RP_EDENIED, "only an admin can change the team's settings (you are %s)", w->role);
	rp_body_init(&b);
	rp_body_put_str(&b, "key", "keep");
	rp_body_put_bool(&b, "value", keep);
	if ((rc = rp_body_finish(&b, &body, &len)) == 0)
		rc = rp_write_op(w, NULL, "team.set", body, len, NULL);
	rp_body_free(&b);
	return rc;
}
