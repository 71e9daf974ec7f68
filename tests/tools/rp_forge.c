/* tests/tools/rp_forge.c — a hostile member: signs ops of its own making with
 * HOME's device key (a real member of the team) and pushes them in a sync
 * session with a node, as one extra batch ahead of its honest feed. The
 * node must judge each op as it would any other (node/store/authz.h). Never
 * built into rapport; tests/t/t2070-hostile-member.sh drives it.
 *
 *   rp_forge HOME ENDPOINT PEER_ID OPS.jsonl
 *
 * Each line of OPS.jsonl is one op: {"kind": K, "account": ACCOUNT_ID or "",
 * "hlc_ms": MS (default: now, RAPPORT_NOW honoured), "body": {...}}. Body
 * strings "bin:BASE32" become bin (an account or device id), strings
 * "opid:DEVICE_ID:SEQ" the 40-byte op id, other JSON values their msgpack
 * twins. Seqs follow HOME's head (the honest ops it later writes take the
 * same seqs: a node that refused the forged ones holds no twin).
 * Prints "forged: KIND seq SEQ" per op, then the session's counters.
 * Exit 0 when the session completed, 1 when it failed, 2 on bad input. */
#include <jansson.h>
#include <msgpack.h>

#include "drive.h"
#include "../../node/store/store.h"
#include "../../proto/hlc.h"

#define S_OUT_CAP (RP_BATCH_MAX + 4096)

static uint8_t *s_ops[RP_BATCH_OPS_MAX];
static size_t s_lens[RP_BATCH_OPS_MAX], s_nops;
static int s_injected, s_acks_swallowed;

/* A body string: bin:, opid: or text. */
static int s_pack_str(msgpack_packer *pk, const char *s)
{
	uint8_t buf[RP_OPID_LEN];
	if (!strncmp(s, "bin:", 4)) {
		size_t n = strlen(s + 4) * 5 / 8;
		if (n > sizeof buf || rp_b32_decode(s + 4, buf, n))
			return -1;
		msgpack_pack_bin(pk, n);
		msgpack_pack_bin_body(pk, buf, n);
		return 0;
	}
	if (!strncmp(s, "opid:", 5)) {
		const char *colon = strchr(s + 5, ':');
		char dev[RP_DEVICE_TEXT + 1];
		if (!colon || colon - (s + 5) != RP_DEVICE_TEXT)
			return -1;
		memcpy(dev, s + 5, RP_DEVICE_TEXT);
		dev[RP_DEVICE_TEXT] = 0;
		if (rp_b32_decode(dev, buf, RP_DEVICE_LEN))
			return -1;
		rp_be64_put(buf + RP_DEVICE_LEN, strtoull(colon + 1, NULL, 10));
		msgpack_pack_bin(pk, RP_OPID_LEN);
		msgpack_pack_bin_body(pk, buf, RP_OPID_LEN);
		return 0;
	}
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
	return 0;
}

static int s_pack(msgpack_packer *pk, const json_t *v)
{
	const char *key;
	json_t *val;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		msgpack_pack_map(pk, json_object_size(v));
		json_object_foreach((json_t *)v, key, val) {
			msgpack_pack_str(pk, strlen(key));
			msgpack_pack_str_body(pk, key, strlen(key));
			if (s_pack(pk, val))
				return -1;
		}
		return 0;
	case JSON_ARRAY:
		msgpack_pack_array(pk, json_array_size(v));
		json_array_foreach(v, i, val)
			if (s_pack(pk, val))
				return -1;
		return 0;
	case JSON_STRING:
		return s_pack_str(pk, json_string_value(v));
	case JSON_INTEGER:
		return msgpack_pack_int64(pk, json_integer_value(v));
	case JSON_TRUE:
		return msgpack_pack_true(pk);
	case JSON_FALSE:
		return msgpack_pack_false(pk);
	case JSON_NULL:
		return msgpack_pack_nil(pk);
	default:
		return -1;
	}
}

/* Sign every op of the file with HOME's key. */
static int s_forge(const char *home, const char *path)
{
	json_error_t err;
	FILE *f = fopen(path, "r");
	char line[RP_OP_MAX];
	rp_node *n = NULL;
	MDB_txn *txn;
	MDB_val k, v;
	uint8_t team[RP_TEAM_LEN];
	uint64_t seq = 0, now = 0, hlc = 0;
	const char *now_text = getenv("RAPPORT_NOW");
	int rc = 2;

	if (!f || rp_node_open(home, &n) || rp_store_begin(n->store, 0, &txn)) {
		fprintf(stderr, "rp_forge: cannot open %s or %s\n", home, path);
		goto out;
	}
	if (rp_node_identity(n, txn, team, NULL, NULL)) {
		mdb_txn_abort(txn);
		fprintf(stderr, "rp_forge: %s is in no team\n", home);
		goto out;
	}
	k = (MDB_val){ RP_DEVICE_LEN, n->key.pk };
	if (mdb_get(txn, n->store->heads, &k, &v) == 0 && v.mv_size == 8)
		seq = rp_be64_get(v.mv_data);
	rp_meta_get_u64(n->store, txn, "hlc", &hlc);
	mdb_txn_abort(txn);
	now = now_text && rp_when_parse_iso(now_text, &now) == 0 ? now : rp_node_now(n);
	while (fgets(line, sizeof line, f) && s_nops < RP_BATCH_OPS_MAX) {
		json_t *j = json_loads(line, 0, &err);
		const char *kind = json_string_value(json_object_get(j, "kind"));
		const char *acct = json_string_value(json_object_get(j, "account"));
		msgpack_sbuffer sb;
		msgpack_packer pk;
		uint8_t buf[RP_OP_MAX];
		size_t len;
		rp_op op;
		if (!j || !kind || strlen(kind) > RP_KIND_MAX) {
			fprintf(stderr, "rp_forge: %s: bad line: %s\n", path, j ? "no kind" : err.text);
			json_decref(j);
			goto out;
		}
		memset(&op, 0, sizeof op);
		op.version = RP_PROTO_VERSION;
		memcpy(op.team, team, RP_TEAM_LEN);
		memcpy(op.author, n->key.pk, RP_DEVICE_LEN);
		op.seq = ++seq;
		hlc = rp_hlc_next(hlc, now);
		op.hlc = json_is_integer(json_object_get(j, "hlc_ms"))
		       ? RP_HLC_MAKE((uint64_t)json_integer_value(json_object_get(j, "hlc_ms")), 0) : hlc;
		if (acct && *acct && rp_b32_decode(acct, op.account, RP_ACCOUNT_LEN)) {
			fprintf(stderr, "rp_forge: bad account id '%s'\n", acct);
			json_decref(j);
			goto out;
		}
		snprintf(op.kind, sizeof op.kind, "%s", kind);
		msgpack_sbuffer_init(&sb);
		msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
		if (s_pack(&pk, json_object_get(j, "body") ? json_object_get(j, "body") : json_object())) {
			fprintf(stderr, "rp_forge: a body value it cannot write\n");
			msgpack_sbuffer_destroy(&sb);
			json_decref(j);
			goto out;
		}
		op.body = (const uint8_t *)sb.data;
		op.body_len = sb.size;
		if (rp_op_sign(&op, n->key.sk) || rp_op_encode(&op, buf, sizeof buf, &len) ||
		    !(s_ops[s_nops] = malloc(len))) {
			fprintf(stderr, "rp_forge: cannot sign %s\n", kind);
			msgpack_sbuffer_destroy(&sb);
			json_decref(j);
			goto out;
		}
		memcpy(s_ops[s_nops], buf, len);
		s_lens[s_nops++] = len;
		printf("forged: %s seq %llu\n", kind, (unsigned long long)op.seq);
		msgpack_sbuffer_destroy(&sb);
		json_decref(j);
	}
	rc = s_nops ? 0 : 2;
out:
	if (f)
		fclose(f);
	rp_node_close(&n);
	return rc;
}

/* At the node's hello: our forged ops go first, as a batch outside the feed
 * order (first == last at the node's cursor), the way a backfill travels.
 * The node's first ack is for it: the session never sent it, so it never
 * sees that ack. */
static int s_in(void *arg, void *sock, const uint8_t *msg, size_t len)
{
	static uint8_t out[S_OUT_CAP];
	rp_batch_builder b;
	const uint8_t *start;
	size_t blen;
	rp_msg m;
	(void)arg;
	if (rp_msg_decode(msg, len, &m) != 0)
		return 0;
	if (m.type == RP_MSG_ACK && s_injected && !s_acks_swallowed) {
		s_acks_swallowed = 1;
		return 1;
	}
	if (m.type != RP_MSG_HELLO || s_injected)
		return 0;
	rp_batch_begin(&b, out, sizeof out);
	for (size_t i = 0; i < s_nops; i++)
		if (rp_batch_add(&b, s_ops[i], s_lens[i]) != 0)
			return -1;
	if (rp_batch_finish(&b, m.cursor, m.cursor, &start, &blen) || drive_send(sock, start, blen))
		return -1;
	s_injected = 1;
	return 0;
}

int main(int argc, char **argv)
{
	drive_hooks h = { .in = s_in };
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: rp_forge HOME ENDPOINT PEER_ID OPS.jsonl\n");
		return 2;
	}
	if ((rc = s_forge(argv[1], argv[4])) != 0)
		return rc;
	fflush(stdout);
	rc = drive_sync("rp_forge", argv[1], argv[2], argv[3], &h);
	for (size_t i = 0; i < s_nops; i++)
		free(s_ops[i]);
	return rc;
}
