/* cli/cmd-forget.c — `rapport forget ACCOUNT|CONTACT_ID`: erase personal data
 * on every node (redact). The ops stay and verify; their bodies are gone for good. */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int cmd_forget_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *what = cmd_str(a, "ACCOUNT|CONTACT_ID");
	int rc, kind = 0, contact = 0;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	/* A contact id first: names never look like one unless they are base32. */
	if (strlen(what) >= 6 && rp_b32_is_prefix(what)) {
		rc = rp_ref_find(a->n, what, RP_REF_CONTACT, a->ref, a->acct, &kind);
		if (rc == 0)
			contact = 1;
		else if (rc != RP_ENOTFOUND)
			return out_fail_about(rc, what);
	}
	if (!contact && (rc = rp_account_find(a->n, what, a->acct)) < 0)
		return out_fail_about(rc, what);
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	if ((rc = cmd_end(a, rp_forget(a->w, a->acct, contact ? a->ref : NULL, cmd_str(a, "reason")),
	                  what)) != CMD_OK)
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
	.form    = { .pos = (const struct cmd_arg[]){ { "ACCOUNT|CONTACT_ID", .kind = CMD_TEXT }, { 0 } },
	             .opts = (const struct cmd_arg[]){ { "reason", .kind = CMD_TEXT }, { 0 } },
	             .exec = cmd_forget_exec },
};
