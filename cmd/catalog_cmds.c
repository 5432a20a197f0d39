/*
 * The replica catalog commands, as pg_chameleon's: create_replica_schema,
 * drop_replica_schema, upgrade_replica_schema, add_source, drop_source,
 * enable_replica, show_status and show_errors: options, confirmation,
 * messages and exit codes.  They only read and write sch_chameleon,
 * through replay's catalog (replay/catalog*.c); what show_status and
 * show_errors print is cmd/status.c's; nothing here touches a source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "cmd/status.h"
#include "replay/replay.h"

/* What every catalog command holds: the configuration and a connection. */
struct cat_cmd {
	struct cmd_args a;
	struct config cfg;
	bool cfg_loaded;
	char *conninfo;
	struct rp_catalog *cat;
};

static void cat_cmd_release(struct cat_cmd *x)
{
	rp_catalog_close(x->cat);
	free(x->conninfo);
	if (x->cfg_loaded)
		config_release(&x->cfg);
}

/* Load the configuration and connect to its PostgreSQL; errors printed. */
static int cat_cmd_open(struct cat_cmd *x)
{
	if (cmd_config_open(x->a.config, &x->cfg))
		return -1;
	x->cfg_loaded = true;
	x->conninfo = config_pg_conninfo(&x->cfg);
	struct err e = {0};
	if (rp_catalog_open(&x->cat, x->conninfo, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		return -1;
	}
	return 0;
}

/* The pid of a live replica of the source, or 0. */
static pid_t replica_pid(const struct cat_cmd *x, const char *source)
{
	char name[300];
	cmd_pid_name(name, sizeof(name), x->a.config, source);
	return pidfile_owner(x->cfg.pid_dir, name);
}

/* Refuse while a replica of the configuration runs (every source, or one). */
static int refuse_running(const struct cat_cmd *x, const char *only, const char *what)
{
	for (size_t i = 0; i < x->cfg.n_sources; i++) {
		const char *name = x->cfg.sources[i].name;
		if (only && strcmp(only, name))
			continue;
		pid_t pid = replica_pid(x, name);
		if (pid) {
			fprintf(stderr, "chameleon: the replica of '%s' is running (pid %ld): "
					"stop_replica before %s\n", name, (long)pid, what);
			return -1;
		}
	}
	if (only && !config_source(&x->cfg, only)) {
		/* a source no longer configured: its pid file name is known */
		pid_t pid = replica_pid(x, only);
		if (pid) {
			fprintf(stderr, "chameleon: the replica of '%s' is running (pid %ld): "
					"stop_replica before %s\n", only, (long)pid, what);
			return -1;
		}
	}
	return 0;
}

/*
 * pg_chameleon's confirmation: the word YES typed on a terminal.  Without
 * a terminal only --yes confirms (a script must say so).
 */
static int confirm(const char *action, const char *question, bool yes)
{
	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "chameleon: %s needs confirming and there is no "
				"terminal: add --yes\n", action);
		return -1;
	}
	fprintf(stderr, "%s\nType YES to confirm: ", question);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof(line), stdin))
		line[0] = 0;
	line[strcspn(line, "\r\n")] = 0;
	if (strcmp(line, "YES")) {
		fprintf(stderr, "chameleon: not confirmed (type YES in capitals); "
				"nothing changed\n");
		return -1;
	}
	return 0;
}

/* ---- the options of the catalog commands ----------------------------- */

enum { OPT_YES = 1, OPT_FORMAT, OPT_ID, OPT_FULL };

struct cat_opts {
	bool yes;
	bool full;
	bool json;
	long long id;
};

static int on_opt(void *ctx, int id, const char *arg)
{
	struct cat_opts *o = ctx;
	switch (id) {
	case OPT_YES:
		o->yes = true;
		return 0;
	case OPT_FULL:
		o->full = true;
		return 0;
	case OPT_FORMAT:
		if (!strcmp(arg, "json"))
			o->json = true;
		else if (strcmp(arg, "text"))
			return fprintf(stderr, "chameleon: --format text or json\n"), -1;
		return 0;
	case OPT_ID: {
		char *end;
		o->id = strtoll(arg, &end, 10);
		if (*end || o->id <= 0)
			return fprintf(stderr, "chameleon: --id takes an entry number\n"), -1;
		return 0;
	}
	default:
		return -1;
	}
}

static const struct cmd_opt yes_opts[] = {
	{"yes", false, OPT_YES},
	{NULL, false, 0},
};

static const struct cmd_opt maint_opts[] = {
	{"full", false, OPT_FULL},
	{NULL, false, 0},
};

static const struct cmd_opt status_opts[] = {
	{"format", true, OPT_FORMAT},
	{NULL, false, 0},
};

static const struct cmd_opt errors_opts[] = {
	{"id", true, OPT_ID},
	{"logid", true, OPT_ID},	/* pg_chameleon's name */
	{NULL, false, 0},
};

/* Parse; returns -1 to go on, else the exit status. */
static int parse(struct cat_cmd *x, struct cat_opts *o, int argc, char **argv,
		 const struct cmd_opt *extra, void (*usage)(FILE *))
{
	memset(x, 0, sizeof(*x));
	memset(o, 0, sizeof(*o));
	int rc = cmd_args_parse(&x->a, argc, argv, extra, on_opt, o, usage);
	if (rc == CMD_HELP)
		return 0;
	if (rc)
		return rc;
	if (x->a.first < argc) {
		fprintf(stderr, "chameleon: %s: unexpected argument '%s'\n", argv[0],
			argv[x->a.first]);
		return 2;
	}
	return -1;
}

/* ---- create, drop, upgrade ------------------------------------------- */

static void create_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon create_replica_schema [--config C] [--debug]\n"
		"\n"
		"Create the replica catalog, schema sch_chameleon, in the PostgreSQL\n"
		"database of pg_conn, at the latest version; an existing older one is\n"
		"upgraded, a current one left as it is.\n");
}

int cmd_create_replica_schema(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, NULL, create_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	int from = 0, to = rp_catalog_latest();
	if (cat_cmd_open(&x))
		goto out;
	if (rp_catalog_migrate(x.cat, &from, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (from == 0)
		printf("created the replica catalog sch_chameleon, version %d\n", to);
	else if (from == to)
		printf("the replica catalog sch_chameleon is already at version %d\n", to);
	else
		printf("upgraded the replica catalog sch_chameleon from version %d to %d\n",
		       from, to);
	rc = 0;
out:
	cat_cmd_release(&x);
	return rc;
}

static void drop_schema_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon drop_replica_schema [--config C] [--yes] [--debug]\n"
		"\n"
		"Drop the replica catalog sch_chameleon: every source's position,\n"
		"counters and error log.  The replicated schemas are kept.  Asks for\n"
		"YES on a terminal; --yes confirms without asking (needed without a\n"
		"terminal).  Refused while a replica of the configuration runs.\n");
}

int cmd_drop_replica_schema(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, yes_opts, drop_schema_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	bool existed = false;
	if (cat_cmd_open(&x) || refuse_running(&x, NULL, "dropping the catalog"))
		goto out;
	int v = 0;
	if (rp_catalog_get_version(x.cat, &v, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (v == 0) {
		printf("there is no replica catalog sch_chameleon: nothing to drop\n");
		rc = 0;
		goto out;
	}
	if (confirm("dropping the replica catalog",
		    "Drop the replica catalog sch_chameleon (every source's "
		    "position, counters and error log)?", o.yes))
		goto out;
	if (rp_catalog_drop(x.cat, &existed, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	printf("dropped the replica catalog sch_chameleon (version %d); "
	       "the replicated schemas are kept\n", v);
	rc = 0;
out:
	cat_cmd_release(&x);
	return rc;
}

static void upgrade_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon upgrade_replica_schema [--config C] [--debug]\n"
		"\n"
		"Upgrade the replica catalog sch_chameleon to the latest version, in\n"
		"one transaction, keeping its data.  Refused while a replica of the\n"
		"configuration runs.  A catalog already current is success.\n");
}

int cmd_upgrade_replica_schema(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, NULL, upgrade_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	int v = 0, to = rp_catalog_latest();
	if (cat_cmd_open(&x))
		goto out;
	if (rp_catalog_get_version(x.cat, &v, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (v == 0) {
		fprintf(stderr, "chameleon: there is no replica catalog sch_chameleon: "
				"run create_replica_schema\n");
		goto out;
	}
	if (v == to) {
		printf("the replica catalog sch_chameleon is at version %d: nothing to do\n", v);
		rc = 0;
		goto out;
	}
	if (v < to && refuse_running(&x, NULL, "upgrading the catalog"))
		goto out;
	if (rp_catalog_migrate(x.cat, &v, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	printf("upgraded the replica catalog sch_chameleon from version %d to %d\n", v, to);
	rc = 0;
out:
	cat_cmd_release(&x);
	return rc;
}

/* ---- sources ---------------------------------------------------------- */

static void add_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon add_source --source S [--config C] [--debug]\n"
		"\n"
		"Register the source in the replica catalog with the schema_mappings\n"
		"of the configuration and status 'ready'.  Refused when the source is\n"
		"registered already, or when one of its destination schemas belongs\n"
		"to another source.  (start_replica and replay_binlog register a\n"
		"source themselves when it is missing.)\n");
}

int cmd_add_source(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, NULL, add_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	struct rp_mapping *maps = NULL;
	if (cat_cmd_open(&x))
		goto out;
	const struct cfg_source *src = cmd_source_find(&x.cfg, x.a.source);
	if (!src)
		goto out;
	maps = cmd_source_mappings(src);
	if (rp_catalog_source_add(x.cat, src->name, src->type, maps, src->n_mappings, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	printf("added source '%s' (status ready):", src->name);
	for (size_t i = 0; i < src->n_mappings; i++)
		printf("%s %s -> %s", i ? "," : "", maps[i].mysql_schema, maps[i].pg_schema);
	printf("\n");
	rc = 0;
out:
	free(maps);
	cat_cmd_release(&x);
	return rc;
}

/* --source, or the configuration's only source; NULL after an error. */
static const char *source_name(struct cat_cmd *x)
{
	if (x->a.source && strcmp(x->a.source, "*"))
		return x->a.source;	/* may be a source no longer configured */
	const struct cfg_source *s = cmd_source_find(&x->cfg, NULL);
	return s ? s->name : NULL;
}

static void drop_source_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon drop_source --source S [--config C] [--yes] [--debug]\n"
		"\n"
		"Remove the source from the replica catalog with its position,\n"
		"table counters, disabled tables and error log.  The replicated\n"
		"schemas are kept.  Asks for YES on a terminal; --yes confirms without\n"
		"asking.  Refused while its replica runs.\n");
}

int cmd_drop_source(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, yes_opts, drop_source_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	const char *name = NULL;
	char q[400];
	if (cat_cmd_open(&x))
		goto out;
	name = source_name(&x);
	if (!name || refuse_running(&x, name, "dropping the source"))
		goto out;
	struct rp_source_state st;
	if (rp_catalog_source_get(x.cat, name, &st, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (!st.found) {
		fprintf(stderr, "chameleon: no source '%s' in the catalog\n", name);
		goto out;
	}
	snprintf(q, sizeof(q), "Drop the source '%s' from the catalog (its position, "
		 "counters and error log)?", name);
	if (confirm("dropping a source", q, o.yes))
		goto out;
	if (rp_catalog_source_drop(x.cat, name, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	printf("dropped source '%s'; the replicated schemas are kept\n", name);
	rc = 0;
out:
	cat_cmd_release(&x);
	return rc;
}

static void enable_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon enable_replica --source S [--config C] [--debug]\n"
		"\n"
		"Set the source's status back to 'stopped' and clear its error, so\n"
		"that start_replica accepts it again after it stopped on an error.\n"
		"Refused while its replica runs.\n");
}

/* The catalog's state of source name into *st: 0, or -1 (said: a catalog
 * error, or no such source). */
static int source_state(struct cat_cmd *x, const char *name, struct rp_source_state *st)
{
	struct err e = {0};
	if (rp_catalog_source_get(x->cat, name, st, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		return -1;
	}
	if (!st->found) {
		fprintf(stderr, "chameleon: no source '%s' in the catalog\n", name);
		return -1;
	}
	return 0;
}

int cmd_enable_replica(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, NULL, enable_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	if (cat_cmd_open(&x))
		goto out;
	const char *name = source_name(&x);
	if (!name || refuse_running(&x, name, "enabling it"))
		goto out;
	struct rp_source_state st;
	if (source_state(&x, name, &st))
		goto out;
	if (rp_catalog_source_set_status(x.cat, name, "stopped", NULL, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	printf("source '%s': status stopped (was %s)\n", name, st.status);
	rc = 0;
out:
	cat_cmd_release(&x);
	return rc;
}

/* ---- show_status ------------------------------------------------------ */

static void status_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon show_status [--config C] [--source S] [--format text|json]\n"
		"\n"
		"Per source: status and error, read and replay lag in seconds, the last\n"
		"position received and applied with their times, rows, transactions and\n"
		"zero dates applied, per-table counts and the tables out of replication.\n"
		"The lags are defined in docs/replication.md: an idle source that is\n"
		"caught up shows 0.  --format json prints one JSON object.\n");
}

int cmd_show_status(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, status_opts, status_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	struct rp_source_status *v;
	size_t n;
	if (cat_cmd_open(&x))
		goto out;
	const char *only = x.a.source && strcmp(x.a.source, "*") ? x.a.source : NULL;
	if (rp_catalog_status(x.cat, only, &v, &n, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (only && !n) {
		fprintf(stderr, "chameleon: no source '%s' in the catalog\n", only);
		goto out;
	}
	if (o.json)
		cmd_status_json(stdout, v, n);
	else
		cmd_status_text(stdout, v, n);
	bool gis;
	char gis_version[64];
	if (!o.json && !rp_catalog_postgis(x.cat, &gis, gis_version, sizeof(gis_version), &e)) {
		if (gis)
			printf("PostGIS %s: geometry columns are PostGIS geometry\n", gis_version);
		else
			printf("no PostGIS in this database: geometry columns are bytea "
			       "(MySQL's SRID and WKB)\n");
	}
	rc = fflush(stdout) ? 1 : 0;
out:
	cat_cmd_release(&x);
	return rc;
}

/* ---- show_errors ------------------------------------------------------ */

static void errors_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon show_errors [--config C] [--source S] [--id N]\n"
		"\n"
		"List the error log (sch_chameleon.t_error_log): number, time, source,\n"
		"table and the first line of the error.  --id N (or pg_chameleon's\n"
		"--logid N) shows one entry in full: the error, the statement, the\n"
		"refused row when it was recorded, and the position.\n");
}

int cmd_show_errors(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, errors_opts, errors_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	struct rp_error_entry *v;
	size_t n;
	if (cat_cmd_open(&x))
		goto out;
	const char *only = x.a.source && strcmp(x.a.source, "*") ? x.a.source : NULL;
	if (rp_catalog_errors(x.cat, only, o.id, &v, &n, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	if (o.id && !n) {
		fprintf(stderr, "chameleon: no error log entry %lld%s%s\n", o.id,
			only ? " for source " : "", only ? only : "");
		goto out;
	}
	if (o.id)
		cmd_error_entry(stdout, &v[0]);
	else
		cmd_error_list(stdout, v, n);
	rc = fflush(stdout) ? 1 : 0;
out:
	cat_cmd_release(&x);
	return rc;
}

/* ---- run_maintenance -------------------------------------------------- */

static void maint_usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon run_maintenance [--config C] [--source S] [--full]\n"
		"\n"
		"pg_chameleon vacuums the log tables of a source here, pausing its\n"
		"replica.  chameleon keeps no log tables: rows go straight into the\n"
		"replicated tables, which autovacuum looks after.  What this command\n"
		"does is check the catalog: its size, and VACUUM ANALYZE of every table\n"
		"of sch_chameleon (VACUUM FULL with --full, which locks each catalog\n"
		"table briefly: a running replica waits for it).  With --source, the\n"
		"source must be in the catalog.  The replica need not be stopped.\n");
}

static void human_size(char *out, size_t n, long long bytes)
{
	if (bytes >= 10LL << 20)
		snprintf(out, n, "%lld MB", bytes >> 20);
	else if (bytes >= 10LL << 10)
		snprintf(out, n, "%lld kB", bytes >> 10);
	else
		snprintf(out, n, "%lld bytes", bytes);
}

int cmd_run_maintenance(int argc, char **argv)
{
	struct cat_cmd x;
	struct cat_opts o;
	int rc = parse(&x, &o, argc, argv, maint_opts, maint_usage);
	if (rc >= 0)
		return rc;
	rc = 1;
	struct err e = {0};
	if (cat_cmd_open(&x))
		goto out;
	if (x.a.source) {
		struct rp_source_state st;
		if (source_state(&x, x.a.source, &st))
			goto out;
		printf("source '%s': status %s; no log tables to vacuum (chameleon keeps none)\n",
		       x.a.source, st.status);
	}
	struct rp_maint m;
	if (rp_catalog_maintain(x.cat, o.full, &m, &e)) {
		fprintf(stderr, "chameleon: run_maintenance: %s\n", e.msg);
		goto out;
	}
	char before[32], after[32];
	human_size(before, sizeof(before), m.bytes_before);
	human_size(after, sizeof(after), m.bytes_after);
	printf("catalog sch_chameleon: %ld tables, %s before, %s after VACUUM %sANALYZE "
	       "of %ld tables\n",
	       m.tables, before, after, o.full ? "FULL " : "", m.vacuumed);
	rc = 0;
out:
	cat_cmd_release(&x);
	return rc;
}
