/* fuzz/fuzz_index.c — libFuzzer harness for the readers of index values
 * (node/store/index.h): an account's card, a follow-up's and a complaint's
 * entry (each ending with a card) and an at-risk entry. The first byte
 * picks the reader, the rest is the value. Any value may be refused, none
 * may crash; what a reader accepts lies inside the value, every string
 * ending in it (ASan checks the reads; abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../node/store/index.h"
#include "../proto/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *s_lo, *s_hi;

/* s is NULL, or a string that starts and ends inside the value. */
static void s_inside(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	if (!s)
		return;
	if (p < s_lo || p >= s_hi || !memchr(p, 0, (size_t)(s_hi - p)))
		abort();
}

static void s_card(const rp_index_card *c)
{
	char cur[4];
	if (!c->name)
		abort();
	s_inside(c->name);
	s_inside(c->owner);
	s_inside(c->last_contact);
	s_inside(c->phone);
	s_inside(c->email);
	s_inside(c->prefer);
	if (c->nvalues && (c->values < s_lo || c->values + 11 * c->nvalues > s_hi))
		abort();
	for (size_t i = 0; i < c->nvalues; i++) {
		rp_index_card_value(c, NULL, i, cur);      /* reads inside the value (ASan) */
		if (cur[3] != 0)
			abort();
		rp_index_card_value(c, cur, 0, NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_index_card card;
	rp_index_followup fu;
	rp_index_complaint cp;
	rp_index_risk risk;
	MDB_val v;
	int rc;
	if (size < 1)
		return 0;
	v = (MDB_val){ size - 1, (void *)(data + 1) };
	s_lo = data + 1;
	s_hi = data + size;
	switch (data[0] % 4) {
	case 0:
		if ((rc = rp_index_card_of(&v, &card)) == 0)
			s_card(&card);
		break;
	case 1:
		if ((rc = rp_index_followup_get(&v, &fu, &card)) == 0) {
			if (!fu.due)
				abort();
			s_inside(fu.due);
			s_inside(fu.assignee);
			s_inside(fu.text);
			s_card(&card);
		}
		break;
	case 2:
		if ((rc = rp_index_complaint_get(&v, &cp, &card)) == 0) {
			if (!cp.at)
				abort();
			s_inside(cp.at);
			s_inside(cp.text);
			s_card(&card);
		}
		break;
	default:
		if ((rc = rp_index_risk_get(&v, &risk)) == 0) {
			if (!risk.name)
				abort();
			s_inside(risk.name);
			s_inside(risk.owner);
			if (!risk.last_valid && risk.last)
				abort();            /* no last contact, no time either */
		}
		break;
	}
	if (rc != 0 && rc != RP_EIO)
		abort();
	return 0;
}
