/* node/fsck.h — the store checked against its own log (public API). */
#ifndef RP_FSCK_H
#define RP_FSCK_H

#include "rapport.h"

/* Re-verify every op, rebuild every view from the log and compare.
 * *report: ops, accounts, bad_sigs, mismatched_views, ok (bool), problems [text].
 * Returns 0 when the store is sound, RP_EIO/RP_ESIG when it is not. */
int rp_fsck(rp_node *n, json_t **report);

/* Drop what is derived from the log (the views, their summaries and every
 * index) and build it again from the log; *accounts: how many views were
 * built. Returns 0 or an RP_E* code with rp_errmsg set (RP_ENOSPC: the
 * disk is full; the next open goes on with it). */
int rp_fsck_rebuild(rp_node *n, uint64_t *accounts);

#endif
