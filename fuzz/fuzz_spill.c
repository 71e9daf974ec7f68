/* fuzz/fuzz_spill.c — libFuzzer harness for the reader of an import's
 * spilled plans (node/crm/spill.h). Any bytes may be refused, none may
 * crash; a record it accepts has every string inside it, and written
 * again gives the same bytes (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../node/crm/spill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *s_lo, *s_hi;

static void s_inside(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	if (s && (p < s_lo || p >= s_hi || !memchr(p, 0, (size_t)(s_hi - p))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_plan_acct a;
	void *mem = NULL;
	uint8_t *again = NULL;
	size_t len = 0, cap = 0;
	s_lo = data;
	s_hi = data + size;
	if (rp_spill_get(data, size, &a, &mem) == 0) {
		s_inside(a.name);
		s_inside(a.owner);
		for (size_t i = 0; i < a.nfields; i++) {
			s_inside(a.fields[i].key);
			s_inside(a.fields[i].value);
		}
		for (size_t i = 0; i < a.ntags; i++)
			s_inside(a.tags[i]);
		for (size_t i = 0; i < a.ncontacts; i++) {
			s_inside(a.contacts[i].name);
			s_inside(a.contacts[i].email);
		}
		for (size_t i = 0; i < a.nixs; i++) {
			s_inside(a.ixs[i].spec.type);
			s_inside(a.ixs[i].spec.text);
			s_inside(a.ixs[i].resolution);
		}
		for (size_t i = 0; i < a.nfus; i++)
			s_inside(a.fus[i].done_text);
		if (rp_spill_put(&a, &again, &len, &cap) != 0 || len != size || memcmp(again, data, size) != 0)
			abort();
	}
	free(again);
	free(mem);
	return 0;
}
