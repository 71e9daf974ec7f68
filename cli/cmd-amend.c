/* cli/cmd-amend.c — `rapport amend IX_ID FIELD VALUE`: correct one field of
 * an interaction; the last amend of a field wins on every node. */
#include "cmd.h"
#include "output.h"

static int cmd_amend_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *field = cmd_str(a, "FIELD");
	char item[2 * RP_NAME_MAX + 64], list[128];
	rp_about ab;
	int rc;

	if (!cmd_one_of(field, rp_ix_amend_fields))
		return cmd_bad_value(a->e, NULL, "unknown FIELD '%s' (one of %s)", field,
		                     cmd_join(rp_ix_amend_fields, list, sizeof list));
	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	return cmd_end_said(a, rp_ix_amend(a->w, a->ref, field, cmd_str(a, "VALUE")), cmd_str(a, "IX_ID"),
	                    *cmd_str(a, "VALUE") ? "amended %s: %s = %s" : "amended %s: %s cleared%s",
	                    cmd_item(a, &ab, item, sizeof item), field, cmd_str(a, "VALUE"));
}

const struct cmd_entry cmd_amend_entry = {
	.name    = "amend",
	.usage   = "IX_ID FIELD VALUE",
	.help    = "correct one field of an interaction",
	.details = "FIELD is text, type, at, amount, currency, contact or outcome.\n"
	           "at takes a WHEN; amount a number in the interaction's currency\n"
	           "(12.50); currency a code (USD), keeping the amount's figure.\n"
	           "An empty VALUE clears text, contact, outcome or amount.\n"
	           "A call logged on the wrong account: 'rapport retract' it and log it again.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "IX_ID", .kind = CMD_IX },
	                    { "FIELD", .kind = CMD_TEXT }, { "VALUE", .kind = CMD_TEXT }, { 0 } },
	             .verbatim = 1, .exec = cmd_amend_exec },
};
