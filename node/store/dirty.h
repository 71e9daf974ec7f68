/* node/store/dirty.h — the accounts a write changed: a set kept in the order
 * they were first touched, with a hash index so that marking one again
 * costs O(1) (an import touches 100,000 accounts a million times). Their
 * views are rebuilt by commit at the latest; a long write may rebuild those
 * it is done with on the way (rp_dirty_settle), and commit then rebuilds
 * only the rest, and those touched again since. The set owns its memory. */
#ifndef RP_DIRTY_H
#define RP_DIRTY_H

#include <stddef.h>
#include <stdint.h>

#include "../../proto/id.h"

/* Accounts a write changed: their views are rebuilt once, at commit.
 * Zero-initialise; release with rp_dirty_free. */
typedef struct rp_dirty {
	uint8_t (*accts)[RP_ACCOUNT_LEN];
	uint8_t *again;        /* per account: touched again after it was settled */
	uint8_t *refold;       /* per account: its log changed other than by ops appended
	                        * after its last (rp_dirty_add); else its view may take
	                        * the new ops alone (view.h) */
	size_t  n, cap;
	uint32_t *slot;        /* open addressing over accts (index + 1; 0: empty), nslot a power of 2 */
	size_t  nslot;
	size_t  settled;       /* accts[0..settled) have had their views rebuilt */
	size_t  nagain;        /* how many of those were touched again since */
} rp_dirty;

/* Mark an account dirty in d (once: an import touches 100,000 accounts
 * a million times); one already settled is to be rebuilt again. Its view
 * is to be folded afresh: its log changed anywhere (an op inserted before
 * its last, redacted, purged). Returns 0 or RP_ENOMEM. */
int rp_dirty_add(rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN]);
/* The same for an account that only gained ops after its last one: its
 * view may take them alone. */
int rp_dirty_add_tail(rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN]);
/* rp_dirty_add_tail, and *pos receives the account's place in accts. */
int rp_dirty_add_pos(rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN], size_t *pos);

/* The views of accts[settled..upto) were rebuilt: they count as settled
 * until touched again (upto <= n). rp_dirty_unsettle: none is (the txn
 * that held those views was replaced). */
void rp_dirty_settle(rp_dirty *d, size_t upto);
void rp_dirty_unsettle(rp_dirty *d);
int  rp_dirty_has(const rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN]);
void rp_dirty_clear(rp_dirty *d);      /* empty again, keeping the memory */
void rp_dirty_free(rp_dirty *d);

#endif
