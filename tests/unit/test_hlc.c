/* tests/unit/test_hlc.c — the hybrid logical clock never runs backwards,
 * whatever the wall clock does, and a peer far ahead cannot drag it along. */
#include <stdint.h>

#include "tap.h"
#include "../proto/hlc.h"
#include "../proto/limits.h"

static uint64_t s_rng = 0x9e3779b97f4a7c15ULL;
static uint64_t s_rand(void)
{
	s_rng ^= s_rng >> 12;
	s_rng ^= s_rng << 25;
	s_rng ^= s_rng >> 27;
	return s_rng * 0x2545f4914f6cdd1dULL;
}

/* A wall clock that wanders: mostly forward, often backwards, sometimes
 * by hours (NTP steps, a laptop waking with a dead RTC battery). */
static uint64_t s_walk(uint64_t wall)
{
	int64_t step;

	switch (s_rand() % 8) {
	case 0: step = -(int64_t)(s_rand() % 5000); break;
	case 1: step = -(int64_t)(s_rand() % (3 * 3600 * 1000)); break;
	case 2: step = (int64_t)(s_rand() % (3 * 3600 * 1000)); break;
	case 3: step = 0; break;
	default: step = (int64_t)(s_rand() % 50); break;
	}
	if (step < 0 && (uint64_t)-step > wall)
		return 0;
	return wall + (uint64_t)step;
}

static void test_next(void)
{
	rp_hlc h = 0, prev;
	uint64_t wall = 1700000000000ULL;
	int not_up = 0, behind = 0, backwards_steps = 0, not_reset = 0;

	for (int i = 0; i < 10000; i++) {
		uint64_t w = s_walk(wall);
		if (w < wall)
			backwards_steps++;
		wall = w;
		prev = h;
		h = rp_hlc_next(h, wall);
		if (h <= prev && !rp_hlc_ahead(prev, wall))
			not_up++;
		if (rp_hlc_ahead(prev, wall) && h != RP_HLC_MAKE(wall, 1))
			not_reset++;
		if (RP_HLC_MS(h) < wall)
			behind++;
	}
	is_int(not_up, 0, "10000 steps of a wandering wall clock (%d backwards): next is strictly increasing "
	       "while the clock is within RP_SKEW_MAX_MS of the wall", backwards_steps);
	is_int(not_reset, 0, "and restarts at the wall clock when it is further ahead");
	is_int(behind, 0, "and never behind the wall clock");

	/* A clock that ran ahead once (a date set to 9999) is not trusted. */
	h = rp_hlc_next(RP_HLC_MAKE(253402300799000ULL, 3), 1700000000000ULL);
	ok(h == RP_HLC_MAKE(1700000000000ULL, 1), "a clock far in the future restarts at the wall clock");
	h = rp_hlc_next(RP_HLC_MAKE(1700000000000ULL + RP_SKEW_MAX_MS, 3), 1700000000000ULL);
	ok(h == RP_HLC_MAKE(1700000000000ULL + RP_SKEW_MAX_MS, 4), "one exactly RP_SKEW_MAX_MS ahead is still followed");
	ok(rp_hlc_ahead(RP_HLC_MAKE(1700000000000ULL + RP_SKEW_MAX_MS + 1, 0), 1700000000000ULL) &&
	   !rp_hlc_ahead(RP_HLC_MAKE(1700000000000ULL + RP_SKEW_MAX_MS, 9), 1700000000000ULL),
	   "rp_hlc_ahead is true exactly past RP_SKEW_MAX_MS");
	h = rp_hlc_recv(RP_HLC_MAKE(253402300799000ULL, 3), RP_HLC_MAKE(1700000000000ULL - 5, 0),
	                1700000000000ULL, NULL);
	ok(h == RP_HLC_MAKE(1700000000000ULL, 1), "a receipt restarts a far-future local clock at the wall too");

	h = rp_hlc_next(RP_HLC_MAKE(1000, 5), 2000);
	ok(h == RP_HLC_MAKE(2000, 0), "wall clock ahead: ms = wall, count 0");
	h = rp_hlc_next(RP_HLC_MAKE(1000, 5), 900);
	ok(h == RP_HLC_MAKE(1000, 6), "wall clock behind: count + 1");
	h = rp_hlc_next(RP_HLC_MAKE(1000, 0xffff), 900);
	ok(h == RP_HLC_MAKE(1001, 0), "counter overflow rolls into ms");
	h = rp_hlc_next(RP_HLC_MAKE(1000, 0xffff), 1000);
	ok(h == RP_HLC_MAKE(1001, 0), "counter overflow at the wall's ms rolls too");
	h = rp_hlc_next(0, UINT64_MAX);
	ok(RP_HLC_MS(h) == RP_HLC_MS_MAX, "a wall clock past 48 bits is clamped to RP_HLC_MS_MAX");
	h = rp_hlc_next(UINT64_MAX, UINT64_MAX);
	ok(h == UINT64_MAX, "the last stamp saturates instead of wrapping to 0");

	/* 70000 events in one millisecond: the counter runs out and the clock
	 * borrows from the next millisecond, still strictly increasing. */
	h = RP_HLC_MAKE(5000, 0);
	not_up = 0;
	for (int i = 0; i < 70000; i++) {
		prev = h;
		h = rp_hlc_next(h, 5000);
		if (h <= prev)
			not_up++;
	}
	ok(not_up == 0 && RP_HLC_MS(h) == 5001, "70000 events in one ms stay ordered and roll into the next ms");
}

static void test_recv(void)
{
	uint64_t wall = 1700000000000ULL;
	rp_hlc h, last, remote;
	int sk = -1, not_up = 0, dragged = 0, flags_wrong = 0, not_after = 0;

	h = rp_hlc_recv(RP_HLC_MAKE(wall, 0), RP_HLC_MAKE(wall + 1000, 7), wall, &sk);
	ok(h == RP_HLC_MAKE(wall + 1000, 8) && sk == 0, "a remote 1 s ahead moves us past it, not flagged");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 9), RP_HLC_MAKE(wall, 4), wall, &sk);
	ok(h == RP_HLC_MAKE(wall, 10), "same ms: max count + 1");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 2), RP_HLC_MAKE(wall - 50, 40), wall + 10, &sk);
	ok(h == RP_HLC_MAKE(wall + 10, 0), "wall clock ahead of both: wall, count 0");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 3), RP_HLC_MAKE(wall - 50, 40), wall - 100, &sk);
	ok(h == RP_HLC_MAKE(wall, 4), "local ahead of remote and wall: local count + 1");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 0xffff), RP_HLC_MAKE(wall, 0xffff), wall, &sk);
	ok(h == RP_HLC_MAKE(wall + 1, 0), "recv counter overflow rolls into ms");

	h = rp_hlc_recv(RP_HLC_MAKE(wall, 0), RP_HLC_MAKE(wall + RP_SKEW_MAX_MS, 0), wall, &sk);
	ok(sk == 0 && RP_HLC_MS(h) == wall + RP_SKEW_MAX_MS, "a remote exactly RP_SKEW_MAX_MS ahead is followed, not flagged");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 0), RP_HLC_MAKE(wall + RP_SKEW_MAX_MS + 1, 0), wall, &sk);
	ok(sk == 1, "a remote RP_SKEW_MAX_MS + 1 ms ahead is flagged");
	ok(RP_HLC_MS(h) == wall + RP_SKEW_MAX_MS, "and moves us only to wall + RP_SKEW_MAX_MS");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 0), UINT64_MAX, wall, &sk);
	ok(sk == 1 && RP_HLC_MS(h) == wall + RP_SKEW_MAX_MS, "a remote at the end of time is capped too");
	h = rp_hlc_recv(RP_HLC_MAKE(wall, 0), UINT64_MAX, wall, NULL);
	ok(RP_HLC_MS(h) == wall + RP_SKEW_MAX_MS, "skewed may be NULL");
	h = rp_hlc_recv(UINT64_MAX, UINT64_MAX, UINT64_MAX, &sk);
	ok(h == UINT64_MAX, "recv saturates at the last stamp");

	/* Random walk: local events, receipts of sane and wildly skewed
	 * remotes, and a wall clock that wanders back and forth. */
	last = RP_HLC_MAKE(wall, 0);
	for (int i = 0; i < 10000; i++) {
		uint64_t ahead;

		wall = s_walk(wall);
		if (s_rand() % 3 == 0) {
			h = rp_hlc_next(last, wall);
		} else {
			switch (s_rand() % 3) {
			case 0: ahead = s_rand() % 1000; break;
			case 1: ahead = s_rand() % (2 * RP_SKEW_MAX_MS); break;
			default: ahead = s_rand() % (1ULL << 40); break;
			}
			remote = RP_HLC_MAKE(wall + ahead, s_rand() & 0xffff);
			if (s_rand() % 4 == 0)
				remote = RP_HLC_MAKE(wall > ahead ? wall - ahead : 0, s_rand() & 0xffff);
			h = rp_hlc_recv(last, remote, wall, &sk);
			if (sk != (RP_HLC_MS(remote) > wall + RP_SKEW_MAX_MS))
				flags_wrong++;
			if (!sk && h <= remote)
				not_after++;
			/* Never past the cap, unless our own clock already was. */
			if (RP_HLC_MS(h) > wall + RP_SKEW_MAX_MS && RP_HLC_MS(h) > RP_HLC_MS(last) + 1)
				dragged++;
		}
		if (h <= last && !rp_hlc_ahead(last, wall))
			not_up++;
		last = h;
	}
	is_int(not_up, 0, "10000 mixed next/recv steps under a wandering wall clock: strictly increasing "
	       "while within RP_SKEW_MAX_MS of the wall");
	is_int(flags_wrong, 0, "skewed is set exactly when the remote is over RP_SKEW_MAX_MS ahead");
	is_int(not_after, 0, "an unskewed receipt always lands after the remote stamp");
	is_int(dragged, 0, "a skewed remote never drags the clock past wall + RP_SKEW_MAX_MS");
}

int main(void)
{
	test_next();
	test_recv();
	return done_testing();
}
