/* proto/beacon.c — the LAN beacon's bytes (see beacon.h). */
#include <string.h>
#include <sodium.h>

#include "beacon.h"
#include "error.h"

#define S_MAC_LEN 16
#define S_BODY    (RP_BEACON_LEN - S_MAC_LEN)

static const uint8_t s_magic[4] = { 'R', 'P', 'B', '1' };

static void s_key(const uint8_t team[RP_TEAM_LEN], uint8_t key[32])
{
	static const char ctx[] = "rapport beacon v1";
	crypto_generichash(key, 32, (const uint8_t *)ctx, sizeof ctx - 1, team, RP_TEAM_LEN);
}

static void s_mac(const uint8_t *body, const uint8_t team[RP_TEAM_LEN], uint8_t mac[S_MAC_LEN])
{
	uint8_t key[32];
	s_key(team, key);
	crypto_generichash(mac, S_MAC_LEN, body, S_BODY, key, sizeof key);
}

void rp_beacon_encode(const rp_beacon *b, uint8_t out[RP_BEACON_LEN])
{
	uint8_t *p = out;
	memcpy(p, s_magic, 4), p += 4;
	*p++ = RP_BEACON_VERSION;
	memcpy(p, b->team, RP_TEAM_LEN), p += RP_TEAM_LEN;
	memcpy(p, b->device, RP_DEVICE_LEN), p += RP_DEVICE_LEN;
	*p++ = (uint8_t)(b->port >> 8);
	*p++ = (uint8_t)b->port;
	rp_be64_put(p, b->stamp_ms), p += 8;
	s_mac(out, b->team, p);
}

int rp_beacon_decode(const uint8_t *buf, size_t len, const uint8_t team[RP_TEAM_LEN],
                     uint64_t now_ms, rp_beacon *b)
{
	uint8_t mac[S_MAC_LEN];
	const uint8_t *p = buf + 5;
	if (!buf || len != RP_BEACON_LEN || memcmp(buf, s_magic, 4) || buf[4] != RP_BEACON_VERSION)
		return RP_EFORMAT;
	if (sodium_memcmp(p, team, RP_TEAM_LEN) != 0)
		return RP_ENOTMEMBER;
	s_mac(buf, team, mac);
	if (sodium_memcmp(mac, buf + S_BODY, S_MAC_LEN) != 0)
		return RP_ENOTMEMBER;
	memcpy(b->team, p, RP_TEAM_LEN), p += RP_TEAM_LEN;
	memcpy(b->device, p, RP_DEVICE_LEN), p += RP_DEVICE_LEN;
	b->port = (uint16_t)(p[0] << 8 | p[1]), p += 2;
	b->stamp_ms = rp_be64_get(p);
	if (b->port == 0)
		return RP_EFORMAT;
	if (b->stamp_ms + RP_BEACON_SKEW_MS < now_ms || b->stamp_ms > now_ms + RP_BEACON_SKEW_MS)
		return RP_ELIMIT;
	return 0;
}
