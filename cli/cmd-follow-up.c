/* cli/cmd-follow-up.c — `rapport follow-up ACCOUNT TEXT --due WHEN`: something
 * to do for an account by a date; prints the follow-up's id. `follow-up
 * move ID --due WHEN` and `follow-up cancel ID` correct one. */
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

static int s_move(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	char item[2 * RP_NAME_MAX + 64], iso[32], due[32];
	json_t *when;
	rp_about ab;
	int rc;

	if (!cmd_has(a, "due"))
		return cmd_usage_error(a->e, a->sub, "missing --due WHEN");
	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	rc = rp_fu_move(a->w, a->ref, cmd_value(a, "due")->ms);
	when = json_string(rp_when_iso(cmd_value(a, "due")->ms, iso, sizeof iso));
	out_when(when, due, sizeof due);          /* a day alone when due at midnight */
	json_decref(when);
	return cmd_end_said(a, rc, cmd_str(a, "ID"), "moved %s to %s", cmd_item(a, &ab, item, sizeof item), due);
}

static int s_cancel(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_about ab;
	int rc;

	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	return cmd_end_item(a, rp_fu_cancel(a->w, a->ref), cmd_str(a, "ID"), "cancelled", &ab);
}

const struct cmd_entry cmd_follow_up_entry = {
	.name    = "follow-up",
	.usage   = "ACCOUNT TEXT --due WHEN [--assignee MEMBER]\n"
	           "move ID --due WHEN\n"
	           "cancel ID",
	.help    = "set a follow-up on an account (prints its id); move or cancel one",
	.details = "WHEN is YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, tomorrow, +3d, +2w.\n"
	           "Without --assignee the follow-up is the account owner's.\n"
	           "Close it with 'rapport done ID'. An account named move or cancel\n"
	           "is given by its id here.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
	                    { "TEXT", .kind = CMD_TEXT }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "due", .kind = CMD_WHEN },
	                    { "assignee", .kind = CMD_TEXT }, { 0 } },
	             .hint = "quote TEXT when it has spaces", .exec = cmd_follow_up_exec },
	.subs    = (const struct cmd_form[]){
		{ "move", .exec = s_move,
		  .pos  = (const struct cmd_arg[]){ { "ID", .kind = CMD_FOLLOW_UP }, { 0 } },
		  .opts = (const struct cmd_arg[]){ { "due", .kind = CMD_WHEN }, { 0 } } },
		{ "cancel", .exec = s_cancel,
		  .pos  = (const struct cmd_arg[]){ { "ID", .kind = CMD_FOLLOW_UP }, { 0 } } },
		{ 0 } },
};
