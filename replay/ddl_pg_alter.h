/*
 * What the files of ALTER TABLE's translation share (ddl_pg_alter.c,
 * ddl_pg_alter_col.c, ddl_pg_key.c): the statement being translated and
 * its verdict.
 */
#ifndef REPLAY_DDL_PG_ALTER_H
#define REPLAY_DDL_PG_ALTER_H

#include "replay/ddl_pg_int.h"

struct rp__al {
	struct rp__dp *d;
	struct rp__dp_table *t; /* as the earlier clauses left it */
	const char *schema;
	enum rp__ddl_fx_kind verdict; /* RP__FX_ALTERED, RP__FX_COPY or RP__FX_DISABLE */
	const char *why;
	bool changed;			    /* PostgreSQL's table changes */
	const struct rp__ddl_alter *rename; /* RENAME TO, applied last */
	/* partition maintenance with another table (EXCHANGE PARTITION,
	 * CONVERT PARTITION/TABLE): its name and what it went through
	 * (RP__FX_COPY, RP__FX_DROPPED); other.name NULL when none */
	struct rp__ddl_name other;
	enum rp__ddl_fx_kind other_fx;
	size_t at; /* the clause being translated */
	/* columns moved out of the way of a rename (CHANGE a b, CHANGE b a):
	 * the later clause's old name from finds the column under tmp */
	size_t nmoved, capmoved;
	struct rp__al_moved {
		const char *from, *tmp;
	} * moved;
};

/* The statement goes to a copy of the table / takes the table out (the
 * first reason is kept; out wins over a copy). */
void rp__al_copy(struct rp__al *al, const char *why);
void rp__al_disable(struct rp__al *al, const char *why);
/* rp__dp_coldef of a column of the table; false, with the table taken
 * out, when the column's type has no PostgreSQL type. */
bool rp__al_coldef(struct rp__al *al, const struct rp__ddl_column *col,
		   struct rp__dp_coldef *cd);
/* The statement buffer holding "ALTER TABLE "s"."t" ". */
struct buf *rp__al_sql(struct rp__al *al);
bool rp__al_empty(const struct rp__al *al);
/* A unique or primary key added by ALTER IGNORE TABLE to a table with
 * rows: MariaDB deleted the duplicates without row events, a copy. */
void rp__al_ignore_key(struct rp__al *al, const char *what);
/* Column i of the table by the name a clause gives, which may be one
 * moved out of the way of a rename; -1 when none. */
long rp__al_col_find(const struct rp__al *al, const char *name);
/* RENAME COLUMN of column i (its own enum type follows); a column holding
 * the name that a later clause renames is moved to a temporary name. */
void rp__al_rename_column(struct rp__al *al, size_t i, const char *to);

/* ddl_pg_alter_col.c */
void rp__al_add_column(struct rp__al *al, const struct rp__ddl_alter *c);
void rp__al_modify(struct rp__al *al, const struct rp__ddl_alter *c);
void rp__al_default(struct rp__al *al, const struct rp__ddl_alter *c);
/* ddl_pg_key.c */
void rp__al_key(struct rp__al *al, const struct rp__ddl_alter *c);
/* ddl_pg_alter.c: foreign keys, checks, options, charsets */
void rp__al_other(struct rp__al *al, const struct rp__ddl_alter *c);
void rp__al_convert(struct rp__al *al, const struct rp__ddl_alter *c);
/* Partition maintenance in an RP__AL_OPTION's text: a copy when it
 * changed rows without row events (TRUNCATE, DROP, EXCHANGE, CONVERT). */
void rp__al_partition(struct rp__al *al, const char *text);

#endif
