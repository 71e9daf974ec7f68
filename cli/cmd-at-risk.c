/* cli/cmd-at-risk.c — `rapport at-risk`: accounts whose contact or purchase
 * rhythm dropped, with the reason the node gives. */
#include "cmd.h"
#include "output.h"
#include "table.h"

static int cmd_at_risk_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_at_risk_entry;
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	int rc, json = 0;
	size_t i;

	if ((rc = cmd_json_args(e, NULL, argc, argv, "", &json)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_at_risk(n, &rows)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	t = table_new("NAME", "OWNER", "LAST CONTACT", "REASON", "ID", NULL);
	table_flex(t, 3);
	json_array_foreach(rows, i, r) {
		char last[32], id[16];

		table_row(t, out_str(r, "name"), out_str(r, "owner"),
		          out_day(json_object_get(r, "last_contact"), last, sizeof last),
		          out_str(r, "reason"), out_id_short(out_str(r, "id"), id, sizeof id));
	}
	if (table_rows(t))
		table_print(t, stdout);
	else
		out_note("no account is at risk");
	table_free(&t);
	json_decref(rows);
	return CMD_OK;
}

const struct cmd_entry cmd_at_risk_entry = {
	.name  = "at-risk",
	.usage = "[--json]",
	.help  = "accounts whose contact or purchase rhythm dropped",
	.exec  = cmd_at_risk_exec,
};
