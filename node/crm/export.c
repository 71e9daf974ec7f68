/* node/crm/export.c — every account to a file: JSONL (the show --json shape,
 * which import reads back), CSV for spreadsheets, vCard 4.0 for address books.
 * Read-only: it never writes to the store, and never prints anything but the export. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export.h"
#include "../node.h"
#include "../text/visible.h"
#include "../store/view.h"
#include "../store/summary.h"
#include "../text/csv.h"
#include "../text/vcard.h"
#include "../text/textbuf.h"
#include "../text/amount.h"
#include "../../proto/error.h"

/* A growing text buffer, as csv.h and vcard.h append to it. */
typedef struct s_buf {
	char  *p;
	size_t len, cap;
} s_buf;

/* The CSV columns every export has, in order; custom fields follow, sorted.
 * Those named here that are also account fields are read from "fields". */
static const char *const s_columns[] = { "id", "name", "owner", "email", "phone", "prefer",
	"website", "address", "tags", "value", "last_contact", "interactions",
	"open_followups", "notes", NULL };
static const char *const s_base_fields[] = { "email", "phone", "prefer", "website",
	"address", "notes", NULL };

static int s_flush(s_buf *b, FILE *out)
{
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
		return rp_fail(RP_EIO, "cannot write the export: %s", strerror(errno));
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
	return 0;
}

typedef struct s_idlist {
	uint8_t (*ids)[RP_ACCOUNT_LEN];
	size_t    n, cap;
} s_idlist;

static int s_id_add(void *arg, const MDB_val *key, const MDB_val *val)
{
	s_idlist *l = arg;
	const uint8_t *acct;
	size_t len;
	(void)val;
	if (rp_view_index_entry(key, &acct, &len))
		return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->ids, ncap * RP_ACCOUNT_LEN);
		if (!p)
			return RP_ENOMEM;
		l->ids = p;
		l->cap = ncap;
	}
	memcpy(l->ids[l->n++], acct, RP_ACCOUNT_LEN);
	return 0;
}

/* The ids of the named accounts in name order (the names index). */
static int s_ids(MDB_txn *txn, rp_store *st, uint8_t (**ids)[RP_ACCOUNT_LEN], size_t *count)
{
	s_idlist l = { 0 };
	int rc = rp_store_scan(txn, st->names, NULL, 0, s_id_add, &l);
	if (rc) {
		free(l.ids);
		l.ids = NULL;
		l.n = 0;
	}
	*ids = l.ids;
	*count = l.n;
	return rc;
}

/* Does view carry tag (NULL: every account does)? */
static int s_tagged(const json_t *view, const char *tag)
{
	size_t i;
	json_t *t;
	if (!tag)
		return 1;
	json_array_foreach(json_object_get(view, "tags"), i, t)
		if (json_string_value(t) && !strcasecmp(json_string_value(t), tag))
			return 1;
	return 0;
}

/* The rows of --what interactions and --what contacts: each entry of the
 * view's list with the account it belongs to, in these columns. */
static const char *const s_ix_columns[] = { "account", "account_id", "id", "type", "at", "text",
	"amount", "currency", "contact", "outcome", "author", "retracted", "resolved", "resolution", NULL };
static const char *const s_contact_columns[] = { "account", "account_id", "id", "name", "role",
	"email", "phone", "prefer", NULL };

/* One entry e of an account's list as a flat object of the columns (amount
 * as a decimal, its currency beside it). */
static json_t *s_flat(const json_t *view, const json_t *e, const char *const *cols)
{
	json_t *o = json_object(), *amt = json_object_get(e, "amount");
	if (!o)
		return NULL;
	for (size_t i = 0; cols[i]; i++) {
		json_t *v;
		if (!strcmp(cols[i], "account"))
			v = json_incref(json_object_get(view, "name"));
		else if (!strcmp(cols[i], "account_id"))
			v = json_incref(json_object_get(view, "id"));
		else if (!strcmp(cols[i], "amount") && json_is_object(amt)) {
			char num[32];
			rp_amount_format((int64_t)json_integer_value(json_object_get(amt, "cents")),
			                 rp_currency_decimals(json_string_value(json_object_get(amt, "currency"))),
			                 num, sizeof num);
			v = json_string(num);
		} else if (!strcmp(cols[i], "currency") && json_is_object(amt))
			v = json_incref(json_object_get(amt, "currency"));
		else if (!strcmp(cols[i], "amount") || !strcmp(cols[i], "currency"))
			v = json_null();
		else
			v = json_incref(json_object_get(e, cols[i]));
		json_object_set_new(o, cols[i], v ? v : json_null());
	}
	return o;
}

/* A read txn of n (*txn, for the caller to end; NULL if none began) and the
 * ids of its named accounts in name order. */
static int s_read_ids(rp_node *n, MDB_txn **txn, uint8_t (**ids)[RP_ACCOUNT_LEN], size_t *count)
{
	int rc;
	*ids = NULL;
	*count = 0;
	if ((rc = rp_node_read(n, txn))) {
		*txn = NULL;
		return rc;
	}
	return s_ids(*txn, n->store, ids, count);
}

/* ---- jsonl ------------------------------------------------------------------ */

static int s_put_json(const json_t *doc, FILE *out)
{
	/* jansson lets DEL and C1 through raw: escape them too. */
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *safe = text ? rp_visible_json(text) : NULL;
	int rc = 0;
	if (!safe)
		rc = rp_fail(RP_ENOMEM, "out of memory");
	else if (fputs(safe, out) == EOF || fputc('\n', out) == EOF)
		rc = rp_fail(RP_EIO, "cannot write the export: %s", strerror(errno));
	free(text);
	free(safe);
	return rc;
}

static int s_jsonl(rp_node *n, const rp_export_opts *o, FILE *out)
{
	uint8_t (*ids)[RP_ACCOUNT_LEN] = NULL;
	size_t count = 0;
	MDB_txn *txn;
	int rc;
	/* rp_account_show opens its own read txn: collect the ids, then let go. */
	rc = s_read_ids(n, &txn, &ids, &count);
	rp_store_end(txn);
	for (size_t i = 0; i < count && rc == 0; i++) {
		json_t *doc, *e;
		size_t j;
		if ((rc = rp_account_show(n, ids[i], &doc)) == RP_ENOTFOUND) {
			rc = 0;           /* gone since we listed it (purged after a handover) */
			continue;
		}
		if (rc)
			break;
		if (!s_tagged(doc, o->tag))
			;
		else if (!strcmp(o->what, "accounts"))
			rc = s_put_json(doc, out);
		else
			json_array_foreach(json_object_get(doc, !strcmp(o->what, "contacts") ? "contacts" : "interactions"),
			                   j, e) {
				json_t *flat = s_flat(doc, e, !strcmp(o->what, "contacts") ? s_contact_columns : s_ix_columns);
				rc = flat ? s_put_json(flat, out) : RP_ENOMEM;
				json_decref(flat);
				if (rc)
					break;
			}
		json_decref(doc);
	}
	free(ids);
	return rc;
}

/* ---- csv -------------------------------------------------------------------- */

static int s_is_base_field(const char *key)
{
	for (int i = 0; s_base_fields[i]; i++)
		if (!strcmp(key, s_base_fields[i]))
			return 1;
	return 0;
}

static int s_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A spreadsheet names the account that referred this one by its name,
 * not by its id here (which means nothing in a sheet, nor in another
 * store: import finds a referrer by either). */
static int s_referrer_named(rp_store *st, MDB_txn *txn, json_t *view)
{
	json_t *fields = json_object_get(view, "fields");
	const char *id = json_string_value(json_object_get(fields, "referred-by"));
	uint8_t acct[RP_ACCOUNT_LEN];
	rp_summary *by = NULL;
	int rc = 0;
	if (!id || strlen(id) != RP_ACCOUNT_TEXT || rp_b32_decode(id, acct, RP_ACCOUNT_LEN) ||
	    rp_summary_load(st, txn, acct, &by))
		return 0;
	if (by->name && json_object_set_new(fields, "referred-by", json_string(by->name)))
		rc = RP_ENOMEM;
	rp_summary_free(&by);
	return rc;
}

/* What a CSV row needs of each account (rows: the views without their
 * history, which would not fit in memory for a big team), and every field key
 * that has no column of its own, sorted; the strings belong to keys. */
static int s_csv_load(rp_store *st, MDB_txn *txn, uint8_t (*ids)[RP_ACCOUNT_LEN], size_t count,
                      const char *tag, json_t *rows, json_t *keys, const char ***sorted, size_t *nsorted)
{
	const char *key;
	json_t *val;
	size_t i = 0;
	int rc;
	for (size_t a = 0; a < count; a++) {
		json_t *view, *row;
		if (rp_view_load(st, txn, ids[a], &view))
			continue;
		if (!s_tagged(view, tag)) {
			json_decref(view);
			continue;
		}
		json_object_foreach(json_object_get(view, "fields"), key, val)
			if (!s_is_base_field(key))
				json_object_set_new(keys, key, json_true());
		if ((rc = s_referrer_named(st, txn, view))) {
			json_decref(view);
			return rc;
		}
		row = json_pack("{sOsOsOsOsOsOsO}", "id", json_object_get(view, "id"),
		        "name", json_object_get(view, "name"), "owner", json_object_get(view, "owner"),
		        "fields", json_object_get(view, "fields"), "tags", json_object_get(view, "tags"),
		        "value", json_object_get(view, "value"), "stats", json_object_get(view, "stats"));
		json_decref(view);
		if (!row || json_array_append_new(rows, row))
			return RP_ENOMEM;
	}
	*nsorted = json_object_size(keys);
	if (!(*sorted = malloc((*nsorted ? *nsorted : 1) * sizeof **sorted)))
		return RP_ENOMEM;
	json_object_foreach(keys, key, val)
		(*sorted)[i++] = key;
	qsort(*sorted, *nsorted, sizeof **sorted, s_cmp_str);
	return 0;
}

/* "4200.50 EUR;12.00 USD" */
static void s_value_text(const json_t *value, char *out, size_t cap)
{
	size_t i, len = 0;
	json_t *amt;
	out[0] = 0;
	json_array_foreach(value, i, amt) {
		char num[32];
		const char *cur = json_string_value(json_object_get(amt, "currency"));
		rp_amount_format((int64_t)json_integer_value(json_object_get(amt, "cents")),
		                 rp_currency_decimals(cur), num, sizeof num);
		int w = snprintf(out + len, cap - len, "%s%s %s", i ? ";" : "", num, cur ? cur : "");
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

static int s_csv_row(s_buf *b, const json_t *view, const char **custom, size_t ncustom)
{
	const json_t *fields = json_object_get(view, "fields"), *stats = json_object_get(view, "stats");
	char num[32], value[1024], *tags = NULL;
	size_t tl = 0, i;
	json_t *t;
	int rc = 0;

	json_array_foreach(json_object_get(view, "tags"), i, t)
		tl += strlen(json_string_value(t)) + 1;
	if (!(tags = malloc(tl + 1)))
		return RP_ENOMEM;
	tags[0] = 0;
	tl = 0;
	json_array_foreach(json_object_get(view, "tags"), i, t) {
		size_t l = strlen(json_string_value(t));
		if (i)
			tags[tl++] = ';';
		memcpy(tags + tl, json_string_value(t), l + 1);
		tl += l;
	}
	s_value_text(json_object_get(view, "value"), value, sizeof value);

	for (i = 0; s_columns[i] && rc == 0; i++) {
		const char *col = s_columns[i], *cell = NULL;
		if (!strcmp(col, "id") || !strcmp(col, "name") || !strcmp(col, "owner"))
			cell = json_string_value(json_object_get(view, col));
		else if (s_is_base_field(col))
			cell = json_string_value(json_object_get(fields, col));
		else if (!strcmp(col, "tags"))
			cell = tags;
		else if (!strcmp(col, "value"))
			cell = value;
		else if (!strcmp(col, "last_contact"))
			cell = json_string_value(json_object_get(stats, "last_contact"));
		else {      /* interactions, open_followups */
			snprintf(num, sizeof num, "%lld",
			         (long long)json_integer_value(json_object_get(stats, col)));
			cell = num;
		}
		rc = rp_csv_put_cell(&b->p, &b->len, &b->cap, cell, i == 0);
	}
	for (i = 0; i < ncustom && rc == 0; i++)
		rc = rp_csv_put_cell(&b->p, &b->len, &b->cap,
		                     json_string_value(json_object_get(fields, custom[i])), 0);
	if (rc == 0)
		rc = rp_csv_end_row(&b->p, &b->len, &b->cap);
	free(tags);
	return rc ? RP_ENOMEM : 0;
}

/* --what interactions|contacts as CSV: one entry a row, in cols. */
static int s_csv_entries(rp_node *n, const rp_export_opts *o, const char *const *cols, FILE *out)
{
	uint8_t (*ids)[RP_ACCOUNT_LEN] = NULL;
	size_t count = 0, i;
	s_buf b = { 0 };
	MDB_txn *txn;
	int rc;

	rc = s_read_ids(n, &txn, &ids, &count);
	if (rc == 0 && o->bom)
		rc = rp_textbuf_append(&b.p, &b.len, &b.cap, "\xEF\xBB\xBF", 3) ? RP_ENOMEM : 0;
	for (i = 0; cols[i] && rc == 0; i++)
		rc = rp_csv_put_cell(&b.p, &b.len, &b.cap, cols[i], i == 0) ? RP_ENOMEM : 0;
	if (rc == 0)
		rc = rp_csv_end_row(&b.p, &b.len, &b.cap) ? RP_ENOMEM : 0;
	for (size_t a = 0; a < count && rc == 0; a++) {
		json_t *view, *e;
		size_t j;
		if (rp_view_load(n->store, txn, ids[a], &view))
			continue;
		json_array_foreach(json_object_get(view, cols == s_contact_columns ? "contacts" : "interactions"), j, e) {
			json_t *flat = s_tagged(view, o->tag) ? s_flat(view, e, cols) : NULL;
			for (i = 0; flat && cols[i] && rc == 0; i++) {
				json_t *v = json_object_get(flat, cols[i]);
				const char *cell = json_is_string(v) ? json_string_value(v) :
				                   json_is_true(v) ? "true" : json_is_false(v) ? "false" : NULL;
				rc = rp_csv_put_cell(&b.p, &b.len, &b.cap, cell, i == 0) ? RP_ENOMEM : 0;
			}
			if (flat && rc == 0)
				rc = rp_csv_end_row(&b.p, &b.len, &b.cap) ? RP_ENOMEM : 0;
			json_decref(flat);
			if (rc == 0 && b.len >= 65536)
				rc = s_flush(&b, out);
		}
		json_decref(view);
	}
	rp_store_end(txn);
	if (rc == 0)
		rc = s_flush(&b, out);
	free(ids);
	free(b.p);
	return rc;
}

static int s_csv(rp_node *n, const rp_export_opts *o, FILE *out)
{
	uint8_t (*ids)[RP_ACCOUNT_LEN] = NULL;
	const char **custom = NULL;
	json_t *keys = json_object(), *rows = json_array(), *row;
	size_t count = 0, ncustom = 0, i;
	s_buf b = { 0 };
	MDB_txn *txn;
	int rc;

	if (!keys || !rows) {
		rc = RP_ENOMEM;
		goto out;
	}
	if ((rc = s_read_ids(n, &txn, &ids, &count)) == 0)
		rc = s_csv_load(n->store, txn, ids, count, o->tag, rows, keys, &custom, &ncustom);
	rp_store_end(txn);
	if (rc == 0 && o->bom)     /* Excel reads UTF-8 only after a BOM */
		rc = rp_textbuf_append(&b.p, &b.len, &b.cap, "\xEF\xBB\xBF", 3) ? RP_ENOMEM : 0;
	for (i = 0; s_columns[i] && rc == 0; i++)
		rc = rp_csv_put_cell(&b.p, &b.len, &b.cap, s_columns[i], i == 0) ? RP_ENOMEM : 0;
	/* A custom key may repeat a column name ("owner"): import reads the first
	 * column of a name as the column and a later one as a field, so it round-trips. */
	for (i = 0; i < ncustom && rc == 0; i++)
		rc = rp_csv_put_cell(&b.p, &b.len, &b.cap, custom[i], 0) ? RP_ENOMEM : 0;
	if (rc == 0)
		rc = rp_csv_end_row(&b.p, &b.len, &b.cap) ? RP_ENOMEM : 0;
	json_array_foreach(rows, i, row) {
		if (rc == 0 && b.len >= 65536)
			rc = s_flush(&b, out);
		if (rc == 0)
			rc = s_csv_row(&b, row, custom, ncustom);
	}
	if (rc == 0)
		rc = s_flush(&b, out);
out:
	free(ids);
	free(custom);
	free(b.p);
	json_decref(rows);
	json_decref(keys);
	return rc;
}

/* ---- vcard ------------------------------------------------------------------ */

/* A component of a structured or list value (ADR, CATEGORIES): escaped as
 * RFC 6350 §3.4 says, so the separators we write stay separators. */
static char *s_vcard_escape(const char *text)
{
	size_t n = strlen(text), o = 0;
	char *out = malloc(2 * n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '\r') {
			if (text[i + 1] == '\n')
				i++;
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else {
			if (c == '\\' || c == ',' || c == ';')
				out[o++] = '\\';
			out[o++] = c;
		}
	}
	out[o] = 0;
	return out;
}

/* "NAME:" + raw, where raw is already escaped: through rp_vcard_line for folding. */
static int s_vcard_raw(s_buf *b, const char *name, const char *raw)
{
	size_t n = strlen(name) + strlen(raw) + 2;
	char *line = malloc(n);
	int rc;
	if (!line)
		return -1;
	snprintf(line, n, "%s:%s", name, raw);
	rc = rp_vcard_line(&b->p, &b->len, &b->cap, line);
	free(line);
	return rc;
}

/* A property only when the value is a non-empty string. */
static int s_vcard_opt(s_buf *b, const char *name, const char *params, const json_t *val)
{
	const char *s = json_string_value(val);
	if (!s || !*s)
		return 0;
	return rp_vcard_prop(&b->p, &b->len, &b->cap, name, params, s);
}

static int s_vcard_org(s_buf *b, const json_t *view)
{
	const json_t *fields = json_object_get(view, "fields"), *tags = json_object_get(view, "tags");
	const char *name = json_string_value(json_object_get(view, "name"));
	char uid[64];
	int rc;

	snprintf(uid, sizeof uid, "urn:rapport:%s", json_string_value(json_object_get(view, "id")));
	if (rp_vcard_line(&b->p, &b->len, &b->cap, "BEGIN:VCARD") ||
	    rp_vcard_line(&b->p, &b->len, &b->cap, "VERSION:4.0") ||
	    rp_vcard_line(&b->p, &b->len, &b->cap, "KIND:org") ||
	    rp_vcard_prop(&b->p, &b->len, &b->cap, "UID", NULL, uid) ||
	    rp_vcard_prop(&b->p, &b->len, &b->cap, "FN", NULL, name) ||
	    rp_vcard_prop(&b->p, &b->len, &b->cap, "ORG", NULL, name) ||
	    s_vcard_opt(b, "EMAIL", NULL, json_object_get(fields, "email")) ||
	    s_vcard_opt(b, "TEL", "VALUE=text", json_object_get(fields, "phone")) ||
	    s_vcard_opt(b, "URL", NULL, json_object_get(fields, "website")) ||
	    s_vcard_opt(b, "NOTE", NULL, json_object_get(fields, "notes")))
		return -1;
	{
		/* ADR: ;;street;locality;region;code;country, the parts we hold
		 * (address.city and the like, as imports from other CRMs bring them). */
		static const char *const part[] = { "address", "address.city", "address.region",
		                                    "address.postal_code", "address.country" };
		char *raw = NULL;
		size_t n = 8, o;
		int any = 0;
		for (size_t i = 0; i < 5; i++) {
			const char *v = json_string_value(json_object_get(fields, part[i]));
			n += v ? 2 * strlen(v) + 1 : 1;
			any |= v && *v;
		}
		if (any) {
			if (!(raw = malloc(n)))
				return -1;
			o = (size_t)snprintf(raw, n, ";;");
			for (size_t i = 0; i < 5; i++) {
				const char *v = json_string_value(json_object_get(fields, part[i]));
				char *esc = s_vcard_escape(v ? v : "");
				if (!esc) {
					free(raw);
					return -1;
				}
				o += (size_t)snprintf(raw + o, n - o, "%s%s", esc, i < 4 ? ";" : "");
				free(esc);
			}
			rc = s_vcard_raw(b, "ADR", raw);
			free(raw);
			if (rc)
				return -1;
		}
	}
	if (json_array_size(tags)) {
		size_t i, n = 1, o = 0;
		json_t *t;
		char *raw;
		json_array_foreach(tags, i, t)
			n += 2 * strlen(json_string_value(t)) + 1;
		if (!(raw = malloc(n)))
			return -1;
		json_array_foreach(tags, i, t) {
			char *esc = s_vcard_escape(json_string_value(t));
			if (!esc) {
				free(raw);
				return -1;
			}
			o += (size_t)snprintf(raw + o, n - o, "%s%s", i ? "," : "", esc);
			free(esc);
		}
		rc = s_vcard_raw(b, "CATEGORIES", raw);
		free(raw);
		if (rc)
			return -1;
	}
	return rp_vcard_line(&b->p, &b->len, &b->cap, "END:VCARD");
}

static int s_vcard_person(s_buf *b, const json_t *view, const json_t *c)
{
	char uid[64];
	snprintf(uid, sizeof uid, "urn:rapport:%s", json_string_value(json_object_get(c, "id")));
	if (!json_string_value(json_object_get(c, "name")))
		return 0;                 /* erased: nothing to say about them */
	if (rp_vcard_line(&b->p, &b->len, &b->cap, "BEGIN:VCARD") ||
	    rp_vcard_line(&b->p, &b->len, &b->cap, "VERSION:4.0") ||
	    rp_vcard_line(&b->p, &b->len, &b->cap, "KIND:individual") ||
	    rp_vcard_prop(&b->p, &b->len, &b->cap, "UID", NULL, uid) ||
	    s_vcard_opt(b, "FN", NULL, json_object_get(c, "name")) ||
	    s_vcard_opt(b, "ORG", NULL, json_object_get(view, "name")) ||
	    s_vcard_opt(b, "ROLE", NULL, json_object_get(c, "role")) ||
	    s_vcard_opt(b, "EMAIL", NULL, json_object_get(c, "email")) ||
	    s_vcard_opt(b, "TEL", "VALUE=text", json_object_get(c, "phone")))
		return -1;
	return rp_vcard_line(&b->p, &b->len, &b->cap, "END:VCARD");
}

static int s_vcard(rp_node *n, const rp_export_opts *o, FILE *out)
{
	uint8_t (*ids)[RP_ACCOUNT_LEN] = NULL;
	size_t count = 0;
	s_buf b = { 0 };
	MDB_txn *txn;
	int rc;

	rc = s_read_ids(n, &txn, &ids, &count);
	for (size_t a = 0; a < count && rc == 0; a++) {
		json_t *view, *c;
		size_t i;
		if (rp_view_load(n->store, txn, ids[a], &view))
			continue;
		if (!s_tagged(view, o->tag)) {
			json_decref(view);
			continue;
		}
		if (s_vcard_org(&b, view))
			rc = rp_fail(RP_ENOMEM, "out of memory writing the vCard of %s",
			             json_string_value(json_object_get(view, "id")));
		json_array_foreach(json_object_get(view, "contacts"), i, c)
			if (rc == 0 && s_vcard_person(&b, view, c))
				rc = rp_fail(RP_ENOMEM, "out of memory writing the vCard of %s",
				             json_string_value(json_object_get(c, "id")));
		json_decref(view);
		if (rc == 0)
			rc = s_flush(&b, out);
	}
	rp_store_end(txn);
	free(ids);
	free(b.p);
	return rc;
}

int rp_export(rp_node *n, const char *format, const rp_export_opts *opts, FILE *out)
{
	rp_export_opts o = opts ? *opts : (rp_export_opts){ 0 };
	int rc;
	rp_errclear();
	if (!o.what)
		o.what = "accounts";
	if (strcmp(o.what, "accounts") && strcmp(o.what, "interactions") && strcmp(o.what, "contacts"))
		return rp_fail(RP_EINVAL, "unknown --what '%s': use accounts|interactions|contacts", o.what);
	if (format && !strcmp(format, "vcard") && strcmp(o.what, "accounts"))
		return rp_fail(RP_EINVAL, "a vCard export is of accounts and their contacts: --what %s "
		               "goes with --format csv or jsonl", o.what);
	if (o.bom && (!format || strcmp(format, "csv")))
		return rp_fail(RP_EINVAL, "--bom is for --format csv");
	if (!format || !strcmp(format, "jsonl"))
		rc = s_jsonl(n, &o, out);
	else if (!strcmp(format, "csv"))
		rc = !strcmp(o.what, "accounts") ? s_csv(n, &o, out)
		   : s_csv_entries(n, &o, !strcmp(o.what, "contacts") ? s_contact_columns : s_ix_columns, out);
	else if (!strcmp(format, "vcard"))
		rc = s_vcard(n, &o, out);
	else
		return rp_fail(RP_EINVAL, "unknown format '%s': use jsonl|csv|vcard", format);
	if (rc == 0 && fflush(out) != 0)
		rc = rp_fail(RP_EIO, "cannot write the export: %s", strerror(errno));
	if (rc && !*rp_errmsg())
		rp_fail(rc, "export failed: %s", rp_strerror(rc));
	return rc;
}
