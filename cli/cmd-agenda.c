/* cli/cmd-agenda.c — `rapport agenda`: who to call today. Due follow-ups
 * first, then the library's suggested calls; the ranking is node/'s, not ours. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static char *s_reach(const json_t *r, char *buf, size_t cap)
{
	const char *phone = out_str(r, "phone"), *prefer = out_str(r, "prefer");

	if (phone && *phone && prefer && *prefer)
		snprintf(buf, cap, "%s (prefers %s)", phone, prefer);
	else if (phone && *phone)
		snprintf(buf, cap, "%s", phone);
	else if (prefer && *prefer)
		snprintf(buf, cap, "prefers %s", prefer);
	else
		snprintf(buf, cap, "-");
	return buf;
}

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("DUE", "ACCOUNT", "TODO", "REACH", "ID", NULL);
	json_t *r;
	size_t i;

	table_flex(t, 2);
	json_array_foreach(rows, i, r) {
		char due[48], reach[256], id[16], todo[1024];
		const char *kind = out_str_or_dash(r, "kind"), *text = out_str(r, "text");
		const char *reason = out_str(r, "reason");
		json_t *duev = json_object_get(r, "due");
		int fu = json_is_string(json_object_get(r, "id"));

		out_when(duev, due, sizeof due);
		/* Overdue once the day it was due has ended, as rp_agenda's reasons say. */
		if (fu && out_overdue(duev, a->now_ms) && json_is_string(duev)) {
			size_t len = strlen(due);

			snprintf(due + len, sizeof due - len, " overdue");
		}
		if (fu)
			snprintf(todo, sizeof todo, "%s", text && *text ? text : "-");
		else
			snprintf(todo, sizeof todo, "%s%s%s", kind,
			         reason && *reason ? ": " : "", reason ? reason : "");
		table_row(t, fu ? due : "-", out_str(r, "account"), todo, s_reach(r, reach, sizeof reach),
		          fu ? out_id_short(out_str(r, "id"), id, sizeof id)
		             : out_id_short(out_str(r, "account_id"), id, sizeof id));
	}
	return table_done(&t, "nothing due and no calls to suggest");
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	return rp_agenda(a->n, cmd_value(a, "calls")->num, rows);
}

const struct cmd_entry cmd_agenda_entry = {
	.name    = "agenda",
	.usage   = "[--calls N] [--json]",
	.help    = "who to call today: due follow-ups, then suggested calls",
	.details = "Due and overdue follow-ups come first (ID is the follow-up's: 'rapport\n"
	           "done ID'), then up to N (default 5) of the most valuable accounts least\n"
	           "recently contacted (ID is the account's: 'rapport show ID').\n",
	.form    = { .read = s_read, .print = s_print, .opts = (const struct cmd_arg[]){
		{ "calls", .kind = CMD_COUNT, .def = "5", .min = 0, .max = 1000 },
		{ "json", .kind = CMD_FLAG }, { 0 } } },
};
