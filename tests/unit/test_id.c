/* tests/unit/test_id.c — id text forms (RFC 4648 base32, lowercase, no
 * padding), op ids and short refs: vectors, round trips, and bad input. */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "../proto/id.h"
#include "../proto/error.h"

static uint64_t s_rng = 0x2545f4914f6cdd1dULL;
static uint64_t s_rand(void)
{
	s_rng ^= s_rng >> 12;
	s_rng ^= s_rng << 25;
	s_rng ^= s_rng >> 27;
	return s_rng * 0x2545f4914f6cdd1dULL;
}

static void test_vectors(void)
{
	/* RFC 4648 §10, lowercased and without '=' padding. */
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "my" }, { "fo", "mzxq" }, { "foo", "mzxw6" },
		{ "foob", "mzxw6yq" }, { "fooba", "mzxw6ytb" }, { "foobar", "mzxw6ytboi" },
	};
	char text[32];
	uint8_t back[16];

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i].in);
		int len = rp_b32_encode((const uint8_t *)v[i].in, n, text, sizeof text);
		ok(len == (int)strlen(v[i].out) && strcmp(text, v[i].out) == 0,
			"encode \"%s\" is \"%s\" (got \"%s\")", v[i].in, v[i].out, text);
		ok(rp_b32_decode(v[i].out, back, n) == 0 && memcmp(back, v[i].in, n) == 0,
			"decode \"%s\"", v[i].out);
	}
	ok(rp_b32_decode("MZXW6YTBOI", back, 6) == 0 && memcmp(back, "foobar", 6) == 0,
		"decode accepts upper case");
	ok(rp_b32_decode("MzXw6YtBoI", back, 6) == 0 && memcmp(back, "foobar", 6) == 0,
		"decode accepts mixed case");
}

static void test_bad_input(void)
{
	uint8_t out[40];
	char text[80];

	is_int(rp_b32_decode("mz", out, 1), RP_EFORMAT, "non-zero trailing bits are refused (\"mz\" for 1 byte)");
	is_int(rp_b32_decode("my", out, 1), 0, "while \"my\" is the one text of \"f\"");
	is_int(rp_b32_decode("mzxw7", out, 3), RP_EFORMAT, "trailing bit set in the last char is refused");
	is_int(rp_b32_decode("mzxw6ytboj", out, 6), RP_EFORMAT, "\"mzxw6ytboj\" (trailing bit) is refused");
	is_int(rp_b32_decode("mzxw", out, 3), RP_EFORMAT, "too short is refused");
	is_int(rp_b32_decode("mzxw6y", out, 3), RP_EFORMAT, "too long is refused");
	is_int(rp_b32_decode("mzxw6=", out, 3), RP_EFORMAT, "padding is refused");
	is_int(rp_b32_decode("mzx16", out, 3), RP_EFORMAT, "'1' is outside the alphabet");
	is_int(rp_b32_decode("mzx06", out, 3), RP_EFORMAT, "'0' is outside the alphabet");
	is_int(rp_b32_decode("mzx86", out, 3), RP_EFORMAT, "'8' is outside the alphabet");
	is_int(rp_b32_decode("mzx 6", out, 3), RP_EFORMAT, "a space is refused");
	is_int(rp_b32_decode("mzx\xc3\xa9", out, 3), RP_EFORMAT, "non-ASCII is refused");
	is_int(rp_b32_decode("", out, 1), RP_EFORMAT, "empty text for 1 byte is refused");
	is_int(rp_b32_decode("", out, 0), 0, "empty text for 0 bytes is fine");
	is_int(rp_b32_decode(NULL, out, 1), RP_EINVAL, "NULL text is refused");

	memset(out, 0xab, 32);
	is_int(rp_b32_encode(out, 32, text, RP_DEVICE_TEXT), RP_ELIMIT, "encode without room for the NUL is RP_ELIMIT");
	is_int(rp_b32_encode(out, 32, text, RP_DEVICE_TEXT + 1), RP_DEVICE_TEXT, "a device id is RP_DEVICE_TEXT chars");
	is_int(rp_b32_encode(out, RP_TEAM_LEN, text, sizeof text), RP_TEAM_TEXT, "a team id is RP_TEAM_TEXT chars");
	is_int(rp_b32_encode(out, RP_ACCOUNT_LEN, text, sizeof text), RP_ACCOUNT_TEXT, "an account id is RP_ACCOUNT_TEXT chars");
	is_int(rp_b32_encode(out, RP_REF_LEN, text, sizeof text), RP_REF_TEXT, "a ref is RP_REF_TEXT chars");
	is_int(rp_b32_encode(out, 0, text, 1), 0, "encode 0 bytes is the empty text");
	is_int(rp_b32_encode(out, 1, NULL, 10), RP_EINVAL, "encode into NULL is RP_EINVAL");

	is_int(rp_b32_is_prefix("abc234"), 1, "is_prefix: lowercase alphabet");
	is_int(rp_b32_is_prefix("ABC"), 1, "is_prefix: upper case");
	is_int(rp_b32_is_prefix("ab1"), 0, "is_prefix: '1' is not");
	is_int(rp_b32_is_prefix("ab-c"), 0, "is_prefix: '-' is not");
	is_int(rp_b32_is_prefix(""), 0, "is_prefix: empty is not (it would match everything)");
	is_int(rp_b32_is_prefix(NULL), 0, "is_prefix: NULL is not");
}

static void test_round_trips(void)
{
	uint8_t in[64], back[64];
	char text[128];
	int bad = 0, upper_bad = 0, flips_bad = 0;

	for (int i = 0; i < 2000; i++) {
		size_t n = s_rand() % (sizeof in + 1);
		int len;

		for (size_t j = 0; j < n; j++)
			in[j] = (uint8_t)s_rand();
		len = rp_b32_encode(in, n, text, sizeof text);
		if (len < 0 || rp_b32_decode(text, back, n) != 0 || memcmp(in, back, n) != 0 ||
		    rp_b32_is_prefix(text) != (n > 0)) {
			bad++;
			continue;
		}
		for (int j = 0; j < len; j++)
			if (text[j] >= 'a' && text[j] <= 'z')
				text[j] = (char)(text[j] - 'a' + 'A');
		if (rp_b32_decode(text, back, n) != 0 || memcmp(in, back, n) != 0)
			upper_bad++;
		/* Every text has one decoding and every id one text: changing any
		 * char must change the bytes or be refused. */
		if (len > 0) {
			int k = (int)(s_rand() % (uint64_t)len);
			char was = text[k];
			text[k] = was == 'A' ? 'B' : 'A';
			if (rp_b32_decode(text, back, n) == 0 && memcmp(in, back, n) == 0)
				flips_bad++;
		}
	}
	is_int(bad, 0, "2000 random lengths 0..64: encode, decode round trip");
	is_int(upper_bad, 0, "and the upper-cased text decodes the same");
	is_int(flips_bad, 0, "and a changed char never decodes to the same bytes");
}

static void test_opid(void)
{
	uint8_t author[RP_DEVICE_LEN], opid[RP_OPID_LEN], opid2[RP_OPID_LEN], ref[RP_REF_LEN], ref2[RP_REF_LEN];
	uint8_t be[8];
	char hex[2 * RP_REF_LEN + 1];

	for (int i = 0; i < RP_DEVICE_LEN; i++)
		author[i] = (uint8_t)i;
	rp_opid_make(opid, author, 0x0102030405060708ULL);
	ok(memcmp(opid, author, RP_DEVICE_LEN) == 0, "op id starts with the author");
	ok(opid[32] == 1 && opid[39] == 8, "then seq big-endian");
	ok(rp_opid_seq(opid) == 0x0102030405060708ULL, "rp_opid_seq reads it back");
	rp_opid_make(opid2, author, 0x0102030405060709ULL);
	ok(memcmp(opid, opid2, RP_OPID_LEN) < 0, "op ids of one author sort by seq");

	rp_be64_put(be, UINT64_MAX - 1);
	ok(be[0] == 0xff && be[7] == 0xfe && rp_be64_get(be) == UINT64_MAX - 1, "be64 put/get");

	/* BLAKE2b-128 of the bytes 0..39, from Python's hashlib: an outside
	 * reference, not this code checking itself. */
	for (int i = 0; i < RP_OPID_LEN; i++)
		opid[i] = (uint8_t)i;
	rp_ref_of(ref, opid);
	sodium_bin2hex(hex, sizeof hex, ref, sizeof ref);
	is_str(hex, "32e590880aeb8f02f045d0f74952e14e", "rp_ref_of is BLAKE2b-128 of the op id");
	opid[39] ^= 1;
	rp_ref_of(ref2, opid);
	ok(memcmp(ref, ref2, RP_REF_LEN) != 0, "a different op id has a different ref");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_vectors();
	test_bad_input();
	test_round_trips();
	test_opid();
	return done_testing();
}
