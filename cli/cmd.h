/* cli/cmd.h — the contract between main.c and the commands: each command is
 * one cmd-<verb>.c exporting a cmd_entry; main.c only parses global options and dispatches. */
#ifndef RP_CLI_CMD_H
#define RP_CLI_CMD_H

#include <getopt.h>
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
};

/* One command. exec gets argv starting at the command's own name (argv[0])
 * with getopt's optind reset, and returns the exit status (CMD_*). It prints
 * its own errors; it never calls exit(). */
struct cmd_entry {
	const char *name;
	const char *usage;    /* one line per form, each without "rapport NAME " */
	const char *help;     /* one line for `rapport help` */
	const char *details;  /* more lines for `rapport help NAME`, or NULL */
	int (*exec)(const struct cmd_ctx *ctx, int argc, char **argv);
};

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

/* getopt_long over longopts (no short options: -h/--help is main's). An
 * unknown option or a missing value is reported as a usage error and
 * returned as '?'; the caller then returns CMD_USAGE. */
int cmd_getopt(const struct cmd_entry *e, const char *sub, int argc, char **argv,
               const struct option *longopts);

/* Check the positional arguments args[0..n) against names, e.g.
 * "ACCOUNT TYPE TEXT": all but the last `optional` names are required and
 * nothing beyond them is allowed. Returns 0, or reports and returns CMD_USAGE. */
int cmd_positional(const struct cmd_entry *e, const char *sub, int n, char **args,
                   const char *names, int optional);

/* For commands whose one option is --json: parse it (*json), then the
 * positional arguments as cmd_positional does with names. Returns 0, or
 * reports and returns CMD_USAGE. */
int cmd_json_args(const struct cmd_entry *e, const char *sub, int argc, char **argv,
                  const char *names, int *json);

/* Parse a WHEN (DESIGN.md §7) against the command's clock; what names the
 * option in the error ("--due"). Returns 0 or reports and returns CMD_USAGE. */
int cmd_when(const struct cmd_ctx *ctx, const struct cmd_entry *e, const char *what,
             const char *text, uint64_t *out_ms);

/* Parse a whole decimal count in [min, max]. Returns 0 or reports and
 * returns CMD_USAGE. */
int cmd_count(const struct cmd_entry *e, const char *what, const char *text,
              long min, long max, int *out);

/* 1 if text is one of the NULL-terminated words. */
int cmd_one_of(const char *text, const char *const *words);

/* Join words with ", " into buf, for "one of ..." messages. Returns buf. */
char *cmd_join(const char *const *words, char *buf, size_t cap);

/* Open the node in ctx->home and set its clock. Reports failures (with a
 * hint when the home is not initialised) and returns CMD_FAIL; 0 on success. */
int cmd_node_open(const struct cmd_ctx *ctx, rp_node **n);

/* Begin a write on n. Reports failure and returns CMD_FAIL; 0 on success. */
int cmd_write_begin(rp_node *n, rp_write **w);

/* End a write whose calls returned rc: on rc < 0 report it and abort;
 * otherwise commit (reporting a failed commit). Closes *n either way.
 * subject names the input at fault when rp_errmsg() is empty (may be NULL).
 * Returns CMD_OK or CMD_FAIL. */
int cmd_write_end(rp_node **n, rp_write **w, int rc, const char *subject);

/* The same rp_strerror/rp_errmsg report for a read that failed: closes *n
 * and returns CMD_FAIL. */
int cmd_read_fail(rp_node **n, int rc, const char *subject);

/* The commands, in the order `rapport help` lists them. */
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_id_entry;
extern const struct cmd_entry cmd_member_entry;
extern const struct cmd_entry cmd_team_entry;
extern const struct cmd_entry cmd_account_entry;
extern const struct cmd_entry cmd_contact_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_log_entry;
extern const struct cmd_entry cmd_follow_up_entry;
extern const struct cmd_entry cmd_done_entry;
extern const struct cmd_entry cmd_agenda_entry;
extern const struct cmd_entry cmd_top_entry;
extern const struct cmd_entry cmd_at_risk_entry;
extern const struct cmd_entry cmd_complaints_entry;
extern const struct cmd_entry cmd_resolve_entry;
extern const struct cmd_entry cmd_find_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_handover_entry;
extern const struct cmd_entry cmd_serve_entry;
extern const struct cmd_entry cmd_peer_entry;
extern const struct cmd_entry cmd_sync_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_fsck_entry;
extern const struct cmd_entry cmd_forget_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_digest_entry;

#endif
