/* cli/cmd-contact.c — `rapport contact add|set|list`: the people at an
 * account; add prints the contact's id. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

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

static int s_set(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *field = cmd_str(a, "FIELD"), *value = cmd_str(a, "VALUE");
	char item[2 * RP_NAME_MAX + 64], list[64];
	rp_about ab;
	int rc;

	if (!cmd_one_of(field, rp_contact_fields))
		return cmd_bad_value(a->e, a->sub, "unknown FIELD '%s' (one of %s)", field,
		                     cmd_join(rp_contact_fields, list, sizeof list));
	if (!strcmp(field, "prefer") && *value && !cmd_one_of(value, rp_schema_prefer))
		return cmd_bad_value(a->e, a->sub, "prefer: unknown way '%s' (one of %s)", value,
		                     cmd_join(rp_schema_prefer, list, sizeof list));
	if ((rc = cmd_begin_item(ctx, a, &ab)) != 0)
		return rc;
	/* An empty VALUE clears the field. */
	rc = rp_contact_set(a->w, a->ref, field, *value ? value : NULL);
	return cmd_end_said(a, rc, cmd_str(a, "CONTACT_ID"), "%s %s of %s", *value ? "set" : "cleared",
	                    field, cmd_item(a, &ab, item, sizeof item));
}

static int s_print_list(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("ID", "NAME", "ROLE", "EMAIL", "PHONE", "PREFER", NULL);
	json_t *r;
	size_t i;

	(void)a;
	table_flex(t, 1);
	json_array_foreach(rows, i, r) {
		char id[16];

		table_row(t, out_id_short(out_str(r, "id"), id, sizeof id), out_str_or_dash(r, "name"),
		          out_str_or_dash(r, "role"), out_str_or_dash(r, "email"),
		          out_str_or_dash(r, "phone"), out_str_or_dash(r, "prefer"));
	}
	return table_done(&t, "no contacts yet ('rapport contact add ACCOUNT NAME')");
}

static int s_list(struct cmd_args *a, json_t **rows)
{
	return rp_contact_list(a->n, a->acct, rows);
}

const struct cmd_entry cmd_contact_entry = {
	.name    = "contact",
	.usage   = "add ACCOUNT NAME [--role R] [--email E] [--phone P] [--prefer HOW]\n"
	           "set CONTACT_ID FIELD VALUE\n"
	           "list ACCOUNT [--json]",
	.help    = "the people at an account: add (prints the id), set a field, list",
	.details = "HOW is call, email, visit, sms or none. FIELD is name, role, email,\n"
	           "phone or prefer; an empty VALUE clears it (not the name).\n"
	           "'rapport forget CONTACT_ID' erases a contact's personal data.\n",
	.subs    = (const struct cmd_form[]){
		{ "add", .exec = s_add,
		  .pos  = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT },
			{ "NAME", .kind = CMD_TEXT }, { 0 } },
		  .opts = (const struct cmd_arg[]){
			{ "role", .kind = CMD_TEXT }, { "email", .kind = CMD_TEXT }, { "phone", .kind = CMD_TEXT },
			{ "prefer", .kind = CMD_WORD, .words = rp_schema_prefer,
			  .bad = "--prefer: unknown way '%s' (one of %s)" }, { 0 } } },
		{ "set", .exec = s_set,
		  .pos  = (const struct cmd_arg[]){ { "CONTACT_ID", .kind = CMD_CONTACT },
			{ "FIELD", .kind = CMD_TEXT }, { "VALUE", .kind = CMD_TEXT }, { 0 } },
		  .verbatim = 1 },
		{ "list", .read = s_list, .print = s_print_list,
		  .pos  = (const struct cmd_arg[]){ { "ACCOUNT", .kind = CMD_ACCOUNT }, { 0 } },
		  .opts = cmd_json_only },
		{ 0 } },
};
