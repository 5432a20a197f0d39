/*
 * snapshot: the initial copy of a MySQL/MariaDB source into PostgreSQL
 * (init_replica, sync_tables, refresh_schema, copy_schema; the steps are
 * in docs/init_replica.md).  It reads the source's structure from
 * information_schema, opens one consistent snapshot (FLUSH TABLES WITH
 * READ LOCK and one START TRANSACTION WITH CONSISTENT SNAPSHOT per copy
 * worker, or MariaDB's lock-free binlog_snapshot_file/position), plans
 * copy jobs split into key ranges, and pumps the rows through worker
 * threads into replay's COPY.  Every PostgreSQL statement is replay's
 * (rp_load_*).  It never prints or logs: messages, errors included, go
 * to the caller's report callback where they happen, and progress to
 * its progress callback.
 */
#ifndef SNAPSHOT_SNAPSHOT_H
#define SNAPSHOT_SNAPSHOT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "binlog/binlog.h"
#include "mysqlproto/mysqlproto.h"
#include "replay/replay.h"

enum sn_mode {
	SN_INIT,	/* init_replica: every table, a new position */
	SN_SYNC,	/* sync_tables, refresh_schema: chosen tables, in place */
	SN_SCHEMA,	/* copy_schema: structure only, no position */
};

enum sn_level { SN_ERROR, SN_WARN, SN_INFO, SN_DEBUG };

/* pg_chameleon's type_override: mysql_type (a COLUMN_TYPE) becomes
 * pg_type in the tables listed ("schema.table", or "*"). */
struct sn_type_override {
	const char *mysql_type, *pg_type;
	struct rp_names tables;
};

/* pg_chameleon's fillfactor for the tables listed ("schema.table"). */
struct sn_fillfactor {
	int fillfactor;
	struct rp_names tables;
};

/* Where a copy phase is, reported every progress_every seconds. */
struct sn_progress {
	const char *what;	/* "copy", "copy (locked)" */
	uint64_t rows;		/* copied so far, every table */
	uint64_t total;		/* the source's estimate, or rows when more */
	double rate;		/* rows/s since the previous report */
	double eta;		/* seconds, 0 when unknown */
	double elapsed;		/* seconds since sn_run began */
	bool done;		/* the phase ended: its last call */
};

struct sn_opts {
	enum sn_mode mode;
	const char *source;		/* name in the catalog */
	const struct rp_mapping *mappings;	/* schema_mappings */
	size_t n_mappings;
	const struct rp_opts *filters;	/* limit_tables, skip_tables */
	/* SN_SYNC: the tables "schema.table" (origin names), every table of
	 * only_schema (an origin schema), or those out of replication */
	const char *const *only;
	size_t n_only;
	const char *only_schema;
	bool only_disabled;
	const struct sn_type_override *overrides;
	size_t n_overrides;
	const struct sn_fillfactor *fillfactors;
	size_t n_fillfactors;
	struct rp_names grant_select_to;	/* roles given SELECT after the swap */
	bool keep_existing;		/* SN_INIT: truncate and reload in place */
	int workers;			/* copy connections, >= 1 */
	bool text_protocol;		/* read rows with text queries, not the binary protocol */
	long lock_timeout;		/* seconds, for FLUSH TABLES WITH READ LOCK */
	int net_timeout;		/* seconds: net_read/write_timeout on the source */
	struct rp_convert_opts conv;
	const char *conninfo;		/* PostgreSQL */
	double progress_every;		/* seconds between progress calls */
	const volatile sig_atomic_t *stop;	/* non-zero: stop the copy (may be NULL) */
	/* Open a connection to the source; non-zero when it failed, which
	 * it has said itself.  Called from the calling thread only. */
	int (*connect)(void *arg, struct mp_conn *c);
	/* A message; called from the copy threads too (SN_WARN). */
	void (*report)(void *arg, enum sn_level level, const char *msg);
	/* May be NULL. */
	void (*progress)(void *arg, const struct sn_progress *p);
	void *arg;
};

struct sn_result {
	int ntables;
	uint64_t rows;			/* copied */
	uint64_t zero_dates;		/* stored per the zero-date policy */
	struct bl_pos at;		/* the snapshot's position (not SN_SCHEMA) */
	char gtid[4096];		/* its GTID state, "" when none */
	/* the server the position belongs to (not SN_SCHEMA) */
	uint64_t server_id;		/* @@server_id */
	char server_uuid[64];		/* MySQL's @@server_uuid, "" on MariaDB */
	bool nothing;			/* only_disabled without any: nothing done */
	/* tables set aside (PostgreSQL refused one of their rows): copied
	 * empty, out of replication, the reason in the error log */
	int nrefused;
	char refused[4096];		/* "schema.table, ..." (cut when long) */
};

/*
 * Copy per o.  Returns 0 (also when tables were set aside: r->nrefused),
 * or -1 once the reason has been reported (SN_ERROR).  On failure the destination schemas are untouched (the
 * loading schema is dropped by the next run) and an SN_INIT source is
 * left in status 'error' (or 'initialising' when killed).
 */
int sn_run(const struct sn_opts *o, struct sn_result *r);

/* A row count for people: 950, 12.3k, 45.6M. */
void sn_count_text(char *out, size_t n, uint64_t v);

/*
 * The source's foreign keys of the schemas in schema_list (quoted, comma
 * separated), one row per column: schema, table, name, column, referenced
 * schema, table and column, update and delete rule.
 */
void sn_fk_query(struct buf *q, const char *schema_list);

#endif
