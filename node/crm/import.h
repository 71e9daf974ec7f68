/* node/crm/import.h — a file of another CRM's accounts in: csv or jsonl,
 * read into a plan and checked whole before anything is written. The plan
 * is written, account by account, by a sink the caller gives: node/load.c,
 * the import verb (rp_import, public API), writes it through the edit
 * verbs, which stand above node/crm. */
#ifndef RP_IMPORT_H
#define RP_IMPORT_H

#include <stddef.h>

/* How an import reads its file (all may be zero: the defaults). */
typedef struct rp_import_opts {
	int          dry_run;       /* plan and report, write nothing */
	const char **maps;          /* "COLUMN=FIELD": FIELD name, owner, tags, source_id, - (ignore) or a field */
	size_t       nmaps;
	const char **owner_maps;    /* "NAME=MEMBER": an owner as the file spells it → a member */
	size_t       nowner_maps;
} rp_import_opts;

/* (after the options: rapport.h includes load.h, which takes them) */
#include "../rapport.h"

/* One account of the plan, as the file gave it (all in the plan's memory,
 * valid while the sink runs). */
typedef struct rp_plan_field {
	const char *key, *value;
} rp_plan_field;

typedef struct rp_plan_contact {
	size_t      index;                /* in the file's "contacts", for messages */
	const char *name, *role, *email, *phone, *prefer;
} rp_plan_contact;

typedef struct rp_plan_ix {
	size_t      index;
	rp_ix_spec  spec;
	const char *resolution;           /* resolve the complaint with it, or NULL */
	uint8_t     ref[RP_REF_LEN];
} rp_plan_ix;

typedef struct rp_plan_fu {
	size_t      index;
	const char *text, *assignee;
	uint64_t    due;
	int         done;
	const char *done_text;
	uint8_t     ref[RP_REF_LEN];
} rp_plan_fu;

typedef struct rp_plan_acct {
	size_t      line;
	const char *name, *owner;         /* owner: a member, or NULL for this device's */
	int         exists;               /* update the account of that name; else a new one,
	                                   * its id drawn by the planner */
	uint8_t     id[RP_ACCOUNT_LEN];
	rp_plan_field    *fields;
	const char **tags;
	rp_plan_contact  *contacts;
	rp_plan_ix       *ixs;
	rp_plan_fu       *fus;
	size_t      nfields, ntags, ncontacts, nixs, nfus;
} rp_plan_acct;

/* Write account a of the plan in w: create it (a->exists 0, with the id
 * a->id) or update it, then its fields, tags, contacts, interactions
 * (their ref set on return) and follow-ups. path names the file in
 * errors. Returns 0 or the RP_E* of the write, with rp_errmsg naming the
 * line and entry at fault. */
typedef int (*rp_plan_sink)(void *arg, rp_write *w, const char *path, rp_plan_acct *a);

/* Plan the file at path and (unless opts->dry_run) write each account of
 * the plan through sink, in one write or, streamed, in chunks: rp_import
 * (node/load.h) says what it does. Returns as rp_import. */
int rp_import_run(rp_node *n, const char *path, const rp_import_opts *opts, rp_plan_sink sink,
                  void *sink_arg, json_t **report);

/* JSONL files of this many bytes or more (default 8 MiB) are read a line at
 * a time: checked whole and planned first (the plans spilled to a scratch
 * file, spill.h), then written from the spill, in account id order, in
 * txns of 8 MiB of ops, so memory stays bounded whatever the size. Tests
 * lower both. */
extern size_t rp_import_stream_min, rp_import_chunk;

#endif
