/* proto/op.h — one signed operation of the log: encode, decode, sign, verify.
 * Pure: no I/O, no clock, no hidden allocation (msgpack-c's zone lives and dies
 * inside each call). Wire form, a msgpack array of 10:
 *   [ version, team, author, seq, hlc, account, kind, body_hash, body, sig ]
 * team bin32 (all-zero in team.genesis), author bin32, seq uint, hlc uint,
 * account bin16 (all-zero for team-scope ops), kind str, body_hash bin32,
 * body bin (a msgpack map) or nil once redacted, sig bin64.
 * The signature covers the msgpack array of the first 8 fields (everything but
 * body and sig), so a redacted op still verifies. */
#ifndef RP_OP_H
#define RP_OP_H

#include <stddef.h>
#include <stdint.h>
#include "id.h"
#include "hlc.h"
#include "limits.h"

#define RP_SIG_LEN   64
#define RP_HASH_LEN  32
#define RP_SECRET_LEN 64    /* libsodium Ed25519 secret key (seed ‖ public) */

typedef struct rp_op {
	uint32_t       version;
	uint8_t        team[RP_TEAM_LEN];
	uint8_t        author[RP_DEVICE_LEN];
	uint64_t       seq;
	rp_hlc         hlc;
	uint8_t        account[RP_ACCOUNT_LEN];
	char           kind[RP_KIND_MAX + 1];
	uint8_t        body_hash[RP_HASH_LEN];
	const uint8_t *body;      /* borrowed: msgpack map bytes, NULL when redacted */
	size_t         body_len;
	uint8_t        sig[RP_SIG_LEN];
} rp_op;

/* Encode op into out (capacity cap). *len receives the encoded size.
 * Returns 0, RP_ELIMIT if it would exceed RP_OP_MAX or cap, RP_EINVAL on a
 * field out of range (kind too long, seq 0 or over RP_SEQ_MAX, version 0). */
int rp_op_encode(const rp_op *op, uint8_t *out, size_t cap, size_t *len);

/* Decode buf into *op. op->body points into buf: buf must outlive op.
 * Checks structure and limits, and that body (when present) hashes to
 * body_hash and is a map within RP_BODY_DEPTH_MAX/ITEMS/STR limits; does NOT
 * check the signature. Returns 0, RP_EFORMAT (not an op), RP_ELIMIT (a limit
 * exceeded), RP_EVERSION (newer format), RP_EHASH (body hash mismatch). */
int rp_op_decode(const uint8_t *buf, size_t len, rp_op *op);

/* Compute body_hash from body, then sign with the Ed25519 secret key sk
 * (libsodium layout); op->author must be the matching public key.
 * Returns 0 or RP_EINVAL. */
int rp_op_sign(rp_op *op, const uint8_t sk[RP_SECRET_LEN]);

/* Verify op->sig by op->author over the signed header. Does not re-check
 * the body hash (rp_op_decode does). Returns 0 or RP_ESIG. */
int rp_op_verify(const rp_op *op);

/* The op id (author ‖ seq) of op. */
void rp_op_id(const rp_op *op, uint8_t opid[RP_OPID_LEN]);

/* Check that body is a well-formed msgpack map within the body limits.
 * Returns 0, RP_EFORMAT or RP_ELIMIT. */
int rp_body_check(const uint8_t *body, size_t len);

#endif
