/* cli/cmd-history.c — `rapport history ACCOUNT`: the signed audit trail of an
 * account, oldest first: who did what, when, from which device. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int cmd_history_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_history_entry;
	uint8_t acct[RP_ACCOUNT_LEN];
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	int rc, json = 0;
	size_t i;

	if ((rc = cmd_json_args(e, NULL, argc, argv, "ACCOUNT", &json)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_account_find(n, argv[optind], acct)) < 0
	    || (rc = rp_history(n, acct, &rows)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	t = table_new("AT", "AUTHOR", "DEVICE", "SEQ", "KIND", "WHAT", "OP", NULL);
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
	table_print(t, stdout);
	table_free(&t);
	json_decref(rows);
	return CMD_OK;
}

const struct cmd_entry cmd_history_entry = {
	.name  = "history",
	.usage = "ACCOUNT [--json]",
	.help  = "the signed audit trail of an account: who did what, when",
	.exec  = cmd_history_exec,
};
