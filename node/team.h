/* node/team.h — the team's settings (public API, node/rapport.h): team.set
 * ops, admins only, last writer wins per setting, the same on every node. */
#ifndef RP_TEAM_H
#define RP_TEAM_H

#include "rapport.h"
#include "../proto/limits.h"

/* keep != 0: no rep device purges the accounts its member lost. */
int rp_team_set_keep(rp_write *w, int keep);

/* The team's currency: value ranks in it, and an amount given without a
 * currency is in it. RP_EINVAL unless code is an active ISO 4217 code. */
int rp_team_set_currency(rp_write *w, const char *code);

/* The calls the agenda suggests a workday, 0..RP_TEAM_CALLS_MAX. */
int rp_team_set_calls(rp_write *w, int calls);

/* The team's days off: no calls suggested, no campaign follow-ups and no
 * intro follow-up due on them. days are day numbers (text/when); n <=
 * RP_TEAM_HOLIDAYS_MAX; n 0 clears them. */
int rp_team_set_holidays(rp_write *w, const int64_t *days, size_t n);

typedef struct rp_team_settings {
	char    currency[4];     /* "EUR" until set */
	int     calls;           /* 2 until set */
	int     keep;
	int64_t holidays[RP_TEAM_HOLIDAYS_MAX];
	size_t  nholidays;
} rp_team_settings;

/* 1 when day is a workday for the team: Monday to Friday, not a holiday. */
int rp_team_workday(const rp_team_settings *t, int64_t day);

/* The team's first workday after day. */
int64_t rp_team_next_workday(const rp_team_settings *t, int64_t day);

/* The settings as this node holds them. Returns 0 or a store error. */
int rp_team_settings_get(rp_node *n, rp_team_settings *out);

/* The team as this device sees it (`rapport team`):
 * {team, currency, calls, keep, holidays: [YYYY-MM-DD], members: [{name, role, revoked, accounts
 *  (how many it owns here), devices: [{id, revoked, this_device, last_sync
 *  (ISO, of this device's last sync with it, or null)}]}]}. */
int rp_team_view(rp_node *n, json_t **out);

#endif
