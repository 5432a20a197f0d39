/*
 * cmd: the chameleon command line.  Each command is a function taking
 * argc/argv (argv[0] is the command name) and returning the exit status.
 */
#ifndef CMD_CMD_H
#define CMD_CMD_H

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config;

int cmd_decode_binlog(int argc, char **argv);
int cmd_check_source(int argc, char **argv);
int cmd_capture_binlog(int argc, char **argv);
int cmd_set_configuration_files(int argc, char **argv);
int cmd_replay_binlog(int argc, char **argv);
int cmd_start_replica(int argc, char **argv);
int cmd_init_replica(int argc, char **argv);
int cmd_sync_tables(int argc, char **argv);	/* also refresh_schema */
int cmd_copy_schema(int argc, char **argv);
struct cfg_source;
/* sync_tables of "schema.table,..." from the replica itself, after DDL
 * PostgreSQL could not reproduce (docs/ddl.md); progress to the log.
 * 0, or 1 when the copy failed (the tables stay out of replication). */
int cmd_copy_again(const struct config *cfg, const struct cfg_source *src,
		   const char *tables);
int cmd_detach_replica(int argc, char **argv);
int cmd_update_schema_mappings(int argc, char **argv);
/* The pid file name (in pid_dir, without ".pid") of a source's replica:
 * CONFIG_SOURCE. */
void cmd_pid_name(char *out, size_t n, const char *config, const char *source);
int cmd_stop_replica(int argc, char **argv);
int cmd_stop_all_replicas(int argc, char **argv);
int cmd_show_config(int argc, char **argv);
int cmd_show_sources(int argc, char **argv);
int cmd_create_replica_schema(int argc, char **argv);
int cmd_drop_replica_schema(int argc, char **argv);
int cmd_upgrade_replica_schema(int argc, char **argv);
int cmd_add_source(int argc, char **argv);
int cmd_drop_source(int argc, char **argv);
int cmd_enable_replica(int argc, char **argv);
int cmd_run_maintenance(int argc, char **argv);
int cmd_show_status(int argc, char **argv);
int cmd_show_errors(int argc, char **argv);
extern const char cmd_example_config[];
/* show_config's output; only: NULL for everything, "*" for all the
 * sources, or one source's name. */
void cmd_show_config_to(FILE *o, const struct config *c, const char *only);
/* decode_binlog from a live source (cmd/print.c); format 0 text, 1 json, 2 none */
int cmd_decode_live(const char *config, const char *source,
		    const char *start_file, uint64_t start_pos, const char *gtid,
		    bool stop_at_end, int format);

extern const char *cmd_progname;

/* An error on stderr: "chameleon: MESSAGE", or a JSON log line at level
 * error when the log is JSON (log_format: json). */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- shared option parsing (cmd/options.c) ---- */

/* A command's own option: --name, with an argument when has_arg. */
struct cmd_opt {
	const char *name;
	bool has_arg;
	int id;		/* passed to the handler; any value below 0x10000 but '?', ':' and 'h' */
};

struct cmd_args {
	const char *config;	/* --config, "default" when not given */
	bool config_given;	/* --config was on the command line */
	const char *source;	/* --source, NULL when not given */
	bool debug;		/* --debug (the log level is set to debug) */
	int first;		/* argv index of the first operand */
};

#define CMD_HELP 1	/* --help printed the usage: exit 0 */
#define CMD_USAGE 2	/* a bad option, said in one line on stderr: exit 2 */

/*
 * Parse --config, --source, --debug, --help, --rollbar-level (notify.h) and
 * the NULL-terminated extra options, calling on_opt(ctx, id, arg) for
 * each of these (non-zero from it means a bad value, which on_opt has
 * said on stderr in one line).  Returns 0,
 * CMD_HELP or CMD_USAGE, which is also the command's exit status.
 */
int cmd_args_parse(struct cmd_args *a, int argc, char **argv,
		   const struct cmd_opt *extra,
		   int (*on_opt)(void *ctx, int id, const char *arg), void *ctx,
		   void (*usage)(FILE *f));

/*
 * Values of options several commands share, parsed in one place.  Each
 * says what is wrong on stderr in one line ("chameleon CMD: --OPT ...")
 * and returns non-zero for a bad value; on_opt handlers return that.
 */
/* A decimal integer in [lo, hi], nothing after it. */
int cmd_opt_long(const char *cmd, const char *opt, const char *arg, long lo,
		 long hi, long *out);
/* --zero-dates null|error|infinity, as an enum rp_zero_date. */
int cmd_opt_zero_dates(const char *cmd, const char *arg, int *out);
/* The declaration of --zero-dates, for a command's option table. */
#define CMD_OPT_ZERO_DATES {"zero-dates", true, 0x7a64}

#endif
