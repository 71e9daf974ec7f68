/* cli/cmd-digest.c — `rapport digest [ACCOUNT]`: the hash of the merged view,
 * one hex line; two nodes holding the same ops print the same digest. */
#include "cmd.h"
#include "output.h"

static int cmd_digest_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_digest_entry;
	uint8_t acct[RP_ACCOUNT_LEN];
	char hex[65];
	rp_node *n = NULL;
	int rc, one;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "ACCOUNT", 1)) != 0)
		return rc;
	one = argc - optind == 1;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if (one && (rc = rp_account_find(n, argv[optind], acct)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = rp_digest(n, one ? acct : NULL, hex)) < 0)
		return cmd_read_fail(&n, rc, one ? argv[optind] : NULL);
	rp_node_close(&n);
	printf("%s\n", hex);
	return CMD_OK;
}

const struct cmd_entry cmd_digest_entry = {
	.name  = "digest",
	.usage = "[ACCOUNT]",
	.help  = "hash of the merged view (of everything, or one account)",
	.exec  = cmd_digest_exec,
};
