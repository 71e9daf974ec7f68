/* node/load.h — the import verb: a file of another CRM's accounts planned by
 * node/crm/import.h and written through the edit verbs (public API,
 * node/rapport.h). */
#ifndef RP_LOAD_H
#define RP_LOAD_H

#include "rapport.h"

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


#endif
