/* node/store/store.h — the LMDB environment and its named tables.
 * Every transaction goes through here; nothing else calls mdb_env_* or opens
 * a table. Keys are big-endian so LMDB's byte order is the order we want. */
#ifndef RP_STORE_H
#define RP_STORE_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "../../proto/id.h"

/* Tables (named databases) and what they hold:
 *  ops       author‖seq (40)            → canonical op bytes
 *  arrival   local arrival seq (8)      → op id (40) ‖ [source device (32)]  the feed peers read
 *  acct_ops  account‖hlc‖op id (64)     → ""                  an account's log in merge order
 *  heads     author (32)                → highest seq (8)
 *  refs      ref (16)                   → op id (40) ‖ account (16) ‖ kind   (refs.h)
 *  refq      arrival seq (8)            → ref ‖ op id ‖ account ‖ kind: refs deferred (refs.h)
 *  views     account (16)               → canonical view (JSON text) but its interactions
 *  items     account ‖ ~at (8) ‖ id (26)  → one interaction of the view (JSON text), newest first
 *  tallies   account (16)               → the figures of its interactions (tally.h)
 *  summaries account (16)               → summary (JSON text) for lists and queries
 *  names     lower(name) ‖ 0 ‖ account  → ""
 *  owners    member ‖ 0 ‖ account       → ""
 *  members   name                       → JSON {role, stamp}
 *  devices   device (32)                → JSON {member, stamp}
 *  redacted  op id (40)                 → redact op id (40)   bodies to erase, even on late arrival
 *  equiv     op id (40)                 → the refused twin op (evidence)
 *  cursors   peer device (32)           → how much of its feed we hold (8)
 *  peers     peer name                  → JSON {endpoint, device, last_sync, ...}
 *  pending   op id (40)                 → sender (32) ‖ held at (8) ‖ op bytes, until its author is known (pending.h)
 *  stale     account (16)               → ""   views a sync must still rebuild
 *  skipped   peer (32) ‖ account (16)   → ""   ops of it withheld from that peer (scope)
 *  purged    account (16)               → JSON {at, ops}  history dropped here after a handover
 *  authority account‖hlc‖op id (64)     → kind letter ‖ member  creates, assigns, follows (authz.h)
 *  delivered peer device (32)           → how much of our feed it holds (8)  (delivery.h)
 *  handovers arrival seq (8)            → account (16) ‖ new owner: the feed's handovers
 *  ix        kind ‖ body ‖ account        → value: the indexes queries read (index.h)
 *  acct_ix   account (16)               → its ix entries, packed (index.h)
 *  ix_due    account (16)               → token (8): its words are not in ix yet (words.h)
 *  meta      text key                   → value */
typedef struct rp_store {
	MDB_env *env;
	MDB_dbi  ops, arrival, acct_ops, heads, refs, views, summaries, names,
	         owners, members, devices, redacted, equiv, cursors, peers, pending,
	         stale, skipped, purged, authority, refq, meta, referrals,
	         delivered, handovers, ix, acct_ix, ix_due, items, tallies;
	/* The last device looked up in the roster, valid for one txn and one
	 * roster generation: an import checks the same author 100,000 times. */
	struct {
		size_t   txn_id;
		uint64_t gen;
		uint8_t  dev[32];
		char     member[201], role[16];
		uint64_t cutoff;
		int      valid;
	} author_cache;
	uint64_t roster_gen;     /* bumped by every roster change this process applies */
	int      refs_defer;     /* this process's ingests defer their refs (refs.h) */
	uint64_t refs_marked_gen;/* the write txn (roster_gen) that noted refs due */
	int      words_defer;    /* this process's index writes defer their words (words.h) */
	uint64_t words_marked_gen;/* the write txn (roster_gen) that noted words due */
	uint64_t words_seq;      /* the last mark's token (words.h) */
	char     dir[4096];      /* the home the environment lives in */
} rp_store;

/* The map size a new environment starts with (it grows on demand). A
 * variable so tests can start tiny and force MDB_MAP_FULL. */
extern size_t rp_store_map_initial;

/* Open (creating if absent) the store in dir. On success *out owns the
 * environment; release it with rp_store_close(). Returns 0, RP_EIO,
 * RP_ENOMEM, or RP_EVERSION when the files were written by a newer rapport. */
int  rp_store_open(const char *dir, rp_store **out);
void rp_store_close(rp_store **st);

/* Begin a transaction (write != 0 for a write txn). Picks up a map grown by
 * another process. Returns 0 or RP_EIO. */
int rp_store_begin(rp_store *st, int write, MDB_txn **txn);

/* A write: run in a txn by rp_store_run. It returns 0, an RP_E* code or an
 * LMDB code, and must start from its own inputs each time it is called:
 * a try that filled the map is aborted, and it sees nothing of it. */
typedef int (*rp_store_job)(rp_store *st, MDB_txn *txn, void *arg);

/* Run job in a new write txn and commit it. When the map fills (in the job
 * or at the commit), the txn is aborted, the map doubled and the job run
 * again in a fresh txn, up to 8 times. A job that fails has its txn
 * aborted. Returns 0, the job's code (as rp_store_write_err maps it:
 * RP_ENOSPC for a full disk), or RP_EIO when the map cannot grow. No other
 * txn of this thread may be open. (txn.c: the loop of rp_txn_rerun too.) */
int rp_store_run(rp_store *st, rp_store_job job, void *arg);

/* A writer that defers work to its end (refs.h, words.h) notes its pid
 * under meta key, once a write txn (*marked: the roster_gen it last noted
 * in, which moves with every write txn begun). Returns 0 or an RP_E* code.
 * rp_store_other_alive: 1 when the pid noted under key is another
 * process, still running; else 0. */
int rp_store_note_deferrer(rp_store *st, MDB_txn *txn, const char *key, uint64_t *marked);
int rp_store_other_alive(rp_store *st, MDB_txn *txn, const char *key);

/* Double the map size; call with no transaction open in this process. */
int rp_store_grow(rp_store *st);

/* Grow the map (doubling) until more bytes fit beyond what is used: a
 * write known to be big then never fills the map and replays midway. No
 * transaction may be open in this process. */
int rp_store_reserve(rp_store *st, size_t more);

/* Map an LMDB return code to an RP_E* code (MDB_NOTFOUND → RP_ENOTFOUND,
 * MDB_MAP_FULL stays recognisable through rp_store_full()). */
int rp_store_err(int mdb_rc);
int rp_store_full(int mdb_rc);

/* Note, before committing a txn that drops data (a purge, a redaction),
 * that the home must be compacted for the data to leave the disk: creates
 * <dir>/erase.pending (fsync'd) if it is not there. Returns 0 or RP_EIO.
 * node/erase.h does the compaction and removes the mark. */
int rp_store_mark_erase(rp_store *st);

/* The RP_E* code of a failed write in st: RP_ENOSPC when the error was
 * ENOSPC, or an I/O error while the filesystem holding the store has
 * (almost) no room left (LMDB reports a short write as EIO), else as
 * rp_store_err. */
int rp_store_write_err(rp_store *st, int mdb_rc);

/* Write a compacted copy of the store (no free pages, so nothing deleted)
 * to fd (open for reading and writing) and fsync it; the free space inside
 * the pages it keeps is zeroed too (LMDB leaves old bytes there). Returns
 * 0 or RP_EIO. */
int rp_store_compact_to(rp_store *st, int fd);

/* meta helpers: get returns RP_ENOTFOUND when absent; the value pointer is
 * valid until the txn ends. */
int rp_meta_get(rp_store *st, MDB_txn *txn, const char *key, MDB_val *val);
int rp_meta_put(rp_store *st, MDB_txn *txn, const char *key, const void *val, size_t len);
int rp_meta_get_u64(rp_store *st, MDB_txn *txn, const char *key, uint64_t *v); /* absent → 0 */
int rp_meta_put_u64(rp_store *st, MDB_txn *txn, const char *key, uint64_t v);

/* Key of acct_ops for an op: account ‖ hlc ‖ op id. */
#define RP_ACCT_KEY_LEN (RP_ACCOUNT_LEN + 8 + RP_OPID_LEN)
void rp_acct_key(uint8_t key[RP_ACCT_KEY_LEN], const uint8_t acct[RP_ACCOUNT_LEN],
                 uint64_t hlc, const uint8_t opid[RP_OPID_LEN]);

/* A u64, big-endian, under key in table dbi (a cursor, a head): get
 * gives 0 when the key is absent or its value is not 8 bytes, and returns
 * 0; put returns 0 or an LMDB code (MDB_MAP_FULL: see rp_store_run). */
int rp_store_get_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t *v);
int rp_store_put_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t v);

/* Mark key in a set table (stale accounts, withheld accounts): an empty
 * value. Returns 0 or an LMDB code. */
int rp_store_mark(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen);

/* End a read txn (rp_store_begin(st, 0, …), rp_node_read). NULL is fine. */
void rp_store_end(MDB_txn *txn);

/* The value under key in dbi: 0, or RP_ENOTFOUND (or another RP_E*).
 * v points into the txn's pages: valid until the txn writes or ends. */
int rp_store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, MDB_val *v);

/* Put val under key in dbi (replacing), or delete key (absent is fine).
 * Return 0 or an RP_E* code (MDB_MAP_FULL kept, as rp_store_err does). */
int rp_store_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen);
int rp_store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen);

/* Put val under key (val NULL: delete key; absent is fine). Returns 0 or
 * an RP_E* code (MDB_MAP_FULL kept). */
int rp_store_set(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *val);

/* rp_store_put for keys that come in order: past the last key of dbi they
 * are appended (full pages, no search), else put as usual. */
int rp_store_append(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen);

/* How many entries dbi holds (0 when it cannot be read). */
size_t rp_store_count(MDB_txn *txn, MDB_dbi dbi);

/* The first or last key of dbi, when it is klen bytes long, into key:
 * 0, RP_ENOTFOUND (empty, or another length), or another RP_E* code. */
int rp_store_first_key(MDB_txn *txn, MDB_dbi dbi, void *key, size_t klen);
int rp_store_last_key(MDB_txn *txn, MDB_dbi dbi, void *key, size_t klen);

/* The feed's head: its last arrival seq, in a read txn of its own; 0 for an
 * empty feed, or when it cannot be read. */
uint64_t rp_store_feed_head(rp_store *st);

/* Delete every entry of dbi (a write txn). Returns 0 or an RP_E* code. */
int rp_store_clear(MDB_txn *txn, MDB_dbi dbi);

/* Walk dbi in key order from the first key >= from (from NULL: from the
 * first key). fn gets each key and value (in the txn's pages, valid while
 * fn runs) and returns 0 to go on, RP_STORE_STOP to end the walk, or an
 * RP_E* code, which ends it and is returned. Returns 0 or an RP_E* code. */
#define RP_STORE_STOP 1
typedef int (*rp_store_visit)(void *arg, const MDB_val *key, const MDB_val *val);
int rp_store_scan(MDB_txn *txn, MDB_dbi dbi, const void *from, size_t fromlen,
                  rp_store_visit fn, void *arg);

#endif
