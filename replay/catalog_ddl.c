/*
 * The sch_chameleon side of a DDL statement applied by the sink
 * (docs/ddl.md): t_tables follows tables created, renamed and dropped,
 * and the replica key of a table whose keys changed; t_sources and
 * t_ddl_log record what was applied.  Every statement goes into the open
 * transaction, committed with the position after the DDL.
 */
#include <stdio.h>
#include <string.h>

#include "replay/internal.h"

/* The replica key of PostgreSQL's table $4.$3 as it is now (the primary
 * key, else a unique index over NOT NULL columns, else every column),
 * recorded for source table $2.$3 under source $1; $5 the table name in
 * PostgreSQL. */
static const char table_sql[] =
	"WITH rel AS (SELECT c.oid FROM pg_catalog.pg_class c "
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"  WHERE n.nspname = $4 AND c.relname = $5), "
	"k AS (SELECT CASE WHEN i.indisprimary THEN 'primary' ELSE 'unique' END AS kind, "
	"  array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY "
	"    AS x(n, o) JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid "
	"    AND a.attnum = x.n ORDER BY x.o) AS cols "
	"  FROM pg_catalog.pg_index i JOIN rel ON i.indrelid = rel.oid "
	"  WHERE i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL "
	"  AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey::int2[]) AS y(n) "
	"    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = y.n "
	"    WHERE NOT a.attnotnull) "
	"  ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1), "
	"allc AS (SELECT array(SELECT a.attname::text FROM pg_catalog.pg_attribute a "
	"  JOIN rel ON a.attrelid = rel.oid WHERE a.attnum > 0 AND NOT a.attisdropped "
	"  ORDER BY a.attnum) AS cols) "
	"INSERT INTO sch_chameleon.t_tables AS t (source_name, schema_name, table_name, "
	"  pg_schema, key_columns, key_kind) "
	"SELECT $1, $2, $3, $4, coalesce((SELECT cols FROM k), (SELECT cols FROM allc)), "
	"  coalesce((SELECT kind FROM k), 'all') "
	"ON CONFLICT (source_name, schema_name, table_name) DO UPDATE SET "
	"  pg_schema = excluded.pg_schema, key_columns = excluded.key_columns, "
	"  key_kind = excluded.key_kind";

static int send(struct rp_sink *s, const char *sql, int n, const char *const *v,
		struct err *e)
{
	int rc = rp__begin(s, e);
	return rc ? rc : rp__sink_send(s, sql, n, v, e);
}

int rp__catalog_ddl_table(struct rp_sink *s, const char *schema, const char *table,
			  bool created, struct err *e)
{
	const char *pg = rp__pg_schema(s, schema);
	if (!pg)
		return 0;
	const char *v[5] = {s->source, schema, table, pg, table};
	if (created) {
		/* a new table of that name: nothing of an earlier one applies */
		int rc = send(s,
			"DELETE FROM sch_chameleon.t_tables WHERE source_name = $1 "
			"AND schema_name = $2 AND table_name = $3", 3, v, e);
		if (rc)
			return rc;
	}
	return send(s, table_sql, 5, v, e);
}

int rp__catalog_ddl_drop(struct rp_sink *s, const char *schema, const char *table,
			 struct err *e)
{
	const char *v[3] = {s->source, schema, table};
	int rc = send(s,
		"DELETE FROM sch_chameleon.t_tables WHERE source_name = $1 "
		"AND schema_name = $2 AND table_name = $3", 3, v, e);
	return rc ? rc : send(s,
		"DELETE FROM sch_chameleon.t_disabled_tables WHERE source_name = $1 "
		"AND schema_name = $2 AND table_name = $3", 3, v, e);
}

int rp__catalog_ddl_rename(struct rp_sink *s, const char *schema, const char *table,
			   const char *to_schema, const char *to_table, struct err *e)
{
	const char *pg = rp__pg_schema(s, to_schema);
	if (!pg)
		return rp__catalog_ddl_drop(s, schema, table, e);
	int rc = rp__catalog_ddl_drop(s, to_schema, to_table, e);
	if (rc)
		return rc;
	const char *v[6] = {s->source, schema, table, to_schema, to_table, pg};
	rc = send(s,
		"UPDATE sch_chameleon.t_tables SET schema_name = $4, table_name = $5, "
		"pg_schema = $6 WHERE source_name = $1 AND schema_name = $2 "
		"AND table_name = $3", 6, v, e);
	/* the key is read again: the row may not have existed */
	return rc ? rc : rp__catalog_ddl_table(s, to_schema, to_table, false, e);
}

int rp__catalog_copy_again(struct rp_sink *s, const char *schema, const char *table,
			   struct err *e)
{
	const char *v[3] = {s->source, schema, table};
	return send(s,
		"UPDATE sch_chameleon.t_disabled_tables SET copy_again = true "
		"WHERE source_name = $1 AND schema_name = $2 AND table_name = $3", 3, v, e);
}

int rp__catalog_ddl_applied(struct rp_sink *s, const char *summary, const char *stmt,
			    const struct bl_pos *at, struct err *e)
{
	char pos[24];
	snprintf(pos, sizeof(pos), "%llu", (unsigned long long)at->pos);
	const char *v[5] = {s->source, summary, stmt, at->file, pos};
	int rc = send(s,
		"INSERT INTO sch_chameleon.t_ddl_log (source_name, summary, statement, "
		"binlog_file, binlog_position) VALUES ($1, $2, $3, $4, $5)", 5, v, e);
	return rc ? rc : send(s,
		"UPDATE sch_chameleon.t_sources SET ddl_applied = ddl_applied + 1, "
		"last_ddl = $2, last_ddl_at = now() WHERE source_name = $1", 2, v, e);
}
