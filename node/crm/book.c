/* node/crm/book.c — the book: every account's summary, decoded once and
 * kept in name order, and the sorted rows the daily questions answer in. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "../store/roster.h"
#include "../store/view.h"
#include "../text/amount.h"
#include "../text/when.h"
#include "../../proto/error.h"

/* ---- accounts, in name order ------------------------------------------ */

const char *rp_jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* 10^k, for the units of a currency's minor units (k 0..4). */
double rp_pow10(int k)
{
	double x = 1;
	while (k-- > 0)
		x *= 10;
	return x;
}

/* ASCII case-folded comparison, then exact bytes: a stable name order. */
int rp_cmp_name(const char *a, const char *b)
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
	const rp_book_acct *x = a, *y = b;
	int c = rp_cmp_name(x->sum->name, y->sum->name);
	return c ? c : memcmp(x->id, y->id, RP_ACCOUNT_LEN);
}

void rp_book_free(rp_book *as)
{
	for (size_t i = 0; i < as->n; i++)
		rp_summary_free(&as->v[i].sum);
	free(as->v);
	as->v = NULL;
	as->n = 0;
}

int rp_ids_add(rp_ids *s, const uint8_t id[RP_ACCOUNT_LEN])
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		uint8_t *g = realloc(s->v, cap * RP_ACCOUNT_LEN);
		if (!g)
			return rp_fail(RP_ENOMEM, "out of memory");
		s->v = g;
		s->cap = cap;
	}
	memcpy(s->v + s->n++ * RP_ACCOUNT_LEN, id, RP_ACCOUNT_LEN);
	return 0;
}

static int s_cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, RP_ACCOUNT_LEN);
}

void rp_ids_sort(rp_ids *s)
{
	size_t i, n = 0;
	if (s->n)
		qsort(s->v, s->n, RP_ACCOUNT_LEN, s_cmp_id);
	for (i = 0; i < s->n; i++)
		if (n == 0 || memcmp(s->v + (n - 1) * RP_ACCOUNT_LEN, s->v + i * RP_ACCOUNT_LEN, RP_ACCOUNT_LEN))
			memmove(s->v + n++ * RP_ACCOUNT_LEN, s->v + i * RP_ACCOUNT_LEN, RP_ACCOUNT_LEN);
	s->n = n;
}

int rp_ids_has(const rp_ids *s, const uint8_t id[RP_ACCOUNT_LEN])
{
	return s->n && bsearch(id, s->v, s->n, RP_ACCOUNT_LEN, s_cmp_id) != NULL;
}

void rp_ids_free(rp_ids *s)
{
	free(s->v);
	*s = (rp_ids){ 0 };
}

typedef struct s_load_walk {
	rp_book *as;
	size_t   cap;
} s_load_walk;

static int s_load_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_load_walk *w = arg;
	rp_book *as = w->as;
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
		rp_book_acct *nv = realloc(as->v, ncap * sizeof *nv);
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
int rp_book_load(rp_node *n, MDB_txn *txn, rp_book *as)
{
	s_load_walk w = { as, 0 };
	int rc;
	*as = (rp_book){ 0 };
	rp_roster_team_currency(n->store, txn, as->currency);
	if ((rc = rp_store_scan(txn, n->store->summaries, NULL, 0, s_load_one, &w))) {
		rp_book_free(as);
		return rc == RP_ENOMEM ? rp_fail(rc, "out of memory reading accounts")
		                       : rp_fail(rc, "cannot read accounts");
	}
	if (as->n)
		qsort(as->v, as->n, sizeof *as->v, s_cmp_acct);
	return 0;
}

int rp_book_pick(rp_node *n, MDB_txn *txn, const uint8_t *ids, size_t nids, rp_book *as)
{
	s_load_walk w = { as, 0 };
	int rc = 0;
	*as = (rp_book){ 0 };
	rp_roster_team_currency(n->store, txn, as->currency);
	for (size_t i = 0; i < nids && rc == 0; i++) {
		const uint8_t *id = ids + i * RP_ACCOUNT_LEN;
		MDB_val k = { RP_ACCOUNT_LEN, (void *)id }, v;
		if (rp_store_get(txn, n->store->summaries, id, RP_ACCOUNT_LEN, &v) != 0)
			continue;
		rc = s_load_one(&w, &k, &v);
	}
	if (rc) {
		rp_book_free(as);
		return rp_fail(rc, "out of memory reading accounts");
	}
	if (as->n)
		qsort(as->v, as->n, sizeof *as->v, s_cmp_acct);
	return 0;
}

/* The full view of a. RP_ENOTFOUND (a summary without a view) means skip it. */
int rp_book_view(rp_node *n, MDB_txn *txn, const rp_book_acct *a, json_t **view)
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

int rp_iso_ms(const json_t *iso, uint64_t *ms)
{
	return json_is_string(iso) && rp_when_parse_iso(json_string_value(iso), ms) == 0;
}

/* Calendar days from then to now (text/when: a day is itself, an instant
 * its local date): yesterday is 1. */
int64_t rp_days_between(uint64_t then, uint64_t now)
{
	return rp_when_day(now) - rp_when_day(then);
}

/* ln(x) for x >= 1, without libm (the library links no -lm). */
double rp_ln(double x)
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
void rp_value_text(const rp_summary *s, char *out, size_t cap)
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

/* ---- rows, sorted ------------------------------------------------------- */

static int s_cmp_row(const void *a, const void *b)
{
	return rp_rows_cmp(a, b);
}

int rp_rows_cmp(const rp_row *x, const rp_row *y)
{
	int c;
	if (x->k1 != y->k1)
		return x->k1 < y->k1 ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 < y->k2 ? -1 : 1;
	if ((c = rp_cmp_name(x->name, y->name)))
		return c;
	if ((c = strcmp(x->id ? x->id : "", y->id ? y->id : "")))
		return c;
	return strcmp(x->sub ? x->sub : "", y->sub ? y->sub : "");
}

/* Takes row.row (released on failure); bad: building it ran out of memory. */
int rp_rows_push(rp_rows *r, rp_row row, int bad)
{
	if (!row.row || bad) {
		json_decref(row.row);
		return rp_fail(RP_ENOMEM, "out of memory");
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 32;
		rp_row *nv = realloc(r->v, ncap * sizeof *nv);
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

void rp_rows_sort(rp_rows *r)
{
	if (r->n)
		qsort(r->v, r->n, sizeof *r->v, s_cmp_row);
}

void rp_rows_free(rp_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		json_decref(r->v[i].row);
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Move the first limit rows (all when limit is SIZE_MAX) to the end of arr,
 * in their order, and free r. */
int rp_rows_append(rp_rows *r, size_t limit, json_t *arr)
{
	int rc = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (i < limit && !rc && json_array_append(arr, r->v[i].row))
			rc = rp_fail(RP_ENOMEM, "out of memory");
	}
	rp_rows_free(r);
	return rc;
}

/* Sort the rows and hand the first limit of them to the caller as *out. */
int rp_rows_emit(rp_rows *r, size_t limit, json_t **out)
{
	json_t *list;
	int rc;
	rp_rows_sort(r);
	if (!(list = json_array())) {
		rp_rows_free(r);
		return rp_fail(RP_ENOMEM, "out of memory");
	}
	if ((rc = rp_rows_append(r, limit, list))) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return 0;
}

/* Set key of obj to val (taken). A NULL val, from an allocation that
 * failed, or a set that fails (obj NULL too) marks *bad: the row is
 * dropped whole, never sent out with a value missing. */
void rp_put(json_t *obj, const char *key, json_t *val, int *bad)
{
	if (!val || json_object_set_new(obj, key, val))
		*bad = 1;
}

/* A JSON string of t, or null for no text; NULL when out of memory. */
json_t *rp_jtext(const char *t)
{
	return t ? json_string(t) : json_null();
}

json_t *rp_jcopy(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v ? json_incref(v) : json_null();
}

typedef struct s_ref_walk {
	rp_node    *n;
	MDB_txn    *txn;
	const char *id;
	size_t      idlen;
	json_int_t  count;
	json_t     *value;          /* currency → units */
} s_ref_walk;

static int s_ref_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_ref_walk *w = arg;
	rp_summary *s;
	(void)v;
	if (k->mv_size != w->idlen + 1 + RP_ACCOUNT_LEN || memcmp(k->mv_data, w->id, w->idlen) ||
	    ((const char *)k->mv_data)[w->idlen] != 0)
		return RP_STORE_STOP;             /* past the referrer's entries */
	if (rp_summary_load(w->n->store, w->txn, (const uint8_t *)k->mv_data + w->idlen + 1, &s))
		return 0;
	w->count++;
	for (size_t i = 0; i < s->nvalue; i++) {
		json_int_t had = json_integer_value(json_object_get(w->value, s->value[i].currency)), sum;
		if (__builtin_add_overflow(had, s->value[i].cents, &sum))
			sum = s->value[i].cents > 0 ? INT64_MAX : INT64_MIN;
		json_object_set_new(w->value, s->value[i].currency, json_integer(sum));
	}
	rp_summary_free(&s);
	return 0;
}

static int s_cmp_code(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *rp_book_referrals(rp_node *n, MDB_txn *txn, const char *id_text)
{
	s_ref_walk w = { n, txn, id_text, strlen(id_text), 0, json_object() };
	uint8_t key[RP_ACCOUNT_TEXT + 2];
	json_t *list = json_array(), *out, *v;
	const char *cur;
	if (!w.value || !list || w.idlen > RP_ACCOUNT_TEXT) {
		json_decref(w.value);
		json_decref(list);
		return NULL;
	}
	memcpy(key, id_text, w.idlen);
	key[w.idlen] = 0;
	rp_store_scan(txn, n->store->referrals, key, w.idlen + 1, s_ref_one, &w);
	{
		/* by currency code, as a view's value is */
		const char *codes[256];       /* more than the ISO codes */
		size_t nc = 0;
		json_object_foreach(w.value, cur, v)
			if (nc < sizeof codes / sizeof codes[0])
				codes[nc++] = cur;
		qsort(codes, nc, sizeof codes[0], s_cmp_code);
		for (size_t i = 0; i < nc; i++)
			json_array_append_new(list, json_pack("{sOss}", "cents", json_object_get(w.value, codes[i]),
			                                      "currency", codes[i]));
	}
	json_decref(w.value);
	out = json_pack("{sIso}", "count", w.count, "value", list);
	return out;
}
