/* tests/unit/test_vcard.c — vCard lines: escaping, folding at exactly 75
 * octets with UTF-8 sequences kept whole, CRLF ends, bad names, parameters
 * and raw lines refused without touching the buffer, and fold -> unfold
 * round trips of random text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../node/text/vcard.h"
#include "../proto/error.h"

/* 1 if s[0..n) is well-formed UTF-8 (a reference independent of vcard.c:
 * decode and re-check the code point's range). */
static int s_utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned cp, k, j;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xE0) == 0xC0) {
			k = 2;
			cp = s[i] & 0x1F;
		} else if ((s[i] & 0xF0) == 0xE0) {
			k = 3;
			cp = s[i] & 0x0F;
		} else if ((s[i] & 0xF8) == 0xF0) {
			k = 4;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (n - i < k)
			return 0;
		for (j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k;
	}
	return 1;
}

/* Check the physical lines of out[0..len): each ends CRLF, holds at most 75
 * octets, is valid UTF-8 by itself, and continuations start with one space.
 * Writes the unfolded logical lines, each ended by '\n', into logical. */
static int s_check(const char *out, size_t len, char *logical, size_t *maxline)
{
	size_t i = 0, at = 0;
	int first = 1;

	*maxline = 0;
	while (i < len) {
		const char *e = strstr(out + i, "\r\n");
		size_t n;
		if (!e)
			return 0;
		n = (size_t)(e - (out + i));
		if (n > 75 || memchr(out + i, '\n', n) || memchr(out + i, '\r', n) ||
		    !s_utf8_ok((const unsigned char *)out + i, n))
			return 0;
		if (n > *maxline)
			*maxline = n;
		if (out[i] == ' ') {
			if (first)
				return 0;
			at--;                   /* join: drop the previous '\n' */
			memcpy(logical + at, out + i + 1, n - 1);
			at += n - 1;
		} else {
			memcpy(logical + at, out + i, n);
			at += n;
		}
		logical[at++] = '\n';
		first = 0;
		i += n + 2;
	}
	logical[at] = '\0';
	return 1;
}

static char s_out_keep[8192];

static const char *s_prop(const char *name, const char *params, const char *value)
{
	char *out = NULL;
	size_t len = 0, cap = 0;
	int rc = rp_vcard_prop(&out, &len, &cap, name, params, value);

	snprintf(s_out_keep, sizeof s_out_keep, "%s", rc == 0 && out && strlen(out) == len ? out : "(error)");
	free(out);
	return s_out_keep;
}

static void test_escape(void)
{
	is_str(s_prop("FN", NULL, "Jane Doe"), "FN:Jane Doe\r\n", "plain");
	is_str(s_prop("EMAIL", "TYPE=work", "jane@example.com"), "EMAIL;TYPE=work:jane@example.com\r\n",
	       "with params");
	is_str(s_prop("NOTE", "", "x"), "NOTE:x\r\n", "empty params are none");
	is_str(s_prop("NOTE", NULL, "a,b;c\\d\ne\r\nf\rg"), "NOTE:a\\,b\\;c\\\\d\\ne\\nf\\ng\r\n",
	       "escapes: comma, semicolon, backslash; CRLF, LF and lone CR are \\n");
	is_str(s_prop("NOTE", NULL, ""), "NOTE:\r\n", "empty value");
	is_str(s_prop("NOTE", NULL, NULL), "NOTE:\r\n", "NULL value");
	is_str(s_prop("X-RAPPORT-ID", NULL, "caf\xC3\xA9 \xE2\x82\xAC"), "X-RAPPORT-ID:caf\xC3\xA9 \xE2\x82\xAC\r\n",
	       "x-name and UTF-8");
	is_str(s_prop("TEL", "TYPE=\"voice,cell\";PREF=1", "+49 30 1234"),
	       "TEL;TYPE=\"voice,cell\";PREF=1:+49 30 1234\r\n", "quoted params kept");
}

static void test_refuse(void)
{
	static const char *names[] = { "", "N:x", "N\r\nX", "N;TYPE=a", "N O", "\xC3\xA9", "N\n" };
	char *out = NULL;
	size_t len = 0, cap = 0, i;

	ok(rp_vcard_line(&out, &len, &cap, "BEGIN:VCARD") == 0, "a raw line");
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		ok(rp_vcard_prop(&out, &len, &cap, names[i], NULL, "v") == RP_EINVAL, "name %zu refused", i);
	ok(rp_vcard_prop(&out, &len, &cap, NULL, NULL, "v") == RP_EINVAL, "NULL name refused");
	ok(rp_vcard_prop(&out, &len, &cap, "NOTE", "TYPE=a\r\nX-EVIL=1", "v") == RP_EINVAL, "CRLF in params refused");
	ok(rp_vcard_prop(&out, &len, &cap, "NOTE", "TYPE=a\tb", "v") == RP_EINVAL, "control in params refused");
	ok(rp_vcard_prop(&out, &len, &cap, "NOTE", "TYPE=\xC3", "v") == RP_EINVAL, "bad UTF-8 in params refused");
	ok(rp_vcard_prop(&out, &len, &cap, "NOTE", NULL, "a\xC3(") == RP_EINVAL, "bad UTF-8 in value refused");
	ok(rp_vcard_prop(&out, &len, &cap, "NOTE", NULL, "\xED\xA0\x80") == RP_EINVAL, "surrogate refused");
	ok(rp_vcard_line(&out, &len, &cap, "END:VCARD\r\nBEGIN:VCARD") == RP_EINVAL, "line break in raw line refused");
	ok(rp_vcard_line(&out, &len, &cap, "X:\xFF") == RP_EINVAL, "bad UTF-8 in raw line refused");
	ok(rp_vcard_line(&out, &len, &cap, NULL) == RP_EINVAL, "NULL raw line refused");
	ok(rp_vcard_line(NULL, &len, &cap, "X:y") == RP_EINVAL, "NULL out refused");
	ok(rp_vcard_line(&out, &len, &cap, "END:VCARD") == 0, "another raw line");
	is_str(out, "BEGIN:VCARD\r\nEND:VCARD\r\n", "refusals left the buffer as it was");
	ok(len == strlen(out), "len matches");
	free(out);
}

static void test_fold(void)
{
	char line[1024], logical[4096], *out = NULL;
	size_t len = 0, cap = 0, maxline, i, k;
	int bad;

	/* 75 octets fit; 76 fold with the 76th on a continuation. */
	memset(line, 'a', 75);
	line[75] = '\0';
	ok(rp_vcard_line(&out, &len, &cap, line) == 0 && len == 77, "75 octets: one line");
	line[75] = 'b';
	line[76] = '\0';
	len = 0;
	ok(rp_vcard_line(&out, &len, &cap, line) == 0 && len == 75 + 2 + 1 + 1 + 2 &&
	   memcmp(out + 75, "\r\n b\r\n", 6) == 0, "76 octets: folded after 75");
	/* 75 + 74 + 74 octets: three full physical lines. */
	memset(line, 'c', 223);
	line[223] = '\0';
	len = 0;
	ok(rp_vcard_line(&out, &len, &cap, line) == 0 && s_check(out, len, logical, &maxline) &&
	   len == 223 + 3 * 2 + 2 && maxline == 75, "223 octets: three lines, each 75");
	logical[strlen(logical) - 1] = '\0';
	is_str(logical, line, "unfolds to the original");

	/* UTF-8 of every width at every offset against the fold point. */
	bad = 0;
	for (k = 0; k < 3; k++) {
		static const char *seq[] = { "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80" };
		size_t pre;
		for (pre = 0; pre < 5; pre++) {
			size_t at = 0;
			memset(line, 'x', pre);
			at = pre;
			for (i = 0; i < 150; i++) {
				memcpy(line + at, seq[k], strlen(seq[k]));
				at += strlen(seq[k]);
			}
			line[at] = '\0';
			len = 0;
			if (rp_vcard_line(&out, &len, &cap, line) != 0 || !s_check(out, len, logical, &maxline) ||
			    maxline < 72)
				bad++;
			logical[strlen(logical) - 1] = '\0';
			if (strcmp(logical, line) != 0)
				bad++;
		}
	}
	ok(bad == 0, "2-, 3- and 4-byte sequences never split, lines 72..75 octets (%d bad)", bad);
	free(out);
}

/* The escaped form of a value, by the RFC's rules, to compare with. */
static void s_escape(const char *v, char *e)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == ',' || *v == ';') {
			*e++ = '\\';
			*e++ = *v;
		} else if (*v == '\n' || (*v == '\r' && v[1] != '\n')) {
			*e++ = '\\';
			*e++ = 'n';
		} else if (*v != '\r')
			*e++ = *v;
	}
	*e = '\0';
}

static void test_random(void)
{
	static const char *atoms[] = {
		"a", "Z", " ", ",", ";", "\\", "\n", "\r", "\r\n", ":", "\"", "\t",
		"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xE4\xB8\xAD\xE6\x96\x87",
	};
	static char value[4096], want[8192], logical[16384];
	char *out = NULL;
	size_t len = 0, cap = 0, maxline, i, k;
	int bad = 0;

	srand(6350);
	for (i = 0; i < 5000; i++) {
		size_t parts = (size_t)rand() % 200;
		value[0] = '\0';
		for (k = 0; k < parts; k++)
			strcat(value, atoms[rand() % (int)(sizeof atoms / sizeof atoms[0])]);
		strcpy(want, "NOTE;LANGUAGE=de:");
		s_escape(value, want + strlen(want));
		strcat(want, "\n");
		len = 0;
		if (rp_vcard_prop(&out, &len, &cap, "NOTE", "LANGUAGE=de", value) != 0 ||
		    strlen(out) != len || !s_check(out, len, logical, &maxline) || strcmp(logical, want) != 0)
			bad++;
	}
	ok(bad == 0, "5000 random values: lines <= 75 octets, valid UTF-8, unfold to the escaped value (%d bad)",
	   bad);
	free(out);
}

int main(void)
{
	test_escape();
	test_refuse();
	test_fold();
	test_random();
	return done_testing();
}
