/* node/crm/export.h — every account out to a file: jsonl, csv, vcard
 * (public API, node/rapport.h). */
#ifndef RP_EXPORT_H
#define RP_EXPORT_H

#include "../rapport.h"

/* What an export writes (all may be zero: every account, no BOM). */
typedef struct rp_export_opts {
	const char *what;     /* accounts (NULL), interactions or contacts: one entry a line/row */
	const char *tag;      /* only the accounts with this tag (ignoring case) */
	int         bom;      /* csv: a UTF-8 BOM first, so Excel reads it as UTF-8 */
} rp_export_opts;

/* Write every account to out: "jsonl" (one show --json document a line),
 * "csv" (one account a row, RFC 4180, formula-neutralised), "vcard" (4.0).
 * --what interactions|contacts: one entry a line (jsonl) or row (csv),
 * with its account's name and id, an amount as a decimal with its
 * currency in a column of its own. opts may be NULL. */
int rp_export(rp_node *n, const char *format, const rp_export_opts *opts, FILE *out);

#endif
