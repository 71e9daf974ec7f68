/* tests/unit/test_query.c — the reads of node/crm/query.c on a real store
 * built through the public write API: show (fields, tags, contacts,
 * interactions, follow-ups, value), list by owner and tag in name order,
 * history oldest first with who did what, status counts, and the digest:
 * the same for the same content, moved by every change. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../node/rapport.h"
#include "../proto/error.h"

#define DAY (86400000ULL)

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int main(void)
{
	char home[64], d0[65], d1[65], d2[65];
	rp_node *n = NULL;
	rp_write *w = NULL;
	uint8_t blum[RP_ACCOUNT_LEN], cafe[RP_ACCOUNT_LEN], zeta[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	uint64_t now = 1773100800000ULL;       /* 2026-03-10 */
	json_t *j = NULL, *e;
	int bad = 0;

	setenv("TZ", "UTC", 1);
	snprintf(home, sizeof home, "/tmp/rapport-query-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	is_int(rp_init(home, "ann", "Acme", now - 30 * DAY), 0, "a team starts");
	is_int(rp_node_open(home, &n), 0, "its node opens");
	rp_node_set_now(n, now);
	is_int(rp_digest(n, NULL, d0), 0, "the digest of a team with no account");

	is_int(rp_write_begin(n, &w), 0, "begin a write");
	bad |= rp_account_add(w, "Zeta AG", NULL, zeta);
	bad |= rp_account_add(w, "Bakery Blum", NULL, blum);
	bad |= rp_account_add(w, "Cafe Roma", NULL, cafe);
	bad |= rp_account_set(w, blum, "phone", "+49 30 1111");
	bad |= rp_account_tag(w, blum, "retail", 0);
	bad |= rp_account_tag(w, cafe, "retail", 0);
	bad |= rp_contact_add(w, blum, "Hans Blum", "owner", "hans@blum.example", NULL, "call", ref);
	{
		rp_ix_spec buy = { .type = "purchase", .at_ms = now - 3 * DAY, .text = "200 croissants",
		                   .has_amount = 1, .cents = 140050, .currency = "EUR" };
		rp_ix_spec call = { .type = "call", .at_ms = now - DAY, .text = "about the oven" };
		bad |= rp_ix_log(w, blum, &buy, ref);
		bad |= rp_ix_log(w, blum, &call, ref);
	}
	bad |= rp_fu_add(w, blum, "send the price list", now + 2 * DAY, NULL, ref);
	is_int(bad, 0, "every write call succeeded (%s)", rp_errmsg());
	is_int(rp_write_commit(&w), 0, "the write commits");

	is_int(rp_account_show(n, blum, &j), 0, "show reads the account");
	is_str(str(j, "name"), "Bakery Blum", "its name");
	is_str(str(j, "owner"), "ann", "its owner, who made it");
	is_str(str(json_object_get(j, "fields"), "phone"), "+49 30 1111", "a field");
	is_int(json_array_size(json_object_get(j, "tags")), 1, "one tag");
	is_str(json_string_value(json_array_get(json_object_get(j, "tags"), 0)), "retail", "retail");
	e = json_array_get(json_object_get(j, "contacts"), 0);
	is_str(str(e, "name"), "Hans Blum", "its contact");
	is_str(str(e, "prefer"), "call", "and how he likes to be reached");
	is_int(json_array_size(json_object_get(j, "interactions")), 2, "two interactions");
	is_str(str(json_array_get(json_object_get(j, "interactions"), 0), "type"), "call",
	       "newest first: the call");
	is_int(json_array_size(json_object_get(j, "followups")), 1, "one follow-up");
	json_decref(j);

	is_int(rp_account_list(n, NULL, &j), 0, "list reads");
	is_int(json_array_size(j), 3, "three accounts");
	is_str(str(json_array_get(j, 0), "name"), "Bakery Blum", "in name order: Bakery Blum");
	is_str(str(json_array_get(j, 1), "name"), "Cafe Roma", "Cafe Roma");
	is_str(str(json_array_get(j, 2), "name"), "Zeta AG", "Zeta AG");
	json_decref(j);
	is_int(rp_account_list(n, &(rp_list_filter){ .tag = "retail" }, &j), 0, "list by tag");
	is_int(json_array_size(j), 2, "the two tagged retail");
	json_decref(j);
	is_int(rp_account_list(n, &(rp_list_filter){ .owner = "ann" }, &j), 0, "list by owner");
	is_int(json_array_size(j), 3, "ann owns all three");
	json_decref(j);
	j = NULL;
	is_int(rp_account_list(n, &(rp_list_filter){ .owner = "bob" }, &j), RP_ENOTFOUND, "list by someone who is no member fails");
	ok(j == NULL, "and gives no list");

	is_int(rp_history(n, blum, &j), 0, "history reads");
	ok(json_array_size(j) >= 7, "every op of the account (%zu)", json_array_size(j));
	is_str(str(json_array_get(j, 0), "kind"), "acct.create", "oldest first: the create");
	is_str(str(json_array_get(j, 0), "author"), "ann", "by ann");
	json_decref(j);

	is_int(rp_status(n, &j), 0, "status reads");
	is_int(json_integer_value(json_object_get(j, "accounts")), 3, "three accounts");
	is_int(json_integer_value(json_object_get(j, "members")), 1, "one member");
	is_str(str(j, "member"), "ann", "this device is ann's");
	is_str(str(json_object_get(j, "team"), "name"), "Acme", "of team Acme");
	json_decref(j);

	is_int(rp_digest(n, NULL, d1), 0, "the digest now");
	ok(strcmp(d0, d1) != 0, "moved with the accounts");
	is_int(rp_digest(n, NULL, d2), 0, "read again");
	is_str(d2, d1, "is the same");
	is_int(rp_digest(n, zeta, d2), 0, "one account's digest");
	ok(strcmp(d2, d1) != 0, "differs from the whole's");
	is_int(rp_write_begin(n, &w), 0, "begin a write");
	is_int(rp_account_set(w, zeta, "city", "Zürich"), 0, "a field of Zeta");
	is_int(rp_write_commit(&w), 0, "commits");
	is_int(rp_digest(n, NULL, d0), 0, "the digest after it");
	ok(strcmp(d0, d1) != 0, "moved");

	rp_node_close(&n);
	rm_tree(home);
	return done_testing();
}
