/* node/text/visible.c — see visible.h. Every output path that carries text from
 * outside (tables, errors, CSV, vCard, JSON) goes through here; it must
 * never let a control byte through, nor lose the printable text around it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visible.h"
#include "../../proto/error.h"
#include "textbuf.h"

size_t rp_visible_utf8_len(const unsigned char *p, size_t avail)
{
	unsigned c = p[0];
	size_t len;
	unsigned long cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > avail)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* What the byte(s) at p become: 0 keep as they are, else the escape. */
static size_t s_escape(const unsigned char *p, size_t avail, int keep_lines, char esc[8],
                       size_t *consumed)
{
	size_t len = rp_visible_utf8_len(p, avail);
	*consumed = len ? len : 1;
	if (!len) {
		snprintf(esc, 8, "\\x%02x", p[0]);
		return 4;
	}
	if (len == 1 && ((p[0] < 0x20 && !(keep_lines && (p[0] == '\n' || p[0] == '\t')) &&
	                  !(keep_lines == RP_VISIBLE_LINES_CR && p[0] == '\r')) || p[0] == 0x7f)) {
		snprintf(esc, 8, "\\x%02x", p[0]);
		return 4;
	}
	if (len == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
		snprintf(esc, 8, "\\u%04x", p[1]);
		return 6;
	}
	return 0;
}

int rp_visible_clean(const char *s, size_t n, int keep_lines)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	size_t used;
	for (size_t i = 0; i < n; i += used)
		if (s_escape(p + i, n - i, keep_lines, esc, &used))
			return 0;
	return 1;
}

int rp_visible_append(char **out, size_t *len, size_t *cap, const char *s, size_t n,
                      int keep_lines)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t was = *len, run = 0, used;
	char esc[8];
	for (size_t i = 0; i < n; i += used) {
		size_t el = s_escape(p + i, n - i, keep_lines, esc, &used);
		if (!el)
			continue;
		/* the clean run before it, then the escape */
		if (rp_textbuf_append(out, len, cap, s + run, i - run) ||
		    rp_textbuf_append(out, len, cap, esc, el))
			goto fail;
		run = i + used;
	}
	if (rp_textbuf_append(out, len, cap, s + run, n - run) == 0)
		return 0;
fail:
	if (*out) {
		*len = was;
		(*out)[was] = 0;
	}
	return RP_ENOMEM;
}

char *rp_visible_dup(const char *s, int keep_lines)
{
	char *out = NULL;
	size_t len = 0, cap = 0;
	if (rp_visible_append(&out, &len, &cap, s, strlen(s), keep_lines) ||
	    (!out && rp_textbuf_append(&out, &len, &cap, "", 0))) {
		free(out);
		return NULL;
	}
	return out;
}

char *rp_visible_json(const char *json)
{
	const unsigned char *p = (const unsigned char *)json;
	char *out = NULL;
	size_t len = 0, cap = 0, n = strlen(json), run = 0;
	for (size_t i = 0; i < n; i++) {
		char esc[8];
		size_t skip;
		if (p[i] == 0x7f)
			snprintf(esc, sizeof esc, "\\u007f"), skip = 1;
		else if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			snprintf(esc, sizeof esc, "\\u%04x", p[i + 1]), skip = 2;
		else
			continue;
		if (rp_textbuf_append(&out, &len, &cap, json + run, i - run) ||
		    rp_textbuf_append(&out, &len, &cap, esc, 6))
			goto fail;
		i += skip - 1;
		run = i + 1;
	}
	if (rp_textbuf_append(&out, &len, &cap, json + run, n - run) == 0)
		return out;
fail:
	free(out);
	return NULL;
}

char *rp_visible_repair_utf8(const char *s, size_t n, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = NULL;
	size_t len = 0, cap = 0, run = 0, used;
	for (size_t i = 0; i < n; i += used) {
		size_t l = rp_visible_utf8_len(p + i, n - i);
		used = l ? l : 1;
		if (l)
			continue;
		if (rp_textbuf_append(&out, &len, &cap, s + run, i - run) ||
		    rp_textbuf_append(&out, &len, &cap, "\xef\xbf\xbd", 3))
			goto fail;
		run = i + 1;
	}
	if (rp_textbuf_append(&out, &len, &cap, s + run, n - run) == 0) {
		if (outlen)
			*outlen = len;
		return out;
	}
fail:
	free(out);
	return NULL;
}
