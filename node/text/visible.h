/* node/text/visible.h — text a peer, an import or a user wrote, made safe to show:
 * control characters and escape sequences become visible ASCII notation,
 * never raw bytes on a terminal, in a CSV cell, a vCard line or a JSON
 * document. Pure: bytes in, bytes out; no locale. */
#ifndef RP_VISIBLE_H
#define RP_VISIBLE_H

#include <stddef.h>

/* keep_lines: 0 every control is escaped; RP_VISIBLE_LINES newline and tab
 * stay; RP_VISIBLE_LINES_CR carriage return too (for writers that treat
 * CR, LF and CRLF as line breaks: CSV quoting, vCard's \n). */
enum { RP_VISIBLE_LINES = 1, RP_VISIBLE_LINES_CR = 2 };

/* Length of the valid UTF-8 sequence at p (avail >= 1 bytes), or 0 when
 * it is not one: overlong forms, surrogates, code points past U+10FFFF and
 * cut-off sequences are invalid. */
size_t rp_visible_utf8_len(const unsigned char *p, size_t avail);

/* Append s (n bytes) to the text buffer (*out, *len, *cap; see textbuf.h)
 * with every C0 control (but those keep_lines keeps), DEL and
 * every C1 control written as \xHH (C0, DEL) or \u00HH (C1), and every
 * byte that is not part of valid UTF-8 as \xHH. Returns 0 or RP_ENOMEM
 * (the buffer is then unchanged). */
int rp_visible_append(char **out, size_t *len, size_t *cap, const char *s, size_t n,
                      int keep_lines);

/* The same for a NUL-terminated string: a new string the caller frees,
 * or NULL on no memory. */
char *rp_visible_dup(const char *s, int keep_lines);

/* 1 if s (n bytes) needs no change by rp_visible_append. */
int rp_visible_clean(const char *s, size_t n, int keep_lines);

/* A JSON text (valid UTF-8, as jansson writes it) with DEL and the C1
 * controls, which JSON lets through raw, escaped as \u007f and \u0080..
 * \u009f: a new string the caller frees, or NULL on no memory. Those
 * bytes only ever stand inside strings, so the result is the same JSON. */
char *rp_visible_json(const char *json);

/* s (n bytes) with every invalid UTF-8 sequence replaced by U+FFFD: for
 * text stored before ingest checked it, so that it still shows (never
 * vanishes). A new NUL-terminated string (*outlen its length) the caller
 * frees, or NULL on no memory. */
char *rp_visible_repair_utf8(const char *s, size_t n, size_t *outlen);

#endif
