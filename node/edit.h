/* node/edit.h — local edits below the checks of rapport.h, for callers in
 * node/ that already know their target (import closes what it just wrote). */
#ifndef RP_EDIT_H
#define RP_EDIT_H

#include "node.h"

/* fu.done or complaint.resolve (kind) of the item written by op opid in
 * account acct; text may be NULL. No check that the item is open. */
int rp_edit_close(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *kind,
                  const uint8_t opid[RP_OPID_LEN], const char *text);

#endif
