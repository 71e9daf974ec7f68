/* node/store/tally.h — rp_tally: the running figures of an account's live
 * interactions and its follow-ups, what its stats (view.h) are computed
 * from. The fold builds one from every interaction and follow-up; a write
 * that only appends them adds them to the stored one instead (view.c), so
 * logging a call costs the same on an account with ten years of history as
 * on a new one. The stored form
 * (the tallies table, account → rp_tally_encode) is derived data like the
 * view: fsck compares it with the fold's, and a layout upgrade rebuilds it.
 *
 * Equal sets of interactions give equal tallies whatever the order they
 * were added in: every figure is a count, a sorted list, a per-key newest
 * entry, or a sum that rp_tally_add refuses to take once an order could
 * change it (a saturated sum; the caller folds afresh). */
#ifndef RP_TALLY_H
#define RP_TALLY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "store.h"
#include "../../proto/id.h"

/* What the customer buys, under the loose fold of its text: how often, and
 * its newest purchase (at, then id: the spelling shown). */
typedef struct rp_tally_buy {
	char    *key, *text;
	uint64_t n;
	int64_t  at;
	char     id[RP_REF_TEXT + 1];
} rp_tally_buy;

/* Purchases' amounts in one currency: their sum, and the sum of their
 * sizes (while that fits, no order of adding saturates the sum). */
typedef struct rp_tally_sum {
	char     cur[4];
	int64_t  cents;
	uint64_t size;
	int      saturated;
} rp_tally_sum;

/* A follow-up: when it is due (ms), its id, whether it is open. */
typedef struct rp_tally_fu {
	int64_t due;
	char    id[RP_REF_TEXT + 1];
	int     open;
} rp_tally_fu;

typedef struct rp_tally {
	uint8_t       last_key[RP_ACCT_KEY_LEN];  /* acct_ops key of the last op folded */
	uint64_t      live, open_complaints;
	int64_t      *contacts;                   /* live interactions but notes: times as shown
	                                           * (to the second), ascending */
	size_t        ncontacts, ccap;
	int64_t      *purchases;                  /* live purchases: times, ascending */
	size_t        npurchases, pcap;
	rp_tally_sum *sums;                       /* by currency */
	size_t        nsums;
	rp_tally_buy *buys;                       /* by key */
	size_t        nbuys, bcap;
	rp_tally_fu  *fus;                        /* every follow-up, in the view's order (due, id) */
	size_t        nfus, fcap;
	char        (*orphans)[RP_REF_TEXT + 1];  /* interactions and follow-ups a change named
	                                           * that the fold had not */
	size_t        norphans;
	int           nomem;
} rp_tally;

/* Add a live interaction of the view (its JSON: type, text, amount,
 * resolved, id) at time at (ms). Returns 0, RP_ENOMEM, or RP_ELIMIT: it
 * was added, but a sum of its currency now depends on the order of adding
 * (saturated, as the fold saturates it): a tally only the fold may extend. */
int rp_tally_add(rp_tally *t, const json_t *ix, int64_t at);

/* A follow-up of the view, due at due (ms): *pos (may be NULL) gets its
 * place in the view's follow-ups. Returns 0 or RP_ENOMEM. */
int rp_tally_add_fu(rp_tally *t, int64_t due, const char *id, int open, size_t *pos);

/* Note that a change (amend, retract, resolve; done, move, cancel) named
 * interaction or follow-up id and found none: one of that id arriving
 * later needs a refold. */
int rp_tally_orphan(rp_tally *t, const char *id);
int rp_tally_is_orphan(const rp_tally *t, const char *id);

/* Set the figures of stats (last_contact, interactions, purchases,
 * cadence_days, open_complaints, open_followups, next_due, buys,
 * last_purchase, contact_gap_ms;
 * existing keys keep their place) and return the view's value array
 * ([{cents, currency}] by currency; a new reference), or NULL when out of
 * memory. */
json_t *rp_tally_stats(const rp_tally *t, json_t *stats);

/* The stored form (malloc'd, *len bytes) and back. Decode returns 0,
 * RP_ENOMEM, or RP_EIO (not one: the caller folds afresh). */
uint8_t *rp_tally_encode(const rp_tally *t, size_t *len);
int      rp_tally_decode(rp_tally *t, const uint8_t *p, size_t n);

void rp_tally_free(rp_tally *t);

#endif
