/* node/store/index.h — the indexes the daily questions read: entries
 * derived from an account's view, in one table (ix), written in the txn
 * that stores the view, so they never fall out of step with it (fsck
 * rebuilds them and compares). Each account's own entries are kept with it
 * too (acct_ix: account → its entries' keys and a hash of each value,
 * packed), so that storing a view writes only the entries that changed.
 *
 * Every key is kind (1 byte) ‖ body ‖ account (16). Numbers are big-endian;
 * a day is days since 1970 in UTC plus RP_INDEX_DAY_BIAS (a reader's local
 * day is within one of it). Only accounts with a name are indexed (a
 * forgotten account is nobody's to call or rank); "live": not archived.
 *
 *  'V' currency (3) ‖ ~units (8)        live accounts worth units > 0 in it, most first → card
 *  'L' last contact ms (8; 0: never)    live accounts, least recently contacted first → card
 *  'D' due ms (8) ‖ ref (16)            live accounts' open follow-ups, soonest first
 *                                       → its due, assignee and text (rp_index_followup) ‖ card
 *  'C' day (8)                          live accounts with a cadence, by the day it falls due
 *                                       → card
 *  'R' day (8)                          live accounts that may be at risk from that day on
 *                                       → the figures, last contact and names of its row
 *                                       (rp_index_risk)
 *  'P' ~at ms (8) ‖ ref (16)            open complaints (archived accounts' too), newest
 *                                       first → at text, text (rp_index_complaint) ‖ card
 *  'T' tag ‖ 0 ‖ folded name ‖ 0        accounts by tag, in name order
 *  'O' owner ‖ 0 ‖ folded name ‖ 0      accounts by owner, in name order
 *  'A' folded name ‖ 0                  archived accounts, in name order
 *  'W' word ‖ 0                         the words of a name, its fields and tags, its
 *                                       contacts and live interactions (rp_index_words)
 *  'N' loosely folded name ‖ 0          names, accents and case aside (uniqueness)
 *  'K' (nothing)                        every account's card: what an agenda row says of
 *                                       it (rp_index_card)
 *
 * 'C' and 'R' days are early by RP_INDEX_DAY_SLACK: the reader walks up to
 * its day and checks each account exactly, so a reader's time zone never
 * hides one. */
#ifndef RP_INDEX_H
#define RP_INDEX_H

#include <jansson.h>
#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define RP_INDEX_DAY_BIAS  (1LL << 40)
#define RP_INDEX_DAY_SLACK 2
#define RP_INDEX_DAY_MS    86400000LL
#define RP_INDEX_TOKEN_LEN 8    /* ix_due's value: which deferring change marked it (words.h) */

/* An account's entries, built off the store (on a fold's thread). */
typedef struct rp_index_set rp_index_set;

/* The entries of the account acct whose view is view. Returns NULL when
 * out of memory. */
rp_index_set *rp_index_build(const json_t *view, const uint8_t acct[RP_ACCOUNT_LEN]);

/* The same for a view whose interactions are only its new ones (view.c
 * folding new interactions into a stored view): the interactions' 'P' and
 * 'W' entries are those stored for acct (the 'P' ones with the new card)
 * and those of the new ones. NULL when out of memory, or when the stored
 * entries cannot serve (damaged, or its words deferred: words.h): the
 * caller folds afresh. */
rp_index_set *rp_index_build_more(rp_store *st, MDB_txn *txn, const json_t *view,
                                  const uint8_t acct[RP_ACCOUNT_LEN]);
void          rp_index_set_free(rp_index_set **s);

/* Store set as acct's entries (NULL: it has none any more), writing only
 * what changed since the last time; while the store defers words
 * (words.h), its 'W' entries are left to rp_words_settle. Returns 0 or an
 * RP_E* / LMDB code. */
int rp_index_apply(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN],
                   const rp_index_set *set);

/* The keys (kind ‖ body, without the account) of acct's stored entries
 * of kind, from acct_ix, in key order: fn returns 0 to go on or an RP_E*
 * code (returned). Returns 0 or an RP_E* code. */
int rp_index_stored(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], char kind,
                    int (*fn)(void *arg, const uint8_t *key, size_t klen), void *arg);

/* Every entry of every account dropped (fsck --rebuild; a layout upgrade):
 * the views are then stored again. */
int rp_index_clear(rp_store *st, MDB_txn *txn);

/* fsck: 1 when acct's stored entries are not the ones its view (the fold
 * of its log) gives, or one of them is missing from ix or holds another
 * value; else 0. *entries grows by how many are stored for it (their sum
 * is what ix holds, or entries no account has are left in it). RP_ENOMEM. */
int rp_index_differs(rp_store *st, MDB_txn *txn, const json_t *view, const uint8_t acct[RP_ACCOUNT_LEN],
                     size_t *entries);

/* ---- reading ---------------------------------------------------------------- */

/* Walk the entries of kind whose body starts with prefix (plen bytes), in
 * key order. fn gets the body after the prefix (without the account), the
 * account and the value; it returns 0 to go on, RP_STORE_STOP to end the
 * walk, or an RP_E* code (ends it, returned). Returns 0 or an RP_E* code. */
typedef int (*rp_index_fn)(void *arg, const uint8_t *body, size_t blen,
                           const uint8_t acct[RP_ACCOUNT_LEN], const MDB_val *val);
int rp_index_walk(rp_store *st, MDB_txn *txn, char kind, const void *prefix, size_t plen,
                  rp_index_fn fn, void *arg);

/* The same walk, a step at a time (two walks side by side): next returns
 * 1 with the entry's parts (valid until the next step), 0 past the last,
 * or an RP_E* code. */
typedef struct rp_index_iter rp_index_iter;
int  rp_index_iter_open(rp_store *st, MDB_txn *txn, char kind, const void *prefix, size_t plen,
                        rp_index_iter **out);
int  rp_index_iter_next(rp_index_iter *it, const uint8_t **body, size_t *blen,
                        const uint8_t **acct, MDB_val *val);
void rp_index_iter_close(rp_index_iter **it);

/* 1 when the entry kind ‖ body ‖ acct exists. */
int rp_index_has(rp_store *st, MDB_txn *txn, char kind, const void *body, size_t blen,
                 const uint8_t acct[RP_ACCOUNT_LEN]);

/* An account named name accents and case aside ('N'), other than skip
 * (NULL: none), into found: 1 if there is one, else 0. */
int rp_index_loose_name(rp_store *st, MDB_txn *txn, const char *name, const uint8_t *skip,
                        uint8_t found[RP_ACCOUNT_LEN]);

/* The day index entries use for ms (UTC), biased. */
uint64_t rp_index_day(uint64_t ms);

/* From the live interactions of a view: the last purchase (0 if none) and
 * the median gap in ms between contacts (0 if fewer than two gaps). Notes
 * are not contacts; contacts less than a day apart are one visit. Returns
 * 0 or RP_ENOMEM. */
int rp_index_rhythm(const json_t *view, uint64_t *last_purchase, uint64_t *median_gap);

/* What an 'R' entry holds: all an at-risk row needs. The strings point
 * into the value (valid while the txn is). */
typedef struct rp_index_risk {
	uint64_t    last_buy, gap;       /* last purchase, median gap (ms; 0: none) */
	int64_t     cadence;             /* purchase cadence, days (0: none) */
	int64_t     interactions;
	uint64_t    last;                /* last contact, when last_valid (rp_when_iso gives its text) */
	int         last_valid;
	const char *name;
	const char *owner;               /* NULL: none */
} rp_index_risk;

/* Read an 'R' entry's value: 0, or RP_EIO (not one: a store of another
 * layout, or damage). */
int rp_index_risk_get(const MDB_val *val, rp_index_risk *out);

/* An account's card ('K'): its name and owner, how to reach it, its last
 * contact, rhythm, consent and value. The values of 'D', 'P', 'C', 'V' and
 * 'L' end with it too: the walks that make rows read nothing else.
 * Strings point into the store (valid while the txn is). */
typedef struct rp_index_card {
	const char    *name;
	const char    *owner, *last_contact;          /* NULL: none */
	const char    *phone, *email, *prefer;        /* rp_index_reach; NULL: none */
	uint64_t       last;                          /* last contact, when last_valid */
	int            last_valid, archived, no_calls;
	int64_t        contact_every;                 /* days; 0: none */
	const uint8_t *values;                        /* nvalues × currency (3) ‖ cents (8) */
	size_t         nvalues;
} rp_index_card;

/* acct's card: 0, RP_ENOTFOUND (none: no name), RP_EIO or an LMDB code. */
int rp_index_card_get(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], rp_index_card *out);

/* The card a 'C', 'V' or 'L' entry's value is: 0 or RP_EIO (not one). */
int rp_index_card_of(const MDB_val *val, rp_index_card *out);

/* What a 'D' entry holds, and its account's card: 0 or RP_EIO. */
typedef struct rp_index_followup {
	const char *due;                 /* as the view has it */
	const char *assignee, *text;     /* NULL: none */
} rp_index_followup;
int rp_index_followup_get(const MDB_val *val, rp_index_followup *out, rp_index_card *card);

/* What a 'P' entry holds, and its account's card: 0 or RP_EIO. */
typedef struct rp_index_complaint {
	const char *at;                  /* as the view has it */
	const char *text;                /* NULL: none */
} rp_index_complaint;
int rp_index_complaint_get(const MDB_val *val, rp_index_complaint *out, rp_index_card *card);

/* With currency: the card's value in it (0 none). Without (NULL): the
 * i-th value (i < nvalues), its currency into cur. */
int64_t rp_index_card_value(const rp_index_card *c, const char *currency, size_t i, char cur[4]);

/* How to reach the customer of view: the account's phone, email and
 * preference, else those of its first contact with a phone (its preference
 * too, if the account has none) and its first with an email. NULL: none. */
void rp_index_reach(const json_t *view, const char **phone, const char **email, const char **prefer);

/* The words of text, as 'W' keys hold them and find looks them up: text
 * folded loosely (text/casefold.h), cut at every ASCII byte that is not a
 * letter or digit. fn gets each word (not NUL-terminated) and returns 0 to
 * go on or an RP_E* code, which ends the split and is returned. */
int rp_index_words(const char *text, int (*fn)(void *arg, const char *w, size_t n), void *arg);

#endif
