/* node/sync/served.c — the daemon's files in the home (see served.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sodium.h>
#include <time.h>

#include "served.h"
#include "../store/roster.h"
#include "../store/txn.h"
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

/* Write <home>/FILE whole, then rename it over the old; NULL: it goes. */
static void s_say(rp_node *n, const char *file, const json_t *state)
{
	char path[RP_PATH_MAX + 32], tmp[RP_PATH_MAX + 32];
	char *text;
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", n->home, file);
	snprintf(tmp, sizeof tmp, "%s/%s.tmp", n->home, file);
	if (!state) {
		unlink(path);
		return;
	}
	if (!(text = json_dumps(state, JSON_COMPACT)))
		return;
	if ((f = fopen(tmp, "w"))) {
		int bad = fputs(text, f) < 0;
		if (fclose(f) != 0 || bad || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(text);
}

void rp_served_say(rp_node *n, const json_t *state)
{
	s_say(n, "serve.state", state);
}

void rp_served_live_say(rp_node *n, const json_t *live)
{
	s_say(n, "serve.live", live);
}

json_t *rp_served_live(rp_node *n)
{
	char path[RP_PATH_MAX + 32];
	json_t *out, *state, *e;
	size_t i;
	snprintf(path, sizeof path, "%s/serve.live", n->home);
	out = json_load_file(path, 0, NULL);
	if (!json_is_array(out)) {
		json_decref(out);
		out = json_array();
	}
	state = rp_served_says(n);
	json_array_foreach(state, i, e) {
		const char *dev = json_string_value(json_object_get(e, "device"));
		char member[RP_NAME_MAX + 1] = "";
		uint8_t d[RP_DEVICE_LEN];
		rp_txn *txn;
		if (!json_is_string(json_object_get(e, "state")) ||
		    strcmp(json_string_value(json_object_get(e, "state")), "live"))
			continue;
		if (dev && rp_b32_decode(dev, d, RP_DEVICE_LEN) == 0 && rp_store_begin(n->store, 0, &txn) == 0) {
			rp_roster_device(n->store, txn, d, member, NULL);
			rp_store_end(txn);
		}
		json_t *lv = json_object_get(e, "live");
		json_array_append_new(out, json_pack("{s:s, s:s?, s:s?, s:O?, s:O?, s:O?, s:I, s:I, s:I}", "direction", "out",
		        "member", *member ? member : NULL, "device", dev,
		        "peer", json_object_get(e, "name"), "endpoint", json_object_get(e, "endpoint"),
		        "since", json_object_get(lv, "since"),
		        "sent", json_integer_value(json_object_get(lv, "sent")),
		        "received", json_integer_value(json_object_get(lv, "received")),
		        "behind", json_integer_value(json_object_get(lv, "behind"))));
	}
	json_decref(state);
	return out;
}

/* serve.state as it is, whoever wrote it: an array, or NULL. */
static json_t *s_state_read(rp_node *n)
{
	char path[RP_PATH_MAX + 32];
	json_t *j;
	snprintf(path, sizeof path, "%s/serve.state", n->home);
	j = json_load_file(path, 0, NULL);
	if (j && !json_is_array(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

json_t *rp_served_says(rp_node *n)
{
	return rp_served_pid(n) > 0 ? s_state_read(n) : NULL;
}


/* The entry of name in what the daemon says, or NULL. */
static json_t *s_entry(json_t *says, const char *name)
{
	json_t *e;
	size_t i;
	json_array_foreach(says, i, e)
		if (json_is_string(json_object_get(e, "name")) && !strcmp(json_string_value(json_object_get(e, "name")), name))
			return e;
	return NULL;
}

int rp_served_ask(rp_node *n, const char *name, json_t **summary)
{
	char id[17], path[RP_PATH_MAX + 64], tmp[RP_PATH_MAX + 64];
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	long pid = rp_served_pid(n);
	json_t *says;
	uint64_t rnd;
	FILE *f;
	int rc = RP_ENOTAVAIL, known;
	/* not served, or served by us: the daemon's own syncs do not ask it */
	if (pid <= 0 || pid == (long)getpid() || pid == (long)getppid())
		return RP_ENOTAVAIL;
	says = s_state_read(n);
	known = s_entry(says, name) != NULL;
	json_decref(says);
	if (!known)
		return RP_ENOTAVAIL;
	randombytes_buf(&rnd, sizeof rnd);
	snprintf(id, sizeof id, "%016llx", (unsigned long long)rnd);
	snprintf(tmp, sizeof tmp, "%s/serve.tmp.%s", n->home, id);
	snprintf(path, sizeof path, "%s/serve.ask.%s", n->home, id);
	if (!(f = fopen(tmp, "w")))
		return RP_ENOTAVAIL;
	if (fprintf(f, "%s %s\n", id, name) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return RP_ENOTAVAIL;
	}
	for (int waited = 0; waited < RP_SERVED_ASK_MS && rc == RP_ENOTAVAIL; waited += 10) {
		json_t *e;
		nanosleep(&pause, NULL);
		if (rp_served_pid(n) != pid)
			break;                     /* the daemon stopped meanwhile */
		says = s_state_read(n);
		e = s_entry(says, name);
		if (e && json_is_string(json_object_get(e, "answered")) &&
		    !strcmp(json_string_value(json_object_get(e, "answered")), id)) {
			json_t *answer = json_object_get(e, "answer");
			if (json_is_object(answer)) {
				*summary = json_deep_copy(answer);
				rc = *summary ? 0 : RP_ENOMEM;
			} else {
				rc = rp_fail(RP_EIO, "%s", json_string_value(json_object_get(e, "last")) ?
				             json_string_value(json_object_get(e, "last")) : "the daemon's sync failed");
			}
		}
		json_decref(says);
	}
	unlink(path);                          /* not taken (the daemon did not answer) */
	return rc;
}
