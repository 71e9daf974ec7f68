/* cli/cmd-digest.c — `rapport digest [ACCOUNT]`: the hash of the merged view,
 * one hex line; two nodes holding the same ops print the same digest. */
#include "cmd.h"
#include "output.h"

static int cmd_digest_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *one = cmd_str(a, "ACCOUNT");
	char hex[65];
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_digest(a->n, one ? a->acct : NULL, hex)) < 0)
		return out_fail_about(rc, one);
	printf("%s\n", hex);
	return CMD_OK;
}

const struct cmd_entry cmd_digest_entry = {
	.name  = "digest",
	.usage = "[ACCOUNT]",
	.help  = "hash of the merged view (of everything, or one account)",
	.form  = { .exec = cmd_digest_exec, .pos = (const struct cmd_arg[]){
		{ "ACCOUNT", .kind = CMD_ACCOUNT, .optional = 1 }, { 0 } } },
};
