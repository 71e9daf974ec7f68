/* node/sync/watch.c — inotify on the home (see watch.h). */
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "watch.h"

int rp_watch_open(rp_watch *w, const char *home)
{
	w->settle_until = 0;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd >= 0 && inotify_add_watch(w->fd, home, IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0) {
		close(w->fd);
		w->fd = -1;
	}
	return 0;
}

int rp_watch_read(rp_watch *w, uint64_t now, rp_watch_other_fn other, void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t got;
	if (w->fd < 0)
		return 1;
	while ((got = read(w->fd, buf, sizeof buf)) > 0)
		for (char *at = buf; at < buf + got; ) {
			const struct inotify_event *ev = (const struct inotify_event *)at;
			if (ev->len == 0 || !strcmp(ev->name, "data.mdb"))
				w->settle_until = now + RP_WATCH_SETTLE_MS;
			else if (other)
				other(arg, ev->name);
			at += sizeof *ev + ev->len;
		}
	return now < w->settle_until;
}

uint64_t rp_watch_wait(const rp_watch *w, uint64_t now)
{
	return now < w->settle_until ? 2 : UINT64_MAX;
}

void rp_watch_close(rp_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
