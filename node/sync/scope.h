/* node/sync/scope.h — what a device may see. Admins, managers and hubs see every
 * op; a rep's devices see team-scope ops, the accounts their member owns or
 * follows, and the assign ops that took accounts away from it. Decided by
 * the sender from its own views, op by op, and remembered when an op is
 * withheld so the account's history can be backfilled if it enters the
 * peer's scope later. */
#ifndef RP_SCOPE_H
#define RP_SCOPE_H

#include <jansson.h>
#include "../store/store.h"
#include "../../proto/op.h"

typedef struct rp_scope {
	char    member[RP_NAME_MAX + 1];
	int     full;           /* admin, manager or hub: sees every op */
	json_t *accounts;       /* account text → 0 out, 1 in, 2 its assign ops only */
} rp_scope;

/* The scope of device dev as this node's roster has it. Fails closed:
 * RP_ENOTMEMBER when dev is in no roster entry we hold or its member's
 * role is none of admin|manager|hub|rep, RP_EREVOKED when the device or
 * its member was revoked; then sc holds nothing to free and the caller
 * must send the peer nothing. Returns 0 or those, or RP_ENOMEM. */
int  rp_scope_init(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN]);
void rp_scope_done(rp_scope *sc);

/* 1 if the op (author ‖ seq in opid, its encoded bytes) may go to the
 * scope's device, 0 if it is withheld; *acct receives its account. */
int rp_scope_allows(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t *bytes, size_t len,
                    uint8_t acct[RP_ACCOUNT_LEN]);

/* 1 if account acct is (wholly) in the scope. */
int rp_scope_account(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN]);

/* 1 the account is wholly in scope, 2 only its assign ops (the member
 * owned it before), 0 none of it. */
int rp_scope_code(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN]);

#endif
