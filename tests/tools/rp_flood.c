/* tests/tools/rp_flood.c — one member's device, broken or hostile, trying
 * to take a hub down for the others (issue 10, DESIGN.md §8). It speaks the
 * sync protocol with HOME's device key (a real member of the team) over
 * many connections at once; the tests and the hub_under_flood bench run an
 * honest `rapport sync` beside it. Never built into rapport.
 *
 * HOME may be a comma-separated list of member homes: the sessions take
 * their keys in turn (a hub lets one device hold only a few sessions).
 * The first must have synced (it gives the team's id); the others need
 * only be in the roster.
 *
 *   rp_flood HOME ENDPOINT PEER_ID hold N SECONDS INTERVAL_MS
 *       N sessions at once: each says hello, then every INTERVAL_MS sends
 *       an announcement that moves nothing (a `have`), for SECONDS. With a
 *       short interval it is a slow-loris; with 20000 it is the slot flood.
 *   rp_flood HOME ENDPOINT PEER_ID greedy N SECONDS
 *       N sessions ask for the whole feed (cursor 0, credit 64) and read it
 *       slowly: each batch is acked 1 s after it came. A session that gets
 *       its done starts again from 0. For SECONDS.
 *   rp_flood HOME ENDPOINT PEER_ID stale [SECONDS]
 *       One session with credit 1 that answers its first batch with
 *       ack(0) fifty times: prints how many batches it got. With SECONDS,
 *       one such session after another for that long (a loop).
 *   rp_flood HOME ENDPOINT PEER_ID junk N
 *       One session that pushes N ops, each signed by a fresh random key
 *       carrying the team's id, as its feed (then done). Use a throwaway
 *       member: the hub's cursor of its feed moves past its real ops.
 *
 * RAPPORT_NOW, when set, is the clock the tool's hellos and ops carry.
 * hold and greedy print "flood: answered N" as soon as the hub has
 * answered every one of their N connections (the handshakes are over).
 * Prints "flood: KEY VALUE" lines: sessions, batches, acks, errors, and
 * "flood: error TEXT" once per distinct error the hub sent. Exit 0 when the
 * attack ran (whatever the hub did), 2 on bad arguments or setup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>
#include <zmq.h>

#include "../../node/node.h"
#include "../../node/sync/net.h"
#include "../../node/store/store.h"
#include "../../node/text/when.h"
#include "../../proto/msg.h"
#include "../../proto/op.h"

#define S_OUT_CAP   (RP_BATCH_MAX + 4096)
#define S_CONNS_MAX 4000
#define S_KEYS_MAX  256

typedef struct s_conn {
	void    *sock;
	uint64_t next_at;       /* hold: next announcement; greedy: when to ack */
	uint64_t ack_last;      /* greedy: the batch to ack */
	int      acks_owed;
	int      key;           /* which home's key */
	int      answered;      /* the hub has said something to it */
} s_conn;

static struct {
	void    *ctx;
	uint8_t  spk[32], team[RP_TEAM_LEN];
	uint8_t  cpk[S_KEYS_MAX][32], csk[S_KEYS_MAX][32], pk[S_KEYS_MAX][RP_DEVICE_LEN];
	int      nkeys;
	const char *endpoint;
	uint64_t sessions, batches, acks, errors;
	char     seen[8][RP_MSG_TEXT_MAX + 1];
	int      nseen;
	uint8_t  out[S_OUT_CAP];
} g;

static uint64_t s_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int64_t s_clock_shift;      /* RAPPORT_NOW minus the real clock, at start */

static uint64_t s_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + s_clock_shift);
}

static void *s_open(int key)
{
	void *sock = zmq_socket(g.ctx, ZMQ_DEALER);
	int linger = 0, hwm = 100;
	if (!sock || zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, g.spk, 32) ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, g.cpk[key], 32) ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, g.csk[key], 32) ||
	    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) ||
	    zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
	    zmq_connect(sock, g.endpoint)) {
		fprintf(stderr, "rp_flood: cannot open a connection: %s\n", zmq_strerror(zmq_errno()));
		exit(2);
	}
	g.sessions++;
	return sock;
}

static void s_send(void *sock, const uint8_t *msg, size_t len)
{
	zmq_send(sock, msg, len, ZMQ_DONTWAIT);   /* a full queue: the attack just loses one */
}

static void s_hello(s_conn *c, uint64_t cursor, uint32_t credit, uint64_t feed_head)
{
	size_t len;
	if (rp_msg_hello(g.out, sizeof g.out, &len, g.team, g.pk[c->key], cursor, 0, credit, feed_head,
	                 s_wall(), 0) == 0)
		s_send(c->sock, g.out, len);
}

static void s_error_seen(const rp_msg *m)
{
	g.errors++;
	for (int i = 0; i < g.nseen; i++)
		if (!strcmp(g.seen[i], m->text))
			return;
	if (g.nseen < 8)
		snprintf(g.seen[g.nseen++], sizeof g.seen[0], "%s", m->text);
}

/* Read one message of c if there is one: 1 with *m decoded (borrowing buf). */
static int s_recv(s_conn *c, uint8_t *buf, size_t cap, rp_msg *m)
{
	int n = zmq_recv(c->sock, buf, cap, ZMQ_DONTWAIT);
	if (n < 0 || (size_t)n > cap || rp_msg_decode(buf, (size_t)n, m) != 0)
		return 0;
	if (m->type == RP_MSG_ERROR)
		s_error_seen(m);
	if (m->type == RP_MSG_BATCH)
		g.batches++;
	if (m->type == RP_MSG_ACK)
		g.acks++;
	return 1;
}

static void s_restart(s_conn *c)
{
	zmq_close(c->sock);
	c->sock = s_open(c->key);
	c->acks_owed = 0;
	s_hello(c, 0, RP_CREDIT_MAX, 0);
}

static void s_run(s_conn *cs, int n, int greedy, uint64_t seconds, uint64_t interval)
{
	static uint8_t buf[RP_NET_MSG_MAX];
	zmq_pollitem_t *items = calloc((size_t)n, sizeof *items);
	uint64_t end = s_ms() + seconds * 1000;
	int nanswered = 0;
	if (!items)
		exit(2);
	for (int i = 0; i < n; i++) {
		cs[i].key = i % g.nkeys;
		cs[i].sock = s_open(cs[i].key);
		if (greedy)
			s_hello(&cs[i], 0, RP_CREDIT_MAX, 0);
		else
			s_hello(&cs[i], UINT64_MAX >> 2, 1, 0);
		cs[i].next_at = s_ms() + interval;
	}
	while (s_ms() < end) {
		uint64_t now;
		for (int i = 0; i < n; i++)
			items[i] = (zmq_pollitem_t){ cs[i].sock, 0, ZMQ_POLLIN, 0 };
		zmq_poll(items, n, 50);
		now = s_ms();
		for (int i = 0; i < n; i++) {
			s_conn *c = &cs[i];
			rp_msg m;
			size_t len;
			while ((items[i].revents & ZMQ_POLLIN) && s_recv(c, buf, sizeof buf, &m)) {
				if (!c->answered && (c->answered = 1) && ++nanswered == n) {
					printf("flood: answered %d\n", n);   /* every connection is through its handshake */
					fflush(stdout);
				}
				if (greedy && m.type == RP_MSG_BATCH) {
					c->ack_last = m.last;
					if (!c->acks_owed++)
						c->next_at = now + 1000;
				} else if (greedy && (m.type == RP_MSG_DONE || m.type == RP_MSG_ERROR)) {
					s_restart(c);
					break;
				}
			}
			if (now < c->next_at)
				continue;
			if (greedy && c->acks_owed) {
				/* one ack per batch, in order, each with what we hold */
				for (; c->acks_owed; c->acks_owed--)
					if (rp_msg_ack(g.out, sizeof g.out, &len, c->ack_last) == 0)
						s_send(c->sock, g.out, len);
			} else if (!greedy) {
				uint8_t acct[RP_ACCOUNT_LEN];
				randombytes_buf(acct, sizeof acct);
				if (rp_msg_have(g.out, sizeof g.out, &len, acct, 1) == 0)
					s_send(c->sock, g.out, len);
				c->next_at = now + interval;
			}
		}
	}
	free(items);
}

/* One session with credit 1: its first batch answered by ack(0) x 50. */
static void s_stale(void)
{
	static uint8_t buf[RP_NET_MSG_MAX];
	s_conn c = { 0 };
	uint64_t end;
	int acked = 0;
	c.sock = s_open(0);
	s_hello(&c, 0, 1, 0);
	end = s_ms() + 1500;
	while (s_ms() < end) {
		zmq_pollitem_t item = { c.sock, 0, ZMQ_POLLIN, 0 };
		rp_msg m;
		size_t len;
		zmq_poll(&item, 1, 50);
		while (s_recv(&c, buf, sizeof buf, &m))
			if (m.type == RP_MSG_BATCH && !acked) {
				acked = 1;
				for (int i = 0; i < 50; i++)
					if (rp_msg_ack(g.out, sizeof g.out, &len, 0) == 0)
						s_send(c.sock, g.out, len);
			}
	}
	zmq_close(c.sock);
}

/* An op no member signed: a fresh key, the team's id, a plausible body. */
static int s_junk_op(uint8_t *out, size_t cap, size_t *len, uint64_t n)
{
	uint8_t pk[RP_DEVICE_LEN], sk[RP_SECRET_LEN], body[256];
	char text[200];
	rp_op op = { .version = RP_PROTO_VERSION, .seq = 1 };
	int tl = snprintf(text, sizeof text, "junk op %llu from a key no roster names, padded to look "
	                  "like a real note about a customer visit", (unsigned long long)n);
	size_t bl = 0;
	crypto_sign_keypair(pk, sk);
	memcpy(op.team, g.team, RP_TEAM_LEN);
	memcpy(op.author, pk, RP_DEVICE_LEN);
	op.hlc = rp_hlc_next(0, s_wall());
	randombytes_buf(op.account, sizeof op.account);
	snprintf(op.kind, sizeof op.kind, "ix.add");
	body[bl++] = 0x82;                          /* {type: "note", text: ...} */
	body[bl++] = 0xa4;
	memcpy(body + bl, "type", 4), bl += 4;
	body[bl++] = 0xa4;
	memcpy(body + bl, "note", 4), bl += 4;
	body[bl++] = 0xa4;
	memcpy(body + bl, "text", 4), bl += 4;
	body[bl++] = 0xd9;
	body[bl++] = (uint8_t)tl;
	memcpy(body + bl, text, (size_t)tl), bl += (size_t)tl;
	op.body = body;
	op.body_len = bl;
	return rp_op_sign(&op, sk) || rp_op_encode(&op, out, cap, len);
}

/* Push n junk ops as our feed, at most 8 batches unacked. */
static void s_junk(uint64_t n)
{
	static uint8_t buf[RP_NET_MSG_MAX], opbuf[RP_OP_MAX];
	s_conn c = { 0 };
	uint64_t cursor = 0, made = 0, end, acked_to = 0;
	uint32_t credit = 1;
	int inflight = 0, helloed = 0, failed = 0;

	c.sock = s_open(0);
	s_hello(&c, UINT64_MAX >> 2, 1, UINT64_MAX >> 2);
	end = s_ms() + 600000;
	while (!failed && s_ms() < end) {
		zmq_pollitem_t item = { c.sock, 0, ZMQ_POLLIN, 0 };
		rp_msg m;
		zmq_poll(&item, 1, 100);
		while (s_recv(&c, buf, sizeof buf, &m)) {
			if (m.type == RP_MSG_HELLO) {
				cursor = m.cursor;          /* how much of "our feed" the hub holds */
				printf("flood: hub_cursor_at_start %llu\n", (unsigned long long)cursor);
				acked_to = cursor;
				credit = m.credit > 8 ? 8 : m.credit;
				helloed = 1;
			} else if (m.type == RP_MSG_ACK) {
				inflight--;
				acked_to = m.last;
			} else if (m.type == RP_MSG_ERROR) {
				failed = 1;
			} else if (m.type == RP_MSG_BATCH) {
				size_t len;
				if (rp_msg_ack(g.out, sizeof g.out, &len, m.last) == 0)
					s_send(c.sock, g.out, len);
			}
		}
		while (helloed && !failed && made < n && inflight < (int)credit) {
			rp_batch_builder b;
			const uint8_t *msg;
			size_t len, olen, k = 0;
			rp_batch_begin(&b, g.out, sizeof g.out);
			while (made + k < n && k < 1000 && s_junk_op(opbuf, sizeof opbuf, &olen, made + k) == 0 &&
			       rp_batch_add(&b, opbuf, olen) == 0)
				k++;
			if (rp_batch_finish(&b, cursor, cursor + k, &msg, &len) != 0)
				exit(2);
			s_send(c.sock, msg, len);
			cursor += k;
			made += k;
			inflight++;
		}
		if (helloed && made == n && inflight == 0) {
			size_t len;
			if (rp_msg_done(g.out, sizeof g.out, &len, cursor) == 0)
				s_send(c.sock, g.out, len);
			break;
		}
	}
	printf("flood: junk_sent %llu\nflood: hub_cursor_acked %llu\n", (unsigned long long)made,
	       (unsigned long long)acked_to);
}

int main(int argc, char **argv)
{
	static s_conn cs[S_CONNS_MAX];
	uint8_t dev[RP_DEVICE_LEN];
	struct rlimit rl;
	rp_node *node = NULL;
	MDB_txn *txn;
	const char *mode = argc > 4 ? argv[4] : "";
	long n = argc > 5 && strcmp(mode, "stale") ? strtol(argv[5], NULL, 10) : 1;

	if (argc < 5 || sodium_init() < 0 || rp_b32_decode(argv[3], dev, sizeof dev) ||
	    rp_net_curve_public(dev, g.spk) || n < 1 || (strcmp(mode, "junk") && n > S_CONNS_MAX)) {
		fprintf(stderr, "usage: rp_flood HOME ENDPOINT PEER_ID hold N SECONDS INTERVAL_MS\n"
		        "       rp_flood HOME ENDPOINT PEER_ID greedy N SECONDS\n"
		        "       rp_flood HOME ENDPOINT PEER_ID stale [SECONDS]\n"
		        "       rp_flood HOME ENDPOINT PEER_ID junk N\n");
		return 2;
	}
	for (char *home = strtok(argv[1], ","); home; home = strtok(NULL, ",")) {
		if (g.nkeys == S_KEYS_MAX) {
			fprintf(stderr, "rp_flood: at most %d homes\n", S_KEYS_MAX);
			return 2;
		}
		uint8_t team[RP_TEAM_LEN];
		if (rp_node_open(home, &node) || rp_store_begin(node->store, 0, &txn)) {
			fprintf(stderr, "rp_flood: %s: not a home\n", home);
			return 2;
		}
		if (rp_node_identity(node, txn, team, NULL, NULL) == 0)
			memcpy(g.team, team, RP_TEAM_LEN);
		else if (g.nkeys == 0) {
			fprintf(stderr, "rp_flood: %s: the first home must be in the team\n", home);
			return 2;
		}
		mdb_txn_abort(txn);
		memcpy(g.pk[g.nkeys], node->key.pk, RP_DEVICE_LEN);
		if (rp_net_curve_pair(&node->key, g.cpk[g.nkeys], g.csk[g.nkeys]))
			return 2;
		g.nkeys++;
		rp_node_close(&node);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	{
		const char *now_text = getenv("RAPPORT_NOW");
		uint64_t now_ms;
		if (now_text && rp_when_parse_iso(now_text, &now_ms) == 0)
			s_clock_shift = (int64_t)now_ms - (int64_t)s_wall();
	}
	g.endpoint = argv[2];
	g.ctx = zmq_ctx_new();
	zmq_ctx_set(g.ctx, ZMQ_MAX_SOCKETS, S_CONNS_MAX + 16);
	if (!strcmp(mode, "hold") && argc == 8)
		s_run(cs, (int)n, 0, strtoull(argv[6], NULL, 10), strtoull(argv[7], NULL, 10));
	else if (!strcmp(mode, "greedy") && argc == 7)
		s_run(cs, (int)n, 1, strtoull(argv[6], NULL, 10), 0);
	else if (!strcmp(mode, "stale") && (argc == 5 || argc == 6)) {
		uint64_t until = s_ms() + (argc == 6 ? strtoull(argv[5], NULL, 10) * 1000 : 0);
		do
			s_stale();
		while (s_ms() < until);
	}
	else if (!strcmp(mode, "junk") && argc == 6)
		s_junk((uint64_t)n);
	else {
		fprintf(stderr, "rp_flood: unknown mode or arguments (run without arguments for usage)\n");
		return 2;
	}
	printf("flood: sessions %llu\nflood: batches %llu\nflood: acks %llu\nflood: errors %llu\n",
	       (unsigned long long)g.sessions, (unsigned long long)g.batches,
	       (unsigned long long)g.acks, (unsigned long long)g.errors);
	for (int i = 0; i < g.nseen; i++)
		printf("flood: error %s\n", g.seen[i]);
	fflush(stdout);
	_exit(0);    /* thousands of sockets: the process's end closes them at once */
}
