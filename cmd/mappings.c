/*
 * chameleon update_schema_mappings: after schema_mappings changed in the
 * configuration, rename the destination schemas in PostgreSQL to match
 * and record the new mappings in the catalog, in one transaction (as
 * pg_chameleon's command of the same name).  A newly mapped source schema
 * has no tables yet: refresh_schema copies it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "cmd/cmd.h"
#include "cmd/config.h"
#include "cmd/daemon.h"
#include "cmd/source.h"
#include "replay/internal.h"
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

int cmd_update_schema_mappings(int argc, char **argv)
{
	struct cmd_args a;
	int arc = cmd_args_parse(&a, argc, argv, NULL, NULL, NULL, usage);
	if (arc)
		return arc == CMD_HELP ? 0 : arc;
	struct config cfg;
	if (cmd_config_open(a.config, &cfg))
		return 1;
	const struct cfg_source *src = cmd_source_find(&cfg, a.source);
	if (!src) {
		config_release(&cfg);
		return 1;
	}
	int status = 1;
	char pname[300], err[1024];
	cmd_pid_name(pname, sizeof(pname), a.config, src->name);
	pid_t owner = pidfile_owner(cfg.pid_dir, pname);
	char *conninfo = config_pg_conninfo(&cfg);
	PGconn *pg = NULL;
	PGresult *r = NULL;
	struct buf sql, json;
	buf_init(&sql, 0);
	buf_init(&json, 0);
	if (owner) {
		fprintf(stderr, "chameleon: the replica of '%s' is running (pid %ld): "
				"stop_replica first\n", src->name, (long)owner);
		goto out;
	}
	pg = PQconnectdb(conninfo);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "chameleon: cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
		goto out;
	}
	struct err e = {0};
	if (rp_catalog_require(pg, &e)) {
		fprintf(stderr, "chameleon: %s\n", e.msg);
		goto out;
	}
	const char *v[1] = {src->name};
	r = PQexecParams(pg, "SELECT m.key, m.value FROM sch_chameleon.t_sources s, "
			     "jsonb_each_text(s.schema_mappings) m WHERE s.source_name = $1",
			 1, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "chameleon: %s", PQresultErrorMessage(r));
		goto out;
	}
	buf_putl(&sql, "BEGIN;\n");
	buf_putc(&json, '{');
	int renamed = 0;
	for (size_t i = 0; i < src->n_mappings; i++) {
		const char *ms = src->mappings[i].mysql_schema, *ps = src->mappings[i].pg_schema;
		const char *old = NULL;
		for (int k = 0; k < PQntuples(r); k++)
			if (!strcmp(PQgetvalue(r, k, 0), ms))
				old = PQgetvalue(r, k, 1);
		if (i)
			buf_putl(&json, ", ");
		/* JSON strings: quotes and backslashes escaped (names hold no
		 * control characters: the configuration refuses them) */
		buf_putc(&json, '"');
		for (const char *p = ms; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&json, '\\');
			buf_putc(&json, *p);
		}
		buf_putl(&json, "\": \"");
		for (const char *p = ps; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&json, '\\');
			buf_putc(&json, *p);
		}
		buf_putc(&json, '"');
		if (!old) {
			printf("%s -> %s: newly mapped, nothing in PostgreSQL yet: copy it with "
			       "refresh_schema --schema %s\n", ms, ps, ms);
			continue;
		}
		if (!strcmp(old, ps)) {
			printf("%s -> %s: unchanged\n", ms, ps);
			continue;
		}
		buf_putl(&sql, "ALTER SCHEMA ");
		rp_quote_ident(&sql, old);
		buf_putl(&sql, " RENAME TO ");
		rp_quote_ident(&sql, ps);
		buf_putl(&sql, ";\nUPDATE sch_chameleon.t_tables SET pg_schema = ");
		rp_quote_literal(&sql, ps);
		buf_putl(&sql, " WHERE source_name = ");
		rp_quote_literal(&sql, src->name);
		buf_putl(&sql, " AND schema_name = ");
		rp_quote_literal(&sql, ms);
		buf_putl(&sql, ";\n");
		printf("%s: %s renamed to %s\n", ms, old, ps);
		renamed++;
	}
	for (int k = 0; k < PQntuples(r); k++) {
		bool still = false;
		for (size_t i = 0; i < src->n_mappings; i++)
			still |= !strcmp(PQgetvalue(r, k, 0), src->mappings[i].mysql_schema);
		if (!still)
			printf("%s: no longer mapped; its tables stay in %s (drop them when no "
			       "longer needed)\n", PQgetvalue(r, k, 0), PQgetvalue(r, k, 1));
	}
	buf_putc(&json, '}');
	buf_putl(&sql, "UPDATE sch_chameleon.t_sources SET schema_mappings = ");
	rp_quote_literal(&sql, buf_cstr(&json));
	buf_putl(&sql, "::jsonb WHERE source_name = ");
	rp_quote_literal(&sql, src->name);
	buf_putl(&sql, ";\nCOMMIT;");
	if (rp_pg_exec(pg, buf_cstr(&sql), err, sizeof(err))) {
		fprintf(stderr, "chameleon: updating the schema mappings: %s\n", err);
		PQclear(PQexec(pg, "ROLLBACK"));
		goto out;
	}
	printf("schema mappings of '%s' updated: %d schema(s) renamed\n", src->name, renamed);
	status = 0;
out:
	PQclear(r);
	if (pg)
		PQfinish(pg);
	buf_release(&sql);
	buf_release(&json);
	free(conninfo);
	config_release(&cfg);
	return status;
}
