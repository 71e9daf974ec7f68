/* node/rapport.h — the one public API of the rapport node (librapport.a).
 * cli/ includes this header and nothing else of node/; nothing here prints to
 * a terminal or exits. Results that are data come back as jansson documents
 * (json_t, caller releases with json_decref) so the CLI can print them as
 * tables or as --json without knowing how they are stored.
 *
 * It declares what node.c (home, open, the write), edit.c (the writes) and
 * sync/peer.c implement, and includes the header of each other file of the
 * API: correct.h, team.h, campaign.h, handover.h, fsck.h, backup.h, load.h, crm/{lookup,query,agenda,insight,export,
 * import}.h, sync/{client,serve}.h.
 *
 * Errors: every int-returning call returns 0 or a negative RP_E* code
 * (proto/error.h, rp_strerror). On failure rp_errmsg() holds a one-line
 * message naming the input at fault, e.g. "no account matches 'blum'". */
#ifndef RAPPORT_H
#define RAPPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "../proto/error.h"
#include "../proto/id.h"
#include "text/when.h"
#include "text/amount.h"
#include "text/visible.h"

#define RAPPORT_VERSION "0.1.0"

typedef struct rp_node  rp_node;
typedef struct rp_write rp_write;

/* The detail of the last failure of an rp_* call in this thread; "" if none.
 * Valid until the next rp_* call. */
const char *rp_errmsg(void);

/* ---- home, init, open ---------------------------------------------------- */

/* The default home: $RAPPORT_HOME, else $XDG_DATA_HOME/rapport, else
 * $HOME/.local/share/rapport. Writes into buf (cap bytes). Returns 0 or RP_EINVAL. */
int rp_home_default(char *buf, size_t cap);

/* Create home (0700) and this device's key (device.key, 0600, O_EXCL).
 * With team != NULL, also start a new team: a genesis op makes member the
 * first admin. Without it the device waits to be added to a team (member is
 * remembered as the name it will go by). now_ms is the wall clock.
 * Returns 0, RP_EEXIST (home already holds a key), RP_EINVAL (bad name), RP_EIO. */
int rp_init(const char *home, const char *member, const char *team, uint64_t now_ms);

/* Open the node in home. The node owns the store and the device key until
 * rp_node_close. Returns 0, RP_ENOKEY (no key: not initialised), RP_EIO,
 * RP_EVERSION. */
int  rp_node_open(const char *home, rp_node **out);
/* The same, with fn (may be NULL) told how far the rebuild of views and
 * indexes is that opening a store may need first (one an older rapport
 * wrote, or a sync killed mid-way left): accounts done of about total, once
 * before the first and after each thousand; upgrade is 1 when it is an
 * older store's upgrade. */
typedef void (*rp_open_progress_fn)(void *arg, int upgrade, uint64_t done, uint64_t total);
int  rp_node_open_progress(const char *home, rp_open_progress_fn fn, void *arg, rp_node **out);
void rp_node_close(rp_node **n);          /* sets *n to NULL; NULL is fine */

/* The wall clock the node uses for new ops and "today" (ms since the epoch).
 * Defaults to the real clock; the CLI sets it from RAPPORT_NOW. */
void     rp_node_set_now(rp_node *n, uint64_t now_ms);
uint64_t rp_node_now(const rp_node *n);

/* keep != 0: this device never purges accounts its member lost (purge
 * otherwise follows a sync with a hub, manager or admin; rep devices only). */
void rp_node_set_keep(rp_node *n, int keep);

/* scan != 0: answer the daily questions (agenda, top, at-risk, find,
 * complaints, account list) by reading every account instead of the
 * indexes: the reference the tests hold the indexes to (RAPPORT_SCAN=1
 * in the CLI). Same answers, slower. */
void rp_node_set_scan(rp_node *n, int scan);

/* This device's id as text (RP_DEVICE_TEXT chars + NUL). */
void rp_node_device_text(const rp_node *n, char out[RP_DEVICE_TEXT + 1]);

/* The member this device belongs to, into out (cap bytes). RP_ENOTEAM when
 * the device is not in a team's roster yet. */
int rp_node_member(rp_node *n, char *out, size_t cap);

/* The enumerations every node checks on arrival (node/store/schema.h), NULL-
 * terminated: how a contact prefers to be reached, the interaction types. */
extern const char *const rp_schema_prefer[];     /* call email visit sms none */
extern const char *const rp_schema_ix_types[];   /* call email visit meeting note purchase ... */

/* ---- writes ---------------------------------------------------------------
 * Every write happens inside one rp_write: its ops, their indexes and the
 * views they change commit together or not at all. Every writing call
 * returns RP_ENOTEAM when the device is not in a team yet. */

int  rp_write_begin(rp_node *n, rp_write **w);
/* Durable on return 0. Success or not, the write is released and *w set
 * to NULL. Reads (rp_account_find, rp_*_list, ...) may be called while a
 * write is open; they see the state before it. */
int  rp_write_commit(rp_write **w);
void rp_write_abort(rp_write **w);       /* *w set to NULL; NULL is fine */

/* acct.create: name and owner in one op. owner NULL means this device's
 * member. Names are unique (case-insensitive): RP_EEXIST names the account
 * that has it. acct_out receives the new account id. */
int rp_account_add(rp_write *w, const char *name, const char *owner,
                   uint8_t acct_out[RP_ACCOUNT_LEN]);

/* acct.set: value NULL clears the field. Field "prefer" accepts only
 * call|email|visit|sms|none; "name" renames. RP_EINVAL names the culprit. */
int rp_account_set(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
                   const char *field, const char *value);

/* acct.tag: add tag, or (remove != 0) remove every add of tag observed here.
 * Removing a tag the account does not carry is RP_ENOTFOUND. */
int rp_account_tag(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
                   const char *tag, int remove);

/* contact.add; its id (ref) is written to ref_out. role/email/phone/prefer
 * may be NULL. */
int rp_contact_add(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
                   const char *name, const char *role, const char *email,
                   const char *phone, const char *prefer,
                   uint8_t ref_out[RP_REF_LEN]);

/* An interaction to log. type: call|email|visit|meeting|note|purchase|
 * complaint|gift|feedback. at_ms 0 means now. contact/outcome may be NULL. */
typedef struct rp_ix_spec {
	const char *type;
	uint64_t    at_ms;
	const char *text;
	const char *contact;
	int         has_amount;
	int64_t     cents;        /* in the currency's minor units (JPY 1, EUR 0.01) */
	const char *amount;       /* or the amount as typed ("1,234.50"), checked against
	                           * the currency's decimals; NULL: cents */
	const char *currency;     /* an ISO 4217 code; NULL = the team's currency */
	const char *outcome;
	const char *by;           /* who did it, when not who logs it: an import's original author (or NULL) */
} rp_ix_spec;

int rp_ix_log(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
              const rp_ix_spec *ix, uint8_t ref_out[RP_REF_LEN]);

/* fu.add: assignee NULL means unassigned (the owner's). */
int rp_fu_add(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *text,
              uint64_t due_ms, const char *assignee, uint8_t ref_out[RP_REF_LEN]);

/* fu.done for a follow-up ref; text may be NULL. RP_EEXIST if already done. */
int rp_fu_done(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *text);

/* complaint.resolve for a complaint interaction ref. */
int rp_complaint_resolve(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *text);

/* redact: erase the personal data of an account (every op of it) or of one
 * contact (its contact.* ops) on every node. */
int rp_forget(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN],
              const uint8_t *contact_ref /* NULL = whole account */,
              const char *reason);

/* member.add (if name is new) and device.add. role: admin|manager|rep|hub;
 * NULL means rep. Only an admin's device may do this (RP_EDENIED). */
int rp_member_add(rp_write *w, const char *name,
                  const uint8_t device[RP_DEVICE_LEN], const char *role);

/* ---- fixing mistakes: retract, amend, move, cancel, archive -------------- */
#include "correct.h"

/* ---- the team's settings: currency, calls a workday, keep ---------------- */
#include "team.h"

/* ---- campaigns: one follow-up on each of the top N, a few a workday ----- */
#include "campaign.h"

/* ---- handover and revocation: handover.h -------------------------------- */
#include "handover.h"

/* ---- resolving what the user typed --------------------------------------- */

#include "crm/lookup.h"

/* ---- reads (each returns a new json_t the caller must json_decref) --------
 *
 * Every read that returns 0 sets *out to a non-NULL document.
 * The shapes are stable (show --json and export jsonl print them as they are).
 * Times are ISO 8601 UTC strings ("2026-03-01T09:30:00Z") or null; amounts are
 * {"cents": 420050, "currency": "EUR"}; ids are base32 text.
 *
 * account (rp_account_show):
 *   {id, name, owner, previous_owners: [{member, at, note}], archived,
 *    fields: {email: "...", ...}, tags: ["retail"],
 *    contacts: [{id, name, role, email, phone, prefer}],
 *    interactions (newest first): [{id, type, at, text, author, author_device,
 *      contact, amount|null, outcome, retracted, resolved, resolution}],
 *    followups (by due): [{id, text, due, done, done_text, cancelled, assignee, author}],
 *    value: [{cents, currency}],
 *    stats: {last_contact, interactions, purchases, cadence_days|null,
 *            open_complaints, open_followups, next_due},
 *    conflicts: [{kind, detail, ...}], followers: [member], handover_note, ops}
 *   (interactions and follow-ups also carry author_device)
 * summary (list rows): {id, name, owner, tags, archived, value, stats, followers}
 * member: {name, role, devices: [{id, revoked}]}
 * history row: {seq, hlc, at, author, author_device, kind, op, summary, verified}
 * agenda row: {kind: "followup"|"complaint"|"cadence"|"call", day (YYYY-MM-DD,
 *              the day planned), account_id, account, id|null (the follow-up's or
 *              the complaint's), text, due|null, reason, phone|null, email|null,
 *              prefer|null, last_contact}
 * top row: {rank, id, name, owner, value, currency (the team's, which
 *           score and the value ranking are in), last_contact, interactions, score,
 *           buys: [what it buys most, up to 3 purchase texts]}
 * at-risk row: {id, name, owner, reason, last_contact, cadence_days, days_since}
 * find row: {type: "account"|"contact"|"interaction", id, account_id, account, text}
 * complaint row: {id, account_id, account, at, text, resolved, resolution}
 * status: {version, home, device, member, role, team: {id, name}|null,
 *          ops, accounts, members, equivocations, refused, pending, stale_views,
 *          clock_skew: [{device, member, ahead_ms}], purged: [{device, member,
 *          account_id, account, owner, ops, at}], keep: "device"|"team"|null}
 * Lists (list, members, history, agenda, top, at-risk, find, complaints) are
 * json arrays of rows. */

#include "crm/query.h"     /* show, list, members, history, status, digest */
#include "crm/agenda.h"    /* who to call, today and the days ahead */
#include "crm/insight.h"   /* top, at-risk, find, complaints */
#include "fsck.h"          /* the store checked against its log */

/* ---- exchange with files ------------------------------------------------- */

#include "crm/export.h"
#include "crm/import.h"
#include "load.h"          /* the import verb */
#include "backup.h"

/* ---- peers and sync --------------------------------------------------------
 * Sync runs over ZeroMQ with CURVE: keys derived from the device keys, the
 * server's id pinned by the client, and a ZAP handler on the server that
 * admits only devices of its roster. A sync is both directions and resumes
 * where the last one stopped. */

/* Name a peer: endpoint tcp://HOST:PORT and its device id (pinned). Giving
 * a name again moves it. RP_EINVAL names a bad argument. */
int rp_peer_add(rp_node *n, const char *name, const char *endpoint,
                const uint8_t device[RP_DEVICE_LEN]);

/* Forget the peer called name: it is dialled no more (a running daemon
 * lets go of it within seconds); what was synced with it stays, and it is
 * listed as a device that synced with us. RP_ENOTFOUND names it. */
int rp_peer_remove(rp_node *n, const char *name);

/* [{name, endpoint, device, member, revoked, cursor, last_sync, last_sent,
 *   last_received, last_result, daemon}] (name/endpoint null for peers that synced with
 * us; daemon: what the daemon serving this home says of its syncs with
 * the peer, {state: syncing|ok|retrying, retry_at, retry_in_s, failures,
 * last}, or null when no daemon serves the home). */
int rp_peer_list(rp_node *n, json_t **out);

#include "sync/client.h"   /* one sync */
#include "sync/serve.h"    /* the daemon */

#endif
