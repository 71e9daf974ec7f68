/* cli/cmd-account.c — `rapport account add|set|tag|list`: create accounts,
 * set their fields and tags, list them. Each write is one rp_write. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static int s_add(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	static const char *const fields[] = { "email", "phone", "prefer", NULL };
	const struct cmd_value *tags = cmd_value(a, "tag");
	uint8_t acct[RP_ACCOUNT_LEN];
	int rc, i;

	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = rp_account_add(a->w, cmd_str(a, "NAME"), cmd_str(a, "owner"), acct);
	for (i = 0; rc == 0 && fields[i]; i++)
		if (cmd_str(a, fields[i]))
			rc = rp_account_set(a->w, acct, fields[i], cmd_str(a, fields[i]));
	for (i = 0; rc == 0 && i < tags->given; i++)
		rc = rp_account_tag(a->w, acct, tags->list[i], 0);
	return cmd_end_id(a, rc, cmd_str(a, "NAME"), acct, sizeof acct);
}

/* The account's name for a confirmation, its id once the name is erased. */
static const char *s_name(struct cmd_args *a, rp_about *ab)
{
	if (!*ab->account)
		rp_b32_encode(a->acct, RP_ACCOUNT_LEN, ab->account, sizeof ab->account);
	return ab->account;
}

static int s_set(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *field = cmd_str(a, "FIELD"), *value = cmd_str(a, "VALUE");
	char list[64];
	rp_about ab;
	int rc;

	if (!*field)
		return cmd_bad_value(a->e, a->sub, "empty FIELD");
	if (strcmp(field, "prefer") == 0 && *value && !cmd_one_of(value, rp_schema_prefer))
		return cmd_bad_value(a->e, a->sub, "prefer: unknown way '%s' (one of %s)", value,
		                     cmd_join(rp_schema_prefer, list, sizeof list));
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rp_about_item(a->n, a->acct, NULL, &ab);
	/* An empty VALUE clears the field. */
	return cmd_end_said(a, rp_account_set(a->w, a->acct, field, *value ? value : NULL), field,
	                    "%s %s of %s", *value ? "set" : "cleared", field, s_name(a, &ab));
}

static int s_tag(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_value *tags = cmd_value(a, "TAG");
	const char *tag = NULL;
	char all[1024] = "";
	size_t len = 0;
	rp_about ab;
	int rc, i;

	for (i = 0; i < tags->given; i++)
		if (!*tags->list[i])
			return cmd_bad_value(a->e, a->sub, "empty TAG");
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rp_about_item(a->n, a->acct, NULL, &ab);
	for (i = 0; rc == 0 && i < tags->given; i++) {
		rc = rp_account_tag(a->w, a->acct, tag = tags->list[i], cmd_has(a, "remove"));
		if (len < sizeof all)
			len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", i ? " " : "", tag);
	}
	if (rc == RP_ENOTFOUND && !*rp_errmsg())
		return out_failf("account '%s' has no tag '%s'", cmd_str(a, "ACCOUNT"), tag);
	return cmd_end_said(a, rc, tag, cmd_has(a, "remove") ? "untagged %s: %s" : "tagged %s: %s",
	                    s_name(a, &ab), all);
}

static int s_archive(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	int undo = cmd_has(a, "undo"), rc;
	rp_about ab;
	json_t *view = NULL;
	long open = 0;

	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rp_about_item(a->n, a->acct, NULL, &ab);
	if (!undo && rp_account_show(a->n, a->acct, &view) == 0)
		open = (long)out_int(json_object_get(view, "stats"), "open_followups");
	json_decref(view);
	rc = rp_account_archive(a->w, a->acct, !undo);
	if (rc == RP_EEXIST)
		return out_failf("%s is %s", s_name(a, &ab), undo ? "not archived" : "archived already");
	if ((rc = cmd_end_said(a, rc, cmd_str(a, "ACCOUNT"), undo ? "%s is back in lists, the agenda and top"
	                       : "archived %s: out of lists, the agenda and top", s_name(a, &ab))) != CMD_OK)
		return rc;
	if (open)
		out_note("note: its %ld open follow-up%s leave%s the agenda with it ('rapport show' lists them)",
		         open, open == 1 ? "" : "s", open == 1 ? "s" : "");
	return CMD_OK;
}

static int s_print_list(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("ID", "NAME", "OWNER", "TAGS", "VALUE", "LAST CONTACT", "NEXT DUE", NULL);
	json_t *r;
	size_t i;

	table_flex(t, 1);
	json_array_foreach(rows, i, r) {
		char id[16], tags[512], value[256], last[32], due[32], name[512];
		json_t *stats = json_object_get(r, "stats");

		snprintf(name, sizeof name, "%s%s", out_str_or_dash(r, "name"),
		         json_is_true(json_object_get(r, "archived")) ? " (archived)" : "");
		table_row(t, out_id_short(out_str(r, "id"), id, sizeof id), name,
		          out_str(r, "owner"),
		          out_words(json_object_get(r, "tags"), tags, sizeof tags),
		          out_amounts(json_object_get(r, "value"), value, sizeof value),
		          out_day(json_object_get(stats, "last_contact"), last, sizeof last),
		          out_day(json_object_get(stats, "next_due"), due, sizeof due));
	}
	return table_done(&t, cmd_has(a, "archived") ? "no archived accounts" :
	                      cmd_has(a, "mine") || cmd_str(a, "owner") || cmd_str(a, "tag")
	                      ? "no accounts match" : "no accounts yet ('rapport account add NAME')");
}

static int s_list(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	rp_list_filter f = { .owner = cmd_str(a, "owner"), .tag = cmd_str(a, "tag"),
	                     .archived = cmd_has(a, "archived"),
	                     .limit = cmd_has(a, "limit") ? (size_t)cmd_value(a, "limit")->num : 0 };
	const char *owner = f.owner;
	json_t *rows = NULL;
	char me[256];
	int rc;

	if (cmd_has(a, "mine") && owner)
		return cmd_usage_error(a->e, a->sub, "--mine and --owner exclude each other");
	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if (cmd_has(a, "mine")) {
		if ((rc = rp_node_member(a->n, me, sizeof me)) < 0)
			return out_fail(rc);
		f.owner = owner = me;
	}
	if ((rc = rp_account_list(a->n, &f, &rows)) < 0)
		return out_fail_about(rc, owner);
	return cmd_print(a, rows, s_print_list);
}

const struct cmd_entry cmd_account_entry = {
	.name    = "account",
	.usage   = "add NAME [--email E] [--phone P] [--prefer HOW] [--tag T]... [--owner MEMBER]\n"
	           "set ACCOUNT FIELD VALUE\n"
	           "tag ACCOUNT TAG... [--remove]\n"
	           "archive ACCOUNT [--undo]\n"
	           "list [--mine | --owner MEMBER] [--tag T] [--archived] [--limit N] [--json]",
	.help    = "add accounts, set their fields and tags, list them",
	.details = "add prints the new account's id. ACCOUNT is an id, a unique id prefix\n"
	           "(6 or more characters), a name (case-insensitive) or a unique part of one.\n"
	           "FIELD is name, email, phone, address, website, prefer, consent (no:\n"
	           "no suggested calls), cadence (3d, 2w, 1m: how often the customer should\n"
	           "hear from us; then on the agenda), referred-by (the ACCOUNT that\n"
	           "brought it), notes or any custom key; an empty\n"
	           "VALUE clears the field.\n"
	           "HOW is call, email, visit, sms or none.\n"
	           "An archived account leaves lists, the agenda and top, and keeps its\n"
	           "history; list --archived shows those, archive --undo brings one back.\n",
	.subs    = (const struct cmd_form[]){
		{ "add", .exec = s_add,
		  .pos  = (const struct cmd_arg[]){ { "NAME", .kind = CMD_TEXT }, { 0 } },
		  .opts = (const struct cmd_arg[]){
			{ "email", .kind = CMD_TEXT }, { "phone", .kind = CMD_TEXT },
			{ "prefer", .kind = CMD_WORD, .words = rp_schema_prefer,
			  .bad = "--prefer: unknown way '%s' (one of %s)" },
			{ "tag", .kind = CMD_LIST, .max = 64, .bad = "more than %d --tag" },
			{ "owner", .kind = CMD_TEXT }, { 0 } } },
		{ "set", .exec = s_set,
		  .pos  = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
			{ "FIELD", .kind = CMD_TEXT }, { "VALUE", .kind = CMD_TEXT }, { 0 } } },
		{ "tag", .exec = s_tag,
		  .pos  = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
			{ "TAG...", .kind = CMD_TEXT }, { 0 } },
		  .opts = (const struct cmd_arg[]){ { "remove", .kind = CMD_FLAG }, { 0 } } },
		{ "archive", .exec = s_archive,
		  .pos  = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT }, { 0 } },
		  .opts = (const struct cmd_arg[]){ { "undo", .kind = CMD_FLAG }, { 0 } } },
		{ "list", .exec = s_list,
		  .opts = (const struct cmd_arg[]){ { "mine", .kind = CMD_FLAG },
			{ "owner", .kind = CMD_TEXT }, { "tag", .kind = CMD_TEXT },
			{ "archived", .kind = CMD_FLAG },
			{ "limit", .kind = CMD_COUNT, .min = 1, .max = 1000000000 },
			{ "json", .kind = CMD_FLAG }, { 0 } } },
		{ 0 } },
};
