/* tests/forge.h — signed ops made by hand, for tests that play other devices:
 * a team of devices with their own keys, and ops of any kind, body and
 * stamp, signed (or deliberately not) as any of them. */
#ifndef RP_TEST_FORGE_H
#define RP_TEST_FORGE_H

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "../proto/body.h"
#include "../proto/op.h"

#ifndef FORGE_DEVICES
#define FORGE_DEVICES 4
#endif

typedef struct { uint8_t *bytes; size_t len; } forged_op;

static uint8_t forge_team[RP_TEAM_LEN];
static uint8_t forge_pk[FORGE_DEVICES][RP_DEVICE_LEN], forge_sk[FORGE_DEVICES][RP_SECRET_LEN];
static uint64_t forge_seq[FORGE_DEVICES];

static void forge_keys(void)
{
	if (sodium_init() < 0)
		abort();
	for (int d = 0; d < FORGE_DEVICES; d++)
		crypto_sign_keypair(forge_pk[d], forge_sk[d]);
}

/* Sign an op by device dev with the next seq of that device (seq 0) or the
 * given one; b is finished and freed. genesis ops carry the zero team. */
static forged_op forge_op_seq(int dev, const uint8_t *acct, const char *kind, uint64_t hlc,
                              rp_body_builder *b, uint64_t seq)
{
	const uint8_t *body;
	size_t blen, len;
	uint8_t buf[RP_OP_MAX];
	rp_op op;
	forged_op out;
	memset(&op, 0, sizeof op);
	rp_body_finish(b, &body, &blen);
	op.version = RP_PROTO_VERSION;
	if (strcmp(kind, "team.genesis") != 0)
		memcpy(op.team, forge_team, RP_TEAM_LEN);
	memcpy(op.author, forge_pk[dev], RP_DEVICE_LEN);
	op.seq = seq ? seq : ++forge_seq[dev];
	op.hlc = hlc;
	if (acct)
		memcpy(op.account, acct, RP_ACCOUNT_LEN);
	snprintf(op.kind, sizeof op.kind, "%s", kind);
	op.body = body;
	op.body_len = blen;
	if (rp_op_sign(&op, forge_sk[dev]) || rp_op_encode(&op, buf, sizeof buf, &len))
		abort();
	rp_body_free(b);
	out.bytes = malloc(len);
	memcpy(out.bytes, buf, len);
	out.len = len;
	if (!strcmp(kind, "team.genesis"))
		crypto_generichash(forge_team, sizeof forge_team, out.bytes, out.len, NULL, 0);
	return out;
}

static forged_op forge_op(int dev, const uint8_t *acct, const char *kind, uint64_t hlc,
                          rp_body_builder *b)
{
	return forge_op_seq(dev, acct, kind, hlc, b, 0);
}

__attribute__((unused)) static void forge_opid(const forged_op *o, uint8_t opid[RP_OPID_LEN])
{
	rp_op op;
	if (rp_op_decode(o->bytes, o->len, &op))
		abort();
	rp_op_id(&op, opid);
}

/* The roster ops of a team: device 0 is admin "ann" (genesis), devices
 * 1..n-1 are members names[i] with roles[i]. Returns how many ops. */
__attribute__((unused)) static size_t forge_roster(forged_op *out, int n, const char *const *names, const char *const *roles)
{
	rp_body_builder b;
	size_t k = 0;
	rp_body_init(&b);
	rp_body_put_str(&b, "team", "Acme");
	rp_body_put_str(&b, "member", names[0]);
	out[k++] = forge_op(0, NULL, "team.genesis", RP_HLC_MAKE(1000, 0), &b);
	for (int d = 1; d < n; d++) {
		rp_body_init(&b);
		rp_body_put_str(&b, "name", names[d]);
		rp_body_put_str(&b, "role", roles[d]);
		out[k++] = forge_op(0, NULL, "member.add", RP_HLC_MAKE(1000 + (uint64_t)d, 0), &b);
		rp_body_init(&b);
		rp_body_put_str(&b, "member", names[d]);
		rp_body_put_bin(&b, "device", forge_pk[d], RP_DEVICE_LEN);
		out[k++] = forge_op(0, NULL, "device.add", RP_HLC_MAKE(1000 + (uint64_t)d, 1), &b);
	}
	return k;
}

#endif
