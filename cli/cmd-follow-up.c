/* cli/cmd-follow-up.c — `rapport follow-up ACCOUNT TEXT --due WHEN`: something
 * to do for an account by a date; prints the follow-up's id. */
#include "cmd.h"
#include "output.h"

static int cmd_follow_up_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *assignee = cmd_str(a, "assignee");
	uint8_t ref[RP_REF_LEN];
	int rc;

	if (!cmd_has(a, "due"))
		return cmd_usage_error(a->e, NULL, "missing --due WHEN");
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = rp_fu_add(a->w, a->acct, cmd_str(a, "TEXT"), cmd_value(a, "due")->ms, assignee, ref);
	return cmd_end_id(a, rc, assignee ? assignee : cmd_str(a, "ACCOUNT"), ref, sizeof ref);
}

const struct cmd_entry cmd_follow_up_entry = {
	.name    = "follow-up",
	.usage   = "ACCOUNT TEXT --due WHEN [--assignee MEMBER]",
	.help    = "set a follow-up on an account; prints its id",
	.details = "WHEN is YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, tomorrow, +3d, +2w.\n"
	           "Without --assignee the follow-up is the account owner's.\n"
	           "Close it with 'rapport done ID'.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
	                    { "TEXT", .kind = CMD_TEXT }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "due", .kind = CMD_WHEN },
	                    { "assignee", .kind = CMD_TEXT }, { 0 } },
	             .hint = "quote TEXT when it has spaces", .exec = cmd_follow_up_exec },
};
