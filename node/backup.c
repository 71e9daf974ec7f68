/* node/backup.c — a whole device in one file, and back: the device key and a
 * consistent, compacted copy of the store (LMDB's own copy, taken in a read
 * txn while the node keeps running). The file holds the key: 0600, O_EXCL.
 * Restore only fills an empty home; it never overwrites a device. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "backup.h"
#include "node.h"
#include "../proto/error.h"

#define S_MAGIC     "rapport-backup-1\n"
#define S_MAGIC_LEN (sizeof S_MAGIC - 1)
#define S_KEY_LEN   (14 + RP_SECRET_LEN)   /* the key file as keys.c writes it */

static int s_copy_fd(int from, int to)
{
	char buf[65536];
	ssize_t r;
	while ((r = read(from, buf, sizeof buf)) > 0)
		for (ssize_t off = 0; off < r; ) {
			ssize_t w = write(to, buf + off, (size_t)(r - off));
			if (w <= 0)
				return -1;
			off += w;
		}
	return r < 0 ? -1 : 0;
}

static int s_read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int rp_backup(rp_node *n, const char *file)
{
	char tmp[RP_PATH_MAX + 32], keypath[RP_PATH_MAX + 32];
	uint8_t key[S_KEY_LEN];
	int out = -1, snap = -1, kf = -1, rc = 0;
	rp_errclear();
	snprintf(keypath, sizeof keypath, "%s/device.key", n->home);
	if ((kf = open(keypath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || s_read_all(kf, key, sizeof key)) {
		rc = rp_fail(RP_EIO, "cannot read %s", keypath);
		goto out;
	}
	if ((out = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = rp_fail(errno == EEXIST ? RP_EEXIST : RP_EIO, "cannot create %s: %s", file, strerror(errno));
		goto out;
	}
	/* LMDB writes its copy to an fd of its own; stage it beside the target. */
	snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", file);
	if ((snap = mkstemp(tmp)) < 0) {
		rc = rp_fail(RP_EIO, "cannot create a temporary file beside %s: %s", file, strerror(errno));
		goto out;
	}
	unlink(tmp);
	if (rp_store_compact_to(n->store, snap) != 0 || lseek(snap, 0, SEEK_SET) != 0) {
		rc = rp_fail(RP_EIO, "cannot copy the store");
		goto out;
	}
	if (write(out, S_MAGIC, S_MAGIC_LEN) != (ssize_t)S_MAGIC_LEN ||
	    write(out, key, sizeof key) != (ssize_t)sizeof key ||
	    s_copy_fd(snap, out) || fsync(out)) {
		rc = rp_fail(RP_EIO, "cannot write %s: %s", file, strerror(errno));
		goto out;
	}
out:
	sodium_memzero(key, sizeof key);
	if (kf >= 0)
		close(kf);
	if (snap >= 0)
		close(snap);
	if (out >= 0) {
		close(out);
		if (rc)
			unlink(file);
	}
	return rc;
}

int rp_restore(const char *home, const char *file)
{
	char path[RP_PATH_MAX + 32], magic[S_MAGIC_LEN];
	uint8_t key[S_KEY_LEN];
	struct stat sb;
	int in = -1, kf = -1, df = -1, rc = 0;
	rp_errclear();
	snprintf(path, sizeof path, "%s/device.key", home);
	if (stat(path, &sb) == 0)
		return rp_fail(RP_EEXIST, "%s already holds a device: restore into an empty home", home);
	snprintf(path, sizeof path, "%s/data.mdb", home);
	if (stat(path, &sb) == 0)
		return rp_fail(RP_EEXIST, "%s already holds data: restore into an empty home", home);
	if ((in = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return rp_fail(RP_EIO, "cannot open %s: %s", file, strerror(errno));
	if (s_read_all(in, magic, sizeof magic) || memcmp(magic, S_MAGIC, S_MAGIC_LEN) ||
	    s_read_all(in, key, sizeof key)) {
		rc = rp_fail(RP_EFORMAT, "%s is not a rapport backup", file);
		goto out;
	}
	if (mkdir(home, 0700) != 0 && errno != EEXIST) {
		rc = rp_fail(RP_EIO, "cannot create %s: %s", home, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof path, "%s/data.mdb", home);
	if ((df = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    s_copy_fd(in, df) || fsync(df)) {
		rc = rp_fail(RP_EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	/* The key goes last: a home with a key is a device, and only a whole one may exist. */
	snprintf(path, sizeof path, "%s/device.key", home);
	if ((kf = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    write(kf, key, sizeof key) != (ssize_t)sizeof key || fsync(kf)) {
		rc = rp_fail(RP_EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
out:
	sodium_memzero(key, sizeof key);
	if (in >= 0)
		close(in);
	if (df >= 0)
		close(df);
	if (kf >= 0)
		close(kf);
	if (rc) {
		snprintf(path, sizeof path, "%s/data.mdb", home);
		if (df >= 0)
			unlink(path);
	}
	return rc;
}
