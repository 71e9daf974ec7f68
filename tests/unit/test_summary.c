/* tests/unit/test_summary.c — rp_summary, the typed account summary: what the
 * fold stores decodes to the figures it holds and lays out again to the very
 * bytes stored (list rows are built from it); every truncation and every key
 * of the wrong type is refused whole; out of memory anywhere in a decode, in
 * jansson's parse or in the summary's own allocation, is RP_ENOMEM and
 * nothing half made; the JSON laid out under failing allocations is all or
 * nothing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../../node/node.h"
#include "../../node/store/summary.h"
#include "../../node/store/view.h"
#include "../../proto/error.h"

#define DAY (86400000ULL)

/* A summary as the fold writes it (key order and all). */
static const char good[] =         /* UTF-8 as is: the fold does not escape it */
	"{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaa\",\"name\":\"Bakery Bl\xc3\xbcm\",\"owner\":\"ann\","
	"\"tags\":[\"retail\",\"vip\"],\"archived\":false,"
	"\"value\":[{\"cents\":140050,\"currency\":\"EUR\"},{\"cents\":-200,\"currency\":\"JPY\"}],"
	"\"stats\":{\"last_contact\":\"2026-03-09T00:00:00Z\",\"interactions\":7,\"purchases\":3,"
	"\"cadence_days\":14,\"open_complaints\":1,\"open_followups\":2,\"next_due\":\"2026-03-12T00:00:00Z\","
	"\"contact_every\":null,\"buys\":[],\"no_calls\":false,\"referred_by\":null,"
	"\"last_purchase\":\"2026-03-01T00:00:00Z\",\"contact_gap_ms\":345600000},"
	"\"followers\":[\"bob\"],\"owners_before\":[\"cy\",\"dee\"]}";

static char *dump(const rp_summary *s)
{
	json_t *j = rp_summary_json(s);
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return t;
}

static void test_good(void)
{
	rp_summary *s = NULL;
	char *t;
	is_int(rp_summary_decode(good, strlen(good), &s), 0, "a summary the fold writes decodes");
	if (!s)
		return;
	is_str(s->id, "aaaaaaaaaaaaaaaaaaaaaaaaaa", "its id");
	is_str(s->name, "Bakery Bl\xc3\xbcm", "its name, UTF-8");
	is_str(s->owner, "ann", "its owner");
	is_int(s->archived, 0, "not archived");
	is_int(s->ntags, 2, "two tags");
	ok(s->ntags == 2 && !strcmp(s->tags[0], "retail") && !strcmp(s->tags[1], "vip"), "retail, vip");
	ok(rp_summary_has(s->tags, s->ntags, "vip") && !rp_summary_has(s->tags, s->ntags, "VIP"),
	   "has: exact names only");
	ok(rp_summary_held_by(s, "ann") && rp_summary_held_by(s, "bob") && !rp_summary_held_by(s, "cy"),
	   "held by its owner and its follower, not by who owned it before");
	ok(s->nowners_before == 2 && !strcmp(s->owners_before[1], "dee"), "owners before, in order");
	is_int(s->nvalue, 2, "value in two currencies");
	ok(s->nvalue == 2 && s->value[0].cents == 140050 && !strcmp(s->value[0].currency, "EUR") &&
	   s->value[1].cents == -200 && !strcmp(s->value[1].currency, "JPY"), "each with its cents");
	ok(rp_summary_value_in(s, "EUR") == 140050 && rp_summary_value_in(s, "JPY") == -200 &&
	   rp_summary_value_in(s, "USD") == 0, "the value in one currency, never two added");
	is_str(s->last_contact.text, "2026-03-09T00:00:00Z", "last contact as stored");
	ok(s->last_contact.valid && s->last_contact.ms == 1773014400000ULL, "and as a time");
	ok(s->next_due.valid && s->next_due.ms == 1773273600000ULL, "next due as a time");
	ok(s->interactions == 7 && s->purchases == 3 && s->open_complaints == 1 && s->open_followups == 2,
	   "the counts");
	ok(s->has_cadence && s->cadence_days == 14, "the cadence");
	ok(s->last_purchase.valid && s->has_contact_gap && s->contact_gap_ms == 4 * (int64_t)DAY,
	   "the last purchase and the gap between visits");
	t = dump(s);
	is_str(t, good, "laid out again: the very bytes stored");
	free(t);
	rp_summary_free(&s);
	{
		json_t *doc = NULL;
		is_int(rp_summary_decode_doc(good, strlen(good), &s, &doc), 0, "decoded, keeping the document");
		t = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		is_str(t, good, "the document is the stored summary (a list row)");
		free(t);
		json_decref(doc);
		rp_summary_free(&s);
		doc = json_null();
		is_int(rp_summary_decode_doc(good, strlen(good) - 1, &s, &doc), RP_EIO, "a cut one is refused");
		ok(doc == NULL && s == NULL, "with no document and no summary");
	}
	ok(s == NULL, "free clears the pointer");
	rp_summary_free(&s);
	rp_summary_free(NULL);
	ok(s == NULL, "freeing it again, or NULL, is fine");
}

static void test_absent(void)
{
	static const char nulls[] =
		"{\"id\":\"b\",\"name\":null,\"owner\":null,\"stats\":{\"last_contact\":null,"
		"\"cadence_days\":null,\"next_due\":\"not a time\"}}";
	rp_summary *s = NULL;
	is_int(rp_summary_decode("{}", 2, &s), 0, "an empty object decodes (keys absent: a home from before them)");
	if (s) {
		ok(!s->name && !s->owner && !s->ntags && !s->nfollowers && !s->nowners_before && !s->nvalue &&
		   !s->archived && !s->last_contact.text && !s->last_contact.valid && !s->has_cadence &&
		   !s->interactions && !s->id[0], "as null, empty and zero");
		is_int(rp_summary_value_in(s, "EUR"), 0, "no value");
	}
	rp_summary_free(&s);
	is_int(rp_summary_decode(nulls, strlen(nulls), &s), 0, "nulls decode");
	if (s) {
		ok(!s->name && !s->owner, "a forgotten account: no name, no owner");
		ok(!s->has_cadence && !s->last_contact.text, "no cadence, never contacted");
		ok(s->next_due.text && !strcmp(s->next_due.text, "not a time") && !s->next_due.valid && s->next_due.ms == 0,
		   "a time that does not parse keeps its text and is no time");
	}
	rp_summary_free(&s);
}

static void test_saturate(void)
{
	static const char big[] =
		"{\"value\":[{\"cents\":9223372036854775807,\"currency\":\"EUR\"},"
		"{\"cents\":5,\"currency\":\"USD\"}]}";
	rp_summary *s = NULL;
	is_int(rp_summary_decode(big, strlen(big), &s), 0, "a huge value decodes");
	if (s)
		ok(rp_summary_value_in(s, "EUR") == INT64_MAX && rp_summary_value_in(s, "USD") == 5,
		   "and each currency's value stays its own");
	rp_summary_free(&s);
}

static void test_hostile(void)
{
	static const char *const bad[] = {
		"", "null", "[]", "\"x\"", "42", "{", "{\"name\":", "not json at all",
		"{\"id\":7}", "{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",          /* longer than an id */
		"{\"name\":5}", "{\"name\":[\"x\"]}", "{\"owner\":true}", "{\"name\":\"a\\u0000b\"}",
		"{\"tags\":\"retail\"}", "{\"tags\":[\"a\",1]}", "{\"tags\":[null]}", "{\"followers\":{}}",
		"{\"owners_before\":[[\"x\"]]}", "{\"archived\":\"yes\"}", "{\"archived\":1}",
		"{\"value\":{}}", "{\"value\":[1]}", "{\"value\":[{\"cents\":\"1\",\"currency\":\"EUR\"}]}",
		"{\"value\":[{\"cents\":1}]}", "{\"value\":[{\"cents\":1,\"currency\":\"EURO\"}]}",
		"{\"value\":[{\"cents\":1.5,\"currency\":\"EUR\"}]}",
		"{\"value\":[{\"cents\":1,\"currency\":\"E\\u0000R\"}]}",
		"{\"stats\":[]}", "{\"stats\":{\"interactions\":\"7\"}}", "{\"stats\":{\"cadence_days\":1.5}}",
		"{\"stats\":{\"last_contact\":7}}", "{\"stats\":{\"next_due\":{}}}",
		"{\"stats\":{\"open_followups\":true}}",
	};
	size_t i, n = strlen(good), refused = 0;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		rp_summary *s = (rp_summary *)&s;       /* not NULL: the decode must clear it */
		int rc = rp_summary_decode(bad[i], strlen(bad[i]), &s);
		ok(rc == RP_EIO && s == NULL, "refused whole: %s", bad[i]);
		if (rc == 0)
			rp_summary_free(&s);
	}
	/* Every cut of a good summary: refused, never read in part. */
	for (i = 0; i < n; i++) {
		rp_summary *s = NULL;
		int rc = rp_summary_decode(good, i, &s);
		refused += rc == RP_EIO && s == NULL;
		if (rc == 0)
			rp_summary_free(&s);
	}
	is_int(refused, n, "each of the %zu truncations is refused", n);
	/* bytes after the document, and bytes not NUL-terminated */
	{
		char *t = malloc(n + 8);
		rp_summary *s = NULL;
		memcpy(t, good, n);
		memcpy(t + n, "{}", 2);
		is_int(rp_summary_decode(t, n + 2, &s), RP_EIO, "trailing bytes: refused");
		rp_summary_free(&s);
		memcpy(t, good, n);
		memset(t + n, 'x', 8);
		is_int(rp_summary_decode(t, n, &s), 0, "the length bounds the read, not a NUL");
		rp_summary_free(&s);
		free(t);
	}
}

static void test_nomem(void)
{
	rp_summary *s;
	long n, nomem = 0, leaked = 0, total = 0;
	int rc = RP_ENOMEM;
	/* Fail each allocation of a decode in turn, jansson's and its own,
	 * until none is left to fail and the decode goes through. */
	for (n = 1; n < 10000 && rc == RP_ENOMEM; n++) {
		rp_summary_alloc_fail = n;
		s = (rp_summary *)&s;
		rc = rp_summary_decode(good, strlen(good), &s);
		if (rc == RP_ENOMEM)
			nomem++, leaked += s != NULL;
	}
	rp_summary_alloc_fail = 0;
	total = n - 1;
	ok(rc == 0 && s, "the decode goes through once its %ld allocations are all made", total - 1);
	is_int(nomem, total - 1, "each of them failing was RP_ENOMEM, never RP_EIO, never a summary");
	is_int(leaked, 0, "and none of those gave a summary back");
	ok(total > 10, "and there were some (%ld)", total - 1);

	/* the edge: all of the JSON or none of it */
	if (rc == 0 && s) {
		long whole = 0, none = 0;
		rp_view_watch_begin(0);
		json_decref(rp_summary_json(s));
		rp_view_watch_end(&total);
		for (n = 1; n <= total; n++) {
			json_t *j;
			rp_view_watch_begin(n);
			j = rp_summary_json(s);
			rp_view_watch_end(NULL);
			if (!j) {
				none++;
			} else {
				char *t = json_dumps(j, JSON_COMPACT);
				whole += t && !strcmp(t, good);
				free(t);
			}
			json_decref(j);
		}
		is_int(none + whole, total, "each of its %ld allocations failing: NULL or the whole document", total);
		ok(none > 0, "and failing them does fail it (%ld times)", none);
	}
	rp_summary_free(&s);
}

/* What the fold stores decodes and lays out to the same bytes. */
static void test_store(void)
{
	char home[64];
	rp_node *n = NULL;
	rp_write *w = NULL;
	uint8_t blum[RP_ACCOUNT_LEN], none[RP_ACCOUNT_LEN] = { 1 }, ref[RP_REF_LEN];
	uint64_t now = 1773100800000ULL;       /* 2026-03-10 */
	MDB_txn *txn;
	MDB_val v;
	rp_summary *s = NULL;
	int bad = 0;

	snprintf(home, sizeof home, "/tmp/rapport-summary-XXXXXX");
	if (!mkdtemp(home))
		return;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", now - 30 * DAY), 0, "a team starts");
	is_int(rp_node_open(home, &n), 0, "its node opens");
	rp_node_set_now(n, now);
	is_int(rp_write_begin(n, &w), 0, "begin a write");
	bad |= rp_account_add(w, "Bakery Blum", NULL, blum);
	bad |= rp_account_tag(w, blum, "retail", 0);
	{
		rp_ix_spec b1 = { .type = "purchase", .at_ms = now - 20 * DAY, .text = "oven",
		                  .has_amount = 1, .cents = 140050, .currency = "EUR" };
		rp_ix_spec b2 = { .type = "purchase", .at_ms = now - 6 * DAY, .text = "flour",
		                  .has_amount = 1, .cents = 2000, .currency = "CHF" };
		rp_ix_spec c1 = { .type = "complaint", .at_ms = now - DAY, .text = "late" };
		bad |= rp_ix_log(w, blum, &b1, ref);
		bad |= rp_ix_log(w, blum, &b2, ref);
		bad |= rp_ix_log(w, blum, &c1, ref);
	}
	bad |= rp_fu_add(w, blum, "call back", now + 2 * DAY, NULL, ref);
	is_int(bad, 0, "the writes succeed (%s)", rp_errmsg());
	is_int(rp_write_commit(&w), 0, "and commit");
	is_int(rp_node_read(n, &txn), 0, "a read txn");
	is_int(rp_store_get(txn, n->store->summaries, blum, RP_ACCOUNT_LEN, &v), 0, "the stored summary");
	is_int(rp_summary_load(n->store, txn, blum, &s), 0, "loads");
	if (s) {
		char *t = dump(s), id[RP_ACCOUNT_TEXT + 1];
		rp_b32_encode(blum, RP_ACCOUNT_LEN, id, sizeof id);
		is_str(s->id, id, "its id is the account's");
		is_str(s->name, "Bakery Blum", "its name");
		is_str(s->owner, "ann", "its owner");
		ok(s->ntags == 1 && !strcmp(s->tags[0], "retail"), "its tag");
		ok(s->interactions == 3 && s->purchases == 2 && s->open_complaints == 1 && s->open_followups == 1,
		   "its counts");
		ok(s->nvalue == 2 && !strcmp(s->value[0].currency, "CHF") && s->value[0].cents == 2000 &&
		   !strcmp(s->value[1].currency, "EUR") && s->value[1].cents == 140050, "its value, by currency");
		ok(s->has_cadence && s->cadence_days == 14, "its cadence: 14 days between purchases");
		ok(s->last_contact.valid && s->last_contact.ms == now - DAY, "its last contact");
		ok(s->next_due.valid && s->next_due.ms == now + 2 * DAY, "its next due");
		ok(t && strlen(t) == v.mv_size && !memcmp(t, v.mv_data, v.mv_size),
		   "laid out again: byte for byte what the fold stored");
		free(t);
	}
	rp_summary_free(&s);
	s = (rp_summary *)&s;
	is_int(rp_summary_load(n->store, txn, none, &s), RP_ENOTFOUND, "no such account: RP_ENOTFOUND");
	ok(s == NULL, "and nothing returned");
	rp_store_end(txn);
	rp_node_close(&n);
	rm_tree(home);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	test_good();
	test_absent();
	test_saturate();
	test_hostile();
	test_nomem();
	test_store();
	return done_testing();
}
