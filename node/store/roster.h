/* node/store/roster.h — the team: members, their roles, their devices.
 * The roster is itself ops in the log (team scope); this module applies them
 * to the members/devices tables and answers "who is this device, what may it
 * do". Role changes are last-writer-wins by (hlc, author). */
#ifndef RP_ROSTER_H
#define RP_ROSTER_H

#include <jansson.h>
#include <sodium.h>
#include "store.h"
#include "../../proto/body.h"
#include "../../proto/op.h"

#define RP_ROLE_MAX 15

/* A member (or peer) name: 1..RP_NAME_MAX bytes of [A-Za-z0-9._-], so it
 * is safe in every output format and as an index key. */
int rp_member_name_ok(const char *p, size_t n);

/* 1 if role is admin|manager|rep|hub. */
int rp_role_ok(const char *role);

/* 1 if kind is a roster kind (team.genesis, member.add, device.add,
 * member.role, member.revoke, team.set). */
int rp_roster_kind(const char *kind);

/* May op (decoded, body parsed) be accepted given the roster in txn?
 * Checks the author is a known device (or this is a valid genesis) and that
 * its member's role allows the kind. Returns 0, RP_ENOTMEMBER, RP_EDENIED,
 * RP_EFORMAT (roster body malformed), RP_EEXIST (a second genesis). */
int rp_roster_check(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body);

/* Apply a roster op (already checked). For team.genesis, bytes/len are the
 * encoded op: the team id is their hash. */
int rp_roster_apply(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body,
                    const uint8_t *bytes, size_t len);

/* The member and role of a device. member/role may be NULL.
 * Returns 0 or RP_ENOTMEMBER. */
int rp_roster_device(rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN],
                     char member[RP_NAME_MAX + 1], char role[RP_ROLE_MAX + 1]);

/* The member, role and revocation cutoff of a device (UINT64_MAX when not
 * revoked: its ops above cutoff are refused). Outputs may be NULL.
 * Returns 0 or RP_ENOTMEMBER. */
int rp_roster_author(rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN],
                     char member[RP_NAME_MAX + 1], char role[RP_ROLE_MAX + 1], uint64_t *cutoff);

/* 1 if the device has been revoked (its connections are refused). */
int rp_roster_revoked(rp_store *st, MDB_txn *txn, const uint8_t dev[RP_DEVICE_LEN]);

/* 1 if the team's setting (team.set keep, admins only) says devices keep
 * the accounts their member lost. */
int rp_roster_team_keep(rp_store *st, MDB_txn *txn);

/* The team's currency (team.set currency, admins): what value ranks in and
 * what an amount without a currency is in. "EUR" until one is set. */
void rp_roster_team_currency(rp_store *st, MDB_txn *txn, char code[4]);

/* The suggested calls a workday (team.set calls): 2 until one is set. */
int rp_roster_team_calls(rp_store *st, MDB_txn *txn);

/* The team's days off (team.set holidays), as day numbers, at most cap
 * of them into days; returns how many. */
size_t rp_roster_team_holidays(rp_store *st, MDB_txn *txn, int64_t *days, size_t cap);

/* 1 if the member has been revoked. */
int rp_roster_member_revoked(rp_store *st, MDB_txn *txn, const char *name);

/* The role of a member. Returns 0 or RP_ENOTFOUND. */
int rp_roster_member(rp_store *st, MDB_txn *txn, const char *name, char role[RP_ROLE_MAX + 1]);

/* [{name, role, devices: [{id, revoked}]}] sorted by name. */
int rp_roster_list(rp_store *st, MDB_txn *txn, json_t **out);

/* Feed the roster's canonical content to a BLAKE2b state (for digest). */
int rp_roster_hash(rp_store *st, MDB_txn *txn, crypto_generichash_state *h);

#endif
