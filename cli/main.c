/* cli/main.c — the rapport command: global options, home and clock, and the
 * table that dispatches to one cmd-<verb>.c per command. Nothing here talks to the store. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "output.h"

static int s_help_exec(const struct cmd_ctx *ctx, struct cmd_args *a);

static const struct cmd_entry s_help_entry = {
	.name  = "help",
	.usage = "[COMMAND]",
	.help  = "list the commands, or show one command's usage",
	.form  = { .pos = (const struct cmd_arg[]){ { "COMMAND", .optional = 1 }, { 0 } },
	           .verbatim = 1, .exec = s_help_exec },
};

#define S_ENTRY(verb) &cmd_##verb##_entry,
static const struct cmd_entry *const s_commands[] = { CMD_ALL(S_ENTRY) &s_help_entry };

#define S_NCOMMANDS (sizeof s_commands / sizeof s_commands[0])

static const struct cmd_entry *s_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < S_NCOMMANDS; i++)
		if (strcmp(s_commands[i]->name, name) == 0)
			return s_commands[i];
	return NULL;
}

/* Edit distance with adjacent transpositions ("lgo" is one step from "log"),
 * for "did you mean". Names are short; longer inputs match nothing. */
static size_t s_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]
			    && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

static void s_list_commands(FILE *f)
{
	size_t i;

	fputs("usage: rapport [--home DIR] COMMAND [ARGS]\n"
	      "       rapport --version | --help\n\ncommands:\n", f);
	for (i = 0; i < S_NCOMMANDS; i++)
		fprintf(f, "  %-12s%s\n", s_commands[i]->name, s_commands[i]->help);
	fputs("\nrun 'rapport help COMMAND' for a command's usage; "
	      "'man rapport' for the whole manual.\n", f);
}

static void s_command_help(FILE *f, const struct cmd_entry *e)
{
	cmd_print_usage(f, e, NULL);
	fprintf(f, "\n%s\n", e->help);
	if (e->details)
		fprintf(f, "\n%s", e->details);
}

static int s_help_exec(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_entry *e;

	(void)ctx;
	if (!a->npos) {
		s_list_commands(stdout);
		return CMD_OK;
	}
	if (!(e = s_lookup(a->pos[0])))
		return cmd_bad_value(&s_help_entry, NULL, "no command '%s'", a->pos[0]);
	s_command_help(stdout, e);
	return CMD_OK;
}

static int s_unknown(const char *name)
{
	const struct cmd_entry *best = NULL;
	size_t i, bestd = strlen(name) >= 6 ? 3 : 2;   /* one typo, two in long names */

	fprintf(stderr, "rapport: unknown command '");
	out_puts_clean(stderr, name);
	fprintf(stderr, "'\n");
	for (i = 0; i < S_NCOMMANDS; i++) {
		size_t d = s_distance(name, s_commands[i]->name);

		if (d < bestd) {
			bestd = d;
			best = s_commands[i];
		}
	}
	if (best)
		fprintf(stderr, "hint: did you mean 'rapport %s'?\n", best->name);
	else
		fprintf(stderr, "hint: 'rapport help' lists the commands\n");
	return CMD_USAGE;
}

/* `rapport CMD ... --help|-h` before any "--". */
static int s_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static uint64_t s_real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* $XDG_CONFIG_HOME/rapport/config (else ~/.config/rapport/config), lines of
 * "key = value" and # comments. One key so far: keep = true|false. */
static int s_config_keep(void)
{
	char path[4096], line[512];
	const char *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");
	FILE *f;
	int keep = 0;
	if (x && *x)
		snprintf(path, sizeof path, "%s/rapport/config", x);
	else if (h && *h)
		snprintf(path, sizeof path, "%s/.config/rapport/config", h);
	else
		return 0;
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(line, sizeof line, f)) {
		char key[64], val[64];
		if (sscanf(line, " %63[a-z_] = %63s", key, val) == 2 && !strcmp(key, "keep"))
			keep = !strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1");
	}
	fclose(f);
	return keep;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "home",    required_argument, NULL, 'H' },
		{ "version", no_argument,       NULL, 'V' },
		{ "help",    no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char home_buf[4096];
	struct cmd_ctx ctx = { 0 };
	const struct cmd_entry *e;
	const char *home = NULL, *now;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			home = optarg;
			break;
		case 'V':
			printf("rapport %s\n", RAPPORT_VERSION);
			return fflush(stdout) == 0 ? CMD_OK : CMD_FAIL;
		case 'h':
			s_list_commands(stdout);
			return fflush(stdout) == 0 ? CMD_OK : CMD_FAIL;
		case ':':
			fputs("rapport: option '", stderr);
			out_puts_clean(stderr, argv[optind - 1]);
			fputs("' needs a value\n", stderr);
			fprintf(stderr, "usage: rapport [--home DIR] COMMAND [ARGS]\n");
			return CMD_USAGE;
		default:
			fputs("rapport: unknown option '", stderr);
			out_puts_clean(stderr, argv[optind - 1]);
			fputs("'\n", stderr);
			fprintf(stderr, "hint: 'rapport help' lists the commands and options\n");
			return CMD_USAGE;
		}
	}
	if (optind >= argc) {
		s_list_commands(stderr);
		return CMD_USAGE;
	}
	argc -= optind;
	argv += optind;
	e = s_lookup(argv[0]);
	if (!e)
		return s_unknown(argv[0]);
	if (s_wants_help(argc, argv)) {
		s_command_help(stdout, e);
		return fflush(stdout) == 0 ? CMD_OK : CMD_FAIL;
	}

	if (home && !*home)
		return out_failf("--home: empty directory name");
	if (!home) {
		if (rp_home_default(home_buf, sizeof home_buf) < 0)
			return out_failf("no home directory: set RAPPORT_HOME or XDG_DATA_HOME, "
			                 "or use --home DIR");
		home = home_buf;
	}
	ctx.home = home;
	ctx.now_ms = s_real_now();
	now = getenv("RAPPORT_NOW");
	if (now && *now) {
		uint64_t fixed;

		if (rp_when_parse(now, ctx.now_ms, &fixed) < 0) {
			fprintf(stderr, "rapport: RAPPORT_NOW: bad date '");
			out_puts_clean(stderr, now);
			fprintf(stderr, "' (use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], "
			        "today, +3d, ...)\n");
			return CMD_USAGE;
		}
		ctx.now_ms = fixed;
		ctx.now_fixed = 1;
	}

	ctx.keep = s_config_keep();
	ctx.scan = getenv("RAPPORT_SCAN") && !strcmp(getenv("RAPPORT_SCAN"), "1");
	ret = cmd_run(&ctx, e, argc, argv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (ret == CMD_OK)            /* a command that failed has said why already */
			fprintf(stderr, "rapport: cannot write the output\n");
		return CMD_FAIL;
	}
	return ret;
}
