/* fuzz/fuzz_when.c — libFuzzer harness for node/text/when.c: any text parses or
 * is refused without a crash; what parses lies in 1970..9999 and survives
 * rp_when_iso -> rp_when_parse_iso as far as the ISO text keeps it (whole
 * seconds; a day's first-second instants to the millisecond). Runs in Europe/Berlin so the
 * daylight-saving paths are exercised too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../node/text/when.h"

#define S_NOW  1772357400000ULL         /* 2026-03-01T09:30:00Z, whole seconds */
#define S_MAX  253402300799999ULL       /* 9999-12-31T23:59:59.999Z */

/* What rp_when_iso keeps of ms: whole seconds, and the milliseconds of an
 * instant in a day's first second (so that it never reads as the day). */
static uint64_t s_iso_kept(uint64_t ms)
{
	uint64_t in_day = ms % 86400000u;
	return in_day != 0 && in_day < 1000u ? ms : ms / 1000u * 1000u;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], iso[32], local[32];
	uint64_t ms, back, now = S_NOW;

	if (size >= sizeof text)
		return 0;
	/* The first byte, when it is not text, moves "now" around too. */
	if (size > 0 && data[0] >= 0x80) {
		now = S_NOW + (uint64_t)(data[0] - 0x80) * 3600u * 1000u * 97u;
		data++;
		size--;
	}
	memcpy(text, data, size);
	text[size] = '\0';

	if (rp_when_parse(text, now, &ms) == 0) {
		if (ms > S_MAX)
			abort();
		rp_when_iso(ms, iso, sizeof iso);
		if ((strlen(iso) != 20 && strlen(iso) != 24) || rp_when_parse_iso(iso, &back) != 0 ||
		    back != s_iso_kept(ms))
			abort();
		/* A day reads as a date alone; an instant as local date and time
		 * (east of UTC, the last hours of 9999 are local year 10000). */
		rp_when_local(ms, local, sizeof local);
		if (rp_when_is_day(ms) ? strlen(local) != 10 : strlen(local) != 16 && strlen(local) != 17)
			abort();
	}
	if (rp_when_parse_iso(text, &ms) == 0) {
		if (ms > S_MAX)
			abort();
		rp_when_iso(ms, iso, sizeof iso);
		if (rp_when_parse_iso(iso, &back) != 0 || back != s_iso_kept(ms))
			abort();
	}
	return 0;
}
