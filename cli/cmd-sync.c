/* cli/cmd-sync.c — `rapport sync`: both directions with one peer, an ad hoc
 * endpoint, or every named peer in turn; a progress line on a terminal, then one summary line.
 * The exchange itself is rp_sync's; this file only chooses peers and speaks to people. */
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "output.h"

#define S_REDRAW_MS 100   /* at most ten progress redraws a second */

/* What the progress callback needs: whom we sync with, and when it last drew. */
struct s_progress {
	const char *label;
	int         json;
	uint64_t    drawn_ms;
};

static uint64_t s_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* v with "," between thousands: 1032 → "1,032". Returns buf. */
static char *s_thousands(json_int_t v, char *buf, size_t cap)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? 0 : v));
	len = strlen(digits);
	for (i = 0; i < len && o + 2 < cap; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

static void s_on_progress(void *arg, const rp_sync_progress *p)
{
	struct s_progress *pr = arg;
	char sent[32], received[32];
	uint64_t now = s_mono_ms();

	if (!out_progress_enabled(pr->json) || now - pr->drawn_ms < S_REDRAW_MS)
		return;
	pr->drawn_ms = now;
	s_thousands((json_int_t)p->sent, sent, sizeof sent);
	s_thousands((json_int_t)p->received, received, sizeof received);
	if (p->peer_head > 0)
		out_progress(pr->json, "syncing with %s: sent %s, received %s (%d%%)", pr->label,
		             sent, received,
		             p->cursor >= p->peer_head ? 100 : (int)(p->cursor * 100 / p->peer_head));
	else
		out_progress(pr->json, "syncing with %s: sent %s, received %s", pr->label,
		             sent, received);
}

/* "3 h 20 min", "2 days" : how far apart two clocks are. */
static const char *s_duration(json_int_t ms, char *buf, size_t cap)
{
	json_int_t min = ms / 60000;
	if (min >= 2 * 24 * 60)
		snprintf(buf, cap, "%lld days", (long long)(min / (24 * 60)));
	else if (min >= 60)
		snprintf(buf, cap, "%lld h %lld min", (long long)(min / 60), (long long)(min % 60));
	else
		snprintf(buf, cap, "%lld min", (long long)min);
	return buf;
}

/* What befell some accounts: "; 2 accounts arrived whole" */
static const struct { const char *key, *what; } s_accounts[] = {
	{ "backfilled", "arrived whole" },
	{ "incomplete", "incomplete: sync again" },
	{ "purged",     "handed over dropped here" },
};

/* "synced with shop: sent 214 ops, received 1,032 ops (3 accounts changed) in 0.4 s" */
static void s_print_summary(const char *label, const json_t *summary)
{
	char sent[32], received[32], changed[32], refused[32], pending[32];
	size_t i;
	json_int_t s = out_int(summary, "sent"), r = out_int(summary, "received");
	json_int_t accounts = out_int(summary, "accounts");
	json_int_t nrefused = out_int(summary, "refused"), npending = out_int(summary, "pending");
	double secs = json_number_value(json_object_get(summary, "seconds"));

	printf("synced with ");
	out_puts_clean(stdout, label);
	printf(": sent %s op%s, received %s op%s (%s account%s changed",
	       s_thousands(s, sent, sizeof sent), s == 1 ? "" : "s",
	       s_thousands(r, received, sizeof received), r == 1 ? "" : "s",
	       s_thousands(accounts, changed, sizeof changed), accounts == 1 ? "" : "s");
	/* Trouble stays visible in the one line: ops refused, ops waiting for their author. */
	if (nrefused > 0)
		printf("; %s refused", s_thousands(nrefused, refused, sizeof refused));
	if (npending > 0)
		printf("; %s pending", s_thousands(npending, pending, sizeof pending));
	for (i = 0; i < sizeof s_accounts / sizeof s_accounts[0]; i++) {
		long long k = out_int(summary, s_accounts[i].key);

		if (k > 0)
			printf("; %lld account%s %s", k, k == 1 ? "" : "s", s_accounts[i].what);
	}
	{
		/* Our clock against the peer's, as its hello told it: the node
		 * reports it only past the skew limit. */
		json_int_t ahead = out_int(summary, "clock_ahead_ms");
		json_int_t mag = ahead < 0 ? -ahead : ahead;
		if (mag)
			printf("; warning: this device's clock is %s %s the peer's: check its date and time",
			       s_duration(mag, refused, sizeof refused), ahead > 0 ? "ahead of" : "behind");
	}
	printf(") in %.*f s\n", secs < 0.095 ? 2 : 1, secs);
}

/* Sync once; on success print the summary (or add it to jsonl when that
 * collects several). Reports a failure and returns its code. */
static int s_sync_one(rp_node *n, const char *peer, const char *endpoint,
                      const uint8_t *device, int json, json_t *jsonl)
{
	struct s_progress pr = { peer ? peer : endpoint, json, 0 };
	json_t *summary = NULL;
	int rc;

	out_progress(json, "syncing with %s: connecting", pr.label);
	pr.drawn_ms = s_mono_ms();
	rc = rp_sync(n, peer, endpoint, device, s_on_progress, &pr, &summary);
	if (rc < 0) {
		out_fail_about(rc, pr.label);
		return rc;
	}
	out_progress_end();
	if (!summary)
		summary = json_object();
	if (jsonl)
		json_array_append(jsonl, summary);
	else if (json)
		out_json(summary);
	else
		s_print_summary(pr.label, summary);
	fflush(stdout);
	json_decref(summary);
	return 0;
}

/* A round of a live sync: its summary line (JSONL with --json), at once. */
struct s_live {
	const char *label;
	int         json;
};

static void s_on_round(void *arg, const json_t *summary)
{
	const struct s_live *l = arg;

	out_progress_end();
	if (l->json) {
		json_t *one = json_array();      /* JSONL: a compact line per round */
		json_array_append(one, (json_t *)summary);
		out_jsonl(one);
		json_decref(one);
	} else
		s_print_summary(l->label, summary);
	fflush(stdout);
}

/* Sync and stay live until SIGTERM or SIGINT (exit 0) or the session fails. */
static int s_sync_live(rp_node *n, const char *peer, const char *endpoint,
                       const uint8_t *device, int json)
{
	struct s_live l = { peer ? peer : endpoint, json };
	volatile sig_atomic_t *stop = cmd_stop_on_signals();
	int rc;

	if (!stop)
		return out_failf("cannot install signal handlers");
	out_progress(json, "syncing with %s: connecting", l.label);
	if ((rc = rp_sync_live(n, peer, endpoint, device, stop, s_on_round, &l)) < 0) {
		out_progress_end();
		out_fail_about(rc, l.label);
		return rc;
	}
	return 0;
}

/* Every named peer in the order rp_peer_list gives; a failure moves on to the next. */
static int s_sync_all(rp_node *n, int json)
{
	json_t *peers = NULL, *p, *jsonl = json ? json_array() : NULL;
	size_t i, named = 0, failed = 0;
	int rc;

	if ((rc = rp_peer_list(n, &peers)) < 0) {
		json_decref(jsonl);
		return out_fail(rc);
	}
	json_array_foreach(peers, i, p) {
		const char *name = out_str(p, "name");

		if (!name || !out_str(p, "endpoint"))
			continue;
		named++;
		if (s_sync_one(n, name, NULL, NULL, json, jsonl) < 0)
			failed++;
	}
	json_decref(peers);
	if (jsonl && named)
		out_jsonl(jsonl);
	json_decref(jsonl);
	if (!named)
		return out_failf("no peers: add one with 'rapport peer add NAME ENDPOINT DEVICE_ID'");
	if (failed && named > 1)
		return out_failf("%zu of %zu peers failed", failed, named);
	return failed ? CMD_FAIL : CMD_OK;
}

static int cmd_sync_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *target = cmd_str(a, "PEER"), *device_text = cmd_str(a, "peer");
	int rc, json = cmd_has(a, "json"), is_endpoint = target && strncmp(target, "tcp://", 6) == 0;
	uint8_t dev[RP_DEVICE_LEN];

	if (target && !is_endpoint && strstr(target, "://"))
		return cmd_bad_value(a->e, NULL, "bad endpoint '%s': use tcp://HOST:PORT", target);
	if (is_endpoint && !device_text)
		return cmd_usage_error(a->e, NULL, "an ENDPOINT needs --peer DEVICE_ID "
		                       "(the id 'rapport id' prints there)");
	if (device_text && !is_endpoint)
		return cmd_usage_error(a->e, NULL, "--peer goes with an ENDPOINT (tcp://HOST:PORT)");
	if ((device_text && (rc = cmd_device(a, "--peer: ", device_text, dev)) != 0)
	    || (rc = cmd_open(ctx, a)) != 0)
		return rc;
	if (cmd_has(a, "keep"))
		rp_node_set_keep(a->n, 1);
	if (cmd_has(a, "live") && !target)
		return cmd_usage_error(a->e, NULL, "--live needs a PEER or an ENDPOINT");
	if (!target)
		return s_sync_all(a->n, json);
	if (cmd_has(a, "live")) {
		if ((rc = s_sync_live(a->n, is_endpoint ? NULL : target, is_endpoint ? target : NULL,
		                      is_endpoint ? dev : NULL, json)) == 0)
			return CMD_OK;
		return rc == RP_EINVAL ? CMD_USAGE : CMD_FAIL;
	}
	if ((rc = s_sync_one(a->n, is_endpoint ? NULL : target, is_endpoint ? target : NULL,
	                     is_endpoint ? dev : NULL, json, NULL)) == 0)
		return CMD_OK;
	return rc == RP_EINVAL ? CMD_USAGE : CMD_FAIL;   /* bad endpoint, our own id */
}

const struct cmd_entry cmd_sync_entry = {
	.name    = "sync",
	.usage   = "[PEER | ENDPOINT --peer DEVICE_ID] [--json] [--keep] [--live]",
	.help    = "sync with a peer, both directions",
	.details = "PEER is a name given with 'rapport peer add'; without one, every named\n"
	           "peer in turn (exit 1 if any failed). ENDPOINT (tcp://HOST:PORT) syncs\n"
	           "ad hoc with the device whose id --peer pins. On a terminal a progress\n"
	           "line is drawn on stderr; then one summary line per peer on stdout.\n"
	           "--json prints the summary: peer, endpoint, sent, received, accounts,\n"
	           "refused, pending, duplicates, purged, seconds (JSONL when syncing every peer).\n"
	           "After a sync with a hub, manager or admin, a rep's device drops the\n"
	           "accounts its member no longer owns or follows (--keep, or 'keep = true'\n"
	           "in $XDG_CONFIG_HOME/rapport/config, keeps them).\n"
	           "Where 'rapport serve' runs on this home and syncs with PEER itself, it\n"
	           "does this sync at once and sync prints its summary (no second connection).\n"
	           "--live keeps the session open once both sides are in step: what either\n"
	           "side commits goes over as it comes, and a summary line (JSONL with --json)\n"
	           "is printed per round, until SIGTERM or SIGINT (exit 0) or the connection\n"
	           "fails (exit 1). The daemon holds its sessions with its peers this way.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "PEER", .kind = CMD_TEXT, .optional = 1 }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "peer", .kind = CMD_TEXT },
	                    { "json", .kind = CMD_FLAG }, { "keep", .kind = CMD_FLAG },
	                    { "live", .kind = CMD_FLAG }, { 0 } },
	             .exec = cmd_sync_exec },
};
