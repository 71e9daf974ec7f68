/* node/text/amount.c — money as integer cents, parsed and printed by hand.
 * Never floating point and never locale-dependent (no strtod, no printf %f):
 * "1,234.50" means the same on every machine. */
#include "amount.h"

#include <stdio.h>

#include "../../proto/error.h"

#define S_WHOLE_LIMIT 1000000000000000LL     /* |value| < 10^15 units */

static int s_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Grammar: ["-"] whole ["." d [d]], where whole is digits, or 1-3 digits
 * followed by one or more ",ddd" groups. No sign other than one leading
 * "-", no spaces, no exponent, no ".5" and no "12.": a typo should be an
 * error, not a guess. */
int rp_amount_parse(const char *text, int64_t *cents)
{
	const char *p = text;
	long long whole = 0, frac = 0;
	int neg = 0, lead = 0;

	if (!text || !cents)
		return RP_EINVAL;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (!s_digit(*p))
		return RP_EINVAL;
	if (*p == '0' && p[1] == ',')          /* "0,123" is not a grouped number */
		return RP_EINVAL;
	while (s_digit(*p)) {
		whole = whole * 10 + (*p++ - '0');
		lead++;
		if (whole >= S_WHOLE_LIMIT)
			return RP_EINVAL;
	}
	while (*p == ',') {
		int i;
		/* Grouping is only "1,234,567": a first group of 1-3 digits, then
		 * groups of exactly three; "1,23" and "1234,567" are typos. */
		if (lead > 3)
			return RP_EINVAL;
		p++;
		for (i = 0; i < 3; i++) {
			if (!s_digit(*p))
				return RP_EINVAL;
			whole = whole * 10 + (*p++ - '0');
		}
		if (s_digit(*p) || whole >= S_WHOLE_LIMIT)
			return RP_EINVAL;
	}
	if (*p == '.') {
		p++;
		if (!s_digit(*p))
			return RP_EINVAL;
		frac = (*p++ - '0') * 10;
		if (s_digit(*p))
			frac += *p++ - '0';
	}
	if (*p != '\0')
		return RP_EINVAL;
	*cents = (int64_t)(whole * 100 + frac);
	if (neg)
		*cents = -*cents;
	return 0;
}

char *rp_amount_format(int64_t cents, char *out, size_t cap)
{
	/* Through uint64_t so INT64_MIN has a magnitude too. */
	uint64_t mag = cents < 0 ? 0u - (uint64_t)cents : (uint64_t)cents;

	if (!out || cap == 0)
		return out;
	snprintf(out, cap, "%s%llu.%02u", cents < 0 ? "-" : "",
	         (unsigned long long)(mag / 100u), (unsigned)(mag % 100u));
	return out;
}

int rp_currency_ok(const char *text)
{
	int i;

	if (!text)
		return 0;
	for (i = 0; i < 3; i++)
		if (text[i] < 'A' || text[i] > 'Z')
			return 0;
	return text[3] == '\0';
}
