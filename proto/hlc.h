/* proto/hlc.h — hybrid logical clock: 48-bit milliseconds ‖ 16-bit counter.
 * Pure: the wall clock is always a parameter. Orders ops for last-writer-wins;
 * never runs backwards, whatever the wall clock does. */
#ifndef RP_HLC_H
#define RP_HLC_H

#include <stdint.h>

typedef uint64_t rp_hlc;

#define RP_HLC_MS(h)      ((h) >> 16)
#define RP_HLC_COUNT(h)   ((h) & 0xffffu)
#define RP_HLC_MAKE(ms,c) (((uint64_t)(ms) << 16) | ((uint64_t)(c) & 0xffffu))

/* The next timestamp for a local event: strictly greater than last, and at
 * least wall_ms when the wall clock is ahead. A counter overflow rolls into
 * the next ms; wall_ms over RP_HLC_MS_MAX is clamped; the last stamp
 * (UINT64_MAX) saturates rather than wrapping to 0. */
rp_hlc rp_hlc_next(rp_hlc last, uint64_t wall_ms);

/* Merge a received timestamp into the local clock. A remote stamp more than
 * RP_SKEW_MAX_MS ahead of wall_ms moves the clock at most to wall_ms +
 * RP_SKEW_MAX_MS; *skewed (if not NULL) is set to 1 in that case, else 0.
 * Returns the new local clock (>= last). */
rp_hlc rp_hlc_recv(rp_hlc last, rp_hlc remote, uint64_t wall_ms, int *skewed);

#endif
