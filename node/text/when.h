/* node/text/when.h — the WHEN of the CLI: dates and times as users type them, and
 * as rapport prints them. Pure apart from the process time zone (TZ), which
 * gives dates without an offset their meaning; "now" is always a parameter.
 * Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], today, tomorrow,
 * yesterday, +Nd, +Nw, -Nd, -Nw. Impossible dates (2026-02-30) are refused. */
#ifndef RP_WHEN_H
#define RP_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* What a WHEN said: a calendar day (YYYY-MM-DD, today, tomorrow,
 * yesterday), an explicit time (YYYY-MM-DDTHH:MM...), or a shift from now
 * (+3d, -2w: now's wall-clock time of day, that many days on). */
enum { RP_WHEN_DAY = 1, RP_WHEN_TIME = 2, RP_WHEN_SHIFT = 3 };

/* Parse text relative to now_ms into *out_ms (ms since the epoch, UTC) and
 * *kind (may be NULL).
 * A calendar day is stored as its UTC midnight and means that day for
 * every reader, whatever their time zone (DESIGN.md §7): "today" is the
 * reader's local date. An explicit time without an offset is local time;
 * +Nd and +Nw keep the (local, wall-clock) time of day of now, N up to
 * 3650 days, and never land on a UTC midnight (it would read as a day).
 * "T" may be a space; words and d/w are case-insensitive; years 1970..9999.
 * A local time that happens twice (clocks turned back) means the first; one
 * that never happens (clocks turned forward) is refused, except that a +Nd
 * landing in the gap means the first instant after it. Returns 0 or
 * RP_EINVAL (then *out_ms is untouched). */
int rp_when_parse_kind(const char *text, uint64_t now_ms, uint64_t *out_ms, int *kind);
int rp_when_parse(const char *text, uint64_t now_ms, uint64_t *out_ms);

/* 1 when a WHEN of kind, parsed at now_ms into ms, dates something that
 * happened in the future without saying so with a time: a day after today,
 * or a shift (+3d) ahead of now. An explicit time is taken as meant. */
int rp_when_future(uint64_t ms, int kind, uint64_t now_ms);

/* 1 when ms is a calendar day (a UTC midnight), not an instant. */
int rp_when_is_day(uint64_t ms);

/* The calendar day ms falls on for this reader, as days since 1970-01-01:
 * a calendar day is itself; an instant is its local date. Overdue, "today"
 * and "days since" compare these. */
int64_t rp_when_day(uint64_t ms);

/* 1 when day (an rp_when_day number) is Monday to Friday. */
int rp_when_workday(int64_t day);

/* A workday that is none of the n days in off (a team's holidays), and
 * the first such day after day. */
int     rp_when_workday_in(int64_t day, const int64_t *off, size_t n);
int64_t rp_when_next_workday_in(int64_t day, const int64_t *off, size_t n);

/* The calendar day number day as its ms (its UTC midnight). */
uint64_t rp_when_day_ms(int64_t day);

/* A period as people give a rhythm: "3d", "2w", "1m" (a month: 30 days),
 * 1 to 366 days, into *days. Returns 0 or RP_EINVAL. */
int rp_when_period(const char *text, int *days);

/* ISO 8601 UTC, "2026-03-01T09:30:00Z"; an instant in the first second of
 * a UTC day keeps its milliseconds ("2026-03-01T00:00:00.001Z") so that it
 * never reads back as a calendar day. Returns out. cap >= 25. */
char *rp_when_iso(uint64_t ms, char *out, size_t cap);

/* For people: a calendar day as "2026-03-01", an instant as local date and
 * time, "2026-03-01 09:30". cap >= 17. */
char *rp_when_local(uint64_t ms, char *out, size_t cap);

/* Parse an ISO 8601 instant as written by rp_when_iso (or any WHEN with an
 * explicit date): milliseconds are read, and T00:00:00Z reads back as the
 * calendar day it stands for. Returns 0 or RP_EINVAL. */
int rp_when_parse_iso(const char *text, uint64_t *out_ms);

#endif
