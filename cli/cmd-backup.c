/* cli/cmd-backup.c — `rapport backup FILE`: the device key and a consistent,
 * compacted copy of the store in one file, safe to take while `rapport serve` runs. */
#include "cmd.h"
#include "output.h"

static int cmd_backup_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_backup(a->n, cmd_str(a, "FILE"))) < 0)
		return out_fail_about(rc, cmd_str(a, "FILE"));
	return CMD_OK;
}

const struct cmd_entry cmd_backup_entry = {
	.name    = "backup",
	.usage   = "FILE",
	.help    = "write the device key and a copy of the store to FILE",
	.details = "FILE (mode 0600) holds this device's key: keep it as safe as the device.\n"
	           "Bring it back with 'rapport restore FILE' into a home that holds no data.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "FILE", .kind = CMD_TEXT }, { 0 } },
	             .exec = cmd_backup_exec },
};
