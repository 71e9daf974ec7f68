/* tests/unit/test_view.c — the CRDT property: the merged views are a function
 * of the op set alone. Random op sets written by three devices (fields, tags
 * added and removed, interactions amended and retracted, follow-ups done and
 * moved, handovers) are ingested into fresh stores in many random orders and
 * batchings; every order must give the same digest. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "tap.h"
#include "forge.h"
#include "../../node/node.h"
#include "../../node/store/ingest.h"
#include "../../node/store/view.h"
#include "../../proto/body.h"
#include "../../proto/op.h"

#define SETS     6
#define ORDERS   100
#define NOPS     60
#define NACCT    3
#define NDEV     3

typedef forged_op op_t;

static op_t roster[8];
static size_t nroster;
static uint32_t rng = 12345;
static int ingest_flags;     /* signatures are checked on the first order only */

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

#define make_op(dev, acct, kind, hlc, b, genesis) forge_op(dev, acct, kind, hlc, b)
#define opid_of forge_opid

static void make_roster(void)
{
	static const char *const names[] = { "ann", "bob", "cy" }, *const roles[] = { "admin", "manager", "manager" };  /* assigns need a manager (ingest enforces it) */
	forge_keys();
	nroster = forge_roster(roster, NDEV, names, roles);
}

/* A random op set: NACCT accounts, NOPS ops over them, with hlc collisions
 * across devices on purpose (ties are broken by author). */
static size_t make_set(op_t *ops)
{
	static const char *fields[] = { "email", "phone", "prefer", "notes", "name" };
	static const char *tags[] = { "retail", "vip", "north" };
	static const char *types[] = { "call", "visit", "purchase", "complaint", "note" };
	static const char *members[] = { "ann", "bob", "cy" };
	uint8_t acct[NACCT][RP_ACCOUNT_LEN];
	uint8_t ix[NOPS][RP_OPID_LEN], fu[NOPS][RP_OPID_LEN], tg[NOPS][RP_OPID_LEN];
	uint8_t last_assign[NACCT][RP_OPID_LEN];
	size_t nix = 0, nfu = 0, ntg = 0, n = 0;
	rp_body_builder b;

	for (int a = 0; a < NACCT; a++) {
		randombytes_buf(acct[a], RP_ACCOUNT_LEN);
		rp_body_init(&b);
		rp_body_put_str(&b, "name", a == 0 ? "Alpha" : a == 1 ? "Beta" : "Gamma");
		rp_body_put_str(&b, "owner", "ann");
		ops[n] = make_op(0, acct[a], "acct.create", RP_HLC_MAKE(2000 + a, 0), &b, 0);
		opid_of(&ops[n], last_assign[a]);
		n++;
	}
	while (n < NOPS) {
		int dev = (int)rnd(NDEV), a = (int)rnd(NACCT);
		uint64_t hlc = RP_HLC_MAKE(3000 + rnd(40), rnd(3));
		const char *kind;
		rp_body_init(&b);
		switch (rnd(10)) {
		case 0:
		{
			/* values the schema allows: prefer is an enumeration, a name is never cleared */
			const char *f = fields[rnd(5)];
			kind = "acct.set";
			rp_body_put_str(&b, "field", f);
			if (rnd(4) == 0 && strcmp(f, "name"))
				rp_body_put_str(&b, "value", NULL);
			else if (!strcmp(f, "prefer"))
				rp_body_put_str(&b, "value", rnd(2) ? "email" : "call");
			else
				rp_body_put_str(&b, "value", rnd(2) ? "x@example.com" : "call");
			break;
		}
		case 1:
			kind = "acct.tag";
			rp_body_put_str(&b, "add", tags[rnd(3)]);
			break;
		case 2:
			kind = "acct.tag";
			if (ntg == 0) {
				rp_body_put_str(&b, "add", "vip");
				break;
			}
			rp_body_put_bins(&b, "remove", tg[rnd((uint32_t)ntg)], RP_OPID_LEN, 1);
			break;
		case 3: case 4: {
			kind = "ix.log";
			const char *t = types[rnd(5)];
			rp_body_put_str(&b, "type", t);
			rp_body_put_int(&b, "at", 1700000000000LL + (int64_t)rnd(100) * 86400000LL);
			rp_body_put_str(&b, "text", "talked");
			if (!strcmp(t, "purchase"))
				rp_body_put_amount(&b, "amount", (int64_t)rnd(100000), rnd(2) ? "EUR" : "USD");
			break;
		}
		case 5:
			if (nix == 0) {
				kind = "acct.archive";
				rp_body_put_bool(&b, "archived", (int)rnd(2));
				break;
			}
			kind = rnd(3) == 0 ? "ix.retract" : rnd(2) ? "ix.amend" : "complaint.resolve";
			rp_body_put_bin(&b, "ix", ix[rnd((uint32_t)nix)], RP_OPID_LEN);
			if (!strcmp(kind, "ix.amend")) {
				/* Amends race one another per field: the last one wins. */
				switch (rnd(4)) {
				case 0:
					rp_body_put_str(&b, "field", "text");
					rp_body_put_str(&b, "value", rnd(2) ? "amended A" : "amended B");
					break;
				case 1:
					rp_body_put_str(&b, "field", "amount");
					if (rnd(3) == 0)
						rp_body_put_str(&b, "value", NULL);
					else
						rp_body_put_amount(&b, "value", (int64_t)rnd(100000), rnd(2) ? "EUR" : "JPY");
					break;
				case 2:
					rp_body_put_str(&b, "field", "at");
					rp_body_put_int(&b, "value", 1700000000000LL + (int64_t)rnd(100) * 86400000LL);
					break;
				default:
					rp_body_put_str(&b, "field", "type");
					rp_body_put_str(&b, "value", types[rnd(5)]);
					break;
				}
			} else if (!strcmp(kind, "ix.retract")) {
				rp_body_put_str(&b, "reason", rnd(2) ? "wrong account" : "twice");
			} else {
				rp_body_put_str(&b, "text", "because");
			}
			break;
		case 6:
			kind = "fu.add";
			rp_body_put_str(&b, "text", "call back");
			rp_body_put_int(&b, "due", 1700000000000LL + (int64_t)rnd(50) * 86400000LL);
			break;
		case 7:
			if (nfu == 0) {
				kind = "acct.follow";
				rp_body_put_str(&b, "member", members[rnd(3)]);
				rp_body_put_bool(&b, "follow", (int)rnd(2));
				break;
			}
			kind = rnd(3) == 0 ? "fu.done" : rnd(2) ? "fu.move" : "fu.cancel";
			rp_body_put_bin(&b, "fu", fu[rnd((uint32_t)nfu)], RP_OPID_LEN);
			if (!strcmp(kind, "fu.move"))
				rp_body_put_int(&b, "due", 1700000000000LL + (int64_t)rnd(50) * 86400000LL);
			break;
		case 8:
			/* Assigns: sometimes two with the same prev (concurrent handover). */
			kind = "acct.assign";
			rp_body_put_str(&b, "to", members[rnd(3)]);
			rp_body_put_bin(&b, "prev", last_assign[a], RP_OPID_LEN);
			rp_body_put_str(&b, "note", "moving");
			break;
		default:
			kind = "contact.add";
			rp_body_put_str(&b, "name", rnd(2) ? "Eva" : "Max");
			break;
		}
		ops[n] = make_op(dev, acct[a], kind, hlc, &b, 0);
		if (!strcmp(kind, "ix.log"))
			opid_of(&ops[n], ix[nix++]);
		else if (!strcmp(kind, "fu.add"))
			opid_of(&ops[n], fu[nfu++]);
		else if (!strcmp(kind, "acct.tag") && ntg < NOPS)
			opid_of(&ops[n], tg[ntg++]);
		else if (!strcmp(kind, "acct.assign") && rnd(2))
			opid_of(&ops[n], last_assign[a]);
		n++;
	}
	return n;
}

/* Ingest roster then ops in the given order into a fresh store, committing
 * at random points; return the digest of every view. */
static int digest_of(op_t *ops, const size_t *order, size_t n, char hex[65])
{
	char dir[] = "/tmp/rapport-view-XXXXXX";
	rp_store *st;
	MDB_txn *txn;
	rp_dirty dirty = { 0 };
	uint64_t clock = 0;
	size_t waiting[NOPS], nwaiting = 0;
	crypto_generichash_state h;
	uint8_t out[32];
	int rc = 0;

	if (!mkdtemp(dir) || rp_store_open(dir, &st))
		return -1;
	mdb_env_set_flags(st->env, MDB_NOSYNC, 1);   /* durability is not under test here */
	rp_store_begin(st, 1, &txn);
	for (size_t i = 0; i < nroster; i++)
		if (rp_ingest(st, txn, roster[i].bytes, roster[i].len, 0, &dirty, &clock, 0) != 0)
			rc = -1;
	for (size_t i = 0; i < n; i++) {
		int r = rp_ingest(st, txn, ops[order[i]].bytes, ops[order[i]].len, ingest_flags, &dirty, &clock, 0);
		/* An op that arrives before its account's create waits, as a
		 * sync's pending table holds it, and is tried again after each
		 * op that gets in. */
		if (r == RP_ENOTFOUND)
			waiting[nwaiting++] = order[i];
		else if (r != 0)
			rc = -1;
		for (int again = r == 0; again; ) {
			again = 0;
			for (size_t w = 0; w < nwaiting; w++)
				if (rp_ingest(st, txn, ops[waiting[w]].bytes, ops[waiting[w]].len, ingest_flags,
				              &dirty, &clock, 0) == 0) {
					waiting[w--] = waiting[--nwaiting];
					again = 1;
				}
		}
		if (rnd(8) == 0 || i + 1 == n) {
			/* as a write does: an account that only gained ops after
			 * its last takes them into its stored view (view.h) */
			if (rp_view_refresh_many(st, txn, (const uint8_t (*)[RP_ACCOUNT_LEN])dirty.accts,
			                         dirty.refold, dirty.n))
				rc = -1;
			rp_dirty_clear(&dirty);
			mdb_txn_commit(txn);
			rp_store_begin(st, 1, &txn);
		}
	}
	if (nwaiting)
		rc = -1;
	/* Re-ingesting everything changes nothing (dedupe). */
	for (size_t i = 0; i < n; i++)
		if (rp_ingest(st, txn, ops[i].bytes, ops[i].len, ingest_flags, &dirty, &clock, 0) != RP_EDUP)
			rc = -1;
	crypto_generichash_init(&h, NULL, 0, sizeof out);
	{
		MDB_cursor *c;
		MDB_val k, v;
		mdb_cursor_open(txn, st->views, &c);
		for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0; r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			uint8_t vh[32];
			json_t *fold;
			if (rp_view_digest(st, txn, k.mv_data, vh))
				rc = -1;
			crypto_generichash_update(&h, vh, sizeof vh);
			/* what was folded in piece by piece is what a refold gives */
			if (rp_view_differs(st, txn, k.mv_data, &fold) != 0)
				rc = -1;
			json_decref(fold);
		}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	crypto_generichash_final(&h, out, sizeof out);
	sodium_bin2hex(hex, 65, out, sizeof out);
	rp_store_close(&st);
	rp_dirty_free(&dirty);
	{
		char p[64];
		snprintf(p, sizeof p, "%s/data.mdb", dir);
		unlink(p);
		snprintf(p, sizeof p, "%s/lock.mdb", dir);
		unlink(p);
		if (rmdir(dir) != 0)
			rc = -1;
	}
	return rc;
}

int main(void)
{
	op_t ops[NOPS];
	size_t order[NOPS];
	char first[65], hex[65];

	if (sodium_init() < 0)
		return 1;
	make_roster();
	for (int set = 0; set < SETS; set++) {
		size_t n = make_set(ops), differ = 0, failed = 0;
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		ingest_flags = 0;
		if (digest_of(ops, order, n, first))
			failed++;
		ingest_flags = RP_INGEST_VERIFIED;
		for (int o = 0; o < ORDERS; o++) {
			/* the first orders keep the order of writing (the ops come
			 * mostly after their account's last: the stored views take
			 * them in), each batched at random; the rest shuffle */
			for (size_t i = n - 1; i > 0 && o >= ORDERS / 5; i--) {     /* Fisher–Yates */
				size_t j = rnd((uint32_t)(i + 1)), t = order[i];
				order[i] = order[j];
				order[j] = t;
			}
			if (digest_of(ops, order, n, hex))
				failed++;
			if (strcmp(hex, first))
				differ++;
		}
		ok(failed == 0, "set %d: every op ingested in every order", set);
		is_int(differ, 0, "set %d: %d random orders give digest %.12s", set, ORDERS, first);
		for (size_t i = 0; i < n; i++)
			free(ops[i].bytes);
	}
	/* the orders that appended interactions took them into the stored
	 * views, and the digests above compared those with refolds */
	ok(rp_view_appends > 0, "new interactions were folded into stored views (%lu times)", rp_view_appends);
	for (size_t i = 0; i < nroster; i++)
		free(roster[i].bytes);
	return done_testing();
}
