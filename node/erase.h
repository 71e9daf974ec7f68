/* node/erase.h — erasure reaches the disk (DESIGN.md §5). LMDB keeps what a
 * txn deletes in free pages of data.mdb, so a purged account or a redacted
 * body is gone from every view and still on the disk. Erasing means
 * rewriting the store without them: a compacted copy (no free pages, and
 * the free space inside the pages it keeps zeroed: LMDB reuses a dropped
 * page's buffer without clearing it, so a live page's gap, or the end of a
 * one-page value, may hold bytes of a value deleted long ago) replaces
 * data.mdb, and the old file's blocks are overwritten with zeros before it
 * is let go.
 *
 * Every rapport process holds <home>/home.lock shared from rp_node_open to
 * rp_node_close; the swap needs it exclusive, so no process ever reads a
 * store that is being replaced. A txn that drops data first marks the home
 * (<home>/erase.pending, rp_store_mark_erase); the process that committed
 * it erases before its command returns when it holds the home alone, and
 * otherwise leaves the mark for the process that holds it the longest, the
 * daemon, which erases within a second or two (`status` shows
 * erase_pending meanwhile). A crash at any point loses no committed op: the
 * compacted copy is complete and fsync'd before it is renamed over
 * data.mdb, and the mark is removed only after; the next open finishes
 * the job. The lock is a POSIX record lock, which is per process: a process
 * opens one rp_node per home (every rapport command and the daemon do). */
#ifndef RP_ERASE_H
#define RP_ERASE_H

#include "node.h"

/* Take the home lock (fd: <home>/home.lock) shared, waiting while an
 * erasure holds it. Returns 0 or -1 (errno set). */
int rp_erase_lock_shared(int fd);

/* 1 if the home is marked for an erasure (or a wipe) not done yet. */
int rp_erase_pending(const rp_node *n);

/* This device was revoked (its own roster says so, from an admin's signed
 * member.revoke): erase the team's data from the home, to the disk,
 * keeping only the device key and a note, <home>/revoked.txt, saying what
 * was erased, when and why. The store is left empty (not in a team). Done
 * at once when this process holds the home alone, else marked
 * (wipe.pending) and done by rp_erase_now in whichever process next holds
 * it alone. The note is dated now_ms; *accounts and *ops (may be NULL)
 * receive what was erased.
 * Returns 0, RP_EBUSY (marked, not done yet), RP_EIO. */
int rp_erase_wipe(rp_node *n, uint64_t now_ms, uint64_t *accounts, uint64_t *ops);

/* The note a wipe left (NUL-terminated, at most cap - 1 bytes), or "" when
 * this home was never wiped. */
void rp_erase_note(const rp_node *n, char *out, size_t cap);

/* If the home is marked, erase now (a pending wipe first): take the home lock exclusively
 * (waiting up to wait_ms for other processes to let go), compact, swap,
 * zero the old file, reopen the store, remove the mark. n->store is
 * replaced (no txn may be open on it). Returns 0 (done, or nothing to do),
 * RP_EBUSY (another process holds the home: the mark stays, it will do
 * it or the next one will), or RP_EIO / RP_ENOMEM (the old store is
 * intact and still open, the mark stays). */
int rp_erase_now(rp_node *n, int wait_ms);

#endif
