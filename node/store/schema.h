/* node/store/schema.h — what an op's body may hold, kind by kind, checked on
 * ingest on every node (not only by the CLI that wrote it): an op that
 * breaks a rule is refused on arrival, never stored, so nothing a peer
 * writes can be invisible in one view and present in another.
 *
 * Every string anywhere in a body (keys and values) is valid UTF-8 with no
 * control character: no C0 (U+0000-U+001F), no DEL, no C1 (U+0080-U+009F).
 * Keys are one line. Free texts may hold newline and tab (and so may the
 * values of keys a newer rapport adds, whose meaning we cannot know): interaction text and outcome,
 * follow-up and resolution texts, notes, notes and address values,
 * handover notes, retract and redact reasons. Unknown kinds (from newer
 * versions) get the string rule only, with free-text allowance.
 *
 *   kind              fields (R required, O optional)
 *   team.genesis      member R member name; team O name
 *   member.add/role   name R member name; role R admin|manager|rep|hub
 *   device.add        member R member name; device R bin32
 *   member.revoke     name R member name; cutoffs R [bin40 ...] (<= RP_REVOKE_CUTOFFS_MAX);
 *                     device_only O bool (one lost device: the member stays)
 *   team.set          key R keep|currency|calls|holidays; value R bool (keep), 3
 *                     capital letters (currency), int 0..RP_TEAM_CALLS_MAX (calls),
 *                     [day number ...] (<= RP_TEAM_HOLIDAYS_MAX; holidays)
 *   acct.create       name R line (1..RP_NAME_MAX); owner O member name
 *   acct.set          field R [a-z0-9_-]{1,RP_FIELD_MAX}; value R str|nil
 *                     (name: a name, never nil; prefer: call|email|visit|sms|none;
 *                     notes, address: free text; others: line)
 *   acct.tag          add O name and/or remove O [bin40 ...]: at least one
 * Optional strings may be nil (absent); optional ids may not.
 *   acct.assign       to R member name; prev O bin40; note O free text
 *   acct.follow       member R member name; follow R bool
 *   acct.archive      archived R bool
 *   contact.add       name R line; role, email, phone O line; prefer O enum
 *   contact.set       contact R bin40; field R as acct.set; value R str|nil
 *   ix.log            type R call|email|visit|meeting|note|purchase|complaint|
 *                     gift|feedback; at O int >= 0; text O free text;
 *                     contact O line; outcome O free text;
 *                     amount O {cents int (|cents| <= RP_CENTS_MAX), currency [A-Z]{3}}
 *   ix.amend          ix R bin40; field R line; value R str|nil, or by field
 *                     (type: enum; at: int >= 0; amount: amount|nil;
 *                     text, outcome: free text)
 *   ix.retract        ix R bin40; reason O free text
 *   complaint.resolve ix R bin40; text O free text
 *   fu.add            text R free text; due R int >= 0; assignee O member name;
 *                     campaign O name (the id of the campaign it is part of)
 *   fu.done           fu R bin40; text O free text
 *   fu.move           fu R bin40; due R int >= 0
 *   fu.cancel         fu R bin40
 *   redact            ops R [bin40 ...] (<= RP_REDACT_MAX); reason O free text
 *   purge.receipt     account R bin16; ops O int
 *
 * Roster kinds and purge.receipt are team scope (all-zero account); redact
 * names the account of its targets, or none; every other known kind is
 * about one account and needs a non-zero one. */
#ifndef RP_SCHEMA_H
#define RP_SCHEMA_H

#include <stddef.h>
#include "../../proto/body.h"
#include "../rapport.h"
#include "../../proto/op.h"

/* The enumerations (rp_schema_prefer, rp_schema_ix_types) are declared in
 * rapport.h: the CLI checks its arguments against the same lists. */

/* 1 if s (n bytes) is valid UTF-8 without C0, DEL or C1 control
 * characters; newline and tab are allowed when multiline. */
int rp_schema_text_ok(const char *s, size_t n, int multiline);

/* 1 if p (n bytes) is a field name of acct.set / contact.set:
 * [a-z0-9_-]{1,RP_FIELD_MAX}, with single dots inside for the parts of
 * one field ("address.city", as imports from other CRMs bring them). */
int rp_schema_field_ok(const char *p, size_t n);

/* Check the body (parsed; op->body NULL means redacted: always fine) of op
 * against the table above. Returns 0 or RP_EFORMAT; *why (may be NULL)
 * receives a static phrase naming the rule broken. */
int rp_schema_check(const rp_op *op, const rp_body *body, const char **why);

/* The phrase of the last refusal by rp_schema_check in this thread, or NULL
 * when its last check passed: for the message of a local write refused on
 * ingest. */
const char *rp_schema_why(void);

#endif
