/* cli/cmd-done.c — `rapport done ID [TEXT]`: close a follow-up, by the id
 * `follow-up` printed or a unique prefix of it. */
#include "cmd.h"
#include "output.h"

static int cmd_done_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_done_entry;
	uint8_t ref[RP_REF_LEN], acct[RP_ACCOUNT_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int rc, kind;
	const char *text;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "ID TEXT", 1)) != 0)
		return rc;
	text = argc - optind > 1 ? argv[optind + 1] : NULL;

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_ref_find(n, argv[optind], RP_REF_FU, ref, acct, &kind)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_fu_done(w, ref, text);
	if (rc == RP_EEXIST && !*rp_errmsg()) {
		out_failf("follow-up %s is already done", argv[optind]);
		rp_write_abort(&w);
		rp_node_close(&n);
		return CMD_FAIL;
	}
	return cmd_write_end(&n, &w, rc, argv[optind]);
}

const struct cmd_entry cmd_done_entry = {
	.name  = "done",
	.usage = "ID [TEXT]",
	.help  = "close a follow-up, with an optional note",
	.exec  = cmd_done_exec,
};
