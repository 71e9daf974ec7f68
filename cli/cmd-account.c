/* cli/cmd-account.c — `rapport account add|set|tag|list`: create accounts,
 * set their fields and tags, list them. Each write is one rp_write. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

#define S_TAGS_MAX 64

/* what names the value in the message: "--prefer" or the field "prefer". */
static int s_check_prefer(const char *sub, const char *what, const char *how)
{
	char list[64];

	if (!how || cmd_one_of(how, rp_schema_prefer))
		return 0;
	return cmd_bad_value(&cmd_account_entry, sub, "%s: unknown way '%s' (one of %s)",
	                     what, how, cmd_join(rp_schema_prefer, list, sizeof list));
}

static int s_add(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email",  required_argument, NULL, 'e' },
		{ "phone",  required_argument, NULL, 'p' },
		{ "prefer", required_argument, NULL, 'P' },
		{ "tag",    required_argument, NULL, 't' },
		{ "owner",  required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_account_entry;
	const char *email = NULL, *phone = NULL, *prefer = NULL, *owner = NULL;
	const char *tags[S_TAGS_MAX];
	uint8_t acct[RP_ACCOUNT_LEN];
	char id[RP_ACCOUNT_TEXT + 1];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc, ntags = 0, i;

	while ((c = cmd_getopt(e, "add", argc, argv, opts)) != -1) {
		switch (c) {
		case 'e': email = optarg; break;
		case 'p': phone = optarg; break;
		case 'P': prefer = optarg; break;
		case 'o': owner = optarg; break;
		case 't':
			if (ntags == S_TAGS_MAX)
				return cmd_bad_value(e, "add", "more than %d --tag", S_TAGS_MAX);
			tags[ntags++] = optarg;
			break;
		default:  return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, "add", argc - optind, argv + optind, "NAME", 0)) != 0)
		return rc;
	if ((rc = s_check_prefer("add", "--prefer", prefer)) != 0)
		return rc;

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_account_add(w, argv[optind], owner, acct);
	if (rc == 0 && email)
		rc = rp_account_set(w, acct, "email", email);
	if (rc == 0 && phone)
		rc = rp_account_set(w, acct, "phone", phone);
	if (rc == 0 && prefer)
		rc = rp_account_set(w, acct, "prefer", prefer);
	for (i = 0; rc == 0 && i < ntags; i++)
		rc = rp_account_tag(w, acct, tags[i], 0);
	if ((rc = cmd_write_end(&n, &w, rc, argv[optind])) != 0)
		return rc;
	rp_b32_encode(acct, RP_ACCOUNT_LEN, id, sizeof id);
	printf("%s\n", id);
	return CMD_OK;
}

static int s_set(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct cmd_entry *e = &cmd_account_entry;
	const char *field, *value;
	uint8_t acct[RP_ACCOUNT_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int rc;

	if (cmd_getopt(e, "set", argc, argv, opts) != -1)
		return CMD_USAGE;
	if ((rc = cmd_positional(e, "set", argc - optind, argv + optind,
	                         "ACCOUNT FIELD VALUE", 0)) != 0)
		return rc;
	field = argv[optind + 1];
	value = argv[optind + 2];
	if (!*field)
		return cmd_bad_value(e, "set", "empty FIELD");
	if (strcmp(field, "prefer") == 0 && *value
	    && (rc = s_check_prefer("set", "prefer", value)) != 0)
		return rc;

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_account_find(n, argv[optind], acct)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	/* An empty VALUE clears the field. */
	rc = rp_account_set(w, acct, field, *value ? value : NULL);
	return cmd_write_end(&n, &w, rc, field);
}

static int s_tag(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "remove", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_account_entry;
	uint8_t acct[RP_ACCOUNT_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc, remove = 0, i;
	const char *tag = NULL;

	while ((c = cmd_getopt(e, "tag", argc, argv, opts)) != -1) {
		if (c != 'r')
			return CMD_USAGE;
		remove = 1;
	}
	if (argc - optind < 2)
		return cmd_positional(e, "tag", argc - optind, argv + optind, "ACCOUNT TAG", 0);
	for (i = optind + 1; i < argc; i++)
		if (!*argv[i])
			return cmd_bad_value(e, "tag", "empty TAG");

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_account_find(n, argv[optind], acct)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	for (i = optind + 1, rc = 0; rc == 0 && i < argc; i++) {
		tag = argv[i];
		rc = rp_account_tag(w, acct, tag, remove);
	}
	if (rc == RP_ENOTFOUND && !*rp_errmsg()) {
		out_failf("account '%s' has no tag '%s'", argv[optind], tag);
		rp_write_abort(&w);
		rp_node_close(&n);
		return CMD_FAIL;
	}
	return cmd_write_end(&n, &w, rc, tag);
}

static int s_list(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mine",  no_argument,       NULL, 'm' },
		{ "owner", required_argument, NULL, 'o' },
		{ "tag",   required_argument, NULL, 't' },
		{ "json",  no_argument,       NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_account_entry;
	const char *owner = NULL, *tag = NULL;
	char me[256];
	json_t *rows = NULL, *r;
	struct table *t;
	rp_node *n = NULL;
	int c, rc, mine = 0, json = 0;
	size_t i;

	while ((c = cmd_getopt(e, "list", argc, argv, opts)) != -1) {
		switch (c) {
		case 'm': mine = 1; break;
		case 'o': owner = optarg; break;
		case 't': tag = optarg; break;
		case 'j': json = 1; break;
		default:  return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, "list", argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if (mine && owner)
		return cmd_usage_error(e, "list", "--mine and --owner exclude each other");

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if (mine) {
		if ((rc = rp_node_member(n, me, sizeof me)) < 0)
			return cmd_read_fail(&n, rc, NULL);
		owner = me;
	}
	if ((rc = rp_account_list(n, owner, tag, &rows)) < 0)
		return cmd_read_fail(&n, rc, owner);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(rows);
		json_decref(rows);
		return rc;
	}
	t = table_new("ID", "NAME", "OWNER", "TAGS", "VALUE", "LAST CONTACT", "NEXT DUE", NULL);
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
	if (table_rows(t))
		table_print(t, stdout);
	else
		out_note("no accounts%s", owner || tag ? " match" : " yet ('rapport account add NAME')");
	table_free(&t);
	json_decref(rows);
	return CMD_OK;
}

static int cmd_account_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_account_entry;

	if (argc < 2)
		return cmd_usage_error(e, NULL, "missing add, set, tag or list");
	optind = 0;
	if (strcmp(argv[1], "add") == 0)
		return s_add(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "set") == 0)
		return s_set(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "tag") == 0)
		return s_tag(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return s_list(ctx, argc - 1, argv + 1);
	return cmd_usage_error(e, NULL, "unknown subcommand '%s'", argv[1]);
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
	.exec    = cmd_account_exec,
};
