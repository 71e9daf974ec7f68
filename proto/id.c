/* proto/id.c — text forms of ids (RFC 4648 base32, lowercase, no padding),
 * op ids and their short references. Pure: no allocation, no I/O. */
#include "id.h"
#include "error.h"

#include <limits.h>
#include <string.h>
#include <sodium.h>

static const char s_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* The value of one base32 character, either case; -1 outside the alphabet. */
static int s_b32_value(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Characters needed for len bytes: ceil(len * 8 / 5), written so that it
 * cannot overflow for any len. */
static size_t s_b32_text_len(size_t len)
{
	return len / 5 * 8 + (len % 5 * 8 + 4) / 5;
}

int rp_b32_encode(const uint8_t *in, size_t len, char *out, size_t outcap)
{
	size_t n = s_b32_text_len(len), o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (!out || (!in && len))
		return RP_EINVAL;
	if (n > INT_MAX || outcap < n + 1)
		return RP_ELIMIT;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = s_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = s_alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return (int)o;
}

int rp_b32_decode(const char *text, uint8_t *out, size_t outlen)
{
	size_t n = s_b32_text_len(outlen), o = 0, i;
	uint32_t acc = 0;
	int bits = 0;

	if (!text || (!out && outlen))
		return RP_EINVAL;
	/* Exact length: a shorter text would leave out partly unwritten, a
	 * longer one would name a different id. */
	for (i = 0; i < n; i++)
		if (text[i] == '\0')
			return RP_EFORMAT;
	if (text[n] != '\0')
		return RP_EFORMAT;
	for (i = 0; i < n; i++) {
		int v = s_b32_value((unsigned char)text[i]);
		if (v < 0)
			return RP_EFORMAT;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be zero, or two texts would decode to one id. */
	if (acc & ((1u << bits) - 1))
		return RP_EFORMAT;
	return 0;
}

int rp_b32_is_prefix(const char *text)
{
	/* The empty string would match every id: never a useful prefix. */
	if (!text || !*text)
		return 0;
	for (; *text; text++)
		if (s_b32_value((unsigned char)*text) < 0)
			return 0;
	return 1;
}

void rp_be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

uint64_t rp_be64_get(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void rp_opid_make(uint8_t opid[RP_OPID_LEN], const uint8_t author[RP_DEVICE_LEN], uint64_t seq)
{
	memcpy(opid, author, RP_DEVICE_LEN);
	/* Big-endian so that an author's ops sort by seq as raw LMDB keys. */
	rp_be64_put(opid + RP_DEVICE_LEN, seq);
}

uint64_t rp_opid_seq(const uint8_t opid[RP_OPID_LEN])
{
	return rp_be64_get(opid + RP_DEVICE_LEN);
}

void rp_ref_of(uint8_t ref[RP_REF_LEN], const uint8_t opid[RP_OPID_LEN])
{
	/* Cannot fail for these lengths (16 is within BLAKE2b's 16..64). */
	(void)crypto_generichash(ref, RP_REF_LEN, opid, RP_OPID_LEN, NULL, 0);
}
