/* proto/bytes.h — records of rapport's own, laid out byte by byte: a
 * growable buffer written big-endian, and a reader bounded by its end that
 * never reads past it (a short or damaged record sets bad, and what is
 * read after reads as zeros and NULL). For what rapport writes for itself
 * (an import's spilled plans, an account's tally), not for what peers send
 * (msgpack: proto/msg.h). */
#ifndef RP_BYTES_H
#define RP_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Writing appends to *buf (*len bytes used of *cap; NULL, 0, 0 to start),
 * growing it; out of memory sets bad, and nothing more is written. */
typedef struct rp_bytes_out {
	uint8_t **buf;
	size_t   *len, *cap;
	int       bad;
} rp_bytes_out;

void rp_bytes_put(rp_bytes_out *o, const void *p, size_t n);
void rp_bytes_u64(rp_bytes_out *o, uint64_t v);
void rp_bytes_u32(rp_bytes_out *o, uint32_t v);

typedef struct rp_bytes_in {
	const uint8_t *p, *end;
	int            bad;
} rp_bytes_in;

/* The next n bytes, or NULL (fewer are left: bad set). */
const uint8_t *rp_bytes_take(rp_bytes_in *in, size_t n);
uint64_t       rp_bytes_get_u64(rp_bytes_in *in);
uint32_t       rp_bytes_get_u32(rp_bytes_in *in);

#endif
