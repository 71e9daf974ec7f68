/* cli/cmd-import.c — `rapport import FILE [--dry-run] [--map COLUMN=FIELD]...
 * [--owner-map NAME=MEMBER]... [--json]`: accounts, interactions and
 * follow-ups from CSV or JSONL; all or nothing. The summary, on stderr,
 * says what each column became and which owners are nobody here. */
#include <string.h>

#include "cmd.h"
#include "output.h"

#define S_MAPS_MAX 256

static long long s_count(const json_t *report, const char *key)
{
	json_t *v = json_object_get(report, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

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

static void s_summary(const json_t *report, const char *file)
{
	long long a = s_count(report, "accounts"), c = s_count(report, "created"),
	          u = s_count(report, "updated"), ix = s_count(report, "interactions"),
	          fu = s_count(report, "followups");
	int dry = json_is_true(json_object_get(report, "dry_run"));
	char cols[2048];
	const char *owner;
	json_t *count;

	/* the first line as it always was: scripts read it */
	out_note("%s %lld account%s, %lld interaction%s, %lld follow-up%s from %s",
	         dry ? "would import" : "imported", a, a == 1 ? "" : "s", ix, ix == 1 ? "" : "s",
	         fu, fu == 1 ? "" : "s", file);
	if (a)
		out_note("accounts: %lld new, %lld updated%s", c, u, dry ? " (dry run: nothing written)" : "");
	if (s_count(report, "contacts"))
		out_note("contacts: %lld %s", s_count(report, "contacts"), dry ? "would be added" : "added");
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
}

static int cmd_import_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run",   no_argument,       NULL, 'n' },
		{ "map",       required_argument, NULL, 'm' },
		{ "owner-map", required_argument, NULL, 'o' },
		{ "json",      no_argument,       NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_import_entry;
	static const char *maps[S_MAPS_MAX], *owner_maps[S_MAPS_MAX];
	rp_import_opts io = { .maps = maps, .owner_maps = owner_maps };
	json_t *report = NULL;
	rp_node *n = NULL;
	const char *file;
	int c, rc, json = 0;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		if (c == 'n') {
			io.dry_run = 1;
		} else if (c == 'j') {
			json = 1;
		} else if (c == 'm' || c == 'o') {
			size_t *k = c == 'm' ? &io.nmaps : &io.nowner_maps;
			const char *eq = strrchr(optarg, '=');
			if (!eq || eq == optarg || (c == 'o' && !eq[1]))
				return cmd_bad_value(e, NULL, "%s '%s': use %s", c == 'm' ? "--map" : "--owner-map",
				                     optarg, c == 'm' ? "COLUMN=FIELD" : "NAME=MEMBER");
			if (*k == S_MAPS_MAX)
				return cmd_bad_value(e, NULL, "at most %d of --map and of --owner-map", S_MAPS_MAX);
			(c == 'm' ? maps : owner_maps)[(*k)++] = optarg;
		} else {
			return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "FILE", 0)) != 0)
		return rc;
	file = argv[optind];
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_import(n, file, &io, &report)) < 0) {
		json_decref(report);
		return cmd_read_fail(&n, rc, file);
	}
	rp_node_close(&n);
	if (json)
		out_json(report);
	else
		s_summary(report, file);
	json_decref(report);
	return CMD_OK;
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
	.exec    = cmd_import_exec,
};
