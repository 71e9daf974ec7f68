/* node/text/amount.h — money as integer cents: "4200.50" <-> 420050. Pure.
 * Never floating point: a sum of cents is exact. */
#ifndef RP_AMOUNT_H
#define RP_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

/* Parse "12", "12.5", "12.50", "-3.20", "1,234.50" (comma grouping only
 * between groups of three) into cents. At most 2 decimals; |value| < 10^15.
 * Returns 0 or RP_EINVAL. */
int rp_amount_parse(const char *text, int64_t *cents);

/* "4200.50", "-0.05". Returns out. cap >= 24. */
char *rp_amount_format(int64_t cents, char *out, size_t cap);

/* 1 if text is a currency code: exactly 3 ASCII upper-case letters. */
int rp_currency_ok(const char *text);

#endif
