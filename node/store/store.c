/* node/store/store.c — opens the LMDB environment and its tables, grows the map.
 * Must never hold a transaction across a call that may block on a peer. */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "store.h"
#include "../../proto/error.h"
#include "../../proto/id.h"

#define S_FORMAT_VERSION 1

size_t rp_store_map_initial = (size_t)1 << 30;  /* sparse: costs nothing until used */

int rp_store_err(int rc)
{
	if (rc <= RP_EBASE && rc >= RP_ELAST)
		return rc;              /* already ours */
	switch (rc) {
	case 0: return 0;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL: return rc; /* kept: rp_write grows the map and replays */
	case MDB_NOTFOUND: return RP_ENOTFOUND;
	case ENOMEM: return RP_ENOMEM;
	case ENOSPC:
	case EDQUOT: return RP_ENOSPC;
	case MDB_KEYEXIST: return RP_EEXIST;
	default: return RP_EIO;
	}
}

int rp_store_full(int rc)
{
	return rc == MDB_MAP_FULL || rc == MDB_TXN_FULL;
}

static int s_open_tables(rp_store *st)
{
	static const struct { const char *name; size_t off; } tables[] = {
		{ "ops", offsetof(rp_store, ops) },
		{ "arrival", offsetof(rp_store, arrival) },
		{ "acct_ops", offsetof(rp_store, acct_ops) },
		{ "heads", offsetof(rp_store, heads) },
		{ "refs", offsetof(rp_store, refs) },
		{ "views", offsetof(rp_store, views) },
		{ "summaries", offsetof(rp_store, summaries) },
		{ "names", offsetof(rp_store, names) },
		{ "owners", offsetof(rp_store, owners) },
		{ "members", offsetof(rp_store, members) },
		{ "devices", offsetof(rp_store, devices) },
		{ "redacted", offsetof(rp_store, redacted) },
		{ "equiv", offsetof(rp_store, equiv) },
		{ "cursors", offsetof(rp_store, cursors) },
		{ "peers", offsetof(rp_store, peers) },
		{ "pending", offsetof(rp_store, pending) },
		{ "stale", offsetof(rp_store, stale) },
		{ "skipped", offsetof(rp_store, skipped) },
		{ "purged", offsetof(rp_store, purged) },
		{ "authority", offsetof(rp_store, authority) },
		{ "refq", offsetof(rp_store, refq) },
		{ "meta", offsetof(rp_store, meta) },
		{ "referrals", offsetof(rp_store, referrals) },   /* referrer's id text ‖ 0 ‖ account */
		{ "delivered", offsetof(rp_store, delivered) },
		{ "handovers", offsetof(rp_store, handovers) },
		{ "ix", offsetof(rp_store, ix) },
		{ "ix_due", offsetof(rp_store, ix_due) },
		{ "acct_ix", offsetof(rp_store, acct_ix) },
		{ "items", offsetof(rp_store, items) },
		{ "tallies", offsetof(rp_store, tallies) },
	};
	MDB_txn *txn;
	uint64_t version = 0;
	int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		return rp_store_err(rc);
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)st + tables[i].off);
		rc = mdb_dbi_open(txn, tables[i].name, MDB_CREATE, dbi);
		if (rc)
			goto fail;
	}
	rc = rp_meta_get_u64(st, txn, "format", &version);
	if (rc)
		goto fail;
	if (version > S_FORMAT_VERSION) {
		mdb_txn_abort(txn);
		return RP_EVERSION;
	}
	if (version == 0 && (rc = rp_meta_put_u64(st, txn, "format", S_FORMAT_VERSION)))
		goto fail;
	rc = mdb_txn_commit(txn);
	return rc ? rp_store_err(rc) : 0;
fail:
	mdb_txn_abort(txn);
	return rc < 0 ? rc : rp_store_err(rc);
}

int rp_store_open(const char *dir, rp_store **out)
{
	rp_store *st = calloc(1, sizeof *st);
	int rc;
	if (!st)
		return RP_ENOMEM;
	if ((rc = mdb_env_create(&st->env)))
		goto fail;
	mdb_env_set_maxdbs(st->env, 64);
	mdb_env_set_maxreaders(st->env, 256);
	if ((rc = mdb_env_set_mapsize(st->env, rp_store_map_initial)))
		goto fail;
	if ((rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)))
		goto fail;
	snprintf(st->dir, sizeof st->dir, "%s", dir);
	/* Another process may have grown the map beyond our default. */
	mdb_env_set_mapsize(st->env, 0);
	if ((rc = s_open_tables(st)) < 0)
		goto fail_rp;
	*out = st;
	return 0;
fail:
	rc = rp_store_err(rc);
fail_rp:
	if (st->env)
		mdb_env_close(st->env);
	free(st);
	return rc;
}

void rp_store_close(rp_store **st)
{
	if (!st || !*st)
		return;
	mdb_env_close((*st)->env);
	free(*st);
	*st = NULL;
}

int rp_store_write_err(rp_store *st, int rc)
{
	struct statvfs fs;
	int e = rp_store_err(rc);
	/* A page write cut short by a full disk comes back from LMDB as EIO. */
	if (e == RP_EIO && statvfs(st->dir, &fs) == 0 &&
	    (unsigned long long)fs.f_bavail * fs.f_frsize < 1024 * 1024)
		return RP_ENOSPC;
	return e;
}

int rp_store_mark_erase(rp_store *st)
{
	char path[sizeof st->dir + 16];
	int fd, dfd;
	snprintf(path, sizeof path, "%s/erase.pending", st->dir);
	if (access(path, F_OK) == 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return RP_EIO;
	if (fsync(fd) != 0) {
		close(fd);
		return RP_EIO;
	}
	close(fd);
	/* the name must be on disk before the txn that needs it commits */
	if ((dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* LMDB page header (lmdb.h keeps it private; stable across 0.9): page
 * number (8), pad (2), flags (2), lower (2), upper (2), both offsets from
 * the page's start; an overflow page holds its page count (4) there. */
#define S_PAGE_HDR   16
#define S_P_BRANCH   0x01
#define S_P_LEAF     0x02
#define S_P_OVERFLOW 0x04
#define S_P_META     0x08
#define S_P_LEAF2    0x20

/* The values of a leaf page kept in overflow pages: the end of the last
 * such page past the value is as unused as a gap (LMDB reuses a dropped
 * page's buffer for a value of one page without clearing it). */
#define S_F_BIGDATA 0x01
static int s_scrub_overflow_tails(int fd, const uint8_t *pg, size_t psize, uint16_t lower)
{
	static const uint8_t zero[4096];
	for (size_t i = S_PAGE_HDR; i + 2 <= lower; i += 2) {
		uint16_t off, lo, hi, nflags, ksize;
		uint64_t pgno, dsize, end, stop;
		memcpy(&off, pg + i, 2);
		if ((size_t)off + 8 > psize)
			continue;
		memcpy(&lo, pg + off, 2);
		memcpy(&hi, pg + off + 2, 2);
		memcpy(&nflags, pg + off + 4, 2);
		memcpy(&ksize, pg + off + 6, 2);
		if (!(nflags & S_F_BIGDATA) || (size_t)off + 8 + ksize + 8 > psize)
			continue;
		memcpy(&pgno, pg + off + 8 + ksize, 8);
		dsize = (uint64_t)lo | (uint64_t)hi << 16;
		end = pgno * psize + S_PAGE_HDR + dsize;               /* the value ends here */
		stop = (pgno + (S_PAGE_HDR + dsize + psize - 1) / psize) * psize;
		while (end < stop) {
			size_t n = stop - end < sizeof zero ? (size_t)(stop - end) : sizeof zero;
			if (pwrite(fd, zero, n, (off_t)end) != (ssize_t)n)
				return -1;
			end += n;
		}
	}
	return 0;
}

/* Zero the free space of every branch and leaf page of the copy in fd:
 * LMDB copies the pages it keeps whole, and reuses the buffers of pages a
 * txn dropped without clearing them, so the gap between a page's pointers
 * and its nodes may hold bytes of values deleted long ago (erase.h).
 * Returns 0 or -1. */
static int s_scrub_gaps(int fd, size_t psize)
{
	uint8_t *pg = malloc(psize);
	off_t at = 0;
	ssize_t got;
	int rc = 0;
	if (!pg)
		return -1;
	while (rc == 0 && (got = pread(fd, pg, psize, at)) == (ssize_t)psize) {
		uint16_t flags, lower, upper;
		off_t step = (off_t)psize;
		memcpy(&flags, pg + 10, 2);
		memcpy(&lower, pg + 12, 2);
		memcpy(&upper, pg + 14, 2);
		if (flags & S_P_OVERFLOW) {
			uint32_t pages;
			memcpy(&pages, pg + 12, 4);
			if (pages > 1)
				step = (off_t)psize * pages;
		} else if ((flags & (S_P_BRANCH | S_P_LEAF)) && !(flags & (S_P_META | S_P_LEAF2)) &&
		           lower >= S_PAGE_HDR && lower <= upper && upper <= psize) {
			size_t i = lower;
			if ((flags & S_P_LEAF) && s_scrub_overflow_tails(fd, pg, psize, lower))
				rc = -1;
			while (i < upper && pg[i] == 0)
				i++;
			if (i < upper) {
				memset(pg + lower, 0, (size_t)(upper - lower));
				if (pwrite(fd, pg, psize, at) != (ssize_t)psize)
					rc = -1;
			}
		}
		at += step;
	}
	free(pg);
	return rc == 0 && got == 0 ? 0 : -1;      /* read to its end (fd must be open for reading) */
}

int rp_store_compact_to(rp_store *st, int fd)
{
	MDB_stat ms;
	if (mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT) != 0 || mdb_env_stat(st->env, &ms) != 0 ||
	    s_scrub_gaps(fd, ms.ms_psize) != 0 || fsync(fd) != 0)
		return RP_EIO;
	return 0;
}

int rp_store_begin(rp_store *st, int write, MDB_txn **txn)
{
	if (write)
		st->roster_gen++;   /* a write may be aborted: forget what the last one cached */
	int rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, txn);
	if (rc == MDB_MAP_RESIZED) {
		mdb_env_set_mapsize(st->env, 0);
		rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, txn);
	}
	return rp_store_err(rc);
}

int rp_store_note_deferrer(rp_store *st, MDB_txn *txn, const char *key, uint64_t *marked)
{
	int rc;
	if (st->roster_gen && *marked == st->roster_gen)
		return 0;
	if ((rc = rp_meta_put_u64(st, txn, key, (uint64_t)getpid())))
		return rc;
	*marked = st->roster_gen;
	return 0;
}

int rp_store_other_alive(rp_store *st, MDB_txn *txn, const char *key)
{
	uint64_t pid = 0;
	rp_meta_get_u64(st, txn, key, &pid);
	return pid && pid != (uint64_t)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int rp_store_grow(rp_store *st)
{
	MDB_envinfo info;
	mdb_env_info(st->env, &info);
	return rp_store_err(mdb_env_set_mapsize(st->env, info.me_mapsize * 2));
}

int rp_store_reserve(rp_store *st, size_t more)
{
	MDB_envinfo info;
	MDB_stat ms;
	int rc = 0;
	if (mdb_env_stat(st->env, &ms) || mdb_env_info(st->env, &info))
		return RP_EIO;
	while (rc == 0 && info.me_mapsize - (info.me_last_pgno + 1) * (size_t)ms.ms_psize < more &&
	       info.me_mapsize < ((size_t)1 << 44))
		if ((rc = rp_store_grow(st)) == 0)
			mdb_env_info(st->env, &info);
	return rc;
}

int rp_meta_get(rp_store *st, MDB_txn *txn, const char *key, MDB_val *val)
{
	MDB_val k = { strlen(key), (void *)key };
	return rp_store_err(mdb_get(txn, st->meta, &k, val));
}

int rp_meta_put(rp_store *st, MDB_txn *txn, const char *key, const void *val, size_t len)
{
	MDB_val k = { strlen(key), (void *)key }, v = { len, (void *)val };
	return rp_store_err(mdb_put(txn, st->meta, &k, &v, 0));
}

int rp_meta_get_u64(rp_store *st, MDB_txn *txn, const char *key, uint64_t *v)
{
	MDB_val val;
	int rc = rp_meta_get(st, txn, key, &val);
	*v = 0;
	if (rc == RP_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	if (val.mv_size != 8)
		return RP_EIO;
	*v = rp_be64_get(val.mv_data);
	return 0;
}

int rp_meta_put_u64(rp_store *st, MDB_txn *txn, const char *key, uint64_t v)
{
	uint8_t b[8];
	rp_be64_put(b, v);
	return rp_meta_put(st, txn, key, b, 8);
}

void rp_acct_key(uint8_t key[RP_ACCT_KEY_LEN], const uint8_t acct[RP_ACCOUNT_LEN],
                 uint64_t hlc, const uint8_t opid[RP_OPID_LEN])
{
	memcpy(key, acct, RP_ACCOUNT_LEN);
	rp_be64_put(key + RP_ACCOUNT_LEN, hlc);
	memcpy(key + RP_ACCOUNT_LEN + 8, opid, RP_OPID_LEN);
}

int rp_store_get_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t *v)
{
	MDB_val k = { klen, (void *)key }, val;
	*v = 0;
	if (mdb_get(txn, dbi, &k, &val) == 0 && val.mv_size == 8)
		*v = rp_be64_get(val.mv_data);
	return 0;
}

int rp_store_put_u64(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, uint64_t v)
{
	uint8_t b[8];
	MDB_val k = { klen, (void *)key }, val = { 8, b };
	rp_be64_put(b, v);
	return mdb_put(txn, dbi, &k, &val, 0);
}

int rp_store_mark(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key }, v = { 0, "" };
	return mdb_put(txn, dbi, &k, &v, 0);
}

void rp_store_end(MDB_txn *txn)
{
	if (txn)
		mdb_txn_abort(txn);
}

int rp_store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, MDB_val *v)
{
	MDB_val k = { klen, (void *)key };
	return rp_store_err(mdb_get(txn, dbi, &k, v));
}

int rp_store_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	return rp_store_err(mdb_put(txn, dbi, &k, &v, 0));
}

int rp_store_append(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND);
	if (rc == MDB_KEYEXIST)
		rc = mdb_put(txn, dbi, &k, &v, 0);
	return rp_store_err(rc);
}

int rp_store_set(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *val)
{
	int rc;
	if (val)
		return rp_store_err(mdb_put(txn, dbi, key, val, 0));
	rc = mdb_del(txn, dbi, key, NULL);
	return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

int rp_store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
	MDB_val k = { klen, (void *)key };
	int rc = mdb_del(txn, dbi, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}

size_t rp_store_count(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat ms;
	return mdb_stat(txn, dbi, &ms) ? 0 : ms.ms_entries;
}

int rp_store_scan(MDB_txn *txn, MDB_dbi dbi, const void *from, size_t fromlen,
                  rp_store_visit fn, void *arg)
{
	MDB_cursor *c;
	MDB_val k = { fromlen, (void *)from }, v;
	int rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, from ? MDB_SET_RANGE : MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((rc = fn(arg, &k, &v)))
			break;
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == RP_STORE_STOP ? 0 : rp_store_err(rc);
}

static int s_end_key(MDB_txn *txn, MDB_dbi dbi, void *key, size_t klen, MDB_cursor_op at)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return rp_store_err(rc);
	rc = mdb_cursor_get(c, &k, &v, at);
	if (rc == 0 && k.mv_size != klen)
		rc = MDB_NOTFOUND;
	if (rc == 0)
		memcpy(key, k.mv_data, klen);
	mdb_cursor_close(c);
	return rp_store_err(rc);
}

int rp_store_first_key(MDB_txn *txn, MDB_dbi dbi, void *key, size_t klen)
{
	return s_end_key(txn, dbi, key, klen, MDB_FIRST);
}

int rp_store_last_key(MDB_txn *txn, MDB_dbi dbi, void *key, size_t klen)
{
	return s_end_key(txn, dbi, key, klen, MDB_LAST);
}

uint64_t rp_store_feed_head(rp_store *st)
{
	uint8_t key[8];
	uint64_t head = 0;
	MDB_txn *txn;
	if (rp_store_begin(st, 0, &txn) == 0) {
		if (rp_store_last_key(txn, st->arrival, key, sizeof key) == 0)
			head = rp_be64_get(key);
		rp_store_end(txn);
	}
	return head;
}

int rp_store_clear(MDB_txn *txn, MDB_dbi dbi)
{
	return rp_store_err(mdb_drop(txn, dbi, 0));
}
