/* cli/cmd-campaign.c — `rapport campaign TEXT (--top N | --tag T)`: one
 * follow-up on each account, a few a workday; `campaign list`: how far
 * each campaign got. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static const char *const s_by[] = { "value", "recent", "frequency", NULL };

static int s_make(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_campaign_spec s = { .text = cmd_str(a, "TEXT"), .tag = cmd_str(a, "tag"), .by = cmd_str(a, "by"),
	                       .top = cmd_has(a, "top") ? cmd_value(a, "top")->num : 0,
	                       .per_day = cmd_has(a, "per-day") ? cmd_value(a, "per-day")->num : 0,
	                       .from_ms = cmd_has(a, "from") ? cmd_value(a, "from")->ms : 0 };
	rp_campaign_made made;
	char first[32], last[32];
	int rc;

	if (cmd_has(a, "top") == cmd_has(a, "tag"))
		return cmd_usage_error(a->e, NULL, "give --top N or --tag T (one of them)");
	if (cmd_has(a, "by") && !cmd_has(a, "top"))
		return cmd_usage_error(a->e, NULL, "--by ranks the --top accounts");
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = rp_campaign(a->w, &s, &made);
	if ((rc = cmd_end(a, rc, s.tag)) != CMD_OK)
		return rc;
	rp_when_local(rp_when_day_ms(made.first_day), first, sizeof first);
	rp_when_local(rp_when_day_ms(made.last_day), last, sizeof last);
	printf("%s\n", made.id);
	out_note("campaign %s: %zu follow-up%s, %d a workday, %s to %s ('rapport campaign list')",
	         made.id, made.followups, made.followups == 1 ? "" : "s",
	         s.per_day ? s.per_day : RP_CAMPAIGN_PER_DAY, first, last);
	return CMD_OK;
}

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("ID", "TEXT", "DONE", "OPEN", "OVERDUE", "TODAY", "FROM", "TO", NULL);
	json_t *r;
	size_t i;

	(void)a;
	table_flex(t, 1);
	for (int c = 2; c <= 5; c++)
		table_right(t, c);
	json_array_foreach(rows, i, r) {
		char done[48], open[32], late[32], today[32], from[32], to[32];

		snprintf(done, sizeof done, "%lld of %lld", out_int(r, "done"), out_int(r, "followups"));
		snprintf(open, sizeof open, "%lld", out_int(r, "open"));
		snprintf(late, sizeof late, "%lld", out_int(r, "overdue"));
		snprintf(today, sizeof today, "%lld", out_int(r, "due_today"));
		table_row(t, out_str(r, "id"), out_str_or_dash(r, "text"), done, open, late, today,
		          out_day(json_object_get(r, "first_due"), from, sizeof from),
		          out_day(json_object_get(r, "last_due"), to, sizeof to));
	}
	return table_done(&t, "no campaigns yet ('rapport campaign TEXT --top 100')");
}

static int s_list(struct cmd_args *a, json_t **rows)
{
	return rp_campaign_list(a->n, rows);
}

const struct cmd_entry cmd_campaign_entry = {
	.name    = "campaign",
	.usage   = "TEXT (--top N [--by value|recent|frequency] | --tag T) [--per-day K] [--from WHEN]\n"
	           "list [--json]",
	.help    = "a follow-up on each of the top N accounts (or a tag's), K a workday",
	.details = "Each account gets a follow-up with TEXT, its owner's, spread K a workday\n"
	           "(default 2) from the next workday or --from: the questions fit into the\n"
	           "agenda. Prints the campaign's id. 'campaign list' shows how far each got.\n"
	           "A campaign whose TEXT is 'list': 'rapport campaign --top 10 -- list'.\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "TEXT", .kind = CMD_TEXT }, { 0 } },
	             .opts = (const struct cmd_arg[]){
	                    { "top", .kind = CMD_COUNT, .min = 1, .max = 100000 },
	                    { "by", .kind = CMD_WORD, .words = s_by, .bad = "--by: unknown '%s' (one of %s)" },
	                    { "tag", .kind = CMD_TEXT },
	                    { "per-day", .kind = CMD_COUNT, .min = 1, .max = 50 },
	                    { "from", .kind = CMD_WHEN }, { 0 } },
	             .hint = "quote TEXT when it has spaces", .exec = s_make },
	.subs    = (const struct cmd_form[]){
		{ "list", .read = s_list, .print = s_print, .opts = cmd_json_only },
		{ 0 } },
};
