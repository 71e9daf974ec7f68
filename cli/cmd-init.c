/* cli/cmd-init.c — `rapport init`: make this device's key, and with --team
 * start a new team. Prints the device id on stdout, next steps on stderr. */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int cmd_init_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = cmd_str(a, "name"), *team = cmd_str(a, "team");
	char id[RP_DEVICE_TEXT + 1];
	int rc;

	if (!name || !*name)
		return cmd_usage_error(a->e, NULL, "missing --name MEMBER");
	if (team && !*team)
		return cmd_bad_value(a->e, NULL, "--team: empty team name");

	rc = rp_init(ctx->home, name, team, ctx->now_ms);
	if (rc == RP_EEXIST && !*rp_errmsg())
		return out_failf("%s already holds a device key ('rapport id' prints it)", ctx->home);
	if (rc < 0)
		return out_fail_about(rc, ctx->home);
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	rp_node_device_text(a->n, id);
	rp_node_close(&a->n);

	printf("%s\n", id);
	if (team) {
		out_note("started team '%s' with %s as its admin, in %s", team, name, ctx->home);
		out_note("next: rapport account add NAME; rapport member add MEMBER DEVICE_ID "
		         "to let a teammate's device in");
	} else {
		out_note("this device (%s) is not in a team yet; ask an admin to run:", name);
		out_note("  rapport member add %s %s", name, id);
		out_note("then: rapport peer add hub ENDPOINT HUB_ID && rapport sync hub");
	}
	return CMD_OK;
}

const struct cmd_entry cmd_init_entry = {
	.name    = "init",
	.usage   = "--name MEMBER [--team TEAM]",
	.help    = "make this device's key; --team starts a new team",
	.details = "Creates the home (0700) and device.key (0600) and prints the device id.\n"
	           "With --team, this device's member becomes the first admin of a new team.\n"
	           "Without it, the device waits until an admin adds it and it syncs once.\n",
	.form    = { .opts = (const struct cmd_arg[]){ { "name", .kind = CMD_TEXT },
	                    { "team", .kind = CMD_TEXT }, { 0 } },
	             .exec = cmd_init_exec },
};
