/* cli/cmd-show.c — `rapport show ACCOUNT`: one account as a readable profile
 * (fields, contacts, open follow-ups, interactions newest first) or its --json document. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

#define S_CELL 1024

static void s_heading(const char *title, size_t count, const char *extra)
{
	printf("\n%s%s%s", out_c(OUT_BOLD), title, out_c(OUT_RESET));
	if (extra)
		printf(" (%s)", extra);
	else
		printf(" (%zu)", count);
	fputc('\n', stdout);
}

static void s_profile(const json_t *a, uint64_t now_ms)
{
	struct table *t = table_new("KEY", "VALUE", NULL);
	json_t *fields = json_object_get(a, "fields"), *v, *stats = json_object_get(a, "stats");
	json_t *prev = json_object_get(a, "previous_owners"), *p;
	const char *key;
	char buf[S_CELL], when[32], num[64];
	size_t i;

	table_no_header(t);
	table_flex(t, 1);
	table_indent(t, "  ");
	printf("%s", out_c(OUT_BOLD));
	out_puts_clean(stdout, out_str_or_dash(a, "name"));
	printf("%s\n", out_c(OUT_RESET));

	table_row(t, "id:", out_str(a, "id"));
	table_row(t, "owner:", out_str(a, "owner"));
	if (out_str(a, "handover_note") && *out_str(a, "handover_note"))
		table_row(t, "handover note:", out_str(a, "handover_note"));
	json_array_foreach(prev, i, p) {
		const char *note = out_str(p, "note");

		snprintf(buf, sizeof buf, "%s, until %s%s%s%s", out_str_or_dash(p, "member"),
		         out_when(json_object_get(p, "at"), when, sizeof when),
		         note && *note ? " (\"" : "", note && *note ? note : "",
		         note && *note ? "\")" : "");
		table_row(t, i ? " " : "previously:", buf);   /* " ": a continuation, not "-" */
	}
	if (json_is_true(json_object_get(a, "archived")))
		table_row(t, "archived:", "yes");
	json_object_foreach(fields, key, v) {
		if (!strcmp(key, "referred-by"))
			continue;                      /* by name, below */
		snprintf(buf, sizeof buf, "%s:", key);
		table_row(t, buf, out_scalar(v, num, sizeof num));
	}
	table_row(t, "tags:", out_words(json_object_get(a, "tags"), buf, sizeof buf));
	table_row(t, "value:", out_amounts(json_object_get(a, "value"), buf, sizeof buf));
	if (json_is_object(json_object_get(a, "referred_by")))
		table_row(t, "referred by:", out_str_or_dash(json_object_get(a, "referred_by"), "name"));
	if (out_int(json_object_get(a, "referrals"), "count") > 0)
		table_row(t, "referrals:", out_referrals(json_object_get(a, "referrals"), buf, sizeof buf));
	if (json_array_size(json_object_get(stats, "buys")))
		table_row(t, "buys:", out_words(json_object_get(stats, "buys"), buf, sizeof buf));
	if (stats) {
		char cad[96], n_ix[32], n_buy[32];
		json_t *cadence = json_object_get(stats, "cadence_days");

		out_scalar(json_object_get(stats, "interactions"), n_ix, sizeof n_ix);
		out_scalar(json_object_get(stats, "purchases"), n_buy, sizeof n_buy);
		if (!json_is_number(cadence))
			cad[0] = '\0';
		else if (strcmp(out_scalar(cadence, num, sizeof num), "1") == 0 || strcmp(num, "0") == 0)
			snprintf(cad, sizeof cad, ", about every day");
		else
			snprintf(cad, sizeof cad, ", about every %s days", num);
		snprintf(buf, sizeof buf, "%s interaction%s, %s purchase%s%s", n_ix,
		         strcmp(n_ix, "1") ? "s" : "", n_buy, strcmp(n_buy, "1") ? "s" : "", cad);
		table_row(t, "activity:", buf);
		table_row(t, "last contact:",
		          out_when(json_object_get(stats, "last_contact"), when, sizeof when));
		if (json_is_integer(json_object_get(stats, "contact_every"))) {
			snprintf(buf, sizeof buf, "every %lld days", out_int(stats, "contact_every"));
			table_row(t, "cadence:", buf);
		}
		if (out_int(stats, "open_complaints") > 0) {
			snprintf(buf, sizeof buf, "%lld open", out_int(stats, "open_complaints"));
			table_row(t, "complaints:", buf);
		}
		if (json_is_string(json_object_get(stats, "next_due"))) {
			out_when(json_object_get(stats, "next_due"), when, sizeof when);
			snprintf(buf, sizeof buf, "%s%s", when,
			         out_overdue(json_object_get(stats, "next_due"), now_ms) ? " (overdue)" : "");
			table_row(t, "next due:", buf);
		}
	}
	table_print(t, stdout);
	table_free(&t);
}

static void s_contacts(const json_t *contacts)
{
	struct table *t;
	json_t *c;
	size_t i;

	if (json_array_size(contacts) == 0)
		return;
	s_heading("Contacts", json_array_size(contacts), NULL);
	t = table_new("ID", "NAME", "ROLE", "EMAIL", "PHONE", "PREFER", NULL);
	table_indent(t, "  ");
	json_array_foreach(contacts, i, c) {
		char id[16];

		table_row(t, out_id_short(out_str(c, "id"), id, sizeof id), out_str(c, "name"),
		          out_str(c, "role"), out_str(c, "email"), out_str(c, "phone"),
		          out_str(c, "prefer"));
	}
	table_print(t, stdout);
	table_free(&t);
}

static void s_followups(const json_t *fus, uint64_t now_ms)
{
	struct table *t = table_new("ID", "DUE", "ASSIGNEE", "TEXT", NULL);
	size_t i, open = 0, closed = 0;
	char extra[64];
	json_t *f;

	table_indent(t, "  ");
	table_flex(t, 3);
	json_array_foreach(fus, i, f) {
		char id[16], due[32], text[S_CELL];
		json_t *duev = json_object_get(f, "due");

		if (json_is_true(json_object_get(f, "done"))
		    || json_is_true(json_object_get(f, "cancelled"))) {
			closed++;
			continue;
		}
		open++;
		snprintf(text, sizeof text, "%s%s", out_str_or_dash(f, "text"),
		         out_overdue(duev, now_ms) ? " (overdue)" : "");
		table_row(t, out_id_short(out_str(f, "id"), id, sizeof id),
		          out_when(duev, due, sizeof due), out_str(f, "assignee"), text);
	}
	if (open || closed) {
		if (closed)
			snprintf(extra, sizeof extra, "%zu open, %zu closed", open, closed);
		else
			snprintf(extra, sizeof extra, "%zu open", open);
		s_heading("Follow-ups", 0, extra);
		if (open)
			table_print(t, stdout);
	}
	table_free(&t);
}

static void s_interactions(const json_t *ixs)
{
	struct table *t;
	json_t *x;
	size_t i;

	if (json_array_size(ixs) == 0)
		return;
	s_heading("Interactions", json_array_size(ixs), NULL);
	t = table_new("ID", "AT", "TYPE", "BY", "AMOUNT", "TEXT", NULL);
	table_indent(t, "  ");
	table_right(t, 4);
	table_flex(t, 5);
	json_array_foreach(ixs, i, x) {
		char id[16], at[32], amount[64], text[S_CELL], type[64], by[2 * 200 + 20];
		const char *contact = out_str(x, "contact"), *outcome = out_str(x, "outcome");
		const char *imported = out_str(x, "imported_by");
		const char *ty = out_str_or_dash(x, "type");
		size_t len;

		snprintf(type, sizeof type, "%s", ty);
		len = (size_t)snprintf(text, sizeof text, "%s", out_str_or_dash(x, "text"));
		if (contact && *contact && len < sizeof text)
			len += (size_t)snprintf(text + len, sizeof text - len, " [with %s]", contact);
		if (outcome && *outcome && len < sizeof text)
			len += (size_t)snprintf(text + len, sizeof text - len, " [outcome: %s]", outcome);
		if (json_is_true(json_object_get(x, "retracted")) && len < sizeof text) {
			const json_t *rt = json_object_get(x, "retraction");
			const char *who = out_str(rt, "by"), *why = out_str(rt, "reason");

			len += (size_t)snprintf(text + len, sizeof text - len, " [retracted%s%s%s%s]",
			                        who ? " by " : "", who ? who : "", why ? ": " : "", why ? why : "");
		}
		if (strcmp(ty, "complaint") == 0 && len < sizeof text) {
			const char *res = out_str(x, "resolution");

			if (json_is_true(json_object_get(x, "resolved")))
				snprintf(text + len, sizeof text - len, " [resolved%s%s]",
				         res && *res ? ": " : "", res && *res ? res : "");
			else
				snprintf(text + len, sizeof text - len, " [open]");
		}
		/* imported: who did it, and who brought it here */
		if (imported)
			snprintf(by, sizeof by, "%s, imported by %s", out_str_or_dash(x, "author"), imported);
		else
			snprintf(by, sizeof by, "%s", out_str_or_dash(x, "author"));
		table_row(t, out_id_short(out_str(x, "id"), id, sizeof id),
		          out_when(json_object_get(x, "at"), at, sizeof at), type,
		          by,
		          json_is_object(json_object_get(x, "amount"))
		                  ? out_amount(json_object_get(x, "amount"), amount, sizeof amount) : "",
		          text);
	}
	table_print(t, stdout);
	table_free(&t);
}

static void s_conflicts(const json_t *conflicts)
{
	json_t *c;
	size_t i;

	if (json_array_size(conflicts) == 0)
		return;
	s_heading("Conflicts", json_array_size(conflicts), NULL);
	json_array_foreach(conflicts, i, c) {
		printf("  %s", out_c(OUT_RED));
		out_puts_clean(stdout, out_str_or_dash(c, "kind"));
		printf("%s: ", out_c(OUT_RESET));
		out_puts_clean(stdout, out_str_or_dash(c, "detail"));
		fputc('\n', stdout);
	}
}

static int s_print(const struct cmd_args *a, const json_t *shown)
{
	s_profile(shown, a->now_ms);
	s_contacts(json_object_get(shown, "contacts"));
	s_followups(json_object_get(shown, "followups"), a->now_ms);
	s_interactions(json_object_get(shown, "interactions"));
	s_conflicts(json_object_get(shown, "conflicts"));
	return CMD_OK;
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	return rp_account_show(a->n, a->acct, rows);
}

const struct cmd_entry cmd_show_entry = {
	.name  = "show",
	.usage = "ACCOUNT [--json]",
	.help  = "an account: profile, owner, value, follow-ups, interactions",
	.details = "Tables abbreviate ids to 10 characters; any unique prefix of 6 or more\n"
	           "is accepted back (done, resolve, forget). --json prints them whole.\n",
	.form  = { .pos = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT }, { 0 } },
	           .opts = cmd_json_only, .read = s_read, .print = s_print },
};
