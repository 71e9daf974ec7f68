/* node/erase.c — see erase.h. Must never leave the home without a complete
 * data.mdb, nor swap the file under a process that still reads it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "erase.h"
#include "../proto/error.h"

static void s_path(const rp_node *n, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", n->home, name);
}

int rp_erase_pending(const rp_node *n)
{
	char p[RP_PATH_MAX + 32];
	s_path(n, "erase.pending", p, sizeof p);
	return access(p, F_OK) == 0;
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

/* Take the home lock exclusively: the caller holds it shared. A failed
 * conversion drops the lock (flock(2)), so shared is taken again then. */
static int s_lock_alone(rp_node *n, int wait_ms)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	for (int waited = 0;; waited += 20) {
		if (flock(n->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK || waited >= wait_ms) {
			flock(n->lock_fd, LOCK_SH);
			return RP_EBUSY;
		}
		nanosleep(&pause, NULL);
	}
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
	s_path(n, "data.mdb.erase", tmp, sizeof tmp);
	s_path(n, "data.mdb", data, sizeof data);
	s_path(n, "erase.pending", mark, sizeof mark);
	s_path(n, "lock.mdb", lock, sizeof lock);

	/* 1. A complete, compacted copy, on disk before anything else moves. */
	unlink(tmp);                            /* a crashed erasure's leftover */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0 ||
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
	flock(n->lock_fd, LOCK_SH);
	return rc;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	if (old >= 0)
		close(old);
	flock(n->lock_fd, LOCK_SH);
	return rc;
}
