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

int cmd_decode_binlog(int argc, char **argv);
int cmd_check_source(int argc, char **argv);
int cmd_capture_binlog(int argc, char **argv);
/* decode_binlog from a live source (cmd/stream.c); format 0 text, 1 json, 2 none */
int cmd_decode_live(const char *config, const char *source,
		    const char *start_file, uint64_t start_pos, const char *gtid,
		    bool stop_at_end, int format);

extern const char *cmd_progname;

#endif
