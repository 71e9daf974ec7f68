/* tests/unit/test_authz.c — every row of node/store/authz.h's table, on a real
 * store: who may write which kind on an account, judged against the
 * account's ownership history at the op's place. A refused op is never
 * stored; the same op from someone allowed is. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORGE_DEVICES 6
#include "tap.h"
#include "forge.h"
#include "../node/node.h"
#include "../node/store/ingest.h"
#include "../node/store/authz.h"
#include "../node/store/view.h"

enum { ANN, MEG, ALICE, BOB, HUB, CY };   /* admin, manager, rep, rep, hub, rep */

static char home[64];
static rp_store *st;
static uint64_t tick = 10000;             /* every op a little later than the last */

static int ingest(const forged_op *o)
{
	MDB_txn *txn;
	uint64_t clock = 0;
	rp_dirty d = { 0 };
	int rc;
	rp_store_begin(st, 1, &txn);
	rc = rp_ingest(st, txn, o->bytes, o->len, 0, &d, &clock, 0);
	for (size_t i = 0; rc == 0 && i < d.n; i++)
		rp_view_refresh(st, txn, d.accts[i]);
	if (rc == 0)
		mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	rp_dirty_free(&d);
	return rc;
}

static size_t nops(void)
{
	MDB_txn *txn;
	MDB_stat s;
	rp_store_begin(st, 0, &txn);
	mdb_stat(txn, st->ops, &s);
	mdb_txn_abort(txn);
	return s.ms_entries;
}

/* Sign and ingest; the op is freed. Returns rp_ingest's result, and checks
 * a refused op left no trace. */
static int put(int dev, const uint8_t *acct, const char *kind, rp_body_builder *b, uint8_t opid[RP_OPID_LEN])
{
	forged_op o = forge_op(dev, acct, kind, RP_HLC_MAKE(tick++, 0), b);
	size_t before = nops();
	int rc = ingest(&o);
	if (opid)
		forge_opid(&o, opid);
	if (rc != 0 && nops() != before)
		diag("a refused %s was stored anyway", kind);
	free(o.bytes);
	return rc;
}

/* A body for kind that the schema accepts, about targets ix/fu/contact. */
static void body_for(rp_body_builder *b, const char *kind, const uint8_t *ix, const uint8_t *fu,
                     const uint8_t *contact)
{
	rp_body_init(b);
	if (!strcmp(kind, "acct.set")) {
		rp_body_put_str(b, "field", "email");
		rp_body_put_str(b, "value", "x@example.com");
	} else if (!strcmp(kind, "acct.tag")) {
		rp_body_put_str(b, "add", "vip");
	} else if (!strcmp(kind, "acct.archive")) {
		rp_body_put_bool(b, "archived", 0);
	} else if (!strcmp(kind, "contact.add")) {
		rp_body_put_str(b, "name", "Jana");
	} else if (!strcmp(kind, "contact.set")) {
		rp_body_put_bin(b, "contact", contact, RP_OPID_LEN);
		rp_body_put_str(b, "field", "phone");
		rp_body_put_str(b, "value", "+49 1");
	} else if (!strcmp(kind, "ix.log")) {
		rp_body_put_str(b, "type", "call");
		rp_body_put_str(b, "text", "called");
	} else if (!strcmp(kind, "complaint.resolve") || !strcmp(kind, "ix.retract")) {
		rp_body_put_bin(b, "ix", ix, RP_OPID_LEN);
	} else if (!strcmp(kind, "ix.amend")) {
		rp_body_put_bin(b, "ix", ix, RP_OPID_LEN);
		rp_body_put_str(b, "field", "text");
		rp_body_put_str(b, "value", "amended");
	} else if (!strcmp(kind, "fu.add")) {
		rp_body_put_str(b, "text", "call back");
		rp_body_put_int(b, "due", 5000);
	} else if (!strcmp(kind, "fu.move")) {
		rp_body_put_bin(b, "fu", fu, RP_OPID_LEN);
		rp_body_put_int(b, "due", 6000);
	} else if (!strcmp(kind, "fu.done") || !strcmp(kind, "fu.cancel")) {
		rp_body_put_bin(b, "fu", fu, RP_OPID_LEN);
	} else {
		rp_body_put_str(b, "note", "a kind from a newer rapport");
	}
}

static int create(int dev, uint8_t acct[RP_ACCOUNT_LEN], const char *name, const char *owner,
                  uint8_t opid[RP_OPID_LEN])
{
	rp_body_builder b;
	randombytes_buf(acct, RP_ACCOUNT_LEN);
	rp_body_init(&b);
	rp_body_put_str(&b, "name", name);
	if (owner)
		rp_body_put_str(&b, "owner", owner);
	return put(dev, acct, "acct.create", &b, opid);
}

static int follow(int dev, const uint8_t *acct, const char *member, int on)
{
	rp_body_builder b;
	rp_body_init(&b);
	rp_body_put_str(&b, "member", member);
	rp_body_put_bool(&b, "follow", on);
	return put(dev, acct, "acct.follow", &b, NULL);
}

static int assign(int dev, const uint8_t *acct, const char *to, const uint8_t prev[RP_OPID_LEN],
                  uint8_t opid[RP_OPID_LEN])
{
	rp_body_builder b;
	rp_body_init(&b);
	rp_body_put_str(&b, "to", to);
	rp_body_put_bin(&b, "prev", prev, RP_OPID_LEN);
	return put(dev, acct, "acct.assign", &b, opid);
}

static const char *const s_names[] = { "ann", "meg", "alice", "bob", "relay", "cy" };

int main(void)
{
	static const char *const roles[] = { "admin", "manager", "rep", "rep", "hub", "rep" };
	static const char *const kinds[] = { "acct.set", "acct.tag", "acct.archive", "contact.add",
		"contact.set", "ix.log", "complaint.resolve", "fu.add", "fu.move", "fu.done", "fu.cancel",
		"x.newer", NULL };
	forged_op roster[2 * FORGE_DEVICES];
	uint8_t a[RP_ACCOUNT_LEN], other[RP_ACCOUNT_LEN], unknown[RP_ACCOUNT_LEN];
	uint8_t created[RP_OPID_LEN], ix[RP_OPID_LEN], fu[RP_OPID_LEN], contact[RP_OPID_LEN];
	uint8_t cy_ix[RP_OPID_LEN], to_bob[RP_OPID_LEN], tmp[RP_OPID_LEN];
	rp_body_builder b;
	size_t n;

	snprintf(home, sizeof home, "/tmp/rapport-authz-XXXXXX");
	forge_keys();
	if (!mkdtemp(home) || rp_store_open(home, &st))
		return 1;
	mdb_env_set_flags(st->env, MDB_NOSYNC, 1);
	n = forge_roster(roster, FORGE_DEVICES, s_names, roles);
	for (size_t i = 0; i < n; i++) {
		if (ingest(&roster[i]))
			diag("roster op %zu refused", i);
		free(roster[i].bytes);
	}

	/* acct.create: any rep, manager or admin; never a second one. */
	is_int(create(ANN, a, "Alpha", "alice", created), 0, "create: an admin creates Alpha for alice");
	{
		forged_op o;
		rp_body_init(&b);
		rp_body_put_str(&b, "name", "Alpha");
		rp_body_put_str(&b, "owner", "bob");
		o = forge_op(BOB, a, "acct.create", RP_HLC_MAKE(tick++, 0), &b);
		is_int(ingest(&o), RP_EEXIST, "create: bob's second acct.create of Alpha naming himself owner is refused");
		free(o.bytes);
		rp_body_init(&b);
		rp_body_put_str(&b, "name", "Alpha again");
		o = forge_op(ALICE, a, "acct.create", RP_HLC_MAKE(tick++, 0), &b);
		is_int(ingest(&o), RP_EEXIST, "create: ... and so is the owner's");
		free(o.bytes);
	}
	is_int(create(BOB, other, "Bravo", NULL, NULL), 0, "create: a rep creates his own account");
	is_int(create(HUB, unknown, "Hub's", NULL, NULL), RP_EDENIED, "create: a hub writes no account");

	/* The targets: an interaction, a follow-up and a contact alice made. */
	body_for(&b, "ix.log", NULL, NULL, NULL);
	is_int(put(ALICE, a, "ix.log", &b, ix), 0, "alice (owner) logs a call");
	body_for(&b, "fu.add", NULL, NULL, NULL);
	is_int(put(ALICE, a, "fu.add", &b, fu), 0, "alice adds a follow-up");
	body_for(&b, "contact.add", NULL, NULL, NULL);
	is_int(put(ALICE, a, "contact.add", &b, contact), 0, "alice adds a contact");

	/* The account kinds, by each role. */
	for (int k = 0; kinds[k]; k++) {
		static const struct { int dev; int want; const char *who; } by[] = {
			{ ALICE, 0, "the owner" }, { MEG, 0, "a manager" }, { ANN, 0, "an admin" },
			{ BOB, RP_EDENIED, "a rep who neither owns nor follows it" },
			{ CY, RP_EDENIED, "another rep" }, { HUB, RP_EDENIED, "a hub" },
		};
		for (size_t i = 0; i < sizeof by / sizeof by[0]; i++) {
			body_for(&b, kinds[k], ix, fu, contact);
			is_int(put(by[i].dev, a, kinds[k], &b, NULL), by[i].want, "%s by %s", kinds[k], by[i].who);
		}
	}

	/* Followers: bob may not follow himself; the owner may add cy. */
	is_int(follow(BOB, a, "bob", 1), RP_EDENIED, "follow: bob cannot make himself a follower");
	is_int(follow(CY, a, "bob", 1), RP_EDENIED, "follow: nor can cy add bob");
	is_int(follow(MEG, a, "bob", 1), 0, "follow: a manager adds bob");
	is_int(follow(BOB, a, "bob", 0), 0, "follow: anyone may stop following");
	body_for(&b, "acct.set", NULL, NULL, NULL);
	is_int(put(CY, a, "acct.set", &b, NULL), RP_EDENIED, "follower: cy before he follows: refused");
	is_int(follow(ALICE, a, "cy", 1), 0, "follow: the owner adds cy");
	for (int k = 0; kinds[k]; k++) {
		body_for(&b, kinds[k], ix, fu, contact);
		is_int(put(CY, a, kinds[k], &b, !strcmp(kinds[k], "ix.log") ? cy_ix : NULL), 0,
		       "%s by a follower", kinds[k]);
	}
	{
		/* Judged at the op's place: dated before the follow, it is refused. */
		forged_op o;
		body_for(&b, "acct.tag", NULL, NULL, NULL);
		o = forge_op(CY, a, "acct.tag", RP_HLC_MAKE(tick - 40, 0), &b);
		is_int(ingest(&o), RP_EDENIED, "follower: cy's op dated before he followed is refused");
		free(o.bytes);
	}
	is_int(follow(CY, a, "cy", 0), 0, "follow: cy stops following");

	/* Amend and retract: the logger, the owner, the privileged. */
	body_for(&b, "ix.amend", cy_ix, NULL, NULL);
	is_int(put(CY, a, "ix.amend", &b, NULL), 0, "amend: cy amends the call he logged (no longer following)");
	body_for(&b, "ix.retract", cy_ix, NULL, NULL);
	is_int(put(CY, a, "ix.retract", &b, NULL), 0, "retract: ... and retracts it");
	body_for(&b, "ix.amend", ix, NULL, NULL);
	is_int(put(CY, a, "ix.amend", &b, NULL), RP_EDENIED, "amend: but not alice's call");
	body_for(&b, "ix.retract", ix, NULL, NULL);
	is_int(put(BOB, a, "ix.retract", &b, NULL), RP_EDENIED, "retract: bob cannot retract alice's call");
	for (int dev = ANN; dev <= ALICE; dev++) {
		body_for(&b, "ix.amend", cy_ix, NULL, NULL);
		is_int(put(dev, a, "ix.amend", &b, NULL), 0, "amend: %s amends cy's call", s_names[dev]);
	}

	/* Handovers: the owner, the privileged, and a crossed handover. */
	is_int(assign(BOB, a, "bob", created, NULL), RP_EDENIED, "assign: bob cannot hand Alpha to himself");
	is_int(assign(CY, a, "cy", created, NULL), RP_EDENIED, "assign: nor can cy");
	is_int(assign(ALICE, a, "nobody", created, NULL), RP_EFORMAT, "assign: never to a non-member");
	is_int(assign(ALICE, a, "bob", created, to_bob), 0, "assign: alice hands Alpha to bob");
	is_int(assign(ALICE, a, "meg", created, NULL), 0,
	       "assign: alice's handover that crossed it (prev = the op that made her owner) stands");
	is_int(assign(ALICE, a, "cy", to_bob, NULL), RP_EDENIED,
	       "assign: but one after bob's (prev = bob's handover) is refused");
	is_int(assign(MEG, a, "alice", to_bob, tmp), 0, "assign: a manager may always");

	/* A former owner's offline work dated after the handover is kept. */
	is_int(assign(ANN, a, "bob", tmp, NULL), 0, "assign: the admin gives Alpha to bob again");
	body_for(&b, "ix.log", NULL, NULL, NULL);
	is_int(put(ALICE, a, "ix.log", &b, NULL), 0, "former owner: alice's offline call after the handover is kept");
	body_for(&b, "acct.set", NULL, NULL, NULL);
	is_int(put(CY, a, "acct.set", &b, NULL), RP_EDENIED,
	       "never owner: cy, who no longer follows, is refused");
	is_int(follow(ALICE, a, "alice", 1), RP_EDENIED, "follow: a former owner cannot add followers");
	body_for(&b, "acct.tag", NULL, NULL, NULL);
	is_int(put(BOB, a, "acct.tag", &b, NULL), 0, "the new owner bob may write now");

	/* An account not known here: wait for it; a handover alone is kept. */
	randombytes_buf(unknown, RP_ACCOUNT_LEN);
	body_for(&b, "ix.log", NULL, NULL, NULL);
	is_int(put(ALICE, unknown, "ix.log", &b, NULL), RP_ENOTFOUND, "unknown account: an ix.log waits (RP_ENOTFOUND)");
	is_int(assign(ALICE, unknown, "bob", created, NULL), 0,
	       "unknown account: a handover is kept (the nodes holding the history judged it)");

	/* Redact: an admin, or the author of every target. */
	rp_body_init(&b);
	rp_body_put_bins(&b, "ops", ix, RP_OPID_LEN, 1);
	is_int(put(BOB, a, "redact", &b, NULL), RP_EDENIED, "redact: bob cannot erase alice's call");
	rp_body_init(&b);
	rp_body_put_bins(&b, "ops", ix, RP_OPID_LEN, 1);
	is_int(put(ALICE, a, "redact", &b, NULL), 0, "redact: alice erases her own");
	rp_body_init(&b);
	rp_body_put_bins(&b, "ops", cy_ix, RP_OPID_LEN, 1);
	is_int(put(ANN, a, "redact", &b, NULL), 0, "redact: an admin erases anyone's");

	/* Team scope: the roster is the admin's; a receipt is anyone's own. */
	rp_body_init(&b);
	rp_body_put_str(&b, "name", "eve");
	rp_body_put_str(&b, "role", "admin");
	is_int(put(MEG, NULL, "member.add", &b, NULL), RP_EDENIED, "roster: a manager cannot add members");
	rp_body_init(&b);
	rp_body_put_bin(&b, "account", other, RP_ACCOUNT_LEN);
	rp_body_put_int(&b, "ops", 3);
	is_int(put(BOB, NULL, "purge.receipt", &b, NULL), 0, "team scope: a rep's purge receipt is accepted");

	/* The authority table is derived data: rebuilt from the log, it gives
	 * the same answers. */
	{
		MDB_txn *txn;
		rp_store_begin(st, 1, &txn);
		is_int(rp_authz_rebuild(st, txn), 0, "rebuild: the authority table is derived again from the ops");
		mdb_txn_commit(txn);
		body_for(&b, "acct.set", NULL, NULL, NULL);
		is_int(put(CY, a, "acct.set", &b, NULL), RP_EDENIED, "rebuild: cy is still refused");
		body_for(&b, "acct.set", NULL, NULL, NULL);
		is_int(put(BOB, a, "acct.set", &b, NULL), 0, "rebuild: bob, the owner, still accepted");
		body_for(&b, "ix.log", NULL, NULL, NULL);
		is_int(put(ALICE, a, "ix.log", &b, NULL), 0, "rebuild: alice, a former owner, still accepted");
	}

	rp_store_close(&st);
	{
		char p[128];
		snprintf(p, sizeof p, "%s/data.mdb", home);
		unlink(p);
		snprintf(p, sizeof p, "%s/lock.mdb", home);
		unlink(p);
		rmdir(home);
	}
	return done_testing();
}
