/* node/text/vcard.c — vCard 4.0 lines (RFC 6350 §3.2, §3.4): text values
 * escaped, lines folded at 75 octets without splitting a UTF-8 sequence,
 * CRLF ends. Never lets a value, name or parameter start a line of its own. */
#include "vcard.h"
#include "../../proto/error.h"
#include "textbuf.h"
#include "visible.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_FOLD 75                       /* octets per physical line, CRLF excluded */

/* A growing buffer, kept NUL-terminated for the caller's convenience. */

/* 1 if s[0..n) is well-formed UTF-8 (RFC 3629: no overlongs, surrogates, or
 * code points above U+10FFFF). vCard 4.0 is UTF-8 only. */
static int s_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i], lo = 0x80, hi = 0xBF;
		size_t k, j;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 2;
		else if (c >= 0xE0 && c <= 0xEF) {
			k = 3;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 4;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		} else
			return 0;
		if (n - i < k || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (j = 2; j < k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xBF)
				return 0;
		i += k;
	}
	return 1;
}

/* Fold one logical line (no CR or LF in it) onto out with CRLF. The first
 * physical line holds 75 octets; each continuation is a space and 74 more.
 * A cut never lands before a continuation byte (10xxxxxx), so every physical
 * line is valid UTF-8 on its own. */
static int s_fold(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
	size_t i = 0, room = S_FOLD, len0 = *len;

	for (;;) {
		size_t take = n - i;
		if (take > room) {
			take = room;
			while (take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80)
				take--;
		}
		if (rp_textbuf_append(out, len, cap, s + i, take) != 0 ||
		    rp_textbuf_append(out, len, cap, "\r\n", 2) != 0)
			goto fail;
		i += take;
		if (i >= n)
			return 0;
		if (rp_textbuf_append(out, len, cap, " ", 1) != 0)
			goto fail;
		room = S_FOLD - 1;
	}
fail:
	/* No half line: the buffer is as it was. */
	*len = len0;
	if (*out && len0 < *cap)
		(*out)[len0] = '\0';
	return -1;
}

int rp_vcard_line(char **out, size_t *len, size_t *cap, const char *line)
{
	size_t n;

	if (!out || !len || !cap || !line)
		return RP_EINVAL;
	n = strlen(line);
	if (strpbrk(line, "\r\n") || !s_utf8_ok((const unsigned char *)line, n))
		return RP_EINVAL;
	return s_fold(out, len, cap, line, n) ? RP_ENOMEM : 0;
}

/* A property name: iana-token or x-name, i.e. letters, digits and '-'. */
static int s_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* Parameters may hold quoted strings with almost anything, but never a
 * control character: that would break the line or the parser. */
static int s_params_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 0;
	return 1;
}

int rp_vcard_prop(char **out, size_t *len, size_t *cap,
                  const char *name, const char *params, const char *value)
{
	char *l = NULL;
	size_t ll = 0, lc = 0;
	const char *v;
	int rc = RP_ENOMEM;

	if (!out || !len || !cap || !name || !s_name_ok(name))
		return RP_EINVAL;
	if (params && (!s_params_ok(params) ||
	               !s_utf8_ok((const unsigned char *)params, strlen(params))))
		return RP_EINVAL;
	if (!value)
		value = "";
	if (!s_utf8_ok((const unsigned char *)value, strlen(value)))
		return RP_EINVAL;
	/* Control bytes from a peer or an old store are written visibly
	 * (\x1b): a vCard line carries none raw. */
	if (!rp_visible_clean(value, strlen(value), RP_VISIBLE_LINES_CR)) {
		char *vis = rp_visible_dup(value, RP_VISIBLE_LINES_CR);
		int r;
		if (!vis)
			return RP_ENOMEM;
		r = rp_vcard_prop(out, len, cap, name, params, vis);
		free(vis);
		return r;
	}

	if (rp_textbuf_append(&l, &ll, &lc, name, strlen(name)) != 0)
		goto out;
	if (params && *params && (rp_textbuf_append(&l, &ll, &lc, ";", 1) != 0 ||
	                          rp_textbuf_append(&l, &ll, &lc, params, strlen(params)) != 0))
		goto out;
	if (rp_textbuf_append(&l, &ll, &lc, ":", 1) != 0)
		goto out;
	for (v = value; *v; v++) {
		const char *esc = NULL;
		switch (*v) {
		case '\\': esc = "\\\\"; break;
		case ',':  esc = "\\,";  break;
		case ';':  esc = "\\;";  break;
		case '\n': esc = "\\n";  break;
		/* CRLF, LF and an old Mac's lone CR are each one line break. */
		case '\r': esc = v[1] == '\n' ? "" : "\\n"; break;
		default:   break;
		}
		if (esc ? rp_textbuf_append(&l, &ll, &lc, esc, strlen(esc)) != 0
		        : rp_textbuf_append(&l, &ll, &lc, v, 1) != 0)
			goto out;
	}
	rc = s_fold(out, len, cap, l, ll) ? RP_ENOMEM : 0;
out:
	free(l);
	return rc;
}
