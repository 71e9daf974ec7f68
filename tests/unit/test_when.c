/* tests/unit/test_when.c — WHEN parsing and printing: every accepted form,
 * impossible dates and hostile text refused, round trips, and local time in
 * zones with daylight saving (Europe/Berlin) and a skipped midnight
 * (America/Santiago). Sets TZ itself; needs no clock. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "../node/text/when.h"
#include "../proto/error.h"

#define MAR1   1772323200000ULL      /* 2026-03-01T00:00:00Z */
#define NOW    1772357400000ULL      /* 2026-03-01T09:30:00Z, a Sunday */
#define DAY_MS 86400000ULL

static void s_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static int s_have_zone(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
	return access(path, R_OK) == 0;
}

static void s_is(const char *text, uint64_t now, uint64_t want)
{
	uint64_t got = 0;
	int rc = rp_when_parse(text, now, &got);
	ok(rc == 0 && got == want, "'%s' -> %llu", text, (unsigned long long)want);
	if (rc != 0 || got != want)
		diag("rc %d, got %llu", rc, (unsigned long long)got);
}

static void s_bad(const char *text, uint64_t now)
{
	uint64_t got = 12345;
	int rc = rp_when_parse(text, now, &got);
	char shown[64];
	size_t i;

	/* Control characters would break the TAP line. */
	for (i = 0; text[i] && i < sizeof shown - 1; i++)
		shown[i] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
	shown[i] = '\0';
	ok(rc == RP_EINVAL && got == 12345, "refused: '%s'", shown);
}

static void s_iso_is(uint64_t ms, const char *want)
{
	char buf[32];
	is_str(rp_when_iso(ms, buf, sizeof buf), want, "iso %llu", (unsigned long long)ms);
}

static uint64_t s_rand64(void)
{
	return ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
}

static void test_utc(void)
{
	static const char *bad[] = {
		"", " ", "2026-02-30", "2026-02-29", "2100-02-29", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-01-32", "2026-04-31", "2026-06-31",
		"2026-03-01T24:00", "2026-03-01T23:60", "2026-03-01T12:00:60",
		"2026-03-01T12:00:99", "2026-03-01x", "2026-03-01T", "2026-03-01T9:30",
		"2026-03-01T09", "2026-03-01T09:", "2026-03-01T09:3", "2026-03-01T09:30:",
		"2026-03-01T09:30:0", "2026-3-1", "26-03-01", "02026-03-01", "1969-12-31",
		"0000-01-01", "10000-01-01", "2026-03-01T09:30Zjunk", "2026-03-01T09:30ZZ",
		"2026-03-01T09:30+1:00", "2026-03-01T09:30+01", "2026-03-01T09:30+0100",
		"2026-03-01T09:30+24:00", "2026-03-01T09:30+01:60", "2026-03-01T09:30:00.123Z",
		"2026-03-01 ", " 2026-03-01", "2026-03-01Z", "2026-03-01+01:00",
		"2026-03-01T09:30 Z", "2026-03-01  09:30", "2026-03-01_09:30", "2026/03/01",
		"2026-03-01\n", "2026-03-01\t09:30", "9999-12-31T23:00-05:00",
		"1970-01-01T00:30+01:00", "2026\xe2\x80\x90\x30\x33\xe2\x80\x90\x30\x31",
		"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-03-01",
		"+", "-", "+d", "+w", "+3", "+3x", "+3dd", "+3d ", "3d", "d", "++3d",
		"+-3d", "+ 3d", "+3651d", "-3651d", "+522w", "-522w", "+99999999999999999999d",
		"+3h", "+3m", "+3y", "+1.5d", "today ", " today", "todayx", "tod", "to",
		"tomorrow!", "yesterdays", "now", "next week", "-2026-03-01",
		"+2026-03-01", "2026-03-01T09:30:00+01:00:00",
	};
	uint64_t got;
	size_t i;

	s_tz("UTC");
	s_is("2026-03-01", NOW, MAR1);
	s_is("2026-03-01T09:30", 0, NOW);
	s_is("2026-03-01T09:30:00", 0, NOW);
	s_is("2026-03-01 09:30", 0, NOW);
	s_is("2026-03-01t09:30z", 0, NOW);
	s_is("2026-03-01T09:30Z", 0, NOW);
	s_is("2026-03-01T09:30:00Z", 0, NOW);
	s_is("2026-03-01T10:30+01:00", 0, NOW);
	s_is("2026-03-01T04:00-05:30", 0, NOW);
	s_is("2026-03-01T09:30-00:00", 0, NOW);
	s_is("2026-03-01T09:30:59Z", 0, NOW + 59000);
	s_is("2028-02-29", 0, 1835395200000ULL);
	s_is("2000-02-29", 0, 951782400000ULL);
	s_is("1970-01-01", 0, 0);
	s_is("1970-01-01T00:00:00Z", 0, 1);         /* typed with a time: an instant, not the day */
	s_is("9999-12-31T23:59:59Z", 0, 253402300799000ULL);
	s_is("9999-12-31T23:59:59", 0, 253402300799000ULL);
	s_is("2026-12-31T23:59:59", 0, 1798761599000ULL);

	s_is("today", NOW, MAR1);
	s_is("TODAY", NOW, MAR1);
	s_is("Tomorrow", NOW, MAR1 + DAY_MS);
	s_is("tomorrow", NOW, MAR1 + DAY_MS);
	s_is("yesterday", NOW, MAR1 - DAY_MS);
	s_is("today", MAR1, MAR1);
	s_is("today", MAR1 + DAY_MS - 1, MAR1);
	s_is("+3d", NOW, NOW + 3 * DAY_MS);
	s_is("+2w", NOW, NOW + 14 * DAY_MS);
	s_is("-1d", NOW, NOW - DAY_MS);
	s_is("-1w", NOW, NOW - 7 * DAY_MS);
	s_is("+0d", NOW + 123, NOW + 123);
	s_is("-0w", NOW + 123, NOW + 123);
	s_is("+1d", NOW + 123, NOW + 123 + DAY_MS);
	s_is("+007d", NOW, NOW + 7 * DAY_MS);
	s_is("+3650d", NOW, NOW + 3650 * DAY_MS);
	s_is("-3650d", NOW, NOW - 3650 * DAY_MS);
	s_is("+521w", NOW, NOW + 3647 * DAY_MS);
	s_is("+1D", NOW, NOW + DAY_MS);
	s_is("+1W", NOW, NOW + 7 * DAY_MS);
	/* lands on 2028-02-29T00:00Z: an instant, a millisecond on, never read as a day */
	s_is("+29d", 1835395200000ULL - 29 * DAY_MS, 1835395200001ULL);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		s_bad(bad[i], NOW);
	/* Relative words need a "now" inside the years we print. */
	s_bad("yesterday", 0);
	s_bad("-1d", 1000);
	s_bad("today", UINT64_MAX);
	s_bad("+1d", 253402300799000ULL);
	s_is("today", 253402300799000ULL, 253402300799000ULL - 86399000ULL);

	ok(rp_when_parse(NULL, NOW, &got) == RP_EINVAL, "NULL text refused");
	ok(rp_when_parse("today", NOW, NULL) == RP_EINVAL, "NULL out refused");
	ok(rp_when_parse_iso(NULL, &got) == RP_EINVAL, "parse_iso: NULL text refused");
	ok(rp_when_parse_iso("today", &got) == RP_EINVAL, "parse_iso: 'today' refused");
	ok(rp_when_parse_iso("+1d", &got) == RP_EINVAL, "parse_iso: '+1d' refused");
	ok(rp_when_parse_iso("2026-02-30T00:00:00Z", &got) == RP_EINVAL, "parse_iso: impossible date refused");
	ok(rp_when_parse_iso("2026-03-01T09:30:00Z", &got) == 0 && got == NOW, "parse_iso: own output");
	ok(rp_when_parse_iso("2026-03-01", &got) == 0 && got == MAR1, "parse_iso: a plain date");

	s_iso_is(0, "1970-01-01T00:00:00Z");
	s_iso_is(NOW, "2026-03-01T09:30:00Z");
	s_iso_is(NOW + 999, "2026-03-01T09:30:00Z");
	s_iso_is(253402300799000ULL, "9999-12-31T23:59:59Z");
	s_iso_is(1835395200000ULL, "2028-02-29T00:00:00Z");
	{
		char buf[32], small[8];
		memset(small, 'x', sizeof small);
		is_str(rp_when_local(NOW, buf, sizeof buf), "2026-03-01 09:30", "local in UTC");
		is_str(rp_when_iso(NOW, small, 5), "2026", "iso truncates to cap");
		ok(small[5] == 'x', "iso writes nothing past cap");
		is_str(rp_when_local(NOW, small, 5), "2026", "local truncates to cap");
		ok(rp_when_iso(NOW, buf, 0) == buf, "cap 0 returns out");
	}

	/* Every date of many years against libc's own calendar: accepted
	 * exactly when it exists, and at the instant timegm gives. */
	{
		int y, m, d, wrong = 0, n = 0;
		for (y = 1970; y <= 2500; y++)
			for (m = 1; m <= 12; m++)
				for (d = 1; d <= 31; d++) {
					char text[16];
					struct tm tm = { 0 }, back;
					time_t t;
					int exists, rc;
					tm.tm_year = y - 1900;
					tm.tm_mon = m - 1;
					tm.tm_mday = d;
					t = timegm(&tm);
					gmtime_r(&t, &back);
					exists = back.tm_mday == d && back.tm_mon == m - 1;
					snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
					rc = rp_when_parse(text, NOW, &got);
					if ((rc == 0) != exists || (rc == 0 && got != (uint64_t)t * 1000u))
						wrong++;
					n++;
				}
		ok(wrong == 0, "%d dates of 1970..2500 agree with timegm (%d wrong)", n, wrong);
	}

	/* iso -> parse_iso is the identity on whole seconds. */
	{
		int i2, wrong = 0;
		char buf2[32];
		for (i2 = 0; i2 < 100000; i2++) {
			uint64_t ms = s_rand64() % 253402300800ULL * 1000u;
			char buf[32];
			if (rp_when_parse_iso(rp_when_iso(ms, buf, sizeof buf), &got) != 0 || got != ms)
				wrong++;
		}
		ok(wrong == 0, "100000 random instants round-trip through iso (%d wrong)", wrong);
		is_str(rp_when_iso(MAR1 + 1, buf2, sizeof buf2), "2026-03-01T00:00:00.001Z",
		       "an instant in a day's first second keeps its milliseconds");
		ok(rp_when_parse_iso(buf2, &got) == 0 && got == MAR1 + 1 && !rp_when_is_day(got),
		   "... and reads back as that instant, not the day");
		ok(rp_when_parse_iso("2026-03-01T00:00:00Z", &got) == 0 && got == MAR1 && rp_when_is_day(got),
		   "T00:00:00Z reads back as the day");
	}
}

static void test_berlin(void)
{
	static const char *gap[] = {
		"2026-03-29T02:00", "2026-03-29T02:30", "2026-03-29T02:59:59", "2026-03-29 02:15",
	};
	char buf[32];
	uint64_t got;
	size_t i;

	if (!s_have_zone("Europe/Berlin")) {
		ok(1, "Europe/Berlin # skip no /usr/share/zoneinfo/Europe/Berlin");
		return;
	}
	s_tz("Europe/Berlin");
	s_is("2026-03-01", NOW, MAR1);                      /* a calendar day: its UTC midnight */
	s_is("2026-07-01T12:00", NOW, 1782900000000ULL);     /* 10:00Z, CEST */
	s_is("2026-03-01T09:30Z", 0, NOW);                  /* an offset ignores TZ */
	s_is("2026-03-01T10:30+01:00", 0, NOW);
	s_is("today", NOW, MAR1);
	s_is("today", MAR1 - 1800000ULL, MAR1);             /* 23:30Z is 00:30 local: the 1st */
	s_is("today", MAR1 - 3600000ULL - 1, MAR1 - DAY_MS); /* 22:59:59Z is still the 28th */
	/* Clocks go forward on 2026-03-29 at 02:00 CET (01:00Z). */
	s_is("2026-03-29", NOW, 1774742400000ULL);           /* the day: 2026-03-29T00:00Z */
	s_is("2026-03-29T01:59:59", NOW, 1774745999000ULL);
	s_is("2026-03-29T03:00", NOW, 1774746000000ULL);     /* 01:00Z */
	for (i = 0; i < sizeof gap / sizeof gap[0]; i++)
		s_bad(gap[i], NOW);
	ok(rp_when_parse_iso("2026-03-29T02:30", &got) == RP_EINVAL, "parse_iso: time in the gap refused");
	/* +1d keeps the wall-clock time, not 24 hours. */
	s_is("+1d", 1774699200000ULL, 1774782000000ULL);     /* 28th 13:00 CET -> 29th 13:00 CEST */
	/* ...and from 02:30 the day before, lands on the first instant after the gap. */
	s_is("+1d", 1774661400000ULL, 1774746000000ULL);
	s_is("tomorrow", 1774699200000ULL, 1774742400000ULL);
	/* Clocks go back on 2026-10-25 at 03:00 CEST (01:00Z): 02:30 happens
	 * twice, and means the first time. */
	s_is("2026-10-25T02:30", NOW, 1792888200000ULL);     /* 00:30Z */
	s_is("2026-10-25T03:00", NOW, 1792893600000ULL);     /* 02:00Z */
	s_is("2026-10-25T01:59", NOW, 1792886340000ULL);
	s_is("2026-10-25", NOW, 1792886400000ULL);           /* the day: 2026-10-25T00:00Z */
	s_is("+0d", 1792891800000ULL, 1792891800000ULL);     /* the second 02:30 stays itself */
	s_is("1970-01-01", NOW, 0);                          /* a day, whatever the zone */
	s_is("1970-01-01T01:00", NOW, 1);
	is_str(rp_when_local(MAR1 - 3600000ULL, buf, sizeof buf), "2026-03-01 00:00", "local in Berlin");
	is_str(rp_when_local(MAR1, buf, sizeof buf), "2026-03-01", "a day is that day in Berlin too");
	ok(rp_when_day(MAR1 - 3600000ULL) == rp_when_day(MAR1), "23:00Z on the 28th is the 1st in Berlin");
	is_str(rp_when_local(1792888200000ULL, buf, sizeof buf), "2026-10-25 02:30", "local, first 02:30");
	is_str(rp_when_iso(NOW, buf, sizeof buf), "2026-03-01T09:30:00Z", "iso ignores TZ");

	/* Every local minute stamp of 2026 at half-hour steps: parse gives an
	 * instant whose local time reads the same, or is refused because that
	 * time does not exist (and then mktime cannot round-trip it either). */
	{
		int wrong = 0, refused = 0, step;
		for (step = 0; step < 365 * 48; step++) {
			time_t t = (time_t)(MAR1 / 1000u) - 59 * 86400 + step * 1800 + 7 * 60;
			struct tm u, l, m;
			char text[64];
			time_t mt;
			int rc;
			gmtime_r(&t, &u);               /* read a UTC stamp as local wall time */
			snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d", u.tm_year + 1900,
			         u.tm_mon + 1, u.tm_mday, u.tm_hour, u.tm_min);
			rc = rp_when_parse(text, NOW, &got);
			m = u;
			m.tm_isdst = -1;
			mt = mktime(&m);
			if (rc == 0) {
				time_t lt = (time_t)(got / 1000u);
				localtime_r(&lt, &l);
				if (l.tm_hour != u.tm_hour || l.tm_min != u.tm_min || l.tm_mday != u.tm_mday ||
				    l.tm_mon != u.tm_mon || l.tm_year != u.tm_year || lt > mt)
					wrong++;
			} else {
				refused++;
				localtime_r(&mt, &l);
				if (l.tm_hour == u.tm_hour && l.tm_min == u.tm_min)
					wrong++;
			}
		}
		ok(wrong == 0 && refused == 2, "local times of 2026 agree with localtime (%d wrong, %d refused)",
		   wrong, refused);
	}
}

static void test_santiago(void)
{
	if (!s_have_zone("America/Santiago")) {
		ok(1, "America/Santiago # skip no /usr/share/zoneinfo/America/Santiago");
		return;
	}
	/* Midnight of 2026-09-06 never happens there (00:00 -04 -> 01:00 -03):
	 * the day is still that day; its times start at 01:00 local, 04:00Z. */
	s_tz("America/Santiago");
	s_is("2026-09-06", NOW, 1788652800000ULL);
	s_is("tomorrow", 1788620400000ULL, 1788652800000ULL); /* from 2026-09-05T15:00Z */
	s_bad("2026-09-06T00:30", NOW);
	s_is("2026-09-06T01:00", NOW, 1788667200000ULL);
}

/* A date without a time is that calendar day for every reader (DESIGN.md
 * §7): written in New York, read in Tokyo, it is still 2026-07-01. */
static void test_calendar_days(void)
{
	const uint64_t JUL1 = 1782864000000ULL;            /* 2026-07-01T00:00:00Z */
	uint64_t got = 0;
	char buf[32];
	int kind = 0;

	if (!s_have_zone("America/New_York") || !s_have_zone("Asia/Tokyo")) {
		ok(1, "calendar days # skip no New York or Tokyo zone here");
		return;
	}
	s_tz("America/New_York");
	ok(rp_when_parse_kind("2026-07-01", NOW, &got, &kind) == 0 && got == JUL1 && kind == RP_WHEN_DAY,
	   "New York: 2026-07-01 is the day, kind DAY");
	is_str(rp_when_local(JUL1, buf, sizeof buf), "2026-07-01", "New York reads it as 2026-07-01 (not 06-30 20:00)");
	s_tz("Asia/Tokyo");
	is_str(rp_when_local(JUL1, buf, sizeof buf), "2026-07-01", "Tokyo reads the same day");
	ok(rp_when_day(JUL1) == 20635, "its day number is the same everywhere");
	/* An instant is its reader's local date: 2026-07-01T20:00Z is the 2nd in Tokyo. */
	ok(rp_when_day(JUL1 + 20 * 3600000ULL) == 20636, "Tokyo: 20:00Z is already the next day");
	s_tz("America/New_York");
	ok(rp_when_day(JUL1 + 20 * 3600000ULL) == 20635, "New York: the same instant is still the 1st");
	/* "today" is the reader's own date. 2026-07-01T02:00Z is June 30 in New York. */
	ok(rp_when_parse("today", JUL1 + 2 * 3600000ULL, &got) == 0 && got == JUL1 - DAY_MS,
	   "New York at 22:00 local: today is 2026-06-30");
	s_tz("Asia/Tokyo");
	ok(rp_when_parse("today", JUL1 + 2 * 3600000ULL, &got) == 0 && got == JUL1,
	   "Tokyo at 11:00 local: today is 2026-07-01");
	ok(rp_when_parse_kind("2026-07-01T10:00", NOW, &got, &kind) == 0 && kind == RP_WHEN_TIME &&
	   got == JUL1 + 1 * 3600000ULL, "a time without an offset is local (10:00 JST = 01:00Z), kind TIME");
	ok(rp_when_parse_kind("+3d", NOW, &got, &kind) == 0 && kind == RP_WHEN_SHIFT, "+3d is a SHIFT");
	ok(rp_when_parse_kind("tomorrow", NOW, &got, &kind) == 0 && kind == RP_WHEN_DAY, "tomorrow is a DAY");
	/* What happened is not in the future unless a time says so. */
	ok(rp_when_future(JUL1 + DAY_MS, RP_WHEN_DAY, JUL1 + 3600000ULL), "tomorrow's date is the future");
	ok(!rp_when_future(JUL1, RP_WHEN_DAY, JUL1 + 3600000ULL), "today's date is not");
	ok(rp_when_future(JUL1 + 3 * DAY_MS, RP_WHEN_SHIFT, JUL1), "+3d is the future");
	ok(!rp_when_future(JUL1 - 3 * DAY_MS, RP_WHEN_SHIFT, JUL1), "-3d is not");
	ok(!rp_when_future(JUL1 + 3 * DAY_MS, RP_WHEN_TIME, JUL1), "an explicit time ahead is meant");
	s_tz("UTC");
}

int main(void)
{
	srand(4711);
	test_utc();
	test_berlin();
	test_santiago();
	test_calendar_days();
	return done_testing();
}
