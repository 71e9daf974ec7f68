/* proto/op.c — one signed op: wire form, limits, body hash, signature.
 * Every byte decoded here may come from a hostile peer: counts are checked
 * by a non-allocating scan before msgpack-c ever sizes an allocation on them. */
#include "op.h"

#include <msgpack.h>
#include <sodium.h>
#include <string.h>

#include "error.h"

#define S_OP_FIELDS      10
#define S_HEADER_FIELDS  8
/* Largest signed header: fixarray + uint32 + 2 x bin8(32) + 2 x uint64 +
 * bin8(16) + str8(32) + bin8(32) = 1+5+34+34+9+9+18+34+34 = 178 bytes. */
#define S_HEADER_MAX     208

/* ---- the scan: one msgpack object, checked without allocating ------------ */

/* What one scan accepts. depth_max counts open containers, the root one
 * included; items_max counts the pairs of a map, the elements of an array. */
struct s_rules {
	int      depth_max;
	uint32_t items_max;
	uint32_t str_max;
	int      keys_str;    /* map keys must be str */
};

#define S_SCAN_DEPTH RP_BODY_DEPTH_MAX

static uint32_t s_get_be(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Walk exactly one object at buf[0..len) and set *end past it. Iterative, so
 * a 60 KiB run of nested maps costs no stack; a container's count must fit
 * in the bytes left (each entry takes at least one), so msgpack-c, which
 * allocates count * 24 bytes up front, is never asked for more than the
 * input can justify. Returns 0, RP_EFORMAT (malformed, truncated, ext type,
 * non-str key) or RP_ELIMIT (a rule exceeded). */
static int s_scan(const uint8_t *buf, size_t len, const struct s_rules *r, size_t *end)
{
	uint64_t left[S_SCAN_DEPTH];        /* entries still to read per level */
	unsigned char is_map[S_SCAN_DEPTH];
	int depth = 0;
	size_t p = 0;

	if (r->depth_max > S_SCAN_DEPTH)
		return RP_EINVAL;
	do {
		int key = 0, hdr = 1;
		uint8_t b;
		uint64_t n = 0;         /* entries of a container */
		uint64_t skip = 0;      /* payload bytes after the header */
		int container = 0, map = 0;

		if (depth > 0) {
			/* Map entries count down 2n, 2n-1, ...: keys sit at even counts. */
			key = is_map[depth - 1] && left[depth - 1] % 2 == 0;
			left[depth - 1]--;
		}
		if (p >= len)
			return RP_EFORMAT;
		b = buf[p];
		if (key && r->keys_str && !(b >= 0xa0 && b <= 0xbf) && !(b >= 0xd9 && b <= 0xdb))
			return RP_EFORMAT;

		if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
			/* fixint, nil, bool: the type byte is all */
		} else if (b <= 0x8f) {
			container = map = 1;
			n = b & 0x0f;
		} else if (b <= 0x9f) {
			container = 1;
			n = b & 0x0f;
		} else if (b <= 0xbf) {
			skip = b & 0x1f;
			if (skip > r->str_max)
				return RP_ELIMIT;
		} else {
			int lenbytes = 0;
			switch (b) {
			case 0xc4: case 0xd9: lenbytes = 1; break;   /* bin8, str8 */
			case 0xc5: case 0xda: lenbytes = 2; break;   /* bin16, str16 */
			case 0xc6: case 0xdb: lenbytes = 4; break;   /* bin32, str32 */
			case 0xca: skip = 4; break;                  /* float32 */
			case 0xcb: skip = 8; break;                  /* float64 */
			case 0xcc: case 0xd0: skip = 1; break;       /* (u)int8 */
			case 0xcd: case 0xd1: skip = 2; break;
			case 0xce: case 0xd2: skip = 4; break;
			case 0xcf: case 0xd3: skip = 8; break;
			case 0xdc: container = 1; lenbytes = 2; break;
			case 0xdd: container = 1; lenbytes = 4; break;
			case 0xde: container = map = 1; lenbytes = 2; break;
			case 0xdf: container = map = 1; lenbytes = 4; break;
			default:
				/* 0xc1 (never used) and every ext form: no ext in rapport,
				 * so no type a reader could misinterpret. */
				return RP_EFORMAT;
			}
			if (lenbytes) {
				if ((size_t)lenbytes > len - p - 1)
					return RP_EFORMAT;
				hdr += lenbytes;
				if (container) {
					n = s_get_be(buf + p + 1, lenbytes);
				} else {
					skip = s_get_be(buf + p + 1, lenbytes);
					if (skip > r->str_max)
						return RP_ELIMIT;
				}
			}
		}
		if ((size_t)hdr > len - p || skip > len - p - (size_t)hdr)
			return RP_EFORMAT;
		p += (size_t)hdr + (size_t)skip;

		if (container) {
			if (depth + 1 > r->depth_max)
				return RP_ELIMIT;
			if (n > r->items_max)
				return RP_ELIMIT;
			if (n * (map ? 2 : 1) > len - p)
				return RP_EFORMAT;
			if (n > 0) {
				left[depth] = n * (map ? 2 : 1);
				is_map[depth] = (unsigned char)map;
				depth++;
			}
		}
		while (depth > 0 && left[depth - 1] == 0)
			depth--;
	} while (depth > 0);
	*end = p;
	return 0;
}

/* ---- body ---------------------------------------------------------------- */

static const struct s_rules s_body_rules = {
	.depth_max = RP_BODY_DEPTH_MAX,
	.items_max = RP_BODY_ITEMS_MAX,
	.str_max   = RP_STR_MAX,
	.keys_str  = 1,
};

int rp_body_check(const uint8_t *body, size_t len)
{
	msgpack_unpacked up;
	msgpack_unpack_return ret;
	size_t end = 0, off = 0;
	int rc;

	if (!body || len == 0)
		return RP_EFORMAT;
	if (len > RP_BODY_MAX)
		return RP_ELIMIT;
	if (!((body[0] >= 0x80 && body[0] <= 0x8f) || body[0] == 0xde || body[0] == 0xdf))
		return RP_EFORMAT;
	rc = s_scan(body, len, &s_body_rules, &end);
	if (rc)
		return rc;
	if (end != len)
		return RP_EFORMAT;
	/* The views read bodies with msgpack-c: make sure it agrees with the
	 * scan, so no body is accepted here that a view would then choke on. */
	msgpack_unpacked_init(&up);
	ret = msgpack_unpack_next(&up, (const char *)body, len, &off);
	if (ret == MSGPACK_UNPACK_NOMEM_ERROR)
		rc = RP_ENOMEM;
	else if (ret != MSGPACK_UNPACK_SUCCESS || off != len || up.data.type != MSGPACK_OBJECT_MAP)
		rc = RP_EFORMAT;
	msgpack_unpacked_destroy(&up);
	return rc;
}

/* ---- encode -------------------------------------------------------------- */

static int s_kind_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Kind: 1..RP_KIND_MAX of [a-z0-9._-]; nothing a shell, a log line or a
 * JSON key would need to escape. Returns 0, RP_EFORMAT or RP_ELIMIT. */
static int s_check_kind(const char *kind, size_t len)
{
	if (len == 0)
		return RP_EFORMAT;
	if (len > RP_KIND_MAX)
		return RP_ELIMIT;
	for (size_t i = 0; i < len; i++)
		if (!s_kind_char((unsigned char)kind[i]))
			return RP_EFORMAT;
	return 0;
}

/* The header fields an encoder must refuse: decode would refuse them. */
static int s_check_fields(const rp_op *op)
{
	size_t klen;

	if (op->version == 0 || op->version > RP_PROTO_VERSION)
		return RP_EINVAL;
	if (op->seq == 0 || op->seq > RP_SEQ_MAX)
		return RP_EINVAL;
	klen = strnlen(op->kind, sizeof op->kind);
	if (klen == sizeof op->kind || s_check_kind(op->kind, klen) != 0)
		return RP_EINVAL;
	if (!op->body && op->body_len != 0)
		return RP_EINVAL;
	return 0;
}

/* A packer target: the caller's fixed buffer. Overflow fails the pack
 * instead of growing anything. */
struct s_out {
	uint8_t *buf;
	size_t   cap;
	size_t   len;
};

static int s_out_write(void *data, const char *p, size_t n)
{
	struct s_out *o = data;

	if (n > o->cap - o->len)
		return -1;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

/* A packer target that writes nothing and compares with existing bytes:
 * decode uses it to demand that the input is exactly what encode writes. */
struct s_cmp {
	const uint8_t *buf;
	size_t         len;
	size_t         pos;
};

static int s_cmp_write(void *data, const char *p, size_t n)
{
	struct s_cmp *c = data;

	if (n > c->len - c->pos)
		return -1;
	/* The body is packed from a pointer into the very input: skip the
	 * compare of 60 KiB against itself. */
	if ((const uint8_t *)p != c->buf + c->pos && memcmp(p, c->buf + c->pos, n) != 0)
		return -1;
	c->pos += n;
	return 0;
}

static int s_pack_bin(msgpack_packer *pk, const void *p, size_t n)
{
	if (msgpack_pack_bin(pk, n) != 0)
		return -1;
	return msgpack_pack_bin_body(pk, p, n);
}

/* The first 8 fields, shared by the wire form and the signed header, so
 * the two can never drift apart. Fields must have passed s_check_fields. */
static int s_pack_fields(msgpack_packer *pk, const rp_op *op)
{
	size_t klen = strlen(op->kind);

	if (msgpack_pack_uint32(pk, op->version) != 0 ||
	    s_pack_bin(pk, op->team, RP_TEAM_LEN) != 0 ||
	    s_pack_bin(pk, op->author, RP_DEVICE_LEN) != 0 ||
	    msgpack_pack_uint64(pk, op->seq) != 0 ||
	    msgpack_pack_uint64(pk, op->hlc) != 0 ||
	    s_pack_bin(pk, op->account, RP_ACCOUNT_LEN) != 0 ||
	    msgpack_pack_str(pk, klen) != 0 ||
	    msgpack_pack_str_body(pk, op->kind, klen) != 0 ||
	    s_pack_bin(pk, op->body_hash, RP_HASH_LEN) != 0)
		return -1;
	return 0;
}

static int s_pack_op(msgpack_packer *pk, const rp_op *op)
{
	if (msgpack_pack_array(pk, S_OP_FIELDS) != 0 || s_pack_fields(pk, op) != 0)
		return -1;
	if (op->body) {
		if (s_pack_bin(pk, op->body, op->body_len) != 0)
			return -1;
	} else if (msgpack_pack_nil(pk) != 0) {
		return -1;
	}
	return s_pack_bin(pk, op->sig, RP_SIG_LEN);
}

/* The signed bytes: a domain label, so no other signed structure of ours can
 * ever be taken for an op, then [version, team, author, seq, hlc, account,
 * kind, body_hash]. */
#define S_SIGN_LABEL     "rapport-op\0"
#define S_SIGN_LABEL_LEN (sizeof S_SIGN_LABEL - 1)

static int s_header(const rp_op *op, uint8_t out[S_HEADER_MAX], size_t *len)
{
	struct s_out o = { out, S_HEADER_MAX, S_SIGN_LABEL_LEN };
	msgpack_packer pk;

	memcpy(out, S_SIGN_LABEL, S_SIGN_LABEL_LEN);
	if (s_check_fields(op) != 0)
		return RP_EINVAL;
	msgpack_packer_init(&pk, &o, s_out_write);
	if (msgpack_pack_array(&pk, S_HEADER_FIELDS) != 0 || s_pack_fields(&pk, op) != 0)
		return RP_EINVAL;
	*len = o.len;
	return 0;
}

int rp_op_encode(const rp_op *op, uint8_t *out, size_t cap, size_t *len)
{
	struct s_out o;
	msgpack_packer pk;
	int rc;

	if (len)
		*len = 0;
	if (!op || !out || !len)
		return RP_EINVAL;
	rc = s_check_fields(op);
	if (rc)
		return rc;
	if (op->body) {
		if (op->body_len > RP_BODY_MAX)
			return RP_ELIMIT;
		/* Never write what rp_op_decode would refuse. */
		rc = rp_body_check(op->body, op->body_len);
		if (rc)
			return rc;
	}
	o.buf = out;
	o.cap = cap < RP_OP_MAX ? cap : RP_OP_MAX;
	o.len = 0;
	msgpack_packer_init(&pk, &o, s_out_write);
	if (s_pack_op(&pk, op) != 0)
		return RP_ELIMIT;
	*len = o.len;
	return 0;
}

/* ---- decode -------------------------------------------------------------- */

/* The envelope holds only scalars: one level, at most its ten fields. */
static const struct s_rules s_envelope_rules = {
	.depth_max = 1,
	.items_max = S_OP_FIELDS,
	.str_max   = RP_OP_MAX,
	.keys_str  = 0,
};

/* A newer rapport may change the whole shape of an op, so its version is
 * read before the shape is judged: [v, ...] with v > ours is RP_EVERSION
 * whatever follows. Returns 0 when buf does not start that way. */
static int s_newer_version(const uint8_t *buf, size_t len)
{
	size_t p;
	uint64_t v = 0;
	int n = 0;

	if (len < 2)
		return 0;
	if (buf[0] >= 0x90 && buf[0] <= 0x9f)
		p = 1;
	else if (buf[0] == 0xdc)
		p = 3;
	else if (buf[0] == 0xdd)
		p = 5;
	else
		return 0;
	if (p >= len)
		return 0;
	if (buf[p] <= 0x7f) {
		v = buf[p];
	} else {
		switch (buf[p]) {
		case 0xcc: n = 1; break;
		case 0xcd: n = 2; break;
		case 0xce: n = 4; break;
		case 0xcf: n = 8; break;
		default: return 0;
		}
		if ((size_t)n > len - p - 1)
			return 0;
		for (int i = 1; i <= n; i++)
			v = (v << 8) | buf[p + (size_t)i];
	}
	return v > RP_PROTO_VERSION;
}

static int s_get_bin(const msgpack_object *o, uint8_t *dst, size_t n)
{
	if (o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return RP_EFORMAT;
	memcpy(dst, o->via.bin.ptr, n);
	return 0;
}

/* Fill *op from the unpacked envelope; op->body borrows from the input. */
static int s_fields(const msgpack_object *root, rp_op *op)
{
	const msgpack_object *f;
	int rc;

	if (root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size != S_OP_FIELDS)
		return RP_EFORMAT;
	f = root->via.array.ptr;

	if (f[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || f[0].via.u64 == 0)
		return RP_EFORMAT;
	if (f[0].via.u64 > RP_PROTO_VERSION)
		return RP_EVERSION;
	op->version = (uint32_t)f[0].via.u64;

	if ((rc = s_get_bin(&f[1], op->team, RP_TEAM_LEN)) != 0 ||
	    (rc = s_get_bin(&f[2], op->author, RP_DEVICE_LEN)) != 0)
		return rc;

	if (f[3].type != MSGPACK_OBJECT_POSITIVE_INTEGER || f[3].via.u64 == 0)
		return RP_EFORMAT;
	if (f[3].via.u64 > RP_SEQ_MAX)
		return RP_ELIMIT;
	op->seq = f[3].via.u64;

	if (f[4].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return RP_EFORMAT;
	/* Always true for a 64-bit stamp today; kept so that the check follows
	 * the limit if RP_HLC_MS_MAX ever shrinks. */
	if (RP_HLC_MS(f[4].via.u64) > RP_HLC_MS_MAX)
		return RP_ELIMIT;
	op->hlc = f[4].via.u64;

	if ((rc = s_get_bin(&f[5], op->account, RP_ACCOUNT_LEN)) != 0)
		return rc;

	if (f[6].type != MSGPACK_OBJECT_STR)
		return RP_EFORMAT;
	if ((rc = s_check_kind(f[6].via.str.ptr, f[6].via.str.size)) != 0)
		return rc;
	memcpy(op->kind, f[6].via.str.ptr, f[6].via.str.size);
	op->kind[f[6].via.str.size] = '\0';

	if ((rc = s_get_bin(&f[7], op->body_hash, RP_HASH_LEN)) != 0)
		return rc;

	if (f[8].type == MSGPACK_OBJECT_NIL) {
		op->body = NULL;
		op->body_len = 0;
	} else if (f[8].type == MSGPACK_OBJECT_BIN) {
		if (f[8].via.bin.size > RP_BODY_MAX)
			return RP_ELIMIT;
		op->body = (const uint8_t *)f[8].via.bin.ptr;
		op->body_len = f[8].via.bin.size;
	} else {
		return RP_EFORMAT;
	}

	return s_get_bin(&f[9], op->sig, RP_SIG_LEN);
}

int rp_op_decode(const uint8_t *buf, size_t len, rp_op *op)
{
	msgpack_unpacked up;
	msgpack_unpack_return ret;
	msgpack_packer pk;
	struct s_cmp cmp;
	uint8_t hash[RP_HASH_LEN];
	size_t end = 0, off = 0;
	int rc;

	if (!op)
		return RP_EINVAL;
	memset(op, 0, sizeof *op);
	if (!buf || len == 0)
		return RP_EFORMAT;
	if (len > RP_OP_MAX)
		return RP_ELIMIT;
	if (s_newer_version(buf, len))
		return RP_EVERSION;
	if (s_scan(buf, len, &s_envelope_rules, &end) != 0 || end != len)
		return RP_EFORMAT;

	msgpack_unpacked_init(&up);
	ret = msgpack_unpack_next(&up, (const char *)buf, len, &off);
	if (ret == MSGPACK_UNPACK_NOMEM_ERROR)
		rc = RP_ENOMEM;
	else if (ret != MSGPACK_UNPACK_SUCCESS || off != len)
		rc = RP_EFORMAT;
	else
		rc = s_fields(&up.data, op);
	msgpack_unpacked_destroy(&up);
	if (rc)
		goto fail;

	/* One op, one byte string: anything but the canonical encoding (a uint
	 * in a wider form than needed, bin16 for 32 bytes, ...) is refused, so
	 * the bytes a node stores, hashes and forwards are the bytes any other
	 * node would write for the same op. */
	cmp.buf = buf;
	cmp.len = len;
	cmp.pos = 0;
	msgpack_packer_init(&pk, &cmp, s_cmp_write);
	if (s_pack_op(&pk, op) != 0 || cmp.pos != len) {
		rc = RP_EFORMAT;
		goto fail;
	}

	if (op->body) {
		rc = rp_body_check(op->body, op->body_len);
		if (rc)
			goto fail;
		crypto_generichash(hash, sizeof hash, op->body, op->body_len, NULL, 0);
		if (sodium_memcmp(hash, op->body_hash, sizeof hash) != 0) {
			rc = RP_EHASH;
			goto fail;
		}
	}
	return 0;
fail:
	/* No half-filled op, and no body pointer, survives a failure. */
	memset(op, 0, sizeof *op);
	return rc;
}

/* ---- sign, verify, id ------------------------------------------------------ */

int rp_op_sign(rp_op *op, const uint8_t sk[RP_SECRET_LEN])
{
	uint8_t hdr[S_HEADER_MAX];
	size_t hlen = 0;

	if (!op || !sk || !op->body)
		return RP_EINVAL;
	if (s_check_fields(op) != 0)
		return RP_EINVAL;
	/* libsodium's secret key is seed ‖ public key: signing for another
	 * author would produce an op that can never verify. */
	if (memcmp(sk + 32, op->author, RP_DEVICE_LEN) != 0)
		return RP_EINVAL;
	if (rp_body_check(op->body, op->body_len) != 0)
		return RP_EINVAL;
	crypto_generichash(op->body_hash, RP_HASH_LEN, op->body, op->body_len, NULL, 0);
	if (s_header(op, hdr, &hlen) != 0)
		return RP_EINVAL;
	if (crypto_sign_detached(op->sig, NULL, hdr, hlen, sk) != 0)
		return RP_EINVAL;
	return 0;
}

int rp_op_verify(const rp_op *op)
{
	uint8_t hdr[S_HEADER_MAX];
	size_t hlen = 0;

	if (!op || s_header(op, hdr, &hlen) != 0)
		return RP_ESIG;
	if (crypto_sign_verify_detached(op->sig, hdr, hlen, op->author) != 0)
		return RP_ESIG;
	return 0;
}

void rp_op_id(const rp_op *op, uint8_t opid[RP_OPID_LEN])
{
	rp_opid_make(opid, op->author, op->seq);
}
