/* cli/output.c — errors, JSON, and the human forms of times, money and ids.
 * The only code that decides colour; it never prints a control character it did not mean to. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../node/rapport.h"
#include "output.h"

static int s_progress_drawn;

static int s_env_allows_style(void)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return 1;
}

int out_color(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = isatty(STDOUT_FILENO) && s_env_allows_style();
	return cached;
}

const char *out_c(const char *sgr)
{
	return out_color() ? sgr : "";
}

/* ---- failures ------------------------------------------------------------ */

void out_vclean(FILE *f, const char *fmt, va_list ap)
{
	char buf[2048];
	vsnprintf(buf, sizeof buf, fmt, ap);
	out_puts_clean(f, buf);
}

void out_vclean_line(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vclean(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static void s_vline(const char *prefix, const char *fmt, va_list ap)
{
	out_progress_end();
	fflush(stdout);
	fputs(prefix, stderr);
	out_vclean(stderr, fmt, ap);      /* user input in it is shown, never obeyed */
	fputc('\n', stderr);
}

int out_fail_about(int rc, const char *subject)
{
	const char *msg = rp_errmsg();

	out_progress_end();
	fflush(stdout);
	fputs("rapport: ", stderr);
	if (msg && *msg) {
		out_puts_clean(stderr, msg);
	} else {
		if (subject) {
			out_puts_clean(stderr, subject);
			fputs(": ", stderr);
		}
		fputs(rp_strerror(rc), stderr);
	}
	fputc('\n', stderr);
	if (msg && *msg)
		return 1;               /* the library's message already says what to do */
	if (rc == RP_ENOKEY)
		out_hint("run 'rapport init --name NAME' to set up this device");
	else if (rc == RP_ENOTEAM)
		out_hint("start a team with 'rapport init --team TEAM', or have an admin run "
		         "'rapport member add NAME DEVICE_ID' ('rapport id' prints it) and sync");
	return 1;
}

int out_fail(int rc)
{
	return out_fail_about(rc, NULL);
}

int out_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vline("rapport: ", fmt, ap);
	va_end(ap);
	return 1;
}

void out_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vline("hint: ", fmt, ap);
	va_end(ap);
}

void out_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vline("", fmt, ap);
	va_end(ap);
}

void out_oom(void)
{
	fputs("rapport: out of memory\n", stderr);
	exit(1);
}

/* ---- JSON ---------------------------------------------------------------- */

/* jansson escapes C0 but lets DEL and C1 through raw: escape those too. */
static int s_dump(const json_t *doc, size_t flags)
{
	char *text = json_dumps(doc, flags), *safe;
	int rc;

	if (!text)
		return 1;
	safe = rp_visible_json(text);
	free(text);
	if (!safe)
		out_oom();
	rc = fputs(safe, stdout) == EOF || fputc('\n', stdout) == EOF;
	free(safe);
	return rc;
}

int out_json(const json_t *doc)
{
	if (!doc)
		return out_failf("internal error: the node returned no data");
	return s_dump(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
}

int out_jsonl(const json_t *arr)
{
	size_t i;
	json_t *row;

	if (!json_is_array(arr))
		return out_json(arr);   /* also reports NULL */
	json_array_foreach(arr, i, row)
		if (s_dump(row, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)))
			return 1;
	return 0;
}

/* ---- values for people --------------------------------------------------- */

const char *out_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

long long out_int(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

char *out_last_sync(const json_t *peer, char *buf, size_t cap)
{
	const char *iso = out_str(peer, "last_sync");
	uint64_t ms;

	if (!iso || rp_when_parse_iso(iso, &ms) != 0)
		snprintf(buf, cap, "never");
	else
		rp_when_local(ms, buf, cap);
	return buf;
}

const char *out_str_or_dash(const json_t *o, const char *key)
{
	const char *s = out_str(o, key);

	return s && *s ? s : "-";
}

char *out_scalar(const json_t *v, char *buf, size_t cap)
{
	if (json_is_integer(v)) {
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		double d = json_real_value(v);

		if (d == (double)(long long)d)
			snprintf(buf, cap, "%lld", (long long)d);
		else
			snprintf(buf, cap, "%.1f", d);
	} else if (json_is_true(v)) {
		snprintf(buf, cap, "yes");
	} else if (json_is_false(v)) {
		snprintf(buf, cap, "no");
	} else if (json_is_string(v) && *json_string_value(v)) {
		snprintf(buf, cap, "%s", json_string_value(v));
	} else {
		snprintf(buf, cap, "-");
	}
	return buf;
}

char *out_when(const json_t *iso, char *buf, size_t cap)
{
	uint64_t ms;
	const char *s = json_string_value(iso);

	if (!s || !*s) {
		snprintf(buf, cap, "-");
		return buf;
	}
	if (rp_when_parse_iso(s, &ms) < 0 || cap < 32) {
		snprintf(buf, cap, "%s", s);
		return buf;
	}
	rp_when_local(ms, buf, cap);        /* a calendar day as a date alone */
	return buf;
}

char *out_day(const json_t *iso, char *buf, size_t cap)
{
	char *sp;

	out_when(iso, buf, cap);
	sp = strchr(buf, ' ');
	if (sp)
		*sp = '\0';
	return buf;
}

int out_overdue(const json_t *iso, uint64_t now_ms)
{
	uint64_t ms;
	const char *s = json_string_value(iso);

	return s && rp_when_parse_iso(s, &ms) == 0 && rp_when_day(ms) < rp_when_day(now_ms);
}

char *out_amount(const json_t *amount, char *buf, size_t cap)
{
	char num[48];
	const char *cur = out_str(amount, "currency");
	json_t *cents = json_object_get(amount, "cents");

	if (!json_is_integer(cents)) {
		snprintf(buf, cap, "-");
		return buf;
	}
	snprintf(buf, cap, "%s", rp_money_format(json_integer_value(cents), cur ? cur : "", num, sizeof num));
	return buf;
}

char *out_amounts_first(const json_t *arr, const char *first, char *buf, size_t cap)
{
	size_t i, len = 0;
	json_t *a;
	char one[64];

	buf[0] = '\0';
	for (int pass = first ? 0 : 1; pass < 2; pass++)
		json_array_foreach(arr, i, a) {
			const char *cur = out_str(a, "currency");
			int is_first = first && cur && !strcmp(cur, first), k;
			if (pass == 0 ? !is_first : is_first)
				continue;
			k = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", out_amount(a, one, sizeof one));
			if (k < 0 || (size_t)k >= cap - len)
				break;
			len += (size_t)k;
		}
	if (!buf[0])
		snprintf(buf, cap, "-");
	return buf;
}

char *out_referrals(const json_t *refs, char *buf, size_t cap)
{
	long long n = out_int(refs, "count");
	char worth[256];

	buf[0] = '\0';
	if (n <= 0)
		return buf;
	out_amounts(json_object_get(refs, "value"), worth, sizeof worth);
	if (!strcmp(worth, "-"))
		snprintf(buf, cap, "%lld customer%s", n, n == 1 ? "" : "s");
	else
		snprintf(buf, cap, "%lld customer%s worth %s", n, n == 1 ? "" : "s", worth);
	return buf;
}

char *out_amounts(const json_t *arr, char *buf, size_t cap)
{
	return out_amounts_first(arr, NULL, buf, cap);
}

char *out_words(const json_t *arr, char *buf, size_t cap)
{
	size_t i, len = 0;
	json_t *w;

	buf[0] = '\0';
	json_array_foreach(arr, i, w) {
		const char *s = json_string_value(w);
		int k;

		if (!s)
			continue;
		k = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", s);
		if (k < 0 || (size_t)k >= cap - len)
			break;
		len += (size_t)k;
	}
	if (!buf[0])
		snprintf(buf, cap, "-");
	return buf;
}

char *out_id_short(const char *id, char *buf, size_t cap)
{
	snprintf(buf, cap, "%.*s", OUT_ID_SHORT, id && *id ? id : "-");
	return buf;
}

void out_puts_clean(FILE *f, const char *s)
{
	char *v = rp_visible_dup(s, 0);    /* ESC becomes \x1b, U+009B \u009b */

	if (!v)
		out_oom();
	fputs(v, f);
	free(v);
}

/* ---- progress -------------------------------------------------------------- */

int out_progress_enabled(int json)
{
	return !json && isatty(STDERR_FILENO) && s_env_allows_style();
}

void out_progress(int json, const char *fmt, ...)
{
	va_list ap;

	if (!out_progress_enabled(json))
		return;
	fputc('\r', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\033[K", stderr);
	fflush(stderr);
	s_progress_drawn = 1;
}

void out_progress_end(void)
{
	if (!s_progress_drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	s_progress_drawn = 0;
}
