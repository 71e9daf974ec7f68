/* tests/unit/test_op.c — the op wire format: round trips, signatures, and
 * every limit and malformation a hostile peer could send, each refused with
 * its own error code and never a crash. */
#include <msgpack.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../proto/error.h"
#include "../proto/op.h"

static uint8_t s_pk[RP_DEVICE_LEN], s_sk[RP_SECRET_LEN];
static uint8_t s_pk2[RP_DEVICE_LEN], s_sk2[RP_SECRET_LEN];

/* ---- helpers ---------------------------------------------------------------- */

/* Deterministic, so a failure reproduces: xorshift64*. */
static uint64_t s_rng = 0x9e3779b97f4a7c15ULL;
static uint64_t s_rand(void)
{
	s_rng ^= s_rng >> 12;
	s_rng ^= s_rng << 25;
	s_rng ^= s_rng >> 27;
	return s_rng * 0x2545f4914f6cdd1dULL;
}

static void s_keys(void)
{
	uint8_t seed[32];

	memset(seed, 7, sizeof seed);
	crypto_sign_seed_keypair(s_pk, s_sk, seed);
	memset(seed, 9, sizeof seed);
	crypto_sign_seed_keypair(s_pk2, s_sk2, seed);
}

static void s_pack_cstr(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

/* {"name": name}: the body of acct.create. */
static void s_body_name(msgpack_sbuffer *sb, const char *name)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	s_pack_cstr(&pk, "name");
	s_pack_cstr(&pk, name);
}

/* A filled op, not yet signed. body is borrowed. */
static void s_op_init(rp_op *op, const char *kind, const void *body, size_t len)
{
	memset(op, 0, sizeof *op);
	op->version = RP_PROTO_VERSION;
	memset(op->team, 0x11, sizeof op->team);
	memcpy(op->author, s_pk, sizeof op->author);
	op->seq = 7;
	op->hlc = RP_HLC_MAKE(1700000000000ULL, 3);
	memset(op->account, 0x22, sizeof op->account);
	strcpy(op->kind, kind);
	op->body = body;
	op->body_len = len;
}

static int s_op_equal(const rp_op *a, const rp_op *b)
{
	return a->version == b->version &&
	       memcmp(a->team, b->team, sizeof a->team) == 0 &&
	       memcmp(a->author, b->author, sizeof a->author) == 0 &&
	       a->seq == b->seq && a->hlc == b->hlc &&
	       memcmp(a->account, b->account, sizeof a->account) == 0 &&
	       strcmp(a->kind, b->kind) == 0 &&
	       memcmp(a->body_hash, b->body_hash, sizeof a->body_hash) == 0 &&
	       (a->body == NULL) == (b->body == NULL) &&
	       a->body_len == b->body_len &&
	       (a->body == NULL || memcmp(a->body, b->body, a->body_len) == 0) &&
	       memcmp(a->sig, b->sig, sizeof a->sig) == 0;
}

/* ---- a raw wire builder, to write what rp_op_encode refuses to ------------- */

typedef void (*s_packfn)(msgpack_packer *pk, const void *arg);

struct s_raw { const void *p; size_t n; };

static void s_pk_uint(msgpack_packer *pk, const void *arg) { msgpack_pack_uint64(pk, *(const uint64_t *)arg); }
static void s_pk_int(msgpack_packer *pk, const void *arg) { msgpack_pack_int64(pk, *(const int64_t *)arg); }
static void s_pk_str(msgpack_packer *pk, const void *arg) { s_pack_cstr(pk, arg); }
static void s_pk_nil(msgpack_packer *pk, const void *arg) { (void)arg; msgpack_pack_nil(pk); }
static void s_pk_bin(msgpack_packer *pk, const void *arg)
{
	const struct s_raw *r = arg;
	msgpack_pack_bin(pk, r->n);
	msgpack_pack_bin_body(pk, r->p, r->n);
}
static void s_pk_strn(msgpack_packer *pk, const void *arg)
{
	const struct s_raw *r = arg;
	msgpack_pack_str(pk, r->n);
	msgpack_pack_str_body(pk, r->p, r->n);
}
/* Bytes as they are: for non-canonical and hostile forms. */
static void s_pk_raw(msgpack_packer *pk, const void *arg)
{
	const struct s_raw *r = arg;
	pk->callback(pk->data, r->p, r->n);
}

/* The wire array of op with nfields fields, field `which` (0-based) packed
 * by fn(arg) instead of from op; fields past the tenth are nil. The caller
 * destroys sb. */
static void s_wire(msgpack_sbuffer *sb, const rp_op *op, int nfields, int which, s_packfn fn, const void *arg)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, (size_t)nfields);
	for (int i = 0; i < nfields; i++) {
		if (i == which) {
			fn(&pk, arg);
			continue;
		}
		switch (i) {
		case 0: msgpack_pack_uint32(&pk, op->version); break;
		case 1: msgpack_pack_bin(&pk, 32); msgpack_pack_bin_body(&pk, op->team, 32); break;
		case 2: msgpack_pack_bin(&pk, 32); msgpack_pack_bin_body(&pk, op->author, 32); break;
		case 3: msgpack_pack_uint64(&pk, op->seq); break;
		case 4: msgpack_pack_uint64(&pk, op->hlc); break;
		case 5: msgpack_pack_bin(&pk, 16); msgpack_pack_bin_body(&pk, op->account, 16); break;
		case 6: s_pack_cstr(&pk, op->kind); break;
		case 7: msgpack_pack_bin(&pk, 32); msgpack_pack_bin_body(&pk, op->body_hash, 32); break;
		case 8:
			if (op->body) {
				msgpack_pack_bin(&pk, op->body_len);
				msgpack_pack_bin_body(&pk, op->body, op->body_len);
			} else {
				msgpack_pack_nil(&pk);
			}
			break;
		case 9: msgpack_pack_bin(&pk, 64); msgpack_pack_bin_body(&pk, op->sig, 64); break;
		default: msgpack_pack_nil(&pk); break;
		}
	}
}

/* Decode the wire form of op with one field replaced. */
static int s_decode_with(const rp_op *op, int nfields, int which, s_packfn fn, const void *arg)
{
	msgpack_sbuffer sb;
	rp_op out;
	int rc;

	s_wire(&sb, op, nfields, which, fn, arg);
	rc = rp_op_decode((const uint8_t *)sb.data, sb.size, &out);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

/* Decode an op carrying body, with a body_hash that matches it, so that
 * only the body itself can be refused. */
static int s_decode_body(const uint8_t *body, size_t len)
{
	rp_op op;

	s_op_init(&op, "acct.set", body, len);
	crypto_generichash(op.body_hash, RP_HASH_LEN, body, len, NULL, 0);
	return s_decode_with(&op, 10, -1, NULL, NULL);
}

/* ---- bodies at and past each limit ---------------------------------------- */

/* {"a": {"a": ... 1}} with depth maps. */
static void s_body_depth(msgpack_sbuffer *sb, int depth)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	for (int i = 0; i < depth; i++) {
		msgpack_pack_map(&pk, 1);
		s_pack_cstr(&pk, "a");
	}
	msgpack_pack_int(&pk, 1);
}

/* {"l": [[[ ... ]]]} with depth arrays under the root map. */
static void s_body_arrays(msgpack_sbuffer *sb, int depth)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	s_pack_cstr(&pk, "l");
	for (int i = 0; i < depth; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
}

/* A map of n entries, or {"l": array of n}. */
static void s_body_items(msgpack_sbuffer *sb, uint32_t n, int array)
{
	msgpack_packer pk;
	char key[16];

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	if (array) {
		msgpack_pack_map(&pk, 1);
		s_pack_cstr(&pk, "l");
		msgpack_pack_array(&pk, n);
		for (uint32_t i = 0; i < n; i++)
			msgpack_pack_uint32(&pk, i);
		return;
	}
	msgpack_pack_map(&pk, n);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(key, sizeof key, "k%u", (unsigned)i);
		s_pack_cstr(&pk, key);
		msgpack_pack_true(&pk);
	}
}

/* {"s": str of n} (as_bin: bin of n; as_key: {str of n: 1}). */
enum { S_STR_VALUE, S_BIN_VALUE, S_STR_KEY };
static void s_body_string(msgpack_sbuffer *sb, size_t n, int how)
{
	msgpack_packer pk;
	char *s = malloc(n + 1);

	memset(s, 'x', n);
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	if (how == S_STR_KEY) {
		msgpack_pack_str(&pk, n);
		msgpack_pack_str_body(&pk, s, n);
		msgpack_pack_int(&pk, 1);
	} else {
		s_pack_cstr(&pk, "s");
		if (how == S_BIN_VALUE) {
			msgpack_pack_bin(&pk, n);
			msgpack_pack_bin_body(&pk, s, n);
		} else {
			msgpack_pack_str(&pk, n);
			msgpack_pack_str_body(&pk, s, n);
		}
	}
	free(s);
}

/* A body of exactly total bytes (total >= 1024): a map of four str16 values,
 * each under RP_STR_MAX, so only the body size limit can be at stake. */
static void s_body_sized(msgpack_sbuffer *sb, size_t total)
{
	msgpack_packer pk;
	size_t each = (total - 1 - 4 * 6) / 4, last = total - 1 - 4 * 6 - 3 * each;
	char *s = malloc(last);
	char key[3] = "k0";

	memset(s, 'y', last);
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	for (int i = 0; i < 4; i++) {
		size_t n = i == 3 ? last : each;
		key[1] = (char)('0' + i);
		s_pack_cstr(&pk, key);
		msgpack_pack_str(&pk, n);
		msgpack_pack_str_body(&pk, s, n);
	}
	free(s);
}

/* ---- random ops for the property loop ------------------------------------- */

static void s_rand_value(msgpack_packer *pk, int depth);

static void s_rand_bytes(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)s_rand();
}

static void s_rand_container(msgpack_packer *pk, int depth, int map)
{
	uint32_t n = (uint32_t)(s_rand() % 6);
	char key[16];

	if (map)
		msgpack_pack_map(pk, n);
	else
		msgpack_pack_array(pk, n);
	for (uint32_t i = 0; i < n; i++) {
		if (map) {
			snprintf(key, sizeof key, "f%u", (unsigned)i);
			s_pack_cstr(pk, key);
		}
		s_rand_value(pk, depth + 1);
	}
}

static void s_rand_value(msgpack_packer *pk, int depth)
{
	char buf[300];
	size_t n;

	switch (s_rand() % (depth < 4 ? 10 : 8)) {
	case 0: msgpack_pack_nil(pk); break;
	case 1: msgpack_pack_true(pk); break;
	case 2: msgpack_pack_uint64(pk, s_rand() >> (s_rand() % 64)); break;
	case 3: msgpack_pack_int64(pk, -(int64_t)(s_rand() >> (1 + s_rand() % 63))); break;
	case 4: msgpack_pack_double(pk, (double)s_rand() / 3.0); break;
	case 5:
		n = s_rand() % sizeof buf;
		s_rand_bytes(buf, n);
		msgpack_pack_bin(pk, n);
		msgpack_pack_bin_body(pk, buf, n);
		break;
	case 6: case 7:
		n = s_rand() % sizeof buf;
		memset(buf, 'q', n);
		msgpack_pack_str(pk, n);
		msgpack_pack_str_body(pk, buf, n);
		break;
	case 8: s_rand_container(pk, depth, 0); break;
	default: s_rand_container(pk, depth, 1); break;
	}
}

static void s_rand_op(rp_op *op, msgpack_sbuffer *sb)
{
	static const char *kinds[] = { "acct.create", "acct.set", "ix.log", "fu.add",
		"team.genesis", "member.add", "redact", "x", "future_kind-2.v9",
		"abcdefghijklmnopqrstuvwxyz012345" };
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	s_rand_container(&pk, 1, 1);
	s_op_init(op, kinds[s_rand() % (sizeof kinds / sizeof kinds[0])], sb->data, sb->size);
	s_rand_bytes((char *)op->team, sizeof op->team);
	s_rand_bytes((char *)op->account, sizeof op->account);
	op->seq = 1 + s_rand() % RP_SEQ_MAX;
	if (s_rand() % 4 == 0)
		op->seq = s_rand() % 300 + 1;
	op->hlc = s_rand() >> (s_rand() % 64);
}

/* ---- the tests ------------------------------------------------------------- */

static void test_round_trip(void)
{
	msgpack_sbuffer body;
	rp_op op, got, again;
	uint8_t buf[RP_OP_MAX], buf2[RP_OP_MAX], hash[RP_HASH_LEN], opid[RP_OPID_LEN];
	size_t n = 0, n2 = 0;

	s_body_name(&body, "ACME Tools");
	s_op_init(&op, "acct.create", body.data, body.size);
	is_int(rp_op_sign(&op, s_sk), 0, "sign an acct.create op");
	crypto_generichash(hash, sizeof hash, (const uint8_t *)body.data, body.size, NULL, 0);
	ok(memcmp(hash, op.body_hash, sizeof hash) == 0, "sign sets body_hash to BLAKE2b-256 of the body");
	is_int(rp_op_verify(&op), 0, "a freshly signed op verifies");
	is_int(rp_op_encode(&op, buf, sizeof buf, &n), 0, "encode");
	ok(buf[0] == 0x9a, "the wire form is a fixarray of 10");
	is_int(rp_op_decode(buf, n, &got), 0, "decode what encode wrote");
	ok(s_op_equal(&op, &got), "decode(encode(op)) == op, field by field");
	ok(got.body >= buf && got.body + got.body_len <= buf + n, "the decoded body borrows from the input");
	is_int(rp_op_verify(&got), 0, "the decoded op verifies");
	is_int(rp_op_encode(&got, buf2, sizeof buf2, &n2), 0, "re-encode");
	ok(n2 == n && memcmp(buf, buf2, n) == 0, "encode(decode(bytes)) == bytes");
	is_int(rp_op_decode(buf2, n2, &again), 0, "decode again");
	ok(s_op_equal(&got, &again), "and it is still the same op");

	rp_op_id(&got, opid);
	ok(memcmp(opid, s_pk, RP_DEVICE_LEN) == 0 && rp_opid_seq(opid) == 7, "op id is author ‖ seq");

	/* A genesis op: all-zero team and account. */
	s_op_init(&op, "team.genesis", body.data, body.size);
	memset(op.team, 0, sizeof op.team);
	memset(op.account, 0, sizeof op.account);
	op.seq = 1;
	op.hlc = 0;
	is_int(rp_op_sign(&op, s_sk), 0, "sign a team.genesis op");
	is_int(rp_op_encode(&op, buf, sizeof buf, &n), 0, "encode it");
	is_int(rp_op_decode(buf, n, &got), 0, "decode it");
	ok(s_op_equal(&op, &got) && rp_op_verify(&got) == 0, "zero team and account round trip and verify");
	msgpack_sbuffer_destroy(&body);
}

static void test_property(void)
{
	static uint8_t buf[RP_OP_MAX], buf2[RP_OP_MAX];
	int bad_rt = 0, bad_verify = 0, bad_bytes = 0, redacted = 0, runs = 2000;

	for (int i = 0; i < runs; i++) {
		msgpack_sbuffer sb;
		rp_op op, got;
		size_t n = 0, n2 = 0;

		s_rand_op(&op, &sb);
		if (rp_op_sign(&op, s_sk) != 0) {
			bad_rt++;
			msgpack_sbuffer_destroy(&sb);
			continue;
		}
		if (s_rand() % 5 == 0) {
			op.body = NULL;
			op.body_len = 0;
			redacted++;
		}
		if (rp_op_encode(&op, buf, sizeof buf, &n) != 0 || rp_op_decode(buf, n, &got) != 0 ||
		    !s_op_equal(&op, &got))
			bad_rt++;
		else if (rp_op_verify(&got) != 0)
			bad_verify++;
		else if (rp_op_encode(&got, buf2, sizeof buf2, &n2) != 0 || n2 != n || memcmp(buf, buf2, n) != 0)
			bad_bytes++;
		msgpack_sbuffer_destroy(&sb);
	}
	is_int(bad_rt, 0, "%d random ops (%d redacted): sign, encode, decode round trip", runs, redacted);
	is_int(bad_verify, 0, "every random op verifies after decode");
	is_int(bad_bytes, 0, "every random op re-encodes to the same bytes");
}

static void test_redacted(void)
{
	msgpack_sbuffer body;
	rp_op op, got;
	uint8_t buf[RP_OP_MAX], hash[RP_HASH_LEN];
	size_t n = 0;

	s_body_name(&body, "Jane Customer");
	s_op_init(&op, "contact.add", body.data, body.size);
	is_int(rp_op_sign(&op, s_sk), 0, "sign a contact.add op");
	memcpy(hash, op.body_hash, sizeof hash);
	op.body = NULL;
	op.body_len = 0;
	is_int(rp_op_encode(&op, buf, sizeof buf, &n), 0, "encode it redacted (body nil)");
	is_int(rp_op_decode(buf, n, &got), 0, "a redacted op decodes");
	ok(got.body == NULL && got.body_len == 0, "with no body");
	ok(memcmp(got.body_hash, hash, sizeof hash) == 0, "and its body_hash kept");
	is_int(rp_op_verify(&got), 0, "a redacted op still verifies");
	is_int(rp_op_sign(&got, s_sk), RP_EINVAL, "a redacted op cannot be signed again");
	got.body_len = 3;
	is_int(rp_op_encode(&got, buf, sizeof buf, &n), RP_EINVAL, "body NULL with a length is refused");
	msgpack_sbuffer_destroy(&body);
}

/* Flip each bit of a signed op's encoding in turn: decode or verify must
 * refuse every single one. */
static void s_flip_all(const rp_op *op, const char *what)
{
	static uint8_t buf[RP_OP_MAX], mut[RP_OP_MAX];
	size_t n = 0;
	int accepted = 0, decode_fail = 0, verify_fail = 0;

	if (rp_op_encode(op, buf, sizeof buf, &n) != 0) {
		ok(0, "encode the %s op to flip", what);
		return;
	}
	for (size_t bit = 0; bit < n * 8; bit++) {
		rp_op got;

		memcpy(mut, buf, n);
		mut[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (rp_op_decode(mut, n, &got) != 0)
			decode_fail++;
		else if (rp_op_verify(&got) != 0)
			verify_fail++;
		else
			accepted++;
	}
	is_int(accepted, 0, "%s op: every one of %zu flipped bits is refused", what, n * 8);
	diag("%s: %d refused by decode, %d by verify", what, decode_fail, verify_fail);
}

static void test_bit_flips(void)
{
	msgpack_sbuffer body;
	rp_op op;

	s_body_name(&body, "ACME Tools");
	s_op_init(&op, "acct.create", body.data, body.size);
	rp_op_sign(&op, s_sk);
	s_flip_all(&op, "signed");
	op.body = NULL;
	op.body_len = 0;
	s_flip_all(&op, "redacted");
	msgpack_sbuffer_destroy(&body);
}

static void test_hash(void)
{
	msgpack_sbuffer body, other;
	rp_op op, got;
	uint8_t buf[RP_OP_MAX];
	size_t n = 0;

	s_body_name(&body, "ACME Tools");
	s_body_name(&other, "BCME Tools");
	s_op_init(&op, "acct.create", body.data, body.size);
	rp_op_sign(&op, s_sk);
	op.body = (const uint8_t *)other.data;
	is_int(rp_op_encode(&op, buf, sizeof buf, &n), 0, "encode an op whose body was swapped after signing");
	is_int(rp_op_decode(buf, n, &got), RP_EHASH, "decode: body hash mismatch is RP_EHASH");
	op.body = (const uint8_t *)body.data;
	op.body_hash[31] ^= 1;
	rp_op_encode(&op, buf, sizeof buf, &n);
	is_int(rp_op_decode(buf, n, &got), RP_EHASH, "decode: a changed body_hash is RP_EHASH");
	msgpack_sbuffer_destroy(&body);
	msgpack_sbuffer_destroy(&other);
}

static void test_verify(void)
{
	msgpack_sbuffer body;
	rp_op op, tmp;

	s_body_name(&body, "ACME Tools");
	s_op_init(&op, "acct.set", body.data, body.size);
	rp_op_sign(&op, s_sk);

	tmp = op;
	tmp.seq++;
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a changed seq is RP_ESIG");
	tmp = op;
	tmp.hlc++;
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a changed hlc is RP_ESIG");
	tmp = op;
	strcpy(tmp.kind, "acct.sel");
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a changed kind is RP_ESIG");
	tmp = op;
	tmp.account[0] ^= 0x80;
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a changed account is RP_ESIG");
	tmp = op;
	tmp.body_hash[5] ^= 1;
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a changed body_hash is RP_ESIG");
	tmp = op;
	memcpy(tmp.author, s_pk2, sizeof tmp.author);
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a forged author is RP_ESIG");
	tmp = op;
	memset(tmp.sig, 0, sizeof tmp.sig);
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: a zero signature is RP_ESIG");
	tmp = op;
	tmp.version = 0;
	is_int(rp_op_verify(&tmp), RP_ESIG, "verify: an op that cannot be encoded is RP_ESIG");
	tmp = op;
	tmp.body = NULL;
	tmp.body_len = 0;
	is_int(rp_op_verify(&tmp), 0, "verify ignores the body (redaction)");

	tmp = op;
	is_int(rp_op_sign(&tmp, s_sk2), RP_EINVAL, "sign: a secret key that is not the author's is refused");
	tmp.seq = 0;
	is_int(rp_op_sign(&tmp, s_sk), RP_EINVAL, "sign: seq 0 is refused");
	tmp = op;
	tmp.body = (const uint8_t *)"\x91\x01";
	tmp.body_len = 2;
	is_int(rp_op_sign(&tmp, s_sk), RP_EINVAL, "sign: a body that is not a map is refused");
	msgpack_sbuffer_destroy(&body);
}

static void test_encode_limits(void)
{
	msgpack_sbuffer body, big;
	rp_op op, tmp, got;
	static uint8_t buf[RP_OP_MAX + 1024];
	size_t n = 0, m = 0;
	int small_ok = 1;

	s_body_name(&body, "ACME Tools");
	s_op_init(&op, "acct.create", body.data, body.size);
	rp_op_sign(&op, s_sk);
	rp_op_encode(&op, buf, sizeof buf, &n);
	for (size_t cap = 0; cap < n; cap++)
		if (rp_op_encode(&op, buf, cap, &m) != RP_ELIMIT || m != 0)
			small_ok = 0;
	ok(small_ok, "encode into every capacity below %zu bytes is RP_ELIMIT", n);
	is_int(rp_op_encode(&op, buf, n, &m), 0, "encode into exactly %zu bytes works", n);

	tmp = op;
	tmp.version = 0;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: version 0 is RP_EINVAL");
	tmp.version = RP_PROTO_VERSION + 1;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: a version newer than ours is RP_EINVAL");
	tmp = op;
	tmp.seq = 0;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: seq 0 is RP_EINVAL");
	tmp.seq = RP_SEQ_MAX + 1;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: seq over RP_SEQ_MAX is RP_EINVAL");
	tmp.seq = RP_SEQ_MAX;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), 0, "encode: seq RP_SEQ_MAX is fine");
	tmp = op;
	memset(tmp.kind, 'a', sizeof tmp.kind);
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: a kind over RP_KIND_MAX (no NUL) is RP_EINVAL");
	tmp.kind[RP_KIND_MAX] = '\0';
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), 0, "encode: a kind of exactly RP_KIND_MAX is fine");
	is_int(rp_op_decode(buf, m, &got), 0, "and decodes");
	ok(strlen(got.kind) == RP_KIND_MAX, "to the same %d-char kind", RP_KIND_MAX);
	tmp.kind[0] = '\0';
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: an empty kind is RP_EINVAL");
	strcpy(tmp.kind, "Acct.create");
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EINVAL, "encode: an upper-case kind is RP_EINVAL");

	s_body_sized(&big, RP_BODY_MAX + 1);
	tmp = op;
	tmp.body = (const uint8_t *)big.data;
	tmp.body_len = big.size;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_ELIMIT, "encode: a body over RP_BODY_MAX is RP_ELIMIT");
	tmp.body = (const uint8_t *)"\x81\xa1" "a";
	tmp.body_len = 3;
	is_int(rp_op_encode(&tmp, buf, sizeof buf, &m), RP_EFORMAT, "encode: a malformed body is refused");
	is_int(rp_op_encode(NULL, buf, sizeof buf, &m), RP_EINVAL, "encode: NULL op is RP_EINVAL");
	msgpack_sbuffer_destroy(&big);
	msgpack_sbuffer_destroy(&body);
}

/* Each limit of limits.h that an op or body can break, at the limit (fine)
 * and one past it (refused with its code), through rp_body_check and
 * through a whole rp_op_decode. */
static void s_body_case(msgpack_sbuffer *sb, int want, const char *what)
{
	int a = rp_body_check((const uint8_t *)sb->data, sb->size);
	int b = s_decode_body((const uint8_t *)sb->data, sb->size);

	ok(a == want && b == want, "%s: body_check %d, decode %d (want %d, %s)", what, a, b, want, rp_strerror(want));
	msgpack_sbuffer_destroy(sb);
}

static void test_body_limits(void)
{
	msgpack_sbuffer sb;

	s_body_depth(&sb, RP_BODY_DEPTH_MAX);
	s_body_case(&sb, 0, "maps nested RP_BODY_DEPTH_MAX deep");
	s_body_depth(&sb, RP_BODY_DEPTH_MAX + 1);
	s_body_case(&sb, RP_ELIMIT, "maps nested RP_BODY_DEPTH_MAX + 1 deep");
	s_body_arrays(&sb, RP_BODY_DEPTH_MAX - 1);
	s_body_case(&sb, 0, "arrays nested to RP_BODY_DEPTH_MAX");
	s_body_arrays(&sb, RP_BODY_DEPTH_MAX);
	s_body_case(&sb, RP_ELIMIT, "arrays nested to RP_BODY_DEPTH_MAX + 1");
	s_body_depth(&sb, 40);
	s_body_case(&sb, RP_ELIMIT, "40 nested maps (past msgpack-c's own 32)");
	s_body_arrays(&sb, 30000);
	s_body_case(&sb, RP_ELIMIT, "30000 nested arrays");

	s_body_items(&sb, RP_BODY_ITEMS_MAX, 0);
	s_body_case(&sb, 0, "a map of RP_BODY_ITEMS_MAX entries");
	s_body_items(&sb, RP_BODY_ITEMS_MAX + 1, 0);
	s_body_case(&sb, RP_ELIMIT, "a map of RP_BODY_ITEMS_MAX + 1 entries");
	s_body_items(&sb, RP_BODY_ITEMS_MAX, 1);
	s_body_case(&sb, 0, "an array of RP_BODY_ITEMS_MAX elements");
	s_body_items(&sb, RP_BODY_ITEMS_MAX + 1, 1);
	s_body_case(&sb, RP_ELIMIT, "an array of RP_BODY_ITEMS_MAX + 1 elements");

	s_body_string(&sb, RP_STR_MAX, S_STR_VALUE);
	s_body_case(&sb, 0, "a string of RP_STR_MAX bytes");
	s_body_string(&sb, RP_STR_MAX + 1, S_STR_VALUE);
	s_body_case(&sb, RP_ELIMIT, "a string of RP_STR_MAX + 1 bytes");
	s_body_string(&sb, RP_STR_MAX, S_BIN_VALUE);
	s_body_case(&sb, 0, "a bin of RP_STR_MAX bytes");
	s_body_string(&sb, RP_STR_MAX + 1, S_BIN_VALUE);
	s_body_case(&sb, RP_ELIMIT, "a bin of RP_STR_MAX + 1 bytes");
	s_body_string(&sb, RP_STR_MAX + 1, S_STR_KEY);
	s_body_case(&sb, RP_ELIMIT, "a key of RP_STR_MAX + 1 bytes");

	s_body_sized(&sb, RP_BODY_MAX);
	s_body_case(&sb, 0, "a body of exactly RP_BODY_MAX bytes");
	s_body_sized(&sb, RP_BODY_MAX + 1);
	s_body_case(&sb, RP_ELIMIT, "a body of RP_BODY_MAX + 1 bytes");
}

struct s_bad_body { const char *bytes; size_t n; int want; const char *what; };

static void test_body_format(void)
{
	static const struct s_bad_body cases[] = {
		{ "\x80", 1, 0, "an empty map" },
		{ "\x84\xa1" "a\xc0\xa1" "b\xc3\xa1" "c\xcb\x3f\xf0\0\0\0\0\0\0\xa1" "d\xff", 21, 0,
		  "nil, bool, float, negative fixint values" },
		{ "", 0, RP_EFORMAT, "an empty body" },
		{ "\x90", 1, RP_EFORMAT, "an array at the top" },
		{ "\xa1" "a", 2, RP_EFORMAT, "a string at the top" },
		{ "\x81\x01\x02", 3, RP_EFORMAT, "an integer key" },
		{ "\x81\xc4\x01" "a\x02", 5, RP_EFORMAT, "a bin key" },
		{ "\x81\x80\x01", 3, RP_EFORMAT, "a map key" },
		{ "\x81\xa1" "a\xd4\x01\x00", 6, RP_EFORMAT, "a fixext value" },
		{ "\x81\xa1" "a\xd6\xff\0\0\0\0", 9, RP_EFORMAT, "a timestamp ext value" },
		{ "\x81\xa1" "a\xc7\x01\x05\x00", 7, RP_EFORMAT, "an ext8 value" },
		{ "\x81\xa1" "a\xc1", 4, RP_EFORMAT, "the never-used byte 0xc1" },
		{ "\x81\xa1" "a\x01\x00", 5, RP_EFORMAT, "a trailing byte" },
		{ "\x80\x80", 2, RP_EFORMAT, "two maps" },
		{ "\x81\xa1" "a", 3, RP_EFORMAT, "a key without a value" },
		{ "\x81\xa5" "ab", 4, RP_EFORMAT, "a truncated string" },
		{ "\x81\xa1" "a\xcf\0\0", 6, RP_EFORMAT, "a truncated uint64" },
		{ "\x81\xa1" "a\xdb\xff\xff\xff\xff", 8, RP_ELIMIT, "a str32 claiming 4 GiB" },
		{ "\x81\xa1" "a\xc6\x00\x00\x01\x00", 8, RP_EFORMAT, "a bin32 longer than the body" },
		{ "\xdf\xff\xff\xff\xff", 5, RP_ELIMIT, "a map32 claiming 4 billion entries" },
		{ "\x81\xa1" "a\xdd\xff\xff\xff\xff", 8, RP_ELIMIT, "an array32 claiming 4 billion entries" },
		{ "\x81\xa1" "a\xdc\x03\xe8\x01", 7, RP_EFORMAT, "an array16 of 1000 in 1 byte" },
		{ "\xde\x00\x03\xa1" "a\x01", 6, RP_EFORMAT, "a map16 of 3 in 3 bytes" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct s_bad_body *c = &cases[i];
		int a = rp_body_check((const uint8_t *)c->bytes, c->n);
		int b = c->n ? s_decode_body((const uint8_t *)c->bytes, c->n) : RP_EFORMAT;

		ok(a == c->want && b == c->want, "body %s: body_check %d, decode %d (want %d)", c->what, a, b, c->want);
	}
	is_int(rp_body_check(NULL, 0), RP_EFORMAT, "body_check: NULL is RP_EFORMAT");
}

static void test_decode_limits(void)
{
	msgpack_sbuffer body, sb;
	rp_op op, got;
	static uint8_t buf[RP_OP_MAX + 2];
	char kind[RP_KIND_MAX + 2];
	uint8_t bytes[80];
	uint64_t u;
	int64_t neg = -1;
	struct s_raw r;
	size_t n = 0;
	int trunc_ok = 1;

	s_body_name(&body, "ACME Tools");
	s_op_init(&op, "acct.create", body.data, body.size);
	rp_op_sign(&op, s_sk);
	rp_op_encode(&op, buf, sizeof buf, &n);

	/* Op size. */
	memset(buf + n, 0, sizeof buf - n);
	is_int(rp_op_decode(buf, RP_OP_MAX + 1, &got), RP_ELIMIT, "decode: RP_OP_MAX + 1 bytes is RP_ELIMIT");
	is_int(rp_op_decode(buf, n + 1, &got), RP_EFORMAT, "decode: a trailing byte is RP_EFORMAT");
	for (size_t i = 0; i < n; i++)
		if (rp_op_decode(buf, i, &got) != RP_EFORMAT)
			trunc_ok = 0;
	ok(trunc_ok, "decode: every truncation (0..%zu bytes) is RP_EFORMAT", n - 1);
	{
		/* A body bin so large the op passes RP_OP_MAX: refused before
		 * anything else is looked at. */
		static uint8_t huge[RP_OP_MAX + 100];
		rp_op h = op;
		memset(huge, 0x80, sizeof huge);
		h.body = huge;
		h.body_len = RP_OP_MAX;
		s_wire(&sb, &h, 10, -1, NULL, NULL);
		is_int(rp_op_decode((const uint8_t *)sb.data, sb.size, &got), RP_ELIMIT,
			"decode: an op of %zu bytes is RP_ELIMIT", sb.size);
		msgpack_sbuffer_destroy(&sb);
		h.body_len = RP_BODY_MAX + 1;
		s_wire(&sb, &h, 10, -1, NULL, NULL);
		is_int(rp_op_decode((const uint8_t *)sb.data, sb.size, &got), RP_ELIMIT,
			"decode: a body bin of RP_BODY_MAX + 1 within RP_OP_MAX is RP_ELIMIT");
		msgpack_sbuffer_destroy(&sb);
	}

	/* Version. */
	u = RP_PROTO_VERSION + 1;
	is_int(s_decode_with(&op, 10, 0, s_pk_uint, &u), RP_EVERSION, "decode: version %llu is RP_EVERSION", (unsigned long long)u);
	is_int(s_decode_with(&op, 11, 0, s_pk_uint, &u), RP_EVERSION, "decode: a newer version with 11 fields is RP_EVERSION");
	is_int(s_decode_with(&op, 3, 0, s_pk_uint, &u), RP_EVERSION, "decode: a newer version with 3 fields is RP_EVERSION");
	u = UINT64_MAX;
	is_int(s_decode_with(&op, 10, 0, s_pk_uint, &u), RP_EVERSION, "decode: version 2^64-1 is RP_EVERSION");
	u = 0;
	is_int(s_decode_with(&op, 10, 0, s_pk_uint, &u), RP_EFORMAT, "decode: version 0 is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 0, s_pk_int, &neg), RP_EFORMAT, "decode: version -1 is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 0, s_pk_str, "1"), RP_EFORMAT, "decode: version as a string is RP_EFORMAT");

	/* Seq. */
	u = 0;
	is_int(s_decode_with(&op, 10, 3, s_pk_uint, &u), RP_EFORMAT, "decode: seq 0 is RP_EFORMAT");
	u = RP_SEQ_MAX;
	is_int(s_decode_with(&op, 10, 3, s_pk_uint, &u), 0, "decode: seq RP_SEQ_MAX is fine");
	u = RP_SEQ_MAX + 1;
	is_int(s_decode_with(&op, 10, 3, s_pk_uint, &u), RP_ELIMIT, "decode: seq RP_SEQ_MAX + 1 is RP_ELIMIT");
	u = UINT64_MAX;
	is_int(s_decode_with(&op, 10, 3, s_pk_uint, &u), RP_ELIMIT, "decode: seq 2^64-1 is RP_ELIMIT");
	is_int(s_decode_with(&op, 10, 3, s_pk_int, &neg), RP_EFORMAT, "decode: seq -1 is RP_EFORMAT");

	/* HLC: a uint64 cannot hold ms over RP_HLC_MS_MAX (2^48-1), so the
	 * largest stamp is valid and anything else is a format error. */
	u = UINT64_MAX;
	ok(RP_HLC_MS(u) == RP_HLC_MS_MAX, "the largest hlc carries ms RP_HLC_MS_MAX");
	is_int(s_decode_with(&op, 10, 4, s_pk_uint, &u), 0, "decode: hlc with ms RP_HLC_MS_MAX is fine");
	is_int(s_decode_with(&op, 10, 4, s_pk_int, &neg), RP_EFORMAT, "decode: hlc -1 is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 4, s_pk_nil, NULL), RP_EFORMAT, "decode: hlc nil is RP_EFORMAT");
	{
		/* int64 min: negative, so never a stamp, whatever its width. */
		static const uint8_t wide[] = { 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0 };
		r.p = wide;
		r.n = sizeof wide;
		is_int(s_decode_with(&op, 10, 4, s_pk_raw, &r), RP_EFORMAT, "decode: hlc int64 min is RP_EFORMAT");
	}

	/* Kind. */
	memset(kind, 'k', sizeof kind);
	kind[RP_KIND_MAX + 1] = '\0';
	is_int(s_decode_with(&op, 10, 6, s_pk_str, kind), RP_ELIMIT, "decode: a kind of RP_KIND_MAX + 1 chars is RP_ELIMIT");
	kind[RP_KIND_MAX] = '\0';
	is_int(s_decode_with(&op, 10, 6, s_pk_str, kind), 0, "decode: a kind of RP_KIND_MAX chars is fine");
	is_int(s_decode_with(&op, 10, 6, s_pk_str, ""), RP_EFORMAT, "decode: an empty kind is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 6, s_pk_str, "Acct.create"), RP_EFORMAT, "decode: an upper-case kind is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 6, s_pk_str, "acct create"), RP_EFORMAT, "decode: a kind with a space is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 6, s_pk_str, "acct/create"), RP_EFORMAT, "decode: a kind with a slash is RP_EFORMAT");
	r.p = "acct\0set";
	r.n = 8;
	is_int(s_decode_with(&op, 10, 6, s_pk_strn, &r), RP_EFORMAT, "decode: a kind with a NUL is RP_EFORMAT");
	r.p = "acct.set";
	is_int(s_decode_with(&op, 10, 6, s_pk_bin, &r), RP_EFORMAT, "decode: a kind as bin is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 6, s_pk_str, "future.kind-v2_x"), 0, "decode: an unknown kind is fine");

	/* Field types and lengths. */
	memset(bytes, 0x33, sizeof bytes);
	r.p = bytes;
	r.n = 31;
	is_int(s_decode_with(&op, 10, 1, s_pk_bin, &r), RP_EFORMAT, "decode: team bin 31 is RP_EFORMAT");
	r.n = 33;
	is_int(s_decode_with(&op, 10, 2, s_pk_bin, &r), RP_EFORMAT, "decode: author bin 33 is RP_EFORMAT");
	r.n = 32;
	is_int(s_decode_with(&op, 10, 1, s_pk_strn, &r), RP_EFORMAT, "decode: team as str is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 5, s_pk_bin, &r), RP_EFORMAT, "decode: account bin 32 is RP_EFORMAT");
	r.n = 31;
	is_int(s_decode_with(&op, 10, 7, s_pk_bin, &r), RP_EFORMAT, "decode: body_hash bin 31 is RP_EFORMAT");
	r.n = 63;
	is_int(s_decode_with(&op, 10, 9, s_pk_bin, &r), RP_EFORMAT, "decode: sig bin 63 is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, 9, s_pk_nil, NULL), RP_EFORMAT, "decode: sig nil is RP_EFORMAT");
	r.p = body.data;
	r.n = body.size;
	is_int(s_decode_with(&op, 10, 8, s_pk_strn, &r), RP_EFORMAT, "decode: body as str is RP_EFORMAT");
	r.n = body.size;
	is_int(s_decode_with(&op, 10, 8, s_pk_raw, &r), RP_EFORMAT, "decode: body as an inline map is RP_EFORMAT");
	u = 5;
	is_int(s_decode_with(&op, 10, 8, s_pk_uint, &u), RP_EFORMAT, "decode: body as an integer is RP_EFORMAT");
	is_int(s_decode_with(&op, 9, -1, NULL, NULL), RP_EFORMAT, "decode: 9 fields is RP_EFORMAT");
	is_int(s_decode_with(&op, 11, -1, NULL, NULL), RP_EFORMAT, "decode: 11 fields is RP_EFORMAT");
	is_int(s_decode_with(&op, 10, -1, NULL, NULL), 0, "decode: the builder's own op is fine");

	/* Hostile counts in the envelope: no allocation may follow them. */
	{
		static const uint8_t a32[] = { 0xdd, 0xff, 0xff, 0xff, 0xff };
		static const uint8_t m32[] = { 0xdf, 0xff, 0xff, 0xff, 0xff };
		static const uint8_t top[] = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0xc0 };
		static const uint8_t map10[] = { 0x8a, 0x01 };
		r.p = a32;
		r.n = sizeof a32;
		is_int(s_decode_with(&op, 10, 1, s_pk_raw, &r), RP_EFORMAT, "decode: an array32 of 4 billion as team is RP_EFORMAT");
		r.p = m32;
		is_int(s_decode_with(&op, 10, 8, s_pk_raw, &r), RP_EFORMAT, "decode: a map32 of 4 billion as body is RP_EFORMAT");
		is_int(rp_op_decode(top, sizeof top, &got), RP_EFORMAT, "decode: a top array32 of 4 billion is RP_EFORMAT");
		is_int(rp_op_decode(map10, sizeof map10, &got), RP_EFORMAT, "decode: a top map is RP_EFORMAT");
	}

	/* Non-canonical forms of a valid op. */
	{
		static const uint8_t seq64[] = { 0xcf, 0, 0, 0, 0, 0, 0, 0, 7 };
		static const uint8_t ver8[] = { 0xcc, 1 };
		uint8_t team16[3 + 32];

		r.p = seq64;
		r.n = sizeof seq64;
		is_int(s_decode_with(&op, 10, 3, s_pk_raw, &r), RP_EFORMAT, "decode: seq 7 as uint64 is RP_EFORMAT");
		r.p = ver8;
		r.n = sizeof ver8;
		is_int(s_decode_with(&op, 10, 0, s_pk_raw, &r), RP_EFORMAT, "decode: version 1 as uint8 is RP_EFORMAT");
		team16[0] = 0xc5;
		team16[1] = 0;
		team16[2] = 32;
		memcpy(team16 + 3, op.team, 32);
		r.p = team16;
		r.n = sizeof team16;
		is_int(s_decode_with(&op, 10, 1, s_pk_raw, &r), RP_EFORMAT, "decode: team as bin16 is RP_EFORMAT");
		r.p = "\xd9\x0b" "acct.create";
		r.n = 13;
		is_int(s_decode_with(&op, 10, 6, s_pk_raw, &r), RP_EFORMAT, "decode: a short kind as str8 is RP_EFORMAT");

		rp_op_encode(&op, buf + 2, sizeof buf - 2, &n);
		buf[0] = 0xdc;
		buf[1] = 0;
		buf[2] = 10;
		is_int(rp_op_decode(buf, n + 2, &got), RP_EFORMAT, "decode: the array as array16 is RP_EFORMAT");
	}

	/* A failed decode leaves nothing behind. */
	{
		rp_op zero;
		memset(&zero, 0, sizeof zero);
		memset(&got, 0xff, sizeof got);
		u = 0;
		s_wire(&sb, &op, 10, 3, s_pk_uint, &u);
		rp_op_decode((const uint8_t *)sb.data, sb.size, &got);
		msgpack_sbuffer_destroy(&sb);
		ok(memcmp(&got, &zero, sizeof got) == 0, "a failed decode zeroes the op");
		is_int(rp_op_decode(NULL, 0, &got), RP_EFORMAT, "decode: NULL input is RP_EFORMAT");
		is_int(rp_op_decode(buf, n, NULL), RP_EINVAL, "decode: NULL op is RP_EINVAL");
	}
	msgpack_sbuffer_destroy(&body);
}

static void test_strerror(void)
{
	int distinct = 1;

	is_str(rp_strerror(0), "success", "rp_strerror(0)");
	is_str(rp_strerror(RP_ESIG), "signature does not verify", "rp_strerror(RP_ESIG)");
	is_str(rp_strerror(-1), "unknown error", "rp_strerror of a foreign code");
	is_str(rp_strerror(RP_ELAST - 1), "unknown error", "rp_strerror past RP_ELAST");
	for (int a = RP_EBASE; a >= RP_ELAST; a--)
		for (int b = a - 1; b >= RP_ELAST; b--)
			if (strcmp(rp_strerror(a), rp_strerror(b)) == 0)
				distinct = 0;
	ok(distinct, "every error code has its own message");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	s_keys();
	test_round_trip();
	test_property();
	test_redacted();
	test_bit_flips();
	test_hash();
	test_verify();
	test_encode_limits();
	test_body_limits();
	test_body_format();
	test_decode_limits();
	test_strerror();
	return done_testing();
}
