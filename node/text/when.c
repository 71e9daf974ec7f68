/* node/text/when.c — the WHEN of the CLI, parsed and printed by hand: glibc's
 * strptime accepts 2026-02-30, so every field is range-checked here. Local
 * times are mapped to instants through the process TZ; nothing here reads
 * the clock ("now" is a parameter). */
#include "when.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../proto/error.h"
#include "../../proto/limits.h"

/* Years 1970..9999, as instants: anything a four-digit ISO year can print. */
#define S_T_MIN        0LL
#define S_T_MAX        253402300799LL        /* 9999-12-31T23:59:59Z */
#define S_REL_DAYS_MAX 3650                  /* +Nd / +Nw reach ten years */
#define S_DAY          86400LL

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): exact integer arithmetic, no time zone, no libc. */
static long long s_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int s_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int s_days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && s_leap(y) ? 29 : dim[m - 1];
}

/* Local wall-clock seconds ("as if UTC") of a broken-down local time. */
static long long s_naive_of_tm(const struct tm *tm)
{
	return s_days_from_civil(tm->tm_year + 1900LL, tm->tm_mon + 1, tm->tm_mday) * S_DAY
	       + tm->tm_hour * 3600LL + tm->tm_min * 60LL + tm->tm_sec;
}

/* Local broken-down time of instant t (seconds). */
static int s_localtime(long long t, struct tm *tm)
{
	time_t tt = (time_t)t;

	if ((long long)tt != t || !localtime_r(&tt, tm))
		return RP_EINVAL;
	return 0;
}

/* The local offset from UTC in force at instant t, in seconds. Computed from
 * the broken-down fields rather than tm_gmtoff so it needs no extension. */
static int s_offset(long long t, long long *off)
{
	struct tm tm;

	if (s_localtime(t, &tm) != 0)
		return RP_EINVAL;
	*off = s_naive_of_tm(&tm) - t;
	return 0;
}

/* The instant at which local wall-clock time reads naive. A time that occurs
 * twice (clocks turned back) means its first occurrence. A time that never
 * occurs (clocks turned forward) is refused when exact; otherwise it means
 * the first instant after the gap, so that "the start of a day whose midnight
 * is skipped" and "+1d across a spring-forward" still have an answer.
 * mktime alone cannot tell these cases apart reliably, so candidates are
 * tried from the offsets in force a day either side (transitions are never
 * closer together than that). */
static int s_local_to_utc(long long naive, int exact, long long *out)
{
	long long offs[3], best = 0, omin, omax, lo, hi, o;
	int have = 0, i;

	if (s_offset(naive - S_DAY, &offs[0]) != 0 || s_offset(naive, &offs[1]) != 0 ||
	    s_offset(naive + S_DAY, &offs[2]) != 0)
		return RP_EINVAL;
	for (i = 0; i < 3; i++) {
		long long t = naive - offs[i];
		if (s_offset(t, &o) != 0)
			return RP_EINVAL;
		if (o == offs[i] && (!have || t < best)) {
			best = t;
			have = 1;
		}
	}
	if (have) {
		*out = best;
		return 0;
	}
	if (exact)
		return RP_EINVAL;

	/* In a gap: local time jumps over naive somewhere in [lo, hi]. Find the
	 * first instant whose local time is at or after naive. */
	omin = omax = offs[0];
	for (i = 1; i < 3; i++) {
		if (offs[i] < omin)
			omin = offs[i];
		if (offs[i] > omax)
			omax = offs[i];
	}
	lo = naive - omax;
	hi = naive - omin;
	if (s_offset(lo, &o) != 0 || lo + o >= naive)
		return RP_EINVAL;
	if (s_offset(hi, &o) != 0 || hi + o < naive)
		return RP_EINVAL;
	while (hi - lo > 1) {                   /* lo before naive, hi at or after */
		long long mid = lo + (hi - lo) / 2;
		if (s_offset(mid, &o) != 0)
			return RP_EINVAL;
		if (mid + o >= naive)
			hi = mid;
		else
			lo = mid;
	}
	*out = hi;
	return 0;
}

/* Exactly n ASCII digits at *p. */
static int s_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return RP_EINVAL;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int s_range_ok(long long t)
{
	return t >= S_T_MIN && t <= S_T_MAX;
}

/* YYYY-MM-DD[(T|t|space)HH:MM[:SS][Z|z|±HH:MM]], the whole of text. */
/* iso: reading what rp_when_iso wrote (milliseconds allowed, and T00:00:00Z
 * is a calendar day); else what a person typed (a time at a UTC midnight is
 * an instant: one millisecond on). */
static int s_parse_explicit(const char *p, uint64_t *out_ms, int *kind, int iso)
{
	int y, mo, d, h = 0, mi = 0, s = 0, frac = 0, has_time = 0, has_zone = 0;
	long long naive, t, zone = 0;

	if (s_digits(&p, 4, &y) || *p++ != '-' || s_digits(&p, 2, &mo) || *p++ != '-' ||
	    s_digits(&p, 2, &d))
		return RP_EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > s_days_in_month(y, mo))
		return RP_EINVAL;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		has_time = 1;
		if (s_digits(&p, 2, &h) || *p++ != ':' || s_digits(&p, 2, &mi))
			return RP_EINVAL;
		if (*p == ':') {
			p++;
			if (s_digits(&p, 2, &s))
				return RP_EINVAL;
			/* milliseconds, as rp_when_iso writes an instant in a day's first second */
			if (iso && *p == '.') {
				p++;
				if (s_digits(&p, 3, &frac))
					return RP_EINVAL;
			}
		}
		/* 24:00 and leap seconds are refused: neither round-trips. */
		if (h > 23 || mi > 59 || s > 59)
			return RP_EINVAL;
		if (*p == 'Z' || *p == 'z') {
			p++;
			has_zone = 1;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, zh, zm;
			if (s_digits(&p, 2, &zh) || *p++ != ':' || s_digits(&p, 2, &zm))
				return RP_EINVAL;
			if (zh > 23 || zm > 59)
				return RP_EINVAL;
			zone = sign * (zh * 3600LL + zm * 60LL);
			has_zone = 1;
		}
	}
	if (*p != '\0')
		return RP_EINVAL;

	naive = s_days_from_civil(y, mo, d) * S_DAY + h * 3600LL + mi * 60LL + s;
	if (!has_time)
		t = naive;                          /* a calendar day: its UTC midnight */
	else if (has_zone)
		t = naive - zone;
	else if (s_local_to_utc(naive, 1, &t) != 0)
		return RP_EINVAL;
	if (!s_range_ok(t))
		return RP_EINVAL;
	*out_ms = (uint64_t)t * 1000u + (uint64_t)frac;
	if (!iso && has_time && *out_ms % (S_DAY * 1000u) == 0)
		*out_ms += 1;                       /* 09:00 in Tokyo is 00:00Z: an instant, not a day */
	*kind = has_time ? RP_WHEN_TIME : RP_WHEN_DAY;
	return 0;
}

/* ASCII case-insensitive equality, so "Today" works as well as "today". */
static int s_word(const char *text, const char *word)
{
	for (; *word; text++, word++) {
		char c = *text;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *word)
			return 0;
	}
	return *text == '\0';
}

/* today / tomorrow / yesterday / ±N(d|w). *matched is 0 when text is none
 * of these, so the caller can try an explicit date instead. */
static int s_parse_relative(const char *text, uint64_t now_ms, uint64_t *out_ms, int *matched,
                            int *kind)
{
	long long now_s, naive, t, days = 0;
	struct tm tm;
	int midnight = 1;

	*matched = 1;
	if (s_word(text, "today"))
		days = 0;
	else if (s_word(text, "tomorrow"))
		days = 1;
	else if (s_word(text, "yesterday"))
		days = -1;
	else if (text[0] == '+' || text[0] == '-') {
		const char *p = text + 1;
		int n = 0;
		if (*p < '0' || *p > '9')
			return RP_EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (*p - '0');
			if (n > S_REL_DAYS_MAX)
				return RP_EINVAL;
		}
		if (*p == 'w' || *p == 'W') {
			if (n > S_REL_DAYS_MAX / 7)
				return RP_EINVAL;
			n *= 7;
		} else if (*p != 'd' && *p != 'D')
			return RP_EINVAL;
		if (p[1] != '\0')
			return RP_EINVAL;
		days = text[0] == '-' ? -n : n;
		midnight = 0;
	} else {
		*matched = 0;
		return RP_EINVAL;
	}

	if (now_ms / 1000u > (uint64_t)S_T_MAX)
		return RP_EINVAL;
	now_s = (long long)(now_ms / 1000u);
	*kind = midnight ? RP_WHEN_DAY : RP_WHEN_SHIFT;
	if (!midnight && days == 0) {           /* +0d is now, even in a repeated hour */
		*out_ms = now_ms;
		return 0;
	}
	if (s_localtime(now_s, &tm) != 0)
		return RP_EINVAL;
	naive = s_days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday) + days;
	naive *= S_DAY;
	if (midnight)                           /* today is the reader's calendar day */
		t = naive;
	else if (s_local_to_utc(naive + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec, 0, &t) != 0)
		return RP_EINVAL;                   /* +Nd: wall-clock time of day, not 24 h steps */
	if (!s_range_ok(t))
		return RP_EINVAL;
	*out_ms = (uint64_t)t * 1000u + (midnight ? 0 : now_ms % 1000u);
	if (!midnight && *out_ms % (S_DAY * 1000u) == 0)
		*out_ms += 1;                       /* an instant, never read as a calendar day */
	return 0;
}

int rp_when_parse_kind(const char *text, uint64_t now_ms, uint64_t *out_ms, int *kind)
{
	int matched, rc, k = 0;
	uint64_t ms;

	if (!text || !out_ms)
		return RP_EINVAL;
	rc = s_parse_relative(text, now_ms, &ms, &matched, &k);
	if (!matched)
		rc = s_parse_explicit(text, &ms, &k, 0);
	if (rc)
		return rc;
	*out_ms = ms;
	if (kind)
		*kind = k;
	return 0;
}

int rp_when_parse(const char *text, uint64_t now_ms, uint64_t *out_ms)
{
	return rp_when_parse_kind(text, now_ms, out_ms, NULL);
}

int rp_when_parse_iso(const char *text, uint64_t *out_ms)
{
	uint64_t ms;
	int k;

	if (!text || !out_ms || s_parse_explicit(text, &ms, &k, 1))
		return RP_EINVAL;
	*out_ms = ms;
	return 0;
}

int rp_when_future(uint64_t ms, int kind, uint64_t now_ms)
{
	if (kind == RP_WHEN_DAY)
		return rp_when_day(ms) > rp_when_day(now_ms);
	return kind == RP_WHEN_SHIFT && ms > now_ms;
}

int rp_when_is_day(uint64_t ms)
{
	return ms % (uint64_t)(S_DAY * 1000) == 0;
}

int64_t rp_when_day(uint64_t ms)
{
	struct tm tm;

	if (rp_when_is_day(ms))
		return (int64_t)(ms / (uint64_t)(S_DAY * 1000));
	if (s_localtime((long long)(ms / 1000u), &tm) != 0)
		return (int64_t)(ms / (uint64_t)(S_DAY * 1000));
	return (int64_t)s_days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
}

char *rp_when_iso(uint64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000u);
	struct tm tm;

	if (!out || cap == 0)
		return out;
	out[0] = '\0';
	if (!gmtime_r(&t, &tm))
		return out;
	if (ms % (S_DAY * 1000u) != 0 && ms % (S_DAY * 1000u) < 1000u)   /* not a day: say so */
		snprintf(out, cap, "%04d-%02d-%02dT00:00:00.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		         tm.tm_mday, (unsigned)(ms % 1000u));
	else
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return out;
}

char *rp_when_local(uint64_t ms, char *out, size_t cap)
{
	time_t t = (time_t)(ms / 1000u);
	struct tm tm;

	if (!out || cap == 0)
		return out;
	out[0] = '\0';
	if (rp_when_is_day(ms)) {               /* the same day for every reader */
		if (gmtime_r(&t, &tm))
			snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		return out;
	}
	if (!localtime_r(&t, &tm))
		return out;
	snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return out;
}

int rp_when_period(const char *text, int *days)
{
	const char *p = text;
	long n = 0;
	int unit;

	if (!text || !days || *p < '1' || *p > '9')
		return RP_EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > 366)
			return RP_EINVAL;
	unit = *p == 'd' ? 1 : *p == 'w' ? 7 : *p == 'm' ? 30 : 0;
	if (!unit || p[1] != '\0' || n * unit > 366)
		return RP_EINVAL;
	*days = (int)(n * unit);
	return 0;
}

int rp_when_workday(int64_t day)
{
	int w = (int)(((day % 7) + 7 + 4) % 7);     /* 0 Sunday; 1970-01-01 was a Thursday */
	return w != 0 && w != 6;
}

uint64_t rp_when_day_ms(int64_t day)
{
	return day < 0 ? 0 : (uint64_t)day * (uint64_t)(S_DAY * 1000);
}

int rp_when_workday_in(int64_t day, const int64_t *off, size_t n)
{
	if (!rp_when_workday(day))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (off[i] == day)
			return 0;
	return 1;
}

int64_t rp_when_next_workday_in(int64_t day, const int64_t *off, size_t n)
{
	do
		day++;
	while (!rp_when_workday_in(day, off, n) && day < RP_DAY_MAX);
	return day;
}
