/* tests/unit/test_roster.c — the team as the roster tables hold it
 * (node/store/roster.h), built through the public write API on a real
 * store: names and roles, who each device is, a role changed, a device and
 * a member revoked, what a rep may not do, the team's keep setting, and the
 * roster's hash moving with each change. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rmtree.h"
#include "../node/rapport.h"
#include "../node/node.h"
#include "../node/store/roster.h"
#include "../proto/error.h"

static rp_node *n;

static void hash_of(uint8_t out[32])
{
	MDB_txn *txn;
	crypto_generichash_state h;
	memset(out, 0, 32);
	if (rp_node_read(n, &txn))
		return;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (rp_roster_hash(n->store, txn, &h) == 0)
		crypto_generichash_final(&h, out, 32);
	mdb_txn_abort(txn);
}

/* Who a device is: "member/role", or "" when it is nobody. */
static const char *who(const uint8_t dev[RP_DEVICE_LEN])
{
	static char out[64];
	char member[RP_NAME_MAX + 1] = "", role[RP_ROLE_MAX + 1] = "";
	MDB_txn *txn;
	out[0] = 0;
	if (rp_node_read(n, &txn))
		return out;
	if (rp_roster_device(n->store, txn, dev, member, role) == 0)
		snprintf(out, sizeof out, "%s/%s", member, role);
	mdb_txn_abort(txn);
	return out;
}

static int read_int(int (*fn)(rp_store *, MDB_txn *, const uint8_t *), const uint8_t *dev)
{
	MDB_txn *txn;
	int r = -1;
	if (rp_node_read(n, &txn) == 0) {
		r = fn(n->store, txn, dev);
		mdb_txn_abort(txn);
	}
	return r;
}

static int write1(int (*fn)(rp_write *, void *), void *arg)
{
	rp_write *w = NULL;
	int rc = rp_write_begin(n, &w);
	if (rc == 0 && (rc = fn(w, arg)) == 0)
		return rp_write_commit(&w);
	rp_write_abort(&w);
	return rc;
}

static uint8_t bob_dev[RP_DEVICE_LEN], bob_dev2[RP_DEVICE_LEN], bob_dev3[RP_DEVICE_LEN], cy_dev[RP_DEVICE_LEN];

static int add_bob(rp_write *w, void *a) { (void)a; return rp_member_add(w, "bob", bob_dev, "rep"); }
static int add_bob2(rp_write *w, void *a) { (void)a; return rp_member_add(w, "bob", bob_dev2, NULL); }
static int add_cy(rp_write *w, void *a) { (void)a; return rp_member_add(w, "cy", cy_dev, "manager"); }
static int bob_admin(rp_write *w, void *a) { (void)a; return rp_member_add(w, "bob", bob_dev3, "admin"); }
static int bob_again(rp_write *w, void *a) { (void)a; return rp_member_add(w, "cy", bob_dev, "rep"); }
static int bad_role(rp_write *w, void *a) { (void)a; return rp_member_add(w, "dee", cy_dev, "boss"); }
static int bad_name(rp_write *w, void *a) { (void)a; return rp_member_add(w, "dee dee", cy_dev, "rep"); }
static int keep_on(rp_write *w, void *a) { (void)a; return rp_team_set_keep(w, 1); }
static int cut_dev2(rp_write *w, void *a)
{
	uint8_t cut[RP_DEVICE_LEN];
	char id[RP_DEVICE_TEXT + 1];
	(void)a;
	rp_b32_encode(bob_dev2, RP_DEVICE_LEN, id, sizeof id);
	return rp_member_revoke_device(w, "bob", id, cut);
}
static int revoke_cy(rp_write *w, void *a) { size_t moved; (void)a; return rp_member_revoke(w, "cy", NULL, &moved); }

int main(void)
{
	char home[64];
	uint8_t h0[32], h1[32], h2[32];
	MDB_txn *txn;
	json_t *list = NULL;

	snprintf(home, sizeof home, "/tmp/rapport-roster-XXXXXX");
	if (!mkdtemp(home))
		return 1;
	rmdir(home);
	{
		uint8_t sk[crypto_sign_SECRETKEYBYTES];     /* devices are Ed25519 keys */
		crypto_sign_keypair(bob_dev, sk);
		crypto_sign_keypair(bob_dev2, sk);
		crypto_sign_keypair(bob_dev3, sk);
		crypto_sign_keypair(cy_dev, sk);
		sodium_memzero(sk, sizeof sk);
	}

	ok(rp_member_name_ok("ann", 3) && rp_member_name_ok("a.b_c-9", 7), "plain names are names");
	ok(!rp_member_name_ok("", 0) && !rp_member_name_ok("a b", 3) && !rp_member_name_ok("é", 2) &&
	   !rp_member_name_ok("a/b", 3), "empty, spaced, accented and slashed ones are not");
	ok(rp_role_ok("admin") && rp_role_ok("manager") && rp_role_ok("rep") && rp_role_ok("hub"), "the four roles");
	ok(!rp_role_ok("boss") && !rp_role_ok("") && !rp_role_ok(NULL), "and nothing else");
	ok(rp_roster_kind("member.add") && rp_roster_kind("team.genesis") && !rp_roster_kind("ix.log"),
	   "roster kinds are told from the rest");

	is_int(rp_init(home, "ann", "Acme", 1767225600000ULL), 0, "a team starts");
	is_int(rp_node_open(home, &n), 0, "its node opens");
	is_str(who(n->key.pk), "ann/admin", "its first device is ann's, an admin");
	is_str(who(bob_dev), "", "a stranger's device is nobody");
	hash_of(h0);

	is_int(write1(add_bob, NULL), 0, "ann adds bob, a rep");
	is_str(who(bob_dev), "bob/rep", "bob's device is bob's, a rep");
	is_int(write1(add_bob2, NULL), 0, "and a second device of bob's");
	is_str(who(bob_dev2), "bob/rep", "which is bob's too, with his role");
	is_int(write1(add_cy, NULL), 0, "cy, a manager");
	hash_of(h1);
	ok(memcmp(h0, h1, 32) != 0, "the roster's hash moved");
	is_int(write1(bad_role, NULL), RP_EINVAL, "a role that is none is refused (%s)", rp_errmsg());
	is_int(write1(bad_name, NULL), RP_EINVAL, "a name with a space is refused (%s)", rp_errmsg());
	hash_of(h2);
	ok(memcmp(h1, h2, 32) == 0, "and neither changed the roster");

	is_int(write1(bob_again, NULL), RP_EEXIST, "bob's device cannot be given to cy (%s)", rp_errmsg());
	is_int(write1(bob_admin, NULL), 0, "a third device of bob's as an admin: member.role");
	is_str(who(bob_dev3), "bob/admin", "that device is an admin's");
	is_str(who(bob_dev), "bob/admin", "and so are his others: the role is the member's");
	ok(rp_node_read(n, &txn) == 0, "a read txn");
	{
		char role[RP_ROLE_MAX + 1] = "";
		is_int(rp_roster_member(n->store, txn, "cy", role), 0, "cy is a member");
		is_str(role, "manager", "a manager");
		is_int(rp_roster_member(n->store, txn, "zed", role), RP_ENOTFOUND, "zed is none");
		is_int(rp_roster_team_keep(n->store, txn), 0, "devices purge what their member lost, by default");
	}
	mdb_txn_abort(txn);

	is_int(write1(cut_dev2, NULL), 0, "bob's second device is revoked (lost laptop)");
	is_int(read_int(rp_roster_revoked, bob_dev2), 1, "it is revoked");
	is_int(read_int(rp_roster_revoked, bob_dev), 0, "his first is not");
	{
		uint64_t cutoff = 0;
		char member[RP_NAME_MAX + 1];
		ok(rp_node_read(n, &txn) == 0, "a read txn");
		is_int(rp_roster_author(n->store, txn, bob_dev2, member, NULL, &cutoff), 0, "the revoked device is still known");
		ok(cutoff != UINT64_MAX, "with a cutoff for its ops (%llu)", (unsigned long long)cutoff);
		is_int(rp_roster_author(n->store, txn, bob_dev, member, NULL, &cutoff), 0, "the other device");
		ok(cutoff == UINT64_MAX, "has none");
		mdb_txn_abort(txn);
	}
	is_int(write1(revoke_cy, NULL), 0, "cy is revoked (owns nothing: no handover needed)");
	ok(rp_node_read(n, &txn) == 0, "a read txn");
	is_int(rp_roster_member_revoked(n->store, txn, "cy"), 1, "cy is revoked");
	is_int(rp_roster_member_revoked(n->store, txn, "bob"), 0, "bob is not");
	is_int(rp_roster_list(n->store, txn, &list), 0, "the roster lists");
	is_int(json_array_size(list), 3, "three members");
	is_str(json_string_value(json_object_get(json_array_get(list, 0), "name")), "ann", "sorted by name: ann");
	is_str(json_string_value(json_object_get(json_array_get(list, 1), "name")), "bob", "bob");
	is_int(json_array_size(json_object_get(json_array_get(list, 1), "devices")), 3, "bob has three devices");
	json_decref(list);
	mdb_txn_abort(txn);

	is_int(write1(keep_on, NULL), 0, "the admin sets keep");
	is_int(rp_node_read(n, &txn), 0, "a read txn");
	is_int(rp_roster_team_keep(n->store, txn), 1, "devices keep what their member lost");
	mdb_txn_abort(txn);

	rp_node_close(&n);
	rm_tree(home);
	return done_testing();
}
