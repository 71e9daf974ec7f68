/* node/sync/served.c — the daemon's files in the home (see served.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "served.h"
#include "../../proto/error.h"

int rp_served_lock(rp_node *n, int *rc)
{
	char path[RP_PATH_MAX + 16], pid[32] = "";
	int fd;
	snprintf(path, sizeof path, "%s/serve.lock", n->home);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		*rc = rp_fail(RP_EIO, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* a `status` may hold it shared for an instant (rp_served_pid): try a few times */
	for (int tries = 0; flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK && tries < 10; tries++)
		usleep(20000);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t got = errno == EWOULDBLOCK ? pread(fd, pid, sizeof pid - 1, 0) : -1;
		close(fd);
		if (got > 0) {
			pid[got] = 0;
			pid[strcspn(pid, "\n")] = 0;
			*rc = rp_fail(RP_EBUSY, "%s is already served by pid %s", n->home, pid);
		} else {
			*rc = rp_fail(RP_EBUSY, "%s is already served by another process", n->home);
		}
		return -1;
	}
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
		close(fd);
		*rc = rp_fail(RP_EIO, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return fd;
}

long rp_served_pid(rp_node *n)
{
	char path[RP_PATH_MAX + 16], pid[32];
	long held = 0;
	ssize_t got;
	int fd;
	snprintf(path, sizeof path, "%s/serve.lock", n->home);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK &&
	    (got = pread(fd, pid, sizeof pid - 1, 0)) > 0) {
		pid[got] = 0;
		held = strtol(pid, NULL, 10);
	}
	close(fd);            /* a shared lock we got goes with it */
	return held > 0 ? held : 0;
}

void rp_served_say(rp_node *n, const json_t *state)
{
	char path[RP_PATH_MAX + 32], tmp[RP_PATH_MAX + 32];
	char *text = json_dumps(state, JSON_COMPACT);
	FILE *f;
	if (!text)
		return;
	snprintf(path, sizeof path, "%s/serve.state", n->home);
	snprintf(tmp, sizeof tmp, "%s/serve.state.tmp", n->home);
	if ((f = fopen(tmp, "w"))) {
		int bad = fputs(text, f) < 0;
		if (fclose(f) != 0 || bad || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(text);
}

json_t *rp_served_says(rp_node *n)
{
	char path[RP_PATH_MAX + 32];
	json_t *j;
	if (rp_served_pid(n) <= 0)
		return NULL;
	snprintf(path, sizeof path, "%s/serve.state", n->home);
	j = json_load_file(path, 0, NULL);
	if (j && !json_is_array(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

