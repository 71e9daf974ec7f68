/* fuzz/fuzz_tally.c — libFuzzer harness for the reader of an account's
 * stored tally (node/store/tally.h). Any bytes may be refused, none may
 * crash; a tally it accepts gives stats, takes one more interaction, and
 * written again gives the same bytes (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../node/store/tally.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_tally t;
	uint8_t *again;
	size_t len = 0;
	json_t *stats, *value, *ix;
	if (rp_tally_decode(&t, data, size) != 0)
		return 0;
	if (!(again = rp_tally_encode(&t, &len)) || len != size || memcmp(again, data, size) != 0)
		abort();
	free(again);
	stats = json_object();
	value = stats ? rp_tally_stats(&t, stats) : NULL;
	json_decref(value);
	ix = json_pack("{sssssssos{sIss}}", "id", "aaaaaaaaaaaaaaaaaaaaaaaaaa", "type", "purchase",
	               "text", "Oven", "resolved", json_false(), "amount", "cents", (json_int_t)100,
	               "currency", "EUR");
	if (ix)
		rp_tally_add(&t, ix, 1000);
	json_decref(ix);
	json_decref(stats);
	rp_tally_free(&t);
	return 0;
}
