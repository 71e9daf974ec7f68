/* proto/hlc.c — hybrid logical clock arithmetic. The wall clock is always an
 * argument, so tests can run it backwards; nothing here reads the time. */
#include "hlc.h"

#include "limits.h"

/* The largest stamp: past it the clock cannot advance, so it saturates
 * (48-bit ms run out in the year 10889; saturating beats wrapping to 0). */
#define S_HLC_LAST RP_HLC_MAKE(RP_HLC_MS_MAX, 0xffffu)

static uint64_t s_clamp_ms(uint64_t ms)
{
	return ms > RP_HLC_MS_MAX ? RP_HLC_MS_MAX : ms;
}

/* ms ‖ count, where count may be 0x10000: the carry rolls into ms. */
static rp_hlc s_make(uint64_t ms, uint64_t count)
{
	if (count > 0xffffu) {
		if (ms >= RP_HLC_MS_MAX)
			return S_HLC_LAST;
		ms++;
		count = 0;
	}
	return RP_HLC_MAKE(ms, count);
}

/* The local clock, unless it is more than RP_SKEW_MAX_MS ahead of the wall
 * clock: then it ran ahead once (a wrong date, a bad time server) and is
 * not trusted; it restarts at the wall clock. */
static rp_hlc s_trusted(rp_hlc last, uint64_t wall_ms)
{
	if (RP_HLC_MS(last) > s_clamp_ms(wall_ms + RP_SKEW_MAX_MS))
		return RP_HLC_MAKE(wall_ms, 0);
	return last;
}

int rp_hlc_ahead(rp_hlc last, uint64_t wall_ms)
{
	return RP_HLC_MS(last) > s_clamp_ms(s_clamp_ms(wall_ms) + RP_SKEW_MAX_MS);
}

rp_hlc rp_hlc_next(rp_hlc last, uint64_t wall_ms)
{
	wall_ms = s_clamp_ms(wall_ms);
	last = s_trusted(last, wall_ms);
	if (wall_ms > RP_HLC_MS(last))
		return RP_HLC_MAKE(wall_ms, 0);
	return s_make(RP_HLC_MS(last), RP_HLC_COUNT(last) + 1);
}

rp_hlc rp_hlc_recv(rp_hlc last, rp_hlc remote, uint64_t wall_ms, int *skewed)
{
	uint64_t cap, lms, rms, ms;
	int sk = 0;

	wall_ms = s_clamp_ms(wall_ms);
	last = s_trusted(last, wall_ms);
	cap = s_clamp_ms(wall_ms + RP_SKEW_MAX_MS);
	/* A peer's clock far ahead must not drag ours along: it would make
	 * every later local edit lose last-writer-wins to nothing. */
	if (RP_HLC_MS(remote) > cap) {
		remote = RP_HLC_MAKE(cap, 0);
		sk = 1;
	}
	if (skewed)
		*skewed = sk;

	lms = RP_HLC_MS(last);
	rms = RP_HLC_MS(remote);
	ms = lms > rms ? lms : rms;
	if (wall_ms > ms)
		return RP_HLC_MAKE(wall_ms, 0);
	if (lms == rms) {
		uint64_t lc = RP_HLC_COUNT(last), rc = RP_HLC_COUNT(remote);
		return s_make(ms, (lc > rc ? lc : rc) + 1);
	}
	if (ms == lms)
		return s_make(ms, RP_HLC_COUNT(last) + 1);
	return s_make(ms, RP_HLC_COUNT(remote) + 1);
}
