/* cli/cmd-team.c — `rapport team currency|calls|keep`: the team's settings
 * (admins; every node applies the last one written). */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int s_keep(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *value = cmd_str(a, "VALUE");
	int rc, keep;

	if (!strcmp(value, "on") || !strcmp(value, "true"))
		keep = 1;
	else if (!strcmp(value, "off") || !strcmp(value, "false"))
		keep = 0;
	else
		return cmd_bad_value(a->e, a->sub, "'%s' is not on or off", value);
	if ((rc = cmd_begin(ctx, a)) != 0
	    || (rc = cmd_end(a, rp_team_set_keep(a->w, keep), "keep")) != CMD_OK)
		return rc;
	printf(keep ? "team: rep devices keep accounts handed away (reaches every device at its next sync)\n"
	            : "team: rep devices drop accounts handed away once a hub or manager holds them\n");
	return CMD_OK;
}

static int s_currency(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *code = cmd_str(a, "CODE");
	int rc;

	if (!rp_currency_ok(code))
		return cmd_bad_value(a->e, a->sub, "'%s' is not an ISO 4217 currency code (EUR, USD, GBP, JPY...)",
		                     code);
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	return cmd_end_said(a, rp_team_set_currency(a->w, code), code,
	                    "team: value ranks in %s; amounts without a currency are in %s", code, code);
}

static int s_calls(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	int n = cmd_value(a, "N")->num, rc;

	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	return cmd_end_said(a, rp_team_set_calls(a->w, n), cmd_str(a, "N"),
	                    "team: the agenda suggests %d call%s a workday", n, n == 1 ? "" : "s");
}

const struct cmd_entry cmd_team_entry = {
	.name    = "team",
	.usage   = "currency CODE\n"
	           "calls N\n"
	           "keep on|off",
	.help    = "the team's settings (admins): currency, calls a workday, keep",
	.details = "currency: what value ranks in (top, the agenda) and what an amount\n"
	           "logged without --currency is in; EUR until set. Amounts in other\n"
	           "currencies are shown beside it, never added to it.\n"
	           "calls: the calls the agenda suggests each workday (0-20; 2 until set).\n"
	           "keep on: no rep device drops the accounts its member lost (they are\n"
	           "dropped by default once a hub or manager holds them). A device can\n"
	           "keep them on its own with 'sync --keep' or 'keep = true' in its config.\n"
	           "Each setting reaches every device at its next sync.",
	.subs    = (const struct cmd_form[]){
		{ "currency", .exec = s_currency,
		  .pos = (const struct cmd_arg[]){ { "CODE", .kind = CMD_TEXT }, { 0 } } },
		{ "calls", .exec = s_calls,
		  .pos = (const struct cmd_arg[]){ { "N", .kind = CMD_COUNT, .min = 0, .max = RP_TEAM_CALLS_MAX }, { 0 } } },
		{ "keep", .exec = s_keep,
		  .pos = (const struct cmd_arg[]){ { "VALUE", .kind = CMD_TEXT }, { 0 } } },
		{ 0 } },
};
