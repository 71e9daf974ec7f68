/* node/sync/scope.c — the scope predicate (see scope.h). It reads summaries only:
 * it must stay cheap enough to run for every op a hub streams to a rep. */
#include <string.h>

#include "scope.h"
#include "../store/roster.h"
#include "../store/summary.h"
#include "../../proto/error.h"

int rp_scope_init(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN])
{
	char role[RP_ROLE_MAX + 1] = "";
	uint64_t cutoff = UINT64_MAX;
	memset(sc, 0, sizeof *sc);
	/* From our roster alone, and failing closed: a device we cannot place
	 * as a current member of a known role sees nothing at all. */
	if (rp_roster_author(st, txn, dev, sc->member, role, &cutoff))
		return RP_ENOTMEMBER;
	if (cutoff != UINT64_MAX || rp_roster_member_revoked(st, txn, sc->member))
		return RP_EREVOKED;
	if (!strcmp(role, "admin") || !strcmp(role, "manager") || !strcmp(role, "hub"))
		sc->full = 1;
	else if (strcmp(role, "rep") != 0)
		return RP_ENOTMEMBER;
	if (!(sc->accounts = json_object()))
		return RP_ENOMEM;
	return 0;
}

void rp_scope_done(rp_scope *sc)
{
	json_decref(sc->accounts);
	sc->accounts = NULL;
}

/* 0 out, 1 in, 2 only its assigns (the member owned it before). */
static int s_code(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	char t[RP_ACCOUNT_TEXT + 1];
	json_t *hit;
	rp_summary *sum;
	int code = 0;
	rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
	if ((hit = json_object_get(sc->accounts, t)))
		return (int)json_integer_value(hit);
	/* An account without a readable summary is out of scope (fail closed). */
	if (rp_summary_load(st, txn, acct, &sum) == 0) {
		if (rp_summary_held_by(sum, sc->member))
			code = 1;
		else if (rp_summary_has(sum->owners_before, sum->nowners_before, sc->member))
			code = 2;
		rp_summary_free(&sum);
	}
	json_object_set_new(sc->accounts, t, json_integer(code));
	return code;
}

int rp_scope_account(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	return sc->full || s_code(sc, st, txn, acct) == 1;
}

int rp_scope_code(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN])
{
	return sc->full ? 1 : s_code(sc, st, txn, acct);
}

int rp_scope_allows(rp_scope *sc, rp_store *st, MDB_txn *txn, const uint8_t *bytes, size_t len,
                    uint8_t acct[RP_ACCOUNT_LEN])
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	rp_op op;
	int code;
	if (rp_op_decode(bytes, len, &op) != 0)
		return 0;
	memcpy(acct, op.account, RP_ACCOUNT_LEN);
	if (sc->full || !memcmp(op.account, zero, RP_ACCOUNT_LEN))
		return 1;
	code = s_code(sc, st, txn, op.account);
	return code == 1 || (code == 2 && !strcmp(op.kind, "acct.assign"));
}
