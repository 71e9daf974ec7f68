/* node/store/ingest.c — validate and append ops. Everything that enters the log
 * passes here; it must never accept an op whose signature, author or role it
 * has not checked, and never store two ops under one (author, seq). */
#include <string.h>
#include <sodium.h>

#include "ingest.h"
#include "delivery.h"
#include "roster.h"
#include "../../proto/body.h"
#include "view.h"
#include "schema.h"
#include "authz.h"
#include "refs.h"
#include "../../proto/error.h"
#include "../../proto/hlc.h"

static int s_is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* The same op, possibly redacted on one side: equal signed headers. */
static int s_same_op(const rp_op *a, const uint8_t *bytes, size_t len)
{
	rp_op b;
	if (rp_op_decode(bytes, len, &b))
		return 0;
	return a->version == b.version && a->hlc == b.hlc && !strcmp(a->kind, b.kind) &&
	       !memcmp(a->team, b.team, RP_TEAM_LEN) &&
	       !memcmp(a->account, b.account, RP_ACCOUNT_LEN) &&
	       !memcmp(a->body_hash, b.body_hash, RP_HASH_LEN) &&
	       !memcmp(a->sig, b.sig, RP_SIG_LEN);
}

static int s_put(MDB_txn *txn, MDB_dbi dbi, const void *k, size_t kl, const void *v, size_t vl)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	return rp_store_err(mdb_put(txn, dbi, &key, &val, 0));
}

int rp_ingest_note_skew(rp_store *st, MDB_txn *txn, const uint8_t author[RP_DEVICE_LEN], uint64_t ahead)
{
	char key[5 + RP_DEVICE_TEXT + 1] = "skew:";
	uint64_t was = 0;
	int rc;
	rp_b32_encode(author, RP_DEVICE_LEN, key + 5, sizeof key - 5);
	if ((rc = rp_meta_get_u64(st, txn, key, &was)))
		return rc;
	return ahead > was ? rp_meta_put_u64(st, txn, key, ahead) : 0;
}

/* A device dropped an account's history: should the account come back into
 * its scope, all of it must be sent again (scope.c's backfill). */
/* An op that may let held ones in (pending.h): a member, a device, an account. */
static int s_unblock(rp_store *st, MDB_txn *txn)
{
	uint64_t gen = 0;
	rp_meta_get_u64(st, txn, "unblock_gen", &gen);
	return rp_meta_put_u64(st, txn, "unblock_gen", gen + 1);
}

static int s_receipt(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body)
{
	const uint8_t *acct;
	uint8_t key[RP_DEVICE_LEN + RP_ACCOUNT_LEN];
	if (rp_body_bin(body, "account", &acct, RP_ACCOUNT_LEN))
		return 0;                    /* malformed receipts are kept, and mean nothing */
	memcpy(key, op->author, RP_DEVICE_LEN);
	memcpy(key + RP_DEVICE_LEN, acct, RP_ACCOUNT_LEN);
	return s_put(txn, st->skipped, key, sizeof key, "", 0);
}

int rp_ingest_each_op(rp_store *st, MDB_txn *txn, const uint8_t acct[RP_ACCOUNT_LEN], const char *kind,
                      int (*fn)(void *arg, const rp_op *op, const rp_body *body, const MDB_val *bytes),
                      void *arg)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)acct }, v;
	int rc, r = 0;
	if ((rc = mdb_cursor_open(txn, st->acct_ops, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0 && r == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		MDB_val ok, ov;
		rp_op op;
		rp_body body;
		if (k.mv_size != RP_ACCT_KEY_LEN || memcmp(k.mv_data, acct, RP_ACCOUNT_LEN))
			break;
		ok = (MDB_val){ RP_OPID_LEN, (uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8 };
		if (mdb_get(txn, st->ops, &ok, &ov) || rp_op_decode(ov.mv_data, ov.mv_size, &op) ||
		    strcmp(op.kind, kind) || !op.body)
			continue;
		if (rp_body_parse(&body, op.body, op.body_len) == 0)
			r = fn(arg, &op, &body, &ov);
		rp_body_done(&body);
	}
	mdb_cursor_close(c);
	return r ? r : rc == 0 || rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

/* Put akey in acct_ops; *tail: 1 if no op of its account sorts after it
 * (one descent: the cursor that put it steps to the next). */
static int s_acct_op_put(rp_store *st, MDB_txn *txn, const uint8_t akey[RP_ACCT_KEY_LEN], int *tail)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCT_KEY_LEN, (void *)akey }, v = { 0, "" };
	int rc;
	if ((rc = mdb_cursor_open(txn, st->acct_ops, &c)))
		return rp_store_err(rc);
	if ((rc = mdb_cursor_put(c, &k, &v, 0)) == 0) {
		rc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
		*tail = rc != 0 || k.mv_size != RP_ACCT_KEY_LEN || memcmp(k.mv_data, akey, RP_ACCOUNT_LEN) != 0;
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	mdb_cursor_close(c);
	return rp_store_err(rc);
}

int rp_ingest_note_refused(rp_store *st, MDB_txn *txn, const rp_op *op, int why)
{
	char key[9 + RP_DEVICE_TEXT + 1 + RP_KIND_MAX + 1] = "refused:";
	uint8_t val[12] = { 0 };
	MDB_val v;
	uint64_t n = 0;
	size_t kl = strlen(key);
	rp_b32_encode(op->author, RP_DEVICE_LEN, key + kl, sizeof key - kl);
	kl = strlen(key);
	snprintf(key + kl, sizeof key - kl, ":%s", op->kind);
	if (rp_meta_get(st, txn, key, &v) == 0 && v.mv_size == sizeof val)
		n = rp_be64_get(v.mv_data);
	rp_be64_put(val, n + 1);
	val[8] = (uint8_t)((uint32_t)why >> 24);
	val[9] = (uint8_t)((uint32_t)why >> 16);
	val[10] = (uint8_t)((uint32_t)why >> 8);
	val[11] = (uint8_t)(uint32_t)why;
	return rp_meta_put(st, txn, key, val, sizeof val);
}

json_t *rp_ingest_equivocations(rp_store *st, MDB_txn *txn)
{
	json_t *list = json_array();
	MDB_cursor *c;
	MDB_val k, v;
	if (!list || mdb_cursor_open(txn, st->equiv, &c))
		return list;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char dev[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1] = "?";
		if (k.mv_size != RP_OPID_LEN)
			continue;
		rp_b32_encode(k.mv_data, RP_DEVICE_LEN, dev, sizeof dev);
		rp_roster_device(st, txn, k.mv_data, member, NULL);
		json_array_append_new(list, json_pack("{sssssI}", "device", dev, "member", member,
		        "seq", (json_int_t)rp_opid_seq(k.mv_data)));
	}
	mdb_cursor_close(c);
	return list;
}

json_t *rp_ingest_refusals(rp_store *st, MDB_txn *txn)
{
	json_t *list = json_array();
	MDB_cursor *c;
	MDB_val k = { 8, "refused:" }, v;
	if (!list || mdb_cursor_open(txn, st->meta, &c))
		return list;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char dev[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1] = "?", kind[RP_KIND_MAX + 1];
		uint8_t id[RP_DEVICE_LEN];
		const char *key = k.mv_data;
		int32_t why;
		if (k.mv_size < 8 || memcmp(key, "refused:", 8))
			break;
		if (k.mv_size < 8 + RP_DEVICE_TEXT + 2 || key[8 + RP_DEVICE_TEXT] != ':' || v.mv_size != 12 ||
		    k.mv_size - 9 - RP_DEVICE_TEXT > RP_KIND_MAX)
			continue;
		memcpy(dev, key + 8, RP_DEVICE_TEXT);
		dev[RP_DEVICE_TEXT] = 0;
		snprintf(kind, sizeof kind, "%.*s", (int)(k.mv_size - 9 - RP_DEVICE_TEXT), key + 9 + RP_DEVICE_TEXT);
		if (rp_b32_decode(dev, id, sizeof id) == 0)
			rp_roster_device(st, txn, id, member, NULL);
		why = (int32_t)((uint32_t)((uint8_t *)v.mv_data)[8] << 24 | (uint32_t)((uint8_t *)v.mv_data)[9] << 16 |
		                (uint32_t)((uint8_t *)v.mv_data)[10] << 8 | ((uint8_t *)v.mv_data)[11]);
		json_array_append_new(list, json_pack("{sssssssIss}", "device", dev, "member", member, "kind", kind,
		        "count", (json_int_t)rp_be64_get(v.mv_data), "reason", rp_strerror(why)));
	}
	mdb_cursor_close(c);
	return list;
}

int rp_ingest_redact(rp_store *st, MDB_txn *txn, const uint8_t opid[RP_OPID_LEN],
                     rp_dirty *dirty)
{
	MDB_val k = { RP_OPID_LEN, (void *)opid }, v;
	uint8_t buf[RP_OP_MAX];
	size_t len;
	rp_op op;
	int rc = mdb_get(txn, st->ops, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;        /* not here yet: the redacted table catches it on arrival */
	if (rc)
		return rp_store_err(rc);
	if ((rc = rp_op_decode(v.mv_data, v.mv_size, &op)))
		return rc;
	if (!op.body)
		return 0;
	op.body = NULL;
	op.body_len = 0;
	if ((rc = rp_op_encode(&op, buf, sizeof buf, &len)))
		return rc;
	/* The old body stays in a free page until the home is compacted. */
	if ((rc = rp_store_mark_erase(st)) ||
	    (rc = s_put(txn, st->ops, opid, RP_OPID_LEN, buf, len)))
		return rc;
	return s_is_zero(op.account, RP_ACCOUNT_LEN) ? 0 : rp_dirty_add(dirty, op.account);
}

/* A redact op: only an admin or the author of each target may erase it. */
static int s_redact(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body,
                    const uint8_t opid[RP_OPID_LEN], rp_dirty *dirty)
{
	const msgpack_object *ops = rp_body_get(body, "ops");
	char role[RP_ROLE_MAX + 1];
	int rc, admin;
	if (!ops || ops->type != MSGPACK_OBJECT_ARRAY || ops->via.array.size > RP_REDACT_MAX)
		return RP_EFORMAT;
	if ((rc = rp_roster_device(st, txn, op->author, NULL, role)))
		return rc;
	admin = !strcmp(role, "admin");
	for (uint32_t i = 0; i < ops->via.array.size; i++) {
		const msgpack_object *t = &ops->via.array.ptr[i];
		if (t->type != MSGPACK_OBJECT_BIN || t->via.bin.size != RP_OPID_LEN)
			return RP_EFORMAT;
		if (!admin && memcmp(t->via.bin.ptr, op->author, RP_DEVICE_LEN) != 0)
			return RP_EDENIED;
	}
	for (uint32_t i = 0; i < ops->via.array.size; i++) {
		const uint8_t *target = (const uint8_t *)ops->via.array.ptr[i].via.bin.ptr;
		if ((rc = s_put(txn, st->redacted, target, RP_OPID_LEN, opid, RP_OPID_LEN)) ||
		    (rc = rp_ingest_redact(st, txn, target, dirty)))
			return rc;
	}
	return 0;
}

/* The op is decoded (op's pointers into canon, which this may rewrite when
 * the body was erased before the op arrived) and its signature trusted. */
static int s_ingest(rp_store *st, MDB_txn *txn, rp_op *opp, uint8_t *canon, size_t clen,
                    const uint8_t *source, rp_dirty *dirty, uint64_t *clock, uint64_t wall_ms)
{
	uint8_t opid[RP_OPID_LEN], akey[RP_ACCT_KEY_LEN], seqb[8];
	int tail = 0;
	uint8_t team[RP_TEAM_LEN];
	rp_op op = *opp;
	rp_body body = { .map = NULL };
	MDB_val k, v;
	uint64_t arrival, head = 0;
	int rc, genesis, has_team;

	rp_op_id(&op, opid);

	/* Dedupe and equivocation first: they need no roster. */
	k = (MDB_val){ RP_OPID_LEN, opid };
	rc = mdb_get(txn, st->ops, &k, &v);
	if (rc == 0) {
		if (s_same_op(&op, v.mv_data, v.mv_size))
			return RP_EDUP;
		v = (MDB_val){ clen, canon };
		rc = mdb_put(txn, st->equiv, &k, &v, MDB_NOOVERWRITE);
		if (rc && rc != MDB_KEYEXIST)
			return rp_store_err(rc);
		return RP_EEQUIV;
	}
	if (rc != MDB_NOTFOUND)
		return rp_store_err(rc);

	genesis = !strcmp(op.kind, "team.genesis");
	has_team = rp_meta_get(st, txn, "team", &v) == 0 && v.mv_size == RP_TEAM_LEN;
	if (has_team)
		memcpy(team, v.mv_data, RP_TEAM_LEN);
	if (genesis) {
		uint8_t h[RP_TEAM_LEN];
		/* The team id is the hash of the signed genesis as it was signed,
		 * with its body: a redacted genesis is only accepted once known. */
		crypto_generichash(h, sizeof h, canon, clen, NULL, 0);
		if (has_team && memcmp(h, team, RP_TEAM_LEN) != 0 && op.body)
			return RP_EINVAL;
		if (!has_team && !op.body)
			return RP_EFORMAT;
	} else if (!has_team || memcmp(op.team, team, RP_TEAM_LEN) != 0) {
		return RP_EINVAL;
	}

	msgpack_unpacked_init(&body.up);
	if (op.body && (rc = rp_body_parse(&body, op.body, op.body_len)))
		goto out;
	/* What the body may hold (schema.h), who wrote it (roster.h), and
	 * whether that member may write it on that account (authz.h). */
	if ((rc = rp_schema_check(&op, &body, NULL)))
		goto out;
	rc = rp_roster_check(st, txn, &op, &body);
	if (genesis && rc == RP_EEXIST)
		rc = 0;                      /* our own team's genesis, seen again */
	if (rc == 0 && !rp_roster_kind(op.kind))
		rc = rp_authz_check(st, txn, &op, &body);
	if (rc || (rc = rp_authz_note(st, txn, &op, &body, opid)))
		goto out;

	/* A body erased before the op reached us is erased on arrival. */
	k = (MDB_val){ RP_OPID_LEN, opid };
	if (op.body && mdb_get(txn, st->redacted, &k, &v) == 0) {
		rp_body_done(&body);
		op.body = NULL;
		op.body_len = 0;
		if ((rc = rp_op_encode(&op, canon, RP_OP_MAX, &clen)))
			goto out;
	}

	if ((rc = s_put(txn, st->ops, opid, RP_OPID_LEN, canon, clen)))
		goto out;
	if ((rc = rp_meta_get_u64(st, txn, "arrival_next", &arrival)))
		goto out;
	arrival++;
	rp_be64_put(seqb, arrival);
	/* The feed remembers where an op came from: it is never sent back there. */
	{
		uint8_t entry[RP_OPID_LEN + RP_DEVICE_LEN];
		memcpy(entry, opid, RP_OPID_LEN);
		if (source)
			memcpy(entry + RP_OPID_LEN, source, RP_DEVICE_LEN);
		rc = s_put(txn, st->arrival, seqb, 8, entry, source ? sizeof entry : RP_OPID_LEN);
	}
	if (rc ||
	    (rc = rp_meta_put_u64(st, txn, "arrival_next", arrival)))
		goto out;
	rp_acct_key(akey, op.account, op.hlc, opid);
	if ((rc = s_acct_op_put(st, txn, akey, &tail)))
		goto out;
	k = (MDB_val){ RP_DEVICE_LEN, op.author };
	if (mdb_get(txn, st->heads, &k, &v) == 0 && v.mv_size == 8)
		head = rp_be64_get(v.mv_data);
	if (op.seq > head) {
		rp_be64_put(seqb, op.seq);
		if ((rc = s_put(txn, st->heads, op.author, RP_DEVICE_LEN, seqb, 8)))
			goto out;
	}
	if ((rc = rp_refs_add(st, txn, &op, opid, arrival)) ||
	    (rc = rp_delivery_arrived(st, txn, arrival, &op, &body)))
		goto out;
	if (op.body && rp_roster_kind(op.kind))
		rc = rp_roster_apply(st, txn, &op, &body, canon, clen);
	else if (op.body && !strcmp(op.kind, "purge.receipt"))
		rc = s_receipt(st, txn, &op, &body);
	else if (op.body && !strcmp(op.kind, "redact"))
		rc = s_redact(st, txn, &op, &body, opid, dirty);
	if (rc)
		goto out;
	if ((rp_roster_kind(op.kind) || !strcmp(op.kind, "acct.create")) && (rc = s_unblock(st, txn)))
		goto out;
	/* An op after the account's last one is all its view has to take in
	 * (view.h); one before it changes the fold anywhere. */
	if (!s_is_zero(op.account, RP_ACCOUNT_LEN) &&
	    (rc = (tail ? rp_dirty_add_tail : rp_dirty_add)(dirty, op.account)))
		goto out;
	{
		int skewed = 0;
		*clock = rp_hlc_recv(*clock, op.hlc, wall_ms, &skewed);
		/* Kept (history is never dropped) but the device's clock is flagged. */
		if (skewed && source && (rc = rp_ingest_note_skew(st, txn, op.author, RP_HLC_MS(op.hlc) - wall_ms)))
			goto out;
	}
out:
	rp_body_done(&body);
	return rc;
}

int rp_ingest(rp_store *st, MDB_txn *txn, const uint8_t *bytes, size_t len,
              int flags, rp_dirty *dirty, uint64_t *clock, uint64_t wall_ms)
{
	uint8_t canon[RP_OP_MAX];
	rp_op op;
	int rc;
	/* rp_op_decode accepts only the canonical encoding: a copy of valid
	 * input is the canonical form, so equal ops are stored as equal bytes. */
	if (len > sizeof canon)
		return RP_ELIMIT;
	memcpy(canon, bytes, len);
	if ((rc = rp_op_decode(canon, len, &op)))
		return rc;
	if (!(flags & RP_INGEST_VERIFIED) && (rc = rp_op_verify(&op)))
		return rc;
	return s_ingest(st, txn, &op, canon, len, NULL, dirty, clock, wall_ms);
}

int rp_ingest_from(rp_store *st, MDB_txn *txn, const rp_op *op, const uint8_t *bytes,
                   size_t len, const uint8_t source[RP_DEVICE_LEN], rp_dirty *dirty,
                   uint64_t *clock, uint64_t wall_ms)
{
	uint8_t canon[RP_OP_MAX];
	rp_op copy = *op;
	if (len > sizeof canon)
		return RP_ELIMIT;
	memcpy(canon, bytes, len);
	/* op's pointers into bytes must follow the copy */
	if (copy.body)
		copy.body = canon + (op->body - bytes);
	return s_ingest(st, txn, &copy, canon, len, source, dirty, clock, wall_ms);
}

int rp_ingest_local(rp_store *st, MDB_txn *txn, const rp_op *op, const uint8_t *bytes,
                    size_t len, rp_dirty *dirty, uint64_t *clock, uint64_t wall_ms)
{
	uint8_t canon[RP_OP_MAX];
	rp_op copy = *op;
	if (len > sizeof canon)
		return RP_ELIMIT;
	memcpy(canon, bytes, len);
	return s_ingest(st, txn, &copy, canon, len, NULL, dirty, clock, wall_ms);
}
