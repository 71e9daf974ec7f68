/* node/crm/insight.c — selling insight from the merged views: the best
 * accounts, the ones drifting away, search, complaints (who to call is
 * agenda.c's). Read txns only; it must never write, print, or read a clock
 * other than rp_node_now(). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insight.h"
#include "book.h"
#include "../store/roster.h"
#include "../node.h"
#include "../store/summary.h"
#include "../store/view.h"
#include "../store/index.h"
#include "../store/words.h"
#include "../text/casefold.h"
#include "../text/when.h"
#include "../../proto/error.h"

#define S_TOP_DEFAULT    100    /* a couple of calls a workday work through them in a season */
#define S_RISK_MIN_DAYS  14     /* contact rhythm: silence shorter than this is no risk */
#define S_FIND_CLIP      80     /* characters of matching text in a find row */

/* An index walk's accounts, into the rp_ids arg (complaints, find). */
static int s_add_id(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                    const MDB_val *val)
{
	(void)body, (void)blen, (void)val;
	return rp_ids_add(arg, acct);
}

static int s_add_due(void *arg, const uint8_t acct[RP_ACCOUNT_LEN])
{
	return rp_ids_add(arg, acct);
}

/* ---- top ----------------------------------------------------------------- */

/* The accounts worth most in the team's currency, from the index ('V'):
 * the first count of them and every one tied with the last (names break
 * ties). 1: fewer than count are worth anything, the index cannot say. */
typedef struct s_top_walk {
	rp_ids   ids;
	size_t   want;
	uint64_t last;               /* ~units of the count-th */
} s_top_walk;

static int s_top_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                     const MDB_val *val)
{
	s_top_walk *w = arg;
	uint64_t units;
	(void)val;
	if (blen != 8)
		return 0;
	units = rp_be64_get(body);
	if (w->ids.n >= w->want && units != w->last)
		return RP_STORE_STOP;
	w->last = units;
	return rp_ids_add(&w->ids, acct);
}

static int s_top_book(rp_node *n, MDB_txn *txn, size_t count, rp_book *as)
{
	char cur[4];
	s_top_walk w = { { 0 }, count, 0 };
	int rc;
	rp_roster_team_currency(n->store, txn, cur);
	if ((rc = rp_index_walk(n->store, txn, 'V', cur, 3, s_top_one, &w)) == 0 && w.ids.n >= count) {
		rp_ids_sort(&w.ids);
		rc = rp_book_pick(n, txn, w.ids.v, w.ids.n, as);
	} else if (rc == 0) {
		rc = 1;
	} else {
		rc = rp_fail(rc, "cannot read the value index");
	}
	rp_ids_free(&w.ids);
	return rc;
}

/* Non-archived accounts by value (in the team's currency: amounts in
 * others are shown beside it, never added to it), recent
 * (newest last contact; never contacted last) or frequency (live
 * interactions; value breaks ties). score is the figure ranked by: value in
 * units, days since last contact (null if never), interaction count. */
int rp_top(rp_node *n, int count, const char *by, json_t **out)
{
	enum { BY_VALUE, BY_RECENT, BY_FREQUENCY } mode;
	MDB_txn *txn;
	rp_book as;
	rp_rows rows = { 0 };
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
	/* By value, the index holds the answer unless fewer accounts than
	 * count are worth anything in the team's currency (the rest rank by
	 * name: the scan below). */
	rc = mode == BY_VALUE && !n->scan ? s_top_book(n, txn, (size_t)count, &as) : 1;
	if (rc == 1)
		rc = rp_book_load(n, txn, &as);
	if (rc)
		goto out_txn;
	for (i = 0; i < as.n; i++) {
		rp_book_acct *a = &as.v[i];
		int64_t cents = rp_summary_value_in(a->sum, as.currency);
		int64_t nix = a->sum->interactions;
		uint64_t last = a->sum->last_contact.ms;
		int contacted = a->sum->last_contact.valid, bad = 0;
		rp_row sr = { 0 };
		json_t *score;
		if (a->sum->archived)
			continue;          /* a closed account is nobody's best customer */
		/* score: the figure the list is ranked by, in the units people read. */
		if (mode == BY_VALUE) {
			sr.k1 = -cents;
			score = json_real((double)cents / rp_pow10(rp_currency_decimals(as.currency)));
		} else if (mode == BY_RECENT) {
			sr.k1 = contacted ? -(int64_t)last : INT64_MAX;
			score = contacted ? json_integer(last > now ? 0 : rp_days_between(last, now)) : json_null();
		} else {
			sr.k1 = -(int64_t)nix;
			sr.k2 = -cents;
			score = json_integer(nix);
		}
		sr.row = json_object();
		rp_put(sr.row, "rank", json_integer(0), &bad);
		rp_put(sr.row, "id", json_string(a->sum->id), &bad);
		rp_put(sr.row, "name", rp_jtext(a->sum->name), &bad);
		rp_put(sr.row, "owner", rp_jtext(a->sum->owner), &bad);
		rp_put(sr.row, "value", rp_summary_value_json(a->sum), &bad);
		rp_put(sr.row, "currency", json_string(as.currency), &bad);   /* what score is in */
		rp_put(sr.row, "last_contact", rp_jtext(a->sum->last_contact.text), &bad);
		rp_put(sr.row, "interactions", json_integer(nix), &bad);
		rp_put(sr.row, "buys", rp_summary_list_json(a->sum->buys, a->sum->nbuys), &bad);
		rp_put(sr.row, "score", score, &bad);
		sr.name = rp_jstr(sr.row, "name");
		sr.id = rp_jstr(sr.row, "id");
		if ((rc = rp_rows_push(&rows, sr, bad)))
			goto out;
	}
	if ((rc = rp_rows_emit(&rows, (size_t)count, &list)))
		goto out;
	json_array_foreach(list, i, r) {
		json_t *rank = json_integer((json_int_t)i + 1);
		json_t *refs = rp_book_referrals(n, txn, rp_jstr(r, "id"));
		if (!refs || json_object_set_new(r, "referrals", refs)) {
			json_decref(rank);
			rc = rp_fail(RP_ENOMEM, "out of memory");
			goto out;
		}
		if (!rank || json_object_set_new(r, "rank", rank)) {
			rc = rp_fail(RP_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = list;
	list = NULL;
out:
	rp_rows_free(&rows);
	json_decref(list);
	rp_book_free(&as);
out_txn:
	rp_store_end(txn);
	return rc;
}

/* ---- at-risk ------------------------------------------------------------- */

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
 * the reason and gives cadence_days and days_since; rows go strongest first.
 *
 * What deciding takes, from the index's 'R' entry (rp_index_risk) or, in
 * the reference scan, from the summary and the view. */
typedef struct s_risk_in {
	char          id[RP_ACCOUNT_TEXT + 1];
	rp_index_risk r;             /* name, owner, last contact, cadence, rhythm */
	const char   *last_text;     /* its text as the summary has it (the scan), or NULL: rp_when_iso's */
	double        score;         /* the leading signal's ratio, once judged */
} s_risk_in;

/* The signals of in at now (today: its local day, rp_when_day): 1 when
 * it is at risk (first leads, second follows if on), else 0. Their texts
 * are written when text (a row is made of them). */
static int s_risk_judge(const s_risk_in *in, uint64_t now, int64_t today, int text,
                        s_signal *first, s_signal *second)
{
	s_signal buy = { 0 }, talk = { 0 };
	int64_t cadence = in->r.cadence;
	/* (a) buying: silent for more than 1.5 purchase cycles. */
	if (cadence > 0 && in->r.last_buy && in->r.last_buy <= now) {
		buy.days = today - rp_when_day(in->r.last_buy);
		buy.usual = cadence;
		if (2 * buy.days > 3 * cadence) {
			buy.on = 1;
			buy.ratio = (double)buy.days / (double)cadence;
			if (text)
				snprintf(buy.text, sizeof buy.text, "no purchase for %lld days; usually every %lld days",
				         (long long)buy.days, (long long)cadence);
		}
	}
	/* (b) talking: silent for more than two usual gaps and two weeks. */
	if (in->r.gap && in->r.last_valid && in->r.last <= now) {
		double usual = (double)in->r.gap / RP_BOOK_DAY_MS;
		talk.days = today - rp_when_day(in->r.last);
		talk.usual = (int64_t)(usual + 0.5);
		if (talk.usual < 1)
			talk.usual = 1;
		if (talk.days > S_RISK_MIN_DAYS && (double)talk.days > 2 * usual) {
			talk.on = 1;
			talk.ratio = (double)talk.days / usual;
			if (text)
				snprintf(talk.text, sizeof talk.text, "no contact for %lld days; usually every %lld days",
				         (long long)talk.days, (long long)talk.usual);
		}
	}
	if (!buy.on && !talk.on)
		return 0;
	/* The stronger signal leads (its figures fill the row); the other follows. */
	*first = buy.on && (!talk.on || buy.ratio >= talk.ratio) ? buy : talk;
	*second = buy.on && (!talk.on || buy.ratio >= talk.ratio) ? talk : buy;
	return 1;
}

static json_t *s_risk_row(const s_risk_in *in, uint64_t now, int64_t today, int *bad)
{
	s_signal first, second;
	char reason[200], last[32];
	json_t *row;
	if (!s_risk_judge(in, now, today, 1, &first, &second))
		return NULL;
	snprintf(reason, sizeof reason, "%s%s%s", first.text, second.on ? "; " : "",
	         second.on ? second.text : "");
	row = json_object();
	rp_put(row, "id", json_string(in->id), bad);
	rp_put(row, "name", rp_jtext(in->r.name), bad);
	rp_put(row, "owner", rp_jtext(in->r.owner), bad);
	rp_put(row, "reason", json_string(reason), bad);
	rp_put(row, "last_contact", in->last_text ? rp_jtext(in->last_text) : in->r.last_valid ?
	       json_string(rp_when_iso(in->r.last, last, sizeof last)) : json_null(), bad);
	rp_put(row, "cadence_days", json_integer(first.usual), bad);
	rp_put(row, "days_since", json_integer(first.days), bad);
	return row;
}

/* The accounts judged at risk, compactly (rows are made for the first
 * limit only), in the order rp_rows gives. With a limit, only the best
 * limit are kept: a heap, the worst of them on top. */
typedef struct s_risk_list {
	s_risk_in *v;
	size_t     n, cap, limit;
	uint64_t   now, upto;        /* upto: the last day (biased) an 'R' walk takes */
	int64_t    today;            /* now's local day (rp_when_day) */
	int        bad;              /* an entry that was not one: fsck --rebuild */
} s_risk_list;

static int s_cmp_risk(const void *a, const void *b)
{
	const s_risk_in *x = a, *y = b;
	rp_row rx = { .score = x->score, .name = x->r.name, .id = x->id };
	rp_row ry = { .score = y->score, .name = y->r.name, .id = y->id };
	return rp_rows_cmp(&rx, &ry);
}

static void s_risk_swap(s_risk_in *a, s_risk_in *b)
{
	s_risk_in t = *a;
	*a = *b;
	*b = t;
}

static int s_risk_add(s_risk_list *l, const s_risk_in *in)
{
	s_signal first, second;
	s_risk_in c = *in;
	size_t i;
	if (!s_risk_judge(in, l->now, l->today, 0, &first, &second))
		return 0;
	c.score = first.ratio;
	if (l->n == l->limit) {                 /* full: it replaces the worst, if better */
		if (s_cmp_risk(&c, &l->v[0]) >= 0)
			return 0;
		l->v[0] = c;
		for (i = 0;;) {
			size_t w = i, k = 2 * i + 1;
			if (k < l->n && s_cmp_risk(&l->v[k], &l->v[w]) > 0)
				w = k;
			if (k + 1 < l->n && s_cmp_risk(&l->v[k + 1], &l->v[w]) > 0)
				w = k + 1;
			if (w == i)
				return 0;
			s_risk_swap(&l->v[i], &l->v[w]);
			i = w;
		}
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		s_risk_in *g = realloc(l->v, cap * sizeof *g);
		if (!g)
			return rp_fail(RP_ENOMEM, "out of memory");
		l->v = g;
		l->cap = cap;
	}
	l->v[i = l->n++] = c;
	for (; l->limit != SIZE_MAX && i > 0 && s_cmp_risk(&l->v[i], &l->v[(i - 1) / 2]) > 0; i = (i - 1) / 2)
		s_risk_swap(&l->v[i], &l->v[(i - 1) / 2]);
	return 0;
}

static int s_risk_one(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                      const MDB_val *val)
{
	s_risk_list *l = arg;
	s_risk_in in = { .last_text = NULL };
	if (blen != 8)
		return 0;
	if (rp_be64_get(body) > l->upto)
		return RP_STORE_STOP;
	if (rp_index_risk_get(val, &in.r) != 0) {
		l->bad = 1;
		return 0;
	}
	rp_b32_encode(acct, RP_ACCOUNT_LEN, in.id, sizeof in.id);
	return s_risk_add(l, &in);
}

/* The reference: every account's summary, and its view's rhythm. */
static int s_risk_scan(rp_node *n, MDB_txn *txn, rp_book *as, s_risk_list *l)
{
	int rc;
	if ((rc = rp_book_load(n, txn, as)))
		return rc;
	for (size_t i = 0; i < as->n; i++) {
		const rp_book_acct *a = &as->v[i];
		s_risk_in in = { .last_text = a->sum->last_contact.text };
		json_t *view;
		in.r = (rp_index_risk){ .cadence = a->sum->has_cadence ? a->sum->cadence_days : 0,
		                        .interactions = a->sum->interactions, .name = a->sum->name,
		                        .owner = a->sum->owner, .last = a->sum->last_contact.ms,
		                        .last_valid = a->sum->last_contact.valid };
		if (a->sum->archived || (in.r.cadence <= 0 && in.r.interactions < 3))
			continue;
		if ((rc = rp_book_view(n, txn, a, &view)) == RP_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		rc = rp_index_rhythm(view, &in.r.last_buy, &in.r.gap);
		json_decref(view);
		if (rc)
			return rp_fail(rc, "out of memory");
		snprintf(in.id, sizeof in.id, "%s", a->sum->id);
		if ((rc = s_risk_add(l, &in)))
			return rc;
	}
	return 0;
}

int rp_at_risk(rp_node *n, size_t limit, json_t **out)
{
	MDB_txn *txn;
	rp_book as = { 0 };
	s_risk_list l = { .now = rp_node_now(n), .limit = limit ? limit : SIZE_MAX };
	json_t *list = NULL;
	int rc;

	rp_errclear();
	tzset();
	l.today = rp_when_day(l.now);
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if (!n->scan) {
		/* a reader's day is within one of the UTC day the index counts in */
		l.upto = rp_index_day(l.now) + 1;
		if ((rc = rp_index_walk(n->store, txn, 'R', NULL, 0, s_risk_one, &l)) == 0 && l.bad)
			rc = rp_fail(RP_EIO, "the at-risk index is unreadable (try 'rapport fsck --rebuild')");
	} else {
		rc = s_risk_scan(n, txn, &as, &l);
	}
	if (rc)
		goto out;
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, s_cmp_risk);
	if (!(list = json_array())) {
		rc = rp_fail(RP_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < l.n && i < limit; i++) {
		int bad = 0;
		json_t *row = s_risk_row(&l.v[i], l.now, l.today, &bad);
		if (!row || bad || json_array_append_new(list, row)) {
			if (bad)
				json_decref(row);
			rc = rp_fail(RP_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = list;
	list = NULL;
out:
	json_decref(list);
	free(l.v);
	rp_book_free(&as);
	rp_store_end(txn);
	return rc;
}

/* ---- find ---------------------------------------------------------------- */

typedef struct s_words {
	char  *buf;             /* the words, folded loosely (text/casefold.h), NULs between them */
	char **w;
	size_t n, used, cap;
} s_words;

/* Does a word of hay (as rp_index_words cuts it) start with word? */
typedef struct s_prefix {
	const char *word;
	size_t      len;
} s_prefix;

static int s_prefix_one(void *arg, const char *w, size_t n)
{
	const s_prefix *p = arg;
	return n >= p->len && !memcmp(w, p->word, p->len) ? RP_STORE_STOP : 0;
}

static int s_has(const char *hay, const char *word)
{
	s_prefix p = { word, strlen(word) };
	return hay && rp_index_words(hay, s_prefix_one, &p) == RP_STORE_STOP;
}

static int s_word_keep(void *arg, const char *w, size_t n)
{
	s_words *ws = arg;
	memcpy(ws->buf + ws->used, w, n);
	ws->buf[ws->used + n] = 0;
	ws->w[ws->n++] = ws->buf + ws->used;
	ws->used += n + 1;
	return 0;
}

/* The search text's words, cut as the index cuts them. */
static int s_words_split(const char *text, s_words *ws)
{
	size_t len = strlen(text);
	ws->buf = malloc(len + 2);
	ws->w = calloc(len / 2 + 2, sizeof *ws->w);
	ws->n = ws->used = 0;
	if (!ws->buf || !ws->w || rp_index_words(text, s_word_keep, ws))
		return rp_fail(RP_ENOMEM, "out of memory");
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
static int s_find_push(rp_rows *rows, const rp_book_acct *a, const char *type, json_t *id,
                       const char *text)
{
	json_t *row = json_object();
	int bad = 0;
	rp_put(row, "type", json_string(type), &bad);
	rp_put(row, "id", id, &bad);
	rp_put(row, "account_id", json_string(a->sum->id), &bad);
	rp_put(row, "account", rp_jtext(a->sum->name), &bad);
	rp_put(row, "text", s_clip(text), &bad);
	return rp_rows_push(rows, (rp_row){ .row = row }, bad);
}

/* The account row: its name, and what else matched when the name alone
 * does not hold every word ("Acme (city: Lyon)"). */
static int s_find_account(const s_words *ws, const rp_book_acct *a, const json_t *view, rp_rows *rows)
{
	const char *name = rp_jstr(view, "name");
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
static int s_find_contacts(const s_words *ws, const rp_book_acct *a, const json_t *view, rp_rows *rows)
{
	static const char *const keys[] = { "name", "role", "email", "phone" };
	const json_t *c;
	size_t i;
	int rc;
	json_array_foreach(json_object_get(view, "contacts"), i, c) {
		const char *hay[5] = { rp_jstr(view, "name") };
		char text[1024];
		size_t len = 0;
		int all, own;
		for (size_t k = 0; k < 4; k++)
			hay[k + 1] = rp_jstr(c, keys[k]);
		s_match(ws, hay, 5, 1, &all, &own);
		if (!all || !own)
			continue;
		text[0] = 0;
		for (size_t k = 1; k < 5; k++)
			if (hay[k] && *hay[k] && len < sizeof text) {
				snprintf(text + len, sizeof text - len, "%s%s", len ? ", " : "", hay[k]);
				len = strlen(text);
			}
		if ((rc = s_find_push(rows, a, "contact", rp_jcopy(c, "id"), text)))
			return rc;
	}
	return 0;
}

static int s_find_interactions(const s_words *ws, const rp_book_acct *a, const json_t *view, rp_rows *rows)
{
	const json_t *ix;
	size_t i;
	int rc;
	json_array_foreach(json_object_get(view, "interactions"), i, ix) {
		const char *hay[5] = { rp_jstr(view, "name"), rp_jstr(ix, "type"), rp_jstr(ix, "text"),
		                       rp_jstr(ix, "contact"), rp_jstr(ix, "outcome") };
		char *text;
		int all, own;
		if (json_is_true(json_object_get(ix, "retracted")))
			continue;
		s_match(ws, hay, 5, 1, &all, &own);
		if (!all || !own)
			continue;
		if (!(text = s_format("%s: %s", hay[1] ? hay[1] : "", hay[2] ? hay[2] : "")))
			return rp_fail(RP_ENOMEM, "out of memory");
		rc = s_find_push(rows, a, "interaction", rp_jcopy(ix, "id"), text);
		free(text);
		if (rc)
			return rc;
	}
	return 0;
}

/* The accounts that hold a word starting with each of the words: the
 * index's 'W' entries, one walk a word, intersected. */
static int s_find_book(rp_node *n, MDB_txn *txn, const s_words *ws, rp_book *as)
{
	rp_ids all = { 0 };
	int rc = 0;
	for (size_t k = 0; k < ws->n && rc == 0; k++) {
		rp_ids one = { 0 };
		size_t len = strlen(ws->w[k]), keep = 0;
		if (len > 64)
			len = 64;                /* the index keeps a word's first 64 bytes */
		if ((rc = rp_index_walk(n->store, txn, 'W', ws->w[k], len, s_add_id, &one)) == 0) {
			rp_ids_sort(&one);
			if (k == 0) {
				all = one;
				one = (rp_ids){ 0 };
			} else {
				for (size_t i = 0; i < all.n; i++)
					if (rp_ids_has(&one, all.v + i * RP_ACCOUNT_LEN))
						memmove(all.v + keep++ * RP_ACCOUNT_LEN, all.v + i * RP_ACCOUNT_LEN, RP_ACCOUNT_LEN);
				all.n = keep;
			}
		}
		rp_ids_free(&one);
	}
	/* accounts whose words a bulk write has not put yet are candidates
	 * too (each candidate is checked against its view) */
	if (rc == 0 && rp_words_due(n->store, txn)) {
		if ((rc = rp_words_walk_due(n->store, txn, s_add_due, &all)) == 0)
			rp_ids_sort(&all);
	}
	if (rc == 0)
		rc = rp_book_pick(n, txn, all.v, all.n, as);
	else
		rc = rp_fail(rc, "cannot read the word index");
	rp_ids_free(&all);
	return rc;
}

/* Every word must start a word of what it matches (both folded loosely
 * and cut as rp_index_words cuts them). Accounts match on
 * name, field values and tags; contacts on name, role, email, phone;
 * interactions (not retracted) on type, text, contact, outcome; both of the
 * latter may also use their account's name for some words. Rows: accounts,
 * then contacts, then interactions, each in account-name order. */
int rp_find(rp_node *n, const char *text, json_t **out)
{
	MDB_txn *txn;
	rp_book as;
	s_words ws = { 0 };
	rp_rows accts = { 0 }, contacts = { 0 }, ixs = { 0 };
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
	if ((rc = n->scan ? rp_book_load(n, txn, &as) : s_find_book(n, txn, &ws, &as)))
		goto out_txn;
	/* Accounts come in name order; rows keep it: no sort needed. */
	for (i = 0; i < as.n; i++) {
		rc = rp_book_view(n, txn, &as.v[i], &view);
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
	if ((rc = rp_rows_append(&accts, SIZE_MAX, list)) ||
	    (rc = rp_rows_append(&contacts, SIZE_MAX, list)) ||
	    (rc = rp_rows_append(&ixs, SIZE_MAX, list)))
		goto out;
	*out = list;
	list = NULL;
out:
	rp_rows_free(&accts);
	rp_rows_free(&contacts);
	rp_rows_free(&ixs);
	json_decref(list);
	rp_book_free(&as);
out_txn:
	rp_store_end(txn);
out_words:
	s_words_free(&ws);
	return rc;
}

/* ---- complaints ---------------------------------------------------------- */

/* The open complaints from the index ('P'), a row of each as the scan
 * below makes them, from the entry alone (it holds its account's card). */
typedef struct s_open_walk {
	rp_rows *rows;
	int      bad;
} s_open_walk;

static int s_open_row(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                      const MDB_val *val)
{
	s_open_walk *w = arg;
	rp_index_complaint cp;
	rp_index_card c;
	char id[RP_REF_TEXT + 1], account[RP_ACCOUNT_TEXT + 1];
	json_t *row;
	int bad = 0;
	if (blen != 8 + RP_REF_LEN)
		return 0;
	if (rp_index_complaint_get(val, &cp, &c)) {
		w->bad = 1;
		return 0;
	}
	rp_b32_encode(body + 8, RP_REF_LEN, id, sizeof id);
	rp_b32_encode(acct, RP_ACCOUNT_LEN, account, sizeof account);
	row = json_object();
	rp_put(row, "id", json_string(id), &bad);
	rp_put(row, "account_id", json_string(account), &bad);
	rp_put(row, "account", rp_jtext(c.name), &bad);
	rp_put(row, "at", json_string(cp.at), &bad);
	rp_put(row, "text", rp_jtext(cp.text), &bad);
	rp_put(row, "resolved", json_false(), &bad);
	rp_put(row, "resolution", json_null(), &bad);
	return rp_rows_push(w->rows, (rp_row){ .row = row, .k1 = 0, .k2 = -(int64_t)~rp_be64_get(body),
	        .name = rp_jstr(row, "account"), .id = rp_jstr(row, "account_id"),
	        .sub = rp_jstr(row, "id") }, bad);
}

static int s_complaints_open(rp_node *n, MDB_txn *txn, json_t **out)
{
	rp_rows rows = { 0 };
	s_open_walk w = { &rows, 0 };
	int rc = rp_index_walk(n->store, txn, 'P', NULL, 0, s_open_row, &w);
	if (rc == 0 && w.bad)
		rc = rp_fail(RP_EIO, "the complaints index is unreadable (try 'rapport fsck --rebuild')");
	if (rc == 0)
		rc = rp_rows_emit(&rows, SIZE_MAX, out);
	rp_rows_free(&rows);
	return rc;
}

/* Complaint interactions not retracted: open first, then newest first. */
int rp_complaints(rp_node *n, int open_only, json_t **out)
{
	MDB_txn *txn;
	rp_book as;
	rp_rows rows = { 0 };
	json_t *view, *ix;
	size_t i, j;
	int rc;

	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if (open_only && !n->scan) {
		rc = s_complaints_open(n, txn, out);
		rp_store_end(txn);
		return rc;
	}
	if ((rc = rp_book_load(n, txn, &as)))
		goto out_txn;
	for (i = 0; i < as.n; i++) {
		rp_book_acct *a = &as.v[i];
		/* The summary counts open complaints only: resolved ones need the view. */
		if (open_only ? a->sum->open_complaints <= 0 : a->sum->interactions <= 0)
			continue;
		rc = rp_book_view(n, txn, a, &view);
		if (rc == RP_ENOTFOUND)
			continue;
		if (rc)
			goto out;
		json_array_foreach(json_object_get(view, "interactions"), j, ix) {
			const char *type = rp_jstr(ix, "type");
			int resolved = json_is_true(json_object_get(ix, "resolved"));
			uint64_t at = 0;
			json_t *row;
			int bad = 0;
			if (!type || strcmp(type, "complaint") || json_is_true(json_object_get(ix, "retracted")) ||
			    (open_only && resolved))
				continue;
			rp_iso_ms(json_object_get(ix, "at"), &at);
			row = json_object();
			rp_put(row, "id", rp_jcopy(ix, "id"), &bad);
			rp_put(row, "account_id", json_string(a->sum->id), &bad);
			rp_put(row, "account", rp_jtext(a->sum->name), &bad);
			rp_put(row, "at", rp_jcopy(ix, "at"), &bad);
			rp_put(row, "text", rp_jcopy(ix, "text"), &bad);
			rp_put(row, "resolved", json_boolean(resolved), &bad);
			rp_put(row, "resolution", rp_jcopy(ix, "resolution"), &bad);
			if ((rc = rp_rows_push(&rows, (rp_row){ .row = row, .k1 = resolved, .k2 = -(int64_t)at,
			        .name = rp_jstr(row, "account"), .id = rp_jstr(row, "account_id"),
			        .sub = rp_jstr(row, "id"), .ref = a }, bad))) {
				json_decref(view);
				goto out;
			}
		}
		json_decref(view);
	}
	rc = rp_rows_emit(&rows, SIZE_MAX, out);
out:
	rp_rows_free(&rows);
	rp_book_free(&as);
out_txn:
	rp_store_end(txn);
	return rc;
}
