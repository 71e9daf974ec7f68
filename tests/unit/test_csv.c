/* tests/unit/test_csv.c — the CSV reader on good and hostile files (with the
 * line it blames), the writer's quoting and formula neutralisation, and
 * write -> read round trips of random cells full of quotes, commas, line
 * breaks and UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../node/text/csv.h"
#include "../proto/error.h"

/* Read every record of s into a flat text: cells joined by '|', records by
 * '/', each record prefixed with its line as "N:". On a defect, the text so
 * far then "!" and the error. */
static char s_dump[1 << 16];

static char s_sep = ',';      /* the separator s_read reads with */

static const char *s_read(const char *s, size_t len)
{
	rp_csv *r = rp_csv_new_sep(s, len, s_sep);
	char **cells;
	size_t n, line, i, at = 0;
	int rc;

	s_dump[0] = '\0';
	while ((rc = rp_csv_next(r, &cells, &n, &line)) == 1) {
		at += (size_t)snprintf(s_dump + at, sizeof s_dump - at, "%zu:", line);
		for (i = 0; i < n; i++)
			at += (size_t)snprintf(s_dump + at, sizeof s_dump - at, "%s%s", i ? "|" : "", cells[i]);
		at += (size_t)snprintf(s_dump + at, sizeof s_dump - at, "/");
	}
	if (rc < 0)
		snprintf(s_dump + at, sizeof s_dump - at, "!%s", rp_csv_error(r));
	rp_csv_free(&r);
	return s_dump;
}

#define READS(s, want, name) is_str(s_read(s, sizeof(s) - 1), want, name)

static void test_reader(void)
{
	rp_csv *r;
	char **cells;
	size_t n, line;

	READS("", "", "empty input: no records");
	READS("\xEF\xBB\xBF", "", "a BOM alone: no records");
	READS("\n\r\n\n", "", "blank lines only: no records");
	READS("a,b,c\r\n1,2,3\r\n", "1:a|b|c/2:1|2|3/", "CRLF");
	READS("a,b,c\n1,2,3\n", "1:a|b|c/2:1|2|3/", "LF");
	READS("a,b\r\n1,2", "1:a|b/2:1|2/", "no final line end");
	READS("\xEF\xBB\xBFname\n", "1:name/", "BOM skipped");
	READS("x,\xEF\xBB\xBFy\n", "1:x|\xEF\xBB\xBFy/", "a BOM later is data");
	READS("a,\n,\n,,\n", "1:a|/2:|/3:||/", "empty cells");
	READS("a\n\n\r\nb\n", "1:a/4:b/", "blank lines skipped, lines still counted");
	READS("\"\"\n", "1:/", "a quoted empty cell is a record");
	READS("\"a,b\",\"say \"\"hi\"\"\"\n", "1:a,b|say \"hi\"/", "quoted comma and quotes");
	READS("\"multi\nline\r\ncell\",x\nnext\n", "1:multi\nline\ncell|x/4:next/",
	      "embedded line breaks kept (CRLF as LF), lines counted");
	READS("\"old\rmac\",x\n", "1:old\nmac|x/", "a lone CR inside quotes reads as LF");
	s_sep = ';';
	READS("Name;City;Notes\r\n\"Müller, Hans\";Köln;\"a;b\"\r\n", "1:Name|City|Notes/2:Müller, Hans|Köln|a;b/",
	      "';'-separated: commas are data, quoted ';' too");
	s_sep = '\t';
	READS("a\tb\n1\t2\n", "1:a|b/2:1|2/", "TAB-separated");
	s_sep = ',';
	is_int(rp_csv_guess_sep("Name;City;Phone\r\nx;y;z\r\n", 27), ';', "a header of ';' guesses ';'");
	is_int(rp_csv_guess_sep("\xEF\xBB\xBFName,\"A;B;C\",Phone\n", 28), ',', "';' inside quotes does not count");
	is_int(rp_csv_guess_sep("a\tb\tc\n", 7), '\t', "a header of tabs guesses TAB");
	is_int(rp_csv_guess_sep("Name\n", 5), ',', "one column: ','");
	READS("\"\",\"\"\"\"\n", "1:|\"/", "empty quoted and a lone escaped quote");
	READS(" a , b \n", "1: a | b /", "spaces are data");
	READS("caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n", "1:caf\xC3\xA9|\xE2\x82\xAC|\xF0\x9F\x98\x80/",
	      "UTF-8 passes");
	READS("'=1+2\n", "1:'=1+2/", "reader does not un-neutralise");

	READS("a\n\"open\nstill\n", "1:a/!line 2: unterminated quoted field", "unterminated quote");
	READS("a,b\"c\n", "!line 1: quote inside unquoted field", "quote inside unquoted");
	READS("x\n\"a\"b\n", "1:x/!line 2: text after closing quote", "text after closing quote");
	READS("\"a\" ,b\n", "!line 1: text after closing quote", "space after closing quote");
	READS("a\nb\rc\n", "1:a/!line 2: carriage return without line feed", "bare CR");
	READS("a\nb\r", "1:a/!line 2: carriage return without line feed", "bare CR at the end");
	is_str(s_read("a\nb\0c\n", 6), "1:a/!line 2: NUL byte", "NUL byte");
	is_str(s_read("\"a\0\"\n", 5), "!line 1: NUL byte", "NUL byte quoted");
	READS("ok\n\xC0\x80\n", "1:ok/!line 2: invalid UTF-8", "overlong NUL");
	READS("\xC1\xBF", "!line 1: invalid UTF-8", "overlong 2-byte");
	READS("\xE0\x80\xAF", "!line 1: invalid UTF-8", "overlong 3-byte");
	READS("\xF0\x80\x80\xAF", "!line 1: invalid UTF-8", "overlong 4-byte");
	READS("\xED\xA0\x80", "!line 1: invalid UTF-8", "surrogate");
	READS("\xF4\x90\x80\x80", "!line 1: invalid UTF-8", "above U+10FFFF");
	READS("\xF5\x80\x80\x80", "!line 1: invalid UTF-8", "F5 lead");
	READS("\xFF", "!line 1: invalid UTF-8", "FF");
	READS("a\x80", "!line 1: invalid UTF-8", "lone continuation");
	READS("\xE2\x82", "!line 1: invalid UTF-8", "truncated at end of input");
	READS("\xE2\x82,x", "!line 1: invalid UTF-8", "truncated by a comma");
	READS("\"a\nb\n\xC3\x28\"", "!line 3: invalid UTF-8", "invalid UTF-8 on the third line of a cell");
	READS("\xEF\xBB", "!line 1: invalid UTF-8", "half a BOM");

	/* After a defect the reader stays failed: no guessing where rows resume. */
	r = rp_csv_new("a\"\nb\n", 5);
	ok(rp_csv_next(r, &cells, &n, &line) == RP_EFORMAT, "defect reported");
	ok(rp_csv_next(r, &cells, &n, &line) == RP_EFORMAT, "and reported again");
	is_str(rp_csv_error(r), "line 1: quote inside unquoted field", "error kept");
	rp_csv_free(&r);
	ok(r == NULL, "free clears the pointer");
	rp_csv_free(&r);      /* of NULL, twice: must not crash (ASan watches) */
	rp_csv_free(NULL);

	r = rp_csv_new(NULL, 0);
	ok(r && rp_csv_next(r, &cells, &n, &line) == 0, "NULL buffer of length 0 is empty");
	is_str(rp_csv_error(r), "", "no error after a clean end");
	rp_csv_free(&r);

	/* Limits: 256 cells and 64 KiB a cell pass; one more does not. */
	{
		size_t cap = 300 * 2 + 70000 * 3, i;
		char *b = malloc(cap), *p;
		p = b;
		for (i = 0; i < 256; i++) {
			*p++ = 'x';
			*p++ = i < 255 ? ',' : '\n';
		}
		r = rp_csv_new(b, (size_t)(p - b));
		ok(rp_csv_next(r, &cells, &n, &line) == 1 && n == 256, "256 cells pass");
		rp_csv_free(&r);
		p[-1] = ',';
		*p++ = 'y';
		r = rp_csv_new(b, (size_t)(p - b));
		ok(rp_csv_next(r, &cells, &n, &line) == RP_EFORMAT, "257 cells refused");
		is_str(rp_csv_error(r), "line 1: more than 256 cells", "257 cells: message");
		rp_csv_free(&r);

		memcpy(b, "a\n", 2);
		memset(b + 2, 'z', 65536);
		r = rp_csv_new(b, 2 + 65536);
		ok(rp_csv_next(r, &cells, &n, &line) == 1 && rp_csv_next(r, &cells, &n, &line) == 1 &&
		   strlen(cells[0]) == 65536 && line == 2, "a 64 KiB cell passes");
		rp_csv_free(&r);
		b[2 + 65536] = 'z';
		r = rp_csv_new(b, 2 + 65537);
		ok(rp_csv_next(r, &cells, &n, &line) == 1 && rp_csv_next(r, &cells, &n, &line) == RP_EFORMAT,
		   "a 64 KiB + 1 cell is refused");
		is_str(rp_csv_error(r), "line 2: cell over 64 KiB", "cell size: message");
		rp_csv_free(&r);

		/* The same limit counts bytes after unescaping "" in quotes. */
		b[0] = '"';
		for (i = 0; i < 65536; i++) {
			b[1 + 2 * i] = '"';
			b[2 + 2 * i] = '"';
		}
		b[1 + 2 * 65536] = '"';
		r = rp_csv_new(b, 2 + 2 * 65536);
		ok(rp_csv_next(r, &cells, &n, &line) == 1 && strlen(cells[0]) == 65536 &&
		   strspn(cells[0], "\"") == 65536, "65536 escaped quotes make a 64 KiB cell");
		rp_csv_free(&r);
		free(b);
	}
}

static const char *s_write(const char *const *cells, size_t n)
{
	static char keep[1024];
	char *out = NULL;
	size_t len = 0, cap = 0, i;
	int rc = 0;

	for (i = 0; i < n; i++)
		rc |= rp_csv_put_cell(&out, &len, &cap, cells[i], i == 0);
	rc |= rp_csv_end_row(&out, &len, &cap);
	snprintf(keep, sizeof keep, "%s", rc == 0 && out && strlen(out) == len ? out : "(error)");
	free(out);
	return keep;
}

#define WRITES(want, name, ...) do { const char *c_[] = { __VA_ARGS__ }; \
	is_str(s_write(c_, sizeof c_ / sizeof c_[0]), want, name); } while (0)

static void test_writer(void)
{
	WRITES("a,b,c\r\n", "plain", "a", "b", "c");
	WRITES("\"a,b\"\r\n", "comma quoted", "a,b");
	WRITES("\"say \"\"hi\"\"\"\r\n", "quotes doubled", "say \"hi\"");
	WRITES("\"two\nlines\"\r\n", "LF quoted", "two\nlines");
	WRITES("\"cr\rlf\"\r\n", "CR quoted", "cr\rlf");
	WRITES("\" lead\",\"trail \",in side\r\n", "edge spaces quoted", " lead", "trail ", "in side");
	WRITES("'=1+2\r\n", "= neutralised", "=1+2");
	WRITES("'+1\r\n", "+ neutralised", "+1");
	WRITES("'-12.50\r\n", "- neutralised, numbers too", "-12.50");
	WRITES("'@SUM(A1)\r\n", "@ neutralised", "@SUM(A1)");
	WRITES("'\tx\r\n", "TAB neutralised", "\tx");
	WRITES("\"'\rx\"\r\n", "CR neutralised inside quotes", "\rx");
	WRITES("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n", "formula with quotes",
	       "=HYPERLINK(\"http://x\",\"y\")");
	WRITES("a=1,x-y\r\n", "only the first character counts", "a=1", "x-y");
	WRITES("\"\"\r\n", "a lone empty cell stays a record", "");
	WRITES("\"\",\r\n", "leading empty cells", "", "");
	WRITES("a,,\r\n", "trailing empty cells", "a", "", "");
	WRITES("caf\xC3\xA9\r\n", "UTF-8 as is", "caf\xC3\xA9");
	/* Found by fuzz/fuzz_csv (corpus crash-bom-row.csv): a row holding only
	 * U+FEFF, written unquoted, came back as a skipped empty line. */
	is_str(s_read("x\r\n\xEF\xBB\xBF\r\n", 8), "1:x/2:\xEF\xBB\xBF/", "U+FEFF on line 2 is data");
	{
		const char *c_[] = { "\xEF\xBB\xBF" };
		const char *w = s_write(c_, 1);
		is_str(s_read(w, strlen(w)), "1:\xEF\xBB\xBF/", "a row of only U+FEFF survives write and read");
	}
	WRITES("\"\xEF\xBB\xBFx\",\xEF\xBB\xBFy\r\n", "a first cell starting with U+FEFF is quoted",
	       "\xEF\xBB\xBFx", "\xEF\xBB\xBFy");
	WRITES("a,\r\n", "NULL is empty", "a", NULL);
	{
		char *out = NULL;
		size_t len = 0, cap = 0;
		ok(rp_csv_put_cell(NULL, &len, &cap, "a", 1) == RP_EINVAL, "NULL out refused");
		ok(rp_csv_end_row(&out, NULL, &cap) == RP_EINVAL, "NULL len refused");
		free(out);
	}
}

/* A neutralised copy of cell, as the writer's reader-side image. */
/* What a written cell reads back as: neutralised, its line breaks as LF. */
static void s_neutral(const char *cell, char *out)
{
	if (cell[0] && strchr("=+-@\t\r", cell[0]))
		*out++ = '\'';
	for (; *cell; cell++) {
		if (*cell == '\r' && cell[1] == '\n')
			cell++;
		*out++ = *cell == '\r' ? '\n' : *cell;
	}
	*out = 0;
}

static void test_round_trip(void)
{
	static const char *atoms[] = {
		"a", "Z", "0", ",", "\"", "\n", "\r", "\r\n", " ", "\t", "=", "-", "+", "@", "'",
		"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", ";", "\"\"", "x,y",
		"\xEF\xBB\xBF",
	};
	enum { ROWS = 2000, MAXC = 8, MAXL = 40 };
	static char cells[ROWS][MAXC][MAXL * 4 + 1];
	static size_t ncell[ROWS];
	char *out = NULL, **got;
	size_t len = 0, cap = 0, i, j, n, line, want_line = 1;
	int wrong = 0, rc = 0;
	rp_csv *r;

	srand(2026);
	for (i = 0; i < ROWS; i++) {
		ncell[i] = 1 + (size_t)rand() % MAXC;
		for (j = 0; j < ncell[i]; j++) {
			size_t k, parts = (size_t)rand() % 12;
			cells[i][j][0] = '\0';
			for (k = 0; k < parts; k++)
				strcat(cells[i][j], atoms[rand() % (int)(sizeof atoms / sizeof atoms[0])]);
			rc |= rp_csv_put_cell(&out, &len, &cap, cells[i][j], j == 0);
		}
		rc |= rp_csv_end_row(&out, &len, &cap);
	}
	ok(rc == 0, "%d random rows written", ROWS);

	r = rp_csv_new(out, len);
	for (i = 0; i < ROWS; i++) {
		char want[MAXL * 4 + 2];
		if (rp_csv_next(r, &got, &n, &line) != 1 || n != ncell[i] || line != want_line) {
			wrong++;
			diag("row %zu: %s", i, rp_csv_error(r));
			break;
		}
		for (j = 0; j < n; j++) {
			const char *c;
			s_neutral(cells[i][j], want);
			if (strcmp(got[j], want) != 0)
				wrong++;
			for (c = got[j]; *c; c++)
				want_line += *c == '\n';
		}
		want_line++;
	}
	ok(wrong == 0 && rp_csv_next(r, &got, &n, &line) == 0,
	   "read back: same cells, neutralised, on the right lines (%d wrong)", wrong);
	rp_csv_free(&r);
	free(out);
}

int main(void)
{
	test_reader();
	test_writer();
	test_round_trip();
	return done_testing();
}
