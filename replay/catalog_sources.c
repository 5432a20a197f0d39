/*
 * The catalog's sources (sch_chameleon.t_sources): registered, dropped,
 * their status set and read, their applied position read.  Positions and
 * counters are written by the sink (apply) in its own transactions; the
 * status lists of show_status are in catalog_status.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/xalloc.h"
#include "replay/internal.h"
#include "replay/replay.h"

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
	rc = rp__catalog_run(c, "BEGIN; LOCK TABLE sch_chameleon.t_sources IN EXCLUSIVE MODE",
		 0, NULL, e);
	const char *p1[1] = {name};
	PGresult *r = rc ? NULL : rp__catalog_query(c,
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
		r = rp__catalog_query(c, "SELECT m.value, s.source_name FROM sch_chameleon.t_sources s, "
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
		rc = rp__catalog_run(c, "INSERT INTO sch_chameleon.t_sources (source_name, source_type, "
			 "schema_mappings, status) VALUES ($1, $2, "
			 "jsonb_object($3::text[], $4::text[]), 'ready')", 4, p3, e);
	struct err ignore = {0};
	if (rc)
		(void)rp__catalog_run(c, "ROLLBACK", 0, NULL, &ignore);
	else
		rc = rp__catalog_run(c, "COMMIT", 0, NULL, e);
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
	PGresult *r = rp__catalog_query(c, sql, n, params, e);
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
		rc = rp__catalog_run(c, "DELETE FROM sch_chameleon.t_error_log WHERE source_name = $1",
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
	PGresult *r = rp__catalog_query(c, "SELECT status, coalesce(error, '') FROM "
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

/* A source's recorded identity (NULL server id: none recorded yet), read
 * on the catalog connection here and on the loader's (catalog_init.c). */
const char rp__sql_source_identity[] =
	"SELECT source_server_id, coalesce(source_server_uuid, '') FROM "
	"sch_chameleon.t_sources WHERE source_name = $1";

void rp__source_identity_read(PGresult *r, struct rp_source_identity *id)
{
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		id->known = true;
		id->server_id = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
		snprintf(id->server_uuid, sizeof(id->server_uuid), "%s",
			 PQgetvalue(r, 0, 1));
	}
}

int rp_catalog_source_identity(struct rp_catalog *c, const char *name,
			       struct rp_source_identity *id, struct err *e)
{
	memset(id, 0, sizeof(*id));
	const char *p[1] = {name};
	PGresult *r = rp__catalog_query(c, rp__sql_source_identity, 1, p, e);
	if (!r)
		return -ERR_PG;
	rp__source_identity_read(r, id);
	PQclear(r);
	return 0;
}

int rp_catalog_source_set_identity(struct rp_catalog *c, const char *name,
				   const struct rp_source_identity *id, struct err *e)
{
	char sid[32];
	snprintf(sid, sizeof(sid), "%llu", (unsigned long long)id->server_id);
	const char *p[3] = {name, sid, id->server_uuid[0] ? id->server_uuid : NULL};
	return one_source(c, "UPDATE sch_chameleon.t_sources SET source_server_id = $2, "
			  "source_server_uuid = $3 WHERE source_name = $1", 3, p, e);
}

int rp_catalog_source_position(struct rp_catalog *c, const char *name,
			       struct bl_pos *pos, struct err *e)
{
	bl_pos_set(pos, "", 0);
	const char *p[1] = {name};
	PGresult *r = rp__catalog_query(c, "SELECT binlog_file, binlog_position FROM "
					"sch_chameleon.t_sources WHERE source_name = $1",
					1, p, e);
	if (!r)
		return -ERR_PG;
	int rc = 0;
	if (PQntuples(r) != 1)
		rc = err_set(e, ERR_CONFIG, "source '%s' is not in the catalog", name);
	else
		bl_pos_set(pos, PQgetvalue(r, 0, 0),
			   strtoull(PQgetvalue(r, 0, 1), NULL, 10));
	PQclear(r);
	return rc;
}
