/* node/text/textbuf.h — a growing, NUL-terminated text buffer, the (out, len, cap)
 * triple the CSV and vCard writers append to. Pure. */
#ifndef RP_TEXTBUF_H
#define RP_TEXTBUF_H

#include <stddef.h>

/* Append n bytes of s to *out (realloc'd as needed; *len and *cap updated),
 * keeping *out NUL-terminated. Returns 0, or RP_ENOMEM or RP_ELIMIT (a
 * size that would overflow) with the buffer unchanged. */
int rp_textbuf_append(char **out, size_t *len, size_t *cap, const char *s, size_t n);

#endif
