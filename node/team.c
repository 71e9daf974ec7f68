/* node/team.c — the team's settings: checked here, written as team.set ops,
 * held by the roster (store/roster.c), read back for every node's figures. */
#include <string.h>

#include "team.h"
#include "node.h"
#include "text/amount.h"
#include "text/when.h"
#include "store/roster.h"
#include "crm/book.h"
#include "../proto/body.h"
#include "../proto/error.h"
#include "../proto/limits.h"

/* One team.set of key; put adds its value to b. */
static int s_set(rp_write *w, rp_body_builder *b)
{
	const uint8_t *body;
	size_t len;
	int rc;
	if ((rc = rp_write_flush(w)) == 0) {
		if (!w->has_team)
			rc = rp_write_op(w, NULL, "team.set", NULL, 0, NULL);   /* names the problem */
		else if (strcmp(w->role, "admin") != 0)
			rc = rp_fail(RP_EDENIED, "only an admin can change the team's settings (you are %s)", w->role);
		else if ((rc = rp_body_finish(b, &body, &len)) == 0)
			rc = rp_write_op(w, NULL, "team.set", body, len, NULL);
	}
	rp_body_free(b);
	return rc;
}

int rp_team_set_keep(rp_write *w, int keep)
{
	rp_body_builder b;
	rp_body_init(&b);
	rp_body_put_str(&b, "key", "keep");
	rp_body_put_bool(&b, "value", keep);
	return s_set(w, &b);
}

int rp_team_set_currency(rp_write *w, const char *code)
{
	rp_body_builder b;
	if (!rp_currency_ok(code))
		return rp_fail(RP_EINVAL, "'%s' is not an ISO 4217 currency code (EUR, USD, GBP, JPY...)",
		               code ? code : "");
	rp_body_init(&b);
	rp_body_put_str(&b, "key", "currency");
	rp_body_put_str(&b, "value", code);
	return s_set(w, &b);
}

int rp_team_set_calls(rp_write *w, int calls)
{
	rp_body_builder b;
	if (calls < 0 || calls > RP_TEAM_CALLS_MAX)
		return rp_fail(RP_EINVAL, "calls a workday must be 0 to %d, not %d", RP_TEAM_CALLS_MAX, calls);
	rp_body_init(&b);
	rp_body_put_str(&b, "key", "calls");
	rp_body_put_int(&b, "value", calls);
	return s_set(w, &b);
}

int rp_team_set_holidays(rp_write *w, const int64_t *days, size_t n)
{
	rp_body_builder b;
	if (n > RP_TEAM_HOLIDAYS_MAX)
		return rp_fail(RP_ELIMIT, "at most %d holidays, not %zu", RP_TEAM_HOLIDAYS_MAX, n);
	for (size_t i = 0; i < n; i++)
		if (days[i] < 0 || days[i] > RP_DAY_MAX)
			return rp_fail(RP_EINVAL, "a holiday out of range");
	rp_body_init(&b);
	rp_body_put_str(&b, "key", "holidays");
	rp_body_put_ints(&b, "value", days, n);
	return s_set(w, &b);
}

int rp_team_workday(const rp_team_settings *t, int64_t day)
{
	return rp_when_workday_in(day, t->holidays, t->nholidays);
}

int64_t rp_team_next_workday(const rp_team_settings *t, int64_t day)
{
	return rp_when_next_workday_in(day, t->holidays, t->nholidays);
}

int rp_team_settings_get(rp_node *n, rp_team_settings *out)
{
	rp_txn *txn;
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rp_roster_team_currency(n->store, txn, out->currency);
	out->calls = rp_roster_team_calls(n->store, txn);
	out->keep = rp_roster_team_keep(n->store, txn);
	out->nholidays = rp_roster_team_holidays(n->store, txn, out->holidays, RP_TEAM_HOLIDAYS_MAX);
	rp_store_end(txn);
	return 0;
}

/* How many accounts each member owns, into members[i].accounts. */
static int s_held(rp_node *n, rp_txn *txn, json_t *members)
{
	rp_book book;
	json_t *m, *count = json_object();
	size_t i;
	int rc;
	if (!count)
		return RP_ENOMEM;
	if ((rc = rp_book_load(n, txn, &book))) {
		json_decref(count);
		return rc;
	}
	for (i = 0; i < book.n; i++) {
		const char *o = book.v[i].sum->owner;
		if (o)
			json_object_set_new(count, o, json_integer(json_integer_value(json_object_get(count, o)) + 1));
	}
	json_array_foreach(members, i, m) {
		json_t *c = json_object_get(count, rp_jstr(m, "name"));
		json_object_set_new(m, "accounts", json_integer(c ? json_integer_value(c) : 0));
	}
	rp_book_free(&book);
	json_decref(count);
	return 0;
}

int rp_team_view(rp_node *n, json_t **out)
{
	rp_team_settings set;
	json_t *members = NULL, *peers = NULL, *status = NULL, *m, *d, *p, *doc;
	char me[RP_DEVICE_TEXT + 1];
	size_t i, j, k;
	rp_txn *txn;
	int rc;

	if ((rc = rp_team_settings_get(n, &set)) || (rc = rp_member_list(n, &members)) ||
	    (rc = rp_peer_list(n, &peers)) || (rc = rp_status(n, &status)))
		goto out;
	rp_node_device_text(n, me);
	if ((rc = rp_node_read(n, &txn)))
		goto out;
	json_array_foreach(members, i, m) {
		json_int_t queued = 0;
		json_array_foreach(json_object_get(status, "handovers_queued"), j, d)
			queued += rp_jstr(d, "to") && !strcmp(rp_jstr(d, "to"), rp_jstr(m, "name"));
		json_object_set_new(m, "handovers_queued", json_integer(queued));
		json_object_set_new(m, "revoked", json_boolean(rp_roster_member_revoked(n->store, txn, rp_jstr(m, "name"))));
		json_array_foreach(json_object_get(m, "devices"), j, d) {
			json_t *last = json_null();
			json_array_foreach(peers, k, p)
				if (rp_jstr(p, "device") && !strcmp(rp_jstr(p, "device"), rp_jstr(d, "id")) &&
				    json_is_string(json_object_get(p, "last_sync")))
					last = json_object_get(p, "last_sync");
			json_object_set_new(d, "last_sync", json_incref(last));
			json_object_set_new(d, "this_device", json_boolean(!strcmp(rp_jstr(d, "id"), me)));
		}
	}
	rc = s_held(n, txn, members);
	rp_store_end(txn);
	if (rc) {
		rc = rp_fail(rc, rc == RP_ENOMEM ? "out of memory" : "cannot read accounts");
		goto out;
	}
	{
		json_t *days = json_array();
		char iso[32];
		for (i = 0; days && i < set.nholidays; i++) {
			rp_when_iso(rp_when_day_ms(set.holidays[i]), iso, sizeof iso);
			iso[10] = '\0';
			json_array_append_new(days, json_string(iso));
		}
		doc = json_pack("{sOsssisbsosO}", "team", json_object_get(status, "team"), "currency", set.currency,
		                "calls", set.calls, "keep", set.keep, "holidays", days ? days : json_array(),
		                "members", members);
	}
	if (!doc) {
		rc = rp_fail(RP_ENOMEM, "out of memory");
		goto out;
	}
	*out = doc;
out:
	json_decref(members);
	json_decref(peers);
	json_decref(status);
	return rc;
}
