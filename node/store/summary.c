/* node/store/summary.c — decode a stored summary into one rp_summary (see
 * summary.h), and lay one out as JSON for the public API. The decoder trusts
 * nothing it reads: a summary it cannot read whole is refused, never half
 * filled. */
#include <stdlib.h>
#include <string.h>

#include "summary.h"
#include "view.h"
#include "../text/when.h"
#include "../../proto/error.h"

long rp_summary_alloc_fail;

/* The one allocation a summary lives in: the struct, then its pointer
 * arrays, its amounts, then its strings. A first pass sizes it (the plan),
 * a second fills it. */
typedef struct s_plan {
	size_t ptrs;      /* string pointers of the three lists */
	size_t amounts;
	size_t bytes;     /* string bytes, NULs included */
} s_plan;

typedef struct s_fill {
	const char **ptr;
	char        *str;
} s_fill;

/* A string key: absent or null → *ok with no string; a string without a NUL
 * in it → its text; else not a summary. */
static int s_str_ok(const json_t *v)
{
	return !v || json_is_null(v) ||
	       (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v));
}

static void s_plan_str(s_plan *p, const json_t *v)
{
	if (json_is_string(v))
		p->bytes += json_string_length(v) + 1;
}

static const char *s_put_str(s_fill *f, const json_t *v)
{
	size_t n;
	char *t;
	if (!json_is_string(v))
		return NULL;
	n = json_string_length(v);
	t = f->str;
	memcpy(t, json_string_value(v), n + 1);
	f->str += n + 1;
	return t;
}

/* A list of strings: absent or an array of strings. */
static int s_plan_list(s_plan *p, const json_t *v)
{
	size_t i;
	json_t *e;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return RP_EIO;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || !s_str_ok(e))
			return RP_EIO;
		s_plan_str(p, e);
	}
	p->ptrs += json_array_size(v);
	return 0;
}

static const char *const *s_put_list(s_fill *f, const json_t *v, size_t *n)
{
	const char **list = f->ptr;
	size_t i;
	json_t *e;
	*n = json_array_size(v);        /* 0 for absent */
	json_array_foreach(v, i, e)
		list[i] = s_put_str(f, e);
	f->ptr += *n;
	return list;
}

/* An integer of the stats: absent or null → 0; an integer; else not one. */
static int s_int(const json_t *v, int64_t *out, int *present)
{
	*out = 0;
	if (present)
		*present = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return RP_EIO;
	*out = (int64_t)json_integer_value(v);
	if (present)
		*present = 1;
	return 0;
}

/* The values of a summary's keys, found in one walk of the object and one
 * of its stats (a json_object_get per key hashed each name again: a tenth
 * of a list's time); NULL for a key that is absent. Unknown keys (from a
 * newer rapport) are ignored. */
typedef struct s_keys {
	const json_t *id, *name, *owner, *tags, *archived, *value, *stats, *followers, *owners_before;
	const json_t *last_contact, *next_due, *interactions, *purchases, *cadence_days,
	             *open_complaints, *open_followups, *contact_every, *no_calls, *buys, *referred_by,
	             *last_purchase, *contact_gap_ms;
} s_keys;

static void s_keys_read(const json_t *j, s_keys *k)
{
	const char *key;
	json_t *v;
	*k = (s_keys){ 0 };
	json_object_foreach((json_t *)j, key, v) {
		if (!strcmp(key, "id")) k->id = v;
		else if (!strcmp(key, "name")) k->name = v;
		else if (!strcmp(key, "owner")) k->owner = v;
		else if (!strcmp(key, "tags")) k->tags = v;
		else if (!strcmp(key, "archived")) k->archived = v;
		else if (!strcmp(key, "value")) k->value = v;
		else if (!strcmp(key, "stats")) k->stats = v;
		else if (!strcmp(key, "followers")) k->followers = v;
		else if (!strcmp(key, "owners_before")) k->owners_before = v;
	}
	json_object_foreach((json_t *)k->stats, key, v) {
		if (!strcmp(key, "last_contact")) k->last_contact = v;
		else if (!strcmp(key, "next_due")) k->next_due = v;
		else if (!strcmp(key, "interactions")) k->interactions = v;
		else if (!strcmp(key, "purchases")) k->purchases = v;
		else if (!strcmp(key, "cadence_days")) k->cadence_days = v;
		else if (!strcmp(key, "open_complaints")) k->open_complaints = v;
		else if (!strcmp(key, "open_followups")) k->open_followups = v;
		else if (!strcmp(key, "contact_every")) k->contact_every = v;
		else if (!strcmp(key, "no_calls")) k->no_calls = v;
		else if (!strcmp(key, "buys")) k->buys = v;
		else if (!strcmp(key, "referred_by")) k->referred_by = v;
		else if (!strcmp(key, "last_purchase")) k->last_purchase = v;
		else if (!strcmp(key, "contact_gap_ms")) k->contact_gap_ms = v;
	}
}

static int s_plan_time(s_plan *p, const json_t *v)
{
	if (!s_str_ok(v))
		return RP_EIO;
	s_plan_str(p, v);
	return 0;
}

static void s_put_time(s_fill *f, const json_t *v, rp_summary_time *t)
{
	t->text = s_put_str(f, v);
	t->valid = t->text && rp_when_parse_iso(t->text, &t->ms) == 0;
	if (!t->valid)
		t->ms = 0;
}

/* value: absent or [{cents: integer, currency: "EUR"}]. */
static int s_plan_value(s_plan *p, const json_t *v)
{
	size_t i;
	json_t *a;
	if (!v)
		return 0;
	if (!json_is_array(v))
		return RP_EIO;
	json_array_foreach(v, i, a) {
		const json_t *c = json_object_get(a, "cents"), *cur = json_object_get(a, "currency");
		if (!json_is_object(a) || !json_is_integer(c) || !json_is_string(cur) ||
		    json_string_length(cur) > RP_SUMMARY_CURRENCY_MAX || !s_str_ok(cur))
			return RP_EIO;
	}
	p->amounts += json_array_size(v);
	return 0;
}

/* Check the shape of every key (k read from a JSON object) and size what
 * they hold. */
static int s_plan_summary(s_plan *p, const s_keys *k)
{
	int rc;
	*p = (s_plan){ 0 };
	if (k->id && !json_is_null(k->id) &&
	    (!json_is_string(k->id) || json_string_length(k->id) > RP_ACCOUNT_TEXT || !s_str_ok(k->id)))
		return RP_EIO;
	if (!s_str_ok(k->name) || !s_str_ok(k->owner))
		return RP_EIO;
	if (k->archived && !json_is_boolean(k->archived) && !json_is_null(k->archived))
		return RP_EIO;
	if (k->stats && !json_is_object(k->stats) && !json_is_null(k->stats))
		return RP_EIO;
	if (k->no_calls && !json_is_boolean(k->no_calls) && !json_is_null(k->no_calls))
		return RP_EIO;
	if (k->referred_by && !json_is_null(k->referred_by) &&
	    (!json_is_string(k->referred_by) || json_string_length(k->referred_by) != RP_ACCOUNT_TEXT))
		return RP_EIO;
	s_plan_str(p, k->name);
	s_plan_str(p, k->owner);
	if ((rc = s_plan_list(p, k->tags)) ||
	    (rc = s_plan_list(p, k->followers)) ||
	    (rc = s_plan_list(p, k->owners_before)) ||
	    (rc = s_plan_list(p, k->buys)) ||
	    (rc = s_plan_value(p, k->value)) ||
	    (rc = s_plan_time(p, k->last_contact)) ||
	    (rc = s_plan_time(p, k->last_purchase)) ||
	    (rc = s_plan_time(p, k->next_due)))
		return rc;
	return 0;
}

static int s_fill_summary(rp_summary *s, s_fill *f, const s_keys *k, rp_summary_amount *amounts)
{
	const json_t *a;
	size_t i;
	int rc;
	if (json_is_string(k->id))
		memcpy(s->id, json_string_value(k->id), json_string_length(k->id) + 1);
	s->name = s_put_str(f, k->name);
	s->owner = s_put_str(f, k->owner);
	s->archived = json_is_true(k->archived);
	s->tags = s_put_list(f, k->tags, &s->ntags);
	s->followers = s_put_list(f, k->followers, &s->nfollowers);
	s->owners_before = s_put_list(f, k->owners_before, &s->nowners_before);
	s->buys = s_put_list(f, k->buys, &s->nbuys);
	json_array_foreach(k->value, i, a) {
		const json_t *cur = json_object_get(a, "currency");
		amounts[i].cents = (int64_t)json_integer_value(json_object_get(a, "cents"));
		memcpy(amounts[i].currency, json_string_value(cur), json_string_length(cur) + 1);
	}
	s->value = amounts;
	s->nvalue = json_array_size(k->value);
	s_put_time(f, k->last_contact, &s->last_contact);
	s_put_time(f, k->next_due, &s->next_due);
	s_put_time(f, k->last_purchase, &s->last_purchase);
	if ((rc = s_int(k->interactions, &s->interactions, NULL)) ||
	    (rc = s_int(k->purchases, &s->purchases, NULL)) ||
	    (rc = s_int(k->open_complaints, &s->open_complaints, NULL)) ||
	    (rc = s_int(k->open_followups, &s->open_followups, NULL)) ||
	    (rc = s_int(k->cadence_days, &s->cadence_days, &s->has_cadence)) ||
	    (rc = s_int(k->contact_every, &s->contact_every, NULL)) ||
	    (rc = s_int(k->contact_gap_ms, &s->contact_gap_ms, &s->has_contact_gap)))
		return rc;
	s->no_calls = json_is_true(k->no_calls);
	if (json_is_string(k->referred_by))
		memcpy(s->referred_by, json_string_value(k->referred_by), RP_ACCOUNT_TEXT + 1);
	return 0;
}

static size_t s_align(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

int rp_summary_decode(const void *bytes, size_t len, rp_summary **out)
{
	return rp_summary_decode_doc(bytes, len, out, NULL);
}

int rp_summary_decode_doc(const void *bytes, size_t len, rp_summary **out, json_t **doc)
{
	json_error_t err;
	json_t *j;
	s_keys k;
	s_plan p;
	s_fill f;
	rp_summary *s;
	rp_summary_amount *amounts;
	size_t at_ptrs, at_amounts, at_str;
	long allocs;
	int rc, nomem;

	*out = NULL;
	if (doc)
		*doc = NULL;
	/* jansson says "bad syntax" when it could not allocate: ask the watch */
	rp_view_watch_begin(rp_summary_alloc_fail);
	j = json_loadb(bytes, len, 0, &err);
	nomem = rp_view_watch_end(&allocs);
	if (!j || nomem) {
		json_decref(j);
		return nomem ? RP_ENOMEM : RP_EIO;
	}
	if (!json_is_object(j)) {
		rc = RP_EIO;
		goto out;
	}
	s_keys_read(j, &k);
	if ((rc = s_plan_summary(&p, &k)))
		goto out;
	/* struct, pointers, amounts, strings: each part aligned for its type */
	at_ptrs = s_align(sizeof *s, _Alignof(char *));
	at_amounts = s_align(at_ptrs + p.ptrs * sizeof(char *), _Alignof(rp_summary_amount));
	at_str = at_amounts + p.amounts * sizeof *amounts;
	if (allocs + 1 == rp_summary_alloc_fail || !(s = malloc(at_str + p.bytes))) {
		rc = RP_ENOMEM;
		goto out;
	}
	memset(s, 0, sizeof *s);
	f.ptr = (const char **)((char *)s + at_ptrs);
	amounts = (rp_summary_amount *)((char *)s + at_amounts);
	f.str = (char *)s + at_str;
	if ((rc = s_fill_summary(s, &f, &k, amounts))) {
		free(s);
		goto out;
	}
	*out = s;
	if (doc) {
		*doc = j;
		j = NULL;
	}
out:
	json_decref(j);
	return rc;
}

void rp_summary_free(rp_summary **s)
{
	if (s) {
		free(*s);
		*s = NULL;
	}
}

int rp_summary_load(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                    rp_summary **out)
{
	return rp_summary_load_doc(st, txn, acct, out, NULL);
}

int rp_summary_load_doc(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                        rp_summary **out, json_t **doc)
{
	MDB_val v;
	int rc;
	*out = NULL;
	if (doc)
		*doc = NULL;
	if ((rc = rp_store_get(txn, st->summaries, acct, RP_ACCOUNT_LEN, &v)))
		return rc;
	return rp_summary_decode_doc(v.mv_data, v.mv_size, out, doc);
}

int rp_summary_has(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

int rp_summary_held_by(const rp_summary *s, const char *member)
{
	return (s->owner && !strcmp(s->owner, member)) ||
	       rp_summary_has(s->followers, s->nfollowers, member);
}

int64_t rp_summary_value_in(const rp_summary *s, const char *currency)
{
	for (size_t i = 0; i < s->nvalue; i++)
		if (!strcmp(s->value[i].currency, currency))
			return s->value[i].cents;
	return 0;
}

/* ---- the edge: JSON ------------------------------------------------------- */

static json_t *s_jtext(const char *t)
{
	return t ? json_string(t) : json_null();
}

json_t *rp_summary_list_json(const char *const *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(list[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *rp_summary_value_json(const rp_summary *s)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < s->nvalue; i++)
		if (json_array_append_new(a, json_pack("{sIss}", "cents", (json_int_t)s->value[i].cents,
		                                       "currency", s->value[i].currency))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* json_pack's "o" takes its reference even when the pack fails: a NULL
 * among them fails the pack, and every other is released. */
json_t *rp_summary_json(const rp_summary *s)
{
	json_t *stats = json_pack("{sosIsIsosIsIsosososbsososo}",
	        "last_contact", s_jtext(s->last_contact.text),
	        "interactions", (json_int_t)s->interactions,
	        "purchases", (json_int_t)s->purchases,
	        "cadence_days", s->has_cadence ? json_integer((json_int_t)s->cadence_days) : json_null(),
	        "open_complaints", (json_int_t)s->open_complaints,
	        "open_followups", (json_int_t)s->open_followups,
	        "next_due", s_jtext(s->next_due.text),
	        "contact_every", s->contact_every > 0 ? json_integer((json_int_t)s->contact_every) : json_null(),
	        "buys", rp_summary_list_json(s->buys, s->nbuys),
	        "no_calls", s->no_calls,
	        "referred_by", s->referred_by[0] ? json_string(s->referred_by) : json_null(),
	        "last_purchase", s_jtext(s->last_purchase.text),
	        "contact_gap_ms", s->has_contact_gap ? json_integer((json_int_t)s->contact_gap_ms) : json_null());
	return json_pack("{sososososososososo}",
	        "id", s->id[0] ? json_string(s->id) : json_null(),
	        "name", s_jtext(s->name), "owner", s_jtext(s->owner),
	        "tags", rp_summary_list_json(s->tags, s->ntags), "archived", json_boolean(s->archived),
	        "value", rp_summary_value_json(s), "stats", stats,
	        "followers", rp_summary_list_json(s->followers, s->nfollowers),
	        "owners_before", rp_summary_list_json(s->owners_before, s->nowners_before));
}
