/* cli/cmd-peer.c — `rapport peer`: remember a peer to sync with, list peers.
 * Not available yet: it arrives with its issue; until then it says so and exits 1. */
#include "cmd.h"
#include "output.h"

static int cmd_peer_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return out_failf("peer: %s", rp_strerror(RP_ENOTAVAIL));
}

const struct cmd_entry cmd_peer_entry = {
	.name  = "peer",
	.usage = "add NAME ENDPOINT DEVICE_ID\n"
	         "list [--json]",
	.help  = "remember a peer to sync with, list peers",
	.exec  = cmd_peer_exec,
};
