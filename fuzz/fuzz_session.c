/* fuzz/fuzz_session.c — arbitrary message sequences into a sync session over
 * a real store, and the same into one over an in-memory port
 * (tests/memport.h): no crash, no leak, no op ever stored unless its
 * signature verifies (checked with fsck whenever the store grew, and op by
 * op in memory), every message out decodes, and a session is live only if
 * it asked (its hello says so) and says it is (rp_session_is_live).
 * Input: a mode byte (bit 0: the session asks for live), then frames of
 * [step][len: 2 bytes big-endian][message bytes], fed in order to a
 * server-side session whose peer is a member device. After a message and
 * its replies, a live session is woken (step bit 0, as the driver does when
 * the store may have grown) and asked for a heartbeat (bit 1), and its
 * output drained again: the fuzzer chooses when the rounds happen. Each
 * input starts with none of the peer's feed held (its cursor forgotten;
 * its ops stay and come again as duplicates), so a batch from 0 is in
 * order whatever ran before. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "../node/node.h"
#include "../node/sync/feed.h"
#include "../tests/memport.h"

static rp_node *node;
static uint8_t peer[RP_DEVICE_LEN];
static size_t ops_seen;
static uint8_t team[RP_TEAM_LEN];

static size_t s_ops(void)
{
	json_t *st;
	size_t n;
	if (rp_status(node, &st))
		abort();
	n = (size_t)json_integer_value(json_object_get(st, "ops"));
	json_decref(st);
	return n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char home[] = "/tmp/rapport-fuzz-session-XXXXXX";
	uint8_t sk[RP_SECRET_LEN];
	rp_write *w;
	(void)argc;
	(void)argv;
	if (!mkdtemp(home))
		abort();
	rmdir(home);
	if (rp_init(home, "ann", "Acme", 1767225600000ULL) || rp_node_open(home, &node))
		abort();
	mdb_env_set_flags(node->store->env, MDB_NOSYNC, 1);
	/* The peer: a fixed key, so a corpus of its signed ops stays valid. */
	{
		uint8_t seed[32];
		memset(seed, 7, sizeof seed);
		crypto_sign_seed_keypair(peer, sk, seed);
	}
	if (rp_write_begin(node, &w) || rp_member_add(w, "bob", peer, "rep") || rp_write_commit(&w))
		abort();
	ops_seen = s_ops();
	{
		MDB_txn *txn;
		char member[RP_NAME_MAX + 1], role[16];
		if (rp_node_read(node, &txn) || rp_node_identity(node, txn, team, member, role))
			abort();
		mdb_txn_abort(txn);
	}
	return 0;
}

static int s_forget_cursor(rp_store *st, MDB_txn *txn, void *arg)
{
	(void)arg;
	return rp_store_del(txn, st->cursors, peer, RP_DEVICE_LEN);
}

/* Every promise a session keeps whatever the peer sends. */
static void s_check(const rp_session *s, int want_live)
{
	int state = rp_session_state(s), live = rp_session_is_live(s);
	if (state == RP_SESSION_LIVE && !live)
		abort();
	if (live && !want_live)
		abort();                      /* live takes both hellos asking */
}

/* Take all s has to send: each message must decode (the encoders never
 * write what a decoder refuses), our hello asks for live as we were told. */
static void s_drain(rp_session *s, int want_live)
{
	const uint8_t *msg;
	size_t len;
	rp_msg m;
	while (rp_session_output(s, &msg, &len) == 1) {
		if (rp_msg_decode(msg, len, &m) != 0)
			abort();
		if (m.type == RP_MSG_HELLO && m.live != want_live)
			abort();
	}
	s_check(s, want_live);
}

/* Feed the frames of data to s until it fails. */
static void s_drive(rp_session *s, int want_live, const uint8_t *data, size_t size)
{
	rp_session_live(s, want_live);
	while (size >= 3) {
		uint8_t step = data[0];
		size_t n = ((size_t)data[1] << 8) | data[2];
		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		rp_session_input(s, data, n);
		s_drain(s, want_live);
		data += n;
		size -= n;
		if (rp_session_state(s) == RP_SESSION_LIVE) {
			if (step & 1)
				rp_session_wake(s);
			if (step & 2)
				rp_session_tick(s);
			s_drain(s, want_live);
		}
		if (rp_session_state(s) == RP_SESSION_FAILED)
			break;
	}
}

/* The same over memory: every op the port took verifies. */
static void s_drive_memory(int want_live, const uint8_t *data, size_t size)
{
	memport m;
	rp_port port;
	rp_session *s;
	memset(&m, 0, sizeof m);
	memcpy(m.device, node->key.pk, RP_DEVICE_LEN);
	memcpy(m.peer, peer, RP_DEVICE_LEN);
	memcpy(m.team, team, RP_TEAM_LEN);
	m.now_ms = 1767225600000ULL;
	port = memport_port(&m);
	if (rp_session_new(&port, peer, 0, &s))
		abort();
	s_drive(s, want_live, data, size);
	rp_session_free(&s);
	for (size_t i = 0; i < m.n; i++) {
		rp_op op;
		if (rp_op_decode(m.log[i].bytes, m.log[i].len, &op) || rp_op_verify(&op))
			abort();
	}
	memport_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rp_session *s;
	size_t now;
	int want_live;
	if (size < 1)
		return 0;
	want_live = data[0] & 1;
	/* A batch must start at our cursor: without this, the first input
	 * that committed one would put every seed's batch out of order. */
	if (rp_store_run(node->store, s_forget_cursor, NULL))
		abort();
	if (rp_session_open(node, peer, 0, &s))
		abort();
	s_drive(s, want_live, data + 1, size - 1);
	rp_session_free(&s);
	s_drive_memory(want_live, data + 1, size - 1);
	now = s_ops();
	if (now != ops_seen) {
		json_t *rep;
		/* Something was stored: every op must still verify. */
		if (rp_fsck(node, &rep) == RP_ESIG)
			abort();
		json_decref(rep);
		ops_seen = now;
	}
	return 0;
}
