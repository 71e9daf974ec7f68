/* node/store/words.h — the word entries of a bulk write, deferred.
 *
 * An account's words ('W' entries, index.h) lie all over the index: a
 * big write (an import of 100,000 accounts, committed in many txns to keep
 * its memory small) would touch nearly every page of them in every one of
 * its txns, hold them all dirty and write them out again each time: a
 * fifth of such an import's time and a third of its memory. A store can
 * defer them instead (rp_words_defer): while it does, rp_index_apply
 * stores an account's other entries as usual and lists its words in
 * acct_ix as if they were in ix, but puts none of them; ix_due marks the
 * account (account → token, new with each deferring change) in the same
 * txn. rp_words_settle then reads the words of every marked account from
 * acct_ix and puts them in word order, each page of the index touched once
 * per slice, and unmarks those whose token is unchanged.
 *
 * Nothing depends on the merge having run: find takes every marked account
 * as a candidate (it checks each candidate against its view anyway), an
 * account written meanwhile by a writer that does not defer gets all its
 * words then and is unmarked, and fsck settles before it compares. A crash
 * before the merge leaves the marks for the next open (rp_words_recover). */
#ifndef RP_WORDS_H
#define RP_WORDS_H

#include <stdint.h>

#include "store.h"

/* While on, this process's index writes defer their words. */
void rp_words_defer(rp_store *st, int on);

/* Every marked account: fn gets each and returns 0 to go on, or an RP_E*
 * code (ends the walk, returned). */
int rp_words_walk_due(rp_store *st, MDB_txn *txn, int (*fn)(void *arg, const uint8_t acct[RP_ACCOUNT_LEN]),
                      void *arg);

/* 1 if any account is marked. */
int rp_words_due(rp_store *st, MDB_txn *txn);

/* Put the words of every marked account into the index, in txns of its
 * own (no txn of this process may be open); *added (may be NULL) counts
 * them. Returns 0 or an RP_E* code (RP_ENOSPC: a full disk; what was
 * merged stays merged, and the marks stay for the next try). */
int rp_words_settle(rp_store *st, uint64_t *added);

/* At open: words left due by a writer that is gone (a crash, a kill) are
 * settled now; those of a writer still running are left to it. Returns 0
 * or rp_words_settle's code. */
int rp_words_recover(rp_store *st);

#endif
