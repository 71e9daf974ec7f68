/* cli/cmd-member.c — `rapport member add|list|revoke`: the team's roster.
 * Adding a device and revoking a member are an admin's ops. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static const char *const s_roles[] = { "admin", "manager", "rep", "hub", NULL };

/* member revoke NAME [--handover-to NAME]: accounts move, devices are cut
 * off; member revoke NAME --device DEVICE_ID: one lost device alone. */
static int s_revoke(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "handover-to", required_argument, NULL, 'h' },
		{ "device", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_member_entry;
	const char *to = NULL, *device = NULL;
	uint8_t cut[RP_DEVICE_LEN];
	rp_node *n = NULL;
	rp_write *w = NULL;
	size_t moved = 0;
	int c, rc;

	while ((c = cmd_getopt(e, "revoke", argc, argv, opts)) != -1) {
		if (c == 'h')
			to = optarg;
		else if (c == 'd')
			device = optarg;
		else
			return CMD_USAGE;
	}
	if ((rc = cmd_positional(e, "revoke", argc - optind, argv + optind, "NAME", 0)) != 0)
		return rc;
	if (device && to)
		return cmd_usage_error(e, "revoke", "--device revokes one device: its member keeps its "
		                       "accounts, so --handover-to does not go with it");
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = device ? rp_member_revoke_device(w, argv[optind], device, cut)
	            : rp_member_revoke(w, argv[optind], to, &moved);
	if ((rc = cmd_write_end(&n, &w, rc, argv[optind])) != CMD_OK)
		return rc;
	if (device) {
		char id[RP_DEVICE_TEXT + 1];
		rp_b32_encode(cut, RP_DEVICE_LEN, id, sizeof id);
		printf("revoked %s's device %s: it is cut off; %s and its other devices stay\n",
		       argv[optind], id, argv[optind]);
	} else if (moved)
		printf("revoked %s: its devices are cut off; %zu account%s handed to %s\n",
		       argv[optind], moved, moved == 1 ? "" : "s", to);
	else
		printf("revoked %s: its devices are cut off\n", argv[optind]);
	return CMD_OK;
}

static int s_add(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_member_entry;
	const char *role = NULL;
	uint8_t dev[RP_DEVICE_LEN];
	char list[64];
	rp_node *n = NULL;
	rp_write *w = NULL;
	int c, rc;

	while ((c = cmd_getopt(e, "add", argc, argv, opts)) != -1) {
		if (c != 'r')
			return CMD_USAGE;
		role = optarg;
	}
	if ((rc = cmd_positional(e, "add", argc - optind, argv + optind, "NAME DEVICE_ID", 0)) != 0)
		return rc;
	if (role && !cmd_one_of(role, s_roles))
		return cmd_bad_value(e, "add", "unknown role '%s' (one of %s)", role,
		                     cmd_join(s_roles, list, sizeof list));
	if (rp_b32_decode(argv[optind + 1], dev, sizeof dev) != 0)
		return cmd_bad_value(e, "add", "'%s' is not a device id "
		                     "(52 base32 characters, as 'rapport id' prints)", argv[optind + 1]);

	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = cmd_write_begin(n, &w)) != 0) {
		rp_node_close(&n);
		return rc;
	}
	rc = rp_member_add(w, argv[optind], dev, role);
	return cmd_write_end(&n, &w, rc, argv[optind]);
}

static int s_list(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_member_entry;
	json_t *members = NULL, *m;
	struct table *t;
	rp_node *n = NULL;
	int rc, json = 0;
	size_t i;

	if ((rc = cmd_json_args(e, "list", argc, argv, "", &json)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_member_list(n, &members)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	rp_node_close(&n);

	if (json) {
		rc = out_jsonl(members);
		json_decref(members);
		return rc;
	}
	t = table_new("NAME", "ROLE", "DEVICE", "STATUS", NULL);
	json_array_foreach(members, i, m) {
		json_t *devs = json_object_get(m, "devices"), *d;
		size_t j;

		if (json_array_size(devs) == 0)
			table_row(t, out_str(m, "name"), out_str(m, "role"), "-", "no device");
		json_array_foreach(devs, j, d)
			table_row(t, out_str(m, "name"), out_str(m, "role"), out_str(d, "id"),
			          json_is_true(json_object_get(d, "revoked")) ? "revoked" : "active");
	}
	table_print(t, stdout);
	table_free(&t);
	json_decref(members);
	return CMD_OK;
}

static int cmd_member_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = &cmd_member_entry;

	if (argc < 2)
		return cmd_usage_error(e, NULL, "missing add, list or revoke");
	optind = 0;
	if (strcmp(argv[1], "add") == 0)
		return s_add(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return s_list(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "revoke") == 0)
		return s_revoke(ctx, argc - 1, argv + 1);
	return cmd_usage_error(e, NULL, "unknown subcommand '%s'", argv[1]);
}

const struct cmd_entry cmd_member_entry = {
	.name    = "member",
	.usage   = "add NAME DEVICE_ID [--role admin|manager|rep|hub]\n"
	           "list [--json]\n"
	           "revoke NAME [--handover-to NAME]\n"
	           "revoke NAME --device DEVICE_ID",
	.help    = "add a member's device to the team, list the roster",
	.details = "add: NAME joins with the given role (default rep) if new, and\n"
	           "DEVICE_ID (from the newcomer's 'rapport id') becomes one of its devices.\n"
	           "Only an admin's device may add members.\n",
	.exec    = cmd_member_exec,
};
