/* proto/hlc.h — hybrid logical clock: 48-bit milliseconds ‖ 16-bit counter.
 * Pure: the wall clock is always a parameter. Orders ops for last-writer-wins.
 *
 * What is guaranteed:
 * - While the local clock is within RP_SKEW_MAX_MS of the wall clock, every
 *   stamp is strictly greater than the last, whatever the wall clock does
 *   within that window (small steps back, NTP slews).
 * - A received stamp never drags the local clock more than RP_SKEW_MAX_MS
 *   ahead of the wall clock.
 * - A local clock more than RP_SKEW_MAX_MS ahead of the wall clock (the
 *   device ran with a wrong date once) is not trusted: the next stamp is
 *   the wall clock's, so once the date is right again new ops carry the
 *   right time instead of the wrong one for ever. A device's own ops stay
 *   ordered by their seq, which never goes back.
 * What is not:
 * - Stamps are not monotonic across such a reset: ops written with the
 *   wrong date keep it. A field set at a far-future time keeps winning
 *   last-writer-wins until someone sets it again at a later time, or an
 *   admin redacts the op; `history` and `status` flag such ops.
 * - The wall clock is believed when it is behind: a device whose clock
 *   jumped back by years dates its ops then (they lose last-writer-wins
 *   to everything newer, and are shown with their date). */
#ifndef RP_HLC_H
#define RP_HLC_H

#include <stdint.h>

typedef uint64_t rp_hlc;

#define RP_HLC_MS(h)      ((h) >> 16)
#define RP_HLC_COUNT(h)   ((h) & 0xffffu)
#define RP_HLC_MAKE(ms,c) (((uint64_t)(ms) << 16) | ((uint64_t)(c) & 0xffffu))

/* 1 if the local clock last is more than RP_SKEW_MAX_MS ahead of wall_ms:
 * the next stamp restarts at the wall clock (the caller may note it). */
int rp_hlc_ahead(rp_hlc last, uint64_t wall_ms);

/* The next timestamp for a local event: strictly greater than last (unless
 * last is not trusted: see above), and at least wall_ms when the wall clock
 * is ahead. A counter overflow rolls into
 * the next ms; wall_ms over RP_HLC_MS_MAX is clamped; the last stamp
 * (UINT64_MAX) saturates rather than wrapping to 0. */
rp_hlc rp_hlc_next(rp_hlc last, uint64_t wall_ms);

/* Merge a received timestamp into the local clock (an untrusted local clock
 * restarts at the wall clock first, as for rp_hlc_next). A remote stamp more than
 * RP_SKEW_MAX_MS ahead of wall_ms moves the clock at most to wall_ms +
 * RP_SKEW_MAX_MS; *skewed (if not NULL) is set to 1 in that case, else 0.
 * Returns the new local clock (>= last). */
rp_hlc rp_hlc_recv(rp_hlc last, rp_hlc remote, uint64_t wall_ms, int *skewed);

#endif
