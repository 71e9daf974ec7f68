/* node/store/roster.c — apply roster ops to the members/devices tables and answer
 * role questions. Must never let a device that is not an admin's change the
 * roster, whatever the op claims. */
#include <string.h>
#include <sodium.h>

#include "roster.h"
#include "../../proto/error.h"
#include "../../proto/id.h"

int rp_role_ok(const char *role)
{
	return role && (!strcmp(role, "admin") || !strcmp(role, "manager") ||
	                !strcmp(role, "rep") || !strcmp(role, "hub"));
}

int rp_roster_kind(const char *kind)
{
	return !strcmp(kind, "team.genesis") || !strcmp(kind, "member.add") ||
	       !strcmp(kind, "device.add") || !strcmp(kind, "member.role") ||
	       !strcmp(kind, "member.revoke") || !strcmp(kind, "team.set");
}

int rp_member_name_ok(const char *p, size_t n)
{
	if (n == 0 || n > RP_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int s_body_name(const rp_body *b, const char *key, char out[RP_NAME_MAX + 1])
{
	const char *p;
	size_t n;
	if (rp_body_str(b, key, &p, &n) || !rp_member_name_ok(p, n))
		return RP_EFORMAT;
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

static int s_body_role(const rp_body *b, char out[RP_ROLE_MAX + 1])
{
	const char *p;
	size_t n;
	if (rp_body_str(b, "role", &p, &n) || n > RP_ROLE_MAX)
		return RP_EFORMAT;
	memcpy(out, p, n);
	out[n] = 0;
	return rp_role_ok(out) ? 0 : RP_EFORMAT;
}

static json_t *s_get_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key }, v;
	if (mdb_get(txn, dbi, &k, &v))
		return NULL;
	return json_loadb(v.mv_data, v.mv_size, 0, NULL);
}

static int s_put_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;
	if (!s)
		return RP_ENOMEM;
	MDB_val k = { klen, (void *)key }, v = { strlen(s), s };
	rc = rp_store_err(mdb_put(txn, dbi, &k, &v, 0));
	free(s);
	return rc;
}

int rp_roster_author(rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN],
                     char member[RP_NAME_MAX + 1], char role[RP_ROLE_MAX + 1], uint64_t *cutoff)
{
	json_t *d;
	const char *m;
	size_t id = mdb_txn_id(txn);

	/* Keyed by txn id and roster generation: every write txn and every
	 * roster change bumps the generation, so a hit always describes the
	 * snapshot the caller reads. */
	if (!(st->author_cache.valid && st->author_cache.txn_id == id &&
	      st->author_cache.gen == st->roster_gen &&
	      !memcmp(st->author_cache.dev, dev, RP_DEVICE_LEN))) {
		char mb[RP_NAME_MAX + 1], rb[RP_ROLE_MAX + 1];
		uint64_t cut = UINT64_MAX;
		d = s_get_json(txn, st->devices, dev, RP_DEVICE_LEN);
		if (!d)
			return RP_ENOTMEMBER;
		m = json_string_value(json_object_get(d, "member"));
		if (!m) {
			json_decref(d);
			return RP_ENOTMEMBER;
		}
		snprintf(mb, sizeof mb, "%s", m);
		if (json_is_true(json_object_get(d, "revoked")))
			cut = (uint64_t)json_integer_value(json_object_get(d, "cutoff"));
		json_decref(d);
		if (rp_roster_member(st, txn, mb, rb))
			return RP_ENOTMEMBER;
		st->author_cache.txn_id = id;
		st->author_cache.gen = st->roster_gen;
		memcpy(st->author_cache.dev, dev, RP_DEVICE_LEN);
		snprintf(st->author_cache.member, sizeof st->author_cache.member, "%s", mb);
		snprintf(st->author_cache.role, sizeof st->author_cache.role, "%s", rb);
		st->author_cache.cutoff = cut;
		st->author_cache.valid = 1;
	}
	if (member)
		snprintf(member, RP_NAME_MAX + 1, "%s", st->author_cache.member);
	if (role)
		snprintf(role, RP_ROLE_MAX + 1, "%s", st->author_cache.role);
	if (cutoff)
		*cutoff = st->author_cache.cutoff;
	return 0;
}

int rp_roster_device(rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN],
                     char member[RP_NAME_MAX + 1], char role[RP_ROLE_MAX + 1])
{
	return rp_roster_author(st, txn, dev, member, role, NULL);
}

int rp_roster_revoked(rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN])
{
	json_t *d = s_get_json(txn, st->devices, dev, RP_DEVICE_LEN);
	int revoked = json_is_true(json_object_get(d, "revoked"));
	json_decref(d);
	return revoked;
}

/* The value of team setting key (meta "team_KEY"), new, or NULL. */
static json_t *s_team_value(rp_store *st, MDB_txn *txn, const char *key)
{
	char mkey[16];
	MDB_val v;
	json_t *j, *val;
	snprintf(mkey, sizeof mkey, "team_%s", key);
	if (rp_meta_get(st, txn, mkey, &v) || !(j = json_loadb(v.mv_data, v.mv_size, 0, NULL)))
		return NULL;
	val = json_incref(json_object_get(j, "value"));
	json_decref(j);
	return val;
}

void rp_roster_team_currency(rp_store *st, MDB_txn *txn, char code[4])
{
	json_t *v = s_team_value(st, txn, "currency");
	const char *s = json_string_value(v);
	snprintf(code, 4, "%s", s && strlen(s) == 3 ? s : "EUR");
	json_decref(v);
}

int rp_roster_team_calls(rp_store *st, MDB_txn *txn)
{
	json_t *v = s_team_value(st, txn, "calls");
	int calls = json_is_integer(v) && json_integer_value(v) >= 0 &&
	            json_integer_value(v) <= RP_TEAM_CALLS_MAX ? (int)json_integer_value(v) : 2;
	json_decref(v);
	return calls;
}

size_t rp_roster_team_holidays(rp_store *st, MDB_txn *txn, int64_t *days, size_t cap)
{
	json_t *v = s_team_value(st, txn, "holidays"), *d;
	size_t i, n = 0;
	json_array_foreach(v, i, d)
		if (n < cap && json_is_integer(d))
			days[n++] = (int64_t)json_integer_value(d);
	json_decref(v);
	return n;
}

int rp_roster_team_keep(rp_store *st, MDB_txn *txn)
{
	MDB_val v;
	json_t *j;
	int keep;
	if (rp_meta_get(st, txn, "team_keep", &v))
		return 0;
	j = json_loadb(v.mv_data, v.mv_size, 0, NULL);
	keep = json_is_true(json_object_get(j, "keep"));
	json_decref(j);
	return keep;
}

int rp_roster_member_revoked(rp_store *st, MDB_txn *txn, const char *name)
{
	json_t *m = s_get_json(txn, st->members, name, strlen(name));
	int revoked = json_is_true(json_object_get(m, "revoked"));
	json_decref(m);
	return revoked;
}

int rp_roster_member(rp_store *st, MDB_txn *txn, const char *name, char role[RP_ROLE_MAX + 1])
{
	json_t *m = s_get_json(txn, st->members, name, strlen(name));
	const char *r;
	if (!m)
		return RP_ENOTFOUND;
	r = json_string_value(json_object_get(m, "role"));
	if (role)
		snprintf(role, RP_ROLE_MAX + 1, "%s", r ? r : "rep");
	json_decref(m);
	return 0;
}

int rp_roster_check(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body)
{
	char role[RP_ROLE_MAX + 1], name[RP_NAME_MAX + 1], r2[RP_ROLE_MAX + 1];
	static const uint8_t zero[RP_TEAM_LEN];
	MDB_val v;
	int rc;

	if (!strcmp(op->kind, "team.genesis")) {
		if (op->seq != 1 || memcmp(op->team, zero, RP_TEAM_LEN) != 0)
			return RP_EFORMAT;
		if (!op->body)
			return 0;        /* redacted genesis: nothing to check, nothing to apply */
		if (s_body_name(body, "member", name))
			return RP_EFORMAT;
		if (rp_meta_get(st, txn, "team", &v) == 0)
			return RP_EEXIST; /* the caller compares the hash with our team */
		return 0;
	}
	uint64_t cutoff;
	if ((rc = rp_roster_author(st, txn, op->author, NULL, role, &cutoff)))
		return rc;
	if (op->seq > cutoff)
		return RP_EREVOKED;        /* written after its device was revoked */
	if (!rp_roster_kind(op->kind))
		return 0;
	if (strcmp(role, "admin") != 0)
		return RP_EDENIED;
	if (!op->body)
		return 0;
	if (!strcmp(op->kind, "member.add") || !strcmp(op->kind, "member.role"))
		return s_body_name(body, "name", name) || s_body_role(body, r2) ? RP_EFORMAT : 0;
	if (!strcmp(op->kind, "team.set")) {
		const char *p, *q;
		size_t n, qn;
		int64_t calls;
		int b;
		if (rp_body_str(body, "key", &p, &n))
			return RP_EFORMAT;
		if (n == 4 && !memcmp(p, "keep", 4))
			return rp_body_bool(body, "value", &b) ? RP_EFORMAT : 0;
		if (n == 5 && !memcmp(p, "calls", 5))
			return rp_body_int(body, "value", &calls) || calls < 0 || calls > RP_TEAM_CALLS_MAX ? RP_EFORMAT : 0;
		if (n == 8 && !memcmp(p, "currency", 8))
			return rp_body_str(body, "value", &q, &qn) || qn != 3 ? RP_EFORMAT : 0;
		if (n == 8 && !memcmp(p, "holidays", 8)) {
			const msgpack_object *hv = rp_body_get(body, "value");
			return hv && hv->type == MSGPACK_OBJECT_ARRAY && hv->via.array.size <= RP_TEAM_HOLIDAYS_MAX
			       ? 0 : RP_EFORMAT;
		}
		return RP_EFORMAT;
	}
	if (!strcmp(op->kind, "member.revoke")) {
		const msgpack_object *cuts = rp_body_get(body, "cutoffs");
		if (s_body_name(body, "name", name) || rp_roster_member(st, txn, name, NULL) ||
		    !cuts || cuts->type != MSGPACK_OBJECT_ARRAY || cuts->via.array.size > RP_REVOKE_CUTOFFS_MAX)
			return RP_EFORMAT;
		for (uint32_t i = 0; i < cuts->via.array.size; i++) {
			const msgpack_object *c = &cuts->via.array.ptr[i];
			if (c->type != MSGPACK_OBJECT_BIN || c->via.bin.size != RP_OPID_LEN)
				return RP_EFORMAT;
		}
		return 0;
	}
	if (!strcmp(op->kind, "device.add")) {
		const uint8_t *dev;
		if (s_body_name(body, "member", name) ||
		    rp_body_bin(body, "device", &dev, RP_DEVICE_LEN) ||
		    !crypto_core_ed25519_is_valid_point(dev))
			return RP_EFORMAT;
		if (rp_roster_member(st, txn, name, NULL))
			return RP_ENOTFOUND;
	}
	return 0;
}

/* (hlc, author) of a stored entry, for last-writer-wins. */
static int s_newer(const rp_op *op, const json_t *entry)
{
	uint64_t hlc = (uint64_t)json_integer_value(json_object_get(entry, "hlc"));
	const char *by = json_string_value(json_object_get(entry, "by"));
	char author[RP_DEVICE_TEXT + 1];
	if (op->hlc != hlc)
		return op->hlc > hlc;
	rp_b32_encode(op->author, RP_DEVICE_LEN, author, sizeof author);
	return !by || strcmp(author, by) > 0;
}

static json_t *s_stamp(const rp_op *op)
{
	char author[RP_DEVICE_TEXT + 1];
	rp_b32_encode(op->author, RP_DEVICE_LEN, author, sizeof author);
	return json_pack("{sIss}", "hlc", (json_int_t)op->hlc, "by", author);
}

static int s_set_member(rp_store *st, MDB_txn *txn, const rp_op *op,
                        const char *name, const char *role)
{
	json_t *old = s_get_json(txn, st->members, name, strlen(name)), *m;
	int rc = 0;
	if (old && !s_newer(op, old))
		goto out;
	m = s_stamp(op);
	json_object_set_new(m, "role", json_string(role));
	rc = s_put_json(txn, st->members, name, strlen(name), m);
	json_decref(m);
out:
	json_decref(old);
	return rc;
}

static int s_set_device(rp_store *st, MDB_txn *txn, const rp_op *op,
                        const uint8_t dev[RP_DEVICE_LEN], const char *member)
{
	json_t *old = s_get_json(txn, st->devices, dev, RP_DEVICE_LEN), *d;
	int rc = 0;
	if (old && !s_newer(op, old))
		goto out;
	d = s_stamp(op);
	json_object_set_new(d, "member", json_string(member));
	rc = s_put_json(txn, st->devices, dev, RP_DEVICE_LEN, d);
	json_decref(d);
out:
	json_decref(old);
	return rc;
}

int rp_roster_apply(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body,
                    const uint8_t *bytes, size_t len)
{
	char name[RP_NAME_MAX + 1], role[RP_ROLE_MAX + 1];
	int rc;
	st->roster_gen++;
	if (!op->body)
		return 0;
	if (!strcmp(op->kind, "team.genesis")) {
		uint8_t team[RP_TEAM_LEN];
		const char *tn;
		size_t tl;
		crypto_generichash(team, sizeof team, bytes, len, NULL, 0);
		if ((rc = rp_meta_put(st, txn, "team", team, sizeof team)))
			return rc;
		if (rp_body_str(body, "team", &tn, &tl) == 0 &&
		    (rc = rp_meta_put(st, txn, "team_name", tn, tl)))
			return rc;
		if ((rc = s_body_name(body, "member", name)))
			return rc;
		if ((rc = s_set_member(st, txn, op, name, "admin")))
			return rc;
		return s_set_device(st, txn, op, op->author, name);
	}
	if (!strcmp(op->kind, "member.add") || !strcmp(op->kind, "member.role")) {
		if ((rc = s_body_name(body, "name", name)) || (rc = s_body_role(body, role)))
			return rc;
		return s_set_member(st, txn, op, name, role);
	}
	if (!strcmp(op->kind, "device.add")) {
		const uint8_t *dev;
		if ((rc = s_body_name(body, "member", name)))
			return rc;
		if (rp_body_bin(body, "device", &dev, RP_DEVICE_LEN))
			return RP_EFORMAT;
		return s_set_device(st, txn, op, dev, name);
	}
	if (!strcmp(op->kind, "team.set")) {
		/* Team settings are last-writer-wins by (hlc, author), each on its
		 * own: meta "team_KEY" holds the winner's stamp and value (keep's
		 * as "keep", as homes before the others hold it). */
		json_t *old = NULL, *nw;
		char mkey[16];
		const char *p, *q;
		size_t n, qn;
		int64_t iv;
		MDB_val v;
		int b = 0;
		if (rp_body_str(body, "key", &p, &n) || n > 8)
			return RP_EFORMAT;
		snprintf(mkey, sizeof mkey, "team_%.*s", (int)n, p);
		if (rp_meta_get(st, txn, mkey, &v) == 0)
			old = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		if (old && !s_newer(op, old)) {
			json_decref(old);
			return 0;
		}
		json_decref(old);
		nw = s_stamp(op);
		if (n == 4 && !memcmp(p, "keep", 4)) {
			rp_body_bool(body, "value", &b);
			json_object_set_new(nw, "keep", json_boolean(b));
		} else if (rp_body_int(body, "value", &iv) == 0) {
			json_object_set_new(nw, "value", json_integer(iv));
		} else if (rp_body_str(body, "value", &q, &qn) == 0) {
			json_object_set_new(nw, "value", json_stringn(q, qn));
		} else if (rp_body_get(body, "value") && rp_body_get(body, "value")->type == MSGPACK_OBJECT_ARRAY) {
			const msgpack_object *hv = rp_body_get(body, "value");
			json_t *days = json_array();
			for (uint32_t i = 0; days && i < hv->via.array.size && i < RP_TEAM_HOLIDAYS_MAX; i++)
				if (hv->via.array.ptr[i].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
				    hv->via.array.ptr[i].via.u64 <= RP_DAY_MAX)
					json_array_append_new(days, json_integer((json_int_t)hv->via.array.ptr[i].via.u64));
			json_object_set_new(nw, "value", days ? days : json_array());
		}
		{
			char *t = json_dumps(nw, JSON_COMPACT);
			rc = t ? rp_meta_put(st, txn, mkey, t, strlen(t)) : RP_ENOMEM;
			free(t);
		}
		json_decref(nw);
		return rc;
	}
	if (!strcmp(op->kind, "member.revoke")) {
		const msgpack_object *cuts = rp_body_get(body, "cutoffs");
		json_t *m;
		if ((rc = s_body_name(body, "name", name)))
			return rc;
		/* Revocation is for good: no stamp can undo it. One lost device
		 * (device_only) leaves the member and its other devices be. */
		int device_only = 0;
		rp_body_bool(body, "device_only", &device_only);
		if (!device_only && (m = s_get_json(txn, st->members, name, strlen(name)))) {
			json_object_set_new(m, "revoked", json_true());
			rc = s_put_json(txn, st->members, name, strlen(name), m);
			json_decref(m);
			if (rc)
				return rc;
		}
		for (uint32_t i = 0; cuts && cuts->type == MSGPACK_OBJECT_ARRAY && i < cuts->via.array.size; i++) {
			const uint8_t *c = (const uint8_t *)cuts->via.array.ptr[i].via.bin.ptr;
			uint64_t seq = rp_opid_seq(c);
			json_t *d = s_get_json(txn, st->devices, c, RP_DEVICE_LEN);
			if (!d)
				continue;
			/* Two revocations of one device: the lower cutoff holds. */
			if (json_is_true(json_object_get(d, "revoked")) &&
			    (uint64_t)json_integer_value(json_object_get(d, "cutoff")) < seq)
				seq = (uint64_t)json_integer_value(json_object_get(d, "cutoff"));
			json_object_set_new(d, "revoked", json_true());
			json_object_set_new(d, "cutoff", json_integer((json_int_t)seq));
			rc = s_put_json(txn, st->devices, c, RP_DEVICE_LEN, d);
			json_decref(d);
			if (rc)
				return rc;
		}
		return 0;
	}
	return 0;
}

int rp_roster_list(rp_store *st, MDB_txn *txn, json_t **out)
{
	MDB_cursor *c;
	MDB_val k, v;
	json_t *list = json_array(), *by_name = json_object();
	const char *name;
	json_t *m;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->members, &c)))
		goto fail;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		json_t *e = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		char nm[RP_NAME_MAX + 1];
		snprintf(nm, sizeof nm, "%.*s", (int)k.mv_size, (char *)k.mv_data);
		json_t *row = json_pack("{sssOs[]}", "name", nm, "role",
		                        json_object_get(e, "role") ? json_object_get(e, "role") : json_null(),
		                        "devices");
		json_decref(e);
		json_object_set_new(by_name, nm, row);
		json_array_append(list, row);
	}
	mdb_cursor_close(c);
	if ((rc = mdb_cursor_open(txn, st->devices, &c)))
		goto fail;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		json_t *e = json_loadb(v.mv_data, v.mv_size, 0, NULL);
		char id[RP_DEVICE_TEXT + 1];
		const char *mn = json_string_value(json_object_get(e, "member"));
		if (k.mv_size == RP_DEVICE_LEN && mn && (m = json_object_get(by_name, mn))) {
			rp_b32_encode(k.mv_data, RP_DEVICE_LEN, id, sizeof id);
			json_array_append_new(json_object_get(m, "devices"),
			        json_pack("{sssb}", "id", id, "revoked", json_is_true(json_object_get(e, "revoked"))));
		}
		json_decref(e);
	}
	mdb_cursor_close(c);
	(void)name;
	json_decref(by_name);
	*out = list;
	return 0;
fail:
	json_decref(by_name);
	json_decref(list);
	return rp_store_err(rc);
}

int rp_roster_hash(rp_store *st, MDB_txn *txn, crypto_generichash_state *h)
{
	json_t *list;
	char *s;
	int rc = rp_roster_list(st, txn, &list);
	if (rc)
		return rc;
	s = json_dumps(list, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(list);
	if (!s)
		return RP_ENOMEM;
	crypto_generichash_update(h, (const unsigned char *)s, strlen(s));
	free(s);
	return 0;
}
