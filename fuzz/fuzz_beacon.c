/* fuzz/fuzz_beacon.c — libFuzzer harness for proto/beacon.c: any datagram is
 * judged without a crash; one judged a beacon of the team re-encodes to the
 * very same bytes (nothing in it is ignored), and a beacon made of any
 * fields decodes back to them. The team is fixed: the first input bytes
 * pick the stamp and the fields of the encoded one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/beacon.h"
#include "../proto/error.h"
#include "../proto/id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t team[RP_TEAM_LEN] = { 7, 7, 7 };
	const uint64_t now = 1800000000000ULL;
	rp_beacon b, back;
	uint8_t out[RP_BEACON_LEN];
	int rc = rp_beacon_decode(data, size, team, now, &b);

	if (rc == 0) {
		rp_beacon_encode(&b, out);
		if (size != RP_BEACON_LEN || memcmp(out, data, RP_BEACON_LEN) != 0)
			abort();
	} else if (rc != RP_EFORMAT && rc != RP_ENOTMEMBER && rc != RP_ELIMIT) {
		abort();
	}
	/* any fields: encoded, then decoded to the same */
	memset(&b, 0, sizeof b);
	memcpy(b.team, team, RP_TEAM_LEN);
	memcpy(b.device, data, size < RP_DEVICE_LEN ? size : RP_DEVICE_LEN);
	b.port = size > 1 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	b.port = b.port ? b.port : 1;
	b.stamp_ms = now - RP_BEACON_SKEW_MS + (size * 7919) % (2 * RP_BEACON_SKEW_MS);
	rp_beacon_encode(&b, out);
	if (rp_beacon_decode(out, sizeof out, team, now, &back) != 0 || memcmp(back.team, b.team, RP_TEAM_LEN) ||
	    memcmp(back.device, b.device, RP_DEVICE_LEN) || back.port != b.port || back.stamp_ms != b.stamp_ms)
		abort();
	out[size % RP_BEACON_LEN] ^= 1;     /* any bit flipped: not ours any more */
	if (rp_beacon_decode(out, sizeof out, team, now, &back) == 0)
		abort();
	return 0;
}
