/* node/crm/query.h — the reads of one account and of the lists: show, list,
 * members, history, status, digest (public API; the JSON shapes are in
 * node/rapport.h). Each returns a new json_t the caller json_decrefs. */
#ifndef RP_QUERY_H
#define RP_QUERY_H

#include "../rapport.h"

/* One account, as DESIGN.md §7 show --json: id, name, owner, fields, tags,
 * contacts, interactions, followups, value, conflicts, stats. */
int rp_account_show(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out);

/* The contacts of an account, by name: [{id, name, role, email, phone,
 * prefer}] (null for a field not set). */
int rp_contact_list(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out);

/* Which accounts a list holds. */
typedef struct rp_list_filter {
	const char *owner, *tag;   /* NULL: any */
	int         archived;      /* 0: the accounts in use, 1: the archived ones, -1: both */
	size_t      limit;         /* the first limit by name; 0: all */
} rp_list_filter;

/* Account summaries (id, name, owner, tags, archived, stats), sorted by
 * name, as f says (NULL: every account in use). RP_ENOTFOUND when the
 * owner is not a member. */
int rp_account_list(rp_node *n, const rp_list_filter *f, json_t **out);

/* The roster: members (name, role, devices). */
int rp_member_list(rp_node *n, json_t **out);

/* The signed audit trail of an account, oldest first: each entry has seq,
 * hlc, at, author (member), author_device, kind, op (ref), summary. */
int rp_history(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], json_t **out);

/* Team, device, member, counts, equivocations, refused ops. */
int rp_status(rp_node *n, json_t **out);

/* Hex BLAKE2b-256 of the canonical merged view, of one account or (acct
 * NULL) of everything. */
int rp_digest(rp_node *n, const uint8_t *acct, char hex[65]);

#endif
