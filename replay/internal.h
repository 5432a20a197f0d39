/*
 * replay: what its own .c files and the tests share.  The apply path is
 * split by job, each file owning one part of struct rp_sink:
 *   sink.c          lifecycle, event dispatch, transaction boundaries,
 *                   positions (struct rp_sink itself)
 *   quarantine.c    tables taken out of replication, recovery
 *   catalog_sink.c  the sink's sch_chameleon statements (struct rp__counts)
 *   guard.c         table maps: creation, structure check; the DDL guard
 *                   (struct rp__guard)
 *   rows.c          row events to statements: batching (struct rp__rows)
 *   sql.c           the SQL text and parameters, pure functions
 *   pipe.c          the libpq pipeline: the only libpq calls of the apply
 *                   path, statement cache, COPY (struct rp__pipe)
 */
#ifndef REPLAY_INTERNAL_H
#define REPLAY_INTERNAL_H

#include <stddef.h>

#include <libpq-fe.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/buf.h"
#include "replay/replay.h"

/* A PostgreSQL array literal of n strings ({"a","b\"c"}), for $n::text[]. */
void rp__array_literal(struct buf *b, const char *const *v, size_t n);

/* ---- the pipe (replay/pipe.c) -------------------------------------------
 * Statements go through libpq's pipeline ahead of their results.  A sync
 * point ends a segment every RP_SYNC_EVERY statements and at each commit;
 * at most RP_MAX_INFLIGHT segments are sent and unread (back-pressure:
 * sending waits for the oldest results).  Every statement carries a tag
 * (its table and event position) so that a refused one is named, and the
 * first refusal is kept in rp__pipe.fail until rp__pipe_reset.
 *
 * What goes on the wire is behind struct rp__wire: libpq's (pipe.c) or a
 * recording one (the unit tests).
 */
#define RP_SYNC_EVERY 1000
#define RP_MAX_INFLIGHT 8

enum rp__res_kind {
	RP_RES_NONE,		/* the end of one statement's results (libpq's NULL) */
	RP_RES_OK,		/* a statement without rows succeeded */
	RP_RES_ROWS,		/* a statement returned rows */
	RP_RES_ERROR,		/* refused: msg */
	RP_RES_ABORTED,		/* skipped after an earlier error of the segment */
	RP_RES_SYNC,		/* a sync point: the segment is read */
	RP_RES_COPY_IN,		/* COPY ready for data */
};

/* One result; what it points to is valid until the next wire call. */
struct rp__res {
	enum rp__res_kind kind;
	const char *msg;		/* RP_RES_ERROR */
	const char *sqlstate;		/* RP_RES_ERROR: its SQLSTATE, NULL unknown */
	int nrows, ncols;		/* RP_RES_ROWS */
	const char *const *v;		/* nrows * ncols values, NULL for NULL */
};

/* The wire under the pipe; each returns false when libpq refuses. */
struct rp__wire {
	bool (*send)(void *c, const char *sql, int n, const char *const *v);
	bool (*prepare)(void *c, const char *name, const char *sql, int n);
	bool (*send_prepared)(void *c, const char *name, int n, const char *const *v);
	bool (*sync)(void *c);
	void (*result)(void *c, struct rp__res *r);	/* waits for the next */
	/* leave pipeline mode and start COPY: r is RP_RES_COPY_IN or the refusal */
	bool (*copy_begin)(void *c, const char *sql, struct rp__res *r);
	bool (*copy_data)(void *c, const void *p, size_t n);
	/* end COPY, read its result into r, enter pipeline mode again */
	bool (*copy_end)(void *c, struct rp__res *r);
	bool (*lost)(void *c);			/* the connection is gone */
	const char *(*message)(void *c);	/* the connection's last error */
	void (*close)(void *c);
};

/* Rows of a query run now (rp__pipe_query), owned by the caller. */
struct rp__rows_result {
	int nrows, ncols;
	char **v;		/* nrows * ncols, NULL for NULL */
};
const char *rp__rows_get(const struct rp__rows_result *r, int row, int col);
void rp__rows_result_release(struct rp__rows_result *r);

/* A prepared statement, found by its key: the destination table and the
 * shape of the statement (rp__shape_key). */
struct rp__stmt {
	struct rp__stmt *next;
	uint64_t hash;
	const void *table;	/* rp__rows' table descriptor: compared by address */
	char name[24];
	size_t nkey;
	uint8_t key[];
};

#define RP_STMT_BUCKETS 1024

/* What a sent statement belongs to. */
struct rp__tag {
	const char *table;	/* interned "schema.table", or NULL */
	const char *sql;	/* the statement (stable), or NULL */
	uint64_t pos;		/* offset of the event it applies */
	bool commit;		/* a COMMIT: on_commit is called when it succeeds */
};

struct rp__pipe {
	const struct rp__wire *w;
	void *c;
	bool broken;		/* results stopped coming: the connection is lost */
	bool failed;		/* a result was an error since the last reset */
	int since_sync;		/* statements since the last sync point */
	int inflight;		/* sync points sent and not read */
	/* the tag of the next statements (set by the sink) */
	const char *cur_table;
	uint64_t cur_pos;
	struct rp__tag *tags;	/* of statements sent and not read */
	size_t ntags, tags_cap, tag_read;
	/* a COMMIT succeeded: called in the order they were sent */
	void (*on_commit)(void *arg);
	void *arg;
	/* prepared statements */
	struct rp__stmt *buckets[RP_STMT_BUCKETS];
	unsigned nstmts;
	/* an open COPY */
	bool copying;
	bool copy_binary;	/* the open COPY reads the binary format */
	const char *copy_table;	/* interned "schema.table" of the open COPY */
	struct buf copy_sql;	/* its COPY statement */
	struct buf copy;	/* rows not yet handed to the wire */
	/* the first refused statement since the last reset */
	struct {
		const char *table;	/* NULL: none with a table */
		const char *sql;
		uint64_t pos;
		char msg[512];
		/* the first refusal's SQLSTATE, also without a table */
		char state[6];
	} fail;
};

#define RP_COPY_CHUNK (64 * 1024)	/* COPY bytes handed to the wire at a time */

/* Connect (libpq's wire): session settings in UTF-8 and UTC, not yet in
 * pipeline mode so that catalog.c may use the connection (*conn). */
int rp__pg_connect(const char *conninfo, PGconn **conn, struct err *e)
	MUST_CHECK;
void rp__pg_close(PGconn *conn);
/* A new connection's notices to rp_set_notice_hook's function. */
void rp__pg_notices(PGconn *conn);
/* The pipe over a connection of rp__pg_connect, which it owns from now
 * on (closed by rp__pipe_release, even when this fails). */
int rp__pipe_init_pg(struct rp__pipe *p, PGconn *conn, struct err *e)
	MUST_CHECK;
/* The pipe over any wire (tests). */
void rp__pipe_init(struct rp__pipe *p, const struct rp__wire *w, void *c);
void rp__pipe_release(struct rp__pipe *p);

/* An unnamed statement. */
int rp__pipe_send(struct rp__pipe *p, const char *sql, int n,
		  const char *const *vals, struct err *e) MUST_CHECK;
/* An unnamed statement without parameters; a refusal records stmt (which
 * must stay valid until its result is read) as the failed statement. */
int rp__pipe_send_as(struct rp__pipe *p, const char *sql, const char *stmt,
		     struct err *e) MUST_CHECK;
/* COMMIT, then a sync point; its success is reported by on_commit when
 * its result is read. */
int rp__pipe_commit(struct rp__pipe *p, struct err *e) MUST_CHECK;
/* The prepared statement of (table, key), or NULL. */
struct rp__stmt *rp__pipe_stmt_find(struct rp__pipe *p, const void *table,
				    const void *key, size_t n);
/* Prepare sql as the statement of (table, key). */
int rp__pipe_stmt_prepare(struct rp__pipe *p, const void *table, const void *key,
			  size_t nkey, const char *sql, int n, struct rp__stmt **out,
			  struct err *e) MUST_CHECK;
int rp__pipe_send_stmt(struct rp__pipe *p, const struct rp__stmt *st, int n,
		       const char *const *vals, struct err *e) MUST_CHECK;
/* A sync point (what is sent goes); waits while too many are unread. */
int rp__pipe_sync(struct rp__pipe *p, struct err *e) MUST_CHECK;
/* End an open COPY, sync if needed and read every result. */
int rp__pipe_drain(struct rp__pipe *p, struct err *e) MUST_CHECK;
/* Read the results of the oldest segment sent, if any (waits for them). */
int rp__pipe_read_one(struct rp__pipe *p, struct err *e) MUST_CHECK;
/* Run one statement now, after what is in flight, and return its rows (in
 * the open transaction when there is one). */
int rp__pipe_query(struct rp__pipe *p, const char *sql, int n,
		   const char *const *vals, struct rp__rows_result *out,
		   struct err *e) MUST_CHECK;
/* Whether the open COPY runs copy_sql for the current table. */
bool rp__pipe_copying(const struct rp__pipe *p, const char *copy_sql);
/* Start COPY (copy_sql) for the current table: the pipeline is drained.
 * binary: copy_sql reads the binary format (header and trailer added). */
int rp__pipe_copy_begin(struct rp__pipe *p, const char *copy_sql, bool binary,
			struct err *e)
	MUST_CHECK;
/* Rows appended to p->copy: hand them to the wire once a chunk is full. */
int rp__pipe_copy_flush(struct rp__pipe *p, struct err *e) MUST_CHECK;
/* End the open COPY (if any): back to the pipeline. */
int rp__pipe_copy_end(struct rp__pipe *p, struct err *e) MUST_CHECK;
/* Send what is not sent yet and read every result, errors ignored (COMMIT
 * confirmations still reported, up to a failure). */
void rp__pipe_discard(struct rp__pipe *p);
/* After a failure: discard what is left, ROLLBACK if asked, forget the
 * failure and the tags. */
void rp__pipe_reset(struct rp__pipe *p, bool rollback);
/* Forget every prepared statement (DEALLOCATE ALL is the caller's). */
void rp__pipe_forget_statements(struct rp__pipe *p);
bool rp__pipe_lost(const struct rp__pipe *p);
/* Read what the server sent unasked, without waiting: false (and the pipe
 * broken) when that says the connection is gone. */
bool rp__pipe_probe(struct rp__pipe *p);

/* ---- SQL builders (replay/sql.c) -----------------------------------------
 * Pure functions of (table, shape, rows): the statement text, appended to
 * a struct buf, and its text parameters.  The text depends only on the
 * destination table and the shape, which is the statement cache's key:
 * rows of one shape share one prepared statement.
 */
enum rp__stmt_kind {
	RP_SQL_INSERT,		/* nrows rows, the columns set in 'set' */
	RP_SQL_UPDATE,		/* SET the columns of 'set', WHERE those of 'where' */
	RP_SQL_DELETE,		/* WHERE the columns of 'where' */
	RP_SQL_DELETE_KEYS,	/* WHERE key = ANY($1) */
	RP_SQL_UPDATE_KEYS,	/* SET 'set' FROM unnest(key array, column arrays) */
};

enum rp__col_use {
	RP_COL_ABSENT = 0,	/* not in the row image */
	RP_COL_VALUE,		/* a parameter */
	RP_COL_JSON,		/* partial JSON update: operations in 'json' */
};

/* Partial JSON updates of one column (rp_json_diff_ops). */
struct rp__json_set {
	struct rp_json_op *ops;
	size_t n;
};

struct rp__shape {
	enum rp__stmt_kind kind;
	uint32_t nrows;		/* RP_SQL_INSERT */
	uint32_t key;		/* RP_SQL_*_KEYS: the key column */
	bool keyed;		/* the table map has a primary key */
	const uint8_t *set;	/* ncols enum rp__col_use, or NULL */
	const uint8_t *where;	/* ncols 0/1: identifies the row, or NULL */
	const struct rp__json_set *json;	/* ncols, for RP_COL_JSON */
};

/* Builder scratch: parameters and their values live in an arena reset per
 * statement. */
struct rp__params {
	struct arena mem;	/* values and vals[] */
	struct buf val;		/* one value's text */
	struct buf arr;		/* an array parameter */
	const struct rp_convert_opts *conv;
	uint64_t *zero_dates;	/* counts values replaced per the policy (inserted
				   or set values, not keys) */
	const char **vals;
	int n, cap;
};

void rp__params_init(struct rp__params *q, const struct rp_convert_opts *conv,
		     uint64_t *zero_dates);
void rp__params_release(struct rp__params *q);
/* Start a statement of at most cap parameters. */
void rp__params_reset(struct rp__params *q, size_t cap);

/* "schema"."table" */
void rp__sql_table(struct buf *b, const char *schema, const char *table);
/* The column's name, or colN without names (binlog_row_metadata MINIMAL). */
const char *rp__column_name(const struct bl_table *t, uint32_t i, char *tmp, size_t n);
/* The single primary-key column of t, or -1 (none, or composite). */
int rp__single_key(const struct bl_table *t);
bool rp__has_key(const struct bl_table *t);
/* Whether two images hold the same columns. */
bool rp__same_columns(const struct bl_table *t, const struct bl_value *a,
		      const struct bl_value *b);

/* Whether a and b are certainly the same value (same kind and contents;
 * false when unsure: absent, partial JSON). */
bool rp__same_value(const struct bl_value *a, const struct bl_value *b);

/* The statement text of a shape. */
void rp__sql_statement(struct buf *b, const char *schema, const struct bl_table *t,
		       const struct rp__shape *sh);
/* The shape's bytes, for the statement cache. */
void rp__shape_key(struct buf *b, const struct bl_table *t, const struct rp__shape *sh);
/* COPY "schema"."table" (columns) FROM STDIN, for rows like img. */
void rp__sql_copy(struct buf *b, const char *schema, const struct bl_table *t,
		  const struct bl_value *img);
/* CREATE TABLE IF NOT EXISTS from a table map (GEOMETRY columns PostGIS
 * geometry of the map's GEOMETRY_TYPE when postgis, else bytea);
 * -ERR_UNSUPPORTED for a column type without a mapping. */
int rp__sql_create_table(struct buf *b, const char *schema, const struct bl_table *t,
			 bool postgis, struct err *e) MUST_CHECK;

/* Parameters: the values of img's columns in 'set' (JSON operations as
 * path and value pairs), then the where columns of 'before'. */
int rp__params_row(struct rp__params *q, const struct bl_table *t,
		   const struct rp__shape *sh, const struct bl_value *img,
		   const struct bl_value *before, struct err *e) MUST_CHECK;
/* An array literal of column c's values in the rows (before or after images). */
int rp__params_array(struct rp__params *q, const struct bl_table *t, uint32_t c,
		     const struct bl_row *rows, uint32_t n, bool before,
		     struct err *e) MUST_CHECK;
/* One row in COPY text format appended to out; nothing when it fails. */
int rp__sql_copy_row(struct rp__params *q, struct buf *out, const struct bl_table *t,
		     const struct bl_value *img, struct err *e) MUST_CHECK;
/* The same row in COPY binary format, its columns' types bin (enum
 * rp_bin); 1: a value has no binary form (out and counts unchanged). */
int rp__sql_copy_row_bin(struct rp__params *q, struct buf *out, const struct bl_table *t,
			 const uint8_t *bin, const struct bl_value *img,
			 struct err *e) MUST_CHECK;
/* COPY text format: backslash, tab, newline and carriage return escaped. */
void rp__copy_escape(struct buf *b, const uint8_t *p, size_t n);

/* ---- row events to statements (replay/rows.c) ---------------------------- */
#define RP_COPY_MIN_ROWS 64	/* inserts of one event that start a COPY */
#define RP_INSERT_BATCH 64	/* most rows per multi-row INSERT */
#define RP_DELETE_BATCH 1024	/* most keys per batched DELETE */
#define RP_UPDATE_BATCH 1024	/* most rows per batched UPDATE */

/* A destination table, as prepared statements know it: its names. */
struct rp__tdesc;

struct rp__rows {
	struct rp__params q;
	/* the structure checks: PostgreSQL's column types (binary COPY);
	 * NULL: text COPY only */
	const struct rp__guard *guard;
	struct buf sql, key;		/* statement text, cache key */
	struct arena shape_mem;		/* shapes of the current statement */
	struct rp__tdesc **descs;	/* every table seen, hashed */
	struct rp_stats *st;		/* rows, inserts... counted as sent */
};

void rp__rows_init(struct rp__rows *w, const struct rp_convert_opts *conv,
		   struct rp_stats *st);
void rp__rows_release(struct rp__rows *w);
/* The rows of a rows event into pg schema 'schema' through p; counts in w.
 * Errors name the table and the event's position. */
int rp__rows_apply(struct rp__rows *w, struct rp__pipe *p, const struct bl_event *ev,
		   const char *schema, struct err *e) MUST_CHECK;

/* ---- the sink's catalog statements (replay/catalog_sink.c) -------------- */

/* A table seen applying rows, with its counts in the open transaction. */
struct rp__count {
	const char *key;	/* interned "schema.table" */
	char *schema, *table;	/* owned copies (table maps do not live as long) */
	const char *pg_schema;	/* from the options' mappings */
	const char *key_kind;	/* primary or all */
	uint64_t inserts, updates, deletes;
	size_t total;		/* its entry of rp_sink.totals + 1; 0: none yet */
};

/* Counts sent for one table in a transaction, added to its committed
 * total when PostgreSQL confirms that transaction (rp__totals_*). */
struct rp__delta {
	size_t total;		/* index in rp_sink.totals */
	uint64_t inserts, updates, deletes;
};

struct rp__counts {
	struct rp__count *v;	/* every table seen; counts of the open transaction */
	size_t n, cap, last;
	bool counted;		/* some count is not zero */
};

/* ---- binary COPY (replay/copybin.c) ---------------------------------------
 * Values of PostgreSQL types whose binary input is cheaper than text,
 * encoded from the text rp_value_text writes; false: that text has no
 * binary form here (the row goes as text). */
enum rp_bin {
	RP_BIN_NONE,
	RP_BIN_INT2,
	RP_BIN_INT4,
	RP_BIN_INT8,
	RP_BIN_FLOAT4,
	RP_BIN_FLOAT8,
	RP_BIN_NUMERIC,
	RP_BIN_TEXT,
	RP_BIN_BYTEA,
	RP_BIN_DATE,
	RP_BIN_TIMESTAMP,
	RP_BIN_TIMESTAMPTZ,
	RP_BIN_BOOL,
};
enum rp_bin rp_bin_type(const char *typname);
void rp_bin_header(struct buf *b);
void rp_bin_trailer(struct buf *b);
void rp_bin_tuple(struct buf *b, uint16_t nfields);
void rp_bin_null(struct buf *b);
/* The field of a number straight from its value, when that is what
 * rp_bin_field makes of its text (integers, DOUBLE into float8, FLOAT
 * into float4); false: go through the text. */
bool rp_bin_direct(struct buf *b, enum rp_bin t, const struct bl_value *v);
/* The field (length and bytes) of text p[0..n) as type t. */
bool rp_bin_field(struct buf *b, enum rp_bin t, const uint8_t *p, size_t n);

/* ---- the guard (replay/guard.c) ------------------------------------------ */
#define RP_SHAPE_SLOTS 1024	/* structure checks remembered, by table id */

struct rp__guard {
	/* table ids whose table map matched PostgreSQL's table, with the
	 * map's signature (a changed map is checked again) */
	struct rp__checked {
		uint64_t table_id, sig;
		bool valid;
		/* a table map without column names (binlog_row_metadata=
		 * MINIMAL): PostgreSQL's names, in order, NUL-separated */
		char *names;
		/* per column: PostgreSQL's column is PostGIS geometry
		 * (bl_column.pg_geometry of the next maps), or NULL: none */
		bool *geom;
		/* per column: how its values go in binary COPY (enum rp_bin,
		 * RP_BIN_NONE: as text only), or NULL */
		uint8_t *bin;
	} checked[RP_SHAPE_SLOTS];
	struct buf created;	/* "schema.table\0" of tables created */
};

/* ---- the sink (replay/sink.c) -------------------------------------------- */

/* Tables re-copied by sync_tables: their changes up to the copy's
 * snapshot position are in the copy already. */
struct rp__synced {
	const char *table;	/* interned "schema.table" */
	struct bl_pos at;
};

struct rp__name {
	struct rp__name *next;
	char s[];
};

struct rp_sink {
	struct rp_opts o;
	char *source;
	struct rp_stats st;
	struct rp__pipe pipe;
	struct rp__rows rows;
	struct rp__guard guard;
	struct rp__counts counts;
	struct rp__name *names;		/* interned "schema.table" names */
	struct bl_pos stored;		/* committed: events up to it are skipped */
	struct bl_pos boundary;		/* the end of the last commit boundary seen */
	struct bl_pos sent_at;		/* the position of the last commit sent */
	/* the open transaction */
	bool in_pg_tx;			/* BEGIN sent */
	bool in_src_tx;			/* inside a source transaction */
	uint64_t pending_rows;
	uint64_t pending_tx;		/* source transactions with rows, not committed */
	uint64_t rows_at_boundary;	/* rows at the last boundary */
	uint64_t zero_dates_committed;	/* st.zero_dates at the last commit */
	/* commits sent and not yet confirmed, oldest first */
	struct rp__sent {
		struct bl_pos at;
		size_t disabled_n;
		uint64_t disabled_count;
		uint64_t rows, tx;	/* rows_applied, transactions_applied added */
		uint32_t last_ts;	/* applied_event_at */
		size_t deltas_end;	/* its table counts: deltas before this */
	} *sent;
	size_t nsent, sent_cap, sent_read;
	/* quarantine: "schema.table\0" out of replication; the part up to
	 * disabled_committed is committed, the rest goes with a rollback */
	struct buf disabled;
	size_t disabled_committed;
	uint64_t disabled_count_committed;
	struct rp__synced *synced;
	size_t nsynced;
	/* DDL: tables to copy again ("schema.table\0", ddl_apply.c), the
	 * list handed out by rp_sink_copies, the source's flavour */
	struct buf copies, copies_list;
	struct buf ddl_stmt;	/* the DDL statement being applied, for t_error_log */
	bool mariadb;
	int8_t postgis;		/* 0 not asked yet, 1 no, 2 yes (rp__postgis) */
	/* show_status: what was received (any event), the timestamps of the
	 * event being fed and of the last commit boundary */
	struct bl_pos received;
	uint32_t recv_ts, cur_ts, last_ts;
	/* what PostgreSQL has committed, as the catalog holds it
	 * (rp_sink_status): loaded at open, then added to at each confirmed
	 * commit; per table in totals, the counts sent and not confirmed in
	 * deltas (from deltas_read) */
	uint64_t rows_total, tx_total;
	double recv_epoch, applied_epoch;	/* source times; 0 unknown */
	struct rp_table_counts *totals;
	const char **total_keys;	/* interned "schema.table" of each */
	size_t ntotals, totals_cap;
	struct rp__delta *deltas;
	size_t ndeltas, deltas_cap, deltas_read;
	bool reported_caught_up;	/* the last report said caught up ... */
	struct bl_pos reported;		/* ... at this received position */
	int64_t reported_ms;		/* monotonic time of the last report */
	/* the refused row: the event is fed again after recovery; its rows
	 * go into the error log entry then (row_data) */
	struct bl_pos capture;
	const char *capture_table;	/* interned; NULL when nothing to capture */
	char capture_id[24];		/* t_error_log.log_id */
};

/* A sink over wire w (tests: a recording wire; NULL: none yet); nothing
 * is read from the catalog. */
struct rp_sink *rp__sink_new(const struct rp_opts *o, const struct rp__wire *w, void *c);
const char *rp__intern(struct rp_sink *s, const char *schema, const char *table);
const char *rp__pg_schema(const struct rp_sink *s, const char *mysql_schema);
void rp__say(struct rp_sink *s, bool warning, const char *fmt, ...) PRINTF(3, 4);
/* Whether the target database has the postgis extension: asked once per
 * connection (the first time a geometry type is chosen), and said once
 * in the log either way.  -ERR_PG when the query fails. */
int rp__postgis(struct rp_sink *s, bool *yes, struct err *e) MUST_CHECK;
/* BEGIN unless a transaction is open. */
int rp__begin(struct rp_sink *s, struct err *e) MUST_CHECK;
/* An unnamed statement of the sink (no table: a failure is not a table's). */
int rp__sink_send(struct rp_sink *s, const char *sql, int n, const char *const *v,
		  struct err *e) MUST_CHECK;

/* catalog_sink.c */
void rp__counts_release(struct rp__counts *c);
/* The committed totals: deltas up to end confirmed; every delta sent
 * confirmed (nothing in flight); the totals freed. */
void rp__totals_confirm(struct rp_sink *s, size_t end);
void rp__totals_confirm_all(struct rp_sink *s);
void rp__totals_release(struct rp_sink *s);
void rp__count_rows(struct rp_sink *s, const struct bl_table *t, uint64_t ins,
		    uint64_t upd, uint64_t del);
void rp__drop_counts(struct rp_sink *s);
int rp__catalog_load(struct rp_sink *s, struct err *e) MUST_CHECK;
/* The commit's UPDATE of t_sources and the counts, in the open transaction. */
int rp__catalog_commit(struct rp_sink *s, struct err *e) MUST_CHECK;
int rp__catalog_caught_up(struct rp_sink *s, struct err *e) MUST_CHECK;
int rp__catalog_send_counts(struct rp_sink *s, struct err *e) MUST_CHECK;
int rp__catalog_log(struct rp_sink *s, const char *schema, const char *table,
		    const char *msg, const char *stmt, const struct bl_pos *at,
		    struct err *e) MUST_CHECK;
int rp__catalog_disable(struct rp_sink *s, const char *schema, const char *table,
			struct err *e) MUST_CHECK;
/* Outside any transaction: the table out, the error logged; its log_id. */
int rp__catalog_quarantine(struct rp_sink *s, const char *schema, const char *table,
			   const char *msg, const char *stmt, char *log_id, size_t n,
			   struct err *e) MUST_CHECK;
int rp__catalog_row_data(struct rp_sink *s, const char *json, const char *log_id,
			 struct err *e) MUST_CHECK;

/* guard.c */
void rp__guard_init(struct rp__guard *g);
void rp__guard_release(struct rp__guard *g);
/* Every table map is checked again (DDL, a rollback). */
void rp__guard_forget(struct rp__guard *g);
/* A TABLE_MAP of a replicated table: created (create_tables), checked. */
int rp__guard_table_map(struct rp_sink *s, const struct bl_event *ev,
			const char *schema, const char *file, struct err *e) MUST_CHECK;

/* ddl_apply.c: a QUERY event that is a statement of its own, applied when
 * it is DDL of replicated tables (docs/ddl.md). */
int rp__guard_ddl(struct rp_sink *s, const struct bl_event *ev, const char *file,
		  struct err *e) MUST_CHECK;
/* Statement bytes as catalog text (valid UTF-8, no NUL), at most max bytes. */
void rp__clean_text(struct buf *out, const uint8_t *p, size_t n, size_t max);

/* catalog_ddl.c: sch_chameleon after DDL, in the open transaction */
/* t_tables row of a table created (created: an earlier one's row replaced)
 * or altered: its PostgreSQL schema and replica key as they are now. */
int rp__catalog_ddl_table(struct rp_sink *s, const char *schema, const char *table,
			  bool created, struct err *e) MUST_CHECK;
int rp__catalog_ddl_drop(struct rp_sink *s, const char *schema, const char *table,
			 struct err *e) MUST_CHECK;
int rp__catalog_ddl_rename(struct rp_sink *s, const char *schema, const char *table,
			   const char *to_schema, const char *to_table, struct err *e) MUST_CHECK;
/* t_ddl_log and t_sources' DDL count and last statement. */
/* schema.table, just taken out, is to be copied again (t_disabled_tables.copy_again). */
int rp__catalog_copy_again(struct rp_sink *s, const char *schema, const char *table,
			   struct err *e) MUST_CHECK;
int rp__catalog_ddl_applied(struct rp_sink *s, const char *summary, const char *stmt,
			    const struct bl_pos *at, struct err *e) MUST_CHECK;

/* quarantine.c */
/* Whether a set of NUL-terminated names holds key. */
bool rp__set_has(const struct buf *set, const char *key);
bool rp__is_disabled(const struct rp_sink *s, const char *schema, const char *table);
/* Whether a change of table (interned) at (file, end) is in a copy already. */
bool rp__in_sync_copy(const struct rp_sink *s, const char *table, const char *file,
		      uint64_t end);
/* Take a table out inside the open transaction (undone by a rollback). */
int rp__disable_in_tx(struct rp_sink *s, const char *schema, const char *table,
		      const char *msg, const char *stmt, const struct bl_pos *at,
		      struct err *e) MUST_CHECK;
/* After a rollback: the uncommitted part of the quarantine is undone. */
void rp__forget_uncommitted(struct rp_sink *s);
/* A commit of the quarantine's current state was confirmed. */
void rp__quarantine_committed(struct rp_sink *s, size_t n, uint64_t count);
/* After an error: a refused change of a known table is recovered from
 * (RP_RESTART), anything else returned as it is. */
int rp__handle(struct rp_sink *s, int rc, struct err *e);
/* The refused change's event fed again: its rows into the error log. */
int rp__capture(struct rp_sink *s, const struct bl_event *ev, const char *file,
		struct err *e) MUST_CHECK;

/* ---- the catalog (replay/catalog*.c, replay/detach.c, replay/mappings.c) --
 * The functions on libpq's own connection serve the code that shares a
 * connection and its transactions with the catalog (the sink, the
 * initial copy); commands go through struct rp_catalog (replay.h).
 */
struct rp_fkey;
struct rp_mapping;
struct rp_remap;

/* Run sql (several statements allowed); 0, or -1 with PostgreSQL's
 * message, one line without its newline, in err (n bytes). */
int rp_pg_exec(PGconn *pg, const char *sql, char *err, size_t n);
/* The catalog's version in *version, 0 when there is none.  Returns 0 or
 * -ERR_PG. */
int rp_catalog_version(PGconn *pg, int *version, struct err *e) MUST_CHECK;
/* Create the catalog or upgrade it to rp_catalog_latest(), in one
 * transaction under an advisory lock; *from (may be NULL) gets the
 * version found.  Returns 0 or -ERR_PG (a failed migration, a catalog
 * newer than this program). */
int rp_catalog_upgrade(PGconn *pg, int *from, struct err *e) MUST_CHECK;
/* 0 when the catalog exists (an older one is upgraded first); -ERR_CONFIG
 * when there is none, -ERR_PG. */
int rp_catalog_require(PGconn *pg, struct err *e) MUST_CHECK;

/* The commands' handle (struct rp_catalog of replay.h). */
struct rp_catalog {
	PGconn *pg;
	struct arena mem;	/* results handed out, until the next call that resets it */
};
/* A statement with n text parameters (n 0: the simple protocol, several
 * statements allowed).  The result, to PQclear; NULL with -ERR_PG in e. */
extern const char rp__sql_source_identity[];
void rp__source_identity_read(PGresult *r, struct rp_source_identity *id);
PGresult *rp__catalog_query(struct rp_catalog *c, const char *sql, int n,
			    const char *const *params, struct err *e);
/* The same, for a statement whose rows are not needed: 0 or -ERR_PG. */
int rp__catalog_run(struct rp_catalog *c, const char *sql, int n,
		    const char *const *params, struct err *e);

/* detach_replica's statements, appended to q (replay/detach.c).  Names
 * are destination names, unquoted. */
void rp__sequence_sql(struct buf *q, const char *schema, const char *table,
		      const char *column);
void rp__fkey_add_sql(struct buf *q, const char *schema, const char *ref_schema,
		      const struct rp_fkey *k);
void rp__fkey_validate_sql(struct buf *q, const char *schema, const char *table,
			   const char *name);
/* The mappings as a JSON object {"from": "to", ...} (replay/mappings.c). */
void rp__mappings_json(struct buf *b, const struct rp_mapping *m, size_t n);
/* The plan of rp_catalog_mappings_plan() from the catalog's mappings old
 * (nold) and the new ones m (n): the array in a, names borrowed. */
void rp__mappings_plan(const struct rp_mapping *old, size_t nold,
		       const struct rp_mapping *m, size_t n, struct arena *a,
		       struct rp_remap **out, size_t *nout);

#endif
