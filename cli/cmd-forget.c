/* cli/cmd-forget.c — `rapport forget ACCOUNT|CONTACT_ID`: erase personal data
 * on every node (redact). The ops stay and verify; their bodies are gone for good. */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int cmd_forget_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_forget_entry;
	const char *reason = NULL, *what;
	uint8_t acct[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc, kind = 0, contact = 0;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		if (c != 'r')
			return CMD_USAGE;
		reason = optarg;
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind,
	                         "ACCOUNT|CONTACT_ID", 0)) != 0)
		return rc;
	what = argv[optind];

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	/* A contact id first: names never look like one unless they are base32. */
	if (strlen(what) >= 6 && rp_b32_is_prefix(what)) {
		rc = rp_ref_find(n, what, RP_REF_CONTACT, ref, acct, &kind);
		if (rc == 0)
			contact = 1;
		else if (rc != RP_ENOTFOUND)
			return cmd_read_fail(&n, rc, what);
	}
	if (!contact && (rc = rp_account_find(n, what, acct)) < 0)
		return cmd_read_fail(&n, rc, what);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_forget(w, acct, contact ? ref : NULL, reason);
	if ((rc = cmd_write_end(&n, &w, rc, what)) != 0)
		return rc;
	out_note("forgot %s '%s' here; every other node erases it at its next sync",
	         contact ? "contact" : "account", what);
	return CMD_OK;
}

const struct cmd_entry cmd_forget_entry = {
	.name    = "forget",
	.usage   = "ACCOUNT|CONTACT_ID [--reason R]",
	.help    = "erase an account's or a contact's personal data on every node",
	.details = "For a customer's right to be forgotten: the bodies of the ops are erased\n"
	           "everywhere (redacted) while the signed log still verifies. This cannot\n"
	           "be undone.\n",
	.exec    = cmd_forget_exec,
};
