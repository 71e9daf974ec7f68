/* node/correct.h — fixing mistakes (public API, node/rapport.h): the log
 * keeps what happened, the views show what is true. Each call checks what
 * it can name (the item exists here, is not closed already, the value
 * parses) and appends one signed op in the write w; the fold (store/view)
 * applies it, last writer winning per field. */
#ifndef RP_CORRECT_H
#define RP_CORRECT_H

#include "rapport.h"

/* ix.retract: the interaction was logged by mistake. It leaves every view
 * and figure (last contact, value, at-risk, the agenda) and stays in the
 * history. reason may be NULL. RP_EEXIST if it is retracted already. */
int rp_ix_retract(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *reason);

/* The fields an interaction's amend may change, NULL-terminated:
 * text type at amount currency contact outcome. */
extern const char *const rp_ix_amend_fields[];

/* ix.amend of one field, value as a person types it:
 *   text, contact, outcome: text ("" clears it);
 *   type: call|email|visit|meeting|note|purchase|complaint|gift|feedback;
 *   at: a WHEN, against the node's clock;
 *   amount: 12.50 in the interaction's currency (EUR when it had none;
 *           "" clears it);
 *   currency: a code (EUR): the amount keeps its figure in the new code.
 * amount and currency both write the amount field: {cents, currency}.
 * RP_EINVAL names what is wrong; RP_EEXIST when the field already holds
 * that value; RP_EINVAL for a retracted interaction. */
int rp_ix_amend(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *field, const char *value);

/* fu.move: a new due date for an open follow-up. RP_EINVAL when it is done
 * or cancelled. */
int rp_fu_move(rp_write *w, const uint8_t ref[RP_REF_LEN], uint64_t due_ms);

/* fu.cancel: an open follow-up is no longer to be done. RP_EEXIST when it
 * is cancelled already, RP_EINVAL when it is done. */
int rp_fu_cancel(rp_write *w, const uint8_t ref[RP_REF_LEN]);

/* acct.archive: archived (1) accounts leave lists, the agenda and top;
 * 0 brings one back. RP_EEXIST when it is so already. */
int rp_account_archive(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], int archived);

/* The fields of a contact, NULL-terminated: name role email phone prefer. */
extern const char *const rp_contact_fields[];

/* contact.set of one field of a contact (by its ref); value NULL clears it
 * (not the name). RP_EINVAL names a bad field or value. */
int rp_contact_set(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *field, const char *value);

#endif
