/* snapshot: what its own .c files and the tests share. */
#ifndef SNAPSHOT_INTERNAL_H
#define SNAPSHOT_INTERNAL_H

#include <pthread.h>

#include "base/arena.h"
#include "snapshot/snapshot.h"

struct sn_table {
	struct rp_table_def def;	/* what replay creates and loads */
	const char *engine;
	bool transactional;		/* has a snapshot (InnoDB...), else copied under the lock */
	uint64_t est_rows;		/* TABLE_ROWS */
	uint64_t rows;			/* copied (atomic: the workers add) */
	int copies_left;		/* copy jobs not finished (under s->mu) */
	bool indexed;			/* its index jobs were queued by the copy phase */
	/* set aside (PostgreSQL refused a row or its key): written once
	 * under s->mu, refused read atomically; the strings are malloc'd */
	bool refused;
	char *why, *statement, *row;
};

/* A unit of work for the pool: a copy (of a key range), or a statement. */
struct sn_job {
	struct sn_table *t;
	bool ranged;
	long long lo, hi;	/* key range [lo, hi), [lo, hi] for the last */
	bool last;
	const char *sql;	/* a statement (key, index) instead of a copy */
};

/* One run of sn_run. */
struct sn {
	const struct sn_opts *o;
	struct arena mem;		/* structure strings, job statements */
	struct sn_table *tables;
	int ntables;
	const struct rp_table_def **defs;	/* &tables[i].def, for replay */
	const char *const *only;	/* SN_SYNC: o->only, or the disabled tables */
	size_t n_only;
	int workers;			/* copying now: 1 for a lock-free snapshot */
	bool is_mariadb;
	bool postgis;			/* the target database has PostGIS */
	double t0;			/* clock_s() at the start */
	/* totals (atomics: the workers add) */
	uint64_t rows, zero_dates, est_total;
	/* connections: the coordinator and the catalog, then one pair per worker */
	struct mp_conn *coord;
	struct rp_load *pg;
	struct mp_conn **my;
	struct rp_load **wpg;
	bool locked;			/* coord holds FLUSH TABLES WITH READ LOCK */
	bool status_set;		/* SN_INIT: the source is 'initialising' */
	/* the job queue of the current phase */
	pthread_mutex_t mu;
	struct sn_job *jobs;
	int njobs, cap, next_job;
	int running;			/* jobs being run (under mu) */
	pthread_cond_t done;		/* signalled when a job ends (with mu) */
	/* the copy phase queues a table's keys and indexes when its last copy
	 * job ends, so that they are built while other tables are copied */
	bool index_early;
	bool failed;			/* written under mu, read atomically */
	char fail_msg[1024];		/* the first failure; stable once failed */
	struct sn_result *res;
};

/* A message to the caller (printf-like). */
void sn__report(struct sn *s, enum sn_level l, const char *fmt, ...) PRINTF(3, 4);
/* Record the first failure of a job (any thread), which stops the others. */
void sn__fail(struct sn *s, const char *fmt, ...) PRINTF(2, 3);
bool sn__failed(struct sn *s);
/* Set table t aside (any thread; the first reason wins): the copy goes
 * on without it, the swap records it out of replication.  row: JSON
 * text or NULL. */
void sn__refuse(struct sn *s, struct sn_table *t, const char *statement,
		const char *row, const char *fmt, ...) PRINTF(5, 6);
bool sn__refused(struct sn_table *t);
/* `id` quoted for MySQL. */
void sn__myident(struct buf *b, const char *id);
/* The source's schemas of o->mappings, quoted for an IN (...) list. */
void sn__schema_list(struct sn *s, struct buf *b);
/* The table of the structure, or NULL. */
struct sn_table *sn__find_table(struct sn *s, const char *schema, const char *name);
/* Where the destination schema pg_schema is loaded. */
const char *sn__load_schema(struct sn *s, const char *pg_schema);
/* Rows of a query on the source, each field copied into s->mem; NULL
 * fields are NULL pointers.  Reports the failure (-1). */
int sn__rows(struct sn *s, struct mp_conn *c, const char *sql,
	     void (*cb)(char **f, uint32_t n, void *ctx), void *ctx);

/* structure.c: tables, columns, indexes, replica keys of the source. */
int sn__read_structure(struct sn *s);
/* The conversion of a column's text-protocol values (from DATA_TYPE,
 * COLUMN_TYPE, its PostgreSQL type and collation id when it has one). */
void sn__copy_kind(struct rp_column_def *c, bool has_collation, uint16_t collation);

/* plan.c */
void sn__add_job(struct sn *s, const struct sn_job *j);
void sn__clear_jobs(struct sn *s);
/*
 * Key ranges of a table of est_rows rows whose integer key spans
 * [lo, hi], for `workers` workers: writes up to max [lo, hi] pairs
 * (ranges[2k], ranges[2k+1]; the last one inclusive) and returns their
 * number, 0 when the table is not worth splitting (or max is too small).
 */
int sn__plan_ranges(long long lo, long long hi, uint64_t est_rows, int workers,
		    long long *ranges, int max);
/* Whether a table's replica key can split it into ranges: the key's
 * first column, when it is an integer column (NOT NULL) that fits a long
 * long. */
const struct rp_column_def *sn__range_key(const struct sn_table *t);
/* Copy jobs of the transactional (or other) tables; MIN/MAX through c. */
int sn__plan_copy(struct sn *s, struct mp_conn *c, bool transactional);
/* Key and index jobs of every table (but those queued already). */
void sn__plan_indexes(struct sn *s);
/* Queue the key and index jobs of table t (with s->mu held). */
void sn__queue_indexes(struct sn *s, struct sn_table *t);

/* pool.c: run the queued jobs on s->workers threads; what != NULL:
 * report progress under that name.  -1 when a job failed (s->fail_msg). */
int sn__run_jobs(struct sn *s, const char *what);

/* pump.c: one job on worker w's connections. */
int sn__copy_job(struct sn *s, int w, const struct sn_job *j);
int sn__ddl_job(struct sn *s, int w, const struct sn_job *j);
/* The SELECT of a copy job (exposed for tests). */
void sn__select_sql(struct buf *b, const struct sn_job *j);

/* bintext.c: a binary-protocol value (mp_stmt_query) of column col as
 * the text protocol's text, appended to out; -ERR_x with the reason. */
int sn__bin_text(struct buf *out, const struct mp_column *col, struct bytes v, struct err *e);
/* A binary row as text views: strings stay views of in, the other values
 * are written into tmp (reset first).  off: in->n entries of scratch. */
int sn__text_row(struct buf *tmp, size_t *off, const struct mp_result *res,
		 const struct mp_row *in, struct bytes *vals, struct err *e);

/* lock.c: the snapshot protocols. */
int sn__preflight(struct sn *s);
int sn__session_setup(struct sn *s, struct mp_conn *c);
int sn__open_snapshot(struct sn *s);
int sn__unlock(struct sn *s);

/* fkeys.c: foreign keys with cascading actions (drop: before a reload in place). */
int sn__cascade_fks(struct sn *s, bool drop);

#endif
