/* cli/cmd-contact.c — `rapport contact add ACCOUNT NAME`: a person at an
 * account; prints the contact's id. */
#include <string.h>

#include "cmd.h"
#include "output.h"

static int s_add(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role",   required_argument, NULL, 'r' },
		{ "email",  required_argument, NULL, 'e' },
		{ "phone",  required_argument, NULL, 'p' },
		{ "prefer", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_contact_entry;
	const char *role = NULL, *email = NULL, *phone = NULL, *prefer = NULL;
	uint8_t acct[RP_ACCOUNT_LEN], ref[RP_REF_LEN];
	char id[RP_REF_TEXT + 1], list[64];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc;

	while ((c = cmd_getopt(e, "add", argc, argv, opts)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'e': email = optarg; break;
		case 'p': phone = optarg; break;
		case 'P': prefer = optarg; break;
		default:  return CMD_USAGE;
		}
	}
	if ((rc = cmd_positional(e, "add", argc - optind, argv + optind, "ACCOUNT NAME", 0)) != 0)
		return rc;
	if (prefer && !cmd_one_of(prefer, rp_schema_prefer))
		return cmd_bad_value(e, "add", "--prefer: unknown way '%s' (one of %s)", prefer,
		                     cmd_join(rp_schema_prefer, list, sizeof list));

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_account_find(n, argv[optind], acct)) < 0)
		return cmd_read_fail(&n, rc, argv[optind]);
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_contact_add(w, acct, argv[optind + 1], role, email, phone, prefer, ref);
	if ((rc = cmd_write_end(&n, &w, rc, argv[optind + 1])) != 0)
		return rc;
	rp_b32_encode(ref, RP_REF_LEN, id, sizeof id);
	printf("%s\n", id);
	return CMD_OK;
}

static int cmd_contact_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_contact_entry;

	if (argc < 2)
		return cmd_usage_error(e, NULL, "missing add");
	optind = 0;
	if (strcmp(argv[1], "add") == 0)
		return s_add(ctx, argc - 1, argv + 1);
	return cmd_usage_error(e, NULL, "unknown subcommand '%s'", argv[1]);
}

const struct cmd_entry cmd_contact_entry = {
	.name    = "contact",
	.usage   = "add ACCOUNT NAME [--role R] [--email E] [--phone P] [--prefer HOW]",
	.help    = "add a person at an account; prints the contact's id",
	.details = "HOW is call, email, visit, sms or none. 'rapport forget CONTACT_ID'\n"
	           "erases a contact's personal data.\n",
	.exec    = cmd_contact_exec,
};
