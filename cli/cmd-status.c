/* cli/cmd-status.c — `rapport status`: team, device, member, counts and
 * anything wrong (equivocations, refused or pending ops), as key: value lines or --json. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

/* One value for people; objects other than team are flattened by the caller. */
static char *s_value(const char *key, const json_t *v, char *buf, size_t cap)
{
	if (strcmp(key, "team") == 0 && json_is_object(v)) {
		snprintf(buf, cap, "%s (%s)", out_str_or_dash(v, "name"), out_str_or_dash(v, "id"));
	} else if (strcmp(key, "team") == 0 && json_is_null(v)) {
		snprintf(buf, cap, "none: not in a team yet");
	} else if (json_is_array(v)) {
		if (json_array_size(v) && json_is_string(json_array_get(v, 0)))
			out_words(v, buf, cap);
		else
			snprintf(buf, cap, "%zu", json_array_size(v));
	} else {
		out_scalar(v, buf, cap);
	}
	return buf;
}

static void s_rows(struct table *t, const char *prefix, const json_t *o)
{
	const char *key;
	json_t *v;
	char k[128], buf[1024];

	json_object_foreach((json_t *)o, key, v) {
		snprintf(k, sizeof k, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
		if (json_is_object(v) && strcmp(key, "team") != 0) {
			s_rows(t, k, v);
			continue;
		}
		snprintf(k + strlen(k), sizeof k - strlen(k), ":");
		table_row(t, k, s_value(key, v, buf, sizeof buf));
	}
}

static int cmd_status_exec(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e = &cmd_status_entry;
	json_t *st = NULL;
	struct table *t;
	rp_node *n = NULL;
	int c, rc, json = 0;

	while ((c = cmd_getopt(e, NULL, argc, argv, opts)) != -1) {
		if (c != 'j')
			return CMD_USAGE;
		json = 1;
	}
	if ((rc = cmd_positional(e, NULL, argc - optind, argv + optind, "", 0)) != 0)
		return rc;
	if ((rc = cmd_node_open(ctx, &n)) != 0)
		return rc;
	if ((rc = rp_status(n, &st)) < 0)
		return cmd_read_fail(&n, rc, NULL);
	rp_node_close(&n);
	if (!json_is_object(st)) {
		json_decref(st);
		return out_failf("internal error: the node returned no status");
	}

	if (json) {
		rc = out_json(st);
	} else {
		t = table_new("KEY", "VALUE", NULL);
		table_no_header(t);
		s_rows(t, NULL, st);
		table_print(t, stdout);
		table_free(&t);
		rc = CMD_OK;
	}
	json_decref(st);
	return rc;
}

const struct cmd_entry cmd_status_entry = {
	.name  = "status",
	.usage = "[--json]",
	.help  = "team, device, member, counts, conflicts and refused ops",
	.exec  = cmd_status_exec,
};
