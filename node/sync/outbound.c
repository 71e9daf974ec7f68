/* node/sync/outbound.c — the daemon's own syncs, each in a child process
 * (see outbound.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outbound.h"
#include "../store/store.h"
#include "../text/when.h"
#include "peer.h"
#include "served.h"
#include "discover.h"
#include "../../proto/error.h"

extern char **environ;

#define S_RELOAD_MS 250      /* the peers are read again at most this often ... */
#define S_REREAD_MS 5000     /* ... and at least this often */
/* A commit writes its meta page (the event that wakes us) before it makes
 * the new txn the one readers begin from: the feed's head is read again for
 * this long after the last event, every 2 ms. */
#define S_SETTLE_MS 20

static void s_log(rp_outbound *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_log(rp_outbound *o, const char *fmt, ...)
{
	char line[768];
	va_list ap;
	if (!o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	o->log(o->arg, line);
}

/* The feed's head: the last arrival seq, 0 for an empty feed. */
static uint64_t s_head(rp_outbound *o)
{
	uint8_t key[8];
	rp_txn *txn;
	uint64_t head = o->head;
	if (rp_store_begin(o->node->store, 0, &txn) == 0) {
		if (rp_store_last_key(txn, o->node->store->arrival, key, sizeof key) == 0)
			head = rp_be64_get(key);
		rp_store_end(txn);
	}
	return head;
}


/* The dial's state, for `peer list` (served.h). */
static void s_state_write(rp_outbound *o, uint64_t now)
{
	char when[32], dev[RP_DEVICE_TEXT + 1];
	json_t *list = json_array();
	uint64_t wall = rp_node_now(o->node);
	for (size_t i = 0; list && i < o->dial.n; i++) {
		const rp_dial_peer *p = &o->dial.p[i];
		const char *state = p->running ? "syncing" : p->failures ? "retrying" : "ok";
		json_t *retry = p->failures && !p->running
		              ? json_string(rp_when_iso(wall + (p->next_ms > now ? p->next_ms - now : 0), when, sizeof when))
		              : json_null();
		rp_b32_encode(p->device, RP_DEVICE_LEN, dev, sizeof dev);
		json_t *answer = p->answer[0] ? json_loads(p->answer, 0, NULL) : NULL;
		json_array_append_new(list, json_pack("{sssssbsssssosIsssssO?}", "name", p->name, "endpoint", p->endpoint,
		        "found", p->found, "device", dev, "state", state, "retry_at", retry,
		        "failures", (json_int_t)p->failures, "last", p->last,
		        "answered", p->answered, "answer", answer));
		json_decref(answer);
	}
	if (list)
		rp_served_say(o->node, list);
	json_decref(list);
}

/* The peers configured now: name, endpoint, device of each. */
static void s_load(rp_outbound *o, uint64_t now)
{
	json_t *list = NULL, *e;
	size_t i;
	o->loaded = now;
	if (rp_peer_list_stored(o->node, &list))
		return;                 /* the store is busy or broken: the old list stays */
	rp_dial_unsee(&o->dial);
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *ep = json_string_value(json_object_get(e, "endpoint"));
		const char *dev = json_string_value(json_object_get(e, "device"));
		uint8_t device[RP_DEVICE_LEN];
		if (name && ep && dev && rp_b32_decode(dev, device, RP_DEVICE_LEN) == 0)
			rp_dial_set(&o->dial, name, ep, device, now);
	}
	rp_dial_sweep(&o->dial, now);
	json_decref(list);
	s_state_write(o, now);
}

int rp_outbound_open(rp_outbound *o, rp_node *n, rp_outbound_log log, void *arg)
{
	memset(o, 0, sizeof *o);
	o->node = n;
	o->log = log;
	o->arg = arg;
	o->dial.rand = (uint32_t)getpid() * 2654435761u | 1;
	o->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (o->watch >= 0 && inotify_add_watch(o->watch, n->home, IN_MODIFY | IN_MOVED_TO | IN_CREATE) < 0) {
		close(o->watch);
		o->watch = -1;
	}
	o->head = s_head(o);
	o->changed = 1;
	return 0;
}

int rp_outbound_items(const rp_outbound *o, zmq_pollitem_t *items)
{
	int k = 0;
	if (o->watch >= 0)
		items[k++] = (zmq_pollitem_t){ NULL, o->watch, ZMQ_POLLIN, 0 };
	for (size_t i = 0; i < o->nkids; i++)
		items[k++] = (zmq_pollitem_t){ NULL, o->kids[i].fd, ZMQ_POLLIN, 0 };
	return k;
}

/* One sync with p, in a process of its own: this binary's `rapport sync`
 * (by its name when configured, by its endpoint and pinned id when found
 * on the LAN), started afresh (posix_spawn: no fork of a process whose
 * threads may hold a lock), its summary (--json) or its complaint on the
 * pipe. Beside us it does not ask us (served.h: we are its parent). */
static int s_spawn(rp_outbound *o, rp_dial_peer *p)
{
	rp_outbound_child *k = &o->kids[o->nkids];
	char dev[RP_DEVICE_TEXT + 1], *argv[12];
	posix_spawn_file_actions_t fa;
	int fds[2], argc = 0, rc;
	pid_t pid;
	if (pipe(fds) != 0)
		return RP_EIO;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	rp_b32_encode(p->device, RP_DEVICE_LEN, dev, sizeof dev);
	argv[argc++] = "rapport";
	argv[argc++] = "--home";
	argv[argc++] = o->node->home;
	argv[argc++] = "sync";
	if (p->found) {
		argv[argc++] = p->endpoint;
		argv[argc++] = "--peer";
		argv[argc++] = dev;
	} else {
		argv[argc++] = p->name;
	}
	argv[argc++] = "--json";
	if (o->node->keep)
		argv[argc++] = "--keep";
	argv[argc] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(fds[0]);
		close(fds[1]);
		return RP_EIO;
	}
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return RP_EIO;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	memset(k, 0, sizeof *k);
	k->pid = pid;
	k->fd = fds[0];
	snprintf(k->name, sizeof k->name, "%s", p->name);
	o->nkids++;
	return 0;
}

void rp_outbound_found(void *arg, const uint8_t device[RP_DEVICE_LEN], const char *member,
                       const char *endpoint, uint64_t now)
{
	rp_outbound *o = arg;
	char name[RP_NAME_MAX + 1], dev[RP_DEVICE_TEXT + 1];
	size_t before = o->dial.n;
	rp_b32_encode(device, RP_DEVICE_LEN, dev, sizeof dev);
	snprintf(name, sizeof name, "%.*s@%.8s", RP_NAME_MAX - 9, member, dev);
	if (rp_dial_found(&o->dial, name, endpoint, device, now, RP_DISCOVER_TTL_MS) == 0 && o->dial.n > before)
		s_log(o, "found %s's device %.8s on the LAN at %s", member, dev, endpoint);
}

static rp_dial_peer *s_peer(rp_outbound *o, const char *name)
{
	for (size_t i = 0; i < o->dial.n; i++)
		if (!strcmp(o->dial.p[i].name, name))
			return &o->dial.p[i];
	return NULL;
}

static const char *s_ops(long long n)
{
	return n == 1 ? "op" : "ops";
}

/* The summary a sync printed (--json): its line that starts with "{" (its
 * stderr shares the pipe). 1 and *sum, or 0. */
static int s_summary(const char *report, json_t **sum)
{
	const char *at = report[0] == '{' ? report : strstr(report, "\n{");
	if (!at)
		return 0;
	*sum = json_loads(at + (*at == '\n'), JSON_DISABLE_EOF_CHECK, NULL);
	if (*sum && !json_is_object(*sum)) {
		json_decref(*sum);
		*sum = NULL;
	}
	return *sum != NULL;
}

/* Child i said all it will: reap it, take its word, log what is worth a line. */
static void s_ended(rp_outbound *o, size_t i, uint64_t now)
{
	rp_outbound_child *k = &o->kids[i];
	rp_dial_peer *p = s_peer(o, k->name);
	int status = 0, ok;
	long long sent = 0, received = 0, accounts = 0;
	json_t *sum = NULL;
	const char *why = "the sync process died";
	close(k->fd);
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	k->report[k->got] = 0;
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && s_summary(k->report, &sum);
	if (ok) {
		sent = (long long)json_integer_value(json_object_get(sum, "sent"));
		received = (long long)json_integer_value(json_object_get(sum, "received"));
		accounts = (long long)json_integer_value(json_object_get(sum, "accounts"));
	} else {
		/* its complaint: the last "rapport: ..." line it wrote */
		char *at = k->report, *line, *last = NULL;
		while ((line = strstr(at, "rapport: ")))
			last = line + 9, at = line + 9;
		if (last) {
			last[strcspn(last, "\n")] = 0;
			why = last;
		}
	}
	if (p) {
		int was_failing = p->failures > 0, asked = p->asking[0] != 0;
		char before[RP_DIAL_WHY], *text = ok ? json_dumps(sum, JSON_COMPACT) : NULL;
		snprintf(before, sizeof before, "%s", p->last);
		rp_dial_done(&o->dial, p, ok, why, now);
		snprintf(p->answer, sizeof p->answer, "%s", text ? text : "");
		free(text);
		/* a command's sync is worth a line even when it moved nothing */
		if (ok && (asked || sent || received))
			s_log(o, "synced with %s%s: sent %lld %s, received %lld %s (%lld account%s changed)",
			      p->name, asked ? ", as a command asked" : "", sent, s_ops(sent), received,
			      s_ops(received), accounts, accounts == 1 ? "" : "s");
		else if (ok && was_failing)
			s_log(o, "synced with %s again", p->name);
		else if (!ok && (!was_failing || strcmp(before, p->last)))
			s_log(o, "cannot sync with %s: %s; retrying in %llu s", p->name, p->last,
			      (unsigned long long)((p->next_ms - now + 999) / 1000));
	}
	json_decref(sum);
	o->kids[i] = o->kids[--o->nkids];
	if (o->log)
		s_state_write(o, now);
}

static void s_read_kids(rp_outbound *o, uint64_t now)
{
	for (size_t i = 0; i < o->nkids; ) {
		rp_outbound_child *k = &o->kids[i];
		ssize_t got = read(k->fd, k->report + k->got, sizeof k->report - 1 - k->got);
		if (got > 0) {
			k->got += (size_t)got;
			if (k->got < sizeof k->report - 1)
				continue;       /* read on until the end */
		} else if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
			i++;
			continue;
		}
		s_ended(o, i, now);     /* end of its report (or a broken pipe) */
	}
}

/* A command asks for a sync now (rp_served_ask): <home>/serve.ask.ID says
 * "ID NAME". Read and gone; a name we do not dial is no ask of ours (the
 * command gives up waiting and syncs itself). */
static void s_asked(rp_outbound *o, const char *file)
{
	char path[RP_PATH_MAX + 64], line[RP_NAME_MAX + 64], id[RP_DIAL_ASK];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", o->node->home, file);
	if (!(f = fopen(path, "r")))
		return;
	if (fgets(line, sizeof line, f)) {
		char *sp = strchr(line, ' ');
		rp_dial_peer *p;
		line[strcspn(line, "\n")] = 0;
		if (sp && sp - line == RP_DIAL_ASK - 1) {
			memcpy(id, line, RP_DIAL_ASK - 1);
			id[RP_DIAL_ASK - 1] = 0;
			if ((p = s_peer(o, sp + 1)))
				rp_dial_ask(p, id);
		}
	}
	fclose(f);
	unlink(path);
}

uint64_t rp_outbound_turn(rp_outbound *o, uint64_t now)
{
	rp_dial_peer *p;
	if (o->watch >= 0) {
		char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
		ssize_t got;
		/* the store's file, not this daemon's own serve.state */
		while ((got = read(o->watch, buf, sizeof buf)) > 0)
			for (char *at = buf; at < buf + got; ) {
				const struct inotify_event *ev = (const struct inotify_event *)at;
				if (ev->len == 0 || !strcmp(ev->name, "data.mdb"))
					o->changed = 1, o->settle_until = now + S_SETTLE_MS;
				else if (!strncmp(ev->name, "serve.ask.", 10) && strlen(ev->name) == 10 + RP_DIAL_ASK - 1)
					s_asked(o, ev->name);
				at += sizeof *ev + ev->len;
			}
	} else {
		o->changed = 1;
	}
	s_read_kids(o, now);
	if (o->changed || now < o->settle_until) {
		o->head = s_head(o);
		if (now - o->loaded >= S_RELOAD_MS)
			s_load(o, now), o->changed = 0;
	}
	if (now - o->loaded >= S_REREAD_MS)
		s_load(o, now);
	while (o->nkids < RP_OUTBOUND_MAX && (p = rp_dial_next(&o->dial, now, o->head))) {
		if (s_spawn(o, p)) {
			rp_dial_done(&o->dial, p, 0, "cannot start a sync process", now);
			s_state_write(o, now);
			break;
		}
		if (p->failures || !*p->last)
			s_state_write(o, now);    /* "syncing" is worth saying after a failure, or at first */
	}
	{
		uint64_t w = rp_dial_wait(&o->dial, now, o->head);
		if (o->changed && w > S_RELOAD_MS)
			w = S_RELOAD_MS;     /* the peers are due a reading */
		if (now < o->settle_until && w > 2)
			w = 2;               /* a commit may not be readable yet */
		return w;
	}
}

void rp_outbound_close(rp_outbound *o)
{
	o->log = NULL;             /* stopped, not failed: nothing to say */
	for (size_t i = 0; i < o->nkids; i++)
		kill(o->kids[i].pid, SIGTERM);
	while (o->nkids)
		s_ended(o, o->nkids - 1, 0);
	if (o->watch >= 0)
		close(o->watch);
	o->watch = -1;
	rp_dial_free(&o->dial);
}
