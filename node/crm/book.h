/* node/crm/book.h — the book: every account's summary this device holds,
 * read once in name order, and the ranked rows the daily questions (agenda,
 * top, at-risk, find, complaints) are answered in. Internal to node/crm. */
#ifndef RP_BOOK_H
#define RP_BOOK_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <lmdb.h>

#include "../node.h"
#include "../store/summary.h"

#define RP_BOOK_DAY_MS 86400000LL

/* ---- accounts, in name order -------------------------------------------- */

typedef struct rp_book_acct {
	rp_summary *sum;                   /* the stored summary, decoded (owned) */
	uint8_t     id[RP_ACCOUNT_LEN];
} rp_book_acct;

typedef struct rp_book {
	rp_book_acct *v;
	size_t        n;
	char          currency[4];         /* the team's: value ranks in it */
} rp_book;

/* Every account with a readable summary and a name (forgotten ones are
 * nobody's to call or rank), in name order, and the team's currency.
 * Returns 0 or an RP_E* code with rp_errmsg set; *b is empty on failure. */
int  rp_book_load(rp_node *n, MDB_txn *txn, rp_book *b);
void rp_book_free(rp_book *b);

/* The same book, of the accounts ids[0..nids) only (each once, as
 * rp_ids_sort leaves them; accounts without a readable summary with a name
 * left out): what an index says the answer lies in. Returns as
 * rp_book_load does. */
int  rp_book_pick(rp_node *n, MDB_txn *txn, const uint8_t *ids, size_t nids, rp_book *b);

/* A growing set of account ids (what an index walk finds). */
typedef struct rp_ids {
	uint8_t *v;                        /* n × RP_ACCOUNT_LEN */
	size_t   n, cap;
} rp_ids;
int  rp_ids_add(rp_ids *s, const uint8_t id[RP_ACCOUNT_LEN]);   /* 0 or RP_ENOMEM (rp_errmsg set) */
void rp_ids_sort(rp_ids *s);           /* in id order, each once */
int  rp_ids_has(const rp_ids *s, const uint8_t id[RP_ACCOUNT_LEN]);   /* s sorted */
void rp_ids_free(rp_ids *s);

/* The full view of a. RP_ENOTFOUND (a summary without a view) means skip
 * it; another failure has rp_errmsg set. */
int rp_book_view(rp_node *n, MDB_txn *txn, const rp_book_acct *a, json_t **view);

/* What the accounts referred by the account id_text (account set X
 * referred-by ID) are worth: {count, value: [{cents, currency}]}, a value
 * per currency, never two added. NULL when out of memory. */
json_t *rp_book_referrals(rp_node *n, MDB_txn *txn, const char *id_text);

/* ---- figures ------------------------------------------------------------- */

const char *rp_jstr(const json_t *obj, const char *key);
double      rp_pow10(int k);                  /* 10^k, k 0..4: a currency's minor units */
int         rp_cmp_name(const char *a, const char *b);   /* ASCII case-folded, then bytes */
int         rp_iso_ms(const json_t *iso, uint64_t *ms);  /* 1 when iso is a time */
int64_t     rp_days_between(uint64_t then, uint64_t now); /* calendar days (text/when) */
double      rp_ln(double x);                  /* ln(x), x >= 1, without libm */
/* "4,200.50 EUR + 120.00 USD", or "" without value. */
void        rp_value_text(const rp_summary *s, char *out, size_t cap);

/* ---- rows, sorted ---------------------------------------------------------
 * Order: k1 ascending, score descending, k2 ascending, then account name,
 * account id and the row's own id, so equal figures still sort the same way
 * on every node. */

typedef struct rp_row {
	json_t       *row;
	int64_t       k1, k2;
	double        score;
	const char   *name, *id, *sub;   /* borrowed from row */
	void         *ref;               /* what the row is of: the caller's, borrowed */
} rp_row;

typedef struct rp_rows {
	rp_row *v;
	size_t  n, cap;
} rp_rows;

/* Takes row.row (released on failure); bad: building it ran out of memory. */
int  rp_rows_push(rp_rows *r, rp_row row, int bad);
void rp_rows_sort(rp_rows *r);
/* The order above, of two rows (their row need not be built): < 0, 0, > 0. */
int  rp_rows_cmp(const rp_row *x, const rp_row *y);
void rp_rows_free(rp_rows *r);
/* Move the first limit rows (all when limit is SIZE_MAX) to the end of arr,
 * in their order, and free r. */
int  rp_rows_append(rp_rows *r, size_t limit, json_t *arr);
/* Sort the rows and hand the first limit of them to the caller as *out. */
int  rp_rows_emit(rp_rows *r, size_t limit, json_t **out);

/* Set key of obj to val (taken). A NULL val, from an allocation that
 * failed, or a set that fails marks *bad: the row is dropped whole, never
 * sent out with a value missing. */
void    rp_put(json_t *obj, const char *key, json_t *val, int *bad);
json_t *rp_jtext(const char *t);                         /* a string, or null for NULL */
json_t *rp_jcopy(const json_t *obj, const char *key);    /* obj's key, or null */

#endif
