/* node/edit.c — local edits: what a user asks for, checked and turned into
 * signed ops (the write verbs of rapport.h). Every check that can name the
 * culprit happens here, before anything is signed. */
#include <ctype.h>
#include <string.h>
#include <sodium.h>

#include "node.h"
#include "text/casefold.h"
#include "text/when.h"
#include "../proto/body.h"
#include "store/roster.h"
#include "store/view.h"
#include "store/index.h"
#include "store/ingest.h"
#include "store/refs.h"
#include "edit.h"
#include "store/schema.h"
#include "../proto/error.h"

/* Text a person typed: valid UTF-8, not empty, within max bytes, and no
 * control characters other than newline and tab when multiline. */
int rp_edit_text(const char *what, const char *text, size_t max, int multiline)
{
	size_t n = text ? strlen(text) : 0;
	if (n == 0)
		return rp_fail(RP_EINVAL, "%s is empty", what);
	if (n > max)
		return rp_fail(RP_ELIMIT, "%s is too long (%zu bytes; the limit is %zu)", what, n, max);
	/* The rule every node checks on arrival (schema.h), with its reason. */
	if (!rp_schema_text_ok(text, n, multiline)) {
		json_t *j = json_string(text);       /* NULL: not UTF-8 at all */
		json_decref(j);
		return rp_fail(RP_EINVAL, j ? "%s contains a control character" : "%s is not valid UTF-8", what);
	}
	return 0;
}

int rp_edit_one_of(const char *what, const char *val, const char *const *list)
{
	char all[256] = "";
	for (int i = 0; list[i]; i++) {
		if (!strcmp(val, list[i]))
			return 0;
		strcat(all, i ? "|" : "");
		strcat(all, list[i]);
	}
	return rp_fail(RP_EINVAL, "unknown %s '%s': use %s", what, val, all);
}


int rp_edit_email(const char *what, const char *v)
{
	const char *at = strchr(v, '@');
	if (!at || at == v || !at[1] || strchr(at + 1, '@') || strpbrk(v, " \t\r\n<>,;"))
		return rp_fail(RP_EINVAL, "%s '%s' is not an email address", what, v);
	return 0;
}

int rp_edit_finish(rp_write *w, const uint8_t *acct, const char *kind, rp_body_builder *b,
                   uint8_t opid[RP_OPID_LEN])
{
	const uint8_t *body;
	size_t len;
	int rc = rp_body_finish(b, &body, &len);
	if (!rc)
		rc = rp_write_op(w, acct, kind, body, len, opid);
	rp_body_free(b);
	return rc;
}

static void s_acct_text(const uint8_t acct[RP_ACCOUNT_LEN], char t[RP_ACCOUNT_TEXT + 1])
{
	rp_b32_encode(acct, RP_ACCOUNT_LEN, t, RP_ACCOUNT_TEXT + 1);
}

int rp_edit_view(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], json_t **view)
{
	int rc;
	if ((rc = rp_write_flush(w)))
		return rc;
	/* A view changed in this write is rebuilt at commit: fold it afresh. */
	return rp_dirty_has(&w->dirty, acct) ? rp_view_build(w->node->store, w->txn, acct, view, NULL)
	                        : rp_view_load(w->node->store, w->txn, acct, view);
}

/* The account must exist here (its view is stored, or it was created in
 * this very write). */
int rp_edit_account(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN])
{
	char t[RP_ACCOUNT_TEXT + 1];
	json_t *sum;
	int forgotten;
	if (rp_dirty_has(&w->dirty, acct))
		return 0;
	s_acct_text(acct, t);
	if (rp_view_load_summary(w->node->store, w->txn, acct, &sum))
		return rp_fail(RP_ENOTFOUND, "no account %s", t);
	forgotten = !json_is_string(json_object_get(sum, "name"));
	json_decref(sum);
	/* Its data was erased for good: nothing new is written about it. */
	return forgotten ? rp_fail(RP_EINVAL, "account %s was forgotten (its data erased)", t) : 0;
}

int rp_edit_member(rp_write *w, const char *name)
{
	if (rp_roster_member(w->node->store, w->txn, name, NULL))
		return rp_fail(RP_ENOTFOUND, "no member '%s' in the team (see 'rapport member list')", name);
	if (rp_roster_member_revoked(w->node->store, w->txn, name))
		return rp_fail(RP_EREVOKED, "%s was revoked from the team", name);
	return 0;
}

/* Account names are unique, case-insensitive: find one by exact name. */
typedef struct s_name_seek {
	const uint8_t *key;        /* the folded name */
	size_t         n;
	uint8_t       *found;
	int            hit;
} s_name_seek;

static int s_name_first(void *arg, const rp_val *k, const rp_val *v)
{
	s_name_seek *q = arg;
	const uint8_t *acct;
	size_t len;
	(void)v;
	if (rp_view_index_entry(k, &acct, &len) == 0 && len == q->n && !memcmp(k->mv_data, q->key, q->n)) {
		memcpy(q->found, acct, RP_ACCOUNT_LEN);
		q->hit = 1;
	}
	return RP_STORE_STOP;          /* the first key at or after the name decides */
}

static int s_name_taken(rp_write *w, const char *name, uint8_t found[RP_ACCOUNT_LEN])
{
	uint8_t key[RP_NAME_MAX + 1];
	size_t n = strlen(name);
	s_name_seek q = { key, n, found, 0 };
	if (n > RP_NAME_MAX)
		return 0;
	rp_fold((char *)key, name, n);
	key[n] = 0;
	rp_store_scan(w->txn, w->node->store->names, key, n + 1, s_name_first, &q);
	return q.hit;
}

/* The same name accents and case aside (text rules of DESIGN.md §7: "Cafe"
 * is "Café"), other than skip (the account renamed). */
static int s_name_taken_loose(rp_write *w, const char *name, const uint8_t *skip,
                              uint8_t found[RP_ACCOUNT_LEN])
{
	return rp_index_loose_name(w->node->store, w->txn, name, skip, found);
}

int rp_account_add(rp_write *w, const char *name, const char *owner,
                   uint8_t acct_out[RP_ACCOUNT_LEN])
{
	return rp_edit_account_add(w, name, owner, 1, NULL, acct_out);
}

int rp_edit_account_add(rp_write *w, const char *name, const char *owner, int loose,
                        const uint8_t *id, uint8_t acct_out[RP_ACCOUNT_LEN])
{
	rp_body_builder b;
	uint8_t other[RP_ACCOUNT_LEN];
	char t[RP_ACCOUNT_TEXT + 1];
	int rc;
	if ((rc = rp_edit_text("account name", name, RP_NAME_MAX, 0)))
		return rc;
	if (!w->has_team)
		return rp_write_op(w, NULL, "acct.create", NULL, 0, NULL);  /* names the problem */
	if (owner && (rc = rp_edit_member(w, owner)))
		return rc;
	if (s_name_taken(w, name, other)) {
		s_acct_text(other, t);
		return rp_fail(RP_EEXIST, "an account named '%s' already exists (%s)", name, t);
	}
	if (loose && s_name_taken_loose(w, name, NULL, other)) {
		s_acct_text(other, t);
		return rp_fail(RP_EEXIST, "'%s' is the name of account %s, accents and case aside", name, t);
	}
	if (id)
		memmove(acct_out, id, RP_ACCOUNT_LEN);
	else
		randombytes_buf(acct_out, RP_ACCOUNT_LEN);
	rp_body_init(&b);
	rp_body_put_str(&b, "name", name);
	rp_body_put_str(&b, "owner", owner ? owner : w->member);
	return rp_edit_finish(w, acct_out, "acct.create", &b, NULL);
}

/* referred-by: the account that brought this one, by any ACCOUNT form,
 * stored as its id so a rename keeps the link. */
static int s_referred_by(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *value)
{
	uint8_t other[RP_ACCOUNT_LEN];
	char t[RP_ACCOUNT_TEXT + 1];
	rp_body_builder b;
	int rc;
	/* a whole id may name an account this write made (an import's): it is
	 * in no index yet */
	if (strlen(value) != RP_ACCOUNT_TEXT || rp_b32_decode(value, other, RP_ACCOUNT_LEN) != 0 ||
	    !rp_dirty_has(&w->dirty, other))
		if ((rc = rp_account_find(w->node, value, other)))
			return rc;
	if (!memcmp(other, acct, RP_ACCOUNT_LEN))
		return rp_fail(RP_EINVAL, "an account cannot be referred by itself");
	s_acct_text(other, t);
	rp_body_init(&b);
	rp_body_put_str(&b, "field", "referred-by");
	rp_body_put_str(&b, "value", t);
	return rp_edit_finish(w, acct, "acct.set", &b, NULL);
}

int rp_account_set(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
                   const char *field, const char *value)
{
	rp_body_builder b;
	uint8_t other[RP_ACCOUNT_LEN];
	char t[RP_ACCOUNT_TEXT + 1];
	size_t n = field ? strlen(field) : 0;
	int rc;
	if (!rp_schema_field_ok(field, n))
		return rp_fail(RP_EINVAL, "bad field name '%s': use 1-%d characters a-z 0-9 _ - "
		               "(and . inside, as in address.city)",
		               field ? field : "", RP_FIELD_MAX);
	if ((rc = rp_edit_account(w, acct)))
		return rc;
	if (value) {
		char what[RP_FIELD_MAX + 16];
		snprintf(what, sizeof what, "%s value", field);
		if ((rc = rp_edit_text(what, value, !strcmp(field, "name") ? RP_NAME_MAX : RP_STR_MAX,
		                 !strcmp(field, "notes") || !strcmp(field, "address"))))
			return rc;
		if (!strcmp(field, "prefer") && (rc = rp_edit_one_of("prefer value", value, rp_schema_prefer)))
			return rc;
		if (!strcmp(field, "email") && (rc = rp_edit_email("email", value)))
			return rc;
		if (!strcmp(field, "referred-by"))
			return s_referred_by(w, acct, value);
		int every;
		if (!strcmp(field, "cadence") && rp_when_period(value, &every))
			return rp_fail(RP_EINVAL, "bad cadence '%s': use 3d, 2w or 1m (every 1 to 366 days)", value);
		if (!strcmp(field, "name") && s_name_taken(w, value, other) &&
		    memcmp(other, acct, RP_ACCOUNT_LEN) != 0) {
			s_acct_text(other, t);
			return rp_fail(RP_EEXIST, "an account named '%s' already exists (%s)", value, t);
		}
		if (!strcmp(field, "name") && s_name_taken_loose(w, value, acct, other)) {
			s_acct_text(other, t);
			return rp_fail(RP_EEXIST, "'%s' is the name of account %s, accents and case aside", value, t);
		}
	} else if (!strcmp(field, "name")) {
		return rp_fail(RP_EINVAL, "an account's name cannot be cleared");
	}
	rp_body_init(&b);
	rp_body_put_str(&b, "field", field);
	rp_body_put_str(&b, "value", value);
	return rp_edit_finish(w, acct, "acct.set", &b, NULL);
}

int rp_account_tag(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *tag, int remove)
{
	rp_body_builder b;
	json_t *view = NULL, *adds = NULL, *list;
	int rc;
	if ((rc = rp_edit_text("tag", tag, RP_NAME_MAX, 0)))
		return rc;
	if (strpbrk(tag, " ,;"))
		return rp_fail(RP_EINVAL, "bad tag '%s': no spaces, commas or semicolons", tag);
	if ((rc = rp_edit_account(w, acct)))
		return rc;
	rp_body_init(&b);
	if (!remove) {
		rp_body_put_str(&b, "add", tag);
		return rp_edit_finish(w, acct, "acct.tag", &b, NULL);
	}
	/* Observed-remove: name every add of the tag this node has seen. */
	if ((rc = rp_write_flush(w))) {
		rp_body_free(&b);
		return rc;
	}
	rc = rp_view_build(w->node->store, w->txn, acct, &view, &adds);
	if (rc == 0 && !(list = json_object_get(adds, tag)))
		rc = rp_fail(RP_ENOTFOUND, "the account is not tagged '%s'", tag);
	if (rc == 0) {
		size_t n = json_array_size(list), i;
		uint8_t *ids = malloc(n * RP_OPID_LEN + 1);
		json_t *h;
		if (!ids)
			rc = RP_ENOMEM;
		json_array_foreach(list, i, h)
			if (ids)
				sodium_hex2bin(ids + i * RP_OPID_LEN, RP_OPID_LEN, json_string_value(h),
				               2 * RP_OPID_LEN, NULL, NULL, NULL);
		if (ids) {
			rp_body_put_bins(&b, "remove", ids, RP_OPID_LEN, n);
			rc = rp_edit_finish(w, acct, "acct.tag", &b, NULL);
			free(ids);
			goto out;
		}
	}
	rp_body_free(&b);
out:
	json_decref(view);
	json_decref(adds);
	return rc;
}

int rp_contact_add(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
                   const char *name, const char *role, const char *email,
                   const char *phone, const char *prefer, uint8_t ref_out[RP_REF_LEN])
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN];
	int rc;
	if ((rc = rp_edit_text("contact name", name, RP_NAME_MAX, 0)) ||
	    (role && (rc = rp_edit_text("role", role, RP_NAME_MAX, 0))) ||
	    (email && (rc = rp_edit_email("email", email))) ||
	    (phone && (rc = rp_edit_text("phone", phone, RP_NAME_MAX, 0))) ||
	    (prefer && (rc = rp_edit_one_of("prefer value", prefer, rp_schema_prefer))) ||
	    (rc = rp_edit_account(w, acct)))
		return rc;
	rp_body_init(&b);
	rp_body_put_str(&b, "name", name);
	if (role)
		rp_body_put_str(&b, "role", role);
	if (email)
		rp_body_put_str(&b, "email", email);
	if (phone)
		rp_body_put_str(&b, "phone", phone);
	if (prefer)
		rp_body_put_str(&b, "prefer", prefer);
	if ((rc = rp_edit_finish(w, acct, "contact.add", &b, opid)))
		return rc;
	rp_ref_of(ref_out, opid);
	return 0;
}

int rp_edit_amount(const char *text, const char *code, int64_t *units)
{
	int minor = rp_currency_minor(code);
	if (minor < 0)
		return rp_fail(RP_EINVAL, "'%s' is not an ISO 4217 currency code (EUR, USD, JPY...)", code);
	if (rp_amount_parse(text, RP_MINOR_MAX, units))
		return rp_fail(RP_EINVAL, "bad amount '%s': use a number such as 12.50 or 1,234.50", text);
	if (rp_amount_parse(text, minor, units)) {
		if (minor == 0)
			return rp_fail(RP_EINVAL, "bad amount '%s': %s has no decimals", text, code);
		return rp_fail(RP_EINVAL, "bad amount '%s': %s has %d decimal%s", text, code, minor,
		               minor == 1 ? "" : "s");
	}
	return 0;
}

int rp_ix_log(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
              const rp_ix_spec *ix, uint8_t ref_out[RP_REF_LEN])
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN];
	char team_cur[4];
	const char *cur = ix->currency;
	int64_t cents = ix->cents;
	int rc;
	if (!cur && ix->has_amount) {        /* a meta read and parse: only when there is money */
		rp_roster_team_currency(w->node->store, w->txn, team_cur);
		cur = team_cur;
	}
	if (!ix->type)
		return rp_fail(RP_EINVAL, "missing interaction type");
	if ((rc = rp_edit_one_of("interaction type", ix->type, rp_schema_ix_types)) ||
	    (rc = rp_edit_text("text", ix->text, RP_STR_MAX, 1)) ||
	    (ix->contact && (rc = rp_edit_text("contact", ix->contact, RP_NAME_MAX, 0))) ||
	    (ix->outcome && (rc = rp_edit_text("outcome", ix->outcome, RP_STR_MAX, 1))) ||
	    (ix->by && (rc = rp_edit_text("author", ix->by, RP_NAME_MAX, 0))))
		return rc;
	if (ix->has_amount && !rp_currency_ok(cur))
		return rp_fail(RP_EINVAL, "'%s' is not an ISO 4217 currency code (EUR, USD, JPY...)", cur);
	if (ix->has_amount && ix->amount && (rc = rp_edit_amount(ix->amount, cur, &cents)))
		return rc;
	if (ix->has_amount && (cents > RP_CENTS_MAX || cents < -RP_CENTS_MAX))
		return rp_fail(RP_ELIMIT, "amount out of range");
	if (ix->at_ms > RP_HLC_MS_MAX)
		return rp_fail(RP_EINVAL, "date out of range");
	if ((rc = rp_edit_account(w, acct)))
		return rc;
	rp_body_init(&b);
	rp_body_put_str(&b, "type", ix->type);
	rp_body_put_int(&b, "at", (int64_t)(ix->at_ms ? ix->at_ms : rp_node_now(w->node)));
	rp_body_put_str(&b, "text", ix->text);
	if (ix->contact)
		rp_body_put_str(&b, "contact", ix->contact);
	if (ix->has_amount)
		rp_body_put_amount(&b, "amount", cents, cur);
	if (ix->outcome)
		rp_body_put_str(&b, "outcome", ix->outcome);
	if (ix->by)
		rp_body_put_str(&b, "by", ix->by);
	if ((rc = rp_edit_finish(w, acct, "ix.log", &b, opid)))
		return rc;
	rp_ref_of(ref_out, opid);
	return 0;
}

int rp_fu_add(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *text,
              uint64_t due_ms, const char *assignee, uint8_t ref_out[RP_REF_LEN])
{
	return rp_edit_fu_add(w, acct, text, due_ms, assignee, NULL, ref_out);
}

int rp_edit_fu_add(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *text,
                   uint64_t due_ms, const char *assignee, const char *campaign,
                   uint8_t ref_out[RP_REF_LEN])
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN];
	int rc;
	if ((rc = rp_edit_text("follow-up text", text, RP_STR_MAX, 1)) ||
	    (assignee && (rc = rp_edit_member(w, assignee))) ||
	    (rc = rp_edit_account(w, acct)))
		return rc;
	if (due_ms > RP_HLC_MS_MAX)
		return rp_fail(RP_EINVAL, "due date out of range");
	rp_body_init(&b);
	rp_body_put_str(&b, "text", text);
	rp_body_put_int(&b, "due", (int64_t)due_ms);
	if (assignee)
		rp_body_put_str(&b, "assignee", assignee);
	if (campaign)
		rp_body_put_str(&b, "campaign", campaign);
	if ((rc = rp_edit_finish(w, acct, "fu.add", &b, opid)))
		return rc;
	rp_ref_of(ref_out, opid);
	return 0;
}

int rp_edit_target(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *kind,
                   const char *list, uint8_t opid[RP_OPID_LEN], uint8_t acct[RP_ACCOUNT_LEN],
                   json_t **view, json_t **entry)
{
	rp_ref_hit hit;
	char t[RP_REF_TEXT + 1];
	int rc;
	rp_b32_encode(ref, RP_REF_LEN, t, sizeof t);
	if ((rc = rp_write_flush(w)))
		return rc;
	if ((rc = rp_refs_find(w->node->store, w->txn, ref, &hit)) && rc != RP_ENOTFOUND)
		return rc;
	if (rc || strcmp(hit.kind, kind))
		return rp_fail(RP_ENOTFOUND, "no %s %s", !strcmp(kind, "fu.add") ? "follow-up" :
		               !strcmp(kind, "contact.add") ? "contact" : "interaction", t);
	memcpy(opid, hit.opid, RP_OPID_LEN);
	memcpy(acct, hit.account, RP_ACCOUNT_LEN);
	if ((rc = rp_edit_view(w, acct, view)))
		return rp_fail(rc, "the account of %s is not here", t);
	if ((*entry = rp_view_item(*view, list, ref)))
		return 0;
	json_decref(*view);
	*view = NULL;
	return rp_fail(RP_ENOTFOUND, "%s has been erased", t);
}

int rp_edit_close(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *kind,
                  const uint8_t opid[RP_OPID_LEN], const char *text)
{
	rp_body_builder b;
	int rc;
	if (text && (rc = rp_edit_text("text", text, RP_STR_MAX, 1)))
		return rc;
	rp_body_init(&b);
	rp_body_put_bin(&b, !strcmp(kind, "fu.done") ? "fu" : "ix", opid, RP_OPID_LEN);
	if (text)
		rp_body_put_str(&b, "text", text);
	return rp_edit_finish(w, acct, kind, &b, NULL);
}

int rp_fu_done(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *text)
{
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view = NULL, *fu;
	int rc;
	if (text && (rc = rp_edit_text("text", text, RP_STR_MAX, 1)))
		return rc;
	if ((rc = rp_edit_target(w, ref, "fu.add", "followups", opid, acct, &view, &fu)))
		return rc;
	if (json_is_true(json_object_get(fu, "done")))
		rc = rp_fail(RP_EEXIST, "follow-up %s is already done", json_string_value(json_object_get(fu, "id")));
	json_decref(view);
	return rc ? rc : rp_edit_close(w, acct, "fu.done", opid, text);
}

int rp_complaint_resolve(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *text)
{
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view = NULL, *ix;
	int rc;
	if ((rc = rp_edit_text("resolution text", text, RP_STR_MAX, 1)))
		return rc;
	if ((rc = rp_edit_target(w, ref, "ix.log", "interactions", opid, acct, &view, &ix)))
		return rc;
	const char *id = json_string_value(json_object_get(ix, "id"));
	if (strcmp(json_string_value(json_object_get(ix, "type")), "complaint") != 0)
		rc = rp_fail(RP_EINVAL, "interaction %s is a %s, not a complaint", id,
		             json_string_value(json_object_get(ix, "type")));
	else if (json_is_true(json_object_get(ix, "resolved")))
		rc = rp_fail(RP_EEXIST, "complaint %s is already resolved", id);
	json_decref(view);
	return rc ? rc : rp_edit_close(w, acct, "complaint.resolve", opid, text);
}

/* Ops of the account to erase: all of them, or those of one contact. */
/* 1 if the interaction op (ix.log, or an ix.amend of its contact) names the
 * contact called name (case folded): its text is the contact's too. */
static int s_about_contact(const rp_op *op, const char *name)
{
	char a[RP_NAME_MAX + 1], b[RP_NAME_MAX + 1];
	const char *p;
	size_t pn, nn = strlen(name);
	rp_body bd;
	int hit = 0;
	if ((strcmp(op->kind, "ix.log") && strcmp(op->kind, "ix.amend")) || nn > RP_NAME_MAX)
		return 0;
	if (rp_body_parse(&bd, op->body, op->body_len)) {
		rp_body_done(&bd);          /* what a failed unpack may hold */
		return 0;
	}
	if (!strcmp(op->kind, "ix.log") ? rp_body_str(&bd, "contact", &p, &pn) == 0
	                                : rp_body_str(&bd, "field", &p, &pn) == 0 && pn == 7 &&
	                                  !memcmp(p, "contact", 7) && rp_body_str(&bd, "value", &p, &pn) == 0) {
		if (pn == nn) {
			rp_fold(a, p, pn);
			rp_fold(b, name, nn);
			hit = !memcmp(a, b, nn);
		}
	}
	rp_body_done(&bd);
	return hit;
}

/* What rp_forget erases of an account, gathered by a walk of its log. */
typedef struct s_forget_walk {
	rp_write      *w;
	const uint8_t *acct;
	const uint8_t *contact_opid;   /* NULL: the whole account */
	const char    *contact_name;
	uint8_t       *ids;            /* RP_OPID_LEN each */
	size_t         n, cap;
} s_forget_walk;

static int s_forget_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_forget_walk *f = arg;
	const uint8_t *opid;
	rp_val ov;
	rp_op op;
	(void)v;
	if (k->mv_size != RP_ACCT_KEY_LEN || memcmp(k->mv_data, f->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;      /* past the account's ops */
	opid = (const uint8_t *)k->mv_data + RP_ACCOUNT_LEN + 8;
	if (rp_store_get(f->w->txn, f->w->node->store->ops, opid, RP_OPID_LEN, &ov) ||
	    rp_op_decode(ov.mv_data, ov.mv_size, &op) || !op.body)
		return 0;
	if (!strcmp(op.kind, "redact") || !strcmp(op.kind, "acct.assign"))
		return 0;   /* who owned it is not personal data of the customer */
	if (f->contact_opid) {
		rp_body bd;
		const uint8_t *t;
		int hit = !memcmp(opid, f->contact_opid, RP_OPID_LEN);
		/* The body is released only when a parse was tried: a hit by
		 * id skips it, and bd is then never set up. */
		if (!hit && !strcmp(op.kind, "contact.set")) {
			if (rp_body_parse(&bd, op.body, op.body_len) == 0)
				hit = rp_body_bin(&bd, "contact", &t, RP_OPID_LEN) == 0 &&
				      !memcmp(t, f->contact_opid, RP_OPID_LEN);
			rp_body_done(&bd);
		}
		/* the interactions logged with the contact: their texts are
		 * what a customer counts as theirs too */
		if (!hit && f->contact_name)
			hit = s_about_contact(&op, f->contact_name);
		if (!hit)
			return 0;
	}
	if (strcmp(f->w->role, "admin") != 0 && memcmp(op.author, f->w->node->key.pk, RP_DEVICE_LEN))
		return rp_fail(RP_EDENIED, "only an admin can erase what other members wrote "
		               "(op %s by another device)", op.kind);
	if (f->n == f->cap) {
		void *p = realloc(f->ids, (f->cap *= 2) * RP_OPID_LEN);
		if (!p)
			return RP_ENOMEM;
		f->ids = p;
	}
	memcpy(f->ids + f->n++ * RP_OPID_LEN, opid, RP_OPID_LEN);
	return 0;
}

/* *ids (caller frees, even on failure) gets the *n ops to erase. */
static int s_forget_targets(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
                            const uint8_t *contact_opid, const char *contact_name,
                            uint8_t **ids, size_t *n)
{
	s_forget_walk f = { w, acct, contact_opid, contact_name, NULL, 0, 64 };
	int rc;
	*n = 0;
	if ((rc = rp_write_flush(w)))
		return rc;
	if (!(*ids = f.ids = malloc(f.cap * RP_OPID_LEN)))
		return RP_ENOMEM;
	rc = rp_store_scan(w->txn, w->node->store->acct_ops, acct, RP_ACCOUNT_LEN, s_forget_one, &f);
	*ids = f.ids;
	*n = f.n;
	return rc;
}

int rp_forget(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
              const uint8_t *contact_ref, const char *reason)
{
	uint8_t opid[RP_OPID_LEN], cacct[RP_ACCOUNT_LEN], *ids = NULL;
	const uint8_t *target = NULL;
	char cname[RP_NAME_MAX + 1] = "";
	json_t *view = NULL, *entry;
	size_t n = 0;
	int rc;
	if (reason && (rc = rp_edit_text("reason", reason, RP_STR_MAX, 1)))
		return rc;
	if (contact_ref) {
		const char *nm;
		if ((rc = rp_edit_target(w, contact_ref, "contact.add", "contacts", opid, cacct, &view, &entry)))
			return rc;
		nm = json_string_value(json_object_get(entry, "name"));
		snprintf(cname, sizeof cname, "%s", nm ? nm : "");
		json_decref(view);
		acct = cacct;
		target = opid;
	} else if ((rc = rp_edit_account(w, acct))) {
		return rc;
	}
	if ((rc = s_forget_targets(w, acct, target, target && *cname ? cname : NULL, &ids, &n)))
		goto out;
	if (n == 0) {
		rc = rp_fail(RP_ENOTFOUND, "nothing left to erase");
		goto out;
	}
	for (size_t off = 0; off < n && rc == 0; off += RP_REDACT_MAX) {
		rp_body_builder b;
		size_t m = n - off < RP_REDACT_MAX ? n - off : RP_REDACT_MAX;
		rp_body_init(&b);
		rp_body_put_bins(&b, "ops", ids + off * RP_OPID_LEN, RP_OPID_LEN, m);
		if (reason)
			rp_body_put_str(&b, "reason", reason);
		rc = rp_edit_finish(w, acct, "redact", &b, NULL);
	}
out:
	free(ids);
	return rc;
}

int rp_member_add(rp_write *w, const char *name, const uint8_t device[RP_DEVICE_LEN],
                  const char *role)
{
	char have[RP_ROLE_MAX + 1], owner[RP_NAME_MAX + 1], t[RP_DEVICE_TEXT + 1];
	rp_body_builder b;
	int rc, exists;
	if (!w->has_team)
		return rp_write_op(w, NULL, "member.add", NULL, 0, NULL);
	if ((rc = rp_write_flush(w)))
		return rc;
	if (strcmp(w->role, "admin") != 0)
		return rp_fail(RP_EDENIED, "only an admin can add members (you are %s)", w->role);
	if (role && !rp_role_ok(role))
		return rp_fail(RP_EINVAL, "unknown role '%s': use admin|manager|rep|hub", role);
	if (!rp_role_ok(role ? role : "rep") || rp_edit_text("member name", name, RP_NAME_MAX, 0))
		return RP_EINVAL;
	if (!rp_member_name_ok(name, strlen(name)))
		return rp_fail(RP_EINVAL, "bad member name '%s': use letters, digits, '.', '_' or '-'", name);
	rp_b32_encode(device, RP_DEVICE_LEN, t, sizeof t);
	if (!crypto_core_ed25519_is_valid_point(device))
		return rp_fail(RP_EINVAL, "'%s' is not a device id (not an Ed25519 public key)", t);
	if (rp_roster_device(w->node->store, w->txn, device, owner, NULL) == 0)
		return rp_fail(RP_EEXIST, "device %.12s… already belongs to %s", t, owner);
	exists = rp_roster_member(w->node->store, w->txn, name, have) == 0;
	if (!exists || (role && strcmp(role, have) != 0)) {
		rp_body_init(&b);
		rp_body_put_str(&b, "name", name);
		rp_body_put_str(&b, "role", role ? role : "rep");
		if ((rc = rp_edit_finish(w, NULL, exists ? "member.role" : "member.add", &b, NULL)))
			return rc;
	}
	rp_body_init(&b);
	rp_body_put_str(&b, "member", name);
	rp_body_put_bin(&b, "device", device, RP_DEVICE_LEN);
	return rp_edit_finish(w, NULL, "device.add", &b, NULL);
}
