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
int cmd_detach_replica(int argc, char **argv);
/* The pid file name of a replica: CONFIG_SOURCE. */
void cmd_pid_name(char *out, size_t n, const char *config, const char *source);
int cmd_stop_replica(int argc, char **argv);
int cmd_show_config(int argc, char **argv);
int cmd_show_sources(int argc, char **argv);
extern const char cmd_example_config[];
/* show_config's output; only: NULL for everything, "*" for all the
 * sources, or one source's name. */
void cmd_show_config_to(FILE *o, const struct config *c, const char *only);
/* decode_binlog from a live source (cmd/stream.c); format 0 text, 1 json, 2 none */
int cmd_decode_live(const char *config, const char *source,
		    const char *start_file, uint64_t start_pos, const char *gtid,
		    bool stop_at_end, int format);

extern const char *cmd_progname;

#endif
