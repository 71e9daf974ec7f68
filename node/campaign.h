/* node/campaign.h — a campaign (public API, node/rapport.h): one follow-up
 * with the same text on each of a set of accounts (the top N, or those with
 * a tag), spread a few a workday, so a question to the top 100 customers
 * ("Why do you buy from us?") or a seasonal offer fits into the weeks'
 * agendas. Its follow-ups carry the campaign's id; done, moved and
 * cancelled one by one like any other. */
#ifndef RP_CAMPAIGN_H
#define RP_CAMPAIGN_H

#include "rapport.h"

#define RP_CAMPAIGN_ID_TEXT 16      /* base32 of 10 random bytes */
#define RP_CAMPAIGN_PER_DAY 2       /* follow-ups a workday when not said */

typedef struct rp_campaign_spec {
	const char *text;       /* each follow-up's text */
	int         top;        /* the top N accounts by `by`, or 0 with tag */
	const char *by;         /* value|recent|frequency (NULL: value) */
	const char *tag;        /* or every account in use with this tag */
	int         per_day;    /* follow-ups a workday (0: RP_CAMPAIGN_PER_DAY) */
	uint64_t    from_ms;    /* the first day (its workday or the next); 0: the next workday */
} rp_campaign_spec;

typedef struct rp_campaign_made {
	char    id[RP_CAMPAIGN_ID_TEXT + 1];
	size_t  followups;
	int64_t first_day, last_day;     /* rp_when_day numbers */
} rp_campaign_made;

/* Write the campaign's follow-ups in w (each the account owner's). RP_EINVAL
 * names a bad spec (no text, both or neither of top and tag, per_day out of
 * 1..50); RP_ENOTFOUND when no account qualifies. */
int rp_campaign(rp_write *w, const rp_campaign_spec *s, rp_campaign_made *out);

/* The campaigns this device holds follow-ups of, newest first:
 * [{id, text, followups, done, cancelled, open, overdue, due_today, first_due,
 *   last_due}] (open counts overdue and due_today; first/last as ISO text). */
int rp_campaign_list(rp_node *n, json_t **out);

#endif
