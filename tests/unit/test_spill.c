/* tests/unit/test_spill.c — an account's plan as bytes and back
 * (node/crm/spill.h): every member of every list survives, strings that
 * are not there stay NULL, and a record cut anywhere, with a bad flag,
 * with a count past its bytes or with bytes after its end is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../node/crm/spill.h"
#include "../../proto/error.h"

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int main(void)
{
	rp_plan_field fields[] = { { "email", "info@blum.example" }, { "address", "Hauptstr. 1\n10115 Berlin" } };
	const char *tags[] = { "retail", "vip", "caf\xc3\xa9" };
	rp_plan_contact contacts[] = { { 0, "Eva Blum", "buyer", "eva@blum.example", "+49 170 1", "call" },
	                               { 1, "Max Blum", NULL, NULL, NULL, NULL } };
	rp_plan_ix ixs[] = {
		{ .index = 0, .spec = { .type = "purchase", .at_ms = 1771581600000ull, .text = "first order",
		                        .has_amount = 1, .cents = -42050, .amount = "420.50", .currency = "EUR",
		                        .outcome = "won", .by = "ann" } },
		{ .index = 7, .spec = { .type = "complaint", .at_ms = 1, .text = "late" }, .resolution = "replaced" },
	};
	rp_plan_fu fus[] = { { .index = 0, .text = "send the catalogue", .assignee = "ann", .due = 99, .done = 1,
	                       .done_text = "sent" },
	                     { .index = 1, .text = "call Eva", .due = 5 } };
	rp_plan_acct a = { .line = 4711, .name = "Blum GmbH", .owner = "bob", .exists = 0,
	                   .fields = fields, .tags = tags, .contacts = contacts, .ixs = ixs, .fus = fus,
	                   .nfields = 2, .ntags = 3, .ncontacts = 2, .nixs = 2, .nfus = 2 };
	rp_plan_acct b;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, first;
	void *mem = NULL;
	int good = 1, cut = 0;

	memset(a.id, 0xA5, sizeof a.id);
	ok(rp_spill_put(&a, &buf, &len, &cap) == 0 && len > 0, "a plan with every list becomes a record");
	first = len;
	ok(rp_spill_get(buf, len, &b, &mem) == 0, "and reads back");
	ok(b.line == 4711 && !strcmp(b.name, "Blum GmbH") && !strcmp(b.owner, "bob") && !b.exists &&
	   !memcmp(b.id, a.id, sizeof a.id), "its line, name, owner, flags and id");
	good = b.nfields == 2 && b.ntags == 3 && b.ncontacts == 2 && b.nixs == 2 && b.nfus == 2;
	for (size_t i = 0; good && i < 2; i++)
		good = !strcmp(b.fields[i].key, fields[i].key) && !strcmp(b.fields[i].value, fields[i].value);
	for (size_t i = 0; good && i < 3; i++)
		good = !strcmp(b.tags[i], tags[i]);
	for (size_t i = 0; good && i < 2; i++)
		good = b.contacts[i].index == contacts[i].index && same_str(b.contacts[i].name, contacts[i].name) &&
		       same_str(b.contacts[i].role, contacts[i].role) && same_str(b.contacts[i].email, contacts[i].email) &&
		       same_str(b.contacts[i].phone, contacts[i].phone) && same_str(b.contacts[i].prefer, contacts[i].prefer);
	for (size_t i = 0; good && i < 2; i++) {
		const rp_ix_spec *x = &b.ixs[i].spec, *y = &ixs[i].spec;
		good = b.ixs[i].index == ixs[i].index && same_str(x->type, y->type) && x->at_ms == y->at_ms &&
		       same_str(x->text, y->text) && same_str(x->contact, y->contact) && x->has_amount == y->has_amount &&
		       x->cents == y->cents && same_str(x->amount, y->amount) && same_str(x->currency, y->currency) &&
		       same_str(x->outcome, y->outcome) && same_str(x->by, y->by) &&
		       same_str(b.ixs[i].resolution, ixs[i].resolution);
	}
	for (size_t i = 0; good && i < 2; i++)
		good = b.fus[i].index == fus[i].index && same_str(b.fus[i].text, fus[i].text) &&
		       same_str(b.fus[i].assignee, fus[i].assignee) && b.fus[i].due == fus[i].due &&
		       b.fus[i].done == fus[i].done && same_str(b.fus[i].done_text, fus[i].done_text);
	ok(good, "every field, tag, contact, interaction and follow-up, NULLs as NULLs");
	free(mem);

	/* a second record after the first: each is read on its own */
	a.nixs = a.nfus = a.ncontacts = 0;
	a.owner = NULL;
	ok(rp_spill_put(&a, &buf, &len, &cap) == 0 && rp_spill_get(buf + first, len - first, &b, &mem) == 0 &&
	   b.owner == NULL && b.nixs == 0 && b.ntags == 3, "a second record, appended, reads on its own");
	free(mem);

	for (size_t n = 0; n < first; n++) {
		cut += rp_spill_get(buf, n, &b, &mem) == RP_EFORMAT;
		free(mem);
	}
	is_int(cut, (long long)first, "a record cut anywhere is refused");
	ok(rp_spill_get(buf, first + 1, &b, &mem) == RP_EFORMAT, "bytes past its end are refused");
	free(mem);
	buf[8 + 4 + 10 + 4 + 4] = 2;        /* exists: a flag is 0 or 1 */
	ok(rp_spill_get(buf, first, &b, &mem) == RP_EFORMAT, "a flag that is not 0 or 1 is refused");
	free(mem);
	buf[8 + 4 + 10 + 4 + 4] = 0;
	memset(buf + 8 + 4 + 10 + 4 + 4 + 1 + 16, 0x7F, 4);   /* the field count */
	ok(rp_spill_get(buf, first, &b, &mem) == RP_EFORMAT, "a count past the record's bytes is refused");
	free(mem);
	free(buf);
	return done_testing();
}
