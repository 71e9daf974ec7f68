/* node/sync/session.c — the sync state machine (see session.h). It must never
 * trust the peer: every message is decoded strictly, every op verified and
 * checked against the roster before it is stored, and a misbehaving peer
 * fails its session, never the node. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "../../proto/error.h"
#include "../../proto/hlc.h"

#define S_CREDIT        8                          /* batches we accept in flight */
#define S_OUT_CAP       (RP_BATCH_MAX + 4096)
#define S_LIVE_EMPTY_RUN 1024                      /* see s_next_batch */

struct rp_session {
	rp_port  port;
	uint8_t  peer[RP_DEVICE_LEN];
	char     peer_text[RP_DEVICE_TEXT + 1];
	int      initiator, state;
	char     error[256];

	/* what we owe the peer */
	int      hello_sent, hello_received, error_queued;
	int32_t  error_code;
	uint32_t acks_due;          /* one ack per batch received, each with our cursor */

	/* our feed, going out */
	uint64_t send_from, peer_own_head, sent_last, acked, done_last;
	uint32_t credit;            /* the peer's grant */
	uint32_t credit_cap;        /* the driver's bound (0: none), see rp_session_limit */
	int      done_sent;
	uint32_t ninflight;         /* batches sent and not yet acknowledged */
	/* The least ack each batch in flight can get, oldest first: its last
	 * (a backfill batch's: the cursor it was sent at). An ack carries the
	 * receiver's cursor when it is written, so it may be ahead of its own
	 * batch, never behind it nor behind the ack before: a stale, repeated
	 * or unasked-for ack is a protocol error, so acks never buy credit. */
	uint64_t inflight[RP_CREDIT_MAX];
	uint32_t inflight_head;

	/* the peer's feed, coming in */
	uint64_t cursor;
	int      peer_done;
	uint64_t peer_done_last;

	/* scope: what the peer may see of our feed (the port holds it) */
	rp_port_scope scope;
	int      scoped;            /* admitted: the port set the peer's scope */
	uint8_t *backfill;          /* accounts that entered the peer's scope */
	size_t   nbackfill, backfill_at;
	uint8_t  backfill_key[RP_ACCOUNT_LEN + 8 + RP_OPID_LEN];   /* resume point in its history */
	int      backfill_started;
	uint64_t backfill_count;    /* ops sent so far of the account being backfilled */
	uint8_t (*haves)[RP_HAVE_LEN];   /* (account, ops) to announce after backfills */
	size_t   nhaves, haves_sent;
	/* what the peer announced it backfilled: checked when we complete */
	uint8_t (*expect)[RP_HAVE_LEN];
	size_t   nexpect;
	int      keep;              /* never purge after this session */
	int      replanned;         /* backfill looked at again after the peer's feed */
	/* Who the peer is: decided from its authenticated key and our roster,
	 * never from its hello. A stranger (a key no roster entry we hold
	 * names) may still give us its feed (a hub added since we last
	 * synced); we send it nothing until the roster it gave makes it a
	 * member, and refuse it at its done if it did not. */
	int      stranger;
	int      refused;           /* we refused the peer: not a member, revoked */
	char     wire_error[RP_MSG_TEXT_MAX + 1];  /* what the peer is told, when not s->error */
	/* A revoked peer is told so with the signed ops that revoked it, in one
	 * batch before the error, so that it can check them and wipe itself. */
	uint8_t *notice;
	size_t   notice_len;
	uint64_t peer_cursor;       /* from its hello: where a batch to it starts */
	char     team_name[RP_NAME_MAX + 1];

	/* Live (both hellos said so): once both feeds are exchanged the
	 * session stays open, in rounds. Each side streams what was newly
	 * committed to it when the driver wakes it (rp_session_wake), as
	 * batches ended by a done; each done is settled like the first. */
	int      want_live, live;
	int      round_sent;        /* we sent a batch since our last done */
	int      dirty;             /* something moved since the last settle */
	int      tick_due;          /* the driver asked for a heartbeat */
	uint64_t rounds;            /* settles since the first exchange */

	rp_session_stats stats;
	uint64_t progress;          /* steps that moved the sync forward */
	uint8_t *out;               /* the message handed to the driver */
};

static int s_fail(rp_session *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int s_fail(rp_session *s, int code, const char *fmt, ...)
{
	va_list ap;
	if (s->state == RP_SESSION_FAILED)
		return code;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
	s->state = RP_SESSION_FAILED;
	s->error_queued = 1;
	s->error_code = code;
	return code;
}

/* Refuse the peer: fail the session, tell the peer why (in its own
 * words: "you are ..."), and have the port count the refusal. */
static int s_refuse(rp_session *s, int code, const char *local, const char *wire)
{
	s_fail(s, code, "%s", local);
	snprintf(s->wire_error, sizeof s->wire_error, "%.*s", (int)sizeof s->wire_error - 1, wire);
	s->refused = 1;
	s->port.note_refusal(s->port.ctx, local);
	return code;
}

int rp_session_new(const rp_port *port, const uint8_t peer[RP_DEVICE_LEN], int initiator,
                   rp_session **out)
{
	rp_session *s = calloc(1, sizeof *s);
	rp_port_info info;
	int rc;
	if (!s || !(s->out = malloc(S_OUT_CAP))) {
		free(s);
		return RP_ENOMEM;
	}
	s->port = *port;
	memcpy(s->peer, peer, RP_DEVICE_LEN);
	rp_b32_encode(peer, RP_DEVICE_LEN, s->peer_text, sizeof s->peer_text);
	s->initiator = initiator;
	s->state = RP_SESSION_HELLO;
	if ((rc = port->info(port->ctx, &info))) {
		s->port.close = NULL;       /* on failure the caller keeps the port */
		rp_session_free(&s);
		return rc;
	}
	s->cursor = info.cursor;
	s->stats.cursor = s->cursor;
	*out = s;
	return 0;
}

void rp_session_free(rp_session **s)
{
	if (!s || !*s)
		return;
	if ((*s)->port.close)
		(*s)->port.close((*s)->port.ctx);
	free((*s)->notice);
	free((*s)->backfill);
	free((*s)->haves);
	free((*s)->expect);
	free((*s)->out);
	free(*s);
	*s = NULL;
}

int rp_session_refused(const rp_session *s)
{
	return s->refused;
}

int rp_session_stranger(const rp_session *s)
{
	return s->state == RP_SESSION_STREAM && s->stranger;
}

int rp_session_state(const rp_session *s)
{
	return s->state;
}

const char *rp_session_error(const rp_session *s)
{
	return s->error;
}

void rp_session_keep(rp_session *s, int keep)
{
	s->keep = keep;
}

void rp_session_stats_get(const rp_session *s, rp_session_stats *st)
{
	*st = s->stats;
	st->acked = s->acked;
}

uint64_t rp_session_progress(const rp_session *s)
{
	return s->progress;
}

void rp_session_limit(rp_session *s, uint32_t batches)
{
	s->credit_cap = batches;
}

/* ---- a batch in ------------------------------------------------------------ */

static int s_ingest_batch(rp_session *s, const rp_msg *m, rp_op *ops, int *rcs,
                          const uint8_t **raw, size_t *rawlen, size_t n)
{
	rp_batch_tally t;
	int rc = s->port.commit(s->port.ctx, m->last, ops, rcs, raw, rawlen, n, &t);
	if (rc)
		return rc;
	s->stats.received += t.received;
	s->stats.duplicates += t.duplicates;
	s->stats.refused += t.refused;
	s->stats.pending += t.held;
	s->stats.pending -= s->stats.pending < t.released ? s->stats.pending : t.released;
	s->cursor = m->last;
	s->stats.cursor = m->last;
	return 0;
}

static int s_stranger_check(rp_session *s);

static int s_batch(rp_session *s, const rp_msg *m)
{
	rp_op *ops = NULL;
	int *rcs = NULL;
	const uint8_t **raw = NULL;
	size_t *rawlen = NULL, pos = 0, n = 0, len;
	const uint8_t *p;
	int rc;

	if (s->state != RP_SESSION_STREAM && s->state != RP_SESSION_LIVE)
		return s_fail(s, RP_EFORMAT, "batch before hello");
	/* What a batch claims must be possible: a range holds at most one op
	 * per feed position, and no feed runs past RP_SEQ_MAX. */
	if (m->last > RP_SEQ_MAX || (m->first < m->last && m->last - m->first < m->nops))
		return s_fail(s, RP_EFORMAT, "impossible batch: %u ops in feed positions %llu..%llu",
		              m->nops, (unsigned long long)m->first, (unsigned long long)m->last);
	if (m->first < m->last && m->last <= s->cursor)     /* a batch we already hold: nothing to do */
		return 0;      /* (an ack would be one too many: the sender counts them) */
	if (m->first != s->cursor)   /* a backfill (first == last) comes at our cursor too */
		return s_fail(s, RP_EFORMAT, "batch out of order: it starts after %llu, we hold up to %llu",
		              (unsigned long long)m->first, (unsigned long long)s->cursor);
	if (s->peer_done && s->state != RP_SESSION_LIVE)
		return s_fail(s, RP_EFORMAT, "batch after done");
	s->peer_done = 0;           /* live: the peer's next round */
	s->dirty = 1;
	ops = calloc(m->nops + 1, sizeof *ops);
	rcs = calloc(m->nops + 1, sizeof *rcs);
	raw = calloc(m->nops + 1, sizeof *raw);
	rawlen = calloc(m->nops + 1, sizeof *rawlen);
	if (!ops || !rcs || !raw || !rawlen) {
		rc = s_fail(s, RP_ENOMEM, "out of memory");
		goto out;
	}
	while (n < m->nops && rp_msg_batch_next(m, &pos, &p, &len) == 1) {
		raw[n] = p;
		rawlen[n] = len;
		rcs[n] = rp_op_decode(p, len, &ops[n]);
		n++;
	}
	if ((rc = s_ingest_batch(s, m, ops, rcs, raw, rawlen, n)) != 0) {
		rc = rc == RP_ENOSPC
		   ? s_fail(s, rc, "the disk holding %s is full: the batch was not stored (free some space; "
		            "the next sync resumes here)", s->port.home)
		   : rc == RP_ELIMIT
		   ? s_fail(s, rc, "the table of ops waiting for their author or account is full (for ops "
		            "from this device, or in all): the batch was not taken; the next sync asks for it again")
		   : s_fail(s, rc, "cannot store the batch: %s", rp_strerror(rc));
	} else {
		s->acks_due++;
		s->progress++;
	}
	if (rc == 0 && s->stranger)
		rc = s_stranger_check(s);
out:
	free(ops);
	free(rcs);
	free(raw);
	free(rawlen);
	return rc;
}

/* ---- backfill: accounts that entered the peer's scope -------------------------- */

/* Look again, with the peer's feed taken in, for accounts that entered its
 * scope during this session; queue those not backfilled yet after the
 * ones already sent. */
static int s_replan(rp_session *s)
{
	uint8_t *plan = NULL, *p;
	size_t n = 0, k = 0, before = s->nbackfill;
	int rc;
	s->replanned = 1;
	if ((rc = s->port.replan(s->port.ctx, &plan, &n)))
		return rc;
	if (!(p = realloc(s->backfill, (before + n + 1) * RP_ACCOUNT_LEN))) {
		free(plan);
		return RP_ENOMEM;
	}
	s->backfill = p;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *a = plan + i * RP_ACCOUNT_LEN;
		int seen = 0;
		for (size_t j = 0; j < before && !seen; j++)
			seen = !memcmp(s->backfill + j * RP_ACCOUNT_LEN, a, RP_ACCOUNT_LEN);
		if (!seen)
			memcpy(s->backfill + (before + k++) * RP_ACCOUNT_LEN, a, RP_ACCOUNT_LEN);
	}
	free(plan);
	s->nbackfill = before + k;
	s->backfill_at = before;
	s->backfill_started = 0;
	return 0;
}

/* ---- the machine ---------------------------------------------------------- */

/* Both feeds exchanged and acknowledged: bring the views up to date. */
static void s_check_complete(rp_session *s)
{
	rp_port_settled done = { 0 };
	char why[256] = "";
	int rc;
	if ((s->state != RP_SESSION_STREAM && (s->state != RP_SESSION_LIVE || !s->dirty)) ||
	    !s->hello_sent || !s->done_sent || s->ninflight ||
	    s->acked < s->done_last || !s->peer_done || s->cursor < s->peer_done_last || s->acks_due)
		return;
	rc = s->port.settle(s->port.ctx, s->acked, (const uint8_t *)s->haves, s->nhaves,
	                    (const uint8_t *)s->expect, s->nexpect, s->keep,
	                    &done, why, sizeof why);
	s->stats.accounts += done.accounts;
	s->stats.purged += done.purged;
	s->stats.whole += done.whole;
	s->stats.incomplete += done.incomplete;
	if (rc) {
		s_fail(s, rc, "%s", why[0] ? why : rp_strerror(rc));
		return;
	}
	if (!s->live) {
		s->state = RP_SESSION_COMPLETE;
		return;
	}
	/* Live: this round is settled; the next starts from nothing owed. */
	if (s->state == RP_SESSION_LIVE)
		s->rounds++;
	s->state = RP_SESSION_LIVE;
	s->dirty = 0;
	free(s->haves);
	free(s->expect);
	s->haves = NULL;
	s->expect = NULL;
	s->nhaves = s->haves_sent = s->nexpect = 0;
}

/* Place the peer by its key in our roster: 0 admitted (its scope is set
 * and the backfill planned), 1 a stranger (nothing may be sent to it), or
 * RP_EREVOKED / RP_ENOTMEMBER (refuse it) or another RP_E* (fail). */
static int s_admit(rp_session *s)
{
	uint8_t *plan = NULL;
	size_t n = 0;
	int rc;
	s->scoped = 0;
	rc = s->port.admit(s->port.ctx, &s->scope, &plan, &n);
	if (rc == 0) {
		free(s->backfill);
		s->backfill = plan;
		s->nbackfill = n;
		s->backfill_at = 0;
		s->backfill_started = 0;
		s->scoped = 1;
	}
	if (rc == RP_ENOTMEMBER && !s->refused)
		return 1;
	return rc;
}

static int s_refuse_stranger(rp_session *s)
{
	char local[RP_NAME_MAX + 100], wire[100];
	snprintf(local, sizeof local, "that device is not a member of %s", s->team_name);
	/* The stranger learns nothing, not even the team's name. */
	snprintf(wire, sizeof wire, "you are not a member of this node's team");
	return s_refuse(s, RP_ENOTMEMBER, local, wire);
}

/* The ops that revoked the peer's device, as one batch at its cursor
 * (first == last): verifiable by the peer with the roster it holds, and
 * nothing else of the team. */
static void s_revocation_notice(rp_session *s)
{
	rp_batch_builder b;
	const uint8_t *start;
	uint8_t *buf = malloc(S_OUT_CAP);
	if (!buf)
		return;
	rp_batch_begin(&b, buf, S_OUT_CAP);
	if (s->port.notice(s->port.ctx, &b) == 0 && b.nops &&
	    rp_batch_finish(&b, s->peer_cursor, s->peer_cursor, &start, &s->notice_len) == 0) {
		memmove(buf, start, s->notice_len);
		s->notice = buf;
		return;
	}
	s->notice_len = 0;
	free(buf);
}

static int s_refuse_revoked(rp_session *s)
{
	char local[RP_NAME_MAX + 100], wire[RP_NAME_MAX + 100];
	s_revocation_notice(s);
	snprintf(local, sizeof local, "that device was revoked from %s", s->team_name);
	snprintf(wire, sizeof wire, "this device was revoked from %s", s->team_name);
	return s_refuse(s, RP_EREVOKED, local, wire);
}

/* The peer's wall clock against ours: told on both sides when they differ
 * by more than the skew limit (the sync line, and `status` until a sync
 * finds them in step again). */
static void s_note_clock(rp_session *s, uint64_t ours, uint64_t peer_wall)
{
	/* Both within 48 bits (the HLC's range), so the difference cannot
	 * overflow whatever the peer claims. */
	uint64_t theirs = peer_wall;
	int64_t ahead;
	if (ours > RP_HLC_MS_MAX)
		ours = RP_HLC_MS_MAX;
	if (theirs > RP_HLC_MS_MAX)
		theirs = RP_HLC_MS_MAX;
	ahead = peer_wall ? (int64_t)ours - (int64_t)theirs : 0;
	s->stats.clock_ahead_ms = ahead;
	s->port.note_clock(s->port.ctx, ahead > (int64_t)RP_SKEW_MAX_MS || ahead < -(int64_t)RP_SKEW_MAX_MS
	                                ? ahead : 0);
}

static int s_hello(rp_session *s, const rp_msg *m)
{
	static const uint8_t zero[RP_TEAM_LEN];
	rp_port_info info;
	int ours, rc;

	if (s->hello_received)
		return s_fail(s, RP_EFORMAT, "second hello");
	if (memcmp(m->device, s->peer, RP_DEVICE_LEN) != 0)
		return s_fail(s, RP_EDENIED, "the peer's hello names another device than its key");
	if (s->port.info(s->port.ctx, &info))
		return s_fail(s, RP_EIO, "cannot read the store");
	ours = memcmp(info.team, zero, RP_TEAM_LEN) != 0;
	snprintf(s->team_name, sizeof s->team_name, "%s",
	         info.team_name[0] ? info.team_name : ours ? "this team" : "any team here");
	s->hello_received = 1;
	s->peer_cursor = m->cursor < info.head ? m->cursor : info.head;
	s_note_clock(s, info.now_ms, m->wall_ms);
	if (!ours && !memcmp(m->team, zero, RP_TEAM_LEN))
		return s_fail(s, RP_ENOTEAM, "neither side is in a team yet");
	if (ours && memcmp(m->team, zero, RP_TEAM_LEN) && memcmp(m->team, info.team, RP_TEAM_LEN)) {
		char local[RP_NAME_MAX + 100], wire[RP_NAME_MAX + 100];
		snprintf(local, sizeof local, "that device belongs to another team than %s", s->team_name);
		snprintf(wire, sizeof wire, "you belong to another team than this node's");
		return s_refuse(s, RP_ENOTMEMBER, local, wire);
	}
	/* Nothing the hello claims counts here: only the key and our roster. */
	rc = s_admit(s);
	if (rc == RP_EREVOKED)
		return s_refuse_revoked(s);
	if (rc == 1 && ours && !memcmp(m->team, zero, RP_TEAM_LEN))
		return s_refuse_stranger(s);    /* joining, and unknown: nothing to take or give */
	if (rc < 0)
		return s_fail(s, rc, "cannot work out the peer's scope: %s", rp_strerror(rc));
	s->stranger = rc == 1;
	if (s->stranger && m->feed_head <= s->cursor)
		return s_refuse_stranger(s);    /* it has nothing that could make it a member */
	s->send_from = m->cursor < info.head ? m->cursor : info.head;   /* a peer may claim more than we have */
	s->sent_last = s->send_from;
	s->acked = s->send_from;
	s->peer_own_head = m->own_head;
	s->credit = m->credit;
	s->live = s->want_live && m->live;
	s->stats.peer_head = m->feed_head;
	s->state = RP_SESSION_STREAM;
	s->progress++;
	return 0;
}

/* A stranger gave us more of its feed: did the roster in it make the peer a
 * member? Admitted, we start streaming in its scope. Still a stranger at
 * its done, or once we hold all of the feed it said it had (it may wait
 * for our done before sending its own), it is refused. */
static int s_stranger_check(rp_session *s)
{
	int rc = s_admit(s);
	if (rc == 0) {
		s->stranger = 0;
		return 0;
	}
	if (rc == RP_EREVOKED)
		return s_refuse_revoked(s);
	if (rc < 0)
		return s_fail(s, rc, "cannot work out the peer's scope: %s", rp_strerror(rc));
	if (s->peer_done || s->cursor >= s->stats.peer_head)
		return s_refuse_stranger(s);
	return 0;
}

int rp_session_input(rp_session *s, const uint8_t *buf, size_t len)
{
	rp_msg m;
	int rc;

	if (s->state == RP_SESSION_FAILED)
		return RP_EINVAL;
	if ((rc = rp_msg_decode(buf, len, &m)))
		return s_fail(s, rc, rc == RP_EVERSION ? "the peer speaks another sync protocol version: run the same rapport on both"
		                                       : "malformed message from the peer (%s)", rp_strerror(rc));
	if (m.type != RP_MSG_HELLO && m.type != RP_MSG_ERROR && !s->hello_received)
		return s_fail(s, RP_EFORMAT, "the peer did not start with hello");
	switch (m.type) {
	case RP_MSG_HELLO:
		if (s->initiator && !s->hello_sent)
			return s_fail(s, RP_EFORMAT, "hello before ours");
		rc = s_hello(s, &m);
		break;
	case RP_MSG_BATCH:
		rc = s_batch(s, &m);
		break;
	case RP_MSG_ACK:
		if (m.last > s->sent_last)
			return s_fail(s, RP_EFORMAT, "ack for data never sent");
		/* One ack per batch, in order: the oldest batch in flight is done. */
		if (!s->ninflight)
			return s_fail(s, RP_EFORMAT, "ack with no batch in flight");
		if (m.last < s->inflight[s->inflight_head] || m.last < s->acked)
			return s_fail(s, RP_EFORMAT, "stale ack of %llu: the batch in flight ends at %llu",
			              (unsigned long long)m.last,
			              (unsigned long long)s->inflight[s->inflight_head]);
		s->inflight_head = (s->inflight_head + 1) % RP_CREDIT_MAX;
		s->ninflight--;
		s->acked = m.last;
		s->progress++;
		rc = 0;
		break;
	case RP_MSG_DONE:
		if (s->peer_done)
			return s_fail(s, RP_EFORMAT, "second done");
		if (m.last != s->cursor)
			return s_fail(s, RP_EFORMAT, "the peer finished at %llu but sent up to %llu",
			              (unsigned long long)m.last, (unsigned long long)s->cursor);
		s->peer_done = 1;
		s->peer_done_last = m.last;
		s->progress++;
		rc = s->stranger ? s_stranger_check(s) : 0;
		break;
	case RP_MSG_HAVE: {
		void *p;
		if (s->nexpect >= 1000000)
			return s_fail(s, RP_ELIMIT, "too many backfill announcements");
		if (!(p = realloc(s->expect, (s->nexpect + 1) * sizeof *s->expect)))
			return s_fail(s, RP_ENOMEM, "out of memory");
		s->expect = p;
		memcpy(s->expect[s->nexpect], m.account, RP_ACCOUNT_LEN);
		rp_be64_put(s->expect[s->nexpect] + RP_ACCOUNT_LEN, m.count);
		s->nexpect++;
		rc = 0;
		break;
	}
	case RP_MSG_TICK:
		if (!s->live)
			return s_fail(s, RP_EFORMAT, "a heartbeat outside a live session");
		rc = 0;                  /* it moves nothing: the driver hears the peer is there */
		break;
	case RP_MSG_ERROR:
		snprintf(s->error, sizeof s->error, "the peer refused: %s", m.text);
		s->state = RP_SESSION_FAILED;
		return m.code < 0 && m.code >= RP_ELAST ? m.code : RP_EINVAL;
	default:
		return s_fail(s, RP_EFORMAT, "unknown message");
	}
	if (rc == 0)
		s_check_complete(s);
	/* completing may fail (a full disk): the driver must hear of it */
	return rc == 0 && s->state == RP_SESSION_FAILED ? (s->error_code < 0 ? s->error_code : RP_EIO) : rc;
}

static int s_next_backfill(rp_session *s, const uint8_t **msg, size_t *len);

/* Our feed is sent up to sent_last: done (1 with it in *msg), or nothing
 * (0) for a live round that sent nothing. */
static int s_round_done(rp_session *s, const uint8_t **msg, size_t *len)
{
	int rc;
	s->done_sent = 1;
	if (s->state == RP_SESSION_LIVE && !s->round_sent)
		return 0;             /* a round with nothing in it: no done to say */
	s->round_sent = 0;
	s->done_last = s->sent_last;
	if ((rc = rp_msg_done(s->out, S_OUT_CAP, len, s->sent_last)))
		return rc;
	*msg = s->out;
	return 1;
}

/* The next batch of our feed after sent_last, or done when there is none. */
static int s_next_batch(rp_session *s, const uint8_t **msg, size_t *len)
{
	rp_batch_builder b;
	uint64_t last = s->sent_last;
	int rc, any = 0;

	rp_batch_begin(&b, s->out, S_OUT_CAP);
	if ((rc = s->port.feed(s->port.ctx, s->sent_last, s->peer_own_head, &b, &last, &any)))
		return rc;
	if (!any || last == s->sent_last) {
		if (any && b.nops == 0 && last == s->sent_last)
			return RP_EIO;              /* one op larger than a batch: cannot happen within limits */
		/* A rep's sync may bring what changes its scope: a handover it wrote,
		 * a purge receipt. The serving side holds its done until it has the
		 * rep's whole feed, then looks again for accounts to backfill. (A
		 * full-scope side waits for a rep; between two reps the server does:
		 * never both, so never a deadlock.) */
		if (!s->scope.full && !s->replanned && (s->scope.self_full || !s->initiator)) {
			if (!s->peer_done && s->state != RP_SESSION_LIVE)
				return 0;
			if ((rc = s_replan(s)))
				return rc;
			if (s->backfill_at < s->nbackfill)
				return s_next_backfill(s, msg, len);
		}
		return s_round_done(s, msg, len);
	}
	/* Live, a short run of the feed with nothing in it for the peer (its
	 * own ops coming back, ops out of its scope) waits for company: read
	 * again at the next wake, it goes with the next op that is the peer's. */
	if (s->state == RP_SESSION_LIVE && b.nops == 0 && last - s->sent_last < S_LIVE_EMPTY_RUN)
		return s_round_done(s, msg, len);
	s->stats.sent += b.nops;
	if ((rc = rp_batch_finish(&b, s->sent_last, last, msg, len)))
		return rc;
	s->sent_last = last;
	s->inflight[(s->inflight_head + s->ninflight) % RP_CREDIT_MAX] = last;
	s->ninflight++;
	s->round_sent = 1;
	s->dirty = 1;
	return 1;
}

/* The next backfill batch: whole histories of accounts that entered the
 * peer's scope, before any of the feed. Returns 1 with a batch, 0 when the
 * backfill is over. */
static int s_next_backfill(rp_session *s, const uint8_t **msg, size_t *len)
{
	rp_batch_builder b;
	int rc = 0, full = 0;

	if (s->backfill_at >= s->nbackfill)
		return 0;
	rp_batch_begin(&b, s->out, S_OUT_CAP);
	while (!full && s->backfill_at < s->nbackfill) {
		const uint8_t *acct = s->backfill + s->backfill_at * RP_ACCOUNT_LEN;
		uint64_t added = 0;
		int assigns_only = 0;
		if (!s->backfill_started) {
			memset(s->backfill_key, 0, sizeof s->backfill_key);
			memcpy(s->backfill_key, acct, RP_ACCOUNT_LEN);
			s->backfill_started = 1;
		}
		if ((rc = s->port.backfill(s->port.ctx, acct, s->backfill_key, &b, &added, &assigns_only)) < 0)
			return rc;
		full = rc == 1;
		s->backfill_count += added;
		if (!full && assigns_only) {
			s->backfill_count = 0;     /* its handovers only: nothing to check whole */
			s->backfill_at++;
			s->backfill_started = 0;
		} else if (!full) {
			/* Whole: announce how many ops, once this batch has gone. */
			void *p = realloc(s->haves, (s->nhaves + 1) * sizeof *s->haves);
			if (!p)
				return RP_ENOMEM;
			s->haves = p;
			memcpy(s->haves[s->nhaves], acct, RP_ACCOUNT_LEN);
			rp_be64_put(s->haves[s->nhaves] + RP_ACCOUNT_LEN, s->backfill_count);
			s->nhaves++;
			s->backfill_count = 0;
			s->backfill_at++;
			s->backfill_started = 0;
		}
	}
	if (b.nops == 0)
		return 0;
	s->stats.sent += b.nops;
	if ((rc = rp_batch_finish(&b, s->sent_last, s->sent_last, msg, len)))
		return rc;
	s->inflight[(s->inflight_head + s->ninflight) % RP_CREDIT_MAX] = s->sent_last;
	s->ninflight++;
	s->round_sent = 1;
	s->dirty = 1;
	return 1;
}

/* A heartbeat the driver asked for, when nothing else goes: 1, or 0. */
static int s_tick_msg(rp_session *s, const uint8_t **msg, size_t *len)
{
	if (!s->tick_due || s->state != RP_SESSION_LIVE)
		return 0;
	s->tick_due = 0;
	if (rp_msg_tick(s->out, S_OUT_CAP, len))
		return 0;
	*msg = s->out;
	return 1;
}

static int s_hello_msg(rp_session *s, const uint8_t **msg, size_t *len)
{
	rp_port_info info;
	int rc;
	if ((rc = s->port.info(s->port.ctx, &info)))
		return rc;
	if ((rc = rp_msg_hello(s->out, S_OUT_CAP, len, info.team, info.device, s->cursor, info.own_head,
	                       S_CREDIT, info.head, info.now_ms, s->want_live)))
		return rc;
	s->hello_sent = 1;
	*msg = s->out;
	return 1;
}

int rp_session_output(rp_session *s, const uint8_t **msg, size_t *len)
{
	int rc;
	if (s->notice_len) {
		/* our hello, the revocation notice, then the error */
		if (!s->hello_sent)
			return s_hello_msg(s, msg, len);
		memcpy(s->out, s->notice, s->notice_len);
		*msg = s->out;
		*len = s->notice_len;
		s->notice_len = 0;
		return 1;
	}
	if (s->error_queued) {
		char text[RP_MSG_TEXT_MAX + 1];
		size_t n = 0;
		s->error_queued = 0;
		/* The wire takes short, printable UTF-8: whole characters only. */
		for (const unsigned char *p = (const unsigned char *)(s->wire_error[0] ? s->wire_error : s->error); *p; ) {
			size_t cl = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
			if (n + cl > RP_MSG_TEXT_MAX || strnlen((const char *)p, cl) < cl)
				break;
			for (size_t i = 0; i < cl; i++)
				text[n++] = cl == 1 && (p[i] < 0x20 || p[i] == 0x7f) ? ' ' : (char)p[i];
			p += cl;
		}
		text[n] = 0;
		if (rp_msg_error(s->out, S_OUT_CAP, len, s->error_code < 0 ? s->error_code : RP_EINVAL, text))
			return 0;
		*msg = s->out;
		return 1;
	}
	if (s->state == RP_SESSION_FAILED || s->state == RP_SESSION_COMPLETE)
		return 0;
	if (!s->hello_sent && (s->initiator || s->hello_received))
		return s_hello_msg(s, msg, len);
	if (s->acks_due) {
		rc = rp_msg_ack(s->out, S_OUT_CAP, len, s->cursor);
		s->acks_due--;
		if (rc)
			return rc;
		*msg = s->out;
		s_check_complete(s);
		return 1;
	}
	if ((s->state != RP_SESSION_STREAM && s->state != RP_SESSION_LIVE) || s->stranger || !s->scoped ||
	    s->done_sent || s->ninflight >= s->credit || (s->credit_cap && s->ninflight >= s->credit_cap))
		return s_tick_msg(s, msg, len);
	if (s->haves_sent < s->nhaves) {
		const uint8_t *h = s->haves[s->haves_sent++];
		if ((rc = rp_msg_have(s->out, S_OUT_CAP, len, h, rp_be64_get(h + RP_ACCOUNT_LEN))))
			return rc;
		*msg = s->out;
		return 1;
	}
	if ((rc = s_next_backfill(s, msg, len)) != 0)
		return rc;
	rc = s_next_batch(s, msg, len);
	/* (a live round that ended with nothing to say may be what the
	 * settle waited for) */
	if (rc >= 0)
		s_check_complete(s);
	return rc == 0 ? s_tick_msg(s, msg, len) : rc;
}

void rp_session_live(rp_session *s, int want)
{
	s->want_live = want != 0;
}

int rp_session_is_live(const rp_session *s)
{
	return s->live;
}

void rp_session_wake(rp_session *s)
{
	/* A round in progress reads on by itself; one that ended opens again. */
	if (s->state == RP_SESSION_LIVE && s->done_sent) {
		s->done_sent = 0;
		s->replanned = 0;
	}
}

void rp_session_tick(rp_session *s)
{
	if (s->state == RP_SESSION_LIVE)
		s->tick_due = 1;
}

uint64_t rp_session_rounds(const rp_session *s)
{
	return s->rounds;
}

