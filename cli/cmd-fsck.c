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
	if (cmd_has(a, "rebuild")) {
		uint64_t done = 0;
		fprintf(stderr, "rebuilding the views and indexes of %s from the log...\n", ctx->home);
		if ((rc = rp_fsck_rebuild(a->n, &done)) < 0)
			return out_fail_about(rc, ctx->home);
		fprintf(stderr, "rebuilt %llu account%s; checking\n", (unsigned long long)done, done == 1 ? "" : "s");
	}
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

		long long mix = out_int(report, "mismatched_indexes");
		const json_t *pr;
		printf("%lld op%s, %lld account%s: %lld bad signature%s, %lld mismatched view%s%s: %s\n",
		       ops, ops == 1 ? "" : "s", accts, accts == 1 ? "" : "s",
		       bad, bad == 1 ? "" : "s", mism, mism == 1 ? "" : "s",
		       mix ? ", indexes out of step" : "", ok ? "ok" : "NOT OK");
		json_array_foreach(json_object_get(report, "problems"), i, pr)
			if (i < 20)
				out_vclean_line(stdout, "problem: %s", json_string_value(pr));
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
	.usage = "[--rebuild] [--json]",
	.help  = "verify every signature, rebuild and compare the views and indexes; exit 1 only for "
	         "damage, not for a peer's recorded misbehaviour (equivocations are listed)",
	.details = "--rebuild first drops the views and every index (what is derived from the\n"
	           "log) and builds them again from the log, then checks.\n",
	.form  = { .opts = (const struct cmd_arg[]){ { "rebuild", .kind = CMD_FLAG },
	                                             { "json", .kind = CMD_FLAG }, { 0 } },
	           .exec = cmd_fsck_exec },
};
