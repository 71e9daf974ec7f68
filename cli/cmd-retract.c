/* cli/cmd-retract.c — `rapport retract IX_ID [--reason R]`: an interaction
 * logged by mistake leaves every view and figure; the history keeps it. */
#include "cmd.h"
#include "output.h"

static int cmd_retract_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_about ab;
	int rc;

	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	return cmd_end_item(a, rp_ix_retract(a->w, a->ref, cmd_str(a, "reason")), cmd_str(a, "IX_ID"),
	                    "retracted", &ab);
}

const struct cmd_entry cmd_retract_entry = {
	.name    = "retract",
	.usage   = "IX_ID [--reason R]",
	.help    = "take back an interaction logged by mistake",
	.details = "The interaction leaves every view and figure (last contact, value,\n"
	           "at-risk, the agenda); 'rapport history' keeps it, with who retracted\n"
	           "it and why. To fix one field instead, use 'rapport amend'.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "IX_ID", .kind = CMD_IX }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "reason", .kind = CMD_TEXT }, { 0 } },
	             .exec = cmd_retract_exec },
};
