/* node/text/textbuf.c — see textbuf.h. Never leaves the buffer half-grown or
 * unterminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textbuf.h"
#include "../../proto/error.h"

int rp_textbuf_append(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
	/* Keep one spare byte so *out stays NUL-terminated for the caller. */
	if (*len > SIZE_MAX - n - 1)
		return RP_ELIMIT;
	if (!*out || *cap - *len < n + 1) {
		size_t c = *cap ? *cap : 256;
		char *t;
		while (c - *len < n + 1) {
			if (c > SIZE_MAX / 2)
				return RP_ELIMIT;
			c *= 2;
		}
		t = realloc(*out, c);
		if (!t)
			return RP_ENOMEM;
		*out = t;
		*cap = c;
	}
	memcpy(*out + *len, s, n);
	*len += n;
	(*out)[*len] = '\0';
	return 0;
}
