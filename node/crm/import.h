/* node/crm/import.h — a file of another CRM's accounts in: csv or jsonl,
 * checked whole before anything is written (public API, node/rapport.h). */
#ifndef RP_IMPORT_H
#define RP_IMPORT_H

#include "../rapport.h"

/* How an import reads its file (all may be zero: the defaults). */
typedef struct rp_import_opts {
	int          dry_run;       /* plan and report, write nothing */
	const char **maps;          /* "COLUMN=FIELD": FIELD name, owner, tags, source_id, - (ignore) or a field */
	size_t       nmaps;
	const char **owner_maps;    /* "NAME=MEMBER": an owner as the file spells it → a member */
	size_t       nowner_maps;
} rp_import_opts;

/* Import a csv or jsonl file (format by content; a CSV's separator ',', ';'
 * or TAB by its header). The whole file is parsed and checked first; on any
 * error nothing is written and rp_errmsg names the line. An account whose
 * source_id (a foreign CRM's id column) or name matches one held here is
 * updated, not created again. opts may be NULL. *report (may be NULL):
 * accounts, created, updated, interactions, followups, contacts, dry_run,
 * columns [{column, to}] (to: name, owner, tags, source_id, ignored, a
 * field, or custom:FIELD), owners_unmapped {owner: accounts} (those
 * accounts are this device's member's). */
int rp_import(rp_node *n, const char *path, const rp_import_opts *opts, json_t **report);

/* JSONL files of this many bytes or more (default 8 MiB) are read a line at
 * a time, twice: checked whole first, then written in txns of 8 MiB of
 * ops, so memory stays bounded whatever the size. Tests lower it. */
extern size_t rp_import_stream_min, rp_import_chunk;

#endif
