/* cli/cmd-import.c — `rapport import FILE`: accounts, interactions and
 * follow-ups from CSV or JSONL; all or nothing, with one summary line on stderr. */
#include "cmd.h"
#include "output.h"

static long long s_count(const json_t *report, const char *key)
{
	json_t *v = json_object_get(report, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static int cmd_import_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_import_entry;
	json_t *report = NULL;
	rp_node *n = NULL;
	const char *file;
	long long a, ix, fu;
	int rc;

	if (cmd_getopt(e, NULL, argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "FILE", 0)) != 0)
		return rc;
	file = argv[optind];
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_import(n, file, &report)) < 0) {
		json_decref(report);
		return cmd_read_fail(&n, rc, file);
	}
	rp_node_close(&n);
	a = s_count(report, "accounts");
	ix = s_count(report, "interactions");
	fu = s_count(report, "followups");
	out_note("imported %lld account%s, %lld interaction%s, %lld follow-up%s from %s",
	         a, a == 1 ? "" : "s", ix, ix == 1 ? "" : "s", fu, fu == 1 ? "" : "s", file);
	json_decref(report);
	return CMD_OK;
}

const struct cmd_entry cmd_import_entry = {
	.name    = "import",
	.usage   = "FILE",
	.help    = "import accounts and their history from a CSV or JSONL file",
	.details = "The format is recognised by content. The whole file is checked first:\n"
	           "on any error nothing is written and the message names the line.\n",
	.exec    = cmd_import_exec,
};
