/* proto/bytes.c — see bytes.h. */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "id.h"

void rp_bytes_put(rp_bytes_out *o, const void *p, size_t n)
{
	if (o->bad || n == 0)
		return;
	if (*o->len + n > *o->cap) {
		size_t cap = *o->cap ? *o->cap : 256;
		uint8_t *q;
		while (cap < *o->len + n)
			cap *= 2;
		if (!(q = realloc(*o->buf, cap))) {
			o->bad = 1;
			return;
		}
		*o->buf = q;
		*o->cap = cap;
	}
	memcpy(*o->buf + *o->len, p, n);
	*o->len += n;
}

void rp_bytes_u64(rp_bytes_out *o, uint64_t v)
{
	uint8_t b[8];
	rp_be64_put(b, v);
	rp_bytes_put(o, b, 8);
}

void rp_bytes_u32(rp_bytes_out *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	rp_bytes_put(o, b, 4);
}

const uint8_t *rp_bytes_take(rp_bytes_in *in, size_t n)
{
	const uint8_t *p = in->p;
	if (in->bad || (size_t)(in->end - in->p) < n) {
		in->bad = 1;
		return NULL;
	}
	in->p += n;
	return p;
}

uint64_t rp_bytes_get_u64(rp_bytes_in *in)
{
	const uint8_t *p = rp_bytes_take(in, 8);
	return p ? rp_be64_get(p) : 0;
}

uint32_t rp_bytes_get_u32(rp_bytes_in *in)
{
	const uint8_t *p = rp_bytes_take(in, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}
