/* tests/unit/test_jsontext.c — rp_json_text gives the bytes
 * json_dumps(JSON_COMPACT) gives (the stored views' text, which digests
 * hash): on every kind of value and escape and on thousands of random
 * documents; and NULL for what the store never holds (a real, a NULL, a
 * value nested too deep). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../node/text/jsontext.h"

static int same(const json_t *v)
{
	char *a = rp_json_text(v), *b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	int eq = a && b && !strcmp(a, b);
	if (!eq)
		diag("rp_json_text %s\n#   json_dumps   %s", a ? a : "(null)", b ? b : "(null)");
	free(a);
	free(b);
	return eq;
}

static uint64_t s_rng = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
	s_rng ^= s_rng << 13;
	s_rng ^= s_rng >> 7;
	s_rng ^= s_rng << 17;
	return s_rng;
}

/* A random string: ASCII, every control character, quotes, backslashes,
 * two-, three- and four-byte UTF-8, and NUL inside. */
static json_t *rnd_string(void)
{
	static const char *const parts[] = { "a", "Z", " ", "\"", "\\", "/", "\x01", "\x1f", "\x7f", "\b", "\f",
	                                     "\n", "\r", "\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	                                     "\xe2\x80\xa8", "caf\xc3\xa9", "=1+1" };
	char buf[256];
	size_t n = 0, parts_n = rnd() % 12;
	for (size_t i = 0; i < parts_n; i++) {
		const char *p = parts[rnd() % (sizeof parts / sizeof *parts)];
		memcpy(buf + n, p, strlen(p));
		n += strlen(p);
	}
	if (rnd() % 8 == 0)
		buf[n++] = 0;          /* a NUL inside */
	return json_stringn(buf, n);
}

static json_t *rnd_value(int depth)
{
	int kind = (int)(rnd() % (depth > 4 ? 5 : 7));
	json_t *v;
	switch (kind) {
	case 0: return json_null();
	case 1: return json_boolean(rnd() % 2);
	case 2: return json_integer((json_int_t)(rnd() % 3 == 0 ? (int64_t)rnd() : (int64_t)(rnd() % 2000) - 1000));
	case 3:
	case 4: return rnd_string();
	case 5:
		v = json_array();
		for (int i = (int)(rnd() % 5); i > 0; i--)
			json_array_append_new(v, rnd_value(depth + 1));
		return v;
	default:
		v = json_object();
		for (int i = (int)(rnd() % 5); i > 0; i--) {
			json_t *k = rnd_string();
			json_object_setn_new(v, json_string_value(k), json_string_length(k), rnd_value(depth + 1));
			json_decref(k);
		}
		return v;
	}
}

int main(void)
{
	static const char *const docs[] = {
		"{}", "[]", "null", "true", "false", "0", "-1", "9223372036854775807", "-9223372036854775808",
		"\"\"", "[[],{},[{}]]", "{\"b\":1,\"a\":2,\"c\":{\"z\":[1,2,3],\"y\":null}}",
		"\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"",
		"\"\\u0001\\u001f\\u007f\\u0000 inside\"", "{\"k\\ney\":\"v\\u0002\"}",
		"\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u2028\"",
		("{\"id\":\"kyse63ywpiacaha3l2owjczhb4\",\"fields\":{\"notes\":\"Hauptstr. 1\\n10115 Berlin\"},"
		 "\"value\":[{\"cents\":42050,\"currency\":\"EUR\"}],\"stats\":{\"last_contact\":null}}"),
	};
	int good = 0, runs = 5000;
	json_t *deep, *v;
	char *t;

	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		json_error_t err;
		v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (!v)
			diag("%s: %s", docs[i], err.text);
		ok(v && same(v), "the same text as json_dumps: %s", docs[i]);
		json_decref(v);
	}

	for (int i = 0; i < runs; i++) {
		v = rnd_value(0);
		good += same(v);
		json_decref(v);
	}
	ok(good == runs, "the same text on %d random documents (%d)", runs, good);

	v = json_real(1.5);
	t = rp_json_text(v);
	ok(t == NULL, "a real has no text here (the store holds none)");
	free(t);
	json_decref(v);
	ok(rp_json_text(NULL) == NULL, "nor NULL");

	deep = json_array();
	v = deep;
	for (int i = 0; i < 3000; i++) {
		json_t *in = json_array();
		json_array_append_new(v, in);
		v = in;
	}
	t = rp_json_text(deep);
	ok(t == NULL, "a value nested 3,000 deep is refused, not a stack overflow");
	free(t);
	json_decref(deep);
	return done_testing();
}
