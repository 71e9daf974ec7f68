/* node/fsck.h — the store checked against its own log (public API). */
#ifndef RP_FSCK_H
#define RP_FSCK_H

#include "rapport.h"

/* Re-verify every op, rebuild every view from the log and compare.
 * *report: ops, accounts, bad_sigs, mismatched_views, ok (bool), problems [text].
 * Returns 0 when the store is sound, RP_EIO/RP_ESIG when it is not. */
int rp_fsck(rp_node *n, json_t **report);

#endif
