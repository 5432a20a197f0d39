/*
 * The catalog: schema sch_chameleon in the target database, versioned,
 * and the commands' connection to it (struct rp_catalog).
 *
 * Each entry of migrations[] takes the catalog from version i to i + 1;
 * rp_catalog_upgrade() applies the missing ones in one transaction under
 * an advisory lock, so two processes starting at once cannot both
 * migrate, and a failed migration leaves the previous version intact.
 * Version 1 is what the first replication code created; existing
 * catalogs are upgraded in place, never recreated.  The statements on
 * sources, status and errors are in catalog_sources.c and
 * catalog_status.c, those of detach_replica and update_schema_mappings
 * in detach.c and mappings.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/xalloc.h"
#include "replay/internal.h"
#include "replay/replay.h"

static const char *const migrations[] = {
	/* 0 -> 1: sources, positions, disabled tables, error log */
	"CREATE SCHEMA IF NOT EXISTS sch_chameleon;"
	"CREATE TABLE IF NOT EXISTS sch_chameleon.t_version ("
	"  version integer NOT NULL);"
	"INSERT INTO sch_chameleon.t_version SELECT 0 "
	"  WHERE NOT EXISTS (SELECT 1 FROM sch_chameleon.t_version);"
	"CREATE TABLE IF NOT EXISTS sch_chameleon.t_sources ("
	"  source_name text PRIMARY KEY,"
	"  status text NOT NULL DEFAULT 'ready',"
	"  binlog_file text NOT NULL DEFAULT '',"
	"  binlog_position bigint NOT NULL DEFAULT 0,"
	"  gtid text,"
	"  applied_at timestamptz,"
	"  rows_applied bigint NOT NULL DEFAULT 0,"
	"  transactions_applied bigint NOT NULL DEFAULT 0,"
	"  zero_dates bigint NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS sch_chameleon.t_disabled_tables ("
	"  source_name text NOT NULL, schema_name text NOT NULL,"
	"  table_name text NOT NULL, disabled_at timestamptz NOT NULL DEFAULT now(),"
	"  PRIMARY KEY (source_name, schema_name, table_name));"
	"CREATE TABLE IF NOT EXISTS sch_chameleon.t_error_log ("
	"  log_id bigserial PRIMARY KEY, source_name text NOT NULL,"
	"  schema_name text, table_name text, error text NOT NULL,"
	"  statement text, binlog_file text, binlog_position bigint,"
	"  logged_at timestamptz NOT NULL DEFAULT now());",

	/* 1 -> 2: what show_status, init_replica and detach_replica need */
	"ALTER TABLE sch_chameleon.t_sources"
	"  ADD COLUMN schema_mappings jsonb NOT NULL DEFAULT '{}',"
	"  ADD COLUMN source_type text NOT NULL DEFAULT 'mysql',"
	"  ADD COLUMN error text,"
	"  ADD COLUMN status_at timestamptz NOT NULL DEFAULT now(),"
	"  ADD COLUMN received_at timestamptz,"		/* wall clock, last event read */
	"  ADD COLUMN received_event_at timestamptz,"	/* its source timestamp */
	"  ADD COLUMN applied_event_at timestamptz,"	/* source time of the last applied commit */
	"  ADD COLUMN read_lag double precision,"
	"  ADD COLUMN replay_lag double precision,"
	"  ADD COLUMN init_started_at timestamptz,"
	"  ADD COLUMN init_finished_at timestamptz,"
	"  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();"
	"CREATE TABLE sch_chameleon.t_tables ("
	"  source_name text NOT NULL REFERENCES sch_chameleon.t_sources"
	"    ON DELETE CASCADE,"
	"  schema_name text NOT NULL, table_name text NOT NULL,"
	"  pg_schema text NOT NULL,"
	"  key_columns text[] NOT NULL DEFAULT '{}',"
	"  key_kind text NOT NULL DEFAULT 'primary',"	/* primary|unique|all */
	"  rows_copied bigint NOT NULL DEFAULT 0,"
	"  inserts bigint NOT NULL DEFAULT 0,"
	"  updates bigint NOT NULL DEFAULT 0,"
	"  deletes bigint NOT NULL DEFAULT 0,"
	"  copied_at timestamptz,"
	"  PRIMARY KEY (source_name, schema_name, table_name));"
	"ALTER TABLE sch_chameleon.t_error_log ADD COLUMN row_data text;"
	"DELETE FROM sch_chameleon.t_disabled_tables d WHERE NOT EXISTS"
	"  (SELECT 1 FROM sch_chameleon.t_sources s WHERE s.source_name = d.source_name);"
	"ALTER TABLE sch_chameleon.t_disabled_tables ADD FOREIGN KEY (source_name)"
	"  REFERENCES sch_chameleon.t_sources ON DELETE CASCADE;",

	/* 2 -> 3: sync_tables' per-table snapshot position: changes of the
	 * table at or before it are in the copy, replication skips them */
	"ALTER TABLE sch_chameleon.t_tables"
	"  ADD COLUMN sync_file text,"
	"  ADD COLUMN sync_position bigint;",

	/* 3 -> 4: the last position received, beside the applied one
	 * (binlog_file, binlog_position): show_status's replay lag is 0
	 * when they are equal */
	"ALTER TABLE sch_chameleon.t_sources"
	"  ADD COLUMN received_file text NOT NULL DEFAULT '',"
	"  ADD COLUMN received_position bigint NOT NULL DEFAULT 0;",

	/* 4 -> 5: init_replica's progress, for show_status during the copy */
	"ALTER TABLE sch_chameleon.t_sources ADD COLUMN init_progress text;",

	/* 5 -> 6: DDL replication (docs/ddl.md): how many statements were
	 * applied, the last one for show_status, and every one in t_ddl_log */
	"ALTER TABLE sch_chameleon.t_sources"
	"  ADD COLUMN ddl_applied bigint NOT NULL DEFAULT 0,"
	"  ADD COLUMN last_ddl text,"
	"  ADD COLUMN last_ddl_at timestamptz;"
	"CREATE TABLE sch_chameleon.t_ddl_log ("
	"  ddl_id bigserial PRIMARY KEY,"
	"  source_name text NOT NULL REFERENCES sch_chameleon.t_sources"
	"    ON DELETE CASCADE,"
	"  summary text NOT NULL, statement text NOT NULL,"
	"  binlog_file text NOT NULL, binlog_position bigint NOT NULL,"
	"  applied_at timestamptz NOT NULL DEFAULT now());"
	/* a table waiting to be copied again (RP_COPY): the copy is made
	 * when the replica starts again, also after a crash */
	"ALTER TABLE sch_chameleon.t_disabled_tables"
	"  ADD COLUMN copy_again boolean NOT NULL DEFAULT false;",

	/* 6 -> 7: the identity of the server the stored position belongs
	 * to (@@server_id, MySQL's @@server_uuid), recorded by init_replica
	 * with its snapshot (by the first start_replica for a source
	 * initialised before) and checked at every connection:
	 * a different server behind the same address is refused
	 * (docs/operations.md) */
	"ALTER TABLE sch_chameleon.t_sources"
	"  ADD COLUMN source_server_id bigint,"
	"  ADD COLUMN source_server_uuid text;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

void rp_quote_ident(struct buf *b, const char *id)
{
	buf_putc(b, '"');
	for (; *id; id++) {
		if (*id == '"')
			buf_putc(b, '"');
		buf_putc(b, *id);
	}
	buf_putc(b, '"');
}

void rp_quote_literal(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(b, '\'');
		buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

int rp_pg_exec(PGconn *pg, const char *sql, char *err, size_t n)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		snprintf(err, n, "%s", PQresultErrorMessage(r));
		size_t k = strlen(err);
		while (k && err[k - 1] == '\n')
			err[--k] = 0;
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int rp_catalog_latest(void)
{
	return NMIGRATIONS;
}

static int exec(PGconn *pg, const char *sql, struct err *e)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

int rp_catalog_version(PGconn *pg, int *version, struct err *e)
{
	*version = 0;
	PGresult *r = PQexec(pg,
		"SELECT CASE WHEN to_regclass('sch_chameleon.t_version') IS NULL "
		"THEN -1 END");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	} else if (PQgetisnull(r, 0, 0)) {
		PQclear(r);
		r = PQexec(pg, "SELECT max(version) FROM sch_chameleon.t_version");
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
		else
			*version = atoi(PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return rc;
}

int rp_catalog_upgrade(PGconn *pg, int *from, struct err *e)
{
	int rc = exec(pg, "BEGIN; SELECT pg_advisory_xact_lock(7171717171)", e);
	if (rc)
		return rc;
	int v = 0;
	rc = rp_catalog_version(pg, &v, e);
	if (from)
		*from = v;
	if (!rc && v > NMIGRATIONS)
		rc = err_set(e, ERR_PG,
			     "the catalog sch_chameleon is at version %d, newer than "
			     "this chameleon knows (%d): upgrade chameleon", v, NMIGRATIONS);
	for (int i = v; !rc && i < NMIGRATIONS; i++) {
		rc = exec(pg, migrations[i], e);
		if (rc) {
			char m[sizeof(e->msg)];
			snprintf(m, sizeof(m), "%s", e->msg);
			err_clear(e);
			rc = err_set(e, ERR_PG, "catalog migration %d -> %d failed: %s",
				     i, i + 1, m);
		}
	}
	if (!rc && v < NMIGRATIONS) {
		char sql[96];
		snprintf(sql, sizeof(sql), "UPDATE sch_chameleon.t_version SET version = %d",
			 NMIGRATIONS);
		rc = exec(pg, sql, e);
	}
	struct err ignore = {0};
	if (rc)
		(void)exec(pg, "ROLLBACK", &ignore);
	else
		rc = exec(pg, "COMMIT", e);
	return rc;
}

int rp_catalog_require(PGconn *pg, struct err *e)
{
	int v = 0;
	int rc = rp_catalog_version(pg, &v, e);
	if (rc)
		return rc;
	if (v == 0)
		return err_set(e, ERR_CONFIG,
			       "no replica catalog in this database: run create_replica_schema");
	if (v < NMIGRATIONS)
		return rp_catalog_upgrade(pg, NULL, e);
	if (v > NMIGRATIONS)
		return err_set(e, ERR_PG,
			       "the catalog sch_chameleon is at version %d, newer than "
			       "this chameleon knows (%d): upgrade chameleon", v, NMIGRATIONS);
	return 0;
}

/* ---- the catalog commands' connection -------------------------------- */

PGresult *rp__catalog_query(struct rp_catalog *c, const char *sql, int n,
			    const char *const *params, struct err *e)
{
	/* without parameters: the simple protocol, several statements allowed */
	PGresult *r = n ? PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0)
			: PQexec(c->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	/* libpq's messages end with a newline: drop it */
	size_t len = strlen(e->msg);
	while (len && (e->msg[len - 1] == '\n' || e->msg[len - 1] == ' '))
		e->msg[--len] = 0;
	PQclear(r);
	return NULL;
}

int rp__catalog_run(struct rp_catalog *c, const char *sql, int n,
		    const char *const *params, struct err *e)
{
	PGresult *r = rp__catalog_query(c, sql, n, params, e);
	if (!r)
		return -ERR_PG;
	PQclear(r);
	return 0;
}

int rp_catalog_open(struct rp_catalog **out, const char *conninfo, struct err *e)
{
	*out = NULL;
	struct rp_catalog *c = xcalloc(1, sizeof(*c));
	arena_init(&c->mem, 16 * 1024);
	c->pg = PQconnectdb(conninfo);
	rp__pg_notices(c->pg);
	int rc = 0;
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* libpq's message never holds the password */
		rc = err_set(e, ERR_PG, "cannot connect to PostgreSQL: %s",
			     PQerrorMessage(c->pg));
		size_t len = strlen(e->msg);
		while (len && e->msg[len - 1] == '\n')
			e->msg[--len] = 0;
	} else {
		rc = rp__catalog_run(c, "SET client_encoding = 'UTF8'; SET timezone = 'UTC'; "
				     "SET client_min_messages = warning", 0, NULL, e);
	}
	if (rc) {
		rp_catalog_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void rp_catalog_close(struct rp_catalog *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	arena_release(&c->mem);
	free(c);
}

int rp_catalog_get_version(struct rp_catalog *c, int *version, struct err *e)
{
	return rp_catalog_version(c->pg, version, e);
}

int rp_catalog_migrate(struct rp_catalog *c, int *from, struct err *e)
{
	return rp_catalog_upgrade(c->pg, from, e);
}

int rp_catalog_check(struct rp_catalog *c, struct err *e)
{
	return rp_catalog_require(c->pg, e);
}

int rp_catalog_drop(struct rp_catalog *c, bool *existed, struct err *e)
{
	int v = 0;
	int rc = rp_catalog_version(c->pg, &v, e);
	if (rc)
		return rc;
	*existed = v > 0;
	/* the replicated schemas are kept, as pg_chameleon does */
	return rp__catalog_run(c, "DROP SCHEMA IF EXISTS sch_chameleon CASCADE", 0, NULL, e);
}

/*
 * A PostgreSQL array literal ({"a","b"}) of n strings, for $n::text[]
 * parameters: every element quoted, '"' and '\\' escaped.
 */
void rp__array_literal(struct buf *b, const char *const *v, size_t n)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, ',');
		buf_putc(b, '"');
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(b, '\\');
			buf_putc(b, *p);
		}
		buf_putc(b, '"');
	}
	buf_putc(b, '}');
}

