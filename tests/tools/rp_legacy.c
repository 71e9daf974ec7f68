/* tests/tools/rp_legacy.c — makes HOME's store look like one written before
 * ingest checked text: it signs ops holding invalid UTF-8 and control
 * characters with HOME's key and appends them to the log directly, as the
 * old ingest did (ops, arrival feed, account index, heads, refs, authority),
 * then folds the views. Never built into rapport; tests/t/t0650-legacy-text.sh
 * drives it to check that such text still shows, and never raw.
 *
 *   rp_legacy HOME
 *
 * Prints the ids it made: "account ID NAME-KIND" per account, one per line:
 * "badutf8" (a name with a Latin-1 byte, a follow-up due now, an email),
 * "escapes" (ESC and C1 in its name, email and notes; an interaction whose
 * type and text hold ESC). Exit 0, or 1 with a message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "../../node/node.h"
#include "../../proto/body.h"
#include "../../node/store/authz.h"
#include "../../node/store/ingest.h"
#include "../../node/store/view.h"
#include "../../proto/hlc.h"
#include "../../proto/op.h"

static rp_node *s_node;
static MDB_txn *s_txn;
static uint8_t s_team[RP_TEAM_LEN];
static uint64_t s_seq, s_hlc, s_arrival, s_now;

static int s_put(MDB_dbi dbi, const void *k, size_t kl, const void *v, size_t vl)
{
	MDB_val key = { kl, (void *)k }, val = { vl, (void *)v };
	return mdb_put(s_txn, dbi, &key, &val, 0);
}

/* Sign and append one op as the old ingest stored it; b is freed. */
static int s_append(const uint8_t acct[RP_ACCOUNT_LEN], const char *kind, rp_body_builder *b)
{
	rp_store *st = s_node->store;
	uint8_t buf[RP_OP_MAX], opid[RP_OPID_LEN], akey[RP_ACCT_KEY_LEN], be[8];
	const uint8_t *body;
	size_t blen, len;
	rp_body parsed;
	rp_op op;
	int rc;

	rp_body_finish(b, &body, &blen);
	memset(&op, 0, sizeof op);
	op.version = RP_PROTO_VERSION;
	memcpy(op.team, s_team, RP_TEAM_LEN);
	memcpy(op.author, s_node->key.pk, RP_DEVICE_LEN);
	op.seq = ++s_seq;
	op.hlc = s_hlc = rp_hlc_next(s_hlc, s_now);
	memcpy(op.account, acct, RP_ACCOUNT_LEN);
	snprintf(op.kind, sizeof op.kind, "%s", kind);
	op.body = body;
	op.body_len = blen;
	if ((rc = rp_op_sign(&op, s_node->key.sk)) || (rc = rp_op_encode(&op, buf, sizeof buf, &len)))
		goto out;
	rp_op_id(&op, opid);
	rp_be64_put(be, ++s_arrival);
	rp_acct_key(akey, acct, op.hlc, opid);
	if ((rc = s_put(st->ops, opid, RP_OPID_LEN, buf, len)) ||
	    (rc = s_put(st->arrival, be, 8, opid, RP_OPID_LEN)) ||
	    (rc = s_put(st->acct_ops, akey, sizeof akey, "", 0)))
		goto out;
	rp_be64_put(be, s_seq);
	if ((rc = s_put(st->heads, op.author, RP_DEVICE_LEN, be, 8)))
		goto out;
	if (!strcmp(kind, "ix.log") || !strcmp(kind, "fu.add")) {
		uint8_t ref[RP_REF_LEN], val[RP_OPID_LEN + RP_ACCOUNT_LEN + RP_KIND_MAX];
		size_t kl = strlen(kind);
		rp_ref_of(ref, opid);
		memcpy(val, opid, RP_OPID_LEN);
		memcpy(val + RP_OPID_LEN, acct, RP_ACCOUNT_LEN);
		memcpy(val + RP_OPID_LEN + RP_ACCOUNT_LEN, kind, kl);
		if ((rc = s_put(st->refs, ref, RP_REF_LEN, val, RP_OPID_LEN + RP_ACCOUNT_LEN + kl)))
			goto out;
	}
	if (rp_body_parse(&parsed, body, blen) == 0)
		rc = rp_authz_note(st, s_txn, &op, &parsed, opid);
	rp_body_done(&parsed);
out:
	rp_body_free(b);
	return rc;
}

static void s_field(const uint8_t *acct, const char *field, const char *value)
{
	rp_body_builder b;
	rp_body_init(&b);
	rp_body_put_str(&b, "field", field);
	rp_body_put_str(&b, "value", value);
	if (s_append(acct, "acct.set", &b))
		exit(1);
}

static void s_account(uint8_t acct[RP_ACCOUNT_LEN], const char *name, const char *label)
{
	rp_body_builder b;
	char t[RP_ACCOUNT_TEXT + 1];
	randombytes_buf(acct, RP_ACCOUNT_LEN);
	rp_body_init(&b);
	rp_body_put_str(&b, "name", name);
	rp_body_put_str(&b, "owner", "ann");
	if (s_append(acct, "acct.create", &b))
		exit(1);
	rp_b32_encode(acct, RP_ACCOUNT_LEN, t, sizeof t);
	printf("account %s %s\n", t, label);
}

int main(int argc, char **argv)
{
	const char *now_text = getenv("RAPPORT_NOW");
	uint8_t bad[RP_ACCOUNT_LEN], esc[RP_ACCOUNT_LEN];
	rp_body_builder b;
	MDB_val k, v;

	if (argc != 2) {
		fprintf(stderr, "usage: rp_legacy HOME\n");
		return 2;
	}
	if (rp_node_open(argv[1], &s_node) || rp_store_begin(s_node->store, 1, &s_txn) ||
	    rp_node_identity(s_node, s_txn, s_team, NULL, NULL)) {
		fprintf(stderr, "rp_legacy: %s: %s\n", argv[1], rp_errmsg());
		return 1;
	}
	s_now = now_text && rp_when_parse_iso(now_text, &s_now) == 0 ? s_now : rp_node_now(s_node);
	k = (MDB_val){ RP_DEVICE_LEN, s_node->key.pk };
	if (mdb_get(s_txn, s_node->store->heads, &k, &v) == 0 && v.mv_size == 8)
		s_seq = rp_be64_get(v.mv_data);
	rp_meta_get_u64(s_node->store, s_txn, "hlc", &s_hlc);
	rp_meta_get_u64(s_node->store, s_txn, "arrival_next", &s_arrival);

	s_account(bad, "Caf\xe9 Legacy", "badutf8");         /* Latin-1 é: not UTF-8 */
	s_field(bad, "email", "owner@caf\xe9.example");
	rp_body_init(&b);
	rp_body_put_str(&b, "text", "Call Caf\xe9 back");
	rp_body_put_int(&b, "due", (int64_t)s_now);
	if (s_append(bad, "fu.add", &b))
		return 1;

	s_account(esc, "Esc \x1b[31mRed\x1b[0m \xc2\x9b" "2J Shop", "escapes");
	s_field(esc, "email", "evil\x1b]0;owned\x07@example.com");
	s_field(esc, "notes", "line one\nline \xc2\x9b" "31m two\x7f");
	rp_body_init(&b);
	rp_body_put_str(&b, "type", "call\x1b[5m");
	rp_body_put_str(&b, "text", "rang \x1b[2J the bell");
	rp_body_put_int(&b, "at", (int64_t)s_now);
	if (s_append(esc, "ix.log", &b))
		return 1;

	if (rp_meta_put_u64(s_node->store, s_txn, "arrival_next", s_arrival) ||
	    rp_meta_put_u64(s_node->store, s_txn, "hlc", s_hlc) ||
	    rp_view_refresh(s_node->store, s_txn, bad) || rp_view_refresh(s_node->store, s_txn, esc) ||
	    mdb_txn_commit(s_txn)) {
		fprintf(stderr, "rp_legacy: cannot write the store\n");
		return 1;
	}
	rp_node_close(&s_node);
	return 0;
}
