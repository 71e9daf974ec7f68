/* proto/body.h — op bodies: msgpack maps with string keys.
 * Building one for a local op, and reading fields out of a received one
 * without trusting it: every getter checks the type and says "absent" when
 * the field is missing or of the wrong type. */
#ifndef RP_BODY_H
#define RP_BODY_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

/* ---- building ---- */
typedef struct rp_body_builder {
	msgpack_sbuffer entries;
	msgpack_packer  pk;
	uint32_t        count;
	msgpack_sbuffer out;
} rp_body_builder;

void rp_body_init(rp_body_builder *b);
void rp_body_put_str(rp_body_builder *b, const char *key, const char *val); /* NULL → nil */
void rp_body_put_int(rp_body_builder *b, const char *key, int64_t val);
void rp_body_put_bool(rp_body_builder *b, const char *key, int val);
void rp_body_put_bin(rp_body_builder *b, const char *key, const void *p, size_t n);
/* An array of bins (for acct.tag remove and redact lists). */
void rp_body_put_bins(rp_body_builder *b, const char *key, const uint8_t *items,
                      size_t item_len, size_t n);
/* An array of integers (team.set holidays). */
void rp_body_put_ints(rp_body_builder *b, const char *key, const int64_t *items, size_t n);
/* amount: {cents, currency} */
void rp_body_put_amount(rp_body_builder *b, const char *key, int64_t cents, const char *cur);
/* The finished map; pointer valid until rp_body_free. Returns 0 or RP_ENOMEM. */
int  rp_body_finish(rp_body_builder *b, const uint8_t **bytes, size_t *len);
void rp_body_free(rp_body_builder *b);

/* ---- reading ---- */
typedef struct rp_body {
	msgpack_unpacked up;
	const msgpack_object *map;   /* NULL when the body is absent or not a map */
} rp_body;

/* Parse body bytes (already limit-checked by rp_op_decode). The body
 * references bytes: they must outlive it; release it with rp_body_done.
 * Returns 0, or RP_EFORMAT holding nothing (rp_body_done optional). */
int  rp_body_parse(rp_body *b, const uint8_t *bytes, size_t len);
void rp_body_done(rp_body *b);

const msgpack_object *rp_body_get(const rp_body *b, const char *key);
/* String field: *p points into the body, *n its length. 0 or RP_ENOTFOUND. */
int rp_body_str(const rp_body *b, const char *key, const char **p, size_t *n);
int rp_body_int(const rp_body *b, const char *key, int64_t *v);
int rp_body_bool(const rp_body *b, const char *key, int *v);
/* Bin field of exactly len bytes. */
int rp_body_bin(const rp_body *b, const char *key, const uint8_t **p, size_t len);
/* Amount field {cents, currency}: cents an integer within RP_CENTS_MAX,
 * currency 3 bytes (copied into cur, NUL-terminated); the last of a key
 * given twice counts. 0 or RP_ENOTFOUND (absent, or not such a map). */
int rp_body_amount(const rp_body *b, const char *key, int64_t *cents, char cur[4]);
/* 1 if the key is present with value nil. */
int rp_body_is_nil(const rp_body *b, const char *key);

#endif
