/*
 * The sch_chameleon statements of init_replica, sync_tables,
 * refresh_schema and copy_schema: the source registered and marked
 * 'initialising', the copy's progress, the tables taken out of
 * replication while sync_tables copies them, and the rows the swap
 * transaction writes with the snapshot position.  The catalog's schema
 * and its migrations are replay/catalog.c's; the load itself is
 * replay/load.c's.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "replay/internal.h"
#include "replay/load_int.h"
#include "replay/replay.h"

/* A statement with text parameters; -ERR_PG with PostgreSQL's message. */
static int run(struct rp_load *l, const char *sql, int n, const char *const *v,
	       PGresult **out, struct err *e)
{
	PGresult *r = PQexecParams(l->pg, sql, n, NULL, v, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorMessage(r);
		size_t k = strlen(m);
		while (k && m[k - 1] == '\n')
			k--;
		int rc = err_set(e, ERR_PG, "%.*s", (int)k, m);
		PQclear(r);
		return rc;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return 0;
}

int rp_load_catalog_prepare(struct rp_load *l, const char *source, struct err *e)
{
	int rc = rp_catalog_upgrade(l->pg, NULL, e);
	if (rc)
		return rc;
	const char *v[1] = {source};
	struct err pe = {0};
	if (run(l, "INSERT INTO sch_chameleon.t_sources (source_name) VALUES ($1) "
		   "ON CONFLICT DO NOTHING", 1, v, NULL, &pe))
		return err_set(e, ERR_PG, "registering the source '%s' in the catalog: %s",
			       source, pe.msg);
	return 0;
}

int rp_load_set_status(struct rp_load *l, const char *source, const char *status,
		       const char *error, struct err *e)
{
	const char *v[3] = {source, status, error};
	return run(l,
		"UPDATE sch_chameleon.t_sources SET status = $2, error = $3, status_at = now(), "
		"init_progress = CASE WHEN $2 = 'initialising' THEN 'starting' "
		"ELSE init_progress END, "
		"init_started_at = CASE WHEN $2 = 'initialising' THEN now() "
		"ELSE init_started_at END WHERE source_name = $1",
		3, v, NULL, e);
}

int rp_load_set_progress(struct rp_load *l, const char *source, const char *line,
			 struct err *e)
{
	const char *v[2] = {source, line};
	return run(l, "UPDATE sch_chameleon.t_sources SET init_progress = $2 "
		      "WHERE source_name = $1", 2, v, NULL, e);
}

int rp_load_source_identity(struct rp_load *l, const char *source,
			    struct rp_source_identity *id, struct err *e)
{
	memset(id, 0, sizeof(*id));
	const char *v[1] = {source};
	PGresult *r;
	int rc = run(l, rp__sql_source_identity, 1, v, &r, e);
	if (rc)
		return rc;
	rp__source_identity_read(r, id);
	PQclear(r);
	return 0;
}

int rp_load_disabled_list(struct rp_load *l, const char *source, struct arena *a,
			  const char ***names, size_t *n, struct err *e)
{
	const char *v[1] = {source};
	PGresult *r;
	int rc = run(l, "SELECT schema_name || '.' || table_name FROM "
			"sch_chameleon.t_disabled_tables WHERE source_name = $1 ORDER BY 1",
		     1, v, &r, e);
	if (rc)
		return rc;
	int k = PQntuples(r);
	const char **list = arena_calloc(a, k ? (size_t)k : 1, sizeof(*list));
	for (int i = 0; i < k; i++)
		list[i] = arena_strndup(a, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
	PQclear(r);
	*names = list;
	*n = (size_t)k;
	return 0;
}

static void source_table_values(struct buf *b, const char *source, const char *schema,
				const char *table)
{
	rp_quote_literal(b, source);
	buf_putl(b, ", ");
	rp_quote_literal(b, schema);
	buf_putl(b, ", ");
	rp_quote_literal(b, table);
}

int rp_load_disable(struct rp_load *l, const char *source,
		    const struct rp_table_def *const *t, size_t n, struct err *e)
{
	struct buf sql;
	buf_init(&sql, 0);
	buf_putl(&sql, "BEGIN;\n");
	for (size_t i = 0; i < n; i++) {
		buf_putl(&sql, "INSERT INTO sch_chameleon.t_disabled_tables (source_name, "
			       "schema_name, table_name) VALUES (");
		source_table_values(&sql, source, t[i]->schema, t[i]->name);
		buf_putl(&sql, ") ON CONFLICT DO NOTHING;\n");
	}
	buf_putl(&sql, "COMMIT;");
	int rc = rp_load_exec(l, buf_cstr(&sql), e);
	if (rc)
		rp_load_rollback(l);
	buf_release(&sql);
	return rc;
}

int rp_load_table_exists(struct rp_load *l, const struct rp_table_def *t, bool *exists,
			 struct err *e)
{
	struct buf q;
	buf_init(&q, 0);
	rp_load_table_name(&q, t, false);
	const char *v[1] = {buf_cstr(&q)};
	PGresult *r;
	int rc = run(l, "SELECT to_regclass($1) IS NOT NULL", 1, v, &r, e);
	buf_release(&q);
	if (rc)
		return rc;
	*exists = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return 0;
}

void rp_load_record_begin_sql(struct buf *b, const struct rp_load_record *r)
{
	if (r->kind != RP_LOAD_INIT)
		return;
	buf_putl(b, "DELETE FROM sch_chameleon.t_disabled_tables WHERE source_name = ");
	rp_quote_literal(b, r->source);
	buf_putl(b, ";\nDELETE FROM sch_chameleon.t_tables WHERE source_name = ");
	rp_quote_literal(b, r->source);
	buf_putl(b, ";\n");
}

/* The t_tables row: the replica key, the rows copied, and for sync_tables
 * the snapshot the copy holds (replication skips the table's changes up
 * to it). */
static void table_row_sql(struct buf *b, const struct rp_load_record *r,
			  const struct rp_table_def *t, uint64_t rows)
{
	buf_putl(b, "INSERT INTO sch_chameleon.t_tables (source_name, schema_name, "
		    "table_name, pg_schema, key_columns, key_kind, rows_copied, copied_at, "
		    "sync_file, sync_position) VALUES (");
	source_table_values(b, r->source, t->schema, t->name);
	buf_putl(b, ", ");
	rp_quote_literal(b, t->pg_schema);
	buf_putl(b, ", ARRAY[");
	for (int k = 0; k < (t->key ? t->key->ncols : t->ncols); k++) {
		if (k)
			buf_putc(b, ',');
		rp_quote_literal(b, t->key ? t->key->cols[k] : t->cols[k].name);
	}
	buf_printf(b, "]::text[], '%s', %llu, now(), ", t->key_kind, (unsigned long long)rows);
	if (r->kind == RP_LOAD_SYNC) {
		rp_quote_literal(b, r->file);
		buf_printf(b, ", %llu", (unsigned long long)r->pos);
	} else {
		buf_putl(b, "NULL, NULL");
	}
	buf_putl(b, ") ON CONFLICT (source_name, schema_name, table_name) DO UPDATE SET "
		    "pg_schema = excluded.pg_schema, key_columns = excluded.key_columns, "
		    "key_kind = excluded.key_kind, rows_copied = excluded.rows_copied, "
		    "copied_at = excluded.copied_at, sync_file = excluded.sync_file, "
		    "sync_position = excluded.sync_position;\n");
}

void rp_load_record_table_sql(struct buf *b, const struct rp_load_record *r,
			      const struct rp_table_def *t, uint64_t rows)
{
	if (r->kind == RP_LOAD_SCHEMA)
		return;
	if (r->kind == RP_LOAD_SYNC) {
		buf_putl(b, "DELETE FROM sch_chameleon.t_disabled_tables WHERE source_name = ");
		rp_quote_literal(b, r->source);
		buf_putl(b, " AND schema_name = ");
		rp_quote_literal(b, t->schema);
		buf_putl(b, " AND table_name = ");
		rp_quote_literal(b, t->name);
		buf_putl(b, ";\n");
	}
	table_row_sql(b, r, t, rows);
}

/* A literal, or NULL. */
static void literal_or_null(struct buf *b, const char *s)
{
	if (s)
		rp_quote_literal(b, s);
	else
		buf_putl(b, "NULL");
}

void rp_load_record_refused_sql(struct buf *b, const struct rp_load_record *r,
				const struct rp_table_def *t, const char *error,
				const char *statement, const char *row)
{
	if (r->kind == RP_LOAD_SCHEMA)
		return;
	buf_putl(b, "TRUNCATE ");
	rp_load_table_name(b, t, false);
	buf_putl(b, ";\nINSERT INTO sch_chameleon.t_disabled_tables (source_name, "
		    "schema_name, table_name) VALUES (");
	source_table_values(b, r->source, t->schema, t->name);
	buf_putl(b, ") ON CONFLICT (source_name, schema_name, table_name) DO UPDATE SET "
		    "copy_again = false, disabled_at = now();\n"
		    "INSERT INTO sch_chameleon.t_error_log (source_name, schema_name, "
		    "table_name, error, statement, row_data, binlog_file, binlog_position) "
		    "VALUES (");
	source_table_values(b, r->source, t->schema, t->name);
	buf_putl(b, ", ");
	rp_quote_literal(b, error);
	buf_putl(b, ", ");
	literal_or_null(b, statement);
	buf_putl(b, ", ");
	literal_or_null(b, row);
	buf_putl(b, ", ");
	rp_quote_literal(b, r->file);
	buf_printf(b, ", %llu);\n", (unsigned long long)r->pos);
}

void rp_load_record_end_sql(struct buf *b, const struct rp_load_record *r)
{
	if (r->kind != RP_LOAD_INIT)
		return;
	buf_printf(b, "UPDATE sch_chameleon.t_sources SET init_progress = 'done: %llu rows "
		      "copied in %.1f s', status = 'initialised', error = ",
		   (unsigned long long)r->rows, r->seconds);
	literal_or_null(b, r->note);
	buf_printf(b, ", status_at = now(), init_finished_at = now(), source_server_id = "
		      "%llu, source_server_uuid = ", (unsigned long long)r->server_id);
	literal_or_null(b, r->server_uuid && r->server_uuid[0] ? r->server_uuid : NULL);
	buf_putl(b, ", binlog_file = ");
	rp_quote_literal(b, r->file);
	buf_printf(b, ", binlog_position = %llu, gtid = ", (unsigned long long)r->pos);
	if (r->gtid && r->gtid[0])
		rp_quote_literal(b, r->gtid);
	else
		buf_putl(b, "NULL");
	buf_putl(b, " WHERE source_name = ");
	rp_quote_literal(b, r->source);
	buf_putl(b, ";\n");
}
