/* proto/id.h — the ids of rapport and their text forms.
 * Pure: bytes in, text out and back. Text is lowercase RFC 4648 base32
 * without padding, so ids survive shells, URLs and spreadsheets. */
#ifndef RP_ID_H
#define RP_ID_H

#include <stddef.h>
#include <stdint.h>

#define RP_DEVICE_LEN   32   /* Ed25519 public key */
#define RP_TEAM_LEN     32   /* BLAKE2b-256 of the signed genesis op */
#define RP_ACCOUNT_LEN  16   /* random */
#define RP_OPID_LEN     40   /* author (32) ‖ seq (8, big-endian) */
#define RP_REF_LEN      16   /* BLAKE2b-128 of an op id: the short id users see */

/* Text lengths, without the terminating NUL. */
#define RP_DEVICE_TEXT  52
#define RP_TEAM_TEXT    52
#define RP_ACCOUNT_TEXT 26
#define RP_REF_TEXT     26

/* Write the base32 text of len bytes of in to out (capacity outcap, NUL
 * terminated). Returns the text length, RP_ELIMIT if outcap is too small,
 * or RP_EINVAL for a NULL out (or in with a length). */
int rp_b32_encode(const uint8_t *in, size_t len, char *out, size_t outcap);

/* Decode base32 text (lowercase or uppercase) of exactly the length that
 * encodes outlen bytes. Returns 0, RP_EFORMAT on a bad length, a
 * character outside the alphabet, or non-zero trailing bits, or RP_EINVAL
 * for NULL arguments. */
int rp_b32_decode(const char *text, uint8_t *out, size_t outlen);

/* 1 if text is a possible prefix of a base32 id (alphabet only, any case).
 * The empty string is not: it would match every id. */
int rp_b32_is_prefix(const char *text);

/* Op ids. */
void     rp_opid_make(uint8_t opid[RP_OPID_LEN], const uint8_t author[RP_DEVICE_LEN], uint64_t seq);
uint64_t rp_opid_seq(const uint8_t opid[RP_OPID_LEN]);

/* The short reference of an op id (BLAKE2b-128). */
void rp_ref_of(uint8_t ref[RP_REF_LEN], const uint8_t opid[RP_OPID_LEN]);

/* Big-endian helpers used by every key layout. */
void     rp_be64_put(uint8_t *p, uint64_t v);
uint64_t rp_be64_get(const uint8_t *p);

#endif
