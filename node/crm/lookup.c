/* node/crm/lookup.c — what the user typed → the id it means: an account by id,
 * id prefix or name; an interaction, follow-up or contact by id or prefix.
 * Never guesses: an ambiguous prefix or name is an error listing the choices. */
#include <ctype.h>
#include <string.h>

#include "lookup.h"
#include "../node.h"
#include "../text/casefold.h"
#include "../store/refs.h"
#include "../store/summary.h"
#include "../store/view.h"
#include "../../proto/error.h"

#define S_PREFIX_MIN 6
#define S_SHOW_MAX   4       /* candidates named in an "ambiguous" message */

/* The key range [lo, hi] of ids whose text starts with prefix. Returns 0, or
 * -1 if prefix is not a base32 prefix of an id of idlen bytes. */
static int s_prefix_range(const char *prefix, size_t idlen, uint8_t *lo, uint8_t *hi)
{
	char a[64], b[64];
	size_t n = strlen(prefix), tl = (idlen * 8 + 4) / 5;
	if (n > tl || !rp_b32_is_prefix(prefix))
		return -1;
	for (size_t i = 0; i < tl; i++) {
		char c = i < n ? (char)tolower((unsigned char)prefix[i]) : 0;
		a[i] = c ? c : 'a';          /* 'a' is 0 in base32 */
		b[i] = c ? c : '7';          /* '7' is 31 */
	}
	a[tl] = b[tl] = 0;
	/* The last character carries padding bits that must be zero: clear them. */
	{
		int pad = (int)(tl * 5 - idlen * 8);        /* unused low bits of the last char */
		int lastv = b[tl - 1] >= 'a' ? b[tl - 1] - 'a' : b[tl - 1] - '2' + 26;
		lastv &= ~((1 << pad) - 1);
		b[tl - 1] = (char)(lastv < 26 ? 'a' + lastv : '2' + lastv - 26);
		if (n == tl)
			a[tl - 1] = b[tl - 1] = (char)tolower((unsigned char)prefix[tl - 1]);
	}
	if (rp_b32_decode(a, lo, idlen) || rp_b32_decode(b, hi, idlen))
		return -1;
	return 0;
}

typedef struct s_hits {
	size_t n;
	uint8_t first[RP_ACCOUNT_LEN > RP_REF_LEN ? RP_ACCOUNT_LEN : RP_REF_LEN];
	uint8_t acct[RP_ACCOUNT_LEN];
	int kind;
	char names[256];
} s_hits;

static void s_hit_name(s_hits *h, const char *name)
{
	size_t l = strlen(h->names);
	if (h->n <= S_SHOW_MAX)
		snprintf(h->names + l, sizeof h->names - l, "%s%s", l ? ", " : "", name);
}

static const char *s_summary_name(rp_node *n, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                                  char *buf, size_t cap)
{
	rp_summary *s;
	char t[RP_ACCOUNT_TEXT + 1];
	rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
	if (rp_summary_load(n->store, txn, acct, &s) == 0) {
		snprintf(buf, cap, "%s (%.10s)", s->name ? s->name : "?", t);
		rp_summary_free(&s);
	} else {
		snprintf(buf, cap, "%s", t);
	}
	return buf;
}

/* A walk of an index for matches: where it ends, what it looks for. */
typedef struct s_find_walk {
	rp_node       *n;
	MDB_txn       *txn;
	s_hits        *h;
	const uint8_t *hi;         /* ids: the last id with the prefix */
	const uint8_t *key;        /* names: the folded text */
	size_t         tl;
	int            exact, kinds;
} s_find_walk;

static void s_hit_account(s_find_walk *w, const uint8_t *acct)
{
	char nm[128];
	if (w->h->n++ == 0)
		memcpy(w->h->first, acct, RP_ACCOUNT_LEN);
	s_hit_name(w->h, s_summary_name(w->n, w->txn, acct, nm, sizeof nm));
}

static int s_prefix_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_find_walk *w = arg;
	(void)v;
	if (k->mv_size != RP_ACCOUNT_LEN || memcmp(k->mv_data, w->hi, RP_ACCOUNT_LEN) > 0)
		return RP_STORE_STOP;
	s_hit_account(w, k->mv_data);
	return 0;
}

/* Accounts whose id starts with text. */
static int s_by_prefix(rp_node *n, MDB_txn *txn, const char *text, s_hits *h)
{
	uint8_t lo[RP_ACCOUNT_LEN], hi[RP_ACCOUNT_LEN];
	s_find_walk w = { n, txn, h, hi, NULL, 0, 0, 0 };
	if (strlen(text) < S_PREFIX_MIN || s_prefix_range(text, RP_ACCOUNT_LEN, lo, hi))
		return 0;
	return rp_store_scan(txn, n->store->summaries, lo, RP_ACCOUNT_LEN, s_prefix_one, &w);
}

static int s_name_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_find_walk *w = arg;
	const uint8_t *acct;
	size_t nl;
	(void)v;
	if (rp_view_index_entry(k, &acct, &nl))
		return 0;
	if (w->exact) {
		if (nl != w->tl || memcmp(k->mv_data, w->key, w->tl))
			return RP_STORE_STOP;
	} else {
		char name[RP_NAME_MAX + 1];
		if (nl > RP_NAME_MAX)
			return 0;
		rp_fold_loose(name, k->mv_data, nl);     /* part of a name: accents aside too */
		if (!strstr(name, (const char *)w->key))
			return 0;
	}
	s_hit_account(w, acct);
	return 0;
}

/* Accounts by name: exact (case-insensitive) when exact, else names that
 * contain text. */
static int s_by_name(rp_node *n, MDB_txn *txn, const char *text, int exact, s_hits *h)
{
	uint8_t key[RP_NAME_MAX + 2];
	size_t tl = strlen(text);
	s_find_walk w = { n, txn, h, NULL, key, tl, exact, 0 };
	if (tl == 0 || tl > RP_NAME_MAX)
		return 0;
	if (exact) {
		rp_fold((char *)key, text, tl);
		key[tl] = 0;
	} else {
		tl = rp_fold_loose((char *)key, text, tl);
	}
	return rp_store_scan(txn, n->store->names, exact ? key : NULL, exact ? tl + 1 : 0, s_name_one, &w);
}

static int s_decide(s_hits *h, const char *what, const char *text, uint8_t *out, size_t len)
{
	if (h->n == 1) {
		memcpy(out, h->first, len);
		return 0;
	}
	if (h->n == 0)
		return -1;
	return rp_fail(RP_EAMBIG, "'%s' matches %zu %s: %s%s — use more of the id", text, h->n, what,
	               h->names, h->n > S_SHOW_MAX + 1 ? ", …" : "");
}

int rp_account_find(rp_node *n, const char *text, uint8_t acct[RP_ACCOUNT_LEN])
{
	MDB_txn *txn;
	int rc;
	rp_errclear();
	if (!text || !*text)
		return rp_fail(RP_EINVAL, "missing ACCOUNT");
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	/* An exact name wins; then an id prefix; then a unique part of a name. */
	s_hits h = { 0 };
	if ((rc = s_by_name(n, txn, text, 1, &h)) == 0 && (rc = s_decide(&h, "accounts", text, acct, RP_ACCOUNT_LEN)) == -1) {
		memset(&h, 0, sizeof h);
		if ((rc = s_by_prefix(n, txn, text, &h)) == 0 &&
		    (rc = s_decide(&h, "account ids", text, acct, RP_ACCOUNT_LEN)) == -1) {
			memset(&h, 0, sizeof h);
			if ((rc = s_by_name(n, txn, text, 0, &h)) == 0 &&
			    (rc = s_decide(&h, "accounts", text, acct, RP_ACCOUNT_LEN)) == -1)
				rc = rp_fail(RP_ENOTFOUND, "no account matches '%s' (see 'rapport account list')", text);
		}
	}
	rp_store_end(txn);
	return rc;
}

static int s_ref_kind_of(const uint8_t *kind, size_t len)
{
	if (len == 6 && !memcmp(kind, "ix.log", 6))
		return RP_REF_IX;
	if (len == 6 && !memcmp(kind, "fu.add", 6))
		return RP_REF_FU;
	if (len == 11 && !memcmp(kind, "contact.add", 11))
		return RP_REF_CONTACT;
	return 0;
}

static int s_ref_one(void *arg, const rp_ref_hit *hit)
{
	s_find_walk *w = arg;
	char t[RP_REF_TEXT + 1];
	int kd = s_ref_kind_of((const uint8_t *)hit->kind, strlen(hit->kind));
	if (!(kd & w->kinds))
		return 0;
	if (w->h->n++ == 0) {
		memcpy(w->h->first, hit->ref, RP_REF_LEN);
		memcpy(w->h->acct, hit->account, RP_ACCOUNT_LEN);
		w->h->kind = kd;
	}
	rp_b32_encode(hit->ref, RP_REF_LEN, t, sizeof t);
	s_hit_name(w->h, t);
	return 0;
}

int rp_ref_find(rp_node *n, const char *text, int kinds, uint8_t ref[RP_REF_LEN],
                uint8_t acct[RP_ACCOUNT_LEN], int *kind)
{
	uint8_t lo[RP_REF_LEN], hi[RP_REF_LEN];
	const char *what = kinds == RP_REF_FU ? "follow-up" : kinds == RP_REF_IX ? "interaction" :
	                   kinds == RP_REF_CONTACT ? "contact" : "item";
	s_hits h = { 0 };
	s_find_walk w = { n, NULL, &h, NULL, NULL, 0, 0, kinds };
	MDB_txn *txn;
	int rc;
	rp_errclear();
	if (!text || !*text)
		return rp_fail(RP_EINVAL, "missing ID");
	if (strlen(text) < S_PREFIX_MIN || s_prefix_range(text, RP_REF_LEN, lo, hi))
		return rp_fail(RP_EINVAL, "'%s' is not a %s id (ids are at least %d characters of a-z, 2-7)",
		               text, what, S_PREFIX_MIN);
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rc = rp_refs_scan(n->store, txn, lo, hi, s_ref_one, &w);
	rp_store_end(txn);
	if (rc)
		return rc;
	rc = s_decide(&h, "ids", text, ref, RP_REF_LEN);
	if (rc == -1)
		return rp_fail(RP_ENOTFOUND, "no %s with id '%s'", what, text);
	if (rc == 0) {
		if (acct)
			memcpy(acct, h.acct, RP_ACCOUNT_LEN);
		if (kind)
			*kind = h.kind;
	}
	return rc;
}

void rp_about_item(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], const uint8_t *ref, rp_about *out)
{
	MDB_txn *txn;
	json_t *view = NULL;
	rp_ref_hit hit;
	memset(out, 0, sizeof *out);
	if (rp_node_read(n, &txn))
		return;
	if (rp_view_load(n->store, txn, acct, &view) == 0) {
		const char *nm = json_string_value(json_object_get(view, "name"));
		snprintf(out->account, sizeof out->account, "%s", nm ? nm : "");
	}
	if (ref && rp_refs_find(n->store, txn, ref, &hit) == 0) {
		int kd = s_ref_kind_of((const uint8_t *)hit.kind, strlen(hit.kind));
		const json_t *e = rp_view_item(view, kd == RP_REF_IX ? "interactions" :
		                               kd == RP_REF_FU ? "followups" : "contacts", ref);
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *cn = json_string_value(json_object_get(e, "name"));
		snprintf(out->what, sizeof out->what, "%s", kd == RP_REF_FU ? "follow-up" :
		         kd == RP_REF_CONTACT ? "contact" : type ? type : "interaction");
		if (kd == RP_REF_CONTACT)
			snprintf(out->name, sizeof out->name, "%s", cn ? cn : "");
	}
	json_decref(view);
	rp_store_end(txn);
}
