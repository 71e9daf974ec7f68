/* cli/cmd-log.c — `rapport log ACCOUNT TYPE TEXT`: record a call, visit,
 * purchase, complaint... and print its id. Checks every value before writing anything. */
#include "cmd.h"
#include "output.h"

static int cmd_log_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at",       required_argument, NULL, 'a' },
		{ "amount",   required_argument, NULL, 'm' },
		{ "currency", required_argument, NULL, 'c' },
		{ "contact",  required_argument, NULL, 'C' },
		{ "outcome",  required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_log_entry;
	const char *at = NULL, *amount = NULL;
	rp_ix_spec ix = { 0 };
	uint8_t acct[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	char id[RP_REF_TEXT + 1], list[128];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'a': at = optarg; break;
		case 'm': amount = optarg; break;
		case 'c': ix.currency = optarg; break;
		case 'C': ix.contact = optarg; break;
		case 'o': ix.outcome = optarg; break;
		default:  return CMD_USAGE;
		}
	}
	if (argc - optind > 3) {
		cmd_usage_error(e, NULL, "unexpected argument '%s'", argv[optind + 3]);
		out_hint("quote TEXT when it has spaces: rapport log ACCOUNT call \"asked for a quote\"");
		return CMD_USAGE;
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "ACCOUNT TYPE TEXT", 0)) != 0)
		return rc;
	ix.type = argv[optind + 1];
	ix.text = argv[optind + 2];
	if (!cmd_one_of(ix.type, rp_schema_ix_types))
		return cmd_bad_value(e, NULL, "unknown type '%s' (one of %s)", ix.type,
		                     cmd_join(rp_schema_ix_types, list, sizeof list));
	if (at && (rc = cmd_when(ctx, e, "--at", at, &ix.at_ms)) != 0)
		return rc;
	if (amount) {
		if (rp_amount_parse(amount, &ix.cents) < 0)
			return cmd_bad_value(e, NULL, "--amount: bad amount '%s' (e.g. 12.50 or 1,234.50)",
			                     amount);
		ix.has_amount = 1;
	}
	if (ix.currency && !amount)
		return cmd_usage_error(e, NULL, "--currency needs --amount");
	if (ix.currency && !rp_currency_ok(ix.currency))
		return cmd_bad_value(e, NULL, "--currency: bad currency '%s' (3 capital letters, "
		                     "e.g. EUR)", ix.currency);

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_account_find(n, argv[optind], acct)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_ix_log(w, acct, &ix, ref);
	if ((rc = cmd_write_end(&n, &w, rc, argv[optind])) != 0)
		return rc;
	rp_b32_encode(ref, RP_REF_LEN, id, sizeof id);
	printf("%s\n", id);
	return CMD_OK;
}

const struct cmd_entry cmd_log_entry = {
	.name    = "log",
	.usage   = "ACCOUNT TYPE TEXT [--at WHEN] [--amount 12.50] [--currency EUR] "
	           "[--contact NAME] [--outcome TEXT]",
	.help    = "record an interaction with an account; prints its id",
	.details = "TYPE is call, email, visit, meeting, note, purchase, complaint, gift or\n"
	           "feedback. --at defaults to now; WHEN is YYYY-MM-DD, YYYY-MM-DDTHH:MM,\n"
	           "today, yesterday, +3d, -2w... --amount is in the currency's units\n"
	           "(12.50), EUR unless --currency says otherwise.\n",
	.exec    = cmd_log_exec,
};
