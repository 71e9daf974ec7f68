/* node/store/tally.c — the running figures of an account's interactions
 * (tally.h). */
#include <stdlib.h>
#include <string.h>

#include "tally.h"
#include "../../proto/bytes.h"
#include "../text/casefold.h"
#include "../text/when.h"
#include "../../proto/error.h"
#include "../../proto/limits.h"

#define S_DAY_MS 86400000LL
#define S_MAGIC  'T'
#define S_FORM   1

/* Insert v into the ascending list (*a, *n, *cap). */
static int s_insert(int64_t **a, size_t *n, size_t *cap, int64_t v)
{
	size_t lo = 0, hi = *n;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		int64_t *g = realloc(*a, c * sizeof *g);
		if (!g)
			return RP_ENOMEM;
		*a = g;
		*cap = c;
	}
	while (lo < hi) {                 /* after every equal one */
		size_t mid = (lo + hi) / 2;
		if ((*a)[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(*a + lo + 1, *a + lo, (*n - lo) * sizeof **a);
	(*a)[lo] = v;
	(*n)++;
	return 0;
}

/* The place of key in the list sorted by key: *at, and 1 if it is there. */
static int s_buy_find(const rp_tally *t, const char *key, size_t *at)
{
	size_t lo = 0, hi = t->nbuys;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->buys[mid].key, key);
		if (c == 0) {
			*at = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

/* 1 if (at, id) comes before (bat, bid) newest first: at descending, then id. */
static int s_newer(int64_t at, const char *id, int64_t bat, const char *bid)
{
	return at != bat ? at > bat : strcmp(id, bid) < 0;
}

static int s_buy(rp_tally *t, const char *text, int64_t at, const char *id)
{
	char key[RP_NAME_MAX + 1];
	size_t n = strlen(text), i;
	rp_tally_buy *b;
	if (n > RP_NAME_MAX)
		n = RP_NAME_MAX;          /* a long text is counted by its start */
	rp_fold_loose(key, text, n);
	if (s_buy_find(t, key, &i)) {
		b = &t->buys[i];
		b->n++;
		if (s_newer(at, id, b->at, b->id)) {
			char *nt = strdup(text);
			if (!nt)
				return RP_ENOMEM;
			free(b->text);
			b->text = nt;
			b->at = at;
			snprintf(b->id, sizeof b->id, "%s", id);
		}
		return 0;
	}
	if (t->nbuys == t->bcap) {
		size_t c = t->bcap ? t->bcap * 2 : 4;
		rp_tally_buy *g = realloc(t->buys, c * sizeof *g);
		if (!g)
			return RP_ENOMEM;
		t->buys = g;
		t->bcap = c;
	}
	rp_tally_buy nb = { .key = strdup(key), .text = strdup(text), .n = 1, .at = at };
	if (!nb.key || !nb.text) {
		free(nb.key);
		free(nb.text);
		return RP_ENOMEM;
	}
	snprintf(nb.id, sizeof nb.id, "%s", id);
	memmove(t->buys + i + 1, t->buys + i, (t->nbuys - i) * sizeof *t->buys);
	t->buys[i] = nb;
	t->nbuys++;
	return 0;
}

static rp_tally_sum *s_sum(rp_tally *t, const char *cur)
{
	size_t i;
	for (i = 0; i < t->nsums; i++)
		if (!strcmp(t->sums[i].cur, cur))
			return &t->sums[i];
	rp_tally_sum *g = realloc(t->sums, (t->nsums + 1) * sizeof *g);
	if (!g)
		return NULL;
	t->sums = g;
	for (i = t->nsums; i > 0 && strcmp(g[i - 1].cur, cur) > 0; i--)
		g[i] = g[i - 1];
	g[i] = (rp_tally_sum){ 0 };
	snprintf(g[i].cur, sizeof g[i].cur, "%s", cur);
	t->nsums++;
	return &g[i];
}

int rp_tally_add(rp_tally *t, const json_t *ix, int64_t at)
{
	const char *type = json_string_value(json_object_get(ix, "type"));
	const char *id = json_string_value(json_object_get(ix, "id"));
	const char *text = json_string_value(json_object_get(ix, "text"));
	const json_t *amt = json_object_get(ix, "amount");
	int64_t at_shown = at;
	int rc = 0;
	if (!type || !id)
		return 0;                 /* the fold keeps none without a type */
	t->live++;
	if (strcmp(type, "note")) {
		/* a contact at the time its text says (to the second, as the view
		 * shows it and rp_index_rhythm reads it) */
		char iso[32];
		uint64_t shown;
		if (rp_when_parse_iso(rp_when_iso((uint64_t)at, iso, sizeof iso), &shown) == 0 && shown <= INT64_MAX)
			at_shown = (int64_t)shown;
		if ((rc = s_insert(&t->contacts, &t->ncontacts, &t->ccap, at_shown)))
			return rc;
	}
	if (!strcmp(type, "complaint") && !json_is_true(json_object_get(ix, "resolved")))
		t->open_complaints++;
	if (strcmp(type, "purchase"))
		return 0;
	if ((rc = s_insert(&t->purchases, &t->npurchases, &t->pcap, at)))
		return rc;
	if (text && *text && (rc = s_buy(t, text, at, id)))
		return rc;
	if (json_is_object(amt)) {
		const char *cur = json_string_value(json_object_get(amt, "currency"));
		int64_t c = json_integer_value(json_object_get(amt, "cents")), total;
		uint64_t size = c < 0 ? 0 - (uint64_t)c : (uint64_t)c;
		rp_tally_sum *s = cur ? s_sum(t, cur) : NULL;
		if (!cur)
			return 0;
		if (!s)
			return RP_ENOMEM;
		/* Saturate: a lifetime value past 9.2e16 units is not worth wrapping. */
		if (__builtin_add_overflow(c, s->cents, &total))
			total = c > 0 ? INT64_MAX : INT64_MIN;
		s->cents = total;
		if (__builtin_add_overflow(size, s->size, &s->size) || s->size > (uint64_t)INT64_MAX)
			s->saturated = 1;
		if (s->saturated)
			return RP_ELIMIT;
	}
	return 0;
}

int rp_tally_add_fu(rp_tally *t, int64_t due, const char *id, int open, size_t *pos)
{
	size_t lo = 0, hi = t->nfus;
	if (t->nfus == t->fcap) {
		size_t c = t->fcap ? t->fcap * 2 : 8;
		rp_tally_fu *g = realloc(t->fus, c * sizeof *g);
		if (!g)
			return RP_ENOMEM;
		t->fus = g;
		t->fcap = c;
	}
	while (lo < hi) {                 /* soonest first, then by id */
		size_t mid = (lo + hi) / 2;
		const rp_tally_fu *m = &t->fus[mid];
		if (m->due < due || (m->due == due && strcmp(m->id, id) < 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(t->fus + lo + 1, t->fus + lo, (t->nfus - lo) * sizeof *t->fus);
	t->fus[lo] = (rp_tally_fu){ .due = due, .open = open != 0 };
	snprintf(t->fus[lo].id, sizeof t->fus[lo].id, "%s", id);
	t->nfus++;
	if (pos)
		*pos = lo;
	return 0;
}

int rp_tally_orphan(rp_tally *t, const char *id)
{
	if (rp_tally_is_orphan(t, id))
		return 0;
	char (*g)[RP_REF_TEXT + 1] = realloc(t->orphans, (t->norphans + 1) * sizeof *g);
	if (!g)
		return RP_ENOMEM;
	t->orphans = g;
	snprintf(g[t->norphans++], sizeof *g, "%s", id);
	return 0;
}

int rp_tally_is_orphan(const rp_tally *t, const char *id)
{
	for (size_t i = 0; i < t->norphans; i++)
		if (!strcmp(t->orphans[i], id))
			return 1;
	return 0;
}

static int s_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static json_t *s_iso(int64_t ms)
{
	char t[32];
	return json_string(rp_when_iso((uint64_t)ms, t, sizeof t));
}

/* The most frequent purchases, up to three texts, most frequent first
 * (ties: the one bought last first). */
static json_t *s_buys(const rp_tally *t)
{
	const rp_tally_buy *top[3] = { 0 };
	json_t *out = json_array();
	for (size_t i = 0; i < t->nbuys; i++) {
		const rp_tally_buy *b = &t->buys[i];
		for (int j = 0; j < 3; j++) {
			if (top[j] && (top[j]->n > b->n || (top[j]->n == b->n && s_newer(top[j]->at, top[j]->id, b->at, b->id))))
				continue;
			for (int k = 2; k > j; k--)
				top[k] = top[k - 1];
			top[j] = b;
			break;
		}
	}
	for (int j = 0; j < 3 && top[j]; j++)
		json_array_append_new(out, json_string(top[j]->text));
	return out;
}

/* The median gap between purchases, in whole days (null: fewer than two). */
static json_t *s_cadence(const rp_tally *t)
{
	size_t n = t->npurchases;
	int64_t *g, med;
	if (n < 2)
		return json_null();
	if (!(g = malloc((n - 1) * sizeof *g)))
		return NULL;
	for (size_t i = 0; i + 1 < n; i++)
		g[i] = t->purchases[i + 1] - t->purchases[i];
	qsort(g, n - 1, sizeof *g, s_cmp_i64);
	med = g[(n - 1) / 2];
	free(g);
	return json_integer((json_int_t)(((uint64_t)med + 43200000) / 86400000));
}

/* The median gap in ms between contacts, contacts less than a day apart
 * being one visit (null: fewer than two gaps). */
static json_t *s_contact_gap(const rp_tally *t)
{
	size_t n = t->ncontacts, ng = 0;
	int64_t *g, med;
	if (n < 3)
		return json_null();
	if (!(g = malloc((n - 1) * sizeof *g)))
		return NULL;
	for (size_t i = 0; i + 1 < n; i++)
		if (t->contacts[i + 1] - t->contacts[i] >= S_DAY_MS)
			g[ng++] = t->contacts[i + 1] - t->contacts[i];
	if (ng < 2) {
		free(g);
		return json_null();
	}
	qsort(g, ng, sizeof *g, s_cmp_i64);
	med = ng % 2 ? g[ng / 2] : (int64_t)(((uint64_t)g[ng / 2 - 1] + (uint64_t)g[ng / 2]) / 2);
	free(g);
	return json_integer(med);
}

static int s_setn(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

json_t *rp_tally_stats(const rp_tally *t, json_t *stats)
{
	json_t *value = json_array();
	int bad = !value;
	uint64_t open_fu = 0;
	int64_t next_due = -1;
	for (size_t i = 0; i < t->nfus; i++)
		if (t->fus[i].open) {
			open_fu++;
			if (next_due < 0)
				next_due = t->fus[i].due;      /* the list is soonest first */
		}
	bad |= s_setn(stats, "last_contact", t->ncontacts ? s_iso(t->contacts[t->ncontacts - 1]) : json_null());
	bad |= s_setn(stats, "interactions", json_integer((json_int_t)t->live));
	bad |= s_setn(stats, "purchases", json_integer((json_int_t)t->npurchases));
	bad |= s_setn(stats, "cadence_days", s_cadence(t));
	bad |= s_setn(stats, "open_complaints", json_integer((json_int_t)t->open_complaints));
	bad |= s_setn(stats, "open_followups", json_integer((json_int_t)open_fu));
	bad |= s_setn(stats, "next_due", next_due >= 0 ? s_iso(next_due) : json_null());
	bad |= s_setn(stats, "buys", s_buys(t));
	bad |= s_setn(stats, "last_purchase", t->npurchases ? s_iso(t->purchases[t->npurchases - 1]) : json_null());
	bad |= s_setn(stats, "contact_gap_ms", s_contact_gap(t));
	for (size_t i = 0; !bad && i < t->nsums; i++)
		bad |= json_array_append_new(value, json_pack("{sIss}", "cents", (json_int_t)t->sums[i].cents,
		                                              "currency", t->sums[i].cur));
	if (bad) {
		json_decref(value);
		return NULL;
	}
	return value;
}

/* ---- the stored form ----------------------------------------------------------
 * 'T' 1 ‖ last key ‖ live (8) ‖ open complaints (8) ‖ n (4) ‖ contacts (8 each)
 * ‖ n (4) ‖ purchases (8 each) ‖ n (4) ‖ sums: currency (3) ‖ saturated (1) ‖
 * cents (8) ‖ size (8) ‖ n (4) ‖ buys: n (8) ‖ at (8) ‖ id (26) ‖ key length (2)
 * ‖ key ‖ text length (2) ‖ text ‖ n (4) ‖ follow-ups: due (8) ‖ open (1) ‖ id
 * (26) ‖ n (4) ‖ orphans: id (26). Big-endian. */

static void s_str16(rp_bytes_out *o, const char *s)
{
	size_t n = strlen(s);
	uint8_t b[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	rp_bytes_put(o, b, 2);
	rp_bytes_put(o, s, n);
}

uint8_t *rp_tally_encode(const rp_tally *t, size_t *len)
{
	uint8_t *buf = NULL;
	size_t used = 0, cap = 0;
	rp_bytes_out o = { &buf, &used, &cap, 0 };
	uint8_t head[2] = { S_MAGIC, S_FORM };
	size_t i;
	rp_bytes_put(&o, head, 2);
	rp_bytes_put(&o, t->last_key, RP_ACCT_KEY_LEN);
	rp_bytes_u64(&o, t->live);
	rp_bytes_u64(&o, t->open_complaints);
	rp_bytes_u32(&o, (uint32_t)(t->ncontacts));
	for (i = 0; i < t->ncontacts; i++)
		rp_bytes_u64(&o, (uint64_t)t->contacts[i]);
	rp_bytes_u32(&o, (uint32_t)(t->npurchases));
	for (i = 0; i < t->npurchases; i++)
		rp_bytes_u64(&o, (uint64_t)t->purchases[i]);
	rp_bytes_u32(&o, (uint32_t)(t->nsums));
	for (i = 0; i < t->nsums; i++) {
		uint8_t sat = (uint8_t)t->sums[i].saturated;
		rp_bytes_put(&o, t->sums[i].cur, 3);
		rp_bytes_put(&o, &sat, 1);
		rp_bytes_u64(&o, (uint64_t)t->sums[i].cents);
		rp_bytes_u64(&o, t->sums[i].size);
	}
	rp_bytes_u32(&o, (uint32_t)(t->nbuys));
	for (i = 0; i < t->nbuys; i++) {
		rp_bytes_u64(&o, t->buys[i].n);
		rp_bytes_u64(&o, (uint64_t)t->buys[i].at);
		rp_bytes_put(&o, t->buys[i].id, RP_REF_TEXT);
		s_str16(&o, t->buys[i].key);
		s_str16(&o, t->buys[i].text);
	}
	rp_bytes_u32(&o, (uint32_t)(t->nfus));
	for (i = 0; i < t->nfus; i++) {
		uint8_t open = (uint8_t)t->fus[i].open;
		rp_bytes_u64(&o, (uint64_t)t->fus[i].due);
		rp_bytes_put(&o, &open, 1);
		rp_bytes_put(&o, t->fus[i].id, RP_REF_TEXT);
	}
	rp_bytes_u32(&o, (uint32_t)(t->norphans));
	for (i = 0; i < t->norphans; i++)
		rp_bytes_put(&o, t->orphans[i], RP_REF_TEXT);
	if (o.bad) {
		free(buf);
		return NULL;
	}
	*len = used;
	return buf;
}

/* A count of items of at least min bytes each: no more than are left. */
static size_t s_count(rp_bytes_in *in, size_t min)
{
	size_t n = rp_bytes_get_u32(in);
	if (n > (size_t)(in->end - in->p) / min)
		in->bad = 1;
	return in->bad ? 0 : n;
}

static char *s_getstr(rp_bytes_in *in, size_t max)
{
	const uint8_t *l = rp_bytes_take(in, 2), *p;
	size_t n = l ? (size_t)l[0] << 8 | l[1] : 0;
	char *s;
	if (!l || n > max || !(p = rp_bytes_take(in, n)) || memchr(p, 0, n)) {
		in->bad = 1;
		return NULL;
	}
	if ((s = malloc(n + 1))) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

static int s_ascending(const int64_t *a, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (a[i] > a[i + 1])
			return 0;
	return 1;
}

int rp_tally_decode(rp_tally *t, const uint8_t *p, size_t n)
{
	rp_bytes_in in = { p, p + n, 0 };
	const uint8_t *h = rp_bytes_take(&in, 2), *k;
	size_t i, c;
	*t = (rp_tally){ 0 };
	if (!h || h[0] != S_MAGIC || h[1] != S_FORM || !(k = rp_bytes_take(&in, RP_ACCT_KEY_LEN)))
		return RP_EIO;
	memcpy(t->last_key, k, RP_ACCT_KEY_LEN);
	t->live = rp_bytes_get_u64(&in);
	t->open_complaints = rp_bytes_get_u64(&in);
	for (int list = 0; list < 2; list++) {
		int64_t **a = list ? &t->purchases : &t->contacts;
		size_t *na = list ? &t->npurchases : &t->ncontacts, *cap = list ? &t->pcap : &t->ccap;
		c = s_count(&in, 8);
		if (c && !(*a = malloc(c * sizeof **a)))
			goto nomem;
		*cap = c;
		for (i = 0; i < c; i++)
			(*a)[i] = (int64_t)rp_bytes_get_u64(&in);
		*na = c;
		if (!s_ascending(*a, c) || (c && (*a)[0] < 0))    /* times are never before 1970 */
			in.bad = 1;
	}
	c = s_count(&in, 20);
	if (c && !(t->sums = calloc(c, sizeof *t->sums)))
		goto nomem;
	for (i = 0; i < c && !in.bad; i++) {
		const uint8_t *cur = rp_bytes_take(&in, 4);
		if (!cur)
			break;
		memcpy(t->sums[i].cur, cur, 3);
		t->sums[i].saturated = cur[3];
		if (cur[3] > 1 || memchr(cur, 0, 3) || (i && strcmp(t->sums[i - 1].cur, t->sums[i].cur) >= 0))
			in.bad = 1;
		t->sums[i].cents = (int64_t)rp_bytes_get_u64(&in);
		t->sums[i].size = rp_bytes_get_u64(&in);
		t->nsums++;
	}
	c = s_count(&in, 46);
	if (c) {
		size_t cap = 4;
		while (cap < c)
			cap *= 2;
		if (!(t->buys = calloc(cap, sizeof *t->buys)))
			goto nomem;
		t->bcap = cap;
	}
	for (i = 0; i < c && !in.bad; i++) {
		rp_tally_buy *b = &t->buys[i];
		const uint8_t *id;
		b->n = rp_bytes_get_u64(&in);
		b->at = (int64_t)rp_bytes_get_u64(&in);
		if (!(id = rp_bytes_take(&in, RP_REF_TEXT)))
			break;
		memcpy(b->id, id, RP_REF_TEXT);
		b->key = s_getstr(&in, RP_NAME_MAX * 4);
		b->text = s_getstr(&in, RP_STR_MAX);
		t->nbuys++;
		if (!in.bad && (!b->key || !b->text))
			goto nomem;
		if (!in.bad && i && strcmp(t->buys[i - 1].key, b->key) >= 0)
			in.bad = 1;
	}
	c = s_count(&in, 8 + 1 + RP_REF_TEXT);
	if (c && !(t->fus = calloc(c, sizeof *t->fus)))
		goto nomem;
	t->fcap = c;
	for (i = 0; i < c && !in.bad; i++) {
		rp_tally_fu *f = &t->fus[i];
		const uint8_t *open, *id;
		f->due = (int64_t)rp_bytes_get_u64(&in);
		if (!(open = rp_bytes_take(&in, 1)) || !(id = rp_bytes_take(&in, RP_REF_TEXT)))
			break;
		f->open = *open;
		memcpy(f->id, id, RP_REF_TEXT);
		t->nfus++;
		if (*open > 1 || f->due < 0 || memchr(f->id, 0, RP_REF_TEXT) ||
		    (i && (t->fus[i - 1].due > f->due ||
		           (t->fus[i - 1].due == f->due && strcmp(t->fus[i - 1].id, f->id) >= 0))))
			in.bad = 1;
	}
	c = s_count(&in, RP_REF_TEXT);
	if (c && !(t->orphans = malloc(c * sizeof *t->orphans)))
		goto nomem;
	for (i = 0; i < c && !in.bad; i++) {
		const uint8_t *id = rp_bytes_take(&in, RP_REF_TEXT);
		if (!id)
			break;
		memcpy(t->orphans[i], id, RP_REF_TEXT);
		t->orphans[i][RP_REF_TEXT] = 0;
		t->norphans++;
	}
	if (!in.bad && in.p == in.end)
		return 0;
	rp_tally_free(t);
	return RP_EIO;
nomem:
	rp_tally_free(t);
	return RP_ENOMEM;
}

void rp_tally_free(rp_tally *t)
{
	for (size_t i = 0; i < t->nbuys; i++) {
		free(t->buys[i].key);
		free(t->buys[i].text);
	}
	free(t->buys);
	free(t->contacts);
	free(t->purchases);
	free(t->sums);
	free(t->fus);
	free(t->orphans);
	*t = (rp_tally){ 0 };
}
