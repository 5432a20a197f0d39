/*
 * DDL of the source translated into PostgreSQL (docs/ddl.md): a parsed
 * statement (replay/ddl_int.h) and what the replica knows (struct
 * rp__ddl_env) give the PostgreSQL statements to run in the open
 * transaction and what each replicated table went through (struct
 * rp__ddl_plan).  Pure: it runs nothing; PostgreSQL's current tables
 * come through env->lookup, which the sink answers from pg_catalog and
 * the tests from fixtures.  The sink (replay/guard.c) runs the plan, in
 * the same transaction as the position after the statement, and records
 * its effects in sch_chameleon (replay/catalog_ddl.c).
 */
#ifndef REPLAY_DDL_PG_H
#define REPLAY_DDL_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "replay/ddl_int.h"
#include "replay/replay.h"

/* ---- PostgreSQL's table as it is before the statement ---- */

struct rp__pg_column {
	const char *name;
	const char *type;	/* format_type(): "integer", "character varying(40)",
				   "numeric(10,2)", "timestamp(3) without time zone",
				   or an enum type's qualified, quoted name */
	bool not_null;
	bool is_enum;		/* pg_type.typtype 'e' */
	const char *def;	/* pg_get_expr() of its default; NULL when none */
	size_t nlabels;		/* is_enum: the type's labels in order */
	const char *const *labels;
};

struct rp__pg_index {
	const char *name;	/* PostgreSQL's index name */
	const char *constraint;	/* the PRIMARY KEY / UNIQUE constraint it backs, or NULL */
	bool primary, unique;
	size_t ncols;
	const char *const *cols;	/* column names; NULL for an expression */
};

struct rp__pg_table {
	const char *schema, *name;	/* PostgreSQL's names */
	size_t ncols;
	const struct rp__pg_column *cols;	/* in attnum order */
	size_t nidx;
	const struct rp__pg_index *idx;
	bool empty;		/* known to hold no row (false: rows, or unknown);
				   what an ALTER does to existing rows then
				   does not matter */
};

/* ---- what the translation knows of the replica ---- */

struct rp__ddl_env {
	const struct rp_opts *o;	/* schema mappings, limit_tables, skip_tables */
	const char *default_db;		/* the QUERY event's database; "" when none */
	bool ansi_quotes;		/* the event's sql_mode */
	bool mariadb;			/* the source is MariaDB (defaults are shown
					   as MariaDB shows them) */
	bool column_order_exact;	/* ddl_column_order: exact */
	bool strict;			/* the event's sql_mode has STRICT_TRANS_TABLES
					   or STRICT_ALL_TABLES: MySQL refused the
					   statement rather than truncate or clamp */
	/* The statement's time (the event's timestamp), for what MySQL filled
	 * existing rows with (ADD COLUMN ... DEFAULT CURRENT_TIMESTAMP). */
	int64_t when;
	const char *time_zone;		/* the event's session time zone, NULL when
					   the event does not say (the server's) */
	/* Whether the source table is out of replication (t_disabled_tables). */
	bool (*disabled)(void *arg, const char *schema, const char *table);
	/* PostgreSQL's table pg_schema.table before the statement, NULL when
	 * there is none; what it points to stays valid until the plan is
	 * released.  The plan sees the effect of its own earlier statements:
	 * the planner asks once per table and keeps track itself.  -1 on
	 * error (e set). */
	int (*lookup)(void *arg, const char *pg_schema, const char *table,
		      const struct rp__pg_table **out, struct err *e);
	/* The tables of PostgreSQL's schema pg_schema (DROP DATABASE), in
	 * *names (*n), valid until the plan is released.  -1 on error (e
	 * set).  May be NULL: then DROP DATABASE drops the tables it knows of
	 * (none). */
	int (*tables)(void *arg, const char *pg_schema, const char *const **names,
		      size_t *n, struct err *e);
	/* type_override: PostgreSQL type for a column of this COLUMN_TYPE in
	 * schema.table, NULL when none.  May be NULL. */
	const char *(*type_override)(void *arg, const char *schema, const char *table,
				     const char *column_type);
	/* Whether geometry columns become PostGIS geometry (the target has
	 * the extension), asked only for a geometry column.  May be NULL: no. */
	bool (*postgis)(void *arg);
	/* fillfactor for a new table, 0 for PostgreSQL's default.  May be NULL. */
	int (*fillfactor)(void *arg, const char *schema, const char *table);
	void *arg;
};

/* ---- the plan ---- */

enum rp__ddl_fx_kind {
	RP__FX_CREATED,		/* replicated from this statement on */
	RP__FX_DROPPED,		/* no longer replicated; its catalog rows go */
	RP__FX_RENAMED,		/* to_schema.to_table from now on */
	RP__FX_ALTERED,		/* structure changed (its key may have) */
	RP__FX_TRUNCATED,
	RP__FX_COPY,		/* PostgreSQL cannot reproduce what the statement
				   did to the existing rows (why): the table is
				   taken out and copied again from a new snapshot */
	RP__FX_DISABLE,		/* taken out of replication (why): syntax not
				   understood, a clause that cannot be translated */
	RP__FX_NOTE,		/* logged only (why): a CHECK left out, ... */
};

struct rp__ddl_fx {
	enum rp__ddl_fx_kind kind;
	const char *schema, *table;		/* source names */
	const char *to_schema, *to_table;	/* RP__FX_RENAMED */
	const char *why;
};

struct rp__ddl_plan {
	size_t nsql;
	const char **sql;	/* one statement each (no trailing ';'), in order */
	size_t nfx;
	struct rp__ddl_fx *fx;
	/* One line for the log and show_status, "ALTER TABLE `fx`.`t`: ADD
	 * COLUMN c, DROP COLUMN d" (white space of the clauses as written,
	 * newlines too, as single spaces); NULL when the statement concerns
	 * no replicated table (nothing to do, nothing to say above debug). */
	const char *summary;
};

/*
 * The plan for st.  Everything is allocated in a.  Statements of kind
 * RP__DS_OTHER, on unmapped schemas, on tables outside limit_tables or in
 * skip_tables, on disabled tables, or on temporary tables give an empty
 * plan.  Returns 0, or -1 with e set when env->lookup failed; a statement
 * that cannot be translated is never an error: its tables get
 * RP__FX_DISABLE or RP__FX_COPY.
 */
int rp__ddl_pg_plan(const struct rp__ddl_stmt *st, const struct rp__ddl_env *env,
		    struct arena *a, struct rp__ddl_plan *out, struct err *e) MUST_CHECK;

#endif
