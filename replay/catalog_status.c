/*
 * What show_status and show_errors read from the catalog: each source
 * with its positions, lags (as docs/replication.md defines them) and
 * counters, its tables and disabled tables, and the error log.  Read
 * only; the text and JSON renderings are the command's (cmd/status.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "replay/internal.h"
#include "replay/replay.h"

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
	"  caught_up, extract(epoch FROM now()), extract(epoch FROM received_event_at), "
	"  extract(epoch FROM applied_event_at), "
	"  extract(epoch FROM now() - received_at), "
	"  rows_applied, transactions_applied, zero_dates, " TS("created_at") ", "
	"  init_progress, ddl_applied, last_ddl, " TS("last_ddl_at") " "
	"FROM (SELECT *, coalesce(status = 'running' AND read_lag = 0 AND "
	"             received_at >= now() - interval '30 seconds', false) AS caught_up "
	"      FROM sch_chameleon.t_sources "
	"      WHERE $1::text IS NULL OR source_name = $1) s "
	"ORDER BY source_name";

void rp_status_lags(struct rp_source_status *st, double now, double received_at,
		    double applied_at, bool caught_up)
{
	st->caught_up = caught_up;
	st->has_read_lag = caught_up || received_at > 0;
	st->read_lag = caught_up || received_at <= 0 ? 0 : now - received_at;
	if (st->read_lag < 0)
		st->read_lag = 0;
	double since = applied_at > 0 ? applied_at : received_at;
	st->has_replay_lag = false;
	st->replay_lag = 0;
	if (!st->received_file || !st->received_file[0])
		return;
	if (st->applied_file && !strcmp(st->received_file, st->applied_file) &&
	    st->received_pos == st->applied_pos) {
		st->has_replay_lag = true;
	} else if (since > 0) {
		st->has_replay_lag = true;
		st->replay_lag = now > since ? now - since : 0;
	}
}

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
	PGresult *r = rp__catalog_query(c, status_sql, 1, p, e);
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
		bool caught_up = !strcmp(PQgetvalue(r, i, k++), "t");
		double now = 0, recv_at = 0, applied_at = 0;
		col_double(r, i, k++, &now);
		col_double(r, i, k++, &recv_at);
		col_double(r, i, k++, &applied_at);
		s->has_report_age = col_double(r, i, k++, &s->report_age);
		s->rows = col_u64(r, i, k++);
		s->transactions = col_u64(r, i, k++);
		s->zero_dates = col_u64(r, i, k++);
		s->created_at = col(c, r, i, k++);
		s->init_progress = col(c, r, i, k++);
		s->ddl_applied = col_u64(r, i, k++);
		s->last_ddl = col(c, r, i, k++);
		s->last_ddl_at = col(c, r, i, k++);
		rp_status_lags(s, now, recv_at, applied_at, caught_up);
	}
	PQclear(r);
	for (int i = 0; i < ns; i++) {
		struct rp_source_status *s = &v[i];
		const char *q[1] = {s->name};
		r = rp__catalog_query(c, "SELECT schema_name, table_name, pg_schema, inserts, updates, "
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
		r = rp__catalog_query(c, "SELECT d.schema_name, d.table_name, " TS("d.disabled_at") ", "
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
	PGresult *r = rp__catalog_query(c,
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

int rp_catalog_postgis(struct rp_catalog *c, bool *yes, char *version, size_t n,
		       struct err *e)
{
	*yes = false;
	if (n)
		version[0] = 0;
	PGresult *r = rp__catalog_query(c, "SELECT extversion FROM pg_catalog.pg_extension "
					   "WHERE extname = 'postgis'", 0, NULL, e);
	if (!r)
		return -ERR_PG;
	if (PQntuples(r) > 0) {
		*yes = true;
		if (n)
			snprintf(version, n, "%s", PQgetvalue(r, 0, 0));
	}
	PQclear(r);
	return 0;
}
