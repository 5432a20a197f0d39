/*
 * The sink's sch_chameleon statements (docs/replication.md, "The
 * catalog"): the source registered and its state read at open, the
 * position and show_status's report written in each commit, the per-table
 * counts, error log rows and tables taken out of replication.  The
 * catalog's schema and the commands' statements are catalog.c's; when
 * these statements are sent (which transaction) is the sink's decision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "replay/internal.h"

/* A catalog query with the source's name as $1. */
static int source_query(struct rp_sink *s, const char *sql, struct rp__rows_result *r,
			struct err *e)
{
	const char *p[1] = {s->source};
	return rp__pipe_query(&s->pipe, sql, 1, p, r, e);
}

/* Registered as add_source would, unless it was; mappings are recorded
 * for a source registered before they were kept. */
static int register_source(struct rp_sink *s, struct err *e)
{
	struct buf from, to;
	buf_init(&from, 0);
	buf_init(&to, 0);
	size_t n = s->o.n_mappings;
	const char **a = xcalloc(n + 1, sizeof(*a));
	const char **b = xcalloc(n + 1, sizeof(*b));
	for (size_t i = 0; i < n; i++) {
		a[i] = s->o.mappings[i].mysql_schema;
		b[i] = s->o.mappings[i].pg_schema;
	}
	rp__array_literal(&from, a, n);
	rp__array_literal(&to, b, n);
	const char *p[3] = {s->source, buf_cstr(&from), buf_cstr(&to)};
	struct rp__rows_result r;
	int rc = rp__pipe_query(&s->pipe,
		"INSERT INTO sch_chameleon.t_sources AS s (source_name, schema_mappings) "
		"VALUES ($1, jsonb_object($2::text[], $3::text[])) "
		"ON CONFLICT (source_name) DO UPDATE SET schema_mappings = "
		"excluded.schema_mappings WHERE s.schema_mappings = '{}'",
		3, p, &r, e);
	rp__rows_result_release(&r);
	free(a);
	free(b);
	buf_release(&from);
	buf_release(&to);
	return rc;
}

static int load_position(struct rp_sink *s, struct err *e)
{
	struct rp__rows_result r;
	int rc = source_query(s,
		"SELECT binlog_file, binlog_position, status, rows_applied, "
		"transactions_applied, extract(epoch FROM received_event_at), "
		"extract(epoch FROM applied_event_at) FROM sch_chameleon.t_sources "
		"WHERE source_name = $1", &r, e);
	if (rc)
		return rc;
	if (r.nrows == 1) {
		const char *file = rp__rows_get(&r, 0, 0), *pos = rp__rows_get(&r, 0, 1);
		bl_pos_set(&s->stored, file ? file : "", pos ? strtoull(pos, NULL, 10) : 0);
		s->sent_at = s->stored;
		const char *v[4];
		for (int k = 0; k < 4; k++)
			v[k] = rp__rows_get(&r, 0, 3 + k);
		s->rows_total = v[0] ? strtoull(v[0], NULL, 10) : 0;
		s->tx_total = v[1] ? strtoull(v[1], NULL, 10) : 0;
		s->recv_epoch = v[2] ? strtod(v[2], NULL) : 0;
		s->applied_epoch = v[3] ? strtod(v[3], NULL) : 0;
		const char *status = rp__rows_get(&r, 0, 2);
		if (status && !strcmp(status, "initialising"))
			rc = err_set(e, ERR_CONFIG,
				     "source '%s' is being initialised, or its init_replica "
				     "did not finish: run init_replica again", s->source);
	} else {
		rc = err_set(e, ERR_PG, "source '%s' is not in the catalog", s->source);
	}
	rp__rows_result_release(&r);
	return rc;
}

static int load_disabled(struct rp_sink *s, struct err *e)
{
	struct rp__rows_result r;
	int rc = source_query(s,
		"SELECT schema_name || '.' || table_name, copy_again FROM "
		"sch_chameleon.t_disabled_tables WHERE source_name = $1", &r, e);
	if (rc)
		return rc;
	for (int i = 0; i < r.nrows; i++) {
		const char *k = rp__rows_get(&r, i, 0);
		if (!k)
			continue;
		buf_put(&s->disabled, k, strlen(k) + 1);
		/* a copy asked for by DDL and not made yet (a crash, a
		 * failed copy): rp_sink_copies names it */
		const char *again = rp__rows_get(&r, i, 1);
		if (again && again[0] == 't')
			buf_put(&s->copies, k, strlen(k) + 1);
	}
	rp__quarantine_committed(s, s->disabled.n, 0);
	rp__rows_result_release(&r);
	return 0;
}

static int load_synced(struct rp_sink *s, struct err *e)
{
	struct rp__rows_result r;
	int rc = source_query(s,
		"SELECT schema_name, table_name, sync_file, sync_position FROM "
		"sch_chameleon.t_tables WHERE source_name = $1 AND sync_file IS NOT NULL",
		&r, e);
	if (rc)
		return rc;
	s->synced = xcalloc(r.nrows ? (size_t)r.nrows : 1, sizeof(*s->synced));
	for (int i = 0; i < r.nrows; i++) {
		struct rp__synced *y = &s->synced[s->nsynced++];
		const char *pos = rp__rows_get(&r, i, 3);
		y->table = rp__intern(s, rp__rows_get(&r, i, 0), rp__rows_get(&r, i, 1));
		bl_pos_set(&y->at, rp__rows_get(&r, i, 2), pos ? strtoull(pos, NULL, 10) : 0);
	}
	rp__rows_result_release(&r);
	return 0;
}

/* The committed total of table key (interned), made when new. */
static size_t total_of(struct rp_sink *s, const char *key, const char *schema,
		       const char *table, const char *pg_schema)
{
	for (size_t i = 0; i < s->ntotals; i++)
		if (s->total_keys[i] == key)
			return i;
	if (s->ntotals == s->totals_cap) {
		s->totals_cap = s->totals_cap ? s->totals_cap * 2 : 16;
		s->totals = xreallocarray(s->totals, s->totals_cap, sizeof(*s->totals));
		s->total_keys = xreallocarray(s->total_keys, s->totals_cap,
					      sizeof(*s->total_keys));
	}
	struct rp_table_counts *t = &s->totals[s->ntotals];
	memset(t, 0, sizeof(*t));
	t->schema = xstrdup(schema);
	t->table = xstrdup(table);
	t->pg_schema = xstrdup(pg_schema ? pg_schema : schema);
	s->total_keys[s->ntotals] = key;
	return s->ntotals++;
}

/* The tables' counts as the catalog holds them: the totals start there. */
static int load_totals(struct rp_sink *s, struct err *e)
{
	struct rp__rows_result r;
	int rc = source_query(s,
		"SELECT schema_name, table_name, pg_schema, inserts, updates, deletes, "
		"rows_copied FROM sch_chameleon.t_tables WHERE source_name = $1 "
		"ORDER BY schema_name, table_name", &r, e);
	if (rc)
		return rc;
	for (int i = 0; i < r.nrows; i++) {
		const char *sch = rp__rows_get(&r, i, 0), *tbl = rp__rows_get(&r, i, 1);
		if (!sch || !tbl)
			continue;
		size_t k = total_of(s, rp__intern(s, sch, tbl), sch, tbl,
				    rp__rows_get(&r, i, 2));
		uint64_t *f[4] = {&s->totals[k].inserts, &s->totals[k].updates,
				  &s->totals[k].deletes, &s->totals[k].rows_copied};
		for (int c = 0; c < 4; c++) {
			const char *v = rp__rows_get(&r, i, 3 + c);
			*f[c] = v ? strtoull(v, NULL, 10) : 0;
		}
	}
	rp__rows_result_release(&r);
	return 0;
}

void rp__totals_confirm(struct rp_sink *s, size_t end)
{
	for (size_t i = s->deltas_read; i < end && i < s->ndeltas; i++) {
		const struct rp__delta *d = &s->deltas[i];
		s->totals[d->total].inserts += d->inserts;
		s->totals[d->total].updates += d->updates;
		s->totals[d->total].deletes += d->deletes;
	}
	if (end > s->deltas_read)
		s->deltas_read = end < s->ndeltas ? end : s->ndeltas;
	/* nothing waits for a confirmation: start the list again */
	if (s->deltas_read == s->ndeltas && s->sent_read >= s->nsent)
		s->ndeltas = s->deltas_read = 0;
}

void rp__totals_confirm_all(struct rp_sink *s)
{
	if (s->sent_read >= s->nsent && !s->in_pg_tx)
		rp__totals_confirm(s, s->ndeltas);
}

void rp__totals_release(struct rp_sink *s)
{
	for (size_t i = 0; i < s->ntotals; i++) {
		free((char *)s->totals[i].schema);
		free((char *)s->totals[i].table);
		free((char *)s->totals[i].pg_schema);
	}
	free(s->totals);
	free(s->total_keys);
	free(s->deltas);
}

int rp__catalog_load(struct rp_sink *s, struct err *e)
{
	int rc = register_source(s, e);
	if (!rc)
		rc = load_position(s, e);
	if (!rc)
		rc = load_disabled(s, e);
	if (!rc)
		rc = load_synced(s, e);
	if (!rc)
		rc = load_totals(s, e);
	return rc;
}

/* ---- counts -------------------------------------------------------------- */

void rp__counts_release(struct rp__counts *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].schema);
		free(c->v[i].table);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static struct rp__count *count_of(struct rp_sink *s, const struct bl_table *t)
{
	struct rp__counts *cs = &s->counts;
	const char *key = rp__intern(s, t->schema, t->name);
	if (cs->last < cs->n && cs->v[cs->last].key == key)
		return &cs->v[cs->last];
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].key == key) {
			cs->last = i;
			return &cs->v[i];
		}
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 16;
		cs->v = xreallocarray(cs->v, cs->cap, sizeof(*cs->v));
	}
	cs->last = cs->n;
	struct rp__count *c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->key = key;
	c->schema = xstrdup(t->schema);
	c->table = xstrdup(t->name);
	c->pg_schema = rp__pg_schema(s, t->schema);
	c->key_kind = rp__has_key(t) ? "primary" : "all";
	return c;
}

void rp__count_rows(struct rp_sink *s, const struct bl_table *t, uint64_t ins,
		    uint64_t upd, uint64_t del)
{
	struct rp__count *c = count_of(s, t);
	c->inserts += ins;
	c->updates += upd;
	c->deletes += del;
	s->counts.counted = true;
}

void rp__drop_counts(struct rp_sink *s)
{
	struct rp__counts *cs = &s->counts;
	for (size_t i = 0; i < cs->n; i++)
		cs->v[i].inserts = cs->v[i].updates = cs->v[i].deletes = 0;
	cs->counted = false;
	s->pending_tx = 0;
	s->rows_at_boundary = s->st.rows;
	s->zero_dates_committed = s->st.zero_dates;
	/* counts sent and not committed are gone with their transaction */
	s->ndeltas = s->deltas_read;
	rp__totals_confirm(s, s->deltas_read);
}

/*
 * The per-table counts of the transaction as one more pipelined statement:
 * an upsert of arrays into sch_chameleon.t_tables.
 */
int rp__catalog_send_counts(struct rp_sink *s, struct err *e)
{
	struct rp__counts *cs = &s->counts;
	if (!cs->counted)
		return 0;
	size_t n = 0;
	const char **col[4];
	for (int k = 0; k < 4; k++)
		col[k] = xcalloc(cs->n + 1, sizeof(char *));
	struct buf arr[7];
	for (int k = 0; k < 7; k++)
		buf_init(&arr[k], 0);
	for (int k = 4; k < 7; k++)
		buf_putc(&arr[k], '{');
	for (size_t j = 0; j < cs->n; j++) {
		struct rp__count *c = &cs->v[j];
		if (!c->inserts && !c->updates && !c->deletes)
			continue;
		size_t i = n++;
		col[0][i] = c->schema;
		col[1][i] = c->table;
		col[2][i] = c->pg_schema ? c->pg_schema : c->schema;
		col[3][i] = c->key_kind;
		const uint64_t num[3] = {c->inserts, c->updates, c->deletes};
		for (int k = 0; k < 3; k++) {
			if (i)
				buf_putc(&arr[4 + k], ',');
			buf_put_u64dec(&arr[4 + k], num[k]);
		}
		if (!c->total)
			c->total = 1 + total_of(s, c->key, c->schema, c->table, col[2][i]);
		if (s->ndeltas == s->deltas_cap) {
			s->deltas_cap = s->deltas_cap ? s->deltas_cap * 2 : 64;
			s->deltas = xreallocarray(s->deltas, s->deltas_cap, sizeof(*s->deltas));
		}
		s->deltas[s->ndeltas++] = (struct rp__delta){c->total - 1, c->inserts,
							     c->updates, c->deletes};
		c->inserts = c->updates = c->deletes = 0;
	}
	for (int k = 0; k < 4; k++)
		rp__array_literal(&arr[k], col[k], n);
	for (int k = 4; k < 7; k++)
		buf_putc(&arr[k], '}');
	const char *v[8] = {s->source};
	for (int k = 0; k < 7; k++)
		v[1 + k] = buf_cstr(&arr[k]);
	int rc = rp__sink_send(s,
		"INSERT INTO sch_chameleon.t_tables AS t (source_name, schema_name, "
		"table_name, pg_schema, key_kind, inserts, updates, deletes) "
		"SELECT $1, x.sch, x.tbl, x.pgs, x.kind, x.ins, x.upd, x.del FROM "
		"unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], "
		"$7::bigint[], $8::bigint[]) AS x(sch, tbl, pgs, kind, ins, upd, del) "
		"ON CONFLICT (source_name, schema_name, table_name) DO UPDATE SET "
		"inserts = t.inserts + excluded.inserts, "
		"updates = t.updates + excluded.updates, "
		"deletes = t.deletes + excluded.deletes", 8, v, e);
	for (int k = 0; k < 4; k++)
		free(col[k]);
	for (int k = 0; k < 7; k++)
		buf_release(&arr[k]);
	cs->counted = false;
	return rc;
}

/* ---- positions and show_status's report ---------------------------------- */

static void put_u64(char *out, size_t n, uint64_t v)
{
	snprintf(out, n, "%llu", (unsigned long long)v);
}

/*
 * The position of the last boundary, the counters, and what show_status
 * reports (docs/replication.md): the received position and time, the lags
 * seen now.  read_lag is stored as 0 only by a caught-up report, never
 * here.
 */
int rp__catalog_commit(struct rp_sink *s, struct err *e)
{
	char pos[32], rows[32], zd[32], tx[32], rpos[32], lts[32], rts[32];
	put_u64(pos, sizeof(pos), s->boundary.pos);
	put_u64(rows, sizeof(rows), s->pending_rows);
	put_u64(zd, sizeof(zd), s->st.zero_dates - s->zero_dates_committed);
	put_u64(tx, sizeof(tx), s->pending_tx);
	/* nothing received beyond the boundary yet: received = applied */
	bool recv = s->received.file[0] != 0;
	put_u64(rpos, sizeof(rpos), recv ? s->received.pos : s->boundary.pos);
	put_u64(lts, sizeof(lts), s->last_ts);
	put_u64(rts, sizeof(rts), s->recv_ts);
	const char *v[10] = {s->boundary.file, pos, rows, s->source, zd,
			     s->last_ts ? lts : NULL, tx,
			     recv ? s->received.file : s->boundary.file, rpos,
			     s->recv_ts ? rts : NULL};
	int rc = rp__sink_send(s,
		"UPDATE sch_chameleon.t_sources SET binlog_file = $1, "
		"binlog_position = $2, applied_at = now(), "
		"applied_event_at = coalesce(to_timestamp($6::float8), applied_event_at), "
		"rows_applied = rows_applied + $3, "
		"transactions_applied = transactions_applied + $7, "
		"zero_dates = zero_dates + $5, "
		"received_file = $8, received_position = $9, received_at = now(), "
		"received_event_at = coalesce(to_timestamp($10::float8), received_event_at), "
		"read_lag = CASE WHEN $10::float8 IS NOT NULL THEN greatest(0.001, "
		"  extract(epoch FROM now() - to_timestamp($10::float8))) END, "
		"replay_lag = CASE WHEN $8 = $1 AND $9::bigint = $2::bigint THEN 0 "
		"  WHEN $6::float8 IS NOT NULL THEN "
		"  greatest(0, extract(epoch FROM now() - to_timestamp($6::float8))) END "
		"WHERE source_name = $4", 10, v, e);
	return rc ? rc : rp__catalog_send_counts(s, e);
}

/* A caught-up report: the stored position is the received one, lags 0. */
int rp__catalog_caught_up(struct rp_sink *s, struct err *e)
{
	char pos[32], lts[32], rts[32];
	put_u64(pos, sizeof(pos), s->stored.pos);
	put_u64(lts, sizeof(lts), s->last_ts);
	put_u64(rts, sizeof(rts), s->recv_ts);
	const char *v[5] = {s->source, s->stored.file, pos, s->last_ts ? lts : NULL,
			    s->recv_ts ? rts : NULL};
	int rc = rp__sink_send(s,
		"UPDATE sch_chameleon.t_sources SET binlog_file = $2, "
		"binlog_position = $3, "
		"applied_event_at = coalesce(to_timestamp($4::float8), applied_event_at), "
		"received_file = $2, received_position = $3, received_at = now(), "
		"received_event_at = coalesce(to_timestamp($5::float8), received_event_at), "
		"read_lag = 0, replay_lag = 0 WHERE source_name = $1", 5, v, e);
	/* rows of statements outside transactions */
	return rc ? rc : rp__catalog_send_counts(s, e);
}

/* ---- errors and tables out of replication -------------------------------- */

static const char error_log_sql[] =
	"INSERT INTO sch_chameleon.t_error_log (source_name, schema_name, "
	"table_name, error, statement, binlog_file, binlog_position) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7)";

static const char disable_sql[] =
	"INSERT INTO sch_chameleon.t_disabled_tables (source_name, schema_name, "
	"table_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/* A row of t_error_log, in the open transaction (committed with the
 * position, so recorded once whatever restarts happen). */
int rp__catalog_log(struct rp_sink *s, const char *schema, const char *table,
		    const char *msg, const char *stmt, const struct bl_pos *at,
		    struct err *e)
{
	int rc = rp__begin(s, e);
	if (rc)
		return rc;
	char pos[24];
	put_u64(pos, sizeof(pos), at->pos);
	const char *v[7] = {s->source, schema, table, msg, stmt, at->file, pos};
	return rp__sink_send(s, error_log_sql, 7, v, e);
}

int rp__catalog_disable(struct rp_sink *s, const char *schema, const char *table,
			struct err *e)
{
	int rc = rp__begin(s, e);
	if (rc)
		return rc;
	const char *v[3] = {s->source, schema, table};
	return rp__sink_send(s, disable_sql, 3, v, e);
}

int rp__catalog_quarantine(struct rp_sink *s, const char *schema, const char *table,
			   const char *msg, const char *stmt, char *log_id, size_t n,
			   struct err *e)
{
	log_id[0] = 0;
	const char *v1[3] = {s->source, schema, table};
	struct rp__rows_result r;
	int rc = rp__pipe_query(&s->pipe, disable_sql, 3, v1, &r, e);
	rp__rows_result_release(&r);
	char pos[32];
	put_u64(pos, sizeof(pos), s->stored.pos);
	const char *v2[7] = {s->source, schema, table, msg, stmt, s->stored.file, pos};
	struct buf q;
	buf_init(&q, 0);
	buf_puts(&q, error_log_sql);
	buf_putl(&q, " RETURNING log_id");
	/* run even when the first failed: the error is logged whatever happens */
	int rc2 = rp__pipe_query(&s->pipe, buf_cstr(&q), 7, v2, &r, rc ? &(struct err){0} : e);
	buf_release(&q);
	if (!rc)
		rc = rc2;
	if (!rc && r.nrows == 1 && rp__rows_get(&r, 0, 0))
		snprintf(log_id, n, "%s", rp__rows_get(&r, 0, 0));
	rp__rows_result_release(&r);
	return rc;
}

int rp__catalog_row_data(struct rp_sink *s, const char *json, const char *log_id,
			 struct err *e)
{
	const char *v[2] = {json, log_id};
	/* in the open transaction if any: kept when it commits */
	return rp__sink_send(s, "UPDATE sch_chameleon.t_error_log SET row_data = $1 "
			     "WHERE log_id = $2", 2, v, e);
}
