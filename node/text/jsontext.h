/* node/text/jsontext.h — the compact text of a JSON value: the bytes
 * json_dumps(v, JSON_COMPACT) gives, made without its callback per piece
 * and its check for cycles. Views and summaries are stored as this text
 * (a digest hashes it), and a large write prints a view for every account
 * it touches: jansson's printer was a fifth of an import's fold. Keys in
 * the object's own order, no spaces; in strings '"', '\\' and the control
 * characters escaped (\b \f \n \r \t, else \uXXXX), everything else as
 * it is (the strings are valid UTF-8: jansson checked them). Pure. */
#ifndef RP_JSONTEXT_H
#define RP_JSONTEXT_H

#include <jansson.h>

/* The text of v, NUL-terminated (caller frees), or NULL: out of memory, or
 * v is NULL, a real (the store holds none) or nested deeper than 2048
 * levels. */
char *rp_json_text(const json_t *v);

#endif
