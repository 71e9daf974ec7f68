/* cli/cmd-export.c — `rapport export`: every account to stdout as JSONL
 * (one show --json document a line), CSV or vCard 4.0. The formats are node/'s. */
#include "cmd.h"
#include "output.h"

static const char *const s_formats[] = { "jsonl", "csv", "vcard", NULL };

static int cmd_export_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_export_entry;
	const char *format = "jsonl";
	rp_node *n = NULL;
	char list[64];
	int c, rc;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		if (c != 'f')
			return CMD_USAGE;
		format = optarg;
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if (!cmd_one_of(format, s_formats))
		return cmd_bad_value(e, NULL, "--format: unknown format '%s' (one of %s)", format,
		                     cmd_join(s_formats, list, sizeof list));
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_export(n, format, stdout)) < 0)
		return cmd_read_fail(&n, rc, "stdout");
	rp_node_close(&n);
	return CMD_OK;
}

const struct cmd_entry cmd_export_entry = {
	.name    = "export",
	.usage   = "[--format jsonl|csv|vcard]",
	.help    = "write every account to stdout (default JSONL)",
	.details = "jsonl: one 'show --json' document a line, the format 'import' reads back.\n"
	           "csv: one account a row (RFC 4180; cells that a spreadsheet would run as\n"
	           "a formula are neutralised). vcard: vCard 4.0, one card per contact.\n",
	.exec    = cmd_export_exec,
};
