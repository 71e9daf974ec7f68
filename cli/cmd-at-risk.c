/* cli/cmd-at-risk.c — `rapport at-risk`: accounts whose contact or purchase
 * rhythm dropped, with the reason the node gives. */
#include <stdint.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("NAME", "OWNER", "LAST CONTACT", "REASON", "ID", NULL);
	json_t *r;
	size_t i;

	(void)a;
	table_flex(t, 3);
	json_array_foreach(rows, i, r) {
		char last[32], id[16];

		table_row(t, out_str(r, "name"), out_str(r, "owner"),
		          out_day(json_object_get(r, "last_contact"), last, sizeof last),
		          out_str(r, "reason"), out_id_short(out_str(r, "id"), id, sizeof id));
	}
	return table_done(&t, "no account is at risk");
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	return rp_at_risk(a->n, cmd_has(a, "limit") ? (size_t)cmd_value(a, "limit")->num : SIZE_MAX, rows);
}

const struct cmd_entry cmd_at_risk_entry = {
	.name    = "at-risk",
	.usage   = "[--limit N] [--json]",
	.help    = "accounts whose contact or purchase rhythm dropped",
	.details = "Strongest signal first; --limit N shows the first N only.\n",
	.form    = { .opts = (const struct cmd_arg[]){
	                    { "limit", .kind = CMD_COUNT, .min = 1, .max = 1000000000 },
	                    { "json", .kind = CMD_FLAG }, { 0 } },
	             .read = s_read, .print = s_print },
};
