/* cli/cmd-export.c — `rapport export`: every account to stdout as JSONL
 * (one show --json document a line), CSV or vCard 4.0; or the accounts'
 * interactions or contacts, one a line or row. The formats are node/'s. */
#include <string.h>

#include "cmd.h"
#include "output.h"

static const char *const s_formats[] = { "jsonl", "csv", "vcard", NULL };
static const char *const s_whats[] = { "accounts", "interactions", "contacts", NULL };

static int cmd_export_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *format = cmd_str(a, "format");
	rp_export_opts eo = { .what = cmd_str(a, "what"), .tag = cmd_str(a, "tag"),
	                      .bom = cmd_has(a, "bom") };
	int rc;

	if (eo.bom && strcmp(format, "csv"))
		return cmd_bad_value(a->e, NULL, "--bom goes with --format csv");
	if (eo.what && strcmp(eo.what, "accounts") && !strcmp(format, "vcard"))
		return cmd_bad_value(a->e, NULL, "--what %s goes with --format csv or jsonl (a vCard "
		                     "export is of accounts and their contacts)", eo.what);
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_export(a->n, format, &eo, stdout)) < 0)
		return out_fail_about(rc, "stdout");
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
	.form    = { .exec = cmd_export_exec, .opts = (const struct cmd_arg[]){
		{ "format", .kind = CMD_WORD, .def = "jsonl", .words = s_formats,
		  .bad = "--format: unknown format '%s' (one of %s)" },
		{ "what", .kind = CMD_WORD, .words = s_whats, .bad = "--what: unknown '%s' (one of %s)" },
		{ "tag", .kind = CMD_TEXT }, { "bom", .kind = CMD_FLAG }, { 0 } } },
};
