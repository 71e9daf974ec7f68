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

static int s_set(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *field = cmd_str(a, "FIELD"), *value = cmd_str(a, "VALUE");
	char list[64];
	int rc;

	if (!*field)
		return cmd_bad_value(a->e, a->sub, "empty FIELD");
	if (strcmp(field, "prefer") == 0 && *value && !cmd_one_of(value, rp_schema_prefer))
		return cmd_bad_value(a->e, a->sub, "prefer: unknown way '%s' (one of %s)", value,
		                     cmd_join(rp_schema_prefer, list, sizeof list));
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	/* An empty VALUE clears the field. */
	return cmd_end(a, rp_account_set(a->w, a->acct, field, *value ? value : NULL), field);
}

static int s_tag(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_value *tags = cmd_value(a, "TAG");
	const char *tag = NULL;
	int rc, i;

	for (i = 0; i < tags->given; i++)
		if (!*tags->list[i])
			return cmd_bad_value(a->e, a->sub, "empty TAG");
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < tags->given; i++)
		rc = rp_account_tag(a->w, a->acct, tag = tags->list[i], cmd_has(a, "remove"));
	if (rc == RP_ENOTFOUND && !*rp_errmsg())
		return out_failf("account '%s' has no tag '%s'", cmd_str(a, "ACCOUNT"), tag);
	return cmd_end(a, rc, tag);
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
	return table_done(&t, cmd_has(a, "mine") || cmd_str(a, "owner") || cmd_str(a, "tag")
	                      ? "no accounts match" : "no accounts yet ('rapport account add NAME')");
}

static int s_list(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *owner = cmd_str(a, "owner");
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
		owner = me;
	}
	if ((rc = rp_account_list(a->n, owner, cmd_str(a, "tag"), &rows)) < 0)
		return out_fail_about(rc, owner);
	return cmd_print(a, rows, s_print_list);
}

const struct cmd_entry cmd_account_entry = {
	.name    = "account",
	.usage   = "add NAME [--email E] [--phone P] [--prefer HOW] [--tag T]... [--owner MEMBER]\n"
	           "set ACCOUNT FIELD VALUE\n"
	           "tag ACCOUNT TAG... [--remove]\n"
	           "list [--mine | --owner MEMBER] [--tag T] [--json]",
	.help    = "add accounts, set their fields and tags, list them",
	.details = "add prints the new account's id. ACCOUNT is an id, a unique id prefix\n"
	           "(6 or more characters), a name (case-insensitive) or a unique part of one.\n"
	           "FIELD is name, email, phone, address, website, prefer, consent, notes\n"
	           "or any custom key; an empty VALUE clears the field.\n"
	           "HOW is call, email, visit, sms or none.\n",
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
		{ "list", .exec = s_list,
		  .opts = (const struct cmd_arg[]){ { "mine", .kind = CMD_FLAG },
			{ "owner", .kind = CMD_TEXT }, { "tag", .kind = CMD_TEXT },
			{ "json", .kind = CMD_FLAG }, { 0 } } },
		{ 0 } },
};
