/* cli/cmd-id.c — `rapport id`: print this device's id, one line, for an admin's
 * `member add` or a peer's `peer add`. */
#include "cmd.h"
#include "output.h"

static int cmd_id_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_id_entry;
	char id[RP_DEVICE_TEXT + 1];
	rp_node *n = NULL;
	int rc;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	rp_node_device_text(n, id);
	rp_node_close(&n);
	printf("%s\n", id);
	return CMD_OK;
}

const struct cmd_entry cmd_id_entry = {
	.name  = "id",
	.usage = "",
	.help  = "print this device's id, one line",
	.exec  = cmd_id_exec,
};
