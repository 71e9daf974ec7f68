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
#include "../store/index.h"
#include "../store/summary.h"
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

/* What a call is worth = (1 + ln(1 + value in units)) × days of silence
 * (capped at S_NEVER_DAYS): value counts, but silence counts more. It
 * grows with both, which lets the index find the best without reading
 * every account (s_calls_book). */
static double s_worth(int64_t units, double scale, int64_t days)
{
	return (1 + rp_ln(1 + (units > 0 ? (double)units / scale : 0))) *
	       (double)(days < S_NEVER_DAYS ? days : S_NEVER_DAYS);
}

/* Whether s is a call candidate today (not contacted too recently to
 * bother, calls welcome), and its worth. */
static int s_callable(const s_plan *p, const rp_summary *s, const char *currency, double *worth)
{
	double scale = rp_pow10(rp_currency_decimals(currency));
	int64_t days = s->last_contact.valid ? p->today - rp_when_day(s->last_contact.ms) : S_NEVER_DAYS;
	if (s->no_calls || (s->last_contact.valid && days < S_QUIET_DAYS))
		return 0;
	*worth = s_worth(rp_summary_value_in(s, currency), scale, days);
	return 1;
}

static int s_candidate(s_plan *p, rp_book_acct *a)
{
	double worth;
	if (!s_callable(p, a->sum, p->book.currency, &worth))
		return 0;
	return rp_rows_push(&p->calls, (rp_row){ .row = json_object(), .score = worth,
	        .name = a->sum->name, .id = a->sum->id, .acct = a }, 0);
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

/* ---- the accounts the agenda is made of, from the indexes ------------------- */

/* A set of account ids seen, open addressing (the best calls' walk). */
typedef struct s_seen {
	uint8_t *v;                 /* cap × RP_ACCOUNT_LEN; a zero id marks a free slot */
	size_t   n, cap;
} s_seen;

/* 1 if id was in the set (now it is), 0 if added, RP_ENOMEM. */
static int s_seen_add(s_seen *s, const uint8_t id[RP_ACCOUNT_LEN])
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	size_t i;
	if (2 * (s->n + 1) > s->cap) {
		s_seen g = { calloc(s->cap ? 2 * s->cap : 256, RP_ACCOUNT_LEN), 0, s->cap ? 2 * s->cap : 256 };
		if (!g.v)
			return rp_fail(RP_ENOMEM, "out of memory");
		for (i = 0; i < s->cap; i++)
			if (memcmp(s->v + i * RP_ACCOUNT_LEN, zero, RP_ACCOUNT_LEN))
				s_seen_add(&g, s->v + i * RP_ACCOUNT_LEN);
		free(s->v);
		*s = g;
	}
	for (i = (size_t)rp_be64_get(id) % s->cap;; i = (i + 1) % s->cap) {
		uint8_t *slot = s->v + i * RP_ACCOUNT_LEN;
		if (!memcmp(slot, id, RP_ACCOUNT_LEN))
			return 1;
		if (!memcmp(slot, zero, RP_ACCOUNT_LEN)) {
			memcpy(slot, id, RP_ACCOUNT_LEN);
			s->n++;
			return 0;
		}
	}
}

typedef struct s_gather {
	s_plan  *p;
	rp_ids   ids;              /* the accounts the agenda is made of */
	rp_ids   calls;            /* the call candidates the walk met */
} s_gather;

static int s_due_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                     const MDB_val *val)
{
	s_gather *g = arg;
	(void)val;
	if (blen != 8)
		return 0;
	if (rp_when_day(rp_be64_get(body)) > g->p->last)
		return RP_STORE_STOP;       /* soonest first: the rest are later still */
	return rp_ids_add(&g->ids, acct);
}

static int s_complaint_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                           const MDB_val *val)
{
	s_gather *g = arg;
	(void)val;
	if (blen != 8 + RP_REF_LEN || rp_when_day(~rp_be64_get(body)) + S_COMPLAINT_DAYS > g->p->last)
		return 0;                   /* newest first: too young yet, older ones follow */
	return rp_ids_add(&g->ids, acct);
}

static int s_cadence_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                         const MDB_val *val)
{
	s_gather *g = arg;
	(void)val;
	if (blen != 8)
		return 0;
	/* early by the slack: a day past the last planned is the end */
	if ((int64_t)(rp_be64_get(body) - (uint64_t)RP_INDEX_DAY_BIAS) > g->p->last + 1)
		return RP_STORE_STOP;
	return rp_ids_add(&g->ids, acct);
}

/* The best calls: the accounts worth most (value, 'V') and the longest
 * silent (last contact, 'L') walked side by side, each account met read
 * once, until `want` candidates are worth more than any account not met
 * yet can be (it is worth no more than the value and the silence of the
 * walks' positions). Ties go on being read: names break them. The
 * accounts of g->ids (sorted: follow-ups, complaints, cadences) are in the
 * book anyway and may be planned: they do not count; the others met go to
 * g->calls. */
static int s_calls_walk(s_gather *g, size_t want)
{
	s_plan *p = g->p;
	double scale = rp_pow10(rp_currency_decimals(p->book.currency));
	rp_index_iter *iv = NULL, *il = NULL;
	s_seen seen = { 0 };
	double *worth = NULL;
	size_t nworth = 0, capw = 0, steps = 0;
	int64_t units = INT64_MAX, days = S_NEVER_DAYS;
	int hv = 1, hl = 1, rc;

	if ((rc = rp_index_iter_open(p->n->store, p->txn, 'V', p->book.currency, 3, &iv)) ||
	    (rc = rp_index_iter_open(p->n->store, p->txn, 'L', NULL, 0, &il)))
		goto out;
	while (hl) {
		for (int side = 0; side < 2 && rc == 0; side++) {
			const uint8_t *body, *acct;
			size_t blen;
			MDB_val val;
			rp_summary *s = NULL;
			double w;
			int r;
			if (side == 0 && !hv)
				continue;
			r = rp_index_iter_next(side ? il : iv, &body, &blen, &acct, &val);
			if (r < 0) {
				rc = r;
				break;
			}
			if (r == 0) {
				if (side == 0) {
					hv = 0;
					units = 0;           /* no account left is worth anything in the currency */
				} else {
					hl = 0;              /* every account has been met */
				}
				continue;
			}
			if (blen != 8)
				continue;
			if (side == 0) {
				units = (int64_t)~rp_be64_get(body);
			} else {
				uint64_t ms = rp_be64_get(body);
				days = ms ? p->today - rp_when_day(ms) : S_NEVER_DAYS;
			}
			if ((r = s_seen_add(&seen, acct)) != 0) {
				rc = r < 0 ? r : 0;
				continue;
			}
			if (rp_ids_has(&g->ids, acct) || rp_summary_load(p->n->store, p->txn, acct, &s) != 0)
				continue;
			if (s->name && !s->archived && (!p->owner || (s->owner && !strcmp(s->owner, p->owner))) &&
			    s_callable(p, s, p->book.currency, &w)) {
				if (nworth == capw) {
					double *gw = realloc(worth, (capw = capw ? 2 * capw : 64) * sizeof *gw);
					if (!gw)
						rc = rp_fail(RP_ENOMEM, "out of memory");
					else
						worth = gw;
				}
				if (rc == 0 && (rc = rp_ids_add(&g->calls, acct)) == 0)
					worth[nworth++] = w;
			}
			rp_summary_free(&s);
		}
		if (rc)
			break;
		/* Enough candidates worth more than the walks' bound? */
		if (hl && nworth >= want && ++steps % 16 == 0) {
			double bound = s_worth(units, scale, days < 0 ? 0 : days);
			size_t above = 0;
			for (size_t i = 0; i < nworth; i++)
				above += worth[i] > bound;
			if (above >= want)
				break;
		}
	}
out:
	rp_index_iter_close(&iv);
	rp_index_iter_close(&il);
	free(seen.v);
	free(worth);
	return rc < 0 ? rp_fail(rc, "cannot read the indexes") : 0;
}

/* The book of the accounts the agenda is made of: follow-ups due ('D'),
 * open complaints ('P'), cadences due ('C') and the best calls. */
static int s_agenda_book(s_plan *p, int calls)
{
	s_gather g = { p, { 0 }, { 0 } };
	rp_store *st = p->n->store;
	int rc;
	rp_roster_team_currency(st, p->txn, p->book.currency);
	if ((rc = rp_index_walk(st, p->txn, 'D', NULL, 0, s_due_one, &g)) == 0 &&
	    (rc = rp_index_walk(st, p->txn, 'P', NULL, 0, s_complaint_one, &g)) == 0)
		rc = rp_index_walk(st, p->txn, 'C', NULL, 0, s_cadence_one, &g);
	if (rc == 0 && calls > 0) {
		size_t want = 0;
		rp_ids_sort(&g.ids);
		for (int64_t day = p->today; day <= p->last; day++)
			want += rp_when_workday_in(day, p->holidays, p->nholidays) ? (size_t)calls : 0;
		if (want)
			rc = s_calls_walk(&g, want);
	}
	for (size_t i = 0; rc == 0 && i < g.calls.n; i++)
		rc = rp_ids_add(&g.ids, g.calls.v + i * RP_ACCOUNT_LEN);
	rp_ids_free(&g.calls);
	if (rc == 0) {
		rp_ids_sort(&g.ids);
		rc = rp_book_pick(p->n, p->txn, g.ids.v, g.ids.n, &p->book);
	} else {
		rc = rp_fail(rc, "cannot read the indexes");
	}
	rp_ids_free(&g.ids);
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
	if ((rc = n->scan ? rp_book_load(n, p.txn, &p.book) : s_agenda_book(&p, calls)))
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
