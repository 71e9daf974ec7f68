/* node/crm/insight.c — selling insight from the merged views: who to call today,
 * the best accounts, the ones drifting away, search, complaints. Read txns
 * only; it must never write, print, or read a clock other than rp_node_now(). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insight.h"
#include "../store/roster.h"
#include "../node.h"
#include "../store/summary.h"
#include "../store/view.h"
#include "../text/casefold.h"
#include "../../proto/error.h"

#define S_DAY_MS         86400000LL
#define S_CALLS_DEFAULT  2      /* agenda suggestions when the caller gives none */
#define S_QUIET_DAYS     7      /* contacted this recently: no call suggested */
#define S_NEVER_DAYS     365    /* "never contacted" weighs like a year of silence */
#define S_TOP_DEFAULT    10
#define S_RISK_MIN_DAYS  14     /* contact rhythm: silence shorter than this is no risk */
#define S_FIND_CLIP      80     /* characters of matching text in a find row */

/* ---- accounts, in name order -------------------------------------------- */

typedef struct s_acct {
	rp_summary *sum;                   /* the stored summary, decoded (owned) */
	uint8_t id[RP_ACCOUNT_LEN];
} s_acct;

typedef struct s_accts {
	s_acct *v;
	size_t  n;
	char    currency[4];    /* the team's: value ranks in it */
} s_accts;

static const char *s_jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* 10^k, for the units of a currency's minor units (k 0..4). */
static double s_pow10(int k)
{
	double x = 1;
	while (k-- > 0)
		x *= 10;
	return x;
}

/* ASCII case-folded comparison, then exact bytes: a stable name order. */
static int s_cmp_name(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)(a ? a : "");
	const unsigned char *y = (const unsigned char *)(b ? b : "");
	size_t i;
	for (i = 0; x[i] && tolower(x[i]) == tolower(y[i]); i++)
		;
	if (tolower(x[i]) != tolower(y[i]))
		return tolower(x[i]) < tolower(y[i]) ? -1 : 1;
	return strcmp((const char *)x, (const char *)y);
}

static int s_cmp_acct(const void *a, const void *b)
{
	const s_acct *x = a, *y = b;
	int c = s_cmp_name(x->sum->name, y->sum->name);
	return c ? c : memcmp(x->id, y->id, RP_ACCOUNT_LEN);
}

static void s_accts_free(s_accts *as)
{
	for (size_t i = 0; i < as->n; i++)
		rp_summary_free(&as->v[i].sum);
	free(as->v);
	as->v = NULL;
	as->n = 0;
}

typedef struct s_load_walk {
	s_accts *as;
	size_t   cap;
} s_load_walk;

static int s_load_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_load_walk *w = arg;
	s_accts *as = w->as;
	rp_summary *sum;
	int rc;
	if (k->mv_size != RP_ACCOUNT_LEN)
		return 0;
	if ((rc = rp_summary_decode(v->mv_data, v->mv_size, &sum)))
		return rc == RP_ENOMEM ? rc : 0;   /* an unreadable summary is fsck's business, not a sales list's */
	if (!sum->name) {
		rp_summary_free(&sum);
		return 0;       /* forgotten (its data erased): nobody to call or rank */
	}
	if (as->n == w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 64;
		s_acct *nv = realloc(as->v, ncap * sizeof *nv);
		if (!nv) {
			rp_summary_free(&sum);
			return RP_ENOMEM;
		}
		as->v = nv;
		w->cap = ncap;
	}
	as->v[as->n].sum = sum;
	memcpy(as->v[as->n].id, k->mv_data, RP_ACCOUNT_LEN);
	as->n++;
	return 0;
}

/* Every account's summary, sorted by name then id. */
static int s_accts_load(rp_node *n, MDB_txn *txn, s_accts *as)
{
	s_load_walk w = { as, 0 };
	int rc;
	as->v = NULL;
	as->n = 0;
	rp_roster_team_currency(n->store, txn, as->currency);
	if ((rc = rp_store_scan(txn, n->store->summaries, NULL, 0, s_load_one, &w))) {
		s_accts_free(as);
		return rc == RP_ENOMEM ? rp_fail(rc, "out of memory reading accounts")
		                       : rp_fail(rc, "cannot read accounts");
	}
	if (as->n)
		qsort(as->v, as->n, sizeof *as->v, s_cmp_acct);
	return 0;
}

/* The full view of a. RP_ENOTFOUND (a summary without a view) means skip it. */
static int s_view(rp_node *n, MDB_txn *txn, const s_acct *a, json_t **view)
{
	int rc = rp_view_load(n->store, txn, a->id, view);
	if (rc && rc != RP_ENOTFOUND) {
		char t[RP_ACCOUNT_TEXT + 1];
		rp_b32_encode(a->id, RP_ACCOUNT_LEN, t, sizeof t);
		return rp_fail(rc, "the view of account %s is unreadable (try 'rapport fsck')", t);
	}
	return rc;
}

/* ---- figures ------------------------------------------------------------- */

static int s_ms(const json_t *iso, uint64_t *ms)
{
	return json_is_string(iso) && rp_when_parse_iso(json_string_value(iso), ms) == 0;
}

/* Calendar days from then to now (text/when: a day is itself, an instant
 * its local date): yesterday is 1. */
static int64_t s_days(uint64_t then, uint64_t now)
{
	return rp_when_day(now) - rp_when_day(then);
}

/* ln(x) for x >= 1, without libm (the library links no -lm). */
static double s_ln(double x)
{
	static const double ln2 = 0.69314718055994530942;
	double t, t2, term, sum = 0;
	int k = 0;
	if (x < 1)
		return 0;
	while (x >= 2) {
		x /= 2;
		k++;
	}
	t = (x - 1) / (x + 1);                        /* ln x = 2 atanh t, |t| < 1/3 */
	t2 = t * t;
	term = t;
	for (int i = 1; i < 40; i += 2) {
		sum += term / i;
		term *= t2;
	}
	return k * ln2 + 2 * sum;
}

/* "4200.50 EUR + 120.00 USD", or "" without value. */
static void s_value_text(const rp_summary *s, char *out, size_t cap)
{
	size_t i, len = 0;
	out[0] = 0;
	for (i = 0; i < s->nvalue; i++) {
		char num[48];
		if (!s->value[i].cents)
			continue;
		snprintf(out + len, cap - len, "%s%s", len ? " + " : "",
		         rp_money_format(s->value[i].cents, s->value[i].currency, num, sizeof num));
		len = strlen(out);
	}
}

/* ---- rows, sorted ---------------------------------------------------------
 * Order: k1 ascending, score descending, k2 ascending, then account name,
 * account id and the row's own id, so equal figures still sort the same way
 * on every node. */

typedef struct s_row {
	json_t     *row;
	int64_t     k1, k2;
	double      score;
	const char *name, *id, *sub;   /* borrowed from row */
	s_acct     *acct;              /* borrowed from the s_accts */
} s_row;

typedef struct s_rows {
	s_row *v;
	size_t n, cap;
} s_rows;

static int s_cmp_row(const void *a, const void *b)
{
	const s_row *x = a, *y = b;
	int c;
	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	if ((c = s_cmp_name(x->name, y->name)))
		return c;
	if ((c = strcmp(x->id ? x->id : "", y->id ? y->id : "")))
		return c;
	return strcmp(x->sub ? x->sub : "", y->sub ? y->sub : "");
}

/* Takes row.row (released on failure); bad: building it ran out of memory. */
static int s_rows_push(s_rows *r, s_row row, int bad)
{
	if (!row.row || bad) {
		json_decref(row.row);
		return rp_fail(RP_ENOMEM, "out of memory");
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 32;
		s_row *nv = realloc(r->v, ncap * sizeof *nv);
		if (!nv) {
			json_decref(row.row);
			return rp_fail(RP_ENOMEM, "out of memory");
		}
		r->v = nv;
		r->cap = ncap;
	}
	r->v[r->n++] = row;
	return 0;
}

static void s_rows_sort(s_rows *r)
{
	if (r->n)
		qsort(r->v, r->n, sizeof *r->v, s_cmp_row);
}

static void s_rows_free(s_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		json_decref(r->v[i].row);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Move the first limit rows (all when limit is SIZE_MAX) to the end of arr,
 * in their order, and free r. */
static int s_rows_append(s_rows *r, size_t limit, json_t *arr)
{
	int rc = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (i < limit && !rc && json_array_append(arr, r->v[i].row))
			rc = rp_fail(RP_ENOMEM, "out of memory");
	}
	s_rows_free(r);
	return rc;
}

/* Sort the rows and hand the first limit of them to the caller as *out. */
static int s_rows_emit(s_rows *r, size_t limit, json_t **out)
{
	json_t *list;
	int rc;
	s_rows_sort(r);
	if (!(list = json_array())) {
		s_rows_free(r);
		return rp_fail(RP_ENOMEM, "out of memory");
	}
	if ((rc = s_rows_append(r, limit, list))) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

/* Set key of obj to val (taken). A NULL val, from an allocation that
 * failed, or a set that fails (obj NULL too) marks *bad: the row is
 * dropped whole, never sent out with a value missing. */
static void s_put(json_t *obj, const char *key, json_t *val, int *bad)
{
	if (!val || json_object_set_new(obj, key, val))
		*bad = 1;
}

/* A JSON string of t, or null for no text; NULL when out of memory. */
static json_t *s_text(const char *t)
{
	return t ? json_string(t) : json_null();
}

static json_t *s_copy(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v ? json_incref(v) : json_null();
}

/* ---- agenda -------------------------------------------------------------- */

/* The number to ring and how the customer likes to be reached: the
 * account's own fields, else its first contact that has a phone. */
static void s_reach(json_t *row, const json_t *view, int *bad)
{
	const json_t *fields = json_object_get(view, "fields"), *from = NULL, *c;
	size_t i;
	json_t *phone = json_object_get(fields, "phone"), *prefer = json_object_get(fields, "prefer");
	if (!json_is_string(phone)) {
		json_array_foreach(json_object_get(view, "contacts"), i, c)
			if (json_is_string(json_object_get(c, "phone"))) {
				from = c;
				break;
			}
		phone = from ? json_object_get(from, "phone") : NULL;
		if (!json_is_string(prefer) && from)
			prefer = json_object_get(from, "prefer");
	}
	s_put(row, "phone", json_is_string(phone) ? json_incref(phone) : json_null(), bad);
	s_put(row, "prefer", json_is_string(prefer) ? json_incref(prefer) : json_null(), bad);
}

/* Open follow-ups of a due today or before (by calendar day), as agenda rows. */
static int s_agenda_due(s_acct *a, const json_t *view, uint64_t now,
                        s_rows *rows, int *listed)
{
	size_t i;
	json_t *fu;
	int rc;
	json_array_foreach(json_object_get(view, "followups"), i, fu) {
		uint64_t due;
		int64_t late;
		char reason[64];
		json_t *row;
		int bad = 0;
		if (json_is_true(json_object_get(fu, "done")) ||
		    json_is_true(json_object_get(fu, "cancelled")) ||
		    !s_ms(json_object_get(fu, "due"), &due) || rp_when_day(due) > rp_when_day(now))
			continue;                       /* due on a day still to come */
		late = s_days(due, now);
		if (late > 0)
			snprintf(reason, sizeof reason, "overdue %lld day%s", (long long)late,
			         late == 1 ? "" : "s");
		else
			snprintf(reason, sizeof reason, "due today");
		row = json_object();
		s_put(row, "kind", json_string("followup"), &bad);
		s_put(row, "account_id", json_string(a->sum->id), &bad);
		s_put(row, "account", s_text(a->sum->name), &bad);
		s_put(row, "id", s_copy(fu, "id"), &bad);
		s_put(row, "text", s_copy(fu, "text"), &bad);
		s_put(row, "due", s_copy(fu, "due"), &bad);
		s_put(row, "reason", json_string(reason), &bad);
		s_reach(row, view, &bad);
		s_put(row, "last_contact", s_text(a->sum->last_contact.text), &bad);
		if ((rc = s_rows_push(rows, (s_row){ .row = row, .k1 = (int64_t)due,
		        .name = s_jstr(row, "account"), .id = s_jstr(row, "account_id"),
		        .sub = s_jstr(row, "id"), .acct = a }, bad)))
			return rc;
		*listed = 1;
	}
	return 0;
}

/* A call suggestion for a, or nothing (*row NULL) when a was contacted too
 * recently to bother. Worth = (1 + ln(1 + value in units)) × days of silence
 * (capped at S_NEVER_DAYS): value counts, but silence counts more. */
static int s_agenda_call(const s_accts *as, s_acct *a, uint64_t now, s_rows *rows)
{
	double scale = s_pow10(rp_currency_decimals(as->currency));
	uint64_t last = a->sum->last_contact.ms;
	int contacted = a->sum->last_contact.valid;
	int64_t days = contacted ? s_days(last, now) : S_NEVER_DAYS;
	int64_t cents = rp_summary_value_in(a->sum, as->currency);
	char value[256], reason[400], when[64];
	json_t *row;
	int bad = 0;
	if (contacted && (last > now || days < S_QUIET_DAYS))
		return 0;
	s_value_text(a->sum, value, sizeof value);
	if (contacted)
		snprintf(when, sizeof when, "last contact %lld days ago", (long long)days);
	else
		snprintf(when, sizeof when, "never contacted");
	snprintf(reason, sizeof reason, "%s%s, %s", value[0] ? value : "no purchases yet",
	         value[0] ? " lifetime" : "", when);
	row = json_object();
	s_put(row, "kind", json_string("call"), &bad);
	s_put(row, "account_id", json_string(a->sum->id), &bad);
	s_put(row, "account", s_text(a->sum->name), &bad);
	s_put(row, "id", json_null(), &bad);
	s_put(row, "text", json_string("suggested call"), &bad);
	s_put(row, "due", json_null(), &bad);
	s_put(row, "reason", json_string(reason), &bad);
	s_put(row, "phone", json_null(), &bad);
	s_put(row, "prefer", json_null(), &bad);
	s_put(row, "last_contact", s_text(a->sum->last_contact.text), &bad);
	return s_rows_push(rows, (s_row){ .row = row,
	        .score = (1 + s_ln(1 + (cents > 0 ? (double)cents / scale : 0))) *
	                 (double)(days < S_NEVER_DAYS ? days : S_NEVER_DAYS),
	        .name = s_jstr(row, "account"), .id = s_jstr(row, "account_id"), .acct = a }, bad);
}

/* Due: every open follow-up due before the end of the local today, oldest
 * first, whatever the account's state (a promise stays a promise). Calls:
 * non-archived accounts with nothing due, silent for S_QUIET_DAYS or more,
 * best worth first. calls < 0 means S_CALLS_DEFAULT; 0 means none. */
int rp_agenda(rp_node *n, int calls, json_t **out)
{
	MDB_txn *txn;
	s_accts as;
	s_rows due = { 0 }, call = { 0 };
	json_t *list = NULL, *view;
	uint64_t now = rp_node_now(n);
	size_t i;
	int rc;

	rp_errclear();
	if (calls < 0)
		calls = S_CALLS_DEFAULT;
	tzset();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if ((rc = s_accts_load(n, txn, &as)))
		goto out_txn;
	for (i = 0; i < as.n; i++) {
		s_acct *a = &as.v[i];
		int listed = 0;
		/* A promise made stays on the agenda even if the account was archived. */
		if (a->sum->open_followups > 0 && a->sum->next_due.valid &&
		    rp_when_day(a->sum->next_due.ms) <= rp_when_day(now)) {
			rc = s_view(n, txn, a, &view);
			if (rc == RP_ENOTFOUND)
				continue;
			if (rc)
				goto out;
			rc = s_agenda_due(a, view, now, &due, &listed);
			json_decref(view);
			if (rc)
				goto out;
		}
		if (!listed && calls > 0 && !a->sum->archived &&
		    (rc = s_agenda_call(&as, a, now, &call)))
			goto out;
	}
	s_rows_sort(&due);
	s_rows_sort(&call);
	/* Only the suggestions shown need their phone: load just those views. */
	for (i = 0; i < call.n && i < (size_t)calls; i++) {
		rc = s_view(n, txn, call.v[i].acct, &view);
		if (rc == RP_ENOTFOUND)
			continue;
		if (rc)
			goto out;
		int bad = 0;
		s_reach(call.v[i].row, view, &bad);
		json_decref(view);
		if (bad) {
			rc = rp_fail(RP_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (!(list = json_array())) {
		rc = rp_fail(RP_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = s_rows_append(&due, SIZE_MAX, list)) ||
	    (rc = s_rows_append(&call, (size_t)calls, list)))
		goto out;
	*out = list;
	list = NULL;
out:
	s_rows_free(&due);
	s_rows_free(&call);
	json_decref(list);
	s_accts_free(&as);
out_txn:
	rp_store_end(txn);
	return rc;
}

/* ---- top ----------------------------------------------------------------- */

/* Non-archived accounts by value (in the team's currency: amounts in
 * others are shown beside it, never added to it), recent
 * (newest last contact; never contacted last) or frequency (live
 * interactions; value breaks ties). score is the figure ranked by: value in
 * units, days since last contact (null if never), interaction count. */
int rp_top(rp_node *n, int count, const char *by, json_t **out)
{
	enum { BY_VALUE, BY_RECENT, BY_FREQUENCY } mode;
	MDB_txn *txn;
	s_accts as;
	s_rows rows = { 0 };
	json_t *list = NULL, *r;
	uint64_t now = rp_node_now(n);
	size_t i;
	int rc;

	rp_errclear();
	if (!by || !strcmp(by, "value"))
		mode = BY_VALUE;
	else if (!strcmp(by, "recent"))
		mode = BY_RECENT;
	else if (!strcmp(by, "frequency"))
		mode = BY_FREQUENCY;
	else
		return rp_fail(RP_EINVAL, "unknown --by '%s': use value|recent|frequency", by);
	if (count <= 0)
		count = S_TOP_DEFAULT;
	tzset();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if ((rc = s_accts_load(n, txn, &as)))
		goto out_txn;
	for (i = 0; i < as.n; i++) {
		s_acct *a = &as.v[i];
		int64_t cents = rp_summary_value_in(a->sum, as.currency);
		int64_t nix = a->sum->interactions;
		uint64_t last = a->sum->last_contact.ms;
		int contacted = a->sum->last_contact.valid, bad = 0;
		s_row sr = { 0 };
		json_t *score;
		if (a->sum->archived)
			continue;          /* a closed account is nobody's best customer */
		/* score: the figure the list is ranked by, in the units people read. */
		if (mode == BY_VALUE) {
			sr.k1 = -cents;
			score = json_real((double)cents / s_pow10(rp_currency_decimals(as.currency)));
		} else if (mode == BY_RECENT) {
			sr.k1 = contacted ? -(int64_t)last : INT64_MAX;
			score = contacted ? json_integer(last > now ? 0 : s_days(last, now)) : json_null();
		} else {
			sr.k1 = -(int64_t)nix;
			sr.k2 = -cents;
			score = json_integer(nix);
		}
		sr.row = json_object();
		s_put(sr.row, "rank", json_integer(0), &bad);
		s_put(sr.row, "id", json_string(a->sum->id), &bad);
		s_put(sr.row, "name", s_text(a->sum->name), &bad);
		s_put(sr.row, "owner", s_text(a->sum->owner), &bad);
		s_put(sr.row, "value", rp_summary_value_json(a->sum), &bad);
		s_put(sr.row, "currency", json_string(as.currency), &bad);   /* what score is in */
		s_put(sr.row, "last_contact", s_text(a->sum->last_contact.text), &bad);
		s_put(sr.row, "interactions", json_integer(nix), &bad);
		s_put(sr.row, "score", score, &bad);
		sr.name = s_jstr(sr.row, "name");
		sr.id = s_jstr(sr.row, "id");
		if ((rc = s_rows_push(&rows, sr, bad)))
			goto out;
	}
	if ((rc = s_rows_emit(&rows, (size_t)count, &list)))
		goto out;
	json_array_foreach(list, i, r) {
		json_t *rank = json_integer((json_int_t)i + 1);
		if (!rank || json_object_set_new(r, "rank", rank)) {
			rc = rp_fail(RP_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = list;
	list = NULL;
out:
	s_rows_free(&rows);
	json_decref(list);
	s_accts_free(&as);
out_txn:
	rp_store_end(txn);
	return rc;
}

/* ---- at-risk ------------------------------------------------------------- */

static int s_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* From the live interactions of a view: the last purchase (0 if none) and
 * the median gap in ms between contacts (0 if fewer than two gaps). Notes
 * are not contacts; contacts less than a day apart are one visit. */
static int s_rhythm(const json_t *view, uint64_t *last_purchase, uint64_t *median_gap)
{
	const json_t *ixs = json_object_get(view, "interactions"), *ix;
	size_t i, nt = 0, ng = 0;
	uint64_t *at = calloc(json_array_size(ixs) + 1, sizeof *at);
	if (!at)
		return rp_fail(RP_ENOMEM, "out of memory");
	*last_purchase = *median_gap = 0;
	json_array_foreach(ixs, i, ix) {
		const char *type = s_jstr(ix, "type");
		uint64_t t;
		if (!type || json_is_true(json_object_get(ix, "retracted")) ||
		    !s_ms(json_object_get(ix, "at"), &t))
			continue;
		if (!strcmp(type, "purchase") && t > *last_purchase)
			*last_purchase = t;
		if (strcmp(type, "note") != 0)
			at[nt++] = t;
	}
	if (nt > 1) {
		qsort(at, nt, sizeof *at, s_cmp_u64);
		for (i = 0; i + 1 < nt; i++)            /* gaps, in place: at[ng] <= at[i] */
			if (at[i + 1] - at[i] >= (uint64_t)S_DAY_MS)
				at[ng++] = at[i + 1] - at[i];
		if (ng >= 2) {
			qsort(at, ng, sizeof *at, s_cmp_u64);
			*median_gap = ng % 2 ? at[ng / 2] : (at[ng / 2 - 1] + at[ng / 2]) / 2;
		}
	}
	free(at);
	return 0;
}

/* One at-risk signal: days silent against the usual rhythm. */
typedef struct s_signal {
	int     on;
	int64_t days;
	int64_t usual;          /* whole days */
	double  ratio;
	char    text[96];
} s_signal;

/* A non-archived account is at risk when (a) it has a purchase cadence and
 * has not bought for more than 1.5 cadences, or (b) it was contacted at
 * least three times and has been silent for more than twice its median gap
 * and more than S_RISK_MIN_DAYS. The stronger signal (silence / rhythm) leads
 * the reason and gives cadence_days and days_since; rows go strongest first. */
int rp_at_risk(rp_node *n, json_t **out)
{
	MDB_txn *txn;
	s_accts as;
	s_rows rows = { 0 };
	json_t *view;
	uint64_t now = rp_node_now(n);
	size_t i;
	int rc;

	rp_errclear();
	tzset();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if ((rc = s_accts_load(n, txn, &as)))
		goto out_txn;
	for (i = 0; i < as.n; i++) {
		s_acct *a = &as.v[i];
		int64_t cadence = a->sum->has_cadence ? a->sum->cadence_days : 0;
		uint64_t last_buy = 0, gap = 0, last = a->sum->last_contact.ms;
		s_signal buy = { 0 }, talk = { 0 }, *first, *second;
		char reason[200];
		json_t *row;
		int bad = 0;
		if (a->sum->archived || (cadence <= 0 && a->sum->interactions < 3))
			continue;
		rc = s_view(n, txn, a, &view);
		if (rc == RP_ENOTFOUND)
			continue;
		if (rc)
			goto out;
		rc = s_rhythm(view, &last_buy, &gap);
		json_decref(view);
		if (rc)
			goto out;
		/* (a) buying: silent for more than 1.5 purchase cycles. */
		if (cadence > 0 && last_buy && last_buy <= now) {
			buy.days = s_days(last_buy, now);
			buy.usual = cadence;
			if (2 * buy.days > 3 * cadence) {
				buy.on = 1;
				buy.ratio = (double)buy.days / (double)cadence;
				snprintf(buy.text, sizeof buy.text, "no purchase for %lld days; usually every %lld days",
				         (long long)buy.days, (long long)cadence);
			}
		}
		/* (b) talking: silent for more than two usual gaps and two weeks. */
		if (gap && a->sum->last_contact.valid && last <= now) {
			double usual = (double)gap / S_DAY_MS;
			talk.days = s_days(last, now);
			talk.usual = (int64_t)(usual + 0.5);
			if (talk.usual < 1)
				talk.usual = 1;
			if (talk.days > S_RISK_MIN_DAYS && (double)talk.days > 2 * usual) {
				talk.on = 1;
				talk.ratio = (double)talk.days / usual;
				snprintf(talk.text, sizeof talk.text, "no contact for %lld days; usually every %lld days",
				         (long long)talk.days, (long long)talk.usual);
			}
		}
		if (!buy.on && !talk.on)
			continue;
		/* The stronger signal leads (its figures fill the row); the other follows. */
		first = buy.on && (!talk.on || buy.ratio >= talk.ratio) ? &buy : &talk;
		second = first == &buy ? &talk : &buy;
		snprintf(reason, sizeof reason, "%s%s%s", first->text, second->on ? "; " : "",
		         second->on ? second->text : "");
		row = json_object();
		s_put(row, "id", json_string(a->sum->id), &bad);
		s_put(row, "name", s_text(a->sum->name), &bad);
		s_put(row, "owner", s_text(a->sum->owner), &bad);
		s_put(row, "reason", json_string(reason), &bad);
		s_put(row, "last_contact", s_text(a->sum->last_contact.text), &bad);
		s_put(row, "cadence_days", json_integer(first->usual), &bad);
		s_put(row, "days_since", json_integer(first->days), &bad);
		if ((rc = s_rows_push(&rows, (s_row){ .row = row, .score = first->ratio,
		        .name = s_jstr(row, "name"), .id = s_jstr(row, "id"), .acct = a }, bad)))
			goto out;
	}
	rc = s_rows_emit(&rows, SIZE_MAX, out);
out:
	s_rows_free(&rows);
	s_accts_free(&as);
out_txn:
	rp_store_end(txn);
	return rc;
}

/* ---- find ---------------------------------------------------------------- */

typedef struct s_words {
	char  *buf;             /* the text, folded loosely (text/casefold.h), NULs between words */
	char **w;
	size_t n;
} s_words;

/* Does hay contain word (folded loosely), case- and accent-insensitively? */
static int s_has(const char *hay, const char *word)
{
	char stack[1024], *f;
	size_t hl;
	int hit;
	if (!hay)
		return 0;
	hl = strlen(hay);
	f = hl < sizeof stack ? stack : malloc(hl + 1);
	if (!f)                          /* no memory: the case-folded bytes, as they are */
		return strstr(hay, word) != NULL;
	rp_fold_loose(f, hay, hl);
	hit = strstr(f, word) != NULL;
	if (f != stack)
		free(f);
	return hit;
}

static int s_words_split(const char *text, s_words *ws)
{
	size_t len = strlen(text), i;
	ws->buf = malloc(len + 1);
	ws->w = calloc(len / 2 + 1, sizeof *ws->w);
	ws->n = 0;
	if (!ws->buf || !ws->w)
		return rp_fail(RP_ENOMEM, "out of memory");
	len = rp_fold_loose(ws->buf, text, len);
	for (i = 0; i <= len; i++) {
		if (isspace((unsigned char)ws->buf[i]))
			ws->buf[i] = 0;
		if (ws->buf[i] && (i == 0 || !ws->buf[i - 1]))
			ws->w[ws->n++] = ws->buf + i;
	}
	return 0;
}

static void s_words_free(s_words *ws)
{
	free(ws->buf);
	free(ws->w);
}

/* A new string from a format (caller frees), or NULL: asprintf is not POSIX. */
static char *s_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *s_format(const char *fmt, ...)
{
	va_list ap;
	int len;
	char *t;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(t = malloc((size_t)len + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(t, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return t;
}

/* At most S_FIND_CLIP characters of text on one line (UTF-8 aware): a
 * longer text keeps S_FIND_CLIP - 1 of them and an ellipsis. */
static json_t *s_clip(const char *text)
{
	size_t len = strlen(text), i, chars = 0, cut = len;
	char *t = malloc(len + 4);
	json_t *j;
	if (!t)
		return NULL;
	for (i = 0; i < len; i++)
		chars += ((unsigned char)text[i] & 0xC0) != 0x80;
	if (chars > S_FIND_CLIP) {
		for (i = 0, chars = 0; i < len; i++)
			if (((unsigned char)text[i] & 0xC0) != 0x80 && chars++ == S_FIND_CLIP - 1) {
				cut = i;
				break;
			}
	}
	for (i = 0; i < cut; i++)
		t[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
	if (cut < len)
		memcpy(t + cut, "\xe2\x80\xa6", 3), cut += 3;     /* … */
	j = json_stringn(t, cut);
	free(t);
	return j;
}

/* Words found in any of hay[0..nh): *all set when every word is, *own when
 * one of them is in hay[own_from..nh). */
static void s_match(const s_words *ws, const char *const *hay, size_t nh, size_t own_from,
                    int *all, int *own)
{
	*all = 1;
	*own = 0;
	for (size_t k = 0; k < ws->n; k++) {
		int hit = 0;
		for (size_t h = 0; h < nh; h++)
			if (s_has(hay[h], ws->w[k])) {
				hit = 1;
				if (h >= own_from)
					*own = 1;
			}
		*all &= hit;
	}
}

/* id: the row's own id (taken; json null for none, NULL when out of memory). */
static int s_find_push(s_rows *rows, const s_acct *a, const char *type, json_t *id,
                       const char *text)
{
	json_t *row = json_object();
	int bad = 0;
	s_put(row, "type", json_string(type), &bad);
	s_put(row, "id", id, &bad);
	s_put(row, "account_id", json_string(a->sum->id), &bad);
	s_put(row, "account", s_text(a->sum->name), &bad);
	s_put(row, "text", s_clip(text), &bad);
	return s_rows_push(rows, (s_row){ .row = row }, bad);
}

/* The account row: its name, and what else matched when the name alone
 * does not hold every word ("Acme (city: Lyon)"). */
static int s_find_account(const s_words *ws, const s_acct *a, const json_t *view, s_rows *rows)
{
	const char *name = s_jstr(view, "name");
	const json_t *fields = json_object_get(view, "fields"), *v;
	const char *key;
	char *extra = NULL;
	size_t i, k;
	json_t *tag;
	int rc = 0;
	for (k = 0; k < ws->n; k++) {
		int hit = s_has(name, ws->w[k]);
		json_object_foreach((json_t *)fields, key, v)
			if (!hit && s_has(json_string_value(v), ws->w[k])) {
				hit = 1;
				if (!extra)
					extra = s_format("%s: %s", key, json_string_value(v));
			}
		json_array_foreach(json_object_get(view, "tags"), i, tag)
			if (!hit && s_has(json_string_value(tag), ws->w[k])) {
				hit = 1;
				if (!extra)
					extra = s_format("tag: %s", json_string_value(tag));
			}
		if (!hit) {
			free(extra);
			return 0;
		}
	}
	if (extra) {
		char *t = s_format("%s (%s)", name ? name : "", extra);
		if (!t)
			rc = rp_fail(RP_ENOMEM, "out of memory");
		else
			rc = s_find_push(rows, a, "account", json_string(a->sum->id), t);
		free(t);
	} else {
		rc = s_find_push(rows, a, "account", json_string(a->sum->id), name ? name : "");
	}
	free(extra);
	return rc;
}

/* Contacts and interactions match on their own text, helped by the
 * account's name ("find acme order"), but at least one word must be theirs:
 * "find acme" lists Acme, not all of Acme's history. */
static int s_find_contacts(const s_words *ws, const s_acct *a, const json_t *view, s_rows *rows)
{
	static const char *const keys[] = { "name", "role", "email", "phone" };
	const json_t *c;
	size_t i;
	int rc;
	json_array_foreach(json_object_get(view, "contacts"), i, c) {
		const char *hay[5] = { s_jstr(view, "name") };
		char text[1024];
		size_t len = 0;
		int all, own;
		for (size_t k = 0; k < 4; k++)
			hay[k + 1] = s_jstr(c, keys[k]);
		s_match(ws, hay, 5, 1, &all, &own);
		if (!all || !own)
			continue;
		text[0] = 0;
		for (size_t k = 1; k < 5; k++)
			if (hay[k] && *hay[k] && len < sizeof text) {
				snprintf(text + len, sizeof text - len, "%s%s", len ? ", " : "", hay[k]);
				len = strlen(text);
			}
		if ((rc = s_find_push(rows, a, "contact", s_copy(c, "id"), text)))
			return rc;
	}
	return 0;
}

static int s_find_interactions(const s_words *ws, const s_acct *a, const json_t *view, s_rows *rows)
{
	const json_t *ix;
	size_t i;
	int rc;
	json_array_foreach(json_object_get(view, "interactions"), i, ix) {
		const char *hay[5] = { s_jstr(view, "name"), s_jstr(ix, "type"), s_jstr(ix, "text"),
		                       s_jstr(ix, "contact"), s_jstr(ix, "outcome") };
		char *text;
		int all, own;
		if (json_is_true(json_object_get(ix, "retracted")))
			continue;
		s_match(ws, hay, 5, 1, &all, &own);
		if (!all || !own)
			continue;
		if (!(text = s_format("%s: %s", hay[1] ? hay[1] : "", hay[2] ? hay[2] : "")))
			return rp_fail(RP_ENOMEM, "out of memory");
		rc = s_find_push(rows, a, "interaction", s_copy(ix, "id"), text);
		free(text);
		if (rc)
			return rc;
	}
	return 0;
}

/* Every word (ASCII case-folded substring) must match. Accounts match on
 * name, field values and tags; contacts on name, role, email, phone;
 * interactions (not retracted) on type, text, contact, outcome; both of the
 * latter may also use their account's name for some words. Rows: accounts,
 * then contacts, then interactions, each in account-name order. */
int rp_find(rp_node *n, const char *text, json_t **out)
{
	MDB_txn *txn;
	s_accts as;
	s_words ws = { 0 };
	s_rows accts = { 0 }, contacts = { 0 }, ixs = { 0 };
	json_t *list = NULL, *view;
	size_t i;
	int rc;

	rp_errclear();
	if (!text)
		return rp_fail(RP_EINVAL, "nothing to find: the search text is empty");
	if ((rc = s_words_split(text, &ws)))
		goto out_words;
	if (ws.n == 0) {
		rc = rp_fail(RP_EINVAL, "nothing to find: the search text is empty");
		goto out_words;
	}
	if ((rc = rp_node_read(n, &txn)))
		goto out_words;
	if ((rc = s_accts_load(n, txn, &as)))
		goto out_txn;
	/* Accounts come in name order; rows keep it: no sort needed. */
	for (i = 0; i < as.n; i++) {
		rc = s_view(n, txn, &as.v[i], &view);
		if (rc == RP_ENOTFOUND)
			continue;
		if (rc)
			goto out;
		if (!(rc = s_find_account(&ws, &as.v[i], view, &accts)) &&
		    !(rc = s_find_contacts(&ws, &as.v[i], view, &contacts)))
			rc = s_find_interactions(&ws, &as.v[i], view, &ixs);
		json_decref(view);
		if (rc)
			goto out;
	}
	if (!(list = json_array())) {
		rc = rp_fail(RP_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = s_rows_append(&accts, SIZE_MAX, list)) ||
	    (rc = s_rows_append(&contacts, SIZE_MAX, list)) ||
	    (rc = s_rows_append(&ixs, SIZE_MAX, list)))
		goto out;
	*out = list;
	list = NULL;
out:
	s_rows_free(&accts);
	s_rows_free(&contacts);
	s_rows_free(&ixs);
	json_decref(list);
	s_accts_free(&as);
out_txn:
	rp_store_end(txn);
out_words:
	s_words_free(&ws);
	return rc;
}

/* ---- complaints ---------------------------------------------------------- */

/* Complaint interactions not retracted: open first, then newest first. */
int rp_complaints(rp_node *n, int open_only, json_t **out)
{
	MDB_txn *txn;
	s_accts as;
	s_rows rows = { 0 };
	json_t *view, *ix;
	size_t i, j;
	int rc;

	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if ((rc = s_accts_load(n, txn, &as)))
		goto out_txn;
	for (i = 0; i < as.n; i++) {
		s_acct *a = &as.v[i];
		/* The summary counts open complaints only: resolved ones need the view. */
		if (open_only ? a->sum->open_complaints <= 0 : a->sum->interactions <= 0)
			continue;
		rc = s_view(n, txn, a, &view);
		if (rc == RP_ENOTFOUND)
			continue;
		if (rc)
			goto out;
		json_array_foreach(json_object_get(view, "interactions"), j, ix) {
			const char *type = s_jstr(ix, "type");
			int resolved = json_is_true(json_object_get(ix, "resolved"));
			uint64_t at = 0;
			json_t *row;
			int bad = 0;
			if (!type || strcmp(type, "complaint") || json_is_true(json_object_get(ix, "retracted")) ||
			    (open_only && resolved))
				continue;
			s_ms(json_object_get(ix, "at"), &at);
			row = json_object();
			s_put(row, "id", s_copy(ix, "id"), &bad);
			s_put(row, "account_id", json_string(a->sum->id), &bad);
			s_put(row, "account", s_text(a->sum->name), &bad);
			s_put(row, "at", s_copy(ix, "at"), &bad);
			s_put(row, "text", s_copy(ix, "text"), &bad);
			s_put(row, "resolved", json_boolean(resolved), &bad);
			s_put(row, "resolution", s_copy(ix, "resolution"), &bad);
			if ((rc = s_rows_push(&rows, (s_row){ .row = row, .k1 = resolved, .k2 = -(int64_t)at,
			        .name = s_jstr(row, "account"), .id = s_jstr(row, "account_id"),
			        .sub = s_jstr(row, "id"), .acct = a }, bad))) {
				json_decref(view);
				goto out;
			}
		}
		json_decref(view);
	}
	rc = s_rows_emit(&rows, SIZE_MAX, out);
out:
	s_rows_free(&rows);
	s_accts_free(&as);
out_txn:
	rp_store_end(txn);
	return rc;
}
