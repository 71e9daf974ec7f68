/* tests/unit/test_amount.c — amounts as cents: the forms people type, the
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
	int rc = rp_amount_parse(text, &got);
	ok(rc == 0 && got == want, "'%s' -> %lld", text, (long long)want);
	if (rc != 0 || got != want)
		diag("rc %d, got %lld", rc, (long long)got);
}

static void s_bad(const char *text)
{
	int64_t got = 777;
	int rc = rp_amount_parse(text, &got);
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
	is_str(rp_amount_format(cents, buf, sizeof buf), want, "format %lld", (long long)cents);
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
	ok(rp_amount_parse(NULL, &got) == RP_EINVAL, "NULL text refused");
	ok(rp_amount_parse("1", NULL) == RP_EINVAL, "NULL out refused");

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
		is_str(rp_amount_format(420050, small, 4), "420", "format truncates to cap");
		ok(small[4] == 'x', "format writes nothing past cap");
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
		if (i & 1)
			c = -c;
		if (i % 3 == 0)
			c %= 100000;                /* small amounts too */
		if (rp_amount_parse(rp_amount_format(c, buf, sizeof buf), &got) != 0 || got != c)
			wrong++;
	}
	ok(wrong == 0, "200000 random amounts round-trip (%d wrong)", wrong);
	return done_testing();
}
