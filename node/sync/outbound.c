/* node/sync/outbound.c — the daemon's own syncs, each in a child process
 * (see outbound.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
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

/* A failure that is a refusal, one side's or the other's: what it says of
 * the device, or NULL. (The words are client.c's and session.c's.) */
static const char *s_refusal(const char *why)
{
	if (!strstr(why, "refused"))
		return NULL;
	if (strstr(why, "revoked"))
		return "revoked";
	if (strstr(why, "not in that node's roster") || strstr(why, "not a member"))
		return "not a member";
	return NULL;
}

/* The dial's state, for `peer list` (served.h). */
static void s_state_write(rp_outbound *o, uint64_t now)
{
	char when[32], dev[RP_DEVICE_TEXT + 1];
	json_t *list = json_array();
	uint64_t wall = rp_node_now(o->node);
	for (size_t i = 0; list && i < o->dial.n; i++) {
		const rp_dial_peer *p = &o->dial.p[i];
		const char *refusal = p->failures && !p->running ? s_refusal(p->last) : NULL;
		const char *state = p->live ? "live" : p->running ? "syncing" : refusal ? "refused"
		                  : p->failures ? "retrying" : "ok";
		json_t *retry = p->failures && !p->running
		              ? json_string(rp_when_iso(wall + (p->next_ms > now ? p->next_ms - now : 0), when, sizeof when))
		              : json_null();
		rp_b32_encode(p->device, RP_DEVICE_LEN, dev, sizeof dev);
		json_t *answer = p->answer[0] ? json_loads(p->answer, 0, NULL) : NULL, *live = NULL;
		for (size_t j = 0; p->live && !live && j < o->nkids; j++)
			if (!strcmp(o->kids[j].name, p->name))
				live = json_pack("{s:s, s:I, s:I, s:I}", "since",
				                 rp_when_iso(o->kids[j].live_since, when, sizeof when),
				                 "sent", (json_int_t)o->kids[j].sent, "received", (json_int_t)o->kids[j].received,
				                 "behind", (json_int_t)o->kids[j].behind);
		json_array_append_new(list, json_pack("{sssssbsssssosIsssssO?ss?so?}", "name", p->name, "endpoint", p->endpoint,
		        "found", p->found, "device", dev, "state", state, "retry_at", retry,
		        "failures", (json_int_t)p->failures, "last", p->last,
		        "answered", p->answered, "answer", answer, "refusal", refusal, "live", live));
		json_decref(answer);
	}
	if (list)
		rp_served_say(o->node, list);
	json_decref(list);
}

static rp_dial_peer *s_peer(rp_outbound *o, const char *name)
{
	for (size_t i = 0; i < o->dial.n; i++)
		if (!strcmp(o->dial.p[i].name, name))
			return &o->dial.p[i];
	return NULL;
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
	/* A live sync stays until it fails: one with a peer removed, or now
	 * elsewhere, is told to stop (and the new place is dialled). */
	for (size_t k = 0; k < o->nkids; k++) {
		rp_dial_peer *p = s_peer(o, o->kids[k].name);
		if (!p || (!p->seen && !p->found) || strcmp(p->endpoint, o->kids[k].endpoint) ||
		    memcmp(p->device, o->kids[k].device, RP_DEVICE_LEN))
			kill(o->kids[k].pid, SIGTERM);
	}
	s_state_write(o, now);
}

int rp_outbound_open(rp_outbound *o, rp_node *n, rp_outbound_log log, void *arg, int verbose)
{
	memset(o, 0, sizeof *o);
	o->node = n;
	o->log = log;
	o->arg = arg;
	o->verbose = verbose;
	o->dial.rand = (uint32_t)getpid() * 2654435761u | 1;
	o->dial.found_max = RP_OUTBOUND_FOUND_MAX;
	rp_watch_open(&o->watch, n->home);
	o->head = rp_store_feed_head(o->node->store);
	o->changed = 1;
	return 0;
}

int rp_outbound_items(const rp_outbound *o, zmq_pollitem_t *items)
{
	int k = 0;
	if (o->watch.fd >= 0)
		items[k++] = (zmq_pollitem_t){ NULL, o->watch.fd, ZMQ_POLLIN, 0 };
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
	char dev[RP_DEVICE_TEXT + 1], *argv[12], by[24];
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
	argv[argc++] = "--live";
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
	/* The child goes when we do (client.h), even if we are killed -9. */
	snprintf(by, sizeof by, "%ld", (long)getpid());
	setenv("RAPPORT_SERVED_BY", by, 1);
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
	snprintf(k->endpoint, sizeof k->endpoint, "%s", p->endpoint);
	memcpy(k->device, p->device, RP_DEVICE_LEN);
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


static const char *s_ops(long long n)
{
	return n == 1 ? "op" : "ops";
}

/* "sent 3 ops, received 1 op (1 account changed)" of a summary. */
static void s_counts(const json_t *sum, char *out, size_t cap)
{
	long long sent = (long long)json_integer_value(json_object_get(sum, "sent"));
	long long received = (long long)json_integer_value(json_object_get(sum, "received"));
	long long accounts = (long long)json_integer_value(json_object_get(sum, "accounts"));
	snprintf(out, cap, "sent %lld %s, received %lld %s (%lld account%s changed)", sent, s_ops(sent),
	         received, s_ops(received), accounts, accounts == 1 ? "" : "s");
}

/* A round child k's sync settled (its summary line): the first is the
 * session's start, worth a line; later ones only when verbose. */
static void s_round(rp_outbound *o, rp_outbound_child *k, json_t *sum, uint64_t now)
{
	rp_dial_peer *p = s_peer(o, k->name);
	char counts[160], *text;
	int first = k->rounds++ == 0;
	if (first) {
		struct timespec ts;          /* the real time, as the log says it */
		clock_gettime(CLOCK_REALTIME, &ts);
		k->live_since = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	}
	k->sent += (uint64_t)json_integer_value(json_object_get(sum, "sent"));
	k->received += (uint64_t)json_integer_value(json_object_get(sum, "received"));
	k->behind = (uint64_t)json_integer_value(json_object_get(sum, "behind"));
	if (!p)
		return;
	if (first) {
		int was_failing = p->failures > 0, asked = p->asking[0] || p->asked[0];
		s_counts(sum, counts, sizeof counts);
		rp_dial_live(p);
		if (was_failing)
			s_log(o, "synced with %s again, live: %s", p->name, counts);
		else
			s_log(o, "synced with %s%s, live: %s", p->name, asked ? " as a command asked" : "", counts);
	} else if (o->verbose) {
		s_counts(sum, counts, sizeof counts);
		s_log(o, "live round with %s: %s", p->name, counts);
	}
	text = json_dumps(sum, JSON_COMPACT);
	snprintf(p->answer, sizeof p->answer, "%s", text && strlen(text) < sizeof p->answer ? text : "");
	free(text);
	if (first)
		s_state_write(o, now);
}

/* One line child k wrote: a summary (it starts with "{": its stderr shares
 * the pipe), or maybe its complaint. */
static void s_line(rp_outbound *o, rp_outbound_child *k, const char *line, uint64_t now)
{
	const char *at;
	json_t *sum;
	if (line[0] == '{' && (sum = json_loads(line, 0, NULL))) {
		if (json_is_object(sum))
			s_round(o, k, sum, now);
		json_decref(sum);
	} else if ((at = strstr(line, "rapport: "))) {
		snprintf(k->why, sizeof k->why, "%s", at + 9);
	}
}

/* Child i said all it will: reap it, log what is worth a line. */
static void s_ended(rp_outbound *o, size_t i, uint64_t now)
{
	rp_outbound_child *k = &o->kids[i];
	rp_dial_peer *p = s_peer(o, k->name);
	int status = 0, ok;
	close(k->fd);
	while (waitpid(k->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (k->got) {
		k->line[k->got] = 0;
		s_line(o, k, k->line, now);    /* its last words, unterminated */
	}
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && k->rounds;
	if (p) {
		int was_failing = p->failures > 0, was_live = p->live;
		char before[RP_DIAL_WHY];
		const char *why = k->why[0] ? k->why : "the sync process died";
		snprintf(before, sizeof before, "%s", p->last);
		rp_dial_done(&o->dial, p, ok, why, now);
		if (!ok && was_live)
			s_log(o, "live session with %s ended: %s; dialling again in %llu s", p->name, p->last,
			      (unsigned long long)((p->next_ms - now + 999) / 1000));
		else if (!ok && (!was_failing || strcmp(before, p->last)))
			s_log(o, "cannot sync with %s: %s; retrying in %llu s", p->name, p->last,
			      (unsigned long long)((p->next_ms - now + 999) / 1000));
	}
	o->kids[i] = o->kids[--o->nkids];
	if (o->log)
		s_state_write(o, now);
}

static void s_read_kids(rp_outbound *o, uint64_t now)
{
	for (size_t i = 0; i < o->nkids; ) {
		rp_outbound_child *k = &o->kids[i];
		ssize_t got = read(k->fd, k->line + k->got, sizeof k->line - 1 - k->got);
		if (got > 0) {
			char *nl;
			k->got += (size_t)got;
			k->line[k->got] = 0;
			while ((nl = memchr(k->line, '\n', k->got))) {
				*nl = 0;
				s_line(o, k, k->line, now);
				k->got -= (size_t)(nl + 1 - k->line);
				memmove(k->line, nl + 1, k->got);
			}
			if (k->got == sizeof k->line - 1)
				k->got = 0;     /* a line longer than any we write: not ours, dropped */
			continue;
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
static void s_asked(void *arg, const char *file)
{
	rp_outbound *o = arg;
	char path[RP_PATH_MAX + 64], line[RP_NAME_MAX + 64], id[RP_DIAL_ASK];
	FILE *f;
	if (strncmp(file, "serve.ask.", 10) || strlen(file) != 10 + RP_DIAL_ASK - 1)
		return;                     /* (our own serve.state, and the like) */
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
			if ((p = s_peer(o, sp + 1))) {
				rp_dial_ask(p, id);
				if (p->live) {        /* answered at once: the live session is in step */
					json_t *j = json_pack("{sssssbsisisisisisisisisisisf}", "peer", p->name,
					        "endpoint", p->endpoint, "live", 1, "sent", 0, "received", 0,
					        "accounts", 0, "refused", 0, "pending", 0, "duplicates", 0, "purged", 0,
					        "backfilled", 0, "incomplete", 0, "clock_ahead_ms", 0, "seconds", 0.0);
					char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
					snprintf(p->answer, sizeof p->answer, "%s", text && strlen(text) < sizeof p->answer ? text : "");
					free(text);
					json_decref(j);
					s_state_write(o, o->now);
				}
			}
		}
	}
	fclose(f);
	unlink(path);
}

uint64_t rp_outbound_turn(rp_outbound *o, uint64_t now)
{
	rp_dial_peer *p;
	int settling;
	o->now = now;
	settling = rp_watch_read(&o->watch, now, s_asked, o);
	if (settling)
		o->changed = 1;
	s_read_kids(o, now);
	if (o->changed) {
		o->head = rp_store_feed_head(o->node->store);
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
		uint64_t sw = rp_watch_wait(&o->watch, now);
		return sw < w ? sw : w;   /* a commit may not be readable yet */
	}
}

void rp_outbound_close(rp_outbound *o)
{
	o->log = NULL;             /* stopped, not failed: nothing to say */
	for (size_t i = 0; i < o->nkids; i++)
		kill(o->kids[i].pid, SIGTERM);
	while (o->nkids)
		s_ended(o, o->nkids - 1, 0);
	rp_watch_close(&o->watch);
	rp_dial_free(&o->dial);
}
