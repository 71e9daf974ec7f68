/* cli/cmd-history.c — `rapport history ACCOUNT`: the signed audit trail of an
 * account, oldest first: who did what, when, from which device. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("AT", "AUTHOR", "DEVICE", "SEQ", "KIND", "WHAT", "OP", NULL);
	json_t *r;
	size_t i;

	(void)a;
	table_right(t, 3);
	table_flex(t, 5);
	json_array_foreach(rows, i, r) {
		char at[48], dev[16], seq[32], op[16];

		out_when(json_object_get(r, "at"), at, sizeof at);
		/* its device's clock was wrong: the date is not to be believed */
		if (json_is_true(json_object_get(r, "future")))
			snprintf(at + strlen(at), sizeof at - strlen(at), " (future!)");
		table_row(t, at, out_str(r, "author"),
		          out_id_short(out_str(r, "author_device"), dev, sizeof dev),
		          out_scalar(json_object_get(r, "seq"), seq, sizeof seq),
		          out_str(r, "kind"), out_str(r, "summary"),
		          out_id_short(out_str(r, "op"), op, sizeof op));
	}
	return table_done(&t, NULL);
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	return rp_history(a->n, a->acct, rows);
}

const struct cmd_entry cmd_history_entry = {
	.name  = "history",
	.usage = "ACCOUNT [--json]",
	.help  = "the signed audit trail of an account: who did what, when",
	.form  = { .pos = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT }, { 0 } },
	           .opts = cmd_json_only, .read = s_read, .print = s_print },
};
