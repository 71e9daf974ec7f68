/* node/crm/spill.h — an account's plan (import.h) as bytes, and back. A
 * streamed import plans each account once, in its first pass, and spills
 * the plan to a file of its own; the second pass writes the accounts from
 * there, in id order, without reading the JSON again (parsing it was a
 * third of the pass). Pure: bytes in, bytes out.
 *
 * A record: the account's line, name, owner, exists, id, then its
 * fields, tags, contacts, interactions and follow-ups, each list a count
 * and its items; a string is its length (u32, ~0 for none), its bytes and
 * a NUL; numbers big-endian. */
#ifndef RP_SPILL_H
#define RP_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "import.h"

/* Append account a's record to *buf (*len bytes used of *cap; realloc'd as
 * it grows). Returns 0, or RP_ENOMEM with *buf as it was. */
int rp_spill_put(const rp_plan_acct *a, uint8_t **buf, size_t *len, size_t *cap);

/* The account of the record rec[0..len) into *a. Its lists are in one
 * block, *mem (caller frees, also on failure), its strings in rec (keep
 * rec while a is used). Returns 0, RP_EFORMAT (bad or cut bytes: nothing
 * in *a to use) or RP_ENOMEM. */
int rp_spill_get(const uint8_t *rec, size_t len, rp_plan_acct *a, void **mem);

#endif
