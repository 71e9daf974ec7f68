/* node/text/amount.h — money as integer minor units of its currency:
 * "4200.50" EUR <-> 420050, "1000" JPY <-> 1000, "1.250" BHD <-> 1250.
 * Pure. Never floating point: a sum of minor units is exact. The body field
 * that holds them is called "cents" (DESIGN.md §3); it means minor units. */
#ifndef RP_AMOUNT_H
#define RP_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

#define RP_MINOR_MAX 4        /* the most decimals an ISO 4217 currency has (CLF, UYW) */

/* The minor units (decimals) of an active ISO 4217 currency code: 0 (JPY),
 * 2 (EUR), 3 (BHD), 4 (CLF); -1 for a text that is not one (funds and
 * metals without minor units, withdrawn codes, "eur", "EURO"). */
int rp_currency_minor(const char *code);

/* 1 if text is an active ISO 4217 code (rp_currency_minor >= 0). */
int rp_currency_ok(const char *text);

/* The decimals to print units of code in: its minor units, or 2 for a code
 * this table does not know (a peer may name one). */
int rp_currency_decimals(const char *code);

/* Parse "12", "12.5", "12.50", "-3.20", "1,234.50" (comma grouping only
 * between groups of three) into units of a currency with minor decimals:
 * at most minor digits after the point; |value| < 10^15 whole units.
 * Returns 0 or RP_EINVAL. */
int rp_amount_parse(const char *text, int minor, int64_t *units);

/* Plain, for files and JSON: "4200.50", "-0.05", "1000" (minor 0). cap >= 32. */
char *rp_amount_format(int64_t units, int minor, char *out, size_t cap);

/* For people: grouped, with its code: "1,234,897.79 EUR", "1,000 JPY".
 * cap >= 40. Returns out. */
char *rp_money_format(int64_t units, const char *code, char *out, size_t cap);

#endif
