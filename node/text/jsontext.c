/* node/text/jsontext.c — compact JSON text (see jsontext.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"

#define S_DEPTH_MAX 2048

typedef struct s_out {
	char  *p;
	size_t len, cap;
	int    bad;
} s_out;

/* Room for n more bytes and a NUL. */
static int s_room(s_out *o, size_t n)
{
	size_t cap;
	char *p;
	if (o->bad)
		return -1;
	if (o->len + n < o->cap)
		return 0;
	cap = o->cap ? o->cap : 256;
	while (cap <= o->len + n) {
		if (cap > SIZE_MAX / 2) {
			o->bad = 1;
			return -1;
		}
		cap *= 2;
	}
	if (!(p = realloc(o->p, cap))) {
		o->bad = 1;
		return -1;
	}
	o->p = p;
	o->cap = cap;
	return 0;
}

static void s_put(s_out *o, const char *s, size_t n)
{
	if (s_room(o, n) == 0) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

static void s_string(s_out *o, const char *s, size_t n)
{
	size_t run = 0;
	s_put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		size_t el = 2;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		s_put(o, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':  memcpy(esc, "\\\"", 2); break;
		case '\\': memcpy(esc, "\\\\", 2); break;
		case '\b': memcpy(esc, "\\b", 2); break;
		case '\f': memcpy(esc, "\\f", 2); break;
		case '\n': memcpy(esc, "\\n", 2); break;
		case '\r': memcpy(esc, "\\r", 2); break;
		case '\t': memcpy(esc, "\\t", 2); break;
		default:   el = (size_t)snprintf(esc, sizeof esc, "\\u%04X", c); break;
		}
		s_put(o, esc, el);
	}
	s_put(o, s + run, n - run);
	s_put(o, "\"", 1);
}

static void s_value(s_out *o, const json_t *v, int depth)
{
	char num[32];
	size_t i;
	void *it;
	int first = 1;
	if (depth > S_DEPTH_MAX || !v) {
		o->bad = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		s_put(o, "{", 1);
		for (it = json_object_iter((json_t *)v); it && !o->bad; it = json_object_iter_next((json_t *)v, it)) {
			if (!first)
				s_put(o, ",", 1);
			first = 0;
			s_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
			s_put(o, ":", 1);
			s_value(o, json_object_iter_value(it), depth + 1);
		}
		s_put(o, "}", 1);
		break;
	case JSON_ARRAY:
		s_put(o, "[", 1);
		for (i = 0; i < json_array_size(v) && !o->bad; i++) {
			if (i)
				s_put(o, ",", 1);
			s_value(o, json_array_get(v, i), depth + 1);
		}
		s_put(o, "]", 1);
		break;
	case JSON_STRING:
		s_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		s_put(o, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
		break;
	case JSON_TRUE:
		s_put(o, "true", 4);
		break;
	case JSON_FALSE:
		s_put(o, "false", 5);
		break;
	case JSON_NULL:
		s_put(o, "null", 4);
		break;
	default:          /* a real: none is stored */
		o->bad = 1;
		break;
	}
}

char *rp_json_text(const json_t *v)
{
	s_out o = { 0 };
	s_value(&o, v, 0);
	if (o.bad || s_room(&o, 0)) {
		free(o.p);
		return NULL;
	}
	o.p[o.len] = 0;
	return o.p;
}
