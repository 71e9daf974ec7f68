/* proto/limits.h — every size and count limit of the wire and log format.
 * Decoders check each of these and fail with an error code; nothing else in
 * the tree may hard-code a limit that belongs here. */
#ifndef RP_LIMITS_H
#define RP_LIMITS_H

#define RP_PROTO_VERSION      1          /* op format version written and accepted */

#define RP_OP_MAX             (64 * 1024)  /* one encoded op, envelope and body */
#define RP_BODY_MAX           (60 * 1024)  /* the msgpack body inside an op */
#define RP_BODY_DEPTH_MAX     8            /* nesting of maps/arrays in a body */
#define RP_BODY_ITEMS_MAX     1024         /* entries of any one map or array in a body */
#define RP_STR_MAX            (16 * 1024)  /* any one string in a body */
#define RP_KIND_MAX           32           /* op kind, e.g. "acct.set" */
#define RP_NAME_MAX           200          /* account, member, contact, tag, field names */
#define RP_FIELD_MAX          64           /* a field key of acct.set / contact.set */
#define RP_REDACT_MAX         256          /* op ids one redact op may name */
#define RP_REVOKE_CUTOFFS_MAX 64           /* devices one member.revoke may cut off */
#define RP_TEAM_CALLS_MAX     20           /* suggested calls a workday, the team setting */
#define RP_TEAM_HOLIDAYS_MAX  64           /* days off the team setting names */
#define RP_DAY_MAX            2932896      /* 9999-12-31, as days since 1970-01-01 */
#define RP_CENTS_MAX          100000000000000000LL /* |amount| in minor units (10^17) */
#define RP_BATCH_MAX          (256 * 1024) /* the ops of one sync batch */
#define RP_BATCH_OPS_MAX      4096         /* ops in one sync batch */
#define RP_PENDING_MAX        100000       /* ops held back until their author is known */
#define RP_PENDING_BYTES_MAX  (64 * 1024 * 1024)  /* ... and their bytes */
#define RP_PENDING_SENDER_OPS_MAX   25000          /* ... of them given by one device */
#define RP_PENDING_SENDER_BYTES_MAX (16 * 1024 * 1024)
#define RP_PENDING_TTL_MS     (7 * 24 * 3600 * 1000ULL) /* how long one is held */
#define RP_CSV_CELLS_MAX      256          /* cells in one CSV record (import) */
#define RP_CSV_CELL_MAX       (64 * 1024)  /* bytes in one CSV cell (import) */
#define RP_IMPORT_MAX         (256 * 1024 * 1024) /* an import file */
#define RP_SKEW_MAX_MS        (5 * 60 * 1000ULL) /* how far a peer's clock may drag ours */
#define RP_SEQ_MAX            ((1ULL << 62) - 1) /* per-author sequence numbers */
#define RP_HLC_MS_MAX         ((1ULL << 48) - 1)

#endif
