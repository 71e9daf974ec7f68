/* node/crm/import.c — accounts and their history from a CSV or JSONL file, all or
 * nothing: the whole file is parsed and checked into a plan first, then the plan
 * is written in one rp_write. It must never leave part of a file in the store. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "import.h"
#include "spill.h"
#include "../node.h"
#include "../text/casefold.h"
#include "../store/view.h"
#include "../store/index.h"
#include "../store/summary.h"
#include "../store/roster.h"
#include "../text/csv.h"
#include "../../proto/body.h"
#include "../store/refs.h"
#include "../store/words.h"
#include "../store/schema.h"
#include "../text/amount.h"
#include "../text/when.h"
#include "../../proto/error.h"
#include "../../proto/limits.h"

/* A streamed write commits every this many bytes of ops (s_stream_jsonl). */
size_t rp_import_chunk = (size_t)8 * 1024 * 1024;

/* A JSONL file this big is streamed, not read whole (s_stream_jsonl); a
 * variable so tests can stream small files. */
size_t rp_import_stream_min = (size_t)8 * 1024 * 1024;

/* The largest file import reads whole: it holds the file and its plan in memory. */
#define RP_IMPORT_FILE_MAX ((size_t)256 * 1024 * 1024)

/* ---- the plan's memory: one arena, freed at once ---------------------------- */

#define S_BLOCK (1024 * 1024)

typedef struct s_block {
	struct s_block *next;
	size_t          used, cap;
	max_align_t     data[];
} s_block;

typedef struct s_arena {
	s_block *head;
} s_arena;

static void *s_alloc(s_arena *a, size_t n)
{
	size_t al = sizeof(max_align_t);
	void *p;
	n = n ? (n + al - 1) / al * al : al;
	if (!a->head || a->head->cap - a->head->used < n) {
		size_t cap = n > S_BLOCK ? n : S_BLOCK;
		s_block *b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	p = (char *)a->head->data + a->head->used;
	a->head->used += n;
	return p;
}

static char *s_dup(s_arena *a, const char *s, size_t n)
{
	char *p = s_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static void s_arena_free(s_arena *a)
{
	while (a->head) {
		s_block *b = a->head;
		a->head = b->next;
		free(b);
	}
}

/* Empty the arena for the next account, keeping one block: a streamed
 * import plans 100,000 accounts one after the other. */
static void s_arena_reset(s_arena *a)
{
	while (a->head && a->head->next) {
		s_block *b = a->head;
		a->head = b->next;
		free(b);
	}
	if (a->head)
		a->head->used = 0;
}

/* ---- the plan --------------------------------------------------------------- */

/* The plan's types are the header's (import.h): the writer reads them. */
typedef rp_plan_field   s_field;
typedef rp_plan_contact s_contact;
typedef rp_plan_ix      s_ix;
typedef rp_plan_fu      s_fu;
typedef rp_plan_acct    s_acct;

#define S_IDS 256   /* account ids drawn at a time: one getrandom, not one an account */

typedef struct s_import {
	rp_node    *node;
	const char *path;
	MDB_txn    *txn;            /* a read txn, while planning */
	uint64_t    now;
	s_arena     arena;
	s_acct     *accts;
	size_t      nacct, cap;
	json_t     *seen;           /* lower(name) → line: names are unique in a file */
	json_t     *view;           /* the stored view of the account being planned */
	json_t     *have;           /* what that account holds and the plan adds (dedupe keys) */
	char       *key;            /* the dedupe key being looked up */
	size_t      keycap;
	json_int_t  n_ix, n_fu, n_contacts, n_updated;
	const rp_import_opts *opts;
	json_t     *sources;        /* source_id → account id text, of the accounts held */
	json_t     *unmapped;       /* owner as the file spells it → accounts, mapped to nobody */
	json_t     *columns;        /* [{column, to}]: what each CSV column became */
	int         entries;        /* 'i', 'c': a CSV of interactions or contacts, 0: of accounts */
	char        member[RP_NAME_MAX + 1];   /* this device's member: who imports */
	char        currency[4];    /* the team's: an amount without a currency is in it */
	rp_plan_sink sink;          /* writes one planned account (node/load.h) */
	void       *sink_arg;
	int         deferred;       /* a streamed write deferred its refs (store/refs.h) */
	struct s_referral *refs;    /* the file's referred-by values, written last */
	size_t      nrefs, refroom;
	uint8_t     ids[S_IDS][RP_ACCOUNT_LEN];   /* random ids drawn ahead: the first nids unused */
	size_t      nids;
} s_import;

/* An account's referred-by, as the file gives it: another account of the
 * file (by name) or one held here (any ACCOUNT form). Written once every
 * account of the file is, so it may name one that comes later. */
typedef struct s_referral {
	uint8_t acct[RP_ACCOUNT_LEN];   /* the account referred */
	size_t  line;
	char   *value;
	uint8_t by[RP_ACCOUNT_LEN];     /* its referrer, found (s_referrals_find) */
} s_referral;

static int s_bad(s_import *im, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int s_bad(s_import *im, size_t line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return rp_fail(RP_EINVAL, "%s:%zu: %s", im->path, line, msg);
}

static int s_nomem(void)
{
	return rp_fail(RP_ENOMEM, "out of memory reading the import file");
}

static int s_is_member(s_import *im, const char *name)
{
	return strlen(name) <= RP_NAME_MAX &&
	       rp_roster_member(im->node->store, im->txn, name, NULL) == 0;
}

/* The member an owner of the file stands for: --owner-map NAME=MEMBER
 * first (NAME as the file spells it, ignoring case), else a member of that
 * name; NULL when neither (counted in im->unmapped, for the summary: the
 * account is then this device's member's). */
static const char *s_owner(s_import *im, const char *owner)
{
	json_t *n;
	for (size_t i = 0; im->opts && i < im->opts->nowner_maps; i++) {
		const char *m = im->opts->owner_maps[i], *eq = strrchr(m, '=');
		if (eq && (size_t)(eq - m) == strlen(owner) && !strncasecmp(m, owner, (size_t)(eq - m)))
			return eq + 1;
	}
	if (s_is_member(im, owner))
		return owner;
	n = json_object_get(im->unmapped, owner);
	json_object_set_new(im->unmapped, owner, json_integer(n ? json_integer_value(n) + 1 : 1));
	return NULL;
}

static int s_source_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	json_t *sources = arg, *view;
	const char *src;
	char t[RP_ACCOUNT_TEXT + 1];
	if (k->mv_size != RP_ACCOUNT_LEN)
		return 0;
	view = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	src = json_string_value(json_object_get(json_object_get(view, "fields"), "source_id"));
	if (src) {
		rp_b32_encode(k->mv_data, RP_ACCOUNT_LEN, t, sizeof t);
		json_object_set_new(sources, src, json_string(t));
	}
	json_decref(view);
	return 0;
}

/* The account held here whose source_id (a foreign CRM's id) is id. The
 * index is built once, from the views, when a file first brings one. */
static int s_find_source(s_import *im, const char *id, uint8_t acct[RP_ACCOUNT_LEN])
{
	json_t *hit;
	if (!im->sources) {
		if (!(im->sources = json_object()))
			return 0;
		rp_store_scan(im->txn, im->node->store->views, NULL, 0, s_source_one, im->sources);
	}
	hit = json_object_get(im->sources, id);
	return hit && rp_b32_decode(json_string_value(hit), acct, RP_ACCOUNT_LEN) == 0;
}

typedef struct s_name_seek {
	const char *lower;
	size_t      n;
	uint8_t    *acct;
	int         hit;
} s_name_seek;

static int s_name_first(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_name_seek *q = arg;
	const uint8_t *acct;
	size_t len;
	(void)v;
	if (rp_view_index_entry(k, &acct, &len) == 0 && len == q->n && !memcmp(k->mv_data, q->lower, q->n)) {
		memcpy(q->acct, acct, RP_ACCOUNT_LEN);
		q->hit = 1;
	}
	return RP_STORE_STOP;          /* the first key at or after the name decides */
}

/* The account whose name is exactly lower (already folded), via the names index. */
static int s_find_name(s_import *im, const char *lower, uint8_t acct[RP_ACCOUNT_LEN])
{
	s_name_seek q = { lower, strlen(lower), acct, 0 };
	rp_store_scan(im->txn, im->node->store->names, lower, q.n + 1, s_name_first, &q);
	return q.hit;
}

/* A dedupe key (what makes two entries the same thing) built in im->key:
 * kind, a, b, c joined by US (0x1f), which no field of a view may hold. */
static const char *s_key(s_import *im, const char *kind, const char *a, const char *b,
                         const char *c)
{
	const char *part[4] = { kind, a, b ? b : "", c ? c : "" };
	size_t len[4], n = 4;
	for (int i = 0; i < 4; i++)
		n += len[i] = strlen(part[i]);
	if (n > im->keycap) {
		char *p = realloc(im->key, n * 2);
		if (!p)
			return NULL;
		im->key = p;
		im->keycap = n * 2;
	}
	n = 0;
	for (int i = 0; i < 4; i++) {
		memcpy(im->key + n, part[i], len[i]);
		n += len[i];
		im->key[n++] = i < 3 ? '\x1f' : 0;
	}
	return im->key;
}

static void s_have_add(s_import *im, const char *kind, const char *a, const char *b, const char *c)
{
	const char *key = a ? s_key(im, kind, a, b, c) : NULL;
	if (key)
		json_object_set_new(im->have, key, json_true());
}

static int s_have(s_import *im, const char *kind, const char *a, const char *b, const char *c)
{
	const char *key = im->have ? s_key(im, kind, a, b, c) : NULL;
	return key && json_object_get(im->have, key) != NULL;
}

/* What an existing account holds, into im->have: its interactions (type, at, text),
 * follow-ups (text, due), contacts (name) and tags, so that importing the same
 * file twice adds nothing the second time. */
static void s_index_existing(s_import *im)
{
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(im->view, "tags"), i, e)
		s_have_add(im, "tag", json_string_value(e), NULL, NULL);
	json_array_foreach(json_object_get(im->view, "contacts"), i, e)
		s_have_add(im, "contact", json_string_value(json_object_get(e, "name")), NULL, NULL);
	json_array_foreach(json_object_get(im->view, "interactions"), i, e)
		if (json_is_string(json_object_get(e, "text")))
			s_have_add(im, "ix", json_string_value(json_object_get(e, "type")),
			           json_string_value(json_object_get(e, "at")),
			           json_string_value(json_object_get(e, "text")));
	json_array_foreach(json_object_get(im->view, "followups"), i, e)
		s_have_add(im, "fu", json_string_value(json_object_get(e, "text")),
		           json_string_value(json_object_get(e, "due")), NULL);
}

/* A fresh random id for a new account. */
static void s_draw_id(s_import *im, uint8_t id[RP_ACCOUNT_LEN])
{
	if (im->nids == 0) {
		randombytes_buf(im->ids, sizeof im->ids);
		im->nids = S_IDS;
	}
	memcpy(id, im->ids[--im->nids], RP_ACCOUNT_LEN);
}

/* Start planning the account called name (line: where the file has it);
 * source: its id in the CRM the file came from, or NULL. An account held
 * here with that source_id is the one updated, whatever its name now; else
 * the one of that name. */
static int s_acct_begin(s_import *im, const char *name, const char *source, size_t line,
                        s_acct **out)
{
	size_t n = strlen(name);
	char lower[RP_NAME_MAX + 1], loose[RP_NAME_MAX + 1];
	json_t *prev;
	s_acct *a;

	if (n > RP_NAME_MAX)
		return s_bad(im, line, "account name is too long (%zu bytes; the limit is %d)",
		             n, RP_NAME_MAX);
	rp_fold(lower, name, n + 1);
	rp_fold_loose(loose, name, n);
	if ((prev = json_object_get(im->seen, loose)))
		return s_bad(im, line, "account '%s' is also on line %lld (account names are unique, "
		             "accents and case aside)", name, (long long)json_integer_value(prev));
	if (json_object_set_new(im->seen, loose, json_integer((json_int_t)line)))
		return s_nomem();
	{
		/* A name held here accents and case aside ("Cafe Ole", "Café Olé"):
		 * never a second account of it. */
		uint8_t id[RP_ACCOUNT_LEN];
		if (!(source && *source && s_find_source(im, source, id)) && !s_find_name(im, lower, id) &&
		    rp_index_loose_name(im->node->store, im->txn, name, NULL, id)) {
			rp_summary *held = NULL;
			int rc = rp_summary_load(im->node->store, im->txn, id, &held);
			rc = s_bad(im, line, "account '%s' is '%s' here, accents and case aside (account names are "
			           "unique: spell it as it is here to update it)", name,
			           rc == 0 && held->name ? held->name : "another account");
			rp_summary_free(&held);
			return rc;
		}
	}
	if (im->nacct == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		void *p = realloc(im->accts, cap * sizeof *im->accts);
		if (!p)
			return s_nomem();
		im->accts = p;
		im->cap = cap;
	}
	a = &im->accts[im->nacct++];
	memset(a, 0, sizeof *a);
	a->line = line;
	if (!(a->name = s_dup(&im->arena, name, n)))
		return s_nomem();
	if (!(im->have = json_object()))
		return s_nomem();
	if ((a->exists = (source && *source && s_find_source(im, source, a->id)) ||
	                 s_find_name(im, lower, a->id))) {
		im->n_updated++;
		if (rp_view_load(im->node->store, im->txn, a->id, &im->view) == 0)
			s_index_existing(im);
	} else {
		/* drawn now, so that a referral can name it and a streamed
		 * import write its accounts in id order */
		s_draw_id(im, a->id);
	}
	*out = a;
	return 0;
}

static void s_acct_end(s_import *im)
{
	json_decref(im->view);
	json_decref(im->have);
	im->view = im->have = NULL;
}

/* Field names as rp_account_set takes them; "name" is the account's own. */
static int s_field_name_ok(const char *key)
{
	return strcmp(key, "name") && rp_schema_field_ok(key, strlen(key));
}

/* Note account a's referred-by (s_referral). */
static int s_referral_add(s_import *im, const s_acct *a, const char *value)
{
	s_referral *r;
	if (im->nrefs == im->refroom) {
		size_t more = im->refroom ? im->refroom * 2 : 16;
		void *q = realloc(im->refs, more * sizeof *im->refs);
		if (!q)
			return s_nomem();
		im->refs = q;
		im->refroom = more;
	}
	r = &im->refs[im->nrefs];
	memset(r, 0, sizeof *r);
	memcpy(r->acct, a->id, RP_ACCOUNT_LEN);
	r->line = a->line;
	if (!(r->value = strdup(value)))
		return s_nomem();
	im->nrefs++;
	return 0;
}

/* Plan a field (a->fields has room): nothing when the account already has that value;
 * a referred-by is noted, to be written last. */
static int s_plan_field(s_import *im, s_acct *a, const char *key, const char *value)
{
	const char *cur;
	s_field *f;
	if (!strcmp(key, "referred-by"))
		return s_referral_add(im, a, value);
	cur = json_string_value(json_object_get(json_object_get(im->view, "fields"), key));
	if (cur && !strcmp(cur, value))
		return 0;
	f = &a->fields[a->nfields++];
	if (!(f->key = s_dup(&im->arena, key, strlen(key))) ||
	    !(f->value = s_dup(&im->arena, value, strlen(value))))
		return s_nomem();
	return 0;
}

/* Plan a tag (a->tags has room) unless the account has it or the plan does. */
static int s_plan_tag(s_import *im, s_acct *a, const char *tag)
{
	if (s_have(im, "tag", tag, NULL, NULL))
		return 0;
	s_have_add(im, "tag", tag, NULL, NULL);
	if (!(a->tags[a->ntags] = s_dup(&im->arena, tag, strlen(tag))))
		return s_nomem();
	a->ntags++;
	return 0;
}

/* ---- JSONL: one account a line, as export writes it (show --json) ----------- */

/* An optional string member: absent or null gives NULL. */
static int s_opt_str(s_import *im, size_t line, const json_t *obj, const char *key,
                     const char *ctx, const char **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return s_bad(im, line, "%s%s%s: expected a string or null", ctx, *ctx ? "." : "", key);
	if (!(*out = s_dup(&im->arena, json_string_value(v), json_string_length(v))))
		return s_nomem();
	return 0;
}

static int s_opt_bool(s_import *im, size_t line, const json_t *obj, const char *key,
                      const char *ctx, int *out)
{
	json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return s_bad(im, line, "%s.%s: expected true or false", ctx, key);
	*out = json_is_true(v);
	return 0;
}

/* An optional array member: absent or null gives an empty one. */
static int s_opt_array(s_import *im, size_t line, const json_t *obj, const char *key,
                       json_t **out)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return s_bad(im, line, "\"%s\": expected an array", key);
	*out = v;
	return 0;
}

static int s_opt_time(s_import *im, size_t line, const json_t *obj, const char *key,
                      const char *ctx, uint64_t *ms)
{
	json_t *v = json_object_get(obj, key);
	*ms = im->now;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || rp_when_parse_iso(json_string_value(v), ms))
		return s_bad(im, line, "%s.%s: expected an ISO 8601 time such as "
		             "\"2026-03-01T09:30:00Z\"", ctx, key);
	return 0;
}

/* Text for an op this import writes itself (s_close): what edit.c asks of
 * any text a person typed — within the limit, no control characters but
 * newline and tab. (JSON strings are valid UTF-8 already.) */
static int s_check_text(s_import *im, size_t line, const char *ctx, const char *key,
                        const char *text)
{
	size_t n = strlen(text);
	if (n > RP_STR_MAX)
		return s_bad(im, line, "%s.%s: too long (%zu bytes; the limit is %d)", ctx, key,
		             n, RP_STR_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return s_bad(im, line, "%s.%s: contains a control character", ctx, key);
	}
	return 0;
}

static int s_plan_contacts(s_import *im, s_acct *a, const json_t *list, size_t line)
{
	size_t i;
	json_t *e;
	int rc;
	if (!(a->contacts = s_alloc(&im->arena, json_array_size(list) * sizeof *a->contacts)))
		return s_nomem();
	json_array_foreach(list, i, e) {
		s_contact *c = &a->contacts[a->ncontacts];
		char ctx[32];
		snprintf(ctx, sizeof ctx, "contacts[%zu]", i);
		if (!json_is_object(e))
			return s_bad(im, line, "%s: expected an object", ctx);
		if (!json_is_string(json_object_get(e, "name")))
			return s_bad(im, line, "%s.name: expected a string", ctx);
		c->index = i;
		if ((rc = s_opt_str(im, line, e, "name", ctx, &c->name)) ||
		    (rc = s_opt_str(im, line, e, "role", ctx, &c->role)) ||
		    (rc = s_opt_str(im, line, e, "email", ctx, &c->email)) ||
		    (rc = s_opt_str(im, line, e, "phone", ctx, &c->phone)) ||
		    (rc = s_opt_str(im, line, e, "prefer", ctx, &c->prefer)))
			return rc;
		if (!s_have(im, "contact", c->name, NULL, NULL))
			a->ncontacts++;
	}
	return 0;
}

static int s_plan_amount(s_import *im, size_t line, const json_t *e, const char *ctx, s_ix *x)
{
	json_t *amt = json_object_get(e, "amount"), *cents, *cur;
	if (!amt || json_is_null(amt))
		return 0;
	cents = json_object_get(amt, "cents");
	cur = json_object_get(amt, "currency");
	if (!json_is_object(amt) || !json_is_integer(cents) || (cur && !json_is_null(cur) && !json_is_string(cur)))
		return s_bad(im, line, "%s.amount: expected {\"cents\": integer, \"currency\": \"EUR\"} or null", ctx);
	x->spec.has_amount = 1;
	x->spec.cents = (int64_t)json_integer_value(cents);
	if (json_is_string(cur) &&
	    !(x->spec.currency = s_dup(&im->arena, json_string_value(cur), json_string_length(cur))))
		return s_nomem();
	return 0;
}

static int s_plan_ixs(s_import *im, s_acct *a, const json_t *list, size_t line)
{
	size_t i;
	json_t *e;
	int rc;
	if (!(a->ixs = s_alloc(&im->arena, json_array_size(list) * sizeof *a->ixs)))
		return s_nomem();
	json_array_foreach(list, i, e) {
		s_ix *x = &a->ixs[a->nixs];
		int retracted, resolved;
		const char *resolution;
		char ctx[40], at[32];
		snprintf(ctx, sizeof ctx, "interactions[%zu]", i);
		memset(x, 0, sizeof *x);
		if (!json_is_object(e))
			return s_bad(im, line, "%s: expected an object", ctx);
		if (!json_is_string(json_object_get(e, "type")))
			return s_bad(im, line, "%s.type: expected a string (call, visit, purchase, ...)", ctx);
		if (!json_is_string(json_object_get(e, "text")))
			return s_bad(im, line, "%s.text: expected a string", ctx);
		x->index = i;
		if ((rc = s_opt_str(im, line, e, "type", ctx, &x->spec.type)) ||
		    (rc = s_opt_str(im, line, e, "text", ctx, &x->spec.text)) ||
		    (rc = s_opt_time(im, line, e, "at", ctx, &x->spec.at_ms)) ||
		    (rc = s_opt_str(im, line, e, "contact", ctx, &x->spec.contact)) ||
		    (rc = s_opt_str(im, line, e, "outcome", ctx, &x->spec.outcome)) ||
		    (rc = s_plan_amount(im, line, e, ctx, x)) ||
		    (rc = s_opt_bool(im, line, e, "retracted", ctx, &retracted)) ||
		    (rc = s_opt_bool(im, line, e, "resolved", ctx, &resolved)) ||
		    (rc = s_opt_str(im, line, e, "resolution", ctx, &resolution)) ||
		    (rc = s_opt_str(im, line, e, "author", ctx, &x->spec.by)))
			return rc;
		/* who did it, kept when it is not who imports it */
		if (x->spec.by && (!*x->spec.by || !strcmp(x->spec.by, im->member)))
			x->spec.by = NULL;
		if (retracted)
			continue;           /* withdrawn where it was logged: not history to carry */
		if (resolved && !strcmp(x->spec.type, "complaint")) {
			x->resolution = resolution && *resolution ? resolution : "resolved";
			if ((rc = s_check_text(im, line, ctx, "resolution", x->resolution)))
				return rc;
		}
		if (im->view &&
		    s_have(im, "ix", x->spec.type, rp_when_iso(x->spec.at_ms, at, sizeof at), x->spec.text))
			continue;
		a->nixs++;
	}
	return 0;
}

static int s_plan_fus(s_import *im, s_acct *a, const json_t *list, size_t line)
{
	size_t i;
	json_t *e;
	int rc;
	if (!(a->fus = s_alloc(&im->arena, json_array_size(list) * sizeof *a->fus)))
		return s_nomem();
	json_array_foreach(list, i, e) {
		s_fu *f = &a->fus[a->nfus];
		int cancelled;
		char ctx[40], due[32];
		snprintf(ctx, sizeof ctx, "followups[%zu]", i);
		memset(f, 0, sizeof *f);
		if (!json_is_object(e))
			return s_bad(im, line, "%s: expected an object", ctx);
		if (!json_is_string(json_object_get(e, "text")))
			return s_bad(im, line, "%s.text: expected a string", ctx);
		f->index = i;
		if ((rc = s_opt_str(im, line, e, "text", ctx, &f->text)) ||
		    (rc = s_opt_time(im, line, e, "due", ctx, &f->due)) ||
		    (rc = s_opt_str(im, line, e, "assignee", ctx, &f->assignee)) ||
		    (rc = s_opt_bool(im, line, e, "done", ctx, &f->done)) ||
		    (rc = s_opt_str(im, line, e, "done_text", ctx, &f->done_text)) ||
		    (rc = s_opt_bool(im, line, e, "cancelled", ctx, &cancelled)))
			return rc;
		if (cancelled)
			continue;
		if (f->assignee && !s_is_member(im, f->assignee))
			f->assignee = NULL;     /* not in this team: the owner's, like an unassigned one */
		if (f->done_text && !*f->done_text)
			f->done_text = NULL;
		if (f->done && f->done_text && (rc = s_check_text(im, line, ctx, "done_text", f->done_text)))
			return rc;
		if (im->view && s_have(im, "fu", f->text, rp_when_iso(f->due, due, sizeof due), NULL))
			continue;
		a->nfus++;
	}
	return 0;
}

/* An export names the referrer by its id there and, beside it, by name
 * ("referred_by": {id, name}): here, where its id is new, the name finds it. */
static const char *s_referrer(const json_t *doc, const char *value)
{
	const json_t *by = json_object_get(doc, "referred_by");
	const char *id = json_string_value(json_object_get(by, "id"));
	const char *name = json_string_value(json_object_get(by, "name"));
	return id && name && *name && !strcmp(id, value) ? name : value;
}

static int s_plan_doc(s_import *im, const json_t *doc, size_t line)
{
	json_t *name = json_object_get(doc, "name"), *fields, *tags, *contacts, *ixs, *fus, *v;
	const char *owner, *key;
	size_t i;
	s_acct *a;
	int rc;

	if (!json_is_object(doc))
		return s_bad(im, line, "expected an account: a JSON object with a \"name\"");
	if (!json_is_string(name) || json_string_length(name) == 0)
		return s_bad(im, line, "\"name\": expected the account's name, a non-empty string");
	fields = json_object_get(doc, "fields");
	if (fields && !json_is_null(fields) && !json_is_object(fields))
		return s_bad(im, line, "\"fields\": expected an object of strings");
	if ((rc = s_opt_array(im, line, doc, "tags", &tags)) ||
	    (rc = s_opt_array(im, line, doc, "contacts", &contacts)) ||
	    (rc = s_opt_array(im, line, doc, "interactions", &ixs)) ||
	    (rc = s_opt_array(im, line, doc, "followups", &fus)) ||
	    (rc = s_acct_begin(im, json_string_value(name),
	                       json_string_value(json_object_get(fields, "source_id")), line, &a)))
		return rc;
	if ((rc = s_opt_str(im, line, doc, "owner", "", &owner)))
		return rc;
	if (owner && !a->exists)
		a->owner = s_owner(im, owner);   /* else this device's member: import does not hand over */

	if (!(a->fields = s_alloc(&im->arena, json_object_size(fields) * sizeof *a->fields)))
		return s_nomem();
	json_object_foreach(fields, key, v) {
		if (!s_field_name_ok(key))
			return s_bad(im, line, "fields.%s: bad field name: use 1-%d characters a-z 0-9 _ - "
			             "(and . inside; not \"name\")", key, RP_FIELD_MAX);
		if (json_is_null(v))
			continue;
		if (!json_is_string(v))
			return s_bad(im, line, "fields.%s: expected a string or null", key);
		if ((rc = s_plan_field(im, a, key, strcmp(key, "referred-by") ? json_string_value(v) :
		                                   s_referrer(doc, json_string_value(v)))))
			return rc;
	}
	if (!(a->tags = s_alloc(&im->arena, json_array_size(tags) * sizeof *a->tags)))
		return s_nomem();
	json_array_foreach(tags, i, v) {
		if (!json_is_string(v))
			return s_bad(im, line, "tags[%zu]: expected a string", i);
		if ((rc = s_plan_tag(im, a, json_string_value(v))))
			return rc;
	}
	if ((rc = s_plan_contacts(im, a, contacts, line)) ||
	    (rc = s_plan_ixs(im, a, ixs, line)) ||
	    (rc = s_plan_fus(im, a, fus, line)))
		return rc;
	s_acct_end(im);
	return 0;
}

/* One line of a JSONL file (without its LF): blank lines are skipped, a
 * CR before the LF goes, the rest is one account planned. */
static int s_plan_jsonl_line(s_import *im, const char *p, size_t n, size_t line)
{
	json_error_t err;
	json_t *doc;
	size_t i = 0;
	int rc;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
		i++;
	if (i == n)
		return 0;
	if (p[n - 1] == '\r')
		n--;
	if (!(doc = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err)))
		return rp_fail(RP_EINVAL, "%s:%zu:%d: invalid JSON: %s", im->path, line, err.column, err.text);
	rc = s_plan_doc(im, doc, line);
	json_decref(doc);
	return rc;
}

static int s_plan_jsonl(s_import *im, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t line = 0;
	int rc = 0;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		rc = s_plan_jsonl_line(im, p, (size_t)((nl ? nl : end) - p), ++line);
		p = nl ? nl + 1 : end;
	}
	return rc;
}

/* ---- CSV: a header row, then one account a row --------------------------------- */

enum { S_COL_SKIP, S_COL_NAME, S_COL_OWNER, S_COL_TAGS, S_COL_FIELD, S_COL_SOURCE };

typedef struct s_col {
	int         role;
	const char *field;        /* S_COL_FIELD: the account field it sets */
	const char *header;       /* as the file spells it, for messages */
} s_col;

/* Headers of the exports people bring, after folding (lower case; '_' and
 * '-' as spaces): rapport's own, HubSpot (companies), Salesforce (Data
 * Loader Account objects, and report exports), Pipedrive (organizations,
 * "Organization - " before each), Zoho CRM (accounts). prio ranks the name
 * columns: with "Name" and "Company" both present, the company is the
 * account and the name a person's. A header not here is a custom field
 * named after it; S_COL_SKIP ones are said to be ignored. */
static const struct s_synonym {
	const char *header;
	int         role;
	const char *field;
	int         prio;
} s_synonyms[] = {
	{ "account name", S_COL_NAME, NULL, 6 }, { "account", S_COL_NAME, NULL, 5 },
	{ "company name", S_COL_NAME, NULL, 4 }, { "company", S_COL_NAME, NULL, 4 },
	{ "organization name", S_COL_NAME, NULL, 3 }, { "organisation name", S_COL_NAME, NULL, 3 },
	{ "organization", S_COL_NAME, NULL, 3 }, { "organisation", S_COL_NAME, NULL, 3 },
	{ "name", S_COL_NAME, NULL, 1 },
	/* a foreign id: source_id, what a re-import matches on */
	{ "record id", S_COL_SOURCE, NULL, 0 }, { "id", S_COL_SOURCE, NULL, 0 },
	{ "account id", S_COL_SOURCE, NULL, 0 }, { "company id", S_COL_SOURCE, NULL, 0 },
	{ "organization id", S_COL_SOURCE, NULL, 0 }, { "organisation id", S_COL_SOURCE, NULL, 0 },
	{ "source id", S_COL_SOURCE, NULL, 0 },
	{ "email", S_COL_FIELD, "email", 0 }, { "e mail", S_COL_FIELD, "email", 0 },
	{ "email address", S_COL_FIELD, "email", 0 }, { "e mail address", S_COL_FIELD, "email", 0 },
	{ "phone", S_COL_FIELD, "phone", 0 }, { "telephone", S_COL_FIELD, "phone", 0 },
	{ "phone number", S_COL_FIELD, "phone", 0 }, { "mobile", S_COL_FIELD, "phone", 0 },
	{ "main phone", S_COL_FIELD, "phone", 0 }, { "office phone", S_COL_FIELD, "phone", 0 },
	{ "prefer", S_COL_FIELD, "prefer", 0 }, { "preferred contact", S_COL_FIELD, "prefer", 0 },
	{ "website", S_COL_FIELD, "website", 0 }, { "web", S_COL_FIELD, "website", 0 },
	{ "url", S_COL_FIELD, "website", 0 }, { "website url", S_COL_FIELD, "website", 0 },
	{ "company domain name", S_COL_FIELD, "website", 0 }, { "domain", S_COL_FIELD, "website", 0 },
	{ "address", S_COL_FIELD, "address", 0 }, { "street", S_COL_FIELD, "address", 0 },
	{ "street address", S_COL_FIELD, "address", 0 }, { "billing street", S_COL_FIELD, "address", 0 },
	{ "billingstreet", S_COL_FIELD, "address", 0 },
	{ "city", S_COL_FIELD, "address.city", 0 }, { "town", S_COL_FIELD, "address.city", 0 },
	{ "billing city", S_COL_FIELD, "address.city", 0 }, { "billingcity", S_COL_FIELD, "address.city", 0 },
	{ "address city", S_COL_FIELD, "address.city", 0 },
	{ "postal code", S_COL_FIELD, "address.postal_code", 0 },
	{ "zip", S_COL_FIELD, "address.postal_code", 0 }, { "zip code", S_COL_FIELD, "address.postal_code", 0 },
	{ "billing code", S_COL_FIELD, "address.postal_code", 0 },
	{ "billing postal code", S_COL_FIELD, "address.postal_code", 0 },
	{ "billingpostalcode", S_COL_FIELD, "address.postal_code", 0 },
	{ "address postal code", S_COL_FIELD, "address.postal_code", 0 },
	{ "state", S_COL_FIELD, "address.region", 0 }, { "state/region", S_COL_FIELD, "address.region", 0 },
	{ "region", S_COL_FIELD, "address.region", 0 }, { "billing state", S_COL_FIELD, "address.region", 0 },
	{ "billingstate", S_COL_FIELD, "address.region", 0 },
	{ "country", S_COL_FIELD, "address.country", 0 }, { "country/region", S_COL_FIELD, "address.country", 0 },
	{ "billing country", S_COL_FIELD, "address.country", 0 },
	{ "billingcountry", S_COL_FIELD, "address.country", 0 },
	{ "address country", S_COL_FIELD, "address.country", 0 },
	{ "notes", S_COL_FIELD, "notes", 0 }, { "description", S_COL_FIELD, "notes", 0 },
	{ "tags", S_COL_TAGS, NULL, 0 }, { "tag", S_COL_TAGS, NULL, 0 },
	{ "labels", S_COL_TAGS, NULL, 0 }, { "label", S_COL_TAGS, NULL, 0 },
	{ "owner", S_COL_OWNER, NULL, 0 }, { "company owner", S_COL_OWNER, NULL, 0 },
	{ "account owner", S_COL_OWNER, NULL, 0 }, { "organization owner", S_COL_OWNER, NULL, 0 },
	{ "ownerid", S_COL_OWNER, NULL, 0 }, { "owner id", S_COL_OWNER, NULL, 0 },
	{ "owner name", S_COL_OWNER, NULL, 0 },
	/* what a CRM keeps about its own records, and what rapport's export
	 * writes and import cannot set (derived, or assigned here) */
	{ "create date", S_COL_SKIP, NULL, 0 }, { "created date", S_COL_SKIP, NULL, 0 },
	{ "createddate", S_COL_SKIP, NULL, 0 }, { "created time", S_COL_SKIP, NULL, 0 },
	{ "last modified date", S_COL_SKIP, NULL, 0 }, { "lastmodifieddate", S_COL_SKIP, NULL, 0 },
	{ "modified time", S_COL_SKIP, NULL, 0 }, { "update time", S_COL_SKIP, NULL, 0 },
	{ "last activity date", S_COL_SKIP, NULL, 0 }, { "isdeleted", S_COL_SKIP, NULL, 0 },
	{ "value", S_COL_SKIP, NULL, 0 },
	{ "last contact", S_COL_SKIP, NULL, 0 }, { "interactions", S_COL_SKIP, NULL, 0 },
	{ "open followups", S_COL_SKIP, NULL, 0 },
	{ NULL, 0, NULL, 0 },
};

/* The fields an account has by name (DESIGN.md §5): the others are custom. */
static int s_standard_field(const char *f)
{
	static const char *const std[] = { "email", "phone", "address", "website", "prefer", "consent",
	                                   "notes", NULL };
	for (int i = 0; std[i]; i++)
		if (!strcmp(f, std[i]))
			return 1;
	return !strncmp(f, "address.", 8);
}

/* Lower case, '_' and '-' as spaces, runs of spaces as one, trimmed. */
static void s_fold_header(const char *h, char *out, size_t cap)
{
	size_t o = 0;
	int space = 0;
	for (; *h && o + 1 < cap; h++) {
		char c = (char)tolower((unsigned char)*h);
		if (c == '_' || c == '-' || c == ' ' || c == '\t') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < cap)
			out[o++] = ' ';
		space = 0;
		out[o++] = c;
	}
	out[o] = 0;
}

/* A custom field's key from its header: lower case, only a-z 0-9 _ -; spaces
 * and punctuation between words as one '_' ("Annual Revenue (€)" → annual_revenue). */
static void s_field_key(const char *h, char *out, size_t cap)
{
	size_t o = 0;
	int gap = 0;
	for (; *h && o + 1 < cap; h++) {
		char c = (char)tolower((unsigned char)*h);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    (c == '.' && o && out[o - 1] != '.' && out[o - 1] != '_' && !gap && isalnum((unsigned char)h[1]))) {
			if (gap && o && out[o - 1] != '_' && c != '_' && o + 2 < cap)
				out[o++] = '_';
			gap = 0;
			out[o++] = c;
		} else if (!(c & 0x80)) {
			gap = 1;           /* a space or punctuation; letters outside ASCII just go */
		}
	}
	while (o && (out[o - 1] == '_' || out[o - 1] == '.'))
		o--;
	out[o] = 0;
}

/* What --map says a header stands for: 1 with *role and *field set, 0 if
 * it says nothing of it (COLUMN is the header as the file spells it,
 * ignoring case). FIELD: name, owner, tags, source_id, - (ignore it) or a
 * field name. */
static int s_mapped(s_import *im, const char *header, int *role, const char **field, size_t *used)
{
	for (size_t i = 0; im->opts && i < im->opts->nmaps; i++) {
		const char *m = im->opts->maps[i], *eq = strrchr(m, '='), *f;
		if (!eq || (size_t)(eq - m) != strlen(header) || strncasecmp(m, header, (size_t)(eq - m)))
			continue;
		used[i] = 1;
		f = eq + 1;
		*field = NULL;
		*role = !strcmp(f, "name") ? S_COL_NAME : !strcmp(f, "owner") ? S_COL_OWNER :
		        !strcmp(f, "tags") ? S_COL_TAGS : !strcmp(f, "source_id") ? S_COL_SOURCE :
		        !*f || !strcmp(f, "-") ? S_COL_SKIP : S_COL_FIELD;
		if (*role == S_COL_FIELD)
			*field = f;
		return 1;
	}
	return 0;
}

/* A column rapport's own CSV export writes (folded). */
static int s_own_column(const char *folded)
{
	static const char *const own[] = { "id", "name", "owner", "email", "phone", "prefer", "website",
	                                   "address", "tags", "value", "last contact", "interactions",
	                                   "open followups", "notes", NULL };
	for (int i = 0; own[i]; i++)
		if (!strcmp(folded, own[i]))
			return 1;
	return 0;
}

/* The synonym a folded header stands for, or NULL: as it is, or without
 * the object's name before it ("Organization - Address", as Pipedrive
 * writes its columns). */
static const struct s_synonym *s_synonym(const char *folded)
{
	static const char *const prefix[] = { "organization ", "organisation ", "company ", "account ", NULL };
	const struct s_synonym *s;
	for (s = s_synonyms; s->header; s++)
		if (!strcmp(s->header, folded))
			return s;
	for (int i = 0; prefix[i]; i++)
		if (!strncmp(folded, prefix[i], strlen(prefix[i])))
			for (s = s_synonyms; s->header; s++)
				if (!strcmp(s->header, folded + strlen(prefix[i])) && s->role != S_COL_NAME)
					return s;
	return NULL;
}

/* The header row → what each column sets. The first column of a kind takes
 * it; a later one of the same kind is a custom field named after its header
 * (export writes custom fields named like a column after the columns).
 * --map decides first. Each column's fate goes to im->columns. */
static int s_columns_map(s_import *im, char **cells, size_t ncells, size_t line, s_col **out,
                         size_t *name_col)
{
	s_col *cols = s_alloc(&im->arena, ncells * sizeof *cols);
	const char **target = calloc(ncells ? ncells : 1, sizeof *target);
	size_t *used = calloc(im->opts && im->opts->nmaps ? im->opts->nmaps : 1, sizeof *used);
	int best = 0, rc = 0, ours = 0;
	size_t i, j;

	if (!cols || !target || !used) {
		free(target);
		free(used);
		return s_nomem();
	}
	/* rapport's own export: its "id" is this team's, not a foreign one */
	for (i = 0; i < ncells; i++) {
		char folded[256];
		s_fold_header(cells[i], folded, sizeof folded);
		ours |= !strcmp(folded, "open followups") || !strcmp(folded, "last contact");
	}
	*name_col = (size_t)-1;
	for (i = 0; i < ncells; i++) {
		char folded[256];
		const struct s_synonym *s;
		int role;
		const char *field;
		cols[i] = (s_col){ S_COL_SKIP, NULL, NULL };
		if (!(cols[i].header = s_dup(&im->arena, cells[i], strlen(cells[i])))) {
			rc = s_nomem();
			break;
		}
		if (s_mapped(im, cells[i], &role, &field, used)) {
			cols[i].role = role;
			cols[i].field = field;
			if (role == S_COL_NAME) {
				best = 100;
				*name_col = i;
			}
			if (role == S_COL_FIELD && (!s_field_name_ok(field) || !strcmp(field, "name"))) {
				rc = rp_fail(RP_EINVAL, "--map %s=%s: '%s' cannot be a field name: use 1-%d "
				             "characters a-z 0-9 _ - (and . inside)", cells[i], field, field,
				             RP_FIELD_MAX);
				break;
			}
			target[i] = role == S_COL_FIELD ? field : role == S_COL_OWNER ? "#owner" :
			            role == S_COL_TAGS ? "#tags" : role == S_COL_SOURCE ? "#source" : NULL;
			continue;
		}
		s_fold_header(cells[i], folded, sizeof folded);
		if (!*folded)
			continue;              /* no header: nothing says what the column is */
		s = s_synonym(folded);
		if (ours && s && !s_own_column(folded))
			s = NULL;              /* our export: what is not its own column is a custom field */
		if (s && s->role == S_COL_SOURCE && ours)
			continue;              /* rapport's own id: assigned here, never imported */
		cols[i].role = S_COL_FIELD;    /* a custom field, unless ... */
		if (!s)
			continue;
		if (s->role == S_COL_NAME) {
			cols[i].role = S_COL_NAME;
			if (s->prio > best) {
				best = s->prio;
				*name_col = i;
			}
			continue;
		}
		if (s->role == S_COL_SKIP) {
			cols[i].role = S_COL_SKIP;
			continue;
		}
		/* what the column stands for: a field, "owner", "tags", the source id */
		target[i] = s->role == S_COL_FIELD ? s->field : s->role == S_COL_OWNER ? "#owner" :
		            s->role == S_COL_TAGS ? "#tags" : "#source";
		for (j = 0; j < i && !(target[j] && !strcmp(target[j], target[i])); j++)
			;
		if (j < i) {
			target[i] = NULL;          /* taken: a custom field */
			continue;
		}
		cols[i].role = s->role;
		cols[i].field = s->field;
	}
	free(target);
	for (i = 0; rc == 0 && im->opts && i < im->opts->nmaps; i++)
		if (!used[i]) {
			const char *m = im->opts->maps[i], *eq = strrchr(m, '=');
			rc = rp_fail(RP_EINVAL, "--map %s: the header has no column '%.*s'", m,
			             eq ? (int)(eq - m) : (int)strlen(m), m);
		}
	free(used);
	/* Name columns other than the account's are fields ("Name" beside "Company"
	 * is a person's name). Then every custom field gets its key. */
	for (i = 0; i < ncells && rc == 0; i++) {
		char key[RP_FIELD_MAX + 2];
		if (cols[i].role == S_COL_NAME && i != *name_col)
			cols[i].role = S_COL_FIELD;
		if (cols[i].role != S_COL_FIELD || cols[i].field)
			continue;
		s_field_key(cells[i], key, sizeof key);
		if (!strcmp(key, "name"))
			snprintf(key, sizeof key, "contact_name");
		if (!*key || strlen(key) > RP_FIELD_MAX) {
			rc = s_bad(im, line, "column %zu ('%s') cannot be a field name: rename it to 1-%d "
			           "characters a-z 0-9 _ -, or say what it is with --map", i + 1, cells[i],
			           RP_FIELD_MAX);
			break;
		}
		if (!(cols[i].field = s_dup(&im->arena, key, strlen(key))))
			rc = s_nomem();
	}
	for (i = 0; i < ncells && rc == 0; i++)
		for (j = i + 1; j < ncells && rc == 0; j++)
			if (cols[i].role == S_COL_FIELD && cols[j].role == S_COL_FIELD &&
			    !strcmp(cols[i].field, cols[j].field))
				rc = s_bad(im, line, "columns %zu ('%s') and %zu ('%s') both set the field '%s'",
				           i + 1, cells[i], j + 1, cells[j], cols[i].field);
	if (rc == 0 && *name_col == (size_t)-1) {
		char hdr[200];
		size_t o = 0;
		for (i = 0; i < ncells && o + 1 < sizeof hdr; i++)
			o += (size_t)snprintf(hdr + o, sizeof hdr - o, "%s%s", i ? "," : "", cells[i]);
		rc = s_bad(im, line, "no column for the account name in the header '%s': "
		           "call one 'name', 'account' or 'company', or say which with --map COLUMN=name", hdr);
	}
	/* what became of each column, for the summary */
	for (i = 0; i < ncells && rc == 0; i++) {
		char to[RP_FIELD_MAX + 16];
		const s_col *c = &cols[i];
		snprintf(to, sizeof to, "%s%s", c->role == S_COL_NAME ? "name" : c->role == S_COL_OWNER ? "owner" :
		         c->role == S_COL_TAGS ? "tags" : c->role == S_COL_SOURCE ? "source_id" :
		         c->role == S_COL_SKIP ? "ignored" : !s_standard_field(c->field) ? "custom:" : "",
		         c->role == S_COL_FIELD ? c->field : "");
		if (json_array_append_new(im->columns, json_pack("{ssss}", "column", c->header, "to", to)))
			rc = s_nomem();
	}
	*out = cols;
	return rc;
}

/* A cell as we wrote it: export neutralised a leading = + - @ TAB CR with a '. */
static char *s_cell(char *cell, int trim)
{
	size_t n;
	if (cell[0] == '\'' && cell[1] && strchr("=+-@\t\r", cell[1]))
		cell++;
	if (!trim)
		return cell;
	while (*cell == ' ' || *cell == '\t')
		cell++;
	n = strlen(cell);
	while (n && (cell[n - 1] == ' ' || cell[n - 1] == '\t'))
		cell[--n] = 0;
	return cell;
}

/* Tags split on ';' or ','; spaces inside a tag (which tags may not hold) become '-'. */
static int s_plan_csv_tags(s_import *im, s_acct *a, char *cell)
{
	size_t n = 1;
	int rc;
	for (const char *p = cell; *p; p++)
		n += *p == ';' || *p == ',';
	if (!(a->tags = s_alloc(&im->arena, n * sizeof *a->tags)))
		return s_nomem();
	for (char *tok = cell, *next; tok; tok = next) {
		next = strpbrk(tok, ";,");
		if (next)
			*next++ = 0;
		tok = s_cell(tok, 1);
		for (char *p = tok; *p; p++)
			if (*p == ' ' || *p == '\t')
				*p = '-';
		if (*tok && (rc = s_plan_tag(im, a, tok)))
			return rc;
	}
	return 0;
}

static int s_plan_row(s_import *im, const s_col *cols, size_t name_col, char **cells,
                      size_t ncells, size_t line)
{
	const char *name = s_cell(cells[name_col], 1), *source = NULL;
	s_acct *a;
	int rc;
	if (!*name)
		return s_bad(im, line, "the account name (column %zu, '%s') is empty",
		             name_col + 1, cols[name_col].header);
	for (size_t i = 0; i < ncells; i++)
		if (cols[i].role == S_COL_SOURCE && *(source = s_cell(cells[i], 1)))
			break;
	if ((rc = s_acct_begin(im, name, source, line, &a)))
		return rc;
	if (!(a->fields = s_alloc(&im->arena, (ncells + 1) * sizeof *a->fields)))
		return s_nomem();
	for (size_t i = 0; i < ncells; i++) {
		int multiline = cols[i].field && (!strcmp(cols[i].field, "notes") ||
		                                  !strcmp(cols[i].field, "address"));
		char *v = s_cell(cells[i], !multiline);
		if (!*v || i == name_col)
			continue;
		if (cols[i].role == S_COL_OWNER) {
			const char *m = a->exists ? NULL : s_owner(im, v);
			if (m && !(a->owner = s_dup(&im->arena, m, strlen(m))))
				return s_nomem();
		} else if (cols[i].role == S_COL_TAGS) {
			if ((rc = s_plan_csv_tags(im, a, v)))
				return rc;
		} else if (cols[i].role == S_COL_SOURCE) {
			if ((rc = s_plan_field(im, a, "source_id", v)))
				return rc;
		} else if (cols[i].role == S_COL_FIELD) {
			if (!strcmp(cols[i].field, "prefer"))
				for (char *p = v; *p; p++)
					*p = (char)tolower((unsigned char)*p);
			if ((rc = s_plan_field(im, a, cols[i].field, v)))
				return rc;
		}
	}
	s_acct_end(im);
	return 0;
}

/* "line 7: unterminated quoted field" → "FILE:7: unterminated quoted field" */
static int s_csv_defect(s_import *im, const rp_csv *r)
{
	const char *e = rp_csv_error(r);
	char *end;
	unsigned long line;
	if (e && !strncmp(e, "line ", 5) && (line = strtoul(e + 5, &end, 10)) && !strncmp(end, ": ", 2))
		return s_bad(im, line, "%s", end + 2);
	return rp_fail(RP_EINVAL, "%s: %s", im->path, e && *e ? e : "malformed CSV");
}

/* ---- CSV of interactions or contacts: a row each, naming its account ---------- */

/* What a column of such a file is (folded headers). */
enum { S_E_NONE, S_E_ACCOUNT, S_E_ACCOUNT_ID, S_E_TYPE, S_E_AT, S_E_TEXT, S_E_AMOUNT, S_E_CURRENCY,
       S_E_CONTACT, S_E_OUTCOME, S_E_NAME, S_E_FIRST, S_E_LAST, S_E_EMAIL, S_E_PHONE, S_E_ROLE,
       S_E_PREFER, S_E_COUNT };

static const struct { const char *header; int what; } s_entry_cols[] = {
	{ "account", S_E_ACCOUNT }, { "account name", S_E_ACCOUNT }, { "company", S_E_ACCOUNT },
	{ "company name", S_E_ACCOUNT }, { "associated company", S_E_ACCOUNT },
	{ "organization", S_E_ACCOUNT }, { "organization name", S_E_ACCOUNT },
	{ "person organization", S_E_ACCOUNT },
	{ "account id", S_E_ACCOUNT_ID }, { "accountid", S_E_ACCOUNT_ID }, { "whatid", S_E_ACCOUNT_ID },
	{ "type", S_E_TYPE }, { "activity type", S_E_TYPE }, { "interaction type", S_E_TYPE },
	{ "task type", S_E_TYPE }, { "tasksubtype", S_E_TYPE },
	{ "at", S_E_AT }, { "date", S_E_AT }, { "when", S_E_AT }, { "activity date", S_E_AT },
	{ "activitydate", S_E_AT }, { "timestamp", S_E_AT }, { "date time", S_E_AT },
	{ "text", S_E_TEXT }, { "subject", S_E_TEXT }, { "description", S_E_TEXT }, { "body", S_E_TEXT },
	{ "notes", S_E_TEXT }, { "note", S_E_TEXT }, { "comments", S_E_TEXT },
	{ "amount", S_E_AMOUNT }, { "value", S_E_AMOUNT },
	{ "currency", S_E_CURRENCY }, { "currency code", S_E_CURRENCY }, { "currencyisocode", S_E_CURRENCY },
	{ "contact", S_E_CONTACT }, { "contact name", S_E_CONTACT }, { "outcome", S_E_OUTCOME },
	{ "result", S_E_OUTCOME }, { "calldisposition", S_E_OUTCOME }, { "call result", S_E_OUTCOME },
	{ "name", S_E_NAME }, { "full name", S_E_NAME }, { "person name", S_E_NAME },
	{ "first name", S_E_FIRST }, { "firstname", S_E_FIRST }, { "last name", S_E_LAST },
	{ "lastname", S_E_LAST },
	{ "email", S_E_EMAIL }, { "email address", S_E_EMAIL }, { "person email", S_E_EMAIL },
	{ "phone", S_E_PHONE }, { "phone number", S_E_PHONE }, { "mobile", S_E_PHONE },
	{ "person phone", S_E_PHONE },
	{ "role", S_E_ROLE }, { "title", S_E_ROLE }, { "job title", S_E_ROLE }, { "prefer", S_E_PREFER },
	{ NULL, 0 },
};

/* What kind a header says the file is: 'i' (interactions: an account, a
 * type and a date), 'c' (contacts: an account and a person's name, with a
 * role or a first/last name, or our own export's account_id), or 0 (an
 * account file). col[] gets each column's S_E_*; pos[0][k] is the column
 * of kind k that counts, pos[1][k] the one read when that cell is empty
 * (or -1): of two, the one named earlier in s_entry_cols counts
 * (Salesforce's AccountId before WhatId, which may name an opportunity;
 * Type before TaskSubtype). Two texts (Subject, Description) are joined. */
static int s_entries_kind(char **cells, size_t n, int *col, long pos[2][S_E_COUNT])
{
	int ours = 0, person = 0, rank[2][S_E_COUNT];
	for (int k = 0; k < S_E_COUNT; k++)
		pos[0][k] = pos[1][k] = -1;
	for (size_t i = 0; i < n; i++) {
		char folded[256];
		s_fold_header(cells[i], folded, sizeof folded);
		col[i] = S_E_NONE;
		ours |= !strcmp(folded, "account id") && !strcmp(cells[i], "account_id");
		person |= !strncmp(folded, "person ", 7);        /* Pipedrive's people: "Person - Name" */
		for (int j = 0; s_entry_cols[j].header; j++) {
			int k = s_entry_cols[j].what;
			if (strcmp(s_entry_cols[j].header, folded))
				continue;
			col[i] = k;
			if (pos[0][k] < 0 || j < rank[0][k]) {      /* the first, or a better one */
				pos[1][k] = pos[0][k], rank[1][k] = rank[0][k];
				pos[0][k] = (long)i, rank[0][k] = j;
			} else if (pos[1][k] < 0) {
				pos[1][k] = (long)i, rank[1][k] = j;
			}
			break;
		}
	}
	if (pos[0][S_E_ACCOUNT] < 0 && pos[0][S_E_ACCOUNT_ID] < 0)
		return 0;
	if (pos[0][S_E_TYPE] >= 0 && pos[0][S_E_AT] >= 0)
		return 'i';
	if ((pos[0][S_E_NAME] >= 0 || pos[0][S_E_FIRST] >= 0 || pos[0][S_E_LAST] >= 0) &&
	    (ours || person || pos[0][S_E_ROLE] >= 0 || pos[0][S_E_FIRST] >= 0 || pos[0][S_E_LAST] >= 0) &&
	    pos[0][S_E_TYPE] < 0)
		return 'c';
	return 0;
}

/* A CRM's activity type → ours ("Phone Call" → call), or NULL. */
static const char *s_ix_type(const char *t)
{
	static const struct { const char *from, *to; } syn[] = {
		{ "phone call", "call" }, { "phone", "call" }, { "call log", "call" }, { "e-mail", "email" },
		{ "mail", "email" }, { "order", "purchase" }, { "sale", "purchase" }, { "deal", "purchase" },
		{ "task", "note" }, { "comment", "note" }, { "meet", "meeting" }, { "appointment", "meeting" },
		{ NULL, NULL },
	};
	char low[32];
	size_t i;
	for (i = 0; t[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)t[i]);
	low[i] = 0;
	for (i = 0; rp_schema_ix_types[i]; i++)
		if (!strcmp(low, rp_schema_ix_types[i]))
			return rp_schema_ix_types[i];
	for (i = 0; syn[i].from; i++)
		if (!strcmp(low, syn[i].from))
			return syn[i].to;
	return NULL;
}

/* A date cell → ISO text: "2026-03-01", "2026-03-01T10:00:00Z", or with a
 * space for the T ("2026-03-01 10:00"), as spreadsheets write. */
static int s_entry_time(const char *cell, char *iso, size_t cap)
{
	char buf[64];
	uint64_t ms;
	size_t n = strlen(cell);
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, cell, n + 1);
	if (n > 10 && buf[10] == ' ')
		buf[10] = 'T';
	if (rp_when_parse_iso(buf, &ms) != 0)
		return -1;
	rp_when_iso(ms, iso, cap);
	return 0;
}

/* The cell of kind k in a row: the column that counts, or its second when
 * that is empty; two texts both, a line apart. NULL: out of memory. */
static const char *s_at(s_import *im, char **cells, long pos[2][S_E_COUNT], int k)
{
	const char *a = pos[0][k] >= 0 ? s_cell(cells[pos[0][k]], k != S_E_TEXT) : "";
	const char *b = pos[1][k] >= 0 ? s_cell(cells[pos[1][k]], k != S_E_TEXT) : "";
	char *both;
	if (!*a || !*b || k != S_E_TEXT)
		return *a ? a : b;
	if (!(both = s_alloc(&im->arena, strlen(a) + strlen(b) + 2)))
		return NULL;
	sprintf(both, "%s\n%s", a, b);
	return both;
}

/* The entries of a row, as a JSON entry of an account document ("interactions"
 * or "contacts"), checked cell by cell so that a bad one is named by its line. */
static int s_entry_row(s_import *im, int kind, char **cells, long pos[2][S_E_COUNT], size_t line,
                       json_t **out)
{
	json_t *e;
	if (kind == 'i') {
		const char *type = s_at(im, cells, pos, S_E_TYPE), *t = s_ix_type(type);
		const char *at = s_at(im, cells, pos, S_E_AT), *amount = s_at(im, cells, pos, S_E_AMOUNT);
		const char *cur = s_at(im, cells, pos, S_E_CURRENCY);
		char iso[32];
		if (!t)
			return s_bad(im, line, "'%s' is not an interaction type: use call, email, visit, meeting, "
			             "note, purchase, complaint, gift or feedback", type);
		if (s_entry_time(at, iso, sizeof iso))
			return s_bad(im, line, "'%s' is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]", at);
		e = json_pack("{ssssss}", "type", t, "at", iso, "text", s_at(im, cells, pos, S_E_TEXT));
		if (e && *amount) {
			int64_t cents;
			if (*cur && !rp_currency_ok(cur)) {
				json_decref(e);
				return s_bad(im, line, "'%s' is not an ISO 4217 currency code such as EUR", cur);
			}
			if (rp_amount_parse(amount, RP_MINOR_MAX, &cents)) {
				json_decref(e);
				return s_bad(im, line, "'%s' is not an amount such as 4200.50", amount);
			}
			if (rp_amount_parse(amount, rp_currency_minor(*cur ? cur : im->currency), &cents)) {
				json_decref(e);
				return s_bad(im, line, "'%s' has more decimals than %s has (%d)", amount,
				             *cur ? cur : im->currency, rp_currency_minor(*cur ? cur : im->currency));
			}
			json_object_set_new(e, "amount", json_pack("{sIss?}", "cents", (json_int_t)cents,
			                                           "currency", *cur ? cur : NULL));
		}
		if (e && *s_at(im, cells, pos, S_E_CONTACT))
			json_object_set_new(e, "contact", json_string(s_at(im, cells, pos, S_E_CONTACT)));
		if (e && *s_at(im, cells, pos, S_E_OUTCOME))
			json_object_set_new(e, "outcome", json_string(s_at(im, cells, pos, S_E_OUTCOME)));
	} else {
		char name[2 * RP_NAME_MAX + 2];
		const char *first = s_at(im, cells, pos, S_E_FIRST), *last = s_at(im, cells, pos, S_E_LAST);
		if (*s_at(im, cells, pos, S_E_NAME))
			snprintf(name, sizeof name, "%s", s_at(im, cells, pos, S_E_NAME));
		else
			snprintf(name, sizeof name, "%s%s%s", first, *first && *last ? " " : "", last);
		if (!*name)
			return s_bad(im, line, "the contact has no name");
		e = json_pack("{ss}", "name", name);
		for (int k = S_E_EMAIL; e && k <= S_E_PREFER; k++) {
			static const char *const key[] = { "email", "phone", "role", "prefer" };
			if (*s_at(im, cells, pos, k))
				json_object_set_new(e, key[k - S_E_EMAIL], json_string(s_at(im, cells, pos, k)));
		}
	}
	*out = e;
	return e ? 0 : s_nomem();
}

/* The account a row names: rapport's own id or a foreign one (an account
 * id column), else its name. It must be held here already. */
static int s_entry_account(s_import *im, char **cells, long pos[2][S_E_COUNT], size_t line,
                           const char **name)
{
	const char *byname = s_at(im, cells, pos, S_E_ACCOUNT), *id = s_at(im, cells, pos, S_E_ACCOUNT_ID);
	uint8_t acct[RP_ACCOUNT_LEN];
	char lower[RP_NAME_MAX + 1];
	json_t *view = NULL;
	*name = NULL;
	if (*id && ((strlen(id) == RP_ACCOUNT_TEXT && rp_b32_decode(id, acct, RP_ACCOUNT_LEN) == 0 &&
	             rp_view_load(im->node->store, im->txn, acct, &view) == 0) ||
	            (s_find_source(im, id, acct) && rp_view_load(im->node->store, im->txn, acct, &view) == 0))) {
		*name = s_dup(&im->arena, json_string_value(json_object_get(view, "name")),
		              strlen(json_string_value(json_object_get(view, "name"))));
		json_decref(view);
		return *name ? 0 : s_nomem();
	}
	if (*byname && strlen(byname) <= RP_NAME_MAX) {
		rp_fold(lower, byname, strlen(byname) + 1);
		if (s_find_name(im, lower, acct)) {
			*name = s_dup(&im->arena, byname, strlen(byname));
			return *name ? 0 : s_nomem();
		}
	}
	return s_bad(im, line, "no account '%s' here: import the accounts first (if this file is a list "
	             "of accounts, say which column names them: --map COLUMN=name)", *byname ? byname : id);
}

/* Rows of interactions or contacts, grouped by account (in the file's order)
 * into account documents, then planned as JSONL's are: the same checks,
 * the same dedupe against what each account holds already. */
static int s_plan_entries(s_import *im, rp_csv *r, int kind, long pos[2][S_E_COUNT], size_t ncols)
{
	json_t *docs = json_object(), *order = json_array(), *d, *e = NULL;
	size_t ncells, line, i;
	char **cells;
	int got, rc = 0;
	if (!docs || !order) {
		json_decref(docs);
		json_decref(order);
		return s_nomem();
	}
	while (rc == 0 && (got = rp_csv_next(r, &cells, &ncells, &line)) > 0) {
		const char *name;
		if (ncells != ncols) {
			rc = s_bad(im, line, "%zu cells, but the header has %zu columns", ncells, ncols);
			break;
		}
		if ((rc = s_entry_account(im, cells, pos, line, &name)) ||
		    (rc = s_entry_row(im, kind, cells, pos, line, &e)))
			break;
		if (!(d = json_object_get(docs, name))) {
			d = json_pack("{sss[]sI}", "name", name, kind == 'i' ? "interactions" : "contacts",
			              "line", (json_int_t)line);
			if (!d || json_object_set_new(docs, name, d) || json_array_append(order, d)) {
				json_decref(e);
				rc = s_nomem();
				break;
			}
		}
		json_array_append_new(json_object_get(d, kind == 'i' ? "interactions" : "contacts"), e);
	}
	if (rc == 0 && got < 0)
		rc = s_csv_defect(im, r);
	json_array_foreach(order, i, d) {
		if (rc)
			break;
		size_t first = (size_t)json_integer_value(json_object_get(d, "line"));
		json_object_del(d, "line");
		rc = s_plan_doc(im, d, first);
	}
	json_decref(order);
	json_decref(docs);
	return rc;
}

static int s_plan_csv(s_import *im, const char *buf, size_t len)
{
	rp_csv *r = rp_csv_new_sep(buf, len, rp_csv_guess_sep(buf, len));
	s_col *cols = NULL;
	size_t ncols = 0, name_col = 0, ncells, line;
	char **cells;
	int got, rc = 0;

	if (!r)
		return s_nomem();
	if ((got = rp_csv_next(r, &cells, &ncells, &line)) <= 0) {
		rc = got < 0 ? s_csv_defect(im, r) : 0;     /* an empty file: nothing to import */
		goto out;
	}
	ncols = ncells;
	{
		int *col = calloc(ncells, sizeof *col), kind;
		long pos[2][S_E_COUNT];
		if (!col) {
			rc = s_nomem();
			goto out;
		}
		static const char *const label[S_E_COUNT] = { "ignored", "account", "account_id", "type",
			"at", "text", "amount", "currency", "contact", "outcome", "name", "first_name",
			"last_name", "email", "phone", "role", "prefer" };
		kind = im->opts && im->opts->nmaps ? 0 : s_entries_kind(cells, ncells, col, pos);
		for (size_t i = 0; kind && i < ncells; i++)
			json_array_append_new(im->columns, json_pack("{ssss}", "column", cells[i], "to",
			                      pos[0][col[i]] == (long)i || pos[1][col[i]] == (long)i ?
			                      label[col[i]] : "ignored"));
		free(col);
		if (kind) {
			im->entries = kind;
			rc = s_plan_entries(im, r, kind, pos, ncols);
			goto out;
		}
	}
	if ((rc = s_columns_map(im, cells, ncells, line, &cols, &name_col)))
		goto out;
	while (rc == 0 && (got = rp_csv_next(r, &cells, &ncells, &line)) > 0) {
		if (ncells != ncols)
			rc = s_bad(im, line, "%zu cells, but the header has %zu columns", ncells, ncols);
		else
			rc = s_plan_row(im, cols, name_col, cells, ncells, line);
	}
	if (rc == 0 && got < 0)
		rc = s_csv_defect(im, r);
out:
	rp_csv_free(&r);
	return rc;
}

/* ---- writing the plan ---------------------------------------------------------- */

/* One planned account through the sink; counted once written. */
/* The line of this file that holds the account named text (accents and
 * case aside), or 0. */
static size_t s_file_line(s_import *im, const char *text)
{
	char loose[RP_NAME_MAX + 1];
	size_t n = strlen(text);
	if (n > RP_NAME_MAX)
		return 0;
	rp_fold_loose(loose, text, n);
	return (size_t)json_integer_value(json_object_get(im->seen, loose));
}

/* The index of the element of base[n] (each size bytes, in line order)
 * whose size_t at offset off is line, or n. */
static size_t s_at_line(const void *base, size_t n, size_t size, size_t off, size_t line)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, at;
		memcpy(&at, (const char *)base + mid * size + off, sizeof at);
		if (at < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n) {
		size_t at;
		memcpy(&at, (const char *)base + lo * size + off, sizeof at);
		if (at == line)
			return lo;
	}
	return n;
}

/* The accounts of a file, for finding referrers: n elements of size
 * bytes at base, in line order, each with a size_t line and an id at the
 * offsets given (the plan's accounts, or a streamed file's lines). */
typedef struct s_by_line {
	const void *base;
	size_t      n, size, line_off, id_off;
} s_by_line;

/* The id of the account on a line of the file, or RP_ENOTFOUND. */
static int s_line_id(const s_by_line *f, size_t line, uint8_t id[RP_ACCOUNT_LEN])
{
	size_t at = s_at_line(f->base, f->n, f->size, f->line_off, line);
	if (at == f->n)
		return RP_ENOTFOUND;
	memcpy(id, (const char *)f->base + at * f->size + f->id_off, RP_ACCOUNT_LEN);
	return 0;
}

/* Every referral's referrer, found before anything is written: an
 * account of the file f, by name, else one held here. */
static int s_referrals_find(s_import *im, const s_by_line *f)
{
	for (size_t i = 0; i < im->nrefs; i++) {
		s_referral *r = &im->refs[i];
		size_t line = s_file_line(im, r->value);
		int rc;
		if (!(line && s_line_id(f, line, r->by) == 0) && (rc = rp_account_find(im->node, r->value, r->by))) {
			char why[512];
			snprintf(why, sizeof why, "%s", rp_errmsg());
			return rp_fail(rc, "%s:%zu: referred-by: %s", im->path, r->line, why);
		}
		if (!memcmp(r->by, r->acct, RP_ACCOUNT_LEN))
			return rp_fail(RP_EINVAL, "%s:%zu: referred-by: an account cannot be referred by itself",
			               im->path, r->line);
	}
	return 0;
}

static int s_write_acct(s_import *im, rp_write *w, s_acct *a);

/* Write the referrals in w, once every account of the file is in it;
 * one an account has already is not written again. */
static int s_referrals_write(s_import *im, rp_write *w)
{
	for (size_t i = 0; i < im->nrefs; i++) {
		s_referral *r = &im->refs[i];
		char t[RP_ACCOUNT_TEXT + 1];
		s_field f = { "referred-by", t };
		s_acct a = { .line = r->line, .exists = 1, .fields = &f, .nfields = 1 };
		rp_summary *sum = NULL;
		int rc, same;
		rp_b32_encode(r->by, RP_ACCOUNT_LEN, t, sizeof t);
		same = rp_summary_load(w->node->store, w->txn, r->acct, &sum) == 0 && !strcmp(sum->referred_by, t);
		rp_summary_free(&sum);
		memcpy(a.id, r->acct, RP_ACCOUNT_LEN);
		if (!same && (rc = im->sink(im->sink_arg, w, im->path, &a)))
			return rc;
	}
	return 0;
}

static void s_referrals_free(s_import *im)
{
	for (size_t i = 0; i < im->nrefs; i++)
		free(im->refs[i].value);
	free(im->refs);
	im->refs = NULL;
	im->nrefs = im->refroom = 0;
}

static int s_write_acct(s_import *im, rp_write *w, s_acct *a)
{
	int rc = im->sink(im->sink_arg, w, im->path, a);
	if (rc)
		return rc;
	im->n_contacts += (json_int_t)a->ncontacts;
	im->n_ix += (json_int_t)a->nixs;
	im->n_fu += (json_int_t)a->nfus;
	return 0;
}

/* ---- a big JSONL file, streamed ------------------------------------------------ */

/* One account's plan is done with: its memory goes, the names seen stay. */
static void s_plan_reset(s_import *im)
{
	s_arena_reset(&im->arena);
	im->nacct = 0;
}

/* One account of a streamed file, as the first pass planned it: the id
 * it has or will have, and where its plan is in the spill (spill.h). */
typedef struct s_line {
	uint8_t  id[RP_ACCOUNT_LEN];
	uint64_t off;               /* of its record in the spill */
	uint32_t len;
	size_t   line;
} s_line;

/* The spill: the first pass's plans, in a file of their own (no name: it
 * goes with the import, whatever happens), buffered. */
typedef struct s_spill {
	int      fd;
	uint8_t *buf;
	size_t   len, cap;
	uint64_t written;           /* bytes in the file */
} s_spill;

#define S_SPILL_BUF ((size_t)1 << 20)

/* A file in dir that nobody else can open (O_TMPFILE, or made and unlinked). */
static int s_spill_open(s_spill *sp, const char *dir)
{
	char path[4096];
	memset(sp, 0, sizeof *sp);
#ifdef O_TMPFILE
	if ((sp->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return 0;
#endif
	if ((size_t)snprintf(path, sizeof path, "%s/.import-XXXXXX", dir) >= sizeof path ||
	    (sp->fd = mkstemp(path)) < 0)
		return rp_fail(RP_EIO, "cannot make the import's scratch file in %s: %s", dir, strerror(errno));
	unlink(path);
	(void)fcntl(sp->fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

static int s_spill_flush(s_spill *sp, const char *dir)
{
	size_t at = 0;
	while (at < sp->len) {
		ssize_t w = write(sp->fd, sp->buf + at, sp->len - at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return rp_fail(errno == ENOSPC ? RP_ENOSPC : RP_EIO, "cannot write the import's scratch file "
			               "in %s: %s (nothing was imported)", dir, w < 0 ? strerror(errno) : "no room");
		at += (size_t)w;
	}
	sp->written += sp->len;
	sp->len = 0;
	return 0;
}

static void s_spill_close(s_spill *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->buf);
	memset(sp, 0, sizeof *sp);
	sp->fd = -1;
}

/* Accounts in id order, so each chunk's commit writes only the far end of
 * the tables keyed by account (its ops, views, summaries, index lists):
 * in file order every chunk touched pages all over them and wrote them
 * again. */
static int s_line_cmp(const void *pa, const void *pb)
{
	const s_line *a = pa, *b = pb;
	int c = memcmp(a->id, b->id, RP_ACCOUNT_LEN);
	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

/* The first pass: every line checked and planned (so a bad line anywhere
 * changes nothing), each plan spilled to sp (unless NULL: a dry run) and
 * noted in *lines (caller frees) with its account's id, held or drawn. */
static int s_stream_check(s_import *im, FILE *f, s_spill *sp, s_line **lines, size_t *nlines)
{
	char *text = NULL;
	size_t cap = 0, line = 0, n = 0, room = 0;
	ssize_t got;
	int rc = 0;
	*lines = NULL;
	while (rc == 0 && (got = getline(&text, &cap, f)) >= 0) {
		char *p = text;
		size_t len = (size_t)got, skip = 0;
		line++;
		if (line == 1 && len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
			skip = 3;
		p += skip, len -= skip;
		if (len && p[len - 1] == '\n')
			len--;
		if (len > UINT32_MAX)
			rc = rp_fail(RP_ELIMIT, "%s:%zu: the line is too long", im->path, line);
		else
			rc = s_plan_jsonl_line(im, p, len, line);
		if (rc == 0 && im->nacct) {
			s_acct *a = &im->accts[0];
			s_line *l;
			if (n == room) {
				size_t more = room ? room * 2 : 4096;
				void *q = realloc(*lines, more * sizeof **lines);
				if (!q) {
					rc = s_nomem();
					break;
				}
				*lines = q;
				room = more;
			}
			l = &(*lines)[n++];
			memset(l, 0, sizeof *l);
			memcpy(l->id, a->id, RP_ACCOUNT_LEN);     /* held, or drawn for it (s_acct_begin) */
			l->line = line;
			if (sp) {                                  /* a dry run keeps no plan */
				size_t at = sp->len;
				if ((rc = rp_spill_put(a, &sp->buf, &sp->len, &sp->cap))) {
					rc = s_nomem();
					break;
				}
				l->off = sp->written + at;
				l->len = (uint32_t)(sp->len - at);
				if (sp->len >= S_SPILL_BUF && (rc = s_spill_flush(sp, im->node->home)))
					break;
			}
			im->n_contacts += (json_int_t)a->ncontacts;
			im->n_ix += (json_int_t)a->nixs;
			im->n_fu += (json_int_t)a->nfus;
		}
		s_plan_reset(im);
	}
	if (rc == 0 && ferror(f))
		rc = rp_fail(RP_EIO, "cannot read %s: %s", im->path, strerror(errno));
	if (rc == 0 && sp)
		rc = s_spill_flush(sp, im->node->home);
	if (rc == 0) {      /* every name is seen: the referrals are found */
		s_by_line file = { *lines, n, sizeof **lines, offsetof(s_line, line), offsetof(s_line, id) };
		rc = s_referrals_find(im, &file);
	}
	free(text);
	*nlines = n;
	return rc;
}

/* The second pass: each account's plan read back from the spill, in id
 * order (s_line_cmp), and written, committing every rp_import_chunk bytes
 * of ops. *done gets how many accounts are committed. */
static int s_stream_write(s_import *im, rp_node *n, int fd, const s_line *lines, size_t nlines,
                          size_t file_len, size_t *done)
{
	rp_write *w = NULL;
	uint8_t *rec = NULL;
	size_t cap = 0, total = 0;
	int rc;
	*done = 0;
	im->n_ix = im->n_fu = im->n_contacts = 0;       /* counted again as they are written */
	/* its ids and words are indexed once it is all written (store/refs.h, words.h) */
	rp_refs_defer(n->store, 1);
	rp_words_defer(n->store, 1);
	im->deferred = 1;
	if ((rc = rp_store_reserve(n->store, file_len * 16)) == 0)
		rc = rp_write_begin(n, &w);
	for (size_t i = 0; i < nlines && rc == 0; i++) {
		const s_line *l = &lines[i];
		rp_plan_acct a;
		void *mem = NULL;
		ssize_t got;
		if (l->len > cap) {
			void *q = realloc(rec, l->len);
			if (!q) {
				rc = s_nomem();
				break;
			}
			rec = q;
			cap = l->len;
		}
		if ((got = pread(fd, rec, l->len, (off_t)l->off)) != (ssize_t)l->len)
			rc = rp_fail(RP_EIO, "cannot read the import's scratch file in %s: %s", n->home,
			             got < 0 ? strerror(errno) : "it is shorter");
		else if ((rc = rp_spill_get(rec, l->len, &a, &mem)))
			rc = rc == RP_ENOMEM ? s_nomem() :
			     rp_fail(RP_EIO, "%s:%zu: the import's scratch file is damaged", im->path, l->line);
		if (rc == 0 && (rc = s_write_acct(im, w, &a)) == 0 && (total++, rp_write_size(w) >= rp_import_chunk)) {
			/* a fresh read txn too: an old one would keep every page
			 * the chunks replace from being reused */
			rp_store_end(im->txn);
			im->txn = NULL;
			if ((rc = rp_write_commit(&w)) == 0 && (rc = rp_node_read(n, &im->txn)) == 0)
				*done = total, rc = rp_write_begin(n, &w);
		}
		free(mem);
	}
	if (rc == 0 && (rc = s_referrals_write(im, w)) == 0 && (rc = rp_write_commit(&w)) == 0)
		*done = total;
	rp_write_abort(&w);
	rp_refs_defer(n->store, 0);
	rp_words_defer(n->store, 0);
	free(rec);
	return rc;
}

/* A JSONL file read once, never whole: the first pass checks every line
 * (so a bad line anywhere changes nothing) and spills each account's plan;
 * the second writes the accounts from the spill, in id order, committing
 * every rp_import_chunk bytes of ops. Memory stays that of one account
 * and one chunk, and a few dozen bytes per account of the file. Only a
 * fault of the disk can stop the second pass: it says how far it got, and
 * the same import again adds only what is missing. */
static int s_stream_jsonl(s_import *im, rp_node *n, size_t file_len)
{
	int dry = im->opts && im->opts->dry_run;
	FILE *f = fopen(im->path, "r");
	s_spill sp = { .fd = -1 };
	s_line *lines = NULL;
	size_t nlines = 0, done = 0;
	int rc;
	if (!f)
		return rp_fail(RP_EIO, "cannot open %s: %s", im->path, strerror(errno));
	if ((rc = dry ? 0 : s_spill_open(&sp, n->home)) == 0)
		rc = s_stream_check(im, f, dry ? NULL : &sp, &lines, &nlines);
	fclose(f);
	if (rc == 0 && !dry) {
		qsort(lines, nlines, sizeof *lines, s_line_cmp);
		rc = s_stream_write(im, n, sp.fd, lines, nlines, file_len, &done);
		if (rc && done) {
			char why[512];
			snprintf(why, sizeof why, "%s", *rp_errmsg() ? rp_errmsg() : rp_strerror(rc));
			rp_fail(rc, "%s; %zu of the file's %zu accounts are imported (import it again once that "
			        "is mended: what is there already is not added twice)", why, done, nlines);
		}
	}
	s_spill_close(&sp);
	free(lines);
	im->nacct = nlines;
	return rc;
}

/* ---- the file ------------------------------------------------------------------ */

static int s_slurp(const char *path, char **buf, size_t *len)
{
	struct stat sb;
	size_t cap = 65536, n = 0;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return rp_fail(errno == ENOENT ? RP_ENOTFOUND : RP_EIO, "cannot open %s: %s",
		               path, strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		return rp_fail(RP_EINVAL, "%s is a directory", path);
	}
	if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size < RP_IMPORT_FILE_MAX)
		cap = (size_t)sb.st_size + 2;       /* + 1 to see the end without a regrow */
	if (!(p = malloc(cap))) {
		close(fd);
		return s_nomem();
	}
	for (;;) {
		ssize_t got;
		if (n > RP_IMPORT_FILE_MAX) {
			rc = rp_fail(RP_ELIMIT, "%s is too large to import (the limit is %zu MiB)",
			             path, RP_IMPORT_FILE_MAX >> 20);
			break;
		}
		if (n + 1 >= cap) {
			size_t ncap = cap * 2 > RP_IMPORT_FILE_MAX + 2 ? RP_IMPORT_FILE_MAX + 2 : cap * 2;
			void *q = realloc(p, ncap);
			if (!q) {
				rc = s_nomem();
				break;
			}
			p = q;
			cap = ncap;
		}
		got = read(fd, p + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = rp_fail(RP_EIO, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	p[n] = 0;
	*buf = p;
	*len = n;
	return 0;
}

/* Is path a regular file of at least rp_import_stream_min bytes whose first byte
 * (after a BOM and blanks) is '{'? *size: its size. */
static int s_big_jsonl(const char *path, size_t *size)
{
	char head[4096];
	struct stat sb;
	ssize_t got;
	size_t i = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size < rp_import_stream_min ||
	    (got = read(fd, head, sizeof head)) <= 0) {
		close(fd);
		return 0;
	}
	close(fd);
	*size = (size_t)sb.st_size;
	if (got >= 3 && !memcmp(head, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < (size_t)got && isspace((unsigned char)head[i]))
		i++;
	return i < (size_t)got && head[i] == '{';
}

/* The first byte of the file after a BOM and blanks: '{' is JSONL. */
static char s_first(const char *buf, size_t len)
{
	size_t i = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	return i < len ? buf[i] : 0;
}

int rp_import_run(rp_node *n, const char *path, const rp_import_opts *opts, rp_plan_sink sink,
                  void *sink_arg, json_t **report)
{
	s_import im = { .opts = opts, .sink = sink, .sink_arg = sink_arg };
	rp_write *w = NULL;
	char *buf = NULL;
	size_t len = 0;
	int rc, streamed;

	rp_errclear();
	if (report)
		*report = NULL;
	if (!path || !*path)
		return rp_fail(RP_EINVAL, "missing FILE");
	/* A big JSONL file is read a line at a time (and its plans spilled); anything else whole. */
	if (!(streamed = !(opts && opts->nmaps) && s_big_jsonl(path, &len)) && (rc = s_slurp(path, &buf, &len)))
		return rc;
	im.node = n;
	im.path = path;
	im.now = rp_node_now(n);
	if (!(im.seen = json_object()) || !(im.unmapped = json_object()) || !(im.columns = json_array())) {
		rc = s_nomem();
		goto out;
	}
	for (size_t i = 0; opts && i < opts->nowner_maps; i++) {
		const char *m = opts->owner_maps[i], *eq = strrchr(m, '=');
		if (!eq || eq == m || !eq[1]) {
			rc = rp_fail(RP_EINVAL, "--owner-map '%s': use NAME=MEMBER", m);
			goto out;
		}
	}
	for (size_t i = 0; opts && i < opts->nmaps; i++)
		if (!strchr(opts->maps[i], '=') || opts->maps[i][0] == '=') {
			rc = rp_fail(RP_EINVAL, "--map '%s': use COLUMN=FIELD", opts->maps[i]);
			goto out;
		}
	if ((rc = rp_node_read(n, &im.txn)))
		goto out;
	rp_node_member(n, im.member, sizeof im.member);
	rp_roster_team_currency(n->store, im.txn, im.currency);
	for (size_t i = 0; rc == 0 && opts && i < opts->nowner_maps; i++) {
		const char *member = strrchr(opts->owner_maps[i], '=') + 1;
		if (!s_is_member(&im, member))
			rc = rp_fail(RP_ENOTFOUND, "--owner-map %s: '%s' is not a member of the team",
			             opts->owner_maps[i], member);
	}
	if (rc == 0 && streamed && (rc = rp_node_identity(n, im.txn, NULL, NULL, NULL)) == 0)
		rc = s_stream_jsonl(&im, n, len);
	else if (rc == 0 && (rc = rp_node_identity(n, im.txn, NULL, NULL, NULL)) == 0) {
		char first = s_first(buf, len);
		if (first == '{' && opts && opts->nmaps)
			rc = rp_fail(RP_EINVAL, "--map is for CSV files: %s is JSONL", path);
		else
		if (first == '[')
			rc = rp_fail(RP_EINVAL, "%s: a JSON array: import reads JSONL, one account "
			             "object a line (as 'rapport export' writes it), or CSV", path);
		else
			rc = first == '{' ? s_plan_jsonl(&im, buf, len) : s_plan_csv(&im, buf, len);
		if (rc == 0) {
			s_by_line f = { im.accts, im.nacct, sizeof *im.accts, offsetof(s_acct, line), offsetof(s_acct, id) };
			rc = s_referrals_find(&im, &f);
		}
	}
	s_acct_end(&im);
	rp_store_end(im.txn);
	im.txn = NULL;
	/* What a streamed import committed gets its ids indexed, even when the
	 * rest failed (store/refs.h). */
	if (im.deferred) {
		char why[512];
		int src, wrc;
		snprintf(why, sizeof why, "%s", rp_errmsg());
		malloc_trim(0);     /* what the chunks freed goes back before the merges take theirs */
		src = rp_refs_settle(n->store, NULL);
		wrc = rp_words_settle(n->store, NULL);
		if (rc)
			rp_fail(rc, "%s", why);
		else if (src || wrc)
			rc = rp_fail(src ? src : wrc, "the accounts are imported, but their %s not indexed yet "
			             "(the next rapport command does it): %s", src ? "ids are" : "words are",
			             rp_strerror(src ? src : wrc));
	}
	free(buf);
	buf = NULL;
	if (rc)
		goto out;

	if (im.nacct && !streamed && !(opts && opts->dry_run)) {
		/* A store grows to about 12 times the JSONL it imports: make room
		 * first, so the write never fills the map and starts again. */
		if ((rc = rp_store_reserve(n->store, len * 16)) || (rc = rp_write_begin(n, &w)))
			goto out;
		for (size_t i = 0; i < im.nacct && rc == 0; i++)
			rc = s_write_acct(&im, w, &im.accts[i]);
		if (rc == 0 && (rc = s_referrals_write(&im, w)) == 0)
			rc = rp_write_commit(&w);
		if (rc)
			goto out;
	}
	if (opts && opts->dry_run && !streamed)
		for (size_t i = 0; i < im.nacct; i++) {
			im.n_contacts += (json_int_t)im.accts[i].ncontacts;
			im.n_ix += (json_int_t)im.accts[i].nixs;
			im.n_fu += (json_int_t)im.accts[i].nfus;
		}
	if (rc == 0 && report &&
	    !(*report = json_pack("{sIsIsIsIsIsIsOsOsb}", "accounts", (json_int_t)im.nacct,
	                          "created", (json_int_t)im.nacct - im.n_updated,
	                          "interactions", im.n_ix, "followups", im.n_fu,
	                          "contacts", im.n_contacts, "updated", im.n_updated,
	                          "columns", im.columns, "owners_unmapped", im.unmapped,
	                          "dry_run", opts && opts->dry_run)))
		rc = s_nomem();
out:
	rp_write_abort(&w);
	free(buf);
	s_arena_free(&im.arena);
	free(im.accts);
	free(im.key);
	s_referrals_free(&im);
	json_decref(im.seen);
	json_decref(im.sources);
	json_decref(im.unmapped);
	json_decref(im.columns);
	return rc;
}
