/* cli/cmd-serve.c — `rapport serve`: run the node in the foreground, accepting
 * syncs from the team's devices, logging to stderr, until SIGTERM or SIGINT.
 * The serving is rp_serve's; this file only wires signals and the log to it. */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "output.h"

#define S_LISTEN_DEFAULT "tcp://0.0.0.0:7300"

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
	(void)sig;
	s_stop = 1;
}

/* No SA_RESTART: a signal must interrupt rp_serve's poll so it sees s_stop at once. */
static int s_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = s_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return -1;
	return 0;
}

/* One log line on stderr, stamped with the real time in UTC (not RAPPORT_NOW:
 * a log says when things happened). Peers' words are printed clean. */
static void s_log(void *arg, const char *line)
{
	struct timespec ts;
	char when[32];

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	rp_when_iso((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000, when, sizeof when);
	fprintf(stderr, "%s rapport: ", when);
	out_puts_clean(stderr, line);
	fputc('\n', stderr);
}

static int cmd_serve_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *endpoint = cmd_str(a, "listen");
	int rc;

	if (strncmp(endpoint, "tcp://", 6) != 0)
		return cmd_bad_value(a->e, NULL, "--listen: bad endpoint '%s': use tcp://HOST:PORT", endpoint);
	if (s_install_signals() != 0)
		return out_failf("cannot install signal handlers");
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_serve(a->n, endpoint, &s_stop, s_log, NULL)) < 0)
		return out_fail_about(rc, endpoint);
	return CMD_OK;
}

const struct cmd_entry cmd_serve_entry = {
	.name    = "serve",
	.usage   = "[--listen ENDPOINT]",
	.help    = "run the node: accept syncs from the team's devices",
	.details = "Runs in the foreground and logs one line per event to stderr, each\n"
	           "stamped with the UTC time. ENDPOINT defaults to " S_LISTEN_DEFAULT ".\n"
	           "Only devices of the roster that are not revoked may connect. SIGTERM or\n"
	           "SIGINT stops it cleanly (exit 0). Other commands keep working on the home\n"
	           "meanwhile; what they write is served at the next sync. Under systemd\n"
	           "(Type=notify) it reports READY=1 once listening.\n",
	.form    = { .opts = (const struct cmd_arg[]){
		{ "listen", .kind = CMD_TEXT, .def = S_LISTEN_DEFAULT }, { 0 } }, .exec = cmd_serve_exec },
};
