/* tests/unit/test_msg.c — the sync messages: every type round-trips in its
 * one canonical form, the batch builder stays within every limit, and
 * whatever a hostile peer sends is refused with its own code, never a crash
 * and never an allocation sized by a count the peer claims. */
#include <msgpack.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "msgcheck.h"
#include "../proto/error.h"
#include "../proto/msg.h"
#include "../proto/op.h"

/* Under ASan every malloc is counted, so a decode can be shown to allocate
 * nothing at all. */
#if defined(__SANITIZE_ADDRESS__)
#define S_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define S_ASAN 1
#endif
#endif

#ifdef S_ASAN
/* From <sanitizer/allocator_interface.h>, which gcc does not install. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static volatile unsigned long s_mallocs;
static void s_malloc_hook(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	s_mallocs++;
}
static void s_free_hook(const volatile void *p)
{
	(void)p;
}
#endif

#define S_MSG_MAX  (RP_BATCH_MAX + 1024)
#define S_BIG      (RP_BATCH_MAX + 64)    /* a builder buffer with room to spare */

/* ---- helpers ---------------------------------------------------------------- */

static uint8_t s_team[RP_TEAM_LEN], s_device[RP_DEVICE_LEN];
static uint8_t s_pk[RP_DEVICE_LEN], s_sk[RP_SECRET_LEN];

static uint64_t s_rng = 0x9e3779b97f4a7c15ULL;
static uint64_t s_rand(void)
{
	s_rng ^= s_rng >> 12;
	s_rng ^= s_rng << 25;
	s_rng ^= s_rng >> 27;
	return s_rng * 0x2545f4914f6cdd1dULL;
}

static void s_fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* A packer over an sbuffer, for writing what the encoders refuse to. */
struct s_w {
	msgpack_sbuffer sb;
	msgpack_packer  pk;
};

static void s_w_init(struct s_w *w)
{
	msgpack_sbuffer_init(&w->sb);
	msgpack_packer_init(&w->pk, &w->sb, msgpack_sbuffer_write);
}

static void s_w_bytes(struct s_w *w, const void *p, size_t n)
{
	msgpack_sbuffer_write(&w->sb, p, n);
}

#define S_RAW(w, ...) s_w_bytes((w), (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void s_w_bin(struct s_w *w, const void *p, size_t n)
{
	msgpack_pack_bin(&w->pk, n);
	msgpack_pack_bin_body(&w->pk, p, n);
}

static void s_w_str(struct s_w *w, const char *s, size_t n)
{
	msgpack_pack_str(&w->pk, n);
	msgpack_pack_str_body(&w->pk, s, n);
}

/* Decode from a heap copy of exactly n bytes, so ASan sees a read past the
 * end (an sbuffer or a string literal has slack after it). */
static int s_decode_exact(const void *p, size_t n, rp_msg *m)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, p, n);
	rc = rp_msg_decode(copy, n, m);
	free(copy);
	return rc;
}

static int s_w_decode(struct s_w *w, rp_msg *m)
{
	int rc = s_decode_exact(w->sb.data, w->sb.size, m);
	msgpack_sbuffer_destroy(&w->sb);
	return rc;
}

static int s_zeroed(const rp_msg *m)
{
	static const rp_msg zero;
	return memcmp(m, &zero, sizeof zero) == 0;
}



/* Accepted bytes are exactly what the encoders write for the decoded
 * fields, and decode again to the same fields. */
static int s_canonical(const uint8_t *buf, size_t len, const rp_msg *m)
{
	static uint8_t out[S_BIG];
	const uint8_t *start;
	size_t n = 0;
	rp_msg again;

	if (msgcheck_reencode(m, out, sizeof out, &start, &n) != 0 || n != len || memcmp(start, buf, len) != 0)
		return 0;
	return rp_msg_decode(start, n, &again) == 0 && msgcheck_same(m, &again);
}

/* A real signed acct.create op, named after seq. */
static size_t s_make_op(uint64_t seq, uint8_t *out, size_t cap)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char name[32];
	rp_op op;
	size_t len = 0;

	snprintf(name, sizeof name, "ACME Tools %llu", (unsigned long long)seq);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_str(&pk, 4);
	msgpack_pack_str_body(&pk, "name", 4);
	msgpack_pack_str(&pk, strlen(name));
	msgpack_pack_str_body(&pk, name, strlen(name));
	memset(&op, 0, sizeof op);
	op.version = RP_PROTO_VERSION;
	memcpy(op.team, s_team, RP_TEAM_LEN);
	memcpy(op.author, s_pk, RP_DEVICE_LEN);
	op.seq = seq;
	op.hlc = RP_HLC_MAKE(1700000000000ULL + seq, 0);
	memset(op.account, (int)seq, RP_ACCOUNT_LEN);
	strcpy(op.kind, "acct.create");
	op.body = (const uint8_t *)sb.data;
	op.body_len = sb.size;
	if (rp_op_sign(&op, s_sk) != 0 || rp_op_encode(&op, out, cap, &len) != 0)
		len = 0;
	msgpack_sbuffer_destroy(&sb);
	return len;
}

/* ---- round trips -------------------------------------------------------------- */

/* Boundaries of every uint form. */
static const uint64_t s_uints[] = {
	0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffULL, 0x100000000ULL, UINT64_MAX,
};
#define S_NUINTS (sizeof s_uints / sizeof s_uints[0])

static void test_hello(void)
{
	static const uint8_t zero[RP_TEAM_LEN];
	uint8_t buf[128], cap_buf[128];
	size_t len = 0;
	rp_msg m;
	int all = 1, same_bytes = 1;

	for (size_t i = 0; i < S_NUINTS; i++) {
		uint64_t a = s_uints[i], b = s_uints[(i + 3) % S_NUINTS], c = s_uints[(i + 7) % S_NUINTS];
		uint32_t credit = (uint32_t)(i % RP_CREDIT_MAX) + 1;
		struct s_w w;

		uint64_t d = s_uints[(i + 5) % S_NUINTS];
		if (rp_msg_hello(buf, sizeof buf, &len, s_team, s_device, a, b, credit, c, d, 0) != 0 ||
		    rp_msg_decode(buf, len, &m) != 0 || m.type != RP_MSG_HELLO ||
		    m.version != RP_SYNC_VERSION ||
		    memcmp(m.team, s_team, RP_TEAM_LEN) != 0 ||
		    memcmp(m.device, s_device, RP_DEVICE_LEN) != 0 ||
		    m.cursor != a || m.own_head != b || m.credit != credit || m.feed_head != c || m.wall_ms != d ||
		    !s_canonical(buf, len, &m)) {
			all = 0;
			diag("hello round trip failed with %llu %llu %u %llu", (unsigned long long)a,
			     (unsigned long long)b, credit, (unsigned long long)c);
		}
		/* msgpack-c writes the same bytes: the form is standard, not ours. */
		s_w_init(&w);
		msgpack_pack_array(&w.pk, 10);
		msgpack_pack_uint8(&w.pk, RP_MSG_HELLO);
		msgpack_pack_uint8(&w.pk, RP_SYNC_VERSION);
		s_w_bin(&w, s_team, RP_TEAM_LEN);
		s_w_bin(&w, s_device, RP_DEVICE_LEN);
		msgpack_pack_uint64(&w.pk, a);
		msgpack_pack_uint64(&w.pk, b);
		msgpack_pack_uint32(&w.pk, credit);
		msgpack_pack_uint64(&w.pk, c);
		msgpack_pack_uint64(&w.pk, d);
		msgpack_pack_uint8(&w.pk, 0);
		if (w.sb.size != len || memcmp(w.sb.data, buf, len) != 0)
			same_bytes = 0;
		msgpack_sbuffer_destroy(&w.sb);
	}
	ok(all, "hello: every uint form round-trips, fields and bytes");
	ok(same_bytes, "hello: bytes are what msgpack-c writes for the same fields");

	is_int(rp_msg_hello(buf, sizeof buf, &len, zero, s_device, 0, 0, 1, 0, 7, 0), 0,
	       "hello: joining (all-zero team) encodes");
	ok(rp_msg_decode(buf, len, &m) == 0 && memcmp(m.team, zero, RP_TEAM_LEN) == 0 && m.credit == 1,
	   "hello: all-zero team decodes");
	is_int(rp_msg_hello(buf, sizeof buf, &len, s_team, s_device, 1, 2, RP_CREDIT_MAX, 3, 7, 0), 0,
	       "hello: credit RP_CREDIT_MAX encodes");
	ok(rp_msg_decode(buf, len, &m) == 0 && m.credit == RP_CREDIT_MAX, "hello: credit RP_CREDIT_MAX decodes");

	/* Every capacity short of the message fails, and leaves out alone. */
	{
		size_t full = len;
		int short_ok = 1;
		for (size_t cap = 0; cap < full; cap++) {
			size_t l = 99;
			memset(cap_buf, 0xee, sizeof cap_buf);
			if (rp_msg_hello(cap_buf, cap, &l, s_team, s_device, 1, 2, 3, 4, 7, 0) != RP_ELIMIT || l != 0 ||
			    cap_buf[0] != 0xee)
				short_ok = 0;
		}
		ok(short_ok, "hello: every cap below %zu bytes is RP_ELIMIT, out untouched", full);
	}
}

static void test_ack_done(void)
{
	uint8_t buf[32];
	size_t len = 0;
	rp_msg m;
	int all = 1;
	static const size_t want[] = { 4, 4, 4, 5, 5, 6, 6, 8, 8, 12, 12 };

	for (size_t i = 0; i < S_NUINTS; i++) {
		for (int type = RP_MSG_ACK; type <= RP_MSG_DONE; type++) {
			int rc = type == RP_MSG_ACK ? rp_msg_ack(buf, sizeof buf, &len, s_uints[i])
			                            : rp_msg_done(buf, sizeof buf, &len, s_uints[i]);
			if (rc != 0 || len != want[i] || rp_msg_decode(buf, len, &m) != 0 ||
			    m.type != type || m.last != s_uints[i] || m.version != RP_SYNC_VERSION ||
			    !s_canonical(buf, len, &m)) {
				all = 0;
				diag("type %d last %llu failed", type, (unsigned long long)s_uints[i]);
			}
		}
	}
	ok(all, "ack, done: every uint form of last round-trips in its smallest size");
	is_int(rp_msg_ack(buf, 2, &len, 5), RP_ELIMIT, "ack: cap too small is RP_ELIMIT");
	is_int(rp_msg_done(buf, 3, &len, 128), RP_ELIMIT, "done: cap one byte short is RP_ELIMIT");
	is_int(rp_msg_ack(NULL, 32, &len, 5), RP_EINVAL, "ack: NULL out is RP_EINVAL");
	is_int(rp_msg_done(buf, 32, NULL, 5), RP_EINVAL, "done: NULL len is RP_EINVAL");
}

static void test_error(void)
{
	static const int32_t codes[] = {
		-1, -32, -33, -128, -129, -32768, -32769, INT32_MIN, RP_EFORMAT, RP_ELAST,
	};
	char text[RP_MSG_TEXT_MAX + 2];
	const char *texts[5];
	uint8_t buf[300];
	size_t len = 0;
	rp_msg m;
	int all = 1, same_bytes = 1;

	memset(text, 'x', sizeof text);
	text[RP_MSG_TEXT_MAX] = '\0';
	texts[0] = "";
	texts[1] = "0123456789012345678901234567890";     /* 31: fixstr */
	texts[2] = "01234567890123456789012345678901";    /* 32: str8 */
	texts[3] = "Überweisung fehlgeschlagen — ✓ 𝄞";  /* UTF-8 of every width */
	texts[4] = text;                                  /* RP_MSG_TEXT_MAX */

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		for (size_t t = 0; t < 5; t++) {
			struct s_w w;
			if (rp_msg_error(buf, sizeof buf, &len, codes[i], texts[t]) != 0 ||
			    rp_msg_decode(buf, len, &m) != 0 || m.type != RP_MSG_ERROR ||
			    m.code != codes[i] || strcmp(m.text, texts[t]) != 0 ||
			    !s_canonical(buf, len, &m)) {
				all = 0;
				diag("error %d text %zu failed", codes[i], t);
			}
			s_w_init(&w);
			msgpack_pack_array(&w.pk, 4);
			msgpack_pack_uint8(&w.pk, RP_MSG_ERROR);
			msgpack_pack_uint8(&w.pk, RP_SYNC_VERSION);
			msgpack_pack_int32(&w.pk, codes[i]);
			s_w_str(&w, texts[t], strlen(texts[t]));
			if (w.sb.size != len || memcmp(w.sb.data, buf, len) != 0)
				same_bytes = 0;
			msgpack_sbuffer_destroy(&w.sb);
		}
	}
	ok(all, "error: every int form of code and str form of text round-trips");
	ok(same_bytes, "error: bytes are what msgpack-c writes for the same fields");
	is_str(rp_strerror(m.code), rp_strerror(RP_ELAST), "error: the code maps back to its message");

	text[RP_MSG_TEXT_MAX] = 'x';
	text[RP_MSG_TEXT_MAX + 1] = '\0';
	is_int(rp_msg_error(buf, sizeof buf, &len, RP_EFORMAT, text), RP_ELIMIT,
	       "error: text of RP_MSG_TEXT_MAX + 1 bytes is RP_ELIMIT");
	is_int(rp_msg_error(buf, sizeof buf, &len, 0, "x"), RP_EINVAL, "error: code 0 is RP_EINVAL");
	is_int(rp_msg_error(buf, sizeof buf, &len, 5, "x"), RP_EINVAL, "error: positive code is RP_EINVAL");
	is_int(rp_msg_error(buf, sizeof buf, &len, -1, NULL), RP_EINVAL, "error: NULL text is RP_EINVAL");
	is_int(rp_msg_error(buf, sizeof buf, &len, -1, "a\nb"), RP_EINVAL, "error: a newline is RP_EINVAL");
	is_int(rp_msg_error(buf, sizeof buf, &len, -1, "\x1b[2J"), RP_EINVAL,
	       "error: a terminal escape is RP_EINVAL");
	is_int(rp_msg_error(buf, sizeof buf, &len, -1, "caf\xe9"), RP_EINVAL, "error: Latin-1 is RP_EINVAL");
	is_int(rp_msg_error(buf, 10, &len, -1, "a long enough text"), RP_ELIMIT, "error: cap too small is RP_ELIMIT");
	ok(len == 0, "error: *len is 0 after a failure");
}

/* ---- batches ------------------------------------------------------------------ */

/* Decode buf and check that iterating yields exactly ops[0..n). */
static int s_batch_holds(const uint8_t *buf, size_t len, uint64_t first, uint64_t last,
                         const uint8_t *const *ops, const size_t *lens, uint32_t n)
{
	const uint8_t *op;
	size_t pos = 0, oplen;
	uint32_t i = 0;
	rp_msg m;

	if (rp_msg_decode(buf, len, &m) != 0 || m.type != RP_MSG_BATCH || m.first != first ||
	    m.last != last || m.nops != n)
		return 0;
	while (rp_msg_batch_next(&m, &pos, &op, &oplen)) {
		if (i >= n || oplen != lens[i] || memcmp(op, ops[i], oplen) != 0)
			return 0;
		i++;
	}
	return i == n && pos == m.ops_len && op == NULL && oplen == 0 && s_canonical(buf, len, &m);
}

static void test_batch(void)
{
	static uint8_t out[S_BIG];
	static uint8_t opbuf[64][512];
	const uint8_t *ops[64];
	size_t lens[64];
	const uint8_t *start;
	size_t len = 0, pos = 0;
	rp_batch_builder b;
	rp_msg m;
	int decoded = 1, verified = 1;

	for (int i = 0; i < 64; i++) {
		lens[i] = s_make_op((uint64_t)i + 1, opbuf[i], sizeof opbuf[i]);
		ops[i] = opbuf[i];
	}
	ok(lens[0] > 0 && lens[63] > 0, "batch: 64 signed ops to send");

	/* 0 ops */
	rp_batch_begin(&b, out, sizeof out);
	is_int(rp_batch_finish(&b, 0, 1, &start, &len), 0, "batch: an empty batch finishes");
	ok(s_batch_holds(start, len, 0, 1, ops, lens, 0), "batch: 0 ops round-trip");
	ok(rp_msg_decode(start, len, &m) == 0 && m.ops == NULL && m.ops_len == 0,
	   "batch: an empty batch has no ops pointer");

	/* 1 op */
	rp_batch_begin(&b, out, sizeof out);
	is_int(rp_batch_add(&b, ops[0], lens[0]), 0, "batch: add one op");
	is_int(rp_batch_finish(&b, 40, 42, &start, &len), 0, "batch: one op finishes");
	ok(s_batch_holds(start, len, 40, 42, ops, lens, 1), "batch: 1 op round-trips");

	/* many ops: 16 and more need an array16 header */
	for (uint32_t n = 2; n <= 64; n *= 2) {
		rp_batch_begin(&b, out, sizeof out);
		for (uint32_t i = 0; i < n; i++)
			if (rp_batch_add(&b, ops[i], lens[i]) != 0)
				decoded = 0;
		if (rp_batch_finish(&b, n, UINT64_MAX - n, &start, &len) != 0 ||
		    !s_batch_holds(start, len, n, UINT64_MAX - n, ops, lens, n))
			decoded = 0;
	}
	ok(decoded, "batch: 2, 4, 8, 16, 32, 64 ops round-trip");

	/* What users care about: each op arrives and still verifies. */
	ok(rp_msg_decode(start, len, &m) == 0, "batch: the 64-op batch decodes");
	for (uint32_t i = 0; i < 64; i++) {
		const uint8_t *op;
		size_t oplen;
		rp_op o;
		if (!rp_msg_batch_next(&m, &pos, &op, &oplen) || rp_op_decode(op, oplen, &o) != 0 ||
		    rp_op_verify(&o) != 0 || o.seq != i + 1)
			verified = 0;
	}
	ok(verified, "batch: every op of the batch decodes and verifies, in order");

	/* ops of every bin size form */
	{
		static const size_t sizes[] = { 1, 255, 256, 65535, 65536, 2 };
		static uint8_t big[6][RP_OP_MAX];
		const uint8_t *p[6];
		for (int i = 0; i < 6; i++) {
			s_fill(big[i], sizes[i], (uint8_t)i);
			p[i] = big[i];
		}
		rp_batch_begin(&b, out, sizeof out);
		decoded = 1;
		for (int i = 0; i < 6; i++)
			if (rp_batch_add(&b, p[i], sizes[i]) != 0)
				decoded = 0;
		ok(decoded && rp_batch_finish(&b, 0, 7, &start, &len) == 0 &&
		   s_batch_holds(start, len, 0, 7, p, sizes, 6),
		   "batch: ops of 1, 255, 256, 65535, 65536 bytes (bin8/16/32) round-trip");
	}

	/* finish twice, with an add between */
	rp_batch_begin(&b, out, sizeof out);
	rp_batch_add(&b, ops[0], lens[0]);
	rp_batch_finish(&b, 0, 1, &start, &len);
	rp_batch_add(&b, ops[1], lens[1]);
	ok(rp_batch_finish(&b, 0, 2, &start, &len) == 0 && s_batch_holds(start, len, 0, 2, ops, lens, 2),
	   "batch: finish, add, finish again gives both ops");

	/* iterate misuse */
	{
		const uint8_t *op = (const uint8_t *)"x";
		size_t oplen = 9;
		pos = 0;
		rp_msg_ack(out, sizeof out, &len, 3);
		rp_msg_decode(out, len, &m);
		ok(rp_msg_batch_next(&m, &pos, &op, &oplen) == 0 && op == NULL && oplen == 0,
		   "batch_next: an ack has no ops");
		ok(rp_msg_batch_next(NULL, &pos, &op, &oplen) == 0 && rp_msg_batch_next(&m, NULL, &op, &oplen) == 0,
		   "batch_next: NULL arguments end the loop");
	}
}

static void test_builder_limits(void)
{
	static uint8_t out[S_BIG];
	static uint8_t big[RP_OP_MAX + 1];
	const uint8_t *start, *expect[5];
	size_t len = 0, lens[5];
	rp_batch_builder b;
	uint32_t i;
	int rc = 0;
	uint8_t one = 0x5a;

	/* RP_BATCH_OPS_MAX */
	rp_batch_begin(&b, out, sizeof out);
	for (i = 0; i < RP_BATCH_OPS_MAX && rc == 0; i++)
		rc = rp_batch_add(&b, &one, 1);
	ok(rc == 0 && b.nops == RP_BATCH_OPS_MAX, "builder: RP_BATCH_OPS_MAX ops fit");
	is_int(rp_batch_add(&b, &one, 1), RP_ELIMIT, "builder: op RP_BATCH_OPS_MAX + 1 is RP_ELIMIT");
	ok(b.nops == RP_BATCH_OPS_MAX, "builder: the refused op was not counted");
	{
		rp_msg m;
		const uint8_t *op;
		size_t pos = 0, oplen;
		uint32_t n = 0;
		int fine = 1;
		ok(rp_batch_finish(&b, 0, 9, &start, &len) == 0 && rp_msg_decode(start, len, &m) == 0 &&
		   m.nops == RP_BATCH_OPS_MAX, "builder: a full batch of RP_BATCH_OPS_MAX ops decodes");
		while (rp_msg_batch_next(&m, &pos, &op, &oplen)) {
			if (oplen != 1 || *op != one)
				fine = 0;
			n++;
		}
		ok(fine && n == RP_BATCH_OPS_MAX, "builder: and yields exactly RP_BATCH_OPS_MAX ops");
	}

	/* RP_BATCH_MAX: 3 ops of RP_OP_MAX, then one that would pass it */
	s_fill(big, sizeof big, 3);
	rp_batch_begin(&b, out, sizeof out);
	for (i = 0; i < 3; i++) {
		expect[i] = big;
		lens[i] = RP_OP_MAX;
		rc |= rp_batch_add(&b, big, RP_OP_MAX);
	}
	ok(rc == 0, "builder: 3 ops of RP_OP_MAX fit");
	is_int(rp_batch_add(&b, big, RP_OP_MAX), RP_ELIMIT, "builder: a 4th would pass RP_BATCH_MAX: RP_ELIMIT");
	ok(rp_batch_finish(&b, 0, 5, &start, &len) == 0 && s_batch_holds(start, len, 0, 5, expect, lens, 3),
	   "builder: the batch is still valid after the refusal");
	/* exactly RP_BATCH_MAX: the rest minus a bin16 header */
	lens[3] = RP_BATCH_MAX - 3 * (RP_OP_MAX + 5) - 3;
	expect[3] = big + 1;
	is_int(rp_batch_add(&b, big + 1, lens[3]), 0, "builder: an op filling RP_BATCH_MAX exactly fits");
	is_int(rp_batch_add(&b, &one, 1), RP_ELIMIT, "builder: not one byte more: RP_ELIMIT");
	ok(rp_batch_finish(&b, 0, 6, &start, &len) == 0 && s_batch_holds(start, len, 0, 6, expect, lens, 4),
	   "builder: the full batch decodes with its 4 ops");
	{
		rp_msg m;
		ok(rp_msg_decode(start, len, &m) == 0 && m.ops_len == RP_BATCH_MAX,
		   "builder: its ops take exactly RP_BATCH_MAX bytes");
	}

	/* an op over RP_OP_MAX, empty, NULL */
	rp_batch_begin(&b, out, sizeof out);
	is_int(rp_batch_add(&b, big, RP_OP_MAX + 1), RP_ELIMIT, "builder: an op over RP_OP_MAX is RP_ELIMIT");
	is_int(rp_batch_add(&b, big, 0), RP_EINVAL, "builder: an empty op is RP_EINVAL");
	is_int(rp_batch_add(&b, NULL, 5), RP_EINVAL, "builder: a NULL op is RP_EINVAL");
	ok(b.nops == 0 && rp_batch_finish(&b, 0, 1, &start, &len) == 0 &&
	   s_batch_holds(start, len, 0, 1, expect, lens, 0),
	   "builder: refused ops leave an empty, valid batch");

	/* cap: 24 bytes of header room, then 52 + 10 bytes */
	rp_batch_begin(&b, out, 24 + 52 + 10);
	is_int(rp_batch_add(&b, big, 50), 0, "builder: a 50-byte op fits the cap");
	is_int(rp_batch_add(&b, big, 20), RP_ELIMIT, "builder: a 20-byte op passes the cap: RP_ELIMIT");
	is_int(rp_batch_add(&b, big + 2, 8), 0, "builder: an 8-byte op fills the cap exactly");
	is_int(rp_batch_add(&b, &one, 1), RP_ELIMIT, "builder: then nothing fits");
	expect[0] = big;
	lens[0] = 50;
	expect[1] = big + 2;
	lens[1] = 8;
	ok(rp_batch_finish(&b, 70, 77, &start, &len) == 0 && s_batch_holds(start, len, 70, 77, expect, lens, 2) &&
	   start + len <= out + 24 + 52 + 10,
	   "builder: the capped batch is valid and within cap");

	/* a cap too small for the header */
	rp_batch_begin(&b, out, 23);
	is_int(rp_batch_add(&b, &one, 1), RP_ELIMIT, "builder: cap below the header: add is RP_ELIMIT");
	is_int(rp_batch_finish(&b, 0, 1, &start, &len), RP_ELIMIT, "builder: cap below the header: finish is RP_ELIMIT");
	rp_batch_begin(&b, out, 24);
	ok(rp_batch_finish(&b, UINT64_MAX - 1, UINT64_MAX, &start, &len) == 0 &&
	   s_batch_holds(start, len, UINT64_MAX - 1, UINT64_MAX, expect, lens, 0),
	   "builder: a 24-byte cap holds an empty batch with the largest first and last");
	/* first == last: a backfill batch, only with ops */
	rp_batch_begin(&b, out, sizeof out);
	is_int(rp_batch_finish(&b, 5, 5, &start, &len), RP_EINVAL, "builder: first == last without ops is RP_EINVAL");
	ok(start == NULL && len == 0, "builder: a refused finish gives no bytes");
	rp_batch_begin(&b, out, sizeof out);
	rp_batch_add(&b, &one, 1);
	expect[0] = &one;
	lens[0] = 1;
	ok(rp_batch_finish(&b, 5, 5, &start, &len) == 0 && s_batch_holds(start, len, 5, 5, expect, lens, 1),
	   "builder: first == last with ops is a backfill batch");
	rp_batch_begin(&b, out, sizeof out);
	rp_batch_add(&b, &one, 1);
	is_int(rp_batch_finish(&b, 6, 5, &start, &len), RP_EINVAL, "builder: first > last is RP_EINVAL");
	expect[0] = &one;
	lens[0] = 1;
	ok(rp_batch_finish(&b, 4, 5, &start, &len) == 0 && s_batch_holds(start, len, 4, 5, expect, lens, 1),
	   "builder: and the batch is still good for first < last");
	rp_batch_begin(&b, NULL, 100);
	is_int(rp_batch_add(&b, &one, 1), RP_EINVAL, "builder: a NULL out is RP_EINVAL");
	is_int(rp_batch_finish(&b, 0, 1, NULL, &len), RP_EINVAL, "builder: a NULL start is RP_EINVAL");
}

/* ---- limits on decode ---------------------------------------------------------- */

/* [2, 1, 0, 1, [n x bin(oplen)]] with count claimed as count. */
static int s_decode_batch_of(uint32_t count, uint32_t n, size_t oplen)
{
	static uint8_t op[RP_OP_MAX + 16];
	struct s_w w;
	rp_msg m;

	s_w_init(&w);
	S_RAW(&w, 0x95, 0x02, RP_SYNC_VERSION, 0x00, 0x01);
	msgpack_pack_array(&w.pk, count);
	for (uint32_t i = 0; i < n; i++)
		s_w_bin(&w, op, oplen);
	return s_w_decode(&w, &m);
}

/* A hello whose field `which` is replaced by raw bytes. */
static int s_hello_with(int which, const uint8_t *raw, size_t n)
{
	struct s_w w;
	rp_msg m;

	s_w_init(&w);
	msgpack_pack_array(&w.pk, 10);
	for (int i = 0; i < 10; i++) {
		if (i == which) {
			s_w_bytes(&w, raw, n);
			continue;
		}
		switch (i) {
		case 0: msgpack_pack_uint8(&w.pk, RP_MSG_HELLO); break;
		case 1: msgpack_pack_uint8(&w.pk, RP_SYNC_VERSION); break;
		case 2: s_w_bin(&w, s_team, RP_TEAM_LEN); break;
		case 3: s_w_bin(&w, s_device, RP_DEVICE_LEN); break;
		case 6: msgpack_pack_uint8(&w.pk, 8); break;
		case 9: msgpack_pack_uint8(&w.pk, 1); break;
		default: msgpack_pack_uint64(&w.pk, 1000 + (uint64_t)i); break;
		}
	}
	return s_w_decode(&w, &m);
}

#define S_HELLO_WITH(which, ...) s_hello_with((which), (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

/* An error message with raw code bytes and raw text bytes. */
static int s_error_with(const uint8_t *code, size_t codelen, const uint8_t *text, size_t textlen)
{
	struct s_w w;
	rp_msg m;

	s_w_init(&w);
	S_RAW(&w, 0x94, 0x05, RP_SYNC_VERSION);
	s_w_bytes(&w, code, codelen);
	s_w_bytes(&w, text, textlen);
	return s_w_decode(&w, &m);
}

#define S_CODE_WITH(...) s_error_with((const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }), (const uint8_t *)"\xa1x", 2)
#define S_TEXT_WITH(...) s_error_with((const uint8_t *)"\xff", 1, (const uint8_t[]){ __VA_ARGS__ }, \
	sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void test_decode_limits(void)
{
	static uint8_t big[S_MSG_MAX + 2];
	uint8_t text[RP_MSG_TEXT_MAX + 3];
	size_t len = 0;
	rp_msg m;

	/* credit */
	is_int(S_HELLO_WITH(6, 0x00), RP_ELIMIT, "decode: credit 0 is RP_ELIMIT");
	is_int(S_HELLO_WITH(6, 0x41), RP_ELIMIT, "decode: credit RP_CREDIT_MAX + 1 is RP_ELIMIT");
	is_int(S_HELLO_WITH(6, 0xce, 0xff, 0xff, 0xff, 0xff), RP_ELIMIT, "decode: credit 2^32-1 is RP_ELIMIT");
	is_int(S_HELLO_WITH(6, 0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01), RP_ELIMIT,
	       "decode: credit 2^32+1 (would wrap a uint32) is RP_ELIMIT");
	is_int(S_HELLO_WITH(6, 0x40), 0, "decode: credit RP_CREDIT_MAX is fine");
	is_int(rp_msg_hello(big, 128, &len, s_team, s_device, 0, 0, 0, 0, 7, 0), RP_ELIMIT, "encode: credit 0 is RP_ELIMIT");
	is_int(rp_msg_hello(big, 128, &len, s_team, s_device, 0, 0, RP_CREDIT_MAX + 1, 0, 7, 0), RP_ELIMIT,
	       "encode: credit RP_CREDIT_MAX + 1 is RP_ELIMIT");

	/* text */
	text[0] = 0xd9;
	text[1] = RP_MSG_TEXT_MAX + 1;
	memset(text + 2, 'y', RP_MSG_TEXT_MAX + 1);
	is_int(s_error_with((const uint8_t *)"\xff", 1, text, RP_MSG_TEXT_MAX + 3), RP_ELIMIT,
	       "decode: text of RP_MSG_TEXT_MAX + 1 bytes is RP_ELIMIT");
	text[1] = RP_MSG_TEXT_MAX;
	is_int(s_error_with((const uint8_t *)"\xff", 1, text, RP_MSG_TEXT_MAX + 2), 0,
	       "decode: text of RP_MSG_TEXT_MAX bytes is fine");
	is_int(S_TEXT_WITH(0xdb, 0xff, 0xff, 0xff, 0xff, 'a'), RP_ELIMIT, "decode: a str32 claiming 4 GiB is RP_ELIMIT");

	/* ops */
	is_int(s_decode_batch_of(RP_BATCH_OPS_MAX + 1, RP_BATCH_OPS_MAX + 1, 1), RP_ELIMIT,
	       "decode: RP_BATCH_OPS_MAX + 1 ops is RP_ELIMIT");
	is_int(s_decode_batch_of(RP_BATCH_OPS_MAX, RP_BATCH_OPS_MAX, 1), 0, "decode: RP_BATCH_OPS_MAX ops is fine");
	is_int(s_decode_batch_of(1, 1, RP_OP_MAX + 1), RP_ELIMIT, "decode: an op of RP_OP_MAX + 1 bytes is RP_ELIMIT");
	is_int(s_decode_batch_of(1, 1, RP_OP_MAX), 0, "decode: an op of RP_OP_MAX bytes is fine");
	is_int(s_decode_batch_of(4, 4, RP_OP_MAX), RP_ELIMIT,
	       "decode: ops over RP_BATCH_MAX (message under the cap) are RP_ELIMIT");

	/* the message */
	memcpy(big, "\x93\x03\x03\x00", 4);
	memset(big + 4, 0, sizeof big - 4);
	is_int(rp_msg_decode(big, S_MSG_MAX + 1, &m), RP_ELIMIT, "decode: a message over RP_BATCH_MAX + 1 KiB is RP_ELIMIT");
	ok(s_zeroed(&m), "decode: and leaves msg zeroed");
	is_int(rp_msg_decode(big, S_MSG_MAX, &m), RP_EFORMAT, "decode: at RP_BATCH_MAX + 1 KiB it is judged (trailing bytes)");
	is_int(rp_msg_decode(big, 4, &m), 0, "decode: the ack alone is fine");
}

/* ---- format ------------------------------------------------------------------ */

static void test_decode_format(void)
{
	static uint8_t big[S_MSG_MAX + 100];
	uint8_t buf[128];
	size_t len = 0;
	rp_msg m;
	struct s_w w;

	is_int(rp_msg_decode(NULL, 5, &m), RP_EFORMAT, "decode: NULL buf is RP_EFORMAT");
	is_int(rp_msg_decode(buf, 0, &m), RP_EFORMAT, "decode: empty is RP_EFORMAT");
	is_int(rp_msg_decode(buf, 5, NULL), RP_EINVAL, "decode: NULL msg is RP_EINVAL");

	/* versions */
	is_int(S_HELLO_WITH(1, 0x04), RP_EVERSION, "decode: hello of version 4 (newer) is RP_EVERSION");
	is_int(S_HELLO_WITH(1, 0x02), RP_EVERSION, "decode: hello of version 2 (older) is RP_EVERSION");
	is_int(S_HELLO_WITH(1, 0x00), RP_EFORMAT, "decode: version 0 is RP_EFORMAT");
	is_int(S_HELLO_WITH(1, 0xcc, 0x03), RP_EFORMAT, "decode: version 3 as uint8 is RP_EFORMAT");
	is_int(S_HELLO_WITH(1, 0xcf, 0, 0, 0, 0, 0, 0, 0, 4), RP_EVERSION,
	       "decode: version 4 in any uint form is RP_EVERSION");
	is_int(S_HELLO_WITH(1, 0xa1, '1'), RP_EFORMAT, "decode: version as str is RP_EFORMAT");
	is_int(s_decode_exact("\x92\x09\x04", 3, &m), RP_EVERSION,
	       "decode: [9, 4] (a type we do not know, from a newer peer) is RP_EVERSION");
	is_int(s_decode_exact("\x9f\x01\x05\xc1\xc1", 5, &m), RP_EVERSION,
	       "decode: version 5 followed by garbage is RP_EVERSION");
	is_int(s_decode_exact("\xdc\x00\x02\x01\x04", 5, &m), RP_EVERSION,
	       "decode: version 4 in an array16 is RP_EVERSION");
	is_int(s_decode_exact("\x91\x01\x03", 3, &m), RP_EFORMAT,
	       "decode: [1] then a stray byte is RP_EFORMAT, not a version");
	memcpy(big, "\x93\x03\x04\x00", 4);
	memset(big + 4, 0, sizeof big - 4);
	is_int(rp_msg_decode(big, sizeof big, &m), RP_EVERSION,
	       "decode: an oversized message of version 4 is RP_EVERSION (version first)");

	/* types and counts */
	is_int(s_decode_exact("\x93\x00\x03\x00", 4, &m), RP_EFORMAT, "decode: type 0 is RP_EFORMAT");
	is_int(s_decode_exact("\x93\x06\x03\x00", 4, &m), RP_EFORMAT, "decode: type 6 is RP_EFORMAT");
	is_int(s_decode_exact("\x93\xcc\x80\x03\x00", 5, &m), RP_EFORMAT, "decode: type 128 is RP_EFORMAT");
	is_int(s_decode_exact("\x93\xff\x03\x00", 4, &m), RP_EFORMAT, "decode: type -1 is RP_EFORMAT");
	is_int(s_decode_exact("\x93\xcc\x03\x03\x00", 5, &m), RP_EFORMAT,
	       "decode: type 3 as uint8 is RP_EFORMAT");
	is_int(s_decode_exact("\x94\x03\x03\x00\x00", 5, &m), RP_EFORMAT, "decode: ack of 4 is RP_EFORMAT");
	is_int(s_decode_exact("\x92\x04\x03", 3, &m), RP_EFORMAT, "decode: done of 2 is RP_EFORMAT");
	is_int(s_decode_exact("\x94\x02\x03\x00\x90", 5, &m), RP_EFORMAT,
	       "decode: batch of 4 (the old [2, ver, last, ops]) is RP_EFORMAT");
	is_int(s_decode_exact("\x96\x02\x03\x00\x01\x90\x00", 7, &m), RP_EFORMAT,
	       "decode: batch of 6 is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x90", 6, &m), 0,
	       "decode: [2, 1, 0, 1, []] is fine");
	is_int(s_decode_exact("\x95\x02\x03\x05\x05\x90", 6, &m), RP_EFORMAT,
	       "decode: a batch with first == last and no ops is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x05\x05\x91\xc4\x01\x61", 9, &m), 0,
	       "decode: a backfill batch (first == last, with ops) is fine");
	is_int(s_decode_exact("\x95\x02\x03\x06\x05\x91\xc4\x01\x61", 9, &m), RP_EFORMAT,
	       "decode: a batch with first > last is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\xcc\x05\x06\x90", 7, &m), RP_EFORMAT,
	       "decode: first 5 as uint8 is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\xff\x06\x90", 6, &m), RP_EFORMAT,
	       "decode: a negative first is RP_EFORMAT");
	is_int(s_decode_exact("\x93\x05\x03\xff", 4, &m), RP_EFORMAT, "decode: error of 3 is RP_EFORMAT");
	is_int(s_decode_exact("\xdc\x00\x03\x03\x03\x00", 6, &m), RP_EFORMAT,
	       "decode: ack in an array16 is RP_EFORMAT");
	is_int(s_decode_exact("\x83\x03\x03\x00", 4, &m), RP_EFORMAT, "decode: a map is RP_EFORMAT");
	is_int(s_decode_exact("\x03", 1, &m), RP_EFORMAT, "decode: a bare uint is RP_EFORMAT");
	is_int(s_decode_exact("\xc1", 1, &m), RP_EFORMAT, "decode: 0xc1 is RP_EFORMAT");

	/* trailing bytes on every type */
	{
		uint8_t t[300];
		size_t n = 0;
		int all = 1;
		for (int type = RP_MSG_HELLO; type <= RP_MSG_ERROR; type++) {
			rp_batch_builder b;
			const uint8_t *start = t;
			switch (type) {
			case RP_MSG_HELLO: rp_msg_hello(t, sizeof t, &n, s_team, s_device, 1, 2, 3, 4, 7, 0); break;
			case RP_MSG_BATCH:
				rp_batch_begin(&b, t, sizeof t - 1);
				rp_batch_add(&b, (const uint8_t *)"op", 2);
				rp_batch_finish(&b, 2, 3, &start, &n);
				break;
			case RP_MSG_ACK: rp_msg_ack(t, sizeof t, &n, 3); break;
			case RP_MSG_DONE: rp_msg_done(t, sizeof t, &n, 3); break;
			default: rp_msg_error(t, sizeof t, &n, RP_EIO, "disk full"); break;
			}
			memmove(t, start, n);
			if (rp_msg_decode(t, n, &m) != 0)
				all = 0;
			t[n] = 0xc0;
			if (rp_msg_decode(t, n + 1, &m) != RP_EFORMAT || !s_zeroed(&m))
				all = 0;
		}
		ok(all, "decode: one trailing byte after any message type is RP_EFORMAT");
	}

	/* hello fields of the wrong type or form */
	{
		uint8_t raw[40];
		raw[0] = 0xc4;
		raw[1] = 31;
		memset(raw + 2, 1, 31);
		is_int(s_hello_with(2, raw, 33), RP_EFORMAT, "decode: a 31-byte team is RP_EFORMAT");
		raw[1] = 33;
		memset(raw + 2, 1, 33);
		is_int(s_hello_with(3, raw, 35), RP_EFORMAT, "decode: a 33-byte device is RP_EFORMAT");
		raw[0] = 0xd9;
		raw[1] = 32;
		is_int(s_hello_with(2, raw, 34), RP_EFORMAT, "decode: a team as str is RP_EFORMAT");
		raw[0] = 0xc5;
		raw[1] = 0;
		raw[2] = 32;
		memset(raw + 3, 1, 32);
		is_int(s_hello_with(3, raw, 35), RP_EFORMAT, "decode: a device as bin16 is RP_EFORMAT");
	}
	is_int(S_HELLO_WITH(4, 0xff), RP_EFORMAT, "decode: a negative cursor is RP_EFORMAT");
	is_int(S_HELLO_WITH(4, 0xd0, 0x05), RP_EFORMAT, "decode: a cursor as int8 is RP_EFORMAT");
	is_int(S_HELLO_WITH(5, 0xca, 0, 0, 0, 0), RP_EFORMAT, "decode: an own_head as float is RP_EFORMAT");
	is_int(S_HELLO_WITH(5, 0xc0), RP_EFORMAT, "decode: an own_head of nil is RP_EFORMAT");
	is_int(S_HELLO_WITH(7, 0xcd, 0x00, 0xff), RP_EFORMAT, "decode: feed_head 255 as uint16 is RP_EFORMAT");
	is_int(S_HELLO_WITH(7, 0xce, 0x00, 0x00, 0xff, 0xff), RP_EFORMAT, "decode: 65535 as uint32 is RP_EFORMAT");
	is_int(S_HELLO_WITH(7, 0xcf, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff), RP_EFORMAT,
	       "decode: 2^32-1 as uint64 is RP_EFORMAT");
	is_int(S_HELLO_WITH(7, 0xcc, 0x7f), RP_EFORMAT, "decode: 127 as uint8 is RP_EFORMAT");
	is_int(S_HELLO_WITH(7, 0xcc, 0x80), 0, "decode: 128 as uint8 is fine");
	is_int(S_HELLO_WITH(6, 0xcc, 0x08), RP_EFORMAT, "decode: credit 8 as uint8 is RP_EFORMAT");

	/* ack/done last */
	is_int(s_decode_exact("\x93\x03\x03\xcc\x05", 5, &m), RP_EFORMAT,
	       "decode: last 5 as uint8 is RP_EFORMAT");
	is_int(s_decode_exact("\x93\x04\x03\xa1\x35", 5, &m), RP_EFORMAT, "decode: last as str is RP_EFORMAT");
	is_int(s_decode_exact("\x93\x04\x03\xd3\x00\x00\x00\x00\x00\x00\x00\x05", 12, &m), RP_EFORMAT,
	       "decode: last as int64 is RP_EFORMAT");

	/* batch ops array */
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\xc0", 6, &m), RP_EFORMAT, "decode: nil ops is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x80", 6, &m), RP_EFORMAT, "decode: a map of ops is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\xdc\x00\x01\xc4\x01\x61", 11, &m), RP_EFORMAT,
	       "decode: an array16 of 1 op is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\xdd\x00\x00\x00\x01\xc4\x01\x61", 13, &m), RP_EFORMAT,
	       "decode: an array32 of 1 op is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\xa1\x61", 8, &m), RP_EFORMAT,
	       "decode: an op as str is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\xc5\x00\x01\x61", 10, &m), RP_EFORMAT,
	       "decode: a 1-byte op as bin16 is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\xc6\x00\x00\x01\x00\x61", 12, &m), RP_EFORMAT,
	       "decode: a 256-byte op as bin32 (and truncated) is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\xc4\x00", 8, &m), RP_EFORMAT,
	       "decode: an empty op is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x92\xc4\x01\x61", 9, &m), RP_EFORMAT,
	       "decode: fewer ops than counted is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x92\xc4\x03\x61", 9, &m), RP_EFORMAT,
	       "decode: an op claiming more bytes than are left, another op counted after it, is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\xc4\x03\x61", 9, &m), RP_EFORMAT,
	       "decode: a last op claiming more bytes than are left is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\xc4\x01\x61\xc4\x01\x62", 12, &m), RP_EFORMAT,
	       "decode: more ops than counted is RP_EFORMAT");
	is_int(s_decode_exact("\x95\x02\x03\x00\x01\x91\x91\xc4\x01\x61", 10, &m), RP_EFORMAT,
	       "decode: a nested array for an op is RP_EFORMAT");
	s_w_init(&w);
	S_RAW(&w, 0x95, 0x02, RP_SYNC_VERSION, 0x00, 0x01, 0xdc, 0x00, 0x10);
	for (int i = 0; i < 16; i++)
		S_RAW(&w, 0xc4, 0x01, (uint8_t)i);
	is_int(s_w_decode(&w, &m), 0, "decode: 16 ops in an array16 is fine");

	/* error code and text */
	is_int(S_CODE_WITH(0x00), RP_EFORMAT, "decode: code 0 is RP_EFORMAT");
	is_int(S_CODE_WITH(0x05), RP_EFORMAT, "decode: a positive code is RP_EFORMAT");
	is_int(S_CODE_WITH(0xd0, 0xff), RP_EFORMAT, "decode: -1 as int8 is RP_EFORMAT");
	is_int(S_CODE_WITH(0xd1, 0xff, 0x80), RP_EFORMAT, "decode: -128 as int16 is RP_EFORMAT");
	is_int(S_CODE_WITH(0xd2, 0xff, 0xff, 0x87, 0xcc), RP_EFORMAT, "decode: -30772 as int32 is RP_EFORMAT");
	is_int(S_CODE_WITH(0xd1, 0x87, 0x48), 0, "decode: RP_EFORMAT as int16 is fine");
	is_int(S_CODE_WITH(0xd3, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00), RP_EFORMAT,
	       "decode: INT32_MIN as int64 is RP_EFORMAT");
	is_int(S_CODE_WITH(0xd3, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff), RP_EFORMAT,
	       "decode: a code below INT32_MIN is RP_EFORMAT");
	is_int(S_CODE_WITH(0xd1, 0x00, 0x05), RP_EFORMAT, "decode: a positive int16 code is RP_EFORMAT");
	is_int(S_CODE_WITH(0xcb, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0), RP_EFORMAT, "decode: a float code is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xc4, 0x01, 0x61), RP_EFORMAT, "decode: text as bin is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xd9, 0x01, 0x61), RP_EFORMAT, "decode: 1-byte text as str8 is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xda, 0x00, 0x21, 0x61), RP_EFORMAT, "decode: text as str16 is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa3, 'a', 0x00, 'b'), RP_EFORMAT, "decode: a NUL inside the text is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa3, 'a', 0x1b, 'b'), RP_EFORMAT, "decode: ESC inside the text is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa1, 0x7f), RP_EFORMAT, "decode: DEL is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa2, 0xc2, 0x9b), RP_EFORMAT, "decode: the C1 CSI (U+009B) is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa2, 0xc2, 0xa0), 0, "decode: U+00A0 is fine");
	is_int(S_TEXT_WITH(0xa2, 0xc0, 0xaf), RP_EFORMAT, "decode: an overlong '/' is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa3, 0xed, 0xa0, 0x80), RP_EFORMAT, "decode: a surrogate is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa4, 0xf4, 0x90, 0x80, 0x80), RP_EFORMAT, "decode: past U+10FFFF is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa4, 0xf0, 0x9d, 0x84, 0x9e), 0, "decode: U+1D11E is fine");
	is_int(S_TEXT_WITH(0xa2, 0xe2, 0x82), RP_EFORMAT, "decode: a cut UTF-8 sequence is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa1, 0xe9), RP_EFORMAT, "decode: Latin-1 is RP_EFORMAT");
	is_int(S_TEXT_WITH(0xa0), 0, "decode: an empty text is fine");

	(void)len;
}

/* ---- every prefix, every bit --------------------------------------------------- */

struct s_sample {
	const char *name;
	uint8_t     buf[1024];
	size_t      len;
};

static void s_samples(struct s_sample *s)
{
	static uint8_t opbuf[2][512];
	rp_batch_builder b;
	const uint8_t *start;
	uint8_t tmp[1024];
	size_t l0, l1;

	s[0].name = "hello";
	rp_msg_hello(s[0].buf, sizeof s[0].buf, &s[0].len, s_team, s_device, 1234567, 300, 16, 0x1234567890ULL, 7, 0);
	s[1].name = "batch";
	l0 = s_make_op(1, opbuf[0], sizeof opbuf[0]);
	l1 = s_make_op(2, opbuf[1], sizeof opbuf[1]);
	rp_batch_begin(&b, tmp, sizeof tmp);
	rp_batch_add(&b, opbuf[0], l0);
	rp_batch_add(&b, opbuf[1], l1);
	rp_batch_finish(&b, 69998, 70000, &start, &s[1].len);
	memcpy(s[1].buf, start, s[1].len);
	s[2].name = "ack";
	rp_msg_ack(s[2].buf, sizeof s[2].buf, &s[2].len, 65536);
	s[3].name = "done";
	rp_msg_done(s[3].buf, sizeof s[3].buf, &s[3].len, 0xffffffffffULL);
	s[4].name = "error";
	rp_msg_error(s[4].buf, sizeof s[4].buf, &s[4].len, RP_ENOTMEMBER, "device not in the roster — ask an admin");
}

static void test_truncation(void)
{
	static struct s_sample s[5];

	s_samples(s);
	for (int i = 0; i < 5; i++) {
		int all = 1;
		rp_msg m;
		for (size_t cut = 0; cut < s[i].len; cut++) {
			/* A fresh copy of just the prefix, so ASan sees any read past it. */
			uint8_t *p = malloc(cut ? cut : 1);
			memcpy(p, s[i].buf, cut);
			if (rp_msg_decode(p, cut, &m) != RP_EFORMAT || !s_zeroed(&m)) {
				all = 0;
				diag("%s cut at %zu", s[i].name, cut);
			}
			free(p);
		}
		ok(rp_msg_decode(s[i].buf, s[i].len, &m) == 0 && m.type == i + 1,
		   "%s sample (%zu bytes) decodes", s[i].name, s[i].len);
		ok(all, "%s: every one of its %zu prefixes is RP_EFORMAT, msg zeroed", s[i].name, s[i].len);
	}
}


static void test_bitflips(void)
{
	static struct s_sample s[5];

	s_samples(s);
	for (int i = 0; i < 5; i++) {
		int all = 1, accepted = 0, refused = 0;
		for (size_t bit = 0; bit < s[i].len * 8; bit++) {
			uint8_t *p = malloc(s[i].len);
			rp_msg m;
			int rc;
			memcpy(p, s[i].buf, s[i].len);
			p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = rp_msg_decode(p, s[i].len, &m);
			if (rc == 0) {
				accepted++;
				if (!msgcheck_valid(&m) || !s_canonical(p, s[i].len, &m))
					all = 0;
			} else {
				refused++;
				if ((rc != RP_EFORMAT && rc != RP_ELIMIT && rc != RP_EVERSION) || !s_zeroed(&m))
					all = 0;
			}
			if (!all) {
				diag("%s bit %zu: rc %d", s[i].name, bit, rc);
				free(p);
				break;
			}
			free(p);
		}
		ok(all, "%s: each of %zu single-bit flips is refused (%d) or a valid canonical message (%d)",
		   s[i].name, s[i].len * 8, refused, accepted);
	}
}

/* ---- claimed counts that the bytes cannot back ---------------------------------- */

static int s_decode_counting(const uint8_t *p, size_t n, unsigned long *mallocs)
{
	uint8_t *copy = malloc(n);
	rp_msg m;
	int rc;

	memcpy(copy, p, n);
#ifdef S_ASAN
	{
		unsigned long before = s_mallocs;
		rc = rp_msg_decode(copy, n, &m);
		*mallocs = s_mallocs - before;
	}
#else
	rc = rp_msg_decode(copy, n, &m);
	*mallocs = 0;
#endif
	free(copy);
	return rc;
}

static void test_huge_counts(void)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t      len;
		int         want;
	} cases[] = {
		{ "an outer array32 of 2^32-1 in 6 bytes", "\xdd\xff\xff\xff\xff\x01", 6, RP_EFORMAT },
		{ "an outer array32 of 2^32-1 claiming version 3", "\xdd\xff\xff\xff\xff\x03\x03", 7, RP_EFORMAT },
		{ "an ops array32 of 2^32-1", "\x95\x02\x03\x00\x01\xdd\xff\xff\xff\xff", 10, RP_ELIMIT },
		{ "an ops array16 of 65535", "\x95\x02\x03\x00\x01\xdc\xff\xff\xc4\x01\x61", 11, RP_ELIMIT },
		{ "an op bin32 of 2^32-1", "\x95\x02\x03\x00\x01\x91\xc6\xff\xff\xff\xff", 11, RP_ELIMIT },
		{ "a text str32 of 2^32-1", "\x94\x05\x03\xff\xdb\xff\xff\xff\xff", 9, RP_ELIMIT },
		{ "a map32 of 2^32-1", "\xdf\xff\xff\xff\xff\x01", 6, RP_EFORMAT },
	};
	int none = 1;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unsigned long mallocs = 0;
		int rc = s_decode_counting((const uint8_t *)cases[i].bytes, cases[i].len, &mallocs);
		is_int(rc, cases[i].want, "decode: %s is refused", cases[i].what);
		if (mallocs != 0)
			none = 0;
	}
#ifdef S_ASAN
	{
		unsigned long before = s_mallocs;
		void *volatile probe = malloc(24);
		free(probe);
		ok(s_mallocs - before == 1, "the malloc hook sees a malloc (so a count of 0 means something)");
	}
	ok(none, "decode: none of them allocated a byte (counted by ASan's malloc hook)");
#else
	ok(none, "decode: none of them allocated (counted only under ASan; build with it to check)");
#endif
	/* And a well-formed full-size batch does not either. */
	{
		static uint8_t out[S_BIG];
		static uint8_t op[RP_OP_MAX];
		rp_batch_builder b;
		const uint8_t *start;
		unsigned long mallocs = 0;
		size_t len = 0;
		rp_batch_begin(&b, out, sizeof out);
		while (rp_batch_add(&b, op, (size_t)(s_rand() % 3000) + 1) == 0)
			;
		rp_batch_finish(&b, 0, 1, &start, &len);
		is_int(s_decode_counting(start, len, &mallocs), 0, "decode: a full random batch (%zu bytes) decodes", len);
		is_int((long long)mallocs, 0, "decode: without allocating");
	}
}

/* Live sessions (version 3): the hello's live flag and the tick. */
static void test_live(void)
{
	uint8_t buf[256];
	size_t len = 0, decoded = 0;
	rp_msg m;
	ok(rp_msg_hello(buf, sizeof buf, &len, s_team, s_device, 1, 2, 8, 3, 7, 1) == 0 &&
	   rp_msg_decode(buf, len, &m) == 0 && m.live == 1, "hello: live 1 round-trips");
	ok(rp_msg_hello(buf, sizeof buf, &len, s_team, s_device, 1, 2, 8, 3, 7, 5) == 0 &&
	   rp_msg_decode(buf, len, &m) == 0 && m.live == 1, "hello: any non-zero live encodes as 1");
	buf[len - 1] = 2;           /* the flag is the last byte: a positive fixint */
	is_int(rp_msg_decode(buf, len, &m), RP_EFORMAT, "decode: a live flag of 2 is RP_EFORMAT");
	is_int(S_HELLO_WITH(9, 0xcc, 0x01), RP_EFORMAT, "decode: a live flag not in its smallest form is RP_EFORMAT");
	is_int(S_HELLO_WITH(9, 0xc3), RP_EFORMAT, "decode: a live flag that is a bool is RP_EFORMAT");
	is_int(S_HELLO_WITH(9, 0x00), 0, "decode: live 0 is fine");
	ok(rp_msg_tick(buf, sizeof buf, &len) == 0 && len == 3 && buf[0] == 0x92 && buf[1] == RP_MSG_TICK &&
	   buf[2] == RP_SYNC_VERSION, "tick: [7, version]");
	ok(rp_msg_decode(buf, len, &m) == 0 && m.type == RP_MSG_TICK, "tick: decodes");
	for (size_t cut = 0; cut < len; cut++)
		decoded += rp_msg_decode(buf, cut, &m) == 0;
	is_int(decoded, 0, "tick: every truncation is refused");
	is_int(s_decode_exact("\x93\x07\x03\x00", 4, &m), RP_EFORMAT, "decode: a tick with a field more is RP_EFORMAT");
	is_int(s_decode_exact("\x92\x08\x03", 3, &m), RP_EFORMAT, "decode: type 8 is unknown: RP_EFORMAT");
	is_int(s_decode_exact("\x92\x07\x02", 3, &m), RP_EVERSION, "decode: a version 2 message is RP_EVERSION");
	is_int(rp_msg_tick(buf, 2, &len), RP_ELIMIT, "tick: a small cap is RP_ELIMIT");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
#ifdef S_ASAN
	__sanitizer_install_malloc_and_free_hooks(s_malloc_hook, s_free_hook);
#endif
	s_fill(s_team, sizeof s_team, 0x11);
	s_fill(s_device, sizeof s_device, 0x80);
	{
		uint8_t seed[32];
		memset(seed, 7, sizeof seed);
		crypto_sign_seed_keypair(s_pk, s_sk, seed);
	}
	test_hello();
	test_ack_done();
	test_live();
	test_error();
	test_batch();
	test_builder_limits();
	test_decode_limits();
	test_decode_format();
	test_truncation();
	test_bitflips();
	test_huge_counts();
	{
		uint8_t buf[64], acct[RP_ACCOUNT_LEN];
		size_t n;
		rp_msg hm;
		memset(acct, 0xab, sizeof acct);
		ok(rp_msg_have(buf, sizeof buf, &n, acct, 4242) == 0 && rp_msg_decode(buf, n, &hm) == 0 &&
		   hm.type == RP_MSG_HAVE && hm.count == 4242 && !memcmp(hm.account, acct, RP_ACCOUNT_LEN),
		   "have: round trip");
		size_t decoded = 0;
		for (size_t cut = 0; cut < n; cut++)
			decoded += rp_msg_decode(buf, cut, &hm) == 0;
		is_int(decoded, 0, "have: every one of its %zu truncations is refused", n);
		is_int(rp_msg_have(buf, 4, &n, acct, 1), RP_ELIMIT, "have: a small cap is RP_ELIMIT");
	}
	return done_testing();
}
