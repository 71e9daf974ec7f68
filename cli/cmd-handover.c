/* cli/cmd-handover.c — `rapport handover`: give an account (or all of a
 * member's), with its whole history, to another member; then sync at once
 * so the hub confirms it, or say it is queued. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

/* Try each named peer until one sync succeeds; its name into by. */
static int s_confirm(rp_node *n, char *by, size_t cap)
{
	json_t *peers = NULL, *p;
	size_t i;
	int ok = 0;
	if (rp_peer_list(n, &peers) < 0)
		return 0;
	json_array_foreach(peers, i, p) {
		const char *name = out_str(p, "name");
		if (!name || !*name)
			continue;
		if (rp_sync(n, name, NULL, NULL, NULL, NULL, NULL) == 0) {
			snprintf(by, cap, "%s", name);
			ok = 1;
			break;
		}
	}
	json_decref(peers);
	return ok;
}

static int s_print_plan(const struct cmd_args *a, const json_t *rows)
{
	struct table *t;
	json_t *r;
	size_t i;

	if (json_array_size(rows) == 0) {
		fprintf(stderr, "nothing would move: %s owns no accounts\n",
		        cmd_str(a, "from") ? cmd_str(a, "from") : "?");
		return CMD_OK;
	}
	t = table_new("ACCOUNT", "FROM", "TO", "INTERACTIONS", "OPEN FOLLOW-UPS", "OPS", "SIZE", NULL);
	json_array_foreach(rows, i, r) {
		char ix[32], fu[32], ops[32], size[32];
		snprintf(size, sizeof size, "%.1f KiB",
		         (double)json_integer_value(json_object_get(r, "bytes")) / 1024.0);
		table_row(t, out_str_or_dash(r, "name"), out_str_or_dash(r, "from"), out_str_or_dash(r, "to"),
		          out_scalar(json_object_get(r, "interactions"), ix, sizeof ix),
		          out_scalar(json_object_get(r, "open_followups"), fu, sizeof fu),
		          out_scalar(json_object_get(r, "ops"), ops, sizeof ops), size, NULL);
	}
	table_print(t, stdout);
	table_free(&t);
	printf("dry run: nothing was written\n");
	return CMD_OK;
}

static int cmd_handover_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *to = cmd_str(a, "to"), *from = cmd_str(a, "from"), *acct = cmd_str(a, "ACCOUNT");
	char by[256], label[256];
	json_t *rows = NULL;
	size_t moved = 1;
	int rc;

	if (!to)
		return cmd_usage_error(a->e, NULL, "missing --to MEMBER");
	if (from && a->npos)
		return cmd_usage_error(a->e, NULL, "give an ACCOUNT or --from MEMBER, not both");
	if (!from && a->npos != 1)
		return a->npos ? cmd_usage_error(a->e, NULL, "unexpected argument '%s'", a->pos[1])
		               : cmd_usage_error(a->e, NULL, "missing ACCOUNT");
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if (!from) {
		json_t *shown = NULL;
		if ((rc = rp_account_find(a->n, acct, a->acct)) < 0
		    || (rc = rp_account_show(a->n, a->acct, &shown)) < 0)
			return out_fail_about(rc, acct);
		snprintf(label, sizeof label, "%s", out_str_or_dash(shown, "name"));
		json_decref(shown);
	}
	if (cmd_has(a, "dry-run")) {
		if ((rc = rp_handover_plan(a->n, from ? NULL : a->acct, from, to, &rows)) < 0)
			return out_fail_about(rc, to);
		return cmd_print(a, rows, s_print_plan);
	}
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = from ? rp_handover_from(a->w, from, to, cmd_str(a, "note"), !cmd_has(a, "no-intro"), &moved)
	          : rp_handover(a->w, a->acct, to, cmd_str(a, "note"));
	if (rc == 0 && !from && !cmd_has(a, "no-intro"))
		rc = rp_handover_intro(a->w, a->acct, to);
	if (rc < 0 || (rc = rp_write_commit(&a->w)) < 0)
		return out_fail_about(rc, from ? from : acct);
	if (from && moved == 0) {
		rp_node_close(&a->n);
		fprintf(stderr, "nothing to hand over: %s owns no accounts\n", from);
		return CMD_OK;
	}
	if (from)
		snprintf(label, sizeof label, "%zu account%s of %s", moved, moved == 1 ? "" : "s", from);
	/* The new owner's device gets the history at its next sync with whoever
	 * holds it: confirm now that a hub (or any peer) has the handover. */
	if (!cmd_has(a, "offline") && s_confirm(a->n, by, sizeof by))
		printf("%s → %s: confirmed by %s\n", label, to, by);
	else
		printf("%s → %s: queued: will reach %s at the next sync\n", label, to, to);
	return CMD_OK;
}

const struct cmd_entry cmd_handover_entry = {
	.name  = "handover",
	.usage = "ACCOUNT --to MEMBER [--note TEXT] [--no-intro] [--dry-run] [--offline]\n"
	         "--from MEMBER --to MEMBER [--note TEXT] [--no-intro] [--dry-run] [--offline]",
	.help  = "give an account, with its whole history, to another member",
	.details = "Only the account's owner, a manager or an admin may hand it over.\n"
	           "After writing the handover it syncs with the named peers at once and\n"
	           "says which one confirmed it, or that it is queued (--offline: do not try).\n"
	           "It also gives the new owner a follow-up, \"introduce yourself to\n"
	           "ACCOUNT\", due the next workday (--no-intro: not).\n"
	           "--dry-run shows what would move: interactions, open follow-ups, size.",
	/* The one form's ACCOUNT, or none with --from: the exec counts them. */
	.form  = { .pos = (const struct cmd_arg[]){
	                  { "ACCOUNT...", .kind = CMD_TEXT, .optional = 1 }, { 0 } },
	           .opts = (const struct cmd_arg[]){
	                  { "to", .kind = CMD_TEXT }, { "from", .kind = CMD_TEXT },
	                  { "note", .kind = CMD_TEXT }, { "dry-run", .kind = CMD_FLAG },
	                  { "offline", .kind = CMD_FLAG }, { "no-intro", .kind = CMD_FLAG },
	                  { "json", .kind = CMD_FLAG }, { 0 } },
	           .exec = cmd_handover_exec },
};
