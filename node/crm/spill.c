/* node/crm/spill.c — an account's plan as bytes, and back (see spill.h). */
#include <stdlib.h>
#include <string.h>

#include "spill.h"
#include "../../proto/bytes.h"
#include "../../proto/error.h"
#include "../../proto/id.h"

#define S_NONE 0xFFFFFFFFu      /* the length of a string that is not there */

/* ---- writing ------------------------------------------------------------------ */


static void s_u8(rp_bytes_out *o, int v)
{
	uint8_t b = (uint8_t)(v != 0);
	rp_bytes_put(o, &b, 1);
}

static void s_str(rp_bytes_out *o, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (s && n >= S_NONE) {
		o->bad = 1;
		return;
	}
	rp_bytes_u32(o, s ? (uint32_t)n : S_NONE);
	if (s)
		rp_bytes_put(o, s, n + 1);
}

int rp_spill_put(const rp_plan_acct *a, uint8_t **buf, size_t *len, size_t *cap)
{
	rp_bytes_out o = { buf, len, cap, 0 };
	size_t start = *len;           /* where the record began: undone on failure */
	size_t i;
	rp_bytes_u64(&o, a->line);
	s_str(&o, a->name);
	s_str(&o, a->owner);
	s_u8(&o, a->exists);
	rp_bytes_put(&o, a->id, RP_ACCOUNT_LEN);
	rp_bytes_u32(&o, (uint32_t)a->nfields);
	for (i = 0; i < a->nfields; i++) {
		s_str(&o, a->fields[i].key);
		s_str(&o, a->fields[i].value);
	}
	rp_bytes_u32(&o, (uint32_t)a->ntags);
	for (i = 0; i < a->ntags; i++)
		s_str(&o, a->tags[i]);
	rp_bytes_u32(&o, (uint32_t)a->ncontacts);
	for (i = 0; i < a->ncontacts; i++) {
		const rp_plan_contact *c = &a->contacts[i];
		rp_bytes_u64(&o, c->index);
		s_str(&o, c->name);
		s_str(&o, c->role);
		s_str(&o, c->email);
		s_str(&o, c->phone);
		s_str(&o, c->prefer);
	}
	rp_bytes_u32(&o, (uint32_t)a->nixs);
	for (i = 0; i < a->nixs; i++) {
		const rp_plan_ix *x = &a->ixs[i];
		rp_bytes_u64(&o, x->index);
		s_str(&o, x->spec.type);
		rp_bytes_u64(&o, x->spec.at_ms);
		s_str(&o, x->spec.text);
		s_str(&o, x->spec.contact);
		s_u8(&o, x->spec.has_amount);
		rp_bytes_u64(&o, (uint64_t)x->spec.cents);
		s_str(&o, x->spec.amount);
		s_str(&o, x->spec.currency);
		s_str(&o, x->spec.outcome);
		s_str(&o, x->spec.by);
		s_str(&o, x->resolution);
	}
	rp_bytes_u32(&o, (uint32_t)a->nfus);
	for (i = 0; i < a->nfus; i++) {
		const rp_plan_fu *f = &a->fus[i];
		rp_bytes_u64(&o, f->index);
		s_str(&o, f->text);
		s_str(&o, f->assignee);
		rp_bytes_u64(&o, f->due);
		s_u8(&o, f->done);
		s_str(&o, f->done_text);
	}
	if (o.bad || a->nfields > UINT32_MAX || a->ntags > UINT32_MAX || a->ncontacts > UINT32_MAX ||
	    a->nixs > UINT32_MAX || a->nfus > UINT32_MAX) {
		*len = start;
		return RP_ENOMEM;
	}
	return 0;
}

/* ---- reading ------------------------------------------------------------------ */


static int s_get_u8(rp_bytes_in *in)
{
	const uint8_t *p = rp_bytes_take(in, 1);
	if (p && *p > 1)
		in->bad = 1;
	return p ? *p : 0;
}

static const char *s_get_str(rp_bytes_in *in)
{
	uint32_t n = rp_bytes_get_u32(in);
	const uint8_t *p;
	if (in->bad || n == S_NONE)
		return NULL;
	if (!(p = rp_bytes_take(in, (size_t)n + 1)) || p[n] != 0 || memchr(p, 0, n)) {
		in->bad = 1;
		return NULL;
	}
	return (const char *)p;
}

/* A list's count: no more items than bytes left (each takes some), so a
 * bad count never asks for a huge block. */
static size_t s_get_count(rp_bytes_in *in)
{
	uint32_t n = rp_bytes_get_u32(in);
	if (!in->bad && n > (size_t)(in->end - in->p))
		in->bad = 1;
	return in->bad ? 0 : n;
}

/* Room for n items of size bytes in the block at *at. */
static void *s_carve(uint8_t **at, size_t n, size_t size)
{
	void *p = *at;
	*at += n * size;
	return p;
}

int rp_spill_get(const uint8_t *rec, size_t len, rp_plan_acct *a, void **mem)
{
	rp_bytes_in in = { rec, rec + len, 0 };
	const uint8_t *id, *lists;
	size_t i, n[5], need = 0;
	uint8_t *at;

	*mem = NULL;
	memset(a, 0, sizeof *a);
	a->line = (size_t)rp_bytes_get_u64(&in);
	a->name = s_get_str(&in);
	a->owner = s_get_str(&in);
	a->exists = s_get_u8(&in);
	if (!(id = rp_bytes_take(&in, RP_ACCOUNT_LEN)) || !a->name)
		return RP_EFORMAT;
	memcpy(a->id, id, RP_ACCOUNT_LEN);
	/* the lists are read twice: once for their counts (so one block holds
	 * them all), once for their items */
	lists = in.p;
	for (int l = 0; l < 5 && !in.bad; l++) {
		n[l] = s_get_count(&in);
		for (i = 0; i < n[l] && !in.bad; i++) {
			static const char *const shape[] = { "ss", "s", "8sssss", "8s8ss18sssss", "8ss81s" };
			for (const char *c = shape[l]; *c && !in.bad; c++)
				if (*c == 's')
					s_get_str(&in);
				else if (*c == '8')
					rp_bytes_get_u64(&in);
				else
					s_get_u8(&in);
		}
	}
	if (in.bad || in.p != in.end)
		return RP_EFORMAT;
	need = n[0] * sizeof *a->fields + n[1] * sizeof *a->tags + n[2] * sizeof *a->contacts +
	       n[3] * sizeof *a->ixs + n[4] * sizeof *a->fus;
	if (!(*mem = malloc(need ? need : 1)))
		return RP_ENOMEM;
	at = *mem;
	a->fields = s_carve(&at, a->nfields = n[0], sizeof *a->fields);
	a->tags = s_carve(&at, a->ntags = n[1], sizeof *a->tags);
	a->contacts = s_carve(&at, a->ncontacts = n[2], sizeof *a->contacts);
	a->ixs = s_carve(&at, a->nixs = n[3], sizeof *a->ixs);
	a->fus = s_carve(&at, a->nfus = n[4], sizeof *a->fus);
	in.p = lists;
	rp_bytes_get_u32(&in);
	for (i = 0; i < a->nfields; i++) {
		a->fields[i].key = s_get_str(&in);
		a->fields[i].value = s_get_str(&in);
		if (!a->fields[i].key || !a->fields[i].value)
			return RP_EFORMAT;
	}
	rp_bytes_get_u32(&in);
	for (i = 0; i < a->ntags; i++)
		if (!(a->tags[i] = s_get_str(&in)))
			return RP_EFORMAT;
	rp_bytes_get_u32(&in);
	for (i = 0; i < a->ncontacts; i++) {
		rp_plan_contact *c = &a->contacts[i];
		c->index = (size_t)rp_bytes_get_u64(&in);
		c->name = s_get_str(&in);
		c->role = s_get_str(&in);
		c->email = s_get_str(&in);
		c->phone = s_get_str(&in);
		c->prefer = s_get_str(&in);
		if (!c->name)
			return RP_EFORMAT;
	}
	rp_bytes_get_u32(&in);
	for (i = 0; i < a->nixs; i++) {
		rp_plan_ix *x = &a->ixs[i];
		memset(x, 0, sizeof *x);
		x->index = (size_t)rp_bytes_get_u64(&in);
		x->spec.type = s_get_str(&in);
		x->spec.at_ms = rp_bytes_get_u64(&in);
		x->spec.text = s_get_str(&in);
		x->spec.contact = s_get_str(&in);
		x->spec.has_amount = s_get_u8(&in);
		x->spec.cents = (int64_t)rp_bytes_get_u64(&in);
		x->spec.amount = s_get_str(&in);
		x->spec.currency = s_get_str(&in);
		x->spec.outcome = s_get_str(&in);
		x->spec.by = s_get_str(&in);
		x->resolution = s_get_str(&in);
		if (!x->spec.type)
			return RP_EFORMAT;
	}
	rp_bytes_get_u32(&in);
	for (i = 0; i < a->nfus; i++) {
		rp_plan_fu *f = &a->fus[i];
		memset(f, 0, sizeof *f);
		f->index = (size_t)rp_bytes_get_u64(&in);
		f->text = s_get_str(&in);
		f->assignee = s_get_str(&in);
		f->due = rp_bytes_get_u64(&in);
		f->done = s_get_u8(&in);
		f->done_text = s_get_str(&in);
		if (!f->text)
			return RP_EFORMAT;
	}
	return in.bad ? RP_EFORMAT : 0;
}
