/* node/sync/dial.c — when the daemon dials its peers (see dial.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dial.h"
#include "../../proto/error.h"

static uint32_t s_rand(rp_dial *d)
{
	uint32_t x = d->rand ? d->rand : 0x9e3779b9u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return d->rand = x;
}

static int s_due(const rp_dial_peer *p, uint64_t now, uint64_t head)
{
	if (p->running)
		return 0;
	/* asked for, or news for it goes at once, unless it is failing: then at the retry */
	return p->asked[0] || now >= p->next_ms || (p->failures == 0 && head > p->given);
}

/* The peer called name, added if new (due at once); NULL on RP_ENOMEM. */
static rp_dial_peer *s_get(rp_dial *d, const char *name, uint64_t now, int *added)
{
	rp_dial_peer *p = NULL;
	*added = 0;
	for (size_t i = 0; i < d->n && !p; i++)
		if (!strcmp(d->p[i].name, name))
			p = &d->p[i];
	if (!p) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 8;
			rp_dial_peer *q = realloc(d->p, cap * sizeof *q);
			if (!q)
				return NULL;
			d->p = q;
			d->cap = cap;
		}
		p = &d->p[d->n++];
		memset(p, 0, sizeof *p);
		strcpy(p->name, name);
		p->next_ms = now;
		*added = 1;
	}
	return p;
}

/* p is at endpoint, device: a move is tried at once. */
static void s_place(rp_dial_peer *p, const char *endpoint, const uint8_t device[RP_DEVICE_LEN], uint64_t now,
                    int added)
{
	if (!added && (strcmp(p->endpoint, endpoint) || memcmp(p->device, device, RP_DEVICE_LEN))) {
		p->next_ms = now;          /* moved: try the new place at once */
		p->failures = 0;
		p->given = 0;
	}
	strcpy(p->endpoint, endpoint);
	memcpy(p->device, device, RP_DEVICE_LEN);
}

int rp_dial_set(rp_dial *d, const char *name, const char *endpoint,
                const uint8_t device[RP_DEVICE_LEN], uint64_t now)
{
	rp_dial_peer *p;
	int added;
	if (strlen(name) > RP_NAME_MAX || strlen(endpoint) >= RP_DIAL_ENDPOINT)
		return RP_EINVAL;
	/* configured now: a device found on the LAN before goes by this name */
	for (size_t i = 0; i < d->n; i++)
		if (d->p[i].found && !memcmp(d->p[i].device, device, RP_DEVICE_LEN))
			d->p[i].expires_ms = 0;
	if (!(p = s_get(d, name, now, &added)))
		return RP_ENOMEM;
	s_place(p, endpoint, device, now, added);
	p->found = 0;
	p->seen = 1;
	return 0;
}

int rp_dial_found(rp_dial *d, const char *name, const char *endpoint,
                  const uint8_t device[RP_DEVICE_LEN], uint64_t now, uint64_t ttl_ms)
{
	rp_dial_peer *p;
	int added;
	if (strlen(name) > RP_NAME_MAX || strlen(endpoint) >= RP_DIAL_ENDPOINT)
		return RP_EINVAL;
	for (size_t i = 0; i < d->n; i++)
		if (!d->p[i].found && !memcmp(d->p[i].device, device, RP_DEVICE_LEN))
			return 0;              /* configured: its configuration says where */
	if (!(p = s_get(d, name, now, &added)))
		return RP_ENOMEM;
	if (!added && !p->found)
		return 0;                  /* a configured peer's name: not ours to move */
	s_place(p, endpoint, device, now, added);
	p->found = 1;
	p->seen = 1;
	p->expires_ms = now + ttl_ms;
	return 0;
}

void rp_dial_unsee(rp_dial *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->p[i].found)
			d->p[i].seen = 0;
}

void rp_dial_sweep(rp_dial *d, uint64_t now)
{
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++) {
		const rp_dial_peer *p = &d->p[i];
		if (p->running || (p->found ? now < p->expires_ms : p->seen))
			d->p[k++] = *p;
	}
	d->n = k;
}

/* May a found peer start now? (found_max) */
static int s_found_room(const rp_dial *d)
{
	size_t running = 0;
	for (size_t i = 0; d->found_max && i < d->n; i++)
		running += d->p[i].found && d->p[i].running;
	return !d->found_max || running < d->found_max;
}

rp_dial_peer *rp_dial_next(rp_dial *d, uint64_t now, uint64_t head)
{
	rp_dial_peer *best = NULL;
	int found_ok = s_found_room(d);
	/* the one waiting longest first */
	for (size_t i = 0; i < d->n; i++)
		if (s_due(&d->p[i], now, head) && (found_ok || !d->p[i].found) &&
		    (!best || d->p[i].next_ms < best->next_ms))
			best = &d->p[i];
	if (best) {
		best->running = 1;
		best->running_head = head;
		strcpy(best->asking, best->asked);
		best->asked[0] = 0;
	}
	return best;
}

uint64_t rp_dial_wait(const rp_dial *d, uint64_t now, uint64_t head)
{
	uint64_t w = UINT64_MAX;
	int found_ok = s_found_room(d);
	for (size_t i = 0; i < d->n; i++) {
		const rp_dial_peer *p = &d->p[i];
		if (p->running || (p->found && !found_ok))
			continue;
		if (s_due(p, now, head))
			return 0;
		if (p->next_ms - now < w)
			w = p->next_ms - now;
	}
	return w;
}

uint64_t rp_dial_backoff(uint32_t failures)
{
	uint64_t ms = RP_DIAL_BACKOFF_MS;
	for (uint32_t i = 1; i < failures && ms < RP_DIAL_BACKOFF_MAX; i++)
		ms *= 2;
	return ms < RP_DIAL_BACKOFF_MAX ? ms : RP_DIAL_BACKOFF_MAX;
}

void rp_dial_ask(rp_dial_peer *p, const char *id)
{
	snprintf(p->live ? p->answered : p->asked, sizeof p->asked, "%s", id);
}

void rp_dial_live(rp_dial_peer *p)
{
	p->live = 1;
	p->failures = 0;
	p->given = p->running_head;
	strcpy(p->last, "ok");
	if (p->asked[0])
		strcpy(p->answered, p->asked);
	else if (p->asking[0])
		strcpy(p->answered, p->asking);
	p->asked[0] = p->asking[0] = 0;
}

void rp_dial_done(rp_dial *d, rp_dial_peer *p, int ok, const char *why, uint64_t now)
{
	p->running = 0;
	p->live = 0;
	if (p->asking[0])              /* (a live sync answered its asks already) */
		strcpy(p->answered, p->asking);
	p->asking[0] = 0;
	if (ok) {
		p->failures = 0;
		p->given = p->running_head;
		p->next_ms = now + RP_DIAL_PULL_MS;
		strcpy(p->last, "ok");
	} else {
		uint64_t ms = rp_dial_backoff(++p->failures);
		/* ±25 %: ms * (0.75 .. 1.25) */
		ms = ms * 3 / 4 + (ms / 2) * (s_rand(d) % 1001) / 1000;
		p->next_ms = now + ms;
		snprintf(p->last, sizeof p->last, "%s", why && *why ? why : "failed");
	}
}

void rp_dial_free(rp_dial *d)
{
	free(d->p);
	memset(d, 0, sizeof *d);
}
