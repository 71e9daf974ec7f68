/* cli/cmd-member.c — `rapport member add|list|revoke`: the team's roster.
 * Adding a device and revoking a member are an admin's ops. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static const char *const s_roles[] = { "admin", "manager", "rep", "hub", NULL };

/* member revoke NAME [--handover-to NAME]: accounts move, devices are cut
 * off; member revoke NAME --device DEVICE_ID: one lost device alone. */
static int s_revoke(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const char *name = cmd_str(a, "NAME"), *to = cmd_str(a, "handover-to");
	const char *device = cmd_str(a, "device");
	uint8_t cut[RP_DEVICE_LEN];
	size_t moved = 0;
	int rc;

	if (device && to)
		return cmd_usage_error(a->e, a->sub, "--device revokes one device: its member keeps its "
		                       "accounts, so --handover-to does not go with it");
	if ((rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = device ? rp_member_revoke_device(a->w, name, device, cut)
	            : rp_member_revoke(a->w, name, to, &moved);
	if ((rc = cmd_end(a, rc, name)) != CMD_OK)
		return rc;
	if (device) {
		char id[RP_DEVICE_TEXT + 1];
		rp_b32_encode(cut, RP_DEVICE_LEN, id, sizeof id);
		printf("revoked %s's device %s: it is cut off; %s and its other devices stay\n",
		       name, id, name);
	} else if (moved)
		printf("revoked %s: its devices are cut off; %zu account%s handed to %s\n",
		       name, moved, moved == 1 ? "" : "s", to);
	else
		printf("revoked %s: its devices are cut off\n", name);
	return CMD_OK;
}

static int s_add(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	uint8_t dev[RP_DEVICE_LEN];
	int rc;

	if ((rc = cmd_device(a, "", cmd_str(a, "DEVICE_ID"), dev)) != 0 || (rc = cmd_begin(ctx, a)) != 0)
		return rc;
	rc = rp_member_add(a->w, cmd_str(a, "NAME"), dev, cmd_str(a, "role"));
	return cmd_end(a, rc, cmd_str(a, "NAME"));
}

static int s_print_list(const struct cmd_args *a, const json_t *members)
{
	struct table *t = table_new("NAME", "ROLE", "DEVICE", "STATUS", NULL);
	json_t *m;
	size_t i;

	(void)a;
	json_array_foreach(members, i, m) {
		json_t *devs = json_object_get(m, "devices"), *d;
		size_t j;

		if (json_array_size(devs) == 0)
			table_row(t, out_str(m, "name"), out_str(m, "role"), "-", "no device");
		json_array_foreach(devs, j, d)
			table_row(t, out_str(m, "name"), out_str(m, "role"), out_str(d, "id"),
			          json_is_true(json_object_get(d, "revoked")) ? "revoked" : "active");
	}
	return table_done(&t, NULL);
}

static int s_read_list(struct cmd_args *a, json_t **rows)
{
	return rp_member_list(a->n, rows);
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
	.subs    = (const struct cmd_form[]){
		{ "add", .exec = s_add,
		  .pos  = (const struct cmd_arg[]){ { "NAME", .kind = CMD_TEXT },
			{ "DEVICE_ID", .kind = CMD_TEXT }, { 0 } },
		  .opts = (const struct cmd_arg[]){ { "role", .kind = CMD_WORD, .words = s_roles,
			.bad = "unknown role '%s' (one of %s)" }, { 0 } } },
		{ "list", .opts = cmd_json_only, .read = s_read_list, .print = s_print_list },
		{ "revoke", .exec = s_revoke,
		  .pos  = (const struct cmd_arg[]){ { "NAME", .kind = CMD_TEXT }, { 0 } },
		  .opts = (const struct cmd_arg[]){ { "handover-to", .kind = CMD_TEXT },
			{ "device", .kind = CMD_TEXT }, { 0 } } },
		{ 0 } },
};
