/* node/handover.h — accounts changing hands, and members and devices
 * revoked: the verbs behind `rapport handover` and `rapport member revoke`
 * (part of the public API, node/rapport.h).
 * Only the account's owner, a manager or an admin may hand it over; every
 * node enforces that on ingest too. */
#ifndef RP_HANDOVER_H
#define RP_HANDOVER_H

#include "rapport.h"

/* acct.assign of acct to member to (note may be NULL). RP_EDENIED (not the
 * owner nor a manager), RP_EEXIST (to already owns it), RP_ENOTFOUND,
 * RP_EREVOKED (to was revoked). */
int rp_handover(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *to, const char *note);

/* The new owner's first step (DESIGN.md §7): a follow-up "introduce
 * yourself to ACCOUNT" assigned to to, due the next workday. */
int rp_handover_intro(rp_write *w, const uint8_t acct[RP_ACCOUNT_LEN], const char *to);

/* Hand over every account member from owns, each with its intro follow-up
 * unless intro is 0; *moved counts them. */
int rp_handover_from(rp_write *w, const char *from, const char *to, const char *note, int intro,
                     size_t *moved);

/* What a handover would move, without writing: one account (acct) or all of
 * from's. [{id, name, from, to, interactions, open_followups, ops, bytes}] */
int rp_handover_plan(rp_node *n, const uint8_t *acct, const char *from, const char *to, json_t **out);

/* Revoke member name (admin only): hand its accounts to handover_to
 * (required when it owns any; each with its intro follow-up), then cut off every one of its devices at the
 * last op this node holds of it. From then on no node accepts those
 * devices' connections or their later ops. */
int rp_member_revoke(rp_write *w, const char *name, const char *handover_to, size_t *moved);

/* Revoke one device of member name (admin only): a lost laptop. It is cut
 * off at the last op this node holds of it (a node holding more refuses the
 * rest: the lowest cutoff of two revocations holds); the member and its
 * other devices go on. device is a full device id or a unique prefix (>= 6
 * characters) of one of the member's devices; *cut receives its id. Returns
 * 0, RP_EDENIED (not an admin), RP_ENOTFOUND / RP_EAMBIG (no such device of
 * that member), RP_EINVAL (this device itself). */
int rp_member_revoke_device(rp_write *w, const char *name, const char *device,
                            uint8_t cut[RP_DEVICE_LEN]);

#endif
