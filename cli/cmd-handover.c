/* cli/cmd-handover.c — `rapport handover`: give an account, with its whole history, to another member.
 * Not available yet: it arrives with its issue; until then it says so and exits 1. */
#include "cmd.h"
#include "output.h"

static int cmd_handover_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	return out_failf("handover: %s", rp_strerror(RP_ENOTAVAIL));
}

const struct cmd_entry cmd_handover_entry = {
	.name  = "handover",
	.usage = "ACCOUNT --to MEMBER [--note TEXT]\n"
	         "--from MEMBER --to MEMBER [--dry-run]",
	.help  = "give an account, with its whole history, to another member",
	.exec  = cmd_handover_exec,
};
