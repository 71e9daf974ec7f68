/* cli/cmd-restore.c — `rapport restore FILE`: bring a backup back into a home
 * that holds no data yet. Never overwrites a store; does not open the node. */
#include "cmd.h"
#include "output.h"

static int cmd_restore_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_restore_entry;
	int rc;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "FILE", 0)) != 0)
		return rc;
	if ((rc = rp_restore(ctx->home, argv[optind])) < 0)
		return out_fail_about(rc, rc == RP_EEXIST ? ctx->home : argv[optind]);
	return CMD_OK;
}

const struct cmd_entry cmd_restore_entry = {
	.name  = "restore",
	.usage = "FILE",
	.help  = "restore a backup into a home that holds no data",
	.exec  = cmd_restore_exec,
};
