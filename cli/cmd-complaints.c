/* cli/cmd-complaints.c — `rapport complaints [--open]`: complaints across the
 * accounts this device sees, open or resolved. */
#include "cmd.h"
#include "output.h"
#include "table.h"

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("ID", "AT", "ACCOUNT", "STATUS", "TEXT", NULL);
	json_t *r;
	size_t i;

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
	return table_done(&t, cmd_has(a, "open") ? "no open complaints" : "no complaints");
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	return rp_complaints(a->n, cmd_has(a, "open"), rows);
}

const struct cmd_entry cmd_complaints_entry = {
	.name    = "complaints",
	.usage   = "[--open] [--json]",
	.help    = "list complaints (--open: only those not resolved)",
	.details = "Resolve one with 'rapport resolve ID TEXT'.\n",
	.form    = { .read = s_read, .print = s_print, .opts = (const struct cmd_arg[]){
		{ "open", .kind = CMD_FLAG }, { "json", .kind = CMD_FLAG }, { 0 } } },
};
