/*
 * The catalog: schema sch_chameleon in the target database, versioned.
 *
 * Each entry of migrations[] takes the catalog from version i to i + 1;
 * rp_catalog_upgrade() applies the missing ones in one transaction under
 * an advisory lock, so two processes starting at once cannot both
 * migrate, and a failed migration leaves the previous version intact.
 * Version 1 is what the first replication code created; existing
 * catalogs are upgraded in place, never recreated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/arena.h"
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

struct rp_catalog {
	PGconn *pg;
	struct arena mem;	/* results of the last status or errors call */
};

/* A statement with text parameters; NULL (and e set) on failure. */
static PGresult *query(struct rp_catalog *c, const char *sql, int n,
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

static int run(struct rp_catalog *c, const char *sql, int n,
	       const char *const *params, struct err *e)
{
	PGresult *r = query(c, sql, n, params, e);
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
	int rc = 0;
	if (PQstatus(c->pg) != CONNECTION_OK) {
		/* libpq's message never holds the password */
		rc = err_set(e, ERR_PG, "cannot connect to PostgreSQL: %s",
			     PQerrorMessage(c->pg));
		size_t len = strlen(e->msg);
		while (len && e->msg[len - 1] == '\n')
			e->msg[--len] = 0;
	} else {
		rc = run(c, "SET client_encoding = 'UTF8'; SET timezone = 'UTC'; "
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

int rp_catalog_drop(struct rp_catalog *c, bool *existed, struct err *e)
{
	int v = 0;
	int rc = rp_catalog_version(c->pg, &v, e);
	if (rc)
		return rc;
	*existed = v > 0;
	/* the replicated schemas are kept, as pg_chameleon does */
	return run(c, "DROP SCHEMA IF EXISTS sch_chameleon CASCADE", 0, NULL, e);
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

/* The mappings as two array literals (origin schemas, destination schemas). */
static void mapping_arrays(const struct rp_mapping *m, size_t n, struct buf *from,
			   struct buf *to)
{
	const char **a = xcalloc(n + 1, sizeof(*a));
	const char **b = xcalloc(n + 1, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		a[i] = m[i].mysql_schema;
		b[i] = m[i].pg_schema;
	}
	rp__array_literal(from, a, n);
	rp__array_literal(to, b, n);
	free(a);
	free(b);
}

int rp_catalog_source_add(struct rp_catalog *c, const char *name, const char *type,
			  const struct rp_mapping *m, size_t n, struct err *e)
{
	int rc = rp_catalog_require(c->pg, e);
	if (rc)
		return rc;
	struct buf from, to;
	buf_init(&from, 0);
	buf_init(&to, 0);
	mapping_arrays(m, n, &from, &to);
	rc = run(c, "BEGIN; LOCK TABLE sch_chameleon.t_sources IN EXCLUSIVE MODE",
		 0, NULL, e);
	const char *p1[1] = {name};
	PGresult *r = rc ? NULL : query(c,
		"SELECT 1 FROM sch_chameleon.t_sources WHERE source_name = $1", 1, p1, e);
	if (!r && !rc)
		rc = -ERR_PG;
	if (r && PQntuples(r) > 0)
		rc = err_set(e, ERR_CONFIG, "source '%s' is already in the catalog", name);
	PQclear(r);
	r = NULL;
	/* a destination schema belongs to one source only (as in pg_chameleon) */
	const char *p2[2] = {name, buf_cstr(&to)};
	if (!rc)
		r = query(c, "SELECT m.value, s.source_name FROM sch_chameleon.t_sources s, "
			  "jsonb_each_text(s.schema_mappings) m "
			  "WHERE s.source_name <> $1 AND m.value = ANY ($2::text[]) "
			  "ORDER BY 1 LIMIT 1", 2, p2, e);
	if (!rc && !r)
		rc = -ERR_PG;
	if (r && PQntuples(r) > 0)
		rc = err_set(e, ERR_CONFIG, "schema '%s' is already replicated by source '%s'",
			     PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
	const char *p3[4] = {name, type ? type : "mysql", buf_cstr(&from), buf_cstr(&to)};
	if (!rc)
		rc = run(c, "INSERT INTO sch_chameleon.t_sources (source_name, source_type, "
			 "schema_mappings, status) VALUES ($1, $2, "
			 "jsonb_object($3::text[], $4::text[]), 'ready')", 4, p3, e);
	struct err ignore = {0};
	if (rc)
		(void)run(c, "ROLLBACK", 0, NULL, &ignore);
	else
		rc = run(c, "COMMIT", 0, NULL, e);
	buf_release(&from);
	buf_release(&to);
	return rc;
}

/* An UPDATE or DELETE of one source; an error when there is no such source. */
static int one_source(struct rp_catalog *c, const char *sql, int n,
		      const char *const *params, struct err *e)
{
	int rc = rp_catalog_require(c->pg, e);
	if (rc)
		return rc;
	PGresult *r = query(c, sql, n, params, e);
	if (!r)
		return -ERR_PG;
	bool found = atoi(PQcmdTuples(r)) > 0;
	PQclear(r);
	if (!found)
		return err_set(e, ERR_CONFIG, "no source '%s' in the catalog", params[0]);
	return 0;
}

int rp_catalog_source_drop(struct rp_catalog *c, const char *name, struct err *e)
{
	const char *p[1] = {name};
	/* t_tables, t_disabled_tables follow by their foreign keys */
	int rc = one_source(c, "DELETE FROM sch_chameleon.t_sources WHERE source_name = $1",
			    1, p, e);
	if (!rc)
		rc = run(c, "DELETE FROM sch_chameleon.t_error_log WHERE source_name = $1",
			 1, p, e);
	return rc;
}

int rp_catalog_source_set_status(struct rp_catalog *c, const char *name,
				 const char *status, const char *error, struct err *e)
{
	const char *p[3] = {name, status, error};
	return one_source(c, "UPDATE sch_chameleon.t_sources SET status = $2, error = $3, "
			  "status_at = now() WHERE source_name = $1", 3, p, e);
}

int rp_catalog_source_get(struct rp_catalog *c, const char *name,
			  struct rp_source_state *st, struct err *e)
{
	memset(st, 0, sizeof(*st));
	int v = 0;
	int rc = rp_catalog_version(c->pg, &v, e);
	if (rc || v == 0)
		return rc;	/* no catalog: no source */
	if (v < 2)
		return 0;	/* status came with version 2; upgraded when opened */
	const char *p[1] = {name};
	PGresult *r = query(c, "SELECT status, coalesce(error, '') FROM "
			    "sch_chameleon.t_sources WHERE source_name = $1", 1, p, e);
	if (!r)
		return -ERR_PG;
	if (PQntuples(r) == 1) {
		st->found = true;
		snprintf(st->status, sizeof(st->status), "%s", PQgetvalue(r, 0, 0));
		snprintf(st->error, sizeof(st->error), "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return 0;
}

/* A column as an arena string, or NULL for SQL NULL. */
static const char *col(struct rp_catalog *c, PGresult *r, int row, int k)
{
	if (PQgetisnull(r, row, k))
		return NULL;
	return arena_strndup(&c->mem, PQgetvalue(r, row, k),
			     (size_t)PQgetlength(r, row, k));
}

static uint64_t col_u64(PGresult *r, int row, int k)
{
	return PQgetisnull(r, row, k) ? 0 : strtoull(PQgetvalue(r, row, k), NULL, 10);
}

static bool col_double(PGresult *r, int row, int k, double *out)
{
	if (PQgetisnull(r, row, k))
		return false;
	*out = strtod(PQgetvalue(r, row, k), NULL);
	return true;
}

/* ISO 8601 in UTC, to the second: "2024-05-01T12:00:00Z" */
#define TS(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * The lags, as docs/replication.md defines them.  A running replica
 * reports at least every 10 s; a report older than 30 s, or from a
 * replica no longer running, no longer proves it is caught up.
 */
static const char status_sql[] =
	"SELECT source_name, source_type, status, error, " TS("status_at") ", "
	"  schema_mappings::text, binlog_file, binlog_position, " TS("applied_at") ", "
	"  " TS("applied_event_at") ", received_file, received_position, "
	"  " TS("received_at") ", " TS("received_event_at") ", "
	"  caught_up, "
	"  CASE WHEN caught_up THEN 0 WHEN received_event_at IS NOT NULL "
	"    THEN greatest(0, extract(epoch FROM now() - received_event_at)) END, "
	"  CASE WHEN received_file = '' THEN NULL "
	"    WHEN received_file = binlog_file AND received_position = binlog_position THEN 0 "
	"    WHEN coalesce(applied_event_at, received_event_at) IS NOT NULL "
	"    THEN greatest(0, extract(epoch FROM now() - "
	"                  coalesce(applied_event_at, received_event_at))) END, "
	"  extract(epoch FROM now() - received_at), "
	"  rows_applied, transactions_applied, zero_dates, " TS("created_at") ", "
	"  init_progress "
	"FROM (SELECT *, coalesce(status = 'running' AND read_lag = 0 AND "
	"             received_at >= now() - interval '30 seconds', false) AS caught_up "
	"      FROM sch_chameleon.t_sources "
	"      WHERE $1::text IS NULL OR source_name = $1) s "
	"ORDER BY source_name";

int rp_catalog_status(struct rp_catalog *c, const char *source,
		      struct rp_source_status **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	arena_reset(&c->mem);
	int rc = rp_catalog_require(c->pg, e);
	if (rc)
		return rc;
	const char *p[1] = {source};
	PGresult *r = query(c, status_sql, 1, p, e);
	if (!r)
		return -ERR_PG;
	int ns = PQntuples(r);
	struct rp_source_status *v = arena_calloc(&c->mem, (size_t)ns + 1, sizeof(*v));
	for (int i = 0; i < ns; i++) {
		struct rp_source_status *s = &v[i];
		int k = 0;
		s->name = col(c, r, i, k++);
		s->type = col(c, r, i, k++);
		s->status = col(c, r, i, k++);
		s->error = col(c, r, i, k++);
		s->status_at = col(c, r, i, k++);
		s->mappings = col(c, r, i, k++);
		s->applied_file = col(c, r, i, k++);
		s->applied_pos = col_u64(r, i, k++);
		s->applied_at = col(c, r, i, k++);
		s->applied_event_at = col(c, r, i, k++);
		s->received_file = col(c, r, i, k++);
		s->received_pos = col_u64(r, i, k++);
		s->received_at = col(c, r, i, k++);
		s->received_event_at = col(c, r, i, k++);
		s->caught_up = !strcmp(PQgetvalue(r, i, k++), "t");
		s->has_read_lag = col_double(r, i, k++, &s->read_lag);
		s->has_replay_lag = col_double(r, i, k++, &s->replay_lag);
		s->has_report_age = col_double(r, i, k++, &s->report_age);
		s->rows = col_u64(r, i, k++);
		s->transactions = col_u64(r, i, k++);
		s->zero_dates = col_u64(r, i, k++);
		s->created_at = col(c, r, i, k++);
		s->init_progress = col(c, r, i, k++);
	}
	PQclear(r);
	for (int i = 0; i < ns; i++) {
		struct rp_source_status *s = &v[i];
		const char *q[1] = {s->name};
		r = query(c, "SELECT schema_name, table_name, pg_schema, inserts, updates, "
			  "deletes, rows_copied FROM sch_chameleon.t_tables WHERE source_name = $1 "
			  "ORDER BY schema_name, table_name", 1, q, e);
		if (!r)
			return -ERR_PG;
		s->ntables = (size_t)PQntuples(r);
		s->tables = arena_calloc(&c->mem, s->ntables + 1, sizeof(*s->tables));
		for (size_t j = 0; j < s->ntables; j++) {
			struct rp_table_counts *t = &s->tables[j];
			t->schema = col(c, r, (int)j, 0);
			t->table = col(c, r, (int)j, 1);
			t->pg_schema = col(c, r, (int)j, 2);
			t->inserts = col_u64(r, (int)j, 3);
			t->updates = col_u64(r, (int)j, 4);
			t->deletes = col_u64(r, (int)j, 5);
			t->rows_copied = col_u64(r, (int)j, 6);
		}
		PQclear(r);
		/* each disabled table with the latest error logged for it */
		r = query(c, "SELECT d.schema_name, d.table_name, " TS("d.disabled_at") ", "
			  "  l.log_id, regexp_replace(split_part(l.error, E'\\n', 1), '^ERROR: +', '') "
			  "FROM sch_chameleon.t_disabled_tables d "
			  "LEFT JOIN LATERAL (SELECT log_id, error FROM sch_chameleon.t_error_log l "
			  "  WHERE l.source_name = d.source_name AND l.schema_name = d.schema_name "
			  "  AND l.table_name = d.table_name ORDER BY log_id DESC LIMIT 1) l ON true "
			  "WHERE d.source_name = $1 ORDER BY 1, 2", 1, q, e);
		if (!r)
			return -ERR_PG;
		s->ndisabled = (size_t)PQntuples(r);
		s->disabled = arena_calloc(&c->mem, s->ndisabled + 1, sizeof(*s->disabled));
		for (size_t j = 0; j < s->ndisabled; j++) {
			struct rp_disabled_table *t = &s->disabled[j];
			t->schema = col(c, r, (int)j, 0);
			t->table = col(c, r, (int)j, 1);
			t->disabled_at = col(c, r, (int)j, 2);
			t->log_id = (int64_t)col_u64(r, (int)j, 3);
			t->error = col(c, r, (int)j, 4);
		}
		PQclear(r);
	}
	*out = v;
	*n = (size_t)ns;
	return 0;
}

int rp_catalog_errors(struct rp_catalog *c, const char *source, int64_t id,
		      struct rp_error_entry **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	arena_reset(&c->mem);
	int rc = rp_catalog_require(c->pg, e);
	if (rc)
		return rc;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	const char *p[2] = {source, id > 0 ? idbuf : NULL};
	PGresult *r = query(c,
		"SELECT log_id, " TS("logged_at") ", source_name, schema_name, table_name, "
		"  error, statement, row_data, binlog_file, binlog_position "
		"FROM sch_chameleon.t_error_log "
		"WHERE ($1::text IS NULL OR source_name = $1) "
		"  AND ($2::bigint IS NULL OR log_id = $2) ORDER BY log_id", 2, p, e);
	if (!r)
		return -ERR_PG;
	size_t nr = (size_t)PQntuples(r);
	struct rp_error_entry *v = arena_calloc(&c->mem, nr + 1, sizeof(*v));
	for (size_t i = 0; i < nr; i++) {
		int row = (int)i;
		v[i].id = (int64_t)col_u64(r, row, 0);
		v[i].logged_at = col(c, r, row, 1);
		v[i].source = col(c, r, row, 2);
		v[i].schema = col(c, r, row, 3);
		v[i].table = col(c, r, row, 4);
		v[i].error = col(c, r, row, 5);
		v[i].statement = col(c, r, row, 6);
		v[i].row_data = col(c, r, row, 7);
		v[i].binlog_file = col(c, r, row, 8);
		v[i].has_pos = !PQgetisnull(r, row, 9);
		v[i].binlog_pos = col_u64(r, row, 9);
	}
	PQclear(r);
	*out = v;
	*n = nr;
	return 0;
}
