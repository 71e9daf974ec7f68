/* cli/cmd-top.c — `rapport top [N]`: the best accounts by lifetime value,
 * recency or frequency of contact. */
#include "cmd.h"
#include "output.h"
#include "table.h"

static const char *const s_by[] = { "value", "recent", "frequency", NULL };

static int cmd_top_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by",   required_argument, NULL, 'b' },
		{ "json", no_argument,       NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_top_entry;
	const char *by = "value";
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	char list[64];
	int c, rc, json = 0, count = 10;
	size_t i;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'b': by = optarg; break;
		case 'j': json = 1; break;
		default:  return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "N", 1)) != 0)
		return rc;
	if (argc - optind == 1 && (rc = cmd_count(e, "N", argv[optind], 1, 100000, &count)) != 0)
		return rc;
	if (!cmd_one_of(by, s_by))
		return cmd_bad_value(e, NULL, "--by: unknown order '%s' (one of %s)", by,
		                     cmd_join(s_by, list, sizeof list));

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_top(n, count, by, &rows)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	t = table_new("#", "NAME", "OWNER", "VALUE", "LAST CONTACT", "INTERACTIONS", "ID", NULL);
	table_right(t, 0);
	table_right(t, 3);
	table_right(t, 5);
	table_flex(t, 1);
	json_array_foreach(rows, i, r) {
		char rank[32], value[256], last[32], nix[32], id[16];

		table_row(t, out_scalar(json_object_get(r, "rank"), rank, sizeof rank),
		          out_str(r, "name"), out_str(r, "owner"),
		          out_amounts(json_object_get(r, "value"), value, sizeof value),
		          out_day(json_object_get(r, "last_contact"), last, sizeof last),
		          out_scalar(json_object_get(r, "interactions"), nix, sizeof nix),
		          out_id_short(out_str(r, "id"), id, sizeof id));
	}
	if (table_rows(t))
		table_print(t, stdout);
	else
		out_note("no accounts yet");
	table_free(&t);
	json_decref(rows);
	return CMD_OK;
}

const struct cmd_entry cmd_top_entry = {
	.name    = "top",
	.usage   = "[N] [--by value|recent|frequency] [--json]",
	.help    = "the top N accounts (default 10) by value, recency or frequency",
	.exec    = cmd_top_exec,
};
