/* node/sync/port.h — what a sync session needs of its node, as a table of
 * calls. The session (session.h) holds no store, clock or thread of its
 * own: everything it reads or writes goes through a port. feed.h builds the
 * port over this node's LMDB store (the outgoing feed there, the batch
 * committer of commit.h, the post-sync work of settle.h); tests and
 * fuzz/fuzz_session.c also drive the session over an in-memory port
 * (tests/memport.h).
 *
 * Every call gets the port's ctx first and returns 0 or a negative RP_E*
 * unless it says otherwise. Pointers the session passes are the session's
 * and valid for the call only; what a call allocates for the session
 * (backfill plans) the session frees with free(). */
#ifndef RP_PORT_H
#define RP_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "../../proto/id.h"
#include "../../proto/limits.h"
#include "../../proto/msg.h"
#include "../../proto/op.h"

/* What the session tells the peer about us, and how far we hold its feed. */
typedef struct rp_port_info {
	uint8_t  device[RP_DEVICE_LEN];    /* this node's device key */
	uint8_t  team[RP_TEAM_LEN];        /* all zero: in no team yet */
	char     team_name[RP_NAME_MAX + 1];   /* "" when not known */
	uint64_t head;        /* the next position of our arrival feed */
	uint64_t own_head;    /* the highest seq of the peer's own ops we hold */
	uint64_t cursor;      /* how much of the peer's feed we hold */
	uint64_t now_ms;      /* our wall clock */
} rp_port_info;

/* Who the peer is to us, once admitted. */
typedef struct rp_port_scope {
	int full;             /* the peer sees every op (admin, manager, hub) */
	int self_full;        /* so does this device */
} rp_port_scope;

/* What a committed batch did: new ops in the log (held ones taken now
 * included), copies of ops held already, ops held for their author or
 * account, ops refused (held ones refused now included), and held ops
 * released (taken or refused). */
typedef struct rp_batch_tally {
	uint64_t received, duplicates, held, refused, released;
} rp_batch_tally;

/* What the work after a complete sync did. */
typedef struct rp_port_settled {
	uint64_t accounts;    /* views rebuilt */
	uint64_t purged;      /* accounts let go: they changed hands */
	uint64_t whole;       /* accounts the peer backfilled that arrived whole */
	uint64_t incomplete;  /* ... with ops missing */
} rp_port_settled;

/* An account and a count of its ops, as HAVE messages carry them:
 * account (16) ‖ count (8, big-endian). Lists of them are flat arrays
 * of n × RP_HAVE_LEN bytes. */
#define RP_HAVE_LEN (RP_ACCOUNT_LEN + 8)

typedef struct rp_port {
	void       *ctx;
	const char *home;     /* names the store in messages ("the disk holding %s") */

	int  (*info)(void *ctx, rp_port_info *out);

	/* Place the peer by its authenticated key in our roster and set its
	 * scope for feed and backfill. 0: a member, *scope filled and *plan
	 * (n accounts of RP_ACCOUNT_LEN, or NULL when n is 0) holding the
	 * accounts withheld from it before that are in its scope now;
	 * RP_ENOTMEMBER: a stranger, RP_EREVOKED: revoked (nothing may go to
	 * it either way); or another RP_E*. Called again each time a
	 * stranger's feed may have made it a member. */
	int  (*admit)(void *ctx, rp_port_scope *scope, uint8_t **plan, size_t *n);

	/* The same plan once more, with the views the peer's feed changed
	 * rebuilt first: accounts that entered the peer's scope meanwhile. */
	int  (*replan)(void *ctx, uint8_t **plan, size_t *n);

	/* Our feed after position `after`, in order, into b until it is full:
	 * what the peer may see of it, leaving out ops it sent us and its own
	 * ops up to own_head. *last: the position read up to (withheld ops
	 * passed count; withheld accounts are written down before this
	 * returns); *any: 1 if the feed holds anything after `after`. */
	int  (*feed)(void *ctx, uint64_t after, uint64_t own_head, rp_batch_builder *b,
	             uint64_t *last, int *any);

	/* The history of account acct, in merge order from key (acct ‖ zeros
	 * to start; RP_ACCOUNT_LEN + 8 + RP_OPID_LEN bytes), into b. Returns 1
	 * when b filled (key is set to the op to resume at), 0 when the
	 * account is done, or an RP_E*. *added counts the ops put in b;
	 * *assigns_only is set when only its assign ops may go. */
	int  (*backfill)(void *ctx, const uint8_t acct[RP_ACCOUNT_LEN], uint8_t *key,
	                 rp_batch_builder *b, uint64_t *added, int *assigns_only);

	/* Verify, store and acknowledge in one go a batch of the peer's feed
	 * ending at cursor (commit.h says how): ops[i] decoded from raw[i]
	 * with result rcs[i]. 0 fills *tally; RP_ENOSPC, RP_ELIMIT, RP_ENOMEM,
	 * RP_EIO store nothing. */
	int  (*commit)(void *ctx, uint64_t cursor, rp_op *ops, int *rcs, const uint8_t **raw,
	               const size_t *rawlen, size_t n, rp_batch_tally *tally);

	/* Add to b the signed ops that revoked the peer's device (so that it
	 * can check them and wipe itself). */
	int  (*notice)(void *ctx, rp_batch_builder *b);

	/* Notes for `status`, best effort: the peer was refused (why), and its
	 * clock against ours (ahead_ms 0: in step, the note goes). */
	void (*note_refusal)(void *ctx, const char *why);
	void (*note_clock)(void *ctx, int64_t ahead_ms);

	/* Both feeds exchanged: rebuild the views the sync left stale, check
	 * the accounts the peer backfilled (expect) arrived whole, write down
	 * that the ones we backfilled (haves) went, that the peer holds our
	 * feed up to acked, and — the peer seeing everything and keep 0 — let
	 * go of what changed hands. On failure why (cap bytes) says what for
	 * the user. */
	int  (*settle)(void *ctx, uint64_t acked, const uint8_t *haves, size_t nhaves,
	               const uint8_t *expect, size_t nexpect, int keep,
	               rp_port_settled *out, char *why, size_t cap);

	/* Free ctx: the session calls it when it is freed (NULL: nothing). */
	void (*close)(void *ctx);
} rp_port;

#endif
