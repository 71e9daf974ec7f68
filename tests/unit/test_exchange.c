/* tests/unit/test_exchange.c — export and import, against real stores in
 * temporary homes: JSONL round-trips a team's accounts and history, CSV from
 * another CRM imports, a bad line anywhere changes nothing and is named,
 * exported CSV cannot run as a spreadsheet formula, vCards are well formed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../../node/node.h"
#include "../../node/store/store.h"

static char s_dir[] = "/tmp/rp-exchange-XXXXXX";
static uint64_t s_now;
static int s_homes;

static uint64_t at(const char *iso)
{
	uint64_t ms = 0;
	if (rp_when_parse_iso(iso, &ms))
		diag("bad time %s", iso);
	return ms;
}

/* A fresh home with a team of one (ann, admin), opened. */
static rp_node *new_node(void)
{
	char home[256];
	rp_node *n = NULL;
	snprintf(home, sizeof home, "%s/h%d", s_dir, ++s_homes);
	if (rp_init(home, "ann", "Acme", s_now) || rp_node_open(home, &n)) {
		diag("cannot set up %s: %s", home, rp_errmsg());
		exit(1);
	}
	rp_node_set_now(n, s_now);
	return n;
}

static char *export(rp_node *n, const char *format)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = rp_export(n, format, NULL, f);
	fclose(f);
	if (rc) {
		diag("export %s: %s", format, rp_errmsg());
		free(text);
		return NULL;
	}
	return text;
}

static const char *file_with(const char *name, const char *text)
{
	static char path[512];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", s_dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *digest(rp_node *n)
{
	static char hex[2][65];
	static int i;
	i ^= 1;
	if (rp_digest(n, NULL, hex[i]))
		return "(no digest)";
	return hex[i];
}

static long long count(const json_t *report, const char *key)
{
	return (long long)json_integer_value(json_object_get(report, key));
}

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* JSONL as an array, without what differs from store to store: ids, the
 * author devices, the op counts. */
static json_t *comparable(const char *jsonl)
{
	static const char *const lists[] = { "interactions", "followups", "contacts", NULL };
	json_t *all = json_array();
	const char *p = jsonl;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		json_t *doc = json_loadb(p, nl ? (size_t)(nl - p) : strlen(p), 0, NULL), *e;
		size_t i;
		if (!doc)
			break;
		json_object_del(doc, "id");
		json_object_del(doc, "ops");
		if (json_is_object(json_object_get(doc, "referred_by"))) {   /* the referrer by name */
			json_t *by = json_object_get(json_object_get(doc, "referred_by"), "name");
			json_object_set(json_object_get(doc, "fields"), "referred-by", by);
			json_object_set(json_object_get(doc, "stats"), "referred_by", by);
			json_object_del(json_object_get(doc, "referred_by"), "id");
		}
		for (int l = 0; lists[l]; l++)
			json_array_foreach(json_object_get(doc, lists[l]), i, e) {
				json_object_del(e, "id");
				json_object_del(e, "author_device");
			}
		json_array_append_new(all, doc);
		p = nl ? nl + 1 : NULL;
	}
	return all;
}

static uint8_t *find(rp_node *n, const char *name)
{
	static uint8_t acct[RP_ACCOUNT_LEN];
	return rp_account_find(n, name, acct) == 0 ? acct : NULL;
}

static json_t *show(rp_node *n, const char *name)
{
	json_t *doc = NULL;
	uint8_t *acct = find(n, name);
	if (!acct || rp_account_show(n, acct, &doc))
		return json_object();
	return doc;
}

static const char *field(json_t *doc, const char *key)
{
	return json_string_value(json_object_get(json_object_get(doc, "fields"), key));
}

/* Two accounts with everything an account can hold, and one with nothing. */
static void fill(rp_node *n)
{
	uint8_t blum[RP_ACCOUNT_LEN], evil[RP_ACCOUNT_LEN], bare[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	uint8_t complaint[RP_REF_LEN], fu_done[RP_REF_LEN];
	rp_write *w;
	int rc = rp_write_begin(n, &w);
	rp_ix_spec call = { .type = "call", .at_ms = at("2026-02-20T10:00:00Z"), .text = "intro call",
	                    .contact = "Eva Blum", .outcome = "interested" };
	rp_ix_spec buy = { .type = "purchase", .at_ms = at("2026-02-22T15:30:00Z"), .text = "first order",
	                   .has_amount = 1, .cents = 42050, .currency = "EUR" };
	rp_ix_spec buy2 = { .type = "purchase", .at_ms = at("2026-02-25T08:00:00Z"), .text = "samples, \"fast\"",
	                    .has_amount = 1, .cents = 1200, .currency = "USD" };
	rp_ix_spec bad = { .type = "complaint", .at_ms = at("2026-02-26T08:00:00Z"), .text = "late delivery" };
	rp_ix_spec bad2 = { .type = "complaint", .at_ms = at("2026-02-27T08:00:00Z"), .text = "wrong colour" };
	rp_ix_spec note = { .type = "note", .at_ms = at("2026-02-28T08:00:00Z"), .text = "=1+1 is not a formula" };

	rc = rc ? rc : rp_account_add(w, "Blum GmbH", NULL, blum);
	rc = rc ? rc : rp_account_set(w, blum, "email", "info@blum.example");
	rc = rc ? rc : rp_account_set(w, blum, "phone", "+49 30 1234567");
	rc = rc ? rc : rp_account_set(w, blum, "prefer", "visit");
	rc = rc ? rc : rp_account_set(w, blum, "address", "Hauptstr. 1\n10115 Berlin");
	rc = rc ? rc : rp_account_set(w, blum, "notes", "bakery; three shops, one café");
	rc = rc ? rc : rp_account_set(w, blum, "industry", "food");
	rc = rc ? rc : rp_account_tag(w, blum, "retail", 0);
	rc = rc ? rc : rp_account_tag(w, blum, "vip", 0);
	rc = rc ? rc : rp_contact_add(w, blum, "Eva Blum", "buyer", "eva@blum.example", "+49 170 1", "call", ref);
	rc = rc ? rc : rp_contact_add(w, blum, "Max Blum", NULL, NULL, NULL, NULL, ref);
	rc = rc ? rc : rp_ix_log(w, blum, &call, ref);
	rc = rc ? rc : rp_ix_log(w, blum, &buy, ref);
	rc = rc ? rc : rp_ix_log(w, blum, &buy2, ref);
	rc = rc ? rc : rp_ix_log(w, blum, &bad, complaint);
	rc = rc ? rc : rp_ix_log(w, blum, &bad2, ref);
	rc = rc ? rc : rp_fu_add(w, blum, "send the catalogue", at("2026-03-03T09:00:00Z"), NULL, fu_done);
	rc = rc ? rc : rp_fu_add(w, blum, "call Eva about Easter", at("2026-03-10T09:00:00Z"), "ann", ref);
	rc = rc ? rc : rp_account_add(w, "=Evil Corp", NULL, evil);
	rc = rc ? rc : rp_account_set(w, evil, "notes", "=HYPERLINK(\"http://x\",\"click\")");
	rc = rc ? rc : rp_account_set(w, evil, "website", "https://evil.example");
	rc = rc ? rc : rp_account_set(w, evil, "region", "@north");
	rc = rc ? rc : rp_account_tag(w, evil, "prospect", 0);
	rc = rc ? rc : rp_ix_log(w, evil, &note, ref);
	rc = rc ? rc : rp_account_add(w, "acme tools", NULL, bare);
	rc = rc ? rc : rp_write_commit(&w);
	/* done and resolved look at the stored views: a second write */
	rc = rc ? rc : rp_write_begin(n, &w);
	rc = rc ? rc : rp_complaint_resolve(w, complaint, "replaced the order");
	rc = rc ? rc : rp_fu_done(w, fu_done, "sent by post");
	/* exported in name order, the account referred comes after its referrer */
	rc = rc ? rc : rp_account_set(w, bare, "referred-by", "Blum GmbH");
	rc = rc ? rc : rp_write_commit(&w);
	if (rc) {
		diag("fill: %s", rp_errmsg());
		rp_write_abort(&w);
	}
	ok(rc == 0, "a store with accounts, contacts, interactions and follow-ups");
}

static void test_jsonl_round_trip(void)
{
	rp_node *a = new_node(), *b = new_node();
	json_t *report = NULL, *ja, *jb;
	char *text, *again;
	const char *path;
	char before[65];
	int rc;

	fill(a);
	text = export(a, "jsonl");
	ok(text && has(text, "\"name\":\"=Evil Corp\""), "export jsonl writes every account");
	ok(text && strchr(text, '\n') && !has(text, "\n\n"), "one compact line per account");
	ok(text && strstr(text, "acme tools") < strstr(text, "Blum GmbH"), "accounts in name order, ignoring case");
	path = file_with("a.jsonl", text ? text : "");
	rc = rp_import(b, path, NULL, &report);
	if (rc)
		diag("import: %s", rp_errmsg());
	ok(rc == 0, "import jsonl into a fresh home");
	is_int(count(report, "accounts"), 3, "report: 3 accounts");
	is_int(count(report, "interactions"), 6, "report: 6 interactions");
	is_int(count(report, "followups"), 2, "report: 2 follow-ups");
	is_int(count(report, "contacts"), 2, "report: 2 contacts");
	is_int(count(report, "updated"), 0, "report: nothing updated");
	json_decref(report);

	again = export(b, "jsonl");
	ja = comparable(text);
	jb = comparable(again);
	ok(json_array_size(ja) == 3 && json_equal(ja, jb),
	   "export → import → export: the same accounts, fields, tags, interactions, follow-ups");
	if (!json_equal(ja, jb)) {
		char *x = json_dumps(ja, JSON_COMPACT), *y = json_dumps(jb, JSON_COMPACT);
		diag("before: %s", x);
		diag("after:  %s", y);
		free(x);
		free(y);
	}
	json_decref(ja);
	json_decref(jb);
	{
		json_t *bare = show(b, "acme tools");
		const char *by = json_string_value(json_object_get(json_object_get(bare, "referred_by"), "name"));
		ok(by && !strcmp(by, "Blum GmbH"), "a referral to an account later in the file arrives (by its new id)");
		json_decref(bare);
	}

	/* The same file again: the accounts exist, so they are updated, and
	 * nothing they already hold is added twice. */
	snprintf(before, sizeof before, "%s", digest(b));
	report = NULL;
	rc = rp_import(b, path, NULL, &report);
	ok(rc == 0, "importing the same file twice is fine");
	is_int(count(report, "updated"), 3, "the second time it updates the 3 accounts");
	is_int(count(report, "interactions") + count(report, "followups") + count(report, "contacts"), 0,
	       "and adds no history twice");
	is_str(digest(b), before, "the store is as it was");
	json_decref(report);

	free(text);
	free(again);
	rp_node_close(&a);
	rp_node_close(&b);
}

static void test_jsonl_details(void)
{
	rp_node *n = new_node();
	json_t *report = NULL, *doc;
	const char *path;
	int rc;

	/* An owner who is not in this team: the importer's member owns it. Retracted
	 * and cancelled entries are not carried; unknown keys are ignored. */
	path = file_with("details.jsonl",
		"\xEF\xBB\xBF{\"name\":\"Kiosk Nord\",\"owner\":\"zoe\",\"fields\":{\"email\":null,\"size\":\"small\"},"
		"\"tags\":[],\"previous_owners\":[{\"member\":\"x\"}],\"stats\":{},"
		"\"interactions\":[{\"type\":\"call\",\"at\":\"2026-01-05T10:00:00Z\",\"text\":\"hello\",\"retracted\":true},"
		"{\"type\":\"visit\",\"at\":\"2026-01-06T10:00:00+01:00\",\"text\":\"met\",\"amount\":null,\"retracted\":false}],"
		"\"followups\":[{\"text\":\"gone\",\"due\":\"2026-01-07T10:00:00Z\",\"cancelled\":true},"
		"{\"text\":\"kept\",\"due\":null,\"assignee\":\"zoe\"}]}\r\n"
		"\n   \n");
	rc = rp_import(n, path, NULL, &report);
	if (rc)
		diag("import: %s", rp_errmsg());
	ok(rc == 0, "jsonl with a BOM, CRLF, blank lines, nulls and unknown keys imports");
	is_int(count(report, "interactions"), 1, "a retracted interaction is not imported");
	is_int(count(report, "followups"), 1, "a cancelled follow-up is not imported");
	doc = show(n, "Kiosk Nord");
	is_str(json_string_value(json_object_get(doc, "owner")), "ann", "an owner not in the team becomes the importer");
	is_str(field(doc, "size"), "small", "a custom field is kept");
	ok(!field(doc, "email"), "a null field is not set");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(doc, "interactions"), 0), "at")),
	       "2026-01-06T09:00:00Z", "times with an offset are read as the instant they name");
	json_decref(doc);
	json_decref(report);
	rp_node_close(&n);
}

static char s_msg[600];      /* the last refusal's message */

/* A bad file: the call fails, the message names the line, nothing changes. */
static void refused(rp_node *n, const char *name, const char *text, const char *want, const char *what)
{
	char before[65];
	json_t *report = NULL;
	int rc;
	snprintf(before, sizeof before, "%s", digest(n));
	rc = rp_import(n, file_with(name, text), NULL, &report);
	snprintf(s_msg, sizeof s_msg, "%s", rp_errmsg());
	ok(rc == RP_EINVAL && has(s_msg, want) && has(s_msg, name), "%s: refused naming '%s'", what, want);
	if (rc != RP_EINVAL || !has(s_msg, want))
		diag("rc %d, message: %s", rc, s_msg);
	ok(report == NULL && !strcmp(digest(n), before), "%s: the store is unchanged", what);
	json_decref(report);
}

static void test_bad_input(void)
{
	rp_node *n = new_node();
	uint8_t acct[RP_ACCOUNT_LEN];
	fill(n);

	refused(n, "quote.csv", "name,notes\r\nAlpha,x\r\nBeta,y\r\nGamma,\"open\r\nmore\r\n",
	        ":4:", "an unterminated quote on line 4");
	refused(n, "email.csv", "name,email\nAlpha,a@alpha.example\nBeta,not an email\nGamma,g@g.example\n",
	        ":3:", "a bad email on line 3");
	ok(rp_account_find(n, "Alpha", acct) == RP_ENOTFOUND, "the good line before it was not imported");
	refused(n, "cells.csv", "name,email\nAlpha,a@alpha.example,extra\n", ":2:", "too many cells");
	refused(n, "noname.csv", "Email,Phone\na@b.example,1\n", "Email,Phone", "no name column");
	refused(n, "empty-name.csv", "Company,Phone\nAlpha,1\n ,2\n", ":3:", "an empty name");
	refused(n, "dup.csv", "name\nAlpha Beta\nGamma\nalpha beta\n", ":4:", "a name twice");
	ok(has(s_msg, "line 2"), "the duplicate's message names the first line too");
	refused(n, "dupcol.csv", "name,Email,email\nA,a@b.example,c@d.example\n", "both set", "two email columns");
	refused(n, "syntax.jsonl", "{\"name\":\"Alpha\"}\n{\"name\":\"Beta\",}\n", ":2:", "invalid JSON on line 2");
	refused(n, "noname.jsonl", "{\"name\":\"Alpha\"}\n\n[1,2]\n", ":3:", "a line that is not an object");
	refused(n, "types.jsonl", "{\"name\":\"Alpha\",\"interactions\":{}}\n", "interactions", "interactions not an array");
	refused(n, "at.jsonl", "{\"name\":\"Alpha\",\"interactions\":[{\"type\":\"call\",\"text\":\"x\","
	        "\"at\":\"2026-02-30T10:00:00Z\"}]}\n", "interactions[0].at", "an impossible date");
	refused(n, "amount.jsonl", "{\"name\":\"Alpha\",\"interactions\":[{\"type\":\"purchase\",\"text\":\"x\","
	        "\"amount\":{\"cents\":\"12\"}}]}\n", "amount", "an amount that is not cents");
	refused(n, "field.jsonl", "{\"name\":\"Alpha\",\"fields\":{\"Bad Key\":\"x\"}}\n", "Bad Key", "a bad field name");
	refused(n, "type.jsonl", "{\"name\":\"Alpha\"}\n{\"name\":\"Beta\",\"interactions\":[{\"type\":\"dance\","
	        "\"text\":\"x\"}]}\n", ":2: interactions[0]", "an unknown interaction type (found while writing)");
	refused(n, "email.jsonl", "{\"name\":\"Alpha\"}\n{\"name\":\"Beta\",\"fields\":{\"email\":\"nope\"}}\n",
	        ":2:", "a bad email in jsonl");
	refused(n, "prefer.csv", "name,prefer\nAlpha,email\nBeta,pigeon\n", ":3:", "a bad preference");
	refused(n, "array.json", "[{\"name\":\"Alpha\"}]\n", "JSONL", "a JSON array");
	ok(rp_import(n, file_with("none.csv", ""), NULL, NULL) == 0, "an empty file imports nothing");
	ok(rp_import(n, file_with("header.csv", "name,email\r\n"), NULL, NULL) == 0, "a header alone imports nothing");
	ok(rp_import(n, "/nonexistent/x.csv", NULL, NULL) < 0 && has(rp_errmsg(), "/nonexistent/x.csv"),
	   "a missing file is named");
	rp_node_close(&n);
}

static void test_csv_import(void)
{
	rp_node *n = new_node();
	json_t *report = NULL, *doc, *tags;
	int rc;

	/* Another CRM's export: its own column names and order. */
	rc = rp_import(n, file_with("crm.csv",
		"Company,E-mail,Telephone,Labels,Industry,Annual Revenue (€),Name\r\n"
		"Zeta AG,info@zeta.example,+41 44 123 45 67,\"retail; Key Account\",Bakery,1200000,Anna Zeta\r\n"
		"\"Omega, Inc.\",,,,,,\r\n"), NULL, &report);
	if (rc)
		diag("import: %s", rp_errmsg());
	ok(rc == 0, "a CSV in another CRM's column order imports");
	is_int(count(report, "accounts"), 2, "two accounts");
	doc = show(n, "Zeta AG");
	is_str(field(doc, "email"), "info@zeta.example", "E-mail is the email");
	is_str(field(doc, "phone"), "+41 44 123 45 67", "Telephone is the phone");
	is_str(field(doc, "industry"), "Bakery", "an unknown column is a custom field");
	is_str(field(doc, "annual_revenue"), "1200000", "its key is the header, lower case, a-z 0-9 _");
	is_str(field(doc, "contact_name"), "Anna Zeta", "'Name' beside 'Company' is a person's name");
	tags = json_object_get(doc, "tags");
	ok(json_array_size(tags) == 2 && !strcmp(json_string_value(json_array_get(tags, 0)), "Key-Account") &&
	   !strcmp(json_string_value(json_array_get(tags, 1)), "retail"), "Labels are tags, split on ';'");
	json_decref(doc);
	ok(find(n, "Omega, Inc.") != NULL, "a quoted name with a comma");
	json_decref(report);

	/* An account already here is updated, found by its name in any case. */
	report = NULL;
	rc = rp_import(n, file_with("update.csv", "name,website,tags\nzeta ag,https://zeta.example,vip\n"), NULL, &report);
	ok(rc == 0 && count(report, "updated") == 1 && count(report, "accounts") == 1, "an existing name updates the account");
	doc = show(n, "Zeta AG");
	is_str(field(doc, "website"), "https://zeta.example", "its field is set");
	is_int(json_array_size(json_object_get(doc, "tags")), 3, "its tag is added");
	is_str(field(doc, "email"), "info@zeta.example", "what the file does not say stays");
	json_decref(doc);
	json_decref(report);
	rp_node_close(&n);
}

static void test_csv_export(void)
{
	rp_node *a = new_node(), *b = new_node();
	json_t *doc, *report = NULL;
	char *csv;
	int rc;

	fill(a);
	csv = export(a, "csv");
	ok(csv && !strncmp(csv, "id,name,owner,email,phone,prefer,website,address,tags,value,last_contact,"
	                        "interactions,open_followups,notes,industry,referred-by,region\r\n", 124),
	   "the header: the fixed columns, then the custom fields sorted");
	ok(has(csv, "'=HYPERLINK") && !has(csv, ",=HYPERLINK") && !has(csv, "\"=HYPERLINK"),
	   "a cell starting with = is neutralised");
	ok(has(csv, "'=Evil Corp") && has(csv, "'@north"), "names and custom fields too");
	ok(has(csv, "420.50 EUR;12.00 USD"), "value per currency");
	ok(has(csv, "retail;vip"), "tags joined by ';'");
	ok(has(csv, "\"Hauptstr. 1\n10115 Berlin\""), "a multi-line address is quoted");

	rc = rp_import(b, file_with("back.csv", csv ? csv : ""), NULL, &report);
	if (rc)
		diag("import: %s", rp_errmsg());
	ok(rc == 0 && count(report, "accounts") == 3, "our own CSV imports back");
	doc = show(b, "=Evil Corp");
	is_str(field(doc, "notes"), "=HYPERLINK(\"http://x\",\"click\")", "the neutralised cell reads back as it was");
	is_str(field(doc, "region"), "@north", "custom fields read back");
	json_decref(doc);
	doc = show(b, "Blum GmbH");
	is_str(field(doc, "address"), "Hauptstr. 1\n10115 Berlin", "a multi-line cell reads back");
	is_str(field(doc, "prefer"), "visit", "prefer reads back");
	is_str(field(doc, "phone"), "+49 30 1234567", "a phone the export neutralised ('+49...) reads back");
	is_int(json_array_size(json_object_get(doc, "interactions")), 0, "derived columns are not imported");
	json_decref(doc);
	json_decref(report);
	free(csv);
	rp_node_close(&a);
	rp_node_close(&b);
}

static void test_vcard_export(void)
{
	rp_node *n = new_node();
	char *v;
	fill(n);
	v = export(n, "vcard");
	ok(has(v, "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\n") && has(v, "END:VCARD\r\n"),
	   "vcard export has BEGIN:VCARD, VERSION:4.0 and END:VCARD");
	ok(has(v, "FN:Blum GmbH\r\n") && has(v, "FN:acme tools\r\n"), "an ORG card per account with FN");
	ok(has(v, "KIND:individual\r\n") && has(v, "FN:Eva Blum\r\n") && has(v, "ORG:Blum GmbH\r\n"),
	   "a card per contact person, with ORG");
	ok(has(v, "CATEGORIES:retail,vip\r\n"), "tags as CATEGORIES");
	ok(has(v, "ADR:;;Hauptstr. 1\\n10115 Berlin;;;;\r\n"), "the address as ADR, escaped");
	ok(has(v, "NOTE:bakery\\; three shops\\, one café\r\n"), "text values escaped");
	ok(has(v, "UID:urn:rapport:"), "UIDs name the rapport ids");
	{
		int begins = 0, ends = 0;
		for (const char *p = v; p && (p = strstr(p, "BEGIN:VCARD")); p++)
			begins++;
		for (const char *p = v; p && (p = strstr(p, "END:VCARD")); p++)
			ends++;
		ok(begins == 5 && ends == 5, "3 accounts and 2 contacts: 5 cards");
	}
	free(v);
	ok(rp_export(n, "xml", NULL, stdout) == RP_EINVAL && has(rp_errmsg(), "unknown format 'xml'"),
	   "an unknown format is refused");
	rp_node_close(&n);
}

/* A map that must grow while the import writes: the write is replayed into a
 * bigger map, and completing follow-ups still finds them. */
static void test_map_grows(void)
{
	size_t saved = rp_store_map_initial;
	rp_node *n;
	json_t *report = NULL;
	char *text = malloc(1 << 22);
	size_t len = 0;
	int rc;

	rp_store_map_initial = 256 * 1024;
	n = new_node();
	for (int a = 0; a < 60; a++) {
		len += (size_t)sprintf(text + len, "{\"name\":\"Shop %02d\",\"interactions\":[", a);
		for (int i = 0; i < 20; i++)
			len += (size_t)sprintf(text + len, "%s{\"type\":\"%s\",\"at\":\"2026-01-%02dT10:00:00Z\","
			                       "\"text\":\"visit %d with a longer text to fill the map\",\"resolved\":true}",
			                       i ? "," : "", i % 2 ? "complaint" : "visit", 1 + i, i);
		len += (size_t)sprintf(text + len, "],\"followups\":[");
		for (int i = 0; i < 10; i++)
			len += (size_t)sprintf(text + len, "%s{\"text\":\"task %d\",\"due\":\"2026-02-%02dT10:00:00Z\","
			                       "\"done\":true,\"done_text\":\"done %d\"}", i ? "," : "", i, 1 + i, i);
		len += (size_t)sprintf(text + len, "]}\n");
	}
	rc = rp_import(n, file_with("grow.jsonl", text), NULL, &report);
	if (rc)
		diag("import: %s", rp_errmsg());
	ok(rc == 0 && count(report, "interactions") == 1200 && count(report, "followups") == 600,
	   "an import that outgrows the map commits whole");
	{
		json_t *doc = show(n, "Shop 07"), *e;
		size_t i;
		int done = 0, resolved = 0;
		json_array_foreach(json_object_get(doc, "followups"), i, e)
			done += json_is_true(json_object_get(e, "done"));
		json_array_foreach(json_object_get(doc, "interactions"), i, e)
			resolved += json_is_true(json_object_get(e, "resolved"));
		ok(done == 10 && resolved == 10, "its follow-ups are done and its complaints resolved");
		json_decref(doc);
	}
	json_decref(report);
	free(text);
	rp_node_close(&n);
	rp_store_map_initial = saved;
}

/* A JSONL file streamed (a line at a time, twice; written in chunks): the
 * same accounts as read whole; a bad last line writes nothing; a dry run
 * writes nothing; the same file again adds nothing. */
/* How many accounts the log creates, if their ids ascend in the order
 * they were written; else 0. */
static int s_prev_ok;
static uint8_t s_prev[RP_ACCOUNT_LEN];
static int s_creates;
static int s_create_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	rp_op op;
	(void)arg;
	(void)k;
	if (rp_op_decode(v->mv_data, v->mv_size, &op) || strcmp(op.kind, "acct.create"))
		return 0;
	if (++s_creates > 1 && memcmp(s_prev, op.account, RP_ACCOUNT_LEN) >= 0)
		s_prev_ok = 0;
	memcpy(s_prev, op.account, RP_ACCOUNT_LEN);
	return 0;
}

static int creates_ascend(rp_node *n)
{
	MDB_txn *txn;
	s_prev_ok = 1;
	s_creates = 0;
	if (rp_store_begin(n->store, 0, &txn))
		return 0;
	rp_store_scan(txn, n->store->ops, NULL, 0, s_create_one, NULL);
	mdb_txn_abort(txn);
	return s_prev_ok ? s_creates : 0;
}

static void test_streamed(void)
{
	size_t saved_min = rp_import_stream_min, saved_chunk = rp_import_chunk;
	rp_import_opts dry = { .dry_run = 1 };
	rp_node *n;
	json_t *report = NULL, *doc;
	char *text = malloc(1 << 20), *bad, *path, *badpath;
	size_t len = 0;
	int rc;

	rp_import_stream_min = 1;
	rp_import_chunk = 16 * 1024;             /* many chunks */
	n = new_node();
	for (int a = 0; a < 300; a++) {
		/* referrals: forward and back across chunks, and to a referrer */
		int by = a == 10 ? 250 : a == 251 ? 5 : a == 100 ? 101 : a == 101 ? 102 : -1;
		char refer[64] = "";
		if (by >= 0)
			snprintf(refer, sizeof refer, ",\"referred-by\":\"stream %03d\"", by);
		len += (size_t)sprintf(text + len, "{\"name\":\"Stream %03d\",\"fields\":{\"email\":\"s%d@example.com\"%s},"
		                       "\"interactions\":[", a, a, refer);
		for (int i = 0; i < 5; i++)
			len += (size_t)sprintf(text + len, "%s{\"type\":\"call\",\"at\":\"2026-01-%02dT10:00:00Z\","
			                       "\"text\":\"call %d\"}", i ? "," : "", 1 + i, i);
		len += (size_t)sprintf(text + len, "]}\n");
	}
	path = strdup(file_with("stream.jsonl", text));
	bad = malloc(len + 64);
	memcpy(bad, text, len);
	strcpy(bad + len, "{\"name\": 7}\n");
	badpath = strdup(file_with("stream-bad.jsonl", bad));

	rc = rp_import(n, badpath, NULL, &report);
	ok(rc == RP_EINVAL && has(rp_errmsg(), "stream-bad.jsonl:301:"), "a bad last line of a streamed file is named");
	ok(find(n, "Stream 000") == NULL, "... and nothing of the file was written");
	json_decref(report);
	report = NULL;
	ok(rp_import(n, path, &dry, &report) == 0 && count(report, "accounts") == 300 &&
	   count(report, "interactions") == 1500 && find(n, "Stream 000") == NULL,
	   "a streamed dry run counts 300 accounts and 1,500 interactions and writes nothing");
	json_decref(report);
	report = NULL;
	rc = rp_import(n, path, NULL, &report);
	if (rc)
		diag("import: %s", rp_errmsg());
	ok(rc == 0 && count(report, "accounts") == 300 && count(report, "created") == 300 &&
	   count(report, "interactions") == 1500, "a streamed import writes 300 accounts in chunks");
	doc = show(n, "Stream 299");
	ok(doc && json_array_size(json_object_get(doc, "interactions")) == 5 &&
	   !strcmp(field(doc, "email"), "s299@example.com"), "the last account arrived whole");
	json_decref(doc);
	{
		static const int pairs[][2] = { { 10, 250 }, { 251, 5 }, { 100, 101 }, { 101, 102 } };
		int good = 0;
		for (int i = 0; i < 4; i++) {
			char name[32], want[32];
			const char *by;
			snprintf(name, sizeof name, "Stream %03d", pairs[i][0]);
			snprintf(want, sizeof want, "Stream %03d", pairs[i][1]);
			doc = show(n, name);
			by = json_string_value(json_object_get(json_object_get(doc, "referred_by"), "name"));
			if (by && !strcmp(by, want))
				good++;
			else
				diag("%s: referred by %s, not %s", name, by ? by : "nobody", want);
			json_decref(doc);
		}
		ok(good == 4, "referrals in a streamed file arrive, forward, back, and to an account that refers too");
	}
	ok(creates_ascend(n) == 300, "the accounts were written in id order (the chunks append to the account tables)");
	{
		MDB_txn *txn;
		size_t nrefs = 0, due = 1;
		if (rp_store_begin(n->store, 0, &txn) == 0) {
			nrefs = rp_store_count(txn, n->store->refs);
			due = rp_store_count(txn, n->store->refq);
			mdb_txn_abort(txn);
		}
		ok(nrefs == 1500 && due == 0, "its 1,500 interaction ids are indexed once it is done, none left due");
	}
	json_decref(report);
	report = NULL;
	ok(rp_import(n, path, NULL, &report) == 0 && count(report, "updated") == 300 &&
	   count(report, "interactions") == 0, "the same file again adds nothing");
	json_decref(report);
	free(text);
	free(bad);
	free(path);
	free(badpath);
	rp_node_close(&n);
	rp_import_stream_min = saved_min;
	rp_import_chunk = saved_chunk;
}

int main(void)
{
	char cmd[128];
	setenv("TZ", "Europe/Berlin", 1);
	if (!mkdtemp(s_dir)) {
		perror("mkdtemp");
		return 1;
	}
	s_now = at("2026-03-01T09:00:00Z");
	test_jsonl_round_trip();
	test_jsonl_details();
	test_bad_input();
	test_csv_import();
	test_csv_export();
	test_vcard_export();
	test_map_grows();
	test_streamed();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
	if (system(cmd) != 0)
		diag("could not remove %s", s_dir);
	return done_testing();
}
