/* tests/unit/test_insight.c — the sales reads a rep relies on: the agenda puts
 * overdue promises first, then today's, then the calls worth making; top,
 * at-risk, find and complaints answer from a real store built through the
 * public write API, with the clock pinned. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../../node/rapport.h"

#define DAY (86400000ULL)

static uint64_t now;
static char home[64];

static const char *row_str(const json_t *rows, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(rows, i), key));
}

static long long row_int(const json_t *rows, size_t i, const char *key)
{
	return json_integer_value(json_object_get(json_array_get(rows, i), key));
}

/* Log one interaction days_ago days before now. */
static int ix(rp_write *w, const uint8_t a[RP_ACCOUNT_LEN], const char *type, double days_ago,
              const char *text, int64_t cents, uint8_t ref[RP_REF_LEN])
{
	uint8_t tmp[RP_REF_LEN];
	rp_ix_spec s = { .type = type, .at_ms = now - (uint64_t)(days_ago * DAY), .text = text,
	                 .has_amount = cents != 0, .cents = cents, .currency = "EUR" };
	return rp_ix_log(w, a, &s, ref ? ref : tmp);
}

/* Is name the account of some row of rows? */
static int has_account(const json_t *rows, const char *key, const char *name)
{
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (row_str(rows, i, key) && !strcmp(row_str(rows, i, key), name))
			return 1;
	return 0;
}

int main(void)
{
	rp_node *n = NULL;
	rp_write *w = NULL;
	uint8_t blum[RP_ACCOUNT_LEN], steady[RP_ACCOUNT_LEN], corner[RP_ACCOUNT_LEN],
	        delta[RP_ACCOUNT_LEN], echo[RP_ACCOUNT_LEN], fox[RP_ACCOUNT_LEN],
	        gamma[RP_ACCOUNT_LEN];
	uint8_t ref[RP_REF_LEN], late_c[RP_REF_LEN], done_fu[RP_REF_LEN], contact[RP_REF_LEN],
	        broken_c[RP_REF_LEN];
	char t[RP_REF_TEXT + 1];
	json_t *rows = NULL, *again = NULL;
	int bad = 0;

	setenv("TZ", "UTC", 1);
	if (rp_when_parse_iso("2026-03-16T12:00:00Z", &now))      /* a Monday: calls are suggested */
		return 1;
	snprintf(home, sizeof home, "/tmp/rapport-insight-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", now - 400 * DAY), 0, "init a team");
	is_int(rp_node_open(home, &n), 0, "open the node");
	rp_node_set_now(n, now);

	/* Empty store: every list is empty, not an error. */
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 3, .days = 1 }, &rows), 0, "agenda of an empty store");
	is_int(json_array_size(rows), 0, "has no rows");
	json_decref(rows);

	is_int(rp_write_begin(n, &w), 0, "begin a write");
	/* Blum: a good customer buying every 30 days, silent for 90. */
	bad |= rp_account_add(w, "Blum Bakery", NULL, blum);
	bad |= rp_account_set(w, blum, "phone", "+33 1 23 45 67 89");
	bad |= rp_account_set(w, blum, "prefer", "call");
	bad |= ix(w, blum, "purchase", 150, "first order", 140050, NULL);
	bad |= ix(w, blum, "purchase", 120, "ordered 200 croissants", 140000, NULL);
	bad |= ix(w, blum, "purchase", 90, "usual order", 140000, NULL);
	/* Steady: buys every 30 days, last time 10 days ago. */
	bad |= rp_account_add(w, "Steady Shop", NULL, steady);
	bad |= ix(w, steady, "purchase", 70, "order", 10000, NULL);
	bad |= ix(w, steady, "purchase", 40, "order", 10000, NULL);
	bad |= ix(w, steady, "purchase", 10, "order", 10000, NULL);
	/* Corner: promises overdue, due today, due tomorrow; two complaints. */
	bad |= rp_account_add(w, "Corner Cafe", NULL, corner);
	bad |= rp_fu_add(w, corner, "send the new price list", now - 3 * DAY, NULL, ref);
	bad |= rp_fu_add(w, corner, "confirm the delivery slot", now + 2 * 3600000ULL, NULL, ref);
	bad |= rp_fu_add(w, corner, "visit with samples", now + DAY, NULL, ref);
	bad |= ix(w, corner, "complaint", 5, "late delivery again", 0, late_c);
	bad |= ix(w, corner, "complaint", 2, "broken box", 0, broken_c);
	/* Delta: due this morning, and one already done. */
	bad |= rp_account_add(w, "Delta Diner", NULL, delta);
	bad |= rp_fu_add(w, delta, "call about the menu", now - 4 * 3600000ULL, NULL, ref);
	bad |= rp_fu_add(w, delta, "old promise", now - 5 * DAY, NULL, done_fu);
	/* Echo: never contacted, no value; a tag and a field to find. */
	bad |= rp_account_add(w, "Echo Ltd", NULL, echo);
	bad |= rp_account_set(w, echo, "city", "Lyon");
	bad |= rp_account_tag(w, echo, "vip", 0);
	bad |= ix(w, echo, "note", 1, "recommended by Blum", 0, NULL);
	/* Fox: small value, contacted 20 days ago, a contact to find. */
	bad |= rp_account_add(w, "Fox Farm", NULL, fox);
	bad |= ix(w, fox, "purchase", 25, "eggs", 5000, NULL);
	bad |= ix(w, fox, "complaint", 20, "cake too sweet", 0, NULL);
	bad |= rp_contact_add(w, fox, "Marta Blumen", "buyer", "marta@fox.example", "+33 6 00",
	                      NULL, contact);
	/* Gamma: called weekly, then nothing for 39 days. */
	bad |= rp_account_add(w, "Gamma Garage", NULL, gamma);
	bad |= ix(w, gamma, "call", 60, "weekly check", 0, NULL);
	bad |= ix(w, gamma, "call", 53, "weekly check", 0, NULL);
	bad |= ix(w, gamma, "call", 46, "weekly check", 0, NULL);
	bad |= ix(w, gamma, "visit", 39, "weekly check", 0, NULL);
	is_int(bad, 0, "every write call succeeded (%s)", rp_errmsg());
	is_int(rp_write_commit(&w), 0, "the write commits");
	/* Done and resolve find their target in the committed view: a second write. */
	rp_write_begin(n, &w);
	is_int(rp_fu_done(w, done_fu, "kept"), 0, "a follow-up done");
	is_int(rp_complaint_resolve(w, broken_c, "refunded the box"), 0, "a complaint resolved");
	is_int(rp_write_commit(&w), 0, "that write commits too");

	/* ---- agenda ---- */
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 2, .days = 1 }, &rows), 0, "agenda");
	is_int(json_array_size(rows), 7, "3 due follow-ups, 2 open complaints and 2 calls");
	is_str(row_str(rows, 0, "kind"), "followup", "first: a follow-up");
	is_str(row_str(rows, 0, "text"), "send the new price list", "the overdue one first");
	is_str(row_str(rows, 0, "reason"), "overdue 3 days", "saying how late it is");
	is_str(row_str(rows, 0, "account"), "Corner Cafe", "with its account");
	is_str(row_str(rows, 1, "text"), "call about the menu", "then this morning's");
	is_str(row_str(rows, 1, "reason"), "due today", "due today");
	is_str(row_str(rows, 2, "text"), "confirm the delivery slot", "then this afternoon's");
	ok(json_is_string(json_object_get(json_array_get(rows, 2), "id")), "a follow-up row has its id");
	is_str(row_str(rows, 3, "kind"), "complaint", "then open complaints older than 2 days");
	is_str(row_str(rows, 3, "account"), "Fox Farm", "the oldest first");
	is_str(row_str(rows, 3, "reason"), "complaint open 20 days", "saying how old");
	is_str(row_str(rows, 3, "text"), "cake too sweet", "with its text");
	is_str(row_str(rows, 4, "text"), "late delivery again", "then Corner's, 5 days old (the resolved one is gone)");
	rp_b32_encode(late_c, RP_REF_LEN, t, sizeof t);
	is_str(row_str(rows, 4, "id"), t, "a complaint row has the complaint's id (for resolve)");
	is_str(row_str(rows, 5, "kind"), "call", "then calls");
	is_str(row_str(rows, 5, "account"), "Blum Bakery", "the valuable silent account first");
	is_str(row_str(rows, 5, "reason"), "4,200.50 EUR lifetime, last contact 90 days ago",
	       "with why");
	is_str(row_str(rows, 5, "phone"), "+33 1 23 45 67 89", "its phone");
	is_str(row_str(rows, 5, "prefer"), "call", "how it likes to be reached");
	ok(json_is_null(json_object_get(json_array_get(rows, 5), "id")), "a call has no id");
	ok(json_is_string(json_object_get(json_array_get(rows, 5), "last_contact")), "and its last contact");
	is_str(row_str(rows, 6, "account"), "Echo Ltd", "then the never-contacted one");
	is_str(row_str(rows, 6, "reason"), "no purchases yet, never contacted", "saying so");
	is_str(row_str(rows, 6, "day"), "2026-03-16", "each row says its day");
	ok(!has_account(rows, "text", "visit with samples"), "tomorrow's follow-up waits");
	ok(!has_account(rows, "text", "old promise"), "a done follow-up is gone");
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 2, .days = 1 }, &again), 0, "agenda again");
	ok(json_equal(rows, again), "gives the same rows");
	json_decref(again);
	json_decref(rows);

	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 10, .days = 1 }, &rows), 0, "agenda with 10 calls");
	is_int(json_array_size(rows), 9, "3 follow-ups, 2 complaints and the 4 others to call");
	ok(has_account(rows, "account", "Steady Shop"), "Steady, 10 days silent, is suggested");
	is_str(row_str(rows, 3, "phone"), "+33 6 00", "Fox reached through its contact's phone");
	is_str(row_str(rows, 3, "email"), "marta@fox.example", "... and email");
	{
		int delta_calls = 0;
		for (size_t i = 5; i < json_array_size(rows); i++)
			delta_calls += !strcmp(row_str(rows, i, "account"), "Delta Diner") ||
			               !strcmp(row_str(rows, i, "account"), "Corner Cafe");
		is_int(delta_calls, 0, "accounts with a due follow-up are not suggested again");
	}
	json_decref(rows);
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 0, .days = 1 }, &rows), 0, "agenda with no calls");
	is_int(json_array_size(rows), 5, "only the due follow-ups and the complaints");
	json_decref(rows);

	/* Contacted yesterday: no call suggested. */
	rp_write_begin(n, &w);
	ix(w, echo, "call", 1, "intro call", 0, NULL);
	rp_write_commit(&w);
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 10, .days = 1 }, &rows), 0, "agenda after a call to Echo");
	ok(!has_account(rows, "account", "Echo Ltd"), "Echo, called yesterday, is not suggested");
	json_decref(rows);

	/* ---- top ---- */
	is_int(rp_top(n, 3, NULL, &rows), 0, "top 3 by value (default)");
	is_int(json_array_size(rows), 3, "3 rows");
	is_str(row_str(rows, 0, "name"), "Blum Bakery", "Blum first");
	is_str(row_str(rows, 1, "name"), "Steady Shop", "Steady second");
	is_str(row_str(rows, 2, "name"), "Fox Farm", "Fox third");
	is_int(row_int(rows, 0, "rank"), 1, "ranked from 1");
	is_int(row_int(rows, 2, "rank"), 3, "to 3");
	ok(json_real_value(json_object_get(json_array_get(rows, 0), "score")) == 4200.5,
	   "score is the value in units");
	is_int(row_int(rows, 0, "interactions"), 3, "with its interaction count");
	json_decref(rows);
	is_int(rp_top(n, 0, "recent", &rows), 0, "top by recent");
	is_int(json_array_size(rows), 7, "every account (count 0 means 10)");
	is_str(row_str(rows, 0, "name"), "Echo Ltd", "called yesterday first");
	is_str(row_str(rows, 1, "name"), "Corner Cafe", "then 2 days ago");
	is_str(row_str(rows, 5, "name"), "Blum Bakery", "90 days ago");
	is_str(row_str(rows, 6, "name"), "Delta Diner", "never contacted last");
	ok(json_is_null(json_object_get(json_array_get(rows, 6), "score")), "with no score");
	json_decref(rows);
	is_int(rp_top(n, 2, "frequency", &rows), 0, "top by frequency");
	is_str(row_str(rows, 0, "name"), "Gamma Garage", "4 contacts first");
	is_str(row_str(rows, 1, "name"), "Blum Bakery", "3, more valuable than Steady's 3");
	json_decref(rows);
	rows = NULL;
	is_int(rp_top(n, 2, "size", &rows), RP_EINVAL, "unknown --by refused");
	is_str(rp_errmsg(), "unknown --by 'size': use value|recent|frequency", "naming it");
	ok(rows == NULL, "and no rows");

	/* ---- at-risk ---- */
	is_int(rp_at_risk(n, SIZE_MAX, &rows), 0, "at-risk");
	is_int(json_array_size(rows), 2, "two accounts at risk");
	is_str(row_str(rows, 0, "name"), "Gamma Garage", "Gamma (39 days for a 7-day rhythm) first");
	is_str(row_str(rows, 0, "reason"), "no contact for 39 days; usually every 7 days", "why Gamma");
	is_int(row_int(rows, 0, "cadence_days"), 7, "its usual rhythm");
	is_int(row_int(rows, 0, "days_since"), 39, "its silence");
	is_str(row_str(rows, 1, "name"), "Blum Bakery", "Blum (90 days for a 30-day cadence)");
	is_str(row_str(rows, 1, "reason"),
	       "no purchase for 90 days; usually every 30 days; no contact for 90 days; usually every 30 days",
	       "why Blum");
	is_int(row_int(rows, 1, "cadence_days"), 30, "its cadence");
	is_int(row_int(rows, 1, "days_since"), 90, "days since its last purchase");
	ok(!has_account(rows, "name", "Steady Shop"), "the steady buyer is not at risk");
	json_decref(rows);

	/* ---- find ---- */
	is_int(rp_find(n, "blum", &rows), 0, "find blum");
	is_int(json_array_size(rows), 3, "an account, a contact, an interaction");
	is_str(row_str(rows, 0, "type"), "account", "account first");
	is_str(row_str(rows, 0, "text"), "Blum Bakery", "by its name");
	is_str(row_str(rows, 1, "type"), "contact", "then the contact");
	is_str(row_str(rows, 1, "account"), "Fox Farm", "at Fox Farm");
	rp_b32_encode(contact, RP_REF_LEN, t, sizeof t);
	is_str(row_str(rows, 1, "id"), t, "with the contact's id");
	is_str(row_str(rows, 2, "type"), "interaction", "then the interaction");
	is_str(row_str(rows, 2, "text"), "note: recommended by Blum", "with its text");
	json_decref(rows);
	is_int(rp_find(n, "BAKERY  croissant", &rows), 0, "find across account name and text");
	is_int(json_array_size(rows), 1, "one interaction");
	is_str(row_str(rows, 0, "text"), "purchase: ordered 200 croissants", "the croissant order");
	is_str(row_str(rows, 0, "account"), "Blum Bakery", "at Blum");
	json_decref(rows);
	is_int(rp_find(n, "lyon", &rows), 0, "find a field value");
	is_str(row_str(rows, 0, "text"), "Echo Ltd (city: Lyon)", "shows the field that matched");
	json_decref(rows);
	is_int(rp_find(n, "VIP echo", &rows), 0, "find a tag with the name");
	is_int(json_array_size(rows), 1, "one row");
	is_str(row_str(rows, 0, "type"), "account", "the account");
	json_decref(rows);
	is_int(rp_find(n, "marta fox.example", &rows), 0, "find a contact by name and email");
	is_int(json_array_size(rows), 1, "one row");
	is_str(row_str(rows, 0, "text"), "Marta Blumen, buyer, marta@fox.example, +33 6 00", "its details");
	json_decref(rows);
	is_int(rp_find(n, "zebra", &rows), 0, "find nothing");
	is_int(json_array_size(rows), 0, "no rows");
	json_decref(rows);
	rows = NULL;
	is_int(rp_find(n, " \t ", &rows), RP_EINVAL, "empty search refused");
	ok(rows == NULL, "and no rows");

	/* ---- complaints ---- */
	is_int(rp_complaints(n, 0, &rows), 0, "complaints");
	is_int(json_array_size(rows), 3, "three complaints");
	is_str(row_str(rows, 0, "text"), "late delivery again", "open, newest first");
	rp_b32_encode(late_c, RP_REF_LEN, t, sizeof t);
	is_str(row_str(rows, 0, "id"), t, "with its id");
	is_str(row_str(rows, 1, "text"), "cake too sweet", "then the older open one");
	is_str(row_str(rows, 1, "account"), "Fox Farm", "at Fox Farm");
	is_str(row_str(rows, 2, "text"), "broken box", "resolved last");
	ok(json_is_true(json_object_get(json_array_get(rows, 2), "resolved")), "marked resolved");
	is_str(row_str(rows, 2, "resolution"), "refunded the box", "with its resolution");
	ok(json_is_false(json_object_get(json_array_get(rows, 0), "resolved")), "the first is open");
	json_decref(rows);
	is_int(rp_complaints(n, 1, &rows), 0, "open complaints");
	is_int(json_array_size(rows), 2, "two");
	json_decref(rows);
	rp_write_begin(n, &w);
	is_int(rp_complaint_resolve(w, late_c, "new driver"), 0, "resolve the late delivery");
	rp_write_commit(&w);
	is_int(rp_complaints(n, 1, &rows), 0, "open complaints again");
	is_int(json_array_size(rows), 1, "one left");
	is_str(row_str(rows, 0, "text"), "cake too sweet", "the cake");
	json_decref(rows);

	/* "Today" is the local day: 22:00 in New York is still today there,
	 * while in UTC it is already tomorrow. */
	rp_write_begin(n, &w);
	is_int(rp_fu_add(w, gamma, "late-evening callback", now + 14 * 3600000ULL, NULL, ref), 0,
	       "a follow-up at 02:00 UTC tomorrow");
	rp_write_commit(&w);
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 0, .days = 1 }, &rows), 0, "agenda in UTC");
	ok(!has_account(rows, "text", "late-evening callback"), "not due today in UTC");
	json_decref(rows);
	setenv("TZ", "America/New_York", 1);
	is_int(rp_agenda(n, &(rp_agenda_opts){ .calls = 0, .days = 1 }, &rows), 0, "agenda in New York");
	ok(has_account(rows, "text", "late-evening callback"), "due today in New York");
	json_decref(rows);
	setenv("TZ", "UTC", 1);

	rp_node_close(&n);
	rm_tree(home);
	ok(access(home, F_OK) != 0, "the temporary home is gone");
	return done_testing();
}
