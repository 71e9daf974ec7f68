/* node/text/when.h — the WHEN of the CLI: dates and times as users type them, and
 * as rapport prints them. Pure apart from the process time zone (TZ), which
 * gives dates without an offset their meaning; "now" is always a parameter.
 * Accepted: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], today, tomorrow,
 * yesterday, +Nd, +Nw, -Nd, -Nw. Impossible dates (2026-02-30) are refused. */
#ifndef RP_WHEN_H
#define RP_WHEN_H

#include <stddef.h>
#include <stdint.h>

/* Parse text relative to now_ms into *out_ms (ms since the epoch, UTC).
 * Dates without a time mean the start of that day in local time; +Nd and
 * +Nw keep the (local, wall-clock) time of day of now, N up to 3650 days.
 * "T" may be a space; words and d/w are case-insensitive; years 1970..9999.
 * A local time that happens twice (clocks turned back) means the first; one
 * that never happens (clocks turned forward) is refused, except that a date
 * or a +Nd landing in the gap means the first instant after it. Returns 0
 * or RP_EINVAL (then *out_ms is untouched). */
int rp_when_parse(const char *text, uint64_t now_ms, uint64_t *out_ms);

/* ISO 8601 UTC, "2026-03-01T09:30:00Z". Returns out. cap >= 21. */
char *rp_when_iso(uint64_t ms, char *out, size_t cap);

/* Local date and time for people, "2026-03-01 09:30". cap >= 17. */
char *rp_when_local(uint64_t ms, char *out, size_t cap);

/* Parse an ISO 8601 instant as written by rp_when_iso (or any WHEN with an
 * explicit date). Returns 0 or RP_EINVAL. */
int rp_when_parse_iso(const char *text, uint64_t *out_ms);

#endif
