/* proto/msg.c — the sync messages' wire form, written and read by hand.
 * Every byte decoded here comes from a peer: nothing is allocated, no count
 * is believed before the bytes it claims are there, no read goes past len,
 * and only the one canonical encoding of each message is accepted. */
#include "msg.h"

#include <string.h>

#include "error.h"

/* The largest message a peer may send: a full batch plus its header. */
#define S_MSG_MAX        (RP_BATCH_MAX + 1024)
/* The largest batch header: fixarray, type, version, uint64 first and
 * last, array16. */
#define S_BATCH_HDR_MAX  (1 + 1 + 1 + 9 + 9 + 3)
/* hello is at most 108 bytes, error 210: room for either. */
#define S_SMALL_MAX      256

_Static_assert(RP_BATCH_OPS_MAX <= 0xffff, "the ops array header is at most an array16");
_Static_assert(RP_MSG_TEXT_MAX <= 0xff, "the error text is at most a str8");
_Static_assert(RP_SYNC_VERSION <= 0x7f, "the version is a positive fixint");

/* Elements of each message's array, indexed by type. */
static const uint8_t s_fields[] = {
	[RP_MSG_HELLO] = 10,
	[RP_MSG_BATCH] = 5,
	[RP_MSG_ACK]   = 3,
	[RP_MSG_DONE]  = 3,
	[RP_MSG_ERROR] = 4,
	[RP_MSG_HAVE]  = 4,
	[RP_MSG_TICK]  = 2,
};

/* ---- reading --------------------------------------------------------------- */

/* A cursor over the input: every read checks pos against len first. */
struct s_in {
	const uint8_t *buf;
	size_t         len;
	size_t         pos;
};

static size_t s_left(const struct s_in *in)
{
	return in->len - in->pos;
}

static uint64_t s_get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* A uint. strict: only its smallest form (what s_put_uint writes). */
static int s_read_uint(struct s_in *in, int strict, uint64_t *v)
{
	uint64_t min;
	uint8_t b;
	int n;

	if (s_left(in) < 1)
		return RP_EFORMAT;
	b = in->buf[in->pos];
	if (b <= 0x7f) {
		*v = b;
		in->pos++;
		return 0;
	}
	switch (b) {
	case 0xcc: n = 1; min = 0x80; break;
	case 0xcd: n = 2; min = 0x100; break;
	case 0xce: n = 4; min = 0x10000; break;
	case 0xcf: n = 8; min = 0x100000000ULL; break;
	default: return RP_EFORMAT;
	}
	if ((size_t)n > s_left(in) - 1)
		return RP_EFORMAT;
	*v = s_get_be(in->buf + in->pos + 1, n);
	if (strict && *v < min)
		return RP_EFORMAT;
	in->pos += 1 + (size_t)n;
	return 0;
}

/* An error code: a negative int32 in its smallest form. 0 and positive
 * values are refused, so an error message can never read as success. */
static int s_read_code(struct s_in *in, int32_t *v)
{
	uint64_t raw;
	int64_t x, lo, hi;
	uint8_t b;
	int n;

	if (s_left(in) < 1)
		return RP_EFORMAT;
	b = in->buf[in->pos];
	if (b >= 0xe0) {
		*v = (int32_t)b - 256;
		in->pos++;
		return 0;
	}
	switch (b) {
	case 0xd0: n = 1; lo = -128;        hi = -33;    break;
	case 0xd1: n = 2; lo = -32768;      hi = -129;   break;
	case 0xd2: n = 4; lo = INT32_MIN;   hi = -32769; break;
	default: return RP_EFORMAT;        /* uint forms, int64, other types */
	}
	if ((size_t)n > s_left(in) - 1)
		return RP_EFORMAT;
	raw = s_get_be(in->buf + in->pos + 1, n);
	/* Two's complement of n bytes, without an implementation-defined cast. */
	x = (int64_t)raw - ((raw >> (8 * n - 1)) ? (int64_t)1 << (8 * n) : 0);
	if (x < lo || x > hi)
		return RP_EFORMAT;
	*v = (int32_t)x;
	in->pos += 1 + (size_t)n;
	return 0;
}

/* An array header; strict: the smallest form for its count. */
static int s_read_array(struct s_in *in, int strict, uint32_t *count)
{
	uint32_t min;
	uint8_t b;
	int n;

	if (s_left(in) < 1)
		return RP_EFORMAT;
	b = in->buf[in->pos];
	if (b >= 0x90 && b <= 0x9f) {
		*count = b & 0x0f;
		in->pos++;
		return 0;
	}
	if (b == 0xdc) {
		n = 2;
		min = 16;
	} else if (b == 0xdd) {
		n = 4;
		min = 0x10000;
	} else {
		return RP_EFORMAT;
	}
	if ((size_t)n > s_left(in) - 1)
		return RP_EFORMAT;
	*count = (uint32_t)s_get_be(in->buf + in->pos + 1, n);
	if (strict && *count < min)
		return RP_EFORMAT;
	in->pos += 1 + (size_t)n;
	return 0;
}

/* The header of a str (str != 0) or a bin in the smallest form for its
 * length. *n is the payload length, not yet checked against the input:
 * the caller checks its own limit first, then the bytes left. */
static int s_read_len(struct s_in *in, int str, uint32_t *len)
{
	uint32_t min;
	uint8_t b;
	int n;

	if (s_left(in) < 1)
		return RP_EFORMAT;
	b = in->buf[in->pos];
	if (str && b >= 0xa0 && b <= 0xbf) {
		*len = b & 0x1f;
		in->pos++;
		return 0;
	}
	switch (b) {
	case 0xc4: n = 1; min = 0;       if (str) return RP_EFORMAT; break;
	case 0xc5: n = 2; min = 0x100;   if (str) return RP_EFORMAT; break;
	case 0xc6: n = 4; min = 0x10000; if (str) return RP_EFORMAT; break;
	case 0xd9: n = 1; min = 32;      if (!str) return RP_EFORMAT; break;
	case 0xda: n = 2; min = 0x100;   if (!str) return RP_EFORMAT; break;
	case 0xdb: n = 4; min = 0x10000; if (!str) return RP_EFORMAT; break;
	default: return RP_EFORMAT;
	}
	if ((size_t)n > s_left(in) - 1)
		return RP_EFORMAT;
	*len = (uint32_t)s_get_be(in->buf + in->pos + 1, n);
	if (*len < min)
		return RP_EFORMAT;
	in->pos += 1 + (size_t)n;
	return 0;
}

/* A bin of exactly n bytes (ids), copied to dst. */
static int s_read_fixed_bin(struct s_in *in, uint8_t *dst, size_t n)
{
	uint32_t len;
	int rc;

	if ((rc = s_read_len(in, 0, &len)) != 0)
		return rc;
	if (len != n || n > s_left(in))
		return RP_EFORMAT;
	memcpy(dst, in->buf + in->pos, n);
	in->pos += n;
	return 0;
}

/* The text of an error message is shown to a human, maybe on a terminal:
 * well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF) and no C0 or C1 control character, DEL or NUL, so a peer can
 * neither truncate it nor drive the terminal. */
static int s_text_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		uint8_t lo = 0x80, hi = 0xbf;
		size_t more;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			if (c == 0xc2)
				lo = 0xa0;      /* U+0080..U+009F: C1 controls */
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			if (c == 0xe0)
				lo = 0xa0;      /* overlong */
			else if (c == 0xed)
				hi = 0x9f;      /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			if (c == 0xf0)
				lo = 0x90;      /* overlong */
			else if (c == 0xf4)
				hi = 0x8f;      /* past U+10FFFF */
		} else {
			return 0;
		}
		if (more > n - i - 1)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (size_t k = 2; k <= more; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		i += 1 + more;
	}
	return 1;
}

/* A newer rapport may change everything after the version, so the version
 * is read leniently before anything else is judged: an array of at least
 * two whose first two elements are uints, the second over ours, is
 * RP_EVERSION whatever follows. */
static int s_other_version(const uint8_t *buf, size_t len)
{
	struct s_in in = { buf, len, 0 };
	uint64_t type, version;
	uint32_t count;

	if (s_read_array(&in, 0, &count) != 0 || count < 2)
		return 0;
	if (s_read_uint(&in, 0, &type) != 0 || s_read_uint(&in, 0, &version) != 0)
		return 0;
	return version != 0 && version != RP_SYNC_VERSION;
}

static int s_decode_hello(struct s_in *in, rp_msg *msg)
{
	uint64_t credit, live;
	int rc;

	if ((rc = s_read_fixed_bin(in, msg->team, RP_TEAM_LEN)) != 0 ||
	    (rc = s_read_fixed_bin(in, msg->device, RP_DEVICE_LEN)) != 0 ||
	    (rc = s_read_uint(in, 1, &msg->cursor)) != 0 ||
	    (rc = s_read_uint(in, 1, &msg->own_head)) != 0 ||
	    (rc = s_read_uint(in, 1, &credit)) != 0)
		return rc;
	if (credit == 0 || credit > RP_CREDIT_MAX)
		return RP_ELIMIT;
	msg->credit = (uint32_t)credit;
	if ((rc = s_read_uint(in, 1, &msg->feed_head)) != 0 ||
	    (rc = s_read_uint(in, 1, &msg->wall_ms)) != 0 ||
	    (rc = s_read_uint(in, 1, &live)) != 0)
		return rc;
	if (live > 1)
		return RP_EFORMAT;
	msg->live = (int)live;
	return 0;
}

/* The ops array is walked op by op (at most RP_BATCH_OPS_MAX headers), so
 * every op's length is known to lie inside the input before rp_msg_batch_next
 * ever hands it out. */
static int s_decode_batch(struct s_in *in, rp_msg *msg)
{
	uint32_t count, oplen;
	size_t start;
	int rc;

	if ((rc = s_read_uint(in, 1, &msg->first)) != 0 ||
	    (rc = s_read_uint(in, 1, &msg->last)) != 0)
		return rc;
	/* A range may hold no ops (all filtered out by scope); first == last is
	 * a backfill batch (ops outside the feed order, cursor unchanged) and
	 * must carry ops: an empty one could not be told apart from a repeat. */
	if (msg->first > msg->last)
		return RP_EFORMAT;
	if ((rc = s_read_array(in, 1, &count)) != 0)
		return rc;
	if (msg->first == msg->last && count == 0)
		return RP_EFORMAT;
	if (count > RP_BATCH_OPS_MAX)
		return RP_ELIMIT;
	start = in->pos;
	for (uint32_t i = 0; i < count; i++) {
		if ((rc = s_read_len(in, 0, &oplen)) != 0)
			return rc;
		if (oplen == 0)
			return RP_EFORMAT;      /* never an op */
		if (oplen > RP_OP_MAX)
			return RP_ELIMIT;
		if (oplen > s_left(in))
			return RP_EFORMAT;
		in->pos += oplen;
		if (in->pos - start > RP_BATCH_MAX)
			return RP_ELIMIT;
	}
	msg->ops = count ? in->buf + start : NULL;
	msg->ops_len = in->pos - start;
	msg->nops = count;
	return 0;
}

static int s_decode_error(struct s_in *in, rp_msg *msg)
{
	uint32_t n;
	int rc;

	if ((rc = s_read_code(in, &msg->code)) != 0 ||
	    (rc = s_read_len(in, 1, &n)) != 0)
		return rc;
	if (n > RP_MSG_TEXT_MAX)
		return RP_ELIMIT;
	if (n > s_left(in))
		return RP_EFORMAT;
	if (!s_text_ok(in->buf + in->pos, n))
		return RP_EFORMAT;
	memcpy(msg->text, in->buf + in->pos, n);
	msg->text[n] = '\0';
	in->pos += n;
	return 0;
}

static int s_decode(struct s_in *in, rp_msg *msg)
{
	uint64_t type, version;
	uint32_t count;
	int rc;

	if ((rc = s_read_array(in, 1, &count)) != 0 ||
	    (rc = s_read_uint(in, 1, &type)) != 0)
		return rc;
	if (type < RP_MSG_HELLO || type > RP_MSG_TICK || count != s_fields[type])
		return RP_EFORMAT;
	if ((rc = s_read_uint(in, 1, &version)) != 0)
		return rc;
	if (version == 0)
		return RP_EFORMAT;
	if (version != RP_SYNC_VERSION)
		return RP_EVERSION;
	msg->type = (int)type;
	msg->version = (uint32_t)version;
	switch (type) {
	case RP_MSG_HELLO:
		return s_decode_hello(in, msg);
	case RP_MSG_BATCH:
		return s_decode_batch(in, msg);
	case RP_MSG_ACK:
	case RP_MSG_DONE:
		return s_read_uint(in, 1, &msg->last);
	case RP_MSG_HAVE:
		if ((rc = s_read_fixed_bin(in, msg->account, RP_ACCOUNT_LEN)) != 0)
			return rc;
		return s_read_uint(in, 1, &msg->count);
	case RP_MSG_TICK:
		return 0;
	default:
		return s_decode_error(in, msg);
	}
}

int rp_msg_decode(const uint8_t *buf, size_t len, rp_msg *msg)
{
	struct s_in in = { buf, len, 0 };
	int rc;

	if (!msg)
		return RP_EINVAL;
	memset(msg, 0, sizeof *msg);
	if (!buf || len == 0)
		return RP_EFORMAT;
	if (s_other_version(buf, len))
		return RP_EVERSION;
	if (len > S_MSG_MAX)
		return RP_ELIMIT;
	rc = s_decode(&in, msg);
	if (rc == 0 && in.pos != len)
		rc = RP_EFORMAT;
	/* No half-filled message, and no ops pointer, survives a failure. */
	if (rc)
		memset(msg, 0, sizeof *msg);
	return rc;
}

int rp_msg_batch_next(const rp_msg *msg, size_t *pos, const uint8_t **op, size_t *len)
{
	struct s_in in;
	uint32_t n;

	if (op)
		*op = NULL;
	if (len)
		*len = 0;
	if (!msg || !pos || !op || !len || msg->type != RP_MSG_BATCH || !msg->ops)
		return 0;
	if (*pos >= msg->ops_len)
		return 0;
	/* Decode checked every header; re-check anyway, so a hand-filled or
	 * stale rp_msg can end the loop but never lead a read astray. */
	in.buf = msg->ops;
	in.len = msg->ops_len;
	in.pos = *pos;
	if (s_read_len(&in, 0, &n) != 0 || n == 0 || n > s_left(&in))
		return 0;
	*op = in.buf + in.pos;
	*len = n;
	*pos = in.pos + n;
	return 1;
}

/* ---- writing --------------------------------------------------------------- */

/* A bounded writer: a write that does not fit sets over and writes nothing. */
struct s_out {
	uint8_t *buf;
	size_t   cap;
	size_t   len;
	int      over;
};

static void s_put(struct s_out *o, const void *p, size_t n)
{
	if (o->over || n > o->cap - o->len) {
		o->over = 1;
		return;
	}
	if (n)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* Byte b followed by the low n bytes of v, big-endian. */
static void s_put_be(struct s_out *o, uint8_t b, uint64_t v, int n)
{
	uint8_t t[9];

	t[0] = b;
	for (int i = 0; i < n; i++)
		t[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	s_put(o, t, 1 + (size_t)n);
}

static void s_put_uint(struct s_out *o, uint64_t v)
{
	if (v <= 0x7f)
		s_put_be(o, (uint8_t)v, 0, 0);
	else if (v <= 0xff)
		s_put_be(o, 0xcc, v, 1);
	else if (v <= 0xffff)
		s_put_be(o, 0xcd, v, 2);
	else if (v <= 0xffffffffULL)
		s_put_be(o, 0xce, v, 4);
	else
		s_put_be(o, 0xcf, v, 8);
}

/* A negative int32 (s_read_code's forms). */
static void s_put_code(struct s_out *o, int32_t v)
{
	uint64_t u = (uint64_t)(int64_t)v;    /* two's complement; low bytes used */

	if (v >= -32)
		s_put_be(o, (uint8_t)(u & 0xff), 0, 0);
	else if (v >= -128)
		s_put_be(o, 0xd0, u, 1);
	else if (v >= -32768)
		s_put_be(o, 0xd1, u, 2);
	else
		s_put_be(o, 0xd2, u, 4);
}

static void s_put_array(struct s_out *o, uint32_t n)
{
	if (n <= 15)
		s_put_be(o, (uint8_t)(0x90 | n), 0, 0);
	else if (n <= 0xffff)
		s_put_be(o, 0xdc, n, 2);
	else
		s_put_be(o, 0xdd, n, 4);
}

static size_t s_bin_hdr_len(size_t n)
{
	return n <= 0xff ? 2 : n <= 0xffff ? 3 : 5;
}

static void s_put_bin(struct s_out *o, const void *p, size_t n)
{
	if (n <= 0xff)
		s_put_be(o, 0xc4, n, 1);
	else if (n <= 0xffff)
		s_put_be(o, 0xc5, n, 2);
	else
		s_put_be(o, 0xc6, n, 4);
	s_put(o, p, n);
}

static void s_put_str(struct s_out *o, const char *s, size_t n)
{
	if (n <= 31)
		s_put_be(o, (uint8_t)(0xa0 | n), 0, 0);
	else if (n <= 0xff)
		s_put_be(o, 0xd9, n, 1);
	else if (n <= 0xffff)
		s_put_be(o, 0xda, n, 2);
	else
		s_put_be(o, 0xdb, n, 4);
	s_put(o, s, n);
}

/* [type, version, ...]: the array header and the first two fields. */
static void s_put_head(struct s_out *o, int type)
{
	s_put_array(o, s_fields[type]);
	s_put_uint(o, (uint64_t)type);
	s_put_uint(o, RP_SYNC_VERSION);
}

/* Hand a small message, built in a scratch buffer, to the caller: out is
 * left untouched unless the whole message fits. */
static int s_deliver(const struct s_out *o, uint8_t *out, size_t cap, size_t *len)
{
	if (o->over)
		return RP_ELIMIT;
	if (o->len > cap)
		return RP_ELIMIT;
	memcpy(out, o->buf, o->len);
	*len = o->len;
	return 0;
}

int rp_msg_hello(uint8_t *out, size_t cap, size_t *len, const uint8_t team[RP_TEAM_LEN],
                 const uint8_t device[RP_DEVICE_LEN], uint64_t cursor, uint64_t own_head,
                 uint32_t credit, uint64_t feed_head, uint64_t wall_ms, int live)
{
	uint8_t tmp[S_SMALL_MAX];
	struct s_out o = { tmp, sizeof tmp, 0, 0 };

	if (len)
		*len = 0;
	if (!out || !len || !team || !device)
		return RP_EINVAL;
	if (credit == 0 || credit > RP_CREDIT_MAX)
		return RP_ELIMIT;
	s_put_head(&o, RP_MSG_HELLO);
	s_put_bin(&o, team, RP_TEAM_LEN);
	s_put_bin(&o, device, RP_DEVICE_LEN);
	s_put_uint(&o, cursor);
	s_put_uint(&o, own_head);
	s_put_uint(&o, credit);
	s_put_uint(&o, feed_head);
	s_put_uint(&o, wall_ms);
	s_put_uint(&o, live ? 1 : 0);
	return s_deliver(&o, out, cap, len);
}

/* [type, version] and, when last is not NULL, *last: ack, done, tick. */
static int s_last_only(int type, uint8_t *out, size_t cap, size_t *len, const uint64_t *last)
{
	uint8_t tmp[S_SMALL_MAX];
	struct s_out o = { tmp, sizeof tmp, 0, 0 };

	if (len)
		*len = 0;
	if (!out || !len)
		return RP_EINVAL;
	s_put_head(&o, type);
	if (last)
		s_put_uint(&o, *last);
	return s_deliver(&o, out, cap, len);
}

int rp_msg_ack(uint8_t *out, size_t cap, size_t *len, uint64_t last)
{
	return s_last_only(RP_MSG_ACK, out, cap, len, &last);
}

int rp_msg_done(uint8_t *out, size_t cap, size_t *len, uint64_t last)
{
	return s_last_only(RP_MSG_DONE, out, cap, len, &last);
}

int rp_msg_tick(uint8_t *out, size_t cap, size_t *len)
{
	return s_last_only(RP_MSG_TICK, out, cap, len, NULL);
}

int rp_msg_have(uint8_t *out, size_t cap, size_t *len, const uint8_t account[RP_ACCOUNT_LEN],
                uint64_t count)
{
	uint8_t tmp[S_SMALL_MAX];
	struct s_out o = { tmp, sizeof tmp, 0, 0 };

	if (len)
		*len = 0;
	if (!out || !len || !account)
		return RP_EINVAL;
	s_put_head(&o, RP_MSG_HAVE);
	s_put_bin(&o, account, RP_ACCOUNT_LEN);
	s_put_uint(&o, count);
	return s_deliver(&o, out, cap, len);
}

int rp_msg_error(uint8_t *out, size_t cap, size_t *len, int32_t code, const char *text)
{
	uint8_t tmp[S_SMALL_MAX];
	struct s_out o = { tmp, sizeof tmp, 0, 0 };
	size_t n;

	if (len)
		*len = 0;
	if (!out || !len || !text || code >= 0)
		return RP_EINVAL;
	n = strnlen(text, RP_MSG_TEXT_MAX + 1);
	if (n > RP_MSG_TEXT_MAX)
		return RP_ELIMIT;
	if (!s_text_ok((const uint8_t *)text, n))
		return RP_EINVAL;
	s_put_head(&o, RP_MSG_ERROR);
	s_put_code(&o, code);
	s_put_str(&o, text, n);
	return s_deliver(&o, out, cap, len);
}

/* ---- batches ----------------------------------------------------------------- */

/* Ops are appended after S_BATCH_HDR_MAX reserved bytes; finish writes the
 * header, whose size depends on last and the op count, right-aligned in
 * that room, so the ops never move. b->len counts the reserve. */

void rp_batch_begin(rp_batch_builder *b, uint8_t *out, size_t cap)
{
	if (!b)
		return;
	b->out = out;
	b->cap = out ? cap : 0;
	b->len = S_BATCH_HDR_MAX;
	b->nops = 0;
}

/* 0 when b is as begin and add leave it; RP_EINVAL otherwise. */
static int s_builder_ok(const rp_batch_builder *b)
{
	if (!b || !b->out || b->len < S_BATCH_HDR_MAX || b->nops > RP_BATCH_OPS_MAX)
		return RP_EINVAL;
	if (b->len - S_BATCH_HDR_MAX > RP_BATCH_MAX)
		return RP_EINVAL;
	/* len over cap only while no op fits at all: a cap below the reserve. */
	if (b->len > b->cap && (b->cap >= S_BATCH_HDR_MAX || b->nops != 0))
		return RP_EINVAL;
	return 0;
}

int rp_batch_add(rp_batch_builder *b, const uint8_t *op, size_t len)
{
	struct s_out o;
	size_t need;
	int rc;

	if ((rc = s_builder_ok(b)) != 0)
		return rc;
	if (!op || len == 0)
		return RP_EINVAL;
	if (len > RP_OP_MAX || b->nops >= RP_BATCH_OPS_MAX)
		return RP_ELIMIT;
	need = s_bin_hdr_len(len) + len;
	if (need > RP_BATCH_MAX - (b->len - S_BATCH_HDR_MAX))
		return RP_ELIMIT;
	if (b->len > b->cap || need > b->cap - b->len)
		return RP_ELIMIT;
	o.buf = b->out;
	o.cap = b->cap;
	o.len = b->len;
	o.over = 0;
	s_put_bin(&o, op, len);
	b->len = o.len;
	b->nops++;
	return 0;
}

int rp_batch_finish(rp_batch_builder *b, uint64_t first, uint64_t last,
                    const uint8_t **start, size_t *len)
{
	uint8_t hdr[S_BATCH_HDR_MAX];
	struct s_out o = { hdr, sizeof hdr, 0, 0 };
	size_t at;
	int rc;

	if (start)
		*start = NULL;
	if (len)
		*len = 0;
	if (!start || !len || first > last || (first == last && b && b->nops == 0))
		return RP_EINVAL;
	if ((rc = s_builder_ok(b)) != 0)
		return rc;
	if (b->cap < S_BATCH_HDR_MAX)
		return RP_ELIMIT;
	s_put_head(&o, RP_MSG_BATCH);
	s_put_uint(&o, first);
	s_put_uint(&o, last);
	s_put_array(&o, b->nops);
	if (o.over)
		return RP_EINVAL;       /* cannot happen: S_BATCH_HDR_MAX is the worst case */
	at = S_BATCH_HDR_MAX - o.len;
	memcpy(b->out + at, hdr, o.len);
	*start = b->out + at;
	*len = b->len - at;
	return 0;
}
