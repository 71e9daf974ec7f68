/* node/store/view.h — CRDT views of accounts: a pure fold of an account's ops.
 * The ops are read in (hlc, author, seq) order from acct_ops and folded with
 * last-writer-wins registers, an observed-remove tag set and grow-only sets
 * with tombstones, so any order of arrival gives the same view. Views are
 * stored as canonical JSON (sorted keys, compact): equal op sets give equal
 * bytes, which is what `rapport digest` hashes. */
#ifndef RP_VIEW_H
#define RP_VIEW_H

/* The layout of the views and summaries this rapport writes; a store
 * whose views are older has them all rebuilt on open (node.c). 2: stats
 * gained buys, contact_every, no_calls, referred_by; follow-ups campaign;
 * interactions retraction. 3: the indexes of index.h. 4: their at-risk
 * entries hold the row (rp_index_risk). 5: a 'D' entry per follow-up, and
 * the accounts' cards ('K', also at the end of D P C V L values). 6: a
 * card's last contact says whether there is one. 7: acct_ix keeps a hash
 * of each entry's value, not the value. 8: an at-risk entry holds its last
 * contact as a time, not as text. 9: a view is stored as its head (views,
 * "interactions": []), its interactions one by one (items) and their
 * figures (tallies, tally.h); stats gained last_purchase and
 * contact_gap_ms. */
#define RP_VIEW_LAYOUT 9

#include <jansson.h>
#include "store.h"
#include "../../proto/id.h"

/* Fold the account's ops into a new view (caller json_decref). When
 * tag_adds is not NULL it receives {tag: [op id hex, ...]} of the adds still
 * present (what a tag remove must observe). Returns 0, RP_ENOTFOUND (no ops
 * for the account), RP_ENOMEM, RP_EIO. */
int rp_view_build(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                  json_t **view, json_t **tag_adds);

/* Rebuild the account's view and store it with its summary and indexes
 * (or drop them when no op of it is left). Returns 0, RP_ENOMEM, RP_EIO,
 * or an LMDB code (MDB_MAP_FULL: see rp_store_run). The view is stored
 * in parts (RP_VIEW_LAYOUT 9): rp_view_load puts them together. */
int rp_view_refresh(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN]);

/* Route jansson's allocations through the fold's watch (once per process;
 * rp_node_open does it while the process has one thread, and every fold
 * makes sure). */
void rp_view_watch_alloc(void);

/* For tests: when non-zero, the Nth allocation of each fold fails (the
 * fold then returns RP_ENOMEM and nothing of it is stored). */
extern long rp_view_alloc_fail;

/* How many times this process folded new ops into a stored view rather
 * than refolding (tests: the cheap path is taken). */
extern unsigned long rp_view_appends;

/* A watched section of this thread, as a fold is one (a summary's decode
 * is another): jansson tells nobody that it ran out of memory (a parse
 * that could not allocate fails as bad syntax), so from
 * rp_view_watch_begin its allocations on this thread are counted and the
 * fail_at-th of them fails (0: none; tests set it); rp_view_watch_end
 * gives how many were made (count may be NULL) and returns 1 if any of
 * them failed, else 0. Sections do not nest, nor run inside a fold. */
void rp_view_watch_begin(long fail_at);
int  rp_view_watch_end(long *count);

/* The same for n accounts, their folds on two threads (proto/work.h): the
 * ops are read and the views stored on this thread, 256 accounts at a
 * time. refold (NULL: all) says, per account, whether its log may have
 * changed anywhere (rp_dirty's refold); where not, the ops after the last
 * its stored view counts are all that is new, and when they only log
 * interactions or add follow-ups they are folded into the stored view (its
 * tally, its new items and follow-ups, its index entries) at the cost of
 * the new ops alone, not of the account's history. Anything else (a field
 * set, a retraction, an amend, a follow-up done, a redaction, an op that
 * sorts before the last) is a refold. */
int rp_view_refresh_many(rp_store *st, MDB_txn *txn, const uint8_t (*accts)[RP_ACCOUNT_LEN],
                         const uint8_t *refold, size_t n);

/* fsck: 1 when the stored view of acct (its head, items and tally) is not
 * the fold of its log, 0 when it is, or an RP_E* code; *view gets the
 * fold's view either way (caller json_decref; NULL on error). */
int rp_view_differs(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], json_t **view);

/* The hash of acct's stored view (its head, then each item, each framed
 * by its length): what `rapport digest` adds up. 0 or RP_ENOTFOUND. */
int rp_view_digest(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], uint8_t out[32]);

/* Rebuild the views a sync marked stale (interrupted or complete), a
 * thousand accounts per txn, growing the map when it fills; *rebuilt (may
 * be NULL) gets how many. Returns 0, RP_ENOSPC or RP_EIO. */
int rp_view_refresh_stale(rp_store *st, uint64_t *rebuilt);

/* The same, telling fn how far it is (accounts rebuilt of about total):
 * once before the first, then after each thousand. */
typedef void (*rp_view_progress_fn)(void *arg, uint64_t done, uint64_t total);
int rp_view_refresh_stale_progress(rp_store *st, uint64_t *rebuilt, rp_view_progress_fn fn, void *arg);

/* Mark every account with a view stale, in txn: the next
 * rp_view_refresh_stale rebuilds them all (a layout upgrade). */
int rp_view_mark_all_stale(rp_store *st, MDB_txn *txn);

/* The stored view or summary of an account as JSON (caller json_decref).
 * Returns 0 or RP_ENOTFOUND. Readers of a summary want rp_summary_load
 * (summary.h): typed, its shape checked once. */
int rp_view_load(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], json_t **view);
int rp_view_load_summary(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                         json_t **summary);

/* The canonical text of a view (malloc'd, caller frees). */
char *rp_view_text(const json_t *view);

/* The summary of a view, in the stored form summary.h describes: id, name,
 * owner, tags, archived, value, stats, followers, owners_before. */
json_t *rp_view_summary(const json_t *view);

/* The entry of the view's list (interactions, followups, contacts) made by
 * the op ref names, or NULL (erased, or not of that list). Borrowed from view. */
json_t *rp_view_item(const json_t *view, const char *list, const uint8_t ref[RP_REF_LEN]);

/* An entry of the names or owners index (text ‖ 0 ‖ account; names are
 * case-folded, in name order): its account and the length of its text,
 * both pointing into key. Returns 0, or -1 for a malformed key. */
int rp_view_index_entry(const MDB_val *key, const uint8_t **acct, size_t *textlen);

#endif
