/* fuzz/fuzz_visible.c — libFuzzer harness for node/text/visible.c: for any bytes,
 * what each escaper writes is valid UTF-8 with no control byte the mode does
 * not keep, matches a byte-by-byte model of visible.h, is left alone when
 * escaped again, and JSON stays the same JSON (abort otherwise). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "../node/text/visible.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the valid UTF-8 sequence at p (avail bytes), or 0: the ranges of
 * Unicode's table 3-7, written apart from visible.c's decoding on purpose. */
static size_t s_utf8_len(const uint8_t *p, size_t avail)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	size_t more;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		more = 1;
	else if (c >= 0xe0 && c <= 0xef)
		more = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
	else if (c >= 0xf0 && c <= 0xf4)
		more = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (more >= avail || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k <= more; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return 1 + more;
}

static int s_utf8_valid(const uint8_t *p, size_t n)
{
	for (size_t i = 0, l; i < n; i += l)
		if (!(l = s_utf8_len(p + i, n - i)))
			return 0;
	return 1;
}

static int s_kept(uint8_t c, int keep_lines)
{
	if (c == '\n' || c == '\t')
		return keep_lines != 0;
	return c == '\r' && keep_lines == RP_VISIBLE_LINES_CR;
}

/* What visible.h promises a clean output is: valid UTF-8, no C0 but the
 * kept ones, no DEL, no C1 (U+0080..U+009F, i.e. \xc2\x80..\xc2\x9f). */
static int s_shows_clean(const uint8_t *p, size_t n, int keep_lines)
{
	if (!s_utf8_valid(p, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] < 0x20 && !s_kept(p[i], keep_lines)) || p[i] == 0x7f)
			return 0;
		if (p[i] == 0xc2 && i + 1 < n && p[i + 1] <= 0x9f)
			return 0;
	}
	return 1;
}

/* visible.h byte by byte: C0 and DEL as \xHH, C1 as \u00HH, every byte
 * outside valid UTF-8 as \xHH, all else as is. *out is malloc'd. */
static size_t s_model(const uint8_t *p, size_t n, int keep_lines, char **out)
{
	static const char hex[] = "0123456789abcdef";
	char *o = malloc(6 * n + 1);
	size_t len = 0, l;

	if (!o)
		abort();
	for (size_t i = 0; i < n; i += l) {
		l = s_utf8_len(p + i, n - i);
		if (!l || (l == 1 && ((p[i] < 0x20 && !s_kept(p[i], keep_lines)) || p[i] == 0x7f))) {
			o[len++] = '\\', o[len++] = 'x';
			o[len++] = hex[p[i] >> 4], o[len++] = hex[p[i] & 15];
			l = 1;
		} else if (l == 2 && p[i] == 0xc2 && p[i + 1] <= 0x9f) {
			memcpy(o + len, "\\u00", 4);
			len += 4;
			o[len++] = hex[p[i + 1] >> 4], o[len++] = hex[p[i + 1] & 15];
		} else {
			memcpy(o + len, p + i, l);
			len += l;
		}
	}
	o[len] = '\0';
	*out = o;
	return len;
}

static void s_append(const uint8_t *data, size_t size, int keep_lines)
{
	char *out = NULL, *again = NULL, *model, *dup, *cstr;
	size_t len = 0, cap = 0, alen = 0, acap = 0, mlen, clen, dlen;
	int clean = rp_visible_clean((const char *)data, size, keep_lines);

	if (rp_visible_append(&out, &len, &cap, (const char *)data, size, keep_lines) || !out)
		abort();
	if (strlen(out) != len || !s_shows_clean((const uint8_t *)out, len, keep_lines))
		abort();
	mlen = s_model(data, size, keep_lines, &model);
	if (mlen != len || memcmp(model, out, len) != 0)
		abort();
	/* clean says exactly whether append changes anything */
	if (clean != (len == size && memcmp(out, data, size) == 0))
		abort();
	/* Escaping is idempotent: the notation is printable ASCII, and a
	 * backslash is kept as it is. */
	if (rp_visible_clean(out, len, keep_lines) != 1)
		abort();
	if (rp_visible_append(&again, &alen, &acap, out, len, keep_lines) ||
	    alen != len || memcmp(again, out, len) != 0)
		abort();
	/* Appending goes after what the buffer holds, and leaves it alone. */
	if (rp_visible_append(&again, &alen, &acap, (const char *)data, size, keep_lines) ||
	    alen != 2 * len || memcmp(again, out, len) != 0 || memcmp(again + len, out, len) != 0)
		abort();
	clen = strnlen((const char *)data, size);
	if (!(cstr = malloc(clen + 1)))
		abort();
	memcpy(cstr, data, clen);
	cstr[clen] = '\0';
	/* the text before a NUL escapes alike on its own: it ends where the
	 * NUL's \x00 begins */
	if (!(dup = rp_visible_dup(cstr, keep_lines)) || (dlen = strlen(dup)) > len ||
	    memcmp(dup, out, dlen) != 0 ||
	    (clen == size ? dlen != len : memcmp(out + dlen, "\\x00", 4) != 0))
		abort();
	free(dup);
	free(cstr);
	free(model);
	free(again);
	free(out);
}

/* No raw DEL, no raw C1 pair, in n bytes. */
static int s_no_del_c1(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0x7f || (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f))
			return 0;
	return 1;
}

/* The input as a JSON string, as jansson writes it: rp_visible_json must
 * give the same JSON, with DEL and C1 escaped. */
static void s_json(const uint8_t *data, size_t size)
{
	json_t *str, *back;
	json_error_t err;
	char *text, *safe;

	if (!(str = json_stringn((const char *)data, size)))
		return;                         /* not UTF-8: jansson refuses it */
	if (!s_utf8_valid(data, size))
		abort();                        /* jansson and the model disagree */
	if (!(text = json_dumps(str, JSON_ENCODE_ANY)))
		abort();
	if (!(safe = rp_visible_json(text)))
		abort();
	if (!s_utf8_valid((const uint8_t *)safe, strlen(safe)) ||
	    !s_no_del_c1((const uint8_t *)safe, strlen(safe)))
		abort();
	if (s_no_del_c1((const uint8_t *)text, strlen(text)) && strcmp(safe, text) != 0)
		abort();                        /* nothing to escape: the same text */
	back = json_loads(safe, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!back || !json_is_string(back) || json_string_length(back) != size ||
	    memcmp(json_string_value(back), data, size) != 0)
		abort();
	json_decref(back);
	free(safe);
	free(text);
	json_decref(str);
}

/* Any text (not JSON, maybe not UTF-8): no crash, and still no raw DEL or
 * C1 pair comes out. */
static void s_json_any(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *safe;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (!(safe = rp_visible_json(text)) || !s_no_del_c1((const uint8_t *)safe, strlen(safe)))
		abort();
	free(safe);
	free(text);
}

static void s_repair(const uint8_t *data, size_t size)
{
	size_t len = 0;
	char *out = rp_visible_repair_utf8((const char *)data, size, &len);

	if (!out || out[len] != '\0' || !s_utf8_valid((const uint8_t *)out, len))
		abort();
	if (s_utf8_valid(data, size) && (len != size || memcmp(out, data, size) != 0))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	s_append(data, size, 0);
	s_append(data, size, RP_VISIBLE_LINES);
	s_append(data, size, RP_VISIBLE_LINES_CR);
	s_json(data, size);
	s_json_any(data, size);
	s_repair(data, size);
	return 0;
}
