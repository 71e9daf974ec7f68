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

static int s_dry_run(const struct cmd_ctx *ctx, const uint8_t *acct, const char *from,
                     const char *to, int json)
{
	rp_node *n = NULL;
	json_t *rows = NULL, *r;
	struct table *t;
	size_t i;
	int rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_handover_plan(n, acct, from, to, &rows)) < 0)
		return cmd_read_fail(&n, rc, to);
	rp_node_close(&n);
	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	if (json_array_size(rows) == 0) {
		fprintf(stderr, "nothing would move: %s owns no accounts\n", from ? from : "?");
		json_decref(rows);
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
	json_decref(rows);
	return CMD_OK;
}

static int cmd_handover_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to",      required_argument, NULL, 't' },
		{ "from",    required_argument, NULL, 'f' },
		{ "note",    required_argument, NULL, 'n' },
		{ "dry-run", no_argument,       NULL, 'd' },
		{ "offline", no_argument,       NULL, 'o' },
		{ "json",    no_argument,       NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_handover_entry;
	const char *to = NULL, *from = NULL, *note = NULL, *what;
	int dry = 0, offline = 0, json = 0, c, rc;
	uint8_t acct[RP_ACCOUNT_LEN];
	char by[256], label[256];
	size_t moved = 1;
	rp_node *n = NULL;
	rp_write *w = NULL;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'f': from = optarg; break;
		case 'n': note = optarg; break;
		case 'd': dry = 1; break;
		case 'o': offline = 1; break;
		case 'j': json = 1; break;
		default: return CMD_USAGE;
		}
	}
	if (!to)
		return cmd_usage_error(e, NULL, "missing --to MEMBER");
	if (from && optind < argc)
		return cmd_usage_error(e, NULL, "give an ACCOUNT or --from MEMBER, not both");
	if (!from && (rc = cmd_positional(e, NULL, argc - optind, argv + optind, "ACCOUNT", 0)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if (!from) {
		json_t *a = NULL;
		if ((rc = rp_account_find(n, argv[optind], acct)) < 0 || (rc = rp_account_show(n, acct, &a)) < 0)
			return cmd_read_fail(&n, rc, argv[optind]);
		snprintf(label, sizeof label, "%s", out_str_or_dash(a, "name"));
		json_decref(a);
	}
	if (dry) {
		rp_node_close(&n);
		return s_dry_run(ctx, from ? NULL : acct, from, to, json);
	}
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = from ? rp_handover_from(w, from, to, note, &moved) : rp_handover(w, acct, to, note);
	if (rc < 0 || (rc = rp_write_commit(&w)) < 0) {
		out_fail_about(rc, from ? from : argv[optind]);
		rp_write_abort(&w);
		rp_node_close(&n);
		return CMD_FAIL;
	}
	if (from && moved == 0) {
		rp_node_close(&n);
		fprintf(stderr, "nothing to hand over: %s owns no accounts\n", from);
		return CMD_OK;
	}
	what = label;
	if (from)
		snprintf(label, sizeof label, "%zu account%s of %s", moved, moved == 1 ? "" : "s", from);
	/* The new owner's device gets the history at its next sync with whoever
	 * holds it: confirm now that a hub (or any peer) has the handover. */
	if (!offline && s_confirm(n, by, sizeof by))
		printf("%s → %s: confirmed by %s\n", what, to, by);
	else
		printf("%s → %s: queued: will reach %s at the next sync\n", what, to, to);
	rp_node_close(&n);
	return CMD_OK;
}

const struct cmd_entry cmd_handover_entry = {
	.name  = "handover",
	.usage = "ACCOUNT --to MEMBER [--note TEXT] [--dry-run] [--offline]\n"
	         "--from MEMBER --to MEMBER [--note TEXT] [--dry-run] [--offline]",
	.help  = "give an account, with its whole history, to another member",
	.details = "Only the account's owner, a manager or an admin may hand it over.\n"
	           "After writing the handover it syncs with the named peers at once and\n"
	           "says which one confirmed it, or that it is queued (--offline: do not try).\n"
	           "--dry-run shows what would move: interactions, open follow-ups, size.",
	.exec  = cmd_handover_exec,
};
