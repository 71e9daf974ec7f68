/* fuzz/fuzz_text.c — libFuzzer harness for the text rules of node/text:
 * the two case folds (length kept, idempotent, never past n + 1), amounts
 * in each currency's decimals (what parses formats back to itself) and the
 * cadence periods. The first byte picks the minor units tried first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../node/text/amount.h"
#include "../node/text/casefold.h"
#include "../node/text/when.h"
#include "../proto/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_folds(const char *text, size_t n)
{
	char a[512], b[512], l1[513], l2[513];
	size_t o1, o2;

	memcpy(a, text, n);
	rp_fold(a, a, n);                       /* in place, as the callers do */
	memcpy(b, a, n);
	rp_fold(b, b, n);
	if (memcmp(a, b, n))
		abort();                            /* folding twice changes nothing */
	memset(l1, 0x55, sizeof l1);
	o1 = rp_fold_loose(l1, text, n);
	if (o1 > n || l1[o1] != 0 || (n + 1 < sizeof l1 && (unsigned char)l1[n + 1] != 0x55))
		abort();                            /* at most n bytes and a NUL, nothing past */
	o2 = rp_fold_loose(l2, l1, o1);
	if (o2 != o1 || memcmp(l1, l2, o1))
		abort();                            /* the loose fold is idempotent too */
}

static void s_amounts(const char *text, int first)
{
	for (int k = 0; k <= RP_MINOR_MAX; k++) {
		int minor = (first + k) % (RP_MINOR_MAX + 1);
		int64_t units, back;
		char out[48];
		if (rp_amount_parse(text, minor, &units) != 0)
			continue;
		if (rp_amount_parse(rp_amount_format(units, minor, out, sizeof out), minor, &back) || back != units)
			abort();
		/* more decimals allowed never refuses what fewer took, while the
		 * units stay within what an op carries (RP_CENTS_MAX) */
		if (minor < RP_MINOR_MAX && units < RP_CENTS_MAX / 10 && units > -RP_CENTS_MAX / 10 &&
		    (rp_amount_parse(text, minor + 1, &back) || back != units * 10))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512];
	int first = 0, days = 0;

	if (size == 0 || size >= sizeof text)
		return 0;
	first = data[0] % (RP_MINOR_MAX + 1);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	s_folds(text, size - 1);
	s_amounts(text, first);
	if (rp_when_period(text, &days) == 0 && (days < 1 || days > 366))
		abort();
	return 0;
}
