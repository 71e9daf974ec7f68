/* node/edit.h — local edits below the checks of rapport.h, for callers in
 * node/ that already know their target (import closes what it just wrote). */
#ifndef RP_EDIT_H
#define RP_EDIT_H

#include "node.h"
#include "../proto/body.h"

/* fu.done or complaint.resolve (kind) of the item written by op opid in
 * account acct; text may be NULL. No check that the item is open. Returns
 * 0, RP_EINVAL / RP_ELIMIT (text), or what rp_write_op returns. */
int rp_edit_close(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *kind,
                  const uint8_t opid[RP_OPID_LEN], const char *text);

/* Text a person typed: valid UTF-8, 1..max bytes, no control characters
 * (newline and tab allowed when multiline). what names it in the error.
 * Returns 0, RP_EINVAL or RP_ELIMIT, with rp_errmsg set. */
int rp_edit_text(const char *what, const char *text, size_t max, int multiline);

/* The account exists here (or was created in this write) and was not
 * forgotten. RP_ENOTFOUND / RP_EINVAL with rp_errmsg set. */
int rp_edit_account(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN]);

/* name is a member of the team. RP_ENOTFOUND with rp_errmsg set. */
int rp_edit_member(rp_write *w, const char *name);

/* The current view of acct in w: folded afresh when this write changed it
 * (views are rebuilt at commit), else the stored one. Flushes w first.
 * *view is new: the caller json_decrefs it. Returns 0, RP_ENOTFOUND (no
 * such account here), RP_ENOMEM, RP_EIO, or rp_write_flush's code. */
int rp_edit_view(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], json_t **view);

/* Sign and append the op of kind whose body b holds (b is freed either
 * way); opid receives its id when not NULL. Returns rp_write_op's code. */
int rp_edit_finish(rp_write *w, const uint8_t *acct, const char *kind, rp_body_builder *b,
                   uint8_t opid[RP_OPID_LEN]);

/* The item a ref names: the op that made it must be of kind (ix.log,
 * fu.add, contact.add); fills its op id and account, the account's current
 * view (*view, new: the caller json_decrefs it) and the item's entry in the
 * view's list (interactions, followups, contacts), which lives as long as
 * *view. RP_ENOTFOUND with rp_errmsg set (no such item, its account not
 * here, or erased). Flushes w first. */
int rp_edit_target(rp_write *w, const uint8_t ref[RP_REF_LEN], const char *kind,
                   const char *list, uint8_t opid[RP_OPID_LEN], uint8_t acct[RP_ACCOUNT_LEN],
                   json_t **view, json_t **entry);

/* The checks of a contact's or an account's email: one @, something on
 * each side, no spaces or separators. what names it. RP_EINVAL. */
int rp_edit_email(const char *what, const char *value);

/* value is one of list (NULL-terminated); RP_EINVAL naming what and the
 * choices otherwise. */
int rp_edit_one_of(const char *what, const char *value, const char *const *list);

/* rp_account_add; loose 0 skips the check that no name is the same
 * accents and case aside (the index's loose names): an import, which
 * checks its own names, creating thousands. id: the new account's id, as
 * the caller drew it (an import draws them all first, to write its
 * accounts in id order), or NULL for a fresh random one; acct_out gets it. */
int rp_edit_account_add(rp_write *w, const char *name, const char *owner, int loose,
                        const uint8_t *id, uint8_t acct_out[RP_ACCOUNT_LEN]);

/* rp_fu_add, as one of campaign's follow-ups (campaign: its id, or NULL). */
int rp_edit_fu_add(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *text,
                   uint64_t due_ms, const char *assignee, const char *campaign,
                   uint8_t ref_out[RP_REF_LEN]);

/* An amount as typed (1,234.50) in units of currency code, checked
 * against its decimals ("12.5 JPY": JPY has none). RP_EINVAL naming it. */
int rp_edit_amount(const char *text, const char *code, int64_t *units);

#endif
