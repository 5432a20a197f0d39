/*
 * DDL of QUERY events as data (docs/ddl.md): the statement classified by
 * its leading keywords, and for the statements that change tables, their
 * parts as parsed (replay/ddl_lex.c, replay/ddl_parse.c), ready to be
 * translated into PostgreSQL statements (replay/ddl_pg.c).  Shared by
 * replay's own files and the tests; nothing here is public.
 *
 * Everything a parsed statement points to lives in the arena given to
 * rp__ddl_parse: strings are NUL-terminated and unquoted (backquotes,
 * ANSI "quotes", string escapes resolved); names keep their case.
 */
#ifndef REPLAY_DDL_INT_H
#define REPLAY_DDL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* schema.table as written; schema NULL when unqualified (the event's
 * default database applies). */
struct rp__ddl_name {
	const char *schema;
	const char *name;
};

/* What a statement is.  Only the kinds from CREATE_TABLE to DROP_INDEX
 * (and CREATE/DROP DATABASE for the schema mappings) change what is
 * replicated; RP__DS_OTHER statements are logged at debug level and
 * passed over, whatever they are. */
enum rp__ddl_kind {
	RP__DS_OTHER = 0,	/* DML, views, routines, triggers, events, users,
				   grants, FLUSH, ANALYZE/OPTIMIZE/REPAIR/CHECK,
				   SAVEPOINT, XA, tablespaces, SET, ... */
	RP__DS_CREATE_TABLE,	/* columns and keys, or LIKE, or AS SELECT */
	RP__DS_ALTER_TABLE,
	RP__DS_RENAME_TABLE,	/* pairs, in order */
	RP__DS_DROP_TABLE,	/* names in tables[] */
	RP__DS_TRUNCATE,
	RP__DS_CREATE_INDEX,	/* table, indexes[0] */
	RP__DS_DROP_INDEX,	/* table, index_name */
	RP__DS_CREATE_DATABASE,	/* database */
	RP__DS_DROP_DATABASE,	/* database */
	RP__DS_UNPARSED,	/* one of the table statements above (kind_of_unparsed)
				   whose syntax was not understood: error, error_off */
};

/*
 * A column type, normalised to what information_schema.COLUMNS would
 * show for it, so that it goes through the same type map as init_replica
 * (rp_type_of_mysql): data_type "int", "varchar", "decimal", "enum"...
 * (lowercase; synonyms resolved: INTEGER -> int, BOOL -> tinyint,
 * DEC/NUMERIC/FIXED -> decimal, REAL/DOUBLE PRECISION -> double,
 * CHARACTER VARYING -> varchar, LONG -> mediumtext, SERIAL -> bigint
 * unsigned not null auto_increment unique); column_type "int(11)",
 * "int(10) unsigned", "decimal(10,2)", "varchar(40)", "datetime(3)",
 * "enum('a','it''s')", "set('x','y')", "bit(3)", "tinyint(1)".
 */
struct rp__ddl_type {
	const char *data_type;
	const char *column_type;
	unsigned long char_length;	/* CHAR/VARCHAR/TEXT family: characters; 0 otherwise */
	bool is_unsigned, zerofill;
	const char *charset, *collation;	/* as written on the column; NULL when not */
	size_t nlabels;			/* ENUM, SET: values in order, unescaped */
	const char *const *labels;
	uint32_t srid;			/* spatial types: SRID attribute (MySQL 8), 0 when none */
	bool has_srid;
};

enum rp__ddl_default {
	RP__DEF_NONE = 0,	/* no DEFAULT clause */
	RP__DEF_NULL,		/* DEFAULT NULL */
	RP__DEF_LITERAL,	/* a string, number, bit or hex literal: value text in def
				   (strings unescaped; b'101' and 0x1f as their bytes' value text
				   as MySQL would store it in the column) */
	RP__DEF_NOW,		/* CURRENT_TIMESTAMP[(fsp)], NOW(), LOCALTIME...: def_fsp */
	RP__DEF_EXPR,		/* (expression) of MySQL 8.0.13+ / MariaDB 10.2+: def is its text */
};

struct rp__ddl_column {
	const char *name;
	struct rp__ddl_type type;
	bool not_null;			/* NOT NULL given (PRIMARY KEY implies it) */
	enum rp__ddl_default def_kind;
	const char *def;
	unsigned def_fsp;
	bool on_update_now;		/* ON UPDATE CURRENT_TIMESTAMP */
	bool auto_increment;
	bool primary, unique;		/* column-level PRIMARY KEY / UNIQUE [KEY] */
	bool invisible;			/* INVISIBLE (MySQL 8.0.23+, MariaDB 10.3+) */
	const char *generated;		/* GENERATED ALWAYS AS (expr) / AS (expr): expr text */
	bool stored;			/* STORED / PERSISTENT; false: VIRTUAL */
	const char *comment;
	const char *check;		/* column CHECK (expr): expr text */
	/* ALTER TABLE ADD/MODIFY/CHANGE placement */
	bool first;
	const char *after;		/* AFTER col */
	/* added by the parser (ddlparse): */
	size_t def_len;			/* bytes of def: a string or binary literal
					   may hold NUL bytes (DEFAULT 'a\0b', 0x00) */
	const char *check_name;		/* CONSTRAINT name CHECK (...) on the column */
	bool check_not_enforced;	/* its NOT ENFORCED */
	struct rp__ddl_fkey *references;	/* inline REFERENCES t (c) [ON ...]:
						   MySQL up to 8.4 parses and ignores it,
						   later MySQL and MariaDB may create the
						   key; cols is this column.  NULL when absent */
};

struct rp__ddl_index_col {
	const char *name;		/* column; NULL for a functional key part */
	unsigned prefix;		/* col(10): prefix length, 0 when none */
	bool desc;
	const char *expr;		/* functional key part (expr) text, else NULL */
};

struct rp__ddl_index {
	const char *name;		/* NULL when unnamed ("PRIMARY" never) */
	bool primary, unique, fulltext, spatial;
	bool if_not_exists;		/* MariaDB ADD INDEX IF NOT EXISTS */
	size_t ncols;
	struct rp__ddl_index_col *cols;
	/* added by the parser (ddlparse): */
	const char *index_type;		/* USING/TYPE: "BTREE", "HASH", "RTREE"; NULL */
	const char *comment;		/* COMMENT '...'; NULL */
	bool invisible;			/* INVISIBLE (MySQL 8) or IGNORED (MariaDB 10.6) */
	/* added by the parser (ddlcorpus): */
	bool vector;			/* VECTOR INDEX of MariaDB 11.7 (HNSW over a
					   VECTOR column; M and DISTANCE read over) */
	/* added by the parser (ddlfix): */
	bool without_overlaps;		/* MariaDB UNIQUE (id, p WITHOUT OVERLAPS): the
					   last key part names an application-time
					   period, not a column */
};

struct rp__ddl_fkey {
	const char *name;		/* CONSTRAINT name, or the FOREIGN KEY's index name; NULL */
	size_t ncols;
	const char *const *cols;
	struct rp__ddl_name ref;
	size_t nref;
	const char *const *ref_cols;
	const char *on_delete, *on_update;	/* "CASCADE", "SET NULL", "RESTRICT",
						   "NO ACTION", "SET DEFAULT"; NULL when absent */
};

struct rp__ddl_check {
	const char *name;		/* NULL when unnamed */
	const char *expr;		/* the expression's text */
	bool not_enforced;
};

enum rp__ddl_alter_op {
	RP__AL_ADD_COLUMN,		/* col (placement in col.first / col.after) */
	RP__AL_DROP_COLUMN,		/* name */
	RP__AL_MODIFY_COLUMN,		/* col (same name) */
	RP__AL_CHANGE_COLUMN,		/* name (old), col (col.name the new name) */
	RP__AL_RENAME_COLUMN,		/* name (old), new_name */
	RP__AL_SET_DEFAULT,		/* name, col.def_kind / col.def / col.def_fsp */
	RP__AL_DROP_DEFAULT,		/* name */
	RP__AL_SET_VISIBLE,		/* name, visible (ALTER COLUMN c SET [IN]VISIBLE) */
	RP__AL_ADD_INDEX,		/* idx: PRIMARY KEY, UNIQUE, INDEX/KEY, FULLTEXT, SPATIAL */
	RP__AL_DROP_INDEX,		/* name */
	RP__AL_DROP_PRIMARY_KEY,
	RP__AL_RENAME_INDEX,		/* name, new_name */
	RP__AL_ADD_FOREIGN_KEY,		/* fk */
	RP__AL_DROP_FOREIGN_KEY,	/* name */
	RP__AL_ADD_CHECK,		/* check */
	RP__AL_DROP_CHECK,		/* name (DROP CHECK / DROP CONSTRAINT) */
	RP__AL_RENAME_TABLE,		/* new_table */
	RP__AL_CONVERT_CHARSET,		/* charset, collation */
	RP__AL_OPTION,			/* accepted, nothing to do in PostgreSQL: table
					   options (ENGINE, COMMENT, AUTO_INCREMENT, ROW_FORMAT,
					   DEFAULT CHARSET...), ALGORITHM, LOCK, FORCE, ORDER BY,
					   partitioning clauses, ENABLE/DISABLE KEYS,
					   DISCARD/IMPORT TABLESPACE, WITH/WITHOUT VALIDATION;
					   text says which */
};

struct rp__ddl_alter {
	enum rp__ddl_alter_op op;
	bool if_exists, if_not_exists;	/* MariaDB's on columns, indexes, keys */
	const char *name;
	const char *new_name;
	bool visible;
	struct rp__ddl_column col;
	struct rp__ddl_index idx;
	struct rp__ddl_fkey fk;
	struct rp__ddl_check check;
	struct rp__ddl_name new_table;
	const char *charset, *collation;
	const char *text;		/* the clause as written, for messages */
};

struct rp__ddl_pair {
	struct rp__ddl_name from, to;
};

struct rp__ddl_stmt {
	enum rp__ddl_kind kind;
	/* The leading keywords, lowercase, single-spaced, for the log:
	 * "create table", "alter table", "create view", "grant", "flush",
	 * "insert"... ("" for an empty statement). */
	const char *what;
	bool temporary;			/* CREATE/DROP TEMPORARY TABLE: not replicated */
	bool if_exists, if_not_exists, or_replace;
	struct rp__ddl_name table;	/* CREATE, ALTER, TRUNCATE, CREATE/DROP INDEX */
	const char *database;		/* CREATE/DROP DATABASE|SCHEMA */
	/* CREATE TABLE */
	struct rp__ddl_name like;	/* CREATE TABLE t LIKE like; like.name NULL otherwise */
	bool as_select;			/* ... [AS] SELECT / ... (SELECT ...): the rows
					   follow as row events */
	size_t ncols;
	struct rp__ddl_column *cols;
	size_t nidx;
	struct rp__ddl_index *idx;	/* table-level keys, in order (CREATE INDEX: one) */
	size_t nfk;
	struct rp__ddl_fkey *fk;
	size_t nchecks;
	struct rp__ddl_check *checks;
	const char *charset, *collation, *engine, *comment;	/* table options; NULL when absent */
	/* ALTER TABLE */
	bool ignore;			/* ALTER IGNORE TABLE (MariaDB, MySQL up to
					   5.6): rows that would break a new unique
					   key are deleted, without row events */
	size_t nalter;
	struct rp__ddl_alter *alter;
	/* RENAME TABLE a TO b, c TO d; DROP TABLE a, b (from only) */
	size_t npairs;
	struct rp__ddl_pair *pairs;
	/* DROP INDEX name ON table */
	const char *index_name;
	/* RP__DS_UNPARSED */
	enum rp__ddl_kind kind_of_unparsed;
	const char *error;		/* what was expected, and what was found */
	size_t error_off;		/* byte offset in the statement */
};

/*
 * Classify and parse statement q (n bytes, not NUL-terminated; comments,
 * MySQL's executable comments slash-star-bang[version] and MariaDB's
 * slash-star-M-bang read as code, MariaDB's SET STATEMENT ... FOR prefix
 * skipped).  ansi_quotes: sql_mode ANSI_QUOTES ("x" is a name).
 * Everything is allocated in a.  Never fails for bad SQL: a table
 * statement it cannot read is RP__DS_UNPARSED with the reason and its
 * offset, anything else RP__DS_OTHER.  Returns 0, or -ERR_TOOBIG for a
 * statement over 16 MiB or nested deeper than the parser allows (the
 * detail in e).
 */
int rp__ddl_parse(const char *q, size_t n, bool ansi_quotes, struct arena *a,
		  struct rp__ddl_stmt *out, struct err *e) MUST_CHECK;

/* "CREATE TABLE", "ALTER TABLE", ...; "" for RP__DS_OTHER. */
const char *rp__ddl_kind_name(enum rp__ddl_kind k);

#endif
