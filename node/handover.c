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

/* Accounts owned by member, from the owners index (member ‖ 0 ‖ account). */
typedef struct s_owned_walk {
	const char *member;
	size_t      len;
	uint8_t    *accts;          /* RP_ACCOUNT_LEN each */
	size_t      n, cap;
} s_owned_walk;

static int s_owned_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_owned_walk *o = arg;
	const uint8_t *acct;
	size_t len;
	(void)v;
	if (rp_view_index_entry(k, &acct, &len) || len != o->len || memcmp(k->mv_data, o->member, len))
		return RP_STORE_STOP;      /* past the member's entries */
	if (o->n == o->cap) {
		void *p = realloc(o->accts, (o->cap *= 2) * RP_ACCOUNT_LEN);
		if (!p)
			return RP_ENOMEM;
		o->accts = p;
	}
	memcpy(o->accts + o->n++ * RP_ACCOUNT_LEN, acct, RP_ACCOUNT_LEN);
	return 0;
}

/* *accts (caller frees, even on failure) gets the *n accounts of member. */
static int s_owned(rp_store *st, rp_txn *txn, const char *member, uint8_t **accts, size_t *n)
{
	s_owned_walk o = { member, strlen(member), NULL, 0, 16 };
	int rc;
	*n = 0;
	if (o.len > RP_NAME_MAX || !(*accts = o.accts = malloc(o.cap * RP_ACCOUNT_LEN)))
		return RP_ENOMEM;
	rc = rp_store_scan(txn, st->owners, member, o.len + 1, s_owned_one, &o);   /* from member ‖ 0 */
	*accts = o.accts;
	*n = o.n;
	return rc;
}

/* When an intro follow-up is due: the team's next workday. */
static int s_intro_due(rp_write *w, uint64_t *due_ms)
{
	rp_team_settings team;
	int rc = rp_team_settings_get(w->node, &team);
	if (rc == 0)
		*due_ms = rp_when_day_ms(rp_team_next_workday(&team, rp_when_day(rp_node_now(w->node))));
	return rc;
}

/* The intro follow-up of acct. Its name comes from the summary stored
 * before this write (a handover does not rename), so the account is not
 * folded again; an account created in this very write is folded. */
static int s_intro(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *to, uint64_t due_ms)
{
	char text[RP_NAME_MAX + 64];
	uint8_t ref[RP_REF_LEN];
	json_t *doc = NULL;
	const char *name;
	int rc;
	if (rp_view_load_summary(w->node->store, w->txn, acct, &doc) && (rc = rp_edit_view(w, acct, &doc)))
		return rc;
	name = json_string_value(json_object_get(doc, "name"));
	snprintf(text, sizeof text, "introduce yourself to %s", name ? name : "the customer");
	json_decref(doc);
	return rp_fu_add(w, acct, text, due_ms, to, ref);
}

int rp_handover_intro(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *to)
{
	uint64_t due_ms;
	int rc = s_intro_due(w, &due_ms);
	return rc ? rc : s_intro(w, acct, to, due_ms);
}

int rp_handover_from(rp_write *w, const char *from, const char *to, const char *note, int intro,
                     size_t *moved)
{
	uint8_t *accts = NULL;
	uint64_t due_ms = 0;
	size_t n = 0;
	int rc;
	*moved = 0;
	if ((rc = rp_edit_member(w, from)) || (rc = rp_edit_member(w, to)) ||
	    (intro && (rc = s_intro_due(w, &due_ms))))
		return rc;
	if (!strcmp(from, to))
		return rp_fail(RP_EINVAL, "--from and --to name the same member");
	if (strcmp(w->role, "admin") && strcmp(w->role, "manager") && strcmp(w->member, from))
		return rp_fail(RP_EDENIED, "only a manager can hand over %s's accounts (you are %s, a %s)",
		               from, w->member, w->role);
	if ((rc = rp_write_flush(w)) || (rc = s_owned(w->node->store, w->txn, from, &accts, &n)))
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = rp_handover(w, accts + i * RP_ACCOUNT_LEN, to, note)) == 0 &&
		    (!intro || (rc = s_intro(w, accts + i * RP_ACCOUNT_LEN, to, due_ms)) == 0))
			(*moved)++;
out:
	free(accts);
	return rc;
}

/* The bytes of an account's history as it travels: every op of it. */
typedef struct s_size_walk {
	rp_store      *st;
	rp_txn        *txn;
	const uint8_t *acct;
	size_t         bytes;
} s_size_walk;

static int s_size_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_size_walk *s = arg;
	rp_val op;
	(void)v;
	if (k->mv_size < RP_ACCT_KEY_LEN || memcmp(k->mv_data, s->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;      /* past the account's ops */
	if (rp_store_get(s->txn, s->st->ops, (const uint8_t *)k->mv_data + RP_ACCOUNT_LEN + 8,
	                 RP_OPID_LEN, &op) == 0)
		s->bytes += op.mv_size;
	return 0;
}

/* What a handover of one account would move. */
static json_t *s_plan_row(rp_store *st, rp_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], const char *to)
{
	s_size_walk size = { st, txn, acct, 0 };
	json_t *view, *row;
	if (rp_view_load(st, txn, acct, &view))
		return NULL;
	/* A history that cannot be read counts what was read of it. */
	rp_store_scan(txn, st->acct_ops, acct, RP_ACCOUNT_LEN, s_size_one, &size);
	row = json_pack("{sOsOsOsssOsOsIsI}", "id", json_object_get(view, "id"),
	        "name", json_object_get(view, "name"), "from", json_object_get(view, "owner"),
	        "to", to,
	        "interactions", json_object_get(json_object_get(view, "stats"), "interactions"),
	        "open_followups", json_object_get(json_object_get(view, "stats"), "open_followups"),
	        "ops", json_object_get(view, "ops") ? json_integer_value(json_object_get(view, "ops")) : 0,
	        "bytes", (json_int_t)size.bytes);
	json_decref(view);
	return row;
}

int rp_handover_plan(rp_node *n, const uint8_t *acct, const char *from, const char *to, json_t **out)
{
	rp_txn *txn;
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
	rp_store_end(txn);
	if (rc) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

/* The devices of a member, in id order, from the devices table. */
typedef struct s_devices_walk {
	rp_write   *w;
	const char *member;
	uint8_t    *ids;            /* RP_DEVICE_LEN each */
	size_t      n, cap;
} s_devices_walk;

static int s_device_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_devices_walk *d = arg;
	char m[RP_NAME_MAX + 1];
	(void)v;
	if (k->mv_size != RP_DEVICE_LEN || rp_roster_device(d->w->node->store, d->w->txn, k->mv_data, m, NULL) ||
	    strcmp(m, d->member))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		void *p = realloc(d->ids, cap * RP_DEVICE_LEN);
		if (!p)
			return RP_ENOMEM;
		d->ids = p;
		d->cap = cap;
	}
	memcpy(d->ids + d->n++ * RP_DEVICE_LEN, k->mv_data, RP_DEVICE_LEN);
	return 0;
}

/* *ids gets the *n devices of member: the caller frees it (NULL when
 * there are none, or on failure). */
static int s_member_devices(rp_write *w, const char *member, uint8_t **ids, size_t *n)
{
	s_devices_walk d = { w, member, NULL, 0, 0 };
	int rc = rp_store_scan(w->txn, w->node->store->devices, NULL, 0, s_device_one, &d);
	if (rc) {
		free(d.ids);
		d.ids = NULL;
		d.n = 0;
	}
	*ids = d.ids;
	*n = d.n;
	return rc;
}

int rp_member_revoke(rp_write *w, const char *name, const char *handover_to, size_t *moved)
{
	uint8_t *accts = NULL, *devs = NULL, *cuts = NULL;
	size_t n = 0, ncut = 0;
	uint64_t due_ms = 0;
	rp_body_builder b;
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
	if (n && (rc = s_intro_due(w, &due_ms)))
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = rp_handover(w, accts + i * RP_ACCOUNT_LEN, handover_to, "revoked")) == 0 &&
		    (rc = s_intro(w, accts + i * RP_ACCOUNT_LEN, handover_to, due_ms)) == 0)
			(*moved)++;
	if (rc || (rc = rp_write_flush(w)))
		goto out;
	/* Every device of the member, cut off at the last op this node holds. */
	if ((rc = s_member_devices(w, name, &devs, &ncut)))
		goto out;
	if (!(cuts = malloc(ncut * RP_OPID_LEN + 1))) {
		rc = RP_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < ncut; i++) {
		const uint8_t *dev = devs + i * RP_DEVICE_LEN;
		uint64_t head;
		rp_store_get_u64(w->txn, w->node->store->heads, dev, RP_DEVICE_LEN, &head);
		rp_opid_make(cuts + i * RP_OPID_LEN, dev, head);
	}
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
	free(devs);
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
	size_t len, plen = device ? strlen(device) : 0, ndev = 0;
	uint8_t *devs;
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
	if ((rc = s_member_devices(w, name, &devs, &ndev)))
		return rc;
	for (size_t i = 0; i < ndev; i++) {
		rp_b32_encode(devs + i * RP_DEVICE_LEN, RP_DEVICE_LEN, text, sizeof text);
		if (strncasecmp(text, device, plen) == 0) {
			memcpy(cut, devs + i * RP_DEVICE_LEN, RP_DEVICE_LEN);
			hits++;
		}
	}
	free(devs);
	if (hits == 0)
		return rp_fail(RP_ENOTFOUND, "%s has no device %s (see 'rapport member list')", name, device);
	if (hits > 1)
		return rp_fail(RP_EAMBIG, "%s matches more than one of %s's devices: give more of it", device, name);
	if (!memcmp(cut, w->node->key.pk, RP_DEVICE_LEN))
		return rp_fail(RP_EINVAL, "that is this device: revoke it from another admin's device");
	{
		uint64_t head;
		rp_store_get_u64(w->txn, w->node->store->heads, cut, RP_DEVICE_LEN, &head);
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
