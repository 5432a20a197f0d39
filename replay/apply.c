/*
 * Applying row changes to PostgreSQL with libpq pipeline mode.
 *
 * A PostgreSQL transaction is opened at the first row change and
 * committed only at a source commit boundary (XID, or a COMMIT query, or
 * the end of a statement outside a transaction), once at least max_rows
 * rows are pending or the input ends; the source's position (file and the
 * end of the commit event) is updated in the same transaction, so a crash
 * at any moment leaves rows and position consistent.  Statements are
 * prepared once per (table, operation, column set) and sent in pipeline
 * mode; a sync point every SYNC_EVERY statements lets results be read
 * while the next batch is already on its way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <libpq-fe.h>

#include "base/clock.h"
#include "base/hash.h"
#include "base/utf8.h"
#include "base/xalloc.h"
#include "replay/internal.h"
#include "replay/replay.h"

#define SYNC_EVERY 1000
#define MAX_INFLIGHT 2	/* sync segments sent and not yet read */

/* A prepared statement, keyed by its SQL text (one per table, operation
 * and column set). */
struct stmt {
	struct stmt *next;
	uint64_t hash;
	char name[24];
	char sql[];
};

#define NBUCKETS 1024
#define SHAPE_SLOTS 1024	/* structure checks remembered, by table id */

/* A table seen applying rows, with its counts in the open transaction. */
struct table_count {
	const char *key;	/* interned "schema.table" */
	char *schema, *table;	/* owned copies (table maps do not live as long) */
	const char *pg_schema;	/* from the options' mappings */
	const char *key_kind;	/* primary or all */
	uint64_t inserts, updates, deletes;
};

#define REPORT_EVERY_MS 10000	/* idle reports, so show_status sees a live replica */

struct rp_sink {
	PGconn *pg;
	bool broken;		/* results stopped coming: the connection is lost */
	struct rp_opts o;
	char *source;
	struct rp_stats st;
	/* stored position: events at or before it are skipped */
	char pos_file[256];
	uint64_t pos;
	/* pending transaction */
	bool in_pg_tx;		/* BEGIN sent */
	bool in_src_tx;		/* inside a source transaction */
	uint64_t pending_rows;
	char last_file[256];
	uint64_t last_end;	/* end of the last commit boundary seen */
	int since_sync;
	int inflight;
	/* statements */
	struct stmt *buckets[NBUCKETS];
	unsigned nstmts;
	struct buf sql, val;
	struct arena params;
	/* an open COPY of a run of inserts (copy_begin) */
	bool copying;
	const char *copy_table;	/* interned "schema.table" of the open COPY */
	struct buf copy_sql;	/* its COPY statement */
	struct buf copy;	/* rows not yet handed to libpq (< COPY_CHUNK) */
	struct buf keys;	/* an array parameter of a batched DELETE or UPDATE */
	struct buf created;	/* "schema.table\0" of tables created */
	/* which table each sent command belongs to, to name a failing one */
	struct tag {
		const char *table;	/* interned "schema.table", or NULL */
		const char *sql;	/* the statement (stable), or NULL */
		uint64_t pos;		/* offset of the event it applies */
	} *tags;
	size_t ntags, tags_cap, tag_read;
	const char *cur_table;
	struct name *names;	/* interned table names */
	struct buf disabled;	/* "schema.table\0" taken out of replication */
	/* tables re-copied by sync_tables: their changes up to the copy's
	 * snapshot position are in the copy already */
	struct synced {
		const char *table;	/* interned "schema.table" */
		char file[256];
		uint64_t pos;
	} *synced;
	size_t nsynced;
	const char *fail_table, *fail_sql;
	char fail_msg[512];
	/* structure checks: table ids whose table map matched PostgreSQL's
	 * table, with the map's signature (a changed map is checked again) */
	struct shape {
		uint64_t table_id, sig;
		bool valid;
	} shapes[SHAPE_SLOTS];
	/* tables taken out of replication inside the open PostgreSQL
	 * transaction: s->disabled from disabled_mark on, while no commit
	 * happened since (st.commits == disabled_commits) */
	bool disabled_pending;
	size_t disabled_mark;
	uint64_t disabled_commits, disabled_pending_n;
	/* show_status: what was received (any event), the timestamp of the
	 * event being fed and of the last commit boundary */
	char recv_file[256];
	uint64_t recv_end;
	uint32_t recv_ts, cur_ts, last_ts;
	uint64_t pending_tx;		/* source transactions with rows, not committed */
	uint64_t rows_at_boundary;	/* st.rows at the last boundary */
	uint64_t zero_dates_committed;	/* st.zero_dates at the last commit */
	struct table_count *counts;	/* every table seen; counts of the open transaction */
	size_t ncounts, counts_cap, last_count;
	bool counted;			/* some count is not zero */
	bool reported_caught_up;	/* the last report said caught up ... */
	char reported_file[256];	/* ... at this received position */
	uint64_t reported_end;
	int64_t reported_ms;		/* monotonic time of the last report */
	/* the refused row: the event is fed again after recover(); its rows
	 * go into the error log entry then (row_data) */
	uint64_t cur_pos, fail_pos;
	char capture_file[256];
	uint64_t capture_pos;
	const char *capture_table;	/* interned; NULL when nothing to capture */
	char capture_id[24];		/* t_error_log.log_id */
};

struct name {
	struct name *next;
	char s[];
};

static const char *intern(struct rp_sink *s, const char *schema, const char *table)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	for (struct name *n = s->names; n; n = n->next)
		if (!strcmp(n->s, key))
			return n->s;
	size_t len = strlen(key);
	struct name *n = xmalloc(sizeof(*n) + len + 1);
	memcpy(n->s, key, len + 1);
	n->next = s->names;
	s->names = n;
	return n->s;
}

static bool in_set(const struct buf *set, const char *key)
{
	for (size_t off = 0; off < set->n;) {
		const char *k = (const char *)set->p + off;
		if (!strcmp(k, key))
			return true;
		off += strlen(k) + 1;
	}
	return false;
}

static bool is_disabled(const struct rp_sink *s, const char *schema, const char *table)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	return in_set(&s->disabled, key);
}

static void push_tag(struct rp_sink *s, const char *sql)
{
	if (s->ntags == s->tags_cap) {
		s->tags_cap = s->tags_cap ? s->tags_cap * 2 : 1024;
		s->tags = xreallocarray(s->tags, s->tags_cap, sizeof(*s->tags));
	}
	s->tags[s->ntags].table = s->cur_table;
	s->tags[s->ntags].sql = sql;
	s->tags[s->ntags].pos = s->cur_pos;
	s->ntags++;
}

/* "$n": a parameter reference, without printf on the per-row path. */
static void put_param(struct buf *b, int n)
{
	buf_putc(b, '$');
	buf_put_u64dec(b, (uint64_t)n);
}

static int pg_err(struct rp_sink *s, struct err *e, const char *what)
{
	return err_set(e, ERR_PG, "%s: %s", what, PQerrorMessage(s->pg));
}

static int exec_simple(struct rp_sink *s, const char *sql, struct err *e)
{
	PGresult *r = PQexec(s->pg, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

/* A catalog query with the source's name as $1: its rows, or NULL (e set). */
static PGresult *source_query(struct rp_sink *s, const char *sql, struct err *e)
{
	const char *p[1] = {s->source};
	PGresult *r = PQexecParams(s->pg, sql, 1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return NULL;
}

int rp_sink_open(struct rp_sink **out, const struct rp_opts *o, struct err *e)
{
	*out = NULL;
	struct rp_sink *s = xcalloc(1, sizeof(*s));
	s->o = *o;
	s->source = xstrdup(o->source ? o->source : "default");
	if (s->o.max_rows <= 0)
		s->o.max_rows = 10000;
	buf_init(&s->sql, 0);
	buf_init(&s->val, 0);
	buf_init(&s->created, 0);
	buf_init(&s->disabled, 0);
	arena_init(&s->params, 64 * 1024);
	s->pg = PQconnectdb(o->conninfo);
	if (PQstatus(s->pg) != CONNECTION_OK) {
		/* libpq's message never holds the password */
		int rc = err_set(e, ERR_PG, "cannot connect to PostgreSQL: %s",
				 PQerrorMessage(s->pg));
		rp_sink_close(s);
		return rc;
	}
	int rc = exec_simple(s, "SET client_encoding = 'UTF8'; SET timezone = 'UTC'; "
			     "SET client_min_messages = warning", e);
	if (!rc)
		rc = rp_catalog_upgrade(s->pg, NULL, e);
	if (!rc) {
		/* registered as add_source would, unless it was; mappings are
		 * recorded for a source registered before they were kept */
		struct buf from, to;
		buf_init(&from, 0);
		buf_init(&to, 0);
		const char **a = xcalloc(o->n_mappings + 1, sizeof(*a));
		const char **b = xcalloc(o->n_mappings + 1, sizeof(*b));
		for (size_t i = 0; i < o->n_mappings; i++) {
			a[i] = o->mappings[i].mysql_schema;
			b[i] = o->mappings[i].pg_schema;
		}
		rp__array_literal(&from, a, o->n_mappings);
		rp__array_literal(&to, b, o->n_mappings);
		const char *p[3] = {s->source, buf_cstr(&from), buf_cstr(&to)};
		PGresult *r = PQexecParams(s->pg,
			"INSERT INTO sch_chameleon.t_sources AS s (source_name, schema_mappings) "
			"VALUES ($1, jsonb_object($2::text[], $3::text[])) "
			"ON CONFLICT (source_name) DO UPDATE SET schema_mappings = "
			"excluded.schema_mappings WHERE s.schema_mappings = '{}'",
			3, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
		PQclear(r);
		free(a);
		free(b);
		buf_release(&from);
		buf_release(&to);
	}
	PGresult *r = rc ? NULL : source_query(s,
		"SELECT binlog_file, binlog_position, status FROM sch_chameleon.t_sources "
		"WHERE source_name = $1", e);
	if (!rc && !r) {
		rc = -ERR_PG;
	} else if (r) {
		if (PQntuples(r) == 1) {
			snprintf(s->pos_file, sizeof(s->pos_file), "%s", PQgetvalue(r, 0, 0));
			s->pos = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
			if (!strcmp(PQgetvalue(r, 0, 2), "initialising"))
				rc = err_set(e, ERR_CONFIG,
					     "source '%s' is being initialised, or its "
					     "init_replica did not finish: run init_replica "
					     "again", s->source);
		} else {
			rc = err_set(e, ERR_PG, "source '%s' is not in the catalog", s->source);
		}
		PQclear(r);
	}
	r = rc ? NULL : source_query(s,
		"SELECT schema_name || '.' || table_name FROM "
		"sch_chameleon.t_disabled_tables WHERE source_name = $1", e);
	if (!rc && !r) {
		rc = -ERR_PG;
	} else if (r) {
		for (int i = 0; i < PQntuples(r); i++)
			buf_put(&s->disabled, PQgetvalue(r, i, 0), strlen(PQgetvalue(r, i, 0)) + 1);
		PQclear(r);
	}
	r = rc ? NULL : source_query(s,
		"SELECT schema_name, table_name, sync_file, sync_position FROM "
		"sch_chameleon.t_tables WHERE source_name = $1 AND sync_file IS NOT NULL", e);
	if (!rc && !r) {
		rc = -ERR_PG;
	} else if (r) {
		int n = PQntuples(r);
		s->synced = xcalloc(n ? (size_t)n : 1, sizeof(*s->synced));
		for (int i = 0; i < n; i++) {
			struct synced *y = &s->synced[s->nsynced++];
			y->table = intern(s, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
			snprintf(y->file, sizeof(y->file), "%s", PQgetvalue(r, i, 2));
			y->pos = strtoull(PQgetvalue(r, i, 3), NULL, 10);
		}
		PQclear(r);
	}
	if (!rc && PQenterPipelineMode(s->pg) != 1)
		rc = pg_err(s, e, "cannot enter pipeline mode");
	if (rc) {
		rp_sink_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void rp_sink_position(const struct rp_sink *s, const char **file, uint64_t *pos)
{
	*file = s->pos_file;
	*pos = s->pos;
}

const struct rp_stats *rp_sink_stats(const struct rp_sink *s)
{
	return &s->st;
}

static const char *pg_schema(const struct rp_sink *s, const char *mysql_schema)
{
	for (size_t i = 0; i < s->o.n_mappings; i++)
		if (!strcmp(s->o.mappings[i].mysql_schema, mysql_schema))
			return s->o.mappings[i].pg_schema;
	return NULL;
}

/* Read results until one sync point has been consumed. */
static int read_segment(struct rp_sink *s, struct err *e)
{
	int rc = 0;
	int nulls = 0;
	for (;;) {
		PGresult *r = PQgetResult(s->pg);
		if (!r) {
			/* end of one statement's results; two in a row: nothing
			 * more is queued, the sync point will never come (the
			 * connection is gone, and libpq may not know it yet) */
			if (PQstatus(s->pg) == CONNECTION_BAD || ++nulls >= 2) {
				s->inflight = 1;
				s->broken = true;
				if (!rc)
					rc = pg_err(s, e, "lost the PostgreSQL connection");
				break;
			}
			continue;
		}
		nulls = 0;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		const struct tag *tg = s->tag_read < s->ntags ? &s->tags[s->tag_read++] : NULL;
		if (st == PGRES_FATAL_ERROR && !rc) {
			rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
			if (!s->fail_table && tg && tg->table) {
				s->fail_table = tg->table;
				s->fail_sql = tg->sql;
				s->fail_pos = tg->pos;
				snprintf(s->fail_msg, sizeof(s->fail_msg), "%s",
					 PQresultErrorMessage(r));
			}
		}
		else if (st == PGRES_PIPELINE_ABORTED && !rc)
			rc = err_set(e, ERR_PG, "pipeline aborted");
		PQclear(r);
	}
	s->inflight--;
	if (s->inflight == 0) {
		s->ntags = s->tag_read = 0;
	} else if (s->tag_read >= 4096 && s->tag_read * 2 >= s->ntags) {
		/* segments stay in flight through a long transaction: drop
		 * the tags already read so that memory stays flat */
		memmove(s->tags, s->tags + s->tag_read,
			(s->ntags - s->tag_read) * sizeof(*s->tags));
		s->ntags -= s->tag_read;
		s->tag_read = 0;
	}
	return rc;
}

static int copy_end(struct rp_sink *s, struct err *e);

static int sync_point(struct rp_sink *s, struct err *e)
{
	/* a sync point belongs to the pipeline: an open COPY ends first */
	int rc = copy_end(s, e);
	if (rc)
		return rc;
	if (PQpipelineSync(s->pg) != 1)
		return pg_err(s, e, "pipeline sync failed");
	s->inflight++;
	s->since_sync = 0;
	while (s->inflight > MAX_INFLIGHT - 1) {
		rc = read_segment(s, e);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Runs of inserts go through COPY FROM STDIN, which PostgreSQL executes
 * about twice as fast as multi-row INSERTs (docs/benchmarks.md).  A COPY
 * starts for a run of at least COPY_MIN_ROWS inserts of one event; it
 * stays open while the next insert events go to the same table with the
 * same columns, and ends before any other statement is sent (send_sql,
 * send_prepared), so changes keep their order.  libpq does not allow COPY
 * in pipeline mode: the pipeline is drained and left for the COPY, and
 * entered again after it.  Values are the same text as the parameters of
 * an INSERT (rp_value_text), escaped for COPY's text format.
 */
#define COPY_MIN_ROWS 64
#define COPY_CHUNK (64 * 1024)	/* bytes handed to libpq at a time */

/* Record a refused COPY like a refused statement, for recover(). */
static int copy_failed(struct rp_sink *s, PGresult *r, struct err *e)
{
	int rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	if (!s->fail_table) {
		s->fail_table = s->copy_table;
		s->fail_sql = buf_cstr(&s->copy_sql);
		snprintf(s->fail_msg, sizeof(s->fail_msg), "%s", PQresultErrorMessage(r));
	}
	return rc;
}

/* End the open COPY, if any, and enter pipeline mode again. */
static int copy_end(struct rp_sink *s, struct err *e)
{
	if (!s->copying)
		return 0;
	s->copying = false;
	int rc = 0;
	if (s->copy.n && PQputCopyData(s->pg, (const char *)s->copy.p, (int)s->copy.n) != 1)
		rc = pg_err(s, e, "cannot send COPY data");
	buf_reset(&s->copy);
	if (!rc && PQputCopyEnd(s->pg, NULL) != 1)
		rc = pg_err(s, e, "cannot end COPY");
	for (;;) {
		PGresult *r = PQgetResult(s->pg);
		if (!r)
			break;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COPY_IN) {
			/* the end could not be sent: nothing more will come */
			PQclear(r);
			if (!rc)
				rc = pg_err(s, e, "cannot end COPY");
			break;
		}
		if (st != PGRES_COMMAND_OK && !rc)
			rc = copy_failed(s, r, e);
		PQclear(r);
	}
	if (PQenterPipelineMode(s->pg) != 1 && !rc)
		rc = pg_err(s, e, "cannot enter pipeline mode");
	return rc;
}

/* Start COPY with the statement in s->copy_sql, for s->cur_table. */
static int copy_begin(struct rp_sink *s, struct err *e)
{
	/* everything sent so far completes before the pipeline is left */
	if (s->since_sync) {
		if (PQpipelineSync(s->pg) != 1)
			return pg_err(s, e, "pipeline sync failed");
		s->inflight++;
		s->since_sync = 0;
	}
	while (s->inflight > 0) {
		int rc = read_segment(s, e);
		if (rc)
			return rc;
	}
	if (PQexitPipelineMode(s->pg) != 1)
		return pg_err(s, e, "cannot leave pipeline mode");
	s->copy_table = s->cur_table;
	PGresult *r = PQexec(s->pg, buf_cstr(&s->copy_sql));
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		rc = copy_failed(s, r, e);
		if (PQenterPipelineMode(s->pg) != 1)
			rc = pg_err(s, e, "cannot enter pipeline mode");
	} else {
		s->copying = true;
	}
	PQclear(r);
	return rc;
}

/* COPY text format: backslash, tab, newline and carriage return escaped. */
static void copy_escape(struct buf *b, const uint8_t *p, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *esc;
		switch (p[i]) {
		case '\\':
			esc = "\\\\";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		default:
			continue;
		}
		buf_put(b, p + from, i - from);
		buf_put(b, esc, 2);
		from = i + 1;
	}
	buf_put(b, p + from, n - from);
}

/* One row into the open COPY; a row that fails to convert leaves nothing. */
static int copy_row(struct rp_sink *s, const struct bl_table *t,
		    const struct bl_value *img, struct err *e)
{
	size_t start = s->copy.n;
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (img[i].kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putc(&s->copy, '\t');
		first = false;
		buf_reset(&s->val);
		bool isnull;
		int rc = rp_value_text(&s->val, &t->cols[i], &img[i], &s->o.conv, &isnull, e);
		if (rc < 0) {
			s->copy.n = start;
			return rc;
		}
		if (rc == RP_ZERO_DATE_REPLACED)
			s->st.zero_dates++;
		if (isnull)
			buf_putl(&s->copy, "\\N");
		else
			copy_escape(&s->copy, s->val.p, s->val.n);
	}
	buf_putc(&s->copy, '\n');
	if (s->copy.n >= COPY_CHUNK) {
		if (PQputCopyData(s->pg, (const char *)s->copy.p, (int)s->copy.n) != 1)
			return pg_err(s, e, "cannot send COPY data");
		buf_reset(&s->copy);
	}
	return 0;
}

static int send_sql(struct rp_sink *s, const char *sql, int n, const char *const *vals,
		    struct err *e)
{
	int rc = copy_end(s, e);
	if (rc)
		return rc;
	if (PQsendQueryParams(s->pg, sql, n, NULL, vals, NULL, NULL, 0) != 1)
		return pg_err(s, e, "cannot send a statement");
	push_tag(s, NULL);
	if (++s->since_sync >= SYNC_EVERY)
		return sync_point(s, e);
	return 0;
}

/* Send a row statement, preparing it the first time its SQL is seen. */
static int send_prepared(struct rp_sink *s, const char *sql, int n,
			 const char *const *vals, struct err *e)
{
	int rc = copy_end(s, e);
	if (rc)
		return rc;
	uint64_t h = hash_bytes(sql, strlen(sql));
	struct stmt **slot = &s->buckets[h % NBUCKETS];
	struct stmt *st = *slot;
	while (st && (st->hash != h || strcmp(st->sql, sql)))
		st = st->next;
	if (!st) {
		size_t len = strlen(sql);
		st = xmalloc(sizeof(*st) + len + 1);
		memcpy(st->sql, sql, len + 1);
		st->hash = h;
		snprintf(st->name, sizeof(st->name), "chm_%u", s->nstmts++);
		if (PQsendPrepare(s->pg, st->name, sql, n, NULL) != 1) {
			free(st);
			return pg_err(s, e, "cannot prepare a statement");
		}
		push_tag(s, st->sql);
		st->next = *slot;
		*slot = st;
		if (++s->since_sync >= SYNC_EVERY) {
			rc = sync_point(s, e);
			if (rc)
				return rc;
		}
	}
	if (PQsendQueryPrepared(s->pg, st->name, n, vals, NULL, NULL, 0) != 1)
		return pg_err(s, e, "cannot send a statement");
	push_tag(s, st->sql);
	if (++s->since_sync >= SYNC_EVERY)
		return sync_point(s, e);
	return 0;
}

static int begin(struct rp_sink *s, struct err *e)
{
	if (s->in_pg_tx)
		return 0;
	s->in_pg_tx = true;
	const char *keep = s->cur_table;
	s->cur_table = NULL;
	int rc = send_sql(s, "BEGIN", 0, NULL, e);
	s->cur_table = keep;
	return rc;
}

/* Count rows applied to a table (one entry per table and transaction). */
static void count_rows(struct rp_sink *s, const struct bl_table *t, uint64_t ins,
		       uint64_t upd, uint64_t del)
{
	const char *key = intern(s, t->schema, t->name);
	struct table_count *c = NULL;
	if (s->last_count < s->ncounts && s->counts[s->last_count].key == key)
		c = &s->counts[s->last_count];
	for (size_t i = 0; !c && i < s->ncounts; i++)
		if (s->counts[i].key == key) {
			c = &s->counts[i];
			s->last_count = i;
		}
	if (!c) {
		if (s->ncounts == s->counts_cap) {
			s->counts_cap = s->counts_cap ? s->counts_cap * 2 : 16;
			s->counts = xreallocarray(s->counts, s->counts_cap,
						  sizeof(*s->counts));
		}
		s->last_count = s->ncounts;
		c = &s->counts[s->ncounts++];
		memset(c, 0, sizeof(*c));
		c->key = key;
		c->schema = xstrdup(t->schema);
		c->table = xstrdup(t->name);
		c->pg_schema = pg_schema(s, t->schema);
		bool pk = false;
		for (uint32_t i = 0; i < t->ncols; i++)
			pk |= t->cols[i].is_pk;
		c->key_kind = pk ? "primary" : "all";
	}
	c->inserts += ins;
	c->updates += upd;
	c->deletes += del;
	s->counted = true;
}

/*
 * The per-table counts of the transaction as one more pipelined statement:
 * an upsert of arrays into sch_chameleon.t_tables.
 */
static int send_counts(struct rp_sink *s, struct err *e)
{
	if (!s->counted)
		return 0;
	size_t n = 0;
	const char **col[4];
	for (int k = 0; k < 4; k++)
		col[k] = xcalloc(s->ncounts + 1, sizeof(char *));
	struct buf arr[7];
	for (int k = 0; k < 7; k++)
		buf_init(&arr[k], 0);
	for (int k = 4; k < 7; k++)
		buf_putc(&arr[k], '{');
	for (size_t j = 0; j < s->ncounts; j++) {
		struct table_count *c = &s->counts[j];
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
		c->inserts = c->updates = c->deletes = 0;
	}
	for (int k = 0; k < 4; k++)
		rp__array_literal(&arr[k], col[k], n);
	for (int k = 4; k < 7; k++)
		buf_putc(&arr[k], '}');
	const char *v[8] = {s->source};
	for (int k = 0; k < 7; k++)
		v[1 + k] = buf_cstr(&arr[k]);
	const char *keep = s->cur_table;
	s->cur_table = NULL;
	int rc = send_sql(s,
		"INSERT INTO sch_chameleon.t_tables AS t (source_name, schema_name, "
		"table_name, pg_schema, key_kind, inserts, updates, deletes) "
		"SELECT $1, x.sch, x.tbl, x.pgs, x.kind, x.ins, x.upd, x.del FROM "
		"unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], "
		"$7::bigint[], $8::bigint[]) AS x(sch, tbl, pgs, kind, ins, upd, del) "
		"ON CONFLICT (source_name, schema_name, table_name) DO UPDATE SET "
		"inserts = t.inserts + excluded.inserts, "
		"updates = t.updates + excluded.updates, "
		"deletes = t.deletes + excluded.deletes", 8, v, e);
	s->cur_table = keep;
	for (int k = 0; k < 4; k++)
		free(col[k]);
	for (int k = 0; k < 7; k++)
		buf_release(&arr[k]);
	s->counted = false;
	return rc;
}

/* Forget what the open transaction counted (rolled back). */
static void drop_counts(struct rp_sink *s)
{
	for (size_t i = 0; i < s->ncounts; i++)
		s->counts[i].inserts = s->counts[i].updates = s->counts[i].deletes = 0;
	s->counted = false;
	s->pending_tx = 0;
	s->rows_at_boundary = s->st.rows;
	s->zero_dates_committed = s->st.zero_dates;
}

static void put_u64(char *out, size_t n, uint64_t v)
{
	snprintf(out, n, "%llu", (unsigned long long)v);
}

/*
 * Commit the PostgreSQL transaction with the position of the last boundary,
 * the counters, and what show_status reports (docs/replication.md): the
 * received position and time, the lags seen now.  read_lag is stored as 0
 * only by a caught-up report (rp_sink_caught_up), never here.
 */
static int commit(struct rp_sink *s, struct err *e)
{
	if (!s->in_pg_tx)
		return 0;
	char pos[32], rows[32], zd[32], tx[32], rpos[32], lts[32], rts[32];
	put_u64(pos, sizeof(pos), s->last_end);
	put_u64(rows, sizeof(rows), s->pending_rows);
	put_u64(zd, sizeof(zd), s->st.zero_dates - s->zero_dates_committed);
	put_u64(tx, sizeof(tx), s->pending_tx);
	/* nothing received beyond the boundary yet: received = applied */
	bool recv = s->recv_file[0] != 0;
	put_u64(rpos, sizeof(rpos), recv ? s->recv_end : s->last_end);
	put_u64(lts, sizeof(lts), s->last_ts);
	put_u64(rts, sizeof(rts), s->recv_ts);
	const char *v[10] = {s->last_file, pos, rows, s->source, zd,
			     s->last_ts ? lts : NULL, tx,
			     recv ? s->recv_file : s->last_file, rpos,
			     s->recv_ts ? rts : NULL};
	s->cur_table = NULL;
	int rc = send_sql(s,
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
	if (!rc)
		rc = send_counts(s, e);
	if (!rc)
		rc = send_sql(s, "COMMIT", 0, NULL, e);
	if (!rc && s->since_sync)
		rc = sync_point(s, e);
	while (!rc && s->inflight > 0)
		rc = read_segment(s, e);
	if (rc)
		return rc;
	s->in_pg_tx = false;
	s->pending_rows = 0;
	s->pending_tx = 0;
	s->zero_dates_committed = s->st.zero_dates;
	s->st.commits++;
	snprintf(s->pos_file, sizeof(s->pos_file), "%s", s->last_file);
	s->pos = s->last_end;
	s->reported_caught_up = false;
	s->reported_ms = clock_ms();
	return 0;
}

static int create_table(struct rp_sink *s, const struct bl_table *t,
			const char *schema, struct err *e)
{
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, t->name);
	size_t klen = strlen(key) + 1;
	for (size_t off = 0; off < s->created.n;) {
		const char *k = (const char *)s->created.p + off;
		if (!strcmp(k, key))
			return 0;	/* done earlier in this run */
		off += strlen(k) + 1;
	}
	buf_put(&s->created, key, klen);
	if (is_disabled(s, t->schema, t->name))
		return 0;
	s->cur_table = intern(s, t->schema, t->name);
	if (!t->has_names)
		return err_set(e, ERR_UNSUPPORTED,
			       "cannot create `%s`.`%s`: its table map has no column "
			       "names (binlog_row_metadata=FULL)",
			       t->schema, t->name);
	buf_reset(&s->sql);
	buf_putl(&s->sql, "CREATE SCHEMA IF NOT EXISTS ");
	rp_quote_ident(&s->sql, schema);
	/* DDL goes through the pipeline too: it is part of the transaction */
	int rc = begin(s, e);
	if (!rc)
		rc = send_sql(s, buf_cstr(&s->sql), 0, NULL, e);
	if (rc)
		return rc;
	buf_reset(&s->sql);
	buf_putl(&s->sql, "CREATE TABLE IF NOT EXISTS ");
	rp_quote_ident(&s->sql, schema);
	buf_putc(&s->sql, '.');
	rp_quote_ident(&s->sql, t->name);
	buf_putl(&s->sql, " (");
	bool pk = false;
	for (uint32_t i = 0; i < t->ncols; i++) {
		struct rp_pg_type ty;
		if (rp_type_of_column(&t->cols[i], &ty))
			return err_set(e, ERR_UNSUPPORTED, "`%s`.`%s` column %s: type %s",
				       t->schema, t->name, t->cols[i].name,
				       bl_col_type_name(t->cols[i].type));
		if (i)
			buf_putl(&s->sql, ", ");
		rp_quote_ident(&s->sql, t->cols[i].name);
		buf_putc(&s->sql, ' ');
		buf_puts(&s->sql, ty.name);
		pk |= t->cols[i].is_pk;
	}
	if (pk) {
		buf_putl(&s->sql, ", PRIMARY KEY (");
		bool first = true;
		for (uint32_t i = 0; i < t->ncols; i++) {
			if (!t->cols[i].is_pk)
				continue;
			if (!first)
				buf_putl(&s->sql, ", ");
			first = false;
			rp_quote_ident(&s->sql, t->cols[i].name);
		}
		buf_putc(&s->sql, ')');
	}
	buf_putc(&s->sql, ')');
	return send_sql(s, buf_cstr(&s->sql), 0, NULL, e);
}

/* Key columns: the primary key from the table map, else every column. */
static bool is_key(const struct bl_table *t, uint32_t i)
{
	bool any = false;
	for (uint32_t k = 0; k < t->ncols; k++)
		any |= t->cols[k].is_pk;
	return any ? t->cols[i].is_pk : true;
}

static const char *column_name(const struct bl_table *t, uint32_t i, char *tmp,
			       size_t n)
{
	if (t->has_names && t->cols[i].name)
		return t->cols[i].name;
	snprintf(tmp, n, "col%u", i + 1);
	return tmp;
}

/* Parameters a row's partial JSON updates may take: two per operation,
 * and an operation takes more than 16 bytes of the diff's text. */
static size_t json_diff_params(const struct bl_table *t, const struct bl_value *img)
{
	size_t n = 0;
	for (uint32_t i = 0; i < t->ncols; i++)
		if (img[i].kind == BLV_JSON_DIFF)
			n += 2 * (img[i].s.n / 16 + 1);
	return n;
}

/*
 * SET part for a partial JSON update: the column becomes an expression
 * over its current value, the operations nested in their order, paths
 * and values as parameters, e.g.
 *   "c" = jsonb_insert(jsonb_set("c", $1::text[], $2::jsonb, false),
 *                      $3::text[], $4::jsonb)
 */
static int json_diff_set(struct rp_sink *s, const char *col,
			 const struct bl_value *v, const char **vals, int *n,
			 struct err *e)
{
	struct rp_json_op *ops;
	size_t k;
	int rc = rp_json_diff_ops(v->s, &s->params, &ops, &k, e);
	if (rc)
		return rc;
	rp_quote_ident(&s->sql, col);
	buf_putl(&s->sql, " = ");
	for (size_t i = k; i-- > 0;) {
		if (ops[i].op == RP_JSON_REPLACE)
			buf_putl(&s->sql, "jsonb_set(");
		else if (ops[i].op == RP_JSON_INSERT)
			buf_putl(&s->sql, "jsonb_insert(");
		else
			buf_putc(&s->sql, '(');
	}
	rp_quote_ident(&s->sql, col);
	for (size_t i = 0; i < k; i++) {
		vals[(*n)++] = ops[i].pg_path;
		if (ops[i].op == RP_JSON_REMOVE) {
			buf_putl(&s->sql, " #- ");
			put_param(&s->sql, *n);
			buf_putl(&s->sql, "::text[])");
			continue;
		}
		buf_putl(&s->sql, ", ");
		put_param(&s->sql, *n);
		buf_putl(&s->sql, "::text[], ");
		vals[(*n)++] = ops[i].value;
		put_param(&s->sql, *n);
		if (ops[i].op == RP_JSON_REPLACE)
			buf_putl(&s->sql, "::jsonb, false)");
		else
			buf_putl(&s->sql, "::jsonb)");
	}
	return 0;
}

/* Build the statement for a row; parameters in vals (arena). */
static int row_statement(struct rp_sink *s, const struct bl_table *t,
			 const char *schema, enum bl_row_op op,
			 const struct bl_row *row, const char ***vals_out, int *nvals,
			 struct err *e)
{
	const struct bl_value *img = op == BL_OP_DELETE ? row->before : row->after;
	const struct bl_value *where = op == BL_OP_INSERT ? NULL : row->before;
	const char **vals = arena_calloc(&s->params, (size_t)t->ncols * 2 + 1 +
					 (op == BL_OP_UPDATE ? json_diff_params(t, img) : 0),
					 sizeof(char *));
	int n = 0;
	char tmp[32];
	buf_reset(&s->sql);
	if (op == BL_OP_INSERT) {
		buf_putl(&s->sql, "INSERT INTO ");
	} else if (op == BL_OP_UPDATE) {
		buf_putl(&s->sql, "UPDATE ");
	} else {
		buf_putl(&s->sql, "DELETE FROM ");
	}
	rp_quote_ident(&s->sql, schema);
	buf_putc(&s->sql, '.');
	rp_quote_ident(&s->sql, t->name);
	struct buf *v = &s->val;
	/* values */
	if (op != BL_OP_DELETE) {
		if (op == BL_OP_INSERT)
			buf_putl(&s->sql, " (");
		else
			buf_putl(&s->sql, " SET ");
		struct buf tail;
		buf_init(&tail, 0);
		bool first = true;
		for (uint32_t i = 0; i < t->ncols; i++) {
			if (img[i].kind == BLV_ABSENT)
				continue;
			if (img[i].kind == BLV_JSON_DIFF && op == BL_OP_UPDATE) {
				if (!first)
					buf_putl(&s->sql, ", ");
				first = false;
				int rc = json_diff_set(s, column_name(t, i, tmp, sizeof(tmp)),
						       &img[i], vals, &n, e);
				if (rc) {
					buf_release(&tail);
					return rc;
				}
				continue;
			}
			buf_reset(v);
			bool isnull;
			int rc = rp_value_text(v, &t->cols[i], &img[i], &s->o.conv, &isnull, e);
			if (rc < 0) {
				buf_release(&tail);
				return rc;
			}
			if (rc == RP_ZERO_DATE_REPLACED)
				s->st.zero_dates++;
			vals[n++] = isnull ? NULL : arena_strndup(&s->params, buf_cstr(v), v->n);
			if (!first) {
				buf_putl(&s->sql, ", ");
				buf_putl(&tail, ", ");
			}
			first = false;
			rp_quote_ident(&s->sql, column_name(t, i, tmp, sizeof(tmp)));
			if (op == BL_OP_UPDATE) {
				buf_putl(&s->sql, " = ");
				put_param(&s->sql, n);
			} else {
				put_param(&tail, n);
			}
		}
		if (op == BL_OP_INSERT) {
			buf_putl(&s->sql, ") VALUES (");
			buf_put(&s->sql, tail.p, tail.n);
			buf_putc(&s->sql, ')');
		}
		buf_release(&tail);
	}
	if (where) {
		buf_putl(&s->sql, " WHERE ");
		bool first = true;
		bool keyed = false;
		for (uint32_t i = 0; i < t->ncols; i++)
			keyed |= t->cols[i].is_pk;
		/* without a key, all columns identify the row: one row only */
		if (!keyed)
			buf_putl(&s->sql, "ctid = (SELECT ctid FROM ");
		if (!keyed) {
			rp_quote_ident(&s->sql, schema);
			buf_putc(&s->sql, '.');
			rp_quote_ident(&s->sql, t->name);
			buf_putl(&s->sql, " WHERE ");
		}
		for (uint32_t i = 0; i < t->ncols; i++) {
			if (!is_key(t, i) || where[i].kind == BLV_ABSENT)
				continue;
			buf_reset(v);
			bool isnull;
			int rc = rp_value_text(v, &t->cols[i], &where[i], &s->o.conv, &isnull, e);
			if (rc < 0)
				return rc;
			if (!first)
				buf_putl(&s->sql, " AND ");
			first = false;
			rp_quote_ident(&s->sql, column_name(t, i, tmp, sizeof(tmp)));
			vals[n++] = isnull ? NULL : arena_strndup(&s->params, buf_cstr(v), v->n);
			/* keys are NOT NULL: '=' uses the index */
			if (keyed)
				buf_putl(&s->sql, " = ");
			else
				buf_putl(&s->sql, " IS NOT DISTINCT FROM ");
			put_param(&s->sql, n);
		}
		if (first)
			return err_set(e, ERR_UNSUPPORTED,
				       "`%s`.`%s`: the row image holds no key column",
				       t->schema, t->name);
		if (!keyed)
			buf_putl(&s->sql, " LIMIT 1)");
	}
	*vals_out = vals;
	*nvals = n;
	return 0;
}

#define INSERT_BATCH 64	/* most rows per multi-row INSERT */

static bool same_columns(const struct bl_table *t, const struct bl_value *a,
			 const struct bl_value *b)
{
	for (uint32_t i = 0; i < t->ncols; i++)
		if ((a[i].kind == BLV_ABSENT) != (b[i].kind == BLV_ABSENT))
			return false;
	return true;
}

/* One INSERT of k rows with the same columns: far fewer round trips. */
static int insert_batch(struct rp_sink *s, const struct bl_table *t,
			const char *schema, const struct bl_row *rows, uint32_t k,
			struct err *e)
{
	arena_reset(&s->params);
	const char **vals = arena_calloc(&s->params, (size_t)t->ncols * k + 1,
					 sizeof(char *));
	int n = 0;
	char tmp[32];
	buf_reset(&s->sql);
	buf_putl(&s->sql, "INSERT INTO ");
	rp_quote_ident(&s->sql, schema);
	buf_putc(&s->sql, '.');
	rp_quote_ident(&s->sql, t->name);
	buf_putl(&s->sql, " (");
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (rows[0].after[i].kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putl(&s->sql, ", ");
		first = false;
		rp_quote_ident(&s->sql, column_name(t, i, tmp, sizeof(tmp)));
	}
	buf_putl(&s->sql, ") VALUES ");
	for (uint32_t r = 0; r < k; r++) {
		if (r)
			buf_putl(&s->sql, ", (");
		else
			buf_putl(&s->sql, "(");
		bool f2 = true;
		for (uint32_t i = 0; i < t->ncols; i++) {
			const struct bl_value *v = &rows[r].after[i];
			if (v->kind == BLV_ABSENT)
				continue;
			buf_reset(&s->val);
			bool isnull;
			int rc = rp_value_text(&s->val, &t->cols[i], v, &s->o.conv, &isnull, e);
			if (rc < 0)
				return rc;
			if (rc == RP_ZERO_DATE_REPLACED)
				s->st.zero_dates++;
			vals[n++] = isnull ? NULL
					   : arena_strndup(&s->params, buf_cstr(&s->val),
							   s->val.n);
			if (!f2)
				buf_putl(&s->sql, ", ");
			f2 = false;
			put_param(&s->sql, n);
		}
		buf_putc(&s->sql, ')');
	}
	return send_prepared(s, buf_cstr(&s->sql), n, vals, e);
}

/* COPY "schema"."table" (columns) FROM STDIN, for rows like img. */
static void copy_statement(struct buf *b, const struct bl_table *t,
			   const char *schema, const struct bl_value *img)
{
	char tmp[32];
	buf_reset(b);
	buf_putl(b, "COPY ");
	rp_quote_ident(b, schema);
	buf_putc(b, '.');
	rp_quote_ident(b, t->name);
	buf_putl(b, " (");
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (img[i].kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putl(b, ", ");
		first = false;
		rp_quote_ident(b, column_name(t, i, tmp, sizeof(tmp)));
	}
	buf_putl(b, ") FROM STDIN");
}

/*
 * n inserts with the same columns: into the open COPY when it is for the
 * same table and columns, into a new COPY when the run is long enough,
 * else as multi-row INSERTs in the pipeline.
 */
static int insert_run(struct rp_sink *s, const struct bl_table *t,
		      const char *schema, const struct bl_row *rows, uint32_t n,
		      struct err *e)
{
	int rc;
	copy_statement(&s->sql, t, schema, rows[0].after);
	bool same = s->copying && s->copy_table == s->cur_table &&
		    !strcmp(buf_cstr(&s->sql), buf_cstr(&s->copy_sql));
	if (!same && n >= COPY_MIN_ROWS) {
		rc = copy_end(s, e);
		if (rc)
			return rc;
		buf_reset(&s->copy_sql);
		buf_put(&s->copy_sql, s->sql.p, s->sql.n);
		rc = copy_begin(s, e);
		if (rc)
			return rc;
		same = true;
	}
	if (same) {
		for (uint32_t i = 0; i < n; i++) {
			rc = copy_row(s, t, rows[i].after, e);
			if (rc)
				return rc;
		}
		return 0;
	}
	for (uint32_t i = 0; i < n;) {
		uint32_t k = n - i;
		/* sizes 64, 16, 4 or 1: few distinct prepared statements */
		k = k >= INSERT_BATCH ? INSERT_BATCH : k >= 16 ? 16 : k >= 4 ? 4 : 1;
		rc = insert_batch(s, t, schema, &rows[i], k, e);
		if (rc)
			return rc;
		i += k;
	}
	return 0;
}

/*
 * Deletes of a table keyed by one column are batched: one
 * DELETE ... WHERE k = ANY($1) per run of up to DELETE_BATCH rows of an
 * event, the keys in one text array parameter whose element type
 * PostgreSQL takes from the key column.  Deleting a set of distinct keys
 * does not depend on the order of the rows (a key deleted twice is a
 * no-op the second time, as row by row).  Tables without a primary key
 * or with a composite one keep one statement per row.
 */
#define DELETE_BATCH 1024

/* The single primary-key column of t, or -1 (none, or composite). */
static int single_key(const struct bl_table *t)
{
	int k = -1;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (!t->cols[i].is_pk)
			continue;
		if (k >= 0)
			return -1;
		k = (int)i;
	}
	return k;
}

/* An element of an array literal: double-quoted, '"' and '\' escaped. */
static void array_elem(struct buf *b, const uint8_t *p, size_t n)
{
	buf_putc(b, '"');
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '"' && p[i] != '\\')
			continue;
		buf_put(b, p + from, i - from);
		buf_putc(b, '\\');
		from = i;
	}
	buf_put(b, p + from, n - from);
	buf_putc(b, '"');
}

static int array_param(struct rp_sink *s, const struct bl_table *t, uint32_t c,
		       const struct bl_row *rows, uint32_t n, bool before,
		       const char **out, struct err *e);

static int delete_batch(struct rp_sink *s, const struct bl_table *t,
			const char *schema, uint32_t key, const struct bl_row *rows,
			uint32_t n, struct err *e)
{
	char tmp[32];
	/* a NULL key matches no row, as '=' row by row */
	arena_reset(&s->params);
	const char *keys;
	int rc = array_param(s, t, key, rows, n, true, &keys, e);
	if (rc < 0)
		return rc;
	buf_reset(&s->sql);
	buf_putl(&s->sql, "DELETE FROM ");
	rp_quote_ident(&s->sql, schema);
	buf_putc(&s->sql, '.');
	rp_quote_ident(&s->sql, t->name);
	buf_putl(&s->sql, " WHERE ");
	rp_quote_ident(&s->sql, column_name(t, key, tmp, sizeof(tmp)));
	buf_putl(&s->sql, " = ANY($1)");
	const char *vals[1] = {keys};
	return send_prepared(s, buf_cstr(&s->sql), 1, vals, e);
}

/*
 * Updates of a table keyed by one column are batched too, when a run of
 * rows of one event keeps its keys (the after image has the same key, or
 * none), changes the same columns and touches each key once:
 *   UPDATE t AS d SET a = v.a, ... FROM unnest($1, $2, ...) AS v(k, a, ...)
 *   WHERE d.k = v.k
 * one text array parameter per column.  Rows with distinct keys do not
 * depend on their order; a changed key or a key seen twice ends the run
 * (row by row from there, as before).  Each array parameter is written
 * COALESCE($n, (SELECT array_agg(col) FROM t WHERE false)) so that
 * PostgreSQL types it as an array of the table's own column type: the
 * elements go through the same input functions as the text parameters of
 * the row-by-row statements.
 */
#define UPDATE_BATCH 1024

/* Whether a and b are the same present value, compared as text. */
static int same_text(struct rp_sink *s, const struct bl_column *c,
		     const struct bl_value *a, const struct bl_value *b,
		     const char **a_text, size_t *a_len, struct err *e)
{
	bool anull, bnull;
	buf_reset(&s->val);
	int rc = rp_value_text(&s->val, c, a, &s->o.conv, &anull, e);
	if (rc < 0)
		return rc;
	*a_text = arena_strndup(&s->params, buf_cstr(&s->val), s->val.n);
	*a_len = s->val.n;
	if (anull)
		return 0;	/* a NULL key: row by row */
	if (b->kind == BLV_ABSENT)
		return 1;
	buf_reset(&s->val);
	rc = rp_value_text(&s->val, c, b, &s->o.conv, &bnull, e);
	if (rc < 0)
		return rc;
	return !bnull && s->val.n == *a_len && !memcmp(s->val.p, *a_text, *a_len);
}

/*
 * How many rows from rows[0] one batched UPDATE may apply (0 or 1: row by
 * row).  The rows' key texts are left in s->params.
 */
static int update_run(struct rp_sink *s, const struct bl_table *t, uint32_t key,
		      const struct bl_row *rows, uint32_t n, uint32_t *run,
		      struct err *e)
{
	enum { NSLOTS = 2 * UPDATE_BATCH };	/* open addressing, half full at most */
	uint32_t slots[NSLOTS];	/* 1 + row index, 0 = empty */
	const char *texts[UPDATE_BATCH];
	size_t lens[UPDATE_BATCH];
	memset(slots, 0, sizeof(slots));
	*run = 0;
	bool sets = false;
	for (uint32_t i = 0; i < t->ncols; i++)
		sets |= i != key && rows[0].after[i].kind != BLV_ABSENT;
	if (!sets)
		return 0;
	uint32_t r = 0;
	for (; r < n && r < UPDATE_BATCH; r++) {
		const struct bl_row *row = &rows[r];
		if (row->before[key].kind == BLV_ABSENT ||
		    !same_columns(t, rows[0].after, row->after) ||
		    json_diff_params(t, row->after))
			break;	/* partial JSON updates go row by row */
		int rc = same_text(s, &t->cols[key], &row->before[key], &row->after[key],
				   &texts[r], &lens[r], e);
		if (rc < 0)
			return rc;
		if (!rc)
			break;	/* the key changes */
		uint64_t h = hash_bytes((const uint8_t *)texts[r], lens[r]);
		uint32_t at = (uint32_t)(h % NSLOTS);
		bool seen = false;
		while (slots[at] && !seen) {
			uint32_t o = slots[at] - 1;
			seen = lens[o] == lens[r] && !memcmp(texts[o], texts[r], lens[r]);
			at = (at + 1) % NSLOTS;
		}
		if (seen)
			break;	/* the same row again */
		slots[at] = r + 1;
	}
	*run = r;
	return 0;
}

/* An array literal of column c's values in the rows' images (after or before). */
static int array_param(struct rp_sink *s, const struct bl_table *t, uint32_t c,
		       const struct bl_row *rows, uint32_t n, bool before,
		       const char **out, struct err *e)
{
	buf_reset(&s->keys);
	buf_putc(&s->keys, '{');
	for (uint32_t r = 0; r < n; r++) {
		const struct bl_value *v = before ? &rows[r].before[c] : &rows[r].after[c];
		buf_reset(&s->val);
		bool isnull;
		int rc = rp_value_text(&s->val, &t->cols[c], v, &s->o.conv, &isnull, e);
		if (rc < 0)
			return rc;
		if (rc == RP_ZERO_DATE_REPLACED && !before)
			s->st.zero_dates++;
		if (r)
			buf_putc(&s->keys, ',');
		if (isnull)
			buf_putl(&s->keys, "NULL");
		else
			array_elem(&s->keys, s->val.p, s->val.n);
	}
	buf_putc(&s->keys, '}');
	*out = arena_strndup(&s->params, buf_cstr(&s->keys), s->keys.n);
	return 0;
}

static int update_batch(struct rp_sink *s, const struct bl_table *t,
			const char *schema, uint32_t key, const struct bl_row *rows,
			uint32_t n, struct err *e)
{
	const char **vals = arena_calloc(&s->params, (size_t)t->ncols + 1,
					 sizeof(char *));
	char tmp[32];
	int np = 0;
	struct buf *q = &s->sql;
	buf_reset(q);
	buf_putl(q, "UPDATE ");
	rp_quote_ident(q, schema);
	buf_putc(q, '.');
	rp_quote_ident(q, t->name);
	buf_putl(q, " AS d SET ");
	bool first = true;
	for (uint32_t i = 0; i < t->ncols; i++) {
		if (i == key || rows[0].after[i].kind == BLV_ABSENT)
			continue;
		if (!first)
			buf_putl(q, ", ");
		first = false;
		rp_quote_ident(q, column_name(t, i, tmp, sizeof(tmp)));
		buf_putl(q, " = v.");
		rp_quote_ident(q, column_name(t, i, tmp, sizeof(tmp)));
	}
	buf_putl(q, " FROM unnest(");
	/* the key (from the before image) first, then the columns set */
	for (uint32_t j = 0; j <= t->ncols; j++) {
		uint32_t i = j == 0 ? key : j - 1;
		if (j > 0 && (i == key || rows[0].after[i].kind == BLV_ABSENT))
			continue;
		int rc = array_param(s, t, i, rows, n, j == 0, &vals[np], e);
		if (rc)
			return rc;
		np++;
		if (j > 0)
			buf_putl(q, ", ");
		buf_putl(q, "COALESCE(");
		put_param(q, np);
		buf_putl(q, ", (SELECT array_agg(");
		rp_quote_ident(q, column_name(t, i, tmp, sizeof(tmp)));
		buf_putl(q, ") FROM ");
		rp_quote_ident(q, schema);
		buf_putc(q, '.');
		rp_quote_ident(q, t->name);
		buf_putl(q, " WHERE false))");
	}
	buf_putl(q, ") AS v(");
	for (uint32_t j = 0; j <= t->ncols; j++) {
		uint32_t i = j == 0 ? key : j - 1;
		if (j > 0 && (i == key || rows[0].after[i].kind == BLV_ABSENT))
			continue;
		if (j > 0)
			buf_putl(q, ", ");
		rp_quote_ident(q, column_name(t, i, tmp, sizeof(tmp)));
	}
	buf_putl(q, ") WHERE d.");
	rp_quote_ident(q, column_name(t, key, tmp, sizeof(tmp)));
	buf_putl(q, " = v.");
	rp_quote_ident(q, column_name(t, key, tmp, sizeof(tmp)));
	return send_prepared(s, buf_cstr(q), np, vals, e);
}

/* Whether a change of table at (file, end) is already in a sync_tables copy. */
static bool in_sync_copy(const struct rp_sink *s, const char *table, const char *file,
			 uint64_t end)
{
	for (size_t i = 0; i < s->nsynced; i++) {
		const struct synced *y = &s->synced[i];
		if (y->table != table)
			continue;
		int c = strcmp(file, y->file);
		return c < 0 || (c == 0 && end <= y->pos);
	}
	return false;
}

static int apply_rows(struct rp_sink *s, const struct bl_event *ev, const char *file,
		      struct err *e)
{
	const struct bl_table *t = ev->rows.table;
	const char *schema = pg_schema(s, t->schema);
	if (!schema)
		return 0;	/* not a replicated schema */
	if (!rp_table_included(&s->o, t->schema, t->name) ||
	    rp_event_skipped(&s->o, ev->rows.op, t->schema, t->name) ||
	    is_disabled(s, t->schema, t->name))
		return 0;
	if (s->nsynced && in_sync_copy(s, intern(s, t->schema, t->name), file, ev->end_pos))
		return 0;
	int rc = begin(s, e);
	if (rc)
		return rc;
	s->cur_table = intern(s, t->schema, t->name);
	if (ev->rows.op == BL_OP_INSERT) {
		const struct bl_row *rows = ev->rows.rows;
		uint32_t i = 0;
		while (i < ev->rows.nrows) {
			uint32_t run = 1;	/* rows with the columns of rows[i] */
			while (i + run < ev->rows.nrows &&
			       same_columns(t, rows[i].after, rows[i + run].after))
				run++;
			rc = insert_run(s, t, schema, &rows[i], run, e);
			if (rc)
				return err_set(e, -rc, "`%s`.`%s` at %llu: %s", t->schema,
					       t->name, (unsigned long long)ev->pos, e->msg);
			s->st.rows += run;
			s->st.inserts += run;
			s->pending_rows += run;
			i += run;
		}
		return 0;
	}
	int key = single_key(t);
	for (uint32_t i = 0; i < ev->rows.nrows;) {
		const struct bl_row *rows = &ev->rows.rows[i];
		uint32_t left = ev->rows.nrows - i;
		uint32_t run = 0;	/* rows batched in one statement */
		arena_reset(&s->params);
		if (key >= 0 && ev->rows.op == BL_OP_DELETE) {
			while (run < DELETE_BATCH && run < left &&
			       rows[run].before[key].kind != BLV_ABSENT)
				run++;
			if (run > 1)
				rc = delete_batch(s, t, schema, (uint32_t)key, rows, run, e);
		} else if (key >= 0 && ev->rows.op == BL_OP_UPDATE) {
			rc = update_run(s, t, (uint32_t)key, rows, left, &run, e);
			if (!rc && run > 1) {
				arena_reset(&s->params);
				rc = update_batch(s, t, schema, (uint32_t)key, rows, run, e);
			}
		}
		if (rc)
			return err_set(e, -rc, "`%s`.`%s` at %llu: %s", t->schema, t->name,
				       (unsigned long long)ev->pos, e->msg);
		if (run > 1) {
			s->st.rows += run;
			s->pending_rows += run;
			if (ev->rows.op == BL_OP_UPDATE)
				s->st.updates += run;
			else
				s->st.deletes += run;
			i += run;
			continue;
		}
		arena_reset(&s->params);
		const char **vals = NULL;
		int n = 0;
		rc = row_statement(s, t, schema, ev->rows.op, rows, &vals, &n, e);
		if (rc)
			return err_set(e, -rc, "`%s`.`%s` at %llu: %s", t->schema, t->name,
				       (unsigned long long)ev->pos, e->msg);
		rc = send_prepared(s, buf_cstr(&s->sql), n, vals, e);
		if (rc)
			return rc;
		s->st.rows++;
		s->pending_rows++;
		if (ev->rows.op == BL_OP_INSERT)
			s->st.inserts++;
		else if (ev->rows.op == BL_OP_UPDATE)
			s->st.updates++;
		else
			s->st.deletes++;
		i++;
	}
	return 0;
}

static int boundary(struct rp_sink *s, const char *file, uint64_t end, struct err *e)
{
	s->in_src_tx = false;
	s->st.transactions++;
	/* show_status counts source transactions that changed rows */
	if (s->st.rows != s->rows_at_boundary) {
		s->pending_tx++;
		s->rows_at_boundary = s->st.rows;
	}
	s->last_ts = s->cur_ts;
	snprintf(s->last_file, sizeof(s->last_file), "%s", file);
	s->last_end = end;
	if (s->in_pg_tx && s->pending_rows >= (uint64_t)s->o.max_rows)
		return commit(s, e);
	return 0;
}

/* ---- structure checks and the DDL guard ---------------------------------
 * DDL is not replicated.  A statement touching a replicated table is
 * reported (t_error_log and the log); TRUNCATE is applied.  A table whose
 * table map no longer matches PostgreSQL's table is taken out of
 * replication before any of its rows is applied: checked once per table
 * id and table map signature, so rows cost nothing.
 */

static void say(struct rp_sink *s, bool warning, const char *fmt, ...) PRINTF(3, 4);

static void say(struct rp_sink *s, bool warning, const char *fmt, ...)
{
	if (!s->o.log)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o.log(s->o.log_arg, warning, msg);
}

/*
 * A statement as catalog text: its bytes are in the client's charset and
 * may hold anything, PostgreSQL text takes valid UTF-8 without NUL; other
 * bytes become '?'.  At most max bytes are kept.
 */
static void clean_text(struct buf *out, const uint8_t *p, size_t n, size_t max)
{
	size_t i = 0;
	while (i < n && out->n < max) {
		size_t len = p[i] ? utf8_seq(p + i, n - i) : 0;
		bool ok = len > 0;
		if (ok) {
			buf_put(out, p + i, len);
			i += len;
		} else {
			buf_putc(out, '?');
			i++;
		}
	}
	if (i < n)
		buf_putl(out, "...");
}

/* A row of t_error_log, in the open transaction (committed with the
 * position, so recorded once whatever restarts happen). */
static int log_row(struct rp_sink *s, const char *schema, const char *table,
		   const char *msg, const char *stmt, const char *file, uint64_t pos,
		   struct err *e)
{
	int rc = begin(s, e);
	if (rc)
		return rc;
	char posbuf[24];
	snprintf(posbuf, sizeof(posbuf), "%llu", (unsigned long long)pos);
	const char *v[7] = {s->source, schema, table, msg, stmt, file, posbuf};
	const char *keep = s->cur_table;
	s->cur_table = NULL;
	rc = send_sql(s,
		"INSERT INTO sch_chameleon.t_error_log (source_name, schema_name, "
		"table_name, error, statement, binlog_file, binlog_position) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, v, e);
	s->cur_table = keep;
	return rc;
}

/*
 * Take a table out of replication inside the open transaction: the rows
 * applied before (same transaction) stay, none after.  Undone with the
 * transaction if it is rolled back (forget_uncommitted).
 */
static int disable_in_tx(struct rp_sink *s, const char *schema, const char *table,
			 const char *msg, const char *stmt, const char *file,
			 uint64_t pos, struct err *e)
{
	int rc = begin(s, e);
	if (rc)
		return rc;
	const char *v[3] = {s->source, schema, table};
	const char *keep = s->cur_table;
	s->cur_table = NULL;
	rc = send_sql(s,
		"INSERT INTO sch_chameleon.t_disabled_tables (source_name, schema_name, "
		"table_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, v, e);
	s->cur_table = keep;
	if (!rc)
		rc = log_row(s, schema, table, msg, stmt, file, pos, e);
	if (rc)
		return rc;
	if (!s->disabled_pending || s->disabled_commits != s->st.commits) {
		s->disabled_pending = true;
		s->disabled_mark = s->disabled.n;
		s->disabled_commits = s->st.commits;
		s->disabled_pending_n = 0;
	}
	char key[600];
	snprintf(key, sizeof(key), "%s.%s", schema, table);
	buf_put(&s->disabled, key, strlen(key) + 1);
	s->disabled_pending_n++;
	s->st.disabled++;
	say(s, true, "table %s taken out of replication: %s", key, msg);
	return 0;
}

/* After a rollback: what the transaction disabled is not disabled, and
 * every table map is checked again. */
static void forget_uncommitted(struct rp_sink *s)
{
	if (s->disabled_pending && s->disabled_commits == s->st.commits) {
		s->disabled.n = s->disabled_mark;
		s->st.disabled -= s->disabled_pending_n;
	}
	s->disabled_pending = false;
	memset(s->shapes, 0, sizeof(s->shapes));
	/* tables created by the transaction are gone too */
	buf_reset(&s->created);
}

/*
 * Run one catalog query now and return its result: what is in flight is
 * read first, then the query goes with its own sync point.  In the open
 * transaction when there is one (a table created by it is seen).
 */
static int query_now(struct rp_sink *s, const char *sql, int n,
		     const char *const *vals, PGresult **out, struct err *e)
{
	*out = NULL;
	int rc = copy_end(s, e);
	if (!rc && s->since_sync)
		rc = sync_point(s, e);
	while (!rc && s->inflight > 0)
		rc = read_segment(s, e);
	if (rc)
		return rc;
	if (PQsendQueryParams(s->pg, sql, n, NULL, vals, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(s->pg) != 1)
		return pg_err(s, e, "cannot send a catalog query");
	PGresult *res = NULL;
	for (;;) {
		PGresult *r = PQgetResult(s->pg);
		if (!r) {
			if (PQstatus(s->pg) == CONNECTION_BAD) {
				if (!rc)
					rc = pg_err(s, e, "lost the PostgreSQL connection");
				break;
			}
			continue;
		}
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (st == PGRES_TUPLES_OK && !res && !rc) {
			res = r;
			continue;
		}
		if (st != PGRES_TUPLES_OK && !rc)
			rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
		PQclear(r);
	}
	if (rc) {
		PQclear(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* The columns of a PostgreSQL table in order; no rows when it is missing. */
static const char columns_sql[] =
	"SELECT a.attname, t.typname, t.typcategory, t.typtype "
	"FROM pg_catalog.pg_attribute a "
	"JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	"JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	"WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'f') "
	"AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* What identifies a table map's structure: types, metadata and names. */
static uint64_t table_sig(const struct bl_table *t)
{
	uint64_t h = HASH_INIT;
#define MIX(x) (h = hash_add_u64(h, (uint64_t)(x)))
	MIX(t->ncols);
	for (uint32_t i = 0; i < t->ncols; i++) {
		const struct bl_column *c = &t->cols[i];
		MIX(c->type);
		MIX(c->meta);
		MIX(c->collation);
		MIX(c->has_charset | c->is_unsigned << 1);
		for (const char *p = t->has_names && c->name ? c->name : ""; *p; p++)
			MIX((uint8_t)*p);
		MIX(0xff);
	}
#undef MIX
	return h;
}

/*
 * Whether PostgreSQL's column type is of the class of a MySQL column
 * (docs/types.md): numbers to numeric types (or boolean, pg_chameleon's
 * usual type_override of TINYINT(1)), dates and times to date/time
 * types, text to text types (or enum, uuid, json and other user types,
 * which parse text), bytes to bytea only.  cat is pg_type.typcategory,
 * typtype 'e' an enum.
 */
static bool type_fits(const struct bl_column *c, const char *typname, char cat,
		      char typtype)
{
	bool text = cat == 'S';
	bool bytea = !strcmp(typname, "bytea");
	bool json = !strcmp(typname, "jsonb") || !strcmp(typname, "json");
	switch (c->type) {
	case BL_TYPE_TINY:
	case BL_TYPE_SHORT:
	case BL_TYPE_INT24:
	case BL_TYPE_LONG:
	case BL_TYPE_LONGLONG:
	case BL_TYPE_DECIMAL:
	case BL_TYPE_NEWDECIMAL:
	case BL_TYPE_FLOAT:
	case BL_TYPE_DOUBLE:
	case BL_TYPE_YEAR:
		return cat == 'N' || cat == 'B';	/* B: type_override to boolean */
	case BL_TYPE_DATE:
	case BL_TYPE_NEWDATE:
	case BL_TYPE_DATETIME:
	case BL_TYPE_DATETIME2:
	case BL_TYPE_TIMESTAMP:
	case BL_TYPE_TIMESTAMP2:
		return cat == 'D';
	case BL_TYPE_TIME:
	case BL_TYPE_TIME2:
		return cat == 'T' || cat == 'D';
	case BL_TYPE_BIT:
		return cat == 'V' || cat == 'B';
	case BL_TYPE_JSON:
		return json;
	case BL_TYPE_ENUM:
	case BL_TYPE_SET:
		return text || typtype == 'e';
	case BL_TYPE_VECTOR:
		return cat == 'A';
	case BL_TYPE_GEOMETRY:
		return bytea;
	case BL_TYPE_BLOB:
	case BL_TYPE_TINY_BLOB:
	case BL_TYPE_MEDIUM_BLOB:
	case BL_TYPE_LONG_BLOB:
		if (!c->has_charset || c->collation == BL_COLLATION_BINARY)
			return bytea;	/* written as bytea */
		return text || (cat == 'U' && !bytea) || typtype == 'e';
	case BL_TYPE_VARCHAR:
	case BL_TYPE_VAR_STRING:
	case BL_TYPE_STRING:
		if (c->has_charset && c->collation == BL_COLLATION_BINARY)
			return bytea;
		/* text; U: uuid, citext, jsonb by type_override */
		return text || (cat == 'U' && !bytea) || typtype == 'e';
	default:
		return true;
	}
}

/* TABLE_MAP of a replicated table: do its row images fit PostgreSQL's table? */
static int check_structure(struct rp_sink *s, const struct bl_table *t,
			   const char *schema, const struct bl_event *ev,
			   const char *file, struct err *e)
{
	uint64_t sig = table_sig(t);
	struct shape *sh = &s->shapes[t->table_id % SHAPE_SLOTS];
	if (sh->valid && sh->table_id == t->table_id && sh->sig == sig)
		return 0;
	const char *v[2] = {schema, t->name};
	PGresult *r;
	int rc = query_now(s, columns_sql, 2, v, &r, e);
	if (rc)
		return rc;
	char why[600] = "";
	char tmp[32];
	int npg = PQntuples(r);
	if (npg == 0) {
		snprintf(why, sizeof(why), "PostgreSQL has no table %s.%s", schema, t->name);
	} else if ((uint32_t)npg != t->ncols) {
		snprintf(why, sizeof(why),
			 "the row images have %u columns, PostgreSQL's table %s.%s has %d: "
			 "the source table's structure changed (DDL is not replicated)",
			 t->ncols, schema, t->name, npg);
	}
	for (uint32_t i = 0; !why[0] && i < t->ncols; i++) {
		const char *name = column_name(t, i, tmp, sizeof(tmp));
		int j = 0;
		while (j < npg && strcmp(PQgetvalue(r, j, 0), name))
			j++;
		if (j == npg) {
			snprintf(why, sizeof(why),
				 "column %s of the row images is not in PostgreSQL's table "
				 "%s.%s (DDL is not replicated)", name, schema, t->name);
		} else if (!type_fits(&t->cols[i], PQgetvalue(r, j, 1), PQgetvalue(r, j, 2)[0],
				      PQgetvalue(r, j, 3)[0])) {
			snprintf(why, sizeof(why),
				 "column %s is %s in the row images but %s in PostgreSQL's "
				 "table %s.%s: its type changed (DDL is not replicated)",
				 name, bl_col_type_name(t->cols[i].type), PQgetvalue(r, j, 1),
				 schema, t->name);
		}
	}
	PQclear(r);
	if (!why[0]) {
		sh->table_id = t->table_id;
		sh->sig = sig;
		sh->valid = true;
		return 0;
	}
	return disable_in_tx(s, t->schema, t->name, why, NULL, file, ev->pos, e);
}

struct ddl_ctx {
	struct rp_sink *s;
	const struct bl_event *ev;
	const char *file;
	struct err *e;
	int rc;
	char dflt[300];		/* the event's default database */
	struct buf stmt;	/* the statement as catalog text, made when needed */
};

static const char *ddl_stmt(struct ddl_ctx *c)
{
	if (!c->stmt.n) {
		struct bytes q = c->ev->query.query;
		clean_text(&c->stmt, q.p, q.n, 64 * 1024);
	}
	return buf_cstr(&c->stmt);
}

/* TRUNCATE of a replicated table: the same in PostgreSQL, in the open
 * transaction (a refusal takes the table out of replication). */
static int ddl_truncate(struct ddl_ctx *c, const char *schema, const char *table,
			const char *pg)
{
	struct rp_sink *s = c->s;
	const char *v[2] = {pg, table};
	PGresult *r;
	int rc = query_now(s, columns_sql, 2, v, &r, c->e);
	if (rc)
		return rc;
	int exists = PQntuples(r) > 0;
	PQclear(r);
	if (!exists) {
		say(s, false, "TRUNCATE of `%s`.`%s`: PostgreSQL has no table %s.%s", schema,
		    table, pg, table);
		return 0;
	}
	rc = begin(s, c->e);
	if (rc)
		return rc;
	buf_reset(&s->sql);
	buf_putl(&s->sql, "TRUNCATE ");
	rp_quote_ident(&s->sql, pg);
	buf_putc(&s->sql, '.');
	rp_quote_ident(&s->sql, table);
	const char *keep = s->cur_table;
	s->cur_table = intern(s, schema, table);
	rc = send_sql(s, buf_cstr(&s->sql), 0, NULL, c->e);
	s->cur_table = keep;
	if (!rc)
		say(s, false, "TRUNCATE of `%s`.`%s` applied to %s.%s (%s:%llu)", schema,
		    table, pg, table, c->file, (unsigned long long)c->ev->pos);
	return rc;
}

static void ddl_table(void *arg, enum rp_ddl_kind kind, const char *schema,
		      const char *table)
{
	struct ddl_ctx *c = arg;
	struct rp_sink *s = c->s;
	if (c->rc)
		return;
	if (!schema) {
		if (!c->dflt[0])
			return;
		schema = c->dflt;
	}
	const char *pg = pg_schema(s, schema);
	if (!pg || !rp_table_included(&s->o, schema, table) || is_disabled(s, schema, table))
		return;
	/* the structure may change: every table map is checked again */
	memset(s->shapes, 0, sizeof(s->shapes));
	if (kind == RP_DDL_TRUNCATE) {
		c->rc = ddl_truncate(c, schema, table, pg);
		return;
	}
	if (kind == RP_DDL_CREATE_TABLE && s->o.create_tables) {
		say(s, false, "CREATE TABLE of `%s`.`%s`: created from its first table map "
		    "when PostgreSQL has no such table", schema, table);
		return;
	}
	char msg[700];
	snprintf(msg, sizeof(msg), "DDL not replicated: %s of `%s`.`%s`", rp_ddl_name(kind),
		 schema, table);
	say(s, true, "%s (%s:%llu): %s", msg, c->file, (unsigned long long)c->ev->pos,
	    ddl_stmt(c));
	if (kind == RP_DDL_DROP_TABLE || kind == RP_DDL_RENAME_TABLE) {
		/* PostgreSQL's table no longer stands for a source table: a
		 * table of that name created later needs a new copy */
		c->rc = disable_in_tx(s, schema, table, msg, ddl_stmt(c), c->file,
				      c->ev->pos, c->e);
		return;
	}
	c->rc = log_row(s, schema, table, msg, ddl_stmt(c), c->file, c->ev->pos, c->e);
}

#define MODE_ANSI_QUOTES 4	/* sql_mode bit */

/* A QUERY event other than BEGIN: DDL touching replicated tables. */
static int ddl_guard(struct rp_sink *s, const struct bl_event *ev, const char *file,
		     struct err *e)
{
	struct bytes q = ev->query.query;
	if (q.n == 6 && !memcmp(q.p, "COMMIT", 6))
		return 0;
	struct ddl_ctx c;
	memset(&c, 0, sizeof(c));
	c.s = s;
	c.ev = ev;
	c.file = file;
	c.e = e;
	snprintf(c.dflt, sizeof(c.dflt), "%.*s", (int)ev->query.schema.n,
		 (const char *)ev->query.schema.p);
	buf_init(&c.stmt, 0);
	bool ansi = ev->query.has_sql_mode && (ev->query.sql_mode & MODE_ANSI_QUOTES);
	(void)rp_ddl_parse((const char *)q.p, q.n, ansi, ddl_table, &c);
	buf_release(&c.stmt);
	return c.rc;
}

static int event_inner(struct rp_sink *s, const struct bl_event *ev,
		       const char *file, struct err *e)
{
	/* skip what the stored position says is applied */
	if (s->pos_file[0]) {
		int c = strcmp(file, s->pos_file);
		if (c < 0 || (c == 0 && ev->end_pos <= s->pos)) {
			s->st.skipped++;
			return 0;
		}
	}
	switch (ev->h.type) {
	case BL_TABLE_MAP_EVENT: {
		const struct bl_table *t = ev->table_map.table;
		const char *schema = pg_schema(s, t->schema);
		if (!schema || !rp_table_included(&s->o, t->schema, t->name) ||
		    is_disabled(s, t->schema, t->name))
			return 0;
		if (s->o.create_tables) {
			int rc = create_table(s, t, schema, e);
			if (rc)
				return rc;
		}
		return check_structure(s, t, schema, ev, file, e);
	}
	case BL_XID_EVENT:
		return boundary(s, file, ev->end_pos, e);
	case BL_MARIA_GTID_EVENT:
		s->in_src_tx = !ev->maria_gtid.standalone;
		return 0;
	case BL_QUERY_EVENT:
	case BL_MARIA_QUERY_COMPRESSED_EVENT: {
		struct bytes q = ev->query.query;
		if (q.n == 5 && !memcmp(q.p, "BEGIN", 5)) {
			s->in_src_tx = true;
			return 0;
		}
		int rc = ddl_guard(s, ev, file, e);
		if (rc)
			return rc;
		/* COMMIT (non-transactional engines) or a statement of its own */
		return boundary(s, file, ev->end_pos, e);
	}
	default:
		if (bl_event_is_rows(ev->h.type) && ev->rows.table) {
			int rc = apply_rows(s, ev, file, e);
			if (rc)
				return rc;
			/* a rows event outside a transaction commits by itself */
			if (!s->in_src_tx && (ev->rows.flags & 1))
				return boundary(s, file, ev->end_pos, e);
		}
		return 0;
	}
}

static void forget_statements(struct rp_sink *s)
{
	for (int i = 0; i < NBUCKETS; i++) {
		struct stmt *st = s->buckets[i];
		while (st) {
			struct stmt *n = st->next;
			free(st);
			st = n;
		}
		s->buckets[i] = NULL;
	}
}

/*
 * A change PostgreSQL refused: roll back, take its table out of
 * replication (t_disabled_tables) with the error logged (t_error_log),
 * and have the caller start again from the committed position.
 */
static int recover(struct rp_sink *s, struct err *e)
{
	const char *table = s->fail_table;
	uint64_t fail_pos = s->fail_pos;
	char msg[512], sql[1024] = "";
	snprintf(msg, sizeof(msg), "%s", s->fail_msg);
	if (s->fail_sql)
		snprintf(sql, sizeof(sql), "%s", s->fail_sql);
	struct err ignore = {0};
	forget_uncommitted(s);
	while (s->inflight > 0)
		(void)read_segment(s, &ignore);
	if (s->in_pg_tx) {
		s->cur_table = NULL;
		if (PQsendQueryParams(s->pg, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
		    PQpipelineSync(s->pg) == 1) {
			s->inflight++;
			while (s->inflight > 0)
				(void)read_segment(s, &ignore);
		}
	}
	s->in_pg_tx = false;
	s->in_src_tx = false;
	s->pending_rows = 0;
	drop_counts(s);
	s->since_sync = 0;
	s->ntags = s->tag_read = 0;
	snprintf(s->last_file, sizeof(s->last_file), "%s", s->pos_file);
	s->last_end = s->pos;
	s->fail_table = s->fail_sql = NULL;
	if (PQexitPipelineMode(s->pg) != 1)
		return pg_err(s, e, "cannot leave pipeline mode");
	/* statements prepared in the aborted part of the pipeline do not
	 * exist: forget them all, they are prepared again when needed */
	forget_statements(s);
	PQclear(PQexec(s->pg, "DEALLOCATE ALL"));
	const char *dot = strchr(table, '.');
	char schema[300];
	snprintf(schema, sizeof(schema), "%.*s", (int)(dot ? dot - table : 0), table);
	char posbuf[32];
	snprintf(posbuf, sizeof(posbuf), "%llu", (unsigned long long)s->pos);
	const char *v1[3] = {s->source, schema, dot ? dot + 1 : table};
	PGresult *r = PQexecParams(s->pg,
		"INSERT INTO sch_chameleon.t_disabled_tables (source_name, schema_name, "
		"table_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		3, NULL, v1, NULL, NULL, 0);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0
		 : err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	PQclear(r);
	const char *v2[7] = {s->source, schema, dot ? dot + 1 : table, msg, sql,
			     s->pos_file, posbuf};
	r = PQexecParams(s->pg,
		"INSERT INTO sch_chameleon.t_error_log (source_name, schema_name, "
		"table_name, error, statement, binlog_file, binlog_position) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING log_id", 7, NULL, v2,
		NULL, NULL, 0);
	if (!rc && PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = err_set(e, ERR_PG, "%s", PQresultErrorMessage(r));
	if (!rc && PQntuples(r) == 1) {
		/* the failing event is in the file last received (a rotation
		 * in between only loses the row, never the error) */
		snprintf(s->capture_id, sizeof(s->capture_id), "%s", PQgetvalue(r, 0, 0));
		snprintf(s->capture_file, sizeof(s->capture_file), "%s", s->recv_file);
		s->capture_pos = fail_pos;
		s->capture_table = table;
	}
	PQclear(r);
	if (!rc && PQenterPipelineMode(s->pg) != 1)
		rc = pg_err(s, e, "cannot enter pipeline mode");
	if (rc)
		return rc;
	char key[600];
	snprintf(key, sizeof(key), "%s", table);
	buf_put(&s->disabled, key, strlen(key) + 1);
	s->st.disabled++;
	err_clear(e);
	err_set(e, ERR_PG, "table %s taken out of replication: %s", key, msg);
	return RP_RESTART;
}

/* After an error: a refused change of a known table is recovered from. */
static int handle(struct rp_sink *s, int rc, struct err *e)
{
	if (rc < 0 && s->fail_table && !s->o.stop_on_error &&
	    !s->broken && PQstatus(s->pg) == CONNECTION_OK)
		return recover(s, e);
	return rc;
}

#define ROW_DATA_MAX (256 * 1024)	/* bytes of row_data kept at most */

/*
 * The refused change's event, fed again: its rows as JSON (the decoder's
 * rendering: op, before, after, column -> value) into the error log entry.
 * One row: that object; several (the statement that failed may have
 * held any of them): an array.
 */
static int capture_rows(struct rp_sink *s, const struct bl_event *ev, const char *file,
			struct err *e)
{
	struct buf lines, out;
	buf_init(&lines, 0);
	buf_init(&out, 0);
	struct bl_render_ctx ctx = {file, NULL};
	bl_render_json(&lines, ev, &ctx);
	if (ev->rows.nrows > 1)
		buf_putc(&out, '[');
	/* JSON lines: strings never hold a raw newline */
	for (size_t i = 0; i < lines.n; i++) {
		char ch = (char)lines.p[i];
		if (ch != '\n')
			buf_putc(&out, ch);
		else if (i + 1 < lines.n)
			buf_putc(&out, ',');
	}
	if (ev->rows.nrows > 1)
		buf_putc(&out, ']');
	int rc = 0;
	if (out.n <= ROW_DATA_MAX) {
		const char *v[2] = {buf_cstr(&out), s->capture_id};
		const char *keep = s->cur_table;
		s->cur_table = NULL;
		/* in the open transaction if any: kept when it commits */
		rc = send_sql(s, "UPDATE sch_chameleon.t_error_log SET row_data = $1 "
			      "WHERE log_id = $2", 2, v, e);
		s->cur_table = keep;
	}
	s->capture_table = NULL;
	buf_release(&lines);
	buf_release(&out);
	return rc;
}

int rp_sink_event(struct rp_sink *s, const struct bl_event *ev, const char *file,
		  struct err *e)
{
	/* what show_status reports as received */
	if (ev->end_pos && !ev->in_payload) {
		if (strcmp(s->recv_file, file))
			snprintf(s->recv_file, sizeof(s->recv_file), "%s", file);
		s->recv_end = ev->end_pos;
	}
	if (ev->h.timestamp)
		s->recv_ts = ev->h.timestamp;
	s->cur_ts = ev->h.timestamp;
	s->cur_pos = ev->pos;
	if (s->capture_table && bl_event_is_rows(ev->h.type) && ev->rows.table &&
	    ev->pos == s->capture_pos && !strcmp(file, s->capture_file) &&
	    intern(s, ev->rows.table->schema, ev->rows.table->name) == s->capture_table) {
		int rc = capture_rows(s, ev, file, e);
		if (rc)
			return rc;
	}
	/* the row counters' difference is this event's, for its table */
	uint64_t ins = s->st.inserts, upd = s->st.updates, del = s->st.deletes;
	int rc = event_inner(s, ev, file, e);
	if (!rc && bl_event_is_rows(ev->h.type) && ev->rows.table &&
	    (s->st.inserts != ins || s->st.updates != upd || s->st.deletes != del))
		count_rows(s, ev->rows.table, s->st.inserts - ins, s->st.updates - upd,
			   s->st.deletes - del);
	return handle(s, rc, e);
}

int rp_sink_commit_idle(struct rp_sink *s, struct err *e)
{
	if (s->in_src_tx || !s->last_file[0])
		return 0;
	if (!s->in_pg_tx) {
		/* statements without rows (DDL, other schemas) moved the
		 * position: store it, so that it tells where the source is */
		if (s->last_end == s->pos && !strcmp(s->last_file, s->pos_file))
			return 0;
		int rc = begin(s, e);
		if (rc)
			return rc;
	}
	return handle(s, commit(s, e), e);
}

/* a before b in the binlog: file names sort, then positions */
static bool pos_before(const char *fa, uint64_t pa, const char *fb, uint64_t pb)
{
	int c = strcmp(fa, fb);
	return c < 0 || (c == 0 && pa < pb);
}

int rp_sink_caught_up(struct rp_sink *s, struct err *e)
{
	int rc = rp_sink_commit_idle(s, e);
	if (rc || s->in_pg_tx || s->in_src_tx || !s->recv_file[0])
		return rc;
	int64_t now = clock_ms();
	bool moved = strcmp(s->reported_file, s->recv_file) || s->reported_end != s->recv_end;
	if (s->reported_caught_up && !moved && !s->counted &&
	    now - s->reported_ms < REPORT_EVERY_MS)
		return 0;
	/*
	 * Everything received is applied or not replicated: the applied
	 * position moves up to the received one (events of other tables,
	 * a new binlog file's first events), so that both are equal.
	 */
	if (pos_before(s->pos_file, s->pos, s->recv_file, s->recv_end)) {
		snprintf(s->pos_file, sizeof(s->pos_file), "%s", s->recv_file);
		s->pos = s->recv_end;
		snprintf(s->last_file, sizeof(s->last_file), "%s", s->recv_file);
		s->last_end = s->recv_end;
	}
	char pos[32], lts[32], rts[32];
	put_u64(pos, sizeof(pos), s->pos);
	put_u64(lts, sizeof(lts), s->last_ts);
	put_u64(rts, sizeof(rts), s->recv_ts);
	const char *v[5] = {s->source, s->pos_file, pos, s->last_ts ? lts : NULL,
			    s->recv_ts ? rts : NULL};
	s->cur_table = NULL;
	rc = send_sql(s,
		"UPDATE sch_chameleon.t_sources SET binlog_file = $2, "
		"binlog_position = $3, "
		"applied_event_at = coalesce(to_timestamp($4::float8), applied_event_at), "
		"received_file = $2, received_position = $3, received_at = now(), "
		"received_event_at = coalesce(to_timestamp($5::float8), received_event_at), "
		"read_lag = 0, replay_lag = 0 WHERE source_name = $1", 5, v, e);
	if (!rc)
		rc = send_counts(s, e);	/* rows of statements outside transactions */
	if (!rc)
		rc = sync_point(s, e);
	while (!rc && s->inflight > 0)
		rc = read_segment(s, e);
	if (rc)
		return rc;
	s->reported_caught_up = true;
	snprintf(s->reported_file, sizeof(s->reported_file), "%s", s->recv_file);
	s->reported_end = s->recv_end;
	s->reported_ms = now;
	return 0;
}

void rp_sink_rollback(struct rp_sink *s)
{
	struct err e = {0};
	if (s->in_pg_tx) {
		(void)send_sql(s, "ROLLBACK", 0, NULL, &e);
		if (PQpipelineSync(s->pg) == 1)
			s->inflight++;
	}
	while (s->inflight > 0)
		(void)read_segment(s, &e);
	s->in_pg_tx = false;
	s->in_src_tx = false;
	s->pending_rows = 0;
	forget_uncommitted(s);
	drop_counts(s);
}

int rp_sink_finish(struct rp_sink *s, struct err *e)
{
	if (!s->in_pg_tx) {
		if (!s->counted)
			return 0;
		/* counts of statements outside transactions, committed by
		 * themselves before they were counted */
		int rc = send_counts(s, e);
		if (!rc)
			rc = sync_point(s, e);
		while (!rc && s->inflight > 0)
			rc = read_segment(s, e);
		return rc;
	}
	if (s->in_src_tx || !s->last_file[0]) {
		/* an unfinished source transaction is not applied */
		while (s->inflight > 0 && !read_segment(s, e))
			;
		return 0;
	}
	return handle(s, commit(s, e), e);
}

int rp_sink_start_at(struct rp_sink *s, const char *file, uint64_t pos, struct err *e)
{
	if (s->pos_file[0] || s->in_pg_tx)
		return 0;
	snprintf(s->last_file, sizeof(s->last_file), "%s", file);
	s->last_end = pos;
	int rc = begin(s, e);
	return rc ? rc : commit(s, e);
}

bool rp_sink_connection_lost(const struct rp_sink *s)
{
	return s->broken || PQstatus(s->pg) == CONNECTION_BAD;
}

void rp_sink_close(struct rp_sink *s)
{
	if (!s)
		return;
	if (s->pg)
		PQfinish(s->pg);
	forget_statements(s);
	buf_release(&s->sql);
	buf_release(&s->val);
	buf_release(&s->created);
	buf_release(&s->disabled);
	free(s->synced);
	free(s->tags);
	for (size_t i = 0; i < s->ncounts; i++) {
		free(s->counts[i].schema);
		free(s->counts[i].table);
	}
	free(s->counts);
	while (s->names) {
		struct name *n = s->names->next;
		free(s->names);
		s->names = n;
	}
	arena_release(&s->params);
	buf_release(&s->copy_sql);
	buf_release(&s->copy);
	buf_release(&s->keys);
	free(s->source);
	free(s);
}
