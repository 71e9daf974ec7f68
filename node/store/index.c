/* node/store/index.c — the indexes the daily questions read (index.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index.h"
#include "../text/casefold.h"
#include "../text/when.h"
#include "../../proto/error.h"
#include "../../proto/id.h"
#include "../../proto/limits.h"

#define S_BODY_MAX (511 - RP_ACCOUNT_LEN)   /* LMDB's key limit, less the account */
#define S_WORD_MAX 64                       /* longer words are cut: find looks up prefixes */

typedef struct s_entry {
	size_t key, klen;       /* offsets into the arena: kind ‖ body (the account is implied) */
	size_t val, vlen;
} s_entry;

struct rp_index_set {
	uint8_t *arena;
	size_t   used, cap;
	s_entry *e;
	size_t   n, ecap;
	int      nomem;
	uint8_t  acct[RP_ACCOUNT_LEN];
	uint8_t *card;          /* the account's card (s_card): 'K', and the tail of D P C V L */
	size_t   cardlen;
};

/* ---- building ------------------------------------------------------------------- */

static void s_put(rp_index_set *s, const void *p, size_t n)
{
	if (s->nomem || n == 0)
		return;
	if (s->used + n > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		uint8_t *g;
		while (cap < s->used + n)
			cap *= 2;
		if (!(g = realloc(s->arena, cap))) {
			s->nomem = 1;
			return;
		}
		s->arena = g;
		s->cap = cap;
	}
	memcpy(s->arena + s->used, p, n);
	s->used += n;
}

static void s_u64(rp_index_set *s, uint64_t v)
{
	uint8_t b[8];
	rp_be64_put(b, v);
	s_put(s, b, 8);
}

/* Start an entry of kind: its body follows (s_put), then s_end. */
static void s_begin(rp_index_set *s, char kind)
{
	if (s->nomem)
		return;
	if (s->n == s->ecap) {
		size_t cap = s->ecap ? 2 * s->ecap : 32;
		s_entry *g = realloc(s->e, cap * sizeof *g);
		if (!g) {
			s->nomem = 1;
			return;
		}
		s->e = g;
		s->ecap = cap;
	}
	s->e[s->n] = (s_entry){ .key = s->used };
	s_put(s, &kind, 1);
}

/* End the entry begun last, with a value (NULL, 0: none). */
static void s_end(rp_index_set *s, const void *val, size_t vlen)
{
	s_entry *e;
	if (s->nomem)
		return;
	e = &s->e[s->n];
	e->klen = s->used - e->key;
	if (e->klen > 1 + S_BODY_MAX) {          /* cannot be: bodies are bounded; never stored */
		s->used = e->key;
		return;
	}
	e->val = s->used;
	s_put(s, val, vlen);
	e->vlen = vlen;
	if (!s->nomem)
		s->n++;
}

static const char *s_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int s_time(const json_t *o, const char *key, uint64_t *ms)
{
	const char *t = s_str(o, key);
	return t && rp_when_parse_iso(t, ms) == 0;
}

uint64_t rp_index_day(uint64_t ms)
{
	return (uint64_t)(RP_INDEX_DAY_BIAS + (int64_t)(ms / RP_INDEX_DAY_MS));
}

/* text ‖ 0, cut so that a key stays within LMDB's limit */
static void s_text0(rp_index_set *s, const char *text, size_t cap)
{
	size_t n = strlen(text);
	s_put(s, text, n < cap ? n : cap);
	s_put(s, "", 1);
}

static void s_folded0(rp_index_set *s, const char *text)
{
	char f[RP_NAME_MAX + 1];
	size_t n = strlen(text);
	if (n > RP_NAME_MAX)
		n = RP_NAME_MAX;
	rp_fold(f, text, n);
	s_put(s, f, n);
	s_put(s, "", 1);
}

static int s_word_entry(void *arg, const char *w, size_t n)
{
	rp_index_set *s = arg;
	s_begin(s, 'W');
	s_put(s, w, n < S_WORD_MAX ? n : S_WORD_MAX);
	s_put(s, "", 1);
	s_end(s, NULL, 0);
	return s->nomem ? RP_ENOMEM : 0;
}

static void s_words_of(rp_index_set *s, const char *text)
{
	if (text)
		rp_index_words(text, s_word_entry, s);
}

int rp_index_words(const char *text, int (*fn)(void *arg, const char *w, size_t n), void *arg)
{
	char stack[1024], *f;
	size_t len = strlen(text), i, at = 0;
	int rc = 0;
	f = len < sizeof stack ? stack : malloc(len + 1);
	if (!f)
		return RP_ENOMEM;
	len = rp_fold_loose(f, text, len);
	for (i = 0; i <= len && rc == 0; i++) {
		unsigned char c = i < len ? (unsigned char)f[i] : 0;
		int part = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (part)
			continue;
		if (i > at)
			rc = fn(arg, f + at, i - at);
		at = i + 1;
	}
	if (f != stack)
		free(f);
	return rc;
}

static int s_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int rp_index_rhythm(const json_t *view, uint64_t *last_purchase, uint64_t *median_gap)
{
	const json_t *ixs = json_object_get(view, "interactions"), *ix;
	size_t i, nt = 0, ng = 0;
	uint64_t *at = calloc(json_array_size(ixs) + 1, sizeof *at);
	if (!at)
		return RP_ENOMEM;
	*last_purchase = *median_gap = 0;
	json_array_foreach(ixs, i, ix) {
		const char *type = s_str(ix, "type");
		uint64_t t;
		if (!type || json_is_true(json_object_get(ix, "retracted")) || !s_time(ix, "at", &t))
			continue;
		if (!strcmp(type, "purchase") && t > *last_purchase)
			*last_purchase = t;
		if (strcmp(type, "note") != 0)
			at[nt++] = t;
	}
	if (nt > 1) {
		qsort(at, nt, sizeof *at, s_cmp_u64);
		for (i = 0; i + 1 < nt; i++)            /* gaps, in place: at[ng] <= at[i] */
			if (at[i + 1] - at[i] >= (uint64_t)RP_INDEX_DAY_MS)
				at[ng++] = at[i + 1] - at[i];
		if (ng >= 2) {
			qsort(at, ng, sizeof *at, s_cmp_u64);
			*median_gap = ng % 2 ? at[ng / 2] : (at[ng / 2 - 1] + at[ng / 2]) / 2;
		}
	}
	free(at);
	return 0;
}

#define S_LAST_VALID (1ULL << 63)   /* a last contact's top bit (in 'R' and cards): there is one */

/* 'R' day → last purchase ‖ median gap ‖ cadence ‖ interactions (8 each)
 * ‖ last contact ms | S_LAST_VALID (8; 0: none) ‖ name ‖ 0 ‖ owner ‖ 0:
 * the whole row at-risk prints, so it reads no summary. */
static void s_risk_entry(rp_index_set *s, uint64_t day, const uint64_t fig[4], const char *name,
                         const char *owner, const json_t *stats)
{
	size_t nl = strlen(name), ol = owner ? strlen(owner) : 0;
	size_t vl = 40 + nl + 1 + ol + 1;
	uint8_t *v = malloc(vl), *p;
	uint64_t last;
	if (!v) {
		s->nomem = 1;
		return;
	}
	for (int i = 0; i < 4; i++)
		rp_be64_put(v + 8 * i, fig[i]);
	rp_be64_put(v + 32, s_time(stats, "last_contact", &last) ? (last & ~S_LAST_VALID) | S_LAST_VALID : 0);
	p = v + 40;
	memcpy(p, name, nl + 1);
	p += nl + 1;
	memcpy(p, owner ? owner : "", ol + 1);
	s_begin(s, 'R');
	s_u64(s, day - RP_INDEX_DAY_SLACK);
	s_end(s, v, vl);
	free(v);
}

/* The first day (UTC, biased, early by the slack) an at-risk reader may
 * find the account at risk; 0: never, as things stand. */
static uint64_t s_risk_day(rp_index_set *s, const json_t *view, const json_t *stats)
{
	const json_t *cj = json_object_get(stats, "cadence_days");
	int64_t cadence = json_is_integer(cj) ? json_integer_value(cj) : 0;
	int64_t nix = json_integer_value(json_object_get(stats, "interactions"));
	const json_t *gj = json_object_get(stats, "contact_gap_ms");
	uint64_t last_buy = 0, gap = json_is_integer(gj) && json_integer_value(gj) > 0
	                               ? (uint64_t)json_integer_value(gj) : 0, last, day = 0;
	if (cadence <= 0 && nix < 3)
		return 0;
	/* the rhythm the view's stats hold (rp_index_rhythm of its interactions) */
	if (!s_time(stats, "last_purchase", &last_buy))
		last_buy = 0;
	if (cadence > 0 && last_buy)
		day = rp_index_day(last_buy) + (uint64_t)(3 * cadence / 2) + 1;
	if (gap && s_time(stats, "last_contact", &last)) {
		uint64_t usual2 = 2 * gap / RP_INDEX_DAY_MS + 1, t;
		t = rp_index_day(last) + (usual2 > 15 ? usual2 : 15);
		if (!day || t < day)
			day = t;
	}
	if (!day)
		return 0;
	s_risk_entry(s, day, (const uint64_t[]){ last_buy, gap, (uint64_t)cadence, (uint64_t)nix },
	             s_str(view, "name"), s_str(view, "owner"), stats);
	return day;
}

/* head ‖ flags ‖ the strings, each ‖ 0 (NULL as ""; flags bit i: string
 * i is there) ‖ tail: a value with NUL-terminated parts (s_parts reads
 * them back). A new buffer of *len bytes, or NULL (s->nomem set). */
static uint8_t *s_parts_make(rp_index_set *s, const uint8_t *head, size_t hlen, const char *const *part,
                             size_t nparts, const uint8_t *tail, size_t tlen, size_t *len)
{
	size_t vl = hlen + 1 + tlen, i, at;
	uint8_t *v, flags = 0;
	for (i = 0; i < nparts; i++) {
		vl += (part[i] ? strlen(part[i]) : 0) + 1;
		flags |= part[i] ? (uint8_t)(1u << i) : 0;
	}
	if (!(v = malloc(vl))) {
		s->nomem = 1;
		return NULL;
	}
	if (hlen)
		memcpy(v, head, hlen);
	v[hlen] = flags;
	for (i = 0, at = hlen + 1; i < nparts; i++) {
		size_t n = part[i] ? strlen(part[i]) : 0;
		if (n)
			memcpy(v + at, part[i], n);
		v[at + n] = 0;
		at += n + 1;
	}
	if (tlen)
		memcpy(v + at, tail, tlen);
	*len = vl;
	return v;
}

/* End the entry begun last with the parts, then the account's card. */
static void s_end_parts(rp_index_set *s, const char *const *part, size_t nparts)
{
	size_t vl;
	uint8_t *v = s_parts_make(s, NULL, 0, part, nparts, s->card, s->cardlen, &vl);
	if (v)
		s_end(s, v, vl);
	free(v);
}

/* Open follow-ups: 'D' due ‖ ref → due text, assignee, text ‖ card. */
static void s_followups(rp_index_set *s, const json_t *view)
{
	const json_t *fu;
	size_t i;
	json_array_foreach(json_object_get(view, "followups"), i, fu) {
		const char *id = s_str(fu, "id");
		uint8_t ref[RP_REF_LEN];
		uint64_t due;
		if (json_is_true(json_object_get(fu, "done")) || json_is_true(json_object_get(fu, "cancelled")) ||
		    !s_time(fu, "due", &due) || !id || rp_b32_decode(id, ref, sizeof ref) != 0)
			continue;
		s_begin(s, 'D');
		s_u64(s, due);
		s_put(s, ref, sizeof ref);
		s_end_parts(s, (const char *const[]){ s_str(fu, "due"), s_str(fu, "assignee"), s_str(fu, "text") }, 3);
	}
}

void rp_index_reach(const json_t *view, const char **phone, const char **email, const char **prefer)
{
	const json_t *fields = json_object_get(view, "fields"), *c;
	size_t i;
	*phone = s_str(fields, "phone");
	*email = s_str(fields, "email");
	*prefer = s_str(fields, "prefer");
	json_array_foreach(json_object_get(view, "contacts"), i, c) {
		if (*phone && *email)
			break;
		if (!*phone && s_str(c, "phone")) {
			*phone = s_str(c, "phone");
			if (!*prefer)
				*prefer = s_str(c, "prefer");
		}
		if (!*email && s_str(c, "email"))
			*email = s_str(c, "email");
	}
}

/* The card (rp_index_card): last contact (8: ms, top bit set when there
 * is one) ‖ contact every (8) ‖ nvalues
 * (1) ‖ nvalues × currency (3) ‖ cents (8) ‖ the parts: name, owner, last
 * contact, phone, email, prefer, archived, no calls. 'K' (the account
 * alone) holds it; it ends the values of D P C V L too, so the walks that
 * make rows read nothing else. */
static void s_card(rp_index_set *s, const json_t *view)
{
	const json_t *stats = json_object_get(view, "stats"), *e, *ce = json_object_get(stats, "contact_every");
	const char *phone, *email, *prefer;
	uint8_t head[8 + 8 + 1 + 255 * 11];
	size_t nv = 0, i;
	uint64_t last = 0;
	int valid = s_time(stats, "last_contact", &last);
	json_array_foreach(json_object_get(view, "value"), i, e) {
		const char *cur = s_str(e, "currency");
		if (!cur || strlen(cur) != 3 || nv == 255)
			continue;
		memcpy(head + 17 + 11 * nv, cur, 3);
		rp_be64_put(head + 17 + 11 * nv + 3, (uint64_t)json_integer_value(json_object_get(e, "cents")));
		nv++;
	}
	rp_be64_put(head, valid ? last | S_LAST_VALID : 0);
	rp_be64_put(head + 8, json_is_integer(ce) && json_integer_value(ce) > 0 ? (uint64_t)json_integer_value(ce) : 0);
	head[16] = (uint8_t)nv;
	rp_index_reach(view, &phone, &email, &prefer);
	s->card = s_parts_make(s, head, 17 + 11 * nv, (const char *const[]){ s_str(view, "name"),
	            s_str(view, "owner"), s_str(stats, "last_contact"), phone, email, prefer,
	            json_is_true(json_object_get(view, "archived")) ? "" : NULL,
	            json_is_true(json_object_get(stats, "no_calls")) ? "" : NULL }, 8, NULL, 0, &s->cardlen);
	s_begin(s, 'K');
	s_end(s, s->card, s->cardlen);
}

static void s_live(rp_index_set *s, const json_t *view)
{
	const json_t *stats = json_object_get(view, "stats"), *e, *ce;
	uint64_t ms = 0;
	size_t i;
	json_array_foreach(json_object_get(view, "value"), i, e) {
		const char *cur = s_str(e, "currency");
		json_int_t cents = json_integer_value(json_object_get(e, "cents"));
		if (!cur || strlen(cur) != 3 || cents <= 0)
			continue;
		s_begin(s, 'V');
		s_put(s, cur, 3);
		s_u64(s, ~(uint64_t)cents);
		s_end(s, s->card, s->cardlen);
	}
	s_begin(s, 'L');
	s_u64(s, s_time(stats, "last_contact", &ms) ? ms : 0);
	s_end(s, s->card, s->cardlen);
	s_followups(s, view);
	ce = json_object_get(stats, "contact_every");
	if (json_is_integer(ce) && json_integer_value(ce) > 0) {
		uint64_t day = s_time(stats, "last_contact", &ms)
		             ? rp_index_day(ms) + (uint64_t)json_integer_value(ce) : rp_index_day(0);
		s_begin(s, 'C');
		s_u64(s, day - RP_INDEX_DAY_SLACK);
		s_end(s, s->card, s->cardlen);
	}
	s_risk_day(s, view, stats);
}

/* An open complaint, archived accounts' too (complaints --open lists them). */
static void s_complaint(rp_index_set *s, const json_t *e)
{
	const char *type = s_str(e, "type"), *id = s_str(e, "id"), *at = s_str(e, "at");
	const char *text = s_str(e, "text");
	uint8_t ref[RP_REF_LEN];
	uint64_t ms;
	if (!type || strcmp(type, "complaint") || json_is_true(json_object_get(e, "retracted")) ||
	    json_is_true(json_object_get(e, "resolved")) || !s_time(e, "at", &ms) || !id ||
	    rp_b32_decode(id, ref, sizeof ref) != 0)
		return;
	s_begin(s, 'P');
	s_u64(s, ~ms);
	s_put(s, ref, sizeof ref);
	s_end_parts(s, (const char *const[]){ at, text }, 2);
}

/* The words of a live interaction. */
static void s_item_words(rp_index_set *s, const json_t *e)
{
	static const char *const ix_keys[] = { "type", "text", "contact", "outcome" };
	if (json_is_true(json_object_get(e, "retracted")))
		return;
	for (size_t k = 0; k < 4; k++)
		s_words_of(s, s_str(e, ix_keys[k]));
}

static rp_index_set *s_sorted(rp_index_set *s);
static int s_parts(const uint8_t **p, const uint8_t *end, const char **part, size_t n);
static int s_words_marked(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN]);

/* The entries of the view but the sorting. */
static rp_index_set *s_build(const json_t *view, const uint8_t acct[RP_ACCOUNT_LEN])
{
	static const char *const contact_keys[] = { "name", "role", "email", "phone" };
	rp_index_set *s = calloc(1, sizeof *s);
	const char *name = s_str(view, "name"), *owner = s_str(view, "owner"), *key;
	const json_t *e, *v;
	size_t i, k;
	if (!s)
		return NULL;
	memcpy(s->acct, acct, RP_ACCOUNT_LEN);
	if (!name)
		return s;                  /* forgotten: nothing to find or rank */
	{
		char f[RP_NAME_MAX + 1];
		size_t n = rp_fold_loose(f, name, strlen(name) > RP_NAME_MAX ? RP_NAME_MAX : strlen(name));
		s_begin(s, 'N');
		s_put(s, f, n);
		s_put(s, "", 1);
		s_end(s, NULL, 0);
	}
	json_array_foreach(json_object_get(view, "tags"), i, e) {
		if (!json_is_string(e))
			continue;
		s_begin(s, 'T');
		s_text0(s, json_string_value(e), RP_NAME_MAX);
		s_folded0(s, name);
		s_end(s, NULL, 0);
	}
	if (owner) {
		s_begin(s, 'O');
		s_text0(s, owner, RP_NAME_MAX);
		s_folded0(s, name);
		s_end(s, NULL, 0);
	}
	s_card(s, view);
	if (json_is_true(json_object_get(view, "archived"))) {
		s_begin(s, 'A');
		s_folded0(s, name);
		s_end(s, NULL, 0);
	} else {
		s_live(s, view);
	}
	json_array_foreach(json_object_get(view, "interactions"), i, e)
		s_complaint(s, e);
	/* the words find looks up */
	s_words_of(s, name);
	json_object_foreach((json_t *)json_object_get(view, "fields"), key, v)
		s_words_of(s, json_string_value(v));
	json_array_foreach(json_object_get(view, "tags"), i, e)
		s_words_of(s, json_string_value(e));
	json_array_foreach(json_object_get(view, "contacts"), i, e)
		for (k = 0; k < 4; k++)
			s_words_of(s, s_str(e, contact_keys[k]));
	json_array_foreach(json_object_get(view, "interactions"), i, e)
		s_item_words(s, e);
	if (s->nomem)
		rp_index_set_free(&s);
	return s;
}

rp_index_set *rp_index_build(const json_t *view, const uint8_t acct[RP_ACCOUNT_LEN])
{
	rp_index_set *s = s_build(view, acct);
	return s ? s_sorted(s) : NULL;
}

/* ---- building on the stored entries ---------------------------------------------- */

typedef struct s_more {
	rp_store      *st;
	MDB_txn       *txn;
	rp_index_set  *s;
} s_more;

/* A stored 'W' entry again; a stored 'P' one with the new card. */
static int s_more_one(void *arg, const uint8_t *key, size_t klen)
{
	s_more *m = arg;
	rp_index_set *s = m->s;
	if (key[0] == 'W') {
		s_begin(s, 'W');
		s_put(s, key + 1, klen - 1);
		s_end(s, NULL, 0);
	} else if (key[0] == 'P') {
		uint8_t k[512];
		MDB_val mk = { klen + RP_ACCOUNT_LEN, k }, mv;
		const char *part[2];
		const uint8_t *p;
		memcpy(k, key, klen);
		memcpy(k + klen, s->acct, RP_ACCOUNT_LEN);
		if (mdb_get(m->txn, m->st->ix, &mk, &mv) != 0)
			return RP_EIO;
		p = mv.mv_data;
		if (s_parts(&p, p + mv.mv_size, part, 2))
			return RP_EIO;
		s_begin(s, 'P');
		s_put(s, key + 1, klen - 1);
		s_end_parts(s, part, 2);
	}
	return s->nomem ? RP_ENOMEM : 0;
}

rp_index_set *rp_index_build_more(rp_store *st, MDB_txn *txn, const json_t *view,
                                  const uint8_t acct[RP_ACCOUNT_LEN])
{
	rp_index_set *s = s_build(view, acct);
	s_more m = { st, txn, s };
	if (!s || !s_str(view, "name"))
		return s ? s_sorted(s) : NULL;
	if (s_words_marked(st, txn, acct) != 0 ||
	    rp_index_stored(st, txn, acct, 'W', s_more_one, &m) || rp_index_stored(st, txn, acct, 'P', s_more_one, &m) ||
	    s->nomem) {
		rp_index_set_free(&s);
		return NULL;
	}
	return s_sorted(s);
}

void rp_index_set_free(rp_index_set **s)
{
	if (!s || !*s)
		return;
	free((*s)->arena);
	free((*s)->e);
	free((*s)->card);
	free(*s);
	*s = NULL;
}

/* ---- sorting: key order, each key once ------------------------------------------- */

static int s_cmp_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

static int s_cmp_entry(const s_entry *x, const s_entry *y, const uint8_t *arena)
{
	return s_cmp_bytes(arena + x->key, x->klen, arena + y->key, y->klen);
}

/* A merge sort (qsort takes no context, and folds run on two threads). */
static rp_index_set *s_sorted(rp_index_set *s)
{
	s_entry *tmp = s->n > 1 ? malloc(s->n * sizeof *tmp) : NULL;
	size_t i, n = 0;
	if (s->n > 1 && !tmp) {
		rp_index_set_free(&s);
		return NULL;
	}
	for (size_t w = 1; w < s->n; w *= 2) {
		for (size_t lo = 0; lo < s->n; lo += 2 * w) {
			size_t mid = lo + w < s->n ? lo + w : s->n, hi = lo + 2 * w < s->n ? lo + 2 * w : s->n;
			size_t a = lo, b = mid, o = lo;
			while (a < mid || b < hi)
				tmp[o++] = b >= hi || (a < mid && s_cmp_entry(&s->e[a], &s->e[b], s->arena) <= 0)
				         ? s->e[a++] : s->e[b++];
		}
		memcpy(s->e, tmp, s->n * sizeof *tmp);
	}
	free(tmp);
	for (i = 0; i < s->n; i++)
		if (n == 0 || s_cmp_entry(&s->e[n - 1], &s->e[i], s->arena) != 0)
			s->e[n++] = s->e[i];
	s->n = n;
	return s;
}

/* ---- storing ----------------------------------------------------------------------- */

/* The packed form acct_ix holds: per entry, in key order, klen (2) ‖ kind ‖
 * body ‖ a hash of its value (8): enough to tell which entries a new set
 * adds, drops or changes, without a second copy of every value. */
#define S_VHASH_LEN 8

typedef struct s_cursor {
	const uint8_t *p, *end;
	const uint8_t *key, *vh;
	size_t klen;
} s_cursor;

static int s_next(s_cursor *c)
{
	if (!c->p || c->end - c->p < 2)
		return 0;
	c->klen = (size_t)c->p[0] << 8 | c->p[1];
	if ((size_t)(c->end - c->p) < 2 + c->klen + S_VHASH_LEN)
		return 0;
	c->key = c->p + 2;
	c->vh = c->key + c->klen;
	c->p = c->vh + S_VHASH_LEN;
	return 1;
}

/* FNV-1a, 64 bits: a value's hash in the packed form (a change it missed
 * would leave ix stale; fsck compares ix itself with the view's entries). */
static void s_vhash(const uint8_t *v, size_t n, uint8_t out[S_VHASH_LEN])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ v[i]) * 0x100000001b3ULL;
	rp_be64_put(out, h);
}

static uint8_t *s_pack(const rp_index_set *s, size_t *len)
{
	size_t n = 0, i;
	uint8_t *b, *p;
	for (i = 0; s && i < s->n; i++)
		n += 2 + s->e[i].klen + S_VHASH_LEN;
	*len = n;
	if (!(b = p = malloc(n ? n : 1)))
		return NULL;
	for (i = 0; s && i < s->n; i++) {
		const s_entry *e = &s->e[i];
		*p++ = (uint8_t)(e->klen >> 8);
		*p++ = (uint8_t)e->klen;
		memcpy(p, s->arena + e->key, e->klen);
		p += e->klen;
		s_vhash(s->arena + e->val, e->vlen, p);
		p += S_VHASH_LEN;
	}
	return b;
}

static int s_ix_write(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                      const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, int del)
{
	uint8_t k[512];
	MDB_val mk = { klen + RP_ACCOUNT_LEN, k }, mv = { vlen, (void *)val };
	int rc;
	memcpy(k, key, klen);
	memcpy(k + klen, acct, RP_ACCOUNT_LEN);
	rc = del ? mdb_del(txn, st->ix, &mk, NULL) : mdb_put(txn, st->ix, &mk, &mv, 0);
	return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

/* ---- words deferred (words.h) ----------------------------------------------- */

/* Mark acct's words due with a fresh token (and note who defers, once a
 * txn: a writer still running settles its own). */
static int s_words_mark(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	uint8_t token[RP_INDEX_TOKEN_LEN];
	int rc;
	if ((rc = rp_store_note_deferrer(st, txn, "words_by", &st->words_marked_gen)))
		return rc;
	rp_be64_put(token, (uint64_t)getpid() << 32 | (++st->words_seq & 0xffffffffu));
	return rp_store_put(txn, st->ix_due, acct, RP_ACCOUNT_LEN, token, sizeof token);
}

/* 1 if acct's words are due, 0 if not, or an RP_E* code. */
static int s_words_marked(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	MDB_val v;
	int rc = rp_store_get(txn, st->ix_due, acct, RP_ACCOUNT_LEN, &v);
	return rc == 0 ? 1 : rc == RP_ENOTFOUND ? 0 : rc;
}

int rp_index_apply(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                   const rp_index_set *set)
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	uint8_t *old = NULL, *now;
	size_t oldlen = 0, nowlen, i = 0, nset = set ? set->n : 0, words = 0;
	s_cursor o, n;
	int rc = 0, ho, hn, due, defer = st->words_defer;

	if ((rc = mdb_get(txn, st->acct_ix, &k, &v)) == 0) {
		if (!(old = malloc(v.mv_size ? v.mv_size : 1)))
			return RP_ENOMEM;
		memcpy(old, v.mv_data, v.mv_size);     /* the page may move as we write */
		oldlen = v.mv_size;
	} else if (rc != MDB_NOTFOUND) {
		return rp_store_err(rc);
	}
	/* words a deferring writer left out (words.h): put now by one that does not */
	if ((due = s_words_marked(st, txn, acct)) < 0) {
		free(old);
		return due;
	}
	if (!(now = s_pack(set, &nowlen))) {
		free(old);
		return RP_ENOMEM;
	}
	if (oldlen == nowlen && (!nowlen || !memcmp(old, now, nowlen)) && (defer || !due)) {
		free(old);
		free(now);
		return 0;                    /* nothing changed: the common case of a new interaction's words */
	}
	/* the new entries are the set's, in the packed form's order: its
	 * values come from the set */
	o = (s_cursor){ .p = old, .end = old ? old + oldlen : NULL };
	n = (s_cursor){ .p = now, .end = now + nowlen };
	ho = s_next(&o);
	hn = s_next(&n);
	rc = 0;
	while (rc == 0 && (ho || hn)) {
		int c = !ho ? 1 : !hn ? -1 : s_cmp_bytes(o.key, o.klen, n.key, n.klen);
		const s_entry *e = hn && i < nset ? &set->e[i] : NULL;
		int word = hn && n.key[0] == 'W';
		if (c < 0) {
			rc = s_ix_write(st, txn, acct, o.key, o.klen, NULL, 0, 1);
			ho = s_next(&o);
			continue;
		}
		words += word;
		if (word && defer)
			;                        /* listed in acct_ix, put by rp_words_settle */
		else if (c > 0 || memcmp(o.vh, n.vh, S_VHASH_LEN) || (word && due))
			rc = s_ix_write(st, txn, acct, n.key, n.klen, set->arena + e->val, e->vlen, 0);
		if (c == 0)
			ho = s_next(&o);
		hn = s_next(&n);
		i++;
	}
	if (rc == 0) {
		v = (MDB_val){ nowlen, now };
		rc = nowlen ? mdb_put(txn, st->acct_ix, &k, &v, 0) : mdb_del(txn, st->acct_ix, &k, NULL);
		rc = rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
	}
	if (rc == 0 && defer && words)
		rc = s_words_mark(st, txn, acct);        /* a new token: what was collected is old */
	else if (rc == 0 && due)
		rc = rp_store_del(txn, st->ix_due, acct, RP_ACCOUNT_LEN);
	free(old);
	free(now);
	return rc;
}

int rp_index_stored(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], char kind,
                    int (*fn)(void *arg, const uint8_t *key, size_t klen), void *arg)
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	s_cursor c;
	int rc = mdb_get(txn, st->acct_ix, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return rp_store_err(rc);
	for (c = (s_cursor){ .p = v.mv_data, .end = (const uint8_t *)v.mv_data + v.mv_size }; rc == 0 && s_next(&c);)
		if (c.klen && c.key[0] == (uint8_t)kind)
			rc = fn(arg, c.key, c.klen);
	return rc;
}

int rp_index_differs(rp_store *st, MDB_txn *txn, const json_t *view, const uint8_t acct[RP_ACCOUNT_LEN],
                     size_t *entries)
{
	rp_index_set *set = rp_index_build(view, acct);
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	uint8_t *now;
	size_t len;
	s_cursor c;
	int differs = 0;
	if (!set)
		return RP_ENOMEM;
	if (!(now = s_pack(set, &len))) {
		rp_index_set_free(&set);
		return RP_ENOMEM;
	}
	if (mdb_get(txn, st->acct_ix, &k, &v) != 0)
		v = (MDB_val){ 0, NULL };
	differs = v.mv_size != len || (len && memcmp(v.mv_data, now, len));
	/* ix itself holds each entry, with its value */
	for (size_t i = 0; i < set->n; i++) {
		const s_entry *e = &set->e[i];
		uint8_t key[512];
		MDB_val mk = { e->klen + RP_ACCOUNT_LEN, key }, mv;
		memcpy(key, set->arena + e->key, e->klen);
		memcpy(key + e->klen, acct, RP_ACCOUNT_LEN);
		if (mdb_get(txn, st->ix, &mk, &mv) != 0 || mv.mv_size != e->vlen ||
		    (e->vlen && memcmp(mv.mv_data, set->arena + e->val, e->vlen)))
			differs = 1;
	}
	/* ix holds the stored entries (a stale view's are the old ones) */
	for (c = (s_cursor){ .p = v.mv_data, .end = v.mv_size ? (const uint8_t *)v.mv_data + v.mv_size : NULL };
	     v.mv_size && s_next(&c);)
		++*entries;
	rp_index_set_free(&set);
	free(now);
	return differs;
}

int rp_index_clear(rp_store *st, MDB_txn *txn)
{
	int rc = rp_store_clear(txn, st->ix);
	if (rc == 0)
		rc = rp_store_clear(txn, st->ix_due);
	return rc ? rc : rp_store_clear(txn, st->acct_ix);
}

/* ---- reading ------------------------------------------------------------------------ */

int rp_index_walk(rp_store *st, MDB_txn *txn, char kind, const void *prefix, size_t plen,
                  rp_index_fn fn, void *arg)
{
	uint8_t from[512];
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	if (plen + 1 > sizeof from)
		return RP_EINVAL;
	from[0] = (uint8_t)kind;
	if (plen)
		memcpy(from + 1, prefix, plen);
	if ((rc = mdb_cursor_open(txn, st->ix, &c)))
		return rp_store_err(rc);
	k = (MDB_val){ plen + 1, from };
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const uint8_t *kp = k.mv_data;
		if (k.mv_size < plen + 1 + RP_ACCOUNT_LEN || memcmp(kp, from, plen + 1))
			break;
		rc = fn(arg, kp + 1 + plen, k.mv_size - 1 - plen - RP_ACCOUNT_LEN,
		        kp + k.mv_size - RP_ACCOUNT_LEN, &v);
		if (rc)
			break;
	}
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND || rc == RP_STORE_STOP)
		return 0;
	return rp_store_err(rc);       /* ours pass as they are */
}

struct rp_index_iter {
	MDB_cursor *c;
	uint8_t     from[512];
	size_t      flen;
	int         started, done;
};

int rp_index_iter_open(rp_store *st, MDB_txn *txn, char kind, const void *prefix, size_t plen,
                       rp_index_iter **out)
{
	rp_index_iter *it;
	int rc;
	if (plen + 1 > sizeof it->from)
		return RP_EINVAL;
	if (!(it = calloc(1, sizeof *it)))
		return RP_ENOMEM;
	it->from[0] = (uint8_t)kind;
	if (plen)
		memcpy(it->from + 1, prefix, plen);
	it->flen = plen + 1;
	if ((rc = mdb_cursor_open(txn, st->ix, &it->c))) {
		free(it);
		return rp_store_err(rc);
	}
	*out = it;
	return 0;
}

int rp_index_iter_next(rp_index_iter *it, const uint8_t **body, size_t *blen,
                       const uint8_t **acct, MDB_val *val)
{
	MDB_val k = { it->flen, it->from };
	const uint8_t *kp;
	int rc;
	if (it->done)
		return 0;
	rc = it->started ? mdb_cursor_get(it->c, &k, val, MDB_NEXT) : mdb_cursor_get(it->c, &k, val, MDB_SET_RANGE);
	it->started = 1;
	kp = k.mv_data;
	if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size < it->flen + RP_ACCOUNT_LEN || memcmp(kp, it->from, it->flen)))) {
		it->done = 1;
		return 0;
	}
	if (rc)
		return rp_store_err(rc);
	*body = kp + it->flen;
	*blen = k.mv_size - it->flen - RP_ACCOUNT_LEN;
	*acct = kp + k.mv_size - RP_ACCOUNT_LEN;
	return 1;
}

void rp_index_iter_close(rp_index_iter **it)
{
	if (!it || !*it)
		return;
	mdb_cursor_close((*it)->c);
	free(*it);
	*it = NULL;
}

typedef struct s_loose_seek {
	const uint8_t *skip;
	uint8_t       *found;
	int            hit;
} s_loose_seek;

static int s_loose_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                       const MDB_val *val)
{
	s_loose_seek *q = arg;
	(void)body, (void)blen, (void)val;
	if (q->skip && !memcmp(acct, q->skip, RP_ACCOUNT_LEN))
		return 0;
	memcpy(q->found, acct, RP_ACCOUNT_LEN);
	q->hit = 1;
	return RP_STORE_STOP;
}

int rp_index_loose_name(rp_store *st, MDB_txn *txn, const char *name, const uint8_t *skip,
                        uint8_t found[RP_ACCOUNT_LEN])
{
	s_loose_seek q = { skip, found, 0 };
	char want[RP_NAME_MAX + 2];
	size_t n = strlen(name);
	if (n > RP_NAME_MAX)
		return 0;
	n = rp_fold_loose(want, name, n);
	want[n] = 0;
	rp_index_walk(st, txn, 'N', want, n + 1, s_loose_one, &q);
	return q.hit;
}

int rp_index_has(rp_store *st, MDB_txn *txn, char kind, const void *body, size_t blen,
                 const uint8_t acct[RP_ACCOUNT_LEN])
{
	uint8_t key[512];
	MDB_val k = { 1 + blen + RP_ACCOUNT_LEN, key }, v;
	if (blen + 1 + RP_ACCOUNT_LEN > sizeof key)
		return 0;
	key[0] = (uint8_t)kind;
	if (blen)
		memcpy(key + 1, body, blen);
	memcpy(key + 1 + blen, acct, RP_ACCOUNT_LEN);
	return mdb_get(txn, st->ix, &k, &v) == 0;
}

/* The next NUL-terminated string of [*p, end), or NULL when there is none. */
static const char *s_str0(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *z = *p < end ? memchr(*p, 0, (size_t)(end - *p)) : NULL;
	const char *t = (const char *)*p;
	if (!z)
		return NULL;
	*p = z + 1;
	return t;
}

int rp_index_risk_get(const MDB_val *val, rp_index_risk *out)
{
	const uint8_t *p = val->mv_data, *end = p + val->mv_size;
	uint64_t last;
	if (val->mv_size < 40 + 2)
		return RP_EIO;
	out->last_buy = rp_be64_get(p);
	out->gap = rp_be64_get(p + 8);
	out->cadence = (int64_t)rp_be64_get(p + 16);
	out->interactions = (int64_t)rp_be64_get(p + 24);
	last = rp_be64_get(p + 32);
	out->last_valid = (last & S_LAST_VALID) != 0;
	out->last = last & ~S_LAST_VALID;
	if (!out->last_valid && out->last)
		return RP_EIO;              /* none is written as 0 */
	p += 40;
	if (!(out->name = s_str0(&p, end)) || !(out->owner = s_str0(&p, end)) || p != end)
		return RP_EIO;
	if (!*out->owner)
		out->owner = NULL;
	return 0;
}

/* The n parts s_parts_make wrote at *p (before end), NULL where absent;
 * *p moves past them. 0, or RP_EIO. */
static int s_parts(const uint8_t **p, const uint8_t *end, const char **part, size_t n)
{
	uint8_t flags;
	if (*p >= end)
		return RP_EIO;
	flags = *(*p)++;
	for (size_t i = 0; i < n; i++) {
		const char *t = s_str0(p, end);
		if (!t)
			return RP_EIO;
		part[i] = flags & (1u << i) ? t : NULL;
	}
	return 0;
}

static int s_card_parse(const uint8_t *p, const uint8_t *end, rp_index_card *out)
{
	const char *part[8];
	size_t nv;
	if (end - p < 17 || (size_t)(end - p) < 17 + 11 * (size_t)p[16])
		return RP_EIO;
	nv = p[16];
	*out = (rp_index_card){ .last = rp_be64_get(p) & ~S_LAST_VALID,
	                        .last_valid = (rp_be64_get(p) & S_LAST_VALID) != 0,
	                        .contact_every = (int64_t)rp_be64_get(p + 8), .values = p + 17, .nvalues = nv };
	p += 17 + 11 * nv;
	if (s_parts(&p, end, part, 8) || p != end || !part[0])
		return RP_EIO;
	out->name = part[0];
	out->owner = part[1];
	out->last_contact = part[2];
	out->phone = part[3];
	out->email = part[4];
	out->prefer = part[5];
	out->archived = part[6] != NULL;
	out->no_calls = part[7] != NULL;
	return 0;
}

int rp_index_card_of(const MDB_val *val, rp_index_card *out)
{
	const uint8_t *p = val->mv_data;
	return s_card_parse(p, p + val->mv_size, out);
}

int rp_index_followup_get(const MDB_val *val, rp_index_followup *out, rp_index_card *card)
{
	const char *part[3];
	const uint8_t *p = val->mv_data, *end = p + val->mv_size;
	if (s_parts(&p, end, part, 3) || !part[0] || s_card_parse(p, end, card))
		return RP_EIO;
	out->due = part[0];
	out->assignee = part[1];
	out->text = part[2];
	return 0;
}

int rp_index_complaint_get(const MDB_val *val, rp_index_complaint *out, rp_index_card *card)
{
	const char *part[2];
	const uint8_t *p = val->mv_data, *end = p + val->mv_size;
	if (s_parts(&p, end, part, 2) || !part[0] || s_card_parse(p, end, card))
		return RP_EIO;
	out->at = part[0];
	out->text = part[1];
	return 0;
}

int rp_index_card_get(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], rp_index_card *out)
{
	uint8_t key[1 + RP_ACCOUNT_LEN] = { 'K' };
	MDB_val k = { sizeof key, key }, v;
	int rc;
	memcpy(key + 1, acct, RP_ACCOUNT_LEN);
	if ((rc = mdb_get(txn, st->ix, &k, &v)) == MDB_NOTFOUND)
		return RP_ENOTFOUND;
	if (rc)
		return rp_store_err(rc);
	return rp_index_card_of(&v, out);
}

int64_t rp_index_card_value(const rp_index_card *c, const char *currency, size_t i, char cur[4])
{
	if (currency) {
		for (i = 0; i < c->nvalues; i++)
			if (!memcmp(c->values + 11 * i, currency, 3) && strlen(currency) == 3)
				return (int64_t)rp_be64_get(c->values + 11 * i + 3);
		return 0;
	}
	memcpy(cur, c->values + 11 * i, 3);
	cur[3] = 0;
	return (int64_t)rp_be64_get(c->values + 11 * i + 3);
}
