/* node/team.c — the team's settings: checked here, written as team.set ops,
 * held by the roster (store/roster.c), read back for every node's figures. */
#include <string.h>

#include "team.h"
#include "node.h"
#include "text/amount.h"
#include "store/roster.h"
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
	rp_store_end(txn);
	return 0;
}
