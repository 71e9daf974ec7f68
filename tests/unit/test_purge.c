/* tests/unit/test_purge.c — node/sync/purge.c on real stores: a rep's device
 * lets go of an account that changed hands (its history but the assigns),
 * records what it dropped and tells the team with a receipt; it never
 * purges on an admin's device, with the device's or the team's keep set,
 * an account it still owns, or the same account twice. */
#include <sys/stat.h>

#include "tap.h"
#include "syncpair.h"
#include "../node/sync/purge.h"

/* The ops of acct held here, by kind: all, and its assigns. */
typedef struct { const uint8_t *acct; MDB_txn *txn; rp_store *st; int all, assigns; } s_count;

static int s_count_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	s_count *c = arg;
	MDB_val ov;
	rp_op op;
	(void)v;
	if (k->mv_size != RP_ACCT_KEY_LEN || memcmp(k->mv_data, c->acct, RP_ACCOUNT_LEN))
		return RP_STORE_STOP;
	c->all++;
	if (rp_store_get(c->txn, c->st->ops, (const uint8_t *)k->mv_data + RP_ACCOUNT_LEN + 8,
	                 RP_OPID_LEN, &ov) == 0 && rp_op_decode(ov.mv_data, ov.mv_size, &op) == 0 &&
	    !strcmp(op.kind, "acct.assign"))
		c->assigns++;
	return 0;
}

static s_count count_ops(rp_node *n, const char *name, const uint8_t *acct_in)
{
	uint8_t a[RP_ACCOUNT_LEN];
	s_count c = { a, NULL, n->store, 0, 0 };
	if (acct_in)
		memcpy(a, acct_in, RP_ACCOUNT_LEN);
	else if (rp_account_find(n, name, a))
		return c;
	rp_store_begin(n->store, 0, &c.txn);
	rp_store_scan(c.txn, n->store->acct_ops, a, RP_ACCOUNT_LEN, s_count_one, &c);
	rp_store_end(c.txn);
	return c;
}

int main(void)
{
	char *hh = home("purge-hub"), *ha = home("purge-alice"), *hb = home("purge-bob");
	rp_node *hub, *alice, *bob;
	uint8_t acme[RP_ACCOUNT_LEN];
	uint64_t count = 99;
	rp_write *w;

	rp_init(hh, "ann", "Acme", now);
	rp_init(ha, "alice", NULL, now);
	rp_init(hb, "bob", NULL, now);
	rp_node_open(hh, &hub);
	rp_node_open(ha, &alice);
	rp_node_open(hb, &bob);
	rp_write_begin(hub, &w);
	rp_member_add(w, "alice", alice->key.pk, "rep");
	rp_member_add(w, "bob", bob->key.pk, "rep");
	rp_write_commit(&w);
	account(hub, "ACME Tools", "alice", 6);
	account(hub, "Bakery Blum", "alice", 2);
	ok(sync_once(alice, hub) && sync_once(bob, hub), "alice and bob join");
	is_int(holds(alice, "ACME Tools"), 6, "alice holds ACME");
	rp_account_find(alice, "ACME Tools", acme);

	/* The hub hands ACME to bob; alice's device, set to keep, takes the
	 * handover and keeps the history. */
	is_int(handover(hub, "ACME Tools", "bob"), 0, "the hub hands ACME to bob");
	rp_node_set_keep(alice, 1);
	ok(sync_once(alice, hub), "alice syncs, keeping what she lost");
	is_int(holds(alice, "ACME Tools"), 6, "so ACME stays whole on her device");
	is_int(rp_purge_lost(alice, &count), 0, "a purge on a device set to keep succeeds");
	is_int(count, 0, "and drops nothing");
	is_int(rp_purge_lost(hub, &count), 0, "a purge on the admin's device succeeds");
	is_int(count, 0, "and drops nothing: admins keep everything");
	is_int(holds(hub, "ACME Tools"), 6, "the hub still holds ACME");

	rp_node_set_keep(alice, 0);
	is_int(rp_purge_lost(alice, &count), 0, "alice's device purges what she lost");
	is_int(count, 1, "one account: ACME");
	is_int(holds(alice, "ACME Tools"), -1, "ACME is no longer held there");
	is_int(holds(alice, "Bakery Blum"), 2, "Bakery, still hers, stays whole");
	{
		s_count c = count_ops(alice, NULL, acme);
		ok(c.all == 1 && c.assigns == 1, "only ACME's assign (the handover) stays (%d ops, %d assigns)", c.all, c.assigns);
	}
	{
		json_t *st, *p;
		size_t i;
		int seen = 0;
		rp_status(alice, &st);
		json_array_foreach(json_object_get(st, "purged"), i, p)
			seen |= json_integer_value(json_object_get(p, "ops")) == 7 &&
			        !strcmp(json_string_value(json_object_get(p, "owner")), "bob");
		ok(seen, "status records the purge: 7 ops, now bob's");
		json_decref(st);
	}
	is_int(rp_purge_lost(alice, &count), 0, "a second purge succeeds");
	is_int(count, 0, "and drops nothing more");
	{
		json_t *rep = NULL;
		is_int(rp_fsck(alice, &rep), 0, "alice's store is sound after the purge");
		json_decref(rep);
	}
	ok(sync_once(alice, hub), "alice syncs her receipt to the hub");
	{
		json_t *st, *p;
		size_t i;
		int seen = 0;
		rp_status(hub, &st);
		json_array_foreach(json_object_get(st, "purged"), i, p)
			seen |= !strcmp(json_string_value(json_object_get(p, "member")), "alice") &&
			        !strcmp(json_string_value(json_object_get(p, "account")), "ACME Tools");
		ok(seen, "the hub's status says alice's device no longer holds ACME");
		json_decref(st);
	}
	is_int(holds(hub, "ACME Tools"), 6, "and the hub still holds its history");

	/* The team keeps: no rep device purges, even after a handover synced. */
	rp_write_begin(hub, &w);
	is_int(rp_team_set_keep(w, 1), 0, "the admin sets the team to keep");
	rp_write_commit(&w);
	is_int(handover(hub, "Bakery Blum", "bob"), 0, "and hands Bakery to bob");
	ok(sync_once(alice, hub), "alice syncs");
	is_int(holds(alice, "Bakery Blum"), 2, "Bakery stays on her device: the team keeps");
	is_int(rp_purge_lost(alice, &count), 0, "a purge asked for anyway succeeds");
	is_int(count, 0, "and drops nothing");

	rp_node_close(&hub);
	rp_node_close(&alice);
	rp_node_close(&bob);
	rmhome(hh);
	rmhome(ha);
	rmhome(hb);
	return done_testing();
}
