/* node/node.h — the inside of rp_node and rp_write, shared by the modules
 * that implement node/rapport.h. Not installed; cli/ never sees it. */
#ifndef RP_NODE_H
#define RP_NODE_H

#include <jansson.h>

#include "rapport.h"
#include "store/store.h"
#include "store/txn.h"
#include "keys.h"
#include "store/dirty.h"
#include "../proto/op.h"

#define RP_PATH_MAX 4096

struct rp_node {
	char      home[RP_PATH_MAX];
	rp_store *store;
	rp_key    key;
	uint64_t  now_ms;      /* 0: the real clock */
	int       keep;        /* never purge accounts that changed hands */
	int       scan;        /* queries read every account, not the indexes (rp_node_set_scan) */
	int       lock_fd;     /* <home>/home.lock, held shared while open (erase.h) */
};


/* Ops composed but not yet ingested, one batch (see rp_write_flush). */
typedef struct rp_wbatch {
	rp_op    *ops;
	size_t   *body;         /* offset of each op's body in arena */
	size_t    n, cap;
	uint8_t  *arena;
	size_t    arena_len, arena_cap;
	size_t    low;          /* the first unsettled account (rp_dirty) its ops touch, SIZE_MAX: none */
} rp_wbatch;

struct rp_signer;

struct rp_write {
	rp_node  *node;
	rp_txn   *txn;         /* open from rp_write_begin to commit or abort */
	rp_dirty  dirty;
	/* Every op this write appended, encoded: replayed into a fresh txn when
	 * the map must grow (rp_txn_rerun), so a grow never loses a write. */
	uint8_t  *log;
	size_t    log_len, log_cap;
	/* Ops composed but not yet ingested: q[fill] takes new ops; when it is
	 * full it is signed in the background while q[!fill], signed before,
	 * is ingested, and the two swap (see rp_write_flush). */
	rp_wbatch q[2];
	int       fill;
	struct rp_signer *signer;   /* non-NULL once a batch was signed on threads */
	int       signing;          /* the signer holds q[!fill] */
	uint8_t   last_opid[RP_OPID_LEN];
	uint64_t  hlc;         /* the local clock as this write advances it */
	uint64_t  seq;         /* this device's head as this write advances it */
	uint8_t   team[RP_TEAM_LEN];
	int       has_team;
	char      member[RP_NAME_MAX + 1];  /* this device's member, "" if none */
	char      role[16];
};

/* Set the thread's error message (printf-style) and return code. The
 * message (rp_errmsg) stays until the next rp_fail or rp_errclear on this
 * thread. */
int rp_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rp_errclear(void);


/* Compose one local op of kind for account (NULL = team scope) with the
 * given body (copied). Its seq and stamp are fixed now; it is signed and
 * ingested at the next rp_write_flush (at the latest, at commit), so code
 * that reads the store for ops of this write must flush first. opid_out
 * may be NULL. Returns 0, RP_EINVAL (kind too long), RP_ENOTEAM, RP_ELIMIT
 * (body too large or too deep), RP_ENOMEM, or the code of a batch it
 * ingested on the way (as rp_write_flush), with rp_errmsg set. After a
 * failure the write is only fit to abort. */
int rp_write_op(rp_write *w, const uint8_t *acct, const char *kind,
                const uint8_t *body, size_t body_len, uint8_t opid_out[RP_OPID_LEN]);

/* Sign (on the spare cores, proto/work.h) and ingest every queued op, in
 * order. A write of many ops is signed ahead of its ingest anyway, a batch
 * at a time.
 * Returns 0, or the code of the first op refused (RP_EDENIED, RP_EEXIST,
 * RP_EINVAL, ...) or of the store (RP_ENOMEM, RP_EIO), with rp_errmsg
 * naming the op; the write is then only fit to abort. */
int rp_write_flush(rp_write *w);

/* Bytes of ops this write holds so far, ingested or queued: a caller
 * writing a great many commits and begins anew before one txn grows huge. */
size_t rp_write_size(const rp_write *w);

/* The op id of the last op rp_write_op composed in this write: a pointer
 * into w, valid until w is released (its bytes change with the next op). */
#define rp_write_last_opid(w) ((const uint8_t *)(w)->last_opid)

/* A read txn on the node's store; release with rp_store_end. Returns 0,
 * or the code of rp_store_begin with rp_errmsg set. */
int rp_node_read(rp_node *n, rp_txn **txn);

/* The team id and this device's member name and role, read in txn (into
 * the caller's buffers). Any of the outputs may be NULL. Returns 0, or
 * RP_ENOTEAM with rp_errmsg set when the device is not in a team. */
int rp_node_identity(rp_node *n, rp_txn *txn, uint8_t team[RP_TEAM_LEN],
                     char member[RP_NAME_MAX + 1], char role[16]);

#endif
