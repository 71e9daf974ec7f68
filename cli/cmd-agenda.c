/* cli/cmd-agenda.c — `rapport agenda`: who to call today, or the plan for the
 * days ahead. The plan and its order are node/'s (crm/agenda); the printing
 * is ours: how to reach each one, and what to type next. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

/* The phone, or the email when the customer prefers email or has no phone. */
static char *s_reach(const json_t *r, char *buf, size_t cap)
{
	const char *phone = out_str(r, "phone"), *email = out_str(r, "email");
	const char *prefer = out_str(r, "prefer");
	const char *how = (prefer && !strcmp(prefer, "email") && email) || !phone ? email : phone;

	if (how && prefer && *prefer)
		snprintf(buf, cap, "%s (prefers %s)", how, prefer);
	else if (how)
		snprintf(buf, cap, "%s", how);
	else if (prefer && *prefer)
		snprintf(buf, cap, "prefers %s", prefer);
	else
		snprintf(buf, cap, "-");
	return buf;
}

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	int days = cmd_value(a, "days")->num > 1;
	struct table *t = days ? table_new("DAY", "ACCOUNT", "TODO", "WHY", "REACH", "ID", NULL)
	                       : table_new("ACCOUNT", "TODO", "WHY", "REACH", "ID", NULL);
	json_t *r;
	size_t i;

	table_flex(t, days ? 3 : 2);
	json_array_foreach(rows, i, r) {
		char reach[256], id[16], day[32], todo[512];
		const char *kind = out_str_or_dash(r, "kind"), *text = out_str(r, "text");
		/* the id to act on: the follow-up's (done), the complaint's (resolve), else the account's */
		const char *act = out_str(r, "id") ? out_str(r, "id") : out_str(r, "account_id");

		snprintf(todo, sizeof todo, "%s%s%s", strcmp(kind, "followup") ? kind : "follow-up",
		         text && *text ? ": " : "", text ? text : "");
		if (days)
			table_row(t, out_day(json_object_get(r, "day"), day, sizeof day), out_str(r, "account"),
			          todo, out_str_or_dash(r, "reason"), s_reach(r, reach, sizeof reach),
			          out_id_short(act, id, sizeof id));
		else
			table_row(t, out_str(r, "account"), todo, out_str_or_dash(r, "reason"),
			          s_reach(r, reach, sizeof reach), out_id_short(act, id, sizeof id));
	}
	return table_done(&t, days ? "nothing planned for these days" : "nothing due and no calls to suggest");
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	rp_agenda_opts o = { .calls = cmd_has(a, "calls") ? cmd_value(a, "calls")->num : -1,
	                     .days = cmd_value(a, "days")->num, .owner = cmd_str(a, "owner") };
	char me[RP_NAME_MAX + 1];
	int rc;

	if (cmd_has(a, "mine")) {
		if ((rc = rp_node_member(a->n, me, sizeof me)) < 0)
			return rc;
		o.owner = me;
	}
	return rp_agenda(a->n, &o, rows);
}

static int s_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	json_t *rows = NULL;
	int rc;

	if (cmd_has(a, "mine") && cmd_has(a, "owner"))
		return cmd_usage_error(a->e, NULL, "--mine and --owner exclude each other");
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = s_read(a, &rows)) < 0)
		return out_fail_about(rc, cmd_str(a, "owner"));
	return cmd_print(a, rows, s_print);
}

const struct cmd_entry cmd_agenda_entry = {
	.name    = "agenda",
	.usage   = "[--calls N] [--days N] [--mine | --owner MEMBER] [--json]",
	.help    = "who to call today: follow-ups, complaints, cadence, a couple of calls",
	.details = "Each day: follow-ups due (overdue ones first; ID: 'rapport done ID'),\n"
	           "open complaints older than 2 days ('rapport resolve ID'), accounts due\n"
	           "by their cadence ('account set ACCOUNT cadence 1w'), then N suggested\n"
	           "calls to the most valuable accounts least recently contacted (N: the\n"
	           "team's, 'rapport team calls', 2 until set). No calls on Saturdays,\n"
	           "Sundays and team holidays, none to an account whose consent is no.\n"
	           "--days plans that many\n"
	           "days from today; --mine or --owner keeps one member's work.\n",
	.form    = { .exec = s_exec, .opts = (const struct cmd_arg[]){
		{ "calls", .kind = CMD_COUNT, .min = 0, .max = 1000 },
		{ "days", .kind = CMD_COUNT, .def = "1", .min = 1, .max = RP_AGENDA_DAYS_MAX },
		{ "mine", .kind = CMD_FLAG }, { "owner", .kind = CMD_TEXT },
		{ "json", .kind = CMD_FLAG }, { 0 } } },
};
