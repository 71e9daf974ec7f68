/* cli/cmd-team.c — `rapport team keep on|off`: the team's settings (one so
 * far: whether rep devices keep the accounts their member lost). */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int cmd_team_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_team_entry;
	rp_node *n = NULL;
	rp_write *w = NULL;
	int rc, keep;

	if ((rc = cmd_positional(e, NULL, argc - 1, argv + 1, "SETTING VALUE", 0)) != 0)
		return rc;
	if (strcmp(argv[1], "keep") != 0)
		return cmd_bad_value(e, NULL, "unknown setting '%s' (one of keep)", argv[1]);
	if (!strcmp(argv[2], "on") || !strcmp(argv[2], "true"))
		keep = 1;
	else if (!strcmp(argv[2], "off") || !strcmp(argv[2], "false"))
		keep = 0;
	else
		return cmd_bad_value(e, NULL, "keep: '%s' is not on or off", argv[2]);
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_team_set_keep(w, keep);
	if ((rc = cmd_write_end(&n, &w, rc, "keep")) != CMD_OK)
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
	.exec    = cmd_team_exec,
};
