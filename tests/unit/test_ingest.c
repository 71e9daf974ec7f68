/* tests/unit/test_ingest.c — the door into the log refuses what it must:
 * tampered bytes, strangers, a rep changing the roster, another team's ops,
 * equivocation (with evidence kept); accepts duplicates as no-ops; erases
 * redacted bodies even when the redaction arrives first; and a write that
 * fills the map grows it and loses nothing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "forge.h"
#include "../node/node.h"
#include "../node/store/ingest.h"
#include "../node/store/view.h"

static char home[64];

static rp_store *fresh_store(void)
{
	rp_store *st;
	snprintf(home, sizeof home, "/tmp/rapport-ingest-XXXXXX");
	if (!mkdtemp(home) || rp_store_open(home, &st))
		abort();
	return st;
}

static void drop_store(rp_store **st)
{
	char p[128];
	rp_store_close(st);
	snprintf(p, sizeof p, "%s/data.mdb", home);
	unlink(p);
	snprintf(p, sizeof p, "%s/lock.mdb", home);
	unlink(p);
	snprintf(p, sizeof p, "%s/device.key", home);
	unlink(p);
	rmdir(home);
}

static int ingest(rp_store *st, const forged_op *o, rp_dirty *d)
{
	MDB_txn *txn;
	uint64_t clock = 0;
	int rc;
	rp_store_begin(st, 1, &txn);
	rc = rp_ingest(st, txn, o->bytes, o->len, 0, d, &clock, 0);
	for (size_t i = 0; rc == 0 && i < d->n; i++)
		rp_view_refresh(st, txn, d->accts[i]);
	d->n = 0;
	if (rc == 0 || rc == RP_EDUP || rc == RP_EEQUIV)      /* evidence is committed with the batch */
		mdb_txn_commit(txn);
	else
		mdb_txn_abort(txn);
	return rc;
}

static size_t entries(rp_store *st, MDB_dbi dbi)
{
	MDB_txn *txn;
	MDB_stat s;
	rp_store_begin(st, 0, &txn);
	mdb_stat(txn, dbi, &s);
	mdb_txn_abort(txn);
	return s.ms_entries;
}

static int body_present(rp_store *st, const forged_op *o)
{
	uint8_t opid[RP_OPID_LEN];
	MDB_txn *txn;
	MDB_val k = { RP_OPID_LEN, opid }, v;
	rp_op op;
	int present = -1;
	forge_opid(o, opid);
	rp_store_begin(st, 0, &txn);
	if (mdb_get(txn, st->ops, &k, &v) == 0 && rp_op_decode(v.mv_data, v.mv_size, &op) == 0)
		present = op.body != NULL;
	mdb_txn_abort(txn);
	return present;
}

int main(void)
{
	static const char *const names[] = { "ann", "bob", "cy" }, *const roles[] = { "admin", "rep", "manager" };
	forged_op roster[8], o, twin;
	uint8_t acct[RP_ACCOUNT_LEN], opid[RP_OPID_LEN];
	rp_dirty d = { 0 };
	rp_body_builder b;
	rp_store *st;
	size_t nr;
	int rc;

	forge_keys();
	nr = forge_roster(roster, 3, names, roles);
	st = fresh_store();

	/* Before the genesis, nobody is known. */
	rp_body_init(&b);
	rp_body_put_str(&b, "name", "Early");
	rp_body_put_str(&b, "owner", "bob");
	randombytes_buf(acct, sizeof acct);
	o = forge_op(1, acct, "acct.create", RP_HLC_MAKE(2000, 0), &b);
	is_int(ingest(st, &o, &d), RP_EINVAL, "an op of a team this store does not know is refused");

	for (size_t i = 0; i < nr; i++)
		is_int(ingest(st, &roster[i], &d), 0, "roster op %zu accepted", i);
	is_int(ingest(st, &roster[0], &d), RP_EDUP, "the genesis again is a no-op");
	is_int(ingest(st, &o, &d), 0, "bob's account accepted once the roster is known");
	is_int(ingest(st, &o, &d), RP_EDUP, "the same op again is a no-op");

	/* A flipped byte in the signed part: refused, nothing stored. */
	{
		size_t before = entries(st, st->ops);
		int refused = 0;
		for (size_t i = 0; i < o.len; i += 7) {
			forged_op t = { malloc(o.len), o.len };
			memcpy(t.bytes, o.bytes, o.len);
			t.bytes[i] ^= 0x10;
			rc = ingest(st, &t, &d);
			refused += rc != 0;       /* an error, or RP_EDUP */
			free(t.bytes);
		}
		ok(refused == (int)((o.len + 6) / 7), "every tampered copy of an op is refused or a no-op");
		is_int(entries(st, st->ops), before, "no tampered op was stored");
	}

	/* A stranger (device 3, never added) signs a valid-looking op. */
	rp_body_init(&b);
	rp_body_put_str(&b, "field", "email");
	rp_body_put_str(&b, "value", "evil@example.com");
	{
		forged_op s = forge_op(3, acct, "acct.set", RP_HLC_MAKE(2001, 0), &b);
		is_int(ingest(st, &s, &d), RP_ENOTMEMBER, "an op by a device outside the roster is refused");
		free(s.bytes);
	}

	/* A rep (bob) may not change the roster, whatever the op claims. */
	rp_body_init(&b);
	rp_body_put_str(&b, "name", "bob");
	rp_body_put_str(&b, "role", "admin");
	{
		forged_op s = forge_op(1, NULL, "member.role", RP_HLC_MAKE(2002, 0), &b);
		is_int(ingest(st, &s, &d), RP_EDENIED, "a rep promoting itself is refused");
		free(s.bytes);
	}
	rp_body_init(&b);
	rp_body_put_str(&b, "member", "bob");
	rp_body_put_bin(&b, "device", forge_pk[3], RP_DEVICE_LEN);
	{
		forged_op s = forge_op(2, NULL, "device.add", RP_HLC_MAKE(2003, 0), &b);
		is_int(ingest(st, &s, &d), RP_EDENIED, "a manager adding a device is refused");
		free(s.bytes);
	}

	/* Equivocation: bob signs a different op under a seq he already used. */
	{
		uint8_t first[RP_OPID_LEN];
		forge_opid(&o, first);
		rp_body_init(&b);
		rp_body_put_str(&b, "name", "Other");
		rp_body_put_str(&b, "owner", "bob");
		twin = forge_op_seq(1, acct, "acct.create", RP_HLC_MAKE(2000, 5), &b, rp_opid_seq(first));
		is_int(ingest(st, &twin, &d), RP_EEQUIV, "a second op with the same (author, seq) is equivocation");
		is_int(entries(st, st->equiv), 1, "the evidence is kept");
		is_int(body_present(st, &o), 1, "the first op stays");
	}

	/* Redaction that arrives before its target erases it on arrival. */
	{
		forged_op ix, red;
		rp_body_init(&b);
		rp_body_put_str(&b, "type", "note");
		rp_body_put_int(&b, "at", 1700000000000LL);
		rp_body_put_str(&b, "text", "private things");
		ix = forge_op(1, acct, "ix.log", RP_HLC_MAKE(3000, 0), &b);
		forge_opid(&ix, opid);
		rp_body_init(&b);
		rp_body_put_bins(&b, "ops", opid, RP_OPID_LEN, 1);
		red = forge_op(0, acct, "redact", RP_HLC_MAKE(3001, 0), &b);
		is_int(ingest(st, &red, &d), 0, "an admin's redaction is accepted before its target");
		is_int(ingest(st, &ix, &d), 0, "the target arrives");
		is_int(body_present(st, &ix), 0, "and is stored without its body");

		/* A rep may not erase an admin's op. */
		forge_opid(&red, opid);
		rp_body_init(&b);
		rp_body_put_bins(&b, "ops", opid, RP_OPID_LEN, 1);
		forged_op r2 = forge_op(1, acct, "redact", RP_HLC_MAKE(3002, 0), &b);
		is_int(ingest(st, &r2, &d), RP_EDENIED, "a rep cannot erase another member's op");
		free(ix.bytes);
		free(red.bytes);
		free(r2.bytes);
	}
	drop_store(&st);

	/* Failure injection: a tiny map must grow under a large write, and the
	 * write must commit whole. */
	{
		rp_node *n;
		rp_write *w;
		uint8_t a[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
		json_t *view;
		int failed = 0;
		rp_store_map_initial = 64 * 4096;
		snprintf(home, sizeof home, "/tmp/rapport-ingest-XXXXXX");
		if (!mkdtemp(home))
			abort();
		rmdir(home);
		is_int(rp_init(home, "ann", "Acme", 1767225600000ULL), 0, "init in a tiny map");
		rp_node_open(home, &n);
		rp_write_begin(n, &w);
		rp_account_add(w, "Bakery Blum", NULL, a);
		for (int i = 0; i < 3000; i++) {
			rp_ix_spec ix = { .type = "visit", .text = "a visit with a long enough text to fill pages quickly" };
			failed += rp_ix_log(w, a, &ix, ref) != 0;
		}
		is_int(failed, 0, "3000 interactions written through MDB_MAP_FULL");
		is_int(rp_write_commit(&w), 0, "the write commits after the map grew");
		is_int(rp_account_show(n, a, &view), 0, "the account reads back");
		is_int(json_array_size(json_object_get(view, "interactions")), 3000, "with all 3000 interactions");
		json_decref(view);
		rp_node_close(&n);
		rp_store_map_initial = (size_t)1 << 30;
		if (rp_store_open(home, &st) == 0)
			drop_store(&st);
	}

	free(o.bytes);
	free(twin.bytes);
	for (size_t i = 0; i < nr; i++)
		free(roster[i].bytes);
	rp_dirty_free(&d);
	return done_testing();
}
