/* cli/cmd-team.c — `rapport team keep on|off`: the team's settings (one so
 * far: whether rep devices keep the accounts their member lost). */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int cmd_team_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *value = cmd_str(a, "VALUE");
	int rc, keep;

	if (strcmp(cmd_str(a, "SETTING"), "keep") != 0)
		return cmd_bad_value(a->e, NULL, "unknown setting '%s' (one of keep)", cmd_str(a, "SETTING"));
	if (!strcmp(value, "on") || !strcmp(value, "true"))
		keep = 1;
	else if (!strcmp(value, "off") || !strcmp(value, "false"))
		keep = 0;
	else
		return cmd_bad_value(a->e, NULL, "keep: '%s' is not on or off", value);
	if ((rc = cmd_begin(ctx, a)) != 0
	    || (rc = cmd_end(a, rp_team_set_keep(a->w, keep), "keep")) != CMD_OK)
		return rc;
	printf(keep ? "team: rep devices keep accounts handed away (reaches every device at its next sync)\n"
	            : "team: rep devices drop accounts handed away once a hub or manager holds them\n");
	return CMD_OK;
}

const struct cmd_entry cmd_team_entry = {
	.name    = "team",
	.usage   = "keep on|off",
	.help    = "the team's settings (admins): keep accounts handed away on rep devices",
	.details = "keep on: no rep device drops the accounts its member lost (they are\n"
	           "dropped by default once a hub or manager holds them). A device can\n"
	           "keep them on its own with 'sync --keep' or 'keep = true' in its config.",
	.form    = { .pos = (const struct cmd_arg[]){ { "SETTING", .kind = CMD_TEXT },
	                    { "VALUE", .kind = CMD_TEXT }, { 0 } },
	             .verbatim = 1, .exec = cmd_team_exec },
};
