/* cli/cmd-peer.c — `rapport peer add|list`: name the peers this device syncs
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

static int s_print_list(const struct cmd_args *a, const json_t *peers)
{
	struct table *t = table_new("NAME", "ENDPOINT", "DEVICE", "LAST SYNC", "SENT", "RECEIVED", "RESULT", NULL);
	json_t *p;
	size_t i;

	(void)a;
	table_right(t, 4);
	table_right(t, 5);
	table_flex(t, 6);
	json_array_foreach(peers, i, p) {
		char dev[16], last[32], sent[32], received[32];

		table_row(t, out_str(p, "name"), out_str(p, "endpoint"),
		          out_id_short(out_str(p, "device"), dev, sizeof dev),
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
	           "list [--json]",
	.help    = "remember a peer to sync with, list peers and their last sync",
	.details = "add: NAME (letters, digits, '.', '_', '-') is how 'rapport sync' calls\n"
	           "the peer; ENDPOINT is tcp://HOST:PORT; DEVICE_ID is the peer's 'rapport id',\n"
	           "pinned: a node holding another key is refused. Naming a peer again moves\n"
	           "the name. list also shows devices that synced with this one (no name).\n",
	.subs    = (const struct cmd_form[]){
		{ "add", .exec = s_add,
		  .pos  = (const struct cmd_arg[]){ { "NAME", .kind = CMD_TEXT },
			{ "ENDPOINT", .kind = CMD_TEXT }, { "DEVICE_ID", .kind = CMD_TEXT }, { 0 } } },
		{ "list", .opts = cmd_json_only, .read = s_read_list, .print = s_print_list },
		{ 0 } },
};
