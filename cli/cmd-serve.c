/* cli/cmd-serve.c — `rapport serve`: run the node in the foreground, accepting
 * syncs from the team's devices, logging to stderr, until SIGTERM or SIGINT.
 * The serving is rp_serve's; this file only wires signals and the log to it. */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "output.h"

#define S_LISTEN_DEFAULT "tcp://0.0.0.0:7300"

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
	if (!cmd_has(a, "no-discover") && !rp_discover_addr_ok(cmd_str(a, "discover")))
		return cmd_bad_value(a->e, NULL, "--discover: bad discovery address '%s': use IPv4:PORT, e.g. %s",
		                     cmd_str(a, "discover"), RP_DISCOVER_DEFAULT);
	volatile sig_atomic_t *stop = cmd_stop_on_signals();

	if (!stop)
		return out_failf("cannot install signal handlers");
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	rp_serve_opts opts = { .no_dial = cmd_has(a, "no-dial"), .verbose = cmd_has(a, "verbose"),
	                       .discover = cmd_has(a, "no-discover") ? NULL : cmd_str(a, "discover") };
	if ((rc = rp_serve(a->n, endpoint, &opts, stop, s_log, NULL)) < 0)
		return out_fail_about(rc, endpoint);
	return CMD_OK;
}

const struct cmd_entry cmd_serve_entry = {
	.name    = "serve",
	.usage   = "[--listen ENDPOINT] [--discover ADDRESS:PORT | --no-discover] [--no-dial] [--verbose]",
	.help    = "run the node: accept syncs, and sync with the peers by itself",
	.details = "The node left running on a device. It accepts syncs from the team's\n"
	           "devices on ENDPOINT (default " S_LISTEN_DEFAULT "): only devices of the\n"
	           "roster that are not revoked may connect. And it syncs by itself with the\n"
	           "peers configured here ('rapport peer add'): it holds a live session with\n"
	           "each, a connection that stays open once they are in step, so what is\n"
	           "written on either side (a command, a sync it served) goes over as it is\n"
	           "committed; a session lost is dialled again with backoff (1 s doubling to\n"
	           "a minute). So a write reaches the hub, and through the hubs every device,\n"
	           "with no 'sync' typed. Live sessions it serves are kept the same way. A\n"
	           "device not in a team yet joins through its peer by itself. --no-dial only\n"
	           "accepts syncs.\n"
	           "\n"
	           "Teammates on the same network find each other: it sends a beacon every few\n"
	           "seconds, and at once when the network changes, to ADDRESS:PORT (default\n"
	           RP_DISCOVER_DEFAULT ", UDP) and listens for its teammates' there, then syncs\n"
	           "with the devices it hears as with its peers. A beacon is only a hint:\n"
	           "another team's, a forged one, or one of a device not in the roster leads to\n"
	           "nothing, and the device heard must prove its id in the handshake.\n"
	           "--no-discover sends and hears none.\n"
	           "\n"
	           "One serve per home: a second one says which process serves it and exits 1.\n"
	           "Other commands keep working on the home meanwhile. It logs one line per\n"
	           "session start and end, per sync that moved something and per failure to\n"
	           "stderr, each stamped with the UTC time; --verbose adds one per round of a\n"
	           "live session. SIGTERM or SIGINT stops it cleanly (exit 0; a sync in flight\n"
	           "commits its batch or not). Under systemd (Type=notify) it reports READY=1\n"
	           "once listening.\n",
	.form    = { .opts = (const struct cmd_arg[]){
		{ "listen", .kind = CMD_TEXT, .def = S_LISTEN_DEFAULT },
		{ "discover", .kind = CMD_TEXT, .def = RP_DISCOVER_DEFAULT },
		{ "no-discover", .kind = CMD_FLAG },
		{ "no-dial", .kind = CMD_FLAG }, { "verbose", .kind = CMD_FLAG }, { 0 } }, .exec = cmd_serve_exec },
};
