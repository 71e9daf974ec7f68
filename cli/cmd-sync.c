/* cli/cmd-sync.c — `rapport sync`: sync with a peer, both directions.
 * Not available yet: it arrives with its issue; until then it says so and exits 1. */
#include "cmd.h"
#include "output.h"

static int cmd_sync_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return out_failf("sync: %s", rp_strerror(RP_ENOTAVAIL));
}

const struct cmd_entry cmd_sync_entry = {
	.name  = "sync",
	.usage = "[PEER | ENDPOINT --peer DEVICE_ID]",
	.help  = "sync with a peer, both directions",
	.exec  = cmd_sync_exec,
};
