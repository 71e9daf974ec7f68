/* node/text/casefold.c — length-preserving case folding of UTF-8 (see casefold.h).
 * Never reads past n, never changes a byte outside a folded letter. */
#include "casefold.h"

/* The small letter of code point c, when it has one of the same width. */
static unsigned s_lower(unsigned c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if ((c >= 0xC0 && c <= 0xDE && c != 0xD7))
		return c + 32;                              /* À..Þ */
	if (c >= 0x100 && c <= 0x137)
		return c | 1;                               /* Ā..ķ: pairs */
	if (c >= 0x139 && c <= 0x148)
		return (c & 1) ? c + 1 : c;                 /* Ĺ..ň: odd capitals */
	if (c >= 0x14A && c <= 0x177)
		return c | 1;                               /* Ŋ..ŷ */
	if (c == 0x178)
		return 0xFF;                                /* Ÿ */
	if (c >= 0x179 && c <= 0x17E)
		return (c & 1) ? c + 1 : c;                 /* Ź..ž */
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;                              /* Α..Ω */
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;                              /* А..Я */
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;                              /* Ѐ..Џ */
	return c;
}

void rp_fold(char *dst, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	unsigned char *d = (unsigned char *)dst;
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			d[i] = (unsigned char)s_lower(c);
			i++;
		} else if ((c & 0xE0) == 0xC0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			unsigned cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F), lo = s_lower(cp);
			/* Every fold above stays within two-byte code points. */
			d[i] = (unsigned char)(0xC0 | (lo >> 6));
			d[i + 1] = (unsigned char)(0x80 | (lo & 0x3F));
			i += 2;
		} else {
			d[i] = s[i];
			i++;
		}
	}
}
