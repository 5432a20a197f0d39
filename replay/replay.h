/*
 * replay: decoded row changes into PostgreSQL.  The sections below: the
 * type mapping (docs/types.md) and the exact conversion of decoded values
 * into PostgreSQL text parameters, shared by replication and the initial
 * copy so that both write identical values; partial JSON updates; DDL
 * statements read from QUERY events; the values of the initial copy; the
 * sink, which applies decoded events through libpq's pipeline
 * (docs/replication.md); the catalog (sch_chameleon).  How the sink is
 * built, file by file, is in replay/internal.h.
 */
#ifndef REPLAY_REPLAY_H
#define REPLAY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "binlog/binlog.h"

/* A PostgreSQL column type chosen for a MySQL column. */
struct rp_pg_type {
	char name[96];	/* e.g. "numeric(20)", "timestamp(3) with time zone" */
	bool is_enum;	/* ENUM: a per-column enum type is created from the labels */
};

/*
 * From a column of a TABLE_MAP (binlog metadata).  Character lengths are
 * known only with charset metadata; without it text columns map to text.
 * Returns 0, or -ERR_UNSUPPORTED for types that cannot be mapped.
 */
int rp_type_of_column(const struct bl_column *c, struct rp_pg_type *out);
/*
 * From information_schema.COLUMNS: DATA_TYPE and COLUMN_TYPE ("int(10)
 * unsigned", "decimal(10,2)", "enum('a','b')", "datetime(3)") and the
 * character length (CHARACTER_MAXIMUM_LENGTH, 0 if none).
 */
int rp_type_of_mysql(const char *data_type, const char *column_type,
		     unsigned long char_length, struct rp_pg_type *out);

/*
 * What to do with dates PostgreSQL cannot hold: 0000-00-00, a zero
 * TIMESTAMP, year 0, month or day 0 (2020-00-15, 2020-01-00), a day past
 * the month's end (2020-02-30, ALLOW_INVALID_DATES).  docs/types.md.
 */
enum rp_zero_date {
	RP_ZERO_DATE_INFINITY,	/* store -infinity (default: never refused,
				   NOT NULL kept, distinct from NULL) */
	RP_ZERO_DATE_NULL,	/* store NULL; the copy and DDL create such
				   columns without NOT NULL */
	RP_ZERO_DATE_ERROR,	/* refuse the row */
};

/* What to do with a NUL byte in text (PostgreSQL text cannot hold it). */
enum rp_text_nul {
	RP_TEXT_NUL_REPLACE,	/* U+FFFD in its place (default) */
	RP_TEXT_NUL_STRIP,	/* removed */
	RP_TEXT_NUL_ERROR,	/* refuse the row */
};

struct rp_convert_opts {
	enum rp_zero_date zero_dates;
	enum rp_text_nul text_nul;
	/* replication's COPY of inserted rows in text format only (source
	 * key copy_format: text); else binary where every column's type
	 * has a binary form (docs/replication.md) */
	bool copy_text;
};

/*
 * Whether a MySQL date or datetime text ("YYYY-MM-DD", optionally
 * followed by a time; quoted or not) names a day PostgreSQL can store:
 * year 1..9999, month 1..12, a day of that month.  False for what is not
 * shaped like a date.
 */
bool rp_date_text_valid(const char *p, size_t n);
/* The same for numbers (the Gregorian calendar's days per month). */
bool rp_date_valid(int year, unsigned month, unsigned day);
/* Whether a column of this DATA_TYPE (date, datetime, timestamp) can hold
 * zero dates: under zero_dates: null it is created without NOT NULL. */
bool rp_zero_date_column(const char *data_type);

/* ---- geometry for PostGIS (replay/geometry.c) ----------------------------- */
#define RP_GEOMETRY_MAX_DEPTH 64	/* collections inside collections */
/*
 * Whether wkb is one well-formed MySQL WKB geometry (types 1..7, 2D, any
 * byte order, nested collections up to RP_GEOMETRY_MAX_DEPTH), consumed
 * exactly.  Returns 0, -ERR_TRUNC, -ERR_PROTO or -ERR_UNSUPPORTED with
 * the offset in e.
 */
int rp_geometry_check(const uint8_t *wkb, size_t n, struct err *e);
/*
 * MySQL's value (srid, wkb) as PostGIS hex EWKB appended to out: the
 * SRID flag set in the top-level type word and the SRID after it, in the
 * WKB's own byte order; SRID 0 leaves plain WKB.  Every other byte is
 * copied, so PostGIS's ST_AsBinary and ST_SRID give back wkb and srid.
 * Errors as rp_geometry_check, and -ERR_TOOBIG.
 */
int rp_geometry_ewkb(struct buf *out, uint32_t srid, const uint8_t *wkb, size_t n,
		     struct err *e);
/*
 * The PostGIS type of a MySQL geometry column: data_type as
 * information_schema or a DDL statement spells it ("point",
 * "geomcollection"...), srid when has_srid.  "geometry(Point,4326)",
 * "geometry(Point)", "geometry"; -ERR_UNSUPPORTED if data_type is not a
 * geometry type.
 */
int rp_geometry_type(const char *data_type, bool has_srid, uint32_t srid,
		     struct rp_pg_type *out);
/* Whether data_type names a MySQL geometry type. */
bool rp_is_geometry_type(const char *data_type);

/* rp_value_text() results besides 0 and -ERR_x */
#define RP_ZERO_DATE_REPLACED 1	/* a zero date was stored per the policy */

/*
 * The PostgreSQL text representation of a decoded value, appended to out
 * (no quoting: for a text-format parameter).  *is_null is set for NULL
 * (and for zero dates under RP_ZERO_DATE_NULL).  Returns 0,
 * RP_ZERO_DATE_REPLACED, or -ERR_x with the reason in e: text that is not
 * valid in its charset or holds a NUL byte, ENUM indexes without labels,
 * partial JSON updates (applied by the caller as jsonb expressions).
 */
int rp_value_text(struct buf *out, const struct bl_column *c,
		  const struct bl_value *v, const struct rp_convert_opts *o,
		  bool *is_null, struct err *e);

/* ---- partial JSON updates (replay/jsondiff.c) ---------------------------
 * MySQL's diff operations, with the semantics of its replica
 * (sql/json_diff.cc, apply_json_diffs): REPLACE changes an existing value,
 * INSERT adds an object member that is not there or inserts into an array
 * before the index (appending past the end), REMOVE deletes a member or
 * an array element.  Applied by the UPDATE as
 *   col = jsonb_set(col, path, value, false)      replace
 *   col = jsonb_insert(col, path, value)          insert
 *   col = col #- path                             remove
 * nested in their order.
 */
enum rp_json_op_kind { RP_JSON_REPLACE, RP_JSON_INSERT, RP_JSON_REMOVE };

struct rp_json_op {
	enum rp_json_op_kind op;
	const char *mysql_path;	/* as logged: $.a[0]."b c" */
	const char *pg_path;	/* text[] literal: {"a","0","b c"} */
	const char *value;	/* JSON text; NULL for REMOVE */
};

/*
 * A MySQL JSON path as a PostgreSQL text[] literal, appended to out:
 * members become keys, [N] becomes "N", [last] "-1" and [last-N]
 * "-(N+1)" (PostgreSQL counts negative indexes from the end, as MySQL's
 * last).  Returns 0, or -ERR_PROTO (and out unchanged) for a malformed
 * path, wildcards, ranges or the root alone.
 */
int rp_json_path_to_pg(struct buf *out, const char *path, size_t n,
		       struct err *e) MUST_CHECK;
/*
 * The operations of a BLV_JSON_DIFF value (the decoder's JSON text), in
 * order, allocated in a.  Returns 0 or -ERR_PROTO with the reason in e.
 */
int rp_json_diff_ops(struct bytes diff, struct arena *a,
		     struct rp_json_op **ops, size_t *n, struct err *e) MUST_CHECK;


/* ---- values of the initial copy (init_replica) --------------------------- */
enum rp_copy_kind {
	RP_CV_ASIS,		/* integers, DECIMAL, FLOAT (read as double), DOUBLE,
				   YEAR, TIME, MySQL JSON: already PostgreSQL text */
	RP_CV_DATE,		/* DATE, DATETIME: zero-date policy */
	RP_CV_TIMESTAMP,	/* TIMESTAMP read in UTC: "+00" appended */
	RP_CV_TEXT,		/* text in col.collation, converted to UTF-8 */
	RP_CV_BYTES,		/* binary strings, BLOBs, GEOMETRY: bytea */
	RP_CV_BIT,		/* BIT(bits): big-endian bytes to a bit string */
	RP_CV_VECTOR,		/* little-endian float32s to real[] */
	RP_CV_GEOMETRY,		/* GEOMETRY into PostGIS: SRID + WKB to hex EWKB */
};

struct rp_copy_col {
	enum rp_copy_kind kind;
	unsigned bits;		/* RP_CV_BIT */
	struct bl_column col;	/* has_charset/collation for RP_CV_TEXT */
};

/*
 * One field of a text-protocol row appended to out in COPY text format
 * (escaped; \N for NULL).  tmp is scratch space.  Returns 0,
 * RP_ZERO_DATE_REPLACED or -ERR_x (reason in e).
 */
int rp_copy_field(struct buf *out, struct buf *tmp, const struct rp_copy_col *c,
		  const uint8_t *p, size_t n, bool is_null,
		  const struct rp_convert_opts *o, struct err *e);

/* ---- the sink (replay/sink.c and the files of internal.h) ---------------
 * Row changes applied through libpq pipeline mode: prepared statements per
 * (table, operation, column set), PostgreSQL transactions committed only
 * at source commit boundaries, the source position updated in the same
 * transaction.  A change PostgreSQL refuses takes its table out of
 * replication and the rest goes on (RP_RESTART below), unless
 * stop_on_error; any other error is returned as it is.
 */

struct rp_mapping {
	const char *mysql_schema, *pg_schema;
};

/* A list of "schema" or "schema.table" names (origin names). */
struct rp_names {
	size_t n;
	const char *const *v;
};

/* pg_chameleon's type_override: columns of this MySQL COLUMN_TYPE in the
 * tables listed ("schema.table", or "*" for every table) become pg_type. */
struct rp_type_override {
	const char *mysql_type, *pg_type;
	struct rp_names tables;
};

/* pg_chameleon's fillfactor for the tables listed ("schema.table"). */
struct rp_fillfactor {
	int fillfactor;
	struct rp_names tables;
};

struct rp_opts {
	const char *conninfo;	/* libpq connection string (holds the password) */
	/* pg_chameleon's filters: a schema named in limit_tables replicates only
	 * its listed tables; skip_tables are never replicated; skip_events
	 * drop one kind of row change for a schema or a table */
	struct rp_names limit_tables, skip_tables;
	struct rp_names skip_insert, skip_update, skip_delete;
	const char *source;	/* source name in the catalog */
	const struct rp_mapping *mappings;
	size_t n_mappings;
	long max_rows;		/* rows per PostgreSQL transaction (replay_max_rows) */
	bool create_tables;	/* create missing tables from table maps */
	bool stop_on_error;	/* on_error_replay: exit */
	struct rp_convert_opts conv;
	/* Messages for the log (modules do not log): DDL met on a replicated
	 * table, a table taken out of replication because its row images no
	 * longer match PostgreSQL's table.  warning false: information.  May
	 * be NULL. */
	void (*log)(void *arg, bool warning, const char *msg);
	void *log_arg;
	/* Debug-level messages (statements passed over); may be NULL. */
	void (*debug)(void *arg, const char *msg);
	/* For tables created by DDL (docs/ddl.md), as init_replica does. */
	const struct rp_type_override *type_overrides;
	size_t n_type_overrides;
	const struct rp_fillfactor *fillfactors;
	size_t n_fillfactors;
	bool column_order_exact;	/* ddl_column_order: exact */
};

struct rp_stats {
	uint64_t rows, inserts, updates, deletes, transactions, commits;
	uint64_t skipped;	/* events at or before the stored position */
	uint64_t zero_dates;	/* replaced per the zero-date policy */
	uint64_t disabled;	/* tables taken out of replication */
};

/*
 * Returned (> 0, never an error) by rp_sink_event, rp_sink_commit_idle,
 * rp_sink_caught_up and rp_sink_finish when PostgreSQL refused a change
 * (not with stop_on_error, which returns the error instead):
 *  - its table was taken out of replication (t_disabled_tables, the error
 *    and the statement in t_error_log), committed already;
 *  - the open PostgreSQL transaction was rolled back, with every change
 *    fed since the position rp_sink_position() now returns, whatever
 *    table it was for; nothing is in flight; the sink is ready;
 *  - e holds the message to log ("table s.t taken out of replication: ...").
 * The caller feeds the input again from rp_sink_position() (a source
 * commit boundary: the transactions that follow come with their table
 * maps), with the event that returned RP_RESTART and everything after it;
 * events at or before that position are skipped, so starting earlier is
 * harmless.  After RP_RESTART from rp_sink_finish, feed again, then call
 * rp_sink_finish again.  When the refused row's event comes by again its
 * rows are recorded in the error log entry (row_data).  A table taken
 * out is never refused again, so restarts are bounded by the number of
 * tables.
 */
#define RP_RESTART 2

/*
 * Returned (> 0, never an error) by rp_sink_event after a DDL statement
 * whose effect on existing rows PostgreSQL cannot reproduce (docs/ddl.md):
 * the statement and the position after it are committed, its tables are
 * out of replication, and rp_sink_copies names them.  The caller copies
 * them again from a new snapshot (sync_tables), then opens a new sink,
 * which reads their snapshot positions, and feeds from rp_sink_position().
 */
#define RP_COPY 3

struct rp_sink;

/* Whether changes of schema.table are replicated under the filters
 * (replay/filters.c; used by init_replica too). */
bool rp_table_included(const struct rp_opts *o, const char *schema,
		       const char *table);
/* Whether list holds "schema.table", or "*" when any is true. */
bool rp_names_has_table(const struct rp_names *list, const char *schema,
			const char *table, bool any);
/* Whether a row change of this kind is dropped by skip_events. */
bool rp_event_skipped(const struct rp_opts *o, enum bl_row_op op,
		      const char *schema, const char *table);

/*
 * Where PostgreSQL's notices and warnings go, for every connection replay
 * opens from now on: fn gets the message without its final newline.
 * NULL (the default): libpq's own, on stderr.
 */
void rp_set_notice_hook(void (*fn)(const char *msg));

/* Connect, create the catalog if missing, register the source. */
int rp_sink_open(struct rp_sink **s, const struct rp_opts *o, struct err *e)
	MUST_CHECK;
/* The applied position stored for the source ("" and 0 when none). */
void rp_sink_position(const struct rp_sink *s, const char **file, uint64_t *pos);
/*
 * Feed one decoded event of binlog file 'file' (inner events of a
 * transaction payload too).  Events at or before the stored position are
 * skipped (positions compare by binlog file number: mysql-bin.999999 is
 * before mysql-bin.1000000).  Returns 0, RP_RESTART, or -ERR_x (detail in
 * e; -ERR_PG for PostgreSQL, see rp_sink_connection_lost).
 */
int rp_sink_event(struct rp_sink *s, const struct bl_event *ev, const char *file,
		  struct err *e) MUST_CHECK;
/* Commit now if the source is between transactions (idle, heartbeat);
 * 0, RP_RESTART or -ERR_x. */
int rp_sink_commit_idle(struct rp_sink *s, struct err *e) MUST_CHECK;
/* Whether rp_sink_commit_idle would commit now: between source
 * transactions, with changes or a moved position not yet sent. */
bool rp_sink_commit_ready(const struct rp_sink *s);
/* Wait until every COMMIT sent is confirmed (at once when none is
 * waiting): 0, RP_RESTART or -ERR_x. */
int rp_sink_await_commit(struct rp_sink *s, struct err *e) MUST_CHECK;
/*
 * The source has nothing more to send (a heartbeat): commit what is
 * complete, then report the replica caught up (read and replay lag 0,
 * the applied position moved up to the received one when everything
 * received is applied or not replicated).  Writes at most once per 10 s
 * while nothing changes; docs/replication.md.
 */
int rp_sink_caught_up(struct rp_sink *s, struct err *e) MUST_CHECK;
/* Drop the open PostgreSQL transaction (the stream is restarted from the
 * stored position after a lost connection). */
void rp_sink_rollback(struct rp_sink *s);
/* Commit what is complete (call at the end of input). */
int rp_sink_finish(struct rp_sink *s, struct err *e) MUST_CHECK;
const struct rp_stats *rp_sink_stats(const struct rp_sink *s);
struct rp_source_status;
/*
 * What the sink has committed, in the terms of show_status (the catalog's
 * totals since the source was added): the applied and received
 * positions, rows and transactions applied, the tables with their
 * counts (owned by the sink: valid until its next call), the number of
 * tables out of replication; then the source times of the last event
 * received and of the last commit applied (seconds since the epoch, 0
 * unknown) and whether the last report was a caught-up one with nothing
 * received since, for rp_status_lags().  Names and other fields of out
 * are left as they are.
 */
void rp_sink_status(struct rp_sink *s, struct rp_source_status *out,
		    double *received_at, double *applied_at, bool *caught_up);
/* Without a stored position: store (file, pos) as the position, so that
 * a restart resumes there even before the first change is applied. */
int rp_sink_start_at(struct rp_sink *s, const char *file, uint64_t pos, struct err *e)
	MUST_CHECK;
/* Whether the PostgreSQL connection is gone (reopen the sink to go on). */
bool rp_sink_connection_lost(const struct rp_sink *s);
/*
 * The SQLSTATE of the first statement PostgreSQL refused since the last
 * restart, "" when none or unknown.  Class 53 (53100 disk_full, 53200
 * out_of_memory...) is the server's lack of resources: the table stays in
 * replication, the error is returned to the caller.
 */
const char *rp_sink_sqlstate(const struct rp_sink *s);
/* Without waiting, read what PostgreSQL sent unasked (a shutdown says so
 * at once): false when the connection is found gone.  For idle moments,
 * so that a lost server is noticed before the next commit. */
bool rp_sink_probe(struct rp_sink *s);
/* After RP_COPY, or when the sink opens: the tables to copy again,
 * "schema.table,..." (origin names, as sync_tables --tables takes them;
 * "" when none), handed over: the sink forgets them.  A sink opens with
 * the copies asked for and not made (t_disabled_tables.copy_again). */
const char *rp_sink_copies(struct rp_sink *s);
void rp_sink_close(struct rp_sink *s);


/* ---- catalog (replay/catalog*.c, replay/detach.c, replay/mappings.c) ----
 * Schema sch_chameleon in the target database, versioned by numbered
 * migrations (docs/replication.md): the sources with their positions and
 * counters, their tables, the tables taken out of replication and the
 * error log.  Every statement on it is written in these files.  The
 * commands (create_replica_schema, add_source, show_status,
 * detach_replica, update_schema_mappings...) work through a connection of
 * their own, struct rp_catalog.  Unless said otherwise, a function
 * returns 0, -ERR_PG (the message is PostgreSQL's) or -ERR_CONFIG (no
 * catalog, no such source, a source that exists), the detail in e.
 */

/* The version rp_catalog_migrate() brings a catalog to. */
int rp_catalog_latest(void);
/* Append id as a quoted identifier: "name", quotes doubled. */
void rp_quote_ident(struct buf *b, const char *id);
/* Append s as a standard string literal: 'text', quotes doubled. */
void rp_quote_literal(struct buf *b, const char *s);

struct rp_catalog;

/*
 * Connect to conninfo (a libpq connection string), client encoding UTF8,
 * time zone UTC.  On success *c is the caller's, to rp_catalog_close();
 * on failure it is NULL and the error -ERR_PG ("cannot connect to
 * PostgreSQL: ...", never with the password).
 */
int rp_catalog_open(struct rp_catalog **c, const char *conninfo, struct err *e)
	MUST_CHECK;
/* Disconnect and free c with every result it handed out; NULL is fine. */
void rp_catalog_close(struct rp_catalog *c);
/* The catalog's version in *version, 0 when there is none; changes nothing. */
int rp_catalog_get_version(struct rp_catalog *c, int *version, struct err *e)
	MUST_CHECK;
/* Create, or upgrade to rp_catalog_latest(), in one transaction; *from
 * gets the version found (0: created).  -ERR_PG also for a catalog newer
 * than this program. */
int rp_catalog_migrate(struct rp_catalog *c, int *from, struct err *e) MUST_CHECK;
/* -ERR_CONFIG (naming create_replica_schema) unless a catalog exists; an
 * older one is upgraded, as by every command that reads it. */
int rp_catalog_check(struct rp_catalog *c, struct err *e) MUST_CHECK;
/* DROP SCHEMA sch_chameleon CASCADE (the replicated schemas stay);
 * *existed tells whether there was a catalog. */
int rp_catalog_drop(struct rp_catalog *c, bool *existed, struct err *e) MUST_CHECK;
/* What run_maintenance did: the catalog's tables, their size (bytes, with
 * indexes and TOAST) before and after, how many were vacuumed. */
struct rp_maint {
	long tables, vacuumed;
	long long bytes_before, bytes_after;
};
/* VACUUM [FULL] ANALYZE of every table of sch_chameleon, one statement each. */
int rp_catalog_maintain(struct rp_catalog *c, bool full, struct rp_maint *m,
			struct err *e) MUST_CHECK;
/*
 * Register a source with status 'ready' and its schema mappings (n
 * entries of m).  -ERR_CONFIG if it exists, or if one of its destination
 * schemas is another source's.
 */
int rp_catalog_source_add(struct rp_catalog *c, const char *name, const char *type,
			  const struct rp_mapping *m, size_t n, struct err *e)
	MUST_CHECK;
/* Delete a source with its tables, disabled tables and error log;
 * -ERR_CONFIG when there is no such source. */
int rp_catalog_source_drop(struct rp_catalog *c, const char *name, struct err *e)
	MUST_CHECK;
/* Set status (ready, running, stopped, error, ...) and error (NULL clears
 * it); -ERR_CONFIG when there is no such source. */
int rp_catalog_source_set_status(struct rp_catalog *c, const char *name,
				 const char *status, const char *error,
				 struct err *e) MUST_CHECK;

struct rp_source_state {
	bool found;		/* false: no catalog, or no such source */
	char status[32];
	char error[256];	/* "" when none */
};
/* The status of a source into *st (the caller's), without creating or
 * upgrading anything. */
int rp_catalog_source_get(struct rp_catalog *c, const char *name,
			  struct rp_source_state *st, struct err *e) MUST_CHECK;
/*
 * The identity of the server a source's stored position belongs to
 * (catalog version 7): known false until the first start_replica after
 * init_replica records it.
 */
struct rp_source_identity {
	bool known;
	uint64_t server_id;	/* @@server_id */
	char server_uuid[64];	/* MySQL's @@server_uuid; "" on MariaDB */
};
int rp_catalog_source_identity(struct rp_catalog *c, const char *name,
			       struct rp_source_identity *id, struct err *e) MUST_CHECK;
int rp_catalog_source_set_identity(struct rp_catalog *c, const char *name,
				   const struct rp_source_identity *id,
				   struct err *e) MUST_CHECK;
/* The position applied for a source into *pos (the caller's): "" and 0
 * before its first commit; -ERR_CONFIG when there is no such source. */
int rp_catalog_source_position(struct rp_catalog *c, const char *name,
			       struct bl_pos *pos, struct err *e) MUST_CHECK;

/* Rows applied to one table (sch_chameleon.t_tables). */
struct rp_table_counts {
	const char *schema, *table;	/* origin (MySQL) names */
	const char *pg_schema;
	uint64_t rows_copied;		/* by init_replica */
	uint64_t inserts, updates, deletes;
};

/* A table taken out of replication, with the last error logged for it. */
struct rp_disabled_table {
	const char *schema, *table;	/* origin names */
	const char *disabled_at;	/* ISO 8601 UTC */
	int64_t log_id;			/* t_error_log entry, 0 if none */
	const char *error;		/* its first line, or NULL */
};

/*
 * One source as show_status shows it.  Times are ISO 8601 UTC text
 * ("2024-05-01T12:00:00Z"), NULL when unknown; lags are in seconds,
 * defined in docs/replication.md.
 */
struct rp_source_status {
	const char *name, *type, *status, *error, *status_at, *created_at;
	const char *init_progress;	/* init_replica's last progress line, or NULL */
	const char *mappings;		/* schema_mappings, JSON text */
	const char *applied_file;	/* "" before the first commit */
	uint64_t applied_pos;
	const char *applied_at;		/* wall clock of the last commit */
	const char *applied_event_at;	/* source time of the last applied commit */
	const char *received_file;	/* "" before anything was received */
	uint64_t received_pos;
	const char *received_at;	/* wall clock of the replica's last report */
	const char *received_event_at;	/* source time of the last event received */
	bool caught_up;			/* a fresh report said: nothing more to read */
	bool has_read_lag, has_replay_lag, has_report_age;
	double read_lag, replay_lag;	/* seconds */
	double report_age;		/* seconds since received_at */
	uint64_t rows, transactions, zero_dates;
	uint64_t ddl_applied;		/* DDL statements applied (docs/ddl.md) */
	const char *last_ddl, *last_ddl_at;	/* the last one's summary and time, or NULL */
	size_t ntables;
	struct rp_table_counts *tables;
	size_t ndisabled;
	struct rp_disabled_table *disabled;
};

/*
 * The lags of docs/replication.md into st (read_lag, replay_lag, their
 * has_ flags, caught_up), from the positions in st and: now, the source
 * times in seconds since the epoch (0: unknown) of the last event
 * received and of the last source commit applied, and whether a fresh
 * report said the replica is caught up.  show_status (from the catalog)
 * and start_replica's metrics (from the sink) both compute them here.
 */
void rp_status_lags(struct rp_source_status *st, double now, double received_at,
		    double applied_at, bool caught_up);

/*
 * Every source (source NULL) or one, in *out (n entries, sorted by name;
 * none for an unknown source).  The results belong to c and stay valid
 * until the next call that returns results (status, errors, mappings
 * plan) or rp_catalog_close().
 */
int rp_catalog_status(struct rp_catalog *c, const char *source,
		      struct rp_source_status **out, size_t *n, struct err *e)
	MUST_CHECK;
/* Whether the catalog's database has the postgis extension (geometry
 * columns become PostGIS geometry, docs/types.md), its version in
 * version ("" without). */
int rp_catalog_postgis(struct rp_catalog *c, bool *yes, char *version, size_t n,
		       struct err *e) MUST_CHECK;

/* One sch_chameleon.t_error_log entry; NULL fields are unknown. */
struct rp_error_entry {
	int64_t id;
	const char *logged_at, *source, *schema, *table;
	const char *error, *statement;
	const char *row_data;	/* the refused row as JSON text, when known */
	const char *binlog_file;
	bool has_pos;
	uint64_t binlog_pos;	/* committed position when the error happened */
};
/* The entries of a source (or all: NULL), or the one numbered id (> 0),
 * in log order; results owned by c as rp_catalog_status()'s. */
int rp_catalog_errors(struct rp_catalog *c, const char *source, int64_t id,
		      struct rp_error_entry **out, size_t *n, struct err *e)
	MUST_CHECK;

/* ---- detach_replica (replay/detach.c) -----------------------------------
 * The cut-over's PostgreSQL side, once the replica is stopped: in one
 * transaction, a sequence for each AUTO_INCREMENT column, the source's
 * foreign keys added NOT VALID and the source removed from the catalog;
 * after the commit each key is validated on its own (validation reads
 * the table).  Only replicated tables are touched: those of t_tables not
 * taken out of replication, or, when t_tables has none (a replica
 * started without init_replica), every table of a mapped schema.
 */
struct rp_autoinc {
	const char *schema, *table, *column;	/* origin (MySQL) names */
};

/* A foreign key of the source (information_schema's view of it). */
struct rp_fkey {
	const char *schema, *table;		/* origin names */
	const char *name;			/* the constraint's */
	const char *ref_schema, *ref_table;	/* the referenced table; NULL: unknown */
	const char *const *cols, *const *ref_cols;	/* n names each, in key order */
	size_t n;
	/* MySQL's rules: CASCADE, SET NULL, SET DEFAULT, RESTRICT or NO
	 * ACTION (any case); NULL or anything else adds no clause */
	const char *on_update, *on_delete;
};

struct rp_detach;

/*
 * Start detaching source, whose schema mappings are m (n entries): read
 * its replicated tables and open the transaction.  *d is the caller's,
 * to rp_detach_free(); it borrows c, source and m, which must outlive it.
 */
int rp_detach_begin(struct rp_catalog *c, const char *source,
		    const struct rp_mapping *m, size_t n, struct rp_detach **d,
		    struct err *e) MUST_CHECK;
/* Whether schema.table (origin names) is replicated, as above. */
bool rp_detach_replicated(const struct rp_detach *d, const char *schema,
			  const char *table);
/*
 * For each column of v (n) in a replicated table: a sequence
 * TABLE_COLUMN_seq in its destination schema, owned by the column, used
 * as its default and set after the column's maximum.  *made counts them.
 */
int rp_detach_sequences(struct rp_detach *d, const struct rp_autoinc *v, size_t n,
			size_t *made, struct err *e) MUST_CHECK;
/*
 * Add each key of v (n) whose two tables are replicated, NOT VALID, unless
 * its table has a constraint of that name (init_replica creates the keys
 * with cascading actions).  added[i] (n, the caller's) tells whether key i
 * was: false when one of its tables is not replicated.
 */
int rp_detach_fkeys(struct rp_detach *d, const struct rp_fkey *v, size_t n,
		    bool *added, struct err *e) MUST_CHECK;
/* Remove the source (its row, tables, disabled tables and error log) and
 * commit with the steps above. */
int rp_detach_commit(struct rp_detach *d, struct err *e) MUST_CHECK;
/* After the commit, validate a key added by rp_detach_fkeys: -ERR_PG when
 * rows break it (the key stays NOT VALID: new rows are checked). */
int rp_detach_validate(struct rp_detach *d, const struct rp_fkey *k, struct err *e)
	MUST_CHECK;
/* Free d (NULL is fine); a detach not committed is rolled back. */
void rp_detach_free(struct rp_detach *d);

/* ---- update_schema_mappings (replay/mappings.c) -------------------------- */

/* What a change of schema_mappings means for one source schema. */
enum rp_remap_kind {
	RP_REMAP_NEW,		/* mapped now, not before: nothing in PostgreSQL yet */
	RP_REMAP_SAME,		/* the same destination */
	RP_REMAP_RENAME,	/* its destination schema is renamed to_pg */
	RP_REMAP_GONE,		/* no longer mapped: its tables stay in from_pg */
};

struct rp_remap {
	enum rp_remap_kind kind;
	const char *mysql_schema;
	const char *from_pg;	/* the catalog's destination; NULL for NEW */
	const char *to_pg;	/* the new one; NULL for GONE */
};

/*
 * What changing the mappings of source to m (n entries) does, schema by
 * schema: the entries of m in order, then the schemas no longer mapped.
 * *out (*nout entries) belongs to c as rp_catalog_status()'s results.  A
 * source not in the catalog has every schema NEW.
 */
int rp_catalog_mappings_plan(struct rp_catalog *c, const char *source,
			     const struct rp_mapping *m, size_t n,
			     struct rp_remap **out, size_t *nout, struct err *e)
	MUST_CHECK;
/*
 * Carry out a plan of rp_catalog_mappings_plan() in one transaction:
 * ALTER SCHEMA ... RENAME TO for each RP_REMAP_RENAME, with the
 * destination of the source's tables in the catalog, and store m as the
 * source's mappings.  Nothing changes on failure.
 */
int rp_catalog_mappings_update(struct rp_catalog *c, const char *source,
			       const struct rp_mapping *m, size_t n,
			       const struct rp_remap *plan, size_t nplan,
			       struct err *e) MUST_CHECK;

/* ---- the PostgreSQL side of a snapshot (replay/load.c, load_ddl.c,
 * catalog_init.c) ----------------------------------------------------------
 * What init_replica, sync_tables, refresh_schema and copy_schema do in
 * PostgreSQL: the loading connections, COPY FROM STDIN of the rows the
 * snapshot pumps, the tables created from a description of the source's
 * (without indexes, in the loading schema "_<schema>_tmp"), keys,
 * indexes and foreign keys after the load, the swap, and their
 * sch_chameleon rows.  snapshot/ drives it.
 */

/* A column of a table to load, as information_schema describes it. */
struct rp_column_def {
	const char *name;
	const char *data_type;		/* DATA_TYPE: "int", "varchar", "enum" */
	const char *column_type;	/* COLUMN_TYPE: "int(10) unsigned", "enum('a','b')" */
	const char *def;		/* COLUMN_DEFAULT as the server shows it; NULL: none */
	const char *comment;		/* NULL when empty */
	const char *extra;		/* EXTRA ("auto_increment", "DEFAULT_GENERATED"), never NULL */
	bool nullable;
	struct rp_pg_type pg;		/* type_override applied */
	struct rp_copy_col cv;		/* how its text-protocol values are converted */
};

struct rp_index_def {
	const char *name;		/* "PRIMARY" for the primary key */
	bool unique, primary;
	int ncols;
	const char *cols[64];
	bool spatial;			/* SPATIAL: a GiST index on PostGIS geometry */
};

struct rp_table_def {
	const char *schema, *name;	/* origin (MySQL) names */
	const char *pg_schema;		/* destination schema */
	const char *load_schema;	/* where it is created and loaded: pg_schema,
					   or the loading schema (rp_load_schema_name) */
	const char *comment;		/* NULL when none */
	int fillfactor;			/* 0: PostgreSQL's default */
	int ncols;
	struct rp_column_def *cols;
	int nidx;
	struct rp_index_def *idx;	/* the primary key first */
	const struct rp_index_def *key;	/* replica key (one of idx); NULL: every column */
	const char *key_kind;		/* "primary", "unique" or "all" */
};

/* ---- SQL builders (replay/load_ddl.c): pure, appended to b ---- */

/* The loading schema of a destination schema: "_<pg_schema>_tmp", in a. */
char *rp_load_schema_name(struct arena *a, const char *pg_schema);
/* "schema"."table": in the loading schema, or the destination one. */
void rp_load_table_name(struct buf *b, const struct rp_table_def *t, bool loading);
/*
 * The labels of COLUMN_TYPE "enum('a','it''s')" as a PostgreSQL list
 * "'a', 'it''s'", with '' at the end: MySQL stores '' (index 0) for an
 * invalid value outside strict mode, so it belongs to every ENUM's domain.
 */
void rp_load_enum_labels(struct buf *b, const char *column_type);
/*
 * PostgreSQL's name <prefix><a>_<b> (unquoted) of an object named after a
 * table: as is when it fits in NAMEDATALEN - 1 (63 bytes), else cut on a
 * UTF-8 boundary to 54 bytes with "_" and 8 hex digits of a hash of the
 * whole name, so that two long names PostgreSQL would cut alike differ.
 */
#define RP_PG_NAME_MAX 64
void rp_load_fit_name(char out[RP_PG_NAME_MAX], const char *prefix, const char *a,
		      const char *b);
/* "schema"."enum_<table>_<column>" (rp_load_fit_name), the type of an
 * ENUM column. */
void rp_load_enum_name(struct buf *b, const char *schema, const char *table,
		       const char *column);
void rp_load_enum_type_name(struct buf *b, const struct rp_table_def *t,
			    const struct rp_column_def *c, bool loading);
/*
 * The schema statement before a load: CREATE SCHEMA IF NOT EXISTS when
 * the tables load in place (load_schema is pg_schema), else the loading
 * schema dropped and created afresh.
 */
void rp_load_schema_sql(struct buf *b, const char *pg_schema, const char *load_schema);
/* ENUM types, CREATE TABLE (no index, no default), comments, in load_schema. */
void rp_load_create_sql(struct buf *b, const struct rp_table_def *t);
/* DROP TABLE IF EXISTS ... CASCADE and its ENUM types (destination schema). */
void rp_load_drop_sql(struct buf *b, const struct rp_table_def *t);
/* One TRUNCATE of every table (destination schema), so that tables
 * referencing each other are emptied together. */
void rp_load_truncate_sql(struct buf *b, const struct rp_table_def *const *t, size_t n);
/* PostgreSQL's name of index 'index' of table 'table' (unquoted):
 * "idx_<table>_<index>" (rp_load_fit_name: index names are per schema in
 * PostgreSQL, per table in MySQL, and two tables' long names must not
 * collide). */
#define RP_INDEX_NAME_MAX RP_PG_NAME_MAX
void rp_load_index_name(char out[RP_INDEX_NAME_MAX], const char *table, const char *index);
/* ALTER TABLE ... ADD PRIMARY KEY, or CREATE [UNIQUE] INDEX, in load_schema. */
void rp_load_index_sql(struct buf *b, const struct rp_table_def *t,
		       const struct rp_index_def *x);
/*
 * A column default as PostgreSQL SQL, or false (b unchanged) when it has
 * no safe translation.  mariadb: MariaDB shows string defaults quoted
 * and expressions bare; MySQL shows literals bare.  A date default
 * PostgreSQL cannot hold follows o's zero-date policy: '-infinity'
 * under infinity, none otherwise.
 */
bool rp_load_default_sql(struct buf *b, const struct rp_column_def *c, bool mariadb,
			 const struct rp_convert_opts *o);
/* ALTER TABLE ... ALTER COLUMN ... SET DEFAULT expr, in load_schema. */
void rp_load_set_default_sql(struct buf *b, const struct rp_table_def *t,
			     const struct rp_column_def *c, const char *expr);
/*
 * A DO block adding foreign key k NOT VALID unless its table has a
 * constraint of that name already, between the destination (here:
 * loading) schemas schema and ref_schema, unquoted; detach_replica's
 * builder (replay/detach.c), for the keys init_replica creates.
 */
void rp_load_fkey_sql(struct buf *b, const char *schema, const char *ref_schema,
		      const struct rp_fkey *k);
/* ALTER TABLE IF EXISTS "schema"."table" DROP CONSTRAINT IF EXISTS "name" */
void rp_fk_drop_sql(struct buf *b, const char *schema, const char *table, const char *name);
/* The swap of one schema: the destination dropped, the loading one renamed. */
void rp_load_swap_sql(struct buf *b, const char *pg_schema, const char *load_schema);
/* USAGE on the schema and SELECT on its tables to a role. */
void rp_load_grant_sql(struct buf *b, const char *pg_schema, const char *role);

/* ---- loading connections (replay/load.c) ---- */

/* One PostgreSQL connection of a load (client_encoding UTF8, timezone UTC). */
struct rp_load;

/* Connect and set up the session.  -ERR_PG with PostgreSQL's message. */
int rp_load_open(struct rp_load **l, const char *conninfo, struct err *e) MUST_CHECK;
void rp_load_close(struct rp_load *l);
/* Run SQL (one or several statements).  -ERR_PG with PostgreSQL's message
 * (its trailing newlines removed). */
int rp_load_exec(struct rp_load *l, const char *sql, struct err *e) MUST_CHECK;
/* Whether the database has the postgis extension (*version its version,
 * "" without), asked on this connection. */
int rp_load_postgis(struct rp_load *l, bool *yes, char *version, size_t n,
		    struct err *e) MUST_CHECK;
/* Roll back an open transaction, if any (after a failed exec). */
void rp_load_rollback(struct rp_load *l);
/* COPY table (in its load_schema) FROM STDIN, text format. */
int rp_load_copy_start(struct rp_load *l, const struct rp_table_def *t, struct err *e)
	MUST_CHECK;
/* How the message of a row PostgreSQL refused during a COPY begins; the
 * rest is PostgreSQL's, whose CONTEXT names the line: "COPY t, line 3". */
#define RP_LOAD_REFUSED "PostgreSQL refused a row: "
/* How the message begins when PostgreSQL lacks resources (SQLSTATE class
 * 53: disk full, out of memory): nobody's row's fault, no table is set
 * aside for it (any statement of the load). */
#define RP_LOAD_RESOURCES "PostgreSQL lacks resources (SQLSTATE "
/* Rows in COPY text format (whole lines).  -ERR_PG: RP_LOAD_REFUSED...
 * when PostgreSQL refused a row already (the COPY is over), libpq's
 * message when the connection is lost; end the COPY with an abort
 * message then (harmless after a refusal). */
int rp_load_copy_data(struct rp_load *l, const void *p, size_t n, struct err *e)
	MUST_CHECK;
/* End the COPY.  -ERR_PG RP_LOAD_REFUSED... names the line of the COPY. */
int rp_load_copy_end(struct rp_load *l, struct err *e) MUST_CHECK;
/* Whether the connection is up (a failed statement was refused, not lost). */
bool rp_load_connected(const struct rp_load *l);
/* End the COPY with an error: nothing of it is kept (why: PostgreSQL's
 * error message). */
void rp_load_copy_abort(struct rp_load *l, const char *why);

/* ---- the catalog rows of a load (replay/catalog_init.c) ---- */

/* Create or upgrade the catalog, and register source if it is not. */
int rp_load_catalog_prepare(struct rp_load *l, const char *source, struct err *e)
	MUST_CHECK;
/* The source's status and error (NULL clears it); 'initialising' also
 * resets init_progress and init_started_at. */
int rp_load_set_status(struct rp_load *l, const char *source, const char *status,
		       const char *error, struct err *e) MUST_CHECK;
/* init_replica's progress line, for show_status during the copy. */
int rp_load_set_progress(struct rp_load *l, const char *source, const char *line,
			 struct err *e) MUST_CHECK;
/* The identity of the server the source's position belongs to (known
 * false when none is recorded). */
int rp_load_source_identity(struct rp_load *l, const char *source,
			    struct rp_source_identity *id, struct err *e) MUST_CHECK;
/* The source's tables out of replication, "schema.table" in order, in a. */
int rp_load_disabled_list(struct rp_load *l, const char *source, struct arena *a,
			  const char ***names, size_t *n, struct err *e) MUST_CHECK;
/* Take tables out of replication (sync_tables, while they are copied). */
int rp_load_disable(struct rp_load *l, const char *source,
		    const struct rp_table_def *const *t, size_t n, struct err *e) MUST_CHECK;
/* Whether the table exists in its destination schema. */
int rp_load_table_exists(struct rp_load *l, const struct rp_table_def *t, bool *exists,
			 struct err *e) MUST_CHECK;

/* What the swap transaction records (rp_load_record_sql). */
enum rp_load_kind {
	RP_LOAD_INIT,		/* init_replica: the source's tables and position */
	RP_LOAD_SYNC,		/* sync_tables: tables back in replication, their snapshot */
	RP_LOAD_SCHEMA,		/* copy_schema: no catalog row */
};

struct rp_load_record {
	enum rp_load_kind kind;
	const char *source;
	const char *file;	/* the snapshot's binlog position */
	uint64_t pos;
	const char *gtid;	/* "" when none */
	uint64_t server_id;	/* the server the position belongs to */
	const char *server_uuid; /* "" when none (MariaDB) */
	uint64_t rows;		/* copied, for init_progress */
	double seconds;
	const char *note;	/* RP_LOAD_INIT: the source's error column (the
				   tables set aside), NULL: cleared */
};

/* RP_LOAD_INIT: the source's disabled tables and table rows cleared. */
void rp_load_record_begin_sql(struct buf *b, const struct rp_load_record *r);
/* The catalog row of a copied table (t_tables), RP_LOAD_SYNC also out of
 * t_disabled_tables with its snapshot position. */
void rp_load_record_table_sql(struct buf *b, const struct rp_load_record *r,
			      const struct rp_table_def *t, uint64_t rows);
/*
 * A table set aside by the copy (PostgreSQL refused one of its rows, or
 * its key): emptied, out of replication (t_disabled_tables, not to be
 * copied again by the replica) with why, the statement and the row
 * (JSON text, NULL when unknown) in t_error_log at the snapshot's
 * position.  sync_tables --tables disabled copies it again.
 */
void rp_load_record_refused_sql(struct buf *b, const struct rp_load_record *r,
				const struct rp_table_def *t, const char *error,
				const char *statement, const char *row);
/* RP_LOAD_INIT: status 'initialised', the position and the identity of
 * the server it belongs to, the summary. */
void rp_load_record_end_sql(struct buf *b, const struct rp_load_record *r);

#endif
