/* node/store/authz.h — who may write what on an account, checked on ingest on
 * every node, whatever the op claims and whoever relays it.
 *
 * An op is judged against the account's ownership history at the op's own
 * time: its (hlc, author, seq) place in the account's merge order. The
 * owner at that place is the last acct.create owner or acct.assign `to`
 * before it (last-writer-wins, as the views fold it), the followers are the
 * members whose last acct.follow before it said true, and the former owners
 * are the members that owned it at some place before it.
 *
 * Let M be the author device's member, R M's role now, O the owner, F the
 * followers and P the former owners at the op's place, and "privileged"
 * R = admin or manager.
 *
 *   kind                      accepted when
 *   acct.create               R is admin, manager or rep, and no other
 *                             acct.create of that account is known here
 *   acct.set, acct.tag,       privileged, or M = O, or M in P, or M in F
 *   acct.archive, contact.*,
 *   ix.log, complaint.resolve,
 *   fu.add/done/move/cancel,
 *   and newer kinds
 *   ix.amend, ix.retract      privileged, or M = O, or M in P, or M is the
 *                             member of the device that logged it
 *   acct.follow               privileged, or M = O, or M unfollows itself
 *   acct.assign               privileged, or M = O, or its prev names the
 *                             op that made M the owner (a handover that
 *                             crossed another); `to` must be a member
 *
 * A rep's offline work dated after a handover it had not yet seen (M in P)
 * is kept, not lost: its device refuses its own writes once it has seen the
 * handover, and a hostile former owner could as well date its ops before
 * the handover, so refusing them would protect nothing. Following and
 * handing over, which widen who reads the account, need the owner at the
 * op's place. Nobody who never owned or followed the account, and is not
 * privileged, can write a byte of it.
 *   redact                    admin, or every target op is M's device's own
 *   roster kinds, team.set    admin (roster.c)
 *   purge.receipt, other      any member (its own device's receipt)
 *   team-scope kinds
 *
 * A hub is a relay, never a human: it writes no account op. A device whose
 * member is unknown or revoked past its cutoff writes nothing (roster.c).
 *
 * An op about an account of which no acct.create is known here cannot be
 * judged yet: RP_ENOTFOUND, and the sync keeps it pending until the create
 * arrives. Except acct.assign: a rep's device that dropped an account keeps
 * only its handovers, and accepts those the nodes holding the history
 * accepted.
 *
 * The history is kept in the `authority` table (account ‖ hlc ‖ op id →
 * kind letter ‖ member [‖ follow flag]): creates, assigns and follows, a
 * few per account, written with the op in the same txn and never purged. */
#ifndef RP_AUTHZ_H
#define RP_AUTHZ_H

#include "store.h"
#include "../../proto/body.h"
#include "../../proto/op.h"

/* May op (decoded, body parsed and schema-checked) be accepted? The
 * author is a known member (rp_roster_check passed). Returns 0,
 * RP_EDENIED, RP_EEXIST (a second acct.create), RP_ENOTFOUND (account not
 * known here yet), RP_EFORMAT (assign to no member), or a store error. */
int rp_authz_check(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body);

/* Record an accepted op in the authority table if it is a create, an
 * assign or a follow (others: nothing to do). opid is op's id. */
int rp_authz_note(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body,
                  const uint8_t opid[RP_OPID_LEN]);

/* Rebuild the authority table from the ops held (a store written before
 * it existed, or fsck --rebuild). Returns 0 or a store error. */
int rp_authz_rebuild(rp_store *st, MDB_txn *txn);

/* A short reason for the last refusal by rp_authz_check in this process
 * ("alice (rep) neither owns nor follows it"): static, for messages. */
const char *rp_authz_why(void);

#endif
