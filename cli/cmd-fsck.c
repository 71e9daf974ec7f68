/* cli/cmd-fsck.c — `rapport fsck`: re-verify every signature, rebuild the views
 * from the log and compare. Prints a summary; exits 1 when the store is not sound. */
#include "cmd.h"
#include "output.h"

static int cmd_fsck_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	json_t *report = NULL;
	int rc, ok;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	rc = rp_fsck(a->n, &report);
	if (rc < 0 && !report)
		return out_fail_about(rc, ctx->home);
	ok = rc == 0 && json_is_true(json_object_get(report, "ok"));

	if (cmd_has(a, "json")) {
		out_json(report);
	} else {
		long long bad = out_int(report, "bad_sigs"), mism = out_int(report, "mismatched_views");
		long long ops = out_int(report, "ops"), accts = out_int(report, "accounts");
		const json_t *eq = json_object_get(report, "equivocating"), *ev;
		size_t i;

		printf("%lld op%s, %lld account%s: %lld bad signature%s, %lld mismatched view%s: %s\n",
		       ops, ops == 1 ? "" : "s", accts, accts == 1 ? "" : "s",
		       bad, bad == 1 ? "" : "s", mism, mism == 1 ? "" : "s",
		       ok ? "ok" : "NOT OK");
		/* A peer's misbehaviour, recorded with its evidence: not damage here. */
		json_array_foreach(eq, i, ev)
			printf("equivocation: %s's device %s signed two different ops as its seq %lld "
			       "(the first is kept, the other is evidence)\n",
			       out_str_or_dash(ev, "member"), out_str_or_dash(ev, "device"),
			       (long long)json_integer_value(json_object_get(ev, "seq")));
	}
	if (!ok) {
		if (rc < 0)
			out_fail_about(rc, ctx->home);
		else
			out_failf("%s: the store is not sound", ctx->home);
	}
	json_decref(report);
	return ok ? CMD_OK : CMD_FAIL;
}

const struct cmd_entry cmd_fsck_entry = {
	.name  = "fsck",
	.usage = "[--json]",
	.help  = "verify every signature, rebuild and compare the views; exit 1 only for damage, "
	         "not for a peer's recorded misbehaviour (equivocations are listed)",
	.form  = { .opts = cmd_json_only, .exec = cmd_fsck_exec },
};
