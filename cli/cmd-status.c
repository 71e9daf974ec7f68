/* cli/cmd-status.c — `rapport status`: team, device, member, counts, anything
 * wrong (equivocations, refused or pending ops) and the peers with their last sync,
 * as key: value lines or --json. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

/* One entry of each list status holds, for people. */
static void s_clock_skew(const json_t *e, char *out, size_t cap)
{
	snprintf(out, cap, "%s's clock ran %lld s ahead", out_str_or_dash(e, "member"),
	         (long long)json_integer_value(json_object_get(e, "ahead_ms")) / 1000);
}

/* "bob's device 4fk2q7…: 12 ops, 3.4 KiB" */
static void s_pending_from(const json_t *e, char *out, size_t cap)
{
	char dev[16];
	snprintf(out, cap, "%s's device %s: %lld ops, %.1f KiB", out_str_or_dash(e, "member"),
	         out_id_short(out_str(e, "device"), dev, sizeof dev),
	         (long long)json_integer_value(json_object_get(e, "ops")),
	         (double)json_integer_value(json_object_get(e, "bytes")) / 1024.0);
}

/* "bob's clock was 10800 s ahead of ours at the last sync" */
static void s_peer_clock(const json_t *e, char *out, size_t cap)
{
	long long ms = (long long)json_integer_value(json_object_get(e, "ahead_ms"));
	snprintf(out, cap, "%s's clock was %lld s %s ours at the last sync", out_str_or_dash(e, "member"),
	         (ms < 0 ? -ms : ms) / 1000, ms < 0 ? "behind" : "ahead of");
}

/* "alice's device dropped ACME Tools (now bob's)" */
static void s_purged(const json_t *e, char *out, size_t cap)
{
	snprintf(out, cap, "%s's device dropped %s (now %s's)", out_str_or_dash(e, "member"),
	         out_str_or_dash(e, "account"), out_str_or_dash(e, "owner"));
}

/* "ACME Tools to bob (since 2026-12-03 10:12)" */
static void s_queued(const json_t *e, char *out, size_t cap)
{
	const char *at = out_str(e, "at");
	snprintf(out, cap, "%s to %s (since %.10s %.5s)", out_str_or_dash(e, "account"),
	         out_str_or_dash(e, "to"), at && strlen(at) >= 16 ? at : "?", at && strlen(at) >= 16 ? at + 11 : "");
}

/* "alice's device 4fk2q7… signed two different ops as its seq 5" */
static void s_equivocating(const json_t *e, char *out, size_t cap)
{
	char dev[16];
	snprintf(out, cap, "%s's device %s signed two different ops as its seq %lld",
	         out_str_or_dash(e, "member"), out_id_short(out_str(e, "device"), dev, sizeof dev),
	         (long long)json_integer_value(json_object_get(e, "seq")));
}

/* "alice's device 4fk2q7…: 2 acct.create (already exists)" */
static void s_refused_op(const json_t *e, char *out, size_t cap)
{
	char dev[16];
	snprintf(out, cap, "%s's device %s: %lld %s (%s)", out_str_or_dash(e, "member"),
	         out_id_short(out_str(e, "device"), dev, sizeof dev),
	         (long long)json_integer_value(json_object_get(e, "count")),
	         out_str_or_dash(e, "kind"), out_str_or_dash(e, "reason"));
}

/* "bob (in, 3 to send)": a live session of the daemon */
static void s_live_one(const json_t *e, char *out, size_t cap)
{
	const char *who = out_str(e, "peer") ? out_str(e, "peer") : out_str_or_dash(e, "member");
	json_int_t behind = json_integer_value(json_object_get(e, "behind"));
	if (behind > 0)
		snprintf(out, cap, "%s (%s, %lld to send)", who, out_str_or_dash(e, "direction"), (long long)behind);
	else
		snprintf(out, cap, "%s (%s)", who, out_str_or_dash(e, "direction"));
}

static const struct {
	const char *key, *sep, *none;
	void (*entry)(const json_t *e, char *out, size_t cap);
} s_lists[] = {
	{ "clock_skew",   ", ", "none",    s_clock_skew },
	{ "pending_from", "; ", "none",    s_pending_from },
	{ "peer_clocks",  ", ", "in step", s_peer_clock },
	{ "purged",       "; ", "none",    s_purged },
	{ "handovers_queued", "; ", "none", s_queued },
	{ "equivocating", "; ", "none",    s_equivocating },
	{ "refused_ops",  "; ", "none",    s_refused_op },
	{ "live",         ", ", "none",    s_live_one },
};

/* One value for people; objects other than team are flattened by the caller. */
static char *s_value(const char *key, const json_t *v, char *buf, size_t cap)
{
	for (size_t l = 0; json_is_array(v) && l < sizeof s_lists / sizeof s_lists[0]; l++) {
		size_t i, len = 0;
		json_t *e;
		if (strcmp(key, s_lists[l].key) != 0)
			continue;
		buf[0] = '\0';
		json_array_foreach(v, i, e) {
			char one[512];
			s_lists[l].entry(e, one, sizeof one);
			if (len < cap)
				len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? s_lists[l].sep : "", one);
		}
		if (!json_array_size(v))
			snprintf(buf, cap, "%s", s_lists[l].none);
		return buf;
	}
	if (strcmp(key, "team") == 0 && json_is_object(v)) {
		snprintf(buf, cap, "%s (%s)", out_str_or_dash(v, "name"), out_str_or_dash(v, "id"));
	} else if (strcmp(key, "team") == 0 && json_is_null(v)) {
		snprintf(buf, cap, "none: not in a team yet");
	} else if (strcmp(key, "peers") == 0 && json_array_size(v) == 0) {
		snprintf(buf, cap, "none ('rapport peer add NAME ENDPOINT DEVICE_ID')");
	} else if (json_is_array(v)) {
		if (json_array_size(v) && json_is_string(json_array_get(v, 0)))
			out_words(v, buf, cap);
		else
			snprintf(buf, cap, "%zu", json_array_size(v));
	} else {
		out_scalar(v, buf, cap);
	}
	return buf;
}

static void s_rows(struct table *t, const char *prefix, const json_t *o)
{
	const char *key;
	json_t *v;
	char k[128], buf[1024];

	json_object_foreach((json_t *)o, key, v) {
		snprintf(k, sizeof k, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
		if (json_is_object(v) && strcmp(key, "team") != 0) {
			s_rows(t, k, v);
			continue;
		}
		snprintf(k + strlen(k), sizeof k - strlen(k), ":");
		table_row(t, k, s_value(key, v, buf, sizeof buf));
	}
}

/* One indented line per peer under "peers: N": name (or short device id),
 * endpoint, last sync, how it ended. */
static void s_peer_rows(const json_t *peers)
{
	struct table *t;
	const json_t *p;
	size_t i;

	if (json_array_size(peers) == 0)
		return;
	t = table_new("PEER", "ENDPOINT", "LAST SYNC", "RESULT", NULL);
	table_no_header(t);
	table_indent(t, "  ");
	table_flex(t, 3);
	json_array_foreach(peers, i, p) {
		char dev[16], last[32], who[RP_NAME_MAX + 48], result[256];
		const char *name = out_str(p, "name"), *member = out_str(p, "member");

		/* a device that synced with us: whose it is, not only its id */
		out_id_short(out_str(p, "device"), dev, sizeof dev);
		if (name)
			snprintf(who, sizeof who, "%s", name);
		else if (member)
			snprintf(who, sizeof who, "%s's device %s", member, dev);
		else
			snprintf(who, sizeof who, "%s", dev);
		snprintf(result, sizeof result, "%s%s", out_str_or_dash(p, "last_result"),
		         json_is_true(json_object_get(p, "revoked")) ? " (revoked since)" : "");
		table_row(t, who, out_str(p, "endpoint"), out_last_sync(p, last, sizeof last), result);
	}
	table_print(t, stdout);
	table_free(&t);
}

static int s_print(const struct cmd_args *a, const json_t *st)
{
	struct table *t = table_new("KEY", "VALUE", NULL);

	(void)a;
	table_no_header(t);
	s_rows(t, NULL, st);
	table_print(t, stdout);
	table_free(&t);
	s_peer_rows(json_object_get(st, "peers"));
	return CMD_OK;
}

static int cmd_status_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	json_t *st = NULL, *peers = NULL, *live;
	long pid;
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_status(a->n, &st)) < 0)
		return out_fail(rc);
	if ((rc = rp_peer_list(a->n, &peers)) < 0) {
		json_decref(st);
		return out_fail(rc);
	}
	pid = rp_served_pid(a->n);      /* the daemon serving this home, if one does */
	live = pid ? rp_served_live(a->n) : NULL;
	rp_node_close(&a->n);
	if (!json_is_object(st)) {
		json_decref(st);
		json_decref(peers);
		return out_failf("internal error: the node returned no status");
	}
	json_object_set_new(st, "daemon", pid ? json_pack("{sbsIso}", "running", 1, "pid", (json_int_t)pid,
	                                                  "live", live ? live : json_array())
	                                      : json_pack("{sbsnsn}", "running", 0, "pid", "live"));
	json_object_set_new(st, "peers", peers);
	return cmd_print(a, st, s_print);
}

const struct cmd_entry cmd_status_entry = {
	.name  = "status",
	.usage = "[--json]",
	.help  = "team, device, member, counts, conflicts, refused ops and peers",
	.form  = { .opts = cmd_json_only, .exec = cmd_status_exec },
};
