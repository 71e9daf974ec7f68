/* cli/cmd-top.c — `rapport top [N]`: the best accounts by lifetime value,
 * recency or frequency of contact. */
#include <string.h>

#include "cmd.h"
#include "output.h"
#include "table.h"

static const char *const s_by[] = { "value", "recent", "frequency", NULL };

static int s_print(const struct cmd_args *a, const json_t *rows)
{
	struct table *t = table_new("#", "NAME", "OWNER", "VALUE", "LAST CONTACT", "INTERACTIONS", "BUYS", "ID", NULL);
	json_t *r;
	size_t i;

	(void)a;
	table_right(t, 0);
	table_right(t, 3);
	table_right(t, 5);
	table_flex(t, 1);
	json_array_foreach(rows, i, r) {
		char rank[32], value[512], last[32], nix[32], id[16], buys[512], refs[300];
		size_t len;

		out_amounts_first(json_object_get(r, "value"), out_str(r, "currency"), value, sizeof value);
		/* what its referrals are worth, beside its own value */
		if (*out_referrals(json_object_get(r, "referrals"), refs, sizeof refs) &&
		    (len = strlen(value)) < sizeof value)
			snprintf(value + len, sizeof value - len, "; referred %s", refs);
		table_row(t, out_scalar(json_object_get(r, "rank"), rank, sizeof rank),
		          out_str(r, "name"), out_str(r, "owner"), value,
		          out_day(json_object_get(r, "last_contact"), last, sizeof last),
		          out_scalar(json_object_get(r, "interactions"), nix, sizeof nix),
		          out_words(json_object_get(r, "buys"), buys, sizeof buys),
		          out_id_short(out_str(r, "id"), id, sizeof id));
	}
	return table_done(&t, "no accounts yet");
}

static int s_read(struct cmd_args *a, json_t **rows)
{
	return rp_top(a->n, cmd_value(a, "N")->num, cmd_str(a, "by"), rows);
}

const struct cmd_entry cmd_top_entry = {
	.name    = "top",
	.usage   = "[N] [--by value|recent|frequency] [--json]",
	.help    = "the top N accounts (default 100) by value, recency or frequency, with what each buys",
	.form    = { .pos = (const struct cmd_arg[]){ { "N", .kind = CMD_COUNT, .optional = 1, .def = "100",
	                      .min = 1, .max = 100000 }, { 0 } },
	             .opts = (const struct cmd_arg[]){
	                    { "by", .kind = CMD_WORD, .def = "value", .words = s_by,
	                      .bad = "--by: unknown order '%s' (one of %s)" },
	                    { "json", .kind = CMD_FLAG }, { 0 } },
	             .read = s_read, .print = s_print },
};
