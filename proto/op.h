/* proto/op.h — one signed operation of the log: encode, decode, sign, verify.
 * Pure: no I/O, no clock, no hidden allocation (msgpack-c's zone lives and dies
 * inside each call). Wire form, a msgpack array of 10:
 *   [ version, team, author, seq, hlc, account, kind, body_hash, body, sig ]
 * team bin32 (all-zero in team.genesis), author bin32, seq uint, hlc uint,
 * account bin16 (all-zero for team-scope ops), kind str, body_hash bin32,
 * body bin (a msgpack map) or nil once redacted, sig bin64.
 * The signature covers the label "rapport-op\0" then the msgpack array of the
 * first 8 fields (everything but
 * body and sig), so a redacted op still verifies.
 * libsodium must be initialised (sodium_init) by the program, not here. */
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

/* Encode op into out (capacity cap). *len receives the encoded size (0 on
 * failure). The encoding is canonical: smallest uint forms, bin8/16/32 and
 * fixstr/str8 by length, so one op has exactly one byte string.
 * Returns 0, RP_ELIMIT if it would exceed RP_OP_MAX or cap (or the body is
 * over RP_BODY_MAX), RP_EINVAL on a field out of range (kind empty, too long
 * or outside [a-z0-9._-], seq 0 or over RP_SEQ_MAX, version 0 or newer than
 * RP_PROTO_VERSION, body NULL with a body_len), or rp_body_check's error for
 * a malformed body: it never writes what rp_op_decode would refuse. */
int rp_op_encode(const rp_op *op, uint8_t *out, size_t cap, size_t *len);

/* Decode buf into *op. op->body points into buf: buf must outlive op.
 * Checks structure and limits, and that body (when present) hashes to
 * body_hash and is a map within RP_BODY_DEPTH_MAX/ITEMS/STR limits; does NOT
 * check the signature. Only the canonical encoding (what rp_op_encode
 * writes) is accepted, so encode(decode(bytes)) == bytes. An array whose
 * first element is a uint over RP_PROTO_VERSION is RP_EVERSION whatever
 * follows. On failure *op is zeroed. Returns 0, RP_EFORMAT (not an op),
 * RP_ELIMIT (a limit exceeded), RP_EVERSION (newer format), RP_EHASH (body
 * hash mismatch), RP_ENOMEM (msgpack-c could not allocate its zone). */
int rp_op_decode(const uint8_t *buf, size_t len, rp_op *op);

/* Compute body_hash from body, then sign with the Ed25519 secret key sk
 * (libsodium layout); op->author must be the matching public key.
 * Returns 0 or RP_EINVAL (no body, a body rp_body_check refuses, a header
 * field rp_op_encode would refuse, or sk not the author's key). */
int rp_op_sign(rp_op *op, const uint8_t sk[RP_SECRET_LEN]);

/* Verify op->sig by op->author over the signed header. Does not re-check
 * the body hash (rp_op_decode does). Returns 0 or RP_ESIG (also for a
 * header that cannot be encoded). */
int rp_op_verify(const rp_op *op);

/* The op id (author ‖ seq) of op. */
void rp_op_id(const rp_op *op, uint8_t opid[RP_OPID_LEN]);

/* Check that body is a well-formed msgpack map within the body limits:
 * one object, no trailing bytes, str map keys, no ext types, at most
 * RP_BODY_MAX bytes, RP_BODY_DEPTH_MAX nesting (the top map is depth 1),
 * RP_BODY_ITEMS_MAX entries per map/array, RP_STR_MAX bytes per str/bin.
 * Strings are not checked for UTF-8. Returns 0, RP_EFORMAT or RP_ELIMIT
 * (RP_ENOMEM only if msgpack-c cannot allocate). */
int rp_body_check(const uint8_t *body, size_t len);

#endif
