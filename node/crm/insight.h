/* node/crm/insight.h — what a rep asks of the whole book: top, at-risk,
 * find, complaints (the agenda: agenda.h) (public API; the JSON shapes are in
 * node/rapport.h). Each returns a new json_t the caller json_decrefs. */
#ifndef RP_INSIGHT_H
#define RP_INSIGHT_H

#include <stddef.h>

#include "../rapport.h"

/* The top n accounts by "value", "recent" or "frequency". */
int rp_top(rp_node *n, int count, const char *by, json_t **out);

/* Accounts whose contact or purchase rhythm dropped, strongest first: the
 * first limit of them (SIZE_MAX: all). */
int rp_at_risk(rp_node *n, size_t limit, json_t **out);

/* Accounts, contacts and interactions matching every word of text. */
int rp_find(rp_node *n, const char *text, json_t **out);

/* Complaints (open only when open_only). */
int rp_complaints(rp_node *n, int open_only, json_t **out);

#endif
