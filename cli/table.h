/* cli/table.h — aligned text tables for people: a header row, each column as
 * wide as its widest cell (UTF-8 code points), two spaces between, no trailing blanks. */
#ifndef RP_CLI_TABLE_H
#define RP_CLI_TABLE_H

#include <stdio.h>

#define TABLE_COLS_MAX 12

struct table;

/* A table with the given column headers (NULL-terminated, at most
 * TABLE_COLS_MAX). Never NULL: allocation failure ends the program. */
struct table *table_new(const char *header, ...);
void table_free(struct table **t);        /* sets *t to NULL; NULL is fine */

void table_right(struct table *t, int col);        /* right-align a column */
void table_flex(struct table *t, int col);         /* clip this column to fit a terminal */
void table_indent(struct table *t, const char *s); /* prefix every line (borrowed) */
void table_no_header(struct table *t);             /* print rows only */

/* Add a row of exactly as many cells as headers; NULL or "" prints "-".
 * Cells are copied, with control characters replaced by spaces. */
void table_row(struct table *t, ...);

/* Rows added so far (the header not counted). */
size_t table_rows(const struct table *t);

/* Print to f: headers bold when stdout is coloured; on a terminal the flex
 * column is clipped with "…" so lines fit its width. */
void table_print(struct table *t, FILE *f);

/* Print *t on stdout, or, when it has no rows and none is not NULL, the
 * line none on stderr ("no accounts yet"); then free it. Returns 0. */
int table_done(struct table **t, const char *none);

#endif
