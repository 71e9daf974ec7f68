/* cli/cmd-done.c — `rapport done ID [TEXT]`: close a follow-up, by the id
 * `follow-up` printed or a unique prefix of it. */
#include "cmd.h"
#include "output.h"

static int cmd_done_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_about ab;
	int rc;

	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	rc = rp_fu_done(a->w, a->ref, cmd_str(a, "TEXT"));
	if (rc == RP_EEXIST && !*rp_errmsg())
		return out_failf("follow-up %s is already done", cmd_str(a, "ID"));
	return cmd_end_item(a, rc, cmd_str(a, "ID"), "done:", &ab);
}

const struct cmd_entry cmd_done_entry = {
	.name  = "done",
	.usage = "ID [TEXT]",
	.help  = "close a follow-up, with an optional note",
	.form  = { .pos = (const struct cmd_arg[]){ { "ID", .kind = CMD_FOLLOW_UP },
	                  { "TEXT", .kind = CMD_TEXT, .optional = 1 }, { 0 } },
	           .exec = cmd_done_exec },
};
