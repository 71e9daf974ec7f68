/* tests/unit/test_amount.c — amounts in minor units: the forms people type, the
 * typos refused, the limits, and format -> parse round trips over the whole
 * range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../node/text/amount.h"
#include "../proto/error.h"

static void s_is(const char *text, int64_t want)
{
	int64_t got = 0;
	int rc = rp_amount_parse(text, 2, &got);
	ok(rc == 0 && got == want, "'%s' -> %lld", text, (long long)want);
	if (rc != 0 || got != want)
		diag("rc %d, got %lld", rc, (long long)got);
}

static void s_bad(const char *text)
{
	int64_t got = 777;
	int rc = rp_amount_parse(text, 2, &got);
	char shown[64];
	size_t i;

	for (i = 0; text[i] && i < sizeof shown - 1; i++)
		shown[i] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
	shown[i] = '\0';
	ok(rc == RP_EINVAL && got == 777, "refused: '%s'", shown);
}

static void s_fmt(int64_t cents, const char *want)
{
	char buf[32];
	is_str(rp_amount_format(cents, 2, buf, sizeof buf), want, "format %lld", (long long)cents);
}

int main(void)
{
	static const char *bad[] = {
		"", " ", "-", "+", "+1", "--1", "-+1", "- 1", " 1", "1 ", "1.234", "1e5", "1E5",
		"abc", "12.", ".5", "-.5", "1..2", "1.2.3", "1,23", "1,2345", "1234,567",
		"12,345,67", ",123", "1,", "1,,234", "1,234,", "0,123", "1.234,50", "1,234.567",
		"0x10", "1_000", "1'000", "1 000", "\xe2\x88\x92\x31", "\xef\xbc\x91",
		"1000000000000000", "-1000000000000000", "1,000,000,000,000,000",
		"9999999999999999999999", "99999999999999999999.99", "NaN", "inf", "1.5\n",
		"12abc", "1.2a", "1,234a",
	};
	int64_t got;
	size_t i;
	int wrong;

	s_is("0", 0);
	s_is("-0", 0);
	s_is("0.00", 0);
	s_is("12", 1200);
	s_is("12.5", 1250);
	s_is("12.50", 1250);
	s_is("12.05", 1205);
	s_is("-3.20", -320);
	s_is("-0.05", -5);
	s_is("0.5", 50);
	s_is("007", 700);
	s_is("4200.50", 420050);
	s_is("1,234.50", 123450);
	s_is("1,234", 123400);
	s_is("12,345,678.9", 1234567890);
	s_is("-1,234,567", -123456700);
	s_is("999,999", 99999900);
	s_is("1234567", 123456700);
	s_is("999999999999999.99", 99999999999999999LL);
	s_is("-999,999,999,999,999.99", -99999999999999999LL);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		s_bad(bad[i]);
	ok(rp_amount_parse(NULL, 2, &got) == RP_EINVAL, "NULL text refused");
	ok(rp_amount_parse("1", 2, NULL) == RP_EINVAL, "NULL out refused");

	s_fmt(0, "0.00");
	s_fmt(5, "0.05");
	s_fmt(-5, "-0.05");
	s_fmt(420050, "4200.50");
	s_fmt(-320, "-3.20");
	s_fmt(100, "1.00");
	s_fmt(99999999999999999LL, "999999999999999.99");
	s_fmt(INT64_MAX, "92233720368547758.07");
	s_fmt(INT64_MIN, "-92233720368547758.08");
	{
		char small[8];
		memset(small, 'x', sizeof small);
		is_str(rp_amount_format(420050, 2, small, 4), "420", "format truncates to cap");
		ok(small[4] == 'x', "format writes nothing past cap");
	}

	/* Each currency's own decimals (ISO 4217 minor units). */
	{
		int64_t u = 0;
		char buf[48];
		ok(rp_currency_minor("EUR") == 2 && rp_currency_minor("JPY") == 0 &&
		   rp_currency_minor("BHD") == 3 && rp_currency_minor("CLF") == 4 &&
		   rp_currency_minor("KRW") == 0 && rp_currency_minor("AED") == 2 &&
		   rp_currency_minor("ZWG") == 2, "minor units: EUR 2, JPY 0, BHD 3, CLF 4, KRW 0, first and last");
		ok(rp_currency_minor("XAU") < 0 && rp_currency_minor("XXX") < 0 && rp_currency_minor("DEM") < 0 &&
		   rp_currency_minor("ABC") < 0 && rp_currency_minor("eur") < 0 && rp_currency_minor("EURO") < 0,
		   "metals, the no-currency code, withdrawn and made-up codes are no currency");
		ok(rp_currency_decimals("ABC") == 2 && rp_currency_decimals("JPY") == 0,
		   "an unknown code prints with 2 decimals");
		ok(rp_amount_parse("1000", 0, &u) == 0 && u == 1000, "1000 JPY is 1000 units");
		ok(rp_amount_parse("1,000", 0, &u) == 0 && u == 1000, "1,000 JPY is 1000 units");
		ok(rp_amount_parse("12.5", 0, &u) == RP_EINVAL, "12.5 JPY is refused: no decimals");
		ok(rp_amount_parse("1.250", 3, &u) == 0 && u == 1250, "1.250 BHD is 1250 units");
		ok(rp_amount_parse("1.25", 3, &u) == 0 && u == 1250, "1.25 BHD is 1250 units too");
		ok(rp_amount_parse("1.2505", 3, &u) == RP_EINVAL, "1.2505 BHD is refused: 3 decimals");
		ok(rp_amount_parse("0.0001", 4, &u) == 0 && u == 1, "0.0001 CLF is 1 unit");
		ok(rp_amount_parse("999999999999999.999", 3, &u) == RP_EINVAL,
		   "past 10^17 units is refused (an op could not carry it)");
		ok(rp_amount_parse("1", 5, &u) == RP_EINVAL && rp_amount_parse("1", -1, &u) == RP_EINVAL,
		   "decimals outside 0..4 refused");
		is_str(rp_amount_format(1000, 0, buf, sizeof buf), "1000", "JPY formats without a point");
		is_str(rp_amount_format(1250, 3, buf, sizeof buf), "1.250", "BHD with three decimals");
		is_str(rp_amount_format(-5, 4, buf, sizeof buf), "-0.0005", "CLF with four");
		is_str(rp_money_format(123489779, "EUR", buf, sizeof buf), "1,234,897.79 EUR", "money: grouped, with its code");
		is_str(rp_money_format(1000, "JPY", buf, sizeof buf), "1,000 JPY", "money: JPY has no decimals");
		is_str(rp_money_format(-100000, "BHD", buf, sizeof buf), "-100.000 BHD", "money: negative BHD");
		is_str(rp_money_format(999, "EUR", buf, sizeof buf), "9.99 EUR", "money: no group under 1000");
		is_str(rp_money_format(100000000, "JPY", buf, sizeof buf), "100,000,000 JPY", "money: groups of three");
		is_str(rp_money_format(INT64_MIN, "JPY", buf, sizeof buf), "-9,223,372,036,854,775,808 JPY",
		       "money: the widest");
	}

	ok(rp_currency_ok("EUR"), "EUR is a currency");
	ok(rp_currency_ok("USD"), "USD is a currency");
	ok(!rp_currency_ok("eur"), "eur is not");
	ok(!rp_currency_ok("EU"), "EU is not");
	ok(!rp_currency_ok("EURO"), "EURO is not");
	ok(!rp_currency_ok(""), "'' is not");
	ok(!rp_currency_ok("E1R"), "E1R is not");
	ok(!rp_currency_ok("EU "), "'EU ' is not");
	ok(!rp_currency_ok("\xc3\x84UR"), "non-ASCII is not");
	ok(!rp_currency_ok(NULL), "NULL is not");

	/* Every value in range formats to text that parses back to itself. */
	srand(99);
	wrong = 0;
	for (i = 0; i < 200000; i++) {
		int64_t c = (int64_t)(((uint64_t)rand() << 31 ^ (uint64_t)rand()) %
		                      100000000000000000ULL);
		char buf[32];
		int m = (int)(i % 5);                /* every number of decimals */
		/* under 10^15 whole units and 10^17 units: what parse takes */
		c %= m == 0 ? 1000000000000000LL : m == 1 ? 10000000000000000LL : 100000000000000000LL;
		if (i & 1)
			c = -c;
		if (i % 3 == 0)
			c %= 100000;                /* small amounts too */
		if (rp_amount_parse(rp_amount_format(c, m, buf, sizeof buf), m, &got) != 0 || got != c)
			wrong++;
	}
	ok(wrong == 0, "200000 random amounts round-trip (%d wrong)", wrong);
	return done_testing();
}
