/* tests/unit/test_dial.c — the daemon's schedule of its own syncs: news goes
 * out at once, a quiet peer is asked every RP_DIAL_PULL_MS, a failing one
 * backs off with jitter up to a minute, none is dialled twice at once, and a
 * peer removed from the configuration is forgotten once it is done. */
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "../node/sync/dial.h"
#include "../proto/error.h"

static const uint8_t dev_a[RP_DEVICE_LEN] = { 1 }, dev_b[RP_DEVICE_LEN] = { 2 };

int main(void)
{
	rp_dial d = { .rand = 12345 };
	rp_dial_peer *p, *q;
	uint64_t now = 1000000;

	/* ---- a new peer is due at once, and only once at a time ---- */
	ok(rp_dial_next(&d, now, 0) == NULL, "no peer: nothing to dial");
	is_int(rp_dial_wait(&d, now, 0) == UINT64_MAX, 1, "no peer: nothing to wait for");
	is_int(rp_dial_set(&d, "hub", "tcp://127.0.0.1:7300", dev_a, now), 0, "a peer is configured");
	is_int(rp_dial_wait(&d, now, 0), 0, "it is due at once");
	p = rp_dial_next(&d, now, 7);
	ok(p && !strcmp(p->name, "hub") && p->running, "it is dialled, marked running");
	ok(rp_dial_next(&d, now, 9) == NULL, "... and not dialled again while it runs, news or not");
	is_int(rp_dial_wait(&d, now, 9) == UINT64_MAX, 1, "... nothing else to wait for meanwhile");

	/* ---- a good sync: the next is a pull later, or at once on news ---- */
	rp_dial_done(&d, p, 1, NULL, now + 10);
	is_str(p->last, "ok", "its last result is ok");
	is_int(p->given, 7, "it was given the feed as it was when the sync began");
	ok(rp_dial_next(&d, now + 10, 7) == NULL, "no news: not dialled right after");
	is_int(rp_dial_wait(&d, now + 10, 7), RP_DIAL_PULL_MS, "... but asked again a pull later");
	ok(rp_dial_next(&d, now + 10 + RP_DIAL_PULL_MS - 1, 7) == NULL, "... not a millisecond before");
	p = rp_dial_next(&d, now + 10 + RP_DIAL_PULL_MS, 7);
	ok(p != NULL, "... and then it is");
	rp_dial_done(&d, p, 1, NULL, now + 20);
	is_int(rp_dial_wait(&d, now + 20, 8), 0, "news (the feed grew past what it was given): due at once");
	ok(rp_dial_next(&d, now + 20, 8) == p, "... dialled at once");
	rp_dial_done(&d, p, 1, NULL, now + 30);

	/* ---- failures back off, doubling, with jitter, up to a minute ---- */
	is_int(rp_dial_backoff(1), 1000, "first retry after 1 s");
	is_int(rp_dial_backoff(2), 2000, "then 2 s");
	is_int(rp_dial_backoff(5), 16000, "then doubling: 16 s at the fifth");
	is_int(rp_dial_backoff(7), 60000, "never more than a minute");
	is_int(rp_dial_backoff(1000), 60000, "... however long it fails");
	{
		uint64_t t = now + 30 + RP_DIAL_PULL_MS, lo = UINT64_MAX, hi = 0;
		int in_range = 1, dialled = 0;
		for (uint32_t f = 1; f <= 12; f++) {
			uint64_t base = rp_dial_backoff(f), w;
			if (!(p = rp_dial_next(&d, t, 8)))
				break;
			dialled++;
			rp_dial_done(&d, p, 0, "cannot reach tcp://127.0.0.1:7300", t);
			w = rp_dial_wait(&d, t, 8);
			in_range &= w >= base * 3 / 4 && w <= base * 5 / 4;
			if (f >= 8) {
				lo = w < lo ? w : lo;
				hi = w > hi ? w : hi;
			}
			ok(rp_dial_next(&d, t, 1000) == NULL, "failure %u: news does not jump the backoff", f);
			t += w;
		}
		is_int(dialled, 12, "dialled again at each retry");
		ok(in_range, "each retry waits its backoff, ±25 %%");
		ok(lo != hi, "... with jitter: retries of the same backoff differ (%llu .. %llu ms)",
		   (unsigned long long)lo, (unsigned long long)hi);
		is_int(p ? p->failures : 0, 12, "twelve failures in a row counted");
		is_str(p ? p->last : "", "cannot reach tcp://127.0.0.1:7300", "the last failure says why");
		p = rp_dial_next(&d, t, 1000);
		ok(p != NULL, "due again after the last backoff");
		rp_dial_done(&d, p, 1, NULL, t);
		is_int(p->failures, 0, "a good sync ends the backoff");
		is_int(rp_dial_wait(&d, t, 1000), RP_DIAL_PULL_MS, "... and the pull is back to its pace");
		now = t;
	}

	/* ---- peers come and go with the configuration ---- */
	is_int(rp_dial_set(&d, "laptop", "tcp://127.0.0.1:7301", dev_b, now), 0, "a second peer");
	q = rp_dial_next(&d, now, 1000);
	ok(q && !strcmp(q->name, "laptop"), "the new one is due at once, the other is not");
	rp_dial_unsee(&d);
	is_int(rp_dial_set(&d, "laptop", "tcp://127.0.0.1:7301", dev_b, now), 0, "the configuration read again: hub is gone");
	rp_dial_sweep(&d, now);
	is_int(d.n, 1, "hub is forgotten");
	ok(!strcmp(d.p[0].name, "laptop") && d.p[0].running, "laptop stays, still running");
	rp_dial_unsee(&d);
	rp_dial_sweep(&d, now);
	is_int(d.n, 1, "a peer removed while it runs stays until it is done");
	rp_dial_done(&d, &d.p[0], 1, NULL, now);
	rp_dial_sweep(&d, now);
	is_int(d.n, 0, "... and goes then");

	/* ---- a command's ask: due at once, answered by a sync begun after it ---- */
	is_int(rp_dial_set(&d, "asked", "tcp://127.0.0.1:7302", dev_b, now), 0, "a peer to ask for");
	p = rp_dial_next(&d, now, 1000);
	rp_dial_done(&d, p, 0, "cannot reach it", now);
	ok(rp_dial_next(&d, now + 1, 1000) == NULL, "failing: not due before its retry");
	rp_dial_ask(p, "00000000000000a1");
	is_int(rp_dial_wait(&d, now + 1, 1000), 0, "asked: due at once, backoff or not");
	p = rp_dial_next(&d, now + 1, 1000);
	ok(p && !strcmp(p->asking, "00000000000000a1") && !p->asked[0], "the sync begun now is the one asked for");
	rp_dial_ask(p, "00000000000000a2");
	ok(rp_dial_next(&d, now + 2, 1000) == NULL, "asked again while it runs: not dialled twice at once");
	rp_dial_done(&d, p, 1, NULL, now + 3);
	is_str(p->answered, "00000000000000a1", "the sync that ended answers the first ask");
	is_int(rp_dial_wait(&d, now + 3, 1000), 0, "the second ask is due at once: a sync begun after it");
	p = rp_dial_next(&d, now + 3, 1000);
	rp_dial_done(&d, p, 1, NULL, now + 4);
	is_str(p->answered, "00000000000000a2", "... which answers it");
	is_int(rp_dial_wait(&d, now + 4, 1000), RP_DIAL_PULL_MS, "no ask left: a pull later");
	rp_dial_unsee(&d);
	rp_dial_sweep(&d, now + 4);

	is_int(rp_dial_set(&d, "hub", "tcp://127.0.0.1:7300", dev_a, now), 0, "hub again");
	p = rp_dial_next(&d, now, 5);
	rp_dial_done(&d, p, 0, "refused", now);
	is_int(rp_dial_set(&d, "hub", "tcp://127.0.0.1:7400", dev_a, now), 0, "... moved to another endpoint");
	is_int(rp_dial_wait(&d, now, 5), 0, "a moved peer is tried at once, its backoff forgotten");
	{
		char name[RP_NAME_MAX + 2];
		memset(name, 'n', sizeof name - 1);
		name[sizeof name - 1] = 0;
		is_int(rp_dial_set(&d, name, "tcp://127.0.0.1:7300", dev_a, now), RP_EINVAL, "a name too long is refused");
	}
	rp_dial_free(&d);

	/* Found peers take at most found_max slots: the configured ones always get theirs. */
	{
		rp_dial f = { .rand = 7, .found_max = 2 };
		rp_dial_peer *got[4];
		uint8_t dv[RP_DEVICE_LEN];
		char nm[16], ep[32];
		int n = 0;
		for (int i = 0; i < 3; i++) {
			memset(dv, 0x40 + i, sizeof dv);
			snprintf(nm, sizeof nm, "lan%d", i);
			snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", 7500 + i);
			rp_dial_found(&f, nm, ep, dv, now, 15000);
		}
		while (n < 4 && (got[n] = rp_dial_next(&f, now, 0)))
			n++;
		is_int(n, 2, "three found on the LAN, found_max 2: two are dialled");
		is_int(rp_dial_wait(&f, now, 0), UINT64_MAX, "... and the third waits for a slot");
		is_int(rp_dial_set(&f, "hub", "tcp://127.0.0.1:7300", dev_a, now), 0, "a configured peer added");
		ok(rp_dial_next(&f, now, 0) && !strcmp(f.p[f.n - 1].name, "hub") && f.p[f.n - 1].running,
		   "... is dialled all the same");
		rp_dial_done(&f, got[0], 0, "gone", now);
		ok((got[2] = rp_dial_next(&f, now, 0)) && got[2]->found && got[2] != got[0],
		   "a found one ends: the third takes its slot");
		rp_dial_free(&f);
	}
	return done_testing();
}
