/* cli/cmd-find.c — `rapport find TEXT`: accounts, contacts and interactions
 * matching every word. Several arguments are words of one search. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("TYPE", "ACCOUNT", "TEXT", "ID", NULL);
	char none[2048];
	json_t *r;
	size_t i;

	table_flex(t, 2);
	json_array_foreach(rows, i, r) {
		char id[16];

		table_row(t, out_str(r, "type"), out_str(r, "account"), out_str(r, "text"),
		          out_id_short(out_str(r, "id"), id, sizeof id));
	}
	snprintf(none, sizeof none, "nothing matches '%s'", (const char *)a->data);
	return table_done(&t, none);
}

static int cmd_find_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	json_t *rows = NULL;
	size_t len = 0;
	char *text;
	int rc, k;

	for (k = 0; k < a->npos; k++)
		len += strlen(a->pos[k]) + 1;
	if (!(text = malloc(len + 1)))
		out_oom();
	text[0] = '\0';
	for (k = 0; k < a->npos; k++) {
		if (k)
			strcat(text, " ");
		strcat(text, a->pos[k]);
	}
	a->data = text;
	if ((rc = cmd_open(ctx, a)) == 0) {
		if ((rc = rp_find(a->n, text, &rows)) < 0)
			rc = out_fail_about(rc, text);
		else
			rc = cmd_print(a, rows, s_print);
	}
	free(text);
	return rc;
}

const struct cmd_entry cmd_find_entry = {
	.name  = "find",
	.usage = "TEXT [--json]",
	.help  = "find accounts, contacts and interactions matching every word",
	.details = "Several arguments are the words of one search: rapport find acme order.\n"
	           "Case and accents do not matter: muller, mueller and MÜLLER find Müller, cafe finds Café.\n",
	.form  = { .pos = (const struct cmd_arg[]){ { "TEXT...", .kind = CMD_TEXT }, { 0 } },
	           .opts = cmd_json_only, .exec = cmd_find_exec },
};
