/* cli/cmd-resolve.c — `rapport resolve IX_ID TEXT`: mark a complaint
 * resolved, saying how. */
#include "cmd.h"
#include "output.h"

static int cmd_resolve_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_about ab;
	int rc;

	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	return cmd_end_item(a, rp_complaint_resolve(a->w, a->ref, cmd_str(a, "TEXT")), cmd_str(a, "IX_ID"),
	                    "resolved", &ab);
}

const struct cmd_entry cmd_resolve_entry = {
	.name  = "resolve",
	.usage = "IX_ID TEXT",
	.help  = "mark a complaint resolved",
	.details = "IX_ID is the id 'rapport log ... complaint' printed, or one from\n"
	           "'rapport complaints'.\n",
	.form  = { .pos = (const struct cmd_arg[]){ { "IX_ID", .kind = CMD_IX },
	                  { "TEXT", .kind = CMD_TEXT }, { 0 } },
	           .exec = cmd_resolve_exec },
};
