/* node/vcard.h — vCard 4.0 writing (RFC 6350): escaping of text values and
 * folding of lines over 75 octets, never inside a UTF-8 sequence. Pure. */
#ifndef RP_VCARD_H
#define RP_VCARD_H

#include <stddef.h>

/* Append "NAME:value" (value escaped: backslash, comma, semicolon, newline),
 * folded, with CRLF, to the growing buffer *out. params may be NULL or
 * e.g. "TYPE=work" (appended as NAME;params:value). Returns 0 or -1. */
int rp_vcard_prop(char **out, size_t *len, size_t *cap,
                  const char *name, const char *params, const char *value);

/* Append a raw, already-structured line (e.g. "BEGIN:VCARD"), folded. */
int rp_vcard_line(char **out, size_t *len, size_t *cap, const char *line);

#endif
