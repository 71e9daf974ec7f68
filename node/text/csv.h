/* node/text/csv.h — RFC 4180 CSV, read and written by hand. Pure: text in, cells
 * out. The reader reports the line of any defect; the writer neutralises
 * cells that a spreadsheet would run as a formula (= + - @, tab, CR). */
#ifndef RP_CSV_H
#define RP_CSV_H

#include <stddef.h>

typedef struct rp_csv rp_csv;           /* a reader over one buffer */

/* A reader over buf[0..len) (borrowed until rp_csv_free). Accepts CRLF or
 * LF line ends, quoted fields with "" escapes and embedded line breaks
 * (LF, CRLF or CR, each read as one LF), a UTF-8 BOM. Cells are separated
 * by ',' (rp_csv_new) or sep: ',', ';' or TAB (rp_csv_new_sep).
 * Returns NULL on allocation failure. */
rp_csv *rp_csv_new(const char *buf, size_t len);
rp_csv *rp_csv_new_sep(const char *buf, size_t len, char sep);

/* The separator of a file's first line (after a BOM, outside quotes): ';'
 * or TAB when it has more of them than commas (European spreadsheets write
 * ';'), else ','. */
char rp_csv_guess_sep(const char *buf, size_t len);
void    rp_csv_free(rp_csv **r);

/* Read the next record. On success *cells points to *ncells NUL-terminated
 * strings owned by the reader (valid until the next call) and *line is the
 * line it starts on (1-based). Returns 1 for a record, 0 at end of input,
 * RP_EFORMAT on a defect (unterminated quote, quote inside an unquoted field, text
 * after a closing quote, a CR without LF outside quotes, a NUL byte, invalid
 * UTF-8, more than 256 cells or a cell over 64 KiB), with rp_csv_error()
 * describing it ("line 7: unterminated quoted field"), RP_ENOMEM when the
 * reader could not grow, RP_EINVAL for NULL arguments. A failure is final:
 * later calls return the same code. Empty lines are skipped; a line "" is a record. */
int rp_csv_next(rp_csv *r, char ***cells, size_t *ncells, size_t *line);
const char *rp_csv_error(const rp_csv *r);

/* Append one cell, quoted when needed and neutralised against formula
 * injection, to out (a growing buffer: *out realloc'd, *len and *cap updated,
 * kept NUL-terminated; start from NULL, 0, 0). first: no comma before it.
 * A cell starting with = + - @ TAB or CR gets a leading ' (so "-12.50" reads
 * back as "'-12.50"); NULL is an empty cell. Returns 0, or RP_ENOMEM
 * (leaving the buffer as it was) or RP_EINVAL for NULL arguments. */
int rp_csv_put_cell(char **out, size_t *len, size_t *cap, const char *cell, int first);

/* Append the record terminator CRLF. Returns as rp_textbuf_append, or
 * RP_EINVAL for NULL arguments. */
int rp_csv_end_row(char **out, size_t *len, size_t *cap);

#endif
