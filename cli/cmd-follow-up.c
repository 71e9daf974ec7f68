/* cli/cmd-follow-up.c — `rapport follow-up ACCOUNT TEXT --due WHEN`: something
 * to do for an account by a date; prints the follow-up's id. */
#include "cmd.h"
#include "output.h"

static int cmd_follow_up_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "due",      required_argument, NULL, 'd' },
		{ "assignee", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_follow_up_entry;
	const char *due = NULL, *assignee = NULL;
	uint8_t acct[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	char id[RP_REF_TEXT + 1];
	uint64_t due_ms;
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'd': due = optarg; break;
		case 'a': assignee = optarg; break;
		default:  return CMD_USAGE;
		}
	}
	if (argc - optind > 2) {
		cmd_usage_error(e, NULL, "unexpected argument '%s'", argv[optind + 2]);
		out_hint("quote TEXT when it has spaces");
		return CMD_USAGE;
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "ACCOUNT TEXT", 0)) != 0)
		return rc;
	if (!due)
		return cmd_usage_error(e, NULL, "missing --due WHEN");
	if ((rc = cmd_when(ctx, e, "--due", due, &due_ms)) != 0)
		return rc;

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_account_find(n, argv[optind], acct)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_fu_add(w, acct, argv[optind + 1], due_ms, assignee, ref);
	if ((rc = cmd_write_end(&n, &w, rc, assignee ? assignee : argv[optind])) != 0)
		return rc;
	rp_b32_encode(ref, RP_REF_LEN, id, sizeof id);
	printf("%s\n", id);
	return CMD_OK;
}

const struct cmd_entry cmd_follow_up_entry = {
	.name    = "follow-up",
	.usage   = "ACCOUNT TEXT --due WHEN [--assignee MEMBER]",
	.help    = "set a follow-up on an account; prints its id",
	.details = "WHEN is YYYY-MM-DD, YYYY-MM-DDTHH:MM, today, tomorrow, +3d, +2w.\n"
	           "Without --assignee the follow-up is the account owner's.\n"
	           "Close it with 'rapport done ID'.\n",
	.exec    = cmd_follow_up_exec,
};
