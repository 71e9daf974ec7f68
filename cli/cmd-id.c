/* cli/cmd-id.c — `rapport id`: print this device's id, one line, for an admin's
 * `member add` or a peer's `peer add`. */
#include "cmd.h"
#include "output.h"

static int cmd_id_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	char id[RP_DEVICE_TEXT + 1];
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	rp_node_device_text(a->n, id);
	rp_node_close(&a->n);
	printf("%s\n", id);
	return CMD_OK;
}

const struct cmd_entry cmd_id_entry = {
	.name  = "id",
	.usage = "",
	.help  = "print this device's id, one line",
	.form  = { .exec = cmd_id_exec },
};
