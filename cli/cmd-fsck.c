/* cli/cmd-fsck.c — `rapport fsck`: re-verify every signature, rebuild the views
 * from the log and compare. Prints a summary; exits 1 when the store is not sound. */
#include "cmd.h"
#include "output.h"

static long long s_count(const json_t *report, const char *key)
{
	json_t *v = json_object_get(report, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static int cmd_fsck_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_fsck_entry;
	json_t *report = NULL;
	rp_node *n = NULL;
	int rc, json = 0, ok;

	if ((rc = cmd_json_args(e, NULL, argc, argv, "", &json)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	rc = rp_fsck(n, &report);
	if (rc < 0 && !report)
		return cmd_read_fail(&n, rc, ctx->home);
	ok = rc == 0 && json_is_true(json_object_get(report, "ok"));

	if (json) {
		out_json(report);
	} else {
		long long bad = s_count(report, "bad_sigs"), mism = s_count(report, "mismatched_views");

		long long ops = s_count(report, "ops"), accts = s_count(report, "accounts");

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
	rp_node_close(&n);
	json_decref(report);
	return ok ? CMD_OK : CMD_FAIL;
}

const struct cmd_entry cmd_fsck_entry = {
	.name  = "fsck",
	.usage = "[--json]",
	.help  = "verify every signature, rebuild and compare the views; exit 1 only for damage, "
	         "not for a peer's recorded misbehaviour (equivocations are listed)",
	.exec  = cmd_fsck_exec,
};
