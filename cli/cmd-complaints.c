/* cli/cmd-complaints.c — `rapport complaints [--open]`: complaints across the
 * accounts this device sees, open or resolved. */
#include "cmd.h"
#include "output.h"
#include "table.h"

static int cmd_complaints_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "open", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_complaints_entry;
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	int c, rc, json = 0, open_only = 0;
	size_t i;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 'o': open_only = 1; break;
		case 'j': json = 1; break;
		default:  return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_complaints(n, open_only, &rows)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	t = table_new("ID", "AT", "ACCOUNT", "STATUS", "TEXT", NULL);
	table_flex(t, 4);
	json_array_foreach(rows, i, r) {
		char id[16], at[32], text[1024];
		const char *res = out_str(r, "resolution");
		int resolved = json_is_true(json_object_get(r, "resolved"));

		snprintf(text, sizeof text, "%s%s%s%s", out_str_or_dash(r, "text"),
		         resolved && res && *res ? " [resolved: " : "",
		         resolved && res && *res ? res : "", resolved && res && *res ? "]" : "");
		table_row(t, out_id_short(out_str(r, "id"), id, sizeof id),
		          out_when(json_object_get(r, "at"), at, sizeof at), out_str(r, "account"),
		          resolved ? "resolved" : "open", text);
	}
	if (table_rows(t))
		table_print(t, stdout);
	else
		out_note(open_only ? "no open complaints" : "no complaints");
	table_free(&t);
	json_decref(rows);
	return CMD_OK;
}

const struct cmd_entry cmd_complaints_entry = {
	.name    = "complaints",
	.usage   = "[--open] [--json]",
	.help    = "list complaints (--open: only those not resolved)",
	.details = "Resolve one with 'rapport resolve ID TEXT'.\n",
	.exec    = cmd_complaints_exec,
};
