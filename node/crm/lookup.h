/* node/crm/lookup.h — what the user typed, turned into ids: an account by
 * id, prefix or name, a ref by id or prefix (public API, node/rapport.h). */
#ifndef RP_LOOKUP_H
#define RP_LOOKUP_H

#include "../rapport.h"
#include "../../proto/limits.h"

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

/* What an id names, for a write to say what it did ("retracted call
 * yawq27ig6r on Beta Ltd"): text as stored, to be printed made visible. */
typedef struct rp_about {
	char account[RP_NAME_MAX + 1];   /* the account's name; "" once erased */
	char what[32];                   /* an interaction's type (as amended), "follow-up",
	                                  * "contact"; "" for no ref */
	char name[RP_NAME_MAX + 1];      /* a contact's name; "" otherwise */
} rp_about;

/* The account acct and, when ref is not NULL, the item ref names in it.
 * Never fails for want of a name: what cannot be read stays "". */
void rp_about_item(rp_node *n, const uint8_t acct[RP_ACCOUNT_LEN], const uint8_t *ref,
                   rp_about *out);

#endif
