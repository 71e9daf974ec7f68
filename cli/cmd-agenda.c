/* cli/cmd-agenda.c — `rapport agenda`: who to call today. Due follow-ups
 * first, then the library's suggested calls; the ranking is node/'s, not ours. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

#define S_CALLS_DEFAULT 5

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

static int cmd_agenda_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'c' },
		{ "json",  no_argument,       NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_agenda_entry;
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	uint64_t now;
	int c, rc, json = 0, calls = S_CALLS_DEFAULT;
	size_t i;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'c':
			if ((rc = cmd_count(e, "--calls", optarg, 0, 1000, &calls)) != 0)
				return rc;
			break;
		case 'j': json = 1; break;
		default:  return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_agenda(n, calls, &rows)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	/* Overdue once the day it was due has ended, as rp_agenda's reasons say. */
	if (rp_when_parse("today", rp_node_now(n), &now) < 0)
		now = rp_node_now(n);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	t = table_new("DUE", "ACCOUNT", "TODO", "REACH", "ID", NULL);
	table_flex(t, 2);
	json_array_foreach(rows, i, r) {
		char due[48], reach[256], id[16], todo[1024];
		const char *kind = out_str_or_dash(r, "kind"), *text = out_str(r, "text");
		const char *reason = out_str(r, "reason");
		json_t *duev = json_object_get(r, "due");
		int fu = json_is_string(json_object_get(r, "id"));

		out_when(duev, due, sizeof due);
		if (fu && out_before(duev, now) && json_is_string(duev)) {
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
	if (table_rows(t))
		table_print(t, stdout);
	else
		out_note("nothing due and no calls to suggest");
	table_free(&t);
	json_decref(rows);
	return CMD_OK;
}

const struct cmd_entry cmd_agenda_entry = {
	.name    = "agenda",
	.usage   = "[--calls N] [--json]",
	.help    = "who to call today: due follow-ups, then suggested calls",
	.details = "Due and overdue follow-ups come first (ID is the follow-up's: 'rapport\n"
	           "done ID'), then up to N (default 5) of the most valuable accounts least\n"
	           "recently contacted (ID is the account's: 'rapport show ID').\n",
	.exec    = cmd_agenda_exec,
};
