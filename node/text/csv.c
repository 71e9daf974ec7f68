/* node/text/csv.c — RFC 4180 CSV by hand: a strict reader that names the line of
 * any defect instead of guessing, and a writer whose cells a spreadsheet can
 * never run as formulas. Never reads past buf[len), never trusts a length. */
#include "csv.h"
#include "textbuf.h"
#include "visible.h"
#include "../../proto/error.h"
#include "../../proto/limits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits of an import file, not of the wire format, hence here and not in
 * proto/limits.h: a row of an account export is a few dozen cells. */
#define S_CELLS_MAX  RP_CSV_CELLS_MAX
#define S_CELL_MAX   RP_CSV_CELL_MAX

struct rp_csv {
	const char *buf;
	size_t      len, pos;
	size_t      line;                 /* line of buf[pos], 1-based */
	char        sep;                  /* ',' unless rp_csv_new_sep said otherwise */
	int         failed;               /* a defect is final: no resync */
	char       *text;                 /* the record's cells, each NUL-ended */
	size_t      text_len, text_cap;
	size_t      offs[S_CELLS_MAX];    /* cell starts in text */
	char       *cells[S_CELLS_MAX];
	char        err[96];
};

rp_csv *rp_csv_new(const char *buf, size_t len)
{
	return rp_csv_new_sep(buf, len, ',');
}

rp_csv *rp_csv_new_sep(const char *buf, size_t len, char sep)
{
	rp_csv *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->sep = sep == ';' || sep == '\t' ? sep : ',';
	r->buf = buf;
	r->len = buf ? len : 0;
	r->line = 1;
	/* A UTF-8 BOM, as spreadsheets write, is not part of the first cell. */
	if (r->len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	return r;
}

char rp_csv_guess_sep(const char *buf, size_t len)
{
	size_t n[3] = { 0 }, i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	int quoted = 0;
	for (; i < len; i++) {
		char c = buf[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted)
			n[0] += c == ',', n[1] += c == ';', n[2] += c == '\t';
	}
	return n[1] > n[0] && n[1] >= n[2] ? ';' : n[2] > n[0] ? '\t' : ',';
}

void rp_csv_free(rp_csv **r)
{
	if (!r || !*r)
		return;
	free((*r)->text);
	free(*r);
	*r = NULL;
}

const char *rp_csv_error(const rp_csv *r)
{
	return r ? r->err : "no reader";
}

static int s_fail(rp_csv *r, size_t line, const char *what)
{
	snprintf(r->err, sizeof r->err, "line %zu: %s", line, what);
	r->failed = RP_EFORMAT;
	return -1;
}

/* Room for n more bytes of text. */
static int s_reserve(rp_csv *r, size_t n)
{
	size_t cap = r->text_cap ? r->text_cap : 256;
	char *t;

	if (r->text_cap - r->text_len >= n)
		return 0;
	while (cap - r->text_len < n)
		cap *= 2;                       /* text never exceeds 256 cells of 64 KiB */
	t = realloc(r->text, cap);
	if (!t) {
		snprintf(r->err, sizeof r->err, "out of memory");
		r->failed = RP_ENOMEM;
		return -1;
	}
	r->text = t;
	r->text_cap = cap;
	return 0;
}

/* Append n bytes to the current cell, which began at text offset start. */
static int s_put(rp_csv *r, size_t start, const char *s, size_t n)
{
	if (r->text_len - start + n > S_CELL_MAX)
		return s_fail(r, r->line, "cell over 64 KiB");
	if (s_reserve(r, n) != 0)
		return -1;
	memcpy(r->text + r->text_len, s, n);
	r->text_len += n;
	return 0;
}

/* Length of the well-formed UTF-8 sequence at p (at most avail bytes), or 0:
 * no overlongs, no surrogates, nothing above U+10FFFF (RFC 3629). */
static size_t s_utf8_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (avail < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* Copy one non-delimiter character (an ASCII byte or a whole UTF-8
 * sequence) from buf[pos] into the cell, checking it on the way. */
static int s_take_char(rp_csv *r, size_t start)
{
	const unsigned char *p = (const unsigned char *)r->buf + r->pos;
	size_t n;

	if (*p == '\0')
		return s_fail(r, r->line, "NUL byte");
	n = s_utf8_len(p, r->len - r->pos);
	if (n == 0)
		return s_fail(r, r->line, "invalid UTF-8");
	if (s_put(r, start, (const char *)p, n) != 0)
		return -1;
	r->pos += n;
	return 0;
}

/* After a cell: 1 if the record goes on (a comma), 0 if it ended (LF, CRLF
 * or end of input), -1 on anything else. The line ending is consumed. */
static int s_after_cell(rp_csv *r, const char *defect)
{
	if (r->pos == r->len)
		return 0;
	if (r->buf[r->pos] == r->sep) {
		r->pos++;
		return 1;
	}
	switch (r->buf[r->pos]) {
	case '\n':
		r->pos++;
		r->line++;
		return 0;
	case '\r':
		if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n') {
			r->pos += 2;
			r->line++;
			return 0;
		}
		return s_fail(r, r->line, "carriage return without line feed");
	default:
		return s_fail(r, r->line, defect);
	}
}

static int s_quoted_cell(rp_csv *r, size_t start)
{
	size_t opened = r->line;

	r->pos++;                               /* the opening quote */
	for (;;) {
		char c;
		if (r->pos == r->len)
			return s_fail(r, opened, "unterminated quoted field");
		c = r->buf[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
				if (s_put(r, start, "\"", 1) != 0)
					return -1;
				r->pos += 2;
				continue;
			}
			r->pos++;
			return 0;
		}
		if (c == '\n' || c == '\r') {   /* line breaks are data here: LF, CRLF and CR as LF */
			if (s_put(r, start, "\n", 1) != 0)
				return -1;
			r->pos += c == '\r' && r->pos + 1 < r->len && r->buf[r->pos + 1] == '\n' ? 2 : 1;
			r->line++;
			continue;
		}
		if (s_take_char(r, start) != 0)
			return -1;
	}
}

static int s_plain_cell(rp_csv *r, size_t start)
{
	while (r->pos < r->len) {
		char c = r->buf[r->pos];
		if (c == r->sep || c == '\n' || c == '\r')
			return 0;
		if (c == '"')
			return s_fail(r, r->line, "quote inside unquoted field");
		if (s_take_char(r, start) != 0)
			return -1;
	}
	return 0;
}

/* One record into r->text/r->offs. Returns 0 or -1; *n_out cells, and
 * *blank when the record is a lone unquoted empty cell (an empty line). */
static int s_record(rp_csv *r, size_t *n_out, int *blank)
{
	size_t n = 0;
	int more, quoted = 0;

	r->text_len = 0;
	do {
		size_t start = r->text_len;
		if (n == S_CELLS_MAX)
			return s_fail(r, r->line, "more than 256 cells");
		r->offs[n++] = start;
		quoted = r->pos < r->len && r->buf[r->pos] == '"';
		if ((quoted ? s_quoted_cell(r, start) : s_plain_cell(r, start)) != 0)
			return -1;
		if (s_reserve(r, 1) != 0)           /* the cell's NUL */
			return -1;
		r->text[r->text_len++] = '\0';
		more = s_after_cell(r, quoted ? "text after closing quote"
		                              : "quote inside unquoted field");
		if (more < 0)
			return -1;
	} while (more);
	*n_out = n;
	*blank = n == 1 && !quoted && r->text[r->offs[0]] == '\0';
	return 0;
}

int rp_csv_next(rp_csv *r, char ***cells, size_t *ncells, size_t *line)
{
	size_t n, i, start_line;
	int blank;

	if (!r || !cells || !ncells || !line)
		return RP_EINVAL;
	if (r->failed)
		return r->failed;
	for (;;) {
		if (r->pos >= r->len)
			return 0;
		start_line = r->line;
		if (s_record(r, &n, &blank) != 0)
			return r->failed ? r->failed : RP_EFORMAT;
		if (!blank)
			break;
	}
	for (i = 0; i < n; i++)
		r->cells[i] = r->text + r->offs[i];
	*cells = r->cells;
	*ncells = n;
	*line = start_line;
	return 1;
}

/* ---- writer ---------------------------------------------------------------- */


int rp_csv_put_cell(char **out, size_t *len, size_t *cap, const char *cell, int first)
{
	size_t n, i, len0;
	int quote, neutral;

	if (!out || !len || !cap)
		return RP_EINVAL;
	if (!cell)
		cell = "";
	n = strlen(cell);
	/* No raw control byte in the file: what a peer or an old store holds
	 * is written visibly (\x1b), line breaks and tabs stay data. */
	if (!rp_visible_clean(cell, n, RP_VISIBLE_LINES_CR)) {
		char *v = rp_visible_dup(cell, RP_VISIBLE_LINES_CR);
		int rc;
		if (!v)
			return RP_ENOMEM;
		rc = rp_csv_put_cell(out, len, cap, v, first);
		free(v);
		return rc;
	}
	len0 = *len;
	if (!first && rp_textbuf_append(out, len, cap, ",", 1) != 0)
		goto fail;
	/* OWASP: a leading = + - @ TAB or CR makes a spreadsheet evaluate the
	 * cell; a leading ' makes it text. Numbers like -12.50 get it too: an
	 * export is for reading, and a rule with exceptions is a rule with holes. */
	neutral = n > 0 && strchr("=+-@\t\r", cell[0]) != NULL;
	quote = strpbrk(cell, ",\"\r\n") != NULL ||
	        (n > 0 && (cell[0] == ' ' || cell[n - 1] == ' '));
	/* A record of one empty cell would be an empty line, which readers
	 * skip; "" keeps it a record. A first cell opening with U+FEFF would
	 * lose it as a BOM if it began the file; quoted, it stays data. */
	if (first && (n == 0 || strncmp(cell, "\xEF\xBB\xBF", 3) == 0))
		quote = 1;
	if (quote && rp_textbuf_append(out, len, cap, "\"", 1) != 0)
		goto fail;
	if (neutral && rp_textbuf_append(out, len, cap, "'", 1) != 0)
		goto fail;
	for (i = 0; i < n;) {
		size_t run = quote ? strcspn(cell + i, "\"") : n - i;
		if (rp_textbuf_append(out, len, cap, cell + i, run) != 0)
			goto fail;
		i += run;
		if (i < n) {                    /* a quote, doubled */
			if (rp_textbuf_append(out, len, cap, "\"\"", 2) != 0)
				goto fail;
			i++;
		}
	}
	if (quote && rp_textbuf_append(out, len, cap, "\"", 1) != 0)
		goto fail;
	return 0;
fail:
	/* No half cell: the buffer is as it was. */
	*len = len0;
	if (*out && len0 < *cap)
		(*out)[len0] = '\0';
	return RP_ENOMEM;
}

int rp_csv_end_row(char **out, size_t *len, size_t *cap)
{
	if (!out || !len || !cap)
		return RP_EINVAL;
	return rp_textbuf_append(out, len, cap, "\r\n", 2);
}
