/* node/store/refs.h — the refs index: the short id users type (an op's
 * ref, BLAKE2b-128 of its op id: proto/id.h) → op id ‖ account ‖ kind, for
 * the ops named by id (interactions, follow-ups, contacts).
 *
 * Refs are hashes, so a big write (an import of a million interactions,
 * committed in many txns to keep its memory small) would touch nearly
 * every page of the index in every one of its txns and write the index
 * out again each time: most of what such an import wrote. A store can
 * defer them instead (rp_refs_defer): the ops of a deferring writer get no
 * ref as they are ingested; meta "refs_from" says from which arrival seq
 * refs may be missing, and rp_refs_settle adds them afterwards in ref
 * order, each page of the index touched once per slice of the merge.
 *
 * Nothing depends on the merge having run: rp_refs_find and rp_refs_scan
 * see the deferred refs too (they walk the ops that arrived since
 * refs_from, which is slower, and only while a merge is due). A crash
 * before the merge leaves refs_from for the next rp_refs_settle; one
 * midway leaves slices written twice, which is harmless (a ref's value
 * never changes). */
#ifndef RP_REFS_H
#define RP_REFS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "../../proto/op.h"

/* 1 if ops of this kind get a ref. */
int rp_refs_kind(const char *kind);

/* The op with id opid (decoded as op, its arrival seq arrival) was
 * ingested in txn: put its ref, or, while st defers, note that refs are
 * due from arrival. Returns 0 or an RP_E* code (MDB_MAP_FULL kept). */
int rp_refs_add(rp_store *st, MDB_txn *txn, const rp_op *op, const uint8_t opid[RP_OPID_LEN],
                uint64_t arrival);

/* Drop the ref of opid (its op is being deleted). Absent is fine. */
int rp_refs_del(MDB_txn *txn, rp_store *st, const uint8_t opid[RP_OPID_LEN]);

/* While on, this process's ingests defer their refs (a bulk write); its
 * writer settles them once it is done. */
void rp_refs_defer(rp_store *st, int on);

/* What a ref names. */
typedef struct rp_ref_hit {
	uint8_t ref[RP_REF_LEN];
	uint8_t opid[RP_OPID_LEN];
	uint8_t account[RP_ACCOUNT_LEN];
	char    kind[RP_KIND_MAX + 1];
} rp_ref_hit;

/* The op ref names: 0 and *hit, RP_ENOTFOUND, or another RP_E* code. */
int rp_refs_find(rp_store *st, MDB_txn *txn, const uint8_t ref[RP_REF_LEN], rp_ref_hit *hit);

/* Every ref in [lo, hi], each once: fn gets it and returns 0 to go on,
 * RP_STORE_STOP to end the walk, or an RP_E* code (returned). Those of the
 * index come in ref order, the deferred ones after them. */
typedef int (*rp_refs_visit)(void *arg, const rp_ref_hit *hit);
int rp_refs_scan(rp_store *st, MDB_txn *txn, const uint8_t lo[RP_REF_LEN],
                 const uint8_t hi[RP_REF_LEN], rp_refs_visit fn, void *arg);

/* 1 if refs are due (a deferred write, or a merge cut short). */
int rp_refs_due(rp_store *st, MDB_txn *txn);

/* Add the due refs to the index, in txns of its own (no txn of this
 * process may be open); *added (may be NULL) counts them. Returns 0 or an
 * RP_E* code (RP_ENOSPC: a full disk; what was merged stays merged). */
int rp_refs_settle(rp_store *st, uint64_t *added);

/* At open: refs left due by a writer that is gone (a crash, a kill) are
 * settled now; those of a writer still running are left to it. Returns 0
 * or rp_refs_settle's code. */
int rp_refs_recover(rp_store *st);

#endif
