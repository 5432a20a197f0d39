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

int cmd_decode_binlog(int argc, char **argv);

extern const char *cmd_progname;

#endif
