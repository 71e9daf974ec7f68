/* cli/cmd-find.c — `rapport find TEXT`: accounts, contacts and interactions
 * matching every word. Several arguments are words of one search. */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int cmd_find_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_find_entry;
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	char *text;
	size_t len = 0, i;
	int c, rc, json = 0, k;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		if (c != 'j')
			return CMD_USAGE;
		json = 1;
	}
	if (argc - optind < 1)
		return cmd_usage_error(e, NULL, "missing TEXT");
	for (k = optind; k < argc; k++)
		len += strlen(argv[k]) + 1;
	text = malloc(len + 1);
	if (!text)
		out_oom();
	text[0] = '\0';
	for (k = optind; k < argc; k++) {
		if (k > optind)
			strcat(text, " ");
		strcat(text, argv[k]);
	}

	if ((rc = cmd_node_open(ctx, &n)) != 0) {
		free(text);
		return rc;
	}
	rc = rp_find(n, text, &rows);
	if (rc < 0) {
		rc = cmd_read_fail(&n, rc, text);
		free(text);
		return rc;
	}
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
	} else {
		t = table_new("TYPE", "ACCOUNT", "TEXT", "ID", NULL);
		table_flex(t, 2);
		json_array_foreach(rows, i, r) {
			char id[16];

			table_row(t, out_str(r, "type"), out_str(r, "account"), out_str(r, "text"),
			          out_id_short(out_str(r, "id"), id, sizeof id));
		}
		if (table_rows(t))
			table_print(t, stdout);
		else
			out_note("nothing matches '%s'", text);
		table_free(&t);
		rc = CMD_OK;
	}
	json_decref(rows);
	free(text);
	return rc;
}

const struct cmd_entry cmd_find_entry = {
	.name  = "find",
	.usage = "TEXT [--json]",
	.help  = "find accounts, contacts and interactions matching every word",
	.details = "Several arguments are the words of one search: rapport find acme order.\n",
	.exec  = cmd_find_exec,
};
