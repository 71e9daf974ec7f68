/* cli/cmd-contact.c — `rapport contact add ACCOUNT NAME`: a person at an
 * account; prints the contact's id. */
#include "cmd.h"
#include "output.h"

static int s_add(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	uint8_t ref[RP_REF_LEN];
	int rc;

	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = rp_contact_add(a->w, a->acct, cmd_str(a, "NAME"), cmd_str(a, "role"), cmd_str(a, "email"),
	                    cmd_str(a, "phone"), cmd_str(a, "prefer"), ref);
	return cmd_end_id(a, rc, cmd_str(a, "NAME"), ref, sizeof ref);
}

const struct cmd_entry cmd_contact_entry = {
	.name    = "contact",
	.usage   = "add ACCOUNT NAME [--role R] [--email E] [--phone P] [--prefer HOW]",
	.help    = "add a person at an account; prints the contact's id",
	.details = "HOW is call, email, visit, sms or none. 'rapport forget CONTACT_ID'\n"
	           "erases a contact's personal data.\n",
	.subs    = (const struct cmd_form[]){
		{ "add", .exec = s_add,
		  .pos  = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
			{ "NAME", .kind = CMD_TEXT }, { 0 } },
		  .opts = (const struct cmd_arg[]){
			{ "role", .kind = CMD_TEXT }, { "email", .kind = CMD_TEXT }, { "phone", .kind = CMD_TEXT },
			{ "prefer", .kind = CMD_WORD, .words = rp_schema_prefer,
			  .bad = "--prefer: unknown way '%s' (one of %s)" }, { 0 } } },
		{ 0 } },
};
