/* cli/cmd-backup.c — `rapport backup FILE`: the device key and a consistent,
 * compacted copy of the store in one file, safe to take while `rapport serve` runs. */
#include "cmd.h"
#include "output.h"

static int cmd_backup_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_backup_entry;
	rp_node *n = NULL;
	int rc;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "FILE", 0)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_backup(n, argv[optind])) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	rp_node_close(&n);
	return CMD_OK;
}

const struct cmd_entry cmd_backup_entry = {
	.name    = "backup",
	.usage   = "FILE",
	.help    = "write the device key and a copy of the store to FILE",
	.details = "FILE (mode 0600) holds this device's key: keep it as safe as the device.\n"
	           "Bring it back with 'rapport restore FILE' into a home that holds no data.\n",
	.exec    = cmd_backup_exec,
};
