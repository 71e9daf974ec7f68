/* cli/cmd-restore.c — `rapport restore FILE`: bring a backup back into a home
 * that holds no data yet. Never overwrites a store; does not open the node. */
#include "cmd.h"
#include "output.h"

static int cmd_restore_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	int rc;

	if ((rc = rp_restore(ctx->home, cmd_str(a, "FILE"))) < 0)
		return out_fail_about(rc, rc == RP_EEXIST ? ctx->home : cmd_str(a, "FILE"));
	return CMD_OK;
}

const struct cmd_entry cmd_restore_entry = {
	.name  = "restore",
	.usage = "FILE",
	.help  = "restore a backup into a home that holds no data",
	.form  = { .pos = (const struct cmd_arg[]){ { "FILE", .kind = CMD_TEXT }, { 0 } },
	           .exec = cmd_restore_exec },
};
