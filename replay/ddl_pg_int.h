/*
 * What the files of the DDL planner share (docs/ddl.md): the plan being
 * built (struct rp__dp), the tables it has seen as they are after its own
 * earlier statements (struct rp__dp_table), and the builders of each
 * statement kind.  ddl_pg.c holds the context and the dispatch,
 * ddl_pg_table.c the table statements, ddl_pg_col.c column definitions,
 * ddl_pg_alter.c and ddl_pg_key.c ALTER TABLE.  Nothing here runs SQL.
 */
#ifndef REPLAY_DDL_PG_INT_H
#define REPLAY_DDL_PG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "replay/ddl_pg.h"

/* A PostgreSQL table as the plan leaves it so far. */
struct rp__dp_table {
	struct rp__dp_table *next;
	const char *schema; /* source schema */
	const char *name;   /* source and PostgreSQL name */
	const char *pg_schema;
	bool exists; /* false: none of that name (now) */
	bool empty;  /* known to hold no row */
	size_t ncols, capcols;
	struct rp__pg_column *cols; /* owned copies, in attnum order */
	size_t nidx, capidx;
	struct rp__pg_index *idx;
};

struct rp__dp {
	const struct rp__ddl_stmt *st;
	const struct rp__ddl_env *env;
	struct arena *a;
	struct err *e;
	struct rp__ddl_plan *out;
	size_t capsql, capfx;
	struct buf q;	/* the statement being written */
	struct buf sum; /* the summary */
	bool parts;	/* sum has parts after its head */
	struct rp__dp_table *tables;
};

/* ---- ddl_pg.c: the plan ---- */

/* The schema of a statement's name: its own, else the default database. */
const char *rp__dp_schema(const struct rp__dp *d, const struct rp__ddl_name *n);
/* PostgreSQL's schema of source schema s, NULL when not mapped. */
const char *rp__dp_pg_schema(const struct rp__dp *d, const char *s);
/* Whether schema.table is replicated: mapped, in the filters, not disabled. */
bool rp__dp_replicated(const struct rp__dp *d, const char *schema, const char *table);
/* The table pg_schema.name as the plan leaves it (asking env->lookup the
 * first time); *out is never NULL, (*out)->exists tells.  -1 when the
 * lookup failed. */
int rp__dp_table(struct rp__dp *d, const char *schema, const char *name,
		 struct rp__dp_table **out);
/* The tracked table forgets its columns and indexes (after DROP, or a
 * statement left to a copy). */
void rp__dp_table_clear(struct rp__dp_table *t);
/* Track t under its new name; the old name has no table any more. */
void rp__dp_table_move(struct rp__dp *d, struct rp__dp_table *t, const char *schema,
		       const char *name, const char *pg_schema);

/* The statement buffer, emptied; rp__dp_emit() adds it to the plan. */
struct buf *rp__dp_sql(struct rp__dp *d);
void rp__dp_emit(struct rp__dp *d);
/* An effect; strings are kept as given (arena or static). */
void rp__dp_fx(struct rp__dp *d, enum rp__ddl_fx_kind k, const char *schema,
	       const char *table, const char *why);
void rp__dp_fx_rename(struct rp__dp *d, const char *schema, const char *table,
		      const char *to_schema, const char *to_table);
/* printf into the arena. */
char *rp__dp_printf(struct rp__dp *d, const char *fmt, ...) PRINTF(2, 3);
char *rp__dp_strdup(struct rp__dp *d, const char *s);
/* The summary: the statement's head, then parts separated by ", " after
 * ": " (rp__dp_part). */
void rp__dp_head(struct rp__dp *d, const char *what, const char *schema,
		 const char *table);
void rp__dp_part(struct rp__dp *d, const char *fmt, ...) PRINTF(2, 3);
/* `schema`.`table` for messages. */
void rp__dp_src_name(struct buf *b, const char *schema, const char *table);
/* "pg_schema"."name" */
void rp__dp_qname(struct buf *b, const char *pg_schema, const char *name);

/* Column i of t by name, -1 when none. */
long rp__dp_col_find(const struct rp__dp_table *t, const char *name);
/* Append / remove columns and indexes of a tracked table. */
struct rp__pg_column *rp__dp_col_add(struct rp__dp *d, struct rp__dp_table *t);
void rp__dp_col_remove(struct rp__dp_table *t, size_t i);
struct rp__pg_index *rp__dp_idx_add(struct rp__dp *d, struct rp__dp_table *t);
void rp__dp_idx_remove(struct rp__dp_table *t, size_t i);

/* ---- ddl_pg_table.c: statements on whole tables ---- */

int rp__dp_create(struct rp__dp *d);
int rp__dp_drop(struct rp__dp *d);
int rp__dp_truncate(struct rp__dp *d);
int rp__dp_rename(struct rp__dp *d);
/* One pair of RENAME TABLE (ALTER TABLE ... RENAME too): effects and SQL. */
int rp__dp_rename_one(struct rp__dp *d, const char *fs, const char *f,
		      const char *ts, const char *tt);
int rp__dp_create_index(struct rp__dp *d);
int rp__dp_drop_index(struct rp__dp *d);
int rp__dp_database(struct rp__dp *d);
/* DROP TABLE of t (and its enum types); t no longer exists. */
void rp__dp_drop_sql(struct rp__dp *d, struct rp__dp_table *t);
/* RENAME of t to schema.name (SET SCHEMA, RENAME, its enum types and
 * indexes renamed after init_replica's names). */
void rp__dp_rename_sql(struct rp__dp *d, struct rp__dp_table *t, const char *schema,
		       const char *name, const char *pg_schema);

/* ---- ddl_pg_col.c: column definitions ---- */

/* A parsed column in PostgreSQL terms. */
struct rp__dp_coldef {
	const struct rp__ddl_column *c;
	char type[128]; /* the PostgreSQL type, quoted enum type name */
	bool is_enum;
	bool mapped;	 /* false: no PostgreSQL type for it */
	const char *def; /* DEFAULT expression for new rows, NULL: none */
	bool def_exact;	 /* def is what MySQL gave existing rows too */
	bool not_null;	 /* NOT NULL in PostgreSQL: the column's, but for
			    dates under zero_dates: null (docs/types.md) */
};

/* c of table schema.table (PostgreSQL pg_schema) in PostgreSQL terms. */
void rp__dp_coldef(struct rp__dp *d, const char *schema, const char *table,
		   const char *pg_schema, const struct rp__ddl_column *c,
		   struct rp__dp_coldef *out);
/* "name type [NOT NULL] [DEFAULT x]" of CREATE TABLE / ADD COLUMN. */
void rp__dp_coldef_sql(struct buf *b, const struct rp__dp_coldef *cd,
		       bool with_default);
/* CREATE TYPE of an enum column (labels, '' appended as init_replica does). */
void rp__dp_enum_sql(struct buf *b, const char *type, size_t n,
		     const char *const *labels);
/* The labels as PostgreSQL keeps them ('' appended when missing), in a. */
const char *const *rp__dp_enum_labels(struct rp__dp *d,
				      const struct rp__ddl_column *c, size_t *n);
/* Record cd as column col of t (a new column, or column i replaced). */
void rp__dp_col_set(struct rp__dp *d, struct rp__pg_column *col,
		    const struct rp__dp_coldef *cd, const char *name);

/* MySQL's implicit default of a NOT NULL column added without one (what
 * existing rows get: 0, '', the first ENUM label), as SQL; NULL when
 * PostgreSQL cannot hold it (zero dates) or it is not known. */
const char *rp__dp_implicit_default(struct rp__dp *d, const struct rp__dp_coldef *cd);
/* The statement's time (env->when) as a value of cd's column, what MySQL
 * gave existing rows for DEFAULT CURRENT_TIMESTAMP; NULL when not a
 * TIMESTAMP/DATETIME column, or (*why set) a DATETIME column in the
 * server's time zone, which the event does not name. */
const char *rp__dp_now_sql(struct rp__dp *d, const struct rp__dp_coldef *cd,
			   const char **why);

/* ---- ddl_pg_alter.c, ddl_pg_key.c: ALTER TABLE ---- */

int rp__dp_alter(struct rp__dp *d);

/* An index of a parsed key: CREATE [UNIQUE] INDEX or ADD PRIMARY KEY on t,
 * named after init_replica; the MySQL name chosen for an unnamed key. */
void rp__dp_key_sql(struct rp__dp *d, struct rp__dp_table *t,
		    const struct rp__ddl_index *x);
/* The unquoted name of a type as format_type() or we write it. */
const char *rp__dp_type_ident(struct rp__dp *d, const char *type);
/* Whether column c of t has the enum type init_replica names after them. */
bool rp__dp_enum_owned(struct rp__dp *d, const struct rp__dp_table *t,
		       const struct rp__pg_column *c);
/* DROP TYPE of column c's enum type when it is the table's own. */
void rp__dp_drop_enum_sql(struct rp__dp *d, const struct rp__dp_table *t,
			  const struct rp__pg_column *c);
/* MySQL's name of PostgreSQL index x of table t (its name after
 * "idx_<table>_"), or x's own name. */
const char *rp__dp_mysql_index_name(struct rp__dp *d, const struct rp__dp_table *t,
				    const struct rp__pg_index *x);
/* The index MySQL makes for foreign key fk of t (as init_replica finds it
 * in information_schema), unless an index starts with its columns;
 * whether it made one. */
bool rp__dp_fk_index(struct rp__dp *d, struct rp__dp_table *t,
		     const struct rp__ddl_fkey *fk);
/* The index of t MySQL calls name, -1 when none. */
long rp__dp_idx_find(struct rp__dp *d, const struct rp__dp_table *t,
		     const char *name);
/* DROP INDEX of index i of t (a constraint: ALTER TABLE DROP CONSTRAINT). */
void rp__dp_drop_index_sql(struct rp__dp *d, struct rp__dp_table *t, size_t i);

#endif
