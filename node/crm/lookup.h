/* node/crm/lookup.h — what the user typed, turned into ids: an account by
 * id, prefix or name, a ref by id or prefix (public API, node/rapport.h). */
#ifndef RP_LOOKUP_H
#define RP_LOOKUP_H

#include "../rapport.h"

/* An account by id, unique id prefix (>= 6 chars) or unique name
 * (case-insensitive). RP_ENOTFOUND or RP_EAMBIG with rp_errmsg set. */
int rp_account_find(rp_node *n, const char *text, uint8_t acct[RP_ACCOUNT_LEN]);

/* What a printed ref names. */
enum rp_ref_kind { RP_REF_IX = 1, RP_REF_FU = 2, RP_REF_CONTACT = 4 };

/* A ref (interaction, follow-up or contact id) by id or unique prefix
 * (>= 6 chars) among the kinds in kinds (a mask of rp_ref_kind). Fills ref,
 * the account it belongs to and its kind. */
int rp_ref_find(rp_node *n, const char *text, int kinds, uint8_t ref[RP_REF_LEN],
                uint8_t acct[RP_ACCOUNT_LEN], int *kind);

#endif
