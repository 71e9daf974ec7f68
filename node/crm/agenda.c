/* node/crm/agenda.c — who to call: the follow-ups due, the complaints left
 * open, the customers due by their rhythm, then a couple of calls each
 * workday to the accounts that matter most. Calendar days throughout
 * (text/when): due today means due on the reader's today. Read txns only. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agenda.h"
#include "book.h"
#include "../store/roster.h"
#include "../text/amount.h"
#include "../text/when.h"
#include "../../proto/error.h"

#define S_QUIET_DAYS      7      /* contacted this recently: no call suggested */
#define S_NEVER_DAYS      365    /* "never contacted" weighs like a year of silence */
#define S_COMPLAINT_DAYS  2      /* an open complaint this old is on the agenda */

/* The order within a day. */
enum { S_FOLLOWUP, S_COMPLAINT, S_CADENCE, S_CALL };

static const char *const s_kinds[] = { "followup", "complaint", "cadence", "call" };

typedef struct s_plan {
	rp_node       *n;
	MDB_txn       *txn;
	rp_book        book;
	rp_rows        rows;          /* everything but the calls */
	rp_rows        calls;         /* call candidates, best first once sorted */
	uint8_t       *planned;       /* per book account: on the plan already */
	const char    *owner;
	int64_t        holidays[RP_TEAM_HOLIDAYS_MAX];   /* the team's: no calls on them */
	size_t         nholidays;
	uint64_t       now;
	int64_t        today, last;   /* the days planned, as rp_when_day numbers */
} s_plan;

static json_t *s_day_text(int64_t day)
{
	char iso[32];
	rp_when_iso(rp_when_day_ms(day), iso, sizeof iso);
	iso[10] = '\0';
	return json_string(iso);
}

/* How to reach the customer: the account's phone, email and preference,
 * else those of its first contact that has a phone (or an email). */
static void s_reach(json_t *row, const json_t *view, int *bad)
{
	const json_t *fields = json_object_get(view, "fields"), *c;
	json_t *phone = json_object_get(fields, "phone"), *email = json_object_get(fields, "email");
	json_t *prefer = json_object_get(fields, "prefer");
	size_t i;
	json_array_foreach(json_object_get(view, "contacts"), i, c) {
		if (json_is_string(phone) && json_is_string(email))
			break;
		if (!json_is_string(phone) && json_is_string(json_object_get(c, "phone"))) {
			phone = json_object_get(c, "phone");
			if (!json_is_string(prefer))
				prefer = json_object_get(c, "prefer");
		}
		if (!json_is_string(email) && json_is_string(json_object_get(c, "email")))
			email = json_object_get(c, "email");
	}
	rp_put(row, "phone", json_is_string(phone) ? json_incref(phone) : json_null(), bad);
	rp_put(row, "email", json_is_string(email) ? json_incref(email) : json_null(), bad);
	rp_put(row, "prefer", json_is_string(prefer) ? json_incref(prefer) : json_null(), bad);
}

/* A row of kind on day for account a; item names its follow-up or
 * complaint (NULL for the account itself). */
static json_t *s_row(const rp_book_acct *a, int kind, int64_t day, const json_t *item,
                     const char *text, const char *reason, const json_t *view, int *bad)
{
	json_t *row = json_object();
	rp_put(row, "kind", json_string(s_kinds[kind]), bad);
	rp_put(row, "day", s_day_text(day), bad);
	rp_put(row, "account_id", json_string(a->sum->id), bad);
	rp_put(row, "account", rp_jtext(a->sum->name), bad);
	rp_put(row, "id", item ? rp_jcopy(item, "id") : json_null(), bad);
	rp_put(row, "text", item ? rp_jcopy(item, "text") : json_string(text), bad);
	rp_put(row, "due", item && kind == S_FOLLOWUP ? rp_jcopy(item, "due") : json_null(), bad);
	rp_put(row, "reason", json_string(reason), bad);
	if (view)
		s_reach(row, view, bad);
	rp_put(row, "last_contact", rp_jtext(a->sum->last_contact.text), bad);
	return row;
}

static int s_push(s_plan *p, rp_book_acct *a, int kind, int64_t day, int64_t k2, json_t *row, int bad)
{
	p->planned[a - p->book.v] = 1;
	return rp_rows_push(&p->rows, (rp_row){ .row = row, .k1 = day * 4 + kind, .k2 = k2,
	        .name = rp_jstr(row, "account"), .id = rp_jstr(row, "account_id"),
	        .sub = rp_jstr(row, "id"), .acct = a }, bad);
}

static int s_mine(const s_plan *p, const rp_book_acct *a)
{
	return !p->owner || (a->sum->owner && !strcmp(a->sum->owner, p->owner));
}

/* Open follow-ups due on a planned day or before (overdue: the first day). */
static int s_followups(s_plan *p, rp_book_acct *a, const json_t *view)
{
	size_t i;
	json_t *fu;
	int rc;
	json_array_foreach(json_object_get(view, "followups"), i, fu) {
		const char *assignee = rp_jstr(fu, "assignee");
		char reason[64];
		uint64_t due;
		int64_t dday, day;
		int bad = 0;
		if (json_is_true(json_object_get(fu, "done")) || json_is_true(json_object_get(fu, "cancelled")) ||
		    !rp_iso_ms(json_object_get(fu, "due"), &due) || (dday = rp_when_day(due)) > p->last)
			continue;
		if (p->owner && (assignee ? strcmp(assignee, p->owner) != 0 : !s_mine(p, a)))
			continue;
		day = dday < p->today ? p->today : dday;
		if (dday < p->today)
			snprintf(reason, sizeof reason, "overdue %lld day%s", (long long)(p->today - dday),
			         p->today - dday == 1 ? "" : "s");
		else
			snprintf(reason, sizeof reason, dday == p->today ? "due today" : "due");
		if ((rc = s_push(p, a, S_FOLLOWUP, day, (int64_t)due,
		                 s_row(a, S_FOLLOWUP, day, fu, NULL, reason, view, &bad), bad)))
			return rc;
	}
	return 0;
}

/* Open complaints, on the day they turn S_COMPLAINT_DAYS old (or today). */
static int s_complaints(s_plan *p, rp_book_acct *a, const json_t *view)
{
	size_t i;
	json_t *ix;
	int rc;
	json_array_foreach(json_object_get(view, "interactions"), i, ix) {
		const char *type = rp_jstr(ix, "type");
		char reason[64];
		uint64_t at;
		int64_t from, day;
		int bad = 0;
		if (!type || strcmp(type, "complaint") || json_is_true(json_object_get(ix, "retracted")) ||
		    json_is_true(json_object_get(ix, "resolved")) || !rp_iso_ms(json_object_get(ix, "at"), &at))
			continue;
		from = rp_when_day(at) + S_COMPLAINT_DAYS;
		if (from > p->last)
			continue;
		day = from < p->today ? p->today : from;
		snprintf(reason, sizeof reason, "complaint open %lld days", (long long)(day - rp_when_day(at)));
		if ((rc = s_push(p, a, S_COMPLAINT, day, (int64_t)at,
		                 s_row(a, S_COMPLAINT, day, ix, NULL, reason, view, &bad), bad)))
			return rc;
	}
	return 0;
}

/* Due by its cadence: that many days since the last contact. */
static int s_cadence(s_plan *p, rp_book_acct *a)
{
	const rp_summary *s = a->sum;
	int64_t due = s->last_contact.valid ? rp_when_day(s->last_contact.ms) + s->contact_every : p->today;
	int64_t day = due < p->today ? p->today : due;
	char reason[96];
	json_t *view = NULL, *row;
	int bad = 0, rc;
	if (due > p->last)
		return 0;
	if (s->last_contact.valid)
		snprintf(reason, sizeof reason, "every %lld days; last contact %lld days ago",
		         (long long)s->contact_every, (long long)(day - rp_when_day(s->last_contact.ms)));
	else
		snprintf(reason, sizeof reason, "every %lld days; never contacted", (long long)s->contact_every);
	if ((rc = rp_book_view(p->n, p->txn, a, &view)) == RP_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	row = s_row(a, S_CADENCE, day, NULL, "keep in touch", reason, view, &bad);
	json_decref(view);
	return s_push(p, a, S_CADENCE, day, due, row, bad);
}

/* A call candidate, unless a was contacted too recently (as of today) to
 * bother. Worth = (1 + ln(1 + value in units)) × days of silence (capped at
 * S_NEVER_DAYS): value counts, but silence counts more. */
static int s_candidate(s_plan *p, rp_book_acct *a)
{
	const rp_summary *s = a->sum;
	double scale = rp_pow10(rp_currency_decimals(p->book.currency));
	int64_t days = s->last_contact.valid ? p->today - rp_when_day(s->last_contact.ms) : S_NEVER_DAYS;
	int64_t units = rp_summary_value_in(s, p->book.currency);
	if (s->no_calls || (s->last_contact.valid && days < S_QUIET_DAYS))
		return 0;
	return rp_rows_push(&p->calls, (rp_row){ .row = json_object(),
	        .score = (1 + rp_ln(1 + (units > 0 ? (double)units / scale : 0))) *
	                 (double)(days < S_NEVER_DAYS ? days : S_NEVER_DAYS),
	        .name = s->name, .id = s->id, .acct = a }, 0);
}

/* The best candidates, calls a workday, on the workdays planned. */
static int s_calls(s_plan *p, int calls)
{
	size_t next = 0;
	int rc;
	rp_rows_sort(&p->calls);
	for (int64_t day = p->today; day <= p->last; day++) {
		if (!rp_when_workday_in(day, p->holidays, p->nholidays))
			continue;
		for (int k = 0; k < calls && next < p->calls.n; next++) {
			rp_book_acct *a = p->calls.v[next].acct;
			char value[256], reason[400], when[64];
			json_t *view = NULL, *row;
			int bad = 0;
			if ((rc = rp_book_view(p->n, p->txn, a, &view)) == RP_ENOTFOUND)
				continue;
			if (rc)
				return rc;
			rp_value_text(a->sum, value, sizeof value);
			if (a->sum->last_contact.valid)
				snprintf(when, sizeof when, "last contact %lld days ago",
				         (long long)(day - rp_when_day(a->sum->last_contact.ms)));
			else
				snprintf(when, sizeof when, "never contacted");
			snprintf(reason, sizeof reason, "%s%s, %s", value[0] ? value : "no purchases yet",
			         value[0] ? " lifetime" : "", when);
			row = s_row(a, S_CALL, day, NULL, "suggested call", reason, view, &bad);
			json_decref(view);
			if ((rc = rp_rows_push(&p->rows, (rp_row){ .row = row, .k1 = day * 4 + S_CALL,
			        .score = p->calls.v[next].score, .name = rp_jstr(row, "account"),
			        .id = rp_jstr(row, "account_id"), .acct = a }, bad)))
				return rc;
			k++;
		}
	}
	return 0;
}

static int s_account(s_plan *p, rp_book_acct *a)
{
	const rp_summary *s = a->sum;
	int fus = s->open_followups > 0 && s->next_due.valid && rp_when_day(s->next_due.ms) <= p->last;
	int complaints = s->open_complaints > 0 && s_mine(p, a);
	json_t *view = NULL;
	int rc = 0;
	if (s->archived)
		return 0;             /* out of the agenda: account archive --undo brings it back */
	if (fus || complaints) {
		if ((rc = rp_book_view(p->n, p->txn, a, &view)) == RP_ENOTFOUND)
			return 0;
		if (rc == 0 && fus)
			rc = s_followups(p, a, view);
		if (rc == 0 && complaints)
			rc = s_complaints(p, a, view);
		json_decref(view);
		if (rc)
			return rc;
	}
	if (s->contact_every > 0 && s_mine(p, a) && !p->planned[a - p->book.v] &&
	    (rc = s_cadence(p, a)))
		return rc;
	if (s_mine(p, a) && !p->planned[a - p->book.v])
		rc = s_candidate(p, a);
	return rc;
}

int rp_agenda(rp_node *n, const rp_agenda_opts *o, json_t **out)
{
	rp_agenda_opts def = { .calls = -1, .days = 1 };
	s_plan p = { .n = n, .now = rp_node_now(n) };
	json_t *list = NULL;
	int rc, calls;

	rp_errclear();
	if (!o)
		o = &def;
	if (o->days < 0 || o->days > RP_AGENDA_DAYS_MAX)
		return rp_fail(RP_EINVAL, "--days must be 1 to %d, not %d", RP_AGENDA_DAYS_MAX, o->days);
	p.owner = o->owner;
	tzset();                            /* localtime_r need not read TZ itself */
	p.today = rp_when_day(p.now);
	p.last = p.today + (o->days ? o->days : 1) - 1;
	if ((rc = rp_node_read(n, &p.txn)))
		return rc;
	calls = o->calls >= 0 ? o->calls : rp_roster_team_calls(n->store, p.txn);
	p.nholidays = rp_roster_team_holidays(n->store, p.txn, p.holidays, RP_TEAM_HOLIDAYS_MAX);
	if (p.owner && rp_roster_member(n->store, p.txn, p.owner, NULL) != 0) {
		rc = rp_fail(RP_ENOTFOUND, "no member '%s' in the team (see 'rapport member list')", p.owner);
		goto out_txn;
	}
	if ((rc = rp_book_load(n, p.txn, &p.book)))
		goto out_txn;
	if (!(p.planned = calloc(p.book.n + 1, 1))) {
		rc = rp_fail(RP_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p.book.n && rc == 0; i++)
		rc = s_account(&p, &p.book.v[i]);
	if (rc == 0 && calls > 0)
		rc = s_calls(&p, calls);
	if (rc == 0 && (rc = rp_rows_emit(&p.rows, SIZE_MAX, &list)) == 0)
		*out = list;
out:
	free(p.planned);
	rp_rows_free(&p.rows);
	rp_rows_free(&p.calls);
	rp_book_free(&p.book);
out_txn:
	rp_store_end(p.txn);
	return rc;
}
