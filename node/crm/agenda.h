/* node/crm/agenda.h — who to call, today or for the days ahead (public API,
 * node/rapport.h; the row's JSON shape is there). */
#ifndef RP_AGENDA_H
#define RP_AGENDA_H

#include "../rapport.h"

#define RP_AGENDA_DAYS_MAX 31

typedef struct rp_agenda_opts {
	int         calls;   /* suggested calls a workday; < 0: the team's setting (team calls) */
	int         days;    /* days planned from today, 1..RP_AGENDA_DAYS_MAX; 0 means 1 */
	const char *owner;   /* only this member's work: the accounts it owns and the
	                      * follow-ups assigned to it; NULL: everything held here */
} rp_agenda_opts;

/* The plan, day by day, each day in this order: follow-ups due (overdue
 * ones on the first day, oldest first), open complaints older than 2 days,
 * accounts due by their cadence (account set X cadence 1w), then the
 * suggested calls: the most valuable accounts least recently contacted,
 * the given number each workday (none on Saturdays and Sundays), never one
 * whose consent is no, one already planned, or one contacted within the
 * last week. Archived accounts are left out. o NULL: today, the team's
 * calls, everyone's. RP_EINVAL (days out of range), RP_ENOTFOUND (owner is
 * no member). */
int rp_agenda(rp_node *n, const rp_agenda_opts *o, json_t **out);

#endif
