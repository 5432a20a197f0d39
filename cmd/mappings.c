/*
 * chameleon update_schema_mappings: after schema_mappings changed in the
 * configuration, rename the destination schemas in PostgreSQL to match
 * and record the new mappings in the catalog, in one transaction (as
 * pg_chameleon's command of the same name).  A newly mapped source schema
 * has no tables yet: refresh_schema copies it.  The statements are the
 * catalog's (replay/mappings.c); this file says what happens.
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/xalloc.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "replay/replay.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: chameleon update_schema_mappings --config C --source S [--debug]\n"
		"\n"
		"Apply a change of the source's schema_mappings: each destination\n"
		"schema whose name changed is renamed in PostgreSQL (ALTER SCHEMA ...\n"
		"RENAME TO), the catalog records the new mappings, all in one\n"
		"transaction.  A newly mapped schema is reported: copy it with\n"
		"refresh_schema --schema NAME.  Stop the replica first.\n");
}

/* What the plan does to one schema, as pg_chameleon users read it. */
static void say(const struct rp_remap *r)
{
	switch (r->kind) {
	case RP_REMAP_NEW:
		printf("%s -> %s: newly mapped, nothing in PostgreSQL yet: copy it with "
		       "refresh_schema --schema %s\n", r->mysql_schema, r->to_pg,
		       r->mysql_schema);
		break;
	case RP_REMAP_SAME:
		printf("%s -> %s: unchanged\n", r->mysql_schema, r->to_pg);
		break;
	case RP_REMAP_RENAME:
		printf("%s: %s renamed to %s\n", r->mysql_schema, r->from_pg, r->to_pg);
		break;
	case RP_REMAP_GONE:
		printf("%s: no longer mapped; its tables stay in %s (drop them when no "
		       "longer needed)\n", r->mysql_schema, r->from_pg);
		break;
	}
}

int cmd_update_schema_mappings(int argc, char **argv)
{
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	struct config cfg;
	const struct cfg_source *src = cmd_source_open(a.config, a.source, &cfg);
	if (!src)
		return 1;
	int status = 1;
	char pname[300];
	cmd_pid_name(pname, sizeof(pname), a.config, src->name);
	pid_t owner = pidfile_owner(cfg.pid_dir, pname);
	char *conninfo = config_pg_conninfo(&cfg);
	struct rp_catalog *cat = NULL;
	struct rp_mapping *m = cmd_source_mappings(src);
	struct err e = {0};
	struct rp_remap *plan;
	size_t nplan, renamed = 0;
	if (owner) {
		fprintf(stderr, "chameleon: the replica of '%s' is running (pid %ld): "
				"stop_replica first\n", src->name, (long)owner);
		goto out;
	}
	if (rp_catalog_open(&cat, conninfo, &e) ||
	    rp_catalog_mappings_plan(cat, src->name, m, src->n_mappings, &plan, &nplan, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	for (size_t i = 0; i < nplan; i++) {
		say(&plan[i]);
		renamed += plan[i].kind == RP_REMAP_RENAME;
	}
	if (rp_catalog_mappings_update(cat, src->name, m, src->n_mappings, plan, nplan, &e)) {
		fprintf(stderr, "chameleon: updating the schema mappings: %s\n", e.msg);
		goto out;
	}
	printf("schema mappings of '%s' updated: %zu schema(s) renamed\n", src->name,
	       renamed);
	status = 0;
out:
	rp_catalog_close(cat);
	free(m);
	free(conninfo);
	config_release(&cfg);
	return status;
}
