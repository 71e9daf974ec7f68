/* fuzz/fuzz_msg.c — libFuzzer harness for rp_msg_decode and rp_msg_batch_next.
 * Any input may be refused, none may crash or make decode allocate; an
 * accepted message must re-encode (a batch through the builder, from its
 * iterated ops) to exactly the input bytes and decode again to the same
 * fields, and the error encoder must accept exactly the texts decode does
 * (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/error.h"
#include "../proto/msg.h"
#include "../tests/msgcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define S_OUT_MAX (RP_BATCH_MAX + 1024)

/* The fuzzer always runs under ASan: count this thread's mallocs, so a
 * decode that allocates anything at all aborts. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static _Thread_local unsigned long s_mallocs;

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

static int s_zeroed(const rp_msg *m)
{
	static const rp_msg zero;
	return memcmp(m, &zero, sizeof zero) == 0;
}




/* The error encoder and the decoder agree on which texts are acceptable:
 * the input's first bytes, as a text, either encode and decode back, or
 * are refused by both. */
static void s_text_agreement(const uint8_t *data, size_t size)
{
	static uint8_t out[512], raw[512];
	char text[256];
	size_t n = size < 255 ? size : 255, len = 0;
	rp_msg m;
	int enc, dec;

	if (memchr(data, 0, n))
		return;                       /* a C string cannot hold the NUL: decode's case */
	memcpy(text, data, n);
	text[n] = '\0';
	enc = rp_msg_error(out, sizeof out, &len, RP_EIO, text);
	/* the same message written by hand: [5, version, RP_EIO as int16, str] */
	memcpy(raw, "\x94\x05\x00\xd1", 4);
	raw[2] = RP_SYNC_VERSION;             /* a positive fixint (msg.c asserts it) */
	raw[4] = (uint8_t)((uint16_t)RP_EIO >> 8);
	raw[5] = (uint8_t)((uint16_t)RP_EIO & 0xff);
	len = 6;
	if (n <= 31) {
		raw[len++] = (uint8_t)(0xa0 | n);
	} else {
		raw[len++] = 0xd9;
		raw[len++] = (uint8_t)n;
	}
	memcpy(raw + len, text, n);
	len += n;
	dec = rp_msg_decode(raw, len, &m);
	if (enc == 0) {
		if (dec != 0 || m.code != RP_EIO || strcmp(m.text, text) != 0)
			abort();
	} else if (enc == RP_ELIMIT) {
		if (n <= RP_MSG_TEXT_MAX || dec != RP_ELIMIT)
			abort();
	} else if (enc == RP_EINVAL) {
		if (n > RP_MSG_TEXT_MAX || dec != RP_EFORMAT)
			abort();
	} else {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[S_OUT_MAX];
	static int ready;
	const uint8_t *start = NULL;
	unsigned long before;
	size_t n = 0;
	rp_msg a, b;
	int rc;

	if (!ready) {
		__sanitizer_install_malloc_and_free_hooks(s_malloc_hook, s_free_hook);
		ready = 1;
	}

	s_text_agreement(data, size);

	before = s_mallocs;
	rc = rp_msg_decode(data, size, &a);
	if (s_mallocs != before)
		abort();
	if (rc != 0) {
		if (rc != RP_EFORMAT && rc != RP_ELIMIT && rc != RP_EVERSION)
			abort();
		if (!s_zeroed(&a))
			abort();
		return 0;
	}
	if (!msgcheck_valid(&a))
		abort();

	/* Decode accepts only the canonical form: re-encoding gives the input. */
	if (msgcheck_reencode(&a, out, sizeof out, &start, &n) != 0)
		abort();
	if (n != size || memcmp(start, data, n) != 0)
		abort();
	if (rp_msg_decode(start, n, &b) != 0 || !msgcheck_same(&a, &b))
		abort();
	return 0;
}
