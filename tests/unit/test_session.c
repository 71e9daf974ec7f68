/* tests/unit/test_session.c — the sync state machine driven in-process: two
 * real stores, messages carried by hand. A newcomer joins and converges;
 * edits on both sides converge; a duplicated batch changes nothing; a stale
 * or repeated ack fails the session (acks never buy credit); a
 * reordered or truncated batch fails the session without damage and the
 * next sync completes; a tampered op is refused and counted. */
#include <string.h>

#include "tap.h"
#include "syncpair.h"
#include <sodium.h>
#include "../proto/body.h"

int main(void)
{
	char *ha = home("a"), *hb = home("b");
	rp_node *a, *b;
	rp_write *w;
	rp_session *c, *s;
	msg_t box[64];
	size_t n;

	rp_init(ha, "ann", "Acme", now);
	rp_init(hb, "bob", NULL, now);
	rp_node_open(ha, &a);
	rp_node_open(hb, &b);
	rp_node_set_now(a, now);
	rp_node_set_now(b, now);
	rp_write_begin(a, &w);
	is_int(rp_member_add(w, "bob", b->key.pk, "manager"), 0, "ann adds bob's device");
	rp_write_commit(&w);
	log_many(a, "Bakery Blum", 30);

	/* 1. A newcomer joins: roster checked back to the genesis, then everything. */
	ok(!same_digest(a, b), "before the first sync the newcomer holds nothing");
	ok(sync_once(b, a), "the newcomer's first sync completes");
	ok(same_digest(a, b), "and it holds exactly what the team holds");
	{
		char m[64] = "";
		is_int(rp_node_member(b, m, sizeof m), 0, "the newcomer is now a member");
		is_str(m, "bob", "as bob");
	}

	/* 2. Edits on both sides, offline, then one sync: both directions. */
	log_many(a, "Bakery Blum", 5);
	log_many(b, "Café Central", 7);
	ok(sync_once(b, a), "a sync with edits on both sides completes");
	ok(same_digest(a, b), "both sides converge");
	{
		uint8_t acct[RP_ACCOUNT_LEN];
		json_t *v = NULL;
		ok(rp_account_find(a, "Café Central", acct) == 0 && rp_account_show(a, acct, &v) == 0 &&
		   json_array_size(json_object_get(v, "interactions")) == 7, "bob's account arrived whole at ann's");
		json_decref(v);
	}
	ok(sync_once(b, a), "a sync with nothing new completes");
	ok(same_digest(a, b), "and changes nothing");
	is_int(last.sent + last.received, 0, "and moves no op either way: nothing echoes back");

	/* 3. A duplicated batch changes nothing (and is not acknowledged twice: acks are counted). */
	log_many(a, "Bakery Blum", 3);
	rp_session_open(b, a->key.pk, 1, &c);
	rp_session_open(a, b->key.pk, 0, &s);
	n = drain(c, box, 64);                             /* hello */
	for (size_t i = 0; i < n; i++)
		rp_session_input(s, box[i].data, box[i].len);
	free_msgs(box, n);
	n = drain(s, box, 64);                             /* hello, batch, done */
	ok(n >= 2, "the server answers with hello and a batch");
	for (size_t i = 0; i < n; i++)
		rp_session_input(c, box[i].data, box[i].len);
	{
		json_int_t ops = status_int(b, "ops");
		is_int(rp_session_input(c, box[1].data, box[1].len), 0, "a repeated batch is accepted");
		is_int(status_int(b, "ops"), ops, "and stores nothing twice");
	}
	free_msgs(box, n);
	ok(pump(c, s), "the session still completes");
	rp_session_free(&c);
	rp_session_free(&s);
	ok(same_digest(a, b), "both sides converge");

	/* 4. Reordered batches: the session fails, nothing is damaged, the next sync completes. */
	log_many(a, "Bakery Blum", 2500);                  /* several batches */
	rp_session_open(b, a->key.pk, 1, &c);
	rp_session_open(a, b->key.pk, 0, &s);
	n = drain(c, box, 64);
	for (size_t i = 0; i < n; i++)
		rp_session_input(s, box[i].data, box[i].len);
	free_msgs(box, n);
	n = drain(s, box, 64);                             /* hello + up to credit batches */
	ok(n >= 3, "the server sends several batches (%zu messages)", n);
	rp_session_input(c, box[0].data, box[0].len);
	{
		json_int_t ops = status_int(b, "ops");
		ok(rp_session_input(c, box[2].data, box[2].len) < 0, "a batch that skips one fails the session");
		is_int(rp_session_state(c), RP_SESSION_FAILED, "the session is failed");
		is_int(status_int(b, "ops"), ops, "and nothing of it was stored");
	}
	free_msgs(box, n);
	rp_session_free(&c);
	rp_session_free(&s);
	ok(sync_once(b, a), "the next sync completes");
	ok(same_digest(a, b), "both sides converge");

	/* 5. A truncated batch fails the session; nothing applied; next sync fine. */
	log_many(a, "Bakery Blum", 4);
	rp_session_open(b, a->key.pk, 1, &c);
	rp_session_open(a, b->key.pk, 0, &s);
	n = drain(c, box, 64);
	for (size_t i = 0; i < n; i++)
		rp_session_input(s, box[i].data, box[i].len);
	free_msgs(box, n);
	n = drain(s, box, 64);
	rp_session_input(c, box[0].data, box[0].len);
	{
		json_int_t ops = status_int(b, "ops");
		ok(rp_session_input(c, box[1].data, box[1].len / 2) < 0, "a truncated batch fails the session");
		is_int(status_int(b, "ops"), ops, "and nothing of it was stored");
	}
	free_msgs(box, n);
	rp_session_free(&c);
	rp_session_free(&s);
	ok(sync_once(b, a), "the next sync completes");
	ok(same_digest(a, b), "both sides converge");

	/* 6. A tampered op inside a well-formed batch is refused and counted. */
	log_many(a, "Bakery Blum", 3);
	rp_session_open(b, a->key.pk, 1, &c);
	rp_session_open(a, b->key.pk, 0, &s);
	n = drain(c, box, 64);
	for (size_t i = 0; i < n; i++)
		rp_session_input(s, box[i].data, box[i].len);
	free_msgs(box, n);
	n = drain(s, box, 64);
	{
		rp_msg m;
		rp_batch_builder bb;
		uint8_t *rebuilt = malloc(RP_BATCH_MAX + 4096);
		const uint8_t *op, *start;
		size_t pos = 0, len, k = 0, blen;
		rp_session_stats st;
		json_int_t refused = status_int(b, "refused");
		rp_session_input(c, box[0].data, box[0].len);
		ok(rp_msg_decode(box[1].data, box[1].len, &m) == 0 && m.type == RP_MSG_BATCH, "a batch");
		rp_batch_begin(&bb, rebuilt, RP_BATCH_MAX + 4096);
		while (rp_msg_batch_next(&m, &pos, &op, &len) == 1) {
			uint8_t copy[RP_OP_MAX];
			memcpy(copy, op, len);
			if (k++ == 1)
				copy[len - 10] ^= 0x01;            /* inside the signature */
			rp_batch_add(&bb, copy, len);
		}
		rp_batch_finish(&bb, m.first, m.last, &start, &blen);
		is_int(rp_session_input(c, start, blen), 0, "the batch with one tampered op is taken");
		rp_session_stats_get(c, &st);
		is_int(st.refused, 1, "the tampered op is refused");
		is_int(status_int(b, "refused"), refused + 1, "and counted in status");
		free(rebuilt);
		for (size_t i = 2; i < n; i++)
			rp_session_input(c, box[i].data, box[i].len);
	}
	free_msgs(box, n);
	pump(c, s);
	rp_session_free(&c);
	rp_session_free(&s);

	/* 7. A peer whose clock runs an hour ahead: its ops are kept, its clock flagged,
	 * and ours is not dragged an hour forward. */
	{
		json_t *st, *sk;
		rp_node_set_now(b, now + 3600 * 1000);
		log_many(b, "Café Central", 1);
		uint8_t cafe[RP_ACCOUNT_LEN];
		char x[65] = "a", y[65] = "b";
		ok(sync_once(b, a), "a sync from a device an hour ahead completes");
		/* (not the whole digest: the op tampered above is one bob never got) */
		if (rp_account_find(a, "Café Central", cafe) == 0) {
			rp_digest(a, cafe, x);
			rp_digest(b, cafe, y);
		}
		is_str(x, y, "its op is kept");
		rp_status(a, &st);
		sk = json_array_get(json_object_get(st, "clock_skew"), 0);
		is_str(json_string_value(json_object_get(sk, "member")), "bob", "status flags bob's clock");
		ok(json_integer_value(json_object_get(sk, "ahead_ms")) >= (json_int_t)(3600 * 1000 - RP_SKEW_MAX_MS),
		   "as about an hour ahead");
		json_decref(st);
		rp_node_set_now(b, now);
	}

	/* 8. Garbage never crashes a session. */
	rp_session_open(a, b->key.pk, 0, &s);
	{
		uint8_t junk[512];
		int failed = 0;
		for (int i = 0; i < 200; i++) {
			for (size_t j = 0; j < sizeof junk; j++)
				junk[j] = (uint8_t)rand();
			junk[0] = (uint8_t)(0x90 + (i % 16));      /* sometimes an array */
			failed += rp_session_input(s, junk, (size_t)(i * 2 + 1)) < 0;
			if (rp_session_state(s) == RP_SESSION_FAILED) {
				rp_session_free(&s);
				rp_session_open(a, b->key.pk, 0, &s);
			}
		}
		ok(failed == 200, "200 random messages are all refused");
	}
	rp_session_free(&s);

	/* 9. A hello's wall clock is a hint from the peer: any value is safe
	 * (2^63 once overflowed the difference: found by fuzz_session). */
	{
		static const uint64_t walls[] = { 1, (1ULL << 63), UINT64_MAX, 0 };
		uint8_t team[RP_TEAM_LEN], buf[256];
		size_t len;
		MDB_txn *txn;
		MDB_val v;
		rp_session_stats st;
		int fine = 1;
		rp_store_begin(a->store, 0, &txn);
		rp_meta_get(a->store, txn, "team", &v);
		memcpy(team, v.mv_data, RP_TEAM_LEN);
		mdb_txn_abort(txn);
		for (size_t i = 0; i < sizeof walls / sizeof walls[0]; i++) {
			rp_session_open(a, b->key.pk, 0, &s);
			rp_msg_hello(buf, sizeof buf, &len, team, b->key.pk, 0, 0, 8, 0, walls[i], 0);
			fine &= rp_session_input(s, buf, len) == 0 && rp_session_state(s) == RP_SESSION_STREAM;
			rp_session_stats_get(s, &st);
			if (walls[i] > now + RP_SKEW_MAX_MS)
				fine &= st.clock_ahead_ms < -(int64_t)RP_SKEW_MAX_MS;
			rp_session_free(&s);
		}
		ok(fine, "a hello with a wall clock of 1, 2^63, 2^64-1 or 0 is taken, the far ones reported as ahead");

		/* 10. Acks never buy credit: one behind its batch (stale) or with
		 * nothing in flight fails the session. */
		for (int kind = 0; kind < 2; kind++) {
			const uint8_t *out;
			size_t olen;
			uint64_t sent_to = 0;
			int batches = 0;
			if (kind == 0)
				log_many(a, "Ack Test GmbH", 40);
			rp_session_open(a, b->key.pk, 0, &s);
			rp_msg_hello(buf, sizeof buf, &len, team, b->key.pk, 0, 0, 1, 0, 7, 0);
			rp_session_input(s, buf, len);
			while (rp_session_output(s, &out, &olen) == 1) {
				rp_msg m;
				if (rp_msg_decode(out, olen, &m) == 0 && m.type == RP_MSG_BATCH)
					batches++, sent_to = m.last;
			}
			if (kind == 0) {
				ok(batches == 1, "with credit 1 the server sends one batch, then waits");
				rp_msg_ack(buf, sizeof buf, &len, 0);
				ok(rp_session_input(s, buf, len) < 0 && strstr(rp_session_error(s), "stale ack"),
				   "an ack of 0 (stale) fails the session, buying no credit");
			} else {
				rp_msg_ack(buf, sizeof buf, &len, sent_to);
				ok(rp_session_input(s, buf, len) == 0, "the right ack is taken");
				while (rp_session_output(s, &out, &olen) == 1)
					;
				rp_msg_ack(buf, sizeof buf, &len, sent_to);
				ok(rp_session_input(s, buf, len) < 0 && rp_session_state(s) == RP_SESSION_FAILED,
				   "the same ack again (repeated) fails the session");
			}
			rp_session_free(&s);
		}

		/* 10b. The driver's bound caps batches in flight below the peer's
		 * credit; progress moves on hello, batch, ack and done, never on a
		 * trickle of announcements. */
		{
			const uint8_t *out;
			size_t olen;
			uint64_t sent_to = 0, p0, p1;
			int batches = 0;
			uint8_t acct[RP_ACCOUNT_LEN] = { 1 };
			log_many(a, "Bound Test GmbH", 3000);
			rp_session_open(a, b->key.pk, 0, &s);
			rp_session_limit(s, 2);
			is_int((int)rp_session_progress(s), 0, "a new session has made no progress");
			rp_msg_hello(buf, sizeof buf, &len, team, b->key.pk, 0, 0, 64, 0, 7, 0);
			rp_session_input(s, buf, len);
			p0 = rp_session_progress(s);
			ok(p0 == 1, "the peer's hello is progress");
			while (rp_session_output(s, &out, &olen) == 1) {
				rp_msg m;
				if (rp_msg_decode(out, olen, &m) == 0 && m.type == RP_MSG_BATCH && batches++ == 0)
					sent_to = m.last;
			}
			is_int(batches, 2, "credit 64 from the peer, a bound of 2 from the driver: two batches go out");
			for (int i = 0; i < 50; i++) {
				rp_msg_have(buf, sizeof buf, &len, acct, 1);
				rp_session_input(s, buf, len);
			}
			ok(rp_session_progress(s) == p0, "fifty announcements are no progress");
			rp_msg_ack(buf, sizeof buf, &len, sent_to);
			rp_session_input(s, buf, len);
			p1 = rp_session_progress(s);
			ok(p1 == p0 + 1, "an ack is");
			rp_session_limit(s, 1);
			ok(rp_session_output(s, &out, &olen) == 0, "the bound lowered to 1: nothing more while one is in flight");
			rp_session_free(&s);
		}

		/* 11. A batch cannot move a cursor past what is possible. */
		{
			static const struct { uint64_t span; const char *what; } bad[] = {
				{ UINT64_MAX, "a batch ending at 2^64-1" },
				{ RP_SEQ_MAX + 1, "a batch ending past RP_SEQ_MAX" },
				{ 1, "a range of one position holding two ops" },
			};
			for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
				rp_batch_builder bb;
				const uint8_t *start, *out;
				uint8_t big[1024];
				size_t blen, olen;
				uint64_t cur = 0, after = 0;
				for (int pass = 0; pass < 2; pass++) {
					MDB_txn *t2;
					MDB_val ck = { RP_DEVICE_LEN, a->key.pk }, cv;
					uint64_t *into = pass ? &after : &cur;
					if (pass == 0) {
						rp_store_begin(b->store, 0, &t2);
					} else {
						rp_batch_begin(&bb, big, sizeof big);
						rp_batch_add(&bb, (const uint8_t *)"op-one", 6);
						rp_batch_add(&bb, (const uint8_t *)"op-two", 6);
						rp_batch_finish(&bb, cur, bad[i].span == 1 ? cur + 1 : bad[i].span, &start, &blen);
						rp_session_open(b, a->key.pk, 1, &c);
						while (rp_session_output(c, &out, &olen) == 1)
							;
						rp_msg_hello(buf, sizeof buf, &len, team, a->key.pk, 0, 0, 8, 10, 7, 0);
						rp_session_input(c, buf, len);
						ok(rp_session_input(c, start, blen) < 0 && strstr(rp_session_error(c), "impossible batch"),
						   "%s, starting at bob's cursor, fails the session", bad[i].what);
						rp_session_free(&c);
						rp_store_begin(b->store, 0, &t2);
					}
					if (mdb_get(t2, b->store->cursors, &ck, &cv) == 0 && cv.mv_size == 8)
						*into = rp_be64_get(cv.mv_data);
					mdb_txn_abort(t2);
				}
				ok(after == cur, "... and bob's cursor into ann's feed stays at %llu", (unsigned long long)cur);
			}
		}
	}
	/* 12. An op whose author is not known yet waits in the pending table
	 * (status names who gave it to us) and goes in when the roster op
	 * that adds its device arrives; it is not verified a second time. */
	{
		uint8_t team[RP_TEAM_LEN], xpk[RP_DEVICE_LEN], xsk[RP_SECRET_LEN], opb[2][1024], buf[256];
		size_t opl[2], blen, len;
		uint64_t cur = 0, head = 0;
		const uint8_t *start;
		rp_batch_builder bb;
		uint8_t bbuf[4096];
		MDB_txn *t2;
		MDB_val v;
		json_t *st;
		crypto_sign_keypair(xpk, xsk);
		rp_store_begin(a->store, 0, &t2);
		rp_meta_get(a->store, t2, "team", &v);
		memcpy(team, v.mv_data, RP_TEAM_LEN);
		{
			MDB_val ck = { RP_DEVICE_LEN, b->key.pk }, cv, hk = { RP_DEVICE_LEN, a->key.pk }, hv;
			if (mdb_get(t2, a->store->cursors, &ck, &cv) == 0 && cv.mv_size == 8)
				cur = rp_be64_get(cv.mv_data);
			if (mdb_get(t2, a->store->heads, &hk, &hv) == 0 && hv.mv_size == 8)
				head = rp_be64_get(hv.mv_data);
		}
		mdb_txn_abort(t2);
		for (int i = 0; i < 2; i++) {
			rp_body_builder bd;
			const uint8_t *body;
			size_t bl;
			rp_op op;
			memset(&op, 0, sizeof op);
			op.version = RP_PROTO_VERSION;
			memcpy(op.team, team, RP_TEAM_LEN);
			rp_body_init(&bd);
			if (i == 0) {                  /* by the unknown device */
				memcpy(op.author, xpk, RP_DEVICE_LEN);
				op.seq = 1;
				snprintf(op.kind, sizeof op.kind, "x.hello");
				rp_body_put_str(&bd, "note", "from a newer device");
			} else {                       /* ann, the admin, adds it to bob */
				memcpy(op.author, a->key.pk, RP_DEVICE_LEN);
				op.seq = head + 1000;
				snprintf(op.kind, sizeof op.kind, "device.add");
				rp_body_put_str(&bd, "member", "bob");
				rp_body_put_bin(&bd, "device", xpk, RP_DEVICE_LEN);
			}
			op.hlc = RP_HLC_MAKE(now, 100 + i);
			rp_body_finish(&bd, &body, &bl);
			op.body = body;
			op.body_len = bl;
			rp_op_sign(&op, i == 0 ? xsk : a->key.sk);
			rp_op_encode(&op, opb[i], sizeof opb[i], &opl[i]);
			rp_body_free(&bd);
		}
		rp_session_open(a, b->key.pk, 0, &s);
		rp_msg_hello(buf, sizeof buf, &len, team, b->key.pk, 0, 0, 8, cur + 2, 7, 0);
		rp_session_input(s, buf, len);
		for (int i = 0; i < 2; i++) {
			rp_batch_begin(&bb, bbuf, sizeof bbuf);
			rp_batch_add(&bb, opb[i], opl[i]);
			rp_batch_finish(&bb, cur + (uint64_t)i, cur + (uint64_t)i + 1, &start, &blen);
			is_int(rp_session_input(s, start, blen), 0, "batch %d is taken", i + 1);
			if (i == 0) {
				rp_status(a, &st);
				is_int(json_integer_value(json_object_get(st, "pending")), 1, "the unknown device's op waits");
				ok(json_array_size(json_object_get(st, "pending_from")) == 1 &&
				   !strcmp(json_string_value(json_object_get(json_array_get(json_object_get(st, "pending_from"), 0),
				                                             "member")), "bob"),
				   "... and status says bob's device gave it");
				json_decref(st);
			}
		}
		is_int(status_int(a, "pending"), 0, "the roster op came: nothing waits any more");
		rp_session_free(&s);
	}
	{
		json_t *rep;
		ok(rp_fsck(a, &rep) == 0, "ann's store is sound");
		json_decref(rep);
		ok(rp_fsck(b, &rep) == 0, "bob's store is sound");
		json_decref(rep);
	}

	rp_node_close(&a);
	rp_node_close(&b);
	rmhome(ha);
	rmhome(hb);
	return done_testing();
}
