/* node/correct.c — fixing mistakes: retract and amend an interaction, move
 * and cancel a follow-up, archive an account, set a contact's field. Each
 * is checked against the item's current view, then one signed op. */
#include <string.h>

#include "correct.h"
#include "edit.h"
#include "node.h"
#include "text/amount.h"
#include "text/when.h"
#include "store/roster.h"
#include "store/schema.h"
#include "../proto/error.h"
#include "../proto/limits.h"

const char *const rp_ix_amend_fields[] = { "text", "type", "at", "amount", "currency", "contact",
                                           "outcome", NULL };
const char *const rp_contact_fields[] = { "name", "role", "email", "phone", "prefer", NULL };

static const char *s_id(const json_t *entry)
{
	return json_string_value(json_object_get(entry, "id"));
}

/* An interaction that may still be corrected: opid, account, view entry. */
static int s_ix(rp_write *w, const uint8_t ref[RP_REF_LEN], uint8_t opid[RP_OPID_LEN],
                uint8_t acct[RP_ACCOUNT_LEN], json_t **view, json_t **ix)
{
	int rc = rp_edit_target(w, ref, "ix.log", "interactions", opid, acct, view, ix);
	if (rc == 0 && json_is_true(json_object_get(*ix, "retracted"))) {
		rc = rp_fail(RP_EEXIST, "interaction %s is retracted already", s_id(*ix));
		json_decref(*view);
		*view = NULL;
	}
	return rc;
}

/* An open follow-up: done or cancelled ones are final. */
static int s_fu(rp_write *w, const uint8_t ref[RP_REF_LEN], uint8_t opid[RP_OPID_LEN],
                uint8_t acct[RP_ACCOUNT_LEN], json_t **view)
{
	json_t *fu;
	int rc = rp_edit_target(w, ref, "fu.add", "followups", opid, acct, view, &fu);
	if (rc)
		return rc;
	if (json_is_true(json_object_get(fu, "cancelled")))
		rc = rp_fail(RP_EEXIST, "follow-up %s is cancelled already", s_id(fu));
	else if (json_is_true(json_object_get(fu, "done")))
		rc = rp_fail(RP_EINVAL, "follow-up %s is done already", s_id(fu));
	if (rc) {
		json_decref(*view);
		*view = NULL;
	}
	return rc;
}

int rp_ix_retract(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *reason)
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view, *ix;
	int rc;
	if ((reason && (rc = rp_edit_text("reason", reason, RP_STR_MAX, 1))) ||
	    (rc = s_ix(w, ref, opid, acct, &view, &ix)))
		return rc;
	json_decref(view);
	rp_body_init(&b);
	rp_body_put_bin(&b, "ix", opid, RP_OPID_LEN);
	if (reason)
		rp_body_put_str(&b, "reason", reason);
	return rp_edit_finish(w, acct, "ix.retract", &b, NULL);
}

/* The amount an amend of amount or currency writes, from the current one:
 * a new figure in its currency (the team's when it had none), or the same
 * figure in a new currency (12.50 EUR → 12.50 USD; 1000 EUR → 1000 JPY,
 * but 12.50 EUR has no JPY figure: refused). */
static int s_amend_amount(rp_write *w, const json_t *ix, const char *field, const char *value,
                          int64_t *cents, char cur[4])
{
	const json_t *amt = json_object_get(ix, "amount");
	const char *had = json_string_value(json_object_get(amt, "currency"));
	int from, to;
	if (had)
		snprintf(cur, 4, "%s", had);
	else
		rp_roster_team_currency(w->node->store, w->txn, cur);
	*cents = json_integer_value(json_object_get(amt, "cents"));
	if (strcmp(field, "currency") != 0)
		return rp_edit_amount(value, cur, cents);
	if (!rp_currency_ok(value))
		return rp_fail(RP_EINVAL, "'%s' is not an ISO 4217 currency code (EUR, USD, JPY...)", value);
	if (!json_is_object(amt))
		return rp_fail(RP_EINVAL, "interaction %s has no amount: amend its amount first", s_id(ix));
	from = rp_currency_decimals(cur);
	to = rp_currency_minor(value);
	for (; from < to; from++) {
		if (*cents > RP_CENTS_MAX / 10 || *cents < -RP_CENTS_MAX / 10)
			return rp_fail(RP_ELIMIT, "amount out of range in %s", value);
		*cents *= 10;
	}
	for (; from > to; from--) {
		if (*cents % 10) {
			char num[48];
			return rp_fail(RP_EINVAL, "%s has no figure in %s (%d decimals): amend the amount too",
			               rp_money_format(json_integer_value(json_object_get(amt, "cents")), cur,
			                               num, sizeof num), value, to);
		}
		*cents /= 10;
	}
	snprintf(cur, 4, "%s", value);
	return 0;
}

/* 1 when the amend would change nothing. */
static int s_same(const json_t *ix, const char *field, const json_t *now)
{
	const json_t *was = json_object_get(ix, field);
	if (!strcmp(field, "at")) {
		uint64_t ms;
		return rp_when_parse_iso(json_string_value(was), &ms) == 0 &&
		       (json_int_t)ms == json_integer_value(now);
	}
	return json_equal((json_t *)(was ? was : json_null()), (json_t *)now);
}

int rp_ix_amend(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *field, const char *value)
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view = NULL, *ix, *now = NULL;
	int64_t cents = 0;
	uint64_t ms = 0;
	char cur[4] = "";
	int rc = 0, i, clear = value && !*value;

	for (i = 0; rp_ix_amend_fields[i] && strcmp(field, rp_ix_amend_fields[i]); i++)
		;
	if (!rp_ix_amend_fields[i])
		return rp_edit_one_of("interaction field", field, rp_ix_amend_fields);
	if (!value)
		return rp_fail(RP_EINVAL, "no value for %s", field);
	if (clear && (!strcmp(field, "type") || !strcmp(field, "at") || !strcmp(field, "currency")))
		return rp_fail(RP_EINVAL, "an interaction's %s cannot be cleared", field);
	if (clear)
		;
	else if (!strcmp(field, "type"))
		rc = rp_edit_one_of("interaction type", value, rp_schema_ix_types);
	else if (!strcmp(field, "at")) {
		int kind = 0;
		rc = rp_when_parse_kind(value, rp_node_now(w->node), &ms, &kind) ?
		     rp_fail(RP_EINVAL, "bad date '%s': use YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, -3d...", value) :
		     ms > RP_HLC_MS_MAX ? rp_fail(RP_EINVAL, "date out of range") :
		     rp_when_future(ms, kind, rp_node_now(w->node)) ?
		     rp_fail(RP_EINVAL, "%s is in the future: an interaction is dated when it happened "
		             "(give a time, YYYY-MM-DDTHH:MM, for one ahead)", value) : 0;
	}
	else if (!strcmp(field, "amount") || !strcmp(field, "currency"))
		rc = 0;                                     /* against the current amount, below */
	else
		rc = rp_edit_text(field, value, !strcmp(field, "contact") ? RP_NAME_MAX : RP_STR_MAX,
		                  strcmp(field, "contact") != 0);
	if (!clear && rc)
		return rc;
	if ((rc = s_ix(w, ref, opid, acct, &view, &ix)))
		return rc;
	if (!clear && (!strcmp(field, "amount") || !strcmp(field, "currency")) &&
	    (rc = s_amend_amount(w, ix, field, value, &cents, cur)))
		goto out;
	if (!strcmp(field, "currency"))
		field = "amount";
	if (clear)
		now = json_null();
	else if (!strcmp(field, "amount"))
		now = json_pack("{sIss}", "cents", (json_int_t)cents, "currency", cur);
	else if (!strcmp(field, "at"))
		now = json_integer((json_int_t)ms);
	else
		now = json_string(value);
	if (!now) {
		rc = RP_ENOMEM;
		goto out;
	}
	if (s_same(ix, field, now)) {
		rc = clear ? rp_fail(RP_EEXIST, "interaction %s has no %s to clear", s_id(ix), field)
		           : rp_fail(RP_EEXIST, "interaction %s already has that %s", s_id(ix), field);
		goto out;
	}
	rp_body_init(&b);
	rp_body_put_bin(&b, "ix", opid, RP_OPID_LEN);
	rp_body_put_str(&b, "field", field);
	if (clear)
		rp_body_put_str(&b, "value", NULL);
	else if (!strcmp(field, "amount"))
		rp_body_put_amount(&b, "value", cents, cur);
	else if (!strcmp(field, "at"))
		rp_body_put_int(&b, "value", (int64_t)ms);
	else
		rp_body_put_str(&b, "value", value);
	rc = rp_edit_finish(w, acct, "ix.amend", &b, NULL);
out:
	json_decref(now);
	json_decref(view);
	return rc;
}

int rp_fu_move(rp_write *w, const uint8_t ref[RP_REF_LEN], uint64_t due_ms)
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view;
	int rc;
	if (due_ms > RP_HLC_MS_MAX)
		return rp_fail(RP_EINVAL, "due date out of range");
	if ((rc = s_fu(w, ref, opid, acct, &view)))
		return rc;
	json_decref(view);
	rp_body_init(&b);
	rp_body_put_bin(&b, "fu", opid, RP_OPID_LEN);
	rp_body_put_int(&b, "due", (int64_t)due_ms);
	return rp_edit_finish(w, acct, "fu.move", &b, NULL);
}

int rp_fu_cancel(rp_write *w, const uint8_t ref[RP_REF_LEN])
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view;
	int rc;
	if ((rc = s_fu(w, ref, opid, acct, &view)))
		return rc;
	json_decref(view);
	rp_body_init(&b);
	rp_body_put_bin(&b, "fu", opid, RP_OPID_LEN);
	return rp_edit_finish(w, acct, "fu.cancel", &b, NULL);
}

int rp_account_archive(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], int archived)
{
	rp_body_builder b;
	json_t *view;
	int rc, was;
	if ((rc = rp_edit_account(w, acct)) || (rc = rp_edit_view(w, acct, &view)))
		return rc;
	was = json_is_true(json_object_get(view, "archived"));
	json_decref(view);
	if (was == !!archived)
		return rp_fail(RP_EEXIST, "the account is %s already", archived ? "archived" : "not archived");
	rp_body_init(&b);
	rp_body_put_bool(&b, "archived", !!archived);
	return rp_edit_finish(w, acct, "acct.archive", &b, NULL);
}

int rp_contact_set(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *field, const char *value)
{
	rp_body_builder b;
	uint8_t opid[RP_OPID_LEN], acct[RP_ACCOUNT_LEN];
	json_t *view, *c, *now;
	int rc, i, same;

	for (i = 0; rp_contact_fields[i] && strcmp(field, rp_contact_fields[i]); i++)
		;
	if (!rp_contact_fields[i])
		return rp_edit_one_of("contact field", field, rp_contact_fields);
	if (!value && !strcmp(field, "name"))
		return rp_fail(RP_EINVAL, "a contact's name cannot be cleared");
	if (value && ((rc = rp_edit_text(field, value, RP_NAME_MAX, 0)) ||
	              (!strcmp(field, "email") && (rc = rp_edit_email("email", value))) ||
	              (!strcmp(field, "prefer") && (rc = rp_edit_one_of("prefer value", value, rp_schema_prefer)))))
		return rc;
	if ((rc = rp_edit_target(w, ref, "contact.add", "contacts", opid, acct, &view, &c)))
		return rc;
	now = value ? json_string(value) : json_null();
	same = json_equal(json_object_get(c, field) ? json_object_get(c, field) : json_null(), now);
	if (same)
		rc = value ? rp_fail(RP_EEXIST, "contact %s already has that %s", s_id(c), field)
		           : rp_fail(RP_EEXIST, "contact %s has no %s to clear", s_id(c), field);
	json_decref(now);
	json_decref(view);
	if (rc)
		return rc;
	rp_body_init(&b);
	rp_body_put_bin(&b, "contact", opid, RP_OPID_LEN);
	rp_body_put_str(&b, "field", field);
	rp_body_put_str(&b, "value", value);
	return rp_edit_finish(w, acct, "contact.set", &b, NULL);
}
