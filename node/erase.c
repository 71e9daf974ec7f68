/* node/erase.c — see erase.h. Must never leave the home without a complete
 * data.mdb, nor swap the file under a process that still reads it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "erase.h"
#include "text/when.h"
#include "../proto/error.h"
#include "../proto/id.h"

static void s_path(const rp_node *n, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", n->home, name);
}

static int s_exists(const rp_node *n, const char *name)
{
	char p[RP_PATH_MAX + 32];
	s_path(n, name, p, sizeof p);
	return access(p, F_OK) == 0;
}

int rp_erase_pending(const rp_node *n)
{
	return s_exists(n, "erase.pending") || s_exists(n, "wipe.pending");
}

void rp_erase_note(const rp_node *n, char *out, size_t cap)
{
	char p[RP_PATH_MAX + 32];
	FILE *f;
	size_t got = 0;
	out[0] = 0;
	s_path(n, "revoked.txt", p, sizeof p);
	if ((f = fopen(p, "r"))) {
		got = fread(out, 1, cap - 1, f);
		fclose(f);
	}
	out[got] = 0;
	while (got && (out[got - 1] == '\n'))
		out[--got] = 0;
}

static void s_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Overwrite fd's contents with zeros and flush them: the blocks a deleted
 * record sat in hold nothing once the file is let go. */
static int s_zero(int fd)
{
	static const char zeros[1 << 16];
	struct stat sb;
	off_t off = 0;
	if (fstat(fd, &sb) != 0)
		return -1;
	while (off < sb.st_size) {
		size_t n = (size_t)(sb.st_size - off) < sizeof zeros ? (size_t)(sb.st_size - off) : sizeof zeros;
		ssize_t w = pwrite(fd, zeros, n, off);
		if (w <= 0)
			return -1;
		off += w;
	}
	return fsync(fd);
}

/* The home lock is a POSIX record lock on home.lock (fcntl): shared while a
 * store is open, exclusive for a swap. Unlike flock(2), a conversion that
 * cannot be granted leaves the shared lock held, so a process never has
 * its store open without the lock, even for an instant. */
static int s_lock(int fd, short type, int wait)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

int rp_erase_lock_shared(int fd)
{
	return s_lock(fd, F_RDLCK, 1);
}

/* Take the home lock exclusively (the caller holds it shared), waiting up
 * to wait_ms for the other processes to let go. */
static int s_lock_alone(rp_node *n, int wait_ms)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	for (int waited = 0;; waited += 20) {
		if (s_lock(n->lock_fd, F_WRLCK, 0) == 0)
			return 0;
		if ((errno != EAGAIN && errno != EACCES) || waited >= wait_ms)
			return RP_EBUSY;
		nanosleep(&pause, NULL);
	}
}

static void s_unlock_alone(rp_node *n)
{
	s_lock(n->lock_fd, F_RDLCK, 1);       /* exclusive to shared: always granted */
}

/* With the home held alone: zero and remove the store's files, leave the
 * key, open an empty store. */
static int s_wipe_locked(rp_node *n)
{
	static const char *const files[] = { "data.mdb.erase", "lock.mdb", "erase.pending", NULL };
	char data[RP_PATH_MAX + 32], p[RP_PATH_MAX + 32];
	int old, rc = 0;
	s_path(n, "data.mdb", data, sizeof data);
	rp_store_close(&n->store);
	if ((old = open(data, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
		if (s_zero(old) != 0)
			rc = RP_EIO;
		close(old);
		if (rc == 0 && unlink(data) != 0)
			rc = RP_EIO;
	}
	for (int i = 0; files[i]; i++) {
		s_path(n, files[i], p, sizeof p);
		unlink(p);
	}
	if (rc == 0) {
		s_path(n, "wipe.pending", p, sizeof p);
		unlink(p);
	}
	s_sync_dir(n->home);
	{
		int r = rp_store_open(n->home, &n->store);
		if (r && rc == 0)
			rc = r;
	}
	return rc;
}

int rp_erase_wipe(rp_node *n, uint64_t now_ms, uint64_t *accounts, uint64_t *ops)
{
	char note[RP_PATH_MAX + 32], mark[RP_PATH_MAX + 32], team[RP_NAME_MAX + 1] = "the team", id[RP_DEVICE_TEXT + 1];
	rp_txn *txn;
	rp_val v;
	uint64_t na = 0, no = 0;
	FILE *f;
	int fd, rc;
	if (rp_store_begin(n->store, 0, &txn) == 0) {
		na = rp_store_count(txn, n->store->views);
		no = rp_store_count(txn, n->store->ops);
		if (rp_meta_get(n->store, txn, "team_name", &v) == 0 && v.mv_size <= RP_NAME_MAX)
			snprintf(team, sizeof team, "%.*s", (int)v.mv_size, (char *)v.mv_data);
		rp_store_end(txn);
	}
	if (accounts)
		*accounts = na;
	if (ops)
		*ops = no;
	/* The note first, then the mark: a crash leaves the job marked. */
	rp_b32_encode(n->key.pk, RP_DEVICE_LEN, id, sizeof id);
	s_path(n, "revoked.txt", note, sizeof note);
	if (!(f = fopen(note, "w")))
		return RP_EIO;
	{
		char when[32];
		fprintf(f, "This device (%s) was revoked from %s. On %s it erased the team's data from "
		        "this home: %llu accounts, %llu ops. Only its key (device.key) remains.\n", id, team,
		        rp_when_iso(now_ms, when, sizeof when), (unsigned long long)na, (unsigned long long)no);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return RP_EIO;
	}
	fclose(f);
	s_path(n, "wipe.pending", mark, sizeof mark);
	if ((fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 || fsync(fd) != 0) {
		if (fd >= 0)
			close(fd);
		return RP_EIO;
	}
	close(fd);
	s_sync_dir(n->home);
	if (n->lock_fd < 0 || (rc = s_lock_alone(n, 2000)))
		return RP_EBUSY;
	rc = s_wipe_locked(n);
	s_unlock_alone(n);
	return rc;
}

int rp_erase_now(rp_node *n, int wait_ms)
{
	char tmp[RP_PATH_MAX + 32], data[RP_PATH_MAX + 32], mark[RP_PATH_MAX + 32], lock[RP_PATH_MAX + 32];
	int fd = -1, old = -1, rc;

	if (!rp_erase_pending(n))
		return 0;
	if (n->lock_fd < 0)
		return RP_EBUSY;
	if ((rc = s_lock_alone(n, wait_ms)))
		return rc;
	if (s_exists(n, "wipe.pending")) {
		rc = s_wipe_locked(n);
		s_unlock_alone(n);
		return rc;
	}
	s_path(n, "data.mdb.erase", tmp, sizeof tmp);
	s_path(n, "data.mdb", data, sizeof data);
	s_path(n, "erase.pending", mark, sizeof mark);
	s_path(n, "lock.mdb", lock, sizeof lock);

	/* 1. A complete, compacted copy, on disk before anything else moves. */
	unlink(tmp);                            /* a crashed erasure's leftover */
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
	    rp_store_compact_to(n->store, fd) != 0) {
		rc = RP_EIO;
		goto fail;
	}
	close(fd);
	fd = -1;
	/* 2. Let go of the old store; keep a hand on its file to wipe it. */
	if ((old = open(data, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		rc = RP_EIO;
		goto fail;
	}
	rp_store_close(&n->store);
	/* 3. The copy becomes the store: a crash before this leaves the old
	 * one, after it the new one; never neither. */
	if (rename(tmp, data) != 0) {
		rc = RP_EIO;
		goto reopen;
	}
	s_sync_dir(n->home);
	/* 4. The old file's blocks: zeros. */
	rc = s_zero(old) == 0 ? 0 : RP_EIO;
	close(old);
	old = -1;
	unlink(lock);                           /* readers' slots of the old file; made anew */
	if (rc == 0) {
		unlink(mark);
		s_sync_dir(n->home);
	}
reopen:
	{
		int r = rp_store_open(n->home, &n->store);
		if (r && rc == 0)
			rc = r;
	}
	if (old >= 0)
		close(old);
	s_unlock_alone(n);
	return rc;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	if (old >= 0)
		close(old);
	s_unlock_alone(n);
	return rc;
}
