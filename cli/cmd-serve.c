/* cli/cmd-serve.c — `rapport serve`: run the node: accept syncs from the team's devices.
 * Not available yet: it arrives with its issue; until then it says so and exits 1. */
#include "cmd.h"
#include "output.h"

static int cmd_serve_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return out_failf("serve: %s", rp_strerror(RP_ENOTAVAIL));
}

const struct cmd_entry cmd_serve_entry = {
	.name  = "serve",
	.usage = "[--listen ENDPOINT]",
	.help  = "run the node: accept syncs from the team's devices",
	.exec  = cmd_serve_exec,
};
