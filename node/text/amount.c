/* node/text/amount.c — money as integer minor units, parsed and printed by
 * hand. Never floating point and never locale-dependent (no strtod, no
 * printf %f): "1,234.50" means the same on every machine. */
#include "amount.h"

#include <stdio.h>
#include <string.h>

#include "../../proto/error.h"
#include "../../proto/limits.h"

#define S_WHOLE_LIMIT 1000000000000000LL     /* |value| < 10^15 units */

/* ISO 4217 list one: the active codes with minor units, A-Z, each "CODEd".
 * Funds and metals without minor units (XAU, XDR, XXX...) are left out. */
static const char s_codes[] =
	"AED2AFN2ALL2AMD2ANG2AOA2ARS2AUD2AWG2AZN2BAM2BBD2BDT2BGN2BHD3BIF0BMD2BND2BOB2BOV2"
	"BRL2BSD2BTN2BWP2BYN2BZD2CAD2CDF2CHE2CHF2CHW2CLF4CLP0CNY2COP2COU2CRC2CUC2CUP2CVE2"
	"CZK2DJF0DKK2DOP2DZD2EGP2ERN2ETB2EUR2FJD2FKP2GBP2GEL2GHS2GIP2GMD2GNF0GTQ2GYD2HKD2"
	"HNL2HTG2HUF2IDR2ILS2INR2IQD3IRR2ISK0JMD2JOD3JPY0KES2KGS2KHR2KMF0KPW2KRW0KWD3KYD2"
	"KZT2LAK2LBP2LKR2LRD2LSL2LYD3MAD2MDL2MGA2MKD2MMK2MNT2MOP2MRU2MUR2MVR2MWK2MXN2MXV2"
	"MYR2MZN2NAD2NGN2NIO2NOK2NPR2NZD2OMR3PAB2PEN2PGK2PHP2PKR2PLN2PYG0QAR2RON2RSD2RUB2"
	"RWF0SAR2SBD2SCR2SDG2SEK2SGD2SHP2SLE2SOS2SRD2SSP2STN2SVC2SYP2SZL2THB2TJS2TMT2TND3"
	"TOP2TRY2TTD2TWD2TZS2UAH2UGX0USD2USN2UYI0UYU2UYW4UZS2VED2VES2VND0VUV0WST2XAF0XCD2"
	"XCG2XOF0XPF0YER2ZAR2ZMW2ZWG2";

int rp_currency_minor(const char *code)
{
	size_t lo = 0, hi = (sizeof s_codes - 1) / 4;

	if (!code || strlen(code) != 3)
		return -1;
	while (lo < hi) {                          /* the table is sorted */
		size_t mid = (lo + hi) / 2;
		int c = memcmp(code, s_codes + 4 * mid, 3);
		if (c == 0)
			return s_codes[4 * mid + 3] - '0';
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int rp_currency_ok(const char *text)
{
	return rp_currency_minor(text) >= 0;
}

int rp_currency_decimals(const char *code)
{
	int m = rp_currency_minor(code);
	return m < 0 ? 2 : m;
}

static int s_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Grammar: ["-"] whole ["." d{1,minor}], where whole is digits, or 1-3 digits
 * followed by one or more ",ddd" groups. No sign other than one leading
 * "-", no spaces, no exponent, no ".5" and no "12.": a typo should be an
 * error, not a guess. */
int rp_amount_parse(const char *text, int minor, int64_t *units)
{
	const char *p = text;
	long long whole = 0, frac = 0, scale = 1;
	int neg = 0, lead = 0, i;

	if (!text || !units || minor < 0 || minor > RP_MINOR_MAX)
		return RP_EINVAL;
	for (i = 0; i < minor; i++)
		scale *= 10;
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
		long long place = scale;
		p++;
		if (!s_digit(*p) || minor == 0)
			return RP_EINVAL;
		while (s_digit(*p)) {
			place /= 10;
			if (place == 0)
				return RP_EINVAL;        /* more decimals than the currency has */
			frac += (*p++ - '0') * place;
		}
	}
	if (*p != '\0' || whole > (RP_CENTS_MAX - frac) / scale)
		return RP_EINVAL;                /* past what an op may carry */
	*units = (int64_t)(whole * scale + frac);
	if (neg)
		*units = -*units;
	return 0;
}

char *rp_amount_format(int64_t units, int minor, char *out, size_t cap)
{
	/* Through uint64_t so INT64_MIN has a magnitude too. */
	uint64_t mag = units < 0 ? 0u - (uint64_t)units : (uint64_t)units, scale = 1;
	int i;

	if (!out || cap == 0)
		return out;
	if (minor < 0 || minor > RP_MINOR_MAX)
		minor = 2;
	for (i = 0; i < minor; i++)
		scale *= 10;
	if (minor == 0)
		snprintf(out, cap, "%s%llu", units < 0 ? "-" : "", (unsigned long long)mag);
	else
		snprintf(out, cap, "%s%llu.%0*llu", units < 0 ? "-" : "", (unsigned long long)(mag / scale),
		         minor, (unsigned long long)(mag % scale));
	return out;
}

char *rp_money_format(int64_t units, const char *code, char *out, size_t cap)
{
	char plain[32], grouped[48];
	const char *p = plain, *dot;
	size_t n = 0, whole;

	if (!out || cap == 0)
		return out;
	rp_amount_format(units, rp_currency_decimals(code), plain, sizeof plain);
	if (*p == '-')
		grouped[n++] = *p++;
	dot = strchr(p, '.');
	whole = dot ? (size_t)(dot - p) : strlen(p);
	for (size_t i = 0; i < whole; i++) {
		if (i && (whole - i) % 3 == 0)
			grouped[n++] = ',';
		grouped[n++] = p[i];
	}
	snprintf(grouped + n, sizeof grouped - n, "%s", dot ? dot : "");
	snprintf(out, cap, "%s %.3s", grouped, code ? code : "");
	return out;
}
