/* node/campaign.c — campaigns: the accounts picked (top N or a tag), their
 * follow-ups spread over the workdays, and the campaigns' progress read
 * back from the follow-ups that carry their id. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "campaign.h"
#include "edit.h"
#include "node.h"
#include "crm/book.h"
#include "text/when.h"
#include "../proto/error.h"
#include "../proto/id.h"

#define S_PER_DAY_MAX 50

/* The accounts of the campaign, as account id texts, in the order picked. */
static int s_pick(rp_write *w, const rp_campaign_spec *s, json_t **rows)
{
	if (s->top > 0)
		return rp_top(w->node, s->top, s->by, rows);
	return rp_account_list(w->node, &(rp_list_filter){ .tag = s->tag }, rows);
}

int rp_campaign(rp_write *w, const rp_campaign_spec *s, rp_campaign_made *out)
{
	uint8_t rnd[10], acct[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	int per_day = s->per_day ? s->per_day : RP_CAMPAIGN_PER_DAY, rc, k = 0;
	json_t *rows = NULL, *r;
	int64_t day;
	size_t i;

	memset(out, 0, sizeof *out);
	if ((rc = rp_edit_text("campaign text", s->text, RP_STR_MAX, 1)))
		return rc;
	if ((s->top > 0) == (s->tag != NULL))
		return rp_fail(RP_EINVAL, "a campaign goes to the top N accounts or to a tag: give one of them");
	if (per_day < 1 || per_day > S_PER_DAY_MAX)
		return rp_fail(RP_EINVAL, "follow-ups a day must be 1 to %d, not %d", S_PER_DAY_MAX, per_day);
	rp_team_settings team;
	if ((rc = rp_team_settings_get(w->node, &team)))
		return rc;
	if ((rc = s_pick(w, s, &rows)))
		return rc;
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		return s->tag ? rp_fail(RP_ENOTFOUND, "no account in use is tagged '%s'", s->tag)
		              : rp_fail(RP_ENOTFOUND, "no accounts to ask yet");
	}
	randombytes_buf(rnd, sizeof rnd);
	rp_b32_encode(rnd, sizeof rnd, out->id, sizeof out->id);
	day = s->from_ms ? rp_when_day(s->from_ms) : rp_team_next_workday(&team, rp_when_day(rp_node_now(w->node)));
	if (!rp_team_workday(&team, day))
		day = rp_team_next_workday(&team, day);
	out->first_day = day;
	json_array_foreach(rows, i, r) {
		if (rp_b32_decode(json_string_value(json_object_get(r, "id")), acct, RP_ACCOUNT_LEN))
			continue;
		if (k == per_day) {
			day = rp_team_next_workday(&team, day);
			k = 0;
		}
		if ((rc = rp_edit_fu_add(w, acct, s->text, rp_when_day_ms(day), NULL, out->id, ref)))
			break;
		k++;
		out->followups++;
		out->last_day = day;
	}
	json_decref(rows);
	return rc;
}

/* ---- progress ------------------------------------------------------------ */

static void s_count(json_t *c, const char *key)
{
	json_object_set_new(c, key, json_integer(json_integer_value(json_object_get(c, key)) + 1));
}

/* One follow-up of a campaign into its entry of byid. */
static int s_tally(json_t *byid, const json_t *fu, int64_t today)
{
	const char *id = rp_jstr(fu, "campaign"), *due = rp_jstr(fu, "due");
	json_t *c = json_object_get(byid, id);
	uint64_t ms = 0;
	if (!c) {
		c = json_pack("{sssOsisisisisisisnsn}", "id", id, "text", json_object_get(fu, "text"),
		              "followups", 0, "done", 0, "cancelled", 0, "open", 0, "overdue", 0,
		              "due_today", 0, "first_due", "last_due");
		if (!c || json_object_set_new(byid, id, c))
			return RP_ENOMEM;
	}
	s_count(c, "followups");
	if (json_is_true(json_object_get(fu, "done")))
		s_count(c, "done");
	else if (json_is_true(json_object_get(fu, "cancelled")))
		s_count(c, "cancelled");
	else {
		int when = due && rp_when_parse_iso(due, &ms) == 0;
		s_count(c, "open");
		if (when && rp_when_day(ms) < today)
			s_count(c, "overdue");
		else if (when && rp_when_day(ms) == today)
			s_count(c, "due_today");
	}
	if (due && (json_is_null(json_object_get(c, "first_due")) ||
	            strcmp(due, rp_jstr(c, "first_due")) < 0))
		json_object_set_new(c, "first_due", json_string(due));
	if (due && (json_is_null(json_object_get(c, "last_due")) ||
	            strcmp(due, rp_jstr(c, "last_due")) > 0))
		json_object_set_new(c, "last_due", json_string(due));
	return 0;
}

static int s_newest_first(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(rp_jstr(y, "first_due") ? rp_jstr(y, "first_due") : "",
	               rp_jstr(x, "first_due") ? rp_jstr(x, "first_due") : "");
	return c ? c : strcmp(rp_jstr(x, "id"), rp_jstr(y, "id"));
}

int rp_campaign_list(rp_node *n, json_t **out)
{
	MDB_txn *txn;
	rp_book book;
	json_t *byid = json_object(), *list = NULL, *c, **v = NULL;
	const char *key;
	int64_t today;
	size_t i, k = 0;
	int rc;

	rp_errclear();
	tzset();
	today = rp_when_day(rp_node_now(n));
	if (!byid)
		return rp_fail(RP_ENOMEM, "out of memory");
	if ((rc = rp_node_read(n, &txn))) {
		json_decref(byid);
		return rc;
	}
	if ((rc = rp_book_load(n, txn, &book)))
		goto out_txn;
	for (i = 0; i < book.n && rc == 0; i++) {
		json_t *view = NULL, *fu;
		size_t j;
		if ((rc = rp_book_view(n, txn, &book.v[i], &view)) == RP_ENOTFOUND) {
			rc = 0;
			continue;
		}
		json_array_foreach(json_object_get(view, "followups"), j, fu)
			if (rc == 0 && json_is_string(json_object_get(fu, "campaign")))
				rc = s_tally(byid, fu, today);
		json_decref(view);
	}
	if (rc == RP_ENOMEM)
		rc = rp_fail(rc, "out of memory");
	if (rc == 0 && (!(list = json_array()) ||
	                !(v = calloc(json_object_size(byid) + 1, sizeof *v))))
		rc = rp_fail(RP_ENOMEM, "out of memory");
	if (rc == 0) {
		json_object_foreach(byid, key, c)
			v[k++] = c;
		qsort(v, k, sizeof *v, s_newest_first);
		for (i = 0; i < k && rc == 0; i++)
			if (json_array_append(list, v[i]))
				rc = rp_fail(RP_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		*out = list;
		list = NULL;
	}
	free(v);
	json_decref(list);
	rp_book_free(&book);
out_txn:
	json_decref(byid);
	rp_store_end(txn);
	return rc;
}
