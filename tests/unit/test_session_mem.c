/* tests/unit/test_session_mem.c — the sync session as the pure state machine it
 * is: driven over in-memory ports (tests/memport.h), with no store, clock or
 * thread. Two feeds meet, a resync sends nothing, credit and the driver's
 * bound hold, a stranger and a revoked peer get nothing, a failed commit or
 * settle fails the session and stores nothing, a forged signature is
 * refused, and garbage never crashes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "tap.h"
#include "forge.h"
#include "memport.h"
#include "../node/sync/session.h"
#include "../proto/msg.h"

#define NOW 1767225600000ULL

typedef struct pair {
	memport  a, b;              /* a serves, b initiates */
	rp_session *sa, *sb;
	uint64_t batches_a, acks_b, max_inflight_a;
	uint64_t ops_out_a;         /* ops in batches a sent */
} pair;

static void s_fill(memport *m, int dev, int nops, size_t pad)
{
	char text[2048];
	memset(text, 'x', pad);
	text[pad] = 0;
	for (int i = 0; i < nops; i++) {
		rp_body_builder bd;
		uint8_t acct[RP_ACCOUNT_LEN] = { (uint8_t)dev, (uint8_t)(i % 7) };
		forged_op o;
		rp_body_init(&bd);
		rp_body_put_str(&bd, "note", text);
		o = forge_op(dev, acct, "note.add", RP_HLC_MAKE(NOW + (uint64_t)i, 0), &bd);
		if (memport_add(m, o.bytes, o.len, NULL))
			abort();
		free(o.bytes);
	}
}

static void s_setup(pair *p)
{
	memset(p, 0, sizeof *p);
	memcpy(p->a.device, forge_pk[0], RP_DEVICE_LEN);
	memcpy(p->a.peer, forge_pk[1], RP_DEVICE_LEN);
	memcpy(p->b.device, forge_pk[1], RP_DEVICE_LEN);
	memcpy(p->b.peer, forge_pk[0], RP_DEVICE_LEN);
	memset(p->a.team, 0xab, RP_TEAM_LEN);
	memset(p->b.team, 0xab, RP_TEAM_LEN);
	p->a.now_ms = p->b.now_ms = NOW;
}

static int s_open(pair *p)
{
	rp_port pa = memport_port(&p->a), pb = memport_port(&p->b);
	p->batches_a = p->acks_b = p->max_inflight_a = p->ops_out_a = 0;
	if (rp_session_new(&pa, p->a.peer, 0, &p->sa) || rp_session_new(&pb, p->b.peer, 1, &p->sb))
		return -1;
	return 0;
}

/* Run both sessions until neither has anything to say. Returns the steps. */
static int s_run(pair *p)
{
	int steps = 0, moved = 1;
	while (moved && steps < 200000) {
		const uint8_t *msg;
		size_t len;
		rp_msg m;
		moved = 0;
		if (rp_session_output(p->sb, &msg, &len) == 1) {
			if (rp_msg_decode(msg, len, &m) == 0 && m.type == RP_MSG_ACK)
				p->acks_b++;
			rp_session_input(p->sa, msg, len);
			moved = 1;
		}
		if (rp_session_output(p->sa, &msg, &len) == 1) {
			if (rp_msg_decode(msg, len, &m) == 0 && m.type == RP_MSG_BATCH) {
				p->batches_a++;
				p->ops_out_a += m.nops;
			}
			if (p->batches_a - p->acks_b > p->max_inflight_a)
				p->max_inflight_a = p->batches_a - p->acks_b;
			rp_session_input(p->sb, msg, len);
			moved = 1;
		}
		steps++;
	}
	return steps;
}

static void s_close(pair *p)
{
	rp_session_free(&p->sa);
	rp_session_free(&p->sb);
}

static int s_same_log(const memport *x, const memport *y)
{
	if (x->n != y->n)
		return 0;
	for (size_t i = 0; i < x->n; i++)
		if (!memport_find(y, x->log[i].opid))
			return 0;
	return 1;
}

static void test_exchange(void)
{
	pair p;
	rp_session_stats sa, sb;
	s_setup(&p);
	s_fill(&p.a, 0, 300, 40);
	s_fill(&p.b, 1, 200, 40);
	if (s_open(&p))
		abort();
	s_run(&p);
	is_int(rp_session_state(p.sa), RP_SESSION_COMPLETE, "the serving side completes");
	is_int(rp_session_state(p.sb), RP_SESSION_COMPLETE, "the initiating side completes");
	ok(p.a.n == 500 && s_same_log(&p.a, &p.b), "both hold the 500 ops of the two feeds");
	rp_session_stats_get(p.sa, &sa);
	rp_session_stats_get(p.sb, &sb);
	ok(sa.sent == 300 && sa.received == 200 && sb.sent == 200 && sb.received == 300,
	   "each sent its own and received the other's (%llu/%llu, %llu/%llu)",
	   (unsigned long long)sa.sent, (unsigned long long)sa.received,
	   (unsigned long long)sb.sent, (unsigned long long)sb.received);
	/* a's feed ends with b's own ops, which go no further than a: read
	 * past, not sent. */
	ok(p.a.cursor == 200 && p.b.cursor >= 300 && p.b.cursor <= 500,
	   "each stored the other's cursor at its feed's end (%llu, %llu)",
	   (unsigned long long)p.a.cursor, (unsigned long long)p.b.cursor);
	ok(p.a.settles == 1 && p.b.settles == 1, "each settled the sync once, through its port");
	ok(p.a.acked == p.b.cursor && p.b.acked == p.a.cursor,
	   "each settle was told how far the peer holds its feed: what the peer stored (%llu, %llu)",
	   (unsigned long long)p.a.acked, (unsigned long long)p.b.acked);
	s_close(&p);
	ok(p.a.closed == 1 && p.b.closed == 1, "freeing a session closes its port");

	/* Again: the cursors say everything is there, and nothing goes back
	 * where it came from. */
	if (s_open(&p))
		abort();
	s_run(&p);
	rp_session_stats_get(p.sa, &sa);
	rp_session_stats_get(p.sb, &sb);
	ok(rp_session_state(p.sa) == RP_SESSION_COMPLETE && rp_session_state(p.sb) == RP_SESSION_COMPLETE,
	   "a second sync completes");
	ok(sa.sent == 0 && sb.sent == 0 && p.a.n == 500, "and sends no op (%llu, %llu)",
	   (unsigned long long)sa.sent, (unsigned long long)sb.sent);
	s_close(&p);
	memport_free(&p.a);
	memport_free(&p.b);
}

static void test_credit(void)
{
	pair p;
	s_setup(&p);
	s_fill(&p.a, 0, 4000, 1500);          /* ~6 MB: about 24 batches */
	if (s_open(&p))
		abort();
	s_run(&p);
	ok(rp_session_state(p.sb) == RP_SESSION_COMPLETE && p.b.n == 4000, "a large feed arrives whole");
	ok(p.batches_a > 16, "in many batches (%llu)", (unsigned long long)p.batches_a);
	ok(p.max_inflight_a <= 8, "never more in flight than the peer's credit (%llu)",
	   (unsigned long long)p.max_inflight_a);
	s_close(&p);
	memport_free(&p.b);
	memset(&p.b, 0, sizeof p.b);
	memcpy(p.b.device, forge_pk[1], RP_DEVICE_LEN);
	memcpy(p.b.peer, forge_pk[0], RP_DEVICE_LEN);
	memset(p.b.team, 0xab, RP_TEAM_LEN);
	p.a.cursor = 0;
	if (s_open(&p))
		abort();
	rp_session_limit(p.sa, 1);
	s_run(&p);
	ok(rp_session_state(p.sb) == RP_SESSION_COMPLETE && p.b.n == 4000 && p.max_inflight_a == 1,
	   "with the driver's bound of 1, one batch at a time (%llu)", (unsigned long long)p.max_inflight_a);
	s_close(&p);
	memport_free(&p.a);
	memport_free(&p.b);
}

static void test_refused(void)
{
	pair p;
	s_setup(&p);
	s_fill(&p.a, 0, 50, 10);
	s_fill(&p.b, 1, 5, 10);
	p.a.admit_rc = RP_ENOTMEMBER;
	if (s_open(&p))
		abort();
	s_run(&p);
	ok(p.ops_out_a == 0, "a stranger gets no op (%llu)", (unsigned long long)p.ops_out_a);
	ok(rp_session_refused(p.sa) && p.a.refusals == 1, "it is refused at its done, and the refusal noted");
	is_int(rp_session_state(p.sb), RP_SESSION_FAILED, "the stranger's session fails");
	ok(strstr(rp_session_error(p.sb), "not a member") != NULL, "and says why: %s", rp_session_error(p.sb));
	ok(p.b.n == 5, "the stranger took nothing");
	s_close(&p);

	p.a.admit_rc = RP_EREVOKED;
	p.a.refusals = 0;
	if (s_open(&p))
		abort();
	s_run(&p);
	ok(p.ops_out_a == 0 && rp_session_refused(p.sa) && p.a.refusals == 1,
	   "a revoked device gets no op and is refused");
	ok(strstr(rp_session_error(p.sb), "revoked") != NULL, "it is told: %s", rp_session_error(p.sb));
	s_close(&p);

	/* Joining (no team) and unknown: nothing to take or give. */
	p.a.admit_rc = RP_ENOTMEMBER;
	memset(p.b.team, 0, RP_TEAM_LEN);
	p.a.commits = 0;
	if (s_open(&p))
		abort();
	s_run(&p);
	ok(p.ops_out_a == 0 && p.a.commits == 0 && rp_session_refused(p.sa),
	   "an unknown device that is joining is refused at its hello, and nothing is committed");
	s_close(&p);
	memport_free(&p.a);
	memport_free(&p.b);
}

static void test_failures(void)
{
	pair p;
	s_setup(&p);
	s_fill(&p.b, 1, 30, 10);
	p.a.commit_rc = RP_ENOSPC;
	if (s_open(&p))
		abort();
	s_run(&p);
	is_int(rp_session_state(p.sa), RP_SESSION_FAILED, "a commit that fails fails the session");
	ok(strstr(rp_session_error(p.sa), "disk holding memory is full") != NULL,
	   "naming where: %s", rp_session_error(p.sa));
	ok(p.a.n == 0 && p.a.cursor == 0, "nothing was stored, the cursor did not move");
	is_int(p.b.cursor, 0, "and the peer's own cursor of us did not move");
	s_close(&p);

	p.a.commit_rc = 0;
	p.a.settle_rc = RP_EIO;
	if (s_open(&p))
		abort();
	s_run(&p);
	is_int(rp_session_state(p.sa), RP_SESSION_FAILED, "a settle that fails fails the session");
	is_str(rp_session_error(p.sa), "the memory port was told to fail", "with the port's words");
	ok(p.a.n == 30, "the ops it took stay taken");
	s_close(&p);
	memport_free(&p.a);
	memport_free(&p.b);
}

static void test_forged_and_clock(void)
{
	pair p;
	rp_session_stats sa;
	s_setup(&p);
	s_fill(&p.b, 1, 10, 10);
	p.b.log[4].bytes[p.b.log[4].len - 5] ^= 1;     /* inside the signature */
	p.b.now_ms = NOW + 10 * 60 * 1000;             /* ten minutes ahead */
	if (s_open(&p))
		abort();
	s_run(&p);
	rp_session_stats_get(p.sa, &sa);
	ok(rp_session_state(p.sa) == RP_SESSION_COMPLETE && p.a.n == 9 && sa.refused == 1,
	   "an op whose signature fails is refused, the rest taken (%zu held, %llu refused)", p.a.n,
	   (unsigned long long)sa.refused);
	ok(!memport_find(&p.a, p.b.log[4].opid), "the forged op is not held");
	is_int(p.a.clock_ahead, -10 * 60 * 1000, "a peer clock 10 minutes ahead is noted through the port");
	is_int(sa.clock_ahead_ms, -10 * 60 * 1000, "and in the stats");
	s_close(&p);
	p.b.now_ms = NOW + 1000;
	if (s_open(&p))
		abort();
	s_run(&p);
	is_int(p.a.clock_ahead, 0, "a clock within bounds clears the note");
	s_close(&p);
	memport_free(&p.a);
	memport_free(&p.b);
}

static void test_garbage(void)
{
	pair p;
	int crashed = 0, stored = 0;
	s_setup(&p);
	for (int run = 0; run < 2000; run++) {
		uint8_t buf[512];
		const uint8_t *msg;
		size_t len = 1 + randombytes_uniform(sizeof buf), mlen;
		rp_port pa = memport_port(&p.a);
		rp_session *s;
		if (rp_session_new(&pa, p.a.peer, 0, &s))
			abort();
		randombytes_buf(buf, len);
		if (run % 3 == 0)
			buf[0] = 0x9a;          /* a msgpack array, so the decoder goes further */
		rp_session_input(s, buf, len);
		while (rp_session_output(s, &msg, &mlen) == 1)
			;
		if (rp_session_state(s) != RP_SESSION_FAILED && rp_session_state(s) != RP_SESSION_HELLO)
			crashed++;
		rp_session_free(&s);
	}
	stored = (int)p.a.n;
	is_int(crashed, 0, "2000 random messages leave every session failed or waiting for hello");
	is_int(stored, 0, "and store nothing");
	memport_free(&p.a);
}

int main(void)
{
	forge_keys();
	test_exchange();
	test_credit();
	test_refused();
	test_failures();
	test_forged_and_clock();
	test_garbage();
	return done_testing();
}
