/*
 * chameleon: replicate MySQL and MariaDB into PostgreSQL.
 * main() dispatches to the commands of cmd.h; cmd/ is the only caller of exit().
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/host.h"

#ifndef CHAMELEON_VERSION
#define CHAMELEON_VERSION "0.1.0"
#endif

const char *cmd_progname = "chameleon";

static const struct cmd commands[] = {
	{"decode_binlog", cmd_decode_binlog,
	 "print the events of binlog files or of a live source"},
	{"capture_binlog", cmd_capture_binlog,
	 "save a source's binlog stream as files identical to the server's"},
	{"check_source", cmd_check_source,
	 "check that a MySQL/MariaDB server can be replicated"},
	{"init_replica", cmd_init_replica,
	 "copy the source's tables into PostgreSQL from one consistent snapshot"},
	{"sync_tables", cmd_sync_tables,
	 "copy tables again (--tables LIST or disabled) and put them back in replication"},
	{"refresh_schema", cmd_sync_tables,
	 "copy every table of a schema again (--schema S)"},
	{"copy_schema", cmd_copy_schema, "create the source's tables without data"},
	{"update_schema_mappings", cmd_update_schema_mappings,
	 "rename destination schemas after schema_mappings changed"},
	{"detach_replica", cmd_detach_replica,
	 "cut-over: stop the replica, add sequences and foreign keys, remove the source"},
	{"start_replica", cmd_start_replica,
	 "follow a source and apply its changes to PostgreSQL"},
	{"stop_replica", cmd_stop_replica, "stop a running replica"},
	{"stop_all_replicas", cmd_stop_all_replicas,
	 "stop the running replicas of every source"},
	{"replay_binlog", cmd_replay_binlog,
	 "apply binlog files to PostgreSQL (exactly once)"},
	{"set_configuration_files", cmd_set_configuration_files,
	 "create ~/.pg_chameleon and an example configuration"},
	{"show_config", cmd_show_config,
	 "print the configuration with defaults (passwords hidden)"},
	{"show_sources", cmd_show_sources,
	 "print the configured sources (passwords hidden)"},
	{"create_replica_schema", cmd_create_replica_schema,
	 "create (or upgrade) the replica catalog sch_chameleon"},
	{"drop_replica_schema", cmd_drop_replica_schema,
	 "drop the replica catalog (asks for confirmation)"},
	{"upgrade_replica_schema", cmd_upgrade_replica_schema,
	 "upgrade the replica catalog, keeping its data"},
	{"add_source", cmd_add_source, "register a source in the catalog"},
	{"drop_source", cmd_drop_source,
	 "remove a source from the catalog (asks for confirmation)"},
	{"enable_replica", cmd_enable_replica,
	 "clear a source's error so that start_replica accepts it"},
	{"show_status", cmd_show_status,
	 "status, lags and counters of the sources (text or json)"},
	{"show_errors", cmd_show_errors, "the error log, or one entry in full"},
	{"run_maintenance", cmd_run_maintenance,
	 "size and VACUUM ANALYZE of the catalog (no log tables to vacuum)"},
	{NULL, NULL, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: chameleon COMMAND [options]\n\n"
		   "commands:\n");
	for (const struct cmd *c = commands; c->name; c++)
		fprintf(f, "  %-24s %s\n", c->name, c->summary);
	fprintf(f, "\n'chameleon COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (host_init())
		return 1;
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("chameleon %s\n", CHAMELEON_VERSION);
		return 0;
	}
	for (const struct cmd *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "chameleon: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
