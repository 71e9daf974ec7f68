/* node/store/view.c — fold an account's ops into its merged view, store the view,
 * its summary and its indexes. The fold is a function of the op set alone:
 * it must never read the clock, the roster or anything local. */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "view.h"
#include "tally.h"
#include "index.h"
#include "../text/casefold.h"
#include "../text/jsontext.h"
#include "../../proto/body.h"
#include "../../proto/work.h"
#include "ingest.h"
#include "../text/when.h"
#include "../text/visible.h"
#include "../../proto/error.h"
#include "../../proto/op.h"
#include "../../proto/work.h"

/* Everything the fold accumulates before it lays the view out. */
typedef struct s_fold {
	json_t *name, *owner;          /* LWW registers (last applied wins) */
	json_t *owner_op;              /* ref of the op that set the owner */
	json_t *fields;                /* field → value */
	json_t *tag_adds;              /* add op hex → tag */
	json_t *tag_removed;           /* add op hex → true */
	json_t *assigns;               /* [{to, prev, note, at, from}] in order */
	json_t *followers;             /* member → bool */
	int     archived;
	json_t *contacts;              /* ref → contact */
	json_t *ixs;                   /* ref → interaction */
	json_t *fus;                   /* ref → follow-up */
	json_t *mods;                  /* [[kind, target ref, op]] applied after the fold */
	json_int_t ops;
	rp_tally tally;                /* the figures of the live interactions (s_layout) */
} s_fold;

/* Out of memory in a fold: jansson's allocations go through s_json_alloc
 * (installed once, by rp_view_watch_alloc), which notes a failure for the fold
 * running on this thread, so that no view built with a value missing is
 * ever stored. rp_view_alloc_fail makes the Nth allocation of a fold
 * fail, for tests. */
static _Thread_local int s_nomem;
static _Thread_local long s_allocs;    /* in this fold (or watched section), counted */
static _Thread_local long s_fail_at;   /* the one of them that fails (tests), or 0 */
static _Thread_local int s_in_fold;
long rp_view_alloc_fail;
unsigned long rp_view_appends;

static void *s_json_alloc(size_t n)
{
	void *p = s_in_fold && ++s_allocs == s_fail_at ? NULL : malloc(n);
	if (!p)
		s_nomem = 1;
	return p;
}

static void s_alloc_install(void)
{
	json_set_alloc_funcs(s_json_alloc, free);
}

void rp_view_watch_alloc(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, s_alloc_install);
}

void rp_view_watch_begin(long fail_at)
{
	rp_view_watch_alloc();
	s_nomem = 0;
	s_allocs = 0;
	s_fail_at = fail_at;
	s_in_fold = 1;
}

int rp_view_watch_end(long *count)
{
	s_in_fold = 0;
	if (count)
		*count = s_allocs;
	return s_nomem;
}

/* A JSON string of body text. Ingest refuses invalid UTF-8 now; a store
 * written before it did may hold some, shown with U+FFFD rather than
 * dropped (an account whose name vanished would vanish from every list). */
static json_t *s_jstr(const char *p, size_t n)
{
	json_t *j = json_stringn(p, n);
	if (!j) {
		size_t len;
		char *fixed = rp_visible_repair_utf8(p, n, &len);
		j = fixed ? json_stringn(fixed, len) : NULL;
		free(fixed);
	}
	return j;
}

static json_t *s_str(const rp_body *b, const char *key)
{
	const char *p;
	size_t n;
	if (rp_body_str(b, key, &p, &n))
		return NULL;
	return s_jstr(p, n);
}

static void s_set(json_t *obj, const char *key, json_t *val)
{
	json_object_set_new(obj, key, val ? val : json_null());
}

static json_t *s_ref_text(const uint8_t opid[RP_OPID_LEN])
{
	uint8_t ref[RP_REF_LEN];
	char t[RP_REF_TEXT + 1];
	rp_ref_of(ref, opid);
	rp_b32_encode(ref, RP_REF_LEN, t, sizeof t);
	return json_string(t);
}

static json_t *s_hex(const uint8_t *p, size_t n)
{
	char t[2 * RP_OPID_LEN + 1];
	sodium_bin2hex(t, sizeof t, p, n);
	return json_string(t);
}

static json_t *s_iso(uint64_t ms)
{
	char t[32];
	return json_string(rp_when_iso(ms, t, sizeof t));
}

static json_t *s_device_text(const uint8_t dev[RP_DEVICE_LEN])
{
	char t[RP_DEVICE_TEXT + 1];
	rp_b32_encode(dev, RP_DEVICE_LEN, t, sizeof t);
	return json_string(t);
}

/* An amount {cents, currency} read from the body, or NULL. */
static json_t *s_amount(const rp_body *b, const char *key)
{
	int64_t cents = 0;
	char cur[4];
	json_t *code;
	if (rp_body_amount(b, key, &cents, cur) || !(code = json_stringn(cur, 3)))
		return NULL;
	return json_pack("{sIso}", "cents", (json_int_t)cents, "currency", code);
}

/* Defer an op that modifies another (amend, retract, done, ...): modifiers
 * are applied after every base op is known, in fold order, so a modifier
 * that sorts before its target still applies and the last one wins. */
static void s_defer(s_fold *f, const char *kind, const rp_body *b, const char *key,
                    const rp_op *op)
{
	const uint8_t *target;
	json_t *payload = json_object();
	const char *p;
	size_t n;
	int64_t v;
	int bv;
	if (rp_body_bin(b, key, &target, RP_OPID_LEN)) {
		json_decref(payload);
		return;
	}
	if (rp_body_str(b, "field", &p, &n) == 0)
		s_set(payload, "field", s_jstr(p, n));
	if (rp_body_get(b, "value")) {
		json_t *amt;
		if (rp_body_str(b, "field", &p, &n) == 0 && n == 6 && !memcmp(p, "amount", 6) &&
		    !rp_body_is_nil(b, "value")) {
			if ((amt = s_amount(b, "value")))     /* else malformed: the amend does nothing */
				s_set(payload, "value", amt);
		} else if (rp_body_str(b, "value", &p, &n) == 0)
			s_set(payload, "value", s_jstr(p, n));
		else if (rp_body_int(b, "value", &v) == 0)
			s_set(payload, "value", json_integer(v));
		else if (rp_body_bool(b, "value", &bv) == 0)
			s_set(payload, "value", json_boolean(bv));
		else
			s_set(payload, "value", json_null());
	}
	if (rp_body_str(b, "text", &p, &n) == 0)
		s_set(payload, "text", s_jstr(p, n));
	if (rp_body_int(b, "due", &v) == 0 && v >= 0)
		s_set(payload, "due", json_integer(v));
	if (rp_body_str(b, "reason", &p, &n) == 0)
		s_set(payload, "reason", s_jstr(p, n));
	s_set(payload, "author_device", s_device_text(op->author));
	json_array_append_new(f->mods, json_pack("[soo]", kind, s_ref_text(target), payload));
}

/* The interaction an ix.log op logs, as the view lists it but for "at"
 * ("_at", its time in ms, until s_layout); NULL when it has no type (the
 * fold keeps none). */
static json_t *s_ix_new(const rp_op *op, const rp_body *b, const uint8_t opid[RP_OPID_LEN])
{
	json_t *ix = json_object();
	int64_t at = 0;
	if (rp_body_int(b, "at", &at) || at < 0)
		at = (int64_t)RP_HLC_MS(op->hlc);
	s_set(ix, "id", s_ref_text(opid));
	s_set(ix, "type", s_str(b, "type"));
	s_set(ix, "_at", json_integer(at));
	s_set(ix, "text", s_str(b, "text"));
	s_set(ix, "contact", s_str(b, "contact"));
	s_set(ix, "amount", s_amount(b, "amount"));
	s_set(ix, "outcome", s_str(b, "outcome"));
	if (rp_body_get(b, "by"))
		s_set(ix, "by", s_str(b, "by"));   /* an import's original author */
	s_set(ix, "author_device", s_device_text(op->author));
	s_set(ix, "retracted", json_false());
	s_set(ix, "retraction", NULL);       /* {reason, author_device} once retracted */
	s_set(ix, "resolved", json_false());
	s_set(ix, "resolution", NULL);
	if (json_is_string(json_object_get(ix, "type")) && json_is_string(json_object_get(ix, "id")))
		return ix;
	json_decref(ix);
	return NULL;
}

/* The follow-up an fu.add op adds, as the view lists it but for "due"
 * ("_due", ms, until s_layout). */
static json_t *s_fu_new(const rp_op *op, const rp_body *b, const uint8_t opid[RP_OPID_LEN])
{
	json_t *fu = json_object();
	int64_t v;
	if (rp_body_int(b, "due", &v) || v < 0)
		v = (int64_t)RP_HLC_MS(op->hlc);
	s_set(fu, "id", s_ref_text(opid));
	s_set(fu, "text", s_str(b, "text"));
	s_set(fu, "_due", json_integer(v));
	s_set(fu, "assignee", s_str(b, "assignee"));
	s_set(fu, "campaign", s_str(b, "campaign"));    /* its campaign's id, or null */
	s_set(fu, "author_device", s_device_text(op->author));
	s_set(fu, "done", json_false());
	s_set(fu, "done_text", NULL);
	s_set(fu, "cancelled", json_false());
	if (json_is_string(json_object_get(fu, "id")))
		return fu;
	json_decref(fu);
	return NULL;
}

static void s_apply(s_fold *f, const rp_op *op, const rp_body *b, const uint8_t opid[RP_OPID_LEN])
{
	const char *k = op->kind, *p;
	size_t n;
	int bv;
	json_t *t;

	if (!strcmp(k, "acct.create")) {
		if ((t = s_str(b, "name"))) {
			json_decref(f->name);
			f->name = t;
		}
		if ((t = s_str(b, "owner"))) {
			json_decref(f->owner);
			f->owner = t;
			json_decref(f->owner_op);
			f->owner_op = s_hex(opid, RP_OPID_LEN);
		}
	} else if (!strcmp(k, "acct.set")) {
		if (rp_body_str(b, "field", &p, &n) || n == 0 || n > RP_FIELD_MAX)
			return;
		t = s_jstr(p, n);
		if (!t)
			return;
		if (!strcmp(json_string_value(t), "name")) {
			json_t *nv = s_str(b, "value");
			if (nv) {
				json_decref(f->name);
				f->name = nv;
			}
		} else if (rp_body_is_nil(b, "value")) {
			json_object_del(f->fields, json_string_value(t));
		} else {
			json_t *val = s_str(b, "value");
			if (val)
				json_object_set_new(f->fields, json_string_value(t), val);
		}
		json_decref(t);
	} else if (!strcmp(k, "acct.tag")) {
		const msgpack_object *rm = rp_body_get(b, "remove");
		if ((t = s_str(b, "add"))) {
			json_t *hex = s_hex(opid, RP_OPID_LEN);
			json_object_set_new(f->tag_adds, json_string_value(hex), t);
			json_decref(hex);
		}
		if (rm && rm->type == MSGPACK_OBJECT_ARRAY) {
			for (uint32_t i = 0; i < rm->via.array.size; i++) {
				const msgpack_object *o = &rm->via.array.ptr[i];
				if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != RP_OPID_LEN)
					continue;
				json_t *hex = s_hex((const uint8_t *)o->via.bin.ptr, RP_OPID_LEN);
				json_object_set_new(f->tag_removed, json_string_value(hex), json_true());
				json_decref(hex);
			}
		}
	} else if (!strcmp(k, "acct.assign")) {
		const uint8_t *prev;
		json_t *to = s_str(b, "to"), *note;
		if (!to)
			return;
		note = s_str(b, "note");
		json_t *a = json_pack("{sOsosososo}", "to", to,
		        "prev", rp_body_bin(b, "prev", &prev, RP_OPID_LEN) == 0 ? s_hex(prev, RP_OPID_LEN) : json_null(),
		        "note", note ? note : json_null(),
		        "at", s_iso(RP_HLC_MS(op->hlc)),
		        "from", f->owner ? json_incref(f->owner) : json_null());
		json_array_append_new(f->assigns, a);
		json_decref(f->owner);
		f->owner = to;
		json_decref(f->owner_op);
		f->owner_op = s_hex(opid, RP_OPID_LEN);
	} else if (!strcmp(k, "acct.follow")) {
		if ((t = s_str(b, "member")) && rp_body_bool(b, "follow", &bv) == 0)
			json_object_set_new(f->followers, json_string_value(t), json_boolean(bv));
		json_decref(t);
	} else if (!strcmp(k, "acct.archive")) {
		if (rp_body_bool(b, "archived", &bv) == 0)
			f->archived = bv;
	} else if (!strcmp(k, "contact.add")) {
		json_t *ref = s_ref_text(opid);
		json_t *c = json_object();
		s_set(c, "id", json_incref(ref));
		s_set(c, "name", s_str(b, "name"));
		s_set(c, "role", s_str(b, "role"));
		s_set(c, "email", s_str(b, "email"));
		s_set(c, "phone", s_str(b, "phone"));
		s_set(c, "prefer", s_str(b, "prefer"));
		json_object_set_new(f->contacts, json_string_value(ref), c);
		json_decref(ref);
	} else if (!strcmp(k, "ix.log")) {
		json_t *ix = s_ix_new(op, b, opid);
		if (ix)
			json_object_set_new(f->ixs, json_string_value(json_object_get(ix, "id")), ix);
	} else if (!strcmp(k, "fu.add")) {
		json_t *fu = s_fu_new(op, b, opid);
		if (fu)
			json_object_set_new(f->fus, json_string_value(json_object_get(fu, "id")), fu);
	} else if (!strcmp(k, "ix.amend") || !strcmp(k, "ix.retract") ||
	           !strcmp(k, "complaint.resolve")) {
		s_defer(f, k, b, "ix", op);
	} else if (!strcmp(k, "fu.done") || !strcmp(k, "fu.move") || !strcmp(k, "fu.cancel")) {
		s_defer(f, k, b, "fu", op);
	} else if (!strcmp(k, "contact.set")) {
		s_defer(f, k, b, "contact", op);
	}
	/* Unknown kinds (from newer versions) are kept in the log and ignored here. */
}

static void s_apply_mods(s_fold *f)
{
	size_t i;
	json_t *m;
	static const char *ix_fields[] = { "type", "text", "contact", "outcome", NULL };
	json_array_foreach(f->mods, i, m) {
		const char *kind = json_string_value(json_array_get(m, 0));
		const char *target = json_string_value(json_array_get(m, 1));
		json_t *pl = json_array_get(m, 2), *val = json_object_get(pl, "value");
		const char *field = json_string_value(json_object_get(pl, "field"));
		json_t *ix = json_object_get(f->ixs, target), *fu = json_object_get(f->fus, target);
		json_t *c = json_object_get(f->contacts, target);

		/* a change of an interaction the fold has not: one of that id
		 * arriving later (after it, by a skewed clock) must refold */
		if (target && ((!ix && (!strcmp(kind, "ix.amend") || !strcmp(kind, "ix.retract") ||
		                        !strcmp(kind, "complaint.resolve"))) ||
		               (!fu && (!strcmp(kind, "fu.done") || !strcmp(kind, "fu.move") ||
		                        !strcmp(kind, "fu.cancel")))) &&
		    rp_tally_orphan(&f->tally, target))
			s_nomem = 1;
		if (!strcmp(kind, "ix.amend") && ix && field) {
			if (!strcmp(field, "at") && json_is_integer(val) && json_integer_value(val) >= 0)
				json_object_set(ix, "_at", val);
			if (!strcmp(field, "amount") && (json_is_object(val) || json_is_null(val)))
				json_object_set(ix, "amount", val);
			for (int j = 0; ix_fields[j]; j++)
				if (!strcmp(field, ix_fields[j]) && (json_is_string(val) || json_is_null(val)) &&
				    (strcmp(field, "type") || json_is_string(val)))
					json_object_set(ix, field, val);
		} else if (!strcmp(kind, "ix.retract") && ix) {
			json_t *why = json_object_get(pl, "reason");
			json_object_set_new(ix, "retracted", json_true());
			json_object_set_new(ix, "retraction", json_pack("{sOsO}", "reason", why ? why : json_null(),
			        "author_device", json_object_get(pl, "author_device")));
		} else if (!strcmp(kind, "complaint.resolve") && ix) {
			json_object_set_new(ix, "resolved", json_true());
			json_t *txt = json_object_get(pl, "text");
			json_object_set(ix, "resolution", txt ? txt : json_null());
		} else if (!strcmp(kind, "fu.done") && fu) {
			json_object_set_new(fu, "done", json_true());
			json_t *txt = json_object_get(pl, "text");
			json_object_set(fu, "done_text", txt ? txt : json_null());
		} else if (!strcmp(kind, "fu.move") && fu && json_object_get(pl, "due")) {
			json_object_set(fu, "_due", json_object_get(pl, "due"));
		} else if (!strcmp(kind, "fu.cancel") && fu) {
			json_object_set_new(fu, "cancelled", json_true());
		} else if (!strcmp(kind, "contact.set") && c && field &&
		           (json_is_string(val) || json_is_null(val)) &&
		           (!strcmp(field, "name") || !strcmp(field, "role") || !strcmp(field, "email") ||
		            !strcmp(field, "phone") || !strcmp(field, "prefer"))) {
			json_object_set(c, field, val);
		}
	}
}

static int s_cmp_ix(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ax = json_integer_value(json_object_get(x, "_at"));
	json_int_t ay = json_integer_value(json_object_get(y, "_at"));
	if (ax != ay)
		return ax > ay ? -1 : 1;    /* newest first */
	return strcmp(json_string_value(json_object_get(x, "id")),
	              json_string_value(json_object_get(y, "id")));
}

static int s_cmp_fu(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ax = json_integer_value(json_object_get(x, "_due"));
	json_int_t ay = json_integer_value(json_object_get(y, "_due"));
	if (ax != ay)
		return ax < ay ? -1 : 1;    /* soonest first */
	return strcmp(json_string_value(json_object_get(x, "id")),
	              json_string_value(json_object_get(y, "id")));
}

static int s_cmp_contact(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	const char *nx = json_string_value(json_object_get(x, "name"));
	const char *ny = json_string_value(json_object_get(y, "name"));
	int c = strcmp(nx ? nx : "", ny ? ny : "");
	return c ? c : strcmp(json_string_value(json_object_get(x, "id")),
	                      json_string_value(json_object_get(y, "id")));
}

static int s_cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* The values of obj as an array sorted by cmp (new references). */
static json_t *s_sorted(json_t *obj, int (*cmp)(const void *, const void *))
{
	size_t n = json_object_size(obj), i = 0;
	json_t **v = calloc(n ? n : 1, sizeof *v), *arr = json_array(), *val;
	const char *key;
	if (!v || !arr) {
		s_nomem = 1;
		free(v);
		return arr;
	}
	json_object_foreach(obj, key, val)
		v[i++] = val;
	if (!s_nomem)            /* else a key may be missing, and the view goes anyway */
		qsort(v, n, sizeof *v, cmp);
	for (i = 0; i < n; i++)
		json_array_append(arr, v[i]);
	free(v);
	return arr;
}

static json_t *s_sorted_keys(json_t *obj)
{
	json_t *tmp = json_object(), *val;
	const char *key;
	json_object_foreach(obj, key, val)
		json_object_set_new(tmp, key, json_string(key));
	val = s_sorted(tmp, s_cmp_str);
	json_decref(tmp);
	return val;
}

/* Lay the fold out as the view: sorted arrays, derived figures. */
static json_t *s_layout(s_fold *f, const uint8_t acct[RP_ACCOUNT_LEN], json_t **tag_adds)
{
	char idt[RP_ACCOUNT_TEXT + 1];
	json_t *view = json_object(), *tags = json_object(), *val, *arr;
	json_t *conflicts = json_array(), *prev_groups = json_object(), *prevs = json_array();
	const char *key;
	size_t i;

	rp_b32_encode(acct, RP_ACCOUNT_LEN, idt, sizeof idt);
	s_set(view, "id", json_string(idt));
	s_set(view, "name", json_incref(f->name));
	s_set(view, "owner", json_incref(f->owner));
	s_set(view, "owner_op", json_incref(f->owner_op));   /* what a handover names as prev */
	s_set(view, "archived", json_boolean(f->archived));
	s_set(view, "fields", json_incref(f->fields));
	s_set(view, "ops", json_integer(f->ops));

	/* OR-set: a tag is present while one of its adds is not removed. */
	if (tag_adds)
		*tag_adds = json_object();
	json_object_foreach(f->tag_adds, key, val) {
		if (json_object_get(f->tag_removed, key))
			continue;
		json_object_set_new(tags, json_string_value(val), json_true());
		if (tag_adds) {
			json_t *l = json_object_get(*tag_adds, json_string_value(val));
			if (!l)
				json_object_set_new(*tag_adds, json_string_value(val), l = json_array());
			json_array_append_new(l, json_string(key));
		}
	}
	/* jansson iterates keys in insertion order: the view sorts them. */
	s_set(view, "tags", s_sorted_keys(tags));
	json_decref(tags);

	/* Owners: previous ones, and concurrent handovers (same prev). */
	json_array_foreach(f->assigns, i, val) {
		json_t *prev = json_object_get(val, "prev");
		const char *pk = json_is_string(prev) ? json_string_value(prev) : "-";
		json_t *g = json_object_get(prev_groups, pk);
		if (!g)
			json_object_set_new(prev_groups, pk, g = json_array());
		json_array_append(g, json_object_get(val, "to"));
		if (!json_is_null(json_object_get(val, "from")))
			json_array_append_new(prevs, json_pack("{sOsOsOsO}", "member", json_object_get(val, "from"),
			        "at", json_object_get(val, "at"), "note", json_object_get(val, "note"),
			        "to", json_object_get(val, "to")));
	}
	json_object_foreach(prev_groups, key, val) {
		if (json_array_size(val) > 1)
			json_array_append_new(conflicts, json_pack("{sssOsOss}", "kind", "concurrent_handover",
			        "owners", val, "winner", f->owner ? f->owner : json_null(),
			        "detail", "handed over concurrently; the later handover won"));
	}
	json_decref(prev_groups);
	s_set(view, "previous_owners", prevs);
	s_set(view, "handover_note", json_array_size(f->assigns) ?
	      json_incref(json_object_get(json_array_get(f->assigns, json_array_size(f->assigns) - 1), "note")) : NULL);
	s_set(view, "conflicts", conflicts);
	tags = json_object();
	json_object_foreach(f->followers, key, val)
		if (json_is_true(val))
			json_object_set_new(tags, key, json_true());
	s_set(view, "followers", s_sorted_keys(tags));
	json_decref(tags);

	s_set(view, "contacts", s_sorted(f->contacts, s_cmp_contact));

	/* Interactions, newest first ("_at" kept: the caller takes it out);
	 * the derived figures are the tally's of the live ones. */
	arr = s_sorted(f->ixs, s_cmp_ix);
	json_array_foreach(arr, i, val) {
		json_int_t at = json_integer_value(json_object_get(val, "_at"));
		int rc;
		s_set(val, "at", s_iso((uint64_t)at));
		if (!json_is_true(json_object_get(val, "retracted")) &&
		    (rc = rp_tally_add(&f->tally, val, at)) && rc != RP_ELIMIT)
			s_nomem = 1;        /* counted still, not kept: the view is never stored */
	}
	s_set(view, "interactions", arr);

	arr = s_sorted(f->fus, s_cmp_fu);
	json_array_foreach(arr, i, val) {
		json_int_t due = json_integer_value(json_object_get(val, "_due"));
		s_set(val, "due", s_iso((uint64_t)due));
		json_object_del(val, "_due");
		if (rp_tally_add_fu(&f->tally, due, json_string_value(json_object_get(val, "id")),
		                !json_is_true(json_object_get(val, "done")) &&
		                !json_is_true(json_object_get(val, "cancelled")), NULL))
			s_nomem = 1;
	}
	s_set(view, "followups", arr);
	s_set(view, "value", NULL);          /* its place; rp_tally_stats gives it */

	/* The rhythm the rep set (account set X cadence 1w), and whether the
	 * customer said no to marketing calls (consent no): the agenda's. */
	int every = 0;
	const char *cad = json_string_value(json_object_get(f->fields, "cadence"));
	const char *consent = json_string_value(json_object_get(f->fields, "consent"));
	if (!cad || rp_when_period(cad, &every))
		every = 0;
	const char *ref = json_string_value(json_object_get(f->fields, "referred-by"));
	json_t *stats = json_pack("{snsnsnsnsnsnsnsosnsososnsn}",
	        "last_contact", "interactions", "purchases", "cadence_days", "open_complaints",
	        "open_followups", "next_due",
	        "contact_every", every > 0 ? json_integer(every) : json_null(),
	        "buys",
	        "no_calls", json_boolean(consent && !strcasecmp(consent, "no")),
	        "referred_by", ref && strlen(ref) == RP_ACCOUNT_TEXT ? json_string(ref) : json_null(),
	        "last_purchase", "contact_gap_ms");
	/* the figures of the interactions: the tally's, as a new one appended
	 * to a stored view makes them (s_append) */
	json_t *value = stats ? rp_tally_stats(&f->tally, stats) : NULL;
	if (!value)
		s_nomem = 1;
	s_set(view, "value", value);
	s_set(view, "stats", stats);
	return view;
}

static void s_fold_free(s_fold *f)
{
	json_decref(f->name);
	json_decref(f->owner);
	json_decref(f->owner_op);
	json_decref(f->fields);
	json_decref(f->tag_adds);
	json_decref(f->tag_removed);
	json_decref(f->assigns);
	json_decref(f->followers);
	json_decref(f->contacts);
	json_decref(f->ixs);
	json_decref(f->fus);
	json_decref(f->mods);
	rp_tally_free(&f->tally);
}

/* One op of an account as the store holds it: its id (from the acct_ops
 * key) and its encoded bytes, both pointing into a txn's pages. */
typedef struct s_held {
	const uint8_t *opid;
	MDB_val        bytes;
} s_held;

/* The ops of an account, in fold order (acct_ops: account, stamp, op id),
 * valid until txn writes or ends. *out is malloc'd (free it); *n may be 0;
 * last (may be NULL) gets the acct_ops key of the last. */
static int s_collect(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                     s_held **out, size_t *n, uint8_t *last)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	s_held *ops = NULL;
	size_t cap = 0, got = 0;
	int rc, err = 0;
	*out = NULL;
	*n = 0;
	if ((rc = mdb_cursor_open(txn, st->acct_ops, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		MDB_val ok;
		if (k.mv_size != RP_ACCT_KEY_LEN || memcmp(k.mv_data, acct, RP_ACCOUNT_LEN) != 0)
			break;
		if (got == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			s_held *p = realloc(ops, ncap * sizeof *p);
			if (!p) {
				err = RP_ENOMEM;
				break;
			}
			ops = p;
			cap = ncap;
		}
		ops[got].opid = (const uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8;
		ok = (MDB_val){ RP_OPID_LEN, (void *)ops[got].opid };
		if (mdb_get(txn, st->ops, &ok, &ops[got].bytes))
			err = RP_EIO;           /* indexed but not in the log */
		else
			got++;
		if (last)
			memcpy(last, k.mv_data, RP_ACCT_KEY_LEN);
	}
	mdb_cursor_close(c);
	if (!err && rc != 0 && rc != MDB_NOTFOUND)
		err = rp_store_err(rc);
	if (err) {
		free(ops);
		return err;
	}
	*out = ops;
	*n = got;
	return 0;
}

/* Fold the encoded ops of an account (in fold order) into its view, its
 * interactions still holding "_at" (s_strip_at, s_split). Pure: no store,
 * so it may run on any thread. tally (may be NULL) receives the figures of
 * the interactions (its last_key is the caller's). RP_ENOTFOUND when there
 * are no ops, RP_EIO when one does not decode, RP_ENOMEM. */
static int s_fold_ops(const s_held *ops, size_t n, const uint8_t acct[RP_ACCOUNT_LEN],
                      json_t **view, json_t **tag_adds, rp_tally *tally)
{
	s_fold f;
	*view = NULL;
	rp_view_watch_alloc();
	s_nomem = 0;
	s_allocs = 0;
	s_fail_at = rp_view_alloc_fail;
	s_in_fold = 1;
	f = (s_fold){
		.fields = json_object(), .tag_adds = json_object(), .tag_removed = json_object(),
		.assigns = json_array(), .followers = json_object(), .contacts = json_object(),
		.ixs = json_object(), .fus = json_object(), .mods = json_array(),
	};
	if (!f.fields || !f.tag_adds || !f.tag_removed || !f.assigns || !f.followers || !f.contacts ||
	    !f.ixs || !f.fus || !f.mods) {
		s_fold_free(&f);
		s_in_fold = 0;
		return RP_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		rp_op op;
		rp_body b;
		if (rp_op_decode(ops[i].bytes.mv_data, ops[i].bytes.mv_size, &op)) {
			s_fold_free(&f);
			s_in_fold = 0;
			return RP_EIO;
		}
		f.ops++;
		if (!op.body)
			continue;          /* redacted: its place in the log stays, its content is gone */
		if (rp_body_parse(&b, op.body, op.body_len) == 0)
			s_apply(&f, &op, &b, ops[i].opid);
		rp_body_done(&b);
	}
	if (f.ops == 0) {
		s_fold_free(&f);
		s_in_fold = 0;
		return RP_ENOTFOUND;
	}
	s_apply_mods(&f);
	*view = s_layout(&f, acct, tag_adds);
	if (tally && *view && !s_nomem) {
		*tally = f.tally;
		f.tally = (rp_tally){ 0 };
	}
	s_fold_free(&f);
	s_in_fold = 0;
	if (*view && !s_nomem)
		return 0;
	json_decref(*view);          /* a value is missing from it: never stored */
	*view = NULL;
	if (tag_adds) {
		json_decref(*tag_adds);
		*tag_adds = NULL;
	}
	return RP_ENOMEM;
}

static void s_strip_at(json_t *view)
{
	json_t *ix;
	size_t i;
	json_array_foreach(json_object_get(view, "interactions"), i, ix)
		json_object_del(ix, "_at");
}

int rp_view_build(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                  json_t **view, json_t **tag_adds)
{
	s_held *ops;
	size_t n;
	int rc = s_collect(st, txn, acct, &ops, &n, NULL);
	if (rc == 0 && (rc = s_fold_ops(ops, n, acct, view, tag_adds, NULL)) == 0)
		s_strip_at(*view);
	free(ops);
	return rc;
}

char *rp_view_text(const json_t *view)
{
	return rp_json_text(view);   /* json_dumps' compact bytes; the fold order fixes the key order */
}

json_t *rp_view_summary(const json_t *view)
{
	json_t *before = json_array(), *e;
	size_t i;
	/* Who owned it before, once each: scope sends them the assigns that took it. */
	json_array_foreach(json_object_get(view, "previous_owners"), i, e) {
		json_t *m = json_object_get(e, "member"), *x;
		size_t j;
		int seen = 0;
		json_array_foreach(before, j, x)
			seen |= json_equal(x, m);
		if (json_is_string(m) && !seen)
			json_array_append(before, m);
	}
	return json_pack("{sOsOsOsOsOsOsOsOso}",
	        "id", json_object_get(view, "id"), "name", json_object_get(view, "name"),
	        "owner", json_object_get(view, "owner"), "tags", json_object_get(view, "tags"),
	        "archived", json_object_get(view, "archived"), "value", json_object_get(view, "value"),
	        "stats", json_object_get(view, "stats"),
	        "followers", json_object_get(view, "followers"), "owners_before", before);
}

/* ---- the stored view: its head, its items, its tally ------------------------------
 * views holds the view with "interactions": [] (the head), items each
 * interaction under account ‖ ~at ‖ id (the view's order: newest first,
 * then by id), tallies the figures they give (tally.h). */

#define S_ITEM_KEY (RP_ACCOUNT_LEN + 8 + RP_REF_TEXT)

/* An interaction's key, from its id and its time at; -1 if it has no id. */
static int s_item_key(uint8_t key[S_ITEM_KEY], const uint8_t acct[RP_ACCOUNT_LEN], const json_t *ix,
                      int64_t at)
{
	const char *id = json_string_value(json_object_get(ix, "id"));
	if (!id || strlen(id) != RP_REF_TEXT)
		return -1;
	memcpy(key, acct, RP_ACCOUNT_LEN);
	rp_be64_put(key + RP_ACCOUNT_LEN, ~(uint64_t)at);
	memcpy(key + RP_ACCOUNT_LEN + 8, id, RP_REF_TEXT);
	return 0;
}

/* Each stored item of acct, in order: fn returns 0 to go on, else that
 * code ends the walk and is returned. */
static int s_items_walk(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                        int (*fn)(void *arg, const MDB_val *k, const MDB_val *v), void *arg)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	int rc, err = 0;
	if ((rc = mdb_cursor_open(txn, st->items, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && !err;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (k.mv_size < RP_ACCOUNT_LEN || memcmp(k.mv_data, acct, RP_ACCOUNT_LEN) != 0)
			break;
		err = fn(arg, &k, &v);
	}
	mdb_cursor_close(c);
	if (err)
		return err;
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

static int s_load(MDB_txn *txn, MDB_dbi dbi, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out)
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	int rc = mdb_get(txn, dbi, &k, &v);
	if (rc)
		return rp_store_err(rc);
	*out = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	return *out ? 0 : RP_EIO;
}

static int s_item_load(void *arg, const MDB_val *k, const MDB_val *v)
{
	json_t *ix = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	(void)k;
	if (!ix)
		return RP_EIO;
	return json_array_append_new(arg, ix) ? RP_ENOMEM : 0;
}

int rp_view_load(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], json_t **view)
{
	json_t *arr;
	int rc = s_load(txn, st->views, acct, view);
	if (rc)
		return rc;
	if (!(arr = json_array()))
		rc = RP_ENOMEM;
	else if ((rc = s_items_walk(st, txn, acct, s_item_load, arr)) == 0 &&
	         json_object_set_new(*view, "interactions", arr))
		rc = RP_ENOMEM;
	else if (rc)
		json_decref(arr);
	if (rc) {
		json_decref(*view);
		*view = NULL;
	}
	return rc;
}

int rp_view_load_summary(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                         json_t **summary)
{
	return s_load(txn, st->summaries, acct, summary);
}

static void s_hash_framed(crypto_generichash_state *h, const void *p, size_t n)
{
	uint8_t len[8];
	rp_be64_put(len, n);
	crypto_generichash_update(h, len, 8);
	crypto_generichash_update(h, p, n);
}

static int s_item_hash(void *arg, const MDB_val *k, const MDB_val *v)
{
	(void)k;
	s_hash_framed(arg, v->mv_data, v->mv_size);
	return 0;
}

int rp_view_digest(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], uint8_t out[32])
{
	crypto_generichash_state h;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	int rc = mdb_get(txn, st->views, &k, &v);
	if (rc)
		return rp_store_err(rc);
	crypto_generichash_init(&h, NULL, 0, 32);
	s_hash_framed(&h, v.mv_data, v.mv_size);
	if ((rc = s_items_walk(st, txn, acct, s_item_hash, &h)))
		return rc;
	crypto_generichash_final(&h, out, 32);
	return 0;
}

int rp_view_index_entry(const MDB_val *key, const uint8_t **acct, size_t *textlen)
{
	const uint8_t *k = key->mv_data;
	if (key->mv_size <= RP_ACCOUNT_LEN || k[key->mv_size - RP_ACCOUNT_LEN - 1] != 0)
		return -1;
	*acct = k + key->mv_size - RP_ACCOUNT_LEN;
	*textlen = key->mv_size - RP_ACCOUNT_LEN - 1;
	return 0;
}

/* Index key: text ‖ 0 ‖ account. Names are case-folded (text/casefold.h). */
static size_t s_index_key(uint8_t *key, size_t cap, const char *text, int fold,
                          const uint8_t acct[RP_ACCOUNT_LEN])
{
	size_t n = strlen(text);
	if (n + 1 + RP_ACCOUNT_LEN > cap)
		n = cap - 1 - RP_ACCOUNT_LEN;
	if (fold)
		rp_fold((char *)key, text, n);
	else
		memcpy(key, text, n);
	key[n] = 0;
	memcpy(key + n + 1, acct, RP_ACCOUNT_LEN);
	return n + 1 + RP_ACCOUNT_LEN;
}

static int s_index(MDB_txn *txn, MDB_dbi dbi, const json_t *text, int fold,
                   const uint8_t acct[RP_ACCOUNT_LEN], int del)
{
	uint8_t key[400];
	MDB_val k, v = { 0, "" };
	int rc;
	if (!json_is_string(text))
		return 0;
	k.mv_size = s_index_key(key, sizeof key, json_string_value(text), fold, acct);
	k.mv_data = key;
	rc = del ? mdb_del(txn, dbi, &k, NULL) : mdb_put(txn, dbi, &k, &v, 0);
	return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

/* Add (or remove) an account's entries in the names, owners and
 * referrals indexes, from its summary. */
static int s_index_summary(rp_store *st, MDB_txn *txn, const json_t *sum,
                           const uint8_t acct[RP_ACCOUNT_LEN], int remove)
{
	int rc = s_index(txn, st->names, json_object_get(sum, "name"), 1, acct, remove);
	if (!rc)
		rc = s_index(txn, st->owners, json_object_get(sum, "owner"), 0, acct, remove);
	return rc ? rc : s_index(txn, st->referrals,
	                         json_object_get(json_object_get(sum, "stats"), "referred_by"), 0, acct, remove);
}

/* Take out the index entries of the summary stored now, if there is one. */
static int s_unindex_stored(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	json_t *old = NULL;
	int rc = 0;
	if (rp_view_load_summary(st, txn, acct, &old) == 0) {
		rc = s_index_summary(st, txn, old, acct, 1);
		json_decref(old);
	}
	return rc;
}

/* The stored items of acct set to the n of keys/texts (in key order):
 * only those that differ are written. */
typedef struct s_items_diff {
	const uint8_t (*ik)[S_ITEM_KEY];
	char *const   *it;
	size_t         n, i;
	uint8_t      (*gone)[S_ITEM_KEY];   /* stored keys no longer there */
	size_t         ngone, gcap;
	uint8_t       *same;                /* per new item: stored with these bytes already */
} s_items_diff;

static int s_items_cmp(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_items_diff *d = arg;
	int c = 0;
	if (k->mv_size != S_ITEM_KEY)
		return RP_EIO;                    /* not an item's key: damage (fsck) */
	while (d->i < d->n && (c = memcmp(d->ik[d->i], k->mv_data, S_ITEM_KEY)) < 0)
		d->i++;                           /* new: put */
	if (d->i < d->n && c == 0) {
		d->same[d->i] = strlen(d->it[d->i]) == v->mv_size && !memcmp(d->it[d->i], v->mv_data, v->mv_size);
		d->i++;
		return 0;
	}
	if (d->ngone == d->gcap) {
		size_t cap = d->gcap ? d->gcap * 2 : 16;
		void *g = realloc(d->gone, cap * sizeof *d->gone);
		if (!g)
			return RP_ENOMEM;
		d->gone = g;
		d->gcap = cap;
	}
	memcpy(d->gone[d->ngone++], k->mv_data, S_ITEM_KEY);
	return 0;
}

static int s_items_set(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                       const uint8_t (*ik)[S_ITEM_KEY], char *const *it, size_t n, int only_new)
{
	s_items_diff d = { ik, it, n, 0, NULL, 0, 0, calloc(n + 1, 1) };
	int rc = d.same ? 0 : RP_ENOMEM;
	if (rc == 0 && !only_new)
		rc = s_items_walk(st, txn, acct, s_items_cmp, &d);
	for (size_t i = 0; rc == 0 && i < d.ngone; i++) {
		MDB_val k = { S_ITEM_KEY, d.gone[i] };
		rc = rp_store_set(txn, st->items, &k, NULL);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		MDB_val k = { S_ITEM_KEY, (void *)ik[i] }, v = { strlen(it[i]), it[i] };
		if (!d.same[i])
			rc = rp_store_set(txn, st->items, &k, &v);
	}
	free(d.gone);
	free(d.same);
	return rc;
}

static int s_view_drop(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct };
	int rc = s_unindex_stored(st, txn, acct);
	if (rc == 0)
		rc = rp_index_apply(st, txn, acct, NULL);
	if (rc == 0)
		rc = s_items_set(st, txn, acct, NULL, NULL, 0, 0);
	if (rc == 0)
		rc = rp_store_set(txn, st->views, &k, NULL);
	if (rc == 0)
		rc = rp_store_set(txn, st->summaries, &k, NULL);
	if (rc == 0)
		rc = rp_store_set(txn, st->tallies, &k, NULL);
	return rc;
}

/* One account being rebuilt: its ops as held (read on the writer's
 * thread), then its view folded and printed (on any thread), then stored
 * (on the writer's thread again). Or one whose new ops only log
 * interactions or add follow-ups: those folded into its stored view
 * (s_append). */
typedef struct s_rebuild {
	const uint8_t *acct;
	s_held        *ops;
	size_t         nops;
	uint8_t        last[RP_ACCT_KEY_LEN];   /* acct_ops key of its last op */
	int            rc;          /* of the fold: 0, RP_ENOTFOUND (no op left), RP_E* */
	int            appended;    /* the items are the new ones only */
	json_t        *sum;
	char          *vt, *stext;  /* the head's text, the summary's */
	char         **it;          /* the items' texts and keys */
	uint8_t      (*ik)[S_ITEM_KEY];
	size_t         nit;
	uint8_t       *tally;       /* rp_tally_encode */
	size_t         tlen;
	rp_index_set  *ix;          /* its index entries */
} s_rebuild;

static void s_rebuild_free(s_rebuild *r)
{
	free(r->ops);
	free(r->vt);
	free(r->stext);
	for (size_t i = 0; i < r->nit; i++)
		free(r->it[i]);
	free(r->it);
	free(r->ik);
	free(r->tally);
	json_decref(r->sum);
	rp_index_set_free(&r->ix);
}

/* The interactions of view (items, "_at" in each) into r's keys and
 * texts, "_at" gone. Returns 0 or RP_ENOMEM (RP_EIO: one has no id). */
static int s_split(s_rebuild *r, const json_t *items)
{
	size_t n = json_array_size(items), i;
	json_t *ix;
	r->it = calloc(n + 1, sizeof *r->it);
	r->ik = malloc((n + 1) * sizeof *r->ik);
	if (!r->it || !r->ik)
		return RP_ENOMEM;
	json_array_foreach(items, i, ix) {
		if (s_item_key(r->ik[i], r->acct, ix, json_integer_value(json_object_get(ix, "_at"))))
			return RP_EIO;
		json_object_del(ix, "_at");
		if (!(r->it[i] = rp_view_text(ix)))
			return RP_ENOMEM;
		r->nit = i + 1;
	}
	return 0;
}

/* The head's text: the view but its interactions. */
static char *s_head_text(json_t *view)
{
	json_t *items = json_incref(json_object_get(view, "interactions")), *none = json_array();
	char *t = none && !json_object_set_new(view, "interactions", none) ? rp_view_text(view) : NULL;
	json_object_set_new(view, "interactions", items);
	return t;
}

/* The texts and summary of a view with its items ("_at" in each). */
static int s_rebuild_texts(s_rebuild *r, json_t *view, const rp_tally *tally)
{
	int rc = s_split(r, json_object_get(view, "interactions"));
	if (rc)
		return rc;
	r->sum = rp_view_summary(view);
	r->vt = s_head_text(view);
	r->stext = r->sum ? rp_view_text(r->sum) : NULL;
	r->tally = rp_tally_encode(tally, &r->tlen);
	return r->sum && r->vt && r->stext && r->tally ? 0 : RP_ENOMEM;
}

static void s_rebuild_fold(void *arg, size_t i)
{
	s_rebuild *r = (s_rebuild *)arg + i;
	json_t *view = NULL;
	rp_tally tally = { 0 };
	if (r->appended)
		return;
	if ((r->rc = s_fold_ops(r->ops, r->nops, r->acct, &view, NULL, &tally)) == 0) {
		memcpy(tally.last_key, r->last, RP_ACCT_KEY_LEN);
		s_in_fold = 1;        /* its summary and texts are the fold's too */
		if ((r->rc = s_rebuild_texts(r, view, &tally)) == 0 && !(r->ix = rp_index_build(view, r->acct)))
			r->rc = RP_ENOMEM;
		s_in_fold = 0;
		if (r->rc == 0 && s_nomem)
			r->rc = RP_ENOMEM;
	}
	rp_tally_free(&tally);
	json_decref(view);
}

#define S_APPEND_MAX 4096      /* new ops folded into a stored view at most; past that, a refold */

/* The account's ops after the last its tally counts, when all of them log
 * interactions or add follow-ups that nothing named before
 * (rp_tally_is_orphan): the interactions into items (their "_at" kept),
 * the follow-ups into fus (the stored view's, each in its place), both
 * into the tally. The cost is that of the new ops, not of the account's
 * history. Returns 0, 1 (a refold is needed: anything else), or an RP_E*
 * code. */
static int s_append_read(rp_store *st, MDB_txn *txn, s_rebuild *r, rp_tally *t, json_t *items,
                         json_t *fus, json_int_t *count)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCT_KEY_LEN, t->last_key }, v;
	int rc, out = 0;
	if ((rc = mdb_cursor_open(txn, st->acct_ops, &c)))
		return rp_store_err(rc);
	if ((rc = mdb_cursor_get(c, &k, &v, MDB_SET)))
		out = rc == MDB_NOTFOUND ? 1 : rp_store_err(rc);     /* its last op is gone: purged */
	while (out == 0 && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		MDB_val ok, ob;
		rp_op op;
		rp_body b;
		json_t *ix;
		if (k.mv_size != RP_ACCT_KEY_LEN || memcmp(k.mv_data, r->acct, RP_ACCOUNT_LEN) != 0)
			break;
		ok = (MDB_val){ RP_OPID_LEN, (uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8 };
		if (++*count > S_APPEND_MAX || mdb_get(txn, st->ops, &ok, &ob) ||
		    rp_op_decode(ob.mv_data, ob.mv_size, &op) || !op.body ||
		    (strcmp(op.kind, "ix.log") && strcmp(op.kind, "fu.add"))) {
			out = 1;
			break;
		}
		if (rp_body_parse(&b, op.body, op.body_len)) {
			rp_body_done(&b);
			out = 1;
			break;
		}
		if (!strcmp(op.kind, "fu.add")) {
			/* a follow-up: its place among the others is the tally's */
			json_t *fu = s_fu_new(&op, &b, ok.mv_data);
			json_int_t due;
			size_t pos;
			rp_body_done(&b);
			if (!fu || rp_tally_is_orphan(t, json_string_value(json_object_get(fu, "id")))) {
				json_decref(fu);
				out = 1;
				break;
			}
			due = json_integer_value(json_object_get(fu, "_due"));
			s_set(fu, "due", s_iso((uint64_t)due));
			json_object_del(fu, "_due");
			if (rp_tally_add_fu(t, due, json_string_value(json_object_get(fu, "id")), 1, &pos) ||
			    json_array_insert_new(fus, pos, fu)) {
				out = RP_ENOMEM;
				break;
			}
			memcpy(t->last_key, k.mv_data, RP_ACCT_KEY_LEN);
			continue;
		}
		ix = s_ix_new(&op, &b, ok.mv_data);
		rp_body_done(&b);
		if (!ix || rp_tally_is_orphan(t, json_string_value(json_object_get(ix, "id")))) {
			json_decref(ix);
			out = 1;
			break;
		}
		json_int_t at = json_integer_value(json_object_get(ix, "_at"));
		s_set(ix, "at", s_iso((uint64_t)at));
		if (json_array_append_new(items, ix)) {
			out = RP_ENOMEM;
			break;
		}
		if ((rc = rp_tally_add(t, ix, at))) {
			out = rc == RP_ELIMIT ? 1 : rc;   /* a sum the order could change: refold */
			break;
		}
		memcpy(t->last_key, k.mv_data, RP_ACCT_KEY_LEN);
	}
	if (out == 0 && rc != 0 && rc != MDB_NOTFOUND)
		out = rp_store_err(rc);
	mdb_cursor_close(c);
	return out == 0 && *count == 0 ? 1 : out;     /* nothing new: something else changed */
}

static int s_append(rp_store *st, MDB_txn *txn, s_rebuild *r)
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)r->acct }, v;
	rp_tally t = { 0 };
	json_t *items = NULL, *head = NULL, *stats, *value;
	json_int_t count = 0;
	int rc = mdb_get(txn, st->tallies, &k, &v), failed;
	if (rc)
		return rc == MDB_NOTFOUND ? 1 : rp_store_err(rc);
	if ((rc = rp_tally_decode(&t, v.mv_data, v.mv_size)))
		return rc == RP_EIO ? 1 : rc;
	rp_view_watch_begin(rp_view_alloc_fail);
	if (s_load(txn, st->views, r->acct, &head))
		rc = 1;
	else if (!json_is_array(json_object_get(head, "followups")) ||
	         json_array_size(json_object_get(head, "followups")) != t.nfus)
		rc = 1;                        /* not the view its tally counts */
	else if (!(items = json_array()))
		rc = RP_ENOMEM;
	else
		rc = s_append_read(st, txn, r, &t, items, json_object_get(head, "followups"), &count);
	if (rc == 0) {
		stats = json_object_get(head, "stats");
		if (!json_is_object(stats) || !json_is_integer(json_object_get(head, "ops")) ||
		    !json_is_array(json_object_get(head, "interactions")))
			rc = 1;
	}
	if (rc == 0 && (json_object_set_new(head, "ops", json_integer(json_integer_value(json_object_get(head, "ops")) + count)) ||
	                !(value = rp_tally_stats(&t, stats)) || json_object_set_new(head, "value", value)))
		rc = RP_ENOMEM;
	if (rc == 0) {
		json_object_set_new(head, "interactions", items);     /* the index reads the new ones there */
		items = NULL;
		if ((rc = s_split(r, json_object_get(head, "interactions"))) == 0) {
			r->sum = rp_view_summary(head);
			r->vt = s_head_text(head);
			r->stext = r->sum ? rp_view_text(r->sum) : NULL;
			r->tally = rp_tally_encode(&t, &r->tlen);
			if (!r->sum || !r->vt || !r->stext || !r->tally)
				rc = RP_ENOMEM;
		}
	}
	failed = rp_view_watch_end(NULL);
	if (rc == 0 && !failed && !(r->ix = rp_index_build_more(st, txn, head, r->acct)))
		rc = 1;
	if (rc == 0 && failed)
		rc = RP_ENOMEM;
	json_decref(items);
	json_decref(head);
	rp_tally_free(&t);
	if (rc == 0) {
		r->appended = 1;
		rp_view_appends++;             /* on the writer's thread: s_append never runs in a fold */
	} else
		s_rebuild_free(r), *r = (s_rebuild){ .acct = r->acct };
	return rc;
}

static int s_rebuild_store(rp_store *st, MDB_txn *txn, const s_rebuild *r)
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)r->acct }, v;
	int rc;
	if (r->rc == RP_ENOTFOUND)
		return s_view_drop(st, txn, r->acct);
	if (r->rc)
		return r->rc;
	if ((rc = s_unindex_stored(st, txn, r->acct)) || (rc = s_index_summary(st, txn, r->sum, r->acct, 0)) ||
	    (rc = rp_index_apply(st, txn, r->acct, r->ix)) ||
	    (rc = s_items_set(st, txn, r->acct, (const uint8_t (*)[S_ITEM_KEY])r->ik, r->it, r->nit, r->appended)))
		return rc;
	v = (MDB_val){ strlen(r->vt), r->vt };
	if ((rc = rp_store_set(txn, st->views, &k, &v)))
		return rc;
	v = (MDB_val){ r->tlen, r->tally };
	if ((rc = rp_store_set(txn, st->tallies, &k, &v)))
		return rc;
	v = (MDB_val){ strlen(r->stext), r->stext };
	return rp_store_set(txn, st->summaries, &k, &v);
}

#define S_REBUILD_GROUP 256     /* accounts read, folded and stored at a time */

int rp_view_refresh_many(rp_store *st, MDB_txn *txn, const uint8_t (*accts)[RP_ACCOUNT_LEN],
                         const uint8_t *refold, size_t n)
{
	s_rebuild r[S_REBUILD_GROUP];
	int rc = 0;
	for (size_t at = 0; at < n && rc == 0; at += S_REBUILD_GROUP) {
		size_t g = n - at < S_REBUILD_GROUP ? n - at : S_REBUILD_GROUP, i;
		memset(r, 0, sizeof r);
		/* Read every op of the group first: nothing writes while they fold,
		 * so the pointers into the txn's pages stay good. */
		for (i = 0; i < g && rc == 0; i++) {
			r[i].acct = accts[at + i];
			if (refold && !refold[at + i] && (rc = s_append(st, txn, &r[i])) != 1)
				continue;
			rc = s_collect(st, txn, r[i].acct, &r[i].ops, &r[i].nops, r[i].last);
		}
		if (rc == 0)
			rp_work_run(s_rebuild_fold, r, g);
		for (i = 0; i < g && rc == 0; i++)
			rc = s_rebuild_store(st, txn, &r[i]);
		for (i = 0; i < g; i++)
			s_rebuild_free(&r[i]);
	}
	return rc;
}

int rp_view_refresh(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	return rp_view_refresh_many(st, txn, (const uint8_t (*)[RP_ACCOUNT_LEN])acct, NULL, 1);
}

/* fsck: the stored head, items and tally against the fold's. */
typedef struct s_items_eq {
	const s_rebuild *r;
	size_t i;
	int differs;
} s_items_eq;

static int s_item_eq(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_items_eq *e = arg;
	const s_rebuild *r = e->r;
	if (e->i >= r->nit || k->mv_size != S_ITEM_KEY || memcmp(k->mv_data, r->ik[e->i], S_ITEM_KEY) ||
	    v->mv_size != strlen(r->it[e->i]) || memcmp(v->mv_data, r->it[e->i], v->mv_size))
		e->differs = 1;
	e->i++;
	return 0;
}

static int s_same(MDB_txn *txn, MDB_dbi dbi, const uint8_t acct[RP_ACCOUNT_LEN], const void *p, size_t n)
{
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	return mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == n && !memcmp(v.mv_data, p, n);
}

int rp_view_differs(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], json_t **view)
{
	s_rebuild r = { .acct = acct };
	s_items_eq e = { &r, 0, 0 };
	rp_tally tally = { 0 };
	int rc;
	*view = NULL;
	if ((rc = s_collect(st, txn, acct, &r.ops, &r.nops, r.last)) == 0 &&
	    (rc = s_fold_ops(r.ops, r.nops, acct, view, NULL, &tally)) == 0) {
		memcpy(tally.last_key, r.last, RP_ACCT_KEY_LEN);
		if ((rc = s_rebuild_texts(&r, *view, &tally)) == 0)
			rc = s_items_walk(st, txn, acct, s_item_eq, &e);
	}
	if (rc == 0)
		rc = e.differs || e.i != r.nit || !s_same(txn, st->views, acct, r.vt, strlen(r.vt)) ||
		     !s_same(txn, st->tallies, acct, r.tally, r.tlen);
	rp_tally_free(&tally);
	s_rebuild_free(&r);
	if (rc < 0) {
		json_decref(*view);
		*view = NULL;
	}
	return rc;
}

typedef struct s_stale_job {
	uint64_t count;     /* rebuilt by this try */
	int      more;      /* stale accounts are left for the next txn */
} s_stale_job;

#define S_STALE_TXN 1000       /* stale accounts rebuilt per txn */

/* Up to a thousand stale accounts: rebuilt, and their marks gone. */
static int s_stale_run(rp_store *st, MDB_txn *txn, void *arg)
{
	s_stale_job *j = arg;
	uint8_t (*accts)[RP_ACCOUNT_LEN] = malloc(S_STALE_TXN * sizeof *accts);
	MDB_cursor *c;
	MDB_val k, v;
	size_t n = 0, seen = 0;
	int rc;
	j->count = 0;
	j->more = 0;
	if (!accts)
		return RP_ENOMEM;
	if ((rc = mdb_cursor_open(txn, st->stale, &c))) {
		free(accts);
		return rc;
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		if (seen == S_STALE_TXN) {
			j->more = 1;
			break;
		}
		seen++;
		if (k.mv_size == RP_ACCOUNT_LEN)         /* a malformed mark is no account: it just goes */
			memcpy(accts[n++], k.mv_data, RP_ACCOUNT_LEN);
	}
	mdb_cursor_close(c);
	rc = rc == MDB_NOTFOUND || j->more ? 0 : rc;
	/* an account every op of which was refused or is pending: its view is dropped */
	if (rc == 0)
		rc = rp_view_refresh_many(st, txn, (const uint8_t (*)[RP_ACCOUNT_LEN])accts, NULL, n);
	/* the first `seen` marks are the ones just read: the rebuild writes no mark */
	if (rc == 0 && (rc = mdb_cursor_open(txn, st->stale, &c)) == 0) {
		for (size_t i = 0; i < seen && rc == 0; i++)
			if ((rc = mdb_cursor_get(c, &k, &v, MDB_FIRST)) == 0)
				rc = mdb_cursor_del(c, 0);
		mdb_cursor_close(c);
	}
	j->count = n;
	free(accts);
	return rc;
}

int rp_view_refresh_stale(rp_store *st, uint64_t *rebuilt)
{
	return rp_view_refresh_stale_progress(st, rebuilt, NULL, NULL);
}

int rp_view_refresh_stale_progress(rp_store *st, uint64_t *rebuilt, rp_view_progress_fn fn, void *arg)
{
	s_stale_job j = { 0, 1 };
	uint64_t count = 0, total = 0;
	int rc = 0;
	if (fn) {
		MDB_txn *txn;
		if (rp_store_begin(st, 0, &txn) == 0) {
			total = rp_store_count(txn, st->stale);
			rp_store_end(txn);
		}
		fn(arg, 0, total);
	}
	/* Chunks of accounts per txn, so a huge backlog never needs one huge txn. */
	while (j.more && (rc = rp_store_run(st, s_stale_run, &j)) == 0) {
		count += j.count;
		if (fn)
			fn(arg, count, total > count ? total : count);
	}
	if (rebuilt)
		*rebuilt = count;
	return rc;
}

typedef struct s_mark_walk {
	rp_store *st;
	MDB_txn  *txn;
} s_mark_walk;

static int s_mark_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_mark_walk *w = arg;
	(void)v;
	if (k->mv_size != RP_ACCOUNT_LEN)
		return 0;
	return rp_store_mark(w->txn, w->st->stale, k->mv_data, RP_ACCOUNT_LEN);
}

int rp_view_mark_all_stale(rp_store *st, MDB_txn *txn)
{
	s_mark_walk w = { st, txn };
	return rp_store_scan(txn, st->views, NULL, 0, s_mark_one, &w);
}

json_t *rp_view_item(const json_t *view, const char *list, const uint8_t ref[RP_REF_LEN])
{
	char t[RP_REF_TEXT + 1];
	size_t i;
	json_t *e;
	rp_b32_encode(ref, RP_REF_LEN, t, sizeof t);
	json_array_foreach(json_object_get(view, list), i, e)
		if (json_is_string(json_object_get(e, "id")) && !strcmp(json_string_value(json_object_get(e, "id")), t))
			return e;
	return NULL;
}
