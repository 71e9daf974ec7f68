/* cli/cmd-resolve.c — `rapport resolve IX_ID TEXT`: mark a complaint
 * resolved, saying how. */
#include "cmd.h"
#include "output.h"

static int cmd_resolve_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_resolve_entry;
	uint8_t ref[RP_REF_LEN], acct[RP_ACCOUNT_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int rc, kind;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "IX_ID TEXT", 0)) != 0)
		return rc;

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_ref_find(n, argv[optind], RP_REF_IX, ref, acct, &kind)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_complaint_resolve(w, ref, argv[optind + 1]);
	return cmd_write_end(&n, &w, rc, argv[optind]);
}

const struct cmd_entry cmd_resolve_entry = {
	.name  = "resolve",
	.usage = "IX_ID TEXT",
	.help  = "mark a complaint resolved",
	.details = "IX_ID is the id 'rapport log ... complaint' printed, or one from\n"
	           "'rapport complaints'.\n",
	.exec  = cmd_resolve_exec,
};
