/* cli/cmd.h — the contract between main.c and the commands: each command is
 * one cmd-<verb>.c exporting a cmd_entry that declares its arguments; cmd.c
 * parses them and opens the node; the command keeps its call and its printing. */
#ifndef RP_CLI_CMD_H
#define RP_CLI_CMD_H

#include <signal.h>

#include <stdint.h>

#include "../node/rapport.h"

/* Exit statuses of DESIGN.md §7. */
enum { CMD_OK = 0, CMD_FAIL = 1, CMD_USAGE = 2 };

/* What every command runs with: the resolved home and the clock. */
struct cmd_ctx {
	const char *home;      /* --home, else rp_home_default() */
	uint64_t    now_ms;    /* RAPPORT_NOW, else the real clock */
	int         now_fixed; /* 1 when RAPPORT_NOW set the clock */
	int         keep;      /* config "keep = true": never purge lost accounts */
	int         scan;      /* RAPPORT_SCAN=1: answer without the indexes (the tests' reference) */
};

/* What an argument holds. The parser checks a count, and what .check does,
 * as each option is read; the other values once it has counted the
 * positionals (theirs first, then the options' in the order declared),
 * naming the argument in its message: a command gets its values parsed. */
enum cmd_kind {
	CMD_TEXT,      /* any text */
	CMD_FLAG,      /* an option that takes no value */
	CMD_LIST,      /* an option given again and again, at most .max times; past
	                * that, .bad with the number ("more than %d --tag") */
	CMD_WORD,      /* one of .words; else .bad with the value and the words
	                * ("unknown role '%s' (one of %s)") */
	CMD_WHEN,      /* a WHEN against the command's clock, into .ms */
	CMD_AMOUNT,    /* 12.50 or 1,234.50, into .cents */
	CMD_COUNT,     /* a whole number from .min to .max, into .num */
	CMD_ACCOUNT,   /* a positional ACCOUNT: cmd_open resolves it into a->acct */
	CMD_FOLLOW_UP, /* a positional follow-up id: cmd_open resolves it into a->ref */
	CMD_IX,        /* a positional interaction id: cmd_open resolves it into a->ref */
	CMD_CONTACT,   /* a positional contact id: cmd_open resolves it into a->ref */
};

struct cmd_args;

/* One option (name "email" for --email) or positional (name "ACCOUNT", as
 * the usage says it). A last positional named "TAG..." takes every word left. */
struct cmd_arg {
	const char        *name;
	enum cmd_kind      kind;
	int                optional;  /* a positional that may be left out (the last ones) */
	const char        *def;       /* the text when it is not given */
	const char *const *words;     /* CMD_WORD */
	const char        *bad;       /* CMD_WORD, CMD_LIST: the message, as above */
	int                min, max;  /* CMD_COUNT; CMD_LIST: max */
	/* An option's own check of each value: 0, or reported and CMD_USAGE. */
	int (*check)(const struct cmd_args *a, const struct cmd_arg *arg, const char *value);
};

/* One form of a command: the command itself, or one of its sub-commands. */
struct cmd_form {
	const char           *sub;      /* "add" for `account add`; NULL for the command itself */
	const struct cmd_arg *pos;      /* positionals, ended by { 0 }; NULL for none */
	const struct cmd_arg *opts;     /* options, ended by { 0 }; NULL for none */
	const char           *hint;     /* said after "unexpected argument" ("quote TEXT ...") */
	int                   verbatim; /* no options: a word starting with "-" is a positional */
	/* Runs with the arguments parsed; returns the exit status (CMD_*). It
	 * prints its own errors and never calls exit(). What it leaves open in
	 * a (a write, the node) is aborted and closed after it. */
	int (*exec)(const struct cmd_ctx *ctx, struct cmd_args *a);
	/* Or, for a command that only reads: read runs with the node open and
	 * its ids resolved, returns 0 or an RP_E* code (reported, naming the
	 * ACCOUNT if one was given) and *doc; then cmd_print prints doc through print. */
	int (*read)(struct cmd_args *a, json_t **doc);
	int (*print)(const struct cmd_args *a, const json_t *doc);
};

/* One command. A command with subs may also stand alone (its form has an
 * exec or a read): its first word picks a sub when it names one, and is
 * the form's first positional otherwise (`follow-up ACCOUNT TEXT` beside
 * `follow-up move ID`). */
struct cmd_entry {
	const char            *name;
	const char            *usage;    /* one line per form, each without "rapport NAME " */
	const char            *help;     /* one line for `rapport help` */
	const char            *details;  /* more lines for `rapport help NAME`, or NULL */
	struct cmd_form        form;     /* its arguments and what it does, */
	const struct cmd_form *subs;     /* or its sub-commands', ended by { 0 } */
};

/* The options of a command whose one option is --json. */
extern const struct cmd_arg cmd_json_only[];

#define CMD_ARGS_MAX 12   /* positionals or options of one form */

/* One argument's value. */
struct cmd_value {
	const char  *text;     /* as given (the last one), else the def, else NULL */
	int          given;    /* how many times (a positional "TAG...": how many words) */
	const char **list;     /* CMD_LIST, "TAG...": every one, in order */
	int          num;      /* CMD_COUNT */
	uint64_t     ms;       /* CMD_WHEN */
	int          when_kind; /* CMD_WHEN: RP_WHEN_DAY, _TIME or _SHIFT */
	int64_t      cents;    /* CMD_AMOUNT */
};

/* A command's arguments, parsed, and what cmd_open and cmd_begin opened. */
struct cmd_args {
	const struct cmd_entry *e;
	const struct cmd_form  *form;
	const char             *sub;      /* form->sub */
	int                     npos;     /* the positional words, in order */
	char                  **pos;
	struct cmd_value        posv[CMD_ARGS_MAX], optv[CMD_ARGS_MAX];
	rp_node                *n;
	rp_write               *w;
	uint8_t                 acct[RP_ACCOUNT_LEN];  /* the CMD_ACCOUNT, or the id's account */
	uint8_t                 ref[RP_REF_LEN];       /* the CMD_FOLLOW_UP or CMD_IX */
	uint64_t                now_ms;                /* cmd_print: the node's clock */
	const void             *data;                  /* the command's own, for its print */
};

/* Parse argv (argv[0] is the command's name) as e declares, then run it.
 * Returns the exit status. */
int cmd_run(const struct cmd_ctx *ctx, const struct cmd_entry *e, int argc, char **argv);

/* The value of the argument named name (an option or a positional); it must
 * be declared. cmd_str: its text or NULL; cmd_has: 1 when given. */
const struct cmd_value *cmd_value(const struct cmd_args *a, const char *name);
const char *cmd_str(const struct cmd_args *a, const char *name);
int cmd_has(const struct cmd_args *a, const char *name);

/* Print "usage: rapport NAME FORM" for each form of e (only the forms whose
 * first word is sub when sub != NULL), the first with "usage:", the others
 * aligned under it. */
void cmd_print_usage(FILE *f, const struct cmd_entry *e, const char *sub);

/* "rapport: NAME[ SUB]: <what>" and the usage on stderr. Returns CMD_USAGE. */
int cmd_usage_error(const struct cmd_entry *e, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "rapport: NAME[ SUB]: <what>" on stderr, for a malformed value (a bad
 * WHEN, amount, type...). Returns CMD_USAGE. */
int cmd_bad_value(const struct cmd_entry *e, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A device id (as `rapport id` prints it) into dev; what names the
 * argument in the message ("--peer: "), or is "". Returns 0 or reports and
 * returns CMD_USAGE. */
int cmd_device(const struct cmd_args *a, const char *what, const char *text,
               uint8_t dev[RP_DEVICE_LEN]);

/* 1 if text is one of the NULL-terminated words. */
int cmd_one_of(const char *text, const char *const *words);

/* A flag that SIGTERM and SIGINT set, for a command that runs until told to
 * stop (serve, sync --live); NULL if the handlers cannot be installed. No
 * SA_RESTART: the signal interrupts the command's poll, which sees it at once. */
volatile sig_atomic_t *cmd_stop_on_signals(void);

/* Join words with ", " into buf, for "one of ..." messages. Returns buf. */
char *cmd_join(const char *const *words, char *buf, size_t cap);

/* Open the node in ctx->home into a->n, set its clock, and resolve the
 * positionals that name an account or an id. Reports a failure (with a hint
 * when the home is not initialised, naming the argument not found) and
 * returns CMD_FAIL; 0 on success. */
int cmd_open(const struct cmd_ctx *ctx, struct cmd_args *a);

/* cmd_open (unless the node is open already), then begin a write into
 * a->w. Returns 0, or reports and returns CMD_FAIL. */
int cmd_begin(const struct cmd_ctx *ctx, struct cmd_args *a);

/* End the write whose calls returned rc: on rc < 0 report it and abort;
 * otherwise commit (reporting a failed commit). Closes the node either way.
 * subject names the input at fault when rp_errmsg() is empty (may be NULL).
 * Returns CMD_OK or CMD_FAIL. */
int cmd_end(struct cmd_args *a, int rc, const char *subject);

/* cmd_end, then the new id (len bytes) on stdout, one line. */
int cmd_end_id(struct cmd_args *a, int rc, const char *subject, const uint8_t *id, size_t len);

/* cmd_end, then one line on stdout saying what the write did ("retracted
 * call yawq27ig6r on Beta Ltd"), made visible: names come from peers. */
int cmd_end_said(struct cmd_args *a, int rc, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "call yawq27ig6r on Beta Ltd", "contact Jane Roe 6fq2... on Beta Ltd":
 * the item a->ref names, in a->acct, as ab (rp_about_item) says. Returns buf. */
char *cmd_item(const struct cmd_args *a, const rp_about *ab, char *buf, size_t cap);

/* cmd_begin, then what the command's id (a->ref) names into *ab, for the
 * line its write prints. Returns as cmd_begin. */
int cmd_begin_item(const struct cmd_ctx *ctx, struct cmd_args *a, rp_about *ab);

/* cmd_end_said with "VERB ITEM" (cmd_item): "retracted call yawq27ig6r on Beta Ltd". */
int cmd_end_item(struct cmd_args *a, int rc, const char *subject, const char *verb,
                 const rp_about *ab);

/* What a read returned: closes the node (setting a->today_ms first), then
 * prints doc with --json (a list as JSONL) or through print for people;
 * frees doc. Returns the exit status (print's). */
int cmd_print(struct cmd_args *a, json_t *doc,
              int (*print)(const struct cmd_args *a, const json_t *doc));

/* The commands, in the order `rapport help` lists them: X(verb) for each
 * cmd_<verb>_entry, which cmd-<verb>.c defines. */
#define CMD_ALL(X) X(init) X(id) X(member) X(team) X(account) X(contact) X(show) X(log) \
	X(follow_up) X(done) X(amend) X(retract) X(agenda) X(campaign) X(top) X(at_risk) X(complaints) X(resolve) X(find) \
	X(history) X(handover) X(serve) X(peer) X(sync) X(status) X(export) X(import) X(fsck) \
	X(forget) X(backup) X(restore) X(digest)
#define CMD_DECLARE(verb) extern const struct cmd_entry cmd_##verb##_entry;
CMD_ALL(CMD_DECLARE)

#endif
