/* fuzz/fuzz_summary.c — libFuzzer harness for rp_summary_decode. Any input may
 * be refused, none may crash; an accepted summary laid out as JSON must
 * decode again and lay out to the same text (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../node/store/summary.h"
#include "../proto/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *s_text(const rp_summary *s)
{
	json_t *j = rp_summary_json(s);
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_summary *a = NULL, *b = NULL;
	char *ta, *tb;
	int rc = rp_summary_decode(data, size, &a);
	if (rc) {
		if (a || (rc != RP_EIO && rc != RP_ENOMEM))
			abort();
		return 0;
	}
	if (!(ta = s_text(a)))
		abort();
	if (rp_summary_decode(ta, strlen(ta), &b) || !(tb = s_text(b)) || strcmp(ta, tb))
		abort();
	free(ta);
	free(tb);
	rp_summary_free(&a);
	rp_summary_free(&b);
	return 0;
}
