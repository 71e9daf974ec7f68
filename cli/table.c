/* cli/table.c — aligned text tables. Widths are counted in code points, an
 * approximation of display width that is right for Latin scripts; cells never carry control characters. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../node/rapport.h"
#include "output.h"
#include "table.h"

#define TABLE_GAP       2
#define TABLE_FLEX_MIN  12

struct table {
	int          ncols;
	char       **cells;        /* row-major; row 0 is the header */
	size_t       nrows;        /* including the header */
	size_t       cap;
	unsigned char right[TABLE_COLS_MAX];
	int          flex;         /* -1: none */
	int          header;       /* print row 0 */
	const char  *indent;
};

/* Cells show what a peer or an import wrote, with control characters
 * visible (\x1b), never raw: a cell is one line and drives no terminal. */
static char *s_strdup_clean(const char *s)
{
	char *d = rp_visible_dup(s, 0);

	if (!d)
		out_oom();
	return d;
}

static size_t s_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Byte length of the first n code points of s. */
static size_t s_bytes_for(const char *s, size_t n)
{
	size_t i = 0;

	while (s[i] && n) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n--;
	}
	return i;
}

/* Room for one more row. */
static void s_grow(struct table *t)
{
	if (t->nrows * (size_t)t->ncols + (size_t)t->ncols > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : (size_t)t->ncols * 16;
		char **nc = realloc(t->cells, ncap * sizeof *nc);

		if (!nc)
			out_oom();
		t->cells = nc;
		t->cap = ncap;
	}
}

struct table *table_new(const char *header, ...)
{
	struct table *t = calloc(1, sizeof *t);
	const char *h[TABLE_COLS_MAX];
	va_list ap;
	int i;

	if (!t)
		out_oom();
	va_start(ap, header);
	for (const char *s = header; s && t->ncols < TABLE_COLS_MAX; s = va_arg(ap, const char *))
		h[t->ncols++] = s;
	va_end(ap);
	t->flex = -1;
	t->header = 1;
	t->indent = "";
	s_grow(t);
	for (i = 0; i < t->ncols; i++)
		t->cells[i] = s_strdup_clean(h[i]);
	t->nrows = 1;
	return t;
}

void table_free(struct table **t)
{
	size_t i;

	if (!t || !*t)
		return;
	for (i = 0; i < (*t)->nrows * (size_t)(*t)->ncols; i++)
		free((*t)->cells[i]);
	free((*t)->cells);
	free(*t);
	*t = NULL;
}

void table_right(struct table *t, int col)
{
	if (col >= 0 && col < t->ncols)
		t->right[col] = 1;
}

void table_flex(struct table *t, int col)
{
	t->flex = col;
}

void table_indent(struct table *t, const char *s)
{
	t->indent = s;
}

void table_no_header(struct table *t)
{
	t->header = 0;
}

void table_row(struct table *t, ...)
{
	va_list ap;
	size_t base;
	int i;

	s_grow(t);
	base = t->nrows * (size_t)t->ncols;
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cells[base + (size_t)i] = s_strdup_clean(s && *s ? s : "-");
	}
	va_end(ap);
	t->nrows++;
}

size_t table_rows(const struct table *t)
{
	return t->nrows - 1;
}

static size_t s_terminal_width(FILE *f)
{
	struct winsize ws;
	int fd = fileno(f);

	if (fd < 0 || !isatty(fd))
		return 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

int table_done(struct table **t, const char *none)
{
	if (table_rows(*t) || !none)
		table_print(*t, stdout);
	else
		out_note("%s", none);
	table_free(t);
	return 0;
}

void table_print(struct table *t, FILE *f)
{
	size_t width[TABLE_COLS_MAX] = { 0 };
	size_t r, total, term;
	int c, last;

	for (r = t->header ? 0 : 1; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t w = s_width(t->cells[r * (size_t)t->ncols + (size_t)c]);

			if (w > width[c])
				width[c] = w;
		}
	total = s_width(t->indent);
	for (c = 0; c < t->ncols; c++)
		total += width[c] + (c ? TABLE_GAP : 0);
	term = s_terminal_width(f);
	if (t->flex >= 0 && t->flex < t->ncols && term && total > term) {
		size_t excess = total - term;
		size_t fw = width[t->flex];

		fw = fw > excess + TABLE_FLEX_MIN ? fw - excess : (fw < TABLE_FLEX_MIN ? fw : TABLE_FLEX_MIN);
		width[t->flex] = fw;
	}
	/* The last column is not padded: no trailing blanks. */
	last = t->ncols - 1;
	for (r = t->header ? 0 : 1; r < t->nrows; r++) {
		int bold = r == 0;

		fputs(t->indent, f);
		if (bold)
			fputs(out_c(OUT_BOLD), f);
		for (c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * (size_t)t->ncols + (size_t)c];
			size_t w = s_width(cell), pad;
			int clip = w > width[c];

			if (c)
				fprintf(f, "%*s", TABLE_GAP, "");
			if (clip) {
				fwrite(cell, 1, s_bytes_for(cell, width[c] - 1), f);
				fputs("\u2026", f);
				w = width[c];
			}
			pad = width[c] - w;
			if (t->right[c] && !clip)
				fprintf(f, "%*s%s", (int)pad, "", cell);
			else if (!clip)
				fputs(cell, f);
			if (!t->right[c] && c != last)
				fprintf(f, "%*s", (int)pad, "");
		}
		if (bold)
			fputs(out_c(OUT_RESET), f);
		fputc('\n', f);
	}
}
