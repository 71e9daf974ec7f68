/* cli/cmd-team.c — `rapport team currency|calls|keep`: the team's settings
 * (admins; every node applies the last one written). */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

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

static int s_holidays(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_value *dates = cmd_value(a, "DATE...");
	int64_t days[RP_TEAM_HOLIDAYS_MAX];
	char all[RP_TEAM_HOLIDAYS_MAX * 12 + 1] = "";
	size_t n = 0, len = 0;
	int rc, i;

	if (dates->given == 1 && !strcmp(dates->list[0], "none"))
		dates = NULL;
	for (i = 0; dates && i < dates->given; i++) {
		uint64_t ms;
		int kind = 0;

		if (rp_when_parse_kind(dates->list[i], ctx->now_ms, &ms, &kind) || kind != RP_WHEN_DAY)
			return cmd_bad_value(a->e, a->sub, "'%s' is not a day (YYYY-MM-DD)", dates->list[i]);
		if (n == RP_TEAM_HOLIDAYS_MAX)
			return cmd_bad_value(a->e, a->sub, "more than %d holidays", RP_TEAM_HOLIDAYS_MAX);
		days[n++] = rp_when_day(ms);
		len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", len ? ", " : "", dates->list[i]);
	}
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	if (n == 0)
		return cmd_end_said(a, rp_team_set_holidays(a->w, days, 0), "holidays", "team: no holidays");
	return cmd_end_said(a, rp_team_set_holidays(a->w, days, n), "holidays",
	                    "team: %zu holiday%s (no calls, campaign or intro follow-ups then): %s",
	                    n, n == 1 ? "" : "s", all);
}

static int s_view_print(const struct cmd_args *a, const json_t *doc)
{
	struct table *t = table_new("MEMBER", "ROLE", "ACCOUNTS", "QUEUED", "DEVICE", "LAST SYNC", NULL);
	const json_t *team = json_object_get(doc, "team"), *m, *d;
	size_t i, j;

	(void)a;
	out_vclean_line(stdout, "team %s: value in %s, %lld call%s a workday, rep devices %s accounts handed away",
	                out_str_or_dash(team, "name"), out_str_or_dash(doc, "currency"), out_int(doc, "calls"),
	                out_int(doc, "calls") == 1 ? "" : "s",
	                json_is_true(json_object_get(doc, "keep")) ? "keep" : "drop");
	if (json_array_size(json_object_get(doc, "holidays"))) {
		char days[1024];
		out_vclean_line(stdout, "holidays: %s", out_words(json_object_get(doc, "holidays"), days, sizeof days));
	}
	table_right(t, 2);
	table_right(t, 3);
	json_array_foreach(json_object_get(doc, "members"), i, m) {
		char role[64], n[32], q[32];
		const json_t *devs = json_object_get(m, "devices");

		snprintf(role, sizeof role, "%s%s", out_str_or_dash(m, "role"),
		         json_is_true(json_object_get(m, "revoked")) ? " (revoked)" : "");
		snprintf(n, sizeof n, "%lld", out_int(m, "accounts"));
		snprintf(q, sizeof q, "%lld", out_int(m, "handovers_queued"));
		if (json_array_size(devs) == 0)
			table_row(t, out_str(m, "name"), role, n, q, "-", "-");
		json_array_foreach(devs, j, d) {
			char id[16], last[64];

			if (json_is_true(json_object_get(d, "this_device")))
				snprintf(last, sizeof last, "this device");
			else
				out_last_sync(d, last, sizeof last);
			if (json_is_true(json_object_get(d, "revoked")))
				snprintf(last + strlen(last), sizeof last - strlen(last), " (revoked)");
			table_row(t, j ? "" : out_str(m, "name"), j ? "" : role, j ? "" : n, j ? "" : q,
			          out_id_short(out_str(d, "id"), id, sizeof id), last);
		}
	}
	return table_done(&t, "no members yet");
}

static int s_view(struct cmd_args *a, json_t **doc)
{
	return rp_team_view(a->n, doc);
}

const struct cmd_entry cmd_team_entry = {
	.name    = "team",
	.usage   = "[--json]\n"
	           "currency CODE\n"
	           "calls N\n"
	           "holidays DATE... | holidays none\n"
	           "keep on|off",
	.help    = "the team: members, devices, last syncs, accounts held, handovers queued; its settings",
	.details = "With no argument: the members, their roles and devices, when this\n"
	           "device last synced with each, how many accounts each holds, and how\n"
	           "many handovers to each are queued here: not yet passed to one of\n"
	           "their devices (or, for one written here, to a hub or manager).\n"
	           "'status' names the accounts.\n"
	           "The settings (admins):\n"
	           "currency: what value ranks in (top, the agenda) and what an amount\n"
	           "logged without --currency is in; EUR until set. Amounts in other\n"
	           "currencies are shown beside it, never added to it.\n"
	           "calls: the calls the agenda suggests each workday (0-20; 2 until set).\n"
	           "holidays: the team's days off (YYYY-MM-DD, up to 64; they replace the\n"
	           "ones set before; 'none' clears them): no calls are suggested, and no\n"
	           "campaign or intro follow-up falls due, on them.\n"
	           "keep on: no rep device drops the accounts its member lost (they are\n"
	           "dropped by default once a hub or manager holds them). A device can\n"
	           "keep them on its own with 'sync --keep' or 'keep = true' in its config.\n"
	           "Each setting reaches every device at its next sync.",
	.form    = { .read = s_view, .print = s_view_print, .opts = cmd_json_only },
	.subs    = (const struct cmd_form[]){
		{ "currency", .exec = s_currency,
		  .pos = (const struct cmd_arg[]){ { "CODE", .kind = CMD_TEXT }, { 0 } } },
		{ "calls", .exec = s_calls,
		  .pos = (const struct cmd_arg[]){ { "N", .kind = CMD_COUNT, .min = 0, .max = RP_TEAM_CALLS_MAX }, { 0 } } },
		{ "holidays", .exec = s_holidays,
		  .pos = (const struct cmd_arg[]){ { "DATE...", .kind = CMD_TEXT }, { 0 } } },
		{ "keep", .exec = s_keep,
		  .pos = (const struct cmd_arg[]){ { "VALUE", .kind = CMD_TEXT }, { 0 } } },
		{ 0 } },
};
