/* cli/cmd.c — what every command shares: usage errors, option and argument
 * checks, and opening the node with the invocation's clock. Commands stay thin because of it. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "output.h"

void cmd_print_usage(FILE *f, const struct cmd_entry *e, const char *sub)
{
	const char *p = e->usage;
	int first = 1;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t sublen = sub ? strlen(sub) : 0;

		if (!sub || (len >= sublen && strncmp(p, sub, sublen) == 0
		             && (len == sublen || p[sublen] == ' '))) {
			fprintf(f, "%s rapport %s%s%.*s\n", first ? "usage:" : "      ",
			        e->name, len ? " " : "", (int)len, p);
			first = 0;
		}
		p = nl ? nl + 1 : p + len;
	}
	if (first)
		fprintf(f, "usage: rapport %s\n", e->name);
}

static void s_vreport(const struct cmd_entry *e, const char *sub, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "rapport: %s%s%s: ", e->name, sub ? " " : "", sub ? sub : "");
	out_vclean(stderr, fmt, ap);      /* it quotes the user's arguments */
	fputc('\n', stderr);
}

int cmd_usage_error(const struct cmd_entry *e, const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vreport(e, sub, fmt, ap);
	va_end(ap);
	cmd_print_usage(stderr, e, sub);
	return CMD_USAGE;
}

int cmd_bad_value(const struct cmd_entry *e, const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s_vreport(e, sub, fmt, ap);
	va_end(ap);
	return CMD_USAGE;
}

int cmd_getopt(const struct cmd_entry *e, const char *sub, int argc, char **argv,
               const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, ":", longopts, NULL);
	if (c == '?') {
		const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

		if (strncmp(arg, "--", 2) != 0)
			cmd_usage_error(e, sub, "unknown option '-%c'", optopt);
		else if (optopt)
			cmd_usage_error(e, sub, "option '%s' takes no value", arg);
		else
			cmd_usage_error(e, sub, "unknown option '%s'", arg);
		return '?';
	}
	if (c == ':') {
		cmd_usage_error(e, sub, "option '%s' needs a value", argv[optind - 1]);
		return '?';
	}
	return c;
}

int cmd_positional(const struct cmd_entry *e, const char *sub, int n, char **args,
                   const char *names, int optional)
{
	const char *p;
	int total = 0, i;

	for (p = names; *p; ) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		total++;
		while (*p && *p != ' ')
			p++;
	}
	if (n > total)
		return cmd_usage_error(e, sub, "unexpected argument '%s'", args[total]);
	if (n >= total - optional)
		return 0;
	/* Name the first missing argument. */
	for (p = names, i = 0; *p; i++) {
		const char *w;

		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		if (i == n)
			return cmd_usage_error(e, sub, "missing %.*s", (int)(p - w), w);
	}
	return cmd_usage_error(e, sub, "missing argument");
}

int cmd_when(const struct cmd_ctx *ctx, const struct cmd_entry *e, const char *what,
             const char *text, uint64_t *out_ms)
{
	if (rp_when_parse(text, ctx->now_ms, out_ms) == 0)
		return 0;
	return cmd_bad_value(e, NULL, "%s: bad date '%s' (use YYYY-MM-DD, "
	                     "YYYY-MM-DDTHH:MM, today, tomorrow, +3d, +2w)", what, text);
}

int cmd_count(const struct cmd_entry *e, const char *what, const char *text,
              long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return cmd_bad_value(e, NULL, "%s: '%s' is not a number from %ld to %ld",
		                     what, text, min, max);
	*out = (int)v;
	return 0;
}

int cmd_one_of(const char *text, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(text, *words) == 0)
			return 1;
	return 0;
}

char *cmd_join(const char *const *words, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; *words && len < cap; words++) {
		int k = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", *words);

		if (k < 0)
			break;
		len += (size_t)k;
	}
	return buf;
}

int cmd_node_open(const struct cmd_ctx *ctx, rp_node **n)
{
	int rc = rp_node_open(ctx->home, n);

	if (rc < 0) {
		*n = NULL;
		return out_fail_about(rc, ctx->home);
	}
	if (ctx->now_fixed)
		rp_node_set_now(*n, ctx->now_ms);
	if (ctx->keep)
		rp_node_set_keep(*n, 1);
	return CMD_OK;
}

int cmd_write_begin(rp_node *n, rp_write **w)
{
	int rc = rp_write_begin(n, w);

	if (rc < 0) {
		*w = NULL;
		return out_fail(rc);
	}
	return CMD_OK;
}

int cmd_write_end(rp_node **n, rp_write **w, int rc, const char *subject)
{
	int ret = CMD_OK;

	if (rc < 0) {
		ret = out_fail_about(rc, subject);   /* before abort: it clears rp_errmsg */
		rp_write_abort(w);
	} else if ((rc = rp_write_commit(w)) < 0) {
		ret = out_fail(rc);
		rp_write_abort(w);                   /* a no-op when commit released it */
	}
	rp_node_close(n);
	return ret;
}

int cmd_read_fail(rp_node **n, int rc, const char *subject)
{
	int ret = out_fail_about(rc, subject);

	rp_node_close(n);
	return ret;
}

int cmd_json_args(const struct cmd_entry *e, const char *sub, int argc, char **argv,
                  const char *names, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*json = 0;
	while ((c = cmd_getopt(e, sub, argc, argv, opts)) != -1) {
		if (c != 'j')
			return CMD_USAGE;
		*json = 1;
	}
	return cmd_positional(e, sub, argc - optind, argv + optind, names, 0);
}
