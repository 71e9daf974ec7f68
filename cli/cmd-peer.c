/* cli/cmd-peer.c — `rapport peer add|list`: name the peers this device syncs
 * with (endpoint and pinned device id), and show how the last sync with each went. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

/* The ISO time of the last sync as local time for people, or "never". */
static char *s_last_sync(const json_t *peer, char *buf, size_t cap)
{
	const char *iso = out_str(peer, "last_sync");
	uint64_t ms;

	if (!iso || rp_when_parse_iso(iso, &ms) != 0)
		snprintf(buf, cap, "never");
	else
		rp_when_local(ms, buf, cap);
	return buf;
}

static int s_add(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_peer_entry;
	uint8_t dev[RP_DEVICE_LEN];
	rp_node *n = NULL;
	int rc;

	if (cmd_getopt(e, "add", argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, "add", argc - optind, argv + optind,
	                         "NAME ENDPOINT DEVICE_ID", 0)) != 0)
		return rc;
	if (rp_b32_decode(argv[optind + 2], dev, sizeof dev) != 0)
		return cmd_bad_value(e, "add", "'%s' is not a device id "
		                     "(52 base32 characters, as 'rapport id' prints)", argv[optind + 2]);

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	rc = rp_peer_add(n, argv[optind], argv[optind + 1], dev);
	if (rc == RP_EINVAL) {
		/* A bad name or endpoint, or our own id: a malformed value (exit 2). */
		out_fail_about(rc, argv[optind]);
		rp_node_close(&n);
		return CMD_USAGE;
	}
	if (rc < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	rp_node_close(&n);
	return CMD_OK;
}

static int s_list(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_peer_entry;
	json_t *peers = NULL, *p;
	struct table *t;
	rp_node *n = NULL;
	int rc, json = 0;
	size_t i;

	if ((rc = cmd_json_args(e, "list", argc, argv, "", &json)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_peer_list(n, &peers)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(peers);
		json_decref(peers);
		return rc;
	}
	t = table_new("NAME", "ENDPOINT", "DEVICE", "LAST SYNC", "SENT", "RECEIVED", "RESULT", NULL);
	table_right(t, 4);
	table_right(t, 5);
	table_flex(t, 6);
	json_array_foreach(peers, i, p) {
		char dev[16], last[32], sent[32], received[32];

		table_row(t, out_str(p, "name"), out_str(p, "endpoint"),
		          out_id_short(out_str(p, "device"), dev, sizeof dev),
		          s_last_sync(p, last, sizeof last),
		          out_scalar(json_object_get(p, "last_sent"), sent, sizeof sent),
		          out_scalar(json_object_get(p, "last_received"), received, sizeof received),
		          out_str(p, "last_result"));
	}
	if (table_rows(t))
		table_print(t, stdout);
	else
		out_note("no peers yet ('rapport peer add NAME ENDPOINT DEVICE_ID')");
	table_free(&t);
	json_decref(peers);
	return CMD_OK;
}

static int cmd_peer_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_peer_entry;

	if (argc < 2)
		return cmd_usage_error(e, NULL, "missing add or list");
	optind = 0;
	if (strcmp(argv[1], "add") == 0)
		return s_add(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return s_list(ctx, argc - 1, argv + 1);
	return cmd_usage_error(e, NULL, "unknown subcommand '%s'", argv[1]);
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
	.exec    = cmd_peer_exec,
};
