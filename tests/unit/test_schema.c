/* tests/unit/test_schema.c — the body rules of schema.h hold on arrival.
 * For every kind, a valid op is accepted, and the same op with any one of
 * its strings (values and keys) made broken UTF-8 or a control character
 * is refused by rp_ingest with nothing stored; newline and tab pass only in
 * free texts; enumerations, types, ids and scopes are enforced; and
 * rp_schema_text_ok on its own. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "forge.h"
#include "../node/node.h"
#include "../node/store/ingest.h"
#include "../node/store/schema.h"
#include "../proto/error.h"

/* Field types: LINE, TEXT (free text), WORD (a member name, an enumeration
 * or a field name: one line too) and AMOUNT (its currency key is the string
 * varied) carry strings; the others are the ids and numbers around them. */
enum { LINE, TEXT, WORD, AMOUNT, NIL, INT, BOOL, DEV, ID, ID39, IDS, ACCT, NOCENTS, BIGCENTS, CURONLY };
enum { TEAM, ACCOUNT, FRESH };          /* the op's account: zero, the shared one, a new one */

typedef struct { const char *key; int type; const char *s; int64_t n; } field;
typedef struct { const char *kind; int scope; field f[7]; } shape;

#define S(k, t, v) { k, t, v, 0 }
#define N(k, t, v) { k, t, NULL, v }
#define AT 1700000000000LL

/* One valid op per kind (several for the set kinds, one per rule of value). */
static const shape shapes[] = {
	{ "team.genesis", TEAM, { S("member", WORD, "ann"), S("team", LINE, "Acme") } },
	{ "member.add", TEAM, { S("name", WORD, "dee"), S("role", WORD, "rep") } },
	{ "member.role", TEAM, { S("name", WORD, "bob"), S("role", WORD, "manager") } },
	{ "device.add", TEAM, { S("member", WORD, "bob"), N("device", DEV, 0) } },
	{ "member.revoke", TEAM, { S("name", WORD, "cy"), N("cutoffs", IDS, 0) } },
	{ "team.set", TEAM, { S("key", WORD, "keep"), N("value", BOOL, 1) } },
	{ "acct.create", FRESH, { S("name", LINE, "Bäckerei Blüm"), S("owner", WORD, "ann") } },
	{ "acct.set", ACCOUNT, { S("field", WORD, "email"), S("value", LINE, "eva@blum.example") } },
	{ "acct.set", ACCOUNT, { S("field", WORD, "name"), S("value", LINE, "Blum & Söhne") } },
	{ "acct.set", ACCOUNT, { S("field", WORD, "prefer"), S("value", WORD, "visit") } },
	{ "acct.set", ACCOUNT, { S("field", WORD, "notes"), S("value", TEXT, "Закрыто по понедельникам") } },
	{ "acct.set", ACCOUNT, { S("field", WORD, "address"), S("value", TEXT, "Hauptstraße 1") } },
	{ "acct.tag", ACCOUNT, { S("add", LINE, "Einzelhandel"), N("remove", IDS, 0) } },
	{ "acct.assign", ACCOUNT, { S("to", WORD, "bob"), N("prev", ID, 0), S("note", TEXT, "yours now") } },
	{ "acct.follow", ACCOUNT, { S("member", WORD, "bob"), N("follow", BOOL, 1) } },
	{ "acct.archive", ACCOUNT, { N("archived", BOOL, 0) } },
	{ "contact.add", ACCOUNT, { S("name", LINE, "Ελένη Blum"), S("role", LINE, "Owner"),
	  S("email", LINE, "eva@blum.example"), S("phone", LINE, "+49 30 1234"), S("prefer", WORD, "email") } },
	{ "contact.set", ACCOUNT, { N("contact", ID, 0), S("field", WORD, "phone"), S("value", LINE, "+49 30 9") } },
	{ "contact.set", ACCOUNT, { N("contact", ID, 0), S("field", WORD, "notes"), S("value", TEXT, "mornings") } },
	{ "ix.log", ACCOUNT, { S("type", WORD, "visit"), N("at", INT, AT), S("text", TEXT, "注文について 🎉"),
	  S("contact", LINE, "Eva"), S("outcome", TEXT, "orders more"), { "amount", AMOUNT, "EUR", 1999 } } },
	{ "ix.amend", ACCOUNT, { N("ix", ID, 0), S("field", WORD, "text"), S("value", TEXT, "two orders") } },
	{ "ix.amend", ACCOUNT, { N("ix", ID, 0), S("field", WORD, "contact"), S("value", LINE, "Eva B.") } },
	{ "ix.amend", ACCOUNT, { N("ix", ID, 0), S("field", WORD, "type"), S("value", WORD, "call") } },
	{ "ix.retract", ACCOUNT, { N("ix", ID, 0), S("reason", TEXT, "logged twice") } },
	{ "complaint.resolve", ACCOUNT, { N("ix", ID, 0), S("text", TEXT, "refunded") } },
	{ "fu.add", ACCOUNT, { S("text", TEXT, "call back"), N("due", INT, AT), S("assignee", WORD, "bob") } },
	{ "fu.done", ACCOUNT, { N("fu", ID, 0), S("text", TEXT, "called") } },
	{ "fu.move", ACCOUNT, { N("fu", ID, 0), N("due", INT, AT + 86400000) } },
	{ "fu.cancel", ACCOUNT, { N("fu", ID, 0) } },
	{ "redact", ACCOUNT, { N("ops", IDS, 0), S("reason", TEXT, "wrong account") } },
	{ "purge.receipt", TEAM, { N("account", ACCT, 0), N("ops", INT, 3) } },
};

/* What no string of a body may be: broken UTF-8 and control characters. */
static const struct { const char *s, *what; } bad[] = {
	{ "ab\xc3(", "a broken sequence" }, { "\xc0\xaf", "an overlong '/'" },
	{ "\xe0\x80\xaf", "an overlong 3-byte form" }, { "\xed\xa0\x80", "a surrogate" },
	{ "\xf4\x90\x80\x80", "a code point beyond U+10FFFF" }, { "a\x1b[31mb", "ESC" },
	{ "\xc2\x9b", "the C1 control CSI" }, { "x\x7fy", "DEL" }, { "a\x01", "a C0 control" },
};
#define NBAD (sizeof bad / sizeof bad[0])

static rp_store *st;
static rp_dirty dirty;
static char home[64];
static uint8_t shared[RP_ACCOUNT_LEN], target[RP_OPID_LEN];
static uint64_t hlc_ms = 5000;

static int is_string(int type)
{
	return type == LINE || type == TEXT || type == WORD || type == AMOUNT;
}

static void pack_str(rp_body_builder *b, const char *s)
{
	msgpack_pack_str(&b->pk, strlen(s));
	msgpack_pack_str_body(&b->pk, s, strlen(s));
}

/* Field f, its string replaced by s when s is not NULL (for an amount: the
 * currency's key). The odd amounts are packed by hand. */
static void put(rp_body_builder *b, const field *f, const char *s)
{
	switch (f->type) {
	case NIL:   rp_body_put_str(b, f->key, NULL); break;
	case INT:   rp_body_put_int(b, f->key, f->n); break;
	case BOOL:  rp_body_put_bool(b, f->key, (int)f->n); break;
	case DEV:   rp_body_put_bin(b, f->key, forge_pk[3], RP_DEVICE_LEN); break;
	case ID:    rp_body_put_bin(b, f->key, target, RP_OPID_LEN); break;
	case ID39:  rp_body_put_bin(b, f->key, target, RP_OPID_LEN - 1); break;
	case IDS:   rp_body_put_bins(b, f->key, target, RP_OPID_LEN, 1); break;
	case ACCT:  rp_body_put_bin(b, f->key, shared, RP_ACCOUNT_LEN); break;
	case AMOUNT:
		if (!s) {
			rp_body_put_amount(b, f->key, f->n, f->s);
			break;
		}
		/* fall through */
	case NOCENTS:
	case BIGCENTS:
	case CURONLY:
		pack_str(b, f->key);
		b->count++;
		msgpack_pack_map(&b->pk, f->type == CURONLY ? 1 : 2);
		if (f->type != CURONLY)
			pack_str(b, f->type == NOCENTS ? "cent" : "cents");
		if (f->type == BIGCENTS)
			msgpack_pack_uint64(&b->pk, (uint64_t)1 << 63);
		else if (f->type != CURONLY)
			msgpack_pack_int64(&b->pk, f->n);
		pack_str(b, s ? s : "currency");
		pack_str(b, "EUR");
		break;
	default:    rp_body_put_str(b, f->key, s ? s : f->s);
	}
}

/* The genesis cannot be ingested twice into one store: its body is
 * checked as ingest would, directly. Frees b. */
static int check_direct(const char *kind, rp_body_builder *b)
{
	const uint8_t *bytes;
	rp_body body;
	rp_op op;
	int rc;
	memset(&op, 0, sizeof op);
	snprintf(op.kind, sizeof op.kind, "%s", kind);
	rp_body_finish(b, &bytes, &op.body_len);
	op.body = bytes;
	if ((rc = rp_body_parse(&body, bytes, op.body_len)) == 0)
		rc = rp_schema_check(&op, &body, NULL);
	rp_body_done(&body);
	rp_body_free(b);
	return rc;
}

/* Sign b (freed) as device 0, the admin, on account (NULL: team scope) and
 * ingest it in a txn of its own. Returns what rp_ingest says. */
static int submit(const char *kind, const uint8_t *account, rp_body_builder *b)
{
	forged_op o;
	MDB_txn *txn;
	uint64_t clock = 0;
	int rc;
	if (!strcmp(kind, "team.genesis"))
		return check_direct(kind, b);
	o = forge_op(0, account, kind, RP_HLC_MAKE(hlc_ms++, 0), b);
	if (rp_store_begin(st, 1, &txn))
		abort();
	rc = rp_ingest(st, txn, o.bytes, o.len, 0, &dirty, &clock, 0);
	rp_dirty_clear(&dirty);
	if (rc >= 0)
		mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	free(o.bytes);
	return rc;
}

/* The op of sh with field `which` (-1: none) holding s, and with one more
 * entry xkey: "v" when xkey is set. */
static int try(const shape *sh, int which, const char *s, const char *xkey)
{
	uint8_t fresh[RP_ACCOUNT_LEN];
	rp_body_builder b;
	rp_body_init(&b);
	for (int i = 0; sh->f[i].key; i++)
		put(&b, &sh->f[i], i == which ? s : NULL);
	if (xkey)
		rp_body_put_str(&b, xkey, "v");
	randombytes_buf(fresh, sizeof fresh);
	return submit(sh->kind, sh->scope == TEAM ? NULL : sh->scope == FRESH ? fresh : shared, &b);
}

static size_t stored(void)
{
	MDB_txn *txn;
	MDB_stat s;
	rp_store_begin(st, 0, &txn);
	mdb_stat(txn, st->ops, &s);
	mdb_txn_abort(txn);
	return s.ms_entries;
}

/* Every bad string in field `which` (or as an extra key, which < 0) is
 * refused with RP_EFORMAT; names the ones that were not. */
static void refuses_bad(const shape *sh, int which, const char *label)
{
	size_t refused = 0;
	for (size_t j = 0; j < NBAD; j++) {
		int rc = which < 0 ? try(sh, -1, NULL, bad[j].s) : try(sh, which, bad[j].s, NULL);
		if (rc == RP_EFORMAT)
			refused++;
		else
			diag("%s with %s: got %d", label, bad[j].what, rc);
	}
	ok(refused == NBAD, "%s: broken UTF-8 and control characters refused (%zu of %zu)", label, refused, NBAD);
}

static void each_kind(void)
{
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		const shape *sh = &shapes[k];
		char label[96], fl[128];
		size_t before, texts = 0;
		snprintf(label, sizeof label, "%s%s", sh->kind,
		         strcmp(sh->kind, "team.genesis") ? "" : " (rp_schema_check)");
		for (int i = 0; sh->f[i].key; i++)
			if (!strcmp(sh->f[i].key, "field"))
				snprintf(label, sizeof label, "%s %s", sh->kind, sh->f[i].s);
		is_int(try(sh, -1, NULL, NULL), 0, "%s: the valid op is accepted", label);
		is_int(try(sh, -1, NULL, "extra"), 0, "%s: with an unknown key too", label);
		before = stored();
		for (int i = 0; sh->f[i].key; i++) {
			if (!is_string(sh->f[i].type))
				continue;
			snprintf(fl, sizeof fl, "%s %s%s", label, sh->f[i].key, sh->f[i].type == AMOUNT ? " key" : "");
			refuses_bad(sh, i, fl);
		}
		snprintf(fl, sizeof fl, "%s, a body key", label);
		refuses_bad(sh, -1, fl);
		if (strcmp(sh->kind, "team.genesis"))
			is_int(stored(), before, "%s: none of the refused ops was stored", label);
		for (int i = 0; sh->f[i].key; i++) {
			int text = sh->f[i].type == TEXT;
			if (!is_string(sh->f[i].type))
				continue;
			texts += text;
			is_int(try(sh, i, "two\nlines", NULL), text ? 0 : RP_EFORMAT, "%s %s: a newline %s",
			       label, sh->f[i].key, text ? "accepted (free text)" : "refused (one line)");
			is_int(try(sh, i, "a\tb", NULL), text ? 0 : RP_EFORMAT, "%s %s: a tab %s",
			       label, sh->f[i].key, text ? "accepted (free text)" : "refused (one line)");
		}
		if (strcmp(sh->kind, "team.genesis"))
			is_int(stored(), before + 2 * texts, "%s: only the free-text variants were stored", label);
	}
}

/* Enumerations, types, ids and scopes, on ingest. */
static const struct { shape sh; int want; const char *what; } rules[] = {
	{ { "ix.log", ACCOUNT, { S("type", WORD, "banana") } }, RP_EFORMAT, "ix.log type banana" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "gift") } }, 0, "ix.log type gift" },
	{ { "acct.set", ACCOUNT, { S("field", WORD, "prefer"), S("value", WORD, "fax") } }, RP_EFORMAT, "acct.set prefer fax" },
	{ { "contact.add", ACCOUNT, { S("name", LINE, "Eva"), S("prefer", WORD, "fax") } }, RP_EFORMAT, "contact.add prefer fax" },
	{ { "contact.add", ACCOUNT, { S("name", LINE, "Eva"), S("prefer", WORD, "sms") } }, 0, "contact.add prefer sms" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), { "amount", AMOUNT, "eur", 100 } } }, RP_EFORMAT, "currency eur" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), { "amount", AMOUNT, "EURO", 100 } } }, RP_EFORMAT, "currency EURO" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), { "amount", AMOUNT, "eUR", 100 } } }, RP_EFORMAT, "currency eUR" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), { "amount", AMOUNT, "CHF", -250 } } }, 0, "a negative amount (a refund)" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), N("amount", NOCENTS, 100) } }, RP_EFORMAT, "an amount without cents ('cent' instead)" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), N("amount", CURONLY, 0) } }, RP_EFORMAT, "an amount of a currency only" },
	{ { "ix.log", ACCOUNT, { S("type", WORD, "call"), N("at", INT, -1) } }, RP_EFORMAT, "ix.log at negative" },
	{ { "fu.add", ACCOUNT, { S("text", TEXT, "x"), N("due", INT, -1) } }, RP_EFORMAT, "fu.add due negative" },
	{ { "fu.add", ACCOUNT, { S("text", TEXT, "x"), N("due", INT, 0) } }, 0, "fu.add due 0" },
	{ { "fu.add", ACCOUNT, { S("text", TEXT, "x") } }, RP_EFORMAT, "fu.add without due" },
	{ { "fu.move", ACCOUNT, { N("fu", ID, 0), S("due", LINE, "tomorrow") } }, RP_EFORMAT, "fu.move due as a string" },
	{ { "acct.archive", ACCOUNT, { S("archived", WORD, "true") } }, RP_EFORMAT, "acct.archive archived as a string" },
	{ { "ix.retract", ACCOUNT, { N("ix", ID39, 0) } }, RP_EFORMAT, "ix.retract ix of 39 bytes" },
	{ { "ix.amend", ACCOUNT, { N("ix", ID, 0), S("field", WORD, "type"), S("value", WORD, "banana") } }, RP_EFORMAT, "ix.amend type banana" },
	{ { "ix.amend", ACCOUNT, { N("ix", ID, 0), S("field", WORD, "at"), N("value", INT, -5) } }, RP_EFORMAT, "ix.amend at negative" },
	{ { "acct.set", ACCOUNT, { S("field", WORD, "Bad Field"), S("value", LINE, "x") } }, RP_EFORMAT, "acct.set field 'Bad Field'" },
	{ { "acct.set", ACCOUNT, { S("field", WORD, "vat_id-2"), S("value", LINE, "DE1") } }, 0, "acct.set field vat_id-2" },
	{ { "acct.set", ACCOUNT, { S("field", WORD, "name"), N("value", NIL, 0) } }, RP_EFORMAT, "acct.set name nil" },
	{ { "acct.set", ACCOUNT, { S("field", WORD, "email"), N("value", NIL, 0) } }, 0, "acct.set email nil (cleared)" },
	{ { "acct.set", ACCOUNT, { S("field", WORD, "name"), S("value", LINE, "") } }, RP_EFORMAT, "acct.set name empty" },
	{ { "acct.create", FRESH, { S("name", LINE, "One"), S("name", LINE, "Two") } }, RP_EFORMAT, "a body key given twice" },
	{ { "acct.tag", ACCOUNT, { N("archived", BOOL, 1) } }, RP_EFORMAT, "acct.tag neither adding nor removing" },
	{ { "team.set", TEAM, { S("key", WORD, "colour"), N("value", BOOL, 1) } }, RP_EFORMAT, "team.set key colour" },
	{ { "member.add", TEAM, { S("name", WORD, "eve"), S("role", WORD, "king") } }, RP_EFORMAT, "member.add role king" },
	{ { "acct.set", TEAM, { S("field", WORD, "email"), S("value", LINE, "a@b") } }, RP_EFORMAT, "acct.set on the zero account" },
	{ { "ix.log", TEAM, { S("type", WORD, "note") } }, RP_EFORMAT, "ix.log on the zero account" },
	{ { "member.add", ACCOUNT, { S("name", WORD, "eve"), S("role", WORD, "rep") } }, RP_EFORMAT, "member.add on an account" },
	{ { "team.set", ACCOUNT, { S("key", WORD, "keep"), N("value", BOOL, 0) } }, RP_EFORMAT, "team.set on an account" },
	{ { "purge.receipt", ACCOUNT, { N("account", ACCT, 0) } }, RP_EFORMAT, "purge.receipt on an account" },
};

/* Faults this test found in node/store/schema.c (since fixed): each refused. */
static const struct { shape sh; const char *what; } faults[] = {
	{ { "ix.log", ACCOUNT, { S("type", WORD, "purchase"), N("amount", BIGCENTS, 0) } },
	  "an amount of 2^63 cents (beyond int64) is refused" },
	{ { "acct.tag", ACCOUNT, { N("add", NIL, 0) } }, "acct.tag with add nil (neither adds nor removes) is refused" },
	{ { "acct.create", FRESH, { S("name", LINE, "Keyed"), S("a\nb", LINE, "v") } }, "a body key holding a newline is refused" },
};


/* rp_schema_text_ok on its own: (text, multiline, want). */
static const struct { const char *s; int multiline, want; } texts[] = {
	{ "Grüße aus Köln", 0, 1 }, { "Καλημέρα", 0, 1 }, { "Здравствуйте", 0, 1 }, { "你好，世界", 0, 1 },
	{ "🦊 4 bytes", 0, 1 }, { "\xc2\xa0", 0, 1 }, { "\xed\x9f\xbf", 0, 1 }, { "\xee\x80\x80", 0, 1 },
	{ "\xf4\x8f\xbf\xbf", 0, 1 }, { "", 0, 1 },
	{ "ab\xc3(", 1, 0 }, { "\xc0\xaf", 1, 0 }, { "\xc1\xbf", 1, 0 }, { "\xe0\x9f\xbf", 1, 0 },
	{ "\xf0\x8f\xbf\xbf", 1, 0 }, { "\xed\xa0\x80", 1, 0 }, { "\xed\xbf\xbf", 1, 0 },
	{ "\xf4\x90\x80\x80", 1, 0 }, { "\xf5\x80\x80\x80", 1, 0 }, { "\x80", 1, 0 }, { "\xe2\x82", 1, 0 },
	{ "\xff", 1, 0 }, { "a\x1b[31mb", 1, 0 }, { "\xc2\x80", 1, 0 }, { "\xc2\x9b", 1, 0 },
	{ "\xc2\x9f", 1, 0 }, { "x\x7fy", 1, 0 }, { "a\x01", 1, 0 }, { "\r", 1, 0 }, { "\x1f", 1, 0 },
	{ "\n", 0, 0 }, { "\t", 0, 0 }, { "\n", 1, 1 }, { "\t", 1, 1 }, { "two\nlines\tand a tab", 1, 1 },
};

/* s for a TAP line: controls (and, unless s is valid, every non-ASCII
 * byte) as \\xNN, so the line stays one line of UTF-8. */
static void escape(const char *s, int valid, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 5 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !valid))
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = 0;
}

int main(void)
{
	static const char *const names[] = { "ann", "bob", "cy" }, *const roles[] = { "admin", "rep", "manager" };
	forged_op roster[8];
	rp_body_builder b;
	size_t nr;

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char shown[96];
		escape(texts[i].s, texts[i].want, shown, sizeof shown);
		is_int(rp_schema_text_ok(texts[i].s, strlen(texts[i].s), texts[i].multiline), texts[i].want,
		       "text_ok(\"%s\", multiline %d) %s", shown, texts[i].multiline,
		       texts[i].want ? "accepted" : "refused");
	}
	is_int(rp_schema_text_ok("a\0b", 3, 1), 0, "text_ok refuses NUL, even in free text");
	is_int(rp_schema_text_ok("\xe2\x82\xac", 2, 1), 0, "text_ok refuses a sequence cut by the length");

	forge_keys();
	nr = forge_roster(roster, 3, names, roles);
	snprintf(home, sizeof home, "/tmp/rapport-schema-XXXXXX");
	if (!mkdtemp(home) || rp_store_open(home, &st))
		abort();
	for (size_t i = 0; i < nr; i++) {
		MDB_txn *txn;
		uint64_t clock = 0;
		rp_store_begin(st, 1, &txn);
		if (rp_ingest(st, txn, roster[i].bytes, roster[i].len, 0, &dirty, &clock, 0) != 0)
			abort();
		mdb_txn_commit(txn);
		free(roster[i].bytes);
	}
	/* The account the account kinds name; the ids they name are of an op
	 * cy wrote but nobody received. */
	randombytes_buf(shared, sizeof shared);
	rp_body_init(&b);
	rp_body_put_str(&b, "type", "note");
	{
		forged_op unseen = forge_op(2, shared, "ix.log", RP_HLC_MAKE(4000, 0), &b);
		forge_opid(&unseen, target);
		free(unseen.bytes);
	}
	rp_body_init(&b);
	rp_body_put_str(&b, "name", "Blum");
	rp_body_put_str(&b, "owner", "ann");
	is_int(submit("acct.create", shared, &b), 0, "the shared account is created");

	each_kind();
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		is_int(try(&rules[i].sh, -1, NULL, NULL), rules[i].want, "%s %s", rules[i].what,
		       rules[i].want ? "refused" : "accepted");
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		is_int(try(&faults[i].sh, -1, NULL, NULL), RP_EFORMAT, "%s", faults[i].what);

	rp_store_close(&st);
	{
		static const char *const files[] = { "data.mdb", "lock.mdb", "device.key" };
		char p[128];
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "%s/%s", home, files[i]);
			unlink(p);
		}
		ok(rmdir(home) == 0, "the temp store is removed");
	}
	rp_dirty_free(&dirty);
	return done_testing();
}
