/* node/store/dirty.c — the accounts a write changed (see dirty.h). */
#include <stdlib.h>
#include <string.h>

#include "dirty.h"
#include "../../proto/error.h"

/* Account ids are random: their first bytes are a hash already. */
static size_t s_dirty_hash(const uint8_t *acct, size_t mask)
{
	uint64_t h;
	memcpy(&h, acct, sizeof h);
	return (size_t)h & mask;
}

/* Rebuild the index at twice the slots once it is half full. */
static int s_dirty_grow(rp_dirty *d)
{
	size_t nslot = d->nslot ? d->nslot * 2 : 64;
	uint32_t *slot = calloc(nslot, sizeof *slot);
	if (!slot)
		return RP_ENOMEM;
	for (size_t i = 0; i < d->n; i++) {
		size_t j = s_dirty_hash(d->accts[i], nslot - 1);
		while (slot[j])
			j = (j + 1) & (nslot - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	return 0;
}

/* 1 if acct is in d; *at: the slot it is in, or the empty one ending its probe. */
static int s_dirty_find(const rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN], size_t *at)
{
	size_t j = 0;
	if (d->slot)
		for (j = s_dirty_hash(acct, d->nslot - 1); d->slot[j]; j = (j + 1) & (d->nslot - 1))
			if (!memcmp(d->accts[d->slot[j] - 1], acct, RP_ACCOUNT_LEN)) {
				*at = j;
				return 1;
			}
	*at = j;
	return 0;
}

int rp_dirty_has(const rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN])
{
	size_t j;
	return (d->n && !memcmp(d->accts[d->n - 1], acct, RP_ACCOUNT_LEN)) || s_dirty_find(d, acct, &j);
}

void rp_dirty_clear(rp_dirty *d)
{
	d->n = d->settled = d->nagain = 0;
	if (d->slot)
		memset(d->slot, 0, d->nslot * sizeof *d->slot);
}

/* Account i was touched: once settled, it is to be rebuilt again. */
static void s_touched(rp_dirty *d, size_t i)
{
	if (i < d->settled && !d->again[i])
		d->again[i] = 1, d->nagain++;
}

int rp_dirty_add(rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN])
{
	size_t pos;
	int rc = rp_dirty_add_pos(d, acct, &pos);
	if (rc == 0)
		d->refold[pos] = 1;        /* for the rest of the write: never unset */
	return rc;
}

int rp_dirty_add_tail(rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN])
{
	size_t pos;
	return rp_dirty_add_pos(d, acct, &pos);
}

int rp_dirty_add_pos(rp_dirty *d, const uint8_t acct[RP_ACCOUNT_LEN], size_t *pos)
{
	size_t j;
	if (d->n && !memcmp(d->accts[d->n - 1], acct, RP_ACCOUNT_LEN)) {
		*pos = d->n - 1;                   /* most writes touch the last one again */
		s_touched(d, *pos);
		return 0;
	}
	if (s_dirty_find(d, acct, &j)) {
		*pos = d->slot[j] - 1;
		s_touched(d, *pos);
		return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		void *p = realloc(d->accts, cap * sizeof *d->accts);
		if (!p)
			return RP_ENOMEM;
		d->accts = p;
		if (!(p = realloc(d->again, cap)))
			return RP_ENOMEM;
		d->again = p;
		if (!(p = realloc(d->refold, cap)))
			return RP_ENOMEM;
		d->refold = p;
		d->cap = cap;
	}
	d->again[d->n] = 0;
	d->refold[d->n] = 0;
	*pos = d->n;
	memcpy(d->accts[d->n++], acct, RP_ACCOUNT_LEN);
	if (!d->slot || d->n * 2 > d->nslot)
		return s_dirty_grow(d) ? (d->n--, RP_ENOMEM) : 0;
	d->slot[j] = (uint32_t)d->n;       /* j: the empty slot the probe ended on */
	return 0;
}

void rp_dirty_settle(rp_dirty *d, size_t upto)
{
	if (upto > d->n)
		upto = d->n;
	if (upto > d->settled)
		d->settled = upto;
}

void rp_dirty_unsettle(rp_dirty *d)
{
	if (d->n)
		memset(d->again, 0, d->n);
	d->settled = d->nagain = 0;
}

void rp_dirty_free(rp_dirty *d)
{
	free(d->accts);
	free(d->again);
	free(d->refold);
	free(d->slot);
	*d = (rp_dirty){ 0 };
}
