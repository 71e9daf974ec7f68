/* node/crm/query.c — reads of the merged state: one account, account lists, the
 * roster, an account's signed history, status, digest. Read transactions
 * only; every result is a new json_t owned by the caller. */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "query.h"
#include "book.h"
#include "../node.h"
#include "../store/summary.h"
#include "../store/view.h"
#include "../store/roster.h"
#include "../store/pending.h"
#include "../store/delivery.h"
#include "../store/index.h"
#include "../../proto/body.h"
#include "../store/ingest.h"
#include "../erase.h"
#include "../../proto/error.h"
#include "../../proto/hlc.h"

/* Member names of device ids, looked up once per device. */
static const char *s_author(rp_node *n, MDB_txn *txn, json_t *cache, const char *dev_text)
{
	json_t *hit = json_object_get(cache, dev_text);
	uint8_t dev[RP_DEVICE_LEN];
	char member[RP_NAME_MAX + 1];
	if (!hit) {
		if (rp_b32_decode(dev_text, dev, RP_DEVICE_LEN) == 0 &&
		    rp_roster_device(n->store, txn, dev, member, NULL) == 0)
			hit = json_string(member);
		else
			hit = json_null();
		json_object_set_new(cache, dev_text, hit);
	}
	return json_string_value(hit);
}

static void s_name_authors(rp_node *n, MDB_txn *txn, json_t *cache, json_t *list)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		const char *d = json_string_value(json_object_get(e, "author_device"));
		const char *m = d ? s_author(n, txn, cache, d) : NULL;
		json_t *by = json_object_get(e, "by"), *rt = json_object_get(e, "retraction");
		const char *rd = json_string_value(json_object_get(rt, "author_device"));
		if (json_is_object(rt)) {
			const char *rm = rd ? s_author(n, txn, cache, rd) : NULL;
			json_object_set_new(rt, "by", rm ? json_string(rm) : json_null());
		}
		/* imported: the author is who did it, imported_by who brought it here */
		if (json_is_string(by)) {
			json_object_set(e, "author", by);
			json_object_set_new(e, "imported_by", m ? json_string(m) : json_null());
			json_object_del(e, "by");
		} else {
			json_object_set_new(e, "author", m ? json_string(m) : json_null());
		}
	}
}

int rp_account_show(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out)
{
	MDB_txn *txn;
	json_t *view, *cache;
	char t[RP_ACCOUNT_TEXT + 1];
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rc = rp_view_load(n->store, txn, acct, &view);
	if (rc) {
		rp_store_end(txn);
		rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
		return rp_fail(rc, "no account %s", t);
	}
	{
		MDB_val pv;
		if (!json_is_string(json_object_get(view, "name")) &&
		    rp_store_get(txn, n->store->purged, acct, RP_ACCOUNT_LEN, &pv) == 0) {
			char o[RP_NAME_MAX + 1];
			snprintf(o, sizeof o, "%s", json_string_value(json_object_get(view, "owner")) ?
			         json_string_value(json_object_get(view, "owner")) : "");
			json_decref(view);
			rp_store_end(txn);
			rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
			return rp_fail(RP_ENOTFOUND, "account %s was handed over%s%s: its history left this device",
			               t, *o ? " to " : "", o);
		}
	}
	json_object_del(view, "owner_op");    /* internal: what the next handover names as prev */
	{
		/* Who brought it, by name, and what those it brought are worth. */
		const char *by = json_string_value(json_object_get(json_object_get(view, "stats"), "referred_by"));
		uint8_t other[RP_ACCOUNT_LEN];
		json_t *oth = NULL, *refs = rp_book_referrals(n, txn, json_string_value(json_object_get(view, "id")));
		if (by && rp_b32_decode(by, other, RP_ACCOUNT_LEN) == 0 &&
		    rp_view_load_summary(n->store, txn, other, &oth) == 0)
			json_object_set_new(view, "referred_by", json_pack("{sssO}", "id", by, "name",
			                    json_object_get(oth, "name")));
		else
			json_object_set_new(view, "referred_by", json_null());
		json_decref(oth);
		json_object_set_new(view, "referrals", refs ? refs : json_null());
	}
	cache = json_object();
	s_name_authors(n, txn, cache, json_object_get(view, "interactions"));
	s_name_authors(n, txn, cache, json_object_get(view, "followups"));
	json_decref(cache);
	rp_store_end(txn);
	*out = view;
	return 0;
}

int rp_contact_list(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out)
{
	json_t *view, *list;
	int rc = rp_account_show(n, acct, &view);
	if (rc)
		return rc;
	list = json_object_get(view, "contacts");
	*out = json_is_array(list) ? json_incref(list) : json_array();
	json_decref(view);
	return *out ? 0 : rp_fail(RP_ENOMEM, "out of memory");
}

typedef struct s_list_walk {
	rp_node    *n;
	MDB_txn    *txn;
	const rp_list_filter *f;
	json_t     *list;
} s_list_walk;

static int s_list_acct(s_list_walk *w, const uint8_t *acct)
{
	rp_summary *sum;
	json_t *row;
	int rc = 0;
	/* The row is the stored summary as parsed: the decode checked its shape. */
	if ((rc = rp_summary_load_doc(w->n->store, w->txn, acct, &sum, &row)))
		return rc == RP_ENOMEM ? rc : 0;      /* unreadable: fsck's business, not a list's */
	if ((!w->f->owner || (sum->owner && !strcmp(sum->owner, w->f->owner))) &&
	    (!w->f->tag || rp_summary_has(sum->tags, sum->ntags, w->f->tag)) &&
	    (w->f->archived < 0 || !sum->archived == !w->f->archived)) {
		if (json_array_append_new(w->list, row))
			rc = RP_ENOMEM;
		else if (w->f->limit && json_array_size(w->list) >= w->f->limit)
			rc = RP_STORE_STOP;
	} else {
		json_decref(row);
	}
	rp_summary_free(&sum);
	return rc;
}

static int s_list_one(void *arg, const MDB_val *key, const MDB_val *val)
{
	const uint8_t *acct;
	size_t len;
	(void)val;
	return rp_view_index_entry(key, &acct, &len) ? 0 : s_list_acct(arg, acct);
}

static int s_list_ix(void *arg, const uint8_t *body, size_t blen, const uint8_t acct[RP_ACCOUNT_LEN],
                     const MDB_val *val)
{
	(void)body, (void)blen, (void)val;
	return s_list_acct(arg, acct);
}

int rp_account_list(rp_node *n, const rp_list_filter *f, json_t **out)
{
	static const rp_list_filter live = { NULL, NULL, 0, 0 };
	s_list_walk w = { n, NULL, f ? f : &live, json_array() };
	const char *owner = w.f->owner;
	int rc;
	rp_errclear();
	if (!w.list)
		return rp_fail(RP_ENOMEM, "out of memory");
	if ((rc = rp_node_read(n, &w.txn))) {
		json_decref(w.list);
		return rc;
	}
	if (owner && rp_roster_member(n->store, w.txn, owner, NULL) != 0) {
		rp_store_end(w.txn);
		json_decref(w.list);
		return rp_fail(RP_ENOTFOUND, "no member '%s' in the team (see 'rapport member list')", owner);
	}
	/* The names index is in name order, and so are the entries of a tag,
	 * an owner and the archived accounts (index.h): the list is too. */
	if (!n->scan && (w.f->tag || owner || w.f->archived > 0)) {
		char p[2 * RP_NAME_MAX + 2];
		const char *by = w.f->tag ? w.f->tag : owner;
		size_t len = by ? strlen(by) : 0;
		if (len > RP_NAME_MAX)
			len = RP_NAME_MAX + 1;          /* no such tag or owner: no entry matches */
		if (by) {
			memcpy(p, by, len);
			p[len] = 0;
		}
		rc = rp_index_walk(n->store, w.txn, w.f->tag ? 'T' : owner ? 'O' : 'A', p, by ? len + 1 : 0,
		                   s_list_ix, &w);
	} else {
		rc = rp_store_scan(w.txn, n->store->names, NULL, 0, s_list_one, &w);
	}
	rp_store_end(w.txn);
	if (rc) {
		json_decref(w.list);
		return rc == RP_ENOMEM ? rp_fail(rc, "out of memory reading accounts")
		                       : rp_fail(rc, "cannot read accounts");
	}
	*out = w.list;
	return 0;
}

int rp_member_list(rp_node *n, json_t **out)
{
	MDB_txn *txn;
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rc = rp_roster_list(n->store, txn, out);
	rp_store_end(txn);
	return rc ? rp_fail(rc, "cannot read the roster") : 0;
}

/* The short text of the ref of the item the op's body names under key. */
static const char *s_target_text(const rp_body *b, const char *key, char *t, size_t cap)
{
	const uint8_t *opid;
	uint8_t ref[RP_REF_LEN];
	if (rp_body_bin(b, key, &opid, RP_OPID_LEN))
		return "?";
	rp_ref_of(ref, opid);
	rp_b32_encode(ref, RP_REF_LEN, t, cap);
	if (strlen(t) > 10)
		t[10] = 0;                   /* as tables print ids */
	return t;
}

/* The amount field key as "12.50 EUR" into buf; NULL if it holds none. */
static const char *s_amount_text(const rp_body *b, const char *key, char *buf, size_t cap)
{
	int64_t cents = 0;
	char cur[4];
	if (rp_body_amount(b, key, &cents, cur))
		return NULL;
	return rp_money_format(cents, cur, buf, cap);
}

/* What a correction did: "retracted yawq27ig6r: wrong account". */
static const char *s_correction(const rp_op *op, const rp_body *b, char *buf, size_t cap)
{
	char t[RP_REF_TEXT + 1], day[32];
	const char *p = NULL, *q = NULL;
	size_t pn = 0, qn = 0;
	int64_t v;
	const char *k = op->kind;
	if (!strcmp(k, "ix.retract")) {
		s_target_text(b, "ix", t, sizeof t);
		if (rp_body_str(b, "reason", &q, &qn) == 0)
			snprintf(buf, cap, "retracted %s: %.*s", t, (int)(qn > 80 ? 80 : qn), q);
		else
			snprintf(buf, cap, "retracted %s", t);
	} else if (!strcmp(k, "ix.amend")) {
		s_target_text(b, "ix", t, sizeof t);
		rp_body_str(b, "field", &p, &pn);
		if (rp_body_str(b, "value", &q, &qn) == 0)
			snprintf(buf, cap, "amended %s: %.*s = %.*s", t, (int)pn, p, (int)(qn > 80 ? 80 : qn), q);
		else if (rp_body_int(b, "value", &v) == 0 && v >= 0)
			snprintf(buf, cap, "amended %s: %.*s = %s", t, (int)pn, p,
			         rp_when_iso((uint64_t)v, day, sizeof day));
		else if (s_amount_text(b, "value", day, sizeof day))
			snprintf(buf, cap, "amended %s: %.*s = %s", t, (int)pn, p, day);
		else
			snprintf(buf, cap, "amended %s: %.*s %s", t, (int)pn, p,
			         rp_body_is_nil(b, "value") ? "cleared" : "changed");
	} else if (!strcmp(k, "fu.move")) {
		s_target_text(b, "fu", t, sizeof t);
		if (rp_body_int(b, "due", &v) || v < 0)
			v = 0;
		snprintf(buf, cap, "follow-up %s moved to %s", t, rp_when_iso((uint64_t)v, day, sizeof day));
	} else if (!strcmp(k, "fu.cancel")) {
		snprintf(buf, cap, "follow-up %s cancelled", s_target_text(b, "fu", t, sizeof t));
	} else {
		s_target_text(b, "contact", t, sizeof t);
		rp_body_str(b, "field", &p, &pn);
		if (rp_body_str(b, "value", &q, &qn) == 0)
			snprintf(buf, cap, "contact %s: %.*s = %.*s", t, (int)pn, p, (int)(qn > 80 ? 80 : qn), q);
		else
			snprintf(buf, cap, "contact %s: %.*s cleared", t, (int)pn, p);
	}
	return buf;
}

/* One line saying what an op did, for people reading the audit trail. */
static json_t *s_summary(const rp_op *op, const rp_body *b)
{
	const char *p = NULL, *q = NULL;
	size_t pn = 0, qn = 0;
	char buf[200];
	const msgpack_object *o;
	if (!op->body)
		return json_string("(erased)");
	if (!strcmp(op->kind, "acct.create")) {
		rp_body_str(b, "name", &p, &pn);
		rp_body_str(b, "owner", &q, &qn);
		snprintf(buf, sizeof buf, "created '%.*s' for %.*s", (int)pn, p, (int)qn, q);
	} else if (!strcmp(op->kind, "acct.set")) {
		rp_body_str(b, "field", &p, &pn);
		if (rp_body_str(b, "value", &q, &qn) == 0)
			snprintf(buf, sizeof buf, "set %.*s = %.*s", (int)pn, p, (int)(qn > 80 ? 80 : qn), q);
		else
			snprintf(buf, sizeof buf, "cleared %.*s", (int)pn, p);
	} else if (!strcmp(op->kind, "acct.tag")) {
		if (rp_body_str(b, "add", &p, &pn) == 0)
			snprintf(buf, sizeof buf, "tagged %.*s", (int)pn, p);
		else
			snprintf(buf, sizeof buf, "removed a tag");
	} else if (!strcmp(op->kind, "acct.assign")) {
		rp_body_str(b, "to", &p, &pn);
		if (rp_body_str(b, "note", &q, &qn) == 0)
			snprintf(buf, sizeof buf, "handed over to %.*s: %.*s", (int)pn, p, (int)qn, q);
		else
			snprintf(buf, sizeof buf, "handed over to %.*s", (int)pn, p);
	} else if (!strcmp(op->kind, "ix.log")) {
		const char *by;
		size_t byn;
		rp_body_str(b, "type", &p, &pn);
		rp_body_str(b, "text", &q, &qn);
		if (rp_body_str(b, "by", &by, &byn) == 0)
			snprintf(buf, sizeof buf, "%.*s by %.*s (imported): %.*s", (int)pn, p, (int)byn, by,
			         (int)(qn > 80 ? 80 : qn), q);
		else
			snprintf(buf, sizeof buf, "%.*s: %.*s", (int)pn, p, (int)(qn > 80 ? 80 : qn), q);
	} else if (!strcmp(op->kind, "fu.add")) {
		rp_body_str(b, "text", &q, &qn);
		snprintf(buf, sizeof buf, "follow-up: %.*s", (int)(qn > 80 ? 80 : qn), q);
	} else if (!strcmp(op->kind, "fu.done")) {
		snprintf(buf, sizeof buf, "follow-up done");
	} else if (!strcmp(op->kind, "complaint.resolve")) {
		rp_body_str(b, "text", &q, &qn);
		snprintf(buf, sizeof buf, "complaint resolved: %.*s", (int)(qn > 80 ? 80 : qn), q);
	} else if (!strcmp(op->kind, "contact.add")) {
		rp_body_str(b, "name", &p, &pn);
		snprintf(buf, sizeof buf, "contact added: %.*s", (int)pn, p);
	} else if (!strcmp(op->kind, "ix.retract") || !strcmp(op->kind, "ix.amend") ||
	           !strcmp(op->kind, "fu.move") || !strcmp(op->kind, "fu.cancel") ||
	           !strcmp(op->kind, "contact.set")) {
		s_correction(op, b, buf, sizeof buf);
	} else if (!strcmp(op->kind, "acct.archive")) {
		int on = 0;
		rp_body_bool(b, "archived", &on);
		snprintf(buf, sizeof buf, on ? "archived" : "brought back from the archive");
	} else if (!strcmp(op->kind, "redact")) {
		o = rp_body_get(b, "ops");
		if (rp_body_str(b, "reason", &q, &qn) == 0)
			snprintf(buf, sizeof buf, "erased %u ops: %.*s", o && o->type == MSGPACK_OBJECT_ARRAY ?
			         o->via.array.size : 0, (int)(qn > 80 ? 80 : qn), q);
		else
			snprintf(buf, sizeof buf, "erased %u ops", o && o->type == MSGPACK_OBJECT_ARRAY ? o->via.array.size : 0);
	} else {
		snprintf(buf, sizeof buf, "%s", op->kind);
	}
	json_t *j = json_string(buf);      /* NULL if a cut split a UTF-8 sequence */
	return j ? j : json_string(op->kind);
}

/* "(erased by ann: asked to be forgotten)" for an op whose body was
 * erased, from the redact op that erased it; NULL when that is not here. */
static json_t *s_erased_by(rp_node *n, MDB_txn *txn, json_t *cache, const uint8_t opid[RP_OPID_LEN])
{
	MDB_val rv, xv;
	rp_op rop;
	rp_body rb = { .map = NULL };
	json_t *out = NULL;
	msgpack_unpacked_init(&rb.up);
	if (rp_store_get(txn, n->store->redacted, opid, RP_OPID_LEN, &rv) == 0 && rv.mv_size == RP_OPID_LEN &&
	    rp_store_get(txn, n->store->ops, rv.mv_data, RP_OPID_LEN, &xv) == 0 &&
	    rp_op_decode(xv.mv_data, xv.mv_size, &rop) == 0 && rop.body &&
	    rp_body_parse(&rb, rop.body, rop.body_len) == 0) {
		char rdev[RP_DEVICE_TEXT + 1], text[RP_NAME_MAX + 120];
		const char *who, *why;
		size_t wn;
		rp_b32_encode(rop.author, RP_DEVICE_LEN, rdev, sizeof rdev);
		who = s_author(n, txn, cache, rdev);
		if (rp_body_str(&rb, "reason", &why, &wn))
			why = "no reason given", wn = strlen(why);
		snprintf(text, sizeof text, "(erased by %s: %.*s)", who ? who : "?", (int)(wn > 80 ? 80 : wn), why);
		out = json_string(text);
	}
	rp_body_done(&rb);
	return out;
}

typedef struct s_history_walk {
	rp_node       *n;
	MDB_txn       *txn;
	const uint8_t *acct;
	json_t        *list, *cache;
	uint64_t       future;
} s_history_walk;

static int s_history_one(void *arg, const MDB_val *key, const MDB_val *val)
{
	s_history_walk *w = arg;
	const uint8_t *opid = (uint8_t *)key->mv_data + RP_ACCOUNT_LEN + 8;
	char dev[RP_DEVICE_TEXT + 1], ref[RP_REF_TEXT + 1], at[32];
	uint8_t r[RP_REF_LEN];
	MDB_val ov;
	rp_body b;
	rp_op op;
	json_t *erased = NULL;
	(void)val;
	if (key->mv_size != RP_ACCT_KEY_LEN || memcmp(key->mv_data, w->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;
	if (rp_store_get(w->txn, w->n->store->ops, opid, RP_OPID_LEN, &ov) ||
	    rp_op_decode(ov.mv_data, ov.mv_size, &op))
		return 0;
	rp_b32_encode(op.author, RP_DEVICE_LEN, dev, sizeof dev);
	rp_ref_of(r, opid);
	rp_b32_encode(r, RP_REF_LEN, ref, sizeof ref);
	rp_body_parse(&b, op.body, op.body_len);
	const char *m = s_author(w->n, w->txn, w->cache, dev);
	if (!op.body)
		erased = s_erased_by(w->n, w->txn, w->cache, opid);
	/* future: dated beyond the skew limit ahead of now: its device's
	 * clock was wrong, and it may win last-writer-wins it should not. */
	json_array_append_new(w->list, json_pack("{sIsIsssosssssssosbsb}",
	        "seq", (json_int_t)op.seq, "hlc", (json_int_t)op.hlc,
	        "at", rp_when_iso(RP_HLC_MS(op.hlc), at, sizeof at),
	        "author", m ? json_string(m) : json_null(), "author_device", dev,
	        "kind", op.kind, "op", ref, "summary", erased ? erased : s_summary(&op, &b),
	        "verified", rp_op_verify(&op) == 0, "future", RP_HLC_MS(op.hlc) > w->future));
	if (!strcmp(op.kind, "ix.retract") && op.body) {
		const uint8_t *target;
		const char *why;
		size_t wn;
		char tt[RP_REF_TEXT + 1], mark[RP_NAME_MAX + 120];
		if (rp_body_bin(&b, "ix", &target, RP_OPID_LEN) == 0) {
			rp_ref_of(r, target);
			rp_b32_encode(r, RP_REF_LEN, tt, sizeof tt);
			if (rp_body_str(&b, "reason", &why, &wn) == 0)
				snprintf(mark, sizeof mark, " (retracted by %s: %.*s)", m ? m : "?",
				         (int)(wn > 80 ? 80 : wn), why);
			else
				snprintf(mark, sizeof mark, " (retracted by %s)", m ? m : "?");
			json_t *row = json_array_get(w->list, json_array_size(w->list) - 1);
			json_object_set_new(row, "_target", json_pack("[ss]", tt, mark));
		}
	}
	rp_body_done(&b);
	return 0;
}

/* The rows of the interactions a retract names say so: "call: ... (retracted
 * by rita: wrong account)". Each retract row's _target is [ref, mark]. */
static void s_mark_retracted(json_t *list)
{
	json_t *byref = json_object(), *row, *t;
	size_t i;
	json_array_foreach(list, i, row)
		json_object_set(byref, json_string_value(json_object_get(row, "op")), row);
	json_array_foreach(list, i, row) {
		if (!(t = json_object_get(row, "_target")))
			continue;
		json_t *hit = json_object_get(byref, json_string_value(json_array_get(t, 0)));
		const char *sum = json_string_value(json_object_get(hit, "summary"));
		if (hit && sum && !json_object_get(hit, "_marked")) {
			size_t n = strlen(sum) + strlen(json_string_value(json_array_get(t, 1))) + 1;
			char *text = malloc(n);
			if (text) {
				snprintf(text, n, "%s%s", sum, json_string_value(json_array_get(t, 1)));
				json_t *js = json_string(text);   /* NULL: a cut split a UTF-8 sequence */
				if (js)
					json_object_set_new(hit, "summary", js);
				free(text);
			}
			json_object_set_new(hit, "_marked", json_true());   /* the first retract says it */
		}
	}
	json_array_foreach(list, i, row) {
		json_object_del(row, "_target");
		json_object_del(row, "_marked");
	}
	json_decref(byref);
}

int rp_history(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out)
{
	s_history_walk w = { n, NULL, acct, json_array(), json_object(), rp_node_now(n) + RP_SKEW_MAX_MS };
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &w.txn)) == 0) {
		rc = rp_store_scan(w.txn, n->store->acct_ops, acct, RP_ACCOUNT_LEN, s_history_one, &w);
		rp_store_end(w.txn);
	}
	json_decref(w.cache);
	if (rc) {
		json_decref(w.list);
		return rp_fail(rc, "cannot read the log");
	}
	if (json_array_size(w.list) == 0) {
		char t[RP_ACCOUNT_TEXT + 1];
		json_decref(w.list);
		rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
		return rp_fail(RP_ENOTFOUND, "no account %s", t);
	}
	s_mark_retracted(w.list);
	*out = w.list;
	return 0;
}

/* The meta entries prefix ‖ device text → u64, as [{device, member,
 * ahead_ms}] with ahead_ms = sign × the value: the clock records. */
typedef struct s_clock_walk {
	rp_node    *n;
	MDB_txn    *txn;
	const char *prefix;
	size_t      pl;
	int         sign;
	json_t     *list;
} s_clock_walk;

static int s_clock_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_clock_walk *w = arg;
	char id[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1];
	uint8_t dev[RP_DEVICE_LEN];
	if (k->mv_size != w->pl + RP_DEVICE_TEXT || memcmp(k->mv_data, w->prefix, w->pl) || v->mv_size != 8)
		return RP_STORE_STOP;
	memcpy(id, (char *)k->mv_data + w->pl, RP_DEVICE_TEXT);
	id[RP_DEVICE_TEXT] = 0;
	if (rp_b32_decode(id, dev, RP_DEVICE_LEN) || rp_roster_device(w->n->store, w->txn, dev, member, NULL))
		snprintf(member, sizeof member, "?");
	json_array_append_new(w->list, json_pack("{sssssI}", "device", id, "member", member,
	        "ahead_ms", (json_int_t)w->sign * (json_int_t)(int64_t)rp_be64_get(v->mv_data)));
	return 0;
}

static json_t *s_device_clocks(rp_node *n, MDB_txn *txn, const char *prefix, int sign)
{
	s_clock_walk w = { n, txn, prefix, strlen(prefix), sign, json_array() };
	rp_store_scan(txn, n->store->meta, prefix, w.pl, s_clock_one, &w);
	return w.list;
}

/* Devices whose ops arrived dated ahead of our clock (ours too, when it
 * ran ahead once): meta "skew:", the most seen. */
static json_t *s_skews(rp_node *n, MDB_txn *txn)
{
	return s_device_clocks(n, txn, "skew:", 1);
}

/* Peers whose wall clock, at their last sync with us, was off ours by more
 * than the skew limit: meta "clock:" holds ours minus theirs, shown as
 * theirs minus ours (positive when theirs runs ahead). */
static json_t *s_peer_clocks(rp_node *n, MDB_txn *txn)
{
	return s_device_clocks(n, txn, "clock:", -1);
}

/* Purge receipts of the team: which device dropped which account. */
typedef struct s_receipt_walk {
	rp_node *n;
	MDB_txn *txn;
	json_t  *list;
} s_receipt_walk;

static int s_receipt(void *arg, const rp_op *op, const rp_body *b, const MDB_val *bytes)
{
	s_receipt_walk *w = arg;
	char dev[RP_DEVICE_TEXT + 1], id[RP_ACCOUNT_TEXT + 1], at[32], member[RP_NAME_MAX + 1] = "?";
	const uint8_t *acct;
	int64_t ops = 0;
	rp_summary *sum = NULL;
	(void)bytes;
	if (rp_body_bin(b, "account", &acct, RP_ACCOUNT_LEN))
		return 0;
	rp_body_int(b, "ops", &ops);
	rp_b32_encode(op->author, RP_DEVICE_LEN, dev, sizeof dev);
	rp_b32_encode(acct, RP_ACCOUNT_LEN, id, sizeof id);
	rp_roster_device(w->n->store, w->txn, op->author, member, NULL);
	rp_summary_load(w->n->store, w->txn, acct, &sum);      /* none: named by its id */
	json_array_append_new(w->list, json_pack("{sssssssssssIss}", "device", dev, "member", member,
	        "account_id", id, "account", sum && sum->name ? sum->name : id,
	        "at", rp_when_iso(RP_HLC_MS(op->hlc), at, sizeof at), "ops", (json_int_t)ops,
	        "owner", sum && sum->owner ? sum->owner : "?"));
	rp_summary_free(&sum);
	return 0;
}

static json_t *s_receipts(rp_node *n, MDB_txn *txn)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	s_receipt_walk w = { n, txn, json_array() };
	rp_ingest_each_op(n->store, txn, zero, "purge.receipt", s_receipt, &w);
	return w.list;
}

/* Handovers this device has not passed on yet (delivery.h). */
static int s_queued_one(void *arg, const uint8_t acct[RP_ACCOUNT_LEN], const char *to, uint64_t arrival)
{
	s_receipt_walk *w = arg;
	char id[RP_ACCOUNT_TEXT + 1], at[32] = "";
	uint8_t seq[8];
	rp_summary *sum = NULL;
	MDB_val av, ov;
	rp_op op;
	json_t *e;
	rp_be64_put(seq, arrival);
	if (rp_store_get(w->txn, w->n->store->arrival, seq, 8, &av) == 0 && av.mv_size >= RP_OPID_LEN &&
	    rp_store_get(w->txn, w->n->store->ops, av.mv_data, RP_OPID_LEN, &ov) == 0 &&
	    rp_op_decode(ov.mv_data, ov.mv_size, &op) == 0)
		rp_when_iso(RP_HLC_MS(op.hlc), at, sizeof at);
	rp_b32_encode(acct, RP_ACCOUNT_LEN, id, sizeof id);
	rp_summary_load(w->n->store, w->txn, acct, &sum);
	e = json_pack("{ssssssss}", "account_id", id, "account", sum && sum->name ? sum->name : id,
	              "to", to, "at", at);
	rp_summary_free(&sum);
	return e && json_array_append_new(w->list, e) == 0 ? 0 : RP_ENOMEM;
}

static json_t *s_queued(rp_node *n, MDB_txn *txn)
{
	s_receipt_walk w = { n, txn, json_array() };
	if (w.list && rp_delivery_queued(n->store, txn, n->key.pk, s_queued_one, &w))
		json_array_clear(w.list);
	return w.list;
}

int rp_status(rp_node *n, json_t **out)
{
	MDB_txn *txn;
	MDB_val v;
	char dev[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1] = "", role[16] = "";
	uint8_t team[RP_TEAM_LEN];
	json_t *st, *tj = json_null();
	uint64_t refused = 0;
	int rc, in_team;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rp_node_device_text(n, dev);
	in_team = rp_node_identity(n, txn, team, member, role) == 0;
	rp_errclear();
	if (!in_team && rp_meta_get(n->store, txn, "member_name", &v) == 0)
		snprintf(member, sizeof member, "%.*s", (int)v.mv_size, (char *)v.mv_data);
	if (in_team) {
		char tt[RP_TEAM_TEXT + 1];
		rp_b32_encode(team, RP_TEAM_LEN, tt, sizeof tt);
		tj = json_pack("{ss}", "id", tt);
		if (rp_meta_get(n->store, txn, "team_name", &v) == 0)
			json_object_set_new(tj, "name", json_stringn(v.mv_data, v.mv_size));
	}
	rp_meta_get_u64(n->store, txn, "refused", &refused);
	st = json_pack("{ssssssssso}", "version", RAPPORT_VERSION, "home", n->home,
	        "device", dev, "member", member, "team", tj);
	json_object_set_new(st, "role", in_team ? json_string(role) : json_null());
	json_object_set_new(st, "ops", json_integer((json_int_t)rp_store_count(txn, n->store->ops)));
	json_object_set_new(st, "accounts", json_integer((json_int_t)rp_store_count(txn, n->store->views)));
	json_object_set_new(st, "members", json_integer((json_int_t)rp_store_count(txn, n->store->members)));
	json_object_set_new(st, "equivocations", json_integer((json_int_t)rp_store_count(txn, n->store->equiv)));
	json_object_set_new(st, "equivocating", rp_ingest_equivocations(n->store, txn));
	json_object_set_new(st, "refused_ops", rp_ingest_refusals(n->store, txn));
	json_object_set_new(st, "refused", json_integer((json_int_t)refused));
	{
		uint64_t np = 0;
		rp_meta_get_u64(n->store, txn, "peers_refused", &np);
		json_object_set_new(st, "peers_refused", json_integer((json_int_t)np));
		json_object_set_new(st, "peer_refused_last", rp_meta_get(n->store, txn, "peers_refused_last", &v) == 0 ?
		                    json_stringn(v.mv_data, v.mv_size) : json_null());
	}
	{
		uint64_t bytes = 0;
		json_object_set_new(st, "pending", json_integer((json_int_t)rp_store_count(txn, n->store->pending)));
		rp_pending_totals(n->store, txn, NULL, &bytes);
		json_object_set_new(st, "pending_bytes", json_integer((json_int_t)bytes));
		json_object_set_new(st, "pending_from", rp_pending_senders(n->store, txn));
	}
	json_object_set_new(st, "stale_views", json_integer((json_int_t)rp_store_count(txn, n->store->stale)));
	json_object_set_new(st, "erase_pending", json_boolean(rp_erase_pending(n)));
	{
		char note[1024];
		rp_erase_note(n, note, sizeof note);
		json_object_set_new(st, "wiped", *note ? json_string(note) : json_null());
	}
	json_object_set_new(st, "clock_skew", s_skews(n, txn));
	json_object_set_new(st, "peer_clocks", s_peer_clocks(n, txn));
	json_object_set_new(st, "purged", s_receipts(n, txn));
	json_object_set_new(st, "handovers_queued", s_queued(n, txn));
	json_object_set_new(st, "keep", n->keep ? json_string("device") :
	                    rp_roster_team_keep(n->store, txn) ? json_string("team") : json_null());
	rp_store_end(txn);
	*out = st;
	return 0;
}

typedef struct s_digest_walk {
	rp_store                 *st;
	MDB_txn                  *txn;
	crypto_generichash_state *h;
} s_digest_walk;

/* One view into the digest: framed by its id, as its hash. */
static int s_digest_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_digest_walk *w = arg;
	crypto_generichash_state *h = w->h;
	uint8_t vh[32], len[8];
	int rc;
	(void)v;
	if (k->mv_size != RP_ACCOUNT_LEN)
		return 0;
	if ((rc = rp_view_digest(w->st, w->txn, k->mv_data, vh)))
		return rc;
	rp_be64_put(len, k->mv_size);
	crypto_generichash_update(h, len, 8);
	crypto_generichash_update(h, k->mv_data, k->mv_size);
	crypto_generichash_update(h, vh, sizeof vh);
	return 0;
}

int rp_digest(rp_node *n, const uint8_t *acct, char hex[65])
{
	crypto_generichash_state h;
	uint8_t out[32];
	MDB_txn *txn;
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	if (acct) {
		uint8_t vh[32];
		if ((rc = rp_view_digest(n->store, txn, acct, vh))) {
			char t[RP_ACCOUNT_TEXT + 1];
			rp_store_end(txn);
			rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
			return rc == RP_ENOTFOUND ? rp_fail(RP_ENOTFOUND, "no account %s", t)
			                          : rp_fail(rc, "cannot read the view of %s", t);
		}
		crypto_generichash_update(&h, vh, sizeof vh);
	} else {
		s_digest_walk dw = { n->store, txn, &h };
		/* Every view, in id order, each framed by its id, then the roster. */
		if ((rc = rp_store_scan(txn, n->store->views, NULL, 0, s_digest_one, &dw))) {
			rp_store_end(txn);
			return rp_fail(rc, "cannot read views");
		}
		if ((rc = rp_roster_hash(n->store, txn, &h))) {
			rp_store_end(txn);
			return rp_fail(rc, "cannot read the roster");
		}
	}
	rp_store_end(txn);
	crypto_generichash_final(&h, out, sizeof out);
	sodium_bin2hex(hex, 65, out, sizeof out);
	return 0;
}
