/* cli/cmd.c — what every command shares: its declared arguments parsed in one
 * place (usage errors, values checked), and the node opened, its ids resolved and
 * its write ended with the invocation's clock. Commands stay thin because of it. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int cmd_device(const struct cmd_args *a, const char *what, const char *text,
               uint8_t dev[RP_DEVICE_LEN])
{
	if (rp_b32_decode(text, dev, RP_DEVICE_LEN) == 0)
		return 0;
	return cmd_bad_value(a->e, a->sub, "%s'%s' is not a device id "
	                     "(52 base32 characters, as 'rapport id' prints)", what, text);
}

/* ---- parsing -------------------------------------------------------------- */

const struct cmd_arg cmd_json_only[] = { { "json", .kind = CMD_FLAG }, { 0 } };

static size_t s_count(const struct cmd_arg *args)
{
	size_t n = 0;

	while (args && args[n].name)
		n++;
	return n;
}

/* "TAG..." takes every word left. */
static int s_rest(const struct cmd_arg *arg)
{
	size_t len = strlen(arg->name);

	return len > 3 && strcmp(arg->name + len - 3, "...") == 0;
}

const struct cmd_value *cmd_value(const struct cmd_args *a, const char *name)
{
	const struct cmd_form *f = a->form;
	size_t i, len = strlen(name);

	for (i = 0; f->pos && f->pos[i].name; i++)
		if (strncmp(f->pos[i].name, name, len) == 0
		    && (!f->pos[i].name[len] || strcmp(f->pos[i].name + len, "...") == 0))
			return &a->posv[i];
	for (i = 0; f->opts && f->opts[i].name; i++)
		if (strcmp(f->opts[i].name, name) == 0)
			return &a->optv[i];
	assert(!"cmd_value: an argument the form does not declare");
	return NULL;
}

const char *cmd_str(const struct cmd_args *a, const char *name)
{
	return cmd_value(a, name)->text;
}

int cmd_has(const struct cmd_args *a, const char *name)
{
	return cmd_value(a, name)->given > 0;
}

/* Check and convert one value (given, or the default); what names it in
 * the message ("--at", "N"). */
static int s_check(const struct cmd_ctx *ctx, const struct cmd_args *a, const struct cmd_arg *arg,
                   const char *what, struct cmd_value *v)
{
	const char *t = v->text;
	char list[256], *end;
	long num;

	switch (arg->kind) {
	case CMD_WORD:
		if (!cmd_one_of(t, arg->words))
			return cmd_bad_value(a->e, a->sub, arg->bad, t, cmd_join(arg->words, list, sizeof list));
		return 0;
	case CMD_WHEN:
		if (rp_when_parse_kind(t, ctx->now_ms, &v->ms, &v->when_kind) == 0)
			return 0;
		return cmd_bad_value(a->e, a->sub, "%s: bad date '%s' (use YYYY-MM-DD, "
		                     "YYYY-MM-DDTHH:MM, today, tomorrow, +3d, +2w)", what, t);
	case CMD_AMOUNT:
		/* The form only: its currency's decimals are the node's to check. */
		if (rp_amount_parse(t, RP_MINOR_MAX, &v->cents) == 0)
			return 0;
		return cmd_bad_value(a->e, a->sub, "%s: bad amount '%s' (e.g. 12.50 or 1,234.50)", what, t);
	case CMD_COUNT:
		errno = 0;
		num = strtol(t, &end, 10);
		if (errno || end == t || *end || num < arg->min || num > arg->max)
			return cmd_bad_value(a->e, a->sub, "%s: '%s' is not a number from %ld to %ld",
			                     what, t, (long)arg->min, (long)arg->max);
		v->num = (int)num;
		return 0;
	default:
		return 0;
	}
}

/* getopt_long over the form's options (no short options: -h/--help is
 * main's). An unknown option or a missing value is reported as a usage error. */
static int s_options(const struct cmd_ctx *ctx, struct cmd_args *a, int argc, char **argv)
{
	const struct cmd_arg *opts = a->form->opts, *arg;
	struct option longopts[CMD_ARGS_MAX + 1] = { { NULL, 0, NULL, 0 } };
	size_t i, n = s_count(opts);
	char what[64];
	int c, rc;

	assert(n <= CMD_ARGS_MAX);
	for (i = 0; i < n; i++) {
		longopts[i].name = opts[i].name;
		longopts[i].has_arg = opts[i].kind == CMD_FLAG ? no_argument : required_argument;
		longopts[i].val = 256 + (int)i;
		a->optv[i].text = opts[i].def;
	}
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
		struct cmd_value *v;

		if (c == '?' && strncmp(word, "--", 2) != 0)
			return cmd_usage_error(a->e, a->sub, "unknown option '-%c'", optopt);
		if (c == '?' && optopt)
			return cmd_usage_error(a->e, a->sub, "option '%s' takes no value", word);
		if (c == '?')
			return cmd_usage_error(a->e, a->sub, "unknown option '%s'", word);
		if (c == ':')
			return cmd_usage_error(a->e, a->sub, "option '%s' needs a value", word);
		arg = &opts[c - 256];
		v = &a->optv[c - 256];
		v->text = optarg;
		snprintf(what, sizeof what, "--%s", arg->name);
		if ((arg->check && (rc = arg->check(a, arg, optarg)) != 0)
		    || (arg->kind == CMD_COUNT && (rc = s_check(ctx, a, arg, what, v)) != 0))
			return rc;
		if (arg->kind == CMD_LIST) {
			if (v->given == arg->max)
				return cmd_bad_value(a->e, a->sub, arg->bad, arg->max);
			if (!v->list && !(v->list = calloc((size_t)argc, sizeof *v->list)))
				out_oom();
			v->list[v->given] = optarg;
		}
		v->given++;
	}
	return 0;
}

/* All but the optional positionals given, none beyond the last. */
static int s_positionals(struct cmd_args *a)
{
	const struct cmd_arg *pos = a->form->pos;
	size_t n = s_count(pos), i;
	int rest = n && s_rest(&pos[n - 1]);

	assert(n <= CMD_ARGS_MAX);
	if (!rest && (size_t)a->npos > n) {
		cmd_usage_error(a->e, a->sub, "unexpected argument '%s'", a->pos[n]);
		if (a->form->hint)
			out_hint("%s", a->form->hint);
		return CMD_USAGE;
	}
	for (i = 0; i < n; i++) {
		struct cmd_value *v = &a->posv[i];

		if ((size_t)a->npos <= i) {
			v->text = pos[i].def;
			if (!pos[i].optional)
				return cmd_usage_error(a->e, a->sub, "missing %.*s",
				                       (int)strlen(pos[i].name) - (s_rest(&pos[i]) ? 3 : 0),
				                       pos[i].name);
			continue;
		}
		v->text = a->pos[i];
		v->given = 1;
		if (s_rest(&pos[i])) {
			v->list = (const char **)&a->pos[i];
			v->given = a->npos - (int)i;
		}
	}
	return 0;
}

static int s_parse(const struct cmd_ctx *ctx, struct cmd_args *a, int argc, char **argv)
{
	const struct cmd_form *f = a->form;
	char what[64];
	size_t i;
	int rc;

	if (!f->verbatim && (rc = s_options(ctx, a, argc, argv)) != 0)
		return rc;
	a->pos = argv + (f->verbatim ? 1 : optind);
	a->npos = argc - (f->verbatim ? 1 : optind);
	if ((rc = s_positionals(a)) != 0)
		return rc;
	for (i = 0; f->pos && f->pos[i].name; i++)
		if (a->posv[i].text && (rc = s_check(ctx, a, &f->pos[i], f->pos[i].name, &a->posv[i])) != 0)
			return rc;
	for (i = 0; f->opts && f->opts[i].name; i++) {
		if (!a->optv[i].text || (f->opts[i].kind == CMD_COUNT && a->optv[i].given))
			continue;                 /* absent, or a count checked as it was read */
		snprintf(what, sizeof what, "--%s", f->opts[i].name);
		if ((rc = s_check(ctx, a, &f->opts[i], what, &a->optv[i])) != 0)
			return rc;
	}
	return 0;
}

/* A form with .read: open, read, print. A failed read names the ACCOUNT it was about. */
static int s_read(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_arg *pos = a->form->pos;
	json_t *doc = NULL;
	int rc;

	if ((rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = a->form->read(a, &doc)) < 0) {
		json_decref(doc);
		return out_fail_about(rc, pos && pos[0].kind == CMD_ACCOUNT ? a->posv[0].text : NULL);
	}
	return cmd_print(a, doc, a->form->print);
}

/* "add, set, tag or list" */
static char *s_subs(const struct cmd_form *subs, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; subs->sub && len < cap; subs++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s",
		                        len == 0 ? "" : subs[1].sub ? ", " : " or ", subs->sub);
	return buf;
}

int cmd_run(const struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv)
{
	struct cmd_args a = { .e = e, .form = &e->form };
	char subs[128];
	size_t i;
	int rc;

	if (e->subs) {
		int plain = e->form.exec || e->form.read;     /* the command also stands alone */
		if (argc < 2 && !plain)
			return cmd_usage_error(e, NULL, "missing %s", s_subs(e->subs, subs, sizeof subs));
		for (a.form = e->subs; argc >= 2 && a.form->sub && strcmp(a.form->sub, argv[1]) != 0; a.form++)
			;
		if (argc >= 2 && a.form->sub) {
			a.sub = a.form->sub;
			argc--;
			argv++;
		} else if (plain) {
			a.form = &e->form;
		} else {
			return cmd_usage_error(e, NULL, "unknown subcommand '%s'", argv[1]);
		}
	}
	if ((rc = s_parse(ctx, &a, argc, argv)) == 0)
		rc = a.form->exec ? a.form->exec(ctx, &a) : s_read(ctx, &a);
	rp_write_abort(&a.w);
	rp_node_close(&a.n);
	for (i = 0; i < CMD_ARGS_MAX; i++)
		free(a.optv[i].list);             /* a CMD_LIST's; the others are NULL */
	return rc;
}

/* ---- the node ------------------------------------------------------------- */

/* Opening a store an older rapport wrote rebuilds its views and indexes: a
 * progress line on a terminal while it runs, and a line saying it did. */
struct s_opening {
	int      upgrade;
	uint64_t total;
	double   t0;
};

static double s_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void s_on_open(void *arg, int upgrade, uint64_t done, uint64_t total)
{
	struct s_opening *o = arg;
	if (done == 0)
		o->t0 = s_seconds();
	o->upgrade = upgrade;
	o->total = total;
	out_progress(0, "%s: %llu of %llu accounts (%d%%)",
	             upgrade ? "upgrading the store: rebuilding views and indexes" : "rebuilding views",
	             (unsigned long long)done, (unsigned long long)total,
	             total ? (int)(100 * done / total) : 100);
}

int cmd_open(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_arg *pos = a->form->pos;
	struct s_opening opening = { 0, 0, 0 };
	size_t i;
	int rc, kind;

	rc = rp_node_open_progress(ctx->home, s_on_open, &opening, &a->n);
	out_progress_end();
	if (rc < 0) {
		a->n = NULL;
		return out_fail_about(rc, ctx->home);
	}
	if (opening.upgrade && opening.total)
		out_note("upgraded the store in %s (written by an older rapport): rebuilt the views and "
		         "indexes of %llu accounts in %.1f s", ctx->home, (unsigned long long)opening.total,
		         s_seconds() - opening.t0);
	if (ctx->now_fixed)
		rp_node_set_now(a->n, ctx->now_ms);
	if (ctx->keep)
		rp_node_set_keep(a->n, 1);
	if (ctx->scan)
		rp_node_set_scan(a->n, 1);
	for (i = 0; pos && pos[i].name; i++) {
		const char *t = a->posv[i].text;

		if (!a->posv[i].given)
			continue;
		rc = 0;
		if (pos[i].kind == CMD_ACCOUNT)
			rc = rp_account_find(a->n, t, a->acct);
		else if (pos[i].kind == CMD_FOLLOW_UP || pos[i].kind == CMD_IX || pos[i].kind == CMD_CONTACT)
			rc = rp_ref_find(a->n, t, pos[i].kind == CMD_IX ? RP_REF_IX :
			                 pos[i].kind == CMD_CONTACT ? RP_REF_CONTACT : RP_REF_FU,
			                 a->ref, a->acct, &kind);
		if (rc < 0)
			return out_fail_about(rc, t);
	}
	return 0;
}

int cmd_begin(const struct cmd_ctx *ctx, struct cmd_args *a)
{
	int rc;

	if (!a->n && (rc = cmd_open(ctx, a)) != 0)
		return rc;
	if ((rc = rp_write_begin(a->n, &a->w)) < 0) {
		a->w = NULL;
		return out_fail(rc);
	}
	return 0;
}

int cmd_end(struct cmd_args *a, int rc, const char *subject)
{
	int ret = CMD_OK;

	if (rc < 0) {
		ret = out_fail_about(rc, subject);   /* before abort: it clears rp_errmsg */
		rp_write_abort(&a->w);
	} else if ((rc = rp_write_commit(&a->w)) < 0) {
		ret = out_fail(rc);
		rp_write_abort(&a->w);               /* a no-op when commit released it */
	}
	rp_node_close(&a->n);
	return ret;
}

int cmd_end_id(struct cmd_args *a, int rc, const char *subject, const uint8_t *id, size_t len)
{
	char text[RP_DEVICE_TEXT + 1];

	if ((rc = cmd_end(a, rc, subject)) != CMD_OK)
		return rc;
	rp_b32_encode(id, len, text, sizeof text);
	printf("%s\n", text);
	return CMD_OK;
}

int cmd_end_said(struct cmd_args *a, int rc, const char *subject, const char *fmt, ...)
{
	va_list ap;

	if ((rc = cmd_end(a, rc, subject)) != CMD_OK)
		return rc;
	va_start(ap, fmt);
	out_vclean(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);           /* out_vclean_line's, from a va_list */
	return CMD_OK;
}

char *cmd_item(const struct cmd_args *a, const rp_about *ab, char *buf, size_t cap)
{
	char id[RP_REF_TEXT + 1], acct[RP_ACCOUNT_TEXT + 1];

	rp_b32_encode(a->ref, RP_REF_LEN, id, sizeof id);
	rp_b32_encode(a->acct, RP_ACCOUNT_LEN, acct, sizeof acct);
	snprintf(buf, cap, "%s%s%s %.*s on %s", ab->what, *ab->name ? " " : "", ab->name,
	         OUT_ID_SHORT, id, *ab->account ? ab->account : acct);
	return buf;
}

int cmd_begin_item(const struct cmd_ctx *ctx, struct cmd_args *a, rp_about *ab)
{
	int rc = cmd_begin(ctx, a);

	if (rc == 0)
		rp_about_item(a->n, a->acct, a->ref, ab);
	return rc;
}

int cmd_end_item(struct cmd_args *a, int rc, const char *subject, const char *verb,
                 const rp_about *ab)
{
	char item[2 * RP_NAME_MAX + 64];

	return cmd_end_said(a, rc, subject, "%s %s", verb, cmd_item(a, ab, item, sizeof item));
}

int cmd_print(struct cmd_args *a, json_t *doc,
              int (*print)(const struct cmd_args *a, const json_t *doc))
{
	int rc;

	/* A follow-up is overdue once the day it was due has ended (out_overdue). */
	a->now_ms = a->n ? rp_node_now(a->n) : 0;
	rp_node_close(&a->n);
	rc = cmd_has(a, "json") ? out_jsonl(doc) : print(a, doc);
	json_decref(doc);
	return rc;
}

static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
	(void)sig;
	s_stop = 1;
}

volatile sig_atomic_t *cmd_stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = s_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0)
		return NULL;
	return &s_stop;
}
