/* cli/cmd-log.c — `rapport log ACCOUNT TYPE TEXT`: record a call, visit,
 * purchase, complaint... and print its id. Checks every value before writing anything. */
#include "cmd.h"
#include "output.h"

static int cmd_log_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_ix_spec ix = { .type = cmd_str(a, "TYPE"), .text = cmd_str(a, "TEXT"),
	                  .at_ms = cmd_value(a, "at")->ms, .amount = cmd_str(a, "amount"),
	                  .has_amount = cmd_has(a, "amount"), .currency = cmd_str(a, "currency"),
	                  .contact = cmd_str(a, "contact"), .outcome = cmd_str(a, "outcome") };
	uint8_t ref[RP_REF_LEN];
	int rc;

	/* What happened is not in the future, unless a time says so on purpose. */
	if (cmd_has(a, "at") && rp_when_future(cmd_value(a, "at")->ms, cmd_value(a, "at")->when_kind,
	                                       ctx->now_ms))
		return cmd_bad_value(a->e, NULL, "--at %s is in the future: log what happened (plan it with "
		                     "'rapport follow-up'), or give the time it will happen (YYYY-MM-DDTHH:MM)",
		                     cmd_str(a, "at"));
	if (ix.currency && !ix.has_amount)
		return cmd_usage_error(a->e, NULL, "--currency needs --amount");
	if (ix.currency && !rp_currency_ok(ix.currency))
		return cmd_bad_value(a->e, NULL, "--currency: '%s' is not an ISO 4217 currency code "
		                     "(EUR, USD, JPY...)", ix.currency);
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = rp_ix_log(a->w, a->acct, &ix, ref);
	return cmd_end_id(a, rc, cmd_str(a, "ACCOUNT"), ref, sizeof ref);
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
	.form    = { .pos = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
	                    { "TYPE", .kind = CMD_WORD, .words = rp_schema_ix_types,
	                      .bad = "unknown type '%s' (one of %s)" },
	                    { "TEXT", .kind = CMD_TEXT }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "at", .kind = CMD_WHEN },
	                    { "amount", .kind = CMD_AMOUNT }, { "currency", .kind = CMD_TEXT },
	                    { "contact", .kind = CMD_TEXT }, { "outcome", .kind = CMD_TEXT }, { 0 } },
	             .hint = "quote TEXT when it has spaces: rapport log ACCOUNT call \"asked for a quote\"",
	             .exec = cmd_log_exec },
};
