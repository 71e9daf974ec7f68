/* fuzz/fuzz_csv.c — libFuzzer harness for node/text/csv.c: any bytes are read to
 * the end without a crash, and every record read is written back and re-read
 * to the same cells (as neutralised by the writer, and with control
 * characters made visible as node/text/visible.h says), on a single record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../node/text/csv.h"
#include "../node/text/visible.h"

#define S_CELL_MAX (64 * 1024)          /* the reader's limit, see csv.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void s_round_trip(char **cells, size_t n)
{
	char *out = NULL, **back;
	size_t len = 0, cap = 0, i, bn, bline;
	int too_big = 0;
	rp_csv *r;

	for (i = 0; i < n; i++)
		if (rp_csv_put_cell(&out, &len, &cap, cells[i], i == 0) != 0)
			abort();
	if (rp_csv_end_row(&out, &len, &cap) != 0 || strlen(out) != len)
		abort();
	r = rp_csv_new(out, len);
	if (!r)
		abort();
	for (i = 0; i < n; i++) {               /* the ' prefix can push a full cell over */
		char *v = rp_visible_dup(cells[i], RP_VISIBLE_LINES_CR);
		if (!v)
			abort();
		too_big |= strlen(v) + 1 > S_CELL_MAX;
		free(v);
	}
	if (rp_csv_next(r, &back, &bn, &bline) != 1) {
		if (!too_big)
			abort();
		goto out;
	}
	if (bn != n || bline != 1)
		abort();
	for (i = 0; i < n; i++) {
		char *want = rp_visible_dup(cells[i], RP_VISIBLE_LINES_CR);
		const char *got = back[i];
		if (!want)
			abort();
		if (want[0] && strchr("=+-@\t\r", want[0])) {
			if (got[0] != '\'')
				abort();
			got++;
		}
		if (strcmp(got, want) != 0)
			abort();
		free(want);
	}
	if (rp_csv_next(r, &back, &bn, &bline) != 0)
		abort();
out:
	rp_csv_free(&r);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_csv *r = rp_csv_new((const char *)data, size);
	char **cells;
	size_t n, line, last = 0;
	int rc;

	if (!r)
		return 0;
	while ((rc = rp_csv_next(r, &cells, &n, &line)) == 1) {
		if (n == 0 || n > 256 || line <= last)
			abort();
		last = line;
		s_round_trip(cells, n);         /* re-reads with its own reader */
	}
	if (rc < 0 && strncmp(rp_csv_error(r), "line ", 5) != 0)
		abort();
	if (rc < 0 && rp_csv_next(r, &cells, &n, &line) != rc)
		abort();
	rp_csv_free(&r);
	return 0;
}
