/* cli/cmd-peer.c — `rapport peer add|remove|list`: name the peers this device syncs
 * with (endpoint and pinned device id), and show how the last sync with each went. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int s_add(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = cmd_str(a, "NAME");
	uint8_t dev[RP_DEVICE_LEN];
	int rc;

	if ((rc = cmd_device(a, "", cmd_str(a, "DEVICE_ID"), dev)) != 0 || (rc = cmd_open(ctx, a)) != 0)
		return rc;
	rc = rp_peer_add(a->n, name, cmd_str(a, "ENDPOINT"), dev);
	if (rc == RP_EINVAL) {
		/* A bad name or endpoint, or our own id: a malformed value (exit 2). */
		out_fail_about(rc, name);
		return CMD_USAGE;
	}
	return rc < 0 ? out_fail_about(rc, name) : CMD_OK;
}

static int s_remove(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = cmd_str(a, "NAME");
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	rc = rp_peer_remove(a->n, name);
	return rc < 0 ? out_fail_about(rc, name) : CMD_OK;
}

/* What the daemon says of its syncs with p: "live", "ok", "syncing",
 * "retrying in 20 s", "refused: revoked (retrying in 60 s)", or "-" when no
 * daemon serves this home. */
static const char *s_state(const json_t *p, char *out, size_t cap)
{
	const json_t *d = json_object_get(p, "daemon");
	const char *state = out_str(d, "state");
	if (json_is_true(json_object_get(p, "revoked")))
		return "revoked";           /* refused from now on, whatever the last sync said */
	if (!json_is_object(d))
		return "-";
	if (!strcmp(state, "retrying") && json_is_integer(json_object_get(d, "retry_in_s"))) {
		snprintf(out, cap, "retrying in %lld s", (long long)json_integer_value(json_object_get(d, "retry_in_s")));
		return out;
	}
	if (!strcmp(state, "refused")) {
		snprintf(out, cap, "refused: %s (retrying in %lld s)", out_str_or_dash(d, "refusal"),
		         (long long)json_integer_value(json_object_get(d, "retry_in_s")));
		return out;
	}
	return state;
}

static int s_print_list(const struct cmd_args *a, const json_t *peers)
{
	struct table *t = table_new("NAME", "ENDPOINT", "DEVICE", "MEMBER", "DAEMON", "LAST SYNC", "SENT",
	                            "RECEIVED", "RESULT", NULL);
	json_t *p;
	size_t i;

	(void)a;
	table_right(t, 6);
	table_right(t, 7);
	table_flex(t, 8);
	json_array_foreach(peers, i, p) {
		char dev[16], last[32], sent[32], received[32], state[48], member[RP_NAME_MAX + 16];

		snprintf(member, sizeof member, "%s%s", out_str_or_dash(p, "member"),
		         json_is_true(json_object_get(p, "revoked")) ? " (revoked)" : "");
		table_row(t, out_str(p, "name"), out_str(p, "endpoint"),
		          out_id_short(out_str(p, "device"), dev, sizeof dev), member,
		          s_state(p, state, sizeof state),
		          out_last_sync(p, last, sizeof last),
		          out_scalar(json_object_get(p, "last_sent"), sent, sizeof sent),
		          out_scalar(json_object_get(p, "last_received"), received, sizeof received),
		          out_str(p, "last_result"));
	}
	return table_done(&t, "no peers yet ('rapport peer add NAME ENDPOINT DEVICE_ID')");
}

static int s_read_list(struct cmd_args *a, json_t **rows)
{
	return rp_peer_list(a->n, rows);
}

const struct cmd_entry cmd_peer_entry = {
	.name    = "peer",
	.usage   = "add NAME ENDPOINT DEVICE_ID\n"
	           "remove NAME\n"
	           "list [--json]",
	.help    = "remember a peer to sync with, forget one, list peers and their last sync",
	.details = "add: NAME (letters, digits, '.', '_', '-') is how 'rapport sync' calls\n"
	           "the peer; ENDPOINT is tcp://HOST:PORT; DEVICE_ID is the peer's 'rapport id',\n"
	           "pinned: a node holding another key is refused. Naming a peer again moves\n"
	           "the name. 'rapport serve' syncs with every peer named here by itself.\n"
	           "remove: forget the name (the daemon stops syncing with it; what was synced\n"
	           "stays). list also shows devices that synced with this one (no name), and\n"
	           "what the daemon says of each peer it syncs with: ok, syncing, retrying in N s\n"
	           "(- when no daemon serves this home).\n",
	.subs    = (const struct cmd_form[]){
		{ "add", .exec = s_add,
		  .pos  = (const struct cmd_arg[]){ { "NAME", .kind = CMD_TEXT },
			{ "ENDPOINT", .kind = CMD_TEXT }, { "DEVICE_ID", .kind = CMD_TEXT }, { 0 } } },
		{ "remove", .exec = s_remove,
		  .pos  = (const struct cmd_arg[]){ { "NAME", .kind = CMD_TEXT }, { 0 } } },
		{ "list", .opts = cmd_json_only, .read = s_read_list, .print = s_print_list },
		{ 0 } },
};
