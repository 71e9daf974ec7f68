/* node/store/pending.c — ops held until their author or account is known (see
 * pending.h). Every put and delete of the table goes through here, so the
 * counters in meta always match it. */
#include <stdlib.h>
#include <string.h>

#include "pending.h"
#include "ingest.h"
#include "roster.h"
#include "../../proto/error.h"

#define S_HEAD (RP_DEVICE_LEN + 8)      /* sender ‖ held at, before the op bytes */

static void s_sender_key(char *key, size_t cap, const uint8_t sender[RP_DEVICE_LEN])
{
	char id[RP_DEVICE_TEXT + 1];
	rp_b32_encode(sender, RP_DEVICE_LEN, id, sizeof id);
	snprintf(key, cap, "pending:%s", id);
}

static void s_sender_get(rp_store *st, MDB_txn *txn, const char *key, uint64_t *ops, uint64_t *bytes)
{
	MDB_val v;
	*ops = *bytes = 0;
	if (rp_meta_get(st, txn, key, &v) == 0 && v.mv_size == 16) {
		*ops = rp_be64_get(v.mv_data);
		*bytes = rp_be64_get((const uint8_t *)v.mv_data + 8);
	}
}

/* Add (sign 1) or take away (sign -1) one op of len bytes from the
 * counters of sender and the totals. */
static int s_count(rp_store *st, MDB_txn *txn, const uint8_t sender[RP_DEVICE_LEN], size_t len, int sign)
{
	char key[16 + RP_DEVICE_TEXT];
	uint64_t ops, bytes, tops, tbytes;
	uint8_t v[16];
	int rc;
	s_sender_key(key, sizeof key, sender);
	s_sender_get(st, txn, key, &ops, &bytes);
	rp_meta_get_u64(st, txn, "pending_ops", &tops);
	rp_meta_get_u64(st, txn, "pending_bytes", &tbytes);
	if (sign > 0) {
		ops++, bytes += len, tops++, tbytes += len;
	} else {
		ops = ops ? ops - 1 : 0;
		bytes = bytes > len ? bytes - len : 0;
		tops = tops ? tops - 1 : 0;
		tbytes = tbytes > len ? tbytes - len : 0;
	}
	if ((rc = rp_meta_put_u64(st, txn, "pending_ops", tops)) ||
	    (rc = rp_meta_put_u64(st, txn, "pending_bytes", tbytes)))
		return rc;
	if (ops == 0) {
		MDB_val k = { strlen(key), key };
		rc = mdb_del(txn, st->meta, &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
	}
	rp_be64_put(v, ops);
	rp_be64_put(v + 8, bytes);
	return rp_meta_put(st, txn, key, v, sizeof v);
}

/* Delete the entry under cursor c (its value v) and uncount it. */
static int s_del(rp_store *st, MDB_txn *txn, MDB_cursor *c, const MDB_val *v)
{
	uint8_t sender[RP_DEVICE_LEN] = { 0 };
	size_t len = v->mv_size > S_HEAD ? v->mv_size - S_HEAD : 0;
	int rc;
	if (v->mv_size >= RP_DEVICE_LEN)
		memcpy(sender, v->mv_data, RP_DEVICE_LEN);      /* before the page goes */
	if ((rc = mdb_cursor_del(c, 0)))
		return rp_store_err(rc);
	return s_count(st, txn, sender, len, -1);
}

int rp_pending_expire(rp_store *st, MDB_txn *txn, uint64_t wall_ms, uint64_t *dropped)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t n = 0, next = 0, oldest = UINT64_MAX;
	int rc;
	if (dropped)
		*dropped = 0;
	/* Nothing can have expired before the oldest op held does. */
	rp_meta_get_u64(st, txn, "pending_expiry", &next);
	if (next && wall_ms < next)
		return 0;
	if ((rc = mdb_cursor_open(txn, st->pending, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t at = v.mv_size >= S_HEAD ? rp_be64_get((const uint8_t *)v.mv_data + RP_DEVICE_LEN) : 0;
		int r;
		if (at + RP_PENDING_TTL_MS > wall_ms) {
			if (at < oldest)
				oldest = at;
			continue;
		}
		if ((r = s_del(st, txn, c, &v))) {
			mdb_cursor_close(c);
			return r;
		}
		n++;
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND)
		return rp_store_err(rc);
	if (dropped)
		*dropped = n;
	return rp_meta_put_u64(st, txn, "pending_expiry",
	                       oldest == UINT64_MAX ? UINT64_MAX : oldest + RP_PENDING_TTL_MS);
}

int rp_pending_hold(rp_store *st, MDB_txn *txn, const uint8_t sender[RP_DEVICE_LEN],
                    const uint8_t opid[RP_OPID_LEN], const uint8_t *bytes, size_t len,
                    uint64_t wall_ms)
{
	char key[16 + RP_DEVICE_TEXT];
	MDB_val k = { RP_OPID_LEN, (void *)opid }, v;
	uint64_t ops, sbytes, tops, tbytes;
	uint8_t *entry;
	int rc;

	if (mdb_get(txn, st->pending, &k, &v) == 0)
		return 0;                          /* held already (from any sender) */
	s_sender_key(key, sizeof key, sender);
	for (int pass = 0; pass < 2; pass++) {
		s_sender_get(st, txn, key, &ops, &sbytes);
		rp_meta_get_u64(st, txn, "pending_ops", &tops);
		rp_meta_get_u64(st, txn, "pending_bytes", &tbytes);
		if (tops < RP_PENDING_MAX && tbytes + len <= RP_PENDING_BYTES_MAX &&
		    ops < RP_PENDING_SENDER_OPS_MAX && sbytes + len <= RP_PENDING_SENDER_BYTES_MAX)
			break;
		if (pass == 1)
			return RP_ELIMIT;
		if ((rc = rp_pending_expire(st, txn, wall_ms, NULL)))
			return rc;
	}
	if (!(entry = malloc(S_HEAD + len)))
		return RP_ENOMEM;
	memcpy(entry, sender, RP_DEVICE_LEN);
	rp_be64_put(entry + RP_DEVICE_LEN, wall_ms);
	memcpy(entry + S_HEAD, bytes, len);
	v = (MDB_val){ S_HEAD + len, entry };
	rc = mdb_put(txn, st->pending, &k, &v, 0);
	free(entry);
	if (rc)
		return rp_store_err(rc);
	if ((rc = rp_meta_put_u64(st, txn, "pending_format", 2)))
		return rc;
	{
		uint64_t next = 0;
		rp_meta_get_u64(st, txn, "pending_expiry", &next);
		if ((!next || wall_ms + RP_PENDING_TTL_MS < next) &&
		    (rc = rp_meta_put_u64(st, txn, "pending_expiry", wall_ms + RP_PENDING_TTL_MS)))
			return rc;
	}
	return s_count(st, txn, sender, len, 1);
}

int rp_pending_retry(rp_store *st, MDB_txn *txn, rp_dirty *dirty, uint64_t *clock,
                     uint64_t wall_ms, rp_pending_tally *tally)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t gen = 0, tried = 0, tops = 0;
	int rc, again = 1;

	rp_meta_get_u64(st, txn, "unblock_gen", &gen);
	rp_meta_get_u64(st, txn, "pending_tried", &tried);
	rp_meta_get_u64(st, txn, "pending_ops", &tops);
	if (gen == tried || tops == 0)
		return 0;                          /* nothing arrived that could release one */
	while (again) {
		again = 0;
		if ((rc = mdb_cursor_open(txn, st->pending, &c)))
			return rp_store_err(rc);
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			const uint8_t *src = v.mv_data, *bytes = src + S_HEAD;
			size_t len = v.mv_size > S_HEAD ? v.mv_size - S_HEAD : 0;
			rp_op op;
			int r = len ? rp_op_decode(bytes, len, &op) : RP_EFORMAT, verified = r == 0;
			/* Verified once, before it was held: never again here (a
			 * table of junk costs no signature checks). */
			if (r == 0)
				r = rp_ingest_from(st, txn, &op, bytes, len, src, dirty, clock, wall_ms);
			if (r == RP_ENOTMEMBER || r == RP_ENOTFOUND)
				continue;
			if (rp_store_full(r)) {
				mdb_cursor_close(c);
				return r;
			}
			if (r == 0) {
				tally->taken++;
				again = 1;              /* a roster op may free others */
			} else if (r != RP_EDUP) {
				tally->refused++;
				if (verified && (rc = rp_ingest_note_refused(st, txn, &op, r))) {
					mdb_cursor_close(c);
					return rc;
				}
			}
			if ((rc = s_del(st, txn, c, &v))) {
				mdb_cursor_close(c);
				return rc;
			}
		}
		mdb_cursor_close(c);
	}
	/* what the walk took may itself have bumped the generation */
	rp_meta_get_u64(st, txn, "unblock_gen", &gen);
	return rp_meta_put_u64(st, txn, "pending_tried", gen);
}

int rp_pending_needs_upgrade(rp_store *st, MDB_txn *txn)
{
	uint64_t format = 0;
	MDB_stat ms;
	rp_meta_get_u64(st, txn, "pending_format", &format);
	return format < 2 && mdb_stat(txn, st->pending, &ms) == 0 && ms.ms_entries > 0;
}

int rp_pending_upgrade(rp_store *st, MDB_txn *txn, uint64_t wall_ms)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint8_t *buf = malloc(S_HEAD + RP_OP_MAX);
	int rc;
	if (!buf)
		return RP_ENOMEM;
	if ((rc = mdb_cursor_open(txn, st->pending, &c))) {
		free(buf);
		return rp_store_err(rc);
	}
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		size_t len = v.mv_size > RP_DEVICE_LEN ? v.mv_size - RP_DEVICE_LEN : 0;
		MDB_val nv = { S_HEAD + len, buf };
		int r;
		if (len == 0 || len > RP_OP_MAX) {
			r = rp_store_err(mdb_cursor_del(c, 0));     /* nothing an upgrade could keep */
		} else {
			memcpy(buf, v.mv_data, RP_DEVICE_LEN);
			rp_be64_put(buf + RP_DEVICE_LEN, wall_ms);
			memcpy(buf + S_HEAD, (const uint8_t *)v.mv_data + RP_DEVICE_LEN, len);
			r = rp_store_err(mdb_cursor_put(c, &k, &nv, MDB_CURRENT));
			if (r == 0)
				r = s_count(st, txn, buf, len, 1);
		}
		if (r) {
			mdb_cursor_close(c);
			free(buf);
			return r;
		}
	}
	mdb_cursor_close(c);
	free(buf);
	if (rc != MDB_NOTFOUND)
		return rp_store_err(rc);
	/* walk the table at the next batch: the roster may have grown meanwhile */
	if ((rc = rp_meta_put_u64(st, txn, "unblock_gen", 1)) || (rc = rp_meta_put_u64(st, txn, "pending_tried", 0)) ||
	    (rc = rp_meta_put_u64(st, txn, "pending_expiry", wall_ms + RP_PENDING_TTL_MS)))
		return rc;
	return rp_meta_put_u64(st, txn, "pending_format", 2);
}

typedef struct s_expire_job {
	uint64_t now, got;
} s_expire_job;

static int s_expire_run(rp_store *st, MDB_txn *txn, void *arg)
{
	s_expire_job *j = arg;
	j->got = 0;
	return rp_pending_expire(st, txn, j->now, &j->got);
}

int rp_pending_sweep(rp_store *st, uint64_t now_ms, uint64_t *dropped)
{
	MDB_txn *txn;
	uint64_t tops = 0, got = 0, next = 0;
	int rc;
	if (dropped)
		*dropped = 0;
	if ((rc = rp_store_begin(st, 0, &txn)))
		return rc;
	rp_meta_get_u64(st, txn, "pending_ops", &tops);
	rp_meta_get_u64(st, txn, "pending_expiry", &next);
	mdb_txn_abort(txn);
	if (tops == 0 || (next && now_ms < next))
		return 0;
	{
		s_expire_job j = { now_ms, 0 };
		if ((rc = rp_store_run(st, s_expire_run, &j)))
			return rc;
		got = j.got;
	}
	if (dropped)
		*dropped = got;
	return 0;
}

void rp_pending_totals(rp_store *st, MDB_txn *txn, uint64_t *ops, uint64_t *bytes)
{
	uint64_t o = 0, b = 0;
	rp_meta_get_u64(st, txn, "pending_ops", &o);
	rp_meta_get_u64(st, txn, "pending_bytes", &b);
	if (ops)
		*ops = o;
	if (bytes)
		*bytes = b;
}

json_t *rp_pending_senders(rp_store *st, MDB_txn *txn)
{
	static const char prefix[] = "pending:";
	json_t *list = json_array();
	MDB_cursor *c;
	MDB_val k = { sizeof prefix - 1, (void *)prefix }, v;
	if (!list || mdb_cursor_open(txn, st->meta, &c))
		return list;
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		char id[RP_DEVICE_TEXT + 1], member[RP_NAME_MAX + 1] = "?";
		uint8_t dev[RP_DEVICE_LEN];
		size_t idlen = k.mv_size - (sizeof prefix - 1);
		if (k.mv_size < sizeof prefix - 1 || memcmp(k.mv_data, prefix, sizeof prefix - 1))
			break;
		if (v.mv_size != 16 || idlen > RP_DEVICE_TEXT)
			continue;
		memcpy(id, (const char *)k.mv_data + sizeof prefix - 1, idlen);
		id[idlen] = 0;
		if (rp_b32_decode(id, dev, sizeof dev) == 0)
			rp_roster_device(st, txn, dev, member, NULL);
		json_array_append_new(list, json_pack("{sssssIsI}", "device", id, "member", member,
		                      "ops", (json_int_t)rp_be64_get(v.mv_data),
		                      "bytes", (json_int_t)rp_be64_get((const uint8_t *)v.mv_data + 8)));
	}
	mdb_cursor_close(c);
	return list;
}
