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
	if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
		return c + 32;                              /* Α..Ω, Ϊ Ϋ */
	if (c == 0x386)
		return 0x3AC;                               /* Ά */
	if (c >= 0x388 && c <= 0x38A)
		return c + 37;                              /* Έ Ή Ί */
	if (c == 0x38C)
		return 0x3CC;                               /* Ό */
	if (c == 0x38E || c == 0x38F)
		return c + 63;                              /* Ύ Ώ */
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

/* The base letters of U+00C0..U+017F, small. Digits stand for two letters
 * ('1' ae, '2' th, '3' ss, '4' ij, '5' oe); '.' for a sign that is kept
 * (× ÷). */
static const char s_base[] =
	"aaaaaa1ceeeeiiii" "dnooooo.ouuuuy23"      /* U+00C0 */
	"aaaaaa1ceeeeiiii" "dnooooo.ouuuuy2y"      /* U+00E0 */
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg"      /* U+0100 */
	"gggghhhhiiiiiiii" "ii44jjkkklllllll"      /* U+0120 */
	"lllnnnnnnnnnoooo" "oo55rrrrrrssssss"      /* U+0140 */
	"ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";     /* U+0160 */

static const char *const s_pairs[] = { "ae", "th", "ss", "ij", "oe" };

/* A small Greek or Cyrillic letter without its marks: ά→α, ϊ→ι, ΐ→ι,
 * ς→σ (final sigma is sigma), ё→е. */
static unsigned s_unmark(unsigned c)
{
	switch (c) {
	case 0x3AC: return 0x3B1;
	case 0x3AD: return 0x3B5;
	case 0x3AE: return 0x3B7;
	case 0x3AF: case 0x3CA: case 0x390: return 0x3B9;
	case 0x3CC: return 0x3BF;
	case 0x3CD: case 0x3CB: case 0x3B0: return 0x3C5;
	case 0x3CE: return 0x3C9;
	case 0x3C2: return 0x3C3;
	case 0x451: return 0x435;
	default: return c;
	}
}

/* Append letter c to d (at *o), dropping an e after a, o or u. */
static void s_put_letter(char *d, size_t *o, char c)
{
	if (c == 'e' && *o && (d[*o - 1] == 'a' || d[*o - 1] == 'o' || d[*o - 1] == 'u'))
		return;
	d[(*o)++] = c;
}

size_t rp_fold_loose(char *dst, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			s_put_letter(dst, &o, (char)s_lower(c));
			i++;
		} else if ((c & 0xE0) == 0xC0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			unsigned cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
			char b = cp >= 0xC0 && cp <= 0x17F ? s_base[cp - 0xC0] : '.';
			if (b >= '1' && b <= '5') {        /* two letters from two bytes */
				s_put_letter(dst, &o, s_pairs[b - '1'][0]);
				s_put_letter(dst, &o, s_pairs[b - '1'][1]);
			} else if (b != '.') {
				s_put_letter(dst, &o, b);
			} else {
				unsigned lo = s_unmark(s_lower(cp));
				dst[o++] = (char)(0xC0 | (lo >> 6));
				dst[o++] = (char)(0x80 | (lo & 0x3F));
			}
			i += 2;
		} else {
			dst[o++] = (char)c;
			i++;
		}
	}
	dst[o] = 0;
	return o;
}
