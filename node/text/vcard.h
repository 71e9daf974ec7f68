/* node/text/vcard.h — vCard 4.0 writing (RFC 6350): escaping of text values and
 * folding of lines over 75 octets, never inside a UTF-8 sequence. Pure. */
#ifndef RP_VCARD_H
#define RP_VCARD_H

#include <stddef.h>

/* Append "NAME:value" (value escaped: backslash, comma, semicolon, newline;
 * CRLF, LF or a lone CR each become \n), folded, with CRLF, to the growing
 * buffer *out (realloc'd, kept NUL-terminated; start from NULL, 0, 0).
 * params may be NULL or e.g. "TYPE=work" (appended as NAME;params:value).
 * Returns 0, or (buffer unchanged) RP_ENOMEM, or RP_EINVAL on bad input: a
 * name other than letters, digits and '-', a control character in params,
 * invalid UTF-8. value NULL is empty. */
int rp_vcard_prop(char **out, size_t *len, size_t *cap,
                  const char *name, const char *params, const char *value);

/* Append a raw, already-structured line (e.g. "BEGIN:VCARD"), folded, with
 * CRLF. Returns 0, or (buffer unchanged) RP_ENOMEM, or RP_EINVAL for a CR
 * or LF in line or invalid UTF-8. */
int rp_vcard_line(char **out, size_t *len, size_t *cap, const char *line);

#endif
