/* cli/output.h — how rapport speaks to people and scripts: errors on stderr,
 * --json documents and JSONL lists, human renderings of times, money and ids.
 * Text that came from the store is printed only through helpers that strip control characters. */
#ifndef RP_CLI_OUTPUT_H
#define RP_CLI_OUTPUT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <jansson.h>

/* Abbreviated ids in tables: 10 base32 characters (50 bits), accepted back
 * as a prefix like any id. --json and single-id output print ids whole. */
#define OUT_ID_SHORT 10

/* SGR sequences for out_c(). */
#define OUT_BOLD  "\033[1m"
#define OUT_DIM   "\033[2m"
#define OUT_RED   "\033[31m"
#define OUT_RESET "\033[0m"

/* 1 when stdout may be coloured: a TTY, NO_COLOR unset or empty, TERM not "dumb". */
int out_color(void);
/* sgr when out_color(), else "". */
const char *out_c(const char *sgr);

/* ---- failures (stderr; each returns the exit status to use) ------------- */

/* "rapport: <rp_errmsg() or rp_strerror(rc)>", with a hint for the codes a
 * newcomer meets (no key, no team). Returns 1. Call before any other rp_*
 * call, which would clear rp_errmsg(). */
int out_fail(int rc);
/* The same, naming subject ("FILE: storage or file error") when the library
 * left no message. subject may be NULL. Returns 1. */
int out_fail_about(int rc, const char *subject);
/* "rapport: <formatted>". Returns 1. */
int out_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "hint: <formatted>" on stderr. */
void out_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A formatted line on stderr, for notes that are not data ("imported ..."). */
void out_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- JSON ---------------------------------------------------------------- */

/* One document, indented by 2, keys in order, on stdout. Returns 0 or 1. */
int out_json(const json_t *doc);
/* A list as JSONL: one compact line per element of arr. Returns 0 or 1. */
int out_jsonl(const json_t *arr);

/* ---- values for people --------------------------------------------------- */

/* The string member key of o, or NULL when absent, null or not a string. */
const char *out_str(const json_t *o, const char *key);
/* The integer member key of o, or 0 when absent or not an integer. */
long long out_int(const json_t *o, const char *key);
/* A peer's last_sync (ISO) as local time for people, or "never". Returns buf. */
char *out_last_sync(const json_t *peer, char *buf, size_t cap);
/* The string member key of o, or "-". */
const char *out_str_or_dash(const json_t *o, const char *key);
/* A scalar for people: integers as is, reals with at most one decimal,
 * true/false as yes/no, strings as is, null/absent as "-". Returns buf. */
char *out_scalar(const json_t *v, char *buf, size_t cap);
/* An ISO 8601 time (json string) for people: a calendar day (a UTC
 * midnight) as "YYYY-MM-DD" for every reader, an instant as local
 * "YYYY-MM-DD HH:MM"; "-" for null. Returns buf (cap >= 32). */
char *out_when(const json_t *iso, char *buf, size_t cap);
/* The date part only, "YYYY-MM-DD", or "-". Returns buf (cap >= 32). */
char *out_day(const json_t *iso, char *buf, size_t cap);
/* 1 when the day of the ISO time iso (a calendar day, or an instant's
 * local date) has ended by now_ms: a follow-up due then is overdue. */
int out_overdue(const json_t *iso, uint64_t now_ms);
/* {cents, currency} as "4200.50 EUR"; "-" for null. Returns buf. */
char *out_amount(const json_t *amount, char *buf, size_t cap);
/* An array of amounts as "4,200.50 EUR, 10.00 USD"; "-" when empty. */
char *out_amounts(const json_t *arr, char *buf, size_t cap);

/* {count, value} of an account's referrals as "3 customers worth
 * 12,400.00 EUR" ("" when none). Returns buf. */
char *out_referrals(const json_t *refs, char *buf, size_t cap);

/* The same with the amount in currency first (the team's: what value ranks
 * in), the others after it. */
char *out_amounts_first(const json_t *arr, const char *first, char *buf, size_t cap);
/* An array of strings joined with ", "; "-" when empty. Returns buf. */
char *out_words(const json_t *arr, char *buf, size_t cap);
/* The first OUT_ID_SHORT characters of id ("-" for NULL). Returns buf. */
char *out_id_short(const char *id, char *buf, size_t cap);

/* Print s to f with control characters (C0, DEL, C1) and invalid UTF-8
 * made visible (\x1b, \u009b: rp_visible_dup), so text from peers or from
 * the user's own arguments can never drive the terminal. */
void out_puts_clean(FILE *f, const char *s);

/* printf to f through out_puts_clean (at most 2 KiB of output). */
void out_vclean(FILE *f, const char *fmt, va_list ap);
/* The same from arguments, and a newline. */
void out_vclean_line(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- progress (stderr, for long commands like sync) --------------------- */

/* 1 when a progress line may be drawn: stderr a TTY, not --json, NO_COLOR
 * unset, TERM not "dumb". */
int  out_progress_enabled(int json);
/* Redraw the progress line (no newline); a no-op unless enabled. */
void out_progress(int json, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erase the progress line, if one was drawn. */
void out_progress_end(void);

/* Abort with "rapport: out of memory" (exit 1): for the CLI's own small allocations. */
void out_oom(void) __attribute__((noreturn));

#endif
