/* cli/cmd-export.c — `rapport export`: every account to stdout as JSONL
 * (one show --json document a line), CSV or vCard 4.0; or the accounts'
 * interactions or contacts, one a line or row. The formats are node/'s. */
#include <string.h>

#include "cmd.h"
#include "output.h"

static const char *const s_formats[] = { "jsonl", "csv", "vcard", NULL };
static const char *const s_whats[] = { "accounts", "interactions", "contacts", NULL };

static int cmd_export_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "what",   required_argument, NULL, 'w' },
		{ "tag",    required_argument, NULL, 't' },
		{ "bom",    no_argument,       NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_export_entry;
	const char *format = "jsonl";
	rp_export_opts eo = { 0 };
	rp_node *n = NULL;
	char list[64];
	int c, rc;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'w')
			eo.what = optarg;
		else if (c == 't')
			eo.tag = optarg;
		else if (c == 'b')
			eo.bom = 1;
		else
			return CMD_USAGE;
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if (!cmd_one_of(format, s_formats))
		return cmd_bad_value(e, NULL, "--format: unknown format '%s' (one of %s)", format,
		                     cmd_join(s_formats, list, sizeof list));
	if (eo.what && !cmd_one_of(eo.what, s_whats))
		return cmd_bad_value(e, NULL, "--what: unknown '%s' (one of %s)", eo.what,
		                     cmd_join(s_whats, list, sizeof list));
	if (eo.bom && strcmp(format, "csv"))
		return cmd_bad_value(e, NULL, "--bom goes with --format csv");
	if (eo.what && strcmp(eo.what, "accounts") && !strcmp(format, "vcard"))
		return cmd_bad_value(e, NULL, "--what %s goes with --format csv or jsonl (a vCard "
		                     "export is of accounts and their contacts)", eo.what);
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_export(n, format, &eo, stdout)) < 0)
		return cmd_read_fail(&n, rc, "stdout");
	rp_node_close(&n);
	return CMD_OK;
}

const struct cmd_entry cmd_export_entry = {
	.name    = "export",
	.usage   = "[--format jsonl|csv|vcard] [--what accounts|interactions|contacts] [--tag T] [--bom]",
	.help    = "write every account to stdout (default JSONL)",
	.details = "jsonl: one 'show --json' document a line, the format 'import' reads back.\n"
	           "csv: one account a row (RFC 4180; cells that a spreadsheet would run as\n"
	           "a formula are neutralised). vcard: vCard 4.0, one card per contact.\n"
	           "  --what interactions|contacts  one of them a line or row, with its account\n"
	           "                                (an amount's value and currency in two columns)\n"
	           "  --tag T                       only the accounts tagged T\n"
	           "  --bom                         csv: start with a UTF-8 BOM, for Excel\n",
	.exec    = cmd_export_exec,
};
