/* node/store/schema.c — the body rules of schema.h. Reads only the op and its
 * parsed body: no store, no clock. Must refuse, never repair: an op either
 * holds exactly what its kind allows or it is not stored. */
#include <string.h>

#include "schema.h"
#include "roster.h"
#include "../text/visible.h"
#include "../../proto/error.h"

const char *const rp_schema_prefer[] = { "call", "email", "visit", "sms", "none", NULL };
const char *const rp_schema_ix_types[] = { "call", "email", "visit", "meeting", "note",
	"purchase", "complaint", "gift", "feedback", NULL };

int rp_schema_text_ok(const char *s, size_t n, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, len; i < n; i += len) {
		if (!(len = rp_visible_utf8_len(p + i, n - i)))
			return 0;
		if (len == 1 && ((p[i] < 0x20 && !(multiline && (p[i] == '\n' || p[i] == '\t'))) || p[i] == 0x7f))
			return 0;
		if (len == 2 && p[i] == 0xc2 && p[i + 1] <= 0x9f)
			return 0;                /* C1: U+0080..U+009F */
	}
	return 1;
}

int rp_schema_field_ok(const char *p, size_t n)
{
	if (n == 0 || n > RP_FIELD_MAX || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_' ||
		      p[i] == '-' || (p[i] == '.' && p[i + 1] != '.')))
			return 0;
	return 1;
}

/* Every string of an object, at any depth: map keys are one line; values
 * may hold newline and tab here (free texts, and the values of keys a newer
 * rapport adds), the rules of each kind narrow that below. */
static int s_strings_ok(const msgpack_object *o, int depth, int is_key)
{
	if (depth > RP_BODY_DEPTH_MAX)
		return 0;
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		return rp_schema_text_ok(o->via.str.ptr, o->via.str.size, !is_key);
	case MSGPACK_OBJECT_ARRAY:
		for (uint32_t i = 0; i < o->via.array.size; i++)
			if (!s_strings_ok(&o->via.array.ptr[i], depth + 1, 0))
				return 0;
		return 1;
	case MSGPACK_OBJECT_MAP:
		for (uint32_t i = 0; i < o->via.map.size; i++)
			if (!s_strings_ok(&o->via.map.ptr[i].key, depth + 1, 1) ||
			    !s_strings_ok(&o->via.map.ptr[i].val, depth + 1, 0))
				return 0;
		return 1;
	case MSGPACK_OBJECT_EXT:
		return 0;                    /* no kind uses them: nothing hides in one */
	default:
		return 1;
	}
}

/* The top-level keys: strings, each once (a second "name" would be read
 * by nobody and shown by nobody). */
static int s_keys_ok(const rp_body *b)
{
	const msgpack_object *m = b->map;
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *k = &m->via.map.ptr[i].key;
		if (k->type != MSGPACK_OBJECT_STR)
			return 0;
		for (uint32_t j = 0; j < i; j++) {
			const msgpack_object *o = &m->via.map.ptr[j].key;
			if (o->via.str.size == k->via.str.size &&
			    !memcmp(o->via.str.ptr, k->via.str.ptr, k->via.str.size))
				return 0;
		}
	}
	return 1;
}

typedef struct s_check {
	const rp_body *b;
	const char    *why;
} s_check;

static int s_bad(s_check *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return 0;
}

static int s_one_of(const char *p, size_t n, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (strlen(list[i]) == n && !memcmp(list[i], p, n))
			return 1;
	return 0;
}

enum { S_REQ = 1, S_OPT = 0 };
enum { S_LINE, S_TEXT, S_NAME, S_MEMBER };

/* A string field: line (single line), text (free text), name (a non-empty
 * line within RP_NAME_MAX), member (a member name). */
static int s_str(s_check *c, const char *key, int req, int how)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	const char *p;
	size_t n;
	if (!o || (!req && o->type == MSGPACK_OBJECT_NIL))
		return req && !o ? s_bad(c, "a required field is missing") : 1;   /* nil: absent */
	if (o->type != MSGPACK_OBJECT_STR)
		return s_bad(c, "a text field is not a string");
	p = o->via.str.ptr;
	n = o->via.str.size;
	if (n > RP_STR_MAX)
		return s_bad(c, "a text is too long");
	switch (how) {
	case S_MEMBER:
		return rp_member_name_ok(p, n) ? 1 : s_bad(c, "not a member name");
	case S_NAME:
		if (n == 0 || n > RP_NAME_MAX)
			return s_bad(c, "a name is empty or too long");
		/* fall through */
	case S_LINE:
		return rp_schema_text_ok(p, n, 0) ? 1 : s_bad(c, "a control character in a one-line field");
	default:
		return 1;                    /* the string rule already held */
	}
}

static int s_enum(s_check *c, const char *key, int req, const char *const *list)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	if (!o || (!req && o->type == MSGPACK_OBJECT_NIL))
		return req && !o ? s_bad(c, "a required field is missing") : 1;
	if (o->type != MSGPACK_OBJECT_STR || !s_one_of(o->via.str.ptr, o->via.str.size, list))
		return s_bad(c, "a value outside its enumeration");
	return 1;
}

static int s_bin(s_check *c, const char *key, int req, size_t len)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	if (!o)
		return req ? s_bad(c, "a required field is missing") : 1;
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != len)
		return s_bad(c, "an id of the wrong type or length");
	return 1;
}

static int s_bins(s_check *c, const char *key, int req, size_t len, uint32_t max)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	if (!o)
		return req ? s_bad(c, "a required field is missing") : 1;
	if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > max)
		return s_bad(c, "a list of ids that is not one, or too long");
	for (uint32_t i = 0; i < o->via.array.size; i++)
		if (o->via.array.ptr[i].type != MSGPACK_OBJECT_BIN || o->via.array.ptr[i].via.bin.size != len)
			return s_bad(c, "an id of the wrong type or length");
	return 1;
}

static int s_bool(s_check *c, const char *key, int req)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	if (!o)
		return req ? s_bad(c, "a required field is missing") : 1;
	return o->type == MSGPACK_OBJECT_BOOLEAN ? 1 : s_bad(c, "a flag that is not a boolean");
}

/* An integer; nonneg: at least 0 (dates). */
static int s_int(s_check *c, const char *key, int req, int nonneg)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	if (!o)
		return req ? s_bad(c, "a required field is missing") : 1;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return o->via.u64 <= INT64_MAX ? 1 : s_bad(c, "a number out of range");
	if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && !nonneg)
		return 1;
	return s_bad(c, "a number that is not one, or negative");
}

/* {cents int, currency [A-Z]{3}} and nothing else. */
static int s_amount(s_check *c, const char *key)
{
	const msgpack_object *o = rp_body_get(c->b, key);
	int cents = 0, cur = 0;
	if (!o)
		return 1;
	if (o->type != MSGPACK_OBJECT_MAP || o->via.map.size != 2)
		return s_bad(c, "an amount that is not {cents, currency}");
	for (uint32_t i = 0; i < 2; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
		if (k->type != MSGPACK_OBJECT_STR)
			return s_bad(c, "an amount that is not {cents, currency}");
		if (k->via.str.size == 5 && !memcmp(k->via.str.ptr, "cents", 5) &&
		    ((v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= (uint64_t)RP_CENTS_MAX) ||
		     (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && v->via.i64 >= -RP_CENTS_MAX)))
			cents++;
		else if (k->via.str.size == 8 && !memcmp(k->via.str.ptr, "currency", 8) &&
		         v->type == MSGPACK_OBJECT_STR && v->via.str.size == 3 &&
		         v->via.str.ptr[0] >= 'A' && v->via.str.ptr[0] <= 'Z' &&
		         v->via.str.ptr[1] >= 'A' && v->via.str.ptr[1] <= 'Z' &&
		         v->via.str.ptr[2] >= 'A' && v->via.str.ptr[2] <= 'Z')
			cur++;
	}
	return cents == 1 && cur == 1 ? 1 : s_bad(c, "an amount that is not {cents, currency}");
}

/* A field name of acct.set / contact.set: [a-z0-9_-]{1,RP_FIELD_MAX}. */
static int s_field(s_check *c, const char **name, size_t *len)
{
	const msgpack_object *o = rp_body_get(c->b, "field");
	if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size == 0 || o->via.str.size > RP_FIELD_MAX)
		return s_bad(c, "a field name that is missing or too long");
	if (!rp_schema_field_ok(o->via.str.ptr, o->via.str.size))
		return s_bad(c, "a field name outside a-z 0-9 _ - (and . inside)");
	*name = o->via.str.ptr;
	*len = o->via.str.size;
	return 1;
}

static int s_is(const char *p, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(p, lit, n);
}

/* The value of a field set (account or contact): str or nil, by field. */
static int s_field_value(s_check *c)
{
	const msgpack_object *o = rp_body_get(c->b, "value");
	const char *f = NULL;
	size_t n = 0;
	if (!s_field(c, &f, &n))
		return 0;
	if (!o)
		return s_bad(c, "a required field is missing");
	if (o->type == MSGPACK_OBJECT_NIL)
		return s_is(f, n, "name") ? s_bad(c, "a name cannot be cleared") : 1;
	if (o->type != MSGPACK_OBJECT_STR)
		return s_bad(c, "a field value that is not a string");
	if (s_is(f, n, "prefer"))
		return s_enum(c, "value", S_REQ, rp_schema_prefer);
	if (s_is(f, n, "name"))
		return s_str(c, "value", S_REQ, S_NAME);
	if (s_is(f, n, "notes") || s_is(f, n, "address"))
		return s_str(c, "value", S_REQ, S_TEXT);
	return s_str(c, "value", S_REQ, S_LINE);
}

/* ix.amend: the value by the field it amends. */
static int s_amend_value(s_check *c)
{
	const msgpack_object *f = rp_body_get(c->b, "field"), *v = rp_body_get(c->b, "value");
	if (!s_str(c, "field", S_REQ, S_LINE))
		return 0;
	if (f->via.str.size == 0 || f->via.str.size > RP_FIELD_MAX)
		return s_bad(c, "a field name that is missing or too long");
	if (!v)
		return s_bad(c, "a required field is missing");
	if (s_is(f->via.str.ptr, f->via.str.size, "type"))
		return s_enum(c, "value", S_REQ, rp_schema_ix_types);
	if (s_is(f->via.str.ptr, f->via.str.size, "at"))
		return s_int(c, "value", S_REQ, 1);
	if (s_is(f->via.str.ptr, f->via.str.size, "amount"))
		return v->type == MSGPACK_OBJECT_NIL || s_amount(c, "value");
	if (v->type == MSGPACK_OBJECT_NIL)
		return 1;
	if (s_is(f->via.str.ptr, f->via.str.size, "text") || s_is(f->via.str.ptr, f->via.str.size, "outcome"))
		return s_str(c, "value", S_REQ, S_TEXT);
	return s_str(c, "value", S_REQ, S_LINE);
}

static int s_kind(s_check *c, const char *k)
{
	if (!strcmp(k, "team.genesis"))
		return s_str(c, "member", S_REQ, S_MEMBER) && s_str(c, "team", S_OPT, S_NAME);
	if (!strcmp(k, "member.add") || !strcmp(k, "member.role")) {
		static const char *const roles[] = { "admin", "manager", "rep", "hub", NULL };
		return s_str(c, "name", S_REQ, S_MEMBER) && s_enum(c, "role", S_REQ, roles);
	}
	if (!strcmp(k, "device.add"))
		return s_str(c, "member", S_REQ, S_MEMBER) && s_bin(c, "device", S_REQ, RP_DEVICE_LEN);
	if (!strcmp(k, "member.revoke"))
		return s_str(c, "name", S_REQ, S_MEMBER) && s_bins(c, "cutoffs", S_REQ, RP_OPID_LEN, RP_REVOKE_CUTOFFS_MAX) &&
		       s_bool(c, "device_only", S_OPT);
	if (!strcmp(k, "team.set")) {
		static const char *const keys[] = { "keep", "currency", "calls", "holidays", NULL };
		const msgpack_object *key = rp_body_get(c->b, "key"), *v = rp_body_get(c->b, "value");
		if (!s_enum(c, "key", S_REQ, keys))
			return 0;
		if (s_is(key->via.str.ptr, key->via.str.size, "keep"))
			return s_bool(c, "value", S_REQ);
		if (s_is(key->via.str.ptr, key->via.str.size, "holidays")) {
			if (!v || v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size > RP_TEAM_HOLIDAYS_MAX)
				return s_bad(c, "holidays that are not a list of at most RP_TEAM_HOLIDAYS_MAX days");
			for (uint32_t i = 0; i < v->via.array.size; i++)
				if (v->via.array.ptr[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
				    v->via.array.ptr[i].via.u64 > RP_DAY_MAX)
					return s_bad(c, "a holiday that is not a day");
			return 1;
		}
		if (s_is(key->via.str.ptr, key->via.str.size, "calls"))
			return v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= RP_TEAM_CALLS_MAX
			       ? 1 : s_bad(c, "a number of calls that is not 0..RP_TEAM_CALLS_MAX");
		return v && v->type == MSGPACK_OBJECT_STR && v->via.str.size == 3 &&
		       v->via.str.ptr[0] >= 'A' && v->via.str.ptr[0] <= 'Z' &&
		       v->via.str.ptr[1] >= 'A' && v->via.str.ptr[1] <= 'Z' &&
		       v->via.str.ptr[2] >= 'A' && v->via.str.ptr[2] <= 'Z'
		       ? 1 : s_bad(c, "a currency that is not 3 capital letters");
	}
	if (!strcmp(k, "acct.create"))
		return s_str(c, "name", S_REQ, S_NAME) && s_str(c, "owner", S_OPT, S_MEMBER);
	if (!strcmp(k, "acct.set"))
		return s_field_value(c);
	if (!strcmp(k, "acct.tag")) {
		const msgpack_object *add = rp_body_get(c->b, "add"), *rm = rp_body_get(c->b, "remove");
		if ((!add || add->type == MSGPACK_OBJECT_NIL) && (!rm || rm->type == MSGPACK_OBJECT_NIL))
			return s_bad(c, "a tag op that neither adds nor removes");
		return s_str(c, "add", S_OPT, S_NAME) && s_bins(c, "remove", S_OPT, RP_OPID_LEN, RP_BODY_ITEMS_MAX);
	}
	if (!strcmp(k, "acct.assign"))
		return s_str(c, "to", S_REQ, S_MEMBER) && s_bin(c, "prev", S_OPT, RP_OPID_LEN) &&
		       s_str(c, "note", S_OPT, S_TEXT);
	if (!strcmp(k, "acct.follow"))
		return s_str(c, "member", S_REQ, S_MEMBER) && s_bool(c, "follow", S_REQ);
	if (!strcmp(k, "acct.archive"))
		return s_bool(c, "archived", S_REQ);
	if (!strcmp(k, "contact.add"))
		return s_str(c, "name", S_REQ, S_NAME) && s_str(c, "role", S_OPT, S_LINE) &&
		       s_str(c, "email", S_OPT, S_LINE) && s_str(c, "phone", S_OPT, S_LINE) &&
		       s_enum(c, "prefer", S_OPT, rp_schema_prefer);
	if (!strcmp(k, "contact.set"))
		return s_bin(c, "contact", S_REQ, RP_OPID_LEN) && s_field_value(c);
	if (!strcmp(k, "ix.log"))
		return s_enum(c, "type", S_REQ, rp_schema_ix_types) && s_int(c, "at", S_OPT, 1) &&
		       s_str(c, "text", S_OPT, S_TEXT) && s_str(c, "contact", S_OPT, S_LINE) &&
		       s_str(c, "outcome", S_OPT, S_TEXT) && s_amount(c, "amount") &&
		       s_str(c, "by", S_OPT, S_NAME);
	if (!strcmp(k, "ix.amend"))
		return s_bin(c, "ix", S_REQ, RP_OPID_LEN) && s_amend_value(c);
	if (!strcmp(k, "ix.retract"))
		return s_bin(c, "ix", S_REQ, RP_OPID_LEN) && s_str(c, "reason", S_OPT, S_TEXT);
	if (!strcmp(k, "complaint.resolve"))
		return s_bin(c, "ix", S_REQ, RP_OPID_LEN) && s_str(c, "text", S_OPT, S_TEXT);
	if (!strcmp(k, "fu.add"))
		return s_str(c, "text", S_REQ, S_TEXT) && s_int(c, "due", S_REQ, 1) &&
		       s_str(c, "assignee", S_OPT, S_MEMBER) && s_str(c, "campaign", S_OPT, S_NAME);
	if (!strcmp(k, "fu.done"))
		return s_bin(c, "fu", S_REQ, RP_OPID_LEN) && s_str(c, "text", S_OPT, S_TEXT);
	if (!strcmp(k, "fu.move"))
		return s_bin(c, "fu", S_REQ, RP_OPID_LEN) && s_int(c, "due", S_REQ, 1);
	if (!strcmp(k, "fu.cancel"))
		return s_bin(c, "fu", S_REQ, RP_OPID_LEN);
	if (!strcmp(k, "redact"))
		return s_bins(c, "ops", S_REQ, RP_OPID_LEN, RP_REDACT_MAX) && s_str(c, "reason", S_OPT, S_TEXT);
	if (!strcmp(k, "purge.receipt"))
		return s_bin(c, "account", S_REQ, RP_ACCOUNT_LEN) && s_int(c, "ops", S_OPT, 1);
	return 1;                            /* a newer kind: the string rule only */
}

/* -1 team scope only, 1 an account only, 0 either (or unknown). */
static int s_scope(const char *k)
{
	if (rp_roster_kind(k) || !strcmp(k, "purge.receipt"))
		return -1;
	if (!strcmp(k, "redact"))
		return 0;
	if (!strncmp(k, "acct.", 5) || !strncmp(k, "contact.", 8) || !strncmp(k, "ix.", 3) ||
	    !strncmp(k, "fu.", 3) || !strcmp(k, "complaint.resolve"))
		return 1;
	return 0;
}

static _Thread_local const char *s_last_why;

const char *rp_schema_why(void)
{
	return s_last_why;
}

static int s_check_op(const rp_op *op, const rp_body *body, const char **why);

int rp_schema_check(const rp_op *op, const rp_body *body, const char **why)
{
	const char *w = NULL;
	int rc = s_check_op(op, body, &w);
	s_last_why = rc ? w : NULL;
	if (why)
		*why = w;
	return rc;
}

static int s_check_op(const rp_op *op, const rp_body *body, const char **why)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	s_check c = { body, NULL };
	int team = !memcmp(op->account, zero, RP_ACCOUNT_LEN), scope = s_scope(op->kind);
	int ok;
	if (why)
		*why = NULL;
	if ((scope < 0 && !team) || (scope > 0 && team)) {
		if (why)
			*why = team ? "an account op without an account" : "a team op on an account";
		return RP_EFORMAT;
	}
	if (!op->body)
		return 0;                    /* redacted: nothing left to check */
	if (!body || !body->map) {
		if (why)
			*why = "a body that is not a map";
		return RP_EFORMAT;
	}
	if (!s_keys_ok(body)) {
		if (why)
			*why = "a body key that is not a string, or given twice";
		return RP_EFORMAT;
	}
	if (!s_strings_ok(body->map, 0, 0)) {
		if (why)
			*why = "text that is not UTF-8 or holds a control character";
		return RP_EFORMAT;
	}
	ok = s_kind(&c, op->kind);
	if (why)
		*why = c.why;
	return ok ? 0 : RP_EFORMAT;
}
