/* node/store/summary.h — rp_summary: an account's summary, typed. The fold
 * (view.h) stores one beside each view, in the summaries table; lists,
 * queries, scope and purge read it through here, decoded once, and never
 * pick at its JSON. JSON is its stored form and the edge's (rp_summary_json:
 * `account list --json`), not something passed between modules.
 *
 * The stored form (canonical JSON, written by rp_view_summary):
 *   {id, name, owner, tags: [tag], archived, value: [{cents, currency}],
 *    stats: {last_contact, interactions, purchases, cadence_days,
 *            open_complaints, open_followups, next_due, contact_every, buys: [text],
 *            no_calls, referred_by: account id text|null, last_purchase,
 *            contact_gap_ms: the median gap between visits, ms, or null},
 *    followers: [member], owners_before: [member]}
 * name and owner are strings or null (a forgotten or purged account keeps
 * no name); times are ISO 8601 UTC text or null; cadence_days an integer or
 * null. A key that is absent reads as null, empty or 0 (homes written
 * before it existed); a key present with the wrong type makes the whole
 * summary unreadable (RP_EIO): it is never half read. */
#ifndef RP_SUMMARY_H
#define RP_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "store.h"
#include "../../proto/id.h"

#define RP_SUMMARY_CURRENCY_MAX 3        /* ISO 4217 codes; the fold keeps no other */

/* Lifetime value in one currency, in its minor units. */
typedef struct rp_summary_amount {
	int64_t cents;
	char    currency[RP_SUMMARY_CURRENCY_MAX + 1];
} rp_summary_amount;

/* A moment of the stats: its text as stored (NULL for null) and, when that
 * text parses (rp_when_parse_iso), its time. */
typedef struct rp_summary_time {
	const char *text;
	uint64_t    ms;
	int         valid;          /* text parsed: ms holds it */
} rp_summary_time;

/* Every pointer points into the one allocation that holds the summary:
 * all of it lives until rp_summary_free, and none of it into LMDB's pages,
 * so a summary outlives the txn it was read in. */
typedef struct rp_summary {
	char                     id[RP_ACCOUNT_TEXT + 1];   /* as stored: the account id's text */
	const char              *name;       /* NULL: forgotten or purged, no customer data left */
	const char              *owner;      /* NULL: none */
	int                      archived;
	const char *const       *tags;       /* sorted, ntags of them */
	size_t                   ntags;
	const char *const       *followers;  /* members following it, sorted */
	size_t                   nfollowers;
	const char *const       *owners_before;  /* members who owned it, once each, in handover order */
	size_t                   nowners_before;
	const rp_summary_amount *value;      /* by currency, nvalue of them */
	size_t                   nvalue;
	/* stats */
	rp_summary_time          last_contact, next_due;
	int64_t                  interactions, purchases, open_complaints, open_followups;
	int64_t                  cadence_days;   /* median days between purchases, when has_cadence */
	int                      has_cadence;
	int64_t                  contact_every;  /* days: the rhythm set (cadence field); 0 none */
	int                      no_calls;       /* consent = no: no suggested (marketing) calls */
	const char *const       *buys;           /* what it buys most: purchase texts, most frequent first */
	char                     referred_by[RP_ACCOUNT_TEXT + 1];   /* the account that brought it; "" none */
	rp_summary_time          last_purchase;
	int64_t                  contact_gap_ms; /* median gap between visits (a day apart), when has_contact_gap */
	int                      has_contact_gap;
	size_t                   nbuys;
} rp_summary;

/* Decode a stored summary (len bytes at bytes, which need not be
 * NUL-terminated and are not kept). On success *out is a new summary the
 * caller releases with rp_summary_free. Returns 0, RP_EIO (not a summary:
 * not JSON, not an object, a key of the wrong type, an id longer than an
 * account id's text, a currency code longer than RP_SUMMARY_CURRENCY_MAX,
 * a string with a NUL in it) or RP_ENOMEM. *out is NULL on failure. */
int  rp_summary_decode(const void *bytes, size_t len, rp_summary **out);
void rp_summary_free(rp_summary **s);       /* sets *s to NULL; NULL is fine */

/* The same, also handing the caller the JSON document it parsed (*doc,
 * caller json_decref; NULL on failure; doc may be NULL): the stored form
 * is a list row's form, so a list returns it as parsed rather than laying
 * the summary out again (rp_summary_json gives the same text, slower). */
int rp_summary_decode_doc(const void *bytes, size_t len, rp_summary **out, json_t **doc);

/* The stored summary of acct, decoded (caller rp_summary_free), and with
 * _doc its document as rp_summary_decode_doc. Returns 0, RP_ENOTFOUND
 * (none stored), RP_EIO or RP_ENOMEM. */
int rp_summary_load(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                    rp_summary **out);
int rp_summary_load_doc(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                        rp_summary **out, json_t **doc);

/* 1 if name is one of the n strings of list (tags, followers, owners_before). */
int rp_summary_has(const char *const *list, size_t n, const char *name);

/* 1 if member owns or follows the account. */
int rp_summary_held_by(const rp_summary *s, const char *member);

/* The lifetime value in currency alone, in its minor units (0 when none):
 * no figure adds two currencies. */
int64_t rp_summary_value_in(const rp_summary *s, const char *currency);

/* One of its lists (tags, followers, buys...) as a JSON array; NULL when
 * out of memory. */
json_t *rp_summary_list_json(const char *const *list, size_t n);

/* The summary as a new JSON document (caller json_decref), key for key the
 * stored form above: what the public API returns for a list row. NULL when
 * out of memory. */
json_t *rp_summary_json(const rp_summary *s);

/* The value alone, as the stored form has it: [{cents, currency}] (caller
 * json_decref; NULL when out of memory). */
json_t *rp_summary_value_json(const rp_summary *s);

/* For tests: when non-zero, the Nth allocation of each decode fails,
 * jansson's parse included (its allocations are watched: view.h), the
 * summary's own block last; the decode then returns RP_ENOMEM. */
extern long rp_summary_alloc_fail;

#endif
