/* fuzz/fuzz_op.c — libFuzzer harness for rp_op_decode and rp_body_check.
 * Any input may be refused, none may crash; an accepted op must re-encode to
 * exactly the input bytes and decode again to the same op (abort otherwise). */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/error.h"
#include "../proto/op.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int s_same(const rp_op *a, const rp_op *b)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t enc[RP_OP_MAX], enc2[RP_OP_MAX];
	static int ready;
	rp_op a, b;
	size_t n = 0, n2 = 0;
	int rc;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}

	/* The body checker on raw bytes: the same input as a would-be body. */
	rc = rp_body_check(data, size);
	if (rc != 0 && rc != RP_EFORMAT && rc != RP_ELIMIT)
		abort();

	rc = rp_op_decode(data, size, &a);
	if (rc != 0) {
		if (rc != RP_EFORMAT && rc != RP_ELIMIT && rc != RP_EVERSION && rc != RP_EHASH)
			abort();
		return 0;
	}
	rc = rp_op_verify(&a);
	if (rc != 0 && rc != RP_ESIG)
		abort();

	/* Decoding accepts only the canonical form, so what it accepted is
	 * exactly what encode writes back. */
	if (rp_op_encode(&a, enc, sizeof enc, &n) != 0)
		abort();
	if (n != size || memcmp(enc, data, n) != 0)
		abort();
	if (rp_op_decode(enc, n, &b) != 0 || !s_same(&a, &b))
		abort();
	if (rp_op_encode(&b, enc2, sizeof enc2, &n2) != 0 || n2 != n || memcmp(enc, enc2, n) != 0)
		abort();
	if (rp_op_verify(&b) != rc)
		abort();
	return 0;
}
