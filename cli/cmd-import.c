/* cli/cmd-import.c — `rapport import FILE [--dry-run] [--map COLUMN=FIELD]...
 * [--owner-map NAME=MEMBER]... [--json]`: accounts, interactions and
 * follow-ups from CSV or JSONL; all or nothing. The summary, on stderr,
 * says what each column became and which owners are nobody here. */
#include <string.h>

#include "cmd.h"
#include "output.h"

/* "Company name→name, Phone Number→phone" for the columns whose "to"
 * passes keep (mapped, custom or ignored ones); "" if none. */
static void s_columns(const json_t *report, int (*keep)(const char *to), char *out, size_t cap)
{
	size_t i, o = 0;
	json_t *c;
	*out = 0;
	json_array_foreach(json_object_get(report, "columns"), i, c) {
		const char *col = json_string_value(json_object_get(c, "column"));
		const char *to = json_string_value(json_object_get(c, "to"));
		int n;
		if (!col || !to || !keep(to) || o + 1 >= cap)
			continue;
		if (!strncmp(to, "custom:", 7) || !strcmp(to, "ignored"))
			n = snprintf(out + o, cap - o, "%s%s", o ? ", " : "", col);
		else
			n = snprintf(out + o, cap - o, "%s%s\u2192%s", o ? ", " : "", col, to);
		o = n < 0 || (size_t)n >= cap - o ? cap - 1 : o + (size_t)n;
	}
}

static int s_is_mapped(const char *to) { return strncmp(to, "custom:", 7) && strcmp(to, "ignored"); }
static int s_is_custom(const char *to) { return !strncmp(to, "custom:", 7); }
static int s_is_ignored(const char *to) { return !strcmp(to, "ignored"); }

static int s_summary(const struct cmd_args *a, const json_t *report)
{
	const char *file = cmd_str(a, "FILE");
	long long n = out_int(report, "accounts"), c = out_int(report, "created"),
	          u = out_int(report, "updated"), ix = out_int(report, "interactions"),
	          fu = out_int(report, "followups");
	int dry = json_is_true(json_object_get(report, "dry_run"));
	char cols[2048];
	const char *owner;
	json_t *count;

	/* the first line as it always was: scripts read it */
	out_note("%s %lld account%s, %lld interaction%s, %lld follow-up%s from %s",
	         dry ? "would import" : "imported", n, n == 1 ? "" : "s", ix, ix == 1 ? "" : "s",
	         fu, fu == 1 ? "" : "s", file);
	if (n)
		out_note("accounts: %lld new, %lld updated%s", c, u, dry ? " (dry run: nothing written)" : "");
	if (out_int(report, "contacts"))
		out_note("contacts: %lld %s", out_int(report, "contacts"), dry ? "would be added" : "added");
	else if (dry)
		out_note("dry run: nothing written");
	s_columns(report, s_is_mapped, cols, sizeof cols);
	if (*cols)
		out_note("columns: %s", cols);
	s_columns(report, s_is_custom, cols, sizeof cols);
	if (*cols)
		out_note("kept as custom fields: %s", cols);
	s_columns(report, s_is_ignored, cols, sizeof cols);
	if (*cols)
		out_note("ignored: %s", cols);
	json_object_foreach(json_object_get(report, "owners_unmapped"), owner, count)
		out_note("owner '%s' is not a member (%lld account%s): %s this device's member "
		         "(--owner-map '%s=MEMBER' says who)", owner, (long long)json_integer_value(count),
		         json_integer_value(count) == 1 ? "" : "s", dry ? "they would go to" : "they went to",
		         owner);
	return CMD_OK;
}

/* --map COLUMN=FIELD, --owner-map NAME=MEMBER */
static int s_check_map(const struct cmd_args *a, const struct cmd_arg *arg, const char *value)
{
	const char *eq = strrchr(value, '=');
	int owner = strcmp(arg->name, "owner-map") == 0;

	if (!eq || eq == value || (owner && !eq[1]))
		return cmd_bad_value(a->e, NULL, "--%s '%s': use %s", arg->name, value,
		                     owner ? "NAME=MEMBER" : "COLUMN=FIELD");
	return 0;
}

static int cmd_import_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_value *maps = cmd_value(a, "map"), *owner_maps = cmd_value(a, "owner-map");
	rp_import_opts io = { .maps = maps->list, .nmaps = (size_t)maps->given,
	                      .owner_maps = owner_maps->list, .nowner_maps = (size_t)owner_maps->given,
	                      .dry_run = cmd_has(a, "dry-run") };
	json_t *report = NULL;
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_import(a->n, cmd_str(a, "FILE"), &io, &report)) < 0) {
		json_decref(report);
		return out_fail_about(rc, cmd_str(a, "FILE"));
	}
	return cmd_print(a, report, s_summary);
}

const struct cmd_entry cmd_import_entry = {
	.name    = "import",
	.usage   = "FILE [--dry-run] [--map COLUMN=FIELD]... [--owner-map NAME=MEMBER]... [--json]",
	.help    = "import accounts and their history from a CSV or JSONL file",
	.details = "The format is recognised by content; a CSV's separator (',', ';' or TAB) by its\n"
	           "header. The whole file is checked first: on any error nothing is written and\n"
	           "the message names the line. Columns of HubSpot, Salesforce, Pipedrive and Zoho\n"
	           "exports are recognised; a foreign id column (Record ID, Id, Account ID) becomes\n"
	           "source_id, and importing the file again updates those accounts instead of\n"
	           "adding them twice. Other columns become custom fields; the summary says which.\n"
	           "  --dry-run              check and report, write nothing\n"
	           "  --map COLUMN=FIELD     what a column is: name, owner, tags, source_id, a\n"
	           "                         field (e.g. address.city), or - to ignore it\n"
	           "  --owner-map NAME=MEMBER  the member an owner of the file stands for (an owner\n"
	           "                         that is no member leaves the account with you)\n"
	           "  --json                 the report as JSON on stdout\n",
	.form    = { .pos = (const struct cmd_arg[]){ { "FILE", .kind = CMD_TEXT }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "dry-run", .kind = CMD_FLAG },
	                    { "map", .kind = CMD_LIST, .max = 256, .check = s_check_map,
	                      .bad = "at most %d of --map and of --owner-map" },
	                    { "owner-map", .kind = CMD_LIST, .max = 256, .check = s_check_map,
	                      .bad = "at most %d of --map and of --owner-map" },
	                    { "json", .kind = CMD_FLAG }, { 0 } },
	             .exec = cmd_import_exec },
};
