/* node/crm/agenda.c — who to call: the follow-ups due, the complaints left
 * open, the customers due by their rhythm, then a couple of calls each
 * workday to the accounts that matter most. Calendar days throughout
 * (text/when): due today means due on the reader's today. Read txns only. */
#include <stdlib.h>
#include <string.h>
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

/* A follow-up or complaint that may be on the plan. Its strings point into
 * the index (the read txn) or, in the scan, into its account's view. */
typedef struct s_item {
	int         kind;                     /* S_FOLLOWUP or S_COMPLAINT */
	uint64_t    ms;                       /* its due, or when it was made */
	const char *text, *due, *assignee;    /* NULL: none (a complaint has no due) */
	char        id[RP_REF_TEXT + 1];
	uint8_t     acct[RP_ACCOUNT_LEN];
} s_item;

/* An account the plan may name: its card (from the index, or in the scan
 * from its summary and view). */
typedef struct s_acct {
	uint8_t       id[RP_ACCOUNT_LEN];
	char          idtext[RP_ACCOUNT_TEXT + 1];
	rp_index_card c;
	rp_summary   *sum;                    /* the scan's: c points into it */
	json_t       *view;                   /* the scan's, once read: c's reach and items point into it */
	int           reach;                  /* c's reach is filled in */
	int           cadence;                /* may be due by its cadence */
	int           gone;                   /* the scan found no view: left out */
	int           planned;
} s_acct;

typedef struct s_plan {
	rp_node       *n;
	MDB_txn       *txn;
	char           currency[4];           /* the team's: calls rank by value in it */
	s_acct        *accts;                 /* in id order */
	size_t         naccts, capaccts;
	s_item        *items;
	size_t         nitems, capitems;
	rp_rows        rows;                  /* everything but the calls */
	rp_rows        calls;                 /* call candidates, best first once sorted */
	const char    *owner;
	int64_t        holidays[RP_TEAM_HOLIDAYS_MAX];   /* the team's: no calls on them */
	size_t         nholidays;
	uint64_t       now;
	int64_t        today, last;           /* the days planned, as rp_when_day numbers */
} s_plan;

static json_t *s_day_text(int64_t day)
{
	char iso[32];
	rp_when_iso(rp_when_day_ms(day), iso, sizeof iso);
	iso[10] = '\0';
	return json_string(iso);
}

static int s_grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *g;
	if (n < *cap)
		return 0;
	if (!(g = realloc(*v, (*cap ? 2 * *cap : 64) * size)))
		return rp_fail(RP_ENOMEM, "out of memory");
	*v = g;
	*cap = *cap ? 2 * *cap : 64;
	return 0;
}

static int s_cmp_acct_id(const void *a, const void *b)
{
	return memcmp(((const s_acct *)a)->id, ((const s_acct *)b)->id, RP_ACCOUNT_LEN);
}

static s_acct *s_find(s_plan *p, const uint8_t id[RP_ACCOUNT_LEN])
{
	size_t lo = 0, hi = p->naccts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(p->accts[mid].id, id, RP_ACCOUNT_LEN);
		if (c == 0)
			return &p->accts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The scan's view of a, read once (its reach filled in). RP_ENOTFOUND: it
 * has none, and is left out. */
static int s_view(s_plan *p, s_acct *a)
{
	rp_book_acct ba;
	int rc;
	if (a->view)
		return 0;
	if (a->gone)
		return RP_ENOTFOUND;
	memcpy(ba.id, a->id, RP_ACCOUNT_LEN);
	ba.sum = a->sum;
	if ((rc = rp_book_view(p->n, p->txn, &ba, &a->view)) == RP_ENOTFOUND)
		a->gone = 1;
	return rc;
}

/* a's reach, for a row (the index's card has it; the scan reads the view). */
static int s_reach(s_plan *p, s_acct *a)
{
	int rc;
	if (a->reach)
		return 0;
	if ((rc = s_view(p, a)))
		return rc;
	rp_index_reach(a->view, &a->c.phone, &a->c.email, &a->c.prefer);
	a->reach = 1;
	return 0;
}

/* A row of kind on day for account a; item names its follow-up or
 * complaint (NULL for the account itself). */
static json_t *s_row(const s_acct *a, int kind, int64_t day, const s_item *item,
                     const char *text, const char *reason, int *bad)
{
	json_t *row = json_object();
	rp_put(row, "kind", json_string(s_kinds[kind]), bad);
	rp_put(row, "day", s_day_text(day), bad);
	rp_put(row, "account_id", json_string(a->idtext), bad);
	rp_put(row, "account", rp_jtext(a->c.name), bad);
	rp_put(row, "id", item ? json_string(item->id) : json_null(), bad);
	rp_put(row, "text", rp_jtext(item ? item->text : text), bad);
	rp_put(row, "due", rp_jtext(item ? item->due : NULL), bad);
	rp_put(row, "reason", json_string(reason), bad);
	rp_put(row, "phone", rp_jtext(a->c.phone), bad);
	rp_put(row, "email", rp_jtext(a->c.email), bad);
	rp_put(row, "prefer", rp_jtext(a->c.prefer), bad);
	rp_put(row, "last_contact", rp_jtext(a->c.last_contact), bad);
	return row;
}

static int s_push(s_plan *p, s_acct *a, int kind, int64_t day, int64_t k2, const s_item *item,
                  const char *text, const char *reason)
{
	json_t *row;
	int bad = 0, rc;
	if ((rc = s_reach(p, a)))
		return rc == RP_ENOTFOUND ? 0 : rc;
	row = s_row(a, kind, day, item, text, reason, &bad);
	a->planned = 1;
	return rp_rows_push(&p->rows, (rp_row){ .row = row, .k1 = day * 4 + kind, .k2 = k2,
	        .name = rp_jstr(row, "account"), .id = rp_jstr(row, "account_id"),
	        .sub = rp_jstr(row, "id") }, bad);
}

static int s_mine(const s_plan *p, const rp_index_card *c)
{
	return !p->owner || (c->owner && !strcmp(c->owner, p->owner));
}

/* An open follow-up, due on a planned day or before (overdue: the first day). */
static int s_followup(s_plan *p, s_acct *a, const s_item *fu)
{
	int64_t dday = rp_when_day(fu->ms), day;
	char reason[64];
	if (dday > p->last)
		return 0;
	if (p->owner && (fu->assignee ? strcmp(fu->assignee, p->owner) != 0 : !s_mine(p, &a->c)))
		return 0;
	day = dday < p->today ? p->today : dday;
	if (dday < p->today)
		snprintf(reason, sizeof reason, "overdue %lld day%s", (long long)(p->today - dday),
		         p->today - dday == 1 ? "" : "s");
	else
		snprintf(reason, sizeof reason, dday == p->today ? "due today" : "due");
	return s_push(p, a, S_FOLLOWUP, day, (int64_t)fu->ms, fu, NULL, reason);
}

/* An open complaint, on the day it turns S_COMPLAINT_DAYS old (or today). */
static int s_complaint(s_plan *p, s_acct *a, const s_item *ix)
{
	int64_t from = rp_when_day(ix->ms) + S_COMPLAINT_DAYS, day;
	char reason[64];
	if (from > p->last || !s_mine(p, &a->c))
		return 0;
	day = from < p->today ? p->today : from;
	snprintf(reason, sizeof reason, "complaint open %lld days", (long long)(day - rp_when_day(ix->ms)));
	return s_push(p, a, S_COMPLAINT, day, (int64_t)ix->ms, ix, NULL, reason);
}

/* Due by its cadence: that many days since the last contact. */
static int s_cadence(s_plan *p, s_acct *a)
{
	const rp_index_card *c = &a->c;
	int64_t due = c->last_valid ? rp_when_day(c->last) + c->contact_every : p->today;
	int64_t day = due < p->today ? p->today : due;
	char reason[96];
	if (due > p->last)
		return 0;
	if (c->last_valid)
		snprintf(reason, sizeof reason, "every %lld days; last contact %lld days ago",
		         (long long)c->contact_every, (long long)(day - rp_when_day(c->last)));
	else
		snprintf(reason, sizeof reason, "every %lld days; never contacted", (long long)c->contact_every);
	return s_push(p, a, S_CADENCE, day, due, NULL, "keep in touch", reason);
}

/* What a call is worth = (1 + ln(1 + value in units)) × days of silence
 * (capped at S_NEVER_DAYS): value counts, but silence counts more. It
 * grows with both, which lets the index find the best without reading
 * every account (s_calls_walk). */
static double s_worth(int64_t units, double scale, int64_t days)
{
	return (1 + rp_ln(1 + (units > 0 ? (double)units / scale : 0))) *
	       (double)(days < S_NEVER_DAYS ? days : S_NEVER_DAYS);
}

/* a's value in the team's currency, and all of it as text ("" none). */
static int64_t s_units(const s_plan *p, const s_acct *a)
{
	return a->sum ? rp_summary_value_in(a->sum, p->currency) : rp_index_card_value(&a->c, p->currency, 0, NULL);
}

static void s_value_text(const s_acct *a, char *out, size_t cap)
{
	size_t len = 0;
	if (a->sum) {
		rp_value_text(a->sum, out, cap);
		return;
	}
	out[0] = 0;
	for (size_t i = 0; i < a->c.nvalues; i++) {
		char num[48], cur[4];
		int64_t cents = rp_index_card_value(&a->c, NULL, i, cur);
		if (!cents)
			continue;
		snprintf(out + len, cap - len, "%s%s", len ? " + " : "", rp_money_format(cents, cur, num, sizeof num));
		len = strlen(out);
	}
}

/* Whether c is a call candidate today (not contacted too recently to
 * bother, calls welcome), and its worth, of units in the team's currency. */
static int s_callable(const s_plan *p, const rp_index_card *c, int64_t units, double *worth)
{
	double scale = rp_pow10(rp_currency_decimals(p->currency));
	int64_t days = c->last_valid ? p->today - rp_when_day(c->last) : S_NEVER_DAYS;
	if (c->no_calls || (c->last_valid && days < S_QUIET_DAYS))
		return 0;
	*worth = s_worth(units, scale, days);
	return 1;
}

static int s_candidate(s_plan *p, s_acct *a)
{
	double worth;
	if (!s_mine(p, &a->c) || !s_callable(p, &a->c, s_units(p, a), &worth))
		return 0;
	return rp_rows_push(&p->calls, (rp_row){ .row = json_object(), .score = worth,
	        .name = a->c.name, .id = a->idtext, .ref = a }, 0);
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
			s_acct *a = p->calls.v[next].ref;
			char value[256], reason[400], when[64];
			json_t *row;
			int bad = 0;
			if ((rc = s_reach(p, a)) == RP_ENOTFOUND)
				continue;
			if (rc)
				return rc;
			s_value_text(a, value, sizeof value);
			if (a->c.last_valid)
				snprintf(when, sizeof when, "last contact %lld days ago",
				         (long long)(day - rp_when_day(a->c.last)));
			else
				snprintf(when, sizeof when, "never contacted");
			snprintf(reason, sizeof reason, "%s%s, %s", value[0] ? value : "no purchases yet",
			         value[0] ? " lifetime" : "", when);
			row = s_row(a, S_CALL, day, NULL, "suggested call", reason, &bad);
			if ((rc = rp_rows_push(&p->rows, (rp_row){ .row = row, .k1 = day * 4 + S_CALL,
			        .score = p->calls.v[next].score, .name = rp_jstr(row, "account"),
			        .id = rp_jstr(row, "account_id") }, bad)))
				return rc;
			k++;
		}
	}
	return 0;
}

/* The plan from the accounts and items gathered: follow-ups and
 * complaints first (they plan their account), then cadences, then the
 * candidates for calls among the accounts still unplanned. */
static int s_plan_all(s_plan *p, int calls)
{
	int rc = 0;
	for (size_t i = 0; i < p->nitems && rc == 0; i++) {
		s_item *it = &p->items[i];
		s_acct *a = s_find(p, it->acct);
		if (!a || a->c.archived || a->gone)
			continue;
		rc = it->kind == S_FOLLOWUP ? s_followup(p, a, it) : s_complaint(p, a, it);
	}
	for (size_t i = 0; i < p->naccts && rc == 0; i++) {
		s_acct *a = &p->accts[i];
		if (a->c.archived || a->gone || a->planned || !s_mine(p, &a->c))
			continue;
		if (a->cadence && a->c.contact_every > 0 && (rc = s_cadence(p, a)))
			break;
		if (!a->planned && !a->gone && calls > 0)
			rc = s_candidate(p, a);
	}
	if (rc == 0 && calls > 0)
		rc = s_calls(p, calls);
	return rc;
}

static int s_add_acct(s_plan *p, const uint8_t id[RP_ACCOUNT_LEN], s_acct **out)
{
	int rc;
	if ((rc = s_grow((void **)&p->accts, &p->capaccts, p->naccts, sizeof *p->accts)))
		return rc;
	*out = &p->accts[p->naccts++];
	**out = (s_acct){ .reach = 0 };
	memcpy((*out)->id, id, RP_ACCOUNT_LEN);
	rp_b32_encode(id, RP_ACCOUNT_LEN, (*out)->idtext, sizeof (*out)->idtext);
	return 0;
}

static int s_add_item(s_plan *p, const s_item *it)
{
	int rc = s_grow((void **)&p->items, &p->capitems, p->nitems, sizeof *p->items);
	if (rc == 0)
		p->items[p->nitems++] = *it;
	return rc;
}

/* ---- the reference: every account read ---------------------------------- */

/* The open follow-ups and complaints of a's view, as items. */
static int s_scan_items(s_plan *p, s_acct *a, int fus, int complaints)
{
	const json_t *e;
	size_t i;
	int rc = 0;
	json_array_foreach(fus ? json_object_get(a->view, "followups") : NULL, i, e) {
		s_item it = { .kind = S_FOLLOWUP, .text = rp_jstr(e, "text"), .due = rp_jstr(e, "due"),
		              .assignee = rp_jstr(e, "assignee") };
		if (json_is_true(json_object_get(e, "done")) || json_is_true(json_object_get(e, "cancelled")) ||
		    !rp_iso_ms(json_object_get(e, "due"), &it.ms) || !rp_jstr(e, "id"))
			continue;
		snprintf(it.id, sizeof it.id, "%s", rp_jstr(e, "id"));
		memcpy(it.acct, a->id, RP_ACCOUNT_LEN);
		if ((rc = s_add_item(p, &it)))
			return rc;
	}
	json_array_foreach(complaints ? json_object_get(a->view, "interactions") : NULL, i, e) {
		const char *type = rp_jstr(e, "type");
		s_item it = { .kind = S_COMPLAINT, .text = rp_jstr(e, "text") };
		if (!type || strcmp(type, "complaint") || json_is_true(json_object_get(e, "retracted")) ||
		    json_is_true(json_object_get(e, "resolved")) || !rp_iso_ms(json_object_get(e, "at"), &it.ms) ||
		    !rp_jstr(e, "id"))
			continue;
		snprintf(it.id, sizeof it.id, "%s", rp_jstr(e, "id"));
		memcpy(it.acct, a->id, RP_ACCOUNT_LEN);
		if ((rc = s_add_item(p, &it)))
			return rc;
	}
	return 0;
}

static int s_scan(s_plan *p, rp_book *book)
{
	int rc;
	if ((rc = rp_book_load(p->n, p->txn, book)))
		return rc;
	memcpy(p->currency, book->currency, sizeof p->currency);
	for (size_t i = 0; i < book->n; i++) {
		rp_summary *sum = book->v[i].sum;
		s_acct *a;
		int fus, complaints;
		if ((rc = s_add_acct(p, book->v[i].id, &a)))
			return rc;
		a->sum = sum;
		a->c = (rp_index_card){ .name = sum->name, .owner = sum->owner, .last_contact = sum->last_contact.text,
		                        .last = sum->last_contact.ms, .last_valid = sum->last_contact.valid,
		                        .archived = sum->archived, .no_calls = sum->no_calls,
		                        .contact_every = sum->contact_every };
		a->cadence = 1;
		fus = sum->open_followups > 0 && sum->next_due.valid && rp_when_day(sum->next_due.ms) <= p->last;
		complaints = sum->open_complaints > 0 && s_mine(p, &a->c);
		if (sum->archived || !(fus || complaints))
			continue;
		if ((rc = s_view(p, a)) == RP_ENOTFOUND)
			continue;
		if (rc || (rc = s_scan_items(p, a, fus, complaints)))
			return rc;
	}
	/* the book is in name order: the plan looks accounts up by id */
	if (p->naccts)
		qsort(p->accts, p->naccts, sizeof *p->accts, s_cmp_acct_id);
	return 0;
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
	rp_ids   ids;              /* the accounts of the items and cadences */
	int      bad;              /* an entry that was not one: fsck --rebuild */
} s_gather;

/* An account of an entry, with the card the entry holds (each account is
 * added once per entry: s_gather_all keeps one). */
static int s_met(s_gather *g, const uint8_t acct[RP_ACCOUNT_LEN], const rp_index_card *c, int cadence)
{
	s_acct *a;
	int rc;
	if ((rc = s_add_acct(g->p, acct, &a)))
		return rc;
	a->c = *c;
	a->reach = 1;
	a->cadence = cadence;
	return 0;
}

static int s_due_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                     const MDB_val *val)
{
	s_gather *g = arg;
	rp_index_followup f;
	rp_index_card c;
	s_item it = { .kind = S_FOLLOWUP };
	int rc;
	if (blen != 8 + RP_REF_LEN)
		return 0;
	it.ms = rp_be64_get(body);
	if (rp_when_day(it.ms) > g->p->last)
		return RP_STORE_STOP;       /* soonest first: the rest are later still */
	if (rp_index_followup_get(val, &f, &c)) {
		g->bad = 1;
		return 0;
	}
	it.due = f.due;
	it.assignee = f.assignee;
	it.text = f.text;
	rp_b32_encode(body + 8, RP_REF_LEN, it.id, sizeof it.id);
	memcpy(it.acct, acct, RP_ACCOUNT_LEN);
	if ((rc = s_add_item(g->p, &it)) || (rc = s_met(g, acct, &c, 0)))
		return rc;
	return rp_ids_add(&g->ids, acct);
}

static int s_complaint_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                           const MDB_val *val)
{
	s_gather *g = arg;
	rp_index_complaint cp;
	rp_index_card c;
	s_item it = { .kind = S_COMPLAINT };
	int rc;
	if (blen != 8 + RP_REF_LEN || rp_when_day(~rp_be64_get(body)) + S_COMPLAINT_DAYS > g->p->last)
		return 0;                   /* newest first: too young yet, older ones follow */
	if (rp_index_complaint_get(val, &cp, &c)) {
		g->bad = 1;
		return 0;
	}
	it.ms = ~rp_be64_get(body);
	it.text = cp.text;
	rp_b32_encode(body + 8, RP_REF_LEN, it.id, sizeof it.id);
	memcpy(it.acct, acct, RP_ACCOUNT_LEN);
	if ((rc = s_add_item(g->p, &it)) || (rc = s_met(g, acct, &c, 0)))
		return rc;
	return rp_ids_add(&g->ids, acct);
}

static int s_cadence_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                         const MDB_val *val)
{
	s_gather *g = arg;
	rp_index_card c;
	int rc;
	if (blen != 8)
		return 0;
	/* early by the slack: a day past the last planned is the end */
	if ((int64_t)(rp_be64_get(body) - (uint64_t)RP_INDEX_DAY_BIAS) > g->p->last + 1)
		return RP_STORE_STOP;
	if (rp_index_card_of(val, &c)) {
		g->bad = 1;
		return 0;
	}
	if ((rc = s_met(g, acct, &c, 1)))
		return rc;
	return rp_ids_add(&g->ids, acct);
}

/* The best calls: the accounts worth most (value, 'V') and the longest
 * silent (last contact, 'L') walked side by side, each account met judged
 * once (by the card its entry holds), until `want` candidates are worth
 * more than any account not met yet can be (it is worth no more than the
 * value and the silence of the walks' positions). Ties go on being read:
 * names break them. The accounts of g->ids (sorted: follow-ups,
 * complaints, cadences) are in the plan anyway and may be planned: they do
 * not count; the other candidates join the plan's accounts. */
static int s_calls_walk(s_gather *g, size_t want)
{
	s_plan *p = g->p;
	double scale = rp_pow10(rp_currency_decimals(p->currency));
	rp_index_iter *iv = NULL, *il = NULL;
	s_seen seen = { 0 };
	double *worth = NULL;
	size_t nworth = 0, capw = 0, steps = 0;
	int64_t units = INT64_MAX, days = S_NEVER_DAYS;
	int hv = 1, hl = 1, rc;

	if ((rc = rp_index_iter_open(p->n->store, p->txn, 'V', p->currency, 3, &iv)) ||
	    (rc = rp_index_iter_open(p->n->store, p->txn, 'L', NULL, 0, &il)))
		goto out;
	while (hl) {
		for (int side = 0; side < 2 && rc == 0; side++) {
			const uint8_t *body, *acct;
			size_t blen;
			MDB_val val;
			rp_index_card c;
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
			if (rp_ids_has(&g->ids, acct))
				continue;
			if (rp_index_card_of(&val, &c)) {
				g->bad = 1;
				continue;
			}
			if (!c.archived && s_mine(p, &c) && s_callable(p, &c, rp_index_card_value(&c, p->currency, 0, NULL), &w)) {
				if (nworth == capw) {
					double *gw = realloc(worth, (capw = capw ? 2 * capw : 64) * sizeof *gw);
					if (!gw)
						rc = rp_fail(RP_ENOMEM, "out of memory");
					else
						worth = gw;
				}
				if (rc == 0 && (rc = s_met(g, acct, &c, 0)) == 0)
					worth[nworth++] = w;
			}
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
	return rc < 0 ? rp_fail(rc, "cannot read the indexes") : rc;
}

/* The accounts and items the agenda is made of, from the indexes:
 * follow-ups due ('D'), open complaints ('P'), cadences due ('C') and the
 * best calls, each account with the card its entries hold. */
static int s_gather_all(s_plan *p, int calls)
{
	s_gather g = { .p = p };
	rp_store *st = p->n->store;
	size_t n = 0;
	int rc;
	rp_roster_team_currency(st, p->txn, p->currency);
	if ((rc = rp_index_walk(st, p->txn, 'D', NULL, 0, s_due_one, &g)) == 0 &&
	    (rc = rp_index_walk(st, p->txn, 'P', NULL, 0, s_complaint_one, &g)) == 0)
		rc = rp_index_walk(st, p->txn, 'C', NULL, 0, s_cadence_one, &g);
	rp_ids_sort(&g.ids);
	if (rc == 0 && calls > 0) {
		size_t want = 0;
		for (int64_t day = p->today; day <= p->last; day++)
			want += rp_when_workday_in(day, p->holidays, p->nholidays) ? (size_t)calls : 0;
		if (want)
			rc = s_calls_walk(&g, want);
	}
	rp_ids_free(&g.ids);
	if (rc == 0 && g.bad)
		rc = rp_fail(RP_EIO, "the agenda's indexes are unreadable (try 'rapport fsck --rebuild')");
	if (rc)
		return rc < 0 ? rp_fail(rc, "cannot read the indexes") : rc;
	/* each account once, in id order (its entries hold the same card) */
	if (p->naccts)
		qsort(p->accts, p->naccts, sizeof *p->accts, s_cmp_acct_id);
	for (size_t i = 0; i < p->naccts; i++) {
		if (n && !memcmp(p->accts[n - 1].id, p->accts[i].id, RP_ACCOUNT_LEN))
			p->accts[n - 1].cadence |= p->accts[i].cadence;
		else
			p->accts[n++] = p->accts[i];
	}
	p->naccts = n;
	return 0;
}

int rp_agenda(rp_node *n, const rp_agenda_opts *o, json_t **out)
{
	rp_agenda_opts def = { .calls = -1, .days = 1 };
	s_plan p = { .n = n, .now = rp_node_now(n) };
	rp_book book = { 0 };
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
		goto out;
	}
	if ((rc = n->scan ? s_scan(&p, &book) : s_gather_all(&p, calls)) == 0 &&
	    (rc = s_plan_all(&p, calls)) == 0 && (rc = rp_rows_emit(&p.rows, SIZE_MAX, &list)) == 0)
		*out = list;
out:
	for (size_t i = 0; i < p.naccts; i++)
		json_decref(p.accts[i].view);
	free(p.accts);
	free(p.items);
	rp_rows_free(&p.rows);
	rp_rows_free(&p.calls);
	rp_book_free(&book);
	rp_store_end(p.txn);
	return rc;
}
